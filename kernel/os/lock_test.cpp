// File locks: two connections in one process (unix and memory VFS), closing
// an fd while the inode is locked, and cross-process interop with SQLite.
#include <dirent.h>
#include <sqlite3.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <vector>

#include "os/vfs_test_fixture.h"

namespace keel::os {
namespace {

using testing::VfsKind;
using testing::VfsTest;

using LockTest = VfsTest;

TEST_P(LockTest, SharedAndSharedCoexist) {
  std::string p = path("l.db");
  auto a = open_rw(p);
  auto b = open_rw(p);
  ASSERT_TRUE(a->lock(LockLevel::kShared).ok());
  ASSERT_TRUE(b->lock(LockLevel::kShared).ok());
  EXPECT_EQ(a->lock_level(), LockLevel::kShared);
  EXPECT_EQ(b->lock_level(), LockLevel::kShared);
  EXPECT_FALSE(*a->check_reserved_lock());
  ASSERT_TRUE(a->unlock(LockLevel::kNone).ok());
  ASSERT_TRUE(b->unlock(LockLevel::kNone).ok());
}

TEST_P(LockTest, ReservedExcludesReserved) {
  std::string p = path("r.db");
  auto a = open_rw(p);
  auto b = open_rw(p);
  ASSERT_TRUE(a->lock(LockLevel::kShared).ok());
  ASSERT_TRUE(a->lock(LockLevel::kReserved).ok());
  EXPECT_TRUE(*b->check_reserved_lock());
  ASSERT_TRUE(b->lock(LockLevel::kShared).ok());  // readers still welcome
  EXPECT_EQ(b->lock(LockLevel::kReserved).code(), rc::kBusy);
  EXPECT_EQ(b->lock_level(), LockLevel::kShared);
  ASSERT_TRUE(a->unlock(LockLevel::kShared).ok());
  EXPECT_FALSE(*b->check_reserved_lock());
  EXPECT_TRUE(b->lock(LockLevel::kReserved).ok());
  EXPECT_EQ(a->lock(LockLevel::kReserved).code(), rc::kBusy);
}

TEST_P(LockTest, ExclusiveWaitsForReadersAsPending) {
  std::string p = path("x.db");
  auto a = open_rw(p);
  auto b = open_rw(p);
  ASSERT_TRUE(a->lock(LockLevel::kShared).ok());
  ASSERT_TRUE(b->lock(LockLevel::kShared).ok());
  ASSERT_TRUE(a->lock(LockLevel::kReserved).ok());
  // b still reads: a gets BUSY but keeps PENDING, which shuts out new readers.
  EXPECT_EQ(a->lock(LockLevel::kExclusive).code(), rc::kBusy);
  EXPECT_EQ(a->lock_level(), LockLevel::kPending);
  EXPECT_TRUE(*b->check_reserved_lock());
  ASSERT_TRUE(b->unlock(LockLevel::kNone).ok());
  EXPECT_EQ(b->lock(LockLevel::kShared).code(), rc::kBusy);
  EXPECT_EQ(b->lock_level(), LockLevel::kNone);
  // The last reader is gone: the retry completes.
  ASSERT_TRUE(a->lock(LockLevel::kExclusive).ok());
  EXPECT_EQ(a->lock_level(), LockLevel::kExclusive);
  EXPECT_EQ(b->lock(LockLevel::kShared).code(), rc::kBusy);
  ASSERT_TRUE(a->unlock(LockLevel::kShared).ok());
  ASSERT_TRUE(b->lock(LockLevel::kShared).ok());
}

TEST_P(LockTest, SharedStraightToExclusive) {
  // The pager does this to roll back a hot journal: no RESERVED on the way.
  std::string p = path("hot.db");
  auto a = open_rw(p);
  auto b = open_rw(p);
  ASSERT_TRUE(a->lock(LockLevel::kShared).ok());
  ASSERT_TRUE(a->lock(LockLevel::kExclusive).ok());
  EXPECT_EQ(b->lock(LockLevel::kShared).code(), rc::kBusy);
  ASSERT_TRUE(a->unlock(LockLevel::kNone).ok());
  ASSERT_TRUE(b->lock(LockLevel::kShared).ok());
  EXPECT_EQ(a->lock(LockLevel::kShared).code(), rc::kOk);
  EXPECT_EQ(a->lock(LockLevel::kExclusive).code(), rc::kBusy);
  EXPECT_EQ(a->lock_level(), LockLevel::kPending);
  ASSERT_TRUE(a->unlock(LockLevel::kNone).ok());
  EXPECT_EQ(a->lock_level(), LockLevel::kNone);
  ASSERT_TRUE(b->lock(LockLevel::kReserved).ok());
  ASSERT_TRUE(b->lock(LockLevel::kExclusive).ok());
}

TEST_P(LockTest, ClosingAHandleReleasesItsLocks) {
  std::string p = path("c.db");
  auto a = open_rw(p);
  auto b = open_rw(p);
  ASSERT_TRUE(a->lock(LockLevel::kShared).ok());
  ASSERT_TRUE(a->lock(LockLevel::kExclusive).ok());
  a.reset();
  ASSERT_TRUE(b->lock(LockLevel::kShared).ok());
  ASSERT_TRUE(b->lock(LockLevel::kExclusive).ok());
}

INSTANTIATE_TEST_SUITE_P(Vfs, LockTest, ::testing::Values(VfsKind::kUnix, VfsKind::kMemory),
                         testing::vfs_kind_name);

// --- unix: POSIX lock quirks and interop with SQLite ------------------------

class UnixLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.file("t.db");
    int code = 0;
    std::string out = testing::run_sqlite3(db_, "CREATE TABLE t(x); INSERT INTO t VALUES(1);", &code);
    ASSERT_EQ(code, 0) << out;
  }
  std::unique_ptr<VfsFile> open_db() {
    OpenFlags flags;
    auto r = default_vfs().open(db_, flags);
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    return r.ok() ? std::move(r).value() : nullptr;
  }
  // True if the sqlite3 CLI reports "database is locked" for sql.
  bool sqlite_locked_out(const std::string& sql) {
    int code = 0;
    std::string out = testing::run_sqlite3(db_, sql, &code);
    bool locked = out.find("database is locked") != std::string::npos;
    EXPECT_TRUE(locked || code == 0) << out;
    return locked;
  }

  testing::TempDir dir_;
  std::string db_;
};

int count_open_fds() {
  int n = 0;
  DIR* d = ::opendir("/proc/self/fd");
  if (!d) return -1;
  while (::readdir(d)) ++n;
  ::closedir(d);
  return n;
}

TEST_F(UnixLockTest, KeelReservedBlocksSqliteWriter) {
  auto f = open_db();
  ASSERT_TRUE(f->lock(LockLevel::kShared).ok());
  ASSERT_TRUE(f->lock(LockLevel::kReserved).ok());
  EXPECT_TRUE(sqlite_locked_out("BEGIN IMMEDIATE;"));
  EXPECT_FALSE(sqlite_locked_out("SELECT count(*) FROM t;"));  // readers pass
  ASSERT_TRUE(f->unlock(LockLevel::kNone).ok());
  EXPECT_FALSE(sqlite_locked_out("BEGIN IMMEDIATE; INSERT INTO t VALUES(2); COMMIT;"));
}

TEST_F(UnixLockTest, KeelSharedBlocksSqliteCommit) {
  auto f = open_db();
  ASSERT_TRUE(f->lock(LockLevel::kShared).ok());
  EXPECT_TRUE(sqlite_locked_out("INSERT INTO t VALUES(3);"));
  EXPECT_TRUE(sqlite_locked_out("BEGIN EXCLUSIVE;"));
  ASSERT_TRUE(f->unlock(LockLevel::kNone).ok());
  EXPECT_FALSE(sqlite_locked_out("INSERT INTO t VALUES(3);"));
}

TEST_F(UnixLockTest, KeelExclusiveBlocksSqliteReader) {
  auto f = open_db();
  ASSERT_TRUE(f->lock(LockLevel::kShared).ok());
  ASSERT_TRUE(f->lock(LockLevel::kExclusive).ok());
  EXPECT_TRUE(sqlite_locked_out("SELECT count(*) FROM t;"));
  ASSERT_TRUE(f->unlock(LockLevel::kShared).ok());
  EXPECT_FALSE(sqlite_locked_out("SELECT count(*) FROM t;"));
}

// A child process holds a lock through libsqlite3; Keel must see it.
testing::Child sqlite_child(const std::string& db, const char* sql) {
  return testing::Child([db, sql](testing::Child& self) {
    sqlite3* conn = nullptr;
    if (sqlite3_open(db.c_str(), &conn) != SQLITE_OK) return false;
    bool ok = sqlite3_exec(conn, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
    self.ready();
    self.wait_for_parent();
    sqlite3_close(conn);
    return ok;
  });
}

TEST_F(UnixLockTest, SqliteExclusiveMakesKeelBusy) {
  auto child = sqlite_child(db_, "BEGIN EXCLUSIVE;");
  ASSERT_TRUE(child.wait_ready());
  auto f = open_db();
  EXPECT_EQ(f->lock(LockLevel::kShared).code(), rc::kBusy);
  EXPECT_EQ(f->lock_level(), LockLevel::kNone);
  EXPECT_TRUE(*f->check_reserved_lock());
  EXPECT_EQ(child.finish(), 0);
  ASSERT_TRUE(f->lock(LockLevel::kShared).ok());
  ASSERT_TRUE(f->lock(LockLevel::kExclusive).ok());
}

TEST_F(UnixLockTest, SqliteReservedMakesKeelWriterBusy) {
  auto child = sqlite_child(db_, "BEGIN IMMEDIATE;");
  ASSERT_TRUE(child.wait_ready());
  auto f = open_db();
  ASSERT_TRUE(f->lock(LockLevel::kShared).ok());
  EXPECT_TRUE(*f->check_reserved_lock());
  EXPECT_EQ(f->lock(LockLevel::kReserved).code(), rc::kBusy);
  EXPECT_EQ(f->lock(LockLevel::kExclusive).code(), rc::kBusy);
  EXPECT_EQ(f->lock_level(), LockLevel::kPending);
  ASSERT_TRUE(f->unlock(LockLevel::kNone).ok());
  EXPECT_EQ(child.finish(), 0);
  ASSERT_TRUE(f->lock(LockLevel::kShared).ok());
  EXPECT_FALSE(*f->check_reserved_lock());
  ASSERT_TRUE(f->lock(LockLevel::kReserved).ok());
}

TEST_F(UnixLockTest, SqliteReaderMakesKeelExclusiveBusy) {
  auto child = sqlite_child(db_, "BEGIN; SELECT count(*) FROM t;");
  ASSERT_TRUE(child.wait_ready());
  auto f = open_db();
  ASSERT_TRUE(f->lock(LockLevel::kShared).ok());
  ASSERT_TRUE(f->lock(LockLevel::kReserved).ok());
  EXPECT_EQ(f->lock(LockLevel::kExclusive).code(), rc::kBusy);
  EXPECT_EQ(child.finish(), 0);
  EXPECT_TRUE(f->lock(LockLevel::kExclusive).ok());
}

TEST_F(UnixLockTest, KeelPendingShutsOutNewSqliteReaders) {
  auto child = sqlite_child(db_, "BEGIN; SELECT count(*) FROM t;");
  ASSERT_TRUE(child.wait_ready());
  auto f = open_db();
  ASSERT_TRUE(f->lock(LockLevel::kShared).ok());
  EXPECT_EQ(f->lock(LockLevel::kExclusive).code(), rc::kBusy);  // the child still reads
  ASSERT_EQ(f->lock_level(), LockLevel::kPending);
  EXPECT_TRUE(sqlite_locked_out("SELECT count(*) FROM t;"));  // PENDING byte blocks new readers
  EXPECT_EQ(child.finish(), 0);
  ASSERT_TRUE(f->lock(LockLevel::kExclusive).ok());
  ASSERT_TRUE(f->unlock(LockLevel::kNone).ok());
  EXPECT_FALSE(sqlite_locked_out("SELECT count(*) FROM t;"));
}

TEST_F(UnixLockTest, ClosingAnotherHandleKeepsLocks) {
  // POSIX drops every lock of the process on close() of ANY fd of the file;
  // the VFS must defer that close while a lock is held.
  int fds_before = count_open_fds();
  auto holder = open_db();
  ASSERT_TRUE(holder->lock(LockLevel::kShared).ok());
  ASSERT_TRUE(holder->lock(LockLevel::kReserved).ok());
  {
    auto other = open_db();
    ASSERT_TRUE(other->lock(LockLevel::kShared).ok());
    ASSERT_TRUE(other->unlock(LockLevel::kNone).ok());
  }  // closed while `holder` still locks the inode
  EXPECT_TRUE(sqlite_locked_out("BEGIN IMMEDIATE;"));
  EXPECT_EQ(count_open_fds(), fds_before + 2);  // holder's fd + the parked one
  ASSERT_TRUE(holder->unlock(LockLevel::kNone).ok());
  EXPECT_EQ(count_open_fds(), fds_before + 1);  // parked fd closed with the last lock
  EXPECT_FALSE(sqlite_locked_out("BEGIN IMMEDIATE; COMMIT;"));
  holder.reset();
  EXPECT_EQ(count_open_fds(), fds_before);
}

TEST_F(UnixLockTest, ClosingLockedHandleReleasesForOtherProcesses) {
  auto f = open_db();
  ASSERT_TRUE(f->lock(LockLevel::kShared).ok());
  ASSERT_TRUE(f->lock(LockLevel::kExclusive).ok());
  f.reset();
  EXPECT_FALSE(sqlite_locked_out("BEGIN EXCLUSIVE; COMMIT;"));
}

}  // namespace
}  // namespace keel::os

namespace keel::os {
namespace {

// Increments a counter stored in the file's first 8 bytes `rounds` times,
// each under an EXCLUSIVE lock obtained the way the pager does (SHARED,
// RESERVED, EXCLUSIVE, retrying on BUSY). Returns false on an unexpected error.
bool increment_under_lock(Vfs& vfs, const std::string& p, int rounds) {
  OpenFlags flags;
  flags.create = true;
  auto opened = vfs.open(p, flags);
  if (!opened.ok()) return false;
  VfsFile& f = **opened;
  for (int i = 0; i < rounds;) {
    Status st = f.lock(LockLevel::kShared);
    if (st.is(rc::kBusy)) {
      vfs.sleep_micros(50);
      continue;
    }
    if (!st.ok()) return false;
    // Under SHARED no writer may change the bytes.
    uint64_t a = 0, b = 0;
    (void)f.read(&a, sizeof a, 0);
    std::this_thread::yield();
    (void)f.read(&b, sizeof b, 0);
    if (a != b) return false;
    st = f.lock(LockLevel::kReserved);
    if (st.is(rc::kBusy)) {
      if (!f.unlock(LockLevel::kNone).ok()) return false;
      vfs.sleep_micros(50);
      continue;
    }
    if (!st.ok()) return false;
    while ((st = f.lock(LockLevel::kExclusive)).is(rc::kBusy)) vfs.sleep_micros(50);
    if (!st.ok()) return false;
    uint64_t v = 0;
    (void)f.read(&v, sizeof v, 0);
    ++v;
    if (!f.write(&v, sizeof v, 0).ok()) return false;
    if (!f.unlock(LockLevel::kNone).ok()) return false;
    ++i;
  }
  return true;
}

uint64_t read_counter(Vfs& vfs, const std::string& p) {
  auto f = std::move(vfs.open(p, OpenFlags{})).value();
  uint64_t v = 0;
  EXPECT_TRUE(f->read(&v, sizeof v, 0).ok());
  return v;
}

using LockStressTest = testing::VfsTest;

TEST_P(LockStressTest, ThreadsExcludeEachOther) {
  std::string p = path("counter.db");
  constexpr int kThreads = 4, kRounds = 150;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      if (!increment_under_lock(vfs(), p, kRounds)) failures++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(read_counter(vfs(), p), static_cast<uint64_t>(kThreads * kRounds));
}

INSTANTIATE_TEST_SUITE_P(Vfs, LockStressTest, ::testing::Values(VfsKind::kUnix, VfsKind::kMemory),
                         testing::vfs_kind_name);

TEST(UnixLockStress, ProcessesExcludeEachOther) {
  testing::TempDir dir;
  std::string p = dir.file("counter.db");
  // Create the file without the VFS, so that forked children inherit no
  // in-process lock state for it.
  { std::ofstream(p, std::ios::binary).put('\0'); }
  constexpr int kRounds = 150;
  std::vector<std::unique_ptr<testing::Child>> children;
  for (int c = 0; c < 2; ++c) {
    children.push_back(std::make_unique<testing::Child>(
        [p](testing::Child&) { return increment_under_lock(default_vfs(), p, kRounds); }));
  }
  EXPECT_TRUE(increment_under_lock(default_vfs(), p, kRounds));
  for (auto& child : children) EXPECT_EQ(child->finish(), 0);
  EXPECT_EQ(read_counter(default_vfs(), p), 3u * kRounds);
}

}  // namespace
}  // namespace keel::os
