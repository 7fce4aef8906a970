// Shared by where.cpp, where_order.cpp and covering.cpp: the planner's
// questions about scan order and index contents.
#pragma once

#include <vector>

#include "plan/plan_internal.h"

namespace keel::plan {

// Fills term/col of each key whose expression is a column of a FROM term of
// `scope` (col -1 = rowid); other keys keep term == nullptr.
void resolve_order_keys(CodeGen& g, Scope* scope, std::vector<OrderKey>& keys);

// Whether scanning FROM term `t` through `idx` (nullptr: the table's own
// b-tree), positioned by equalities on the index columns `eq_cols` (its
// leading columns), returns rows in the order of `keys`. *reverse: the scan
// must run backwards.
bool scan_gives_order(const FromTerm* t, const Index* idx, const std::vector<int>& eq_cols,
                      const std::vector<OrderKey>& keys, bool* reverse);

// Costs for a table with sqlite_stat1 statistics (where_cost.cpp), on the
// scale of row visits: a full scan; an index lookup with `n_eq` equality
// columns (IN lists multiplying to `in_rows` lookups) and optional range
// bounds after them; a rowid range; an automatic index built once for
// `outer_rows` lookups. *rows receives the rows one execution yields.
double stat_table_rows(const Table* t);
double stat_scan_cost(const Table* t);
double stat_index_cost(const Table* t, const Index* idx, int n_eq, double in_rows, bool lo, bool hi, double* rows);
double stat_rowid_range_cost(const Table* t, bool lo, bool hi, double* rows);
double stat_auto_index_cost(const Table* t, double outer_rows, double* rows);

}  // namespace keel::plan
