// The sqlite3 C API over the engine: the handle structures and the one place
// that turns a Status into a result code and error message.
//
// Handles:
//  * sqlite3       — owns an engine::Connection, the connection's last error,
//                    its hooks, limits and the list of its statements.
//  * sqlite3_stmt  — owns an engine::Statement plus the per-column scratch the
//                    column_* accessors hand pointers into.
//  * sqlite3_value — a vm::Value with a scratch buffer for text/blob views
//                    of it (sqlite3_value_text on an INTEGER...).
//  * sqlite3_context — the call frame of one user-function invocation.
//
// Error protocol (SQLite's): every API call that can fail records its
// (extended) code and message on the connection through set_error(); a call
// that succeeds records SQLITE_OK where SQLite does. The code returned to the
// caller is masked to the primary code unless extended codes were enabled.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/connection.h"
#include "engine/statement.h"
#include "func/function.h"
#include "keel/sqlite3.h"
#include "keel/status.hpp"
#include "vm/value.h"

struct sqlite3_value {
  keel::vm::Value v;
  // Text/blob rendering handed out by value_text/value_blob when the value's
  // own bytes cannot be (a number, borrowed text without a NUL, a zero-blob).
  std::string scratch;
  std::u16string scratch16;
  bool scratch_valid = false;
  bool scratch16_valid = false;
  // True for values the caller owns (sqlite3_value_dup): freed with value_free.
  bool dynamic = false;
  // SQLite reports a BLOB as TEXT once its text was asked for.
  bool blob_as_text = false;

  void reset_scratch() {
    scratch_valid = false;
    scratch16_valid = false;
    blob_as_text = false;
  }
};

struct sqlite3_stmt {
  sqlite3* db = nullptr;
  std::unique_ptr<keel::engine::Statement> st;
  // Current row as sqlite3_values, filled lazily per column (column_value and
  // the text/blob accessors hand out pointers into them).
  std::vector<sqlite3_value> cols;
  std::vector<uint8_t> col_loaded;
  uint64_t row_gen = 0;
  std::vector<uint64_t> col_gen;
  // Column metadata in UTF-16, built on demand.
  std::vector<std::u16string> names16;
  bool stepped = false;  // a run is in progress (for tracing and stmt_busy)
  bool ran = false;      // stepped since the last reset (reset reports its outcome)
  // The statement's text as sqlite3_sql returns it: the input from its first
  // byte through the end of this statement.
  std::string sql;
  int64_t run_start_ns = 0;
  // Statement list of the connection (sqlite3_next_stmt).
  sqlite3_stmt* prev = nullptr;
  sqlite3_stmt* next = nullptr;

  sqlite3_value* column(int i);
};

struct sqlite3 {
  std::unique_ptr<keel::engine::Connection> conn;
  // Last error.
  int err_code = SQLITE_OK;  // full extended code
  std::string err_msg;       // empty: use sqlite3_errstr(err_code)
  int err_offset = -1;
  std::u16string err_msg16;
  unsigned err_mask = 0xff;
  // Statements (doubly linked, newest first) and close_v2 state.
  sqlite3_stmt* stmts = nullptr;
  int n_stmts = 0;
  int n_backups = 0;
  int n_blobs = 0;
  bool zombie = false;
  int open_flags = 0;
  // File names: "path\0key\0value\0...\0\0" for sqlite3_uri_parameter.
  std::string filename_buf;
  std::string main_name = "main";
  // Hooks.
  int (*busy_fn)(void*, int) = nullptr;
  void* busy_arg = nullptr;
  int (*commit_fn)(void*) = nullptr;
  void* commit_arg = nullptr;
  void (*rollback_fn)(void*) = nullptr;
  void* rollback_arg = nullptr;
  void (*update_fn)(void*, int, const char*, const char*, sqlite3_int64) = nullptr;
  void* update_arg = nullptr;
  int (*progress_fn)(void*) = nullptr;
  void* progress_arg = nullptr;
  unsigned trace_mask = 0;
  int (*trace_fn)(unsigned, void*, void*, void*) = nullptr;
  void* trace_ctx = nullptr;
  void (*legacy_trace_fn)(void*, const char*) = nullptr;
  void* legacy_trace_arg = nullptr;
  void (*profile_fn)(void*, const char*, sqlite3_uint64) = nullptr;
  void* profile_arg = nullptr;
  int limits[12] = {};
  // SQLITE_DBCONFIG flags Keel reports.
  bool fkeys = false;
};

namespace keel::capi {

// Records `s` as the connection's last error (OK clears it) and returns the
// code the API call should return (masked unless extended codes are on).
int set_error(sqlite3* db, const Status& s);
int set_error(sqlite3* db, int code, std::string_view message = {});
// Returns `code` masked as the connection reports codes.
inline int api_code(sqlite3* db, int code) { return db ? static_cast<int>(code & db->err_mask) : code; }

// sqlite3_errstr's text for a code.
const char* errstr(int code);
// sqlite3_malloc'd copy of s (NUL-terminated); nullptr on allocation failure.
char* dup_string(std::string_view s);

// UTF-8 <-> native-endian UTF-16.
std::u16string utf8_to_utf16(std::string_view s);
std::string utf16_to_utf8(const void* p, int n_bytes);  // n_bytes < 0: up to a 0 code unit
std::string utf16_to_utf8_swapped(const void* p, int n_bytes, bool big_endian);

// Text and blob views of a value (sqlite3_value_text / _blob / _bytes).
const unsigned char* value_text(sqlite3_value* v);
const void* value_blob(sqlite3_value* v);
int value_bytes(sqlite3_value* v);
const void* value_text16(sqlite3_value* v);
int value_bytes16(sqlite3_value* v);

// Monotonic clock in nanoseconds (trace profiles).
int64_t now_ns();
// Calls the trace callbacks for a statement that starts or ends a run.
void trace_statement_start(sqlite3_stmt* s);
void trace_statement_end(sqlite3_stmt* s);
void trace_row(sqlite3_stmt* s);

// The default limits (SQLite's compile-time maxima).
extern const int kDefaultLimits[12];

// Destroys a connection whose statements are all gone (close / zombie close).
void destroy_connection(sqlite3* db);
// Index of the database named `name` (nullptr or "" = main), or -1.
int database_index(sqlite3* db, const char* name);
// Passes a message to the SQLITE_CONFIG_LOG callback, if any.
void log_message(int code, const char* msg);

}  // namespace keel::capi
