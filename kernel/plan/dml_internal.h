// Row-writing machinery shared by INSERT, UPDATE and DELETE (SQLite's
// insert.c sqlite3GenerateConstraintChecks / sqlite3CompleteInsertion and
// delete.c sqlite3GenerateRowIndexDelete).
//
// A row being written lives in registers: rowid in `rowid`, column i in
// `base + i` (table column order; the INTEGER PRIMARY KEY column's register
// holds the rowid too).
#pragma once

#include <string>
#include <vector>

#include "plan/plan_internal.h"

namespace keel::plan {

// One ON CONFLICT clause of an INSERT: which constraint it catches
// (index, or the rowid when index == nullptr and rowid is set; any when
// `any`), and where its DO UPDATE code is (label 0 = DO NOTHING).
struct Upsert {
  const Index* index = nullptr;
  bool rowid = false;
  bool any = false;
  int label = 0;
  const parse::Upsert* clause = nullptr;
};

struct TableWriter {
  Table* table = nullptr;
  int cursor = -1;
  std::vector<int> index_cursors;  // parallel to table->indexes
  int rowid = 0;
  int base = 0;
  FromTerm term;  // register-based view of the row (CHECK, expression indexes)
  Scope scope;
  parse::ConflictAction or_conflict = parse::ConflictAction::kDefault;
  std::vector<Upsert> upserts;
  int upsert_rowid = 0;  // the conflicting row's rowid, for DO UPDATE
  // The clause catching a conflict on `idx` (nullptr: the rowid), if any.
  const Upsert* upsert_for(const Index* idx) const {
    for (const Upsert& u : upserts) {
      if (u.any || (idx && u.index == idx) || (!idx && u.rowid)) return &u;
    }
    return nullptr;
  }
};

// Names the table on an Insert/Delete of one of its rows so that the VM
// reports the change (VmHost::row_changed); `flags` |= kOpflagIsUpdate on
// the Delete and Insert of an UPDATE. WITHOUT ROWID tables are not reported.
void mark_row_change(CodeGen& g, int addr, const Table* t, bool conflict_delete = false);
// The same for a table named directly (sqlite_schema, whose rows change
// with DDL).
void mark_row_change(CodeGen& g, int addr, int db, std::string_view table, bool conflict_delete = false,
                     bool index_methods = false);

// Opens the table and all its indexes for writing; allocates row registers.
void open_writer(CodeGen& g, TableWriter& w, Table* t, parse::ConflictAction or_conflict);
// NOT NULL, CHECK, STRICT types. `skip` = where IGNORE goes.
Status check_row(CodeGen& g, TableWriter& w, int skip);
// UNIQUE / PRIMARY KEY checks; with `update`, register `old_rowid` holds the
// row's current rowid (its own entries never conflict).
Status check_unique(CodeGen& g, TableWriter& w, int skip, bool update, int old_rowid,
                    bool rowid_changed_check);
// The P5 change flags for a write coded here: inside a trigger body,
// kOpflagNChange / kOpflagLastRowid become kOpflagNestedChange.
uint16_t nested_change_flags(CodeGen& g, uint16_t flags);
// WITHOUT ROWID: reads the primary key of the entry `cur` (on index `idx`)
// is positioned on after a NoConflict found a conflict; with old_base (the
// registers of the row being updated), jumps to `ok` if it is that row's own
// entry; then positions the table cursor on the conflicting row. False if
// `idx` lacks a primary key column.
bool without_rowid_conflict_row(CodeGen& g, TableWriter& w, const Index* idx, int cur, int old_base, int ok);
// Writes index entries and the row (Insert with P5 flags).
Status write_row(CodeGen& g, TableWriter& w, uint16_t insert_flags);
// Deletes the index entries of the row `cursor` is positioned on.
Status delete_index_entries(CodeGen& g, TableWriter& w);
// Loads the row at the table cursor into the writer's registers.
void load_row(CodeGen& g, TableWriter& w);
// RETURNING: one result row from the writer's registers.
Status code_returning(CodeGen& g, TableWriter& w, const parse::List<parse::ResultColumn>& returning);
// The conflict action in effect for a constraint with its own ON CONFLICT.
vm::OnError resolve_conflict(parse::ConflictAction statement, uint8_t constraint);

}  // namespace keel::plan
