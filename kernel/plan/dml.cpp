// Row writing shared by INSERT / UPDATE / DELETE: opening a table with its
// indexes, constraint checks with SQLite's messages and conflict actions,
// index maintenance (partial and expression indexes included).
#include "plan/dml_internal.h"
#include "plan/foreign_key.h"
#include "plan/generated_columns.h"
#include "vm/collation.h"

namespace keel::plan {

int storage_column(const Table* t, int col) {
  // SQLite's sqlite3TableColumnToStorage; virtual columns (not in the
  // record) come after the last field (plan/generated_columns.h).
  if (t->without_rowid && t->primary_key != nullptr) {
    const std::vector<int>& cols = t->primary_key->columns;
    for (size_t i = 0; i < cols.size(); i++) {
      if (cols[i] == col) return static_cast<int>(i);
    }
  }
  if (col < 0 || !has_virtual_columns(t)) return col;
  int before = 0;  // non-virtual columns before col
  for (int i = 0; i < col; i++) before += is_virtual(t->columns[i]) ? 0 : 1;
  if (!is_virtual(t->columns[col])) return before;
  return stored_column_count(t) + (col - before);
}

std::unique_ptr<vm::KeyInfo> make_index_keyinfo(CodeGen& g, const Index* idx) {
  auto ki = std::make_unique<vm::KeyInfo>();
  ki->n_key_field = static_cast<uint16_t>(idx->n_key_columns);
  ki->n_all_field = static_cast<uint16_t>(idx->columns.size());
  for (size_t i = 0; i < idx->columns.size(); i++) {
    std::string coll = i < idx->collations.size() ? idx->collations[i] : "";
    if (coll.empty() && idx->columns[i] >= 0 && idx->table)
      coll = idx->table->columns[idx->columns[i]].collation;
    ki->collations.push_back(coll.empty() ? nullptr : g.collation(coll));
    ki->sort_flags.push_back(i < idx->desc.size() && idx->desc[i] ? vm::kSortDesc : 0);
  }
  return ki;
}

void open_table(CodeGen& g, const Table* t, int cursor, bool write) {
  g.use_database(t->db, write);
  int a = g.emit(write ? Op::OpenWrite : Op::OpenRead, cursor, static_cast<int>(t->root), t->db);
  if (t->without_rowid && t->primary_key) {
    g.set_p4_keyinfo(a, make_index_keyinfo(g, t->primary_key));
  } else {
    g.set_p4_int(a, static_cast<int>(t->columns.size()));
  }
}

void open_index(CodeGen& g, const Index* idx, int cursor, bool write) {
  g.use_database(idx->db, write);
  int a = g.emit(write ? Op::OpenWrite : Op::OpenRead, cursor, static_cast<int>(idx->root), idx->db);
  g.set_p4_keyinfo(a, make_index_keyinfo(g, idx));
}

std::string table_affinity(const Table* t) {
  std::string s(t->columns.size(), 'A');
  for (size_t i = 0; i < t->columns.size(); i++) {
    s[storage_column(t, static_cast<int>(i))] = static_cast<char>(t->columns[i].affinity);
  }
  s.resize(stored_column_count(t));  // virtual columns are not in the record
  return s;
}

std::string index_column_names(const Index* idx) {
  std::string out;
  for (int k = 0; k < idx->n_key_columns; k++) {
    int col = idx->columns[k];
    if (col == -2) return "index '" + idx->name + "'";
    if (!out.empty()) out += ", ";
    out += idx->table_name + "." + (col < 0 ? std::string("rowid") : idx->table->columns[col].name);
  }
  return out;
}

vm::OnError resolve_conflict(parse::ConflictAction statement, uint8_t constraint) {
  if (statement != parse::ConflictAction::kDefault) return static_cast<vm::OnError>(statement);
  if (constraint != 0) return static_cast<vm::OnError>(constraint);
  return vm::OnError::kAbort;
}

void open_writer(CodeGen& g, TableWriter& w, Table* t, parse::ConflictAction or_conflict) {
  w.table = t;
  w.or_conflict = or_conflict;
  w.cursor = g.new_cursor();
  open_table(g, t, w.cursor, true);
  for (Index* idx : t->indexes) {
    if (t->without_rowid && idx == t->primary_key) {
      w.index_cursors.push_back(w.cursor);
      continue;
    }
    int c = g.new_cursor();
    open_index(g, idx, c, true);
    w.index_cursors.push_back(c);
  }
  int n = static_cast<int>(t->columns.size());
  w.rowid = g.new_reg(n + 1);
  w.base = w.rowid + 1;
  w.term.name = t->name;
  w.term.table = t;
  w.term.reg_base = w.base;
  w.term.rowid_reg = w.rowid;
  w.term.cursor = -1000 - w.cursor;  // never a real cursor: reads go to registers
  for (const Column& c : t->columns) {
    ColInfo ci;
    ci.name = c.name;
    ci.affinity = c.affinity;
    ci.collation = c.collation;
    ci.decl_type = c.type;
    w.term.cols.push_back(ci);
  }
  w.term.coalesced.assign(n, false);
  w.scope.terms = {&w.term};
  g.is_dml = true;
}

namespace {

// REPLACE deletes the conflicting row (loaded into `old`, w.cursor on it).
// With recursive_triggers on, SQLite fires its DELETE triggers around it;
// BEFORE triggers may remove the row themselves, so it is found again.
Status replace_delete(CodeGen& g, TableWriter& w, TableWriter& old, int skip) {
  Table* t = w.table;
  bool triggers = g.input().options.recursive_triggers && has_triggers(g, t);
  int gone = g.new_label();
  if (triggers) {
    KEEL_RETURN_IF_ERROR(
        code_triggers(g, t, parse::TriggerEvent::kDelete, true, &old.term, nullptr, skip, nullptr));
    g.emit(Op::NotExists, w.cursor, gone, old.rowid);
  }
  KEEL_RETURN_IF_ERROR(fk_check(g, t, &old.term, nullptr, nullptr));
  KEEL_RETURN_IF_ERROR(delete_index_entries(g, old));
  mark_row_change(g, g.emit(Op::Delete, w.cursor, 0), t, true);
  KEEL_RETURN_IF_ERROR(fk_actions(g, t, &old.term, nullptr, nullptr));
  g.bind(gone);
  if (triggers) {
    KEEL_RETURN_IF_ERROR(
        code_triggers(g, t, parse::TriggerEvent::kDelete, false, &old.term, nullptr, skip, nullptr));
  }
  return Status::Ok();
}

void halt_constraint(CodeGen& g, int code, vm::OnError action, const std::string& msg, int kind) {
  int a = g.emit_str(Op::Halt, code, static_cast<int>(action), 0, msg);
  g.at(a).p5 = static_cast<uint16_t>(kind);
}

}  // namespace

uint16_t nested_change_flags(CodeGen& g, uint16_t flags) {
  // Inside a trigger body a write is not a change of the statement, and does
  // not set last_insert_rowid() for after it (SQLite restores both when a
  // trigger's sub-program ends).
  if (g.trigger_scope == nullptr || (flags & vm::kOpflagNChange) == 0) return flags;
  return static_cast<uint16_t>((flags & ~(vm::kOpflagNChange | vm::kOpflagLastRowid)) |
                               vm::kOpflagNestedChange);
}

namespace {

// A partial index's WHERE, coded where it must be deterministic.
Status code_pure_if_false(CodeGen& g, Scope* s, const parse::Expr* e, int label, bool jump_if_null) {
  PureContextScope pure(g, kPureIndex);
  return code_if_false(g, s, e, label, jump_if_null);
}

// Key registers of `idx` for the row in the writer's registers.
Result<int> index_key(CodeGen& g, TableWriter& w, const Index* idx) {
  int n = static_cast<int>(idx->columns.size());
  int regs = g.new_reg(n);
  for (int k = 0; k < n; k++) {
    int col = idx->columns[k];
    if (col == -1 || (col >= 0 && col == w.table->rowid_alias)) {
      g.emit(Op::SCopy, w.rowid, regs + k);
    } else if (col >= 0) {
      g.emit(Op::SCopy, w.base + col, regs + k);
    } else {
      PureContextScope pure(g, kPureIndex);
      KEEL_RETURN_IF_ERROR(code_expr(g, &w.scope, idx->exprs[k], regs + k));
    }
  }
  return regs;
}

}  // namespace

Status check_row(CodeGen& g, TableWriter& w, int skip) {
  Table* t = w.table;
  for (size_t i = 0; i < t->columns.size(); i++) {
    const Column& c = t->columns[i];
    if (!c.not_null || static_cast<int>(i) == t->rowid_alias) continue;
    vm::OnError oe = resolve_conflict(w.or_conflict, c.not_null_conflict);
    int reg = w.base + static_cast<int>(i);
    if (oe == vm::OnError::kReplace && c.default_expr == nullptr) oe = vm::OnError::kAbort;
    if (oe == vm::OnError::kIgnore) {
      g.emit(Op::IsNull, reg, skip);
    } else if (oe == vm::OnError::kReplace) {
      int ok = g.new_label();
      g.emit(Op::NotNull, reg, ok);
      Scope empty;
      KEEL_RETURN_IF_ERROR(code_expr(g, &empty, c.default_expr, reg));
      g.bind(ok);
    } else {
      int a = g.emit_str(Op::HaltIfNull, rc::kConstraintNotNull, static_cast<int>(oe), reg,
                         t->name + "." + c.name);
      g.at(a).p5 = 1;
    }
  }
  if (t->strict) {
    auto info = std::make_shared<vm::TypeCheckInfo>();
    info->table = t->name;
    for (const Column& c : t->columns) info->columns.emplace_back(c.strict_type, c.name);
    int a = g.emit(Op::TypeCheck, w.base, static_cast<int>(t->columns.size()));
    g.at(a).p4type = vm::P4Type::kPointer;
    g.at(a).p4.ptr = g.prog().own_object(info);
  }
  for (size_t i = 0; i < t->checks.size(); i++) {
    vm::OnError oe = resolve_conflict(w.or_conflict, 0);
    int ok = g.new_label();
    {
      PureContextScope pure(g, kPureCheck);
      KEEL_RETURN_IF_ERROR(code_if_true(g, &w.scope, t->checks[i], ok, true));
    }
    if (oe == vm::OnError::kIgnore) {
      g.emit(Op::Goto, 0, skip);
    } else {
      if (oe == vm::OnError::kReplace) oe = vm::OnError::kAbort;
      std::string name = t->check_names[i];
      if (name.empty()) name = std::string(t->checks[i]->span.text(t->parsed->sql));
      halt_constraint(g, rc::kConstraintCheck, oe, name, 3);
    }
    g.bind(ok);
  }
  return Status::Ok();
}

namespace {

// The order SQLite checks a table's unique indexes in: the order of its
// Table.pIndex list, which sqlite3CreateIndex builds by adding each index
// (in schema order) at the front, except that an index declared ON
// CONFLICT REPLACE goes behind all the others. With an UPSERT, the targets
// of its ON CONFLICT clauses come first, in clause order
// (sqlite3GenerateConstraintChecks). Positions in t->indexes; non-unique
// indexes are left out.
std::vector<size_t> unique_check_order(const TableWriter& w) {
  const Table* t = w.table;
  std::vector<size_t> list;
  for (size_t i = 0; i < t->indexes.size(); i++) {
    bool replace = t->indexes[i]->on_conflict == static_cast<uint8_t>(parse::ConflictAction::kReplace);
    if (!replace || list.empty() ||
        t->indexes[list.front()]->on_conflict == static_cast<uint8_t>(parse::ConflictAction::kReplace)) {
      list.insert(list.begin(), i);
      continue;
    }
    size_t at = 1;
    while (at < list.size() &&
           t->indexes[list[at]]->on_conflict != static_cast<uint8_t>(parse::ConflictAction::kReplace)) {
      at++;
    }
    list.insert(list.begin() + static_cast<std::ptrdiff_t>(at), i);
  }
  std::vector<size_t> order;
  std::vector<bool> used(t->indexes.size(), false);
  for (const Upsert& u : w.upserts) {
    if (u.any) break;
    if (u.index == nullptr) continue;
    for (size_t i : list) {
      if (t->indexes[i] == u.index && !used[i]) {
        used[i] = true;
        order.push_back(i);
      }
    }
  }
  for (size_t i : list) {
    if (!used[i]) order.push_back(i);
  }
  std::vector<size_t> unique;
  for (size_t i : order) {
    if (t->indexes[i]->unique) unique.push_back(i);
  }
  return unique;
}

}  // namespace

Status check_unique(CodeGen& g, TableWriter& w, int skip, bool update, int old_rowid, bool rowid_check) {
  Table* t = w.table;
  // REPLACE: the conflicting row (at w.cursor) is loaded into registers and
  // deleted with everything a delete does; `ok` follows.
  auto replace_conflicting_row = [&](int ok) -> Status {
    TableWriter tmp = w;
    int n = static_cast<int>(t->columns.size());
    tmp.rowid = g.new_reg(n + 1);
    tmp.base = tmp.rowid + 1;
    tmp.term.reg_base = tmp.base;
    tmp.term.rowid_reg = tmp.rowid;
    tmp.scope.terms = {&tmp.term};
    load_row(g, tmp);
    return replace_delete(g, w, tmp, ok);
  };
  // The rowid (INTEGER PRIMARY KEY).
  auto check_rowid = [&]() -> Status {
    vm::OnError oe = resolve_conflict(w.or_conflict, t->rowid_conflict);
    int ok = g.new_label();
    if (update)
      code_compare_jump(g, parse::BinaryOp::kEq, w.rowid, old_rowid, vm::Affinity::kNone, nullptr, ok, false);
    g.emit(Op::NotExists, w.cursor, ok, w.rowid);
    std::string col = t->rowid_alias >= 0 ? t->columns[t->rowid_alias].name : "rowid";
    if (const Upsert* u = w.upsert_for(nullptr)) {
      if (u->label) {
        g.emit(Op::SCopy, w.rowid, w.upsert_rowid);
        g.emit(Op::Goto, 0, u->label);
      } else {
        g.emit(Op::Goto, 0, skip);
      }
    } else if (oe == vm::OnError::kIgnore) {
      g.emit(Op::Goto, 0, skip);
    } else if (oe == vm::OnError::kReplace) {
      KEEL_RETURN_IF_ERROR(replace_conflicting_row(ok));
    } else {
      halt_constraint(g, rc::kConstraintPrimaryKey, oe, t->name + "." + col, 2);
    }
    g.bind(ok);
    return Status::Ok();
  };
  // One unique index.
  auto check_index = [&](size_t i) -> Status {
    Index* idx = t->indexes[i];
    vm::OnError oe = resolve_conflict(w.or_conflict, idx->on_conflict);
    int ok = g.new_label();
    if (idx->where) KEEL_RETURN_IF_ERROR(code_pure_if_false(g, &w.scope, idx->where, ok, true));
    KEEL_ASSIGN_OR_RETURN(int keys, index_key(g, w, idx));
    int cur = w.index_cursors[i];
    int a = g.emit(Op::NoConflict, cur, ok, keys);
    g.set_p4_int(a, idx->n_key_columns);
    if (!t->without_rowid) {
      int r = g.new_reg();
      g.emit(Op::IdxRowid, cur, r);
      if (update)
        code_compare_jump(g, parse::BinaryOp::kEq, r, old_rowid, vm::Affinity::kNone, nullptr, ok, false);
      if (oe == vm::OnError::kReplace) {
        g.emit(Op::NotExists, w.cursor, ok, r);
      }
    }
    if (t->without_rowid && (update || oe == vm::OnError::kReplace)) {
      // The conflicting entry's primary key, read from the index (the
      // table b-tree holds it first): for UPDATE, the row's own entry is
      // no conflict; for REPLACE it names the row to delete.
      if (!without_rowid_conflict_row(g, w, idx, cur, update ? old_rowid + 1 : 0, ok)) {
        return Status(rc::kInternal, "index without the primary key columns");
      }
    }
    int code = idx->origin == 'p' ? rc::kConstraintPrimaryKey : rc::kConstraintUnique;
    if (const Upsert* u = w.upsert_for(idx)) {
      if (u->label) {
        g.emit(Op::IdxRowid, cur, w.upsert_rowid);
        g.emit(Op::Goto, 0, u->label);
      } else {
        g.emit(Op::Goto, 0, skip);
      }
    } else if (oe == vm::OnError::kIgnore) {
      g.emit(Op::Goto, 0, skip);
    } else if (oe == vm::OnError::kReplace) {
      KEEL_RETURN_IF_ERROR(replace_conflicting_row(ok));
    } else {
      if (oe == vm::OnError::kReplace) oe = vm::OnError::kAbort;
      halt_constraint(g, code, oe, index_column_names(idx), 2);
    }
    g.bind(ok);
    return Status::Ok();
  };
  std::vector<size_t> order = unique_check_order(w);
  // Where the rowid is checked among them: first, unless the first ON
  // CONFLICT clause names an index (the rowid then comes after that index),
  // or the rowid's own declared REPLACE must not run before the other
  // constraints' actions (then it comes last, SQLite's "defer IPK REPLACE").
  size_t rowid_at = 0;
  bool rowid = rowid_check && !t->without_rowid;
  if (rowid) {
    if (!w.upserts.empty() && !w.upserts.front().any && !w.upserts.front().rowid) {
      rowid_at = order.empty() ? 0 : 1;
    } else if (w.upserts.empty() && w.or_conflict == parse::ConflictAction::kDefault &&
               t->rowid_conflict == static_cast<uint8_t>(parse::ConflictAction::kReplace) &&
               !t->indexes.empty()) {
      rowid_at = order.size();
    }
  }
  for (size_t k = 0; k <= order.size(); k++) {
    if (rowid && k == rowid_at) KEEL_RETURN_IF_ERROR(check_rowid());
    if (k < order.size()) KEEL_RETURN_IF_ERROR(check_index(order[k]));
  }
  return Status::Ok();
}

bool without_rowid_conflict_row(CodeGen& g, TableWriter& w, const Index* idx, int cur, int old_base, int ok) {
  const Table* t = w.table;
  const Index* pk = t->primary_key;
  int n_pk = pk->n_key_columns;
  int regs = g.new_reg(n_pk);
  for (int k = 0; k < n_pk; k++) {
    int pos = -1;
    if (idx == pk) {
      pos = k;  // the table's own record: primary key columns first
    } else {
      for (size_t j = 0; j < idx->columns.size(); j++) {
        if (idx->columns[j] == pk->columns[k]) pos = static_cast<int>(j);
      }
    }
    if (pos < 0) return false;
    g.emit(Op::Column, cur, pos, regs + k);
  }
  if (old_base) {
    // Equal to the row being updated (by the key's collation): its own entry.
    int differs = g.new_label();
    for (int k = 0; k < n_pk; k++) {
      int col = pk->columns[k];
      const std::string& cn = k < static_cast<int>(pk->collations.size()) && !pk->collations[k].empty()
                                  ? pk->collations[k]
                                  : t->columns[col].collation;
      code_compare_jump(g, parse::BinaryOp::kNe, regs + k, old_base + col, vm::Affinity::kNone,
                        cn.empty() ? nullptr : g.collation(cn), differs, true);
    }
    g.emit(Op::Goto, 0, ok);
    g.bind(differs);
  }
  // Position the table cursor on the conflicting row (REPLACE deletes it).
  int f = g.emit(Op::NotFound, w.cursor, ok, regs);
  g.set_p4_int(f, n_pk);
  return true;
}

Status write_row(CodeGen& g, TableWriter& w, uint16_t insert_flags) {
  Table* t = w.table;
  insert_flags = nested_change_flags(g, insert_flags);
  int n = static_cast<int>(t->columns.size());
  for (size_t i = 0; i < t->indexes.size(); i++) {
    Index* idx = t->indexes[i];
    if (t->without_rowid && idx == t->primary_key) continue;
    int skip = g.new_label();
    if (idx->where) KEEL_RETURN_IF_ERROR(code_pure_if_false(g, &w.scope, idx->where, skip, true));
    KEEL_ASSIGN_OR_RETURN(int keys, index_key(g, w, idx));
    int rec = g.new_reg();
    g.emit(Op::MakeRecord, keys, static_cast<int>(idx->columns.size()), rec);
    g.emit(Op::IdxInsert, w.index_cursors[i], rec);
    g.bind(skip);
  }
  int rec = g.new_reg();
  if (t->without_rowid) {
    // Record in storage order: PRIMARY KEY columns first; no virtual column.
    int regs = g.new_reg(n);
    for (int i = 0; i < n; i++) g.emit(Op::SCopy, w.base + i, regs + storage_column(t, i));
    int a = g.emit(Op::MakeRecord, regs, stored_column_count(t), rec);
    g.set_p4_affinity(a, table_affinity(t));
    int a2 = g.emit(Op::IdxInsert, w.cursor, rec);
    g.at(a2).p5 = insert_flags & (vm::kOpflagNChange | vm::kOpflagNestedChange);
    return Status::Ok();
  }
  if (has_virtual_columns(t)) {
    // Only the stored columns, in declaration order.
    int ns = stored_column_count(t);
    int regs = g.new_reg(ns);
    for (int i = 0; i < n; i++) {
      if (is_virtual(t->columns[i])) continue;
      if (i == t->rowid_alias) {
        g.emit(Op::Null, 0, regs + storage_column(t, i));
      } else {
        g.emit(Op::SCopy, w.base + i, regs + storage_column(t, i));
      }
    }
    int a = g.emit(Op::MakeRecord, regs, ns, rec);
    g.set_p4_affinity(a, table_affinity(t));
  } else if (t->rowid_alias >= 0) {
    int regs = g.new_reg(n);
    g.emit(Op::Copy, w.base, regs, n - 1);
    g.emit(Op::Null, 0, regs + t->rowid_alias);
    int a = g.emit(Op::MakeRecord, regs, n, rec);
    g.set_p4_affinity(a, table_affinity(t));
  } else {
    int a = g.emit(Op::MakeRecord, w.base, n, rec);
    g.set_p4_affinity(a, table_affinity(t));
  }
  int a = g.emit(Op::Insert, w.cursor, rec, w.rowid);
  g.at(a).p5 = insert_flags;
  mark_row_change(g, a, t);
  return Status::Ok();
}

void mark_row_change(CodeGen& g, int addr, const Table* t, bool conflict_delete) {
  if (t->without_rowid) return;
  // Index methods are maintained from the change report (plan/index_method.h).
  mark_row_change(g, addr, t->db, t->name, conflict_delete, !t->method_indexes.empty());
}

void mark_row_change(CodeGen& g, int addr, int db, std::string_view table, bool conflict_delete,
                     bool index_methods) {
  auto target = std::make_shared<vm::ChangeTarget>();
  target->db = db;
  target->table = std::string(table);
  target->conflict_delete = conflict_delete;
  target->index_methods = index_methods;
  vm::Instr& in = g.at(addr);
  in.p4type = vm::P4Type::kPointer;
  in.p4.ptr = g.prog().own_object(std::move(target));
}

void load_row(CodeGen& g, TableWriter& w) {
  Table* t = w.table;
  if (!t->without_rowid) g.emit(Op::Rowid, w.cursor, w.rowid);
  for (size_t i = 0; i < t->columns.size(); i++) {
    int col = static_cast<int>(i);
    if (col == t->rowid_alias) {
      g.emit(Op::SCopy, w.rowid, w.base + col);
    } else if (is_virtual(t->columns[i])) {
      continue;  // computed below from the others
    } else {
      int a = g.emit(Op::Column, w.cursor, storage_column(t, col), w.base + col);
      set_column_default(g, a, t->columns[i]);
      if (t->columns[i].affinity == vm::Affinity::kReal) g.emit(Op::RealAffinity, w.base + col);
    }
  }
  if (has_virtual_columns(t)) {
    Status s = code_generated_columns(g, w, true);
    if (!s.ok()) g.deferred_error = std::move(s);
  }
}

Status delete_index_entries(CodeGen& g, TableWriter& w) {
  Table* t = w.table;
  for (size_t i = 0; i < t->indexes.size(); i++) {
    Index* idx = t->indexes[i];
    if (t->without_rowid && idx == t->primary_key) continue;
    int skip = g.new_label();
    if (idx->where) KEEL_RETURN_IF_ERROR(code_pure_if_false(g, &w.scope, idx->where, skip, true));
    KEEL_ASSIGN_OR_RETURN(int keys, index_key(g, w, idx));
    g.emit(Op::IdxDelete, w.index_cursors[i], keys, static_cast<int>(idx->columns.size()));
    g.bind(skip);
  }
  return Status::Ok();
}

Status code_returning(CodeGen& g, TableWriter& w, const parse::List<parse::ResultColumn>& returning) {
  if (returning.size == 0) return Status::Ok();
  // Expand * and t.* to the table's columns.
  struct Item {
    const parse::Expr* expr;
    int col;
    std::string name;
  };
  std::vector<Item> items;
  for (const parse::ResultColumn& rc : returning) {
    if (rc.kind == parse::ResultColumn::Kind::kExpr) {
      items.push_back(
          {rc.expr, -1,
           rc.alias.present() ? std::string(rc.alias.value) : std::string(rc.span.text(g.sql()))});
      continue;
    }
    if (rc.kind == parse::ResultColumn::Kind::kTableStar && vm::stricmp(rc.table.value, w.term.name) != 0) {
      return Status(rc::kError, "no such table: " + std::string(rc.table.value));
    }
    for (size_t i = 0; i < w.table->columns.size(); i++) {
      if (!w.table->columns[i].hidden)
        items.push_back({nullptr, static_cast<int>(i), w.table->columns[i].name});
    }
  }
  int n = static_cast<int>(items.size());
  int base = g.new_reg(n);
  for (int k = 0; k < n; k++) {
    if (items[k].expr) {
      KEEL_RETURN_IF_ERROR(code_expr(g, &w.scope, items[k].expr, base + k));
    } else {
      code_column(g, &w.term, items[k].col, base + k);
    }
  }
  if (g.prog().columns.empty()) {
    for (const Item& it : items) {
      vm::ResultColumnInfo info;
      info.name = it.name;
      g.prog().columns.push_back(info);
    }
  }
  if (g.returning_cursor < 0) {
    g.emit(Op::ResultRow, base, n);
    return Status::Ok();
  }
  // Collected now, returned once the statement is done (planner.cpp).
  int rec = g.new_reg(), rowid = g.new_reg();
  g.emit(Op::MakeRecord, base, n, rec);
  g.emit(Op::NewRowid, g.returning_cursor, rowid);
  g.emit(Op::Insert, g.returning_cursor, rec, rowid);
  g.returning_cols = n;
  return Status::Ok();
}

}  // namespace keel::plan
