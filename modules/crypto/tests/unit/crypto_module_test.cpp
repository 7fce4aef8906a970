// The crypto module loaded by the kernel (keel_crypto.so, feature flag
// `encryption`) through the public C++ API: keys from the URI and from
// pragmas, passphrases, both journal modes, the Turso format switch, and the
// errors for a missing or wrong key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "keel/database.hpp"
#include "scratch_database.h"

namespace {

namespace fs = std::filesystem;

constexpr const char* kHex256 = "2d7a30108d3eb3e45c90a732041fe54778bdcf707c76749fab7da335d1b39c1d";
constexpr const char* kHex128 = "2d7a30108d3eb3e45c90a732041fe547";

keel::Options encryption() {
  keel::Options o;
  o.module_path = {KEEL_CRYPTO_MODULE_DIR};
  o.experimental = {"encryption"};
  return o;
}

class CryptoModule : public keel::crypto::testing::ScratchDatabase {
 protected:
  CryptoModule() : ScratchDatabase("e.db") {}
};

std::string scalar(keel::Connection& c, std::string_view sql) {
  auto st = c.prepare(sql);
  if (!st.ok()) return "error: " + std::string(st.status().message());
  auto r = st->step();
  if (!r.ok()) return "error: " + std::string(r.status().message());
  if (!*r) return "";
  if (st->column_is_null(0)) return "NULL";
  return std::string(st->column_text(0));
}

void fill(keel::Connection& c) {
  ASSERT_TRUE(
      c.exec("CREATE TABLE secret(id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX sv ON secret(v)").ok());
  ASSERT_TRUE(c.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) "
                     "INSERT INTO secret(v) SELECT 'canary-' || i || '-' || hex(randomblob(40)) FROM n")
                  .ok());
}

void expect_data(keel::Connection& c) {
  EXPECT_EQ(scalar(c, "SELECT count(*) FROM secret"), "400");
  EXPECT_EQ(scalar(c, "SELECT substr(v, 1, 10) FROM secret WHERE id = 123"), "canary-123");
  EXPECT_EQ(scalar(c, "PRAGMA integrity_check"), "ok");
}

TEST_F(CryptoModule, UriKeyRoundTripAndRefusals) {
  std::string good = uri(std::string("cipher=aegis256&hexkey=") + kHex256);
  {
    auto db = keel::Database::open(good, encryption());
    ASSERT_TRUE(db.ok()) << db.status().message();
    auto c = (*db)->connect();
    ASSERT_TRUE(c.ok());
    fill(*c);
    expect_data(*c);
  }
  std::string file = bytes();
  EXPECT_EQ(file.substr(0, 5), "Turso");
  EXPECT_EQ(file[5], 1) << "Keel's format by default";
  EXPECT_EQ(file[6], 3) << "aegis256";
  EXPECT_EQ(file.find("canary-"), std::string::npos) << "plaintext reached the file";
  {
    auto db = keel::Database::open(good, encryption());
    ASSERT_TRUE(db.ok()) << db.status().message();
    auto c = (*db)->connect();
    ASSERT_TRUE(c.ok());
    expect_data(*c);
  }
  // Without the key (with or without the feature), with a wrong key, with
  // another cipher: refused, never garbage.
  for (const auto& [u, opts] : std::vector<std::pair<std::string, keel::Options>>{
           {path_, keel::Options{}},
           {path_, encryption()},
           {uri(std::string("cipher=aegis256&hexkey=") + std::string(63, '0') + "1"), encryption()},
           {uri(std::string("hexkey=") + std::string(63, '0') + "1"), encryption()},
           {uri(std::string("cipher=aes256gcm&hexkey=") + kHex256), encryption()}}) {
    SCOPED_TRACE(u);
    auto db = keel::Database::open(u, opts);
    ASSERT_FALSE(db.ok());
    EXPECT_EQ(keel::rc::primary(db.status().code()), keel::rc::kNotADb) << db.status().message();
    EXPECT_NE(std::string(db.status().message()).find("encrypted"), std::string::npos)
        << db.status().message();
  }
}

TEST_F(CryptoModule, WalFramesAreEncrypted) {
  std::string good = uri(std::string("cipher=aegis128l&hexkey=") + kHex128);
  {
    auto db = keel::Database::open(good, encryption());
    ASSERT_TRUE(db.ok()) << db.status().message();
    auto c = (*db)->connect();
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(scalar(*c, "PRAGMA journal_mode=wal"), "wal");
    fill(*c);
    std::string wal = bytes("-wal");
    EXPECT_GT(wal.size(), 4096u);
    EXPECT_EQ(wal.find("canary-"), std::string::npos) << "plaintext in a WAL frame";
    // A second connection reads through the WAL with its own codec.
    auto c2 = (*db)->connect();
    ASSERT_TRUE(c2.ok());
    expect_data(*c2);
  }
  auto db = keel::Database::open(good, encryption());
  ASSERT_TRUE(db.ok()) << db.status().message();
  auto c = (*db)->connect();
  ASSERT_TRUE(c.ok());
  expect_data(*c);
}

TEST_F(CryptoModule, PragmaCipherAndHexkeyForANewDatabase) {
  {
    auto db = keel::Database::open(path_, encryption());
    ASSERT_TRUE(db.ok()) << db.status().message();
    auto c = (*db)->connect();
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->exec("PRAGMA cipher = 'aes256gcm'").ok());
    EXPECT_EQ(scalar(*c, "PRAGMA cipher"), "aes256gcm");
    auto st = c->exec(std::string("PRAGMA hexkey = '") + kHex256 + "'");
    ASSERT_TRUE(st.ok()) << st.message();
    fill(*c);
    // Too late for another key now.
    auto late = c->exec(std::string("PRAGMA hexkey = '") + kHex256 + "'");
    EXPECT_FALSE(late.ok());
  }
  EXPECT_EQ(bytes()[6], 2) << "aes256gcm";
  auto db = keel::Database::open(uri(std::string("hexkey=") + kHex256), encryption());
  ASSERT_TRUE(db.ok()) << db.status().message();
  auto c = (*db)->connect();
  ASSERT_TRUE(c.ok());
  expect_data(*c);
}

TEST_F(CryptoModule, PassphraseFromPragmaThenUri) {
  {
    auto db = keel::Database::open(path_, encryption());
    ASSERT_TRUE(db.ok()) << db.status().message();
    auto c = (*db)->connect();
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->exec("PRAGMA key = 'correct horse battery staple'").ok());
    fill(*c);
  }
  std::string file = bytes();
  EXPECT_EQ(file.find("correct horse"), std::string::npos);
  EXPECT_EQ(static_cast<uint8_t>(file[88]), 1) << "Argon2id block in bytes 72..91";
  {
    auto db = keel::Database::open(uri("key=correct%20horse%20battery%20staple"), encryption());
    ASSERT_TRUE(db.ok()) << db.status().message();
    auto c = (*db)->connect();
    ASSERT_TRUE(c.ok());
    expect_data(*c);
  }
  auto bad = keel::Database::open(uri("key=wrong"), encryption());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(std::string(bad.status().message()), "file is encrypted or is not a database");
}

TEST_F(CryptoModule, TursoFormatOnRequest) {
  std::string u = uri(std::string("cipher=aegis256&hexkey=") + kHex256 + "&encryption_format=turso");
  {
    auto db = keel::Database::open(u, encryption());
    ASSERT_TRUE(db.ok()) << db.status().message();
    auto c = (*db)->connect();
    ASSERT_TRUE(c.ok());
    fill(*c);
  }
  EXPECT_EQ(bytes()[5], 0);
  // The file says version 0; reopening needs no format parameter.
  auto db = keel::Database::open(uri(std::string("cipher=aegis256&hexkey=") + kHex256), encryption());
  ASSERT_TRUE(db.ok()) << db.status().message();
  auto c = (*db)->connect();
  ASSERT_TRUE(c.ok());
  expect_data(*c);
}

// The feature on, no key: plain SQLite files as usual; a key given for an
// existing plain file is refused (encrypting it would be a rekey).
TEST_F(CryptoModule, PlainDatabasesStayPlain) {
  {
    auto db = keel::Database::open(path_, encryption());
    ASSERT_TRUE(db.ok()) << db.status().message();
    auto c = (*db)->connect();
    ASSERT_TRUE(c.ok());
    fill(*c);
  }
  EXPECT_EQ(bytes().substr(0, 15), "SQLite format 3");
  auto keyed = keel::Database::open(uri(std::string("hexkey=") + kHex256), encryption());
  ASSERT_FALSE(keyed.ok());
  EXPECT_NE(std::string(keyed.status().message()).find("not encrypted"), std::string::npos)
      << keyed.status().message();
  auto db = keel::Database::open(path_, encryption());
  ASSERT_TRUE(db.ok());
  auto c = (*db)->connect();
  ASSERT_TRUE(c.ok());
  expect_data(*c);
}

}  // namespace
