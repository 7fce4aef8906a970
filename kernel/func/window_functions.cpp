// Built-in window functions of SQLite's window.c; see window_functions.h for
// what each one expects from the VM.
#include "func/window_functions.h"

#include "func/func_internal.h"
#include "vm/window.h"

namespace keel::func {

Status check_nth_value_argument(const vm::Value& arg, int64_t* n) {
  return vm::window_nth_value_argument(arg, n);
}

bool lead_lag_target(bool lead, int64_t current_rowid, const vm::Value* offset, int64_t* target) {
  return vm::window_lead_lag_target(lead, current_rowid, offset, target);
}

namespace internal {
namespace {

using vm::Value;
using Args = std::span<Value>;

// row_number(): rows stepped so far.
void row_number_step(FunctionContext& ctx, Args) {
  auto* p = static_cast<int64_t*>(ctx.aggregate_context(sizeof(int64_t)));
  if (p) (*p)++;
}
void row_number_value(FunctionContext& ctx) {
  auto* p = static_cast<int64_t*>(ctx.aggregate_context(sizeof(int64_t)));
  ctx.result().set_int(p ? *p : 0);
}

struct CallCount {
  int64_t n_value;
  int64_t n_step;
  int64_t n_total;
};

CallCount* call_count(FunctionContext& ctx) {
  return static_cast<CallCount*>(ctx.aggregate_context(sizeof(CallCount)));
}

void dense_rank_step(FunctionContext& ctx, Args) {
  if (CallCount* p = call_count(ctx)) p->n_step = 1;
}
void dense_rank_value(FunctionContext& ctx) {
  if (CallCount* p = call_count(ctx)) {
    if (p->n_step) {
      p->n_value++;
      p->n_step = 0;
    }
    ctx.result().set_int(p->n_value);
  }
}

void rank_step(FunctionContext& ctx, Args) {
  if (CallCount* p = call_count(ctx)) {
    p->n_step++;
    if (p->n_value == 0) p->n_value = p->n_step;
  }
}
void rank_value(FunctionContext& ctx) {
  if (CallCount* p = call_count(ctx)) {
    ctx.result().set_int(p->n_value);
    p->n_value = 0;
  }
}

void count_total_step(FunctionContext& ctx, Args) {
  if (CallCount* p = call_count(ctx)) p->n_total++;
}
void count_step_inverse(FunctionContext& ctx, Args) {
  if (CallCount* p = call_count(ctx)) p->n_step++;
}
void percent_rank_value(FunctionContext& ctx) {
  if (CallCount* p = call_count(ctx)) {
    p->n_value = p->n_step;
    if (p->n_total > 1) {
      ctx.result().set_real(static_cast<double>(p->n_value) / static_cast<double>(p->n_total - 1));
    } else {
      ctx.result().set_real(0.0);
    }
  }
}
void cume_dist_value(FunctionContext& ctx) {
  auto* p = static_cast<CallCount*>(ctx.aggregate_context(0));
  if (p) ctx.result().set_real(static_cast<double>(p->n_step) / static_cast<double>(p->n_total));
}

struct NtileCtx {
  int64_t n_total;
  int64_t n_param;
  int64_t i_row;
};

void ntile_step(FunctionContext& ctx, Args a) {
  auto* p = static_cast<NtileCtx*>(ctx.aggregate_context(sizeof(NtileCtx)));
  if (p == nullptr) return;
  if (p->n_total == 0) {
    p->n_param = a[0].as_int64();
    if (p->n_param <= 0) ctx.set_error("argument of ntile must be a positive integer");
  }
  p->n_total++;
}
void ntile_inverse(FunctionContext& ctx, Args) {
  auto* p = static_cast<NtileCtx*>(ctx.aggregate_context(sizeof(NtileCtx)));
  if (p) p->i_row++;
}
void ntile_value(FunctionContext& ctx) {
  auto* p = static_cast<NtileCtx*>(ctx.aggregate_context(sizeof(NtileCtx)));
  if (p == nullptr || p->n_param <= 0) return;
  // As window.c: the bucket size is computed in an int.
  int n_size = static_cast<int>(p->n_total / p->n_param);
  if (n_size == 0) {
    ctx.result().set_int(p->i_row + 1);
  } else {
    int64_t n_large = p->n_total - p->n_param * n_size;
    int64_t i_small = n_large * (n_size + 1);
    int64_t i_row = p->i_row;
    if (i_row < i_small) {
      ctx.result().set_int(1 + i_row / (n_size + 1));
    } else {
      ctx.result().set_int(1 + n_large + (i_row - i_small) / n_size);
    }
  }
}

// A heap Value held by a window state (sqlite3_value_dup / _free).
struct ValueHolder {
  Value* value;
  int64_t n;  // nth_value: rows stepped; last_value: rows in the frame

  void set(const Value& v) {
    if (value == nullptr) value = new Value();
    value->copy_from(v);
  }
  void clear() {
    delete value;
    value = nullptr;
  }
};

ValueHolder* holder(FunctionContext& ctx, size_t n) {
  return static_cast<ValueHolder*>(ctx.aggregate_context(n));
}

void last_value_step(FunctionContext& ctx, Args a) {
  if (ValueHolder* p = holder(ctx, sizeof(ValueHolder))) {
    p->set(a[0]);
    p->n++;
  }
}
void last_value_inverse(FunctionContext& ctx, Args) {
  if (ValueHolder* p = holder(ctx, sizeof(ValueHolder))) {
    p->n--;
    if (p->n == 0) p->clear();
  }
}
void last_value_value(FunctionContext& ctx) {
  ValueHolder* p = holder(ctx, 0);
  if (p && p->value) result_value(ctx, *p->value);
}
// Shared by last_value, first_value and nth_value: the held value, then free.
void held_value_final(FunctionContext& ctx) {
  ValueHolder* p = holder(ctx, 0);
  if (p && p->value) {
    result_value(ctx, *p->value);
    p->clear();
  }
}

void first_value_step(FunctionContext& ctx, Args a) {
  ValueHolder* p = holder(ctx, sizeof(ValueHolder));
  if (p && p->value == nullptr) p->set(a[0]);
}

void nth_value_step(FunctionContext& ctx, Args a) {
  ValueHolder* p = holder(ctx, sizeof(ValueHolder));
  if (p == nullptr) return;
  int64_t n;
  Status st = check_nth_value_argument(a[1], &n);
  if (!st.ok()) {
    ctx.set_error(std::string(st.message()));
    return;
  }
  p->n++;
  if (n == p->n) p->set(a[0]);
}

// Window.c's no-op methods: value() of first_value/nth_value (their result is
// read by the VM or by final()) and every method of lead()/lag().
void window_subtype(FunctionContext& ctx, Args a) { ctx.result().set_int(a[0].subtype()); }

void noop_value(FunctionContext&) {}
void noop_step(FunctionContext&, Args) {}

FunctionDef window_def(std::string name, int n_arg, StepFn step, FinalFn final, FinalFn value,
                       StepFn inverse) {
  FunctionDef d;
  d.name = std::move(name);
  d.n_arg = n_arg;
  d.flags = kWindowOnly | kInnocuous;
  d.step = step;
  d.final = final;
  d.value = value;
  d.inverse = inverse;
  return d;
}

}  // namespace

void register_window_functions(FunctionRegistry& r) {
  r.add(window_def("row_number", 0, row_number_step, row_number_value, row_number_value, noop_step));
  r.add(window_def("dense_rank", 0, dense_rank_step, dense_rank_value, dense_rank_value, noop_step));
  r.add(window_def("rank", 0, rank_step, rank_value, rank_value, noop_step));
  r.add(window_def("percent_rank", 0, count_total_step, percent_rank_value, percent_rank_value,
                   count_step_inverse));
  r.add(window_def("cume_dist", 0, count_total_step, cume_dist_value, cume_dist_value, count_step_inverse));
  r.add(window_def("ntile", 1, ntile_step, ntile_value, ntile_value, ntile_inverse));
  r.add(window_def("last_value", 1, last_value_step, held_value_final, last_value_value, last_value_inverse));
  r.add(window_def("nth_value", 2, nth_value_step, held_value_final, noop_value, noop_step));
  r.add(window_def("first_value", 1, first_value_step, held_value_final, noop_value, noop_step));
  FunctionDef st;
  st.name = std::string(kWindowSubtypeFunction);
  st.n_arg = 1;
  st.flags = kInternal | kDeterministic;
  st.scalar = window_subtype;
  r.add(st);
  for (int n = 1; n <= 3; n++) {
    r.add(window_def("lead", n, noop_step, noop_value, noop_value, noop_step));
    r.add(window_def("lag", n, noop_step, noop_value, noop_value, noop_step));
  }
}

}  // namespace internal
}  // namespace keel::func
