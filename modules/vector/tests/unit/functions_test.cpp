// SQL-level semantics of the vector functions: argument kinds, text input,
// result encoding, NaN → NULL and Turso's error messages.
#include <gtest/gtest.h>

#include <array>
#include <memory>

#include "test_support.h"
#include "vector_functions.h"

namespace keel::vector {
namespace {

using namespace testing;

RecordingSink make(VectorType t, const SqlArg& x) {
  RecordingSink out;
  Status s = fn_make_vector(t, x, out);
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

std::string make_hex(VectorType t, std::string_view text) { return to_hex(make(t, SqlArg::text(text)).blob); }

std::string extract(const std::vector<uint8_t>& blob) {
  RecordingSink out;
  Status s = fn_vector_extract(SqlArg::blob(blob), out);
  EXPECT_TRUE(s.ok()) << s.message();
  return out.text;
}

TEST(VectorFunctions, ConstructorsFromTextKnownBytes) {
  EXPECT_EQ(make_hex(VectorType::kFloat32, "[1,2]"), "0000803F00000040");
  EXPECT_EQ(make_hex(VectorType::kFloat32, "[]"), "");
  EXPECT_EQ(make_hex(VectorType::kFloat64, "[1,2]"), "000000000000F03F000000000000004002");
  EXPECT_EQ(make_hex(VectorType::kFloat64, "[]"), "02");
  EXPECT_EQ(make_hex(VectorType::kFloat1Bit, "[1,-1,1,1,-1]"), "0D0B03");
  EXPECT_EQ(make_hex(VectorType::kFloat1Bit, "[0,0,0,0,0,0,0,0,0.5]"),
            "00010017"
            "03");
  // q(1) = trunc(1/alpha + 0.5) in f32 = trunc(127.49999 + 0.5) = 127.
  EXPECT_EQ(make_hex(VectorType::kFloat8, "[0,1,2]"), "007FFF008180003C00000000000104");
  // Turso builds this unreadable zero-length 8-bit vector too.
  EXPECT_EQ(make_hex(VectorType::kFloat8, "[]"), "0000000000000000000004");
  EXPECT_EQ(make_hex(VectorType::kFloat32Sparse, "[0,1.5,-0,2]"),
            "0000C03F"
            "00000040"
            "01000000"
            "03000000"
            "04000000"
            "09");
  EXPECT_EQ(make_hex(VectorType::kFloat32Sparse, "[]"), "0000000009");
}

TEST(VectorFunctions, ConstructorsConvertBlobs) {
  auto f64 = make(VectorType::kFloat64, SqlArg::text("[1,2]")).blob;
  EXPECT_EQ(to_hex(make(VectorType::kFloat32, SqlArg::blob(f64)).blob), "0000803F00000040");
  auto sparse = make(VectorType::kFloat32Sparse, SqlArg::blob(f64)).blob;
  EXPECT_EQ(extract(sparse), "[1,2]");
  EXPECT_EQ(extract(make(VectorType::kFloat1Bit, SqlArg::blob(sparse)).blob), "[1,1]");
}

TEST(VectorFunctions, ExtractEveryType) {
  EXPECT_EQ(extract(make(VectorType::kFloat32, SqlArg::text("[1.5, -0.1, 3]")).blob), "[1.5,-0.1,3]");
  EXPECT_EQ(extract(make(VectorType::kFloat64, SqlArg::text("[0.1]")).blob), "[0.1]");
  EXPECT_EQ(extract(make(VectorType::kFloat32, SqlArg::text("[0.1]")).blob), "[0.1]");
  // f32 0.1 widened to f64 prints its exact f64 value.
  auto w =
      make(VectorType::kFloat64, SqlArg::blob(make(VectorType::kFloat32, SqlArg::text("[0.1]")).blob)).blob;
  EXPECT_EQ(extract(w), "[0.10000000149011612]");
  EXPECT_EQ(extract(make(VectorType::kFloat1Bit, SqlArg::text("[3,-1,0]")).blob), "[1,-1,-1]");
  EXPECT_EQ(extract(make(VectorType::kFloat8, SqlArg::text("[0,1,2]")).blob), "[0,0.9960785,2]");
  EXPECT_EQ(extract(make(VectorType::kFloat32Sparse, SqlArg::text("[0,0,7]")).blob), "[0,0,7]");
  EXPECT_EQ(extract({}), "[]");
  RecordingSink out;
  EXPECT_EQ(fn_vector_extract(SqlArg::text("[1]"), out).message(), "Conversion error: Expected blob value");
  EXPECT_EQ(fn_vector_extract(SqlArg::null(), out).message(), "Conversion error: Expected blob value");
}

RecordingSink distance(Metric m, const SqlArg& a, const SqlArg& b, std::string* error = nullptr) {
  RecordingSink out;
  Status s = fn_vector_distance(m, a, b, out);
  if (error) {
    *error = std::string(s.message());
  } else {
    EXPECT_TRUE(s.ok()) << s.message();
  }
  return out;
}

TEST(VectorFunctions, DistancesOnTextAndBlobs) {
  auto d = distance(Metric::kCos, SqlArg::text("[1,2]"), SqlArg::text("[-1,-2]"));
  ASSERT_EQ(d.kind, RecordingSink::kDouble);
  EXPECT_NEAR(d.value, 2.0, 1e-12);
  auto blob = make(VectorType::kFloat32, SqlArg::text("[3,4]")).blob;
  d = distance(Metric::kL2, SqlArg::blob(blob), SqlArg::text("[0,0]"));
  EXPECT_DOUBLE_EQ(d.value, 5.0);
  d = distance(Metric::kDot, SqlArg::blob(blob), SqlArg::blob(blob));
  EXPECT_DOUBLE_EQ(d.value, -25.0);
  d = distance(Metric::kJaccard, SqlArg::text("[1,2]"), SqlArg::text("[2,1]"));
  EXPECT_DOUBLE_EQ(d.value, 0.5);
  auto b64 = make(VectorType::kFloat64, SqlArg::text("[3,4]")).blob;
  d = distance(Metric::kL2, SqlArg::blob(b64),
               SqlArg::blob(make(VectorType::kFloat64, SqlArg::text("[0,0]")).blob));
  EXPECT_DOUBLE_EQ(d.value, 5.0);
  // 1-bit cosine is the Hamming distance.
  auto x = make(VectorType::kFloat1Bit, SqlArg::text("[1,1,-1,-1]")).blob;
  auto y = make(VectorType::kFloat1Bit, SqlArg::text("[1,-1,1,-1]")).blob;
  EXPECT_EQ(distance(Metric::kCos, SqlArg::blob(x), SqlArg::blob(y)).value, 2.0);
  EXPECT_EQ(distance(Metric::kDot, SqlArg::blob(x), SqlArg::blob(y)).value, -0.0);
}

TEST(VectorFunctions, NanBecomesNull) {
  auto d = distance(Metric::kJaccard, SqlArg::text("[0,0]"), SqlArg::text("[0,0]"));
  EXPECT_EQ(d.kind, RecordingSink::kNull);
}

TEST(VectorFunctions, Errors) {
  std::string e;
  distance(Metric::kCos, SqlArg::text("[1,2]"), SqlArg::text("[1,2,3]"), &e);
  EXPECT_EQ(e, "Conversion error: Vectors must have the same dimensions");
  auto b64 = make(VectorType::kFloat64, SqlArg::text("[1,2]")).blob;
  distance(Metric::kCos, SqlArg::text("[1,2]"), SqlArg::blob(b64), &e);
  EXPECT_EQ(e, "Conversion error: Vectors must be of the same type");
  distance(Metric::kCos, SqlArg::null(), SqlArg::text("[1]"), &e);
  EXPECT_EQ(e, "Conversion error: Invalid vector type");
  distance(Metric::kCos, SqlArg::text("[1]"), SqlArg::int64(1), &e);
  EXPECT_EQ(e, "Conversion error: Invalid vector type");
  distance(Metric::kCos, SqlArg::real_value(1.5), SqlArg::text("[1]"), &e);
  EXPECT_EQ(e, "Conversion error: Invalid vector type");
  distance(Metric::kCos, SqlArg::text("[1,x]"), SqlArg::text("[1]"), &e);
  EXPECT_EQ(e, "Conversion error: Invalid vector value");
  auto bad = hex("000007");
  distance(Metric::kL2, SqlArg::blob(bad), SqlArg::text("[1]"), &e);
  EXPECT_EQ(e, "Conversion error: unknown vector type: 7");
  auto bits = make(VectorType::kFloat1Bit, SqlArg::text("[1]")).blob;
  distance(Metric::kL2, SqlArg::blob(bits), SqlArg::blob(bits), &e);
  EXPECT_EQ(e, "Conversion error: L2 distance is not supported for float1bit vectors");

  RecordingSink out;
  EXPECT_EQ(fn_make_vector(VectorType::kFloat1Bit, SqlArg::text("[]"), out).message(),
            "Conversion error: empty vector not supported for this type");
  EXPECT_EQ(fn_make_vector(VectorType::kFloat32, SqlArg::null(), out).message(),
            "Conversion error: Invalid vector type");
  EXPECT_EQ(fn_make_vector(VectorType::kFloat32, SqlArg::int64(3), out).message(),
            "Conversion error: Invalid vector type");
  EXPECT_EQ(fn_make_vector(VectorType::kFloat32, SqlArg::text("[1e40]"), out).message(),
            "Conversion error: Invalid vector value");
  EXPECT_EQ(fn_make_vector(VectorType::kFloat64, SqlArg::blob(bad), out).message(),
            "Conversion error: unknown vector type: 7");
}

TEST(VectorFunctions, ConcatAndSlice) {
  RecordingSink out;
  ASSERT_TRUE(fn_vector_concat(SqlArg::text("[1,2]"), SqlArg::text("[3]"), out).ok());
  EXPECT_EQ(extract(out.blob), "[1,2,3]");
  auto b64 = make(VectorType::kFloat64, SqlArg::text("[1,2]")).blob;
  EXPECT_EQ(fn_vector_concat(SqlArg::text("[1]"), SqlArg::blob(b64), out).message(),
            "Conversion error: Mismatched vector types");
  EXPECT_EQ(fn_vector_concat(SqlArg::null(), SqlArg::blob(b64), out).message(),
            "Conversion error: Invalid vector type");

  ASSERT_TRUE(fn_vector_slice(SqlArg::text("[1,2,3,4]"), SqlArg::int64(1), SqlArg::int64(3), out).ok());
  EXPECT_EQ(extract(out.blob), "[2,3]");
  EXPECT_EQ(fn_vector_slice(SqlArg::text("[1,2]"), SqlArg::text("1"), SqlArg::int64(2), out).message(),
            "Invalid argument supplied: start index must be an integer");
  EXPECT_EQ(fn_vector_slice(SqlArg::text("[1,2]"), SqlArg::int64(1), SqlArg::null(), out).message(),
            "Invalid argument supplied: end_index must be an integer");
  EXPECT_EQ(fn_vector_slice(SqlArg::text("[1,2]"), SqlArg::int64(-1), SqlArg::int64(1), out).message(),
            "Invalid argument supplied: start index and end_index must be non-negative");
  EXPECT_EQ(fn_vector_slice(SqlArg::text("[1,2]"), SqlArg::int64(0), SqlArg::int64(3), out).message(),
            "Conversion error: vector_slice range out of bounds");
}

TEST(VectorFunctions, TooBigSparseIsRefused) {
  // A 13-byte sparse blob claiming 4e9 dims cannot be densified.
  auto huge =
      hex("0000803F"
          "00000000"
          "00286BEE"
          "09");
  RecordingSink out;
  EXPECT_EQ(fn_make_vector(VectorType::kFloat32, SqlArg::blob(huge), out).code(), rc::kTooBig);
  EXPECT_EQ(fn_vector_extract(SqlArg::blob(huge), out).code(), rc::kTooBig);
}

}  // namespace
}  // namespace keel::vector

namespace keel::vector {
namespace {

// Random and mutated blobs through every function: each call either succeeds
// or fails with a Status, never reads outside its inputs (run under
// -DKEEL_SANITIZE=ON to check the latter).
TEST(VectorFunctions, MalformedBlobsNeverCrash) {
  std::mt19937 rng(1234);
  std::vector<std::vector<uint8_t>> seeds;
  for (VectorType t : {VectorType::kFloat32, VectorType::kFloat64, VectorType::kFloat1Bit,
                       VectorType::kFloat8, VectorType::kFloat32Sparse}) {
    RecordingSink s;
    ASSERT_TRUE(fn_make_vector(t, SqlArg::text("[1,0,-2,3.5,0,0,7,1,2]"), s).ok());
    seeds.push_back(s.blob);
  }
  int ok = 0, failed = 0;
  for (int iter = 0; iter < 5000; iter++) {
    std::vector<uint8_t> blob = seeds[rng() % seeds.size()];
    switch (rng() % 4) {
      case 0:  // flip bytes
        for (int k = 0; k < 3 && !blob.empty(); k++) blob[rng() % blob.size()] = static_cast<uint8_t>(rng());
        break;
      case 1:  // truncate
        if (!blob.empty()) blob.resize(rng() % blob.size());
        break;
      case 2:  // random bytes with a plausible tag
        blob.resize(rng() % 40);
        for (auto& b : blob) b = static_cast<uint8_t>(rng() % 8 == 0 ? rng() : rng() % 4);
        if (!blob.empty()) blob.back() = std::array<uint8_t, 6>{1, 2, 3, 4, 9, 5}[rng() % 6];
        break;
      default:  // small trailing-count byte changes
        if (blob.size() >= 2) blob[blob.size() - 2] = static_cast<uint8_t>(rng() % 64);
        break;
    }
    // Keep a sparse blob's dims below 2^16: a 13-byte blob may legitimately
    // claim 10^8 dims, and densifying that is slow, not wrong
    // (TooBigSparseIsRefused covers the limit).
    if (blob.size() >= 5 && blob.back() == 9) blob[blob.size() - 2] = blob[blob.size() - 3] = 0;
    // An exact, unaligned copy: any read past the end is outside the allocation.
    std::unique_ptr<uint8_t[]> exact(new uint8_t[blob.size() + 1]);
    std::memcpy(exact.get() + 1, blob.data(), blob.size());
    std::span<const uint8_t> b(exact.get() + 1, blob.size());
    RecordingSink out;
    auto count = [&](const Status& s) { s.ok() ? ok++ : failed++; };
    count(fn_vector_extract(SqlArg::blob(b), out));
    for (VectorType t : {VectorType::kFloat32, VectorType::kFloat64, VectorType::kFloat1Bit,
                         VectorType::kFloat8, VectorType::kFloat32Sparse})
      count(fn_make_vector(t, SqlArg::blob(b), out));
    for (Metric m : {Metric::kCos, Metric::kL2, Metric::kDot, Metric::kJaccard}) {
      count(fn_vector_distance(m, SqlArg::blob(b), SqlArg::blob(b), out));
    }
    count(fn_vector_concat(SqlArg::blob(b), SqlArg::blob(b), out));
    count(fn_vector_slice(SqlArg::blob(b), SqlArg::int64(0), SqlArg::int64(1), out));
  }
  EXPECT_GT(ok, 500);
  EXPECT_GT(failed, 500);
}

}  // namespace
}  // namespace keel::vector
