// Distance kernels: the per-pair inner loops every vector function and scan
// runs, chosen once per process for the best instruction set the CPU has.
//
// Dense f32/f64 kernels are written once with xsimd (kernels_simd.h) and
// compiled three times, one source file per ISA (SSE2, AVX2+FMA, AVX-512F),
// each with its own -m flags; kernels_dispatch.cpp picks a table at first use
// from __builtin_cpu_supports, so the module runs on any x86-64 and uses
// AVX-512 where present. Other targets get the portable scalar table.
//
// Contracts shared by all kernels:
//  - inputs are raw little-endian element arrays that may be unaligned (a
//    blob inside a page); kernels use unaligned loads only;
//  - no allocation, no error path: callers have checked types and dims;
//  - f32 kernels accumulate in f32 lanes (several independent accumulators)
//    and return the reduced sum as double; f64 kernels accumulate in f64.
//
// xsimd 8 has neither popcount nor widening u8 products: the 1-bit loops are
// plain C++ with the popcnt target attribute (kernels_scalar.cpp), the 8-bit
// sums are SSE2/AVX2 pmaddwd loops (kernels_q8.h) in the per-ISA tables, and
// the sparse merges are plain loops (vector_ops.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace keel::vector {

struct DotNorms {
  double ab;  // Σ a·b
  double a2;  // Σ a²
  double b2;  // Σ b²
};

// Sums over two 8-bit quantized vectors (q bytes).
struct Q8Sums {
  uint64_t sum_a, sum_b;  // Σ qa, Σ qb
  uint64_t sq_a, sq_b;    // Σ qa², Σ qb²
  uint64_t dot;           // Σ qa·qb
};
struct DenseKernels {
  const char* isa;  // "scalar", "sse2", "avx2", "avx512"
  double (*dot_f32)(const uint8_t* a, const uint8_t* b, size_t n);
  double (*l2sq_f32)(const uint8_t* a, const uint8_t* b, size_t n);  // Σ (a−b)²
  DotNorms (*cos_f32)(const uint8_t* a, const uint8_t* b, size_t n);
  double (*dot_f64)(const uint8_t* a, const uint8_t* b, size_t n);
  double (*l2sq_f64)(const uint8_t* a, const uint8_t* b, size_t n);
  DotNorms (*cos_f64)(const uint8_t* a, const uint8_t* b, size_t n);
  // 8-bit: the integer sums the quantized distances expand into.
  Q8Sums (*q8)(const uint8_t* a, const uint8_t* b, size_t n);
};

// The table in use: the best ISA this CPU supports (AVX2 rather than AVX-512
// on AMD, see kernels_dispatch.cpp), or the one named by the
// environment variable KEEL_VECTOR_ISA (scalar|sse2|avx2|avx512) when it is
// set and supported (for tests and benchmarks).
const DenseKernels& dense_kernels();

// Every table this CPU can run, scalar first (tests compare them all).
std::span<const DenseKernels* const> supported_dense_kernels();

// Per-ISA tables (defined only when compiled for x86-64).
extern const DenseKernels kScalarKernels;
#if defined(__x86_64__)
extern const DenseKernels kSse2Kernels;
extern const DenseKernels kAvx2Kernels;
extern const DenseKernels kAvx512Kernels;
#endif

// --- 1-bit (bytes of packed bits) ---
// Σ popcount(a ^ b) over n bytes.
uint64_t hamming_bits(const uint8_t* a, const uint8_t* b, size_t n);
// Σ popcount(a & b) and Σ popcount(a | b) over n bytes.
void and_or_bits(const uint8_t* a, const uint8_t* b, size_t n, uint64_t* and_count, uint64_t* or_count);

// --- 8-bit quantized ---
// The dispatched table's q8 (SSE2/AVX2 pmaddwd loops), scalar elsewhere.
Q8Sums q8_sums(const uint8_t* a, const uint8_t* b, size_t n);
Q8Sums q8_sums_scalar(const uint8_t* a, const uint8_t* b, size_t n);

}  // namespace keel::vector
