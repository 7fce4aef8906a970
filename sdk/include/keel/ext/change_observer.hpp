// ChangeObserver: sees every row change a connection makes, with before and
// after images, inside the statement and transaction that makes it, plus
// statement and transaction boundaries. CDC and incremental views build on
// it; sqlite3_update_hook is one too.
//
// Which changes: every INSERT, UPDATE and DELETE of a rowid table's row by a
// statement of the application or by a trigger or foreign-key action it
// fires, including rows deleted by REPLACE conflict resolution and by
// DELETE without WHERE (no truncate shortcut while an observer is
// installed), and DDL as row changes of the table "sqlite_schema"
// ("sqlite_temp_master" for temp objects; an ALTER TABLE that rewrites a
// definition is an update). Not reported: changes made by a module's nested
// statements (Session), changes of WITHOUT ROWID tables, of
// sqlite_sequence, and of tables whose name observes() rejects.
//
// Images: `before` and `after` are SQLite record blobs (the table's record
// format: one field per stored column, NULL in an INTEGER PRIMARY KEY
// column's slot, whose value is the rowid). They are valid only during the
// call.
//
// Calls, on the connection's thread, in this order per transaction:
//   on_change* on_statement_end  ...repeated per statement
//   before_commit, then after_commit — or after_rollback.
// A statement that fails is followed by on_statement_end(false); its changes
// have already been undone. before_savepoint(depth) precedes a SAVEPOINT
// and rollback_to_savepoint(depth) follows a ROLLBACK TO (depth = 1 for the
// outermost savepoint). before_statement() precedes every statement of the
// application while the observer is active, so an observer that keeps
// changes in memory across statements can write them out before a
// statement that reads (or writes) its tables, and before a savepoint that
// a ROLLBACK TO could return to. An observer may write its own
// tables through the Session (nested statements, undone with the
// statement); an error Status fails the statement (or the commit) with that
// error.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "keel/status.hpp"

namespace keel::ext {

class Session;

// The statement about to run (before_statement).
class StatementInfo {
 public:
  virtual ~StatementInfo() = default;
  // Whether the statement opens table `table` of `database` ("main",
  // "temp", an attached name) for reading or writing, directly or through a
  // view or trigger. Costs a walk over the statement's program: ask only
  // when the answer matters.
  virtual bool touches(std::string_view database, std::string_view table) const = 0;
  virtual bool read_only() const = 0;
};

enum class ChangeKind : int { kInsert = 1, kUpdate = 0, kDelete = -1 };

struct RowChange {
  std::string_view database;  // "main", "temp" or an attached schema
  std::string_view table;
  ChangeKind kind;
  int64_t rowid;                    // the row's rowid after the change (before it for kDelete)
  int64_t old_rowid;                // kUpdate: the rowid before (differs if the UPDATE changed it)
  std::span<const uint8_t> before;  // kUpdate, kDelete (empty if !wants_images())
  std::span<const uint8_t> after;   // kInsert, kUpdate (empty if !wants_images())
};

class ChangeObserver {
 public:
  virtual ~ChangeObserver() = default;
  // Whether changes of this table are wanted at all (asked per change).
  virtual bool observes(std::string_view database, std::string_view table) const {
    (void)database;
    (void)table;
    return true;
  }
  // False if only ids are needed (saves building the before image).
  virtual bool wants_images() const { return true; }
  virtual Status on_change(Session& session, const RowChange& change) = 0;
  virtual Status on_statement_end(Session& session, bool ok) {
    (void)session;
    (void)ok;
    return Status::Ok();
  }
  // The transaction is about to commit; changes made here commit with it.
  virtual Status before_commit(Session& session) {
    (void)session;
    return Status::Ok();
  }
  virtual void after_commit() {}
  virtual void after_rollback() {}
  virtual void rollback_to_savepoint(int depth) { (void)depth; }

  // Cost control. An inactive observer gets no calls about changes (nor
  // on_statement_end while no observer is active) and costs nothing per
  // row (no images, no statement savepoints, truncate shortcut allowed).
  // active() is asked after on_write_transaction(), after any module pragma
  // ran and when the observer is installed; its answer holds until then.
  virtual bool active() const { return true; }
  // A statement that may write starts while no write transaction is open
  // (the start of what becomes a write transaction): the moment to read a
  // setting that decides active(). SQL run from here is nested: it joins
  // the transaction the coming statement runs in.
  virtual Status on_write_transaction(Session& session) {
    (void)session;
    return Status::Ok();
  }
  // A statement of the application is about to start (see above). SQL run
  // from here is nested in the transaction, not in the coming statement: a
  // failure of that statement does not undo it.
  virtual Status before_statement(Session& session, const StatementInfo& statement) {
    (void)session;
    (void)statement;
    return Status::Ok();
  }
  // A SAVEPOINT is about to open (depth = its depth once open). SQL run from
  // here is nested in the transaction and precedes the savepoint: a ROLLBACK
  // TO it does not undo that SQL.
  virtual Status before_savepoint(Session& session, int depth) {
    (void)session;
    (void)depth;
    return Status::Ok();
  }

  // Whether on_change() may return an error for a change of this table in
  // the statement about to run. Asked (after before_statement) only for a
  // statement that would need no statement savepoint but for the observers:
  // one INSERT, UPDATE or DELETE that can only fail before its first
  // change. When no active observer that observes() the statement's table
  // may fail, the kernel runs the statement without a savepoint, which
  // saves copying every page it changes. An observer answering false must
  // not fail on_change() for that table in that statement; if it does
  // anyway, the statement cannot be undone alone and the error ends the
  // transaction (rolled back, as after an I/O error).
  virtual bool may_fail(std::string_view database, std::string_view table) const {
    (void)database;
    (void)table;
    return true;
  }
};

}  // namespace keel::ext
