// Every dense kernel table this CPU supports, against double-precision
// references, over lengths that exercise the unrolled body, the single-batch
// loop and the scalar tail, with unaligned inputs.
#include "kernels.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace keel::vector {
namespace {

using namespace testing;

TEST(VectorKernels, DispatchPicksASupportedTable) {
  auto all = supported_dense_kernels();
  ASSERT_FALSE(all.empty());
  EXPECT_STREQ(all.front()->isa, "scalar");
  bool found = false;
  for (auto* k : all) found |= k == &dense_kernels();
  EXPECT_TRUE(found);
}

TEST(VectorKernels, DenseF32AndF64MatchReference) {
  std::mt19937 rng(42);
  for (const DenseKernels* k : supported_dense_kernels()) {
    SCOPED_TRACE(k->isa);
    for (size_t n : {0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 100, 127, 384, 768, 1000, 1536}) {
      SCOPED_TRACE(n);
      auto a = random_f32(rng, n), b = random_f32(rng, n);
      // Unaligned copies: offset 1 byte into a buffer.
      std::vector<uint8_t> ba(4 * n + 1), bb(4 * n + 3);
      if (n) {
        std::memcpy(ba.data() + 1, a.data(), 4 * n);
        std::memcpy(bb.data() + 3, b.data(), 4 * n);
      }
      const uint8_t *pa = ba.data() + 1, *pb = bb.data() + 3;
      const double tol = 1e-5 * (1 + std::sqrt(double(n)));
      EXPECT_NEAR(k->dot_f32(pa, pb, n), ref_dot(a, b), tol);
      EXPECT_NEAR(k->l2sq_f32(pa, pb, n), ref_l2(a, b) * ref_l2(a, b), tol * 4);
      DotNorms c = k->cos_f32(pa, pb, n);
      EXPECT_NEAR(c.ab, ref_dot(a, b), tol);
      EXPECT_NEAR(c.a2, ref_dot(a, a), tol);
      EXPECT_NEAR(c.b2, ref_dot(b, b), tol);

      std::vector<double> x(a.begin(), a.end()), y(b.begin(), b.end());
      for (size_t i = 0; i < n; i++) x[i] += 1e-9 * double(i);  // use bits f32 cannot hold
      std::vector<uint8_t> bx(8 * n + 5), by(8 * n + 1);
      if (n) {
        std::memcpy(bx.data() + 5, x.data(), 8 * n);
        std::memcpy(by.data() + 1, y.data(), 8 * n);
      }
      const uint8_t *px = bx.data() + 5, *py = by.data() + 1;
      EXPECT_NEAR(k->dot_f64(px, py, n), ref_dot(x, y), 1e-12 * (1 + n));
      EXPECT_NEAR(k->l2sq_f64(px, py, n), ref_l2(x, y) * ref_l2(x, y), 1e-12 * (1 + n));
      DotNorms d = k->cos_f64(px, py, n);
      EXPECT_NEAR(d.ab, ref_dot(x, y), 1e-12 * (1 + n));
      EXPECT_NEAR(d.a2, ref_dot(x, x), 1e-12 * (1 + n));
      EXPECT_NEAR(d.b2, ref_dot(y, y), 1e-12 * (1 + n));
    }
  }
}

TEST(VectorKernels, BitsAndBytes) {
  std::mt19937 rng(3);
  for (size_t n : {0, 1, 7, 8, 9, 15, 16, 17, 48, 100, 384, 1001}) {
    std::vector<uint8_t> a(n), b(n);
    for (auto& x : a) x = uint8_t(rng());
    for (auto& x : b) x = uint8_t(rng());
    uint64_t ham = 0, both = 0, either = 0;
    uint64_t sa = 0, sb = 0, qa = 0, qb = 0, dot = 0;
    for (size_t i = 0; i < n; i++) {
      ham += __builtin_popcount(a[i] ^ b[i]);
      both += __builtin_popcount(a[i] & b[i]);
      either += __builtin_popcount(a[i] | b[i]);
      sa += a[i], sb += b[i], qa += a[i] * a[i], qb += b[i] * b[i], dot += a[i] * b[i];
    }
    EXPECT_EQ(hamming_bits(a.data(), b.data(), n), ham);
    uint64_t x, y;
    and_or_bits(a.data(), b.data(), n, &x, &y);
    EXPECT_EQ(x, both);
    EXPECT_EQ(y, either);
    for (const DenseKernels* k : supported_dense_kernels()) {
      SCOPED_TRACE(k->isa);
      Q8Sums s = k->q8(a.data(), b.data(), n);
      EXPECT_EQ(s.sum_a, sa);
      EXPECT_EQ(s.sum_b, sb);
      EXPECT_EQ(s.sq_a, qa);
      EXPECT_EQ(s.sq_b, qb);
      EXPECT_EQ(s.dot, dot);
    }
  }
  // Past the 2^16-element blocks of the 32-bit partial sums, all 255: exact.
  std::vector<uint8_t> big(200003, 255);
  for (const DenseKernels* k : supported_dense_kernels()) {
    Q8Sums s = k->q8(big.data(), big.data(), big.size());
    EXPECT_EQ(s.dot, 200003ull * 255 * 255) << k->isa;
    EXPECT_EQ(s.sq_a, 200003ull * 255 * 255) << k->isa;
    EXPECT_EQ(s.sum_b, 200003ull * 255) << k->isa;
  }
}

}  // namespace
}  // namespace keel::vector
