// Window functions in SELECT: resolution of OVER clauses (sqlite3WindowUpdate,
// sqlite3WindowChain), grouping of identical windows (sqlite3WindowCompare,
// sqlite3WindowLink) and the staged code described in window.h.
//
// Design note
// -----------
// SQLite rewrites a window query into nested subqueries, one per distinct
// window, the first window met in the result list being the outermost (so
// its PARTITION BY / ORDER BY decides the output order). We code the same
// nesting as a chain of sorters without rewriting the AST:
//
//  * A dry run of the output expressions (result columns, ORDER BY keys)
//    collects the window calls and the "terminals" SQLite's rewrite moves
//    into the subquery: table columns (CodeGen::recorded_columns) and, in
//    an aggregate query, aggregate calls.
//  * The inner query evaluates, per row, the payload: those terminals, the
//    arguments and FILTER of every window call, and the PARTITION BY /
//    ORDER BY values of every window. It feeds the first stage's sorter.
//  * Stage k sorts by its window's keys, buffers each partition in the VM
//    (OP_WindowAppend), runs the frame machinery (OP_WindowRun) and reads
//    the rows back with the results (OP_WindowColumn), into the next
//    stage's sorter, or, after the last stage, through the output
//    expressions with columns, aggregates and window calls read from the
//    payload registers.
#include "plan/window.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <memory>
#include <string>

#include "func/window_functions.h"
#include "parse/ast_walk.h"
#include "vm/window.h"

namespace keel::plan {

using parse::Expr;
using parse::ExprKind;
using parse::FunctionExpr;
using Bound = vm::WindowPlan::Bound;
using Unit = vm::WindowPlan::Unit;
using Exclude = vm::WindowPlan::Exclude;

// A window as the function sees it after SQLite's coercions.
struct ResolvedWindow {
  std::vector<const Expr*> partition;
  std::vector<const parse::OrderingTerm*> order;
  Unit unit = Unit::kRange;
  Bound start = Bound::kUnboundedPreceding;
  Bound end = Bound::kCurrentRow;
  Exclude exclude = Exclude::kNone;
  const Expr* start_expr = nullptr;  // offset expression (constant), or nullptr
  const Expr* end_expr = nullptr;
  bool start_null = false;  // a non-constant offset: SQLite replaces it with NULL
  bool end_null = false;
  bool start_one = false;  // cume_dist(): "1 FOLLOWING"
};

struct WindowCall {
  const FunctionExpr* f = nullptr;
  const func::FunctionDef* def = nullptr;
  ResolvedWindow w;
  int group = -1;
  int reg = 0;       // the result, while the output expressions run
  int arg_slot = 0;  // payload position of the first argument
  int filter_slot = -1;
  int subtype_slot = -1;  // SQLITE_SUBTYPE functions: the arguments' subtypes
};

struct WindowContext {
  bool collecting = true;
  bool allowed = true;  // false inside window arguments, PARTITION BY, ...
  const parse::SelectCore* core = nullptr;
  std::vector<WindowCall> calls;
  int find(const FunctionExpr* f) const {
    for (size_t i = 0; i < calls.size(); i++) {
      if (calls[i].f == f) return static_cast<int>(i);
    }
    return -1;
  }
};

namespace {

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

bool name_eq(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

// ---- finding window calls

class WindowFinder : public parse::AstVisitor {
 public:
  bool found = false;
  bool expr(const Expr& e) override {
    switch (e.kind) {
      case ExprKind::kFunction: {
        const auto* f = const_cast<Expr&>(e).as<FunctionExpr>();
        if (f->over || f->over_name.present()) {
          found = true;
          return false;
        }
        return true;
      }
      case ExprKind::kSubquery:
      case ExprKind::kExists:
        return false;
      case ExprKind::kIn: {
        auto* in = const_cast<Expr&>(e).as<parse::InExpr>();
        if (in->left) parse::walk(*in->left, *this);
        for (const Expr* x : in->list) parse::walk(*x, *this);
        return false;
      }
      default:
        return true;
    }
  }
};

bool has_window(const Expr* e) {
  if (e == nullptr) return false;
  WindowFinder v;
  parse::walk(*e, v);
  return v.found;
}

// sqlite3ExprIsConstant as it runs on a frame offset at parse time: no
// columns, functions or subqueries (bound parameters are constant).
class ConstantChecker : public parse::AstVisitor {
 public:
  bool constant = true;
  bool expr(const Expr& e) override {
    switch (e.kind) {
      case ExprKind::kColumnRef:
      case ExprKind::kFunction:
      case ExprKind::kSubquery:
      case ExprKind::kExists:
      case ExprKind::kRaise:
        constant = false;
        return false;
      case ExprKind::kIn:
        if (const_cast<Expr&>(e).as<parse::InExpr>()->rhs != parse::InExpr::Rhs::kList) constant = false;
        return constant;
      default:
        return true;
    }
  }
};

bool offset_constant(const Expr* e) {
  ConstantChecker v;
  parse::walk(*e, v);
  return v.constant;
}

// ---- resolution (sqlite3WindowUpdate / sqlite3WindowChain)

Bound bound_of(parse::FrameBoundKind k) {
  switch (k) {
    case parse::FrameBoundKind::kUnboundedPreceding:
      return Bound::kUnboundedPreceding;
    case parse::FrameBoundKind::kPreceding:
      return Bound::kPreceding;
    case parse::FrameBoundKind::kCurrentRow:
      return Bound::kCurrentRow;
    case parse::FrameBoundKind::kFollowing:
      return Bound::kFollowing;
    case parse::FrameBoundKind::kUnboundedFollowing:
      return Bound::kUnboundedFollowing;
  }
  return Bound::kCurrentRow;
}

void apply_frame(const parse::WindowFrame* fr, ResolvedWindow& w) {
  if (fr == nullptr) return;  // RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
  w.unit = fr->unit == parse::FrameUnit::kRows    ? Unit::kRows
           : fr->unit == parse::FrameUnit::kRange ? Unit::kRange
                                                  : Unit::kGroups;
  w.start = bound_of(fr->start.kind);
  w.end = bound_of(fr->end.kind);
  switch (fr->exclude) {
    case parse::FrameExclude::kNone:
      w.exclude = Exclude::kNone;
      break;
    case parse::FrameExclude::kNoOthers:
      w.exclude = Exclude::kNoOthers;
      break;
    case parse::FrameExclude::kCurrentRow:
      w.exclude = Exclude::kCurrentRow;
      break;
    case parse::FrameExclude::kGroup:
      w.exclude = Exclude::kGroup;
      break;
    case parse::FrameExclude::kTies:
      w.exclude = Exclude::kTies;
      break;
  }
  if (fr->start.offset) {
    if (offset_constant(fr->start.offset)) {
      w.start_expr = fr->start.offset;
    } else {
      w.start_null = true;
    }
  }
  if (fr->end.offset) {
    if (offset_constant(fr->end.offset)) {
      w.end_expr = fr->end.offset;
    } else {
      w.end_null = true;
    }
  }
}

// The named window written `name` in the WINDOW clause, with its base
// merged in. As in SQLite, names compare as written (quotes included,
// case-insensitively) and the last definition of a name wins; a base is
// looked up among the definitions before its own (`limit`).
Status resolve_named(CodeGen& g, const parse::SelectCore* core, std::string_view name, ResolvedWindow& w,
                     bool* implicit_frame, size_t limit = SIZE_MAX) {
  const parse::NamedWindow* nw = nullptr;
  size_t index = 0;
  if (core) {
    size_t n = std::min<size_t>(core->windows.size, limit);
    for (size_t i = n; i-- > 0;) {
      if (name_eq(core->windows[static_cast<uint32_t>(i)]->name.span.text(g.sql()), name)) {
        nw = core->windows[static_cast<uint32_t>(i)];
        index = i;
        break;
      }
    }
  }
  if (nw == nullptr) return Status(rc::kError, "no such window: " + std::string(name));
  const parse::WindowSpec* spec = nw->spec;
  if (spec->base.present()) {
    // The parser checked the chain; merge the base's PARTITION BY / ORDER BY.
    bool base_implicit = true;
    KEEL_RETURN_IF_ERROR(resolve_named(g, core, spec->base.span.text(g.sql()), w, &base_implicit, index));
  }
  for (const Expr* e : spec->partition_by) w.partition.push_back(e);
  if (!spec->order_by.empty()) {
    w.order.clear();
    for (const parse::OrderingTerm& t : spec->order_by) w.order.push_back(&t);
  }
  w.unit = Unit::kRange;
  w.start = Bound::kUnboundedPreceding;
  w.end = Bound::kCurrentRow;
  w.exclude = Exclude::kNone;
  w.start_expr = w.end_expr = nullptr;
  w.start_null = w.end_null = false;
  apply_frame(spec->frame, w);
  *implicit_frame = spec->frame == nullptr;
  return Status::Ok();
}

Status resolve_window(CodeGen& g, const parse::SelectCore* core, const FunctionExpr* f,
                      const func::FunctionDef* def, ResolvedWindow& w) {
  (void)g;
  if (f->over == nullptr) {
    bool implicit = true;
    KEEL_RETURN_IF_ERROR(resolve_named(g, core, f->over_name.span.text(g.sql()), w, &implicit));
  } else {
    const parse::WindowSpec* spec = f->over;
    if (spec->base.present()) {
      std::string base(spec->base.span.text(g.sql()));
      ResolvedWindow bw;
      bool implicit = true;
      Status s = resolve_named(g, core, base, bw, &implicit);
      if (!s.ok()) return Status(rc::kError, "no such window: " + base);
      const char* what = nullptr;
      if (!spec->partition_by.empty()) {
        what = "PARTITION clause";
      } else if (!bw.order.empty() && !spec->order_by.empty()) {
        what = "ORDER BY clause";
      } else if (!implicit) {
        what = "frame specification";
      }
      if (what) return Status(rc::kError, std::string("cannot override ") + what + " of window: " + base);
      w.partition = bw.partition;
      w.order = bw.order;
    }
    for (const Expr* e : spec->partition_by) w.partition.push_back(e);
    if (!spec->order_by.empty()) {
      for (const parse::OrderingTerm& t : spec->order_by) w.order.push_back(&t);
    }
    apply_frame(spec->frame, w);
  }
  bool has_offset = w.start_expr || w.end_expr || w.start_null || w.end_null;
  if (w.unit == Unit::kRange && has_offset && w.order.size() != 1) {
    return Status(rc::kError, "RANGE with offset PRECEDING/FOLLOWING requires one ORDER BY expression");
  }
  if (def->flags & func::kWindowOnly) {
    if (f->filter)
      return Status(rc::kError, "FILTER clause may only be used with aggregate window functions");
    struct Coerce {
      const char* name;
      Unit unit;
      Bound start, end;
    };
    static const Coerce kCoerce[] = {
        {"row_number", Unit::kRows, Bound::kUnboundedPreceding, Bound::kCurrentRow},
        {"dense_rank", Unit::kRange, Bound::kUnboundedPreceding, Bound::kCurrentRow},
        {"rank", Unit::kRange, Bound::kUnboundedPreceding, Bound::kCurrentRow},
        {"percent_rank", Unit::kGroups, Bound::kCurrentRow, Bound::kUnboundedFollowing},
        {"cume_dist", Unit::kGroups, Bound::kFollowing, Bound::kUnboundedFollowing},
        {"ntile", Unit::kRows, Bound::kCurrentRow, Bound::kUnboundedFollowing},
        {"lead", Unit::kRows, Bound::kUnboundedPreceding, Bound::kUnboundedFollowing},
        {"lag", Unit::kRows, Bound::kUnboundedPreceding, Bound::kCurrentRow},
    };
    for (const Coerce& c : kCoerce) {
      if (def->name == c.name) {
        w.unit = c.unit;
        w.start = c.start;
        w.end = c.end;
        w.exclude = Exclude::kNone;
        w.start_expr = w.end_expr = nullptr;
        w.start_null = w.end_null = false;
        w.start_one = c.start == Bound::kFollowing;
        break;
      }
    }
  }
  return Status::Ok();
}

bool same_expr(CodeGen& g, const Expr* a, const Expr* b) {
  if (a == nullptr || b == nullptr) return a == b;
  return expr_equal(g.sql(), a, b);
}

uint8_t sort_flags(const parse::OrderingTerm& t) {
  uint8_t f = 0;
  bool desc = t.order == parse::SortOrder::kDesc;
  if (desc) f |= vm::kSortDesc;
  if (t.nulls == parse::NullsOrder::kLast && !desc) f |= vm::kSortBigNull;
  if (t.nulls == parse::NullsOrder::kFirst && desc) f |= vm::kSortBigNull;
  return f;
}

// sqlite3WindowCompare(..., bFilter = 0) == 0.
bool same_window(CodeGen& g, const ResolvedWindow& a, const ResolvedWindow& b) {
  if (a.unit != b.unit || a.start != b.start || a.end != b.end || a.exclude != b.exclude) return false;
  if (a.start_null != b.start_null || a.end_null != b.end_null || a.start_one != b.start_one) return false;
  if (!same_expr(g, a.start_expr, b.start_expr) || !same_expr(g, a.end_expr, b.end_expr)) return false;
  if (a.partition.size() != b.partition.size() || a.order.size() != b.order.size()) return false;
  for (size_t i = 0; i < a.partition.size(); i++) {
    if (!same_expr(g, a.partition[i], b.partition[i])) return false;
  }
  for (size_t i = 0; i < a.order.size(); i++) {
    if (sort_flags(*a.order[i]) != sort_flags(*b.order[i])) return false;
    if (!same_expr(g, a.order[i]->expr, b.order[i]->expr)) return false;
  }
  return true;
}

// Restores a Scope's window / aggregate state on scope exit.
struct ScopeState {
  Scope* s;
  WindowContext* win;
  AggContext* agg;
  bool allow_agg;
  explicit ScopeState(Scope* sc) : s(sc), win(sc->win), agg(sc->agg), allow_agg(sc->allow_agg) {}
  ~ScopeState() {
    s->win = win;
    s->agg = agg;
    s->allow_agg = allow_agg;
  }
};

// One window (a group of calls) and where its values live.
struct Group {
  ResolvedWindow w;
  std::vector<int> calls;
  int key_slot = 0;  // payload position of its partition + order values
};

std::unique_ptr<vm::KeyInfo> keys_keyinfo(CodeGen& g, Scope* scope, const ResolvedWindow& w, bool with_order,
                                          bool with_partition) {
  auto ki = std::make_unique<vm::KeyInfo>();
  auto coll = [&](const Expr* e) {
    bool expl = false;
    std::string c = expr_collation(g, scope, e, &expl);
    return c.empty() ? nullptr : g.collation(c);
  };
  if (with_partition) {
    for (const Expr* e : w.partition) {
      ki->collations.push_back(coll(e));
      ki->sort_flags.push_back(0);
    }
  }
  if (with_order) {
    for (const parse::OrderingTerm* t : w.order) {
      ki->collations.push_back(coll(t->expr));
      ki->sort_flags.push_back(sort_flags(*t));
    }
  }
  ki->n_key_field = static_cast<uint16_t>(ki->collations.size());
  ki->n_all_field = ki->n_key_field;
  return ki;
}

}  // namespace

bool select_has_windows(const parse::Select* sel, const parse::SelectCore* core) {
  for (const parse::ResultColumn& rc : core->columns) {
    if (rc.kind == parse::ResultColumn::Kind::kExpr && has_window(rc.expr)) return true;
  }
  for (const parse::OrderingTerm& t : sel->order_by) {
    if (has_window(t.expr)) return true;
  }
  return false;
}

bool values_row_has_windows(const parse::List<Expr*>& row) {
  for (const Expr* e : row) {
    if (has_window(e)) return true;
  }
  return false;
}

Status code_window_values_row(CodeGen& g, const parse::List<Expr*>& row, Scope* outer, RowOutput& out) {
  Scope s;
  s.outer = outer;
  s.correlated_flag = out.dest->correlated;
  std::vector<ResultCol> cols;
  for (const Expr* e : row) {
    ResultCol c;
    c.expr = e;
    cols.push_back(c);
  }
  const parse::SelectCore* core = g.arena.make<parse::SelectCore>();
  RowOutput row_out = out;
  row_out.scope = &s;
  return code_window_select(g, nullptr, core, &s, cols, {}, false, row_out);
}

Status code_window_call(CodeGen& g, Scope* s, const FunctionExpr* f, const func::FunctionDef* def,
                        int target) {
  if (def->value == nullptr) {
    return Status(rc::kError, std::string(f->name.value) + "() may not be used as a window function");
  }
  WindowContext* wc = s ? s->win : nullptr;
  if (wc == nullptr || !wc->allowed) {
    return Status(rc::kError, "misuse of window function " + std::string(f->name.value) + "()");
  }
  int idx = wc->find(f);
  if (!wc->collecting) {
    if (idx < 0) return Status(rc::kInternal, "window function not collected");
    g.emit(Op::SCopy, wc->calls[idx].reg, target);
    return Status::Ok();
  }
  if (idx < 0) {
    WindowCall call;
    call.f = f;
    call.def = def;
    KEEL_RETURN_IF_ERROR(resolve_window(g, wc->core, f, def, call.w));
    // The arguments, FILTER, PARTITION BY and ORDER BY are checked now, in
    // SQLite's order (window calls nested in them are misuse); the values
    // are computed by the inner query.
    size_t n_rec = g.recorded_columns.size();
    size_t n_agg = s->agg ? s->agg->funcs.size() : 0;
    wc->allowed = false;
    int scratch = g.new_reg();
    Status st;
    for (const Expr* a : f->args) {
      st = code_expr(g, s, a, scratch);
      if (!st.ok()) break;
    }
    for (size_t i = 0; st.ok() && i < call.w.partition.size(); i++)
      st = code_expr(g, s, call.w.partition[i], scratch);
    for (size_t i = 0; st.ok() && i < call.w.order.size(); i++)
      st = code_expr(g, s, call.w.order[i]->expr, scratch);
    if (st.ok() && f->filter) st = code_expr(g, s, f->filter, scratch);
    wc->allowed = true;
    if (g.recorded_columns.size() > n_rec) g.recorded_columns.resize(n_rec);
    if (s->agg && s->agg->funcs.size() > n_agg) s->agg->funcs.resize(n_agg);
    KEEL_RETURN_IF_ERROR(st);
    wc->calls.push_back(std::move(call));
  }
  g.emit(Op::Null, 0, target);
  return Status::Ok();
}

Status code_window_select(CodeGen& g, const parse::Select* sel, const parse::SelectCore* core, Scope* scope,
                          const std::vector<ResultCol>& cols, const std::vector<const Expr*>& group_by,
                          bool is_agg, RowOutput& out) {
  (void)sel;
  ScopeState saved(scope);
  WindowContext wc;
  wc.core = core;

  // 1. Dry run of the output expressions.
  AggContext outer_agg;
  outer_agg.scope = scope;
  outer_agg.collecting = true;
  std::vector<std::pair<int, int>> columns;
  {
    CodeGen::Snapshot snap = g.snapshot();
    bool was_recording = g.recording_columns;
    std::vector<std::pair<int, int>> outer_record = std::move(g.recorded_columns);
    g.recording_columns = true;
    g.recorded_columns.clear();
    scope->win = &wc;
    scope->agg = is_agg ? &outer_agg : nullptr;
    scope->allow_agg = is_agg;
    int scratch = g.new_reg();
    Status s;
    for (const ResultCol& c : cols) {
      if (c.expr) {
        AliasExpansion hide(scope);
        s = code_expr(g, scope, c.expr, scratch);
      } else {
        code_column(g, c.term, c.col, scratch);
      }
      if (!s.ok()) break;
    }
    for (size_t i = 0; s.ok() && i < out.sort_keys.size(); i++) {
      if (out.sort_keys[i]) s = code_expr(g, scope, out.sort_keys[i], scratch);
    }
    std::vector<std::pair<int, int>> mine = std::move(g.recorded_columns);
    g.recorded_columns = std::move(outer_record);
    if (was_recording) g.recorded_columns.insert(g.recorded_columns.end(), mine.begin(), mine.end());
    g.recording_columns = was_recording;
    g.rollback(snap);
    scope->win = saved.win;
    scope->agg = saved.agg;
    scope->allow_agg = saved.allow_agg;
    KEEL_RETURN_IF_ERROR(s);
    for (const auto& rc : mine) {
      bool ours = false;
      for (FromTerm* t : scope->terms) {
        if (t->cursor == rc.first) ours = true;
      }
      if (ours && std::find(columns.begin(), columns.end(), rc) == columns.end()) columns.push_back(rc);
    }
  }
  if (wc.calls.empty()) {
    // Every OVER sits inside an aggregate's arguments: the plain paths
    // report the misuse.
    if (is_agg) return code_aggregate(g, core, scope, cols, group_by, out);
    WhereInfo w;
    KEEL_RETURN_IF_ERROR(where_begin(g, scope, core->where, w));
    int base = g.new_reg(out.n_cols);
    KEEL_RETURN_IF_ERROR(code_result_columns(g, scope, cols, base));
    int skip = w.levels.empty() ? g.new_label() : w.levels.back().cont;
    KEEL_RETURN_IF_ERROR(output_row(g, out, base, skip));
    if (w.levels.empty()) g.bind(skip);
    return where_end(g, scope, w);
  }

  // The recursive member of a recursive CTE reads its queue row by row.
  for (FromTerm* t : scope->terms) {
    if (t->dup_of >= 0) return Status(rc::kError, "cannot use window functions in recursive queries");
  }

  // 2. Groups, in SQLite's nesting: the first call's window is outermost.
  std::vector<Group> groups;
  for (size_t i = 0; i < wc.calls.size(); i++) {
    WindowCall& c = wc.calls[i];
    for (size_t k = 0; k < groups.size() && c.group < 0; k++) {
      if (same_window(g, groups[k].w, c.w)) c.group = static_cast<int>(k);
    }
    if (c.group < 0) {
      c.group = static_cast<int>(groups.size());
      groups.push_back(Group{c.w, {}, 0});
    }
    groups[c.group].calls.push_back(static_cast<int>(i));
  }

  // 3. The payload: columns, aggregates, call arguments and filters, keys.
  std::vector<ResultCol> payload;
  auto add_expr = [&](const Expr* e) {
    ResultCol rc;
    rc.expr = e;
    payload.push_back(rc);
    return static_cast<int>(payload.size() - 1);
  };
  for (const auto& c : columns) {
    ResultCol rc;
    for (FromTerm* t : scope->terms) {
      if (t->cursor == c.first) rc.term = t;
    }
    rc.col = c.second;
    payload.push_back(rc);
  }
  int agg_slot = static_cast<int>(payload.size());
  for (const AggFunc& a : outer_agg.funcs) add_expr(a.expr);
  for (WindowCall& c : wc.calls) {
    c.arg_slot = static_cast<int>(payload.size());
    for (const Expr* a : c.f->args) add_expr(a);
    if (c.f->filter) c.filter_slot = add_expr(c.f->filter);
    if ((c.def->flags & func::kSubtype) && c.f->args.size > 0) {
      c.subtype_slot = static_cast<int>(payload.size());
      for (Expr* a : c.f->args) {
        auto* st = g.arena.make<FunctionExpr>();
        st->kind = ExprKind::kFunction;
        st->height = static_cast<uint16_t>(a->height + 1);
        st->span = a->span;
        st->name.value = g.arena.copy(func::kWindowSubtypeFunction);
        st->name.span = a->span;
        st->args.items = g.arena.make_array<Expr*>(1);
        st->args.items[0] = a;
        st->args.size = 1;
        add_expr(st);
      }
    }
  }
  // The keys of every window but the innermost (sorted first, from the
  // inner query's own key columns), to sort the later stages by.
  for (size_t k = 0; k + 1 < groups.size(); k++) {
    Group& gr = groups[k];
    gr.key_slot = static_cast<int>(payload.size());
    for (const Expr* e : gr.w.partition) add_expr(e);
    for (const parse::OrderingTerm* t : gr.w.order) add_expr(t->expr);
  }
  int n_payload = static_cast<int>(payload.size());
  int payload_regs = g.new_reg(std::max(n_payload, 1));
  for (WindowCall& c : wc.calls) c.reg = g.new_reg();

  // Stage order: innermost (last) group first.
  std::vector<int> order;
  for (int k = static_cast<int>(groups.size()) - 1; k >= 0; k--) order.push_back(k);
  // Each stage's rows go to a sorter on its keys; a window without
  // PARTITION BY and ORDER BY keeps them in arrival order in a table.
  std::vector<int> sorters(order.size());
  std::vector<bool> is_table(order.size());
  for (size_t i = 0; i < order.size(); i++) {
    const Group& gr = groups[order[i]];
    sorters[i] = g.new_cursor();
    int nk = static_cast<int>(gr.w.partition.size() + gr.w.order.size());
    int width = nk + n_payload + static_cast<int>(wc.calls.size());
    is_table[i] = nk == 0;
    if (is_table[i]) {
      g.emit(Op::OpenEphemeral, sorters[i], width);
    } else {
      int a = g.emit(Op::SorterOpen, sorters[i], width);
      g.set_p4_keyinfo(a, keys_keyinfo(g, scope, gr.w, true, true));
    }
  }

  // EXPLAIN QUERY PLAN as SQLite shows its rewrite: one co-routine per
  // window, the first window's outermost, numbered after the outer select.
  int plan_parent = g.plan_parent;
  std::vector<int> co(groups.size());
  for (size_t j = 0; j < groups.size(); j++) {
    co[j] = g.plan_row(j ? co[j - 1] : plan_parent, "CO-ROUTINE (subquery-" + std::to_string(j + 2) + ")");
  }
  auto has_keys = [](const Group& gr) { return !gr.w.partition.empty() || !gr.w.order.empty(); };

  // 4. The inner query feeds the first stage: [keys][payload].
  g.plan_parent = co.back();
  {
    const Group& first = groups[order[0]];
    std::vector<ResultCol> inner;
    for (const Expr* e : first.w.partition) {
      ResultCol rc;
      rc.expr = e;
      inner.push_back(rc);
    }
    for (const parse::OrderingTerm* t : first.w.order) {
      ResultCol rc;
      rc.expr = t->expr;
      inner.push_back(rc);
    }
    inner.insert(inner.end(), payload.begin(), payload.end());
    SelectDest to_table;
    to_table.kind = SelectDest::Kind::kTable;
    to_table.cursor = sorters[0];
    RowOutput in;
    in.dest = &to_table;
    in.done = g.new_label();
    in.n_cols = static_cast<int>(inner.size());
    in.sorter = is_table[0] ? -1 : sorters[0];
    in.scope = scope;
    scope->win = nullptr;
    if (is_agg) {
      KEEL_RETURN_IF_ERROR(code_aggregate(g, core, scope, inner, group_by, in));
    } else {
      scope->agg = nullptr;
      scope->allow_agg = false;
      WhereInfo w;
      KEEL_RETURN_IF_ERROR(where_begin(g, scope, core->where, w));
      int base = g.new_reg(in.n_cols);
      KEEL_RETURN_IF_ERROR(code_result_columns(g, scope, inner, base));
      int skip = w.levels.empty() ? g.new_label() : w.levels.back().cont;
      KEEL_RETURN_IF_ERROR(output_row(g, in, base, skip));
      if (w.levels.empty()) g.bind(skip);
      KEEL_RETURN_IF_ERROR(where_end(g, scope, w));
    }
    g.bind(in.done);
    if (has_keys(groups[order[0]])) g.plan_row(co.back(), "USE TEMP B-TREE FOR ORDER BY");
    for (size_t j = groups.size() - 1; j-- > 0;) {
      g.plan_row(co[j], "SCAN (subquery-" + std::to_string(j + 3) + ")");
      if (has_keys(groups[j])) g.plan_row(co[j], "USE TEMP B-TREE FOR ORDER BY");
    }
    g.plan_row(plan_parent, "SCAN (subquery-2)");
    g.plan_parent = plan_parent;
    scope->agg = saved.agg;
    scope->allow_agg = saved.allow_agg;
  }

  // 5. The stages.
  std::vector<int> done_calls;  // results already in the records, in order
  for (size_t st = 0; st < order.size(); st++) {
    const Group& gr = groups[order[st]];
    int np = static_cast<int>(gr.w.partition.size());
    int no = static_cast<int>(gr.w.order.size());
    int nk = np + no;
    int n_prev = static_cast<int>(done_calls.size());
    int width = nk + n_payload + n_prev;

    // The VM's plan of this window.
    auto plan = std::make_shared<vm::WindowPlan>();
    plan->unit = gr.w.unit;
    plan->start = gr.w.start;
    plan->end = gr.w.end;
    plan->exclude = gr.w.exclude;
    plan->n_cols = width;
    plan->order_col = np;
    plan->n_order = no;
    plan->order_key = *keys_keyinfo(g, scope, gr.w, true, false);
    bool start_offset = gr.w.start == Bound::kPreceding || gr.w.start == Bound::kFollowing;
    bool end_offset = gr.w.end == Bound::kPreceding || gr.w.end == Bound::kFollowing;
    if (start_offset) plan->start_reg = g.new_reg();
    if (end_offset) plan->end_reg = g.new_reg();
    for (int ci : gr.calls) {
      const WindowCall& c = wc.calls[ci];
      vm::WindowFunc fn;
      fn.def = c.def;
      fn.n_args = static_cast<int>(c.f->args.size);
      fn.arg_col = nk + c.arg_slot;
      fn.filter_col = c.filter_slot >= 0 ? nk + c.filter_slot : -1;
      fn.subtype_col = c.subtype_slot >= 0 ? nk + c.subtype_slot : -1;
      if ((c.def->flags & func::kNeedCollation) && fn.n_args > 0) {
        bool expl = false;
        std::string coll = expr_collation(g, scope, c.f->args[0], &expl);
        fn.coll = coll.empty() ? nullptr : g.collation(coll);
      }
      fn.minmax = (c.def->flags & func::kMinMax) != 0;
      fn.is_max = c.def->name == "max";
      if (c.def->flags & func::kWindowOnly) {
        if (c.def->name == "first_value") fn.kind = vm::WindowFunc::Kind::kFirstValue;
        if (c.def->name == "nth_value") fn.kind = vm::WindowFunc::Kind::kNthValue;
        if (c.def->name == "lead") fn.kind = vm::WindowFunc::Kind::kLead;
        if (c.def->name == "lag") fn.kind = vm::WindowFunc::Kind::kLag;
      }
      plan->funcs.push_back(fn);
    }
    const void* plan_ptr = g.prog().own_object(plan);

    int win = g.new_cursor();
    int rec = g.new_reg();
    int pseudo = g.new_cursor();
    int src = sorters[st];
    if (!is_table[st]) g.emit(Op::OpenPseudo, pseudo, rec, width);
    int row = g.new_reg(width);
    int prev = np ? g.new_reg(np) : 0;
    int have = g.new_reg();
    int ret = g.new_reg();
    int flush = g.new_label(), end = g.new_label(), done = g.new_label();
    g.emit(Op::Integer, 0, have);
    // A scalar subquery may have left the partition after its first row.
    g.emit(Op::WindowReset, win);
    g.emit(is_table[st] ? Op::Rewind : Op::SorterSort, src, end);
    int top = g.addr();
    if (!is_table[st]) g.emit(Op::SorterData, src, rec, pseudo);
    for (int i = 0; i < width; i++) g.emit(Op::Column, is_table[st] ? src : pseudo, i, row + i);
    if (np) {
      int append = g.new_label(), changed = g.new_label(), first = g.new_label();
      g.emit(Op::IfNot, have, first);
      int a = g.emit(Op::Compare, prev, row, np);
      g.set_p4_keyinfo(a, keys_keyinfo(g, scope, gr.w, false, true));
      g.emit(Op::Jump, changed, append, changed);
      g.bind(changed);
      g.emit(Op::Gosub, ret, flush);
      g.bind(first);
      g.emit(Op::Copy, row, prev, np - 1);
      g.bind(append);
    }
    g.emit(Op::Integer, 1, have);
    {
      int a = g.emit(Op::WindowAppend, win, row, width);
      g.at(a).p4type = vm::P4Type::kPointer;
      g.at(a).p4.ptr = plan_ptr;
    }
    g.emit(is_table[st] ? Op::Next : Op::SorterNext, src, top);
    g.bind(end);
    g.emit(Op::IfNot, have, done);
    g.emit(Op::Gosub, ret, flush);
    g.emit(Op::Goto, 0, done);

    // Flush subroutine: run the partition, send its rows on.
    g.bind(flush);
    auto code_offset = [&](const Expr* e, bool null_expr, bool one, int reg) -> Status {
      if (one) {
        g.emit(Op::Integer, 1, reg);
      } else if (e && !null_expr) {
        KEEL_RETURN_IF_ERROR(code_expr(g, scope, e, reg));
      } else {
        g.emit(Op::Null, 0, reg);
      }
      return Status::Ok();
    };
    if (plan->start_reg)
      KEEL_RETURN_IF_ERROR(code_offset(gr.w.start_expr, gr.w.start_null, gr.w.start_one, plan->start_reg));
    if (plan->end_reg) KEEL_RETURN_IF_ERROR(code_offset(gr.w.end_expr, gr.w.end_null, false, plan->end_reg));
    {
      int a = g.emit(Op::WindowRun, win);
      g.at(a).p4type = vm::P4Type::kPointer;
      g.at(a).p4.ptr = plan_ptr;
    }
    int reset = g.new_label();
    g.emit(Op::WindowRewind, win, reset);
    int loop = g.addr();
    for (int i = 0; i < n_payload; i++) g.emit(Op::WindowColumn, win, nk + i, payload_regs + i);
    for (int i = 0; i < n_prev; i++)
      g.emit(Op::WindowColumn, win, nk + n_payload + i, wc.calls[done_calls[i]].reg);
    for (size_t k = 0; k < gr.calls.size(); k++) {
      g.emit(Op::WindowColumn, win, width + static_cast<int>(k), wc.calls[gr.calls[k]].reg);
    }
    int next = g.new_label();
    if (st + 1 < order.size()) {
      // Into the next stage's sorter: [its keys][payload][results so far].
      const Group& ng = groups[order[st + 1]];
      int nnk = static_cast<int>(ng.w.partition.size() + ng.w.order.size());
      int n_res = n_prev + static_cast<int>(gr.calls.size());
      int regs = g.new_reg(nnk + n_payload + n_res);
      for (int i = 0; i < nnk; i++) g.emit(Op::SCopy, payload_regs + ng.key_slot + i, regs + i);
      for (int i = 0; i < n_payload; i++) g.emit(Op::SCopy, payload_regs + i, regs + nnk + i);
      int r = regs + nnk + n_payload;
      for (int ci : done_calls) g.emit(Op::SCopy, wc.calls[ci].reg, r++);
      for (int ci : gr.calls) g.emit(Op::SCopy, wc.calls[ci].reg, r++);
      int nrec = g.new_reg();
      g.emit(Op::MakeRecord, regs, nnk + n_payload + n_res, nrec);
      if (is_table[st + 1]) {
        int rowid = g.new_reg();
        g.emit(Op::NewRowid, sorters[st + 1], rowid);
        g.emit(Op::Insert, sorters[st + 1], nrec, rowid);
      } else {
        g.emit(Op::SorterInsert, sorters[st + 1], nrec);
      }
    } else {
      // The output expressions, reading the payload.
      for (size_t i = 0; i < columns.size(); i++)
        g.column_override[columns[i]] = payload_regs + static_cast<int>(i);
      AggContext final_agg;
      final_agg.scope = scope;
      final_agg.collecting = false;
      final_agg.funcs = outer_agg.funcs;
      for (size_t i = 0; i < final_agg.funcs.size(); i++) {
        final_agg.funcs[i].acc_reg = payload_regs + agg_slot + static_cast<int>(i);
      }
      wc.collecting = false;
      wc.allowed = true;
      scope->win = &wc;
      scope->agg = is_agg ? &final_agg : nullptr;
      scope->allow_agg = is_agg;
      int base = g.new_reg(out.n_cols);
      Status s = code_result_columns(g, scope, cols, base);
      if (s.ok()) s = output_row(g, out, base, next);
      for (const auto& c : columns) g.column_override.erase(c);
      scope->win = saved.win;
      scope->agg = saved.agg;
      scope->allow_agg = saved.allow_agg;
      KEEL_RETURN_IF_ERROR(s);
    }
    g.bind(next);
    g.emit(Op::WindowNext, win, loop);
    g.bind(reset);
    g.emit(Op::WindowReset, win);
    g.emit(Op::Return, ret);
    g.bind(done);
    for (int ci : gr.calls) done_calls.push_back(ci);
  }
  return Status::Ok();
}

}  // namespace keel::plan
