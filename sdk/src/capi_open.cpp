// Opening and closing connections, library setup, limits, db_config and the
// file-name accessors (sqlite3_db_filename, sqlite3_uri_parameter).
#include <atomic>
#include <cstring>
#include <mutex>

#include "capi_internal.h"
#include "ext/install.h"
#include "os/vfs.h"

using namespace keel;

namespace keel::capi {

const int kDefaultLimits[12] = {
    1000000000,  // LENGTH
    1000000000,  // SQL_LENGTH
    2000,        // COLUMN
    1000,        // EXPR_DEPTH
    500,         // COMPOUND_SELECT
    250000000,   // VDBE_OP
    127,         // FUNCTION_ARG
    10,          // ATTACHED
    50000,       // LIKE_PATTERN_LENGTH
    32766,       // VARIABLE_NUMBER
    1000,        // TRIGGER_DEPTH
    0,           // WORKER_THREADS
};
// The hard upper bounds (SQLite's SQLITE_MAX_* of a default build).
static const int kMaxLimits[12] = {1000000000, 1000000000, 2000,  1000,  500,  250000000,
                                   127,        10,         50000, 32766, 1000, 8};

namespace {

struct Global {
  std::atomic<bool> initialized{false};
  bool uri = false;
  void (*log_fn)(void*, int, const char*) = nullptr;
  void* log_arg = nullptr;
};

Global& global() {
  static Global g;
  return g;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int a = hex_value(s[i + 1]), b = hex_value(s[i + 2]);
      if (a >= 0 && b >= 0) {
        out += static_cast<char>(a * 16 + b);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// The query parameters of a "file:" URI, decoded, in order.
std::vector<std::pair<std::string, std::string>> uri_params(std::string_view uri) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t q = uri.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view query = uri.substr(q + 1);
  size_t h = query.find('#');
  if (h != std::string_view::npos) query = query.substr(0, h);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    size_t eq = kv.find('=');
    if (!kv.empty()) {
      if (eq == std::string_view::npos) {
        out.emplace_back(percent_decode(kv), "");
      } else {
        out.emplace_back(percent_decode(kv.substr(0, eq)), percent_decode(kv.substr(eq + 1)));
      }
    }
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return out;
}

int open_database(const char* filename, sqlite3** out, int flags, const char* vfs_name) {
  if (out == nullptr) return SQLITE_MISUSE;
  *out = nullptr;
  sqlite3_initialize();
  auto* db = new sqlite3();
  *out = db;
  // Exactly READONLY, READWRITE or READWRITE|CREATE (SQLite's rule).
  if (((1 << (flags & 7)) & 0x46) == 0) return set_error(db, SQLITE_MISUSE);
  db->open_flags = flags;
  if (flags & SQLITE_OPEN_EXRESCODE) db->err_mask = 0xffffffffu;
  std::memcpy(db->limits, kDefaultLimits, sizeof db->limits);
  if (filename == nullptr) filename = "";
  std::string_view name(filename);
  engine::OpenOptions opts;
  opts.read_only = (flags & SQLITE_OPEN_READONLY) != 0;
  // In-memory databases are always created, whatever the CREATE flag says.
  opts.create = (flags & SQLITE_OPEN_CREATE) != 0 || name.empty() || name == ":memory:" ||
                (flags & SQLITE_OPEN_MEMORY) != 0;
  opts.uri = (flags & SQLITE_OPEN_URI) != 0 || global().uri;
  if (vfs_name != nullptr) {
    std::string_view v(vfs_name);
    if (v == "memdb") {
      opts.vfs = &os::memory_vfs();
    } else if (v != "unix" && v != os::default_vfs().name()) {
      return set_error(db, SQLITE_ERROR, "no such vfs: " + std::string(v));
    }
  }
  std::string engine_name(name);
  if (flags & SQLITE_OPEN_MEMORY)
    engine_name = opts.uri && name.substr(0, 5) == "file:" ? engine_name : ":memory:";
  // Feature modules: the defaults, plus a "file:" URI's experimental= and
  // modules= lists.
  auto request = std::make_shared<ext::ModuleRequest>();
  if (opts.uri) {
    Status rs = ext::add_uri_request(name, *request);
    if (!rs.ok()) return set_error(db, rs.code(), rs.message());
  }
  opts.before_open = [request](engine::Connection& c) { return ext::install_extensions(c, *request); };
  auto conn = engine::Connection::open(engine_name, opts);
  if (!conn.ok()) {
    int code = conn.status().code();
    std::string_view msg = conn.status().message();
    if (rc::primary(code) == SQLITE_CANTOPEN || msg.empty()) {
      return set_error(db, code, "unable to open database file");
    }
    return set_error(db, code, msg);
  }
  db->conn = std::move(conn).value();
  db->conn->compile_options().max_length = db->limits[SQLITE_LIMIT_LENGTH];
  db->conn->compile_options().max_sql_length = db->limits[SQLITE_LIMIT_SQL_LENGTH];
  // sqlite3_db_filename's buffer: the full path, then URI parameters.
  db->filename_buf = db->conn->filename(0);
  db->filename_buf.push_back('\0');
  if (opts.uri && name.substr(0, 5) == "file:") {
    for (auto& [k, v] : uri_params(name)) {
      db->filename_buf += k;
      db->filename_buf.push_back('\0');
      db->filename_buf += v;
      db->filename_buf.push_back('\0');
    }
  }
  db->filename_buf.push_back('\0');
  db->filename_buf.push_back('\0');
  return SQLITE_OK;
}

// Database index for a schema name; nullptr/"" means main. -1 if unknown.
int db_index(sqlite3* db, const char* name) {
  if (name == nullptr || *name == 0) return 0;
  if (sqlite3_stricmp(name, db->main_name.c_str()) == 0) return 0;
  return db->conn->catalog().find_database(name);
}

}  // namespace

void destroy_connection(sqlite3* db) {
  db->conn.reset();
  delete db;
}

void log_message(int code, const char* msg) {
  Global& g = global();
  if (g.log_fn) g.log_fn(g.log_arg, code, msg);
}

int database_index(sqlite3* db, const char* name) { return db_index(db, name); }

}  // namespace keel::capi

extern "C" {

SQLITE_API int sqlite3_initialize(void) {
  capi::global().initialized = true;
  return SQLITE_OK;
}

SQLITE_API int sqlite3_shutdown(void) {
  capi::global().initialized = false;
  return SQLITE_OK;
}

// Keel's OS layer needs no setup: its VFS objects are static.
SQLITE_API int sqlite3_os_init(void) { return SQLITE_OK; }
SQLITE_API int sqlite3_os_end(void) { return SQLITE_OK; }

SQLITE_API int sqlite3_config(int op, ...) {
  capi::Global& g = capi::global();
  if (g.initialized) return SQLITE_MISUSE;
  va_list ap;
  va_start(ap, op);
  int rc = SQLITE_OK;
  switch (op) {
    case SQLITE_CONFIG_MULTITHREAD:
    case SQLITE_CONFIG_SERIALIZED:
      break;
    case SQLITE_CONFIG_URI:
      g.uri = va_arg(ap, int) != 0;
      break;
    case SQLITE_CONFIG_LOG:
      g.log_fn = va_arg(ap, void (*)(void*, int, const char*));
      g.log_arg = va_arg(ap, void*);
      break;
    case SQLITE_CONFIG_MEMSTATUS:
      (void)va_arg(ap, int);
      break;
    case SQLITE_CONFIG_LOOKASIDE:
      (void)va_arg(ap, int);
      (void)va_arg(ap, int);
      break;
    default:
      rc = SQLITE_ERROR;
      break;
  }
  va_end(ap);
  return rc;
}

SQLITE_API void sqlite3_log(int code, const char* fmt, ...) {
  if (capi::global().log_fn == nullptr || fmt == nullptr) return;
  va_list ap;
  va_start(ap, fmt);
  char* msg = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  capi::log_message(code, msg ? msg : "");
  sqlite3_free(msg);
}

SQLITE_API int sqlite3_open_v2(const char* filename, sqlite3** ppDb, int flags, const char* zVfs) {
  return capi::open_database(filename, ppDb, flags, zVfs);
}

SQLITE_API int sqlite3_open(const char* filename, sqlite3** ppDb) {
  return capi::open_database(filename, ppDb, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
}

SQLITE_API int sqlite3_open16(const void* filename, sqlite3** ppDb) {
  if (filename == nullptr) filename = u"";
  std::string name = capi::utf16_to_utf8(filename, -1);
  return capi::open_database(name.c_str(), ppDb, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
}

static int close_connection(sqlite3* db, bool v2) {
  if (db == nullptr) return SQLITE_OK;
  if (db->n_stmts > 0 || db->n_backups > 0 || db->n_blobs > 0) {
    if (!v2) {
      return capi::set_error(db, SQLITE_BUSY,
                             "unable to close due to unfinalized statements or unfinished backups");
    }
    // close_v2: a zombie until the last statement or backup goes.
    db->zombie = true;
    return SQLITE_OK;
  }
  if (db->conn && db->trace_fn && (db->trace_mask & SQLITE_TRACE_CLOSE))
    db->trace_fn(SQLITE_TRACE_CLOSE, db->trace_ctx, db, nullptr);
  capi::destroy_connection(db);
  return SQLITE_OK;
}

SQLITE_API int sqlite3_close(sqlite3* db) { return close_connection(db, false); }
SQLITE_API int sqlite3_close_v2(sqlite3* db) { return close_connection(db, true); }

SQLITE_API int sqlite3_limit(sqlite3* db, int id, int new_value) {
  if (db == nullptr || !db->conn || id < 0 || id >= 12) return -1;
  if (id == SQLITE_LIMIT_WORKER_THREADS) {
    // PRAGMA threads sets the same value: the connection holds it.
    int old = db->conn->worker_threads();
    db->conn->set_worker_threads(new_value);
    return old;
  }
  int old = db->limits[id];
  if (new_value >= 0) {
    if (new_value > capi::kMaxLimits[id]) new_value = capi::kMaxLimits[id];
    db->limits[id] = new_value;
    if (id == SQLITE_LIMIT_LENGTH) db->conn->compile_options().max_length = new_value;
    if (id == SQLITE_LIMIT_SQL_LENGTH) db->conn->compile_options().max_sql_length = new_value;
    if (id == SQLITE_LIMIT_ATTACHED) db->conn->set_max_attached(new_value);
  }
  return old;
}

SQLITE_API int sqlite3_db_config(sqlite3* db, int op, ...) {
  if (db == nullptr || !db->conn) return SQLITE_MISUSE;
  va_list ap;
  va_start(ap, op);
  int rc = SQLITE_OK;
  auto flag = [&](bool* target, bool fixed_value, bool changeable) {
    int on = va_arg(ap, int);
    int* out = va_arg(ap, int*);
    if (changeable && target && on >= 0) *target = on > 0;
    if (out) *out = target ? *target : fixed_value;
  };
  plan::CompileOptions& co = db->conn->compile_options();
  switch (op) {
    case SQLITE_DBCONFIG_MAINDBNAME: {
      const char* name = va_arg(ap, const char*);
      db->main_name = name ? name : "main";
      break;
    }
    case SQLITE_DBCONFIG_LOOKASIDE:
      (void)va_arg(ap, void*);
      (void)va_arg(ap, int);
      (void)va_arg(ap, int);
      break;
    case SQLITE_DBCONFIG_ENABLE_FKEY:
      flag(&co.foreign_keys, false, true);
      break;
    case SQLITE_DBCONFIG_LEGACY_ALTER_TABLE:
      flag(&co.legacy_alter_table, false, true);
      break;
    case SQLITE_DBCONFIG_DQS_DML:
      flag(&co.dqs_dml, true, true);
      break;
    case SQLITE_DBCONFIG_DQS_DDL:
      flag(&co.dqs_ddl, true, true);
      break;
    case SQLITE_DBCONFIG_ENABLE_TRIGGER:
    case SQLITE_DBCONFIG_ENABLE_VIEW:
    case SQLITE_DBCONFIG_TRUSTED_SCHEMA: {
      int on = va_arg(ap, int);
      int* out = va_arg(ap, int*);
      if (on == 0) rc = SQLITE_ERROR;  // cannot be switched off in Keel
      if (out) *out = 1;
      break;
    }
    case SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION:
    case SQLITE_DBCONFIG_DEFENSIVE:
    case SQLITE_DBCONFIG_WRITABLE_SCHEMA:
    case SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER:
    case SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE:
    case SQLITE_DBCONFIG_ENABLE_QPSG:
    case SQLITE_DBCONFIG_TRIGGER_EQP:
    case SQLITE_DBCONFIG_RESET_DATABASE:
    case SQLITE_DBCONFIG_LEGACY_FILE_FORMAT: {
      int on = va_arg(ap, int);
      int* out = va_arg(ap, int*);
      if (on > 0) rc = SQLITE_ERROR;  // cannot be switched on in Keel
      if (out) *out = 0;
      break;
    }
    default:
      rc = SQLITE_ERROR;
      break;
  }
  va_end(ap);
  return rc;
}

SQLITE_API const char* sqlite3_db_filename(sqlite3* db, const char* zDbName) {
  if (db == nullptr || !db->conn) return nullptr;
  int idx = capi::database_index(db, zDbName);
  if (idx < 0) return nullptr;
  if (idx == 0) return db->filename_buf.c_str();
  if (!db->conn->database_btree(idx)) return "";
  return db->conn->filename(idx).c_str();
}

SQLITE_API const char* sqlite3_db_name(sqlite3* db, int n) {
  if (db == nullptr || !db->conn || n < 0) return nullptr;
  if (n == 0) return db->main_name.c_str();
  if (!db->conn->catalog().has_database(n)) return nullptr;
  return db->conn->catalog().database_name(n).c_str();
}

SQLITE_API int sqlite3_db_readonly(sqlite3* db, const char* zDbName) {
  if (db == nullptr || !db->conn) return -1;
  int idx = capi::database_index(db, zDbName);
  if (idx < 0) return -1;
  if (idx == 1 && !db->conn->database_btree(1)) return 0;
  return db->conn->read_only(idx) ? 1 : 0;
}

SQLITE_API int sqlite3_txn_state(sqlite3* db, const char* zSchema) {
  if (db == nullptr || !db->conn) return -1;
  if (zSchema == nullptr) {
    int best = 0;
    for (int i = 0; i < db->conn->catalog().database_count(); i++) {
      best = std::max(best, db->conn->transaction_state(i));
    }
    return best;
  }
  int idx = capi::database_index(db, zSchema);
  if (idx < 0) return -1;
  return db->conn->transaction_state(idx);
}

// Multi-thread mode: connections carry no mutex (SQLite returns NULL too).
SQLITE_API sqlite3_mutex* sqlite3_db_mutex(sqlite3*) { return nullptr; }

SQLITE_API const char* sqlite3_uri_parameter(const char* zFilename, const char* zParam) {
  if (zFilename == nullptr || zParam == nullptr) return nullptr;
  const char* p = zFilename + std::strlen(zFilename) + 1;
  while (*p) {
    const char* value = p + std::strlen(p) + 1;
    if (std::strcmp(p, zParam) == 0) return value;
    p = value + std::strlen(value) + 1;
  }
  return nullptr;
}

SQLITE_API const char* sqlite3_uri_key(const char* zFilename, int n) {
  if (zFilename == nullptr || n < 0) return nullptr;
  const char* p = zFilename + std::strlen(zFilename) + 1;
  while (*p) {
    if (n-- == 0) return p;
    const char* value = p + std::strlen(p) + 1;
    p = value + std::strlen(value) + 1;
  }
  return nullptr;
}

SQLITE_API int sqlite3_uri_boolean(const char* zFile, const char* zParam, int bDefault) {
  const char* v = sqlite3_uri_parameter(zFile, zParam);
  if (v == nullptr) return bDefault != 0;
  if (sqlite3_stricmp(v, "yes") == 0 || sqlite3_stricmp(v, "on") == 0 || sqlite3_stricmp(v, "true") == 0)
    return 1;
  if (sqlite3_stricmp(v, "no") == 0 || sqlite3_stricmp(v, "off") == 0 || sqlite3_stricmp(v, "false") == 0)
    return 0;
  if (*v >= '0' && *v <= '9') return std::atoll(v) != 0;
  return bDefault != 0;
}

SQLITE_API sqlite3_int64 sqlite3_uri_int64(const char* zFile, const char* zParam, sqlite3_int64 bDflt) {
  const char* v = sqlite3_uri_parameter(zFile, zParam);
  if (v == nullptr) return bDflt;
  char* end = nullptr;
  long long x = std::strtoll(v, &end, 10);
  if (end == v || *end != 0) return bDflt;
  return x;
}

SQLITE_API int sqlite3_file_control(sqlite3* db, const char* zDbName, int op, void* arg) {
  if (db == nullptr || !db->conn) return SQLITE_MISUSE;
  int idx = capi::database_index(db, zDbName);
  if (idx < 0 || !db->conn->database_btree(idx)) return SQLITE_ERROR;
  storage::Btree* bt = db->conn->database_btree(idx);
  switch (op) {
    case SQLITE_FCNTL_VFSNAME:
      *static_cast<char**>(arg) = capi::dup_string(os::default_vfs().name());
      return SQLITE_OK;
    case SQLITE_FCNTL_RESERVE_BYTES: {
      int* p = static_cast<int*>(arg);
      if (*p >= 0) return SQLITE_NOTFOUND;  // changing the reserve is not supported
      *p = static_cast<int>(bt->page_size() - bt->usable_size());
      return SQLITE_OK;
    }
    default:
      return SQLITE_NOTFOUND;
  }
}

SQLITE_API int sqlite3_enable_shared_cache(int enable) {
  // Shared-cache mode is not offered; turning it off is what Keel always is.
  return enable ? SQLITE_ERROR : SQLITE_OK;
}

SQLITE_API int sqlite3_enable_load_extension(sqlite3* db, int onoff) {
  if (db == nullptr || !db->conn) return SQLITE_MISUSE;
  if (onoff) return capi::set_error(db, SQLITE_ERROR, "loadable SQLite extensions are not supported by Keel");
  return SQLITE_OK;
}

SQLITE_API int sqlite3_load_extension(sqlite3* db, const char*, const char*, char** pzErrMsg) {
  const char* msg = "loadable SQLite extensions are not supported by Keel";
  if (pzErrMsg) *pzErrMsg = capi::dup_string(msg);
  return capi::set_error(db, SQLITE_ERROR, msg);
}

}  // extern "C"
