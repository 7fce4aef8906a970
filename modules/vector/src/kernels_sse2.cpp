// The dense kernels for sse2; this file alone is compiled with the matching
// -m flags (see CMakeLists.txt), so nothing else in the module assumes them.
#include "kernels_simd.h"

namespace keel::vector {

const DenseKernels kSse2Kernels = simd::make_table<xsimd::sse2>("sse2");

}  // namespace keel::vector
