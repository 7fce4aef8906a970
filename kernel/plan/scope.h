// Name resolution (SQLite's resolve.c): FROM terms, scopes, and the lookups
// that turn an identifier into a column of a FROM term, a result-column
// alias, or an outer query's column.
//
// A Scope is one SELECT's name context: its FROM terms, the result aliases
// visible to ORDER BY / GROUP BY / HAVING, and a link to the enclosing
// query's scope (correlated references). Lookups are pure; the code
// generator calls them as it emits code.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "parse/ast.h"
#include "plan/codegen.h"
#include "plan/schema.h"
#include "vm/affinity.h"

namespace keel::plan {

struct Scope;
struct VtabInstance;

struct ColInfo {
  std::string name;
  vm::Affinity affinity = vm::Affinity::kBlob;
  std::string collation;  // "" = BINARY
  std::string decl_type;
  bool hidden = false;
  // Origin (sqlite3_column_table_name & co.) when the column is a table column.
  std::string origin_db, origin_table, origin_column;
};

// One term of a FROM clause with its columns. For a base table, `table` is
// set and columns are read through `cursor` (or the covering index cursor);
// for a view or subquery, rows are materialized into an ephemeral table
// whose record fields are the columns in order.
struct FromTerm {
  std::string name;  // alias, or table name
  std::string db_name;
  Table* table = nullptr;
  std::vector<ColInfo> cols;
  int cursor = -1;
  bool ephemeral = false;
  const parse::Select* subquery = nullptr;  // view body or FROM subquery
  std::vector<std::string> view_columns;    // a view's column list
  Scope* subquery_outer = nullptr;
  const parse::CommonTableExpr* recursive_cte = nullptr;  // materialized by the recursive algorithm
  // A recursive CTE run as a coroutine (the lone term of a SELECT's FROM):
  // each Yield to this register produces its next row in reg_base...
  int coroutine_yield = 0;
  int dup_of = -1;                // reads the current row of a recursive CTE (OpenDup of this cursor)
  std::string_view subquery_sql;  // text of a view's body; empty = the statement's
  std::string view_name;          // the view's own name (t->name may be an alias)
  uint8_t join = 0;
  const parse::Expr* on = nullptr;
  std::vector<std::string> using_cols;  // USING / NATURAL columns shared with earlier terms
  std::vector<bool> coalesced;          // per column: hidden from * (USING/NATURAL)
  // With a RIGHT/FULL JOIN (from.cpp): per column, the unqualified name `*`
  // shows instead (a column named in a later USING); and, on the right
  // operand of a FULL JOIN ... USING, the coalesce() an unqualified
  // reference to its USING column means (built on first use).
  std::vector<const parse::Expr*> star_expr;
  std::vector<const parse::Expr*> full_using_expr;
  // Covering index scan: columns come from idx_cursor.
  int idx_cursor = -1;
  const Index* index = nullptr;
  bool covering = false;
  // Registers instead of a cursor (NEW/OLD/excluded/RETURNING/CHECK):
  // column i is in reg_base + i; the rowid in rowid_reg.
  int reg_base = 0;
  int rowid_reg = 0;
  int level = -1;               // loop level, once planned
  bool outer_null = false;      // right side of a LEFT JOIN
  bool qualified_only = false;  // reachable only as name.column (the upsert's excluded)
  const parse::FromItem* item = nullptr;
  parse::IndexHint hint = parse::IndexHint::kNone;
  std::string indexed_by;
  // A virtual table or table-valued function (table is null): scanned with
  // the V* opcodes, planned by code_vtab_level.
  std::shared_ptr<const VtabInstance> vtab;
  // Flattening (flatten.cpp). flat_group: the names this term is visible
  // among (0: its select's own FROM; k: the body of the scope's k-th
  // flattened subquery). A flattened view or subquery has flat_id = k, is
  // no loop of its own, and its column i is flat_exprs[i] computed among
  // group k's terms; flat_aliases are its body's AS names (for its WHERE).
  int flat_group = 0;
  int flat_id = 0;
  bool flat_closed = false;  // its body sees no enclosing query (a view)
  std::vector<const parse::Expr*> flat_exprs;
  std::vector<std::pair<std::string, const parse::Expr*>> flat_aliases;
};

// A result-column alias visible in ORDER BY / GROUP BY / HAVING / WHERE.
struct ResultAlias {
  std::string name;
  const parse::Expr* expr;
};

struct AggContext;
struct WindowContext;

struct Scope {
  Scope* outer = nullptr;
  std::vector<FromTerm*> terms;
  // `*` expansion order when not `terms`' (after flattening: the FROM
  // clause's own terms, a flattened view standing for its body's terms).
  std::vector<FromTerm*> star_terms;
  const std::vector<ResultAlias>* aliases = nullptr;
  bool aliases_first = false;              // ORDER BY/GROUP BY: an alias beats a column
  bool hide_outer = false;                 // names resolve in this scope only (check_no_outer_names)
  AggContext* agg = nullptr;               // set while coding an aggregate query's output
  WindowContext* win = nullptr;            // window calls allowed here (plan/window.h)
  bool allow_agg = false;                  // aggregate functions allowed here
  const char* agg_forbidden_in = nullptr;  // "the WHERE clause", ...
  int outer_refs = 0;                      // references from here to an enclosing scope
  bool dml = true;                         // DQS rule context
  int* correlated_flag = nullptr;
  // Flattened views and subqueries (flatten.cpp): the terms named but not
  // looped over, group k's term at flat_groups[k-1], and the group every
  // column reference of their bodies resolves in.
  std::vector<FromTerm*> flat_terms;
  std::vector<FromTerm*> flat_groups;
  std::unordered_map<const parse::Expr*, int> flat_refs;
};

// Result of resolving a column reference.
struct ColumnRef {
  FromTerm* term = nullptr;
  int col = -1;  // -1 = rowid
  Scope* scope = nullptr;
  const parse::Expr* alias_expr = nullptr;  // resolved to a result alias
  Scope* alias_scope = nullptr;
  enum class Special { kNone, kTrue, kFalse, kString } special = Special::kNone;
  // Reached through column via_col of flattened term `via` (its name and
  // origin are the result column's).
  FromTerm* via = nullptr;
  int via_col = -1;
};

// Resolves a ColumnRefExpr. Errors: "no such column: x", "ambiguous column
// name: x", "no such column: t.x". Counts outer references in the scopes
// crossed.
Result<ColumnRef> resolve_column(CodeGen& g, Scope* scope, const parse::ColumnRefExpr* e);

// ORDER BY and GROUP BY terms see no enclosing query (SQLite's
// resolveSelectStep clears the name context's outer link for them): a
// column of `e` (outside its subqueries) that only an enclosing query of
// `scope` has is "no such column: x". Names found nowhere are left for the
// term's coding to report in its usual order.
Status check_no_outer_names(CodeGen& g, Scope* scope, const parse::Expr* e);

// Affinity and collation of an expression (sqlite3ExprAffinity /
// sqlite3ExprCollSeq). `explicit_coll` reports a COLLATE operator.
vm::Affinity expr_affinity(CodeGen& g, Scope* scope, const parse::Expr* e);
std::string expr_collation(CodeGen& g, Scope* scope, const parse::Expr* e, bool* explicit_coll);
// Collation of a binary comparison (sqlite3BinaryCompareCollSeq).
const vm::Collation* compare_collation(CodeGen& g, Scope* scope, const parse::Expr* l, const parse::Expr* r);
// Whether `e` has a collating sequence (sqlite3ExprCollSeq is not null): an
// explicit COLLATE, or a table column (even one with the default BINARY).
bool expr_has_collation(CodeGen& g, Scope* scope, const parse::Expr* e);
// True if the expression is a constant (no column refs, no variables if
// `allow_vars` is false, no non-deterministic functions, no subqueries).
bool expr_is_constant(const parse::Expr* e);
// True if the expression (outside subqueries) contains an aggregate call.
bool expr_has_aggregate(CodeGen& g, const parse::Expr* e);
// Structural equality of two expressions (sqlite3ExprCompare).
bool expr_equal(std::string_view sql, const parse::Expr* a, const parse::Expr* b);

// The declared type's text as SQLite keeps it.
vm::Affinity type_affinity(std::string_view type);

// While an alias's expression is being compiled, the result aliases of its
// scope are hidden: a result expression never sees result aliases, so
// `SELECT b AS b FROM t ORDER BY 1` reads column b and `SELECT d AS d` is
// "no such column: d" rather than an endless self-reference.
class AliasExpansion {
 public:
  explicit AliasExpansion(Scope* s) : s_(s), saved_(s->aliases) { s->aliases = nullptr; }
  ~AliasExpansion() { s_->aliases = saved_; }
  AliasExpansion(const AliasExpansion&) = delete;
  AliasExpansion& operator=(const AliasExpansion&) = delete;

 private:
  Scope* s_;
  const std::vector<ResultAlias>* saved_;
};

}  // namespace keel::plan
