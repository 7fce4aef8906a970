// Bounded, deterministic corruption fuzzing of the storage layers (pager,
// WAL, b-tree, record decoding). Seeds are valid databases the sqlite3 CLI
// writes at test time (seed_corpus.h); each iteration mutates one seed
// (mutator.h) and runs the shared harness over it (fuzz_harness.h), which
// fails the case on any result code bad input may not produce. A crash or a
// sanitizer report fails the binary; a watchdog turns a hang into an abort
// naming the case.
//
// Knobs (environment):
//   KEEL_FUZZ_ITERATIONS   mutated cases (default 2000; a long run: 100000+);
//                          random-byte files run a tenth as many
//   KEEL_FUZZ_SEED         base of the per-iteration seeds (default 1)
//   KEEL_FUZZ_ONLY         run just this iteration index (to reproduce)
//   KEEL_FUZZ_CASE_TIMEOUT seconds one case may take before the watchdog
//                          aborts (default 30)
//   KEEL_FUZZ_SAVE_DIR     where a failing or hanging case's files are
//                          written (default: the system temp directory)
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

#include "fuzz_harness.h"
#include "mutator.h"
#include "seed_corpus.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define KEEL_FUZZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/common_interface_defs.h>
#define KEEL_FUZZ_ASAN 1
#endif
#endif

namespace keel::fuzz {
namespace {

int64_t env_int(const char* name, int64_t dflt) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoll(v) : dflt;
}

std::string save_dir() {
  const char* d = std::getenv("KEEL_FUZZ_SAVE_DIR");
  if (d && *d) return d;
  const char* t = std::getenv("TMPDIR");
  return t && *t ? t : "/tmp";
}

// The case being run, for the watchdog and the fatal-signal reporter. The
// description is fixed-size so a signal handler can print it.
struct CurrentCase {
  char text[1024] = {};
  const MutatedCase* files = nullptr;
};
CurrentCase g_current;

void write_case_files(const MutatedCase& c, const std::string& stem) {
  std::ofstream(stem + ".db", std::ios::binary)
      .write(reinterpret_cast<const char*>(c.db.data()), static_cast<std::streamsize>(c.db.size()));
  if (!c.wal.empty()) {
    std::ofstream(stem + ".db-wal", std::ios::binary)
        .write(reinterpret_cast<const char*>(c.wal.data()), static_cast<std::streamsize>(c.wal.size()));
  }
  if (!c.journal.empty()) {
    std::ofstream(stem + ".db-journal", std::ios::binary)
        .write(reinterpret_cast<const char*>(c.journal.data()),
               static_cast<std::streamsize>(c.journal.size()));
  }
}

void report_current(const char* why) {
  // Only async-signal-safe calls: this runs from signal handlers.
  const char* pre = "\nstorage fuzz: ";
  ssize_t ignored = write(2, pre, strlen(pre));
  ignored = write(2, why, strlen(why));
  ignored = write(2, " during ", 8);
  ignored = write(2, g_current.text, strnlen(g_current.text, sizeof g_current.text));
  ignored = write(2, "\n", 1);
  (void)ignored;
}

void on_fatal_signal(int sig) {
  report_current(strsignal(sig));
  signal(sig, SIG_DFL);
  raise(sig);
}

#ifdef KEEL_FUZZ_ASAN
void on_sanitizer_death() { report_current("sanitizer report"); }
#endif

// Aborts the process when one case runs longer than its deadline: a hang in
// the storage layer (an unbounded loop over a corrupt chain) must fail the
// test, not stall it until ctest's timeout.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit) : limit_(limit), thread_([this] { loop(); }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> g(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void arm() {
    std::lock_guard<std::mutex> g(mu_);
    deadline_ = std::chrono::steady_clock::now() + limit_;
    armed_ = true;
  }
  void disarm() {
    std::lock_guard<std::mutex> g(mu_);
    armed_ = false;
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::milliseconds(200));
      if (armed_ && std::chrono::steady_clock::now() > deadline_) {
        report_current("hang (watchdog timeout)");
        if (g_current.files) {
          std::string stem = save_dir() + "/keel_fuzz_hang";
          write_case_files(*g_current.files, stem);
          std::fprintf(stderr, "case files written to %s.db[-wal]\n", stem.c_str());
        }
        std::abort();
      }
    }
  }

  std::chrono::seconds limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::chrono::steady_clock::time_point deadline_;
  bool armed_ = false;
  bool stop_ = false;
  std::thread thread_;
};

class StorageFuzz : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    seeds_ = &seed_corpus(&error_);
    maps_ = new std::vector<FileMap>();
    for (const Seed& s : *seeds_) maps_->push_back(map_database(s.db));
#ifdef KEEL_FUZZ_ASAN
    // The sanitizer owns SIGSEGV (it reports stack overflows and wild
    // accesses); it calls back before dying.
    __sanitizer_set_death_callback(on_sanitizer_death);
    signal(SIGABRT, on_fatal_signal);
#else
    for (int sig : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL}) signal(sig, on_fatal_signal);
#endif
  }
  static void TearDownTestSuite() { delete maps_; }
  void SetUp() override { ASSERT_FALSE(seeds_->empty()) << error_; }

  static void set_current(const std::string& text, const MutatedCase* files) {
    std::snprintf(g_current.text, sizeof g_current.text, "%s", text.c_str());
    g_current.files = files;
  }

  // Runs one case under the watchdog; a violation fails the test, names the
  // case and saves its files.
  static FuzzReport run_checked(Watchdog& dog, const MutatedCase& c, uint64_t seed, const std::string& name) {
    set_current(name + ": " + c.description, &c);
    dog.arm();
    FuzzReport r = run_case({c.db, c.wal, c.journal, seed});
    dog.disarm();
    if (!r.violations.empty()) {
      std::string stem = save_dir() + "/keel_fuzz_fail_" + std::to_string(seed);
      write_case_files(c, stem);
      std::string all;
      for (const auto& v : r.violations) all += "\n  " + v;
      ADD_FAILURE() << name << " (" << c.description << ") files in " << stem << ".db:" << all;
    }
    set_current("", nullptr);
    return r;
  }

  static const std::vector<Seed>* seeds_;
  static std::vector<FileMap>* maps_;
  static std::string error_;
};

const std::vector<Seed>* StorageFuzz::seeds_ = nullptr;
std::vector<FileMap>* StorageFuzz::maps_ = nullptr;
std::string StorageFuzz::error_;

std::chrono::seconds case_timeout() { return std::chrono::seconds(env_int("KEEL_FUZZ_CASE_TIMEOUT", 30)); }

// The unmutated seeds are sound: they open, read and check with no error at
// all, and survive the write phase with no violation. Also checks the mapper
// found the structures the mutator aims at.
TEST_F(StorageFuzz, SeedsAreClean) {
  Watchdog dog(case_timeout());
  bool saw_freelist = false, saw_ptrmap = false, saw_overflow = false;
  for (size_t i = 0; i < seeds_->size(); i++) {
    const Seed& s = (*seeds_)[i];
    const FileMap& m = (*maps_)[i];
    EXPECT_GT(m.page_count, 1u) << s.name;
    EXPECT_FALSE(m.of(RegionKind::kCellPointer).empty()) << s.name;
    saw_freelist |= !m.of(RegionKind::kFreelistTrunk).empty();
    saw_ptrmap |= !m.of(RegionKind::kPtrmapEntry).empty();
    saw_overflow |= !m.of(RegionKind::kOverflowNext).empty();
    MutatedCase c{s.db, s.wal, s.journal, "unmutated"};
    HarnessOptions read_only;
    read_only.writes = false;
    FuzzReport r = run_case({c.db, c.wal, c.journal, 7}, read_only);
    EXPECT_TRUE(r.opened) << s.name;
    EXPECT_TRUE(r.clean) << s.name << ": " << r.corrupt << " errors";
    EXPECT_TRUE(r.violations.empty()) << s.name;
    FuzzReport w = run_checked(dog, c, 7, s.name);
    EXPECT_EQ(w.corrupt, 0u) << s.name;
  }
  EXPECT_TRUE(saw_freelist);
  EXPECT_TRUE(saw_ptrmap);
  EXPECT_TRUE(saw_overflow);
}

TEST_F(StorageFuzz, MutatedSeeds) {
  Watchdog dog(case_timeout());
  int64_t iterations = env_int("KEEL_FUZZ_ITERATIONS", 2000);
  int64_t base = env_int("KEEL_FUZZ_SEED", 1);
  int64_t only = env_int("KEEL_FUZZ_ONLY", -1);
  uint64_t opened = 0, clean = 0, ops = 0, errors = 0;
  auto start = std::chrono::steady_clock::now();
  int64_t ran = 0, failed = 0;
  for (int64_t i = 0; i < iterations; i++) {
    if (only >= 0 && i != only) continue;
    size_t which = static_cast<size_t>(i) % seeds_->size();
    const Seed& s = (*seeds_)[which];
    uint64_t seed = static_cast<uint64_t>(base) * 1000003u + static_cast<uint64_t>(i);
    std::mt19937_64 rng(seed);
    MutatedCase c = mutate(s.db, s.wal, s.journal, (*maps_)[which], rng);
    FuzzReport r = run_checked(dog, c, seed, "iteration " + std::to_string(i) + " seed " + s.name);
    ran++;
    opened += r.opened;
    clean += r.clean;
    ops += r.operations;
    errors += r.corrupt;
    if ((i + 1) % 10000 == 0) {
      std::fprintf(stderr, "storage fuzz: %lld cases, %.0f s\n", static_cast<long long>(i + 1),
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    if (!r.violations.empty() && ++failed >= 25) {
      ADD_FAILURE() << "stopping after 25 failing cases";
      break;
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "storage fuzz: %lld mutated cases in %.1f s: %llu opened, %llu read cleanly, %llu calls, %llu "
      "acceptable errors\n",
      static_cast<long long>(ran), secs, static_cast<unsigned long long>(opened),
      static_cast<unsigned long long>(clean), static_cast<unsigned long long>(ops),
      static_cast<unsigned long long>(errors));
  // The mutations must actually bite, and many cases must still get past
  // the header into the b-tree code.
  if (ran >= 200) {
    EXPECT_GT(errors, 0u);
    EXPECT_GT(opened, static_cast<uint64_t>(ran) / 3);
  }
}

TEST_F(StorageFuzz, RandomFiles) {
  Watchdog dog(case_timeout());
  int64_t iterations = std::max<int64_t>(1, env_int("KEEL_FUZZ_ITERATIONS", 2000) / 10);
  int64_t base = env_int("KEEL_FUZZ_SEED", 1);
  for (int64_t i = 0; i < iterations; i++) {
    uint64_t seed = static_cast<uint64_t>(base) * 7919u + static_cast<uint64_t>(i) + (1ull << 40);
    std::mt19937_64 rng(seed);
    MutatedCase c{random_file(rng), {}, {}, "random file"};
    run_checked(dog, c, seed, "random file " + std::to_string(i));
  }
}

}  // namespace
}  // namespace keel::fuzz
