// keel::Transaction: an RAII transaction guard.
//
//   auto txn = keel::Transaction::begin(conn);
//   if (!txn.ok()) return txn.status();
//   ... conn.exec(...) ...
//   return txn->commit();   // without commit(), the destructor rolls back
//
// Outside a transaction it runs BEGIN [DEFERRED|IMMEDIATE|EXCLUSIVE] and
// COMMIT/ROLLBACK; inside one (nested guards) it uses a SAVEPOINT that
// commit() releases and rollback() undoes, so guards nest naturally.
//
// Thread-safety: as its Connection. The guard must not outlive it.
#pragma once

#include <string>

#include "keel/connection.hpp"
#include "keel/export.hpp"
#include "keel/status.hpp"

namespace keel {

enum class TransactionMode { kDeferred, kImmediate, kExclusive };

class KEEL_API Transaction {
 public:
  static Result<Transaction> begin(Connection& conn, TransactionMode mode = TransactionMode::kDeferred);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();

  Status commit();
  Status rollback();
  // False once committed or rolled back.
  bool active() const { return conn_ != nullptr; }

 private:
  Transaction(Connection* conn, std::string savepoint) : conn_(conn), savepoint_(std::move(savepoint)) {}
  Connection* conn_;
  std::string savepoint_;  // empty: a top-level BEGIN
};

}  // namespace keel
