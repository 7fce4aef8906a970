// SqlGenerator: seeded random schemas, data, queries and DML for the
// differential test (Keel against libsqlite3) and seeds for the SQL fuzzer.
//
// Everything it produces is deterministic in SQLite: a query whose answer
// depends on scan order is never generated (scalar subqueries are
// aggregates, LIMIT only follows a total ORDER BY, aggregate queries select
// only GROUP BY terms and aggregates). What a query may contain is chosen by
// a feature mask, so that classes of SQL that Keel does not answer yet can be
// switched off one by one (see KNOWN_MISMATCHES.md).
#pragma once

#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace keel::difftest {

// One bit per class of SQL. Schema features shape CREATE statements; the
// others shape queries and DML.
enum Feature : uint64_t {
  kArith = 1ull << 0,                // + - * / % and unary minus
  kConcat = 1ull << 1,               // ||
  kCase = 1ull << 2,                 // CASE WHEN
  kCast = 1ull << 3,                 // CAST(x AS type)
  kCoalesce = 1ull << 4,             // coalesce, ifnull, nullif
  kIs = 1ull << 5,                   // IS, IS NOT, IS NULL, NOTNULL
  kLike = 1ull << 6,                 // LIKE, GLOB
  kBetween = 1ull << 7,              // BETWEEN
  kInList = 1ull << 8,               // x IN (list)
  kInSubquery = 1ull << 9,           // x IN (SELECT ...)
  kExists = 1ull << 10,              // EXISTS (SELECT ...)
  kScalarSubquery = 1ull << 11,      // (SELECT agg(...) ...)
  kCorrelated = 1ull << 12,          // subqueries that refer to the outer query
  kFunc = 1ull << 13,                // abs, length, upper, lower, typeof, substr, ...
  kJoin = 1ull << 14,                // INNER JOIN ... ON, 2-4 tables
  kLeftJoin = 1ull << 15,            // LEFT JOIN
  kCrossJoin = 1ull << 16,           // CROSS JOIN and comma joins
  kUsing = 1ull << 17,               // JOIN ... USING (col)
  kAggregate = 1ull << 18,           // count/sum/total/avg/min/max without GROUP BY
  kGroupBy = 1ull << 19,             // GROUP BY (+ HAVING)
  kDistinctAgg = 1ull << 20,         // agg(DISTINCT x)
  kGroupConcat = 1ull << 21,         // group_concat (order of concatenation)
  kCompound = 1ull << 22,            // UNION, UNION ALL, INTERSECT, EXCEPT
  kDistinct = 1ull << 23,            // SELECT DISTINCT
  kOrderBy = 1ull << 24,             // ORDER BY (total), LIMIT, OFFSET
  kFromSubquery = 1ull << 25,        // FROM (SELECT ...)
  kView = 1ull << 26,                // CREATE VIEW and queries over views
  kIndex = 1ull << 27,               // CREATE [UNIQUE] INDEX, multi-column (see desc_index, index_collate)
  kIntPk = 1ull << 28,               // INTEGER PRIMARY KEY
  kWithoutRowid = 1ull << 29,        // WITHOUT ROWID tables
  kCollate = 1ull << 30,             // COLLATE NOCASE columns and COLLATE in expressions
  kInsert = 1ull << 31,              // INSERT ... VALUES / SELECT
  kUpdate = 1ull << 32,              // UPDATE
  kDelete = 1ull << 33,              // DELETE
  kOrConflict = 1ull << 34,          // OR REPLACE / OR IGNORE, NOT NULL and UNIQUE errors
  kChanges = 1ull << 35,             // compare rows affected (sqlite3_changes) after DML
  kOrderNumberCollate = 1ull << 36,  // ORDER BY 2 COLLATE BINARY (a column number with COLLATE)
  kOrderConstant = 1ull << 37,       // ORDER BY an integer literal that is not a column number
  kWithoutRowidDml = 1ull << 38,     // UPDATE and DELETE on WITHOUT ROWID tables
  kOrderOutOfRange = 1ull << 39,     // ORDER BY a column number past the last column (an error)
  kAggSubquery = 1ull << 40,         // subqueries inside aggregate arguments, GROUP BY keys, HAVING
  kIndexCollate = 1ull << 41,        // COLLATE NOCASE on index columns
  kScanOrder = 1ull << 42,           // INSERT ... SELECT without ORDER BY (rowids follow the scan order)
  kExactNumeric = 1ull << 43,        // numbers compare by storage class and bits (else 1 == 1.0 and
                                     // reals within 1e-12: group representatives, sum order)
  kBigInt = 1ull << 44,              // int64-limit literals and 1.5e300 (overflow, cancellation)
  kConstraintMessage = 1ull << 45,   // constraint error messages compared in full (which index fails first)
  kLeftUsing = 1ull << 46,           // LEFT JOIN ... USING
  kDescIndex = 1ull << 47,           // DESC index columns
  kDmlSubquery = 1ull << 48,         // subqueries in UPDATE/DELETE (they may read the table being changed)
  kInListColumns = 1ull << 49,       // expressions (columns) inside IN lists, not only literals
  kIpkReal = 1ull << 50,             // non-integer values written to an INTEGER PRIMARY KEY
  kFromSubqueryScalar = 1ull << 51,  // scalar subqueries in the result of a FROM subquery or view
  kWindow = 1ull << 52,              // window functions: every built-in and aggregate, PARTITION BY,
                                     // ORDER BY, ROWS/RANGE/GROUPS frames, EXCLUDE, FILTER
  kRecursiveCte = 1ull << 53,        // FROM (WITH RECURSIVE ...): counters, walks over a table, UNION
                                     // and UNION ALL, several CTEs, LIMIT in the recursive part
  kJson = 1ull << 54,                // JSON functions over generated values: json_array, json_object,
                                     // json_extract, ->, ->>, json_set/insert/replace/remove, json_patch, ...
  kDateTime = 1ull << 55,            // date, time, datetime, julianday, unixepoch, strftime with modifiers
  kRightJoin = 1ull << 56,           // RIGHT JOIN and FULL OUTER JOIN (with USING when left_join_using)
  kLeftJoinLike = 1ull << 57,        // LIKE and GLOB in LEFT JOIN ON clauses, view and FROM subquery
                                     // WHERE clauses (S5)
  kAllFeatures = (1ull << 58) - 1,
};

struct FeatureName {
  const char* name;
  uint64_t bit;
};
// Every feature with its name, in bit order.
const std::vector<FeatureName>& feature_names();
// Parses "all", "none", "a,b,c" and "all,-a,-b"; returns false on an unknown name.
bool parse_features(std::string_view text, uint64_t* out, std::string* error);
std::string features_to_string(uint64_t mask);

struct GenColumn {
  std::string name;
  std::string type;  // declared type, "" for none
  bool nocase = false;
  bool not_null = false;
  bool ipk = false;  // INTEGER PRIMARY KEY (an alias of the rowid)
};

struct GenTable {
  std::string name;
  std::vector<GenColumn> cols;
  bool rowid = true;  // false for WITHOUT ROWID
  bool is_view = false;
};

// A query split into the parts that the shrinker may drop one at a time.
struct GenQuery {
  std::string prefix;               // "SELECT ", "SELECT DISTINCT ", or a whole compound
  std::vector<std::string> items;   // result columns (empty for a compound)
  std::string from;                 // " FROM ..." or ""
  std::vector<std::string> where;   // AND-ed terms
  std::string group_by;             // " GROUP BY ..." or ""
  std::vector<std::string> having;  // AND-ed terms
  std::vector<std::string> order;   // ORDER BY terms; total when ordered
  std::string limit;                // " LIMIT ..." or ""
  bool ordered = false;             // rows must be compared in order
  std::string text() const;
};

class SqlGenerator {
 public:
  SqlGenerator(uint64_t seed, uint64_t features);

  // A fresh schema: CREATE TABLE, CREATE INDEX and CREATE VIEW statements.
  std::vector<std::string> schema();
  // Single-row INSERTs filling the tables of the last schema().
  std::vector<std::string> data();
  GenQuery query();
  // One INSERT, UPDATE or DELETE statement (needs a DML feature bit).
  std::string dml();
  bool has_dml() const { return (features_ & (kInsert | kUpdate | kDelete)) != 0; }
  // The base tables of the last schema (for dumping their contents).
  const std::vector<GenTable>& tables() const { return tables_; }

  std::mt19937_64& rng() { return rng_; }
  bool has(uint64_t f) const { return (features_ & f) == f; }

 private:
  struct ScopeCol {
    std::string ref;  // qualified reference, e.g. "a1.c"
    const GenColumn* col;
  };
  struct Scope {
    std::vector<ScopeCol> cols;
    const Scope* outer = nullptr;  // for correlated subqueries
    int star_cols = 0;             // columns of SELECT * (a USING column counts once)
  };

  // Generating the ON clause of an outer join: a case-insensitive LIKE with
  // a literal prefix on an INTEGER PRIMARY KEY is avoided there (S6).
  bool outer_on_ = false;

  int uniform(int lo, int hi);  // inclusive
  bool chance(int percent);
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(uniform(0, static_cast<int>(v.size()) - 1))];
  }

  std::string literal();
  std::string literal_except_max();
  std::string column_ref(const Scope& s);
  std::string expr(const Scope& s, int depth);
  std::string predicate(const Scope& s, int depth);
  bool in_left_join_on_ = false;  // generating what may become an ON term of a LEFT JOIN
  std::string aggregate(const Scope& s, int depth);
  // A window function call with its OVER clause; deterministic whatever the
  // scan order (order-sensitive functions and ROWS frames get a total ORDER BY).
  std::string window_call(const Scope& s);
  // A JSON function call over generated values (kJson).
  std::string json_expr(const Scope& s, int depth);
  // A date/time function call over generated or date-shaped values (kDateTime).
  std::string datetime_expr(const Scope& s, int depth);
  // A FROM source "(WITH RECURSIVE ... SELECT ...)" whose columns are x0, x1
  // (kRecursiveCte); fills `table` with them.
  std::string recursive_cte_source(GenTable* table);
  std::string subquery_body(const Scope& outer, int depth, bool one_column, std::string* agg_col);
  // Builds a FROM clause over 1-4 sources, filling `scope`.
  std::string from_clause(Scope& scope, int depth, bool allow_joins);
  GenQuery simple_select(const Scope* outer, int depth, bool allow_order);
  std::string compound_select(int depth, int ncols, bool* ordered);
  std::string core_for_compound(int ncols, int depth);
  const GenTable& dml_target();  // a table UPDATE/DELETE may target
  std::string dml_insert();
  std::string dml_update();
  std::string dml_delete();
  std::string value_for(const GenColumn& c);

  std::mt19937_64 rng_;
  uint64_t features_;
  std::vector<GenTable> tables_;  // base tables
  std::vector<GenTable> views_;
  std::deque<GenTable> sub_tables_;  // FROM subqueries of the current statement (stable addresses)
  int alias_counter_ = 0;
};

}  // namespace keel::difftest
