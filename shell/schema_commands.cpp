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

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// True if `text` starts with `prefix`, ignoring ASCII case (LIKE 'prefix%').
bool like_match_plain(const std::string& text, const char* prefix) {
  size_t n = std::strlen(prefix);
  return text.size() >= n && sqlite3_strnicmp(text.c_str(), prefix, static_cast<int>(n)) == 0;
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

// True when only whitespace (or a "--" comment) is left on this line.
bool ws_to_eol(const char* z) {
  for (int i = 0; z[i]; i++) {
    if (z[i] == '\n') return true;
    if (is_space(z[i])) continue;
    return z[i] == '-' && z[i + 1] == '-';
  }
  return true;
}

// .schema --indent (sqlite3's "pretty" mode): whitespace squeezed, and a
// statement of 79 characters or more gets one line per top-level item of
// its outermost parentheses. Views and triggers are printed as stored.
std::string pretty_schema(const std::string& stored) {
  if (like_match_plain(stored, "CREATE VIEW") || like_match_plain(stored, "CREATE TRIG"))
    return stored + ";\n";
  std::string z;
  size_t i = 0;
  while (i < stored.size() && is_space(stored[i])) i++;
  for (; i < stored.size(); i++) {
    char c = stored[i];
    if (is_space(c)) {
      if (!z.empty() && z.back() == '\r') z.back() = '\n';
      if (!z.empty() && (is_space(z.back()) || z.back() == '(')) continue;
    } else if ((c == '(' || c == ')') && !z.empty() && is_space(z.back())) {
      z.pop_back();
    }
    z += c;
  }
  while (!z.empty() && is_space(z.back())) z.pop_back();
  if (z.size() < 79) return schema_line(z);
  std::string out, piece;
  int parens = 0, lines = 0;
  char end = 0;
  const char* p = z.c_str();
  for (size_t k = 0; p[k]; k++) {
    char c = p[k];
    if (c == end) {
      end = 0;
    } else if (c == '"' || c == '\'' || c == '`') {
      end = c;
    } else if (c == '[') {
      end = ']';
    } else if (c == '-' && p[k + 1] == '-') {
      end = '\n';
    } else if (c == '(') {
      parens++;
    } else if (c == ')') {
      parens--;
      if (lines > 0 && parens == 0 && !piece.empty()) {
        out += piece + "\n";
        piece.clear();
      }
    }
    piece += c;
    if (parens == 1 && end == 0 && (c == '(' || c == '\n' || (c == ',' && !ws_to_eol(p + k + 1)))) {
      if (c == '\n') piece.pop_back();
      // The first piece still goes through the IF NOT EXISTS rewrite.
      std::string line = lines == 0 ? schema_line(piece) : piece + ";\n";
      line.resize(line.size() - 2);
      out += line + "\n  ";
      piece.clear();
      lines++;
      while (is_space(p[k + 1])) k++;
    }
  }
  return out + schema_line(piece);
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
  bool has_pattern = false, no_sys = false, indent = false;
  for (size_t i = 1; i < args.size(); i++) {
    const std::string& a = args[i];
    if (a == "--indent" || a == "-indent") {
      indent = true;
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
      std::string shown = add_schema(db_, stored, is_main ? nullptr : &dbname, column_string(stmt, 2));
      text += indent ? pretty_schema(shown) : schema_line(shown);
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

namespace keel::shell {

int Shell::cmd_fullschema(const std::vector<std::string>& args) {
  bool indent = args.size() == 2 && (args[1] == "--indent" || args[1] == "-indent");
  if (args.size() != 1 && !indent) {
    std::fprintf(stderr, "Usage: .fullschema ?--indent?\n");
    return 1;
  }
  // Main and temp objects in rowid order, without the view column comments
  // .schema adds, then the statistics tables as INSERTs.
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(
      db_,
      "SELECT sql FROM  (SELECT sql sql, type type, tbl_name tbl_name, name name, rowid x"
      "     FROM sqlite_schema UNION ALL   SELECT sql, type, tbl_name, name, rowid FROM "
      "sqlite_temp_schema) WHERE type!='meta' AND sql NOTNULL AND name NOT LIKE 'sqlite_%' "
      "ORDER BY x",
      -1, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    std::fprintf(stderr, "Error: %s\n", sqlite3_errmsg(db_));
    return 1;
  }
  std::string text;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::string sql = column_string(stmt, 0);
    text += indent ? pretty_schema(sql) : schema_line(sql);
  }
  sqlite3_finalize(stmt);
  bool stats = false;
  if (sqlite3_prepare_v2(db_, "SELECT rowid FROM sqlite_schema WHERE name GLOB 'sqlite_stat[134]'", -1, &stmt,
                         nullptr) == SQLITE_OK) {
    stats = sqlite3_step(stmt) == SQLITE_ROW;
  }
  sqlite3_finalize(stmt);
  std::fputs(text.c_str(), out_file_);
  if (!stats) {
    std::fputs("/* No STAT tables available */\n", out_file_);
    return 0;
  }
  std::fputs("ANALYZE sqlite_schema;\n", out_file_);
  for (const char* table : {"sqlite_stat1", "sqlite_stat4"}) {
    OutputSettings rows;
    rows.mode = Mode::kInsert;
    rows.dest_table = table;
    rows.auto_explain = false;
    std::string sql = std::string("SELECT * FROM ") + table;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
      print_rows(stmt, Mode::kInsert, rows, out_file_, &interrupted);
    }
    sqlite3_finalize(stmt);
  }
  std::fputs("ANALYZE sqlite_schema;\n", out_file_);
  return 0;
}

}  // namespace keel::shell
