// The extension points and the module loader, end to end through the public
// C++ API and test-only modules (tests/plugins/*_plugin.cpp), loaded from
// their own directory (KEEL_TEST_MODULE_DIR) with Boost.DLL.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "keel/database.hpp"
#include "keel/ext/module.hpp"
#include "keel/sqlite3.h"

namespace {

namespace fs = std::filesystem;

keel::Options with_modules(std::vector<std::string> modules) {
  keel::Options o;
  o.module_path = {KEEL_TEST_MODULE_DIR};
  o.modules = std::move(modules);
  return o;
}

std::string temp_db(const char* tag) {
  fs::path p = fs::temp_directory_path() /
               ("keel_plugin_" + std::string(tag) + "_" + std::to_string(getpid()) + ".db");
  fs::remove(p);
  fs::remove(p.string() + "-journal");
  fs::remove(p.string() + "-wal");
  return p.string();
}

// First column of the first row as text ("" for no row, "NULL" for NULL).
std::string scalar(keel::Connection& c, std::string_view sql) {
  auto st = c.prepare(sql);
  if (!st.ok()) return "error: " + std::string(st.status().message());
  auto r = st->step();
  if (!r.ok()) return "error: " + std::string(r.status().message());
  if (!*r) return "";
  if (st->column_is_null(0)) return "NULL";
  return std::string(st->column_text(0));
}

// Rows of PRAGMA function_list whose name starts with `prefix`.
int count_functions(keel::Connection& c, std::string_view prefix) {
  auto st = c.prepare("PRAGMA function_list");
  if (!st.ok()) return -1;
  int n = 0;
  while (true) {
    auto r = st->step();
    if (!r.ok() || !*r) break;
    if (st->column_text(0).substr(0, prefix.size()) == prefix) n++;
  }
  return n;
}

TEST(PluginLoader, FunctionsOfAModuleLoadedByName) {
  auto db = keel::Database::open(":memory:", with_modules({"testfuncs"}));
  ASSERT_TRUE(db.ok()) << db.status().message();
  auto c = (*db)->connect();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(scalar(*c, "SELECT plugin_add(2, 40)"), "42");
  EXPECT_EQ(scalar(*c, "SELECT plugin_add(NULL, 1)"), "NULL");
  EXPECT_EQ(scalar(*c, "SELECT hex(plugin_reverse(x'0102030405'))"), "0504030201");
  ASSERT_TRUE(c->exec("CREATE TABLE t(x); INSERT INTO t VALUES (1),(2),(3),(4)").ok());
  EXPECT_EQ(scalar(*c, "SELECT plugin_sum(x) FROM t"), "10");
  EXPECT_EQ(scalar(*c, "SELECT plugin_sum(x) FROM t WHERE x > 5"), "0");
  // As a window function: step, inverse and value over a sliding frame.
  EXPECT_EQ(scalar(*c,
                   "SELECT group_concat(s) FROM (SELECT plugin_sum(x) OVER (ORDER BY x ROWS 1 PRECEDING) "
                   "AS s FROM t)"),
            "1,3,5,7");
  // Errors of a module function fail the statement with its code and text.
  auto st = c->prepare("SELECT plugin_fail()");
  ASSERT_TRUE(st.ok());
  auto r = st->step();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "plugin_fail was called");
  EXPECT_EQ(keel::rc::primary(r.status().code()), keel::rc::kConstraint);
  // Wrong number of arguments: the kernel's usual error.
  EXPECT_NE(scalar(*c, "SELECT plugin_add(1)").find("wrong number of arguments"), std::string::npos);
  // The functions are listed like any other.
  EXPECT_EQ(count_functions(*c, "plugin_"), 4);
}

// Session::append_records, through test_append_records(table, rowid, record).
// The record x'030111076869' is (7, 'hi'): header size 3, an 8-bit integer,
// a 2-byte text.
TEST(PluginLoader, AppendRecords) {
  auto db = keel::Database::open(":memory:", with_modules({"testfuncs"}));
  ASSERT_TRUE(db.ok());
  auto c = (*db)->connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->exec("CREATE TABLE t(a INTEGER, b TEXT); CREATE TABLE u(a, b); CREATE INDEX ua ON u(a);"
                      "CREATE TABLE w(a, b); CREATE TRIGGER wt AFTER INSERT ON w BEGIN SELECT 1; END;")
                  .ok());
  // No write transaction open: refused, nothing written.
  EXPECT_EQ(scalar(*c, "SELECT test_append_records('t', 5, x'030111076869')"), "0");
  ASSERT_TRUE(c->exec("BEGIN; INSERT INTO t VALUES (1, 'one');").ok());
  EXPECT_EQ(scalar(*c, "SELECT test_append_records('t', 5, x'030111076869')"), "1");
  EXPECT_EQ(scalar(*c, "SELECT test_append_records('t', 3, x'030111076869')"),
            "1");  // below the largest rowid
  EXPECT_EQ(scalar(*c, "SELECT group_concat(rowid || ':' || a || ':' || b, ' ') FROM t"),
            "1:1:one 3:7:hi 5:7:hi");
  // A row that has the rowid is replaced.
  EXPECT_EQ(scalar(*c, "SELECT test_append_records('t', 1, x'030111086869')"), "1");
  EXPECT_EQ(scalar(*c, "SELECT a || b FROM t WHERE rowid = 1"), "8hi");
  // Where an INSERT does more than the b-tree insert: refused.
  EXPECT_EQ(scalar(*c, "SELECT test_append_records('u', 1, x'030111076869')"), "0");
  EXPECT_EQ(scalar(*c, "SELECT test_append_records('w', 1, x'030111076869')"), "0");
  EXPECT_EQ(scalar(*c, "SELECT count(*) FROM u") + scalar(*c, "SELECT count(*) FROM w"), "00");
  // Bytes that are not a record of the table's two columns never reach it.
  EXPECT_NE(scalar(*c, "SELECT test_append_records('t', 9, x'0301110768')").find("well-formed record of 2"),
            std::string::npos);
  EXPECT_NE(scalar(*c, "SELECT test_append_records('t', 9, x'020107')").find("well-formed record of 2"),
            std::string::npos);
  EXPECT_EQ(scalar(*c, "SELECT test_append_records('nope', 1, x'020107')"), "error: no such table: nope");
  EXPECT_EQ(scalar(*c, "SELECT count(*) FROM t"), "3");
  // The rows roll back with the transaction; the file stays sound.
  ASSERT_TRUE(c->exec("ROLLBACK").ok());
  EXPECT_EQ(scalar(*c, "SELECT count(*) FROM t"), "0");
  ASSERT_TRUE(c->exec("BEGIN; INSERT INTO t VALUES (1, 'one');").ok());
  EXPECT_EQ(scalar(*c, "SELECT test_append_records('t', 2, x'030111076869')"), "1");
  ASSERT_TRUE(c->exec("COMMIT").ok());
  EXPECT_EQ(scalar(*c, "SELECT group_concat(a || b, ' ') FROM t"), "1one 7hi");
  EXPECT_EQ(scalar(*c, "PRAGMA integrity_check"), "ok");
}

TEST(PluginLoader, ModuleFunctionsAreNotOnOtherConnections) {
  auto with = keel::Database::open(":memory:", with_modules({"testfuncs"}));
  auto without = keel::Database::open(":memory:");
  ASSERT_TRUE(with.ok() && without.ok());
  auto c = (*without)->connect();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(scalar(*c, "SELECT plugin_add(1, 2)"), "error: no such function: plugin_add");
}

TEST(PluginLoader, DoubleLoadingInitializesOnce) {
  // The same module asked twice on one connection, and on many connections:
  // one library, one init (the ABI-mismatch module counts its inits through
  // an environment variable; this one through its functions staying unique).
  auto db = keel::Database::open(":memory:", with_modules({"testfuncs", "testfuncs"}));
  ASSERT_TRUE(db.ok()) << db.status().message();
  for (int i = 0; i < 3; i++) {
    auto c = (*db)->connect();
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(scalar(*c, "SELECT plugin_add(1, 1)"), "2");
    EXPECT_EQ(count_functions(*c, "plugin_add"), 1);
  }
}

TEST(PluginLoader, PragmaHandler) {
  auto db = keel::Database::open(":memory:", with_modules({"testfuncs"}));
  ASSERT_TRUE(db.ok());
  auto c = (*db)->connect();
  ASSERT_TRUE(c.ok());
  auto st = c->prepare("PRAGMA plugin_echo('hello')");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->column_count(), 2);
  EXPECT_EQ(st->column_name(0), "value");
  auto r = st->step();
  ASSERT_TRUE(r.ok() && *r);
  EXPECT_EQ(st->column_text(0), "hello");
  EXPECT_EQ(st->column_int64(1), 1);
  EXPECT_EQ(scalar(*c, "PRAGMA plugin_echo"), "");
  EXPECT_EQ(scalar(*c, "PRAGMA plugin_echo = bad"), "error: plugin_echo: bad value");
  // The connection stays usable after a failing pragma.
  EXPECT_EQ(scalar(*c, "SELECT 1"), "1");
}

TEST(PluginLoader, UnknownModuleNamesTheSearchPath) {
  auto db = keel::Database::open(":memory:", with_modules({"nosuchmodule"}));
  ASSERT_FALSE(db.ok());
  std::string msg(db.status().message());
  EXPECT_NE(msg.find("module nosuchmodule not found (searched: "), std::string::npos) << msg;
  EXPECT_NE(msg.find(KEEL_TEST_MODULE_DIR), std::string::npos) << msg;
}

TEST(PluginLoader, UnknownFeatureFlag) {
  keel::Options o;
  o.experimental = {"warp_drive"};
  auto db = keel::Database::open(":memory:", o);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(
      db.status().message(),
      "unknown experimental feature: warp_drive (known: index_method, views, encryption, mvcc, vector, cdc)");
  auto uri = keel::Database::open("file::memory:?experimental=vector,warp");
  ASSERT_FALSE(uri.ok());
  EXPECT_NE(std::string(uri.status().message()).find("unknown experimental feature: warp"),
            std::string::npos);
}

TEST(PluginLoader, FeatureWhoseModuleIsMissing) {
  // No mvcc module exists in this tree: asking for the flag names the flag,
  // the module and where the loader looked.
  keel::Options o;
  o.experimental = {"mvcc"};
  o.module_path = {KEEL_TEST_MODULE_DIR};
  auto db = keel::Database::open(":memory:", o);
  ASSERT_FALSE(db.ok());
  std::string msg(db.status().message());
  EXPECT_NE(msg.find("feature 'mvcc' is not available: module mvcc not found (searched: "), std::string::npos)
      << msg;
  EXPECT_NE(msg.find(KEEL_TEST_MODULE_DIR), std::string::npos) << msg;
  // A default-on feature is switched off with a leading '-'.
  keel::Options off;
  off.experimental = {"-vector", "no-cdc"};
  auto db2 = keel::Database::open(":memory:", off);
  ASSERT_TRUE(db2.ok());
  EXPECT_FALSE((*db2)->has_feature("vector"));
  EXPECT_FALSE((*db2)->has_feature("cdc"));
}

TEST(PluginLoader, AbiMismatchIsRefusedBeforeRegistration) {
  unsetenv("KEEL_ABI_MISMATCH_INIT_RAN");
  auto db = keel::Database::open(":memory:", with_modules({"abimismatch"}));
  ASSERT_FALSE(db.ok());
  std::string msg(db.status().message());
  EXPECT_NE(msg.find("module abimismatch was built for module ABI 999, this Keel has " +
                     std::to_string(keel::ext::kModuleAbiVersion)),
            std::string::npos)
      << msg;
  EXPECT_EQ(getenv("KEEL_ABI_MISMATCH_INIT_RAN"), nullptr) << "init ran for a mismatched module";
  // Asked again: the same refusal, still without running it.
  auto again = keel::Database::open(":memory:", with_modules({"abimismatch"}));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(getenv("KEEL_ABI_MISMATCH_INIT_RAN"), nullptr);
}

TEST(PluginLoader, FailingInitRegistersNothing) {
  auto db = keel::Database::open(":memory:", with_modules({"failinit"}));
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().message(), "module failinit failed to initialize: the test module refuses to start");
}

TEST(PluginLoader, UriParametersLoadModulesInTheCApi) {
  setenv("KEEL_MODULE_PATH", KEEL_TEST_MODULE_DIR, 1);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2("file::memory:?modules=testfuncs", &db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT plugin_add(20, 22)", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 42);
  sqlite3_finalize(st);
  sqlite3_close(db);
  sqlite3* bad = nullptr;
  EXPECT_EQ(sqlite3_open_v2("file::memory:?experimental=bogus", &bad, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI,
                            nullptr),
            SQLITE_ERROR);
  EXPECT_NE(std::string(sqlite3_errmsg(bad)).find("unknown experimental feature: bogus"), std::string::npos);
  sqlite3_close(bad);
  unsetenv("KEEL_MODULE_PATH");
}

// ------------------------------------------------------------ observers

struct LogRow {
  int64_t kind;
  std::string tbl;
  int64_t rowid, old_rowid;
  bool before, after;
};

std::vector<std::string> log_rows(keel::Connection& c) {
  std::vector<std::string> out;
  auto st = c.prepare(
      "SELECT kind, coalesce(tbl,''), coalesce(rowid,''), coalesce(old_rowid,''), before IS NOT NULL, "
      "after IS NOT NULL FROM plugin_log ORDER BY seq");
  EXPECT_TRUE(st.ok());
  while (true) {
    auto r = st->step();
    if (!r.ok() || !*r) break;
    std::string s;
    for (int i = 0; i < 6; i++) s += (i ? "|" : "") + std::string(st->column_text(i));
    out.push_back(s);
  }
  return out;
}

class ObserverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = keel::Database::open(":memory:", with_modules({"testobserver"}));
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = *db;
    auto c = db_->connect();
    ASSERT_TRUE(c.ok());
    conn_ = std::make_unique<keel::Connection>(std::move(c).value());
    keel::Status s = conn_->exec(
        "CREATE TABLE plugin_log(seq INTEGER PRIMARY KEY, kind, db, tbl, rowid, old_rowid, "
        "before, after);"
        "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT UNIQUE);"
        "DELETE FROM plugin_log");
    ASSERT_TRUE(s.ok()) << s.message();
  }
  std::shared_ptr<keel::Database> db_;
  std::unique_ptr<keel::Connection> conn_;
};

TEST_F(ObserverTest, InsertUpdateDeleteWithImages) {
  keel::Connection& c = *conn_;
  ASSERT_TRUE(c.exec("INSERT INTO t VALUES (1, 'a'), (2, 'b')").ok());
  ASSERT_TRUE(c.exec("UPDATE t SET v = 'c' WHERE id = 2").ok());
  ASSERT_TRUE(c.exec("UPDATE t SET id = 7 WHERE id = 1").ok());
  ASSERT_TRUE(c.exec("DELETE FROM t WHERE id = 7").ok());
  std::vector<std::string> want = {
      "1|t|1|1|0|1",  "1|t|2|2|0|1", "2||||0|0",  // INSERT of two rows, commit
      "0|t|2|2|1|1",  "2||||0|0",                 // UPDATE in place
      "0|t|7|1|1|1",  "2||||0|0",                 // UPDATE moving the rowid
      "-1|t|7|7|1|0", "2||||0|0",                 // DELETE
  };
  EXPECT_EQ(log_rows(c), want);
  // The nested INSERTs into plugin_log changed neither last_insert_rowid nor changes().
  ASSERT_TRUE(c.exec("INSERT INTO t VALUES (40, 'x')").ok());
  EXPECT_EQ(c.last_insert_rowid(), 40);
  EXPECT_EQ(c.changes(), 1);
  // The before image is the old record: decode it with the record functions
  // SQLite users have (none) — check its length instead: header + fields.
  EXPECT_EQ(scalar(c, "SELECT length(before) > 0 FROM plugin_log WHERE kind = 0 LIMIT 1"), "1");
}

TEST_F(ObserverTest, ReplaceDeleteAllAndDdl) {
  keel::Connection& c = *conn_;
  ASSERT_TRUE(c.exec("INSERT INTO t VALUES (1, 'a'), (2, 'b'); DELETE FROM plugin_log").ok());
  // REPLACE deletes the conflicting row (reported), then inserts.
  ASSERT_TRUE(c.exec("INSERT OR REPLACE INTO t VALUES (3, 'a')").ok());
  // DELETE without WHERE: row by row while an observer is installed.
  ASSERT_TRUE(c.exec("DELETE FROM t").ok());
  std::vector<std::string> want = {"-1|t|1|1|1|0", "1|t|3|3|0|1",  "2||||0|0",
                                   "-1|t|2|2|1|0", "-1|t|3|3|1|0", "2||||0|0"};
  EXPECT_EQ(log_rows(c), want);
  ASSERT_TRUE(c.exec("DELETE FROM plugin_log; CREATE TABLE u(x)").ok());
  EXPECT_EQ(scalar(c, "SELECT tbl || ':' || kind FROM plugin_log WHERE kind <> 2"), "sqlite_schema:1");
  // DDL leaves changes() as the last DELETE set it; the observer's nested
  // INSERT did not touch it.
  EXPECT_EQ(c.changes(), 6);
}

TEST_F(ObserverTest, RollbackAndSavepointsUndoTheLog) {
  keel::Connection& c = *conn_;
  ASSERT_TRUE(c.exec("BEGIN; INSERT INTO t VALUES (1, 'a'); ROLLBACK").ok());
  EXPECT_TRUE(log_rows(c).empty());
  ASSERT_TRUE(c.exec("BEGIN; INSERT INTO t VALUES (1, 'a'); SAVEPOINT s; INSERT INTO t VALUES (2, 'b');"
                     "ROLLBACK TO s; INSERT INTO t VALUES (3, 'c'); COMMIT")
                  .ok());
  std::vector<std::string> want = {"1|t|1|1|0|1", "1|t|3|3|0|1", "2||||0|0"};
  EXPECT_EQ(log_rows(c), want);
  // A failing statement inside a transaction leaves no log rows of its own.
  ASSERT_TRUE(c.exec("DELETE FROM plugin_log; BEGIN").ok());
  EXPECT_FALSE(c.exec("INSERT INTO t VALUES (10, 'z'), (11, 'a')").ok());  // UNIQUE(v) fails on the 2nd row
  ASSERT_TRUE(c.exec("COMMIT").ok());
  EXPECT_EQ(log_rows(c), std::vector<std::string>{});
  auto st = c.prepare("PRAGMA plugin_observer_stats");
  ASSERT_TRUE(st.ok());
  auto r = st->step();
  ASSERT_TRUE(r.ok() && *r);
  EXPECT_GE(st->column_int64(0), 2);  // commits
  EXPECT_GE(st->column_int64(1), 1);  // rollbacks
  EXPECT_EQ(st->column_int64(2), 1);  // ROLLBACK TO
}

TEST_F(ObserverTest, TriggersAreObserved) {
  keel::Connection& c = *conn_;
  ASSERT_TRUE(c.exec("CREATE TABLE audit(x); CREATE TRIGGER tr AFTER INSERT ON t BEGIN "
                     "INSERT INTO audit VALUES (new.v); END; DELETE FROM plugin_log")
                  .ok());
  ASSERT_TRUE(c.exec("INSERT INTO t VALUES (5, 'q')").ok());
  std::vector<std::string> want = {"1|t|5|5|0|1", "1|audit|1|1|0|1", "2||||0|0"};
  EXPECT_EQ(log_rows(c), want);
}

// ------------------------------------------------------------ page codec

TEST(PluginCodec, FileIsUnreadableWithoutTheCodec) {
  std::string path = temp_db("codec");
  std::string uri = "file:" + path + "?testcodec_key=90";
  {
    auto db = keel::Database::open(uri, with_modules({"testcodec"}));
    ASSERT_TRUE(db.ok()) << db.status().message();
    auto c = (*db)->connect();
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->exec("CREATE TABLE secret(x TEXT); INSERT INTO secret VALUES ('plaintext-canary')").ok());
    ASSERT_TRUE(
        c->exec("CREATE INDEX si ON secret(x); INSERT INTO secret SELECT x || value FROM "
                "(WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < 500) "
                "SELECT value FROM n), secret")
            .ok());
  }
  {
    std::ifstream f(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find("plaintext-canary"), std::string::npos) << "a page reached the file unencoded";
    EXPECT_EQ(bytes.substr(0, 14), "Keel codec:xor");
  }
  {
    // Without the module: a clear error naming the codec.
    auto db = keel::Database::open(path);
    ASSERT_FALSE(db.ok());
    EXPECT_NE(std::string(db.status().message()).find("page codec 'xor'"), std::string::npos)
        << db.status().message();
  }
  {
    // With the module and the right key: the data.
    auto db = keel::Database::open(uri, with_modules({"testcodec"}));
    ASSERT_TRUE(db.ok()) << db.status().message();
    auto c = (*db)->connect();
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(scalar(*c, "SELECT count(*) FROM secret"), "501");
    EXPECT_EQ(scalar(*c, "PRAGMA integrity_check"), "ok");
  }
  {
    // A wrong key is an error, never wrong data.
    auto db = keel::Database::open("file:" + path + "?testcodec_key=91", with_modules({"testcodec"}));
    if (db.ok()) {
      auto c = (*db)->connect();
      ASSERT_TRUE(c.ok());
      EXPECT_NE(scalar(*c, "SELECT count(*) FROM secret").find("error"), std::string::npos);
    }
  }
  fs::remove(path);
}

TEST(PluginCodec, WalModeThroughTheCodec) {
  std::string path = temp_db("codec_wal");
  std::string uri = "file:" + path + "?testcodec_key=17";
  {
    auto db = keel::Database::open(uri, with_modules({"testcodec"}));
    ASSERT_TRUE(db.ok()) << db.status().message();
    auto c = (*db)->connect();
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(scalar(*c, "PRAGMA journal_mode=wal"), "wal");
    ASSERT_TRUE(c->exec("CREATE TABLE w(x); INSERT INTO w VALUES ('wal-canary-1'), ('wal-canary-2')").ok());
    std::ifstream f(path + "-wal", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_FALSE(bytes.empty());
    EXPECT_EQ(bytes.find("wal-canary"), std::string::npos) << "a WAL frame carried a plain page";
  }
  auto db = keel::Database::open(uri, with_modules({"testcodec"}));
  ASSERT_TRUE(db.ok());
  auto c = (*db)->connect();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(scalar(*c, "SELECT group_concat(x) FROM w"), "wal-canary-1,wal-canary-2");
  fs::remove(path);
  fs::remove(path + "-wal");
  fs::remove(path + "-shm");
}

}  // namespace

// ----------------------------------------------------------- journal mode

namespace {

TEST(PluginJournal, ModuleJournalModeByPragma) {
  std::string path = temp_db("journal");
  {
    auto db = keel::Database::open(path, with_modules({"testjournal"}));
    ASSERT_TRUE(db.ok()) << db.status().message();
    auto c = (*db)->connect();
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(scalar(*c, "PRAGMA journal_mode = keepall"), "keepall");
    EXPECT_EQ(scalar(*c, "PRAGMA journal_mode"), "keepall");
    ASSERT_TRUE(c->exec("CREATE TABLE j(x); INSERT INTO j VALUES (1), (2)").ok());
    ASSERT_TRUE(c->exec("BEGIN; INSERT INTO j VALUES (3); ROLLBACK").ok());
    ASSERT_TRUE(c->exec("BEGIN; INSERT INTO j VALUES (4); SAVEPOINT s; INSERT INTO j VALUES (5); "
                        "ROLLBACK TO s; COMMIT")
                    .ok());
    EXPECT_EQ(scalar(*c, "SELECT group_concat(x) FROM j"), "1,2,4");
    EXPECT_EQ(scalar(*c, "PRAGMA journal_mode = delete"), "delete");
  }
  // Format 1: an ordinary SQLite file afterwards.
  auto plain = keel::Database::open(path);
  ASSERT_TRUE(plain.ok());
  auto c = (*plain)->connect();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(scalar(*c, "SELECT group_concat(x) FROM j"), "1,2,4");
  EXPECT_EQ(scalar(*c, "PRAGMA integrity_check"), "ok");
  fs::remove(path);
}

TEST(PluginJournal, FileMarkedByAModuleNeedsIt) {
  std::string path = temp_db("journal254");
  {
    auto db = keel::Database::open(path, with_modules({"testjournal"}));
    ASSERT_TRUE(db.ok());
    auto c = (*db)->connect();
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(scalar(*c, "PRAGMA journal_mode = keepall254"), "keepall254");
    ASSERT_TRUE(c->exec("CREATE TABLE j(x); INSERT INTO j VALUES ('marked')").ok());
  }
  auto without = keel::Database::open(path);
  ASSERT_FALSE(without.ok());
  EXPECT_NE(std::string(without.status().message()).find("format version 254"), std::string::npos)
      << without.status().message();
  auto with = keel::Database::open(path, with_modules({"testjournal"}));
  ASSERT_TRUE(with.ok()) << with.status().message();
  auto c = (*with)->connect();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(scalar(*c, "SELECT x FROM j"), "marked");
  fs::remove(path);
}

}  // namespace

// ---------------------------------------------------------- schema object

namespace {

TEST(PluginSchemaObject, CreateAndDropThroughTheModule) {
  auto db = keel::Database::open(":memory:", with_modules({"testsnapshot"}));
  ASSERT_TRUE(db.ok()) << db.status().message();
  auto c = (*db)->connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->exec("CREATE TABLE src(a, b); INSERT INTO src VALUES (1, 'x'), (2, 'y')").ok());
  keel::Status s = c->exec("CREATE SNAPSHOT snap AS SELECT a * 10 AS a10, b FROM src");
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(scalar(*c, "SELECT group_concat(a10 || b) FROM snap"), "10x,20y");
  EXPECT_EQ(scalar(*c, "SELECT count(*) FROM snapshot_catalog"), "1");
  EXPECT_EQ(scalar(*c, "SELECT sql FROM snapshot_catalog"),
            "CREATE SNAPSHOT snap AS SELECT a * 10 AS a10, b FROM src");
  EXPECT_EQ(c->exec("CREATE SNAPSHOT snap AS SELECT 1").message(), "snapshot snap already exists");
  // Rolled back with its transaction: the table and the catalog row.
  ASSERT_TRUE(c->exec("BEGIN; CREATE SNAPSHOT s2 AS SELECT 1 AS one; ROLLBACK").ok());
  EXPECT_EQ(scalar(*c, "SELECT count(*) FROM snapshot_catalog"), "1");
  EXPECT_EQ(scalar(*c, "SELECT count(*) FROM sqlite_schema WHERE name = 's2'"), "0");
  EXPECT_EQ(c->exec("DROP SNAPSHOT nosuch").message(), "no such snapshot: nosuch");
  EXPECT_TRUE(c->exec("DROP SNAPSHOT IF EXISTS nosuch").ok());
  ASSERT_TRUE(c->exec("DROP SNAPSHOT snap").ok());
  EXPECT_EQ(scalar(*c, "SELECT count(*) FROM sqlite_schema WHERE name = 'snap'"), "0");
}

TEST(PluginSchemaObject, WithoutTheModuleItIsSqlitesSyntaxError) {
  auto db = keel::Database::open(":memory:");
  ASSERT_TRUE(db.ok());
  auto c = (*db)->connect();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->exec("CREATE SNAPSHOT snap AS SELECT 1").message(), "near \"SNAPSHOT\": syntax error");
  EXPECT_EQ(c->exec("DROP SNAPSHOT snap").message(), "near \"SNAPSHOT\": syntax error");
}

}  // namespace
