// The Aead layer: AES-GCM known answers (OpenSSL wiring), round trips and
// forgeries for every cipher at many lengths, key-size and CPU errors, and
// cipher names/ids.
#include "cipher.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <random>
#include <vector>

#include "test_util.h"

namespace keel::crypto {
namespace {

using testing::hex;
using testing::unhex;

std::unique_ptr<Aead> aead_with_key(CipherId id, const std::vector<uint8_t>& key) {
  auto k = SecretKey::from_bytes(key);
  EXPECT_TRUE(k.ok());
  auto a = make_aead(id, std::move(k).value());
  EXPECT_TRUE(a.ok()) << a.status().to_string();
  return a.ok() ? std::move(a).value() : nullptr;
}

// McGrew & Viega GCM test cases 1, 2, 13 and 14 (all-zero key and IV).
TEST(AesGcm, KnownAnswers) {
  struct Case {
    CipherId id;
    size_t key_len;
    const char* pt;
    const char* ct;
    const char* tag;
  } cases[] = {
      {CipherId::kAes128Gcm, 16, "", "", "58e2fccefa7e3061367f1d57a4e7455a"},
      {CipherId::kAes128Gcm, 16, "00000000000000000000000000000000", "0388dace60b6a392f328c2b971b2fe78",
       "ab6e47d42cec13bdf53a67b21257bddf"},
      {CipherId::kAes256Gcm, 32, "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
      {CipherId::kAes256Gcm, 32, "00000000000000000000000000000000", "cea7403d4d606b6e074ec5d3baf39d18",
       "d0d1c8a799996bf0265b98b5d48ab919"},
  };
  for (const Case& c : cases) {
    auto a = aead_with_key(c.id, std::vector<uint8_t>(c.key_len, 0));
    ASSERT_NE(a, nullptr);
    uint8_t iv[12] = {};
    auto pt = unhex(c.pt);
    std::vector<uint8_t> ct(pt.size() + 1), tag(16);
    ASSERT_OK(a->encrypt(iv, {}, pt.data(), pt.size(), ct.data(), tag.data()));
    EXPECT_EQ(hex(ct.data(), pt.size()), c.ct);
    EXPECT_EQ(hex(tag), c.tag);
    std::vector<uint8_t> back(pt.size() + 1);
    ASSERT_OK(a->decrypt(iv, {}, ct.data(), pt.size(), back.data(), tag.data()));
    EXPECT_EQ(hex(back.data(), pt.size()), c.pt);
  }
}

class EveryCipher : public ::testing::TestWithParam<CipherInfo> {
 protected:
  void SetUp() override {
    Status s = check_cpu_support(GetParam().id);
    if (!s.ok()) GTEST_SKIP() << s.message();
  }
};

TEST_P(EveryCipher, RoundTripAndForgeryAtManyLengths) {
  const CipherInfo& info = GetParam();
  std::mt19937 rng(static_cast<uint32_t>(info.id));
  std::vector<uint8_t> key(info.key_bytes);
  for (auto& b : key) b = static_cast<uint8_t>(rng());
  auto a = aead_with_key(info.id, key);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->info().name, info.name);
  for (size_t n : {0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 1000, 4048, 4096}) {
    SCOPED_TRACE(n);
    std::vector<uint8_t> msg(n), ad(n % 37), nonce(info.nonce_bytes), ct(n), tag(info.tag_bytes), back(n);
    for (auto& b : msg) b = static_cast<uint8_t>(rng());
    for (auto& b : ad) b = static_cast<uint8_t>(rng());
    for (auto& b : nonce) b = static_cast<uint8_t>(rng());
    ASSERT_OK(a->encrypt(nonce.data(), ad, msg.data(), n, ct.data(), tag.data()));
    if (n >= 16) {
      EXPECT_NE(ct, msg);
    }
    ASSERT_OK(a->decrypt(nonce.data(), ad, ct.data(), n, back.data(), tag.data()));
    EXPECT_EQ(back, msg);
    // In place gives the same bytes.
    std::vector<uint8_t> inplace = msg, tag2(info.tag_bytes);
    ASSERT_OK(a->encrypt(nonce.data(), ad, inplace.data(), n, inplace.data(), tag2.data()));
    EXPECT_EQ(inplace, ct);
    EXPECT_EQ(tag2, tag);
    // Any flipped bit of ciphertext, tag, nonce or AD is refused and the
    // output is wiped.
    auto refused = [&](std::vector<uint8_t>& buf, size_t i) {
      buf[i] ^= 0x20;
      std::vector<uint8_t> out(n, 0x55);
      Status s = a->decrypt(nonce.data(), ad, ct.data(), n, out.data(), tag.data());
      buf[i] ^= 0x20;
      EXPECT_TRUE(s.is(rc::kCorrupt)) << s.to_string();
      EXPECT_EQ(out, std::vector<uint8_t>(n, 0));
    };
    if (n > 0) refused(ct, (n * 7) % n);
    refused(tag, n % info.tag_bytes);
    refused(nonce, n % info.nonce_bytes);
    if (!ad.empty()) refused(ad, ad.size() - 1);
  }
}

TEST_P(EveryCipher, WrongKeySizeIsAnError) {
  const CipherInfo& info = GetParam();
  auto k = SecretKey::from_bytes(std::vector<uint8_t>(info.key_bytes == 16 ? 32 : 16, 1));
  ASSERT_TRUE(k.ok());
  auto a = make_aead(info.id, std::move(k).value());
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), rc::kError);
  EXPECT_NE(a.status().message().find(std::string(info.name)), std::string_view::npos)
      << a.status().message();
}

INSTANTIATE_TEST_SUITE_P(All, EveryCipher, ::testing::ValuesIn(all_ciphers().begin(), all_ciphers().end()),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(Cipher, IdsAndNamesMatchTheFileFormat) {
  const std::pair<const char*, int> expected[] = {{"aes128gcm", 1},  {"aes256gcm", 2},  {"aegis256", 3},
                                                  {"aegis256x2", 4}, {"aegis256x4", 5}, {"aegis128l", 6},
                                                  {"aegis128x2", 7}, {"aegis128x4", 8}};
  for (auto [name, id] : expected) {
    const CipherInfo* c = cipher_by_name(name);
    ASSERT_NE(c, nullptr) << name;
    EXPECT_EQ(static_cast<int>(c->id), id);
    EXPECT_EQ(cipher_info(static_cast<uint8_t>(id)), c);
  }
  EXPECT_EQ(cipher_by_name("AEGIS-256"), cipher_info(CipherId::kAegis256));
  EXPECT_EQ(cipher_by_name("aes_256_gcm"), cipher_info(CipherId::kAes256Gcm));
  EXPECT_EQ(cipher_by_name("chacha20"), nullptr);
  EXPECT_EQ(cipher_info(uint8_t{0}), nullptr);
  EXPECT_EQ(cipher_info(uint8_t{9}), nullptr);
  EXPECT_FALSE(check_cpu_support(static_cast<CipherId>(42)).ok());
}

// The X4 variants need AVX-512F + VAES: on this CPU they either work (see
// the vectors) or fail with a message naming what is missing.
TEST(Cipher, CpuSupportMatchesCpuid) {
  __builtin_cpu_init();
  bool x4 =
      __builtin_cpu_supports("vaes") && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("aes");
  Status s = check_cpu_support(CipherId::kAegis128X4);
  EXPECT_EQ(s.ok(), x4);
  if (!s.ok()) {
    EXPECT_NE(s.message().find("aegis128x4"), std::string_view::npos);
    auto k = SecretKey::random(16);
    ASSERT_TRUE(k.ok());
    auto a = make_aead(CipherId::kAegis128X4, std::move(k).value());
    EXPECT_FALSE(a.ok());
  }
}

TEST(SecretKey, HexRandomAndCompare) {
  auto a = SecretKey::from_hex("000102030405060708090A0b0c0d0e0f");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(hex(a->data(), a->size()), "000102030405060708090a0b0c0d0e0f");
  EXPECT_FALSE(SecretKey::from_hex("0g").ok());
  EXPECT_FALSE(SecretKey::from_hex("abc").ok());
  EXPECT_FALSE(SecretKey::from_hex("").ok());
  auto b = SecretKey::from_bytes(unhex("000102030405060708090a0b0c0d0e0f"));
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(a->equals(*b));
  auto r1 = SecretKey::random(32), r2 = SecretKey::random(32);
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_FALSE(r1->equals(*r2));
  SecretKey moved = std::move(r1).value();
  EXPECT_EQ(moved.size(), 32u);
}

}  // namespace
}  // namespace keel::crypto
