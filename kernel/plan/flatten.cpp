// Query flattening (SQLite's flattenSubquery); see flatten.h for the design.
//
// A view or FROM subquery S of an outer SELECT core is flattened when, as
// SQLite 3.40 requires (its restriction numbers in brackets):
//   * S is one SELECT core (no compound [17]), without WITH, ORDER BY [11,16]
//     or LIMIT/OFFSET [8,9,13,14,15,19,21]: an ORDER BY or LIMIT keeps S a
//     query of its own;
//   * S is no aggregate [2,24], not DISTINCT [4], has no window function
//     [25] and a FROM clause [7];
//   * S is not a recursive CTE [22] nor a MATERIALIZED one [28], not the
//     right side of a LEFT JOIN [3] (nor of a RIGHT JOIN [26,27]), and its
//     FROM holds no virtual table or RIGHT JOIN;
//   * a view's body reads no nested subquery and names only tables and
//     views (its nested parts are compiled in the view's own database).
// The body's WHERE joins the outer query's terms through the ON of its first
// term (an inner join, so an ordinary WHERE term).
#include "plan/flatten.h"

#include <algorithm>

#include "parse/ast_walk.h"
#include "parse/parser.h"
#include "plan/authorize.h"
#include "plan/window.h"
#include "vm/collation.h"

namespace keel::plan {

namespace {

using parse::Expr;
using parse::ExprKind;

bool has_nested_select(const Expr* e) {
  struct Finder : parse::AstVisitor {
    bool found = false;
    void select(const parse::Select&) override { found = true; }
  } f;
  if (e) parse::walk(*e, f);
  return f.found;
}


// SQLite resolves a flattened body before flattening it, asking the
// authorizer about every column it reads (used by the outer query or not):
// resolve the body's own references (not those of nested selects) once.
Status resolve_body_refs(CodeGen& g, Scope& scope, const Expr* e) {
  struct Refs : parse::AstVisitor {
    std::vector<const parse::ColumnRefExpr*> refs;
    bool expr(const Expr& x) override {
      if (x.kind == ExprKind::kColumnRef) refs.push_back(x.as<parse::ColumnRefExpr>());
      if (x.kind == ExprKind::kSubquery || x.kind == ExprKind::kExists) return false;
      if (x.kind == ExprKind::kIn && x.as<parse::InExpr>()->rhs == parse::InExpr::Rhs::kSelect) {
        parse::walk(*x.as<parse::InExpr>()->left, *this);
        return false;
      }
      return true;
    }
  } r;
  if (e == nullptr) return Status::Ok();
  parse::walk(*e, r);
  for (const parse::ColumnRefExpr* c : r.refs) KEEL_RETURN_IF_ERROR(resolve_column(g, &scope, c).status());
  return Status::Ok();
}

// The authorizer hears of the body as SQLite's resolver tells it: a
// SELECT, then every column the body reads, under the name of the view or
// CTE (its 5th argument) when the FROM term names one.
Status authorize_body(CodeGen& g, Scope& scope, const FromTerm& v, const FromTerm* first) {
  if (g.input().authorizer == nullptr) return Status::Ok();
  std::string saved = g.auth_trigger;
  if (v.item && v.item->kind == parse::FromItem::Kind::kTable)
    g.auth_trigger = std::string(v.item->table.name.value);
  Status s = authorize_select(g);
  const parse::SelectCore* c = v.subquery->cores[0];
  for (const parse::ResultColumn& rc : c->columns) {
    if (s.ok() && rc.kind == parse::ResultColumn::Kind::kExpr) s = resolve_body_refs(g, scope, rc.expr);
  }
  if (s.ok()) s = resolve_body_refs(g, scope, c->where);
  // The body's join constraints (the first term's ON now holds the WHERE).
  for (const FromTerm* t : scope.terms) {
    if (s.ok() && t != first && t->flat_group == v.flat_id) s = resolve_body_refs(g, scope, t->on);
  }
  g.auth_trigger = std::move(saved);
  return s;
}

bool body_is_flattenable(CodeGen& g, const parse::Select* sub, bool order_ok) {
  if (sub->cores.size != 1 || sub->with || sub->limit || sub->offset) return false;
  if (sub->order_by.size && !order_ok) return false;
  const parse::SelectCore* c = sub->cores[0];
  if (c->is_values || c->distinct == parse::Distinctness::kDistinct || c->from.size == 0) return false;
  if (c->group_by.size || c->having || c->windows.size) return false;
  if (select_has_windows(sub, c)) return false;
  for (const parse::ResultColumn& rc : c->columns) {
    if (rc.kind == parse::ResultColumn::Kind::kExpr && expr_has_aggregate(g, rc.expr)) return false;
  }
  std::vector<const parse::List<parse::FromItem*>*> lists{&c->from};
  while (!lists.empty()) {
    const parse::List<parse::FromItem*>* l = lists.back();
    lists.pop_back();
    for (const parse::FromItem* it : *l) {
      if (it->kind == parse::FromItem::Kind::kTableFunction) return false;
      if (it->join & parse::join::kRight) return false;
      if (it->kind == parse::FromItem::Kind::kJoinGroup) lists.push_back(&it->group);
    }
  }
  return true;
}

// How many FROM terms of the statement name a CTE (SQLite's nUse).
int cte_uses(CodeGen& g, const parse::CommonTableExpr& cte) {
  const parse::ParsedStatement* ps = g.input().statement;
  if (ps == nullptr || ps->stmt == nullptr) return 1;
  struct Uses : parse::AstVisitor {
    std::string_view cte;
    int n = 0;
    void name(const parse::Name& x, parse::NameRole role) override {
      if (role == parse::NameRole::kTable && vm::stricmp(x.value, cte) == 0) n++;
    }
  } u;
  u.cte = cte.name.value;
  parse::walk(*ps->stmt, u);
  return u.n;
}

// A view read a second time in one scope: its body parsed again from the
// view's text, so that each use has nodes of its own.
void reparse_view(CodeGen& g, FromTerm& t) {
  parse::ParseOptions opts;
  opts.schema_mode = true;
  parse::Parser parser(g.arena, t.subquery_sql, opts);
  auto st = parser.parse_statement(0);
  if (!st.ok() || st.value().stmt == nullptr || st.value().stmt->kind != parse::StmtKind::kCreateView) return;
  t.subquery = st.value().stmt->as<parse::CreateViewStmt>()->select;
}

bool term_is_flattenable(CodeGen& g, const FromTerm& t, const Scope& scope, bool order_ok,
                         bool outer_distinct) {
  if (t.subquery == nullptr || t.recursive_cte || t.dup_of >= 0 || t.table || t.vtab) return false;
  if (t.join & parse::join::kRight) return false;
  if (t.join & parse::join::kLeft) {
    // [3] The right side of a LEFT JOIN: one term, in a query that is not
    // DISTINCT (3.40 no longer checks 3c, an aggregate); and here only plain
    // columns, which the join's NULL row makes NULL (SQLite wraps other
    // expressions in IF_NULL_ROW).
    if (outer_distinct || t.subquery->cores.size != 1) return false;
    const parse::SelectCore* c = t.subquery->cores[0];
    if (c->from.size != 1 || c->from[0]->kind != parse::FromItem::Kind::kTable) return false;
    for (const parse::ResultColumn& rc : c->columns) {
      if (rc.kind == parse::ResultColumn::Kind::kExpr && rc.expr->kind != ExprKind::kColumnRef) return false;
    }
  }
  if (t.item && t.item->kind == parse::FromItem::Kind::kTable && !t.item->table.schema.present()) {
    // [28] A CTE that is MATERIALIZED, or read twice (SQLite materializes
    // it once then).
    const parse::CommonTableExpr* cte = g.find_cte(t.item->table.name.value);
    if (cte && cte->select == t.subquery &&
        (cte->materialized == parse::Materialization::kMaterialized || cte_uses(g, *cte) > 1))
      return false;
  }
  // The same tree flattened twice in one scope would share its references
  // (a view read twice gets a tree of its own first: reparse_view).
  for (const FromTerm* f : scope.flat_groups) {
    if (f->subquery == t.subquery) return false;
  }
  if (!body_is_flattenable(g, t.subquery, order_ok)) return false;
  if (!t.subquery_sql.empty()) {
    const parse::SelectCore* c = t.subquery->cores[0];
    for (const parse::ResultColumn& rc : c->columns) {
      if (rc.kind == parse::ResultColumn::Kind::kExpr && has_nested_select(rc.expr)) return false;
    }
    if (has_nested_select(c->where)) return false;
  }
  return true;
}

// Builds the body's FROM terms in the environment its materialization
// would have (the view's text and database, the CTEs visible there).
Status build_body(CodeGen& g, const FromTerm& t, FromClause& body) {
  std::vector<const parse::CommonTableExpr*> saved_ctes = g.ctes;
  std::string_view saved_sql = t.subquery_sql.empty() ? g.sql() : g.swap_sql(t.subquery_sql);
  int saved_view_db = g.view_db;
  if (!t.subquery_sql.empty()) {
    int db = g.catalog().find_database(t.db_name);
    g.view_db = db == 1 ? -1 : db;
  }
  Status s = build_from(g, t.subquery->cores[0]->from, t.subquery_outer, body);
  g.view_db = saved_view_db;
  g.swap_sql(saved_sql);
  g.ctes = std::move(saved_ctes);
  return s;
}

// The body's terms may all join the outer loops.
bool body_terms_ok(const FromTerm& t, const FromClause& body, size_t n_outer) {
  if (has_right_join(body) || body.terms.empty() || n_outer + body.terms.size() > 64) return false;
  if (t.join & parse::join::kLeft) {
    // Every result column must be a column of the one term (not a
    // constant such as an unknown double-quoted name).
    const FromTerm& b = *body.terms[0];
    if (body.terms.size() != 1 || b.vtab) return false;
    for (const parse::ResultColumn& rc : t.subquery->cores[0]->columns) {
      if (rc.kind != parse::ResultColumn::Kind::kExpr) continue;
      auto* c = rc.expr->as<parse::ColumnRefExpr>();
      if (c->table.present() && vm::stricmp(c->table.value, b.name) != 0) return false;
      bool found = false;
      for (const ColInfo& ci : b.cols) found = found || vm::stricmp(ci.name, c->column.value) == 0;
      if (!found) return false;
    }
  }
  for (const auto& b : body.terms) {
    if (b->vtab || b->recursive_cte || b->dup_of >= 0) return false;
    // A view's nested subqueries would compile outside the view's text.
    if (!t.subquery_sql.empty() && b->table == nullptr && b->subquery_sql.empty()) return false;
  }
  return true;
}

// Column i of the flattened term: the body's result expressions, `*`
// expanded to qualified references to the body's terms.
Status body_columns(CodeGen& g, FromTerm& v, const FromClause& body) {
  const parse::SelectCore* c = v.subquery->cores[0];
  for (const parse::ResultColumn& rc : c->columns) {
    if (rc.kind == parse::ResultColumn::Kind::kExpr) {
      v.flat_exprs.push_back(rc.expr);
      if (rc.alias.present()) v.flat_aliases.emplace_back(std::string(rc.alias.value), rc.expr);
      continue;
    }
    bool table_star = rc.kind == parse::ResultColumn::Kind::kTableStar;
    for (const auto& b : body.terms) {
      if (table_star && vm::stricmp(b->name, rc.table.value) != 0) continue;
      for (size_t i = 0; i < b->cols.size(); i++) {
        if (b->cols[i].hidden) continue;
        if (!table_star && i < b->coalesced.size() && b->coalesced[i]) continue;
        v.flat_exprs.push_back(g.make_column_ref(b->name, b->cols[i].name));
      }
    }
  }
  return v.flat_exprs.size() == v.cols.size() ? Status::Ok()
                                              : Status(rc::kInternal, "flattened column count");
}

// Compound subqueries being flattened (flatten_compound): while the outer
// core is coded for arm k, the term reading `compound` reads `arm` instead.
struct ArmOverride {
  const parse::Select* compound;
  const parse::Select* arm;
};
thread_local std::vector<ArmOverride> arm_overrides;

// Aggregates of the outer query: whether it has any, and whether one is
// other than count(), min() and max() (whose answer no row order changes).
void outer_aggregates(CodeGen& g, const parse::Select* sel, const parse::SelectCore* core, bool* any,
                      bool* order_sensitive) {
  struct Aggs : parse::AstVisitor {
    CodeGen* g;
    bool any = false, other = false;
    bool expr(const Expr& x) override {
      if (x.kind != ExprKind::kFunction) return true;
      auto* f = x.as<parse::FunctionExpr>();
      if (f->over || f->over_name.present() || g->input().functions == nullptr) return true;
      const func::FunctionDef* def =
          g->input().functions->find(f->name.value, static_cast<int>(f->args.size));
      if (def == nullptr || def->step == nullptr) return true;
      any = true;
      if (def->name != "count" && def->name != "min" && def->name != "max") other = true;
      return true;
    }
  } a;
  a.g = &g;
  for (const parse::ResultColumn& rc : core->columns) {
    if (rc.kind == parse::ResultColumn::Kind::kExpr) parse::walk(*rc.expr, a);
  }
  if (core->having) parse::walk(*core->having, a);
  for (const parse::OrderingTerm& o : sel->order_by) parse::walk(*o.expr, a);
  *any = a.any || core->group_by.size || core->having;
  *order_sensitive = a.other;
}

// The subquery's ORDER BY as the outer query's (it is alone in the FROM and
// the outer query has none): each term must name a result column of the
// subquery (by number, AS name or the same expression), and becomes a
// qualified reference to that column of the flattened term.
bool adopt_order_by(CodeGen& g, const FromTerm& v, parse::List<parse::OrderingTerm>* out) {
  const parse::Select* sub = v.subquery;
  const parse::SelectCore* c = sub->cores[0];
  std::string_view sql = v.subquery_sql.empty() ? g.sql() : v.subquery_sql;
  bool star = false;
  for (const parse::ResultColumn& rc : c->columns) star = star || rc.kind != parse::ResultColumn::Kind::kExpr;
  auto* items = static_cast<parse::OrderingTerm*>(
      g.arena.allocate(sizeof(parse::OrderingTerm) * sub->order_by.size, alignof(parse::OrderingTerm)));
  for (uint32_t i = 0; i < sub->order_by.size; i++) {
    const parse::OrderingTerm& ot = sub->order_by[i];
    const Expr* e = ot.expr;
    int col = -1;
    if (e->kind == ExprKind::kLiteral &&
        e->as<parse::LiteralExpr>()->literal == parse::LiteralKind::kInteger) {
      int64_t k = 0;
      double r;
      if (parse_integer_literal(e->as<parse::LiteralExpr>()->text, false, &k, &r) && k >= 1 &&
          k <= static_cast<int64_t>(v.cols.size())) {
        col = static_cast<int>(k - 1);
      }
    } else if (!star) {
      for (uint32_t j = 0; j < c->columns.size && col < 0; j++) {
        const parse::ResultColumn& rc = c->columns[j];
        if (e->kind == ExprKind::kColumnRef && !e->as<parse::ColumnRefExpr>()->table.present() &&
            rc.alias.present() &&
            vm::stricmp(rc.alias.value, e->as<parse::ColumnRefExpr>()->column.value) == 0) {
          col = static_cast<int>(j);
        }
      }
      for (uint32_t j = 0; j < c->columns.size && col < 0; j++) {
        if (expr_equal(sql, c->columns[j].expr, e)) col = static_cast<int>(j);
      }
    }
    if (col < 0) return false;
    new (&items[i]) parse::OrderingTerm(ot);
    items[i].expr = g.make_column_ref(v.name, v.cols[col].name);
  }
  out->items = items;
  out->size = sub->order_by.size;
  return true;
}

}  // namespace

// Registers every column reference of `e` (nested selects included: their
// references to the body's terms reach the outer scope) in group `group`.
void register_refs(Scope& scope, const Expr* e, int group) {
  struct Reg : parse::AstVisitor {
    Scope* scope;
    int group;
    bool expr(const Expr& x) override {
      if (x.kind == ExprKind::kColumnRef) scope->flat_refs[&x] = group;
      return true;
    }
  } r;
  r.scope = &scope;
  r.group = group;
  if (e) parse::walk(*e, r);
}

Status flatten_from(CodeGen& g, const parse::Select* sel, const parse::SelectCore* core, FromClause& from,
                    Scope& scope, parse::List<parse::OrderingTerm>* adopted_order) {
  auto set_terms = [&] {
    scope.terms.clear();
    for (auto& t : from.terms) scope.terms.push_back(t.get());
    scope.flat_terms.clear();
    for (auto& t : from.flattened) scope.flat_terms.push_back(t.get());
  };
  set_terms();
  scope.star_terms.clear();
  // [25] concerns a window in the outer query as SQLite sees it after its
  // window rewrite (the windows run over a subquery the view flattens into),
  // so only the subquery's own windows matter here.
  if (has_right_join(from) || core->is_values) return Status::Ok();
  std::vector<FromTerm*> names;  // the outer FROM's own terms, for `*`
  for (auto& t : from.terms) names.push_back(t.get());
  bool any = false;
  bool outer_agg = false, order_sensitive = false;
  outer_aggregates(g, sel, core, &outer_agg, &order_sensitive);
  for (size_t i = 0; i < from.terms.size();) {
    FromTerm* v = from.terms[i].get();
    for (const ArmOverride& o : arm_overrides) {
      if (v->subquery == o.compound) v->subquery = o.arm;
    }
    if (!v->subquery_sql.empty()) {
      for (const FromTerm* f : scope.flat_groups) {
        if (f->subquery == v->subquery) {
          reparse_view(g, *v);
          break;
        }
      }
    }
    // A subquery's ORDER BY (without LIMIT) is dropped when it cannot
    // matter (SQLite 3.40's select.c): the outer query orders its rows
    // itself or joins the subquery, and has no order-sensitive aggregate.
    // Else, alone in a FROM of a query that is no aggregate [16] and has no
    // ORDER BY [11], the subquery flattens and its ORDER BY becomes the
    // outer one's.
    bool omit_order = (sel->order_by.size > 0 || from.terms.size() > 1) && !order_sensitive;
    bool adopt = !omit_order && adopted_order != nullptr && adopted_order->size == 0 &&
                 sel->order_by.size == 0 && !outer_agg && from.terms.size() == 1;
    if (!term_is_flattenable(g, *v, scope, omit_order || adopt,
                             core->distinct == parse::Distinctness::kDistinct)) {
      i++;
      continue;
    }
    parse::List<parse::OrderingTerm> order{};
    if (v->subquery->order_by.size && !omit_order) {
      if (!adopt_order_by(g, *v, &order)) {
        i++;
        continue;
      }
    }
    FromClause body;
    KEEL_RETURN_IF_ERROR(build_body(g, *v, body));
    if (!body_terms_ok(*v, body, from.terms.size())) {
      i++;
      continue;
    }
    KEEL_RETURN_IF_ERROR(body_columns(g, *v, body));
    int group = static_cast<int>(scope.flat_groups.size()) + 1;
    scope.flat_groups.push_back(v);
    v->flat_id = group;
    v->flat_closed = v->subquery_outer == nullptr;
    const parse::SelectCore* c = v->subquery->cores[0];
    for (const Expr* e : v->flat_exprs) register_refs(scope, e, group);
    register_refs(scope, c->where, group);
    for (auto& b : body.terms) {
      b->flat_group = group;
      register_refs(scope, b->on, group);
    }
    // The first body term takes the flattened term's place in the join: its
    // join type, and as ON (an inner join's ON is a WHERE term) the term's
    // own ON, the body's WHERE and its first term's ON.
    FromTerm* first = body.terms[0].get();
    first->join = v->join;
    const Expr* on = v->on;
    for (const Expr* e : {static_cast<const Expr*>(c->where), first->on}) {
      if (e == nullptr) continue;
      on = on ? g.make_binary(parse::BinaryOp::kAnd, const_cast<Expr*>(on), const_cast<Expr*>(e)) : e;
    }
    first->on = on;
    v->on = nullptr;
    std::unique_ptr<FromTerm> owned = std::move(from.terms[i]);
    from.terms.erase(from.terms.begin() + static_cast<std::ptrdiff_t>(i));
    for (size_t k = 0; k < body.terms.size(); k++) {
      from.terms.insert(from.terms.begin() + static_cast<std::ptrdiff_t>(i + k), std::move(body.terms[k]));
    }
    from.flattened.push_back(std::move(owned));
    set_terms();
    KEEL_RETURN_IF_ERROR(authorize_body(g, scope, *v, first));
    any = true;
    if (order.size) *adopted_order = order;
    // from.terms[i] is now the body's first term: it may flatten in turn.
  }
  if (any) scope.star_terms = names;
  return Status::Ok();
}

namespace {

// The compound select a FROM item names (a FROM subquery, a CTE, a view),
// with the view's text and database when it is one.
struct CompoundSource {
  const parse::Select* sel = nullptr;
  std::string_view view_sql;
  int view_db = -1;
};

CompoundSource compound_source(CodeGen& g, const parse::FromItem* it) {
  CompoundSource src;
  if (it->kind == parse::FromItem::Kind::kSubquery) {
    src.sel = it->subquery;
  } else if (it->kind == parse::FromItem::Kind::kTable) {
    const parse::CommonTableExpr* cte =
        it->table.schema.present() ? nullptr : g.find_cte(it->table.name.value);
    if (cte) {
      bool recursive =
          std::find(g.recursive_ctes.begin(), g.recursive_ctes.end(), cte) != g.recursive_ctes.end();
      if (recursive || cte->materialized == parse::Materialization::kMaterialized || cte->columns.size ||
          cte_uses(g, *cte) > 1)
        return src;
      src.sel = cte->select;
    } else {
      Table* t = nullptr;
      if (g.view_db >= 0 && !it->table.schema.present()) {
        t = g.catalog().database(g.view_db).find_table(it->table.name.value);
      } else {
        t = g.catalog().find_table(it->table.schema.present() ? it->table.schema.value : "",
                                   it->table.name.value);
      }
      if (t == nullptr || !t->is_view || t->view_select == nullptr || !t->view_column_names.empty())
        return src;
      src.sel = t->view_select;
      src.view_sql = t->parsed->sql;
      int db = t->db;
      src.view_db = db == 1 ? -1 : db;
    }
  }
  if (src.sel == nullptr || src.sel->cores.size < 2) src.sel = nullptr;
  return src;
}

// [17] Every arm a plain SELECT ... FROM joined by UNION ALL, the compound
// without ORDER BY [20] or LIMIT; [17h] the arms' columns of one affinity
// (and here of one collation: compound_arms_alike).
bool compound_is_flattenable(CodeGen& g, const CompoundSource& src, std::vector<parse::Select*>& arms) {
  const parse::Select* sel = src.sel;
  if (sel->with || sel->order_by.size || sel->limit || sel->offset) return false;
  for (uint32_t i = 0; i < sel->cores.size; i++) {
    const parse::SelectCore* c = sel->cores[i];
    if (i > 0 && c->op != parse::CompoundOp::kUnionAll) return false;
    auto* arm = g.arena.make<parse::Select>();
    *arm = parse::Select{};
    arm->cores.items = &sel->cores.items[i];
    arm->cores.size = 1;
    arm->span = sel->span;
    if (!body_is_flattenable(g, arm, false)) return false;
    if (!src.view_sql.empty()) {
      for (const parse::ResultColumn& rc : c->columns) {
        if (rc.kind == parse::ResultColumn::Kind::kExpr && has_nested_select(rc.expr)) return false;
      }
      if (has_nested_select(c->where)) return false;
    }
    arms.push_back(arm);
  }
  return compound_arms_alike(g, sel, src.view_sql, src.view_db, nullptr);
}

}  // namespace

bool compound_arms_alike(CodeGen& g, const parse::Select* sel, std::string_view view_sql, int view_db,
                         std::vector<bool>* alike) {
  std::vector<std::pair<vm::Affinity, std::string>> first;
  bool all = true;
  for (uint32_t i = 0; i < sel->cores.size; i++) {
    parse::Select arm{};
    arm.cores.items = &sel->cores.items[i];
    arm.cores.size = 1;
    std::string_view saved_sql = view_sql.empty() ? g.sql() : g.swap_sql(view_sql);
    int saved_view_db = g.view_db;
    if (!view_sql.empty()) g.view_db = view_db;
    bool saved_auth = g.auth_suspended;
    g.auth_suspended = true;
    auto cols = select_columns(g, &arm, nullptr);
    g.auth_suspended = saved_auth;
    g.view_db = saved_view_db;
    g.swap_sql(saved_sql);
    if (!cols.ok()) return false;
    // SQLite gives every arm the leftmost arm's collation; arms that differ
    // stay apart here.
    std::vector<std::pair<vm::Affinity, std::string>> a;
    for (const ColInfo& ci : cols.value()) a.emplace_back(ci.affinity, ci.collation);
    if (i == 0) {
      first = std::move(a);
      if (alike) alike->assign(first.size(), true);
      continue;
    }
    if (a.size() != first.size()) return false;
    for (size_t k = 0; k < a.size(); k++) {
      if (a[k] == first[k]) continue;
      // A pushed term reads each arm's own expression, as SQLite 3.40 does
      // whatever the affinities; only the collation (the leftmost arm's in
      // SQLite) must agree.
      if (alike && a[k].second == first[k].second) continue;
      all = false;
      if (alike) (*alike)[k] = false;
    }
  }
  return alike ? true : all;
}

Status flatten_compound(CodeGen& g, const parse::Select* sel, const parse::SelectCore* core, Scope* outer,
                        SelectDest& dest, bool* done) {
  *done = false;
  using K = SelectDest::Kind;
  // [17d] The outer query: no aggregate, DISTINCT or window; here also no
  // ORDER BY or LIMIT (they would apply to the whole compound), and rows go
  // somewhere that takes them all in turn.
  if (core->is_values || core->distinct == parse::Distinctness::kDistinct || sel->order_by.size ||
      sel->limit || sel->offset || select_has_windows(sel, core)) {
    return Status::Ok();
  }
  if (!(dest.kind == K::kOutput || dest.kind == K::kTable || dest.kind == K::kIndex ||
        dest.kind == K::kDistinctIndex || dest.kind == K::kExceptIndex || dest.kind == K::kCoroutine ||
        dest.kind == K::kDiscard)) {
    return Status::Ok();
  }
  bool any_agg = false, order_sensitive = false;
  outer_aggregates(g, sel, core, &any_agg, &order_sensitive);
  if (any_agg) return Status::Ok();
  for (uint32_t i = 0; i < core->from.size; i++) {
    const parse::FromItem* it = core->from[i];
    // [17f] not the right side of a LEFT JOIN; no RIGHT JOIN anywhere.
    if (it->join & (parse::join::kLeft | parse::join::kRight)) continue;
    CompoundSource src = compound_source(g, it);
    if (src.sel == nullptr) continue;
    bool busy = false;
    for (const ArmOverride& o : arm_overrides) busy = busy || o.compound == src.sel;
    if (busy) continue;
    std::vector<parse::Select*> arms;
    if (!compound_is_flattenable(g, src, arms)) continue;
    // The outer core once per arm, all into the destination: SQLite's
    // rewrite of the outer query into a UNION ALL of copies.
    int parent = g.plan_parent;
    int compound_row = g.plan_row(parent, "COMPOUND QUERY");
    Status s;
    for (size_t k = 0; k < arms.size() && s.ok(); k++) {
      g.plan_parent = g.plan_row(compound_row, k == 0 ? "LEFT-MOST SUBQUERY" : "UNION ALL");
      arm_overrides.push_back({src.sel, arms[k]});
      s = code_core(g, sel, core, outer, dest);
      arm_overrides.pop_back();
    }
    g.plan_parent = parent;
    KEEL_RETURN_IF_ERROR(s);
    *done = true;
    return Status::Ok();
  }
  return Status::Ok();
}

Status flat_star_column(CodeGen& g, Scope* scope, ResultCol& c) {
  KEEL_RETURN_IF_ERROR(authorize_read(g, c.term, c.col, nullptr));  // a view's column
  const Expr* fe = c.term->flat_exprs[c.col];
  if (fe->kind == ExprKind::kColumnRef) {
    KEEL_ASSIGN_OR_RETURN(ColumnRef r, resolve_column(g, scope, fe->as<parse::ColumnRefExpr>()));
    if (r.term && !r.alias_expr && r.special == ColumnRef::Special::kNone) {
      c.term = r.term;
      c.col = r.col;
      return Status::Ok();
    }
  }
  c.term = nullptr;
  c.col = -1;
  c.expr = fe;
  return Status::Ok();
}

}  // namespace keel::plan
