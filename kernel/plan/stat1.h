// Table and index statistics from sqlite_stat1, as the planner uses them.
//
// ANALYZE (plan/analyze.h, engine/analyze.cpp) writes one row per index,
// (tbl, idx, stat) with stat = "nRow avgEq1 avgEq2 ...": the entries of the
// index, then how many rows one value of its first 1, 2, ... key columns
// matches on average; a row with idx NULL gives the row count of a table
// that has no (non-partial) index. The engine reads the rows whenever it
// loads a schema and after ANALYZE, and hands them to load_stat1(), which
// fills Table::row_log_est and Index::row_log_est exactly as SQLite's
// sqlite3AnalysisLoad/analysisLoader/sqlite3DefaultRowEst do, so that the
// cost model (where.cpp) sees SQLite's numbers. A database without
// sqlite_stat1 gets SQLite's defaults and Table::has_stat1 stays false: the
// planner then keeps its statistics-free rules. sqlite_stat4 (and stat3) are
// never read: SQLite's default build has no SQLITE_ENABLE_STAT4.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "plan/schema.h"

namespace keel::plan {

// SQLite's LogEst: 10*log2(x), in integers (sqlite3LogEst, LogEstToInt,
// LogEstAdd: the LogEst of the sum of two estimates).
int16_t log_est(uint64_t x);
uint64_t log_est_to_int(int16_t x);
int16_t log_est_add(int16_t a, int16_t b);

// One row of "SELECT tbl, idx, stat FROM sqlite_stat1" (nullopt = NULL).
struct Stat1Row {
  std::optional<std::string> tbl, idx, stat;
};

// Forgets the statistics of every table and index of `schema`, applies
// `rows` (rows naming no table of the schema, or with tbl or stat NULL, are
// skipped; idx equal to tbl names a WITHOUT ROWID table's primary key) and
// gives every index without a row SQLite's default estimates.
void load_stat1(DatabaseSchema& schema, const std::vector<Stat1Row>& rows);

// The estimated rows matching an equality on the first `n_eq` key columns of
// `idx` (LogEst; n_eq = 0: the entries of the index).
int16_t index_rows_log_est(const Index* idx, int n_eq);

}  // namespace keel::plan
