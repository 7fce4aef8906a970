// SqlGenerator, part two: JSON and date/time expressions and recursive CTE
// sources (feature classes json, datetime, recursive_cte).
//
// The same rule as the rest of the generator holds: every statement has one
// answer in SQLite whatever the scan order. Recursive CTEs use UNION ALL
// (a multiset, the same in any queue order), UNION over a finite domain, or
// LIMIT only where each step yields one row; their depth is bounded by a
// counter so that a walk over a table stays small.
#include <string>
#include <vector>

#include "sql_generator.h"

namespace keel::difftest {
namespace {

// JSON texts, valid and not, and paths into them.
const std::vector<std::string> kJsonTexts = {
    "'[1,2,3]'",
    "'{\"a\":1,\"b\":[2,3]}'",
    "' { \"a\" : [ 1 , { \"b\" : null } ] } '",
    "'\"str\"'",
    "'12'",
    "'-0.5e1'",
    "'true'",
    "'null'",
    "'[]'",
    "'{}'",
    "'{\"a\":{\"a\":\"x\"}}'",
    "'[[1,[2]],{\"k\":\"v\"}]'",
    "'{bad}'",
    "'[1,'",
    "''",
    "'[1.5,\"2\",null,false]'",
};
const std::vector<std::string> kJsonPaths = {"'$'",       "'$.a'",    "'$.b'",   "'$[0]'",
                                             "'$[1]'",    "'$[#-1]'", "'$.a.a'", "'$.b[1]'",
                                             "'$[1][0]'", "'$.nope'", "'$[9]'",  "'$.\"a\"'"};
// Arguments of -> and ->> (a path, a label, or an array index).
const std::vector<std::string> kArrowArgs = {"'$.a'", "'a'", "'b'", "0", "1", "-1", "'$[1]'", "'$'"};

// Time values in the formats SQLite reads, numbers (Julian days, Unix
// times through modifiers) and text that is not a time.
const std::vector<std::string> kTimeValues = {
    "'2024-02-29'",
    "'2024-02-29 13:45'",
    "'2024-02-29 13:45:56.789'",
    "'2023-12-31T23:59:59'",
    "'13:45:56'",
    "'2024-02-29 13:45:56+02:00'",
    "'2000-01-01 00:00:00Z'",
    "'1970-01-01'",
    "2460369.5",
    "'2460369.25'",
    "0",
    "'2024-02-30'",
    "'not a date'",
    "'0000-01-01'",
    "'9999-12-31 23:59:59'",
    "1700000000",
};
const std::vector<std::string> kModifiers = {
    "'+1 day'",       "'-3 days'",   "'+1.5 hours'", "'-90 minutes'",    "'+30 seconds'",
    "'+1 month'",     "'-1 month'",  "'+1 year'",    "'start of month'", "'start of year'",
    "'start of day'", "'weekday 0'", "'weekday 3'",  "'unixepoch'",      "'julianday'",
    "'auto'",         "'+10:30'",    "'-0.5 days'",  "'+12 months'",     "'bogus'",
};
const std::vector<std::string> kFormats = {"'%Y-%m-%d'", "'%H:%M:%f'", "'%j %w %W'", "'%s'", "'%J'",
                                           "'%Y%m%d%%'", "'%d/%m'",    "'%S.%f'",    "'x'"};

}  // namespace

std::string SqlGenerator::json_expr(const Scope& s, int depth) {
  auto e = [&] { return expr(s, depth); };
  switch (uniform(0, 15)) {
    case 0:
      return chance(50) ? "json_array(" + e() + ")" : "json_array(" + e() + ", " + e() + ")";
    case 1:
      return chance(50) ? "json_object('k', " + e() + ")" : "json_object('a', " + e() + ", 'b', " + e() + ")";
    case 2:
      return "json_quote(" + e() + ")";
    case 3:
      return "json_type(json_array(" + e() + "), '$[0]')";
    case 4:
      return "json_extract(json_array(" + e() + ", " + e() + "), " + pick(kJsonPaths) + ")";
    case 5:
      return "(json_array(" + e() + ", " + e() + ") " + (chance(50) ? "->" : "->>") + " " + pick(kArrowArgs) +
             ")";
    case 6:
      return "(json_object('a', " + e() + ") " + (chance(50) ? "->" : "->>") + " 'a')";
    case 7:
      return "json_valid(" + (chance(50) ? pick(kJsonTexts) : e()) + ")";
    case 8:
      return "json_array_length(" + pick(kJsonTexts) + (chance(40) ? ", " + pick(kJsonPaths) : "") + ")";
    case 9: {
      static const char* const fns[] = {"json_set", "json_insert", "json_replace"};
      static const char* const paths[] = {"'$.a'", "'$.b'", "'$.c.d'", "'$'"};
      return std::string(fns[uniform(0, 2)]) + "(json_object('a', " + e() + "), " + paths[uniform(0, 3)] +
             ", " + e() + ")";
    }
    case 10:
      return "json_remove(json_array(" + e() + ", " + e() + ", " + e() + "), " +
             (chance(50) ? "'$[1]'" : "'$[#-1]'") + ")";
    case 11:
      return "json_patch(json_object('a', " + e() + "), json_object('a', " + e() + ", 'b', " + e() + "))";
    case 12:
      return "json(" + pick(kJsonTexts) + ")";
    case 13:
      return "json_extract(" + pick(kJsonTexts) + ", " + pick(kJsonPaths) + ")";
    case 14:
      return "json_type(" + pick(kJsonTexts) + (chance(50) ? ", " + pick(kJsonPaths) : "") + ")";
    default:
      return "(" + pick(kJsonTexts) + " ->> " + pick(kArrowArgs) + ")";
  }
}

std::string SqlGenerator::datetime_expr(const Scope& s, int depth) {
  // The time value: usually a well-formed one, sometimes any expression.
  std::string value = chance(70) ? pick(kTimeValues) : expr(s, depth);
  std::string mods;
  int nmods = uniform(0, 2);
  for (int i = 0; i < nmods; ++i) mods += ", " + pick(kModifiers);
  switch (uniform(0, 5)) {
    case 0:
      return "date(" + value + mods + ")";
    case 1:
      return "time(" + value + mods + ")";
    case 2:
      return "datetime(" + value + mods + ")";
    case 3:
      return "julianday(" + value + mods + ")";
    case 4:
      return "unixepoch(" + value + mods + ")";
    default:
      return "strftime(" + pick(kFormats) + ", " + value + mods + ")";
  }
}

std::string SqlGenerator::recursive_cte_source(GenTable* table) {
  // Columns of the CTE as seen inside its recursive term.
  GenColumn n_col{"n", "", false, false, false};
  GenColumn v_col{"v", "", false, false, false};
  Scope rec;
  rec.cols.push_back({"r.n", &n_col});
  rec.cols.push_back({"r.v", &v_col});
  const std::string k = std::to_string(uniform(0, 6));
  std::string cte;
  std::string select = "SELECT n AS x0, v AS x1 FROM r";
  switch (uniform(0, 4)) {
    case 0:
      // A counter carrying a value changed by an expression at each step.
      cte = "r(n, v) AS (SELECT " + std::to_string(uniform(-2, 2)) + ", " + literal() +
            " UNION ALL SELECT n + 1, " + expr(rec, 1) + " FROM r WHERE n < " + k + ")";
      break;
    case 1: {
      // A walk over a table: every row of it seeds, a join follows each step.
      const GenTable& t = pick(tables_);
      const GenColumn& c = t.cols[static_cast<size_t>(uniform(0, static_cast<int>(t.cols.size()) - 1))];
      Scope join = rec;
      join.cols.push_back({"j." + c.name, &c});
      cte = "r(n, v) AS (SELECT 0, " + c.name + " FROM " + t.name + " UNION ALL SELECT r.n + 1, " +
            expr(join, 1) + " FROM r JOIN " + t.name + " AS j ON " + predicate(join, 0) + " WHERE r.n < " +
            std::to_string(uniform(0, 1)) + ")";
      break;
    }
    case 2:
      // UNION over a finite domain (integers modulo 7) ends by itself.
      cte = "r(n, v) AS (SELECT " + std::to_string(uniform(-3, 9)) + ", " + literal() +
            " UNION SELECT (n * " + std::to_string(uniform(2, 5)) + " + " + std::to_string(uniform(0, 3)) +
            ") % 7, " + (chance(50) ? "v" : "typeof(v)") + " FROM r)";
      break;
    case 3:
      // LIMIT (and OFFSET) in the recursive part: one row per step.
      cte = "r(n, v) AS (SELECT 1, " + literal() + " UNION ALL SELECT n + " + std::to_string(uniform(1, 3)) +
            ", v FROM r LIMIT " + std::to_string(uniform(0, 8)) +
            (chance(40) ? " OFFSET " + std::to_string(uniform(0, 3)) : "") + ")";
      break;
    default:
      // Two recursive terms, then a second CTE over the first.
      cte = "r0(n) AS (SELECT 1 UNION ALL SELECT n * 2 FROM r0 WHERE n < " + std::to_string(uniform(2, 30)) +
            " UNION ALL SELECT n * 3 FROM r0 WHERE n < " + std::to_string(uniform(2, 30)) +
            "), r(n, v) AS (SELECT n, " + (chance(50) ? "n % 3" : "CAST(n AS TEXT)") + " FROM r0)";
      break;
  }
  table->cols.push_back(GenColumn{"x0", "", false, false, false});
  table->cols.push_back(GenColumn{"x1", "", false, false, false});
  return "(WITH RECURSIVE " + cte + " " + select + ")";
}

}  // namespace keel::difftest
