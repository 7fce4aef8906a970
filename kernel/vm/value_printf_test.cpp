// printf against libsqlite3: the SQL printf() function on random formats and
// random SQL values, and sqlite3_mprintf() on random formats with C varargs.
#include <gtest/gtest.h>

#include "vm/printf.h"
#include "vm/value.h"
#include "vm/value_test_oracle.h"

namespace keel::vm {
namespace {

using testing::Gen;
using testing::Oracle;
using testing::show;

struct Spec {
  std::string text;
  int stars = 0;  // '*' arguments consumed before the value
  char conv = 'd';
  int length = 0;  // 0, 1 (l), 2 (ll)
};

Spec random_spec(Gen& g, const std::string& convs) {
  Spec s;
  s.text = "%";
  static const std::string kFlags = "-+ #0!,";
  int nflags = g.range(0, 4) == 0 ? g.range(1, 3) : (g.chance(40) ? 1 : 0);
  for (int i = 0; i < nflags; i++) s.text += kFlags[static_cast<size_t>(g.range(0, 6))];
  int w = g.range(0, 9);
  if (w == 0) {
    s.text += "*";
    s.stars++;
  } else if (w < 5) {
    s.text += std::to_string(g.range(1, 30));
  }
  int p = g.range(0, 9);
  if (p == 0) {
    s.text += ".*";
    s.stars++;
  } else if (p < 5) {
    s.text += "." + std::to_string(g.range(0, 25));
  } else if (p == 5) {
    s.text += "." + std::to_string(g.range(26, 120));
  }
  s.conv = convs[static_cast<size_t>(g.range(0, static_cast<int>(convs.size()) - 1))];
  if (g.chance(15)) {
    s.length = g.range(1, 2);
    s.text += s.length == 1 ? "l" : "ll";
  }
  s.text += s.conv;
  return s;
}

TEST(PrintfOracle, SqlPrintfRandom) {
  Oracle o;
  Gen g(11);
  const std::string kConvs = "diuxXocsqQwfeEgGzp%%nr";
  int checked = 0;
  for (int i = 0; i < testing::scaled(30000); i++) {
    std::string fmt;
    std::vector<Value> args;
    int nspec = g.range(1, 3);
    for (int k = 0; k < nspec; k++) {
      if (g.chance(30)) fmt += g.pick(std::vector<std::string>{"x", " ", "ab'c", "é", "%%"});
      Spec s = random_spec(g, kConvs);
      fmt += s.text;
      for (int st = 0; st < s.stars; st++) args.push_back(Value::integer(g.range(-30, 40)));
      if (s.conv != '%' && s.conv != 'n') args.push_back(g.value());
    }
    if (g.chance(10) && !args.empty()) args.pop_back();  // missing argument
    if (g.chance(2)) fmt += "%y";                        // unknown conversion ends output
    if (args.size() > 8) continue;
    std::string sql = "SELECT printf(?1";
    for (size_t k = 0; k < args.size(); k++) sql += ", ?" + std::to_string(k + 2);
    sql += ")";
    std::vector<Value> params{Value::text(fmt)};
    params.insert(params.end(), args.begin(), args.end());
    Value want = o.query1(sql, params);
    std::string got;
    ASSERT_TRUE(sql_printf(fmt, args, got).ok());
    std::string args_s;
    for (auto& a : args) args_s += show(a) + " ";
    ASSERT_EQ(got, std::string(want.text())) << "format [" << fmt << "] args " << args_s;
    checked++;
  }
  EXPECT_GT(checked, 25000);
}

TEST(PrintfOracle, SqlPrintfRandomFormatBytes) {
  // Arbitrary format strings built from the characters the format parser
  // looks at, including cut-off specifications at the end.
  Oracle o;
  Gen g(15);
  const std::string kAlphabet = "%%%%-+ #0!,*.123456789lldiuxXocsqQwfeEgGzpnr%yT";
  int too_big = 0;
  // A small length limit on both sides: outputs near it probe the exact
  // TOOBIG boundary, and huge widths fail fast.
  constexpr int kLimit = 3000;
  sqlite3_limit(o.db(), SQLITE_LIMIT_LENGTH, kLimit);
  for (int i = 0; i < testing::scaled(30000); i++) {
    std::string fmt;
    int n = g.range(1, 12);
    for (int k = 0; k < n; k++)
      fmt += kAlphabet[static_cast<size_t>(g.range(0, static_cast<int>(kAlphabet.size()) - 1))];
    std::vector<Value> args;
    int na = g.range(0, 4);
    for (int k = 0; k < na; k++) {
      if (g.chance(10)) {
        args.push_back(Value::integer(g.range(kLimit - 30, kLimit + 3) * (g.chance(20) ? -1 : 1)));
      } else if (g.chance(5)) {
        args.push_back(Value::text(std::string(static_cast<size_t>(g.range(kLimit - 100, kLimit - 1)), 'x')));
      } else {
        args.push_back(g.chance(50) ? Value::integer(g.range(-20, 40)) : g.value());
      }
    }
    std::string sql = "SELECT printf(?1";
    for (size_t k = 0; k < args.size(); k++) sql += ", ?" + std::to_string(k + 2);
    sql += ")";
    std::vector<Value> params{Value::text(fmt)};
    params.insert(params.end(), args.begin(), args.end());
    Value want = o.query1(sql, params);
    std::string got;
    bool is_null = false;
    Status st = sql_printf(fmt, args, got, &is_null, kLimit);
    ASSERT_EQ(is_null, want.is_null()) << "format [" << fmt << "] want size " << want.size() << " got size "
                                       << got.size() << " arg0 size " << (args.empty() ? 0 : args[0].size());
    if (st.code() == rc::kTooBig) {
      // SQLite's printf() answers NULL when its output would be too big.
      ASSERT_TRUE(want.is_null()) << "format [" << fmt << "]";
      too_big++;
      continue;
    }
    ASSERT_TRUE(st.ok()) << st.to_string();
    ASSERT_EQ(got, std::string(want.text())) << "format [" << fmt << "]";
  }
  EXPECT_GT(too_big, 20);
}

TEST(PrintfOracle, SqlPrintfDoubles) {
  Oracle o;
  Gen g(12);
  for (int i = 0; i < testing::scaled(30000); i++) {
    Spec s = random_spec(g, "feEgG");
    std::vector<Value> args;
    for (int st = 0; st < s.stars; st++) args.push_back(Value::integer(g.range(-30, 40)));
    args.push_back(Value::real(g.real()));
    std::string sql = "SELECT printf(?1";
    for (size_t k = 0; k < args.size(); k++) sql += ", ?" + std::to_string(k + 2);
    sql += ")";
    std::vector<Value> params{Value::text(s.text)};
    params.insert(params.end(), args.begin(), args.end());
    Value want = o.query1(sql, params);
    std::string got;
    ASSERT_TRUE(sql_printf(s.text, args, got).ok());
    ASSERT_EQ(got, std::string(want.text())) << "format [" << s.text << "] arg " << show(args.back());
  }
}

TEST(PrintfOracle, QuoteStyleRendering) {
  // quote() and the shell use "%!.15g" and "%!.20e"; check both directly.
  Oracle o;
  Gen g(13);
  for (int i = 0; i < testing::scaled(20000); i++) {
    Value r = Value::real(g.real());
    for (const char* f : {"%!.15g", "%!.20e", "%.17g", "%!.0f", "%.30f", "%,d", "%!,.3f"}) {
      Value want = o.query1("SELECT printf(?1, ?2)", {Value::text(f), r});
      std::string got;
      std::vector<Value> args{r};
      ASSERT_TRUE(sql_printf(f, args, got).ok());
      ASSERT_EQ(got, std::string(want.text())) << f << " " << show(r);
    }
  }
}

TEST(PrintfOracle, MprintfVarargs) {
  Gen g(14);
  for (int i = 0; i < testing::scaled(20000); i++) {
    Spec s = random_spec(g, "diuxXocsqQwfeEgG");
    if (s.stars) continue;  // covered by the SQL tests
    std::string got;
    char* want = nullptr;
    const char* f = s.text.c_str();
    switch (s.conv) {
      case 'd':
      case 'i':
      case 'u':
      case 'x':
      case 'X':
      case 'o': {
        int64_t v = g.integer();
        if (s.length == 2) {
          got = format(f, static_cast<long long>(v));
          want = sqlite3_mprintf(f, static_cast<long long>(v));
        } else if (s.length == 1) {
          got = format(f, static_cast<long>(v));
          want = sqlite3_mprintf(f, static_cast<long>(v));
        } else {
          got = format(f, static_cast<int>(v));
          want = sqlite3_mprintf(f, static_cast<int>(v));
        }
        break;
      }
      case 'c': {
        unsigned cp = static_cast<unsigned>(g.chance(50) ? g.range(32, 126) : g.range(128, 0x10ffff));
        got = format(f, cp);
        want = sqlite3_mprintf(f, cp);
        break;
      }
      case 's':
      case 'q':
      case 'Q':
      case 'w': {
        std::string t = g.random_text(20);
        const char* arg = g.chance(10) ? nullptr : t.c_str();
        got = format(f, arg);
        want = sqlite3_mprintf(f, arg);
        break;
      }
      default: {
        double d = g.real();
        got = format(f, d);
        want = sqlite3_mprintf(f, d);
        break;
      }
    }
    ASSERT_NE(want, nullptr);
    ASSERT_EQ(got, std::string(want)) << "format [" << f << "]";
    sqlite3_free(want);
  }
}

TEST(Printf, Basics) {
  EXPECT_EQ(format("%d|%5s|%-5s|%05.1f", 42, "ab", "cd", 3.14159), "42|   ab|cd   |003.1");
  EXPECT_EQ(format("%q", "it's"), "it''s");
  EXPECT_EQ(format("%Q", "it's"), "'it''s'");
  EXPECT_EQ(format("%Q", static_cast<const char*>(nullptr)), "NULL");
  EXPECT_EQ(format("%w", "a\"b"), "a\"\"b");
  EXPECT_EQ(format("%,d", 1234567), "1,234,567");
  EXPECT_EQ(format("%!.15g", 1.0), "1.0");
  EXPECT_EQ(format("%lld", static_cast<long long>(INT64_MIN)), "-9223372036854775808");
  EXPECT_EQ(format("%c", 0xe9u), "\xc3\xa9");
  int n = 0;
  EXPECT_EQ(format("abc%n", &n), "abc");
  EXPECT_EQ(n, 3);
  EXPECT_EQ(format("%r %r %r %r %r", 1, 2, 3, 11, 112), "1st 2nd 3rd 11th 112th");
  EXPECT_EQ(format("%"), "%");
  EXPECT_EQ(format("a%yb"), "a");
}

TEST(PrintfOracle, NullResults) {
  Oracle o;
  for (const char* f : {"", "%y", "%", "%%", "%n", "%s", "x", "%5y", "%.0s"}) {
    for (int nargs = 0; nargs < 2; nargs++) {
      std::vector<Value> args;
      if (nargs) args.push_back(Value::text(""));
      Value want =
          o.query1(nargs ? "SELECT printf(?1, ?2)" : "SELECT printf(?1)",
                   nargs ? std::vector<Value>{Value::text(f), args[0]} : std::vector<Value>{Value::text(f)});
      std::string got;
      bool is_null = false;
      ASSERT_TRUE(sql_printf(f, args, got, &is_null).ok());
      EXPECT_EQ(is_null, want.is_null()) << "[" << f << "] with " << nargs << " args";
      if (!is_null) {
        EXPECT_EQ(got, want.text());
      }
    }
  }
}

TEST(Printf, TooBig) {
  std::string out;
  std::vector<Value> args{Value::integer(5)};
  Status st = sql_printf("%2000d", args, out, 1000);
  EXPECT_EQ(st.code(), rc::kTooBig);
  EXPECT_TRUE(sql_printf("%900d", args, out, 1000).ok());
  EXPECT_EQ(out.size(), 900u);
  // Huge widths fail before allocating anything near their size.
  std::vector<Value> wide{Value::integer(2000000000), Value::real(1.0)};
  bool is_null = false;
  EXPECT_EQ(sql_printf("%*f", wide, out, &is_null).code(), rc::kTooBig);
  EXPECT_TRUE(is_null);
  EXPECT_EQ(sql_printf("%*d", wide, out, &is_null).code(), rc::kTooBig);
  EXPECT_EQ(sql_printf("%.*d", wide, out, &is_null).code(), rc::kTooBig);
  EXPECT_EQ(sql_printf("%.*c", wide, out, &is_null).code(), rc::kTooBig);
}

}  // namespace
}  // namespace keel::vm
