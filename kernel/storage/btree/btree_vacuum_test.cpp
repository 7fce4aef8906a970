// Freelist reuse, meta values, auto-vacuum (FULL at commit, root moves on
// drop) and incremental vacuum.
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

TEST(Btree, FreelistPagesAreReused) {
  auto db = TestDb::create("f.db", 1024);
  Btree& bt = *db->btree;
  ASSERT_OK(bt.begin_write());
  PageNo root = *bt.create_table(TreeKind::kTable);
  {
    BtCursor c(bt, root, true);
    for (int64_t k = 1; k <= 4000; k++) ASSERT_OK(c.insert(k, payload_for(k, k % 50 == 0 ? 5000 : 100)));
  }
  ASSERT_OK(bt.commit());
  PageNo full = bt.page_count();
  ASSERT_OK(bt.begin_write());
  auto cleared = bt.clear_table(root);
  ASSERT_TRUE(cleared.ok());
  EXPECT_EQ(*cleared, 4000);
  uint32_t nfree = *bt.get_meta(Meta::kFreePageCount);
  EXPECT_EQ(nfree, full - 2);  // everything but page 1 and the root
  expect_integrity_ok(bt, {1, root});
  ASSERT_OK(bt.commit());
  ASSERT_OK(bt.begin_write());
  {
    BtCursor c(bt, root, true);
    for (int64_t k = 1; k <= 4000; k++) ASSERT_OK(c.insert(k, payload_for(k, k % 50 == 0 ? 5000 : 100)));
  }
  EXPECT_LE(bt.page_count(), full + 1);
  EXPECT_LT(*bt.get_meta(Meta::kFreePageCount), 3u);
  expect_integrity_ok(bt, {1, root});
  // Drop frees everything including the root.
  auto moved = bt.drop_table(root);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(*moved, 0u);
  EXPECT_EQ(*bt.get_meta(Meta::kFreePageCount), bt.page_count() - 1);
  expect_integrity_ok(bt, {1});
  ASSERT_OK(bt.commit());
}

TEST(Btree, MetaValuesRoundTrip) {
  auto db = TestDb::create("m.db", 4096);
  Btree& bt = *db->btree;
  ASSERT_OK(bt.begin_write());
  ASSERT_OK(bt.set_meta(Meta::kSchemaCookie, 7));
  ASSERT_OK(bt.set_meta(Meta::kUserVersion, 0xdeadbeef));
  ASSERT_OK(bt.set_meta(Meta::kApplicationId, 42));
  EXPECT_FALSE(bt.set_meta(Meta::kFreePageCount, 1).ok());
  ASSERT_OK(bt.commit());
  ASSERT_OK(db->reopen());
  Btree& b2 = *db->btree;
  ASSERT_OK(b2.begin_read());
  EXPECT_EQ(*b2.get_meta(Meta::kSchemaCookie), 7u);
  EXPECT_EQ(*b2.get_meta(Meta::kUserVersion), 0xdeadbeefu);
  EXPECT_EQ(*b2.get_meta(Meta::kApplicationId), 42u);
  b2.end_read();
}

void fill_av(Btree& bt, std::vector<PageNo>* roots, int tables, int rows) {
  for (int t = 0; t < tables; t++) {
    auto r = bt.create_table(t % 2 ? TreeKind::kIndex : TreeKind::kTable);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    roots->push_back(*r);
    if (t % 2) {
      RecordOrder order;
      BtCursor c(bt, *r, true, &order);
      for (int i = 0; i < rows; i++) {
        std::string s(i % 9 == 0 ? 700 : 20, 'x');
        ASSERT_OK(c.insert_key(encode_record({int64_t{i}, s})));
      }
    } else {
      BtCursor c(bt, *r, true);
      for (int i = 0; i < rows; i++) ASSERT_OK(c.insert(i, payload_for(i, i % 10 == 0 ? 3000 : 60)));
    }
  }
}

TEST(Btree, AutoVacuumFullShrinksAtCommit) {
  auto db = TestDb::create("av.db", 1024);
  Btree& bt = *db->btree;
  ASSERT_OK(bt.begin_write());
  ASSERT_OK(bt.set_auto_vacuum(AutoVacuum::kFull));
  std::vector<PageNo> roots{1};
  fill_av(bt, &roots, 6, 800);
  ASSERT_OK(bt.commit());
  ASSERT_OK(bt.begin_read());
  EXPECT_EQ(bt.auto_vacuum(), AutoVacuum::kFull);
  // Roots are packed right after page 2 (the first pointer-map page).
  EXPECT_EQ(roots[1], 3u);
  EXPECT_EQ(*bt.get_meta(Meta::kLargestRootPage), roots.back());
  expect_integrity_ok(bt, roots);
  bt.end_read();
  PageNo before = bt.page_count();
  ASSERT_OK(bt.begin_write());
  // Drop a middle table: the last root moves into its slot.
  PageNo dropped = roots[2];
  auto moved = bt.drop_table(dropped);
  ASSERT_TRUE(moved.ok()) << moved.status().to_string();
  EXPECT_EQ(*moved, roots.back());
  roots.back() = dropped;
  roots.erase(roots.begin() + 2);
  // Delete half the rows of the first table.
  {
    BtCursor c(bt, roots[1], true);
    for (int i = 0; i < 800; i += 2) {
      ASSERT_EQ(*c.seek_rowid(i), SeekResult::kFound);
      ASSERT_OK(c.remove());
    }
  }
  ASSERT_OK(bt.commit());
  ASSERT_OK(bt.begin_read());
  EXPECT_EQ(*bt.get_meta(Meta::kFreePageCount), 0u);
  EXPECT_LT(bt.page_count(), before);
  std::sort(roots.begin(), roots.end());
  expect_integrity_ok(bt, roots);
  BtCursor c(bt, roots[1], false);
  ASSERT_OK(c.first());
  int n = 0;
  while (!c.eof()) {
    EXPECT_EQ(c.rowid() % 2, 1);
    EXPECT_EQ(read_all(c), payload_for(c.rowid(), c.rowid() % 10 == 0 ? 3000 : 60));
    n++;
    ASSERT_OK(c.next());
  }
  EXPECT_EQ(n, 400);
  bt.end_read();
}

TEST(Btree, IncrementalVacuumFreesOnRequest) {
  auto db = TestDb::create("iv.db", 1024);
  Btree& bt = *db->btree;
  ASSERT_OK(bt.begin_write());
  ASSERT_OK(bt.set_auto_vacuum(AutoVacuum::kIncremental));
  std::vector<PageNo> roots{1};
  fill_av(bt, &roots, 4, 600);
  ASSERT_OK(bt.commit());
  ASSERT_OK(bt.begin_write());
  ASSERT_TRUE(bt.clear_table(roots[1]).ok());
  ASSERT_OK(bt.commit());
  uint32_t nfree = *bt.get_meta(Meta::kFreePageCount);
  ASSERT_GT(nfree, 20u);
  PageNo before = bt.page_count();
  ASSERT_OK(bt.begin_write());
  auto freed = bt.incremental_vacuum(10);
  ASSERT_TRUE(freed.ok()) << freed.status().to_string();
  EXPECT_EQ(*freed, 10u);
  expect_integrity_ok(bt, roots);
  ASSERT_OK(bt.commit());
  EXPECT_LE(bt.page_count(), before - 10);
  EXPECT_EQ(*bt.get_meta(Meta::kFreePageCount), nfree - 10);
  ASSERT_OK(bt.begin_write());
  freed = bt.incremental_vacuum(0);
  ASSERT_TRUE(freed.ok());
  ASSERT_OK(bt.commit());
  EXPECT_EQ(*bt.get_meta(Meta::kFreePageCount), 0u);
  ASSERT_OK(bt.begin_read());
  expect_integrity_ok(bt, roots);
  BtCursor c(bt, roots[3], false);
  ASSERT_EQ(*c.count(), 600);
  bt.end_read();
}

}  // namespace
}  // namespace keel::storage
