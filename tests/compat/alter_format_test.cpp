// File-format compatibility of ALTER TABLE and generated columns with
// SQLite, both ways:
//  * a database where Keel created tables with VIRTUAL and STORED generated
//    columns (rowid and WITHOUT ROWID, an index on a generated column),
//    then renamed tables and columns, dropped columns (rewriting thousands
//    of rows, some with overflow pages) and added a generated column,
//    passes the sqlite3 CLI's PRAGMA integrity_check, and both engines
//    return the same rows and the same sqlite_schema text;
//  * the same script run by the sqlite3 CLI gives a file Keel reads with
//    every row equal, and rows Keel then adds keep the file sound for sqlite3.
// libsqlite3 is only the oracle (through the CLI).
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

// The same script for both engines.
const char* kScript =
    "CREATE TABLE g(id INTEGER PRIMARY KEY, a INTEGER, b TEXT, v AS (a * 2 + length(b)), "
    "  s TEXT GENERATED ALWAYS AS (b || '/' || a) STORED, junk BLOB, w AS (substr(s, 1, 3)) VIRTUAL);\n"
    "CREATE INDEX g_v ON g(v);\n"
    "CREATE INDEX g_s ON g(s, a);\n"
    "CREATE TABLE k(name TEXT PRIMARY KEY, n INTEGER, dbl AS (n * 2), tag AS ('<' || name || '>') STORED, "
    "  pad) WITHOUT ROWID;\n"
    "CREATE TABLE parent(pid INTEGER PRIMARY KEY, label TEXT UNIQUE, extra);\n"
    "CREATE TABLE child(cid INTEGER PRIMARY KEY, p REFERENCES parent(pid), note);\n"
    "CREATE VIEW gv AS SELECT g.id, g.b, g.v FROM g WHERE g.a % 2 = 0;\n"
    "CREATE TRIGGER parent_ins AFTER INSERT ON parent BEGIN "
    "  INSERT INTO child(p, note) VALUES(new.pid, new.label); END;\n"
    "BEGIN;\n"
    "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 3000)\n"
    "  INSERT INTO g(id, a, b, junk) SELECT i, i * 7 % 101, 'txt' || (i % 37),\n"
    "    CASE WHEN i % 500 = 0 THEN zeroblob(20000) ELSE zeroblob(i % 40) END FROM s;\n"
    "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 800)\n"
    "  INSERT INTO k(name, n, pad) SELECT 'key' || i, i, zeroblob(i % 90) FROM s;\n"
    "INSERT INTO parent VALUES(1, 'one', 'x'), (2, 'two', 'y'), (3, 'three', 'z');\n"
    "COMMIT;\n"
    "ALTER TABLE g DROP COLUMN junk;\n"
    "ALTER TABLE g RENAME COLUMN b TO label;\n"
    "ALTER TABLE g RENAME TO gen;\n"
    "ALTER TABLE k DROP COLUMN pad;\n"
    "ALTER TABLE k RENAME COLUMN n TO num;\n"
    "ALTER TABLE parent DROP COLUMN extra;\n"
    "ALTER TABLE parent RENAME TO mom;\n"
    "ALTER TABLE mom RENAME COLUMN pid TO id;\n"
    "ALTER TABLE gen ADD COLUMN half AS (a / 2);\n"
    "INSERT INTO gen(id, a, label) VALUES(5000, 55, 'late');\n"
    "UPDATE gen SET a = a + 1 WHERE id % 10 = 0;\n"
    "DELETE FROM gen WHERE id % 7 = 0;\n"
    "INSERT INTO k(name, num) VALUES('zz', 9);\n"
    "INSERT INTO mom VALUES(4, 'four');\n";

const char* kDumps[] = {
    "SELECT id, a, label, v, s, w, half FROM gen ORDER BY id;",
    "SELECT v, count(*) FROM gen WHERE v BETWEEN 20 AND 40 GROUP BY v ORDER BY v;",
    "SELECT s, a FROM gen WHERE s >= 'txt3/' ORDER BY s, a LIMIT 50;",
    "SELECT name, num, dbl, tag FROM k ORDER BY name;",
    "SELECT * FROM gv ORDER BY id;",
    "SELECT * FROM mom ORDER BY id;",
    "SELECT * FROM child ORDER BY cid;",
    "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name;",
    "PRAGMA table_xinfo(gen);",
};

void keel_run(const std::string& path, const std::string& sql) {
  auto conn = engine::Connection::open(path);
  ASSERT_TRUE(conn.ok()) << conn.status().to_string();
  Status s = (*conn)->exec(sql);
  ASSERT_TRUE(s.ok()) << s.to_string();
}

TEST(AlterFormat, KeelWritesSqliteReads) {
  std::string dir = temp_dir();
  std::string ours = dir + "/keel.db", theirs = dir + "/sqlite.db";
  keel_run(ours, kScript);
  if (HasFatalFailure()) return;
  std::string out = sqlite3_cli(theirs, kScript);
  ASSERT_TRUE(out.empty()) << out;
  EXPECT_EQ(sqlite3_cli(ours, "PRAGMA integrity_check;"), "ok\n");
  for (const char* q : kDumps) {
    // sqlite3 reading Keel's file agrees with sqlite3 reading its own.
    std::string expect = sqlite3_cli(theirs, q);
    EXPECT_EQ(sqlite3_cli(ours, q), expect) << q;
  }
  auto conn = engine::Connection::open(ours);
  ASSERT_TRUE(conn.ok());
  for (const char* q : kDumps) EXPECT_EQ(keel_query(**conn, q), sqlite3_cli(ours, q)) << q;
  conn->reset();
  sh("rm -rf '" + dir + "'");
}

TEST(AlterFormat, SqliteWritesKeelReads) {
  std::string dir = temp_dir();
  std::string path = dir + "/sqlite.db";
  std::string out = sqlite3_cli(path, kScript);
  ASSERT_TRUE(out.empty()) << out;
  {
    auto conn = engine::Connection::open(path);
    ASSERT_TRUE(conn.ok()) << conn.status().to_string();
    for (const char* q : kDumps) EXPECT_EQ(keel_query(**conn, q), sqlite3_cli(path, q)) << q;
    EXPECT_EQ(keel_query(**conn, "PRAGMA integrity_check;"), "ok\n");
    // Keel writes into sqlite3's file: generated values and indexes stay sound.
    Status s = (*conn)->exec(
        "INSERT INTO gen(id, a, label) VALUES(6000, 3, 'keel'), (6001, 4, 'keel2');"
        "UPDATE gen SET label = label || '!' WHERE id % 11 = 0;"
        "ALTER TABLE gen DROP COLUMN half;"
        "ALTER TABLE gen RENAME COLUMN a TO alpha;"
        "INSERT INTO k(name, num) VALUES('keel', 77);");
    EXPECT_TRUE(s.ok()) << s.to_string();
  }
  EXPECT_EQ(sqlite3_cli(path, "PRAGMA integrity_check;"), "ok\n");
  EXPECT_EQ(sqlite3_cli(path, "SELECT id, alpha, label, v, s, w FROM gen WHERE id >= 6000 ORDER BY id;"),
            "6000|3|keel|10|keel/3|kee\n6001|4|keel2|13|keel2/4|kee\n");
  EXPECT_EQ(sqlite3_cli(path, "SELECT name, num, dbl, tag FROM k WHERE name = 'keel';"),
            "keel|77|154|<keel>\n");
  EXPECT_EQ(sqlite3_cli(path, "SELECT count(*) FROM gen WHERE label GLOB '*!';"),
            sqlite3_cli(path, "SELECT count(*) FROM gen WHERE id % 11 = 0;"));
  sh("rm -rf '" + dir + "'");
}

}  // namespace
}  // namespace keel
