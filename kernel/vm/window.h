// Window functions in the VM: one partition of rows, buffered in memory, and
// the frame machinery that feeds them to the window functions.
//
// The code generator sorts a SELECT's rows by (PARTITION BY, ORDER BY) of a
// window and hands each partition to a WindowPartition row by row
// (OP_WindowAppend). OP_WindowRun then computes every window function of the
// window for every row, and OP_WindowRewind / OP_WindowNext /
// OP_WindowColumn read the rows back with the results appended as extra
// columns. Functions whose OVER clauses are identical after frame coercion
// (SQLite's sqlite3WindowCompare) share one WindowPlan and one pass.
//
// The frame walk is SQLite's sqlite3WindowCodeStep, executed instead of
// generated: rows "arrive" one at a time, three cursors (start, current,
// end) move over the cached rows, and xStep / xInverse / xValue are called
// in exactly the order SQLite's bytecode calls them, so that every built-in
// and user-defined window function sees the same calls, the same empty
// frames and the same look-ahead (lag(x, -1) sees the next row only because
// SQLite has read one row ahead; see func/window_functions.h). EXCLUDE
// clauses (including EXCLUDE NO OTHERS) re-aggregate the frame for each row,
// as window.c's windowFullScan does. min()/max() whose frame start moves keep
// the frame's values in an ordered multiset (window.c's ephemeral index).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "func/function.h"
#include "keel/status.hpp"
#include "vm/record_compare.h"
#include "vm/value.h"

namespace keel::vm {

// One window function of a WindowPlan.
struct WindowFunc {
  enum class Kind : uint8_t {
    kAggregate,   // step / inverse / value / final (every aggregate, row_number, rank, ...)
    kFirstValue,  // first_value(): read from the cached partition
    kNthValue,    // nth_value()
    kLead,        // lead(): relative to the current row's position
    kLag,         // lag()
  };
  const func::FunctionDef* def = nullptr;
  Kind kind = Kind::kAggregate;
  int arg_col = 0;  // first argument's column in the buffered row
  int n_args = 0;
  int filter_col = -1;   // column holding the FILTER clause's value; -1 = no FILTER
  int subtype_col = -1;  // SQLITE_SUBTYPE functions: argument i's subtype is column subtype_col + i
  const Collation* coll = nullptr;  // collation for kNeedCollation functions
  bool minmax = false;              // min()/max(): the ordered-multiset path when the frame start moves
  bool is_max = false;
};

// One window (the OVER clause after coercion) and its functions: P4 of the
// window opcodes.
struct WindowPlan {
  enum class Unit : uint8_t { kRows, kRange, kGroups };
  enum class Bound : uint8_t {
    kUnboundedPreceding,
    kPreceding,
    kCurrentRow,
    kFollowing,
    kUnboundedFollowing
  };
  enum class Exclude : uint8_t { kNone, kNoOthers, kCurrentRow, kGroup, kTies };
  Unit unit = Unit::kRange;
  Bound start = Bound::kUnboundedPreceding;
  Bound end = Bound::kCurrentRow;
  Exclude exclude = Exclude::kNone;
  int start_reg = 0;  // register holding the start offset (<expr> PRECEDING/FOLLOWING), 0 = none
  int end_reg = 0;
  int n_cols = 0;     // width of a buffered row
  int order_col = 0;  // the ORDER BY values (peer values) are columns order_col..+n_order-1
  int n_order = 0;
  KeyInfo order_key;  // their collations and sort flags
  std::vector<WindowFunc> funcs;
};

// The rows of one partition and the window function results computed over
// them. Owned by the VM, one per window cursor number.
class WindowPartition {
 public:
  explicit WindowPartition(const WindowPlan* plan) : plan_(plan) {}
  ~WindowPartition();
  WindowPartition(const WindowPartition&) = delete;
  WindowPartition& operator=(const WindowPartition&) = delete;

  // Appends a copy of row[0..plan.n_cols).
  void append(const Value* row);
  // Computes every function's result for every row. `regs` is the VM's
  // register file (frame offsets are read from it); errors are the
  // functions' or SQLite's offset checks. When a function fails after
  // some rows were complete, run() succeeds and those rows are read back
  // first, as SQLite returns them before the error: the error then comes
  // from take_error() when next() reports the end.
  // `interrupted` is polled as rows arrive (sqlite3_interrupt).
  Status run(func::FunctionHost& host, std::span<const Value> regs, int64_t max_length,
             const std::function<bool()>& interrupted);
  // Reading back: rewind() is false when there are no rows; next() false at the end.
  bool rewind();
  bool next();
  Status take_error() { return std::exchange(pending_, Status::Ok()); }
  // Column `col` of the current row; plan.n_cols + k is function k's result.
  const Value& column(int col) const;
  // Forgets the rows (the next partition starts).
  void clear();
  size_t size() const { return n_rows_; }

 private:
  friend class WindowRunner;
  const WindowPlan* plan_;
  // Row i is cells_[i * plan.n_cols ...]; its results are
  // results_[i * plan.funcs.size() ...] once done_[i] is set. Storage is
  // kept across partitions, so a partition allocates only when it is the
  // largest so far.
  const Value* row(size_t i) const { return &cells_[i * static_cast<size_t>(plan_->n_cols)]; }
  std::vector<Value> cells_;
  std::vector<Value> results_;
  std::vector<uint8_t> done_;
  size_t n_rows_ = 0;
  size_t read_ = 0;
  size_t ready_ = 0;  // rows [0, ready_) have their results
  Status pending_;    // the error that stopped run() after ready_ rows
  // Auxiliary data functions keep across calls (sqlite3_set_auxdata), per function.
  std::vector<std::vector<func::FunctionContext::AuxEntry>> aux_;
};

// window.c's check of nth_value's N (see func/window_functions.h).
Status window_nth_value_argument(const Value& arg, int64_t* n);
// window.c's lead()/lag() target rowid (see func/window_functions.h).
bool window_lead_lag_target(bool lead, int64_t current_rowid, const Value* offset, int64_t* target);

}  // namespace keel::vm
