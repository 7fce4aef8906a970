// Index planning against libsqlite3: for each optimisation (equality, range
// and IN lookups, covering indexes, ORDER BY from an index in both
// directions, ORDER BY ... LIMIT, min()/max() from an index, automatic
// indexes), the EXPLAIN QUERY PLAN tree and the rows of both engines must
// be the same, and where the index gives the order the program has no
// sorter.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "plan/testing/oracle_run.h"
#include "plan/testing/test_engine.h"

namespace keel::plan {
namespace {

using testing::keel_run;
using testing::sqlite_run;
using testing::TestEngine;

// The EXPLAIN QUERY PLAN rows "id|parent|notused|detail" as an indented
// tree of details (the ids themselves differ between the engines).
std::string plan_tree(const std::string& rows) {
  std::map<std::string, int> depth;
  std::string out;
  size_t pos = 0;
  while (pos < rows.size()) {
    size_t nl = rows.find('\n', pos);
    std::string line = rows.substr(pos, nl - pos);
    pos = nl == std::string::npos ? rows.size() : nl + 1;
    if (line.rfind("error:", 0) == 0) return rows;
    size_t a = line.find('|'), b = line.find('|', a + 1), c = line.find('|', b + 1);
    if (a == std::string::npos || b == std::string::npos || c == std::string::npos) return rows;
    std::string id = line.substr(0, a), parent = line.substr(a + 1, b - a - 1);
    int d = depth.count(parent) ? depth[parent] + 1 : 0;
    depth[id] = d;
    out += std::string(2 * d, ' ') + line.substr(c + 1) + "\n";
  }
  return out;
}

std::string sorted_lines(const std::string& rows) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < rows.size()) {
    size_t nl = rows.find('\n', pos);
    if (nl == std::string::npos) nl = rows.size();
    lines.push_back(rows.substr(pos, nl - pos));
    pos = nl + 1;
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

class IndexPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = TestEngine::open("");
    ASSERT_TRUE(e.ok()) << e.status().message();
    engine_ = std::move(e.value());
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
  }
  void TearDown() override { sqlite3_close(db_); }

  void setup(const std::string& sql) { ASSERT_EQ(keel_run(*engine_, sql), sqlite_run(db_, sql)) << sql; }
  // Same plan tree and same rows; returns the tree.
  std::string same(const std::string& query) {
    std::string eqp = "EXPLAIN QUERY PLAN " + query;
    std::string k = plan_tree(keel_run(*engine_, eqp)), s = plan_tree(sqlite_run(db_, eqp));
    EXPECT_EQ(k, s) << query;
    std::string kr = keel_run(*engine_, query), sr = sqlite_run(db_, query);
    if (query.find("ORDER BY") == std::string::npos) {
      // No ORDER BY: the same rows, in whichever order each engine's
      // automatic index or join delivers them.
      kr = sorted_lines(kr);
      sr = sorted_lines(sr);
    }
    EXPECT_EQ(kr, sr) << query;
    return k;
  }
  // The program of `query` (EXPLAIN listing) uses no sorter for ORDER BY.
  void no_sorter(const std::string& query) {
    std::string listing = keel_run(*engine_, "EXPLAIN " + query);
    ASSERT_EQ(listing.find("error:"), std::string::npos) << listing;
    EXPECT_EQ(listing.find("SorterOpen"), std::string::npos) << query << "\n" << listing;
    EXPECT_EQ(listing.find("OpenEphemeral"), std::string::npos) << query << "\n" << listing;
  }

  std::unique_ptr<TestEngine> engine_;
  sqlite3* db_ = nullptr;
};

constexpr const char* kSchema =
    "CREATE TABLE t(a, b, c, d TEXT);"
    "CREATE INDEX ia ON t(a);"
    "CREATE INDEX ibc ON t(b, c);"
    "CREATE TABLE u(x INTEGER PRIMARY KEY, y TEXT, z);"
    "CREATE TABLE w(k TEXT PRIMARY KEY, v) WITHOUT ROWID;"
    "WITH RECURSIVE n(i) AS (VALUES(1) UNION ALL SELECT i + 1 FROM n WHERE i < 60)"
    " INSERT INTO t SELECT (i * 7) % 13, i % 5, (i * 3) % 11, 'd' || i FROM n;"
    "INSERT INTO t VALUES(NULL, NULL, 4, 'null a'), (NULL, 2, NULL, 'null c');"
    "WITH RECURSIVE n(i) AS (VALUES(1) UNION ALL SELECT i + 1 FROM n WHERE i < 30)"
    " INSERT INTO u SELECT i * 2, 'y' || (i % 4), i % 6 FROM n;"
    "INSERT INTO w VALUES('b', 1), ('a', 2), ('c', 3), ('B', 4);";

TEST_F(IndexPlanTest, EqualityAndRange) {
  setup(kSchema);
  same("SELECT * FROM t WHERE a = 5;");
  same("SELECT * FROM t WHERE b = 2 AND c = 6;");
  same("SELECT * FROM t WHERE b = 2 AND c > 3;");
  same("SELECT * FROM t WHERE b = 2 AND c > 3 AND c <= 9;");
  same("SELECT * FROM t WHERE a < 4;");
  same("SELECT * FROM u WHERE x = 10;");
  same("SELECT * FROM u WHERE x > 10 AND x < 20;");
}

TEST_F(IndexPlanTest, InLookups) {
  setup(kSchema);
  same("SELECT * FROM t WHERE a IN (1, 5, 5, NULL, '7');");
  same("SELECT a, d FROM t WHERE b = 3 AND c IN (0, 3, 9);");
  same("SELECT * FROM u WHERE x IN (4, 8, 9, '12', 12.0);");
  same("SELECT * FROM t WHERE a NOT IN (1, 2, 3, 4, 5, 6, 7, 8, 9);");
  same("SELECT count(*) FROM t, u WHERE t.a IN (2, 3) AND u.x = t.c;");
  // Values from the outer query: the lookup list is collected per outer row.
  // (Rows only: Keel labels subqueries without SQLite's numbers.)
  std::string q = "SELECT x, (SELECT max(t.c) FROM t WHERE t.a IN (u.z, u.x / 4)) FROM u ORDER BY x;";
  EXPECT_EQ(keel_run(*engine_, q), sqlite_run(db_, q)) << q;
}

TEST_F(IndexPlanTest, MultiIndexOr) {
  setup(kSchema);
  same("SELECT * FROM t WHERE a = 1 OR b = 2;");
  same("SELECT d FROM t WHERE a = 3 OR (b = 4 AND c > 5) OR a = 7;");
  same("SELECT d FROM t WHERE b = 1 OR a > 10;");
  same("SELECT * FROM t WHERE a = 5 OR rowid = 7 OR b = 0;");
  same("SELECT * FROM u, t WHERE t.a = u.x OR t.b = u.z;");
  same("SELECT count(*) FROM t WHERE a = 1 OR b = 2 OR a = 1;");
  same("SELECT * FROM t WHERE a = 1 OR d = 'd5';");
}

TEST_F(IndexPlanTest, Covering) {
  setup(kSchema);
  same("SELECT a FROM t;");
  same("SELECT a FROM t WHERE a > 3;");
  same("SELECT c FROM t WHERE b = 1;");
  same("SELECT b, c, rowid FROM t WHERE b > 2;");
  same("SELECT b, count(*) FROM t GROUP BY b;");
  same("SELECT count(a) FROM t;");
  same("SELECT y FROM u;");
}

TEST_F(IndexPlanTest, OrderByFromIndex) {
  setup(kSchema);
  const char* queries[] = {
      "SELECT * FROM t ORDER BY a;",
      "SELECT * FROM t ORDER BY a DESC;",
      "SELECT a, d FROM t WHERE a > 3 ORDER BY a DESC;",
      "SELECT a, d FROM t WHERE a >= 3 AND a < 9 ORDER BY a;",
      "SELECT c, d FROM t WHERE b = 1 ORDER BY c;",
      "SELECT c FROM t WHERE b = 4 ORDER BY c DESC;",
      "SELECT b, c FROM t ORDER BY b, c;",
      "SELECT b, c FROM t ORDER BY b DESC, c DESC;",
      "SELECT * FROM u ORDER BY x DESC;",
      "SELECT * FROM u WHERE x > 20 ORDER BY x DESC;",
      "SELECT * FROM w ORDER BY k;",
      "SELECT * FROM t ORDER BY a LIMIT 5;",
      "SELECT * FROM t ORDER BY a DESC LIMIT 4 OFFSET 3;",
  };
  for (const char* q : queries) {
    std::string tree = same(q);
    EXPECT_EQ(tree.find("TEMP B-TREE"), std::string::npos) << q;
    no_sorter(q);
  }
  // Orders no index gives still sort, as in SQLite.
  for (const char* q : {"SELECT * FROM t ORDER BY d, a;", "SELECT * FROM t ORDER BY d LIMIT 3;",
                        "SELECT * FROM t ORDER BY c;"}) {
    EXPECT_NE(same(q).find("USE TEMP B-TREE FOR ORDER BY"), std::string::npos) << q;
  }
}

TEST_F(IndexPlanTest, MinMax) {
  setup(kSchema);
  same("SELECT min(a) FROM t;");
  same("SELECT max(a) FROM t;");
  same("SELECT min(c) FROM t WHERE b = 2;");
  same("SELECT max(c) FROM t WHERE b = 3;");
  same("SELECT max(a), d FROM t;");
  same("SELECT min(a) FROM t WHERE a > 4;");
  same("SELECT min(a) FROM t WHERE a IS 5;");
  same("SELECT min(a + 1) FROM t;");
  same("SELECT min(t.a) FROM t, u WHERE u.x > t.c;");
  same("SELECT min(DISTINCT a) FROM t;");
  same("SELECT max(x) FROM u WHERE x < 10;");
  same("SELECT min(a), count(*) FROM t;");
  same("SELECT max(c) FROM t WHERE b = 99;");
  same("SELECT min(d) FROM t;");
}

TEST_F(IndexPlanTest, DescendingIndex) {
  setup(
      "CREATE TABLE td(a, d, e);"
      "CREATE INDEX idd ON td(a DESC, d DESC);"
      "INSERT INTO td VALUES(NULL, 9, 1), (NULL, NULL, 2), (1, 5, 3), (1, NULL, 4), (2, 7, 5), (2, 3, 6),"
      " (NULL, 4, 7);");
  same("SELECT min(d) FROM td WHERE a IS NULL;");
  same("SELECT max(d) FROM td WHERE a IS NULL;");
  same("SELECT min(d) FROM td WHERE a = 1;");
  same("SELECT max(d) FROM td WHERE a = 2;");
  same("SELECT min(a) FROM td;");
  same("SELECT max(a) FROM td;");
  for (const char* q :
       {"SELECT a, d, e FROM td ORDER BY a DESC, d DESC;", "SELECT a, d FROM td ORDER BY a, d;",
        "SELECT d FROM td WHERE a = 2 ORDER BY d;", "SELECT d FROM td WHERE a IS NULL ORDER BY d DESC;"}) {
    EXPECT_EQ(same(q).find("TEMP B-TREE"), std::string::npos) << q;
    no_sorter(q);
  }
}

TEST_F(IndexPlanTest, WithoutRowidWrites) {
  // UPDATE and DELETE by primary key, INSERT OR REPLACE (K8, K9).
  setup(
      "CREATE TABLE w(a PRIMARY KEY, b, c UNIQUE) WITHOUT ROWID;"
      "CREATE INDEX wb ON w(b);"
      "INSERT INTO w VALUES(1, 'x', 10), (2, 'y', 20), (3, 'x', 30);");
  for (const char* q :
       {"UPDATE w SET b = 'z' WHERE a = 2;", "UPDATE w SET a = a + 10 WHERE b = 'x';",
        "UPDATE w SET c = 20 WHERE a = 1;", "UPDATE OR REPLACE w SET c = 20 WHERE a = 11;",
        "INSERT OR REPLACE INTO w VALUES(2, 'q', 13), (4, NULL, 30);", "DELETE FROM w WHERE b IS NULL;",
        "INSERT OR IGNORE INTO w VALUES(2, 'r', 99);", "UPDATE w SET a = 2 WHERE a = 13;",
        "DELETE FROM w WHERE a > 10;", "SELECT changes();", "SELECT * FROM w ORDER BY a;",
        "SELECT b, c FROM w ORDER BY b, c;",
        // The secondary indexes hold exactly the rows.
        "SELECT a, b FROM w INDEXED BY wb WHERE b > '' ORDER BY a;",
        "SELECT c, a FROM w WHERE c > 0 ORDER BY c;"}) {
    EXPECT_EQ(keel_run(*engine_, q), sqlite_run(db_, q)) << q;
  }
}

TEST_F(IndexPlanTest, JoinsAndAutomaticIndexes) {
  setup(kSchema);
  same("SELECT t.d, u.y FROM t, u WHERE t.c = u.z;");
  same("SELECT t.d, u.y FROM t, u WHERE u.x = t.a * 2;");
  same("SELECT count(*) FROM t JOIN u ON u.x = t.b;");
}

TEST_F(IndexPlanTest, IndexCollation) {
  // A NOCASE index cannot answer a BINARY comparison, and the other way round.
  setup(
      "CREATE TABLE t1(a, b COLLATE NOCASE);"
      "CREATE INDEX i1 ON t1(a COLLATE NOCASE);"
      "CREATE INDEX i2 ON t1(b);"
      "INSERT INTO t1 VALUES('Abc', 'Abc'), ('abc', 'x'), ('b', 'ABC');");
  same("SELECT a FROM t1 WHERE a <= 'a%';");
  same("SELECT a FROM t1 WHERE a = 'abc';");
  same("SELECT a FROM t1 WHERE a = 'abc' COLLATE NOCASE;");
  same("SELECT b FROM t1 WHERE b = 'abc';");
  same("SELECT b FROM t1 WHERE b = 'abc' COLLATE BINARY;");
  same("SELECT a FROM t1 ORDER BY a COLLATE NOCASE, rowid;");
  same("SELECT a FROM t1 ORDER BY a;");
}

TEST_F(IndexPlanTest, ColumnNumbersAndCollations) {
  // Column numbers under COLLATE, beyond 32 bits, naming an aggregate, and
  // the order SQLite reports them in; comparison and compound collations;
  // REAL keys for an INTEGER PRIMARY KEY (K5-K7, K10, K13, K18).
  setup(
      "CREATE TABLE t(x);"
      "INSERT INTO t VALUES(1);"
      "CREATE TABLE t1(a, b BLOB, d TEXT, e INTEGER, f NUMERIC);"
      "INSERT INTO t1 VALUES(0, NULL, 7, 100.5, -3);"
      "INSERT INTO t1 VALUES(-10, -2.5e-3, NULL, NULL, 1);"
      "CREATE TABLE c(c, f REAL COLLATE NOCASE);"
      "INSERT INTO c VALUES('Abc', 'a');"
      "CREATE TABLE k(d INTEGER PRIMARY KEY, v);"
      "CREATE TABLE r(d REAL);"
      "INSERT INTO r VALUES(2);");
  for (const char* q :
       {"SELECT x FROM t GROUP BY (-2 COLLATE NOCASE);",
        "SELECT f, e, a FROM t1 ORDER BY 1 COLLATE BINARY DESC, 2 COLLATE BINARY, 3 COLLATE BINARY;",
        "SELECT * FROM t1 ORDER BY 2 COLLATE NOCASE, 1 COLLATE BINARY DESC;",
        "SELECT x FROM t ORDER BY 9223372036854775807;", "SELECT x FROM t ORDER BY 2147483648, 1;",
        "SELECT count(*), count(a), count(b) FROM t1 GROUP BY a, 3;",
        "SELECT count(*), sum(a) FROM t1 GROUP BY (2 COLLATE BINARY);", "SELECT x FROM t ORDER BY 12, -3;",
        "SELECT x FROM t ORDER BY 12 COLLATE BINARY, 13;", "SELECT x FROM t GROUP BY 5 ORDER BY 7;",
        "SELECT c <= f, f >= c FROM c;", "SELECT 1 UNION SELECT 'a' COLLATE NOCASE UNION SELECT 'A';",
        "SELECT c FROM c UNION SELECT 'ABC' COLLATE NOCASE;", "INSERT INTO k VALUES(2.0, 1);",
        "INSERT INTO k VALUES(abs('a'), 2);", "SELECT * FROM k WHERE d = 2.0;",
        "SELECT count(*) FROM r JOIN k USING (d);", "INSERT INTO k VALUES(2.5, 3);"}) {
    EXPECT_EQ(keel_run(*engine_, q), sqlite_run(db_, q)) << q;
  }
}

}  // namespace
}  // namespace keel::plan
