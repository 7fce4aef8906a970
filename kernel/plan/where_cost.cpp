// Costs of access paths for tables that have sqlite_stat1 statistics:
// SQLite 3.40's whereLoopAddBtree / whereLoopAddBtreeIndex arithmetic in
// LogEst units (10*log2), returned as plain numbers for choose_access()
// (where.cpp) to compare. Tables without statistics keep where.cpp's fixed
// costs, so plans of databases never analyzed do not change.
//
//   full scan           rSize + 16                    (3 * N)
//   index lookup        estLog(index rows) (+) rCostIdx (+) (nOut + 16)
//     nOut              aiRowLogEst[nEq] + IN list size, then -20 per range
//                       bound (-20 more when both), at least 10
//     rCostIdx          nOut + 1 + 15 * szIdxRow / szTabRow
//   rowid range         estLog(N) (+) (nOut + 16)
//   automatic index     estLog(N) (+) 43 per lookup, plus the build,
//                       estLog(N) + N + 28, shared by the outer rows
// where (+) is LogEst addition (the estimate of a sum). The table lookups
// (nOut + 16) are counted for every index; covering.cpp decides later
// whether the index alone answers.
#include <algorithm>

#include "plan/stat1.h"
#include "plan/where_internal.h"

namespace keel::plan {
namespace {

// estLog: the LogEst of log2(N), for the cost of one b-tree descent.
int16_t est_log(int16_t n) {
  return n <= 10 ? 0 : static_cast<int16_t>(log_est(static_cast<uint64_t>(n)) - 33);
}

// SQLite's per-column size estimate (szEst): 1 for numeric affinities,
// 5 for TEXT, BLOB and no type.
int col_width(const Column& c) {
  switch (c.affinity) {
    case vm::Affinity::kInteger:
    case vm::Affinity::kReal:
    case vm::Affinity::kNumeric:
      return 1;
    default:
      return 5;
  }
}

int16_t table_width(const Table* t) {
  int w = t->rowid_alias < 0 ? 1 : 0;
  for (const Column& c : t->columns) w += col_width(c);
  return log_est(static_cast<uint64_t>(w) * 4);
}

int16_t index_width(const Table* t, const Index* idx) {
  int w = 0;
  for (int col : idx->columns) {
    w += (col >= 0 && col < static_cast<int>(t->columns.size())) ? col_width(t->columns[col]) : 1;
  }
  if (!t->without_rowid) w += 1;  // the rowid
  return log_est(static_cast<uint64_t>(w) * 4);
}

int16_t range_out(int16_t n_out, bool lo, bool hi) {
  if (!lo && !hi) return n_out;
  int n_new = n_out - (lo ? 20 : 0) - (hi ? 20 : 0) - (lo && hi ? 20 : 0);
  n_new = std::max(n_new, 10);
  return static_cast<int16_t>(std::min<int>(n_new, n_out - (lo ? 1 : 0) - (hi ? 1 : 0)));
}

}  // namespace

double stat_scan_cost(const Table* t) {
  return static_cast<double>(log_est_to_int(static_cast<int16_t>(t->row_log_est + 16)));
}

double stat_table_rows(const Table* t) { return static_cast<double>(log_est_to_int(t->row_log_est)); }

double stat_index_cost(const Table* t, const Index* idx, int n_eq, double in_rows, bool lo, bool hi,
                       double* rows) {
  int16_t n_out = index_rows_log_est(idx, n_eq);
  if (in_rows > 1) n_out = static_cast<int16_t>(n_out + log_est(static_cast<uint64_t>(in_rows)));
  n_out = range_out(n_out, lo, hi);
  *rows = static_cast<double>(log_est_to_int(n_out));
  int16_t size = index_rows_log_est(idx, 0);
  int16_t seek = est_log(size);
  if (in_rows > 1) seek = static_cast<int16_t>(seek + log_est(static_cast<uint64_t>(in_rows)));
  int16_t tab_w = table_width(t);
  int16_t cost_idx =
      static_cast<int16_t>(n_out + 1 + (15 * index_width(t, idx)) / std::max<int16_t>(tab_w, 1));
  int16_t run = log_est_add(seek, cost_idx);
  bool own_tree = t->without_rowid && idx == t->primary_key;
  if (!own_tree) run = log_est_add(run, static_cast<int16_t>(n_out + 16));
  return static_cast<double>(log_est_to_int(run));
}

double stat_rowid_range_cost(const Table* t, bool lo, bool hi, double* rows) {
  int16_t n_out = range_out(t->row_log_est, lo, hi);
  *rows = static_cast<double>(log_est_to_int(n_out));
  int16_t run = log_est_add(est_log(t->row_log_est), static_cast<int16_t>(n_out + 16));
  return static_cast<double>(log_est_to_int(run));
}

double stat_auto_index_cost(const Table* t, double outer_rows, double* rows) {
  // Built once: N * log2(N) * 7 (rSetup); each lookup yields 20 rows.
  int16_t log_n = est_log(t->row_log_est);
  double setup = static_cast<double>(log_est_to_int(static_cast<int16_t>(log_n + t->row_log_est + 28)));
  *rows = 20;
  double run = static_cast<double>(log_est_to_int(log_est_add(log_n, 43)));
  return run + setup / std::max(1.0, outer_rows);
}

}  // namespace keel::plan
