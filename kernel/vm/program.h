// Program: the compiled form of one SQL statement, as the VM runs it.
//
// A Program is a vector of register-machine instructions in SQLite's VDBE
// shape (opcode, P1, P2, P3, P4, P5; see opcodes.h) plus everything those
// instructions point at: strings, key infos, function definitions, nested
// programs for triggers. The Program owns all of it, so P4 pointers stay valid
// for the Program's lifetime and a running VM never allocates to interpret an
// operand. A Program is immutable after code generation and may be run by one
// VM at a time (a Statement owns one Program and one VM).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vm/affinity.h"
#include "vm/opcodes.h"
#include "vm/record_compare.h"
#include "vm/value.h"

namespace keel::func {
struct FunctionDef;
}

namespace keel::vm {

class Program;

// What P4 holds.
enum class P4Type : uint8_t {
  kNone,
  kInt32,      // p4.i
  kInt64,      // p4.i64
  kReal,       // p4.real
  kString,     // p4.str / p4n: text owned by the Program (may contain NULs)
  kBlob,       // p4.str / p4n: bytes owned by the Program
  kKeyInfo,    // p4.key_info
  kFunction,   // p4.func
  kCollation,  // p4.coll
  kIntArray,   // p4.ints: int32 array owned by the Program, first element = count
  kProgram,    // p4.program: a sub-program (trigger body)
  kAffinity,   // p4.str: one affinity letter per column ('A'..'E' as SQLite)
  kPointer,    // p4.ptr: an engine object (schema table etc.) outliving the Program
  kValue,      // p4.value: a constant owned by the Program (Column's default)
};

union P4 {
  int32_t i;
  int64_t i64;
  double real;
  const char* str;
  const KeyInfo* key_info;
  const func::FunctionDef* func;
  const Collation* coll;
  const int32_t* ints;
  const Program* program;
  const void* ptr;
  const Value* value;
};

struct Instr {
  Op op = Op::Noop;
  P4Type p4type = P4Type::kNone;
  uint16_t p5 = 0;
  int32_t p1 = 0;
  int32_t p2 = 0;
  int32_t p3 = 0;
  uint32_t p4n = 0;  // byte length for kString / kBlob
  P4 p4{};
};

// P4 of Insert/Delete on a rowid table whose changes are reported to
// change observers (VmHost::row_changed).
struct ChangeTarget {
  int db = 0;
  std::string table;
  // A Delete of REPLACE conflict resolution (sqlite3_update_hook skips it).
  bool conflict_delete = false;
  // The table has index-method indexes: the change is reported even when
  // no observer is installed, so that the indexes are maintained.
  bool index_methods = false;
};

// P4 of OP_IdxMethodFilter: which index-method index to query, with which
// of its shapes (keel/ext/index_method.hpp).
struct IndexMethodScan {
  int db = 0;
  std::string index;
  int shape = 0;
  int n_args = 0;
  int limit_reg = 0;  // register holding the LIMIT (+OFFSET) for an ORDER BY shape, or 0
};

// P4 of OP_TypeCheck: a STRICT table's name and its columns' types.
struct TypeCheckInfo {
  std::string table;
  std::vector<std::pair<StrictType, std::string>> columns;
};

// The column metadata of a result set (sqlite3_column_name, _decltype,
// _database_name, _table_name, _origin_name).
struct ResultColumnInfo {
  std::string name;
  std::string decltype_;  // empty = NULL
  std::string database;
  std::string table;
  std::string origin;
};

class Program {
 public:
  std::vector<Instr> ops;
  int n_registers = 0;  // registers 1..n_registers are used (0 is unused, as SQLite)
  int n_cursors = 0;
  int n_once = 0;  // OP_Once flags
  std::vector<ResultColumnInfo> columns;
  bool read_only = true;
  // A writing statement opens a statement savepoint inside an explicit
  // transaction so a failure undoes its partial changes. False when the
  // code can only fail before its first change (SQLite's usesStmtJournal).
  bool statement_journal = true;
  // INSERT/UPDATE/DELETE: the run's change count becomes sqlite3_changes().
  bool counts_changes = false;
  // Compiled while a change observer was active (CompileOptions::
  // observe_changes): the engine recompiles when that no longer matches.
  bool observe_changes = false;
  // Compiled under PRAGMA foreign_keys (bit 0) and defer_foreign_keys
  // (bit 1): the engine recompiles when the connection's settings differ,
  // as SQLite expires statements when they change.
  uint8_t foreign_keys = 0;
  // A PRAGMA or another engine command (OP_Pragma), not a row-changing
  // statement.
  bool engine_command = false;
  bool is_explain = false;
  bool is_explain_query_plan = false;
  std::vector<std::string> comments;  // per-instruction comment (EXPLAIN), empty when none

  // EXPLAIN QUERY PLAN rows: (id, parent, detail).
  struct PlanRow {
    int id;
    int parent;
    std::string detail;
  };
  std::vector<PlanRow> query_plan;

  // --- ownership of P4 payloads ---
  const char* own_string(std::string_view s);
  const KeyInfo* own_key_info(std::unique_ptr<KeyInfo> ki);
  const int32_t* own_ints(std::vector<int32_t> v);  // stored with the count first
  const Program* own_program(std::unique_ptr<Program> p);
  const Value* own_value(const Value& v);
  // Any other payload (e.g. the engine command of OP_Pragma), kept alive
  // with the Program.
  const void* own_object(std::shared_ptr<const void> obj) {
    objects_.push_back(std::move(obj));
    return objects_.back().get();
  }

  // Text form of P4 for EXPLAIN, as SQLite renders it.
  std::string p4_text(const Instr& in) const;

 private:
  std::deque<std::string> strings_;
  std::vector<std::unique_ptr<KeyInfo>> key_infos_;
  std::vector<std::vector<int32_t>> int_arrays_;
  std::vector<std::unique_ptr<Program>> programs_;
  std::deque<Value> values_;
  std::vector<std::shared_ptr<const void>> objects_;
};

}  // namespace keel::vm
