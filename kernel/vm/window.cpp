// The frame walk of one window partition: SQLite's sqlite3WindowCodeStep
// (window.c) run directly instead of being compiled to bytecode.
//
// Design note
// -----------
// SQLite caches a partition in an ephemeral table as its rows arrive and
// keeps three cursors on it: `end` (the next row to enter the frame:
// xStep), `current` (the next row to return: xValue) and `start` (the next
// row to leave the frame: xInverse). What it does after each arriving row,
// and when the partition ends ("flush"), depends on the frame's bound kinds;
// for RANGE and GROUPS frames each operation covers a whole peer group. The
// Runner below mirrors that program line by line (the comments name the
// window.c routine each part comes from), so results match SQLite's also in
// its corner cases: frames whose start passes their end, aggregates stepped
// then fully inverted (group_concat gives '' rather than NULL), lag() seeing
// the one row read ahead, FILTER being ignored by the min()/max() index path.
//
// Invariants:
//  1. Rows [cache_begin, arrived) are the ephemeral table; rowid of row i is
//     i - cache_begin + 1. A cursor at or past `arrived` is at EOF and reads
//     NULLs (SQLite's nullRow).
//  2. Every row of the partition is returned exactly once, in order, by
//     return_row(); its results are stored then.
#include "vm/window.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <set>

#include "vm/affinity.h"
#include "vm/numeric.h"
#include "vm/value_compare.h"

namespace keel::vm {

Status window_nth_value_argument(const Value& arg, int64_t* n) {
  int64_t v;
  switch (arg.numeric_type()) {
    case ValueType::kInteger:
      v = arg.as_int64();
      break;
    case ValueType::kReal: {
      double r = arg.as_double();
      if (static_cast<double>(static_cast<int64_t>(r)) != r) goto error;
      v = static_cast<int64_t>(r);
      break;
    }
    default:
      goto error;
  }
  if (v <= 0) goto error;
  *n = v;
  return Status::Ok();
error:
  return Status(rc::kError, "second argument to nth_value must be a positive integer");
}

bool window_lead_lag_target(bool lead, int64_t current_rowid, const Value* offset, int64_t* target) {
  Value key;
  if (offset == nullptr) {
    *target = current_rowid + (lead ? 1 : -1);
    return true;
  }
  Value rowid = Value::integer(current_rowid);
  if (lead) {
    arith_add(*offset, rowid, key);
  } else {
    arith_sub(rowid, *offset, key);
  }
  apply_affinity(key, Affinity::kNumeric);
  if (!key.is_int()) return false;
  *target = key.int_value();
  return true;
}

WindowPartition::~WindowPartition() {
  for (auto& v : aux_) {
    for (auto& e : v) {
      if (e.destroy) e.destroy(e.data);
    }
  }
}

void WindowPartition::append(const Value* row) {
  size_t w = static_cast<size_t>(plan_->n_cols);
  size_t base = n_rows_ * w;
  if (cells_.size() < base + w) cells_.resize(base + w);
  for (size_t i = 0; i < w; i++) cells_[base + i].copy_from(row[i]);
  n_rows_++;
}

bool WindowPartition::rewind() {
  read_ = 0;
  return ready_ > 0;
}

bool WindowPartition::next() { return ++read_ < ready_; }

const Value& WindowPartition::column(int col) const {
  static const Value kNull;
  if (read_ >= ready_) return kNull;
  if (col < plan_->n_cols) return row(read_)[col];
  size_t k = static_cast<size_t>(col - plan_->n_cols);
  if (k >= plan_->funcs.size()) return kNull;
  return results_[read_ * plan_->funcs.size() + k];
}

void WindowPartition::clear() {
  n_rows_ = 0;
  read_ = 0;
  ready_ = 0;
  pending_ = Status::Ok();
}

namespace {

using Bound = WindowPlan::Bound;
using Unit = WindowPlan::Unit;
using Kind = WindowFunc::Kind;

// MustBeInt (to_exact_int in the interpreter).
bool exact_int(Value& v) {
  if (v.is_int()) return true;
  Value tmp;
  tmp.copy_from(v);
  apply_affinity(tmp, Affinity::kNumeric);
  if (tmp.is_int()) {
    v.set_int(tmp.int_value());
    return true;
  }
  return false;
}

enum class Cmp { kGe, kGt, kLe, kLt };

bool apply_cmp(Cmp op, int c) {
  switch (op) {
    case Cmp::kGe:
      return c >= 0;
    case Cmp::kGt:
      return c > 0;
    case Cmp::kLe:
      return c <= 0;
    case Cmp::kLt:
      return c < 0;
  }
  return false;
}

// The ordered index of window.c's inline min()/max(): (value, sequence),
// value descending for min() so that the last entry is the answer.
struct MinMaxEntry {
  Value v;
  int64_t seq;
};
struct MinMaxLess {
  const Collation* coll;
  bool desc;
  bool operator()(const MinMaxEntry& a, const MinMaxEntry& b) const {
    int c = compare_values(a.v, b.v, coll);
    if (desc) c = -c;
    if (c != 0) return c < 0;
    return a.seq < b.seq;
  }
};

struct FuncState {
  std::vector<uint8_t> acc;  // aggregate_context
  Value result;              // regResult
  int64_t removed = 0;       // first_value/nth_value: rows inverted (regApp)
  int64_t added = 0;         // rows stepped (regApp+1)
  std::unique_ptr<std::multiset<MinMaxEntry, MinMaxLess>> index;
  int64_t seq = 0;
};

}  // namespace

// Runs one partition (see the design note).
class WindowRunner {
 public:
  WindowRunner(WindowPartition& part, func::FunctionHost& host, std::span<const Value> regs,
               int64_t max_length, const std::function<bool()>& interrupted)
      : part_(part),
        p_(*part.plan_),
        n_rows_(part.n_rows_),
        host_(host),
        regs_(regs),
        max_length_(max_length),
        interrupted_(interrupted) {
    states_.resize(p_.funcs.size());
    for (size_t k = 0; k < p_.funcs.size(); k++) {
      const WindowFunc& f = p_.funcs[k];
      if (f.minmax && p_.start != Bound::kUnboundedPreceding && !exclude_mode()) {
        states_[k].index =
            std::make_unique<std::multiset<MinMaxEntry, MinMaxLess>>(MinMaxLess{f.coll, !f.is_max});
      }
    }
    part_.aux_.resize(p_.funcs.size());
    size_t n_results = n_rows_ * p_.funcs.size();
    if (part_.results_.size() < n_results) part_.results_.resize(n_results);
    part_.done_.assign(n_rows_, 0);
  }
  ~WindowRunner() { finalize_all(); }

  Status run();

 private:
  struct Cursor {
    size_t pos = 0;
    size_t peer = 0;  // the row whose peer values the cursor's registers hold
  };
  enum class Op { kReturnRow, kInverse, kStep };

  bool exclude_mode() const { return p_.exclude != WindowPlan::Exclude::kNone; }
  bool uses_index(size_t k) const { return states_[k].index != nullptr; }
  const Value& col(size_t row, int c) const {
    static const Value kNull;
    if (row >= arrived_ || row < cache_begin_) return kNull;
    return part_.row(row)[c];
  }
  bool peer_equal(size_t a, size_t b) const {
    if (p_.n_order == 0) return true;
    if (a < arrived_ && b < arrived_) {
      return compare_keys(part_.row(a) + p_.order_col, part_.row(b) + p_.order_col, p_.n_order,
                          p_.order_key) == 0;
    }
    // A cursor at EOF reads NULLs (rare: only at the end of a partition).
    std::vector<Value> na(p_.n_order), nb(p_.n_order);
    for (int i = 0; i < p_.n_order; i++) {
      na[i].shallow_copy_from(col(a, p_.order_col + i));
      nb[i].shallow_copy_from(col(b, p_.order_col + i));
    }
    return compare_keys(na.data(), nb.data(), p_.n_order, p_.order_key) == 0;
  }
  int64_t rowid(size_t row) const { return static_cast<int64_t>(row - cache_begin_) + 1; }

  Status check_offset(Value& v, bool starting);
  bool range_test(Cmp op, size_t row1, const Value& val, size_t row2);
  Status code_op(Op op, Value* countdown, bool jump_on_eof, bool* eof);
  Status agg_step(size_t row, bool inverse);
  Status call_step(size_t k, size_t row, bool inverse);
  Status agg_value();
  Status return_row();
  Status full_scan(size_t cur);
  void init_accum();
  void reset_state(size_t k);
  void finalize_all();
  Status check_result(const Value& v) {
    if (v.is_bytes() && static_cast<int64_t>(v.size()) > max_length_) {
      return Status(rc::kTooBig, "string or blob too big");
    }
    return Status::Ok();
  }
  Status partition_loop();
  Status flush();

  WindowPartition& part_;
  const WindowPlan& p_;
  size_t n_rows_;
  func::FunctionHost& host_;
  std::span<const Value> regs_;
  int64_t max_length_;
  const std::function<bool()>& interrupted_;
  std::vector<FuncState> states_;
  size_t arrived_ = 0;
  size_t cache_begin_ = 0;
  Cursor start_, current_, end_;
  size_t peer_row_ = 0;  // regPeer: the peer values of the last new peer group
  Value reg_start_, reg_end_;
  bool main_loop_ = true;                    // p->regRowid != 0
  int64_t start_rowid_ = 1, end_rowid_ = 0;  // EXCLUDE: the frame as rowids
  std::vector<Value> args_;
};

Status WindowRunner::check_offset(Value& v, bool starting) {
  bool range = p_.unit == Unit::kRange;
  const char* msg = starting ? (range ? "frame starting offset must be a non-negative number"
                                      : "frame starting offset must be a non-negative integer")
                             : (range ? "frame ending offset must be a non-negative number"
                                      : "frame ending offset must be a non-negative integer");
  if (range) {
    // windowCheckValue: NULL, text and blobs (after numeric affinity) fail,
    // as do negative numbers. The register keeps its original value.
    Value tmp;
    tmp.copy_from(v);
    if (tmp.is_text()) apply_numeric_affinity(tmp, false);
    if (tmp.is_null() || tmp.is_bytes()) return Status(rc::kError, msg);
    if (compare_values(tmp, Value::integer(0)) < 0) return Status(rc::kError, msg);
    return Status::Ok();
  }
  if (!exact_int(v)) return Status(rc::kError, msg);
  if (v.int_value() < 0) return Status(rc::kError, msg);
  return Status::Ok();
}

// windowCodeRangeTest: is (row1.peer +/- val) OP row2.peer? For DESC the
// arithmetic and the comparison are reversed; text and blobs are compared
// without arithmetic; NULLs sort as the ORDER BY term says.
bool WindowRunner::range_test(Cmp op, size_t row1, const Value& val, size_t row2) {
  Value reg1, reg2;
  reg1.copy_from(col(row1, p_.order_col));
  reg2.copy_from(col(row2, p_.order_col));
  uint8_t flags = p_.order_key.flags(0);
  bool sub = false;
  if (flags & kSortDesc) {
    switch (op) {
      case Cmp::kGe:
        op = Cmp::kLe;
        break;
      case Cmp::kGt:
        op = Cmp::kLt;
        break;
      case Cmp::kLe:
        op = Cmp::kGe;
        break;
      case Cmp::kLt:
        break;
    }
    sub = true;
  }
  if (flags & kSortBigNull) {
    if (reg1.is_null()) {
      switch (op) {
        case Cmp::kGe:
          return true;
        case Cmp::kGt:
          return !reg2.is_null();
        case Cmp::kLe:
          return reg2.is_null();
        case Cmp::kLt:
          return false;
      }
    }
    if (reg2.is_null()) return !(op == Cmp::kGt || op == Cmp::kGe);
  }
  // if( reg1>='' ) skip the arithmetic (NULL compares false).
  bool is_bytes = !reg1.is_null() && reg1.is_bytes();
  if (!is_bytes) {
    if ((op == Cmp::kGe && !sub) || (op == Cmp::kLe && sub)) {
      if (!reg1.is_null() && !reg2.is_null() && apply_cmp(op, compare_values(reg1, reg2, nullptr)))
        return true;
    }
    Value out;
    if (sub) {
      arith_sub(reg1, val, out);
    } else {
      arith_add(reg1, val, out);
    }
    reg1 = std::move(out);
  }
  // SQLITE_NULLEQ: NULL is the smallest value and equals NULL.
  const Collation* coll = p_.order_key.collation(0);
  return apply_cmp(op, compare_values(reg1, reg2, coll));
}

void WindowRunner::reset_state(size_t k) {
  FuncState& s = states_[k];
  if (!s.acc.empty()) {
    // OP_Null on an accumulator finalizes it (sqlite3VdbeMemFinalize).
    const WindowFunc& f = p_.funcs[k];
    Value sink;
    func::FunctionContext ctx(f.def, &host_);
    ctx.set_result_slot(&sink);
    ctx.set_aggregate_slot(&s.acc);
    ctx.set_aux_store(&part_.aux_[k]);
    if (f.def->final) f.def->final(ctx);
    s.acc.clear();
  }
}

void WindowRunner::finalize_all() {
  for (size_t k = 0; k < states_.size(); k++) reset_state(k);
}

// windowInitAccum.
void WindowRunner::init_accum() {
  for (size_t k = 0; k < states_.size(); k++) {
    reset_state(k);
    states_[k].removed = 0;
    states_[k].added = 0;
    if (states_[k].index) {
      states_[k].index->clear();
      states_[k].seq = 0;
    }
  }
}

Status WindowRunner::call_step(size_t k, size_t row, bool inverse) {
  const WindowFunc& f = p_.funcs[k];
  FuncState& s = states_[k];
  args_.resize(static_cast<size_t>(std::max(f.n_args, 1)));
  for (int i = 0; i < f.n_args; i++) {
    // nth_value's N is read from the current row (window.c reads iEphCsr).
    size_t r = (i == 1 && f.kind == Kind::kNthValue) ? current_.pos : row;
    args_[i].shallow_copy_from(col(r, f.arg_col + i));
    if (f.subtype_col >= 0) args_[i].set_subtype(static_cast<uint8_t>(col(r, f.subtype_col + i).as_int64()));
  }
  if (f.filter_col >= 0 && !truth_value(col(row, f.filter_col), false)) return Status::Ok();
  Value sink;
  func::FunctionContext ctx(f.def, &host_);
  ctx.set_result_slot(&sink);
  ctx.set_aggregate_slot(&s.acc);
  ctx.set_aux_store(&part_.aux_[k]);
  ctx.set_collation(f.coll);
  std::span<Value> args(args_.data(), static_cast<size_t>(f.n_args));
  if (inverse) {
    if (f.def->inverse) f.def->inverse(ctx, args);
  } else {
    f.def->step(ctx, args);
  }
  if (ctx.has_error()) return Status(ctx.error_code(), ctx.error_message());
  return Status::Ok();
}

// windowAggStep.
Status WindowRunner::agg_step(size_t row, bool inverse) {
  for (size_t k = 0; k < p_.funcs.size(); k++) {
    const WindowFunc& f = p_.funcs[k];
    FuncState& s = states_[k];
    if (uses_index(k)) {
      const Value& v = col(row, f.arg_col);
      if (v.is_null()) continue;
      if (!inverse) {
        MinMaxEntry e;
        e.v.copy_from(v);
        e.seq = ++s.seq;
        s.index->insert(std::move(e));
      } else {
        // SeekGE on the value alone, then Delete.
        MinMaxEntry probe;
        probe.v.shallow_copy_from(v);
        probe.seq = INT64_MIN;
        auto it = s.index->lower_bound(probe);
        if (it != s.index->end()) s.index->erase(it);
      }
      continue;
    }
    if (!exclude_mode() && (f.kind == Kind::kFirstValue || f.kind == Kind::kNthValue)) {
      if (inverse) {
        s.removed++;
      } else {
        s.added++;
      }
      continue;
    }
    if (f.kind == Kind::kLead || f.kind == Kind::kLag) continue;  // no-op methods
    KEEL_RETURN_IF_ERROR(call_step(k, row, inverse));
  }
  return Status::Ok();
}

// windowAggFinal(p, 0): the current value of every function.
Status WindowRunner::agg_value() {
  for (size_t k = 0; k < p_.funcs.size(); k++) {
    const WindowFunc& f = p_.funcs[k];
    FuncState& s = states_[k];
    if (uses_index(k)) {
      s.result.set_null();
      if (!s.index->empty()) s.result.copy_from(std::prev(s.index->end())->v);
      continue;
    }
    if (f.kind != Kind::kAggregate) continue;
    Value result;
    func::FunctionContext ctx(f.def, &host_);
    ctx.set_result_slot(&result);
    ctx.set_aggregate_slot(&s.acc);
    ctx.set_aux_store(&part_.aux_[k]);
    ctx.set_window_value(true);
    if (f.def->value) f.def->value(ctx);
    if (ctx.has_error()) return Status(ctx.error_code(), ctx.error_message());
    KEEL_RETURN_IF_ERROR(check_result(result));
    s.result = std::move(result);
    s.result.make_owned();
  }
  return Status::Ok();
}

// windowFullScan: EXCLUDE frames are aggregated from scratch for each row.
Status WindowRunner::full_scan(size_t cur) {
  for (size_t k = 0; k < states_.size(); k++) reset_state(k);
  for (int64_t id = std::max<int64_t>(start_rowid_, 1); id <= end_rowid_; id++) {
    size_t r = cache_begin_ + static_cast<size_t>(id - 1);
    if (r >= arrived_) break;
    switch (p_.exclude) {
      case WindowPlan::Exclude::kCurrentRow:
        if (r == cur) continue;
        break;
      case WindowPlan::Exclude::kGroup:
        if (peer_equal(r, cur)) continue;
        break;
      case WindowPlan::Exclude::kTies:
        if (r != cur && peer_equal(r, cur)) continue;
        break;
      default:
        break;
    }
    for (size_t k = 0; k < p_.funcs.size(); k++) {
      const WindowFunc& f = p_.funcs[k];
      if (f.kind == Kind::kLead || f.kind == Kind::kLag) continue;
      KEEL_RETURN_IF_ERROR(call_step(k, r, false));
    }
  }
  // windowAggFinal(p, 1).
  for (size_t k = 0; k < p_.funcs.size(); k++) {
    const WindowFunc& f = p_.funcs[k];
    FuncState& s = states_[k];
    Value result;
    func::FunctionContext ctx(f.def, &host_);
    ctx.set_result_slot(&result);
    ctx.set_aggregate_slot(&s.acc);
    ctx.set_aux_store(&part_.aux_[k]);
    if (f.def->final) f.def->final(ctx);
    s.acc.clear();
    if (ctx.has_error()) return Status(ctx.error_code(), ctx.error_message());
    KEEL_RETURN_IF_ERROR(check_result(result));
    s.result = std::move(result);
    s.result.make_owned();
  }
  return Status::Ok();
}

// windowReturnOneRow: the current row's results.
Status WindowRunner::return_row() {
  size_t c = current_.pos;
  if (exclude_mode()) {
    KEEL_RETURN_IF_ERROR(full_scan(c));
  } else {
    for (size_t k = 0; k < p_.funcs.size(); k++) {
      const WindowFunc& f = p_.funcs[k];
      FuncState& s = states_[k];
      if (f.kind == Kind::kFirstValue || f.kind == Kind::kNthValue) {
        s.result.set_null();
        int64_t n = 1;
        if (f.kind == Kind::kNthValue) {
          Value arg;
          arg.copy_from(col(c, f.arg_col + 1));
          if (!exact_int(arg) || arg.int_value() <= 0) {
            return Status(rc::kError, "second argument to nth_value must be a positive integer");
          }
          n = arg.int_value();
        }
        if (n > s.added - s.removed) continue;
        size_t r = cache_begin_ + static_cast<size_t>(n + s.removed - 1);
        s.result.copy_from(col(r, f.arg_col));
      } else if (f.kind == Kind::kLead || f.kind == Kind::kLag) {
        s.result.set_null();
        if (f.n_args >= 3) s.result.copy_from(col(c, f.arg_col + 2));
        int64_t target;
        const Value* offset = f.n_args >= 2 ? &col(c, f.arg_col + 1) : nullptr;
        if (window_lead_lag_target(f.kind == Kind::kLead, rowid(c), offset, &target) && target >= 1 &&
            target <= static_cast<int64_t>(arrived_ - cache_begin_)) {
          s.result.copy_from(col(cache_begin_ + static_cast<size_t>(target - 1), f.arg_col));
        }
      }
    }
  }
  if (c < n_rows_) {
    Value* out = &part_.results_[c * states_.size()];
    for (size_t k = 0; k < states_.size(); k++) out[k].copy_from(states_[k].result);
    part_.done_[c] = 1;
  }
  return Status::Ok();
}

// windowCodeOp. *eof is set when jump_on_eof and the cursor reached EOF.
Status WindowRunner::code_op(Op op, Value* countdown, bool jump_on_eof, bool* eof) {
  if (eof) *eof = false;
  if (op == Op::kInverse && p_.start == Bound::kUnboundedPreceding) return Status::Ok();
  bool peer = p_.unit != Unit::kRows;
  bool range = p_.unit == Unit::kRange;
  for (;;) {  // addrNextRange
    if (countdown) {
      if (range) {
        if (op == Op::kInverse) {
          if (p_.start == Bound::kFollowing) {
            if (range_test(Cmp::kLe, current_.pos, *countdown, start_.pos)) return Status::Ok();
          } else {
            if (range_test(Cmp::kGe, start_.pos, *countdown, current_.pos)) return Status::Ok();
          }
        } else {
          if (range_test(Cmp::kGt, end_.pos, *countdown, current_.pos)) return Status::Ok();
        }
      } else {
        // OP_IfPos countdown, done, 1
        if (countdown->as_int64() > 0) {
          countdown->set_int(countdown->as_int64() - 1);
          return Status::Ok();
        }
      }
    }
    if (op == Op::kReturnRow && !exclude_mode()) KEEL_RETURN_IF_ERROR(agg_value());
    for (;;) {  // addrContinue
      if (p_.start == p_.end && countdown && range) {
        if (op == Op::kInverse) {
          if (start_.pos < arrived_ && end_.pos < arrived_ && start_.pos >= end_.pos) return Status::Ok();
        } else if (main_loop_) {
          if (end_.pos < arrived_ && rowid(end_.pos) >= rowid(arrived_ - 1)) return Status::Ok();
        }
      }
      Cursor* csr;
      switch (op) {
        case Op::kReturnRow:
          csr = &current_;
          KEEL_RETURN_IF_ERROR(return_row());
          break;
        case Op::kInverse:
          csr = &start_;
          if (exclude_mode()) {
            start_rowid_++;
          } else {
            KEEL_RETURN_IF_ERROR(agg_step(start_.pos, true));
          }
          break;
        default:
          csr = &end_;
          if (exclude_mode()) {
            end_rowid_++;
          } else {
            KEEL_RETURN_IF_ERROR(agg_step(end_.pos, false));
          }
          break;
      }
      csr->pos++;
      bool at_eof = csr->pos >= arrived_;
      if (at_eof) {
        if (jump_on_eof) {
          *eof = true;
          return Status::Ok();
        }
        if (peer) return Status::Ok();
      }
      if (peer) {
        if (peer_equal(csr->pos, csr->peer)) continue;  // same peer group: goto addrContinue
        csr->peer = csr->pos;
      }
      break;
    }
    if (!(range && countdown)) return Status::Ok();
  }
}

// The main loop of sqlite3WindowCodeStep, one iteration per arriving row,
// then the flush.
Status WindowRunner::partition_loop() {
  bool range = p_.unit == Unit::kRange;
  for (size_t i = 0; i < n_rows_; i++) {
    if ((i & 0x3ff) == 0x3ff && interrupted_ && interrupted_()) return Status(rc::kInterrupt, "interrupted");
    arrived_ = i + 1;
    if (rowid(i) == 1) {
      // The first row of the partition (or of the cache after a reset).
      init_accum();
      start_rowid_ = 1;
      end_rowid_ = 0;
      if (p_.start_reg) {
        reg_start_.copy_from(regs_[p_.start_reg]);
        KEEL_RETURN_IF_ERROR(check_offset(reg_start_, true));
      }
      if (p_.end_reg) {
        reg_end_.copy_from(regs_[p_.end_reg]);
        KEEL_RETURN_IF_ERROR(check_offset(reg_end_, false));
      }
      if (!range && p_.start == p_.end && p_.start_reg) {
        bool following = p_.start == Bound::kFollowing;
        int64_t s = reg_start_.as_int64(), e = reg_end_.as_int64();
        if (!(following ? e >= s : e <= s)) {
          // The frame is always empty: return the row with empty
          // aggregates, then empty the cache (each row is then a "first").
          KEEL_RETURN_IF_ERROR(agg_value());
          current_.pos = cache_begin_;
          KEEL_RETURN_IF_ERROR(return_row());
          cache_begin_ = arrived_;
          continue;
        }
      }
      if (p_.start == Bound::kFollowing && !range && p_.end_reg) {
        Value d;
        arith_sub(reg_end_, reg_start_, d);
        reg_start_ = std::move(d);
      }
      start_.pos = current_.pos = end_.pos = i;
      start_.peer = current_.peer = end_.peer = peer_row_ = i;
      continue;
    }
    // Second and later rows.
    if (p_.unit != Unit::kRows) {
      if (peer_equal(i, peer_row_)) continue;  // not a new peer group
      peer_row_ = i;
    }
    Value* rs = p_.start_reg ? &reg_start_ : nullptr;
    Value* re = p_.end_reg ? &reg_end_ : nullptr;
    if (p_.start == Bound::kFollowing) {
      KEEL_RETURN_IF_ERROR(code_op(Op::kStep, nullptr, false, nullptr));
      if (p_.end != Bound::kUnboundedFollowing) {
        if (range) {
          while (!range_test(Cmp::kGe, current_.pos, *re, end_.pos)) {
            KEEL_RETURN_IF_ERROR(code_op(Op::kInverse, rs, false, nullptr));
            KEEL_RETURN_IF_ERROR(code_op(Op::kReturnRow, nullptr, false, nullptr));
          }
        } else {
          KEEL_RETURN_IF_ERROR(code_op(Op::kReturnRow, re, false, nullptr));
          KEEL_RETURN_IF_ERROR(code_op(Op::kInverse, rs, false, nullptr));
        }
      }
    } else if (p_.end == Bound::kPreceding) {
      bool rps = p_.start == Bound::kPreceding && range;
      KEEL_RETURN_IF_ERROR(code_op(Op::kStep, re, false, nullptr));
      if (rps) KEEL_RETURN_IF_ERROR(code_op(Op::kInverse, rs, false, nullptr));
      KEEL_RETURN_IF_ERROR(code_op(Op::kReturnRow, nullptr, false, nullptr));
      if (!rps) KEEL_RETURN_IF_ERROR(code_op(Op::kInverse, rs, false, nullptr));
    } else {
      KEEL_RETURN_IF_ERROR(code_op(Op::kStep, nullptr, false, nullptr));
      if (p_.end != Bound::kUnboundedFollowing) {
        if (range) {
          for (;;) {
            if (re && range_test(Cmp::kGe, current_.pos, *re, end_.pos)) break;
            KEEL_RETURN_IF_ERROR(code_op(Op::kReturnRow, nullptr, false, nullptr));
            KEEL_RETURN_IF_ERROR(code_op(Op::kInverse, rs, false, nullptr));
            if (!re) break;
          }
        } else {
          bool skip = false;
          if (re && re->as_int64() > 0) {
            re->set_int(re->as_int64() - 1);
            skip = true;
          }
          if (!skip) {
            KEEL_RETURN_IF_ERROR(code_op(Op::kReturnRow, nullptr, false, nullptr));
            KEEL_RETURN_IF_ERROR(code_op(Op::kInverse, rs, false, nullptr));
          }
        }
      }
    }
  }
  return flush();
}

Status WindowRunner::flush() {
  main_loop_ = false;
  if (cache_begin_ >= arrived_) return Status::Ok();  // the cache is empty
  Value* rs = p_.start_reg ? &reg_start_ : nullptr;
  Value* re = p_.end_reg ? &reg_end_ : nullptr;
  bool range = p_.unit == Unit::kRange;
  bool eof = false;
  if (p_.end == Bound::kPreceding) {
    bool rps = p_.start == Bound::kPreceding && range;
    KEEL_RETURN_IF_ERROR(code_op(Op::kStep, re, false, nullptr));
    if (rps) KEEL_RETURN_IF_ERROR(code_op(Op::kInverse, rs, false, nullptr));
    KEEL_RETURN_IF_ERROR(code_op(Op::kReturnRow, nullptr, false, nullptr));
  } else if (p_.start == Bound::kFollowing) {
    KEEL_RETURN_IF_ERROR(code_op(Op::kStep, nullptr, false, nullptr));
    bool break1 = false;
    for (;;) {
      if (range) {
        KEEL_RETURN_IF_ERROR(code_op(Op::kInverse, rs, true, &eof));
        if (eof) break;  // addrBreak2
        KEEL_RETURN_IF_ERROR(code_op(Op::kReturnRow, nullptr, true, &eof));
        if (eof) {
          break1 = true;
          break;
        }
      } else if (p_.end == Bound::kUnboundedFollowing) {
        KEEL_RETURN_IF_ERROR(code_op(Op::kReturnRow, rs, true, &eof));
        if (eof) {
          break1 = true;
          break;
        }
        KEEL_RETURN_IF_ERROR(code_op(Op::kInverse, nullptr, true, &eof));
        if (eof) break;
      } else {
        KEEL_RETURN_IF_ERROR(code_op(Op::kReturnRow, re, true, &eof));
        if (eof) {
          break1 = true;
          break;
        }
        KEEL_RETURN_IF_ERROR(code_op(Op::kInverse, rs, true, &eof));
        if (eof) break;
      }
    }
    if (!break1) {
      for (;;) {
        KEEL_RETURN_IF_ERROR(code_op(Op::kReturnRow, nullptr, true, &eof));
        if (eof) break;
      }
    }
  } else {
    KEEL_RETURN_IF_ERROR(code_op(Op::kStep, nullptr, false, nullptr));
    for (;;) {
      KEEL_RETURN_IF_ERROR(code_op(Op::kReturnRow, nullptr, true, &eof));
      if (eof) break;
      KEEL_RETURN_IF_ERROR(code_op(Op::kInverse, rs, false, nullptr));
    }
  }
  return Status::Ok();
}

Status WindowRunner::run() { return partition_loop(); }

Status WindowPartition::run(func::FunctionHost& host, std::span<const Value> regs, int64_t max_length,
                            const std::function<bool()>& interrupted) {
  ready_ = 0;
  pending_ = Status::Ok();
  Status s;
  {
    WindowRunner r(*this, host, regs, max_length, interrupted);
    s = r.run();
  }
  if (s.ok()) {
    ready_ = n_rows_;
    return s;
  }
  // Rows are returned in order: those before the first without results.
  while (ready_ < n_rows_ && done_[ready_]) ready_++;
  if (ready_ == 0) return s;
  pending_ = std::move(s);
  return Status::Ok();
}

}  // namespace keel::vm
