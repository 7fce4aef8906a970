// setup_codec: choosing cipher, version and key from user settings and the
// file's plaintext header; and a passphrase-keyed database end to end
// through the pager (what PRAGMA key will do).
#include "codec_setup.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "storage/btree/btree.h"
#include "storage/pager/pager.h"
#include "test_util.h"

namespace keel::crypto {
namespace {

using Bytes = std::vector<uint8_t>;

// Cheap Argon2 costs keep the tests fast.
KeyConfig pass(std::string_view p, std::string_view cipher = {}) {
  KeyConfig c;
  c.passphrase = p;
  c.cipher = cipher;
  c.kdf_opslimit = 1;
  c.kdf_memlimit_mib = 8;
  return c;
}
KeyConfig hexkey(std::string_view h, std::string_view cipher = {}) {
  KeyConfig c;
  c.hexkey = h;
  c.cipher = cipher;
  return c;
}

// Page 1 of a new database as `setup` would store it.
Bytes stored_page1(EncryptionCodec& codec, size_t ps = 4096) {
  Bytes plain(ps, 0), enc(ps);
  std::memcpy(plain.data(), kSqliteMagic, 16);
  plain[16] = static_cast<uint8_t>(ps >> 8);
  plain[17] = static_cast<uint8_t>(ps);
  plain[20] = codec.reserved_bytes();
  EXPECT_TRUE(codec
                  .encode(1, std::as_bytes(std::span<const uint8_t>(plain)),
                          std::as_writable_bytes(std::span<uint8_t>(enc)))
                  .ok());
  return enc;
}

Status decode1(EncryptionCodec& codec, const Bytes& enc) {
  Bytes out(enc.size());
  return codec.decode(1, std::as_bytes(std::span<const uint8_t>(enc)),
                      std::as_writable_bytes(std::span<uint8_t>(out)));
}

const char* kHex256 = "2d7a30108d3eb3e45c90a732041fe54778bdcf707c76749fab7da335d1b39c1d";
const char* kHex128 = "2d7a30108d3eb3e45c90a732041fe547";

TEST(SetupCodec, NewFileDefaultsAndFileDecidesOnReopen) {
  auto s = setup_codec({}, hexkey(kHex256));
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->page_size, 0u);
  EXPECT_EQ(s->codec->cipher().id, CipherId::kAegis256);
  EXPECT_EQ(s->codec->version(), FormatVersion::kKeel);
  Bytes p1 = stored_page1(*s->codec, 8192);
  // Reopen without naming the cipher: the file says aegis256, version 1.
  auto r = setup_codec(p1, hexkey(kHex256));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->page_size, 8192u);
  ASSERT_OK(decode1(*r->codec, p1));
  // Naming another cipher is refused with both names.
  auto other = setup_codec(p1, hexkey(kHex256, "aes256gcm"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), rc::kNotADb);
  EXPECT_NE(other.status().message().find("aegis256"), std::string_view::npos);
  EXPECT_NE(other.status().message().find("aes256gcm"), std::string_view::npos);
  // A passphrase cannot open a raw-key file.
  auto pw = setup_codec(p1, pass("secret"));
  ASSERT_FALSE(pw.ok());
  EXPECT_NE(pw.status().message().find("hexkey"), std::string_view::npos);
}

TEST(SetupCodec, TursoVersionAndCipherForNewFiles) {
  KeyConfig c = hexkey(kHex128, "AEGIS-128L");
  c.version = FormatVersion::kTurso;
  auto s = setup_codec({}, c);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->codec->cipher().id, CipherId::kAegis128L);
  EXPECT_EQ(s->codec->version(), FormatVersion::kTurso);
  Bytes p1 = stored_page1(*s->codec);
  EXPECT_EQ(p1[5], 0);
  EXPECT_EQ(p1[6], 6);
  auto r = setup_codec(p1, hexkey(kHex128));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->codec->version(), FormatVersion::kTurso);
  ASSERT_OK(decode1(*r->codec, p1));
}

TEST(SetupCodec, PassphraseSaltTravelsInTheHeader) {
  auto s = setup_codec(Bytes(100, 0), pass("correct horse", "aes256gcm"));
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  ASSERT_TRUE(s->codec->kdf().has_value());
  Bytes p1 = stored_page1(*s->codec);
  auto good = setup_codec(p1, pass("correct horse"));
  ASSERT_TRUE(good.ok()) << good.status().to_string();
  ASSERT_OK(decode1(*good->codec, p1));
  auto bad = setup_codec(p1, pass("correct horsE"));
  ASSERT_TRUE(bad.ok());  // the key is only wrong, which page 1 reveals
  Status st = decode1(*bad->codec, p1);
  EXPECT_EQ(st.code(), rc::kNotADb);
  EXPECT_EQ(st.message(), "file is encrypted or is not a database");
  // Two new databases with one passphrase get different salts, so
  // different keys.
  auto s2 = setup_codec({}, pass("correct horse", "aes256gcm"));
  ASSERT_TRUE(s2.ok());
  EXPECT_NE(s2->codec->kdf()->salt, s->codec->kdf()->salt);
}

TEST(SetupCodec, Errors) {
  EXPECT_EQ(setup_codec({}, KeyConfig{}).status().code(), rc::kMisuse);
  KeyConfig both = hexkey(kHex256);
  both.passphrase = "x";
  EXPECT_EQ(setup_codec({}, both).status().code(), rc::kMisuse);
  EXPECT_EQ(setup_codec({}, hexkey(kHex256, "rot13")).status().code(), rc::kError);
  auto short_key = setup_codec({}, hexkey(kHex128, "aegis256"));
  ASSERT_FALSE(short_key.ok());
  EXPECT_NE(short_key.status().message().find("64-hex-digit"), std::string_view::npos);
  EXPECT_FALSE(setup_codec({}, hexkey("zz")).ok());
  Bytes plain(100, 0);
  std::memcpy(plain.data(), kSqliteMagic, 16);
  auto p = setup_codec(plain, hexkey(kHex256));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), rc::kNotADb);
  EXPECT_NE(p.status().message().find("not encrypted"), std::string_view::npos);
  Bytes junk(100, 0x41);
  EXPECT_EQ(setup_codec(junk, hexkey(kHex256)).status().code(), rc::kNotADb);
}

// PRAGMA key's path: a passphrase database written through the pager,
// reopened by reading its header for the salt and page size.
TEST(SetupCodec, PassphraseDatabaseThroughThePager) {
  char tmpl[] = "/tmp/keel_crypto_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl, path = dir + "/pw.db";
  auto first_bytes = [&] {
    std::ifstream f(path, std::ios::binary);
    Bytes b(100, 0);
    f.read(reinterpret_cast<char*>(b.data()), 100);
    b.resize(static_cast<size_t>(f.gcount()));
    return b;
  };
  storage::PageNo root = 0;
  {
    auto s = setup_codec(first_bytes(), pass("open sesame"));
    ASSERT_TRUE(s.ok()) << s.status().to_string();
    storage::PagerOptions o;
    o.codec = s->codec.get();
    o.page_size = 2048;
    auto pager = storage::Pager::open(path, o);
    ASSERT_TRUE(pager.ok());
    auto bt = std::move(storage::Btree::open(**pager)).value();
    ASSERT_OK(bt->begin_write());
    root = *bt->create_table(storage::TreeKind::kTable);
    storage::BtCursor t(*bt, root, true);
    for (int64_t r = 1; r <= 100; ++r) {
      std::string v = "row " + std::to_string(r);
      ASSERT_OK(t.insert(r, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(v.data()), v.size())));
    }
    ASSERT_OK(bt->commit());
  }
  for (const char* pw : {"open sesame", "open says me"}) {
    auto s = setup_codec(first_bytes(), pass(pw));
    ASSERT_TRUE(s.ok()) << s.status().to_string();
    EXPECT_EQ(s->page_size, 2048u);
    storage::PagerOptions o;
    o.codec = s->codec.get();
    o.page_size = s->page_size;
    auto pager = storage::Pager::open(path, o);
    if (std::string_view(pw) != "open sesame") {
      ASSERT_FALSE(pager.ok());
      EXPECT_EQ(pager.status().message(), "file is encrypted or is not a database");
      continue;
    }
    ASSERT_TRUE(pager.ok()) << pager.status().to_string();
    auto bt = std::move(storage::Btree::open(**pager)).value();
    ASSERT_OK(bt->begin_read());
    storage::BtCursor c(*bt, root, false);
    auto count = c.count();
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(*count, 100);
    bt->end_read();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace keel::crypto
