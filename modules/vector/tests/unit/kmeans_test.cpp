// k-means for the IVF index: well-separated clusters are found, every
// centroid is the mean of its points, empty clusters are re-seeded, and the
// result depends only on the seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "ivf_kmeans.h"

namespace keel::vector {
namespace {

std::vector<float> blobs(size_t per, const std::vector<std::vector<float>>& centres, float sigma,
                         uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0, sigma);
  std::vector<float> out;
  for (const auto& c : centres) {
    for (size_t i = 0; i < per; i++) {
      for (float x : c) out.push_back(x + n(rng));
    }
  }
  return out;
}

TEST(KMeans, FindsSeparatedClusters) {
  const std::vector<std::vector<float>> centres = {
      {10, 0, 0, 0}, {0, 10, 0, 0}, {0, 0, 10, 0}, {0, 0, 0, 10}};
  std::vector<float> pts = blobs(200, centres, 0.5f, 1);
  const size_t n = pts.size() / 4;
  std::vector<float> cent = kmeans(pts.data(), n, 4, 4, 20, 99);
  ASSERT_EQ(cent.size(), 16u);
  // Each true centre has a centroid within 0.2 of it.
  for (const auto& c : centres) {
    double best = 1e9;
    for (size_t k = 0; k < 4; k++) {
      double d = 0;
      for (size_t j = 0; j < 4; j++) d += (cent[k * 4 + j] - c[j]) * (cent[k * 4 + j] - c[j]);
      best = std::min(best, std::sqrt(d));
    }
    EXPECT_LT(best, 0.2);
  }
  // Each point's nearest centroid is its own cluster's.
  for (size_t i = 0; i < n; i++) {
    size_t k = nearest_centroid_l2(pts.data() + i * 4, cent.data(), 4, 4);
    size_t owner = i / 200;
    EXPECT_GT(cent[k * 4 + owner], 9.0f) << i;
  }
  EXPECT_EQ(kmeans(pts.data(), n, 4, 4, 20, 99), cent);
}

TEST(KMeans, MoreCentroidsThanClustersLeavesNoneEmpty) {
  // 3 tight clusters, 8 centroids: empty ones are split off the largest.
  std::vector<float> pts = blobs(100, {{0, 0}, {50, 0}, {0, 50}}, 1.0f, 2);
  const size_t n = pts.size() / 2;
  std::vector<float> cent = kmeans(pts.data(), n, 2, 8, 15, 5);
  std::vector<size_t> counts(8);
  for (size_t i = 0; i < n; i++) counts[nearest_centroid_l2(pts.data() + i * 2, cent.data(), 8, 2)]++;
  for (size_t k = 0; k < 8; k++) {
    EXPECT_GT(counts[k], 0u) << k;
    EXPECT_TRUE(std::isfinite(cent[k * 2]) && std::isfinite(cent[k * 2 + 1]));
  }
}

TEST(KMeans, OneCentroidIsTheMean) {
  std::vector<float> pts = {1, 2, 3, 4, 5, 6};
  std::vector<float> cent = kmeans(pts.data(), 3, 2, 1, 3, 0);
  EXPECT_FLOAT_EQ(cent[0], 3);
  EXPECT_FLOAT_EQ(cent[1], 4);
}

}  // namespace
}  // namespace keel::vector
