// Tokens: what the tokenizer produces, with SQLite's token classes.
//
// Keywords have their own kinds; SQLite maps several spellings onto one kind
// (LIKE/GLOB/REGEXP -> kLikeKw, LEFT/RIGHT/... -> kJoinKw, TEMP/TEMPORARY ->
// kTemp, CURRENT_DATE/TIME/TIMESTAMP -> kCtimeKw). Keywords that SQLite lets
// fall back to an identifier are marked by can_fallback_to_id().
#pragma once

#include <cstdint>
#include <string_view>

namespace keel::parse {

enum class Tk : uint8_t {
  kEof,    // end of input (also an embedded NUL byte)
  kSpace,  // white space and comments
  kIllegal,
  kId,
  kString,
  kInteger,
  kFloat,
  kBlob,
  kVariable,
  // punctuation and operators
  kSemi,
  kLp,
  kRp,
  kComma,
  kDot,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kRem,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kBitAnd,
  kBitOr,
  kBitNot,
  kLShift,
  kRShift,
  kConcat,
  kPtr,
  // keywords
  kAbort,
  kAction,
  kAdd,
  kAfter,
  kAll,
  kAlter,
  kAlways,
  kAnalyze,
  kAnd,
  kAs,
  kAsc,
  kAttach,
  kAutoincr,
  kBefore,
  kBegin,
  kBetween,
  kBy,
  kCascade,
  kCase,
  kCast,
  kCheck,
  kCollate,
  kColumnKw,
  kCommit,
  kConflict,
  kConstraint,
  kCreate,
  kJoinKw,
  kCurrent,
  kCtimeKw,
  kDatabase,
  kDefault,
  kDeferred,
  kDeferrable,
  kDelete,
  kDesc,
  kDetach,
  kDistinct,
  kDo,
  kDrop,
  kEnd,
  kEach,
  kElse,
  kEscape,
  kExcept,
  kExclusive,
  kExclude,
  kExists,
  kExplain,
  kFail,
  kFilter,
  kFirst,
  kFollowing,
  kFor,
  kForeign,
  kFrom,
  kGenerated,
  kLikeKw,
  kGroup,
  kGroups,
  kHaving,
  kIf,
  kIgnore,
  kImmediate,
  kIn,
  kIndex,
  kIndexed,
  kInitially,
  kInsert,
  kInstead,
  kIntersect,
  kInto,
  kIs,
  kIsnull,
  kJoin,
  kKey,
  kLast,
  kLimit,
  kMatch,
  kMaterialized,
  kNo,
  kNot,
  kNothing,
  kNotnull,
  kNull,
  kNulls,
  kOf,
  kOffset,
  kOn,
  kOr,
  kOrder,
  kOthers,
  kOver,
  kPartition,
  kPlan,
  kPragma,
  kPreceding,
  kPrimary,
  kQuery,
  kRaise,
  kRange,
  kRecursive,
  kReferences,
  kReindex,
  kRelease,
  kRename,
  kReplace,
  kRestrict,
  kReturning,
  kRollback,
  kRow,
  kRows,
  kSavepoint,
  kSelect,
  kSet,
  kTable,
  kTemp,
  kThen,
  kTies,
  kTo,
  kTransaction,
  kTrigger,
  kUnbounded,
  kUnion,
  kUnique,
  kUpdate,
  kUsing,
  kVacuum,
  kValues,
  kView,
  kVirtual,
  kWhen,
  kWhere,
  kWindow,
  kWith,
  kWithout,
  kCount_
};

struct Token {
  Tk kind = Tk::kEof;
  uint32_t offset = 0;
  uint32_t length = 0;
  uint32_t end() const { return offset + length; }
};

// True for the keywords of SQLite's %fallback ID list: where the grammar has
// no use for the keyword, it is taken as an identifier.
bool can_fallback_to_id(Tk kind);

// The keyword kind for an identifier-shaped word (ASCII, case-insensitive),
// or Tk::kId when the word is not a keyword.
Tk keyword_kind(std::string_view word);

// Number of SQLite keywords (sqlite3_keyword_count) and the i-th one, upper case.
int keyword_count();
std::string_view keyword_name(int i);

// Scans one token of `sql` at `pos`, exactly as SQLite's sqlite3GetToken.
// Returns the token; a NUL byte or the end of the text gives kEof.
Token next_token(std::string_view sql, uint32_t pos);

// True if byte c may appear in an identifier (letters, digits, '_', '$', >= 0x80).
inline bool is_id_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
         c >= 0x80;
}

}  // namespace keel::parse
