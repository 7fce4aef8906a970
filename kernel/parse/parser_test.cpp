// Parser unit tests: tree shape (through the fully parenthesized to_sql),
// spans, names, parameters, statement splitting and is_complete.
#include "parse/parser.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>

#include "parse/parse_test_util.h"

namespace keel::parse {
namespace {

using testing::canon;

struct Case {
  const char* sql;
  const char* expected;
};

void check(const Case* cases, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(canon(cases[i].sql), cases[i].expected) << "input: " << cases[i].sql;
    // The canonical text is a fixpoint.
    std::string once = canon(cases[i].sql);
    if (once.rfind("ERROR", 0) != 0) {
      EXPECT_EQ(canon(once), once) << "input: " << cases[i].sql;
    }
  }
}

TEST(ParserExpr, Precedence) {
  static const Case kCases[] = {
      {"SELECT 1 + 2 * 3", "SELECT (1 + (2 * 3))"},
      {"SELECT 1 - 2 - 3", "SELECT ((1 - 2) - 3)"},
      {"SELECT a OR b AND c", "SELECT (a OR (b AND c))"},
      {"SELECT NOT a = b", "SELECT (NOT (a = b))"},
      {"SELECT a = b NOT NULL", "SELECT ((a = b) NOTNULL)"},
      {"SELECT a AND b NOT NULL", "SELECT (a AND (b NOTNULL))"},
      {"SELECT NOT a NOT NULL", "SELECT (NOT (a NOTNULL))"},
      {"SELECT a = b = c", "SELECT ((a = b) = c)"},
      {"SELECT a < b = c < d", "SELECT ((a < b) = (c < d))"},
      {"SELECT a || b COLLATE x", "SELECT (a || (b COLLATE x))"},
      {"SELECT -a COLLATE x", "SELECT ((- a) COLLATE x)"},
      {"SELECT - a * b", "SELECT ((- a) * b)"},
      {"SELECT ~a || b", "SELECT ((~ a) || b)"},
      {"SELECT a & b | c << d >> e", "SELECT ((((a & b) | c) << d) >> e)"},
      {"SELECT a -> 'x' ->> 'y'", "SELECT ((a -> 'x') ->> 'y')"},
      {"SELECT a + b -> c", "SELECT (a + (b -> c))"},
      {"SELECT a == b, a <> b, a != b", "SELECT (a = b), (a != b), (a != b)"},
      {"SELECT a BETWEEN 1 AND 2 AND c", "SELECT ((a BETWEEN 1 AND 2) AND c)"},
      {"SELECT a NOT BETWEEN b + 1 AND c * 2", "SELECT (a NOT BETWEEN (b + 1) AND (c * 2))"},
      {"SELECT a BETWEEN b = c AND d", "SELECT (a BETWEEN (b = c) AND d)"},
      {"SELECT a LIKE b ESCAPE c", "SELECT (a LIKE b ESCAPE c)"},
      {"SELECT a NOT GLOB b || c", "SELECT (a NOT GLOB (b || c))"},
      {"SELECT a LIKE b LIKE c ESCAPE d", "SELECT ((a LIKE b) LIKE c ESCAPE d)"},
      {"SELECT a REGEXP b, a MATCH b", "SELECT (a REGEXP b), (a MATCH b)"},
      {"SELECT a IS NULL, a IS NOT NULL, a ISNULL, a NOTNULL, a NOT NULL",
       "SELECT (a IS NULL), (a IS NOT NULL), (a ISNULL), (a NOTNULL), (a NOTNULL)"},
      {"SELECT a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b", "SELECT (a IS NOT b), (a IS b)"},
      {"SELECT a IS NOT b + 1", "SELECT (a IS NOT (b + 1))"},
      {"SELECT a IN (1, 2), a NOT IN (SELECT 1), a IN t, a IN main.f(1)",
       "SELECT (a IN (1, 2)), (a NOT IN (SELECT 1)), (a IN t), (a IN main.f(1))"},
      {"SELECT a IN ()", "SELECT (a IN ())"},
      {"SELECT (a, b) IN ((1, 2), (3, 4))", "SELECT ((a, b) IN ((1, 2), (3, 4)))"},
      {"SELECT (a, b) = (1, 2)", "SELECT ((a, b) = (1, 2))"},
      {"SELECT ((1))", "SELECT 1"},
      {"SELECT - - 1", "SELECT (- (- 1))"},
      {"SELECT +-+1", "SELECT (+ (- (+ 1)))"},
      {"SELECT CAST(a AS INTEGER), CAST(b AS VARCHAR(10)), CAST(c AS)",
       "SELECT CAST(a AS INTEGER), CAST(b AS VARCHAR(10)), CAST(c AS)"},
      {"SELECT CASE WHEN a THEN b WHEN c THEN d ELSE e END, CASE x WHEN 1 THEN 2 END",
       "SELECT CASE WHEN a THEN b WHEN c THEN d ELSE e END, CASE x WHEN 1 THEN 2 END"},
      {"SELECT EXISTS (SELECT 1), (SELECT 2)", "SELECT EXISTS (SELECT 1), (SELECT 2)"},
      {"SELECT count(*), count(DISTINCT a), f(), g(ALL a, b)",
       "SELECT count(*), count(DISTINCT a), f(), g(ALL a, b)"},
      {"SELECT CURRENT_TIME, current_date, CURRENT_TIMESTAMP",
       "SELECT CURRENT_TIME, current_date, CURRENT_TIMESTAMP"},
      {"SELECT x'AB', 1.5e3, .5, 0x1F, 'it''s', NULL", "SELECT X'AB', 1.5e3, .5, 0x1F, 'it''s', NULL"},
      {"SELECT \"a\", [b], `c`, 'd'.e, s.t.c", "SELECT \"a\", [b], `c`, 'd'.e, s.t.c"},
      {"SELECT true, false, rowid, desc, key", "SELECT true, false, rowid, desc, key"},
      {"SELECT replace(a, 'x', 'y'), glob(a, b), like(a, b), left, \"left\"(a)",
       "SELECT replace(a, 'x', 'y'), glob(a, b), like(a, b), left, \"left\"(a)"},
      {"SELECT left(a)", "ERROR: near \"(\": syntax error"},
      {"SELECT RAISE(IGNORE), RAISE(ABORT, 'msg')", "SELECT RAISE(IGNORE), RAISE(ABORT, 'msg')"},
  };
  check(kCases, std::size(kCases));
}

TEST(ParserExpr, WindowsAndFilters) {
  static const Case kCases[] = {
      {"SELECT sum(a) OVER (PARTITION BY b ORDER BY c ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t",
       "SELECT sum(a) OVER (PARTITION BY b ORDER BY c ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t"},
      {"SELECT count(*) FILTER (WHERE a > 1) OVER w FROM t WINDOW w AS (ORDER BY a)",
       "SELECT count(*) FILTER (WHERE (a > 1)) OVER w FROM t WINDOW w AS (ORDER BY a)"},
      {"SELECT rank() OVER (w RANGE UNBOUNDED PRECEDING EXCLUDE TIES) FROM t",
       "SELECT rank() OVER (w RANGE UNBOUNDED PRECEDING EXCLUDE TIES) FROM t"},
      {"SELECT f() OVER (GROUPS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING EXCLUDE NO OTHERS)",
       "SELECT f() OVER (GROUPS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING EXCLUDE NO OTHERS)"},
      {"SELECT f() OVER ()", "SELECT f() OVER ()"},
      // WINDOW, OVER and FILTER are identifiers outside their contexts.
      {"SELECT window, over, filter FROM t window", "SELECT window, over, filter FROM t AS window"},
      {"SELECT max(a) filter FROM t", "SELECT max(a) AS filter FROM t"},
      {"SELECT f() OVER (ROWS 1 FOLLOWING)", "ERROR: unsupported frame specification"},
      {"SELECT count(DISTINCT a) OVER ()", "ERROR: DISTINCT is not supported for window functions"},
  };
  check(kCases, std::size(kCases));
}

TEST(ParserSelect, Shapes) {
  static const Case kCases[] = {
      {"select a from t where b order by c desc nulls last limit 1 offset 2",
       "SELECT a FROM t WHERE b ORDER BY c DESC NULLS LAST LIMIT 1 OFFSET 2"},
      {"SELECT a FROM t LIMIT 5, 10", "SELECT a FROM t LIMIT 10 OFFSET 5"},
      {"SELECT DISTINCT a, t.*, * FROM t GROUP BY a HAVING count(*) > 1",
       "SELECT DISTINCT a, t.*, * FROM t GROUP BY a HAVING (count(*) > 1)"},
      {"SELECT 1 UNION SELECT 2 UNION ALL SELECT 3 INTERSECT SELECT 4 EXCEPT SELECT 5 ORDER BY 1",
       "SELECT 1 UNION SELECT 2 UNION ALL SELECT 3 INTERSECT SELECT 4 EXCEPT SELECT 5 ORDER BY 1"},
      {"VALUES (1, 2), (3, 4)", "VALUES (1, 2), (3, 4)"},
      {"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5) SELECT x FROM c",
       "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT (x + 1) FROM c LIMIT 5) SELECT x FROM c"},
      {"WITH a AS MATERIALIZED (SELECT 1), b AS NOT MATERIALIZED (SELECT 2) SELECT * FROM a, b",
       "WITH a AS MATERIALIZED (SELECT 1), b AS NOT MATERIALIZED (SELECT 2) SELECT * FROM a, b"},
      {"SELECT * FROM a LEFT JOIN b ON a.x = b.x NATURAL JOIN c CROSS JOIN d RIGHT OUTER JOIN e USING (y) "
       "FULL JOIN f INNER JOIN g",
       "SELECT * FROM a LEFT JOIN b ON (a.x = b.x) NATURAL JOIN c CROSS JOIN d RIGHT JOIN e USING (y) "
       "FULL JOIN f JOIN g"},
      {"SELECT * FROM a NATURAL LEFT OUTER JOIN b", "SELECT * FROM a NATURAL LEFT JOIN b"},
      {"SELECT * FROM t AS x INDEXED BY i, u NOT INDEXED, f(1, 2) AS g, (SELECT 1) s",
       "SELECT * FROM t AS x INDEXED BY i, u NOT INDEXED, f(1, 2) AS g, (SELECT 1) AS s"},
      // Parenthesized FROM lists are flattened as SQLite's grammar does.
      {"SELECT * FROM (a JOIN b) JOIN c", "SELECT * FROM a JOIN b JOIN c"},
      {"SELECT * FROM x JOIN (a AS q) AS r ON 1", "SELECT * FROM x JOIN a AS r ON 1"},
      {"SELECT * FROM x JOIN (a JOIN b) AS r", "SELECT * FROM x JOIN (a JOIN b) AS r"},
      {"SELECT * FROM main.t", "SELECT * FROM main.t"},
      {"SELECT a b, c 'd', e AS \"f\" FROM t", "SELECT a AS b, c AS 'd', e AS \"f\" FROM t"},
      {"SELECT 1 desc", "SELECT 1 AS desc"},
  };
  check(kCases, std::size(kCases));
}

TEST(ParserDml, Statements) {
  static const Case kCases[] = {
      {"INSERT INTO t VALUES (1, 2)", "INSERT INTO t VALUES (1, 2)"},
      {"insert or ignore into main.t(a, b) select 1, 2", "INSERT OR IGNORE INTO main.t (a, b) SELECT 1, 2"},
      {"REPLACE INTO t DEFAULT VALUES", "REPLACE INTO t DEFAULT VALUES"},
      {"INSERT INTO t AS x VALUES (1) ON CONFLICT (a) WHERE a > 0 DO UPDATE SET b = excluded.b WHERE 1 "
       "ON CONFLICT DO NOTHING RETURNING *",
       "INSERT INTO t AS x VALUES (1) ON CONFLICT (a) WHERE (a > 0) DO UPDATE SET b = excluded.b WHERE 1 "
       "ON CONFLICT DO NOTHING RETURNING *"},
      {"INSERT INTO t SELECT * FROM u WHERE true ON CONFLICT DO NOTHING",
       "INSERT INTO t SELECT * FROM u WHERE true ON CONFLICT DO NOTHING"},
      {"UPDATE OR REPLACE t SET a = 1, (b, c) = (2, 3) FROM u WHERE t.x = u.x RETURNING a AS z",
       "UPDATE OR REPLACE t SET a = 1, (b, c) = (2, 3) FROM u WHERE (t.x = u.x) RETURNING a AS z"},
      {"UPDATE t INDEXED BY i SET a = 1 ORDER BY a LIMIT 2",
       "UPDATE t INDEXED BY i SET a = 1 ORDER BY a LIMIT 2"},
      {"DELETE FROM t AS x NOT INDEXED WHERE a RETURNING a, b",
       "DELETE FROM t AS x NOT INDEXED WHERE a RETURNING a, b"},
      {"WITH c AS (SELECT 1) DELETE FROM t WHERE a IN c",
       "WITH c AS (SELECT 1) DELETE FROM t WHERE (a IN c)"},
      {"UPDATE t SET (a, b) = (1, 2, 3)", "ERROR: 2 columns assigned 3 values"},
  };
  check(kCases, std::size(kCases));
}

TEST(ParserDml, UpdateDeleteLimitOption) {
  ParseOptions o;  // as built without SQLITE_ENABLE_UPDATE_DELETE_LIMIT
  o.update_delete_limit = false;
  EXPECT_EQ(canon("DELETE FROM t ORDER BY a", o), "ERROR: near \"ORDER\": syntax error");
  EXPECT_EQ(canon("UPDATE t SET a = 1 LIMIT 1", o), "ERROR: near \"LIMIT\": syntax error");
}

TEST(ParserDdl, Statements) {
  static const Case kCases[] = {
      {"CREATE TABLE t(key, replace, abort, rowid, desc)",
       "CREATE TABLE t(key, replace, abort, rowid, desc)"},
      {"CREATE TEMP TABLE IF NOT EXISTS s.t(a INTEGER PRIMARY KEY DESC ON CONFLICT FAIL AUTOINCREMENT, "
       "b VARCHAR(10) NOT NULL UNIQUE DEFAULT 'x', c DEFAULT -1 CHECK (c > 0) COLLATE nocase, "
       "d REFERENCES p(x) ON DELETE CASCADE ON UPDATE SET NULL MATCH full DEFERRABLE INITIALLY DEFERRED, "
       "e INT GENERATED ALWAYS AS (a + 1) STORED, f AS (2), "
       "CONSTRAINT pk PRIMARY KEY (a, b) ON CONFLICT ROLLBACK, UNIQUE (c COLLATE nocase DESC), CHECK (a) "
       "FOREIGN KEY (d) REFERENCES p(x)) WITHOUT ROWID, STRICT",
       "CREATE TEMP TABLE IF NOT EXISTS s.t(a INTEGER PRIMARY KEY DESC ON CONFLICT FAIL AUTOINCREMENT, "
       "b VARCHAR(10) NOT NULL UNIQUE DEFAULT ('x'), c DEFAULT ((- 1)) CHECK ((c > 0)) COLLATE nocase, "
       "d REFERENCES p(x) ON DELETE CASCADE ON UPDATE SET NULL MATCH full DEFERRABLE INITIALLY DEFERRED, "
       "e INT GENERATED ALWAYS AS ((a + 1)) STORED, f GENERATED ALWAYS AS (2), "
       "CONSTRAINT pk PRIMARY KEY (a, b) ON CONFLICT ROLLBACK, UNIQUE ((c COLLATE nocase) DESC), CHECK (a), "
       "FOREIGN KEY (d) REFERENCES p(x)) WITHOUT ROWID, STRICT"},
      {"CREATE TABLE t(a DEFAULT true, b DEFAULT abc, c DEFAULT CURRENT_TIMESTAMP)",
       "CREATE TABLE t(a DEFAULT true, b DEFAULT ('abc'), c DEFAULT (CURRENT_TIMESTAMP))"},
      {"CREATE TABLE t AS SELECT 1", "CREATE TABLE t AS SELECT 1"},
      {"CREATE TABLE t(a) WITHOUT foo", "ERROR: unknown table option: foo"},
      {"CREATE TABLE t(a) STRICTER", "ERROR: unknown table option: STRICTER"},
      {"CREATE UNIQUE INDEX IF NOT EXISTS i ON t(a COLLATE nocase DESC, b + 1) WHERE a > 0",
       "CREATE UNIQUE INDEX IF NOT EXISTS i ON t ((a COLLATE nocase) DESC, (b + 1)) WHERE (a > 0)"},
      {"CREATE INDEX v ON t USING vector_ann (e) WITH (metric = 'cosine', m = 16)",
       "CREATE INDEX v ON t USING vector_ann (e) WITH (metric = 'cosine', m = 16)"},
      {"CREATE TEMP VIEW v(a, b) AS SELECT 1, 2", "CREATE TEMP VIEW v(a, b) AS SELECT 1, 2"},
      {"CREATE VIEW v(a DESC) AS SELECT 1", "ERROR: syntax error after column name \"a\""},
      {"CREATE TRIGGER r BEFORE UPDATE OF a, b ON t FOR EACH ROW WHEN new.a > 0 BEGIN "
       "INSERT INTO u VALUES (new.a); UPDATE u SET x = 1; DELETE FROM u; SELECT RAISE(ABORT, 'no'); END",
       "CREATE TRIGGER r BEFORE UPDATE OF a, b ON t FOR EACH ROW WHEN (new.a > 0) BEGIN "
       "INSERT INTO u VALUES (new.a); UPDATE u SET x = 1; DELETE FROM u; SELECT RAISE(ABORT, 'no'); END"},
      {"CREATE TRIGGER r INSTEAD OF DELETE ON v BEGIN DELETE FROM main.u; END",
       "ERROR: qualified table names are not allowed on INSERT, UPDATE, and DELETE statements within "
       "triggers"},
      {"CREATE TRIGGER r AFTER INSERT ON t BEGIN INSERT INTO u VALUES (1) RETURNING *; END",
       "ERROR: cannot use RETURNING in a trigger"},
      {"CREATE TRIGGER r AFTER INSERT ON t BEGIN DELETE FROM u INDEXED BY i; END",
       "ERROR: the INDEXED BY clause is not allowed on UPDATE or DELETE statements within triggers"},
      {"CREATE VIRTUAL TABLE f USING fts5(a, b, tokenize = 'porter ascii', x(y, z))",
       "CREATE VIRTUAL TABLE f USING fts5(a, b, tokenize = 'porter ascii', x(y, z))"},
      {"CREATE MATERIALIZED VIEW mv AS SELECT 1", "CREATE MATERIALIZED VIEW mv AS SELECT 1"},
      {"DROP TABLE IF EXISTS s.t", "DROP TABLE IF EXISTS s.t"},
      {"DROP TRIGGER r", "DROP TRIGGER r"},
      {"ALTER TABLE t RENAME TO u", "ALTER TABLE t RENAME TO u"},
      {"ALTER TABLE t RENAME a TO b", "ALTER TABLE t RENAME COLUMN a TO b"},
      {"ALTER TABLE t ADD c INT DEFAULT 0", "ALTER TABLE t ADD COLUMN c INT DEFAULT (0)"},
      {"ALTER TABLE t DROP COLUMN c", "ALTER TABLE t DROP COLUMN c"},
  };
  check(kCases, std::size(kCases));
}

TEST(ParserMisc, Statements) {
  static const Case kCases[] = {
      {"BEGIN", "BEGIN"},
      {"BEGIN IMMEDIATE TRANSACTION", "BEGIN IMMEDIATE"},
      {"BEGIN CONCURRENT", "BEGIN CONCURRENT"},
      {"END TRANSACTION", "END"},
      {"ROLLBACK TO SAVEPOINT s", "ROLLBACK TO SAVEPOINT s"},
      {"ROLLBACK TRANSACTION TO s", "ROLLBACK TO SAVEPOINT s"},
      {"SAVEPOINT s", "SAVEPOINT s"},
      {"RELEASE s", "RELEASE SAVEPOINT s"},
      {"PRAGMA main.cache_size = -2000", "PRAGMA main.cache_size = -2000"},
      {"PRAGMA table_info('t')", "PRAGMA table_info(t)"},
      {"PRAGMA journal_mode = DELETE", "PRAGMA journal_mode = DELETE"},
      {"PRAGMA foreign_keys = ON", "PRAGMA foreign_keys = ON"},
      {"PRAGMA integrity_check", "PRAGMA integrity_check"},
      {"ATTACH DATABASE 'f.db' AS aux KEY 'k'", "ATTACH 'f.db' AS aux KEY 'k'"},
      {"DETACH aux", "DETACH aux"},
      {"VACUUM", "VACUUM"},
      {"VACUUM main INTO 'x.db'", "VACUUM main INTO 'x.db'"},
      {"REINDEX", "REINDEX"},
      {"REINDEX s.i", "REINDEX s.i"},
      {"ANALYZE t", "ANALYZE t"},
      {"EXPLAIN SELECT 1", "EXPLAIN SELECT 1"},
      {"EXPLAIN QUERY PLAN SELECT 1", "EXPLAIN QUERY PLAN SELECT 1"},
  };
  check(kCases, std::size(kCases));
}

TEST(ParserSpans, ResultColumnTextAndNames) {
  std::string sql = "SELECT a /*c*/ , b+1  AS z, \"q\"\"x\" FROM t";
  Arena arena;
  Parser p(arena, sql);
  auto r = p.parse_statement(0);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Select* s = r->stmt->as<SelectStmt>()->select;
  const auto& cols = s->cores[0]->columns;
  ASSERT_EQ(cols.size, 3u);
  EXPECT_EQ(cols[0].span.text(sql), "a /*c*/");
  EXPECT_EQ(cols[1].span.text(sql), "b+1");
  EXPECT_EQ(cols[1].alias.value, "z");
  const auto* q = cols[2].expr->as<ColumnRefExpr>();
  EXPECT_EQ(q->column.value, "q\"x");
  EXPECT_EQ(q->column.quote, '"');
  EXPECT_EQ(q->column.span.text(sql), "\"q\"\"x\"");
  EXPECT_EQ(cols[1].expr->span.text(sql), "b+1");
}

TEST(ParserSpans, ColumnTypesAndDefaults) {
  std::string sql =
      "CREATE TABLE u(x \"my type\", y varchar ( 10 ) default ( 1 + 2 ) , z default -5, "
      "w int generated always as (1), v default 'x''y')";
  Arena arena;
  Parser p(arena, sql);
  auto r = p.parse_statement(0);
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto* ct = r->stmt->as<CreateTableStmt>();
  ASSERT_EQ(ct->columns.size, 5u);
  EXPECT_EQ(ct->columns[0]->type.text, "my type");
  EXPECT_EQ(ct->columns[1]->type.text, "varchar ( 10 )");
  EXPECT_EQ(ct->columns[1]->constraints[0]->default_text.text(sql), "1 + 2");
  EXPECT_EQ(ct->columns[2]->constraints[0]->default_text.text(sql), "-5");
  EXPECT_EQ(ct->columns[3]->type.text, "int");
  EXPECT_TRUE(ct->columns[3]->constraints[0]->generated_always);
  EXPECT_EQ(ct->columns[4]->constraints[0]->default_text.text(sql), "'x''y'");
  EXPECT_EQ(ct->schema_text_end, sql.size());
}

TEST(ParserSpans, CheckerSeesEveryNodeAndCatchesBadSpans) {
  std::string sql = "SELECT a + f(b, c) FROM t WHERE x IN (1, 2)";
  Arena arena;
  Parser p(arena, sql);
  auto r = p.parse_statement(0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(testing::check_spans(*r->stmt, sql), "");
  struct Count : AstVisitor {
    int exprs = 0, names = 0;
    bool expr(const Expr&) override {
      ++exprs;
      return true;
    }
    void name(const Name&, NameRole) override { ++names; }
  } count;
  walk(*r->stmt, count);
  EXPECT_EQ(count.exprs, 9);  // + a f b c, IN x 1 2
  EXPECT_EQ(count.names, 6);  // a f b c t x
  // Break one span: the checker must notice.
  auto* bin = r->stmt->as<SelectStmt>()->select->cores[0]->columns[0].expr->as<BinaryExpr>();
  bin->right->span.end -= 1;
  EXPECT_NE(testing::check_spans(*r->stmt, sql), "");
}

TEST(ParserParams, NumberingAsSqlite) {
  std::string sql = "SELECT ?, ?5, :a, ?, :a, $b, ?2, @c";
  Arena arena;
  Parser p(arena, sql);
  auto r = p.parse_statement(0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->parameter_count, 9);
  std::vector<int> numbers;
  for (const ResultColumn& rc : r->stmt->as<SelectStmt>()->select->cores[0]->columns) {
    numbers.push_back(rc.expr->as<VariableExpr>()->number);
  }
  EXPECT_EQ(numbers, (std::vector<int>{1, 5, 6, 7, 6, 8, 2, 9}));
  // Cross-check with sqlite3's own numbering.
  sqlite3* db;
  sqlite3_open(":memory:", &db);
  sqlite3_stmt* st;
  ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_bind_parameter_count(st), 9);
  for (const Parameter& prm : r->parameters) {
    const char* name = sqlite3_bind_parameter_name(st, prm.number);
    ASSERT_NE(name, nullptr);
    EXPECT_EQ(std::string(name), std::string(prm.name));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST(ParserMulti, TailAndEmptyStatements) {
  std::string sql = " ; ;SELECT 1; -- c\n SELECT 2 ;  /* x */ ";
  Arena arena;
  Parser p(arena, sql);
  auto r1 = p.parse_statement(0);
  ASSERT_TRUE(r1.ok());
  ASSERT_NE(r1->stmt, nullptr);
  EXPECT_EQ(sql.substr(r1->span.begin, r1->span.size()), "SELECT 1");
  EXPECT_EQ(sql[r1->terminator], ';');
  auto r2 = p.parse_statement(r1->tail);
  ASSERT_TRUE(r2.ok());
  ASSERT_NE(r2->stmt, nullptr);
  EXPECT_EQ(to_sql(*r2->stmt), "SELECT 2");
  auto r3 = p.parse_statement(r2->tail);
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r3->stmt, nullptr);
  auto all = parse_all(arena, sql);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size, 2u);
}

TEST(ParserMulti, TriggerBodyKeepsSemicolons) {
  std::string sql = "CREATE TRIGGER r AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END; SELECT 3";
  Arena arena;
  auto all = parse_all(arena, sql);
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all->size, 2u);
  EXPECT_EQ((*all)[0].stmt->as<CreateTriggerStmt>()->steps.size, 2u);
}

TEST(Complete, MatchesSqlite) {
  const char* inputs[] = {
      "",
      ";",
      "SELECT 1",
      "SELECT 1;",
      "SELECT 1; ",
      "SELECT 1; -- c",
      "SELECT 'a;b'",
      "SELECT 'a;b';",
      "SELECT \"a;",
      "SELECT [a;",
      "SELECT 1 /* ; */",
      "SELECT 1 /* ; */;",
      "SELECT 1 /* ;",
      "CREATE TRIGGER r AFTER INSERT ON t BEGIN SELECT 1;",
      "CREATE TRIGGER r AFTER INSERT ON t BEGIN SELECT 1; END",
      "CREATE TRIGGER r AFTER INSERT ON t BEGIN SELECT 1; END;",
      "CREATE TEMP TRIGGER r AFTER INSERT ON t BEGIN SELECT 1; END;",
      "CREATE TEMPORARY TRIGGER r BEGIN END; END;",
      "EXPLAIN CREATE TRIGGER r BEGIN x; END;",
      "CREATE TABLE trigger(x);",
      "create trigger x begin select 'end;'; end ;",
      "SELECT 1 -- ;",
      "SELECT 1 -- x\n;",
  };
  for (const char* s : inputs) {
    EXPECT_EQ(is_complete(s), sqlite3_complete(s) != 0) << s;
  }
}

}  // namespace
}  // namespace keel::parse

// ---------------------------------------------------------------- allocation

// Counts operator new calls in this test binary.
static std::atomic<long> g_news{0};

void* operator new(std::size_t n) {
  g_news.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  std::abort();
}
// The replacement new above allocates with malloc, so free is the match.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace keel::parse {
namespace {

// Parsing allocates from the arena only: the number of heap allocations does
// not grow with the size of the statement.
TEST(ParserAllocation, NoHeapAllocationPerToken) {
  auto count_news = [](const std::string& sql) {
    Arena arena;
    Parser p(arena, sql);
    long before = g_news.load();
    auto r = p.parse_statement(0);
    long after = g_news.load();
    EXPECT_TRUE(r.ok()) << r.status().message();
    return after - before;
  };
  std::string small = "SELECT a, b + 1 FROM t WHERE c IN (1, 2, 3) ORDER BY a";
  std::string big = "SELECT a, b + 1 FROM t WHERE c IN (1";
  for (int i = 2; i < 20000; ++i) big += ", " + std::to_string(i) + " * x";
  big += ") AND d LIKE 'x%' ORDER BY a";
  long n_small = count_news(small), n_big = count_news(big);
  EXPECT_LE(n_small, 2);
  EXPECT_LE(n_big, 2);
}

}  // namespace
}  // namespace keel::parse
