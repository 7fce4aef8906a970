// CodeGen: the state of one compilation (SQLite's Parse + Vdbe builder).
//
// Design note
// -----------
// * Registers and cursors are allocated monotonically, never freed: a
//   Program's register file is small and this keeps codegen simple.
// * Jump targets are labels (negative numbers) until finish() patches them,
//   so code can jump forward to places not yet emitted.
// * Name resolution happens while code is generated (SQLite resolves first
//   and annotates the tree; our AST is immutable, so the resolver is a set
//   of pure lookups — scope.h — that codegen calls).
// * A "dry run" (snapshot()/rollback()) generates code only to discover what
//   it needs — the aggregate pass uses it to learn which columns and
//   aggregate calls the output expressions reference — then discards it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.hpp"
#include "parse/arena.h"
#include "parse/ast.h"
#include "plan/planner.h"
#include "plan/schema.h"
#include "vm/opcodes.h"
#include "vm/program.h"
#include "vm/vm.h"

namespace keel::plan {

using vm::Op;

class CodeGen {
 public:
  CodeGen(const CompileInput& in, vm::Program* prog);

  const CompileInput& input() const { return in_; }
  Catalog& catalog() { return *in_.catalog; }
  // The SQL text the AST being compiled points into (a view's body has its
  // own text).
  std::string_view sql() const { return sql_; }
  std::string_view swap_sql(std::string_view s) {
    std::string_view old = sql_;
    sql_ = s;
    return old;
  }
  vm::Program& prog() { return *prog_; }

  int new_reg(int n = 1) {
    int r = prog_->n_registers + 1;
    prog_->n_registers += n;
    return r;
  }
  int new_cursor() { return prog_->n_cursors++; }
  int new_label() {
    labels_.push_back(-1);
    return -static_cast<int>(labels_.size());
  }
  void bind(int label) { labels_[-label - 1] = addr(); }
  int addr() const { return static_cast<int>(prog_->ops.size()); }

  int emit(Op op, int p1 = 0, int p2 = 0, int p3 = 0);
  int emit_str(Op op, int p1, int p2, int p3, std::string_view s, vm::P4Type t = vm::P4Type::kString);
  int emit_int64(int reg, int64_t v);
  int emit_real(int reg, double v);
  int emit_string(int reg, std::string_view s) { return emit_str(Op::String8, 0, reg, 0, s); }
  vm::Instr& at(int a) { return prog_->ops[a]; }
  void set_p4_int(int a, int v) {
    at(a).p4type = vm::P4Type::kInt32;
    at(a).p4.i = v;
  }
  void set_p4_keyinfo(int a, std::unique_ptr<vm::KeyInfo> ki) {
    at(a).p4type = vm::P4Type::kKeyInfo;
    at(a).p4.key_info = prog_->own_key_info(std::move(ki));
  }
  void set_p4_affinity(int a, std::string_view aff);
  void set_p4_coll(int a, const vm::Collation* c) {
    if (c == nullptr) return;
    at(a).p4type = vm::P4Type::kCollation;
    at(a).p4.coll = c;
  }

  // Start of the program: Init jumps to the transaction block emitted by
  // finish(), which jumps back to the first real instruction.
  void begin_program();
  // Records that database `db` must be in a (write) transaction.
  void use_database(int db, bool write);
  // The databases recorded so far: (db, write).
  const std::vector<std::pair<int, bool>>& databases() const { return dbs_; }
  // Ends with Halt, emits the transaction block, patches labels.
  Status finish();

  // Statement journal. INSERT, UPDATE and DELETE call note_row_write() once
  // each; `fails_first` says that coded statement can only fail (constraint,
  // expression error) before its first change. A program made of exactly
  // one such statement needs no statement savepoint; anything else — DDL,
  // triggers (which code nested writes), several writes — keeps it.
  // A change observer may fail any write after it happened: a program
  // compiled for observers (observe_changes) that needs no savepoint of its
  // own gets one at run time unless every observer of its table promises
  // not to fail (engine/statement.cpp, ChangeObserver::may_fail).
  void note_row_write(bool fails_first) {
    ++row_writes_;
    all_fail_first_ = all_fail_first_ && fails_first;
  }

  // A query plan row; returns its id.
  int plan_row(int parent, std::string detail);
  int plan_parent = 0;

  // Collation by name (built-in or registered); nullptr if unknown.
  const vm::Collation* collation(std::string_view name) const;

  // Dry runs.
  struct Snapshot {
    size_t n_ops;
    size_t n_plan;
    size_t n_comments;
  };
  Snapshot snapshot() const { return {prog_->ops.size(), prog_->query_plan.size(), prog_->comments.size()}; }
  void rollback(const Snapshot& s) {
    prog_->ops.resize(s.n_ops);
    prog_->query_plan.resize(s.n_plan);
    if (prog_->comments.size() > s.n_ops) prog_->comments.resize(s.n_ops);
  }

  // Column substitution used by aggregate queries: a reference to column
  // `col` of cursor `cursor` reads register `reg` instead.
  std::map<std::pair<int, int>, int> column_override;
  bool recording_columns = false;  // dry run: record referenced columns instead
  std::vector<std::pair<int, int>> recorded_columns;

  int statement_db = 0;
  bool is_dml = false;
  // RETURNING rows of the statement being coded go to this ephemeral table
  // (-1: straight to ResultRow) and are emitted after every change is made,
  // so that the first step does all the work, as SQLite's. `returning_cols`
  // is the row width code_returning found.
  int returning_cursor = -1;
  int returning_cols = 0;
  // Register holding LIMIT+OFFSET of the single-table ORDER BY ... LIMIT
  // whose loops are being opened (set by select.cpp around where_begin), or
  // 0: lets an index method answer ORDER BY fn(col, ?) LIMIT k.
  int order_limit_reg = 0;

  // Nodes the code generator synthesizes (USING / NATURAL join terms).
  parse::Arena arena;
  parse::Expr* make_column_ref(std::string_view table, std::string_view column);
  parse::Expr* make_binary(parse::BinaryOp op, parse::Expr* l, parse::Expr* r);

  // The database unqualified table names resolve in while the body of a
  // trigger stored in a database other than temp is coded (SQLite's DbFixer
  // binds them to that database; views use view_db); -1 = the usual search
  // order (temp, main, attached).
  int default_db = -1;

  // Common table expressions in scope, innermost last.
  std::vector<const parse::CommonTableExpr*> ctes;
  // Recursive CTEs: those of a WITH RECURSIVE whose body refers to itself.
  // While the recursive part is coded, a reference reads the current row
  // (recursive_cursor); recursive_cols are the columns (of the initial part).
  std::map<const parse::CommonTableExpr*, int> recursive_cursor;
  std::map<const parse::CommonTableExpr*, std::vector<std::string>> recursive_names;
  std::vector<const parse::CommonTableExpr*> recursive_ctes;

  // Triggers being coded (innermost last): NEW/OLD are resolved in
  // trigger_scope after every other scope; RAISE(IGNORE) jumps to
  // trigger_ignore; a trigger never fires inside itself.
  struct Scope* trigger_scope = nullptr;
  // The trigger whose body is being coded, for the authorizer (else empty).
  std::string auth_trigger;
  // Checks the authorizer is not asked about (CREATE VIEW's look at its
  // select: SQLite asks when the view is used).
  bool auth_suspended = false;
  // Columns the authorizer was asked about: (term, column) -> ignored.
  std::map<std::pair<const void*, int>, bool> auth_reads;
  int trigger_ignore = 0;
  std::vector<const void*> active_triggers;
  // While coding the body of a view that is not TEMP: its database, the only
  // one an unqualified FROM name of the body is looked up in (SQLite's
  // DbFixer binds them at CREATE VIEW); -1 elsewhere.
  int view_db = -1;
  // The bodies (Table::view_select) of the views whose columns are being
  // resolved, innermost last: meeting one again is a circular definition.
  std::vector<const void*> expanding_views;
  // While coding a CHECK constraint (1), a generated column (2) or an index
  // expression or partial-index WHERE (3): function calls become PureFunc.
  uint8_t pure_context = 0;  // kPureCheck, kPureGenerated, kPureIndex
  const parse::CommonTableExpr* find_cte(std::string_view name) const;

  // Generated columns (plan/generated_columns.h): the virtual columns whose
  // expression is being coded (a second visit is a loop), and an error met
  // where the emitting function cannot return one. As SQLite's
  // sqlite3ErrorMsg, the last such error is the statement's.
  std::vector<const Column*> generating;
  Status deferred_error;
  // Foreign key actions compiled so far, shared by a program and the
  // sub-programs coded for it (plan/foreign_key.h).
  std::shared_ptr<struct FkActionCache> fk_actions;

 private:
  const CompileInput& in_;
  vm::Program* prog_;
  std::string_view sql_;
  std::vector<int> labels_;
  std::vector<std::pair<int, bool>> dbs_;  // (db, write)
  int init_addr_ = -1;
  int next_plan_id_ = 1;
  int row_writes_ = 0;
  bool all_fail_first_ = true;
};

// Values of CodeGen::pure_context (PureFunc's P1; func::FunctionContext::PureContext).
inline constexpr uint8_t kPureCheck = 1;
inline constexpr uint8_t kPureGenerated = 2;
inline constexpr uint8_t kPureIndex = 3;

// Sets CodeGen::pure_context for the lifetime of the object.
class PureContextScope {
 public:
  PureContextScope(CodeGen& g, uint8_t context) : g_(g), saved_(g.pure_context) { g.pure_context = context; }
  ~PureContextScope() { g_.pure_context = saved_; }
  PureContextScope(const PureContextScope&) = delete;
  PureContextScope& operator=(const PureContextScope&) = delete;

 private:
  CodeGen& g_;
  uint8_t saved_;
};

// True when a row change of `t` under the statement conflict action
// `or_conflict` changes nothing before its last possible failure: no
// triggers, no REPLACE (which deletes before later checks), and no index
// whose key needs an expression or a WHERE (evaluated between index writes).
// With `event`, only the triggers of that event count.
bool row_write_fails_first(const Table* t, parse::ConflictAction or_conflict,
                           const parse::TriggerEvent* event = nullptr);
// True if `t` has a trigger on `event`.
bool has_trigger(const Table* t, parse::TriggerEvent event);

// Quotes an identifier the way SQLite's identPut does when needed.
std::string quote_identifier_if_needed(std::string_view name);

}  // namespace keel::plan
