// UPDATE and DELETE with ORDER BY / LIMIT / OFFSET (SQLite's
// SQLITE_ENABLE_UPDATE_DELETE_LIMIT, on in the common distribution builds),
// done as SQLite's sqlite3LimitWhere does it: the statement is rewritten to
//
//   ... WHERE <key> IN (SELECT <key> FROM <target> [, <from>...]
//                       WHERE <where> ORDER BY ... LIMIT ... OFFSET ...)
//
// where <key> is the rowid, or the PRIMARY KEY columns of a WITHOUT ROWID
// table, and then coded as any other UPDATE or DELETE. The inner SELECT
// names the target table under the statement's own name or alias, so the
// ORDER BY and WHERE terms resolve against it.
#include "plan/plan_internal.h"

namespace keel::plan {

namespace {

parse::Name make_name(CodeGen& g, std::string_view text) {
  parse::Name n;
  n.value = g.arena.copy(text);
  n.span = {0, 1};
  return n;
}

parse::Expr* make_column(CodeGen& g, std::string_view table, std::string_view column) {
  auto* e = g.arena.make<parse::ColumnRefExpr>();
  e->kind = parse::ExprKind::kColumnRef;
  e->height = 1;
  if (!table.empty()) e->table = make_name(g, table);
  e->column = make_name(g, column);
  return e;
}

template <typename T>
parse::List<T> make_list(CodeGen& g, const std::vector<T>& items) {
  T* data = g.arena.make_array<T>(items.size());
  for (size_t i = 0; i < items.size(); i++) data[i] = items[i];
  return parse::List<T>{data, static_cast<uint32_t>(items.size())};
}

// The names of the key columns: a rowid alias that no column shadows, or the
// PRIMARY KEY columns.
Result<std::vector<std::string>> key_columns(const Table* t) {
  if (t->without_rowid) {
    std::vector<std::string> out;
    for (int i = 0; t->primary_key && i < t->primary_key->n_key_columns; i++) {
      out.push_back(t->columns[t->primary_key->columns[i]].name);
    }
    return out;
  }
  for (const char* alias : {"rowid", "oid", "_rowid_"}) {
    if (t->find_column(alias) < 0) return std::vector<std::string>{alias};
  }
  if (t->rowid_alias >= 0) return std::vector<std::string>{t->columns[t->rowid_alias].name};
  return Status(rc::kError, "ORDER BY or LIMIT on " + t->name +
                                ": its rowid is hidden by columns rowid, oid and _rowid_");
}

parse::Expr* key_expr(CodeGen& g, std::string_view table, const std::vector<std::string>& keys) {
  if (keys.size() == 1) return make_column(g, table, keys[0]);
  std::vector<parse::Expr*> items;
  for (const std::string& k : keys) items.push_back(make_column(g, table, k));
  auto* v = g.arena.make<parse::VectorExpr>();
  v->kind = parse::ExprKind::kVector;
  v->height = 2;
  v->items = make_list(g, items);
  return v;
}

// WHERE <key> IN (SELECT <key> FROM target [, from] WHERE ... ORDER BY ... LIMIT ...).
Result<parse::Expr*> limit_where(CodeGen& g, const Table* t, const parse::QualifiedName& table,
                                 const parse::Name& alias, parse::IndexHint hint, const parse::Name& index,
                                 const parse::List<parse::FromItem*>& from, parse::Expr* where,
                                 const parse::List<parse::OrderingTerm>& order_by, parse::Expr* limit,
                                 parse::Expr* offset) {
  KEEL_ASSIGN_OR_RETURN(std::vector<std::string> keys, key_columns(t));
  std::string_view inner_name = alias.present() ? alias.value : table.name.value;

  auto* target = g.arena.make<parse::FromItem>();
  *target = parse::FromItem{};
  target->kind = parse::FromItem::Kind::kTable;
  target->table = table;
  target->alias = alias;
  target->hint = hint;
  target->index = index;
  std::vector<parse::FromItem*> items{target};
  for (parse::FromItem* f : from) items.push_back(f);

  auto* core = g.arena.make<parse::SelectCore>();
  *core = parse::SelectCore{};
  std::vector<parse::ResultColumn> cols;
  for (const std::string& k : keys) {
    parse::ResultColumn rc{};
    rc.kind = parse::ResultColumn::Kind::kExpr;
    rc.expr = make_column(g, inner_name, k);
    cols.push_back(rc);
  }
  core->columns = make_list(g, cols);
  core->from = make_list(g, items);
  core->where = where;

  auto* sel = g.arena.make<parse::Select>();
  *sel = parse::Select{};
  std::vector<parse::SelectCore*> cores{core};
  sel->cores = make_list(g, cores);
  sel->order_by = order_by;
  sel->limit = limit;
  sel->offset = offset;

  auto* in = g.arena.make<parse::InExpr>();
  *in = parse::InExpr{};
  in->kind = parse::ExprKind::kIn;
  in->height = 3;
  in->rhs = parse::InExpr::Rhs::kSelect;
  in->left = key_expr(g, inner_name, keys);
  in->select = sel;
  return static_cast<parse::Expr*>(in);
}

// The table an UPDATE or DELETE with LIMIT changes; views (materialized with
// their limit by SQLite when they have INSTEAD OF triggers) are refused.
Result<Table*> limit_target(CodeGen& g, const parse::QualifiedName& name, parse::TriggerEvent event) {
  if (Table* view = dml_target_view(g, name)) {
    if (!has_instead_of_trigger(view, event, nullptr)) {
      return Status(rc::kError, "cannot modify " + view->name + " because it is a view");
    }
    return Status(rc::kError, "ORDER BY and LIMIT on a view with INSTEAD OF triggers are not supported");
  }
  KEEL_ASSIGN_OR_RETURN(Table * t, find_table_or_error(g, name, false));
  if (t->is_virtual) {
    return Status(rc::kError, "ORDER BY and LIMIT on virtual table " + t->name + " are not supported");
  }
  return t;
}

}  // namespace

Result<const parse::DeleteStmt*> rewrite_delete_limit(CodeGen& g, const parse::DeleteStmt* st) {
  if (st->limit == nullptr) return Status(rc::kError, "ORDER BY without LIMIT on DELETE");
  KEEL_ASSIGN_OR_RETURN(Table * t, limit_target(g, st->table, parse::TriggerEvent::kDelete));
  KEEL_ASSIGN_OR_RETURN(parse::Expr * where, limit_where(g, t, st->table, st->alias, st->hint, st->index, {},
                                                         st->where, st->order_by, st->limit, st->offset));
  auto* out = g.arena.make<parse::DeleteStmt>(*st);
  out->where = where;
  out->order_by = {};
  out->limit = nullptr;
  out->offset = nullptr;
  return static_cast<const parse::DeleteStmt*>(out);
}

Result<const parse::UpdateStmt*> rewrite_update_limit(CodeGen& g, const parse::UpdateStmt* st) {
  if (st->limit == nullptr) return Status(rc::kError, "ORDER BY without LIMIT on UPDATE");
  KEEL_ASSIGN_OR_RETURN(Table * t, limit_target(g, st->table, parse::TriggerEvent::kUpdate));
  KEEL_ASSIGN_OR_RETURN(parse::Expr * where,
                        limit_where(g, t, st->table, st->alias, st->hint, st->index, st->from, st->where,
                                    st->order_by, st->limit, st->offset));
  auto* out = g.arena.make<parse::UpdateStmt>(*st);
  out->where = where;
  out->order_by = {};
  out->limit = nullptr;
  out->offset = nullptr;
  return static_cast<const parse::UpdateStmt*>(out);
}

}  // namespace keel::plan
