// Helpers shared by the parser tests.
#pragma once

#include <sqlite3.h>

#include <string>
#include <string_view>

#include "parse/ast_walk.h"
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

// Checks the spans of a tree against its SQL: every expression's span,
// read back as an expression, gives the same expression, and every name's
// span holds the name as written. Returns the first problem, or "".
inline std::string check_spans(const Stmt& stmt, std::string_view sql) {
  struct V : AstVisitor {
    std::string_view sql;
    std::string problem;
    bool expr(const Expr& e) override {
      if (!problem.empty()) return false;
      if (e.kind == ExprKind::kRaise) return false;  // its message is a name, not an expression
      if (e.kind == ExprKind::kLiteral && e.span.size() > 0) {
        // DEFAULT ident is a string literal spelled as an identifier.
        char c = sql[e.span.begin];
        bool ident =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '"' || c == '`' || c == '[';
        if (ident && !(c == 'x' || c == 'X')) return true;
      }
      std::string text = "SELECT " + std::string(e.span.text(sql));
      ParseOptions o = debian_options();
      o.max_parser_depth = 0;
      o.max_expr_depth = 0;
      Arena arena;
      Parser p(arena, text, o);
      auto r = p.parse_statement(0);
      if (!r.ok() || r->stmt == nullptr || r->stmt->kind != StmtKind::kSelect) {
        problem = "span does not parse: " + std::string(e.span.text(sql));
        return false;
      }
      const Select* s = r->stmt->as<SelectStmt>()->select;
      if (s->cores.size != 1 || s->cores[0]->columns.size != 1 || s->cores[0]->columns[0].expr == nullptr ||
          s->cores[0]->columns[0].alias.present()) {
        problem = "span is not one expression: " + std::string(e.span.text(sql));
        return false;
      }
      std::string want = to_sql(e), got = to_sql(*s->cores[0]->columns[0].expr);
      if (want != got)
        problem = "span " + std::string(e.span.text(sql)) + " reads as " + got + ", not " + want;
      return problem.empty();
    }
    void name(const Name& n, NameRole) override {
      if (!problem.empty()) return;
      std::string_view raw = n.span.text(sql);
      bool ok = n.quote == 0 ? raw == n.value : (!raw.empty() && raw[0] == n.quote);
      if (!ok) problem = "name span " + std::string(raw) + " for " + std::string(n.value);
    }
  } v;
  v.sql = sql;
  walk(stmt, v);
  return v.problem;
}

}  // namespace keel::parse::testing
