// Aggregate functions of SQLite's func.c: count(*), count(X), sum, total,
// avg, min, max, group_concat (and string_agg, its SQLite 3.44 name for the
// two-argument form). Each is also a window function: value() reports the
// current result without finishing and inverse() removes a row from the
// frame, as SQLite's xValue/xInverse do. min() and max() have no inverse: as
// in SQLite, the VM handles a moving frame start for them itself (see
// window_functions.h).
//
// State lives in the bytes of FunctionContext::aggregate_context, zeroed on
// the first step. Those bytes hold only trivially copyable data; anything
// else (values, strings) is on the heap behind a pointer and freed in
// final(), which the VM calls once for every group that has state.
#include <string>
#include <vector>

#include "func/func_internal.h"
#include "vm/numeric.h"
#include "vm/value_compare.h"

namespace keel::func {
namespace internal {
namespace {

using vm::Value;
using vm::ValueType;
using Args = std::span<Value>;

// --- count --------------------------------------------------------------------

struct CountCtx {
  int64_t n;
};

void count_step(FunctionContext& ctx, Args a) {
  auto* p = static_cast<CountCtx*>(ctx.aggregate_context(sizeof(CountCtx)));
  if ((a.empty() || !a[0].is_null()) && p) p->n++;
}

void count_inverse(FunctionContext& ctx, Args a) {
  auto* p = static_cast<CountCtx*>(ctx.aggregate_context(sizeof(CountCtx)));
  if ((a.empty() || !a[0].is_null()) && p) p->n--;
}

void count_final(FunctionContext& ctx) {
  auto* p = static_cast<CountCtx*>(ctx.aggregate_context(0));
  ctx.result().set_int(p ? p->n : 0);
}

// --- sum, total, avg ------------------------------------------------------------
//
// Integers are summed exactly in i_sum while every input is an integer and
// the sum fits; r_sum always holds the floating-point sum. An integer
// overflow is remembered: sum() then fails with "integer overflow" even if
// REAL values follow (SQLite 3.40's sumStep sets approx and overflow).

struct SumCtx {
  double r_sum;
  int64_t i_sum;
  int64_t cnt;
  bool overflow;
  bool approx;
};

void sum_step(FunctionContext& ctx, Args a) {
  auto* p = static_cast<SumCtx*>(ctx.aggregate_context(sizeof(SumCtx)));
  ValueType t = a[0].numeric_type();
  if (p == nullptr || t == ValueType::kNull) return;
  p->cnt++;
  if (t == ValueType::kInteger) {
    int64_t v = a[0].as_int64();
    p->r_sum += static_cast<double>(v);
    if (!p->approx && !p->overflow && vm::add_overflows(&p->i_sum, v)) p->approx = p->overflow = true;
  } else {
    p->r_sum += a[0].as_double();
    p->approx = true;
  }
}

void sum_inverse(FunctionContext& ctx, Args a) {
  auto* p = static_cast<SumCtx*>(ctx.aggregate_context(sizeof(SumCtx)));
  ValueType t = a[0].numeric_type();
  if (p == nullptr || t == ValueType::kNull) return;
  p->cnt--;
  if (t == ValueType::kInteger && !p->approx) {
    int64_t v = a[0].as_int64();
    p->r_sum -= static_cast<double>(v);
    p->i_sum -= v;
  } else {
    p->r_sum -= a[0].as_double();
  }
}

void sum_final(FunctionContext& ctx) {
  auto* p = static_cast<SumCtx*>(ctx.aggregate_context(0));
  if (p && p->cnt > 0) {
    if (p->overflow) {
      ctx.set_error("integer overflow");
    } else if (p->approx) {
      ctx.result().set_real(p->r_sum);
    } else {
      ctx.result().set_int(p->i_sum);
    }
  }
}

void avg_final(FunctionContext& ctx) {
  auto* p = static_cast<SumCtx*>(ctx.aggregate_context(0));
  if (p && p->cnt > 0) ctx.result().set_real(p->r_sum / static_cast<double>(p->cnt));
}

void total_final(FunctionContext& ctx) {
  auto* p = static_cast<SumCtx*>(ctx.aggregate_context(0));
  ctx.result().set_real(p ? p->r_sum : 0.0);
}

// --- min, max ----------------------------------------------------------------------

// The best value so far lives on the heap: the state bytes may be copied or
// moved by the VM, and an owned Value points into itself.
struct MinMaxCtx {
  Value* best;
};

// User data: 0 = min, 1 = max. Ties keep the earlier row. A row that does not
// become the new best tells the VM to keep the bare-column registers.
void minmax_step(FunctionContext& ctx, Args a) {
  auto* p = static_cast<MinMaxCtx*>(ctx.aggregate_context(sizeof(MinMaxCtx)));
  if (p == nullptr) return;
  const Value& arg = a[0];
  if (arg.is_null()) {
    if (p->best) ctx.skip_accumulator_load();
  } else if (p->best) {
    bool is_max = user_int(ctx) != 0;
    int cmp = vm::compare_values(*p->best, arg, ctx.collation());
    if ((is_max && cmp < 0) || (!is_max && cmp > 0)) {
      p->best->copy_from(arg);
    } else {
      ctx.skip_accumulator_load();
    }
  } else {
    p->best = new Value();
    p->best->copy_from(arg);
  }
}

void minmax_value(FunctionContext& ctx) {
  auto* p = static_cast<MinMaxCtx*>(ctx.aggregate_context(0));
  if (p && p->best) result_value(ctx, *p->best);
}

void minmax_final(FunctionContext& ctx) {
  auto* p = static_cast<MinMaxCtx*>(ctx.aggregate_context(0));
  if (p && p->best) {
    result_value(ctx, *p->best);
    delete p->best;
    p->best = nullptr;
  }
}

// --- group_concat ------------------------------------------------------------------
//
// For inverse() the lengths of the separators actually inserted are needed:
// while every separator has the first one's length, first_sep_len suffices;
// the first different length starts an explicit list (sep_lens[i] is the
// separator before value i+1), as SQLite's GroupConcatCtx does.

struct GroupConcatCtx {
  std::string* text;               // accumulated result (owned)
  std::vector<int64_t>* sep_lens;  // per-separator lengths once they vary (owned)
  int64_t n_accum;                 // values currently concatenated
  int64_t first_sep_len;
  bool started;  // a first value has been appended
  bool too_big;  // SQLITE_LIMIT_LENGTH was exceeded
};

void gc_append(FunctionContext& ctx, GroupConcatCtx* p, std::string_view s) {
  if (p->too_big) return;
  if (static_cast<int64_t>(p->text->size() + s.size()) > ctx.host().max_length()) {
    p->too_big = true;
    return;
  }
  p->text->append(s);
}

void group_concat_step(FunctionContext& ctx, Args a) {
  if (a[0].is_null()) return;
  auto* p = static_cast<GroupConcatCtx*>(ctx.aggregate_context(sizeof(GroupConcatCtx)));
  if (p == nullptr) return;
  if (p->text == nullptr) p->text = new std::string();
  bool first = !p->started;
  p->started = true;
  vm::NumberText n0, n1;
  if (a.size() == 1) {
    if (!first) {
      gc_append(ctx, p, ",");
    } else {
      p->first_sep_len = 1;
    }
  } else if (!first) {
    int64_t n_sep = 0;
    if (!a[1].is_null()) {
      std::string_view sep = arg_bytes(a[1], n1);
      gc_append(ctx, p, sep);
      n_sep = static_cast<int64_t>(sep.size());
    }
    if (n_sep != p->first_sep_len || p->sep_lens != nullptr) {
      if (p->sep_lens == nullptr) {
        p->sep_lens = new std::vector<int64_t>(static_cast<size_t>(p->n_accum > 0 ? p->n_accum - 1 : 0),
                                               p->first_sep_len);
      }
      p->sep_lens->resize(static_cast<size_t>(p->n_accum));
      if (p->n_accum > 0) (*p->sep_lens)[static_cast<size_t>(p->n_accum - 1)] = n_sep;
    }
  } else {
    vm::NumberText nt;
    p->first_sep_len = a[1].is_null() ? 0 : static_cast<int64_t>(arg_bytes(a[1], nt).size());
  }
  p->n_accum++;
  gc_append(ctx, p, arg_bytes(a[0], n0));
}

void group_concat_inverse(FunctionContext& ctx, Args a) {
  if (a[0].is_null()) return;
  auto* p = static_cast<GroupConcatCtx*>(ctx.aggregate_context(sizeof(GroupConcatCtx)));
  if (p == nullptr || p->text == nullptr) return;
  vm::NumberText nt;
  int64_t n = static_cast<int64_t>(arg_bytes(a[0], nt).size());
  p->n_accum--;
  if (p->sep_lens != nullptr) {
    if (p->n_accum > 0) {
      n += p->sep_lens->front();
      p->sep_lens->erase(p->sep_lens->begin());
    }
  } else {
    // Removing the only value: harmlessly over-count.
    n += p->first_sep_len;
  }
  if (n >= static_cast<int64_t>(p->text->size())) {
    p->text->clear();
  } else {
    p->text->erase(0, static_cast<size_t>(n));
  }
  if (p->text->empty()) {
    p->started = false;
    delete p->sep_lens;
    p->sep_lens = nullptr;
  }
}

// xValue: an empty accumulation reads as NULL (sqlite3_str_value is NULL).
void group_concat_value(FunctionContext& ctx) {
  auto* p = static_cast<GroupConcatCtx*>(ctx.aggregate_context(0));
  if (p == nullptr || p->text == nullptr) return;
  if (p->too_big) {
    ctx.set_error_toobig();
  } else if (!p->text->empty()) {
    ctx.result().set_text(*p->text);
  }
}

// xFinal: once a value was accepted the result is TEXT, possibly empty.
void group_concat_final(FunctionContext& ctx) {
  auto* p = static_cast<GroupConcatCtx*>(ctx.aggregate_context(0));
  if (p == nullptr) return;
  if (p->text != nullptr) {
    if (p->too_big) {
      ctx.set_error_toobig();
    } else {
      ctx.result().set_text(*p->text);
    }
  }
  delete p->text;
  delete p->sep_lens;
  p->text = nullptr;
  p->sep_lens = nullptr;
}

FunctionDef agg_def(std::string name, int n_arg, StepFn step, FinalFn final, FinalFn value, StepFn inverse,
                    uint32_t flags = 0, std::shared_ptr<void> user = nullptr) {
  FunctionDef d;
  d.name = std::move(name);
  d.n_arg = n_arg;
  d.flags = flags | kInnocuous;
  d.step = step;
  d.final = final;
  d.value = value;
  d.inverse = inverse;
  d.user_data = std::move(user);
  return d;
}

}  // namespace

void register_aggregate_functions(FunctionRegistry& r) {
  r.add(agg_def("count", 0, count_step, count_final, count_final, count_inverse, kCount));
  // count(x) only tests x for NULL: a row value may be passed borrowed.
  r.add(agg_def("count", 1, count_step, count_final, count_final, count_inverse, kArgsByView));
  r.add(agg_def("sum", 1, sum_step, sum_final, sum_final, sum_inverse));
  r.add(agg_def("total", 1, sum_step, total_final, total_final, sum_inverse));
  r.add(agg_def("avg", 1, sum_step, avg_final, avg_final, sum_inverse));
  r.add(agg_def("min", 1, minmax_step, minmax_final, minmax_value, nullptr, kMinMax | kNeedCollation,
                int_user_data(0)));
  r.add(agg_def("max", 1, minmax_step, minmax_final, minmax_value, nullptr, kMinMax | kNeedCollation,
                int_user_data(1)));
  r.add(agg_def("group_concat", 1, group_concat_step, group_concat_final, group_concat_value,
                group_concat_inverse));
  r.add(agg_def("group_concat", 2, group_concat_step, group_concat_final, group_concat_value,
                group_concat_inverse));
  r.add(agg_def("string_agg", 2, group_concat_step, group_concat_final, group_concat_value,
                group_concat_inverse));
}

}  // namespace internal
}  // namespace keel::func
