// The SDK's value views for module code (keel/ext/function.hpp): ValueView
// reads a VM register in place, Context sets a call's result through the
// FunctionContext the VM made for it. Used by module SQL functions and by
// virtual-table cursors (xFilter arguments, xColumn results).
#include <cmath>
#include <cstring>

#include "func/function.h"
#include "keel/ext/function.hpp"
#include "vm/value.h"

namespace keel::ext {

namespace {

vm::Value& val(void* p) { return *static_cast<vm::Value*>(p); }
func::FunctionContext& fc(void* p) { return *static_cast<func::FunctionContext*>(p); }

}  // namespace

Type ValueView::type() const { return static_cast<Type>(val(v_).type()); }
int64_t ValueView::as_int64() const { return val(v_).as_int64(); }
double ValueView::as_double() const { return val(v_).as_double(); }

std::string_view ValueView::text() const {
  vm::Value& v = val(v_);
  if (v.is_null()) return {};
  if (v.is_number()) v.stringify();
  if (v.is_zeroblob()) v.expand_zeroblob();
  return v.text();
}

std::span<const uint8_t> ValueView::blob() const {
  vm::Value& v = val(v_);
  if (v.is_null()) return {};
  if (v.is_number()) v.stringify();
  if (v.is_zeroblob()) v.expand_zeroblob();
  return v.blob();
}

uint32_t ValueView::subtype() const { return val(v_).subtype(); }

void Context::result_null() { fc(c_).result().set_null(); }
void Context::result_int64(int64_t v) { fc(c_).result().set_int(v); }
void Context::result_double(double v) { fc(c_).result().set_real(v); }

void Context::result_text(std::string_view s) {
  if (static_cast<int64_t>(s.size()) > fc(c_).host().max_length()) {
    fc(c_).set_error_toobig();
    return;
  }
  fc(c_).result().set_text(s);
}

void Context::result_blob(std::span<const uint8_t> b) {
  if (static_cast<int64_t>(b.size()) > fc(c_).host().max_length()) {
    fc(c_).set_error_toobig();
    return;
  }
  fc(c_).result().set_blob(b);
}

void Context::result_value(const ValueView& v) {
  vm::Value& out = fc(c_).result();
  switch (v.type()) {
    case Type::kInteger:
      out.set_int(v.as_int64());
      break;
    case Type::kReal:
      out.set_real(v.as_double());
      break;
    case Type::kText:
      out.set_text(v.text());
      break;
    case Type::kBlob:
      out.set_blob(v.blob());
      break;
    default:
      out.set_null();
      break;
  }
  out.set_subtype(static_cast<uint8_t>(v.subtype()));
}

uint8_t* Context::result_blob_buffer(size_t n) {
  if (static_cast<int64_t>(n) > fc(c_).host().max_length()) {
    fc(c_).set_error_toobig();
    return nullptr;
  }
  vm::Value& out = fc(c_).result();
  out.set_zeroblob(static_cast<int64_t>(n));
  out.expand_zeroblob();
  return const_cast<uint8_t*>(out.blob().data());
}

char* Context::result_text_buffer(size_t n) {
  if (static_cast<int64_t>(n) > fc(c_).host().max_length()) {
    fc(c_).set_error_toobig();
    return nullptr;
  }
  vm::Value& out = fc(c_).result();
  out.set_text(std::string(n, ' '));
  return const_cast<char*>(out.data());
}

void Context::result_subtype(uint32_t subtype) { fc(c_).result().set_subtype(static_cast<uint8_t>(subtype)); }

void Context::error(std::string_view message, int code) { fc(c_).set_error(std::string(message), code); }
bool Context::has_error() const { return fc(c_).has_error(); }

void* Context::aggregate_state(size_t n) { return fc(c_).aggregate_context(n); }
void* Context::get_aux(int arg) const { return fc(c_).get_aux(arg); }
void Context::set_aux(int arg, void* data, void (*destroy)(void*)) { fc(c_).set_aux(arg, data, destroy); }

ScalarFunction::~ScalarFunction() = default;
AggregateFunction::~AggregateFunction() = default;

}  // namespace keel::ext
