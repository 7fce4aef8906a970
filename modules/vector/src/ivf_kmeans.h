// k-means for the IVF index: the centroids that partition a vector index
// into lists.
//
// Lloyd's algorithm on f32 points stored row-major (n × d), with the
// dispatched SIMD kernels (kernels.h) for the point-to-centroid distances.
// Initialisation is k distinct points drawn by a seeded generator, so the
// same sample gives the same centroids. An empty cluster is re-seeded by
// splitting the largest one (its centroid nudged both ways), as FAISS does.
//
// Why not FAISS: its k-means goes through BLAS and OpenMP, both of which the
// module would then load into every host process, and the training sizes
// the index uses (≤ 256 points per list, ≤ a few thousand lists) run in
// seconds with the kernels here.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace keel::vector {

// The index (0..k-1) of the centroid nearest to `point` by squared L2.
size_t nearest_centroid_l2(const float* point, const float* centroids, size_t k, size_t dims);

// k centroids (k × dims, row-major) of the n points. Requires 1 ≤ k ≤ n.
std::vector<float> kmeans(const float* points, size_t n, size_t dims, size_t k, int iterations,
                          uint64_t seed);

}  // namespace keel::vector
