// UPDATE and DELETE (SQLite's update.c, delete.c), in two passes: the
// first runs the WHERE loop (joined with UPDATE ... FROM) and records each
// target rowid — for UPDATE with its new column values — in an ephemeral
// table; the second applies the changes. Every SET expression therefore
// sees the row as it was, and rows moved by the update are never revisited.
// A WITHOUT ROWID table's rows are named by their primary key values
// instead (the leading columns of each recorded row), and an updated row is
// deleted and written again (its key may change).
#include <algorithm>
#include <functional>
#include <map>

#include "parse/ast_walk.h"
#include "plan/dml_internal.h"
#include "plan/foreign_key.h"
#include "plan/generated_columns.h"
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
    // sqlite_stat1/3/4 and sqlite_sequence are ordinary tables to DML.
    if (t->root == 1 || vm::strnicmp(t->name.c_str(), "sqlite_stat", 11) != 0) {
      if (!name_eq(t->name, "sqlite_sequence"))
        return Status(rc::kError, "table " + t->name + " may not be modified");
    }
  }
  return t;
}

// The number of columns a row-value subquery of SET (a, b) = (SELECT ...)
// yields: resolved when it can be without the row (no correlation), else
// counted from its first SELECT's result columns.
size_t subquery_width(CodeGen& g, const parse::Select* sel) {
  auto cols = select_columns(g, sel, nullptr);
  if (cols.ok()) return cols.value().size();
  return sel->cores.size ? sel->cores[0]->columns.size : 0;
}

// WITHOUT ROWID: the number of primary key columns naming a row (0 for a
// rowid table).
int pk_count(const Table* t) {
  return t->without_rowid && t->primary_key ? t->primary_key->n_key_columns : 0;
}

// Records the current row's key (rowid, or primary key columns at regs..)
// from FROM term `term` for pass 2.
void code_row_key(CodeGen& g, FromTerm* term, int regs) {
  const Table* t = term->table;
  int n_pk = pk_count(t);
  if (n_pk == 0) {
    g.emit(Op::Rowid, term->cursor, regs);
    return;
  }
  for (int k = 0; k < n_pk; k++) code_column(g, term, t->primary_key->columns[k], regs + k);
}

// Pass 2: positions writer cursor `cursor` on the row named by fields 0..
// of the current row of `work` (its rowid is the key of a rowid table);
// jumps to `missing` when it is gone.
void seek_recorded_row(CodeGen& g, const Table* t, int work, int cursor, int regs, int missing) {
  int n_pk = pk_count(t);
  if (n_pk == 0) {
    g.emit(Op::Rowid, work, regs);
    g.emit(Op::NotExists, cursor, missing, regs);
    return;
  }
  for (int k = 0; k < n_pk; k++) g.emit(Op::Column, work, k, regs + k);
  int f = g.emit(Op::NotFound, cursor, missing, regs);
  g.set_p4_int(f, n_pk);
}

// Positions the writer's cursor on the row whose values are in its
// registers (by rowid, or by primary key), or jumps to `missing`.
void reseek_row(CodeGen& g, TableWriter& w, int missing) {
  const Table* t = w.table;
  int n_pk = pk_count(t);
  if (n_pk == 0) {
    g.emit(Op::NotExists, w.cursor, missing, w.rowid);
    return;
  }
  int regs = g.new_reg(n_pk);
  for (int k = 0; k < n_pk; k++) g.emit(Op::SCopy, w.base + t->primary_key->columns[k], regs + k);
  int f = g.emit(Op::NotFound, w.cursor, missing, regs);
  g.set_p4_int(f, n_pk);
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
  if (has_triggers(g, t)) {
    KEEL_RETURN_IF_ERROR(
        code_triggers(g, t, parse::TriggerEvent::kDelete, true, &w.term, nullptr, next, nullptr));
    // The trigger may have moved the cursor or deleted the row.
    reseek_row(g, w, next);
  }
  KEEL_RETURN_IF_ERROR(fk_check(g, t, &w.term, nullptr, nullptr));
  KEEL_RETURN_IF_ERROR(delete_index_entries(g, w));
  mark_row_change(g, g.emit(Op::Delete, w.cursor, nested_change_flags(g, vm::kOpflagNChange)), t);
  KEEL_RETURN_IF_ERROR(fk_actions(g, t, &w.term, nullptr, nullptr));
  // RETURNING after the row is gone, before the AFTER triggers (SQLite codes
  // it as the first AFTER trigger); like them it reads the old row.
  KEEL_RETURN_IF_ERROR(code_returning(g, w, returning));
  if (has_triggers(g, t)) {
    KEEL_RETURN_IF_ERROR(
        code_triggers(g, t, parse::TriggerEvent::kDelete, false, &w.term, nullptr, next, nullptr));
  }
  return Status::Ok();
}

// Whether DELETE can remove each row as its scan reaches it (SQLite's
// ONEPASS_MULTI) instead of collecting rowids first: no triggers, RETURNING,
// change observers or enforced foreign keys (they see or change rows
// mid-delete, as SQLite's bComplex), no subquery in WHERE
// (it would see the table half deleted), and no WHERE column that an index
// covers, so the loop is a scan of the table itself (or a rowid range),
// never of an index the deletion changes.
bool delete_in_one_pass(CodeGen& g, const parse::DeleteStmt* st, const Table* t) {
  if (st->where == nullptr || st->returning.size != 0 || !t->triggers.empty() || t->without_rowid ||
      g.input().options.observe_changes || g.input().options.foreign_keys || !t->method_indexes.empty())
    return false;
  struct Check final : parse::AstVisitor {
    const Table* t;
    bool ok = true;
    bool expr(const parse::Expr& e) override {
      if (e.kind != parse::ExprKind::kColumnRef) return ok;
      int col = t->find_column(e.as<parse::ColumnRefExpr>()->column.value);
      for (const Index* idx : t->indexes) {
        for (int c : idx->columns) {
          if (c == -2 || (col >= 0 && c == col)) ok = false;
        }
      }
      return ok;
    }
    void select(const parse::Select&) override { ok = false; }
  } check;
  check.t = t;
  parse::walk(*st->where, check);
  return check.ok;
}

}  // namespace

Status code_delete(CodeGen& g, const parse::DeleteStmt* st) {
  if (st->limit || st->order_by.size) {
    KEEL_ASSIGN_OR_RETURN(st, rewrite_delete_limit(g, st));
  }
  if (Table* view = dml_target_view(g, st->table)) return code_view_delete(g, st, view);
  KEEL_ASSIGN_OR_RETURN(Table * t, writable_table(g, st->table));
  if (t->is_virtual) return code_vtab_delete(g, st, t);
  std::vector<const parse::CommonTableExpr*> saved = g.ctes;
  if (st->with) push_with(g, st->with);
  // Deleting cannot fail once the rows are chosen (pass 1 evaluates WHERE),
  // unless triggers, RETURNING or index expressions run between deletions.
  g.note_row_write(st->returning.size == 0 && row_write_fails_first(t, parse::ConflictAction::kDefault));
  if (st->where == nullptr && st->returning.size == 0 && !has_triggers(g, t) &&
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
  if (const parse::Expr* key = t->without_rowid ? nullptr : rowid_equality(g, &scope, st->where)) {
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
  if (delete_in_one_pass(g, st, t)) {
    // One pass: the WHERE loop scans the writer's own table cursor (its
    // open is turned into a write open) and deletes the row it is on; the
    // b-tree leaves the cursor where Next finds the following row.
    g.note_row_write(false);  // a WHERE error may follow earlier deletions
    TableWriter w;
    open_writer(g, w, t, parse::ConflictAction::kDefault);
    w.term.name = term->name;
    term->cursor = w.cursor;
    int from = g.addr();
    WhereInfo w1;
    KEEL_RETURN_IF_ERROR(where_begin(g, &scope, st->where, w1));
    for (int a = from; a < g.addr(); a++) {
      vm::Instr& in = g.at(a);
      if (in.op == Op::OpenRead && in.p1 == w.cursor) in.op = Op::OpenWrite;
    }
    int skip = g.new_label();
    load_row(g, w);
    KEEL_RETURN_IF_ERROR(delete_row(g, w, t, st->returning, skip));
    g.bind(skip);
    KEEL_RETURN_IF_ERROR(where_end(g, &scope, w1));
    g.ctes = std::move(saved);
    return Status::Ok();
  }
  // Pass 1: the rowids (primary keys) to delete.
  int n_pk = pk_count(t);
  int rowids = g.new_cursor();
  g.emit(Op::OpenEphemeral, rowids, n_pk);
  WhereInfo w1;
  KEEL_RETURN_IF_ERROR(where_begin(g, &scope, st->where, w1));
  int r = g.new_reg(std::max(n_pk, 1)), rec = g.new_reg();
  code_row_key(g, term.get(), r);
  if (n_pk) {
    int id = g.new_reg();
    g.emit(Op::MakeRecord, r, n_pk, rec);
    g.emit(Op::NewRowid, rowids, id);
    g.emit(Op::Insert, rowids, rec, id);
  } else {
    g.emit(Op::MakeRecord, r, 0, rec);
    g.emit(Op::Insert, rowids, rec, r);
  }
  KEEL_RETURN_IF_ERROR(where_end(g, &scope, w1));
  // Pass 2: delete each row and its index entries.
  TableWriter w;
  open_writer(g, w, t, parse::ConflictAction::kDefault);
  int end = g.new_label(), next = g.new_label();
  g.emit(Op::Rewind, rowids, end);
  int top = g.addr();
  seek_recorded_row(g, t, rowids, w.cursor, r, next);
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
  if (st->limit || st->order_by.size) {
    KEEL_ASSIGN_OR_RETURN(st, rewrite_update_limit(g, st));
  }
  if (Table* view = dml_target_view(g, st->table)) return code_view_update(g, st, view);
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
    // SET (a, b) = (SELECT ...): the subquery, its width and its SET clause;
    // item picks the column.
    const parse::Select* row_sub = nullptr;
    int width = 0;
    int clause = -1;
  };
  std::vector<Assign> assigns;
  int clause_no = 0;
  for (const parse::SetClause& sc : st->set) {
    int idx = 0;
    clause_no++;
    const parse::Select* row_sub = nullptr;
    if (sc.columns.size > 1) {
      const parse::Expr* v = sc.value;
      size_t width = v->kind == parse::ExprKind::kVector ? v->as<parse::VectorExpr>()->items.size : 1;
      if (v->kind == parse::ExprKind::kSubquery) {
        row_sub = v->as<parse::SubqueryExpr>()->select;
        width = subquery_width(g, row_sub);
      }
      if ((v->kind != parse::ExprKind::kVector && row_sub == nullptr) || width != sc.columns.size) {
        return Status(rc::kError, std::to_string(sc.columns.size) + " columns assigned " +
                                      std::to_string(width) + " values");
      }
    }
    for (const parse::Name& cn : sc.columns) {
      int col = t->find_column(cn.value);
      if (col < 0 && is_rowid_name(cn.value) && !t->without_rowid)
        col = -1;
      else if (col < 0)
        return Status(rc::kError, "no such column: " + std::string(cn.value));
      if (col >= 0 && is_generated(t->columns[col]))
        return Status(rc::kError, "cannot UPDATE generated column \"" + t->columns[col].name + "\"");
      if (col == t->rowid_alias && col >= 0) col = -1;
      const parse::Expr* v = sc.value;
      if (sc.columns.size > 1 && row_sub == nullptr) v = v->as<parse::VectorExpr>()->items[idx];
      // A later assignment to the same column wins.
      for (auto it = assigns.begin(); it != assigns.end(); ++it) {
        if (it->col == col) {
          assigns.erase(it);
          break;
        }
      }
      assigns.push_back({col, v, idx, row_sub, static_cast<int>(sc.columns.size), row_sub ? clause_no : -1});
      idx++;
    }
  }
  int na = static_cast<int>(assigns.size());
  // The new value of assignment i into reg. A row-value subquery runs once
  // per row for all its columns: `sub_regs` holds where, per SET clause, and
  // is cleared before each place the values are coded.
  std::map<int, int> sub_regs;
  auto assign_value = [&](Scope* sc, int i, int reg) -> Status {
    const Assign& a = assigns[i];
    if (a.row_sub == nullptr) return code_expr(g, sc, a.value, reg);
    auto it = sub_regs.find(a.clause);
    int base = 0;
    if (it == sub_regs.end()) {
      base = g.new_reg(a.width);
      KEEL_RETURN_IF_ERROR(code_row_subquery(g, sc, a.row_sub, base, a.width));
      sub_regs[a.clause] = base;
    } else {
      base = it->second;
    }
    g.emit(Op::SCopy, base + a.item, reg);
    return Status::Ok();
  };

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
    KEEL_RETURN_IF_ERROR(code_generated_columns(g, w, false));
    std::vector<int> changed;
    for (const Assign& as : assigns) changed.push_back(as.col);
    if (has_triggers(g, t)) {
      KEEL_RETURN_IF_ERROR(
          code_triggers(g, t, parse::TriggerEvent::kUpdate, true, &old.term, &w.term, next, &changed));
    }
    KEEL_RETURN_IF_ERROR(check_row(g, w, next));
    KEEL_RETURN_IF_ERROR(check_unique(g, w, next, true, old.rowid, rowid_changes));
    KEEL_RETURN_IF_ERROR(fk_check(g, t, &old.term, nullptr, &changed));
    KEEL_RETURN_IF_ERROR(delete_index_entries(g, old));
    if (t->without_rowid) {
      // The row's entry goes and the new one is written (its primary key
      // may differ); the checks above may have moved the cursor.
      int gone = g.new_label();
      reseek_row(g, old, gone);
      g.emit(Op::Delete, w.cursor, 0);
      g.bind(gone);
    }
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
    // RETURNING before the AFTER triggers, as SQLite (insert.cpp).
    KEEL_RETURN_IF_ERROR(code_returning(g, w, st->returning));
    if (has_triggers(g, t)) {
      KEEL_RETURN_IF_ERROR(
          code_triggers(g, t, parse::TriggerEvent::kUpdate, false, &old.term, &w.term, next, &changed));
    }
    return Status::Ok();
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
  if (st->from.size == 0 && !t->without_rowid) {
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
      sub_regs.clear();
      KEEL_RETURN_IF_ERROR(apply([&](int i, int reg) { return assign_value(&probe, i, reg); }, end));
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
  // With a RIGHT or FULL JOIN in FROM the target joins the FROM's rows,
  // unmatched ones included (as SQLite answers): it comes last.
  bool from_right = false;
  for (auto& ft : fc.terms) from_right = from_right || (ft->join & parse::join::kRight);
  if (!from_right) scope.terms.push_back(term.get());
  for (auto& ft : fc.terms) scope.terms.push_back(ft.get());
  if (from_right) scope.terms.push_back(term.get());
  KEEL_RETURN_IF_ERROR(materialize_from(g, fc, &scope));
  // A WITHOUT ROWID row is recorded as (primary key, new values). Without
  // FROM, the new values are computed in pass 2 from the row as it is then
  // (SQLite's two-pass UPDATE does the same: an earlier row's change, or a
  // REPLACE, is visible to a later row's SET expressions).
  int n_pk = pk_count(t);
  bool late = st->from.size == 0;
  int n_vals = late ? 0 : na;
  int work = g.new_cursor();
  g.emit(Op::OpenEphemeral, work, n_pk + n_vals);
  WhereInfo w1;
  KEEL_RETURN_IF_ERROR(where_begin(g, &scope, st->where, w1));
  int vals = g.new_reg(std::max(n_pk + na, 1)), rec = g.new_reg();
  if (n_pk) {
    code_row_key(g, term.get(), vals);
  } else {
    g.emit(Op::Rowid, term->cursor, r);
  }
  sub_regs.clear();
  for (int i = 0; i < n_vals; i++) KEEL_RETURN_IF_ERROR(assign_value(&scope, i, vals + n_pk + i));
  g.emit(Op::MakeRecord, vals, n_pk + n_vals, rec);
  if (n_pk) g.emit(Op::NewRowid, work, r);
  g.emit(Op::Insert, work, rec, r);
  KEEL_RETURN_IF_ERROR(where_end(g, &scope, w1));

  // Pass 2: apply.
  open_writers();
  Scope row_scope;  // the target row at the writer's cursor
  row_scope.terms = {term.get()};
  if (late) term->cursor = w.cursor;
  int end = g.new_label(), next = g.new_label();
  g.emit(Op::Rewind, work, end);
  int top = g.addr();
  int keys = g.new_reg(std::max(n_pk, 1));
  seek_recorded_row(g, t, work, w.cursor, n_pk ? keys : r, next);
  sub_regs.clear();
  KEEL_RETURN_IF_ERROR(apply(
      [&](int i, int reg) {
        if (late) return assign_value(&row_scope, i, reg);
        g.emit(Op::Column, work, n_pk + i, reg);
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
