// Session: what a module may do with the connection it is attached to.
//
// A module gets a Session in ConnectionExtension::attach(), in pragma
// handlers and in change observers. Through it the module runs SQL on the
// same connection (its own tables, e.g. CDC's turso_cdc or an index method's
// hidden tables), reads the connection's open parameters, and installs
// per-connection objects (a page codec, a change observer).
//
// Nested statements: SQL prepared through a Session and stepped while
// another statement of the connection is running (from a function, an
// observer, a pragma) joins that statement: it runs inside the same
// transaction, in a savepoint of its own that is released when it finishes
// and rolled back if it fails, and it never commits or rolls back the
// transaction. Its changes are not reported to change observers and do not
// touch last_insert_rowid() or changes() as the application sees them —
// which also means the SQL functions changes() and last_insert_rowid()
// inside a nested statement report the application's values: use
// RETURNING to learn what a nested statement did.
//
// Thread-safety: a Session is used on the connection's thread only, during
// the call that handed it out, or — for the Session given to attach() —
// for as long as the connection is open.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "keel/export.hpp"
#include "keel/statement.hpp"
#include "keel/status.hpp"

namespace keel::ext {

class ChangeObserver;
class PageCodec;

// One row for Session::append_records.
struct RecordRow {
  int64_t rowid = 0;
  // The row as an INSERT would store it: a SQLite record (file format
  // §2.1) of one field per stored column, in column order, NULL in an
  // INTEGER PRIMARY KEY column's slot, integers in their smallest serial
  // type (8 and 9 for 0 and 1), text in UTF-8, affinities already applied.
  std::span<const uint8_t> record;
};

class KEEL_API Session {
 public:
  explicit Session(void* connection) : conn_(connection) {}

  // Compiles the first statement of `sql` on this connection.
  Result<Statement> prepare(std::string_view sql);
  // Runs every statement of `sql`, discarding rows.
  Status exec(std::string_view sql);

  // True outside BEGIN ... COMMIT.
  bool autocommit() const;
  // The file name of a database of the connection ("" for in-memory).
  std::string database_path(std::string_view schema = "main") const;
  // A parameter of the "file:" URI the connection was opened with
  // (?cipher=aegis256&hexkey=...); empty if absent.
  std::string uri_parameter(std::string_view name) const;
  // True if the named feature flag is enabled on this connection.
  bool has_feature(std::string_view flag) const;

  // Encodes every page of database `schema` from now on. Allowed only
  // before the database's first page is read or written by this
  // connection (rc::kMisuse otherwise). nullptr restores plain pages.
  Status set_page_codec(std::shared_ptr<PageCodec> codec, std::string_view schema = "main");
  // True once the database has been read (its page 1 is known).
  bool database_opened(std::string_view schema = "main") const;
  // Rebuilds database `schema` as VACUUM does and stores every page through
  // `codec` from now on (nullptr: plain pages), with codec->reserved_bytes()
  // reserved bytes per page: re-encryption, or encryption of a plain
  // database. Not inside a transaction, nor while another statement of the
  // connection runs (SQLite's VACUUM errors). The rollback journal keeps the
  // old file, as stored, until the new one is complete and synced, so a
  // crash at any point leaves the old database or the new one. A WAL
  // database leaves WAL for the rewrite and returns to it (rc::kBusy while
  // another connection uses the log). rc::kError for temp or in-memory
  // databases and a module's journal mode.
  Status rebuild_with_codec(std::shared_ptr<PageCodec> codec, std::string_view schema = "main");
  // Writes rows straight into the b-tree of rowid table `table` of
  // database `schema`: the fast path for a module that writes many rows of
  // its own table (a change log) and has already encoded them. Each row is
  // inserted under its rowid (replacing a row that has it); rowids in
  // increasing order past the table's largest are the cheap case. Either
  // every row is written or, on an error, none.
  //
  // Joins the write transaction the connection has open on that database
  // (the rows commit and roll back with it; inside a running statement they
  // are undone with that statement) and never starts one. Returns false,
  // writing nothing, where this path does not apply and an INSERT must be
  // used instead: no write transaction open on `schema`, a view, virtual or
  // WITHOUT ROWID table, a table with indexes (including index-method
  // indexes) or triggers, a database of schema format below 4. It does NOT
  // apply affinity, NOT NULL, CHECK or foreign key constraints, update
  // sqlite_sequence for an AUTOINCREMENT table, count changes(), set
  // last_insert_rowid() or report the rows to change observers or the
  // update hook: the caller owns all that. A record that is not a
  // well-formed record with one field per stored column is rc::kMisuse
  // (nothing written); a missing table is "no such table: X".
  Result<bool> append_records(std::string_view table, std::span<const RecordRow> rows,
                              std::string_view schema = "main");
  // Reports every row change of this connection to `observer` from now on.
  Status add_change_observer(std::shared_ptr<ChangeObserver> observer);
  Status remove_change_observer(const ChangeObserver* observer);

  // Opaque handle for the library's own use.
  void* handle() const { return conn_; }

 private:
  void* conn_;
};

}  // namespace keel::ext
