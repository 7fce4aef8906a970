// FaultVfs: Nth-call failures, power cuts that drop unsynced writes, the
// directory durability rule, and torn writes that depend only on the seed.
#include "os/fault_vfs.h"

#include <sys/stat.h>

#include <cstring>

#include "os/vfs_test_fixture.h"

namespace keel::os {
namespace {

using testing::VfsKind;

class FaultVfsTest : public testing::VfsTest {
 protected:
  std::unique_ptr<VfsFile> open_in(Vfs& v, const std::string& p, bool create = true) {
    OpenFlags flags;
    flags.create = create;
    auto r = v.open(p, flags);
    return r.ok() ? std::move(r).value() : nullptr;
  }
  // The whole file as seen through the base VFS, or "<absent>".
  std::string contents(const std::string& p) {
    OpenFlags flags;
    auto r = vfs().open(p, flags);
    if (!r.ok()) return "<absent>";
    uint64_t size = *(*r)->size();
    std::string bytes(size, '\0');
    EXPECT_TRUE((*r)->read(bytes.data(), size, 0).ok());
    return bytes;
  }
};

TEST_P(FaultVfsTest, FailsTheNthWriteOnce) {
  FaultVfs fault(vfs());
  auto f = open_in(fault, path("a.db"));
  ASSERT_NE(f, nullptr);
  fault.fail_nth(FaultOp::kWrite, 3);
  EXPECT_TRUE(f->write("1", 1, 0).ok());
  EXPECT_TRUE(f->write("2", 1, 1).ok());
  EXPECT_EQ(f->write("3", 1, 2).code(), rc::kIoErrWrite);
  EXPECT_TRUE(f->write("4", 1, 3).ok());
  EXPECT_EQ(fault.count(FaultOp::kWrite), 4u);
  EXPECT_EQ(fault.injected(FaultOp::kWrite), 1u);
  char buf[4];
  ASSERT_TRUE(f->read(buf, 4, 0).ok());
  EXPECT_EQ(std::string(buf, 4), std::string("12\0004", 4));  // the failed write wrote nothing
}

TEST_P(FaultVfsTest, PersistentFailureUntilCleared) {
  FaultVfs fault(vfs());
  auto f = open_in(fault, path("p.db"));
  fault.fail_nth(FaultOp::kSync, 2, /*persistent=*/true);
  EXPECT_TRUE(f->sync(SyncFlags::kNormal).ok());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(f->sync(SyncFlags::kNormal).code(), rc::kIoErrFsync);
  fault.clear_faults();
  EXPECT_TRUE(f->sync(SyncFlags::kNormal).ok());
  EXPECT_EQ(fault.count(FaultOp::kSync), 5u);
  EXPECT_EQ(fault.injected(FaultOp::kSync), 3u);
}

TEST_P(FaultVfsTest, EachOpHasItsCode) {
  FaultVfs fault(vfs());
  auto f = open_in(fault, path("c.db"));
  ASSERT_TRUE(f->write("abcd", 4, 0).ok());
  fault.fail_nth(FaultOp::kRead, 1);
  char buf[4] = {1, 1, 1, 1};
  EXPECT_EQ(f->read(buf, 4, 0).code(), rc::kIoErrRead);
  EXPECT_EQ(std::memcmp(buf, "\0\0\0\0", 4), 0);
  fault.fail_nth(FaultOp::kTruncate, 1);
  EXPECT_EQ(f->truncate(0).code(), rc::kIoErrTruncate);
  EXPECT_EQ(*f->size(), 4u);
  fault.fail_nth(FaultOp::kWrite, 1, false, rc::kFull);
  EXPECT_EQ(f->write("x", 1, 0).code(), rc::kFull);
  fault.fail_nth(FaultOp::kOpen, 1);
  OpenFlags flags;
  flags.create = true;
  auto r = fault.open(path("d.db"), flags);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), rc::kCantOpen);
}

TEST_P(FaultVfsTest, FaultsCanTargetOneKindOfFile) {
  FaultVfs fault(vfs());
  OpenFlags db_flags;
  db_flags.create = true;
  OpenFlags wal_flags = db_flags;
  wal_flags.kind = FileKind::kWal;
  auto db = std::move(fault.open(path("k.db"), db_flags)).value();
  auto wal = std::move(fault.open(path("k.db-wal"), wal_flags)).value();
  FaultSpec spec;
  spec.op = FaultOp::kWrite;
  spec.n = 2;
  spec.only_kind = FileKind::kWal;
  fault.inject(spec);
  EXPECT_TRUE(db->write("a", 1, 0).ok());   // not counted
  EXPECT_TRUE(wal->write("a", 1, 0).ok());  // 1st WAL write
  EXPECT_TRUE(db->write("b", 1, 1).ok());
  EXPECT_EQ(wal->write("b", 1, 1).code(), rc::kIoErrWrite);  // 2nd WAL write
  EXPECT_TRUE(wal->write("c", 1, 2).ok());
  EXPECT_EQ(fault.count(FaultOp::kWrite), 5u);
  EXPECT_EQ(fault.injected(FaultOp::kWrite), 1u);
}

TEST_P(FaultVfsTest, PowerCutRevertsUnsyncedWritesAndTruncates) {
  FaultVfs fault(vfs());
  std::string p = path("cut.db");
  auto f = open_in(fault, p);
  std::string durable(8192, 'd');
  ASSERT_TRUE(f->write(durable.data(), durable.size(), 0).ok());
  ASSERT_TRUE(f->sync(SyncFlags::kFull).ok());  // also makes the new file's entry durable
  ASSERT_TRUE(f->write("XXXX", 4, 100).ok());
  ASSERT_TRUE(f->truncate(1000).ok());
  ASSERT_TRUE(f->write("tail", 4, 20000).ok());
  EXPECT_EQ(fault.unsynced_bytes(), 8u);
  ASSERT_TRUE(fault.power_cut().ok());
  EXPECT_EQ(contents(p), durable);
  EXPECT_EQ(fault.unsynced_bytes(), 0u);
  // The old handle belongs to the "crashed" process.
  char c;
  EXPECT_EQ(f->read(&c, 1, 0).primary(), rc::kIoErr);
  EXPECT_EQ(f->write("z", 1, 0).primary(), rc::kIoErr);
  f.reset();
  // A fresh handle works, and synced data stays through a second cut.
  auto g = open_in(fault, p, false);
  ASSERT_NE(g, nullptr);
  ASSERT_TRUE(g->write("S", 1, 0).ok());
  ASSERT_TRUE(g->sync(SyncFlags::kNormal).ok());
  ASSERT_TRUE(g->write("U", 1, 1).ok());
  g.reset();
  ASSERT_TRUE(fault.power_cut().ok());
  EXPECT_EQ(contents(p), "S" + durable.substr(1));
}

TEST_P(FaultVfsTest, UnsyncedCreationIsLost) {
  FaultVfs fault(vfs());
  std::string p = path("new.db");
  {
    auto f = open_in(fault, p);
    ASSERT_TRUE(f->write("data", 4, 0).ok());
  }
  ASSERT_TRUE(fault.power_cut().ok());
  EXPECT_EQ(contents(p), "<absent>");
}

TEST_P(FaultVfsTest, SyncedCreationSurvives) {
  FaultVfs fault(vfs());
  std::string p = path("kept.db");
  {
    auto f = open_in(fault, p);
    ASSERT_TRUE(f->write("data", 4, 0).ok());
    ASSERT_TRUE(f->sync(SyncFlags::kNormal).ok());
  }
  ASSERT_TRUE(fault.power_cut().ok());
  EXPECT_EQ(contents(p), "data");
}

TEST_P(FaultVfsTest, DeletionNeedsDirectorySync) {
  FaultVfs fault(vfs());
  std::string a = path("a.journal");
  std::string b = path("b.journal");
  for (const auto& p : {a, b}) {
    auto f = open_in(fault, p);
    ASSERT_TRUE(f->write("durable", 7, 0).ok());
    ASSERT_TRUE(f->sync(SyncFlags::kNormal).ok());
    ASSERT_TRUE(f->write("LOST", 4, 0).ok());  // unsynced at deletion time
  }
  ASSERT_TRUE(fault.remove(a, /*sync_dir=*/false).ok());
  EXPECT_FALSE(*vfs().exists(a));
  ASSERT_TRUE(fault.power_cut().ok());
  EXPECT_EQ(contents(a), "durable");  // came back, with its durable bytes
  ASSERT_TRUE(fault.remove(a, false).ok());
  ASSERT_TRUE(fault.remove(b, /*sync_dir=*/true).ok());  // syncs the directory: both deletions
  ASSERT_TRUE(fault.power_cut().ok());
  EXPECT_EQ(contents(a), "<absent>");
  EXPECT_EQ(contents(b), "<absent>");
}

TEST_P(FaultVfsTest, RecreatedNameRevertsToOldFile) {
  FaultVfs fault(vfs());
  std::string p = path("re.db");
  {
    auto f = open_in(fault, p);
    ASSERT_TRUE(f->write("old", 3, 0).ok());
    ASSERT_TRUE(f->sync(SyncFlags::kNormal).ok());
  }
  ASSERT_TRUE(fault.remove(p, false).ok());
  {
    auto f = open_in(fault, p);
    ASSERT_TRUE(f->write("new!", 4, 0).ok());
  }
  ASSERT_TRUE(fault.power_cut().ok());
  EXPECT_EQ(contents(p), "old");
}

TEST_P(FaultVfsTest, WritesToARemovedFileDoNotLeakIntoItsSuccessor) {
  FaultVfs fault(vfs());
  std::string p = path("succ.db");
  auto old_handle = open_in(fault, p);
  ASSERT_TRUE(old_handle->write("old", 3, 0).ok());
  ASSERT_TRUE(old_handle->sync(SyncFlags::kNormal).ok());
  ASSERT_TRUE(fault.remove(p, /*sync_dir=*/true).ok());
  ASSERT_TRUE(old_handle->write("zzzz", 4, 0).ok());  // to the unlinked file
  auto fresh = open_in(fault, p);
  ASSERT_TRUE(fresh->write("new", 3, 0).ok());
  ASSERT_TRUE(fresh->sync(SyncFlags::kNormal).ok());
  ASSERT_TRUE(old_handle->write("yyyyyy", 6, 0).ok());
  old_handle.reset();
  fresh.reset();
  ASSERT_TRUE(fault.power_cut().ok());
  EXPECT_EQ(contents(p), "new");
}

// Builds a file of 64 sectors, syncs it, overwrites all of it unsynced, cuts
// with tearing, and returns the image.
std::string torn_image(Vfs& base, const std::string& p, uint64_t seed) {
  FaultVfs fault(base, seed);
  OpenFlags flags;
  flags.create = true;
  auto f = std::move(fault.open(p, flags)).value();
  std::string before(64 * 512, 'a');
  EXPECT_TRUE(f->truncate(0).ok());
  EXPECT_TRUE(f->write(before.data(), before.size(), 0).ok());
  EXPECT_TRUE(f->sync(SyncFlags::kFull).ok());
  std::string after(64 * 512, 'b');
  EXPECT_TRUE(f->write(after.data(), 1000, 0).ok());  // unaligned pieces too
  EXPECT_TRUE(f->write(after.data(), after.size() - 1000, 1000).ok());
  f.reset();
  EXPECT_TRUE(fault.power_cut(/*tear=*/true).ok());
  auto g = std::move(base.open(p, OpenFlags{})).value();
  std::string image(*g->size(), '\0');
  EXPECT_TRUE(g->read(image.data(), image.size(), 0).ok());
  return image;
}

TEST_P(FaultVfsTest, TornWritesAreDeterministicPerSeed) {
  std::string p = path("torn.db");
  std::string first = torn_image(vfs(), p, 42);
  std::string again = torn_image(vfs(), p, 42);
  std::string other = torn_image(vfs(), p, 43);
  EXPECT_EQ(first, again);
  EXPECT_NE(first, other);
  ASSERT_EQ(first.size(), 64u * 512);
  // Each 512-byte sector is wholly old or wholly new, except where the two
  // writes split sector 1 at byte 1000; some of each kind survive.
  int old_sectors = 0, new_sectors = 0;
  for (size_t s = 0; s < 64; ++s) {
    if (s == 1) continue;
    std::string sector = first.substr(s * 512, 512);
    if (sector == std::string(512, 'a')) {
      old_sectors++;
    } else if (sector == std::string(512, 'b')) {
      new_sectors++;
    } else {
      ADD_FAILURE() << "sector " << s << " is mixed";
    }
  }
  EXPECT_GT(old_sectors, 0);
  EXPECT_GT(new_sectors, 0);
}

INSTANTIATE_TEST_SUITE_P(Vfs, FaultVfsTest, ::testing::Values(VfsKind::kUnix, VfsKind::kMemory),
                         testing::vfs_kind_name);

TEST(FaultVfsUnix, DirectorySyncIsPerDirectory) {
  testing::TempDir dir;
  ASSERT_EQ(::mkdir(dir.file("x").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(dir.file("y").c_str(), 0755), 0);
  FaultVfs fault(default_vfs());
  OpenFlags flags;
  flags.create = true;
  for (const char* name : {"x/keep", "y/lose", "x/marker"}) {
    auto f = fault.open(dir.file(name), flags);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->write("1", 1, 0).ok());
  }
  // Syncing x (by a durable delete there) makes x/keep's creation durable,
  // but not y/lose's.
  ASSERT_TRUE(fault.remove(dir.file("x/marker"), /*sync_dir=*/true).ok());
  ASSERT_TRUE(fault.power_cut().ok());
  // (The entries, not the bytes: the unsynced byte is gone, x/keep is empty.)
  struct stat st;
  ASSERT_EQ(::stat(dir.file("x/keep").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 0);
  EXPECT_NE(::stat(dir.file("y/lose").c_str(), &st), 0);
  EXPECT_NE(::stat(dir.file("x/marker").c_str(), &st), 0);
}

}  // namespace
}  // namespace keel::os
