// VACUUM and VACUUM INTO against SQLite 3.40: the real sqlite3 (libsqlite3,
// the oracle) reads every file Keel produces — integrity_check ok, the same
// rows — and VACUUMs the same database to the same schema and size; pending
// page_size and auto_vacuum changes apply; the header meta values survive;
// SQLite's errors; and a VACUUM that changes the page size, killed at random
// moments, leaves the old database or the new one.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>

#include "engine/connection.h"
#include "engine/statement.h"

namespace keel::engine {
namespace {

namespace fs = std::filesystem;

std::string query(Connection& c, const std::string& sql) {
  std::string out;
  Status s = c.exec(sql, [&](int n, char** values, char**) {
    for (int i = 0; i < n; i++) {
      if (i) out += '|';
      out += values[i] ? values[i] : "NULL";
    }
    out += '\n';
    return false;
  });
  if (!s.ok()) return "error: " + std::string(s.message());
  return out;
}

// The same through libsqlite3.
std::string sqlite_query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return "error: cannot open";
  }
  std::string out;
  char* err = nullptr;
  int rc = sqlite3_exec(
      db, sql.c_str(),
      [](void* arg, int n, char** values, char**) {
        auto* o = static_cast<std::string*>(arg);
        for (int i = 0; i < n; i++) {
          if (i) *o += '|';
          *o += values[i] ? values[i] : "NULL";
        }
        *o += '\n';
        return 0;
      },
      &out, &err);
  if (rc != SQLITE_OK) out = std::string("error: ") + (err ? err : "?");
  sqlite3_free(err);
  sqlite3_close(db);
  return out;
}

// Every row of every table, in key order, as text.
const char* kDump =
    "SELECT 't1', a, b, hex(c) FROM t1 ORDER BY a;"
    "SELECT 't2', x, y FROM t2 ORDER BY x, y;"
    "SELECT 't3', id, v FROM t3 ORDER BY id;"
    "SELECT 'seq', name, seq FROM sqlite_sequence;"
    "SELECT 'v1', count(*) FROM v1;"
    "SELECT 'idx', b FROM t1 WHERE c > x'' ORDER BY c DESC, b COLLATE NOCASE LIMIT 20;";
const char* kSchema = "SELECT rowid, type, name, tbl_name, rootpage, sql FROM sqlite_schema ORDER BY rowid;";

class Vacuum : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/keel_vacuum_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/v.db";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Connection> open(const std::string& path = "") {
    auto c = Connection::open(path.empty() ? path_ : path);
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? std::move(c).value() : nullptr;
  }
  std::string bytes(const std::string& path) const {
    std::ifstream f(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  }

  // Tables of every kind, rows with overflow chains, an index with DESC and
  // NOCASE columns, a view, a trigger; a third of t1 deleted (a freelist).
  void fill(Connection& c, const std::string& pragmas = "") {
    ASSERT_EQ(
        query(c, pragmas +
                     "CREATE TABLE t1(a INTEGER PRIMARY KEY, b TEXT UNIQUE, c BLOB);"
                     "CREATE INDEX t1c ON t1(c DESC, b COLLATE NOCASE);"
                     "CREATE TABLE t2(x, y, PRIMARY KEY(x, y)) WITHOUT ROWID;"
                     "CREATE TABLE t3(id INTEGER PRIMARY KEY AUTOINCREMENT, v);"
                     "CREATE VIEW v1 AS SELECT a, b FROM t1 WHERE a > 10;"
                     "CREATE TRIGGER tr1 AFTER INSERT ON t1 BEGIN INSERT INTO t3(v) VALUES(new.b); END;"
                     "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<600) "
                     "INSERT INTO t1 SELECT i, 'Row' || i, CAST(printf('%d-', i) || hex(zeroblob(i * 9)) AS "
                     "BLOB) FROM n;"
                     "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<500) "
                     "INSERT INTO t2 SELECT i % 23, 'k' || i FROM n;"
                     "DELETE FROM t1 WHERE a % 3 = 0;"
                     "PRAGMA user_version = 42; PRAGMA application_id = 7654321;"),
        "");
  }

  std::string dir_, path_;
};

int64_t as_int(const std::string& s) { return std::stoll(s); }

TEST_F(Vacuum, CompactsKeepsMetaAndSqliteReadsIt) {
  auto c = open();
  fill(*c);
  std::string dump = query(*c, kDump);
  int64_t pages = as_int(query(*c, "PRAGMA page_count"));
  int64_t cookie = as_int(query(*c, "PRAGMA schema_version"));
  ASSERT_GT(as_int(query(*c, "PRAGMA freelist_count")), 10);
  ASSERT_EQ(query(*c, "VACUUM"), "");
  EXPECT_EQ(query(*c, "PRAGMA freelist_count"), "0\n");
  EXPECT_LT(as_int(query(*c, "PRAGMA page_count")), pages);
  EXPECT_EQ(query(*c, "PRAGMA user_version; PRAGMA application_id"), "42\n7654321\n");
  EXPECT_EQ(as_int(query(*c, "PRAGMA schema_version")), cookie + 1);
  EXPECT_EQ(query(*c, "PRAGMA integrity_check"), "ok\n");
  EXPECT_EQ(query(*c, kDump), dump);
  // The connection keeps working on the new file.
  EXPECT_EQ(query(*c, "INSERT INTO t1(b, c) VALUES('after', x'01'); SELECT max(id) FROM t3"), "601\n");
  c.reset();
  EXPECT_FALSE(fs::exists(path_ + "-journal"));
  EXPECT_EQ(sqlite_query(path_, "PRAGMA integrity_check"), "ok\n");
  EXPECT_EQ(sqlite_query(path_, "PRAGMA user_version; PRAGMA application_id"), "42\n7654321\n");
  auto c2 = open();
  EXPECT_EQ(sqlite_query(path_, kDump), query(*c2, kDump));
}

// SQLite's own VACUUM of the same file gives the same schema (rows, order,
// root pages), the same number of pages and the same rows.
TEST_F(Vacuum, SameResultAsSqliteVacuum) {
  {
    auto c = open();
    fill(*c);
  }
  std::string theirs = dir_ + "/theirs.db";
  fs::copy_file(path_, theirs);
  ASSERT_EQ(sqlite_query(theirs, "VACUUM"), "");
  auto c = open();
  ASSERT_EQ(query(*c, "VACUUM"), "");
  EXPECT_EQ(query(*c, kSchema), sqlite_query(theirs, kSchema));
  EXPECT_EQ(query(*c, kDump), sqlite_query(theirs, kDump));
  EXPECT_EQ(query(*c, "PRAGMA page_count"), sqlite_query(theirs, "PRAGMA page_count"));
  std::string ours = bytes(path_), other = bytes(theirs);
  ASSERT_EQ(ours.size(), other.size());
  // Header fields both engines set the same way (bytes 28..99 but the
  // version-valid-for and writer version numbers).
  EXPECT_EQ(ours.substr(32, 60), other.substr(32, 60));
}

TEST_F(Vacuum, PendingPageSizeApplies) {
  auto c = open();
  fill(*c);
  std::string dump = query(*c, kDump);
  for (int size : {8192, 1024, 65536, 512, 4096}) {
    SCOPED_TRACE(size);
    ASSERT_EQ(query(*c, "PRAGMA page_size = " + std::to_string(size)), "");
    EXPECT_NE(query(*c, "PRAGMA page_size"), std::to_string(size) + "\n") << "changed before VACUUM";
    ASSERT_EQ(query(*c, "VACUUM"), "");
    EXPECT_EQ(query(*c, "PRAGMA page_size"), std::to_string(size) + "\n");
    EXPECT_EQ(query(*c, "PRAGMA integrity_check"), "ok\n");
    EXPECT_EQ(query(*c, kDump), dump);
    EXPECT_FALSE(fs::exists(path_ + "-journal"));
    EXPECT_EQ(sqlite_query(path_, "PRAGMA page_size"), std::to_string(size) + "\n");
    EXPECT_EQ(sqlite_query(path_, "PRAGMA integrity_check"), "ok\n");
    EXPECT_EQ(sqlite_query(path_, kDump), dump);
    EXPECT_EQ(bytes(path_).size() % size, 0u);
  }
  // Another connection follows the new page size.
  auto other = open();
  EXPECT_EQ(query(*other, "PRAGMA page_size"), "4096\n");
  EXPECT_EQ(query(*other, kDump), dump);
}

TEST_F(Vacuum, PendingAutoVacuumApplies) {
  auto c = open();
  fill(*c);
  std::string dump = query(*c, kDump);
  ASSERT_EQ(query(*c, "PRAGMA auto_vacuum = FULL"), "");
  EXPECT_EQ(query(*c, "PRAGMA auto_vacuum"), "0\n");
  ASSERT_EQ(query(*c, "VACUUM"), "");
  EXPECT_EQ(query(*c, "PRAGMA auto_vacuum"), "1\n");
  EXPECT_EQ(sqlite_query(path_, "PRAGMA auto_vacuum; PRAGMA integrity_check"), "1\nok\n");
  // Full auto-vacuum really runs now: deleting rows leaves no free page.
  ASSERT_EQ(query(*c, "DELETE FROM t1 WHERE a < 300"), "");
  EXPECT_EQ(query(*c, "PRAGMA freelist_count"), "0\n");
  dump = query(*c, kDump);
  ASSERT_EQ(query(*c, "PRAGMA auto_vacuum = INCREMENTAL; VACUUM"), "");
  EXPECT_EQ(sqlite_query(path_, "PRAGMA auto_vacuum; PRAGMA integrity_check"), "2\nok\n");
  ASSERT_EQ(query(*c, "PRAGMA auto_vacuum = NONE; VACUUM"), "");
  EXPECT_EQ(sqlite_query(path_, "PRAGMA auto_vacuum; PRAGMA integrity_check"), "0\nok\n");
  EXPECT_EQ(sqlite_query(path_, kDump), dump);
}

TEST_F(Vacuum, WalMode) {
  auto c = open();
  ASSERT_EQ(query(*c, "PRAGMA journal_mode = wal"), "wal\n");
  fill(*c);
  std::string dump = query(*c, kDump);
  // As SQLite: VACUUM cannot change the page size of a WAL database.
  ASSERT_EQ(query(*c, "PRAGMA page_size = 8192; VACUUM"), "");
  EXPECT_EQ(query(*c, "PRAGMA page_size; PRAGMA freelist_count; PRAGMA journal_mode"), "4096\n0\nwal\n");
  EXPECT_EQ(query(*c, kDump), dump);
  auto reader = open();
  EXPECT_EQ(query(*reader, kDump), dump);
  EXPECT_EQ(sqlite_query(path_, "PRAGMA integrity_check"), "ok\n");
  EXPECT_EQ(sqlite_query(path_, kDump), dump);
  reader.reset();
  c.reset();
  EXPECT_EQ(sqlite_query(path_, "PRAGMA journal_mode; PRAGMA integrity_check"), "wal\nok\n");
}

TEST_F(Vacuum, Into) {
  auto c = open();
  fill(*c);
  std::string dump = query(*c, kDump);
  std::string before = bytes(path_);
  std::string out = dir_ + "/out.db";
  ASSERT_EQ(query(*c, "VACUUM INTO '" + out + "'"), "");
  EXPECT_EQ(bytes(path_), before) << "VACUUM INTO changed the source";
  EXPECT_EQ(query(*c, "VACUUM INTO '" + out + "'"), "error: output file already exists");
  EXPECT_EQ(sqlite_query(out, "PRAGMA integrity_check; PRAGMA freelist_count"), "ok\n0\n");
  EXPECT_EQ(sqlite_query(out, "PRAGMA user_version; PRAGMA application_id"), "42\n7654321\n");
  EXPECT_EQ(sqlite_query(out, kDump), dump);
  // Pending settings shape the copy; an existing empty file is fine.
  std::string out2 = dir_ + "/out2.db";
  std::ofstream(out2).close();
  ASSERT_EQ(query(*c, "PRAGMA page_size = 2048; PRAGMA auto_vacuum = 1; VACUUM main INTO '" + out2 + "'"),
            "");
  EXPECT_EQ(sqlite_query(out2, "PRAGMA page_size; PRAGMA auto_vacuum; PRAGMA integrity_check"),
            "2048\n1\nok\n");
  EXPECT_EQ(sqlite_query(out2, kDump), dump);
  EXPECT_EQ(query(*c, "PRAGMA page_size"), "4096\n");
  // From an in-memory database too.
  auto mem = open(":memory:");
  ASSERT_EQ(query(*mem, "CREATE TABLE m(x); INSERT INTO m VALUES(1),(2)"), "");
  std::string out3 = dir_ + "/out3.db";
  ASSERT_EQ(query(*mem, "VACUUM INTO '" + out3 + "'"), "");
  EXPECT_EQ(sqlite_query(out3, "SELECT sum(x) FROM m; PRAGMA integrity_check"), "3\nok\n");
}

TEST_F(Vacuum, Errors) {
  auto c = open();
  fill(*c);
  ASSERT_EQ(query(*c, "BEGIN"), "");
  EXPECT_EQ(query(*c, "VACUUM"), "error: cannot VACUUM from within a transaction");
  EXPECT_EQ(query(*c, "VACUUM INTO '" + dir_ + "/x.db'"), "error: cannot VACUUM from within a transaction");
  ASSERT_EQ(query(*c, "COMMIT"), "");
  {
    auto st = c->prepare("SELECT a FROM t1");
    ASSERT_TRUE(st.ok());
    auto r = (*st)->step();
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(*r, rc::kRow);
    EXPECT_EQ(query(*c, "VACUUM"), "error: cannot VACUUM - SQL statements in progress");
  }
  EXPECT_EQ(query(*c, "VACUUM"), "");
  EXPECT_EQ(query(*c, "VACUUM temp"), "");
  EXPECT_NE(query(*c, "VACUUM nosuch").find("error"), std::string::npos);
  OpenOptions ro;
  ro.read_only = true;
  auto r = Connection::open(path_, ro);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(query(**r, "VACUUM"), "error: attempt to write a readonly database");
  std::string out = dir_ + "/ro_copy.db";
  EXPECT_EQ(query(**r, "VACUUM INTO '" + out + "'"), "");
  EXPECT_EQ(sqlite_query(out, "PRAGMA integrity_check"), "ok\n");
}

// A child process VACUUMs to a new page size (the whole file rewritten
// through the rollback journal); the parent kills it at random moments. The
// next opener finds the old database or the new one, sound, with every row.
TEST_F(Vacuum, PageSizeChangeSurvivesSigkill) {
  {
    auto c = open();
    fill(*c);
  }
  std::string dump;
  {
    auto c = open();
    dump = query(*c, kDump);
  }
  std::string pristine = dir_ + "/pristine.db";
  fs::copy_file(path_, pristine);
  auto run_child = [&]() {
    auto c = Connection::open(path_);
    if (!c.ok()) _exit(3);
    _exit(query(**c, "PRAGMA page_size = 1024; VACUUM") == "" ? 0 : 4);
  };
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) run_child();
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  auto full_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(sqlite_query(path_, "PRAGMA page_size"), "1024\n");

  std::mt19937 rng(11);
  int old_size = 0, new_size = 0, rounds = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (; rounds < 30 && std::chrono::steady_clock::now() < deadline; rounds++) {
    for (const char* s : {"", "-journal"}) fs::remove(path_ + s);
    fs::copy_file(pristine, path_);
    auto delay = std::uniform_int_distribution<long>(0, full_us + full_us / 5)(rng);
    pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) run_child();
    std::this_thread::sleep_for(std::chrono::microseconds(delay));
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    SCOPED_TRACE("killed after " + std::to_string(delay) + " us");
    // Keel opens first (playing back a hot journal), then sqlite3 checks.
    auto c = open();
    ASSERT_TRUE(c);
    std::string ps = query(*c, "PRAGMA page_size");
    EXPECT_EQ(query(*c, "PRAGMA integrity_check"), "ok\n");
    EXPECT_EQ(query(*c, kDump), dump);
    c.reset();
    (ps == "1024\n" ? new_size : old_size)++;
    EXPECT_TRUE(ps == "1024\n" || ps == "4096\n") << ps;
    EXPECT_EQ(sqlite_query(path_, "PRAGMA integrity_check"), "ok\n");
    EXPECT_EQ(sqlite_query(path_, kDump), dump);
  }
  std::cout << rounds << " kills: " << old_size << " old page size, " << new_size << " new\n";
  EXPECT_GT(rounds, 10);
}

// An empty file, and a database whose schema holds only a view.
TEST_F(Vacuum, EmptyAndSchemaOnlyDatabases) {
  auto c = open();
  EXPECT_EQ(query(*c, "VACUUM"), "");
  ASSERT_EQ(query(*c, "PRAGMA user_version = 5; CREATE TABLE t(a); DROP TABLE t; CREATE VIEW v AS SELECT 1"),
            "");
  c.reset();
  std::string theirs = dir_ + "/theirs.db";
  fs::copy_file(path_, theirs);
  ASSERT_EQ(sqlite_query(theirs, "VACUUM"), "");
  c = open();
  ASSERT_EQ(query(*c, "VACUUM"), "");
  c.reset();
  EXPECT_EQ(sqlite_query(path_, "PRAGMA integrity_check; PRAGMA user_version; SELECT * FROM v"),
            "ok\n5\n1\n");
  std::string ours = bytes(path_), other = bytes(theirs);
  ASSERT_EQ(ours.size(), other.size());
  EXPECT_EQ(ours.substr(32, 60), other.substr(32, 60)) << "header meta values";
}

}  // namespace
}  // namespace keel::engine
