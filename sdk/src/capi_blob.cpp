// Incremental blob I/O (sqlite3_blob_*).
//
// A handle names one TEXT or BLOB cell (database, table, column, rowid).
// Reads fetch the cell through a prepared SELECT of the engine; writes read
// the cell, patch the bytes and store it back with an UPDATE in the
// connection's current transaction (autocommit: its own). The size of the
// cell is fixed for the handle's life, as in SQLite.
//
// Differences from SQLite, inherent to going through SQL: a write counts as
// a change (sqlite3_changes) and fires UPDATE triggers on the table; the
// handle does not expire when another statement rewrites the row (reads see
// the new bytes; a size change makes read/write fail with SQLITE_ABORT).
#include <cstring>

#include "capi_internal.h"
#include "plan/schema.h"

using namespace keel;

struct sqlite3_blob {
  sqlite3* db;
  std::string select_sql;
  std::string update_sql;
  int64_t rowid = 0;
  bool writable = false;
  bool is_text = false;
  bool aborted = false;
  int size = 0;
};

namespace {

std::string quote(std::string_view id) {
  std::string out = "\"";
  for (char c : id) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

// Fetches the cell; kind receives its type.
Status fetch(sqlite3_blob* b, int64_t rowid, vm::Value& out) {
  KEEL_ASSIGN_OR_RETURN(auto st, b->db->conn->prepare(b->select_sql));
  KEEL_RETURN_IF_ERROR(st->bind(1, vm::Value::integer(rowid)));
  KEEL_ASSIGN_OR_RETURN(int r, st->step());
  if (r != rc::kRow) {
    Status s = st->reset();
    if (!s.ok()) return s;
    return Status(rc::kError, "no such rowid: " + std::to_string(rowid));
  }
  out.copy_from(st->row()[0]);
  if (out.is_zeroblob()) out.expand_zeroblob();
  return st->reset();
}

Status open_row(sqlite3_blob* b, int64_t rowid) {
  vm::Value v;
  KEEL_RETURN_IF_ERROR(fetch(b, rowid, v));
  if (!v.is_bytes()) {
    return Status(rc::kError, "cannot open value of type " + std::string(vm::type_name(v.type())));
  }
  b->rowid = rowid;
  b->is_text = v.is_text();
  b->size = static_cast<int>(v.size());
  b->aborted = false;
  return Status::Ok();
}

Status check_range(sqlite3_blob* b, int n, int offset) {
  if (b->aborted) return Status(rc::kAbort, "query aborted");
  if (n < 0 || offset < 0 || static_cast<int64_t>(offset) + n > b->size) return Status(rc::kError, "");
  return Status::Ok();
}

int finish(sqlite3_blob* b, const Status& s) {
  if (!s.ok() && s.primary() == rc::kAbort) b->aborted = true;
  if (!s.ok() && s.message().empty()) return capi::set_error(b->db, s.code());
  return capi::set_error(b->db, s);
}

}  // namespace

extern "C" {

SQLITE_API int sqlite3_blob_open(sqlite3* db, const char* zDb, const char* zTable, const char* zColumn,
                                 sqlite3_int64 iRow, int flags, sqlite3_blob** ppBlob) {
  if (ppBlob) *ppBlob = nullptr;
  if (db == nullptr || !db->conn || zTable == nullptr || zColumn == nullptr || ppBlob == nullptr)
    return SQLITE_MISUSE;
  int idx = capi::database_index(db, zDb);
  plan::Catalog& cat = db->conn->catalog();
  if (idx >= 0 && cat.has_database(idx) && db->conn->database_btree(idx)) {
    Status s = db->conn->ensure_schema(idx);
    if (!s.ok()) return capi::set_error(db, s);
  }
  std::string schema = idx >= 0 ? cat.database_name(idx) : std::string(zDb ? zDb : "main");
  const plan::Table* t = idx >= 0 ? cat.database(idx).find_table(zTable) : nullptr;
  if (t == nullptr) return capi::set_error(db, SQLITE_ERROR, "no such table: " + schema + "." + zTable);
  if (t->is_view) return capi::set_error(db, SQLITE_ERROR, std::string("cannot open view: ") + zTable);
  if (t->without_rowid) {
    return capi::set_error(db, SQLITE_ERROR, std::string("cannot open table without rowid: ") + zTable);
  }
  int col = t->find_column(zColumn);
  if (col < 0) return capi::set_error(db, SQLITE_ERROR, std::string("no such column: \"") + zColumn + "\"");
  bool write = flags != 0;
  if (write) {
    if (db->conn->read_only(idx))
      return capi::set_error(db, SQLITE_READONLY, "attempt to write a readonly database");
    for (const plan::Index* ix : t->indexes) {
      for (int c : ix->columns) {
        if (c == col || c == -2) {
          return capi::set_error(db, SQLITE_ERROR, "cannot open indexed column for writing");
        }
      }
    }
  }
  // The rowid by a name no column hides.
  std::string rowid_name;
  for (const char* candidate : {"rowid", "_rowid_", "oid"}) {
    if (t->find_column(candidate) < 0) {
      rowid_name = candidate;
      break;
    }
  }
  if (rowid_name.empty() && t->rowid_alias >= 0) rowid_name = quote(t->columns[t->rowid_alias].name);
  auto* b = new sqlite3_blob();
  b->db = db;
  std::string target = quote(schema) + "." + quote(t->name);
  b->select_sql =
      "SELECT " + quote(t->columns[col].name) + " FROM " + target + " WHERE " + rowid_name + " = ?1";
  b->update_sql =
      "UPDATE " + target + " SET " + quote(t->columns[col].name) + " = ?1 WHERE " + rowid_name + " = ?2";
  b->writable = write;
  Status s = open_row(b, iRow);
  if (!s.ok()) {
    delete b;
    return capi::set_error(db, s);
  }
  db->n_blobs++;
  *ppBlob = b;
  return capi::set_error(db, SQLITE_OK);
}

SQLITE_API int sqlite3_blob_reopen(sqlite3_blob* b, sqlite3_int64 iRow) {
  if (b == nullptr) return SQLITE_MISUSE;
  Status s = open_row(b, iRow);
  if (!s.ok()) b->aborted = true;
  return capi::set_error(b->db, s);
}

SQLITE_API int sqlite3_blob_close(sqlite3_blob* b) {
  if (b == nullptr) return SQLITE_OK;
  sqlite3* db = b->db;
  delete b;
  db->n_blobs--;
  capi::set_error(db, SQLITE_OK);
  if (db->zombie && db->n_stmts == 0 && db->n_backups == 0 && db->n_blobs == 0) capi::destroy_connection(db);
  return SQLITE_OK;
}

SQLITE_API int sqlite3_blob_bytes(sqlite3_blob* b) { return b && !b->aborted ? b->size : 0; }

SQLITE_API int sqlite3_blob_read(sqlite3_blob* b, void* z, int n, int offset) {
  if (b == nullptr || z == nullptr) return SQLITE_MISUSE;
  Status s = check_range(b, n, offset);
  if (s.ok()) {
    vm::Value v;
    s = fetch(b, b->rowid, v);
    if (s.ok() && static_cast<int>(v.size()) != b->size) s = Status(rc::kAbort, "query aborted");
    if (s.ok() && n > 0) std::memcpy(z, v.data() + offset, static_cast<size_t>(n));
  }
  return finish(b, s);
}

SQLITE_API int sqlite3_blob_write(sqlite3_blob* b, const void* z, int n, int offset) {
  if (b == nullptr || z == nullptr) return SQLITE_MISUSE;
  if (!b->writable) return capi::set_error(b->db, SQLITE_READONLY, "attempt to write a readonly database");
  Status s = check_range(b, n, offset);
  vm::Value v;
  if (s.ok()) s = fetch(b, b->rowid, v);
  if (s.ok() && static_cast<int>(v.size()) != b->size) s = Status(rc::kAbort, "query aborted");
  if (s.ok()) {
    std::string bytes(v.data(), v.size());
    std::memcpy(bytes.data() + offset, z, static_cast<size_t>(n));
    vm::Value nv = b->is_text
                       ? vm::Value::text_ref(bytes)
                       : vm::Value::blob_ref({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
    auto st = b->db->conn->prepare(b->update_sql);
    if (!st.ok()) {
      s = st.status();
    } else {
      s = (*st)->bind(1, nv);
      if (s.ok()) s = (*st)->bind(2, vm::Value::integer(b->rowid));
      if (s.ok()) {
        auto r = (*st)->step();
        if (!r.ok()) s = r.status();
      }
      Status rs = (*st)->reset();
      if (s.ok()) s = rs;
    }
  }
  return finish(b, s);
}

}  // extern "C"
