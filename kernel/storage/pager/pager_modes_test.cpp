// Pager tests across connections and extension points: locking and busy
// handling, WAL snapshots and mode switches, SQLite WAL interop, page codecs
// (identity, XOR), in-memory databases, a journal mode written against the
// public SDK only, and API misuse.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>

#include "base/bytes.h"
#include "keel/ext/journal_mode.hpp"
#include "keel/ext/page_codec.hpp"
#include "os/fault_vfs.h"
#include "storage/pager/db_header.h"
#include "storage/pager/pager.h"
#include "storage/pager/pager_test_util.h"

// Counts heap allocations in this test binary (to prove the cached get()
// path allocates nothing). malloc/free underneath, as libstdc++'s own.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
static std::atomic<uint64_t> g_allocations{0};
void* operator new(size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace keel::storage {
namespace {

using ptest::TempDir;

#define ASSERT_OK(expr)                                      \
  do {                                                       \
    ::keel::Status s_ = (expr);                              \
    ASSERT_TRUE(s_.ok()) << #expr << ": " << s_.to_string(); \
  } while (0)

template <typename T>
T must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return std::move(r).value();
}

std::unique_ptr<Pager> open_pager(const std::string& path, PagerOptions opts = {}) {
  auto r = Pager::open(path, opts);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? std::move(r).value() : nullptr;
}

PagerOptions fast() {
  PagerOptions o;
  o.synchronous = SyncLevel::kNormal;
  return o;
}

// --- locking -------------------------------------------------------------------

TEST(PagerLocking, WriterExcludesWriterAndBusyHandlerRetries) {
  TempDir dir;
  std::string path = dir.path("l.db");
  auto a = open_pager(path, fast());
  ASSERT_OK(a->begin_write());
  ASSERT_OK(ptest::write_pattern(*a, 1, 10, 1));
  ASSERT_OK(a->commit());

  auto b = open_pager(path, fast());
  ASSERT_OK(a->begin_write());
  Status s = b->begin_write();
  EXPECT_EQ(s.code(), rc::kBusy);
  EXPECT_FALSE(b->in_write());
  b->end_read();

  int calls = 0;
  b->set_busy_handler([&](int n) {
    EXPECT_EQ(n, calls);
    return ++calls < 4;
  });
  EXPECT_EQ(b->begin_write().code(), rc::kBusy);
  EXPECT_EQ(calls, 4);
  b->end_read();

  // A reader may read while the writer holds RESERVED.
  ASSERT_OK(b->begin_read());
  EXPECT_EQ(must(ptest::check_pattern(*b, 2, 10, 1)), 0u);

  // The writer cannot get EXCLUSIVE while b reads: its busy handler ends b's
  // read, and the commit goes through.
  ASSERT_OK(ptest::write_pattern(*a, 2, 10, 2));
  int a_calls = 0;
  a->set_busy_handler([&](int) {
    ++a_calls;
    b->end_read();
    return true;
  });
  ASSERT_OK(a->commit());
  EXPECT_GE(a_calls, 1);

  // b sees the new data (its cache was invalidated by the change counter).
  ASSERT_OK(b->begin_read());
  EXPECT_EQ(must(ptest::check_pattern(*b, 2, 10, 2)), 0u);
  b->end_read();

  // Without a busy handler a blocked commit reports BUSY and can be retried.
  a->set_busy_handler(nullptr);
  ASSERT_OK(b->begin_read());
  ASSERT_OK(a->begin_write());
  ASSERT_OK(ptest::write_pattern(*a, 3, 3, 3));
  EXPECT_EQ(a->commit().code(), rc::kBusy);
  EXPECT_TRUE(a->in_write());
  b->end_read();
  ASSERT_OK(a->commit());
}

TEST(PagerLocking, ExclusiveBeginWaitsForReaders) {
  TempDir dir;
  std::string path = dir.path("x.db");
  auto a = open_pager(path, fast());
  ASSERT_OK(a->begin_write());
  ASSERT_OK(ptest::write_pattern(*a, 1, 3, 1));
  ASSERT_OK(a->commit());
  auto b = open_pager(path, fast());
  ASSERT_OK(b->begin_read());
  EXPECT_EQ(a->begin_write(/*exclusive=*/true).code(), rc::kBusy);
  a->end_read();
  b->end_read();
  ASSERT_OK(a->begin_write(true));
  EXPECT_EQ(b->begin_read().code(), rc::kBusy);  // EXCLUSIVE shuts readers out
  ASSERT_OK(a->rollback());
  ASSERT_OK(b->begin_read());
}

// --- WAL --------------------------------------------------------------------------

TEST(PagerWal, ReaderKeepsSnapshotWhileWriterCommits) {
  TempDir dir;
  std::string path = dir.path("w.db");
  auto a = open_pager(path, fast());
  ASSERT_OK(a->set_journal_mode(JournalModeKind::kWal));
  ASSERT_OK(a->begin_write());
  ASSERT_OK(ptest::write_pattern(*a, 1, 20, 1));
  ASSERT_OK(a->commit());

  auto b = open_pager(path, fast());
  EXPECT_EQ(b->journal_mode(), JournalModeKind::kWal);
  ASSERT_OK(b->begin_read());
  EXPECT_EQ(must(ptest::check_pattern(*b, 5, 5, 1)), 0u);

  ASSERT_OK(a->begin_write());
  ASSERT_OK(ptest::write_pattern(*a, 5, 25, 2));
  // A second writer is refused.
  auto c = open_pager(path, fast());
  EXPECT_EQ(c->begin_write().primary(), rc::kBusy);
  c->end_read();
  ASSERT_OK(a->commit());

  // b's snapshot predates the commit: old pages, old size.
  EXPECT_EQ(b->page_count(), 20u);
  EXPECT_EQ(must(ptest::check_pattern(*b, 2, 20, 1)), 0u);
  b->end_read();
  ASSERT_OK(b->begin_read());
  EXPECT_EQ(b->page_count(), 25u);
  EXPECT_EQ(must(ptest::check_pattern(*b, 5, 25, 2)), 0u);
  b->end_read();
}

TEST(PagerWal, SwitchModesRewritesHeaderAndSqliteAgrees) {
  TempDir dir;
  std::string path = dir.path("sw.db");
  auto p = open_pager(path, fast());
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_sqlite_layout(*p, 30));
  ASSERT_OK(p->commit());
  EXPECT_EQ(ptest::read_file(path)[18], 1);

  ASSERT_OK(p->set_journal_mode(JournalModeKind::kWal));
  EXPECT_EQ(p->journal_mode_name(), "wal");
  auto f = ptest::read_file(path);
  EXPECT_EQ(f[18], 2);
  EXPECT_EQ(f[19], 2);
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_sqlite_layout(*p, 60));
  ASSERT_OK(p->commit());
  EXPECT_TRUE(ptest::file_exists(path + "-wal"));
  // sqlite3 reads through our WAL and wal-index while we are open.
  EXPECT_EQ(ptest::sqlite_integrity(path), "ok");
  EXPECT_EQ(ptest::sqlite_query(path, "PRAGMA freelist_count"), "59");
  EXPECT_EQ(ptest::sqlite_query(path, "PRAGMA journal_mode"), "wal");

  // Leaving WAL needs the only connection.
  {
    auto other = open_pager(path, fast());
    ASSERT_OK(other->begin_read());
    other->end_read();
    EXPECT_EQ(p->set_journal_mode(JournalModeKind::kDelete).primary(), rc::kBusy);
    EXPECT_EQ(p->journal_mode(), JournalModeKind::kWal);
  }
  ASSERT_OK(p->set_journal_mode(JournalModeKind::kDelete));
  EXPECT_EQ(p->journal_mode(), JournalModeKind::kDelete);
  EXPECT_FALSE(ptest::file_exists(path + "-wal"));
  f = ptest::read_file(path);
  EXPECT_EQ(f[18], 1);
  EXPECT_EQ(f[19], 1);
  EXPECT_EQ(f.size(), 60u * 4096);
  p.reset();
  EXPECT_EQ(ptest::sqlite_integrity(path), "ok");
  EXPECT_EQ(ptest::sqlite_query(path, "PRAGMA journal_mode"), "delete");
}

TEST(PagerWal, ReadsSqliteWalDatabase) {
  TempDir dir;
  std::string path = dir.path("sqw.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "PRAGMA journal_mode=wal; PRAGMA wal_autocheckpoint=0; CREATE TABLE t(a, b);"
                         "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<500) "
                         "INSERT INTO t SELECT i, randomblob(300) FROM c;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  // The database file itself is still tiny: the pages live in the WAL.
  ASSERT_TRUE(ptest::file_exists(path + "-wal"));
  std::string pages = ptest::sqlite_query(path, "PRAGMA page_count");
  auto p = open_pager(path, fast());
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->journal_mode(), JournalModeKind::kWal);
  ASSERT_OK(p->begin_read());
  EXPECT_EQ(std::to_string(p->page_count()), pages);
  // Page 2 (the table's root or an interior page) comes from the log: a
  // b-tree page type byte.
  auto pg = must(p->get(2));
  uint8_t type = pg.data()[0];
  EXPECT_TRUE(type == 0x05 || type == 0x0d) << int(type);
  pg.release();
  p->end_read();
  p.reset();
  sqlite3_close(db);
}

TEST(PagerWal, AutoCheckpointCopiesFramesBack) {
  TempDir dir;
  std::string path = dir.path("ac.db");
  auto p = open_pager(path, fast());
  ASSERT_OK(p->set_journal_mode(JournalModeKind::kWal));
  p->set_wal_autocheckpoint(8);
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_pattern(*p, 1, 20, 4));
  ASSERT_OK(p->commit());
  // 20 frames > 8: a passive checkpoint ran after the commit.
  auto f = ptest::read_file(path);
  ASSERT_GE(f.size(), 20u * 4096);
  EXPECT_TRUE(ptest::page_matches(f.data() + 19 * 4096, 4096, 20, 4));
  auto r = must(p->checkpoint(CheckpointMode::kTruncate));
  EXPECT_EQ(r.log_frames, 0);
  EXPECT_EQ(ptest::file_size(path + "-wal"), 0u);
}

// --- codecs --------------------------------------------------------------------------

// A test codec: XOR with a page-dependent key, plus a 4-byte check value in
// the reserved tail that decode() verifies.
class XorCodec final : public ext::PageCodec {
 public:
  std::string_view name() const override { return "test-xor"; }
  uint8_t reserved_bytes() const override { return 4; }
  Status encode(ext::PageNo page, std::span<const std::byte> in, std::span<std::byte> out) override {
    size_t n = in.size();
    uint32_t sum = page;
    for (size_t i = 0; i < n - 4; ++i) {
      uint8_t b = static_cast<uint8_t>(in[i]);
      sum = sum * 31 + b;
      out[i] = std::byte(b ^ key(page, i));
    }
    put_u32(reinterpret_cast<uint8_t*>(out.data()) + n - 4, sum);
    ++encoded;
    return Status::Ok();
  }
  Status decode(ext::PageNo page, std::span<const std::byte> in, std::span<std::byte> out) override {
    size_t n = in.size();
    uint32_t sum = page;
    for (size_t i = 0; i < n - 4; ++i) {
      uint8_t b = static_cast<uint8_t>(in[i]) ^ key(page, i);
      sum = sum * 31 + b;
      out[i] = std::byte(b);
    }
    if (sum != get_u32(reinterpret_cast<const uint8_t*>(in.data()) + n - 4)) {
      return Status(rc::kCorrupt, "page failed its check");
    }
    std::memset(out.data() + n - 4, 0, 4);
    ++decoded;
    return Status::Ok();
  }
  static uint8_t key(ext::PageNo page, size_t i) {
    return static_cast<uint8_t>(0xa5 ^ (page * 7) ^ (i * 13));
  }
  int encoded = 0;
  int decoded = 0;
};

class PagerCodecTest : public ::testing::TestWithParam<JournalModeKind> {};

TEST_P(PagerCodecTest, IdentityAndXorRoundTrip) {
  TempDir dir;
  // Identity, explicitly configured: a plain SQLite file.
  {
    std::string path = dir.path("id.db");
    ext::IdentityCodec identity;
    PagerOptions o = fast();
    o.codec = &identity;
    auto p = open_pager(path, o);
    ASSERT_OK(p->set_journal_mode(GetParam()));
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_sqlite_layout(*p, 10));
    ASSERT_OK(p->commit());
    p.reset();
    EXPECT_EQ(ptest::sqlite_integrity(path), "ok");
  }
  std::string path = dir.path("xor.db");
  XorCodec codec;
  PagerOptions o = fast();
  o.codec = &codec;
  o.cache_size = 10;
  {
    auto p = open_pager(path, o);
    EXPECT_EQ(p->usable_size(), 4096u - 4);
    ASSERT_OK(p->set_journal_mode(GetParam()));
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_pattern(*p, 1, 50, 1));
    ASSERT_OK(p->commit());
    // A spilling transaction rolled back: journal/log images pass the codec.
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_pattern(*p, 2, 60, 2));
    ASSERT_OK(p->rollback());
    ASSERT_OK(p->begin_read());
    EXPECT_EQ(p->page_count(), 50u);
    EXPECT_EQ(must(ptest::check_pattern(*p, 2, 50, 1)), 0u);
    p->end_read();
    EXPECT_GT(codec.encoded, 50);
  }
  // Nothing on disk is plaintext: the header is encoded too.
  auto f = ptest::read_file(path);
  ASSERT_GE(f.size(), 50u * 4096);
  EXPECT_NE(std::memcmp(f.data(), dbheader::kMagic, 16), 0);
  EXPECT_FALSE(ptest::page_matches(f.data() + 4096, 4092, 2, 1));
  // Without the codec the file is not a database.
  EXPECT_EQ(Pager::open(path, fast()).status().code(), rc::kNotADb);
  // With it, everything reads back.
  auto p = open_pager(path, o);
  ASSERT_OK(p->begin_read());
  EXPECT_EQ(p->page_count(), 50u);
  EXPECT_EQ(must(ptest::check_pattern(*p, 2, 50, 1)), 0u);
  p->end_read();
  // A damaged page is reported by the codec.
  p.reset();
  f[5 * 4096 + 100] ^= 1;
  ptest::write_file(path, f);
  p = open_pager(path, o);
  ASSERT_OK(p->begin_read());
  auto bad = p->get(6);
  EXPECT_EQ(bad.status().code(), rc::kCorrupt);
}

INSTANTIATE_TEST_SUITE_P(Modes, PagerCodecTest,
                         ::testing::Values(JournalModeKind::kDelete, JournalModeKind::kWal),
                         [](const ::testing::TestParamInfo<JournalModeKind>& i) {
                           return i.param == JournalModeKind::kWal ? "Wal" : "Delete";
                         });

TEST(PagerCodec, HotJournalIsEncodedAndRollsBack) {
  TempDir dir;
  std::string path = dir.path("hx.db");
  XorCodec codec;
  os::FaultVfs vfs(os::default_vfs(), 3);
  PagerOptions o;
  o.vfs = &vfs;
  o.codec = &codec;
  o.cache_size = 10;
  {
    auto p = open_pager(path, o);
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_pattern(*p, 1, 40, 1));
    ASSERT_OK(p->commit());
  }
  std::vector<uint8_t> before = ptest::read_file(path);
  {
    auto p = open_pager(path, o);
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_pattern(*p, 1, 80, 2));
    ASSERT_GT(p->stats().spills, 0u);
    auto j = ptest::read_file(path + "-journal");
    ASSERT_GT(j.size(), 512u + 4104);
    // First record: an encoded original page, not its plaintext.
    uint32_t pgno = get_u32(j.data() + 512);
    EXPECT_EQ(std::memcmp(j.data() + 516, before.data() + (pgno - 1) * 4096, 4096), 0);
    EXPECT_FALSE(ptest::page_matches(j.data() + 516, 4092, pgno, 1));
    ASSERT_OK(vfs.power_cut(false));
  }
  auto p = open_pager(path, o);
  ASSERT_NE(p, nullptr);
  p.reset();
  EXPECT_EQ(ptest::read_file(path), before);
}

// --- in-memory databases ---------------------------------------------------------------

TEST(PagerMemory, CommitRollbackSavepoint) {
  PagerOptions o;
  o.memory = true;
  o.cache_size = 10;
  auto p = open_pager("", o);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->is_memory());
  EXPECT_EQ(p->journal_mode(), JournalModeKind::kMemory);
  ASSERT_OK(p->set_journal_mode(JournalModeKind::kWal));  // ignored, as SQLite
  EXPECT_EQ(p->journal_mode(), JournalModeKind::kMemory);
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_pattern(*p, 1, 100, 1));
  ASSERT_OK(p->commit());
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_pattern(*p, 50, 150, 2));
  EXPECT_EQ(must(p->open_savepoint()), 1);
  ASSERT_OK(ptest::write_pattern(*p, 2, 10, 3));
  ASSERT_OK(p->rollback_to_savepoint(1));
  EXPECT_EQ(must(ptest::check_pattern(*p, 2, 10, 1)), 0u);
  ASSERT_OK(p->rollback());
  ASSERT_OK(p->begin_read());
  EXPECT_EQ(p->page_count(), 100u);
  EXPECT_EQ(must(ptest::check_pattern(*p, 2, 100, 1)), 0u);
  p->end_read();
  // Two in-memory databases are distinct.
  auto q = open_pager("", o);
  ASSERT_OK(q->begin_read());
  EXPECT_EQ(q->page_count(), 0u);
}

// --- a journal mode written against the SDK alone ----------------------------------------

// "shadow": keeps original images in memory and writes pages straight into
// the database at commit (no crash safety). It uses only keel/ext headers,
// as a module would, to show the interface is sufficient.
class ShadowMode final : public ext::JournalMode {
 public:
  explicit ShadowMode(uint8_t format = 1) : format_(format) {}
  std::string_view name() const override { return "shadow"; }
  uint8_t file_format_version() const override { return format_; }
  bool bumps_change_counter_every_commit() const override { return true; }
  Status attach(ext::PagerHost& host) override {
    host_ = &host;
    return Status::Ok();
  }
  Status begin_read(bool* changed) override {
    KEEL_RETURN_IF_ERROR(host_->lock_db(ext::DbLock::kShared, false));
    *changed = true;  // no change detection: always reload
    return Status::Ok();
  }
  void end_read() override { host_->unlock_db(ext::DbLock::kNone).ignore(); }
  ext::PageNo snapshot_page_count() const override { return 0; }
  Result<bool> read_page(ext::PageNo, std::span<std::byte>) override { return false; }
  Status begin_write(bool) override {
    KEEL_RETURN_IF_ERROR(host_->lock_db(ext::DbLock::kReserved, false));
    originals_.clear();
    spilled_ = false;
    KEEL_ASSIGN_OR_RETURN(orig_pages_, host_->db_file_pages());
    return Status::Ok();
  }
  Status before_change(ext::PageNo page, std::span<const std::byte> original) override {
    if (page <= orig_pages_)
      originals_.emplace(page, std::vector<std::byte>(original.begin(), original.end()));
    ++changes;
    return Status::Ok();
  }
  Status spill(std::span<const ext::PageImage> pages, ext::PageNo) override {
    KEEL_RETURN_IF_ERROR(host_->lock_db(ext::DbLock::kExclusive, true));
    spilled_ = true;
    for (const auto& p : pages) KEEL_RETURN_IF_ERROR(host_->write_db_page(p.page_no, p.data));
    return Status::Ok();
  }
  Status commit(std::span<const ext::PageImage> pages, ext::PageNo db_pages) override {
    KEEL_RETURN_IF_ERROR(host_->lock_db(ext::DbLock::kExclusive, true));
    for (const auto& p : pages) KEEL_RETURN_IF_ERROR(host_->write_db_page(p.page_no, p.data));
    KEEL_RETURN_IF_ERROR(host_->truncate_db_file(db_pages));
    KEEL_RETURN_IF_ERROR(host_->sync_db_file());
    ++commits;
    return host_->unlock_db(ext::DbLock::kShared);
  }
  Status rollback() override {
    if (spilled_) {
      for (const auto& [page, image] : originals_) KEEL_RETURN_IF_ERROR(host_->write_db_page(page, image));
      KEEL_RETURN_IF_ERROR(host_->truncate_db_file(orig_pages_));
    }
    return host_->unlock_db(ext::DbLock::kShared);
  }
  Status open_savepoint(int) override { return Status::Ok(); }
  Status release_savepoint(int) override { return Status::Ok(); }
  Status rollback_to_savepoint(int) override { return Status::Ok(); }
  Result<ext::CheckpointInfo> checkpoint(int) override { return ext::CheckpointInfo{}; }
  Status close() override { return host_->unlock_db(ext::DbLock::kNone); }

  int changes = 0;
  int commits = 0;

 private:
  uint8_t format_;
  ext::PagerHost* host_ = nullptr;
  std::map<ext::PageNo, std::vector<std::byte>> originals_;
  ext::PageNo orig_pages_ = 0;
  bool spilled_ = false;
};

TEST(PagerModule, SdkOnlyJournalModePlugsIn) {
  TempDir dir;
  std::string path = dir.path("mod.db");
  PagerOptions o = fast();
  o.cache_size = 10;
  auto p = open_pager(path, o);
  auto mode = std::make_unique<ShadowMode>();
  ShadowMode* shadow = mode.get();
  ASSERT_OK(p->set_journal_mode(std::move(mode)));
  EXPECT_EQ(p->journal_mode(), JournalModeKind::kModule);
  EXPECT_EQ(p->journal_mode_name(), "shadow");
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_sqlite_layout(*p, 40));
  ASSERT_OK(p->commit());
  EXPECT_EQ(shadow->commits, 1);
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_pattern(*p, 2, 60, 5));  // spills through the module
  ASSERT_OK(p->rollback());
  EXPECT_GT(shadow->changes, 40);
  ASSERT_OK(p->set_journal_mode(JournalModeKind::kDelete));
  EXPECT_EQ(p->journal_mode_name(), "delete");
  p.reset();
  EXPECT_EQ(ptest::sqlite_integrity(path), "ok");
  EXPECT_EQ(ptest::sqlite_query(path, "PRAGMA page_count"), "40");
}

TEST(PagerModule, ModuleFileFormatMarksTheFile) {
  TempDir dir;
  std::string path = dir.path("mvccish.db");
  {
    auto p = open_pager(path, fast());
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_sqlite_layout(*p, 20));
    ASSERT_OK(p->commit());
    ASSERT_OK(p->set_journal_mode(std::make_unique<ShadowMode>(255)));
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_sqlite_layout(*p, 25));
    ASSERT_OK(p->commit());
  }
  auto f = ptest::read_file(path);
  EXPECT_EQ(f[18], 255);
  EXPECT_EQ(f[19], 255);
  // Stock SQLite and a pager without the module refuse the file.
  EXPECT_NE(ptest::sqlite_integrity(path).find("file is not a database"), std::string::npos);
  EXPECT_EQ(Pager::open(path, fast()).status().code(), rc::kNotADb);
  // The opener can name the missing module.
  PagerOptions o = fast();
  o.journal_mode_for_format = [](uint8_t format) -> Result<std::unique_ptr<ext::JournalMode>> {
    return Status(rc::kError, "database needs journal mode module for format " + std::to_string(format));
  };
  auto r = Pager::open(path, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "database needs journal mode module for format 255");
  // With the module, the file opens in its mode.
  o.journal_mode_for_format = [](uint8_t format) -> Result<std::unique_ptr<ext::JournalMode>> {
    return std::unique_ptr<ext::JournalMode>(std::make_unique<ShadowMode>(format));
  };
  auto p = open_pager(path, o);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->journal_mode(), JournalModeKind::kModule);
  ASSERT_OK(p->begin_read());
  EXPECT_EQ(p->page_count(), 25u);
  p->end_read();
  // Leaving the module's mode gives SQLite its file back.
  ASSERT_OK(p->set_journal_mode(JournalModeKind::kDelete));
  p.reset();
  f = ptest::read_file(path);
  EXPECT_EQ(f[18], 1);
  EXPECT_EQ(f[19], 1);
  EXPECT_EQ(ptest::sqlite_integrity(path), "ok");
  EXPECT_EQ(ptest::sqlite_query(path, "PRAGMA freelist_count"), "24");
}

// --- API contract ----------------------------------------------------------------------------

TEST(PagerApi, BoundsAndMisuse) {
  TempDir dir;
  std::string path = dir.path("api.db");
  auto p = open_pager(path, fast());
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_pattern(*p, 1, 5, 1));
  ASSERT_OK(p->commit());
  EXPECT_EQ(p->get(0).status().primary(), rc::kCorrupt);
  EXPECT_EQ(p->get(6).status().primary(), rc::kCorrupt);  // beyond the end outside a write
  auto page = must(p->get(2));
  EXPECT_FALSE(page.is_writable());
  EXPECT_EQ(p->make_writable(page).code(), rc::kMisuse);
  page.release();
  p->end_read();
  // The pending-byte page is never handed out.
  PagerOptions small = fast();
  small.page_size = 65536;
  auto q = open_pager(dir.path("pend.db"), small);
  ASSERT_OK(q->begin_write());
  EXPECT_EQ(q->get(dbheader::pending_byte_page(65536)).status().primary(), rc::kCorrupt);
  ASSERT_OK(q->rollback());
  // Read-only connections refuse to write.
  PagerOptions ro = fast();
  ro.read_only = true;
  auto r = open_pager(path, ro);
  EXPECT_EQ(r->begin_write().code(), rc::kReadOnly);
  // Cache size: pages, or KiB when negative.
  p->set_cache_size(50);
  EXPECT_EQ(p->stats().cache_capacity, 50u);
  p->set_cache_size(-1000);
  EXPECT_LT(p->stats().cache_capacity, 1000u * 1024 / 4096 + 1);
  EXPECT_GT(p->stats().cache_capacity, 200u);
  // get() of a cached page does not allocate; pins keep addresses stable.
  ASSERT_OK(p->begin_read());
  auto a = must(p->get(3));
  const uint8_t* addr = a.data();
  PageRef b = a;
  a.release();
  EXPECT_EQ(b.data(), addr);
  EXPECT_EQ(b.number(), 3u);
}

TEST(PagerApi, CacheShrinksBackAfterGrowingPastItsBound) {
  TempDir dir;
  std::string path = dir.path("grow.db");
  PagerOptions o = fast();
  o.cache_size = 10;
  auto p = open_pager(path, o);
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_pattern(*p, 1, 100, 1));
  ASSERT_OK(p->commit());
  ASSERT_OK(p->begin_read());
  {
    // 60 pages pinned at once: the cache must exceed its bound of 10.
    std::vector<PageRef> pinned;
    for (PageNo n = 1; n <= 60; ++n) pinned.push_back(must(p->get(n)));
    EXPECT_GE(p->stats().cached_pages, 60u);
  }
  // Unpinned again: back within the bound.
  EXPECT_LE(p->stats().cached_pages, 10u);
  EXPECT_EQ(must(ptest::check_pattern(*p, 1, 100, 1)), 0u);
  EXPECT_LE(p->stats().cached_pages, 10u);
  p->end_read();
  // Lowering cache_size evicts at once.
  p->set_cache_size(200);
  ASSERT_OK(p->begin_read());
  EXPECT_EQ(must(ptest::check_pattern(*p, 1, 100, 1)), 0u);
  EXPECT_GE(p->stats().cached_pages, 100u);
  p->set_cache_size(20);
  EXPECT_LE(p->stats().cached_pages, 20u);
  p->end_read();
}

TEST(PagerApi, PinnedPageRefreshedInPlace) {
  // A PageRef held across a rollback and across another connection's commit
  // keeps its address and shows the current bytes.
  for (JournalModeKind mode : {JournalModeKind::kDelete, JournalModeKind::kWal}) {
    TempDir dir;
    std::string path = dir.path("pin.db");
    PagerOptions o = fast();
    o.cache_size = 10;
    auto p = open_pager(path, o);
    ASSERT_OK(p->set_journal_mode(mode));
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_pattern(*p, 1, 50, 1));
    ASSERT_OK(p->commit());
    ASSERT_OK(p->begin_read());
    PageRef held = must(p->get(3));
    const uint8_t* addr = held.data();
    p->end_read();
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_pattern(*p, 2, 50, 2));  // spills; page 3 changed in place
    EXPECT_TRUE(ptest::page_matches(held.data(), p->usable_size(), 3, 2));
    ASSERT_OK(p->rollback());
    EXPECT_EQ(held.data(), addr);
    EXPECT_TRUE(ptest::page_matches(held.data(), p->usable_size(), 3, 1));
    EXPECT_FALSE(held.is_writable());

    auto q = open_pager(path, o);
    ASSERT_OK(q->begin_write());
    ASSERT_OK(ptest::write_pattern(*q, 3, 3, 7));
    ASSERT_OK(q->commit());
    ASSERT_OK(p->begin_read());  // sees q's commit: the pinned copy is refreshed
    EXPECT_EQ(held.data(), addr);
    EXPECT_TRUE(ptest::page_matches(held.data(), p->usable_size(), 3, 7));
    p->end_read();
    held.release();
  }
}

TEST(PagerApi, CachedGetDoesNotAllocate) {
  TempDir dir;
  std::string path = dir.path("alloc.db");
  auto p = open_pager(path, fast());
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_pattern(*p, 1, 8, 1));
  ASSERT_OK(p->commit());
  ASSERT_OK(p->begin_read());
  for (PageNo n = 1; n <= 8; ++n) ASSERT_TRUE(p->get(n).ok());  // warm the cache
  uint64_t before = g_allocations.load();
  uint64_t sum = 0;
  for (int i = 0; i < 10000; ++i) {
    auto r = p->get(static_cast<PageNo>(1 + i % 8));
    PageRef ref = std::move(r).value();
    PageRef copy = ref;
    sum += copy.data()[200];
  }
  EXPECT_EQ(g_allocations.load(), before);
  EXPECT_GT(sum, 0u);
  p->end_read();
}

TEST(PagerApi, SetPageSizeOnlyBeforeFirstWrite) {
  TempDir dir;
  std::string path = dir.path("ps.db");
  auto p = open_pager(path, fast());
  ASSERT_OK(p->set_page_size(8192));
  EXPECT_EQ(p->page_size(), 8192u);
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_sqlite_layout(*p, 3));
  ASSERT_OK(p->commit());
  ASSERT_OK(p->set_page_size(1024));  // no-op now
  EXPECT_EQ(p->page_size(), 8192u);
  p.reset();
  EXPECT_EQ(ptest::sqlite_query(path, "PRAGMA page_size"), "8192");
  EXPECT_EQ(ptest::sqlite_integrity(path), "ok");
}

}  // namespace
}  // namespace keel::storage
