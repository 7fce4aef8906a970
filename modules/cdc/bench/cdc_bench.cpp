// The cost of CDC capture: workloads W1 (bulk insert), W8 (updates by key)
// and W9 (deletes by key), each one transaction of N single-row statements
// on a file database, timed with capture off, in `id` mode and in `full`
// mode, plus a baseline without the module. Prints one line per workload
// with the times and the ratio full / off (the goal is <= 2).
//
//   cdc_bench [rows]        (default 20000)
//   cdc_bench rows MODE     one mode only (off, id, full; "none" = no
//                           module), for profiling
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

void check(const keel::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, std::string(s.message()).c_str());
    std::exit(1);
  }
}

// Runs `sql` once per row i in [0, n) inside one transaction, binding
// ?1 = i and ?2 = a 40-byte text; returns seconds.
double timed(keel::Connection& c, const char* sql, int n) {
  auto st = c.prepare(sql);
  check(st.status(), sql);
  auto start = std::chrono::steady_clock::now();
  check(c.exec("BEGIN"), "BEGIN");
  std::string text(40, 'x');
  for (int i = 0; i < n; i++) {
    check(st->bind(1, keel::Value(static_cast<int64_t>(i))), "bind");
    if (st->parameter_count() >= 2) check(st->bind(2, keel::Value(text + std::to_string(i))), "bind");
    check(st->execute(), sql);
  }
  check(c.exec("COMMIT"), "COMMIT");
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double timed_once(keel::Connection& c, const std::string& sql) {
  auto start = std::chrono::steady_clock::now();
  check(c.exec(sql), sql.c_str());
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct Times {
  double w1, w8, w9;  // n single-row statements in one transaction
  double b1, b8, b9;  // the same work as one statement each
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
    std::printf("%s: W1 %.3fs W8 %.3fs W9 %.3fs, as 1 stmt: %.3fs %.3fs %.3fs\n", mode.c_str(), t.w1, t.w8,
                t.w9, t.b1, t.b8, t.b9);
    return 0;
  }
  Times none = run("none", false, nullptr, n);
  Times off = run("off", true, "off", n);
  Times id = run("id", true, "id", n);
  Times full = run("full", true, "full", n);
  std::printf("rows per workload: %d (one transaction each)\n", n);
  std::printf("%-16s %10s %10s %10s %10s %12s\n", "workload", "no module", "off", "id", "full", "full/off");
  auto line = [](const char* name, double a, double b, double c, double d) {
    std::printf("%-16s %9.3fs %9.3fs %9.3fs %9.3fs %11.2fx\n", name, a, b, c, d, d / b);
  };
  line("W1 bulk insert", none.w1, off.w1, id.w1, full.w1);
  line("W8 updates", none.w8, off.w8, id.w8, full.w8);
  line("W9 deletes", none.w9, off.w9, id.w9, full.w9);
  line("W1 as 1 stmt", none.b1, off.b1, id.b1, full.b1);
  line("W8 as 1 stmt", none.b8, off.b8, id.b8, full.b8);
  line("W9 as 1 stmt", none.b9, off.b9, id.b9, full.b9);
  return 0;
}
