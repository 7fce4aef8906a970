// The WAL under I/O errors and power cuts (os::FaultVfs), and under real
// concurrency (threads on separate connections).
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "os/fault_vfs.h"
#include "storage/wal/wal_format.h"
#include "storage/wal/wal_test_util.h"

namespace keel::storage {
namespace {

using wal_testing::Conn;
using wal_testing::make_page;
using wal_testing::TempDir;

class WalFaultTest : public ::testing::TestWithParam<const char*> {
 protected:
  os::Vfs& base() { return std::string(GetParam()) == "memory" ? os::memory_vfs() : os::default_vfs(); }
  std::string path(const std::string& name) { return wal_testing::db_path_for(base(), dir_, name); }
  TempDir dir_;
};

// Commit through Conn, rolling back (undo) on failure as the pager does.
Status commit_or_undo(Conn& c, const std::map<PageNo, uint32_t>& pages, PageNo db_size, bool sync) {
  bool changed;
  KEEL_RETURN_IF_ERROR(c.wal->begin_read(&changed));
  Status s = c.wal->begin_write();
  if (s.ok()) s = c.append(pages, db_size, true, sync);
  if (!s.ok()) c.wal->undo(nullptr).ignore();
  c.wal->end_read();
  return s;
}

TEST_P(WalFaultTest, WriteErrorDuringCommit) {
  os::FaultVfs fv(base());
  std::string p = path("fw.db");
  {
    Conn a;
    ASSERT_OK(a.open(fv, p, 1024));
    ASSERT_OK(commit_or_undo(a, {{1, 1}}, 1, true));
    fv.fail_nth(os::FaultOp::kWrite, 2);
    Status s = commit_or_undo(a, {{1, 2}, {2, 2}, {3, 2}}, 3, true);
    EXPECT_EQ(s.code(), rc::kIoErrWrite);
    bool changed;
    ASSERT_OK(a.wal->begin_read(&changed));
    EXPECT_TRUE(a.page_is(1, 1));
    EXPECT_EQ(a.wal->frame_count(), 1u);
    a.wal->end_read();
    ASSERT_OK(commit_or_undo(a, {{2, 3}}, 2, true));
  }
  Conn b;
  ASSERT_OK(b.open(fv, p, 1024));
  bool changed;
  ASSERT_OK(b.wal->begin_read(&changed));
  EXPECT_EQ(b.wal->frame_count(), 2u);
  EXPECT_EQ(b.wal->db_size(), 2u);
  EXPECT_TRUE(b.page_is(1, 1));
  EXPECT_TRUE(b.page_is(2, 3));
  EXPECT_EQ(*b.wal->find_frame(3), 0u);
  b.wal->end_read();
}

TEST_P(WalFaultTest, SyncErrorAtCommitIsNotPublished) {
  os::FaultVfs fv(base());
  std::string p = path("fs.db");
  Conn a, r;
  ASSERT_OK(a.open(fv, p, 1024));
  ASSERT_OK(r.open(fv, p, 1024));
  ASSERT_OK(commit_or_undo(a, {{1, 1}}, 1, true));
  fv.fail_nth(os::FaultOp::kSync, 1);
  EXPECT_EQ(commit_or_undo(a, {{1, 2}}, 1, true).code(), rc::kIoErrFsync);
  bool changed;
  ASSERT_OK(r.wal->begin_read(&changed));
  EXPECT_TRUE(r.page_is(1, 1));
  r.wal->end_read();
  ASSERT_OK(commit_or_undo(a, {{1, 3}}, 1, true));
  ASSERT_OK(r.wal->begin_read(&changed));
  EXPECT_TRUE(r.page_is(1, 3));
  EXPECT_EQ(r.wal->frame_count(), 2u);
  r.wal->end_read();
}

TEST_P(WalFaultTest, CheckpointErrorLeavesBackfillUnchanged) {
  os::FaultVfs fv(base());
  std::string p = path("fc.db");
  Conn a;
  ASSERT_OK(a.open(fv, p, 1024));
  ASSERT_OK(commit_or_undo(a, {{1, 1}, {2, 1}}, 2, true));
  ASSERT_OK(commit_or_undo(a, {{2, 2}}, 2, true));
  fv.fail_nth(os::FaultOp::kWrite, 2);  // the second page written to the database
  auto st = a.wal->checkpoint(0, nullptr, true);
  EXPECT_EQ(st.status().code(), rc::kIoErrWrite);
  fv.fail_nth(os::FaultOp::kSync, 2);  // the database sync (the log sync is first)
  st = a.wal->checkpoint(0, nullptr, true);
  EXPECT_EQ(st.status().code(), rc::kIoErrFsync);
  bool changed;
  ASSERT_OK(a.wal->begin_read(&changed));
  EXPECT_NE(*a.wal->find_frame(2), 0u);  // still read from the log
  EXPECT_TRUE(a.page_is(2, 2));
  a.wal->end_read();
  st = a.wal->checkpoint(0, nullptr, true);
  ASSERT_TRUE(st.ok()) << st.status().to_string();
  EXPECT_EQ(st->checkpointed_frames, 3);
}

// Transaction k (1-based) writes page 1 (version k) and page k+1 (version k);
// the database then has k+1 pages. After a power cut the log must show
// exactly some prefix T1..Tk that includes every transaction synced.
void expect_prefix(Conn& c, uint32_t min_k, uint32_t max_k, uint32_t* k_out) {
  bool changed;
  ASSERT_OK(c.wal->begin_read(&changed));
  uint32_t k = c.wal->db_size() == 0 ? 0 : c.wal->db_size() - 1;
  *k_out = k;
  EXPECT_GE(k, min_k);
  EXPECT_LE(k, max_k);
  if (k > 0) {
    EXPECT_TRUE(c.page_is(1, k));
  }
  for (uint32_t j = 2; j <= k + 1; j++) EXPECT_TRUE(c.page_is(j, j - 1)) << "page " << j;
  EXPECT_EQ(*c.wal->find_frame(k + 2), 0u);
  c.wal->end_read();
}

TEST_P(WalFaultTest, PowerCutKeepsSyncedCommitsAndAPrefix) {
  int seen[8] = {};
  for (uint64_t seed = 1; seed <= 24; seed++) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    os::FaultVfs fv(base(), seed);
    std::string p = path("pc" + std::to_string(seed) + ".db");
    const bool tear = seed % 2 == 0;
    const bool with_checkpoint = seed % 3 == 0;
    {
      Conn a;
      ASSERT_OK(a.open(fv, p, 512));
      for (uint32_t k = 1; k <= 6; k++) {
        ASSERT_OK(commit_or_undo(a, {{1, k}, {k + 1, k}}, k + 1, /*sync=*/k <= 3));
        if (with_checkpoint && k == 2) {
          ASSERT_TRUE(a.wal->checkpoint(0, nullptr, true).ok());
        }
      }
      ASSERT_OK(fv.power_cut(tear));
      a.wal.reset();  // dead handles: close them before reopening
      a.db.reset();
    }
    Conn b;
    ASSERT_OK(b.open(fv, p, 512));
    uint32_t k = 0;
    expect_prefix(b, 3, 6, &k);
    seen[k]++;
    // The recovered log is good for more commits.
    ASSERT_OK(commit_or_undo(b, {{1, 7}}, k + 1, true));
    bool changed;
    ASSERT_OK(b.wal->begin_read(&changed));
    EXPECT_TRUE(b.page_is(1, 7));
    b.wal->end_read();
  }
  EXPECT_GT(seen[3], 0);  // untorn cuts lose every unsynced commit
}

// One writer, two readers and a checkpointer cycling through every mode, each
// on its own connection. Readers must always see a whole transaction (all
// pages of one version, never older than the last one they saw).
TEST_P(WalFaultTest, ConcurrentReadersWriterCheckpointer) {
  std::string p = path("conc.db");
  const uint32_t ps = 512;
  const uint32_t kCommits = 1000;
  const PageNo kPages = 4;
  auto image = [&](PageNo pg, uint32_t v) {
    auto img = make_page(ps, pg, v);
    put_u32(img.data(), v);
    return img;
  };
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::atomic<int> snapshots{0}, checkpoints{0};
  std::atomic<int> ready{0};  // threads start working together
  auto start = [&] {
    ready++;
    while (ready.load() < 4) std::this_thread::yield();
  };
  auto fail = [&](const std::string& what) {
    if (failures++ < 5) ADD_FAILURE() << what;
  };

  std::thread writer([&] {
    Conn c;
    bool opened = c.open(base(), p, ps).ok();
    start();
    if (!opened) return fail("writer open");
    for (uint32_t v = 1; v <= kCommits; v++) {
      std::vector<std::vector<uint8_t>> imgs;
      std::vector<WalPage> wp;
      for (PageNo pg = 1; pg <= kPages; pg++) imgs.push_back(image(pg, v));
      for (PageNo pg = 1; pg <= kPages; pg++) wp.push_back(WalPage{pg, imgs[pg - 1].data()});
      // Busy while a checkpointer or reader holds a lock: retry for up to
      // 30 s of wall time (a count of retries runs out on a loaded machine,
      // where the lock holder may not be scheduled for a while).
      auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      for (;;) {
        bool changed;
        Status s = c.wal->begin_read(&changed);
        if (s.ok()) s = c.wal->begin_write();
        if (s.ok()) s = c.wal->append_frames(wp, kPages, true, false);
        c.wal->end_read();
        if (s.ok()) break;
        if (!s.is(rc::kBusy) || std::chrono::steady_clock::now() > give_up)
          return fail("writer: " + s.to_string());
        std::this_thread::yield();
      }
      if (v % 4 == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  });
  auto reader = [&] {
    Conn c;
    bool opened = c.open(base(), p, ps).ok();
    start();
    if (!opened) return fail("reader open");
    uint32_t last = 0;
    std::vector<uint8_t> got;
    while (!done.load()) {
      bool changed;
      Status s = c.wal->begin_read(&changed);
      if (s.is(rc::kBusy)) continue;
      if (!s.ok()) return fail("reader begin: " + s.to_string());
      uint32_t v = 0;
      for (PageNo pg = 1; pg <= kPages; pg++) {
        if (!c.read_page(pg, &got).ok()) return fail("reader read");
        uint32_t pv = get_u32(got.data());
        if (pg == 1) v = pv;
        if (pv != v || (v != 0 && got != image(pg, v))) {
          c.wal->end_read();
          return fail("torn snapshot: page " + std::to_string(pg) + " v" + std::to_string(pv) + " vs v" +
                      std::to_string(v));
        }
      }
      if (v < last) return fail("snapshot went back in time");
      last = v;
      snapshots++;
      c.wal->end_read();
    }
  };
  std::thread r1(reader), r2(reader);
  std::thread ckpt([&] {
    Conn c;
    bool opened = c.open(base(), p, ps).ok();
    start();
    if (!opened) return fail("checkpointer open");
    for (int mode = 0; !done.load(); mode = (mode + 1) % 4) {
      auto st = c.wal->checkpoint(
          mode,
          [](int n) {
            std::this_thread::yield();
            return n < 20;
          },
          false);
      if (!st.ok() && !st.status().is(rc::kBusy)) return fail("checkpoint: " + st.status().to_string());
      checkpoints++;
      std::this_thread::yield();
    }
  });
  writer.join();
  done = true;
  r1.join();
  r2.join();
  ckpt.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(snapshots.load(), 0);
  EXPECT_GT(checkpoints.load(), 4);
  Conn c;
  ASSERT_OK(c.open(base(), p, ps));
  bool changed;
  ASSERT_OK(c.wal->begin_read(&changed));
  std::vector<uint8_t> got;
  for (PageNo pg = 1; pg <= kPages; pg++) {
    ASSERT_OK(c.read_page(pg, &got));
    EXPECT_EQ(got, image(pg, kCommits));
  }
  c.wal->end_read();
}

// A Keel writer in another process; this process reads snapshots and runs
// checkpoints of every mode. Exercises the shm locks across processes.
TEST(WalProcessTest, WriterInAnotherProcess) {
  TempDir dir;
  std::string p = dir.file("proc.db");
  const uint32_t ps = 1024;
  const uint32_t kCommits = 2000;
  const PageNo kPages = 3;
  auto image = [&](PageNo pg, uint32_t v) {
    auto img = make_page(ps, pg, v);
    put_u32(img.data(), v);
    return img;
  };
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    char c;
    if (read(go[0], &c, 1) != 1) _exit(2);
    Conn w;
    if (!w.open(os::default_vfs(), p, ps).ok()) _exit(3);
    for (uint32_t v = 1; v <= kCommits; v++) {
      std::vector<std::vector<uint8_t>> imgs;
      std::vector<WalPage> wp;
      for (PageNo pg = 1; pg <= kPages; pg++) imgs.push_back(image(pg, v));
      for (PageNo pg = 1; pg <= kPages; pg++) wp.push_back(WalPage{pg, imgs[pg - 1].data()});
      for (int attempt = 0;; attempt++) {
        bool changed;
        Status s = w.wal->begin_read(&changed);
        if (s.ok()) s = w.wal->begin_write();
        if (s.ok()) s = w.wal->append_frames(wp, kPages, true, false);
        w.wal->end_read();
        if (s.ok()) break;
        if (!s.is(rc::kBusy) || attempt > 1000000) _exit(4);
        usleep(10);
      }
    }
    _exit(0);
  }
  Conn r;
  ASSERT_OK(r.open(os::default_vfs(), p, ps));
  char c = 'g';
  ASSERT_EQ(write(go[1], &c, 1), 1);
  uint32_t last = 0;
  int snapshots = 0, mode = 0;
  std::vector<uint8_t> got;
  for (int status = 0;;) {
    bool exited = waitpid(pid, &status, WNOHANG) == pid;
    bool changed;
    Status s = r.wal->begin_read(&changed);
    if (s.is(rc::kBusy)) continue;
    ASSERT_OK(s);
    uint32_t v = 0;
    for (PageNo pg = 1; pg <= kPages; pg++) {
      ASSERT_OK(r.read_page(pg, &got));
      if (pg == 1) v = get_u32(got.data());
      ASSERT_EQ(get_u32(got.data()), v) << "torn snapshot";
      if (v) {
        ASSERT_EQ(got, image(pg, v));
      }
    }
    ASSERT_GE(v, last);
    last = v;
    snapshots++;
    r.wal->end_read();
    auto st = r.wal->checkpoint(
        mode, [](int n) { return n < 5; }, false);
    ASSERT_TRUE(st.ok() || st.status().is(rc::kBusy)) << st.status().to_string();
    mode = (mode + 1) % 4;
    if (exited) {
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
      break;
    }
  }
  EXPECT_EQ(last, kCommits);
  EXPECT_GT(snapshots, 1);
}

INSTANTIATE_TEST_SUITE_P(Vfs, WalFaultTest, ::testing::Values("memory", "unix"));

}  // namespace
}  // namespace keel::storage
