// The fast path of CDC writing (rows appended to the CDC table's b-tree
// with Session::append_records) against the INSERT path it replaces: an
// index on the CDC table makes the kernel refuse the fast path, so the same
// work on two databases, one with such an index, must leave the same CDC
// rows (every column but change_time, the images byte for byte) and the
// same sqlite_sequence.
#include <gtest/gtest.h>

#include "cdc_test_support.h"

namespace {

using keel::cdc_test::one;
using keel::cdc_test::rows;
using Rows = std::vector<std::string>;

// Runs `sql` (several statements) and fails the test on an error.
void run(keel::Connection& c, std::string_view sql) {
  keel::Status s = c.exec(sql);
  ASSERT_TRUE(s.ok()) << sql << ": " << s.message();
}

// One database through the whole workload; `indexed` puts an index on the
// CDC table (INSERT path). Returns the CDC rows and sqlite_sequence.
Rows workload(bool indexed) {
  auto db = keel::Database::open(":memory:", keel::cdc_test::module_options());
  EXPECT_TRUE(db.ok());
  if (!db.ok()) return {};
  auto conn = (*db)->connect();
  EXPECT_TRUE(conn.ok());
  if (!conn.ok()) return {};
  keel::Connection& c = *conn;
  run(c, "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c REAL); CREATE TABLE u(x, y)");
  run(c, "PRAGMA capture_data_changes_conn('full')");
  if (indexed) run(c, "CREATE INDEX cdc_type ON turso_cdc(change_type)");
  // More rows than a batch, in one statement and in many.
  run(c,
      "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 700) "
      "INSERT INTO t SELECT i, i * 7, 'v' || i, i / 3.0 FROM s");
  run(c, "BEGIN");
  for (int i = 1; i <= 600; i++) {
    run(c, "UPDATE t SET a = a + 1, b = b || 'y' WHERE id = " + std::to_string(i));
    if (i % 97 == 0) run(c, "INSERT INTO u VALUES (" + std::to_string(i) + ", x'00ff')");
  }
  // A failing statement, a savepoint undone, the CDC table read and written
  // by the application mid-transaction, a rowid change.
  EXPECT_FALSE(c.exec("INSERT INTO t VALUES (1, 0, 'dup', NULL)").ok());
  run(c, "SAVEPOINT sp; DELETE FROM t WHERE id > 650; ROLLBACK TO sp; RELEASE sp");
  EXPECT_EQ(one(c, "SELECT count(*) > 700 FROM turso_cdc"), "1");
  run(c, "INSERT INTO turso_cdc (change_time, change_type, table_name) VALUES (0, 99, 'app')");
  run(c, "UPDATE t SET id = 5000 WHERE id = 3");
  run(c, "DELETE FROM turso_cdc WHERE change_type = 99");
  for (int i = 601; i <= 700; i++) run(c, "DELETE FROM t WHERE id = " + std::to_string(i));
  run(c, "COMMIT");
  // Autocommit statements, and a transaction rolled back.
  run(c, "INSERT INTO u VALUES (1, 2); UPDATE u SET y = y + 1; DELETE FROM t WHERE id < 50");
  run(c, "BEGIN; INSERT INTO u VALUES (3, 4); UPDATE u SET y = 0; ROLLBACK");
  Rows out = rows(c,
                  "SELECT change_id, typeof(change_time), change_txn_id, change_type, quote(table_name), "
                  "quote(id), hex(before), hex(after), hex(updates) FROM turso_cdc ORDER BY change_id");
  for (const std::string& r : rows(c, "SELECT rowid, name, seq FROM sqlite_sequence")) out.push_back(r);
  out.push_back(one(c, "PRAGMA integrity_check"));
  return out;
}

TEST(CdcFastPath, AppendedRowsEqualInsertedRows) {
  Rows fast = workload(false);
  Rows inserted = workload(true);
  ASSERT_GT(fast.size(), 1400u);
  EXPECT_EQ(fast.back(), "ok");
  ASSERT_EQ(fast.size(), inserted.size());
  for (size_t i = 0; i < fast.size(); i++) ASSERT_EQ(fast[i], inserted[i]) << "row " << i;
}

}  // namespace
