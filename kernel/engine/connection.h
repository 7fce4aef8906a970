// Connection: one open database handle (sqlite3*), the top of the kernel.
//
// A Connection owns the pager and b-tree of each database it has open
// (0 = main, 1 = temp, opened on first use, 2.. = attached), the Catalog of
// their schemas, the function and collation registries, and the transaction
// state. Statements are prepared from it; each owns a Program and a Vm that
// reaches back into the Connection through the VmHost interface, which this
// class implements.
//
// Transactions (as SQLite's): in autocommit mode each statement runs in its
// own transaction, committed when the last active statement ends; BEGIN
// leaves autocommit mode until COMMIT/ROLLBACK. A writing statement inside an
// explicit transaction runs in a statement savepoint so that a constraint
// error undoes only that statement. User SAVEPOINTs map onto pager
// savepoints of every database in a write transaction.
//
// Thread-safety: a Connection and its Statements are used by one thread at a
// time (SQLite's "multi-thread" mode). interrupt() may be called from any
// thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/hooks.h"
#include "engine/index_method_runtime.h"
#include "engine/vtab_registry.h"
#include "func/function.h"
#include "keel/ext/change_observer.hpp"
#include "keel/ext/module.hpp"
#include "keel/ext/page_codec.hpp"
#include "keel/ext/pragma.hpp"
#include "keel/ext/session.hpp"
#include "keel/status.hpp"
#include "plan/planner.h"
#include "plan/schema.h"
#include "storage/btree/btree.h"
#include "storage/pager/pager.h"
#include "vm/vm.h"

namespace keel::engine {

class Statement;

struct OpenOptions {
  bool read_only = false;
  bool create = true;
  bool uri = false;        // interpret "file:" URIs
  os::Vfs* vfs = nullptr;  // nullptr = the default VFS
  int busy_timeout_ms = 0;
  int64_t cache_size = -2000;
  // Runs after the file name and URI are parsed and before the main
  // database is opened: the module layer (kernel/ext) installs the
  // connection's extensions here, so a page codec can read the file.
  std::function<Status(class Connection&)> before_open;
};

// What the module layer installed on a connection (kernel/ext fills it;
// the engine consults it). The shared_ptrs keep module objects, and with
// them their libraries, alive while the connection is open.
struct ExtensionState {
  std::vector<std::string> features;  // enabled feature flags
  std::vector<std::shared_ptr<ext::PragmaHandler>> pragmas;
  std::vector<std::shared_ptr<ext::JournalModeFactory>> journal_modes;
  std::vector<std::shared_ptr<ext::SchemaObject>> schema_objects;
  std::vector<std::shared_ptr<ext::ConnectionExtension>> attached;
  std::vector<std::shared_ptr<ext::ChangeObserver>> observers;
  std::vector<std::shared_ptr<ext::IndexMethod>> index_methods;
  std::shared_ptr<IndexMethodRuntime> index_runtime;  // set by the module layer
  std::vector<std::shared_ptr<const void>> keep_alive;
};

// The current row of a callback of exec(): column names and text values
// (nullptr for NULL), as sqlite3_exec passes them.
using ExecCallback = std::function<bool(int n, char** values, char** names)>;

class Connection final : private vm::VmHost,
                         private func::FunctionHost,
                         private plan::CollationLookup,
                         private plan::VtabHost {
 public:
  // Opens `filename` (":memory:" or "" for a private in-memory/temp
  // database; "file:" URIs when options.uri).
  static Result<std::unique_ptr<Connection>> open(std::string_view filename, const OpenOptions& options = {});
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Compiles the first statement of `sql`; *tail receives the offset where
  // the next statement begins. A null statement (only white space or
  // comments) yields nullptr.
  Result<std::unique_ptr<Statement>> prepare(std::string_view sql, uint32_t* tail = nullptr);
  // Byte offset of the syntax error of the last failed prepare(), or -1
  // (sqlite3_error_offset).
  int last_error_offset() const { return last_error_offset_; }
  // Runs every statement of `sql`, calling `callback` for each result row
  // (return true from it to abort with rc::kAbort).
  Status exec(std::string_view sql, const ExecCallback& callback = nullptr);

  int64_t last_insert_rowid() const override { return last_insert_rowid_; }
  void set_last_insert_rowid(int64_t r) override { last_insert_rowid_ = r; }
  int64_t changes() const override { return changes_; }
  int64_t total_changes() const override { return total_changes_; }
  bool autocommit() const { return autocommit_; }
  void interrupt() { interrupt_ = true; }
  // PRAGMA threads / SQLITE_LIMIT_WORKER_THREADS (0..8, default 0).
  int worker_threads() const override { return worker_threads_; }
  void set_worker_threads(int n) { worker_threads_ = n < 0 ? worker_threads_ : n > 8 ? 8 : n; }
  void set_busy_timeout(int ms);
  void set_busy_handler(std::function<bool(int)> handler);
  // Commit, rollback and progress callbacks (engine/hooks.h).
  ConnectionHooks& hooks() { return hooks_; }
  // The b-tree of database `db` (0 main, 1 temp, 2.. attached), for the C
  // API's blob, backup and serialize calls; nullptr if not open.
  storage::Btree* database_btree(int db) {
    return db >= 0 && db < static_cast<int>(dbs_.size()) ? dbs_[db].btree.get() : nullptr;
  }
  // 0 none, 1 read, 2 write (sqlite3_txn_state).
  int transaction_state(int db) const {
    return db >= 0 && db < static_cast<int>(dbs_.size()) ? dbs_[db].txn : 0;
  }
  // PRAGMA database_list: seq, name, file of each open database, flattened.
  std::vector<vm::Value> database_list() const;
  // Number of statements now running (stepped and not reset or done).
  int active_statements() const { return active_statements_; }
  // Changes whenever ATTACH or DETACH renumbers the databases: a statement
  // compiled under another value is compiled again before it runs.
  uint64_t database_generation() const { return database_generation_; }
  // SQLITE_LIMIT_ATTACHED (default and maximum 10).
  int max_attached() const { return max_attached_; }
  void set_max_attached(int n) { max_attached_ = n < 0 ? 0 : n > 10 ? 10 : n; }

  func::FunctionRegistry& functions() { return functions_; }
  // Registers (or with compare == nullptr removes) a collation.
  void set_collation(std::string name, std::shared_ptr<vm::Collation> collation);
  const vm::Collation* find_collation(std::string_view name) const override;

  plan::Catalog& catalog() { return catalog_; }
  // The services SQL functions see (for calls made outside the VM, such as a
  // C virtual table's xColumn).
  func::FunctionHost& function_services() { return *this; }
  // Virtual-table modules (built-in json_each/json_tree, the C API's, modules').
  VtabRegistry& vtab_registry() { return vtabs_; }
  const std::string& filename(int db = 0) const;
  bool read_only(int db = 0) const;
  storage::Pager* pager(int db);
  plan::CompileOptions& compile_options() { return compile_options_; }

  // --- extensions (kernel/ext)
  ExtensionState& extensions() { return ext_; }
  // A parameter of the "file:" URI the connection was opened with, or "".
  std::string uri_parameter(std::string_view name) const;
  // Installs a page codec on database `db`; allowed before the database is
  // first read (it is reopened with the codec), rc::kMisuse after.
  Status set_page_codec(int db, std::shared_ptr<ext::PageCodec> codec);
  // True once database `db` has been read by this connection.
  bool database_touched(int db) const;
  // Rebuilds database `db` as VACUUM does and stores it through `codec`
  // (nullptr = plain pages) with the codec's reserved bytes per page from
  // now on: re-encryption, and encryption of a plain database
  // (engine/vacuum.cpp). Crash-safe: the old file or the new one survives.
  Status rebuild_database(int db, std::shared_ptr<ext::PageCodec> codec);
  // Index of the database named `schema` ("main", "temp", attached), or -1.
  int database_index(std::string_view schema) const;
  // Writes `rows` (rowid, encoded record) straight into the b-tree of rowid
  // table `table` of database `db` (ext::Session::append_records, whose
  // header states the contract; engine/record_append.cpp). False, with
  // nothing written, for a table or database it does not apply to.
  Result<bool> append_records(int db, std::string_view table, std::span<const ext::RecordRow> rows);
  // True while a statement of this connection is executing (inside step):
  // statements started then are nested (see keel/ext/session.hpp).
  bool executing() const { return !executing_.empty(); }

  // Used by Statement around each run.
  void statement_started(Statement* s);
  void statement_finished(Statement* s);
  // Loads (or reloads) a database's schema if the file's cookie changed.
  Status ensure_schema(int db);
  void reset_schema(int db);

 private:
  friend class Statement;
  Connection() = default;

  struct Db {
    std::string name;
    std::string path;
    std::unique_ptr<storage::Pager> pager;
    std::unique_ptr<storage::Btree> btree;
    int txn = 0;                       // 0 none, 1 read, 2 write
    int statement_savepoint = 0;       // pager savepoint depth of the running statement, or 0
    std::vector<int> user_savepoints;  // pager depth per open user savepoint
    bool read_only = false;
    bool memory = false;
    bool create = true;
    bool touched = false;  // a transaction has begun on it
    std::shared_ptr<ext::PageCodec> codec;
  };
  struct UserSavepoint {
    std::string name;
    bool starts_transaction;
    int64_t fk_deferred = 0;  // the deferred foreign key counters when it was opened
    int64_t fk_deferred_imm = 0;
  };

  Status open_database(int db, std::string path, bool memory, bool read_only, bool create);
  // ATTACH and DETACH (attach.cpp).
  Status attach_database(const plan::EngineCommand& cmd, std::vector<vm::Value>& rows);
  Status detach_database(const plan::EngineCommand& cmd);
  // Commits every database in a write transaction: through a super-journal
  // when several files in rollback-journal modes changed (commit.cpp).
  Status commit_databases();
  Status open_temp_database();
  Status load_schema(int db);
  Status commit_all();
  void rollback_all();
  Status end_transaction_if_done();

  // --- vm::VmHost
  storage::Btree* btree(int db) override;
  Status begin_transaction(int db, bool write, bool exclusive, bool statement_journal,
                           int64_t schema_cookie) override;
  Status end_statement(const Status& outcome, vm::OnError on_error) override;
  Status end_statement_outcome(const Status& outcome, vm::OnError on_error);
  Status set_autocommit(bool enable, bool rollback) override;
  Status savepoint(int op, std::string_view name) override;
  Status parse_schema(int db, std::string_view where) override;
  void drop_schema_object(int db, int kind, std::string_view name) override;
  void schema_changed(int db) override;
  func::FunctionHost& function_host() override { return *this; }
  void add_changes(int64_t n) override;
  void add_nested_changes(int64_t n) override { total_changes_ += n; }
  void add_subprogram_changes(int64_t n) override { total_changes_ += n; }
  bool interrupted() const override;
  Status run_command(const void* command, std::vector<vm::Value>& rows) override;
  int64_t max_length() const override { return compile_options_.max_length; }
  os::Vfs& temp_vfs() override { return os::memory_vfs(); }
  Status vtab_create(int db, std::string_view name) override;
  Status vtab_destroy(int db, std::string_view name) override;
  Status vtab_begin(const std::shared_ptr<ext::VirtualTable>& table) override;
  bool defer_foreign_keys() const override { return compile_options_.defer_foreign_keys; }
  void fk_deferred_add(int64_t n, bool immediate) override {
    (immediate ? fk_deferred_imm_ : fk_deferred_) += n;
  }
  int64_t fk_deferred(bool immediate) const override { return immediate ? fk_deferred_imm_ : fk_deferred_; }
  void fk_deferred_restore(int64_t deferred, int64_t immediate) override {
    fk_deferred_ = deferred;
    fk_deferred_imm_ = immediate;
  }
  // COMMIT refuses to end a transaction with outstanding deferred foreign
  // key violations (the transaction stays open).
  Status check_deferred_fk() const;

  // --- plan::VtabHost
  Result<std::shared_ptr<const plan::VtabInstance>> connect_vtab(plan::Table& t) override;
  Result<std::shared_ptr<const plan::VtabInstance>> eponymous_vtab(std::string_view name) override {
    return vtabs_.eponymous(name);
  }
  bool has_vtab_module(std::string_view name) const override { return vtabs_.find_module(name) != nullptr; }

  bool observing_changes() const override;
  Status row_changed(const vm::ChangeTarget& target, int kind, int64_t rowid, int64_t old_rowid,
                     std::span<const uint8_t> before, std::span<const uint8_t> after) override;
  Result<std::unique_ptr<ext::IndexCursor>> index_method_query(const vm::IndexMethodScan& scan,
                                                               std::span<const vm::Value> args,
                                                               int64_t limit) override;
  // kIndexMethodCreate / kIndexMethodDrop commands (extensions.cpp).
  Status run_index_method_command(const plan::EngineCommand& cmd);

  // Change observers at statement and transaction boundaries
  // (extensions.cpp).
  Status notify_statement_end(bool ok);
  Status notify_before_commit();
  void notify_after_commit();
  void notify_after_rollback();
  void notify_rollback_to(int depth);
  Status notify_before_savepoint(int depth);
  // before_statement() of every active observer (statement.cpp, before the
  // statement starts; SQL the observers run joins the transaction only).
  Status notify_before_statement(Statement& statement);
  // Whether an active observer may fail a change of a table the
  // statement's program writes (ChangeObserver::may_fail).
  bool observers_may_fail(Statement& statement) const;
  // The innermost executing statement if it is nested, else nullptr.
  Statement* nested_statement() const;

 public:
  // Asks every observer active() again and sets compile_options().
  // observe_changes from the answer.
  void refresh_observers_active();
  // Calls on_write_transaction() of every observer, then refreshes.
  Status notify_write_transaction();
  bool in_write_transaction() const {
    for (const auto& d : dbs_) {
      if (d.txn == 2) return true;
    }
    return false;
  }

 private:
  // --- func::FunctionHost
  int64_t statement_time_ms() override;
  void randomness(void* buf, size_t n) override;
  bool case_sensitive_like() const override { return compile_options_.case_sensitive_like; }
  void* connection_handle() override { return this; }

  // PRAGMA execution (pragma.cpp).
  Status run_pragma(const plan::EngineCommand& cmd, std::vector<vm::Value>& rows);
  // VACUUM [schema] [INTO file] (vacuum.cpp). `into` null: rebuild in place;
  // `codec` non-null: in place, stored through that codec from now on.
  Status vacuum(int db, const std::string* into, const std::shared_ptr<ext::PageCodec>* codec);
  // ANALYZE, PRAGMA optimize and reading sqlite_stat1 (analyze.cpp).
  Status run_analyze(const plan::EngineCommand& cmd);
  Status analyze_database(int db, const std::string* object);
  Status run_optimize(const plan::EngineCommand& cmd);
  void load_stat1(int db);

  std::vector<Db> dbs_;
  plan::Catalog catalog_;
  func::FunctionRegistry functions_;
  VtabRegistry vtabs_;
  // Virtual tables written in the current transaction (begin() called):
  // sync()+commit() or rollback() when it ends.
  std::vector<std::shared_ptr<ext::VirtualTable>> vtab_txn_;
  std::map<std::string, std::shared_ptr<vm::Collation>, plan::NameLess> collations_;
  plan::CompileOptions compile_options_;
  OpenOptions options_;
  os::Vfs* vfs_ = nullptr;
  std::function<bool(int)> busy_handler_;
  int busy_timeout_ms_ = 0;
  int worker_threads_ = 0;
  // PRAGMA page_size / auto_vacuum asked for a database that already has
  // content: the next VACUUM applies them (SQLite's db->nextPagesize,
  // db->nextAutovac). 0 / -1: none pending.
  uint32_t next_page_size_ = 0;
  int next_auto_vacuum_ = -1;
  // PRAGMA analysis_limit: entries ANALYZE reads per index (0 = all).
  int64_t analysis_limit_ = 0;

  bool autocommit_ = true;
  // Foreign keys: outstanding deferred violations (SQLite's nDeferredCons
  // and nDeferredImmCons); every transaction end resets them and PRAGMA
  // defer_foreign_keys (compile_options_).
  int64_t fk_deferred_ = 0;
  int64_t fk_deferred_imm_ = 0;
  std::vector<UserSavepoint> savepoints_;
  int active_statements_ = 0;
  bool statement_failed_rollback_ = false;
  int64_t last_insert_rowid_ = 0;
  int64_t changes_ = 0;          // changes of the most recent completed statement
  int64_t running_changes_ = 0;  // changes of the statement now running
  int64_t total_changes_ = 0;
  int64_t statement_time_ = 0;  // Julian ms, 0 = not taken this step
  std::atomic<bool> interrupt_{false};
  mutable ConnectionHooks hooks_;
  int last_error_offset_ = -1;
  std::map<std::string, std::string> uri_params_;
  ExtensionState ext_;
  // Statements inside step(), innermost last.
  std::vector<Statement*> executing_;
  // Observers' before_commit() is running: statements started now are nested.
  bool in_commit_observers_ = false;
  // Some change observer is active (refresh_observers_active).
  bool observers_active_ = false;
  // The running statement of the application, compiled for observers,
  // needs no statement savepoint of its own (vm::Program::statement_journal
  // false): 1 if it gets one because an observer may fail, 2 if it runs
  // without since none may (observers_may_fail, extensions.cpp).
  int observer_savepoint_ = 0;
  // An observer failed on_change() after promising not to (see
  // ChangeObserver::may_fail): the statement cannot be undone alone, so
  // its failure ends the transaction.
  bool observer_broke_promise_ = false;
  uint64_t database_generation_ = 0;
  int max_attached_ = 10;
};

}  // namespace keel::engine
