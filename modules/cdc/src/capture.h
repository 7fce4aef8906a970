// Capture: the change observer CDC installs on each connection. It turns
// every reported row change into a row of the CDC table, written through
// nested statements so that it commits and rolls back with the change.
//
// Design note.
//  1. What is captured is decided per transaction: at the transaction's
//     first change the observer reads PRAGMA schema_version (dropping its
//     cached table shapes if another connection changed the schema) and,
//     unless this connection chose a mode of its own with
//     capture_data_changes_conn, the database-wide setting. DDL of this
//     connection is seen as sqlite_schema changes and drops the shapes too.
//  2. Rows (Turso v2): change_type 1 insert, 0 update, -1 delete, 2 commit.
//     An UPDATE that moves a row to another rowid is written as a delete of
//     the old rowid and an insert of the new one, as Turso does. Images are
//     the kernel's records with the rowid put into the INTEGER PRIMARY KEY
//     slot and missing trailing columns (rows older than an ADD COLUMN)
//     filled with their defaults. `updates` holds C flags (1 = the value
//     differs from the before image) then C values (the new value where
//     the flag is 1, else NULL).
//  3. Writing: a change's row is queued (images, built once, and the
//     table name copied into an arena, with the CDC table it goes to) and
//     rows are written in batches between statements: before a statement
//     that touches a CDC table or sqlite_sequence (so that the connection
//     reads them as if every row had been written at once), when 256 rows
//     or 1 MiB are queued, before a SAVEPOINT (which a ROLLBACK TO would
//     return to), and before COMMIT. Writing outside any statement makes a
//     written row final within the transaction: a later failing statement
//     cannot undo it. A failed statement drops the rows it queued; a
//     ROLLBACK TO drops every queued row (all were queued after the
//     savepoint opened).
//  3a. The fast path: where the CDC table is exactly the table Keel creates
//     (its CREATE TABLE text, checked once per schema) and has no index or
//     trigger, a batch's rows but the last are encoded here (each the
//     record the INSERT would have stored) and appended to the b-tree with
//     Session::append_records, under change_ids handed out by the
//     observer; the last row goes through the INSERT with its change_id
//     given, so that AUTOINCREMENT's sqlite_sequence ends exactly where a
//     row-by-row INSERT leaves it. The next change_id (max(seq, largest
//     change_id) + 1, what AUTOINCREMENT would pick) is read at the first
//     write of a transaction and again after anything that may have moved
//     it (a statement that touches the CDC table or sqlite_sequence, a
//     failed statement, a ROLLBACK TO). Elsewhere rows go through
//     multi-row INSERTs, 16 rows per nested statement.
//  4. Transactions: the first row of a transaction gets an explicit
//     change_id = the next AUTOINCREMENT value, which becomes the
//     transaction's change_txn_id; before_commit writes one COMMIT row per
//     CDC table the transaction wrote to. A failed statement or a ROLLBACK
//     TO may have undone the first row: the next use checks whether any row
//     of the transaction is left and starts a new id if not.
//  5. The CDC table, turso_cdc_version and keel_cdc_settings are never
//     captured; writes made by nested statements are not reported at all.
//
// Used on the connection's thread only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "capture_config.h"
#include "keel/ext/change_observer.hpp"
#include "keel/ext/session.hpp"
#include "keel/statement.hpp"
#include "record.h"
#include "table_shape.h"

namespace keel::cdc {

class Capture final : public ext::ChangeObserver {
 public:
  // PRAGMA capture_data_changes_conn: this connection's own choice
  // (creates the CDC table); nullopt follows the database-wide setting.
  Status set_connection_config(ext::Session& session, std::optional<CaptureConfig> config);
  // What this connection captures now: (config, version), version empty
  // when off.
  Result<std::pair<CaptureConfig, std::string>> effective(ext::Session& session);
  // The database-wide setting was rewritten by this connection: read it
  // again at the next change.
  void reload() {
    txn_open_ = false;
    settings_checked_ = false;
  }
  // Drops prepared statements (before the connection closes).
  void release();

  bool observes(std::string_view database, std::string_view table) const override;
  Status on_change(ext::Session& session, const ext::RowChange& change) override;
  Status on_statement_end(ext::Session& session, bool ok) override;
  Status before_commit(ext::Session& session) override;
  void after_commit() override { end_transaction(); }
  void after_rollback() override { end_transaction(); }
  void rollback_to_savepoint(int depth) override;
  Status before_statement(ext::Session& session, const ext::StatementInfo& statement) override;
  Status before_savepoint(ext::Session& session, int depth) override;
  // Capture is decided when a write transaction starts: an observer that
  // captures nothing costs the connection nothing per row.
  Status on_write_transaction(ext::Session& session) override {
    txn_open_ = false;
    return begin(session);
  }
  bool active() const override { return !txn_open_ || effective_.on(); }
  // on_change() runs no SQL once the transaction's mode is known and the
  // table's shape (with its defaults) is loaded: then it cannot fail, and a
  // one-write statement needs no savepoint for it.
  bool may_fail(std::string_view database, std::string_view table) const override;

 private:
  // The rows one transaction wrote into one CDC table.
  struct TxnLog {
    std::string table;
    std::string version;
    int64_t txn_id = 0;          // 0: no row yet
    bool verify = false;         // rows may have been undone since
    bool first_pending = false;  // the row numbered txn_id is not written yet
    int64_t next_id = 0;         // the next change_id to hand out; 0: to be read
  };
  // A CDC row waiting for its statement's end; images live in arena_.
  struct Slice {
    size_t offset = 0, size = 0;
    bool present = false;
  };
  struct Pending {
    size_t log = 0;  // index into logs_: the CDC table the row goes to
    int type = 0;
    int64_t id = 0;
    int64_t time = 0;
    Slice table, before, after, updates;  // table: absent for COMMIT rows
  };
  struct Row {
    int type;
    std::string_view table;
    int64_t id;
    const std::vector<uint8_t>* before = nullptr;
    const std::vector<uint8_t>* after = nullptr;
    const std::vector<uint8_t>* updates = nullptr;
  };

  Status begin(ext::Session& session);
  void end_transaction();
  bool excluded(std::string_view table) const;
  // A sqlite_schema change not to record: DDL of an excluded table, or not
  // a schema row at all.
  bool schema_of_excluded(const ext::RowChange& change);
  Result<TableShape*> shape(ext::Session& session, std::string_view database, std::string_view table);
  // Whether last_shape_ is the shape of `database`.`table` as named.
  bool is_last_shape(std::string_view database, std::string_view table) const {
    std::string_view key = last_shape_key_;
    return last_shape_ && key.size() == database.size() + 1 + table.size() &&
           key.substr(0, database.size()) == database && key.substr(database.size() + 1) == table;
  }
  // `record` as a full image into `out` (rowid in the IPK slot, defaults
  // for missing columns); `fields` receives its fields.
  Status image(ext::Session& session, TableShape& shape, std::span<const uint8_t> record, int64_t rowid,
               std::vector<Field>& fields, std::vector<uint8_t>& out);
  // Rows are queued per change and written when the statement ends, a
  // multi-row INSERT per chunk (one nested statement for many rows).
  void queue(const Row& row);
  void discard_pending();
  Status flush(ext::Session& session);
  // Writes pending_[from, to), rows of one log.
  Status write_rows(ext::Session& session, TxnLog& log, size_t from, size_t to);
  Status write_rows_to(ext::Session& session, TxnLog& log, size_t from, size_t to);
  // Rows through nested INSERTs; with `explicit_ids` every row gets
  // log.next_id++ as its change_id.
  Status insert_rows(ext::Session& session, TxnLog& log, size_t from, size_t to, bool explicit_ids);
  // The fast path (design note 3a); false if it does not apply.
  Result<bool> append_rows(ext::Session& session, TxnLog& log, size_t from, size_t to);
  // Whether the CDC table `table` has the layout the fast path encodes.
  Result<bool> appendable(ext::Session& session, const std::string& table);
  // Reads log.next_id (and the transaction id if none yet).
  Status read_next_id(ext::Session& session, TxnLog& log);
  // Something may have moved the next change_id of every log.
  void forget_next_ids() {
    for (TxnLog& log : logs_) log.next_id = 0;
  }
  // A schema change: shapes and layouts read before it are stale.
  void forget_schema() {
    shapes_.clear();
    appendable_.clear();
    last_shape_ = nullptr;
    last_shape_key_.clear();
  }
  Status check_log(ext::Session& session, TxnLog& log);
  // The index in logs_ of the log of `table`, added if new.
  size_t log_index(const std::string& table, const std::string& version);
  // A statement prepared once and kept (re-prepared after a schema change).
  Result<Statement*> cached(ext::Session& session, const std::string& sql);
  Status run(ext::Session& session, const std::string& sql, std::span<const Value> params,
             std::optional<Value>* first_value = nullptr);

  std::optional<CaptureConfig> conn_config_;
  std::string conn_version_;

  bool txn_open_ = false;
  CaptureConfig effective_;
  std::string version_;
  int64_t schema_version_ = -1;
  // The database-wide setting: does its table exist (as of
  // schema_version_), and the CDC table it names, made sure of.
  bool settings_checked_ = false;
  bool settings_exist_ = false;
  std::string db_table_, db_version_;
  std::vector<TxnLog> logs_;

  std::map<std::string, TableShape> shapes_;
  // CDC tables checked for the fast path (key: name in lower case).
  std::map<std::string, bool> appendable_;
  // The shape last used, and its key ("database.table" as reported).
  TableShape* last_shape_ = nullptr;
  std::string last_shape_key_;
  std::map<std::string, Statement> statements_;

  // Scratch buffers reused from change to change.
  std::vector<Field> before_fields_, after_fields_, update_fields_;
  std::vector<uint8_t> before_, after_, updates_;
  std::vector<Pending> pending_;
  std::vector<uint8_t> arena_;
  // The fast path's encoded rows (reused from batch to batch).
  std::vector<uint8_t> records_;
  std::vector<ext::RecordRow> record_rows_;
  std::vector<size_t> record_starts_;
  std::vector<Field> cdc_fields_;
  // pending_ and arena_ sizes when the running statement began.
  size_t statement_rows_ = 0, statement_bytes_ = 0;
};

}  // namespace keel::cdc
