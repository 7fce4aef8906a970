// SQLite 3.40's keyword table (147 keywords) and its %fallback ID list.
#include <algorithm>
#include <array>
#include <cstring>

#include "parse/token.h"

namespace keel::parse {
namespace {

struct Keyword {
  const char* name;  // upper case
  Tk kind;
};

// Sorted by name (keyword_name(i) lists them in this order).
constexpr Keyword kKeywords[] = {
    {"ABORT", Tk::kAbort},
    {"ACTION", Tk::kAction},
    {"ADD", Tk::kAdd},
    {"AFTER", Tk::kAfter},
    {"ALL", Tk::kAll},
    {"ALTER", Tk::kAlter},
    {"ALWAYS", Tk::kAlways},
    {"ANALYZE", Tk::kAnalyze},
    {"AND", Tk::kAnd},
    {"AS", Tk::kAs},
    {"ASC", Tk::kAsc},
    {"ATTACH", Tk::kAttach},
    {"AUTOINCREMENT", Tk::kAutoincr},
    {"BEFORE", Tk::kBefore},
    {"BEGIN", Tk::kBegin},
    {"BETWEEN", Tk::kBetween},
    {"BY", Tk::kBy},
    {"CASCADE", Tk::kCascade},
    {"CASE", Tk::kCase},
    {"CAST", Tk::kCast},
    {"CHECK", Tk::kCheck},
    {"COLLATE", Tk::kCollate},
    {"COLUMN", Tk::kColumnKw},
    {"COMMIT", Tk::kCommit},
    {"CONFLICT", Tk::kConflict},
    {"CONSTRAINT", Tk::kConstraint},
    {"CREATE", Tk::kCreate},
    {"CROSS", Tk::kJoinKw},
    {"CURRENT", Tk::kCurrent},
    {"CURRENT_DATE", Tk::kCtimeKw},
    {"CURRENT_TIME", Tk::kCtimeKw},
    {"CURRENT_TIMESTAMP", Tk::kCtimeKw},
    {"DATABASE", Tk::kDatabase},
    {"DEFAULT", Tk::kDefault},
    {"DEFERRABLE", Tk::kDeferrable},
    {"DEFERRED", Tk::kDeferred},
    {"DELETE", Tk::kDelete},
    {"DESC", Tk::kDesc},
    {"DETACH", Tk::kDetach},
    {"DISTINCT", Tk::kDistinct},
    {"DO", Tk::kDo},
    {"DROP", Tk::kDrop},
    {"EACH", Tk::kEach},
    {"ELSE", Tk::kElse},
    {"END", Tk::kEnd},
    {"ESCAPE", Tk::kEscape},
    {"EXCEPT", Tk::kExcept},
    {"EXCLUDE", Tk::kExclude},
    {"EXCLUSIVE", Tk::kExclusive},
    {"EXISTS", Tk::kExists},
    {"EXPLAIN", Tk::kExplain},
    {"FAIL", Tk::kFail},
    {"FILTER", Tk::kFilter},
    {"FIRST", Tk::kFirst},
    {"FOLLOWING", Tk::kFollowing},
    {"FOR", Tk::kFor},
    {"FOREIGN", Tk::kForeign},
    {"FROM", Tk::kFrom},
    {"FULL", Tk::kJoinKw},
    {"GENERATED", Tk::kGenerated},
    {"GLOB", Tk::kLikeKw},
    {"GROUP", Tk::kGroup},
    {"GROUPS", Tk::kGroups},
    {"HAVING", Tk::kHaving},
    {"IF", Tk::kIf},
    {"IGNORE", Tk::kIgnore},
    {"IMMEDIATE", Tk::kImmediate},
    {"IN", Tk::kIn},
    {"INDEX", Tk::kIndex},
    {"INDEXED", Tk::kIndexed},
    {"INITIALLY", Tk::kInitially},
    {"INNER", Tk::kJoinKw},
    {"INSERT", Tk::kInsert},
    {"INSTEAD", Tk::kInstead},
    {"INTERSECT", Tk::kIntersect},
    {"INTO", Tk::kInto},
    {"IS", Tk::kIs},
    {"ISNULL", Tk::kIsnull},
    {"JOIN", Tk::kJoin},
    {"KEY", Tk::kKey},
    {"LAST", Tk::kLast},
    {"LEFT", Tk::kJoinKw},
    {"LIKE", Tk::kLikeKw},
    {"LIMIT", Tk::kLimit},
    {"MATCH", Tk::kMatch},
    {"MATERIALIZED", Tk::kMaterialized},
    {"NATURAL", Tk::kJoinKw},
    {"NO", Tk::kNo},
    {"NOT", Tk::kNot},
    {"NOTHING", Tk::kNothing},
    {"NOTNULL", Tk::kNotnull},
    {"NULL", Tk::kNull},
    {"NULLS", Tk::kNulls},
    {"OF", Tk::kOf},
    {"OFFSET", Tk::kOffset},
    {"ON", Tk::kOn},
    {"OR", Tk::kOr},
    {"ORDER", Tk::kOrder},
    {"OTHERS", Tk::kOthers},
    {"OUTER", Tk::kJoinKw},
    {"OVER", Tk::kOver},
    {"PARTITION", Tk::kPartition},
    {"PLAN", Tk::kPlan},
    {"PRAGMA", Tk::kPragma},
    {"PRECEDING", Tk::kPreceding},
    {"PRIMARY", Tk::kPrimary},
    {"QUERY", Tk::kQuery},
    {"RAISE", Tk::kRaise},
    {"RANGE", Tk::kRange},
    {"RECURSIVE", Tk::kRecursive},
    {"REFERENCES", Tk::kReferences},
    {"REGEXP", Tk::kLikeKw},
    {"REINDEX", Tk::kReindex},
    {"RELEASE", Tk::kRelease},
    {"RENAME", Tk::kRename},
    {"REPLACE", Tk::kReplace},
    {"RESTRICT", Tk::kRestrict},
    {"RETURNING", Tk::kReturning},
    {"RIGHT", Tk::kJoinKw},
    {"ROLLBACK", Tk::kRollback},
    {"ROW", Tk::kRow},
    {"ROWS", Tk::kRows},
    {"SAVEPOINT", Tk::kSavepoint},
    {"SELECT", Tk::kSelect},
    {"SET", Tk::kSet},
    {"TABLE", Tk::kTable},
    {"TEMP", Tk::kTemp},
    {"TEMPORARY", Tk::kTemp},
    {"THEN", Tk::kThen},
    {"TIES", Tk::kTies},
    {"TO", Tk::kTo},
    {"TRANSACTION", Tk::kTransaction},
    {"TRIGGER", Tk::kTrigger},
    {"UNBOUNDED", Tk::kUnbounded},
    {"UNION", Tk::kUnion},
    {"UNIQUE", Tk::kUnique},
    {"UPDATE", Tk::kUpdate},
    {"USING", Tk::kUsing},
    {"VACUUM", Tk::kVacuum},
    {"VALUES", Tk::kValues},
    {"VIEW", Tk::kView},
    {"VIRTUAL", Tk::kVirtual},
    {"WHEN", Tk::kWhen},
    {"WHERE", Tk::kWhere},
    {"WINDOW", Tk::kWindow},
    {"WITH", Tk::kWith},
    {"WITHOUT", Tk::kWithout},
};
constexpr int kKeywordCount = sizeof(kKeywords) / sizeof(kKeywords[0]);
static_assert(kKeywordCount == 147, "SQLite 3.40 has 147 keywords");

// SQLite's %fallback ID list (parse.y), for the options Keel is built with.
constexpr std::array<bool, static_cast<size_t>(Tk::kCount_)> make_fallback() {
  std::array<bool, static_cast<size_t>(Tk::kCount_)> f{};
  constexpr Tk kList[] = {
      Tk::kAbort,     Tk::kAction,    Tk::kAfter,        Tk::kAnalyze,   Tk::kAsc,       Tk::kAttach,
      Tk::kBefore,    Tk::kBegin,     Tk::kBy,           Tk::kCascade,   Tk::kCast,      Tk::kColumnKw,
      Tk::kConflict,  Tk::kDatabase,  Tk::kDeferred,     Tk::kDesc,      Tk::kDetach,    Tk::kDo,
      Tk::kEach,      Tk::kEnd,       Tk::kExclusive,    Tk::kExplain,   Tk::kFail,      Tk::kFor,
      Tk::kIgnore,    Tk::kImmediate, Tk::kInitially,    Tk::kInstead,   Tk::kLikeKw,    Tk::kMatch,
      Tk::kNo,        Tk::kPlan,      Tk::kQuery,        Tk::kKey,       Tk::kOf,        Tk::kOffset,
      Tk::kPragma,    Tk::kRaise,     Tk::kRecursive,    Tk::kRelease,   Tk::kReplace,   Tk::kRestrict,
      Tk::kRow,       Tk::kRows,      Tk::kRollback,     Tk::kSavepoint, Tk::kTemp,      Tk::kTrigger,
      Tk::kVacuum,    Tk::kView,      Tk::kVirtual,      Tk::kWith,      Tk::kWithout,   Tk::kNulls,
      Tk::kFirst,     Tk::kLast,      Tk::kCurrent,      Tk::kFollowing, Tk::kPartition, Tk::kPreceding,
      Tk::kRange,     Tk::kUnbounded, Tk::kExclude,      Tk::kGroups,    Tk::kOthers,    Tk::kTies,
      Tk::kGenerated, Tk::kAlways,    Tk::kMaterialized, Tk::kReindex,   Tk::kRename,    Tk::kCtimeKw,
      Tk::kIf,
  };
  for (Tk t : kList) f[static_cast<size_t>(t)] = true;
  return f;
}
constexpr auto kFallback = make_fallback();

constexpr size_t cstrlen(const char* z) {
  size_t n = 0;
  while (z[n]) ++n;
  return n;
}

// Open-addressing hash table over the upper-case keyword spelling, built at
// compile time: lookup hashes the word once and compares one or two slots.
constexpr uint32_t kSlots = 512;

constexpr uint32_t hash_upper(const char* z, size_t n) {
  uint32_t h = static_cast<uint32_t>(n);
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(z[i]);
    if (c >= 'a' && c <= 'z') c = static_cast<unsigned char>(c - 'a' + 'A');
    h = h * 33 + c;
  }
  return h;
}

struct Table {
  int16_t slot[kSlots];
  uint8_t length[kKeywordCount];
};

constexpr Table make_table() {
  Table t{};
  for (uint32_t i = 0; i < kSlots; ++i) t.slot[i] = -1;
  for (int k = 0; k < kKeywordCount; ++k) {
    t.length[k] = static_cast<uint8_t>(cstrlen(kKeywords[k].name));
    uint32_t h = hash_upper(kKeywords[k].name, cstrlen(kKeywords[k].name)) % kSlots;
    while (t.slot[h] >= 0) h = (h + 1) % kSlots;
    t.slot[h] = static_cast<int16_t>(k);
  }
  return t;
}
constexpr Table kTable = make_table();

}  // namespace

bool can_fallback_to_id(Tk kind) { return kFallback[static_cast<size_t>(kind)]; }

Tk keyword_kind(std::string_view word) {
  if (word.size() < 2 || word.size() > 17) return Tk::kId;
  char upper[17];
  for (size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    upper[i] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  for (uint32_t h = hash_upper(upper, word.size()) % kSlots; kTable.slot[h] >= 0; h = (h + 1) % kSlots) {
    const Keyword& k = kKeywords[kTable.slot[h]];
    if (kTable.length[kTable.slot[h]] == word.size() && std::memcmp(k.name, upper, word.size()) == 0) {
      return k.kind;
    }
  }
  return Tk::kId;
}

int keyword_count() { return kKeywordCount; }
std::string_view keyword_name(int i) { return kKeywords[i].name; }

}  // namespace keel::parse
