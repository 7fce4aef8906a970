// Pager tests: header fields, commit/rollback in every journal mode, page
// sizes, cache bound, savepoints, locking, codecs. Crash recovery and SQLite
// interop live in pager_recovery_test.cpp.
#include "storage/pager/pager.h"

#include <gtest/gtest.h>

#include <cstring>

#include "base/bytes.h"
#include "keel/version.hpp"
#include "os/fault_vfs.h"
#include "storage/pager/db_header.h"
#include "storage/pager/pager_test_util.h"

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

PagerOptions fast_options() {
  PagerOptions o;
  o.synchronous = SyncLevel::kOff;
  return o;
}

const char* mode_name(JournalModeKind k) {
  switch (k) {
    case JournalModeKind::kDelete:
      return "Delete";
    case JournalModeKind::kTruncate:
      return "Truncate";
    case JournalModeKind::kPersist:
      return "Persist";
    case JournalModeKind::kMemory:
      return "Memory";
    case JournalModeKind::kWal:
      return "Wal";
    case JournalModeKind::kOff:
      return "Off";
    case JournalModeKind::kModule:
      return "Module";
  }
  return "?";
}

// --- header ---------------------------------------------------------------

TEST(PagerHeader, NewDatabaseHeaderByteByByte) {
  TempDir dir;
  std::string path = dir.path("h.db");
  {
    auto p = open_pager(path);
    ASSERT_EQ(p->page_count(), 0u);
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_pattern(*p, 1, 1, 1));
    ASSERT_OK(p->commit());
  }
  auto f = ptest::read_file(path);
  ASSERT_EQ(f.size(), 4096u);
  const uint8_t* h = f.data();
  EXPECT_EQ(std::memcmp(h, "SQLite format 3\0", 16), 0);
  EXPECT_EQ(get_u16(h + 16), 4096);
  EXPECT_EQ(h[18], 1);
  EXPECT_EQ(h[19], 1);
  EXPECT_EQ(h[20], 0);
  EXPECT_EQ(h[21], 64);
  EXPECT_EQ(h[22], 32);
  EXPECT_EQ(h[23], 32);
  EXPECT_EQ(get_u32(h + 24), 1u);  // change counter after the first commit
  EXPECT_EQ(get_u32(h + 28), 1u);  // database size
  EXPECT_EQ(get_u32(h + 32), 0u);  // freelist trunk
  EXPECT_EQ(get_u32(h + 36), 0u);  // freelist count
  EXPECT_EQ(get_u32(h + 40), 0u);  // schema cookie
  EXPECT_EQ(get_u32(h + 44), 4u);  // schema format
  EXPECT_EQ(get_u32(h + 48), 0u);  // default cache size
  EXPECT_EQ(get_u32(h + 52), 0u);  // auto-vacuum
  EXPECT_EQ(get_u32(h + 56), 1u);  // UTF-8
  EXPECT_EQ(get_u32(h + 60), 0u);  // user version
  EXPECT_EQ(get_u32(h + 64), 0u);  // incremental vacuum
  EXPECT_EQ(get_u32(h + 68), 0u);  // application id
  for (int i = 72; i < 92; ++i) EXPECT_EQ(h[i], 0) << i;
  EXPECT_EQ(get_u32(h + 92), 1u);        // version-valid-for
  EXPECT_EQ(get_u32(h + 96), 3040001u);  // SQLite version number
  EXPECT_EQ(h[100], 0x0d);
  EXPECT_EQ(ptest::sqlite_integrity(path), "ok");

  // Each further commit bumps the counter and version-valid-for, and keeps
  // the database size current.
  {
    auto p = open_pager(path);
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_pattern(*p, 2, 3, 2));
    ASSERT_OK(p->commit());
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_pattern(*p, 2, 2, 3));
    ASSERT_OK(p->commit());
  }
  f = ptest::read_file(path);
  EXPECT_EQ(get_u32(f.data() + 24), 3u);
  EXPECT_EQ(get_u32(f.data() + 92), 3u);
  EXPECT_EQ(get_u32(f.data() + 28), 3u);
  EXPECT_EQ(get_u32(f.data() + 96), 3040001u);
}

TEST(PagerHeader, PageSize65536StoredAsOne) {
  TempDir dir;
  std::string path = dir.path("big.db");
  PagerOptions o = fast_options();
  o.page_size = 65536;
  {
    auto p = open_pager(path, o);
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_sqlite_layout(*p, 1));
    ASSERT_OK(p->commit());
  }
  auto f = ptest::read_file(path);
  EXPECT_EQ(get_u16(f.data() + 16), 1);
  auto p = open_pager(path);  // default page size option 4096: the file decides
  EXPECT_EQ(p->page_size(), 65536u);
  EXPECT_EQ(ptest::sqlite_integrity(path), "ok");
}

TEST(PagerHeader, ReservedBytesRecorded) {
  TempDir dir;
  std::string path = dir.path("r.db");
  PagerOptions o = fast_options();
  o.reserved_bytes = 12;
  {
    auto p = open_pager(path, o);
    EXPECT_EQ(p->usable_size(), 4096u - 12);
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_sqlite_layout(*p, 5));
    ASSERT_OK(p->commit());
  }
  EXPECT_EQ(ptest::read_file(path)[20], 12);
  auto p = open_pager(path);
  EXPECT_EQ(p->usable_size(), 4096u - 12);
  EXPECT_EQ(ptest::sqlite_integrity(path), "ok");
}

TEST(PagerHeader, NotADatabase) {
  TempDir dir;
  std::string path = dir.path("junk.db");
  std::vector<uint8_t> junk(5000);
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<uint8_t>(i * 37 + 11);
  ptest::write_file(path, junk);
  auto r = Pager::open(path, fast_options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), rc::kNotADb);
  EXPECT_EQ(r.status().message(), "file is not a database");

  // Valid magic, invalid page size.
  std::vector<uint8_t> bad(4096, 0);
  dbheader::write_new(bad.data(), 4096, 0, 1);
  put_u16(bad.data() + 16, 1000);
  ptest::write_file(path, bad);
  r = Pager::open(path, fast_options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), rc::kNotADb);

  // Wrong payload fractions.
  dbheader::write_new(bad.data(), 4096, 0, 1);
  bad[21] = 63;
  ptest::write_file(path, bad);
  EXPECT_EQ(Pager::open(path, fast_options()).status().code(), rc::kNotADb);

  // A short file that is not a database.
  ptest::write_file(path, std::vector<uint8_t>{'h', 'e', 'l', 'l', 'o'});
  EXPECT_EQ(Pager::open(path, fast_options()).status().code(), rc::kNotADb);
}

TEST(PagerHeader, InHeaderSizeTrustedOnlyWhenVersionValid) {
  TempDir dir;
  std::string path = dir.path("s.db");
  {
    auto p = open_pager(path, fast_options());
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_pattern(*p, 1, 6, 1));
    ASSERT_OK(p->commit());
  }
  auto f = ptest::read_file(path);
  ASSERT_EQ(f.size(), 6u * 4096);
  // Header says 4 pages and is valid: 4.
  put_u32(f.data() + 28, 4);
  ptest::write_file(path, f);
  {
    auto p = open_pager(path, fast_options());
    ASSERT_OK(p->begin_read());
    EXPECT_EQ(p->page_count(), 4u);
    p->end_read();
  }
  // version-valid-for differs from the change counter (a legacy writer):
  // the file size decides.
  put_u32(f.data() + 92, 77);
  ptest::write_file(path, f);
  {
    auto p = open_pager(path, fast_options());
    ASSERT_OK(p->begin_read());
    EXPECT_EQ(p->page_count(), 6u);
    p->end_read();
  }
  // A valid header claiming more pages than the file has is corrupt.
  put_u32(f.data() + 92, get_u32(f.data() + 24));
  put_u32(f.data() + 28, 9);
  ptest::write_file(path, f);
  EXPECT_EQ(Pager::open(path, fast_options()).status().primary(), rc::kCorrupt);
}

// --- journal modes ----------------------------------------------------------

class PagerModeTest : public ::testing::TestWithParam<JournalModeKind> {};

TEST_P(PagerModeTest, CommitRollbackReopen) {
  TempDir dir;
  std::string path = dir.path("m.db");
  PagerOptions o;
  o.synchronous = SyncLevel::kNormal;
  {
    auto p = open_pager(path, o);
    ASSERT_OK(p->set_journal_mode(GetParam()));
    EXPECT_EQ(p->journal_mode(), GetParam());
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_pattern(*p, 1, 20, 1));
    ASSERT_OK(p->commit());
    EXPECT_FALSE(p->in_read());

    // A rolled-back change leaves the committed pages.
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_pattern(*p, 5, 30, 2));
    EXPECT_EQ(p->page_count(), 30u);
    ASSERT_OK(p->rollback());
    ASSERT_OK(p->begin_read());
    EXPECT_EQ(p->page_count(), 20u);
    EXPECT_EQ(must(ptest::check_pattern(*p, 2, 20, 1)), 0u);
    p->end_read();

    // Second commit with growth.
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_pattern(*p, 10, 25, 3));
    ASSERT_OK(p->commit());
  }
  if (GetParam() == JournalModeKind::kDelete) {
    EXPECT_FALSE(ptest::file_exists(path + "-journal"));
  }
  auto p = open_pager(path, o);
  if (GetParam() == JournalModeKind::kWal) {
    EXPECT_EQ(p->journal_mode(), JournalModeKind::kWal);
  }
  ASSERT_OK(p->begin_read());
  EXPECT_EQ(p->page_count(), 25u);
  EXPECT_EQ(must(ptest::check_pattern(*p, 2, 9, 1)), 0u);
  EXPECT_EQ(must(ptest::check_pattern(*p, 10, 25, 3)), 0u);
  p->end_read();
  p.reset();
  // The pattern is not a b-tree, but sqlite3 must accept the file and agree
  // on its size (WAL: the log was checkpointed and removed on close).
  EXPECT_FALSE(ptest::file_exists(path + "-wal"));
  EXPECT_EQ(ptest::sqlite_query(path, "PRAGMA page_count"), "25") << mode_name(GetParam());
}

TEST_P(PagerModeTest, TruncateShrinksFile) {
  TempDir dir;
  std::string path = dir.path("t.db");
  auto p = open_pager(path, fast_options());
  ASSERT_OK(p->set_journal_mode(GetParam()));
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_pattern(*p, 1, 40, 1));
  ASSERT_OK(p->commit());
  ASSERT_OK(p->begin_write());
  ASSERT_OK(p->truncate(10));
  ASSERT_OK(p->rollback());
  ASSERT_OK(p->begin_read());
  EXPECT_EQ(p->page_count(), 40u);
  EXPECT_EQ(must(ptest::check_pattern(*p, 2, 40, 1)), 0u);
  p->end_read();
  ASSERT_OK(p->begin_write());
  ASSERT_OK(p->truncate(10));
  ASSERT_OK(p->commit());
  ASSERT_OK(p->begin_read());
  EXPECT_EQ(p->page_count(), 10u);
  p->end_read();
  if (GetParam() != JournalModeKind::kWal) {
    EXPECT_EQ(ptest::file_size(path), 10u * 4096);
  }
  p.reset();
  auto q = open_pager(path, fast_options());
  ASSERT_OK(q->begin_read());
  EXPECT_EQ(q->page_count(), 10u);
  EXPECT_EQ(must(ptest::check_pattern(*q, 2, 10, 1)), 0u);
}

TEST_P(PagerModeTest, SavepointsNested) {
  TempDir dir;
  std::string path = dir.path("sp.db");
  auto p = open_pager(path, fast_options());
  ASSERT_OK(p->set_journal_mode(GetParam()));
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_pattern(*p, 1, 10, 1));
  ASSERT_OK(p->commit());

  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_pattern(*p, 2, 3, 2));  // before any savepoint
  EXPECT_EQ(must(p->open_savepoint()), 1);
  ASSERT_OK(ptest::write_pattern(*p, 3, 5, 3));
  EXPECT_EQ(must(p->open_savepoint()), 2);
  ASSERT_OK(ptest::write_pattern(*p, 5, 14, 4));  // grows the database
  EXPECT_EQ(p->page_count(), 14u);
  ASSERT_OK(p->rollback_to_savepoint(2));
  EXPECT_EQ(p->page_count(), 10u);
  EXPECT_EQ(must(ptest::check_pattern(*p, 3, 5, 3)), 0u);
  EXPECT_EQ(must(ptest::check_pattern(*p, 6, 10, 1)), 0u);
  // The savepoint stays open: change again and roll back again.
  ASSERT_OK(ptest::write_pattern(*p, 4, 4, 5));
  ASSERT_OK(p->rollback_to_savepoint(2));
  EXPECT_EQ(must(ptest::check_pattern(*p, 4, 4, 3)), 0u);
  ASSERT_OK(ptest::write_pattern(*p, 8, 8, 6));
  ASSERT_OK(p->release_savepoint(2));  // keeps page 8's change
  ASSERT_OK(p->rollback_to_savepoint(1));
  EXPECT_EQ(must(ptest::check_pattern(*p, 2, 3, 2)), 0u);
  EXPECT_EQ(must(ptest::check_pattern(*p, 4, 10, 1)), 0u);
  ASSERT_OK(ptest::write_pattern(*p, 9, 9, 7));
  ASSERT_OK(p->release_savepoint(1));
  EXPECT_EQ(p->rollback_to_savepoint(1).code(), rc::kMisuse);
  ASSERT_OK(p->commit());

  p.reset();
  auto q = open_pager(path, fast_options());
  ASSERT_OK(q->begin_read());
  EXPECT_EQ(q->page_count(), 10u);
  EXPECT_EQ(must(ptest::check_pattern(*q, 2, 3, 2)), 0u);
  EXPECT_EQ(must(ptest::check_pattern(*q, 4, 8, 1)), 0u);
  EXPECT_EQ(must(ptest::check_pattern(*q, 9, 9, 7)), 0u);
  EXPECT_EQ(must(ptest::check_pattern(*q, 10, 10, 1)), 0u);
}

// A page changed before a savepoint and again after it: the second change
// must reach the sub-journal even though the page is already dirty, and a
// caller holding the page must see is_writable() drop when the savepoint
// opens (the b-tree skips make_writable for writable pages).
TEST_P(PagerModeTest, SavepointAfterEarlierChangeToSamePage) {
  if (GetParam() == JournalModeKind::kOff) GTEST_SKIP() << "OFF mode keeps no savepoint images";
  TempDir dir;
  std::string path = dir.path("sp2.db");
  auto p = open_pager(path, fast_options());
  ASSERT_OK(p->set_journal_mode(GetParam()));
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_pattern(*p, 1, 4, 1));
  ASSERT_OK(p->commit());
  ASSERT_OK(p->begin_write());
  PageRef page = must(p->get(3));
  ASSERT_OK(p->make_writable(page));
  page.mutable_data()[200] = 0xA1;
  ASSERT_TRUE(page.is_writable());
  ASSERT_EQ(must(p->open_savepoint()), 1);
  EXPECT_FALSE(page.is_writable());
  ASSERT_OK(p->make_writable(page));
  page.mutable_data()[200] = 0xB2;
  ASSERT_OK(p->rollback_to_savepoint(1));
  EXPECT_EQ(must(p->get(3)).data()[200], 0xA1);
  page.release();
  ASSERT_OK(p->release_savepoint(1));
  ASSERT_OK(p->commit());
}

TEST_P(PagerModeTest, SavepointsWithSpilledPages) {
  // Cache of 10 pages, 300 pages changed under savepoints: images leave the
  // cache (spill) and must come back right after rollback_to.
  TempDir dir;
  std::string path = dir.path("spsp.db");
  PagerOptions o = fast_options();
  o.cache_size = 10;
  auto p = open_pager(path, o);
  ASSERT_OK(p->set_journal_mode(GetParam()));
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_pattern(*p, 1, 300, 1));
  ASSERT_OK(p->commit());
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_pattern(*p, 2, 150, 2));
  ASSERT_EQ(must(p->open_savepoint()), 1);
  ASSERT_OK(ptest::write_pattern(*p, 100, 400, 3));
  if (GetParam() != JournalModeKind::kOff) {
    EXPECT_GT(p->stats().spills, 0u);
  }
  EXPECT_LE(p->stats().cached_pages, 16u);
  ASSERT_OK(p->rollback_to_savepoint(1));
  EXPECT_EQ(p->page_count(), 300u);
  EXPECT_EQ(must(ptest::check_pattern(*p, 2, 150, 2)), 0u);
  EXPECT_EQ(must(ptest::check_pattern(*p, 151, 300, 1)), 0u);
  ASSERT_OK(p->release_savepoint(1));
  ASSERT_OK(p->commit());
  p.reset();
  auto q = open_pager(path, o);
  ASSERT_OK(q->begin_read());
  EXPECT_EQ(q->page_count(), 300u);
  EXPECT_EQ(must(ptest::check_pattern(*q, 2, 150, 2)), 0u);
  EXPECT_EQ(must(ptest::check_pattern(*q, 151, 300, 1)), 0u);
}

TEST_P(PagerModeTest, LargeTransactionRespectsCacheBound) {
  // 50,000 pages in one transaction with a 100-page cache.
  TempDir dir;
  std::string path = dir.path("big.db");
  PagerOptions o = fast_options();
  o.page_size = 512;
  o.cache_size = 100;
  auto p = open_pager(path, o);
  ASSERT_OK(p->set_journal_mode(GetParam()));
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_pattern(*p, 1, 50000, 1));
  PagerStats st = p->stats();
  EXPECT_EQ(st.cache_capacity, 100u);
  EXPECT_LE(st.cached_pages, 101u);
  EXPECT_GT(st.pages_spilled, 49000u);
  ASSERT_OK(p->commit());
  EXPECT_LE(p->stats().cached_pages, 101u);
  if (GetParam() == JournalModeKind::kOff) {
    // OFF cannot undo pages that reached the file (as SQLite): check the
    // committed data and stop.
    ASSERT_OK(p->begin_read());
    EXPECT_EQ(p->page_count(), 50000u);
    EXPECT_EQ(must(ptest::check_pattern(*p, 2, 50000, 1)), 0u);
    p->end_read();
    return;
  }
  // Rewrite everything, then roll back: the original pages come back.
  ASSERT_OK(p->begin_write());
  ASSERT_OK(ptest::write_pattern(*p, 2, 50000, 2));
  EXPECT_LE(p->stats().cached_pages, 101u);
  ASSERT_OK(p->rollback());
  ASSERT_OK(p->begin_read());
  EXPECT_EQ(p->page_count(), 50000u);
  EXPECT_EQ(must(ptest::check_pattern(*p, 2, 50000, 1)), 0u);
  p->end_read();
}

INSTANTIATE_TEST_SUITE_P(AllModes, PagerModeTest,
                         ::testing::Values(JournalModeKind::kDelete, JournalModeKind::kTruncate,
                                           JournalModeKind::kPersist, JournalModeKind::kMemory,
                                           JournalModeKind::kOff, JournalModeKind::kWal),
                         [](const ::testing::TestParamInfo<JournalModeKind>& i) {
                           return mode_name(i.param);
                         });

// --- page sizes ----------------------------------------------------------------

class PagerPageSizeTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(PagerPageSizeTest, WriteReopenAndSqliteAccepts) {
  TempDir dir;
  std::string path = dir.path("ps.db");
  PagerOptions o = fast_options();
  o.page_size = GetParam();
  {
    auto p = open_pager(path, o);
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_sqlite_layout(*p, 12));
    ASSERT_OK(p->commit());
    ASSERT_OK(p->begin_write());
    ASSERT_OK(ptest::write_pattern(*p, 3, 12, 9));
    ASSERT_OK(p->rollback());
  }
  EXPECT_EQ(ptest::file_size(path), 12u * GetParam());
  auto p = open_pager(path, fast_options());
  EXPECT_EQ(p->page_size(), GetParam());
  ASSERT_OK(p->begin_read());
  EXPECT_EQ(p->page_count(), 12u);
  p->end_read();
  p.reset();
  EXPECT_EQ(ptest::sqlite_integrity(path), "ok");
  EXPECT_EQ(ptest::sqlite_query(path, "PRAGMA page_size"), std::to_string(GetParam()));
  EXPECT_EQ(ptest::sqlite_query(path, "PRAGMA freelist_count"), "11");
}

INSTANTIATE_TEST_SUITE_P(Sizes, PagerPageSizeTest,
                         ::testing::Values(512u, 1024u, 2048u, 4096u, 8192u, 16384u, 32768u, 65536u));

}  // namespace
}  // namespace keel::storage
