// Tests of the WAL on the memory and unix VFS: frames, snapshots, recovery,
// checkpoints, log restart, undo and savepoints. Interoperability with
// libsqlite3 / the sqlite3 CLI is in wal_sqlite_test.cpp.
#include <cstring>
#include <functional>
#include <set>

#include "storage/wal/wal_format.h"
#include "storage/wal/wal_test_util.h"

namespace keel::storage {
namespace {

using wal_testing::Conn;
using wal_testing::make_page;
using wal_testing::TempDir;

// ---------------------------------------------------------------- format

TEST(WalFormat, ChecksumIsFibonacciWeightedPairs) {
  uint8_t buf[16];
  for (int i = 0; i < 16; i++) buf[i] = static_cast<uint8_t>(i * 37 + 1);
  uint32_t s0 = 0, s1 = 0;
  for (int i = 0; i < 16; i += 8) {
    uint32_t x0 = get_u32(buf + i), x1 = get_u32(buf + i + 4);  // big-endian words
    s0 += x0 + s1;
    s1 += x1 + s0;
  }
  uint32_t out[2];
  wal::checksum(wal::kHostBigEndian, buf, 16, nullptr, out);  // big-endian words
  EXPECT_EQ(out[0], s0);
  EXPECT_EQ(out[1], s1);
  // Seeded continuation equals one pass over the whole buffer.
  uint32_t half[2];
  wal::checksum(false, buf, 8, nullptr, half);
  wal::checksum(false, buf + 8, 8, half, half);
  wal::checksum(false, buf, 16, nullptr, out);
  EXPECT_EQ(half[0], out[0]);
  EXPECT_EQ(half[1], out[1]);
}

TEST(WalFormat, HeaderRoundTripAndRejects) {
  uint8_t salt[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  uint8_t buf[wal::kWalHeaderSize];
  uint32_t ck[2];
  wal::encode_wal_header(4096, 7, salt, buf, ck);
  EXPECT_EQ(get_u32(buf), wal::kHostBigEndian ? 0x377f0683u : 0x377f0682u);
  EXPECT_EQ(get_u32(buf + 4), 3007000u);
  wal::WalHeader h;
  bool version_ok = false;
  ASSERT_TRUE(wal::decode_wal_header(buf, &h, &version_ok));
  EXPECT_TRUE(version_ok);
  EXPECT_EQ(h.page_size, 4096u);
  EXPECT_EQ(h.checkpoint_seq, 7u);
  EXPECT_EQ(0, std::memcmp(h.salt, salt, 8));
  EXPECT_EQ(h.cksum[0], ck[0]);
  uint8_t bad[wal::kWalHeaderSize];
  std::memcpy(bad, buf, sizeof bad);
  bad[13] ^= 1;  // checkpoint sequence: checksum no longer matches
  EXPECT_FALSE(wal::decode_wal_header(bad, &h, &version_ok));
  std::memcpy(bad, buf, sizeof bad);
  put_u32(bad + 8, 1000);  // not a power of two
  EXPECT_FALSE(wal::decode_wal_header(bad, &h, &version_ok));
}

TEST(WalFormat, FrameRoundTripAndRejects) {
  const uint32_t ps = 512;
  auto page = make_page(ps, 3, 1);
  uint8_t salt[8] = {9, 9, 9, 9, 1, 2, 3, 4};
  uint32_t seed[2] = {11, 22};
  uint32_t wck[2] = {seed[0], seed[1]};
  uint8_t hdr[wal::kFrameHeaderSize];
  wal::encode_frame(true, salt, 3, 10, page.data(), ps, wck, hdr);
  uint32_t rck[2] = {seed[0], seed[1]};
  uint32_t pg = 0, dbs = 0;
  ASSERT_TRUE(wal::decode_frame(true, salt, hdr, page.data(), ps, rck, &pg, &dbs));
  EXPECT_EQ(pg, 3u);
  EXPECT_EQ(dbs, 10u);
  EXPECT_EQ(rck[0], wck[0]);
  EXPECT_EQ(rck[1], wck[1]);
  uint32_t c2[2] = {seed[0], seed[1]};
  page[100] ^= 0x40;
  EXPECT_FALSE(wal::decode_frame(true, salt, hdr, page.data(), ps, c2, &pg, &dbs));
  page[100] ^= 0x40;
  uint8_t other_salt[8] = {9, 9, 9, 9, 1, 2, 3, 5};
  EXPECT_FALSE(wal::decode_frame(true, other_salt, hdr, page.data(), ps, c2, &pg, &dbs));
  uint32_t c3[2] = {seed[0], seed[1] + 1};  // wrong running checksum
  EXPECT_FALSE(wal::decode_frame(true, salt, hdr, page.data(), ps, c3, &pg, &dbs));
}

// ---------------------------------------------------------------- behaviour

class WalTest : public ::testing::TestWithParam<const char*> {
 protected:
  os::Vfs& vfs() { return std::string(GetParam()) == "memory" ? os::memory_vfs() : os::default_vfs(); }
  std::string path(const std::string& name) { return wal_testing::db_path_for(vfs(), dir_, name); }
  void open(Conn* c, const std::string& p, uint32_t ps = 1024) { ASSERT_OK(c->open(vfs(), p, ps)); }

  // Raw access to a file (the -wal) for corruption tests.
  std::vector<uint8_t> read_file(const std::string& p) {
    auto f = vfs().open(p, os::OpenFlags{});
    EXPECT_TRUE(f.ok());
    auto sz = (*f)->size();
    std::vector<uint8_t> out(*sz);
    if (!out.empty()) {
      EXPECT_TRUE((*f)->read(out.data(), out.size(), 0).ok());
    }
    return out;
  }
  void write_file_bytes(const std::string& p, uint64_t off, const void* data, size_t n) {
    auto f = vfs().open(p, os::OpenFlags{});
    ASSERT_TRUE(f.ok());
    ASSERT_OK((*f)->write(data, n, off));
  }
  void truncate_file(const std::string& p, uint64_t size) {
    auto f = vfs().open(p, os::OpenFlags{});
    ASSERT_TRUE(f.ok());
    ASSERT_OK((*f)->truncate(size));
  }
  bool exists(const std::string& p) {
    auto r = vfs().exists(p);
    return r.ok() && *r;
  }

  TempDir dir_;
};

TEST_P(WalTest, EmptyLogReadsFromDatabase) {
  Conn c;
  open(&c, path("empty.db"));
  bool changed = false;
  ASSERT_OK(c.wal->begin_read(&changed));
  auto f = c.wal->find_frame(1);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f, 0u);
  EXPECT_EQ(c.wal->db_size(), 0u);
  EXPECT_EQ(c.wal->frame_count(), 0u);
  EXPECT_EQ(c.wal->page_size(), 0u);
  c.wal->end_read();
}

TEST_P(WalTest, FramesRoundTrip) {
  std::string p = path("rt.db");
  Conn a, b;
  open(&a, p);
  open(&b, p);
  ASSERT_OK(a.commit({{1, 1}, {2, 1}, {3, 1}}, 3));
  ASSERT_OK(a.commit({{2, 2}}, 3));
  ASSERT_OK(a.commit({{4, 1}, {1, 2}}, 4));
  for (Conn* c : {&a, &b}) {
    bool changed = false;
    ASSERT_OK(c->wal->begin_read(&changed));
    EXPECT_EQ(changed, c == &b);  // a wrote those commits itself
    EXPECT_EQ(c->wal->frame_count(), 6u);
    EXPECT_EQ(c->wal->db_size(), 4u);
    EXPECT_EQ(c->wal->page_size(), 1024u);
    EXPECT_TRUE(c->page_is(1, 2));
    EXPECT_TRUE(c->page_is(2, 2));
    EXPECT_TRUE(c->page_is(3, 1));
    EXPECT_TRUE(c->page_is(4, 1));
    EXPECT_EQ(*c->wal->find_frame(2), 4u);
    EXPECT_EQ(*c->wal->find_frame(5), 0u);
    c->wal->end_read();
  }
  // The file holds header + 6 frames with SQLite's magic and version.
  auto bytes = read_file(p + "-wal");
  ASSERT_EQ(bytes.size(), wal::frame_offset(7, 1024));
  EXPECT_EQ(get_u32(bytes.data()) & 0xfffffffe, wal::kWalMagic);
  EXPECT_EQ(get_u32(bytes.data() + 8), 1024u);
  EXPECT_EQ(get_u32(bytes.data() + wal::frame_offset(4, 1024) + 4), 3u);  // commit frame: db size
  EXPECT_EQ(get_u32(bytes.data() + wal::frame_offset(5, 1024) + 4), 0u);  // not a commit frame
}

TEST_P(WalTest, ReaderKeepsSnapshotWhileWriterCommits) {
  std::string p = path("snap.db");
  Conn r, w;
  open(&r, p);
  open(&w, p);
  ASSERT_OK(w.commit({{1, 1}, {2, 1}, {3, 1}}, 3));
  bool changed = false;
  ASSERT_OK(r.wal->begin_read(&changed));
  EXPECT_TRUE(changed);
  ASSERT_OK(w.commit({{2, 2}, {4, 1}}, 4));
  ASSERT_OK(w.commit({{2, 3}}, 4));
  EXPECT_TRUE(r.page_is(2, 1));
  EXPECT_EQ(r.wal->db_size(), 3u);
  EXPECT_EQ(*r.wal->find_frame(4), 0u);
  r.wal->end_read();
  ASSERT_OK(r.wal->begin_read(&changed));
  EXPECT_TRUE(changed);
  EXPECT_TRUE(r.page_is(2, 3));
  EXPECT_TRUE(r.page_is(4, 1));
  EXPECT_EQ(r.wal->db_size(), 4u);
  r.wal->end_read();
  ASSERT_OK(r.wal->begin_read(&changed));
  EXPECT_FALSE(changed);
  r.wal->end_read();
}

TEST_P(WalTest, WriterSeesOwnUncommittedFramesOthersDoNot) {
  std::string p = path("own.db");
  Conn w, r;
  open(&w, p);
  open(&r, p);
  ASSERT_OK(w.commit({{1, 1}}, 1));
  bool changed;
  ASSERT_OK(w.wal->begin_read(&changed));
  ASSERT_OK(w.wal->begin_write());
  ASSERT_OK(w.append({{1, 5}, {2, 5}}, 0, false, false));
  EXPECT_TRUE(w.page_is(1, 5));
  EXPECT_TRUE(w.page_is(2, 5));
  ASSERT_OK(r.wal->begin_read(&changed));
  EXPECT_TRUE(r.page_is(1, 1));
  EXPECT_EQ(*r.wal->find_frame(2), 0u);
  r.wal->end_read();
  ASSERT_OK(w.append({{3, 5}}, 3, true, true));
  w.wal->end_write();
  w.wal->end_read();
  ASSERT_OK(r.wal->begin_read(&changed));
  EXPECT_TRUE(r.page_is(1, 5));
  EXPECT_TRUE(r.page_is(2, 5));
  EXPECT_TRUE(r.page_is(3, 5));
  r.wal->end_read();
}

TEST_P(WalTest, SecondWriterIsBusy) {
  std::string p = path("busy.db");
  Conn a, b;
  open(&a, p);
  open(&b, p);
  bool changed;
  ASSERT_OK(a.wal->begin_read(&changed));
  ASSERT_OK(b.wal->begin_read(&changed));
  ASSERT_OK(a.wal->begin_write());
  Status s = b.wal->begin_write();
  EXPECT_EQ(s.code(), rc::kBusy) << s.to_string();
  a.wal->end_write();
  a.wal->end_read();
  ASSERT_OK(b.wal->begin_write());
  b.wal->end_read();
}

TEST_P(WalTest, StaleSnapshotCannotWrite) {
  std::string p = path("stale.db");
  Conn a, b;
  open(&a, p);
  open(&b, p);
  bool changed;
  ASSERT_OK(a.wal->begin_read(&changed));
  ASSERT_OK(b.commit({{1, 1}}, 1));
  EXPECT_EQ(a.wal->begin_write().code(), rc::kBusySnapshot);
  a.wal->end_read();
  ASSERT_OK(a.wal->begin_read(&changed));
  ASSERT_OK(a.wal->begin_write());
  a.wal->end_read();
}

TEST_P(WalTest, RecoveryAfterReopen) {
  std::string p = path("recover.db");
  {
    Conn a;
    open(&a, p);
    ASSERT_OK(a.commit({{1, 1}, {2, 1}}, 2));
    ASSERT_OK(a.commit({{2, 2}, {3, 1}}, 3));
    ASSERT_OK(a.commit({{1, 3}}, 3));
    // Dropped without close(): like a process that died; the index is lost.
  }
  Conn b;
  open(&b, p);
  bool changed;
  ASSERT_OK(b.wal->begin_read(&changed));
  EXPECT_TRUE(changed);
  EXPECT_EQ(b.wal->frame_count(), 5u);
  EXPECT_EQ(b.wal->db_size(), 3u);
  EXPECT_TRUE(b.page_is(1, 3));
  EXPECT_TRUE(b.page_is(2, 2));
  EXPECT_TRUE(b.page_is(3, 1));
  b.wal->end_read();
  // And the recovered index is good for writing on.
  ASSERT_OK(b.commit({{3, 4}}, 3));
  ASSERT_OK(b.wal->begin_read(&changed));
  EXPECT_TRUE(b.page_is(3, 4));
  EXPECT_EQ(b.wal->frame_count(), 6u);
  b.wal->end_read();
}

TEST_P(WalTest, RecoveryIgnoresUncommittedTail) {
  std::string p = path("tail.db");
  {
    Conn a;
    open(&a, p);
    ASSERT_OK(a.commit({{1, 1}}, 1));
    bool changed;
    ASSERT_OK(a.wal->begin_read(&changed));
    ASSERT_OK(a.wal->begin_write());
    ASSERT_OK(a.append({{1, 2}, {2, 2}}, 0, false, false));  // spilled, never committed
  }
  Conn b;
  open(&b, p);
  bool changed;
  ASSERT_OK(b.wal->begin_read(&changed));
  EXPECT_EQ(b.wal->frame_count(), 1u);
  EXPECT_TRUE(b.page_is(1, 1));
  EXPECT_EQ(*b.wal->find_frame(2), 0u);
  b.wal->end_read();
  // The next commit overwrites the dead frames and stays consistent.
  ASSERT_OK(b.commit({{3, 3}}, 3));
  ASSERT_OK(b.wal->begin_read(&changed));
  EXPECT_EQ(*b.wal->find_frame(2), 0u);
  EXPECT_TRUE(b.page_is(3, 3));
  b.wal->end_read();
}

// Three transactions T1 {1,2} T2 {2,3} T3 {3,4}: frames 1..6.
class WalDamageTest : public WalTest {
 protected:
  void write_three(const std::string& p) {
    Conn a;
    open(&a, p);
    ASSERT_OK(a.commit({{1, 1}, {2, 1}}, 2));
    ASSERT_OK(a.commit({{2, 2}, {3, 2}}, 3));
    ASSERT_OK(a.commit({{3, 3}, {4, 3}}, 4));
  }
  // After reopening: exactly the first `n` transactions are visible.
  void expect_transactions(const std::string& p, int n) {
    Conn b;
    open(&b, p);
    bool changed;
    ASSERT_OK(b.wal->begin_read(&changed));
    EXPECT_EQ(b.wal->frame_count(), static_cast<uint32_t>(2 * n));
    EXPECT_EQ(b.wal->db_size(), static_cast<uint32_t>(n == 0 ? 0 : n + 1));
    if (n >= 1) {
      EXPECT_TRUE(b.page_is(1, 1));
    }
    if (n >= 1) {
      EXPECT_TRUE(b.page_is(2, n >= 2 ? 2 : 1));
    }
    if (n == 2) {
      EXPECT_TRUE(b.page_is(3, 2));
    }
    if (n < 3) {
      EXPECT_EQ(*b.wal->find_frame(4), 0u);
    }
    if (n == 3) {
      EXPECT_TRUE(b.page_is(4, 3));
    }
    b.wal->end_read();
  }
};

TEST_P(WalDamageTest, TornLastFrameDropsOnlyLastTransaction) {
  std::string p = path("torn.db");
  write_three(p);
  truncate_file(p + "-wal", wal::frame_offset(6, 1024) + 24 + 300);
  expect_transactions(p, 2);
}

TEST_P(WalDamageTest, ChecksumMismatchStopsRecovery) {
  std::string p = path("cksum.db");
  write_three(p);
  uint8_t x = 0;
  uint64_t off = wal::frame_offset(3, 1024) + 24 + 77;  // T2's first page image
  auto bytes = read_file(p + "-wal");
  x = bytes[off] ^ 0x10;
  write_file_bytes(p + "-wal", off, &x, 1);
  expect_transactions(p, 1);
}

TEST_P(WalDamageTest, SaltMismatchStopsRecovery) {
  std::string p = path("salt.db");
  write_three(p);
  uint64_t off = wal::frame_offset(5, 1024) + 8;  // T3's first frame: salt-1
  auto bytes = read_file(p + "-wal");
  uint8_t x = bytes[off] ^ 0x01;
  write_file_bytes(p + "-wal", off, &x, 1);
  expect_transactions(p, 2);
}

TEST_P(WalDamageTest, BadWalHeaderMeansEmptyLog) {
  std::string p = path("hdr.db");
  write_three(p);
  uint8_t x = read_file(p + "-wal")[20] ^ 0x55;
  write_file_bytes(p + "-wal", 20, &x, 1);  // salt-2 without fixing the checksum
  expect_transactions(p, 0);
}

TEST_P(WalTest, CheckpointPassiveCopiesEverything) {
  std::string p = path("ckpt.db");
  Conn a;
  open(&a, p);
  ASSERT_OK(a.commit({{1, 1}, {2, 1}, {3, 1}}, 3));
  ASSERT_OK(a.commit({{2, 2}}, 3));
  auto st = a.wal->checkpoint(0, nullptr, true);
  ASSERT_TRUE(st.ok()) << st.status().to_string();
  EXPECT_FALSE(st->busy);
  EXPECT_EQ(st->log_frames, 4);
  EXPECT_EQ(st->checkpointed_frames, 4);
  auto db = read_file(p);
  ASSERT_EQ(db.size(), 3u * 1024);
  for (uint32_t pg = 1; pg <= 3; pg++) {
    auto want = make_page(1024, pg, pg == 2 ? 2 : 1);
    EXPECT_EQ(0, std::memcmp(db.data() + (pg - 1) * 1024, want.data(), 1024)) << pg;
  }
  // A new snapshot needs no WAL frame and reads the same bytes.
  bool changed;
  ASSERT_OK(a.wal->begin_read(&changed));
  EXPECT_EQ(*a.wal->find_frame(2), 0u);
  EXPECT_TRUE(a.page_is(2, 2));
  a.wal->end_read();
  // Nothing more to do.
  st = a.wal->checkpoint(0, nullptr, true);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->checkpointed_frames, 4);
}

TEST_P(WalTest, CheckpointStopsAtReadersMark) {
  std::string p = path("mark.db");
  Conn r, w, c;
  open(&r, p);
  open(&w, p);
  open(&c, p);
  ASSERT_OK(w.commit({{1, 1}, {2, 1}}, 2));
  bool changed;
  ASSERT_OK(r.wal->begin_read(&changed));  // snapshot at frame 2
  ASSERT_OK(w.commit({{2, 2}, {3, 2}}, 3));
  auto st = c.wal->checkpoint(0, nullptr, true);
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(st->busy);
  EXPECT_EQ(st->log_frames, 4);
  EXPECT_EQ(st->checkpointed_frames, 2);
  EXPECT_TRUE(r.page_is(2, 1));
  // As in SQLite, a page is copied from its newest frame only: page 1 (frame
  // 1) is in the file, page 2 (newest in frame 3, above r's mark) is not.
  auto db = read_file(p);
  ASSERT_EQ(db.size(), 1024u);
  EXPECT_EQ(0, std::memcmp(db.data(), make_page(1024, 1, 1).data(), 1024));
  r.wal->end_read();
  st = c.wal->checkpoint(0, nullptr, true);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->checkpointed_frames, 4);
  ASSERT_OK(r.wal->begin_read(&changed));
  EXPECT_TRUE(r.page_is(2, 2));
  EXPECT_TRUE(r.page_is(3, 2));
  r.wal->end_read();
}

TEST_P(WalTest, CheckpointFullUsesBusyHandler) {
  std::string p = path("full.db");
  Conn r, w, c;
  open(&r, p);
  open(&w, p);
  open(&c, p);
  ASSERT_OK(w.commit({{1, 1}}, 1));
  bool changed;
  ASSERT_OK(r.wal->begin_read(&changed));
  ASSERT_OK(w.commit({{1, 2}}, 1));
  int calls = 0;
  auto st = c.wal->checkpoint(
      1,
      [&](int n) {
        EXPECT_EQ(n, calls);
        return ++calls < 3;
      },
      true);
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(st->busy);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(st->checkpointed_frames, 1);
  // This time the reader finishes while the checkpointer waits.
  calls = 0;
  st = c.wal->checkpoint(
      1,
      [&](int) {
        ++calls;
        r.wal->end_read();
        return true;
      },
      true);
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(st->busy);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(st->log_frames, 2);
  EXPECT_EQ(st->checkpointed_frames, 2);
}

TEST_P(WalTest, CheckpointFullWithActiveWriterIsBusy) {
  std::string p = path("fullw.db");
  Conn w, c;
  open(&w, p);
  open(&c, p);
  ASSERT_OK(w.commit({{1, 1}}, 1));
  bool changed;
  ASSERT_OK(w.wal->begin_read(&changed));
  ASSERT_OK(w.wal->begin_write());
  int calls = 0;
  auto st = c.wal->checkpoint(
      1, [&](int) { return ++calls < 2; }, true);
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(st->busy);  // degraded to PASSIVE, which still did its work
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(st->checkpointed_frames, 1);
  // PASSIVE never waits, a second checkpointer is refused outright.
  w.wal->end_read();
}

TEST_P(WalTest, CheckpointRestartMakesNextWriterRestartLog) {
  std::string p = path("restart.db");
  Conn a, b;
  open(&a, p);
  open(&b, p);
  ASSERT_OK(a.commit({{1, 1}, {2, 1}}, 2));
  ASSERT_OK(a.commit({{2, 2}}, 2));
  auto before = read_file(p + "-wal");
  uint32_t salt1 = get_u32(before.data() + 16), seq = get_u32(before.data() + 12);
  auto st = a.wal->checkpoint(2, nullptr, true);
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(st->busy);
  EXPECT_EQ(st->checkpointed_frames, 3);
  ASSERT_OK(b.commit({{3, 3}}, 3));
  bool changed;
  ASSERT_OK(a.wal->begin_read(&changed));
  EXPECT_EQ(a.wal->frame_count(), 1u);  // started over at frame 1
  EXPECT_TRUE(a.page_is(1, 1));
  EXPECT_TRUE(a.page_is(2, 2));
  EXPECT_TRUE(a.page_is(3, 3));
  a.wal->end_read();
  auto after = read_file(p + "-wal");
  EXPECT_EQ(get_u32(after.data() + 16), salt1 + 1);
  EXPECT_EQ(get_u32(after.data() + 12), seq + 1);
  EXPECT_EQ(get_u32(after.data() + wal::frame_offset(1, 1024) + 8), salt1 + 1);
  // Recovery of the restarted log sees only the new frame.
  a.wal.reset();
  b.wal.reset();
  Conn c;
  open(&c, p);
  ASSERT_OK(c.wal->begin_read(&changed));
  EXPECT_EQ(c.wal->frame_count(), 1u);
  EXPECT_TRUE(c.page_is(2, 2));
  EXPECT_TRUE(c.page_is(3, 3));
  c.wal->end_read();
}

TEST_P(WalTest, CheckpointRestartWaitsForReaders) {
  std::string p = path("restartr.db");
  Conn r, c;
  open(&r, p);
  open(&c, p);
  ASSERT_OK(c.commit({{1, 1}}, 1));
  bool changed;
  ASSERT_OK(r.wal->begin_read(&changed));  // uses the log (READ(i>0))
  int calls = 0;
  auto st = c.wal->checkpoint(
      2, [&](int) { return ++calls < 2; }, true);
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(st->busy);
  EXPECT_EQ(st->checkpointed_frames, 1);  // the copy itself was not blocked
  EXPECT_EQ(calls, 2);
  r.wal->end_read();
  st = c.wal->checkpoint(2, nullptr, true);
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(st->busy);
}

TEST_P(WalTest, CheckpointTruncateEmptiesLogFile) {
  std::string p = path("trunc.db");
  Conn a, b;
  open(&a, p);
  open(&b, p);
  ASSERT_OK(a.commit({{1, 1}, {2, 1}}, 2));
  auto st = a.wal->checkpoint(3, nullptr, true);
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(st->busy);
  EXPECT_EQ(st->log_frames, 0);  // as SQLite: the header was reset
  EXPECT_EQ(read_file(p + "-wal").size(), 0u);
  bool changed;
  ASSERT_OK(b.wal->begin_read(&changed));
  EXPECT_EQ(b.wal->frame_count(), 0u);
  EXPECT_TRUE(b.page_is(2, 1));
  b.wal->end_read();
  ASSERT_OK(b.commit({{2, 5}}, 2));
  ASSERT_OK(a.wal->begin_read(&changed));
  EXPECT_TRUE(a.page_is(2, 5));
  EXPECT_TRUE(a.page_is(1, 1));
  EXPECT_EQ(a.wal->frame_count(), 1u);
  a.wal->end_read();
}

TEST_P(WalTest, LogRestartWaitsForReadersOfTheLog) {
  std::string p = path("restart2.db");
  Conn r, w;
  open(&r, p);
  open(&w, p);
  ASSERT_OK(w.commit({{1, 1}, {2, 1}}, 2));
  bool changed;
  ASSERT_OK(r.wal->begin_read(&changed));  // holds READ(i>0), mark 2
  auto st = w.wal->checkpoint(0, nullptr, true);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->checkpointed_frames, 2);
  ASSERT_OK(w.commit({{2, 2}}, 2));  // cannot restart: r may still use frames 1-2
  ASSERT_OK(w.wal->begin_read(&changed));
  EXPECT_EQ(w.wal->frame_count(), 3u);
  w.wal->end_read();
  EXPECT_TRUE(r.page_is(2, 1));
  r.wal->end_read();
  st = w.wal->checkpoint(0, nullptr, true);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->checkpointed_frames, 3);
  ASSERT_OK(w.commit({{2, 3}}, 2));  // now it restarts
  ASSERT_OK(r.wal->begin_read(&changed));
  EXPECT_EQ(r.wal->frame_count(), 1u);
  EXPECT_TRUE(r.page_is(2, 3));
  EXPECT_TRUE(r.page_is(1, 1));
  r.wal->end_read();
}

TEST_P(WalTest, UndoDiscardsUncommittedFrames) {
  std::string p = path("undo.db");
  Conn a;
  open(&a, p);
  ASSERT_OK(a.commit({{1, 1}}, 1));
  bool changed;
  ASSERT_OK(a.wal->begin_read(&changed));
  ASSERT_OK(a.wal->begin_write());
  ASSERT_OK(a.append({{5, 1}, {6, 1}}, 0, false, false));
  std::multiset<PageNo> undone;
  ASSERT_OK(a.wal->undo([&](PageNo pg) { undone.insert(pg); }));
  EXPECT_EQ(undone, (std::multiset<PageNo>{5, 6}));
  EXPECT_EQ(*a.wal->find_frame(5), 0u);
  EXPECT_EQ(a.wal->frame_count(), 1u);
  ASSERT_OK(a.append({{7, 1}}, 7, true, true));
  a.wal->end_write();
  a.wal->end_read();
  a.wal.reset();
  Conn b;
  open(&b, p);
  ASSERT_OK(b.wal->begin_read(&changed));
  EXPECT_EQ(b.wal->frame_count(), 2u);
  EXPECT_EQ(*b.wal->find_frame(5), 0u);
  EXPECT_EQ(*b.wal->find_frame(6), 0u);
  EXPECT_TRUE(b.page_is(7, 1));
  b.wal->end_read();
}

TEST_P(WalTest, SavepointRollback) {
  std::string p = path("sp.db");
  Conn a;
  open(&a, p);
  ASSERT_OK(a.commit({{1, 1}}, 1));
  bool changed;
  ASSERT_OK(a.wal->begin_read(&changed));
  ASSERT_OK(a.wal->begin_write());
  ASSERT_OK(a.append({{2, 2}}, 0, false, false));
  Wal::Position sp = a.wal->savepoint();
  // Page 2 already has a frame in this transaction: it is overwritten in
  // place (frame 2), page 3 is appended (frame 3).
  ASSERT_OK(a.append({{3, 3}, {2, 9}}, 0, false, false));
  EXPECT_TRUE(a.page_is(2, 9));
  EXPECT_EQ(a.wal->frame_count(), 3u);
  std::multiset<PageNo> undone;
  ASSERT_OK(a.wal->rollback_to(sp, [&](PageNo pg) { undone.insert(pg); }));
  EXPECT_EQ(undone, (std::multiset<PageNo>{3}));
  EXPECT_EQ(*a.wal->find_frame(3), 0u);
  // Page 2's frame keeps its newer image: the pager writes back the image
  // its sub-journal held at the savepoint.
  EXPECT_TRUE(a.page_is(2, 9));
  ASSERT_OK(a.append({{2, 2}}, 0, false, false));
  EXPECT_TRUE(a.page_is(2, 2));
  ASSERT_OK(a.append({{4, 4}}, 4, true, true));
  a.wal->end_write();
  a.wal->end_read();
  a.wal.reset();
  Conn b;
  open(&b, p);
  ASSERT_OK(b.wal->begin_read(&changed));
  EXPECT_EQ(b.wal->frame_count(), 3u);
  EXPECT_TRUE(b.page_is(1, 1));
  EXPECT_TRUE(b.page_is(2, 2));
  EXPECT_EQ(*b.wal->find_frame(3), 0u);
  EXPECT_TRUE(b.page_is(4, 4));
  b.wal->end_read();
}

TEST_P(WalTest, SavepointBeforeLogRestart) {
  std::string p = path("sp2.db");
  Conn a;
  open(&a, p);
  ASSERT_OK(a.commit({{1, 1}}, 1));
  ASSERT_TRUE(a.wal->checkpoint(0, nullptr, true).ok());
  bool changed;
  ASSERT_OK(a.wal->begin_read(&changed));
  ASSERT_OK(a.wal->begin_write());
  Wal::Position sp = a.wal->savepoint();           // frame 1 of the old log
  ASSERT_OK(a.append({{2, 2}}, 0, false, false));  // restarts the log
  std::multiset<PageNo> undone;
  ASSERT_OK(a.wal->rollback_to(sp, [&](PageNo pg) { undone.insert(pg); }));
  EXPECT_EQ(undone, (std::multiset<PageNo>{2}));
  ASSERT_OK(a.append({{3, 3}}, 3, true, true));
  a.wal->end_write();
  a.wal->end_read();
  ASSERT_OK(a.wal->begin_read(&changed));
  EXPECT_EQ(a.wal->frame_count(), 1u);
  EXPECT_TRUE(a.page_is(1, 1));
  EXPECT_EQ(*a.wal->find_frame(2), 0u);
  EXPECT_TRUE(a.page_is(3, 3));
  a.wal->end_read();
}

TEST_P(WalTest, CrashedWriterLeftoversAreCleaned) {
  std::string p = path("leftover.db");
  Conn b;
  open(&b, p);
  ASSERT_OK(b.commit({{1, 1}}, 1));
  {
    Conn a;
    open(&a, p);
    bool changed;
    ASSERT_OK(a.wal->begin_read(&changed));
    ASSERT_OK(a.wal->begin_write());
    ASSERT_OK(a.append({{9, 7}, {1, 7}}, 0, false, false));  // frames 2,3 indexed
  }                                                          // gone without undo
  ASSERT_OK(b.commit({{2, 2}}, 2));                          // frame 2 again
  bool changed;
  ASSERT_OK(b.wal->begin_read(&changed));
  EXPECT_EQ(*b.wal->find_frame(9), 0u);
  EXPECT_TRUE(b.page_is(1, 1));
  EXPECT_TRUE(b.page_is(2, 2));
  b.wal->end_read();
}

TEST_P(WalTest, ManyFramesSpanHashRegions) {
  std::string p = path("many.db");
  const uint32_t ps = 512;
  Conn a;
  open(&a, p, ps);
  // 9000 frames: regions 0 (4062 frames), 1 (4096) and 2.
  const int kTx = 18, kPages = 500;
  for (int t = 0; t < kTx; t++) {
    std::map<PageNo, uint32_t> m;
    for (int i = 1; i <= kPages; i++) m[i] = t;
    ASSERT_OK(a.commit(m, kPages));
  }
  auto check = [&](Conn& c) {
    bool changed;
    ASSERT_OK(c.wal->begin_read(&changed));
    EXPECT_EQ(c.wal->frame_count(), uint32_t{kTx * kPages});
    for (int i = 1; i <= kPages; i += 7) EXPECT_TRUE(c.page_is(i, kTx - 1));
    EXPECT_EQ(*c.wal->find_frame(kPages), uint32_t{kTx * kPages});
    c.wal->end_read();
  };
  check(a);
  a.wal.reset();
  Conn b;
  open(&b, p, ps);
  check(b);
  auto st = b.wal->checkpoint(0, nullptr, false);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->checkpointed_frames, kTx * kPages);
  auto db = read_file(p);
  ASSERT_EQ(db.size(), uint64_t{kPages} * ps);
  EXPECT_EQ(0, std::memcmp(db.data() + 99 * ps, make_page(ps, 100, kTx - 1).data(), ps));
}

TEST_P(WalTest, LargestPageSize) {
  std::string p = path("big.db");
  {
    Conn a;
    open(&a, p, 65536);
    ASSERT_OK(a.commit({{1, 1}, {2, 1}}, 2));
    bool changed;
    ASSERT_OK(a.wal->begin_read(&changed));
    EXPECT_EQ(a.wal->page_size(), 65536u);
    EXPECT_TRUE(a.page_is(2, 1));
    a.wal->end_read();
  }
  Conn b;
  open(&b, p, 65536);
  bool changed;
  ASSERT_OK(b.wal->begin_read(&changed));
  EXPECT_EQ(b.wal->page_size(), 65536u);
  EXPECT_EQ(b.wal->frame_count(), 2u);
  EXPECT_TRUE(b.page_is(1, 1));
  b.wal->end_read();
  auto st = b.wal->checkpoint(3, nullptr, true);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(read_file(p).size(), 2u * 65536);
}

// A log written on a big-endian host (magic 0x377f0683: checksums over
// big-endian words) is recovered, and appended to in the same byte order.
TEST_P(WalTest, ForeignChecksumByteOrder) {
  std::string p = path("endian.db");
  const uint32_t ps = 1024;
  const bool big_end = !wal::kHostBigEndian;  // checksum words in the other order
  {
    std::vector<uint8_t> log(wal::kWalHeaderSize);
    put_u32(log.data(), wal::kWalMagic | (big_end ? 1 : 0));
    put_u32(log.data() + 4, wal::kWalVersion);
    put_u32(log.data() + 8, ps);
    put_u32(log.data() + 12, 0);
    uint8_t salt[8] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};
    std::memcpy(log.data() + 16, salt, 8);
    uint32_t ck[2];
    wal::checksum(wal::native_checksum(big_end), log.data(), 24, nullptr, ck);
    put_u32(log.data() + 24, ck[0]);
    put_u32(log.data() + 28, ck[1]);
    for (uint32_t f = 1; f <= 2; f++) {
      auto page = make_page(ps, f, 1);
      uint8_t fh[wal::kFrameHeaderSize];
      wal::encode_frame(wal::native_checksum(big_end), salt, f, f == 2 ? 2 : 0, page.data(), ps, ck, fh);
      log.insert(log.end(), fh, fh + sizeof fh);
      log.insert(log.end(), page.begin(), page.end());
    }
    Conn creator;  // creates the database file
    open(&creator, p, ps);
    creator.wal.reset();
    write_file_bytes(p + "-wal", 0, log.data(), log.size());
  }
  {
    Conn a;
    open(&a, p, ps);
    bool changed;
    ASSERT_OK(a.wal->begin_read(&changed));
    EXPECT_EQ(a.wal->frame_count(), 2u);
    EXPECT_TRUE(a.page_is(1, 1));
    EXPECT_TRUE(a.page_is(2, 1));
    a.wal->end_read();
    ASSERT_OK(a.commit({{3, 1}}, 3));
  }
  auto bytes = read_file(p + "-wal");
  EXPECT_EQ(get_u32(bytes.data()) & 1, big_end ? 1u : 0u);  // byte order kept
  Conn b;
  open(&b, p, ps);
  bool changed;
  ASSERT_OK(b.wal->begin_read(&changed));
  EXPECT_EQ(b.wal->frame_count(), 3u);
  EXPECT_TRUE(b.page_is(3, 1));
  b.wal->end_read();
}

// Opens every "-wal" read-only, as a VFS does when the file is not writable.
class ReadOnlyWalVfs final : public os::Vfs {
 public:
  explicit ReadOnlyWalVfs(os::Vfs& base) : base_(base) {}
  std::string_view name() const override { return "rowal"; }
  Result<std::unique_ptr<os::VfsFile>> open(std::string_view path, const os::OpenFlags& flags) override {
    os::OpenFlags f = flags;
    if (path.size() > 4 && path.substr(path.size() - 4) == "-wal") {
      f.read_only = true;
      f.create = false;
    }
    return base_.open(path, f);
  }
  Status remove(std::string_view path, bool sync_dir) override { return base_.remove(path, sync_dir); }
  Result<bool> exists(std::string_view path) override { return base_.exists(path); }
  Result<bool> is_writable(std::string_view path) override { return base_.is_writable(path); }
  Result<std::string> full_pathname(std::string_view path) override { return base_.full_pathname(path); }
  void randomness(void* buf, size_t n) override { base_.randomness(buf, n); }
  void sleep_micros(int64_t micros) override { base_.sleep_micros(micros); }
  int64_t current_time_ms() override { return base_.current_time_ms(); }

 private:
  os::Vfs& base_;
};

TEST_P(WalTest, ReadOnlyLogCanBeReadNotWritten) {
  std::string p = path("ro.db");
  Conn w;
  open(&w, p);
  ASSERT_OK(w.commit({{1, 1}, {2, 1}}, 2));
  w.wal.reset();  // the index is rebuilt by the read-only connection
  ReadOnlyWalVfs rovfs(vfs());
  Conn r;
  ASSERT_OK(r.open(rovfs, p, 1024));
  bool changed;
  ASSERT_OK(r.wal->begin_read(&changed));
  EXPECT_EQ(r.wal->frame_count(), 2u);
  EXPECT_TRUE(r.page_is(2, 1));
  EXPECT_EQ(r.wal->begin_write().code(), rc::kReadOnly);
  r.wal->end_read();
  EXPECT_EQ(r.wal->checkpoint(0, nullptr, true).status().code(), rc::kReadOnly);
  ASSERT_OK(w.db->unlock(os::LockLevel::kNone));
  ASSERT_OK(r.wal->close(true));
  EXPECT_TRUE(exists(p + "-wal"));  // a read-only connection never deletes the log
}

TEST_P(WalTest, CloseOfLastConnectionCheckpointsAndDeletes) {
  std::string p = path("close.db");
  Conn a, b;
  open(&a, p);
  open(&b, p);
  ASSERT_OK(a.commit({{1, 1}, {2, 1}}, 2));
  ASSERT_OK(a.wal->close(true));
  EXPECT_TRUE(exists(p + "-wal"));  // b still has the database open
  EXPECT_EQ(a.db->lock_level(), os::LockLevel::kShared);
  ASSERT_OK(a.db->unlock(os::LockLevel::kNone));  // what the pager does next
  ASSERT_OK(b.commit({{2, 2}}, 2));
  ASSERT_OK(b.wal->close(true));
  EXPECT_FALSE(exists(p + "-wal"));
  if (&vfs() == &os::default_vfs()) {
    EXPECT_FALSE(exists(p + "-shm"));
  }
  EXPECT_EQ(b.db->lock_level(), os::LockLevel::kShared);
  auto db = read_file(p);
  ASSERT_EQ(db.size(), 2u * 1024);
  EXPECT_EQ(0, std::memcmp(db.data() + 1024, make_page(1024, 2, 2).data(), 1024));
}

TEST_P(WalTest, CheckpointInsideTransactionIsLocked) {
  Conn a;
  open(&a, path("misuse.db"));
  bool changed;
  ASSERT_OK(a.wal->begin_read(&changed));
  EXPECT_EQ(a.wal->checkpoint(0, nullptr, true).status().code(), rc::kLocked);
  a.wal->end_read();
}

INSTANTIATE_TEST_SUITE_P(Vfs, WalTest, ::testing::Values("memory", "unix"));
INSTANTIATE_TEST_SUITE_P(Vfs, WalDamageTest, ::testing::Values("memory", "unix"));

}  // namespace
}  // namespace keel::storage
