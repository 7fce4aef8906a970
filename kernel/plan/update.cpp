// UPDATE and DELETE (SQLite's update.c, delete.c), in two passes: the
// first runs the WHERE loop (joined with UPDATE ... FROM) and records each
// target rowid — for UPDATE with its new column values — in an ephemeral
// table; the second applies the changes. Every SET expression therefore
// sees the row as it was, and rows moved by the update are never revisited.
#include <functional>

#include "plan/dml_internal.h"
#include "plan/foreign_key.h"
#include "plan/select_internal.h"
#include "vm/collation.h"

namespace keel::plan {

namespace {

bool name_eq(std::string_view a, std::string_view b) { return vm::stricmp(a, b) == 0; }

bool is_rowid_name(std::string_view n) {
  return name_eq(n, "rowid") || name_eq(n, "oid") || name_eq(n, "_rowid_");
}

Result<Table*> writable_table(CodeGen& g, const parse::QualifiedName& name) {
  KEEL_ASSIGN_OR_RETURN(Table * t, find_table_or_error(g, name, false));
  if (t->root == 1 || vm::strnicmp(t->name.c_str(), "sqlite_", 7) == 0) {
    if (t->root == 1 || name_eq(t->name, "sqlite_stat1") == false) {
      if (!name_eq(t->name, "sqlite_sequence"))
        return Status(rc::kError, "table " + t->name + " may not be modified");
    }
  }
  if (t->without_rowid)
    return Status(rc::kError, "UPDATE and DELETE on WITHOUT ROWID tables are not supported");
  return t;
}

std::unique_ptr<FromTerm> target_term(CodeGen& g, Table* t, const parse::Name& alias) {
  auto term = std::make_unique<FromTerm>();
  term->name = alias.present() ? std::string(alias.value) : t->name;
  term->db_name = g.catalog().database_name(t->db);
  term->table = t;
  term->cursor = g.new_cursor();
  for (const Column& c : t->columns) {
    ColInfo ci;
    ci.name = c.name;
    ci.affinity = c.affinity;
    ci.collation = c.collation;
    ci.decl_type = c.type;
    term->cols.push_back(ci);
  }
  term->coalesced.assign(t->columns.size(), false);
  return term;
}

// The value of a `rowid = value` term of WHERE whose value does not read
// the target table, or nullptr.
const parse::Expr* rowid_equality(CodeGen& g, Scope* scope, const parse::Expr* where) {
  std::vector<const parse::Expr*> terms;
  split_and(where, terms);
  FromTerm* t = scope->terms[0];
  for (const parse::Expr* e : terms) {
    if (e->kind != parse::ExprKind::kBinary || e->as<parse::BinaryExpr>()->op != parse::BinaryOp::kEq)
      continue;
    auto* b = e->as<parse::BinaryExpr>();
    for (int side = 0; side < 2; side++) {
      const parse::Expr* c = side ? b->right : b->left;
      const parse::Expr* v = side ? b->left : b->right;
      if (c->kind != parse::ExprKind::kColumnRef) continue;
      auto r = resolve_column(g, scope, c->as<parse::ColumnRefExpr>());
      if (!r.ok() || r.value().term != t) continue;
      if (!(r.value().col == -1 || (t->table && r.value().col == t->table->rowid_alias))) continue;
      if (v->kind == parse::ExprKind::kVariable || expr_is_constant(v)) return v;
    }
  }
  return nullptr;
}

// Deletes the row loaded in `w` (cursor on it), with its triggers.
Status delete_row(CodeGen& g, TableWriter& w, Table* t, const parse::List<parse::ResultColumn>& returning,
                  int next) {
  if (!t->triggers.empty()) {
    KEEL_RETURN_IF_ERROR(
        code_triggers(g, t, parse::TriggerEvent::kDelete, true, &w.term, nullptr, next, nullptr));
    // The trigger may have moved the cursor or deleted the row.
    g.emit(Op::NotExists, w.cursor, next, w.rowid);
  }
  KEEL_RETURN_IF_ERROR(fk_check(g, t, &w.term, nullptr, nullptr));
  KEEL_RETURN_IF_ERROR(delete_index_entries(g, w));
  KEEL_RETURN_IF_ERROR(code_returning(g, w, returning));
  mark_row_change(g, g.emit(Op::Delete, w.cursor, vm::kOpflagNChange), t);
  KEEL_RETURN_IF_ERROR(fk_actions(g, t, &w.term, nullptr, nullptr));
  if (!t->triggers.empty()) {
    KEEL_RETURN_IF_ERROR(
        code_triggers(g, t, parse::TriggerEvent::kDelete, false, &w.term, nullptr, next, nullptr));
  }
  return Status::Ok();
}

}  // namespace

Status code_delete(CodeGen& g, const parse::DeleteStmt* st) {
  KEEL_ASSIGN_OR_RETURN(Table * t, writable_table(g, st->table));
  if (t->is_virtual) return code_vtab_delete(g, st, t);
  std::vector<const parse::CommonTableExpr*> saved = g.ctes;
  if (st->with) push_with(g, st->with);
  // Deleting cannot fail once the rows are chosen (pass 1 evaluates WHERE),
  // unless triggers, RETURNING or index expressions run between deletions.
  g.note_row_write(st->returning.size == 0 && row_write_fails_first(t, parse::ConflictAction::kDefault));
  if (st->where == nullptr && st->returning.size == 0 && t->triggers.empty() &&
      !g.input().options.observe_changes && t->method_indexes.empty() && !fk_delete_required(g, t)) {
    // Truncate: clear the table and its indexes, counting the rows.
    g.use_database(t->db, true);
    int cnt = g.new_reg();
    g.emit(Op::Integer, 0, cnt);
    g.emit(Op::Clear, static_cast<int>(t->root), t->db, cnt);
    for (Index* idx : t->indexes) g.emit(Op::Clear, static_cast<int>(idx->root), t->db);
    g.plan_row(g.plan_parent, "SCAN " + t->name);
    g.ctes = std::move(saved);
    return Status::Ok();
  }
  auto term = target_term(g, t, st->alias);
  Scope scope;
  scope.terms = {term.get()};
  // One pass when the WHERE clause names a single rowid.
  if (const parse::Expr* key = rowid_equality(g, &scope, st->where)) {
    TableWriter w;
    open_writer(g, w, t, parse::ConflictAction::kDefault);
    w.term.name = term->name;
    term->cursor = w.cursor;
    int end = g.new_label(), r = g.new_reg();
    KEEL_RETURN_IF_ERROR(code_expr(g, &scope, key, r));
    g.emit(Op::SeekRowid, w.cursor, end, r);
    KEEL_RETURN_IF_ERROR(code_if_false(g, &scope, st->where, end, true));
    g.plan_row(g.plan_parent, "SEARCH " + t->name + " USING INTEGER PRIMARY KEY (rowid=?)");
    load_row(g, w);
    KEEL_RETURN_IF_ERROR(delete_row(g, w, t, st->returning, end));
    g.bind(end);
    g.ctes = std::move(saved);
    return Status::Ok();
  }
  // Pass 1: the rowids to delete.
  int rowids = g.new_cursor();
  g.emit(Op::OpenEphemeral, rowids, 0);
  WhereInfo w1;
  KEEL_RETURN_IF_ERROR(where_begin(g, &scope, st->where, w1));
  int r = g.new_reg(), rec = g.new_reg();
  g.emit(Op::Rowid, term->cursor, r);
  g.emit(Op::MakeRecord, r, 0, rec);
  g.emit(Op::Insert, rowids, rec, r);
  KEEL_RETURN_IF_ERROR(where_end(g, &scope, w1));
  // Pass 2: delete each row and its index entries.
  TableWriter w;
  open_writer(g, w, t, parse::ConflictAction::kDefault);
  int end = g.new_label(), next = g.new_label();
  g.emit(Op::Rewind, rowids, end);
  int top = g.addr();
  g.emit(Op::Rowid, rowids, r);
  g.emit(Op::NotExists, w.cursor, next, r);
  load_row(g, w);
  w.term.name = term->name;
  KEEL_RETURN_IF_ERROR(delete_row(g, w, t, st->returning, next));
  g.bind(next);
  g.emit(Op::Next, rowids, top);
  g.bind(end);
  g.ctes = std::move(saved);
  return Status::Ok();
}

Status code_update(CodeGen& g, const parse::UpdateStmt* st) {
  KEEL_ASSIGN_OR_RETURN(Table * t, writable_table(g, st->table));
  if (t->is_virtual) return code_vtab_update(g, st, t);
  std::vector<const parse::CommonTableExpr*> saved = g.ctes;
  if (st->with) push_with(g, st->with);
  int n = static_cast<int>(t->columns.size());
  // SET targets: table column, or -1 for the rowid.
  struct Assign {
    int col;
    const parse::Expr* value;
    int item;  // index into a row value, -1 for a scalar
  };
  std::vector<Assign> assigns;
  for (const parse::SetClause& sc : st->set) {
    int idx = 0;
    if (sc.columns.size > 1) {
      const parse::Expr* v = sc.value;
      if (v->kind != parse::ExprKind::kVector || v->as<parse::VectorExpr>()->items.size != sc.columns.size) {
        return Status(rc::kError, std::to_string(sc.columns.size) + " columns assigned " +
                                      std::to_string(v->kind == parse::ExprKind::kVector
                                                         ? v->as<parse::VectorExpr>()->items.size
                                                         : 1) +
                                      " values");
      }
    }
    for (const parse::Name& cn : sc.columns) {
      int col = t->find_column(cn.value);
      if (col < 0 && is_rowid_name(cn.value))
        col = -1;
      else if (col < 0)
        return Status(rc::kError, "no such column: " + std::string(cn.value));
      if (col == t->rowid_alias && col >= 0) col = -1;
      const parse::Expr* v = sc.value;
      if (sc.columns.size > 1) v = v->as<parse::VectorExpr>()->items[idx];
      // A later assignment to the same column wins.
      for (auto it = assigns.begin(); it != assigns.end(); ++it) {
        if (it->col == col) {
          assigns.erase(it);
          break;
        }
      }
      assigns.push_back({col, v, idx});
      idx++;
    }
  }
  int na = static_cast<int>(assigns.size());

  auto term = target_term(g, t, st->alias);
  TableWriter w;
  TableWriter old;
  int r = g.new_reg();
  // Applies the update to the row at w.cursor; value(i, reg) loads the new
  // value of assignment i. `next` is where a skipped row goes.
  auto apply = [&](const std::function<Status(int, int)>& value, int next) -> Status {
    load_row(g, old);
    g.emit(Op::Copy, old.rowid, w.rowid, n);
    bool rowid_changes = false;
    for (int i = 0; i < na; i++) {
      if (assigns[i].col < 0) {
        rowid_changes = true;
        KEEL_RETURN_IF_ERROR(value(i, w.rowid));
        g.emit(Op::MustBeInt, w.rowid, 0);
      } else {
        KEEL_RETURN_IF_ERROR(value(i, w.base + assigns[i].col));
      }
    }
    if (t->rowid_alias >= 0) g.emit(Op::SCopy, w.rowid, w.base + t->rowid_alias);
    std::string aff;
    for (const Column& c : t->columns) aff.push_back(static_cast<char>(c.affinity));
    int a = g.emit(Op::Affinity, w.base, n);
    g.set_p4_affinity(a, aff);
    std::vector<int> changed;
    for (const Assign& as : assigns) changed.push_back(as.col);
    if (!t->triggers.empty()) {
      KEEL_RETURN_IF_ERROR(
          code_triggers(g, t, parse::TriggerEvent::kUpdate, true, &old.term, &w.term, next, &changed));
    }
    KEEL_RETURN_IF_ERROR(check_row(g, w, next));
    KEEL_RETURN_IF_ERROR(check_unique(g, w, next, true, old.rowid, rowid_changes));
    KEEL_RETURN_IF_ERROR(fk_check(g, t, &old.term, nullptr, &changed));
    KEEL_RETURN_IF_ERROR(delete_index_entries(g, old));
    if (rowid_changes) {
      int same = g.new_label();
      code_compare_jump(g, parse::BinaryOp::kEq, w.rowid, old.rowid, vm::Affinity::kNone, nullptr, same,
                        false);
      int gone = g.new_label();
      g.emit(Op::NotExists, w.cursor, gone, old.rowid);
      mark_row_change(g, g.emit(Op::Delete, w.cursor, vm::kOpflagIsUpdate), t);
      g.bind(gone);
      g.bind(same);
    }
    KEEL_RETURN_IF_ERROR(fk_check(g, t, nullptr, &w.term, &changed));
    KEEL_RETURN_IF_ERROR(write_row(g, w, vm::kOpflagNChange | vm::kOpflagIsUpdate));
    KEEL_RETURN_IF_ERROR(fk_actions(g, t, &old.term, &w.term, &changed));
    if (!t->triggers.empty()) {
      KEEL_RETURN_IF_ERROR(
          code_triggers(g, t, parse::TriggerEvent::kUpdate, false, &old.term, &w.term, next, &changed));
    }
    return code_returning(g, w, st->returning);
  };
  auto open_writers = [&]() {
    open_writer(g, w, t, st->or_conflict);
    w.term.name = term->name;
    old = w;
    old.rowid = g.new_reg(n + 1);
    old.base = old.rowid + 1;
    old.term.reg_base = old.base;
    old.term.rowid_reg = old.rowid;
    old.scope.terms = {&old.term};
  };

  // One pass when the WHERE clause names a single rowid.
  if (st->from.size == 0) {
    Scope probe;
    probe.terms = {term.get()};
    if (const parse::Expr* key = rowid_equality(g, &probe, st->where)) {
      // One row: its checks all precede its writes.
      g.note_row_write(st->returning.size == 0 && row_write_fails_first(t, st->or_conflict));
      open_writers();
      term->cursor = w.cursor;
      int end = g.new_label();
      KEEL_RETURN_IF_ERROR(code_expr(g, &probe, key, r));
      g.emit(Op::SeekRowid, w.cursor, end, r);
      KEEL_RETURN_IF_ERROR(code_if_false(g, &probe, st->where, end, true));
      g.plan_row(g.plan_parent, "SEARCH " + t->name + " USING INTEGER PRIMARY KEY (rowid=?)");
      KEEL_RETURN_IF_ERROR(
          apply([&](int i, int reg) { return code_expr(g, &probe, assigns[i].value, reg); }, end));
      g.bind(end);
      g.ctes = std::move(saved);
      return Status::Ok();
    }
  }

  // Pass 1: rowid + new values of the assigned columns.
  g.note_row_write(false);  // a later row's check may fail after earlier rows changed
  FromClause fc;
  KEEL_RETURN_IF_ERROR(build_from(g, st->from, nullptr, fc));
  Scope scope;
  scope.terms.push_back(term.get());
  for (auto& ft : fc.terms) scope.terms.push_back(ft.get());
  KEEL_RETURN_IF_ERROR(materialize_from(g, fc, &scope));
  int work = g.new_cursor();
  g.emit(Op::OpenEphemeral, work, na);
  WhereInfo w1;
  KEEL_RETURN_IF_ERROR(where_begin(g, &scope, st->where, w1));
  int vals = g.new_reg(std::max(na, 1)), rec = g.new_reg();
  g.emit(Op::Rowid, term->cursor, r);
  for (int i = 0; i < na; i++) KEEL_RETURN_IF_ERROR(code_expr(g, &scope, assigns[i].value, vals + i));
  g.emit(Op::MakeRecord, vals, na, rec);
  g.emit(Op::Insert, work, rec, r);
  KEEL_RETURN_IF_ERROR(where_end(g, &scope, w1));

  // Pass 2: apply.
  open_writers();
  int end = g.new_label(), next = g.new_label();
  g.emit(Op::Rewind, work, end);
  int top = g.addr();
  g.emit(Op::Rowid, work, r);
  g.emit(Op::NotExists, w.cursor, next, r);
  KEEL_RETURN_IF_ERROR(apply(
      [&](int i, int reg) {
        g.emit(Op::Column, work, i, reg);
        return Status::Ok();
      },
      next));
  g.bind(next);
  g.emit(Op::Next, work, top);
  g.bind(end);
  g.ctes = std::move(saved);
  return Status::Ok();
}

}  // namespace keel::plan
