// Blob formats: known byte strings for every type, and malformed blobs.
#include <gtest/gtest.h>

#include "test_support.h"
#include "vector_format.h"

namespace keel::vector {
namespace {

using testing::hex;
using testing::to_hex;

TEST(VectorFormat, F32RawAndTagged) {
  auto raw = hex("0000803F00000040");  // [1,2]
  auto v = parse_blob(raw);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->type, VectorType::kFloat32);
  EXPECT_EQ(v->dims, 2u);
  EXPECT_EQ(load_f32(v->data, 1), 2.0f);

  auto tagged = hex("0000803F01");
  v = parse_blob(tagged);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->type, VectorType::kFloat32);
  EXPECT_EQ(v->dims, 1u);
  EXPECT_EQ(load_f32(v->data, 0), 1.0f);

  auto empty = std::vector<uint8_t>{};
  v = parse_blob(empty);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->dims, 0u);
}

TEST(VectorFormat, F64) {
  auto b = hex("000000000000F03F000000000000004002");
  auto v = parse_blob(b);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->type, VectorType::kFloat64);
  EXPECT_EQ(v->dims, 2u);
  EXPECT_EQ(load_f64(v->data, 1), 2.0);
  std::vector<uint8_t> out(blob_size_f64(2));
  double vals[2] = {1, 2};
  write_f64(out.data(), vals, 2);
  EXPECT_EQ(to_hex(out), "000000000000F03F000000000000004002");
}

TEST(VectorFormat, OneBit) {
  // [1,-1,1,1,-1]: bits 0,2,3 → 0x0D; ⌈5/8⌉ = 1 (odd, no pad); T = 8·2 − 5 = 11.
  auto b = hex("0D0B03");
  auto v = parse_blob(b);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->type, VectorType::kFloat1Bit);
  EXPECT_EQ(v->dims, 5u);
  std::vector<uint8_t> out(blob_size_1bit(5));
  uint8_t bits = 0x0D;
  write_1bit(out.data(), &bits, 5);
  EXPECT_EQ(to_hex(out), "0D0B03");
  // 16 dims: 2 data bytes (even → pad byte), T = 8·4 − 16 = 16.
  uint8_t bits16[2] = {0xFF, 0x01};
  out.assign(blob_size_1bit(16), 0);
  write_1bit(out.data(), bits16, 16);
  EXPECT_EQ(to_hex(out), "FF01001003");
  v = parse_blob(out);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->dims, 16u);
  // 9 dims: 2 data bytes + pad, T = 32 − 9 = 23.
  out.assign(blob_size_1bit(9), 0);
  write_1bit(out.data(), bits16, 9);
  EXPECT_EQ(to_hex(out), "FF01001703");
  EXPECT_EQ(parse_blob(out)->dims, 9u);
}

TEST(VectorFormat, EightBit) {
  // q = [0,128,255], alpha = 2/255 (0x3C008081), shift 0, t = 1.
  auto b =
      hex("0080FF00"
          "8180003C"
          "00000000"
          "00"
          "01"
          "04");
  auto v = parse_blob(b);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->type, VectorType::kFloat8);
  EXPECT_EQ(v->dims, 3u);
  EXPECT_EQ(v->alpha, 2.0f / 255.0f);
  EXPECT_EQ(v->shift, 0.0f);
  uint8_t q[3] = {0, 128, 255};
  std::vector<uint8_t> out(blob_size_8bit(3));
  write_8bit(out.data(), q, 3, 2.0f / 255.0f, 0.0f);
  EXPECT_EQ(out, b);
  // 4 dims: no padding, t = 0.
  uint8_t q4[4] = {1, 2, 3, 4};
  out.assign(blob_size_8bit(4), 0);
  write_8bit(out.data(), q4, 4, 1.0f, -1.0f);
  EXPECT_EQ(to_hex(out),
            "01020304"
            "0000803F"
            "000080BF"
            "00"
            "00"
            "04");
  EXPECT_EQ(parse_blob(out)->dims, 4u);
}

TEST(VectorFormat, Sparse) {
  // [0,1.5,0,2]: values 1.5, 2; indices 1, 3; dims 4.
  auto b =
      hex("0000C03F"
          "00000040"
          "01000000"
          "03000000"
          "04000000"
          "09");
  auto v = parse_blob(b);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->type, VectorType::kFloat32Sparse);
  EXPECT_EQ(v->dims, 4u);
  EXPECT_EQ(v->nnz, 2u);
  EXPECT_EQ(load_u32(v->sparse_indices(), 1), 3u);
  EXPECT_EQ(load_f32(v->sparse_values(), 0), 1.5f);
  std::vector<uint8_t> out(canonical_size(*v));
  write_canonical(out.data(), *v);
  EXPECT_EQ(out, b);
  // All-zero sparse vector of 3 dims: only dims and tag.
  auto z = hex("0300000009");
  v = parse_blob(z);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->dims, 3u);
  EXPECT_EQ(v->nnz, 0u);
}

void expect_error(const std::string& hexstr, const std::string& message) {
  auto b = hex(hexstr);
  auto v = parse_blob(b);
  ASSERT_FALSE(v.ok()) << hexstr;
  EXPECT_EQ(v.status().code(), rc::kError);
  EXPECT_EQ(v.status().message(), message) << hexstr;
}

TEST(VectorFormat, Malformed) {
  expect_error("000080", "Conversion error: unknown vector type: 128");
  expect_error("0000803F00", "Conversion error: unknown vector type: 0");
  expect_error("000001", "Invalid argument supplied: f32 dense vector unexpected data length: 2");
  expect_error("0001", "Invalid argument supplied: f32 dense vector unexpected data length: 2");
  expect_error("0000000000000000000002",
               "Invalid argument supplied: f64 dense vector unexpected data length: 10");
  expect_error("05", "Conversion error: unsupported vector type from LibSQL");
  expect_error("000006", "Conversion error: unsupported vector type from LibSQL");
  expect_error("03", "Conversion error: float1bit vector blob length must be even and non-empty");
  expect_error("00FF03", "Conversion error: float1bit vector trailing bits 255 exceed blob capacity");
  expect_error("001003",
               "Invalid argument supplied: f1bit vector data length mismatch: got 0 expected 0 for 0 dims");
  expect_error("000404", "Conversion error: float8 vector blob of 2 bytes is too short for 4 trailing bytes");
  expect_error("0000000000000000000004",
               "Invalid argument supplied: f8 vector data length mismatch: got 8 expected 8 for 0 dims");
  expect_error("09", "Invalid argument supplied: f32 sparse vector unexpected data length: 0");
  expect_error(
      "0000803F"
      "05000000"
      "04000000"
      "09",
      "Invalid argument supplied: f32 sparse vector index 5 out of range for 4 dims");
  expect_error("000007", "Conversion error: unknown vector type: 7");
}

}  // namespace
}  // namespace keel::vector
