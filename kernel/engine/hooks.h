// Connection hooks: callbacks an embedding API installs on a Connection
// (sqlite3_commit_hook, sqlite3_rollback_hook, sqlite3_progress_handler).
//
// The engine calls them at these points, with the connection's own thread:
//  * commit   — just before a transaction that wrote to some database is
//               committed; returning true turns the commit into a rollback
//               and the statement fails with SQLITE_CONSTRAINT_COMMITHOOK.
//  * rollback — after a transaction is rolled back (ROLLBACK, a failing
//               statement in autocommit mode, a refused commit, or closing
//               the connection in a transaction), when some database had
//               written or an explicit transaction was open.
//  * update   — after a row of a rowid table is inserted, updated or
//               deleted (SQLITE_INSERT / SQLITE_UPDATE / SQLITE_DELETE, the
//               database and table names, the rowid), as sqlite3_update_hook:
//               not for sqlite_schema, sqlite_sequence, WITHOUT ROWID tables
//               or rows deleted by REPLACE conflict resolution.
//  * progress — while a statement runs, about every `progress_ops` VM steps
//               (rounded up to the VM's interrupt-check period of 1024
//               steps); returning true interrupts the statement
//               (SQLITE_INTERRUPT).
// A hook must not use the connection it is installed on (as in SQLite).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace keel::engine {

struct ConnectionHooks {
  std::function<bool()> commit;
  std::function<void()> rollback;
  std::function<bool()> progress;
  std::function<void(int op, std::string_view db, std::string_view table, int64_t rowid)> update;
  // sqlite3_set_authorizer: asked while statements compile (plan/authorize.h);
  // changing it bumps the generation, which makes statements recompile.
  std::function<int(int, const char*, const char*, const char*, const char*)> authorizer;
  uint64_t authorizer_generation = 0;
  int64_t progress_ops = 0;
  // VM steps accounted since the progress hook last ran.
  int64_t progress_pending = 0;
};

// The VM asks the connection whether to stop once every this many steps.
inline constexpr int64_t kInterruptCheckPeriod = 1024;

}  // namespace keel::engine
