// Vector blob formats, byte for byte as libSQL and Turso store them.
//
// A vector is a BLOB whose length and last byte say what it holds
// (little-endian throughout):
//
//   even length            f32 × d, no tag (libSQL's original format)
//   ... 0x01               f32 × d, then tag 1
//   ... 0x02               f64 × d, then tag 2
//   ... 0x03   1-bit       ⌈d/8⌉ bytes, bit i of the vector = bit (i & 7) of
//                          byte i/8 (LSB first; 1 means +1, 0 means −1);
//                          one 0x00 pad byte iff ⌈d/8⌉ is even; a byte
//                          T = 8·N − d where N counts every byte before the
//                          tag (data, pad and T itself); tag 3
//   ... 0x04   8-bit       d bytes q, zero pad to a multiple of 4, alpha f32,
//                          shift f32, 0x00, t = align4(d) − d, tag 4;
//                          element i = alpha · q[i] + shift
//   ... 0x09   sparse f32  values f32 × n, indices u32 × n (ascending),
//                          dims u32, tag 9
//
// Tags 5 and 6 are libSQL's f16/bf16, which neither libSQL's released SQL
// functions nor Turso accept; they are refused. Every other tag is an error.
//
// parse_blob() validates a blob and returns a VectorView pointing into it: no
// copy and no allocation, so it is usable on the per-row scan path. Element
// data may be unaligned (a blob inside a page), so it is read with memcpy or
// unaligned SIMD loads, never through a cast pointer.
//
// The writers compute the exact size first and then fill a caller-provided
// buffer, so a SQL function can write its result in place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "keel/status.hpp"

namespace keel::vector {

enum class VectorType : uint8_t {
  kFloat32 = 1,
  kFloat64 = 2,
  kFloat1Bit = 3,
  kFloat8 = 4,
  kFloat32Sparse = 9,
};

// Lower-case name used in messages ("float32", "float1bit", ...).
const char* type_name(VectorType t);

// A parsed, validated vector inside some blob. Never owns memory.
struct VectorView {
  VectorType type = VectorType::kFloat32;
  size_t dims = 0;
  // kFloat32/kFloat64: dims elements. kFloat1Bit: ⌈dims/8⌉ bytes.
  // kFloat8: dims quantized bytes. kFloat32Sparse: nnz f32 values followed
  // by nnz u32 indices.
  const uint8_t* data = nullptr;
  size_t nnz = 0;      // kFloat32Sparse only
  float alpha = 0.0f;  // kFloat8 only
  float shift = 0.0f;  // kFloat8 only

  const uint8_t* sparse_values() const { return data; }
  const uint8_t* sparse_indices() const { return data + 4 * nnz; }
};

inline float load_f32(const uint8_t* p, size_t i) {
  float v;
  std::memcpy(&v, p + 4 * i, 4);
  return v;
}
inline double load_f64(const uint8_t* p, size_t i) {
  double v;
  std::memcpy(&v, p + 8 * i, 8);
  return v;
}
inline uint32_t load_u32(const uint8_t* p, size_t i) {
  uint32_t v;
  std::memcpy(&v, p + 4 * i, 4);
  return v;
}
inline void store_f32(uint8_t* p, size_t i, float v) { std::memcpy(p + 4 * i, &v, 4); }
inline void store_f64(uint8_t* p, size_t i, double v) { std::memcpy(p + 8 * i, &v, 8); }
inline void store_u32(uint8_t* p, size_t i, uint32_t v) { std::memcpy(p + 4 * i, &v, 4); }

// Turso's two error kinds, with the prefix its messages carry (SQLITE_ERROR):
// conversion_error("x") → "Conversion error: x",
// invalid_argument("x") → "Invalid argument supplied: x".
Status conversion_error(std::string_view message);
Status invalid_argument(std::string_view message);

// Validates `blob` and views it. Errors (rc::kError) use Turso's messages,
// e.g. "f32 dense vector unexpected data length: 6", "unknown vector type: 7".
Result<VectorView> parse_blob(std::span<const uint8_t> blob);

// Sizes of the serialized forms (the whole blob, tag included).
size_t blob_size_f32(size_t dims);  // untagged, as Turso writes f32
size_t blob_size_f64(size_t dims);
size_t blob_size_1bit(size_t dims);
size_t blob_size_8bit(size_t dims);
size_t blob_size_sparse(size_t nnz);

// Writers: `out` has exactly the matching blob_size_*() bytes.
void write_f32(uint8_t* out, const float* values, size_t dims);
void write_f64(uint8_t* out, const double* values, size_t dims);
// `bits` holds ⌈dims/8⌉ bytes; unused high bits of the last byte are copied
// as given (callers pass them zero).
void write_1bit(uint8_t* out, const uint8_t* bits, size_t dims);
// `q` holds dims bytes; the alignment padding is written as zeros.
void write_8bit(uint8_t* out, const uint8_t* q, size_t dims, float alpha, float shift);
// Sparse: values and indices are raw little-endian arrays of nnz entries.
void write_sparse(uint8_t* out, const uint8_t* values, const uint8_t* indices, size_t nnz, size_t dims);

// Re-serializes a view in its own type, as Turso does when a function returns
// its argument's type unchanged: f32 loses its tag, the 1-bit pad byte and the
// 8-bit trailer are rewritten; data bytes (including 8-bit alignment padding)
// are copied as they are.
size_t canonical_size(const VectorView& v);
void write_canonical(uint8_t* out, const VectorView& v);

}  // namespace keel::vector
