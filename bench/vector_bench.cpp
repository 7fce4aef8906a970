// Vector search benchmark: brute-force top-10 by cosine over 100k × 384 f32
// vectors, first as raw kernel scans (the ceiling), then through SQL:
//
//   SELECT id FROM t ORDER BY vector_distance_cos(v, ?) LIMIT 10
//
// and a breakdown of where a SQL query spends its time (table scan and column
// decode, the function calls, the ORDER BY ... LIMIT sorter), each measured by
// a query that adds one stage to the previous one.
//
// A plain program (not a timed test). The kernel rates are per CPU second of
// this process (not wall time), so other load on the machine inflates them
// less. The SQL stages print both: wall-clock queries per second (what a
// user waits for; the scan may use PRAGMA threads) and CPU time per row
// summed over the threads.
//   vector_bench [--rows N] [--dims D] [--queries Q] [--module-path DIR] [--udf]
//                [--db PATH] [--page-size BYTES] [--threads N] [--only STAGE]
//                [--no-kernels] [--no-sql]
//
// Settings a user would choose for this workload: cache_size 1 GB (the table
// stays in the page cache); page_size is SQLite's default 4096 unless
// --page-size is given; PRAGMA threads = cores - 1 (the statement's own
// thread plus one per other core) unless --threads is given.
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "keel/database.hpp"
#include "kernels.h"
#include "vector_functions.h"

namespace {

using keel::vector::DenseKernels;

// CPU time of this (single-threaded) process: the machine is shared, and
// wall time also counts the time other processes held the cores. Memory
// stalls are CPU time, so a memory-bound scan still shows as such.
struct Clock {
  static double now() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }
};

double seconds_since(double t0) { return Clock::now() - t0; }

double wall_now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Config {
  size_t rows = 100000;
  size_t dims = 384;
  int queries = 50;
  std::string module_path;
  bool sql = true;
  // Register vector_distance_cos through the public C++ API
  // (Database::create_function, arguments copied into keel::Value) instead
  // of loading the module.
  bool udf = false;
  // Database file (default: a private in-memory database).
  std::string db = ":memory:";
  // Run only this SQL stage (1-based), e.g. under a profiler.
  int only = 0;
  bool kernels = true;
  // PRAGMA page_size for the new database (0: the default, 4096).
  int page_size = 0;
  // PRAGMA threads (-1: cores - 1).
  int threads = -1;
};

std::vector<float> make_data(size_t rows, size_t dims, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.0f, 1.0f);
  std::vector<float> v(rows * dims);
  for (auto& x : v) x = n(rng);
  return v;
}

// Top-10 smallest distances over a contiguous array with one kernel table.
void top10(const DenseKernels& k, const float* data, size_t rows, size_t dims, const float* q,
           std::vector<std::pair<double, size_t>>& heap) {
  heap.clear();
  const auto* qb = reinterpret_cast<const uint8_t*>(q);
  for (size_t r = 0; r < rows; r++) {
    auto s = k.cos_f32(reinterpret_cast<const uint8_t*>(data + r * dims), qb, dims);
    double d = 1 - s.ab / std::sqrt(s.a2 * s.b2);
    if (heap.size() < 10) {
      heap.emplace_back(d, r);
      std::push_heap(heap.begin(), heap.end());
    } else if (d < heap.front().first) {
      std::pop_heap(heap.begin(), heap.end());
      heap.back() = {d, r};
      std::push_heap(heap.begin(), heap.end());
    }
  }
}

void bench_kernels(const Config& c) {
  std::printf("== kernels: cosine over %zu x %zu f32 rows (%.1f MB), one thread\n", c.rows, c.dims,
              c.rows * c.dims * 4 / 1e6);
  auto data = make_data(c.rows, c.dims, 1);
  auto query = make_data(1, c.dims, 2);
  std::vector<std::pair<double, size_t>> heap;
  const double flops_per_row = 6.0 * c.dims;  // 3 FMAs per element
  for (const DenseKernels* k : keel::vector::supported_dense_kernels()) {
    // Memory-bound: the whole table, as a brute-force scan reads it.
    top10(*k, data.data(), c.rows, c.dims, query.data(), heap);  // warm
    const int reps = 10;
    auto t0 = Clock::now();
    for (int i = 0; i < reps; i++) top10(*k, data.data(), c.rows, c.dims, query.data(), heap);
    double s = seconds_since(t0) / reps;
    // Cache-resident: 256 rows (384 KB) scanned repeatedly, compute-bound.
    const size_t hot = std::min<size_t>(256, c.rows);
    const int hot_reps = 2000;
    double sink = 0;
    auto t1 = Clock::now();
    for (int i = 0; i < hot_reps; i++)
      for (size_t r = 0; r < hot; r++)
        sink += k->cos_f32(reinterpret_cast<const uint8_t*>(data.data() + r * c.dims),
                           reinterpret_cast<const uint8_t*>(query.data()), c.dims)
                    .ab;
    double hs = seconds_since(t1);
    // The same with 64-byte aligned rows (blobs in pages are not aligned).
    std::vector<float> aligned_buf(hot * c.dims + 16);
    float* al = aligned_buf.data();
    while (reinterpret_cast<uintptr_t>(al) % 64) al++;
    std::memcpy(al, data.data(), hot * c.dims * 4);
    auto t2 = Clock::now();
    for (int i = 0; i < hot_reps; i++)
      for (size_t r = 0; r < hot; r++)
        sink += k->cos_f32(reinterpret_cast<const uint8_t*>(al + r * c.dims),
                           reinterpret_cast<const uint8_t*>(query.data()), c.dims)
                    .ab;
    double as = seconds_since(t2);
    std::printf(
        "  %-7s table scan %7.2f ms/query = %6.1f queries/s, %6.1f M rows/s, %5.1f GB/s, %5.1f GFLOP/s"
        " | in-cache %5.1f GFLOP/s, aligned %5.1f%s\n",
        k->isa, s * 1e3, 1 / s, c.rows / s / 1e6, c.rows * c.dims * 4 / s / 1e9,
        flops_per_row * c.rows / s / 1e9, flops_per_row * hot * hot_reps / hs / 1e9,
        flops_per_row * hot * hot_reps / as / 1e9, sink == 12345 ? "" : "");
  }
}

// The function path without SQL: parse both blobs, check, kernel — what one
// vector_distance_cos() call costs — for each vector type at the same dims.
void bench_function_path(const Config& c) {
  using namespace keel::vector;
  std::printf("== function path (parse + check + kernel per row, no SQL), %zu rows x %zu dims\n", c.rows,
              c.dims);
  auto data = make_data(c.rows, c.dims, 1);
  auto query = make_data(1, c.dims, 2);
  const VectorType types[] = {VectorType::kFloat32, VectorType::kFloat64, VectorType::kFloat8,
                              VectorType::kFloat1Bit, VectorType::kFloat32Sparse};
  for (VectorType t : types) {
    auto to_blob = [&](const float* v) {
      std::vector<uint8_t> raw(4 * c.dims);
      std::memcpy(raw.data(), v, raw.size());
      VectorView view = *parse_blob(raw);
      std::vector<uint8_t> out(converted_size(view, t));
      convert(view, t, out.data());
      return out;
    };
    std::vector<std::vector<uint8_t>> rows(c.rows);
    for (size_t r = 0; r < c.rows; r++) rows[r] = to_blob(data.data() + r * c.dims);
    auto q = to_blob(query.data());
    auto run = [&] {
      double best = INFINITY;
      for (const auto& row : rows) {
        auto a = parse_blob(row);
        auto b = parse_blob(q);
        double d;
        if (!check_compatible(*a, *b).ok() || !distance(Metric::kCos, *a, *b, &d).ok()) std::abort();
        best = std::min(best, d);
      }
      return best;
    };
    run();
    const int reps = 5;
    auto t0 = Clock::now();
    double sink = 0;
    for (int i = 0; i < reps; i++) sink += run();
    double s = seconds_since(t0) / reps;
    std::printf("  %-15s %7.2f ms/scan  %6.1f M rows/s  (blob %zu bytes)%s\n", type_name(t), s * 1e3,
                c.rows / s / 1e6, q.size(), std::isnan(sink) ? " nan" : "");
  }
}

struct Timing {
  double ms_per_query;       // wall-clock
  double cpu_ms_per_query;   // CPU time of all threads
  std::vector<int64_t> last_ids;
};

// Runs `sql` once per query vector (bound to ?1 when it has a parameter).
Timing time_query(keel::Connection& conn, const char* sql, const std::vector<std::vector<uint8_t>>& queries) {
  auto st = conn.prepare(sql);
  if (!st.ok()) {
    std::fprintf(stderr, "prepare failed: %s: %s\n", sql, std::string(st.status().message()).c_str());
    std::exit(1);
  }
  Timing t{0, 0, {}};
  auto t0 = Clock::now();
  double w0 = wall_now();
  for (const auto& q : queries) {
    if (st->parameter_count() > 0) {
      if (!st->bind(1, keel::Value(q)).ok()) std::exit(1);
    }
    t.last_ids.clear();
    while (true) {
      auto row = st->step();
      if (!row.ok()) {
        std::fprintf(stderr, "step failed: %s: %s\n", sql, std::string(row.status().message()).c_str());
        std::exit(1);
      }
      if (!*row) break;
      t.last_ids.push_back(st->column_int64(0));
    }
    if (!st->reset().ok()) std::exit(1);
  }
  t.cpu_ms_per_query = seconds_since(t0) * 1e3 / static_cast<double>(queries.size());
  t.ms_per_query = (wall_now() - w0) * 1e3 / static_cast<double>(queries.size());
  return t;
}

void bench_sql(const Config& c) {
  std::printf("== SQL: %zu rows x %zu dims f32, %d queries per statement\n", c.rows, c.dims, c.queries);
  keel::Options options;
  options.cache_size = -1000000;  // 1 GB: the table stays in the page cache
  if (!c.module_path.empty()) options.module_path.push_back(c.module_path);
  if (c.db != ":memory:") {
    for (const char* suffix : {"", "-journal", "-wal"}) std::remove((c.db + suffix).c_str());
  }
  auto db = keel::Database::open(c.db, options);
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", std::string(db.status().message()).c_str());
    std::exit(1);
  }
  if (c.udf) {
    auto s = (*db)->create_function(
        "vector_distance_cos", 2, [](std::span<const keel::Value> args) -> keel::Result<keel::Value> {
          using keel::vector::SqlArg;
          auto arg = [](const keel::Value& v) {
            return v.type() == keel::Type::kBlob   ? SqlArg::blob(v.blob())
                   : v.type() == keel::Type::kText ? SqlArg::text(v.text())
                                                   : SqlArg::null();
          };
          struct Sink : keel::vector::ResultSink {
            double d = 0;
            uint8_t* blob_buffer(size_t) override { return nullptr; }
            void set_text(std::string_view) override {}
            void set_double(double v) override { d = v; }
          } sink;
          keel::Status st =
              keel::vector::fn_vector_distance(keel::vector::Metric::kCos, arg(args[0]), arg(args[1]), sink);
          if (!st.ok()) return st;
          return keel::Value(sink.d);
        });
    if (!s.ok()) std::exit(1);
  }
  auto conn = (*db)->connect();
  if (!conn.ok()) std::exit(1);
  auto check = [](keel::Status s) {
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.to_string().c_str());
      std::exit(1);
    }
  };
  auto data = make_data(c.rows, c.dims, 1);
  auto t0 = Clock::now();
  if (c.page_size) check(conn->exec("PRAGMA page_size = " + std::to_string(c.page_size)));
  check(conn->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v F32_BLOB(" + std::to_string(c.dims) + "))"));
  check(conn->exec("BEGIN"));
  {
    auto ins = conn->prepare("INSERT INTO t(id, v) VALUES(?1, ?2)");
    check(ins.status());
    for (size_t r = 0; r < c.rows; r++) {
      const auto* p = reinterpret_cast<const uint8_t*>(data.data() + r * c.dims);
      check(ins->bind(1, keel::Value(static_cast<int64_t>(r + 1))));
      check(ins->bind(2, keel::Value(keel::Blob(p, p + 4 * c.dims))));
      check(ins->execute());
      check(ins->reset());
    }
  }
  check(conn->exec("COMMIT"));
  int64_t page_size = 0;
  {
    auto ps = conn->prepare("PRAGMA page_size");
    check(ps.status());
    auto row = ps->step();
    check(row.status());
    if (*row) page_size = ps->column_int64(0);
  }
  int threads = c.threads >= 0 ? c.threads : std::max(0, static_cast<int>(std::thread::hardware_concurrency()) - 1);
  check(conn->exec("PRAGMA threads = " + std::to_string(threads)));
  std::printf("  load: %.2f s; page_size %lld%s, cache_size 1 GB (the table stays in the page cache), "
              "PRAGMA threads = %d%s\n",
              seconds_since(t0), static_cast<long long>(page_size), c.page_size ? "" : " (the default)", threads,
              c.threads >= 0 ? "" : " (cores - 1)");

  std::vector<std::vector<uint8_t>> queries;
  auto qdata = make_data(static_cast<size_t>(c.queries), c.dims, 3);
  for (int i = 0; i < c.queries; i++) {
    const auto* p = reinterpret_cast<const uint8_t*>(qdata.data() + static_cast<size_t>(i) * c.dims);
    queries.emplace_back(p, p + 4 * c.dims);
  }
  // Warm the cache.
  time_query(*conn, "SELECT count(v) FROM t", {queries[0]});

  struct Stage {
    const char* what;
    const char* sql;
  };
  const Stage stages[] = {
      {"scan rows, rowid only (sum(id))", "SELECT sum(id) FROM t"},
      {"scan + decode v", "SELECT count(v) FROM t"},
      {"+ vector_distance_cos per row", "SELECT max(vector_distance_cos(v, ?1)) FROM t"},
      {"+ ORDER BY ... LIMIT 10 (full query)",
       "SELECT id FROM t ORDER BY vector_distance_cos(v, ?1) LIMIT 10"},
      {"sorter alone (cheap key)", "SELECT id FROM t ORDER BY (id * 2654435761) % 1000003 LIMIT 10"},
  };
  Timing full{};
  int index = 0;
  for (const Stage& s : stages) {
    if (c.only && ++index != c.only) continue;
    Timing t = time_query(*conn, s.sql, queries);
    if (std::string_view(s.sql).find("ORDER BY vector_distance_cos") != std::string_view::npos) full = t;
    std::printf("  %-40s %8.2f ms/query  %7.1f queries/s  %6.0f ns/row CPU\n", s.what, t.ms_per_query,
                1e3 / t.ms_per_query, t.cpu_ms_per_query * 1e6 / static_cast<double>(c.rows));
  }
  // The SQL answer must be the brute-force answer for the last query.
  std::vector<std::pair<double, size_t>> heap;
  top10(keel::vector::dense_kernels(), data.data(), c.rows, c.dims,
        qdata.data() + (queries.size() - 1) * c.dims, heap);
  std::sort_heap(heap.begin(), heap.end());
  size_t same = 0;
  for (size_t i = 0; i < heap.size() && i < full.last_ids.size(); i++)
    same += static_cast<int64_t>(heap[i].second + 1) == full.last_ids[i];
  std::printf("  top-10 check vs in-memory scan: %zu/10 ids equal, in order\n", same);
}

}  // namespace

int main(int argc, char** argv) {
  Config c;
  for (int i = 1; i < argc; i++) {
    std::string_view a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--rows") {
      c.rows = std::strtoul(next(), nullptr, 10);
    } else if (a == "--dims") {
      c.dims = std::strtoul(next(), nullptr, 10);
    } else if (a == "--queries") {
      c.queries = std::atoi(next());
    } else if (a == "--module-path") {
      c.module_path = next();
    } else if (a == "--udf") {
      c.udf = true;
    } else if (a == "--db") {
      c.db = next();
    } else if (a == "--only") {
      c.only = std::atoi(next());
    } else if (a == "--page-size") {
      c.page_size = std::atoi(next());
    } else if (a == "--threads") {
      c.threads = std::atoi(next());
    } else if (a == "--no-kernels") {
      c.kernels = false;
    } else if (a == "--no-sql") {
      c.sql = false;
    } else {
      std::fprintf(stderr,
                   "usage: vector_bench [--rows N] [--dims D] [--queries Q] [--module-path DIR] [--udf] "
                   "[--db PATH] [--page-size BYTES] [--threads N] [--only STAGE] [--no-kernels] [--no-sql]\n");
      return 2;
    }
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::printf("dense kernels in use: %s\n", keel::vector::dense_kernels().isa);
  if (c.kernels) {
    bench_kernels(c);
    bench_function_path(c);
  }
  if (c.sql) bench_sql(c);
  return 0;
}
