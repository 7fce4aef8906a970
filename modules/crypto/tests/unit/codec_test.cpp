// The page codec: round trips for every cipher, format version and page
// size; the stored layout of page 1; fresh nonces; tampering, wrong keys,
// page swaps (version 1 detects them, version 0 — Turso's format — does
// not); the key-derivation block; inspect_header.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "aegis.h"
#include "encryption_codec.h"
#include "nonce_source.h"
#include "test_util.h"

namespace keel::crypto {
namespace {

using Bytes = std::vector<uint8_t>;

std::span<const std::byte> cb(const Bytes& b) { return std::as_bytes(std::span<const uint8_t>(b)); }
std::span<std::byte> wb(Bytes& b) { return std::as_writable_bytes(std::span<uint8_t>(b)); }

Bytes key_for(const CipherInfo& c, uint8_t seed) {
  Bytes k(c.key_bytes);
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(seed * 31 + i);
  return k;
}

std::unique_ptr<EncryptionCodec> make_codec(CipherId id, FormatVersion v, uint8_t seed = 1,
                                            std::optional<KdfParams> kdf = {}) {
  const CipherInfo* c = cipher_info(id);
  auto k = SecretKey::from_bytes(key_for(*c, seed));
  EXPECT_TRUE(k.ok());
  auto codec = EncryptionCodec::create({id, v, kdf}, std::move(k).value());
  EXPECT_TRUE(codec.ok()) << codec.status().to_string();
  return codec.ok() ? std::move(codec).value() : nullptr;
}

// A plausible plaintext page: random bytes, page 1 with an SQLite header
// (page size, reserved bytes) and zeros in 72..91, reserved tail zero.
Bytes plain_page(uint32_t page, size_t ps, uint8_t reserved, uint32_t seed) {
  std::mt19937 rng(seed * 7919 + page);
  Bytes p(ps);
  for (auto& b : p) b = static_cast<uint8_t>(rng());
  if (page == 1) {
    std::memcpy(p.data(), kSqliteMagic, 16);
    p[16] = ps == 65536 ? 0 : static_cast<uint8_t>(ps >> 8);
    p[17] = ps == 65536 ? 1 : static_cast<uint8_t>(ps);
    p[20] = reserved;
    std::memset(p.data() + kKdfOffset, 0, kKdfSize);
  }
  std::memset(p.data() + ps - reserved, 0, reserved);
  return p;
}

struct Param {
  CipherId id;
  FormatVersion version;
};

class CodecTest : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    Status s = check_cpu_support(GetParam().id);
    if (!s.ok()) GTEST_SKIP() << s.message();
  }
};

TEST_P(CodecTest, RoundTripsEveryPageSize) {
  auto codec = make_codec(GetParam().id, GetParam().version);
  ASSERT_NE(codec, nullptr);
  const CipherInfo& c = codec->cipher();
  EXPECT_EQ(codec->reserved_bytes(), c.nonce_bytes + 16);
  EXPECT_EQ(codec->name(),
            "crypto:" + std::string(c.name) + ":v" + std::to_string(static_cast<int>(GetParam().version)));
  for (size_t ps = 512; ps <= 65536; ps *= 2) {
    for (uint32_t pg : {1u, 2u, 3u, 1000u, 0xfffffffeu}) {
      SCOPED_TRACE(::testing::Message() << "page size " << ps << " page " << pg);
      Bytes in = plain_page(pg, ps, codec->reserved_bytes(), 1), enc(ps), out(ps, 0xaa);
      ASSERT_OK(codec->encode(pg, cb(in), wb(enc)));
      ASSERT_OK(codec->decode(pg, cb(enc), wb(out)));
      EXPECT_TRUE(out == in);
      // The payload really is encrypted: no long run of plaintext survives.
      size_t from = pg == 1 ? kHeaderSize : 0;
      EXPECT_NE(std::memcmp(enc.data() + from, in.data() + from, 64), 0);
      if (pg == 1) {
        EXPECT_EQ(std::memcmp(enc.data(), "Turso", 5), 0);
        EXPECT_EQ(enc[5], static_cast<uint8_t>(GetParam().version));
        EXPECT_EQ(enc[6], static_cast<uint8_t>(c.id));
        for (int i = 7; i < 16; ++i) EXPECT_EQ(enc[i], 0);
        EXPECT_EQ(std::memcmp(enc.data() + 16, in.data() + 16, 84), 0) << "header must stay plaintext";
      }
    }
  }
}

TEST_P(CodecTest, FreshNonceOnEveryWrite) {
  auto codec = make_codec(GetParam().id, GetParam().version);
  ASSERT_NE(codec, nullptr);
  size_t ps = 4096;
  Bytes in = plain_page(5, ps, codec->reserved_bytes(), 2), a(ps), b(ps);
  ASSERT_OK(codec->encode(5, cb(in), wb(a)));
  ASSERT_OK(codec->encode(5, cb(in), wb(b)));
  size_t nb = codec->cipher().nonce_bytes;
  EXPECT_NE(std::memcmp(a.data() + ps - nb, b.data() + ps - nb, nb), 0);
  EXPECT_NE(std::memcmp(a.data(), b.data(), 64), 0);
}

TEST_P(CodecTest, AnyFlippedByteIsRefusedNamingThePage) {
  auto codec = make_codec(GetParam().id, GetParam().version);
  ASSERT_NE(codec, nullptr);
  size_t ps = 1024;
  for (uint32_t pg : {1u, 9u}) {
    Bytes in = plain_page(pg, ps, codec->reserved_bytes(), 3), enc(ps), out(ps);
    ASSERT_OK(codec->encode(pg, cb(in), wb(enc)));
    for (size_t i = 0; i < ps; ++i) {
      enc[i] ^= 0x01;
      std::fill(out.begin(), out.end(), 0x77);
      Status s = codec->decode(pg, cb(enc), wb(out));
      enc[i] ^= 0x01;
      ASSERT_FALSE(s.ok()) << "page " << pg << " byte " << i;
      EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0; })) << "byte " << i;
      if (pg == 1) {
        EXPECT_EQ(s.code(), rc::kNotADb) << s.to_string();
        EXPECT_TRUE(s.message().starts_with("file is encrypted or is not a database")) << s.message();
      } else {
        EXPECT_EQ(s.code(), rc::kCorrupt) << s.to_string();
        EXPECT_NE(s.message().find("page 9 "), std::string_view::npos) << s.message();
      }
    }
  }
}

TEST_P(CodecTest, WrongKeyIsNotADatabase) {
  auto right = make_codec(GetParam().id, GetParam().version, 1);
  auto wrong = make_codec(GetParam().id, GetParam().version, 2);
  ASSERT_NE(right, nullptr);
  ASSERT_NE(wrong, nullptr);
  size_t ps = 4096;
  Bytes p1 = plain_page(1, ps, right->reserved_bytes(), 4),
        p4 = plain_page(4, ps, right->reserved_bytes(), 4);
  Bytes e1(ps), e4(ps), out(ps);
  ASSERT_OK(right->encode(1, cb(p1), wb(e1)));
  ASSERT_OK(right->encode(4, cb(p4), wb(e4)));
  Status s = wrong->decode(1, cb(e1), wb(out));
  EXPECT_EQ(s.code(), rc::kNotADb);
  EXPECT_EQ(s.message(), "file is encrypted or is not a database");
  s = wrong->decode(4, cb(e4), wb(out));
  EXPECT_EQ(s.code(), rc::kCorrupt);
  // A plaintext SQLite page 1 is refused too.
  s = right->decode(1, cb(p1), wb(out));
  EXPECT_EQ(s.code(), rc::kNotADb);
}

TEST_P(CodecTest, SwappedPages) {
  auto codec = make_codec(GetParam().id, GetParam().version);
  ASSERT_NE(codec, nullptr);
  size_t ps = 2048;
  Bytes p2 = plain_page(2, ps, codec->reserved_bytes(), 5), e2(ps), out(ps);
  ASSERT_OK(codec->encode(2, cb(p2), wb(e2)));
  Status s = codec->decode(3, cb(e2), wb(out));
  if (GetParam().version == FormatVersion::kKeel) {
    EXPECT_EQ(s.code(), rc::kCorrupt) << "version 1 binds the page number";
    EXPECT_NE(s.message().find("page 3 "), std::string_view::npos);
  } else {
    // Turso's format authenticates pages other than 1 without their number:
    // the copy decodes, silently, to page 2's content.
    ASSERT_OK(s);
    EXPECT_TRUE(out == p2);
  }
  // Page 1 is bound to its header in both versions: another page stored
  // at position 1 fails.
  EXPECT_EQ(codec->decode(1, cb(e2), wb(out)).code(), rc::kNotADb);
}

TEST_P(CodecTest, OtherCipherOrVersionIsRefusedClearly) {
  auto codec = make_codec(GetParam().id, GetParam().version);
  ASSERT_NE(codec, nullptr);
  FormatVersion other_v =
      GetParam().version == FormatVersion::kKeel ? FormatVersion::kTurso : FormatVersion::kKeel;
  auto other = make_codec(GetParam().id, other_v);
  ASSERT_NE(other, nullptr);
  size_t ps = 4096;
  Bytes p1 = plain_page(1, ps, 64, 6), e1(ps), out(ps);
  ASSERT_OK(other->encode(1, cb(p1), wb(e1)));
  Status s = codec->decode(1, cb(e1), wb(out));
  EXPECT_EQ(s.code(), rc::kNotADb);
  EXPECT_NE(s.message().find("format version"), std::string_view::npos) << s.message();
  CipherId other_id = GetParam().id == CipherId::kAes256Gcm ? CipherId::kAes128Gcm : CipherId::kAes256Gcm;
  auto gcm = make_codec(other_id, GetParam().version);
  ASSERT_NE(gcm, nullptr);
  ASSERT_OK(gcm->encode(1, cb(p1), wb(e1)));
  s = codec->decode(1, cb(e1), wb(out));
  EXPECT_EQ(s.code(), rc::kNotADb);
  EXPECT_NE(s.message().find(std::string(cipher_info(other_id)->name)), std::string_view::npos)
      << s.message();
}

std::vector<Param> all_params() {
  std::vector<Param> v;
  for (const CipherInfo& c : all_ciphers()) {
    v.push_back({c.id, FormatVersion::kTurso});
    v.push_back({c.id, FormatVersion::kKeel});
  }
  return v;
}

INSTANTIATE_TEST_SUITE_P(All, CodecTest, ::testing::ValuesIn(all_params()), [](const auto& p) {
  return std::string(cipher_info(p.param.id)->name) + "_v" +
         std::to_string(static_cast<int>(p.param.version));
});

TEST(Codec, KdfBlockIsStoredHiddenAndAdopted) {
  auto params = new_kdf_params(1, 8);
  ASSERT_TRUE(params.ok());
  auto with_kdf = make_codec(CipherId::kAegis256, FormatVersion::kKeel, 1, *params);
  auto raw_key = make_codec(CipherId::kAegis256, FormatVersion::kKeel, 1);
  ASSERT_NE(with_kdf, nullptr);
  ASSERT_NE(raw_key, nullptr);
  size_t ps = 4096;
  Bytes p1 = plain_page(1, ps, 48, 7), e1(ps), out(ps);
  ASSERT_OK(with_kdf->encode(1, cb(p1), wb(e1)));
  std::array<uint8_t, kKdfSize> block;
  write_kdf_block(*params, block);
  EXPECT_EQ(std::memcmp(e1.data() + kKdfOffset, block.data(), kKdfSize), 0);
  ASSERT_OK(with_kdf->decode(1, cb(e1), wb(out)));
  EXPECT_TRUE(out == p1) << "the decoded header shows zeros in 72..91";
  // Opened with the raw key, the codec learns the block from the file and
  // keeps writing it.
  EXPECT_FALSE(raw_key->kdf().has_value());
  ASSERT_OK(raw_key->decode(1, cb(e1), wb(out)));
  ASSERT_TRUE(raw_key->kdf().has_value());
  EXPECT_EQ(*raw_key->kdf(), *params);
  Bytes e1b(ps);
  ASSERT_OK(raw_key->encode(1, cb(out), wb(e1b)));
  EXPECT_EQ(std::memcmp(e1b.data() + kKdfOffset, block.data(), kKdfSize), 0);
  // The block is authenticated: altering the salt breaks page 1.
  e1[kKdfOffset] ^= 1;
  EXPECT_EQ(with_kdf->decode(1, cb(e1), wb(out)).code(), rc::kNotADb);
}

TEST(Codec, PassphraseKeyEndToEnd) {
  auto params = new_kdf_params(1, 8);
  ASSERT_TRUE(params.ok());
  size_t ps = 4096;
  Bytes p1 = plain_page(1, ps, 48, 8), e1(ps), out(ps);
  {
    auto key = derive_key("hunter2", *params, 32);
    ASSERT_TRUE(key.ok());
    auto codec =
        EncryptionCodec::create({CipherId::kAegis256, FormatVersion::kKeel, *params}, std::move(key).value());
    ASSERT_TRUE(codec.ok());
    ASSERT_OK((*codec)->encode(1, cb(p1), wb(e1)));
  }
  // Reopen: the salt comes from the stored header.
  auto info = inspect_header(e1);
  ASSERT_TRUE(info.ok());
  ASSERT_TRUE(info->has_value());
  ASSERT_TRUE((*info)->kdf.has_value());
  for (const char* pass : {"hunter2", "hunter3"}) {
    auto key = derive_key(pass, *(*info)->kdf, (*info)->cipher->key_bytes);
    ASSERT_TRUE(key.ok());
    auto codec = EncryptionCodec::create({(*info)->cipher->id, (*info)->version, (*info)->kdf},
                                         std::move(key).value());
    ASSERT_TRUE(codec.ok());
    Status s = (*codec)->decode(1, cb(e1), wb(out));
    if (std::string_view(pass) == "hunter2") {
      ASSERT_OK(s);
      EXPECT_TRUE(out == p1);
    } else {
      EXPECT_EQ(s.code(), rc::kNotADb);
    }
  }
}

// Turso's version-0 page layout built by hand from the raw cipher: the
// codec must read it (and so must Turso read what the codec writes, the
// layout being the same).
TEST(Codec, ReadsHandBuiltTursoPages) {
  if (!check_cpu_support(CipherId::kAegis256).ok()) GTEST_SKIP();
  const CipherInfo& c = *cipher_info(CipherId::kAegis256);
  Bytes key = key_for(c, 1);
  size_t ps = 4096, r = 48;
  Bytes p1 = plain_page(1, ps, r, 9), p2 = plain_page(2, ps, r, 9);
  Bytes e1(ps), e2(ps);
  // Page 1: stored header = "Turso" 0 3 zeros + bytes 16..99; AD = stored header.
  std::memcpy(e1.data(), "Turso", 5);
  e1[6] = 3;
  std::memcpy(e1.data() + 16, p1.data() + 16, 84);
  for (size_t i = 0; i < 32; ++i) e1[ps - 32 + i] = static_cast<uint8_t>(i);
  aegis::kAegis256.encrypt(key.data(), e1.data() + ps - 32, e1.data(), 100, p1.data() + 100, ps - 100 - r,
                           e1.data() + 100, e1.data() + ps - r, 16);
  // Page 2: everything but the reserved tail encrypted, no AD.
  for (size_t i = 0; i < 32; ++i) e2[ps - 32 + i] = static_cast<uint8_t>(100 + i);
  aegis::kAegis256.encrypt(key.data(), e2.data() + ps - 32, nullptr, 0, p2.data(), ps - r, e2.data(),
                           e2.data() + ps - r, 16);
  auto codec = make_codec(CipherId::kAegis256, FormatVersion::kTurso, 1);
  ASSERT_NE(codec, nullptr);
  Bytes out(ps);
  ASSERT_OK(codec->decode(1, cb(e1), wb(out)));
  EXPECT_TRUE(out == p1);
  ASSERT_OK(codec->decode(2, cb(e2), wb(out)));
  EXPECT_TRUE(out == p2);
  // And the codec's own page 1 has exactly that layout: decrypting it by
  // hand with the stored header as AD gives the payload back.
  Bytes mine(ps), payload(ps - 100 - r);
  ASSERT_OK(codec->encode(1, cb(p1), wb(mine)));
  ASSERT_TRUE(aegis::kAegis256.decrypt(key.data(), mine.data() + ps - 32, mine.data(), 100, mine.data() + 100,
                                       ps - 100 - r, payload.data(), mine.data() + ps - r, 16));
  EXPECT_EQ(std::memcmp(payload.data(), p1.data() + 100, payload.size()), 0);
}

TEST(InspectHeader, ReadsThePlaintextHeader) {
  auto params = new_kdf_params(1, 8);
  ASSERT_TRUE(params.ok());
  auto codec = make_codec(CipherId::kAes256Gcm, FormatVersion::kTurso, 1, *params);
  ASSERT_NE(codec, nullptr);
  size_t ps = 65536;
  Bytes p1 = plain_page(1, ps, 28, 10), e1(ps);
  ASSERT_OK(codec->encode(1, cb(p1), wb(e1)));
  auto info = inspect_header(std::span<const uint8_t>(e1.data(), 100));
  ASSERT_TRUE(info.ok());
  ASSERT_TRUE(info->has_value());
  EXPECT_EQ((*info)->version, FormatVersion::kTurso);
  EXPECT_EQ((*info)->cipher->id, CipherId::kAes256Gcm);
  EXPECT_EQ((*info)->page_size, 65536u);
  EXPECT_EQ((*info)->reserved_bytes, 28);
  EXPECT_EQ((*info)->kdf, *params);
  // Not encrypted: a plain header or an empty file.
  auto plain = inspect_header(std::span<const uint8_t>(p1.data(), 100));
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->has_value());
  auto empty = inspect_header({});
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->has_value());
  // Unknown cipher, version, flags, too few reserved bytes.
  for (auto [off, val] : {std::pair<size_t, uint8_t>{6, 9}, {5, 2}, {9, 1}, {20, 27}}) {
    Bytes bad(e1.begin(), e1.begin() + 100);
    bad[off] = val;
    auto r = inspect_header(bad);
    ASSERT_FALSE(r.ok()) << off;
    EXPECT_EQ(r.status().code(), rc::kNotADb);
  }
}

TEST(NonceSource, NoRepeatsAcrossManyDraws) {
  std::set<Bytes> seen;
  for (int i = 0; i < 20000; ++i) {
    Bytes n(16);
    fill_nonce(n.data(), n.size());
    EXPECT_TRUE(seen.insert(n).second) << "repeated nonce at draw " << i;
  }
}

// A forked child must not hand out the nonces still pooled in its parent.
TEST(NonceSource, ForkedChildDoesNotReuseParentPool) {
  Bytes warm(32);
  fill_nonce(warm.data(), warm.size());  // the pool is now filled
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    uint8_t n[32];
    fill_nonce(n, sizeof n);
    ssize_t w = write(fds[1], n, sizeof n);
    _exit(w == static_cast<ssize_t>(sizeof n) ? 0 : 1);
  }
  close(fds[1]);
  Bytes child(32), parent(32);
  ASSERT_EQ(read(fds[0], child.data(), child.size()), 32);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  fill_nonce(parent.data(), parent.size());
  EXPECT_NE(child, parent);
}

// One codec shared by several connections' threads (the PageCodec contract
// asks for thread-safety): AES-GCM serializes its OpenSSL contexts, AEGIS
// has no shared state, the KDF block has its mutex.
TEST(Codec, ConcurrentUseFromManyThreads) {
  for (CipherId id : {CipherId::kAes256Gcm, CipherId::kAegis256}) {
    auto params = new_kdf_params(1, 8);
    ASSERT_TRUE(params.ok());
    auto codec = make_codec(id, FormatVersion::kKeel, 3, *params);
    ASSERT_NE(codec, nullptr);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        size_t ps = 4096;
        Bytes enc(ps), out(ps);
        for (uint32_t i = 0; i < 300; ++i) {
          uint32_t pg = 1 + (i % 5) + 5 * static_cast<uint32_t>(t);
          Bytes in = plain_page(pg, ps, codec->reserved_bytes(), i);
          if (!codec->encode(pg, cb(in), wb(enc)).ok() || !codec->decode(pg, cb(enc), wb(out)).ok() ||
              out != in) {
            ++failures;
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
  }
}

}  // namespace
}  // namespace keel::crypto
