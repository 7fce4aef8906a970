// keel::Value: conversions go through vm::Value so they follow SQLite's rules
// in exactly one place.
#include "vm/public_value.h"

#include <cmath>

namespace keel {

Value::Value(double v) {
  if (!std::isnan(v)) v_ = v;
}

Value::Value(const char* s) {
  if (s) v_ = std::string(s);
}

Type Value::type() const {
  switch (v_.index()) {
    case 1:
      return Type::kInteger;
    case 2:
      return Type::kReal;
    case 3:
      return Type::kText;
    case 4:
      return Type::kBlob;
    default:
      return Type::kNull;
  }
}

int64_t Value::as_int64() const {
  if (v_.index() == 1) return std::get<int64_t>(v_);
  return cpp::to_vm(*this).as_int64();
}

double Value::as_double() const {
  if (v_.index() == 2) return std::get<double>(v_);
  return cpp::to_vm(*this).as_double();
}

std::string Value::as_text() const {
  if (v_.index() == 3) return std::get<std::string>(v_);
  vm::Value v = cpp::to_vm(*this);
  vm::NumberText t;
  return std::string(v.as_text(t));
}

Blob Value::as_blob() const {
  if (v_.index() == 4) return std::get<Blob>(v_);
  std::string t = as_text();
  return Blob(t.begin(), t.end());
}

std::string_view Value::text() const {
  if (v_.index() == 3) return std::get<std::string>(v_);
  return {};
}

std::span<const uint8_t> Value::blob() const {
  if (v_.index() == 4) return std::get<Blob>(v_);
  return {};
}

std::string Value::to_string() const { return cpp::to_vm(*this).debug_string(); }

namespace cpp {

vm::Value to_vm(const Value& v) {
  switch (v.type()) {
    case Type::kInteger:
      return vm::Value::integer(v.as_int64());
    case Type::kReal:
      return vm::Value::real(v.as_double());
    case Type::kText:
      return vm::Value::text_ref(v.text());
    case Type::kBlob:
      return vm::Value::blob_ref(v.blob());
    case Type::kNull:
      break;
  }
  return vm::Value::null();
}

Value from_vm(const vm::Value& v) {
  switch (v.type()) {
    case vm::ValueType::kInteger:
      return Value(v.int_value());
    case vm::ValueType::kReal:
      return Value(v.real_value());
    case vm::ValueType::kText:
      return Value(v.text());
    case vm::ValueType::kBlob: {
      if (v.is_zeroblob()) return Value(Blob(v.size(), 0));
      auto b = v.blob();
      return Value(Blob(b.begin(), b.end()));
    }
    case vm::ValueType::kNull:
      break;
  }
  return Value();
}

}  // namespace cpp
}  // namespace keel
