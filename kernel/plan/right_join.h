// RIGHT and FULL OUTER JOIN in the nested loops (SQLite 3.39's
// WhereRightJoin, where.c / wherecode.c sqlite3WhereRightJoinLoop).
//
// Design note
// -----------
// Loops run in FROM order; a RIGHT JOIN never reorders them. For a level L
// whose term is the right operand of a RIGHT (or FULL) JOIN:
//   1. Before the loops, an ephemeral index `match` (the rowids, or the
//      primary key of a WITHOUT ROWID table, of L's rows that found a
//      partner) is opened empty and the subroutine's return register is
//      cleared.
//   2. In L's loop, once L's ON terms hold, the row's key goes into
//      `match`. Then (after a FULL JOIN's LEFT JOIN flag) the code of every
//      inner level and the loop body starts: a subroutine that normally runs
//      in line (its closing Return has P3 set and falls through while the
//      return register holds no address).
//   3. After the outermost loop has ended, a second pass scans L's table:
//      every row whose key is not in `match` runs the subroutine with the
//      cursors of all levels before L on a NULL row.
// Passes run outermost level first, so the unmatched rows of an earlier
// RIGHT JOIN reach the loops of a later one before its own pass.
//
// Term placement (tag-20220513a in SQLite): WHERE terms apply to the joined
// rows, so when the FROM has a RIGHT JOIN they are tested no earlier than
// the last RIGHT JOIN level (inside its subroutine, where the unmatched
// rows pass too); an inner join's ON term is tested no earlier than its own
// level; only a level's own ON terms may position its cursor at the levels
// up to the last RIGHT JOIN.
#pragma once

#include "plan/plan_internal.h"

namespace keel::plan {

// Expressions the FROM clause of a RIGHT/FULL JOIN synthesizes (from.cpp,
// resolve.cpp): coalesce(args...), and an unqualified column reference.
parse::Expr* make_coalesce(CodeGen& g, const std::vector<parse::Expr*>& args);
parse::Expr* make_unqualified_ref(CodeGen& g, std::string_view column);

// Whether an inner join's ON term is a constant in SQLite 3.40's sense
// (sqlite3ExprIsConstantNotJoin): no column, no subquery, only
// deterministic (or slow-changing) functions. Such a term is tested once
// before the loops, so a false one empties the whole join.
bool join_term_is_constant(CodeGen& g, const parse::Expr* e);

// Whether `e` holds a subquery (its table mask is then an over-estimate).
bool right_join_has_subquery(const parse::Expr* e);

// The level of the last RIGHT/FULL JOIN of `scope` (in loop order), or -1.
int last_right_join_level(const Scope* scope);
// Step 1 for every RIGHT JOIN level of `w` (levels' terms already set).
Status right_join_open(CodeGen& g, WhereInfo& w);
// Step 2: records the current row of `lv` as matched.
void right_join_record_match(CodeGen& g, WhereLevel& lv);
// Step 2: the start of the subroutine (after the LEFT JOIN flag).
void right_join_begin_subroutine(CodeGen& g, WhereLevel& lv);
// The end of the subroutine: at the level's `cont`, before its Next.
void right_join_end_subroutine(CodeGen& g, WhereLevel& lv);
// Step 3, for every RIGHT JOIN level, outermost first; emitted after the
// loops are closed and before the WHERE's break label.
Status right_join_unmatched_passes(CodeGen& g, Scope* scope, WhereInfo& w);

}  // namespace keel::plan
