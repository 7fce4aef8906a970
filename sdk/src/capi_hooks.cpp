// Connection hooks (commit, rollback, progress, authorizer), WAL checkpoints
// and schema metadata (sqlite3_table_column_metadata).
#include <cstring>

#include "capi_internal.h"
#include "plan/schema.h"
#include "storage/pager/pager.h"

using namespace keel;

extern "C" {

SQLITE_API void* sqlite3_commit_hook(sqlite3* db, int (*fn)(void*), void* arg) {
  if (db == nullptr || !db->conn) return nullptr;
  void* old = db->commit_arg;
  db->commit_fn = fn;
  db->commit_arg = arg;
  if (fn) {
    db->conn->hooks().commit = [db] { return db->commit_fn(db->commit_arg) != 0; };
  } else {
    db->conn->hooks().commit = nullptr;
  }
  return old;
}

SQLITE_API void* sqlite3_rollback_hook(sqlite3* db, void (*fn)(void*), void* arg) {
  if (db == nullptr || !db->conn) return nullptr;
  void* old = db->rollback_arg;
  db->rollback_fn = fn;
  db->rollback_arg = arg;
  if (fn) {
    db->conn->hooks().rollback = [db] { db->rollback_fn(db->rollback_arg); };
  } else {
    db->conn->hooks().rollback = nullptr;
  }
  return old;
}

// The engine reports every row change of a rowid table; SQLite's rules for
// which ones reach the update hook (not sqlite_schema/sqlite_sequence, not
// WITHOUT ROWID tables, not REPLACE conflict deletes) are applied there.
SQLITE_API void* sqlite3_update_hook(sqlite3* db,
                                     void (*fn)(void*, int, const char*, const char*, sqlite3_int64),
                                     void* arg) {
  if (db == nullptr || !db->conn) return nullptr;
  void* old = db->update_arg;
  db->update_fn = fn;
  db->update_arg = arg;
  if (fn) {
    db->conn->hooks().update = [db](int op, std::string_view database, std::string_view table,
                                    int64_t rowid) {
      // The names as NUL-terminated strings, without allocating per row
      // for the usual short names.
      char dbuf[64], tbuf[256];
      std::string dlong, tlong;
      auto cstr = [](std::string_view s, char* buf, size_t cap, std::string& spill) -> const char* {
        if (s.size() < cap) {
          std::memcpy(buf, s.data(), s.size());
          buf[s.size()] = '\0';
          return buf;
        }
        spill.assign(s);
        return spill.c_str();
      };
      db->update_fn(db->update_arg, op, cstr(database, dbuf, sizeof dbuf, dlong),
                    cstr(table, tbuf, sizeof tbuf, tlong), rowid);
    };
  } else {
    db->conn->hooks().update = nullptr;
  }
  return old;
}

SQLITE_API void sqlite3_progress_handler(sqlite3* db, int n_ops, int (*fn)(void*), void* arg) {
  if (db == nullptr || !db->conn) return;
  engine::ConnectionHooks& h = db->conn->hooks();
  if (n_ops > 0 && fn) {
    db->progress_fn = fn;
    db->progress_arg = arg;
    h.progress = [db] { return db->progress_fn(db->progress_arg) != 0; };
    h.progress_ops = n_ops;
  } else {
    db->progress_fn = nullptr;
    db->progress_arg = nullptr;
    h.progress = nullptr;
    h.progress_ops = 0;
  }
  h.progress_pending = 0;
}

SQLITE_API int sqlite3_set_authorizer(
    sqlite3* db, int (*xAuth)(void*, int, const char*, const char*, const char*, const char*), void* pArg) {
  if (db == nullptr || !db->conn) return SQLITE_MISUSE;
  auto& h = db->conn->hooks();
  if (xAuth == nullptr) {
    h.authorizer = nullptr;
  } else {
    h.authorizer = [xAuth, pArg](int action, const char* a, const char* b, const char* d, const char* t) {
      return xAuth(pArg, action, a, b, d, t);
    };
  }
  h.authorizer_generation++;
  return SQLITE_OK;
}

SQLITE_API int sqlite3_wal_checkpoint_v2(sqlite3* db, const char* zDb, int eMode, int* pnLog, int* pnCkpt) {
  if (pnLog) *pnLog = -1;
  if (pnCkpt) *pnCkpt = -1;
  if (db == nullptr || !db->conn) return SQLITE_MISUSE;
  if (eMode < SQLITE_CHECKPOINT_PASSIVE || eMode > SQLITE_CHECKPOINT_TRUNCATE) {
    return keel::capi::set_error(db, SQLITE_MISUSE, "bad parameter or other API misuse");
  }
  int first = 0;
  int last = db->conn->catalog().database_count() - 1;
  if (zDb != nullptr && *zDb != 0) {
    int idx = keel::capi::database_index(db, zDb);
    if (idx < 0) return keel::capi::set_error(db, SQLITE_ERROR, std::string("unknown database: ") + zDb);
    first = last = idx;
  }
  int result = SQLITE_OK;
  bool busy = false;
  for (int i = first; i <= last; i++) {
    storage::Pager* pager = db->conn->pager(i);
    if (pager == nullptr || pager->journal_mode() != storage::JournalModeKind::kWal) continue;
    if (db->conn->transaction_state(i) != 0) {
      return keel::capi::set_error(db, SQLITE_LOCKED, "database table is locked");
    }
    auto r = pager->checkpoint(static_cast<storage::CheckpointMode>(eMode));
    if (!r.ok()) {
      if (r.status().primary() == SQLITE_BUSY) {
        busy = true;
        continue;
      }
      return keel::capi::set_error(db, r.status());
    }
    if (pnLog) *pnLog = r->log_frames;
    if (pnCkpt) *pnCkpt = r->checkpointed_frames;
  }
  if (busy) return keel::capi::set_error(db, SQLITE_BUSY, "database is locked");
  keel::capi::set_error(db, SQLITE_OK);
  return result;
}

SQLITE_API int sqlite3_wal_checkpoint(sqlite3* db, const char* zDb) {
  return sqlite3_wal_checkpoint_v2(db, zDb, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
}

SQLITE_API int sqlite3_wal_autocheckpoint(sqlite3* db, int n) {
  if (db == nullptr || !db->conn) return SQLITE_MISUSE;
  for (int i = 0; i < db->conn->catalog().database_count(); i++) {
    storage::Pager* pager = db->conn->pager(i);
    if (pager) pager->set_wal_autocheckpoint(n > 0 ? n : 0);
  }
  return SQLITE_OK;
}

SQLITE_API int sqlite3_table_column_metadata(sqlite3* db, const char* zDbName, const char* zTableName,
                                             const char* zColumnName, char const** pzDataType,
                                             char const** pzCollSeq, int* pNotNull, int* pPrimaryKey,
                                             int* pAutoinc) {
  if (db == nullptr || !db->conn || zTableName == nullptr) return SQLITE_MISUSE;
  plan::Catalog& cat = db->conn->catalog();
  for (int i = 0; i < cat.database_count(); i++) {
    if (!cat.has_database(i) || (i == 1 && !db->conn->database_btree(1))) continue;
    Status s = db->conn->ensure_schema(i);
    if (!s.ok()) return keel::capi::set_error(db, s);
  }
  std::string schema;
  if (zDbName != nullptr) {
    int idx = keel::capi::database_index(db, zDbName);
    schema = idx >= 0 ? cat.database_name(idx) : std::string(zDbName);
  }
  const plan::Table* t = cat.find_table(schema, zTableName);
  if (t && t->is_view) t = nullptr;
  const plan::Column* col = nullptr;
  int icol = -1;
  if (t && zColumnName) {
    icol = t->find_column(zColumnName);
    if (icol >= 0) {
      col = &t->columns[icol];
    } else if (!t->without_rowid &&
               (sqlite3_stricmp(zColumnName, "rowid") == 0 || sqlite3_stricmp(zColumnName, "oid") == 0 ||
                sqlite3_stricmp(zColumnName, "_rowid_") == 0)) {
      icol = t->rowid_alias;
      col = icol >= 0 ? &t->columns[icol] : nullptr;
    } else {
      t = nullptr;
    }
  }
  if (t == nullptr) {
    std::string msg =
        std::string("no such table column: ") + zTableName + "." + (zColumnName ? zColumnName : "");
    return keel::capi::set_error(db, SQLITE_ERROR, msg);
  }
  const char* type = nullptr;
  const char* coll = nullptr;
  int not_null = 0, pk = 0, autoinc = 0;
  if (col) {
    type = col->type.empty() ? nullptr : col->type.c_str();
    coll = col->collation.empty() ? nullptr : col->collation.c_str();
    not_null = col->not_null ? 1 : 0;
    pk = col->primary_key ? 1 : 0;
    autoinc = t->rowid_alias == icol && t->autoincrement ? 1 : 0;
  } else if (zColumnName) {
    type = "INTEGER";
    pk = 1;
  }
  if (coll == nullptr) coll = "BINARY";
  if (pzDataType) *pzDataType = type;
  if (pzCollSeq) *pzCollSeq = coll;
  if (pNotNull) *pNotNull = not_null;
  if (pPrimaryKey) *pPrimaryKey = pk;
  if (pAutoinc) *pAutoinc = autoinc;
  return keel::capi::set_error(db, SQLITE_OK);
}

}  // extern "C"
