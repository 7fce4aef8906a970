// Crash safety: a forked writer runs random transactions against a database
// file and reports each commit through a pipe; the parent kills it with
// SIGKILL at a random moment, reopens the file (running hot-journal or WAL
// recovery), and checks that
//   * the b-tree integrity check passes (and, every few rounds, the sqlite3
//     CLI's PRAGMA integrity_check too), and
//   * the table holds exactly the state after the last commit the writer
//     reported — or after the one it was committing when it died, whose
//     commit may have become durable just before the report was written;
//     never a half-applied transaction.
// Each transaction's operations derive from (seed, transaction number), so
// the parent replays them into a std::map model to know both candidate
// states.
//
// Rounds per journal mode: KEEL_CRASH_ROUNDS (default 150; 10000 for a long run).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "storage/btree/btree.h"
#include "storage/pager/pager.h"
#include "vm/record.h"

namespace keel {
namespace {

using storage::Btree;
using storage::BtCursor;
using storage::Pager;

constexpr storage::PageNo kRoot = 2;  // the table's root page (created first)

int rounds() {
  const char* env = std::getenv("KEEL_CRASH_ROUNDS");
  return env ? std::max(1, atoi(env)) : 150;
}

std::vector<uint8_t> record_of(const std::vector<vm::Value>& vals) {
  std::vector<uint8_t> out;
  EXPECT_TRUE(vm::encode_record(vals, out).ok());
  return out;
}

// The operations of transaction `txn`: a few inserts/overwrites (some with
// overflow-sized payloads) and deletes over a small key space.
struct Op {
  bool remove;
  int64_t key;
  int64_t value;
  int size;  // payload filler bytes
};

std::vector<Op> ops_of(uint64_t seed, int64_t txn) {
  std::mt19937_64 rng(seed * 1000003 + static_cast<uint64_t>(txn));
  int n = 1 + static_cast<int>(rng() % 40);
  std::vector<Op> ops;
  for (int i = 0; i < n; i++) {
    Op op;
    op.key = 1 + static_cast<int64_t>(rng() % 2000);
    op.remove = rng() % 4 == 0;
    op.value = txn;
    int r = static_cast<int>(rng() % 100);
    op.size = r < 85 ? 20 + r : r < 98 ? 900 + r * 10 : 9000;  // some overflow chains
    ops.push_back(op);
  }
  return ops;
}

using Model = std::map<int64_t, std::pair<int64_t, int>>;  // key -> (txn, size)

void apply_ops(Model& m, const std::vector<Op>& ops) {
  for (const Op& op : ops) {
    if (op.remove) {
      m.erase(op.key);
    } else {
      m[op.key] = {op.value, op.size};
    }
  }
}

std::vector<uint8_t> row_record(int64_t key, int64_t txn, int size) {
  std::vector<vm::Value> vals(3);
  vals[0].set_int(txn);
  vals[1].set_text(std::string(static_cast<size_t>(size), static_cast<char>('a' + key % 26)));
  vals[2].set_int(key);
  return record_of(vals);
}

struct Db {
  std::unique_ptr<Pager> pager;
  std::unique_ptr<Btree> btree;
};

Result<Db> open_db(const std::string& path, bool wal) {
  Db db;
  storage::PagerOptions po;
  po.synchronous = storage::SyncLevel::kFull;
  po.cache_size = 100;  // small: forces spills inside large transactions
  KEEL_ASSIGN_OR_RETURN(db.pager, Pager::open(path, po));
  if (wal) KEEL_RETURN_IF_ERROR(db.pager->set_journal_mode(storage::JournalModeKind::kWal));
  KEEL_ASSIGN_OR_RETURN(db.btree, Btree::open(*db.pager));
  return db;
}

// Creates the file: sqlite_schema row for t(txn, pad, key) at root 2.
void create_db(const std::string& path, bool wal) {
  auto db = open_db(path, false);
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  Btree& bt = *db->btree;
  ASSERT_TRUE(bt.begin_write().ok());
  auto root = bt.create_table(storage::TreeKind::kTable);
  ASSERT_TRUE(root.ok());
  ASSERT_EQ(*root, kRoot);
  std::vector<vm::Value> schema(5);
  schema[0].set_text("table");
  schema[1].set_text("t");
  schema[2].set_text("t");
  schema[3].set_int(kRoot);
  schema[4].set_text("CREATE TABLE t(txn, pad, key)");
  BtCursor c(bt, 1, true);
  Status ins = c.insert(1, record_of(schema));
  ASSERT_TRUE(ins.ok()) << ins.to_string();
  ASSERT_TRUE(bt.set_meta(storage::Meta::kSchemaCookie, 1).ok());
  ASSERT_TRUE(bt.set_meta(storage::Meta::kSchemaFormat, 4).ok());
  ASSERT_TRUE(bt.commit().ok());
  if (wal) {
    Status mode = db->pager->set_journal_mode(storage::JournalModeKind::kWal);
    ASSERT_TRUE(mode.ok()) << mode.to_string();
  }
}

[[noreturn]] void writer(const std::string& path, bool wal, uint64_t seed, int64_t first_txn, int fd) {
  auto db = open_db(path, wal);
  if (!db.ok()) _exit(3);
  Btree& bt = *db->btree;
  for (int64_t txn = first_txn;; txn++) {
    if (!bt.begin_write().ok()) _exit(4);
    {
      BtCursor c(bt, kRoot, true);
      for (const Op& op : ops_of(seed, txn)) {
        if (op.remove) {
          auto r = c.seek_rowid(op.key);
          if (!r.ok()) _exit(5);
          if (!c.eof() && *r == storage::SeekResult::kFound && !c.remove().ok()) _exit(6);
        } else if (!c.insert(op.key, row_record(op.key, op.value, op.size)).ok()) {
          _exit(7);
        }
      }
    }
    if (!bt.commit().ok()) _exit(8);
    if (write(fd, &txn, sizeof txn) != sizeof txn) _exit(9);
  }
}

Model read_state(Btree& bt, std::string* error) {
  Model m;
  BtCursor c(bt, kRoot, false);
  Status s = c.first();
  std::vector<uint8_t> buf;
  while (s.ok() && !c.eof()) {
    buf.resize(c.payload_size());
    s = c.read_payload(0, c.payload_size(), buf.data());
    if (!s.ok()) break;
    std::vector<vm::Value> vals;
    s = vm::decode_record(buf, vals);
    if (!s.ok() || vals.size() != 3) {
      *error = "bad record";
      return m;
    }
    m[c.rowid()] = {vals[0].int_value(), static_cast<int>(vals[1].size())};
    s = c.next();
  }
  if (!s.ok()) *error = s.to_string();
  return m;
}

void crash_rounds(bool wal) {
  // tmpfs when there is one: a killed process loses no page-cache data, so
  // the test needs no real fsync, only the ordering of writes.
  char tmpl[] = "/dev/shm/keel-crash-XXXXXX";
  if (access("/dev/shm", W_OK) != 0) std::strcpy(tmpl, "/tmp/keel-crash-XXXXXX");
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string path = std::string(tmpl) + "/crash.db";
  create_db(path, wal);
  const uint64_t seed = 0x5eed0000u + (wal ? 1 : 0);
  std::mt19937_64 rng(seed);
  Model committed;       // state after the last verified transaction
  int64_t next_txn = 1;  // the next transaction the writer will run
  int total_kills = 0;
  for (int round = 0; round < rounds(); round++) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      writer(path, wal, seed, next_txn, fds[1]);
    }
    close(fds[1]);
    // Let it run for a random while, then kill it without warning.
    std::this_thread::sleep_for(std::chrono::microseconds(500 + rng() % 30000));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited by itself with status " << WEXITSTATUS(status);
    total_kills++;
    int64_t last_reported = next_txn - 1;
    int64_t id;
    while (read(fds[0], &id, sizeof id) == sizeof id) last_reported = id;
    close(fds[0]);
    // Advance the model to the last reported commit.
    for (int64_t t = next_txn; t <= last_reported; t++) apply_ops(committed, ops_of(seed, t));
    Model maybe_next = committed;
    apply_ops(maybe_next, ops_of(seed, last_reported + 1));

    auto db = open_db(path, wal);
    ASSERT_TRUE(db.ok()) << "round " << round << ": " << db.status().to_string();
    Btree& bt = *db->btree;
    ASSERT_TRUE(bt.begin_read().ok());
    std::vector<storage::PageNo> roots{1, kRoot};
    auto problems = bt.integrity_check(roots);
    ASSERT_TRUE(problems.ok()) << problems.status().to_string();
    ASSERT_TRUE(problems->empty()) << "round " << round << ": " << (*problems)[0];
    std::string error;
    Model state = read_state(bt, &error);
    bt.end_read();
    ASSERT_TRUE(error.empty()) << "round " << round << ": " << error;
    if (state == committed) {
      next_txn = last_reported + 1;
    } else if (state == maybe_next) {
      committed = maybe_next;
      next_txn = last_reported + 2;
    } else {
      FAIL() << "round " << round << ": the table matches neither transaction " << last_reported << " nor "
             << last_reported + 1 << " (" << state.size() << " rows vs " << committed.size() << ")";
    }
    db->btree.reset();
    db->pager.reset();
    if (round % 50 == 49) {
      std::string cmd = "sqlite3 '" + path + "' 'PRAGMA integrity_check; SELECT count(*) FROM t;' 2>&1";
      FILE* p = popen(cmd.c_str(), "r");
      ASSERT_NE(p, nullptr);
      char line[512];
      std::string out;
      while (fgets(line, sizeof line, p)) out += line;
      pclose(p);
      EXPECT_EQ(out, "ok\n" + std::to_string(committed.size()) + "\n") << "round " << round;
    }
  }
  std::printf("crash test (%s): %d kill points, %lld transactions verified\n", wal ? "WAL" : "DELETE", total_kills,
              static_cast<long long>(next_txn - 1));
  std::string cleanup = std::string("rm -rf '") + tmpl + "'";
  ASSERT_EQ(system(cleanup.c_str()), 0);
}

TEST(CrashSafety, KilledWriterDeleteJournal) { crash_rounds(false); }
TEST(CrashSafety, KilledWriterWal) { crash_rounds(true); }

}  // namespace
}  // namespace keel
