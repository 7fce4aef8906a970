// The SDK's function-call types (ValueView, Context) implemented over the
// VM's registers, and the trampolines a FunctionDef calls.
//
// Arguments are viewed in place: each ValueView points at an ArgSlot on the
// trampoline's stack holding a pointer to the register and a scratch buffer
// for the text form of a number, so no call allocates unless it has more
// than kInlineArgs arguments.
#include "ext/function_adapter.h"

#include <cmath>
#include <cstring>

#include "vm/value.h"

namespace keel::ext {

namespace {

struct ArgSlot {
  vm::Value* v;
  vm::NumberText scratch;
};

constexpr size_t kInlineArgs = 8;

ArgSlot& slot(void* p) { return *static_cast<ArgSlot*>(p); }
func::FunctionContext& fctx(void* p) { return *static_cast<func::FunctionContext*>(p); }

// Calls `f(Args)` with the registers viewed as ArgSlots.
template <typename F>
void with_args(std::span<vm::Value> regs, F&& f) {
  ArgSlot inline_slots[kInlineArgs];
  std::unique_ptr<ArgSlot[]> heap;
  ArgSlot* slots = inline_slots;
  if (regs.size() > kInlineArgs) {
    heap.reset(new ArgSlot[regs.size()]);
    slots = heap.get();
  }
  for (size_t i = 0; i < regs.size(); i++) slots[i].v = &regs[i];
  f(Args(slots, regs.size(), sizeof(ArgSlot)));
}

uint32_t kernel_flags(uint32_t f) {
  uint32_t k = 0;
  if (f & kDeterministic) k |= func::kDeterministic;
  if (f & kDirectOnly) k |= func::kDirectOnly;
  if (f & kInnocuous) k |= func::kInnocuous;
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

// ------------------------------------------------------------- ValueView

Type ValueView::type() const { return static_cast<Type>(static_cast<int>(slot(v_).v->type())); }
int64_t ValueView::as_int64() const { return slot(v_).v->as_int64(); }
double ValueView::as_double() const { return slot(v_).v->as_double(); }
std::string_view ValueView::text() const {
  ArgSlot& s = slot(v_);
  if (s.v->is_zeroblob()) s.v->expand_zeroblob();
  return s.v->as_text(s.scratch);
}
std::span<const uint8_t> ValueView::blob() const {
  std::string_view t = text();
  return {reinterpret_cast<const uint8_t*>(t.data()), t.size()};
}
uint32_t ValueView::subtype() const { return slot(v_).v->subtype(); }
Value ValueView::to_value() const {
  switch (type()) {
    case Type::kNull:
      return Value();
    case Type::kInteger:
      return Value(as_int64());
    case Type::kReal:
      return Value(as_double());
    case Type::kText:
      return Value(text());
    case Type::kBlob:
      return Value::blob(blob());
  }
  return Value();
}

// --------------------------------------------------------------- Context

void Context::result_null() { fctx(c_).result().set_null(); }
void Context::result_int64(int64_t v) { fctx(c_).result().set_int(v); }
void Context::result_double(double v) {
  if (std::isnan(v)) {
    fctx(c_).result().set_null();
  } else {
    fctx(c_).result().set_real(v);
  }
}
void Context::result_text(std::string_view s) {
  auto& ctx = fctx(c_);
  if (static_cast<int64_t>(s.size()) > ctx.host().max_length()) return ctx.set_error_toobig();
  ctx.result().set_text(s);
}
void Context::result_blob(std::span<const uint8_t> b) {
  auto& ctx = fctx(c_);
  if (static_cast<int64_t>(b.size()) > ctx.host().max_length()) return ctx.set_error_toobig();
  ctx.result().set_blob(b);
}
void Context::result_value(const ValueView& v) {
  switch (v.type()) {
    case Type::kNull:
      return result_null();
    case Type::kInteger:
      return result_int64(v.as_int64());
    case Type::kReal:
      return result_double(v.as_double());
    case Type::kText:
      return result_text(v.text());
    case Type::kBlob:
      return result_blob(v.blob());
  }
}
uint8_t* Context::result_blob_buffer(size_t n) {
  auto& ctx = fctx(c_);
  if (static_cast<int64_t>(n) > ctx.host().max_length()) {
    ctx.set_error_toobig();
    return nullptr;
  }
  return ctx.result().prepare_blob(n);
}
char* Context::result_text_buffer(size_t n) {
  auto& ctx = fctx(c_);
  if (static_cast<int64_t>(n) > ctx.host().max_length()) {
    ctx.set_error_toobig();
    return nullptr;
  }
  return ctx.result().prepare_text(n);
}
void Context::result_subtype(uint32_t subtype) {
  fctx(c_).result().set_subtype(static_cast<uint8_t>(subtype));
}
void Context::error(std::string_view message, int code) { fctx(c_).set_error(std::string(message), code); }
bool Context::has_error() const { return fctx(c_).has_error(); }
Session Context::session() const { return Session(fctx(c_).host().connection_handle()); }
void* Context::aggregate_state(size_t n) { return fctx(c_).aggregate_context(n); }
void* Context::get_aux(int arg) const { return fctx(c_).get_aux(arg); }
void Context::set_aux(int arg, void* data, void (*destroy)(void*)) { fctx(c_).set_aux(arg, data, destroy); }

ScalarFunction::~ScalarFunction() = default;
AggregateFunction::~AggregateFunction() = default;

// ---------------------------------------------------------- FunctionDefs

func::FunctionDef make_function_def(std::shared_ptr<ScalarFunction> fn) {
  func::FunctionDef d;
  d.name = lower(fn->name());
  d.n_arg = fn->arity();
  d.flags = kernel_flags(fn->flags());
  d.scalar = scalar_trampoline;
  d.user_data = std::static_pointer_cast<void>(std::const_pointer_cast<ScalarFunction>(fn));
  return d;
}

func::FunctionDef make_aggregate_def(std::shared_ptr<AggregateFunction> fn) {
  func::FunctionDef d;
  d.name = lower(fn->name());
  d.n_arg = fn->arity();
  d.flags = kernel_flags(fn->flags());
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
