// Query flattening (SQLite's select.c flattenSubquery): a view or FROM
// subquery that is a plain SELECT ... FROM ... WHERE joins the outer query's
// loops instead of being materialized, so the outer WHERE reaches the
// indexes of its tables and its unused columns are never computed.
//
// Design note. The parse tree is not rewritten (views share their tree
// between statements and with every use in one statement). Instead the
// body's FROM terms join the outer scope's terms, tagged with a name group:
// every column reference of the body is registered in Scope::flat_refs, and
// resolve_column looks such a reference up among its group's terms only, so
// the body's names neither see the outer FROM nor are seen by it. The
// flattened term itself stays in Scope::flat_terms for its own names; its
// column i resolves to the body's result expression i (a plain column
// directly, as SQLite's substExpr, so index constraints and ORDER BY
// analysis see the underlying table column).
#pragma once

#include "plan/select_internal.h"

namespace keel::plan {

// Flattens every view / FROM subquery of `from` that SQLite's restrictions
// allow (see flatten.cpp), then sets scope's terms: `from.terms` become the
// loops, the flattened terms move to `from.flattened`. A lone subquery's
// ORDER BY that becomes the outer query's is set in *adopted_order (left
// empty otherwise).
Status flatten_from(CodeGen& g, const parse::Select* sel, const parse::SelectCore* core, FromClause& from,
                    Scope& scope, parse::List<parse::OrderingTerm>* adopted_order);

// A compound (UNION ALL) view or FROM subquery in the outer core's FROM
// (SQLite's restriction 17): codes the outer core once per arm, each time
// with the subquery flattened to that arm, all into `dest`; *done tells
// whether it did.
Status flatten_compound(CodeGen& g, const parse::Select* sel, const parse::SelectCore* core, Scope* outer,
                        SelectDest& dest, bool* done);

// Whether the arms of compound `sel` give their columns one affinity and one
// collation (computed in a view's text and database when view_sql is set).
// With `alike`, whether they agree in collation is told per column, and the
// result is whether the arms could be read at all.
bool compound_arms_alike(CodeGen& g, const parse::Select* sel, std::string_view view_sql, int view_db,
                         std::vector<bool>* alike);

// A `*` column of a flattened term: the body's table column (term, col) when
// it is a plain column, else its expression.
Status flat_star_column(CodeGen& g, Scope* scope, ResultCol& c);

// Puts every column reference of `e` (nested selects included) in name
// group `group` of `scope`: it then resolves only among that group's terms.
void register_refs(Scope& scope, const parse::Expr* e, int group);

}  // namespace keel::plan
