// Power cuts during commits of an encrypted database: a child process runs
// a transaction through the pager with the codec over a FaultVfs, fails the
// k-th write (or sync) of the commit, cuts the power (torn sectors too) and
// dies; the parent reopens with the codec and must find exactly the old or
// exactly the new rows, with a sound b-tree and every page authentic.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "encryption_codec.h"
#include "os/fault_vfs.h"
#include "os/vfs.h"
#include "storage/btree/btree.h"
#include "storage/pager/pager.h"
#include "test_util.h"

namespace keel::crypto {
namespace {

namespace fs = std::filesystem;
using storage::BtCursor;
using storage::Btree;
using storage::JournalModeKind;
using storage::Pager;
using storage::PagerOptions;
using Bytes = std::vector<uint8_t>;

std::unique_ptr<EncryptionCodec> codec() {
  auto k = SecretKey::from_bytes(Bytes(32, 0x5c));
  return std::move(
             EncryptionCodec::create({CipherId::kAegis256, FormatVersion::kKeel, {}}, std::move(k).value()))
      .value();
}

Bytes row(int64_t id, int version) {
  Bytes b(40 + (id * 13) % 300, static_cast<uint8_t>(version * 16 + id % 16));
  b[0] = static_cast<uint8_t>(version);
  return b;
}

// Rows 1..n at `version`, in one transaction (the table is root 2).
Status write_rows(Btree& bt, int64_t n, int version, bool create) {
  KEEL_RETURN_IF_ERROR(bt.begin_write());
  if (create) {
    auto root = bt.create_table(storage::TreeKind::kTable);
    if (!root.ok()) return root.status();
  }
  BtCursor c(bt, 2, true);
  for (int64_t id = 1; id <= n; ++id) KEEL_RETURN_IF_ERROR(c.insert(id, row(id, version)));
  return Status::Ok();
}

// 0: rows 1..100 at version 0; 1: rows 1..160 at version 1; -1: anything else.
int state_of(Btree& bt) {
  if (!bt.begin_read().ok()) return -1;
  std::map<int64_t, Bytes> rows;
  {
    BtCursor c(bt, 2, false);
    Status s = c.first();
    while (s.ok() && !c.eof()) {
      Bytes p(c.payload_size());
      s = c.read_payload(0, p.size(), p.data());
      rows[c.rowid()] = p;
      if (s.ok()) s = c.next();
    }
    if (!s.ok()) {
      bt.end_read();
      return -1;
    }
  }
  storage::PageNo roots[] = {1, 2};
  auto problems = bt.integrity_check(roots);
  bt.end_read();
  if (!problems.ok() || !problems->empty()) return -1;
  for (int version : {0, 1}) {
    int64_t n = version == 0 ? 100 : 160;
    bool match = static_cast<int64_t>(rows.size()) == n;
    for (int64_t id = 1; match && id <= n; ++id) match = rows[id] == row(id, version);
    if (match) return version;
  }
  return -1;
}

void crash_during_commit(os::FaultOp op, uint64_t k, bool tear, JournalModeKind mode, int* seen) {
  std::string base = fs::exists("/dev/shm") ? "/dev/shm" : "/tmp";
  std::string tmpl_s = base + "/keel_crypto_crash_XXXXXX";
  std::vector<char> tmpl(tmpl_s.begin(), tmpl_s.end());
  tmpl.push_back('\0');
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  std::string dir = tmpl.data(), path = dir + "/c.db";
  auto c0 = codec();
  PagerOptions o;
  o.page_size = 1024;
  o.codec = c0.get();
  o.synchronous = storage::SyncLevel::kExtra;
  {
    auto p = std::move(Pager::open(path, o)).value();
    ASSERT_OK(p->set_journal_mode(mode));
    auto bt = std::move(Btree::open(*p)).value();
    ASSERT_OK(write_rows(*bt, 100, 0, true));
    ASSERT_OK(bt->commit());
  }
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    os::FaultVfs vfs(os::default_vfs(), k * 31 + tear);
    auto c = codec();
    PagerOptions co = o;
    co.vfs = &vfs;
    co.codec = c.get();
    auto r = Pager::open(path, co);
    if (!r.ok()) _exit(10);
    auto p = std::move(r).value();
    if (!p->set_journal_mode(mode).ok()) _exit(11);
    auto bt = std::move(Btree::open(*p)).value();
    if (!write_rows(*bt, 160, 1, false).ok()) _exit(12);
    vfs.fail_nth(op, k);
    Status s = bt->commit();
    vfs.clear_faults();
    if (!vfs.power_cut(tear).ok()) _exit(13);
    _exit(s.ok() ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_LE(WEXITSTATUS(status), 1) << "child setup failed: " << WEXITSTATUS(status);
  bool committed = WEXITSTATUS(status) == 0;
  {
    auto c = codec();
    PagerOptions ro = o;
    ro.codec = c.get();
    auto p = Pager::open(path, ro);
    ASSERT_TRUE(p.ok()) << p.status().to_string() << " k=" << k << " tear=" << tear;
    auto bt = std::move(Btree::open(**p)).value();
    int st = state_of(*bt);
    EXPECT_NE(st, -1) << "k=" << k << " tear=" << tear;
    if (committed) {
      EXPECT_EQ(st, 1) << "a reported commit was lost, k=" << k;
    }
    if (st >= 0) ++seen[st];
  }
  fs::remove_all(dir);
}

class EncryptedCrash : public ::testing::TestWithParam<JournalModeKind> {};

TEST_P(EncryptedCrash, PowerCutAtWritesAndSyncsOfTheCommit) {
  if (!check_cpu_support(CipherId::kAegis256).ok()) GTEST_SKIP();
  int seen[2] = {0, 0};
  for (uint64_t k = 1; k <= 60; k += 3) {
    for (bool tear : {false, true}) {
      crash_during_commit(os::FaultOp::kWrite, k, tear, GetParam(), seen);
      if (HasFatalFailure()) return;
    }
  }
  for (uint64_t k = 1; k <= 5; ++k) {
    crash_during_commit(os::FaultOp::kSync, k, true, GetParam(), seen);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(seen[0], 0) << "no crash left the old state";
  EXPECT_GT(seen[1], 0) << "no crash left the new state";
}

INSTANTIATE_TEST_SUITE_P(Modes, EncryptedCrash,
                         ::testing::Values(JournalModeKind::kDelete, JournalModeKind::kWal),
                         [](const auto& p) { return p.param == JournalModeKind::kWal ? "wal" : "delete"; });

}  // namespace
}  // namespace keel::crypto
