// keel::Value: one SQL value (NULL, INTEGER, REAL, TEXT or BLOB) owned by the
// caller, as the C++ API passes them in and out (bindings, columns, user
// functions).
//
// Conversions follow SQLite's sqlite3_value_* rules exactly: as_int64() of
// "12abc" is 12, as_double() of a BLOB reads its bytes as text, as_text() of
// a REAL is rendered with 15 significant digits ("%!.15g").
//
// Thread-safety: a Value is a plain value type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "keel/export.hpp"

namespace keel {

// The fundamental types, numbered as SQLITE_INTEGER .. SQLITE_NULL.
enum class Type : int { kInteger = 1, kReal = 2, kText = 3, kBlob = 4, kNull = 5 };

using Blob = std::vector<uint8_t>;

class KEEL_API Value {
 public:
  Value() = default;                                 // NULL
  Value(std::nullptr_t) {}                           // NOLINT: implicit by design
  Value(int v) : v_(static_cast<int64_t>(v)) {}      // NOLINT
  Value(int64_t v) : v_(v) {}                        // NOLINT
  Value(double v);                                   // NOLINT; a NaN becomes NULL, as in SQLite
  Value(const char* s);                              // NOLINT; nullptr → NULL
  Value(std::string s) : v_(std::move(s)) {}         // NOLINT
  Value(std::string_view s) : v_(std::string(s)) {}  // NOLINT
  Value(Blob b) : v_(std::move(b)) {}                // NOLINT

  static Value null() { return Value(); }
  static Value integer(int64_t v) { return Value(v); }
  static Value real(double v) { return Value(v); }
  static Value text(std::string_view s) { return Value(s); }
  static Value blob(std::span<const uint8_t> b) { return Value(Blob(b.begin(), b.end())); }

  Type type() const;
  bool is_null() const { return v_.index() == 0; }

  // Conversions (never modify the value).
  int64_t as_int64() const;
  double as_double() const;
  std::string as_text() const;  // NULL → ""
  Blob as_blob() const;         // NULL → empty; numbers → their text bytes

  // Direct access; valid only for the matching type (empty otherwise).
  std::string_view text() const;
  std::span<const uint8_t> blob() const;

  // Same type and same content (REAL compared with ==).
  bool operator==(const Value& other) const { return v_ == other.v_; }

  // Debug rendering: NULL, 12, 1.5, 'text', x'0102'.
  std::string to_string() const;

 private:
  std::variant<std::monostate, int64_t, double, std::string, Blob> v_;
};

}  // namespace keel
