// The dense f32/f64 kernels, written once over an xsimd architecture tag and
// instantiated by kernels_sse2.cpp, kernels_avx2.cpp and kernels_avx512.cpp
// (each compiled with its own -m flags). Internal to the vector module.
//
// Four independent accumulators hide the FMA latency (4 cycles, 2 per
// cycle on the cores this targets); the tail shorter than one batch is
// finished in scalar code. Loads are unaligned: blobs sit anywhere in a page.
#pragma once

#include <cstring>
#include <type_traits>
#include <xsimd/xsimd.hpp>

#include "kernels.h"
#include "kernels_q8.h"

namespace keel::vector::simd {
// Internal linkage: each ISA's file gets its own copy, so the linker can never
// pick an AVX-512 instantiation of a shared helper for the SSE2 table.
namespace {

template <class T, class Arch>
struct Loop {
  using B = xsimd::batch<T, Arch>;
  static constexpr size_t W = B::size;

  static const T* ptr(const uint8_t* p) { return reinterpret_cast<const T*>(p); }
  // Horizontal sum in registers. xsimd 8.1's avx512f hadd uses an AVX512DQ
  // instruction, so AVX-512 uses the AVX512F intrinsic instead.
  static double lanes_sum(const B& v) {
#if defined(__AVX512F__)
    if constexpr (std::is_same_v<Arch, xsimd::avx512f>) {
      // Fold 512 → 256 bits with AVX512F only, then AVX2's horizontal add.
      using Half = xsimd::batch<T, xsimd::fma3<xsimd::avx2>>;
      if constexpr (std::is_same_v<T, float>) {
        __m256 lo = _mm512_castps512_ps256(v);
        __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
        return xsimd::hadd(Half(_mm256_add_ps(lo, hi)));
      } else {
        __m256d lo = _mm512_castpd512_pd256(v);
        __m256d hi = _mm512_extractf64x4_pd(v, 1);
        return xsimd::hadd(Half(_mm256_add_pd(lo, hi)));
      }
    }
#endif
    return xsimd::hadd(v);
  }

  static T scalar(const uint8_t* p, size_t i) {
    T v;
    std::memcpy(&v, p + sizeof(T) * i, sizeof(T));
    return v;
  }

  static double dot(const uint8_t* pa, const uint8_t* pb, size_t n) {
    const T* a = ptr(pa);
    const T* b = ptr(pb);
    B s0(T(0)), s1(T(0)), s2(T(0)), s3(T(0));
    size_t i = 0;
    for (; i + 4 * W <= n; i += 4 * W) {
      s0 = xsimd::fma(B::load_unaligned(a + i), B::load_unaligned(b + i), s0);
      s1 = xsimd::fma(B::load_unaligned(a + i + W), B::load_unaligned(b + i + W), s1);
      s2 = xsimd::fma(B::load_unaligned(a + i + 2 * W), B::load_unaligned(b + i + 2 * W), s2);
      s3 = xsimd::fma(B::load_unaligned(a + i + 3 * W), B::load_unaligned(b + i + 3 * W), s3);
    }
    for (; i + W <= n; i += W) s0 = xsimd::fma(B::load_unaligned(a + i), B::load_unaligned(b + i), s0);
    double sum = lanes_sum((s0 + s1) + (s2 + s3));
    for (; i < n; i++) sum += double(scalar(pa, i)) * double(scalar(pb, i));
    return sum;
  }

  static double l2sq(const uint8_t* pa, const uint8_t* pb, size_t n) {
    const T* a = ptr(pa);
    const T* b = ptr(pb);
    B s0(T(0)), s1(T(0)), s2(T(0)), s3(T(0));
    size_t i = 0;
    for (; i + 4 * W <= n; i += 4 * W) {
      B d0 = B::load_unaligned(a + i) - B::load_unaligned(b + i);
      B d1 = B::load_unaligned(a + i + W) - B::load_unaligned(b + i + W);
      B d2 = B::load_unaligned(a + i + 2 * W) - B::load_unaligned(b + i + 2 * W);
      B d3 = B::load_unaligned(a + i + 3 * W) - B::load_unaligned(b + i + 3 * W);
      s0 = xsimd::fma(d0, d0, s0);
      s1 = xsimd::fma(d1, d1, s1);
      s2 = xsimd::fma(d2, d2, s2);
      s3 = xsimd::fma(d3, d3, s3);
    }
    for (; i + W <= n; i += W) {
      B d = B::load_unaligned(a + i) - B::load_unaligned(b + i);
      s0 = xsimd::fma(d, d, s0);
    }
    double sum = lanes_sum((s0 + s1) + (s2 + s3));
    for (; i < n; i++) {
      double d = double(scalar(pa, i)) - double(scalar(pb, i));
      sum += d * d;
    }
    return sum;
  }

  static DotNorms cos(const uint8_t* pa, const uint8_t* pb, size_t n) {
    const T* a = ptr(pa);
    const T* b = ptr(pb);
    B ab0(T(0)), ab1(T(0)), aa0(T(0)), aa1(T(0)), bb0(T(0)), bb1(T(0));
    size_t i = 0;
    for (; i + 2 * W <= n; i += 2 * W) {
      B x0 = B::load_unaligned(a + i), y0 = B::load_unaligned(b + i);
      B x1 = B::load_unaligned(a + i + W), y1 = B::load_unaligned(b + i + W);
      ab0 = xsimd::fma(x0, y0, ab0);
      aa0 = xsimd::fma(x0, x0, aa0);
      bb0 = xsimd::fma(y0, y0, bb0);
      ab1 = xsimd::fma(x1, y1, ab1);
      aa1 = xsimd::fma(x1, x1, aa1);
      bb1 = xsimd::fma(y1, y1, bb1);
    }
    for (; i + W <= n; i += W) {
      B x = B::load_unaligned(a + i), y = B::load_unaligned(b + i);
      ab0 = xsimd::fma(x, y, ab0);
      aa0 = xsimd::fma(x, x, aa0);
      bb0 = xsimd::fma(y, y, bb0);
    }
    DotNorms r{lanes_sum(ab0 + ab1), lanes_sum(aa0 + aa1), lanes_sum(bb0 + bb1)};
    for (; i < n; i++) {
      double x = scalar(pa, i), y = scalar(pb, i);
      r.ab += x * y;
      r.a2 += x * x;
      r.b2 += y * y;
    }
    return r;
  }
};

template <class Arch>
constexpr DenseKernels make_table(const char* isa) {
  return DenseKernels{isa,
                      &Loop<float, Arch>::dot,
                      &Loop<float, Arch>::l2sq,
                      &Loop<float, Arch>::cos,
                      &Loop<double, Arch>::dot,
                      &Loop<double, Arch>::l2sq,
                      &Loop<double, Arch>::cos,
                      &q8_sums_wide};
}

}  // namespace
}  // namespace keel::vector::simd
