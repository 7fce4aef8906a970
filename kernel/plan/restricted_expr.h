// What SQLite refuses in expressions stored in the schema and evaluated
// against one row: CHECK constraints, index expressions, partial-index WHERE
// clauses and column DEFAULTs (sqlite3ResolveSelfReference's NC_IsCheck,
// NC_IdxExpr and NC_PartIdx rules, sqlite3ExprIsConstantOrFunction). Generated
// columns have their own checker (generated_columns.cpp), which also checks
// their column references.
#pragma once

#include <string_view>

#include "keel/status.hpp"
#include "plan/codegen.h"

namespace keel::plan {

enum class RestrictedContext {
  kCheck,         // "CHECK constraints": no subqueries or parameters; no aggregates
  kIndexExpr,     // "index expressions": also no non-deterministic functions
  kPartialIndex,  // "partial index WHERE clauses": likewise
};

// The first prohibited construct of `e` as SQLite's error, or Ok.
Status check_restricted_expr(CodeGen& g, const parse::Expr* e, RestrictedContext where);

// A column DEFAULT must be constant: literals, operators and function calls
// over them; not a column, parameter or subquery. Error text as SQLite's
// "default value of column [c] is not constant".
Status check_default_constant(const parse::Expr* e, std::string_view column);

}  // namespace keel::plan
