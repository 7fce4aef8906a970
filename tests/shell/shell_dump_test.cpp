// .dump round trips with the sqlite3 CLI as the judge, and the keel-only
// behaviour that has no byte-exact sqlite3 counterpart (timer lines,
// .dbinfo, experimental feature flags, version and help).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>

#include "shell_runner.h"

namespace keel::shell_test {
namespace {

const char* kRich = R"(PRAGMA page_size=1024;
CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c REAL, d BLOB, e);
INSERT INTO t VALUES(1,'it''s',0.1,x'00ff',NULL),(2,'line
two',1e300,x'',-0.0),(3,'tab	and ''quotes'' "dq"',-2.5e-300,zeroblob(3),'é✓'),(4,'cr'||char(13)||'lf'||char(10),3.0,NULL,9223372036854775807);
CREATE TABLE "my table"("col 1" TEXT DEFAULT 'x', [select] INT NOT NULL DEFAULT 0, CHECK("col 1" <> 'bad'));
INSERT INTO "my table" VALUES('a',1),('b',2);
CREATE TABLE au(id INTEGER PRIMARY KEY AUTOINCREMENT, x);
INSERT INTO au(x) VALUES(5),(6);
DELETE FROM au WHERE id=2;
CREATE TABLE wr(k TEXT PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO wr VALUES('k1',1),('k2',NULL);
CREATE TABLE parent(id INTEGER PRIMARY KEY);
CREATE TABLE child(pid REFERENCES parent(id) ON DELETE CASCADE, n -- a comment
);
INSERT INTO parent VALUES(1);
INSERT INTO child VALUES(1, 'x');
CREATE INDEX ti ON t(b, c DESC);
CREATE UNIQUE INDEX tu ON "my table"([select]);
CREATE VIEW v AS SELECT a, b FROM t WHERE a > 1;
CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO au(x) VALUES(new.a); END;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM s WHERE i < 300)
INSERT INTO t(b, c) SELECT printf('row %d %s', i, hex(randomblob(8))), i / 7.0 FROM s;
)";

class DumpRoundTrip : public ::testing::Test {
 protected:
  void SetUp() override {
    if (sqlite3_binary().empty()) GTEST_SKIP() << "no sqlite3 CLI installed";
    dir_.reset();
    RunResult r = run(sqlite3_binary(), {"src.db"}, kRich, dir_.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    src_dump_ = run(sqlite3_binary(), {"src.db", ".dump"}, "", dir_.path()).out;
    src_hash_ = run(sqlite3_binary(), {"src.db", ".sha3sum"}, "", dir_.path()).out;
  }
  ScratchDir dir_;
  std::string src_dump_, src_hash_;
};

TEST_F(DumpRoundTrip, KeelDumpMatchesSqliteDumpByteForByte) {
  RunResult k = run(keel_binary(), {"src.db", ".dump"}, "", dir_.path());
  EXPECT_EQ(k.exit_code, 0) << k.err;
  EXPECT_EQ(src_dump_, k.out);
}

TEST_F(DumpRoundTrip, KeelDumpLoadsIntoSqlite3AsTheSameDatabase) {
  RunResult k = run(keel_binary(), {"src.db", ".dump"}, "", dir_.path());
  ASSERT_EQ(k.exit_code, 0) << k.err;
  RunResult load = run(sqlite3_binary(), {"-bail", "copy.db"}, k.out, dir_.path());
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_EQ(run(sqlite3_binary(), {"copy.db", "PRAGMA integrity_check"}, "", dir_.path()).out, "ok\n");
  EXPECT_EQ(src_dump_, run(sqlite3_binary(), {"copy.db", ".dump"}, "", dir_.path()).out);
}

TEST_F(DumpRoundTrip, Sqlite3DumpLoadsIntoKeelAsTheSameDatabase) {
  RunResult load = run(keel_binary(), {"-bail", "copy.db"}, src_dump_, dir_.path());
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_EQ(run(sqlite3_binary(), {"copy.db", "PRAGMA integrity_check"}, "", dir_.path()).out, "ok\n");
  EXPECT_EQ(src_dump_, run(sqlite3_binary(), {"copy.db", ".dump"}, "", dir_.path()).out);
  EXPECT_EQ(src_dump_, run(keel_binary(), {"copy.db", ".dump"}, "", dir_.path()).out);
}

TEST_F(DumpRoundTrip, BackupMakesAnIdenticalDatabase) {
  RunResult k = run(keel_binary(), {"src.db", ".backup copy.db"}, "", dir_.path());
  ASSERT_EQ(k.exit_code, 0) << k.err;
  EXPECT_EQ(src_hash_, run(sqlite3_binary(), {"copy.db", ".sha3sum"}, "", dir_.path()).out);
  EXPECT_EQ(src_dump_, run(sqlite3_binary(), {"copy.db", ".dump"}, "", dir_.path()).out);
  RunResult restore = run(keel_binary(), {"fresh.db", ".restore copy.db"}, "", dir_.path());
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_EQ(src_dump_, run(sqlite3_binary(), {"fresh.db", ".dump"}, "", dir_.path()).out);
}

TEST(ShellOwn, TimerPrintsRunTimeAfterEachStatementGroup) {
  ScratchDir dir;
  RunResult r = run(keel_binary(), {}, ".timer on\nSELECT 1;\nSELECT 2; SELECT 3;\n", dir.path());
  std::regex line(R"(Run Time: real \d+\.\d{3} user \d+\.\d{6} sys \d+\.\d{6}\n)");
  ASSERT_EQ(r.exit_code, 0);
  auto begin = std::sregex_iterator(r.out.begin(), r.out.end(), line);
  EXPECT_EQ(std::distance(begin, std::sregex_iterator()), 2) << r.out;
  EXPECT_EQ(std::regex_replace(r.out, line, ""), "1\n2\n3\n");
}

TEST(ShellOwn, DbinfoReportsTheFileHeader) {
  ScratchDir dir;
  RunResult r =
      run(keel_binary(), {"x.db"},
          "PRAGMA page_size=8192;\nCREATE TABLE a(x);\nCREATE TABLE b(y);\nCREATE INDEX i ON a(x);\n"
          "PRAGMA user_version=7;\n.dbinfo\n",
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("database page size:  8192\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("text encoding:       1 (utf8)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("user version:        7\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("number of tables:    2\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("number of indexes:   1\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("software version:    3040001\n"), std::string::npos) << r.out;
}

TEST(ShellOwn, ExperimentalFeatureFlags) {
  ScratchDir dir;
  // The flags below name features whose modules this build may not have
  // (-DKEEL_MODULES=none): then the open fails, naming the missing module.
  std::string modules = keel_binary().substr(0, keel_binary().rfind('/')) + "/../lib/keel/modules/";
  auto built = [&](const char* m) { return std::ifstream(modules + "keel_" + m + ".so").good(); };
  bool all = built("vector") && built("cdc") && built("crypto");
  RunResult ok1 =
      run(keel_binary(), {"--experimental", "vector,cdc", ":memory:", "SELECT 1"}, "", dir.path());
  RunResult ok2 =
      run(keel_binary(), {"--experimental-encryption", "-experimental", "vector", "f.db", "SELECT 2"}, "",
          dir.path());
  RunResult odd =
      run(keel_binary(), {"--experimental", "encryption", "a?b#c%.db", "CREATE TABLE t(x)"}, "", dir.path());
  if (!all) {
    for (const RunResult* r : {&ok1, &ok2, &odd}) {
      EXPECT_EQ(r->exit_code, 1);
      EXPECT_NE(r->err.find("is not available: module "), std::string::npos) << r->err;
    }
  } else {
    EXPECT_EQ(ok1.exit_code, 0) << ok1.err;
    EXPECT_EQ(ok1.out, "1\n");
    EXPECT_EQ(ok2.exit_code, 0) << ok2.err;
    EXPECT_EQ(ok2.out, "2\n");
    // The file name stays a plain file name even though features travel in a URI.
    EXPECT_TRUE(dir.exists("f.db"));
    // URI-special characters in the file name are escaped on the way.
    EXPECT_EQ(odd.exit_code, 0) << odd.err;
    EXPECT_TRUE(dir.exists("a?b#c%.db"));
  }
  RunResult bad =
      run(keel_binary(), {"--experimental", "warp-drive", ":memory:", "SELECT 1"}, "", dir.path());
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.out, "");
  EXPECT_NE(bad.err.find("unknown experimental feature: warp-drive"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("index_method"), std::string::npos) << bad.err;
  // A known feature whose module is not installed names the flag and where
  // the loader looked.
  RunResult no_module =
      run(keel_binary(), {"--experimental", "mvcc", ":memory:", "SELECT 1"}, "", dir.path());
  EXPECT_EQ(no_module.exit_code, 1);
  EXPECT_NE(no_module.err.find("feature 'mvcc' is not available: module mvcc not found (searched: "),
            std::string::npos)
      << no_module.err;
  RunResult bad2 = run(keel_binary(), {"--experimental-bogus", ":memory:"}, "", dir.path());
  EXPECT_EQ(bad2.exit_code, 1);
  EXPECT_NE(bad2.err.find("unknown experimental feature: bogus"), std::string::npos) << bad2.err;
  RunResult missing = run(keel_binary(), {"--experimental"}, "", dir.path());
  EXPECT_EQ(no_module.exit_code, 1);
  EXPECT_NE(missing.err.find("missing argument to --experimental"), std::string::npos) << missing.err;
}

TEST(ShellOwn, VersionAndHelp) {
  ScratchDir dir;
  RunResult v = run(keel_binary(), {"-version"}, "", dir.path());
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("3.40.1 ", 0), 0u) << v.out;
  RunResult h = run(keel_binary(), {"--help"}, "", dir.path());
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("-readonly"), std::string::npos);
  EXPECT_NE(h.out.find("--mcp"), std::string::npos);
  RunResult dot = run(keel_binary(), {":memory:", ".help mode"}, "", dir.path());
  EXPECT_NE(dot.out.find(".mode MODE ?OPTIONS?"), std::string::npos) << dot.out;
  EXPECT_NE(dot.out.find("markdown"), std::string::npos) << dot.out;
}

TEST(ShellOwn, OutputModeOption) {
  ScratchDir dir;
  RunResult r =
      run(keel_binary(), {"-m", "csv", "--header", ":memory:", "SELECT 1 AS a, 'x y' AS b"}, "", dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "a,b\r\n1,\"x y\"\r\n");
  RunResult bad = run(keel_binary(), {"--output-mode", "nope", ":memory:"}, "", dir.path());
  EXPECT_NE(bad.err.find("mode should be one of"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace keel::shell_test
