// SELECT (SQLite's select.c): one core's result columns, `*` expansion,
// result names, ORDER BY through the sorter, DISTINCT through an ephemeral
// index, LIMIT/OFFSET counters, and the destinations a select can feed
// (result rows, ephemeral tables and indexes, scalar subqueries, EXISTS).
#include <algorithm>
#include <cctype>
#include <cstdint>

#include "plan/authorize.h"
#include "plan/flatten.h"
#include "plan/pushdown.h"
#include "plan/select_internal.h"
#include "plan/window.h"
#include "vm/collation.h"

namespace keel::plan {

using parse::Expr;
using parse::ExprKind;

namespace {

bool name_eq(std::string_view a, std::string_view b) { return vm::stricmp(a, b) == 0; }

std::string trimmed_span(std::string_view sql, parse::Span sp) {
  std::string_view t = sp.text(sql);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  return std::string(t);
}

// Expands `*` and `t.*` and names every result column.
Status expand_columns(CodeGen& g, const parse::SelectCore* core, Scope* scope, std::vector<ResultCol>& out) {
  for (const parse::ResultColumn& rc : core->columns) {
    if (rc.kind == parse::ResultColumn::Kind::kExpr) {
      ResultCol c;
      c.expr = rc.expr;
      if (rc.alias.present()) {
        c.info.name = std::string(rc.alias.value);
      } else {
        c.info.name = trimmed_span(g.sql(), rc.span);
      }
      const Expr* e = rc.expr;
      if (e->kind == ExprKind::kColumnRef) {
        auto r = resolve_column(g, scope, e->as<parse::ColumnRefExpr>());
        if (r.ok() && r.value().via) {
          // A column of a flattened view or subquery: named as its column.
          const ColInfo& vc = r.value().via->cols[r.value().via_col];
          if (!rc.alias.present()) c.info.name = vc.name;
          c.info.decl_type = vc.decl_type;
          c.info.origin_db = vc.origin_db;
          c.info.origin_table = vc.origin_table;
          c.info.origin_column = vc.origin_column;
        } else if (r.ok() && r.value().term && !r.value().alias_expr) {
          const ColumnRef& ref = r.value();
          FromTerm* t = ref.term;
          int col = ref.col;
          if (col < 0 && t->table && t->table->rowid_alias >= 0) col = t->table->rowid_alias;
          if (!rc.alias.present()) c.info.name = col < 0 ? "rowid" : t->cols[col].name;
          if (col >= 0) {
            c.info.decl_type = t->cols[col].decl_type;
            c.info.origin_db = t->cols[col].origin_db;
            c.info.origin_table = t->cols[col].origin_table;
            c.info.origin_column = t->cols[col].origin_column;
          }
        }
      }
      c.info.affinity = expr_affinity(g, scope, e);
      bool expl = false;
      c.info.collation = expr_collation(g, scope, e, &expl);
      out.push_back(std::move(c));
      continue;
    }
    if (scope->terms.empty()) return Status(rc::kError, "no tables specified");
    bool any = false;
    for (FromTerm* t : scope->star_terms.empty() ? scope->terms : scope->star_terms) {
      bool table_star = rc.kind == parse::ResultColumn::Kind::kTableStar;
      if (t->flat_group != 0) continue;  // the body of a flattened subquery
      if (table_star && !name_eq(t->name, rc.table.value)) continue;
      any = true;
      for (size_t i = 0; i < t->cols.size(); i++) {
        if (t->cols[i].hidden) continue;
        ResultCol c;
        c.term = t;
        c.col = static_cast<int>(i);
        c.info = t->cols[i];
        if (!table_star && i < t->coalesced.size() && t->coalesced[i]) continue;
        if (i < t->star_expr.size() && t->star_expr[i]) {
          // Named by a later USING of a RIGHT/FULL JOIN: the unqualified name.
          c.expr = t->star_expr[i];
          c.term = nullptr;
          c.col = -1;
          auto r = resolve_column(g, scope, c.expr->as<parse::ColumnRefExpr>());
          if (!r.ok()) return r.status();
          if (r.value().term) {
            c.info = r.value().term->cols[r.value().col];
            c.info.name = t->cols[i].name;
          } else {
            c.info = ColInfo{};
            c.info.name = t->cols[i].name;
            c.info.affinity = expr_affinity(g, scope, c.expr);
          }
        }
        if (c.term && c.term->flat_id) KEEL_RETURN_IF_ERROR(flat_star_column(g, scope, c));
        out.push_back(std::move(c));
      }
    }
    if (!any) return Status(rc::kError, "no such table: " + std::string(rc.table.value));
  }
  // SQLITE_MAX_COLUMN, checked after `*` expands (SQLite's selectExpander).
  if (out.size() > 2000) return Status(rc::kError, "too many columns in result set");
  return Status::Ok();
}

// Is `e` a column number (ORDER BY 2)? Sets *v. As SQLite
// (sqlite3ExprSkipCollateAndLikely, then sqlite3ExprIsInteger): a COLLATE
// around the number is ignored, and only literals that fit in 32 bits
// count — a larger integer is a constant.
bool integer_term(const Expr* e, int64_t* v) {
  while (e->kind == ExprKind::kCollate) e = e->as<parse::CollateExpr>()->operand;
  bool neg = false;
  while (e->kind == ExprKind::kUnary) {
    auto* u = e->as<parse::UnaryExpr>();
    if (u->op == parse::UnaryOp::kNegate) {
      neg = !neg;
    } else if (u->op != parse::UnaryOp::kPlus) {
      return false;
    }
    e = u->operand;
  }
  if (e->kind != ExprKind::kLiteral || e->as<parse::LiteralExpr>()->literal != parse::LiteralKind::kInteger) {
    return false;
  }
  double r;
  if (!parse_integer_literal(e->as<parse::LiteralExpr>()->text, false, v, &r)) return false;
  if (*v > INT32_MAX) return false;
  if (neg) *v = -*v;
  return true;
}

// The name (as written) of the first aggregate call in `e`.
std::string first_aggregate_name(CodeGen& g, const Expr* e) {
  if (e == nullptr || !expr_has_aggregate(g, e)) return "";
  switch (e->kind) {
    case ExprKind::kFunction: {
      auto* f = e->as<parse::FunctionExpr>();
      for (const Expr* a : f->args) {
        std::string n = first_aggregate_name(g, a);
        if (!n.empty()) return n;
      }
      return std::string(f->name.value);
    }
    case ExprKind::kBinary: {
      std::string n = first_aggregate_name(g, e->as<parse::BinaryExpr>()->left);
      return n.empty() ? first_aggregate_name(g, e->as<parse::BinaryExpr>()->right) : n;
    }
    case ExprKind::kUnary:
      return first_aggregate_name(g, e->as<parse::UnaryExpr>()->operand);
    case ExprKind::kCollate:
      return first_aggregate_name(g, e->as<parse::CollateExpr>()->operand);
    case ExprKind::kCast:
      return first_aggregate_name(g, e->as<parse::CastExpr>()->operand);
    default:
      return "";
  }
}

std::unique_ptr<vm::KeyInfo> sort_keyinfo(CodeGen& g, Scope* scope,
                                          const parse::List<parse::OrderingTerm>& terms,
                                          const std::vector<ResultCol>& cols, const std::vector<int>& key_col,
                                          int n_all) {
  auto ki = std::make_unique<vm::KeyInfo>();
  ki->n_key_field = static_cast<uint16_t>(terms.size);
  (void)n_all;  // the sorter compares only the keys: ties keep insertion order
  ki->n_all_field = ki->n_key_field;
  for (uint32_t i = 0; i < terms.size; i++) {
    std::string coll;
    bool expl = false;
    if (key_col[i] >= 0 && cols[key_col[i]].expr == nullptr) {
      coll = cols[key_col[i]].info.collation;
    } else {
      const Expr* e = key_col[i] >= 0 ? cols[key_col[i]].expr : terms[i].expr;
      coll = expr_collation(g, scope, e, &expl);
    }
    if (key_col[i] >= 0 && terms[i].expr->kind == ExprKind::kCollate) {
      // ORDER BY n COLLATE x: the term's own collation wins.
      coll = std::string(terms[i].expr->as<parse::CollateExpr>()->collation.value);
    }
    ki->collations.push_back(coll.empty() ? nullptr : g.collation(coll));
    uint8_t f = 0;
    bool desc = terms[i].order == parse::SortOrder::kDesc;
    if (desc) f |= vm::kSortDesc;
    // NULLs sort first ascending, last descending, unless NULLS says otherwise.
    if (terms[i].nulls == parse::NullsOrder::kLast && !desc) f |= vm::kSortBigNull;
    if (terms[i].nulls == parse::NullsOrder::kFirst && desc) f |= vm::kSortBigNull;
    ki->sort_flags.push_back(f);
  }
  return ki;
}

Status code_values(CodeGen& g, const parse::SelectCore* core, Scope* outer, RowOutput& out) {
  for (const parse::List<Expr*>& row : core->rows) {
    if (values_row_has_windows(row)) {
      KEEL_RETURN_IF_ERROR(code_window_values_row(g, row, outer, out));
      continue;
    }
    int base = g.new_reg(static_cast<int>(row.size));
    Scope s;
    s.outer = outer;
    s.correlated_flag = out.dest->correlated;
    for (uint32_t i = 0; i < row.size; i++) KEEL_RETURN_IF_ERROR(code_expr(g, &s, row[i], base + i));
    int skip = g.new_label();
    KEEL_RETURN_IF_ERROR(output_row(g, out, base, skip));
    g.bind(skip);
  }
  return Status::Ok();
}

}  // namespace

Status code_star_column(CodeGen& g, FromTerm* t, int col, int target);

// ORDER BY ... LIMIT row into the bounded index; load(i, reg) codes result
// column i into reg.
Status output_topn_row(CodeGen& g, RowOutput& out, const std::function<Status(int, int)>& load);

Status code_core(CodeGen& g, const parse::Select* sel, const parse::SelectCore* core, Scope* outer,
                 SelectDest& dest) {
  bool compound_done = false;
  KEEL_RETURN_IF_ERROR(flatten_compound(g, sel, core, outer, dest, &compound_done));
  if (compound_done) return Status::Ok();
  FromClause fc;
  KEEL_RETURN_IF_ERROR(build_from(g, core->from, outer, fc));
  Scope scope;
  scope.outer = outer;
  scope.correlated_flag = dest.correlated;
  for (auto& t : fc.terms) scope.terms.push_back(t.get());
  parse::List<parse::OrderingTerm> adopted_order{};
  KEEL_RETURN_IF_ERROR(flatten_from(g, sel, core, fc, scope, &adopted_order));
  parse::Select adopted_sel;
  if (adopted_order.size) {
    adopted_sel = *sel;
    adopted_sel.order_by = adopted_order;
    sel = &adopted_sel;
  }
  parse::SelectCore pushed_core;
  if (dest.pushdown) KEEL_RETURN_IF_ERROR(apply_pushdown(g, *dest.pushdown, &core, pushed_core, fc, scope));
  KEEL_RETURN_IF_ERROR(materialize_from(g, fc, &scope, true, core->where));

  RowOutput out;
  out.dest = &dest;
  out.scope = &scope;
  out.done = g.new_label();

  if (core->is_values) {
    out.n_cols = core->rows.size ? static_cast<int>(core->rows[0].size) : 0;
    if (dest.kind == SelectDest::Kind::kOutput && g.prog().columns.empty()) {
      for (int i = 0; i < out.n_cols; i++) {
        vm::ResultColumnInfo info;
        info.name = "column" + std::to_string(i + 1);
        g.prog().columns.push_back(std::move(info));
      }
    }
    KEEL_RETURN_IF_ERROR(code_limit(g, &scope, sel, out));
    KEEL_RETURN_IF_ERROR(code_values(g, core, outer, out));
    g.bind(out.done);
    return Status::Ok();
  }

  std::vector<ResultCol> cols;
  KEEL_RETURN_IF_ERROR(expand_columns(g, core, &scope, cols));
  out.n_cols = static_cast<int>(cols.size());
  if (dest.kind == SelectDest::Kind::kMem && dest.n_cols != out.n_cols && dest.n_cols > 0) {
    return Status(rc::kError, "sub-select returns " + std::to_string(out.n_cols) + " columns - expected " +
                                  std::to_string(dest.n_cols));
  }
  if (dest.kind == SelectDest::Kind::kOutput && g.prog().columns.empty()) {
    for (const ResultCol& c : cols) {
      vm::ResultColumnInfo info;
      info.name = c.info.name;
      info.decltype_ = c.info.decl_type;
      info.database = c.info.origin_db;
      info.table = c.info.origin_table;
      info.origin = c.info.origin_column;
      g.prog().columns.push_back(std::move(info));
    }
  }
  std::vector<ResultAlias> aliases;
  for (size_t i = 0; i < cols.size(); i++) {
    if (cols[i].expr && core->columns.size > 0) {
      // Only AS aliases (and names of plain expressions) are visible.
      for (const parse::ResultColumn& rc : core->columns) {
        if (rc.expr == cols[i].expr && rc.alias.present())
          aliases.push_back({std::string(rc.alias.value), rc.expr});
      }
    }
  }
  scope.aliases = &aliases;

  // Column numbers out of range, in SQLite's order: ORDER BY before GROUP
  // BY; in each, first a number below 1 or above 65535 (refused while the
  // terms are read), then one above the column count (checked after).
  for (const char* kind : {"ORDER", "GROUP"}) {
    bool order = kind[0] == 'O';
    uint32_t n_terms = order ? sel->order_by.size : core->group_by.size;
    for (int pass = 0; pass < 2; pass++) {
      for (uint32_t i = 0; i < n_terms; i++) {
        int64_t k;
        if (!integer_term(order ? sel->order_by[i].expr : core->group_by[i], &k)) continue;
        bool bad = pass == 0 ? (k < 1 || k > 65535) : k > static_cast<int64_t>(cols.size());
        if (bad) {
          return Status(rc::kError, ordinal(static_cast<int>(i) + 1) + " " + kind +
                                        " BY term out of range - should be between 1 and " +
                                        std::to_string(cols.size()));
        }
      }
    }
  }
  // ORDER BY, then GROUP BY terms, other than a column number or (in ORDER
  // BY) a bare result alias, name no column of an enclosing query.
  for (uint32_t i = 0; i < sel->order_by.size; i++) {
    const Expr* e = sel->order_by[i].expr;
    int64_t k;
    if (integer_term(e, &k)) continue;
    const Expr* bare = e;
    while (bare->kind == ExprKind::kCollate) bare = bare->as<parse::CollateExpr>()->operand;
    if (bare->kind == ExprKind::kColumnRef && !bare->as<parse::ColumnRefExpr>()->table.present()) {
      bool alias = false;
      for (const ResultAlias& a : aliases) alias |= name_eq(a.name, bare->as<parse::ColumnRefExpr>()->column.value);
      if (alias) continue;
    }
    KEEL_RETURN_IF_ERROR(check_no_outer_names(g, &scope, e));
  }
  for (uint32_t i = 0; i < core->group_by.size; i++) {
    int64_t k;
    if (!integer_term(core->group_by[i], &k)) KEEL_RETURN_IF_ERROR(check_no_outer_names(g, &scope, core->group_by[i]));
  }
  // GROUP BY terms: a result column number, an alias, or an expression.
  std::vector<const Expr*> group_by;
  for (uint32_t i = 0; i < core->group_by.size; i++) {
    const Expr* e = core->group_by[i];
    int64_t k;
    if (integer_term(e, &k)) {
      if (k < 1 || k > static_cast<int64_t>(cols.size())) {
        return Status(rc::kError, ordinal(static_cast<int>(i) + 1) +
                                      " GROUP BY term out of range - should be between 1 and " +
                                      std::to_string(cols.size()));
      }
      if (cols[k - 1].expr && expr_has_aggregate(g, cols[k - 1].expr)) {
        // SQLite checks the term it substituted; under a COLLATE the
        // aggregate is found later, as a misuse.
        if (e->kind != ExprKind::kCollate)
          return Status(rc::kError, "aggregate functions are not allowed in the GROUP BY clause");
        std::string name = first_aggregate_name(g, cols[k - 1].expr);
        return Status(rc::kError, "misuse of aggregate: " + name + "()");
      }
      parse::Expr* item;
      if (cols[k - 1].expr == nullptr) {
        item = g.make_column_ref(cols[k - 1].term->name, cols[k - 1].term->cols[cols[k - 1].col].name);
      } else {
        item = const_cast<Expr*>(cols[k - 1].expr);
      }
      if (e->kind == ExprKind::kCollate) {
        // GROUP BY 2 COLLATE x groups the column's value with collation x.
        auto* c = g.arena.make<parse::CollateExpr>();
        c->kind = ExprKind::kCollate;
        c->height = item->height + 1;
        c->operand = item;
        c->collation = e->as<parse::CollateExpr>()->collation;
        item = c;
      }
      group_by.push_back(item);
      continue;
    }
    if (e->kind == ExprKind::kColumnRef && !e->as<parse::ColumnRefExpr>()->table.present()) {
      bool is_column = resolve_column(g, &scope, e->as<parse::ColumnRefExpr>()).ok();
      const Expr* aliased = nullptr;
      for (const ResultAlias& a : aliases) {
        if (name_eq(a.name, e->as<parse::ColumnRefExpr>()->column.value)) aliased = a.expr;
      }
      // SQLite prefers a table column over an alias in GROUP BY.
      (void)is_column;
      if (aliased && !is_column) {
        group_by.push_back(aliased);
        continue;
      }
    }
    if (expr_has_aggregate(g, e))
      return Status(rc::kError, "aggregate functions are not allowed in the GROUP BY clause");
    group_by.push_back(e);
  }

  bool is_agg = !group_by.empty() || (core->distinct != parse::Distinctness::kDistinct && false);
  for (const ResultCol& c : cols) {
    if (c.expr && expr_has_aggregate(g, c.expr)) is_agg = true;
  }
  if (core->having && expr_has_aggregate(g, core->having)) is_agg = true;
  for (const parse::OrderingTerm& t : sel->order_by) {
    if (expr_has_aggregate(g, t.expr)) is_agg = true;
  }
  if (core->having && !is_agg) return Status(rc::kError, "HAVING clause on a non-aggregate query");

  // ORDER BY terms.
  std::vector<int> key_col;
  std::vector<OrderKey> order_keys;  // what the loops may deliver in order instead of the sorter
  int sorter_open = -1;
  if (sel->order_by.size) {
    // A bare ORDER BY name that is a result alias is matched to its column
    // just below; inside other ORDER BY expressions, as in WHERE, a table
    // column beats an alias (SQLite's lookupName), so aliases_first stays off.
    for (uint32_t i = 0; i < sel->order_by.size; i++) {
      const Expr* e = sel->order_by[i].expr;
      int64_t k;
      int match = -1;
      if (integer_term(e, &k)) {
        if (k < 1 || k > static_cast<int64_t>(cols.size())) {
          return Status(rc::kError, ordinal(static_cast<int>(i) + 1) +
                                        " ORDER BY term out of range - should be between 1 and " +
                                        std::to_string(cols.size()));
        }
        match = static_cast<int>(k - 1);
      } else {
        const Expr* bare = e;
        while (bare->kind == ExprKind::kCollate) bare = bare->as<parse::CollateExpr>()->operand;
        if (bare->kind == ExprKind::kColumnRef && !bare->as<parse::ColumnRefExpr>()->table.present()) {
          for (size_t j = 0; j < cols.size() && match < 0; j++) {
            for (const ResultAlias& a : aliases) {
              if (a.expr == cols[j].expr && name_eq(a.name, bare->as<parse::ColumnRefExpr>()->column.value)) {
                match = static_cast<int>(j);
              }
            }
          }
        }
        for (size_t j = 0; j < cols.size() && match < 0; j++) {
          if (cols[j].expr && expr_equal(g.sql(), cols[j].expr, bare)) match = static_cast<int>(j);
        }
      }
      key_col.push_back(match);
      out.sort_keys.push_back(match >= 0 ? nullptr : e);
    }
    out.sort_key_col = key_col;
    out.sorter = g.new_cursor();
    int n_keys = static_cast<int>(sel->order_by.size);
    auto ki = sort_keyinfo(g, &scope, sel->order_by, cols, key_col, n_keys + out.n_cols);
    for (int i = 0; i < n_keys; i++) {
      OrderKey k;
      int c = key_col[i];
      if (c >= 0 && cols[c].expr == nullptr) {
        k.term = cols[c].term;
        k.col = cols[c].col;
      } else {
        k.expr = c >= 0 ? cols[c].expr : sel->order_by[i].expr;
      }
      const parse::OrderingTerm& ot = sel->order_by[i];
      k.desc = ot.order == parse::SortOrder::kDesc;
      k.nulls_default =
          ot.nulls == parse::NullsOrder::kUndefined || (ot.nulls == parse::NullsOrder::kFirst) != k.desc;
      if (ki->collations[i]) k.collation = std::string(ki->collations[i]->name());
      order_keys.push_back(std::move(k));
    }
    if (sel->limit) {
      // ORDER BY ... LIMIT: keep only the first LIMIT+OFFSET rows in an
      // ephemeral index keyed (sort keys, sequence), dropping the largest.
      out.topn = true;
      ki->collations.resize(n_keys);
      ki->sort_flags.resize(n_keys);
      ki->collations.push_back(nullptr);
      ki->sort_flags.push_back(0);
      ki->n_key_field = static_cast<uint16_t>(n_keys + 1);
      ki->n_all_field = static_cast<uint16_t>(n_keys + 1 + out.n_cols);
      int a = g.emit(Op::OpenEphemeral, out.sorter, n_keys + 1 + out.n_cols);
      g.set_p4_keyinfo(a, std::move(ki));
      sorter_open = a;
      out.sorter_open_addr = a;
    } else {
      int a = g.emit(Op::SorterOpen, out.sorter, n_keys + out.n_cols);
      g.set_p4_keyinfo(a, std::move(ki));
      sorter_open = a;
    }
  }
  KEEL_RETURN_IF_ERROR(code_limit(g, &scope, sel, out));
  if (out.topn) {
    out.topn_counter = g.new_reg();
    g.emit(Op::OffsetLimit, out.limit_reg, out.topn_counter, out.offset_reg);
  }
  if (core->distinct == parse::Distinctness::kDistinct) {
    out.distinct_cursor = g.new_cursor();
    auto ki = std::make_unique<vm::KeyInfo>();
    ki->n_key_field = static_cast<uint16_t>(out.n_cols);
    ki->n_all_field = static_cast<uint16_t>(out.n_cols);
    for (const ResultCol& c : cols)
      ki->collations.push_back(c.info.collation.empty() ? nullptr : g.collation(c.info.collation));
    int a = g.emit(Op::OpenEphemeral, out.distinct_cursor, out.n_cols);
    g.set_p4_keyinfo(a, std::move(ki));
  }

  if (select_has_windows(sel, core)) {
    KEEL_RETURN_IF_ERROR(code_window_select(g, sel, core, &scope, cols, group_by, is_agg, out));
  } else if (is_agg) {
    KEEL_RETURN_IF_ERROR(code_aggregate(g, core, &scope, cols, group_by, out));
  } else {
    WhereInfo w;
    w.allow_covering = true;
    w.order_keys = order_keys;
    g.order_limit_reg = out.topn && core->distinct != parse::Distinctness::kDistinct ? out.topn_counter : 0;
    if (out.topn && out.distinct_cursor < 0 && out.sort_keys.size() == 1 && core->where == nullptr) {
      auto spec = std::make_shared<vm::TopNPrescanSpec>();
      w.topn_prescan = spec.get();
      w.topn_prescan_count_reg = out.topn_counter;
      g.prog().own_object(std::move(spec));
    }
    Status began = where_begin(g, &scope, core->where, w, &sel->order_by);
    g.order_limit_reg = 0;
    KEEL_RETURN_IF_ERROR(began);
    if (w.topn_prescan_emitted) out.prescan = w.topn_prescan;
    if (w.order_satisfied && out.sorter >= 0) {
      if (out.prescan) g.at(out.prescan->addr) = vm::Instr{};
      out.prescan = nullptr;
      // The loops deliver the ORDER BY order: no sorter; LIMIT/OFFSET
      // count the rows as they come.
      g.at(sorter_open).op = Op::Noop;
      out.sorter = -1;
      out.topn = false;
    }
    int skip = w.levels.empty() ? g.new_label() : w.levels.back().cont;
    if (out.topn && out.distinct_cursor < 0) {
      // ORDER BY ... LIMIT: result columns are computed after the limit
      // check (SQLite's deferred row load), once per row kept.
      KEEL_RETURN_IF_ERROR(output_topn_row(g, out, [&](int i, int reg) -> Status {
        AliasExpansion hide(&scope);  // as code_result_columns
        if (cols[i].expr) return code_expr(g, &scope, cols[i].expr, reg);
        return code_star_column(g, cols[i].term, cols[i].col, reg);
      }));
    } else {
      int base = g.new_reg(out.n_cols);
      KEEL_RETURN_IF_ERROR(code_result_columns(g, &scope, cols, base));
      KEEL_RETURN_IF_ERROR(output_row(g, out, base, skip));
    }
    if (w.levels.empty()) g.bind(skip);
    KEEL_RETURN_IF_ERROR(where_end(g, &scope, w));
  }

  if (out.topn) {
    int n_keys = static_cast<int>(sel->order_by.size);
    int end = g.new_label();
    g.emit(Op::Rewind, out.sorter, end);
    int top = g.addr();
    int base = g.new_reg(out.n_cols);
    for (int i = 0; i < out.n_cols; i++) g.emit(Op::Column, out.sorter, n_keys + 1 + i, base + i);
    int next = g.new_label();
    emit_to_dest(g, out, base, next);
    g.bind(next);
    g.emit(Op::Next, out.sorter, top);
    g.bind(end);
    g.plan_row(g.plan_parent, "USE TEMP B-TREE FOR ORDER BY");
  } else if (out.sorter >= 0) {
    // Drain the sorter through OFFSET/LIMIT to the destination.
    int n_keys = static_cast<int>(sel->order_by.size);
    int rec = g.new_reg();
    int pseudo = g.new_cursor();
    g.emit(Op::OpenPseudo, pseudo, rec, n_keys + out.n_cols);
    int end = g.new_label();
    g.emit(Op::SorterSort, out.sorter, end);
    int top = g.addr();
    g.emit(Op::SorterData, out.sorter, rec, pseudo);
    int base = g.new_reg(out.n_cols);
    for (int i = 0; i < out.n_cols; i++) g.emit(Op::Column, pseudo, n_keys + i, base + i);
    int next = g.new_label();
    emit_to_dest(g, out, base, next);
    g.bind(next);
    g.emit(Op::SorterNext, out.sorter, top);
    g.bind(end);
    g.plan_row(g.plan_parent, "USE TEMP B-TREE FOR ORDER BY");
  }
  g.bind(out.done);
  return authorize_unread_tables(g, scope.terms);
}

namespace {

bool from_names(const parse::List<parse::FromItem*>& from, std::string_view name) {
  for (const parse::FromItem* it : from) {
    if (it->kind == parse::FromItem::Kind::kJoinGroup && from_names(it->group, name)) return true;
    if (it->kind == parse::FromItem::Kind::kTable && !it->table.schema.present() &&
        vm::stricmp(it->table.name.value, name) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

void push_with(CodeGen& g, const parse::WithClause* with) {
  for (const parse::CommonTableExpr* c : with->ctes) {
    g.ctes.push_back(c);
    // Recursion needs no RECURSIVE keyword: SQLite treats any compound CTE
    // whose later part reads its own name as recursive.
    if (c->select->cores.size < 2) continue;
    for (uint32_t i = 1; i < c->select->cores.size; i++) {
      if (from_names(c->select->cores[i]->from, c->name.value)) {
        if (std::find(g.recursive_ctes.begin(), g.recursive_ctes.end(), c) == g.recursive_ctes.end()) {
          g.recursive_ctes.push_back(c);
        }
        break;
      }
    }
  }
}

std::string ordinal(int n) {
  const char* suffix = "th";
  if (n % 100 < 11 || n % 100 > 13) {
    if (n % 10 == 1) suffix = "st";
    if (n % 10 == 2) suffix = "nd";
    if (n % 10 == 3) suffix = "rd";
  }
  return std::to_string(n) + suffix;
}

Status code_limit(CodeGen& g, Scope* scope, const parse::Select* sel, RowOutput& out) {
  if (sel->limit == nullptr) return Status::Ok();
  Scope s;
  s.outer = scope->outer;
  s.correlated_flag = out.dest->correlated;
  out.limit_reg = g.new_reg();
  KEEL_RETURN_IF_ERROR(code_expr(g, &s, sel->limit, out.limit_reg));
  g.emit(Op::MustBeInt, out.limit_reg, 0);
  g.emit(Op::IfNot, out.limit_reg, out.done);
  if (sel->offset) {
    out.offset_reg = g.new_reg();
    KEEL_RETURN_IF_ERROR(code_expr(g, &s, sel->offset, out.offset_reg));
    g.emit(Op::MustBeInt, out.offset_reg, 0);
  }
  return Status::Ok();
}

// A column of a `*` expansion, as the authorizer allows it.
Status code_star_column(CodeGen& g, FromTerm* t, int col, int target) {
  bool ignored = false;
  KEEL_RETURN_IF_ERROR(authorize_read(g, t, col, &ignored));
  if (ignored) {
    g.emit(Op::Null, 0, target);
  } else {
    code_column(g, t, col, target);
  }
  return Status::Ok();
}

Status code_result_columns(CodeGen& g, Scope* scope, const std::vector<ResultCol>& cols, int base) {
  // Result expressions never see the result aliases (ORDER BY and HAVING do).
  AliasExpansion hide(scope);
  for (size_t i = 0; i < cols.size(); i++) {
    if (cols[i].expr) {
      KEEL_RETURN_IF_ERROR(code_expr(g, scope, cols[i].expr, base + static_cast<int>(i)));
    } else {
      KEEL_RETURN_IF_ERROR(code_star_column(g, cols[i].term, cols[i].col, base + static_cast<int>(i)));
    }
  }
  return Status::Ok();
}

void emit_to_dest(CodeGen& g, RowOutput& out, int base, int skip) {
  SelectDest& d = *out.dest;
  int n = out.n_cols;
  if (out.offset_reg) g.emit(Op::IfPos, out.offset_reg, skip, 1);
  switch (d.kind) {
    case SelectDest::Kind::kOutput:
      g.emit(Op::ResultRow, base, n);
      break;
    case SelectDest::Kind::kTable: {
      int rec = g.new_reg(), rowid = g.new_reg();
      g.emit(Op::MakeRecord, base, n, rec);
      g.emit(Op::NewRowid, d.cursor, rowid);
      g.emit(Op::Insert, d.cursor, rec, rowid);
      break;
    }
    case SelectDest::Kind::kIndex: {
      int rec = g.new_reg();
      int a = g.emit(Op::MakeRecord, base, n, rec);
      if (!d.affinity.empty()) g.set_p4_affinity(a, d.affinity);
      g.emit(Op::IdxInsert, d.cursor, rec);
      break;
    }
    case SelectDest::Kind::kDistinctIndex: {
      // An equal key replaces the one stored: the last of equal rows (0 and
      // 0.0) is the one a UNION returns, as in SQLite.
      int rec = g.new_reg();
      if (d.keep_first) {
        int f = g.emit(Op::Found, d.cursor, skip, base);
        g.set_p4_int(f, n);
      }
      g.emit(Op::MakeRecord, base, n, rec);
      g.emit(Op::IdxInsert, d.cursor, rec);
      break;
    }
    case SelectDest::Kind::kExceptIndex: {
      int f = g.emit(Op::NotFound, d.cursor, skip, base);
      g.set_p4_int(f, n);
      g.emit(Op::Delete, d.cursor, 0);
      break;
    }
    case SelectDest::Kind::kDiscard:
      break;
    case SelectDest::Kind::kQueue: {
      int rec = g.new_reg(), rowid = g.new_reg();
      if (d.aux >= 0) {
        int f = g.emit(Op::Found, d.aux, skip, base);
        g.set_p4_int(f, n);
        g.emit(Op::MakeRecord, base, n, rec);
        g.emit(Op::IdxInsert, d.aux, rec);
      }
      if (!d.queue_order.empty()) {
        // Ordered queue: the sequence number keeps equal keys first-in first-out.
        int k = static_cast<int>(d.queue_order.size());
        int key = g.new_reg(k + 1 + n);
        for (int i = 0; i < k; i++) g.emit(Op::SCopy, base + d.queue_order[i], key + i);
        g.emit(Op::AddImm, d.queue_seq, 1);
        g.emit(Op::SCopy, d.queue_seq, key + k);
        g.emit(Op::Copy, base, key + k + 1, n - 1);
        g.emit(Op::MakeRecord, key, k + 1 + n, rec);
        g.emit(Op::IdxInsert, d.cursor, rec);
        break;
      }
      g.emit(Op::MakeRecord, base, n, rec);
      g.emit(Op::NewRowid, d.cursor, rowid);
      g.emit(Op::Insert, d.cursor, rec, rowid);
      break;
    }
    case SelectDest::Kind::kMem:
      g.emit(Op::Copy, base, d.reg, n - 1);
      g.emit(Op::Goto, 0, out.done);
      break;
    case SelectDest::Kind::kExists:
      g.emit(Op::Integer, 1, d.reg);
      g.emit(Op::Goto, 0, out.done);
      break;
    case SelectDest::Kind::kCoroutine: {
      int copy = g.emit(Op::Copy, base, d.reg, n - 1);
      g.at(copy).p5 = vm::kOpflagCopyNoSubtype;
      g.emit(Op::Yield, d.yield_reg, 0);
      break;
    }
  }
  if (out.limit_reg) g.emit(Op::DecrJumpZero, out.limit_reg, out.done);
}

Status output_topn_row(CodeGen& g, RowOutput& out, const std::function<Status(int, int)>& load) {
  int n_keys = static_cast<int>(out.sort_keys.size());
  // Record: sort keys, sequence, result columns.
  int regs = g.new_reg(n_keys + 1 + out.n_cols);
  int cols = regs + n_keys + 1;
  std::vector<bool> loaded(out.n_cols, false);
  int key_first = g.addr();
  for (int i = 0; i < n_keys; i++) {
    if (out.sort_keys[i]) {
      KEEL_RETURN_IF_ERROR(code_expr(g, out.scope, out.sort_keys[i], regs + i));
    } else {
      int c = out.sort_key_col[i];
      if (!loaded[c]) KEEL_RETURN_IF_ERROR(load(c, cols + c));
      loaded[c] = true;
      g.emit(Op::SCopy, cols + c, regs + i);
    }
  }
  if (out.prescan) {
    const vm::KeyInfo* ki = g.at(out.sorter_open_addr).p4.key_info;
    if (n_keys == 1 && vm::topn_prescan_can_replay(g.prog(), out.prescan->table_cursor, key_first, g.addr(),
                                                   regs, *ki)) {
      out.prescan->key_first = key_first;
      out.prescan->key_end = g.addr();
      out.prescan->key_reg = regs;
      out.prescan->key_info = ki;
    } else {
      g.at(out.prescan->addr) = vm::Instr{};  // a Noop: the loop alone
    }
  }
  g.emit(Op::Sequence, out.sorter, regs + n_keys);
  // While fewer than LIMIT+OFFSET rows are kept, insert; then a row goes
  // in only if it sorts before the largest kept one, which it replaces.
  // The other result columns are loaded only for a row that goes in.
  int insert = g.new_label(), skip_row = g.new_label();
  g.emit(Op::IfNotZero, out.topn_counter, insert);
  g.emit(Op::Last, out.sorter, insert);
  if (n_keys) {
    int le = g.emit(Op::IdxLE, out.sorter, skip_row, regs);
    g.set_p4_int(le, n_keys);
  }
  g.emit(Op::Delete, out.sorter, 0);
  g.bind(insert);
  int load_first = g.addr();
  for (int c = 0; c < out.n_cols; c++) {
    if (!loaded[c]) KEEL_RETURN_IF_ERROR(load(c, cols + c));
  }
  if (out.prescan && out.prescan->key_end > 0 &&
      !vm::topn_prescan_loads_cannot_fail(g.prog(), load_first, g.addr())) {
    // The loop computes these columns for each row it keeps, if only for a
    // while; over the candidates alone it would skip rows whose columns
    // might fail: leave it the whole table.
    out.prescan->key_end = 0;
    g.at(out.prescan->addr) = vm::Instr{};
  }
  int rec = g.new_reg();
  g.emit(Op::MakeRecord, regs, n_keys + 1 + out.n_cols, rec);
  g.emit(Op::IdxInsert, out.sorter, rec);
  g.bind(skip_row);
  return Status::Ok();
}

Status output_row(CodeGen& g, RowOutput& out, int base, int skip) {
  if (out.distinct_cursor >= 0) {
    int f = g.emit(Op::Found, out.distinct_cursor, skip, base);
    g.set_p4_int(f, out.n_cols);
    int rec = g.new_reg();
    g.emit(Op::MakeRecord, base, out.n_cols, rec);
    g.emit(Op::IdxInsert, out.distinct_cursor, rec);
  }
  if (out.sorter < 0) {
    emit_to_dest(g, out, base, skip);
    return Status::Ok();
  }
  int n_keys = static_cast<int>(out.sort_keys.size());
  if (out.topn) {
    return output_topn_row(g, out, [&](int i, int reg) {
      g.emit(Op::SCopy, base + i, reg);
      return Status::Ok();
    });
  }
  int keys = g.new_reg(n_keys + out.n_cols);
  for (int i = 0; i < n_keys; i++) {
    if (out.sort_keys[i]) {
      KEEL_RETURN_IF_ERROR(code_expr(g, out.scope, out.sort_keys[i], keys + i));
    } else {
      g.emit(Op::SCopy, base + out.sort_key_col[i], keys + i);
    }
  }
  for (int i = 0; i < out.n_cols; i++) g.emit(Op::SCopy, base + i, keys + n_keys + i);
  int rec = g.new_reg();
  g.emit(Op::MakeRecord, keys, n_keys + out.n_cols, rec);
  g.emit(Op::SorterInsert, out.sorter, rec);
  return Status::Ok();
}

Status code_select(CodeGen& g, const parse::Select* sel, Scope* outer, SelectDest& dest) {
  static thread_local int depth = 0;
  if (depth > 200) return Status(rc::kError, "too many levels of nesting");
  depth++;
  struct Leave {
    ~Leave() { depth--; }
  } leave;
  if (g.input().authorizer) {
    // The statement's own SELECT was asked about with the statement.
    const parse::ParsedStatement* ps = g.input().statement;
    bool top = depth == 1 && ps && ps->stmt && ps->stmt->kind == parse::StmtKind::kSelect;
    if (!top) KEEL_RETURN_IF_ERROR(authorize_select(g));
  }
  std::vector<const parse::CommonTableExpr*> saved = g.ctes;
  if (sel->with) push_with(g, sel->with);
  Status s;
  if (sel->cores.size > 1) {
    s = code_compound(g, sel, outer, dest);
  } else {
    s = code_core(g, sel, sel->cores[0], outer, dest);
  }
  g.ctes = std::move(saved);
  return s;
}

Result<std::vector<ColInfo>> select_columns(CodeGen& g, const parse::Select* sel, Scope* outer) {
  std::vector<const parse::CommonTableExpr*> saved = g.ctes;
  if (sel->with) push_with(g, sel->with);
  struct Restore {
    CodeGen& g;
    std::vector<const parse::CommonTableExpr*>& saved;
    ~Restore() { g.ctes = std::move(saved); }
  } restore{g, saved};
  const parse::SelectCore* core = sel->cores[0];
  std::vector<ColInfo> out;
  if (core->is_values) {
    uint32_t n = core->rows.size ? core->rows[0].size : 0;
    Scope s;
    s.outer = outer;
    for (uint32_t i = 0; i < n; i++) {
      ColInfo c;
      c.name = "column" + std::to_string(i + 1);
      c.affinity = sel->cores.size > 1 ? vm::Affinity::kNone : expr_affinity(g, &s, core->rows[0][i]);
      out.push_back(std::move(c));
    }
  } else {
    FromClause fc;
    KEEL_RETURN_IF_ERROR(build_from(g, core->from, outer, fc));
    Scope scope;
    scope.outer = outer;
    for (auto& t : fc.terms) scope.terms.push_back(t.get());
    std::vector<ResultCol> cols;
    KEEL_RETURN_IF_ERROR(expand_columns(g, core, &scope, cols));
    for (ResultCol& c : cols) out.push_back(std::move(c.info));
  }
  // Every core of a compound must have as many columns.
  for (uint32_t i = 1; i < sel->cores.size; i++) {
    const parse::SelectCore* c = sel->cores[i];
    size_t n = 0;
    if (c->is_values) {
      n = c->rows.size ? c->rows[0].size : 0;
    } else {
      bool star = false;
      for (const parse::ResultColumn& rc : c->columns) {
        if (rc.kind != parse::ResultColumn::Kind::kExpr) star = true;
      }
      if (star) {
        FromClause fc;
        KEEL_RETURN_IF_ERROR(build_from(g, c->from, outer, fc));
        Scope scope;
        scope.outer = outer;
        for (auto& t : fc.terms) scope.terms.push_back(t.get());
        std::vector<ResultCol> cols;
        KEEL_RETURN_IF_ERROR(expand_columns(g, c, &scope, cols));
        n = cols.size();
      } else {
        n = c->columns.size;
      }
    }
    if (n != out.size()) {
      static const char* kOps[] = {"", "UNION", "UNION ALL", "INTERSECT", "EXCEPT"};
      return Status(rc::kError, std::string("SELECTs to the left and right of ") +
                                    kOps[static_cast<int>(c->op)] +
                                    " do not have the same number of result columns");
    }
  }
  return out;
}

Status code_scalar_subquery(CodeGen& g, Scope* s, const parse::Select* sel, int target, bool exists) {
  if (!exists) {
    KEEL_ASSIGN_OR_RETURN(std::vector<ColInfo> cols, select_columns(g, sel, s));
    if (cols.size() != 1) {
      return Status(rc::kError,
                    "sub-select returns " + std::to_string(cols.size()) + " columns - expected 1");
    }
  }
  return code_row_subquery(g, s, sel, target, exists ? 0 : 1);
}

Status code_row_subquery(CodeGen& g, Scope* s, const parse::Select* sel, int target, int n) {
  bool exists = n == 0;
  int width = exists ? 1 : n;
  int value = g.new_reg(width);
  int once = g.emit(Op::Once, 0, 0);
  int correlated = 0;
  SelectDest dest;
  dest.kind = exists ? SelectDest::Kind::kExists : SelectDest::Kind::kMem;
  dest.reg = value;
  dest.n_cols = width;
  dest.correlated = &correlated;
  if (exists) {
    g.emit(Op::Integer, 0, value);
  } else {
    g.emit(Op::Null, 0, value, value + width - 1);
  }
  int parent = g.plan_parent;
  g.plan_parent = g.plan_row(parent, std::string(exists ? "" : "SCALAR ") + "SUBQUERY");
  Status st = code_select(g, sel, s, dest);
  g.plan_parent = parent;
  KEEL_RETURN_IF_ERROR(st);
  if (correlated) {
    g.at(once).op = Op::Noop;
    // A correlated subquery is re-run for every outer row.
  } else {
    g.at(once).p2 = g.addr();
  }
  if (width == 1) {
    g.emit(Op::SCopy, value, target);
  } else {
    g.emit(Op::Copy, value, target, width - 1);
  }
  return Status::Ok();
}

Result<bool> code_in_subquery(CodeGen& g, Scope* s, const parse::Select* sel, int cursor,
                              const std::string& aff) {
  int correlated = 0;
  SelectDest dest;
  dest.kind = SelectDest::Kind::kIndex;
  dest.cursor = cursor;
  dest.affinity = aff;
  dest.correlated = &correlated;
  int parent = g.plan_parent;
  g.plan_parent = g.plan_row(parent, "LIST SUBQUERY");
  Status st = code_select(g, sel, s, dest);
  g.plan_parent = parent;
  KEEL_RETURN_IF_ERROR(st);
  return correlated != 0;
}

}  // namespace keel::plan
