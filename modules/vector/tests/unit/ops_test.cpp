// Conversions between every pair of types, concat and slice, and distances
// of every type against double-precision references.
#include <gtest/gtest.h>

#include "test_support.h"
#include "vector_ops.h"
#include "vector_text.h"

namespace keel::vector {
namespace {

using namespace testing;

const VectorType kAll[] = {VectorType::kFloat32, VectorType::kFloat64, VectorType::kFloat1Bit,
                           VectorType::kFloat8, VectorType::kFloat32Sparse};

std::vector<uint8_t> converted(const std::vector<uint8_t>& blob, VectorType t) {
  VectorView v = view_of(blob);
  std::vector<uint8_t> out(converted_size(v, t), 0xAA);
  convert(v, t, out.data());
  return out;
}

std::vector<float> values_of(const std::vector<uint8_t>& blob) {
  VectorView v = view_of(blob);
  std::vector<float> out(v.dims);
  decode_f32(v, out.data());
  return out;
}

TEST(VectorOps, ConversionMatrixKnownBytes) {
  // [1,0,-2.5] as f32.
  auto f32 =
      hex("0000803F"
          "00000000"
          "000020C0");
  EXPECT_EQ(to_hex(converted(f32, VectorType::kFloat32)), "0000803F00000000000020C0");
  EXPECT_EQ(to_hex(converted(f32, VectorType::kFloat64)),
            "000000000000F03F"
            "0000000000000000"
            "00000000000004C0"
            "02");
  // bits: only element 0 is > 0 → 0x01; 1 data byte (odd), T = 16 − 3 = 13.
  EXPECT_EQ(to_hex(converted(f32, VectorType::kFloat1Bit)), "010D03");
  // sparse: values 1, −2.5 at 0, 2; dims 3.
  EXPECT_EQ(to_hex(converted(f32, VectorType::kFloat32Sparse)),
            "0000803F"
            "000020C0"
            "00000000"
            "02000000"
            "03000000"
            "09");
  // 8-bit: min −2.5, max 1, alpha = 3.5/255; q = [255, 182, 0].
  auto q = converted(f32, VectorType::kFloat8);
  ASSERT_EQ(q.size(), 15u);
  EXPECT_EQ(q[0], 255);
  EXPECT_EQ(q[2], 0);
  EXPECT_EQ(q[3], 0);  // alignment pad
  EXPECT_EQ(to_hex(std::span(q).subspan(8, 7)),
            "000020C0"
            "00"
            "01"
            "04");
  float alpha;
  std::memcpy(&alpha, q.data() + 4, 4);
  EXPECT_EQ(alpha, 3.5f / 255.0f);
  EXPECT_EQ(q[1], uint8_t(int((0.0f + 2.5f) / alpha + 0.5f)));
}

TEST(VectorOps, EveryPairRoundTripsThroughValues) {
  std::mt19937 rng(11);
  for (size_t dims : {1, 5, 8, 9, 16, 33, 100}) {
    auto vals = random_f32(rng, dims);
    for (size_t i = 0; i < dims; i += 3) vals[i] = 0.0f;  // zeros for sparse
    auto src32 = f32_blob(vals);
    for (VectorType from : kAll) {
      auto a = converted(src32, from);
      ASSERT_TRUE(parse_blob(a).ok()) << type_name(from);
      for (VectorType to : kAll) {
        SCOPED_TRACE(std::string(type_name(from)) + " -> " + type_name(to));
        auto b = converted(a, to);
        auto v = parse_blob(b);
        ASSERT_TRUE(v.ok()) << v.status().message();
        EXPECT_EQ(v->type, to);
        EXPECT_EQ(v->dims, dims);
        // Expected element values: lossless between f32/f64/sparse; 1-bit
        // keeps signs; 8-bit keeps values within one quantization step.
        auto got = values_of(b), src = values_of(a);
        for (size_t i = 0; i < dims; i++) {
          if (to == VectorType::kFloat1Bit) {
            EXPECT_EQ(got[i], src[i] > 0 ? 1.0f : -1.0f);
          } else if (to == VectorType::kFloat8 && from != VectorType::kFloat8) {
            VectorView q = view_of(b);
            EXPECT_NEAR(got[i], src[i], q.alpha * 0.5001 + 1e-6);
          } else if (from == VectorType::kFloat8 && to == VectorType::kFloat64) {
            // f64 target dequantizes in f64 (as Turso does), f32 in f32.
            EXPECT_NEAR(got[i], src[i], 2e-7);
          } else {
            EXPECT_EQ(got[i], src[i]);
          }
        }
      }
    }
  }
}

TEST(VectorOps, ConvertToOwnTypeIsCanonical) {
  auto tagged = hex("0000803F01");
  EXPECT_EQ(to_hex(converted(tagged, VectorType::kFloat32)), "0000803F");
  // A non-zero 1-bit pad byte is rewritten as zero.
  EXPECT_EQ(to_hex(converted(hex("FF01FF1003"), VectorType::kFloat1Bit)), "FF01001003");
}

TEST(VectorOps, F64ToSparseKeepsTinyValues) {
  // 1e-50 is not zero in f64 (kept as an entry) but becomes 0 in f32.
  std::vector<double> v{1e-50, 0.0, 2.0};
  auto s = converted(f64_blob(v), VectorType::kFloat32Sparse);
  VectorView sv = view_of(s);
  EXPECT_EQ(sv.nnz, 2u);
  EXPECT_EQ(load_u32(sv.sparse_indices(), 0), 0u);
}

TEST(VectorOps, QuantizeConstantVector) {
  float vals[3] = {4, 4, 4};
  uint8_t q[3];
  float alpha, shift;
  quantize_8bit(vals, 3, q, &alpha, &shift);
  EXPECT_EQ(alpha, 0.0f);
  EXPECT_EQ(shift, 4.0f);
  EXPECT_EQ(q[0] + q[1] + q[2], 0);
}

TEST(VectorOps, ConcatAndSlice) {
  auto a = f32_blob({1, 2}), b = f32_blob({3});
  VectorView va = view_of(a), vb = view_of(b);
  ASSERT_TRUE(check_concat(va, vb).ok());
  std::vector<uint8_t> out(concat_size(va, vb));
  concat(va, vb, out.data());
  EXPECT_EQ(format_text(view_of(out)), "[1,2,3]");

  auto sa = converted(f32_blob({0, 1, 0}), VectorType::kFloat32Sparse);
  auto sb = converted(f32_blob({2, 0}), VectorType::kFloat32Sparse);
  VectorView xa = view_of(sa), xb = view_of(sb);
  out.assign(concat_size(xa, xb), 0);
  concat(xa, xb, out.data());
  EXPECT_EQ(format_text(view_of(out)), "[0,1,0,2,0]");

  auto d = f64_blob({1, 2, 3, 4});
  VectorView vd = view_of(d);
  ASSERT_TRUE(check_slice(vd, 1, 3).ok());
  out.assign(slice_size(vd, 1, 3), 0);
  slice(vd, 1, 3, out.data());
  EXPECT_EQ(format_text(view_of(out)), "[2,3]");
  EXPECT_EQ(out.back(), 2);

  auto s = converted(f32_blob({0, 5, 0, 6, 7}), VectorType::kFloat32Sparse);
  VectorView vs = view_of(s);
  out.assign(slice_size(vs, 1, 4), 0);
  slice(vs, 1, 4, out.data());
  EXPECT_EQ(format_text(view_of(out)), "[5,0,6]");
  out.assign(slice_size(vs, 2, 2), 0);
  slice(vs, 2, 2, out.data());
  EXPECT_EQ(format_text(view_of(out)), "[]");

  EXPECT_EQ(check_slice(vd, 3, 1).message(),
            "Invalid argument supplied: start index must not be greater than end index");
  EXPECT_EQ(check_slice(vd, 0, 5).message(), "Conversion error: vector_slice range out of bounds");
  EXPECT_EQ(check_slice(vd, -1, 2).message(),
            "Invalid argument supplied: start index and end_index must be non-negative");
  auto bits = converted(d, VectorType::kFloat1Bit);
  EXPECT_EQ(check_slice(view_of(bits), 0, 1).message(),
            "Conversion error: vector_slice is not supported for float1bit/float8 vectors");
  EXPECT_EQ(check_concat(view_of(bits), view_of(bits)).message(),
            "Conversion error: vector_concat is not supported for float1bit/float8 vectors");
  EXPECT_EQ(check_concat(va, vd).message(), "Conversion error: Mismatched vector types");
}

double dist(Metric m, const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  double d = -12345;
  Status s = distance(m, view_of(a), view_of(b), &d);
  EXPECT_TRUE(s.ok()) << s.message();
  return d;
}

TEST(VectorOps, DenseDistancesMatchReference) {
  std::mt19937 rng(5);
  for (size_t dims : {1, 3, 16, 100, 384, 1000}) {
    auto a = random_f32(rng, dims), b = random_f32(rng, dims);
    auto ba = f32_blob(a), bb = f32_blob(b);
    const double tol = 1e-5;
    EXPECT_NEAR(dist(Metric::kCos, ba, bb), ref_cos(a, b), tol);
    EXPECT_NEAR(dist(Metric::kL2, ba, bb), ref_l2(a, b), tol * ref_l2(a, b));
    EXPECT_NEAR(dist(Metric::kDot, ba, bb), -ref_dot(a, b), tol * std::sqrt(double(dims)));
    EXPECT_NEAR(dist(Metric::kJaccard, ba, bb), ref_jaccard(a, b), 1e-4);

    std::vector<double> x(a.begin(), a.end()), y(b.begin(), b.end());
    auto bx = f64_blob(x), by = f64_blob(y);
    EXPECT_NEAR(dist(Metric::kCos, bx, by), ref_cos(x, y), 1e-12);
    EXPECT_NEAR(dist(Metric::kL2, bx, by), ref_l2(x, y), 1e-12);
    EXPECT_NEAR(dist(Metric::kDot, bx, by), -ref_dot(x, y), 1e-12);
    EXPECT_NEAR(dist(Metric::kJaccard, bx, by), ref_jaccard(x, y), 1e-12);

    // Sparse gives the dense answers (positive values so Jaccard is stable).
    auto p = random_f32(rng, dims, 0, 1), q = random_f32(rng, dims, 0, 1);
    for (size_t i = 0; i < dims; i += 2) p[i] = 0;
    for (size_t i = 0; i < dims; i += 3) q[i] = 0;
    auto sp = converted(f32_blob(p), VectorType::kFloat32Sparse);
    auto sq = converted(f32_blob(q), VectorType::kFloat32Sparse);
    // Sparse cosine is NaN (NULL) when a vector is all zero, unlike dense.
    const double sparse_cos = ref_dot(p, p) == 0 || ref_dot(q, q) == 0 ? NAN : ref_cos(p, q);
    EXPECT_PRED3(near_or_nan, dist(Metric::kCos, sp, sq), sparse_cos, 1e-5);
    EXPECT_NEAR(dist(Metric::kL2, sp, sq), ref_l2(p, q), 1e-5 * (1 + ref_l2(p, q)));
    EXPECT_NEAR(dist(Metric::kDot, sp, sq), -ref_dot(p, q), 1e-5 * dims);
    EXPECT_PRED3(near_or_nan, dist(Metric::kJaccard, sp, sq), ref_jaccard(p, q), 1e-5);
  }
}

TEST(VectorOps, QuantizedDistancesMatchDequantizedReference) {
  std::mt19937 rng(9);
  for (size_t dims : {1, 5, 8, 64, 384, 1001}) {
    auto a = random_f32(rng, dims), b = random_f32(rng, dims);
    auto qa = converted(f32_blob(a), VectorType::kFloat8), qb = converted(f32_blob(b), VectorType::kFloat8);
    // Reference on the dequantized values in double.
    VectorView va = view_of(qa), vb = view_of(qb);
    std::vector<double> x(dims), y(dims);
    decode_f64(va, x.data());
    decode_f64(vb, y.data());
    if (dims > 1) {
      EXPECT_NEAR(dist(Metric::kCos, qa, qb), 1 - ref_dot(x, y) / std::sqrt(ref_dot(x, x) * ref_dot(y, y)),
                  1e-9);
    }
    EXPECT_NEAR(dist(Metric::kL2, qa, qb), ref_l2(x, y), 1e-9);
    EXPECT_NEAR(dist(Metric::kDot, qa, qb), -ref_dot(x, y), 1e-9 * dims);
    EXPECT_NEAR(dist(Metric::kJaccard, qa, qb), ref_jaccard(x, y), 1e-9);

    // 1-bit: cos is the Hamming distance, dot is −(d − 2·hamming).
    auto ba = converted(f32_blob(a), VectorType::kFloat1Bit),
         bb = converted(f32_blob(b), VectorType::kFloat1Bit);
    std::vector<double> s(dims), t(dims);
    decode_f64(view_of(ba), s.data());
    decode_f64(view_of(bb), t.data());
    double ham = 0, both = 0, either = 0;
    for (size_t i = 0; i < dims; i++) {
      ham += s[i] != t[i];
      both += s[i] > 0 && t[i] > 0;
      either += s[i] > 0 || t[i] > 0;
    }
    EXPECT_EQ(dist(Metric::kCos, ba, bb), ham);
    EXPECT_EQ(dist(Metric::kDot, ba, bb), -ref_dot(s, t));
    if (either > 0) {
      EXPECT_DOUBLE_EQ(dist(Metric::kJaccard, ba, bb), 1 - both / either);
    }
    double d;
    EXPECT_EQ(distance(Metric::kL2, view_of(ba), view_of(bb), &d).message(),
              "Conversion error: L2 distance is not supported for float1bit vectors");
  }
}

TEST(VectorOps, ZeroVectorCases) {
  auto z = f32_blob({0, 0}), o = f32_blob({1, 2});
  EXPECT_EQ(dist(Metric::kCos, z, z), 0.0);
  EXPECT_EQ(dist(Metric::kCos, o, z), 1.0);
  EXPECT_EQ(dist(Metric::kCos, f32_blob({1, 0}), f32_blob({0, 1})), 1.0);
  EXPECT_EQ(dist(Metric::kCos, o, o), 0.0);  // clamped, never slightly negative
  EXPECT_NEAR(dist(Metric::kCos, o, f32_blob({-1, -2})), 2.0, 1e-12);
  EXPECT_EQ(dist(Metric::kCos, f32_blob({}), f32_blob({})), 0.0);
  EXPECT_TRUE(std::isnan(dist(Metric::kJaccard, z, z)));
  EXPECT_EQ(dist(Metric::kJaccard, o, z), 1.0);
  auto sz = converted(z, VectorType::kFloat32Sparse), so = converted(o, VectorType::kFloat32Sparse);
  EXPECT_TRUE(std::isnan(dist(Metric::kCos, sz, so)));
  EXPECT_TRUE(std::isnan(dist(Metric::kJaccard, sz, sz)));
  auto bz = converted(f32_blob({-1, -1, -1}), VectorType::kFloat1Bit);
  EXPECT_TRUE(std::isnan(dist(Metric::kJaccard, bz, bz)));
  auto qz = converted(z, VectorType::kFloat8);
  EXPECT_TRUE(std::isnan(dist(Metric::kCos, qz, qz)));
}

}  // namespace
}  // namespace keel::vector
