// Helpers shared by the parser tests.
#pragma once

#include <sqlite3.h>

#include <string>
#include <string_view>

#include "parse/parser.h"

namespace keel::parse::testing {

// The options Debian's sqlite3 is built with, so its answers are comparable.
inline ParseOptions debian_options() {
  ParseOptions o;
  o.update_delete_limit = true;
  o.max_variable_number = 250000;
  return o;
}

// Keel's verdict on one statement: "OK" or the error message. A raw CREATE
// that no module claims counts as SQLite's syntax error.
inline std::string keel_verdict(std::string_view sql, const ParseOptions& o = debian_options()) {
  Arena arena;
  Parser p(arena, sql, o);
  Result<ParsedStatement> r = p.parse_statement(0);
  if (!r.ok()) return std::string(r.status().message());
  if (r->stmt && r->stmt->kind == StmtKind::kCreateExtension) {
    return std::string(r->stmt->as<CreateExtensionStmt>()->error);
  }
  return "OK";
}

// Canonical text of one statement, or "ERROR: message".
inline std::string canon(std::string_view sql, const ParseOptions& o = debian_options()) {
  Arena arena;
  Parser p(arena, sql, o);
  Result<ParsedStatement> r = p.parse_statement(0);
  if (!r.ok()) return "ERROR: " + std::string(r.status().message());
  return to_sql(*r);
}

// True for the messages SQLite's parser itself produces (as opposed to name
// resolution and the code generator).
inline bool is_parser_message(std::string_view m) {
  static const char* kPrefixes[] = {
      "near \"",
      "incomplete input",
      "unrecognized token:",
      "variable number must be between",
      "too many SQL variables",
      "Expression tree is too large",
      "parser stack overflow",
      "ORDER BY clause should come after",
      "LIMIT clause should come after",
      "too many terms in compound SELECT",
      "unknown join type",
      "a JOIN clause is required before",
      "unknown table option",
      "syntax error after column name",
      "the INDEXED BY clause is not allowed",
      "the NOT INDEXED clause is not allowed",
      "qualified table names are not allowed",
      "cannot use RETURNING in a trigger",
      "IN(...) element has",
      "too many arguments on function",
      "DISTINCT is not supported for window functions",
      "unsupported frame specification",
      "too many columns in set list",
      "duplicate WITH table name",
      "cannot override ",
      "too many FROM clause terms",
  };
  for (const char* p : kPrefixes) {
    if (m.substr(0, std::char_traits<char>::length(p)) == p) return true;
  }
  return m.find(" columns assigned ") != std::string_view::npos;
}

// SQLite's verdict: "OK" when it parses (even if preparing fails later for
// another reason, e.g. a missing table), else its parser's message.
class Oracle {
 public:
  Oracle() {
    sqlite3_open(":memory:", &db_);
    sqlite3_exec(db_, "CREATE TABLE t(a, b, c); CREATE TABLE t1(a INT, b TEXT); CREATE TABLE t2(x, y);",
                 nullptr, nullptr, nullptr);
  }
  ~Oracle() { sqlite3_close(db_); }
  Oracle(const Oracle&) = delete;
  Oracle& operator=(const Oracle&) = delete;

  std::string verdict(std::string_view sql) {
    sqlite3_stmt* st = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &st, &tail);
    std::string msg = rc == SQLITE_OK ? "" : sqlite3_errmsg(db_);
    sqlite3_finalize(st);
    last_message_ = msg;
    if (rc != SQLITE_OK && is_parser_message(msg)) return msg;
    return "OK";
  }
  // The full message of the last verdict ("" when it prepared).
  const std::string& last_message() const { return last_message_; }

 private:
  sqlite3* db_ = nullptr;
  std::string last_message_;
};

}  // namespace keel::parse::testing
