// WHERE-term push-down (SQLite's select.c pushDownWhereTerms): a view or
// FROM subquery that is not flattened (an aggregate, DISTINCT, ORDER BY,
// or a subquery in a LEFT JOIN position) still gets the outer WHERE's terms
// that read only its columns, so its own loops can use an index for them.
// The outer query keeps testing the terms; pushing them only filters the
// subquery's rows earlier.
//
// The terms are not rewritten: inside the subquery a pseudo FROM term named
// and shaped as the outer term (its columns being the subquery's result
// expressions) is visible to the pushed terms' references only, as
// flatten.h's name groups do.
#pragma once

#include <vector>

#include "plan/plan_internal.h"

namespace keel::plan {

struct PushDown {
  const FromTerm* term = nullptr;         // the outer FROM term of the subquery
  std::vector<const parse::Expr*> terms;  // outer WHERE terms to add to its WHERE
};

// The AND-terms of `where` (the outer query's, resolved in `scope`) that
// SQLite would push into subquery term `t`.
Status pushdown_terms(CodeGen& g, Scope* scope, const FromTerm& t, const parse::Expr* where,
                      std::vector<const parse::Expr*>& out);

// In the subquery's own core (select.cpp), after its FROM is built: makes
// the pushed terms resolvable and returns in *core a copy of the core whose
// WHERE also has them (`copy` holds it).
Status apply_pushdown(CodeGen& g, const PushDown& pd, const parse::SelectCore** core, parse::SelectCore& copy,
                      FromClause& from, Scope& scope);

}  // namespace keel::plan
