/* Virtual tables through the sqlite3 C API: a transcript program built once
** against the system libsqlite3 and once against libkeel; the test passes
** when both transcripts are identical (compare_transcripts.py).
**
** It defines two modules with the C API alone:
**   series   an eponymous-only table-valued function in the manner of
**            SQLite's generate_series(START, STOP, STEP): hidden argument
**            columns, constraints on `value` narrowing the scan, ORDER BY
**            consumption, sqlite3_vtab_rhs_value / sqlite3_vtab_collation;
**   kv       a writable table made by CREATE VIRTUAL TABLE kv USING
**            kvmod(col, ...): xCreate/xConnect/xDestroy, xUpdate for
**            INSERT / UPDATE / DELETE, rowid lookups through xBestIndex.
** and runs the built-in json_each / json_tree over fixed and generated
** documents (differential against SQLite's own implementation).
**
** usage: vtab_suite DIR   (DIR: a scratch directory for database files)
*/
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char* g_dir = ".";

static void show_rc(sqlite3* db, const char* what, int rc) {
  printf("%s -> %d", what, rc);
  if (db && rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) printf(" [%s]", sqlite3_errmsg(db));
  printf("\n");
}

static void query(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = 0;
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
      switch (sqlite3_column_type(st, i)) {
        case SQLITE_INTEGER:
          printf("i:%lld", (long long)sqlite3_column_int64(st, i));
          break;
        case SQLITE_FLOAT:
          printf("r:%.17g", sqlite3_column_double(st, i));
          break;
        case SQLITE_TEXT:
          printf("t:%s", (const char*)sqlite3_column_text(st, i));
          break;
        case SQLITE_BLOB:
          printf("b:%d", sqlite3_column_bytes(st, i));
          break;
        default:
          printf("null");
          break;
      }
      printf(i + 1 < n ? " | " : "");
    }
    printf("\n");
  }
  show_rc(db, "  end", rc);
  sqlite3_finalize(st);
}

static void exec(sqlite3* db, const char* sql) {
  char* err = 0;
  int rc = sqlite3_exec(db, sql, 0, 0, &err);
  printf("X %s -> %d%s%s\n", sql, rc, err ? " " : "", err ? err : "");
  sqlite3_free(err);
}

/* ------------------------------------------------------------------ series */

typedef struct {
  sqlite3_vtab base;
} SeriesTab;

typedef struct {
  sqlite3_vtab_cursor base;
  int desc;
  sqlite3_int64 value, start, stop, step, rowid;
} SeriesCur;

enum { S_VALUE = 0, S_START, S_STOP, S_STEP };

static int g_rhs_seen = 0; /* constraint value = <literal> seen by xBestIndex */
static sqlite3_int64 g_rhs_value = 0;
static char g_coll[32];

static int series_connect(sqlite3* db, void* aux, int argc, const char* const* argv, sqlite3_vtab** pp,
                          char** err) {
  (void)aux;
  (void)argc;
  (void)argv;
  (void)err;
  int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(value,start hidden,stop hidden,step hidden)");
  if (rc != SQLITE_OK) return rc;
  SeriesTab* t = sqlite3_malloc(sizeof(*t));
  if (!t) return SQLITE_NOMEM;
  memset(t, 0, sizeof(*t));
  *pp = &t->base;
  return SQLITE_OK;
}

static int series_disconnect(sqlite3_vtab* vt) {
  sqlite3_free(vt);
  return SQLITE_OK;
}

static int series_open(sqlite3_vtab* vt, sqlite3_vtab_cursor** pp) {
  (void)vt;
  SeriesCur* c = sqlite3_malloc(sizeof(*c));
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  *pp = &c->base;
  return SQLITE_OK;
}

static int series_close(sqlite3_vtab_cursor* cur) {
  sqlite3_free(cur);
  return SQLITE_OK;
}

static int series_eof(sqlite3_vtab_cursor* cur) {
  SeriesCur* c = (SeriesCur*)cur;
  return c->desc ? c->value < c->start : c->value > c->stop;
}

static int series_next(sqlite3_vtab_cursor* cur) {
  SeriesCur* c = (SeriesCur*)cur;
  c->value += c->desc ? -c->step : c->step;
  c->rowid++;
  return SQLITE_OK;
}

static int series_column(sqlite3_vtab_cursor* cur, sqlite3_context* ctx, int i) {
  SeriesCur* c = (SeriesCur*)cur;
  sqlite3_int64 x = i == S_START ? c->start : i == S_STOP ? c->stop : i == S_STEP ? c->step : c->value;
  sqlite3_result_int64(ctx, x);
  return SQLITE_OK;
}

static int series_rowid(sqlite3_vtab_cursor* cur, sqlite_int64* r) {
  *r = ((SeriesCur*)cur)->rowid;
  return SQLITE_OK;
}

/* idxNum bits: 1 start, 2 stop, 4 step, 8 value >= x, 16 value <= x,
** 32 value = x, 64 descending. */
static int series_filter(sqlite3_vtab_cursor* cur, int idx, const char* idx_str, int argc,
                         sqlite3_value** argv) {
  (void)idx_str;
  SeriesCur* c = (SeriesCur*)cur;
  int k = 0;
  c->start = 0;
  c->stop = 0xffffffff;
  c->step = 1;
  if (idx & 1) c->start = sqlite3_value_int64(argv[k++]);
  if (idx & 2) c->stop = sqlite3_value_int64(argv[k++]);
  if (idx & 4) {
    c->step = sqlite3_value_int64(argv[k++]);
    if (c->step < 1) c->step = 1;
  }
  if (!(idx & 1)) {
    c->start = 1;
    c->stop = 0; /* no START argument: no rows */
  }
  for (int i = 0; i < argc; i++) {
    if (sqlite3_value_type(argv[i]) == SQLITE_NULL) {
      c->start = 1;
      c->stop = 0; /* a NULL argument: no rows */
      break;
    }
  }
  if (idx & 8) {
    sqlite3_int64 lo = sqlite3_value_int64(argv[k++]);
    while (c->start < lo) c->start += c->step;
  }
  if (idx & 16) {
    sqlite3_int64 hi = sqlite3_value_int64(argv[k++]);
    if (hi < c->stop) c->stop = hi;
  }
  if (idx & 32) {
    sqlite3_int64 eq = sqlite3_value_int64(argv[k++]);
    if (eq < c->start || eq > c->stop || (eq - c->start) % c->step != 0) {
      c->start = 1;
      c->stop = 0;
    } else {
      c->start = c->stop = eq;
    }
  }
  c->desc = (idx & 64) != 0;
  if (c->desc) {
    /* last value of the progression */
    if (c->stop >= c->start)
      c->value = c->start + ((c->stop - c->start) / c->step) * c->step;
    else
      c->value = c->start - 1;
  } else {
    c->value = c->start;
  }
  c->rowid = 1;
  return SQLITE_OK;
}

static int series_best_index(sqlite3_vtab* vt, sqlite3_index_info* info) {
  (void)vt;
  int arg_of[7] = {-1, -1, -1, -1, -1, -1, -1};
  int unusable_start = 0;
  for (int i = 0; i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint* c = &info->aConstraint[i];
    if (c->iColumn >= S_START && c->iColumn <= S_STEP) {
      if (!c->usable) {
        if (c->iColumn == S_START) unusable_start = 1;
        continue;
      }
      if (c->op == SQLITE_INDEX_CONSTRAINT_EQ) arg_of[c->iColumn - 1] = i;
    } else if (c->iColumn == S_VALUE) {
      if (c->op == SQLITE_INDEX_CONSTRAINT_EQ) {
        sqlite3_value* v = 0;
        if (sqlite3_vtab_rhs_value(info, i, &v) == SQLITE_OK && v) {
          g_rhs_seen = 1;
          g_rhs_value = sqlite3_value_int64(v);
        }
        const char* coll = sqlite3_vtab_collation(info, i);
        snprintf(g_coll, sizeof g_coll, "%s", coll ? coll : "(null)");
      }
      if (!c->usable) continue;
      if (c->op == SQLITE_INDEX_CONSTRAINT_GE) arg_of[3] = i;
      if (c->op == SQLITE_INDEX_CONSTRAINT_LE) arg_of[4] = i;
      if (c->op == SQLITE_INDEX_CONSTRAINT_EQ) arg_of[5] = i;
    }
  }
  if (unusable_start && arg_of[0] < 0) return SQLITE_CONSTRAINT;
  int idx = 0, n = 0;
  for (int b = 0; b < 6; b++) {
    if (arg_of[b] < 0) continue;
    idx |= 1 << b;
    info->aConstraintUsage[arg_of[b]].argvIndex = ++n;
    info->aConstraintUsage[arg_of[b]].omit = b < 3;
  }
  if (info->nOrderBy == 1 && info->aOrderBy[0].iColumn == S_VALUE) {
    if (info->aOrderBy[0].desc) idx |= 64;
    info->orderByConsumed = 1;
  }
  info->idxNum = idx;
  info->estimatedCost = (idx & 3) == 3 ? 10.0 : 2147483647.0;
  info->estimatedRows = (idx & 3) == 3 ? 100 : 2147483647;
  return SQLITE_OK;
}

static sqlite3_module series_module = {0,
                                       0,
                                       series_connect,
                                       series_best_index,
                                       series_disconnect,
                                       0,
                                       series_open,
                                       series_close,
                                       series_filter,
                                       series_next,
                                       series_eof,
                                       series_column,
                                       series_rowid,
                                       0,
                                       0,
                                       0,
                                       0,
                                       0,
                                       0,
                                       0,
                                       0,
                                       0,
                                       0,
                                       0};

/* ---------------------------------------------------------------------- kv */

#define KV_MAX_COLS 8
typedef struct {
  sqlite3_int64 rowid;
  sqlite3_value* v[KV_MAX_COLS];
} KvRow;

typedef struct {
  sqlite3_vtab base;
  char name[64];
  int ncol;
  int nrow;
  int cap;
  KvRow* rows;
  sqlite3_int64 next_rowid;
} KvTab;

typedef struct {
  sqlite3_vtab_cursor base;
  int i;
  int only; /* idxNum 1: rowid lookup, i is the row */
} KvCur;

static int g_kv_creates, g_kv_connects, g_kv_destroys, g_kv_disconnects;
static KvTab* g_kv_store[8]; /* tables survive disconnects so a reconnect sees the rows */

static KvTab* kv_find(const char* name) {
  for (int i = 0; i < 8; i++)
    if (g_kv_store[i] && strcmp(g_kv_store[i]->name, name) == 0) return g_kv_store[i];
  return 0;
}

static int kv_init(sqlite3* db, int create, int argc, const char* const* argv, sqlite3_vtab** pp,
                   char** err) {
  if (argc < 4) {
    *err = sqlite3_mprintf("kvmod needs at least one column");
    return SQLITE_ERROR;
  }
  if (argc - 3 > KV_MAX_COLS) {
    *err = sqlite3_mprintf("too many columns for kvmod: %d", argc - 3);
    return SQLITE_ERROR;
  }
  char sql[512] = "CREATE TABLE x(";
  for (int i = 3; i < argc; i++) {
    strcat(sql, argv[i]);
    strcat(sql, i + 1 < argc ? ", " : ")");
  }
  int rc = sqlite3_declare_vtab(db, sql);
  if (rc != SQLITE_OK) return rc;
  KvTab* t = kv_find(argv[2]);
  if (create || !t) {
    t = sqlite3_malloc(sizeof(*t));
    memset(t, 0, sizeof(*t));
    snprintf(t->name, sizeof t->name, "%s", argv[2]);
    t->ncol = argc - 3;
    t->next_rowid = 1;
    for (int i = 0; i < 8; i++)
      if (!g_kv_store[i]) {
        g_kv_store[i] = t;
        break;
      }
  }
  *pp = &t->base;
  return SQLITE_OK;
}

static int kv_create(sqlite3* db, void* aux, int argc, const char* const* argv, sqlite3_vtab** pp,
                     char** err) {
  (void)aux;
  g_kv_creates++;
  return kv_init(db, 1, argc, argv, pp, err);
}

static int kv_connect(sqlite3* db, void* aux, int argc, const char* const* argv, sqlite3_vtab** pp,
                      char** err) {
  (void)aux;
  g_kv_connects++;
  return kv_init(db, 0, argc, argv, pp, err);
}

static int kv_disconnect(sqlite3_vtab* vt) {
  (void)vt;
  g_kv_disconnects++;
  return SQLITE_OK;
}

static int kv_destroy(sqlite3_vtab* vt) {
  KvTab* t = (KvTab*)vt;
  g_kv_destroys++;
  for (int i = 0; i < 8; i++)
    if (g_kv_store[i] == t) g_kv_store[i] = 0;
  for (int r = 0; r < t->nrow; r++)
    for (int c = 0; c < t->ncol; c++) sqlite3_value_free(t->rows[r].v[c]);
  sqlite3_free(t->rows);
  sqlite3_free(t);
  return SQLITE_OK;
}

static int kv_best_index(sqlite3_vtab* vt, sqlite3_index_info* info) {
  (void)vt;
  for (int i = 0; i < info->nConstraint; i++) {
    if (info->aConstraint[i].usable && info->aConstraint[i].iColumn == -1 &&
        info->aConstraint[i].op == SQLITE_INDEX_CONSTRAINT_EQ) {
      info->aConstraintUsage[i].argvIndex = 1;
      info->aConstraintUsage[i].omit = 1;
      info->idxNum = 1;
      info->idxStr = sqlite3_mprintf("rowid-eq");
      info->needToFreeIdxStr = 1;
      info->estimatedCost = 1;
      info->estimatedRows = 1;
      info->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
      return SQLITE_OK;
    }
  }
  info->idxNum = 0;
  info->estimatedCost = 1000;
  return SQLITE_OK;
}

static int kv_open(sqlite3_vtab* vt, sqlite3_vtab_cursor** pp) {
  (void)vt;
  KvCur* c = sqlite3_malloc(sizeof(*c));
  memset(c, 0, sizeof(*c));
  *pp = &c->base;
  return SQLITE_OK;
}

static int kv_close(sqlite3_vtab_cursor* cur) {
  sqlite3_free(cur);
  return SQLITE_OK;
}

static int kv_filter(sqlite3_vtab_cursor* cur, int idx, const char* idx_str, int argc, sqlite3_value** argv) {
  KvCur* c = (KvCur*)cur;
  KvTab* t = (KvTab*)cur->pVtab;
  c->only = 0;
  c->i = 0;
  if (idx == 1) {
    if (!idx_str || strcmp(idx_str, "rowid-eq") != 0 || argc != 1) {
      cur->pVtab->zErrMsg = sqlite3_mprintf("bad idxStr");
      return SQLITE_ERROR;
    }
    c->only = 1;
    c->i = t->nrow;
    if (sqlite3_value_type(argv[0]) == SQLITE_INTEGER) {
      for (int r = 0; r < t->nrow; r++)
        if (t->rows[r].rowid == sqlite3_value_int64(argv[0])) c->i = r;
    }
  }
  return SQLITE_OK;
}

static int kv_next(sqlite3_vtab_cursor* cur) {
  KvCur* c = (KvCur*)cur;
  c->i = c->only ? ((KvTab*)cur->pVtab)->nrow : c->i + 1;
  return SQLITE_OK;
}

static int kv_eof(sqlite3_vtab_cursor* cur) { return ((KvCur*)cur)->i >= ((KvTab*)cur->pVtab)->nrow; }

static int kv_column(sqlite3_vtab_cursor* cur, sqlite3_context* ctx, int col) {
  KvTab* t = (KvTab*)cur->pVtab;
  KvRow* r = &t->rows[((KvCur*)cur)->i];
  if (col == 1 && r->v[col] && sqlite3_value_type(r->v[col]) == SQLITE_TEXT &&
      strcmp((const char*)sqlite3_value_text(r->v[col]), "boom") == 0) {
    sqlite3_result_error(ctx, "kv column exploded", -1);
    return SQLITE_ERROR;
  }
  if (r->v[col]) sqlite3_result_value(ctx, r->v[col]);
  return SQLITE_OK;
}

static int kv_rowid(sqlite3_vtab_cursor* cur, sqlite_int64* p) {
  KvTab* t = (KvTab*)cur->pVtab;
  *p = t->rows[((KvCur*)cur)->i].rowid;
  return SQLITE_OK;
}

static int kv_index_of(KvTab* t, sqlite3_int64 rowid) {
  for (int r = 0; r < t->nrow; r++)
    if (t->rows[r].rowid == rowid) return r;
  return -1;
}

static int kv_update(sqlite3_vtab* vt, int argc, sqlite3_value** argv, sqlite_int64* prowid) {
  KvTab* t = (KvTab*)vt;
  if (argc == 1) {
    int r = kv_index_of(t, sqlite3_value_int64(argv[0]));
    if (r < 0) return SQLITE_OK;
    for (int c = 0; c < t->ncol; c++) sqlite3_value_free(t->rows[r].v[c]);
    memmove(&t->rows[r], &t->rows[r + 1], (size_t)(t->nrow - r - 1) * sizeof(KvRow));
    t->nrow--;
    return SQLITE_OK;
  }
  if (argc != 2 + t->ncol) {
    vt->zErrMsg = sqlite3_mprintf("kv: %d arguments", argc);
    return SQLITE_ERROR;
  }
  for (int c = 0; c < t->ncol; c++) {
    if (sqlite3_value_type(argv[2 + c]) == SQLITE_TEXT &&
        strcmp((const char*)sqlite3_value_text(argv[2 + c]), "forbidden") == 0) {
      vt->zErrMsg = sqlite3_mprintf("kv refuses the value in column %d", c);
      return SQLITE_CONSTRAINT;
    }
  }
  int r;
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    if (t->nrow == t->cap) {
      t->cap = t->cap ? 2 * t->cap : 4;
      t->rows = sqlite3_realloc(t->rows, t->cap * (int)sizeof(KvRow));
    }
    r = t->nrow++;
    memset(&t->rows[r], 0, sizeof(KvRow));
    if (sqlite3_value_type(argv[1]) == SQLITE_NULL) {
      t->rows[r].rowid = t->next_rowid++;
    } else {
      t->rows[r].rowid = sqlite3_value_int64(argv[1]);
      if (t->rows[r].rowid >= t->next_rowid) t->next_rowid = t->rows[r].rowid + 1;
    }
    *prowid = t->rows[r].rowid;
  } else {
    r = kv_index_of(t, sqlite3_value_int64(argv[0]));
    if (r < 0) return SQLITE_OK;
    t->rows[r].rowid = sqlite3_value_int64(argv[1]);
  }
  for (int c = 0; c < t->ncol; c++) {
    sqlite3_value_free(t->rows[r].v[c]);
    t->rows[r].v[c] = sqlite3_value_dup(argv[2 + c]);
  }
  return SQLITE_OK;
}

static int g_begin, g_sync, g_commit, g_rollback;
static int kv_begin(sqlite3_vtab* vt) {
  (void)vt;
  g_begin++;
  return SQLITE_OK;
}
static int kv_sync(sqlite3_vtab* vt) {
  (void)vt;
  g_sync++;
  return SQLITE_OK;
}
static int kv_commit(sqlite3_vtab* vt) {
  (void)vt;
  g_commit++;
  return SQLITE_OK;
}
static int kv_rollback(sqlite3_vtab* vt) {
  (void)vt;
  g_rollback++;
  return SQLITE_OK;
}
static void show_txn(const char* what) {
  printf("txn %s: begin=%d sync=%d commit=%d rollback=%d\n", what, g_begin, g_sync, g_commit, g_rollback);
}

static sqlite3_module kv_module = {0,
                                   kv_create,
                                   kv_connect,
                                   kv_best_index,
                                   kv_disconnect,
                                   kv_destroy,
                                   kv_open,
                                   kv_close,
                                   kv_filter,
                                   kv_next,
                                   kv_eof,
                                   kv_column,
                                   kv_rowid,
                                   kv_update,
                                   kv_begin,
                                   kv_sync,
                                   kv_commit,
                                   kv_rollback,
                                   0,
                                   0,
                                   0,
                                   0,
                                   0,
                                   0};

static int g_aux_destroyed = 0;
static void aux_destroy(void* p) {
  (void)p;
  g_aux_destroyed++;
}

/* ------------------------------------------------------------------ tests */

static void test_series(sqlite3* db) {
  printf("== series\n");
  show_rc(db, "create_module series", sqlite3_create_module(db, "series", &series_module, 0));
  query(db, "SELECT * FROM series(1, 5)");
  query(db, "SELECT value, start, stop, step FROM series(0, 20, 5)");
  query(db, "SELECT rowid, value FROM series(3, 6)");
  query(db, "SELECT value FROM series(1, 100) WHERE value >= 95");
  query(db, "SELECT value FROM series(1, 100) WHERE value <= 3 AND value > 1");
  query(db, "SELECT value FROM series(1, 10) ORDER BY value DESC");
  query(db, "SELECT value FROM series(1, 10, 3) ORDER BY value DESC");
  query(db, "SELECT count(*), sum(value) FROM series(1, 1000)");
  query(db, "SELECT a.value, b.value FROM series(1, 3) a, series(a.value, 3) b");
  query(db, "SELECT a.value, b.value FROM series(1, 4) a JOIN series(1, 4) b ON b.value = a.value * 2");
  query(db,
        "SELECT a.value, b.value FROM series(1, 4) a LEFT JOIN series(10, 12) b ON b.value = a.value + 9");
  query(db, "SELECT value FROM series(1, 5) WHERE value IN (2, 4, 7)");
  query(db, "SELECT value FROM series(NULL, 5)");
  query(db, "SELECT (SELECT group_concat(value) FROM series(1, x)) FROM (SELECT 3 AS x UNION ALL SELECT 5)");
  query(db, "SELECT * FROM series(1, 2, 1, 4)");
  query(db, "SELECT * FROM series");
  query(db, "SELECT value FROM series(5, 7) WHERE start = 5");
  query(db, "SELECT value, value * value FROM series(1, 4) WHERE value % 2 = 0");
  g_rhs_seen = 0;
  g_coll[0] = 0;
  query(db, "SELECT value FROM series(1, 10) WHERE value = 7");
  printf("rhs seen=%d value=%lld collation=%s\n", g_rhs_seen, (long long)g_rhs_value, g_coll);
  exec(db, "CREATE TABLE nums(n)");
  exec(db, "INSERT INTO nums VALUES (2), (3), (NULL)");
  query(db, "SELECT n, value FROM nums, series(1, nums.n) ORDER BY n, value");
  query(db, "SELECT n, (SELECT count(*) FROM series(1, n)) FROM nums ORDER BY n");
  query(db, "SELECT * FROM series(1, nums.n), nums ORDER BY 2, 1");
  query(db, "SELECT nums.n, s.value FROM nums, series(1, 5) s WHERE nums.n = s.value");
  query(db, "SELECT * FROM nums LEFT JOIN series(1, nums.n) s ON s.value > 1 ORDER BY 1, 2");
  query(db, "SELECT * FROM nosuchfunc(1)");
  exec(db, "CREATE VIRTUAL TABLE s2 USING series");
  exec(db, "INSERT INTO series VALUES (1)");
}

static void test_kv(sqlite3* db) {
  printf("== kv\n");
  show_rc(db, "create_module_v2 kvmod",
          sqlite3_create_module_v2(db, "kvmod", &kv_module, (void*)&g_aux_destroyed, aux_destroy));
  exec(db, "CREATE VIRTUAL TABLE kv USING kvmod(k TEXT, v INTEGER)");
  query(db, "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_schema WHERE name = 'kv'");
  exec(db, "CREATE VIRTUAL TABLE kv USING kvmod(k)");
  exec(db, "CREATE VIRTUAL TABLE IF NOT EXISTS kv USING kvmod(k)");
  exec(db, "CREATE VIRTUAL TABLE  \"Odd Name\"   USING   kvmod( a ,  b  DEFAULT 3 )");
  query(db, "SELECT sql FROM sqlite_schema WHERE name = 'Odd Name'");
  exec(db, "CREATE VIRTUAL TABLE bad USING kvmod");
  exec(db, "CREATE VIRTUAL TABLE bad2 USING nosuchmod(x)");
  exec(db, "INSERT INTO kv VALUES ('a', 1), ('b', 2)");
  printf("changes=%d last_insert_rowid=%lld\n", sqlite3_changes(db),
         (long long)sqlite3_last_insert_rowid(db));
  exec(db, "INSERT INTO kv(rowid, k, v) VALUES (10, 'ten', 10)");
  printf("last_insert_rowid=%lld\n", (long long)sqlite3_last_insert_rowid(db));
  exec(db, "INSERT INTO kv(v) SELECT value FROM series(100, 102)");
  query(db, "SELECT rowid, k, v FROM kv");
  query(db, "SELECT k, v FROM kv WHERE rowid = 10");
  query(db, "SELECT k FROM kv WHERE rowid = 999");
  query(db, "SELECT * FROM kv WHERE v > 50 ORDER BY v DESC");
  exec(db, "UPDATE kv SET v = v + 1000 WHERE k IS NULL");
  printf("changes=%d\n", sqlite3_changes(db));
  exec(db, "UPDATE kv SET rowid = 20 WHERE rowid = 10");
  exec(db, "DELETE FROM kv WHERE v = 2");
  printf("changes=%d\n", sqlite3_changes(db));
  query(db, "SELECT rowid, k, v FROM kv ORDER BY rowid");
  exec(db, "INSERT INTO kv VALUES ('forbidden', 1)");
  exec(db, "INSERT INTO kv VALUES ('x', 'boom')");
  query(db, "SELECT k, v FROM kv");
  exec(db, "DELETE FROM kv WHERE v = 'boom'");
  query(db, "SELECT t.k, s.value FROM kv t JOIN series(1, 2) s ORDER BY 1, 2 LIMIT 4");
  query(db, "PRAGMA table_info(kv)");
  show_txn("start");
  exec(db, "INSERT INTO kv VALUES ('t1', 1)");
  show_txn("autocommit insert");
  exec(db, "BEGIN");
  exec(db, "INSERT INTO kv VALUES ('t2', 2)");
  exec(db, "UPDATE kv SET v = 3 WHERE k = 't2'");
  query(db, "SELECT count(*) FROM kv");
  exec(db, "COMMIT");
  show_txn("commit");
  exec(db, "BEGIN");
  exec(db, "DELETE FROM kv WHERE k = 't2'");
  exec(db, "ROLLBACK");
  show_txn("rollback");
  exec(db, "INSERT INTO kv VALUES ('forbidden', 0)");
  show_txn("failed autocommit insert");
  query(db, "SELECT count(*) FROM kv");
  show_txn("read only");
  exec(db, "DELETE FROM kv");
  printf("changes=%d\n", sqlite3_changes(db));
  query(db, "SELECT count(*) FROM kv");
  exec(db, "DROP TABLE kv");
  query(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'kv'");
  query(db, "SELECT * FROM kv");
  exec(db, "DROP TABLE \"Odd Name\"");
  printf("creates=%d destroys=%d\n", g_kv_creates, g_kv_destroys);
}

static void test_file(void) {
  printf("== file\n");
  char path[512];
  snprintf(path, sizeof path, "%s/vtab.db", g_dir);
  remove(path);
  sqlite3* db;
  sqlite3_open(path, &db);
  sqlite3_create_module_v2(db, "kvmod", &kv_module, 0, 0);
  exec(db, "CREATE VIRTUAL TABLE store USING kvmod(name, qty)");
  exec(db, "INSERT INTO store VALUES ('bolt', 5)");
  exec(db, "CREATE TABLE plain(x)");
  sqlite3_close(db);
  /* A connection without the module: the schema loads, the table does not. */
  sqlite3_open(path, &db);
  query(db, "SELECT type, name, rootpage, sql FROM sqlite_schema ORDER BY name");
  query(db, "SELECT * FROM store");
  query(db, "SELECT count(*) FROM plain");
  exec(db, "DROP TABLE store");
  sqlite3_create_module(db, "kvmod", &kv_module, 0);
  query(db, "SELECT name, qty FROM store");
  exec(db, "BEGIN");
  exec(db, "CREATE VIRTUAL TABLE t2 USING kvmod(a)");
  exec(db, "ROLLBACK");
  query(db, "SELECT name FROM sqlite_schema ORDER BY name");
  exec(db, "DROP TABLE store");
  sqlite3_close(db);
  printf("connects>0=%d\n", g_kv_connects > 0);
}

static const char* kDocs[] = {
    "[1,2,3]",
    "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"x\",\"e\":[1.5,-2]}}",
    "5",
    "\"str\"",
    "[]",
    "{}",
    "[[1,[2,[3]]],{\"k\":{\"k\":{\"k\":0}}}]",
    "{\"a b\":1,\"c.d\":[{\"\":2}]}",
    "null",
    "[1e300,-0.0,12345678901234567890,\"\\u00e9\\n\"]",
};

static void test_json(sqlite3* db) {
  printf("== json\n");
  char sql[1024];
  for (size_t i = 0; i < sizeof kDocs / sizeof kDocs[0]; i++) {
    snprintf(sql, sizeof sql, "SELECT * FROM json_each('%s')", kDocs[i]);
    query(db, sql);
    snprintf(sql, sizeof sql, "SELECT * FROM json_tree('%s')", kDocs[i]);
    query(db, sql);
  }
  query(db, "SELECT key, value FROM json_each('{\"a\":[1,2],\"b\":3}', '$.a')");
  query(db, "SELECT fullkey, path, atom FROM json_tree('{\"a\":[1,{\"x\":2}]}', '$.a[1]')");
  query(db, "SELECT * FROM json_each('[1]', '$.nope')");
  query(db, "SELECT * FROM json_each('[1]', 'bad path')");
  query(db, "SELECT * FROM json_each('not json')");
  query(db, "SELECT * FROM json_each(NULL)");
  query(db, "SELECT * FROM json_each");
  query(db, "SELECT * FROM json_each('[1]', '$', 3)");
  exec(db, "CREATE TABLE docs(id INTEGER PRIMARY KEY, body)");
  exec(db,
       "INSERT INTO docs VALUES (1, '{\"tags\":[\"a\",\"b\"],\"n\":1}'), (2, '{\"tags\":[],\"n\":2}'),"
       " (3, '{\"tags\":[\"c\"],\"n\":3}'), (4, NULL)");
  query(db, "SELECT docs.id, t.value FROM docs, json_each(docs.body, '$.tags') t ORDER BY 1, 2");
  query(db, "SELECT id, (SELECT count(*) FROM json_each(body, '$.tags')) FROM docs ORDER BY id");
  query(db, "SELECT id, t.value FROM docs LEFT JOIN json_each(docs.body, '$.tags') t ORDER BY 1, 2");
  query(db, "SELECT id FROM docs WHERE EXISTS (SELECT 1 FROM json_each(body, '$.tags') WHERE value = 'c')");
  query(db,
        "SELECT key, value FROM json_each('{\"x\":1,\"y\":2,\"z\":3}') WHERE key > 'x' ORDER BY key DESC");
  query(db, "SELECT j.key, k.key FROM json_each('[1,2]') j, json_each('[3,4]') k");
  query(db, "SELECT json_group_array(value) FROM json_each('[3,1,2]')");
  query(db, "SELECT typeof(value), json_type(value) FROM json_each('[{\"a\":1},[2],3]')");
  query(db, "SELECT value ->> '$.a' FROM json_each('[{\"a\":1},{\"a\":2}]')");
  query(db, "SELECT e.rowid, e.id, e.parent FROM json_tree('[[1],[2]]') e");
  query(db, "SELECT count(*) FROM json_tree('{\"a\":[1,2,{\"b\":[3,4]}]}') WHERE atom IS NOT NULL");
  query(db, "SELECT key FROM json_each('[1,2,3]') WHERE value BETWEEN 2 AND 3");
  query(db, "SELECT json_each.value FROM json_each('[1,2]') WHERE json_each.json = '[1,2]'");
  query(db, "SELECT detail FROM (EXPLAIN QUERY PLAN SELECT * FROM docs, json_each(docs.body))");
  query(db, "SELECT * FROM main.json_each('[1]')");
  query(db, "SELECT * FROM docs, json_each(docs.body) WHERE docs.id = 1 AND json_each.key = 'n'");
  exec(db,
       "CREATE VIEW tagview AS SELECT docs.id, t.value AS tag FROM docs, json_each(docs.body, '$.tags') t");
  query(db, "SELECT * FROM tagview ORDER BY tag");
  exec(db, "CREATE VIRTUAL TABLE je USING json_each");
  exec(db, "DELETE FROM json_each");
}

/* Generated documents: json_each and json_tree rows must match. */
static uint32_t g_seed = 12345;
static uint32_t rnd(void) {
  g_seed = g_seed * 1103515245u + 12345u;
  return (g_seed >> 16) & 0x7fff;
}

static void gen(char* buf, size_t cap, size_t* len, int depth) {
  int kind = depth > 3 ? (int)(rnd() % 4) : (int)(rnd() % 6);
  char tmp[64];
  switch (kind) {
    case 0:
      snprintf(tmp, sizeof tmp, "%d", (int)(rnd() % 2000) - 1000);
      break;
    case 1:
      snprintf(tmp, sizeof tmp, "%d.%d", (int)(rnd() % 100), (int)(rnd() % 100));
      break;
    case 2:
      snprintf(tmp, sizeof tmp, "\"s%d\"", (int)(rnd() % 50));
      break;
    case 3:
      snprintf(tmp, sizeof tmp, "%s", rnd() % 3 == 0 ? "null" : rnd() % 2 ? "true" : "false");
      break;
    default:
      tmp[0] = 0;
      break;
  }
  if (kind < 4) {
    size_t n = strlen(tmp);
    if (*len + n < cap) {
      memcpy(buf + *len, tmp, n);
      *len += n;
    }
    return;
  }
  int n = (int)(rnd() % 4);
  if (*len + 1 < cap) buf[(*len)++] = kind == 4 ? '[' : '{';
  for (int i = 0; i < n && *len + 40 < cap; i++) {
    if (i) buf[(*len)++] = ',';
    if (kind == 5) {
      snprintf(tmp, sizeof tmp, "\"k%d\":", (int)(rnd() % 10));
      memcpy(buf + *len, tmp, strlen(tmp));
      *len += strlen(tmp);
    }
    gen(buf, cap, len, depth + 1);
  }
  if (*len + 1 < cap) buf[(*len)++] = kind == 4 ? ']' : '}';
}

static void test_json_generated(sqlite3* db) {
  printf("== json generated\n");
  sqlite3_stmt* st[4];
  const char* sqls[4] = {"SELECT * FROM json_each(?1)", "SELECT * FROM json_tree(?1)",
                         "SELECT key, type, fullkey FROM json_tree(?1, '$.k1')",
                         "SELECT count(*), sum(id), max(parent) FROM json_tree(?1) WHERE type = 'integer'"};
  for (int q = 0; q < 4; q++) sqlite3_prepare_v2(db, sqls[q], -1, &st[q], 0);
  char buf[4096];
  int rows = 0;
  for (int i = 0; i < 300; i++) {
    size_t len = 0;
    gen(buf, sizeof buf - 1, &len, 0);
    buf[len] = 0;
    for (int q = 0; q < 4; q++) {
      sqlite3_bind_text(st[q], 1, buf, -1, SQLITE_TRANSIENT);
      printf("G%d %s\n", q, buf);
      int rc;
      while ((rc = sqlite3_step(st[q])) == SQLITE_ROW) {
        rows++;
        printf(" ");
        for (int c = 0; c < sqlite3_column_count(st[q]); c++) {
          const unsigned char* t = sqlite3_column_text(st[q], c);
          printf(" %d:%s", sqlite3_column_type(st[q], c), t ? (const char*)t : "-");
        }
        printf("\n");
      }
      if (rc != SQLITE_DONE) printf("  rc=%d %s\n", rc, sqlite3_errmsg(db));
      sqlite3_reset(st[q]);
    }
  }
  for (int q = 0; q < 4; q++) sqlite3_finalize(st[q]);
  printf("generated rows=%d\n", rows);
}

/* Generated constraint mixes on series and json_tree: whatever best_index
** takes over (argv, omit, ORDER BY), the rows must be SQLite's. */
static void test_generated_constraints(sqlite3* db) {
  printf("== generated constraints\n");
  static const char* ops[] = {"=", "<", "<=", ">", ">=", "!=", "IS", "IS NOT"};
  char sql[2600];
  for (int i = 0; i < 150; i++) {
    int a = (int)(rnd() % 20), b = a + (int)(rnd() % 30), s = 1 + (int)(rnd() % 4);
    int x = (int)(rnd() % 50), y = (int)(rnd() % 50);
    const char *op1 = ops[rnd() % 8], *op2 = ops[rnd() % 8];
    const char* order = rnd() % 3 == 0 ? " ORDER BY value DESC" : rnd() % 2 ? " ORDER BY value" : "";
    snprintf(
        sql, sizeof sql,
        "SELECT group_concat(value) FROM (SELECT value FROM series(%d, %d, %d) WHERE value %s %d AND %d %s "
        "value%s)",
        a, b, s, op1, x, y, op2, order);
    query(db, sql);
  }
  for (int i = 0; i < 100; i++) {
    char doc[2048];
    size_t len = 0;
    gen(doc, sizeof doc - 1, &len, 0);
    doc[len] = 0;
    const char* cols[] = {"key", "value", "type", "atom", "id", "parent", "fullkey"};
    const char* col = cols[rnd() % 7];
    const char* op = ops[rnd() % 8];
    snprintf(sql, sizeof sql, "SELECT fullkey, type FROM json_tree('%s') WHERE %s %s %d ORDER BY id", doc,
             col, op, (int)(rnd() % 6));
    query(db, sql);
  }
}

int main(int argc, char** argv) {
  if (argc > 1) g_dir = argv[1];
  sqlite3* db;
  sqlite3_open(":memory:", &db);
  test_series(db);
  test_kv(db);
  test_json(db);
  test_json_generated(db);
  test_generated_constraints(db);
  sqlite3_close(db);
  printf("aux destroyed=%d\n", g_aux_destroyed);
  test_file();
  return 0;
}
