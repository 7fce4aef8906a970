// ANALYZE and sqlite_stat1 against SQLite 3.40 (libsqlite3 is the oracle):
// the same sqlite_stat1 rows (rowids included) for the same database, query
// plans that follow the statistics as SQLite's do (EXPLAIN QUERY PLAN
// compared line by line, before and after ANALYZE), statistics written by
// hand and reloaded with ANALYZE sqlite_schema, and files exchanged both
// ways: sqlite3 reads the statistics Keel wrote and plans with them, Keel
// reads those sqlite3 wrote.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "engine/connection.h"

namespace keel::engine {
namespace {

namespace fs = std::filesystem;

std::string keel_query(Connection& c, const std::string& sql) {
  std::string out;
  Status s = c.exec(sql, [&](int n, char** values, char**) {
    for (int i = 0; i < n; i++) {
      if (i) out += '|';
      out += values[i] ? values[i] : "NULL";
    }
    out += '\n';
    return false;
  });
  if (!s.ok()) return "error: " + std::string(s.message());
  return out;
}

std::string sqlite_query(sqlite3* db, const std::string& sql) {
  std::string out;
  char* err = nullptr;
  int rc = sqlite3_exec(
      db, sql.c_str(),
      [](void* arg, int n, char** values, char**) {
        auto* o = static_cast<std::string*>(arg);
        for (int i = 0; i < n; i++) {
          if (i) *o += '|';
          *o += values[i] ? values[i] : "NULL";
        }
        *o += '\n';
        return 0;
      },
      &out, &err);
  if (rc != SQLITE_OK) out = std::string("error: ") + (err ? err : "?");
  sqlite3_free(err);
  return out;
}

// EXPLAIN QUERY PLAN rows (id|parent|notused|detail) as an indented tree of
// details: the ids differ between the engines, the shape must not.
std::string plan_tree(const std::string& rows) {
  std::map<std::string, int> depth;
  std::string out;
  size_t pos = 0;
  while (pos < rows.size()) {
    size_t end = rows.find('\n', pos);
    std::string line = rows.substr(pos, end - pos);
    pos = end + 1;
    size_t a = line.find('|'), b = line.find('|', a + 1), c = line.find('|', b + 1);
    if (a == std::string::npos || b == std::string::npos || c == std::string::npos) return rows;
    std::string id = line.substr(0, a), parent = line.substr(a + 1, b - a - 1);
    int d = depth.count(parent) ? depth[parent] + 1 : 0;
    depth[id] = d;
    out += std::string(static_cast<size_t>(d) * 2, ' ') + line.substr(c + 1) + "\n";
  }
  return out;
}

// The lines of a result in sorted order (plans may change the row order).
std::string sorted_lines(const std::string& rows) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < rows.size()) {
    size_t end = rows.find('\n', pos);
    if (end == std::string::npos) end = rows.size();
    lines.push_back(rows.substr(pos, end - pos));
    pos = end + 1;
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

class PlanAnalyze : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("keel_analyze_" + std::to_string(getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    keel_.reset();
    if (lite_) sqlite3_close(lite_);
    fs::remove_all(dir_);
  }
  std::string path(const char* name) const { return (dir_ / name).string(); }
  void open_both(const std::string& keel_file, const std::string& lite_file) {
    auto c = Connection::open(keel_file);
    ASSERT_TRUE(c.ok()) << c.status().message();
    keel_ = std::move(c).value();
    ASSERT_EQ(sqlite3_open(lite_file.c_str(), &lite_), SQLITE_OK);
  }
  // Runs `sql` on both; the outputs must agree.
  void both(const std::string& sql) {
    std::string k = keel_query(*keel_, sql), l = sqlite_query(lite_, sql);
    ASSERT_EQ(k, l) << sql;
  }
  std::string keel_plan(const std::string& q) {
    return plan_tree(keel_query(*keel_, "EXPLAIN QUERY PLAN " + q));
  }
  std::string lite_plan(const std::string& q) {
    return plan_tree(sqlite_query(lite_, "EXPLAIN QUERY PLAN " + q));
  }

  fs::path dir_;
  std::unique_ptr<Connection> keel_;
  sqlite3* lite_ = nullptr;
};

// Tables whose indexes differ in selectivity, and the queries whose plans
// depend on it.
const char* kSchema = R"(
CREATE TABLE t(a, b, c, d);
CREATE INDEX t_a ON t(a);
CREATE INDEX t_b ON t(b);
CREATE INDEX t_cd ON t(c, d);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<2000)
  INSERT INTO t SELECT i % 2, i, i % 50, i % 7 FROM n;
CREATE TABLE big(id INTEGER PRIMARY KEY, x, y);
CREATE INDEX big_x ON big(x);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<3000)
  INSERT INTO big SELECT i, i % 300, i % 3 FROM n;
CREATE TABLE small(id INTEGER PRIMARY KEY, x, z);
CREATE INDEX small_x ON small(x);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<12)
  INSERT INTO small SELECT i, i * 7, i FROM n;
CREATE TABLE one(k, v);
CREATE INDEX one_k ON one(k);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<500)
  INSERT INTO one SELECT 1, i FROM n;
CREATE TABLE mid(m INTEGER PRIMARY KEY, bx, sz, tag TEXT);
CREATE INDEX mid_bx ON mid(bx);
CREATE INDEX mid_tag ON mid(tag);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<400)
  INSERT INTO mid SELECT i, i % 300, i % 12, 'g' || (i % 4) FROM n;
CREATE TABLE w(p, q, r, PRIMARY KEY(p, q)) WITHOUT ROWID;
CREATE INDEX w_r ON w(r);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<800)
  INSERT INTO w SELECT i % 4, i, i % 400 FROM n;
)";

const char* kQueries[] = {
    "SELECT * FROM t WHERE a = 1 AND b = 5",
    "SELECT * FROM t WHERE b = 5 AND a = 1",
    "SELECT * FROM t WHERE a = 0 AND c = 3",
    "SELECT * FROM t WHERE a = 0 AND c = 3 AND d = 2",
    "SELECT * FROM t WHERE a = 1 AND b > 1990",
    "SELECT * FROM big, small WHERE big.x = small.x",
    "SELECT * FROM small, big WHERE big.x = small.x",
    "SELECT * FROM big JOIN small ON big.y = small.z WHERE big.x = 5",
    "SELECT * FROM one WHERE k = 1",
    "SELECT v FROM one WHERE k = 1 AND v = 3",
    "SELECT * FROM w WHERE p = 1 AND q > 790",
    "SELECT * FROM w WHERE r = 7",
    "SELECT * FROM t, small WHERE t.c = small.z AND t.a = 1",
    "SELECT * FROM t WHERE a IN (0, 1) AND b = 7",
    "SELECT * FROM t WHERE c IN (1, 2, 3) AND a = 1",
    "SELECT * FROM t WHERE c = 5 ORDER BY d",
    "SELECT count(*) FROM t WHERE a = 1",
    "SELECT b FROM t WHERE a = 1 AND c = 2",
    "SELECT * FROM t WHERE c > 45 AND a = 0",
    "SELECT * FROM mid, big, small WHERE big.x = mid.bx AND small.z = mid.sz",
    "SELECT * FROM small, mid WHERE small.z = mid.sz",
    "SELECT * FROM big, mid WHERE big.y = mid.sz AND mid.tag = 'g1'",
    "SELECT * FROM big WHERE x = 5 AND y = 2",
    "SELECT * FROM mid WHERE tag = 'g2' AND bx = 7",
    "SELECT * FROM mid WHERE tag = 'g2'",
    "SELECT * FROM one, small WHERE one.k = small.id",
    "SELECT * FROM small WHERE x = 14 OR z = 3",
    "SELECT * FROM big WHERE x = 5 OR y = 2",
};

TEST_F(PlanAnalyze, SameStat1RowsAsSqlite) {
  open_both(path("k.db"), path("s.db"));
  ASSERT_EQ(keel_query(*keel_, kSchema), "");
  ASSERT_EQ(sqlite_query(lite_, kSchema), "");
  both("ANALYZE");
  both("SELECT rowid, * FROM sqlite_stat1 ORDER BY rowid");
  both("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid");
  both("ANALYZE t; SELECT rowid, * FROM sqlite_stat1 ORDER BY rowid");
  both("ANALYZE w_r; SELECT rowid, * FROM sqlite_stat1 ORDER BY rowid");
}

TEST_F(PlanAnalyze, PlansFollowStatisticsAsSqlite) {
  open_both(path("k.db"), path("s.db"));
  ASSERT_EQ(keel_query(*keel_, kSchema), "");
  ASSERT_EQ(sqlite_query(lite_, kSchema), "");
  std::vector<std::string> before;
  for (const char* q : kQueries) before.push_back(keel_plan(q));
  both("ANALYZE");
  int changed = 0, matched = 0;
  for (size_t i = 0; i < std::size(kQueries); i++) {
    std::string k = keel_plan(kQueries[i]), l = lite_plan(kQueries[i]);
    EXPECT_EQ(k, l) << kQueries[i];
    matched += k == l;
    changed += k != before[i];
    // The rows do not depend on the plan.
    EXPECT_EQ(sorted_lines(keel_query(*keel_, kQueries[i])), sorted_lines(sqlite_query(lite_, kQueries[i])))
        << kQueries[i];
  }
  std::printf("after ANALYZE: %d of %zu plans as SQLite's, %d changed by the statistics\n", matched,
              std::size(kQueries), changed);
  EXPECT_GE(changed, 3);
}

// A database analyzed by Keel: sqlite3 finds the same rows and plans with
// them as Keel does; and the reverse.
TEST_F(PlanAnalyze, FilesExchangedBothWays) {
  std::string kfile = path("by_keel.db"), sfile = path("by_sqlite.db");
  {
    auto c = Connection::open(kfile);
    ASSERT_TRUE(c.ok());
    ASSERT_EQ(keel_query(**c, kSchema), "");
    ASSERT_EQ(keel_query(**c, "ANALYZE"), "");
  }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(sfile.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite_query(db, kSchema), "");
    ASSERT_EQ(sqlite_query(db, "ANALYZE"), "");
    sqlite3_close(db);
  }
  for (const std::string& file : {kfile, sfile}) {
    open_both(file, file);
    EXPECT_EQ(sqlite_query(lite_, "PRAGMA integrity_check"), "ok\n");
    both("SELECT rowid, * FROM sqlite_stat1 ORDER BY rowid");
    for (const char* q : kQueries) EXPECT_EQ(keel_plan(q), lite_plan(q)) << file << ": " << q;
    keel_.reset();
    sqlite3_close(lite_);
    lite_ = nullptr;
  }
  // The two files hold the same statistics.
  open_both(kfile, sfile);
  EXPECT_EQ(keel_query(*keel_, "SELECT rowid, * FROM sqlite_stat1 ORDER BY rowid"),
            sqlite_query(lite_, "SELECT rowid, * FROM sqlite_stat1 ORDER BY rowid"));
}

// The same statements give the same file, byte for byte: the sqlite_stat1
// table, its schema row and the cleared or rewritten pages.
TEST_F(PlanAnalyze, ByteIdenticalFiles) {
  const char* script =
      "CREATE TABLE t(a, b, c);"
      "CREATE INDEX ta ON t(a);"
      "CREATE INDEX tbc ON t(b, c);"
      "INSERT INTO t VALUES(1, 2, 3), (1, 2, 4), (2, 3, 4), (3, 3, 3), (NULL, NULL, 1);"
      "CREATE TABLE w(p PRIMARY KEY, q) WITHOUT ROWID;"
      "INSERT INTO w VALUES(1, 1), (2, 1), (3, 2);"
      "CREATE TABLE n(x);"
      "INSERT INTO n VALUES(1), (2);"
      "ANALYZE;"
      "ANALYZE t;"
      "ANALYZE ta;"
      "INSERT INTO t VALUES(5, 5, 5);"
      "ANALYZE main;"
      "ANALYZE w;";
  open_both(path("k.db"), path("s.db"));
  ASSERT_EQ(keel_query(*keel_, script), "");
  ASSERT_EQ(sqlite_query(lite_, script), "");
  keel_.reset();
  sqlite3_close(lite_);
  lite_ = nullptr;
  auto bytes = [](const std::string& f) {
    std::ifstream in(f, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  std::string k = bytes(path("k.db")), l = bytes(path("s.db"));
  ASSERT_EQ(k.size(), l.size());
  EXPECT_TRUE(k == l);
}

// Statistics written by hand take effect after ANALYZE sqlite_schema (and
// not before, in SQLite); a sqlite_stat4 table is ignored, and emptied by
// ANALYZE as SQLite does.
TEST_F(PlanAnalyze, HandWrittenStatisticsAndStat4) {
  open_both(path("k.db"), path("s.db"));
  const char* schema =
      "CREATE TABLE h(a, b);"
      "CREATE INDEX h_a ON h(a);"
      "CREATE INDEX h_b ON h(b);"
      "INSERT INTO h VALUES(1, 2);";
  ASSERT_EQ(keel_query(*keel_, schema), "");
  ASSERT_EQ(sqlite_query(lite_, schema), "");
  both("ANALYZE");
  const char* q = "SELECT * FROM h WHERE a = 1 AND b = 2";
  EXPECT_EQ(keel_plan(q), lite_plan(q));
  for (const char* stats : {"1000000 5", "1000000 50000"}) {
    std::string sql = std::string(
                          "DELETE FROM sqlite_stat1;"
                          "INSERT INTO sqlite_stat1 VALUES('h', 'h_a', '") +
                      stats + "'), ('h', 'h_b', '1000000 1000');ANALYZE sqlite_schema";
    both(sql);
    std::string k = keel_plan(q);
    EXPECT_EQ(k, lite_plan(q)) << stats;
    EXPECT_NE(k.find(std::string_view(stats) == "1000000 5" ? "h_a" : "h_b"), std::string::npos) << k;
  }
  // A stat4 table made through writable_schema: read by neither, emptied by
  // ANALYZE in both.
  keel_.reset();
  sqlite3_close(lite_);
  lite_ = nullptr;
  std::string sfile = path("s.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(sfile.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite_query(db,
                           "PRAGMA writable_schema = ON;"
                           "CREATE TABLE sqlite_stat4(tbl, idx, neq, nlt, ndlt, sample);"
                           "INSERT INTO sqlite_stat4 VALUES('h', 'h_a', '1 1', '0 0', '0 0', x'00');"
                           "PRAGMA writable_schema = OFF;"),
              "");
    sqlite3_close(db);
  }
  fs::copy_file(sfile, path("k2.db"));
  open_both(path("k2.db"), sfile);
  EXPECT_EQ(keel_plan(q), lite_plan(q));
  both("SELECT count(*) FROM sqlite_stat4");
  both("ANALYZE; SELECT count(*) FROM sqlite_stat4");
  both("SELECT rowid, * FROM sqlite_stat1 ORDER BY rowid");
}

// A database without sqlite_stat1 plans as before: the statistics-free
// costs are untouched (the conformance corpus checks the rest).
TEST_F(PlanAnalyze, NoStatisticsNoChange) {
  open_both(path("k.db"), path("s.db"));
  ASSERT_EQ(keel_query(*keel_, kSchema), "");
  std::vector<std::string> before;
  for (const char* q : kQueries) before.push_back(keel_plan(q));
  both("ANALYZE");
  // Dropping the table keeps the statistics loaded (as in SQLite) until the
  // schema is read again: by a new connection here.
  ASSERT_EQ(keel_query(*keel_, "DROP TABLE sqlite_stat1"), "");
  keel_.reset();
  auto c = Connection::open(path("k.db"));
  ASSERT_TRUE(c.ok());
  keel_ = std::move(c).value();
  for (size_t i = 0; i < std::size(kQueries); i++)
    EXPECT_EQ(keel_plan(kQueries[i]), before[i]) << kQueries[i];
}

}  // namespace
}  // namespace keel::engine
