// k-means (see ivf_kmeans.h).
#include "ivf_kmeans.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "kernels.h"

namespace keel::vector {

size_t nearest_centroid_l2(const float* point, const float* centroids, size_t k, size_t dims) {
  const DenseKernels& kern = dense_kernels();
  const auto* p = reinterpret_cast<const uint8_t*>(point);
  size_t best = 0;
  double best_d = std::numeric_limits<double>::infinity();
  for (size_t c = 0; c < k; c++) {
    double d = kern.l2sq_f32(p, reinterpret_cast<const uint8_t*>(centroids + c * dims), dims);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::vector<float> kmeans(const float* points, size_t n, size_t dims, size_t k, int iterations,
                          uint64_t seed) {
  std::mt19937_64 rng(seed);
  // Initial centroids: k distinct points (a partial Fisher-Yates shuffle).
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  for (size_t i = 0; i < k; i++) {
    std::uniform_int_distribution<size_t> pick(i, n - 1);
    std::swap(order[i], order[pick(rng)]);
  }
  std::vector<float> cent(k * dims);
  for (size_t c = 0; c < k; c++) std::copy_n(points + order[c] * dims, dims, cent.begin() + c * dims);

  std::vector<uint32_t> assign(n);
  std::vector<double> sums(k * dims);
  std::vector<size_t> counts(k);
  for (int it = 0; it < iterations; it++) {
    for (size_t i = 0; i < n; i++) {
      assign[i] = static_cast<uint32_t>(nearest_centroid_l2(points + i * dims, cent.data(), k, dims));
    }
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), size_t{0});
    for (size_t i = 0; i < n; i++) {
      double* s = sums.data() + assign[i] * dims;
      const float* p = points + i * dims;
      for (size_t j = 0; j < dims; j++) s[j] += p[j];
      counts[assign[i]]++;
    }
    for (size_t c = 0; c < k; c++) {
      if (counts[c] == 0) continue;
      for (size_t j = 0; j < dims; j++) {
        cent[c * dims + j] = static_cast<float>(sums[c * dims + j] / static_cast<double>(counts[c]));
      }
    }
    // Empty clusters: split the largest cluster in two, nudging its centroid
    // apart (FAISS's rule); the next assignment divides its points.
    for (size_t c = 0; c < k; c++) {
      if (counts[c] != 0) continue;
      size_t big = static_cast<size_t>(std::max_element(counts.begin(), counts.end()) - counts.begin());
      if (counts[big] < 2) break;
      constexpr float kEps = 1.0f / 1024;
      for (size_t j = 0; j < dims; j++) {
        const float v = cent[big * dims + j];
        const float delta = kEps * (std::fabs(v) + kEps) * ((j % 2) == 0 ? 1.0f : -1.0f);
        cent[c * dims + j] = v + delta;
        cent[big * dims + j] = v - delta;
      }
      counts[c] = counts[big] / 2;
      counts[big] -= counts[c];
    }
  }
  return cent;
}

}  // namespace keel::vector
