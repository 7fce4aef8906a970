// B-tree unit tests: random operations against std::map / std::set models
// over several page sizes, navigation both ways, seeks, deletes during
// scans, cursors kept across writes, overflow reads, rollback/savepoints,
// no allocation on the cursor path.
#include "storage/btree/btree.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "base/bytes.h"
#include "os/fault_vfs.h"
#include "storage/btree/btree_test_util.h"

// Counts heap allocations so tests can prove the cursor path makes none.
// (The replacement pairs malloc with free, which gcc cannot see across the
// replaced operators.)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
static size_t g_allocations = 0;
void* operator new(size_t n) {
  g_allocations++;
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  return p;
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

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

class BtreeModel : public ::testing::TestWithParam<uint32_t> {};

TEST_P(BtreeModel, TableRandomOpsMatchModel) {
  const uint32_t ps = GetParam();
  auto db = TestDb::create("t.db", ps);
  ASSERT_TRUE(db);
  std::mt19937_64 rng(ps * 7 + 1);
  std::map<int64_t, std::vector<uint8_t>> model;
  ASSERT_OK(db->btree->begin_write());
  auto root_r = db->btree->create_table(TreeKind::kTable);
  ASSERT_TRUE(root_r.ok());
  PageNo root = *root_r;
  ASSERT_OK(db->btree->commit());
  const int rounds = ps >= 16384 ? 3 : 5;
  for (int round = 0; round < rounds; round++) {
    Btree& bt = *db->btree;  // replaced by reopen()
    ASSERT_OK(bt.begin_write());
    auto cur = std::make_unique<BtCursor>(bt, root, true);
    BtCursor& c = *cur;
    for (int op = 0; op < 1500; op++) {
      int kind = static_cast<int>(rng() % 10);
      int64_t key = static_cast<int64_t>(rng() % 4000) - 500;
      if (kind < 6) {
        uint32_t size;
        int sc = static_cast<int>(rng() % 20);
        if (sc == 0)
          size = static_cast<uint32_t>(ps * 3 + rng() % ps);  // long overflow chain
        else if (sc < 3)
          size = static_cast<uint32_t>(ps / 2 + rng() % ps);  // just over max local
        else
          size = static_cast<uint32_t>(rng() % 120);
        auto data = payload_for(key + op, size);
        ASSERT_OK(c.insert(key, data));
        model[key] = data;
      } else if (kind < 9) {
        auto r = c.seek_rowid(key);
        ASSERT_TRUE(r.ok()) << r.status().to_string();
        bool present = model.count(key) > 0;
        if (model.empty()) {
          ASSERT_TRUE(c.eof());
          continue;
        }
        ASSERT_EQ(*r == SeekResult::kFound, present);
        if (present) {
          ASSERT_OK(c.remove());
          model.erase(key);
        } else if (*r == SeekResult::kLess) {
          auto it = model.lower_bound(key);
          ASSERT_NE(it, model.begin());
          ASSERT_EQ(c.rowid(), std::prev(it)->first);
        } else {
          ASSERT_EQ(c.rowid(), model.upper_bound(key)->first);
        }
      } else {
        auto r = c.seek_rowid(key);
        ASSERT_TRUE(r.ok());
        if (*r == SeekResult::kFound) {
          ASSERT_EQ(read_all(c), model[key]);
        }
      }
    }
    cur.reset();
    if (round % 2 == 0) {
      ASSERT_OK(bt.commit());
    } else {
      // Keep the changes but exercise the reopen path.
      ASSERT_OK(bt.commit());
      ASSERT_OK(db->reopen());
    }
    Btree& b2 = *db->btree;
    ASSERT_OK(b2.begin_read());
    expect_table_matches(b2, root, model);
    RecordProperty("rows_round_" + std::to_string(round), static_cast<int>(model.size()));
    RecordProperty("pages_round_" + std::to_string(round), static_cast<int>(b2.page_count()));
    expect_integrity_ok(b2, {1, root});
    b2.end_read();
    if (round + 1 < rounds) continue;
  }
}

TEST_P(BtreeModel, IndexRandomOpsMatchModel) {
  const uint32_t ps = GetParam();
  auto db = TestDb::create("i.db", ps);
  ASSERT_TRUE(db);
  Btree& bt = *db->btree;
  RecordOrder order;
  std::mt19937_64 rng(ps * 13 + 5);
  auto cmp = [](const Row& a, const Row& b) {
    for (size_t i = 0; i < std::min(a.size(), b.size()); i++) {
      int c = testing::compare_values(a[i], b[i]);
      if (c) return c < 0;
    }
    return a.size() < b.size();
  };
  std::set<Row, decltype(cmp)> model(cmp);
  ASSERT_OK(bt.begin_write());
  auto root_r = bt.create_table(TreeKind::kIndex);
  ASSERT_TRUE(root_r.ok());
  PageNo root = *root_r;
  {
    BtCursor c(bt, root, true, &order);
    for (int op = 0; op < 3000; op++) {
      int64_t k = static_cast<int64_t>(rng() % 1500);
      size_t len = rng() % 8 == 0 ? ps / 2 + rng() % (ps * 2) : rng() % 40;
      std::string text(len, 'a' + static_cast<char>(k % 26));
      Row row{text, k};
      int kind = static_cast<int>(rng() % 10);
      if (kind < 7) {
        auto rec = encode_record(row);
        ASSERT_OK(c.insert_key(rec));
        model.insert(row);
      } else {
        RecordProbe probe(row);
        auto r = c.seek_key(probe);
        ASSERT_TRUE(r.ok()) << r.status().to_string();
        bool present = model.count(row) > 0;
        ASSERT_EQ(!c.eof() && *r == SeekResult::kFound, present);
        if (present) {
          ASSERT_OK(c.remove());
          model.erase(row);
        }
      }
    }
  }
  ASSERT_OK(bt.commit());
  ASSERT_OK(bt.begin_read());
  BtCursor c(bt, root, false, &order);
  ASSERT_OK(c.first());
  auto it = model.begin();
  while (!c.eof()) {
    ASSERT_NE(it, model.end());
    auto bytes = read_all(c);
    Row r;
    ASSERT_TRUE(decode_record(bytes.data(), bytes.size(), &r));
    ASSERT_EQ(r, *it);
    ++it;
    ASSERT_OK(c.next());
  }
  ASSERT_EQ(it, model.end());
  ASSERT_OK(c.last());
  auto rit = model.rbegin();
  while (!c.eof()) {
    auto bytes = read_all(c);
    Row r;
    ASSERT_TRUE(decode_record(bytes.data(), bytes.size(), &r));
    ASSERT_EQ(r, *rit);
    ++rit;
    ASSERT_OK(c.prev());
  }
  ASSERT_EQ(rit, model.rend());
  auto cnt = c.count();
  ASSERT_TRUE(cnt.ok());
  EXPECT_EQ(*cnt, static_cast<int64_t>(model.size()));
  expect_integrity_ok(bt, {1, root});
  std::vector<PageNo> roots{1, root};
  std::vector<const KeyOrder*> orders{nullptr, &order};
  auto ic = bt.integrity_check(roots, 100, orders);
  ASSERT_TRUE(ic.ok());
  EXPECT_TRUE(ic->empty()) << (*ic)[0];
  bt.end_read();
}

INSTANTIATE_TEST_SUITE_P(PageSizes, BtreeModel, ::testing::Values(512u, 1024u, 4096u, 65536u));

TEST(Btree, SeekOutcomesBuildComparisons) {
  auto db = TestDb::create("s.db", 1024);
  Btree& bt = *db->btree;
  ASSERT_OK(bt.begin_write());
  PageNo root = *bt.create_table(TreeKind::kTable);
  BtCursor c(bt, root, true);
  for (int64_t k = 10; k <= 5000; k += 10) {
    auto d = payload_for(k, 30);
    ASSERT_OK(c.insert(k, d, InsertHint::kAppend));
  }
  // >= 55 lands on 60; <= 55 on 50; = 50 found.
  auto r = c.seek_rowid(55);
  ASSERT_TRUE(r.ok());
  if (*r == SeekResult::kLess) ASSERT_OK(c.next());
  EXPECT_EQ(c.rowid(), 60);
  r = c.seek_rowid(55);
  if (*r == SeekResult::kGreater) ASSERT_OK(c.prev());
  EXPECT_EQ(c.rowid(), 50);
  r = c.seek_rowid(50);
  EXPECT_EQ(*r, SeekResult::kFound);
  // Beyond both ends.
  r = c.seek_rowid(1);
  EXPECT_EQ(*r, SeekResult::kGreater);
  EXPECT_EQ(c.rowid(), 10);
  ASSERT_OK(c.prev());
  EXPECT_TRUE(c.eof());
  r = c.seek_rowid(9999);
  EXPECT_EQ(*r, SeekResult::kLess);
  EXPECT_EQ(c.rowid(), 5000);
  ASSERT_OK(c.next());
  EXPECT_TRUE(c.eof());
  ASSERT_OK(bt.commit());
}

TEST(Btree, IndexPrefixSeekWithDefaultRc) {
  auto db = TestDb::create("p.db", 1024);
  Btree& bt = *db->btree;
  RecordOrder order;
  ASSERT_OK(bt.begin_write());
  PageNo root = *bt.create_table(TreeKind::kIndex);
  BtCursor c(bt, root, true, &order);
  for (int64_t a = 0; a < 200; a++) {
    for (int64_t b = 0; b < 5; b++) ASSERT_OK(c.insert_key(encode_record({a, b})));
  }
  // First entry with a == 77: probe (77) with default_rc = +1 lands before
  // every (77, x): the cursor ends on (76,4) (kLess) or (77,0) (kGreater).
  RecordProbe first77(Row{int64_t{77}}, +1);
  auto r = c.seek_key(first77);
  ASSERT_TRUE(r.ok());
  if (*r == SeekResult::kLess) ASSERT_OK(c.next());
  auto bytes = read_all(c);
  Row row;
  ASSERT_TRUE(decode_record(bytes.data(), bytes.size(), &row));
  EXPECT_EQ(row, (Row{int64_t{77}, int64_t{0}}));
  // Last entry with a == 77: default_rc = -1.
  RecordProbe last77(Row{int64_t{77}}, -1);
  r = c.seek_key(last77);
  if (*r == SeekResult::kGreater) ASSERT_OK(c.prev());
  bytes = read_all(c);
  ASSERT_TRUE(decode_record(bytes.data(), bytes.size(), &row));
  EXPECT_EQ(row, (Row{int64_t{77}, int64_t{4}}));
  ASSERT_OK(bt.commit());
}

TEST(Btree, DeleteDuringScanVisitsEveryRowOnce) {
  auto db = TestDb::create("d.db", 512);
  Btree& bt = *db->btree;
  ASSERT_OK(bt.begin_write());
  PageNo root = *bt.create_table(TreeKind::kTable);
  BtCursor c(bt, root, true);
  for (int64_t k = 1; k <= 3000; k++) ASSERT_OK(c.insert(k, payload_for(k, k % 7 == 0 ? 900 : 40)));
  // Delete every even row while scanning forward.
  ASSERT_OK(c.first());
  int64_t expect = 1;
  while (!c.eof()) {
    ASSERT_EQ(c.rowid(), expect);
    if (expect % 2 == 0) ASSERT_OK(c.remove());
    ASSERT_OK(c.next());
    expect++;
  }
  EXPECT_EQ(expect, 3001);
  // Delete every row while scanning backward.
  std::map<int64_t, std::vector<uint8_t>> model;
  for (int64_t k = 1; k <= 3000; k += 2) model[k] = payload_for(k, k % 7 == 0 ? 900 : 40);
  expect_table_matches(bt, root, model);
  ASSERT_OK(c.last());
  int64_t n = 0;
  while (!c.eof()) {
    ASSERT_OK(c.remove());
    ASSERT_OK(c.prev());
    n++;
  }
  EXPECT_EQ(n, 1500);
  EXPECT_EQ(*c.count(), 0);
  expect_integrity_ok(bt, {1, root});
  ASSERT_OK(bt.commit());
}

TEST(Btree, OtherCursorKeepsPositionAcrossWrites) {
  auto db = TestDb::create("o.db", 1024);
  Btree& bt = *db->btree;
  ASSERT_OK(bt.begin_write());
  PageNo root = *bt.create_table(TreeKind::kTable);
  BtCursor w(bt, root, true);
  for (int64_t k = 1; k <= 500; k++) ASSERT_OK(w.insert(k * 2, payload_for(k, 50)));
  BtCursor r(bt, root, false);
  ASSERT_TRUE(r.seek_rowid(400).ok());
  for (int64_t k = 1; k <= 500; k++) ASSERT_OK(w.insert(k * 2 + 1, payload_for(k, 50)));
  EXPECT_TRUE(r.needs_restore());
  bool there = false;
  ASSERT_OK(r.restore(&there));
  EXPECT_TRUE(there);
  EXPECT_EQ(r.rowid(), 400);
  ASSERT_OK(r.next());
  EXPECT_EQ(r.rowid(), 401);
  ASSERT_OK(bt.commit());
}

// One cursor scans (both ways) while another deletes and inserts around it:
// the scan stays strictly ordered and the tree matches the model.
TEST(Btree, ScanWhileAnotherCursorWrites) {
  auto db = TestDb::create("sw.db", 512);
  Btree& bt = *db->btree;
  std::mt19937 rng(99);
  std::map<int64_t, std::vector<uint8_t>> model;
  ASSERT_OK(bt.begin_write());
  PageNo root = *bt.create_table(TreeKind::kTable);
  BtCursor w(bt, root, true);
  for (int64_t k = 0; k < 6000; k += 3) {
    model[k] = payload_for(k, k % 11 == 0 ? 700 : 30);
    ASSERT_OK(w.insert(k, model[k]));
  }
  for (int dir = 0; dir < 2; dir++) {
    BtCursor r(bt, root, false);
    ASSERT_OK(dir == 0 ? r.first() : r.last());
    int64_t prev = dir == 0 ? INT64_MIN : INT64_MAX;
    int steps = 0;
    while (!r.eof()) {
      if (r.needs_restore()) ASSERT_OK(r.restore());
      if (r.eof()) break;
      int64_t cur = r.rowid();
      if (dir == 0) {
        ASSERT_GT(cur, prev);
      } else {
        ASSERT_LT(cur, prev);
      }
      prev = cur;
      // The writer deletes the reader's row, or a random one, and inserts.
      int64_t victim = rng() % 3 == 0 ? cur : static_cast<int64_t>(rng() % 6000);
      if (*w.seek_rowid(victim) == SeekResult::kFound) {
        ASSERT_OK(w.remove());
        model.erase(victim);
      }
      int64_t fresh = static_cast<int64_t>(rng() % 6000);
      model[fresh] = payload_for(fresh, fresh % 13 == 0 ? 900 : 40);
      ASSERT_OK(w.insert(fresh, model[fresh]));
      ASSERT_OK(dir == 0 ? r.next() : r.prev());
      steps++;
    }
    EXPECT_GT(steps, 500);
  }
  expect_table_matches(bt, root, model);
  expect_integrity_ok(bt, {1, root});
  ASSERT_OK(bt.commit());
}

TEST(Btree, IndexCursorRestoresAndSeekResultHint) {
  auto db = TestDb::create("ir.db", 1024);
  Btree& bt = *db->btree;
  RecordOrder order;
  ASSERT_OK(bt.begin_write());
  PageNo root = *bt.create_table(TreeKind::kIndex);
  BtCursor w(bt, root, true, &order);
  // Insert through the seek-result hint: seek first (as a uniqueness check
  // would), then insert where the seek left the cursor.
  for (int64_t i = 0; i < 3000; i += 2) {
    Row row{std::string(i % 7 == 0 ? 600 : 10, 'k'), i};
    auto rec = encode_record(row);
    RecordProbe probe(row);
    auto r = w.seek_key(probe);
    ASSERT_TRUE(r.ok());
    ASSERT_NE(*r, SeekResult::kFound);
    ASSERT_OK(w.insert_key(rec, InsertHint::kUseSeekResult, &probe));
  }
  EXPECT_EQ(*w.count(), 1500);
  BtCursor r(bt, root, false, &order);
  Row target{std::string(10, 'k'), int64_t{1000}};
  RecordProbe tp(target);
  ASSERT_EQ(*r.seek_key(tp), SeekResult::kFound);
  for (int64_t i = 1; i < 3000; i += 2) {
    ASSERT_OK(w.insert_key(encode_record({std::string(i % 5 == 0 ? 800 : 10, 'k'), i})));
  }
  bool there = false;
  ASSERT_OK(r.restore(&there));
  EXPECT_TRUE(there);
  std::vector<uint8_t> buf(r.payload_size());
  ASSERT_OK(r.read_payload(0, static_cast<uint32_t>(buf.size()), buf.data()));
  Row got;
  ASSERT_TRUE(decode_record(buf.data(), buf.size(), &got));
  EXPECT_EQ(got, target);
  // Delete the reader's entry through the writer: the reader's next() lands
  // on the entry that followed it.
  ASSERT_EQ(*w.seek_key(tp), SeekResult::kFound);
  ASSERT_OK(w.next());
  buf.resize(w.payload_size());
  ASSERT_OK(w.read_payload(0, static_cast<uint32_t>(buf.size()), buf.data()));
  Row after;
  ASSERT_TRUE(decode_record(buf.data(), buf.size(), &after));
  ASSERT_EQ(*w.seek_key(tp), SeekResult::kFound);
  ASSERT_OK(w.remove());
  // An explicit restore() first (as to read a column) must not make next()
  // skip the entry the cursor now rests on.
  ASSERT_OK(r.restore(&there));
  EXPECT_FALSE(there);
  ASSERT_OK(r.next());
  buf.resize(r.payload_size());
  ASSERT_OK(r.read_payload(0, static_cast<uint32_t>(buf.size()), buf.data()));
  ASSERT_TRUE(decode_record(buf.data(), buf.size(), &got));
  EXPECT_EQ(got, after);
  std::vector<PageNo> roots{1, root};
  std::vector<const KeyOrder*> orders{nullptr, &order};
  auto ic = bt.integrity_check(roots, 100, orders);
  ASSERT_TRUE(ic.ok());
  EXPECT_TRUE(ic->empty()) << (*ic)[0];
  ASSERT_OK(bt.commit());
}

// Scans and seeks allocate nothing per row once the cursor is warm.
TEST(Btree, CursorPathDoesNotAllocatePerRow) {
  auto db = TestDb::create("na.db", 1024);
  Btree& bt = *db->btree;
  RecordOrder order;
  ASSERT_OK(bt.begin_write());
  PageNo t = *bt.create_table(TreeKind::kTable);
  PageNo ix = *bt.create_table(TreeKind::kIndex);
  {
    BtCursor c(bt, t, true);
    BtCursor i(bt, ix, true, &order);
    for (int64_t k = 1; k <= 5000; k++) {
      ASSERT_OK(c.insert(k, payload_for(k, k % 10 == 0 ? 3000 : 60), InsertHint::kAppend));
      ASSERT_OK(i.insert_key(encode_record({k * 7 % 5003, k})));
    }
  }
  ASSERT_OK(bt.commit());
  ASSERT_OK(bt.begin_read());
  BtCursor c(bt, t, false);
  uint8_t buf[64];
  // Warm-up: first overflow read sizes the chain cache.
  ASSERT_EQ(*c.seek_rowid(10), SeekResult::kFound);
  ASSERT_OK(c.read_payload(2000, 16, buf));
  BtCursor ic(bt, ix, false, &order);  // opening a cursor may allocate; moving it may not
  size_t before = g_allocations;
  int64_t sum = 0;
  ASSERT_OK(c.first());
  while (!c.eof()) {
    sum += c.rowid();
    auto local = c.payload_local();
    sum += local.empty() ? 0 : local[0];
    uint32_t n = c.payload_size();
    ASSERT_OK(c.read_payload(n - 16, 16, buf));  // the tail: on an overflow page if any
    ASSERT_OK(c.next());
  }
  for (int64_t k = 1; k <= 5000; k += 7) {
    auto r = c.seek_rowid(k);
    ASSERT_TRUE(r.ok());
    sum += c.rowid();
  }
  // Index seeks with a comparator that allocates nothing.
  struct IntProbe final : KeyComparator {
    int64_t want = 0;
    int compare(const uint8_t* key, size_t size) const override {
      // Records here are (small int, int); decode the first field by hand.
      if (size < 3) return 0;
      uint8_t type = key[1];
      int64_t v = 0;
      int len = type == 8 ? 0 : type == 9 ? 0 : type <= 4 ? type : 0;
      if (type == 9) v = 1;
      for (int j = 0; j < len; j++) v = (v << 8) | key[key[0] + j];
      if (len > 0 && (key[key[0]] & 0x80)) v -= int64_t{1} << (8 * len);
      return v < want ? -1 : v > want ? 1 : -1;  // -1 on equal: land after equals
    }
  } probe;
  for (int64_t k = 0; k < 5003; k += 11) {
    probe.want = k;
    ASSERT_TRUE(ic.seek_key(probe).ok());
  }
  EXPECT_EQ(g_allocations, before);
  EXPECT_GT(sum, 0);
  bt.end_read();
}

// The read-ahead hint only changes timing: scans visit the same rows in the
// same order whatever the hint (none, a few bytes, more than a page), with
// one, two or many entries per leaf, overflowing rows, and rows deleted by
// the scanning cursor as it goes.
TEST(Btree, ReadAheadHintKeepsScanResults) {
  auto db = TestDb::create("ra.db", 1024);
  Btree& bt = *db->btree;
  ASSERT_OK(bt.begin_write());
  PageNo t = *bt.create_table(TreeKind::kTable);
  {
    BtCursor c(bt, t, true);
    for (int64_t k = 1; k <= 3000; k++) {
      // Runs of small rows (many per leaf), ~450-byte rows (two per leaf),
      // ~900-byte rows (one per leaf) and overflowing rows.
      int64_t kind = (k / 100) % 4;
      uint32_t size = kind == 0 ? 20 : kind == 1 ? 450 : kind == 2 ? 900 : 2500;
      ASSERT_OK(c.insert(k, payload_for(k, size), InsertHint::kAppend));
    }
  }
  for (uint32_t hint : {0u, 8u, 500u, 1u << 20}) {
    BtCursor c(bt, t, true);
    c.set_readahead(hint);
    int64_t expect = 1;
    ASSERT_OK(c.first());
    while (!c.eof()) {
      ASSERT_EQ(c.rowid(), expect);
      auto local = c.payload_local();
      ASSERT_FALSE(local.empty());
      expect++;
      ASSERT_OK(c.next());
    }
    EXPECT_EQ(expect, 3001);
  }
  {
    // Delete every third row during a hinted scan.
    BtCursor c(bt, t, true);
    c.set_readahead(1u << 20);
    int64_t seen = 0;
    ASSERT_OK(c.first());
    while (!c.eof()) {
      seen++;
      ASSERT_EQ(c.rowid(), seen);
      if (seen % 3 == 0) ASSERT_OK(c.remove());
      ASSERT_OK(c.next());
    }
    EXPECT_EQ(seen, 3000);
  }
  BtCursor c(bt, t, false);
  c.set_readahead(64);
  int64_t n = 0;
  ASSERT_OK(c.first());
  while (!c.eof()) {
    EXPECT_NE(c.rowid() % 3, 0);
    n++;
    ASSERT_OK(c.next());
  }
  EXPECT_EQ(n, 2000);
  expect_integrity_ok(bt, {1, t});
  ASSERT_OK(bt.commit());
}

TEST(Btree, ReadPayloadAcrossOverflowPages) {
  auto db = TestDb::create("ov.db", 512);
  Btree& bt = *db->btree;
  ASSERT_OK(bt.begin_write());
  PageNo root = *bt.create_table(TreeKind::kTable);
  BtCursor c(bt, root, true);
  auto big = payload_for(1, 150000);
  ASSERT_OK(c.insert(1, big));
  ASSERT_EQ(*c.seek_rowid(1), SeekResult::kFound);
  EXPECT_EQ(c.payload_size(), 150000u);
  EXPECT_LT(c.payload_local().size(), 512u);
  EXPECT_TRUE(std::equal(c.payload_local().begin(), c.payload_local().end(), big.begin()));
  std::vector<uint8_t> buf(3000);
  for (uint32_t off : {0u, 400u, 507u, 4321u, 100000u, 147000u}) {
    ASSERT_OK(c.read_payload(off, 3000, buf.data()));
    EXPECT_TRUE(std::equal(buf.begin(), buf.end(), big.begin() + off)) << off;
  }
  EXPECT_FALSE(c.read_payload(149000, 3000, buf.data()).ok());
  // Same-size overwrite rewrites the chain in place.
  auto big2 = payload_for(2, 150000);
  PageNo pages = bt.page_count();
  ASSERT_OK(c.insert(1, big2));
  EXPECT_EQ(bt.page_count(), pages);
  ASSERT_EQ(*c.seek_rowid(1), SeekResult::kFound);
  EXPECT_EQ(read_all(c), big2);
  expect_integrity_ok(bt, {1, root});
  ASSERT_OK(bt.commit());
}

TEST(Btree, RollbackAndSavepointsRestoreTrees) {
  auto db = TestDb::create("rb.db", 1024);
  Btree& bt = *db->btree;
  std::map<int64_t, std::vector<uint8_t>> model;
  ASSERT_OK(bt.begin_write());
  PageNo root = *bt.create_table(TreeKind::kTable);
  {
    BtCursor c(bt, root, true);
    for (int64_t k = 1; k <= 1000; k++) {
      model[k] = payload_for(k, k % 30 == 0 ? 4000 : 70);
      ASSERT_OK(c.insert(k, model[k]));
    }
  }
  ASSERT_OK(bt.commit());
  PageNo pages = bt.page_count();
  // A rolled-back transaction leaves no trace, and a cursor open across the
  // rollback finds its row again.
  ASSERT_OK(bt.begin_write());
  BtCursor reader(bt, root, false);
  ASSERT_EQ(*reader.seek_rowid(500), SeekResult::kFound);
  {
    BtCursor c(bt, root, true);
    for (int64_t k = 1; k <= 1000; k += 2) {
      ASSERT_EQ(*c.seek_rowid(k), SeekResult::kFound);
      ASSERT_OK(c.remove());
    }
    for (int64_t k = 2000; k < 3000; k++) ASSERT_OK(c.insert(k, payload_for(k, 300)));
  }
  ASSERT_OK(bt.rollback());
  ASSERT_OK(bt.begin_read());
  bool there = false;
  ASSERT_OK(reader.restore(&there));
  EXPECT_TRUE(there);
  EXPECT_EQ(reader.rowid(), 500);
  EXPECT_EQ(bt.page_count(), pages);
  expect_table_matches(bt, root, model);
  expect_integrity_ok(bt, {1, root});
  bt.end_read();
  // Savepoints: undo the inner part only.
  ASSERT_OK(bt.begin_write());
  {
    BtCursor c(bt, root, true);
    for (int64_t k = 1001; k <= 1200; k++) {
      model[k] = payload_for(k, 90);
      ASSERT_OK(c.insert(k, model[k]));
    }
    auto sp = bt.open_savepoint();
    ASSERT_TRUE(sp.ok());
    for (int64_t k = 1; k <= 600; k++) {
      ASSERT_EQ(*c.seek_rowid(k), SeekResult::kFound);
      ASSERT_OK(c.remove());
    }
    ASSERT_OK(bt.rollback_to_savepoint(*sp));
    ASSERT_OK(bt.release_savepoint(*sp));
  }
  expect_table_matches(bt, root, model);
  expect_integrity_ok(bt, {1, root});
  ASSERT_OK(bt.commit());
}

TEST(Btree, IntegrityCheckCatchesIndexKeysOutOfOrder) {
  auto db = TestDb::create("ko.db", 1024);
  Btree& bt = *db->btree;
  RecordOrder order;
  ASSERT_OK(bt.begin_write());
  PageNo root = *bt.create_table(TreeKind::kIndex);
  {
    BtCursor c(bt, root, true, &order);
    for (int64_t i = 1000; i < 3000; i++) ASSERT_OK(c.insert_key(encode_record({i})));
  }
  std::vector<PageNo> roots{1, root};
  std::vector<const KeyOrder*> orders{nullptr, &order};
  auto r = bt.integrity_check(roots, 100, orders);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  // Rewrite the key of the first cell of the first leaf: (1000) -> (32767).
  PageNo leaf;
  {
    BtCursor c(bt, root, false, &order);
    ASSERT_OK(c.first());
    auto local = c.payload_local();
    ASSERT_EQ(local.size(), 4u);  // header 02 02, then a 2-byte integer
    leaf = 0;
    auto pg = db->pager->get(root);
    ASSERT_TRUE(pg.ok());
    ASSERT_EQ(pg->data()[0], 2);  // index interior root
    leaf = get_u32(pg->data() + get_u16(pg->data() + 12));
  }
  {
    auto pg = db->pager->get(leaf);
    ASSERT_TRUE(pg.ok());
    PageRef ref = std::move(pg).value();
    ASSERT_OK(db->pager->make_writable(ref));
    uint8_t* d = ref.mutable_data();
    uint8_t* cell = d + get_u16(d + 8);
    ASSERT_EQ(cell[0], 4);
    cell[3] = 0x7f;
    cell[4] = 0xff;
  }
  r = bt.integrity_check(roots, 100, orders);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0], "On tree page " + std::to_string(leaf) + " cell 0: Index key out of order");
  ASSERT_OK(bt.rollback());
}

TEST(Btree, EmptyFileReadsAsEmptySchema) {
  auto db = TestDb::create("e.db", 4096);
  Btree& bt = *db->btree;
  ASSERT_OK(bt.begin_read());
  BtCursor c(bt, 1, false);
  ASSERT_OK(c.first());
  EXPECT_TRUE(c.eof());
  EXPECT_EQ(*c.count(), 0);
  EXPECT_EQ(*c.seek_rowid(1), SeekResult::kLess);
  EXPECT_TRUE(c.eof());
  EXPECT_EQ(*bt.get_meta(Meta::kSchemaCookie), 0u);
  bt.end_read();
}

// Temporary b-trees (sorters, IN lists, :memory:) run on an in-memory pager.
TEST(Btree, InMemoryDatabase) {
  PagerOptions opt;
  opt.memory = true;
  opt.page_size = 4096;
  auto pg = Pager::open(":memory:", opt);
  ASSERT_TRUE(pg.ok()) << pg.status().to_string();
  auto btr = Btree::open(**pg);
  Btree& bt = **btr;
  RecordOrder order;
  ASSERT_OK(bt.begin_write());
  PageNo ix = *bt.create_table(TreeKind::kIndex);
  {
    BtCursor c(bt, ix, true, &order);
    for (int64_t k = 0; k < 20000; k++) ASSERT_OK(c.insert_key(encode_record({(k * 7919) % 20011})));
  }
  ASSERT_OK(bt.commit());
  ASSERT_OK(bt.begin_read());
  BtCursor c(bt, ix, false, &order);
  ASSERT_OK(c.first());
  int64_t prev = -1, n = 0;
  while (!c.eof()) {
    std::vector<uint8_t> buf(c.payload_size());
    ASSERT_OK(c.read_payload(0, static_cast<uint32_t>(buf.size()), buf.data()));
    Row r;
    ASSERT_TRUE(decode_record(buf.data(), buf.size(), &r));
    int64_t v = std::get<int64_t>(r[0]);
    ASSERT_GT(v, prev);
    prev = v;
    n++;
    ASSERT_OK(c.next());
  }
  EXPECT_EQ(n, 20000);
  expect_integrity_ok(bt, {1, ix});
  bt.end_read();
}

}  // namespace
}  // namespace keel::storage
