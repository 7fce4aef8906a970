// SQL functions: the one interface every function is called through.
//
// Built-in functions (this layer), functions registered through the C API
// (sqlite3_create_function_v2 / create_window_function) and functions that
// modules register through the SDK all become a FunctionDef here; the VM's
// Function / AggStep / AggValue / AggInverse / AggFinal opcodes call them
// with a FunctionContext, exactly as SQLite calls xFunc/xStep/xValue/
// xInverse/xFinal with an sqlite3_context.
//
// Aggregate state: aggregate_context(n) returns n zeroed bytes that live from
// the first step of a group until final() returns; final() is called exactly
// once for every group whose state was created, also when a statement is reset
// or finalized early (as SQLite does), so C++ state built with placement new on
// the first step may be destroyed in final().
//
// Thread-safety: FunctionDefs are immutable once registered and shared by the
// connections of one Database; a FunctionContext is used by one call only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.hpp"
#include "vm/collation.h"
#include "vm/value.h"

namespace keel::func {

// Connection-level services a function may need. Implemented by the engine.
class FunctionHost {
 public:
  virtual ~FunctionHost() = default;
  virtual int64_t last_insert_rowid() const = 0;
  virtual int64_t changes() const = 0;
  virtual int64_t total_changes() const = 0;
  // The current time for this statement step in Julian-day milliseconds:
  // constant within one sqlite3_step, as SQLite's sqlite3StmtCurrentTime.
  virtual int64_t statement_time_ms() = 0;
  virtual void randomness(void* buf, size_t n) = 0;
  // SQLITE_LIMIT_LENGTH: the largest string or blob a function may return.
  virtual int64_t max_length() const = 0;
  virtual bool case_sensitive_like() const = 0;
  // sqlite3_log: hands (code, message) to the error-log callback if one is
  // configured (the SQL function sqlite_log(CODE, MSG) calls it). By default
  // there is none and the message is dropped, as in SQLite.
  virtual void log(int code, std::string_view message) {
    (void)code;
    (void)message;
  }
  // The connection behind this host, as the opaque handle a module's
  // ext::Session wraps (nullptr where there is none, e.g. in unit tests).
  virtual void* connection_handle() { return nullptr; }
};

struct FunctionDef;

class FunctionContext {
 public:
  FunctionContext(const FunctionDef* def, FunctionHost* host) : def_(def), host_(host) {}

  // The result register. Leave it NULL for a NULL result.
  vm::Value& result() { return *result_; }
  void set_result_slot(vm::Value* v) { result_ = v; }

  // sqlite3_result_error / _error_code / _error_toobig / _error_nomem.
  void set_error(std::string message, int code = rc::kError) {
    error_code_ = code;
    error_ = std::move(message);
  }
  void set_error_toobig() { set_error("string or blob too big", rc::kTooBig); }
  void set_error_nomem() { set_error("out of memory", rc::kNoMem); }
  bool has_error() const { return error_code_ != rc::kOk; }
  int error_code() const { return error_code_; }
  const std::string& error_message() const { return error_; }

  const FunctionDef& def() const { return *def_; }
  void* user_data() const;
  FunctionHost& host() const { return *host_; }

  // The collating sequence of the call (for functions flagged kNeedCollation:
  // the collation of the first argument with one, as SQLite's min/max).
  const vm::Collation* collation() const { return collation_; }
  void set_collation(const vm::Collation* c) { collation_ = c; }

  // sqlite3_aggregate_context: see the header comment. Returns nullptr only
  // when n == 0 and no state exists yet.
  void* aggregate_context(size_t n);
  // The slot aggregate_context uses; the VM points it at per-group storage.
  void set_aggregate_slot(std::vector<uint8_t>* slot) { agg_slot_ = slot; }
  bool has_aggregate_state() const { return agg_slot_ && !agg_slot_->empty(); }

  // sqlite3_get_auxdata / set_auxdata: per-argument cached data (a compiled
  // pattern) kept across rows while that argument is a constant.
  void* get_aux(int arg) const;
  void set_aux(int arg, void* data, void (*destroy)(void*));
  struct AuxEntry {
    int arg;
    void* data;
    void (*destroy)(void*);
  };
  void set_aux_store(std::vector<AuxEntry>* store) { aux_ = store; }

  // Set by the VM for window functions being evaluated through xValue.
  bool is_window_value() const { return window_value_; }
  void set_window_value(bool v) { window_value_ = v; }

  // Where a call runs when the VM evaluates it as OP_PureFunc: in a CHECK
  // constraint, a generated column or an index expression. There a function
  // must not use anything non-deterministic ('now', 'localtime', 'utc').
  enum class PureContext : uint8_t { kNone, kCheck, kGeneratedColumn, kIndex };
  void set_pure_context(PureContext c) { pure_context_ = c; }
  PureContext pure_context() const { return pure_context_; }
  // sqlite3NotPureFunc: true if a non-deterministic input may be used here;
  // otherwise fails the call with "non-deterministic use of NAME() in a CHECK
  // constraint" (or "a generated column", "an index") and returns false.
  bool allow_non_deterministic();

  // sqlite3SkipAccumulatorLoad: min()/max() call this from step() when the
  // row did not become the new best, so the VM leaves the "bare column"
  // registers of SELECT max(x), y as they were (y comes from the max row).
  // The VM clears the flag before each step and reads it after.
  void skip_accumulator_load() { skip_load_ = true; }
  bool skip_load() const { return skip_load_; }
  void set_skip_load(bool v) { skip_load_ = v; }

 private:
  const FunctionDef* def_;
  FunctionHost* host_;
  vm::Value* result_ = nullptr;
  const vm::Collation* collation_ = nullptr;
  std::vector<uint8_t>* agg_slot_ = nullptr;
  std::vector<AuxEntry>* aux_ = nullptr;
  std::string error_;
  int error_code_ = rc::kOk;
  bool window_value_ = false;
  bool skip_load_ = false;
  PureContext pure_context_ = PureContext::kNone;
};

using ScalarFn = void (*)(FunctionContext& ctx, std::span<vm::Value> args);
using StepFn = void (*)(FunctionContext& ctx, std::span<vm::Value> args);
using FinalFn = void (*)(FunctionContext& ctx);

// FunctionDef::flags
enum FunctionFlags : uint32_t {
  kDeterministic = 1u << 0,  // SQLITE_DETERMINISTIC
  kDirectOnly = 1u << 1,     // SQLITE_DIRECTONLY
  kInnocuous = 1u << 2,      // SQLITE_INNOCUOUS
  kSubtype = 1u << 3,        // SQLITE_SUBTYPE
  kNeedCollation = 1u << 4,  // takes the collation of its arguments (min, max)
  kLike = 1u << 5,           // like/glob: candidate for the LIKE optimization
  kCaseSensitiveLike = 1u << 6,
  kMinMax = 1u << 7,       // min()/max() aggregate: the min/max optimization applies
  kCount = 1u << 8,        // count(): the count optimization applies
  kWindowOnly = 1u << 9,   // row_number(), rank(), ...: only valid with OVER
  kInternal = 1u << 10,    // not callable from SQL (used by the code generator)
  kSlowChange = 1u << 11,  // non-deterministic but constant within a statement (date('now'))
  kConstant = 1u << 12,    // sqlite_version(): constant-foldable
  // The function only views its arguments during the call and keeps
  // nothing that points into them (its result is always its own copy): an
  // argument read from a table row may stay borrowed from the page
  // (vm::kOpflagColumnByRef). Module functions (the SDK's ValueView
  // contract) and count().
  kArgsByView = 1u << 13,
  // The function may be called for different rows of one statement from
  // several threads at once, each call with its own context and aux data
  // (vm/topn_prescan.h): it reads only its arguments and state that does
  // not change while statements run, and uses nothing of the host but
  // max_length(). Module functions declare it with ext::kParallelSafe.
  kParallelSafe = 1u << 14,
};

struct FunctionDef {
  std::string name;  // lower case
  int n_arg = -1;    // -1 = any number
  uint32_t flags = 0;
  ScalarFn scalar = nullptr;  // scalar functions
  StepFn step = nullptr;      // aggregates and window functions
  FinalFn final = nullptr;
  FinalFn value = nullptr;   // window functions: current value without finishing
  StepFn inverse = nullptr;  // window functions: remove a row from the frame
  // Owned user data (sqlite3_create_function_v2's pApp + xDestroy).
  std::shared_ptr<void> user_data;

  bool is_aggregate() const { return step != nullptr; }
  bool is_window() const { return value != nullptr && inverse != nullptr; }
};

inline void* FunctionContext::user_data() const { return def_->user_data.get(); }

// Name → overloads by argument count. Lookups follow SQLite's rule: an exact
// argument count beats n_arg = -1.
class FunctionRegistry {
 public:
  // Replaces an existing definition with the same name and n_arg.
  void add(FunctionDef def);
  // nullptr if no function of that name accepts n_args arguments.
  const FunctionDef* find(std::string_view name, int n_args) const;
  // True if any overload of that name exists (for "wrong number of arguments"
  // vs "no such function" errors).
  bool has_name(std::string_view name) const;
  // Every definition, for PRAGMA function_list.
  std::vector<const FunctionDef*> all() const;
  // Removes the definitions with that name and argument count (n_arg as given).
  bool remove(std::string_view name, int n_arg);

 private:
  std::vector<std::unique_ptr<FunctionDef>> defs_;
};

// Registers every built-in SQL function of SQLite 3.40 (core scalar, string,
// LIKE/GLOB, aggregate, window, math, date/time, JSON) into r.
void register_builtin_functions(FunctionRegistry& r);

}  // namespace keel::func
