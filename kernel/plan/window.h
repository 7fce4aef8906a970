// Window functions in SELECT (SQLite's window.c, code generation side).
//
// A SELECT whose result columns or ORDER BY call window functions is coded
// in stages. The rows of the SELECT without its windows (FROM, WHERE,
// GROUP BY, HAVING, aggregates) go into a sorter keyed by one window's
// PARTITION BY and ORDER BY; each partition is handed to the VM's window
// machinery (vm/window.h), which appends the results of every function using
// that window; the rows then go on to the next window's sorter, and after
// the last one to the SELECT's own DISTINCT / ORDER BY / LIMIT. The windows
// are grouped and ordered as SQLite's sqlite3WindowRewrite nests them, so
// rows come out in the order SQLite gives when there is no ORDER BY.
#pragma once

#include <vector>

#include "plan/select_internal.h"

namespace keel::plan {

// True if the result columns or ORDER BY of this core call a window
// function (outside subqueries).
bool select_has_windows(const parse::Select* sel, const parse::SelectCore* core);

// Codes the core's rows through its windows to `out` (in place of the plain
// loop or the aggregate path of code_core).
Status code_window_select(CodeGen& g, const parse::Select* sel, const parse::SelectCore* core, Scope* scope,
                          const std::vector<ResultCol>& cols, const std::vector<const parse::Expr*>& group_by,
                          bool is_agg, RowOutput& out);

// A VALUES row that calls a window function (SQLite codes each VALUES row
// as a SELECT without FROM): true if `row` has one, and its code.
bool values_row_has_windows(const parse::List<parse::Expr*>& row);
Status code_window_values_row(CodeGen& g, const parse::List<parse::Expr*>& row, Scope* outer, RowOutput& out);

// A call with OVER met by code_expr: errors where windows are not allowed;
// otherwise records the call (dry run) or reads its result.
Status code_window_call(CodeGen& g, Scope* s, const parse::FunctionExpr* f, const func::FunctionDef* def,
                        int target);

}  // namespace keel::plan
