// The VM: runs one Program over the connection's b-trees.
//
// A Vm holds the registers, cursors and program counter of one execution of
// a Program (SQLite's Vdbe). step() runs instructions until a ResultRow
// (returns rc::kRow, the row readable through row()), until Halt (rc::kDone)
// or until an error (its Status). reset() rewinds it for another run with the
// same bindings.
//
// Everything outside the Program — which b-tree belongs to which database,
// transactions, the schema, the connection's counters — is reached through
// the VmHost the engine hands in; the VM knows nothing of the layers above.
//
// Thread-safety: a Vm is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "func/function.h"
#include "keel/ext/virtual_table.hpp"
#include "keel/ext/index_method.hpp"
#include "keel/status.hpp"
#include "storage/btree/btree.h"
#include "vm/program.h"
#include "vm/value.h"

namespace keel::vm {

class VmCursor;
class WindowPartition;

// Conflict resolution of a failing statement (SQLite's OE_*), as Halt's P2.
enum class OnError : uint8_t {
  kNone = 0,
  kRollback = 1,
  kAbort = 2,
  kFail = 3,
  kIgnore = 4,
  kReplace = 5,
  kUpdate = 6,
  kDefault = 11
};

// Flags in P5 of Insert / Delete (SQLite's OPFLAG_*).
inline constexpr uint16_t kOpflagNChange = 0x01;
inline constexpr uint16_t kOpflagLastRowid = 0x20;
inline constexpr uint16_t kOpflagAppend = 0x08;
inline constexpr uint16_t kOpflagUseSeekResult = 0x10;
inline constexpr uint16_t kOpflagSaveposition = 0x02;
// A change made inside a trigger body: counted by total_changes() only (a
// trigger's changes are not the statement's, as in SQLite's sub-programs).
inline constexpr uint16_t kOpflagNestedChange = 0x40;
// Insert/Delete of an UPDATE (a Delete so flagged only keeps the before image
// for the Insert that follows).
inline constexpr uint16_t kOpflagIsUpdate = 0x04;
inline constexpr uint16_t kOpflagP2IsReg = 0x10;  // OpenRead/OpenWrite: P2 names a register holding the root
inline constexpr uint16_t kOpflagBulkCsr = 0x01;  // OpenWrite: keys will be inserted in order (CREATE INDEX)
// Column: the register is only read by the very next Function/AggStep (a
// function that views its arguments, func::kArgsByView) before the cursor
// moves, so TEXT/BLOB bytes stay borrowed from the row (no copy; SQLite's
// MEM_Ephem). Set by the code generator only in that situation.
inline constexpr uint16_t kOpflagColumnByRef = 0x80;
// Copy: the copies lose their subtype (a row handed out of a subquery or
// co-routine carries plain values, as SQLite's).
inline constexpr uint16_t kOpflagCopyNoSubtype = 0x01;

// Flags in P5 of comparison opcodes (SQLite's SQLITE_JUMPIFNULL, SQLITE_NULLEQ).
inline constexpr uint16_t kCmpAffinityMask = 0x47;
inline constexpr uint16_t kCmpJumpIfNull = 0x10;
inline constexpr uint16_t kCmpNullEq = 0x80;

// What the VM needs from the connection.
class VmHost {
 public:
  virtual ~VmHost() = default;
  // The b-tree of database `db` (0 main, 1 temp, 2+ attached); nullptr if none.
  virtual storage::Btree* btree(int db) = 0;
  // OP_Transaction: make sure database `db` is in a read (write=false) or
  // write transaction, starting one (and a statement savepoint when
  // `statement_journal`) as needed. `schema_cookie` >= 0 is checked against
  // the file: a mismatch is rc::kSchema.
  virtual Status begin_transaction(int db, bool write, bool exclusive, bool statement_journal,
                                   int64_t schema_cookie) = 0;
  // The statement ended (Halt or error): release or roll back its savepoint,
  // and in autocommit mode commit or roll back the transaction. `on_error`
  // tells how a failing statement is undone.
  virtual Status end_statement(const Status& outcome, OnError on_error) = 0;
  // OP_AutoCommit: BEGIN (enable=false), COMMIT (enable=true, rollback=false),
  // ROLLBACK (enable=true, rollback=true).
  virtual Status set_autocommit(bool enable, bool rollback) = 0;
  // OP_Savepoint: op 0 = SAVEPOINT, 1 = RELEASE, 2 = ROLLBACK TO.
  virtual Status savepoint(int op, std::string_view name) = 0;
  // OP_ParseSchema: (re)load schema entries of `db` matching `where` (an SQL
  // condition on sqlite_schema; empty = all).
  virtual Status parse_schema(int db, std::string_view where) = 0;
  // OP_DropTable / DropIndex / DropTrigger: forget a schema object.
  virtual void drop_schema_object(int db, int kind, std::string_view name) = 0;
  // A schema change was made: cached statements must re-prepare.
  virtual void schema_changed(int db) = 0;
  virtual func::FunctionHost& function_host() = 0;
  virtual void set_last_insert_rowid(int64_t rowid) = 0;
  virtual void add_changes(int64_t n) = 0;
  // A change made by a trigger: counted by total_changes() only.
  virtual void add_nested_changes(int64_t n) { (void)n; }
  // Rows changed by a sub-program (a foreign key action): they count in
  // total_changes() but not in the statement's changes().
  virtual void add_subprogram_changes(int64_t n) { (void)n; }
  virtual bool interrupted() const = 0;
  // Runs a PRAGMA or another engine-level command (OP_Pragma: P4 points at
  // the command); fills `rows` with result rows of `n_columns` values each.
  virtual Status run_command(const void* command, std::vector<Value>& rows) = 0;
  // SQLITE_LIMIT_LENGTH.
  virtual int64_t max_length() const = 0;
  // OP_VCreate / OP_VDestroy: xCreate (CREATE VIRTUAL TABLE, after its
  // schema row is parsed) and xDestroy (DROP TABLE) of virtual table `name`
  // of database `db`.
  virtual Status vtab_create(int db, std::string_view name) {
    (void)db;
    return Status(rc::kError, "no such module for table " + std::string(name));
  }
  virtual Status vtab_destroy(int db, std::string_view name) {
    (void)db;
    return Status(rc::kError, "no such module for table " + std::string(name));
  }
  // OP_VBegin: the statement is about to write virtual table `table`. The
  // engine calls its begin() once per transaction and later sync()+commit()
  // or rollback(); this default just calls begin().
  virtual Status vtab_begin(const std::shared_ptr<ext::VirtualTable>& table);
  // PRAGMA threads: auxiliary threads a statement may use
  // (vm/topn_prescan.h).
  virtual int worker_threads() const { return 0; }
  // Temporary storage for ephemeral tables and sorters.
  virtual os::Vfs& temp_vfs() = 0;

  // Row changes (ext::ChangeObserver): observing_changes() is asked once per
  // Insert/Delete whose P4 names its table (a ChangeTarget); when true the VM
  // builds the images and calls row_changed(). kind: 1 insert, 0 update,
  // -1 delete (ext::ChangeKind).
  virtual bool observing_changes() const { return false; }
  // OP_IdxMethodFilter: the candidate rowids of an index-method index for
  // `args` (keel/ext/index_method.hpp); limit -1 = none.
  virtual Result<std::unique_ptr<ext::IndexCursor>> index_method_query(const IndexMethodScan& scan,
                                                                       std::span<const Value> args,
                                                                       int64_t limit) {
    (void)args, (void)limit;
    return Status(rc::kError, "no index method available for index " + scan.index);
  }
  virtual Status row_changed(const ChangeTarget& target, int kind, int64_t rowid, int64_t old_rowid,
                             std::span<const uint8_t> before, std::span<const uint8_t> after) {
    (void)target, (void)kind, (void)rowid, (void)old_rowid, (void)before, (void)after;
    return Status::Ok();
  }

  // Foreign keys (OP_FkCounter / OP_FkIfZero): the connection's counters of
  // outstanding deferred violations — SQLite's nDeferredCons (`immediate`
  // false: DEFERRABLE INITIALLY DEFERRED constraints) and nDeferredImmCons
  // (`immediate` true: immediate constraints deferred by PRAGMA
  // defer_foreign_keys) — which COMMIT checks. A host without them (the
  // defaults) enforces immediate constraints only.
  virtual bool defer_foreign_keys() const { return false; }
  virtual void fk_deferred_add(int64_t n, bool immediate) { (void)n, (void)immediate; }
  virtual int64_t fk_deferred(bool immediate) const {
    (void)immediate;
    return 0;
  }
  // A failed statement is undone: the counters go back to what they were
  // when it started.
  virtual void fk_deferred_restore(int64_t deferred, int64_t immediate) { (void)deferred, (void)immediate; }
};

class Vm {
 public:
  Vm(const Program& program, VmHost& host);
  ~Vm();
  Vm(const Vm&) = delete;
  Vm& operator=(const Vm&) = delete;

  // Parameters are numbered from 1 (sqlite3_bind_*); kRange when out of range.
  Status bind(int index, const Value& v);
  void clear_bindings();
  int parameter_count() const { return static_cast<int>(params_.size()); }
  const Value& parameter(int index) const { return params_[index - 1]; }

  // Runs to the next row (rc::kRow), to the end (rc::kDone), or to an error.
  // After an error or kDone the next step() restarts implicitly only after
  // reset(), as sqlite3_step in its v2 behaviour.
  Result<int> step();
  // Current result row (valid after step() returned kRow until the next step/reset).
  std::span<const Value> row() const { return {row_, static_cast<size_t>(row_size_)}; }
  // Stops the run, closes cursors, ends the statement's transaction part.
  // Returns the status of the last run (the error that stopped it, if any).
  Status reset();
  bool running() const { return pc_ >= 0 && started_; }
  bool done() const { return finished_; }

  const Program& program() const { return program_; }
  VmHost& host() { return host_; }
  // Rows changed by this run (sqlite3_changes after the statement).
  int64_t changes() const { return n_change_; }

  // Counters for sqlite3_stmt_status.
  int64_t steps_fullscan() const { return n_fullscan_; }
  int64_t steps_sort() const { return n_sort_; }
  int64_t vm_steps() const { return n_vm_step_; }

 private:
  friend class VmCursor;
  // The before image of a row about to be deleted or overwritten, read
  // from cursor `c` into before_ (reused, so no allocation once warm).
  Status read_before_image(VmCursor& c);
  Status exec();  // the interpreter loop (interpreter.cpp)
  // Cursor, storage and schema opcodes (interpreter_cursor.cpp). Sets
  // jumped_ after changing pc_.
  Status exec_cursor_op(const Instr& op);
  // Virtual-table opcodes (interpreter_vtab.cpp).
  Status exec_vtab_op(const Instr& op);
  // Index-method scan opcodes (interpreter_index_method.cpp).
  Status exec_index_method_op(const Instr& op);
  void jump(int addr) {
    pc_ = addr;
    jumped_ = true;
  }
  Status seek(const Instr& op, VmCursor& c);
  Status seek_index_probe(const Instr& op, VmCursor& c, bool* found);
  Status halt(const Instr& op);
  Status open_cursor(const Instr& op, bool write);
  Status call_function(const Instr& op);
  Status agg_step(const Instr& op);
  Status agg_final(const Instr& op, bool value_only);
  // OP_Window* (window_vm.cpp).
  Status exec_window_op(const Instr& op);
  void close_cursors();
  void finalize_aggregates();
  Status fail(Status s);
  // OP_Program / OP_Param (a foreign key action's sub-program).
  Status run_subprogram(const Instr& op);
  Status load_param(const Instr& op);
  Vm* top() { return parent_ ? parent_->top() : this; }
  void count_changes(int64_t n) {
    n_change_ += n;
    if (parent_) {
      host_.add_subprogram_changes(n);
    } else {
      host_.add_changes(n);
    }
  }

  const Program& program_;
  VmHost& host_;
  std::vector<Value> regs_;
  std::vector<Value> params_;
  std::vector<std::unique_ptr<VmCursor>> cursors_;
  // Window partitions by cursor number (OP_Window*), created on first use.
  std::vector<std::unique_ptr<WindowPartition>> windows_;
  // Index-method scans, by cursor number (OP_IdxMethodFilter).
  std::vector<std::unique_ptr<ext::IndexCursor>> index_method_cursors_;
  std::vector<uint8_t> once_;  // OP_Once flags, by instruction address
  // Aggregate state per accumulator register (see func/function.h).
  std::vector<std::vector<uint8_t>> agg_state_;
  std::vector<const func::FunctionDef*> agg_def_;
  bool agg_active_ = false;                                        // some agg_def_ entry may be set
  std::vector<std::vector<func::FunctionContext::AuxEntry>> aux_;  // by instruction address
  std::vector<uint8_t> record_buf_;
  std::vector<Value> key_fields_;  // IdxInsert: the new key, unpacked once per insert
  const Value* row_ = nullptr;
  int row_size_ = 0;
  int pc_ = 0;
  const Collation* coll_seq_ = nullptr;  // set by OP_CollSeq for the next call
  int compare_result_ = 0;               // OP_Compare's outcome, read by OP_Jump / ElseEq
  bool jumped_ = false;
  // OP_Pragma: rows of the command being returned, and the next one.
  std::vector<Value> command_rows_;
  size_t command_next_ = 0;
  bool command_ran_ = false;
  bool started_ = false;
  bool finished_ = false;
  bool in_statement_ = false;
  OnError statement_on_error_ = OnError::kAbort;
  Status last_status_;
  int64_t n_change_ = 0;
  // Change reporting (Insert/Delete with a ChangeTarget): the before image,
  // and for an UPDATE that moved the row (Delete then Insert) the rowid it
  // had.
  std::vector<uint8_t> before_;
  bool before_stashed_ = false;
  int64_t before_rowid_ = 0;
  int64_t n_fullscan_ = 0;
  int64_t n_sort_ = 0;
  int64_t n_vm_step_ = 0;
  // Sub-programs (OP_Program): the Vm running this one as a sub-program and
  // the instruction that called it (nullptr at top level), the nesting
  // depth, and one reusable child Vm per calling instruction.
  Vm* parent_ = nullptr;
  const Instr* caller_ = nullptr;
  int depth_ = 0;
  std::vector<std::pair<int, std::unique_ptr<Vm>>> subs_;
  // Immediate foreign key violations of this statement (SQLite's
  // nFkConstraint; kept by the top-level Vm), and the deferred counters as
  // the statement found them.
  int64_t fk_immediate_ = 0;
  int64_t fk_saved_deferred_ = 0;
  int64_t fk_saved_immediate_ = 0;
};

}  // namespace keel::vm
