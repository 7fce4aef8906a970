// DualRunner: one database opened twice, in Keel and in libsqlite3 (the
// oracle), with every statement run on both and the outcomes compared cell
// by cell: storage class and exact value (reals bit for bit), rows in order
// when the query has a total ORDER BY and as a sorted multiset otherwise;
// errors by primary result code and message.
//
// A watchdog thread interrupts a Keel statement that runs longer than the
// time limit, so a planner loop shows up as an SQLITE_INTERRUPT mismatch
// instead of a hung test.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/connection.h"

namespace keel::difftest {

// Numbers compare by storage class and bits unless this is set; then an
// INTEGER equals a REAL of the same value, and reals match within 1e-12
// (relative; absolute below 1) (sums whose rounding depends on the order of addition).
extern bool g_loose_numbers;
// Constraint errors compare in full unless this is set; then only the kind
// ("UNIQUE constraint failed") before the column list.
extern bool g_loose_constraint_messages;

struct Cell {
  int type = 5;  // SQLITE_INTEGER.. SQLITE_NULL (same numbering as vm::ValueType)
  int64_t i = 0;
  double r = 0;
  std::string s;  // TEXT or BLOB bytes
  bool operator==(const Cell& o) const;
  bool operator<(const Cell& o) const;
  std::string to_sql() const;  // as an SQL literal
};

struct Outcome {
  int code = 0;  // primary result code; 0 = OK
  std::string message;
  std::vector<std::vector<Cell>> rows;
  int64_t changes = 0;
  std::string describe(size_t max_rows = 20) const;
};

// Watchdog: interrupt() the armed connection once `limit` has elapsed.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::milliseconds limit);
  ~Watchdog();
  void arm(engine::Connection* conn);
  void disarm();

 private:
  void loop();
  std::chrono::milliseconds limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  engine::Connection* conn_ = nullptr;
  std::chrono::steady_clock::time_point deadline_;
  bool stop_ = false;
  std::thread thread_;
};

class DualRunner {
 public:
  DualRunner();
  ~DualRunner();
  // Fresh in-memory databases on both sides.
  bool reset(std::string* error);

  Outcome run_keel(const std::string& sql);
  Outcome run_sqlite(const std::string& sql);

  // Runs `sql` on both; returns "" when the outcomes agree, else a
  // description of the difference. `ordered`: compare rows in order.
  std::string run_both(const std::string& sql, bool ordered, bool compare_changes);

  // Compares the contents (rowid included where there is one) of `tables`.
  std::string compare_tables(const std::vector<std::pair<std::string, bool>>& tables);

  engine::Connection* keel() { return keel_.get(); }

 private:
  Outcome run_keel_unguarded(const std::string& sql);
  std::unique_ptr<engine::Connection> keel_;
  sqlite3* sqlite_ = nullptr;
  Watchdog watchdog_;
};

// "" when equal; otherwise what differs.
std::string compare_outcomes(const Outcome& keel, const Outcome& sqlite, bool ordered, bool compare_changes);

}  // namespace keel::difftest
