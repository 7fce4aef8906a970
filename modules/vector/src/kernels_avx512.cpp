// The dense kernels for avx512; this file alone is compiled with the matching
// -m flags (see CMakeLists.txt), so nothing else in the module assumes them.
// GCC 12's AVX-512 headers build some intrinsics on _mm512_undefined_*(),
// which -Wuninitialized reports inside the header; the values are defined.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "kernels_simd.h"

namespace keel::vector {

const DenseKernels kAvx512Kernels = simd::make_table<xsimd::avx512f>("avx512");

}  // namespace keel::vector
