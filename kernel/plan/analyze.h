// ANALYZE: which tables and indexes a statement gathers statistics for, in
// SQLite's order, and the text of a sqlite_stat1 row (SQLite 3.40
// analyze.c). The engine (engine/analyze.cpp) does the scanning and writing,
// since only it reaches the b-trees; stat1.h turns the rows back into the
// planner's estimates.
//
// The forms, resolved when the statement compiles as in sqlite3Analyze:
//   ANALYZE                every database but temp
//   ANALYZE schema         that database (temp included)
//   ANALYZE [schema.]name  an index of that name (temp, main, attached), else
//                          a table or view ("no such table: name")
// For each database: sqlite_stat1 is created ("CREATE TABLE
// sqlite_stat1(tbl,idx,stat)") if missing, or its rows for the target (all
// of them, the table's, or the index's) deleted; an existing sqlite_stat4 or
// sqlite_stat3 is emptied the same way (SQLite does so even without STAT4,
// so no stale samples remain), never created or read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "keel/status.hpp"
#include "plan/planner.h"
#include "plan/schema.h"

namespace keel::plan {

class CodeGen;

// Validates an ANALYZE statement and fills `cmd` (kind kPragma, name
// "analyze"): db = -1 for every database but temp, else the database;
// has_value/value = the table or index name when one is named.
Status analyze_command(CodeGen& g, const parse::AnalyzeStmt* st, EngineCommand* cmd);

// One index to scan: the rows SQLite's analyzeOneTable writes for it.
struct AnalyzeIndex {
  const Index* index = nullptr;
  std::string row_name;  // the idx column: the index name, or the table's for a WITHOUT ROWID primary key
  uint32_t root = 0;     // its b-tree
  int n_key = 0;         // key columns compared (the stat text has n_key + 1 numbers)
  std::vector<std::string> collations;  // per key column (never empty: "BINARY" at least)
};

// The indexes of `t` in SQLite's pIndex order (newest first, REPLACE
// indexes last); `only` (not null) keeps that one.
std::vector<AnalyzeIndex> analyze_indexes(const Table* t, const Index* only);
// Whether ANALYZE skips `t`: views, virtual tables and sqlite_* tables.
bool analyze_skips(const Table* t);
// Whether the table gets a row with idx NULL (no non-partial index was
// analyzed, and only when the whole table is).
bool analyze_needs_table_row(const Table* t, const Index* only);

// The stat text (statGet): "nEntries avg1 avg2 ..." with avg =
// ceil(nRow / nDistinct) over the nRow entries read, except 1 when that is
// 2 and nRow / nDistinct is at most 1.1. nEntries is nRow, or the b-tree's
// estimate when analysis_limit cut the scan short.
std::string stat1_text(uint64_t n_entries, uint64_t n_row, const std::vector<uint64_t>& n_distinct);

// The tables of `schema` in the order SQLite's schema hash lists them
// (schema_hash.cpp): the order ANALYZE visits them, and PRAGMA
// foreign_key_check's.
std::vector<Table*> schema_hash_order(const DatabaseSchema& schema);

}  // namespace keel::plan
