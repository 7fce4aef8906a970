// Value: one SQL value, and the VM's register type.
//
// A Value holds one of SQLite's five storage classes: NULL, INTEGER (int64),
// REAL (double), TEXT (UTF-8 bytes) or BLOB (bytes, or a length-only
// zero-blob). Numbers live inline, so copying a numeric Value is a few word
// moves. Text and blob bytes are either
//   - borrowed: the Value points at bytes it does not own (a record buffer, a
//     page, a string literal of the Program). They stay valid only as long as
//     their owner does, e.g. until the cursor that produced them moves; or
//   - owned: stored in a small inline buffer (up to kInlineCapacity bytes) or
//     in a heap buffer that the Value keeps across assignments. A register that
//     is overwritten row after row therefore allocates only when a row needs a
//     larger buffer than any before it.
// Owned text is always followed by a NUL byte (for the C API); borrowed text
// need not be.
//
// Conversions follow SQLite 3.40 exactly (sqlite3_value_int64, _double, CAST,
// REAL rendered with "%!.15g"); the rules live in numeric.h, affinity.h and
// printf.h, and the members below call them.
//
// Thread-safety: a Value is a plain value; distinct Values may be used from
// distinct threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "keel/status.hpp"

namespace keel::vm {

// The fundamental datatypes, numbered as SQLITE_INTEGER .. SQLITE_NULL so the C
// API can return them unchanged.
enum class ValueType : uint8_t { kInteger = 1, kReal = 2, kText = 3, kBlob = 4, kNull = 5 };

// Scratch space big enough for any number rendered as text (an int64 needs 20
// characters, a "%!.15g" double at most 24) plus a NUL.
struct NumberText {
  char buf[32];
};

class Value {
 public:
  static constexpr size_t kInlineCapacity = 27;  // owned bytes stored without a heap buffer (+1 NUL)

  Value() noexcept { init_null(); }
  ~Value() { release_heap(); }

  // Copies keep borrowed bytes borrowed (same lifetime as the source) and copy
  // owned bytes. Moves steal the heap buffer.
  Value(const Value& other);
  Value& operator=(const Value& other);
  Value(Value&& other) noexcept;
  Value& operator=(Value&& other) noexcept;

  // --- construction -------------------------------------------------------
  static Value null() { return Value(); }
  static Value integer(int64_t v) {
    Value x;
    x.set_int(v);
    return x;
  }
  // As sqlite3_result_double: a NaN becomes NULL.
  static Value real(double v) {
    Value x;
    x.set_real(v);
    return x;
  }
  static Value text(std::string_view s) {  // owned copy
    Value x;
    x.set_text(s);
    return x;
  }
  static Value text_ref(std::string_view s) {  // borrowed
    Value x;
    x.set_text_ref(s);
    return x;
  }
  static Value blob(std::span<const uint8_t> b) {  // owned copy
    Value x;
    x.set_blob(b);
    return x;
  }
  static Value blob_ref(std::span<const uint8_t> b) {  // borrowed
    Value x;
    x.set_blob_ref(b);
    return x;
  }
  static Value zeroblob(int64_t n) {
    Value x;
    x.set_zeroblob(n);
    return x;
  }

  // --- assignment (keeps the owned buffer for reuse) ----------------------
  void set_null() {
    type_ = ValueType::kNull;
    flags_ = 0;
    subtype_ = 0;
  }
  void set_int(int64_t v) {
    type_ = ValueType::kInteger;
    flags_ = 0;
    subtype_ = 0;
    u_.i = v;
  }
  // A NaN is stored as NULL, as SQLite does everywhere a double enters a Mem.
  void set_real(double v);
  // Copies the bytes into owned storage.
  void set_text(std::string_view s);
  void set_blob(std::span<const uint8_t> b);
  // Points at bytes owned elsewhere; the caller guarantees their lifetime.
  void set_text_ref(std::string_view s) { set_ref(ValueType::kText, s.data(), s.size()); }
  void set_blob_ref(std::span<const uint8_t> b) {
    set_ref(ValueType::kBlob, reinterpret_cast<const char*>(b.data()), b.size());
  }
  // A blob of n zero bytes that occupies no memory until expanded. n < 0 → 0.
  void set_zeroblob(int64_t n);

  // Makes this a TEXT (or BLOB) of n bytes in owned storage and returns the
  // writable bytes (followed by a NUL at [n]); for building results in place.
  char* prepare_text(size_t n) { return prepare(ValueType::kText, n); }
  uint8_t* prepare_blob(size_t n) { return reinterpret_cast<uint8_t*>(prepare(ValueType::kBlob, n)); }
  // Reinterprets TEXT bytes as a BLOB or BLOB bytes as TEXT (t must be kText
  // or kBlob), keeping storage and ownership (CAST between the two).
  void retype_bytes(ValueType t) {
    if (is_bytes()) type_ = t;
  }
  // Shortens owned or borrowed text/blob to n bytes (n <= size()).
  void truncate(size_t n);

  // Deep copy: owned bytes even if `other` borrows (sqlite3VdbeMemCopy).
  void copy_from(const Value& other);
  // Shallow copy: text/blob bytes borrowed from `other`, which must outlive
  // this Value or be reassigned first (sqlite3VdbeMemShallowCopy).
  void shallow_copy_from(const Value& other);
  // Turns borrowed bytes into owned ones (sqlite3VdbeMemMakeWriteable), so the
  // Value survives its source (cursor move, page release).
  void make_owned();
  // Materializes a zero-blob as real zero bytes.
  void expand_zeroblob();

  // --- inspection ----------------------------------------------------------
  ValueType type() const { return type_; }
  bool is_null() const { return type_ == ValueType::kNull; }
  bool is_int() const { return type_ == ValueType::kInteger; }
  bool is_real() const { return type_ == ValueType::kReal; }
  bool is_number() const { return type_ == ValueType::kInteger || type_ == ValueType::kReal; }
  bool is_text() const { return type_ == ValueType::kText; }
  bool is_blob() const { return type_ == ValueType::kBlob; }
  bool is_bytes() const { return type_ == ValueType::kText || type_ == ValueType::kBlob; }
  bool is_zeroblob() const { return (flags_ & kZero) != 0; }
  bool is_borrowed() const { return is_bytes() && (flags_ & kOwned) == 0 && (flags_ & kZero) == 0; }

  // Raw payloads; valid only for the matching type.
  int64_t int_value() const { return u_.i; }
  double real_value() const { return u_.r; }
  // The bytes of a TEXT or BLOB. A zero-blob has no bytes until expanded:
  // text()/blob() are then empty while size() is its length. As in SQLite
  // (ExpandBlob), code that needs the bytes of a possible zero-blob (concat,
  // substr, hex, ...) calls expand_zeroblob() first; comparison, record
  // encoding and length() handle zero-blobs without expanding them.
  // Empty for other types.
  std::string_view text() const {
    if (!is_bytes() || is_zeroblob()) return {};
    return {z_, n_};
  }
  std::span<const uint8_t> blob() const {
    if (!is_bytes() || is_zeroblob()) return {};
    return {reinterpret_cast<const uint8_t*>(z_), n_};
  }
  const char* data() const { return z_; }
  // Length in bytes of a TEXT or BLOB (of a zero-blob too); 0 otherwise.
  size_t size() const {
    if (!is_bytes()) return 0;
    return is_zeroblob() ? static_cast<size_t>(u_.i) : n_;
  }

  // Subtype (sqlite3_value_subtype), used by JSON functions. Cleared by every
  // set_* call.
  uint8_t subtype() const { return subtype_; }
  void set_subtype(uint8_t s) { subtype_ = s; }

  // --- conversions (never modify the Value) --------------------------------
  // sqlite3_value_int64: NULL → 0, REAL → truncated and saturated, TEXT/BLOB →
  // the longest integer prefix after leading spaces ("  12abc" → 12).
  int64_t as_int64() const;
  // sqlite3_value_double: TEXT/BLOB → the longest real prefix ("1e5x" → 1e5).
  double as_double() const;
  // The text form (sqlite3_value_text): TEXT/BLOB bytes as they are, numbers
  // rendered into `scratch` (REAL as "%!.15g"), NULL → empty view. A
  // zero-blob reads as empty: expand it first when its bytes matter.
  std::string_view as_text(NumberText& scratch) const;
  // sqlite3_value_numeric_type's classification without changing the value:
  // kInteger/kReal for numbers and for TEXT that looks like a number, else the
  // type itself.
  ValueType numeric_type() const;

  // --- in-place conversions ------------------------------------------------
  // Numbers become their TEXT rendering (sqlite3VdbeMemStringify); other
  // types are unchanged.
  void stringify();

  // Approximate heap bytes held (for memory accounting).
  size_t heap_capacity() const { return heap_cap_; }

  // Debug/test rendering: NULL, 12, 1.5, 'text', x'0102'.
  std::string debug_string() const;

 private:
  static constexpr uint8_t kOwned = 1;  // z_ points into inline_ or heap_
  static constexpr uint8_t kZero = 2;   // zero-blob: u_.i zero bytes, no storage

  void init_null() {
    type_ = ValueType::kNull;
    flags_ = 0;
    subtype_ = 0;
    n_ = 0;
    z_ = nullptr;
    heap_ = nullptr;
    heap_cap_ = 0;
    u_.i = 0;
  }
  void set_ref(ValueType t, const char* p, size_t n);
  char* prepare(ValueType t, size_t n);
  void release_heap();
  void steal_from(Value& other) noexcept;

  union {
    int64_t i;
    double r;
  } u_;
  const char* z_;  // text/blob bytes (borrowed, or inline_/heap_)
  uint32_t n_;     // byte length of text/blob
  ValueType type_;
  uint8_t flags_;
  uint8_t subtype_;
  char* heap_;         // owned heap buffer kept across assignments
  uint32_t heap_cap_;  // its capacity in bytes
  char inline_[kInlineCapacity + 1];
};

static_assert(sizeof(Value) == 64, "Value is sized to one cache line");

// Storage-class name as typeof() prints it: "null", "integer", "real", "text", "blob".
std::string_view type_name(ValueType t);

}  // namespace keel::vm
