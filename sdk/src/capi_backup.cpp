// The online backup API and sqlite3_serialize / sqlite3_deserialize, over
// engine::Backup (engine/backup.h).
#include <cstring>

#include "capi_internal.h"
#include "engine/backup.h"

using namespace keel;

struct sqlite3_backup {
  sqlite3* dest;
  sqlite3* src;
  std::unique_ptr<engine::Backup> backup;
  int rc = SQLITE_OK;  // sticky error or SQLITE_DONE
};

namespace {
void release_connection(sqlite3* db) {
  db->n_backups--;
  if (db->zombie && db->n_stmts == 0 && db->n_backups == 0 && db->n_blobs == 0) capi::destroy_connection(db);
}
}  // namespace

extern "C" {

SQLITE_API sqlite3_backup* sqlite3_backup_init(sqlite3* pDest, const char* zDestName, sqlite3* pSource,
                                               const char* zSourceName) {
  if (pDest == nullptr || pSource == nullptr || !pDest->conn || !pSource->conn) return nullptr;
  int dest_db = capi::database_index(pDest, zDestName);
  int src_db = capi::database_index(pSource, zSourceName);
  if (src_db < 0) {
    capi::set_error(pDest, SQLITE_ERROR, std::string("unknown database ") + (zSourceName ? zSourceName : ""));
    return nullptr;
  }
  if (dest_db < 0) {
    capi::set_error(pDest, SQLITE_ERROR, std::string("unknown database ") + (zDestName ? zDestName : ""));
    return nullptr;
  }
  auto b = engine::Backup::start(*pDest->conn, dest_db, *pSource->conn, src_db);
  if (!b.ok()) {
    capi::set_error(pDest, b.status());
    return nullptr;
  }
  auto* out = new sqlite3_backup{pDest, pSource, std::move(b).value()};
  pDest->n_backups++;
  pSource->n_backups++;
  capi::set_error(pDest, SQLITE_OK);
  return out;
}

SQLITE_API int sqlite3_backup_step(sqlite3_backup* p, int nPage) {
  if (p == nullptr) return SQLITE_MISUSE;
  if (p->rc != SQLITE_OK) return p->rc;
  if (nPage == 0) return SQLITE_OK;
  auto r = p->backup->step(nPage);
  if (!r.ok()) {
    int code = r.status().primary();
    // BUSY and LOCKED may be retried; other errors are final.
    if (code != SQLITE_BUSY && code != SQLITE_LOCKED) p->rc = r.status().code();
    capi::set_error(p->dest, r.status());
    return r.status().code();
  }
  if (*r == rc::kDone) p->rc = SQLITE_DONE;
  return *r;
}

SQLITE_API int sqlite3_backup_finish(sqlite3_backup* p) {
  if (p == nullptr) return SQLITE_OK;
  int rc = p->rc == SQLITE_DONE ? SQLITE_OK : p->rc;
  sqlite3* dest = p->dest;
  sqlite3* src = p->src;
  capi::set_error(dest, rc);
  delete p;
  release_connection(dest);
  release_connection(src);
  return rc;
}

SQLITE_API int sqlite3_backup_remaining(sqlite3_backup* p) { return p ? p->backup->remaining() : 0; }
SQLITE_API int sqlite3_backup_pagecount(sqlite3_backup* p) { return p ? p->backup->page_count() : 0; }

SQLITE_API unsigned char* sqlite3_serialize(sqlite3* db, const char* zSchema, sqlite3_int64* piSize,
                                            unsigned int mFlags) {
  if (piSize) *piSize = -1;
  if (db == nullptr || !db->conn) return nullptr;
  int idx = capi::database_index(db, zSchema);
  if (idx < 0 || db->conn->pager(idx) == nullptr) return nullptr;
  // Keel keeps no database as one contiguous buffer, so NOCOPY has nothing
  // to point at (SQLite returns NULL in that case too).
  if (mFlags & SQLITE_SERIALIZE_NOCOPY) return nullptr;
  auto image = engine::serialize(*db->conn, idx);
  if (!image.ok()) {
    capi::set_error(db, image.status());
    return nullptr;
  }
  auto* out = static_cast<unsigned char*>(sqlite3_malloc64(image->empty() ? 1 : image->size()));
  if (out == nullptr) return nullptr;
  if (!image->empty()) std::memcpy(out, image->data(), image->size());
  if (piSize) *piSize = static_cast<sqlite3_int64>(image->size());
  return out;
}

SQLITE_API int sqlite3_deserialize(sqlite3* db, const char* zSchema, unsigned char* pData, sqlite3_int64 szDb,
                                   sqlite3_int64 szBuf, unsigned mFlags) {
  (void)szBuf;
  if (db == nullptr || !db->conn || pData == nullptr || szDb < 0) {
    if (pData && (mFlags & SQLITE_DESERIALIZE_FREEONCLOSE)) sqlite3_free(pData);
    return SQLITE_MISUSE;
  }
  int rc;
  int idx = capi::database_index(db, zSchema);
  if (idx < 0) {
    rc = capi::set_error(db, SQLITE_ERROR, std::string("unknown database: ") + (zSchema ? zSchema : ""));
  } else if (mFlags & SQLITE_DESERIALIZE_READONLY) {
    rc = capi::set_error(db, SQLITE_ERROR, "SQLITE_DESERIALIZE_READONLY is not supported by Keel");
  } else {
    rc = capi::set_error(db, engine::deserialize(*db->conn, idx, pData, static_cast<size_t>(szDb)));
  }
  // The image was copied: a buffer handed over with FREEONCLOSE is ours to free.
  if (mFlags & SQLITE_DESERIALIZE_FREEONCLOSE) sqlite3_free(pData);
  return rc;
}

}  // extern "C"
