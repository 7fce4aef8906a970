// WHERE-term push-down (SQLite's pushDownWhereTerms); see pushdown.h.
//
// A term of the outer WHERE is pushed into subquery S when, as in SQLite
// 3.40:
//   * S is not recursive, has no LIMIT/OFFSET, no window function (SQLite
//     allows terms on PARTITION BY columns; not done here), and is no
//     MATERIALIZED CTE nor a CTE read twice in the FROM; a compound S gets
//     the terms in every arm (here: arms that are no aggregate, on columns
//     of one collation in every arm);
//   * S is not the right side of a LEFT JOIN nor beside a RIGHT JOIN;
//   * the term reads only S's columns, no subquery, no variable-free
//     non-deterministic function (sqlite3ExprIsTableConstant);
//   * S is an aggregate: SQLite adds the term to its HAVING, from where
//     only a term on GROUP BY keys moves on to its WHERE (havingToWhere);
//     here such a term goes to the WHERE directly and others stay out.
#include "plan/pushdown.h"

#include <memory>

#include "parse/ast_walk.h"
#include "plan/flatten.h"
#include "plan/window.h"
#include "vm/collation.h"

namespace keel::plan {

namespace {

using parse::Expr;
using parse::ExprKind;

void split_terms(const Expr* e, std::vector<const Expr*>& out) {
  if (e == nullptr) return;
  if (e->kind == ExprKind::kBinary && e->as<parse::BinaryExpr>()->op == parse::BinaryOp::kAnd) {
    split_terms(e->as<parse::BinaryExpr>()->left, out);
    split_terms(e->as<parse::BinaryExpr>()->right, out);
    return;
  }
  out.push_back(e);
}

bool is_aggregate_core(CodeGen& g, const parse::SelectCore* c) {
  if (c->group_by.size || c->having) return true;
  for (const parse::ResultColumn& rc : c->columns) {
    if (rc.kind == parse::ResultColumn::Kind::kExpr && expr_has_aggregate(g, rc.expr)) return true;
  }
  return false;
}

// Whether term `e` reads only columns of `t` and things SQLite treats as
// constant there; for an aggregate S, only its GROUP BY keys.
bool term_pushable(CodeGen& g, Scope* scope, const FromTerm& t, const Expr* e, bool agg,
                   const std::vector<bool>& alike) {
  struct Check : parse::AstVisitor {
    CodeGen* g;
    Scope* scope;
    const FromTerm* t;
    bool agg;
    const std::vector<bool>* alike;
    bool ok = true;
    bool expr(const Expr& x) override {
      if (!ok) return false;
      switch (x.kind) {
        case ExprKind::kColumnRef: {
          auto r = resolve_column(*g, scope, x.as<parse::ColumnRefExpr>());
          if (!r.ok()) {
            ok = false;
            return false;
          }
          const ColumnRef& c = r.value();
          if (c.special != ColumnRef::Special::kNone) return false;
          // Through a flattened term (or a pushed one) the name is not t's own.
          if (c.alias_expr || c.via || c.term != t || c.scope != scope || c.col < 0) {
            ok = false;
            return false;
          }
          if (agg && !is_group_key(c.col)) ok = false;
          if (!alike->empty() && (static_cast<size_t>(c.col) >= alike->size() || !(*alike)[c.col]))
            ok = false;
          return false;
        }
        case ExprKind::kSubquery:
        case ExprKind::kExists:
          ok = false;
          return false;
        case ExprKind::kIn:
          if (x.as<parse::InExpr>()->rhs != parse::InExpr::Rhs::kList) ok = false;
          return ok;
        case ExprKind::kFunction: {
          auto* f = x.as<parse::FunctionExpr>();
          const func::FunctionDef* def =
              g->input().functions ? g->input().functions->find(f->name.value, static_cast<int>(f->args.size))
                                   : nullptr;
          if (def == nullptr || f->over || f->over_name.present() || def->step ||
              !(def->flags & func::kDeterministic)) {
            ok = false;
          }
          return ok;
        }
        default:
          return true;
      }
    }
    // Result column `col` of an aggregate S is one of its GROUP BY terms.
    bool is_group_key(int col) const {
      const parse::SelectCore* c = t->subquery->cores[0];
      if (static_cast<uint32_t>(col) >= c->columns.size) return false;
      const parse::ResultColumn& rc = c->columns[col];
      if (rc.kind != parse::ResultColumn::Kind::kExpr || expr_has_aggregate(*g, rc.expr)) return false;
      std::string_view sql = t->subquery_sql.empty() ? g->sql() : t->subquery_sql;
      for (const Expr* k : c->group_by) {
        if (expr_equal(sql, k, rc.expr)) return true;
      }
      return false;
    }
  } check;
  check.g = &g;
  check.scope = scope;
  check.t = &t;
  check.agg = agg;
  check.alike = &alike;
  parse::walk(*e, check);
  return check.ok;
}

}  // namespace

Status pushdown_terms(CodeGen& g, Scope* scope, const FromTerm& t, const Expr* where,
                      std::vector<const Expr*>& out) {
  if (where == nullptr || t.subquery == nullptr || t.recursive_cte || t.dup_of >= 0 || t.flat_id) {
    return Status::Ok();
  }
  if (t.join & (parse::join::kLeft | parse::join::kRight)) return Status::Ok();
  const parse::Select* sub = t.subquery;
  if (sub->limit || sub->offset) return Status::Ok();
  const parse::SelectCore* c = sub->cores[0];
  std::vector<bool> alike;  // compound: the columns a term may read
  if (sub->cores.size > 1) {
    // A compound: the terms go into every arm (SQLite substitutes the
    // leftmost arm's collation; here the arms must agree on it), none of
    // which may be VALUES, an aggregate or have a window.
    for (const parse::SelectCore* arm : sub->cores) {
      if (arm->is_values || arm->windows.size || is_aggregate_core(g, arm)) return Status::Ok();
      parse::Select one{};
      one.cores.items = const_cast<parse::SelectCore**>(&arm);
      one.cores.size = 1;
      if (select_has_windows(&one, arm)) return Status::Ok();
    }
    int db = t.subquery_sql.empty() ? -1 : g.catalog().find_database(t.db_name);
    if (!compound_arms_alike(g, sub, t.subquery_sql, db == 1 ? -1 : db, &alike)) return Status::Ok();
  } else if (c->is_values || c->windows.size || select_has_windows(sub, c)) {
    return Status::Ok();
  }
  int uses = 0;
  for (const FromTerm* o : scope->terms) uses += o->subquery == sub ? 1 : 0;
  if (t.item && t.item->kind == parse::FromItem::Kind::kTable && !t.item->table.schema.present()) {
    const parse::CommonTableExpr* cte = g.find_cte(t.item->table.name.value);
    if (cte && cte->select == sub && (cte->materialized == parse::Materialization::kMaterialized || uses > 1))
      return Status::Ok();
  }
  bool agg = is_aggregate_core(g, c);
  if (agg) {
    // A GROUP BY key is matched to a result column by position.
    if (c->group_by.size == 0) return Status::Ok();
    for (const parse::ResultColumn& rc : c->columns) {
      if (rc.kind != parse::ResultColumn::Kind::kExpr) return Status::Ok();
    }
  }
  std::vector<const Expr*> terms;
  split_terms(where, terms);
  for (const Expr* e : terms) {
    if (term_pushable(g, scope, t, e, agg, alike)) out.push_back(e);
  }
  return Status::Ok();
}

Status apply_pushdown(CodeGen& g, const PushDown& pd, const parse::SelectCore** core, parse::SelectCore& copy,
                      FromClause& from, Scope& scope) {
  if (pd.terms.empty()) return Status::Ok();
  const parse::SelectCore* c = *core;
  auto p = std::make_unique<FromTerm>();
  p->name = pd.term->name;
  p->db_name = pd.term->db_name;
  p->cols = pd.term->cols;
  p->coalesced.assign(p->cols.size(), false);
  // Column i of the outer term is result column i of this core.
  for (const parse::ResultColumn& rc : c->columns) {
    if (rc.kind == parse::ResultColumn::Kind::kExpr) {
      p->flat_exprs.push_back(rc.expr);
      continue;
    }
    bool table_star = rc.kind == parse::ResultColumn::Kind::kTableStar;
    for (FromTerm* t : scope.star_terms.empty() ? scope.terms : scope.star_terms) {
      if (t->flat_group != 0) continue;
      if (table_star && vm::stricmp(t->name, rc.table.value) != 0) continue;
      for (size_t i = 0; i < t->cols.size(); i++) {
        if (t->cols[i].hidden) continue;
        if (!table_star && i < t->coalesced.size() && t->coalesced[i]) continue;
        p->flat_exprs.push_back(g.make_column_ref(t->name, t->cols[i].name));
      }
    }
  }
  if (p->flat_exprs.size() != p->cols.size()) return Status::Ok();
  int group = static_cast<int>(scope.flat_groups.size()) + 1;
  p->flat_id = group;
  p->flat_group = group;
  p->flat_closed = true;
  copy = *c;
  for (const Expr* e : pd.terms) {
    register_refs(scope, e, group);
    copy.where = copy.where ? g.make_binary(parse::BinaryOp::kAnd, copy.where, const_cast<Expr*>(e))
                            : const_cast<Expr*>(e);
  }
  scope.flat_groups.push_back(p.get());
  scope.flat_terms.push_back(p.get());
  from.flattened.push_back(std::move(p));
  *core = &copy;
  return Status::Ok();
}

}  // namespace keel::plan
