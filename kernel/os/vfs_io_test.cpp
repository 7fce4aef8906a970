// Byte I/O and Vfs-level calls, on the unix and memory VFS alike.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "os/vfs_test_fixture.h"

namespace keel::os {
namespace {

using testing::VfsKind;
using testing::VfsTest;

TEST_P(VfsTest, WriteThenReadBack) {
  auto f = open_rw(path("a.db"));
  ASSERT_NE(f, nullptr);
  std::string data(5000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  ASSERT_TRUE(f->write(data.data(), data.size(), 100).ok());
  std::string back(data.size(), '\0');
  ASSERT_TRUE(f->read(back.data(), back.size(), 100).ok());
  EXPECT_EQ(back, data);
  auto size = f->size();
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 5100u);
  // The gap before the first write reads as zeros.
  char head[100];
  ASSERT_TRUE(f->read(head, sizeof head, 0).ok());
  for (char c : head) EXPECT_EQ(c, 0);
}

TEST_P(VfsTest, ShortReadZeroFills) {
  auto f = open_rw(path("short.db"));
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(f->write("abcdef", 6, 0).ok());
  char buf[16];
  std::memset(buf, 0x55, sizeof buf);
  Status st = f->read(buf, sizeof buf, 2);
  EXPECT_EQ(st.code(), rc::kIoErrShortRead);
  EXPECT_EQ(std::string(buf, 4), "cdef");
  for (size_t i = 4; i < sizeof buf; ++i) EXPECT_EQ(buf[i], 0) << i;
  // Entirely past the end: all zeros.
  std::memset(buf, 0x55, sizeof buf);
  EXPECT_EQ(f->read(buf, sizeof buf, 1000).code(), rc::kIoErrShortRead);
  for (char c : buf) EXPECT_EQ(c, 0);
}

TEST_P(VfsTest, TruncateShrinksAndGrows) {
  auto f = open_rw(path("t.db"));
  ASSERT_NE(f, nullptr);
  std::vector<char> page(4096, 'p');
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(f->write(page.data(), page.size(), i * 4096ull).ok());
  ASSERT_TRUE(f->truncate(4096).ok());
  EXPECT_EQ(*f->size(), 4096u);
  char c;
  EXPECT_EQ(f->read(&c, 1, 4096).code(), rc::kIoErrShortRead);
  ASSERT_TRUE(f->truncate(10000).ok());
  EXPECT_EQ(*f->size(), 10000u);
  ASSERT_TRUE(f->read(&c, 1, 9999).ok());
  EXPECT_EQ(c, 0);
  ASSERT_TRUE(f->sync(SyncFlags::kNormal).ok());
  ASSERT_TRUE(f->sync(SyncFlags::kDataOnly).ok());
}

TEST_P(VfsTest, TwoHandlesShareBytes) {
  std::string p = path("shared.db");
  auto a = open_rw(p);
  auto b = open_rw(p);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->write("hello", 5, 10).ok());
  char buf[5];
  ASSERT_TRUE(b->read(buf, 5, 10).ok());
  EXPECT_EQ(std::string(buf, 5), "hello");
  EXPECT_EQ(*b->size(), 15u);
}

TEST_P(VfsTest, OpenFlagsAndExistence) {
  std::string p = path("flags.db");
  OpenFlags plain;  // no create
  auto missing = vfs().open(p, plain);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().primary(), rc::kCantOpen);
  EXPECT_FALSE(*vfs().exists(p));

  auto f = open_rw(p);
  ASSERT_NE(f, nullptr);
  // An empty file does not "exist" (SQLITE_ACCESS_EXISTS), a non-empty one does.
  EXPECT_FALSE(*vfs().exists(p));
  ASSERT_TRUE(f->write("x", 1, 0).ok());
  EXPECT_TRUE(*vfs().exists(p));
  EXPECT_TRUE(*vfs().is_writable(p));

  OpenFlags excl;
  excl.create = true;
  excl.exclusive = true;
  auto again = vfs().open(p, excl);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().primary(), rc::kCantOpen);

  f.reset();
  ASSERT_TRUE(vfs().remove(p, true).ok());
  EXPECT_FALSE(*vfs().exists(p));
  EXPECT_EQ(vfs().remove(p, false).code(), rc::kIoErrDeleteNoEnt);
}

TEST_P(VfsTest, DeleteOnCloseAndAnonymousTemp) {
  std::string p = path("doc.tmp");
  OpenFlags flags;
  flags.create = true;
  flags.delete_on_close = true;
  flags.kind = FileKind::kTempDb;
  {
    auto f = vfs().open(p, flags);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->write("data", 4, 0).ok());
    char buf[4];
    ASSERT_TRUE((*f)->read(buf, 4, 0).ok());
  }
  EXPECT_FALSE(*vfs().exists(p));
  auto anon = vfs().open("", flags);
  ASSERT_TRUE(anon.ok()) << anon.status().to_string();
  ASSERT_TRUE((*anon)->write("zz", 2, 4096).ok());
  EXPECT_EQ(*(*anon)->size(), 4098u);
}

TEST_P(VfsTest, TimeAndRandomness) {
  int64_t now = vfs().current_time_ms();
  // 2020-01-01 is Julian day 2458849.5; the clock must be after it.
  EXPECT_GT(now, static_cast<int64_t>(2458849.5 * 86400000.0));
  unsigned char a[32] = {}, b[32] = {};
  vfs().randomness(a, sizeof a);
  vfs().randomness(b, sizeof b);
  EXPECT_NE(std::memcmp(a, b, sizeof a), 0);
}

INSTANTIATE_TEST_SUITE_P(Vfs, VfsTest, ::testing::Values(VfsKind::kUnix, VfsKind::kMemory),
                         testing::vfs_kind_name);

// --- unix only --------------------------------------------------------------

TEST(UnixVfs, FullPathnameNormalizesAndResolvesSymlinks) {
  testing::TempDir dir;
  Vfs& vfs = default_vfs();
  auto real_dir = vfs.full_pathname(dir.path());
  ASSERT_TRUE(real_dir.ok());
  ASSERT_EQ(::mkdir(dir.file("sub").c_str(), 0755), 0);
  ASSERT_EQ(::symlink("sub", dir.file("link").c_str()), 0);
  auto p = vfs.full_pathname(dir.path() + "//./link/../sub/./x.db");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, *real_dir + "/sub/x.db");
  auto via_link = vfs.full_pathname(dir.path() + "/link/x.db");
  ASSERT_TRUE(via_link.ok());
  EXPECT_EQ(*via_link, *real_dir + "/sub/x.db");

  char cwd[4096];
  ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
  ASSERT_EQ(::chdir(dir.path().c_str()), 0);
  auto rel = vfs.full_pathname("sub/y.db");
  ASSERT_EQ(::chdir(cwd), 0);
  ASSERT_TRUE(rel.ok());
  EXPECT_EQ(*rel, *real_dir + "/sub/y.db");
}

TEST(UnixVfs, CurrentTimeMatchesSqliteJulianDay) {
  testing::TempDir dir;
  int code = 0;
  std::string out = testing::run_sqlite3(dir.file("time.db"),
                                         "SELECT CAST(julianday('now') * 86400000 AS INTEGER);", &code);
  ASSERT_EQ(code, 0) << out;
  int64_t theirs = std::stoll(out);
  int64_t ours = default_vfs().current_time_ms();
  EXPECT_LT(std::llabs(ours - theirs), 10000) << ours << " vs " << theirs;
}

TEST(UnixVfs, OpenDirectoryFails) {
  testing::TempDir dir;
  OpenFlags flags;
  auto r = default_vfs().open(dir.path(), flags);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().primary(), rc::kCantOpen);
}

TEST(UnixVfs, JournalTakesDatabasePermissions) {
  testing::TempDir dir;
  std::string db = dir.file("perm.db");
  OpenFlags flags;
  flags.create = true;
  auto f = default_vfs().open(db, flags);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(::chmod(db.c_str(), 0600), 0);
  flags.kind = FileKind::kMainJournal;
  auto j = default_vfs().open(db + "-journal", flags);
  ASSERT_TRUE(j.ok());
  ASSERT_TRUE((*j)->write("j", 1, 0).ok());
  ASSERT_TRUE((*j)->sync(SyncFlags::kFull).ok());  // also syncs the directory
  struct stat st;
  ASSERT_EQ(::stat((db + "-journal").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(UnixVfs, ReadOnlyOpenRejectsWrites) {
  testing::TempDir dir;
  std::string db = dir.file("ro.db");
  OpenFlags flags;
  flags.create = true;
  { ASSERT_TRUE(default_vfs().open(db, flags).ok()); }
  OpenFlags ro;
  ro.read_only = true;
  auto f = default_vfs().open(db, ro);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->write("x", 1, 0).code(), rc::kIoErrWrite);
}

TEST(UnixVfs, RefusedReadWriteFallsBackToReadOnly) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores file permissions";
  testing::TempDir dir;
  std::string db = dir.file("locked.db");
  OpenFlags flags;
  flags.create = true;
  {
    auto f = default_vfs().open(db, flags);
    ASSERT_TRUE(f.ok());
    EXPECT_FALSE((*f)->opened_read_only());
  }
  ASSERT_EQ(::chmod(db.c_str(), 0444), 0);
  auto f = default_vfs().open(db, flags);
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_TRUE((*f)->opened_read_only());
  EXPECT_EQ((*f)->write("x", 1, 0).code(), rc::kIoErrWrite);
  // A new journal in a directory that refuses it.
  ASSERT_EQ(::chmod(dir.path().c_str(), 0555), 0);
  flags.kind = FileKind::kMainJournal;
  auto j = default_vfs().open(db + "-journal", flags);
  ::chmod(dir.path().c_str(), 0755);
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), rc::kReadOnlyDirectory);
}

}  // namespace
}  // namespace keel::os

namespace keel::os {
namespace {

// --- memory only --------------------------------------------------------------

TEST(MemoryVfs, RemovedFileStaysReadableThroughOpenHandles) {
  Vfs& vfs = memory_vfs();
  OpenFlags flags;
  flags.create = true;
  auto f = std::move(vfs.open("mem-unlink.db", flags)).value();
  ASSERT_TRUE(f->write("keep", 4, 0).ok());
  ASSERT_TRUE(vfs.remove("mem-unlink.db", false).ok());
  EXPECT_FALSE(*vfs.exists("mem-unlink.db"));
  char buf[4];
  ASSERT_TRUE(f->read(buf, 4, 0).ok());
  EXPECT_EQ(std::string(buf, 4), "keep");
  // The name is free again: a new open creates a new, empty file.
  auto g = std::move(vfs.open("mem-unlink.db", flags)).value();
  EXPECT_EQ(*g->size(), 0u);
  ASSERT_TRUE(vfs.remove("mem-unlink.db", false).ok());
}

TEST(MemoryVfs, DeleteOnCloseWaitsForTheLastHandle) {
  Vfs& vfs = memory_vfs();
  OpenFlags flags;
  flags.create = true;
  flags.delete_on_close = true;
  auto a = std::move(vfs.open("mem-doc.db", flags)).value();
  ASSERT_TRUE(a->write("x", 1, 0).ok());
  OpenFlags plain;
  auto b = std::move(vfs.open("mem-doc.db", plain)).value();
  a.reset();
  EXPECT_TRUE(*vfs.exists("mem-doc.db"));  // b still has it open
  b.reset();
  EXPECT_FALSE(*vfs.exists("mem-doc.db"));
  EXPECT_FALSE(vfs.open("mem-doc.db", plain).ok());
}

TEST(MemoryVfs, NamesAreOpaque) {
  Vfs& vfs = memory_vfs();
  EXPECT_EQ(*vfs.full_pathname("a/../b.db"), "a/../b.db");
  EXPECT_EQ(vfs.name(), "memdb");
  EXPECT_EQ(default_vfs().name(), "unix");
}

}  // namespace
}  // namespace keel::os
