// Status → result code + message, and the error accessors of a connection.
#include <cstring>

#include "capi_internal.h"

namespace keel::capi {

const char* errstr(int code) {
  // SQLite 3.40 has no text of its own for SQLITE_NOLFS.
  if (code == SQLITE_NOLFS) return "unknown error";
  return rc::errstr(code);
}

int set_error(sqlite3* db, const Status& s) {
  if (s.ok()) return set_error(db, SQLITE_OK);
  return set_error(db, s.code(), s.message());
}

int set_error(sqlite3* db, int code, std::string_view message) {
  if (db == nullptr) return code;
  db->err_code = code;
  db->err_msg.assign(message);
  db->err_offset = code == SQLITE_OK ? -1 : db->err_offset;
  return api_code(db, code);
}

}  // namespace keel::capi

using namespace keel;

extern "C" {

SQLITE_API int sqlite3_errcode(sqlite3* db) {
  if (db == nullptr) return SQLITE_NOMEM;
  return static_cast<int>(db->err_code & db->err_mask);
}

SQLITE_API int sqlite3_extended_errcode(sqlite3* db) {
  if (db == nullptr) return SQLITE_NOMEM;
  return db->err_code;
}

SQLITE_API const char* sqlite3_errmsg(sqlite3* db) {
  if (db == nullptr) return "out of memory";
  if (db->err_msg.empty()) return capi::errstr(db->err_code);
  return db->err_msg.c_str();
}

SQLITE_API const void* sqlite3_errmsg16(sqlite3* db) {
  static const char16_t kNoMem[] = u"out of memory";
  if (db == nullptr) return kNoMem;
  db->err_msg16 = capi::utf8_to_utf16(sqlite3_errmsg(db));
  return db->err_msg16.c_str();
}

SQLITE_API const char* sqlite3_errstr(int code) { return capi::errstr(code); }

SQLITE_API int sqlite3_error_offset(sqlite3* db) {
  if (db == nullptr || db->err_code == SQLITE_OK) return -1;
  return db->err_offset;
}

SQLITE_API int sqlite3_extended_result_codes(sqlite3* db, int onoff) {
  if (db == nullptr) return SQLITE_MISUSE;
  db->err_mask = onoff ? 0xffffffffu : 0xffu;
  return SQLITE_OK;
}

}  // extern "C"
