// Shared by select.cpp, aggregate.cpp and compound.cpp: one SELECT core's
// result columns and the row-output machinery (ORDER BY sorter, DISTINCT,
// LIMIT/OFFSET, destination).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "plan/plan_internal.h"

namespace keel::plan {

struct ResultCol {
  const parse::Expr* expr = nullptr;  // nullptr: a `*` expansion of term/col
  FromTerm* term = nullptr;
  int col = -1;
  ColInfo info;
};

// How rows leave a SELECT core: either straight to the destination (with
// OFFSET/LIMIT counters), or into the ORDER BY sorter first.
struct RowOutput {
  SelectDest* dest = nullptr;
  int limit_reg = 0;   // 0: no LIMIT
  int offset_reg = 0;  // 0: no OFFSET
  int done = 0;        // label: stop producing rows
  int distinct_cursor = -1;
  int n_cols = 0;
  // ORDER BY
  int sorter = -1;
  bool topn = false;  // sorter is an ephemeral index bounded to LIMIT+OFFSET rows
  int topn_counter = 0;
  std::vector<const parse::Expr*> sort_keys;  // expressions (nullptr = result column sort_key_col[i])
  std::vector<int> sort_key_col;
  Scope* scope = nullptr;
  // The top-N prescan before the loop, if one was emitted: output_topn_row
  // tells it where the key is computed.
  vm::TopNPrescanSpec* prescan = nullptr;
  int sorter_open_addr = -1;  // the OpenEphemeral of a top-N sorter
};

// Codes the result columns into registers base..base+n-1.
Status code_result_columns(CodeGen& g, Scope* scope, const std::vector<ResultCol>& cols, int base);
// Sends the row in base..base+n-1 on: DISTINCT check, then sorter or
// destination. `skip` is where to go when the row is dropped.
Status output_row(CodeGen& g, RowOutput& out, int base, int skip);
// Sends a finished row to the destination, applying OFFSET/LIMIT.
void emit_to_dest(CodeGen& g, RowOutput& out, int base, int skip);

// GROUP BY / aggregate query; calls `emit_output` with the scope's
// aggregate context set up to code output expressions.
Status code_aggregate(CodeGen& g, const parse::SelectCore* core, Scope* scope,
                      const std::vector<ResultCol>& cols, const std::vector<const parse::Expr*>& group_by,
                      RowOutput& out);

// One SELECT core, with the ORDER BY / LIMIT of `sel` (empty for the
// members of a compound).
Status code_core(CodeGen& g, const parse::Select* sel, const parse::SelectCore* core, Scope* outer,
                 SelectDest& dest);

// Compound SELECT.
Status code_compound(CodeGen& g, const parse::Select* sel, Scope* outer, SelectDest& dest);

// ORDER BY / LIMIT set-up shared with compound selects.
Status code_limit(CodeGen& g, Scope* scope, const parse::Select* sel, RowOutput& out);
// Brings the CTEs of a WITH clause into scope, noting the recursive ones.
void push_with(CodeGen& g, const parse::WithClause* with);
// Ordinal error text: "1st", "2nd", ...
std::string ordinal(int n);

}  // namespace keel::plan
