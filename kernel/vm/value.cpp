// Value storage management and the conversions that read a Value without
// changing it. The conversion rules themselves are in numeric.cpp.
#include "vm/value.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "vm/affinity.h"
#include "vm/numeric.h"

namespace keel::vm {

Value::Value(const Value& other) {
  init_null();
  if (other.is_bytes() && (other.flags_ & kOwned)) {
    copy_from(other);
  } else {
    shallow_copy_from(other);
  }
}

Value& Value::operator=(const Value& other) {
  if (this == &other) return *this;
  if (other.is_bytes() && (other.flags_ & kOwned)) {
    copy_from(other);
  } else {
    shallow_copy_from(other);
  }
  return *this;
}

Value::Value(Value&& other) noexcept {
  init_null();
  steal_from(other);
}

Value& Value::operator=(Value&& other) noexcept {
  if (this != &other) {
    release_heap();
    init_null();
    steal_from(other);
  }
  return *this;
}

void Value::steal_from(Value& other) noexcept {
  // Precondition: this holds no heap buffer.
  u_ = other.u_;
  n_ = other.n_;
  type_ = other.type_;
  flags_ = other.flags_;
  subtype_ = other.subtype_;
  heap_ = other.heap_;
  heap_cap_ = other.heap_cap_;
  other.heap_ = nullptr;
  other.heap_cap_ = 0;
  if (is_bytes() && (flags_ & kOwned)) {
    if (other.z_ == other.inline_) {
      std::memcpy(inline_, other.inline_, static_cast<size_t>(n_) + 1);
      z_ = inline_;
    } else {
      z_ = other.z_;  // points into the heap buffer we just took
    }
  } else {
    z_ = other.z_;
  }
  other.set_null();
  other.z_ = nullptr;
  other.n_ = 0;
}

void Value::release_heap() {
  if (heap_) std::free(heap_);
  heap_ = nullptr;
  heap_cap_ = 0;
}

void Value::set_real(double v) {
  if (std::isnan(v)) {
    set_null();
    return;
  }
  type_ = ValueType::kReal;
  flags_ = 0;
  subtype_ = 0;
  u_.r = v;
}

void Value::set_ref(ValueType t, const char* p, size_t n) {
  type_ = t;
  flags_ = 0;
  subtype_ = 0;
  z_ = p;
  n_ = static_cast<uint32_t>(n);
}

char* Value::prepare(ValueType t, size_t n) {
  char* dst;
  if (n <= kInlineCapacity) {
    dst = inline_;
  } else {
    if (n + 1 > heap_cap_) {
      // Grow geometrically so a register fed ever-longer values settles fast.
      size_t cap = n + 1;
      if (cap < 64) cap = 64;
      if (cap < static_cast<size_t>(heap_cap_) * 2) cap = static_cast<size_t>(heap_cap_) * 2;
      // Lengths are bounded by SQLITE_MAX_LENGTH (1e9), so capacities fit 32 bits.
      if (cap > UINT32_MAX) cap = n + 1;
      if (cap > UINT32_MAX) std::abort();
      char* p = static_cast<char*>(std::malloc(cap));
      if (!p) std::abort();  // out of memory is fatal here, as it is for operator new
      release_heap();
      heap_ = p;
      heap_cap_ = static_cast<uint32_t>(cap);
    }
    dst = heap_;
  }
  dst[n] = 0;
  type_ = t;
  flags_ = kOwned;
  subtype_ = 0;
  z_ = dst;
  n_ = static_cast<uint32_t>(n);
  return dst;
}

void Value::set_text(std::string_view s) {
  // The source may point into our own storage (substr of itself): go through
  // a temporary then, since prepare() may move or reallocate that storage.
  const char* src = s.data();
  bool aliases = (heap_ && src >= heap_ && src < heap_ + heap_cap_) ||
                 (src >= inline_ && src < inline_ + sizeof(inline_));
  if (aliases) {
    std::string tmp(s);
    char* dst = prepare(ValueType::kText, tmp.size());
    std::memcpy(dst, tmp.data(), tmp.size());
    return;
  }
  char* dst = prepare(ValueType::kText, s.size());
  if (!s.empty()) std::memcpy(dst, src, s.size());
}

void Value::set_blob(std::span<const uint8_t> b) {
  set_text(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
  type_ = ValueType::kBlob;
}

void Value::set_zeroblob(int64_t n) {
  type_ = ValueType::kBlob;
  flags_ = kZero;
  subtype_ = 0;
  u_.i = n < 0 ? 0 : n;
  z_ = nullptr;
  n_ = 0;
}

void Value::truncate(size_t n) {
  if (!is_bytes() || n >= size()) return;
  if (is_zeroblob()) {
    u_.i = static_cast<int64_t>(n);
    return;
  }
  n_ = static_cast<uint32_t>(n);
  if (flags_ & kOwned) const_cast<char*>(z_)[n] = 0;
}

void Value::copy_from(const Value& other) {
  if (this == &other) {
    make_owned();
    return;
  }
  if (!other.is_bytes() || other.is_zeroblob()) {
    shallow_copy_from(other);
    return;
  }
  ValueType t = other.type_;
  uint8_t st = other.subtype_;
  set_text(other.text());
  type_ = t;
  subtype_ = st;
}

void Value::shallow_copy_from(const Value& other) {
  if (this == &other) return;
  u_ = other.u_;
  type_ = other.type_;
  flags_ = static_cast<uint8_t>(other.flags_ & ~kOwned);
  subtype_ = other.subtype_;
  z_ = other.z_;
  n_ = other.n_;
}

void Value::make_owned() {
  if (!is_borrowed()) return;
  ValueType t = type_;
  uint8_t st = subtype_;
  set_text(std::string_view(z_, n_));
  type_ = t;
  subtype_ = st;
}

void Value::expand_zeroblob() {
  if (!is_zeroblob()) return;
  size_t n = static_cast<size_t>(u_.i);
  uint8_t st = subtype_;
  char* p = prepare(ValueType::kBlob, n);
  std::memset(p, 0, n);
  subtype_ = st;
}

int64_t Value::as_int64() const {
  switch (type_) {
    case ValueType::kInteger:
      return u_.i;
    case ValueType::kReal:
      return real_to_int64(u_.r);
    case ValueType::kText:
    case ValueType::kBlob: {
      int64_t v = 0;
      if (!is_zeroblob()) (void)atoi64(z_, n_, &v);
      return v;
    }
    case ValueType::kNull:
      break;
  }
  return 0;
}

double Value::as_double() const {
  switch (type_) {
    case ValueType::kInteger:
      return static_cast<double>(u_.i);
    case ValueType::kReal:
      return u_.r;
    case ValueType::kText:
    case ValueType::kBlob: {
      double v = 0.0;
      if (!is_zeroblob()) (void)atof(z_, n_, &v);
      return v;
    }
    case ValueType::kNull:
      break;
  }
  return 0.0;
}

std::string_view Value::as_text(NumberText& scratch) const {
  switch (type_) {
    case ValueType::kInteger:
      return {scratch.buf, static_cast<size_t>(int64_to_text(u_.i, scratch.buf))};
    case ValueType::kReal:
      return {scratch.buf, static_cast<size_t>(real_to_text(u_.r, scratch.buf))};
    case ValueType::kText:
    case ValueType::kBlob:
      return text();
    case ValueType::kNull:
      break;
  }
  return {};
}

ValueType Value::numeric_type() const {
  if (type_ != ValueType::kText) return type_;
  // sqlite3_value_numeric_type → applyNumericAffinity(pMem, 0), on a copy.
  Value tmp;
  tmp.shallow_copy_from(*this);
  apply_numeric_affinity(tmp, false);
  return tmp.type();
}

void Value::stringify() {
  if (!is_number()) return;
  NumberText t;
  std::string_view s = as_text(t);
  set_text(s);
}

std::string Value::debug_string() const {
  static const char kHex[] = "0123456789abcdef";
  switch (type_) {
    case ValueType::kNull:
      return "NULL";
    case ValueType::kInteger:
    case ValueType::kReal: {
      NumberText t;
      return std::string(as_text(t));
    }
    case ValueType::kText: {
      std::string out = "'";
      for (char c : text()) {
        out += c;
        if (c == '\'') out += c;
      }
      return out + "'";
    }
    case ValueType::kBlob: {
      std::string out = "x'";
      if (is_zeroblob()) {
        out.append(size() * 2, '0');
      } else {
        for (uint8_t b : blob()) {
          out += kHex[b >> 4];
          out += kHex[b & 15];
        }
      }
      return out + "'";
    }
  }
  return "?";
}

std::string_view type_name(ValueType t) {
  switch (t) {
    case ValueType::kInteger:
      return "integer";
    case ValueType::kReal:
      return "real";
    case ValueType::kText:
      return "text";
    case ValueType::kBlob:
      return "blob";
    case ValueType::kNull:
      break;
  }
  return "null";
}

}  // namespace keel::vm
