// Generated columns (SQLite's GENERATED ALWAYS AS, build.c / insert.c /
// expr.c): `name [type] [GENERATED ALWAYS] AS (expr) [VIRTUAL|STORED]`.
//
// Design note
// -----------
// * File format, as SQLite: a STORED column is a field of the record in
//   declaration order; a VIRTUAL column is not in the record at all. A
//   rowid table's record therefore holds the non-virtual columns in order
//   (storage_column() maps a column to its field); a WITHOUT ROWID table's
//   holds its PRIMARY KEY columns, then the other non-virtual columns.
//   Virtual columns get the positions after the last field, so a register
//   block in storage order keeps them out of MakeRecord.
// * Writing (INSERT, UPDATE, upsert): the row's registers hold every column;
//   generated ones are computed after the others have their values and
//   affinity (sqlite3ComputeGeneratedColumns), each once its inputs are
//   available, so declaration order does not matter; when no progress is
//   possible the error is "generated column loop on "x"" for the last
//   column that could not be computed.
// * Reading a virtual column from a table cursor codes its expression with
//   the row's other columns read from the same cursor; a column met again
//   while its own expression is being coded is a loop.
// * CREATE TABLE rules and messages: those of sqlite3AddGenerated,
//   sqlite3AddDefaultValue, makeColumnPartOfPrimaryKey and sqlite3EndTable
//   (expressions are resolved against the table alone: no rowid, no
//   subqueries, parameters or non-deterministic functions).
#pragma once

#include "plan/dml_internal.h"

namespace keel::plan {

inline bool is_generated(const Column& c) { return c.generated != GeneratedKind::kNone; }
inline bool is_virtual(const Column& c) { return c.generated == GeneratedKind::kVirtual; }
bool has_generated_columns(const Table* t);
bool has_virtual_columns(const Table* t);
// Fields of the table's record (columns that are not VIRTUAL).
int stored_column_count(const Table* t);

// The generated-column rules of CREATE TABLE (and of ALTER TABLE ADD COLUMN
// for the added column, `only` >= 0). `t` is the table as it will load.
Status check_generated_columns(CodeGen& g, const parse::CreateTableStmt* st, const Table* t, int only = -1);

// Computes the generated columns of the row in the writer's registers:
// all of them, or with `virtual_only` the virtual ones (after load_row
// read the stored ones).
Status code_generated_columns(CodeGen& g, TableWriter& w, bool virtual_only);

// Reads virtual column `col` of the row at base-table term `t`'s cursor.
// A loop is reported through g.deferred_error.
void code_virtual_column(CodeGen& g, FromTerm* t, int col, int target);

}  // namespace keel::plan
