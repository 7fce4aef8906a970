// Wal-index shared memory: mapping, shm locks between connections, the DMS
// handshake, and interop with SQLite processes on a WAL database.
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "os/vfs_test_fixture.h"

namespace keel::os {
namespace {

using testing::VfsKind;
using testing::VfsTest;

using ShmTest = VfsTest;

constexpr int kLockSh = kShmLock | kShmShared;
constexpr int kLockEx = kShmLock | kShmExclusive;
constexpr int kUnlockSh = kShmUnlock | kShmShared;
constexpr int kUnlockEx = kShmUnlock | kShmExclusive;

TEST_P(ShmTest, MapExtendsAndSharesRegions) {
  std::string p = path("w.db");
  auto a = open_rw(p);
  auto b = open_rw(p);
  volatile void* ra = nullptr;
  ASSERT_TRUE(a->shm_map(0, false, &ra).ok());
  EXPECT_EQ(ra, nullptr);  // not allocated and not asked to extend
  ASSERT_TRUE(a->shm_map(1, true, &ra).ok());
  ASSERT_NE(ra, nullptr);
  for (int i = 0; i < kShmRegionSize; ++i) ASSERT_EQ(static_cast<volatile char*>(ra)[i], 0);
  volatile void* a0 = nullptr;
  ASSERT_TRUE(a->shm_map(0, false, &a0).ok());  // extending to 1 allocated 0 too
  ASSERT_NE(a0, nullptr);
  static_cast<volatile char*>(a0)[100] = 42;
  static_cast<volatile char*>(ra)[kShmRegionSize - 1] = 7;
  a->shm_barrier();

  volatile void* b0 = nullptr;
  volatile void* b1 = nullptr;
  ASSERT_TRUE(b->shm_map(0, false, &b0).ok());
  ASSERT_TRUE(b->shm_map(1, false, &b1).ok());
  ASSERT_TRUE(b0 && b1);
  EXPECT_EQ(static_cast<volatile char*>(b0)[100], 42);
  EXPECT_EQ(static_cast<volatile char*>(b1)[kShmRegionSize - 1], 7);
  volatile void* b2 = nullptr;
  ASSERT_TRUE(b->shm_map(2, false, &b2).ok());
  EXPECT_EQ(b2, nullptr);

  // While one connection keeps it mapped the contents survive the other's unmap.
  ASSERT_TRUE(a->shm_unmap(false).ok());
  EXPECT_EQ(static_cast<volatile char*>(b0)[100], 42);
  ASSERT_TRUE(b->shm_unmap(false).ok());
}

TEST_P(ShmTest, LocksBetweenConnections) {
  std::string p = path("locks.db");
  auto a = open_rw(p);
  auto b = open_rw(p);
  volatile void* r;
  ASSERT_TRUE(a->shm_map(0, true, &r).ok());
  ASSERT_TRUE(b->shm_map(0, true, &r).ok());

  // Readers share a slot; a writer cannot take it.
  ASSERT_TRUE(a->shm_lock(3, 1, kLockSh).ok());
  ASSERT_TRUE(b->shm_lock(3, 1, kLockSh).ok());
  EXPECT_EQ(b->shm_lock(3, 1, kUnlockSh).code(), rc::kOk);
  EXPECT_EQ(b->shm_lock(3, 1, kLockEx).code(), rc::kBusy);
  EXPECT_EQ(b->shm_lock(2, 3, kLockEx).code(), rc::kBusy);  // a range covering slot 3
  ASSERT_TRUE(a->shm_lock(3, 1, kUnlockSh).ok());
  ASSERT_TRUE(b->shm_lock(3, 1, kLockEx).ok());
  EXPECT_EQ(a->shm_lock(3, 1, kLockSh).code(), rc::kBusy);

  // The write lock (slot 0) excludes a second writer, and ranges work.
  ASSERT_TRUE(a->shm_lock(0, 1, kLockEx).ok());
  EXPECT_EQ(b->shm_lock(0, 1, kLockEx).code(), rc::kBusy);
  EXPECT_EQ(b->shm_lock(0, 1, kLockSh).code(), rc::kBusy);
  ASSERT_TRUE(a->shm_lock(4, 4, kLockEx).ok());
  EXPECT_EQ(b->shm_lock(7, 1, kLockSh).code(), rc::kBusy);
  ASSERT_TRUE(a->shm_lock(4, 4, kUnlockEx).ok());
  ASSERT_TRUE(b->shm_lock(7, 1, kLockSh).ok());

  // Unmapping drops whatever a connection still holds.
  ASSERT_TRUE(a->shm_unmap(false).ok());
  ASSERT_TRUE(b->shm_lock(0, 1, kLockEx).ok());
  ASSERT_TRUE(b->shm_lock(0, 1, kUnlockEx).ok());
  ASSERT_TRUE(b->shm_lock(3, 1, kUnlockEx).ok());
  ASSERT_TRUE(b->shm_lock(7, 1, kUnlockSh).ok());
  // A fresh attach of a: b holds nothing now, so everything is free.
  ASSERT_TRUE(a->shm_map(0, false, &r).ok());
  ASSERT_TRUE(a->shm_lock(0, 8, kLockEx).ok());
  ASSERT_TRUE(a->shm_lock(0, 8, kUnlockEx).ok());
}

TEST_P(ShmTest, LastUnmapForgetsContents) {
  std::string p = path("forget.db");
  auto a = open_rw(p);
  volatile void* r;
  ASSERT_TRUE(a->shm_map(0, true, &r).ok());
  static_cast<volatile char*>(r)[100] = 9;
  ASSERT_TRUE(a->shm_unmap(false).ok());
  // Nobody uses the wal-index any more: the next user must start from zeros
  // (past the 3 bytes SQLite's truncation leaves, see unix_shm.cpp).
  ASSERT_TRUE(a->shm_map(0, true, &r).ok());
  EXPECT_EQ(static_cast<volatile char*>(r)[100], 0);
  ASSERT_TRUE(a->shm_unmap(true).ok());
}

INSTANTIATE_TEST_SUITE_P(Vfs, ShmTest, ::testing::Values(VfsKind::kUnix, VfsKind::kMemory),
                         testing::vfs_kind_name);

// --- unix: the -shm file, the DMS handshake, SQLite interop -------------------

uint64_t file_size(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : UINT64_MAX;
}

TEST(UnixShm, FirstOpenerDiscardsStaleContents) {
  testing::TempDir dir;
  std::string db = dir.file("stale.db");
  {
    std::ofstream shm(db + "-shm", std::ios::binary);
    std::string junk(65536, '\xAB');
    shm.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  OpenFlags flags;
  flags.create = true;
  auto f = default_vfs().open(db, flags);
  ASSERT_TRUE(f.ok());
  volatile void* r = nullptr;
  // The file was truncated by the handshake: region 0 does not exist yet.
  ASSERT_TRUE((*f)->shm_map(0, false, &r).ok());
  EXPECT_EQ(r, nullptr);
  EXPECT_EQ(file_size(db + "-shm"), 3u);
  ASSERT_TRUE((*f)->shm_map(0, true, &r).ok());
  ASSERT_NE(r, nullptr);
  // SQLite truncates to 3 bytes, not 0: bytes 0..2 may keep stale values
  // (the wal-index header check rejects them); everything after is zero.
  for (int i = 3; i < kShmRegionSize; ++i) ASSERT_EQ(static_cast<volatile unsigned char*>(r)[i], 0) << i;
  EXPECT_EQ(file_size(db + "-shm"), static_cast<uint64_t>(kShmRegionSize));
  ASSERT_TRUE((*f)->shm_unmap(true).ok());
  EXPECT_EQ(file_size(db + "-shm"), UINT64_MAX);  // deleted
}

TEST(UnixShm, ReadOnlyShmWithoutLiveUserCannotInit) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores file permissions";
  testing::TempDir dir;
  std::string db = dir.file("ro.db");
  OpenFlags flags;
  flags.create = true;
  auto f = default_vfs().open(db, flags);
  ASSERT_TRUE(f.ok());
  {
    std::ofstream shm(db + "-shm", std::ios::binary);
    shm << std::string(kShmRegionSize, '\0');
  }
  ASSERT_EQ(::chmod((db + "-shm").c_str(), 0444), 0);
  volatile void* r = nullptr;
  // Nobody holds DMS and this process cannot truncate: contents untrusted.
  EXPECT_EQ((*f)->shm_map(0, false, &r).code(), rc::kReadOnlyCantInit);
  EXPECT_EQ(r, nullptr);
  EXPECT_EQ((*f)->shm_map(0, false, &r).code(), rc::kReadOnlyCantInit);  // retried each time
  ASSERT_TRUE((*f)->shm_unmap(false).ok());
}

class UnixShmInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.file("wal.db");
    int code = 0;
    std::string out = testing::run_sqlite3(
        db_, "PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES(1);", &code);
    ASSERT_EQ(code, 0) << out;
  }
  testing::Child sqlite_child(const char* sql) {
    std::string db = db_;
    return testing::Child([db, sql](testing::Child& self) {
      sqlite3* conn = nullptr;
      if (sqlite3_open(db.c_str(), &conn) != SQLITE_OK) return false;
      bool ok = sqlite3_exec(conn, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
      self.ready();
      self.wait_for_parent();
      sqlite3_exec(conn, "COMMIT;", nullptr, nullptr, nullptr);
      sqlite3_close(conn);
      return ok;
    });
  }
  std::unique_ptr<VfsFile> open_db() {
    OpenFlags flags;
    auto r = default_vfs().open(db_, flags);
    EXPECT_TRUE(r.ok());
    return r.ok() ? std::move(r).value() : nullptr;
  }
  testing::TempDir dir_;
  std::string db_;
};

TEST_F(UnixShmInterop, LiveSqliteIndexIsTrustedAndReadLockSeen) {
  // The child reads in WAL mode: it holds DMS shared and read-mark slot 3.
  auto child = sqlite_child("BEGIN; SELECT count(*) FROM t;");
  ASSERT_TRUE(child.wait_ready());
  auto f = open_db();
  volatile void* r = nullptr;
  ASSERT_TRUE(f->shm_map(0, false, &r).ok());
  ASSERT_NE(r, nullptr);  // SQLite's index, not truncated
  uint32_t version;
  std::memcpy(&version, const_cast<const void*>(r), sizeof version);
  EXPECT_EQ(version, 3007000u);  // WALINDEX_MAX_VERSION in the header
  EXPECT_EQ(f->shm_lock(3, 5, kLockEx).code(), rc::kBusy);
  ASSERT_TRUE(f->shm_lock(3, 1, kLockSh).ok());  // readers share
  ASSERT_TRUE(f->shm_lock(3, 1, kUnlockSh).ok());
  EXPECT_EQ(child.finish(), 0);
  EXPECT_TRUE(f->shm_lock(3, 5, kLockEx).ok());
  ASSERT_TRUE(f->shm_lock(3, 5, kUnlockEx).ok());
  ASSERT_TRUE(f->shm_unmap(false).ok());
}

TEST_F(UnixShmInterop, KeelWriteLockBlocksSqliteWriter) {
  // Let a child build a valid index, then hold the WAL write lock in Keel.
  auto child = sqlite_child("SELECT count(*) FROM t;");
  ASSERT_TRUE(child.wait_ready());
  auto f = open_db();
  volatile void* r = nullptr;
  ASSERT_TRUE(f->shm_map(0, false, &r).ok());
  ASSERT_NE(r, nullptr);
  ASSERT_TRUE(f->shm_lock(0, 1, kLockEx).ok());
  int code = 0;
  std::string out = testing::run_sqlite3(db_, "INSERT INTO t VALUES(2);", &code);
  EXPECT_NE(out.find("database is locked"), std::string::npos) << out;
  ASSERT_TRUE(f->shm_lock(0, 1, kUnlockEx).ok());
  out = testing::run_sqlite3(db_, "INSERT INTO t VALUES(2); SELECT count(*) FROM t;", &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(out, "2\n");
  EXPECT_EQ(child.finish(), 0);
  ASSERT_TRUE(f->shm_unmap(false).ok());
}

TEST_F(UnixShmInterop, SqliteWriterMakesKeelWriteLockBusy) {
  auto child = sqlite_child("BEGIN IMMEDIATE;");
  ASSERT_TRUE(child.wait_ready());
  auto f = open_db();
  volatile void* r = nullptr;
  ASSERT_TRUE(f->shm_map(0, false, &r).ok());
  EXPECT_EQ(f->shm_lock(0, 1, kLockEx).code(), rc::kBusy);
  EXPECT_EQ(child.finish(), 0);
  ASSERT_TRUE(f->shm_lock(0, 1, kLockEx).ok());
  ASSERT_TRUE(f->shm_lock(0, 1, kUnlockEx).ok());
  ASSERT_TRUE(f->shm_unmap(false).ok());
}

TEST_F(UnixShmInterop, SqliteSeesKeelAsLiveUser) {
  // Keel opens the -shm first (truncating it), then SQLite must trust Keel's
  // DMS read lock and keep the contents Keel wrote.
  auto f = open_db();
  volatile void* r = nullptr;
  ASSERT_TRUE(f->shm_map(0, true, &r).ok());
  // Leave a marker in an unused part of the index (past the hash tables'
  // reach for this tiny WAL, so SQLite's recovery does not overwrite it).
  static_cast<volatile char*>(r)[kShmRegionSize - 1] = 0x5A;
  auto child = testing::Child([db = db_](testing::Child& self) {
    sqlite3* conn = nullptr;
    if (sqlite3_open(db.c_str(), &conn) != SQLITE_OK) return false;
    bool ok = sqlite3_exec(conn, "SELECT count(*) FROM t;", nullptr, nullptr, nullptr) == SQLITE_OK;
    self.ready();
    self.wait_for_parent();
    sqlite3_close(conn);
    return ok;
  });
  ASSERT_TRUE(child.wait_ready());
  // Had SQLite not seen Keel's DMS lock it would have truncated the file.
  ASSERT_GE(file_size(db_ + "-shm"), static_cast<uint64_t>(kShmRegionSize));
  EXPECT_EQ(static_cast<volatile char*>(r)[kShmRegionSize - 1], 0x5A);
  EXPECT_EQ(child.finish(), 0);
  ASSERT_TRUE(f->shm_unmap(false).ok());
}

}  // namespace
}  // namespace keel::os
