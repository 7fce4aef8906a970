// Damaged files and failing I/O: integrity_check reports exactly what
// sqlite3 reports (targeted and random damage, with and without pointer
// maps), corrupt pages never crash readers or writers, and I/O errors in the
// middle of an operation roll back cleanly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>

#include "base/bytes.h"
#include "os/fault_vfs.h"
#include "storage/btree/btree.h"
#include "storage/btree/btree_test_util.h"

namespace keel::storage {
namespace {

using testing::Blob;
using testing::decode_record;
using testing::encode_record;
using testing::expect_integrity_ok;
using testing::expect_table_matches;
using testing::payload_for;
using testing::read_all;
using testing::RecordOrder;
using testing::RecordProbe;
using testing::Row;
using testing::TestDb;

// I/O errors in the middle of b-tree operations (a tiny page cache makes
// every operation read and spill): each failure comes back as an IOERR-class
// status, rollback restores the last commit, and the file stays sound.
TEST(Btree, IoErrorsMidOperationRollBackCleanly) {
  std::string dir = testing::temp_dir();
  std::string base = dir + "/base.db";
  std::map<int64_t, std::vector<uint8_t>> committed;
  PageNo root;
  {
    PagerOptions opt;
    opt.page_size = 512;
    auto pg = Pager::open(base, opt);
    ASSERT_TRUE(pg.ok());
    auto bt = Btree::open(**pg);
    ASSERT_OK((*bt)->begin_write());
    root = *(*bt)->create_table(TreeKind::kTable);
    BtCursor c(**bt, root, true);
    for (int64_t k = 0; k < 1500; k++) {
      committed[k] = payload_for(k, k % 9 == 0 ? 1200 : 40);
      ASSERT_OK(c.insert(k, committed[k]));
    }
    ASSERT_OK((*bt)->commit());
  }
  os::FaultVfs fvfs(os::default_vfs(), 7);
  int failures = 0;
  for (int n = 1; n <= 60; n++) {
    std::string path = dir + "/f.db";
    std::filesystem::copy_file(base, path, std::filesystem::copy_options::overwrite_existing);
    std::map<int64_t, std::vector<uint8_t>> model = committed;
    bool committed_ok = false;
    {
      PagerOptions opt;
      opt.vfs = &fvfs;
      opt.cache_size = 8;
      auto pg = Pager::open(path, opt);
      ASSERT_TRUE(pg.ok());
      auto btr = Btree::open(**pg);
      Btree& bt = **btr;
      os::FaultOp op = n % 2 ? os::FaultOp::kRead : os::FaultOp::kWrite;
      fvfs.fail_nth(op, static_cast<uint64_t>(n * 7 % 97 + 1));
      Status st = bt.begin_write();
      std::map<int64_t, std::vector<uint8_t>> next = model;
      if (st.ok()) {
        BtCursor c(bt, root, true);
        for (int64_t k = 0; k < 1500 && st.ok(); k += 4) {
          auto r = c.seek_rowid(k);
          st = r.ok() ? c.remove() : r.status();
          next.erase(k);
        }
        for (int64_t k = 2000; k < 2300 && st.ok(); k++) {
          next[k] = payload_for(k, k % 5 == 0 ? 900 : 50);
          st = c.insert(k, next[k]);
        }
      }
      if (st.ok()) st = bt.commit();
      if (st.ok()) {
        committed_ok = true;
        model = next;
      } else {
        failures++;
        EXPECT_EQ(st.primary(), rc::kIoErr) << st.to_string();
        bt.rollback().ignore();
      }
      fvfs.clear_faults();
    }
    (void)committed_ok;
    // Reopen without faults: the last committed state, intact.
    PagerOptions opt;
    auto pg = Pager::open(path, opt);
    ASSERT_TRUE(pg.ok());
    auto btr = Btree::open(**pg);
    Btree& bt = **btr;
    ASSERT_OK(bt.begin_read());
    expect_table_matches(bt, root, model);
    expect_integrity_ok(bt, {1, root});
    bt.end_read();
  }
  EXPECT_GT(failures, 20);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// Builds a small file, then damages it in targeted ways.
class Damage : public ::testing::Test {
 protected:
  virtual bool auto_vacuum() const { return false; }
  void SetUp() override {
    db = TestDb::create("x.db", 1024);
    Btree& bt = *db->btree;
    ASSERT_OK(bt.begin_write());
    if (auto_vacuum()) ASSERT_OK(bt.set_auto_vacuum(AutoVacuum::kFull));
    root = *bt.create_table(TreeKind::kTable);
    {
      // Rows are records with one blob, so sqlite3 can check the file too.
      BtCursor c(bt, root, true);
      for (int64_t k = 1; k <= 600; k++) {
        ASSERT_OK(c.insert(k, encode_record({Blob{payload_for(k, k % 40 == 0 ? 2500 : 50)}})));
      }
      BtCursor sc(bt, 1, true);
      ASSERT_OK(sc.insert(1, encode_record({std::string("table"), std::string("t"), std::string("t"),
                                            int64_t{root}, std::string("CREATE TABLE t(x)")})));
    }
    ASSERT_OK(bt.set_meta(Meta::kSchemaCookie, 1));
    ASSERT_OK(bt.set_meta(Meta::kSchemaFormat, 4));
    ASSERT_OK(bt.set_meta(Meta::kTextEncoding, 1));
    ASSERT_OK(bt.commit());
  }
  // SQLite's own verdict on the current file, minus its "*** in database" line.
  std::vector<std::string> sqlite_check() {
    db->close();
    std::string out = testing::run("sqlite3 '" + db->path + "' 'PRAGMA integrity_check;' 2>&1");
    EXPECT_TRUE(db->reopen().ok());
    std::vector<std::string> lines;
    size_t pos = 0;
    while (pos < out.size()) {
      size_t nl = out.find('\n', pos);
      if (nl == std::string::npos) nl = out.size();
      std::string line = out.substr(pos, nl - pos);
      const std::string star = "*** in database main ***";
      if (line.rfind(star, 0) == 0) line = line.substr(star.size());
      // The CLI's own note when the row-level pass hits the corruption.
      if (!line.empty() && line.rfind("Error: ", 0) != 0 && line != "database disk image is malformed") {
        lines.push_back(line);
      }
      pos = nl + 1;
    }
    return lines;
  }
  // Our messages must be exactly SQLite's.
  void expect_same_as_sqlite() {
    auto ours = check();
    auto theirs = sqlite_check();
    std::string a, b;
    for (auto& m : ours) a += m + "\n";
    for (auto& m : theirs) b += m + "\n";
    if (theirs.size() == 1 && theirs[0] == "ok") b.clear();
    EXPECT_EQ(a, b);
  }
  // Rewrites bytes of the file directly.
  void poke(PageNo pg, uint32_t off, std::vector<uint8_t> bytes) {
    db->close();
    FILE* f = fopen(db->path.c_str(), "r+b");
    ASSERT_TRUE(f);
    fseek(f, static_cast<long>((pg - 1) * 1024 + off), SEEK_SET);
    fwrite(bytes.data(), 1, bytes.size(), f);
    fclose(f);
    ASSERT_OK(db->reopen());
  }
  std::vector<std::string> check() {
    Btree& bt = *db->btree;
    EXPECT_TRUE(bt.begin_read().ok());
    // sqlite3 checks its trees in schema hash order: here t, then sqlite_schema.
    auto r = bt.integrity_check(std::vector<PageNo>{root, 1});
    bt.end_read();
    return r.ok() ? *r : std::vector<std::string>{r.status().to_string()};
  }
  // Scans the whole tree; must fail cleanly or succeed, never crash.
  Status scan() {
    Btree& bt = *db->btree;
    KEEL_RETURN_IF_ERROR(bt.begin_read());
    BtCursor c(bt, root, false);
    Status st = c.first();
    std::vector<uint8_t> buf;
    while (st.ok() && !c.eof()) {
      buf.resize(c.payload_size());
      st = c.read_payload(0, static_cast<uint32_t>(buf.size()), buf.data());
      if (st.ok()) st = c.next();
    }
    bt.end_read();
    return st;
  }
  friend void random_damage_matches_sqlite(Damage& t, uint32_t seed, int iters);
  std::unique_ptr<TestDb> db;
  PageNo root = 0;
};

class DamageAutoVacuum : public Damage {
 protected:
  bool auto_vacuum() const override { return true; }
};

// Differential: random single-byte damage in tree pages, reported exactly
// as sqlite3 reports it.
void random_damage_matches_sqlite(Damage& t, uint32_t seed, int iters) {
  auto& db = t.db;
  db->close();
  std::vector<uint8_t> orig;
  {
    FILE* f = fopen(db->path.c_str(), "rb");
    ASSERT_TRUE(f);
    uint8_t buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) orig.insert(orig.end(), buf, buf + n);
    fclose(f);
  }
  std::mt19937 rng(seed);
  int differ = 0, damaged = 0;
  for (int iter = 0; iter < iters; iter++) {
    std::vector<uint8_t> m = orig;
    size_t page = 1 + rng() % (m.size() / 1024 - 1);
    size_t pos = page * 1024 + (iter % 2 ? rng() % 24 : rng() % 1024);
    m[pos] = static_cast<uint8_t>(rng());
    FILE* f = fopen(db->path.c_str(), "wb");
    fwrite(m.data(), 1, m.size(), f);
    fclose(f);
    ASSERT_OK(db->reopen());
    auto ours = t.check();
    auto theirs = t.sqlite_check();
    std::string a, b;
    for (auto& x : ours) a += x + "\n";
    for (auto& x : theirs) b += x + "\n";
    if (theirs.size() == 1 && theirs[0] == "ok") b.clear();
    if (!ours.empty()) damaged++;
    if (a != b) {
      differ++;
      ADD_FAILURE() << "byte " << pos << "\nours:\n" << a << "sqlite3:\n" << b;
    }
    db->close();
  }
  EXPECT_EQ(differ, 0);
  EXPECT_GT(damaged, iters / 6);  // the comparison covered real damage
  ::testing::Test::RecordProperty("damaged", damaged);
}

TEST_F(Damage, RandomDamageReportedAsSqliteDoes) { random_damage_matches_sqlite(*this, 77, 300); }

// The same with pointer maps in the file (their entries are checked too).
TEST_F(DamageAutoVacuum, RandomDamageReportedAsSqliteDoes) { random_damage_matches_sqlite(*this, 78, 200); }

bool has(const std::vector<std::string>& v, const std::string& needle) {
  for (auto& s : v) {
    if (s.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST_F(Damage, CleanFilePasses) {
  EXPECT_TRUE(check().empty());
  expect_same_as_sqlite();
}

TEST_F(Damage, BadPageTypeIsReported) {
  // The root is interior; its first child is some leaf. Damage the root's flag.
  poke(root, 0, {0x07});
  auto errs = check();
  EXPECT_TRUE(has(errs, "btreeInitPage() returns error code 11")) << errs.size();
  expect_same_as_sqlite();
  Status st = scan();
  EXPECT_TRUE(st.is(rc::kCorrupt)) << st.to_string();
}

TEST_F(Damage, CellOffsetOutOfRangeIsReported) {
  // The first cell pointer of the root's first child points past the page.
  ASSERT_OK(db->btree->begin_read());
  PageNo child;
  {
    auto r = db->pager->get(root);
    ASSERT_TRUE(r.ok());
    const uint8_t* d = r->data();
    ASSERT_EQ(d[0], 5);  // table interior
    child = get_u32(d + get_u16(d + 12));
  }
  db->btree->end_read();
  poke(child, 8, {0x03, 0xff});
  auto errs = check();
  EXPECT_TRUE(has(errs, "Offset 1023 out of range")) << (errs.empty() ? "" : errs[0]);
  expect_same_as_sqlite();
  EXPECT_TRUE(scan().is(rc::kCorrupt));
}

TEST_F(Damage, FreelistCountMismatchIsReported) {
  poke(1, 36, {0, 0, 0, 5});
  auto errs = check();
  EXPECT_TRUE(has(errs, "Main freelist: ")) << (errs.empty() ? "" : errs[0]);
  expect_same_as_sqlite();
}

TEST_F(Damage, OverflowChainCutIsReported) {
  // Find an overflowing row's first overflow page and zero its next pointer.
  Btree& bt = *db->btree;
  ASSERT_OK(bt.begin_read());
  PageNo first;
  {
    BtCursor c(bt, root, false);
    ASSERT_EQ(*c.seek_rowid(40), SeekResult::kFound);
    auto local = c.payload_local();
    first = get_u32(local.data() + local.size());
  }
  bt.end_read();
  poke(first, 0, {0, 0, 0, 0});
  auto errs = check();
  EXPECT_TRUE(has(errs, "overflow list length is 1 but should be 2")) << (errs.empty() ? "" : errs[0]);
  EXPECT_TRUE(has(errs, "is never used"));
  expect_same_as_sqlite();
}

// Targeted damage of several kinds: our report must read exactly as
// sqlite3's PRAGMA integrity_check.
TEST_F(Damage, MessagesMatchSqliteForEachKind) {
  PageNo leaf, leaf2;
  uint32_t right;
  {
    ASSERT_OK(db->btree->begin_read());
    auto r = db->pager->get(root);
    ASSERT_TRUE(r.ok());
    const uint8_t* d = r->data();
    leaf = get_u32(d + get_u16(d + 12));
    leaf2 = get_u32(d + get_u16(d + 14));
    right = get_u32(d + 8);
    db->btree->end_read();
  }
  (void)right;
  struct Case {
    const char* what;
    PageNo page;
    uint32_t off;
    std::vector<uint8_t> bytes;
  };
  std::vector<Case> cases = {
      {"fragment count", leaf, 7, {9}},
      {"duplicate cell pointer", leaf, 10, {0, 0}},  // patched below
      {"right child out of range", root, 8, {0, 0, 0x27, 0x0f}},
      {"child pointer to page 1", root, 0, {0, 0, 0, 1}},  // patched below
      {"freelist trunk invalid", 1, 32, {0, 0, 0x10, 0}},
      {"cell count too large", leaf2, 3, {0x7f, 0xff}},
      {"content start inside pointers", leaf2, 5, {0, 9}},
  };
  for (Case& k : cases) {
    SCOPED_TRACE(k.what);
    SetUp();  // fresh file
    if (std::string(k.what) == "duplicate cell pointer") {
      ASSERT_OK(db->btree->begin_read());
      auto r = db->pager->get(leaf);
      k.bytes = {r->data()[8], r->data()[9]};
      db->btree->end_read();
    }
    if (std::string(k.what) == "child pointer to page 1") {
      ASSERT_OK(db->btree->begin_read());
      auto r = db->pager->get(root);
      k.off = get_u16(r->data() + 12);
      db->btree->end_read();
    }
    poke(k.page, k.off, k.bytes);
    auto ours = check();
    EXPECT_FALSE(ours.empty());
    expect_same_as_sqlite();
  }
}

TEST_F(Damage, RandomMutationsNeverCrash) {
  db->close();
  FILE* f = fopen(db->path.c_str(), "rb");
  ASSERT_TRUE(f);
  std::vector<uint8_t> orig;
  uint8_t buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) orig.insert(orig.end(), buf, buf + n);
  fclose(f);
  std::mt19937 rng(1234);
  int corrupt_seen = 0;
  // KEEL_BTREE_FUZZ_ITERS raises the number of mutated files for long runs.
  int iters = 300;
  if (const char* e = std::getenv("KEEL_BTREE_FUZZ_ITERS")) iters = std::max(1, std::atoi(e));
  for (int iter = 0; iter < iters; iter++) {
    std::vector<uint8_t> m = orig;
    int flips = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < flips; i++) {
      size_t pos;
      if (iter % 2) {
        pos = 100 + rng() % (m.size() - 100);  // anywhere after the file header
      } else {
        // Structural bytes: a page header or the start of its cell pointers.
        size_t page = rng() % (m.size() / 1024);
        pos = page * 1024 + (page == 0 ? 100 : 0) + rng() % 24;
      }
      m[pos] = static_cast<uint8_t>(rng());
    }
    f = fopen(db->path.c_str(), "wb");
    fwrite(m.data(), 1, m.size(), f);
    fclose(f);
    ASSERT_OK(db->reopen());
    Status st = scan();
    if (!st.ok()) {
      EXPECT_TRUE(st.is(rc::kCorrupt)) << st.to_string();
      corrupt_seen++;
    }
    auto errs = check();
    (void)errs;
    // Writes on a damaged file fail cleanly too.
    Btree& bt = *db->btree;
    Status w = bt.begin_write();
    if (w.ok()) {
      BtCursor c(bt, root, true);
      for (int64_t k = 0; k < 40 && w.ok(); k++) {
        int64_t key = static_cast<int64_t>(rng() % 700);
        if (k % 3 == 0) {
          auto r = c.seek_rowid(key);
          w = r.ok() ? (c.eof() ? Status::Ok() : c.remove()) : r.status();
          if (!w.ok() && w.is(rc::kMisuse)) w = Status::Ok();
        } else {
          w = c.insert(key, payload_for(key, k % 5 == 0 ? 3000 : 80));
        }
      }
      if (w.ok()) {
        auto ic = bt.integrity_check(std::vector<PageNo>{1, root});
        w = ic.ok() ? Status::Ok() : ic.status();
      }
      if (w.ok() && rng() % 2) {
        w = bt.commit();
      } else {
        bt.rollback().ignore();
      }
      if (!w.ok()) {
        EXPECT_TRUE(w.is(rc::kCorrupt)) << w.to_string();
      }
    }
    db->close();
  }
  EXPECT_GT(corrupt_seen, 0);
}

}  // namespace
}  // namespace keel::storage
