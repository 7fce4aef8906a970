// Storage benchmarks: b-tree inserts (sequential and random rowids), point
// seeks and full scans through Keel's b-tree layer, next to the same work
// done by SQLite through its C API in the same run. Read the results as
// ratios between the keel_* and sqlite_* rows of one run; machines here are
// shared and noisy.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <random>
#include <string>
#include <vector>

#include "storage/btree/btree.h"
#include "storage/pager/pager.h"
#include "vm/record.h"

namespace {

using namespace keel;

constexpr int kRows = 100000;

std::string temp_path(const char* tag) {
  return "/tmp/keel-bench-" + std::string(tag) + "-" + std::to_string(getpid()) + ".db";
}

void remove_db(const std::string& p) {
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) unlink((p + suffix).c_str());
}

// A row like the benchmark driver's t1(a INTEGER, b TEXT, c REAL) record.
void make_record(int64_t i, std::vector<uint8_t>& out) {
  vm::Value vals[3];
  vals[0].set_int(i * 7);
  std::string text = "row-" + std::to_string(i) + "-padding-padding-padding";
  vals[1].set_text(text);
  vals[2].set_real(static_cast<double>(i) / 3.0);
  vm::encode_record(std::span<const vm::Value>(vals, 3), out).ignore();
}

struct KeelDb {
  std::unique_ptr<storage::Pager> pager;
  std::unique_ptr<storage::Btree> btree;
  storage::PageNo root = 0;
  explicit KeelDb(const std::string& path) {
    storage::PagerOptions po;
    po.synchronous = storage::SyncLevel::kOff;
    pager = storage::Pager::open(path, po).value();
    btree = storage::Btree::open(*pager).value();
    btree->begin_write().ignore();
    root = btree->create_table(storage::TreeKind::kTable).value();
    btree->commit().ignore();
  }
};

std::vector<int64_t> shuffled_keys() {
  std::vector<int64_t> keys(kRows);
  for (int i = 0; i < kRows; i++) keys[i] = i + 1;
  std::shuffle(keys.begin(), keys.end(), std::mt19937_64(42));
  return keys;
}

void keel_insert(benchmark::State& state, bool random) {
  auto keys = shuffled_keys();
  if (!random) std::sort(keys.begin(), keys.end());
  std::vector<uint8_t> rec;
  for (auto _ : state) {
    std::string path = temp_path("ins");
    {
      KeelDb db(path);
      db.btree->begin_write().ignore();
      storage::BtCursor c(*db.btree, db.root, true);
      for (int64_t k : keys) {
        make_record(k, rec);
        c.insert(k, rec, random ? storage::InsertHint::kNone : storage::InsertHint::kAppend).ignore();
      }
      db.btree->commit().ignore();
    }
    remove_db(path);
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}

void sqlite_insert(benchmark::State& state, bool random) {
  auto keys = shuffled_keys();
  if (!random) std::sort(keys.begin(), keys.end());
  for (auto _ : state) {
    std::string path = temp_path("sins");
    sqlite3* db;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, "PRAGMA synchronous=OFF; CREATE TABLE t1(a INTEGER, b TEXT, c REAL); BEGIN", 0, 0, 0);
    sqlite3_stmt* st;
    sqlite3_prepare_v2(db, "INSERT INTO t1(rowid, a, b, c) VALUES(?, ?, ?, ?)", -1, &st, 0);
    for (int64_t k : keys) {
      std::string text = "row-" + std::to_string(k) + "-padding-padding-padding";
      sqlite3_bind_int64(st, 1, k);
      sqlite3_bind_int64(st, 2, k * 7);
      sqlite3_bind_text(st, 3, text.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_double(st, 4, static_cast<double>(k) / 3.0);
      sqlite3_step(st);
      sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_exec(db, "COMMIT", 0, 0, 0);
    sqlite3_close(db);
    remove_db(path);
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}

// A populated database shared by the read benchmarks.
struct Fixture {
  std::string keel_path = temp_path("read");
  std::string sqlite_path = temp_path("sread");
  std::unique_ptr<KeelDb> keel;
  sqlite3* sdb = nullptr;
  Fixture() {
    keel = std::make_unique<KeelDb>(keel_path);
    keel->btree->begin_write().ignore();
    {
      storage::BtCursor c(*keel->btree, keel->root, true);
      std::vector<uint8_t> rec;
      for (int64_t k = 1; k <= kRows; k++) {
        make_record(k, rec);
        c.insert(k, rec, storage::InsertHint::kAppend).ignore();
      }
    }
    keel->btree->commit().ignore();
    sqlite3_open(sqlite_path.c_str(), &sdb);
    sqlite3_exec(
        sdb,
        "PRAGMA synchronous=OFF; CREATE TABLE t1(a INTEGER, b TEXT, c REAL);"
        "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM s WHERE i<100000)"
        "INSERT INTO t1(rowid,a,b,c) SELECT i, i*7, 'row-'||i||'-padding-padding-padding', i/3.0 FROM s;",
        0, 0, 0);
  }
  ~Fixture() {
    keel.reset();
    sqlite3_close(sdb);
    remove_db(keel_path);
    remove_db(sqlite_path);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_keel_seek(benchmark::State& state) {
  Fixture& f = fixture();
  auto keys = shuffled_keys();
  f.keel->btree->begin_read().ignore();
  storage::BtCursor c(*f.keel->btree, f.keel->root, false);
  size_t i = 0;
  int64_t sum = 0;
  for (auto _ : state) {
    auto r = c.seek_rowid(keys[i++ % keys.size()]);
    sum += c.payload_size() + (r.ok() ? 0 : 1);
  }
  benchmark::DoNotOptimize(sum);
  f.keel->btree->end_read();
  state.SetItemsProcessed(state.iterations());
}

void BM_sqlite_seek(benchmark::State& state) {
  Fixture& f = fixture();
  auto keys = shuffled_keys();
  sqlite3_stmt* st;
  sqlite3_prepare_v2(f.sdb, "SELECT length(b) FROM t1 WHERE rowid=?", -1, &st, 0);
  size_t i = 0;
  int64_t sum = 0;
  for (auto _ : state) {
    sqlite3_bind_int64(st, 1, keys[i++ % keys.size()]);
    if (sqlite3_step(st) == SQLITE_ROW) sum += sqlite3_column_int(st, 0);
    sqlite3_reset(st);
  }
  benchmark::DoNotOptimize(sum);
  sqlite3_finalize(st);
  state.SetItemsProcessed(state.iterations());
}

void BM_keel_scan(benchmark::State& state) {
  Fixture& f = fixture();
  f.keel->btree->begin_read().ignore();
  int64_t sum = 0;
  for (auto _ : state) {
    storage::BtCursor c(*f.keel->btree, f.keel->root, false);
    for (c.first().ignore(); !c.eof(); c.next().ignore()) sum += c.payload_local().size();
  }
  benchmark::DoNotOptimize(sum);
  f.keel->btree->end_read();
  state.SetItemsProcessed(state.iterations() * kRows);
}

void BM_sqlite_scan(benchmark::State& state) {
  Fixture& f = fixture();
  sqlite3_stmt* st;
  sqlite3_prepare_v2(f.sdb, "SELECT rowid FROM t1", -1, &st, 0);
  int64_t sum = 0;
  for (auto _ : state) {
    while (sqlite3_step(st) == SQLITE_ROW) sum += sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
  }
  benchmark::DoNotOptimize(sum);
  sqlite3_finalize(st);
  state.SetItemsProcessed(state.iterations() * kRows);
}

void BM_keel_insert_sequential(benchmark::State& s) { keel_insert(s, false); }
void BM_sqlite_insert_sequential(benchmark::State& s) { sqlite_insert(s, false); }
void BM_keel_insert_random(benchmark::State& s) { keel_insert(s, true); }
void BM_sqlite_insert_random(benchmark::State& s) { sqlite_insert(s, true); }

}  // namespace

BENCHMARK(BM_keel_insert_sequential)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_sqlite_insert_sequential)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_keel_insert_random)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_sqlite_insert_random)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_keel_seek);
BENCHMARK(BM_sqlite_seek);
BENCHMARK(BM_keel_scan)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_sqlite_scan)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
