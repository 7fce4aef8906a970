// Operations on parsed vectors: conversion between every pair of types,
// concatenation, slicing and the four distances, with Turso's semantics.
//
// Distances (a and b must have the same type and dims; the SQL layer checks
// and reports "Vectors must have the same dimensions" / "... same type"):
//   cos      dense f32/f64: 1 − a·b/(|a||b|), clamped at 0; 0 when both are
//            zero vectors, 1 when a·b = 0 (so also when exactly one is zero);
//            sparse: NaN when either norm is 0; 8-bit: computed from the
//            quantized sums (NaN for an all-zero vector);
//            1-bit: the Hamming distance (number of differing bits).
//   l2       √Σ(a−b)²; an error for 1-bit vectors.
//   dot      −Σ a·b (smaller is closer); 1-bit: −(d − 2·hamming).
//   jaccard  weighted: 1 − Σmin(a,b)/Σmax(a,b), NaN when Σmax = 0;
//            1-bit: 1 − |a∧b|/|a∨b|, NaN when no bit is set.
// A NaN result becomes SQL NULL in the SQL layer.
//
// The dense paths call the dispatched SIMD kernels (kernels.h) and allocate
// nothing; conversions and concatenation write into a caller buffer sized by
// the matching *_size() function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "keel/status.hpp"
#include "vector_format.h"

namespace keel::vector {

enum class Metric { kCos, kL2, kDot, kJaccard };

// a and b: same type and dims (checked by the caller).
Status distance(Metric metric, const VectorView& a, const VectorView& b, double* out);

// The dims check and type check, in Turso's order and words.
Status check_compatible(const VectorView& a, const VectorView& b);

// Conversion of v into `target`: the exact blob Turso's vector_convert +
// serialize produce. `out` receives converted_size() bytes.
size_t converted_size(const VectorView& v, VectorType target);
void convert(const VectorView& v, VectorType target, uint8_t* out);

// Element values as f32 / f64 (1-bit → ±1, 8-bit → alpha·q+shift computed in
// the destination precision, sparse → scattered), the inputs of conversion.
void decode_f32(const VectorView& v, float* out);
void decode_f64(const VectorView& v, double* out);

// 8-bit quantization of f32 values: alpha = (max−min)/255, shift = min,
// q = trunc((x−shift)/alpha + 0.5) clamped to 0..255 (all 0 when alpha = 0).
void quantize_8bit(const float* values, size_t dims, uint8_t* q, float* alpha, float* shift);

// vector_concat: same type required ("Mismatched vector types"); 1-bit and
// 8-bit refused. `out` receives concat_size() bytes.
Status check_concat(const VectorView& a, const VectorView& b);
size_t concat_size(const VectorView& a, const VectorView& b);
void concat(const VectorView& a, const VectorView& b, uint8_t* out);

// vector_slice: elements [start, end). Errors as Turso's.
Status check_slice(const VectorView& v, int64_t start, int64_t end);
size_t slice_size(const VectorView& v, size_t start, size_t end);
void slice(const VectorView& v, size_t start, size_t end, uint8_t* out);

}  // namespace keel::vector
