// SQL functions written by a module: scalar, aggregate and window functions.
//
// A module subclasses ScalarFunction or AggregateFunction and hands a
// shared_ptr to Registrar::add_function()/add_aggregate(); the kernel calls it
// from the VM's Function/AggStep/AggFinal/AggValue/AggInverse opcodes with the
// argument registers viewed in place (no copies, no allocation per call) and a
// Context through which it sets the result.
//
// Argument views (ValueView) are valid only during the call. text() and
// blob() of a number convert it in place, as sqlite3_value_text does, so the
// view of a number may change type afterwards; read type() first.
//
// Results: one of the result_* calls; none leaves the result NULL. For large
// results result_blob_buffer(n) returns n writable bytes that become the
// result, so a function building a vector writes it once, in place.
// error() fails the statement with that code and message.
//
// Aggregates: aggregate_state(n) returns n zeroed bytes for the current group
// (or window partition), the same bytes on every call for that group; final()
// is called exactly once for each group whose state was created (also when a
// statement is reset early), so C++ state constructed in place on the first
// step may be destroyed in final().
//
// Thread-safety: a function object is shared by every connection that loaded
// the module and may be called from several threads at once: call() must not
// mutate the object (keep per-call state on the stack, per-group state in
// aggregate_state()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "keel/export.hpp"
#include "keel/ext/session.hpp"
#include "keel/result_code.hpp"
#include "keel/value.hpp"

namespace keel::ext {

// A read view of one SQL value (an argument register).
class KEEL_API ValueView {
 public:
  explicit ValueView(void* value) : v_(value) {}
  Type type() const;
  bool is_null() const { return type() == Type::kNull; }
  // SQLite's conversions (sqlite3_value_int64 / _double).
  int64_t as_int64() const;
  double as_double() const;
  // Bytes of a TEXT or BLOB value; a number is first rendered as text.
  // NULL gives an empty view.
  std::string_view text() const;
  std::span<const uint8_t> blob() const;
  // sqlite3_value_subtype.
  uint32_t subtype() const;
  // An owned copy, for keeping a value beyond the call.
  Value to_value() const;

 private:
  void* v_;
};

// The arguments of one call, indexable without allocation.
class Args {
 public:
  Args(void* base, size_t count, size_t stride)
      : base_(static_cast<char*>(base)), n_(count), stride_(stride) {}
  size_t size() const { return n_; }
  ValueView operator[](size_t i) const { return ValueView(base_ + i * stride_); }

 private:
  char* base_;
  size_t n_;
  size_t stride_;
};

// The call's result and per-call services.
class KEEL_API Context {
 public:
  explicit Context(void* call) : c_(call) {}

  void result_null();
  void result_int64(int64_t v);
  void result_double(double v);  // a NaN becomes NULL, as in SQLite
  void result_text(std::string_view s);
  void result_blob(std::span<const uint8_t> b);
  void result_value(const ValueView& v);
  // n writable bytes that become a BLOB result (nullptr and an error set if
  // n exceeds the connection's length limit).
  uint8_t* result_blob_buffer(size_t n);
  char* result_text_buffer(size_t n);
  void result_subtype(uint32_t subtype);
  // Fails the statement: error("vector dimensions differ") → SQLITE_ERROR.
  void error(std::string_view message, int code = rc::kError);
  bool has_error() const;
  // The connection the call runs on, for a function that reads the schema
  // or runs SQL (nested statements, see session.hpp). Valid during the call.
  Session session() const;

  // Aggregates and window functions: the current group's state (see above).
  void* aggregate_state(size_t n);
  // sqlite3_get_auxdata / set_auxdata: per-argument data kept while that
  // argument is a constant (e.g. a parsed query vector).
  void* get_aux(int arg) const;
  void set_aux(int arg, void* data, void (*destroy)(void*));

 private:
  void* c_;
};

enum FunctionFlag : uint32_t {
  kDeterministic = 1u << 0,  // same arguments, same result (SQLITE_DETERMINISTIC)
  kDirectOnly = 1u << 1,     // not usable in schema objects or triggers (SQLITE_DIRECTONLY)
  kInnocuous = 1u << 2,      // SQLITE_INNOCUOUS
  // call() may run for different rows of one statement on several threads
  // at once (a scan split across PRAGMA threads), each call with its own
  // Context: the function reads only its arguments and state that does not
  // change while statements run, and uses no Session.
  kParallelSafe = 1u << 3,
};

class KEEL_API ScalarFunction {
 public:
  virtual ~ScalarFunction();
  // Lower-case SQL name.
  virtual std::string_view name() const = 0;
  // Number of arguments, or -1 for any number.
  virtual int arity() const = 0;
  virtual uint32_t flags() const { return kDeterministic; }
  virtual void call(Context& ctx, Args args) const = 0;
};

class KEEL_API AggregateFunction {
 public:
  virtual ~AggregateFunction();
  virtual std::string_view name() const = 0;
  virtual int arity() const = 0;
  virtual uint32_t flags() const { return kDeterministic; }
  virtual void step(Context& ctx, Args args) const = 0;
  // The group's result; releases the group's state.
  virtual void final(Context& ctx) const = 0;
  // Window functions also implement these two and return true here.
  virtual bool is_window() const { return false; }
  // The current value without finishing the group.
  virtual void value(Context& ctx) const { (void)ctx; }
  // A row leaves the window frame.
  virtual void inverse(Context& ctx, Args args) const {
    (void)ctx;
    (void)args;
  }
};

}  // namespace keel::ext
