// keel::Connection: one connection to a database, used by one thread at a
// time (SQLite's multi-thread mode). Obtain it from Database::connect().
//
// Statements prepared from a Connection must be destroyed before it; a
// Connection may be moved (statements keep working: the state lives behind a
// pointer that does not move).
//
// Errors are Status values with SQLite's result codes and messages
// (rc::kConstraint "UNIQUE constraint failed: t.a", rc::kBusy, ...).
//
// Thread-safety: not thread-safe, except interrupt(), which any thread may
// call to stop the statement running on this connection.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "keel/export.hpp"
#include "keel/function.hpp"
#include "keel/statement.hpp"
#include "keel/status.hpp"

namespace keel {

class KEEL_API Connection {
 public:
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  // Runs every statement of `sql`, discarding result rows.
  Status exec(std::string_view sql);
  // Compiles the first statement of `sql`. An empty statement (only white
  // space or comments) is an error (rc::kMisuse "empty statement").
  Result<Statement> prepare(std::string_view sql);

  int64_t last_insert_rowid() const;
  // Rows changed by the last INSERT/UPDATE/DELETE, and since opening.
  int64_t changes() const;
  int64_t total_changes() const;
  // True outside BEGIN ... COMMIT.
  bool autocommit() const;
  // Stops the running statement with rc::kInterrupt; callable from any thread.
  void interrupt();
  void set_busy_timeout(int ms);

  // Functions and collations of this connection only (see function.hpp).
  Status create_function(std::string_view name, int n_arg, ScalarFunction fn, FunctionOptions options = {});
  Status create_aggregate(std::string_view name, int n_arg, AggregateFactory factory);
  Status create_collation(std::string_view name, CollationFunction compare);

 private:
  friend class Database;
  friend class Statement;
  struct Impl;
  explicit Connection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel
