// The SDK's call types (keel/ext/function.hpp) over the VM's registers:
// ValueView reads an argument through its ExtArgSlot (func/ext_args.h)
// without changing the register; Context sets a result through the
// FunctionContext the caller made. Used by module SQL functions (their
// trampolines in the ext layer) and by virtual tables (VFilter / VUpdate
// arguments, VColumn results), hence kept in this lower layer.
#include <cmath>
#include <cstring>

#include "func/ext_args.h"
#include "func/function.h"
#include "keel/ext/function.hpp"
#include "vm/value.h"

namespace keel::ext {

namespace {

func::ExtArgSlot& slot(void* p) { return *static_cast<func::ExtArgSlot*>(p); }
func::FunctionContext& fctx(void* p) { return *static_cast<func::FunctionContext*>(p); }

}  // namespace

// ------------------------------------------------------------- ValueView

Type ValueView::type() const { return static_cast<Type>(static_cast<int>(slot(v_).v->type())); }
int64_t ValueView::as_int64() const { return slot(v_).v->as_int64(); }
double ValueView::as_double() const { return slot(v_).v->as_double(); }
std::string_view ValueView::text() const {
  func::ExtArgSlot& s = slot(v_);
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
void* Context::aggregate_state(size_t n) { return fctx(c_).aggregate_context(n); }
void* Context::get_aux(int arg) const { return fctx(c_).get_aux(arg); }
void Context::set_aux(int arg, void* data, void (*destroy)(void*)) { fctx(c_).set_aux(arg, data, destroy); }

ScalarFunction::~ScalarFunction() = default;
AggregateFunction::~AggregateFunction() = default;

}  // namespace keel::ext
