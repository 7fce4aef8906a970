// B-tree unit tests: random operations against std::map / std::set models
// over several page sizes, navigation, deletes during scans, freelist reuse,
// auto-vacuum, incremental vacuum, integrity check on damaged files.
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
using testing::RecordOrder;
using testing::RecordProbe;
using testing::Row;
using testing::TestDb;

#define ASSERT_OK(expr)                                        \
  do {                                                         \
    ::keel::Status st_ = (expr);                               \
    ASSERT_TRUE(st_.ok()) << #expr << ": " << st_.to_string(); \
  } while (0)

std::vector<uint8_t> payload_for(int64_t key, uint32_t size) {
  std::vector<uint8_t> v(size);
  uint64_t x = static_cast<uint64_t>(key) * 0x9E3779B97F4A7C15ull + size;
  for (uint32_t i = 0; i < size; i++) {
    x ^= x >> 13;
    x *= 0xff51afd7ed558ccdull;
    v[i] = static_cast<uint8_t>(x >> 56);
  }
  return v;
}

std::vector<uint8_t> read_all(BtCursor& c) {
  std::vector<uint8_t> v(c.payload_size());
  Status st = c.read_payload(0, static_cast<uint32_t>(v.size()), v.data());
  EXPECT_TRUE(st.ok()) << st.to_string();
  return v;
}

void expect_integrity_ok(Btree& bt, std::vector<PageNo> roots) {
  auto r = bt.integrity_check(roots);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  std::string all;
  for (auto& m : *r) all += m + "\n";
  EXPECT_TRUE(r->empty()) << all;
}

// Full scans forwards and backwards must equal the model.
void expect_table_matches(Btree& bt, PageNo root, const std::map<int64_t, std::vector<uint8_t>>& model) {
  BtCursor c(bt, root, false);
  ASSERT_OK(c.first());
  auto it = model.begin();
  size_t n = 0;
  while (!c.eof()) {
    ASSERT_NE(it, model.end());
    ASSERT_EQ(c.rowid(), it->first);
    ASSERT_EQ(read_all(c), it->second) << "rowid " << it->first;
    ++it;
    ++n;
    ASSERT_OK(c.next());
  }
  ASSERT_EQ(n, model.size());
  ASSERT_OK(c.last());
  auto rit = model.rbegin();
  while (!c.eof()) {
    ASSERT_NE(rit, model.rend());
    ASSERT_EQ(c.rowid(), rit->first);
    ++rit;
    ASSERT_OK(c.prev());
  }
  ASSERT_EQ(rit, model.rend());
  auto cnt = c.count();
  ASSERT_TRUE(cnt.ok());
  ASSERT_EQ(*cnt, static_cast<int64_t>(model.size()));
}

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
