// String functions of SQLite's func.c: length, instr, char, unicode, lower,
// upper, ltrim/rtrim/trim, replace, substr/substring and soundex.
//
// Text is UTF-8. Where SQLite walks a NUL-terminated string (length(),
// substr() of text, unicode(), the trim() character set) the text ends at its
// first NUL byte here too; where it uses sqlite3_value_bytes (trim's input,
// replace, instr, upper/lower) every byte counts. lower()/upper() fold ASCII
// only, as SQLite built without ICU.
#include <cstring>

#include "func/func_internal.h"
#include "vm/collation.h"

namespace keel::func {
namespace internal {
namespace {

using vm::Value;
using vm::ValueType;
using Args = std::span<Value>;

const unsigned char* ubegin(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
const unsigned char* uend(std::string_view s) { return ubegin(s) + s.size(); }

void length_fn(FunctionContext& ctx, Args a) {
  switch (a[0].type()) {
    case ValueType::kBlob:
    case ValueType::kInteger:
    case ValueType::kReal: {
      vm::NumberText nt;
      ctx.result().set_int(static_cast<int64_t>(a[0].is_blob() ? a[0].size() : a[0].as_text(nt).size()));
      return;
    }
    case ValueType::kText: {
      // Counts every byte that is not a continuation byte of a multi-byte
      // character, up to the first NUL.
      std::string_view s = c_string(a[0].text());
      const unsigned char* z = ubegin(s);
      const unsigned char* end = uend(s);
      int64_t n = 0;
      while (z < end) {
        unsigned char c = *z++;
        if (c >= 0xc0) {
          while (z < end && (*z & 0xc0) == 0x80) z++;
        }
        n++;
      }
      ctx.result().set_int(n);
      return;
    }
    case ValueType::kNull:
      return;
  }
}

// instr(X,Y): 1-based character (byte, for two blobs) index of the first Y in
// X, 0 if absent, 1 for an empty Y.
void instr_fn(FunctionContext& ctx, Args a) {
  if (a[0].is_null() || a[1].is_null()) return;
  vm::NumberText n1, n2;
  bool is_text = !(a[0].is_blob() && a[1].is_blob());
  std::string_view hay = arg_bytes(a[0], n1);
  std::string_view needle = arg_bytes(a[1], n2);
  int64_t n = 1;
  if (!needle.empty()) {
    const unsigned char* z = ubegin(hay);
    size_t n_hay = hay.size();
    const unsigned char* zn = ubegin(needle);
    size_t n_needle = needle.size();
    while (n_needle <= n_hay && (z[0] != zn[0] || std::memcmp(z, zn, n_needle) != 0)) {
      n++;
      do {
        n_hay--;
        z++;
      } while (is_text && n_hay > 0 && (z[0] & 0xc0) == 0x80);
    }
    if (n_needle > n_hay) n = 0;
  }
  ctx.result().set_int(n);
}

// char(X1,...,XN): the characters with those code points; out-of-range code
// points become U+FFFD.
void char_fn(FunctionContext& ctx, Args a) {
  std::string out;
  out.reserve(a.size() * 4);
  for (Value& v : a) {
    int64_t x = v.as_int64();
    if (x < 0 || x > 0x10ffff) x = 0xfffd;
    unsigned char buf[4];
    int n = utf8_write(static_cast<uint32_t>(x & 0x1fffff), buf);
    out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
  }
  result_text(ctx, out);
}

void unicode_fn(FunctionContext& ctx, Args a) {
  if (a[0].is_null()) return;
  vm::NumberText nt;
  std::string_view s = c_string(arg_bytes(a[0], nt));
  if (s.empty()) return;
  const unsigned char* z = ubegin(s);
  ctx.result().set_int(utf8_read(&z, uend(s)));
}

void case_fn(FunctionContext& ctx, Args a, bool upper) {
  if (a[0].is_null()) return;
  vm::NumberText nt;
  std::string_view s = arg_bytes(a[0], nt);
  if (static_cast<int64_t>(s.size()) > ctx.host().max_length()) {
    ctx.set_error_toobig();
    return;
  }
  char* out = ctx.result().prepare_text(s.size());
  for (size_t i = 0; i < s.size(); i++) {
    unsigned char u = static_cast<unsigned char>(s[i]);
    if (upper) {
      out[i] = static_cast<char>(u >= 'a' && u <= 'z' ? u - 32 : u);
    } else {
      out[i] = static_cast<char>(vm::ascii_tolower(u));
    }
  }
}

void upper_fn(FunctionContext& ctx, Args a) { case_fn(ctx, a, true); }
void lower_fn(FunctionContext& ctx, Args a) { case_fn(ctx, a, false); }

// The length of the character of `set` found at the start (front = true) or
// the end of `in`, or 0 if none is. `set` is walked afresh on every call: it
// is short, and this keeps trim() free of allocations.
size_t trim_match(std::string_view in, std::string_view set, bool front) {
  const unsigned char* z = ubegin(set);
  const unsigned char* end = uend(set);
  while (z < end) {
    const unsigned char* start = z;
    utf8_skip(&z, end);
    size_t len = static_cast<size_t>(z - start);
    const char* at = front ? in.data() : in.data() + in.size() - len;
    if (len <= in.size() && std::memcmp(at, start, len) == 0) return len;
  }
  return 0;
}

// trim family; user data: 1 = left, 2 = right, 3 = both. The optional second
// argument is a set of characters (UTF-8, up to its first NUL); an empty set
// trims nothing.
void trim_fn(FunctionContext& ctx, Args a) {
  if (a[0].is_null()) return;
  vm::NumberText nt, nt2;
  std::string_view in = arg_bytes(a[0], nt);
  std::string_view set = " ";
  if (a.size() == 2) {
    if (a[1].is_null()) return;
    set = c_string(arg_bytes(a[1], nt2));
  }
  if (!set.empty()) {
    int flags = user_int(ctx);
    if (flags & 1) {
      while (!in.empty()) {
        size_t len = trim_match(in, set, true);
        if (len == 0) break;
        in.remove_prefix(len);
      }
    }
    if (flags & 2) {
      while (!in.empty()) {
        size_t len = trim_match(in, set, false);
        if (len == 0) break;
        in.remove_suffix(len);
      }
    }
  }
  result_text(ctx, in);
}

// replace(X,Y,Z): every Y in X replaced by Z. An empty Y (or one starting with
// a NUL byte) returns X unchanged, with its type.
void replace_fn(FunctionContext& ctx, Args a) {
  if (a[0].is_null()) return;
  vm::NumberText n0, n1, n2;
  std::string_view str = arg_bytes(a[0], n0);
  if (a[1].is_null()) return;
  std::string_view pat = arg_bytes(a[1], n1);
  if (pat.empty() || pat[0] == 0) {
    // X is returned as it is, except that reading it as text has made a
    // BLOB a TEXT (sqlite3_value_text converts the argument in place).
    result_value(ctx, a[0]);
    ctx.result().retype_bytes(vm::ValueType::kText);
    return;
  }
  if (a[2].is_null()) return;
  std::string_view rep = arg_bytes(a[2], n2);
  // Two passes: count the matches (SQLite's left-to-right, non-overlapping
  // scan), then write the result straight into the result register.
  auto scan = [&](auto&& on_byte, auto&& on_match) {
    size_t i = 0;
    if (str.size() >= pat.size()) {
      size_t loop_limit = str.size() - pat.size();
      for (; i <= loop_limit; i++) {
        if (str[i] != pat[0] || std::memcmp(&str[i], pat.data(), pat.size()) != 0) {
          on_byte(str[i]);
        } else {
          on_match();
          i += pat.size() - 1;
        }
      }
    }
    for (; i < str.size(); i++) on_byte(str[i]);
  };
  int64_t n_out = 0;
  scan([&](char) { n_out++; }, [&] { n_out += static_cast<int64_t>(rep.size()); });
  if (n_out > ctx.host().max_length()) {
    ctx.set_error_toobig();
    return;
  }
  char* out = ctx.result().prepare_text(static_cast<size_t>(n_out));
  scan([&](char c) { *out++ = c; },
       [&] {
         std::memcpy(out, rep.data(), rep.size());
         out += rep.size();
       });
}

// substr(X,Y[,Z]) with SQLite's rules for a zero, negative or out-of-range
// start and a negative length (characters before Y). Text counts characters,
// blobs count bytes.
void substr_fn(FunctionContext& ctx, Args a) {
  if (a[1].is_null() || (a.size() == 3 && a[2].is_null())) return;
  if (a[0].is_null()) return;
  bool is_blob = a[0].is_blob();
  int64_t p1 = value_int(a[1]);
  int64_t p2 = 0;
  vm::NumberText nt;
  std::string_view s = arg_bytes(a[0], nt);
  int64_t len = 0;
  if (is_blob) {
    len = static_cast<int64_t>(s.size());
    if (len == 0) return;  // sqlite3_value_blob of an empty blob is NULL
  } else {
    s = c_string(s);
    if (p1 < 0) {
      const unsigned char* z = ubegin(s);
      while (z < uend(s)) {
        utf8_skip(&z, uend(s));
        len++;
      }
    }
  }
  bool neg_p2 = false;
  if (a.size() == 3) {
    p2 = value_int(a[2]);
    if (p2 < 0) {
      p2 = -p2;
      neg_p2 = true;
    }
  } else {
    p2 = ctx.host().max_length();
  }
  if (p1 < 0) {
    p1 += len;
    if (p1 < 0) {
      p2 += p1;
      if (p2 < 0) p2 = 0;
      p1 = 0;
    }
  } else if (p1 > 0) {
    p1--;
  } else if (p2 > 0) {
    p2--;
  }
  if (neg_p2) {
    p1 -= p2;
    if (p1 < 0) {
      p2 += p1;
      p1 = 0;
    }
  }
  if (!is_blob) {
    const unsigned char* z = ubegin(s);
    const unsigned char* end = uend(s);
    while (z < end && p1) {
      utf8_skip(&z, end);
      p1--;
    }
    const unsigned char* z2 = z;
    for (; z2 < end && p2; p2--) utf8_skip(&z2, end);
    result_text(ctx, std::string_view(reinterpret_cast<const char*>(z), static_cast<size_t>(z2 - z)));
  } else {
    if (p1 + p2 > len) {
      p2 = len - p1;
      if (p2 < 0) p2 = 0;
    }
    const uint8_t* b = reinterpret_cast<const uint8_t*>(s.data());
    result_blob(ctx, std::span<const uint8_t>(p2 > 0 ? b + p1 : b, static_cast<size_t>(p2)));
  }
}

// soundex(X): the American Soundex code; "?000" when X has no ASCII letter.
void soundex_fn(FunctionContext& ctx, Args a) {
  static const unsigned char kCode[] = {
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 1, 2, 3, 0, 1, 2, 0, 0, 2, 2, 4, 5, 5, 0, 1, 2, 6, 2, 3, 0, 1, 0, 2, 0, 2, 0, 0, 0, 0, 0,
      0, 0, 1, 2, 3, 0, 1, 2, 0, 0, 2, 2, 4, 5, 5, 0, 1, 2, 6, 2, 3, 0, 1, 0, 2, 0, 2, 0, 0, 0, 0, 0,
  };
  vm::NumberText nt;
  std::string_view s = a[0].is_null() ? std::string_view() : c_string(arg_bytes(a[0], nt));
  auto is_alpha = [](unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  size_t i = 0;
  while (i < s.size() && !is_alpha(static_cast<unsigned char>(s[i]))) i++;
  if (i == s.size()) {
    ctx.result().set_text_ref("?000");
    return;
  }
  char out[5];
  unsigned char first = static_cast<unsigned char>(s[i]);
  unsigned char prev = kCode[first & 0x7f];
  out[0] = static_cast<char>(first >= 'a' && first <= 'z' ? first - 32 : first);
  int j = 1;
  for (; j < 4 && i < s.size(); i++) {
    unsigned char code = kCode[static_cast<unsigned char>(s[i]) & 0x7f];
    if (code > 0) {
      if (code != prev) {
        prev = code;
        out[j++] = static_cast<char>(code + '0');
      }
    } else {
      prev = 0;
    }
  }
  while (j < 4) out[j++] = '0';
  ctx.result().set_text(std::string_view(out, 4));
}

}  // namespace

void register_string_functions(FunctionRegistry& r) {
  r.add(scalar_def("length", 1, length_fn, kPureParallel | kArgsByView));
  r.add(scalar_def("instr", 2, instr_fn, kPureParallel));
  r.add(scalar_def("char", -1, char_fn));
  r.add(scalar_def("unicode", 1, unicode_fn, kPureParallel));
  r.add(scalar_def("upper", 1, upper_fn, kPureParallel));
  r.add(scalar_def("lower", 1, lower_fn, kPureParallel));
  r.add(scalar_def("ltrim", 1, trim_fn, kPureParallel, int_user_data(1)));
  r.add(scalar_def("ltrim", 2, trim_fn, kPureParallel, int_user_data(1)));
  r.add(scalar_def("rtrim", 1, trim_fn, kPureParallel, int_user_data(2)));
  r.add(scalar_def("rtrim", 2, trim_fn, kPureParallel, int_user_data(2)));
  r.add(scalar_def("trim", 1, trim_fn, kPureParallel, int_user_data(3)));
  r.add(scalar_def("trim", 2, trim_fn, kPureParallel, int_user_data(3)));
  r.add(scalar_def("replace", 3, replace_fn, kPureParallel));
  r.add(scalar_def("substr", 2, substr_fn, kPureParallel));
  r.add(scalar_def("substr", 3, substr_fn, kPureParallel));
  r.add(scalar_def("substring", 2, substr_fn, kPureParallel));
  r.add(scalar_def("substring", 3, substr_fn, kPureParallel));
  r.add(scalar_def("soundex", 1, soundex_fn));
}

}  // namespace internal
}  // namespace keel::func
