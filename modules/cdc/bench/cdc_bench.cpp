// The cost of CDC capture: workloads W1 (bulk insert), W8 (updates by key)
// and W9 (deletes by key), each one transaction of N single-row statements
// on a file database, timed with capture off, in `id` mode and in `full`
// mode, plus a baseline without the module. Prints one line per workload
// with the times and the ratio full / off (the goal is <= 2): wall-clock
// time, then the process's CPU time (user + system), which a busy machine
// disturbs less (a descheduled process is not charged for the wait).
//
//   cdc_bench [rows]        (default 20000)
//   cdc_bench rows MODE     one mode only (off, id, full; "none" = no
//                           module), for profiling
//   KEEL_CDC_BENCH_CACHE=N  PRAGMA cache_size = N for every run
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include "keel/database.hpp"

namespace {

std::string path_for(const char* tag) {
  return (std::filesystem::temp_directory_path() /
          ("keel_cdc_bench_" + std::string(tag) + "_" + std::to_string(getpid()) + ".db"))
      .string();
}

double cpu_now() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Wall-clock and CPU seconds of one workload.
struct Cost {
  double wall = 0, cpu = 0;
};

void check(const keel::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, std::string(s.message()).c_str());
    std::exit(1);
  }
}

// Runs `sql` once per row i in [0, n) inside one transaction, binding
// ?1 = i and ?2 = a 40-byte text.
Cost timed(keel::Connection& c, const char* sql, int n) {
  auto st = c.prepare(sql);
  check(st.status(), sql);
  double cpu = cpu_now();
  auto start = std::chrono::steady_clock::now();
  check(c.exec("BEGIN"), "BEGIN");
  std::string text(40, 'x');
  for (int i = 0; i < n; i++) {
    check(st->bind(1, keel::Value(static_cast<int64_t>(i))), "bind");
    if (st->parameter_count() >= 2) check(st->bind(2, keel::Value(text + std::to_string(i))), "bind");
    check(st->execute(), sql);
  }
  check(c.exec("COMMIT"), "COMMIT");
  return Cost{std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
              cpu_now() - cpu};
}

Cost timed_once(keel::Connection& c, const std::string& sql) {
  double cpu = cpu_now();
  auto start = std::chrono::steady_clock::now();
  check(c.exec(sql), sql.c_str());
  return Cost{std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
              cpu_now() - cpu};
}

struct Times {
  Cost w1, w8, w9;  // n single-row statements in one transaction
  Cost b1, b8, b9;  // the same work as one statement each
};

Times run(const char* tag, bool module, const char* mode, int n) {
  std::string path = path_for(tag);
  std::filesystem::remove(path);
  keel::Options o;
  o.module_path = {KEEL_CDC_MODULE_DIR};
  if (!module) o.experimental = {"-cdc"};
  auto db = keel::Database::open(path, o);
  check(db.status(), "open");
  auto c = (*db)->connect();
  check(c.status(), "connect");
  // KEEL_CDC_BENCH_CACHE: PRAGMA cache_size for the run (default: the
  // engine's, 2000 KiB), to tell the cost of capture from the cost of
  // spilling the larger transaction out of the page cache.
  if (const char* cache = std::getenv("KEEL_CDC_BENCH_CACHE")) {
    check(c->exec(std::string("PRAGMA cache_size = ") + std::to_string(std::atoll(cache))), "cache_size");
  }
  check(c->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c REAL)"), "create");
  if (mode) check(c->exec(std::string("PRAGMA capture_data_changes_conn('") + mode + "')"), "pragma");
  Times t;
  t.w1 = timed(*c, "INSERT INTO t VALUES (?1, ?1 * 7, ?2, ?1 / 3.0)", n);
  t.w8 = timed(*c, "UPDATE t SET a = a + 1, b = ?2 WHERE id = ?1", n);
  t.w9 = timed(*c, "DELETE FROM t WHERE id = ?1", n);
  t.b1 = timed_once(*c, "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < " +
                            std::to_string(n - 1) +
                            ") INSERT INTO t SELECT i, i * 7, 'xxxxxxxxxxxxxxxxxxxx' || i, "
                            "i / 3.0 FROM s");
  t.b8 = timed_once(*c, "UPDATE t SET a = a + 1, b = b || 'y'");
  t.b9 = timed_once(*c, "DELETE FROM t");
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-journal");
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 20000;
  if (argc > 2) {
    std::string mode = argv[2];
    bool none = mode == "none";
    Times t = run(mode.c_str(), !none, none ? nullptr : mode.c_str(), n);
    std::printf("%s: W1 %.3fs W8 %.3fs W9 %.3fs, as 1 stmt: %.3fs %.3fs %.3fs\n", mode.c_str(), t.w1.wall,
                t.w8.wall, t.w9.wall, t.b1.wall, t.b8.wall, t.b9.wall);
    std::printf("%s cpu: W1 %.3fs W8 %.3fs W9 %.3fs, as 1 stmt: %.3fs %.3fs %.3fs\n", mode.c_str(), t.w1.cpu,
                t.w8.cpu, t.w9.cpu, t.b1.cpu, t.b8.cpu, t.b9.cpu);
    return 0;
  }
  Times none = run("none", false, nullptr, n);
  Times off = run("off", true, "off", n);
  Times id = run("id", true, "id", n);
  Times full = run("full", true, "full", n);
  std::printf("rows per workload: %d (one transaction each)\n", n);
  for (int cpu = 0; cpu < 2; cpu++) {
    std::printf("%-16s %10s %10s %10s %10s %12s\n", cpu ? "CPU time" : "wall-clock", "no module", "off", "id",
                "full", "full/off");
    auto line = [cpu](const char* name, Cost a, Cost b, Cost c, Cost d) {
      auto v = [cpu](Cost x) { return cpu ? x.cpu : x.wall; };
      std::printf("%-16s %9.3fs %9.3fs %9.3fs %9.3fs %11.2fx\n", name, v(a), v(b), v(c), v(d), v(d) / v(b));
    };
    line("W1 bulk insert", none.w1, off.w1, id.w1, full.w1);
    line("W8 updates", none.w8, off.w8, id.w8, full.w8);
    line("W9 deletes", none.w9, off.w9, id.w9, full.w9);
    line("W1 as 1 stmt", none.b1, off.b1, id.b1, full.b1);
    line("W8 as 1 stmt", none.b8, off.b8, id.b8, full.b8);
    line("W9 as 1 stmt", none.b9, off.b9, id.b9, full.b9);
  }
  return 0;
}
