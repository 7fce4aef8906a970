#include "base/varint.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "base/bytes.h"

namespace keel {
namespace {

TEST(Varint, KnownEncodings) {
  struct Case {
    uint64_t value;
    std::vector<uint8_t> bytes;
  };
  const Case cases[] = {
      {0, {0x00}},
      {127, {0x7f}},
      {128, {0x81, 0x00}},
      {16383, {0xff, 0x7f}},
      {16384, {0x81, 0x80, 0x00}},
      {0xffffffffffffffffull, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
      {0x0100000000000000ull, {0x80, 0xc0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}},
  };
  for (const auto& c : cases) {
    uint8_t buf[kMaxVarintLen];
    int n = put_varint(buf, c.value);
    ASSERT_EQ(n, static_cast<int>(c.bytes.size())) << c.value;
    EXPECT_EQ(std::vector<uint8_t>(buf, buf + n), c.bytes) << c.value;
    EXPECT_EQ(varint_len(c.value), n);
    uint64_t back = 0;
    EXPECT_EQ(get_varint(buf, &back), n);
    EXPECT_EQ(back, c.value);
  }
}

TEST(Varint, RoundTripRandom) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 100000; i++) {
    uint64_t v = rng() >> (rng() % 64);
    uint8_t buf[kMaxVarintLen];
    int n = put_varint(buf, v);
    ASSERT_EQ(n, varint_len(v));
    uint64_t back = 0;
    ASSERT_EQ(get_varint(buf, &back), n);
    ASSERT_EQ(back, v);
    ASSERT_EQ(get_varint_bounded(buf, buf + n, &back), n);
    ASSERT_EQ(back, v);
    if (n > 1) {
      EXPECT_EQ(get_varint_bounded(buf, buf + n - 1, &back), 0);
    }
  }
}

TEST(Bytes, BigEndian) {
  uint8_t b[8];
  put_u32(b, 0x01020304);
  EXPECT_EQ(b[0], 1);
  EXPECT_EQ(b[3], 4);
  EXPECT_EQ(get_u32(b), 0x01020304u);
  put_u16(b, 0xabcd);
  EXPECT_EQ(get_u16(b), 0xabcd);
  put_u64(b, 0x0102030405060708ull);
  EXPECT_EQ(get_u64(b), 0x0102030405060708ull);
}

}  // namespace
}  // namespace keel
