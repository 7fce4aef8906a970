// Declarations shared by the code generator's files (one role per file):
//   expr_codegen.cpp  expressions, conditions, subqueries
//   resolve.cpp       name lookup, affinity, collation
//   from.cpp          FROM clause: tables, views, subqueries, joins
//   where.cpp         WHERE analysis and the nested loops
//   select.cpp        SELECT cores: result columns, ORDER BY, LIMIT, DISTINCT
//   aggregate.cpp     GROUP BY / HAVING / aggregate functions
//   compound.cpp      UNION / UNION ALL / INTERSECT / EXCEPT
//   insert.cpp update.cpp delete.cpp constraints.cpp   DML
//   build.cpp         CREATE / DROP;  pragma.cpp  PRAGMA and engine commands
//   planner.cpp       compile(): statement dispatch, transactions, EXPLAIN
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "func/function.h"
#include "plan/codegen.h"
#include "plan/scope.h"
#include "vm/topn_prescan.h"

namespace keel::plan {

// ---- expressions (expr_codegen.cpp)

// Evaluates `e` into register `target`.
Status code_expr(CodeGen& g, Scope* s, const parse::Expr* e, int target);
// Evaluates into a new register and returns it.
Result<int> code_expr_new(CodeGen& g, Scope* s, const parse::Expr* e);
// Jumps to `label` when `e` is false (code_if_false) or true (code_if_true);
// a NULL jumps iff jump_if_null.
Status code_if_false(CodeGen& g, Scope* s, const parse::Expr* e, int label, bool jump_if_null);
Status code_if_true(CodeGen& g, Scope* s, const parse::Expr* e, int label, bool jump_if_null);
// Reads column `col` (-1 = rowid) of a FROM term into `target`.
void code_column(CodeGen& g, FromTerm* t, int col, int target);
// Gives the Column instruction at `addr` the column's constant default, for
// records written before ALTER TABLE ADD COLUMN.
void set_column_default(CodeGen& g, int addr, const Column& c);
// Arguments at `args` (n registers) of a call about to be emitted: where a
// function that only views its arguments (func::kArgsByView) gets a table
// column read just before the call, by straight-line code that cannot move
// a cursor or write, the Column leaves TEXT/BLOB borrowed from the row
// (vm::kOpflagColumnByRef) instead of copying it. `first` is the address
// where the argument code starts.
void pass_columns_by_ref(CodeGen& g, const func::FunctionDef* def, int first, int args, int n);
// Emits the comparison `left_reg op right_reg` jumping to label.
void code_compare_jump(CodeGen& g, parse::BinaryOp op, int left_reg, int right_reg, vm::Affinity aff,
                       const vm::Collation* coll, int label, bool jump_if_null);
// Parses an integer literal's text; false on overflow (then *real is set).
bool parse_integer_literal(std::string_view text, bool negative, int64_t* out, double* real);

// ---- aggregates (aggregate.cpp)

struct AggFunc {
  const parse::FunctionExpr* expr = nullptr;
  const func::FunctionDef* def = nullptr;
  int acc_reg = 0;
  int n_args = 0;
  int distinct_cursor = -1;
  bool precomputed = false;  // acc_reg already holds the final value (count(*) via OP_Count)
};

struct AggContext {
  bool collecting = true;  // dry run: record calls and referenced columns
  std::vector<AggFunc> funcs;
  Scope* scope = nullptr;
  int find(const parse::FunctionExpr* e) const {
    for (size_t i = 0; i < funcs.size(); i++) {
      if (funcs[i].expr == e) return static_cast<int>(i);
    }
    return -1;
  }
};

// ---- SELECT (select.cpp)

// Where a select's rows go (SQLite's SelectDest).
struct SelectDest {
  enum class Kind {
    kOutput,         // ResultRow
    kTable,          // append to ephemeral rowid table `cursor`
    kIndex,          // insert as key of ephemeral index `cursor` (IN, UNION)
    kDistinctIndex,  // insert into `cursor` unless already present
    kMem,            // first row into registers reg..reg+n-1, then stop
    kExists,         // reg = 1 on the first row, then stop
    kCoroutine,      // registers reg..: Yield to `yield_reg` per row
    kExceptIndex,    // delete matching key from `cursor`
    kQueue,          // append to rowid table `cursor` unless already in index `aux` (if >= 0);
                     // with queue_order: insert [order columns, sequence, row] into index `cursor`
    kDiscard,        // run for side effects only (a SELECT step of a trigger)
  };
  Kind kind = Kind::kOutput;
  int cursor = -1;
  int reg = 0;
  int n_cols = 0;
  int yield_reg = 0;
  int aux = -1;
  std::string affinity;          // applied to index keys (IN)
  std::vector<int> queue_order;  // kQueue ordered by these result columns (ORDER BY of a recursive CTE)
  int queue_seq = 0;             // kQueue with queue_order: register counting rows queued
  int* correlated = nullptr;     // set to 1 if the select references outer scopes
  // kDistinctIndex: a row equal to one stored is dropped (the first of equal
  // rows stays) rather than replacing it (the last stays).
  bool keep_first = false;
  const struct PushDown* pushdown = nullptr;  // outer WHERE terms added to a FROM subquery's (pushdown.h)
};

Status code_select(CodeGen& g, const parse::Select* sel, Scope* outer, SelectDest& dest);
// Result columns of a select (names, affinity, collation, decltype).
Result<std::vector<ColInfo>> select_columns(CodeGen& g, const parse::Select* sel, Scope* outer);
// A subquery as an expression value.
Status code_scalar_subquery(CodeGen& g, Scope* s, const parse::Select* sel, int target, bool exists);
// A subquery as a row value: its first row's `n` columns into target..target+n-1
// (NULLs without a row); n == 0 codes EXISTS. Run once unless correlated.
Status code_row_subquery(CodeGen& g, Scope* s, const parse::Select* sel, int target, int n);
// Fills ephemeral index `cursor` with the rows of `sel` (IN); returns whether correlated.
Result<bool> code_in_subquery(CodeGen& g, Scope* s, const parse::Select* sel, int cursor,
                              const std::string& aff);

// ---- FROM (from.cpp)

struct FromClause {
  std::vector<std::unique_ptr<FromTerm>> terms;
  std::vector<std::unique_ptr<FromTerm>> flattened;  // views/subqueries merged into `terms` (flatten.cpp)
  std::vector<std::unique_ptr<Scope>> scopes;
};

// Whether a RIGHT or FULL JOIN is among the terms (right_join.cpp codes
// those; flattening and co-routines leave such a FROM clause alone).
inline bool has_right_join(const FromClause& f) {
  for (const auto& t : f.terms) {
    if (t->join & parse::join::kRight) return true;
  }
  return false;
}
// Builds the terms of a FROM clause (views and subqueries get their columns).
Status build_from(CodeGen& g, const parse::List<parse::FromItem*>& from, Scope* outer, FromClause& out);
// Fills ephemeral table `cursor` with the rows of recursive CTE `cte` — or,
// if yield_reg is non-zero, is the body of a coroutine that yields each row
// in registers reg_base.. (cursor unused).
Status code_recursive_cte(CodeGen& g, const parse::CommonTableExpr* cte, Scope* outer, int cursor, int n_cols,
                          int* correlated, int yield_reg = 0, int reg_base = 0);
// Materializes views and subqueries into ephemeral tables.
// allow_coroutine: the FROM is a SELECT's and is scanned once, so a lone
// recursive CTE may stream its rows as a coroutine (an outer LIMIT then ends
// an unbounded recursion, as in SQLite) instead of being materialized.
// `where` (the select's WHERE) gives the terms pushed into subqueries
// (pushdown.h); a lone or outermost subquery of a SELECT (allow_coroutine)
// runs as a co-routine, as SQLite's.
Status materialize_from(CodeGen& g, FromClause& from, Scope* scope, bool allow_coroutine = false,
                        const parse::Expr* where = nullptr);
// Whether `sel` or a select nested in it has an unqualified FROM term `name`.
bool select_reads_name(const parse::Select& sel, std::string_view name);

// ---- WHERE and loops (where.cpp)

// One ORDER BY key the loops may deliver in order (where_order.cpp): a
// column of a FROM term, or an expression that resolves to one.
struct OrderKey {
  FromTerm* term = nullptr;  // set for a `*` column; else `expr` is resolved
  int col = -1;
  const parse::Expr* expr = nullptr;
  bool desc = false;
  bool nulls_default = true;  // no NULLS FIRST/LAST that differs from the direction's
  std::string collation;      // the sort key's collation ("" = BINARY)
};

struct WhereLevel {
  FromTerm* term = nullptr;
  int top = 0;   // address of the loop's first instruction
  int cont = 0;  // label: next row of this level
  int brk = 0;   // label: leave this level
  Op next_op = Op::Noop;
  int next_cursor = -1;
  int left_join_match = 0;  // register: this LEFT JOIN level matched a row
  int left_join_null = 0;   // label of the NULL-row pass
  int in_loop_cursor = -1;  // IN(...) driving an index/rowid lookup
  int in_loop_top = 0;
  int in_loop_next = 0;  // label: the next IN value
  // Index-only reads (covering.cpp): the index a level reads, where the
  // level's code starts, the table seek that covering makes unnecessary,
  // and the query plan row to rename.
  const Index* index = nullptr;
  int idx_cursor = -1;
  int code_start = 0;
  int seek_addr[2] = {-1, -1};
  int open_addr = -1;  // the table's OpenRead (a full scan may move to an index)
  bool full_scan = false;
  int plan_index = -1;
  bool single_row = false;                   // rowid = expr: no Next
  std::vector<const parse::Expr*> on_terms;  // LEFT JOIN ON terms, tested at this level
  // Right operand of a RIGHT/FULL JOIN (right_join.h): the index of matched
  // keys, the inner loops' subroutine and its return register.
  int rj_match = -1;
  int rj_return = 0;
  int rj_subrtn = 0;
};

struct WhereInfo {
  std::vector<WhereLevel> levels;
  int brk = 0;                            // label after the whole loop
  int rj_last = -1;                       // last RIGHT/FULL JOIN level, -1 none
  int rj_loop_end = 0;                    // with rj_last >= 0: label after the outermost loop
  std::vector<const parse::Expr*> terms;  // AND-split WHERE (+ inner ON) terms
  std::vector<bool> coded;
  // Inputs, set before where_begin:
  // ORDER BY keys the loops may deliver in order (select.cpp), or the
  // argument of a lone min()/max() (aggregate.cpp, with minmax set).
  std::vector<OrderKey> order_keys;
  int minmax = 0;               // 1 min(), 2 max(): only the first row in key order matters
  bool allow_covering = false;  // read-only statement: index-only reads and scans allowed
  // A top-N SELECT over one table (select.cpp): a full scan of it gets an
  // OP_TopNPrescan (vm/topn_prescan.h) before its Rewind, with this spec
  // and the LIMIT + OFFSET count register; topn_prescan_emitted reports it.
  vm::TopNPrescanSpec* topn_prescan = nullptr;
  int topn_prescan_count_reg = 0;
  bool topn_prescan_emitted = false;
  // Outputs:
  // ORDER BY satisfied by the scan order (the sorter is not needed)
  bool order_satisfied = false;
};

// Opens the nested loops over scope->terms; rows reaching the body satisfy
// `where`. `order_by` (may be empty) lets the planner pick an index giving
// that order.
Status where_begin(CodeGen& g, Scope* scope, const parse::Expr* where, WhereInfo& w,
                   const parse::List<parse::OrderingTerm>* order_by = nullptr);
// Closes the loops opened by where_begin.
Status where_end(CodeGen& g, Scope* scope, WhereInfo& w);
// Which FROM terms of `scope` (bit i = scope->terms[i]) `e` references; all
// bits for a subquery.
Status where_expr_mask(CodeGen& g, Scope* scope, const parse::Expr* e, uint64_t* mask);
// Index-only reads (covering.cpp), called by where_end: a level that reads
// its table through an index whose columns hold every value the loop reads
// drops the table seek; a full table scan moves to the narrowest such index
// when SQLite would (its row-width estimate).
void apply_covering(CodeGen& g, WhereInfo& w);
// Splits an AND tree into its terms.
void split_and(const parse::Expr* e, std::vector<const parse::Expr*>& out);

// ---- virtual tables (vtab.cpp)

struct VtabInstance;
// A WHERE / ON term as where_begin sees it, for code_vtab_level.
struct VtabTerm {
  const parse::Expr* expr;
  uint64_t mask;  // FROM terms (by level) it references
  bool on_left_join;
  int left_join_level;
};
// Makes `t` a scan of virtual table `inst` named `name` (columns, cursor).
void set_vtab_term(FromTerm& t, std::shared_ptr<const VtabInstance> inst, std::string_view db_name,
                   std::string_view table_name);
// FROM name(args): the eponymous module's table; "no such table-valued
// function: name" when there is none.
Status add_table_function(CodeGen& g, const parse::FromItem* item, FromTerm& t);
// Opens loop level `level` over the virtual table of scope->terms[level]:
// VOpen, best_index, the argument registers and VFilter. Terms the table
// promises to check itself (omit) are appended to `omitted`. Without
// `function_args` a table-valued function's arguments are not offered as
// constraints (the right operand of a RIGHT JOIN, as SQLite).
Status code_vtab_level(CodeGen& g, Scope* scope, int level, const std::vector<VtabTerm>& terms,
                       const parse::List<parse::OrderingTerm>* order_by, WhereLevel& lv,
                       std::vector<const parse::Expr*>& omitted, bool function_args = true);
// INSERT / UPDATE / DELETE on virtual table `t` (vtab_dml.cpp).
Status code_vtab_insert(CodeGen& g, const parse::InsertStmt* st, Table* t);
Status code_vtab_update(CodeGen& g, const parse::UpdateStmt* st, Table* t);
Status code_vtab_delete(CodeGen& g, const parse::DeleteStmt* st, Table* t);
// CREATE VIRTUAL TABLE (build.cpp).
Status code_create_virtual_table(CodeGen& g, const parse::CreateVirtualTableStmt* st);

// ---- DML and DDL

Status code_insert(CodeGen& g, const parse::InsertStmt* st);
Status code_update(CodeGen& g, const parse::UpdateStmt* st);
Status code_delete(CodeGen& g, const parse::DeleteStmt* st);
// UPDATE / DELETE with ORDER BY and LIMIT, rewritten to a plain statement whose
// WHERE picks the limited rows by key (dml_limit.cpp).
Result<const parse::DeleteStmt*> rewrite_delete_limit(CodeGen& g, const parse::DeleteStmt* st);
Result<const parse::UpdateStmt*> rewrite_update_limit(CodeGen& g, const parse::UpdateStmt* st);
Status code_create_table(CodeGen& g, const parse::CreateTableStmt* st);
Status code_create_index(CodeGen& g, const parse::CreateIndexStmt* st);
Status code_create_view(CodeGen& g, const parse::CreateViewStmt* st);
Status code_drop(CodeGen& g, const parse::DropStmt* st);
Status code_create_trigger(CodeGen& g, const parse::CreateTriggerStmt* st);
Status code_alter_table(CodeGen& g, const parse::AlterTableStmt* st);
Status code_pragma(CodeGen& g, const parse::PragmaStmt* st);
// VACUUM, ATTACH, DETACH, ANALYZE and statements compiled to an engine command.
Status code_engine_command(CodeGen& g, const parse::Stmt* st);
// CREATE/DROP of a kind of object a module owns (ext::SchemaObject), or
// SQLite's syntax error when none claims the statement.
Status code_schema_object(CodeGen& g, const parse::CreateExtensionStmt* st);

// Row triggers of `t` for `event` (BEFORE or AFTER), coded inline. OLD/NEW
// are register-based terms (nullptr when absent); RAISE(IGNORE) goes to
// `ignore`; for UPDATE, changed_cols are the assigned columns (-1 rowid).
Status code_triggers(CodeGen& g, Table* t, parse::TriggerEvent event, bool before, FromTerm* old_row,
                     FromTerm* new_row, int ignore, const std::vector<int>* changed_cols);
Status code_raise(CodeGen& g, const parse::RaiseExpr* e, int target);
// Whether any trigger is defined on `t`: its own, or a TEMP trigger on a
// table of another database.
bool has_triggers(CodeGen& g, const Table* t);
// INSTEAD OF triggers of a view (trigger.cpp): whether one fires for `event`
// (UPDATE: when one of the view columns named in `changed` is set), and
// coding them all for the row in OLD/NEW.
bool has_instead_of_trigger(const Table* view, parse::TriggerEvent event,
                            const std::vector<std::string>* changed);
Status code_instead_of_triggers(CodeGen& g, Table* view, parse::TriggerEvent event, FromTerm* old_row,
                                FromTerm* new_row, int ignore, const std::vector<std::string>* changed);

// ---- INSERT / UPDATE / DELETE on a view (view_dml.cpp)

// The view an INSERT, UPDATE or DELETE names, or nullptr when it names
// something else (a table, or nothing: the caller reports that).
Table* dml_target_view(CodeGen& g, const parse::QualifiedName& name);
// Each fires the view's INSTEAD OF triggers once per row; without a
// matching trigger: "cannot modify V because it is a view".
Status code_view_insert(CodeGen& g, const parse::InsertStmt* st, Table* view);
Status code_view_update(CodeGen& g, const parse::UpdateStmt* st, Table* view);
Status code_view_delete(CodeGen& g, const parse::DeleteStmt* st, Table* view);

// Looks up a table for a statement: "no such table: x" on failure.
Result<Table*> find_table_or_error(CodeGen& g, const parse::QualifiedName& name, bool allow_view);
// db_fixer.cpp: a view or trigger of database `db` (not temp) whose body
// names another database is refused with SQLite's text.
Status check_own_database(CodeGen& g, int db, std::string_view kind, std::string_view name,
                          const parse::Stmt* stmt, const parse::Select* select);
// Storage position of table column `col` in the table's record.
int storage_column(const Table* t, int col);
// KeyInfo for an index.
std::unique_ptr<vm::KeyInfo> make_index_keyinfo(CodeGen& g, const Index* idx);
// Opens table `t` (OpenRead/OpenWrite) on `cursor`.
void open_table(CodeGen& g, const Table* t, int cursor, bool write);
void open_index(CodeGen& g, const Index* idx, int cursor, bool write);
// The affinity string of a table's columns, in storage order.
std::string table_affinity(const Table* t);
// "t.a, t.b" for constraint messages.
std::string index_column_names(const Index* idx);

}  // namespace keel::plan
