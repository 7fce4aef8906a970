// Vector text: parsing '[...]' and printing shortest round-trip decimals.
#include <gtest/gtest.h>

#include <cfloat>

#include "test_support.h"
#include "vector_text.h"

namespace keel::vector {
namespace {

std::string num(float v) {
  std::string s;
  append_number(s, v);
  return s;
}
std::string num(double v) {
  std::string s;
  append_number(s, v);
  return s;
}

TEST(VectorText, ParsesF32) {
  std::vector<float> v;
  ASSERT_TRUE(parse_text_f32("[1,2,3]", v).ok());
  EXPECT_EQ(v, (std::vector<float>{1, 2, 3}));
  ASSERT_TRUE(parse_text_f32("  [ 1.5 , -2e3,+.25, 5. ]\n", v).ok());
  EXPECT_EQ(v, (std::vector<float>{1.5f, -2000.0f, 0.25f, 5.0f}));
  ASSERT_TRUE(parse_text_f32("[]", v).ok());
  EXPECT_TRUE(v.empty());
  ASSERT_TRUE(parse_text_f32("[   ]", v).ok());
  EXPECT_TRUE(v.empty());
  // Correctly rounded to f32 directly (not via double).
  ASSERT_TRUE(parse_text_f32("[0.1]", v).ok());
  EXPECT_EQ(v[0], 0.1f);
  // Underflow rounds to zero, as Rust's parser does.
  ASSERT_TRUE(parse_text_f32("[1e-50]", v).ok());
  EXPECT_EQ(v[0], 0.0f);
}

TEST(VectorText, ParsesF64) {
  std::vector<double> v;
  ASSERT_TRUE(parse_text_f64("[0.1,1e300]", v).ok());
  EXPECT_EQ(v, (std::vector<double>{0.1, 1e300}));
}

TEST(VectorText, RejectsMalformed) {
  std::vector<float> v;
  for (const char* bad : {"",      "1,2",   "[1,2",  "1,2]",   "[",       "]",      "[1,,2]", "[1,]",
                          "[,1]",  "[a]",   "[1 2]", "[0x10]", "[inf]",   "[-inf]", "[NaN]",  "[1e39]",
                          "[--1]", "[+-1]", "[1e]",  "[.]",    "[1.2.3]", "[[1]]"}) {
    Status s = parse_text_f32(bad, v);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.message(), "Conversion error: Invalid vector value") << bad;
  }
  std::vector<double> d;
  EXPECT_FALSE(parse_text_f64("[1e309]", d).ok());
}

TEST(VectorText, ShortestPositionalDecimals) {
  EXPECT_EQ(num(1.0f), "1");
  EXPECT_EQ(num(-2.0f), "-2");
  EXPECT_EQ(num(0.1f), "0.1");
  EXPECT_EQ(num(1.1f), "1.1");
  EXPECT_EQ(num(-0.0f), "-0");
  EXPECT_EQ(num(1e-7f), "0.0000001");
  EXPECT_EQ(num(1e20f), "100000000000000000000");
  EXPECT_EQ(num(FLT_MAX), "340282350000000000000000000000000000000");
  EXPECT_EQ(num(0.3), "0.3");
  EXPECT_EQ(num(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(num(1e21), "1000000000000000000000");
  EXPECT_EQ(num(NAN), "NaN");
  EXPECT_EQ(num(INFINITY), "inf");
  EXPECT_EQ(num(-INFINITY), "-inf");
  // Round trip of random f32 values through their text.
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1e6f, 1e6f);
  for (int i = 0; i < 1000; i++) {
    float x = u(rng) * std::pow(10.0f, float(int(rng() % 20) - 10));
    std::vector<float> back;
    ASSERT_TRUE(parse_text_f32("[" + num(x) + "]", back).ok()) << num(x);
    EXPECT_EQ(back[0], x);
    EXPECT_EQ(num(x).find('e'), std::string::npos);
  }
}

TEST(VectorText, FormatsEveryType) {
  using testing::hex;
  EXPECT_EQ(format_text(testing::view_of(hex("0000803F00000040"))), "[1,2]");
  EXPECT_EQ(format_text(testing::view_of(hex("000000000000F03F9A9999999999B93F02"))), "[1,0.1]");
  EXPECT_EQ(format_text(testing::view_of(hex("0D0B03"))), "[1,-1,1,1,-1]");
  EXPECT_EQ(format_text(testing::view_of(hex("0080FF008180003C00000000000104"))), "[0,1.0039216,2]");
  EXPECT_EQ(format_text(testing::view_of(hex("0000C03F00000040010000000300000004000000"
                                             "09"))),
            "[0,1.5,0,2]");
}

}  // namespace
}  // namespace keel::vector
