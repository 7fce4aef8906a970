// Row-for-row comparison helpers for planner tests: a statement's rows as
// text ("a|b" per row, NULL spelled out, errors as "error: message") from
// the test engine and from libsqlite3, so results can be compared as strings.
#pragma once

#include <sqlite3.h>

#include <span>
#include <string>

#include "plan/testing/test_engine.h"

namespace keel::plan::testing {

inline std::string keel_run(TestEngine& e, const std::string& sql) {
  std::string out;
  Status s = e.exec(sql, [&](std::span<const vm::Value> row) {
    for (size_t i = 0; i < row.size(); i++) {
      if (i) out += '|';
      vm::NumberText nt;
      out += row[i].is_null() ? std::string("NULL") : std::string(row[i].as_text(nt));
    }
    out += '\n';
  });
  if (!s.ok()) out += "error: " + std::string(s.message()) + "\n";
  return out;
}

inline std::string sqlite_run(sqlite3* db, const std::string& sql) {
  std::string out;
  const char* tail = sql.c_str();
  while (*tail) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK) {
      out += "error: " + std::string(sqlite3_errmsg(db)) + "\n";
      return out;
    }
    if (!st) break;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(st); i++) {
        if (i) out += '|';
        const unsigned char* t = sqlite3_column_text(st, i);
        out += t ? std::string(reinterpret_cast<const char*>(t), sqlite3_column_bytes(st, i)) : "NULL";
      }
      out += '\n';
    }
    if (rc != SQLITE_DONE) {
      out += "error: " + std::string(sqlite3_errmsg(db)) + "\n";
      sqlite3_finalize(st);
      return out;
    }
    sqlite3_finalize(st);
  }
  return out;
}

}  // namespace keel::plan::testing
