// Library-level calls: version, memory, printf, string helpers, the VFS
// object, and the connection's counters and simple settings.
#include <cstdlib>
#include <cstring>
#include <thread>

#include "capi_internal.h"
#include "keel/version.hpp"
#include "os/vfs.h"
#include "parse/parser.h"
#include "vm/collation.h"
#include "vm/printf.h"

using namespace keel;

namespace keel::capi {

char* dup_string(std::string_view s) {
  auto* p = static_cast<char*>(sqlite3_malloc64(s.size() + 1));
  if (p == nullptr) return nullptr;
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = 0;
  return p;
}

std::u16string utf8_to_utf16(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    int extra;
    if (c < 0x80) {
      cp = c;
      extra = 0;
    } else if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F;
      extra = 1;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F;
      extra = 2;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07;
      extra = 3;
    } else {
      cp = 0xFFFD;
      extra = 0;
    }
    i++;
    for (int k = 0; k < extra; k++) {
      if (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) {
        cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
        i++;
      } else {
        cp = 0xFFFD;
        break;
      }
    }
    if (cp >= 0x10000 && cp <= 0x10FFFF) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp > 0x10FFFF ? 0xFFFD : cp));
    }
  }
  return out;
}

namespace {
void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string utf16_units_to_utf8(const uint8_t* p, size_t units, bool big_endian) {
  std::string out;
  auto unit = [&](size_t i) -> uint32_t {
    return big_endian ? (uint32_t{p[2 * i]} << 8) | p[2 * i + 1] : (uint32_t{p[2 * i + 1]} << 8) | p[2 * i];
  };
  for (size_t i = 0; i < units; i++) {
    uint32_t c = unit(i);
    if (c >= 0xD800 && c < 0xDC00 && i + 1 < units) {
      uint32_t d = unit(i + 1);
      if (d >= 0xDC00 && d < 0xE000) {
        c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
        i++;
      }
    }
    append_utf8(out, c);
  }
  return out;
}

size_t count_units(const uint8_t* p, int n_bytes) {
  if (n_bytes >= 0) return static_cast<size_t>(n_bytes) / 2;
  size_t units = 0;
  while (p[2 * units] != 0 || p[2 * units + 1] != 0) units++;
  return units;
}
}  // namespace

std::string utf16_to_utf8(const void* p, int n_bytes) {
  auto* b = static_cast<const uint8_t*>(p);
  return utf16_units_to_utf8(b, count_units(b, n_bytes), __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
}

std::string utf16_to_utf8_swapped(const void* p, int n_bytes, bool big_endian) {
  auto* b = static_cast<const uint8_t*>(p);
  return utf16_units_to_utf8(b, count_units(b, n_bytes), big_endian);
}

}  // namespace keel::capi

// ---------------------------------------------------------------- the default VFS object
namespace {

os::Vfs& vfs_of(sqlite3_vfs* v) { return *static_cast<os::Vfs*>(v->pAppData); }

int vfs_open(sqlite3_vfs*, const char*, sqlite3_file*, int, int*) { return SQLITE_CANTOPEN; }
int vfs_delete(sqlite3_vfs* v, const char* name, int sync_dir) {
  Status s = vfs_of(v).remove(name ? name : "", sync_dir != 0);
  return s.ok() ? SQLITE_OK : s.code();
}
int vfs_access(sqlite3_vfs* v, const char* name, int flags, int* out) {
  Result<bool> r = flags == SQLITE_ACCESS_READWRITE ? vfs_of(v).is_writable(name ? name : "")
                                                    : vfs_of(v).exists(name ? name : "");
  if (!r.ok()) return r.status().code();
  *out = *r ? 1 : 0;
  return SQLITE_OK;
}
int vfs_full_pathname(sqlite3_vfs* v, const char* name, int n_out, char* out) {
  auto r = vfs_of(v).full_pathname(name ? name : "");
  if (!r.ok()) return r.status().code();
  if (static_cast<int>(r->size()) >= n_out) return SQLITE_CANTOPEN;
  std::memcpy(out, r->c_str(), r->size() + 1);
  return SQLITE_OK;
}
void* vfs_dlopen(sqlite3_vfs*, const char*) { return nullptr; }
void vfs_dlerror(sqlite3_vfs*, int n, char* out) {
  if (n > 0) snprintf(out, static_cast<size_t>(n), "%s", "loadable extensions are not supported by Keel");
}
void (*vfs_dlsym(sqlite3_vfs*, void*, const char*))(void) { return nullptr; }
void vfs_dlclose(sqlite3_vfs*, void*) {}
int vfs_randomness(sqlite3_vfs* v, int n, char* out) {
  if (n > 0) vfs_of(v).randomness(out, static_cast<size_t>(n));
  return n;
}
int vfs_sleep(sqlite3_vfs* v, int micros) {
  if (micros > 0) vfs_of(v).sleep_micros(micros);
  return micros;
}
int vfs_current_time(sqlite3_vfs* v, double* out) {
  *out = static_cast<double>(vfs_of(v).current_time_ms()) / 86400000.0;
  return SQLITE_OK;
}
int vfs_get_last_error(sqlite3_vfs*, int, char*) { return 0; }
int vfs_current_time_int64(sqlite3_vfs* v, sqlite3_int64* out) {
  *out = vfs_of(v).current_time_ms();
  return SQLITE_OK;
}

sqlite3_vfs* make_vfs(os::Vfs& impl, const char* name, sqlite3_vfs* next) {
  auto* v = new sqlite3_vfs();
  v->iVersion = 2;
  v->szOsFile = sizeof(sqlite3_file);
  v->mxPathname = 4096;
  v->pNext = next;
  v->zName = name;
  v->pAppData = &impl;
  v->xOpen = vfs_open;
  v->xDelete = vfs_delete;
  v->xAccess = vfs_access;
  v->xFullPathname = vfs_full_pathname;
  v->xDlOpen = vfs_dlopen;
  v->xDlError = vfs_dlerror;
  v->xDlSym = vfs_dlsym;
  v->xDlClose = vfs_dlclose;
  v->xRandomness = vfs_randomness;
  v->xSleep = vfs_sleep;
  v->xCurrentTime = vfs_current_time;
  v->xGetLastError = vfs_get_last_error;
  v->xCurrentTimeInt64 = vfs_current_time_int64;
  return v;
}

sqlite3_vfs* vfs_list() {
  static sqlite3_vfs* list = [] {
    sqlite3_vfs* mem = make_vfs(os::memory_vfs(), "memdb", nullptr);
    return make_vfs(os::default_vfs(), "unix", mem);
  }();
  return list;
}

// Walks a printf format the way the formatter consumes its arguments, to
// find the %z strings that sqlite3_mprintf must free afterwards.
std::vector<char*> z_arguments(const char* fmt, va_list ap) {
  std::vector<char*> out;
  va_list a;
  va_copy(a, ap);
  for (const char* p = fmt; *p; p++) {
    if (*p != '%') continue;
    p++;
    while (*p == '-' || *p == '+' || *p == ' ' || *p == '#' || *p == '!' || *p == '0' || *p == ',') p++;
    if (*p == '*') {
      (void)va_arg(a, int);
      p++;
    } else {
      while (*p >= '0' && *p <= '9') p++;
    }
    if (*p == '.') {
      p++;
      if (*p == '*') {
        (void)va_arg(a, int);
        p++;
      } else {
        while (*p >= '0' && *p <= '9') p++;
      }
    }
    int longs = 0;
    while (*p == 'l') {
      longs++;
      p++;
    }
    switch (*p) {
      case 'd':
      case 'i':
      case 'u':
      case 'x':
      case 'X':
      case 'o':
      case 'c':
        if (longs >= 2) {
          (void)va_arg(a, long long);
        } else if (longs == 1) {
          (void)va_arg(a, long);
        } else {
          (void)va_arg(a, int);
        }
        break;
      case 'f':
      case 'e':
      case 'E':
      case 'g':
      case 'G':
        (void)va_arg(a, double);
        break;
      case 'z':
        out.push_back(va_arg(a, char*));
        break;
      case 's':
      case 'q':
      case 'Q':
      case 'w':
      case 'p':
      case 'n':
      case 'T':
      case 'S':
        (void)va_arg(a, void*);
        break;
      case '%':
        break;
      default:
        // An unknown conversion ends the output, as in the formatter.
        va_end(a);
        return out;
    }
    if (*p == 0) break;
  }
  va_end(a);
  return out;
}

}  // namespace

extern "C" {

const char sqlite3_version[] = SQLITE_VERSION;
SQLITE_API const char* sqlite3_libversion(void) { return SQLITE_VERSION; }
SQLITE_API const char* sqlite3_sourceid(void) { return SQLITE_SOURCE_ID; }
SQLITE_API int sqlite3_libversion_number(void) { return SQLITE_VERSION_NUMBER; }
SQLITE_API int sqlite3_threadsafe(void) { return 2; }

static const char* const kCompileOptions[] = {"KEEL", "THREADSAFE=2"};

SQLITE_API int sqlite3_compileoption_used(const char* name) {
  if (name == nullptr) return 0;
  if (sqlite3_strnicmp(name, "SQLITE_", 7) == 0) name += 7;
  for (const char* opt : kCompileOptions) {
    size_t n = std::strlen(name);
    if (sqlite3_strnicmp(name, opt, static_cast<int>(n)) == 0 && (opt[n] == 0 || opt[n] == '=')) return 1;
  }
  return 0;
}

SQLITE_API const char* sqlite3_compileoption_get(int n) {
  if (n < 0 || n >= static_cast<int>(sizeof kCompileOptions / sizeof kCompileOptions[0])) return nullptr;
  return kCompileOptions[n];
}

// ---------------------------------------------------------------- memory
// Each block carries its size in an 8-byte (16-byte aligned) header so
// sqlite3_msize and realloc know it.
static constexpr size_t kHeader = 16;

SQLITE_API void* sqlite3_malloc64(sqlite3_uint64 n) {
  if (n == 0 || n > (sqlite3_uint64{1} << 62)) return nullptr;
  auto* p = static_cast<uint8_t*>(std::malloc(n + kHeader));
  if (p == nullptr) return nullptr;
  std::memcpy(p, &n, sizeof n);
  return p + kHeader;
}
SQLITE_API void* sqlite3_malloc(int n) {
  return n <= 0 ? nullptr : sqlite3_malloc64(static_cast<sqlite3_uint64>(n));
}
SQLITE_API void sqlite3_free(void* p) {
  if (p) std::free(static_cast<uint8_t*>(p) - kHeader);
}
SQLITE_API sqlite3_uint64 sqlite3_msize(void* p) {
  if (p == nullptr) return 0;
  sqlite3_uint64 n;
  std::memcpy(&n, static_cast<uint8_t*>(p) - kHeader, sizeof n);
  return n;
}
SQLITE_API void* sqlite3_realloc64(void* p, sqlite3_uint64 n) {
  if (p == nullptr) return sqlite3_malloc64(n);
  if (n == 0) {
    sqlite3_free(p);
    return nullptr;
  }
  if (n > (sqlite3_uint64{1} << 62)) return nullptr;
  auto* q = static_cast<uint8_t*>(std::realloc(static_cast<uint8_t*>(p) - kHeader, n + kHeader));
  if (q == nullptr) return nullptr;
  std::memcpy(q, &n, sizeof n);
  return q + kHeader;
}
SQLITE_API void* sqlite3_realloc(void* p, int n) {
  if (n <= 0) {
    sqlite3_free(p);
    return nullptr;
  }
  return sqlite3_realloc64(p, static_cast<sqlite3_uint64>(n));
}

SQLITE_API void sqlite3_randomness(int n, void* p) {
  if (n > 0 && p) os::default_vfs().randomness(p, static_cast<size_t>(n));
}

// ---------------------------------------------------------------- printf
SQLITE_API char* sqlite3_vmprintf(const char* fmt, va_list ap) {
  if (fmt == nullptr) return nullptr;
  std::vector<char*> zs = z_arguments(fmt, ap);
  va_list a;
  va_copy(a, ap);
  std::string s = vm::vformat(fmt, a);
  va_end(a);
  for (char* z : zs) sqlite3_free(z);
  return capi::dup_string(s);
}
SQLITE_API char* sqlite3_mprintf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char* r = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  return r;
}
SQLITE_API char* sqlite3_vsnprintf(int n, char* buf, const char* fmt, va_list ap) {
  if (n <= 0 || buf == nullptr) return buf;
  if (fmt == nullptr) {
    buf[0] = 0;
    return buf;
  }
  std::vector<char*> zs = z_arguments(fmt, ap);
  va_list a;
  va_copy(a, ap);
  std::string s = vm::vformat(fmt, a);
  va_end(a);
  for (char* z : zs) sqlite3_free(z);
  size_t k = std::min(s.size(), static_cast<size_t>(n - 1));
  std::memcpy(buf, s.data(), k);
  buf[k] = 0;
  return buf;
}
SQLITE_API char* sqlite3_snprintf(int n, char* buf, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char* r = sqlite3_vsnprintf(n, buf, fmt, ap);
  va_end(ap);
  return r;
}

// ---------------------------------------------------------------- strings
SQLITE_API int sqlite3_stricmp(const char* a, const char* b) {
  if (a == nullptr) return b ? -1 : 0;
  if (b == nullptr) return 1;
  return vm::stricmp(a, b);
}
SQLITE_API int sqlite3_strnicmp(const char* a, const char* b, int n) {
  if (a == nullptr) return b ? -1 : 0;
  if (b == nullptr) return 1;
  return n <= 0 ? 0 : vm::strnicmp(a, b, static_cast<size_t>(n));
}

SQLITE_API int sqlite3_complete(const char* sql) { return sql && parse::is_complete(sql) ? 1 : 0; }
SQLITE_API int sqlite3_complete16(const void* sql) {
  if (sql == nullptr) return 0;
  return sqlite3_complete(capi::utf16_to_utf8(sql, -1).c_str());
}

SQLITE_API int sqlite3_sleep(int ms) {
  if (ms < 0) ms = 0;
  os::default_vfs().sleep_micros(static_cast<int64_t>(ms) * 1000);
  return ms;
}

SQLITE_API sqlite3_vfs* sqlite3_vfs_find(const char* name) {
  sqlite3_vfs* list = vfs_list();
  if (name == nullptr) return list;
  for (sqlite3_vfs* v = list; v; v = v->pNext) {
    if (std::strcmp(v->zName, name) == 0) return v;
  }
  return nullptr;
}

// ---------------------------------------------------------------- connection counters and settings
SQLITE_API sqlite3_int64 sqlite3_last_insert_rowid(sqlite3* db) {
  return db && db->conn ? db->conn->last_insert_rowid() : 0;
}
SQLITE_API void sqlite3_set_last_insert_rowid(sqlite3* db, sqlite3_int64 rowid) {
  if (db && db->conn) db->conn->set_last_insert_rowid(rowid);
}
SQLITE_API sqlite3_int64 sqlite3_changes64(sqlite3* db) { return db && db->conn ? db->conn->changes() : 0; }
SQLITE_API int sqlite3_changes(sqlite3* db) { return static_cast<int>(sqlite3_changes64(db)); }
SQLITE_API sqlite3_int64 sqlite3_total_changes64(sqlite3* db) {
  return db && db->conn ? db->conn->total_changes() : 0;
}
SQLITE_API int sqlite3_total_changes(sqlite3* db) { return static_cast<int>(sqlite3_total_changes64(db)); }
SQLITE_API void sqlite3_interrupt(sqlite3* db) {
  if (db && db->conn) db->conn->interrupt();
}
SQLITE_API int sqlite3_get_autocommit(sqlite3* db) { return db && db->conn->autocommit() ? 1 : 0; }

SQLITE_API int sqlite3_busy_timeout(sqlite3* db, int ms) {
  if (db == nullptr || !db->conn) return SQLITE_MISUSE;
  db->busy_fn = nullptr;
  db->busy_arg = nullptr;
  db->conn->set_busy_timeout(ms);
  return SQLITE_OK;
}

SQLITE_API int sqlite3_busy_handler(sqlite3* db, int (*fn)(void*, int), void* arg) {
  if (db == nullptr || !db->conn) return SQLITE_MISUSE;
  db->busy_fn = fn;
  db->busy_arg = arg;
  if (fn == nullptr) {
    db->conn->set_busy_handler(nullptr);
  } else {
    db->conn->set_busy_handler([db](int count) { return db->busy_fn(db->busy_arg, count) != 0; });
  }
  return SQLITE_OK;
}

}  // extern "C"
