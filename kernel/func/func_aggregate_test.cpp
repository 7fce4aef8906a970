// Aggregate and window functions against libsqlite3: groups fed row by row
// through step()/final() vs SELECT agg(x) FROM t; sliding frames through
// step()/inverse()/value() vs agg(x) OVER (ROWS BETWEEN ...); the ranking
// functions driven with the peer-group protocol documented in
// window_functions.h vs rank() OVER (ORDER BY x); min/max bare columns;
// error messages.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "func/func_test_support.h"
#include "func/function.h"
#include "func/window_functions.h"

namespace keel::func {
namespace {

using testing::AggRunner;
using testing::Outcome;
using testing::SqliteOracle;
using testing::TestHost;
using vm::Value;

class AggOracle : public ::testing::Test {
 protected:
  AggOracle() {
    register_builtin_functions(reg_);
    oracle_.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, x, s, y)");
  }

  // Loads rows (x, s, y) into t.
  void load(const std::vector<std::vector<Value>>& rows) {
    oracle_.exec("DELETE FROM t");
    for (size_t i = 0; i < rows.size(); i++) {
      std::vector<Value> p = {Value::integer(static_cast<int64_t>(i + 1))};
      for (const Value& v : rows[i]) p.push_back(v);
      while (p.size() < 4) p.push_back(Value());
      oracle_.query("INSERT INTO t VALUES (?1, ?2, ?3, ?4)", p);
    }
  }

  void expect_same(const Outcome& got, const Outcome& expected, const std::string& what) {
    calls_++;
    EXPECT_TRUE(testing::same_outcome(got, expected))
        << what << ": keel " << testing::show(got) << ", sqlite " << testing::show(expected);
  }

  // name(x) or name(x, s) over all rows as one group.
  void check_group(const std::string& name, int n_arg, const std::vector<std::vector<Value>>& rows,
                   const std::string& sql_name = "") {
    load(rows);
    const FunctionDef* def = reg_.find(name, n_arg);
    ASSERT_NE(def, nullptr) << name;
    AggRunner run(*def, host_);
    Outcome got;
    for (const auto& r : rows) {
      std::vector<Value> args(r.begin(), r.begin() + n_arg);
      if (!run.step(args)) {
        got.error = true;
        got.message = run.error();
        break;
      }
    }
    if (!got.error) got = run.final();
    std::string fn = sql_name.empty() ? name : sql_name;
    std::string sql = "SELECT " + fn + (n_arg == 0 ? "(*)" : n_arg == 1 ? "(x)" : "(x, s)") + " FROM t";
    expect_same(got, oracle_.query(sql), sql + " over " + std::to_string(rows.size()) + " rows");
  }

  FunctionRegistry reg_;
  TestHost host_;
  SqliteOracle oracle_;
  int calls_ = 0;
};

std::vector<std::vector<Value>> random_rows(vm::testing::Gen& g, int n, int kind) {
  std::vector<std::vector<Value>> rows;
  for (int i = 0; i < n; i++) {
    Value x;
    switch (kind) {
      case 0:  // anything
        x = g.value();
        break;
      case 1:  // small integers and NULLs
        x = g.chance(15) ? Value() : Value::integer(g.range(-5, 5));
        break;
      case 2:  // integers near the int64 limits
        x = Value::integer(g.chance(50) ? INT64_MAX - g.range(0, 3) : INT64_MIN + g.range(0, 3));
        break;
      default:  // text
        x = g.chance(10) ? Value() : Value::text(g.random_text(4));
        break;
    }
    Value s =
        g.chance(20) ? Value() : Value::text(g.pick(std::vector<std::string>{",", "", " - ", ";", "||"}));
    rows.push_back({x, s, Value::integer(i)});
  }
  return rows;
}

TEST_F(AggOracle, GroupsMatchSqlite) {
  vm::testing::Gen g(1234);
  struct Agg {
    const char* name;
    int n_arg;
    const char* sql_name;
  };
  const Agg kAggs[] = {{"count", 0, ""},        {"count", 1, ""},
                       {"sum", 1, ""},          {"total", 1, ""},
                       {"avg", 1, ""},          {"min", 1, ""},
                       {"max", 1, ""},          {"group_concat", 1, ""},
                       {"group_concat", 2, ""}, {"string_agg", 2, "group_concat"}};
  for (const Agg& a : kAggs) {
    for (int i = 0; i < 60; i++) {
      int kind = i % 4;
      check_group(a.name, a.n_arg, random_rows(g, g.range(0, 12), kind), a.sql_name);
    }
  }
  // Overflow: sum() fails, total() and avg() do not.
  std::vector<std::vector<Value>> big = {
      {Value::integer(INT64_MAX)}, {Value::integer(1)}, {Value::real(-5.0)}};
  for (const char* fn : {"sum", "total", "avg"}) check_group(fn, 1, big);
  check_group("sum", 1, {{Value::integer(INT64_MAX)}, {Value::integer(-1)}, {Value::integer(1)}});
  check_group("sum", 1,
              {{Value::text("12")}, {Value::text(" 3.5 ")}, {Value::text("x")}, {Value::integer(1)}});
  check_group("sum", 1, {{Value()}, {Value()}});
  check_group("group_concat", 1, {{Value::text("")}});
  check_group("group_concat", 2, {{Value::text("a"), Value()}, {Value::text("b"), Value()}});
  EXPECT_GT(calls_, 600);
}

// SELECT max(x), y FROM t: y comes from the row whose step() did not ask to
// skip the accumulator load.
TEST_F(AggOracle, MinMaxBareColumn) {
  vm::testing::Gen g(77);
  for (const char* fn : {"min", "max"}) {
    for (int i = 0; i < 100; i++) {
      auto rows = random_rows(g, g.range(1, 10), i % 2 ? 1 : 0);
      load(rows);
      AggRunner run(*reg_.find(fn, 1), host_);
      Value y;
      for (const auto& r : rows) {
        run.step({r[0]});
        if (!run.skipped()) y = r[2];
      }
      Outcome got;
      got.value = y;
      std::vector<Outcome> expected =
          oracle_.query_rows(std::string("SELECT y FROM (SELECT ") + fn + "(x), y FROM t)");
      expect_same(got, expected.at(0), std::string(fn) + " bare column");
    }
  }
}

// agg(x) OVER (ORDER BY id ROWS BETWEEN lo AND hi), driven as window.c does:
// rows leave the frame (inverse), rows enter it (step), then value().
TEST_F(AggOracle, SlidingFramesMatchSqlite) {
  vm::testing::Gen g(4321);
  struct Frame {
    int lo, hi;  // offsets from the current row; INT32_MIN = unbounded preceding
    const char* sql;
  };
  const Frame kFrames[] = {{-2, 1, "ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING"},
                           {1, 3, "ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING"},
                           {-3, -1, "ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING"},
                           {0, 0, "ROWS BETWEEN CURRENT ROW AND CURRENT ROW"},
                           {INT32_MIN, 0, "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"}};
  struct Agg {
    const char* name;
    int n_arg;
  };
  const Agg kAggs[] = {{"count", 0},        {"count", 1},        {"sum", 1},
                       {"total", 1},        {"avg", 1},          {"last_value", 1},
                       {"group_concat", 1}, {"group_concat", 2}, {"string_agg", 2}};
  for (const Frame& f : kFrames) {
    for (const Agg& a : kAggs) {
      for (int iter = 0; iter < 12; iter++) {
        auto rows = random_rows(g, g.range(0, 9), iter % 4 == 2 ? 1 : iter % 4);
        load(rows);
        std::string sql_name = std::string(a.name) == "string_agg" ? "group_concat" : a.name;
        std::string sql = "SELECT " + sql_name +
                          (a.n_arg == 0   ? "(*)"
                           : a.n_arg == 1 ? "(x)"
                                          : "(x, s)") +
                          " OVER (ORDER BY id " + f.sql + ") FROM t ORDER BY id";
        std::vector<Outcome> expected = oracle_.query_rows(sql);
        const FunctionDef* def = reg_.find(a.name, a.n_arg);
        ASSERT_NE(def, nullptr);
        AggRunner run(*def, host_);
        int n = static_cast<int>(rows.size());
        int stepped = 0, inverted = 0;  // rows [inverted, stepped) are in the frame
        std::vector<Outcome> got;
        for (int i = 0; i < n; i++) {
          int lo = f.lo == INT32_MIN ? 0 : std::max(0, i + f.lo);
          int hi = std::min(n - 1, i + f.hi);
          auto args = [&](int k) { return std::vector<Value>(rows[k].begin(), rows[k].begin() + a.n_arg); };
          while (inverted < lo && inverted < stepped) run.inverse(args(inverted++));
          if (stepped < lo) inverted = stepped = lo;
          while (stepped <= hi) run.step(args(stepped++));
          got.push_back(run.value());
        }
        run.final();
        ASSERT_EQ(got.size(), expected.size()) << sql;
        for (size_t i = 0; i < got.size(); i++)
          expect_same(got[i], expected[i], sql + " row " + std::to_string(i));
      }
    }
  }
  EXPECT_GT(calls_, 1500);
}

// Groups of equal x in ORDER BY x: the peers of the current row.
std::vector<std::pair<int, int>> peer_groups(const std::vector<int64_t>& xs) {
  std::vector<std::pair<int, int>> groups;
  for (int i = 0; i < static_cast<int>(xs.size());) {
    int j = i;
    while (j < static_cast<int>(xs.size()) && xs[j] == xs[i]) j++;
    groups.emplace_back(i, j);
    i = j;
  }
  return groups;
}

TEST_F(AggOracle, RankingFunctionsMatchSqlite) {
  vm::testing::Gen g(99);
  for (int iter = 0; iter < 60; iter++) {
    int n = g.range(1, 14);
    std::vector<int64_t> xs;
    for (int i = 0; i < n; i++) xs.push_back(g.range(0, 4));
    std::sort(xs.begin(), xs.end());
    std::vector<std::vector<Value>> rows;
    for (int64_t x : xs) rows.push_back({Value::integer(x)});
    load(rows);
    auto groups = peer_groups(xs);
    auto compare = [&](const std::string& call, const std::vector<Outcome>& got) {
      std::vector<Outcome> expected =
          oracle_.query_rows("SELECT " + call + " OVER (ORDER BY x) FROM t ORDER BY x, id");
      ASSERT_EQ(got.size(), expected.size()) << call;
      for (size_t i = 0; i < got.size(); i++)
        expect_same(got[i], expected[i], call + " row " + std::to_string(i));
    };
    // row_number: ROWS UNBOUNDED PRECEDING .. CURRENT ROW.
    {
      AggRunner run(*reg_.find("row_number", 0), host_);
      std::vector<Outcome> got;
      for (int i = 0; i < n; i++) {
        run.step({});
        got.push_back(run.value());
      }
      compare("row_number()", got);
    }
    // rank, dense_rank: RANGE UNBOUNDED PRECEDING .. CURRENT ROW, one value()
    // per peer group.
    for (const char* fn : {"rank", "dense_rank"}) {
      AggRunner run(*reg_.find(fn, 0), host_);
      std::vector<Outcome> got;
      for (auto [b, e] : groups) {
        for (int i = b; i < e; i++) run.step({});
        Outcome v = run.value();
        for (int i = b; i < e; i++) got.push_back(v);
      }
      compare(std::string(fn) + "()", got);
    }
    // percent_rank: GROUPS CURRENT ROW .. UNBOUNDED FOLLOWING; cume_dist:
    // GROUPS 1 FOLLOWING .. UNBOUNDED FOLLOWING.
    for (const char* fn : {"percent_rank", "cume_dist"}) {
      bool cume = std::string(fn) == "cume_dist";
      AggRunner run(*reg_.find(fn, 0), host_);
      std::vector<Outcome> got;
      for (int i = 0; i < n; i++) run.step({});
      int removed = 0;
      for (auto [b, e] : groups) {
        int frame_start = cume ? e : b;
        while (removed < frame_start) {
          run.inverse({});
          removed++;
        }
        Outcome v = run.value();
        for (int i = b; i < e; i++) got.push_back(v);
      }
      compare(std::string(fn) + "()", got);
    }
    // ntile(N): ROWS CURRENT ROW .. UNBOUNDED FOLLOWING.
    for (int64_t buckets : {1, 2, 3, 5, 20}) {
      AggRunner run(*reg_.find("ntile", 1), host_);
      std::vector<Outcome> got;
      for (int i = 0; i < n; i++) run.step({Value::integer(buckets)});
      for (int i = 0; i < n; i++) {
        if (i > 0) run.inverse({Value::integer(buckets)});
        got.push_back(run.value());
      }
      std::vector<Outcome> expected = oracle_.query_rows("SELECT ntile(" + std::to_string(buckets) +
                                                         ") OVER (ORDER BY x, id) FROM t ORDER BY x, id");
      ASSERT_EQ(got.size(), expected.size());
      for (size_t i = 0; i < got.size(); i++) expect_same(got[i], expected[i], "ntile");
    }
  }
  EXPECT_GT(calls_, 2500);
}

// first_value / nth_value in window.c's "slow mode": for each row the frame
// is stepped from scratch and final() gives the result.
TEST_F(AggOracle, FirstAndNthValueSlowMode) {
  vm::testing::Gen g(5);
  for (int iter = 0; iter < 40; iter++) {
    auto rows = random_rows(g, g.range(1, 8), iter % 4);
    load(rows);
    int n = static_cast<int>(rows.size());
    for (int nth : {1, 2, 3}) {
      for (bool first : {true, false}) {
        if (first && nth > 1) continue;
        std::string call = first ? "first_value(x)" : "nth_value(x, " + std::to_string(nth) + ")";
        std::vector<Outcome> expected = oracle_.query_rows(
            "SELECT " + call +
            " OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 2 FOLLOWING) FROM t ORDER BY id");
        const FunctionDef* def = reg_.find(first ? "first_value" : "nth_value", first ? 1 : 2);
        for (int i = 0; i < n; i++) {
          AggRunner run(*def, host_);
          for (int k = std::max(0, i - 1); k <= std::min(n - 1, i + 2); k++) {
            if (first) {
              run.step({rows[k][0]});
            } else {
              run.step({rows[k][0], Value::integer(nth)});
            }
          }
          expect_same(run.final(), expected.at(i), call + " row " + std::to_string(i));
        }
      }
    }
  }
}

// lead(x, K, D) / lag(x, K, D) OVER (ORDER BY id), computed as the VM will:
// the target rowid from lead_lag_target, the default when it is missing.
TEST_F(AggOracle, LeadLagTargets) {
  vm::testing::Gen g(3);
  auto rows = random_rows(g, 7, 0);
  load(rows);
  int n = static_cast<int>(rows.size());
  std::vector<Value> offsets = {
      Value::integer(1),         Value::integer(2),         Value::integer(0), Value::integer(-1),
      Value::integer(9),         Value::real(1.0),          Value::real(1.5),  Value::text("2"),
      Value::text(" 1 "),        Value::text("abc"),        Value(),           Value::real(-2.0),
      Value::integer(INT64_MAX), Value::integer(INT64_MIN), Value::text("1e0")};
  for (bool lead : {true, false}) {
    for (int n_arg = 1; n_arg <= 3; n_arg++) {
      for (const Value& k : offsets) {
        if (n_arg == 1 && !vm::testing::same_value(k, offsets[0])) continue;
        std::string call = std::string(lead ? "lead" : "lag") + "(x" + (n_arg >= 2 ? ", ?1" : "") +
                           (n_arg == 3 ? ", 'dflt'" : "") + ")";
        std::vector<Outcome> expected =
            oracle_.query_rows("SELECT " + call + " OVER (ORDER BY id) FROM t ORDER BY id",
                               n_arg >= 2 ? std::vector<Value>{k} : std::vector<Value>{});
        ASSERT_EQ(static_cast<int>(expected.size()), n) << call;
        for (int i = 0; i < n; i++) {
          Outcome got;
          if (n_arg == 3) got.value = Value::text("dflt");
          int64_t target = 0;
          // lag sees up to one row past the current one (see window_functions.h).
          int64_t cached = lead ? n : std::min(n, i + 2);
          if (lead_lag_target(lead, i + 1, n_arg >= 2 ? &k : nullptr, &target) && target >= 1 &&
              target <= cached) {
            got.value = rows[static_cast<size_t>(target - 1)][0];
          }
          expect_same(got, expected[i], call + " K=" + k.debug_string() + " row " + std::to_string(i));
        }
      }
    }
  }
}

TEST_F(AggOracle, WindowErrorMessages) {
  load({{Value::integer(1)}, {Value::integer(2)}});
  for (const char* arg : {"0", "-1"}) {
    Outcome expected = oracle_.query(std::string("SELECT ntile(") + arg + ") OVER () FROM t");
    AggRunner run(*reg_.find("ntile", 1), host_);
    Outcome got;
    if (!run.step({Value::integer(std::stoll(arg))})) {
      got.error = true;
      got.message = run.error();
    }
    expect_same(got, expected, std::string("ntile(") + arg + ")");
  }
  for (Value v : {Value::integer(0), Value::real(1.5), Value::text("x"), Value::integer(-3)}) {
    Outcome expected = oracle_.query("SELECT nth_value(x, ?1) OVER () FROM t", {v});
    AggRunner run(*reg_.find("nth_value", 2), host_);
    Outcome got;
    if (!run.step({Value::integer(1), v})) {
      got.error = true;
      got.message = run.error();
    }
    expect_same(got, expected, "nth_value(x, " + v.debug_string() + ")");
    int64_t out = 0;
    EXPECT_FALSE(check_nth_value_argument(v, &out).ok());
  }
  int64_t out = 0;
  EXPECT_TRUE(check_nth_value_argument(Value::real(2.0), &out).ok());
  EXPECT_EQ(out, 2);
  // sum() overflow as a window function: the error surfaces from value().
  load({{Value::integer(INT64_MAX)}, {Value::integer(1)}});
  Outcome expected = oracle_.query("SELECT sum(x) OVER (ORDER BY id) FROM t ORDER BY id DESC");
  AggRunner run(*reg_.find("sum", 1), host_);
  run.step({Value::integer(INT64_MAX)});
  run.step({Value::integer(1)});
  expect_same(run.value(), expected, "sum overflow");
  // group_concat past SQLITE_LIMIT_LENGTH.
  host_.max_len = 10;
  sqlite3_limit(oracle_.db(), SQLITE_LIMIT_LENGTH, 10);
  load({{Value::text("abcdef")}, {Value::text("ghijkl")}});
  AggRunner gc(*reg_.find("group_concat", 1), host_);
  gc.step({Value::text("abcdef")});
  gc.step({Value::text("ghijkl")});
  expect_same(gc.final(), oracle_.query("SELECT group_concat(x) FROM t"), "group_concat too big");
}

}  // namespace
}  // namespace keel::func
