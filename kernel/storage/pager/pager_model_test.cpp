// Randomized model test: thousands of random operations (page writes, growth,
// truncation, nested savepoints, commits, rollbacks, reopens) through a tiny
// cache, checked against an in-memory model after every transaction, in every
// journal mode.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <vector>

#include "storage/pager/pager.h"
#include "storage/pager/pager_test_util.h"

namespace keel::storage {
namespace {

using ptest::TempDir;

struct Model {
  PageNo count = 0;
  std::map<PageNo, uint32_t> seed;  // page -> pattern seed
};

class PagerModelTest : public ::testing::TestWithParam<JournalModeKind> {};

TEST_P(PagerModelTest, RandomOperationsMatchModel) {
  TempDir dir(/*in_memory=*/true);
  std::string path = dir.path("model.db");
  PagerOptions o;
  o.page_size = 512;
  o.cache_size = 10;
  o.synchronous = SyncLevel::kNormal;
  // Knobs for longer runs: KEEL_PAGER_MODEL_SEED, KEEL_PAGER_MODEL_STEPS.
  const char* seed_env = getenv("KEEL_PAGER_MODEL_SEED");
  const char* steps_env = getenv("KEEL_PAGER_MODEL_STEPS");
  uint32_t seed = seed_env ? static_cast<uint32_t>(std::strtoul(seed_env, nullptr, 10)) : 1234;
  int steps = steps_env ? std::atoi(steps_env) : 1000;
  std::mt19937 rng(seed + static_cast<uint32_t>(GetParam()));
  auto pick = [&](uint32_t n) { return n == 0 ? 0u : static_cast<uint32_t>(rng() % n); };

  auto pager = std::move(Pager::open(path, o)).value();
  // Page 1 first, so that entering WAL mode (which writes page 1) does not
  // change the model.
  ASSERT_TRUE(pager->begin_write().ok());
  ASSERT_TRUE(ptest::write_pattern(*pager, 1, 1, 0).ok());
  ASSERT_TRUE(pager->commit().ok());
  ASSERT_TRUE(pager->set_journal_mode(GetParam()).ok());
  Model committed;
  committed.count = 1;
  committed.seed[1] = 0;
  uint32_t next_seed = 1;

  auto verify = [&](Pager& p, const Model& m, const char* when, int step) {
    ASSERT_EQ(p.page_count(), m.count) << when << " step " << step;
    for (PageNo n = 1; n <= m.count; ++n) {
      auto r = p.get(n);
      ASSERT_TRUE(r.ok()) << r.status().to_string();
      auto it = m.seed.find(n);
      ASSERT_NE(it, m.seed.end());
      ASSERT_TRUE(ptest::page_matches(r->data(), p.usable_size(), n, it->second))
          << when << " step " << step << " page " << n << " seed " << it->second;
    }
  };

  bool trace = getenv("TRACE") != nullptr;
  for (int step = 0; step < steps; ++step) {
    Model txn = committed;
    std::vector<Model> savepoints;
    uint64_t spills_before = pager->stats().spills;
    ASSERT_TRUE(pager->begin_write().ok());
    int ops = 1 + static_cast<int>(pick(40));
    for (int i = 0; i < ops; ++i) {
      uint32_t what = pick(100);
      if (what < 60 || txn.count == 0) {
        // Write a run of pages, possibly growing the database by one.
        PageNo first = 1 + pick(txn.count + 1);
        PageNo len = 1 + pick(12);
        if (trace)
          printf("  write %u..%u (count %u) seed %u\n", first, first + len - 1, txn.count, next_seed);
        for (PageNo n = first; n < first + len && n <= txn.count + 1; ++n) {
          auto r = pager->get(n);
          ASSERT_TRUE(r.ok()) << r.status().to_string();
          PageRef ref = std::move(r).value();
          ASSERT_TRUE(pager->make_writable(ref).ok());
          if (n == 1) ptest::init_page1(ref.mutable_data(), pager->usable_size());
          ptest::fill_page(ref.mutable_data(), pager->usable_size(), n, next_seed);
          txn.seed[n] = next_seed;
          if (n > txn.count) txn.count = n;
        }
        ++next_seed;
      } else if (what < 66 && txn.count > 2) {
        PageNo to = 1 + pick(txn.count);
        if (trace) printf("  truncate %u\n", to);
        ASSERT_TRUE(pager->truncate(to).ok());
        txn.count = to;
        for (auto it = txn.seed.upper_bound(to); it != txn.seed.end();) it = txn.seed.erase(it);
      } else if (what < 78) {
        auto d = pager->open_savepoint();
        ASSERT_TRUE(d.ok());
        ASSERT_EQ(*d, static_cast<int>(savepoints.size()) + 1);
        savepoints.push_back(txn);
        if (trace) printf("  savepoint %zu\n", savepoints.size());
      } else if (what < 86 && !savepoints.empty()) {
        int depth = 1 + static_cast<int>(pick(static_cast<uint32_t>(savepoints.size())));
        if (trace) printf("  rollback_to %d\n", depth);
        ASSERT_TRUE(pager->rollback_to_savepoint(depth).ok());
        txn = savepoints[static_cast<size_t>(depth - 1)];
        savepoints.resize(static_cast<size_t>(depth));
      } else if (what < 92 && !savepoints.empty()) {
        int depth = 1 + static_cast<int>(pick(static_cast<uint32_t>(savepoints.size())));
        if (trace) printf("  release %d\n", depth);
        ASSERT_TRUE(pager->release_savepoint(depth).ok());
        savepoints.resize(static_cast<size_t>(depth - 1));
      }
    }
    verify(*pager, txn, "in transaction", step);
    if (trace)
      printf(" step %d: count %u spills %llu\n", step, txn.count, (unsigned long long)pager->stats().spills);
    // OFF cannot undo pages that already reached the file (as SQLite): roll
    // back there only transactions that did not spill.
    bool can_roll_back = GetParam() != JournalModeKind::kOff || pager->stats().spills == spills_before;
    if ((pick(4) == 0 && can_roll_back) || txn.count == 0) {
      if (trace) printf(" rollback\n");
      ASSERT_TRUE(pager->rollback().ok());
    } else {
      if (trace) printf(" commit\n");
      Status s = pager->commit();
      ASSERT_TRUE(s.ok()) << s.to_string();
      committed = txn;
    }
    ASSERT_TRUE(pager->begin_read().ok());
    verify(*pager, committed, "after transaction", step);
    pager->end_read();
    if (pick(25) == 0) {
      pager.reset();
      pager = std::move(Pager::open(path, o)).value();
      if (GetParam() != JournalModeKind::kWal) {
        ASSERT_TRUE(pager->set_journal_mode(GetParam()).ok());
      }
      ASSERT_TRUE(pager->begin_read().ok());
      verify(*pager, committed, "after reopen", step);
      pager->end_read();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllModes, PagerModelTest,
                         ::testing::Values(JournalModeKind::kDelete, JournalModeKind::kTruncate,
                                           JournalModeKind::kPersist, JournalModeKind::kMemory,
                                           JournalModeKind::kOff, JournalModeKind::kWal),
                         [](const ::testing::TestParamInfo<JournalModeKind>& i) {
                           switch (i.param) {
                             case JournalModeKind::kDelete:
                               return "Delete";
                             case JournalModeKind::kTruncate:
                               return "Truncate";
                             case JournalModeKind::kPersist:
                               return "Persist";
                             case JournalModeKind::kMemory:
                               return "Memory";
                             case JournalModeKind::kOff:
                               return "Off";
                             default:
                               return "Wal";
                           }
                         });

}  // namespace
}  // namespace keel::storage
