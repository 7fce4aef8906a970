// Binding parameters, reading result columns, and the sqlite3_value family.
//
// Conversions follow SQLite: column_text/value_text of a number renders it
// (REAL as "%!.15g"), of a BLOB returns its bytes with a NUL added;
// column_bytes is the size of the form most recently asked for, which for
// numbers is the length of their text. Pointers stay valid until the next
// step, reset or finalize of the statement (or until another conversion of
// the same value), as SQLite documents.
#include <cstring>

#include "capi_internal.h"

using namespace keel;

namespace keel::capi {

const unsigned char* value_text(sqlite3_value* p) {
  if (p == nullptr) return nullptr;
  const vm::Value& v = p->v;
  switch (v.type()) {
    case vm::ValueType::kNull:
      return nullptr;
    case vm::ValueType::kText:
      if (!v.is_borrowed() && !v.is_zeroblob()) {
        return reinterpret_cast<const unsigned char*>(v.data() ? v.data() : "");
      }
      break;
    default:
      break;
  }
  if (!p->scratch_valid) {
    if (v.is_blob()) p->blob_as_text = true;
    if (v.is_bytes()) {
      if (v.is_zeroblob()) {
        p->scratch.assign(v.size(), '\0');
      } else {
        p->scratch.assign(v.text());
      }
    } else {
      vm::NumberText t;
      p->scratch.assign(v.as_text(t));
    }
    p->scratch_valid = true;
  }
  return reinterpret_cast<const unsigned char*>(p->scratch.c_str());
}

const void* value_blob(sqlite3_value* p) {
  if (p == nullptr) return nullptr;
  const vm::Value& v = p->v;
  if (v.is_blob()) {
    if (v.size() == 0) return nullptr;
    if (!v.is_zeroblob()) return v.data();
  }
  return value_text(p);
}

int value_bytes(sqlite3_value* p) {
  if (p == nullptr) return 0;
  const vm::Value& v = p->v;
  if (v.is_bytes()) return static_cast<int>(v.size());
  if (v.is_null()) return 0;
  vm::NumberText t;
  return static_cast<int>(v.as_text(t).size());
}

const void* value_text16(sqlite3_value* p) {
  const unsigned char* t = value_text(p);
  if (t == nullptr) return nullptr;
  // Converted once per value, so earlier pointers stay valid.
  if (!p->scratch16_valid) {
    p->scratch16 = utf8_to_utf16(std::string_view(reinterpret_cast<const char*>(t), value_bytes(p)));
    p->scratch16_valid = true;
  }
  return p->scratch16.c_str();
}

int value_bytes16(sqlite3_value* p) {
  if (value_text16(p) == nullptr) return 0;
  return static_cast<int>(p->scratch16.size() * 2);
}

}  // namespace keel::capi

namespace {

// Binds one value, recording the outcome on the connection.
int bind(sqlite3_stmt* s, int i, const vm::Value& v) {
  if (s == nullptr) return SQLITE_MISUSE;
  Status st = s->st->bind(i, v);
  return capi::set_error(s->db, st);
}

bool is_special(void (*d)(void*)) { return d == SQLITE_STATIC || d == SQLITE_TRANSIENT; }

int bind_bytes(sqlite3_stmt* s, int i, const void* p, sqlite3_uint64 n, void (*destroy)(void*), bool text) {
  int rc;
  if (p == nullptr) {
    rc = bind(s, i, vm::Value::null());
  } else if (s != nullptr && n > static_cast<sqlite3_uint64>(s->db->limits[SQLITE_LIMIT_LENGTH])) {
    rc = capi::set_error(s->db, SQLITE_TOOBIG, "string or blob too big");
  } else if (text) {
    rc = bind(s, i, vm::Value::text_ref(std::string_view(static_cast<const char*>(p), n)));
  } else {
    rc = bind(s, i, vm::Value::blob_ref(std::span<const uint8_t>(static_cast<const uint8_t*>(p), n)));
  }
  if (p != nullptr && !is_special(destroy)) destroy(const_cast<void*>(p));
  return rc;
}

sqlite3_value* col(sqlite3_stmt* s, int i) { return s ? s->column(i) : nullptr; }

const vm::Value* col_value(sqlite3_stmt* s, int i) {
  if (s == nullptr) return nullptr;
  auto row = s->st->row();
  if (i < 0 || static_cast<size_t>(i) >= row.size()) return nullptr;
  return &row[i];
}

const vm::ResultColumnInfo* col_info(sqlite3_stmt* s, int i) {
  if (s == nullptr || i < 0 || i >= s->st->column_count()) return nullptr;
  return &s->st->column_info(i);
}

const char* nullable(const std::string& s) { return s.empty() ? nullptr : s.c_str(); }

// UTF-16 form of a column's metadata string, cached per column and kind.
const void* meta16(sqlite3_stmt* s, int i, int kind, const char* text) {
  if (text == nullptr) return nullptr;
  int n = s->st->column_count();
  if (s->names16.size() != static_cast<size_t>(n) * 5) s->names16.assign(static_cast<size_t>(n) * 5, {});
  std::u16string& out = s->names16[static_cast<size_t>(i) * 5 + kind];
  out = capi::utf8_to_utf16(text);
  return out.c_str();
}

}  // namespace

extern "C" {

// ---------------------------------------------------------------- binding

SQLITE_API int sqlite3_bind_blob(sqlite3_stmt* s, int i, const void* p, int n, void (*d)(void*)) {
  if (n < 0) n = 0;
  return bind_bytes(s, i, p, static_cast<sqlite3_uint64>(n), d, false);
}
SQLITE_API int sqlite3_bind_blob64(sqlite3_stmt* s, int i, const void* p, sqlite3_uint64 n,
                                   void (*d)(void*)) {
  return bind_bytes(s, i, p, n, d, false);
}
SQLITE_API int sqlite3_bind_double(sqlite3_stmt* s, int i, double v) {
  return bind(s, i, vm::Value::real(v));
}
SQLITE_API int sqlite3_bind_int(sqlite3_stmt* s, int i, int v) { return bind(s, i, vm::Value::integer(v)); }
SQLITE_API int sqlite3_bind_int64(sqlite3_stmt* s, int i, sqlite3_int64 v) {
  return bind(s, i, vm::Value::integer(v));
}
SQLITE_API int sqlite3_bind_null(sqlite3_stmt* s, int i) { return bind(s, i, vm::Value::null()); }
SQLITE_API int sqlite3_bind_text(sqlite3_stmt* s, int i, const char* p, int n, void (*d)(void*)) {
  size_t len = p == nullptr ? 0 : n < 0 ? std::strlen(p) : static_cast<size_t>(n);
  return bind_bytes(s, i, p, len, d, true);
}
SQLITE_API int sqlite3_bind_text64(sqlite3_stmt* s, int i, const char* p, sqlite3_uint64 n, void (*d)(void*),
                                   unsigned char encoding) {
  if (p != nullptr && encoding != SQLITE_UTF8) {
    std::string u8 = encoding == SQLITE_UTF16BE || encoding == SQLITE_UTF16LE
                         ? capi::utf16_to_utf8_swapped(p, static_cast<int>(n), encoding == SQLITE_UTF16BE)
                         : capi::utf16_to_utf8(p, static_cast<int>(n));
    int rc = bind_bytes(s, i, u8.data(), u8.size(), SQLITE_TRANSIENT, true);
    if (!is_special(d)) d(const_cast<char*>(p));
    return rc;
  }
  return bind_bytes(s, i, p, n, d, true);
}
SQLITE_API int sqlite3_bind_text16(sqlite3_stmt* s, int i, const void* p, int n, void (*d)(void*)) {
  if (p == nullptr) return bind_bytes(s, i, nullptr, 0, d, true);
  std::string u8 = capi::utf16_to_utf8(p, n);
  int rc = bind_bytes(s, i, u8.data(), u8.size(), SQLITE_TRANSIENT, true);
  if (!is_special(d)) d(const_cast<void*>(p));
  return rc;
}
SQLITE_API int sqlite3_bind_value(sqlite3_stmt* s, int i, const sqlite3_value* v) {
  if (v == nullptr) return bind(s, i, vm::Value::null());
  return bind(s, i, v->v);
}
SQLITE_API int sqlite3_bind_zeroblob(sqlite3_stmt* s, int i, int n) {
  return bind(s, i, vm::Value::zeroblob(n));
}
SQLITE_API int sqlite3_bind_zeroblob64(sqlite3_stmt* s, int i, sqlite3_uint64 n) {
  if (s != nullptr && n > static_cast<sqlite3_uint64>(s->db->limits[SQLITE_LIMIT_LENGTH])) {
    return capi::set_error(s->db, SQLITE_TOOBIG, "string or blob too big");
  }
  return bind(s, i, vm::Value::zeroblob(static_cast<int64_t>(n)));
}
SQLITE_API int sqlite3_bind_parameter_count(sqlite3_stmt* s) { return s ? s->st->parameter_count() : 0; }
SQLITE_API const char* sqlite3_bind_parameter_name(sqlite3_stmt* s, int i) {
  if (s == nullptr) return nullptr;
  std::string_view name = s->st->parameter_name(i);
  return name.empty() ? nullptr : name.data();
}
SQLITE_API int sqlite3_bind_parameter_index(sqlite3_stmt* s, const char* name) {
  if (s == nullptr || name == nullptr) return 0;
  return s->st->parameter_index(name);
}

// ---------------------------------------------------------------- columns

SQLITE_API int sqlite3_column_count(sqlite3_stmt* s) { return s ? s->st->column_count() : 0; }

SQLITE_API const char* sqlite3_column_name(sqlite3_stmt* s, int i) {
  auto* c = col_info(s, i);
  return c ? c->name.c_str() : nullptr;
}
SQLITE_API const char* sqlite3_column_decltype(sqlite3_stmt* s, int i) {
  auto* c = col_info(s, i);
  return c ? nullable(c->decltype_) : nullptr;
}
SQLITE_API const char* sqlite3_column_database_name(sqlite3_stmt* s, int i) {
  auto* c = col_info(s, i);
  return c ? nullable(c->database) : nullptr;
}
SQLITE_API const char* sqlite3_column_table_name(sqlite3_stmt* s, int i) {
  auto* c = col_info(s, i);
  return c ? nullable(c->table) : nullptr;
}
SQLITE_API const char* sqlite3_column_origin_name(sqlite3_stmt* s, int i) {
  auto* c = col_info(s, i);
  return c ? nullable(c->origin) : nullptr;
}
SQLITE_API const void* sqlite3_column_name16(sqlite3_stmt* s, int i) {
  return meta16(s, i, 0, sqlite3_column_name(s, i));
}
SQLITE_API const void* sqlite3_column_decltype16(sqlite3_stmt* s, int i) {
  return meta16(s, i, 1, sqlite3_column_decltype(s, i));
}
SQLITE_API const void* sqlite3_column_database_name16(sqlite3_stmt* s, int i) {
  return meta16(s, i, 2, sqlite3_column_database_name(s, i));
}
SQLITE_API const void* sqlite3_column_table_name16(sqlite3_stmt* s, int i) {
  return meta16(s, i, 3, sqlite3_column_table_name(s, i));
}
SQLITE_API const void* sqlite3_column_origin_name16(sqlite3_stmt* s, int i) {
  return meta16(s, i, 4, sqlite3_column_origin_name(s, i));
}

SQLITE_API int sqlite3_column_type(sqlite3_stmt* s, int i) {
  const vm::Value* v = col_value(s, i);
  if (v == nullptr) return SQLITE_NULL;
  if (v->is_blob() && static_cast<size_t>(i) < s->cols.size() && s->col_gen[i] == s->row_gen &&
      s->cols[i].blob_as_text) {
    return SQLITE_TEXT;
  }
  return static_cast<int>(v->type());
}
SQLITE_API sqlite3_int64 sqlite3_column_int64(sqlite3_stmt* s, int i) {
  const vm::Value* v = col_value(s, i);
  return v ? v->as_int64() : 0;
}
SQLITE_API int sqlite3_column_int(sqlite3_stmt* s, int i) {
  return static_cast<int>(static_cast<uint32_t>(sqlite3_column_int64(s, i)));
}
SQLITE_API double sqlite3_column_double(sqlite3_stmt* s, int i) {
  const vm::Value* v = col_value(s, i);
  return v ? v->as_double() : 0.0;
}
SQLITE_API const unsigned char* sqlite3_column_text(sqlite3_stmt* s, int i) {
  return capi::value_text(col(s, i));
}
SQLITE_API const void* sqlite3_column_blob(sqlite3_stmt* s, int i) { return capi::value_blob(col(s, i)); }
SQLITE_API int sqlite3_column_bytes(sqlite3_stmt* s, int i) {
  const vm::Value* v = col_value(s, i);
  if (v == nullptr) return 0;
  if (v->is_bytes()) return static_cast<int>(v->size());
  return capi::value_bytes(col(s, i));
}
SQLITE_API const void* sqlite3_column_text16(sqlite3_stmt* s, int i) { return capi::value_text16(col(s, i)); }
SQLITE_API int sqlite3_column_bytes16(sqlite3_stmt* s, int i) { return capi::value_bytes16(col(s, i)); }
SQLITE_API sqlite3_value* sqlite3_column_value(sqlite3_stmt* s, int i) {
  sqlite3_value* v = col(s, i);
  if (v) return v;
  static thread_local sqlite3_value null_value;
  null_value.v.set_null();
  return &null_value;
}

// ---------------------------------------------------------------- values

SQLITE_API const void* sqlite3_value_blob(sqlite3_value* v) { return capi::value_blob(v); }
SQLITE_API double sqlite3_value_double(sqlite3_value* v) { return v ? v->v.as_double() : 0.0; }
SQLITE_API int sqlite3_value_int(sqlite3_value* v) {
  return v ? static_cast<int>(static_cast<uint32_t>(v->v.as_int64())) : 0;
}
SQLITE_API sqlite3_int64 sqlite3_value_int64(sqlite3_value* v) { return v ? v->v.as_int64() : 0; }
SQLITE_API const unsigned char* sqlite3_value_text(sqlite3_value* v) { return capi::value_text(v); }
SQLITE_API const void* sqlite3_value_text16(sqlite3_value* v) { return capi::value_text16(v); }
SQLITE_API const void* sqlite3_value_text16le(sqlite3_value* v) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "native UTF-16 is little-endian here");
  return capi::value_text16(v);
}
SQLITE_API const void* sqlite3_value_text16be(sqlite3_value* v) {
  if (capi::value_text16(v) == nullptr) return nullptr;
  for (char16_t& c : v->scratch16) c = static_cast<char16_t>((c >> 8) | (c << 8));
  v->scratch16_valid = false;  // no longer the native form
  return v->scratch16.c_str();
}
SQLITE_API int sqlite3_value_bytes(sqlite3_value* v) { return capi::value_bytes(v); }
SQLITE_API int sqlite3_value_bytes16(sqlite3_value* v) { return capi::value_bytes16(v); }
SQLITE_API int sqlite3_value_type(sqlite3_value* v) {
  if (v == nullptr) return SQLITE_NULL;
  if (v->blob_as_text && v->v.is_blob()) return SQLITE_TEXT;
  return static_cast<int>(v->v.type());
}
SQLITE_API int sqlite3_value_numeric_type(sqlite3_value* v) {
  if (v == nullptr) return SQLITE_NULL;
  // As SQLite, a TEXT that looks like a number is converted in place.
  if (v->v.is_text()) {
    vm::ValueType t = v->v.numeric_type();
    if (t == vm::ValueType::kInteger) {
      v->v.set_int(v->v.as_int64());
      v->reset_scratch();
    } else if (t == vm::ValueType::kReal) {
      v->v.set_real(v->v.as_double());
      v->reset_scratch();
    }
  }
  return static_cast<int>(v->v.type());
}
// Only an xUpdate of a virtual table sees "unchanged" columns; Keel's C API
// has no virtual tables, so no value is ever one.
SQLITE_API int sqlite3_value_nochange(sqlite3_value*) { return 0; }
SQLITE_API unsigned int sqlite3_value_subtype(sqlite3_value* v) { return v ? v->v.subtype() : 0; }

SQLITE_API sqlite3_value* sqlite3_value_dup(const sqlite3_value* v) {
  if (v == nullptr) return nullptr;
  auto* out = new (std::nothrow) sqlite3_value();
  if (out == nullptr) return nullptr;
  out->v.copy_from(v->v);
  out->v.set_subtype(v->v.subtype());
  out->dynamic = true;
  return out;
}
SQLITE_API void sqlite3_value_free(sqlite3_value* v) {
  if (v != nullptr && v->dynamic) delete v;
}

}  // extern "C"
