// Name resolution, affinity and collation of expressions (SQLite's
// resolve.c lookupName and expr.c sqlite3ExprAffinity / sqlite3ExprCollSeq).
#include <cctype>
#include <initializer_list>
#include <vector>

#include "parse/ast_walk.h"
#include "plan/authorize.h"
#include "plan/plan_internal.h"
#include "plan/right_join.h"
#include "vm/collation.h"

namespace keel::plan {

using parse::Expr;
using parse::ExprKind;

namespace {

bool name_eq(std::string_view a, std::string_view b) { return vm::stricmp(a, b) == 0; }

bool is_rowid_name(std::string_view n) {
  return name_eq(n, "rowid") || name_eq(n, "oid") || name_eq(n, "_rowid_");
}

std::string qualified_text(const parse::ColumnRefExpr* e) {
  std::string out;
  if (e->schema.present()) out += std::string(e->schema.value) + ".";
  if (e->table.present()) out += std::string(e->table.value) + ".";
  out += e->column.value;
  return out;
}

void mark_outer(Scope* from, Scope* owner) {
  for (Scope* s = from; s && s != owner; s = s->outer) {
    s->outer_refs++;
    if (s->correlated_flag) *s->correlated_flag = 1;
  }
}

}  // namespace

Result<ColumnRef> resolve_column(CodeGen& g, Scope* scope, const parse::ColumnRefExpr* e) {
  std::string_view col = e->column.value;
  bool qualified = e->table.present();
  for (Scope* s = scope; s; s = s->hide_outer ? nullptr : s->outer) {
    // A name of a flattened body resolves among that body's terms only.
    int group = 0;
    if (!s->flat_refs.empty()) {
      auto it = s->flat_refs.find(e);
      if (it != s->flat_refs.end()) group = it->second;
    }
    // ORDER BY / GROUP BY: a bare name matching a result alias is the alias.
    if (group == 0 && !qualified && s->aliases && s->aliases_first) {
      for (const ResultAlias& a : *s->aliases) {
        if (name_eq(a.name, col)) {
          ColumnRef r;
          r.alias_expr = a.expr;
          r.alias_scope = s;
          mark_outer(scope, s);
          return r;
        }
      }
    }
    int matches = 0;
    ColumnRef found;
    int table_matches = 0;
    FromTerm* table_match = nullptr;
    // Name groups apply in the scope that flattened; a scope made for one
    // term (a generated column, an index expression) sees it whole.
    bool grouped = !s->flat_groups.empty();
    auto visible = [&](size_t k) -> FromTerm* {
      FromTerm* t = k < s->terms.size() ? s->terms[k] : s->flat_terms[k - s->terms.size()];
      return !grouped || t->flat_group == group ? t : nullptr;
    };
    // A USING column of FULL JOINs: the terms whose columns it coalesces
    // (lookupName's pFJMatch); the last FULL JOIN term keeps the coalesce().
    std::vector<std::pair<FromTerm*, int>> full_chain;
    for (size_t k = 0; k < s->terms.size() + s->flat_terms.size(); k++) {
      FromTerm* t = visible(k);
      if (t == nullptr) continue;
      if (qualified) {
        if (!name_eq(t->name, e->table.value)) continue;
        if (e->schema.present() && !name_eq(t->db_name, e->schema.value)) continue;
      } else if (t->qualified_only) {
        continue;
      }
      table_matches++;
      table_match = t;
      for (size_t i = 0; i < t->cols.size(); i++) {
        if (!name_eq(t->cols[i].name, col)) continue;
        // A USING/NATURAL column of the right-hand term is the same column
        // as the left-hand one for an unqualified reference; after a RIGHT
        // JOIN it is the right-hand one, after a FULL JOIN both, coalesced.
        if (!qualified && i < t->coalesced.size() && t->coalesced[i]) {
          if ((t->join & parse::join::kRight) && (t->join & parse::join::kLeft)) {
            if (full_chain.empty() && found.term) full_chain.emplace_back(found.term, found.col);
            full_chain.emplace_back(t, static_cast<int>(i));
          } else if (t->join & parse::join::kRight) {
            matches = 1;
            found.term = t;
            found.col = static_cast<int>(i);
            full_chain.clear();
          }
          break;
        }
        matches++;
        found.term = t;
        found.col = static_cast<int>(i);
        break;
      }
    }
    if (matches == 0 && table_matches >= 1 && is_rowid_name(col)) {
      FromTerm* t = table_match;
      if (table_matches == 1 &&
          ((t->table && !t->table->without_rowid && !t->table->is_view) || t->reg_base || t->vtab)) {
        matches = 1;
        found.term = t;
        found.col = -1;
      }
    }
    if (matches == 0 && table_matches == 1 && table_match->flat_id && table_match->subquery &&
        is_rowid_name(col)) {
      // The rowid of a flattened view or subquery is NULL (SQLite 3.40).
      auto* null = g.arena.make<parse::LiteralExpr>();
      null->kind = ExprKind::kLiteral;
      null->height = 1;
      null->literal = parse::LiteralKind::kNull;
      ColumnRef r;
      r.alias_expr = null;
      r.alias_scope = s;
      mark_outer(scope, s);
      return r;
    }
    if (matches > 1) return Status(rc::kError, "ambiguous column name: " + qualified_text(e));
    if (matches == 1 && found.term->flat_id) {
      // A column of a flattened view or subquery: its body's expression.
      mark_outer(scope, s);
      FromTerm* v = found.term;
      KEEL_RETURN_IF_ERROR(authorize_read(g, v, found.col, nullptr));
      const Expr* fe = v->flat_exprs[found.col];
      ColumnRef r;
      if (fe->kind == ExprKind::kColumnRef) {
        KEEL_ASSIGN_OR_RETURN(r, resolve_column(g, s, fe->as<parse::ColumnRefExpr>()));
      } else {
        r.alias_expr = fe;
        r.alias_scope = s;
      }
      r.via = v;
      r.via_col = found.col;
      return r;
    }
    if (matches == 1 && full_chain.size() > 1) {
      auto [owner, owner_col] = full_chain.back();
      owner->full_using_expr.resize(owner->cols.size(), nullptr);
      const parse::Expr*& fj = owner->full_using_expr[owner_col];
      if (fj == nullptr) {
        std::vector<parse::Expr*> args;
        for (auto [term, col] : full_chain)
          args.push_back(g.make_column_ref(term->name, term->cols[col].name));
        fj = make_coalesce(g, args);
      }
      ColumnRef r;
      r.alias_expr = fj;
      r.alias_scope = s;
      mark_outer(scope, s);
      return r;
    }
    if (matches == 1) {
      found.scope = s;
      mark_outer(scope, s);
      KEEL_RETURN_IF_ERROR(authorize_read(g, found.term, found.col, nullptr));
      return found;
    }
    if (group != 0) {
      // The body's WHERE may name its own result columns (AS names).
      FromTerm* v = s->flat_groups[group - 1];
      if (!qualified) {
        for (const auto& [name, expr] : v->flat_aliases) {
          if (!name_eq(name, col)) continue;
          ColumnRef r;
          r.alias_expr = expr;
          r.alias_scope = s;
          mark_outer(scope, s);
          return r;
        }
      }
      if (v->flat_closed) break;
      continue;
    }
    if (!qualified && s->aliases && !s->aliases_first) {
      for (const ResultAlias& a : *s->aliases) {
        if (name_eq(a.name, col)) {
          ColumnRef r;
          r.alias_expr = a.expr;
          r.alias_scope = s;
          mark_outer(scope, s);
          return r;
        }
      }
    }
  }
  // NEW.x / OLD.x inside a trigger body: valid in every nested statement,
  // and a reference makes every enclosing subquery correlated.
  if (qualified && g.trigger_scope) {
    for (FromTerm* t : g.trigger_scope->terms) {
      if (!name_eq(t->name, e->table.value)) continue;
      for (size_t i = 0; i < t->cols.size(); i++) {
        if (!name_eq(t->cols[i].name, col)) continue;
        ColumnRef r;
        r.term = t;
        r.col = static_cast<int>(i);
        r.scope = g.trigger_scope;
        mark_outer(scope, nullptr);
        return r;
      }
      if (is_rowid_name(col)) {
        ColumnRef r;
        r.term = t;
        r.col = -1;
        r.scope = g.trigger_scope;
        mark_outer(scope, nullptr);
        return r;
      }
    }
  }
  if (!qualified) {
    ColumnRef r;
    if (e->column.quote == '"') {
      r.special = ColumnRef::Special::kString;
      return r;
    }
    if (e->column.quote == 0 && name_eq(col, "true")) {
      r.special = ColumnRef::Special::kTrue;
      return r;
    }
    if (e->column.quote == 0 && name_eq(col, "false")) {
      r.special = ColumnRef::Special::kFalse;
      return r;
    }
  }
  return Status(rc::kError, "no such column: " + qualified_text(e));
}

vm::Affinity type_affinity(std::string_view type) { return vm::affinity_from_type_name(type); }

namespace {

class OuterNameCheck final : public parse::AstVisitor {
 public:
  OuterNameCheck(CodeGen& g, Scope* scope) : g_(g), scope_(scope) {}
  Status status;

  bool expr(const Expr& e) override {
    if (!status.ok()) return false;
    switch (e.kind) {
      case ExprKind::kSubquery:
      case ExprKind::kExists:
        return false;  // a subquery's names are its own
      case ExprKind::kIn: {
        auto* in = e.as<parse::InExpr>();
        if (in->rhs == parse::InExpr::Rhs::kList) return true;
        parse::walk(*in->left, *this);
        return false;
      }
      case ExprKind::kColumnRef:
        check(e.as<parse::ColumnRefExpr>());
        return false;
      default:
        return true;
    }
  }

 private:
  void check(const parse::ColumnRefExpr* ref) {
    scope_->hide_outer = true;
    bool here = resolve_column(g_, scope_, ref).ok();
    scope_->hide_outer = false;
    if (here) return;
    Result<ColumnRef> anywhere = resolve_column(g_, scope_, ref);
    if (anywhere.ok()) status = Status(rc::kError, "no such column: " + qualified_text(ref));
  }

  CodeGen& g_;
  Scope* scope_;
};

}  // namespace

Status check_no_outer_names(CodeGen& g, Scope* scope, const parse::Expr* e) {
  if (scope->outer == nullptr || e == nullptr) return Status::Ok();
  bool saved = g.auth_suspended;
  g.auth_suspended = true;  // a look at the names, not their use
  OuterNameCheck check(g, scope);
  parse::walk(*e, check);
  g.auth_suspended = saved;
  return check.status;
}

namespace {

// Affinity and collation are worked out before (or without) coding an
// expression: the authorizer is asked about a column when it is coded, in
// SQLite's order (a function's SQLITE_FUNCTION before its arguments' reads),
// not here.
struct AuthQuiet {
  explicit AuthQuiet(CodeGen& g) : g(g), saved(g.auth_suspended) { g.auth_suspended = true; }
  ~AuthQuiet() { g.auth_suspended = saved; }
  CodeGen& g;
  bool saved;
};

}  // namespace

vm::Affinity expr_affinity(CodeGen& g, Scope* scope, const Expr* e) {
  AuthQuiet quiet(g);
  switch (e->kind) {
    case ExprKind::kColumnRef: {
      auto r = resolve_column(g, scope, e->as<parse::ColumnRefExpr>());
      if (!r.ok()) return vm::Affinity::kNone;
      const ColumnRef& c = r.value();
      if (c.alias_expr) {
        AliasExpansion hide(c.alias_scope);
        return expr_affinity(g, c.alias_scope, c.alias_expr);
      }
      if (c.term == nullptr) return vm::Affinity::kNone;
      if (c.col < 0) return vm::Affinity::kInteger;
      return c.term->cols[c.col].affinity;
    }
    case ExprKind::kCast: {
      auto* c = e->as<parse::CastExpr>();
      return c->type.text.empty() ? vm::Affinity::kNumeric : type_affinity(c->type.text);
    }
    case ExprKind::kSubquery: {
      auto cols = select_columns(g, e->as<parse::SubqueryExpr>()->select, scope);
      if (!cols.ok() || cols.value().empty()) return vm::Affinity::kNone;
      return cols.value()[0].affinity;
    }
    case ExprKind::kCollate:
      return expr_affinity(g, scope, e->as<parse::CollateExpr>()->operand);
    case ExprKind::kVector:
      return expr_affinity(g, scope, e->as<parse::VectorExpr>()->items[0]);
    default:
      return vm::Affinity::kNone;
  }
}

namespace {

// The collation of the first of `kids` (in SQLite's operand order) that
// holds an explicit COLLATE: an operator or function takes it from there
// (sqlite3ExprCollSeq follows EP_Collate down pLeft, then the pList).
std::string first_explicit_collation(CodeGen& g, Scope* scope, const std::vector<const Expr*>& kids,
                                     bool* explicit_coll) {
  *explicit_coll = false;
  for (const Expr* k : kids) {
    if (k == nullptr) continue;
    bool ex = false;
    std::string c = expr_collation(g, scope, k, &ex);
    if (ex) {
      *explicit_coll = true;
      return c;
    }
  }
  return "";
}
std::string first_explicit_collation(CodeGen& g, Scope* scope, std::initializer_list<const Expr*> kids,
                                     bool* explicit_coll) {
  return first_explicit_collation(g, scope, std::vector<const Expr*>(kids), explicit_coll);
}

}  // namespace

std::string expr_collation(CodeGen& g, Scope* scope, const Expr* e, bool* explicit_coll) {
  AuthQuiet quiet(g);
  *explicit_coll = false;
  for (;;) {
    switch (e->kind) {
      case ExprKind::kCollate:
        *explicit_coll = true;
        return std::string(e->as<parse::CollateExpr>()->collation.value);
      case ExprKind::kCast:
        e = e->as<parse::CastExpr>()->operand;
        continue;
      case ExprKind::kUnary:
        if (e->as<parse::UnaryExpr>()->op == parse::UnaryOp::kPlus) {
          e = e->as<parse::UnaryExpr>()->operand;
          continue;
        }
        return first_explicit_collation(g, scope, {e->as<parse::UnaryExpr>()->operand}, explicit_coll);
      case ExprKind::kNullTest:
        return first_explicit_collation(g, scope, {e->as<parse::NullTestExpr>()->operand}, explicit_coll);
      case ExprKind::kBetween: {
        auto* b = e->as<parse::BetweenExpr>();
        return first_explicit_collation(g, scope, {b->operand, b->low, b->high}, explicit_coll);
      }
      case ExprKind::kLike: {
        // SQLite codes x LIKE y ESCAPE z as like(y, x, z).
        auto* l = e->as<parse::LikeExpr>();
        return first_explicit_collation(g, scope, {l->pattern, l->left, l->escape}, explicit_coll);
      }
      case ExprKind::kIn: {
        auto* in = e->as<parse::InExpr>();
        std::vector<const Expr*> kids{in->left};
        if (in->rhs == parse::InExpr::Rhs::kList) kids.insert(kids.end(), in->list.begin(), in->list.end());
        return first_explicit_collation(g, scope, kids, explicit_coll);
      }
      case ExprKind::kCase: {
        auto* c = e->as<parse::CaseExpr>();
        std::vector<const Expr*> kids{c->operand};
        for (const parse::WhenThen& wt : c->whens) {
          kids.push_back(wt.when);
          kids.push_back(wt.then);
        }
        kids.push_back(c->else_expr);
        return first_explicit_collation(g, scope, kids, explicit_coll);
      }
      case ExprKind::kFunction: {
        auto* f = e->as<parse::FunctionExpr>();
        std::vector<const Expr*> kids(f->args.begin(), f->args.end());
        return first_explicit_collation(g, scope, kids, explicit_coll);
      }
      case ExprKind::kColumnRef: {
        auto r = resolve_column(g, scope, e->as<parse::ColumnRefExpr>());
        if (!r.ok()) return "";
        const ColumnRef& c = r.value();
        if (c.alias_expr) {
          AliasExpansion hide(c.alias_scope);
          std::string coll = expr_collation(g, c.alias_scope, c.alias_expr, explicit_coll);
          // A flattened column keeps its expression's collation as a column
          // would: never an explicit one (SQLite's substExpr).
          if (c.via) *explicit_coll = false;
          return coll;
        }
        if (c.term == nullptr || c.col < 0) return "";
        return c.term->cols[c.col].collation;
      }
      case ExprKind::kBinary: {
        // An explicit COLLATE propagates up through operators.
        auto* b = e->as<parse::BinaryExpr>();
        bool le = false, re = false;
        std::string l = expr_collation(g, scope, b->left, &le);
        if (le) {
          *explicit_coll = true;
          return l;
        }
        std::string r = expr_collation(g, scope, b->right, &re);
        if (re) {
          *explicit_coll = true;
          return r;
        }
        return "";
      }
      case ExprKind::kVector:
        e = e->as<parse::VectorExpr>()->items[0];
        continue;
      default:
        return "";
    }
  }
}

namespace {

// Whether `e` has a collating sequence of its own without an explicit
// COLLATE (sqlite3ExprCollSeq is not null): a table column has one even
// when it is the default BINARY; the rowid and other expressions do not.
bool is_collated_column(CodeGen& g, Scope* scope, const Expr* e) {
  for (;;) {
    switch (e->kind) {
      case ExprKind::kCast:
        e = e->as<parse::CastExpr>()->operand;
        continue;
      case ExprKind::kUnary:
        if (e->as<parse::UnaryExpr>()->op != parse::UnaryOp::kPlus) return false;
        e = e->as<parse::UnaryExpr>()->operand;
        continue;
      case ExprKind::kVector:
        e = e->as<parse::VectorExpr>()->items[0];
        continue;
      case ExprKind::kColumnRef: {
        auto r = resolve_column(g, scope, e->as<parse::ColumnRefExpr>());
        if (!r.ok()) return false;
        const ColumnRef& c = r.value();
        if (c.alias_expr) {
          if (c.via) return true;  // a flattened expression: collated as a column is
          AliasExpansion hide(c.alias_scope);
          return is_collated_column(g, c.alias_scope, c.alias_expr);
        }
        // An INTEGER PRIMARY KEY column is the rowid, which has none.
        return c.term != nullptr && c.col >= 0 && !(c.term->table && c.col == c.term->table->rowid_alias);
      }
      default:
        return false;
    }
  }
}

}  // namespace

bool expr_has_collation(CodeGen& g, Scope* scope, const Expr* e) {
  bool expl = false;
  std::string c = expr_collation(g, scope, e, &expl);
  return expl || !c.empty() || is_collated_column(g, scope, e);
}

const vm::Collation* compare_collation(CodeGen& g, Scope* scope, const Expr* l, const Expr* r) {
  bool le = false, re = false;
  std::string lc = expr_collation(g, scope, l, &le);
  std::string rc_ = expr_collation(g, scope, r, &re);
  std::string name;
  if (le) {
    name = lc;
  } else if (re) {
    name = rc_;
  } else if (!lc.empty() || is_collated_column(g, scope, l)) {
    name = lc;
  } else {
    name = rc_;
  }
  if (name.empty() || name_eq(name, "BINARY")) return nullptr;
  return g.collation(name);
}

bool expr_is_constant(const Expr* e) {
  switch (e->kind) {
    case ExprKind::kLiteral:
      return true;
    case ExprKind::kUnary:
      return expr_is_constant(e->as<parse::UnaryExpr>()->operand);
    case ExprKind::kBinary:
      return expr_is_constant(e->as<parse::BinaryExpr>()->left) &&
             expr_is_constant(e->as<parse::BinaryExpr>()->right);
    case ExprKind::kCollate:
      return expr_is_constant(e->as<parse::CollateExpr>()->operand);
    case ExprKind::kCast:
      return expr_is_constant(e->as<parse::CastExpr>()->operand);
    default:
      return false;
  }
}

bool expr_has_aggregate(CodeGen& g, const Expr* e) {
  if (e == nullptr) return false;
  switch (e->kind) {
    case ExprKind::kFunction: {
      auto* f = e->as<parse::FunctionExpr>();
      if (f->over || f->over_name.present()) {
        // The window call itself is not an aggregate; aggregates in its
        // arguments, FILTER, PARTITION BY or ORDER BY make the query one.
        for (const Expr* a : f->args) {
          if (expr_has_aggregate(g, a)) return true;
        }
        if (expr_has_aggregate(g, f->filter)) return true;
        if (f->over) {
          for (const Expr* p : f->over->partition_by) {
            if (expr_has_aggregate(g, p)) return true;
          }
          for (const parse::OrderingTerm& t : f->over->order_by) {
            if (expr_has_aggregate(g, t.expr)) return true;
          }
        }
        return false;
      }
      std::string name(f->name.value);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      int n = f->star ? 0 : static_cast<int>(f->args.size);
      const func::FunctionDef* def = g.input().functions ? g.input().functions->find(name, n) : nullptr;
      if (def && def->is_aggregate()) return true;
      for (const Expr* a : f->args) {
        if (expr_has_aggregate(g, a)) return true;
      }
      return false;
    }
    case ExprKind::kUnary:
      return expr_has_aggregate(g, e->as<parse::UnaryExpr>()->operand);
    case ExprKind::kBinary:
      return expr_has_aggregate(g, e->as<parse::BinaryExpr>()->left) ||
             expr_has_aggregate(g, e->as<parse::BinaryExpr>()->right);
    case ExprKind::kLike: {
      auto* l = e->as<parse::LikeExpr>();
      return expr_has_aggregate(g, l->left) || expr_has_aggregate(g, l->pattern) ||
             expr_has_aggregate(g, l->escape);
    }
    case ExprKind::kNullTest:
      return expr_has_aggregate(g, e->as<parse::NullTestExpr>()->operand);
    case ExprKind::kBetween: {
      auto* b = e->as<parse::BetweenExpr>();
      return expr_has_aggregate(g, b->operand) || expr_has_aggregate(g, b->low) ||
             expr_has_aggregate(g, b->high);
    }
    case ExprKind::kIn: {
      auto* in = e->as<parse::InExpr>();
      if (expr_has_aggregate(g, in->left)) return true;
      for (const Expr* x : in->list) {
        if (expr_has_aggregate(g, x)) return true;
      }
      return false;
    }
    case ExprKind::kCase: {
      auto* c = e->as<parse::CaseExpr>();
      if (expr_has_aggregate(g, c->operand) || expr_has_aggregate(g, c->else_expr)) return true;
      for (const parse::WhenThen& w : c->whens) {
        if (expr_has_aggregate(g, w.when) || expr_has_aggregate(g, w.then)) return true;
      }
      return false;
    }
    case ExprKind::kCast:
      return expr_has_aggregate(g, e->as<parse::CastExpr>()->operand);
    case ExprKind::kCollate:
      return expr_has_aggregate(g, e->as<parse::CollateExpr>()->operand);
    case ExprKind::kVector:
      for (const Expr* x : e->as<parse::VectorExpr>()->items) {
        if (expr_has_aggregate(g, x)) return true;
      }
      return false;
    default:
      return false;
  }
}

bool expr_equal(std::string_view sql, const Expr* a, const Expr* b) {
  if (a == nullptr || b == nullptr) return a == b;
  if (a->kind != b->kind) return false;
  switch (a->kind) {
    case ExprKind::kLiteral: {
      auto* x = a->as<parse::LiteralExpr>();
      auto* y = b->as<parse::LiteralExpr>();
      return x->literal == y->literal && x->text == y->text;
    }
    case ExprKind::kColumnRef: {
      auto* x = a->as<parse::ColumnRefExpr>();
      auto* y = b->as<parse::ColumnRefExpr>();
      return name_eq(x->column.value, y->column.value) && name_eq(x->table.value, y->table.value) &&
             name_eq(x->schema.value, y->schema.value);
    }
    case ExprKind::kVariable:
      return a->as<parse::VariableExpr>()->number == b->as<parse::VariableExpr>()->number;
    case ExprKind::kUnary:
      return a->as<parse::UnaryExpr>()->op == b->as<parse::UnaryExpr>()->op &&
             expr_equal(sql, a->as<parse::UnaryExpr>()->operand, b->as<parse::UnaryExpr>()->operand);
    case ExprKind::kBinary: {
      auto* x = a->as<parse::BinaryExpr>();
      auto* y = b->as<parse::BinaryExpr>();
      return x->op == y->op && expr_equal(sql, x->left, y->left) && expr_equal(sql, x->right, y->right);
    }
    case ExprKind::kFunction: {
      auto* x = a->as<parse::FunctionExpr>();
      auto* y = b->as<parse::FunctionExpr>();
      if (!name_eq(x->name.value, y->name.value) || x->star != y->star || x->args.size != y->args.size ||
          x->distinct != y->distinct || x->filter || y->filter || x->over || y->over) {
        return false;
      }
      for (uint32_t i = 0; i < x->args.size; i++) {
        if (!expr_equal(sql, x->args[i], y->args[i])) return false;
      }
      return true;
    }
    case ExprKind::kCollate: {
      auto* x = a->as<parse::CollateExpr>();
      auto* y = b->as<parse::CollateExpr>();
      return name_eq(x->collation.value, y->collation.value) && expr_equal(sql, x->operand, y->operand);
    }
    default: {
      // Fall back to the text with white space removed.
      auto strip = [](std::string_view t) {
        std::string o;
        for (char c : t) {
          if (!std::isspace(static_cast<unsigned char>(c))) o.push_back(static_cast<char>(std::tolower(c)));
        }
        return o;
      };
      return strip(a->span.text(sql)) == strip(b->span.text(sql));
    }
  }
}

}  // namespace keel::plan
