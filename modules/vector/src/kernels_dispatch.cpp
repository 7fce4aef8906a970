// Chooses the dense kernel table once per process (see kernels.h).
#include <array>
#include <cstdlib>
#include <string_view>

#include "kernels.h"

namespace keel::vector {
namespace {

// The tables this CPU can run, in a fixed array: choosing allocates nothing,
// not even on the first call.
struct Supported {
  std::array<const DenseKernels*, 4> tables{};
  size_t count = 0;
  void add(const DenseKernels* k) { tables[count++] = k; }
};

Supported detect() {
  Supported all;
  all.add(&kScalarKernels);
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("sse2")) all.add(&kSse2Kernels);
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) all.add(&kAvx2Kernels);
  if (__builtin_cpu_supports("avx512f")) all.add(&kAvx512Kernels);
#endif
  return all;
}

std::span<const DenseKernels* const> supported() {
  static const Supported all = detect();
  return {all.tables.data(), all.count};
}

// AMD's AVX-512 cores (Zen 4) execute each 512-bit operation as two 256-bit
// halves, so AVX-512 brings no extra throughput there and pays for more
// cache-line-splitting loads on unaligned blobs: measured 30% slower than the
// AVX2 table on an EPYC (Zen 4) both in cache and streaming from memory. The
// choice is fixed per CPU model (no timing at start-up), so one machine always
// computes the same bits.
bool prefer_avx2_over_avx512() {
#if defined(__x86_64__)
  return __builtin_cpu_is("amd");
#else
  return false;
#endif
}

const DenseKernels* choose() {
  const auto all = supported();
  if (const char* want = std::getenv("KEEL_VECTOR_ISA")) {
    for (const DenseKernels* k : all)
      if (std::string_view(k->isa) == want) return k;
  }
  const DenseKernels* best = all.back();
#if defined(__x86_64__)
  if (best == &kAvx512Kernels && prefer_avx2_over_avx512()) best = &kAvx2Kernels;
#endif
  return best;
}

}  // namespace

const DenseKernels& dense_kernels() {
  static const DenseKernels* chosen = choose();
  return *chosen;
}

std::span<const DenseKernels* const> supported_dense_kernels() { return supported(); }

Q8Sums q8_sums(const uint8_t* a, const uint8_t* b, size_t n) { return dense_kernels().q8(a, b, n); }

}  // namespace keel::vector
