// File-format compatibility with SQLite, both ways, through SQL:
//  * files Keel writes (DELETE and WAL journal modes; page sizes 1024, 4096
//    and 65536; 10^5 rows; rows over 100 KB that need overflow chains;
//    several indexes; deleted rows on the freelist) pass the sqlite3 CLI's
//    PRAGMA integrity_check and return exactly the rows written;
//  * files the sqlite3 CLI writes (the same variety plus WITHOUT ROWID tables
//    and auto_vacuum=FULL) are read by Keel with every row equal.
// Rows are compared as text dumps (quote() of every column, ordered by key)
// produced by each engine; libsqlite3 is only the oracle.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "compat_util.h"
#include "engine/connection.h"
#include "engine/statement.h"

namespace keel {
namespace {

using compat::keel_query;
using compat::sh;
using compat::sqlite3_cli;
using compat::temp_dir;

const char* kDumpT =
    "SELECT id, a, quote(b), length(c), hex(substr(c, 1, 16)), hex(substr(c, -16)) FROM t ORDER BY id;";
const char* kDigest = "SELECT count(*), sum(id), sum(a), sum(length(b)), sum(length(c)) FROM t;";

void keel_write(const std::string& path, const std::string& journal_mode, int page_size) {
  auto conn = engine::Connection::open(path);
  ASSERT_TRUE(conn.ok()) << conn.status().to_string();
  engine::Connection& c = **conn;
  ASSERT_TRUE(c.exec("PRAGMA page_size=" + std::to_string(page_size)).ok());
  keel_query(c, "PRAGMA journal_mode=" + journal_mode);
  ASSERT_TRUE(c.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c BLOB);"
                     "CREATE INDEX t_a ON t(a);"
                     "CREATE INDEX t_ba ON t(b, a);"
                     "CREATE TABLE u(k TEXT PRIMARY KEY, v);")
                  .ok());
  ASSERT_TRUE(c.exec("BEGIN").ok());
  auto ins = c.prepare("INSERT INTO t(id, a, b, c) VALUES(?1, ?2, ?3, ?4)");
  ASSERT_TRUE(ins.ok()) << ins.status().to_string();
  engine::Statement& st = **ins;
  for (int64_t i = 1; i <= 100000; i++) {
    ASSERT_TRUE(st.bind(1, vm::Value::integer(i)).ok());
    ASSERT_TRUE(st.bind(2, vm::Value::integer((i * 7919) % 100003)).ok());
    ASSERT_TRUE(st.bind(3, vm::Value::text("text-" + std::to_string(i * 31 % 1000))).ok());
    size_t blob_size = i % 5000 == 0 ? 150000 : static_cast<size_t>(i % 200);
    std::vector<uint8_t> blob(blob_size);
    for (size_t k = 0; k < blob_size; k++) blob[k] = static_cast<uint8_t>(k * 131 + i);
    ASSERT_TRUE(st.bind(4, vm::Value::blob(blob)).ok());
    auto r = st.step();
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    ASSERT_TRUE(st.reset().ok());
  }
  ASSERT_TRUE(c.exec("COMMIT").ok());
  ASSERT_TRUE(
      c.exec("DELETE FROM t WHERE id % 3 = 0; INSERT INTO u VALUES('x', 1), ('y', 2.5), ('z', NULL);").ok());
}

class KeelWritesSqliteReads : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(KeelWritesSqliteReads, IntegrityAndRows) {
  auto [mode, page_size] = GetParam();
  std::string dir = temp_dir();
  std::string path = dir + "/keel.db";
  keel_write(path, mode, page_size);
  if (HasFatalFailure()) return;
  EXPECT_EQ(sqlite3_cli(path, "PRAGMA integrity_check;"), "ok\n");
  EXPECT_EQ(sqlite3_cli(path, "PRAGMA page_size;"), std::to_string(page_size) + "\n");
  auto conn = engine::Connection::open(path);
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(sqlite3_cli(path, kDigest), keel_query(**conn, kDigest));
  EXPECT_EQ(sqlite3_cli(path, kDigest).substr(0, 6), "66667|");
  std::string theirs = sqlite3_cli(path, kDumpT);
  std::string ours = keel_query(**conn, kDumpT);
  EXPECT_EQ(theirs.size(), ours.size());
  EXPECT_TRUE(theirs == ours) << "row dumps differ";
  EXPECT_EQ(sqlite3_cli(path, "SELECT k, v FROM u ORDER BY k;"), "x|1\ny|2.5\nz|\n");
  sh("rm -rf '" + dir + "'");
}

INSTANTIATE_TEST_SUITE_P(Modes, KeelWritesSqliteReads,
                         ::testing::Combine(::testing::Values("delete", "wal"),
                                            ::testing::Values(1024, 4096, 65536)));

class SqliteWritesKeelReads : public ::testing::TestWithParam<std::tuple<std::string, int, std::string>> {};

TEST_P(SqliteWritesKeelReads, RowsEqual) {
  auto [mode, page_size, vacuum] = GetParam();
  std::string dir = temp_dir();
  std::string path = dir + "/sqlite.db";
  std::string script = "PRAGMA page_size=" + std::to_string(page_size) + "; PRAGMA auto_vacuum=" + vacuum +
                       "; PRAGMA journal_mode=" + mode +
                       ";\n"
                       "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c BLOB);\n"
                       "CREATE INDEX t_a ON t(a); CREATE INDEX t_ba ON t(b, a);\n"
                       "CREATE TABLE w(k TEXT PRIMARY KEY, v, x) WITHOUT ROWID;\n"
                       "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM s WHERE i<100000)\n"
                       "INSERT INTO t SELECT i, (i*7919)%100003, 'text-'||(i*31%1000),\n"
                       "  CASE WHEN i%5000=0 THEN randomblob(150000) ELSE zeroblob(i%200) END FROM s;\n"
                       "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM s WHERE i<5000)\n"
                       "INSERT INTO w SELECT 'key'||i, i*1.5, hex(randomblob(i%50)) FROM s;\n"
                       "DELETE FROM t WHERE id%3=0; DELETE FROM w WHERE rowid IS NULL AND v>7000;\n";
  std::string out = sqlite3_cli(path, script);
  ASSERT_TRUE(out.find("Error") == std::string::npos) << out;
  auto conn = engine::Connection::open(path);
  ASSERT_TRUE(conn.ok()) << conn.status().to_string();
  EXPECT_EQ(keel_query(**conn, kDigest), sqlite3_cli(path, kDigest));
  std::string theirs = sqlite3_cli(path, kDumpT);
  std::string ours = keel_query(**conn, kDumpT);
  EXPECT_EQ(theirs.size(), ours.size());
  EXPECT_TRUE(theirs == ours) << "row dumps differ";
  const char* dump_w = "SELECT k, quote(v), x FROM w ORDER BY k;";
  EXPECT_EQ(keel_query(**conn, dump_w), sqlite3_cli(path, dump_w));
  // Index-driven reads agree too.
  const char* by_index = "SELECT a, id FROM t WHERE a BETWEEN 1000 AND 1400 ORDER BY a, id;";
  EXPECT_EQ(keel_query(**conn, by_index), sqlite3_cli(path, by_index));
  EXPECT_EQ(keel_query(**conn, "PRAGMA integrity_check;"), "ok\n");
  conn->reset();
  sh("rm -rf '" + dir + "'");
}

INSTANTIATE_TEST_SUITE_P(Variety, SqliteWritesKeelReads,
                         ::testing::Values(std::make_tuple("delete", 4096, "none"),
                                           std::make_tuple("wal", 1024, "none"),
                                           std::make_tuple("delete", 65536, "full"),
                                           std::make_tuple("delete", 4096, "full"),
                                           std::make_tuple("wal", 4096, "incremental")));

}  // namespace
}  // namespace keel
