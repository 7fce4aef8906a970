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

}  // namespace keel::plan
