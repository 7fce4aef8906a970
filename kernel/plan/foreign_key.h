// Foreign key enforcement (SQLite's fkey.c), coded into the row-writing
// paths of INSERT, UPDATE, DELETE, REPLACE, UPSERT and DROP TABLE while
// PRAGMA foreign_keys is on (CompileOptions::foreign_keys).
//
// Design note
// -----------
// * Counters, as SQLite: a row change never fails on the spot. Each check
//   adds to a violation counter (OP_FkCounter): the statement's counter for
//   immediate constraints, checked when the statement ends; the
//   connection's deferred counter for DEFERRABLE INITIALLY DEFERRED ones
//   (and for every constraint under PRAGMA defer_foreign_keys), checked at
//   COMMIT. A child row whose parent is missing adds 1 when written and
//   takes 1 back when removed; a parent row removed adds 1 per child still
//   pointing at it, and a parent row written takes 1 back per child it
//   satisfies (only while something is outstanding: OP_FkIfZero).
// * The parent key is the parent's INTEGER PRIMARY KEY, or the PRIMARY KEY /
//   UNIQUE index whose columns and collations are exactly the referenced
//   ones; otherwise "foreign key mismatch - "child" referencing "parent"".
// * ON DELETE / ON UPDATE actions are statements SQLite would put in a
//   generated trigger — DELETE FROM child / UPDATE child SET ... WHERE
//   old.key = child.key, or a SELECT RAISE(ABORT, ...) for RESTRICT —
//   compiled from SQL text by the normal DELETE / UPDATE / SELECT code
//   generators into a sub-program run by OP_Program. Every row an action
//   changes therefore goes through the normal row-change path (index
//   maintenance, triggers, change observers, its own foreign keys), and a
//   cascade that reaches the same action again (self-referencing tables,
//   cycles) calls the same sub-program recursively at run time, up to
//   SQLite's 1000 levels.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "plan/plan_internal.h"

namespace keel::plan {

// The action sub-programs of one compilation, by (constraint, ON UPDATE?).
struct FkActionCache {
  std::map<std::pair<const ForeignKey*, bool>, const vm::Program*> programs;
  std::vector<std::shared_ptr<ParsedSql>> sql;  // the actions' statements, alive while compiling
};

// Checks for one row change of `t` (sqlite3FkCheck): `old_row` is the row
// before (DELETE, UPDATE), `new_row` after (INSERT, UPDATE) — register views
// whose column i is in reg_base + i. For UPDATE, `changed` lists the
// assigned columns (-1 = the rowid); only constraints over them are checked.
// Nothing is coded unless PRAGMA foreign_keys is on. `single_insert` says
// the statement is an INSERT of one VALUES row that nothing else writes
// with (SQLite's !isMultiWrite): an immediate violation then fails at once,
// and the parent-side check, which cannot matter, is left out.
Status fk_check(CodeGen& g, Table* t, const FromTerm* old_row, const FromTerm* new_row,
                const std::vector<int>* changed, bool single_insert = false);
// ON DELETE (new_row == nullptr) or ON UPDATE actions of the constraints
// referencing `t`, after the row change (sqlite3FkActions).
Status fk_actions(CodeGen& g, Table* t, const FromTerm* old_row, const FromTerm* new_row,
                  const std::vector<int>* changed);
// True when a DELETE of `t` has foreign key work (t is a parent or a child).
bool fk_delete_required(CodeGen& g, const Table* t);
// DROP TABLE of `t`: its rows are deleted first, with the constraints'
// checks and actions but without t's triggers (sqlite3FkDropTable).
Status fk_drop_table(CodeGen& g, Table* t);
// CREATE TABLE: the column counts and names of its foreign keys
// (sqlite3CreateForeignKey's errors).
Status fk_validate_create_table(const parse::CreateTableStmt* st);
// PRAGMA foreign_key_check [(table)]: rows (table, rowid, parent, fkid).
Status code_foreign_key_check(CodeGen& g, int db, std::string_view table);

}  // namespace keel::plan
