// The printf engine, transcribed from SQLite 3.40's printf.c
// (sqlite3_str_vappendf) so that output agrees byte for byte. One engine is
// instantiated twice: over a C va_list, and over an array of SQL Values (the
// bArgList mode of the SQL printf() function). The internal-only conversions
// %T and %S (parser tokens and FROM items) are not provided; %r (ordinals,
// "2nd") is. Doubles are rendered in printf_float.cpp.
#include "vm/printf.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "vm/printf_internal.h"
#include "vm/value.h"

namespace keel::vm {

const char printf_internal::kDigits[] = "0123456789ABCDEF0123456789abcdef";

namespace {

using namespace printf_internal;

constexpr uint8_t kFlagSigned = 1;

struct FmtInfo {
  char fmttype;
  uint8_t base;
  uint8_t flags;
  Conv type;
  uint8_t charset;
  uint8_t prefix;
};

const char kPrefix[] = "-x0\000X0";
const FmtInfo kFmtInfo[] = {
    {'d', 10, 1, kDecimal, 0, 0},   {'s', 0, 4, kString, 0, 0},    {'g', 0, 1, kGeneric, 30, 0},
    {'z', 0, 4, kDynString, 0, 0},  {'q', 0, 4, kSqlEscape, 0, 0}, {'Q', 0, 4, kSqlEscape2, 0, 0},
    {'w', 0, 4, kSqlEscape3, 0, 0}, {'c', 0, 0, kCharX, 0, 0},     {'o', 8, 0, kRadix, 0, 2},
    {'u', 10, 0, kDecimal, 0, 0},   {'x', 16, 0, kRadix, 16, 1},   {'X', 16, 0, kRadix, 0, 4},
    {'f', 0, 1, kFloat, 0, 0},      {'e', 0, 1, kExp, 30, 0},      {'E', 0, 1, kExp, 14, 0},
    {'G', 0, 1, kGeneric, 14, 0},   {'i', 10, 1, kDecimal, 0, 0},  {'n', 0, 0, kSize, 0, 0},
    {'%', 0, 0, kPercent, 0, 0},    {'p', 16, 0, kPointer, 0, 1},  {'r', 10, 1, kOrdinal, 0, 0},
};

// Output accumulator with SQLite's length limit (accError = TOOBIG). As
// sqlite3StrAccumEnlarge reserves a byte for the terminating NUL, output
// fails once it would reach `limit` bytes: at most limit - 1 succeed.
struct Sink {
  std::string* out;
  size_t limit;
  bool too_big = false;
  // Whether anything (even zero bytes) was appended: SQLite's accumulator
  // allocates on the first append, and printf() returns NULL without one.
  bool touched = false;

  void append(const char* p, size_t n) {
    touched = true;
    if (too_big) return;
    if (out->size() + n >= limit) {
      too_big = true;
      return;
    }
    out->append(p, n);
  }
  void append_char(size_t n, char c) {
    touched = true;
    if (too_big) return;
    if (out->size() + n >= limit) {
      too_big = true;
      return;
    }
    out->append(n, c);
  }
};

// Arguments from a C va_list.
class VaArgs {
 public:
  explicit VaArgs(va_list ap) { va_copy(ap_, ap); }
  ~VaArgs() { va_end(ap_); }
  static constexpr bool kSql = false;
  int star() { return va_arg(ap_, int); }
  int64_t signed_int(int flag_long) {
    if (flag_long == 2) return va_arg(ap_, long long);
    if (flag_long == 1) return va_arg(ap_, long);
    return va_arg(ap_, int);
  }
  uint64_t unsigned_int(int flag_long) {
    if (flag_long == 3) return reinterpret_cast<uintptr_t>(va_arg(ap_, void*));
    if (flag_long == 2) return va_arg(ap_, unsigned long long);
    if (flag_long == 1) return va_arg(ap_, unsigned long);
    return va_arg(ap_, unsigned int);
  }
  double real() { return va_arg(ap_, double); }
  // NUL-terminated string or nullptr.
  const char* text() { return va_arg(ap_, const char*); }
  unsigned int codepoint() { return va_arg(ap_, unsigned int); }
  int* count_ptr() { return va_arg(ap_, int*); }

 private:
  va_list ap_;
};

// Arguments from SQL values (getIntArg/getDoubleArg/getTextArg).
class SqlArgs {
 public:
  explicit SqlArgs(std::span<const Value> args) : args_(args) {}
  static constexpr bool kSql = true;
  int star() { return static_cast<int>(signed_int(0)); }
  int64_t signed_int(int) {
    if (next_ >= args_.size()) return 0;
    return args_[next_++].as_int64();
  }
  uint64_t unsigned_int(int) { return static_cast<uint64_t>(signed_int(0)); }
  double real() {
    if (next_ >= args_.size()) return 0.0;
    return args_[next_++].as_double();
  }
  // sqlite3_value_text: NULL → nullptr; the bytes end at the first NUL, as
  // SQLite's printf reads them as a C string.
  const char* text() {
    if (next_ >= args_.size()) return nullptr;
    const Value& v = args_[next_++];
    if (v.is_null()) return nullptr;
    NumberText t;
    std::string_view s = v.as_text(t);
    size_t n = s.size();
    const void* nul = n ? std::memchr(s.data(), 0, n) : nullptr;
    if (nul) n = static_cast<size_t>(static_cast<const char*>(nul) - s.data());
    scratch_.assign(s.data(), n);
    return scratch_.c_str();
  }
  unsigned int codepoint() { return 0; }
  int* count_ptr() { return nullptr; }

 private:
  std::span<const Value> args_;
  size_t next_ = 0;
  std::string scratch_;
};

template <typename Args>
void vappendf(Sink& acc, const char* fmt, const char* fmt_end, Args& args) {
  char buf[kBufSize];
  std::string extra;  // oversize conversions
  char c;
  auto at = [&](const char* p) -> char { return p < fmt_end ? *p : 0; };

  for (; (c = at(fmt)) != 0; ++fmt) {
    if (c != '%') {
      const char* start = fmt;
      do {
        fmt++;
      } while (at(fmt) && *fmt != '%');
      acc.append(start, static_cast<size_t>(fmt - start));
      if (at(fmt) == 0) break;
    }
    if ((c = at(++fmt)) == 0) {
      acc.append("%", 1);
      break;
    }
    bool flag_leftjustify = false, flag_alternateform = false, flag_altform2 = false, flag_zeropad = false;
    char flag_prefix = 0, c_thousand = 0;
    bool done = false;
    int width = 0;
    int flag_long = 0;
    int precision = -1;
    do {
      switch (c) {
        case '-':
          flag_leftjustify = true;
          break;
        case '+':
          flag_prefix = '+';
          break;
        case ' ':
          flag_prefix = ' ';
          break;
        case '#':
          flag_alternateform = true;
          break;
        case '!':
          flag_altform2 = true;
          break;
        case '0':
          flag_zeropad = true;
          break;
        case ',':
          c_thousand = ',';
          break;
        default:
          done = true;
          break;
        case 'l': {
          flag_long = 1;
          c = at(++fmt);
          if (c == 'l') {
            c = at(++fmt);
            flag_long = 2;
          }
          done = true;
          break;
        }
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7':
        case '8':
        case '9': {
          unsigned wx = static_cast<unsigned>(c - '0');
          while ((c = at(++fmt)) >= '0' && c <= '9') wx = wx * 10 + static_cast<unsigned>(c - '0');
          width = static_cast<int>(wx & 0x7fffffff);
          if (c != '.' && c != 'l') {
            done = true;
          } else {
            fmt--;
          }
          break;
        }
        case '*': {
          width = args.star();
          if (width < 0) {
            flag_leftjustify = true;
            width = width >= -2147483647 ? -width : 0;
          }
          if ((c = at(fmt + 1)) != '.' && c != 'l') {
            c = at(++fmt);
            done = true;
          }
          break;
        }
        case '.': {
          c = at(++fmt);
          if (c == '*') {
            precision = args.star();
            if (precision < 0) precision = precision >= -2147483647 ? -precision : -1;
            c = at(++fmt);
          } else {
            unsigned px = 0;
            while (c >= '0' && c <= '9') {
              px = px * 10 + static_cast<unsigned>(c - '0');
              c = at(++fmt);
            }
            precision = static_cast<int>(px & 0x7fffffff);
          }
          if (c == 'l') {
            --fmt;
          } else {
            done = true;
          }
          break;
        }
      }
    } while (!done && (c = at(++fmt)) != 0);

    const FmtInfo* infop = &kFmtInfo[0];
    Conv xtype = kInvalid;
    for (const FmtInfo& fi : kFmtInfo) {
      if (c == fi.fmttype) {
        infop = &fi;
        xtype = fi.type;
        break;
      }
    }

    const char* bufpt = nullptr;
    int length = 0;
    char prefix;
    switch (xtype) {
      case kPointer:
      case kOrdinal:
      case kRadix:
      case kDecimal: {
        if (xtype == kPointer) flag_long = 3;  // a pointer-sized unsigned argument
        if (xtype != kDecimal) c_thousand = 0;
        uint64_t longvalue;
        if (infop->flags & kFlagSigned) {
          int64_t v = args.signed_int(flag_long);
          if (v < 0) {
            longvalue = ~static_cast<uint64_t>(v);
            longvalue++;
            prefix = '-';
          } else {
            longvalue = static_cast<uint64_t>(v);
            prefix = flag_prefix;
          }
        } else {
          longvalue = args.unsigned_int(flag_long);
          prefix = 0;
        }
        if (longvalue == 0) flag_alternateform = false;
        if (flag_zeropad && precision < width - (prefix != 0)) precision = width - (prefix != 0);
        char* zout;
        size_t n_out;
        if (precision < kBufSize - 10 - kBufSize / 3) {
          n_out = kBufSize;
          zout = buf;
        } else {
          n_out = static_cast<size_t>(precision) + 10;
          if (c_thousand) n_out += static_cast<size_t>(precision) / 3;
          if (n_out > acc.limit) {  // printfTempBuf's limit check
            acc.too_big = true;
            return;
          }
          extra.resize(n_out);
          zout = extra.data();
        }
        char* p = &zout[n_out - 1];
        if (xtype == kOrdinal) {  // "1st", "2nd", "3rd", "4th", "11th"
          static const char kOrd[] = "thstndrd";
          int x = static_cast<int>(longvalue % 10);
          if (x >= 4 || (longvalue / 10) % 10 == 1) x = 0;
          *(--p) = kOrd[x * 2 + 1];
          *(--p) = kOrd[x * 2];
        }
        const char* cset = &kDigits[infop->charset];
        uint8_t base = infop->base;
        do {
          *(--p) = cset[longvalue % base];
          longvalue = longvalue / base;
        } while (longvalue > 0);
        length = static_cast<int>(&zout[n_out - 1] - p);
        while (precision > length) {
          *(--p) = '0';
          length++;
        }
        if (c_thousand) {
          int nn = (length - 1) / 3;
          int ix = (length - 1) % 3 + 1;
          p -= nn;
          for (int i = 0; nn > 0; i++) {
            p[i] = p[i + nn];
            ix--;
            if (ix == 0) {
              p[++i] = c_thousand;
              nn--;
              ix = 3;
            }
          }
        }
        if (prefix) *(--p) = prefix;
        if (flag_alternateform && infop->prefix) {
          for (const char* pre = &kPrefix[infop->prefix]; *pre; pre++) *(--p) = *pre;
        }
        length = static_cast<int>(&zout[n_out - 1] - p);
        bufpt = p;
        break;
      }
      case kFloat:
      case kExp:
      case kGeneric: {
        double realvalue = args.real();
        FloatSpec f{xtype,        precision,          width,
                    flag_prefix,  flag_alternateform, flag_altform2,
                    flag_zeropad, flag_leftjustify,   infop->charset};
        size_t flen = render_float(realvalue, f, extra, buf, sizeof(buf), acc.limit, &bufpt);
        if (flen == kTooBigLen) {
          acc.too_big = true;
          return;
        }
        length = static_cast<int>(flen);
        break;
      }
      case kSize: {
        if constexpr (!Args::kSql) {
          int* p = args.count_ptr();
          if (p) *p = static_cast<int>(acc.out->size());
        }
        length = width = 0;
        break;
      }
      case kPercent:
        buf[0] = '%';
        bufpt = buf;
        length = 1;
        break;
      case kCharX: {
        if constexpr (Args::kSql) {
          const char* t = args.text();
          length = 1;
          if (t) {
            buf[0] = c = *(t++);
            if ((c & 0xc0) == 0xc0) {
              while (length < 4 && (t[0] & 0xc0) == 0x80) buf[length++] = *(t++);
            }
          } else {
            buf[0] = 0;
          }
        } else {
          unsigned int ch = args.codepoint();
          if (ch < 0x00080) {
            buf[0] = static_cast<char>(ch & 0xff);
            length = 1;
          } else if (ch < 0x00800) {
            buf[0] = static_cast<char>(0xc0 + ((ch >> 6) & 0x1f));
            buf[1] = static_cast<char>(0x80 + (ch & 0x3f));
            length = 2;
          } else if (ch < 0x10000) {
            buf[0] = static_cast<char>(0xe0 + ((ch >> 12) & 0x0f));
            buf[1] = static_cast<char>(0x80 + ((ch >> 6) & 0x3f));
            buf[2] = static_cast<char>(0x80 + (ch & 0x3f));
            length = 3;
          } else {
            buf[0] = static_cast<char>(0xf0 + ((ch >> 18) & 0x07));
            buf[1] = static_cast<char>(0x80 + ((ch >> 12) & 0x3f));
            buf[2] = static_cast<char>(0x80 + ((ch >> 6) & 0x3f));
            buf[3] = static_cast<char>(0x80 + (ch & 0x3f));
            length = 4;
          }
        }
        if (precision > 1) {
          width -= precision - 1;
          if (width > 1 && !flag_leftjustify) {
            acc.append_char(static_cast<size_t>(width - 1), ' ');
            width = 0;
          }
          if (static_cast<size_t>(precision) * static_cast<size_t>(length) > acc.limit) {
            acc.too_big = true;
            return;
          }
          while (precision-- > 1) acc.append(buf, static_cast<size_t>(length));
        }
        bufpt = buf;
        flag_altform2 = true;
        goto adjust_width_for_utf8;
      }
      case kString:
      case kDynString: {
        bufpt = args.text();
        if (bufpt == nullptr) bufpt = "";
        if (precision >= 0) {
          if (flag_altform2) {
            const unsigned char* z = reinterpret_cast<const unsigned char*>(bufpt);
            while (precision-- > 0 && z[0]) {
              // SQLITE_SKIP_UTF8
              if (*(z++) >= 0xc0) {
                while ((*z & 0xc0) == 0x80) z++;
              }
            }
            length = static_cast<int>(z - reinterpret_cast<const unsigned char*>(bufpt));
          } else {
            for (length = 0; length < precision && bufpt[length]; length++) {
            }
          }
        } else {
          length = static_cast<int>(0x7fffffff & std::strlen(bufpt));
        }
      adjust_width_for_utf8:
        if (flag_altform2 && width > 0) {
          int ii = length - 1;
          while (ii >= 0)
            if ((bufpt[ii--] & 0xc0) == 0x80) width++;
        }
        break;
      }
      case kSqlEscape:
      case kSqlEscape2:
      case kSqlEscape3: {
        char q = xtype == kSqlEscape3 ? '"' : '\'';
        const char* escarg = args.text();
        bool isnull = escarg == nullptr;
        if (isnull) escarg = xtype == kSqlEscape2 ? "NULL" : "(NULL)";
        int64_t i, j, k, n;
        char ch;
        k = precision;
        for (i = n = 0; k != 0 && (ch = escarg[i]) != 0; i++, k--) {
          if (ch == q) n++;
          if (flag_altform2 && (ch & 0xc0) == 0xc0) {
            while ((escarg[i + 1] & 0xc0) == 0x80) i++;
          }
        }
        bool need_quote = !isnull && xtype == kSqlEscape2;
        n += i + 3;
        char* out;
        if (n > kBufSize) {
          if (static_cast<uint64_t>(n) > acc.limit) {  // printfTempBuf's limit check
            acc.too_big = true;
            return;
          }
          extra.resize(static_cast<size_t>(n));
          out = extra.data();
        } else {
          out = buf;
        }
        j = 0;
        if (need_quote) out[j++] = q;
        k = i;
        for (i = 0; i < k; i++) {
          out[j++] = ch = escarg[i];
          if (ch == q) out[j++] = ch;
        }
        if (need_quote) out[j++] = q;
        out[j] = 0;
        length = static_cast<int>(j);
        bufpt = out;
        goto adjust_width_for_utf8;
      }
      case kInvalid:
      default:
        return;
    }
    // bufpt holds `length` bytes; pad to `width` (both in bytes by now).
    width -= length;
    if (width > 0) {
      if (!flag_leftjustify) acc.append_char(static_cast<size_t>(width), ' ');
      acc.append(bufpt, static_cast<size_t>(length));
      if (flag_leftjustify) acc.append_char(static_cast<size_t>(width), ' ');
    } else {
      acc.append(bufpt, static_cast<size_t>(length));
    }
    if (acc.too_big) return;
  }
}

}  // namespace

std::string vformat(const char* fmt, va_list ap) {
  std::string out;
  Sink acc{&out, std::numeric_limits<size_t>::max() / 2};
  VaArgs args(ap);
  vappendf(acc, fmt, fmt + std::strlen(fmt), args);
  return out;
}

std::string format(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = vformat(fmt, ap);
  va_end(ap);
  return s;
}

void append_format(std::string& out, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Sink acc{&out, std::numeric_limits<size_t>::max() / 2};
  VaArgs args(ap);
  va_end(ap);
  vappendf(acc, fmt, fmt + std::strlen(fmt), args);
}

Status sql_printf(std::string_view fmt, std::span<const Value> values, std::string& out, bool* out_is_null,
                  size_t max_length) {
  out.clear();
  Sink acc{&out, max_length};
  SqlArgs args(values);
  const void* nul = fmt.empty() ? nullptr : std::memchr(fmt.data(), 0, fmt.size());
  const char* end = nul ? static_cast<const char*>(nul) : fmt.data() + fmt.size();
  vappendf(acc, fmt.data(), end, args);
  if (acc.too_big) {
    out.clear();
    if (out_is_null) *out_is_null = true;
    return Status(rc::kTooBig, "string or blob too big");
  }
  if (out_is_null) *out_is_null = !acc.touched;
  return Status::Ok();
}

Status sql_printf(std::string_view fmt, std::span<const Value> values, std::string& out, size_t max_length) {
  return sql_printf(fmt, values, out, nullptr, max_length);
}

size_t render_real_15g(double r, char* buf) {
  // "%!.15g": generic, precision 15, '!' flag. At most 1 + 15 digits + '.' +
  // "e+308" fits easily in 32 bytes, so render_float never grows `big`.
  FloatSpec f{kGeneric, 15, 0, 0, false, true, false, false, 30};
  std::string unused;
  char tmp[kBufSize];
  const char* res;
  size_t n = render_float(r, f, unused, tmp, sizeof(tmp), sizeof(tmp), &res);
  std::memcpy(buf, res, n);
  buf[n] = 0;
  return n;
}

}  // namespace keel::vm
