// The SQL part of vector_bench run on SQLite itself (the system library),
// with vector_distance_cos registered as an SQLite function calling the same
// kernels: a reference for how much of a query's time is the engine rather
// than the vector code. Same table, same statements, same output format.
//   vector_bench_sqlite [--rows N] [--dims D] [--queries Q]
#include <sqlite3.h>
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "vector_functions.h"

namespace {

// CPU time, as in vector_bench.cpp.
struct Clock {
  static double now() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }
};

class SqliteSink final : public keel::vector::ResultSink {
 public:
  explicit SqliteSink(sqlite3_context* ctx) : ctx_(ctx) {}
  uint8_t* blob_buffer(size_t) override { return nullptr; }
  void set_text(std::string_view) override {}
  void set_double(double v) override {
    if (v != v) {
      sqlite3_result_null(ctx_);
    } else {
      sqlite3_result_double(ctx_, v);
    }
  }

 private:
  sqlite3_context* ctx_;
};

keel::vector::SqlArg arg(sqlite3_value* v) {
  using keel::vector::SqlArg;
  switch (sqlite3_value_type(v)) {
    case SQLITE_BLOB: {
      const auto* p = static_cast<const uint8_t*>(sqlite3_value_blob(v));
      return SqlArg::blob({p, static_cast<size_t>(sqlite3_value_bytes(v))});
    }
    case SQLITE_TEXT: {
      const char* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
      return SqlArg::text({p, static_cast<size_t>(sqlite3_value_bytes(v))});
    }
    default:
      return SqlArg::null();
  }
}

void distance_cos(sqlite3_context* ctx, int, sqlite3_value** argv) {
  SqliteSink sink(ctx);
  keel::Status s =
      keel::vector::fn_vector_distance(keel::vector::Metric::kCos, arg(argv[0]), arg(argv[1]), sink);
  if (!s.ok()) sqlite3_result_error(ctx, std::string(s.message()).c_str(), -1);
}

void check(int rc, sqlite3* db) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db));
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  size_t rows = 100000, dims = 384;
  int queries = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view a = argv[i];
    if (a == "--rows") rows = std::strtoul(argv[i + 1], nullptr, 10);
    if (a == "--dims") dims = std::strtoul(argv[i + 1], nullptr, 10);
    if (a == "--queries") queries = std::atoi(argv[i + 1]);
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::printf("== SQLite %s: %zu rows x %zu dims f32, %d queries per statement\n", sqlite3_libversion(), rows,
              dims, queries);
  sqlite3* db = nullptr;
  check(sqlite3_open(":memory:", &db), db);
  check(sqlite3_exec(db, "PRAGMA cache_size=-1000000", nullptr, nullptr, nullptr), db);
  check(sqlite3_create_function(db, "vector_distance_cos", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                distance_cos, nullptr, nullptr),
        db);
  // The same data as vector_bench (same generator and seeds).
  auto make = [&](size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::vector<float> v(n * dims);
    for (auto& x : v) x = nd(rng);
    return v;
  };
  auto data = make(rows, 1);
  auto t0 = Clock::now();
  check(
      sqlite3_exec(
          db,
          ("CREATE TABLE t(id INTEGER PRIMARY KEY, v F32_BLOB(" + std::to_string(dims) + ")); BEGIN").c_str(),
          nullptr, nullptr, nullptr),
      db);
  sqlite3_stmt* ins = nullptr;
  check(sqlite3_prepare_v2(db, "INSERT INTO t(id, v) VALUES(?1, ?2)", -1, &ins, nullptr), db);
  for (size_t r = 0; r < rows; r++) {
    sqlite3_bind_int64(ins, 1, static_cast<sqlite3_int64>(r + 1));
    sqlite3_bind_blob(ins, 2, data.data() + r * dims, static_cast<int>(4 * dims), SQLITE_STATIC);
    check(sqlite3_step(ins), db);
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db);
  std::printf("  load: %.2f s\n", (Clock::now() - t0));
  auto qdata = make(static_cast<size_t>(queries), 3);
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
  for (const Stage& s : stages) {
    sqlite3_stmt* st = nullptr;
    check(sqlite3_prepare_v2(db, s.sql, -1, &st, nullptr), db);
    auto t1 = Clock::now();
    for (int q = 0; q < queries; q++) {
      if (sqlite3_bind_parameter_count(st) > 0)
        sqlite3_bind_blob(st, 1, qdata.data() + static_cast<size_t>(q) * dims, static_cast<int>(4 * dims),
                          SQLITE_STATIC);
      int rc;
      while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      }
      check(rc, db);
      sqlite3_reset(st);
    }
    double ms = (Clock::now() - t1) * 1e3 / queries;
    std::printf("  %-40s %8.2f ms/query  %7.1f queries/s  %6.0f ns/row\n", s.what, ms, 1e3 / ms,
                ms * 1e6 / static_cast<double>(rows));
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return 0;
}
