// Built-in window functions (SQLite's window.c) and what each expects the VM
// to do. Registered by register_builtin_functions(); this header documents
// the contract between these FunctionDefs and the VM's window machinery.
//
// SQLite evaluates a window function through four calls on a per-partition
// state (FunctionContext::aggregate_context): step(row) when a row enters the
// frame, inverse(row) when one leaves it, value() for the current result and
// final() once at the end of the partition (which also frees the state).
// Keel's VM follows window.c exactly (vm/window.h runs the frame walk, and
// plan/window.h codes the sorting and the coercions below):
//
//  1. Frame coercion (sqlite3WindowUpdate). Whatever the OVER clause says,
//     these functions run with a fixed frame and no EXCLUDE:
//        row_number()    ROWS   BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
//        rank()          RANGE  BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
//        dense_rank()    RANGE  BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
//        percent_rank()  GROUPS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING
//        cume_dist()     GROUPS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING
//        ntile(N)        ROWS   BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING
//        lead(...)       ROWS   BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
//        lag(...)        ROWS   BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
//     A FILTER clause on any of them is the error "FILTER clause may only be
//     used with aggregate window functions".
//
//  2. Peer groups. For RANGE and GROUPS frames the VM steps (or inverts)
//     every row of a peer group together and calls value() ONCE per peer
//     group, reusing that result for each row of the group. rank() relies
//     on it: value() returns the rank and resets the "first step" marker,
//     so the next peer group's first step() records its 1-based position.
//     dense_rank() likewise counts one per value() that followed a step().
//
//  3. percent_rank() and cume_dist() count the partition's rows in step()
//     (the frame reaches the end of the partition before the first value())
//     and the rows that have left the frame in inverse(): rows before the
//     current peer group for percent_rank, rows up to and including it for
//     cume_dist. ntile(N) counts rows in step() and the current row number
//     through inverse(); it fails with "argument of ntile must be a positive
//     integer" on its first step when N <= 0.
//
//  4. first_value(), nth_value(), lead() and lag() are computed by the VM
//     from the cached partition, as window.c does with bytecode: first_value
//     is the frame's first row, nth_value(X,N) the frame's N-th row (NULL if
//     the frame is shorter), lead(X,K,D)/lag(X,K,D) the row K rows after or
//     before the current row in the partition (K defaults to 1, computed as
//     "rowid + K" / "rowid - K" with SQL arithmetic, so a non-integer K finds
//     no row), or D (default NULL) if there is none. The VM checks N with
//     check_nth_value_argument() below. Their step()/final() here implement
//     the "slow mode" of window.c that the VM uses when the frame has an
//     EXCLUDE clause other than NO OTHERS: the frame is re-stepped from
//     scratch for each row and final() gives the result. lead() and lag()
//     have no function-level behaviour at all in SQLite: their methods are
//     no-ops here too, and their FunctionDefs serve name resolution (flag
//     kWindowOnly, argument counts 1 to 3).
//
//  5. last_value() is a true step/inverse/value function: the value of the
//     last row that entered the frame, forgotten when the frame empties.
//
//  6. Aggregates used with OVER (sum, total, avg, count, group_concat,
//     string_agg) use step/inverse/value/final directly. min() and max()
//     have no inverse: when the frame start is not UNBOUNDED PRECEDING the
//     VM keeps the frame's values in an ordered ephemeral index and reads the
//     first/last entry, as window.c does; otherwise step/value suffice.
//
// All window-only functions carry kWindowOnly: using one without OVER is the
// error "misuse of window function NAME()" (raised by the planner).
#pragma once

#include <string_view>

#include "keel/status.hpp"
#include "vm/value.h"

namespace keel::func {

// The check window.c codes before reading nth_value's N from the partition
// (implemented by vm::window_nth_value_argument, which the VM calls):
// N must be an integer (or a REAL with an integral value) greater than 0, or
// the statement fails with "second argument to nth_value must be a positive
// integer". On success *n receives N.
Status check_nth_value_argument(const vm::Value& arg, int64_t* n);

// The row lead()/lag() read, as window.c computes it (implemented by
// vm::window_lead_lag_target, which the VM calls): the current row's
// rowid in the partition cache (1, 2, ... in partition order) plus (lead) or
// minus (lag) the offset K with SQL arithmetic (K absent = 1), then looked up
// as OP_SeekRowid does: a result that is not an integer after NUMERIC
// affinity (K NULL, 1.5, 'abc') finds no row. Returns false when there is no
// target; otherwise *target is the rowid to read, which the VM still checks
// against the rows it has cached (a missing row gives the default, argument
// 3). Note what is cached: lead()'s frame runs to the end of the partition,
// so it sees every row of it; lag()'s frame ends at the current row and
// SQLite has read exactly one row ahead when it returns a row, so lag(x, -1)
// sees the next row of the partition but lag(x, -2) finds nothing. The VM
// must reproduce that visibility.
bool lead_lag_target(bool lead, int64_t current_rowid, const vm::Value* offset, int64_t* target);

// The name of an internal function (kInternal; the NUL byte keeps it out of
// reach of SQL text) returning its argument's subtype as an integer. The code
// generator buffers it beside each argument of a SQLITE_SUBTYPE window
// function (json_group_array(json(x)) OVER ...), so that the VM can restore
// the subtype that SQLite keeps by evaluating such arguments at step time.
inline constexpr std::string_view kWindowSubtypeFunction{"\0window_subtype", 15};

}  // namespace keel::func
