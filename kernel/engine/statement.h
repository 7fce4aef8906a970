// Statement: one prepared SQL statement (sqlite3_stmt).
//
// Holds the statement's SQL, its compiled Program and the Vm that runs it.
// When the schema changed since compilation (a Transaction opcode reports
// SQLITE_SCHEMA), step() recompiles from the SQL and retries, keeping the
// bindings, as sqlite3_prepare_v2 statements do.
//
// EXPLAIN statements do not run their Program: step() returns one row per
// instruction (addr, opcode, p1, p2, p3, p4, p5, comment); EXPLAIN QUERY PLAN
// returns (id, parent, notused, detail) rows.
//
// Thread-safety: as its Connection.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.hpp"
#include "parse/ast.h"
#include "vm/program.h"
#include "vm/value.h"
#include "vm/vm.h"

namespace keel::engine {

class Connection;

class Statement {
 public:
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // rc::kRow (a row is ready), rc::kDone, or an error Status.
  Result<int> step();
  // Ends the current run (sqlite3_reset); returns the run's error, if any.
  Status reset();

  Status bind(int index, const vm::Value& v);
  void clear_bindings();
  int parameter_count() const { return parameter_count_; }
  // Name of parameter `index` ("?NNN", ":a", ...), "" for a nameless one.
  std::string_view parameter_name(int index) const;
  // Index of the named parameter (with its prefix character), 0 if none.
  int parameter_index(std::string_view name) const;

  int column_count() const;
  const vm::ResultColumnInfo& column_info(int i) const;
  // The current row's values (valid after step() returned rc::kRow).
  std::span<const vm::Value> row() const;
  // Number of values in the current row (sqlite3_data_count).
  int data_count() const;

  const std::string& sql() const { return sql_; }
  // The SQL with bound parameters substituted (sqlite3_expanded_sql).
  std::string expanded_sql() const;
  bool read_only() const { return program_->read_only; }
  bool busy() const;  // has been stepped and not reset or run to completion
  // 0 plain, 1 EXPLAIN, 2 EXPLAIN QUERY PLAN (sqlite3_stmt_isexplain).
  int explain_mode() const;
  Connection& connection() { return conn_; }
  const vm::Program& program() const { return *program_; }
  int64_t changes() const;
  // VM instructions run by this statement so far, over all its runs
  // (SQLITE_STMTSTATUS_VM_STEP).
  int64_t vm_steps() const;

  // Answers ext::StatementInfo::touches() gave for program_ (observers ask
  // the same questions before every run): each holds while the schema
  // cookie of its database is the one it was answered under. Cleared when
  // the program is compiled again.
  struct TouchesAnswer {
    std::string database, table;
    int db = -1;
    int64_t cookie = 0;
    bool touches = false;
  };

 private:
  friend class Connection;
  Statement(Connection& conn, std::string sql, std::unique_ptr<vm::Program> program,
            std::vector<parse::Parameter> params, int parameter_count);
  Status recompile();
  Result<int> step_explain();
  Result<int> step_nested();

  Connection& conn_;
  std::string sql_;
  std::unique_ptr<vm::Program> program_;
  // Connection::database_generation() when program_ was compiled.
  uint64_t database_generation_ = 0;
  std::unique_ptr<vm::Vm> vm_;
  std::vector<std::pair<int, std::string>> param_names_;
  int parameter_count_ = 0;
  std::vector<vm::Value> bindings_;  // kept to survive recompilation
  // EXPLAIN output.
  std::vector<vm::Value> explain_row_;
  size_t explain_next_ = 0;
  bool explain_done_ = false;
  uint64_t authorizer_generation_ = 0;  // hooks().authorizer_generation when compiled
  bool active_ = false;                 // counted in the connection's active statements
  // Started while another statement of the connection was executing (or
  // while observers run at commit): joins that statement (ext/session.hpp).
  bool nested_ = false;
  // Pager savepoints a nested statement opened: (database, depth).
  std::vector<std::pair<int, int>> nested_savepoints_;
  std::vector<TouchesAnswer> touches_answers_;
  // The distinct change targets of program_'s Insert and Delete
  // (Connection::observers_may_fail), collected at its first run.
  std::vector<const vm::ChangeTarget*> change_targets_;
  bool change_targets_known_ = false;
};

}  // namespace keel::engine
