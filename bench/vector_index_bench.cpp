// Vector index benchmark: the IVF index method (CREATE INDEX ... USING
// vector) against brute force on the same table in the same run.
//
//   1. generates N clustered f32 vectors (default 1M × 96): C centres drawn
//      from N(0, 1), each point a centre plus N(0, σ²) noise with σ drawn
//      per cluster from spread × [0.35, 0.75] and cluster sizes varying 1:4;
//   2. loads them into t(id INTEGER PRIMARY KEY, v F32_BLOB(d)) in an
//      in-memory database;
//   3. times brute force: SELECT id FROM t NOT INDEXED ORDER BY
//      vector_distance_cos(v, ?) LIMIT 10 (and checks it against an exact
//      in-process top-10, the ground truth for recall);
//   4. times CREATE INDEX ... USING vector (v) WITH (metric = 'cos',
//      lists = L) and reports the pages the index added;
//   5. for each probes setting: the same SELECT without NOT INDEXED (routed
//      to the index), its rate and recall@10 over Q queries;
//   6. deletes 10 % of the rows and inserts 10 % new ones (through SQL, so
//      the index is maintained row by row) and measures again.
//
// Rates are per CPU second of the process (the machine is shared); wall
// times are printed beside them. Brute force runs under PRAGMA threads =
// cores - 1 (--threads N to choose), as a user would run it, so its scan
// may use several threads: the speed-up of the index is given both per CPU
// second and in wall-clock time (the index query runs on one thread).
//   vector_index_bench [--rows N] [--dims D] [--clusters C] [--queries Q]
//                      [--brute Q] [--lists L] [--probes P1,P2,...] [--spread S]
//                      [--threads N] [--module-path DIR]
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "keel/database.hpp"
#include "kernels.h"

namespace {

using keel::vector::DenseKernels;

double cpu_now() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
double wall_now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Timer {
  double cpu = cpu_now(), wall = wall_now();
  double cpu_s() const { return cpu_now() - cpu; }
  double wall_s() const { return wall_now() - wall; }
};

struct Config {
  size_t rows = 1000000;
  size_t dims = 96;
  size_t clusters = 1000;
  int queries = 200;
  int brute = 5;
  int lists = 1024;
  std::vector<int> probes = {4, 8, 16, 32};
  // Scales every cluster's σ: 1 gives well-separated clusters, 2–3 clusters
  // that overlap so that neighbours cross cluster boundaries.
  float spread = 1.0f;
  int threads = -1;  // PRAGMA threads; -1: cores - 1
  std::string module_path;
};

void check(const keel::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.to_string().c_str());
    std::exit(1);
  }
}

// Clustered points: centre + per-cluster noise, clusters of unequal size.
class Generator {
 public:
  Generator(size_t dims, size_t clusters, float spread, uint32_t seed) : dims_(dims), rng_(seed) {
    std::normal_distribution<float> n(0, 1);
    std::uniform_real_distribution<float> u(0, 1);
    centres_.resize(clusters * dims);
    for (float& x : centres_) x = n(rng_);
    sigma_.resize(clusters);
    weight_.resize(clusters);
    for (size_t c = 0; c < clusters; c++) {
      sigma_[c] = spread * (0.35f + 0.4f * u(rng_));
      weight_[c] = 1.0 + 3.0 * u(rng_);
    }
    pick_ = std::discrete_distribution<size_t>(weight_.begin(), weight_.end());
  }
  void point(float* out) {
    size_t c = pick_(rng_);
    std::normal_distribution<float> n(0, sigma_[c]);
    for (size_t j = 0; j < dims_; j++) out[j] = centres_[c * dims_ + j] + n(rng_);
  }

 private:
  size_t dims_;
  std::mt19937 rng_;
  std::vector<float> centres_, sigma_;
  std::vector<double> weight_;
  std::discrete_distribution<size_t> pick_;
};

// Exact top-10 by cosine distance over the live rows (ground truth).
std::vector<int64_t> exact_top10(const std::vector<float>& data, const std::vector<bool>& live, size_t dims,
                                 const float* q) {
  const DenseKernels& k = keel::vector::dense_kernels();
  std::vector<std::pair<double, int64_t>> heap;
  const auto* qb = reinterpret_cast<const uint8_t*>(q);
  const size_t rows = data.size() / dims;
  for (size_t r = 0; r < rows; r++) {
    if (!live[r]) continue;
    auto s = k.cos_f32(reinterpret_cast<const uint8_t*>(data.data() + r * dims), qb, dims);
    double d =
        (s.a2 == 0 && s.b2 == 0) ? 0 : (s.ab == 0 ? 1 : std::max(0.0, 1 - s.ab / std::sqrt(s.a2 * s.b2)));
    std::pair<double, int64_t> h{d, static_cast<int64_t>(r + 1)};
    if (heap.size() < 10) {
      heap.push_back(h);
      std::push_heap(heap.begin(), heap.end());
    } else if (h < heap.front()) {
      std::pop_heap(heap.begin(), heap.end());
      heap.back() = h;
      std::push_heap(heap.begin(), heap.end());
    }
  }
  std::sort(heap.begin(), heap.end());
  std::vector<int64_t> out;
  for (auto& h : heap) out.push_back(h.second);
  return out;
}

keel::Value blob_of(const float* v, size_t dims) {
  const auto* p = reinterpret_cast<const uint8_t*>(v);
  return keel::Value(keel::Blob(p, p + 4 * dims));
}

std::vector<int64_t> run_query(keel::Statement& st, const keel::Value& q) {
  std::vector<int64_t> ids;
  check(st.reset(), "reset");
  check(st.bind(1, q), "bind");
  for (;;) {
    auto r = st.step();
    check(r.status(), "step");
    if (!*r) break;
    ids.push_back(st.column_int64(0));
  }
  return ids;
}

int64_t pragma_int(keel::Connection& c, const std::string& sql) {
  auto st = c.prepare(sql);
  check(st.status(), sql.c_str());
  auto r = st->step();
  check(r.status(), sql.c_str());
  return *r ? st->column_int64(0) : 0;
}

struct Measure {
  double recall = 0, cpu_ms = 0, wall_ms = 0;
};

Measure measure(keel::Statement& st, const std::vector<std::vector<float>>& queries,
                const std::vector<std::vector<int64_t>>& truth, size_t dims) {
  Measure m;
  size_t found = 0, wanted = 0;
  Timer t;
  for (size_t i = 0; i < queries.size(); i++) {
    auto got = run_query(st, blob_of(queries[i].data(), dims));
    std::set<int64_t> want(truth[i].begin(), truth[i].end());
    for (int64_t id : got) found += want.count(id);
    wanted += want.size();
  }
  m.cpu_ms = t.cpu_s() * 1e3 / static_cast<double>(queries.size());
  m.wall_ms = t.wall_s() * 1e3 / static_cast<double>(queries.size());
  m.recall = wanted ? static_cast<double>(found) / static_cast<double>(wanted) : 0;
  return m;
}

void run(const Config& c) {
  keel::Options options;
  options.cache_size = -4000000;  // 4 GB: table and index stay in the page cache
  if (!c.module_path.empty()) options.module_path.push_back(c.module_path);
  auto db = keel::Database::open(":memory:", options);
  check(db.status(), "open");
  auto conn = (*db)->connect();
  check(conn.status(), "connect");
  const size_t d = c.dims;

  std::printf("== %zu rows x %zu dims f32, %zu clusters (spread %.2f); cosine; %s kernels\n", c.rows, d,
              c.clusters, c.spread, keel::vector::dense_kernels().isa);
  Generator gen(d, c.clusters, c.spread, 42);
  std::vector<float> data(c.rows * d);
  for (size_t r = 0; r < c.rows; r++) gen.point(data.data() + r * d);
  std::vector<bool> live(c.rows, true);

  int threads = c.threads >= 0 ? c.threads : std::max(0, static_cast<int>(std::thread::hardware_concurrency()) - 1);
  check(conn->exec("PRAGMA threads = " + std::to_string(threads)), "threads");
  std::printf("  PRAGMA threads = %d\n", threads);
  Timer load;
  check(conn->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v F32_BLOB(" + std::to_string(d) + "))"),
        "create");
  {
    auto ins = conn->prepare("INSERT INTO t(id, v) VALUES (?1, ?2)");
    check(ins.status(), "prepare");
    check(conn->exec("BEGIN"), "begin");
    for (size_t r = 0; r < c.rows; r++) {
      check(ins->reset(), "reset");
      check(ins->bind(1, keel::Value(static_cast<int64_t>(r + 1))), "bind");
      check(ins->bind(2, blob_of(data.data() + r * d, d)), "bind");
      check(ins->execute(), "insert");
    }
    check(conn->exec("COMMIT"), "commit");
  }
  const int64_t page_size = pragma_int(*conn, "PRAGMA page_size");
  const int64_t table_pages = pragma_int(*conn, "PRAGMA page_count");
  std::printf("  load: %.1f s cpu (%.1f s wall); table %.1f MB\n", load.cpu_s(), load.wall_s(),
              static_cast<double>(table_pages * page_size) / 1e6);

  std::vector<std::vector<float>> queries(static_cast<size_t>(c.queries), std::vector<float>(d));
  for (auto& q : queries) gen.point(q.data());
  std::vector<std::vector<int64_t>> truth;
  for (auto& q : queries) truth.push_back(exact_top10(data, live, d, q.data()));

  // Brute force through SQL (checked against the ground truth).
  auto brute = conn->prepare("SELECT id FROM t NOT INDEXED ORDER BY vector_distance_cos(v, ?1) LIMIT 10");
  check(brute.status(), "prepare brute");
  std::vector<std::vector<float>> bq(queries.begin(), queries.begin() + std::min<int>(c.brute, c.queries));
  std::vector<std::vector<int64_t>> bt(truth.begin(), truth.begin() + static_cast<std::ptrdiff_t>(bq.size()));
  run_query(*brute, blob_of(bq[0].data(), d));  // warm
  Measure bf = measure(*brute, bq, bt, d);
  std::printf(
      "  brute force (SQL, NOT INDEXED): %.1f ms/query cpu = %.2f queries/s (%.1f ms wall = %.2f queries/s), "
      "recall %.3f\n",
      bf.cpu_ms, 1e3 / bf.cpu_ms, bf.wall_ms, 1e3 / bf.wall_ms, bf.recall);

  Timer build;
  check(conn->exec("CREATE INDEX i ON t USING vector (v) WITH (metric = 'cos', lists = " +
                   std::to_string(c.lists) + ")"),
        "create index");
  const double build_cpu = build.cpu_s(), build_wall = build.wall_s();
  const int64_t index_pages = pragma_int(*conn, "PRAGMA page_count") - table_pages;
  std::printf("  CREATE INDEX (lists = %d): %.1f s cpu (%.1f s wall); index %.1f MB (%lld lists)\n", c.lists,
              build_cpu, build_wall, static_cast<double>(index_pages * page_size) / 1e6,
              static_cast<long long>(
                  pragma_int(*conn, "SELECT count(*) FROM keel_im_i_centroids WHERE vector IS NOT NULL")));

  auto indexed = conn->prepare("SELECT id FROM t ORDER BY vector_distance_cos(v, ?1) LIMIT 10");
  check(indexed.status(), "prepare indexed");
  auto sweep = [&](const char* label) {
    for (int p : c.probes) {
      check(conn->exec("UPDATE keel_im_i_meta SET probes = " + std::to_string(p)), "probes");
      run_query(*indexed, blob_of(queries[0].data(), d));  // warm
      Measure m = measure(*indexed, queries, truth, d);
      std::printf(
          "  %s probes %3d: recall@10 %.4f, %.2f ms/query cpu = %.1f queries/s (%.2f ms wall), %.1fx brute "
          "force per CPU second, %.1fx in wall-clock time\n",
          label, p, m.recall, m.cpu_ms, 1e3 / m.cpu_ms, m.wall_ms, bf.cpu_ms / m.cpu_ms, bf.wall_ms / m.wall_ms);
    }
  };
  sweep("index");

  // Churn: delete 10 % of the rows, insert 10 % new ones.
  std::mt19937 rng(7);
  const size_t churn = c.rows / 10;
  Timer churn_t;
  {
    auto del = conn->prepare("DELETE FROM t WHERE id = ?1");
    check(del.status(), "prepare delete");
    check(conn->exec("BEGIN"), "begin");
    std::uniform_int_distribution<size_t> pick(0, c.rows - 1);
    for (size_t n = 0; n < churn;) {
      size_t r = pick(rng);
      if (!live[r]) continue;
      live[r] = false;
      n++;
      check(del->reset(), "reset");
      check(del->bind(1, keel::Value(static_cast<int64_t>(r + 1))), "bind");
      check(del->execute(), "delete");
    }
    auto ins = conn->prepare("INSERT INTO t(id, v) VALUES (?1, ?2)");
    check(ins.status(), "prepare");
    data.resize((c.rows + churn) * d);
    live.resize(c.rows + churn, true);
    for (size_t r = c.rows; r < c.rows + churn; r++) {
      gen.point(data.data() + r * d);
      check(ins->reset(), "reset");
      check(ins->bind(1, keel::Value(static_cast<int64_t>(r + 1))), "bind");
      check(ins->bind(2, blob_of(data.data() + r * d, d)), "bind");
      check(ins->execute(), "insert");
    }
    check(conn->exec("COMMIT"), "commit");
  }
  std::printf("  churn: %zu deletes + %zu inserts through SQL: %.1f s cpu (%.1f s wall)\n", churn, churn,
              churn_t.cpu_s(), churn_t.wall_s());
  for (size_t i = 0; i < queries.size(); i++) truth[i] = exact_top10(data, live, d, queries[i].data());
  bt.assign(truth.begin(), truth.begin() + static_cast<std::ptrdiff_t>(bq.size()));
  Measure bf2 = measure(*brute, bq, bt, d);
  std::printf("  brute force after churn: %.1f ms/query cpu = %.2f queries/s (%.1f ms wall), recall %.3f\n",
              bf2.cpu_ms, 1e3 / bf2.cpu_ms, bf2.wall_ms, bf2.recall);
  bf = bf2;
  sweep("after churn");
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows as it happens
  Config c;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--rows")
      c.rows = std::stoul(next());
    else if (a == "--dims")
      c.dims = std::stoul(next());
    else if (a == "--clusters")
      c.clusters = std::stoul(next());
    else if (a == "--queries")
      c.queries = std::stoi(next());
    else if (a == "--brute")
      c.brute = std::stoi(next());
    else if (a == "--lists")
      c.lists = std::stoi(next());
    else if (a == "--spread")
      c.spread = std::stof(next());
    else if (a == "--probes") {
      c.probes.clear();
      std::string s = next();
      for (size_t p = 0; p < s.size();) {
        size_t e = s.find(',', p);
        c.probes.push_back(std::stoi(s.substr(p, e - p)));
        p = e == std::string::npos ? s.size() : e + 1;
      }
    } else if (a == "--module-path")
      c.module_path = next();
    else if (a == "--threads")
      c.threads = std::stoi(next());
    else {
      std::fprintf(stderr,
                   "usage: vector_index_bench [--rows N] [--dims D] [--clusters C] [--queries Q] [--brute Q]"
                   " [--lists L] [--probes P1,P2,...] [--spread S] [--threads N] [--module-path DIR]\n");
      return 2;
    }
  }
  if (c.queries < 1 || c.brute < 1 || c.rows < 10) return 2;
  run(c);
  return 0;
}
