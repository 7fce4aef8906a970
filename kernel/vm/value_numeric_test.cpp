// Conversions and arithmetic against libsqlite3 as the oracle: thousands of
// generated inputs per property, each compared bit for bit.
#include <gtest/gtest.h>

#include "vm/affinity.h"
#include "vm/numeric.h"
#include "vm/value.h"
#include "vm/value_test_oracle.h"

namespace keel::vm {
namespace {

using testing::Gen;
using testing::Oracle;
using testing::same_value;
using testing::show;

constexpr int kCases = 20000;

TEST(NumericOracle, CastTextToReal) {
  Oracle o;
  Gen g(1);
  for (int i = 0; i < testing::scaled(kCases); i++) {
    Value in = Value::text(g.numeric_text());
    Value want = o.query1("SELECT CAST(?1 AS REAL)", {in});
    Value got = in;
    cast_value(got, Affinity::kReal);
    ASSERT_TRUE(same_value(got, want)) << show(in) << " got " << show(got) << " want " << show(want);
  }
}

TEST(NumericOracle, CastTextToInteger) {
  Oracle o;
  Gen g(2);
  for (int i = 0; i < testing::scaled(kCases); i++) {
    Value in = Value::text(g.numeric_text());
    Value want = o.query1("SELECT CAST(?1 AS INTEGER)", {in});
    Value got = in;
    cast_value(got, Affinity::kInteger);
    ASSERT_TRUE(same_value(got, want)) << show(in) << " got " << show(got) << " want " << show(want);
  }
}

TEST(NumericOracle, CastAnyValueToEveryType) {
  Oracle o;
  Gen g(3);
  const struct {
    const char* sql;
    Affinity aff;
  } kCasts[] = {{"SELECT CAST(?1 AS REAL)", Affinity::kReal},
                {"SELECT CAST(?1 AS INTEGER)", Affinity::kInteger},
                {"SELECT CAST(?1 AS NUMERIC)", Affinity::kNumeric},
                {"SELECT CAST(?1 AS TEXT)", Affinity::kText},
                {"SELECT CAST(?1 AS BLOB)", Affinity::kBlob}};
  for (int i = 0; i < testing::scaled(kCases); i++) {
    Value in = g.value();
    for (const auto& c : kCasts) {
      Value want = o.query1(c.sql, {in});
      Value got = in;
      cast_value(got, c.aff);
      ASSERT_TRUE(same_value(got, want))
          << c.sql << " of " << show(in) << " got " << show(got) << " want " << show(want);
    }
  }
}

TEST(NumericOracle, RealToText) {
  Oracle o;
  Gen g(4);
  for (int i = 0; i < testing::scaled(3 * kCases); i++) {
    double r = g.real();
    Value in = Value::real(r);
    Value want = o.query1("SELECT CAST(?1 AS TEXT)", {in});
    char buf[32];
    int n = real_to_text(r, buf);
    ASSERT_EQ(std::string(buf, static_cast<size_t>(n)), std::string(want.text())) << show(in);
  }
}

TEST(NumericOracle, IntToText) {
  Oracle o;
  Gen g(5);
  for (int i = 0; i < testing::scaled(kCases); i++) {
    Value in = Value::integer(g.integer());
    Value want = o.query1("SELECT CAST(?1 AS TEXT)", {in});
    NumberText t;
    ASSERT_EQ(in.as_text(t), want.text());
  }
}

TEST(NumericOracle, Arithmetic) {
  Oracle o;
  Gen g(6);
  const char* sql = "SELECT ?1 + ?2, ?1 - ?2, ?1 * ?2, ?1 / ?2, ?1 % ?2";
  void (*ops[])(const Value&, const Value&, Value&) = {arith_add, arith_sub, arith_mul, arith_div, arith_rem};
  for (int i = 0; i < testing::scaled(kCases); i++) {
    Value a = g.value();
    Value b = g.chance(20) ? Value::integer(g.range(-2, 2)) : g.value();
    if (g.chance(10)) b = a;
    auto want = o.query(sql, {a, b});
    ASSERT_EQ(want.size(), 5u);
    for (int k = 0; k < 5; k++) {
      Value got;
      ops[k](a, b, got);
      ASSERT_TRUE(same_value(got, want[static_cast<size_t>(k)]))
          << "op " << k << " of " << show(a) << " and " << show(b) << " got " << show(got) << " want "
          << show(want[static_cast<size_t>(k)]);
    }
  }
}

TEST(NumericOracle, BitwiseAndTruth) {
  Oracle o;
  Gen g(8);
  const char* sql =
      "SELECT ?1 & ?2, ?1 | ?2, ?1 << ?2, ?1 >> ?2, ~?1, CASE WHEN ?1 THEN 1 ELSE 0 END, NOT ?1";
  void (*ops[])(const Value&, const Value&, Value&) = {arith_bitand, arith_bitor, arith_shl, arith_shr};
  for (int i = 0; i < testing::scaled(kCases); i++) {
    Value a = g.value();
    Value b = g.chance(50) ? Value::integer(g.range(-70, 70)) : g.value();
    auto want = o.query(sql, {a, b});
    ASSERT_EQ(want.size(), 7u);
    for (int k = 0; k < 4; k++) {
      Value got;
      ops[k](a, b, got);
      ASSERT_TRUE(same_value(got, want[static_cast<size_t>(k)]))
          << "op " << k << " of " << show(a) << " and " << show(b) << " got " << show(got);
    }
    Value got;
    arith_bitnot(a, got);
    ASSERT_TRUE(same_value(got, want[4])) << "~" << show(a);
    ASSERT_EQ(truth_value(a, false) ? 1 : 0, want[5].int_value()) << show(a);
    if (a.is_null()) {
      ASSERT_TRUE(want[6].is_null());
    } else {
      ASSERT_EQ(truth_value(a, false) ? 0 : 1, want[6].int_value()) << show(a);
    }
  }
}

TEST(NumericOracle, ArithmeticOutAliasesOperand) {
  Value a = Value::integer(INT64_MAX);
  Value b = Value::integer(1);
  arith_add(a, b, a);
  ASSERT_TRUE(a.is_real());
  EXPECT_EQ(a.real_value(), 9223372036854775808.0);
  Value t = Value::text(" 12 ");
  arith_mul(t, t, t);
  ASSERT_TRUE(t.is_int());
  EXPECT_EQ(t.int_value(), 144);
}

TEST(NumericOracle, ValueAccessors) {
  Oracle o;
  Gen g(7);
  for (int i = 0; i < testing::scaled(kCases); i++) {
    Value in = g.value();
    auto want = o.query("SELECT CAST(?1 AS INTEGER), CAST(?1 AS REAL)", {in});
    if (in.is_null()) continue;
    ASSERT_EQ(in.as_int64(), want[0].int_value()) << show(in);
    double w = want[1].real_value(), got = in.as_double();
    ASSERT_EQ(std::memcmp(&w, &got, 8), 0) << show(in) << " " << got << " vs " << w;
  }
}

void numeric_type_fn(sqlite3_context* ctx, int, sqlite3_value** argv) {
  sqlite3_result_int(ctx, sqlite3_value_numeric_type(argv[0]));
}

TEST(NumericOracle, NumericType) {
  // sqlite3_value_numeric_type through an application-defined function.
  Oracle o;
  ASSERT_EQ(
      sqlite3_create_function(o.db(), "numtype", 1, SQLITE_UTF8, nullptr, numeric_type_fn, nullptr, nullptr),
      SQLITE_OK);
  Gen g(9);
  for (int i = 0; i < testing::scaled(kCases); i++) {
    Value in = g.value();
    Value want = o.query1("SELECT numtype(?1)", {in});
    ASSERT_EQ(static_cast<int64_t>(in.numeric_type()), want.int_value()) << show(in);
  }
}

TEST(Numeric, Atoi64ReturnCodes) {
  int64_t v;
  EXPECT_EQ(atoi64(" 12 ", &v), 0);
  EXPECT_EQ(v, 12);
  EXPECT_EQ(atoi64("12abc", &v), 1);
  EXPECT_EQ(v, 12);
  EXPECT_EQ(atoi64("abc", &v), -1);
  EXPECT_EQ(atoi64("9223372036854775808", &v), 3);
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_EQ(atoi64("-9223372036854775808", &v), 0);
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_EQ(atoi64("99999999999999999999", &v), 2);
  EXPECT_EQ(dec_or_hex_to_i64("0x7fffffffffffffff", 18, &v), 0);
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_EQ(dec_or_hex_to_i64("0xffffffffffffffff", 18, &v), 0);
  EXPECT_EQ(v, -1);
  EXPECT_EQ(dec_or_hex_to_i64("0x10000000000000000", 19, &v), 2);
}

TEST(Numeric, AtofReturnCodes) {
  double r;
  EXPECT_EQ(atof("12", &r), 1);
  EXPECT_EQ(atof(" 1.5 ", &r), 2);
  EXPECT_EQ(atof("1.5e3", &r), 3);
  EXPECT_EQ(r, 1500.0);
  EXPECT_EQ(atof("1.5x", &r), -1);
  EXPECT_EQ(r, 1.5);
  EXPECT_EQ(atof("12x", &r), 0);
  EXPECT_EQ(r, 12.0);
  EXPECT_EQ(atof("0x10", &r), 0);
  EXPECT_EQ(atof("", &r), 0);
  EXPECT_EQ(atof("1e", &r), 0);
  EXPECT_EQ(atof("1.5e", &r), -1);
}

TEST(Numeric, RealRendering) {
  char buf[32];
  auto r = [&](double d) {
    real_to_text(d, buf);
    return std::string(buf);
  };
  EXPECT_EQ(r(1.0), "1.0");
  EXPECT_EQ(r(0.1), "0.1");
  EXPECT_EQ(r(1e20), "1.0e+20");
  EXPECT_EQ(r(-0.0), "0.0");
  EXPECT_EQ(r(HUGE_VAL), "Inf");
  EXPECT_EQ(r(-HUGE_VAL), "-Inf");
  EXPECT_EQ(r(123456789012345678.0), "1.23456789012346e+17");
}

}  // namespace
}  // namespace keel::vm
