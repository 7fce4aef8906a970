// sqlite_stat1 rows → the estimates of tables and indexes (SQLite's
// analysisLoader, decodeIntArray and sqlite3DefaultRowEst, analyze.c and
// build.c of 3.40).
#include "plan/stat1.h"

#include <algorithm>
#include <array>

#include "vm/collation.h"

namespace keel::plan {

int16_t log_est(uint64_t x) {
  static const int16_t a[] = {0, 2, 3, 5, 6, 7, 8, 9};
  int16_t y = 40;
  if (x < 8) {
    if (x < 2) return 0;
    while (x < 8) {
      y = static_cast<int16_t>(y - 10);
      x <<= 1;
    }
  } else {
    int i = 60 - __builtin_clzll(x);
    y = static_cast<int16_t>(y + i * 10);
    x >>= i;
  }
  return static_cast<int16_t>(a[x & 7] + y - 10);
}

uint64_t log_est_to_int(int16_t x) {
  if (x < 0) return 0;
  uint64_t n = static_cast<uint64_t>(x % 10);
  x = static_cast<int16_t>(x / 10);
  if (n >= 5) {
    n -= 2;
  } else if (n >= 1) {
    n -= 1;
  }
  if (x > 60) return static_cast<uint64_t>(INT64_MAX);
  return x >= 3 ? (n + 8) << (x - 3) : (n + 8) >> (3 - x);
}

int16_t log_est_add(int16_t a, int16_t b) {
  static const unsigned char x[] = {10, 10, 9, 9, 8, 8, 7, 7, 7, 6, 6, 6, 5, 5, 5, 4,
                                    4,  4,  4, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2};
  if (a < b) std::swap(a, b);
  if (a > b + 49) return a;
  if (a > b + 31) return static_cast<int16_t>(a + 1);
  return static_cast<int16_t>(a + x[a - b]);
}

namespace {

// sqlite3DefaultRowEst: the table's rows (at least 1000 once some estimate
// is guessed; half for a partial index), then 10, 9, 8, 7, 6, 5, 5, ... rows
// per key prefix, and 1 for the whole key of a UNIQUE index.
void default_row_est(Index* idx) {
  static const int16_t kVal[] = {33, 32, 30, 28, 26};
  Table* t = idx->table;
  int16_t x = t ? t->row_log_est : 200;
  if (x < 99) {
    x = 99;
    if (t) t->row_log_est = x;
  }
  if (idx->where) x = static_cast<int16_t>(x - 10);
  int n = idx->n_key_columns;
  idx->row_log_est.assign(static_cast<size_t>(n) + 1, 23);
  idx->row_log_est[0] = x;
  for (int i = 0; i < n && i < 5; i++) idx->row_log_est[static_cast<size_t>(i) + 1] = kVal[i];
  if (idx->unique) idx->row_log_est[static_cast<size_t>(n)] = 0;
}

// decodeIntArray: up to n_out integers separated by single spaces, then
// keywords ("unordered", "sz=N", "noskipscan"; only "unordered" changes a
// plan here).
void decode_stat(std::string_view z, size_t n_out, std::vector<int16_t>* out, Index* idx) {
  size_t p = 0;
  for (size_t i = 0; p < z.size() && i < n_out; i++) {
    uint64_t v = 0;
    while (p < z.size() && z[p] >= '0' && z[p] <= '9') v = v * 10 + static_cast<uint64_t>(z[p++] - '0');
    (*out)[i] = log_est(v);
    if (p < z.size() && z[p] == ' ') p++;
  }
  if (idx == nullptr) return;
  idx->stat_unordered = false;
  while (p < z.size()) {
    std::string_view word = z.substr(p);
    if (word.substr(0, 9) == "unordered") idx->stat_unordered = true;
    while (p < z.size() && z[p] != ' ') p++;
    while (p < z.size() && z[p] == ' ') p++;
  }
}

}  // namespace

void load_stat1(DatabaseSchema& schema, const std::vector<Stat1Row>& rows) {
  for (const auto& [name, t] : schema.tables()) {
    t->has_stat1 = false;
    t->row_log_est = 200;
  }
  for (const auto& [name, idx] : schema.indexes()) {
    idx->has_stat1 = false;
    idx->stat_unordered = false;
    idx->row_log_est.clear();
  }
  // The defaults first, as when the indexes were created; stat1 rows
  // overwrite the entries they give.
  for (const auto& [name, idx] : schema.indexes()) default_row_est(idx.get());
  for (const Stat1Row& r : rows) {
    if (!r.tbl || !r.stat) continue;
    Table* t = schema.find_table(*r.tbl);
    if (t == nullptr) continue;
    Index* idx = nullptr;
    if (r.idx) {
      // As analysisLoader: idx equal to tbl names the PRIMARY KEY index; an
      // idx that names no index updates the table's row count.
      idx = vm::stricmp(*r.tbl, *r.idx) == 0 ? t->primary_key : schema.find_index(*r.idx);
    }
    if (idx) {
      if (idx->row_log_est.size() != static_cast<size_t>(idx->n_key_columns) + 1) default_row_est(idx);
      decode_stat(*r.stat, idx->row_log_est.size(), &idx->row_log_est, idx);
      idx->has_stat1 = true;
      if (idx->where == nullptr) {
        t->row_log_est = idx->row_log_est[0];  // the table the row names, as SQLite
        t->has_stat1 = true;
      }
    } else {
      std::vector<int16_t> one{t->row_log_est};
      decode_stat(*r.stat, 1, &one, nullptr);
      t->row_log_est = one[0];
      t->has_stat1 = true;
    }
  }
  for (const auto& [name, idx] : schema.indexes()) {
    if (!idx->has_stat1) default_row_est(idx.get());
  }
}

int16_t index_rows_log_est(const Index* idx, int n_eq) {
  if (idx->row_log_est.size() == static_cast<size_t>(idx->n_key_columns) + 1) {
    return idx->row_log_est[static_cast<size_t>(std::clamp(n_eq, 0, idx->n_key_columns))];
  }
  // Never loaded (no engine): SQLite's defaults.
  static const int16_t kVal[] = {33, 32, 30, 28, 26};
  if (n_eq <= 0) return idx->table ? idx->table->row_log_est : 200;
  if (idx->unique && n_eq >= idx->n_key_columns) return 0;
  return n_eq <= 5 ? kVal[n_eq - 1] : 23;
}

}  // namespace keel::plan
