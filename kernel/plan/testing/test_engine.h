// A minimal engine for the planner's tests: one main database (a file or in
// memory), autocommit plus BEGIN/COMMIT/ROLLBACK, schema reloads after DDL.
// It implements just enough of VmHost to run compiled programs end to end
// and compare them with sqlite3; the product engine lives in kernel/engine.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "func/function.h"
#include "plan/planner.h"
#include "storage/btree/btree.h"
#include "storage/pager/pager.h"
#include "vm/vm.h"

namespace keel::plan::testing {

class TestEngine final : public vm::VmHost, public func::FunctionHost {
 public:
  // path "" = an in-memory database.
  static Result<std::unique_ptr<TestEngine>> open(const std::string& path);
  ~TestEngine() override;

  using RowFn = std::function<void(std::span<const vm::Value>)>;
  // Runs every statement of `sql`; stops at the first error.
  Status exec(std::string_view sql, const RowFn& on_row);
  // EXPLAIN-style listing of a statement's program.
  Result<std::string> explain(std::string_view sql);

  Catalog& catalog() { return catalog_; }
  // The functions statements see (tests register their own here).
  func::FunctionRegistry& functions() { return functions_; }

  // VmHost
  storage::Btree* btree(int db) override;
  Status begin_transaction(int db, bool write, bool exclusive, bool statement_journal,
                           int64_t cookie) override;
  Status end_statement(const Status& outcome, vm::OnError on_error) override;
  Status set_autocommit(bool enable, bool rollback) override;
  Status savepoint(int op, std::string_view name) override;
  Status parse_schema(int db, std::string_view where) override;
  void drop_schema_object(int db, int kind, std::string_view name) override;
  void schema_changed(int db) override;
  func::FunctionHost& function_host() override { return *this; }
  void set_last_insert_rowid(int64_t rowid) override { last_rowid_ = rowid; }
  void add_changes(int64_t n) override { total_changes_ += n; }
  bool interrupted() const override { return false; }
  Status run_command(const void* command, std::vector<vm::Value>& rows) override;
  int64_t max_length() const override { return 1000000000; }
  os::Vfs& temp_vfs() override;

  // FunctionHost
  int64_t last_insert_rowid() const override { return last_rowid_; }
  int64_t changes() const override { return changes_; }
  int64_t total_changes() const override { return total_changes_; }
  int64_t statement_time_ms() override;
  void randomness(void* buf, size_t n) override;
  bool case_sensitive_like() const override { return false; }

 private:
  TestEngine() = default;
  Status load_schema();
  Status compile_and_run(const parse::ParsedStatement& st, std::string_view sql, const RowFn& on_row);

  // Database 0 (main) and 1 (temp, in memory, opened on first use).
  struct Db {
    std::unique_ptr<storage::Pager> pager;
    std::unique_ptr<storage::Btree> btree;
    int txn = 0;  // 0 none, 1 read, 2 write
    int stmt_savepoint = -1;
  };
  Db dbs_[2];
  Status load_schema_of(int db);
  Status end_all(bool commit);
  Catalog catalog_;
  func::FunctionRegistry functions_;
  bool autocommit_ = true;
  bool schema_dirty_ = true;
  int64_t last_rowid_ = 0;
  int64_t changes_ = 0;
  int64_t total_changes_ = 0;
  uint64_t rng_ = 0x9e3779b97f4a7c15ull;
};

}  // namespace keel::plan::testing
