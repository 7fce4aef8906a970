// Prepared statements: prepare, step, reset, finalize, their properties,
// sqlite3_exec / sqlite3_get_table, and statement tracing (trace_v2).
#include <chrono>
#include <cstring>

#include "capi_internal.h"

using namespace keel;

namespace keel::capi {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void trace_statement_start(sqlite3_stmt* s) {
  sqlite3* db = s->db;
  s->run_start_ns = (db->trace_mask & SQLITE_TRACE_PROFILE) || db->profile_fn ? now_ns() : 0;
  if (db->trace_fn && (db->trace_mask & SQLITE_TRACE_STMT)) {
    db->trace_fn(SQLITE_TRACE_STMT, db->trace_ctx, s, const_cast<char*>(s->sql.c_str()));
  }
  if (db->legacy_trace_fn) {
    std::string sql = s->st->expanded_sql();
    db->legacy_trace_fn(db->legacy_trace_arg, sql.c_str());
  }
}

void trace_statement_end(sqlite3_stmt* s) {
  sqlite3* db = s->db;
  if (s->run_start_ns == 0) return;
  int64_t elapsed = now_ns() - s->run_start_ns;
  s->run_start_ns = 0;
  if (db->trace_fn && (db->trace_mask & SQLITE_TRACE_PROFILE)) {
    db->trace_fn(SQLITE_TRACE_PROFILE, db->trace_ctx, s, &elapsed);
  }
  if (db->profile_fn) db->profile_fn(db->profile_arg, s->sql.c_str(), static_cast<sqlite3_uint64>(elapsed));
}

void trace_row(sqlite3_stmt* s) {
  sqlite3* db = s->db;
  if (db->trace_fn && (db->trace_mask & SQLITE_TRACE_ROW))
    db->trace_fn(SQLITE_TRACE_ROW, db->trace_ctx, s, nullptr);
}

}  // namespace keel::capi

sqlite3_value* sqlite3_stmt::column(int i) {
  // The engine's row is empty unless the last step returned SQLITE_ROW.
  auto row = st->row();
  if (i < 0 || static_cast<size_t>(i) >= row.size()) return nullptr;
  if (cols.size() != row.size()) {
    cols = std::vector<sqlite3_value>(row.size());
    col_gen.assign(row.size(), ~uint64_t{0});
  }
  if (col_gen[i] != row_gen) {
    cols[i].v.shallow_copy_from(row[i]);
    cols[i].reset_scratch();
    col_gen[i] = row_gen;
  }
  return &cols[i];
}

namespace {

int prepare(sqlite3* db, const char* zSql, int nByte, sqlite3_stmt** ppStmt, const char** pzTail) {
  if (ppStmt) *ppStmt = nullptr;
  if (pzTail) *pzTail = zSql;
  if (db == nullptr || !db->conn || ppStmt == nullptr) return SQLITE_MISUSE;
  if (zSql == nullptr) return capi::set_error(db, SQLITE_MISUSE, "bad parameter or other API misuse");
  size_t n = nByte < 0 ? std::strlen(zSql) : strnlen(zSql, static_cast<size_t>(nByte));
  if (n > static_cast<size_t>(db->limits[SQLITE_LIMIT_SQL_LENGTH])) {
    return capi::set_error(db, SQLITE_TOOBIG, "statement too long");
  }
  uint32_t tail = 0;
  auto r = db->conn->prepare(std::string_view(zSql, n), &tail);
  if (!r.ok()) {
    int code = capi::set_error(db, r.status());
    db->err_offset = db->conn->last_error_offset();
    return code;
  }
  if (pzTail) *pzTail = zSql + tail;
  std::unique_ptr<engine::Statement> st = std::move(r).value();
  if (!st) return capi::set_error(db, SQLITE_OK);
  if (st->parameter_count() > db->limits[SQLITE_LIMIT_VARIABLE_NUMBER]) {
    return capi::set_error(db, SQLITE_ERROR, "too many SQL variables");
  }
  if (st->column_count() > db->limits[SQLITE_LIMIT_COLUMN]) {
    return capi::set_error(db, SQLITE_ERROR, "too many columns in result set");
  }
  // SQLite stores column names as strings subject to SQLITE_LIMIT_LENGTH.
  for (int i = 0; i < st->column_count(); i++) {
    if (st->column_info(i).name.size() > static_cast<size_t>(db->limits[SQLITE_LIMIT_LENGTH])) {
      return capi::set_error(db, SQLITE_TOOBIG, "string or blob too big");
    }
  }
  auto* s = new sqlite3_stmt();
  s->db = db;
  s->st = std::move(st);
  s->sql.assign(zSql, tail);
  s->next = db->stmts;
  if (db->stmts) db->stmts->prev = s;
  db->stmts = s;
  db->n_stmts++;
  *ppStmt = s;
  return capi::set_error(db, SQLITE_OK);
}

int prepare16(sqlite3* db, const void* zSql, int nByte, sqlite3_stmt** ppStmt, const void** pzTail) {
  if (ppStmt) *ppStmt = nullptr;
  if (db == nullptr || !db->conn || ppStmt == nullptr) return SQLITE_MISUSE;
  if (zSql == nullptr) return capi::set_error(db, SQLITE_MISUSE, "bad parameter or other API misuse");
  const char16_t* p = static_cast<const char16_t*>(zSql);
  size_t units = 0;
  size_t max_units = nByte < 0 ? SIZE_MAX : static_cast<size_t>(nByte) / 2;
  while (units < max_units && p[units] != 0) units++;
  std::string sql = capi::utf16_to_utf8(p, static_cast<int>(units * 2));
  const char* tail8 = nullptr;
  int rc = prepare(db, sql.c_str(), static_cast<int>(sql.size()), ppStmt, &tail8);
  if (pzTail) {
    // Map the UTF-8 tail back to a UTF-16 position: count code units of the
    // consumed prefix.
    size_t consumed = tail8 ? static_cast<size_t>(tail8 - sql.c_str()) : 0;
    std::u16string prefix = capi::utf8_to_utf16(std::string_view(sql).substr(0, consumed));
    *pzTail = p + prefix.size();
  }
  return rc;
}

void unlink_statement(sqlite3_stmt* s) {
  sqlite3* db = s->db;
  if (s->prev) s->prev->next = s->next;
  if (s->next) s->next->prev = s->prev;
  if (db->stmts == s) db->stmts = s->next;
  db->n_stmts--;
}

int exec(sqlite3* db, const char* zSql, sqlite3_callback cb, void* arg, char** pzErrMsg) {
  if (pzErrMsg) *pzErrMsg = nullptr;
  if (db == nullptr || !db->conn) return SQLITE_MISUSE;
  if (zSql == nullptr) zSql = "";
  capi::set_error(db, SQLITE_OK);
  int rc = SQLITE_OK;
  const char* rest = zSql;
  std::vector<char*> values;
  std::vector<char*> names;
  while (rc == SQLITE_OK && *rest) {
    sqlite3_stmt* s = nullptr;
    const char* tail = nullptr;
    rc = sqlite3_prepare_v2(db, rest, -1, &s, &tail);
    if (rc != SQLITE_OK) break;
    if (s == nullptr) {
      rest = tail;
      continue;
    }
    int ncol = sqlite3_column_count(s);
    bool callback_done = false;
    for (;;) {
      rc = sqlite3_step(s);
      if (cb && rc == SQLITE_ROW) {
        if (!callback_done) {
          names.assign(ncol, nullptr);
          for (int i = 0; i < ncol; i++) names[i] = const_cast<char*>(sqlite3_column_name(s, i));
          callback_done = true;
        }
        values.assign(ncol, nullptr);
        for (int i = 0; i < ncol; i++)
          values[i] = const_cast<char*>(reinterpret_cast<const char*>(sqlite3_column_text(s, i)));
        if (cb(arg, ncol, values.data(), names.data()) != 0) {
          sqlite3_finalize(s);
          s = nullptr;
          rc = capi::set_error(db, SQLITE_ABORT, "query aborted");
          break;
        }
        continue;
      }
      if (rc != SQLITE_ROW) break;
    }
    if (s) {
      if (rc == SQLITE_DONE) {
        rc = sqlite3_finalize(s);
      } else {
        sqlite3_finalize(s);
      }
    }
    rest = tail;
  }
  if (rc == SQLITE_DONE) rc = SQLITE_OK;
  if (rc != SQLITE_OK && pzErrMsg) *pzErrMsg = capi::dup_string(sqlite3_errmsg(db));
  if (rc == SQLITE_OK) capi::set_error(db, SQLITE_OK);
  return capi::api_code(db, rc);
}

}  // namespace

extern "C" {

SQLITE_API int sqlite3_prepare(sqlite3* db, const char* zSql, int nByte, sqlite3_stmt** ppStmt,
                               const char** pzTail) {
  return prepare(db, zSql, nByte, ppStmt, pzTail);
}
SQLITE_API int sqlite3_prepare_v2(sqlite3* db, const char* zSql, int nByte, sqlite3_stmt** ppStmt,
                                  const char** pzTail) {
  return prepare(db, zSql, nByte, ppStmt, pzTail);
}
SQLITE_API int sqlite3_prepare_v3(sqlite3* db, const char* zSql, int nByte, unsigned int,
                                  sqlite3_stmt** ppStmt, const char** pzTail) {
  return prepare(db, zSql, nByte, ppStmt, pzTail);
}
SQLITE_API int sqlite3_prepare16(sqlite3* db, const void* zSql, int nByte, sqlite3_stmt** ppStmt,
                                 const void** pzTail) {
  return prepare16(db, zSql, nByte, ppStmt, pzTail);
}
SQLITE_API int sqlite3_prepare16_v2(sqlite3* db, const void* zSql, int nByte, sqlite3_stmt** ppStmt,
                                    const void** pzTail) {
  return prepare16(db, zSql, nByte, ppStmt, pzTail);
}
SQLITE_API int sqlite3_prepare16_v3(sqlite3* db, const void* zSql, int nByte, unsigned int,
                                    sqlite3_stmt** ppStmt, const void** pzTail) {
  return prepare16(db, zSql, nByte, ppStmt, pzTail);
}

SQLITE_API int sqlite3_step(sqlite3_stmt* s) {
  if (s == nullptr) return SQLITE_MISUSE;
  sqlite3* db = s->db;
  if (!s->stepped) {
    s->stepped = true;
    capi::trace_statement_start(s);
  }
  s->row_gen++;
  s->ran = true;
  auto r = s->st->step();
  if (r.ok() && *r == rc::kRow) {
    capi::trace_row(s);
    db->err_code = SQLITE_ROW;
    db->err_msg.clear();
    return SQLITE_ROW;
  }
  s->stepped = false;
  capi::trace_statement_end(s);
  if (r.ok()) {
    db->err_code = SQLITE_DONE;
    db->err_msg.clear();
    return SQLITE_DONE;
  }
  return capi::set_error(db, r.status());
}

SQLITE_API int sqlite3_reset(sqlite3_stmt* s) {
  if (s == nullptr) return SQLITE_OK;
  if (s->stepped) {
    s->stepped = false;
    capi::trace_statement_end(s);
  }
  s->row_gen++;
  Status st = s->st->reset();
  // As SQLite: a statement run since its last reset reports that run's
  // outcome on the connection (success clears the error); otherwise the
  // connection's error is left alone.
  bool ran = s->ran;
  s->ran = false;
  if (!ran) return st.ok() ? SQLITE_OK : capi::api_code(s->db, st.code());
  return capi::set_error(s->db, st);
}

SQLITE_API int sqlite3_finalize(sqlite3_stmt* s) {
  if (s == nullptr) return SQLITE_OK;
  sqlite3* db = s->db;
  int rc = sqlite3_reset(s);
  unlink_statement(s);
  delete s;
  if (db->zombie && db->n_stmts == 0 && db->n_backups == 0 && db->n_blobs == 0) {
    capi::destroy_connection(db);
  }
  return rc;
}

SQLITE_API int sqlite3_clear_bindings(sqlite3_stmt* s) {
  if (s == nullptr) return SQLITE_OK;
  s->st->clear_bindings();
  return SQLITE_OK;
}

SQLITE_API const char* sqlite3_sql(sqlite3_stmt* s) { return s ? s->sql.c_str() : nullptr; }

SQLITE_API char* sqlite3_expanded_sql(sqlite3_stmt* s) {
  if (s == nullptr) return nullptr;
  return capi::dup_string(s->st->expanded_sql());
}

SQLITE_API int sqlite3_stmt_readonly(sqlite3_stmt* s) { return s ? (s->st->read_only() ? 1 : 0) : 1; }
SQLITE_API int sqlite3_stmt_isexplain(sqlite3_stmt* s) { return s ? s->st->explain_mode() : 0; }
SQLITE_API int sqlite3_stmt_busy(sqlite3_stmt* s) { return s && s->stepped ? 1 : 0; }
SQLITE_API int sqlite3_data_count(sqlite3_stmt* s) {
  if (s == nullptr || !s->stepped) return 0;
  return s->st->data_count();
}
SQLITE_API sqlite3* sqlite3_db_handle(sqlite3_stmt* s) { return s ? s->db : nullptr; }

SQLITE_API sqlite3_stmt* sqlite3_next_stmt(sqlite3* db, sqlite3_stmt* s) {
  if (db == nullptr || !db->conn) return nullptr;
  return s ? s->next : db->stmts;
}

SQLITE_API int sqlite3_exec(sqlite3* db, const char* sql, int (*cb)(void*, int, char**, char**), void* arg,
                            char** errmsg) {
  return exec(db, sql, cb, arg, errmsg);
}

// sqlite3_get_table's array is preceded by a hidden slot holding the number
// of strings, so sqlite3_free_table can release them.
namespace {
struct TableBuilder {
  std::vector<char*> cells;
  int n_row = 0;
  int n_col = 0;
  bool failed = false;
};
int table_callback(void* arg, int n, char** values, char** names) {
  auto* t = static_cast<TableBuilder*>(arg);
  if (t->n_row == 0 && t->n_col == 0) {
    t->n_col = n;
    for (int i = 0; i < n; i++) t->cells.push_back(capi::dup_string(names[i] ? names[i] : ""));
  } else if (n != t->n_col) {
    t->failed = true;
    return 1;
  }
  for (int i = 0; i < n; i++) t->cells.push_back(values[i] ? capi::dup_string(values[i]) : nullptr);
  t->n_row++;
  return 0;
}
}  // namespace

SQLITE_API int sqlite3_get_table(sqlite3* db, const char* zSql, char*** pazResult, int* pnRow, int* pnColumn,
                                 char** pzErrmsg) {
  if (pazResult == nullptr) return SQLITE_MISUSE;
  *pazResult = nullptr;
  if (pnRow) *pnRow = 0;
  if (pnColumn) *pnColumn = 0;
  TableBuilder t;
  int rc = sqlite3_exec(db, zSql, table_callback, &t, pzErrmsg);
  if (t.failed) {
    if (pzErrmsg) {
      sqlite3_free(*pzErrmsg);
      *pzErrmsg = capi::dup_string("sqlite3_get_table() called with two or more incompatible queries");
    }
    rc =
        capi::set_error(db, SQLITE_ERROR, "sqlite3_get_table() called with two or more incompatible queries");
  }
  auto** arr = static_cast<char**>(sqlite3_malloc64((t.cells.size() + 1) * sizeof(char*)));
  if (arr == nullptr) {
    for (char* c : t.cells) sqlite3_free(c);
    return SQLITE_NOMEM;
  }
  arr[0] = reinterpret_cast<char*>(static_cast<intptr_t>(t.cells.size()));
  for (size_t i = 0; i < t.cells.size(); i++) arr[i + 1] = t.cells[i];
  if (rc != SQLITE_OK) {
    sqlite3_free_table(arr + 1);
    return rc;
  }
  *pazResult = arr + 1;
  if (pnRow) *pnRow = t.n_row;
  if (pnColumn) *pnColumn = t.n_col;
  return SQLITE_OK;
}

SQLITE_API void sqlite3_free_table(char** result) {
  if (result == nullptr) return;
  char** base = result - 1;
  intptr_t n = reinterpret_cast<intptr_t>(base[0]);
  for (intptr_t i = 0; i < n; i++) sqlite3_free(result[i]);
  sqlite3_free(base);
}

SQLITE_API int sqlite3_trace_v2(sqlite3* db, unsigned mask, int (*cb)(unsigned, void*, void*, void*),
                                void* ctx) {
  if (db == nullptr || !db->conn) return SQLITE_MISUSE;
  if (cb == nullptr) mask = 0;
  db->trace_mask = mask;
  db->trace_fn = mask ? cb : nullptr;
  db->trace_ctx = ctx;
  return SQLITE_OK;
}

SQLITE_API void* sqlite3_trace(sqlite3* db, void (*fn)(void*, const char*), void* arg) {
  if (db == nullptr || !db->conn) return nullptr;
  void* old = db->legacy_trace_arg;
  db->legacy_trace_fn = fn;
  db->legacy_trace_arg = arg;
  return old;
}

SQLITE_API void* sqlite3_profile(sqlite3* db, void (*fn)(void*, const char*, sqlite3_uint64), void* arg) {
  if (db == nullptr || !db->conn) return nullptr;
  void* old = db->profile_arg;
  db->profile_fn = fn;
  db->profile_arg = arg;
  return old;
}

}  // extern "C"
