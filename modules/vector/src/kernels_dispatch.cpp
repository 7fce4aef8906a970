// Chooses the dense kernel table once per process (see kernels.h).
#include <cstdlib>
#include <string_view>
#include <vector>

#include "kernels.h"

namespace keel::vector {
namespace {

std::vector<const DenseKernels*> detect() {
  std::vector<const DenseKernels*> all{&kScalarKernels};
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("sse2")) all.push_back(&kSse2Kernels);
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) all.push_back(&kAvx2Kernels);
  if (__builtin_cpu_supports("avx512f")) all.push_back(&kAvx512Kernels);
#endif
  return all;
}

const std::vector<const DenseKernels*>& supported() {
  static const std::vector<const DenseKernels*> all = detect();
  return all;
}

const DenseKernels* choose() {
  const auto& all = supported();
  if (const char* want = std::getenv("KEEL_VECTOR_ISA")) {
    for (const DenseKernels* k : all)
      if (std::string_view(k->isa) == want) return k;
  }
  return all.back();
}

}  // namespace

const DenseKernels& dense_kernels() {
  static const DenseKernels* chosen = choose();
  return *chosen;
}

std::span<const DenseKernels* const> supported_dense_kernels() { return supported(); }

}  // namespace keel::vector
