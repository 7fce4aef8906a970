// Aggregate queries (SQLite's select.c aggregate path): GROUP BY through
// the sorter, HAVING, aggregate functions with DISTINCT and FILTER.
//
// Design note
// -----------
// A dry run of the output expressions (result columns, ORDER BY, HAVING)
// collects the aggregate calls and the table columns they reference. Each
// such column gets a register that is loaded from every input row, so that
// output expressions read the last row of the group (SQLite's bare-column
// rule) through CodeGen::column_override.
//
// With GROUP BY, input rows go to a sorter as (group keys, columns); the
// sorted rows are scanned, and a change of key runs the output subroutine
// for the previous group before the accumulators take the new row.
#include <algorithm>

#include "plan/select_internal.h"
#include "vm/collation.h"

namespace keel::plan {

using parse::Expr;

namespace {

// Dry-runs the output expressions to learn the aggregates and columns.
Status collect(CodeGen& g, const parse::SelectCore* core, Scope* scope, const std::vector<ResultCol>& cols,
               RowOutput& out, AggContext& agg, std::vector<std::pair<int, int>>& columns) {
  CodeGen::Snapshot snap = g.snapshot();
  // A subquery in the output may be an aggregate query itself: keep the
  // enclosing dry run's record intact.
  bool was_recording = g.recording_columns;
  std::vector<std::pair<int, int>> outer_record = std::move(g.recorded_columns);
  g.recording_columns = true;
  g.recorded_columns.clear();
  agg.collecting = true;
  int scratch = g.new_reg();
  Status s;
  for (const ResultCol& c : cols) {
    if (c.expr) {
      AliasExpansion hide(scope);  // result expressions never see result aliases
      s = code_expr(g, scope, c.expr, scratch);
    } else {
      code_column(g, c.term, c.col, scratch);
    }
    if (!s.ok()) break;
  }
  // SQLite's order (sqlite3Select): result, ORDER BY, then HAVING. It
  // matters: the last min()/max() in it picks the bare columns' row.
  for (size_t i = 0; s.ok() && i < out.sort_keys.size(); i++) {
    if (out.sort_keys[i]) s = code_expr(g, scope, out.sort_keys[i], scratch);
  }
  if (s.ok() && core->having) s = code_expr(g, scope, core->having, scratch);
  // Aggregate arguments and FILTER clauses are evaluated per input row.
  agg.collecting = false;
  bool saved = scope->allow_agg;
  scope->allow_agg = false;
  for (size_t i = 0; s.ok() && i < agg.funcs.size(); i++) {
    for (const Expr* a : agg.funcs[i].expr->args) {
      s = code_expr(g, scope, a, scratch);
      if (!s.ok()) break;
    }
    if (s.ok() && agg.funcs[i].expr->filter) s = code_expr(g, scope, agg.funcs[i].expr->filter, scratch);
  }
  scope->allow_agg = saved;
  std::vector<std::pair<int, int>> mine = std::move(g.recorded_columns);
  g.recorded_columns = std::move(outer_record);
  if (was_recording) g.recorded_columns.insert(g.recorded_columns.end(), mine.begin(), mine.end());
  g.recording_columns = was_recording;
  g.rollback(snap);
  KEEL_RETURN_IF_ERROR(s);
  for (const auto& rc : mine) {
    bool ours = false;
    for (FromTerm* t : scope->terms) {
      if (t->cursor == rc.first) ours = true;
    }
    if (ours && std::find(columns.begin(), columns.end(), rc) == columns.end()) columns.push_back(rc);
  }
  return Status::Ok();
}

FromTerm* term_of(Scope* scope, int cursor) {
  for (FromTerm* t : scope->terms) {
    if (t->cursor == cursor) return t;
  }
  return nullptr;
}

// The single min()/max() whose best row supplies the bare columns, or -1.
int minmax_func(const AggContext& agg) {
  int found = -1;
  for (size_t i = 0; i < agg.funcs.size(); i++) {
    if (agg.funcs[i].def->flags & func::kMinMax) {
      if (found >= 0) return -1;
      found = static_cast<int>(i);
    }
  }
  return found;
}

bool has_minmax(const AggContext& agg) {
  for (const AggFunc& f : agg.funcs) {
    if (f.def->flags & func::kMinMax) return true;
  }
  return false;
}

// Feeds the current input row to every accumulator. With min()/max()
// aggregates, register `hit` tells whether the last of them that ran for
// this row took its value (so the row supplies the bare columns): each one
// sets it, as each resets SQLite's regHit (OP_CollSeq) before its step.
Status update_accumulators(CodeGen& g, Scope* scope, AggContext& agg, int hit = 0) {
  bool saved = scope->allow_agg;
  scope->allow_agg = false;
  for (AggFunc& f : agg.funcs) {
    int skip = g.new_label();
    if (f.expr->filter) KEEL_RETURN_IF_ERROR(code_if_false(g, scope, f.expr->filter, skip, true));
    int args = g.new_reg(std::max(f.n_args, 1));
    int first = g.addr();
    for (int i = 0; i < f.n_args; i++) KEEL_RETURN_IF_ERROR(code_expr(g, scope, f.expr->args[i], args + i));
    if (f.distinct_cursor < 0) pass_columns_by_ref(g, f.def, first, args, f.n_args);
    if (f.distinct_cursor >= 0) {
      int fnd = g.emit(Op::Found, f.distinct_cursor, skip, args);
      g.set_p4_int(fnd, 1);
      int rec = g.new_reg();
      g.emit(Op::MakeRecord, args, 1, rec);
      g.emit(Op::IdxInsert, f.distinct_cursor, rec);
    }
    if (f.def->flags & func::kNeedCollation) {
      bool expl = false;
      std::string coll = f.n_args ? expr_collation(g, scope, f.expr->args[0], &expl) : "";
      if (!coll.empty()) {
        int a = g.emit(Op::CollSeq);
        g.set_p4_coll(a, g.collation(coll));
      }
    }
    int a = g.emit(Op::AggStep, (f.def->flags & func::kMinMax) ? hit : 0, args, f.acc_reg);
    g.at(a).p4type = vm::P4Type::kFunction;
    g.at(a).p4.func = f.def;
    g.at(a).p5 = static_cast<uint16_t>(f.n_args);
    g.bind(skip);
  }
  scope->allow_agg = saved;
  return Status::Ok();
}

void open_distinct(CodeGen& g, Scope* scope, AggContext& agg) {
  for (AggFunc& f : agg.funcs) {
    if (f.expr->distinct != parse::Distinctness::kDistinct) continue;
    if (f.distinct_cursor < 0) f.distinct_cursor = g.new_cursor();
    auto ki = std::make_unique<vm::KeyInfo>();
    ki->n_key_field = 1;
    ki->n_all_field = 1;
    bool expl = false;
    std::string coll = expr_collation(g, scope, f.expr->args[0], &expl);
    ki->collations.push_back(coll.empty() ? nullptr : g.collation(coll));
    int a = g.emit(Op::OpenEphemeral, f.distinct_cursor, 1);
    g.set_p4_keyinfo(a, std::move(ki));
  }
}

// Finalizes the accumulators and sends one output row (if HAVING allows).
Status output_group(CodeGen& g, const parse::SelectCore* core, Scope* scope,
                    const std::vector<ResultCol>& cols, AggContext& agg, RowOutput& out,
                    const std::vector<std::pair<int, int>>& columns, int col_regs) {
  for (AggFunc& f : agg.funcs) {
    if (f.precomputed) continue;
    int a = g.emit(Op::AggFinal, f.acc_reg, f.n_args);
    g.at(a).p4type = vm::P4Type::kFunction;
    g.at(a).p4.func = f.def;
  }
  for (size_t i = 0; i < columns.size(); i++) g.column_override[columns[i]] = col_regs + static_cast<int>(i);
  int skip = g.new_label();
  Status s;
  if (core->having) s = code_if_false(g, scope, core->having, skip, true);
  int base = g.new_reg(out.n_cols);
  if (s.ok()) s = code_result_columns(g, scope, cols, base);
  if (s.ok()) s = output_row(g, out, base, skip);
  g.bind(skip);
  for (const auto& c : columns) g.column_override.erase(c);
  return s;
}

}  // namespace

Status code_aggregate(CodeGen& g, const parse::SelectCore* core, Scope* scope,
                      const std::vector<ResultCol>& cols, const std::vector<const Expr*>& group_by,
                      RowOutput& out) {
  AggContext agg;
  agg.scope = scope;
  scope->agg = &agg;
  scope->allow_agg = true;
  std::vector<std::pair<int, int>> columns;
  KEEL_RETURN_IF_ERROR(collect(g, core, scope, cols, out, agg, columns));
  // Group keys' own columns are needed to evaluate the keys after sorting
  // only through the sorter record; output reads the column registers.
  int n_cols = static_cast<int>(columns.size());
  int col_regs = g.new_reg(std::max(n_cols, 1));
  agg.collecting = false;

  if (group_by.empty() && core->where == nullptr && n_cols == 0 && agg.funcs.size() == 1 &&
      scope->terms.size() == 1 && scope->terms[0]->table && !scope->terms[0]->ephemeral &&
      scope->terms[0]->on == nullptr && (agg.funcs[0].def->flags & func::kCount) &&
      agg.funcs[0].n_args == 0 && !agg.funcs[0].expr->filter) {
    // SELECT count(*) FROM t: the b-tree's entry count (OP_Count).
    FromTerm* t = scope->terms[0];
    open_table(g, t->table, t->cursor, false);
    g.emit(Op::Count, t->cursor, agg.funcs[0].acc_reg);
    agg.funcs[0].precomputed = true;
    g.plan_row(g.plan_parent, "SCAN " + t->table->name);
    return output_group(g, core, scope, cols, agg, out, columns, col_regs);
  }
  if (group_by.empty()) {
    open_distinct(g, scope, agg);
    for (AggFunc& f : agg.funcs) g.emit(Op::Null, 0, f.acc_reg);
    g.emit(Op::Null, 0, col_regs, col_regs + std::max(n_cols, 1) - 1);
    // Bare columns come from the first row, or with min()/max() from each
    // row where the last of them that ran took its value (SQLite 3.40's
    // rule: each min/max resets and may set the same regHit).
    int loaded = g.new_reg(), hit = g.new_reg();
    g.emit(Op::Integer, 0, loaded);
    WhereInfo w;
    w.allow_covering = true;
    // A lone min(col) / max(col) over one table: the first row in the
    // column's index order answers it (SQLite's WHERE_ORDERBY_MIN/MAX).
    int mm = minmax_func(agg);
    if (mm >= 0 && agg.funcs.size() == 1 && agg.funcs[mm].n_args == 1 && !agg.funcs[mm].expr->filter) {
      const parse::FunctionExpr* f = agg.funcs[mm].expr;
      OrderKey k;
      k.expr = f->args[0];
      k.desc = vm::stricmp(f->name.value, "max") == 0;
      bool expl = false;
      k.collation = expr_collation(g, scope, f->args[0], &expl);
      w.minmax = k.desc ? 2 : 1;
      w.order_keys.push_back(std::move(k));
    }
    KEEL_RETURN_IF_ERROR(where_begin(g, scope, core->where, w));
    g.emit(Op::Integer, 0, hit);
    KEEL_RETURN_IF_ERROR(update_accumulators(g, scope, agg, hit));
    if (n_cols > 0) {
      int load = g.new_label(), skip = g.new_label();
      g.emit(Op::IfNot, loaded, load);
      if (has_minmax(agg)) g.emit(Op::If, hit, load);
      g.emit(Op::Goto, 0, skip);
      g.bind(load);
      g.emit(Op::Integer, 1, loaded);
      for (int i = 0; i < n_cols; i++) {
        FromTerm* t = term_of(scope, columns[i].first);
        code_column(g, t, columns[i].second, col_regs + i);
      }
      g.bind(skip);
    }
    if (w.order_satisfied && w.minmax) g.emit(Op::Goto, 0, w.brk);  // the first row decides
    KEEL_RETURN_IF_ERROR(where_end(g, scope, w));
    return output_group(g, core, scope, cols, agg, out, columns, col_regs);
  }

  // GROUP BY: sort (keys, columns), then scan groups — or, when the loops
  // deliver the rows in GROUP BY order (an index), feed each row straight
  // to the group scan (a subroutine), with no sorter.
  int n_keys = static_cast<int>(group_by.size());
  int sorter = g.new_cursor();
  int sorter_open;
  {
    auto ki = std::make_unique<vm::KeyInfo>();
    ki->n_key_field = static_cast<uint16_t>(n_keys);
    ki->n_all_field = static_cast<uint16_t>(n_keys);  // keys only: ties keep insertion order
    for (const Expr* e : group_by) {
      bool expl = false;
      std::string c = expr_collation(g, scope, e, &expl);
      ki->collations.push_back(c.empty() ? nullptr : g.collation(c));
    }
    sorter_open = g.emit(Op::SorterOpen, sorter, n_keys + n_cols);
    g.set_p4_keyinfo(sorter_open, std::move(ki));
  }
  int rec = g.new_reg();
  int pseudo = g.new_cursor();
  int prev = g.new_reg(n_keys), cur = g.new_reg(n_keys);
  int have_group = g.new_reg();
  int ret = g.new_reg();
  g.emit(Op::Integer, 0, have_group);
  g.emit(Op::Null, 0, prev, prev + n_keys - 1);
  open_distinct(g, scope, agg);
  for (AggFunc& f : agg.funcs) g.emit(Op::Null, 0, f.acc_reg);
  int output_sub = g.new_label(), end = g.new_label(), sorted_end = g.new_label();
  bool by_index = false;
  int row_regs = 0, row_ret = g.new_reg(), process = g.new_label(), rows_done = g.new_label();
  {
    bool saved = scope->allow_agg;
    scope->allow_agg = false;
    WhereInfo w;
    w.allow_covering = true;
    for (const Expr* e : group_by) {
      OrderKey k;
      k.expr = e;
      bool expl = false;
      k.collation = expr_collation(g, scope, e, &expl);
      w.order_keys.push_back(std::move(k));
    }
    KEEL_RETURN_IF_ERROR(where_begin(g, scope, core->where, w));
    by_index = w.order_satisfied;
    row_regs = g.new_reg(n_keys + n_cols);
    for (int i = 0; i < n_keys; i++) KEEL_RETURN_IF_ERROR(code_expr(g, scope, group_by[i], row_regs + i));
    for (int i = 0; i < n_cols; i++) {
      code_column(g, term_of(scope, columns[i].first), columns[i].second, row_regs + n_keys + i);
    }
    if (by_index) {
      g.emit(Op::Gosub, row_ret, process);
    } else {
      int in = g.new_reg();
      g.emit(Op::MakeRecord, row_regs, n_keys + n_cols, in);
      g.emit(Op::SorterInsert, sorter, in);
    }
    KEEL_RETURN_IF_ERROR(where_end(g, scope, w));
    scope->allow_agg = saved;
    if (!by_index) g.plan_row(g.plan_parent, "USE TEMP B-TREE FOR GROUP BY");
  }
  int top;
  if (by_index) {
    g.at(sorter_open).op = Op::Noop;
    g.emit(Op::Goto, 0, rows_done);
    g.bind(process);
    top = g.addr();
    for (int i = 0; i < n_keys; i++) g.emit(Op::SCopy, row_regs + i, cur + i);
  } else {
    g.emit(Op::OpenPseudo, pseudo, rec, n_keys + n_cols);
    g.emit(Op::SorterSort, sorter, sorted_end);
    top = g.addr();
    g.emit(Op::SorterData, sorter, rec, pseudo);
    for (int i = 0; i < n_keys; i++) g.emit(Op::Column, pseudo, i, cur + i);
  }
  int first = g.new_label(), same = g.new_label(), changed = g.new_label();
  g.emit(Op::IfNot, have_group, first);
  {
    auto ki = std::make_unique<vm::KeyInfo>();
    ki->n_key_field = static_cast<uint16_t>(n_keys);
    ki->n_all_field = static_cast<uint16_t>(n_keys);
    for (const Expr* e : group_by) {
      bool expl = false;
      std::string c = expr_collation(g, scope, e, &expl);
      ki->collations.push_back(c.empty() ? nullptr : g.collation(c));
    }
    int a = g.emit(Op::Compare, prev, cur, n_keys);
    g.set_p4_keyinfo(a, std::move(ki));
  }
  int new_group = g.new_reg(), hit = g.new_reg(), accumulate = g.new_label();
  int row_cols = g.new_reg(std::max(n_cols, 1));
  g.emit(Op::Jump, changed, same, changed);
  g.bind(changed);
  g.emit(Op::Gosub, ret, output_sub);
  g.bind(first);
  g.emit(Op::Copy, cur, prev, n_keys - 1);
  g.emit(Op::Integer, 1, have_group);
  g.emit(Op::Integer, 1, new_group);
  g.emit(Op::Goto, 0, accumulate);
  g.bind(same);
  g.emit(Op::Integer, 0, new_group);
  g.bind(accumulate);
  // This row's columns feed the aggregates; the group's bare columns are
  // those of its first row (or of its min()/max() row).
  for (int i = 0; i < n_cols; i++) {
    if (by_index) {
      g.emit(Op::SCopy, row_regs + n_keys + i, row_cols + i);
    } else {
      g.emit(Op::Column, pseudo, n_keys + i, row_cols + i);
    }
  }
  for (int i = 0; i < n_cols; i++) g.column_override[columns[i]] = row_cols + i;
  g.emit(Op::Integer, 0, hit);
  Status s = update_accumulators(g, scope, agg, hit);
  for (const auto& c : columns) g.column_override.erase(c);
  KEEL_RETURN_IF_ERROR(s);
  if (n_cols > 0) {
    int load = g.new_label(), skip = g.new_label();
    g.emit(Op::If, new_group, load);
    if (has_minmax(agg)) g.emit(Op::If, hit, load);
    g.emit(Op::Goto, 0, skip);
    g.bind(load);
    g.emit(Op::Copy, row_cols, col_regs, n_cols - 1);
    g.bind(skip);
  }
  if (by_index) {
    g.emit(Op::Return, row_ret);
    g.bind(rows_done);
  } else {
    g.emit(Op::SorterNext, sorter, top);
  }
  g.emit(Op::IfNot, have_group, end);
  g.emit(Op::Gosub, ret, output_sub);
  g.emit(Op::Goto, 0, end);
  g.bind(sorted_end);
  g.emit(Op::Goto, 0, end);
  // Output subroutine: the finished group, then fresh accumulators.
  g.bind(output_sub);
  KEEL_RETURN_IF_ERROR(output_group(g, core, scope, cols, agg, out, columns, col_regs));
  open_distinct(g, scope, agg);
  for (AggFunc& f : agg.funcs) g.emit(Op::Null, 0, f.acc_reg);
  g.emit(Op::Return, ret);
  g.bind(end);
  return Status::Ok();
}

}  // namespace keel::plan
