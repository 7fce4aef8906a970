// Crash safety of transactions over two attached databases (super-journal).
//
// A forked writer opens main.db, attaches aux.db (both in DELETE journal
// mode, synchronous FULL) and runs transactions that make the same changes
// to table t of both files, reporting each commit through a pipe. The parent
// SIGKILLs it at a random moment, then checks that
//   * recovery by the real sqlite3 (on a copy of the files, journals and
//     super-journal, taken before anything touched them) and by Keel (on the
//     originals) reach the same contents,
//   * both files hold the same rows (never one file's old state beside the
//     other's new one), the state after the last reported commit or the one
//     after it, and
//   * PRAGMA integrity_check is ok in both engines.
// The number of kills that left a journal naming a live or a deleted
// super-journal is printed.
//
// Two more tests turn the roles around: the real sqlite3 commits a
// transaction over both files and dies at its commit point, just before or
// just after deleting the super-journal; Keel and sqlite3 must then recover
// to the old state (before) or the new one (after) in both files, and Keel's
// recovery must leave no journal and no super-journal behind.
//
// Rounds: KEEL_ATTACH_CRASH_ROUNDS (default 400, about 15 s).
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/connection.h"

namespace keel {
namespace {

namespace fs = std::filesystem;

int rounds() {
  const char* env = std::getenv("KEEL_ATTACH_CRASH_ROUNDS");
  return env ? std::max(1, atoi(env)) : 400;
}

// The SQL of transaction `txn` for schema `db`: the same rows in both files.
std::string txn_sql(uint64_t seed, int64_t txn, const char* db) {
  std::mt19937_64 rng(seed * 1000003 + static_cast<uint64_t>(txn));
  std::string sql = "UPDATE " + std::string(db) + ".t SET txn = " + std::to_string(txn) + " WHERE k = 0;";
  int n = 1 + static_cast<int>(rng() % 12);
  for (int i = 0; i < n; i++) {
    int64_t k = 1 + static_cast<int64_t>(rng() % 300);
    if (rng() % 4 == 0) {
      sql += "DELETE FROM " + std::string(db) + ".t WHERE k = " + std::to_string(k) + ";";
    } else {
      int len = rng() % 10 == 0 ? 5000 : 50 + static_cast<int>(rng() % 400);
      sql += "INSERT OR REPLACE INTO " + std::string(db) + ".t VALUES(" + std::to_string(k) + ", " +
             std::to_string(txn) + ", printf('%.*c', " + std::to_string(len) + ", 'x'));";
    }
  }
  return sql;
}

const char* kDigest = "SELECT count(*) || '/' || total(k * 7 + txn) || '/' || total(length(pad)) FROM ";

[[noreturn]] void writer(const std::string& dir, uint64_t seed, int64_t first_txn, int fd) {
  auto c = engine::Connection::open(dir + "/main.db");
  if (!c.ok()) _exit(3);
  engine::Connection& conn = **c;
  if (!conn.exec("ATTACH '" + dir + "/aux.db' AS aux").ok()) _exit(4);
  for (int64_t txn = first_txn;; txn++) {
    std::string sql = "BEGIN;" + txn_sql(seed, txn, "main") + txn_sql(seed, txn, "aux") + "COMMIT;";
    if (!conn.exec(sql).ok()) _exit(5);
    if (write(fd, &txn, sizeof txn) != sizeof txn) _exit(6);
  }
}

// One row of text from Keel, or "error: ...".
std::string keel_value(engine::Connection& conn, const std::string& sql) {
  std::string out;
  Status s = conn.exec(sql, [&](int, char** values, char**) {
    out = values[0] ? values[0] : "NULL";
    return false;
  });
  return s.ok() ? out : "error: " + s.to_string();
}

std::string sqlite_value(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    return std::string("error: ") + sqlite3_errmsg(db);
  }
  std::string out;
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(st, 0);
    out = t ? reinterpret_cast<const char*>(t) : "NULL";
  } else if (rc != SQLITE_DONE) {
    out = std::string("error: ") + sqlite3_errmsg(db);
  }
  sqlite3_finalize(st);
  return out;
}

struct Observed {
  std::string main_txn, aux_txn, main_digest, aux_digest, main_check, aux_check;
  bool operator==(const Observed&) const = default;
};

std::string describe(const Observed& o) {
  return "main txn " + o.main_txn + " [" + o.main_digest + "] " + o.main_check + ", aux txn " + o.aux_txn +
         " [" + o.aux_digest + "] " + o.aux_check;
}

Observed read_with_keel(const std::string& dir) {
  Observed o;
  auto c = engine::Connection::open(dir + "/main.db");
  if (!c.ok()) {
    o.main_txn = "open: " + c.status().to_string();
    return o;
  }
  engine::Connection& conn = **c;
  Status s = conn.exec("ATTACH '" + dir + "/aux.db' AS aux");
  if (!s.ok()) o.aux_txn = "attach: " + s.to_string();
  o.main_txn = keel_value(conn, "SELECT txn FROM main.t WHERE k = 0");
  o.aux_txn = keel_value(conn, "SELECT txn FROM aux.t WHERE k = 0");
  o.main_digest = keel_value(conn, std::string(kDigest) + "main.t");
  o.aux_digest = keel_value(conn, std::string(kDigest) + "aux.t");
  o.main_check = keel_value(conn, "PRAGMA main.integrity_check");
  o.aux_check = keel_value(conn, "PRAGMA aux.integrity_check");
  return o;
}

Observed read_with_sqlite(const std::string& dir) {
  Observed o;
  sqlite3* db = nullptr;
  if (sqlite3_open((dir + "/main.db").c_str(), &db) != SQLITE_OK) {
    o.main_txn = "open failed";
    sqlite3_close(db);
    return o;
  }
  char* err = nullptr;
  if (sqlite3_exec(db, ("ATTACH '" + dir + "/aux.db' AS aux").c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    o.aux_txn = std::string("attach: ") + (err ? err : "");
    sqlite3_free(err);
  }
  o.main_txn = sqlite_value(db, "SELECT txn FROM main.t WHERE k = 0");
  o.aux_txn = sqlite_value(db, "SELECT txn FROM aux.t WHERE k = 0");
  o.main_digest = sqlite_value(db, std::string(kDigest) + "main.t");
  o.aux_digest = sqlite_value(db, std::string(kDigest) + "aux.t");
  o.main_check = sqlite_value(db, "PRAGMA main.integrity_check");
  o.aux_check = sqlite_value(db, "PRAGMA aux.integrity_check");
  sqlite3_close(db);
  return o;
}

// The super-journal name a journal ends with (SQLite's readSuperJournal,
// checksum left out: the test only classifies kill points), or "".
std::string super_named_by(const std::string& journal) {
  FILE* f = std::fopen(journal.c_str(), "rb");
  if (f == nullptr) return "";
  std::string name;
  unsigned char t[16];
  if (std::fseek(f, -16, SEEK_END) == 0 && std::fread(t, 1, 16, f) == 16 &&
      std::memcmp(t + 8, "\xd9\xd5\x05\xf9\x20\xa1\x63\xd7", 8) == 0) {
    uint32_t len = (uint32_t{t[0]} << 24) | (uint32_t{t[1]} << 16) | (uint32_t{t[2]} << 8) | t[3];
    if (len > 0 && len < 4096 && std::fseek(f, -16 - static_cast<long>(len), SEEK_END) == 0) {
      name.resize(len);
      if (std::fread(name.data(), 1, len, f) != len) name.clear();
    }
  }
  std::fclose(f);
  return name;
}

TEST(CrashSafety, KilledWriterTwoAttachedDatabases) {
  char tmpl[] = "/dev/shm/keel-attach-crash-XXXXXX";
  if (access("/dev/shm", W_OK) != 0) std::strcpy(tmpl, "/tmp/keel-attach-crash-XXXXXX");
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  const std::string copy = dir + "/copy";
  {
    auto c = engine::Connection::open(dir + "/main.db");
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    ASSERT_TRUE((*c)->exec("ATTACH '" + dir + "/aux.db' AS aux").ok());
    for (const char* db : {"main", "aux"}) {
      std::string sql = "CREATE TABLE " + std::string(db) +
                        ".t(k INTEGER PRIMARY KEY, txn INTEGER, pad TEXT);" + "INSERT INTO " + db +
                        ".t VALUES(0, 0, '');";
      Status s = (*c)->exec(sql);
      ASSERT_TRUE(s.ok()) << s.to_string();
    }
  }
  const uint64_t seed = 0xa77ac4u;
  std::mt19937_64 rng(seed);
  int64_t next_txn = 1;
  int hot_super = 0, gone_super = 0, landed_new = 0;
  auto started = std::chrono::steady_clock::now();
  for (int round = 0; round < rounds(); round++) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      writer(dir, seed, next_txn, fds[1]);
    }
    close(fds[1]);
    std::this_thread::sleep_for(std::chrono::microseconds(300 + rng() % 15000));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited by itself with status " << WEXITSTATUS(status);
    int64_t last_reported = next_txn - 1;
    int64_t id;
    while (read(fds[0], &id, sizeof id) == sizeof id) last_reported = id;
    close(fds[0]);

    // Kill points of interest: a journal naming a super-journal that still
    // exists (the transaction must roll back in both files) or one that is
    // gone (it committed: the journals must not be played back).
    std::string named = super_named_by(dir + "/main.db-journal");
    if (named.empty()) named = super_named_by(dir + "/aux.db-journal");
    if (!named.empty()) (fs::exists(named) ? hot_super : gone_super)++;
    // sqlite3 recovers a copy first (the copy's journals name the original
    // super-journal, which nothing has touched yet), then Keel the originals.
    fs::remove_all(copy);
    fs::create_directory(copy);
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.is_regular_file()) fs::copy_file(e.path(), copy + "/" + e.path().filename().string());
    }
    Observed by_sqlite = read_with_sqlite(copy);
    Observed by_keel = read_with_keel(dir);
    ASSERT_EQ(by_keel, by_sqlite) << "round " << round << "\n keel:    " << describe(by_keel)
                                  << "\n sqlite3: " << describe(by_sqlite);
    ASSERT_EQ(by_keel.main_check, "ok") << "round " << round;
    ASSERT_EQ(by_keel.aux_check, "ok") << "round " << round;
    ASSERT_EQ(by_keel.main_txn, by_keel.aux_txn) << "round " << round << ": " << describe(by_keel);
    ASSERT_EQ(by_keel.main_digest, by_keel.aux_digest) << "round " << round << ": " << describe(by_keel);
    int64_t now = std::atoll(by_keel.main_txn.c_str());
    ASSERT_TRUE(now == last_reported || now == last_reported + 1)
        << "round " << round << ": transaction " << now << " after report " << last_reported;
    if (now == last_reported + 1) landed_new++;
    next_txn = now + 1;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "attach crash test: %d kills; journals naming a live super-journal %d, a deleted one %d; %d committed "
      "the transaction in flight; %lld transactions, %.1f s\n",
      rounds(), hot_super, gone_super, landed_new, static_cast<long long>(next_txn - 1), secs);
  fs::remove_all(dir);
}

// --- a super-journal left by a killed sqlite3 -------------------------------

// A VFS over sqlite3's default one that ends the process when the commit
// reaches the super-journal's deletion: just before it (the transaction must
// roll back in every file) or just after it (it committed).
sqlite3_vfs* g_base_vfs = nullptr;
bool g_die_after_delete = false;

int dying_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  bool super = std::strstr(name, "/main.db-mj") != nullptr;
  if (super && !g_die_after_delete) _exit(0);
  int rc = g_base_vfs->xDelete(g_base_vfs, name, sync_dir);
  if (super) _exit(0);
  return rc;
}

void sqlite_exec_or_die(sqlite3* db, const std::string& sql) {
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) _exit(2);
}

void killed_sqlite_commit(bool after_delete) {
  char tmpl[] = "/tmp/keel-attach-super-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  {
    auto c = engine::Connection::open(dir + "/main.db");
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    ASSERT_TRUE((*c)->exec("ATTACH '" + dir + "/aux.db' AS aux").ok());
    for (const char* db : {"main", "aux"}) {
      Status s =
          (*c)->exec("CREATE TABLE " + std::string(db) + ".t(k INTEGER PRIMARY KEY, txn INTEGER, pad TEXT);" +
                     "INSERT INTO " + db + ".t VALUES(0, 0, 'base');");
      ASSERT_TRUE(s.ok()) << s.to_string();
    }
  }
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    static sqlite3_vfs shim;
    g_base_vfs = sqlite3_vfs_find(nullptr);
    shim = *g_base_vfs;
    shim.zName = "keel_test_dying";
    shim.xDelete = dying_delete;
    g_die_after_delete = after_delete;
    sqlite3_vfs_register(&shim, 0);
    sqlite3* db = nullptr;
    if (sqlite3_open_v2((dir + "/main.db").c_str(), &db, SQLITE_OPEN_READWRITE, "keel_test_dying") !=
        SQLITE_OK) {
      _exit(3);
    }
    sqlite_exec_or_die(db, "ATTACH '" + dir + "/aux.db' AS aux");
    sqlite_exec_or_die(db, "BEGIN;" + txn_sql(7, 1, "main") + txn_sql(7, 1, "aux") + "COMMIT;");
    _exit(4);  // the commit must have ended the process
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "writer status " << status;
  std::string named = super_named_by(dir + "/main.db-journal");
  ASSERT_FALSE(named.empty()) << "the killed commit left no journal naming a super-journal";
  EXPECT_EQ(super_named_by(dir + "/aux.db-journal"), named);
  EXPECT_EQ(fs::exists(named), !after_delete);

  const std::string copy = dir + "/copy";
  fs::create_directory(copy);
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) fs::copy_file(e.path(), copy + "/" + e.path().filename().string());
  }
  Observed by_sqlite = read_with_sqlite(copy);
  Observed by_keel = read_with_keel(dir);
  EXPECT_EQ(by_keel, by_sqlite) << "\n keel:    " << describe(by_keel)
                                << "\n sqlite3: " << describe(by_sqlite);
  EXPECT_EQ(by_keel.main_check, "ok");
  EXPECT_EQ(by_keel.aux_check, "ok");
  EXPECT_EQ(by_keel.main_txn, after_delete ? "1" : "0");
  EXPECT_EQ(by_keel.aux_txn, after_delete ? "1" : "0");
  EXPECT_EQ(by_keel.main_digest, by_keel.aux_digest);
  // Recovery finished the job: no journal left, and the super-journal gone.
  EXPECT_FALSE(fs::exists(dir + "/main.db-journal"));
  EXPECT_FALSE(fs::exists(dir + "/aux.db-journal"));
  EXPECT_FALSE(fs::exists(named));
  fs::remove_all(dir);
}

TEST(CrashSafety, SqliteKilledBeforeDeletingSuperJournalRollsBackBoth) { killed_sqlite_commit(false); }
TEST(CrashSafety, SqliteKilledAfterDeletingSuperJournalKeepsBoth) { killed_sqlite_commit(true); }

}  // namespace
}  // namespace keel
