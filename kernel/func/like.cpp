// like(), glob() and the pattern matcher behind them (func.c patternCompare).
//
// SQLite's matcher walks NUL-terminated strings; this one walks [begin, end)
// ranges (the inputs cut at their first NUL), reading the end as a NUL, so a
// LIKE in a WHERE clause copies nothing per row. Otherwise the algorithm is
// SQLite's step for step, including its recursion after '%' / '*' and the
// NOWILDCARDMATCH shortcut that stops a failed search early.
#include "func/like.h"

#include <cstring>

#include "func/func_internal.h"
#include "vm/collation.h"

namespace keel::func {
namespace {

enum MatchResult { kMatch = 0, kNoMatch = 1, kNoWildcardMatch = 2 };

using Ptr = const unsigned char*;

// Utf8Read: the next character, or 0 at the end (without advancing).
inline uint32_t read_char(Ptr* p, Ptr end) {
  if (*p >= end) return 0;
  if (**p < 0x80) return *(*p)++;
  return internal::utf8_read(p, end);
}

unsigned char to_upper(uint32_t c) { return static_cast<unsigned char>(c >= 'a' && c <= 'z' ? c - 32 : c); }
uint32_t to_lower(uint32_t c) { return c < 0x80 ? vm::ascii_tolower(static_cast<unsigned char>(c)) : c; }

int pattern_compare(Ptr pat, Ptr pend, Ptr str, Ptr send, const CompareInfo& info, uint32_t match_other) {
  uint32_t c, c2;
  const uint32_t match_one = info.match_one;
  const uint32_t match_all = info.match_all;
  const bool no_case = info.no_case;
  Ptr escaped = nullptr;  // one past the last escaped pattern char

  while ((c = read_char(&pat, pend)) != 0) {
    if (c == match_all) {
      // Skip further '*' and '?', consuming one input character per '?'.
      while ((c = read_char(&pat, pend)) == match_all || (c == match_one && match_one != 0)) {
        if (c == match_one && read_char(&str, send) == 0) return kNoWildcardMatch;
      }
      if (c == 0) return kMatch;  // trailing '*' matches everything
      if (c == match_other) {
        if (info.match_set == 0) {
          c = read_char(&pat, pend);
          if (c == 0) return kNoWildcardMatch;
        } else {
          // "[...]" right after "*": try every position.
          while (str < send) {
            int m = pattern_compare(pat - 1, pend, str, send, info, match_other);
            if (m != kNoMatch) return m;
            internal::utf8_skip(&str, send);
          }
          return kNoWildcardMatch;
        }
      }
      // c is the first literal after the '*': look for it in the input and
      // match the rest of the pattern from there.
      if (c < 0x80) {
        unsigned char s0 = static_cast<unsigned char>(c), s1 = s0;
        if (no_case) {
          s0 = to_upper(c);
          s1 = static_cast<unsigned char>(to_lower(c));
        }
        while (true) {
          while (str < send && *str != s0 && *str != s1) str++;
          if (str >= send) break;
          str++;
          int m = pattern_compare(pat, pend, str, send, info, match_other);
          if (m != kNoMatch) return m;
        }
      } else {
        while ((c2 = read_char(&str, send)) != 0) {
          if (c2 != c) continue;
          int m = pattern_compare(pat, pend, str, send, info, match_other);
          if (m != kNoMatch) return m;
        }
      }
      return kNoWildcardMatch;
    }
    if (c == match_other) {
      if (info.match_set == 0) {
        c = read_char(&pat, pend);
        if (c == 0) return kNoMatch;
        escaped = pat;
      } else {
        uint32_t prior_c = 0;
        bool seen = false;
        bool invert = false;
        c = read_char(&str, send);
        if (c == 0) return kNoMatch;
        c2 = read_char(&pat, pend);
        if (c2 == '^') {
          invert = true;
          c2 = read_char(&pat, pend);
        }
        if (c2 == ']') {
          if (c == ']') seen = true;
          c2 = read_char(&pat, pend);
        }
        while (c2 && c2 != ']') {
          if (c2 == '-' && pat < pend && pat[0] != ']' && prior_c > 0) {
            c2 = read_char(&pat, pend);
            if (c >= prior_c && c <= c2) seen = true;
            prior_c = 0;
          } else {
            if (c == c2) seen = true;
            prior_c = c2;
          }
          c2 = read_char(&pat, pend);
        }
        if (c2 == 0 || (seen ^ invert) == 0) return kNoMatch;
        continue;
      }
    }
    c2 = read_char(&str, send);
    if (c == c2) continue;
    if (no_case && to_lower(c) == to_lower(c2) && c < 0x80 && c2 < 0x80) continue;
    if (c == match_one && pat != escaped && c2 != 0) continue;
    return kNoMatch;
  }
  return str >= send ? kMatch : kNoMatch;
}

}  // namespace

bool pattern_match(std::string_view pattern, std::string_view str, const CompareInfo& info, uint32_t escape) {
  pattern = internal::c_string(pattern);
  str = internal::c_string(str);
  CompareInfo ci = info;
  if (info.match_set == 0 && escape != 0) {
    if (escape == ci.match_all) ci.match_all = 0;
    if (escape == ci.match_one) ci.match_one = 0;
  }
  Ptr p = reinterpret_cast<Ptr>(pattern.data());
  Ptr s = reinterpret_cast<Ptr>(str.data());
  return pattern_compare(p, p + pattern.size(), s, s + str.size(), ci, escape) == kMatch;
}

namespace internal {
namespace {

using vm::Value;
using Args = std::span<Value>;

// SQLITE_MAX_LIKE_PATTERN_LENGTH, the default SQLITE_LIMIT_LIKE_PATTERN_LENGTH.
constexpr size_t kMaxLikePatternLength = 50000;

// like(P,S[,E]) and glob(P,S): note the pattern comes first (S LIKE P). User
// data: 0 = LIKE, 1 = GLOB.
void like_fn(FunctionContext& ctx, Args a) {
  const bool glob = user_int(ctx) == 1;
  // SQLITE_LIKE_DOESNT_MATCH_BLOBS (as Debian's build): a blob never matches.
  if (a[0].is_blob() || a[1].is_blob()) {
    ctx.result().set_int(0);
    return;
  }
  vm::NumberText n0, n1, n2;
  std::string_view pat = arg_bytes(a[0], n0);
  if (pat.size() > kMaxLikePatternLength) {
    ctx.set_error("LIKE or GLOB pattern too complex");
    return;
  }
  CompareInfo info = glob ? kGlobInfo : (ctx.host().case_sensitive_like() ? kLikeInfoCase : kLikeInfoNoCase);
  uint32_t escape;
  if (a.size() == 3) {
    if (a[2].is_null()) return;
    std::string_view esc = arg_bytes(a[2], n2);
    if (utf8_char_count(esc) != 1) {
      ctx.set_error("ESCAPE expression must be a single character");
      return;
    }
    const unsigned char* z = reinterpret_cast<const unsigned char*>(esc.data());
    escape = utf8_read(&z, z + esc.size());
  } else {
    escape = info.match_set;
  }
  if (a[0].is_null() || a[1].is_null()) return;
  std::string_view str = arg_bytes(a[1], n1);
  ctx.result().set_int(pattern_match(pat, str, info, escape) ? 1 : 0);
}

}  // namespace

void register_like_functions(FunctionRegistry& r) {
  r.add(scalar_def("like", 2, like_fn, kPure | kLike, int_user_data(0)));
  r.add(scalar_def("like", 3, like_fn, kPure | kLike, int_user_data(0)));
  r.add(scalar_def("glob", 2, like_fn, kPure | kLike | kCaseSensitiveLike, int_user_data(1)));
}

}  // namespace internal
}  // namespace keel::func
