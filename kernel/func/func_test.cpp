// Scalar built-ins against libsqlite3: thousands of calls with random and
// hand-picked arguments (NULLs, negative and huge integers, reals, text with
// spaces and UTF-8, blobs, zero-blobs), each compared for type and value
// with SELECT fn(?, ...) in SQLite; plus the registry and error messages.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "func/func_test_support.h"
#include "func/function.h"
#include "func/like.h"
#include "vm/collation.h"

namespace keel::func {
namespace {

using testing::call_scalar;
using testing::Outcome;
using testing::SqliteOracle;
using testing::TestHost;
using vm::Value;

Value blob_of(std::string_view s) {
  return Value::blob(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

class FuncOracle : public ::testing::Test {
 protected:
  FuncOracle() { register_builtin_functions(reg_); }

  // Compares fn(args...) in Keel and in SQLite; returns true if they agree.
  bool check(const std::string& name, std::vector<Value> args, const vm::Collation* coll = nullptr,
             const std::string& collate_sql = "") {
    const FunctionDef* def = reg_.find(name, static_cast<int>(args.size()));
    EXPECT_NE(def, nullptr) << name << "/" << args.size();
    if (def == nullptr) return false;
    std::string sql = "SELECT " + name + "(";
    for (size_t i = 0; i < args.size(); i++) {
      sql += (i ? ", ?" : "?") + std::to_string(i + 1);
      if (i == 0) sql += collate_sql;
    }
    sql += ")";
    Outcome expected = oracle_.query(sql, args);
    Outcome got = call_scalar(*def, host_, args, coll);
    calls_++;
    if (!testing::same_outcome(got, expected)) {
      std::string shown;
      for (const Value& v : args) shown += vm::testing::show(v) + ", ";
      ADD_FAILURE() << sql << " with (" << shown << "): keel " << testing::show(got) << ", sqlite "
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

// Values that stress every function.
std::vector<Value> special_values() {
  std::vector<Value> v = {
      Value(),
      Value::integer(0),
      Value::integer(1),
      Value::integer(-1),
      Value::integer(7),
      Value::integer(-13),
      Value::integer(INT64_MAX),
      Value::integer(INT64_MIN),
      Value::integer(4503599627370497),
      Value::integer(4294967298),
      Value::real(0.0),
      Value::real(-0.0),
      Value::real(0.5),
      Value::real(-0.5),
      Value::real(1.5),
      Value::real(2.5),
      Value::real(-2.5),
      Value::real(3.14159265358979),
      Value::real(1e300),
      Value::real(-1e-300),
      Value::real(123456789.987654321),
      Value::real(9.2233720368547758e18),
      Value::real(INFINITY),
      Value::real(-INFINITY),
      Value::real(0.1),
      Value::real(1e15 + 0.3),
      Value::text(""),
      Value::text("abc"),
      Value::text("  12  "),
      Value::text("12abc"),
      Value::text("-7.5e2"),
      Value::text("0x1A"),
      Value::text("héllo wörld"),
      Value::text("日本語テキスト"),
      Value::text("a%b_c"),
      Value::text(" spaced out "),
      Value::text("it's"),
      Value::text("ÀÉÎõü"),
      Value::text("😀x😀"),
      Value::text("abc\xff\xfe"),
      Value::text("\xc3"),
      Value::text("xAx"),
      Value::text("9223372036854775808"),
      Value::text(std::string("a\0b", 3)),
      Value::text(std::string("\0xyz", 4)),
      Value::text(std::string("12\0", 3)),
      Value::text(std::string("é\0é", 5)),
      blob_of(std::string("\x00\xff\x10", 3)),
      blob_of(""),
      blob_of("abc"),
      blob_of("12"),
      Value::zeroblob(3),
  };
  return v;
}

// A random argument: mostly the vm generator's values, sometimes a special.
Value random_arg(vm::testing::Gen& g, const std::vector<Value>& specials) {
  if (g.chance(35)) return g.pick(specials);
  return g.value();
}

TEST_F(FuncOracle, RandomArgumentsMatchSqlite) {
  struct Fn {
    const char* name;
    int n_arg;
  };
  const Fn kFns[] = {
      {"abs", 1},        {"sign", 1},    {"round", 1},   {"round", 2},     {"typeof", 1},
      {"quote", 1},      {"hex", 1},     {"nullif", 2},  {"coalesce", 3},  {"ifnull", 2},
      {"iif", 3},        {"min", 2},     {"max", 3},     {"length", 1},    {"instr", 2},
      {"char", 2},       {"unicode", 1}, {"upper", 1},   {"lower", 1},     {"ltrim", 1},
      {"ltrim", 2},      {"rtrim", 1},   {"rtrim", 2},   {"trim", 1},      {"trim", 2},
      {"replace", 3},    {"substr", 2},  {"substr", 3},  {"substring", 3}, {"soundex", 1},
      {"like", 2},       {"like", 3},    {"glob", 2},    {"zeroblob", 1},  {"likely", 1},
      {"unlikely", 1},   {"printf", 2},  {"format", 3},  {"subtype", 1},   {"ceil", 1},
      {"ceiling", 1},    {"floor", 1},   {"trunc", 1},   {"ln", 1},        {"log", 1},
      {"log", 2},        {"log10", 1},   {"log2", 1},    {"exp", 1},       {"pow", 2},
      {"power", 2},      {"mod", 2},     {"acos", 1},    {"asin", 1},      {"atan", 1},
      {"atan2", 2},      {"acosh", 1},   {"asinh", 1},   {"atanh", 1},     {"cos", 1},
      {"sin", 1},        {"tan", 1},     {"cosh", 1},    {"sinh", 1},      {"tanh", 1},
      {"sqrt", 1},       {"degrees", 1}, {"radians", 1}, {"pi", 0},        {"sqlite_compileoption_used", 1},
      {"sqlite_log", 2},
  };
  std::vector<Value> specials = special_values();
  vm::testing::Gen g(20240229);
  for (const Fn& fn : kFns) {
    int failures = 0;
    for (int i = 0; i < 120 && failures < 5; i++) {
      std::vector<Value> args;
      for (int k = 0; k < fn.n_arg; k++) args.push_back(random_arg(g, specials));
      if (std::string(fn.name) == "zeroblob" && args[0].as_int64() > 100000) args[0] = Value::integer(5);
      if (!check(fn.name, args)) failures++;
    }
  }
  EXPECT_GT(calls_, 8000);
}

// Every pair of special values for the two-argument functions whose rules
// are most intricate.
TEST_F(FuncOracle, SpecialPairsMatchSqlite) {
  std::vector<Value> specials = special_values();
  for (const char* name : {"instr", "round", "substr", "nullif", "min", "max", "like", "glob", "trim",
                           "ltrim", "rtrim", "log", "mod", "pow", "atan2", "printf"}) {
    int failures = 0;
    for (const Value& a : specials) {
      for (const Value& b : specials) {
        if (failures < 5 && !check(name, {a, b})) failures++;
      }
    }
  }
}

TEST_F(FuncOracle, SubstrBoundaries) {
  std::vector<Value> subjects = {Value::text("héllo wörld"), Value::text("abcdef"), blob_of("abcdef"),
                                 Value::integer(-12345),     Value::real(2.5),      Value::text("")};
  for (const Value& s : subjects) {
    for (int start = -8; start <= 8; start++) {
      check("substr", {s, Value::integer(start)});
      for (int len = -8; len <= 8; len++) check("substr", {s, Value::integer(start), Value::integer(len)});
    }
    check("substr", {s, Value::integer(2), Value()});
    check("substr", {s, Value(), Value::integer(2)});
    check("substr", {s, Value::integer(4294967298), Value::integer(3)});
    check("substr", {s, Value::real(2.7), Value::text("3")});
  }
}

TEST_F(FuncOracle, RoundMatchesSqlite) {
  vm::testing::Gen g(99);
  std::vector<double> xs = {0.5,
                            1.5,
                            2.5,
                            -0.5,
                            -1.5,
                            0.125,
                            0.375,
                            1.005,
                            2.675,
                            1e15,
                            1e16,
                            4.5e15,
                            -4.5e15,
                            123.456,
                            -123.456,
                            1e-5,
                            5e-324,
                            1.7976931348623157e308,
                            0.045,
                            1.4999999999999999,
                            9007199254740993.0};
  for (int i = 0; i < 300; i++) xs.push_back(g.real());
  for (double x : xs) {
    check("round", {Value::real(x)});
    for (int n : {-3, -1, 0, 1, 2, 3, 5, 10, 15, 17, 20, 30, 31, 100})
      check("round", {Value::real(x), Value::integer(n)});
  }
  check("round", {Value::text("2.5")});
  check("round", {Value::integer(INT64_MAX), Value::integer(2)});
}

TEST_F(FuncOracle, QuoteAndHexOfReals) {
  vm::testing::Gen g(5);
  for (int i = 0; i < 500; i++) {
    Value r = Value::real(g.real());
    check("quote", {r});
    check("hex", {r});
    check("length", {r});
  }
  for (double d : {0.1, 1.0 / 3, 1e100, 2e-310, 123456789012345678.0, 100.0, -0.0})
    check("quote", {Value::real(d)});
}

TEST_F(FuncOracle, LikeAndGlobPatterns) {
  std::vector<std::string> strs = {"",      "a",     "abc",         "ABC",     "aXc",     "a%c",    "a_c",
                                   "héllo", "HÉLLO", "日本語",      "[x]",     "x-y",     "abcabc", "a\\c",
                                   "*?",    "ab]cd", "mississippi", "Ünïcödé", "\xff\xfe"};
  std::vector<std::string> pats = {
      "",        "%",      "_",      "a%",    "%c",     "a_c",   "A_C",   "%b%", "%%%", "_%_",
      "h_llo",   "h%",     "%ÉLLO",  "日%",   "%本_",   "a\\%c", "*",     "?",   "a*",  "*c",
      "[a-c]*",  "[^a]*",  "[]]*",   "*[x]*", "a[b-]c", "[a-]*", "*[",    "[",   "a?c", "*s*s*p*",
      "%s%s%p%", "m%i_p%", "%\xff%", "Ü%",    "ü%",     "[!a]*", "[^]]*", "*]*"};
  for (const std::string& s : strs) {
    for (const std::string& p : pats) {
      check("like", {Value::text(p), Value::text(s)});
      check("glob", {Value::text(p), Value::text(s)});
      check("like", {Value::text(p), Value::text(s), Value::text("\\")});
      check("like", {Value::text(p), Value::text(s), Value::text("%")});
      check("like", {Value::text(p), Value::text(s), Value::text("_")});
    }
  }
  // Non-text operands and blobs (SQLITE_LIKE_DOESNT_MATCH_BLOBS).
  check("like", {Value::text("1%"), Value::integer(123)});
  check("like", {Value::integer(12), Value::real(12.0)});
  check("like", {blob_of("a"), Value::text("a")});
  check("like", {Value::text("a"), blob_of("a")});
  check("glob", {Value(), blob_of("a")});
  check("like", {Value(), Value::text("a")});
  check("like", {Value::text("a"), Value::text("a"), Value()});
}

TEST_F(FuncOracle, RandomPatterns) {
  vm::testing::Gen g(808);
  const std::vector<std::string> pat_alphabet = {"a", "b", "A", "_",  "%", "*", "?", "[",
                                                 "]", "^", "-", "\\", "é", "É", "x"};
  const std::vector<std::string> str_alphabet = {"a", "b", "A", "B", "é", "É",  "-",
                                                 "]", "[", "^", "%", "_", "\\", "x"};
  for (int i = 0; i < 4000; i++) {
    std::string p, s;
    for (int k = g.range(0, 7); k > 0; k--) p += g.pick(pat_alphabet);
    for (int k = g.range(0, 8); k > 0; k--) s += g.pick(str_alphabet);
    check(i % 2 ? "glob" : "like", {Value::text(p), Value::text(s)});
    if (i % 4 == 0) check("like", {Value::text(p), Value::text(s), Value::text(g.pick(pat_alphabet))});
  }
}

TEST_F(FuncOracle, CaseSensitiveLike) {
  host_.cs_like = true;
  oracle_.exec("PRAGMA case_sensitive_like=1");
  for (const char* p : {"abc", "ABC", "a%", "A%", "%B%"}) check("like", {Value::text(p), Value::text("abc")});
  host_.cs_like = false;
  oracle_.exec("PRAGMA case_sensitive_like=0");
  for (const char* p : {"abc", "ABC", "a%", "A%", "%B%"}) check("like", {Value::text(p), Value::text("abc")});
}

TEST_F(FuncOracle, LikelihoodReturnsItsFirstArgument) {
  // The probability must be a literal in SQLite, so it is not bound here.
  const FunctionDef* def = reg_.find("likelihood", 2);
  for (const Value& v : special_values()) {
    Outcome expected = oracle_.query("SELECT likelihood(?1, 0.25)", {v});
    Outcome got = call_scalar(*def, host_, {v, Value::real(0.25)});
    EXPECT_TRUE(testing::same_outcome(got, expected))
        << testing::show(got) << " vs " << testing::show(expected);
  }
}

TEST_F(FuncOracle, ErrorsMatchSqlite) {
  check("abs", {Value::integer(INT64_MIN)});
  check("like", {Value::text("a"), Value::text("a"), Value::text("ab")});
  check("like", {Value::text("a"), Value::text("a"), Value::text("")});
  check("like", {Value::text("a"), Value::text("a"), Value::text("é")});
  check("like", {Value::text(std::string(50001, '%')), Value::text("a")});
  check("like", {Value::text(std::string(50000, '%')), Value::text("a")});
  check("printf", {Value::text("%d %s %f %q %Q %w %c %x %e %g %5.2f %-5d| %,d %!.3g %z"), Value::integer(5),
                   Value::text("s"), Value::real(1.5), Value::text("it's"), Value()});
}

TEST_F(FuncOracle, PrintfNullResults) {
  for (const char* f : {"", "%s", "%y", "%.0s", "x%", "%d", "%%", "%c", "%q", "%Q", "%w", "%z"}) {
    check("printf", {Value::text(f), Value::text("")});
    check("printf", {Value::text(f), Value()});
    check("format", {Value::text(f)});
  }
  check("printf", {});
  check("printf", {Value()});
}

TEST_F(FuncOracle, LengthLimitErrors) {
  host_.max_len = 1000;
  sqlite3_limit(oracle_.db(), SQLITE_LIMIT_LENGTH, 1000);
  check("zeroblob", {Value::integer(1000)});
  check("zeroblob", {Value::integer(1001)});
  check("randomblob", {Value::integer(1001)});
  check("hex", {blob_of(std::string(501, 'x'))});
  check("replace", {Value::text(std::string(100, 'a')), Value::text("a"), Value::text("0123456789A")});
  check("char", {Value::integer(65)});
  check("printf", {Value::text("%2000d"), Value::integer(1)});
  check("substr", {Value::text(std::string(900, 'a')), Value::integer(1)});
}

TEST_F(FuncOracle, CollationForMinMaxNullif) {
  const vm::Collation* nocase = vm::nocase_collation();
  for (const char* fn : {"min", "max", "nullif"}) {
    for (auto [a, b] :
         std::vector<std::pair<const char*, const char*>>{{"abc", "ABC"}, {"B", "a"}, {"a", "B"}}) {
      check(fn, {Value::text(a), Value::text(b)}, nocase, " COLLATE NOCASE");
      check(fn, {Value::text(a), Value::text(b)});
    }
  }
}

TEST_F(FuncOracle, CharAndUnicode) {
  for (int64_t c : {0LL, 65LL, 127LL, 128LL, 0x7ffLL, 0x800LL, 0xd800LL, 0xfffeLL, 0xffffLL, 0x10000LL,
                    0x10ffffLL, 0x110000LL, -1LL, 9223372036854775807LL}) {
    check("char", {Value::integer(c)});
    check("unicode", {Value::text(oracle_.query("SELECT char(?1)", {Value::integer(c)}).value.text())});
  }
  check("char", {});
  check("char", {Value::text("66"), Value::real(67.9), Value()});
}

TEST_F(FuncOracle, FixedValueFunctions) {
  EXPECT_EQ(call_scalar(*reg_.find("sqlite_version", 0), host_, {}).value.text(), "3.40.1");
  // Upstream 3.40.1's id (Debian's build ends in "alt1" instead of its last
  // four hex digits).
  std::string id(call_scalar(*reg_.find("sqlite_source_id", 0), host_, {}).value.text());
  std::string debian(oracle_.query("SELECT sqlite_source_id()").value.text());
  EXPECT_EQ(id.size(), 84u);
  EXPECT_EQ(id.substr(0, 80), debian.substr(0, 80));
  EXPECT_EQ(call_scalar(*reg_.find("changes", 0), host_, {}).value.int_value(), 3);
  EXPECT_EQ(call_scalar(*reg_.find("total_changes", 0), host_, {}).value.int_value(), 17);
  EXPECT_EQ(call_scalar(*reg_.find("last_insert_rowid", 0), host_, {}).value.int_value(), 42);
  for (int i = 0; i < 200; i++) {
    Outcome r = call_scalar(*reg_.find("random", 0), host_, {});
    ASSERT_TRUE(r.value.is_int());
    EXPECT_NE(r.value.int_value(), INT64_MIN);
  }
  Outcome b = call_scalar(*reg_.find("randomblob", 1), host_, {Value::integer(-5)});
  ASSERT_TRUE(b.value.is_blob());
  EXPECT_EQ(b.value.size(), 1u);
  b = call_scalar(*reg_.find("randomblob", 1), host_, {Value::integer(33)});
  EXPECT_EQ(b.value.size(), 33u);
  Outcome logged = call_scalar(*reg_.find("sqlite_log", 2), host_, {Value::text("28"), Value::text("hello")});
  EXPECT_TRUE(logged.value.is_null());
  ASSERT_EQ(host_.logged.size(), 1u);
  EXPECT_EQ(host_.logged[0].first, 28);
  EXPECT_EQ(host_.logged[0].second, "hello");
  // Compile options: lookups as sqlite3_compileoption_used does them.
  const FunctionDef* used = reg_.find("sqlite_compileoption_used", 1);
  EXPECT_EQ(call_scalar(*used, host_, {Value::text("SQLITE_ENABLE_MATH_FUNCTIONS")}).value.int_value(), 1);
  EXPECT_EQ(call_scalar(*used, host_, {Value::text("threadsafe")}).value.int_value(), 1);
  EXPECT_EQ(call_scalar(*used, host_, {Value::text("THREADSAF")}).value.int_value(), 0);
  EXPECT_EQ(call_scalar(*used, host_, {Value::text("ENABLE_FTS5")}).value.int_value(), 0);
  const FunctionDef* get = reg_.find("sqlite_compileoption_get", 1);
  EXPECT_TRUE(call_scalar(*get, host_, {Value::integer(0)}).value.is_text());
  EXPECT_TRUE(call_scalar(*get, host_, {Value::integer(-1)}).value.is_null());
  EXPECT_TRUE(call_scalar(*get, host_, {Value::integer(1000)}).value.is_null());
}

TEST(FunctionRegistry, LookupRules) {
  FunctionRegistry r;
  register_builtin_functions(r);
  ASSERT_NE(r.find("MAX", 1), nullptr);
  EXPECT_TRUE(r.find("max", 1)->is_aggregate());
  EXPECT_FALSE(r.find("max", 2)->is_aggregate());
  EXPECT_EQ(r.find("max", 2)->n_arg, -1);
  EXPECT_EQ(r.find("substr", 4), nullptr);
  EXPECT_TRUE(r.has_name("Substr"));
  EXPECT_TRUE(r.has_name("json"));  // JSON functions: see json_test
  EXPECT_FALSE(r.has_name("concat"));
  EXPECT_FALSE(r.has_name("unhex"));
  EXPECT_TRUE(r.find("sum", 1)->is_window());
  EXPECT_FALSE(r.find("max", 1)->is_window());  // no inverse: the VM handles frames
  EXPECT_TRUE(r.find("rank", 0)->flags & kWindowOnly);
  EXPECT_TRUE(r.find("count", 0)->flags & kCount);
  EXPECT_TRUE(r.find("like", 3)->flags & kLike);
  size_t before = r.all().size();
  FunctionDef d;
  d.name = "abs";
  d.n_arg = 1;
  d.scalar = [](FunctionContext& ctx, std::span<Value>) { ctx.result().set_int(99); };
  r.add(d);  // replaces
  EXPECT_EQ(r.all().size(), before);
  TestHost host;
  EXPECT_EQ(call_scalar(*r.find("abs", 1), host, {Value::integer(-1)}).value.int_value(), 99);
  EXPECT_TRUE(r.remove("ABS", 1));
  EXPECT_FALSE(r.remove("abs", 1));
  EXPECT_EQ(r.find("abs", 1), nullptr);
  // Every function sqlite3 3.40 lists in pragma_function_list is present,
  // except JSON (later) and the shell/extension ones.
  r = FunctionRegistry();
  register_builtin_functions(r);
  SqliteOracle o;
  std::vector<Outcome> names = o.query_rows(
      "SELECT name || '/' || narg FROM pragma_function_list WHERE builtin AND name NOT LIKE 'json%' "
      "AND name NOT IN ('->', '->>', 'load_extension', 'fts3_tokenizer', 'fts5', 'match', "
      "'offsets', 'snippet', 'matchinfo', 'optimize', 'bm25', 'highlight', 'fts5_source_id', 'rtreecheck', "
      "'rtreedepth', 'rtreenode', 'sqlite_compileoption_used', 'sqlite_compileoption_get')");
  ASSERT_GT(names.size(), 100u);
  for (const Outcome& n : names) {
    std::string s(n.value.text());
    size_t slash = s.find('/');
    std::string name = s.substr(0, slash);
    int narg = std::stoi(s.substr(slash + 1));
    EXPECT_NE(r.find(name, narg), nullptr) << s;
  }
  // The same SQLITE_DETERMINISTIC and SQLITE_INNOCUOUS flags.
  std::vector<Outcome> flags = o.query_rows(
      "SELECT name || '/' || narg || '/' || flags FROM pragma_function_list WHERE builtin "
      "AND name NOT LIKE 'json%' AND name NOT IN ('->', '->>', 'load_extension')");
  for (const Outcome& f : flags) {
    std::string s(f.value.text());
    size_t a = s.find('/'), b = s.rfind('/');
    const FunctionDef* def = r.find(s.substr(0, a), std::stoi(s.substr(a + 1, b - a - 1)));
    if (def == nullptr) continue;
    long long sqlite_flags = std::stoll(s.substr(b + 1));
    EXPECT_EQ((sqlite_flags & SQLITE_DETERMINISTIC) != 0, (def->flags & kDeterministic) != 0) << s;
    EXPECT_EQ((sqlite_flags & SQLITE_INNOCUOUS) != 0, (def->flags & kInnocuous) != 0) << s;
  }
}

TEST(PatternMatch, DirectApi) {
  EXPECT_TRUE(pattern_match("a%", "abc", kLikeInfoNoCase, 0));
  EXPECT_TRUE(pattern_match("A%", "abc", kLikeInfoNoCase, 0));
  EXPECT_FALSE(pattern_match("A%", "abc", kLikeInfoCase, 0));
  EXPECT_TRUE(pattern_match("a\\%", "a%", kLikeInfoNoCase, '\\'));
  EXPECT_FALSE(pattern_match("a\\%", "ab", kLikeInfoNoCase, '\\'));
  EXPECT_TRUE(pattern_match("[a-c]?", "bz", kGlobInfo, '['));
  EXPECT_FALSE(pattern_match("[^a-c]?", "bz", kGlobInfo, '['));
}

}  // namespace
}  // namespace keel::func
