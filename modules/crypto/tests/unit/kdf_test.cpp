// Argon2id passphrase keys and the on-disk key-derivation block.
#include "kdf.h"

#include <gtest/gtest.h>

#include <array>

#include "test_util.h"

namespace keel::crypto {
namespace {

// Cheap parameters keep the tests fast; the defaults are exercised once.
constexpr uint8_t kOps = 1;
constexpr uint16_t kMemMib = 8;

TEST(Kdf, DeterministicPerPassphraseAndSalt) {
  auto p = new_kdf_params(kOps, kMemMib);
  ASSERT_TRUE(p.ok());
  auto k1 = derive_key("correct horse", *p, 32);
  auto k2 = derive_key("correct horse", *p, 32);
  auto k3 = derive_key("correct horsf", *p, 32);
  ASSERT_TRUE(k1.ok() && k2.ok() && k3.ok());
  EXPECT_EQ(k1->size(), 32u);
  EXPECT_TRUE(k1->equals(*k2));
  EXPECT_FALSE(k1->equals(*k3));
  auto q = new_kdf_params(kOps, kMemMib);
  ASSERT_TRUE(q.ok());
  EXPECT_NE(p->salt, q->salt);
  auto k4 = derive_key("correct horse", *q, 32);
  ASSERT_TRUE(k4.ok());
  EXPECT_FALSE(k1->equals(*k4));
  // Cost parameters are part of the derivation.
  KdfParams r = *p;
  r.opslimit = 2;
  auto k5 = derive_key("correct horse", r, 32);
  ASSERT_TRUE(k5.ok());
  EXPECT_FALSE(k1->equals(*k5));
  auto k16 = derive_key("correct horse", *p, 16);
  ASSERT_TRUE(k16.ok());
  EXPECT_EQ(k16->size(), 16u);
}

TEST(Kdf, DefaultParameters) {
  auto p = new_kdf_params();
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->opslimit, 3);
  EXPECT_EQ(p->memlimit_mib, 64);
  auto k = derive_key("pass", *p, 32);
  ASSERT_TRUE(k.ok()) << k.status().to_string();
}

TEST(Kdf, RejectsOutOfRangeParameters) {
  KdfParams p;
  p.opslimit = 0;
  EXPECT_FALSE(derive_key("x", p, 32).ok());
  p.opslimit = 1;
  p.memlimit_mib = 0;
  EXPECT_FALSE(derive_key("x", p, 32).ok());
}

TEST(KdfBlock, RoundTripAndZero) {
  auto p = new_kdf_params(7, 300);
  ASSERT_TRUE(p.ok());
  std::array<uint8_t, kKdfSize> block{};
  auto none = read_kdf_block(block);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  write_kdf_block(*p, block);
  EXPECT_EQ(block[16], kKdfArgon2id13);
  EXPECT_EQ(block[17], 7);
  EXPECT_EQ(block[18], 300 >> 8);
  EXPECT_EQ(block[19], 300 & 0xff);
  auto back = read_kdf_block(block);
  ASSERT_TRUE(back.ok());
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ(**back, *p);
  block[16] = 9;
  auto bad = read_kdf_block(block);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), rc::kNotADb);
  block[16] = kKdfArgon2id13;
  block[17] = 0;
  EXPECT_FALSE(read_kdf_block(block).ok());
}

}  // namespace
}  // namespace keel::crypto
