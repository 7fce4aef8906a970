// Connection::append_records: rows written straight into a rowid table's
// b-tree from records the caller encoded (ext::Session::append_records).
//
// Design note. This is the path a module takes when it writes many rows of
// its own table per statement (CDC's change log) and the SQL path (compile,
// bind, affinity, MakeRecord, AUTOINCREMENT bookkeeping) costs more than
// the b-tree insert itself. It is only correct where an INSERT would do
// nothing but the b-tree insert, so it refuses (returns false, writes
// nothing) any table where an INSERT does more:
//   - indexes, index-method indexes or triggers to maintain or fire;
//   - views, virtual tables and WITHOUT ROWID tables (no rowid b-tree);
//   - a database without a write transaction of the connection open (the
//     call joins a transaction, it never starts one);
//   - a schema format below 4 (serial types 8 and 9 do not exist there, so
//     a caller could not encode the record the way an INSERT would).
// Not done, by contract: affinity, NOT NULL / CHECK / foreign key checks,
// AUTOINCREMENT's sqlite_sequence update, changes() and
// last_insert_rowid(), change observers and the update hook. Every record
// is checked to be well formed with one field per stored column before
// anything is written, so bad bytes never reach the file. The rows are
// written inside a savepoint of their own: a failure part-way leaves none
// of them.
#include "base/varint.h"
#include "engine/connection.h"
#include "storage/btree/btree.h"

namespace keel::engine {

namespace {

// Number of fields of a well-formed record, or -1. Checks that the header
// size and every field's body add up to exactly the record's size.
int record_fields(std::span<const uint8_t> rec) {
  const uint8_t* p = rec.data();
  const uint8_t* end = p + rec.size();
  if (rec.empty()) return -1;
  uint64_t header = 0;
  int n = get_varint_bounded(p, end, &header);
  if (n == 0 || header < static_cast<uint64_t>(n) || header > rec.size()) return -1;
  const uint8_t* h = p + n;
  const uint8_t* h_end = p + header;
  uint64_t body = 0;
  int fields = 0;
  while (h < h_end) {
    uint64_t type = *h;
    if (type < 0x80) {
      h++;  // the usual one-byte serial type
    } else {
      int len = get_varint_bounded(h, h_end, &type);
      if (len == 0) return -1;
      h += len;
    }
    if (type == 10 || type == 11) return -1;
    static constexpr uint8_t kFixed[12] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0};
    body += type < 12 ? kFixed[type] : (type - 12) / 2;
    if (body > rec.size()) return -1;
    fields++;
  }
  return header + body == rec.size() ? fields : -1;
}

}  // namespace

Result<bool> Connection::append_records(int db, std::string_view table,
                                        std::span<const ext::RecordRow> rows) {
  if (db < 0 || db >= static_cast<int>(dbs_.size())) return Status(rc::kError, "no such database");
  Db& d = dbs_[db];
  if (!d.btree || d.txn != 2) return false;
  KEEL_RETURN_IF_ERROR(ensure_schema(db));
  const plan::Table* t = catalog_.database(db).find_table(table);
  if (t == nullptr) return Status(rc::kError, "no such table: " + std::string(table));
  if (t->is_view || t->is_virtual || t->without_rowid || t->root == 0 || !t->indexes.empty() ||
      !t->method_indexes.empty() || !t->triggers.empty() || catalog_.database(db).file_format < 4) {
    return false;
  }
  int stored = 0;
  for (const plan::Column& c : t->columns) stored += c.generated == plan::GeneratedKind::kVirtual ? 0 : 1;
  for (const ext::RecordRow& row : rows) {
    if (record_fields(row.record) != stored) {
      return Status(rc::kMisuse, "append_records: a record for " + t->name +
                                     " must be a well-formed record of " + std::to_string(stored) +
                                     " fields");
    }
  }
  if (rows.empty()) return true;
  storage::Btree& bt = *d.btree;
  KEEL_ASSIGN_OR_RETURN(int savepoint, bt.open_savepoint());
  Status s;
  {
    // kAppend skips the seek while the cursor sits on the last row and
    // the new rowid is larger (the usual case: rowids handed out in
    // order); otherwise it seeks as usual.
    storage::BtCursor cur(bt, t->root, true);
    s = cur.last();
    for (size_t i = 0; i < rows.size() && s.ok(); i++) {
      s = cur.insert(rows[i].rowid, rows[i].record, storage::InsertHint::kAppend);
    }
  }
  if (!s.ok()) {
    bt.rollback_to_savepoint(savepoint).ignore();
    bt.release_savepoint(savepoint).ignore();
    return s;
  }
  KEEL_RETURN_IF_ERROR(bt.release_savepoint(savepoint));
  return true;
}

}  // namespace keel::engine
