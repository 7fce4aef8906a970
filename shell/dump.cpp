// .dump: the database as an SQL script that rebuilds it, in sqlite3 3.40's
// exact form, so that the real sqlite3 (or keel) loads it into an identical
// database:
//
//   PRAGMA foreign_keys=OFF;
//   BEGIN TRANSACTION;
//   <each table's CREATE, then its rows as INSERT INTO t VALUES(...)>
//   <sqlite_sequence last among tables: DELETE FROM + INSERTs>
//   <indexes, triggers and views, in sqlite_schema order>
//   COMMIT;            (ROLLBACK; -- due to errors, if a query failed)
//
// Reals are written with 20 significant digits (%!.20g) so they read back
// bit for bit; text with newlines uses replace(...,'\n',char(10)) unless
// --newlines is given.
#include <array>
#include <cstring>

#include "shell/shell.h"
#include "shell/sql_text.h"

namespace keel::shell {
namespace {

std::string text_at(sqlite3_stmt* stmt, int i) {
  const unsigned char* t = sqlite3_column_text(stmt, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

struct DumpOptions {
  bool data_only = false;
  bool no_sys = false;
  bool newlines = false;
  bool preserve_rowids = false;
};

// The columns of `table`; element 0 is the rowid name to select as well
// ("" when the rowid is not preserved).
std::vector<std::string> table_columns(sqlite3* db, const std::string& table, bool preserve_rowid) {
  std::vector<std::string> cols(1);
  char* sql = sqlite3_mprintf("PRAGMA table_info=%Q", table.c_str());
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  sqlite3_free(sql);
  if (rc != SQLITE_OK) return {};
  int npk = 0;
  bool ipk = false;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    cols.push_back(text_at(stmt, 1));
    if (sqlite3_column_int(stmt, 5)) {
      npk++;
      ipk = npk == 1 && sqlite3_stricmp(text_at(stmt, 2).c_str(), "INTEGER") == 0;
    }
  }
  sqlite3_finalize(stmt);
  if (preserve_rowid && ipk) {
    // An INTEGER PRIMARY KEY is the rowid unless an index backs the key
    // (WITHOUT ROWID, or INTEGER PRIMARY KEY DESC).
    bool has_pk_index = false;
    sql = sqlite3_mprintf("PRAGMA index_list=%Q", table.c_str());
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK) {
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        if (text_at(stmt, 3) == "pk") has_pk_index = true;
      }
    }
    sqlite3_finalize(stmt);
    sqlite3_free(sql);
    preserve_rowid = has_pk_index;
  }
  if (preserve_rowid) {
    for (const char* name : {"rowid", "_rowid_", "oid"}) {
      bool used = false;
      for (size_t i = 1; i < cols.size(); i++) used |= sqlite3_stricmp(name, cols[i].c_str()) == 0;
      if (used) continue;
      if (sqlite3_table_column_metadata(db, nullptr, table.c_str(), name, nullptr, nullptr, nullptr, nullptr,
                                        nullptr) == SQLITE_OK) {
        cols[0] = name;
      }
      break;
    }
  }
  return cols;
}

}  // namespace

int Shell::cmd_dump(const std::vector<std::string>& args) {
  DumpOptions opt;
  std::string like;
  for (size_t i = 1; i < args.size(); i++) {
    const std::string& a = args[i];
    if (a[0] == '-') {
      std::string z = a[1] == '-' ? a.substr(1) : a;
      if (z == "-preserve-rowids") {
        opt.preserve_rowids = true;
      } else if (z == "-newlines") {
        opt.newlines = true;
      } else if (z == "-data-only") {
        opt.data_only = true;
      } else if (z == "-nosys") {
        opt.no_sys = true;
      } else {
        std::fprintf(stderr, "Unknown option \"%s\" on \".dump\"\n", a.c_str());
        return 1;
      }
    } else {
      char* expr = sqlite3_mprintf(
          "name LIKE %Q ESCAPE '\\' OR EXISTS (  SELECT 1 FROM sqlite_schema WHERE     name LIKE %Q "
          "ESCAPE '\\' AND    sql LIKE 'CREATE VIRTUAL TABLE%%' AND    substr(o.name, 1, "
          "length(name)+1) == (name||'_'))",
          a.c_str(), a.c_str());
      like += (like.empty() ? "" : " OR ") + std::string(expr);
      sqlite3_free(expr);
    }
  }
  if (like.empty()) like = "true";
  FILE* out = out_file_;
  if (!opt.data_only) std::fputs("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n", out);
  int errors = 0;
  bool writable_schema = false;

  // Tables (sqlite_sequence last), each followed by its rows.
  std::string sql = "SELECT name, type, sql FROM sqlite_schema AS o WHERE (" + like +
                    ") AND type=='table'  AND sql NOT NULL ORDER BY tbl_name='sqlite_sequence', rowid";
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "/**** ERROR: (%d) %s *****/\n", sqlite3_errcode(db_), sqlite3_errmsg(db_));
    errors++;
  }
  std::vector<std::array<std::string, 3>> tables;
  while (stmt && sqlite3_step(stmt) == SQLITE_ROW)
    tables.push_back({text_at(stmt, 0), text_at(stmt, 1), text_at(stmt, 2)});
  sqlite3_finalize(stmt);
  for (const auto& [table, type, create] : tables) {
    if (table == "sqlite_sequence" && !opt.no_sys) {
      if (!opt.data_only) std::fputs("DELETE FROM sqlite_sequence;\n", out);
    } else if (table.size() == 12 && table.compare(0, 11, "sqlite_stat") == 0 && !opt.no_sys) {
      if (!opt.data_only) std::fputs("ANALYZE sqlite_schema;\n", out);
    } else if (table.compare(0, 7, "sqlite_") == 0) {
      continue;
    } else if (opt.data_only) {
      // rows only
    } else if (create.compare(0, 20, "CREATE VIRTUAL TABLE") == 0) {
      if (!writable_schema) {
        std::fputs("PRAGMA writable_schema=ON;\n", out);
        writable_schema = true;
      }
      char* ins = sqlite3_mprintf(
          "INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','%q','%q',0,'%q');",
          table.c_str(), table.c_str(), create.c_str());
      std::fprintf(out, "%s\n", ins);
      sqlite3_free(ins);
      continue;
    } else {
      std::fputs(schema_line(create).c_str(), out);
    }
    if (type != "table") continue;
    std::vector<std::string> cols = table_columns(db_, table, opt.preserve_rowids);
    if (cols.empty()) {
      errors++;
      continue;
    }
    std::string target = quote_name_if_needed(table);
    std::string select = "SELECT ";
    if (!cols[0].empty()) {
      target += "(" + cols[0];
      for (size_t i = 1; i < cols.size(); i++) target += "," + quote_name_if_needed(cols[i]);
      target += ")";
      select += cols[0] + ",";
    }
    for (size_t i = 1; i < cols.size(); i++) {
      select += quote_name_if_needed(cols[i]);
      if (i + 1 < cols.size()) select += ",";
    }
    select += " FROM " + quote_name_if_needed(table);
    OutputSettings rows;
    rows.mode = Mode::kInsert;
    rows.headers = false;
    rows.dest_table = target;
    rows.insert_newlines = opt.newlines;
    rows.auto_explain = false;
    sqlite3_stmt* data = nullptr;
    int rc = sqlite3_prepare_v2(db_, select.c_str(), -1, &data, nullptr);
    if (rc == SQLITE_OK) {
      rc = print_rows(data, Mode::kInsert, rows, out, &interrupted);
      int frc = sqlite3_finalize(data);
      if (rc == SQLITE_DONE) rc = frc;
    }
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
      std::fprintf(stderr, "Error: %s\n", sqlite3_errmsg(db_));
      errors++;
    }
  }

  if (!opt.data_only) {
    sql = "SELECT sql FROM sqlite_schema AS o WHERE (" + like +
          ") AND sql NOT NULL  AND type IN ('index','trigger','view') ORDER BY rowid";
    stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      std::fprintf(out, "/**** ERROR: (%d) %s *****/\n", sqlite3_errcode(db_), sqlite3_errmsg(db_));
      errors++;
    }
    while (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
      std::string text = text_at(stmt, 0);
      // A "--" comment would swallow a ";" on the same line.
      bool comment = text.find("--") != std::string::npos;
      std::fputs(text.c_str(), out);
      std::fputs(comment ? "\n;\n" : ";\n", out);
    }
    sqlite3_finalize(stmt);
  }
  if (writable_schema) std::fputs("PRAGMA writable_schema=OFF;\n", out);
  if (!opt.data_only) std::fputs(errors ? "ROLLBACK; -- due to errors\n" : "COMMIT;\n", out);
  return 0;
}

}  // namespace keel::shell
