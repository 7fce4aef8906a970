// 8-bit widening sums for one ISA, included by the per-ISA kernel files (so
// each copy is compiled with that file's -m flags). Internal to the module.
//
// Every product of two u8 fits a signed 16-bit multiply-add: pmaddwd on
// zero-extended bytes gives exact i32 pair sums, so one instruction does the
// multiply and the first widening add. A lane gains at most 2·255² = 130050
// per step; blocks of 2^16 elements keep every i32 lane below 2^31.
#pragma once

#include <immintrin.h>

#include <cstring>

#include "kernels.h"

namespace keel::vector::simd {
namespace {

#if defined(__AVX2__)
inline uint64_t hsum_epi32(__m256i v) {
  alignas(32) uint32_t lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), v);
  uint64_t s = 0;
  for (uint32_t x : lanes) s += x;
  return s;
}

Q8Sums q8_sums_wide(const uint8_t* a, const uint8_t* b, size_t n) {
  Q8Sums r{0, 0, 0, 0, 0};
  const __m256i ones = _mm256_set1_epi16(1);
  size_t i = 0;
  while (i + 16 <= n) {
    const size_t block_end = n - i > 65536 ? i + 65536 : n;
    __m256i sa = _mm256_setzero_si256(), sb = sa, qa = sa, qb = sa, d = sa;
    for (; i + 16 <= block_end; i += 16) {
      __m128i x8, y8;
      std::memcpy(&x8, a + i, 16);
      std::memcpy(&y8, b + i, 16);
      const __m256i x = _mm256_cvtepu8_epi16(x8), y = _mm256_cvtepu8_epi16(y8);
      sa = _mm256_add_epi32(sa, _mm256_madd_epi16(x, ones));
      sb = _mm256_add_epi32(sb, _mm256_madd_epi16(y, ones));
      qa = _mm256_add_epi32(qa, _mm256_madd_epi16(x, x));
      qb = _mm256_add_epi32(qb, _mm256_madd_epi16(y, y));
      d = _mm256_add_epi32(d, _mm256_madd_epi16(x, y));
    }
    r.sum_a += hsum_epi32(sa);
    r.sum_b += hsum_epi32(sb);
    r.sq_a += hsum_epi32(qa);
    r.sq_b += hsum_epi32(qb);
    r.dot += hsum_epi32(d);
  }
  for (; i < n; i++) {
    const uint64_t x = a[i], y = b[i];
    r.sum_a += x, r.sum_b += y, r.sq_a += x * x, r.sq_b += y * y, r.dot += x * y;
  }
  return r;
}
#else
inline uint64_t hsum_epi32(__m128i v) {
  alignas(16) uint32_t lanes[4];
  _mm_store_si128(reinterpret_cast<__m128i*>(lanes), v);
  return uint64_t(lanes[0]) + lanes[1] + lanes[2] + lanes[3];
}

Q8Sums q8_sums_wide(const uint8_t* a, const uint8_t* b, size_t n) {
  Q8Sums r{0, 0, 0, 0, 0};
  const __m128i ones = _mm_set1_epi16(1), zero = _mm_setzero_si128();
  size_t i = 0;
  while (i + 16 <= n) {
    const size_t block_end = n - i > 65536 ? i + 65536 : n;
    __m128i sa = zero, sb = zero, qa = zero, qb = zero, d = zero;
    for (; i + 16 <= block_end; i += 16) {
      __m128i x8, y8;
      std::memcpy(&x8, a + i, 16);
      std::memcpy(&y8, b + i, 16);
      const __m128i xs[2] = {_mm_unpacklo_epi8(x8, zero), _mm_unpackhi_epi8(x8, zero)};
      const __m128i ys[2] = {_mm_unpacklo_epi8(y8, zero), _mm_unpackhi_epi8(y8, zero)};
      for (int h = 0; h < 2; h++) {
        sa = _mm_add_epi32(sa, _mm_madd_epi16(xs[h], ones));
        sb = _mm_add_epi32(sb, _mm_madd_epi16(ys[h], ones));
        qa = _mm_add_epi32(qa, _mm_madd_epi16(xs[h], xs[h]));
        qb = _mm_add_epi32(qb, _mm_madd_epi16(ys[h], ys[h]));
        d = _mm_add_epi32(d, _mm_madd_epi16(xs[h], ys[h]));
      }
    }
    r.sum_a += hsum_epi32(sa);
    r.sum_b += hsum_epi32(sb);
    r.sq_a += hsum_epi32(qa);
    r.sq_b += hsum_epi32(qb);
    r.dot += hsum_epi32(d);
  }
  for (; i < n; i++) {
    const uint64_t x = a[i], y = b[i];
    r.sum_a += x, r.sum_b += y, r.sq_a += x * x, r.sq_b += y * y, r.dot += x * y;
  }
  return r;
}
#endif

}  // namespace
}  // namespace keel::vector::simd
