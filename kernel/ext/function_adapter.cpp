// The trampolines a FunctionDef calls for a module function. The SDK's
// call types (ValueView, Context) are implemented over the VM's registers in
// func/ext_values.cpp, shared with the virtual-table opcodes; arguments are
// viewed in place (func/ext_args.h).
#include "ext/function_adapter.h"

#include <cmath>
#include <cstring>

#include "func/ext_args.h"
#include "vm/value.h"

namespace keel::ext {

namespace {


// Calls `f(Args)` with the registers viewed in place (func/ext_args.h).
template <typename F>
void with_args(std::span<vm::Value> regs, F&& f) {
  func::with_ext_args(regs, std::forward<F>(f));
}

uint32_t kernel_flags(uint32_t f) {
  uint32_t k = 0;
  if (f & kDeterministic) k |= func::kDeterministic;
  if (f & kDirectOnly) k |= func::kDirectOnly;
  if (f & kInnocuous) k |= func::kInnocuous;
  if (f & kParallelSafe) k |= func::kParallelSafe;
  return k;
}

void scalar_trampoline(func::FunctionContext& ctx, std::span<vm::Value> args) {
  const auto* fn = static_cast<const ScalarFunction*>(ctx.user_data());
  Context c(&ctx);
  with_args(args, [&](Args a) { fn->call(c, a); });
}

void step_trampoline(func::FunctionContext& ctx, std::span<vm::Value> args) {
  const auto* fn = static_cast<const AggregateFunction*>(ctx.user_data());
  Context c(&ctx);
  with_args(args, [&](Args a) { fn->step(c, a); });
}

void inverse_trampoline(func::FunctionContext& ctx, std::span<vm::Value> args) {
  const auto* fn = static_cast<const AggregateFunction*>(ctx.user_data());
  Context c(&ctx);
  with_args(args, [&](Args a) { fn->inverse(c, a); });
}

void final_trampoline(func::FunctionContext& ctx) {
  const auto* fn = static_cast<const AggregateFunction*>(ctx.user_data());
  Context c(&ctx);
  fn->final(c);
}

void value_trampoline(func::FunctionContext& ctx) {
  const auto* fn = static_cast<const AggregateFunction*>(ctx.user_data());
  Context c(&ctx);
  fn->value(c);
}

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return r;
}

}  // namespace

// Context::session (the rest of Context is in func/ext_values.cpp): the
// Session type lives with the ext layer.
Session Context::session() const {
  return Session(static_cast<func::FunctionContext*>(c_)->host().connection_handle());
}

// ---------------------------------------------------------- FunctionDefs

func::FunctionDef make_function_def(std::shared_ptr<ScalarFunction> fn) {
  func::FunctionDef d;
  d.name = lower(fn->name());
  d.n_arg = fn->arity();
  // Module functions see their arguments through ValueViews valid for the
  // call only, and results are copied: row values may be passed borrowed.
  d.flags = kernel_flags(fn->flags()) | func::kArgsByView;
  d.scalar = scalar_trampoline;
  d.user_data = std::static_pointer_cast<void>(std::const_pointer_cast<ScalarFunction>(fn));
  return d;
}

func::FunctionDef make_aggregate_def(std::shared_ptr<AggregateFunction> fn) {
  func::FunctionDef d;
  d.name = lower(fn->name());
  d.n_arg = fn->arity();
  d.flags = kernel_flags(fn->flags()) | func::kArgsByView;
  d.step = step_trampoline;
  d.final = final_trampoline;
  if (fn->is_window()) {
    d.value = value_trampoline;
    d.inverse = inverse_trampoline;
  }
  d.user_data = std::static_pointer_cast<void>(fn);
  return d;
}

}  // namespace keel::ext
