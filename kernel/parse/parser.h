// The SQL parser: SQL text -> AST (parse/ast.h), for the whole SQLite 3.40
// grammar plus Keel's extensions (CREATE INDEX ... USING m (...) WITH (...),
// BEGIN CONCURRENT, and raw CREATE statements that modules may claim).
//
// Errors are SQLite's, word for word, with rc::kError: `near "X": syntax
// error`, `incomplete input`, `unrecognized token: "X"`, and the errors
// SQLite's parser itself raises (variable numbering, expression depth,
// parser stack depth, compound ORDER BY placement, join types, table
// options, ...). Errors SQLite raises later (unknown tables, columns,
// functions, constraint rules) are the planner's; ERRORS.md lists both.
//
// Related headers: ast.h (the tree), ast_walk.h (visit every expression and
// name), token.h (tokenizer and keyword table).
//
// Usage:
//   Arena arena;
//   Parser p(arena, sql);
//   uint32_t pos = 0;
//   while (pos < sql.size()) {
//     KEEL_ASSIGN_OR_RETURN(ParsedStatement st, p.parse_statement(pos));
//     if (st.stmt == nullptr) break;     // only white space / comments left
//     ... plan st ...
//     pos = st.tail;                       // sqlite3_prepare's pzTail
//   }
//
// The AST points into `sql` and `arena`; both must outlive it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "keel/status.hpp"
#include "parse/arena.h"
#include "parse/ast.h"

namespace keel::parse {

struct ParseOptions {
  int max_expr_depth = 1000;        // SQLITE_MAX_EXPR_DEPTH ("Expression tree is too large")
  int max_variable_number = 32766;  // SQLITE_MAX_VARIABLE_NUMBER
  int max_function_arg = 127;       // SQLITE_MAX_FUNCTION_ARG
  int max_compound_select = 500;    // SQLITE_MAX_COMPOUND_SELECT
  int max_column = 2000;            // SQLITE_MAX_COLUMN (set lists)
  // SQLite's LALR stack holds 100 entries (YYSTACKDEPTH); nesting beyond the
  // equivalent depth is "parser stack overflow". 0 disables the check.
  int max_parser_depth = 100;
  // SQLITE_ENABLE_UPDATE_DELETE_LIMIT: ORDER BY / LIMIT on UPDATE and DELETE
  // (on, as in the SQLite library Debian and most distributions ship).
  // Without it they give SQLite's `near "ORDER": syntax error`.
  bool update_delete_limit = true;
  // Reading an existing schema (SQLite's db->init.busy): tolerate what old
  // SQLite versions wrote, e.g. COLLATE / ASC on a view's column names.
  bool schema_mode = false;
  // Fold `x AND 0` / `0 AND x` to the literal 0 while parsing, as SQLite's
  // sqlite3ExprAnd does outside ALTER TABLE's rename parses. Only for SQL
  // that runs as it is parsed: schema text keeps every name for renames.
  bool fold_false_and = false;
};

class Parser {
 public:
  Parser(Arena& arena, std::string_view sql, const ParseOptions& options = {});

  // Parses the statement that starts at byte `offset` (leading white space,
  // comments and empty statements are skipped). On error, error_offset()
  // is the byte offset SQLite reports (sqlite3_error_offset), or -1.
  Result<ParsedStatement> parse_statement(uint32_t offset);

  int error_offset() const { return error_offset_; }

 private:
  Arena& arena_;
  std::string_view sql_;
  ParseOptions options_;
  int error_offset_ = -1;
};

// Parses every statement of `sql`; the first error stops it.
Result<List<ParsedStatement>> parse_all(Arena& arena, std::string_view sql, const ParseOptions& options = {});

// sqlite3_complete(): true if `sql` ends a complete statement (a ';' outside
// strings, comments and CREATE TRIGGER bodies).
bool is_complete(std::string_view sql);

// SQL text for a tree, in a canonical form that parses back to the same tree:
// every compound expression is parenthesized, names keep their quoting.
std::string to_sql(const Stmt& stmt);
std::string to_sql(const Expr& expr);
std::string to_sql(const Select& select);
std::string to_sql(const ParsedStatement& st);

}  // namespace keel::parse
