// Differential tests against libsqlite3 (the same library as the Debian
// sqlite3 CLI): for every input, Keel's parser must accept exactly what
// SQLite's parser accepts, and reject the rest with SQLite's exact message.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "parse/parse_test_util.h"

namespace keel::parse {
namespace {

using testing::keel_verdict;
using testing::Oracle;

const char* const kMalformed[] = {
    // tokens
    "SELECT 'abc",
    "SELECT \"abc",
    "SELECT [abc",
    "SELECT x'4g'",
    "SELECT x'abc'",
    "SELECT 1e",
    "SELECT 0x",
    "SELECT 12a",
    "SELECT 1 ! 2",
    "SELECT $",
    "SELECT #1",
    "SELECT 1 \\",
    "SELECT {",
    // incomplete
    "SELECT",
    "SELECT 1 +",
    "SELECT * FROM",
    "SELECT (1",
    "SELECT CASE WHEN 1 THEN 2",
    "CREATE TABLE t3(",
    "CREATE TRIGGER r AFTER INSERT ON t BEGIN SELECT 1;",
    "CREATE TRIGGER r AFTER INSERT ON t BEGIN SELECT 1",
    "INSERT INTO t VALUES",
    "WITH",
    "EXPLAIN",
    "EXPLAIN QUERY",
    // near "X"
    "SELECT 1 +;",
    "SELECT 1 2",
    "SELECT * FROM t WHERE",
    "SELECT * FROM t WHERE a = = 1",
    "SELECT * FROM t t2 t3",
    "SELECT a FROM t GROUP a",
    "SELECT a FROM t ORDER a",
    "SELECT cast FROM t",
    "SELECT a NOT b FROM t",
    "SELECT a IS DISTINCT b",
    "SELECT 1 FROM t LEFT t2",
    "SELECT * FROM t JOIN",
    "SELECT (SELECT 1",
    "SELECT a FROM t UNION",
    "SELECT a FROM t UNION ALL ORDER BY 1",
    "VALUES (1) ORDER BY 1",
    "SELECT 1 UNION VALUES (2) ORDER BY 1",
    "SELECT count(DISTINCT *) FROM t",
    "SELECT f(a,) FROM t",
    "SELECT a.select FROM t",
    "SELECT * FROM t WHERE a IN (1,)",
    "SELECT CAST(a) FROM t",
    "SELECT RAISE(FOO, 'x')",
    "SELECT f() OVER (ROWS UNBOUNDED FOLLOWING)",
    "SELECT f() OVER (ROWS BETWEEN 1 PRECEDING AND UNBOUNDED PRECEDING)",
    "SELECT f() OVER (ROWS current PRECEDING)",
    "SELECT f() OVER (ROWS BETWEEN CURRENT ROW AND 1 PRECEDING)",
    "SELECT f() OVER (ROWS BETWEEN 1 FOLLOWING AND CURRENT ROW)",
    "SELECT count(DISTINCT a) OVER () FROM t",
    "SELECT 1 ORDER BY 1 UNION SELECT 2",
    "SELECT 1 LIMIT 1 UNION ALL SELECT 2",
    "SELECT 1 LIMIT 1 UNION SELECT 2 ORDER BY 1 INTERSECT SELECT 3",
    "SELECT * FROM t ON 1",
    "SELECT * FROM t USING (a)",
    "SELECT * FROM t LEFT FOO JOIN t2",
    "SELECT * FROM t INNER OUTER JOIN t2",
    "SELECT * FROM t OUTER JOIN t2",
    "SELECT * FROM t NATURAL NATURAL JOIN t2",
    "SELECT * FROM t a b c JOIN t2",
    "SELECT ?0",
    "SELECT ?250001",
    "SELECT ?99999999999999999999",
    "SELECT (1, 2) IN ((1, 2), (3))",
    "SELECT (1, 2) IN ((1, 2), (3, 4, 5))",
    "INSERT INTO t",
    "INSERT INTO t (SELECT 1)",
    "INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING ON CONFLICT DO NOTHING",
    "INSERT INTO t SELECT * FROM t2 ON CONFLICT DO NOTHING",
    "INSERT INTO t VALUES(1) ON CONFLICT (a) DO",
    "INSERT INTO t DEFAULT VALUES ON CONFLICT DO NOTHING",
    "REPLACE t VALUES (1)",
    "UPDATE t SET",
    "UPDATE t SET a",
    "UPDATE t SET (a, b) = (1, 2, 3)",
    "UPDATE t SET (a, b) = 1",
    "UPDATE t a SET a = 1",
    "DELETE t",
    "DELETE FROM t WHERE",
    "CREATE TABLE t3",
    "CREATE TABLE t3()",
    "CREATE TABLE t3(a,)",
    "CREATE TABLE t3(a, PRIMARY KEY(a),)",
    "CREATE TABLE t3(a, PRIMARY KEY(a), b)",
    "CREATE TABLE t3(PRIMARY KEY(a))",
    "CREATE TABLE t3(a) WITHOUT",
    "CREATE TABLE t3(a) WITHOUT rowids",
    "CREATE TABLE t3(a INT) strict, without foo",
    "CREATE TABLE t3(a INT), strict",
    "CREATE TABLE t3(a INT) strict,",
    "CREATE TABLE t3(a) WITHOUT WITHOUT ROWID",
    "CREATE TABLE t3(a) \"strict\"",
    "CREATE TABLE t3(a INT DEFAULT)",
    "CREATE TABLE t3(a DEFAULT -x)",
    "CREATE TABLE t3(a DEFAULT 1 + 2)",
    "CREATE TABLE t3(a PRIMARY KEY ASC DESC)",
    "CREATE TABLE t3(a REFERENCES)",
    "CREATE TABLE t3(a REFERENCES p ON DELETE)",
    "CREATE TABLE t3(a REFERENCES p ON DELETE SET)",
    "CREATE TABLE t3(a NOT DEFERRABLE INITIALLY)",
    "CREATE TABLE t3(a VARCHAR(x))",
    "CREATE TABLE t3(a VARCHAR(1,2,3))",
    "CREATE TABLE t3(a AS 1)",
    "CREATE TABLE t3(a GENERATED AS (1))",
    "CREATE TABLE t3(returning)",
    "CREATE TABLE t3(a CHECK a > 0)",
    "CREATE TABLE t3(a, FOREIGN KEY a REFERENCES p)",
    "CREATE TABLE t3(a, UNIQUE)",
    "CREATE INDEX i ON t",
    "CREATE INDEX i ON t()",
    "CREATE INDEX i ON t(a) WHERE",
    "CREATE TEMP INDEX i ON t(a)",
    "WITH a AS (SELECT 1), A AS (SELECT 2) SELECT 1",
    "WITH a AS (SELECT 1), \"A\" AS (SELECT 2) SELECT 1",
    "SELECT 1 FROM t WINDOW a AS (ORDER BY 1), b AS (a PARTITION BY 2)",
    "SELECT 1 FROM t WINDOW a AS (ORDER BY 1), b AS (A ORDER BY 2)",
    "SELECT 1 FROM t WINDOW a AS (ROWS 1 PRECEDING), b AS (a)",
    "SELECT CAST.* AS x FROM t",
    "SELECT current_time.* FROM t",
    "SELECT raise.a FROM t",
    "SELECT RAISE(ABORT, ~x)",
    "SELECT RAISE(ABORT, 'x' || 'y')",
    "SELECT 1 \v 2",
    "SELECT \v1",
    "CREATE UNIQUE TABLE t3(a)",
    "CREATE MATERIALIZED VIEW v AS SELECT 1",
    "CREATE VIRTUAL t3 USING m",
    "CREATE VIRTUAL TABLE t3 USING m(a",
    "CREATE VIRTUAL TABLE t3 USING",
    "CREATE VIEW v(a COLLATE nocase) AS SELECT 1",
    "CREATE VIEW v AS",
    "CREATE VIEW v",
    "CREATE TRIGGER r ON t BEGIN SELECT 1; END",
    "CREATE TRIGGER r AFTER INSERT ON t BEGIN END",
    "CREATE TRIGGER r AFTER INSERT ON t BEGIN SELECT 1 END",
    "CREATE TRIGGER r AFTER INSERT ON t BEGIN DELETE FROM main.t2; END",
    "CREATE TRIGGER r AFTER INSERT ON t BEGIN UPDATE main.t2 SET x = 1; END",
    "CREATE TRIGGER r AFTER INSERT ON t BEGIN INSERT INTO t2 AS q VALUES (1, 2); END",
    "CREATE TRIGGER r AFTER INSERT ON t BEGIN INSERT INTO t2 VALUES (1, 2) RETURNING x; END",
    "CREATE TRIGGER r AFTER INSERT ON t BEGIN DELETE FROM t2 RETURNING x; END",
    "CREATE TRIGGER r AFTER INSERT ON t BEGIN DELETE FROM t2 NOT INDEXED; END",
    "CREATE TRIGGER r AFTER INSERT ON t BEGIN UPDATE t2 INDEXED BY i SET x = 1; END",
    "CREATE TRIGGER r AFTER INSERT ON t BEGIN WITH c AS (SELECT 1) DELETE FROM t2; END",
    "CREATE TRIGGER r INSTEAD INSERT ON t BEGIN SELECT 1; END",
    "CREATE TRIGGER r AFTER UPDATE OF ON t BEGIN SELECT 1; END",
    "DROP",
    "DROP TABLE",
    "DROP TABLE IF t",
    "DROP COLUMN t",
    "ALTER TABLE t",
    "ALTER TABLE t RENAME",
    "ALTER TABLE t RENAME a",
    "ALTER TABLE t ADD",
    "ALTER TABLE t ADD COLUMN",
    "ALTER TABLE t DROP",
    "ALTER t RENAME TO u",
    "ATTACH 'x'",
    "ATTACH DATABASE AS x",
    "DETACH",
    "BEGIN WORK",
    "BEGIN DEFERRED IMMEDIATE",
    "COMMIT WORK",
    "ROLLBACK TO",
    "ROLLBACK SAVEPOINT x",
    "SAVEPOINT",
    "RELEASE",
    "RELEASE SAVEPOINT",
    "PRAGMA",
    "PRAGMA x =",
    "PRAGMA x = -y",
    "PRAGMA x(1",
    "PRAGMA x.y.z",
    "VACUUM INTO",
    "VACUUM x y",
    "REINDEX a.b.c",
    "ANALYZE a.",
    "SELECT * FROM t WHERE a LIKE 'x' ESCAPE",
    "SELECT * FROM t WINDOW w AS",
    "SELECT * FROM t WINDOW w AS (ORDER BY a) ORDER",
    "SELECT 1 FROM t HAVING",
    "SELECT max(a) FILTER (a > 1) FROM t",
    "SELECT max(a) OVER FROM t",
    "WITH c AS (SELECT 1)",
    "WITH c(a DESC) AS (SELECT 1) SELECT 1",
    "WITH c AS NOT (SELECT 1) SELECT 1",
    "WITH recursive AS (SELECT 1) SELECT 1",
    "SELECT 1; SELECT",
    "SELECT a FROM t WHERE b BETWEEN 1",
    "SELECT a FROM t WHERE b BETWEEN 1 AND",
    "SELECT a NOT",
    "SELECT a IS NOT DISTINCT b",
    "SELECT CASE END",
    "SELECT CASE 1 ELSE 2 END",
    "SELECT EXISTS 1",
    "SELECT a COLLATE",
    "SELECT a COLLATE 1",
    "SELECT 1 AS",
    "SELECT t.* AS x FROM t",
    "SELECT DISTINCT ALL a FROM t",
    "SELECT * FROM t INDEXED i",
    "SELECT * FROM t NOT",
    "SELECT * FROM f(1) INDEXED BY i",
    "SELECT * FROM (SELECT 1) INDEXED BY i",
    "SELECT * FROM t LIMIT",
    "SELECT * FROM t LIMIT 1 OFFSET",
    "SELECT * FROM t LIMIT 1,",
    // found by differential fuzzing
    "CREATE TRIGGER r AFTER INSERT ON t BEGIN INSERT INTO t2 VALUES (1, 2) RETURNING x END",
    "CREATE TEMP UNIQUE INDEX i ON t(a)",
    "CREATE INDEX i ON t USING (a)",
    "SELECT left(a) FROM t",
    "SELECT natural() OVER ()",
    "SELECT a FROM t WHERE (a BETWEEN 1 = 2 OR b < 2 OR c) ORDER BY 1",
    "INSERT INTO t VALUES (1, #1 x'00')",
    "INSERT INTO t VALUES (1, #1)",
    "ATTACH 'x.db' AS #1 aux",
    "CREATE TABLE t3(a DEFAULT 'x'. , b)",
    "CREATE TABLE t3(a) WITHOUT WITHOUT ROWID",
    "CREATE VIRTU`L TABLE v1 USING fts5(a)",
    "CREATE UNIQUE \\NDEX i ON t(a)",
};

const char* const kValid[] = {
    "SELECT 1",
    "SELECT 1;",
    ";;SELECT 1",
    "SELECT * FROM t WHERE a = 1 AND b LIKE 'x%' ESCAPE '\\' OR c IS NOT NULL",
    "SELECT a, b, count(*) FROM t GROUP BY a, b HAVING count(*) > 1 ORDER BY 3 DESC NULLS FIRST LIMIT 5 "
    "OFFSET 1",
    "SELECT * FROM t, t1 AS x LEFT OUTER JOIN t2 ON x.a = t2.x NATURAL JOIN t1 CROSS JOIN t2 USING (x)",
    "SELECT * FROM t RIGHT JOIN t1 USING (a) FULL OUTER JOIN t2 ON 1",
    "SELECT * FROM (t JOIN t1 USING (a)) AS q",
    "SELECT * FROM t INDEXED BY i1, t1 NOT INDEXED",
    "SELECT * FROM json_each('[1]') AS j, generate_series(1, 10)",
    "SELECT key, replace, abort, rowid, desc, first, last, nulls, window, over, filter FROM t",
    "SELECT left, right, natural, full, cross, inner, outer FROM t",
    "SELECT true, false, TRUE IS TRUE",
    "SELECT 1 desc, 2 asc, 3 key",
    "SELECT max(a) filter FROM t",
    "SELECT a window FROM t",
    "SELECT * FROM t window",
    "SELECT sum(a) OVER (PARTITION BY b ORDER BY c RANGE BETWEEN 1 PRECEDING AND 2 FOLLOWING EXCLUDE CURRENT "
    "ROW) "
    "FROM t",
    "SELECT sum(a) FILTER (WHERE b) OVER w, rank() OVER (w ROWS UNBOUNDED PRECEDING) FROM t WINDOW w AS "
    "(PARTITION BY c), w2 AS (w ORDER BY a)",
    "SELECT count(DISTINCT a) FILTER (WHERE b) FROM t",
    "SELECT a -> '$.x', a ->> 'y', a || b, ~a, -a, +a, a % 2, a << 1, a >> 1, a & 1, a | 1 FROM t",
    "SELECT CAST(a AS TEXT), CAST(b AS VARCHAR(10)), CAST(c AS DECIMAL(10, -2)), CAST(d AS)",
    "SELECT CASE a WHEN 1 THEN 'x' ELSE 'y' END, CASE WHEN a THEN 1 END FROM t",
    "SELECT EXISTS (SELECT 1), (SELECT 2), a IN (SELECT 3), a NOT IN (1, 2), a IN t1, a IN main.t1, "
    "a IN json_each('[1]') FROM t",
    "SELECT (a, b) IN (SELECT 1, 2), (a, b) IN ((1, 2), (3, 4)), (a, b) = (1, 2) FROM t",
    "SELECT a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b, a ISNULL, a NOTNULL, a NOT NULL FROM t",
    "SELECT a BETWEEN 1 AND 2, a NOT BETWEEN 1 AND 2 AND 3, a GLOB 'x', a NOT REGEXP 'y', a MATCH 'z' FROM t",
    "SELECT ?, ?1, :a, @b, $c, $d::e(f), #g",
    "SELECT x'00ff', 0x7fffffffffffffff, 1.5e10, .5, 5., 'a''b', \"t\".\"a\" FROM t",
    "SELECT CURRENT_TIME, CURRENT_DATE, CURRENT_TIMESTAMP",
    "SELECT a COLLATE nocase, b COLLATE \"binary\" FROM t ORDER BY a COLLATE rtrim",
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 10) SELECT * FROM c",
    "WITH a AS MATERIALIZED (SELECT 1), b(x) AS NOT MATERIALIZED (SELECT 2) SELECT * FROM a, b",
    "VALUES (1, 2), (3, 4)",
    "SELECT 1 UNION SELECT 2 EXCEPT SELECT 3 INTERSECT SELECT 4 UNION ALL VALUES (5) ",
    "SELECT 1 UNION ALL SELECT 2 ORDER BY 1 LIMIT 1",
    "SELECT * FROM (SELECT 1) AS s, (VALUES (2)) v",
    "SELECT * FROM t LIMIT 1, 2",
    "INSERT INTO t VALUES (1, 2, 3)",
    "INSERT INTO t(a, b) VALUES (1, 2), (3, 4)",
    "INSERT OR REPLACE INTO main.t DEFAULT VALUES RETURNING *",
    "REPLACE INTO t SELECT * FROM t",
    "INSERT INTO t AS x VALUES (1, 2, 3) ON CONFLICT (a) WHERE a > 0 DO UPDATE SET b = excluded.b WHERE x.c "
    "ON CONFLICT DO NOTHING RETURNING a, b AS z",
    "INSERT INTO t SELECT * FROM t1 JOIN t2 ON 1 WHERE 1 ON CONFLICT (a) DO NOTHING",
    "WITH c AS (SELECT 1) INSERT INTO t SELECT * FROM c",
    "UPDATE t SET a = 1, (b, c) = (2, 3) WHERE a > 0 RETURNING *",
    "UPDATE OR IGNORE t AS x INDEXED BY i SET a = x.b FROM t1 WHERE t1.a = x.a",
    "UPDATE t SET a = 1 ORDER BY b LIMIT 5 OFFSET 1",
    "DELETE FROM t WHERE a IN (SELECT a FROM t1) ORDER BY a LIMIT 10",
    "DELETE FROM main.t AS x NOT INDEXED WHERE x.a RETURNING a",
    "WITH c AS (SELECT 1) UPDATE t SET a = (SELECT * FROM c)",
    "CREATE TABLE t3(key, replace, abort, rowid, desc, materialized, nulls, first, window, over, filter, "
    "left)",
    "CREATE TABLE IF NOT EXISTS main.t3(a INTEGER PRIMARY KEY ASC ON CONFLICT REPLACE AUTOINCREMENT, b TEXT "
    "NOT NULL ON CONFLICT FAIL UNIQUE COLLATE nocase DEFAULT 'x', c REAL CHECK (c > 0) DEFAULT -1.5, d "
    "REFERENCES t(a) ON DELETE CASCADE ON UPDATE SET DEFAULT MATCH simple NOT DEFERRABLE INITIALLY DEFERRED, "
    "e GENERATED ALWAYS AS (a * 2) STORED, f INT AS (b || 'x') VIRTUAL, g DEFAULT (1 + 2), h DEFAULT "
    "CURRENT_TIMESTAMP, i DEFAULT true, j DEFAULT +5, k CONSTRAINT nn NOT NULL CONSTRAINT dangling)",
    "CREATE TABLE t3(a, b, CONSTRAINT pk PRIMARY KEY (a DESC, b) ON CONFLICT IGNORE, UNIQUE (b COLLATE "
    "nocase), CHECK (a > b) ON CONFLICT ABORT FOREIGN KEY (a, b) REFERENCES t(a, b) DEFERRABLE, CONSTRAINT "
    "x)",
    "CREATE TABLE t3(a INTEGER, b) WITHOUT ROWID, STRICT",
    "CREATE TEMP TABLE t3 AS SELECT * FROM t",
    "CREATE TABLE t3(a VARCHAR(10), b DECIMAL(10, 2), c \"my type\", d UNSIGNED BIG INT, e 'text', f "
    "NUMERIC(+1, -2))",
    "CREATE TABLE t3(a NULL, b DEFAULT NULL, c DEFAULT x'00', d DEFAULT 'it''s')",
    "CREATE UNIQUE INDEX IF NOT EXISTS main.i ON t(a COLLATE nocase DESC, b + c) WHERE a IS NOT NULL",
    "CREATE VIEW v(x, y) AS SELECT a, b FROM t",
    "CREATE TEMP VIEW IF NOT EXISTS v AS WITH c AS (SELECT 1) SELECT * FROM c",
    "CREATE TRIGGER r AFTER UPDATE OF a, b ON t FOR EACH ROW WHEN new.a > old.a BEGIN INSERT INTO t2 "
    "VALUES (new.a, old.b); UPDATE OR IGNORE t2 SET x = 1 FROM t1 WHERE t1.a = t2.x; DELETE FROM t2 "
    "WHERE x = new.a; SELECT RAISE(IGNORE); SELECT RAISE(ROLLBACK, 'x'); INSERT INTO t2 VALUES (1, 2) ON "
    "CONFLICT DO NOTHING; END",
    "CREATE TEMP TRIGGER IF NOT EXISTS r BEFORE DELETE ON t BEGIN WITH c AS (SELECT 1) SELECT * FROM c; END",
    "CREATE TRIGGER r INSTEAD OF INSERT ON v BEGIN REPLACE INTO t VALUES (1, 2, 3); END",
    "CREATE VIRTUAL TABLE v1 USING fts5(a, b, tokenize = 'porter', prefix='2 3')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS v1 USING rtree(id, x0, x1)",
    "CREATE VIRTUAL TABLE v1 USING m",
    "CREATE VIRTUAL TABLE v1 USING m(a (b, c), ,d; e)",
    "DROP TABLE IF EXISTS main.t",
    "DROP INDEX i",
    "DROP VIEW IF EXISTS v",
    "DROP TRIGGER main.r",
    "ALTER TABLE t RENAME TO t9",
    "ALTER TABLE main.t RENAME COLUMN a TO z",
    "ALTER TABLE t RENAME a TO z",
    "ALTER TABLE t ADD COLUMN d INT NOT NULL DEFAULT 0",
    "ALTER TABLE t ADD d",
    "ALTER TABLE t DROP COLUMN a",
    "ALTER TABLE t DROP a",
    "ATTACH DATABASE 'x.db' AS aux",
    "ATTACH 'x.db' AS aux KEY 'secret'",
    "DETACH DATABASE aux",
    "DETACH aux",
    "BEGIN",
    "BEGIN DEFERRED TRANSACTION",
    "BEGIN IMMEDIATE",
    "BEGIN EXCLUSIVE TRANSACTION tx",
    "COMMIT",
    "END TRANSACTION",
    "ROLLBACK",
    "ROLLBACK TRANSACTION TO SAVEPOINT s",
    "ROLLBACK TO s",
    "SAVEPOINT s",
    "RELEASE SAVEPOINT s",
    "RELEASE s",
    "PRAGMA cache_size",
    "PRAGMA main.cache_size = -100",
    "PRAGMA cache_size = +100",
    "PRAGMA journal_mode = WAL",
    "PRAGMA journal_mode = 'wal'",
    "PRAGMA table_info(t)",
    "PRAGMA secure_delete = ON",
    "PRAGMA locking_mode = DEFAULT",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA auto_vacuum(-1)",
    "VACUUM",
    "VACUUM main",
    "VACUUM INTO 'x.db'",
    "VACUUM main INTO 'x.db'",
    "REINDEX",
    "REINDEX nocase",
    "REINDEX main.i",
    "ANALYZE",
    "ANALYZE main",
    "ANALYZE main.t",
    "EXPLAIN SELECT 1",
    "EXPLAIN QUERY PLAN SELECT * FROM t",
    "SELECT 1 -- trailing comment",
    "SELECT a /* c */ FROM t",
};

const char* const kKeywordTemplates[] = {
    "SELECT K FROM t",
    "SELECT a K FROM t",
    "SELECT * FROM t K",
    "SELECT * FROM t K JOIN t2",
    "CREATE TABLE K(a)",
    "CREATE TABLE x(K)",
    "CREATE TABLE x(a K)",
    "CREATE TABLE x(a K, b)",
    "CREATE TABLE x(a INT K)",
    "SELECT K(1)",
    "SELECT t.K FROM t",
    "SELECT * FROM t AS K",
    "UPDATE t SET K = 1",
    "INSERT INTO t(K) VALUES(1)",
    "CREATE INDEX K ON t(a)",
    "PRAGMA K",
    "PRAGMA x = K",
    "SELECT a FROM t ORDER BY K",
    "SELECT count(*) OVER K FROM t",
    "WITH K AS (SELECT 1) SELECT 1",
    "SELECT CAST(1 AS K)",
    "SELECT a COLLATE K FROM t",
    "ATTACH 'x' AS K",
    "CREATE TABLE x(a DEFAULT K)",
    "SELECT 1 FROM t WINDOW K AS ()",
    "SAVEPOINT K",
    "CREATE TRIGGER K AFTER INSERT ON t BEGIN SELECT 1; END",
    "SELECT * FROM t JOIN t2 USING (K)",
    "SELECT K.a FROM t",
    "DROP TABLE K",
    "SELECT a IN K FROM t",
    "CREATE VIRTUAL TABLE x USING K",
    "SELECT K",
    "SELECT -K",
    "SELECT 1 WHERE K",
    "SELECT K + 1",
    "SELECT (K)",
    "SELECT f(K)",
    "SELECT * FROM K",
    "SELECT * FROM main.K",
    "SELECT K.K.K",
    "DELETE FROM K",
    "DELETE FROM t WHERE K",
    "INSERT INTO K VALUES(1)",
    "SELECT 1 K",
    "VALUES(K)",
    "SELECT sum(a) OVER (K) FROM t",
    "SELECT 1 FROM t GROUP BY K",
    "CREATE VIEW K AS SELECT 1",
    "CREATE VIEW v(K) AS SELECT 1",
    "SELECT 1 FROM t AS x INDEXED BY K",
    "ALTER TABLE t RENAME TO K",
    "ALTER TABLE t RENAME K TO x",
    "ALTER TABLE t ADD K",
    "ALTER TABLE t DROP K",
    "REINDEX K",
    "ANALYZE K",
    "VACUUM K",
    "BEGIN TRANSACTION K",
    "RELEASE K",
    "ROLLBACK TO K",
    "SELECT * FROM t WHERE a = K",
    "SELECT CASE K WHEN 1 THEN 2 END",
    "SELECT a FROM t LIMIT K",
    "CREATE TABLE x(a REFERENCES K)",
    "CREATE TABLE x(a) K",
    "SELECT 1 AS K",
    "CREATE TABLE x(a CONSTRAINT K NOT NULL)",
    "SELECT K IS NULL",
    "SELECT K NOT NULL",
    "SELECT * FROM t WHERE K IN (1)",
    "SELECT K FROM t WHERE 1",
    "SELECT x.* FROM t AS K",
    "INSERT INTO t SELECT K FROM t",
    "SELECT 1 FROM t, K",
    "SELECT * FROM t LEFT JOIN K ON 1",
    "CREATE TABLE x(a GENERATED ALWAYS AS (1) K)",
    "UPDATE t AS K SET a = 1",
    "SELECT a FROM t ORDER BY a K",
    "SELECT 1 UNION SELECT K",
};

// Every SQLite keyword in every template where an identifier may stand: the
// fallback-to-identifier rule and the keywords' own meanings must agree with
// SQLite's automaton.
TEST(Oracle, KeywordsAsIdentifiers) {
  Oracle oracle;
  int compared = 0;
  for (int i = 0; i < sqlite3_keyword_count(); ++i) {
    const char* z;
    int n;
    sqlite3_keyword_name(i, &z, &n);
    std::string kw(z, n);
    for (const char* tmpl : kKeywordTemplates) {
      std::string t = tmpl, sql;
      for (size_t j = 0; j < t.size(); ++j) {
        bool alone = t[j] == 'K' && (j == 0 || !isalpha(static_cast<unsigned char>(t[j - 1]))) &&
                     (j + 1 >= t.size() || !isalpha(static_cast<unsigned char>(t[j + 1])));
        if (alone) {
          sql += kw;
        } else {
          sql += t[j];
        }
      }
      std::string want = oracle.verdict(sql);
      if (want == "OK" && !oracle.last_message().empty() && keel_verdict(sql) != "OK") continue;  // masked
      EXPECT_EQ(keel_verdict(sql), want) << "input: " << sql;
      ++compared;
    }
  }
  EXPECT_GT(compared, 10000);
}

TEST(Oracle, MalformedInputsGiveSqlitesErrors) {
  Oracle oracle;
  int compared = 0;
  for (const char* sql : kMalformed) {
    std::string want = oracle.verdict(sql);
    EXPECT_EQ(keel_verdict(sql), want) << "input: " << sql;
    ++compared;
  }
  EXPECT_GT(compared, 150);
}

// "no such window" is also a name-resolution error in SQLite, so it is not in
// the parser-message list; inside a WINDOW clause the parser raises it.
TEST(Oracle, WindowClauseChaining) {
  Oracle oracle;
  const char* sql = "SELECT 1 FROM t WINDOW a AS (ORDER BY 1), b AS (zz)";
  oracle.verdict(sql);
  EXPECT_EQ(oracle.last_message(), "no such window: zz");
  EXPECT_EQ(keel_verdict(sql), "no such window: zz");
}

TEST(Oracle, ValidInputsParse) {
  Oracle oracle;
  for (const char* sql : kValid) {
    ASSERT_EQ(oracle.verdict(sql), "OK") << "SQLite rejects: " << sql;
    EXPECT_EQ(keel_verdict(sql), "OK") << "input: " << sql;
    // Spans hold what they describe.
    {
      Arena arena;
      Parser p(arena, sql, testing::debian_options());
      auto r = p.parse_statement(0);
      if (r.ok() && r->stmt) {
        EXPECT_EQ(testing::check_spans(*r->stmt, sql), "") << "input: " << sql;
      }
    }
    // The canonical text parses again, to the same canonical text.
    std::string once = testing::canon(sql);
    EXPECT_EQ(testing::canon(once), once) << "input: " << sql;
  }
}

// Result columns without an alias are named by SQLite after their text: the
// span from the expression's first token to the start of the next token.
TEST(Oracle, ResultColumnNamesFollowSpans) {
  sqlite3* db;
  sqlite3_open(":memory:", &db);
  sqlite3_exec(db, "CREATE TABLE t(a, b, c)", nullptr, nullptr, nullptr);
  const char* queries[] = {
      "SELECT 1 + 2 /* c */ , 'x'||'y' -- tail\n FROM t",
      "SELECT a+1,b  *  2,  (c) , - a FROM t",
      "SELECT count(*) FILTER (WHERE a > 1) OVER () , max(b)over(order by c)FROM t",
      "SELECT CASE WHEN a THEN 1 END\t\n, CAST(a AS TEXT)/**/,x'00',?1 FROM t",
      "SELECT a COLLATE nocase, a IN (1,2), EXISTS(SELECT 1) FROM t",
      "SELECT 1 /* trailing comment */",
      "SELECT 1 -- trailing line comment",
      "VALUES (1 + 1, 'a')",
  };
  for (const char* q : queries) {
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, q, -1, &st, nullptr), SQLITE_OK) << q;
    Arena arena;
    Parser p(arena, q);
    auto r = p.parse_statement(0);
    ASSERT_TRUE(r.ok()) << q;
    const SelectCore* core = r->stmt->as<SelectStmt>()->select->cores[0];
    if (core->is_values) {
      EXPECT_EQ(std::string(sqlite3_column_name(st, 0)), "column1");
    } else {
      ASSERT_EQ(static_cast<int>(core->columns.size), sqlite3_column_count(st)) << q;
      for (uint32_t i = 0; i < core->columns.size; ++i) {
        const ResultColumn& rc = core->columns[i];
        if (rc.expr == nullptr || rc.expr->kind == ExprKind::kColumnRef) continue;  // named after the column
        EXPECT_EQ(std::string(rc.span.text(q)), sqlite3_column_name(st, static_cast<int>(i))) << q;
      }
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
}

// The same comparison through the Debian sqlite3 command-line shell, which
// prints `Parse error near line 1: MESSAGE` (or `Error: ...`).
TEST(Oracle, CommandLineShellAgrees) {
  if (std::system("command -v sqlite3 > /dev/null 2>&1") != 0) GTEST_SKIP() << "sqlite3 shell not installed";
  const char* inputs[] = {
      "SELECT 1 +;",
      "SELECT 'abc",
      "SELECT * FROM",
      "CREATE TABLE t3(returning);",
      "SELECT ?0;",
      "SELECT 1 ORDER BY 1 UNION SELECT 2;",
      "SELECT * FROM t3 LEFT FOO JOIN t4;",
      "SELECT x'4g';",
      "CREATE TABLE t3(a) WITHOUT foo;",
      "SELECT cast FROM t;",
      "SELECT 1 FROM t WHERE a IN (1,);",
  };
  std::string path = ::testing::TempDir() + "keel_parse_cli_input.sql";
  for (const char* sql : inputs) {
    {
      std::ofstream f(path);
      f << sql << "\n";
    }
    std::string cmd = "sqlite3 :memory: < '" + path + "' 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    char buf[1024];
    std::string first = fgets(buf, sizeof buf, p) ? buf : "";
    pclose(p);
    while (!first.empty() && (first.back() == '\n' || first.back() == '\r')) first.pop_back();
    size_t colon = first.find(": ");
    ASSERT_NE(colon, std::string::npos) << first;
    std::string message = first.substr(colon + 2);
    EXPECT_EQ(keel_verdict(sql), message) << "input: " << sql;
  }
  std::remove(path.c_str());
}

// The deepest nesting accepted before "parser stack overflow", per context.
TEST(Oracle, ParserStackDepthPerContext) {
  Oracle oracle;
  struct Form {
    const char* name;
    std::string pre, open, inner, close, post;
  };
  const Form forms[] = {
      {"where", "SELECT 1 FROM t WHERE ", "(", "1", ")", ""},
      {"insert", "INSERT INTO t VALUES(", "(", "1", ")", ")"},
      {"from", "SELECT * FROM ", "(SELECT * FROM ", "t", ")", ""},
      {"trigger", "CREATE TRIGGER r AFTER INSERT ON t BEGIN SELECT ", "(", "1", ")", "; END"},
      {"check", "CREATE TABLE x(a CHECK(", "(", "1", ")", "))"},
      {"update", "UPDATE t SET a = ", "(", "1", ")", ""},
      {"orderby", "SELECT 1 FROM t ORDER BY ", "(", "1", ")", ""},
      {"cte", "", "WITH c AS (", "SELECT 1", ") SELECT 1", ""},
      {"in-select", "SELECT 1 IN ", "(SELECT 1 IN ", "(1)", ")", ""},
      {"group", "SELECT 1 FROM t GROUP BY ", "(", "1", ")", ""},
      {"limit", "SELECT 1 LIMIT ", "(", "1", ")", ""},
      {"exists", "SELECT ", "EXISTS (SELECT ", "1", ")", ""},
      {"vector", "SELECT ", "(1, ", "1", ")", ""},
      {"union", "SELECT 1 UNION SELECT ", "(", "1", ")", ""},
      {"second-arg", "SELECT ", "f(1, ", "1", ")", ""},
      {"case-else", "SELECT ", "CASE WHEN 1 THEN 1 ELSE ", "1", " END", ""},
      {"index", "CREATE INDEX i ON t(", "(", "a", ")", ")"},
      {"join-on", "SELECT * FROM t JOIN t1 ON ", "(", "1", ")", ""},
      {"delete", "DELETE FROM t WHERE ", "(", "1", ")", ""},
      {"default", "CREATE TABLE x(a DEFAULT (", "(", "1", ")", "))"},
      {"window", "SELECT sum(a) OVER (ORDER BY ", "(", "1", ")", ") FROM t"},
      {"values-row", "VALUES(1), (", "(", "1", ")", ")"},
  };
  auto repeat = [](const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
  };
  for (const Form& f : forms) {
    int keel_max = 0, sqlite_max = 0;
    for (int n = 1; n < 120; ++n) {
      std::string sql = f.pre + repeat(f.open, n) + f.inner + repeat(f.close, n) + f.post;
      if (keel_verdict(sql) != "parser stack overflow") keel_max = n;
      if (oracle.verdict(sql) != "parser stack overflow") sqlite_max = n;
    }
    EXPECT_EQ(keel_max, sqlite_max) << f.name;
  }
}

// Declared types and default texts are what SQLite records (pragma table_xinfo).
TEST(Oracle, ColumnTypesAndDefaultsAsStored) {
  sqlite3* db;
  sqlite3_open(":memory:", &db);
  std::string sql =
      "CREATE TABLE x(c0 INT, c1 \"my type\", c2 'q', c3 [br], c4 VARCHAR ( 10 ), c5 a \"b\" c, c6 \"a\" "
      "\"b\", "
      "c7 INT GENERATED ALWAYS AS (1), c8 GENERATED ALWAYS AS (2), c9 xxxxxxxxxx ALWAYS, c10 DECIMAL(+1, "
      "-2), "
      "c11 UNSIGNED BIG INT, c12, c13 DEFAULT -5, c14 DEFAULT ( 1 + 2 ) , c15 DEFAULT 'it''s', c16 DEFAULT "
      "abc, "
      "c17 DEFAULT \"q\", c18 DEFAULT +1.5e3, c19 DEFAULT CURRENT_TIMESTAMP, c20 DEFAULT x'0f', c21 DEFAULT "
      "NULL, "
      "c22 DEFAULT true, c23 int ALWAYS, c24 TEXT GENERATED ALWAYS AS (c0) STORED)";
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  Arena arena;
  Parser p(arena, sql);
  auto r = p.parse_statement(0);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto* ct = r->stmt->as<CreateTableStmt>();
  sqlite3_stmt* st;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "SELECT name, type, dflt_value FROM pragma_table_xinfo('x')", -1, &st, nullptr),
      SQLITE_OK);
  uint32_t i = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    ASSERT_LT(i, ct->columns.size);
    const ColumnDef* c = ct->columns[i++];
    EXPECT_EQ(std::string(c->name.value), reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    EXPECT_EQ(std::string(c->type.text), reinterpret_cast<const char*>(sqlite3_column_text(st, 1)))
        << c->name.value;
    const ColumnConstraint* def = nullptr;
    for (const ColumnConstraint* cc : c->constraints) {
      if (cc->kind == ColumnConstraint::Kind::kDefault) def = cc;
    }
    const unsigned char* dflt = sqlite3_column_text(st, 2);
    if (def == nullptr) {
      EXPECT_EQ(dflt, nullptr) << c->name.value;
    } else {
      ASSERT_NE(dflt, nullptr) << c->name.value;
      EXPECT_EQ(std::string(def->default_text.text(sql)), reinterpret_cast<const char*>(dflt))
          << c->name.value;
    }
  }
  EXPECT_EQ(i, ct->columns.size);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST(Oracle, DepthLimits) {
  Oracle oracle;
  auto repeat = [](const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
  };
  for (int n : {1, 50, 90, 93, 94, 95, 200}) {
    std::string sql = "SELECT " + repeat("(", n) + "1" + repeat(")", n);
    EXPECT_EQ(keel_verdict(sql), oracle.verdict(sql)) << "parens " << n;
    sql = "SELECT " + repeat("NOT ", n) + "1";
    EXPECT_EQ(keel_verdict(sql), oracle.verdict(sql)) << "not " << n;
  }
  for (int n : {10, 30, 31, 32, 33, 40}) {
    std::string sql = "SELECT " + repeat("1+(", n) + "1" + repeat(")", n);
    EXPECT_EQ(keel_verdict(sql), oracle.verdict(sql)) << "plus " << n;
    sql = "SELECT " + repeat("abs(", n) + "1" + repeat(")", n);
    EXPECT_EQ(keel_verdict(sql), oracle.verdict(sql)) << "func " << n;
    sql = "SELECT " + repeat("1 in (", n) + "1" + repeat(")", n);
    EXPECT_EQ(keel_verdict(sql), oracle.verdict(sql)) << "in " << n;
  }
  for (int n : {5, 17, 18, 19, 20}) {
    std::string sql = "SELECT " + repeat("(SELECT ", n) + "1" + repeat(")", n);
    EXPECT_EQ(keel_verdict(sql), oracle.verdict(sql)) << "subquery " << n;
    sql = "SELECT " + repeat("CASE WHEN 1 THEN ", n) + "1" + repeat(" END", n);
    EXPECT_EQ(keel_verdict(sql), oracle.verdict(sql)) << "case " << n;
  }
  for (int n : {998, 999, 1000, 1001, 3000}) {
    std::string sql = "SELECT 1" + repeat(" AND 1", n);
    EXPECT_EQ(keel_verdict(sql), oracle.verdict(sql)) << "and-chain " << n;
    sql = "SELECT 1" + repeat(" || 1", n);
    EXPECT_EQ(keel_verdict(sql), oracle.verdict(sql)) << "concat-chain " << n;
  }
  std::string many = "SELECT 1" + repeat(" UNION SELECT 1", 500);
  EXPECT_EQ(keel_verdict(many), oracle.verdict(many));
  for (int n : {199, 200, 201}) {
    std::string from = "SELECT 1 FROM t" + repeat(", t", n - 1);
    EXPECT_EQ(keel_verdict(from), oracle.verdict(from)) << "from terms " << n;
    from = "SELECT 1 FROM t" + repeat(" JOIN t", n - 1);
    EXPECT_EQ(keel_verdict(from), oracle.verdict(from)) << "join terms " << n;
  }
  std::string args = "SELECT f(" + repeat("1, ", 127) + "1)";
  EXPECT_EQ(keel_verdict(args), oracle.verdict(args));
}

}  // namespace
}  // namespace keel::parse
