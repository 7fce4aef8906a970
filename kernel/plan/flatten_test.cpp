// Flattening of views and FROM subqueries against libsqlite3: the EXPLAIN
// QUERY PLAN tree of typical queries (a flattened view reads its table
// through the outer query's index; an aggregate or LIMIT subquery stays a
// query of its own, as a co-routine or materialized) and their rows must be
// those of SQLite 3.40.
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

// "id|parent|notused|detail" rows as an indented tree of details.
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

class FlattenPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = TestEngine::open("");
    ASSERT_TRUE(e.ok()) << e.status().message();
    engine_ = std::move(e.value());
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    setup(kSchema);
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
      kr = sorted_lines(kr);
      sr = sorted_lines(sr);
    }
    EXPECT_EQ(kr, sr) << query;
    return k;
  }

  static constexpr const char* kSchema =
      "CREATE TABLE t(a, b, c, d TEXT);"
      "CREATE INDEX ia ON t(a);"
      "CREATE INDEX ibc ON t(b, c);"
      "CREATE TABLE u(x INTEGER PRIMARY KEY, y TEXT, z);"
      "CREATE INDEX uy ON u(y);"
      "WITH RECURSIVE n(i) AS (VALUES(1) UNION ALL SELECT i + 1 FROM n WHERE i < 60)"
      " INSERT INTO t SELECT (i * 7) % 13, i % 5, (i * 3) % 11, 'd' || i FROM n;"
      "WITH RECURSIVE n(i) AS (VALUES(1) UNION ALL SELECT i + 1 FROM n WHERE i < 30)"
      " INSERT INTO u SELECT i, 'y' || (i % 4), i % 6 FROM n;"
      "CREATE VIEW v AS SELECT a, b, c FROM t;"
      "CREATE VIEW vj AS SELECT t.a, u.y FROM t JOIN u ON u.x = t.a;"
      "CREATE VIEW vw AS SELECT a, b + 1 AS b1 FROM t WHERE c > 2;"
      "CREATE VIEW vv AS SELECT a, b1 * 2 AS b2 FROM vw WHERE a < 10;"
      "CREATE VIEW vg AS SELECT b, count(*) AS n FROM t GROUP BY b;"
      "CREATE VIEW vu AS SELECT a, b FROM t UNION ALL SELECT z, z FROM u;";

  std::unique_ptr<TestEngine> engine_;
  sqlite3* db_ = nullptr;
};

TEST_F(FlattenPlanTest, ViewUsesTheTablesIndex) {
  EXPECT_EQ(same("SELECT * FROM v WHERE a = 5;"), "SEARCH t USING INDEX ia (a=?)\n");
  same("SELECT * FROM v WHERE b = 2 AND c > 3;");
  same("SELECT a FROM v ORDER BY a;");
  same("SELECT count(*) FROM v WHERE a > 3;");
  same("SELECT b, count(*) FROM v GROUP BY b;");
  same("SELECT DISTINCT a FROM v;");
}

TEST_F(FlattenPlanTest, ViewWithJoinOrWhere) {
  same("SELECT * FROM vj WHERE a > 20;");
  same("SELECT * FROM vj WHERE y = 'y1';");
  same("SELECT * FROM vw WHERE a = 3;");
  same("SELECT * FROM vv WHERE a = 3;");
  same("SELECT * FROM u, v WHERE v.b = u.z AND v.c = 1;");
}

TEST_F(FlattenPlanTest, FromSubqueries) {
  same("SELECT * FROM (SELECT a, d FROM t) WHERE a = 1;");
  same("SELECT * FROM (SELECT a, b FROM t) AS s, u WHERE s.a = u.x;");
  same("SELECT * FROM (SELECT * FROM (SELECT a, b FROM t) WHERE b = 1) WHERE a = 2;");
  same("WITH c AS (SELECT a, b FROM t) SELECT * FROM c WHERE a = 7;");
  // The subquery's ORDER BY becomes the outer query's, or is dropped in a join.
  same("SELECT * FROM (SELECT a, d FROM t ORDER BY a) WHERE d > 'd3';");
  same("SELECT * FROM (SELECT a, b FROM t ORDER BY b) AS s, u WHERE u.x = s.a;");
}

TEST_F(FlattenPlanTest, UnionAllSubqueries) {
  // The outer query once per arm, each reading its own index.
  same("SELECT * FROM vu WHERE a = 3;");
  same("SELECT a, u.y FROM vu, u WHERE u.x = vu.b;");
}

TEST_F(FlattenPlanTest, SubqueriesThatStayWhole) {
  // Aggregate or DISTINCT: a co-routine, the outer WHERE pushed into it.
  same("SELECT * FROM vg WHERE b = 2;");
  same("SELECT * FROM (SELECT DISTINCT a FROM t) WHERE a > 2;");
  same("SELECT count(*) FROM (SELECT a, b FROM t ORDER BY b);");
  // LIMIT in a join: materialized once, as SQLite.
  same("SELECT * FROM (SELECT a FROM t ORDER BY a LIMIT 3) AS s, u WHERE u.x = s.a;");
}

}  // namespace
}  // namespace keel::plan
