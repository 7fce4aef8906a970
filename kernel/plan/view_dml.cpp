// INSERT, UPDATE and DELETE on a view: SQLite routes them to the view's
// INSTEAD OF triggers (the isView branches of insert.c, update.c and
// delete.c, with sqlite3MaterializeView).
//
// Design note
// -----------
// UPDATE and DELETE first materialize the whole view into an ephemeral
// table, then loop over it: the WHERE clause is evaluated against the row
// held in registers (the term carries the view's name or the statement's
// alias), OLD is that row, and for UPDATE NEW is the row with the SET
// expressions applied (evaluated against OLD). INSERT materializes its
// source (VALUES or SELECT) the same way and builds NEW from the column list;
// columns not listed are NULL (a view has no defaults). OLD.rowid and
// NEW.rowid are NULL. The triggers write through their own statements, so
// the statement on the view itself changes no row: sqlite3_changes() counts
// none, as in SQLite. RAISE(IGNORE) skips to the next row.
//
// A view without a trigger for the event refuses the statement with
// SQLite's "cannot modify V because it is a view"; UPSERT on a view is
// refused as in SQLite. RETURNING on a view is not supported.
#include "plan/dml_internal.h"
#include "plan/select_internal.h"
#include "vm/collation.h"

namespace keel::plan {

namespace {

Status read_only(const Table* view) {
  return Status(rc::kError, "cannot modify " + view->name + " because it is a view");
}

// The view's result columns, named by its column list if it has one.
Result<std::vector<ColInfo>> view_columns(CodeGen& g, Table* view) {
  std::string_view saved_sql = g.swap_sql(view->parsed->sql);
  std::vector<const parse::CommonTableExpr*> saved_ctes = std::move(g.ctes);
  g.ctes.clear();
  auto r = select_columns(g, view->view_select, nullptr);
  g.ctes = std::move(saved_ctes);
  g.swap_sql(saved_sql);
  KEEL_ASSIGN_OR_RETURN(std::vector<ColInfo> cols, std::move(r));
  if (!view->view_column_names.empty()) {
    if (view->view_column_names.size() != cols.size()) {
      return Status(rc::kError, "expected " + std::to_string(view->view_column_names.size()) +
                                    " columns for '" + view->name + "' but got " +
                                    std::to_string(cols.size()));
    }
    for (size_t i = 0; i < cols.size(); i++) cols[i].name = view->view_column_names[i];
  }
  for (ColInfo& c : cols) {
    // Values reach the trigger as the view computed them.
    c.affinity = vm::Affinity::kNone;
    c.origin_table.clear();
  }
  return cols;
}

// A row of the view in registers: rowid (always NULL) at `rowid`, column i
// at rowid + 1 + i.
FromTerm register_term(CodeGen& g, const std::string& name, const std::vector<ColInfo>& cols, int rowid,
                       int cursor) {
  FromTerm t;
  t.name = name;
  t.cols = cols;
  t.coalesced.assign(cols.size(), false);
  t.reg_base = rowid + 1;
  t.rowid_reg = rowid;
  t.cursor = -1000 - cursor;  // never a real cursor: reads go to registers
  (void)g;
  return t;
}

// Runs the view's select into a fresh ephemeral table; returns its cursor.
Result<int> materialize_view(CodeGen& g, Table* view, int ncols) {
  int cursor = g.new_cursor();
  g.emit(Op::OpenEphemeral, cursor, ncols);
  SelectDest dest;
  dest.kind = SelectDest::Kind::kTable;
  dest.cursor = cursor;
  dest.n_cols = ncols;
  std::string_view saved_sql = g.swap_sql(view->parsed->sql);
  std::vector<const parse::CommonTableExpr*> saved_ctes = std::move(g.ctes);
  g.ctes.clear();
  Status s = code_select(g, view->view_select, nullptr, dest);
  g.ctes = std::move(saved_ctes);
  g.swap_sql(saved_sql);
  KEEL_RETURN_IF_ERROR(s);
  g.plan_row(g.plan_parent, "SCAN " + view->name);
  return cursor;
}

// The loop shared by UPDATE and DELETE: one iteration per row of the view
// that satisfies `where`, with the row in `old_term`'s registers. `body`
// codes the work for the row; it may jump to `next`.
template <typename Body>
Status for_each_view_row(CodeGen& g, Table* view, const std::string& name, const std::vector<ColInfo>& cols,
                         const parse::Expr* where, Body body) {
  int ncols = static_cast<int>(cols.size());
  KEEL_ASSIGN_OR_RETURN(int cursor, materialize_view(g, view, ncols));
  int old_rowid = g.new_reg(ncols + 1);
  FromTerm old_term = register_term(g, name, cols, old_rowid, cursor);
  Scope scope;
  scope.terms = {&old_term};
  int end = g.new_label();
  g.emit(Op::Rewind, cursor, end);
  int top = g.addr();
  int next = g.new_label();
  g.emit(Op::Null, 0, old_rowid);
  for (int k = 0; k < ncols; k++) g.emit(Op::Column, cursor, k, old_rowid + 1 + k);
  if (where) KEEL_RETURN_IF_ERROR(code_if_false(g, &scope, where, next, true));
  KEEL_RETURN_IF_ERROR(body(scope, old_term, next));
  g.bind(next);
  g.emit(Op::Next, cursor, top);
  g.bind(end);
  return Status::Ok();
}

}  // namespace

Table* dml_target_view(CodeGen& g, const parse::QualifiedName& name) {
  std::string_view schema = name.schema.present() ? name.schema.value : std::string_view();
  if (!schema.empty() && g.catalog().find_database(schema) < 0) return nullptr;
  Table* t = g.catalog().find_table(schema, name.name.value);
  return t && t->is_view ? t : nullptr;
}

Status code_view_insert(CodeGen& g, const parse::InsertStmt* st, Table* view) {
  if (st->upserts.size) return Status(rc::kError, "cannot UPSERT a view");
  if (!has_instead_of_trigger(view, parse::TriggerEvent::kInsert, nullptr)) return read_only(view);
  if (st->returning.size) return Status(rc::kError, "RETURNING on a view is not supported");
  std::vector<const parse::CommonTableExpr*> saved_ctes = g.ctes;
  if (st->with) push_with(g, st->with);
  KEEL_ASSIGN_OR_RETURN(std::vector<ColInfo> cols, view_columns(g, view));
  int n = static_cast<int>(cols.size());
  // Column list → position of each view column in the source row (-1: NULL).
  std::vector<int> source_of(n, -1);
  int n_source = n;
  if (st->columns.size) {
    n_source = static_cast<int>(st->columns.size);
    for (uint32_t k = 0; k < st->columns.size; k++) {
      int col = -1;
      for (int i = 0; i < n; i++) {
        if (vm::stricmp(cols[i].name, st->columns[k].value) == 0) col = i;
      }
      if (col < 0) {
        return Status(rc::kError,
                      "table " + view->name + " has no column named " + std::string(st->columns[k].value));
      }
      source_of[col] = static_cast<int>(k);
    }
  } else {
    for (int i = 0; i < n; i++) source_of[i] = i;
  }
  g.note_row_write(false);
  int new_rowid = g.new_reg(n + 1);
  FromTerm new_term = register_term(g, view->name, cols, new_rowid, 0);
  int end = g.new_label();
  if (st->default_values) {
    for (int i = 0; i <= n; i++) g.emit(Op::Null, 0, new_rowid + i);
    int skip = g.new_label();
    KEEL_RETURN_IF_ERROR(
        code_instead_of_triggers(g, view, parse::TriggerEvent::kInsert, nullptr, &new_term, skip, nullptr));
    g.bind(skip);
  } else {
    KEEL_ASSIGN_OR_RETURN(std::vector<ColInfo> src_cols, select_columns(g, st->select, nullptr));
    int supplied = static_cast<int>(src_cols.size());
    if (supplied != n_source) {
      if (st->columns.size) {
        return Status(rc::kError,
                      std::to_string(supplied) + " values for " + std::to_string(n_source) + " columns");
      }
      return Status(rc::kError, "table " + view->name + " has " + std::to_string(n) + " columns but " +
                                    std::to_string(supplied) + " values were supplied");
    }
    int src = g.new_cursor();
    g.emit(Op::OpenEphemeral, src, supplied);
    SelectDest dest;
    dest.kind = SelectDest::Kind::kTable;
    dest.cursor = src;
    dest.n_cols = supplied;
    KEEL_RETURN_IF_ERROR(code_select(g, st->select, nullptr, dest));
    g.emit(Op::Rewind, src, end);
    int top = g.addr();
    int next = g.new_label();
    g.emit(Op::Null, 0, new_rowid);
    for (int i = 0; i < n; i++) {
      if (source_of[i] >= 0) {
        g.emit(Op::Column, src, source_of[i], new_rowid + 1 + i);
      } else {
        g.emit(Op::Null, 0, new_rowid + 1 + i);
      }
    }
    KEEL_RETURN_IF_ERROR(
        code_instead_of_triggers(g, view, parse::TriggerEvent::kInsert, nullptr, &new_term, next, nullptr));
    g.bind(next);
    g.emit(Op::Next, src, top);
  }
  g.bind(end);
  g.ctes = std::move(saved_ctes);
  return Status::Ok();
}

Status code_view_update(CodeGen& g, const parse::UpdateStmt* st, Table* view) {
  if (st->from.size) return Status(rc::kError, "UPDATE ... FROM on a view is not supported");
  if (st->returning.size) return Status(rc::kError, "RETURNING on a view is not supported");
  std::vector<const parse::CommonTableExpr*> saved_ctes = g.ctes;
  if (st->with) push_with(g, st->with);
  KEEL_ASSIGN_OR_RETURN(std::vector<ColInfo> cols, view_columns(g, view));
  int n = static_cast<int>(cols.size());
  // SET targets: view column and value (a later assignment wins).
  std::vector<const parse::Expr*> value_of(n, nullptr);
  std::vector<std::string> changed;
  for (const parse::SetClause& sc : st->set) {
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
    for (uint32_t k = 0; k < sc.columns.size; k++) {
      int col = -1;
      for (int i = 0; i < n; i++) {
        if (vm::stricmp(cols[i].name, sc.columns[k].value) == 0) col = i;
      }
      if (col < 0) return Status(rc::kError, "no such column: " + std::string(sc.columns[k].value));
      value_of[col] = sc.columns.size > 1 ? sc.value->as<parse::VectorExpr>()->items[k] : sc.value;
      changed.push_back(cols[col].name);
    }
  }
  if (!has_instead_of_trigger(view, parse::TriggerEvent::kUpdate, &changed)) return read_only(view);
  g.note_row_write(false);
  std::string name = st->alias.present() ? std::string(st->alias.value) : view->name;
  Status s =
      for_each_view_row(g, view, name, cols, st->where, [&](Scope& scope, FromTerm& old_term, int next) {
        int new_rowid = g.new_reg(n + 1);
        FromTerm new_term = register_term(g, view->name, cols, new_rowid, 0);
        g.emit(Op::Null, 0, new_rowid);
        for (int i = 0; i < n; i++) {
          if (value_of[i]) {
            KEEL_RETURN_IF_ERROR(code_expr(g, &scope, value_of[i], new_rowid + 1 + i));
          } else {
            g.emit(Op::SCopy, old_term.reg_base + i, new_rowid + 1 + i);
          }
        }
        return code_instead_of_triggers(g, view, parse::TriggerEvent::kUpdate, &old_term, &new_term, next,
                                        &changed);
      });
  g.ctes = std::move(saved_ctes);
  return s;
}

Status code_view_delete(CodeGen& g, const parse::DeleteStmt* st, Table* view) {
  if (!has_instead_of_trigger(view, parse::TriggerEvent::kDelete, nullptr)) return read_only(view);
  if (st->returning.size) return Status(rc::kError, "RETURNING on a view is not supported");
  std::vector<const parse::CommonTableExpr*> saved_ctes = g.ctes;
  if (st->with) push_with(g, st->with);
  KEEL_ASSIGN_OR_RETURN(std::vector<ColInfo> cols, view_columns(g, view));
  g.note_row_write(false);
  std::string name = st->alias.present() ? std::string(st->alias.value) : view->name;
  Status s = for_each_view_row(g, view, name, cols, st->where, [&](Scope&, FromTerm& old_term, int next) {
    return code_instead_of_triggers(g, view, parse::TriggerEvent::kDelete, &old_term, nullptr, next, nullptr);
  });
  g.ctes = std::move(saved_ctes);
  return s;
}

}  // namespace keel::plan
