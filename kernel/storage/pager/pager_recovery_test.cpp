// Crash recovery and SQLite interoperability of the rollback journal: power
// cuts mid-commit (FaultVfs), hot journals made by SQLite rolled back by the
// pager and hot journals made by the pager rolled back by SQLite, the exact
// journal bytes, and the sync points of each synchronous level.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "base/bytes.h"
#include "os/fault_vfs.h"
#include "storage/pager/db_header.h"
#include "storage/pager/journal_format.h"
#include "storage/pager/pager.h"
#include "storage/pager/pager_test_util.h"

namespace keel::storage {
namespace {

using ptest::TempDir;

#define ASSERT_OK(expr)                                      \
  do {                                                       \
    ::keel::Status s_ = (expr);                              \
    ASSERT_TRUE(s_.ok()) << #expr << ": " << s_.to_string(); \
  } while (0)

template <typename T>
T must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return std::move(r).value();
}

std::unique_ptr<Pager> open_pager(const std::string& path, PagerOptions opts = {}) {
  auto r = Pager::open(path, opts);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? std::move(r).value() : nullptr;
}

// --- power cuts mid-commit ----------------------------------------------------

// Runs a transaction in a child process that fails the k-th write (or sync)
// of its commit, cuts the power and dies without any cleanup, as a crashed
// process. The parent then opens the database with the plain unix VFS: it
// must be entirely old or entirely new, and sqlite3 must accept it.
void crash_during_commit(os::FaultOp op, uint64_t k, bool tear, JournalModeKind mode, SyncLevel level,
                         uint64_t seed, int* saw_old, int* saw_new) {
  TempDir dir(/*in_memory=*/true);  // durability is FaultVfs's model, not the disk's
  std::string path = dir.path("c.db");
  PagerOptions o;
  o.page_size = 1024;
  o.synchronous = level;
  {
    auto p = open_pager(path, o);
    ASSERT_OK(p->set_journal_mode(mode));
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_sqlite_layout(*p, 40));
    ASSERT_OK(p->commit());
  }
  std::vector<uint8_t> before = ptest::read_file(path);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    os::FaultVfs vfs(os::default_vfs(), seed);
    o.vfs = &vfs;
    auto r = Pager::open(path, o);
    if (!r.ok()) _exit(10);
    auto p = std::move(r).value();
    if (!p->set_journal_mode(mode).ok() || !p->begin_write().ok()) _exit(11);
    if (!ptest::write_sqlite_layout(*p, 70).ok()) _exit(12);  // grows and rewrites every page
    vfs.fail_nth(op, k);
    Status s = p->commit();
    vfs.clear_faults();
    if (!vfs.power_cut(tear).ok()) _exit(13);
    _exit(s.ok() ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_LE(WEXITSTATUS(status), 1) << "child setup failed";
  bool committed = WEXITSTATUS(status) == 0;
  auto p = open_pager(path, o);
  ASSERT_NE(p, nullptr);
  ASSERT_OK(p->begin_read());
  PageNo n = p->page_count();
  p->end_read();
  p.reset();
  if (n == 40) {
    ++*saw_old;
    EXPECT_EQ(ptest::read_file(path), before) << "k=" << k << " tear=" << tear;
  } else {
    ++*saw_new;
    EXPECT_EQ(n, 70u) << "k=" << k;
  }
  // A commit reported done survives, except in DELETE mode below EXTRA,
  // where the journal's deletion is not durable until the directory is
  // synced (as with SQLite).
  if (committed && (mode != JournalModeKind::kDelete || level == SyncLevel::kExtra)) {
    EXPECT_EQ(n, 70u) << "k=" << k << " tear=" << tear;
  }
  EXPECT_EQ(ptest::sqlite_integrity(path), "ok") << "k=" << k << " tear=" << tear;
}

class PagerCrashTest : public ::testing::TestWithParam<JournalModeKind> {};

TEST_P(PagerCrashTest, PowerCutAtEveryWriteOfTheCommit) {
  int old_state = 0, new_state = 0;
  for (uint64_t k = 1; k <= 80; k += 2) {
    for (bool tear : {false, true}) {
      crash_during_commit(os::FaultOp::kWrite, k, tear, GetParam(), SyncLevel::kExtra, k * 7 + tear,
                          &old_state, &new_state);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  EXPECT_GT(old_state, 0);
  EXPECT_GT(new_state, 0);
}

TEST_P(PagerCrashTest, PowerCutAtEverySyncOfTheCommit) {
  int old_state = 0, new_state = 0;
  for (uint64_t k = 1; k <= 6; ++k) {
    for (bool tear : {false, true}) {
      crash_during_commit(os::FaultOp::kSync, k, tear, GetParam(), SyncLevel::kFull, k * 13 + tear,
                          &old_state, &new_state);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  EXPECT_GT(old_state, 0);
  if (GetParam() != JournalModeKind::kDelete) {
    EXPECT_GT(new_state, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(DurableModes, PagerCrashTest,
                         ::testing::Values(JournalModeKind::kDelete, JournalModeKind::kTruncate,
                                           JournalModeKind::kPersist, JournalModeKind::kWal),
                         [](const ::testing::TestParamInfo<JournalModeKind>& i) {
                           return i.param == JournalModeKind::kDelete     ? "Delete"
                                  : i.param == JournalModeKind::kTruncate ? "Truncate"
                                  : i.param == JournalModeKind::kWal      ? "Wal"
                                                                          : "Persist";
                         });

TEST(PagerCrash, PowerCutWhileCreatingTheDatabase) {
  // The very first commit of a new file, cut at every write: afterwards the
  // database is empty or complete, never a partial file.
  int empty = 0, complete = 0;
  for (uint64_t k = 1; k <= 150; k += 3) {
    TempDir dir(/*in_memory=*/true);
    std::string path = dir.path("new.db");
    PagerOptions o;
    o.synchronous = SyncLevel::kExtra;  // the journal's deletion is durable: commits survive
    o.page_size = 1024;
    o.cache_size = 10;  // spills during the creating transaction
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      os::FaultVfs vfs(os::default_vfs(), k);
      o.vfs = &vfs;
      auto r = Pager::open(path, o);
      if (!r.ok()) _exit(10);
      auto p = std::move(r).value();
      vfs.fail_nth(os::FaultOp::kWrite, k);
      Status s = p->begin_write();
      if (s.ok()) s = ptest::write_sqlite_layout(*p, 40);
      if (s.ok()) s = p->commit();
      vfs.clear_faults();
      if (!vfs.power_cut(k % 4 == 1).ok()) _exit(13);
      _exit(s.ok() ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_LE(WEXITSTATUS(status), 1);
    bool committed = WEXITSTATUS(status) == 0;
    auto p = open_pager(path, o);
    ASSERT_NE(p, nullptr) << "k=" << k;
    ASSERT_OK(p->begin_read());
    PageNo n = p->page_count();
    p->end_read();
    p.reset();
    if (committed) {
      EXPECT_EQ(n, 40u) << "k=" << k;
    }
    if (n == 0) {
      ++empty;
    } else {
      ++complete;
      EXPECT_EQ(n, 40u) << "k=" << k;
      EXPECT_EQ(ptest::sqlite_integrity(path), "ok") << "k=" << k;
    }
  }
  EXPECT_GT(empty, 0);
  EXPECT_GT(complete, 0);
}

// Small pages through a 10-page cache on a power-cut VFS: a transaction of
// a few hundred pages spills many times.
PagerOptions spilling_options(os::FaultVfs& vfs) {
  PagerOptions o;
  o.vfs = &vfs;
  o.page_size = 512;
  o.cache_size = 10;
  return o;
}

TEST(PagerCrash, PowerCutAfterSpillMidTransaction) {
  // A large transaction spills (journal synced, database overwritten), then
  // the power goes: the reopened database is the old one, byte for byte.
  TempDir dir;
  std::string path = dir.path("spill.db");
  os::FaultVfs vfs(os::default_vfs(), 5);
  PagerOptions o = spilling_options(vfs);
  {
    auto p = open_pager(path, o);
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_sqlite_layout(*p, 200));
    ASSERT_OK(p->commit());
  }
  std::vector<uint8_t> before = ptest::read_file(path);
  {
    auto p = open_pager(path, o);
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_sqlite_layout(*p, 500));
    EXPECT_GT(p->stats().spills, 0u);
    EXPECT_NE(ptest::read_file(path), before);  // the database file was written
    ASSERT_OK(vfs.power_cut(true));
  }
  EXPECT_TRUE(ptest::file_exists(path + "-journal"));
  auto p = open_pager(path, o);
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(ptest::file_exists(path + "-journal"));
  p.reset();
  EXPECT_EQ(ptest::read_file(path), before);
}

TEST(PagerCrash, PowerCutWhileSpillingAppendedPages) {
  // Spills of pages beyond the original size skip the journal sync (they
  // have no journal record); spills of pages journaled since the last sync
  // still sync first. A transaction mixing both, cut at several points with
  // torn writes: the reopened database is always the old one.
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE(seed);
    TempDir dir;
    std::string path = dir.path("append.db");
    os::FaultVfs vfs(os::default_vfs(), seed);
    PagerOptions o = spilling_options(vfs);
    {
      auto p = open_pager(path, o);
      ASSERT_OK(p->begin_write());
      ASSERT_OK(ptest::write_pattern(*p, 1, 200, 1));
      ASSERT_OK(p->commit());
    }
    std::vector<uint8_t> before = ptest::read_file(path);
    {
      auto p = open_pager(path, o);
      ASSERT_OK(p->begin_write());
      uint64_t syncs = vfs.count(os::FaultOp::kSync);
      ASSERT_OK(ptest::write_pattern(*p, 2, 20, 2));     // journaled
      ASSERT_OK(ptest::write_pattern(*p, 201, 400, 2));  // appended
      uint64_t spills = p->stats().spills;
      EXPECT_GT(spills, 10u);
      // Only the spills that wrote journaled pages synced (2 syncs each:
      // the records, then the header's record count).
      EXPECT_LT(vfs.count(os::FaultOp::kSync) - syncs, spills);
      if (seed % 3 != 0) {
        // New journal records after the unsynced spills: writing those
        // pages out needs a sync again.
        ASSERT_OK(ptest::write_pattern(*p, 100, 130, 2));
        ASSERT_OK(ptest::write_pattern(*p, 401, 400 + 20 * static_cast<PageNo>(seed), 2));
      }
      EXPECT_NE(ptest::read_file(path), before);
      ASSERT_OK(vfs.power_cut(/*tear=*/true));
    }
    auto p = open_pager(path, o);
    ASSERT_NE(p, nullptr);
    ASSERT_OK(p->begin_read());
    EXPECT_EQ(p->page_count(), 200u);
    EXPECT_EQ(must(ptest::check_pattern(*p, 2, 200, 1)), 0u);
    p.reset();
    EXPECT_EQ(ptest::read_file(path), before);
  }
}

// --- hot journals across implementations ----------------------------------------

void sqlite_exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  ASSERT_EQ(rc, SQLITE_OK) << sql << ": " << (err ? err : "");
  sqlite3_free(err);
}

// SQLite's journal modes that leave a journal file: the child crashes in
// that mode; the pager (in its default DELETE mode) rolls the journal back.
class SqliteHotJournalTest : public ::testing::TestWithParam<const char*> {};

TEST_P(SqliteHotJournalTest, RolledBackByPager) {
  TempDir dir(/*in_memory=*/true);
  std::string path = dir.path("sq.db");
  std::string mode_sql = std::string("PRAGMA journal_mode=") + GetParam() + ";";
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite_exec(db, "PRAGMA page_size=1024; CREATE TABLE t(a INTEGER PRIMARY KEY, b BLOB);");
    sqlite_exec(db, mode_sql.c_str());
    // A few committed transactions first, so a PERSIST journal holds stale
    // records behind the live ones.
    for (int round = 0; round < 3; ++round) {
      sqlite_exec(db,
                  "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<100) "
                  "INSERT INTO t SELECT NULL, zeroblob(700) FROM c;");
    }
    sqlite3_close(db);
  }
  std::vector<uint8_t> before = ptest::read_file(path);
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Child: a big transaction with a tiny cache, so SQLite spills (journal
    // synced and hot, database overwritten); then it waits to be killed.
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, mode_sql.c_str(), nullptr, nullptr, nullptr);
    sqlite3_exec(db, "PRAGMA cache_size=5; BEGIN;", nullptr, nullptr, nullptr);
    sqlite3_exec(db, "UPDATE t SET b = randomblob(700);", nullptr, nullptr, nullptr);
    sqlite3_exec(db,
                 "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<300) "
                 "INSERT INTO t SELECT 1000+i, randomblob(900) FROM c;",
                 nullptr, nullptr, nullptr);
    char c = 'x';
    if (write(ready[1], &c, 1) != 1) _exit(1);
    pause();
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  close(ready[0]);
  close(ready[1]);

  // The child left a hot journal and a modified database.
  ASSERT_TRUE(ptest::file_exists(path + "-journal"));
  std::vector<uint8_t> journal = ptest::read_file(path + "-journal");
  ASSERT_GE(journal.size(), 28u);
  EXPECT_EQ(std::memcmp(journal.data(), journal::kMagic, 8), 0);
  ASSERT_NE(ptest::read_file(path), before);

  auto p = open_pager(path);
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(ptest::file_exists(path + "-journal"));  // DELETE mode finalizes by deleting
  ASSERT_OK(p->begin_read());
  EXPECT_EQ(p->page_count(), before.size() / 1024);
  p->end_read();
  p.reset();
  EXPECT_EQ(ptest::read_file(path), before);
  EXPECT_EQ(ptest::sqlite_integrity(path), "ok");
  EXPECT_EQ(ptest::sqlite_query(path, "SELECT count(*) FROM t"), "300");
}

INSTANTIATE_TEST_SUITE_P(SqliteModes, SqliteHotJournalTest,
                         ::testing::Values("delete", "truncate", "persist"),
                         [](const ::testing::TestParamInfo<const char*>& i) { return std::string(i.param); });

// The pager's own journals (and WAL) left by a killed process: sqlite3 rolls
// them back (or ignores the uncommitted frames) and sees the old database.
class PagerCrashSeenBySqliteTest : public ::testing::TestWithParam<JournalModeKind> {};

TEST_P(PagerCrashSeenBySqliteTest, OldStateAfterKill) {
  const JournalModeKind mode = GetParam();
  const bool wal = mode == JournalModeKind::kWal;
  TempDir dir(/*in_memory=*/true);
  std::string path = dir.path("kp.db");
  PagerOptions o;
  o.page_size = 1024;
  {
    auto p = open_pager(path, o);
    ASSERT_OK(p->set_journal_mode(mode));
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_sqlite_layout(*p, 100));
    ASSERT_OK(p->commit());
  }
  std::vector<uint8_t> before = ptest::read_file(path);
  ASSERT_EQ(ptest::sqlite_integrity(path), "ok");
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    o.cache_size = 10;
    auto r = Pager::open(path, o);
    if (!r.ok()) _exit(1);
    auto p = std::move(r).value();
    if (!p->set_journal_mode(mode).ok()) _exit(4);
    if (!p->begin_write().ok() || !ptest::write_sqlite_layout(*p, 400).ok()) _exit(2);
    char c = 'x';
    if (write(ready[1], &c, 1) != 1) _exit(3);
    pause();
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  close(ready[0]);
  close(ready[1]);

  if (wal) {
    ASSERT_TRUE(ptest::file_exists(path + "-wal"));  // spilled, uncommitted frames
  } else {
    ASSERT_TRUE(ptest::file_exists(path + "-journal"));
    ASSERT_GT(ptest::file_size(path), before.size());  // spilled pages reached the file
  }
  // sqlite3 finds the hot journal, rolls it back and sees the old database.
  EXPECT_EQ(ptest::sqlite_integrity(path), "ok");
  EXPECT_EQ(ptest::sqlite_query(path, "PRAGMA freelist_count"), "99");
  EXPECT_EQ(ptest::sqlite_query(path, "PRAGMA page_count"), "100");
  if (!wal) {
    EXPECT_FALSE(ptest::file_exists(path + "-journal"));
    EXPECT_EQ(ptest::read_file(path), before);
  }
}

INSTANTIATE_TEST_SUITE_P(PagerModes, PagerCrashSeenBySqliteTest,
                         ::testing::Values(JournalModeKind::kDelete, JournalModeKind::kTruncate,
                                           JournalModeKind::kPersist, JournalModeKind::kWal),
                         [](const ::testing::TestParamInfo<JournalModeKind>& i) {
                           return i.param == JournalModeKind::kDelete     ? "Delete"
                                  : i.param == JournalModeKind::kTruncate ? "Truncate"
                                  : i.param == JournalModeKind::kWal      ? "Wal"
                                                                          : "Persist";
                         });

TEST(PagerHotJournal, ZeroedHeaderIsNotHot) {
  TempDir dir;
  std::string path = dir.path("z.db");
  {
    auto p = open_pager(path);
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_sqlite_layout(*p, 10));
    ASSERT_OK(p->commit());
  }
  std::vector<uint8_t> before = ptest::read_file(path);
  // A journal whose first byte is zero (a PERSIST leftover, or one whose
  // header was never synced) must be ignored.
  std::vector<uint8_t> j(2048, 0);
  put_u32(j.data() + 12, 1);
  put_u32(j.data() + 16, 3);
  put_u32(j.data() + 20, 512);
  put_u32(j.data() + 24, 4096);
  ptest::write_file(path + "-journal", j);
  auto p = open_pager(path);
  ASSERT_NE(p, nullptr);
  ASSERT_OK(p->begin_read());
  EXPECT_EQ(p->page_count(), 10u);
  p->end_read();
  p.reset();
  EXPECT_EQ(ptest::read_file(path), before);
}

// --- journal bytes ------------------------------------------------------------------

TEST(PagerJournalFormat, HeaderAndRecordsAsSqlite) {
  TempDir dir;
  std::string path = dir.path("f.db");
  PagerOptions o;
  o.page_size = 1024;
  o.cache_size = 10;
  auto p = open_pager(path, o);
  ASSERT_OK(p->set_journal_mode(JournalModeKind::kPersist));
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_pattern(*p, 1, 30, 1));
  ASSERT_OK(p->commit());
  std::vector<uint8_t> db_before = ptest::read_file(path);
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_pattern(*p, 2, 40, 2));  // 39 pages through a 10-page cache: spills
  ASSERT_GT(p->stats().spills, 0u);
  std::vector<uint8_t> j = ptest::read_file(path + "-journal");
  ASSERT_GE(j.size(), 512u);
  journal::Header h;
  ASSERT_TRUE(journal::decode_header(j.data(), &h));  // synced before the spill: magic present
  EXPECT_GT(h.n_rec, 0u);
  EXPECT_EQ(h.orig_pages, 30u);
  EXPECT_EQ(h.sector_size, 512u);  // unix VFS: powersafe overwrite, as SQLite
  EXPECT_EQ(h.page_size, 1024u);
  for (uint32_t i = 28; i < 512; ++i) ASSERT_EQ(j[i], 0) << i;
  // Every record of the first segment holds the original page and SQLite's
  // checksum.
  for (uint32_t r = 0; r < h.n_rec; ++r) {
    const uint8_t* rec = j.data() + 512 + r * (1024 + 8);
    uint32_t pgno = get_u32(rec);
    ASSERT_GE(pgno, 1u);
    ASSERT_LE(pgno, 30u);
    EXPECT_EQ(std::memcmp(rec + 4, db_before.data() + (pgno - 1) * 1024, 1024), 0) << "page " << pgno;
    EXPECT_EQ(get_u32(rec + 4 + 1024), journal::checksum(h.cksum_init, rec + 4, 1024));
  }
  // After the spill a second header starts at the next sector boundary.
  uint64_t next = journal::next_header_offset(512 + uint64_t{h.n_rec} * 1032, 512);
  ASSERT_GT(j.size(), next + 28);
  journal::Header h2;
  std::vector<uint8_t> second(j.begin() + static_cast<long>(next), j.begin() + static_cast<long>(next) + 28);
  std::memcpy(second.data(), journal::kMagic, 8);  // magic is written only when synced
  ASSERT_TRUE(journal::decode_header(second.data(), &h2));
  EXPECT_EQ(h2.orig_pages, 30u);
  EXPECT_EQ(h2.page_size, 1024u);
  ASSERT_OK(p->commit());
  // PERSIST: the journal stays with a zeroed header.
  j = ptest::read_file(path + "-journal");
  ASSERT_GE(j.size(), 28u);
  for (int i = 0; i < 28; ++i) EXPECT_EQ(j[i], 0) << i;
}

// --- sync points ------------------------------------------------------------------------

struct SyncCase {
  JournalModeKind mode;
  SyncLevel level;
  uint64_t syncs;  // VfsFile::sync calls for one small commit
  const char* name;
};

class PagerSyncTest : public ::testing::TestWithParam<SyncCase> {};

TEST_P(PagerSyncTest, SyncCallsPerCommit) {
  TempDir dir;
  std::string path = dir.path("s.db");
  os::FaultVfs vfs(os::default_vfs());
  PagerOptions o;
  o.vfs = &vfs;
  o.synchronous = GetParam().level;
  auto p = open_pager(path, o);
  ASSERT_OK(p->set_journal_mode(GetParam().mode));
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_pattern(*p, 1, 5, 1));
  ASSERT_OK(p->commit());
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_pattern(*p, 2, 3, 2));
  uint64_t before = vfs.count(os::FaultOp::kSync);
  ASSERT_OK(p->commit());
  EXPECT_EQ(vfs.count(os::FaultOp::kSync) - before, GetParam().syncs);
}

INSTANTIATE_TEST_SUITE_P(
    Levels, PagerSyncTest,
    ::testing::Values(
        // DELETE: journal (FULL: before and after the nRec rewrite), database.
        SyncCase{JournalModeKind::kDelete, SyncLevel::kOff, 0, "DeleteOff"},
        SyncCase{JournalModeKind::kDelete, SyncLevel::kNormal, 2, "DeleteNormal"},
        SyncCase{JournalModeKind::kDelete, SyncLevel::kFull, 3, "DeleteFull"},
        SyncCase{JournalModeKind::kDelete, SyncLevel::kExtra, 3, "DeleteExtra"},
        // TRUNCATE syncs the truncated journal at FULL; PERSIST the zeroed header unless OFF.
        SyncCase{JournalModeKind::kTruncate, SyncLevel::kNormal, 2, "TruncateNormal"},
        SyncCase{JournalModeKind::kTruncate, SyncLevel::kFull, 4, "TruncateFull"},
        SyncCase{JournalModeKind::kPersist, SyncLevel::kNormal, 3, "PersistNormal"},
        SyncCase{JournalModeKind::kPersist, SyncLevel::kFull, 4, "PersistFull"},
        // MEMORY and OFF: only the database.
        SyncCase{JournalModeKind::kMemory, SyncLevel::kFull, 1, "MemoryFull"},
        SyncCase{JournalModeKind::kOff, SyncLevel::kFull, 1, "OffFull"}),
    [](const ::testing::TestParamInfo<SyncCase>& i) { return i.param.name; });

}  // namespace
}  // namespace keel::storage
