// PRAGMA rekey / rehexkey through the loaded module: re-encryption under a
// new key for every cipher, a change of cipher, encryption of a plain
// database, the refusals, and a rekey killed (SIGKILL) at random moments,
// after which the database must open, complete, with the old key or with the
// new one.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>

#include "keel/database.hpp"
#include "scratch_database.h"

namespace {

namespace fs = std::filesystem;

struct CipherCase {
  const char* name;
  size_t key_bytes;
};
constexpr CipherCase kCiphers[] = {{"aes128gcm", 16},  {"aes256gcm", 32},  {"aegis256", 32},
                                   {"aegis256x2", 32}, {"aegis256x4", 32}, {"aegis128l", 16},
                                   {"aegis128x2", 16}, {"aegis128x4", 16}};

std::string hex_key(size_t bytes, int seed) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < bytes * 2; i++) s += digits[(i * 7 + static_cast<size_t>(seed) * 5 + 3) % 16];
  return s;
}

keel::Options encryption() {
  keel::Options o;
  o.module_path = {KEEL_CRYPTO_MODULE_DIR};
  o.experimental = {"encryption"};
  return o;
}

std::string scalar(keel::Connection& c, std::string_view sql) {
  auto st = c.prepare(sql);
  if (!st.ok()) return "error: " + std::string(st.status().message());
  auto r = st->step();
  if (!r.ok()) return "error: " + std::string(r.status().message());
  if (!*r) return "";
  if (st->column_is_null(0)) return "NULL";
  return std::string(st->column_text(0));
}

class Rekey : public keel::crypto::testing::ScratchDatabase {
 protected:
  Rekey() : ScratchDatabase("r.db") {}
  void reset_files() {
    for (const char* s : {"", "-journal", "-wal", "-shm"}) fs::remove(path_ + s);
  }
};

void fill(keel::Connection& c, int rows) {
  ASSERT_TRUE(
      c.exec("CREATE TABLE secret(id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX sv ON secret(v)").ok());
  ASSERT_TRUE(c.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
                     std::to_string(rows) +
                     ") INSERT INTO secret(v) SELECT 'canary-' || i || '-' || hex(randomblob(40)) FROM n")
                  .ok());
  ASSERT_TRUE(c.exec("PRAGMA user_version = 77").ok());
}

void expect_data(keel::Connection& c, int rows) {
  EXPECT_EQ(scalar(c, "SELECT count(*) FROM secret"), std::to_string(rows));
  EXPECT_EQ(scalar(c, "SELECT substr(v, 1, 10) FROM secret WHERE id = 123"), "canary-123");
  EXPECT_EQ(scalar(c, "PRAGMA user_version"), "77");
  EXPECT_EQ(scalar(c, "PRAGMA integrity_check"), "ok");
}

// Opens `u` and checks the rows; false (with the error) if it cannot open.
bool opens_with(const std::string& u, int rows, std::string* error = nullptr) {
  auto db = keel::Database::open(u, encryption());
  if (!db.ok()) {
    if (error) *error = std::string(db.status().message());
    return false;
  }
  auto c = (*db)->connect();
  if (!c.ok()) return false;
  expect_data(*c, rows);
  return true;
}

TEST_F(Rekey, RehexkeyUnderEveryCipher) {
  int tested = 0;
  for (const CipherCase& cc : kCiphers) {
    SCOPED_TRACE(cc.name);
    reset_files();
    std::string k1 = hex_key(cc.key_bytes, 1), k2 = hex_key(cc.key_bytes, 2);
    std::string u1 = uri(std::string("cipher=") + cc.name + "&hexkey=" + k1);
    {
      auto db = keel::Database::open(u1, encryption());
      if (!db.ok() && std::string(db.status().message()).find("needs CPU") != std::string::npos) {
        std::cout << "skipping " << cc.name << ": " << db.status().message() << "\n";
        continue;
      }
      ASSERT_TRUE(db.ok()) << db.status().message();
      auto c = (*db)->connect();
      ASSERT_TRUE(c.ok());
      fill(*c, 300);
      auto s = c->exec("PRAGMA rehexkey = '" + k2 + "'");
      ASSERT_TRUE(s.ok()) << s.message();
      expect_data(*c, 300);  // the same connection goes on under the new key
      ASSERT_TRUE(c->exec("INSERT INTO secret(v) VALUES('canary-after')").ok());
    }
    tested++;
    std::string file = bytes();
    EXPECT_EQ(file.substr(0, 5), "Turso");
    EXPECT_EQ(file.find("canary-"), std::string::npos) << "plaintext reached the file";
    EXPECT_FALSE(fs::exists(path_ + "-journal"));
    std::string err;
    EXPECT_FALSE(opens_with(u1, 301, &err)) << "the old key still opens the database";
    EXPECT_NE(err.find("encrypted"), std::string::npos) << err;
    EXPECT_TRUE(opens_with(uri(std::string("cipher=") + cc.name + "&hexkey=" + k2), 301));
    // The cipher stays the file's: the new key without a cipher name works.
    EXPECT_TRUE(opens_with(uri("hexkey=" + k2), 301));
  }
  EXPECT_GE(tested, 3);
}

TEST_F(Rekey, PassphraseAndCipherChange) {
  std::string k1 = hex_key(32, 1);
  {
    auto db = keel::Database::open(uri("cipher=aegis256&hexkey=" + k1), encryption());
    ASSERT_TRUE(db.ok()) << db.status().message();
    auto c = (*db)->connect();
    ASSERT_TRUE(c.ok());
    fill(*c, 200);
    // PRAGMA cipher names the cipher of the re-encrypted file.
    ASSERT_TRUE(c->exec("PRAGMA cipher = 'aes128gcm'").ok());
    auto s = c->exec("PRAGMA rekey = 'new passphrase'");
    ASSERT_TRUE(s.ok()) << s.message();
    expect_data(*c, 200);
  }
  std::string file = bytes();
  EXPECT_EQ(file[6], 1) << "aes128gcm";
  EXPECT_EQ(static_cast<uint8_t>(file[20]), 28u) << "reserved bytes of AES-GCM";
  EXPECT_EQ(static_cast<uint8_t>(file[88]), 1u) << "an Argon2id block";
  EXPECT_FALSE(opens_with(uri("hexkey=" + k1), 200));
  EXPECT_FALSE(opens_with(uri("key=other"), 200));
  EXPECT_TRUE(opens_with(uri("key=new%20passphrase"), 200));
}

TEST_F(Rekey, EncryptsAPlainDatabase) {
  {
    auto db = keel::Database::open(path_);
    ASSERT_TRUE(db.ok());
    auto c = (*db)->connect();
    ASSERT_TRUE(c.ok());
    fill(*c, 400);
    ASSERT_TRUE(c->exec("DELETE FROM secret WHERE id > 400").ok());
  }
  ASSERT_EQ(bytes().substr(0, 15), "SQLite format 3");
  EXPECT_EQ(bytes()[20], 0);
  std::string k = hex_key(16, 3);
  {
    auto db = keel::Database::open(path_, encryption());
    ASSERT_TRUE(db.ok()) << db.status().message();
    auto c = (*db)->connect();
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->exec("PRAGMA cipher = 'aegis128l'").ok());
    auto s = c->exec("PRAGMA rehexkey = '" + k + "'");
    ASSERT_TRUE(s.ok()) << s.message();
    expect_data(*c, 400);
  }
  std::string file = bytes();
  EXPECT_EQ(file.substr(0, 5), "Turso");
  EXPECT_EQ(file[6], 6) << "aegis128l";
  EXPECT_EQ(static_cast<uint8_t>(file[20]), 32u) << "nonce 16 + tag 16";
  EXPECT_EQ(file.find("canary-"), std::string::npos);
  std::string err;
  auto plain = keel::Database::open(path_);
  EXPECT_FALSE(plain.ok()) << "opened without a key";
  EXPECT_TRUE(opens_with(uri("hexkey=" + k), 400));

  // The default cipher when none is named: aegis256, 48 reserved bytes.
  reset_files();
  {
    auto db = keel::Database::open(path_, encryption());
    ASSERT_TRUE(db.ok());
    auto c = (*db)->connect();
    ASSERT_TRUE(c.ok());
    fill(*c, 150);
    auto s = c->exec("PRAGMA rekey = 'pass'");
    ASSERT_TRUE(s.ok()) << s.message();
  }
  EXPECT_EQ(bytes()[6], 3);
  EXPECT_EQ(static_cast<uint8_t>(bytes()[20]), 48u);
  EXPECT_TRUE(opens_with(uri("key=pass"), 150));
}

TEST_F(Rekey, Refusals) {
  std::string k1 = hex_key(32, 1);
  auto db = keel::Database::open(uri("cipher=aegis256&hexkey=" + k1), encryption());
  ASSERT_TRUE(db.ok()) << db.status().message();
  auto c = (*db)->connect();
  ASSERT_TRUE(c.ok());
  fill(*c, 200);
  ASSERT_TRUE(c->exec("BEGIN").ok());
  auto in_txn = c->exec("PRAGMA rehexkey = '" + hex_key(32, 2) + "'");
  EXPECT_FALSE(in_txn.ok());
  EXPECT_EQ(std::string(in_txn.message()), "cannot VACUUM from within a transaction");
  ASSERT_TRUE(c->exec("COMMIT").ok());
  // A key of the wrong size for the cipher: nothing is written.
  std::string before = bytes();
  auto bad = c->exec("PRAGMA rehexkey = 'abcd'");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bytes(), before);
  EXPECT_FALSE(c->exec("PRAGMA rekey = ''").ok());
  // WAL mode: the rekey needs the only connection (it leaves WAL for the
  // rewrite and comes back).
  EXPECT_EQ(scalar(*c, "PRAGMA journal_mode = wal"), "wal");
  {
    auto reader = (*db)->connect();
    ASSERT_TRUE(reader.ok());
    auto st = reader->prepare("SELECT id FROM secret");
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(st->step().ok());  // holds a read snapshot of the WAL
    auto busy = c->exec("PRAGMA rehexkey = '" + hex_key(32, 2) + "'");
    EXPECT_FALSE(busy.ok());
    EXPECT_EQ(scalar(*c, "PRAGMA journal_mode"), "wal");
  }
  expect_data(*c, 200);
  EXPECT_TRUE(opens_with(uri("hexkey=" + k1), 200)) << "a refused rekey changed the key";
}

TEST_F(Rekey, WalDatabase) {
  std::string k1 = hex_key(32, 1), k2 = hex_key(32, 2);
  {
    auto db = keel::Database::open(uri("cipher=aegis256x2&hexkey=" + k1), encryption());
    ASSERT_TRUE(db.ok()) << db.status().message();
    auto c = (*db)->connect();
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(scalar(*c, "PRAGMA journal_mode = wal"), "wal");
    fill(*c, 300);
    auto s = c->exec("PRAGMA rehexkey = '" + k2 + "'");
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(scalar(*c, "PRAGMA journal_mode"), "wal");
    expect_data(*c, 300);
    ASSERT_TRUE(c->exec("INSERT INTO secret(v) VALUES('canary-wal')").ok());
    std::string wal = bytes("-wal");
    EXPECT_GT(wal.size(), 0u);
    EXPECT_EQ(wal.find("canary-"), std::string::npos);
  }
  EXPECT_FALSE(opens_with(uri("hexkey=" + k1), 301));
  EXPECT_TRUE(opens_with(uri("hexkey=" + k2), 301));
}

// VACUUM of an encrypted database, to a new page size: the pages stay
// encrypted, and another connection follows the new geometry.
TEST_F(Rekey, VacuumKeepsTheEncryption) {
  std::string u = uri("cipher=aegis128x2&hexkey=" + hex_key(16, 4));
  auto db = keel::Database::open(u, encryption());
  ASSERT_TRUE(db.ok()) << db.status().message();
  auto c = (*db)->connect();
  ASSERT_TRUE(c.ok());
  fill(*c, 500);
  ASSERT_TRUE(c->exec("DELETE FROM secret WHERE id % 2 = 0").ok());
  auto other = (*db)->connect();
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(scalar(*other, "SELECT count(*) FROM secret"), "250");
  auto s = c->exec("PRAGMA page_size = 8192; VACUUM");
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(scalar(*c, "PRAGMA page_size"), "8192");
  EXPECT_EQ(scalar(*c, "PRAGMA freelist_count"), "0");
  EXPECT_EQ(scalar(*other, "SELECT count(*) FROM secret"), "250");
  EXPECT_EQ(scalar(*other, "PRAGMA integrity_check"), "ok");
  std::string file = bytes();
  EXPECT_EQ(file.substr(0, 5), "Turso");
  EXPECT_EQ(file.find("canary-"), std::string::npos);
  EXPECT_EQ(file.size() % 8192, 0u);
  ASSERT_TRUE(c->exec("VACUUM").ok());
  EXPECT_EQ(scalar(*other, "SELECT count(*) FROM secret WHERE v LIKE 'canary-%'"), "250");
}

// A child process rekeys; the parent kills it with SIGKILL after a random
// delay within the rekey's duration. Whatever the moment, the database opens
// with the old key or with the new one, and is complete.
TEST_F(Rekey, SurvivesSigkillAtRandomPoints) {
  const int kRows = 3000;
  std::string k_old = hex_key(32, 1), k_new = hex_key(32, 2);
  std::string u_old = uri("hexkey=" + k_old), u_new = uri("hexkey=" + k_new);
  std::string pristine = dir_ + "/pristine.db";
  {
    auto db = keel::Database::open(uri("cipher=aes256gcm&hexkey=" + k_old), encryption());
    ASSERT_TRUE(db.ok()) << db.status().message();
    auto c = (*db)->connect();
    ASSERT_TRUE(c.ok());
    fill(*c, kRows);
  }
  fs::copy_file(path_, pristine);

  // How long an uninterrupted rekey takes here, to spread the kills over it.
  auto run_child = [&]() {
    auto db = keel::Database::open(u_old, encryption());
    if (!db.ok()) _exit(3);
    auto c = (*db)->connect();
    if (!c.ok()) _exit(4);
    _exit(c->exec("PRAGMA rehexkey = '" + k_new + "'").ok() ? 0 : 5);
  };
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) run_child();
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  auto full_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(opens_with(u_new, kRows));

  std::mt19937 rng(20261129);
  int old_key = 0, new_key = 0, rounds = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(40);
  for (; rounds < 40 && std::chrono::steady_clock::now() < deadline; rounds++) {
    reset_files();
    fs::copy_file(pristine, path_);
    auto delay = std::uniform_int_distribution<long>(0, full_us + full_us / 5)(rng);
    pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) run_child();
    std::this_thread::sleep_for(std::chrono::microseconds(delay));
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    SCOPED_TRACE("round " + std::to_string(rounds) + ", killed after " + std::to_string(delay) + " us");
    if (opens_with(u_old, kRows)) {
      old_key++;
      EXPECT_FALSE(opens_with(u_new, kRows));
    } else {
      std::string err;
      ASSERT_TRUE(opens_with(u_new, kRows, &err)) << "opens with neither key: " << err;
      new_key++;
    }
    // A journal killed before anything was written to it is empty, and one
    // killed before it was synced has a zero header: neither is hot, and the
    // next writer replaces it (as SQLite). A hot one must be gone.
    std::string journal = fs::exists(path_ + "-journal") ? bytes("-journal") : std::string();
    EXPECT_TRUE(journal.empty() || journal[0] == '\0') << "the opener left a hot journal";
  }
  std::cout << rounds << " kills: " << old_key << " left the old key, " << new_key << " the new one\n";
  EXPECT_GT(rounds, 10);
}

}  // namespace
