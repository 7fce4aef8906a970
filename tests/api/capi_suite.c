/* A C test program written only against the sqlite3 C API. It prints a
** transcript of every call's result code, error message and values; the
** build links it once against the system libsqlite3 and once against
** libkeel, and the test passes when both transcripts are identical.
**
** usage: capi_suite DIR   (DIR: a scratch directory for database files)
*/
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *g_dir = ".";

static void section(const char *name) { printf("== %s\n", name); }

static void show_rc(sqlite3 *db, const char *what, int rc) {
  printf("%s -> %d", what, rc);
  if (db) printf(" [%d/%d %s]", sqlite3_errcode(db), sqlite3_extended_errcode(db), sqlite3_errmsg(db));
  printf("\n");
}

/* Prints every row of a query, one line per row: type:value cells. */
static void query(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = 0;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, 0);
  printf("Q %s\n", sql);
  if (rc != SQLITE_OK) {
    show_rc(db, "  prepare", rc);
    return;
  }
  int n = sqlite3_column_count(st);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    printf("  ");
    for (int i = 0; i < n; i++) {
      int t = sqlite3_column_type(st, i);
      switch (t) {
        case SQLITE_INTEGER: printf("i:%lld", (long long)sqlite3_column_int64(st, i)); break;
        case SQLITE_FLOAT: printf("r:%.17g", sqlite3_column_double(st, i)); break;
        case SQLITE_TEXT: printf("t:%s", (const char *)sqlite3_column_text(st, i)); break;
        case SQLITE_BLOB: {
          const unsigned char *b = sqlite3_column_blob(st, i);
          int nb = sqlite3_column_bytes(st, i);
          printf("b:");
          for (int k = 0; k < nb; k++) printf("%02x", b[k]);
          break;
        }
        default: printf("null"); break;
      }
      printf(i + 1 < n ? " | " : "");
    }
    printf("\n");
  }
  show_rc(db, "  end", rc);
  show_rc(db, "  finalize", sqlite3_finalize(st));
}

static void exec(sqlite3 *db, const char *sql) {
  char *err = 0;
  int rc = sqlite3_exec(db, sql, 0, 0, &err);
  printf("E %s -> %d %s\n", sql, rc, err ? err : "(no message)");
  sqlite3_free(err);
}

/* ------------------------------------------------------------ sections */

static void test_open(void) {
  section("open");
  sqlite3 *db = 0;
  int rc = sqlite3_open_v2(":memory:", &db, 0, 0);
  printf("open_v2 flags=0 -> %d db=%s\n", rc, db ? "set" : "null");
  show_rc(db, "  error", rc);
  sqlite3_close(db);
  rc = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "nosuchvfs");
  show_rc(db, "open_v2 bad vfs", rc);
  sqlite3_close(db);
  char path[512];
  snprintf(path, sizeof path, "%s/missing/dir/x.db", g_dir);
  rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, 0);
  show_rc(db, "open_v2 missing", rc);
  sqlite3_close(db);
  snprintf(path, sizeof path, "%s/suite.db", g_dir);
  remove(path);
  rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, 0);
  show_rc(db, "open_v2 readonly missing", rc);
  sqlite3_close(db);
  rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 0);
  show_rc(db, "open_v2 create", rc);
  exec(db, "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT); INSERT INTO t VALUES(1,'one')");
  printf("db_readonly main=%d nosuch=%d\n", sqlite3_db_readonly(db, "main"), sqlite3_db_readonly(db, "nosuch"));
  printf("autocommit=%d\n", sqlite3_get_autocommit(db));
  printf("close -> %d\n", sqlite3_close(db));
  rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, 0);
  show_rc(db, "reopen readonly", rc);
  printf("db_readonly main=%d\n", sqlite3_db_readonly(db, "main"));
  exec(db, "INSERT INTO t VALUES(2,'two')");
  query(db, "SELECT * FROM t");
  sqlite3_close(db);
  /* URI file names. */
  char uri[600];
  snprintf(uri, sizeof uri, "file:%s?mode=ro&cache=private&custom=42", path);
  rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI, 0);
  show_rc(db, "open uri mode=ro", rc);
  printf("uri custom=%s int=%lld bool=%d missing=%s\n", sqlite3_uri_parameter(sqlite3_db_filename(db, "main"), "custom"),
         (long long)sqlite3_uri_int64(sqlite3_db_filename(db, "main"), "custom", 7),
         sqlite3_uri_boolean(sqlite3_db_filename(db, "main"), "nosuch", 1),
         sqlite3_uri_parameter(sqlite3_db_filename(db, "main"), "nosuch") ? "set" : "null");
  printf("db_readonly=%d\n", sqlite3_db_readonly(db, "main"));
  exec(db, "DELETE FROM t");
  sqlite3_close(db);
  rc = sqlite3_open_v2("file::memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, 0);
  show_rc(db, "open file::memory:", rc);
  printf("memory filename='%s'\n", sqlite3_db_filename(db, "main"));
  sqlite3_close(db);
  rc = sqlite3_open_v2("file:x?mode=bogus", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI, 0);
  show_rc(db, "open bad mode", rc);
  sqlite3_close(db);
  rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_EXRESCODE, 0);
  exec(db, "INSERT INTO t VALUES(1,'dup')");
  show_rc(db, "exrescode", rc);
  sqlite3_stmt *st;
  sqlite3_prepare_v2(db, "INSERT INTO t VALUES(1,'dup')", -1, &st, 0);
  printf("step with exrescode -> %d\n", sqlite3_step(st));
  sqlite3_finalize(st);
  sqlite3_close(db);
}

static void test_prepare(sqlite3 *db) {
  section("prepare");
  sqlite3_stmt *st = 0;
  const char *tail = 0;
  const char *sql = "SELECT 1; SELECT 2 ;  -- trailing comment\n";
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, &tail);
  printf("rc=%d tail=[%s] sql=[%s]\n", rc, tail, sqlite3_sql(st));
  sqlite3_finalize(st);
  rc = sqlite3_prepare_v2(db, tail, -1, &st, &tail);
  printf("rc=%d tail=[%s] sql=[%s]\n", rc, tail, sqlite3_sql(st));
  sqlite3_finalize(st);
  rc = sqlite3_prepare_v2(db, tail, -1, &st, &tail);
  printf("rc=%d st=%s tail=[%s]\n", rc, st ? "set" : "null", tail);
  rc = sqlite3_prepare_v2(db, "SELECT 1 garbage", -1, &st, 0);
  show_rc(db, "syntax", rc);
  printf("error_offset=%d\n", sqlite3_error_offset(db));
  rc = sqlite3_prepare_v2(db, "SELECT * FROM nosuch", -1, &st, 0);
  show_rc(db, "no table", rc);
  rc = sqlite3_prepare_v2(db, "SELECT nosuchcol FROM t", -1, &st, 0);
  show_rc(db, "no column", rc);
  rc = sqlite3_prepare_v2(db, "SELECT 1234567", 8, &st, &tail);
  printf("nByte=8 rc=%d sql=[%s] tail=[%s]\n", rc, sqlite3_sql(st), tail);
  sqlite3_finalize(st);
  rc = sqlite3_prepare_v3(db, "SELECT 5", -1, SQLITE_PREPARE_PERSISTENT, &st, 0);
  printf("v3 rc=%d\n", rc);
  printf("readonly=%d isexplain=%d busy=%d\n", sqlite3_stmt_readonly(st), sqlite3_stmt_isexplain(st), sqlite3_stmt_busy(st));
  sqlite3_step(st);
  printf("busy after step=%d data_count=%d\n", sqlite3_stmt_busy(st), sqlite3_data_count(st));
  sqlite3_step(st);
  printf("busy after done=%d data_count=%d\n", sqlite3_stmt_busy(st), sqlite3_data_count(st));
  printf("db_handle ok=%d\n", sqlite3_db_handle(st) == db);
  sqlite3_finalize(st);
  sqlite3_prepare_v2(db, "INSERT INTO t VALUES(100,'x')", -1, &st, 0);
  printf("insert readonly=%d\n", sqlite3_stmt_readonly(st));
  sqlite3_finalize(st);
  sqlite3_prepare_v2(db, "EXPLAIN QUERY PLAN SELECT 1", -1, &st, 0);
  printf("eqp isexplain=%d cols=%d\n", sqlite3_stmt_isexplain(st), sqlite3_column_count(st));
  sqlite3_finalize(st);
  printf("complete: %d %d %d %d\n", sqlite3_complete("SELECT 1;"), sqlite3_complete("SELECT 1"),
         sqlite3_complete("CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1;"), sqlite3_complete("SELECT 'a;"));
  show_rc(db, "finalize null", sqlite3_finalize(0));
}

static void test_bind(sqlite3 *db) {
  section("bind");
  sqlite3_stmt *st = 0;
  sqlite3_prepare_v2(db, "SELECT ?1, :name, @at, $dollar, ?, ?7", -1, &st, 0);
  int n = sqlite3_bind_parameter_count(st);
  printf("count=%d\n", n);
  for (int i = 1; i <= n; i++) {
    const char *nm = sqlite3_bind_parameter_name(st, i);
    printf("  %d name=%s index=%d\n", i, nm ? nm : "(null)", nm ? sqlite3_bind_parameter_index(st, nm) : -1);
  }
  printf("index of :nosuch=%d\n", sqlite3_bind_parameter_index(st, ":nosuch"));
  show_rc(db, "bind_int64", sqlite3_bind_int64(st, 1, 9007199254740993LL));
  show_rc(db, "bind_text", sqlite3_bind_text(st, 2, "hello world", 5, SQLITE_TRANSIENT));
  show_rc(db, "bind_double", sqlite3_bind_double(st, 3, 0.1));
  show_rc(db, "bind_blob", sqlite3_bind_blob(st, 4, "\x01\x02\x00\x03", 4, SQLITE_STATIC));
  show_rc(db, "bind_zeroblob", sqlite3_bind_zeroblob(st, 5, 3));
  show_rc(db, "bind_null", sqlite3_bind_null(st, 6));
  show_rc(db, "bind range 0", sqlite3_bind_int(st, 0, 1));
  show_rc(db, "bind range 8", sqlite3_bind_int(st, 8, 1));
  char *x = sqlite3_expanded_sql(st);
  printf("expanded=[%s]\n", x);
  sqlite3_free(x);
  sqlite3_step(st);
  for (int i = 0; i < 6; i++) {
    printf("  col %d type=%d bytes=%d\n", i, sqlite3_column_type(st, i), sqlite3_column_bytes(st, i));
  }
  show_rc(db, "bind while busy", sqlite3_bind_int(st, 1, 2));
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  sqlite3_step(st);
  printf("after clear: type=%d\n", sqlite3_column_type(st, 0));
  sqlite3_finalize(st);
  sqlite3_prepare_v2(db, "SELECT ?1 || ?1, typeof(?2), ?3", -1, &st, 0);
  sqlite3_bind_text64(st, 1, "ab", 2, SQLITE_STATIC, SQLITE_UTF8);
  sqlite3_bind_text(st, 2, NULL, -1, SQLITE_STATIC);
  static const unsigned short u16[] = {0x48, 0x69, 0x263A, 0};
  sqlite3_bind_text16(st, 3, u16, -1, SQLITE_TRANSIENT);
  sqlite3_step(st);
  printf("text64=%s null=%s text16=%s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1), sqlite3_column_text(st, 2));
  sqlite3_finalize(st);
}

static void test_columns(sqlite3 *db) {
  section("columns");
  exec(db, "CREATE TABLE c(i INTEGER, r REAL, t TEXT, b BLOB, n, d VARCHAR(10))");
  exec(db, "INSERT INTO c VALUES(42, 3.5, '7abc', x'00ff10', NULL, 'dd')");
  sqlite3_stmt *st = 0;
  sqlite3_prepare_v2(db, "SELECT i, r, t, b, n, d AS alias, i+1 FROM c", -1, &st, 0);
  int n = sqlite3_column_count(st);
  for (int i = 0; i < n; i++) {
    const char *dt = sqlite3_column_decltype(st, i);
    const char *tb = sqlite3_column_table_name(st, i);
    const char *org = sqlite3_column_origin_name(st, i);
    const char *dbn = sqlite3_column_database_name(st, i);
    printf("  %s decl=%s table=%s origin=%s db=%s\n", sqlite3_column_name(st, i), dt ? dt : "(null)",
           tb ? tb : "(null)", org ? org : "(null)", dbn ? dbn : "(null)");
  }
  printf("data_count before step=%d\n", sqlite3_data_count(st));
  sqlite3_step(st);
  printf("data_count=%d\n", sqlite3_data_count(st));
  for (int i = 0; i < n; i++) {
    int t = sqlite3_column_type(st, i);
    long long iv = sqlite3_column_int64(st, i);
    int i32 = sqlite3_column_int(st, i);
    double dv = sqlite3_column_double(st, i);
    const unsigned char *tx = sqlite3_column_text(st, i);
    int nb = sqlite3_column_bytes(st, i);
    printf("  [%d] type=%d int64=%lld int=%d double=%.17g text=%s bytes=%d type_after=%d\n", i, t, iv, i32, dv,
           tx ? (const char *)tx : "(null)", nb, sqlite3_column_type(st, i));
  }
  sqlite3_value *v = sqlite3_column_value(st, 2);
  printf("value numeric_type=%d type=%d\n", sqlite3_value_numeric_type(v), sqlite3_value_type(v));
  printf("out of range: type=%d text=%s\n", sqlite3_column_type(st, 99), sqlite3_column_text(st, 99) ? "set" : "null");
  sqlite3_finalize(st);
  query(db, "SELECT 9223372036854775807 + 0, -9223372036854775808, 1e308 * 10, 0.1 + 0.2, 'x' || NULL, x''");
  sqlite3_prepare_v2(db, "SELECT 2147483648, -1.9, '  12xyz', x'3132'", -1, &st, 0);
  sqlite3_step(st);
  printf("int of big=%d, int of -1.9=%d, int64 of text=%lld, double of blob=%g\n", sqlite3_column_int(st, 0),
         sqlite3_column_int(st, 1), (long long)sqlite3_column_int64(st, 2), sqlite3_column_double(st, 3));
  const void *blob = sqlite3_column_blob(st, 2);
  printf("blob of text bytes=%d first=%c\n", sqlite3_column_bytes(st, 2), ((const char *)blob)[2]);
  sqlite3_finalize(st);
}

static void test_errors(sqlite3 *db) {
  section("errors");
  exec(db, "CREATE TABLE u(a UNIQUE, b NOT NULL, c CHECK (c > 0))");
  exec(db, "INSERT INTO u VALUES(1, 1, 1)");
  sqlite3_stmt *st;
  const char *bad[] = {"INSERT INTO u VALUES(1, 2, 2)", "INSERT INTO u VALUES(2, NULL, 2)",
                       "INSERT INTO u VALUES(3, 3, -1)", "INSERT INTO t(a) VALUES(1)"};
  for (int i = 0; i < 4; i++) {
    sqlite3_prepare_v2(db, bad[i], -1, &st, 0);
    int rc = sqlite3_step(st);
    printf("%s\n", bad[i]);
    show_rc(db, "  step", rc);
    show_rc(db, "  reset", sqlite3_reset(st));
    show_rc(db, "  reset again", sqlite3_reset(st));
    show_rc(db, "  finalize", sqlite3_finalize(st));
  }
  for (int code = 0; code <= 28; code++) printf("errstr(%d)=%s\n", code, sqlite3_errstr(code));
  printf("errstr(100)=%s errstr(101)=%s errstr(1555)=%s errstr(999)=%s\n", sqlite3_errstr(100), sqlite3_errstr(101),
         sqlite3_errstr(1555), sqlite3_errstr(999));
  exec(db, "BEGIN; BEGIN");
  exec(db, "COMMIT");
  exec(db, "COMMIT");
  exec(db, "ROLLBACK");
  char *err = 0;
  int rc = sqlite3_exec(db, "SELECT 1; SELECT * FROM nosuch; SELECT 2", 0, 0, &err);
  printf("multi exec rc=%d err=%s\n", rc, err);
  sqlite3_free(err);
}

static int exec_cb(void *arg, int n, char **values, char **names) {
  int *count = arg;
  printf("  row:");
  for (int i = 0; i < n; i++) printf(" %s=%s", names[i], values[i] ? values[i] : "NULL");
  printf("\n");
  return ++*count >= 3;
}

static void test_exec_and_changes(sqlite3 *db) {
  section("exec");
  exec(db, "CREATE TABLE e(id INTEGER PRIMARY KEY, v)");
  int count = 0;
  char *err = 0;
  int rc = sqlite3_exec(db, "INSERT INTO e(v) VALUES(1),(2),(3),(NULL); SELECT * FROM e ORDER BY id", exec_cb, &count, &err);
  printf("exec rc=%d err=%s count=%d\n", rc, err ? err : "(none)", count);
  sqlite3_free(err);
  printf("changes=%d total=%d last_rowid=%lld\n", sqlite3_changes(db), sqlite3_total_changes(db),
         (long long)sqlite3_last_insert_rowid(db));
  exec(db, "UPDATE e SET v = v + 1 WHERE v IS NOT NULL");
  printf("changes=%d changes64=%lld total64=%lld\n", sqlite3_changes(db), (long long)sqlite3_changes64(db),
         (long long)sqlite3_total_changes64(db));
  exec(db, "DELETE FROM e WHERE id > 2");
  printf("changes=%d\n", sqlite3_changes(db));
  sqlite3_set_last_insert_rowid(db, 77);
  printf("set last rowid=%lld\n", (long long)sqlite3_last_insert_rowid(db));
  char **table = 0;
  int rows = 0, cols = 0;
  rc = sqlite3_get_table(db, "SELECT id, v FROM e ORDER BY id", &table, &rows, &cols, 0);
  printf("get_table rc=%d rows=%d cols=%d:", rc, rows, cols);
  for (int i = 0; i < (rows + 1) * cols; i++) printf(" %s", table[i] ? table[i] : "NULL");
  printf("\n");
  sqlite3_free_table(table);
  exec(db, "BEGIN");
  printf("autocommit in txn=%d\n", sqlite3_get_autocommit(db));
  exec(db, "INSERT INTO e(v) VALUES('t')");
  exec(db, "ROLLBACK");
  printf("autocommit after=%d\n", sqlite3_get_autocommit(db));
  query(db, "SELECT count(*) FROM e");
}

/* ---- user functions */
static void fn_add(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  sqlite3_int64 s = 0;
  for (int i = 0; i < argc; i++) {
    if (sqlite3_value_type(argv[i]) == SQLITE_NULL) {
      sqlite3_result_null(ctx);
      return;
    }
    s += sqlite3_value_int64(argv[i]);
  }
  sqlite3_result_int64(ctx, s);
}
static void fn_describe(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  char *s = sqlite3_mprintf("%d:%d:%s:%d", sqlite3_value_type(argv[0]), sqlite3_value_bytes(argv[0]),
                            sqlite3_value_text(argv[0]) ? (const char *)sqlite3_value_text(argv[0]) : "NULL",
                            sqlite3_value_numeric_type(argv[0]));
  sqlite3_result_text(ctx, s, -1, sqlite3_free);
}
static void fn_fail(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  int mode = sqlite3_value_int(argv[0]);
  if (mode == 1) sqlite3_result_error(ctx, "custom failure", -1);
  else if (mode == 2) sqlite3_result_error_code(ctx, SQLITE_CONSTRAINT);
  else if (mode == 3) sqlite3_result_error_toobig(ctx);
  else if (mode == 4) sqlite3_result_error(ctx, "truncated message", 9);
  else sqlite3_result_int(ctx, mode);
}
static int g_destroyed = 0;
static void on_destroy(void *p) { g_destroyed += *(int *)p; }
static void fn_user_data(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  (void)argv;
  sqlite3_result_int(ctx, *(int *)sqlite3_user_data(ctx) + (sqlite3_context_db_handle(ctx) != 0));
}
static void fn_aux(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  int *cached = sqlite3_get_auxdata(ctx, 0);
  if (!cached) {
    cached = sqlite3_malloc(sizeof *cached);
    *cached = sqlite3_value_int(argv[0]) * 10;
    sqlite3_set_auxdata(ctx, 0, cached, sqlite3_free);
    cached = sqlite3_get_auxdata(ctx, 0);
  }
  sqlite3_result_int(ctx, cached ? *cached : -1);
}
static void fn_results(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  switch (sqlite3_value_int(argv[0])) {
    case 0: sqlite3_result_double(ctx, 2.5); break;
    case 1: sqlite3_result_blob(ctx, "\x01\x02", 2, SQLITE_TRANSIENT); break;
    case 2: sqlite3_result_zeroblob(ctx, 4); break;
    case 3: sqlite3_result_text(ctx, "partial", 4, SQLITE_STATIC); break;
    case 4: sqlite3_result_value(ctx, argv[0]); break;
    case 5: sqlite3_result_text64(ctx, "t64", 3, SQLITE_STATIC, SQLITE_UTF8); break;
    default: sqlite3_result_null(ctx); break;
  }
}
typedef struct {
  sqlite3_int64 sum;
  int n;
} Acc;
static void agg_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  Acc *a = sqlite3_aggregate_context(ctx, sizeof *a);
  if (sqlite3_value_type(argv[0]) != SQLITE_NULL) {
    a->sum += sqlite3_value_int64(argv[0]);
    a->n++;
  }
}
static void agg_final(sqlite3_context *ctx) {
  Acc *a = sqlite3_aggregate_context(ctx, 0);
  if (!a) {
    sqlite3_result_text(ctx, "empty", -1, SQLITE_STATIC);
    return;
  }
  char buf[64];
  sqlite3_snprintf(sizeof buf, buf, "%lld/%d", (long long)a->sum, a->n);
  sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}
static void win_value(sqlite3_context *ctx) {
  Acc *a = sqlite3_aggregate_context(ctx, sizeof *a);
  sqlite3_result_int64(ctx, a->sum);
}
static void win_inverse(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  Acc *a = sqlite3_aggregate_context(ctx, sizeof *a);
  a->sum -= sqlite3_value_int64(argv[0]);
  a->n--;
}
static void win_final(sqlite3_context *ctx) {
  Acc *a = sqlite3_aggregate_context(ctx, 0);
  sqlite3_result_int64(ctx, a ? a->sum : 0);
}
static int coll_reverse(void *arg, int na, const void *a, int nb, const void *b) {
  (void)arg;
  int n = na < nb ? na : nb;
  int c = memcmp(a, b, n);
  if (c == 0) c = na - nb;
  return -c;
}
static int coll_len(void *arg, int na, const void *a, int nb, const void *b) {
  (void)arg;
  (void)a;
  (void)b;
  return na - nb;
}

static void test_functions(sqlite3 *db) {
  section("functions");
  static int app = 40;
  static int destroy_weight = 1;
  show_rc(db, "create add", sqlite3_create_function(db, "my_add", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, 0, fn_add, 0, 0));
  show_rc(db, "create describe", sqlite3_create_function_v2(db, "describe", 1, SQLITE_UTF8, 0, fn_describe, 0, 0, 0));
  show_rc(db, "create fail", sqlite3_create_function(db, "fail", 1, SQLITE_UTF8, 0, fn_fail, 0, 0));
  show_rc(db, "create ud", sqlite3_create_function_v2(db, "ud", 0, SQLITE_UTF8, &app, fn_user_data, 0, 0, 0));
  show_rc(db, "create aux", sqlite3_create_function(db, "aux", 1, SQLITE_UTF8, 0, fn_aux, 0, 0));
  show_rc(db, "create results", sqlite3_create_function(db, "results", 1, SQLITE_UTF8, 0, fn_results, 0, 0));
  show_rc(db, "create agg", sqlite3_create_function(db, "acc", 1, SQLITE_UTF8, 0, 0, agg_step, agg_final));
  show_rc(db, "create win",
          sqlite3_create_window_function(db, "wsum", 1, SQLITE_UTF8, 0, agg_step, win_final, win_value, win_inverse, 0));
  show_rc(db, "create destroy",
          sqlite3_create_function_v2(db, "tmpf", 0, SQLITE_UTF8, &destroy_weight, fn_user_data, 0, 0, on_destroy));
  show_rc(db, "bad: func+step", sqlite3_create_function(db, "bad", 1, SQLITE_UTF8, 0, fn_add, agg_step, agg_final));
  show_rc(db, "bad: nArg", sqlite3_create_function(db, "bad", 1000, SQLITE_UTF8, 0, fn_add, 0, 0));
  query(db, "SELECT my_add(1, 2, 3), my_add(), my_add(1, NULL), MY_ADD(40, 2)");
  query(db, "SELECT describe(12), describe(1.5), describe('  7'), describe('x'), describe(x'6869'), describe(NULL)");
  query(db, "SELECT fail(0)");
  query(db, "SELECT fail(1)");
  query(db, "SELECT fail(2)");
  query(db, "SELECT fail(3)");
  query(db, "SELECT fail(4)");
  query(db, "SELECT ud(), tmpf()");
  exec(db, "CREATE TABLE f(g, x); INSERT INTO f VALUES(1, 10), (1, 20), (2, 5), (2, NULL), (3, NULL)");
  query(db, "SELECT aux(3) FROM f ORDER BY rowid");
  query(db, "SELECT results(0), results(1), results(2), results(3), results(4), results(5), results(6)");
  query(db, "SELECT g, acc(x) FROM f GROUP BY g ORDER BY g");
  query(db, "SELECT acc(x) FROM f WHERE 0");
  query(db, "SELECT nosuchfunc(1)");
  query(db, "SELECT my_add");
  printf("destroyed before replace=%d\n", g_destroyed);
  sqlite3_create_function_v2(db, "tmpf", 0, SQLITE_UTF8, &destroy_weight, fn_user_data, 0, 0, on_destroy);
  printf("destroyed after replace=%d\n", g_destroyed);
  sqlite3_create_function_v2(db, "tmpf", 0, SQLITE_UTF8, 0, 0, 0, 0, 0);
  printf("destroyed after delete=%d\n", g_destroyed);
  query(db, "SELECT tmpf()");
  /* Replacing a function while a statement runs is refused. */
  sqlite3_stmt *st;
  sqlite3_prepare_v2(db, "SELECT x FROM f", -1, &st, 0);
  sqlite3_step(st);
  show_rc(db, "create while busy", sqlite3_create_function(db, "my_add", 1, SQLITE_UTF8, 0, fn_add, 0, 0));
  sqlite3_finalize(st);

  section("collations");
  show_rc(db, "create reverse", sqlite3_create_collation(db, "reverse", SQLITE_UTF8, 0, coll_reverse));
  show_rc(db, "create len", sqlite3_create_collation_v2(db, "bylen", SQLITE_UTF8, 0, coll_len, 0));
  exec(db, "CREATE TABLE s(v TEXT); INSERT INTO s VALUES('bb'), ('a'), ('ccc'), ('B')");
  query(db, "SELECT v FROM s ORDER BY v COLLATE reverse");
  query(db, "SELECT v FROM s ORDER BY v COLLATE bylen, v");
  query(db, "SELECT 'abc' = 'xyz' COLLATE bylen, 'a' < 'b' COLLATE reverse");
}

static void test_values_and_strings(void) {
  section("strings");
  char *s = sqlite3_mprintf("%d|%5.2f|%s|%q|%Q|%Q|%w|%lld|%x|%c|%%|%.3s|%-4d|%04d", 42, 3.14159, "str", "it's", "q",
                            (char *)0, "id\"x", 1234567890123LL, 255, 'Z', "abcdef", 7, 7);
  printf("mprintf=%s\n", s);
  sqlite3_free(s);
  s = sqlite3_mprintf("%z and %s", sqlite3_mprintf("owned %d", 1), "more");
  printf("z=%s\n", s);
  sqlite3_free(s);
  char buf[8];
  sqlite3_snprintf(sizeof buf, buf, "%s", "truncate me");
  printf("snprintf=%s\n", buf);
  printf("mprintf g: %s\n", s = sqlite3_mprintf("%g %g %.15g %e %!.15g", 1e100, 0.1, 1.0 / 3, 12345.678, 2.0));
  sqlite3_free(s);
  printf("stricmp=%d %d %d strnicmp=%d %d\n", sqlite3_stricmp("ABC", "abc") == 0, sqlite3_stricmp("a", "b") < 0,
         sqlite3_stricmp("b", "A") > 0, sqlite3_strnicmp("HELLOx", "helloy", 5) == 0, sqlite3_strnicmp("a", "b", 1) < 0);
  void *p = sqlite3_malloc(100);
  printf("msize>=100: %d\n", sqlite3_msize(p) >= 100);
  p = sqlite3_realloc(p, 1000);
  memset(p, 1, 1000);
  printf("msize>=1000: %d\n", sqlite3_msize(p) >= 1000);
  sqlite3_free(p);
  printf("malloc(0)=%s realloc(NULL,0)=%s\n", sqlite3_malloc(0) ? "set" : "null", sqlite3_realloc(0, 0) ? "set" : "null");
  printf("version=%s number=%d match=%d sourceid_prefix=%.10s\n", sqlite3_libversion(), sqlite3_libversion_number(),
         strcmp(sqlite3_libversion(), SQLITE_VERSION) == 0, sqlite3_sourceid());
  printf("sleep returns %d\n", sqlite3_sleep(1));
  sqlite3_vfs *vfs = sqlite3_vfs_find(0);
  sqlite3_int64 now = 0;
  vfs->xCurrentTimeInt64(vfs, &now);
  printf("vfs name=%s time plausible=%d\n", vfs->zName, now > 212000000000000LL && now < 213000000000000LL);
  unsigned char r1[16] = {0}, r2[16] = {0};
  sqlite3_randomness(16, r1);
  sqlite3_randomness(16, r2);
  printf("randomness differs=%d\n", memcmp(r1, r2, 16) != 0);
}

static int g_commits, g_rollbacks, g_progress, g_traces;
static int commit_hook(void *arg) {
  g_commits++;
  return *(int *)arg;
}
static void rollback_hook(void *arg) {
  (void)arg;
  g_rollbacks++;
}
static int progress_hook(void *arg) {
  g_progress++;
  return *(int *)arg;
}
static int trace_cb(unsigned type, void *ctx, void *p, void *x) {
  (void)ctx;
  (void)x;
  g_traces++;
  if (type == SQLITE_TRACE_STMT) printf("  trace stmt: %s\n", (const char *)x);
  if (type == SQLITE_TRACE_ROW) printf("  trace row of: %s\n", sqlite3_sql((sqlite3_stmt *)p));
  if (type == SQLITE_TRACE_PROFILE) printf("  trace profile: %s\n", sqlite3_sql((sqlite3_stmt *)p));
  if (type == SQLITE_TRACE_CLOSE) printf("  trace close\n");
  return 0;
}

static void update_hook(void *arg, int op, const char *db, const char *table, sqlite3_int64 rowid) {
  (void)arg;
  printf("  update op=%d %s.%s rowid=%lld\n", op, db, table, (long long)rowid);
}

static void test_update_hook(void) {
  section("update hook");
  sqlite3 *db;
  sqlite3_open(":memory:", &db);
  void *old = sqlite3_update_hook(db, update_hook, 0);
  printf("first old=%s\n", old ? "set" : "null");
  exec(db, "CREATE TABLE u(id INTEGER PRIMARY KEY AUTOINCREMENT, v UNIQUE); CREATE TABLE w(k PRIMARY KEY, v) WITHOUT ROWID");
  exec(db, "INSERT INTO u(v) VALUES ('a'), ('b'), ('c')");
  exec(db, "UPDATE u SET v = 'bb' WHERE id = 2");
  exec(db, "UPDATE u SET id = 10 WHERE id = 3");
  exec(db, "INSERT OR REPLACE INTO u(id, v) VALUES (20, 'a')");
  exec(db, "INSERT INTO u(id, v) VALUES (2, 'x') ON CONFLICT(id) DO UPDATE SET v = 'upserted'");
  exec(db, "DELETE FROM u WHERE id = 10");
  exec(db, "INSERT INTO w VALUES (1, 2)");
  exec(db, "CREATE TABLE log(x); CREATE TRIGGER tr AFTER DELETE ON u BEGIN INSERT INTO log VALUES (old.id); END");
  exec(db, "DELETE FROM u");
  exec(db, "BEGIN; INSERT INTO log VALUES (99); ROLLBACK");
  int marker = 7;
  old = sqlite3_update_hook(db, 0, &marker);
  printf("second old=%s\n", old ? "set" : "null");
  exec(db, "INSERT INTO log VALUES (100)");
  sqlite3_close(db);
}

static void test_hooks(void) {
  section("hooks");
  sqlite3 *db;
  sqlite3_open(":memory:", &db);
  int veto = 0;
  sqlite3_commit_hook(db, commit_hook, &veto);
  sqlite3_rollback_hook(db, rollback_hook, 0);
  exec(db, "CREATE TABLE h(x)");
  exec(db, "SELECT * FROM h");
  exec(db, "BEGIN; INSERT INTO h VALUES(1); COMMIT");
  exec(db, "BEGIN; INSERT INTO h VALUES(2); ROLLBACK");
  exec(db, "BEGIN; ROLLBACK");
  printf("commits=%d rollbacks=%d\n", g_commits, g_rollbacks);
  veto = 1;
  exec(db, "INSERT INTO h VALUES(3)");
  printf("commits=%d rollbacks=%d\n", g_commits, g_rollbacks);
  veto = 0;
  query(db, "SELECT count(*) FROM h");
  void *old = sqlite3_commit_hook(db, 0, 0);
  printf("old commit arg matches=%d\n", old == &veto);
  sqlite3_rollback_hook(db, 0, 0);
  exec(db, "INSERT INTO h VALUES(4)");
  printf("commits=%d rollbacks=%d\n", g_commits, g_rollbacks);

  int stop = 0;
  exec(db, "CREATE TABLE big(x); INSERT INTO big VALUES(1),(2),(3),(4),(5),(6),(7),(8),(9),(10)");
  sqlite3_progress_handler(db, 1, progress_hook, &stop);
  query(db, "SELECT count(*) FROM big a, big b, big c, big d");
  printf("progress called=%d\n", g_progress > 0);
  stop = 1;
  query(db, "SELECT count(*) FROM big a, big b, big c, big d");
  sqlite3_progress_handler(db, 0, 0, 0);
  query(db, "SELECT count(*) FROM big a, big b");

  sqlite3_trace_v2(db, SQLITE_TRACE_STMT | SQLITE_TRACE_ROW | SQLITE_TRACE_PROFILE | SQLITE_TRACE_CLOSE, trace_cb, 0);
  query(db, "SELECT x FROM big WHERE x < 3");
  sqlite3_trace_v2(db, SQLITE_TRACE_CLOSE, trace_cb, 0);
  sqlite3_close(db);

  sqlite3_open(":memory:", &db);
  printf("busy_timeout=%d busy_handler=%d\n", sqlite3_busy_timeout(db, 100), sqlite3_busy_handler(db, 0, 0));
  printf("limit length=%d\n", sqlite3_limit(db, SQLITE_LIMIT_LENGTH, -1));
  printf("limit variable_number>=32766: %d\n", sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, 2) >= 32766);
  sqlite3_stmt *st;
  show_rc(db, "prepare 3 vars", sqlite3_prepare_v2(db, "SELECT ?, ?, ?", -1, &st, 0));
  sqlite3_finalize(st);
  sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, 32766);
  exec(db, "CREATE TABLE lim(v); INSERT INTO lim VALUES('abcd')");
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 5);
  query(db, "SELECT v || v FROM lim");
  query(db, "SELECT v || v AS x FROM lim");
  query(db, "SELECT v FROM lim");
  printf("limit length now=%d\n", sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1000000000));
  printf("limit bad id=%d\n", sqlite3_limit(db, 99, 1));
  exec(db, "CREATE TABLE m(id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT NOT NULL COLLATE NOCASE, b)");
  const char *type = 0, *coll = 0;
  int nn = -1, pk = -1, ai = -1;
  int rc = sqlite3_table_column_metadata(db, 0, "m", "a", &type, &coll, &nn, &pk, &ai);
  printf("meta a: rc=%d type=%s coll=%s nn=%d pk=%d ai=%d\n", rc, type ? type : "(null)", coll ? coll : "(null)", nn, pk, ai);
  rc = sqlite3_table_column_metadata(db, "main", "m", "id", &type, &coll, &nn, &pk, &ai);
  printf("meta id: rc=%d type=%s coll=%s nn=%d pk=%d ai=%d\n", rc, type ? type : "(null)", coll ? coll : "(null)", nn, pk, ai);
  rc = sqlite3_table_column_metadata(db, 0, "m", "b", &type, &coll, &nn, &pk, &ai);
  printf("meta b: rc=%d type=%s coll=%s nn=%d pk=%d ai=%d\n", rc, type ? type : "(null)", coll ? coll : "(null)", nn, pk, ai);
  rc = sqlite3_table_column_metadata(db, 0, "m", "rowid", &type, &coll, &nn, &pk, &ai);
  printf("meta rowid: rc=%d type=%s pk=%d\n", rc, type ? type : "(null)", pk);
  rc = sqlite3_table_column_metadata(db, 0, "m", "nosuch", &type, &coll, &nn, &pk, &ai);
  show_rc(db, "meta nosuch", rc);
  rc = sqlite3_table_column_metadata(db, 0, "nosuch", 0, 0, 0, 0, 0, 0);
  show_rc(db, "meta no table", rc);
  int log = -2, ckpt = -2;
  rc = sqlite3_wal_checkpoint_v2(db, 0, SQLITE_CHECKPOINT_PASSIVE, &log, &ckpt);
  printf("checkpoint non-wal rc=%d log=%d ckpt=%d\n", rc, log, ckpt);
  rc = sqlite3_wal_checkpoint_v2(db, "nosuch", SQLITE_CHECKPOINT_PASSIVE, &log, &ckpt);
  show_rc(db, "checkpoint unknown db", rc);
  sqlite3_close(db);
}

static void test_wal_and_backup(void) {
  section("backup");
  char path[512], path2[512];
  snprintf(path, sizeof path, "%s/wal.db", g_dir);
  snprintf(path2, sizeof path2, "%s/copy.db", g_dir);
  remove(path);
  remove(path2);
  sqlite3 *db, *db2;
  sqlite3_open(path, &db);
  exec(db, "CREATE TABLE w(x); INSERT INTO w VALUES(1),(2),(3)");
  int rc;
  printf("autocheckpoint rc=%d\n", sqlite3_wal_autocheckpoint(db, 10));
  sqlite3_open(path2, &db2);
  exec(db2, "CREATE TABLE old(y); INSERT INTO old VALUES('gone')");
  sqlite3_backup *b = sqlite3_backup_init(db2, "main", db, "main");
  printf("backup init=%s\n", b ? "ok" : sqlite3_errmsg(db2));
  rc = sqlite3_backup_step(b, 1);
  printf("step1 rc=%d remaining=%d pagecount=%d\n", rc, sqlite3_backup_remaining(b), sqlite3_backup_pagecount(b));
  rc = sqlite3_backup_step(b, -1);
  printf("step all rc=%d remaining=%d\n", rc, sqlite3_backup_remaining(b));
  printf("finish=%d\n", sqlite3_backup_finish(b));
  query(db2, "SELECT * FROM w");
  query(db2, "SELECT name FROM sqlite_schema");
  b = sqlite3_backup_init(db, "main", db, "main");
  show_rc(db, "backup same", b ? 0 : sqlite3_errcode(db));
  sqlite3_close(db2);
  sqlite3_close(db);
}

/* Prints whether a file name ends with `suffix` (paths differ between runs). */
static void show_filename(const char *what, const char *name, const char *suffix) {
  size_t n = name ? strlen(name) : 0, k = strlen(suffix);
  printf("%s: %s\n", what,
         name == 0 ? "(null)" : n == 0 ? "(empty)" : n >= k && strcmp(name + n - k, suffix) == 0 ? suffix : name);
}

static void test_attach(void) {
  section("attach");
  char path[512], aux[512], copy[512], sql[1200];
  snprintf(path, sizeof path, "%s/att_main.db", g_dir);
  snprintf(aux, sizeof aux, "%s/att_aux.db", g_dir);
  snprintf(copy, sizeof copy, "%s/att_copy.db", g_dir);
  remove(path);
  remove(aux);
  remove(copy);
  sqlite3 *db;
  sqlite3_open(path, &db);
  snprintf(sql, sizeof sql, "ATTACH '%s' AS aux", aux);
  show_rc(db, "attach aux", sqlite3_exec(db, sql, 0, 0, 0));
  exec(db, "CREATE TABLE main.m(a INTEGER PRIMARY KEY, b TEXT); CREATE TABLE aux.x(k TEXT NOT NULL, v REAL)");
  exec(db, "BEGIN; INSERT INTO m VALUES(1,'one'); INSERT INTO aux.x VALUES('k', 2.5); COMMIT");
  show_filename("db_filename(aux)", sqlite3_db_filename(db, "aux"), "/att_aux.db");
  show_filename("db_filename(main)", sqlite3_db_filename(db, "main"), "/att_main.db");
  show_filename("db_filename(nosuch)", sqlite3_db_filename(db, "nosuch"), "");
  printf("db_name(2)=%s readonly(aux)=%d readonly(nosuch)=%d\n", sqlite3_db_name(db, 2),
         sqlite3_db_readonly(db, "aux"), sqlite3_db_readonly(db, "nosuch"));
  sqlite3_stmt *st = 0;
  int rc = sqlite3_prepare_v2(db, "SELECT m.b, x.k, x.v FROM m, aux.x AS x", -1, &st, 0);
  show_rc(db, "prepare join", rc);
  for (int i = 0; rc == SQLITE_OK && i < 3; i++) {
    printf("  col %d: db=%s table=%s origin=%s\n", i, sqlite3_column_database_name(st, i),
           sqlite3_column_table_name(st, i), sqlite3_column_origin_name(st, i));
  }
  sqlite3_finalize(st);
  const char *type = 0, *coll = 0;
  int notnull = 0, pk = 0, autoinc = 0;
  rc = sqlite3_table_column_metadata(db, "aux", "x", "k", &type, &coll, &notnull, &pk, &autoinc);
  printf("metadata(aux.x.k) rc=%d type=%s coll=%s notnull=%d pk=%d\n", rc, type ? type : "-", coll ? coll : "-",
         notnull, pk);
  rc = sqlite3_table_column_metadata(db, "main", "x", "k", &type, &coll, &notnull, &pk, &autoinc);
  show_rc(db, "metadata(main.x.k)", rc);
  printf("txn_state(aux)=%d\n", sqlite3_txn_state(db, "aux"));
  exec(db, "BEGIN; INSERT INTO aux.x VALUES('t', 1)");
  printf("txn_state(aux) in txn=%d main=%d\n", sqlite3_txn_state(db, "aux"), sqlite3_txn_state(db, "main"));
  exec(db, "ROLLBACK");
  sqlite3 *dst;
  sqlite3_open(copy, &dst);
  sqlite3_backup *b = sqlite3_backup_init(dst, "main", db, "aux");
  printf("backup from aux init=%s\n", b ? "ok" : sqlite3_errmsg(dst));
  if (b) {
    printf("step rc=%d\n", sqlite3_backup_step(b, -1));
    printf("finish=%d\n", sqlite3_backup_finish(b));
  }
  query(dst, "SELECT k, v FROM x");
  sqlite3_close(dst);
  printf("limit attached=%d\n", sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 1));
  snprintf(sql, sizeof sql, "ATTACH '%s' AS two", copy);
  show_rc(db, "attach over limit", sqlite3_exec(db, sql, 0, 0, 0));
  show_rc(db, "detach aux", sqlite3_exec(db, "DETACH aux", 0, 0, 0));
  show_rc(db, "detach again", sqlite3_exec(db, "DETACH aux", 0, 0, 0));
  show_filename("db_filename(aux) after detach", sqlite3_db_filename(db, "aux"), "");
  sqlite3_close(db);
}

static void test_blob(sqlite3 *db) {
  section("blob");
  exec(db, "CREATE TABLE bl(id INTEGER PRIMARY KEY, data BLOB, n INTEGER, t TEXT)");
  exec(db, "INSERT INTO bl VALUES(1, zeroblob(8), 5, 'text')");
  exec(db, "CREATE INDEX bl_t ON bl(t)");
  sqlite3_blob *b = 0;
  int rc = sqlite3_blob_open(db, "main", "bl", "data", 1, 1, &b);
  show_rc(db, "open", rc);
  printf("bytes=%d\n", sqlite3_blob_bytes(b));
  show_rc(db, "write", sqlite3_blob_write(b, "abcd", 4, 2));
  char buf[16] = {0};
  show_rc(db, "read", sqlite3_blob_read(b, buf, 8, 0));
  printf("data=%02x%02x%c%c%c%c%02x%02x\n", buf[0], buf[1], buf[2], buf[3], buf[4], buf[5], buf[6], buf[7]);
  show_rc(db, "read past end", sqlite3_blob_read(b, buf, 4, 6));
  show_rc(db, "write past end", sqlite3_blob_write(b, "xyz", 3, 7));
  show_rc(db, "close", sqlite3_blob_close(b));
  query(db, "SELECT hex(data) FROM bl");
  show_rc(db, "open no row", sqlite3_blob_open(db, "main", "bl", "data", 9, 0, &b));
  show_rc(db, "open int", sqlite3_blob_open(db, "main", "bl", "n", 1, 0, &b));
  show_rc(db, "open no col", sqlite3_blob_open(db, "main", "bl", "zz", 1, 0, &b));
  show_rc(db, "open no table", sqlite3_blob_open(db, "main", "nope", "data", 1, 0, &b));
  show_rc(db, "open indexed rw", sqlite3_blob_open(db, "main", "bl", "t", 1, 1, &b));
  rc = sqlite3_blob_open(db, "main", "bl", "t", 1, 0, &b);
  show_rc(db, "open text ro", rc);
  memset(buf, 0, sizeof buf);
  sqlite3_blob_read(b, buf, 4, 0);
  printf("text=%s\n", buf);
  show_rc(db, "write ro", sqlite3_blob_write(b, "x", 1, 0));
  sqlite3_blob_close(b);
}

static void test_serialize(sqlite3 *db) {
  section("serialize");
  exec(db, "CREATE TABLE ser(x); INSERT INTO ser VALUES('a'), ('b')");
  sqlite3_int64 size = 0;
  unsigned char *img = sqlite3_serialize(db, "main", &size, 0);
  printf("serialize size>0=%d header=%.15s\n", size > 0, img);
  sqlite3 *db2;
  sqlite3_open(":memory:", &db2);
  int rc = sqlite3_deserialize(db2, "main", img, size, size, SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE);
  printf("deserialize rc=%d\n", rc);
  query(db2, "SELECT x FROM ser ORDER BY x");
  exec(db2, "INSERT INTO ser VALUES('c')");
  query(db2, "SELECT count(*) FROM ser");
  sqlite3_close(db2);
}

static void test_close(void) {
  section("close");
  sqlite3 *db;
  sqlite3_open(":memory:", &db);
  sqlite3_stmt *st;
  sqlite3_prepare_v2(db, "SELECT 1", -1, &st, 0);
  printf("next_stmt first=%d\n", sqlite3_next_stmt(db, 0) == st);
  show_rc(db, "close busy", sqlite3_close(db));
  printf("close_v2=%d\n", sqlite3_close_v2(db));
  printf("step on zombie's stmt=%d\n", sqlite3_step(st));
  printf("finalize=%d\n", sqlite3_finalize(st));
  printf("close null=%d\n", sqlite3_close(0));
}


/* The authorizer: per statement, the set of (action, args) it was asked
** about (sorted: the order of the calls and repeats are not compared), then
** the statement's outcome; DENY and IGNORE on chosen actions. */
static char g_auth_calls[64][160];
static int g_auth_n = 0;
static int g_auth_deny = -1, g_auth_ignore = -1;
static const char *g_auth_column = 0;

static int auth_cb(void *arg, int action, const char *a, const char *b, const char *d, const char *t) {
  (void)arg;
  /* SQLite also asks about the SQL it runs itself to maintain its schema
  ** table (UPDATE sqlite_master ...); Keel writes the schema table without
  ** SQL. Those calls are not compared. */
  int internal = a && (strcmp(a, "sqlite_master") == 0 || strcmp(a, "sqlite_temp_master") == 0) &&
                 action != SQLITE_INSERT && action != SQLITE_DELETE;
  if (g_auth_n < 64 && !internal) {
    snprintf(g_auth_calls[g_auth_n++], 160, "%d %s %s %s %s", action, a ? a : "-", b ? b : "-", d ? d : "-",
             t ? t : "-");
  }
  if (g_auth_column && action == SQLITE_READ && b && strcmp(b, g_auth_column) != 0) return SQLITE_OK;
  if (action == g_auth_deny) return SQLITE_DENY;
  if (action == g_auth_ignore) return SQLITE_IGNORE;
  return SQLITE_OK;
}

static int cmp_str(const void *x, const void *y) { return strcmp((const char *)x, (const char *)y); }

static void auth_run(sqlite3 *db, const char *sql) {
  g_auth_n = 0;
  query(db, sql);
  qsort(g_auth_calls, (size_t)g_auth_n, sizeof g_auth_calls[0], cmp_str);
  for (int i = 0; i < g_auth_n; i++) {
    if (i > 0 && strcmp(g_auth_calls[i], g_auth_calls[i - 1]) == 0) continue;
    printf("  auth %s\n", g_auth_calls[i]);
  }
}

static void test_authorizer(void) {
  section("authorizer");
  sqlite3 *db;
  sqlite3_open(":memory:", &db);
  exec(db, "CREATE TABLE t(a INTEGER PRIMARY KEY, b, c); INSERT INTO t VALUES (1, 'x', 10), (2, 'y', 20)");
  show_rc(db, "set", sqlite3_set_authorizer(db, auth_cb, 0));
  auth_run(db, "SELECT b, c + 1 FROM t WHERE a = 1");
  auth_run(db, "SELECT * FROM t");
  auth_run(db, "SELECT upper(b) FROM t ORDER BY c");
  auth_run(db, "INSERT INTO t VALUES (3, 'z', 30)");
  auth_run(db, "UPDATE t SET b = 'w', c = c * 2 WHERE a = 3");
  auth_run(db, "DELETE FROM t WHERE a = 3");
  auth_run(db, "CREATE TABLE u(x)");
  auth_run(db, "CREATE INDEX ui ON u(x)");
  auth_run(db, "CREATE VIEW v AS SELECT x FROM u");
  auth_run(db, "CREATE TEMP TABLE tt(y)");
  auth_run(db, "DROP INDEX ui");
  auth_run(db, "DROP VIEW v");
  auth_run(db, "DROP TABLE u");
  auth_run(db, "PRAGMA user_version = 3");
  auth_run(db, "PRAGMA main.user_version");
  auth_run(db, "BEGIN");
  auth_run(db, "SAVEPOINT s");
  auth_run(db, "RELEASE s");
  auth_run(db, "COMMIT");
  auth_run(db, "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 3) SELECT n FROM c");
  g_auth_deny = SQLITE_READ;
  g_auth_column = "c";
  auth_run(db, "SELECT b, c FROM t");
  g_auth_deny = -1;
  g_auth_ignore = SQLITE_READ;
  auth_run(db, "SELECT b, c FROM t ORDER BY a");
  auth_run(db, "SELECT * FROM t ORDER BY a");
  g_auth_column = 0;
  g_auth_ignore = -1;
  g_auth_deny = SQLITE_INSERT;
  auth_run(db, "INSERT INTO t VALUES (4, 'q', 40)");
  g_auth_deny = SQLITE_FUNCTION;
  auth_run(db, "SELECT upper(b) FROM t");
  g_auth_deny = -1;
  g_auth_ignore = SQLITE_FUNCTION;
  auth_run(db, "SELECT upper(b) FROM t WHERE a > 0");
  g_auth_ignore = SQLITE_DELETE;
  auth_run(db, "DELETE FROM t WHERE a = 1");
  g_auth_ignore = -1;
  g_auth_deny = SQLITE_PRAGMA;
  auth_run(db, "PRAGMA user_version");
  g_auth_deny = -1;
  /* A statement prepared before the authorizer changes asks the new one. */
  sqlite3_stmt *st = 0;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &st, 0);
  g_auth_deny = SQLITE_SELECT;
  show_rc(db, "step after deny", sqlite3_step(st));
  sqlite3_finalize(st);
  g_auth_deny = -1;
  show_rc(db, "unset", sqlite3_set_authorizer(db, 0, 0));
  query(db, "SELECT count(*) FROM t");
  sqlite3_close(db);
}

/* sqlite3_stmt_readonly of PRAGMAs: only those that may write the file. */
static void test_pragma_readonly(sqlite3 *db) {
  section("pragma readonly");
  static const char *const sql[] = {
      "PRAGMA user_version", "PRAGMA user_version = 3", "PRAGMA foreign_keys = 1", "PRAGMA cache_size",
      "PRAGMA journal_mode", "PRAGMA wal_checkpoint", "PRAGMA incremental_vacuum", "PRAGMA page_size",
      "PRAGMA page_size = 4096", "PRAGMA application_id = 7", "PRAGMA schema_version", "PRAGMA integrity_check",
      "PRAGMA table_info(t)", "PRAGMA database_list", "PRAGMA synchronous = 1", "PRAGMA optimize", 0};
  for (int i = 0; sql[i]; i++) {
    sqlite3_stmt *st = 0;
    int rc = sqlite3_prepare_v2(db, sql[i], -1, &st, 0);
    printf("%s -> %d readonly=%d\n", sql[i], rc, st ? sqlite3_stmt_readonly(st) : -1);
    sqlite3_finalize(st);
  }
}

int main(int argc, char **argv) {
  if (argc > 1) g_dir = argv[1];
  printf("threadsafe=%d\n", sqlite3_threadsafe() != 0);
  sqlite3_initialize();
  test_open();
  sqlite3 *db;
  sqlite3_open(":memory:", &db);
  sqlite3_exec(db, "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)", 0, 0, 0);
  test_prepare(db);
  test_bind(db);
  test_columns(db);
  test_errors(db);
  test_exec_and_changes(db);
  test_functions(db);
  test_values_and_strings();
  test_blob(db);
  test_serialize(db);
  test_pragma_readonly(db);
  sqlite3_close(db);
  test_hooks();
  test_update_hook();
  test_authorizer();
  test_wal_and_backup();
  test_attach();
  test_close();
  printf("destroyed at end=%d\n", g_destroyed);
  sqlite3_shutdown();
  return 0;
}
