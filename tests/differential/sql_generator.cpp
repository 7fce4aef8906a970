// Random SQL for the differential test. See sql_generator.h for the rules
// that keep every generated query deterministic in SQLite.
#include "sql_generator.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace keel::difftest {

namespace {

const char* const kColumnNames[] = {"a", "b", "c", "d", "e", "f"};
const char* const kTypes[] = {"INTEGER", "TEXT", "REAL", "BLOB", "NUMERIC", ""};

// Literals chosen for edge cases: int64 limits, reals that are never
// integral (so that 1 and 1.0 rarely meet in DISTINCT/UNION), numeric text,
// case variants, empty strings and blobs.
const std::vector<std::string> kInts = {"0",
                                        "1",
                                        "2",
                                        "3",
                                        "-1",
                                        "-2",
                                        "7",
                                        "10",
                                        "-10",
                                        "42",
                                        "100",
                                        "4294967296",
                                        "9223372036854775807",
                                        "-9223372036854775808",
                                        "9223372036854775806",
                                        "-9223372036854775807",
                                        "1000000000000"};
const std::vector<std::string> kReals = {"0.5", "-1.5", "2.25", "3.75", "-0.125", "-2.5e-3", "100.5"};
const std::vector<std::string> kTexts = {"''",   "'a'",  "'A'",   "'b'",  "'B'",   "'abc'", "'ABC'", "'Abc'",
                                         "'10'", "'-3'", "'2.5'", "' 7'", "'x y'", "'a%'",  "'a_c'", "'zz'"};
const std::vector<std::string> kBlobs = {"x''", "x'00'", "x'61'", "x'ff01'"};
const std::vector<std::string> kLikePatterns = {"'a%'", "'%b%'", "'_'", "'A_c'", "'%'", "''", "'1%'", "'%5'"};
// Patterns without a literal prefix (no LIKE optimization range).
const std::vector<std::string> kLikeWildPatterns = {"'%b%'", "'_'", "'%'", "'%5'"};
const std::vector<std::string> kGlobPatterns = {"'a*'", "'*b*'", "'?'", "'[a-c]*'", "'*'", "'[^a]*'", "'1*'"};

// True if `e` names a column of a FROM source ("a<N>.x").
bool has_column_ref(const std::string& e) {
  for (size_t i = 0; i + 2 < e.size(); ++i) {
    if (e[i] != 'a' || (i > 0 && std::isalnum(static_cast<unsigned char>(e[i - 1])))) continue;
    size_t j = i + 1;
    while (j < e.size() && std::isdigit(static_cast<unsigned char>(e[j]))) ++j;
    if (j > i + 1 && j < e.size() && e[j] == '.') return true;
  }
  return false;
}

}  // namespace

const std::vector<FeatureName>& feature_names() {
  static const std::vector<FeatureName> names = {
      {"arith", kArith},
      {"concat", kConcat},
      {"case", kCase},
      {"cast", kCast},
      {"coalesce", kCoalesce},
      {"is", kIs},
      {"like", kLike},
      {"between", kBetween},
      {"in_list", kInList},
      {"in_subquery", kInSubquery},
      {"exists", kExists},
      {"scalar_subquery", kScalarSubquery},
      {"correlated", kCorrelated},
      {"func", kFunc},
      {"join", kJoin},
      {"left_join", kLeftJoin},
      {"cross_join", kCrossJoin},
      {"using", kUsing},
      {"aggregate", kAggregate},
      {"group_by", kGroupBy},
      {"distinct_agg", kDistinctAgg},
      {"group_concat", kGroupConcat},
      {"compound", kCompound},
      {"distinct", kDistinct},
      {"order_by", kOrderBy},
      {"from_subquery", kFromSubquery},
      {"view", kView},
      {"index", kIndex},
      {"int_pk", kIntPk},
      {"without_rowid", kWithoutRowid},
      {"collate", kCollate},
      {"insert", kInsert},
      {"update", kUpdate},
      {"delete", kDelete},
      {"or_conflict", kOrConflict},
      {"changes", kChanges},
      {"order_number_collate", kOrderNumberCollate},
      {"order_constant", kOrderConstant},
      {"without_rowid_dml", kWithoutRowidDml},
      {"order_out_of_range", kOrderOutOfRange},
      {"agg_subquery", kAggSubquery},
      {"index_collate", kIndexCollate},
      {"scan_order", kScanOrder},
      {"exact_numeric", kExactNumeric},
      {"big_int", kBigInt},
      {"constraint_message", kConstraintMessage},
      {"left_join_using", kLeftUsing},
      {"desc_index", kDescIndex},
      {"dml_subquery", kDmlSubquery},
      {"in_list_columns", kInListColumns},
      {"ipk_real", kIpkReal},
      {"from_subquery_scalar", kFromSubqueryScalar},
      {"window", kWindow},
      {"recursive_cte", kRecursiveCte},
      {"json", kJson},
      {"datetime", kDateTime},
      {"right_join", kRightJoin},
      {"left_join_like", kLeftJoinLike},
  };
  return names;
}

bool parse_features(std::string_view text, uint64_t* out, std::string* error) {
  uint64_t mask = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view word = text.substr(pos, comma - pos);
    pos = comma + 1;
    while (!word.empty() && word.front() == ' ') word.remove_prefix(1);
    while (!word.empty() && word.back() == ' ') word.remove_suffix(1);
    if (word.empty()) continue;
    bool remove = word.front() == '-';
    if (remove) word.remove_prefix(1);
    uint64_t bit = 0;
    if (word == "all") {
      bit = kAllFeatures;
    } else if (word == "none") {
      bit = 0;
      mask = 0;
    } else {
      for (const auto& f : feature_names())
        if (word == f.name) bit = f.bit;
      if (bit == 0) {
        *error = "unknown feature '" + std::string(word) + "'";
        return false;
      }
    }
    mask = remove ? (mask & ~bit) : (mask | bit);
  }
  *out = mask;
  return true;
}

std::string features_to_string(uint64_t mask) {
  std::string s;
  for (const auto& f : feature_names()) {
    if (!(mask & f.bit)) continue;
    if (!s.empty()) s += ",";
    s += f.name;
  }
  return s.empty() ? "none" : s;
}

std::string GenQuery::text() const {
  std::string s = prefix;
  for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + items[i];
  s += from;
  for (size_t i = 0; i < where.size(); ++i) s += (i ? " AND " : " WHERE ") + where[i];
  s += group_by;
  for (size_t i = 0; i < having.size(); ++i) s += (i ? " AND " : " HAVING ") + having[i];
  for (size_t i = 0; i < order.size(); ++i) s += (i ? ", " : " ORDER BY ") + order[i];
  s += limit;
  return s;
}

SqlGenerator::SqlGenerator(uint64_t seed, uint64_t features) : rng_(seed), features_(features) {}

int SqlGenerator::uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
bool SqlGenerator::chance(int percent) { return uniform(0, 99) < percent; }

std::string SqlGenerator::literal() {
  int r = uniform(0, 99);
  if (r < 15) return "NULL";
  if (r < 50) {
    if (chance(70)) return std::to_string(uniform(-3, 12));
    for (;;) {
      const std::string& s = pick(kInts);
      if (has(kBigInt) || s.size() < 15) return s;
    }
  }
  if (r < 65) return has(kBigInt) && chance(10) ? "1.5e300" : pick(kReals);
  if (r < 92) return pick(kTexts);
  return pick(kBlobs);
}

std::string SqlGenerator::literal_except_max() {
  for (;;) {
    std::string s = literal();
    if (s != "9223372036854775807") return s;
  }
}

std::vector<std::string> SqlGenerator::schema() {
  tables_.clear();
  views_.clear();
  std::vector<std::string> out;
  int ntables = uniform(2, 5);
  for (int t = 0; t < ntables; ++t) {
    GenTable tab;
    tab.name = "t" + std::to_string(t);
    int ncols = uniform(1, 6);
    // Column names come from a small pool so that USING finds shared names.
    std::vector<int> names = {0, 1, 2, 3, 4, 5};
    std::shuffle(names.begin(), names.end(), rng_);
    std::sort(names.begin(), names.begin() + ncols);
    bool ipk = has(kIntPk) && chance(30);
    bool without_rowid = !ipk && has(kWithoutRowid) && chance(25);
    tab.rowid = !without_rowid;
    std::string sql = "CREATE TABLE " + tab.name + "(";
    for (int c = 0; c < ncols; ++c) {
      GenColumn col;
      col.name = kColumnNames[names[c]];
      col.type = ipk && c == 0 ? "INTEGER" : kTypes[uniform(0, 5)];
      col.nocase = has(kCollate) && chance(20);
      col.not_null = has(kOrConflict) && chance(15);
      col.ipk = ipk && c == 0;
      sql += (c ? ", " : "") + col.name;
      if (!col.type.empty()) sql += " " + col.type;
      if (ipk && c == 0) sql += " PRIMARY KEY";
      if (col.not_null) sql += " NOT NULL";
      if (col.nocase) sql += " COLLATE NOCASE";
      tab.cols.push_back(col);
    }
    if (without_rowid) {
      int npk = uniform(1, std::min(2, ncols));
      sql += ", PRIMARY KEY(";
      for (int c = 0; c < npk; ++c) sql += (c ? ", " : "") + tab.cols[c].name;
      sql += ")";
    } else if (has(kOrConflict) && ncols > 1 && chance(15)) {
      sql += ", UNIQUE(" + tab.cols[ncols - 1].name + ")";
    }
    sql += ")";
    if (without_rowid) sql += " WITHOUT ROWID";
    out.push_back(sql);
    if (has(kIndex)) {
      int nidx = uniform(0, 2);
      for (int i = 0; i < nidx; ++i) {
        bool unique = chance(25);
        std::string idx = std::string("CREATE ") + (unique ? "UNIQUE " : "") + "INDEX i" + std::to_string(t) +
                          "_" + std::to_string(i) + " ON " + tab.name + "(";
        int nic = uniform(1, std::min(3, ncols));
        std::vector<int> cols(ncols);
        for (int c = 0; c < ncols; ++c) cols[c] = c;
        std::shuffle(cols.begin(), cols.end(), rng_);
        for (int c = 0; c < nic; ++c) {
          idx += (c ? ", " : "") + tab.cols[cols[c]].name;
          if (has(kIndexCollate) && chance(20)) idx += " COLLATE NOCASE";
          if (has(kDescIndex) && chance(30)) idx += " DESC";
        }
        idx += ")";
        out.push_back(idx);
      }
    }
    tables_.push_back(std::move(tab));
  }
  if (has(kView)) {
    int nviews = uniform(1, 2);
    for (int v = 0; v < nviews; ++v) {
      // A view over one table (or a join of two): a projection with a filter.
      const GenTable& base = pick(tables_);
      GenTable view;
      view.name = "v" + std::to_string(v);
      view.is_view = true;
      Scope scope;
      std::string alias = "w" + std::to_string(v);
      for (const auto& c : base.cols) scope.cols.push_back({alias + "." + c.name, &c});
      int ncols = uniform(1, 3);
      // A view is a FROM subquery too (S4 in KNOWN_MISMATCHES.md).
      const uint64_t saved = features_;
      if (!has(kFromSubqueryScalar)) features_ &= ~kScalarSubquery;
      std::string sql = "CREATE VIEW " + view.name + "(";
      std::string body = "SELECT ";
      for (int c = 0; c < ncols; ++c) {
        GenColumn col;
        col.name = kColumnNames[c];
        view.cols.push_back(col);
        sql += (c ? ", " : "") + col.name;
        body += (c ? ", " : "") + (chance(60) ? pick(scope.cols).ref : expr(scope, 1));
      }
      body += " FROM " + base.name + " AS " + alias;
      // A view may be the right side of a LEFT JOIN: its WHERE then acts as
      // an ON term (S5).
      in_left_join_on_ = true;
      if (chance(50)) body += " WHERE " + predicate(scope, 1);
      in_left_join_on_ = false;
      features_ = saved;
      out.push_back(sql + ") AS " + body);
      views_.push_back(std::move(view));
    }
  }
  return out;
}

std::string SqlGenerator::value_for(const GenColumn& c) {
  // Mostly any literal (mixed types in every column); some values follow the
  // declared type, and a small pool makes duplicates likely.
  int r = uniform(0, 99);
  if (r < 30) return "NULL";
  if (r < 50) return std::to_string(uniform(-2, 4));
  // The largest rowid makes SQLite choose the next one at random.
  if (c.ipk) return chance(70) || !has(kIpkReal) ? std::to_string(uniform(-5, 20)) : literal_except_max();
  if (r < 60 && c.type == "TEXT") return pick(kTexts);
  if (r < 60 && (c.type == "REAL" || c.type == "NUMERIC")) return pick(kReals);
  return literal();
}

std::vector<std::string> SqlGenerator::data() {
  std::vector<std::string> out;
  for (const auto& t : tables_) {
    int nrows = uniform(0, 10);
    for (int r = 0; r < nrows; ++r) {
      std::string sql = "INSERT INTO " + t.name + " VALUES(";
      for (size_t c = 0; c < t.cols.size(); ++c) sql += (c ? ", " : "") + value_for(t.cols[c]);
      out.push_back(sql + ")");
    }
  }
  return out;
}

std::string SqlGenerator::column_ref(const Scope& s) {
  if (has(kCorrelated) && s.outer && !s.outer->cols.empty() && chance(25)) return pick(s.outer->cols).ref;
  if (s.cols.empty()) return literal();
  return pick(s.cols).ref;
}

std::string SqlGenerator::expr(const Scope& s, int depth) {
  if (depth <= 0 || chance(35)) return chance(70) ? column_ref(s) : literal();
  // Try forms until one whose feature is on comes up.
  for (int attempt = 0; attempt < 20; ++attempt) {
    switch (uniform(0, 16)) {
      case 15:
        if (!has(kJson)) break;
        return json_expr(s, depth - 1);
      case 16:
        if (!has(kDateTime)) break;
        return datetime_expr(s, depth - 1);
      case 0:
        if (!has(kArith)) break;
        {
          static const char* const ops[] = {" + ", " - ", " * ", " / ", " % "};
          return "(" + expr(s, depth - 1) + ops[uniform(0, 4)] + expr(s, depth - 1) + ")";
        }
      case 1:
        if (!has(kArith)) break;
        return "(-" + expr(s, depth - 1) + ")";
      case 2:
        if (!has(kConcat)) break;
        return "(" + expr(s, depth - 1) + " || " + expr(s, depth - 1) + ")";
      case 3:
        if (!has(kCase)) break;
        {
          std::string e = "CASE";
          bool simple = chance(40);
          if (simple) e += " " + expr(s, depth - 1);
          int n = uniform(1, 3);
          for (int i = 0; i < n; ++i)
            e += " WHEN " + (simple ? expr(s, depth - 1) : predicate(s, depth - 1)) + " THEN " +
                 expr(s, depth - 1);
          if (chance(60)) e += " ELSE " + expr(s, depth - 1);
          return e + " END";
        }
      case 4:
        if (!has(kCast)) break;
        {
          static const char* const types[] = {"INTEGER", "TEXT", "REAL", "BLOB", "NUMERIC"};
          return "CAST(" + expr(s, depth - 1) + " AS " + types[uniform(0, 4)] + ")";
        }
      case 5:
        if (!has(kCoalesce)) break;
        switch (uniform(0, 2)) {
          case 0:
            return "coalesce(" + expr(s, depth - 1) + ", " + expr(s, depth - 1) + ", " + expr(s, depth - 1) +
                   ")";
          case 1:
            return "ifnull(" + expr(s, depth - 1) + ", " + expr(s, depth - 1) + ")";
          default:
            return "nullif(" + expr(s, depth - 1) + ", " + expr(s, depth - 1) + ")";
        }
      case 6:
        if (!has(kFunc)) break;
        {
          static const char* const fns[] = {"abs",    "length", "upper", "lower",
                                            "typeof", "hex",    "quote", "trim"};
          std::string fn = fns[uniform(0, 7)];
          return fn + "(" + expr(s, depth - 1) + ")";
        }
      case 7:
        if (!has(kFunc)) break;
        return "substr(" + expr(s, depth - 1) + ", " + std::to_string(uniform(-2, 3)) + ", " +
               std::to_string(uniform(0, 3)) + ")";
      case 8:
        if (!has(kScalarSubquery)) break;
        {
          std::string agg;
          std::string body = subquery_body(s, depth - 1, true, &agg);
          return "(SELECT " + agg + body + ")";
        }
      case 9:
        if (!has(kCollate)) break;
        return "(" + expr(s, depth - 1) + " COLLATE " + (chance(50) ? "NOCASE" : "BINARY") + ")";
      default:
        // Predicates are values too (0, 1 or NULL).
        return "(" + predicate(s, depth - 1) + ")";
    }
  }
  return column_ref(s);
}

std::string SqlGenerator::predicate(const Scope& s, int depth) {
  if (depth <= 0) {
    static const char* const cmp[] = {" = ", " <> ", " < ", " <= ", " > ", " >= "};
    return column_ref(s) + cmp[uniform(0, 5)] + (chance(50) ? literal() : column_ref(s));
  }
  for (int attempt = 0; attempt < 20; ++attempt) {
    switch (uniform(0, 15)) {
      case 0:
      case 1:
      case 2: {
        static const char* const cmp[] = {" = ", " <> ", " < ", " <= ", " > ", " >= ", " == ", " != "};
        return expr(s, depth - 1) + cmp[uniform(0, 7)] + expr(s, depth - 1);
      }
      case 3:
        return "(" + predicate(s, depth - 1) + " AND " + predicate(s, depth - 1) + ")";
      case 4:
        return "(" + predicate(s, depth - 1) + " OR " + predicate(s, depth - 1) + ")";
      case 5:
        return "NOT (" + predicate(s, depth - 1) + ")";
      case 6:
        if (!has(kIs)) break;
        switch (uniform(0, 3)) {
          case 0:
            return expr(s, depth - 1) + " IS " + expr(s, depth - 1);
          case 1:
            return expr(s, depth - 1) + " IS NOT " + expr(s, depth - 1);
          case 2:
            return expr(s, depth - 1) + " IS NULL";
          default:
            return expr(s, depth - 1) + " NOTNULL";
        }
      case 7:
        if (!has(kLike) || (in_left_join_on_ && !has(kLeftJoinLike))) break;
        if (chance(50)) {
          std::string lhs = expr(s, depth - 1);
          bool ipk = false;
          for (const ScopeCol& c : s.cols) ipk = ipk || (c.ref == lhs && c.col && c.col->ipk);
          std::string pattern =
              chance(70) ? pick(ipk && outer_on_ ? kLikeWildPatterns : kLikePatterns) : expr(s, depth - 1);
          return lhs + (chance(30) ? " NOT LIKE " : " LIKE ") + pattern;
        }
        return expr(s, depth - 1) + (chance(30) ? " NOT GLOB " : " GLOB ") +
               (chance(70) ? pick(kGlobPatterns) : expr(s, depth - 1));
      case 8:
        if (!has(kBetween)) break;
        return expr(s, depth - 1) + (chance(25) ? " NOT BETWEEN " : " BETWEEN ") + expr(s, depth - 1) +
               " AND " + expr(s, depth - 1);
      case 9:
        if (!has(kInList)) break;
        {
          std::string e = expr(s, depth - 1) + (chance(25) ? " NOT IN (" : " IN (");
          int n = uniform(chance(5) ? 0 : 1, 5);
          for (int i = 0; i < n; ++i)
            e += (i ? ", " : "") + (chance(70) || !has(kInListColumns) ? literal() : expr(s, depth - 1));
          return e + ")";
        }
      case 10:
        if (!has(kInSubquery)) break;
        {
          std::string col;
          std::string body = subquery_body(s, depth - 1, false, &col);
          return expr(s, depth - 1) + (chance(25) ? " NOT IN (SELECT " : " IN (SELECT ") + col + body + ")";
        }
      case 11:
        if (!has(kExists)) break;
        {
          std::string col;
          std::string body = subquery_body(s, depth - 1, false, &col);
          return std::string(chance(25) ? "NOT " : "") + "EXISTS (SELECT " + col + body + ")";
        }
      default: {
        static const char* const cmp[] = {" = ", " <> ", " < ", " <= ", " > ", " >= "};
        return column_ref(s) + cmp[uniform(0, 5)] + (chance(60) ? literal() : column_ref(s));
      }
    }
  }
  return column_ref(s) + " = " + literal();
}

// The FROM/WHERE of a one-column subquery. With one_column the column is an
// aggregate (a scalar subquery must not depend on which row comes first).
std::string SqlGenerator::subquery_body(const Scope& outer, int depth, bool one_column, std::string* col) {
  Scope scope;
  scope.outer = has(kCorrelated) ? &outer : nullptr;
  std::string from = from_clause(scope, 0, false);
  std::string e = scope.cols.empty() ? literal() : pick(scope.cols).ref;
  if (one_column) {
    static const char* const aggs[] = {"max", "min", "count", "sum", "total"};
    *col = std::string(aggs[uniform(0, 4)]) + "(" + e + ")";
  } else {
    *col = chance(80) ? e : expr(scope, 1);
  }
  if (chance(70)) from += " WHERE " + predicate(scope, std::max(0, std::min(depth, 1)));
  return from;
}

std::string SqlGenerator::aggregate(const Scope& s, int depth) {
  for (int attempt = 0; attempt < 10; ++attempt) {
    int r = uniform(0, 8);
    std::string arg = chance(75) ? column_ref(s) : expr(s, depth);
    std::string distinct = has(kDistinctAgg) && chance(25) ? "DISTINCT " : "";
    switch (r) {
      case 0:
        return "count(*)";
      case 1:
        return "count(" + distinct + arg + ")";
      case 2:
        return "sum(" + distinct + arg + ")";
      case 3:
        return "total(" + distinct + arg + ")";
      case 4:
        return "avg(" + distinct + arg + ")";
      case 5:
        return "min(" + arg + ")";
      case 6:
        return "max(" + arg + ")";
      case 7:
        if (!has(kGroupConcat)) break;
        if (!distinct.empty()) return "group_concat(" + distinct + arg + ")";
        return "group_concat(" + arg + (chance(50) ? ", '-'" : "") + ")";
      default:
        return "count(" + arg + ")";
    }
  }
  return "count(*)";
}

std::string SqlGenerator::from_clause(Scope& scope, int depth, bool allow_joins) {
  int nsources = 1;
  if (allow_joins && (features_ & (kJoin | kLeftJoin | kCrossJoin | kRightJoin)) && chance(55))
    nsources = chance(75) ? 2 : uniform(3, 4);
  std::string from = " FROM ";
  std::vector<const GenTable*> prev;
  // USING in a FROM with a RIGHT or FULL JOIN only with left_join_using:
  // SQLite 3.40.1 lets such a USING match a NULL join column (S2, S6).
  bool used_using = false, used_right = false;
  const bool outer_using = has(kLeftUsing);
  for (int i = 0; i < nsources; ++i) {
    std::string alias = "a" + std::to_string(alias_counter_++);
    std::string source;
    const GenTable* tab = nullptr;
    GenTable* sub_table = nullptr;
    if (has(kRecursiveCte) && depth > 0 && chance(12)) {
      sub_tables_.emplace_back();
      sub_table = &sub_tables_.back();
      source = recursive_cte_source(sub_table);
      tab = sub_table;
    } else if (has(kFromSubquery) && depth > 0 && chance(15)) {
      // FROM (SELECT ...): its result columns are named x0, x1, ...
      Scope inner;
      std::string inner_from = from_clause(inner, 0, false);
      int n = uniform(1, 3);
      sub_tables_.emplace_back();
      sub_table = &sub_tables_.back();
      std::string items;
      const uint64_t saved = features_;
      if (!has(kFromSubqueryScalar)) features_ &= ~kScalarSubquery;
      for (int c = 0; c < n; ++c) {
        GenColumn col;
        col.name = "x" + std::to_string(c);
        sub_table->cols.push_back(col);
        items += (c ? ", " : "") + expr(inner, 1) + " AS " + col.name;
      }
      features_ = saved;
      // Flattened into a LEFT JOIN, this WHERE acts as an ON term (S5).
      bool saved_on = in_left_join_on_;
      in_left_join_on_ = true;
      std::string where = chance(50) ? " WHERE " + predicate(inner, 1) : "";
      in_left_join_on_ = saved_on;
      source = "(SELECT " + std::string(has(kDistinct) && chance(20) ? "DISTINCT " : "") + items +
               inner_from + where + ")";
      tab = sub_table;
    } else if (!views_.empty() && chance(20)) {
      tab = &pick(views_);
      source = tab->name;
    } else {
      tab = &pick(tables_);
      source = tab->name;
    }
    source += " AS " + alias;
    bool using_merged = false;
    if (i == 0) {
      from += source;
    } else {
      std::vector<int> kinds;
      if (has(kJoin)) kinds.push_back(0);
      if (has(kLeftJoin)) kinds.push_back(1);
      if (has(kCrossJoin)) kinds.push_back(2);
      if (has(kCrossJoin)) kinds.push_back(3);
      if (has(kRightJoin) && (!used_using || outer_using || kinds.empty())) {
        kinds.push_back(4);  // RIGHT JOIN
        kinds.push_back(5);  // FULL OUTER JOIN
      }
      int kind = pick(kinds);
      if (kind >= 4) used_right = true;
      // USING needs a column name present in the new table and in exactly one
      // earlier table; otherwise fall back to ON.
      std::string using_col;
      if (has(kUsing) && (kind == 0 || ((kind == 1 || kind >= 4) && outer_using)) &&
          (!used_right || outer_using) && chance(30)) {
        for (const auto& c : tab->cols) {
          int seen = 0;
          for (const GenTable* p : prev)
            for (const auto& pc : p->cols) seen += pc.name == c.name;
          if (seen == 1) {
            using_col = c.name;
            break;
          }
        }
      }
      Scope on_scope = scope;
      for (const auto& c : tab->cols) on_scope.cols.push_back({alias + "." + c.name, &c});
      switch (kind) {
        case 0:
        case 1:
        case 4:
        case 5:
          from += kind == 0   ? (chance(50) ? " JOIN " : " INNER JOIN ")
                  : kind == 1 ? " LEFT JOIN "
                  : kind == 4 ? (chance(50) ? " RIGHT JOIN " : " RIGHT OUTER JOIN ")
                              : (chance(50) ? " FULL JOIN " : " FULL OUTER JOIN ");
          from += source;
          if (!using_col.empty()) {
            from += " USING (" + using_col + ")";
            using_merged = true;
            used_using = true;
          } else if (chance(85)) {
            bool saved = in_left_join_on_;
            in_left_join_on_ = kind == 1;
            outer_on_ = kind != 0;
            from += " ON " + predicate(on_scope, 1);
            outer_on_ = false;
            in_left_join_on_ = saved;
          }
          break;
        case 2:
          from += " CROSS JOIN " + source;
          break;
        default:
          from += ", " + source;
          break;
      }
    }
    for (const auto& c : tab->cols) scope.cols.push_back({alias + "." + c.name, &c});
    scope.star_cols += static_cast<int>(tab->cols.size()) - (using_merged ? 1 : 0);
    prev.push_back(tab);
  }
  return from;
}

std::string SqlGenerator::window_call(const Scope& s) {
  std::string arg = chance(75) ? column_ref(s) : expr(s, 1);
  // Functions whose answer does not depend on the order of peers: a partial
  // ORDER BY is enough for them in RANGE and GROUPS frames.
  static const char* const peer_safe[] = {"count(*)",   "count", "sum",    "total",        "avg",
                                          "min",        "max",   "rank()", "dense_rank()", "percent_rank()",
                                          "cume_dist()"};
  std::string call;
  bool order_free = true;
  bool aggregate_fn = false;
  int r = uniform(0, 20);
  if (r < 11) {
    std::string f = peer_safe[r];
    if (f.back() == ')') {
      call = f;
      aggregate_fn = f == "count(*)";
    } else {
      call = f + "(" + arg + ")";
      aggregate_fn = true;
    }
  } else {
    order_free = false;
    switch (r) {
      case 11:
        call = "row_number()";
        break;
      case 12:
        call = "ntile(" + std::to_string(uniform(1, 4)) + ")";
        break;
      case 13:
        call = "lag(" + arg + (chance(50) ? ", " + std::to_string(uniform(0, 2)) : "") + ")";
        break;
      case 14:
        call = "lead(" + arg + ", " + std::to_string(uniform(1, 2)) + (chance(50) ? ", -1" : "") + ")";
        break;
      case 15:
        call = "first_value(" + arg + ")";
        break;
      case 16:
        call = "last_value(" + arg + ")";
        break;
      case 17:
        call = "nth_value(" + arg + ", " + std::to_string(uniform(1, 3)) + ")";
        break;
      case 18:
        // Deterministic here (unlike the aggregate, see D1): the window
        // gives it a total order.
        call = "group_concat(" + arg + (chance(50) ? ", '.'" : "") + ")";
        aggregate_fn = true;
        break;
      default:
        call = "count(" + arg + ")";
        aggregate_fn = true;
        order_free = true;
        break;
    }
  }
  if (aggregate_fn && chance(15)) call += " FILTER (WHERE " + predicate(s, 1) + ")";
  std::string over = " OVER (";
  if (chance(50)) {
    over += "PARTITION BY ";
    int n = uniform(1, 2);
    for (int i = 0; i < n; ++i) over += (i ? ", " : "") + column_ref(s);
    over += " ";
  }
  static const char* const units[] = {"ROWS", "RANGE", "GROUPS"};
  int unit = chance(40) ? -1 : uniform(0, 2);  // -1: the default frame
  bool total = !order_free || unit == 0;
  std::vector<std::string> order;
  int nlead = uniform(total ? 0 : 1, 2);
  if (chance(15) && !total) nlead = 0;
  for (int i = 0; i < nlead; ++i) {
    std::string t = chance(75) ? column_ref(s) : expr(s, 1);
    if (!has_column_ref(t)) t = column_ref(s);
    if (chance(30)) t += " DESC";
    if (chance(15)) t += chance(50) ? " NULLS FIRST" : " NULLS LAST";
    order.push_back(t);
  }
  if (total) {
    const char* binary = has(kCollate) ? " COLLATE BINARY" : "";
    // typeof() breaks ties between equal numbers of different storage
    // classes (0 and 0.0), whose order SQLite leaves to the scan.
    for (const auto& c : s.cols) {
      order.push_back(c.ref + binary);
      if (!has(kExactNumeric)) order.push_back("typeof(" + c.ref + ")");
    }
  }
  if (!order.empty()) {
    over += "ORDER BY ";
    for (size_t i = 0; i < order.size(); ++i) over += (i ? ", " : "") + order[i];
    over += " ";
  }
  if (unit >= 0 && unit == 1 && order.size() != 1 && !order.empty()) {
    // RANGE offsets need a single ORDER BY term: bounds without offsets.
    static const char* const plain[] = {"UNBOUNDED PRECEDING", "CURRENT ROW"};
    over += std::string("RANGE BETWEEN ") + plain[uniform(0, 1)] + " AND " +
            (chance(50) ? "CURRENT ROW" : "UNBOUNDED FOLLOWING");
  } else if (unit >= 0) {
    // Bounds in SQLite's order: start rank <= end rank, never CURRENT ROW ..
    // PRECEDING or FOLLOWING .. PRECEDING/CURRENT ROW.
    auto bound = [&](int rank) {
      switch (rank) {
        case 0:
          return std::string("UNBOUNDED PRECEDING");
        case 1:
          return std::to_string(uniform(0, 3)) + " PRECEDING";
        case 2:
          return std::string("CURRENT ROW");
        case 3:
          return std::to_string(uniform(0, 3)) + " FOLLOWING";
        default:
          return std::string("UNBOUNDED FOLLOWING");
      }
    };
    bool offsets_ok = unit != 1 || order.size() == 1;
    int rs, re;
    for (;;) {
      rs = uniform(0, 3);
      re = uniform(1, 4);
      if (!offsets_ok && (rs == 1 || rs == 3 || re == 1 || re == 3)) continue;
      if (rs > re || (rs == 2 && re == 1) || (rs == 3 && re <= 2)) continue;
      break;
    }
    over += std::string(units[unit]) + " BETWEEN " + bound(rs) + " AND " + bound(re);
    if (chance(25)) {
      static const char* const ex[] = {" EXCLUDE NO OTHERS", " EXCLUDE CURRENT ROW", " EXCLUDE GROUP",
                                       " EXCLUDE TIES"};
      over += ex[uniform(0, 3)];
    }
  }
  while (!over.empty() && over.back() == ' ') over.pop_back();
  return call + over + ")";
}

GenQuery SqlGenerator::simple_select(const Scope* outer, int depth, bool allow_order) {
  GenQuery q;
  Scope scope;
  scope.outer = outer;
  q.from = from_clause(scope, depth, true);
  bool agg = has(kAggregate) && chance(30);
  bool group = agg && has(kGroupBy) && chance(60);
  bool distinct = has(kDistinct) && chance(15);
  q.prefix = distinct ? "SELECT DISTINCT " : "SELECT ";
  if (chance(60)) {
    int n = uniform(1, 2);
    for (int i = 0; i < n; ++i) q.where.push_back(predicate(scope, depth));
  }
  // Aggregate arguments, keys and HAVING terms: subqueries only with agg_subquery.
  const uint64_t saved_features = features_;
  if (agg && !has(kAggSubquery)) features_ &= ~(kScalarSubquery | kInSubquery | kExists);
  if (group) {
    int n = uniform(1, 2);
    std::vector<std::string> keys;
    for (int i = 0; i < n; ++i) {
      std::string key = chance(75) ? column_ref(scope) : expr(scope, 1);
      // A key without a column may be an integer (a column number, perhaps
      // out of range): only with order_constant.
      if (!has(kOrderConstant) && !has_column_ref(key)) key = column_ref(scope);
      keys.push_back(key);
    }
    q.group_by = " GROUP BY ";
    for (size_t i = 0; i < keys.size(); ++i) q.group_by += (i ? ", " : "") + keys[i];
    for (const auto& k : keys)
      if (chance(70)) q.items.push_back(k);
    int naggs = uniform(1, 3);
    for (int i = 0; i < naggs; ++i) q.items.push_back(aggregate(scope, 1));
    if (chance(35)) {
      static const char* const cmp[] = {" > ", " < ", " = ", " >= "};
      q.having.push_back(aggregate(scope, 1) + cmp[uniform(0, 3)] + std::to_string(uniform(0, 3)));
    }
  } else if (agg) {
    int naggs = uniform(1, 3);
    for (int i = 0; i < naggs; ++i) q.items.push_back(aggregate(scope, 1));
  }
  features_ = saved_features;
  if (!agg && chance(10)) {
    q.items.push_back("*");
  } else if (!agg) {
    int n = uniform(1, 4);
    for (int i = 0; i < n; ++i) q.items.push_back(chance(50) ? column_ref(scope) : expr(scope, depth));
  }
  if (has(kWindow) && outer == nullptr && !agg && q.items[0] != "*" && chance(60)) {
    int n = uniform(1, 3);
    for (int i = 0; i < n; ++i) q.items.push_back(window_call(scope));
  }
  if (allow_order && has(kOrderBy) && chance(50)) {
    // Random leading terms, then every result column by number: a total order
    // (up to rows that are equal column by column under BINARY).
    int ncols = q.items[0] == "*" ? scope.star_cols : static_cast<int>(q.items.size());
    if (has(kOrderOutOfRange) && chance(3)) ++ncols;
    int nrandom = uniform(0, 2);
    for (int i = 0; i < nrandom; ++i) {
      // An expression outside the result list would make the order of
      // DISTINCT or grouped rows depend on which row represents them.
      bool by_number = agg || distinct || chance(50);
      std::string term = by_number ? std::to_string(uniform(1, ncols)) : expr(scope, 1);
      if (!by_number && !has(kOrderConstant) && !has_column_ref(term)) term = column_ref(scope);
      // COLLATE on a column number: a separate class (Keel reads "2 COLLATE x" as a constant).
      if (has(kCollate) && chance(20) && (!by_number || has(kOrderNumberCollate))) term += " COLLATE NOCASE";
      if (chance(40)) term += " DESC";
      if (chance(15)) term += chance(50) ? " NULLS FIRST" : " NULLS LAST";
      q.order.push_back(term);
    }
    // COLLATE BINARY keeps the order total over NOCASE columns.
    const char* binary = has(kOrderNumberCollate) ? " COLLATE BINARY" : "";
    for (int c = 1; c <= ncols; ++c)
      q.order.push_back(std::to_string(c) + binary + (chance(30) ? " DESC" : ""));
    q.ordered = true;
    if (chance(50)) {
      q.limit = " LIMIT " + std::to_string(uniform(0, 8));
      if (chance(40)) q.limit += " OFFSET " + std::to_string(uniform(0, 4));
    }
  }
  return q;
}

std::string SqlGenerator::core_for_compound(int ncols, int depth) {
  Scope scope;
  std::string from = from_clause(scope, depth, true);
  std::string s = has(kDistinct) && chance(15) ? "SELECT DISTINCT " : "SELECT ";
  for (int i = 0; i < ncols; ++i) s += (i ? ", " : "") + (chance(60) ? column_ref(scope) : expr(scope, 1));
  s += from;
  if (chance(50)) s += " WHERE " + predicate(scope, 1);
  return s;
}

std::string SqlGenerator::compound_select(int depth, int ncols, bool* ordered) {
  static const char* const ops[] = {" UNION ", " UNION ALL ", " INTERSECT ", " EXCEPT "};
  int nparts = chance(80) ? 2 : 3;
  std::string s = core_for_compound(ncols, depth);
  for (int i = 1; i < nparts; ++i) s += ops[uniform(0, 3)] + core_for_compound(ncols, depth);
  *ordered = false;
  if (has(kOrderBy) && chance(50)) {
    s += " ORDER BY ";
    for (int c = 1; c <= ncols; ++c)
      s += (c > 1 ? ", " : "") + std::to_string(c) + (chance(30) ? " DESC" : "");
    *ordered = true;
    if (chance(50)) s += " LIMIT " + std::to_string(uniform(0, 6));
  }
  return s;
}

GenQuery SqlGenerator::query() {
  alias_counter_ = 0;
  sub_tables_.clear();
  if (has(kCompound) && chance(20)) {
    GenQuery q;
    q.prefix = compound_select(2, uniform(1, 3), &q.ordered);
    return q;
  }
  return simple_select(nullptr, 2, true);
}

std::string SqlGenerator::dml() {
  alias_counter_ = 0;
  sub_tables_.clear();
  std::vector<int> kinds;
  if (has(kInsert)) kinds.push_back(0);
  if (has(kUpdate)) kinds.push_back(1);
  if (has(kDelete)) kinds.push_back(2);
  const uint64_t saved = features_;
  if (!has(kDmlSubquery)) features_ &= ~(kScalarSubquery | kInSubquery | kExists);
  std::string sql;
  switch (pick(kinds)) {
    case 0:
      sql = dml_insert();
      break;
    case 1:
      sql = dml_update();
      break;
    default:
      sql = dml_delete();
      break;
  }
  features_ = saved;
  return sql;
}

namespace {
std::string conflict_clause(bool on, int r) {
  if (!on) return "";
  if (r < 20) return "OR REPLACE ";
  if (r < 40) return "OR IGNORE ";
  if (r < 45) return "OR FAIL ";
  if (r < 50) return "OR ABORT ";
  return "";
}
}  // namespace

std::string SqlGenerator::dml_insert() {
  const GenTable& t = pick(tables_);
  // OR REPLACE/IGNORE on a WITHOUT ROWID table belongs to without_rowid_dml.
  bool conflict = has(kOrConflict) && (t.rowid || has(kWithoutRowidDml));
  std::string sql = "INSERT " + conflict_clause(conflict, uniform(0, 99)) + "INTO " + t.name;
  // A column list in random order (possibly a subset; the rest get NULL).
  std::vector<const GenColumn*> cols;
  for (const auto& c : t.cols) cols.push_back(&c);
  bool list = chance(50);
  if (list) {
    std::shuffle(cols.begin(), cols.end(), rng_);
    cols.resize(static_cast<size_t>(uniform(1, static_cast<int>(cols.size()))));
    sql += "(";
    for (size_t i = 0; i < cols.size(); ++i) sql += (i ? ", " : "") + cols[i]->name;
    sql += ")";
  }
  if (chance(25)) {
    // INSERT ... SELECT from another table.
    Scope scope;
    std::string from = from_clause(scope, 0, false);
    sql += " SELECT ";
    for (size_t i = 0; i < cols.size(); ++i) {
      if (cols[i]->ipk && !has(kIpkReal))
        sql += (i ? ", " : "") + value_for(*cols[i]);
      else
        sql += (i ? ", " : "") + (chance(70) ? column_ref(scope) : expr(scope, 1));
    }
    sql += from;
    if (chance(50)) sql += " WHERE " + predicate(scope, 1);
    if (!has(kScanOrder)) {
      // New rowids follow the order of the SELECT: make it total.
      sql += " ORDER BY ";
      for (size_t i = 0; i < cols.size(); ++i) sql += (i ? ", " : "") + std::to_string(i + 1);
    }
    return sql;
  }
  sql += " VALUES";
  int nrows = uniform(1, 3);
  Scope empty;
  for (int r = 0; r < nrows; ++r) {
    sql += r ? ", (" : "(";
    for (size_t i = 0; i < cols.size(); ++i)
      sql += (i ? ", " : "") +
             (chance(80) || (cols[i]->ipk && !has(kIpkReal)) ? value_for(*cols[i]) : expr(empty, 1));
    sql += ")";
  }
  return sql;
}

const GenTable& SqlGenerator::dml_target() {
  for (int attempt = 0; attempt < 20; ++attempt) {
    const GenTable& t = pick(tables_);
    if (t.rowid || has(kWithoutRowidDml)) return t;
  }
  return tables_[0];
}

std::string SqlGenerator::dml_update() {
  const GenTable& t = dml_target();
  if (!t.rowid && !has(kWithoutRowidDml)) return "SELECT 1";
  Scope scope;
  for (const auto& c : t.cols) scope.cols.push_back({c.name, &c});
  std::string sql = "UPDATE " + conflict_clause(has(kOrConflict), uniform(0, 99)) + t.name + " SET ";
  int n = uniform(1, std::min(2, static_cast<int>(t.cols.size())));
  std::vector<int> idx(t.cols.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<int>(i);
  std::shuffle(idx.begin(), idx.end(), rng_);
  for (int i = 0; i < n; ++i)
    sql +=
        (i ? ", " : "") + t.cols[idx[i]].name + " = " +
        (chance(40) || (t.cols[idx[i]].ipk && !has(kIpkReal)) ? value_for(t.cols[idx[i]]) : expr(scope, 2));
  if (chance(75)) sql += " WHERE " + predicate(scope, 2);
  return sql;
}

std::string SqlGenerator::dml_delete() {
  const GenTable& t = dml_target();
  if (!t.rowid && !has(kWithoutRowidDml)) return "SELECT 1";
  Scope scope;
  for (const auto& c : t.cols) scope.cols.push_back({c.name, &c});
  std::string sql = "DELETE FROM " + t.name;
  if (chance(85)) sql += " WHERE " + predicate(scope, 2);
  return sql;
}

}  // namespace keel::difftest
