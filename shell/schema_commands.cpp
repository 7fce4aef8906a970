// Dot-commands that describe the schema: .tables, .indexes, .schema,
// .databases, .dbinfo. Each reads sqlite_schema (and PRAGMA database_list)
// through ordinary queries and prints what sqlite3 3.40 prints.
#include <algorithm>
#include <cstring>

#include "shell/shell.h"
#include "shell/sql_text.h"

namespace keel::shell {
namespace {

std::string column_string(sqlite3_stmt* stmt, int i) {
  const unsigned char* t = sqlite3_column_text(stmt, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

// The schema names of PRAGMA database_list, in order (main, temp, attached).
std::vector<std::string> database_names(sqlite3* db) {
  std::vector<std::string> names;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA database_list", -1, &stmt, nullptr) != SQLITE_OK) return names;
  while (sqlite3_step(stmt) == SQLITE_ROW) names.push_back(column_string(stmt, 1));
  sqlite3_finalize(stmt);
  return names;
}

// The schema table of database `name`, as a FROM target.
std::string schema_table(const std::string& name) {
  if (sqlite3_stricmp(name.c_str(), "temp") == 0) return "sqlite_temp_schema";
  return quote_name(name) + ".sqlite_schema";
}

// `value` wrapped in `quote` (doubling inner quotes) when quote != 0.
std::string with_quote(const std::string& value, char quote) {
  if (!quote) return value;
  std::string out(1, quote);
  for (char c : value) {
    if (c == quote) out += quote;
    out += c;
  }
  return out + quote;
}

// "name(col,col)" for a view: its columns as a comment after its SQL.
std::string fake_schema(sqlite3* db, const std::string* schema, const std::string& name) {
  char* q = sqlite3_mprintf("PRAGMA \"%w\".table_info=%Q;", schema ? schema->c_str() : "main", name.c_str());
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, q, -1, &stmt, nullptr);
  sqlite3_free(q);
  std::string out;
  if (schema) {
    char qc = quote_char(*schema);
    if (qc && sqlite3_stricmp(schema->c_str(), "temp") == 0) qc = 0;
    out += with_quote(*schema, qc) + ".";
  }
  out += with_quote(name, quote_char(name));
  const char* div = "(";
  int rows = 0;
  while (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
    std::string col = column_string(stmt, 1);
    out += div;
    div = ",";
    out += with_quote(col, quote_char(col));
    rows++;
  }
  sqlite3_finalize(stmt);
  if (rows == 0) return "";
  return out + ")";
}

// sqlite3's shell_add_schema(): the schema name of an attached or temp
// database goes in front of the object name, and a view gets its columns.
std::string add_schema(sqlite3* db, const std::string& sql, const std::string* schema,
                       const std::string& name) {
  static const char* kPrefixes[] = {"TABLE", "INDEX", "UNIQUE INDEX", "VIEW", "TRIGGER", "VIRTUAL TABLE"};
  if (sql.compare(0, 7, "CREATE ") != 0) return sql;
  for (const char* prefix : kPrefixes) {
    size_t n = std::strlen(prefix);
    if (sql.compare(7, n, prefix) != 0 || sql.size() <= n + 7 || sql[n + 7] != ' ') continue;
    std::string out;
    bool changed = false;
    if (schema) {
      char qc = quote_char(*schema);
      std::string s = qc && sqlite3_stricmp(schema->c_str(), "temp") != 0 ? quote_name(*schema) : *schema;
      out = sql.substr(0, n + 7) + " " + s + "." + sql.substr(n + 8);
      changed = true;
    }
    if (prefix[0] == 'V') {
      std::string fake = fake_schema(db, schema, name);
      if (!fake.empty()) {
        out = (changed ? out : sql) + "\n/* " + fake + " */";
        changed = true;
      }
    }
    if (changed) return out;
  }
  return sql;
}

// True if `text` LIKE `pattern` (ESCAPE '\\'), evaluated by the engine.
bool like_match(sqlite3* db, const std::string& pattern, const char* text) {
  sqlite3_stmt* stmt = nullptr;
  bool match = false;
  if (sqlite3_prepare_v2(db, "SELECT ?2 LIKE ?1 ESCAPE '\\'", -1, &stmt, nullptr) == SQLITE_OK) {
    sqlite3_bind_text(stmt, 1, pattern.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, text, -1, SQLITE_STATIC);
    match = sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0) != 0;
  }
  sqlite3_finalize(stmt);
  return match;
}

}  // namespace

// .tables and .indexes share their query and their layout: names in as
// many columns as fit in 80 characters, filled column by column.
static int list_names(sqlite3* db, FILE* out, bool tables, const std::vector<std::string>& args) {
  std::string sql;
  for (const std::string& name : database_names(db)) {
    if (!sql.empty()) sql += " UNION ALL ";
    if (sqlite3_stricmp(name.c_str(), "main") == 0) {
      sql += "SELECT name FROM ";
    } else {
      sql += "SELECT " + with_quote(name, '\'') + "||'.'||name FROM ";
    }
    sql += schema_table(name) + " ";
    sql += tables ? " WHERE type IN ('table','view')   AND name NOT LIKE 'sqlite_%'   AND name LIKE ?1"
                  : " WHERE type='index'   AND tbl_name LIKE ?1";
  }
  sql += " ORDER BY 1";
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "Error: %s\n", sqlite3_errmsg(db));
    return 1;
  }
  sqlite3_bind_text(stmt, 1, args.size() > 1 ? args[1].c_str() : "%", -1, SQLITE_TRANSIENT);
  std::vector<std::string> names;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) names.push_back(column_string(stmt, 0));
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) {
    std::fprintf(stderr, "Error: %s\n", sqlite3_errmsg(db));
    return 1;
  }
  if (!tables && args.size() > 2) {
    std::fprintf(stderr, "Usage: .indexes ?LIKE-PATTERN?\n");
    return 1;
  }
  size_t maxlen = 0;
  for (const auto& n : names) maxlen = std::max(maxlen, n.size());
  size_t cols = 80 / (maxlen + 2);
  if (cols < 1) cols = 1;
  size_t rows = (names.size() + cols - 1) / cols;
  std::string text;
  for (size_t i = 0; i < rows; i++) {
    for (size_t j = i; j < names.size(); j += rows) {
      if (j >= rows) text += "  ";
      text += names[j];
      text.append(maxlen - names[j].size(), ' ');
    }
    text += '\n';
  }
  std::fputs(text.c_str(), out);
  return 0;
}

int Shell::cmd_tables(const std::vector<std::string>& args) { return list_names(db_, out_file_, true, args); }

int Shell::cmd_indexes(const std::vector<std::string>& args) {
  return list_names(db_, out_file_, false, args);
}

int Shell::cmd_schema(const std::vector<std::string>& args) {
  std::string pattern;
  bool has_pattern = false, no_sys = false;
  for (size_t i = 1; i < args.size(); i++) {
    const std::string& a = args[i];
    if (a == "--indent" || a == "-indent") {
      continue;  // accepted; statements are printed as stored
    } else if (a == "--nosys" || a == "-nosys") {
      no_sys = true;
    } else if (a[0] == '-') {
      std::fprintf(stderr, "Unknown option \"%s\" on \".schema\"\n", a.c_str());
      return 1;
    } else if (!has_pattern) {
      pattern = a;
      has_pattern = true;
    } else {
      std::fprintf(stderr, "Usage: .schema ?--indent? ?--nosys? ?LIKE-PATTERN?\n");
      return 1;
    }
  }
  std::string text;
  if (has_pattern) {
    // As in sqlite3, the pattern is matched against the schema table names
    // (so ".schema %a%" shows the schema table's own definition too).
    for (const char* s : {"sqlite_master", "sqlite_schema", "sqlite_temp_master", "sqlite_temp_schema"}) {
      if (like_match(db_, pattern, s)) {
        text += "CREATE TABLE " + pattern +
                " (\n  type text,\n  name text,\n  tbl_name text,\n  rootpage integer,\n  sql text\n);\n";
        break;
      }
    }
  }
  bool glob = pattern.find_first_of("*?[") != std::string::npos;
  bool dotted = pattern.find('.') != std::string::npos;
  for (const std::string& dbname : database_names(db_)) {
    bool is_main = sqlite3_stricmp(dbname.c_str(), "main") == 0;
    std::string sql = "SELECT sql, type, name FROM " + schema_table(dbname) + " WHERE ";
    if (has_pattern) {
      char* p = sqlite3_mprintf("%Q", pattern.c_str());
      sql += dotted ? "lower(printf('%s.%s'," + with_quote(dbname, '\'') + ",tbl_name))" : "lower(tbl_name)";
      sql += glob ? std::string(" GLOB ") + p : std::string(" LIKE ") + p + " ESCAPE '\\' ";
      sql += " AND ";
      sqlite3_free(p);
    }
    if (no_sys) sql += "name NOT LIKE 'sqlite_%' AND ";
    sql += "sql IS NOT NULL ORDER BY rowid";
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "Error: %s\n", sqlite3_errmsg(db_));
      return 1;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::string stored = column_string(stmt, 0);
      text += schema_line(add_schema(db_, stored, is_main ? nullptr : &dbname, column_string(stmt, 2)));
    }
    sqlite3_finalize(stmt);
  }
  std::fputs(text.c_str(), out_file_);
  return 0;
}

int Shell::cmd_databases() {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, "PRAGMA database_list", -1, &stmt, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "Error: %s\n", sqlite3_errmsg(db_));
    return 1;
  }
  std::vector<std::pair<std::string, std::string>> dbs;
  while (sqlite3_step(stmt) == SQLITE_ROW) dbs.emplace_back(column_string(stmt, 1), column_string(stmt, 2));
  sqlite3_finalize(stmt);
  std::string text;
  for (const auto& [name, file] : dbs) {
    int txn = sqlite3_txn_state(db_, name.c_str());
    text += name + ": " + (file.empty() ? "\"\"" : file) + " " +
            (sqlite3_db_readonly(db_, name.c_str()) == 1 ? "r/o" : "r/w") +
            (txn == SQLITE_TXN_NONE   ? ""
             : txn == SQLITE_TXN_READ ? " read-txn"
                                      : " write-txn") +
            "\n";
  }
  std::fputs(text.c_str(), out_file_);
  return 0;
}

}  // namespace keel::shell
