// Interoperability with real SQLite (libsqlite3 and the sqlite3 CLI are test
// oracles only): Keel reads WALs and live wal-indexes that SQLite wrote, and
// SQLite reads, recovers and checkpoints WALs that Keel wrote.
//
// libsqlite3 and the Keel unix VFS never open the same file at the same time
// in one process (POSIX locks are per process, and closing any descriptor
// drops them all): SQLite works on copies, in a forked child, or in the CLI.
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "os/vfs.h"
#include "storage/wal/wal_format.h"
#include "storage/wal/wal_test_util.h"

namespace keel::storage {
namespace {

using wal_testing::Conn;
using wal_testing::TempDir;

constexpr uint32_t kPageSize = 4096;

// Whole file contents, read through the unix VFS: a plain open()/close() in
// this process would drop every POSIX lock the process holds on the file.
std::vector<uint8_t> slurp(const std::string& path) {
  auto f = os::default_vfs().open(path, os::OpenFlags{});
  if (!f.ok()) return {};
  auto size = (*f)->size();
  if (!size.ok()) return {};
  std::vector<uint8_t> out(*size);
  if (!out.empty() && !(*f)->read(out.data(), out.size(), 0).ok()) return {};
  return out;
}

// Runs the sqlite3 CLI on `db` with `sql` on stdin; returns stdout+stderr.
std::string run_cli(const TempDir& dir, const std::string& db, const std::string& sql) {
  std::string script = dir.file("script.sql");
  {
    std::ofstream out(script);
    out << sql;
  }
  std::string cmd = "sqlite3 -batch '" + db + "' < '" + script + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return "popen failed";
  std::string result;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) result.append(buf, n);
  pclose(p);
  return result;
}

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  ASSERT_EQ(rc, SQLITE_OK) << (err ? err : "") << " in " << sql;
}

// A workload with several transactions, page splits, updates and deletes.
void sqlite_workload(sqlite3* db) {
  exec(db, "PRAGMA page_size=4096; PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;");
  exec(db, "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c BLOB); CREATE INDEX tb ON t(b);");
  for (int tx = 0; tx < 6; tx++) {
    std::string sql = "BEGIN;";
    for (int i = 0; i < 60; i++) {
      int k = tx * 60 + i;
      sql += "INSERT INTO t VALUES(" + std::to_string(k) + ", 'row" + std::to_string(k * 7919 % 1000) +
             "', randomblob(" + std::to_string(100 + k % 300) + "));";
    }
    sql += "COMMIT;";
    exec(db, sql);
  }
  exec(db, "UPDATE t SET b = b || '-updated' WHERE a % 5 = 0;");
  exec(db, "DELETE FROM t WHERE a % 7 = 3;");
}

// Checks that every page Keel reads through the Wal equals `want` (a fully
// checkpointed database image).
void expect_same_pages(Conn& c, const std::vector<uint8_t>& want) {
  ASSERT_EQ(want.size() % kPageSize, 0u);
  EXPECT_EQ(c.wal->db_size(), want.size() / kPageSize);
  std::vector<uint8_t> got;
  for (PageNo pg = 1; pg <= want.size() / kPageSize; pg++) {
    ASSERT_OK(c.read_page(pg, &got));
    EXPECT_EQ(0, std::memcmp(got.data(), want.data() + (pg - 1) * kPageSize, kPageSize)) << "page " << pg;
  }
}

TEST(WalSqliteInterop, KeelReadsWalWrittenBySqlite) {
  TempDir dir;
  std::string src = dir.file("src.db"), copy = dir.file("copy.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(src.c_str(), &db), SQLITE_OK);
  sqlite_workload(db);
  // Snapshot the database and its log while the connection is still open.
  std::filesystem::copy_file(src, copy);
  std::filesystem::copy_file(src + "-wal", copy + "-wal");
  exec(db, "PRAGMA wal_checkpoint(TRUNCATE);");
  sqlite3_close(db);
  std::vector<uint8_t> want = slurp(src);
  auto wal_bytes = slurp(copy + "-wal");
  ASSERT_GT(wal_bytes.size(), wal::kWalHeaderSize);
  EXPECT_EQ(get_u32(wal_bytes.data()) & 0xfffffffe, wal::kWalMagic);
  uint32_t frames_in_file = (wal_bytes.size() - wal::kWalHeaderSize) / (kPageSize + wal::kFrameHeaderSize);

  Conn c;
  ASSERT_OK(c.open(os::default_vfs(), copy, kPageSize));
  bool changed;
  ASSERT_OK(c.wal->begin_read(&changed));
  EXPECT_EQ(c.wal->frame_count(), frames_in_file);  // every frame SQLite wrote was committed
  EXPECT_EQ(c.wal->page_size(), kPageSize);
  expect_same_pages(c, want);
  c.wal->end_read();

  // Keel's checkpoint produces SQLite's database file byte for byte.
  auto st = c.wal->checkpoint(3, nullptr, true);
  ASSERT_TRUE(st.ok()) << st.status().to_string();
  EXPECT_FALSE(st->busy);
  EXPECT_EQ(slurp(copy), want);
  ASSERT_OK(c.wal->close(true));
  c.db.reset();
  EXPECT_EQ(run_cli(dir, copy, "PRAGMA integrity_check; SELECT count(*) FROM t;"), "ok\n309\n");
}

// Keel reads the wal-index SQLite keeps live in the -shm (no recovery).
TEST(WalSqliteInterop, KeelReadsLiveSqliteWalIndex) {
  TempDir dir;
  std::string path = dir.file("live.db");
  int to_child[2], to_parent[2];
  ASSERT_EQ(pipe(to_child), 0);
  ASSERT_EQ(pipe(to_parent), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    sqlite3* db = nullptr;
    bool ok = sqlite3_open(path.c_str(), &db) == SQLITE_OK;
    ok = ok && sqlite3_exec(db,
                            "PRAGMA page_size=4096; PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;"
                            "CREATE TABLE t(a INTEGER PRIMARY KEY, b BLOB);"
                            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<3000)"
                            "INSERT INTO t SELECT i, randomblob(200) FROM n;"
                            "UPDATE t SET b = zeroblob(50) WHERE a % 3 = 0;"
                            "PRAGMA synchronous=OFF;",
                            nullptr, nullptr, nullptr) == SQLITE_OK;
    // Many one-page transactions: the wal-index spans several hash regions.
    for (int i = 0; ok && i < 4500; i++) {
      std::string sql = "UPDATE t SET b = randomblob(16) WHERE a = " + std::to_string(1 + i * 7 % 3000) + ";";
      ok = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
    }
    char c = ok ? 'y' : 'n';
    (void)!write(to_parent[1], &c, 1);
    (void)!read(to_child[0], &c, 1);  // parent has read the pages
    ok = ok && sqlite3_exec(db, "PRAGMA wal_checkpoint(FULL);", nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    _exit(ok ? 0 : 1);
  }
  char c = 0;
  ASSERT_EQ(read(to_parent[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');

  Conn k;
  ASSERT_OK(k.open(os::default_vfs(), path, kPageSize));
  bool changed;
  ASSERT_OK(k.wal->begin_read(&changed));
  uint32_t frames = k.wal->frame_count();
  EXPECT_GT(frames, 4500u);  // more than one wal-index hash region
  PageNo n = k.wal->db_size();
  std::vector<std::vector<uint8_t>> pages(n + 1);
  for (PageNo pg = 1; pg <= n; pg++) ASSERT_OK(k.read_page(pg, &pages[pg]));
  k.wal->end_read();

  (void)!write(to_child[1], &c, 1);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // The child's checkpoint put everything in the database file.
  auto want = slurp(path);
  ASSERT_EQ(want.size(), uint64_t{n} * kPageSize);
  for (PageNo pg = 1; pg <= n; pg++) {
    EXPECT_EQ(0, std::memcmp(pages[pg].data(), want.data() + (pg - 1) * kPageSize, kPageSize)) << pg;
  }
  // Our own view agrees after the checkpoint SQLite did.
  ASSERT_OK(k.wal->begin_read(&changed));
  EXPECT_EQ(k.wal->frame_count(), frames);
  expect_same_pages(k, want);
  k.wal->end_read();
}

// Replaces the first occurrence of `from` in the page by `to` (same length).
bool patch(std::vector<uint8_t>& page, const std::string& from, const std::string& to) {
  auto it = std::search(page.begin(), page.end(), from.begin(), from.end());
  if (it == page.end()) return false;
  std::copy(to.begin(), to.end(), it);
  return true;
}

// A table t(x TEXT) of 40 rows on page 2, in WAL mode, with no -wal left.
void make_small_wal_db(const TempDir& dir, const std::string& path) {
  std::string setup = "PRAGMA journal_mode=WAL;\nCREATE TABLE t(x TEXT);\n";
  for (int i = 0; i < 40; i++)
    setup += "INSERT INTO t VALUES('value number " + std::to_string(100 + i) + "');\n";
  ASSERT_EQ(run_cli(dir, path, setup), "wal\n");
}

// Commits page 2 with `from` replaced by `to`.
void keel_patch(Conn& k, const std::string& from, const std::string& to) {
  bool changed;
  ASSERT_OK(k.wal->begin_read(&changed));
  std::vector<uint8_t> page;
  ASSERT_OK(k.read_page(2, &page));
  ASSERT_TRUE(patch(page, from, to));
  ASSERT_OK(k.wal->begin_write());
  WalPage wp{2, page.data()};
  ASSERT_OK(k.wal->append_frames({&wp, 1}, 2, true, true));
  k.wal->end_write();
  k.wal->end_read();
}

bool page_has(const std::vector<uint8_t>& page, const std::string& text) {
  return std::search(page.begin(), page.end(), text.begin(), text.end()) != page.end();
}

// SQLite (the CLI) sees Keel's read mark through the shm lock and stops its
// checkpoint there.
TEST(WalSqliteInterop, SqliteCheckpointRespectsKeelReader) {
  TempDir dir;
  std::string path = dir.file("r.db");
  make_small_wal_db(dir, path);
  Conn k;
  ASSERT_OK(k.open(os::default_vfs(), path, kPageSize));
  keel_patch(k, "value number 101", "PATCHED BY KEEL!");
  bool changed;
  ASSERT_OK(k.wal->begin_read(&changed));  // snapshot: frame 1
  EXPECT_EQ(run_cli(dir, path,
                    "UPDATE t SET x = 'from sqlite' WHERE x = 'value number 102';\nPRAGMA wal_checkpoint;\n"),
            "0|2|1\n");
  std::vector<uint8_t> page;
  ASSERT_OK(k.read_page(2, &page));
  EXPECT_TRUE(page_has(page, "PATCHED BY KEEL!"));
  EXPECT_FALSE(page_has(page, "from sqlite"));
  k.wal->end_read();
  EXPECT_EQ(run_cli(dir, path, "PRAGMA wal_checkpoint;\n"), "0|2|2\n");
  ASSERT_OK(k.wal->begin_read(&changed));
  EXPECT_TRUE(changed);
  ASSERT_OK(k.read_page(2, &page));
  EXPECT_TRUE(page_has(page, "PATCHED BY KEEL!"));
  EXPECT_TRUE(page_has(page, "from sqlite"));
  k.wal->end_read();
}

// Keel's checkpoint stops at the read mark of a SQLite reader in another
// process, and that reader keeps its snapshot.
TEST(WalSqliteInterop, KeelCheckpointRespectsSqliteReader) {
  TempDir dir;
  std::string path = dir.file("s.db");
  make_small_wal_db(dir, path);
  int to_child[2], to_parent[2];
  ASSERT_EQ(pipe(to_child), 0);
  ASSERT_EQ(pipe(to_parent), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    char c;
    if (read(to_child[0], &c, 1) != 1) _exit(2);  // Keel committed frame 1
    sqlite3* db = nullptr;
    sqlite3_stmt* st = nullptr;
    bool ok =
        sqlite3_open(path.c_str(), &db) == SQLITE_OK &&
        sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE x GLOB 'KEEL*'", -1, &st, nullptr) == SQLITE_OK;
    auto count = [&]() {
      sqlite3_reset(st);
      return ok && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    };
    char before = static_cast<char>('0' + count());
    (void)!write(to_parent[1], &before, 1);
    if (read(to_child[0], &c, 1) != 1) _exit(2);  // Keel committed frame 2 and checkpointed
    char after = static_cast<char>('0' + count());
    (void)!write(to_parent[1], &after, 1);
    sqlite3_finalize(st);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    _exit(ok ? 0 : 1);
  }
  Conn k;
  ASSERT_OK(k.open(os::default_vfs(), path, kPageSize));
  keel_patch(k, "value number 101", "KEEL PATCH ONE!!");
  char c = 'g';
  ASSERT_EQ(write(to_child[1], &c, 1), 1);
  ASSERT_EQ(read(to_parent[0], &c, 1), 1);
  EXPECT_EQ(c, '1');  // the child's snapshot: frame 1
  keel_patch(k, "value number 102", "KEEL PATCH TWO!!");
  auto st = k.wal->checkpoint(0, nullptr, true);
  ASSERT_TRUE(st.ok()) << st.status().to_string();
  EXPECT_FALSE(st->busy);
  EXPECT_EQ(st->log_frames, 2);
  EXPECT_EQ(st->checkpointed_frames, 1);
  // FULL waits for the reader and gives up when told to.
  int calls = 0;
  st = k.wal->checkpoint(
      1, [&](int) { return ++calls < 3; }, true);
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(st->busy);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(st->checkpointed_frames, 1);
  ASSERT_EQ(write(to_child[1], &c, 1), 1);
  ASSERT_EQ(read(to_parent[0], &c, 1), 1);
  EXPECT_EQ(c, '1');  // still its snapshot, though frame 1 is in the database file
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  st = k.wal->checkpoint(3, nullptr, true);
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(st->busy);
  ASSERT_OK(k.wal->close(true));
  k.db.reset();
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
  EXPECT_EQ(run_cli(dir, path, "PRAGMA integrity_check;\nSELECT count(*) FROM t WHERE x GLOB 'KEEL*';\n"),
            "ok\n2\n");
}

TEST(WalSqliteInterop, SqliteReadsAndCheckpointsKeelWal) {
  TempDir dir;
  std::string path = dir.file("k.db");
  make_small_wal_db(dir, path);
  auto file = slurp(path);
  ASSERT_EQ(file.size(), 2 * kPageSize);
  ASSERT_FALSE(std::filesystem::exists(path + "-wal"));  // the CLI checkpointed and removed it

  Conn k;
  ASSERT_OK(k.open(os::default_vfs(), path, kPageSize));
  auto commit_patch = [&](const std::string& from, const std::string& to) { keel_patch(k, from, to); };
  commit_patch("value number 105", "VALUE NUMBER 105");
  commit_patch("value number 117", "changed by keel!");

  // SQLite reads through Keel's live wal-index (this process holds the -shm).
  EXPECT_EQ(run_cli(dir, path,
                    "PRAGMA integrity_check;\n"
                    "SELECT x FROM t WHERE x NOT GLOB 'value number*';\n"
                    "SELECT count(*) FROM t;\n"),
            "ok\nVALUE NUMBER 105\nchanged by keel!\n40\n");
  // ... and checkpoints it: busy 0, 2 frames in the log, 2 copied.
  EXPECT_EQ(run_cli(dir, path, "PRAGMA wal_checkpoint;\n"), "0|2|2\n");
  auto db = slurp(path);
  ASSERT_EQ(db.size(), 2 * kPageSize);
  const std::string keel_text = "changed by keel!";
  EXPECT_NE(std::search(db.begin(), db.end(), keel_text.begin(), keel_text.end()), db.end());

  // A third commit, then Keel goes away without checkpointing: SQLite must
  // recover the log itself from a fresh -shm.
  commit_patch("value number 130", "recovered frame!");
  k.wal.reset();
  k.db.reset();
  EXPECT_TRUE(std::filesystem::exists(path + "-wal"));
  EXPECT_EQ(run_cli(dir, path,
                    "PRAGMA integrity_check;\n"
                    "SELECT x FROM t WHERE x NOT GLOB 'value number*';\n"
                    "PRAGMA wal_checkpoint(TRUNCATE);\n"),
            "ok\nVALUE NUMBER 105\nchanged by keel!\nrecovered frame!\n0|0|0\n");
  EXPECT_EQ(run_cli(dir, path, "PRAGMA integrity_check;\nSELECT count(*) FROM t WHERE x LIKE 'rec%';\n"),
            "ok\n1\n");
}

// One transaction writes page 2 three times before its commit: the second
// and third images overwrite the first one's frame (SQLite's walFrames) and
// the commit rewrites the checksum chain from there. SQLite must recover the
// log from scratch and see only the last image.
TEST(WalSqliteInterop, SqliteRecoversOverwrittenFrames) {
  TempDir dir;
  std::string path = dir.file("o.db");
  make_small_wal_db(dir, path);
  Conn k;
  ASSERT_OK(k.open(os::default_vfs(), path, kPageSize));
  keel_patch(k, "value number 101", "committed first!");  // frame 1, committed
  bool changed;
  ASSERT_OK(k.wal->begin_read(&changed));
  std::vector<uint8_t> page2, page1;
  ASSERT_OK(k.read_page(2, &page2));
  ASSERT_OK(k.read_page(1, &page1));
  ASSERT_OK(k.wal->begin_write());
  const char* images[] = {"spilled once!!!!", "spilled twice!!!", "final image!!!!!"};
  for (const char* text : images) {
    std::vector<uint8_t> p = page2;
    ASSERT_TRUE(patch(p, "value number 120", text));
    WalPage wp{2, p.data()};
    ASSERT_OK(k.wal->append_frames({&wp, 1}, 0, false, false));
    EXPECT_EQ(k.wal->frame_count(), 2u);  // frame 2, written over
  }
  WalPage commit{1, page1.data()};
  ASSERT_OK(k.wal->append_frames({&commit, 1}, 2, true, true));
  EXPECT_EQ(k.wal->frame_count(), 3u);
  k.wal->end_write();
  k.wal->end_read();
  k.wal.reset();
  k.db.reset();
  std::filesystem::remove(path + "-shm");
  EXPECT_EQ(run_cli(dir, path,
                    "PRAGMA integrity_check;\n"
                    "SELECT x FROM t WHERE x NOT GLOB 'value number*';\n"
                    "PRAGMA wal_checkpoint(TRUNCATE);\n"),
            "ok\ncommitted first!\nfinal image!!!!!\n0|0|0\n");
}

// Keel grows the database by one page (a new, empty freelist trunk page):
// SQLite must take the database size from Keel's commit frame.
TEST(WalSqliteInterop, SqliteSeesDatabaseGrownByKeel) {
  TempDir dir;
  std::string path = dir.file("grow.db");
  make_small_wal_db(dir, path);
  Conn k;
  ASSERT_OK(k.open(os::default_vfs(), path, kPageSize));
  bool changed;
  ASSERT_OK(k.wal->begin_read(&changed));
  std::vector<uint8_t> page1;
  ASSERT_OK(k.read_page(1, &page1));
  ASSERT_EQ(get_u32(page1.data() + 28), 2u);
  ASSERT_EQ(get_u32(page1.data() + 36), 0u);
  uint32_t change = get_u32(page1.data() + 24) + 1;
  put_u32(page1.data() + 24, change);        // file change counter
  put_u32(page1.data() + 92, change);        // version-valid-for
  put_u32(page1.data() + 28, 3);             // database size in pages
  put_u32(page1.data() + 32, 3);             // first freelist trunk page
  put_u32(page1.data() + 36, 1);             // freelist pages
  std::vector<uint8_t> trunk(kPageSize, 0);  // next trunk 0, no leaves
  ASSERT_OK(k.wal->begin_write());
  WalPage wp[2] = {{1, page1.data()}, {3, trunk.data()}};
  ASSERT_OK(k.wal->append_frames(wp, 3, true, true));
  k.wal->end_read();
  EXPECT_EQ(slurp(path).size(), 2 * kPageSize);

  EXPECT_EQ(run_cli(dir, path,
                    "PRAGMA integrity_check;\nPRAGMA page_count;\nPRAGMA freelist_count;\n"
                    "SELECT count(*) FROM t;\n"),
            "ok\n3\n1\n40\n");
  // SQLite reuses the free page for a new table; Keel sees the result.
  EXPECT_EQ(run_cli(dir, path, "CREATE TABLE u(a);\nPRAGMA freelist_count;\nPRAGMA page_count;\n"), "0\n3\n");
  ASSERT_OK(k.wal->begin_read(&changed));
  EXPECT_TRUE(changed);
  EXPECT_EQ(k.wal->db_size(), 3u);
  ASSERT_OK(k.read_page(1, &page1));
  EXPECT_EQ(get_u32(page1.data() + 36), 0u);
  k.wal->end_read();
  ASSERT_OK(k.wal->close(true));
  k.db.reset();
  EXPECT_EQ(slurp(path).size(), 3 * kPageSize);
  EXPECT_EQ(run_cli(dir, path, "PRAGMA integrity_check;\n"), "ok\n");
}

// A Keel log long enough to use three wal-index hash regions, read through
// Keel's live index and then recovered by SQLite.
TEST(WalSqliteInterop, SqliteReadsLongKeelWal) {
  TempDir dir;
  std::string path = dir.file("long.db");
  make_small_wal_db(dir, path);
  const int kCommits = 9000;
  {
    Conn k;
    ASSERT_OK(k.open(os::default_vfs(), path, kPageSize));
    bool changed;
    std::vector<uint8_t> page1, page2;
    ASSERT_OK(k.wal->begin_read(&changed));
    ASSERT_OK(k.read_page(1, &page1));
    ASSERT_OK(k.read_page(2, &page2));
    k.wal->end_read();
    const std::string needle = "value number 100";
    auto at = std::search(page2.begin(), page2.end(), needle.begin(), needle.end());
    ASSERT_NE(at, page2.end());
    size_t off = at - page2.begin();
    for (int i = 0; i < kCommits; i++) {
      char text[17];
      snprintf(text, sizeof text, "keel commit %04d", i);
      std::memcpy(page2.data() + off, text, 16);
      ASSERT_OK(k.wal->begin_read(&changed));
      ASSERT_OK(k.wal->begin_write());
      WalPage wp[2] = {{1, page1.data()}, {2, page2.data()}};
      // Page 1 rides along every 1000th commit.
      std::span<const WalPage> pages(i % 1000 == 0 ? wp : wp + 1, i % 1000 == 0 ? 2 : 1);
      ASSERT_OK(k.wal->append_frames(pages, 2, true, false));
      k.wal->end_write();
      k.wal->end_read();
    }
    ASSERT_OK(k.wal->begin_read(&changed));
    EXPECT_EQ(k.wal->frame_count(), uint32_t{kCommits + kCommits / 1000});
    k.wal->end_read();
    EXPECT_EQ(run_cli(dir, path, "PRAGMA integrity_check;\nSELECT x FROM t WHERE x GLOB 'keel*';\n"),
              "ok\nkeel commit 8999\n");
    k.wal.reset();  // no checkpoint: SQLite recovers the log below
  }
  EXPECT_EQ(
      run_cli(dir, path,
              "SELECT x FROM t WHERE x GLOB 'keel*';\nPRAGMA wal_checkpoint;\nPRAGMA integrity_check;\n"),
      "keel commit 8999\n0|9009|9009\nok\n");
}

}  // namespace
}  // namespace keel::storage
