// WHERE analysis and nested loops (SQLite's where.c, wherecode.c,
// whereexpr.c), simplified:
//
// * Terms are the AND-split WHERE clause plus the ON clauses of inner joins.
//   Each is evaluated at the innermost loop level it references (the level
//   where all its tables are positioned); terms without table references run
//   before the loops.
// * Joins run in FROM order. For each level the planner picks the cheapest
//   access among: rowid equality (SeekRowid), an index with the longest
//   equality prefix plus an optional range on the next column, a rowid
//   range, an automatic (transient) index for an equality join on a column
//   without one, or a full scan.
// * Terms used to position a cursor are still tested as filters, so a seek
//   only ever prunes rows, never changes which rows qualify — except a
//   rowid equality, which SeekRowid answers exactly.
// * Every cursor is opened before the outermost loop.
// * LEFT JOIN: ON terms gate the right-hand level; when no row matched, the
//   level's cursor is put on a NULL row and the rest of the loop runs once.
#include <algorithm>

#include "parse/ast_walk.h"
#include "plan/index_method.h"
#include "plan/plan_internal.h"
#include "plan/right_join.h"
#include "plan/where_internal.h"
#include "vm/collation.h"

namespace keel::plan {

using parse::BinaryOp;
using parse::Expr;
using parse::ExprKind;

namespace {

constexpr uint64_t kAllTerms = ~uint64_t{0};

struct TermInfo {
  const Expr* expr;
  uint64_t mask = 0;
  bool on_left_join = false;  // ON term of an outer (LEFT, RIGHT, FULL) join level
  int left_join_level = -1;
  int on_level = -1;    // the level whose ON clause it is (-1: WHERE)
  int code_level = -1;  // the level where it is tested (WHERE and inner ON terms)
};

// Which FROM terms of `scope` the expression references.
// The terms of `scope` a subquery may read: every term one of its column
// references could name (by alias and column, or by column name alone).
// An over-estimate is safe (the subquery is evaluated later than needed);
// an unqualified name matching a result alias counts as every term.
uint64_t subquery_mask(const Scope* scope, const parse::Select* sel) {
  struct Refs : parse::AstVisitor {
    const Scope* scope;
    uint64_t mask = 0;
    bool expr(const parse::Expr& e) override {
      if (e.kind != ExprKind::kColumnRef) return true;
      const auto* c = e.as<parse::ColumnRefExpr>();
      std::string_view col = c->column.value;
      bool rowid =
          vm::stricmp(col, "rowid") == 0 || vm::stricmp(col, "oid") == 0 || vm::stricmp(col, "_rowid_") == 0;
      if (!c->table.present() && scope->aliases) {
        for (const ResultAlias& a : *scope->aliases) {
          if (vm::stricmp(a.name, col) == 0) mask = kAllTerms;
        }
      }
      for (size_t i = 0; i < scope->terms.size(); i++) {
        const FromTerm* t = scope->terms[i];
        if (c->table.present() && vm::stricmp(t->name, c->table.value) != 0) continue;
        bool hit = rowid;
        for (const ColInfo& ci : t->cols) hit = hit || vm::stricmp(ci.name, col) == 0;
        if (hit) mask |= i < 64 ? (uint64_t{1} << i) : kAllTerms;
      }
      // A flattened view's columns come from its body's terms: any level.
      for (const FromTerm* t : scope->flat_terms) {
        if (c->table.present() && vm::stricmp(t->name, c->table.value) != 0) continue;
        for (const ColInfo& ci : t->cols) {
          if (vm::stricmp(ci.name, col) == 0) mask = kAllTerms;
        }
      }
      return true;
    }
  } refs;
  refs.scope = scope;
  parse::walk(*sel, refs);
  return refs.mask;
}

Status expr_mask(CodeGen& g, Scope* scope, const Expr* e, uint64_t* mask) {
  if (e == nullptr) return Status::Ok();
  switch (e->kind) {
    case ExprKind::kColumnRef: {
      auto r = resolve_column(g, scope, e->as<parse::ColumnRefExpr>());
      if (!r.ok()) return r.status();
      const ColumnRef& c = r.value();
      if (c.alias_expr) {
        // An enclosing query's value (a flattened view's column there) is
        // a constant here.
        if (c.alias_scope != scope) return Status::Ok();
        AliasExpansion hide(c.alias_scope);
        return expr_mask(g, c.alias_scope, c.alias_expr, mask);
      }
      if (c.term == nullptr || c.scope != scope) return Status::Ok();
      for (size_t i = 0; i < scope->terms.size(); i++) {
        if (scope->terms[i] == c.term) *mask |= i < 64 ? (uint64_t{1} << i) : kAllTerms;
      }
      return Status::Ok();
    }
    case ExprKind::kExists:
      *mask |= subquery_mask(scope, e->as<parse::ExistsExpr>()->select);
      return Status::Ok();
    case ExprKind::kSubquery:
      *mask |= subquery_mask(scope, e->as<parse::SubqueryExpr>()->select);
      return Status::Ok();
    case ExprKind::kIn: {
      auto* in = e->as<parse::InExpr>();
      if (in->rhs != parse::InExpr::Rhs::kList) *mask = kAllTerms;
      KEEL_RETURN_IF_ERROR(expr_mask(g, scope, in->left, mask));
      for (const Expr* x : in->list) KEEL_RETURN_IF_ERROR(expr_mask(g, scope, x, mask));
      return Status::Ok();
    }
    case ExprKind::kUnary:
      return expr_mask(g, scope, e->as<parse::UnaryExpr>()->operand, mask);
    case ExprKind::kBinary:
      KEEL_RETURN_IF_ERROR(expr_mask(g, scope, e->as<parse::BinaryExpr>()->left, mask));
      return expr_mask(g, scope, e->as<parse::BinaryExpr>()->right, mask);
    case ExprKind::kLike: {
      auto* l = e->as<parse::LikeExpr>();
      KEEL_RETURN_IF_ERROR(expr_mask(g, scope, l->left, mask));
      KEEL_RETURN_IF_ERROR(expr_mask(g, scope, l->pattern, mask));
      return expr_mask(g, scope, l->escape, mask);
    }
    case ExprKind::kNullTest:
      return expr_mask(g, scope, e->as<parse::NullTestExpr>()->operand, mask);
    case ExprKind::kBetween: {
      auto* b = e->as<parse::BetweenExpr>();
      KEEL_RETURN_IF_ERROR(expr_mask(g, scope, b->operand, mask));
      KEEL_RETURN_IF_ERROR(expr_mask(g, scope, b->low, mask));
      return expr_mask(g, scope, b->high, mask);
    }
    case ExprKind::kCase: {
      auto* c = e->as<parse::CaseExpr>();
      KEEL_RETURN_IF_ERROR(expr_mask(g, scope, c->operand, mask));
      KEEL_RETURN_IF_ERROR(expr_mask(g, scope, c->else_expr, mask));
      for (const parse::WhenThen& w : c->whens) {
        KEEL_RETURN_IF_ERROR(expr_mask(g, scope, w.when, mask));
        KEEL_RETURN_IF_ERROR(expr_mask(g, scope, w.then, mask));
      }
      return Status::Ok();
    }
    case ExprKind::kCast:
      return expr_mask(g, scope, e->as<parse::CastExpr>()->operand, mask);
    case ExprKind::kCollate:
      return expr_mask(g, scope, e->as<parse::CollateExpr>()->operand, mask);
    case ExprKind::kFunction: {
      auto* f = e->as<parse::FunctionExpr>();
      for (const Expr* a : f->args) KEEL_RETURN_IF_ERROR(expr_mask(g, scope, a, mask));
      return expr_mask(g, scope, f->filter, mask);
    }
    case ExprKind::kVector:
      for (const Expr* x : e->as<parse::VectorExpr>()->items)
        KEEL_RETURN_IF_ERROR(expr_mask(g, scope, x, mask));
      return Status::Ok();
    default:
      return Status::Ok();
  }
}

int highest_level(uint64_t mask, int n_levels) {
  if (mask == 0) return -1;
  if (mask == kAllTerms) return n_levels - 1;
  int hi = -1;
  for (int i = 0; i < 64 && i < n_levels; i++) {
    if (mask & (uint64_t{1} << i)) hi = i;
  }
  return hi;
}

// A usable constraint `column op expr` on the table of one level.
struct Constraint {
  int col;  // table column, -1 rowid
  BinaryOp op;
  const Expr* value;
  const Expr* column_expr;
  const Expr* source;  // the WHERE/ON term it comes from
  FromTerm* term;
  uint64_t value_mask;  // tables the value depends on
  bool on_left_join;
  int left_join_level;
  // `col IN (list)`: op is kEq, value is null, the lookup runs once per
  // list value (an ephemeral index of the values with the column's affinity).
  const parse::InExpr* in = nullptr;
  std::string coll;  // the comparison's collation, upper case
};

BinaryOp commute(BinaryOp op) {
  switch (op) {
    case BinaryOp::kLt:
      return BinaryOp::kGt;
    case BinaryOp::kLe:
      return BinaryOp::kGe;
    case BinaryOp::kGt:
      return BinaryOp::kLt;
    case BinaryOp::kGe:
      return BinaryOp::kLe;
    default:
      return op;
  }
}

// sqlite3IndexAffinityOk: may a comparison with this affinity use an index
// on a column of affinity `col_aff`?
bool affinity_ok(vm::Affinity cmp, vm::Affinity col_aff) {
  if (cmp == vm::Affinity::kNone || cmp == vm::Affinity::kBlob) return true;
  if (cmp == vm::Affinity::kText) return col_aff == vm::Affinity::kText;
  return vm::is_numeric_affinity(col_aff);
}

std::string coll_name(std::string_view c) {
  if (c.empty()) return "BINARY";
  std::string s(c);
  for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

// Collects constraints on `level`'s table from the terms usable there.
// Every usable `column op value` constraint of the terms, analysed once
// (the join-order search asks for them many times).
Status all_constraints(CodeGen& g, Scope* scope, const std::vector<TermInfo>& terms,
                       std::vector<Constraint>& out) {
  out.clear();
  for (const TermInfo& ti : terms) {
    const Expr* e = ti.expr;
    if (e->kind == ExprKind::kIn) {
      // col IN (constant list): an equality per value.
      auto* in = e->as<parse::InExpr>();
      if (in->negated || in->rhs != parse::InExpr::Rhs::kList || in->list.size == 0) continue;
      if (in->left->kind != ExprKind::kColumnRef) continue;
      auto r = resolve_column(g, scope, in->left->as<parse::ColumnRefExpr>());
      if (!r.ok() || r.value().alias_expr || r.value().scope != scope || r.value().term == nullptr) continue;
      uint64_t vm_mask = 0;
      bool plain = true;
      for (const Expr* x : in->list) {
        KEEL_RETURN_IF_ERROR(expr_mask(g, scope, x, &vm_mask));
        if (x->kind == ExprKind::kCollate || x->kind == ExprKind::kVector) plain = false;
      }
      if (vm_mask != 0 || !plain) continue;
      Constraint c;
      c.col = r.value().col;
      c.term = r.value().term;
      if (c.term->table && c.col == c.term->table->rowid_alias) c.col = -1;
      c.op = BinaryOp::kEq;
      c.value = nullptr;
      c.column_expr = in->left;
      c.source = e;
      c.value_mask = 0;
      c.on_left_join = ti.on_left_join;
      c.left_join_level = ti.left_join_level;
      c.in = in;
      bool expl = false;
      c.coll = coll_name(expr_collation(g, scope, in->left, &expl));
      out.push_back(c);
      continue;
    }
    if (e->kind != ExprKind::kBinary) continue;
    auto* b = e->as<parse::BinaryExpr>();
    if (!(b->op == BinaryOp::kEq || b->op == BinaryOp::kLt || b->op == BinaryOp::kLe ||
          b->op == BinaryOp::kGt || b->op == BinaryOp::kGe || b->op == BinaryOp::kIs)) {
      continue;
    }
    for (int side = 0; side < 2; side++) {
      const Expr* ce = side == 0 ? b->left : b->right;
      const Expr* ve = side == 0 ? b->right : b->left;
      if (ce->kind != ExprKind::kColumnRef) continue;
      auto r = resolve_column(g, scope, ce->as<parse::ColumnRefExpr>());
      if (!r.ok() || r.value().alias_expr || r.value().scope != scope || r.value().term == nullptr) continue;
      FromTerm* t = r.value().term;
      uint64_t vm_mask = 0;
      KEEL_RETURN_IF_ERROR(expr_mask(g, scope, ve, &vm_mask));
      if (vm_mask == kAllTerms) continue;
      int col = r.value().col;
      if (t->table && col == t->table->rowid_alias) col = -1;
      vm::Affinity col_aff = col < 0 ? vm::Affinity::kInteger : t->cols[col].affinity;
      vm::Affinity cmp = vm::comparison_affinity(expr_affinity(g, scope, ce), expr_affinity(g, scope, ve));
      if (!affinity_ok(cmp, col_aff)) continue;
      // The comparison's collation must be the b-tree's: an index column's
      // own collation is checked where the index is considered; the rowid
      // and automatic indexes use the column's.
      const vm::Collation* coll = compare_collation(g, scope, side == 0 ? ce : ve, side == 0 ? ve : ce);
      std::string have = coll ? coll_name(coll->name()) : "BINARY";
      Constraint c;
      c.coll = have;
      c.col = col;
      c.op = side == 0 ? b->op : commute(b->op);
      c.value = ve;
      c.column_expr = ce;
      c.source = e;
      c.term = t;
      c.value_mask = vm_mask;
      c.on_left_join = ti.on_left_join;
      c.left_join_level = ti.left_join_level;
      out.push_back(c);
    }
  }
  return Status::Ok();
}

// The constraints usable at `level` when the tables in `earlier` are placed.
// The right side of a LEFT JOIN, and every level up to the last RIGHT JOIN
// (rj_last), may use only their own ON terms.
void find_constraints(Scope* scope, int level, uint64_t earlier, const std::vector<Constraint>& all,
                      std::vector<Constraint>& out, int rj_last = -1) {
  FromTerm* t = scope->terms[level];
  bool left_join = (t->join & parse::join::kLeft) != 0 || level <= rj_last;
  for (const Constraint& c : all) {
    if (c.term != t) continue;
    if (left_join ? (c.left_join_level != level) : c.on_left_join) continue;
    if ((c.value_mask & ~earlier) != 0) continue;
    out.push_back(c);
  }
}

struct Access {
  // kIndexScan: every entry of `index`, in its order (for ORDER BY or a
  // lone min()/max()).
  enum Kind { kScan, kRowidEq, kRowidRange, kIndex, kAutoIndex, kVirtual, kIndexScan } kind = kScan;
  const Index* index = nullptr;
  int auto_col = -1;
  std::vector<const Constraint*> eq;  // per index column prefix
  const Constraint* lo = nullptr;
  const Constraint* hi = nullptr;
  double cost = 1e9;
  // Rows one execution of the level yields (the join order's estimate of
  // the work of the levels inside it); from the statistics when the table
  // has them.
  double rows = 1e6;
  bool reverse = false;  // scan backwards (ORDER BY ... DESC, max())
  bool minmax = false;   // one row in key order answers a lone min()/max()
};

// Collation of key column k of an index (its own, else the column's).
std::string index_coll(const Index* idx, int k) {
  std::string c = k < static_cast<int>(idx->collations.size()) ? idx->collations[k] : "";
  int col = idx->columns[k];
  if (c.empty() && col >= 0 && idx->table) c = idx->table->columns[col].collation;
  return coll_name(c);
}

// `outer_rows`: how many times the level will run (the rows of the levels
// outside it), used only for tables with statistics, to weigh building an
// automatic index once against scanning each time.
Access choose_access(CodeGen& g, FromTerm* t, const std::vector<Constraint>& cons, int level,
                     double outer_rows = 1) {
  (void)g;
  Access best;
  best.cost = 1e6;
  if (t->vtab) {
    // Planned by best_index (vtab.cpp). For the join order a table-valued
    // function with arguments counts as small, any other virtual table as a
    // full scan.
    best.kind = Access::kVirtual;
    bool args = t->item && t->item->kind == parse::FromItem::Kind::kTableFunction && t->item->func_args.size;
    best.cost = args ? 1e5 : 1e6;
    best.rows = best.cost;
    return best;
  }
  // An automatic index orders by the column's own collation.
  auto auto_ok = [&](const Constraint& c) {
    return c.op == BinaryOp::kEq && c.col >= 0 && !c.in && c.coll == coll_name(t->cols[c.col].collation);
  };
  if (t->table == nullptr) {
    // Materialized subquery: an automatic index on an equality column.
    for (const Constraint& c : cons) {
      if (auto_ok(c) && level > 0) {
        Access a;
        a.kind = Access::kAutoIndex;
        a.auto_col = c.col;
        a.eq.push_back(&c);
        a.cost = 1e3;
        a.rows = 10;
        return a;
      }
    }
    return best;
  }
  // With sqlite_stat1 rows the table's paths are costed from them
  // (where_cost.cpp); without, by the fixed costs below.
  const bool stats = t->table->has_stat1;
  if (stats) {
    best.cost = stat_scan_cost(t->table);
    best.rows = stat_table_rows(t->table);
  }
  if (t->hint != parse::IndexHint::kNotIndexed && !t->table->without_rowid) {
    const Constraint* in_eq = nullptr;
    for (const Constraint& c : cons) {
      if (c.col == -1 && (c.op == BinaryOp::kEq)) {
        if (c.in) {
          if (!in_eq) in_eq = &c;
          continue;
        }
        Access a;
        a.kind = Access::kRowidEq;
        a.eq.push_back(&c);
        a.cost = 1;
        a.rows = 1;
        return a;
      }
    }
    if (in_eq) {
      best.kind = Access::kRowidEq;
      best.eq.push_back(in_eq);
      best.cost = static_cast<double>(in_eq->in->list.size);
      best.rows = best.cost;
    }
  }
  if (t->hint == parse::IndexHint::kNotIndexed) return best;
  for (const Index* idx : t->table->indexes) {
    if (idx->where) continue;  // partial index: its condition must be implied; not attempted
    if (t->hint == parse::IndexHint::kIndexedBy && vm::stricmp(idx->name, t->indexed_by) != 0) continue;
    Access a;
    a.kind = Access::kIndex;
    a.index = idx;
    double in_rows = 1;
    for (int k = 0; k < idx->n_key_columns; k++) {
      int col = idx->columns[k];
      if (col == -2) break;
      // The comparison must use the index column's collation (a NOCASE
      // index cannot answer a BINARY comparison).
      std::string want = index_coll(idx, k);
      const Constraint* eq = nullptr;
      for (const Constraint& c : cons) {
        if (c.col != col || (c.op != BinaryOp::kEq && c.op != BinaryOp::kIs) || c.coll != want) continue;
        if (c.in && (in_rows > 1 || (eq && !eq->in))) continue;  // one IN per lookup; plain = first
        if (eq == nullptr || (eq->in && !c.in)) eq = &c;
      }
      if (eq) {
        a.eq.push_back(eq);
        if (eq->in) in_rows = static_cast<double>(eq->in->list.size);
        continue;
      }
      if (!idx->desc.empty() && idx->desc[k]) break;
      for (const Constraint& c : cons) {
        if (c.col != col || c.in || c.coll != want) continue;
        if ((c.op == BinaryOp::kGt || c.op == BinaryOp::kGe) && !a.lo) a.lo = &c;
        if ((c.op == BinaryOp::kLt || c.op == BinaryOp::kLe) && !a.hi) a.hi = &c;
      }
      break;
    }
    if (a.eq.empty() && !a.lo && !a.hi) {
      if (t->hint == parse::IndexHint::kIndexedBy) {
        a.cost = 1e5;
        best = a;
      }
      continue;
    }
    bool one_row = idx->unique && static_cast<int>(a.eq.size()) == idx->n_key_columns;
    if (!one_row) t->table->stats_used = true;  // SQLite's TF_StatsUsed (PRAGMA optimize)
    if (stats) {
      a.cost = stat_index_cost(t->table, idx, static_cast<int>(a.eq.size()), in_rows, a.lo != nullptr,
                               a.hi != nullptr, &a.rows);
    } else {
      double cost = 1e4;
      for (size_t i = 0; i < a.eq.size(); i++) cost /= 10;
      if (one_row) cost = 2;
      if (a.lo) cost /= 3;
      if (a.hi) cost /= 3;
      a.cost = cost * in_rows;
      a.rows = std::max(1.0, a.cost / 100);
    }
    if (a.cost < best.cost) best = a;
  }
  if (best.kind == Access::kScan && !t->table->without_rowid) {
    Access a;
    a.kind = Access::kRowidRange;
    for (const Constraint& c : cons) {
      if (c.col != -1 || c.in) continue;
      if ((c.op == BinaryOp::kGt || c.op == BinaryOp::kGe) && !a.lo) a.lo = &c;
      if ((c.op == BinaryOp::kLt || c.op == BinaryOp::kLe) && !a.hi) a.hi = &c;
    }
    if (a.lo || a.hi) {
      a.cost = stats ? stat_rowid_range_cost(t->table, a.lo != nullptr, a.hi != nullptr, &a.rows) : 1e5;
      if (!stats) a.rows = a.cost;
      if (!stats || a.cost < best.cost) return a;
    }
  }
  if (best.kind == Access::kScan && level > 0 && !t->table->without_rowid) {
    for (const Constraint& c : cons) {
      if (auto_ok(c)) {
        Access a;
        a.kind = Access::kAutoIndex;
        a.auto_col = c.col;
        a.eq.push_back(&c);
        a.cost = 1e3;
        a.rows = 10;
        // With statistics, only when building it once beats scanning the
        // table for every outer row (SQLite's rSetup against rRun).
        if (stats && (a.cost = stat_auto_index_cost(t->table, outer_rows, &a.rows)) >= best.cost) break;
        return a;
      }
    }
  }
  return best;
}

// ORDER BY (or a lone min()/max()) from the outermost level's scan order:
// the access already chosen may give it; a full scan may move to an index
// that does (SQLite prefers that to sorting when it has no statistics).
bool plan_order(FromTerm* t, Access& acc, const std::vector<OrderKey>& keys, bool minmax) {
  if (keys.empty() || t->table == nullptr || t->vtab || t->ephemeral) return false;
  for (const OrderKey& k : keys) {
    if (k.term != t) return false;
  }
  auto eq_cols = [&]() {
    std::vector<int> cols;
    for (const Constraint* c : acc.eq) cols.push_back(c->col);
    return cols;
  };
  bool reverse = false;
  switch (acc.kind) {
    case Access::kRowidEq:
      if (acc.eq[0]->in) return false;
      return !minmax;  // one row: any order
    case Access::kRowidRange:
      if (!scan_gives_order(t, nullptr, {}, keys, &reverse)) return false;
      acc.reverse = reverse;
      return true;
    case Access::kIndex:
      for (const Constraint* c : acc.eq) {
        if (c->in) return false;
      }
      if (!scan_gives_order(t, acc.index, eq_cols(), keys, &reverse)) return false;
      acc.reverse = reverse;
      acc.minmax = minmax;
      return true;
    case Access::kScan:
      // An index method may take over the scan (index_method.cpp), in its
      // own order.
      if (!t->table->method_indexes.empty()) return false;
      break;
    default:
      return false;
  }
  if (t->table->without_rowid ? true : !minmax) {
    if (scan_gives_order(t, nullptr, {}, keys, &reverse)) {
      acc.reverse = reverse;
      return true;
    }
  }
  if (t->hint == parse::IndexHint::kNotIndexed) return false;
  for (const Index* idx : t->table->indexes) {
    if (idx->where) continue;
    if (t->hint == parse::IndexHint::kIndexedBy && vm::stricmp(idx->name, t->indexed_by) != 0) continue;
    if (!scan_gives_order(t, idx, {}, keys, &reverse)) continue;
    acc.kind = Access::kIndexScan;
    acc.index = idx;
    acc.reverse = reverse;
    acc.minmax = minmax;
    return true;
  }
  return false;
}

// A WHERE term `d1 OR d2 OR ...` each of whose disjuncts one index (or the
// rowid) answers: SQLite's MULTI-INDEX OR. Each disjunct's lookup runs in
// turn; a rowid already produced is skipped (an ephemeral index of them),
// and the loop body runs as a subroutine for every new row.
struct OrPlan {
  const Expr* term = nullptr;
  std::vector<std::vector<Constraint>> cons;  // per disjunct
  std::vector<Access> acc;
  std::vector<int> cursors;  // index cursor per disjunct (-1: rowid)
};

void split_or(const Expr* e, std::vector<const Expr*>& out) {
  if (e->kind == ExprKind::kBinary && e->as<parse::BinaryExpr>()->op == BinaryOp::kOr) {
    split_or(e->as<parse::BinaryExpr>()->left, out);
    split_or(e->as<parse::BinaryExpr>()->right, out);
    return;
  }
  out.push_back(e);
}

Status plan_multi_or(CodeGen& g, Scope* scope, const std::vector<TermInfo>& terms, int level, OrPlan& plan,
                     bool* found) {
  *found = false;
  FromTerm* t = scope->terms[level];
  if (!t->table || t->ephemeral || t->vtab || t->table->without_rowid || level >= 63) return Status::Ok();
  if (t->hint != parse::IndexHint::kNone || (t->join & parse::join::kLeft)) return Status::Ok();
  uint64_t self = uint64_t{1} << level, earlier = self - 1;
  for (const TermInfo& ti : terms) {
    if (ti.on_left_join || !(ti.mask & self) || (ti.mask & ~(self | earlier))) continue;
    if (ti.expr->kind != ExprKind::kBinary || ti.expr->as<parse::BinaryExpr>()->op != BinaryOp::kOr) continue;
    std::vector<const Expr*> parts;
    split_or(ti.expr, parts);
    OrPlan p;
    p.term = ti.expr;
    p.cons.resize(parts.size());
    bool ok = true;
    for (size_t k = 0; k < parts.size() && ok; k++) {
      // A disjunct may be an AND of terms (b = 4 AND c > 5).
      std::vector<const Expr*> conj;
      split_and(parts[k], conj);
      std::vector<TermInfo> one;
      for (const Expr* c : conj) {
        uint64_t m = 0;
        KEEL_RETURN_IF_ERROR(expr_mask(g, scope, c, &m));
        one.push_back({c, m});
      }
      std::vector<Constraint> all;
      KEEL_RETURN_IF_ERROR(all_constraints(g, scope, one, all));
      for (const Constraint& c : all) {
        if (c.term == t && (c.value_mask & ~earlier) == 0 && !c.in) p.cons[k].push_back(c);
      }
      if (p.cons[k].empty()) ok = false;
    }
    if (!ok) continue;
    // Equalities on one column throughout are an IN list to SQLite
    // (whereCombineDisjuncts), not a MULTI-INDEX OR.
    bool one_column = true;
    for (size_t k = 0; k < parts.size(); k++) {
      const Constraint& c = p.cons[k][0];
      if (p.cons[k].size() != 1 || c.op != BinaryOp::kEq || c.col != p.cons[0][0].col) one_column = false;
    }
    if (one_column) continue;
    for (size_t k = 0; k < parts.size() && ok; k++) {
      Access a = choose_access(g, t, p.cons[k], level);
      bool usable = (a.kind == Access::kRowidEq || a.kind == Access::kIndex);
      for (const Constraint* c : a.eq) usable = usable && !c->in;
      if (!usable) ok = false;
      p.acc.push_back(a);
    }
    if (!ok) continue;
    plan = std::move(p);
    *found = true;
    return Status::Ok();
  }
  return Status::Ok();
}

// Evaluates a seek key value with the column's affinity applied.
Status code_key(CodeGen& g, Scope* scope, const Constraint* c, vm::Affinity col_aff, int reg) {
  KEEL_RETURN_IF_ERROR(code_expr(g, scope, c->value, reg));
  vm::Affinity cmp =
      vm::comparison_affinity(expr_affinity(g, scope, c->column_expr), expr_affinity(g, scope, c->value));
  if (cmp != vm::Affinity::kNone && cmp != vm::Affinity::kBlob && col_aff != vm::Affinity::kBlob) {
    char aff[2] = {static_cast<char>(col_aff), 0};
    int a = g.emit(Op::Affinity, reg, 1);
    g.set_p4_affinity(a, aff);
  }
  return Status::Ok();
}

// Codes a MULTI-INDEX OR level (see OrPlan): the lookups, then the body as
// a subroutine (lv.top; where_end returns from it at lv.cont).
Status code_multi_or(CodeGen& g, Scope* scope, FromTerm* t, const OrPlan& plan, const std::string& label,
                     WhereLevel& lv) {
  int seen = g.new_cursor();
  auto ki = std::make_unique<vm::KeyInfo>();
  ki->n_key_field = 1;
  ki->n_all_field = 1;
  ki->collations.push_back(nullptr);
  ki->sort_flags.push_back(0);
  int open = g.emit(Op::OpenEphemeral, seen, 1);
  g.set_p4_keyinfo(open, std::move(ki));
  int ret = g.new_reg(), rowid = g.new_reg(), rec = g.new_reg();
  int body = g.new_label();
  int parent = g.plan_row(g.plan_parent, "MULTI-INDEX OR");
  auto col_name = [&](int col) { return col < 0 ? std::string("rowid") : t->cols[col].name; };
  for (size_t k = 0; k < plan.acc.size(); k++) {
    const Access& a = plan.acc[k];
    int part = g.plan_row(parent, "INDEX " + std::to_string(k + 1));
    int done = g.new_label(), next = g.new_label();
    // Each new rowid: remember it, position the table, run the body.
    auto emit_row = [&]() {
      int f = g.emit(Op::Found, seen, next, rowid);
      g.set_p4_int(f, 1);
      g.emit(Op::MakeRecord, rowid, 1, rec);
      g.emit(Op::IdxInsert, seen, rec);
      g.emit(Op::SeekRowid, t->cursor, next, rowid);
      g.emit(Op::Gosub, ret, body);
    };
    if (a.kind == Access::kRowidEq) {
      KEEL_RETURN_IF_ERROR(code_expr(g, scope, a.eq[0]->value, rowid));
      g.emit(Op::MustBeInt, rowid, done);
      emit_row();
      g.bind(next);
      g.bind(done);
      g.plan_row(part, "SEARCH " + label + " USING INTEGER PRIMARY KEY (rowid=?)");
      continue;
    }
    int cur = plan.cursors[k];
    int n_eq = static_cast<int>(a.eq.size());
    std::string desc;
    int key = g.new_reg(n_eq + 1);
    for (int e = 0; e < n_eq; e++) {
      int col = a.index->columns[e];
      vm::Affinity aff = col < 0 ? vm::Affinity::kInteger : t->cols[col].affinity;
      KEEL_RETURN_IF_ERROR(code_key(g, scope, a.eq[e], aff, key + e));
      if (a.eq[e]->op == BinaryOp::kEq) g.emit(Op::IsNull, key + e, done);
      desc += (e ? " AND " : "") + col_name(col) + "=?";
    }
    int range_col = n_eq < a.index->n_key_columns ? a.index->columns[n_eq] : -1;
    vm::Affinity range_aff = range_col >= 0 ? t->cols[range_col].affinity : vm::Affinity::kInteger;
    int end_key = 0;
    if (a.hi) {
      end_key = g.new_reg(n_eq + 1);
      if (n_eq) g.emit(Op::Copy, key, end_key, n_eq - 1);
      KEEL_RETURN_IF_ERROR(code_key(g, scope, a.hi, range_aff, end_key + n_eq));
      g.emit(Op::IsNull, end_key + n_eq, done);
    }
    if (a.lo) {
      KEEL_RETURN_IF_ERROR(code_key(g, scope, a.lo, range_aff, key + n_eq));
      g.emit(Op::IsNull, key + n_eq, done);
      int sk = g.emit(a.lo->op == BinaryOp::kGt ? Op::SeekGT : Op::SeekGE, cur, done, key);
      g.set_p4_int(sk, n_eq + 1);
      desc += std::string(desc.empty() ? "" : " AND ") + col_name(range_col) + ">?";
    } else if (a.hi) {
      g.emit(Op::Null, 0, key + n_eq);
      int sk = g.emit(Op::SeekGT, cur, done, key);
      g.set_p4_int(sk, n_eq + 1);
    } else {
      int sk = g.emit(Op::SeekGE, cur, done, key);
      g.set_p4_int(sk, n_eq);
    }
    if (a.hi) desc += std::string(desc.empty() ? "" : " AND ") + col_name(range_col) + "<?";
    int top = g.addr();
    if (a.hi) {
      int x = g.emit(a.hi->op == BinaryOp::kLt ? Op::IdxGE : Op::IdxGT, cur, done, end_key);
      g.set_p4_int(x, n_eq + 1);
    } else if (n_eq > 0) {
      int x = g.emit(Op::IdxGT, cur, done, key);
      g.set_p4_int(x, n_eq);
    }
    g.emit(Op::IdxRowid, cur, rowid);
    emit_row();
    g.bind(next);
    g.emit(Op::Next, cur, top);
    g.bind(done);
    g.plan_row(part, "SEARCH " + label + " USING INDEX " + a.index->name + " (" + desc + ")");
  }
  g.emit(Op::Goto, 0, lv.brk);
  g.bind(body);
  lv.top = g.addr();
  lv.next_op = Op::Return;
  lv.next_cursor = ret;
  return Status::Ok();
}

}  // namespace

Status where_expr_mask(CodeGen& g, Scope* scope, const Expr* e, uint64_t* mask) {
  return expr_mask(g, scope, e, mask);
}

void split_and(const Expr* e, std::vector<const Expr*>& out) {
  if (e == nullptr) return;
  if (e->kind == ExprKind::kBinary && e->as<parse::BinaryExpr>()->op == BinaryOp::kAnd) {
    split_and(e->as<parse::BinaryExpr>()->left, out);
    split_and(e->as<parse::BinaryExpr>()->right, out);
    return;
  }
  out.push_back(e);
}

Status where_begin(CodeGen& g, Scope* scope, const Expr* where, WhereInfo& w,
                   const parse::List<parse::OrderingTerm>* order_by) {
  (void)order_by;
  int n = static_cast<int>(scope->terms.size());
  std::vector<TermInfo> terms;
  {
    std::vector<const Expr*> split;
    split_and(where, split);
    for (const Expr* e : split) terms.push_back({e});
    for (int i = 0; i < n; i++) {
      FromTerm* t = scope->terms[i];
      if (!t->on) continue;
      std::vector<const Expr*> on;
      split_and(t->on, on);
      bool outer = (t->join & (parse::join::kLeft | parse::join::kRight)) != 0;
      for (const Expr* e : on) {
        TermInfo ti{e};
        ti.on_left_join = outer;
        ti.left_join_level = outer ? i : -1;
        ti.on_level = i;
        terms.push_back(ti);
      }
    }
  }
  for (TermInfo& ti : terms) {
    KEEL_RETURN_IF_ERROR(expr_mask(g, scope, ti.expr, &ti.mask));
  }
  // Join order: without LEFT or CROSS joins, greedily pick next the table
  // with the cheapest access given the tables already placed (FROM order
  // breaks ties), as SQLite's solver would for these small joins.
  bool reorder = n > 1 && n <= 64;
  for (FromTerm* t : scope->terms) {
    if (t->join & (parse::join::kLeft | parse::join::kCross | parse::join::kRight)) reorder = false;
  }
  std::vector<Constraint> all_cons;
  if (reorder) {
    KEEL_RETURN_IF_ERROR(all_constraints(g, scope, terms, all_cons));
    // A table-valued function can only follow the terms its arguments read.
    std::vector<uint64_t> prereq(n, 0);
    for (int j = 0; j < n; j++) {
      const FromTerm* t = scope->terms[j];
      if (!t->vtab || !t->item || t->item->kind != parse::FromItem::Kind::kTableFunction) continue;
      for (const Expr* a : t->item->func_args) KEEL_RETURN_IF_ERROR(expr_mask(g, scope, a, &prereq[j]));
      prereq[j] &= ~(uint64_t{1} << j);
    }
    // When a table has sqlite_stat1 statistics, each candidate is weighed
    // with one level of look-ahead, as SQLite's solver weighs a path: its
    // own cost plus its rows times the cheapest next level.
    bool any_stats = false;
    for (const FromTerm* t : scope->terms) any_stats = any_stats || (t->table && t->table->has_stat1);
    std::vector<int> order;
    uint64_t placed = 0;
    double outer = 1;  // rows of the levels placed so far
    auto access_of = [&](int j, uint64_t before, int step, double outer_rows) {
      std::vector<Constraint> cons;
      find_constraints(scope, j, before, all_cons, cons);
      return choose_access(g, scope->terms[j], cons, step, outer_rows);
    };
    for (int step = 0; step < n; step++) {
      int best = -1;
      double best_cost = 0, best_rows = 1;
      for (int j = 0; j < n; j++) {
        if (placed & (uint64_t{1} << j)) continue;
        if (prereq[j] & ~placed) continue;
        Access a = access_of(j, placed, step, outer);
        double cost = a.cost;
        if (any_stats) {
          uint64_t with = placed | (uint64_t{1} << j);
          double next = -1;
          for (int k = 0; k < n; k++) {
            if ((with & (uint64_t{1} << k)) || (prereq[k] & ~with)) continue;
            double c = access_of(k, with, step + 1, outer * a.rows).cost;
            if (next < 0 || c < next) next = c;
          }
          cost = outer * a.cost + (next < 0 ? 0 : outer * a.rows * next);
        }
        if (best < 0 || cost < best_cost) {
          best = j;
          best_cost = cost;
          best_rows = a.rows;
        }
      }
      outer *= std::max(1.0, best_rows);
      if (best < 0) break;  // arguments that can never be computed: keep FROM order
      order.push_back(best);
      placed |= uint64_t{1} << best;
    }
    std::vector<FromTerm*> permuted;
    for (int j : order) permuted.push_back(scope->terms[j]);
    if (static_cast<int>(order.size()) == n) scope->terms = permuted;
    for (TermInfo& ti : terms) {
      ti.mask = 0;
      KEEL_RETURN_IF_ERROR(expr_mask(g, scope, ti.expr, &ti.mask));
    }
  }
  KEEL_RETURN_IF_ERROR(all_constraints(g, scope, terms, all_cons));
  // RIGHT JOIN (right_join.h): loops in FROM order; WHERE terms wait for
  // the last RIGHT JOIN level, inner ON terms for their own level.
  const int rj_last = last_right_join_level(scope);
  w.rj_last = rj_last;
  // An inner join's ON term that reads no term is tested before the loops
  // only when it is a constant (SQLite 3.40's sqlite3ExprIsConstantNotJoin:
  // a false one then ends the whole join, unmatched rows included); one
  // with a subquery or an outer query's column waits for its own level, as
  // does one whose mask is the over-estimate of a subquery (it reads no
  // term to its right).
  for (TermInfo& ti : terms) {
    ti.code_level = highest_level(ti.mask, n);
    if (rj_last < 0 || ti.on_left_join) continue;
    if (ti.on_level >= 0) {
      if (ti.mask == 0 && join_term_is_constant(g, ti.expr)) continue;
      ti.code_level = ti.mask == kAllTerms ? ti.on_level : std::max(ti.code_level, ti.on_level);
    } else if (ti.mask != 0) {
      ti.code_level = std::max(ti.code_level, rj_last);
    }
  }
  // An ON term may read only its own term and those to its left: always for
  // an outer join, and for an inner join when the FROM has a RIGHT JOIN
  // (exprAnalyze). A subquery's mask is an over-estimate: not checked.
  for (const TermInfo& ti : terms) {
    if (ti.on_level < 0 || ti.mask == kAllTerms || (!ti.on_left_join && rj_last < 0)) continue;
    if (highest_level(ti.mask, n) > ti.on_level && !right_join_has_subquery(ti.expr))
      return Status(rc::kError, "ON clause references tables to its right");
  }
  // Aggregates are not allowed in WHERE / ON (code_expr reports the misuse).
  bool saved_allow = scope->allow_agg;
  scope->allow_agg = false;
  struct Restore {
    Scope* s;
    bool v;
    ~Restore() { s->allow_agg = v; }
  } restore{scope, saved_allow};
  w.brk = g.new_label();
  // Terms with no table reference: test once, before any loop.
  for (const TermInfo& ti : terms) {
    if (ti.mask == 0 && !ti.on_left_join && ti.code_level < 0)
      KEEL_RETURN_IF_ERROR(code_if_false(g, scope, ti.expr, w.brk, true));
  }
  w.levels.resize(n);
  std::vector<VtabTerm> vtab_terms;
  std::vector<const Expr*> omitted;  // terms a virtual table checks itself
  for (const TermInfo& ti : terms)
    vtab_terms.push_back({ti.expr, ti.mask, ti.on_left_join, ti.left_join_level});
  // Access paths first, so every cursor is opened once before the loops
  // (opening one inside an outer loop would redo it for every outer row).
  std::vector<std::vector<Constraint>> level_cons(n);
  std::vector<Access> level_acc(n);
  std::vector<int> level_idx_cur(n, -1);
  std::vector<OrPlan> level_or(n);
  std::vector<bool> use_or(n, false);
  w.order_satisfied = false;
  resolve_order_keys(g, scope, w.order_keys);
  double level_outer = 1;  // rows of the levels outside level i
  for (int i = 0; i < n; i++) {
    FromTerm* t = scope->terms[i];
    find_constraints(scope, i, i >= 64 ? 0 : ((uint64_t{1} << i) - 1), all_cons, level_cons[i], rj_last);
    level_acc[i] = choose_access(g, t, level_cons[i], i, level_outer);
    if (t->coroutine_yield) level_acc[i] = Access{};  // rows come one at a time: a scan
    level_outer *= std::max(1.0, level_acc[i].rows);
    if (i == 0 && !w.order_keys.empty() && rj_last < 0) {
      bool ok = plan_order(t, level_acc[0], w.order_keys, w.minmax != 0);
      w.order_satisfied = ok && (w.minmax == 0 || level_acc[0].minmax);
      if (ok && !w.order_satisfied) level_acc[0].reverse = false;
    }
    if (level_acc[i].kind == Access::kScan && !(i == 0 && w.order_satisfied) && w.minmax == 0 &&
        !(t->table && !t->table->method_indexes.empty()) && i > rj_last) {
      bool found = false;
      KEEL_RETURN_IF_ERROR(plan_multi_or(g, scope, terms, i, level_or[i], &found));
      use_or[i] = found;
    }
    if (t->table && !t->ephemeral) {
      w.levels[i].open_addr = g.addr();
      open_table(g, t->table, t->cursor, false);
    }
    if (use_or[i]) {
      for (const Access& a : level_or[i].acc) {
        int c = -1;
        if (a.kind == Access::kIndex) {
          c = g.new_cursor();
          open_index(g, a.index, c, false);
        }
        level_or[i].cursors.push_back(c);
      }
    }
    Access::Kind k = level_acc[i].kind;
    if (k == Access::kIndex || k == Access::kAutoIndex || k == Access::kIndexScan) {
      level_idx_cur[i] = g.new_cursor();
      if (k != Access::kAutoIndex) open_index(g, level_acc[i].index, level_idx_cur[i], false);
    }
  }
  if (rj_last >= 0) {
    for (int i = 0; i < n; i++) w.levels[i].term = scope->terms[i];
    KEEL_RETURN_IF_ERROR(right_join_open(g, w));
    // The outermost loop ends into the unmatched-row passes; w.brk (LIMIT,
    // a false constant term) skips them.
    w.rj_loop_end = g.new_label();
  }
  for (int i = 0; i < n; i++) {
    FromTerm* t = scope->terms[i];
    WhereLevel& lv = w.levels[i];
    lv.term = t;
    t->level = i;
    bool left = (t->join & parse::join::kLeft) != 0;
    // A LEFT JOIN level leaves through its NULL-row check.
    lv.brk = left ? g.new_label() : i > 0 ? w.levels[i - 1].cont : rj_last < 0 ? w.brk : w.rj_loop_end;
    lv.cont = g.new_label();
    if (left) {
      lv.left_join_match = g.new_reg();
      g.emit(Op::Integer, 0, lv.left_join_match);
    }
    const Access& acc = level_acc[i];
    // A rowid equality is answered exactly by SeekRowid (which converts the
    // value as the comparison would): its term is not tested again, as SQLite.
    const Expr* coded = acc.kind == Access::kRowidEq && !acc.eq[0]->in ? acc.eq[0]->source : nullptr;
    std::string tname = t->table ? t->table->name : t->name;
    std::string label = tname;
    if (t->item && t->item->alias.present() && t->table) label = tname + " AS " + t->name;
    int top;
    lv.code_start = g.addr();
    // `col IN (list)` driving the lookup: loop over an ephemeral index of
    // the list's values (with the column's affinity and collation, so equal
    // values seek once); a seek that finds nothing moves to the next value.
    int sbrk = lv.brk;
    const Constraint* in_c = nullptr;
    for (const Constraint* c : acc.eq) {
      if (c->in) in_c = c;
    }
    int in_key = 0;
    if (in_c && (acc.kind == Access::kRowidEq || acc.kind == Access::kIndex)) {
      int col = in_c->col;
      vm::Affinity aff = col < 0 ? vm::Affinity::kInteger : t->cols[col].affinity;
      int eph = g.new_cursor();
      // Built once when the values are constants; values that read an
      // outer query's row are collected again each time the level starts.
      bool constant = true;
      for (const Expr* x : in_c->in->list) constant = constant && expr_is_constant(x);
      int once = constant ? g.emit(Op::Once, 0, 0) : -1;
      auto ki = std::make_unique<vm::KeyInfo>();
      ki->n_key_field = 1;
      ki->n_all_field = 1;
      const vm::Collation* coll = nullptr;
      if (col >= 0 && acc.kind == Access::kIndex) {
        for (int k = 0; k < static_cast<int>(acc.eq.size()); k++) {
          if (acc.eq[k] == in_c) {
            std::string cn = index_coll(acc.index, k);
            if (cn != "BINARY") coll = g.collation(cn);
          }
        }
      }
      ki->collations.push_back(coll);
      ki->sort_flags.push_back(0);
      int op = g.emit(Op::OpenEphemeral, eph, 1);
      g.set_p4_keyinfo(op, std::move(ki));
      int v = g.new_reg(), rec = g.new_reg();
      char affs[2] = {static_cast<char>(aff), 0};
      for (const Expr* x : in_c->in->list) {
        KEEL_RETURN_IF_ERROR(code_expr(g, scope, x, v));
        int mk = g.emit(Op::MakeRecord, v, 1, rec);
        g.set_p4_affinity(mk, affs);
        g.emit(Op::IdxInsert, eph, rec);
      }
      if (once >= 0) g.at(once).p2 = g.addr();
      in_key = g.new_reg();
      g.emit(Op::Rewind, eph, lv.brk);
      lv.in_loop_cursor = eph;
      lv.in_loop_top = g.addr();
      lv.in_loop_next = g.new_label();
      g.emit(Op::Column, eph, 0, in_key);
      g.emit(Op::IsNull, in_key, lv.in_loop_next);
      sbrk = lv.in_loop_next;
    }
    if (use_or[i]) {
      KEEL_RETURN_IF_ERROR(code_multi_or(g, scope, t, level_or[i], label, lv));
      top = lv.top;
    } else
      switch (acc.kind) {
        case Access::kVirtual:
          if (i <= rj_last && !left) {
            // Up to the last RIGHT JOIN only the level's own ON terms
            // constrain it.
            std::vector<VtabTerm> own;
            for (const TermInfo& ti : terms) {
              if (ti.on_level == i) own.push_back({ti.expr, ti.mask, false, -1});
            }
            // SQLite's ON-clause rule leaves out a table-valued function's
            // arguments at a RIGHT JOIN's right operand (constraintCompatible-
            // WithOuterJoin): the main loop scans it without them.
            bool args = !(t->join & parse::join::kRight);
            KEEL_RETURN_IF_ERROR(code_vtab_level(g, scope, i, own, order_by, lv, omitted, args));
          } else {
            KEEL_RETURN_IF_ERROR(code_vtab_level(g, scope, i, vtab_terms, order_by, lv, omitted));
          }
          top = lv.top;
          break;
        case Access::kRowidEq: {
          int key = g.new_reg();
          if (in_c) {
            g.emit(Op::SCopy, in_key, key);
          } else {
            KEEL_RETURN_IF_ERROR(code_expr(g, scope, acc.eq[0]->value, key));
          }
          g.emit(Op::SeekRowid, t->cursor, sbrk, key);
          lv.single_row = true;
          top = g.addr();
          g.plan_row(g.plan_parent, "SEARCH " + label + " USING INTEGER PRIMARY KEY (rowid=?)");
          break;
        }
        case Access::kRowidRange: {
          std::string desc;
          // SQLite names a bound by its side only: rowid>? and rowid<?.
          if (acc.lo) desc = "rowid>?";
          if (acc.hi) desc += (desc.empty() ? "" : " AND ") + std::string("rowid<?");
          // Forward: seek to the low bound, stop past the high one; backward
          // (ORDER BY rowid DESC) the other way round.
          const Constraint* start = acc.reverse ? acc.hi : acc.lo;
          const Constraint* stop = acc.reverse ? acc.lo : acc.hi;
          if (start) {
            int key = g.new_reg();
            KEEL_RETURN_IF_ERROR(code_expr(g, scope, start->value, key));
            Op seek = start->op == BinaryOp::kGt   ? Op::SeekGT
                      : start->op == BinaryOp::kGe ? Op::SeekGE
                      : start->op == BinaryOp::kLt ? Op::SeekLT
                                                   : Op::SeekLE;
            g.emit(seek, t->cursor, lv.brk, key);
          } else {
            g.emit(acc.reverse ? Op::Last : Op::Rewind, t->cursor, lv.brk);
          }
          int end = 0;
          if (stop) {
            end = g.new_reg();
            KEEL_RETURN_IF_ERROR(code_expr(g, scope, stop->value, end));
          }
          top = g.addr();
          if (stop) {
            int r = g.new_reg();
            g.emit(Op::Rowid, t->cursor, r);
            BinaryOp past = stop->op == BinaryOp::kLt   ? BinaryOp::kGe
                            : stop->op == BinaryOp::kLe ? BinaryOp::kGt
                            : stop->op == BinaryOp::kGt ? BinaryOp::kLe
                                                        : BinaryOp::kLt;
            code_compare_jump(g, past, r, end, vm::Affinity::kNumeric, nullptr, lv.brk, true);
          }
          lv.next_op = acc.reverse ? Op::Prev : Op::Next;
          lv.next_cursor = t->cursor;
          g.plan_row(g.plan_parent, "SEARCH " + label + " USING INTEGER PRIMARY KEY (" + desc + ")");
          break;
        }
        case Access::kIndex:
        case Access::kIndexScan:
        case Access::kAutoIndex: {
          int idx_cur = level_idx_cur[i];
          int n_eq = static_cast<int>(acc.eq.size());
          std::string desc;
          auto col_name = [&](int col) { return col < 0 ? std::string("rowid") : t->cols[col].name; };
          std::vector<vm::Affinity> affs;
          if (acc.kind == Access::kAutoIndex) {
            // Build a transient index on (column, rowid) once.
            int once = g.emit(Op::Once, 0, 0);
            auto ki = std::make_unique<vm::KeyInfo>();
            ki->n_key_field = 1;
            ki->n_all_field = 2;
            const std::string& cn = t->cols[acc.auto_col].collation;
            ki->collations.push_back(cn.empty() ? nullptr : g.collation(cn));
            int open = g.emit(Op::OpenAutoindex, idx_cur, 2);
            g.set_p4_keyinfo(open, std::move(ki));
            int done = g.new_label();
            g.emit(Op::Rewind, t->cursor, done);
            int loop = g.addr();
            int regs = g.new_reg(3);
            code_column(g, t, acc.auto_col, regs);
            g.emit(Op::Rowid, t->cursor, regs + 1);
            g.emit(Op::MakeRecord, regs, 2, regs + 2);
            g.emit(Op::IdxInsert, idx_cur, regs + 2);
            g.emit(Op::Next, t->cursor, loop);
            g.bind(done);
            g.at(once).p2 = g.addr();
            affs.push_back(t->cols[acc.auto_col].affinity);
            desc = col_name(acc.auto_col) + "=?";
          } else {
            for (int k = 0; k < n_eq; k++) {
              int col = acc.index->columns[k];
              affs.push_back(col < 0 ? vm::Affinity::kInteger : t->cols[col].affinity);
              desc += (k ? " AND " : "") + col_name(col) + "=?";
            }
          }
          int range_col = acc.index && n_eq < acc.index->n_key_columns ? acc.index->columns[n_eq] : -1;
          vm::Affinity range_aff = range_col >= 0 ? t->cols[range_col].affinity : vm::Affinity::kInteger;
          int key = g.new_reg(n_eq + 1);
          for (int k = 0; k < n_eq; k++) {
            if (acc.eq[k]->in) {
              g.emit(Op::SCopy, in_key, key + k);
              continue;
            }
            KEEL_RETURN_IF_ERROR(code_key(g, scope, acc.eq[k], affs[k], key + k));
            if (acc.eq[k]->op == BinaryOp::kEq) g.emit(Op::IsNull, key + k, lv.brk);
          }
          // The bounds of the range column, in scan direction: the seek goes
          // to `start`, the scan stops past `stop`.
          const Constraint* start = acc.reverse ? acc.hi : acc.lo;
          const Constraint* stop = acc.reverse ? acc.lo : acc.hi;
          int end_key = 0;
          if (stop) {
            end_key = g.new_reg(n_eq + 1);
            if (n_eq) g.emit(Op::Copy, key, end_key, n_eq - 1);
            KEEL_RETURN_IF_ERROR(code_key(g, scope, stop, range_aff, end_key + n_eq));
            g.emit(Op::IsNull, end_key + n_eq, lv.brk);
          }
          if (acc.lo) desc += std::string(desc.empty() ? "" : " AND ") + col_name(range_col) + ">?";
          if (acc.hi) desc += std::string(desc.empty() ? "" : " AND ") + col_name(range_col) + "<?";
          // min() reads its column in ascending order, where NULLs come
          // first: skip them (backwards through a DESC column they are at
          // the end of the index, so the seek starts before them).
          bool skip_nulls = acc.minmax && w.minmax == 1 && !start && n_eq < acc.index->n_key_columns &&
                            acc.index->columns[n_eq] == w.order_keys[0].col;
          if (start) {
            KEEL_RETURN_IF_ERROR(code_key(g, scope, start, range_aff, key + n_eq));
            g.emit(Op::IsNull, key + n_eq, lv.brk);
            Op seek = start->op == BinaryOp::kGt   ? Op::SeekGT
                      : start->op == BinaryOp::kGe ? Op::SeekGE
                      : start->op == BinaryOp::kLt ? Op::SeekLT
                                                   : Op::SeekLE;
            int s = g.emit(seek, idx_cur, sbrk, key);
            g.set_p4_int(s, n_eq + 1);
          } else if (skip_nulls || (!acc.reverse && acc.hi && acc.kind == Access::kIndex)) {
            // Only an upper bound (or min()): skip the NULLs at the start.
            g.emit(Op::Null, 0, key + n_eq);
            int sk = g.emit(acc.reverse ? Op::SeekLT : Op::SeekGT, idx_cur, sbrk, key);
            g.set_p4_int(sk, n_eq + 1);
          } else if (n_eq > 0) {
            int s = g.emit(acc.reverse ? Op::SeekLE : Op::SeekGE, idx_cur, sbrk, key);
            g.set_p4_int(s, n_eq);
          } else {
            g.emit(acc.reverse ? Op::Last : Op::Rewind, idx_cur, sbrk);
          }
          top = g.addr();
          if (stop) {
            Op past = stop->op == BinaryOp::kLt   ? Op::IdxGE
                      : stop->op == BinaryOp::kLe ? Op::IdxGT
                      : stop->op == BinaryOp::kGt ? Op::IdxLE
                                                  : Op::IdxLT;
            int a = g.emit(past, idx_cur, sbrk, end_key);
            g.set_p4_int(a, n_eq + 1);
          } else if (n_eq > 0) {
            int a = g.emit(acc.reverse ? Op::IdxLT : Op::IdxGT, idx_cur, sbrk, key);
            g.set_p4_int(a, n_eq);
          }
          if (t->table && t->table->without_rowid) {
            // Seek the table by its primary key columns held at the end of the index entry.
            const Index* pk = t->table->primary_key;
            int n_pk = pk->n_key_columns;
            int pkreg = g.new_reg(n_pk);
            for (int k = 0; k < n_pk; k++) {
              int col = pk->columns[k];
              int pos = -1;
              for (size_t j = 0; j < acc.index->columns.size(); j++) {
                if (acc.index->columns[j] == col) {
                  pos = static_cast<int>(j);
                  break;
                }
              }
              g.emit(Op::Column, idx_cur, pos, pkreg + k);
            }
            int f = g.emit(Op::NotFound, t->cursor, lv.cont, pkreg);
            g.set_p4_int(f, n_pk);
            lv.seek_addr[0] = f;
          } else {
            int rr = g.new_reg();
            lv.seek_addr[0] = g.emit(Op::IdxRowid, idx_cur, rr);
            lv.seek_addr[1] = g.emit(Op::SeekRowid, t->cursor, lv.cont, rr);
          }
          lv.next_op = acc.reverse ? Op::Prev : Op::Next;
          lv.next_cursor = idx_cur;
          if (acc.kind == Access::kAutoIndex) {
            lv.seek_addr[0] = lv.seek_addr[1] = -1;  // the transient index holds only (column, rowid)
            g.plan_row(g.plan_parent, "SEARCH " + label + " USING AUTOMATIC COVERING INDEX (" + desc + ")");
          } else {
            lv.index = acc.index;
            lv.idx_cursor = idx_cur;
            bool search = acc.kind == Access::kIndex || w.minmax;
            if (t->table && t->table->without_rowid && acc.index == t->table->primary_key) {
              // The table's own b-tree, as SQLite names it.
              g.plan_row(g.plan_parent, search ? "SEARCH " + label + " USING PRIMARY KEY" +
                                                     (desc.empty() ? "" : " (" + desc + ")")
                                               : "SCAN " + label);
            } else {
              g.plan_row(g.plan_parent, std::string(search ? "SEARCH " : "SCAN ") + label + " USING INDEX " +
                                            acc.index->name + (desc.empty() ? "" : " (" + desc + ")"));
            }
            lv.plan_index = static_cast<int>(g.prog().query_plan.size()) - 1;
          }
          break;
        }
        default: {
          if (t->table && !t->table->method_indexes.empty() && !left && i > rj_last) {
            // An index method may answer a term of this table (index_method.cpp).
            std::vector<const Expr*> own;
            for (const TermInfo& ti : terms) {
              if (!ti.on_left_join && i < 64 && ti.mask == (uint64_t{1} << i)) own.push_back(ti.expr);
            }
            bool routed = false;
            KEEL_RETURN_IF_ERROR(code_index_method_scan(g, scope, t, own, n == 1 ? order_by : nullptr,
                                                        n == 1 ? g.order_limit_reg : 0, lv, label, &top,
                                                        &routed));
            if (routed) break;
          }
          if (t->coroutine_yield) {
            // Each Yield resumes the coroutine for its next row, or leaves.
            top = g.addr();
            g.emit(Op::Yield, t->coroutine_yield, lv.brk);
            lv.next_op = Op::Goto;
            lv.next_cursor = -1;
            g.plan_row(g.plan_parent, (w.minmax ? "SEARCH " : "SCAN ") + label);
            break;
          }
          if (w.topn_prescan && n == 1 && w.terms.empty() && !acc.reverse && t->table && !t->ephemeral &&
              !t->vtab && !t->table->without_rowid && !t->table->is_view) {
            // The whole table feeds a top-N sorter: its keys may be
            // computed ahead, across threads (vm/topn_prescan.h).
            w.topn_prescan->db = t->table->db;
            w.topn_prescan->table_cursor = t->cursor;
            int a = g.emit(Op::TopNPrescan, t->cursor, w.topn_prescan_count_reg);
            w.topn_prescan->addr = a;
            g.at(a).p4type = vm::P4Type::kPointer;
            g.at(a).p4.ptr = w.topn_prescan;
            w.topn_prescan_emitted = true;
          }
          g.emit(acc.reverse ? Op::Last : Op::Rewind, t->cursor, lv.brk);
          top = g.addr();
          lv.next_op = acc.reverse ? Op::Prev : Op::Next;
          lv.next_cursor = t->cursor;
          lv.full_scan = t->table && !t->ephemeral && !t->vtab && !acc.reverse &&
                         t->hint == parse::IndexHint::kNone && !w.order_satisfied;
          // A min()/max() query's levels are SEARCHes in SQLite's plan.
          g.plan_row(g.plan_parent, (w.minmax ? "SEARCH " : "SCAN ") + label);
          lv.plan_index = static_cast<int>(g.prog().query_plan.size()) - 1;
          break;
        }
      }
    lv.top = top;
    // LEFT JOIN: ON terms first, then record the match.
    auto is_omitted = [&](const Expr* e) {
      return std::find(omitted.begin(), omitted.end(), e) != omitted.end();
    };
    if (left || lv.rj_match >= 0) {
      for (const TermInfo& ti : terms) {
        if (ti.left_join_level == i && ti.expr != coded && !is_omitted(ti.expr))
          KEEL_RETURN_IF_ERROR(code_if_false(g, scope, ti.expr, lv.cont, true));
      }
    }
    if (lv.rj_match >= 0) right_join_record_match(g, lv);
    if (left) {
      lv.left_join_null = g.new_label();
      g.bind(lv.left_join_null);
      g.emit(Op::Integer, 1, lv.left_join_match);
    }
    if (lv.rj_match >= 0) right_join_begin_subroutine(g, lv);
    for (const TermInfo& ti : terms) {
      if (ti.on_left_join || ti.code_level != i || ti.expr == coded || is_omitted(ti.expr)) continue;
      KEEL_RETURN_IF_ERROR(code_if_false(g, scope, ti.expr, lv.cont, true));
    }
  }
  return Status::Ok();
}

Status where_end(CodeGen& g, Scope* scope, WhereInfo& w) {
  (void)scope;
  for (int i = static_cast<int>(w.levels.size()) - 1; i >= 0; i--) {
    WhereLevel& lv = w.levels[i];
    g.bind(lv.cont);
    if (lv.rj_match >= 0) right_join_end_subroutine(g, lv);
    if (!lv.single_row && lv.next_op != Op::Noop) g.emit(lv.next_op, lv.next_cursor, lv.top);
    if (lv.in_loop_cursor >= 0) {
      g.bind(lv.in_loop_next);
      g.emit(Op::Next, lv.in_loop_cursor, lv.in_loop_top);
    }
    if (lv.left_join_match) {
      g.bind(lv.brk);
      int done = g.new_label();
      g.emit(Op::If, lv.left_join_match, done);
      g.emit(Op::NullRow, lv.term->cursor);
      if (lv.next_cursor >= 0 && lv.next_cursor != lv.term->cursor) g.emit(Op::NullRow, lv.next_cursor);
      g.emit(Op::Goto, 0, lv.left_join_null);
      g.bind(done);
    }
    // brk of this level is cont of the level above (or the loop's end).
  }
  if (w.rj_last >= 0) {
    g.bind(w.rj_loop_end);
    KEEL_RETURN_IF_ERROR(right_join_unmatched_passes(g, scope, w));
  }
  g.bind(w.brk);
  if (w.allow_covering) apply_covering(g, w);
  return Status::Ok();
}

}  // namespace keel::plan
