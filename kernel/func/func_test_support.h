// Test support for func_test: a FunctionHost with fixed answers, a caller
// that runs one FunctionDef like the VM would, and libsqlite3 as the oracle.
#pragma once

#include <sqlite3.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "func/function.h"
#include "vm/value.h"
#include "vm/value_test_oracle.h"

namespace keel::func::testing {

using vm::Value;

class TestHost : public FunctionHost {
 public:
  int64_t last_insert_rowid() const override { return 42; }
  int64_t changes() const override { return 3; }
  int64_t total_changes() const override { return 17; }
  int64_t statement_time_ms() override { return now_ms; }
  void randomness(void* buf, size_t n) override {
    auto* p = static_cast<unsigned char*>(buf);
    for (size_t i = 0; i < n; i++) p[i] = static_cast<unsigned char>(rng());
  }
  int64_t max_length() const override { return max_len; }
  bool case_sensitive_like() const override { return cs_like; }
  void log(int code, std::string_view message) override { logged.emplace_back(code, std::string(message)); }

  // 2024-02-29 13:45:30.250 UTC in Julian-day milliseconds.
  int64_t now_ms = 212575974330250;
  int64_t max_len = 1000000000;
  bool cs_like = false;
  std::vector<std::pair<int, std::string>> logged;
  std::mt19937_64 rng{7};
};

// What one call produced: a value, or an error message.
struct Outcome {
  bool error = false;
  std::string message;
  Value value;
};

inline bool same_outcome(const Outcome& a, const Outcome& b) {
  if (a.error || b.error) return a.error == b.error && a.message == b.message;
  return vm::testing::same_value(a.value, b.value);
}

inline std::string show(const Outcome& o) {
  return o.error ? "error: " + o.message : vm::testing::show(o.value);
}

// Calls a scalar function as the VM's Function opcode does.
inline Outcome call_scalar(const FunctionDef& def, FunctionHost& host, std::vector<Value> args,
                           const vm::Collation* coll = nullptr) {
  Outcome out;
  FunctionContext ctx(&def, &host);
  ctx.set_result_slot(&out.value);
  ctx.set_collation(coll);
  def.scalar(ctx, std::span<Value>(args));
  if (ctx.has_error()) {
    out.error = true;
    out.message = ctx.error_message();
    out.value.set_null();
  }
  return out;
}

// Drives an aggregate/window function over one group or partition.
class AggRunner {
 public:
  AggRunner(const FunctionDef& def, FunctionHost& host, const vm::Collation* coll = nullptr)
      : def_(def), host_(host), coll_(coll) {}
  ~AggRunner() {
    if (!state_.empty()) final();  // the VM always finalizes live state
  }

  // Returns false (and records the error) if the call failed.
  bool step(std::vector<Value> args) { return run(def_.step, args); }
  bool inverse(std::vector<Value> args) { return run(def_.inverse, args); }
  Outcome value() { return finish(def_.value); }
  Outcome final() {
    Outcome o = finish(def_.final);
    state_.clear();
    return o;
  }
  bool skipped() const { return skipped_; }
  const std::string& error() const { return error_; }

 private:
  bool run(StepFn fn, std::vector<Value>& args) {
    FunctionContext ctx(&def_, &host_);
    Value res;
    ctx.set_result_slot(&res);
    ctx.set_collation(coll_);
    ctx.set_aggregate_slot(&state_);
    fn(ctx, std::span<Value>(args));
    skipped_ = ctx.skip_load();
    if (ctx.has_error()) {
      error_ = ctx.error_message();
      return false;
    }
    return true;
  }
  Outcome finish(FinalFn fn) {
    Outcome out;
    FunctionContext ctx(&def_, &host_);
    ctx.set_result_slot(&out.value);
    ctx.set_collation(coll_);
    ctx.set_aggregate_slot(&state_);
    fn(ctx);
    if (ctx.has_error()) {
      out.error = true;
      out.message = ctx.error_message();
      out.value.set_null();
    }
    return out;
  }

  const FunctionDef& def_;
  FunctionHost& host_;
  const vm::Collation* coll_;
  std::vector<uint8_t> state_;
  bool skipped_ = false;
  std::string error_;
};

// libsqlite3 evaluating one SQL expression or query with bound parameters.
class SqliteOracle {
 public:
  SqliteOracle() { sqlite3_open(":memory:", &db_); }
  ~SqliteOracle() {
    for (auto& [sql, st] : cache_) sqlite3_finalize(st);
    sqlite3_close(db_);
  }
  sqlite3* db() { return db_; }

  void exec(const std::string& sql) { sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); }

  // First column of the first row (NULL when there is no row).
  Outcome query(const std::string& sql, const std::vector<Value>& params = {}) {
    std::vector<Outcome> rows = query_rows(sql, params);
    if (rows.empty()) return Outcome{};
    return rows[0];
  }

  // First column of every row; an error is one Outcome with error set.
  std::vector<Outcome> query_rows(const std::string& sql, const std::vector<Value>& params = {}) {
    std::vector<Outcome> rows;
    sqlite3_stmt* st = nullptr;
    auto it = cache_.find(sql);
    if (it != cache_.end()) {
      st = it->second;
      sqlite3_reset(st);
      sqlite3_clear_bindings(st);
    } else if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      Outcome o;
      o.error = true;
      o.message = sqlite3_errmsg(db_);
      rows.push_back(o);
      return rows;
    } else {
      cache_[sql] = st;
    }
    for (size_t i = 0; i < params.size(); i++)
      vm::testing::Oracle::bind(st, static_cast<int>(i + 1), params[i]);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      Outcome o;
      o.value = vm::testing::Oracle::column(st, 0);
      rows.push_back(std::move(o));
    }
    if (rc != SQLITE_DONE) {
      Outcome o;
      o.error = true;
      o.message = sqlite3_errmsg(db_);
      rows.clear();
      rows.push_back(o);
    }
    sqlite3_reset(st);
    return rows;
  }

 private:
  sqlite3* db_ = nullptr;
  std::map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace keel::func::testing
