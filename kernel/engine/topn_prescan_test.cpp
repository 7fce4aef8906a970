// The top-N prescan (vm/topn_prescan.h) may change how long
// `ORDER BY f(…) LIMIT k` over a whole table takes, never what it returns:
// every query here runs in Keel under PRAGMA threads 0, 1 and 3 and in
// sqlite3 on the same rows, and the results must be equal — ties, NULL
// keys, DESC, OFFSET, a NOCASE key, function errors, rows that overflow,
// pages not in the cache. The VM's instruction count tells whether the
// prescan did the work (a loop over k candidates instead of every row) or
// left it to the loop.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/connection.h"
#include "engine/statement.h"
#include "vm/collation.h"

namespace keel::engine {
namespace {

constexpr int kRows = 8000;

// The table, in both engines: many equal keys, NULLs, mixed-case text.
const char* kSchema =
    "PRAGMA page_size = 512;"
    "CREATE TABLE t(id INTEGER PRIMARY KEY, x INTEGER, s TEXT COLLATE NOCASE, r REAL, b BLOB);"
    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 8000) "
    "INSERT INTO t SELECT i, CASE WHEN i % 17 = 0 THEN NULL ELSE (i * 7919) % 101 - 50 END, "
    "CASE i % 5 WHEN 0 THEN 'Abc' WHEN 1 THEN 'abd' ELSE printf('S%04d', (i * 31) % 1000) END, "
    "CASE WHEN i % 7 = 0 THEN -1.5 ELSE (i % 13) * 1.0 END, "
    "CAST(printf('%08x', (i * 2654435761) % 4294967296) AS BLOB) FROM c;";

struct Rows {
  std::vector<std::string> rows;  // one string per row, "|"-joined; or "error: ..."
  int64_t steps = 0;
};

Rows keel_rows(Connection& c, const std::string& sql) {
  Rows out;
  auto st = c.prepare(sql);
  if (!st.ok()) {
    out.rows.push_back("error: " + std::string(st.status().message()));
    return out;
  }
  int64_t before = (*st)->vm_steps();
  while (true) {
    auto r = (*st)->step();
    if (!r.ok()) {
      out.rows.push_back("error: " + std::string(r.status().message()));
      break;
    }
    if (*r != rc::kRow) break;
    std::string line;
    for (const vm::Value& v : (*st)->row()) {
      if (!line.empty()) line += "|";
      vm::NumberText scratch;
      line += v.is_null()   ? std::string("NULL")
              : v.is_blob() ? "x'" + std::string(v.blob().begin(), v.blob().end()) + "'"
                            : std::string(v.as_text(scratch));
    }
    out.rows.push_back(line);
  }
  out.steps = (*st)->vm_steps() - before;
  return out;
}

std::vector<std::string> sqlite_rows(sqlite3* db, const std::string& sql) {
  std::vector<std::string> out;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    out.push_back(std::string("error: ") + sqlite3_errmsg(db));
    return out;
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    std::string line;
    for (int i = 0; i < sqlite3_column_count(st); i++) {
      if (!line.empty()) line += "|";
      int type = sqlite3_column_type(st, i);
      const char* text = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
      line += type == SQLITE_NULL ? "NULL" : type == SQLITE_BLOB ? "x'" + std::string(text) + "'" : text;
    }
    out.push_back(line);
  }
  if (rc != SQLITE_DONE) out.push_back(std::string("error: ") + sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return out;
}

class TopNPrescan : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = Connection::open(":memory:", OpenOptions{});
    ASSERT_TRUE(c.ok());
    keel_ = std::move(c).value();
    ASSERT_TRUE(keel_->exec(kSchema).ok());
    ASSERT_EQ(sqlite3_open(":memory:", &oracle_), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(oracle_, kSchema, nullptr, nullptr, nullptr), SQLITE_OK);
  }
  void TearDown() override { sqlite3_close(oracle_); }

  // Runs `sql` under each PRAGMA threads setting against sqlite3; returns
  // the VM steps of the last run.
  int64_t check(const std::string& sql) {
    std::vector<std::string> want = sqlite_rows(oracle_, sql);
    int64_t steps = 0;
    for (int threads : {0, 1, 3}) {
      EXPECT_TRUE(keel_->exec("PRAGMA threads = " + std::to_string(threads)).ok());
      Rows got = keel_rows(*keel_, sql);
      EXPECT_EQ(got.rows, want) << sql << " (threads " << threads << ")";
      steps = got.steps;
    }
    return steps;
  }

  std::unique_ptr<Connection> keel_;
  sqlite3* oracle_ = nullptr;
};

TEST_F(TopNPrescan, SameRowsAsSqlite) {
  const char* queries[] = {
      "SELECT id, x FROM t ORDER BY abs(x) LIMIT 7",
      "SELECT id, x FROM t ORDER BY abs(x) DESC LIMIT 5 OFFSET 3",
      "SELECT id, s FROM t ORDER BY lower(s) LIMIT 6",  // NOCASE key, many ties
      "SELECT id, s FROM t ORDER BY upper(s) DESC LIMIT 9 OFFSET 20",
      "SELECT id, abs(x) AS a FROM t ORDER BY a LIMIT 5",  // the key is a result column
      "SELECT id, abs(x) FROM t ORDER BY 2 DESC LIMIT 4",
      "SELECT id FROM t ORDER BY sqrt(r) LIMIT 12",  // NULL keys (sqrt of a negative) first
      "SELECT id FROM t ORDER BY sqrt(r) NULLS LAST LIMIT 12",
      "SELECT id FROM t ORDER BY length(s) LIMIT 10",  // all but a few equal: lowest rowids
      "SELECT id, typeof(x) FROM t ORDER BY typeof(x) DESC LIMIT 3",
      "SELECT id FROM t ORDER BY hex(b) LIMIT 6",
      "SELECT id FROM t ORDER BY substr(s, 2, 2) DESC LIMIT 11",
      "SELECT id FROM t ORDER BY abs(x) LIMIT 0",
      "SELECT id FROM t ORDER BY abs(x) LIMIT 3 OFFSET 3990",
      "SELECT count(*) FROM (SELECT id FROM t ORDER BY abs(x) LIMIT -1)",
      "SELECT count(*) FROM (SELECT id FROM t ORDER BY abs(x) LIMIT 4500)",
      "SELECT id, (SELECT id FROM t AS u ORDER BY abs(u.x) DESC LIMIT 1) FROM t WHERE id < 4",
      // Bare columns as the key.
      "SELECT id, x FROM t ORDER BY x LIMIT 7",
      "SELECT id, x, s FROM t ORDER BY x DESC LIMIT 9 OFFSET 2",
      "SELECT id, s FROM t ORDER BY s LIMIT 8",  // the column's NOCASE
      "SELECT id, s FROM t ORDER BY s COLLATE BINARY DESC LIMIT 8",
      "SELECT id, r FROM t ORDER BY r NULLS LAST LIMIT 9",
      "SELECT id FROM t ORDER BY b DESC LIMIT 5",
      "SELECT id FROM t ORDER BY id DESC LIMIT 3",
      "SELECT x, id FROM t ORDER BY 1 LIMIT 6",
  };
  for (const char* q : queries) check(q);
}

TEST_F(TopNPrescan, DoesTheWorkOrGivesUp) {
  // Done by the prescan: the loop runs over 10 candidates, a few
  // instructions each, instead of 4,000 rows.
  EXPECT_LT(check("SELECT id FROM t ORDER BY abs(x) LIMIT 10"), 1000);
  EXPECT_LT(check("SELECT id FROM t ORDER BY lower(s) DESC LIMIT 10"), 1000);
  // Not replayable (an operator in the key, a non-parallel function, a
  // WHERE, two keys): the loop over every row.
  EXPECT_GT(check("SELECT id FROM t ORDER BY abs(x) + 1 LIMIT 10"), kRows);
  EXPECT_GT(check("SELECT id FROM t ORDER BY quote(s) LIMIT 10"), kRows);
  EXPECT_GT(check("SELECT id FROM t WHERE id > 5 ORDER BY abs(x) LIMIT 10"), kRows);
  EXPECT_GT(check("SELECT id FROM t ORDER BY abs(x), id LIMIT 10"), kRows);
  // A result column that might fail (a function call) is computed by the
  // loop for every row it keeps even briefly: the loop keeps the table.
  EXPECT_GT(check("SELECT id, abs(x) FROM t ORDER BY lower(s) LIMIT 10"), kRows);
  // The key as a result column, other columns read as they are: prescan.
  EXPECT_LT(check("SELECT id, abs(x) AS a, s, r FROM t ORDER BY a DESC LIMIT 10"), 1000);
  // A bare column as the key (SQLite's top-N over an unindexed column).
  EXPECT_LT(check("SELECT id, x, s FROM t ORDER BY x DESC LIMIT 10"), 1000);
  EXPECT_LT(check("SELECT * FROM t ORDER BY s LIMIT 10"), 1000);
  // A key under an application's collation is left to the loop (the
  // workers would call it concurrently).
  struct Reverse final : vm::Collation {
    std::string_view name() const override { return "reverse"; }
    int compare(std::string_view a, std::string_view b) const override { return b.compare(a); }
  };
  keel_->set_collation("reverse", std::make_shared<Reverse>());
  Rows reversed = keel_rows(*keel_, "SELECT id FROM t ORDER BY s COLLATE reverse, id LIMIT 3");
  Rows custom = keel_rows(*keel_, "SELECT id FROM t ORDER BY s COLLATE reverse LIMIT 3");
  EXPECT_GT(custom.steps, kRows);
  EXPECT_EQ(custom.rows, reversed.rows);
  // An index holding every column read: the scan moves to it, as SQLite's
  // plan says, and the prescan (which reads table leaves) steps aside.
  const char* index = "CREATE INDEX tx ON t(x)";
  ASSERT_TRUE(keel_->exec(index).ok());
  ASSERT_EQ(sqlite3_exec(oracle_, index, nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_GT(check("SELECT id FROM t ORDER BY abs(x) LIMIT 10"), kRows);
  Rows plan = keel_rows(*keel_, "EXPLAIN QUERY PLAN SELECT id FROM t ORDER BY abs(x) LIMIT 10");
  ASSERT_EQ(plan.rows.size(), 2u);
  EXPECT_EQ(plan.rows[0].substr(plan.rows[0].rfind('|') + 1), "SCAN t USING COVERING INDEX tx");
  EXPECT_LT(check("SELECT id, s FROM t ORDER BY abs(x) LIMIT 10"), 1000);
}

TEST_F(TopNPrescan, FunctionErrorIsTheLoops) {
  // The prescan gives up on the error; the loop reports it, as sqlite3.
  const char* insert = "INSERT INTO t(id, x) VALUES (2500000, -9223372036854775808)";
  ASSERT_TRUE(keel_->exec(insert).ok());
  ASSERT_EQ(sqlite3_exec(oracle_, insert, nullptr, nullptr, nullptr), SQLITE_OK);
  check("SELECT id FROM t ORDER BY abs(x) LIMIT 5");
  check("SELECT id FROM t ORDER BY abs(x) DESC LIMIT 1");
  // The failing value in a result column of a row the loop keeps a while.
  check("SELECT id, abs(x) FROM t ORDER BY lower(s) LIMIT 2");
}

TEST_F(TopNPrescan, InsideAWriteTransaction) {
  // Changed, not yet committed pages are read as the loop reads them.
  const char* change = "BEGIN; UPDATE t SET x = -x WHERE id % 3 = 0; DELETE FROM t WHERE id % 11 = 0;";
  ASSERT_TRUE(keel_->exec(change).ok());
  ASSERT_EQ(sqlite3_exec(oracle_, change, nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_LT(check("SELECT id, x FROM t ORDER BY abs(x) LIMIT 8"), 1000);
  ASSERT_TRUE(keel_->exec("COMMIT").ok());
  ASSERT_EQ(sqlite3_exec(oracle_, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
}

TEST_F(TopNPrescan, OverflowingRows) {
  // Rows whose payload overflows the page are read through the pager once
  // the workers are done; their keys compete like the others.
  const char* grow = "UPDATE t SET b = zeroblob(3000 + id) WHERE id % 400 = 7";
  ASSERT_TRUE(keel_->exec(grow).ok());
  ASSERT_EQ(sqlite3_exec(oracle_, grow, nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_LT(check("SELECT id FROM t ORDER BY length(b) DESC LIMIT 5"), 1000);
  check("SELECT id FROM t ORDER BY length(b) LIMIT 5 OFFSET 3000");
  EXPECT_LT(check("SELECT id, x FROM t ORDER BY hex(substr(b, 3000)) DESC LIMIT 3"), 1000);
}

TEST(TopNPrescanFile, PagesNotCached) {
  // A file database with a small page cache: the leaves the workers find
  // missing from the cache are read through the pager afterwards.
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("keel_topn_" + std::to_string(getpid()) + ".db");
  std::filesystem::remove(path);
  {
    auto c = Connection::open(path.string(), OpenOptions{});
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE((*c)->exec(kSchema).ok());
    ASSERT_TRUE((*c)->exec("PRAGMA cache_size = 20; PRAGMA threads = 1").ok());
    Rows small = keel_rows(**c, "SELECT id FROM t ORDER BY abs(x) LIMIT 3");
    EXPECT_LT(small.steps, 1000);
    ASSERT_TRUE((*c)->exec("PRAGMA cache_size = 2000").ok());
    keel_rows(**c, "SELECT count(b) FROM t");  // loads every page
    Rows big = keel_rows(**c, "SELECT id FROM t ORDER BY abs(x) LIMIT 3");
    EXPECT_LT(big.steps, 1000);
    EXPECT_EQ(big.rows, small.rows);
  }
  std::filesystem::remove(path);
}

TEST(TopNPrescanPragma, ThreadsSettingAsSqlite) {
  auto c = Connection::open(":memory:", OpenOptions{});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(keel_rows(**c, "PRAGMA threads").rows, std::vector<std::string>{"0"});
  EXPECT_EQ(keel_rows(**c, "PRAGMA threads = 3").rows, std::vector<std::string>{"3"});
  EXPECT_EQ(keel_rows(**c, "PRAGMA threads = 100").rows, std::vector<std::string>{"8"});
  EXPECT_EQ(keel_rows(**c, "PRAGMA threads = -4").rows, std::vector<std::string>{"8"});
}

}  // namespace
}  // namespace keel::engine
