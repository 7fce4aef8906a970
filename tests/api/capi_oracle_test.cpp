// C API behaviour compared with libsqlite3: each scenario runs once on Keel
// (libkeel, linked) and once on the system SQLite (dlopen'ed with
// RTLD_DEEPBIND so that its internal calls never reach libkeel's symbols of
// the same names), and the transcripts must match.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>

#include "keel/sqlite3.h"

namespace {

#define KEEL_API_FUNCTIONS(X)                                                                                \
  X(sqlite3_open_v2)                                                                                         \
  X(sqlite3_close)                                                                                           \
  X(sqlite3_exec) X(sqlite3_free) X(sqlite3_errmsg) X(sqlite3_errcode) X(sqlite3_extended_errcode)           \
      X(sqlite3_prepare_v2) X(sqlite3_step) X(sqlite3_finalize) X(sqlite3_reset) X(sqlite3_column_text)      \
          X(sqlite3_column_int64) X(sqlite3_column_type) X(sqlite3_column_count)                             \
              X(sqlite3_create_window_function) X(sqlite3_create_function_v2) X(sqlite3_aggregate_context)   \
                  X(sqlite3_value_int64) X(sqlite3_value_type) X(sqlite3_result_int64)                       \
                      X(sqlite3_result_null) X(sqlite3_busy_handler) X(sqlite3_busy_timeout)                 \
                          X(sqlite3_interrupt) X(sqlite3_context_db_handle) X(sqlite3_result_text)           \
                              X(sqlite3_value_text) X(sqlite3_result_subtype) X(sqlite3_value_subtype)       \
                                  X(sqlite3_threadsafe) X(sqlite3_error_offset) X(sqlite3_prepare16_v2)      \
                                      X(sqlite3_column_text16) X(sqlite3_column_bytes16) X(sqlite3_errmsg16) \
                                          X(sqlite3_value_dup) X(sqlite3_value_free) X(sqlite3_column_value) \
                                              X(sqlite3_bind_value) X(sqlite3_get_autocommit)                \
                                                  X(sqlite3_txn_state) X(sqlite3_db_name) X(sqlite3_changes)

struct Api {
#define KEEL_MEMBER(name) decltype(&::name) name = nullptr;
  KEEL_API_FUNCTIONS(KEEL_MEMBER)
#undef KEEL_MEMBER
  const char* label = "";
};

const Api& keel_api() {
  static Api api = [] {
    Api a;
#define KEEL_ASSIGN(name) a.name = &::name;
    KEEL_API_FUNCTIONS(KEEL_ASSIGN)
#undef KEEL_ASSIGN
    a.label = "keel";
    return a;
  }();
  return api;
}

// nullptr if the system library cannot be loaded.
const Api* sqlite_api() {
  static Api api;
  static bool ok = [] {
    const char* path = std::getenv("KEEL_TEST_SQLITE_LIB");
    void* h = dlopen(path ? path : KEEL_TEST_SQLITE_LIB, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (h == nullptr) return false;
#define KEEL_LOAD(name)                                            \
  api.name = reinterpret_cast<decltype(&::name)>(dlsym(h, #name)); \
  if (api.name == nullptr) return false;
    KEEL_API_FUNCTIONS(KEEL_LOAD)
#undef KEEL_LOAD
    api.label = "sqlite";
    return true;
  }();
  return ok ? &api : nullptr;
}

// Runs a query and renders rows (or the error) as text.
std::string run(const Api& a, sqlite3* db, const char* sql) {
  std::string out;
  sqlite3_stmt* st = nullptr;
  int rc = a.sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
  if (rc != SQLITE_OK) return "prepare " + std::to_string(rc) + ": " + a.sqlite3_errmsg(db) + "\n";
  int n = a.sqlite3_column_count(st);
  while ((rc = a.sqlite3_step(st)) == SQLITE_ROW) {
    for (int i = 0; i < n; i++) {
      const unsigned char* t = a.sqlite3_column_text(st, i);
      out += t ? reinterpret_cast<const char*>(t) : "NULL";
      out += i + 1 < n ? "|" : "\n";
    }
  }
  out += "rc " + std::to_string(rc) + " " + std::to_string(a.sqlite3_extended_errcode(db)) + " " +
         a.sqlite3_errmsg(db) + "\n";
  a.sqlite3_finalize(st);
  return out;
}

sqlite3* open_memory(const Api& a) {
  sqlite3* db = nullptr;
  a.sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  return db;
}

// Runs `scenario` on both libraries and compares the transcripts.
void compare(const std::function<std::string(const Api&)>& scenario) {
#if defined(__SANITIZE_ADDRESS__)
  // The oracle needs RTLD_DEEPBIND, which AddressSanitizer's runtime refuses.
  GTEST_SKIP() << "the SQLite oracle cannot be loaded with RTLD_DEEPBIND under AddressSanitizer";
#endif
  const Api* oracle = sqlite_api();
  if (oracle == nullptr) GTEST_SKIP() << "system libsqlite3 not loadable";
  std::string expected = scenario(*oracle);
  std::string actual = scenario(keel_api());
  EXPECT_EQ(actual, expected);
}

// ---- window function: a moving sum with xValue/xInverse.
struct Moving {
  sqlite3_int64 sum;
};
const Api* g_api = nullptr;
void mv_step(sqlite3_context* c, int, sqlite3_value** v) {
  auto* m = static_cast<Moving*>(g_api->sqlite3_aggregate_context(c, sizeof(Moving)));
  m->sum += g_api->sqlite3_value_int64(v[0]);
}
void mv_inverse(sqlite3_context* c, int, sqlite3_value** v) {
  auto* m = static_cast<Moving*>(g_api->sqlite3_aggregate_context(c, sizeof(Moving)));
  m->sum -= g_api->sqlite3_value_int64(v[0]);
}
void mv_value(sqlite3_context* c) {
  auto* m = static_cast<Moving*>(g_api->sqlite3_aggregate_context(c, sizeof(Moving)));
  g_api->sqlite3_result_int64(c, m->sum);
}
void mv_final(sqlite3_context* c) {
  auto* m = static_cast<Moving*>(g_api->sqlite3_aggregate_context(c, 0));
  g_api->sqlite3_result_int64(c, m ? m->sum : 0);
}

TEST(CapiOracle, WindowFunction) {
  compare([](const Api& a) {
    g_api = &a;
    sqlite3* db = open_memory(a);
    std::string out = std::to_string(a.sqlite3_create_window_function(
        db, "msum", 1, SQLITE_UTF8, nullptr, mv_step, mv_final, mv_value, mv_inverse, nullptr));
    a.sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1),(2),(3),(4),(5)", nullptr, nullptr,
                   nullptr);
    out += run(a, db, "SELECT x, msum(x) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM t");
    out += run(a, db, "SELECT msum(x) FROM t");
    out += run(a, db, "SELECT msum(x) OVER (ORDER BY x ROWS UNBOUNDED PRECEDING) FROM t WHERE 0");
    a.sqlite3_close(db);
    return out;
  });
}

// ---- subtypes pass through user functions.
void set_sub(sqlite3_context* c, int, sqlite3_value** v) {
  g_api->sqlite3_result_text(c, reinterpret_cast<const char*>(g_api->sqlite3_value_text(v[0])), -1,
                             SQLITE_TRANSIENT);
  g_api->sqlite3_result_subtype(c, 74);
}
void get_sub(sqlite3_context* c, int, sqlite3_value** v) {
  g_api->sqlite3_result_int64(c, g_api->sqlite3_value_subtype(v[0]));
}

TEST(CapiOracle, Subtypes) {
  compare([](const Api& a) {
    g_api = &a;
    sqlite3* db = open_memory(a);
    a.sqlite3_create_function_v2(db, "set_sub", 1, SQLITE_UTF8, nullptr, set_sub, nullptr, nullptr, nullptr);
    a.sqlite3_create_function_v2(db, "get_sub", 1, SQLITE_UTF8 | SQLITE_SUBTYPE, nullptr, get_sub, nullptr,
                                 nullptr, nullptr);
    std::string out = run(a, db, "SELECT get_sub(set_sub('x')), get_sub('y')");
    a.sqlite3_close(db);
    return out;
  });
}

// ---- sqlite3_interrupt from inside a running statement.
void interrupt_now(sqlite3_context* c, int, sqlite3_value**) {
  g_api->sqlite3_interrupt(g_api->sqlite3_context_db_handle(c));
  g_api->sqlite3_result_null(c);
}

TEST(CapiOracle, InterruptFromUserFunction) {
  compare([](const Api& a) {
    g_api = &a;
    sqlite3* db = open_memory(a);
    a.sqlite3_create_function_v2(db, "stop", 0, SQLITE_UTF8, nullptr, interrupt_now, nullptr, nullptr,
                                 nullptr);
    a.sqlite3_exec(db, "CREATE TABLE n(x); INSERT INTO n VALUES(1),(2),(3),(4),(5),(6),(7),(8)", nullptr,
                   nullptr, nullptr);
    std::string out = run(a, db, "SELECT count(*) FROM n a, n b, n c, n d, n e WHERE stop() IS NULL");
    out += run(a, db, "SELECT count(*) FROM n");  // the next statement runs normally
    a.sqlite3_close(db);
    return out;
  });
}

// ---- busy handling between two connections of one library.
int g_busy_calls = 0;
int busy_give_up_after_three(void*, int n) {
  g_busy_calls++;
  return n < 2;
}

TEST(CapiOracle, BusyHandlerAndTimeout) {
  compare([](const Api& a) {
    std::string path = testing::TempDir() + "busy_" + a.label + ".db";
    std::remove(path.c_str());
    std::remove((path + "-journal").c_str());
    sqlite3 *w = nullptr, *r = nullptr;
    a.sqlite3_open_v2(path.c_str(), &w, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    a.sqlite3_open_v2(path.c_str(), &r, SQLITE_OPEN_READWRITE, nullptr);
    a.sqlite3_exec(w, "CREATE TABLE t(x)", nullptr, nullptr, nullptr);
    std::string out = std::to_string(a.sqlite3_exec(w, "BEGIN IMMEDIATE; INSERT INTO t VALUES(1)", nullptr,
                                                    nullptr, nullptr)) +
                      "\n";
    g_busy_calls = 0;
    a.sqlite3_busy_handler(r, busy_give_up_after_three, nullptr);
    int rc = a.sqlite3_exec(r, "INSERT INTO t VALUES(2)", nullptr, nullptr, nullptr);
    out += "handler: rc " + std::to_string(rc) + " calls " + std::to_string(g_busy_calls) + " " +
           a.sqlite3_errmsg(r) + "\n";
    a.sqlite3_busy_timeout(r, 30);
    rc = a.sqlite3_exec(r, "INSERT INTO t VALUES(3)", nullptr, nullptr, nullptr);
    out += "timeout: rc " + std::to_string(rc) + " " + a.sqlite3_errmsg(r) + "\n";
    out += run(a, r, "SELECT count(*) FROM t");  // readers are not blocked by a RESERVED lock
    a.sqlite3_exec(w, "COMMIT", nullptr, nullptr, nullptr);
    out += run(a, r, "SELECT count(*) FROM t");
    a.sqlite3_close(r);
    a.sqlite3_close(w);
    return out;
  });
}

TEST(CapiOracle, Utf16AndValueCopies) {
  compare([](const Api& a) {
    sqlite3* db = open_memory(a);
    const char16_t sql[] = u"SELECT 'h\u00e9llo \u263a', 42; SELECT 2";
    sqlite3_stmt* st = nullptr;
    const void* tail = nullptr;
    std::string out = std::to_string(a.sqlite3_prepare16_v2(db, sql, -1, &st, &tail));
    out += " tail_offset=" + std::to_string(static_cast<const char16_t*>(tail) - sql);
    a.sqlite3_step(st);
    const auto* t16 = static_cast<const char16_t*>(a.sqlite3_column_text16(st, 0));
    out += " bytes16=" + std::to_string(a.sqlite3_column_bytes16(st, 0));
    out += " first=" + std::to_string(static_cast<int>(t16[1])) +
           " smiley=" + std::to_string(static_cast<int>(t16[6]));
    sqlite3_value* copy = a.sqlite3_value_dup(a.sqlite3_column_value(st, 1));
    a.sqlite3_finalize(st);
    out += " dup=" + std::to_string(a.sqlite3_value_int64(copy)) +
           " type=" + std::to_string(a.sqlite3_value_type(copy));
    a.sqlite3_prepare_v2(db, "SELECT ?1 + 1", -1, &st, nullptr);
    a.sqlite3_bind_value(st, 1, copy);
    a.sqlite3_step(st);
    out += " bound=" + std::to_string(a.sqlite3_column_int64(st, 0));
    a.sqlite3_finalize(st);
    a.sqlite3_value_free(copy);
    a.sqlite3_prepare_v2(db, "SELECT nosuch", -1, &st, nullptr);
    const auto* m16 = static_cast<const char16_t*>(a.sqlite3_errmsg16(db));
    std::string m;
    for (; *m16; m16++) m += static_cast<char>(*m16);
    out += " errmsg16=" + m;
    a.sqlite3_close(db);
    return out;
  });
}

TEST(CapiOracle, TransactionStateAndNames) {
  compare([](const Api& a) {
    sqlite3* db = open_memory(a);
    std::string out = std::to_string(a.sqlite3_txn_state(db, nullptr));
    a.sqlite3_exec(db, "CREATE TABLE t(x); BEGIN; SELECT * FROM t", nullptr, nullptr, nullptr);
    out += std::to_string(a.sqlite3_txn_state(db, "main")) + std::to_string(a.sqlite3_get_autocommit(db));
    a.sqlite3_exec(db, "INSERT INTO t VALUES(1)", nullptr, nullptr, nullptr);
    out +=
        std::to_string(a.sqlite3_txn_state(db, "main")) + std::to_string(a.sqlite3_txn_state(db, "nosuch"));
    a.sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    out += std::to_string(a.sqlite3_txn_state(db, "main"));
    out += std::string(" ") + a.sqlite3_db_name(db, 0) + " " + (a.sqlite3_db_name(db, 5) ? "set" : "null");
    out += " changes=" + std::to_string(a.sqlite3_changes(db));
    a.sqlite3_close(db);
    return out;
  });
}

TEST(CapiKeel, ThreadingModeIsMultiThread) {
  // One connection per thread at a time: SQLITE_THREADSAFE=2.
  EXPECT_EQ(sqlite3_threadsafe(), 2);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr),
            SQLITE_OK);
  EXPECT_EQ(sqlite3_db_mutex(db), nullptr);
  sqlite3_close(db);
}

TEST(CapiKeel, UnsupportedFeaturesSayWhy) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_load_extension(db, "x.so", nullptr, &err), SQLITE_ERROR);
  EXPECT_STREQ(err, "loadable SQLite extensions are not supported by Keel");
  sqlite3_free(err);
  EXPECT_EQ(sqlite3_create_collation(db, "u16", SQLITE_UTF16, nullptr,
                                     [](void*, int, const void*, int, const void*) { return 0; }),
            SQLITE_ERROR);
  sqlite3_close(db);
}

}  // namespace
