// The dense kernels for avx2; this file alone is compiled with the matching
// -m flags (see CMakeLists.txt), so nothing else in the module assumes them.
#include "kernels_simd.h"

namespace keel::vector {

const DenseKernels kAvx2Kernels = simd::make_table<xsimd::fma3<xsimd::avx2>>("avx2");

}  // namespace keel::vector
