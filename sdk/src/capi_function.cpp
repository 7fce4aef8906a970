// User-defined SQL functions and collations through the C API.
//
// Each sqlite3_create_function_v2 / create_window_function call becomes one
// func::FunctionDef whose user_data is a CFunction holding the C callbacks
// and pApp; the scalar/step/final/value/inverse adapters below rebuild the
// sqlite3_context and sqlite3_value* array SQLite would pass. xDestroy runs
// when the definition is replaced, removed or the connection closes.
#include <cstring>

#include "capi_internal.h"
#include "vm/collation.h"

using namespace keel;

namespace {

struct CFunction {
  sqlite3* db = nullptr;
  void* app = nullptr;
  void (*x_func)(sqlite3_context*, int, sqlite3_value**) = nullptr;
  void (*x_step)(sqlite3_context*, int, sqlite3_value**) = nullptr;
  void (*x_final)(sqlite3_context*) = nullptr;
  void (*x_value)(sqlite3_context*) = nullptr;
  void (*x_inverse)(sqlite3_context*, int, sqlite3_value**) = nullptr;
  void (*x_destroy)(void*) = nullptr;
};

// The arguments as sqlite3_values: shallow copies of the registers (no byte
// copies), with room for conversion scratch. Small calls use the stack.
class ArgFrame {
 public:
  explicit ArgFrame(std::span<vm::Value> args) : n_(static_cast<int>(args.size())) {
    if (args.size() > kInline) {
      heap_.reset(new sqlite3_value[args.size()]);
      heap_ptrs_.resize(args.size());
      vals_ = heap_.get();
      argv_ = heap_ptrs_.data();
    } else {
      vals_ = inline_;
      argv_ = ptrs_;
    }
    for (size_t i = 0; i < args.size(); i++) {
      vals_[i].v.shallow_copy_from(args[i]);
      vals_[i].v.set_subtype(args[i].subtype());
      argv_[i] = &vals_[i];
    }
  }
  int argc() const { return n_; }
  sqlite3_value** argv() { return argv_; }

 private:
  static constexpr size_t kInline = 6;
  int n_;
  sqlite3_value inline_[kInline];
  sqlite3_value* ptrs_[kInline];
  std::unique_ptr<sqlite3_value[]> heap_;
  std::vector<sqlite3_value*> heap_ptrs_;
  sqlite3_value* vals_;
  sqlite3_value** argv_;
};

CFunction* cfunc(func::FunctionContext& ctx) { return static_cast<CFunction*>(ctx.user_data()); }

void scalar_adapter(func::FunctionContext& ctx, std::span<vm::Value> args) {
  CFunction* f = cfunc(ctx);
  sqlite3_context c{&ctx, f->db, f->app};
  ArgFrame frame(args);
  f->x_func(&c, frame.argc(), frame.argv());
}

void step_adapter(func::FunctionContext& ctx, std::span<vm::Value> args) {
  CFunction* f = cfunc(ctx);
  sqlite3_context c{&ctx, f->db, f->app};
  ArgFrame frame(args);
  f->x_step(&c, frame.argc(), frame.argv());
}

void inverse_adapter(func::FunctionContext& ctx, std::span<vm::Value> args) {
  CFunction* f = cfunc(ctx);
  sqlite3_context c{&ctx, f->db, f->app};
  ArgFrame frame(args);
  f->x_inverse(&c, frame.argc(), frame.argv());
}

void final_adapter(func::FunctionContext& ctx) {
  CFunction* f = cfunc(ctx);
  sqlite3_context c{&ctx, f->db, f->app};
  f->x_final(&c);
}

void value_adapter(func::FunctionContext& ctx) {
  CFunction* f = cfunc(ctx);
  sqlite3_context c{&ctx, f->db, f->app};
  f->x_value(&c);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(vm::ascii_tolower(static_cast<unsigned char>(ch)));
  return out;
}

bool has_running_statements(sqlite3* db) {
  for (sqlite3_stmt* s = db->stmts; s; s = s->next) {
    if (s->stepped) return true;
  }
  return false;
}

int create_function(sqlite3* db, const char* name, int n_arg, int flags, void* app,
                    void (*x_func)(sqlite3_context*, int, sqlite3_value**),
                    void (*x_step)(sqlite3_context*, int, sqlite3_value**), void (*x_final)(sqlite3_context*),
                    void (*x_value)(sqlite3_context*),
                    void (*x_inverse)(sqlite3_context*, int, sqlite3_value**), void (*x_destroy)(void*)) {
  if (db == nullptr || !db->conn) return SQLITE_MISUSE;
  auto fail = [&](int code, const char* msg) {
    if (x_destroy) x_destroy(app);
    // SQLite reports misuse by the return code alone.
    if (code == SQLITE_MISUSE) return SQLITE_MISUSE;
    return capi::set_error(db, code, msg);
  };
  bool is_window = x_value != nullptr || x_inverse != nullptr;
  bool bad = name == nullptr || n_arg < -1 || n_arg > db->limits[SQLITE_LIMIT_FUNCTION_ARG] ||
             (x_func && (x_final || x_step)) || (!x_func && x_final && !x_step) ||
             (!x_func && !x_final && x_step) ||
             (is_window && (!x_value || !x_inverse || !x_step || !x_final)) || std::strlen(name) > 255;
  if (bad) return fail(SQLITE_MISUSE, "bad parameter or other API misuse");
  std::string lname = lower(name);
  func::FunctionRegistry& reg = db->conn->functions();
  // Only replacing or deleting an existing definition waits for running
  // statements, as in SQLite.
  bool exists = false;
  for (const func::FunctionDef* d : reg.all()) exists = exists || (d->name == lname && d->n_arg == n_arg);
  if (exists && has_running_statements(db)) {
    return fail(SQLITE_BUSY, "unable to delete/modify user-function due to active statements");
  }
  if (!x_func && !x_step) {
    reg.remove(lname, n_arg);
    if (x_destroy) x_destroy(app);
    return SQLITE_OK;
  }
  auto* cf = new CFunction{db, app, x_func, x_step, x_final, x_value, x_inverse, x_destroy};
  func::FunctionDef def;
  def.name = lname;
  def.n_arg = n_arg;
  if (flags & SQLITE_DETERMINISTIC) def.flags |= func::kDeterministic;
  if (flags & SQLITE_DIRECTONLY) def.flags |= func::kDirectOnly;
  if (flags & SQLITE_INNOCUOUS) def.flags |= func::kInnocuous;
  if (flags & SQLITE_SUBTYPE) def.flags |= func::kSubtype;
  if (x_func) {
    def.scalar = scalar_adapter;
  } else {
    def.step = step_adapter;
    def.final = final_adapter;
    if (is_window) {
      def.value = value_adapter;
      def.inverse = inverse_adapter;
    }
  }
  def.user_data = std::shared_ptr<void>(cf, [](void* p) {
    auto* f = static_cast<CFunction*>(p);
    if (f->x_destroy) f->x_destroy(f->app);
    delete f;
  });
  reg.add(std::move(def));
  return SQLITE_OK;
}

class CCollation final : public vm::Collation {
 public:
  CCollation(std::string name, void* arg, int (*cmp)(void*, int, const void*, int, const void*),
             void (*destroy)(void*))
      : name_(std::move(name)), arg_(arg), cmp_(cmp), destroy_(destroy) {}
  ~CCollation() override {
    if (destroy_) destroy_(arg_);
  }
  std::string_view name() const override { return name_; }
  int compare(std::string_view a, std::string_view b) const override {
    return cmp_(arg_, static_cast<int>(a.size()), a.data(), static_cast<int>(b.size()), b.data());
  }

 private:
  std::string name_;
  void* arg_;
  int (*cmp_)(void*, int, const void*, int, const void*);
  void (*destroy_)(void*);
};

int create_collation(sqlite3* db, const char* name, int rep, void* arg,
                     int (*cmp)(void*, int, const void*, int, const void*), void (*destroy)(void*)) {
  if (db == nullptr || !db->conn || name == nullptr) return SQLITE_MISUSE;
  int enc = rep & ~SQLITE_UTF16_ALIGNED;
  if (enc == SQLITE_UTF16 || enc == SQLITE_UTF16LE || enc == SQLITE_UTF16BE) {
    // Keel stores UTF-8 only; a UTF-16 comparator would see the wrong bytes.
    return capi::set_error(db, SQLITE_ERROR, "UTF-16 collating functions are not supported by Keel");
  }
  if (enc < SQLITE_UTF8 || enc > SQLITE_ANY)
    return capi::set_error(db, SQLITE_MISUSE, "bad parameter or other API misuse");
  const vm::Collation* existing = db->conn->find_collation(name);
  if (existing && !vm::find_builtin_collation(name) && has_running_statements(db)) {
    return capi::set_error(db, SQLITE_BUSY,
                           "unable to delete/modify collation sequence due to active statements");
  }
  if (cmp == nullptr) {
    db->conn->set_collation(name, nullptr);
  } else {
    db->conn->set_collation(name, std::make_shared<CCollation>(name, arg, cmp, destroy));
  }
  return capi::set_error(db, SQLITE_OK);
}

func::FunctionContext& fc(sqlite3_context* c) { return *c->fc; }

void set_text_result(sqlite3_context* c, const char* p, sqlite3_uint64 n, void (*d)(void*)) {
  if (p == nullptr) {
    fc(c).result().set_null();
  } else if (n > static_cast<sqlite3_uint64>(c->db->limits[SQLITE_LIMIT_LENGTH])) {
    fc(c).set_error_toobig();
  } else {
    fc(c).result().set_text(std::string_view(p, n));
  }
  if (p != nullptr && d != SQLITE_STATIC && d != SQLITE_TRANSIENT) d(const_cast<char*>(p));
}

}  // namespace

extern "C" {

SQLITE_API int sqlite3_create_function(sqlite3* db, const char* zName, int nArg, int eTextRep, void* pApp,
                                       void (*xFunc)(sqlite3_context*, int, sqlite3_value**),
                                       void (*xStep)(sqlite3_context*, int, sqlite3_value**),
                                       void (*xFinal)(sqlite3_context*)) {
  return create_function(db, zName, nArg, eTextRep, pApp, xFunc, xStep, xFinal, nullptr, nullptr, nullptr);
}

SQLITE_API int sqlite3_create_function16(sqlite3* db, const void* zName, int nArg, int eTextRep, void* pApp,
                                         void (*xFunc)(sqlite3_context*, int, sqlite3_value**),
                                         void (*xStep)(sqlite3_context*, int, sqlite3_value**),
                                         void (*xFinal)(sqlite3_context*)) {
  if (zName == nullptr)
    return create_function(db, nullptr, nArg, eTextRep, pApp, xFunc, xStep, xFinal, nullptr, nullptr,
                           nullptr);
  std::string name = capi::utf16_to_utf8(zName, -1);
  return create_function(db, name.c_str(), nArg, eTextRep, pApp, xFunc, xStep, xFinal, nullptr, nullptr,
                         nullptr);
}

SQLITE_API int sqlite3_create_function_v2(sqlite3* db, const char* zName, int nArg, int eTextRep, void* pApp,
                                          void (*xFunc)(sqlite3_context*, int, sqlite3_value**),
                                          void (*xStep)(sqlite3_context*, int, sqlite3_value**),
                                          void (*xFinal)(sqlite3_context*), void (*xDestroy)(void*)) {
  return create_function(db, zName, nArg, eTextRep, pApp, xFunc, xStep, xFinal, nullptr, nullptr, xDestroy);
}

SQLITE_API int sqlite3_create_window_function(sqlite3* db, const char* zName, int nArg, int eTextRep,
                                              void* pApp,
                                              void (*xStep)(sqlite3_context*, int, sqlite3_value**),
                                              void (*xFinal)(sqlite3_context*),
                                              void (*xValue)(sqlite3_context*),
                                              void (*xInverse)(sqlite3_context*, int, sqlite3_value**),
                                              void (*xDestroy)(void*)) {
  return create_function(db, zName, nArg, eTextRep, pApp, nullptr, xStep, xFinal, xValue, xInverse, xDestroy);
}

SQLITE_API int sqlite3_create_collation(sqlite3* db, const char* zName, int eTextRep, void* pArg,
                                        int (*xCompare)(void*, int, const void*, int, const void*)) {
  return create_collation(db, zName, eTextRep, pArg, xCompare, nullptr);
}

SQLITE_API int sqlite3_create_collation_v2(sqlite3* db, const char* zName, int eTextRep, void* pArg,
                                           int (*xCompare)(void*, int, const void*, int, const void*),
                                           void (*xDestroy)(void*)) {
  return create_collation(db, zName, eTextRep, pArg, xCompare, xDestroy);
}

SQLITE_API int sqlite3_create_collation16(sqlite3* db, const void* zName, int eTextRep, void* pArg,
                                          int (*xCompare)(void*, int, const void*, int, const void*)) {
  if (zName == nullptr) return create_collation(db, nullptr, eTextRep, pArg, xCompare, nullptr);
  std::string name = capi::utf16_to_utf8(zName, -1);
  return create_collation(db, name.c_str(), eTextRep, pArg, xCompare, nullptr);
}

SQLITE_API void* sqlite3_user_data(sqlite3_context* c) { return c ? c->app : nullptr; }
SQLITE_API sqlite3* sqlite3_context_db_handle(sqlite3_context* c) { return c ? c->db : nullptr; }
SQLITE_API void* sqlite3_aggregate_context(sqlite3_context* c, int n) {
  if (c == nullptr) return nullptr;
  return fc(c).aggregate_context(n > 0 ? static_cast<size_t>(n) : 0);
}
SQLITE_API void* sqlite3_get_auxdata(sqlite3_context* c, int n) { return c ? fc(c).get_aux(n) : nullptr; }
SQLITE_API void sqlite3_set_auxdata(sqlite3_context* c, int n, void* p, void (*d)(void*)) {
  if (c == nullptr || n < 0) {
    if (d) d(p);
    return;
  }
  fc(c).set_aux(n, p, d);
}

SQLITE_API void sqlite3_result_blob(sqlite3_context* c, const void* p, int n, void (*d)(void*)) {
  if (p == nullptr || n < 0) {
    fc(c).result().set_blob({});
    if (p == nullptr) fc(c).result().set_null();
  } else {
    fc(c).result().set_blob(std::span<const uint8_t>(static_cast<const uint8_t*>(p), static_cast<size_t>(n)));
  }
  if (p != nullptr && d != SQLITE_STATIC && d != SQLITE_TRANSIENT) d(const_cast<void*>(p));
}
SQLITE_API void sqlite3_result_blob64(sqlite3_context* c, const void* p, sqlite3_uint64 n, void (*d)(void*)) {
  if (n > static_cast<sqlite3_uint64>(c->db->limits[SQLITE_LIMIT_LENGTH])) {
    fc(c).set_error_toobig();
    if (p != nullptr && d != SQLITE_STATIC && d != SQLITE_TRANSIENT) d(const_cast<void*>(p));
    return;
  }
  if (p == nullptr) {
    fc(c).result().set_null();
  } else {
    fc(c).result().set_blob(std::span<const uint8_t>(static_cast<const uint8_t*>(p), n));
  }
  if (p != nullptr && d != SQLITE_STATIC && d != SQLITE_TRANSIENT) d(const_cast<void*>(p));
}
SQLITE_API void sqlite3_result_double(sqlite3_context* c, double v) { fc(c).result().set_real(v); }
SQLITE_API void sqlite3_result_error(sqlite3_context* c, const char* msg, int n) {
  std::string m = msg == nullptr ? std::string()
                  : n < 0        ? std::string(msg)
                                 : std::string(msg, strnlen(msg, n));
  fc(c).set_error(std::move(m), SQLITE_ERROR);
}
SQLITE_API void sqlite3_result_error16(sqlite3_context* c, const void* msg, int n) {
  fc(c).set_error(msg ? capi::utf16_to_utf8(msg, n) : std::string(), SQLITE_ERROR);
}
SQLITE_API void sqlite3_result_error_toobig(sqlite3_context* c) { fc(c).set_error_toobig(); }
SQLITE_API void sqlite3_result_error_nomem(sqlite3_context* c) { fc(c).set_error_nomem(); }
SQLITE_API void sqlite3_result_error_code(sqlite3_context* c, int code) {
  func::FunctionContext& f = fc(c);
  // Keeps a message already set; otherwise SQLite's text for the code.
  std::string msg = f.has_error() ? f.error_message() : std::string(rc::errstr(code));
  f.set_error(std::move(msg), code == SQLITE_OK ? SQLITE_ERROR : code);
}
SQLITE_API void sqlite3_result_int(sqlite3_context* c, int v) { fc(c).result().set_int(v); }
SQLITE_API void sqlite3_result_int64(sqlite3_context* c, sqlite3_int64 v) { fc(c).result().set_int(v); }
SQLITE_API void sqlite3_result_null(sqlite3_context* c) { fc(c).result().set_null(); }
SQLITE_API void sqlite3_result_text(sqlite3_context* c, const char* p, int n, void (*d)(void*)) {
  size_t len = p == nullptr ? 0 : n < 0 ? std::strlen(p) : static_cast<size_t>(n);
  set_text_result(c, p, len, d);
}
SQLITE_API void sqlite3_result_text64(sqlite3_context* c, const char* p, sqlite3_uint64 n, void (*d)(void*),
                                      unsigned char encoding) {
  if (p != nullptr && encoding != SQLITE_UTF8) {
    std::string u8 = encoding == SQLITE_UTF16BE || encoding == SQLITE_UTF16LE
                         ? capi::utf16_to_utf8_swapped(p, static_cast<int>(n), encoding == SQLITE_UTF16BE)
                         : capi::utf16_to_utf8(p, static_cast<int>(n));
    set_text_result(c, u8.data(), u8.size(), SQLITE_TRANSIENT);
    if (d != SQLITE_STATIC && d != SQLITE_TRANSIENT) d(const_cast<char*>(p));
    return;
  }
  set_text_result(c, p, n, d);
}
SQLITE_API void sqlite3_result_text16(sqlite3_context* c, const void* p, int n, void (*d)(void*)) {
  if (p == nullptr) return set_text_result(c, nullptr, 0, d);
  std::string u8 = capi::utf16_to_utf8(p, n);
  set_text_result(c, u8.data(), u8.size(), SQLITE_TRANSIENT);
  if (d != SQLITE_STATIC && d != SQLITE_TRANSIENT) d(const_cast<void*>(p));
}
SQLITE_API void sqlite3_result_text16le(sqlite3_context* c, const void* p, int n, void (*d)(void*)) {
  if (p == nullptr) return set_text_result(c, nullptr, 0, d);
  std::string u8 = capi::utf16_to_utf8_swapped(p, n, false);
  set_text_result(c, u8.data(), u8.size(), SQLITE_TRANSIENT);
  if (d != SQLITE_STATIC && d != SQLITE_TRANSIENT) d(const_cast<void*>(p));
}
SQLITE_API void sqlite3_result_text16be(sqlite3_context* c, const void* p, int n, void (*d)(void*)) {
  if (p == nullptr) return set_text_result(c, nullptr, 0, d);
  std::string u8 = capi::utf16_to_utf8_swapped(p, n, true);
  set_text_result(c, u8.data(), u8.size(), SQLITE_TRANSIENT);
  if (d != SQLITE_STATIC && d != SQLITE_TRANSIENT) d(const_cast<void*>(p));
}
SQLITE_API void sqlite3_result_value(sqlite3_context* c, sqlite3_value* v) {
  if (v == nullptr) {
    fc(c).result().set_null();
    return;
  }
  fc(c).result().copy_from(v->v);
  fc(c).result().set_subtype(v->v.subtype());
}
SQLITE_API void sqlite3_result_zeroblob(sqlite3_context* c, int n) { fc(c).result().set_zeroblob(n); }
SQLITE_API int sqlite3_result_zeroblob64(sqlite3_context* c, sqlite3_uint64 n) {
  if (n > static_cast<sqlite3_uint64>(c->db->limits[SQLITE_LIMIT_LENGTH])) {
    fc(c).set_error_toobig();
    return SQLITE_TOOBIG;
  }
  fc(c).result().set_zeroblob(static_cast<int64_t>(n));
  return SQLITE_OK;
}
SQLITE_API void sqlite3_result_subtype(sqlite3_context* c, unsigned int t) {
  fc(c).result().set_subtype(static_cast<uint8_t>(t));
}

}  // extern "C"
