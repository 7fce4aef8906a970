// ALTER TABLE internals shared by alter.cpp (dispatch, ADD COLUMN),
// alter_rename.cpp (RENAME TO, RENAME COLUMN), alter_drop_column.cpp and
// alter_refs.cpp (finding the tokens of schema SQL that name a table or
// column).
//
// Design note
// -----------
// SQLite edits sqlite_schema with SQL functions (sqlite_rename_table,
// sqlite_rename_column, sqlite_drop_column) that re-parse each object's text
// and replace the tokens that resolve to the renamed object, keeping the
// rest of the text byte for byte. Keel does the same work at compile time:
// the Catalog holds every object's text and AST (whose names carry their
// spans), so the new texts are computed while the ALTER statement is
// compiled, and the program rewrites the matching sqlite_schema rows, then
// bumps the schema cookie and reloads the schema. A problem with an object
// ("error in view v: ...") is raised by the program when its scan of
// sqlite_schema reaches that object, so the first one in rowid order is
// reported, as SQLite's renameTestSchema does.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "plan/dml_internal.h"

namespace keel::plan {

// One sqlite_schema row to rewrite, found by (type, name).
struct SchemaEdit {
  std::string type;
  std::string name;
  std::string new_name;      // empty: unchanged
  std::string new_tbl_name;  // empty: unchanged
  std::string new_sql;
};

// One object whose row, when the scan meets it, fails the statement.
struct SchemaError {
  std::string type;
  std::string name;
  std::string message;
};

// Halts with the message of the first row (rowid order) of db's
// sqlite_schema named in `errors`.
void code_schema_errors(CodeGen& g, int db, const std::vector<SchemaError>& errors);
// Rewrites the rows named in `edits`.
void code_schema_edits(CodeGen& g, int db, const std::vector<SchemaEdit>& edits);
// Bumps the schema cookie and reloads the schema of db.
void code_schema_reload(CodeGen& g, int db);

// "table sqlite_x may not be altered" for system tables (isAlterableTable).
Status check_alterable(const Table* t);

// What a reference search looks for: table `table` of database `db`, or
// with column >= 0 that column of it.
struct RefTarget {
  int db = 0;
  const Table* table = nullptr;
  int column = -1;
  // Only names SQLite's check after DROP COLUMN resolves: not the column
  // lists of a trigger's UPDATE OF, INSERT and SET (they fail only when run).
  bool resolved_only = false;
};

// The spans (into `sql`) of the identifier tokens of schema statement
// `stmt` that name the target: for a table, table names and qualifiers
// that resolve to it (FROM terms, trigger targets, REFERENCES clauses,
// t.col qualifiers without an alias); for a column, column names that
// resolve to it (definitions, constraint lists, expressions, index terms,
// trigger UPDATE OF lists and NEW./OLD. references, INSERT column lists,
// SET targets, REFERENCES column lists). `object_db` is the database the
// statement belongs to. Spans come sorted and distinct. `first_shown`
// receives the first column reference as SQLite's "no such column: X"
// would name it (e.g. "new.a").
// `dqs` receives the double-quoted names that resolve to no column, which
// SQLite takes as strings and every ALTER TABLE but ADD COLUMN rewrites as
// single-quoted literals (renameFixQuotes).
std::vector<parse::Span> find_references(CodeGen& g, const RefTarget& target, const parse::Stmt* stmt,
                                         std::string_view sql, int object_db,
                                         std::string* first_shown = nullptr,
                                         std::vector<parse::Span>* dqs = nullptr);

// Replaces the given spans of `sql` by `replacement(span)`.
std::string replace_spans(std::string_view sql, const std::vector<parse::Span>& spans,
                          const std::function<std::string(parse::Span)>& replacement);

// `sql` with the `refs` spans replaced by `replacement(span)` and the `dqs`
// spans (double-quoted strings) by single-quoted literals.
std::string rewrite_text(std::string_view sql, const std::vector<parse::Span>& refs,
                         const std::vector<parse::Span>& dqs,
                         const std::function<std::string(parse::Span)>& replacement);

// "name" with embedded double quotes doubled (SQLite's %w inside "").
std::string double_quote(std::string_view name);

// renameTestSchema before a change: each view and trigger of db must
// compile; the errors ("error in view v: ...") of those that do not.
std::vector<SchemaError> views_that_fail(CodeGen& g, int db);

// renameTestSchema after a change: loads the database's objects with the
// edits applied into a scratch catalog and compiles every view and trigger
// there; the errors ("error in view v after rename: ...") of those that
// fail, each under its row's current name. With no edits and `when`
// empty, the check before the change.
std::vector<SchemaError> objects_that_fail_after(CodeGen& g, int db, const std::vector<SchemaEdit>& edits,
                                                 std::string_view when);

// renameFixQuotes for DROP COLUMN: the objects of db (but table
// `skip_table`, whose text the caller rewrites) that have double-quoted
// strings, with those made single-quoted.
std::vector<SchemaEdit> quote_fix_edits(CodeGen& g, int db, const std::string& skip_table);

Status code_alter_rename_table(CodeGen& g, const parse::AlterTableStmt* st, Table* t);
Status code_alter_rename_column(CodeGen& g, const parse::AlterTableStmt* st, Table* t);
Status code_alter_drop_column(CodeGen& g, const parse::AlterTableStmt* st, Table* t);

}  // namespace keel::plan
