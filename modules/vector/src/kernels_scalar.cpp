// The portable dense kernels (any CPU), the reference the SIMD tables are
// tested against, and the 1-bit and 8-bit loops. This file is compiled with
// -O3 and no ISA flags: GCC vectorizes the 8-bit loops with SSE2, and the
// popcount loop gets the popcnt instruction through a target attribute,
// called only when the CPU has it.
#include <cstring>

#include "kernels.h"

namespace keel::vector {
namespace {

template <class T>
T at(const uint8_t* p, size_t i) {
  T v;
  std::memcpy(&v, p + sizeof(T) * i, sizeof(T));
  return v;
}

// f32 sums in f32, four lanes, as the SIMD tables do, so results agree closely.
double dot_f32(const uint8_t* a, const uint8_t* b, size_t n) {
  float s[4] = {0, 0, 0, 0};
  size_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; k++) s[k] += at<float>(a, i + k) * at<float>(b, i + k);
  double sum = double(s[0]) + s[1] + s[2] + s[3];
  for (; i < n; i++) sum += double(at<float>(a, i)) * at<float>(b, i);
  return sum;
}

double l2sq_f32(const uint8_t* a, const uint8_t* b, size_t n) {
  float s[4] = {0, 0, 0, 0};
  size_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; k++) {
      float d = at<float>(a, i + k) - at<float>(b, i + k);
      s[k] += d * d;
    }
  double sum = double(s[0]) + s[1] + s[2] + s[3];
  for (; i < n; i++) {
    double d = double(at<float>(a, i)) - at<float>(b, i);
    sum += d * d;
  }
  return sum;
}

DotNorms cos_f32(const uint8_t* a, const uint8_t* b, size_t n) {
  float ab[4] = {0, 0, 0, 0}, aa[4] = {0, 0, 0, 0}, bb[4] = {0, 0, 0, 0};
  size_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; k++) {
      float x = at<float>(a, i + k), y = at<float>(b, i + k);
      ab[k] += x * y;
      aa[k] += x * x;
      bb[k] += y * y;
    }
  DotNorms r{double(ab[0]) + ab[1] + ab[2] + ab[3], double(aa[0]) + aa[1] + aa[2] + aa[3],
             double(bb[0]) + bb[1] + bb[2] + bb[3]};
  for (; i < n; i++) {
    double x = at<float>(a, i), y = at<float>(b, i);
    r.ab += x * y;
    r.a2 += x * x;
    r.b2 += y * y;
  }
  return r;
}

double dot_f64(const uint8_t* a, const uint8_t* b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += at<double>(a, i) * at<double>(b, i);
  return s;
}

double l2sq_f64(const uint8_t* a, const uint8_t* b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) {
    double d = at<double>(a, i) - at<double>(b, i);
    s += d * d;
  }
  return s;
}

DotNorms cos_f64(const uint8_t* a, const uint8_t* b, size_t n) {
  DotNorms r{0, 0, 0};
  for (size_t i = 0; i < n; i++) {
    double x = at<double>(a, i), y = at<double>(b, i);
    r.ab += x * y;
    r.a2 += x * x;
    r.b2 += y * y;
  }
  return r;
}

#if defined(__x86_64__)
#define KEEL_POPCNT_TARGET __attribute__((target("popcnt")))
#else
#define KEEL_POPCNT_TARGET
#endif

KEEL_POPCNT_TARGET uint64_t hamming_popcnt(const uint8_t* a, const uint8_t* b, size_t n) {
  uint64_t c = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) c += __builtin_popcountll(at<uint64_t>(a + i, 0) ^ at<uint64_t>(b + i, 0));
  for (; i < n; i++) c += __builtin_popcount(unsigned(a[i] ^ b[i]));
  return c;
}

KEEL_POPCNT_TARGET void and_or_popcnt(const uint8_t* a, const uint8_t* b, size_t n, uint64_t* and_count,
                                      uint64_t* or_count) {
  uint64_t x = 0, y = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t p = at<uint64_t>(a + i, 0), q = at<uint64_t>(b + i, 0);
    x += __builtin_popcountll(p & q);
    y += __builtin_popcountll(p | q);
  }
  for (; i < n; i++) {
    x += __builtin_popcount(unsigned(a[i] & b[i]));
    y += __builtin_popcount(unsigned(a[i] | b[i]));
  }
  *and_count = x;
  *or_count = y;
}

uint64_t hamming_generic(const uint8_t* a, const uint8_t* b, size_t n) {
  uint64_t c = 0;
  for (size_t i = 0; i < n; i++) c += __builtin_popcount(unsigned(a[i] ^ b[i]));
  return c;
}

void and_or_generic(const uint8_t* a, const uint8_t* b, size_t n, uint64_t* and_count, uint64_t* or_count) {
  uint64_t x = 0, y = 0;
  for (size_t i = 0; i < n; i++) {
    x += __builtin_popcount(unsigned(a[i] & b[i]));
    y += __builtin_popcount(unsigned(a[i] | b[i]));
  }
  *and_count = x;
  *or_count = y;
}

bool has_popcnt() {
#if defined(__x86_64__)
  static const bool yes = __builtin_cpu_supports("popcnt");
  return yes;
#else
  return false;
#endif
}

}  // namespace

const DenseKernels kScalarKernels{"scalar", dot_f32,  l2sq_f32, cos_f32,
                                  dot_f64,  l2sq_f64, cos_f64,  q8_sums_scalar};

uint64_t hamming_bits(const uint8_t* a, const uint8_t* b, size_t n) {
  return has_popcnt() ? hamming_popcnt(a, b, n) : hamming_generic(a, b, n);
}

void and_or_bits(const uint8_t* a, const uint8_t* b, size_t n, uint64_t* and_count, uint64_t* or_count) {
  if (has_popcnt()) {
    and_or_popcnt(a, b, n, and_count, or_count);
  } else {
    and_or_generic(a, b, n, and_count, or_count);
  }
}

// Blocks of 2^16 elements keep the u32 partial sums exact (255² · 2^16 < 2^32)
// while letting GCC widen u8 → u16 → u32 in vector registers.
Q8Sums q8_sums_scalar(const uint8_t* a, const uint8_t* b, size_t n) {
  Q8Sums r{0, 0, 0, 0, 0};
  for (size_t start = 0; start < n; start += 65536) {
    const size_t end = n - start > 65536 ? start + 65536 : n;
    uint32_t sa = 0, sb = 0, qa = 0, qb = 0, d = 0;
    for (size_t i = start; i < end; i++) {
      uint32_t x = a[i], y = b[i];
      sa += x;
      sb += y;
      qa += x * x;
      qb += y * y;
      d += x * y;
    }
    r.sum_a += sa;
    r.sum_b += sb;
    r.sq_a += qa;
    r.sq_b += qb;
    r.dot += d;
  }
  return r;
}

}  // namespace keel::vector
