// Comparison, comparison affinity, collations and STRICT checks against
// libsqlite3.
#include "vm/value_compare.h"

#include <gtest/gtest.h>

#include "vm/affinity.h"
#include "vm/collation.h"
#include "vm/value_test_oracle.h"

namespace keel::vm {
namespace {

using testing::Gen;
using testing::Oracle;
using testing::same_value;
using testing::show;

// The (a<b, a=b, a>b) triple SQLite returns, as a sign; 2 when NULL.
int sign_from_triple(const std::vector<Value>& r, size_t at) {
  if (r[at].is_null()) return 2;
  if (r[at].int_value()) return -1;
  if (r[at + 1].int_value()) return 0;
  if (r[at + 2].int_value()) return 1;
  return 99;
}

int sign(int c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); }

Value tricky_value(Gen& g) {
  if (g.chance(30)) {
    static const std::vector<std::string> kTexts = {"a", "A", "a ", "A  ",  "ab", "aB", "b", "",
                                                    " ", "É", "é",  "a\tb", "Z",  "z",  "[", "_"};
    return Value::text(g.pick(kTexts));
  }
  if (g.chance(20)) {
    // Integers next to doubles that are nearly equal.
    int64_t i = g.integer();
    if (g.chance(50)) return Value::integer(i);
    double d = static_cast<double>(i);
    if (g.chance(50)) d = std::nextafter(d, g.chance(50) ? HUGE_VAL : -HUGE_VAL);
    return Value::real(d);
  }
  return g.value();
}

TEST(CompareOracle, ParametersUnderEachCollation) {
  Oracle o;
  Gen g(31);
  const struct {
    const char* sql;
    const Collation* coll;
  } kQueries[] = {
      {"SELECT ?1 < ?2, ?1 = ?2, ?1 > ?2", nullptr},
      {"SELECT ?1 < ?2 COLLATE NOCASE, ?1 = ?2 COLLATE NOCASE, ?1 > ?2 COLLATE NOCASE", nocase_collation()},
      {"SELECT ?1 < ?2 COLLATE RTRIM, ?1 = ?2 COLLATE RTRIM, ?1 > ?2 COLLATE RTRIM", rtrim_collation()},
      {"SELECT ?1 < ?2 COLLATE BINARY, ?1 = ?2 COLLATE BINARY, ?1 > ?2 COLLATE BINARY", binary_collation()},
  };
  for (int i = 0; i < testing::scaled(20000); i++) {
    Value a = tricky_value(g);
    Value b = g.chance(10) ? a : tricky_value(g);
    for (const auto& q : kQueries) {
      auto r = o.query(q.sql, {a, b});
      int want = sign_from_triple(r, 0);
      int got = (a.is_null() || b.is_null()) ? 2 : sign(compare_values(a, b, q.coll));
      ASSERT_EQ(got, want) << q.sql << " " << show(a) << " vs " << show(b);
    }
  }
}

TEST(CompareOracle, OrderByIsSortedUnderCompareValues) {
  Oracle o;
  o.exec("CREATE TABLE ob(x)");
  Gen g(32);
  o.exec("BEGIN");
  for (int i = 0; i < testing::scaled(5000); i++) {
    sqlite3_stmt* st = o.stmt("INSERT INTO ob VALUES (?1)");
    Oracle::bind(st, 1, tricky_value(g));
    ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
  }
  o.exec("COMMIT");
  for (const char* coll : {"BINARY", "NOCASE", "RTRIM"}) {
    const Collation* c = find_builtin_collation(coll);
    ASSERT_NE(c, nullptr);
    sqlite3_stmt* st = o.stmt(std::string("SELECT x FROM ob ORDER BY x COLLATE ") + coll);
    Value prev;
    bool first = true;
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
      Value v = Oracle::column(st, 0);
      if (!first) {
        ASSERT_LE(compare_values(prev, v, c), 0) << coll << " " << show(prev) << " then " << show(v);
      }
      prev = v;
      first = false;
      rows++;
    }
    EXPECT_EQ(rows, testing::scaled(5000));
  }
}

struct Col {
  const char* name;
  const char* decl;
  Affinity aff;
};
const Col kCols[] = {{"n", "NUMERIC", Affinity::kNumeric}, {"t", "TEXT", Affinity::kText},
                     {"b", "BLOB", Affinity::kBlob},       {"i", "INTEGER", Affinity::kInteger},
                     {"r", "REAL", Affinity::kReal},       {"x", "", Affinity::kBlob}};

TEST(CompareOracle, ComparisonAffinityColumnVsParameterAndColumn) {
  Oracle o;
  o.exec("CREATE TABLE c(n NUMERIC, t TEXT, b BLOB, i INTEGER, r REAL, x)");
  // One query comparing every column with the parameter, in both operand
  // orders, and every pair of columns.
  std::string sql = "SELECT ";
  bool first = true;
  auto add = [&](const std::string& l, const std::string& r) {
    sql += (first ? "" : ", ") + l + " < " + r + ", " + l + " = " + r + ", " + l + " > " + r;
    first = false;
  };
  for (const auto& c : kCols) add(c.name, "?1");
  for (const auto& c : kCols) add("?1", c.name);
  for (const auto& a : kCols)
    for (const auto& b : kCols) add(a.name, b.name);
  sql += " FROM c";
  Gen g(33);
  for (int it = 0; it < 3000; it++) {
    std::vector<Value> stored;
    o.exec("DELETE FROM c");
    sqlite3_stmt* ins = o.stmt("INSERT INTO c VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    Value common = tricky_value(g);
    for (size_t k = 0; k < 6; k++) {
      Value v = g.chance(50) ? common : tricky_value(g);
      Oracle::bind(ins, static_cast<int>(k + 1), v);
      apply_affinity(v, kCols[k].aff);
      stored.push_back(v);
    }
    ASSERT_EQ(sqlite3_step(ins), SQLITE_DONE);
    Value p = g.chance(50) ? common : tricky_value(g);
    auto r = o.query(sql, {p});
    size_t at = 0;
    auto check = [&](const Value& l, Affinity la, const Value& rv, Affinity ra, const std::string& what) {
      int want = sign_from_triple(r, at);
      at += 3;
      int got = (l.is_null() || rv.is_null())
                    ? 2
                    : sign(compare_with_affinity(l, rv, comparison_affinity(la, ra), nullptr));
      ASSERT_EQ(got, want) << what << ": " << show(l) << " vs " << show(rv);
    };
    for (size_t k = 0; k < 6; k++)
      check(stored[k], kCols[k].aff, p, Affinity::kNone, std::string(kCols[k].name) + " op ?");
    for (size_t k = 0; k < 6; k++)
      check(p, Affinity::kNone, stored[k], kCols[k].aff, std::string("? op ") + kCols[k].name);
    for (size_t a = 0; a < 6; a++)
      for (size_t b = 0; b < 6; b++)
        check(stored[a], kCols[a].aff, stored[b], kCols[b].aff,
              std::string(kCols[a].name) + " op " + kCols[b].name);
  }
}

TEST(AffinityOracle, StrictTables) {
  Oracle o;
  o.exec("CREATE TABLE s(a INT, b INTEGER, c REAL, d TEXT, e BLOB, f ANY) STRICT");
  const char* kNames[] = {"a", "b", "c", "d", "e", "f"};
  const char* kTypes[] = {"INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"};
  Gen g(34);
  for (int it = 0; it < 4000; it++) {
    size_t k = static_cast<size_t>(g.range(0, 5));
    Value in = g.value();
    o.exec("DELETE FROM s");
    sqlite3_stmt* st = o.stmt(std::string("INSERT INTO s(") + kNames[k] + ") VALUES (?1)");
    Oracle::bind(st, 1, in);
    int rc = sqlite3_step(st);
    std::string err = rc == SQLITE_DONE ? "" : sqlite3_errmsg(o.db());
    int ext = sqlite3_extended_errcode(o.db());
    sqlite3_reset(st);
    StrictType t;
    ASSERT_TRUE(strict_type_from_name(kTypes[k], &t));
    Value got = in;
    Status s = strict_check(got, t, "s", kNames[k]);
    if (rc == SQLITE_DONE) {
      ASSERT_TRUE(s.ok()) << kTypes[k] << " " << show(in) << ": " << s.to_string();
      Value want = o.query1(std::string("SELECT ") + kNames[k] + " FROM s", {});
      ASSERT_TRUE(same_value(got, want))
          << kTypes[k] << " " << show(in) << " got " << show(got) << " want " << show(want);
    } else {
      ASSERT_FALSE(s.ok()) << kTypes[k] << " " << show(in) << " sqlite said " << err;
      EXPECT_EQ(s.code(), ext);
      EXPECT_EQ(std::string(s.message()), err);
    }
  }
}

TEST(Affinity, ComparisonAffinityRules) {
  EXPECT_EQ(comparison_affinity(Affinity::kText, Affinity::kInteger), Affinity::kNumeric);
  EXPECT_EQ(comparison_affinity(Affinity::kText, Affinity::kBlob), Affinity::kBlob);
  EXPECT_EQ(comparison_affinity(Affinity::kText, Affinity::kNone), Affinity::kText);
  EXPECT_EQ(comparison_affinity(Affinity::kNone, Affinity::kReal), Affinity::kReal);
  EXPECT_EQ(comparison_affinity(Affinity::kNone, Affinity::kNone), Affinity::kNone);
  EXPECT_EQ(comparison_affinity(Affinity::kBlob, Affinity::kNone), Affinity::kBlob);
}

TEST(Collation, Builtins) {
  EXPECT_EQ(nocase_compare("ABC", "abc"), 0);
  EXPECT_LT(nocase_compare("abc", "ABD"), 0);
  EXPECT_NE(nocase_compare("É", "é"), 0);  // ASCII only
  EXPECT_EQ(rtrim_compare("a  ", "a"), 0);
  EXPECT_LT(rtrim_compare(" a", "a"), 0);
  EXPECT_LT(binary_compare("a", "a "), 0);
  EXPECT_EQ(find_builtin_collation("nocase"), nocase_collation());
  EXPECT_EQ(find_builtin_collation("other"), nullptr);
  EXPECT_EQ(stricmp("Hello", "hELLO"), 0);
  EXPECT_GT(stricmp("b", "A"), 0);
}

class ReverseCollation final : public Collation {
 public:
  std::string_view name() const override { return "REVERSE"; }
  int compare(std::string_view a, std::string_view b) const override { return -binary_compare(a, b); }
};

TEST(Collation, UserDefined) {
  ReverseCollation rev;
  EXPECT_GT(compare_values(Value::text("a"), Value::text("b"), &rev), 0);
  // Collations apply to TEXT only.
  EXPECT_LT(compare_values(Value::integer(1), Value::integer(2), &rev), 0);
  EXPECT_LT(compare_values(Value::text("z"), Value::blob({}), &rev), 0);
}

TEST(Compare, ClassOrderAndExactIntReal) {
  EXPECT_LT(compare_values(Value(), Value::integer(INT64_MIN)), 0);
  EXPECT_LT(compare_values(Value::real(1e308), Value::text("")), 0);
  EXPECT_LT(compare_values(Value::text("\xff"), Value::blob({})), 0);
  EXPECT_GT(compare_values(Value::integer(9007199254740993LL), Value::real(9007199254740992.0)), 0);
  EXPECT_LT(compare_values(Value::integer(INT64_MAX), Value::real(9223372036854775808.0)), 0);
  EXPECT_EQ(compare_values(Value::integer(0), Value::real(-0.0)), 0);
  EXPECT_EQ(compare_values(Value::zeroblob(3), Value::blob(std::vector<uint8_t>{0, 0, 0})), 0);
  EXPECT_LT(compare_values(Value::zeroblob(2), Value::blob(std::vector<uint8_t>{0, 0, 0})), 0);
  EXPECT_GT(compare_values(Value::blob(std::vector<uint8_t>{0, 1}), Value::zeroblob(5)), 0);
}

}  // namespace
}  // namespace keel::vm
