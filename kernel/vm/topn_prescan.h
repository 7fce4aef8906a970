// The top-N prescan: `SELECT … FROM t ORDER BY key LIMIT k` over a whole
// table (the key a column, or a call of parallel-safe functions), with the
// sort key computed in a tight loop, on several threads.
//
// Design note. The statement's own loop (scan t, compute the key, keep the
// k smallest in an ephemeral index, SQLite's top-N code) stays as it is.
// Before it starts, OP_TopNPrescan computes the key of every row in a tight
// loop split across threads (PRAGMA threads auxiliary threads plus the
// connection's own) and keeps, per thread, the k rows that come first in
// (key, rowid) order. The union of those candidates holds the k rows the
// loop would keep: the loop keeps the k smallest keys, an equal key never
// displacing an earlier row, which is exactly the first k rows in (key,
// rowid) order. The table cursor is then restricted to the candidates
// (VmCursor::restrict_to_rowids) and the loop runs over them only, so its
// output — row values, order, ties — is the loop's own.
//
// What qualifies (the code generator asks, plan/select.cpp; this file
// checks the code): the key is computed by straight-line code of Column /
// Rowid reads of the table cursor, constants, bound parameters, SCopy,
// RealAffinity and calls of functions flagged func::kParallelSafe, and
// nothing else; and the result columns the loop computes for a row it keeps
// cannot fail (column reads, constants, copies), since over the candidates
// they are computed for fewer rows. The workers replay exactly that code
// (Worker::row in topn_prescan.cpp, mirroring the interpreter's cases) on
// rows read through storage::TableLeafReader.
//
// Leaves not in the page cache and rows whose payload overflows onto other
// pages are not read by the workers (they would need the pager): the
// connection's thread reads them through the pager once the workers are
// done, into candidates of its own.
//
// When it gives up: whenever replaying could differ from the loop — a
// function error, a corrupt page, an interrupt. Then the loop runs over the
// whole table as if nothing happened (and reports the error). So the
// prescan never changes a result, only how long it takes.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "func/function.h"
#include "keel/status.hpp"
#include "storage/btree/btree.h"
#include "vm/program.h"
#include "vm/value.h"

namespace keel::vm {

// P4 of OP_TopNPrescan: where the key is computed. Filled in by the code
// generator once the loop is coded; an empty slice means "no prescan".
struct TopNPrescanSpec {
  int db = 0;  // the table's database
  int table_cursor = 0;
  int key_first = 0, key_end = 0;  // instruction addresses [first, end)
  int key_reg = 0;                 // the register holding the key at key_end
  const KeyInfo* key_info = nullptr;  // the top-N index's (field 0 = the key)
  int addr = 0;  // the OP_TopNPrescan (made a Noop when the key does not qualify)
};

// Whether ops[first, end) is code the prescan can replay (see the design
// note); key_reg must be written by it. The key's collation (field 0 of
// key_info) must be a built-in one: the workers compare keys concurrently,
// and an application's collation need not allow that.
bool topn_prescan_can_replay(const Program& program, int table_cursor, int first, int end, int key_reg,
                             const KeyInfo& key_info);

// Whether ops[first, end) — the result columns the loop computes for a row
// it keeps — cannot fail (reads of columns, constants, copies). Over the
// candidates only, the loop computes them for fewer rows than over the
// whole table: that must not hide an error.
bool topn_prescan_loads_cannot_fail(const Program& program, int first, int end);

struct TopNPrescanInput {
  const Program* program = nullptr;
  const TopNPrescanSpec* spec = nullptr;
  storage::Btree* btree = nullptr;
  storage::PageNo root = 0;
  std::span<const Value> params;  // the statement's bound parameters
  int64_t k = 0;                  // rows to keep (LIMIT + OFFSET)
  int threads = 0;                // auxiliary threads (PRAGMA threads)
  func::FunctionHost* functions = nullptr;
  int64_t max_length = 0;  // SQLITE_LIMIT_LENGTH
  // sqlite3_interrupt: asked on the calling thread only, between leaves.
  std::function<bool()> interrupted;
};

// Computes the candidate rowids (ascending) into *rowids; false if the
// prescan gave up (the caller then scans everything). Never returns an
// error for data: errors mean "give up".
bool run_topn_prescan(const TopNPrescanInput& in, std::vector<int64_t>* rowids);

}  // namespace keel::vm
