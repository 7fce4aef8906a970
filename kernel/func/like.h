// LIKE and GLOB pattern matching (SQLite's patternCompare), shared by the
// like()/glob() SQL functions and usable by the VM for the LIKE optimization.
//
// Patterns and strings are UTF-8 and end at their first NUL byte, as in
// SQLite. LIKE: '%' any sequence, '_' one character, an optional escape
// character, ASCII-only case folding unless case_sensitive_like. GLOB: '*',
// '?', '[...]' sets with ranges and '^' negation, case-sensitive.
//
// For the planner's LIKE optimization: like() and glob() carry kLike; glob()
// also carries kCaseSensitiveLike, while like() is case-sensitive exactly when
// FunctionHost::case_sensitive_like() (PRAGMA case_sensitive_like) says so.
#pragma once

#include <cstdint>
#include <string_view>

namespace keel::func {

struct CompareInfo {
  uint32_t match_all;  // '%' or '*'
  uint32_t match_one;  // '_' or '?'
  uint32_t match_set;  // '[' or 0 for LIKE
  bool no_case;        // LIKE without case_sensitive_like
};

inline constexpr CompareInfo kGlobInfo{'*', '?', '[', false};
inline constexpr CompareInfo kLikeInfoNoCase{'%', '_', 0, true};
inline constexpr CompareInfo kLikeInfoCase{'%', '_', 0, false};

// True if `str` matches `pattern`. `escape` is the LIKE escape character (0
// for none); for GLOB pass '['. When the escape equals a wildcard, that
// wildcard loses its meaning (as likeFunc arranges).
bool pattern_match(std::string_view pattern, std::string_view str, const CompareInfo& info, uint32_t escape);

}  // namespace keel::func
