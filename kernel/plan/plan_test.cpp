// Planner tests: SQL run through the code generator and the VM (via the
// test engine) and through libsqlite3, results compared row for row.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "plan/testing/oracle_run.h"
#include "plan/testing/test_engine.h"

namespace keel::plan {
namespace {

using testing::TestEngine;
using testing::keel_run;
using testing::sqlite_run;

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

// Runs statements one by one on both engines, comparing each output.
void check_script(const std::vector<std::string>& stmts) {
  auto e = TestEngine::open("");
  ASSERT_TRUE(e.ok()) << e.status().message();
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  for (const std::string& q : stmts) EXPECT_EQ(keel_run(*e.value(), q), sqlite_run(db, q)) << q;
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

TEST(PlanTest, ScriptSemantics) {
  check_script({
      R"sql(CREATE TABLE t(a INTEGER, b TEXT, c);)sql",
      R"sql(INSERT INTO t VALUES(1,'x',5),(2,'Y',NULL),(NULL,'y',3),(4,'X',5),(5,NULL,'abc');)sql",
      R"sql(SELECT max(a), b FROM t;)sql",
      R"sql(SELECT min(a), b FROM t;)sql",
      R"sql(SELECT a FROM t ORDER BY a DESC;)sql",
      R"sql(SELECT a FROM t ORDER BY a NULLS LAST;)sql",
      R"sql(SELECT b FROM t ORDER BY b COLLATE NOCASE, a;)sql",
      R"sql(SELECT b, count(*) FROM t GROUP BY b COLLATE NOCASE ORDER BY 1;)sql",
      R"sql(SELECT a FROM t LIMIT -1 OFFSET 2;)sql",
      R"sql(SELECT count(*), total(a), sum(c), group_concat(b) FROM t WHERE a > 100;)sql",
      R"sql(SELECT typeof(a), typeof(b), typeof(c) FROM t;)sql",
      R"sql(SELECT 9223372036854775807 + 1, -9223372036854775808 - 1, 5 / 0, 5 % 0;)sql",
      R"sql(SELECT b < 1, b > 1, a = '1', c = '5' FROM t;)sql",
      R"sql(SELECT a FROM t WHERE b = 'x' COLLATE NOCASE;)sql",
      R"sql(SELECT * FROM (SELECT a, b FROM t ORDER BY a DESC LIMIT 2) ORDER BY 1;)sql",
      R"sql(SELECT a, (SELECT count(*) FROM t AS u WHERE u.a < t.a) FROM t ORDER BY a;)sql",
      R"sql(SELECT count(*) FROM t HAVING count(*) > 2;)sql",
      R"sql(SELECT a+1 AS z FROM t WHERE z > 2 ORDER BY z;)sql",
      R"sql(SELECT DISTINCT c FROM t ORDER BY c;)sql",
      R"sql(SELECT avg(a), min(c), max(c) FROM t;)sql",
      R"sql(SELECT a, b FROM t WHERE a IN (SELECT c FROM t);)sql",
      R"sql(SELECT a FROM t WHERE a NOT IN (SELECT c FROM t);)sql",
      R"sql(SELECT a FROM t WHERE a NOT IN (1, NULL);)sql",
      R"sql(SELECT CASE WHEN a > 2 THEN 'big' WHEN a IS NULL THEN 'null' ELSE 'small' END FROM t;)sql",
      R"sql(SELECT a, b FROM t ORDER BY 2, 1;)sql",
      R"sql(SELECT a FROM t UNION SELECT c FROM t ORDER BY 1 DESC;)sql",
      R"sql(SELECT a, count(*) FROM t GROUP BY 1 ORDER BY 2, 1;)sql",
      R"sql(SELECT sum(a) FILTER (WHERE a > 1), count(DISTINCT c) FROM t;)sql",
      R"sql(SELECT t1.a, t2.a FROM t t1 LEFT JOIN t t2 ON t1.a = t2.c ORDER BY 1, 2;)sql",
      R"sql(SELECT * FROM t t1 CROSS JOIN t t2 WHERE t1.a = 1 AND t2.a = 2;)sql",
      R"sql(SELECT 'a' || 1 || 2.5, 1.0, 1e100, 0.1 + 0.2, 100000000000000000000;)sql",
      R"sql(SELECT x'616263' = 'abc', CAST(x'616263' AS TEXT);)sql",
      R"sql(SELECT a FROM t WHERE a BETWEEN 2 AND 4;)sql",
      R"sql(SELECT a FROM t WHERE b LIKE 'x%';)sql",
      R"sql(SELECT a FROM t WHERE b GLOB 'x*';)sql",
      R"sql(SELECT (SELECT 1, 2);)sql",
      R"sql(SELECT * FROM t WHERE a = (SELECT max(a) FROM t);)sql",
      R"sql(SELECT EXISTS (SELECT 1 FROM t WHERE a > 4), EXISTS (SELECT 1 FROM t WHERE a > 5);)sql",
      R"sql(SELECT a FROM t ORDER BY 3;)sql",
      R"sql(SELECT a FROM t GROUP BY b HAVING a > 1;)sql",
      R"sql(SELECT sum(sum(a)) FROM t;)sql",
      R"sql(SELECT * FROM t WHERE count(*) > 1;)sql",
      R"sql(SELECT b AS q, count(*) FROM t GROUP BY q ORDER BY q;)sql",
      R"sql(SELECT a, a IS 1, a IS NOT NULL FROM t;)sql",
      R"sql(SELECT coalesce(a, b, c), ifnull(b, 'none'), nullif(a, 1), iif(a > 1, 'y', 'n') FROM t;)sql",
  });
}

TEST(PlanTest, ScriptDml) {
  check_script({
      R"sql(CREATE TABLE p(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, score REAL DEFAULT 0, CHECK(score >= 0));)sql",
      R"sql(INSERT INTO p(name) VALUES('a'),('b');)sql",
      R"sql(INSERT INTO p(name, score) VALUES('c', -1);)sql",
      R"sql(INSERT INTO p(name, score) VALUES(NULL, 1);)sql",
      R"sql(SELECT * FROM p;)sql",
      R"sql(SELECT * FROM sqlite_sequence;)sql",
      R"sql(DELETE FROM p WHERE id = 2;)sql",
      R"sql(INSERT INTO p(name) VALUES('d');)sql",
      R"sql(SELECT * FROM p;)sql",
      R"sql(SELECT * FROM sqlite_sequence;)sql",
      R"sql(CREATE TABLE q(a, b, c, PRIMARY KEY(a, b), UNIQUE(c));)sql",
      R"sql(INSERT INTO q VALUES(1, 2, 3), (1, 3, 4);)sql",
      R"sql(INSERT INTO q VALUES(1, 2, 5);)sql",
      R"sql(INSERT INTO q VALUES(2, 2, 3);)sql",
      R"sql(SELECT name FROM sqlite_master;)sql",
      R"sql(PRAGMA table_info(q);)sql",
      R"sql(PRAGMA index_list(q);)sql",
      R"sql(PRAGMA index_info(sqlite_autoindex_q_1);)sql",
      R"sql(CREATE TABLE w(k TEXT PRIMARY KEY, v) WITHOUT ROWID;)sql",
      R"sql(INSERT INTO w VALUES('b', 1), ('a', 2);)sql",
      R"sql(INSERT INTO w VALUES('a', 3);)sql",
      R"sql(SELECT * FROM w;)sql",
      R"sql(SELECT * FROM w WHERE k = 'b';)sql",
      R"sql(CREATE INDEX qi ON q(c DESC, b);)sql",
      R"sql(SELECT c FROM q WHERE c > 3;)sql",
      R"sql(UPDATE q SET c = c + 10;)sql",
      R"sql(SELECT * FROM q;)sql",
      R"sql(UPDATE q SET a = 1, b = 2 WHERE c = 14;)sql",
      R"sql(INSERT INTO p VALUES(NULL, 'e', 2) RETURNING id, name;)sql",
      R"sql(DELETE FROM p WHERE id = 1 RETURNING name;)sql",
      R"sql(SELECT changes(), total_changes() > 0, last_insert_rowid();)sql",
      R"sql(CREATE TABLE s AS SELECT id, name AS nm, score * 2 FROM p;)sql",
      R"sql(SELECT sql FROM sqlite_master WHERE name = 's';)sql",
      R"sql(SELECT * FROM s;)sql",
      R"sql(CREATE TABLE e(x INT, y TEXT, z BLOB, w REAL, v NUMERIC);)sql",
      R"sql(SELECT typeof(x), typeof(y), typeof(z), typeof(w), typeof(v), * FROM e;)sql",
      R"sql(BEGIN;)sql",
      R"sql(INSERT INTO e VALUES(1,1,1,1,1);)sql",
      R"sql(ROLLBACK;)sql",
      R"sql(SELECT count(*) FROM e;)sql",
      R"sql(BEGIN;)sql",
      R"sql(INSERT INTO e VALUES(2,2,2,2,2);)sql",
      R"sql(COMMIT;)sql",
      R"sql(SELECT count(*) FROM e;)sql",
      R"sql(INSERT OR FAIL INTO q VALUES(7,7,7),(1,2,99);)sql",
      R"sql(SELECT count(*) FROM q;)sql",
      R"sql(CREATE UNIQUE INDEX ui ON e(x);)sql",
      R"sql(CREATE INDEX IF NOT EXISTS qi ON q(a);)sql",
      R"sql(CREATE INDEX qi ON q(a);)sql",
      R"sql(DROP INDEX sqlite_autoindex_q_1;)sql",
      R"sql(DROP INDEX qi;)sql",
      R"sql(DROP TABLE IF EXISTS zz;)sql",
      R"sql(DROP VIEW zz;)sql",
      R"sql(CREATE VIEW vv(a, b) AS SELECT id, name FROM p;)sql",
      R"sql(SELECT * FROM vv WHERE a > 2;)sql",
      R"sql(CREATE VIEW vv AS SELECT 1;)sql",
      R"sql(DROP TABLE vv;)sql",
      R"sql(INSERT INTO vv VALUES(1,2);)sql",
      R"sql(SELECT sql FROM sqlite_master WHERE type='view';)sql",
      R"sql(CREATE TABLE "odd name"("col 1", [b]);)sql",
      R"sql(INSERT INTO "odd name" VALUES(1, 2);)sql",
      R"sql(SELECT "col 1", b FROM "odd name";)sql",
      R"sql(SELECT "nocol" FROM "odd name";)sql",
      R"sql(SELECT sql FROM sqlite_master WHERE name = 'odd name';)sql",
  });
}

TEST(PlanTest, ScriptUpsert) {
  check_script({
      R"sql(CREATE TABLE kv(k TEXT PRIMARY KEY, v INT, n INT DEFAULT 0);)sql",
      R"sql(INSERT INTO kv VALUES('a', 1, 0);)sql",
      R"sql(INSERT INTO kv VALUES('a', 5, 0) ON CONFLICT(k) DO UPDATE SET v = excluded.v, n = n + 1;)sql",
      R"sql(INSERT INTO kv VALUES('a', 7, 0) ON CONFLICT DO NOTHING;)sql",
      R"sql(INSERT INTO kv VALUES('b', 2, 0) ON CONFLICT(k) DO UPDATE SET v = v + excluded.v WHERE excluded.v > 100;)sql",
      R"sql(INSERT INTO kv VALUES('b', 3, 0) ON CONFLICT(k) DO UPDATE SET v = v + excluded.v WHERE excluded.v > 100;)sql",
      R"sql(INSERT INTO kv VALUES('b', 300, 0) ON CONFLICT(k) DO UPDATE SET v = v + excluded.v WHERE excluded.v > 100 RETURNING *;)sql",
      R"sql(INSERT INTO kv VALUES('c', 1, 1) ON CONFLICT(v) DO NOTHING;)sql",
      R"sql(SELECT * FROM kv;)sql",
      R"sql(CREATE TABLE ip(id INTEGER PRIMARY KEY, x);)sql",
      R"sql(INSERT INTO ip VALUES(1, 'a');)sql",
      R"sql(INSERT INTO ip VALUES(1, 'b') ON CONFLICT(id) DO UPDATE SET x = x || excluded.x;)sql",
      R"sql(SELECT * FROM ip;)sql",
      R"sql(DELETE FROM ip RETURNING *;)sql",
  });
}

TEST(PlanTest, ScriptTopN) {
  check_script({
      R"sql(CREATE TABLE t(a, b);)sql",
      R"sql(INSERT INTO t VALUES(3,'c'),(1,'a'),(2,'b'),(5,'e'),(4,'d'),(2,'bb'),(NULL,'n');)sql",
      R"sql(SELECT * FROM t ORDER BY a LIMIT 3;)sql",
      R"sql(SELECT * FROM t ORDER BY a DESC LIMIT 2 OFFSET 1;)sql",
      R"sql(SELECT * FROM t ORDER BY a LIMIT -1 OFFSET 5;)sql",
      R"sql(SELECT * FROM t ORDER BY a LIMIT 0;)sql",
      R"sql(SELECT a, count(*) FROM t GROUP BY a ORDER BY 2 DESC, 1 LIMIT 2;)sql",
      R"sql(SELECT * FROM t ORDER BY b LIMIT 100;)sql",
      R"sql(SELECT * FROM (SELECT * FROM t ORDER BY a LIMIT 4) ORDER BY b;)sql",
      R"sql(UPDATE t SET b = 'x' WHERE rowid = 2;)sql",
      R"sql(DELETE FROM t WHERE rowid = 3 AND a = 2;)sql",
      R"sql(SELECT rowid, * FROM t;)sql",
  });
}

TEST(PlanTest, ScriptRecursiveCte) {
  check_script({
      R"sql(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 10) SELECT * FROM c;)sql",
      R"sql(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 5) SELECT sum(x) FROM c;)sql",
      R"sql(WITH RECURSIVE c(x) AS (VALUES(1) UNION SELECT x % 3 + 1 FROM c) SELECT * FROM c;)sql",
      R"sql(WITH RECURSIVE fib(a, b) AS (SELECT 0, 1 UNION ALL SELECT b, a + b FROM fib WHERE b < 100) SELECT a FROM fib;)sql",
      R"sql(CREATE TABLE org(name TEXT PRIMARY KEY, boss TEXT);)sql",
      R"sql(INSERT INTO org VALUES('A', NULL), ('B', 'A'), ('C', 'A'), ('D', 'B'), ('E', 'D');)sql",
      R"sql(WITH RECURSIVE sub(n, lvl) AS (SELECT 'A', 0 UNION ALL SELECT org.name, sub.lvl + 1 FROM org JOIN sub ON org.boss = sub.n) SELECT * FROM sub ORDER BY n;)sql",
      R"sql(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 3) SELECT a.x, b.x FROM c a, c b ORDER BY 1, 2;)sql",
      R"sql(WITH t(a) AS (SELECT 5) SELECT * FROM t;)sql",
      R"sql(WITH RECURSIVE t(a) AS (SELECT 5) SELECT * FROM t;)sql",
  });
}

TEST(PlanTest, ScriptTriggers) {
  check_script({
      R"sql(CREATE TABLE t(a INTEGER PRIMARY KEY, b);)sql",
      R"sql(CREATE TABLE log(x, y, z);)sql",
      R"sql(CREATE TRIGGER ti AFTER INSERT ON t BEGIN INSERT INTO log VALUES('ins', new.a, new.b); END;)sql",
      R"sql(CREATE TRIGGER tu BEFORE UPDATE OF b ON t WHEN new.b > 10 BEGIN INSERT INTO log VALUES('upd', old.b, new.b); END;)sql",
      R"sql(CREATE TRIGGER td AFTER DELETE ON t BEGIN INSERT INTO log SELECT 'del', old.a, count(*) FROM t; END;)sql",
      R"sql(INSERT INTO t VALUES(1, 5), (2, 20);)sql",
      R"sql(UPDATE t SET b = b + 10;)sql",
      R"sql(UPDATE t SET a = a + 100 WHERE a = 1;)sql",
      R"sql(DELETE FROM t WHERE a = 2;)sql",
      R"sql(DELETE FROM t;)sql",
      R"sql(SELECT * FROM log;)sql",
      R"sql(CREATE TABLE g(v);)sql",
      R"sql(CREATE TRIGGER gi BEFORE INSERT ON g BEGIN SELECT RAISE(IGNORE) WHERE new.v < 0; SELECT RAISE(ABORT, 'too big') WHERE new.v > 100; END;)sql",
      R"sql(INSERT INTO g VALUES(1), (-1), (2);)sql",
      R"sql(INSERT INTO g VALUES(500);)sql",
      R"sql(SELECT * FROM g;)sql",
      R"sql(CREATE TRIGGER gd AFTER DELETE ON g BEGIN DELETE FROM g WHERE v = old.v + 1; END;)sql",
      R"sql(DELETE FROM g WHERE v = 1;)sql",
      R"sql(SELECT * FROM g;)sql",
      R"sql(SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' ORDER BY 1;)sql",
      R"sql(DROP TABLE g;)sql",
      R"sql(SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY 1;)sql",
  });
}

TEST(PlanTest, ScriptAlterAddColumn) {
  check_script({
      R"sql(CREATE TABLE t(a INTEGER, b TEXT);)sql",
      R"sql(INSERT INTO t VALUES(1, 'x'), (2, 'y');)sql",
      R"sql(ALTER TABLE t ADD COLUMN c INTEGER DEFAULT 7;)sql",
      R"sql(ALTER TABLE t ADD d TEXT DEFAULT 'q';)sql",
      R"sql(ALTER TABLE t ADD COLUMN e;)sql",
      R"sql(INSERT INTO t VALUES(3, 'z', 8, 'r', 9);)sql",
      R"sql(SELECT * FROM t;)sql",
      R"sql(SELECT sql FROM sqlite_master;)sql",
      R"sql(ALTER TABLE t ADD COLUMN a;)sql",
      R"sql(ALTER TABLE t ADD COLUMN f NOT NULL;)sql",
      R"sql(ALTER TABLE t ADD COLUMN g UNIQUE;)sql",
      R"sql(UPDATE t SET e = 5 WHERE a = 1;)sql",
      R"sql(SELECT * FROM t WHERE c = 7;)sql",
  });
}

TEST(PlanTest, ScriptLeftJoinNulls) {
  check_script({
      R"sql(CREATE TABLE t1(a,b,c); CREATE TABLE t2(d INTEGER PRIMARY KEY,e,f); INSERT INTO t1 VALUES(1,2,3),(4,5,6); INSERT INTO t2 VALUES(1,2,3);)sql",
      R"sql(SELECT t1.a, t2.d FROM t1 LEFT JOIN t2 ON 0 WHERE f IS NULL;)sql",
      R"sql(SELECT t1.a, t2.d FROM t1 LEFT JOIN t2 ON (SELECT 0) WHERE f IS NULL;)sql",
      R"sql(SELECT t1.a, t2.d FROM t1 LEFT JOIN t2 ON (NOT upper((SELECT count(*) FROM t2 WHERE (e OR d)))) WHERE f IS NULL;)sql",
  });
}

TEST(PlanTest, ScriptRightJoin) {
  check_script({
      R"sql(CREATE TABLE a(x, y);)sql",
      R"sql(CREATE TABLE b(x, z);)sql",
      R"sql(INSERT INTO a VALUES(1, 'a1'), (2, 'a2');)sql",
      R"sql(INSERT INTO b VALUES(2, 'b2'), (3, 'b3');)sql",
      R"sql(SELECT * FROM a RIGHT JOIN b ON a.x = b.x ORDER BY b.x;)sql",
      R"sql(SELECT * FROM a RIGHT JOIN b USING(x) ORDER BY x;)sql",
      R"sql(SELECT x, y, z FROM a NATURAL RIGHT JOIN b ORDER BY 1;)sql",
      R"sql(SELECT a.y, b.z FROM a RIGHT OUTER JOIN b ON a.x = b.x WHERE b.x > 2;)sql",
      R"sql(SELECT count(*) FROM a RIGHT JOIN b ON 1;)sql",
  });
}

TEST(PlanTest, ScriptStrict) {
  check_script({
      R"sql(CREATE TABLE s(a INTEGER PRIMARY KEY, b INT, c TEXT, d REAL, e ANY, f BLOB) STRICT;)sql",
      R"sql(INSERT INTO s VALUES(1, 2, 'x', 1.5, 'any', x'01');)sql",
      R"sql(INSERT INTO s VALUES(2, '3', 4, 2, 3.5, NULL);)sql",
      R"sql(INSERT INTO s VALUES(3, 'abc', 'x', 1, 1, NULL);)sql",
      R"sql(INSERT INTO s VALUES(4, 1, 'x', 'abc', 1, NULL);)sql",
      R"sql(INSERT INTO s VALUES(5, 1, x'00', 1, 1, NULL);)sql",
      R"sql(UPDATE s SET b = 'zz' WHERE a = 1;)sql",
      R"sql(SELECT a, b, typeof(b), c, typeof(c), d, typeof(d), e, typeof(e) FROM s;)sql",
      R"sql(CREATE TABLE s2(a VARCHAR) STRICT;)sql",
      R"sql(CREATE TABLE s3(a) STRICT;)sql",
  });
}

}  // namespace
}  // namespace keel::plan
