// The SQL functions of the vector module, independent of how they are
// registered: each takes its arguments as SqlArg views and reports through a
// ResultSink. vector_module.cpp adapts the SDK's ValueView/Context to these.
//
//   vector(x), vector32(x)   → f32 blob        vector64(x) → f64 blob
//   vector8(x)               → 8-bit blob      vector1bit(x) → 1-bit blob
//   vector32_sparse(x)       → sparse f32 blob
//   vector_extract(blob)     → '[..]' text
//   vector_concat(a, b)      vector_slice(v, start, end)
//   vector_distance_cos / _l2 / _dot / _jaccard(a, b) → REAL (NULL for NaN)
//
// x is TEXT ('[1,2,3]', parsed as the function's type) or a BLOB of any
// vector type (converted). Distance, concat and slice arguments given as
// TEXT are parsed as f32. NULL, INTEGER and REAL arguments are errors
// ("Invalid vector type"), as in Turso. Error messages are Turso's.
//
// Thread-safety: the functions are pure; they may run concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "keel/status.hpp"
#include "vector_ops.h"

namespace keel::vector {

// One argument, viewed in place.
struct SqlArg {
  enum Kind { kNull, kInteger, kReal, kText, kBlob };
  Kind kind = kNull;
  std::span<const uint8_t> bytes;  // kText / kBlob
  int64_t integer = 0;             // kInteger
  double real = 0;                 // kReal

  static SqlArg null() { return SqlArg{}; }
  static SqlArg blob(std::span<const uint8_t> b) { return SqlArg{kBlob, b, 0, 0}; }
  static SqlArg text(std::string_view t) {
    return SqlArg{kText, {reinterpret_cast<const uint8_t*>(t.data()), t.size()}, 0, 0};
  }
  static SqlArg int64(int64_t v) { return SqlArg{kInteger, {}, v, 0}; }
  static SqlArg real_value(double v) { return SqlArg{kReal, {}, 0, v}; }
};

// Where a function puts its result. Exactly one setter is called on success.
class ResultSink {
 public:
  virtual ~ResultSink() = default;
  // n writable bytes that become the BLOB result; nullptr if the result is
  // too big (the sink has then recorded that error).
  virtual uint8_t* blob_buffer(size_t n) = 0;
  virtual void set_text(std::string_view s) = 0;
  // A NaN becomes NULL.
  virtual void set_double(double v) = 0;
};

// Constructors: vector32 & co. `target` is the function's type.
Status fn_make_vector(VectorType target, const SqlArg& x, ResultSink& out);
Status fn_vector_extract(const SqlArg& x, ResultSink& out);
Status fn_vector_concat(const SqlArg& a, const SqlArg& b, ResultSink& out);
Status fn_vector_slice(const SqlArg& v, const SqlArg& start, const SqlArg& end, ResultSink& out);
Status fn_vector_distance(Metric metric, const SqlArg& a, const SqlArg& b, ResultSink& out);
// The same on already parsed arguments (e.g. a constant text argument parsed
// once per statement and cached by the caller).
Status fn_vector_distance_views(Metric metric, const VectorView& a, const VectorView& b, ResultSink& out);

// A vector argument parsed for use: a view into the argument's blob, or into
// `storage` when the argument was text. Parsing a BLOB allocates nothing.
struct ParsedVector {
  VectorView view;
  std::vector<uint8_t> storage;
};
// Turso's parse_vector: TEXT parsed as `text_type`, BLOB validated.
Status parse_arg(const SqlArg& x, VectorType text_type, ParsedVector* out);

// Largest result or intermediate buffer the functions build (SQLite's
// default SQLITE_MAX_LENGTH); larger ones fail with "string or blob too big".
inline constexpr size_t kMaxBytes = 1000000000;

}  // namespace keel::vector
