// Date and time functions against libsqlite3 with fixed inputs: every input
// format, every modifier of 3.40 (alone and in pairs), every strftime
// conversion, local time in a zone with daylight saving, and 'now' taken
// from FunctionHost::statement_time_ms.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "func/func_test_support.h"
#include "func/function.h"

namespace keel::func {
namespace {

using testing::call_scalar;
using testing::Outcome;
using testing::SqliteOracle;
using testing::TestHost;
using vm::Value;

class DateTimeOracle : public ::testing::Test {
 protected:
  DateTimeOracle() {
    // A zone with daylight saving, so 'localtime' and 'utc' do something.
    setenv("TZ", "America/New_York", 1);
    tzset();
    register_builtin_functions(reg_);
  }

  bool check(const std::string& name, const std::vector<Value>& args) {
    const FunctionDef* def = reg_.find(name, static_cast<int>(args.size()));
    EXPECT_NE(def, nullptr);
    std::string sql = "SELECT " + name + "(";
    for (size_t i = 0; i < args.size(); i++) sql += (i ? ", ?" : "?") + std::to_string(i + 1);
    sql += ")";
    Outcome expected = oracle_.query(sql, args);
    Outcome got = call_scalar(*def, host_, args);
    calls_++;
    if (!testing::same_outcome(got, expected)) {
      std::string shown;
      for (const Value& v : args) shown += vm::testing::show(v) + ", ";
      ADD_FAILURE() << name << "(" << shown << "): keel " << testing::show(got) << ", sqlite "
                    << testing::show(expected);
      return false;
    }
    return true;
  }

  FunctionRegistry reg_;
  TestHost host_;
  SqliteOracle oracle_;
  int calls_ = 0;
};

std::vector<Value> time_values() {
  std::vector<Value> v;
  for (const char* s : {"2000-01-01",
                        "2024-02-29 13:45:30",
                        "2024-02-29T13:45:30.123",
                        "2024-02-29 13:45",
                        "2024-02-29T13:45Z",
                        "13:45:30",
                        "13:45",
                        "00:00",
                        "23:59:59.999",
                        "2024-02-30",
                        "2023-02-31",
                        "2023-04-31 12:00",
                        "0000-01-01",
                        "9999-12-31 23:59:59.999",
                        "9999-12-31 23:59:59.9999",
                        "-0001-06-15",
                        "2024-02-29 13:45:30+05:30",
                        "2024-02-29 13:45:30-08:00",
                        "2024-02-29 13:45:30 Z",
                        "2024-02-29 13:45:30z",
                        "2024-02-29 13:45:30 +14:00",
                        "2024-02-29 13:45:30+15:00",
                        "2024-03-10 02:30:00",
                        "2024-11-03 01:30:00",
                        "1969-07-20 20:17:40",
                        "1582-10-10",
                        "2038-01-19 03:14:08",
                        "2451545.0",
                        "2451545",
                        "  2451545.5  ",
                        "1700000000",
                        "garbage",
                        "",
                        "2024-1-1",
                        " 2024-01-01",
                        "2024-01-01 ",
                        "2024-01-01  10:00",
                        "24:00",
                        "23:60",
                        "12:30:61",
                        "2024-13-01",
                        "2024-00-10",
                        "2024-01-32",
                        "2024-01-01T",
                        "2024-01-01 10:00:00.5+01:00",
                        "10:00:00 +01:00",
                        "2024-06-15 12:00:00.0004",
                        "2024-06-15 12:00:00.0006",
                        "2024-06-15 12:00:00.99999",
                        "NOW-ish"}) {
    v.push_back(Value::text(s));
  }
  for (double d : {2451545.0, 0.0, -1.0, 5373484.4999, 5373484.5, 1e10, 1700000000.5, -62167219200.0,
                   253402300799.0, 253402300800.0, 2460370.5734, 1e300}) {
    v.push_back(Value::real(d));
  }
  for (int64_t i : {int64_t{0}, int64_t{2451545}, int64_t{1700000000}, int64_t{-86400}, int64_t{5373484},
                    int64_t{5373485}, INT64_MAX}) {
    v.push_back(Value::integer(i));
  }
  v.push_back(Value());
  v.push_back(testing::Outcome{}.value);
  v.push_back(Value::blob(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("2024-01-01"), 10)));
  return v;
}

std::vector<std::string> modifiers() {
  return {"+1 day",
          "-1 days",
          "+2.5 hours",
          "+90 minutes",
          "-30 seconds",
          "+1.5 seconds",
          "+1 month",
          "-1 month",
          "+13 months",
          "+0.5 months",
          "-1.5 months",
          "+1 year",
          "+0.5 years",
          "-1.25 years",
          "+100 years",
          "-2000 years",
          "start of month",
          "start of year",
          "start of day",
          "START OF DAY",
          "start of week",
          "weekday 0",
          "weekday 3",
          "weekday 6",
          "weekday 7",
          "weekday 1.5",
          "weekday -1",
          "unixepoch",
          "julianday",
          "auto",
          "localtime",
          "utc",
          "subsec",
          "subsecond",
          "+01:30",
          "-02:15:30.5",
          "+24:00",
          "12:00",
          "nonsense",
          "",
          "+1 fortnight",
          "5 days",
          " +1 day",
          "+1 DAY",
          "+1 Days",
          "+1000000 days",
          "+ 1 day",
          "+1day",
          "+5373485 days",
          "-0.0001 seconds",
          "+464269060799 seconds",
          "+1e3 seconds",
          "1",
          "+1.5e1 minutes",
          "-1 hour",
          "+2 hours ",
          "+0 months"};
}

TEST_F(DateTimeOracle, InputFormats) {
  for (const char* fn : {"date", "time", "datetime", "julianday", "unixepoch"}) {
    for (const Value& v : time_values()) check(fn, {v});
  }
}

TEST_F(DateTimeOracle, EveryModifier) {
  std::vector<Value> inputs = {Value::text("2024-02-29 13:45:30.5"),
                               Value::text("2023-01-31"),
                               Value::text("2024-12-31 23:59:59"),
                               Value::real(2451545.25),
                               Value::integer(1700000000),
                               Value::real(1e10),
                               Value::text("2024-03-10 02:30:00"),
                               Value::text("1900-05-05 05:05:05"),
                               Value::text("2024-07-04 12:00:00+02:00"),
                               Value::text("12:34:56"),
                               Value::integer(-1000),
                               Value::text("0000-01-01 00:00:00")};
  for (const char* fn : {"date", "time", "datetime", "julianday", "unixepoch"}) {
    for (const Value& in : inputs) {
      for (const std::string& m : modifiers()) check(fn, {in, Value::text(m)});
    }
  }
}

TEST_F(DateTimeOracle, ModifierPairs) {
  std::vector<std::string> mods = modifiers();
  vm::testing::Gen g(31);
  std::vector<Value> inputs = time_values();
  for (int i = 0; i < 3000; i++) {
    const Value& in = g.pick(inputs);
    std::vector<Value> args = {in, Value::text(g.pick(mods)), Value::text(g.pick(mods))};
    if (g.chance(30)) args.push_back(Value::text(g.pick(mods)));
    check(g.chance(50) ? "datetime" : "julianday", args);
  }
  // Non-text modifiers.
  check("date", {Value::text("2024-01-01"), Value()});
  check("date", {Value::text("2024-01-01"), Value::integer(5)});
  check("date", {Value::integer(1700000000),
                 Value::blob(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("unixepoch"), 9))});
}

TEST_F(DateTimeOracle, StrftimeConversions) {
  std::vector<std::string> formats = {"%d",
                                      "%e",
                                      "%f",
                                      "%F",
                                      "%H",
                                      "%I",
                                      "%j",
                                      "%J",
                                      "%k",
                                      "%l",
                                      "%m",
                                      "%M",
                                      "%p",
                                      "%P",
                                      "%R",
                                      "%s",
                                      "%S",
                                      "%T",
                                      "%u",
                                      "%w",
                                      "%W",
                                      "%Y",
                                      "%G",
                                      "%g",
                                      "%V",
                                      "%U",
                                      "%%",
                                      "%",
                                      "%Y-%m-%dT%H:%M:%f",
                                      "plain",
                                      "",
                                      "%Y%",
                                      "x%dy%mz",
                                      "%W %j %w",
                                      "%s.%f",
                                      "%J%J",
                                      "日%Y本"};
  std::vector<Value> inputs = time_values();
  for (const std::string& f : formats) {
    for (const Value& in : inputs) check("strftime", {Value::text(f), in});
    for (const char* m : {"+6 months", "weekday 0", "start of year", "localtime"}) {
      check("strftime", {Value::text(f), Value::text("2021-01-03 04:05:06.789"), Value::text(m)});
    }
  }
  // Week numbers around every new year of a few decades.
  for (int y = 1995; y <= 2030; y++) {
    for (const char* md :
         {"-01-01", "-01-02", "-01-03", "-01-04", "-01-07", "-12-28", "-12-29", "-12-30", "-12-31"}) {
      check("strftime", {Value::text("%W %j %w"), Value::text(std::to_string(y) + md)});
    }
  }
  check("strftime", {Value()});
  check("strftime", {Value(), Value::text("2024-01-01")});
}

TEST_F(DateTimeOracle, NowComesFromTheHost) {
  // 'now' = statement_time_ms; SQLite is given the same instant as a Julian
  // day number.
  Value jd = Value::real(static_cast<double>(host_.now_ms) / 86400000.0);
  for (const char* fn : {"date", "time", "datetime", "julianday", "unixepoch"}) {
    const FunctionDef* def = reg_.find(fn, 1);
    Outcome a = call_scalar(*def, host_, {Value::text("now")});
    Outcome b = call_scalar(*def, host_, {Value::text("NOW")});
    Outcome c = call_scalar(*def, host_, {});
    Outcome expected = oracle_.query(std::string("SELECT ") + fn + "(?1)", {jd});
    EXPECT_TRUE(testing::same_outcome(a, expected))
        << fn << ": " << testing::show(a) << " vs " << testing::show(expected);
    EXPECT_TRUE(testing::same_outcome(a, b));
    EXPECT_TRUE(testing::same_outcome(a, c));
  }
  EXPECT_EQ(call_scalar(*reg_.find("datetime", 1), host_, {Value::text("now")}).value.text(),
            "2024-02-29 13:45:30");
  EXPECT_EQ(call_scalar(*reg_.find("current_timestamp", 0), host_, {}).value.text(), "2024-02-29 13:45:30");
  EXPECT_EQ(call_scalar(*reg_.find("current_date", 0), host_, {}).value.text(), "2024-02-29");
  EXPECT_EQ(call_scalar(*reg_.find("current_time", 0), host_, {}).value.text(), "13:45:30");
  Outcome s = call_scalar(*reg_.find("strftime", 2), host_, {Value::text("%f"), Value::text("now")});
  EXPECT_EQ(s.value.text(), "30.250");
  EXPECT_EQ(call_scalar(*reg_.find("strftime", 1), host_, {Value::text("%Y %j")}).value.text(), "2024 060");
  // A host without a clock (time 0) gives NULL, as SQLite when xCurrentTime fails.
  host_.now_ms = 0;
  EXPECT_TRUE(call_scalar(*reg_.find("date", 1), host_, {Value::text("now")}).value.is_null());
}

// Random time strings and modifiers built from their grammar, with numbers
// that stress rounding (fractional seconds, months and years).
TEST_F(DateTimeOracle, RandomTimesAndModifiers) {
  vm::testing::Gen g(2718);
  auto two = [&](int lo, int hi) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "%02d", g.range(lo, hi));
    return std::string(buf);
  };
  auto number = [&]() {
    std::string n = std::to_string(g.range(0, 400));
    if (g.chance(50)) n += "." + std::to_string(g.range(0, 9999));
    if (g.chance(10)) n += "e" + std::to_string(g.range(-2, 3));
    return n;
  };
  auto time_string = [&]() {
    std::string t;
    if (g.chance(80)) {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "%s%04d-", g.chance(5) ? "-" : "", g.range(0, 9999));
      t = buf + two(0, 13) + "-" + two(0, 32);
      if (g.chance(20)) return t;
      t += g.chance(50) ? " " : "T";
    }
    t += two(0, 24) + ":" + two(0, 60);
    if (g.chance(70)) t += ":" + two(0, 60);
    if (g.chance(40)) t += "." + std::to_string(g.range(0, 999999));
    if (g.chance(20))
      t += g.pick(std::vector<std::string>{"Z", "+05:30", "-11:00", " +14:00", "+15:00", "z"});
    return t;
  };
  auto modifier = [&]() -> std::string {
    switch (g.range(0, 7)) {
      case 0:
      case 1:
      case 2:
        return std::string(g.chance(50) ? "+" : "-") + number() + " " +
               g.pick(std::vector<std::string>{"seconds", "minute", "hours", "days", "month", "months",
                                               "years"});
      case 3:
        return std::string(g.chance(50) ? "+" : "-") + two(0, 25) + ":" + two(0, 60) +
               (g.chance(50) ? ":" + two(0, 60) + "." + std::to_string(g.range(0, 999)) : "");
      case 4:
        return "weekday " + std::to_string(g.range(0, 7));
      case 5:
        return g.pick(std::vector<std::string>{"start of day", "start of month", "start of year"});
      case 6:
        return g.pick(std::vector<std::string>{"localtime", "utc", "unixepoch", "auto", "julianday"});
      default:
        return number();
    }
  };
  const char* fns[] = {"date", "time", "datetime", "julianday", "unixepoch"};
  for (int i = 0; i < 6000; i++) {
    std::vector<Value> args;
    if (g.chance(15)) {
      args.push_back(g.chance(50) ? Value::integer(g.range(-100000, 2000000000))
                                  : Value::real(g.range(0, 5373484) + g.range(0, 999999) / 1e6));
    } else {
      args.push_back(Value::text(time_string()));
    }
    for (int k = g.range(0, 3); k > 0; k--) args.push_back(Value::text(modifier()));
    if (g.chance(20)) {
      args.insert(args.begin(), Value::text("%Y-%m-%d %H:%M:%f %j %W %w %s %J"));
      check("strftime", args);
    } else {
      check(fns[g.range(0, 4)], args);
    }
  }
}

// 'now', 'localtime' and 'utc' fail where SQLite evaluates with OP_PureFunc.
TEST_F(DateTimeOracle, NonDeterministicUseInPureContexts) {
  struct Case {
    FunctionContext::PureContext where;
    const char* setup;
    const char* trigger;
  };
  const Case kCases[] = {
      {FunctionContext::PureContext::kCheck, "CREATE TABLE c1(x CHECK (datetime(x) IS NOT NULL))",
       "INSERT INTO c1 VALUES (?1)"},
      {FunctionContext::PureContext::kGeneratedColumn, "CREATE TABLE c2(x, y AS (datetime(x)))",
       "INSERT INTO c2(x) VALUES (?1)"},
      {FunctionContext::PureContext::kIndex, "CREATE TABLE c3(x); CREATE INDEX c3i ON c3(datetime(x))",
       "INSERT INTO c3 VALUES (?1)"},
  };
  for (const Case& c : kCases) {
    oracle_.exec(c.setup);
    Outcome expected = oracle_.query(c.trigger, {Value::text("now")});
    ASSERT_TRUE(expected.error);
    const FunctionDef* def = reg_.find("datetime", 1);
    Outcome got;
    FunctionContext ctx(def, &host_);
    ctx.set_result_slot(&got.value);
    ctx.set_pure_context(c.where);
    std::vector<Value> args = {Value::text("now")};
    def->scalar(ctx, args);
    ASSERT_TRUE(ctx.has_error());
    EXPECT_EQ(ctx.error_message(), expected.message);
    EXPECT_TRUE(got.value.is_null());
  }
  // A fixed time is fine there.
  const FunctionDef* def = reg_.find("datetime", 2);
  Value res;
  FunctionContext ctx(def, &host_);
  ctx.set_result_slot(&res);
  ctx.set_pure_context(FunctionContext::PureContext::kCheck);
  std::vector<Value> args = {Value::text("2024-01-01"), Value::text("+1 day")};
  def->scalar(ctx, args);
  EXPECT_FALSE(ctx.has_error());
  EXPECT_EQ(res.text(), "2024-01-02 00:00:00");
  args = {Value::text("2024-01-01"), Value::text("localtime")};
  def->scalar(ctx, args);
  EXPECT_EQ(ctx.error_message(), "non-deterministic use of datetime() in a CHECK constraint");
}

}  // namespace
}  // namespace keel::func
