// Sorter tests. The model is std::stable_sort with compare_records under the
// same KeyInfo: the Sorter must produce exactly the same byte sequence.
#include "vm/sorter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "keel/result_code.hpp"
#include "os/fault_vfs.h"
#include "vm/collation.h"
#include "vm/record.h"
#include "vm/record_compare.h"

namespace keel::vm {
namespace {

using Record = std::vector<uint8_t>;
using namespace std::string_view_literals;

Record make_record(const std::vector<Value>& values) {
  Record out;
  Status st = encode_record(values, out);
  EXPECT_TRUE(st.ok()) << st.to_string();
  return out;
}

int model_compare(const Record& a, const Record& b, const KeyInfo& ki) {
  int err = 0;
  int c = compare_records(a.data(), a.size(), b.data(), b.size(), ki, &err);
  EXPECT_EQ(err, 0);
  return c;
}

std::vector<Record> model_sort(std::vector<Record> recs, const KeyInfo& ki) {
  std::stable_sort(recs.begin(), recs.end(),
                   [&](const Record& a, const Record& b) { return model_compare(a, b, ki) < 0; });
  return recs;
}

// Adds every record, sorts, and reads everything back.
Status run_sorter(Sorter& s, const std::vector<Record>& in, std::vector<Record>* out) {
  out->clear();
  for (const Record& r : in) KEEL_RETURN_IF_ERROR(s.add(r));
  KEEL_RETURN_IF_ERROR(s.sort());
  while (!s.eof()) {
    auto cur = s.current();
    out->emplace_back(cur.begin(), cur.end());
    KEEL_RETURN_IF_ERROR(s.next());
  }
  return Status::Ok();
}

// Random values with many ties, covering every serial type class: NULL,
// small and large integers (types 1..6, 8, 9), reals (some integral, to meet
// equal integers), texts that differ in case, share 8-byte prefixes or need a
// two-byte serial type, and blobs.
class ValueGen {
 public:
  explicit ValueGen(uint64_t seed) : rng_(seed) {}

  Value any() {
    switch (pick(10)) {
      case 0:
        return Value::null();
      case 1:
      case 2:
        return Value::integer(static_cast<int64_t>(pick(11)) - 5);
      case 3:
        return Value::integer(static_cast<int64_t>(rng_()) >> pick(63));
      case 4:
        return Value::real((static_cast<double>(pick(21)) - 10) / 2);
      case 5:
        return Value::real(std::ldexp(static_cast<double>(static_cast<int64_t>(rng_() >> 11)), -30));
      case 6:
      case 7:
        return Value::text(text());
      default: {
        std::vector<uint8_t> b(pick(12));
        for (auto& x : b) x = static_cast<uint8_t>(pick(3));
        return Value::blob(b);
      }
    }
  }

  std::string text() {
    static const std::string_view kWords[] = {
        "a\0b"sv, "A\0c"sv, "ab\0"sv,   "\0"sv,      "",           "a",          "A",
        "abc",    "ABC",    "abcdefgh", "ABCDEFGH",  "abcdefghij", "abcdefghIJ", "abcdefgh\x01",
        "zeta",   "Zeta",   "\xc3\x9f", "\xc3\x9fX", "abcdefgh"};
    std::string s(kWords[pick(std::size(kWords))]);
    if (pick(4) == 0) s += std::string(40 + pick(40), static_cast<char>('a' + pick(3)));
    return s;
  }

  uint64_t pick(uint64_t n) { return rng_() % n; }

 private:
  std::mt19937_64 rng_;
};

struct KeyConfig {
  const char* name;
  std::vector<const Collation*> colls;
  std::vector<uint8_t> flags;
};

// Four key columns (mixed, text, mixed, int) plus a sequence column that
// makes keys unique, as the VM's ORDER BY records do.
KeyInfo key_info_for(const KeyConfig& c, uint16_t n_all) {
  KeyInfo ki;
  ki.n_key_field = n_all;
  ki.n_all_field = n_all;
  ki.collations = c.colls;
  ki.sort_flags = c.flags;
  return ki;
}

std::vector<Record> random_records(size_t n, uint64_t seed, bool with_seq) {
  ValueGen g(seed);
  std::vector<Record> recs;
  recs.reserve(n);
  for (size_t i = 0; i < n; i++) {
    std::vector<Value> v;
    v.push_back(g.any());
    v.push_back(g.pick(8) == 0 ? Value::null() : Value::text(g.text()));
    v.push_back(g.any());
    v.push_back(Value::integer(static_cast<int64_t>(g.pick(4))));
    if (with_seq) v.push_back(Value::integer(static_cast<int64_t>(i)));
    recs.push_back(make_record(v));
  }
  return recs;
}

std::vector<KeyConfig> key_configs() {
  const Collation* nc = nocase_collation();
  return {
      {"asc_binary", {}, {}},
      {"nocase_first", {nc, nc}, {}},
      {"desc_mixed", {nullptr, nc, nullptr, nullptr}, {kSortDesc, 0, kSortDesc, kSortDesc}},
      {"bignull", {nullptr, nc}, {kSortBigNull, kSortDesc | kSortBigNull, kSortDesc}},
      {"rtrim_desc_text", {rtrim_collation(), binary_collation()}, {0, kSortDesc}},
  };
}

// --- ordering against the model ------------------------------------------------

class SorterModelTest : public ::testing::TestWithParam<std::tuple<size_t, size_t>> {};

TEST_P(SorterModelTest, MatchesStableSortWithCompareRecords) {
  auto [n, budget] = GetParam();
  for (const KeyConfig& cfg : key_configs()) {
    SCOPED_TRACE(cfg.name);
    // Without the sequence column, equal keys exist and stability matters.
    for (bool with_seq : {true, false}) {
      KeyInfo ki = key_info_for(cfg, with_seq ? 5 : 4);
      auto in = random_records(n, n * 31 + budget + with_seq, with_seq);
      auto want = model_sort(in, ki);
      Sorter s(ki, os::memory_vfs(), budget);
      std::vector<Record> got;
      Status st = run_sorter(s, in, &got);
      ASSERT_TRUE(st.ok()) << st.to_string();
      EXPECT_EQ(s.size(), n);
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); i++) ASSERT_EQ(got[i], want[i]) << "at " << i;
      if (budget >= (1u << 24)) {
        EXPECT_EQ(s.stats().runs_spilled, 0u);
      }
      if (budget <= 8192 && n >= 1000) {
        EXPECT_GT(s.stats().runs_spilled, 1u);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, SorterModelTest,
                         ::testing::Values(std::make_tuple(size_t{0}, size_t{1} << 24),
                                           std::make_tuple(size_t{1}, size_t{1} << 24),
                                           std::make_tuple(size_t{7}, size_t{1} << 24),
                                           std::make_tuple(size_t{3000}, size_t{1} << 24),
                                           std::make_tuple(size_t{3000}, size_t{8192}),
                                           std::make_tuple(size_t{3000}, size_t{300}),
                                           std::make_tuple(size_t{2500}, size_t{60000})));

// With only the first column compared, the remaining columns show whether
// equal keys keep insertion order, in memory and across runs.
TEST(SorterTest, StableForEqualKeys) {
  KeyInfo ki;
  ki.n_key_field = 1;
  ki.n_all_field = 1;
  ki.collations = {nocase_collation()};
  ValueGen g(7);
  std::vector<Record> in;
  for (int i = 0; i < 5000; i++) {
    in.push_back(make_record({Value::text(g.pick(2) ? "key" : "KEY"),
                              Value::integer(static_cast<int64_t>(g.pick(3))), Value::integer(i)}));
  }
  for (size_t budget : {size_t{1} << 24, size_t{4096}}) {
    Sorter s(ki, os::memory_vfs(), budget);
    std::vector<Record> got;
    ASSERT_TRUE(run_sorter(s, in, &got).ok());
    EXPECT_EQ(got, in);  // all keys equal under NOCASE: insertion order
  }
}

// The first-column fast paths decide only when prefixes differ: texts that
// share 8 bytes, equal integers and equal reals must go on to later columns.
TEST(SorterTest, FastPathTiesFallThrough) {
  KeyInfo ki;
  ki.n_key_field = 2;
  ki.n_all_field = 2;
  ki.sort_flags = {kSortDesc, 0};
  std::vector<Record> in;
  std::mt19937_64 rng(3);
  for (int i = 0; i < 4000; i++) {
    Value first;
    switch (rng() % 4) {
      case 0:
        first = Value::integer(static_cast<int64_t>(rng() % 3) - 1);
        break;
      case 1:
        first = Value::real(static_cast<double>(rng() % 3) - 0.5);
        break;
      case 2:
        first = Value::text("prefix__" + std::string(1, static_cast<char>('a' + rng() % 3)));
        break;
      default:
        first = Value::text(rng() % 2 ? "prefix__" : "prefix_");
        break;
    }
    in.push_back(make_record({first, Value::integer(static_cast<int64_t>(rng() % 1000))}));
  }
  auto want = model_sort(in, ki);
  for (size_t budget : {size_t{1} << 24, size_t{2048}}) {
    Sorter s(ki, os::memory_vfs(), budget);
    std::vector<Record> got;
    ASSERT_TRUE(run_sorter(s, in, &got).ok());
    EXPECT_EQ(got, want);
  }
}

// A budget of a few records per run: hundreds of runs, merged over several
// levels with at most two temp files.
TEST(SorterTest, TinyBudgetMultiLevelMerge) {
  KeyConfig cfg = key_configs()[2];
  KeyInfo ki = key_info_for(cfg, 5);
  auto in = random_records(20000, 99, true);
  auto want = model_sort(in, ki);
  for (os::Vfs* vfs : {&os::memory_vfs(), &os::default_vfs()}) {
    SCOPED_TRACE(vfs->name());
    Sorter s(ki, *vfs, 1024);
    std::vector<Record> got;
    Status st = run_sorter(s, in, &got);
    ASSERT_TRUE(st.ok()) << st.to_string();
    EXPECT_EQ(got, want);
    EXPECT_GT(s.stats().runs_spilled, 16u * 16u);
    EXPECT_GE(s.stats().merge_levels, 2u);
    std::printf("[ tiny budget, %s VFS ] %llu runs, %llu merge levels, %llu bytes written\n",
                std::string(vfs->name()).c_str(), static_cast<unsigned long long>(s.stats().runs_spilled),
                static_cast<unsigned long long>(s.stats().merge_levels),
                static_cast<unsigned long long>(s.stats().bytes_written));
  }
}

// Fixed-size records make the run count exact, to probe the merge-level
// boundary: runs + the in-memory last batch <= 16 merge in one pass.
TEST(SorterTest, MergeLevelBoundaries) {
  KeyInfo ki;
  ki.n_key_field = ki.n_all_field = 1;
  const size_t kPerRun = 10;
  Record probe = make_record({Value::integer(1 << 20)});  // serial type 4: 6 bytes for every key below
  const size_t budget = kPerRun * (probe.size() + 2 * 24);
  std::mt19937_64 rng(11);
  for (size_t n : {150u, 151u, 160u, 161u, 170u, 171u, 2560u, 2561u, 2571u, 41000u}) {
    std::vector<Record> in;
    for (size_t i = 0; i < n; i++)
      in.push_back(make_record({Value::integer((1 << 20) + static_cast<int64_t>(rng() % 1000))}));
    for (auto& r : in) ASSERT_EQ(r.size(), probe.size());
    size_t runs = (n - 1) / kPerRun;
    uint64_t levels = 0;
    while (runs + 1 > 16) {
      runs = (runs + 15) / 16;
      levels++;
    }
    Sorter s(ki, os::memory_vfs(), budget);
    std::vector<Record> got;
    ASSERT_TRUE(run_sorter(s, in, &got).ok());
    EXPECT_EQ(got, model_sort(in, ki)) << n;
    EXPECT_EQ(s.stats().runs_spilled, (n - 1) / kPerRun) << n;
    EXPECT_EQ(s.stats().merge_levels, levels) << n;
  }
}

TEST(SorterTest, MemoryBudgetAsSqlite) {
  EXPECT_EQ(sorter_memory_budget(4096, -2000), 2048000u);  // the default cache_size
  EXPECT_EQ(sorter_memory_budget(4096, 100), 409600u);
  EXPECT_EQ(sorter_memory_budget(1024, 2), 10240u);  // at least 10 pages
  EXPECT_EQ(sorter_memory_budget(65536, -1000000000), size_t{1} << 29);
  EXPECT_EQ(sorter_memory_budget(65536, INT64_MAX), size_t{1} << 29);
  EXPECT_EQ(sorter_memory_budget(65536, INT64_MIN), size_t{1} << 29);
}

// A sort of a few rows under a large budget holds a few KiB, not the budget.
TEST(SorterTest, SmallSortsStaySmall) {
  KeyInfo ki;
  ki.n_key_field = ki.n_all_field = 1;
  Sorter s(ki, os::memory_vfs(), sorter_memory_budget(4096, -2000));
  std::vector<Record> in = {make_record({Value::text("b")}), make_record({Value::text("a")}),
                            make_record({Value::text("c")})};
  std::vector<Record> got;
  ASSERT_TRUE(run_sorter(s, in, &got).ok());
  EXPECT_EQ(got, model_sort(in, ki));
  EXPECT_LE(s.stats().peak_memory, 32u * 1024);
}

// Records larger than an arena block and an I/O chunk.
TEST(SorterTest, LargeRecords) {
  KeyInfo ki;
  ki.n_key_field = 2;
  ki.n_all_field = 2;
  std::mt19937_64 rng(5);
  std::vector<Record> in;
  for (int i = 0; i < 60; i++) {
    std::vector<uint8_t> big(1000 + rng() % 300000, static_cast<uint8_t>(rng()));
    in.push_back(make_record({Value::blob(big), Value::integer(i)}));
  }
  auto want = model_sort(in, ki);
  Sorter s(ki, os::memory_vfs(), 16384);
  std::vector<Record> got;
  ASSERT_TRUE(run_sorter(s, in, &got).ok());
  EXPECT_EQ(got, want);
  EXPECT_GE(s.stats().runs_spilled, 40u);  // most records overflow the budget on their own
}

TEST(SorterTest, EmptyAndMisuse) {
  KeyInfo ki;
  ki.n_key_field = ki.n_all_field = 1;
  Sorter s(ki, os::memory_vfs(), 1 << 20);
  EXPECT_TRUE(s.eof());
  EXPECT_EQ(s.next().code(), rc::kMisuse);
  ASSERT_TRUE(s.sort().ok());
  EXPECT_TRUE(s.eof());
  EXPECT_TRUE(s.current().empty());
  EXPECT_TRUE(s.next().ok());
  EXPECT_EQ(s.add(make_record({Value::integer(1)})).code(), rc::kMisuse);
  EXPECT_EQ(s.sort().code(), rc::kMisuse);
  int err = 0;
  s.compare_current(make_record({Value::integer(1)}), 1, &err);
  EXPECT_EQ(err, rc::kMisuse);
  EXPECT_EQ(s.add({}).code(), rc::kMisuse);
}

// Malformed input records are reported as CORRUPT by sort(), never a crash.
TEST(SorterTest, MalformedRecordIsCorrupt) {
  KeyInfo ki;
  ki.n_key_field = ki.n_all_field = 2;
  for (size_t budget : {size_t{1} << 20, size_t{64}}) {
    Sorter s(ki, os::memory_vfs(), budget);
    EXPECT_EQ(s.add({}).code(), rc::kCorrupt);
    ASSERT_TRUE(s.add(make_record({Value::text("x"), Value::integer(1)})).ok());
    const uint8_t bad[] = {0x09, 0x0f, 0x01};  // header size 9 > record size
    Status st = s.add(bad);
    if (st.ok()) st = s.sort();
    EXPECT_EQ(st.code(), rc::kCorrupt);
    EXPECT_TRUE(s.eof());
  }
}

// --- SorterCompare --------------------------------------------------------------

TEST(SorterTest, CompareCurrent) {
  KeyInfo ki;
  ki.n_key_field = 2;
  ki.n_all_field = 3;
  ki.collations = {nullptr, nocase_collation()};
  ki.sort_flags = {0, kSortDesc};
  std::vector<Record> in = {
      make_record({Value::integer(1), Value::text("b"), Value::integer(10)}),
      make_record({Value::integer(1), Value::text("A"), Value::integer(11)}),
      make_record({Value::integer(2), Value::null(), Value::integer(12)}),
  };
  for (size_t budget : {size_t{1} << 20, size_t{16}}) {
    Sorter s(ki, os::memory_vfs(), budget);
    for (auto& r : in) ASSERT_TRUE(s.add(r).ok());
    ASSERT_TRUE(s.sort().ok());
    int err = -1;
    // Current: (1, 'b', 10) — 'b' sorts first under DESC.
    ASSERT_EQ(s.current().size(), in[0].size());
    EXPECT_EQ(
        s.compare_current(make_record({Value::integer(1), Value::text("B"), Value::integer(99)}), 2, &err),
        0);
    EXPECT_EQ(err, 0);
    EXPECT_LT(s.compare_current(make_record({Value::integer(0), Value::text("b")}), 2, &err), 0);
    EXPECT_GT(s.compare_current(make_record({Value::integer(1), Value::text("a")}), 2, &err), 0);  // DESC
    EXPECT_LT(s.compare_current(make_record({Value::integer(1), Value::text("c")}), 2, &err), 0);
    EXPECT_EQ(s.compare_current(make_record({Value::integer(1), Value::text("zzz")}), 1, &err), 0);
    ASSERT_TRUE(s.next().ok());
    EXPECT_EQ(s.compare_current(make_record({Value::integer(1), Value::text("a")}), 2, &err), 0);
    ASSERT_TRUE(s.next().ok());
    // Current: (2, NULL, 12) — a NULL key column never compares equal.
    EXPECT_EQ(s.compare_current(make_record({Value::integer(2), Value::null()}), 2, &err), -1);
    EXPECT_EQ(err, 0);
    EXPECT_EQ(s.compare_current(make_record({Value::integer(2)}), 1, &err), 0);
    EXPECT_GT(s.compare_current(make_record({Value::integer(3)}), 1, &err), 0);
    ASSERT_TRUE(s.next().ok());
    EXPECT_TRUE(s.eof());
  }
}

// --- reset and reuse ------------------------------------------------------------

TEST(SorterTest, ResetAndReuse) {
  KeyInfo ki = key_info_for(key_configs()[1], 5);
  Sorter s(ki, os::memory_vfs(), 4096);
  for (int round = 0; round < 4; round++) {
    auto in = random_records(1500 + 500 * static_cast<size_t>(round), 1000 + round, true);
    std::vector<Record> got;
    ASSERT_TRUE(run_sorter(s, in, &got).ok());
    EXPECT_EQ(got, model_sort(in, ki));
    EXPECT_EQ(s.size(), in.size());
    EXPECT_GT(s.stats().runs_spilled, 0u);
    s.reset();
    EXPECT_EQ(s.size(), 0u);
    EXPECT_EQ(s.stats().runs_spilled, 0u);
    EXPECT_TRUE(s.eof());
    // Reset in the middle of input and in the middle of iteration too.
    for (size_t i = 0; i < 700; i++) ASSERT_TRUE(s.add(in[i]).ok());
    if (round % 2) {
      ASSERT_TRUE(s.sort().ok());
      ASSERT_TRUE(s.next().ok());
    }
    s.reset();
  }
}

// --- I/O errors -----------------------------------------------------------------

// Fails the n-th call of each operation in turn, from the first until a run
// completes untouched: every failure must surface as that operation's code
// from add/sort/next, stay sticky, leave eof() true, and reset() must make the
// sorter usable again.
TEST(SorterTest, IoErrorsPropagate) {
  KeyInfo ki = key_info_for(key_configs()[0], 5);
  auto in = random_records(3000, 17, true);
  auto want = model_sort(in, ki);
  const std::pair<os::FaultOp, int> ops[] = {{os::FaultOp::kWrite, rc::kIoErrWrite},
                                             {os::FaultOp::kRead, rc::kIoErrRead},
                                             {os::FaultOp::kTruncate, rc::kIoErrTruncate},
                                             {os::FaultOp::kOpen, rc::kCantOpen}};
  for (auto [op, code] : ops) {
    int failures = 0;
    for (uint64_t n = 1;; n++) {
      os::FaultVfs vfs(os::memory_vfs());
      vfs.fail_nth(op, n, /*persistent=*/n % 3 == 0);
      Sorter s(ki, vfs, 2048);  // > 16 runs: merge levels, truncates, two files
      std::vector<Record> got;
      Status st = run_sorter(s, in, &got);
      if (vfs.injected(op) == 0) {
        ASSERT_TRUE(st.ok()) << st.to_string();
        EXPECT_EQ(got, want);
        break;
      }
      ASSERT_FALSE(st.ok()) << "op " << static_cast<int>(op) << " call " << n;
      EXPECT_EQ(st.code(), code);
      failures++;
      EXPECT_TRUE(s.eof());
      EXPECT_EQ(s.next().code(), code);
      EXPECT_EQ(s.add(in[0]).code(), code);
      vfs.clear_faults();
      s.reset();
      ASSERT_TRUE(run_sorter(s, in, &got).ok());
      EXPECT_EQ(got, want);
      if (n > 400) n += 37;  // reads and writes are many: sample the tail
    }
    EXPECT_GT(failures, 0) << "op " << static_cast<int>(op);
  }
}

// A VFS whose reads return damaged bytes: runs read back must give CORRUPT
// (or, if damage only hits record bodies, some output), never a crash.
class DamagingVfs final : public os::Vfs {
 public:
  DamagingVfs(os::Vfs& base, uint8_t fill, uint64_t every) : base_(base), fill_(fill), every_(every) {}
  std::string_view name() const override { return "damaging"; }
  Result<std::unique_ptr<os::VfsFile>> open(std::string_view path, const os::OpenFlags& flags) override {
    KEEL_ASSIGN_OR_RETURN(auto f, base_.open(path, flags));
    return std::unique_ptr<os::VfsFile>(new File(std::move(f), this));
  }
  Status remove(std::string_view p, bool s) override { return base_.remove(p, s); }
  Result<bool> exists(std::string_view p) override { return base_.exists(p); }
  Result<bool> is_writable(std::string_view p) override { return base_.is_writable(p); }
  Result<std::string> full_pathname(std::string_view p) override { return base_.full_pathname(p); }
  void randomness(void* b, size_t n) override { base_.randomness(b, n); }
  void sleep_micros(int64_t m) override { base_.sleep_micros(m); }
  int64_t current_time_ms() override { return base_.current_time_ms(); }

 private:
  class File final : public os::VfsFile {
   public:
    File(std::unique_ptr<os::VfsFile> f, DamagingVfs* v) : f_(std::move(f)), v_(v) {}
    Status read(void* buf, size_t n, uint64_t off) override {
      Status st = f_->read(buf, n, off);
      auto* p = static_cast<uint8_t*>(buf);
      for (size_t i = 0; i < n; i++)
        if ((off + i) % v_->every_ == 0) p[i] = v_->fill_;
      return st;
    }
    Status write(const void* b, size_t n, uint64_t o) override { return f_->write(b, n, o); }
    Status truncate(uint64_t s) override { return f_->truncate(s); }
    Status sync(os::SyncFlags fl) override { return f_->sync(fl); }
    Result<uint64_t> size() override { return f_->size(); }
    Status lock(os::LockLevel l) override { return f_->lock(l); }
    Status unlock(os::LockLevel l) override { return f_->unlock(l); }
    Result<bool> check_reserved_lock() override { return f_->check_reserved_lock(); }
    os::LockLevel lock_level() const override { return f_->lock_level(); }
    Status shm_map(int r, bool e, volatile void** o) override { return f_->shm_map(r, e, o); }
    Status shm_lock(int o, int n, int fl) override { return f_->shm_lock(o, n, fl); }
    void shm_barrier() override {}
    Status shm_unmap(bool d) override { return f_->shm_unmap(d); }

   private:
    std::unique_ptr<os::VfsFile> f_;
    DamagingVfs* v_;
  };
  os::Vfs& base_;
  uint8_t fill_;
  uint64_t every_;
};

TEST(SorterTest, DamagedRunsAreCorruptNotCrash) {
  KeyInfo ki = key_info_for(key_configs()[3], 5);
  auto in = random_records(2000, 23, true);
  // Every byte zero: the first length read is 0.
  {
    DamagingVfs vfs(os::memory_vfs(), 0x00, 1);
    Sorter s(ki, vfs, 4096);
    std::vector<Record> got;
    EXPECT_EQ(run_sorter(s, in, &got).code(), rc::kCorrupt);
    EXPECT_TRUE(s.eof());
  }
  // Every byte 0xff: a 9-byte varint larger than the run.
  {
    DamagingVfs vfs(os::memory_vfs(), 0xff, 1);
    Sorter s(ki, vfs, 4096);
    std::vector<Record> got;
    EXPECT_EQ(run_sorter(s, in, &got).code(), rc::kCorrupt);
  }
  // Sparse damage: whatever happens, it is OK or CORRUPT.
  for (uint64_t every : {7u, 61u, 509u, 4099u}) {
    for (uint8_t fill : {uint8_t{0x00}, uint8_t{0x80}, uint8_t{0xff}, uint8_t{0x0d}}) {
      DamagingVfs vfs(os::memory_vfs(), fill, every);
      Sorter s(ki, vfs, 4096);
      std::vector<Record> got;
      Status st = run_sorter(s, in, &got);
      EXPECT_TRUE(st.ok() || st.code() == rc::kCorrupt) << st.to_string();
    }
  }
}

// --- a million records through real temp files ------------------------------------

// Accumulates wall and process CPU time over start/stop pairs (CPU time is
// the steadier number on a shared machine).
struct Stopwatch {
  double wall_ms = 0, cpu_ms = 0;
  std::chrono::steady_clock::time_point w0;
  std::clock_t c0 = 0;
  void start() {
    w0 = std::chrono::steady_clock::now();
    c0 = std::clock();
  }
  void stop() {
    wall_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - w0).count();
    cpu_ms += 1000.0 * static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  }
};

// One million (integer, text, sequence) records through the unix VFS's temp
// files with an 8 MiB budget. With text_first the NOCASE text column leads,
// so the first-column fast path never applies.
void million_records(const char* label, bool text_first) {
  KeyInfo ki;
  ki.n_key_field = 3;
  ki.n_all_field = 3;
  ki.collations = {text_first ? nocase_collation() : nullptr, text_first ? nullptr : nocase_collation()};
  const size_t kN = 1000000;
  const size_t kBatch = 65536;  // records generated (or checked) between timed stretches
  const size_t kBudget = 8u << 20;
  auto hash = [](const uint8_t* p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
  };
  std::mt19937_64 rng(2024);
  Sorter s(ki, os::default_vfs(), kBudget);
  std::vector<Value> v(3);
  Record rec;
  std::vector<uint8_t> flat;  // one batch of records, back to back
  std::vector<size_t> ends;   // end offset of each record in flat
  uint64_t in_hash = 0, in_bytes = 0;
  Stopwatch t_add, t_sort, t_read;
  char text[32];
  // Only the Sorter calls are timed: records are generated a batch at a time
  // outside the clock, and read back into a flat buffer that is checked
  // outside it too.
  for (size_t base = 0; base < kN; base += kBatch) {
    flat.clear();
    ends.clear();
    for (size_t i = base; i < std::min(kN, base + kBatch); i++) {
      uint64_t r = rng();
      int len = std::snprintf(text, sizeof text, "%s-%llu", (r >> 40) % 2 ? "Name" : "NAME",
                              static_cast<unsigned long long>((r >> 20) % 5000));
      v[text_first ? 1 : 0].set_int(static_cast<int64_t>(r % 200000) - 100000);
      v[text_first ? 0 : 1].set_text(std::string_view(text, static_cast<size_t>(len)));
      v[2].set_int(static_cast<int64_t>(i));
      ASSERT_TRUE(encode_record(v, rec).ok());
      in_hash += hash(rec.data(), rec.size());
      in_bytes += rec.size();
      flat.insert(flat.end(), rec.begin(), rec.end());
      ends.push_back(flat.size());
    }
    t_add.start();
    size_t from = 0;
    for (size_t e : ends) {
      ASSERT_TRUE(s.add(std::span<const uint8_t>(flat.data() + from, e - from)).ok());
      from = e;
    }
    t_add.stop();
  }
  t_sort.start();
  Status st = s.sort();
  ASSERT_TRUE(st.ok()) << st.to_string();
  t_sort.stop();
  Record prev;
  uint64_t out_hash = 0;
  size_t n_out = 0;
  bool ordered = true;
  while (!s.eof()) {
    flat.clear();
    ends.clear();
    t_read.start();
    for (size_t i = 0; i < kBatch && !s.eof(); i++) {
      auto cur = s.current();
      flat.insert(flat.end(), cur.begin(), cur.end());
      ends.push_back(flat.size());
      ASSERT_TRUE(s.next().ok());
    }
    t_read.stop();
    size_t from = 0;
    for (size_t e : ends) {
      const uint8_t* p = flat.data() + from;
      size_t n = e - from;
      out_hash += hash(p, n);
      if (n_out > 0) {
        int err = 0;
        if (compare_records(prev.data(), prev.size(), p, n, ki, &err) > 0 || err) ordered = false;
      }
      prev.assign(p, p + n);
      n_out++;
      from = e;
    }
  }
  EXPECT_TRUE(ordered);
  EXPECT_EQ(n_out, kN);
  EXPECT_EQ(out_hash, in_hash);
  const SorterStats& stats = s.stats();
  EXPECT_GT(stats.runs_spilled, 1u);
  // The batch, plus one buffer per merge input and the writer's.
  size_t chunk = std::clamp<size_t>(kBudget / 16, 4096, 256 * 1024);
  EXPECT_LE(stats.peak_memory, kBudget + 18 * chunk + (1u << 20));
  double wall = t_add.wall_ms + t_sort.wall_ms + t_read.wall_ms;
  double cpu = t_add.cpu_ms + t_sort.cpu_ms + t_read.cpu_ms;
  std::printf(
      "[ 1M records, %s ] %.1f MB of records, budget %zu MiB, %llu runs, %llu merge levels, %.1f MB "
      "written, peak memory %.1f MiB\n"
      "    CPU ms: add %.0f, sort %.0f, read %.0f = %.0f (%.2f M records/s); wall ms %.0f\n",
      label, static_cast<double>(in_bytes) / 1e6, kBudget >> 20,
      static_cast<unsigned long long>(stats.runs_spilled),
      static_cast<unsigned long long>(stats.merge_levels), static_cast<double>(stats.bytes_written) / 1e6,
      static_cast<double>(stats.peak_memory) / (1 << 20), t_add.cpu_ms, t_sort.cpu_ms, t_read.cpu_ms, cpu,
      static_cast<double>(kN) / cpu / 1000.0, wall);
}

TEST(SorterTest, MillionRecordsBoundedMemory) {
  million_records("integer first", false);
  million_records("NOCASE text first", true);
}

}  // namespace
}  // namespace keel::vm
