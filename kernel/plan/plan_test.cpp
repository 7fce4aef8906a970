// Planner tests: SQL run through the code generator and the VM (via the
// test engine) and through libsqlite3, results compared row for row.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "plan/testing/test_engine.h"

namespace keel::plan {
namespace {

using testing::TestEngine;

std::string keel_run(TestEngine& e, const std::string& sql) {
  std::string out;
  Status s = e.exec(sql, [&](std::span<const vm::Value> row) {
    for (size_t i = 0; i < row.size(); i++) {
      if (i) out += '|';
      vm::NumberText nt;
      out += row[i].is_null() ? std::string("NULL") : std::string(row[i].as_text(nt));
    }
    out += '\n';
  });
  if (!s.ok()) out += "error: " + std::string(s.message()) + "\n";
  return out;
}

std::string sqlite_run(sqlite3* db, const std::string& sql) {
  std::string out;
  const char* tail = sql.c_str();
  while (*tail) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK) {
      out += "error: " + std::string(sqlite3_errmsg(db)) + "\n";
      return out;
    }
    if (!st) break;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(st); i++) {
        if (i) out += '|';
        const unsigned char* t = sqlite3_column_text(st, i);
        out += t ? std::string(reinterpret_cast<const char*>(t), sqlite3_column_bytes(st, i)) : "NULL";
      }
      out += '\n';
    }
    if (rc != SQLITE_DONE) {
      out += "error: " + std::string(sqlite3_errmsg(db)) + "\n";
      sqlite3_finalize(st);
      return out;
    }
    sqlite3_finalize(st);
  }
  return out;
}

// Runs `setup` then each query on both engines and compares.
void check(const std::string& setup, const std::vector<std::string>& queries) {
  auto e = TestEngine::open("");
  ASSERT_TRUE(e.ok()) << e.status().message();
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  EXPECT_EQ(keel_run(*e.value(), setup), sqlite_run(db, setup)) << setup;
  for (const std::string& q : queries) {
    EXPECT_EQ(keel_run(*e.value(), q), sqlite_run(db, q)) << q;
  }
  sqlite3_close(db);
}

TEST(PlanTest, Expressions) {
  check("", {"SELECT 1, 'a', NULL, 2.5, x'41';", "SELECT 1+2*3, 7/2, 7%3, 7.0/2, -9223372036854775808;",
             "SELECT 9223372036854775808, 1 < 2, 1 = NULL, NULL IS NULL, 3 BETWEEN 1 AND 5;",
             "SELECT CASE 2 WHEN 1 THEN 'a' WHEN 2 THEN 'b' ELSE 'c' END, CASE WHEN NULL THEN 1 END;",
             "SELECT 1 IN (1,2), 3 IN (1,2), NULL IN (1,2), 1 IN (NULL,1), 3 NOT IN (1,NULL);",
             "SELECT abs(-3), coalesce(NULL, 2), length('abc'), upper('x') || 'y';",
             "SELECT CAST('12abc' AS INTEGER), CAST(3.9 AS INTEGER), '10' + 5, 'abc' = 'ABC' COLLATE NOCASE;",
             "SELECT (1,2) = (1,2), (1,2) < (1,3), true, false;", "SELECT nosuch(1);", "SELECT abs(1,2);",
             "SELECT count(*);", "SELECT x;"});
}

TEST(PlanTest, TablesAndQueries) {
  std::string setup =
      "CREATE TABLE t1(a INTEGER, b TEXT, c REAL);"
      "INSERT INTO t1 VALUES(1,'x',1.5),(2,'y',2.5),(3,'x',NULL),(NULL,'z',4);"
      "CREATE TABLE t2(a INTEGER PRIMARY KEY, d);"
      "INSERT INTO t2 VALUES(1,'one'),(3,'three'),(5,'five');"
      "CREATE INDEX i1 ON t1(b);";
  check(setup, {"SELECT * FROM t1;",
                "SELECT a, b FROM t1 WHERE b = 'x' ORDER BY a DESC;",
                "SELECT b, count(*), sum(a), avg(c) FROM t1 GROUP BY b ORDER BY 1;",
                "SELECT count(*), max(a), min(b) FROM t1;",
                "SELECT * FROM t1, t2 WHERE t1.a = t2.a;",
                "SELECT t1.a, d FROM t1 LEFT JOIN t2 ON t1.a = t2.a ORDER BY t1.a;",
                "SELECT * FROM t1 JOIN t2 USING(a);",
                "SELECT * FROM t1 NATURAL JOIN t2;",
                "SELECT a FROM t1 UNION SELECT a FROM t2;",
                "SELECT a FROM t1 UNION ALL SELECT a FROM t2 ORDER BY 1;",
                "SELECT a FROM t1 EXCEPT SELECT a FROM t2;",
                "SELECT a FROM t1 INTERSECT SELECT a FROM t2;",
                "SELECT DISTINCT b FROM t1 ORDER BY b;",
                "SELECT a FROM t1 ORDER BY a LIMIT 2 OFFSET 1;",
                "SELECT (SELECT d FROM t2 WHERE t2.a = t1.a) FROM t1;",
                "SELECT a FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.a = t1.a);",
                "SELECT a FROM t1 WHERE a IN (SELECT a FROM t2);",
                "SELECT a FROM t1 WHERE a NOT IN (SELECT a FROM t2);",
                "SELECT x.a FROM (SELECT a FROM t1 WHERE a > 1) AS x;",
                "SELECT * FROM t2 WHERE a = 3;",
                "SELECT * FROM t2 WHERE a > 1 AND a < 5;",
                "SELECT rowid, * FROM t2;",
                "SELECT b, count(*) FROM t1 GROUP BY b HAVING count(*) > 1;",
                "SELECT nosuch FROM t1;",
                "SELECT a FROM t1, t2;",
                "WITH c AS (SELECT a*2 AS y FROM t2) SELECT y FROM c ORDER BY y;",
                "SELECT count(DISTINCT b) FROM t1;"});
}

TEST(PlanTest, Writes) {
  std::string setup = "CREATE TABLE t(a INTEGER PRIMARY KEY, b UNIQUE, c NOT NULL DEFAULT 5);";
  check(setup, {"INSERT INTO t(b) VALUES('x');",
                "INSERT INTO t VALUES(10, 'y', 1);",
                "SELECT * FROM t;",
                "INSERT INTO t(b) VALUES('x');",
                "INSERT INTO t VALUES(10, 'z', 1);",
                "INSERT INTO t VALUES(11,'w',NULL);",
                "INSERT OR IGNORE INTO t(b) VALUES('x');",
                "INSERT OR REPLACE INTO t VALUES(12, 'x', 7);",
                "SELECT * FROM t ORDER BY a;",
                "UPDATE t SET c = c + 1 WHERE b = 'y';",
                "SELECT * FROM t ORDER BY a;",
                "UPDATE t SET b = 'x';",
                "DELETE FROM t WHERE a = 10;",
                "SELECT * FROM t;",
                "DELETE FROM t;",
                "SELECT count(*) FROM t;",
                "CREATE TABLE u AS SELECT 1 AS x, 'a' AS y;",
                "SELECT * FROM u;",
                "SELECT sql FROM sqlite_master ORDER BY name;",
                "DROP TABLE u;",
                "SELECT name FROM sqlite_master;",
                "CREATE VIEW v AS SELECT a, b FROM t;",
                "INSERT INTO t VALUES(1,'q',2);",
                "SELECT * FROM v;",
                "DROP VIEW v;",
                "CREATE TABLE t(x);",
                "DROP TABLE nosuch;"});
}

}  // namespace
}  // namespace keel::plan
