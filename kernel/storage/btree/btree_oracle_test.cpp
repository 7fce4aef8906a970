// Interoperability with real SQLite (libsqlite3 and the sqlite3 CLI are test
// oracles only): files this b-tree writes pass sqlite3's integrity_check and
// give back the same rows; files sqlite3 writes are read back row for row;
// sequential bulk inserts give files within 10% of SQLite's size.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <random>

#include "storage/btree/btree.h"
#include "storage/btree/btree_test_util.h"

namespace keel::storage {
namespace {

using testing::Blob;
using testing::decode_record;
using testing::encode_record;
using testing::RecordOrder;
using testing::Row;
using testing::TestDb;
using testing::Value;

Value column_value(sqlite3_stmt* st, int i) {
  switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
      return int64_t{sqlite3_column_int64(st, i)};
    case SQLITE_FLOAT:
      return sqlite3_column_double(st, i);
    case SQLITE_TEXT:
      return std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, i)),
                         static_cast<size_t>(sqlite3_column_bytes(st, i)));
    case SQLITE_BLOB: {
      const uint8_t* p = static_cast<const uint8_t*>(sqlite3_column_blob(st, i));
      int n = sqlite3_column_bytes(st, i);
      return Blob{std::vector<uint8_t>(p, p + n)};
    }
    default:
      return std::monostate{};
  }
}

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  ASSERT_EQ(rc, SQLITE_OK) << sql << ": " << (err ? err : "");
  sqlite3_free(err);
}

// Every row of a query, as decoded values.
std::vector<Row> query(sqlite3* db, const std::string& sql) {
  std::vector<Row> rows;
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  while (sqlite3_step(st) == SQLITE_ROW) {
    Row r;
    for (int i = 0; i < sqlite3_column_count(st); i++) r.push_back(column_value(st, i));
    rows.push_back(std::move(r));
  }
  sqlite3_finalize(st);
  return rows;
}

std::vector<uint8_t> blob_for(int64_t i, size_t n) {
  std::vector<uint8_t> v(n);
  uint32_t x = static_cast<uint32_t>(i) * 2654435761u + 17;
  for (size_t k = 0; k < n; k++) {
    x = x * 1103515245u + 12345u;
    v[k] = static_cast<uint8_t>(x >> 24);
  }
  return v;
}

Row row_for(int64_t i) {
  size_t blob = i % 997 == 0 ? 120000 : (i % 13 == 0 ? 1500 : 24);
  return Row{i * 3, "name-" + std::to_string(i * 7919 % 100003), Blob{blob_for(i, blob)}};
}

// Rows equal under SQLite's value comparison (a REAL column may be stored
// as an integer in the record).
bool same_row(const Row& a, const Row& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    if (a[i].index() == 0 || b[i].index() == 0) {
      if (a[i].index() != b[i].index()) return false;
      continue;
    }
    if (testing::compare_values(a[i], b[i]) != 0) return false;
  }
  return true;
}

// Reads the record of a cursor's current entry.
Row current_row(BtCursor& c) {
  std::vector<uint8_t> buf(c.payload_size());
  Status st = c.read_payload(0, static_cast<uint32_t>(buf.size()), buf.data());
  EXPECT_TRUE(st.ok()) << st.to_string();
  Row r;
  EXPECT_TRUE(decode_record(buf.data(), buf.size(), &r));
  return r;
}

class KeelWrites : public ::testing::TestWithParam<uint32_t> {};

TEST_P(KeelWrites, SqliteReadsTheFile) {
  const uint32_t ps = GetParam();
  const int64_t n = ps == 65536 ? 20000 : 100000;
  auto db = TestDb::create("keel.db", ps);
  ASSERT_TRUE(db);
  Btree& bt = *db->btree;
  RecordOrder order;
  std::map<int64_t, Row> model;
  ASSERT_OK(bt.begin_write());
  PageNo t = *bt.create_table(TreeKind::kTable);
  PageNo ix = *bt.create_table(TreeKind::kIndex);
  PageNo wr = *bt.create_table(TreeKind::kIndex);
  std::map<std::string, int64_t> wr_model;
  {
    // A WITHOUT ROWID table is an index b-tree of (primary key, other columns).
    BtCursor wc(bt, wr, true, &order);
    for (int64_t i = 1; i <= n / 10; i++) {
      std::string k = "k" + std::to_string(i * 31 % 100003);
      ASSERT_OK(wc.insert_key(encode_record({k, i})));
      wr_model[k] = i;
    }
    for (int64_t i = 3; i <= n / 10; i += 3) {
      std::string k = "k" + std::to_string(i * 31 % 100003);
      testing::RecordProbe probe({k});
      ASSERT_EQ(*wc.seek_key(probe), SeekResult::kFound);
      ASSERT_OK(wc.remove());
      wr_model.erase(k);
    }
  }
  {
    BtCursor tc(bt, t, true);
    BtCursor ic(bt, ix, true, &order);
    for (int64_t i = 1; i <= n; i++) {
      Row r = row_for(i);
      ASSERT_OK(tc.insert(i, encode_record(r), InsertHint::kAppend));
      ASSERT_OK(ic.insert_key(encode_record({r[1], i})));
      model[i] = r;
    }
    // Deleted data: every 5th row goes, from the table and the index.
    for (int64_t i = 5; i <= n; i += 5) {
      ASSERT_EQ(*tc.seek_rowid(i), SeekResult::kFound);
      ASSERT_OK(tc.remove());
      testing::RecordProbe probe({model[i][1], i});
      ASSERT_EQ(*ic.seek_key(probe), SeekResult::kFound);
      ASSERT_OK(ic.remove());
      model.erase(i);
    }
  }
  {
    BtCursor sc(bt, 1, true);
    std::string tsql = "CREATE TABLE t(a INTEGER, b TEXT, c BLOB)";
    std::string isql = "CREATE INDEX t_b ON t(b)";
    ASSERT_OK(sc.insert(
        1, encode_record({std::string("table"), std::string("t"), std::string("t"), int64_t{t}, tsql})));
    ASSERT_OK(sc.insert(
        2, encode_record({std::string("index"), std::string("t_b"), std::string("t"), int64_t{ix}, isql})));
    ASSERT_OK(
        sc.insert(3, encode_record({std::string("table"), std::string("wr"), std::string("wr"), int64_t{wr},
                                    std::string("CREATE TABLE wr(k TEXT PRIMARY KEY, v INTEGER) "
                                                "WITHOUT ROWID")})));
  }
  ASSERT_OK(bt.set_meta(Meta::kSchemaCookie, 1));
  ASSERT_OK(bt.set_meta(Meta::kSchemaFormat, 4));
  ASSERT_OK(bt.set_meta(Meta::kTextEncoding, 1));
  ASSERT_OK(bt.commit());
  ASSERT_GT(*bt.get_meta(Meta::kFreePageCount), 0u);
  db->close();

  std::string out = testing::run("sqlite3 '" + db->path + "' 'PRAGMA integrity_check;' 2>&1");
  EXPECT_EQ(out, "ok\n");
  out = testing::run("sqlite3 '" + db->path + "' 'SELECT count(*) FROM t;' 2>&1");
  EXPECT_EQ(out, std::to_string(model.size()) + "\n");

  sqlite3* s = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db->path.c_str(), &s, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  auto rows = query(s, "SELECT rowid, a, b, c FROM t ORDER BY rowid");
  ASSERT_EQ(rows.size(), model.size());
  auto it = model.begin();
  for (auto& r : rows) {
    ASSERT_EQ(std::get<int64_t>(r[0]), it->first);
    ASSERT_EQ(Row(r.begin() + 1, r.end()), it->second) << "rowid " << it->first;
    ++it;
  }
  auto wrows = query(s, "SELECT k, v FROM wr ORDER BY k");
  ASSERT_EQ(wrows.size(), wr_model.size());
  auto wit = wr_model.begin();
  for (auto& r : wrows) {
    ASSERT_EQ(std::get<std::string>(r[0]), wit->first);
    ASSERT_EQ(std::get<int64_t>(r[1]), wit->second);
    ++wit;
  }
  // Point lookups go through SQLite's own binary search of our pages.
  for (auto& [k, v] : wr_model) {
    if (v % 97 != 0) continue;
    auto one = query(s, "SELECT v FROM wr WHERE k = '" + k + "'");
    ASSERT_EQ(one.size(), 1u) << k;
    EXPECT_EQ(std::get<int64_t>(one[0][0]), v);
  }
  sqlite3_close(s);
}

INSTANTIATE_TEST_SUITE_P(PageSizes, KeelWrites, ::testing::Values(1024u, 4096u, 65536u));

// Builds a varied file with libsqlite3.
void build_sqlite_file(const std::string& path, uint32_t ps, bool auto_vacuum) {
  sqlite3* s = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &s), SQLITE_OK);
  exec(s, "PRAGMA page_size=" + std::to_string(ps));
  if (auto_vacuum) exec(s, "PRAGMA auto_vacuum=FULL");
  exec(s, "CREATE TABLE big(a INTEGER, b TEXT, c REAL)");
  exec(s, "CREATE INDEX big_b ON big(b, a)");
  exec(s, "CREATE TABLE ov(id INTEGER PRIMARY KEY, data BLOB, note TEXT)");
  exec(s, "CREATE TABLE wr(k TEXT PRIMARY KEY, v INTEGER, w BLOB) WITHOUT ROWID");
  exec(s, "BEGIN");
  exec(s,
       "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<100000) "
       "INSERT INTO big SELECT x, printf('v%08d-%s', (x*7919)%100003, hex(randomblob(x%20))), x*0.5 FROM c");
  exec(s,
       "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<12) "
       "INSERT INTO ov SELECT x, randomblob(100000 + x*9000), printf('%.*c', x*300, 'z') FROM c");
  exec(s,
       "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<5000) "
       "INSERT INTO wr SELECT printf('key%06d', (x*37)%5003), x, randomblob(x%700) FROM c");
  exec(s, "COMMIT");
  exec(s, "DELETE FROM big WHERE a % 3 = 0");
  exec(s, "DELETE FROM ov WHERE id IN (2, 5)");
  exec(s, "DELETE FROM wr WHERE v % 4 = 1");
  exec(s, "UPDATE big SET b = b || '-upd' WHERE a % 7 = 0");
  sqlite3_close(s);
}

struct SqliteFile : ::testing::TestWithParam<std::tuple<uint32_t, bool>> {};

TEST_P(SqliteFile, KeelReadsEveryRow) {
  auto [ps, av] = GetParam();
  std::string dir = testing::temp_dir();
  std::string path = dir + "/sq.db";
  build_sqlite_file(path, ps, av);
  if (::testing::Test::HasFatalFailure()) return;
  sqlite3* s = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &s, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::map<std::string, PageNo> roots;
  for (auto& r : query(s, "SELECT name, rootpage FROM sqlite_schema WHERE rootpage > 0")) {
    roots[std::get<std::string>(r[0])] = static_cast<PageNo>(std::get<int64_t>(r[1]));
  }
  ASSERT_EQ(roots.count("big"), 1u);
  ASSERT_EQ(roots.count("wr"), 1u);  // its primary key index is the table
  {
    PagerOptions opt;
    opt.create = false;
    auto pg = Pager::open(path, opt);
    ASSERT_TRUE(pg.ok()) << pg.status().to_string();
    auto btr = Btree::open(**pg);
    Btree& bt = **btr;
    ASSERT_OK(bt.begin_read());
    EXPECT_EQ(bt.auto_vacuum(), av ? AutoVacuum::kFull : AutoVacuum::kNone);
    // Our integrity check agrees with SQLite's on SQLite's own file.
    std::vector<PageNo> all{1};
    for (auto& [name, r] : roots) all.push_back(r);
    std::sort(all.begin(), all.end());
    auto ic = bt.integrity_check(all);
    ASSERT_TRUE(ic.ok());
    EXPECT_TRUE(ic->empty()) << (*ic)[0];

    // Rowid tables: rowid + record equal to SELECT rowid, *.
    for (const char* tname : {"big", "ov"}) {
      auto expect = query(s, std::string("SELECT rowid, * FROM ") + tname + " ORDER BY rowid");
      BtCursor c(bt, roots[tname], false);
      ASSERT_OK(c.first());
      size_t i = 0;
      while (!c.eof()) {
        ASSERT_LT(i, expect.size());
        ASSERT_EQ(c.rowid(), std::get<int64_t>(expect[i][0]));
        Row r = current_row(c);
        Row want(expect[i].begin() + 1, expect[i].end());
        if (std::string(tname) == "ov") r[0] = int64_t{c.rowid()};  // INTEGER PRIMARY KEY is stored as NULL
        ASSERT_TRUE(same_row(r, want)) << tname << " rowid " << c.rowid() << " " << testing::row_to_string(r)
                                       << " vs " << testing::row_to_string(want);
        i++;
        ASSERT_OK(c.next());
      }
      EXPECT_EQ(i, expect.size()) << tname;
    }
    // An index: (b, a, rowid) in index order.
    {
      auto expect = query(s, "SELECT b, a, rowid FROM big ORDER BY b, a, rowid");
      RecordOrder order;
      BtCursor c(bt, roots["big_b"], false, &order);
      ASSERT_OK(c.first());
      size_t i = 0;
      while (!c.eof()) {
        ASSERT_LT(i, expect.size());
        ASSERT_TRUE(same_row(current_row(c), expect[i])) << i;
        i++;
        ASSERT_OK(c.next());
      }
      EXPECT_EQ(i, expect.size());
    }
    // WITHOUT ROWID: the table is an index b-tree of (k, v, w).
    {
      auto expect = query(s, "SELECT k, v, w FROM wr ORDER BY k");
      RecordOrder order;
      BtCursor c(bt, roots["wr"], false, &order);
      ASSERT_OK(c.last());
      size_t i = expect.size();
      while (!c.eof()) {
        ASSERT_GT(i, 0u);
        i--;
        ASSERT_TRUE(same_row(current_row(c), expect[i])) << i;
        ASSERT_OK(c.prev());
      }
      EXPECT_EQ(i, 0u);
      testing::RecordProbe probe({std::get<std::string>(expect[expect.size() / 2][0])});
      auto r = c.seek_key(probe);
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(*r, SeekResult::kFound);
      EXPECT_TRUE(same_row(current_row(c), expect[expect.size() / 2]));
    }
    bt.end_read();
  }
  sqlite3_close(s);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

INSTANTIATE_TEST_SUITE_P(Variants, SqliteFile,
                         ::testing::Values(std::make_tuple(1024u, false), std::make_tuple(4096u, false),
                                           std::make_tuple(65536u, false), std::make_tuple(4096u, true),
                                           std::make_tuple(1024u, true)));

// Keel writes into a file SQLite created (auto_vacuum=FULL), SQLite checks it.
TEST(Oracle, KeelChangesSqliteAutoVacuumFile) {
  std::string dir = testing::temp_dir();
  std::string path = dir + "/av.db";
  build_sqlite_file(path, 1024, true);
  if (::testing::Test::HasFatalFailure()) return;
  PageNo big = 0, ov = 0;
  {
    sqlite3* s = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &s), SQLITE_OK);
    big = static_cast<PageNo>(
        std::get<int64_t>(query(s, "SELECT rootpage FROM sqlite_schema WHERE name='big'")[0][0]));
    ov = static_cast<PageNo>(
        std::get<int64_t>(query(s, "SELECT rootpage FROM sqlite_schema WHERE name='ov'")[0][0]));
    sqlite3_close(s);
  }
  {
    PagerOptions opt;
    auto pg = Pager::open(path, opt);
    ASSERT_TRUE(pg.ok());
    auto btr = Btree::open(**pg);
    Btree& bt = **btr;
    ASSERT_OK(bt.begin_write());
    {
      BtCursor c(bt, ov, true);
      for (int64_t id = 100; id < 110; id++) {
        Row r{std::monostate{}, Blob{blob_for(id, 50000)}, std::string("keel")};
        ASSERT_OK(c.insert(id, encode_record(r)));
      }
      ASSERT_EQ(*c.seek_rowid(1), SeekResult::kFound);
      ASSERT_OK(c.remove());
    }
    (void)big;
    ASSERT_OK(bt.commit());
  }
  EXPECT_EQ(testing::run("sqlite3 '" + path + "' 'PRAGMA integrity_check;' 2>&1"), "ok\n");
  EXPECT_EQ(testing::run("sqlite3 '" + path +
                         "' 'SELECT count(*), sum(length(data)) FROM ov WHERE note=\"keel\";' 2>&1"),
            "10|500000\n");
  EXPECT_EQ(testing::run("sqlite3 '" + path + "' 'PRAGMA freelist_count;' 2>&1"), "0\n");
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// WAL mode: the b-tree's pages reach sqlite3 through the log.
TEST(Oracle, WalModeFileIsReadBySqlite) {
  std::string dir = testing::temp_dir();
  std::string path = dir + "/w.db";
  PagerOptions opt;
  opt.page_size = 4096;
  auto pg = Pager::open(path, opt);
  ASSERT_TRUE(pg.ok());
  Pager& pager = **pg;
  ASSERT_OK(pager.set_journal_mode(JournalModeKind::kWal));
  auto btr = Btree::open(pager);
  Btree& bt = **btr;
  RecordOrder order;
  ASSERT_OK(bt.begin_write());
  PageNo t = *bt.create_table(TreeKind::kTable);
  PageNo ix = *bt.create_table(TreeKind::kIndex);
  {
    BtCursor sc(bt, 1, true);
    ASSERT_OK(sc.insert(1, encode_record({std::string("table"), std::string("t"), std::string("t"),
                                          int64_t{t}, std::string("CREATE TABLE t(a, b, c)")})));
    ASSERT_OK(sc.insert(2, encode_record({std::string("index"), std::string("t_b"), std::string("t"),
                                          int64_t{ix}, std::string("CREATE INDEX t_b ON t(b)")})));
  }
  ASSERT_OK(bt.set_meta(Meta::kSchemaCookie, 1));
  ASSERT_OK(bt.set_meta(Meta::kSchemaFormat, 4));
  ASSERT_OK(bt.set_meta(Meta::kTextEncoding, 1));
  ASSERT_OK(bt.commit());
  for (int txn = 0; txn < 5; txn++) {
    ASSERT_OK(bt.begin_write());
    BtCursor tc(bt, t, true);
    BtCursor ic(bt, ix, true, &order);
    for (int64_t i = txn * 4000 + 1; i <= (txn + 1) * 4000; i++) {
      Row r = row_for(i);
      ASSERT_OK(tc.insert(i, encode_record(r), InsertHint::kAppend));
      ASSERT_OK(ic.insert_key(encode_record({r[1], i})));
    }
    ASSERT_OK(bt.commit());
  }
  // The connection stays open: sqlite3 reads the database through the WAL.
  EXPECT_EQ(testing::run("sqlite3 '" + path + "' 'PRAGMA integrity_check;' 2>&1"), "ok\n");
  EXPECT_EQ(testing::run("sqlite3 '" + path + "' 'PRAGMA journal_mode; SELECT count(*) FROM t;' 2>&1"),
            "wal\n20000\n");
  btr->reset();
  pg->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// Reserved bytes at the end of each page (codec space) shrink the usable
// size: every local/overflow split changes, and sqlite3 must still agree.
TEST(Oracle, ReservedBytesChangeUsableSize) {
  std::string dir = testing::temp_dir();
  std::string path = dir + "/r.db";
  std::map<int64_t, Row> model;
  {
    PagerOptions opt;
    opt.page_size = 1024;
    opt.reserved_bytes = 40;
    auto pg = Pager::open(path, opt);
    ASSERT_TRUE(pg.ok()) << pg.status().to_string();
    auto btr = Btree::open(**pg);
    Btree& bt = **btr;
    ASSERT_OK(bt.begin_write());
    EXPECT_EQ(bt.usable_size(), 984u);
    PageNo t = *bt.create_table(TreeKind::kTable);
    {
      BtCursor c(bt, t, true);
      for (int64_t i = 1; i <= 3000; i++) {
        Row r = row_for(i);
        ASSERT_OK(c.insert(i, encode_record(r), InsertHint::kAppend));
        model[i] = r;
      }
      BtCursor sc(bt, 1, true);
      ASSERT_OK(sc.insert(1, encode_record({std::string("table"), std::string("t"), std::string("t"),
                                            int64_t{t}, std::string("CREATE TABLE t(a, b, c)")})));
    }
    ASSERT_OK(bt.set_meta(Meta::kSchemaCookie, 1));
    ASSERT_OK(bt.set_meta(Meta::kSchemaFormat, 4));
    ASSERT_OK(bt.set_meta(Meta::kTextEncoding, 1));
    ASSERT_OK(bt.commit());
  }
  EXPECT_EQ(testing::run("sqlite3 '" + path + "' 'PRAGMA integrity_check;' 2>&1"), "ok\n");
  sqlite3* s = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &s, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  auto rows = query(s, "SELECT rowid, a, b, c FROM t ORDER BY rowid");
  ASSERT_EQ(rows.size(), model.size());
  for (auto& r : rows) {
    ASSERT_TRUE(same_row(Row(r.begin() + 1, r.end()), model[std::get<int64_t>(r[0])]));
  }
  sqlite3_close(s);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// Rewrites sqlite_schema after drop_table: removes `dropped` and points the
// entry whose root moved at its new page.
void fix_schema_after_drop(Btree& bt, PageNo dropped, PageNo moved_from) {
  BtCursor sc(bt, 1, true);
  std::vector<std::pair<int64_t, Row>> rows;
  ASSERT_OK(sc.first());
  while (!sc.eof()) {
    rows.emplace_back(sc.rowid(), current_row(sc));
    ASSERT_OK(sc.next());
  }
  for (auto& [rowid, r] : rows) {
    PageNo root = static_cast<PageNo>(std::get<int64_t>(r[3]));
    if (root == dropped) {
      ASSERT_EQ(*sc.seek_rowid(rowid), SeekResult::kFound);
      ASSERT_OK(sc.remove());
    } else if (moved_from != 0 && root == moved_from) {
      r[3] = int64_t{dropped};
      ASSERT_OK(sc.insert(rowid, encode_record(r)));
    }
  }
}

// Keel drops a table and vacuums incrementally in files sqlite3 made; sqlite3
// checks the result (pointer maps, relocated roots, truncation).
TEST(Oracle, DropAndIncrementalVacuumOnSqliteFiles) {
  for (bool incremental : {false, true}) {
    std::string dir = testing::temp_dir();
    std::string path = dir + "/v.db";
    {
      sqlite3* s = nullptr;
      ASSERT_EQ(sqlite3_open(path.c_str(), &s), SQLITE_OK);
      exec(s, "PRAGMA page_size=1024");
      exec(s, std::string("PRAGMA auto_vacuum=") + (incremental ? "INCREMENTAL" : "FULL"));
      exec(s, "CREATE TABLE a(x INTEGER, y TEXT)");
      exec(s, "CREATE TABLE b(x INTEGER, y BLOB)");
      exec(s, "CREATE INDEX b_x ON b(x)");
      exec(s, "CREATE TABLE c(x INTEGER PRIMARY KEY, y TEXT)");
      exec(s, "CREATE INDEX c_y ON c(y)");
      exec(s,
           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<3000) "
           "INSERT INTO a SELECT i, printf('a%d', i) FROM n");
      exec(s,
           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<2000) "
           "INSERT INTO b SELECT i, randomblob(CASE WHEN i % 50 = 0 THEN 5000 ELSE 100 END) FROM n");
      exec(s,
           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<2000) "
           "INSERT INTO c SELECT i, printf('c%d', i * 17 % 2003) FROM n");
      exec(s, "DELETE FROM a WHERE x % 2 = 0");
      sqlite3_close(s);
    }
    auto before = std::filesystem::file_size(path);
    std::string expect_c =
        testing::run("sqlite3 '" + path + "' 'SELECT count(*), sum(length(y)), max(x) FROM c;' 2>&1");
    PageNo b_root = 0, bx_root = 0;
    {
      sqlite3* s = nullptr;
      ASSERT_EQ(sqlite3_open(path.c_str(), &s), SQLITE_OK);
      b_root = static_cast<PageNo>(
          std::get<int64_t>(query(s, "SELECT rootpage FROM sqlite_schema WHERE name='b'")[0][0]));
      bx_root = static_cast<PageNo>(
          std::get<int64_t>(query(s, "SELECT rootpage FROM sqlite_schema WHERE name='b_x'")[0][0]));
      sqlite3_close(s);
    }
    {
      PagerOptions opt;
      auto pg = Pager::open(path, opt);
      ASSERT_TRUE(pg.ok());
      auto btr = Btree::open(**pg);
      Btree& bt = **btr;
      ASSERT_OK(bt.begin_write());
      EXPECT_EQ(bt.auto_vacuum(), incremental ? AutoVacuum::kIncremental : AutoVacuum::kFull);
      // Drop b's index, then b: roots move down to fill the holes.
      for (PageNo root : {bx_root, b_root}) {
        auto moved = bt.drop_table(root);
        ASSERT_TRUE(moved.ok()) << moved.status().to_string();
        fix_schema_after_drop(bt, root, *moved);
        if (::testing::Test::HasFatalFailure()) return;
        if (*moved == b_root) b_root = root;
      }
      ASSERT_OK(bt.set_meta(Meta::kSchemaCookie, *bt.get_meta(Meta::kSchemaCookie) + 1));
      if (incremental) {
        auto freed = bt.incremental_vacuum(7);
        ASSERT_TRUE(freed.ok()) << freed.status().to_string();
        EXPECT_EQ(*freed, 7u);
      }
      ASSERT_OK(bt.commit());
      if (incremental) {
        EXPECT_GT(*bt.get_meta(Meta::kFreePageCount), 0u);
        EXPECT_EQ(testing::run("sqlite3 '" + path + "' 'PRAGMA integrity_check;' 2>&1"), "ok\n");
        ASSERT_OK(bt.begin_write());
        ASSERT_TRUE(bt.incremental_vacuum(0).ok());
        ASSERT_OK(bt.commit());
      }
      EXPECT_EQ(*bt.get_meta(Meta::kFreePageCount), 0u);
    }
    EXPECT_EQ(testing::run("sqlite3 '" + path + "' 'PRAGMA integrity_check;' 2>&1"), "ok\n");
    EXPECT_EQ(testing::run("sqlite3 '" + path + "' 'PRAGMA freelist_count;' 2>&1"), "0\n");
    EXPECT_EQ(testing::run("sqlite3 '" + path + "' 'SELECT count(*), sum(length(y)), max(x) FROM c;' 2>&1"),
              expect_c);
    EXPECT_EQ(testing::run("sqlite3 '" + path + "' 'SELECT count(*) FROM a;' 2>&1"), "1500\n");
    EXPECT_LT(std::filesystem::file_size(path), before);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
}

// Sequential bulk insert: same rows through libsqlite3 and through this
// b-tree; the files must be within 10% in size.
TEST(Oracle, SequentialBulkInsertFileSizeMatchesSqlite) {
  for (uint32_t ps : {1024u, 4096u}) {
    const int64_t n = 50000;
    std::string dir = testing::temp_dir();
    std::string sq = dir + "/sq.db";
    {
      sqlite3* s = nullptr;
      ASSERT_EQ(sqlite3_open(sq.c_str(), &s), SQLITE_OK);
      exec(s, "PRAGMA page_size=" + std::to_string(ps));
      exec(s, "CREATE TABLE t(a INTEGER, b TEXT, c BLOB)");
      exec(s, "CREATE INDEX t_a ON t(a)");
      exec(s, "BEGIN");
      sqlite3_stmt* st;
      ASSERT_EQ(sqlite3_prepare_v2(s, "INSERT INTO t(rowid, a, b, c) VALUES(?,?,?,?)", -1, &st, nullptr),
                SQLITE_OK);
      for (int64_t i = 1; i <= n; i++) {
        Row r = row_for(i);
        sqlite3_bind_int64(st, 1, i);
        sqlite3_bind_int64(st, 2, std::get<int64_t>(r[0]));
        auto& text = std::get<std::string>(r[1]);
        sqlite3_bind_text(st, 3, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
        auto& b = std::get<Blob>(r[2]).bytes;
        sqlite3_bind_blob(st, 4, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
        ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
        sqlite3_reset(st);
      }
      sqlite3_finalize(st);
      exec(s, "COMMIT");
      sqlite3_close(s);
    }
    auto db = TestDb::create("k.db", ps);
    Btree& bt = *db->btree;
    RecordOrder order;
    ASSERT_OK(bt.begin_write());
    PageNo t = *bt.create_table(TreeKind::kTable);
    PageNo ix = *bt.create_table(TreeKind::kIndex);
    {
      BtCursor tc(bt, t, true);
      BtCursor ic(bt, ix, true, &order);
      for (int64_t i = 1; i <= n; i++) {
        Row r = row_for(i);
        ASSERT_OK(tc.insert(i, encode_record(r), InsertHint::kAppend));
        ASSERT_OK(ic.insert_key(encode_record({r[0], i})));
      }
      BtCursor sc(bt, 1, true);
      ASSERT_OK(
          sc.insert(1, encode_record({std::string("table"), std::string("t"), std::string("t"), int64_t{t},
                                      std::string("CREATE TABLE t(a INTEGER, b TEXT, c BLOB)")})));
      ASSERT_OK(sc.insert(2, encode_record({std::string("index"), std::string("t_a"), std::string("t"),
                                            int64_t{ix}, std::string("CREATE INDEX t_a ON t(a)")})));
    }
    ASSERT_OK(bt.set_meta(Meta::kSchemaCookie, 1));
    ASSERT_OK(bt.set_meta(Meta::kSchemaFormat, 4));
    ASSERT_OK(bt.set_meta(Meta::kTextEncoding, 1));
    ASSERT_OK(bt.commit());
    db->close();
    auto ksize = std::filesystem::file_size(db->path);
    auto ssize = std::filesystem::file_size(sq);
    double ratio = static_cast<double>(ksize) / static_cast<double>(ssize);
    EXPECT_GT(ratio, 0.9) << "keel " << ksize << " sqlite " << ssize << " page " << ps;
    EXPECT_LT(ratio, 1.1) << "keel " << ksize << " sqlite " << ssize << " page " << ps;
    RecordProperty("size_ratio_" + std::to_string(ps), std::to_string(ratio));
    EXPECT_EQ(testing::run("sqlite3 '" + db->path + "' 'PRAGMA integrity_check;' 2>&1"), "ok\n");
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
}

}  // namespace
}  // namespace keel::storage
