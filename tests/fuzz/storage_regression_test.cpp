// Regression tests for bugs the storage fuzzer found: each rebuilds the
// damaged file that triggered one (from a corpus seed and the exact edit)
// and runs it through the harness, so the sanitizer build (`make sanitize`)
// catches a relapse of a memory error, and states the result codes the fix
// must produce.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "file_map.h"
#include "fuzz_harness.h"
#include "keel/result_code.hpp"
#include "os/vfs.h"
#include "seed_corpus.h"
#include "storage/btree/btree.h"
#include "storage/pager/pager.h"

namespace keel::fuzz {
namespace {

using storage::Btree;
using storage::Pager;

const Seed& seed(const std::string& name) {
  const Seed* s = find_seed(name);
  if (s == nullptr) {
    std::string error;
    seed_corpus(&error);
    ADD_FAILURE() << "no seed " << name << ": " << error;
    static const Seed empty;
    return empty;
  }
  return *s;
}

void expect_no_violations(const std::vector<uint8_t>& db, const std::vector<uint8_t>& wal,
                          uint64_t ops_seed = 1) {
  FuzzReport r = run_case({db, wal, {}, ops_seed});
  for (const auto& v : r.violations) ADD_FAILURE() << v;
}

void put4(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// Writes files into the in-memory VFS and opens a pager and b-tree on them.
struct MemDb {
  std::string path;
  std::unique_ptr<Pager> pager;
  std::unique_ptr<Btree> btree;
  Status open_status;

  MemDb(const std::string& name, const std::vector<uint8_t>& db, const std::vector<uint8_t>& wal)
      : path(name) {
    put(path, db);
    if (!wal.empty()) put(path + "-wal", wal);
    storage::PagerOptions po;
    po.vfs = &os::memory_vfs();
    po.create = false;
    auto p = Pager::open(path, po);
    if (!p.ok()) {
      open_status = p.take_status();
      return;
    }
    pager = std::move(p).value();
    auto b = Btree::open(*pager);
    if (!b.ok()) {
      open_status = b.take_status();
      return;
    }
    btree = std::move(b).value();
  }
  ~MemDb() {
    btree.reset();
    pager.reset();
    for (const char* s : {"", "-wal", "-shm", "-journal"}) os::memory_vfs().remove(path + s, false).ignore();
  }
  static void put(const std::string& path, const std::vector<uint8_t>& bytes) {
    os::OpenFlags f;
    f.create = true;
    auto file = os::memory_vfs().open(path, f);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->truncate(0).ok());
    ASSERT_TRUE((*file)->write(bytes.data(), bytes.size(), 0).ok());
  }
};

// WAL database whose file header is unreadable (magic zeroed): the pager
// opened the WAL with its default page size (4096), then learned 1024 from
// page 1 in the log. WalJournal kept a 4096-byte scratch page and handed all
// of it to the codec, overflowing the 1024-byte cache page (heap overflow
// in IdentityCodec::decode); writes would have framed 1024-byte pages as 4096.
TEST(StorageRegression, WalPageSizeLearnedAfterAttach) {
  const Seed& s = seed("p1024_wal_autovac_full");
  ASSERT_FALSE(s.wal.empty());
  std::vector<uint8_t> db = s.db;
  std::memset(db.data(), 0, 16);
  expect_no_violations(db, s.wal);

  MemDb m("/regress-wal-page-size.db", db, s.wal);
  if (!m.open_status.ok()) {
    EXPECT_TRUE(m.open_status.is(rc::kNotADb) || m.open_status.is(rc::kCorrupt)) << m.open_status.to_string();
    return;
  }
  // Reads go through the log's page 1, which is sound.
  ASSERT_TRUE(m.btree->begin_read().ok());
  EXPECT_EQ(m.btree->page_size(), 1024u);
  m.btree->end_read();
  // A write cannot be framed at the size the log was opened with.
  Status w = m.btree->begin_write();
  if (w.ok()) {
    storage::BtCursor c(*m.btree, 1, true);
    Status ins = c.first();
    if (ins.ok()) w = m.btree->set_meta(storage::Meta::kUserVersion, 7);
    if (w.ok()) w = m.btree->commit();
    if (!w.ok()) m.btree->rollback().ignore();
  }
  EXPECT_TRUE(w.ok() || w.is(rc::kCorrupt)) << w.to_string();
}

// A cell whose first-overflow-page pointer is 0: reading the payload past
// its local part walked back from the wanted chain index looking for a known
// page number, past index 0 and off the front of the chain cache (a wild
// read at index 2^32-1). Every such read must now fail with SQLITE_CORRUPT.
TEST(StorageRegression, ZeroFirstOverflowPointer) {
  for (const char* name : {"p4096_delete", "p512_freelist"}) {
    const Seed& s = seed(name);
    FileMap map = map_database(s.db);
    auto ptrs = map.of(RegionKind::kOverflowPointer);
    ASSERT_FALSE(ptrs.empty()) << name;
    for (const Region* r : ptrs) {
      std::vector<uint8_t> db = s.db;
      put4(&db[r->offset], 0);
      FuzzReport rep = run_case({db, {}, {}, 3});
      for (const auto& v : rep.violations) ADD_FAILURE() << name << ": " << v;
      EXPECT_GT(rep.corrupt, 0u) << name << " @" << r->offset;
    }
  }
}

// A hot journal whose header records an original database size of 2^32-1
// pages: rollback restores the file to that size, which made the memory VFS
// try to allocate 256 TiB (an abort under ASan, an out-of-memory kill
// without). The memory VFS now caps files at 1 GiB, as SQLite's memdb, and
// answers SQLITE_FULL.
TEST(StorageRegression, HotJournalHugeOriginalSize) {
  const Seed& s = seed("p1024_hot_journal");
  ASSERT_FALSE(s.journal.empty());
  std::vector<uint8_t> journal = s.journal;
  put4(&journal[16], 0xFFFFFFFFu);
  FuzzReport rep = run_case({s.db, {}, journal, 5});
  for (const auto& v : rep.violations) ADD_FAILURE() << v;
  EXPECT_FALSE(rep.opened);

  os::OpenFlags f;
  f.create = true;
  auto file = os::memory_vfs().open("/regress-mem-cap", f);
  ASSERT_TRUE(file.ok());
  uint8_t byte = 1;
  EXPECT_EQ((*file)->write(&byte, 1, uint64_t{1} << 40).code(), rc::kFull);
  EXPECT_EQ((*file)->truncate(uint64_t{1} << 31).code(), rc::kFull);
  EXPECT_TRUE((*file)->write(&byte, 1, 4096).ok());
  file->reset();
  os::memory_vfs().remove("/regress-mem-cap", false).ignore();
}

// Cycles must be detected, not followed: a freelist trunk, an overflow page
// and a child pointer each pointing back at their own page. Every case must
// end (the test's ctest timeout is the watchdog here) with SQLITE_CORRUPT
// reported somewhere and nothing else.
TEST(StorageCycles, SelfReferencesEndInCorrupt) {
  struct Aim {
    const char* seed;
    RegionKind kind;
  };
  const Aim aims[] = {{"p512_freelist", RegionKind::kFreelistTrunk},
                      {"p1024_autovac_incremental", RegionKind::kFreelistTrunk},
                      {"p4096_delete", RegionKind::kOverflowNext},
                      {"p512_autovac_full", RegionKind::kOverflowNext},
                      {"p512_freelist", RegionKind::kChildPointer},
                      {"p1024_autovac_incremental", RegionKind::kPtrmapEntry}};
  for (const Aim& a : aims) {
    const Seed& s = seed(a.seed);
    FileMap map = map_database(s.db);
    auto regions = map.of(a.kind);
    ASSERT_FALSE(regions.empty()) << a.seed;
    // A handful spread over the file, not all of them: each case walks it all.
    size_t step = std::max<size_t>(1, regions.size() / 4);
    for (size_t i = 0; i < regions.size(); i += step) {
      const Region& r = *regions[i];
      std::vector<uint8_t> db = s.db;
      uint32_t self = r.offset / map.page_size + 1;
      if (a.kind == RegionKind::kPtrmapEntry) {
        put4(&db[r.offset + 1], self);  // parent = the pointer-map page itself
      } else {
        put4(&db[r.offset], self);
      }
      FuzzReport rep = run_case({db, {}, {}, i});
      for (const auto& v : rep.violations) ADD_FAILURE() << a.seed << ": " << v;
      EXPECT_GT(rep.corrupt + rep.integrity_messages, 0u)
          << a.seed << " kind " << static_cast<int>(a.kind) << " @" << r.offset;
    }
  }
}

}  // namespace
}  // namespace keel::fuzz
