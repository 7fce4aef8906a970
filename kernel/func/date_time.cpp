// The calendar core of the date and time functions (SQLite 3.40's date.c):
// parsing time values, Julian day <-> Y-M-D h:m:s, local time, modifiers.
//
// Design note. Every time value is a DateTime: a Julian day number in
// milliseconds (iJD) and/or broken-down Y-M-D and h:m:s, each half marked
// valid or not, plus a pending timezone offset and a "raw number" state for
// numeric inputs whose meaning (Julian day or unix time) a later modifier may
// decide ('unixepoch', 'julianday', 'auto'). compute_jd/compute_ymd/
// compute_hms derive one half from the other with Meeus's algorithms
// (Gregorian calendar for every date). Valid results lie between
// 0000-01-01 00:00:00 and 9999-12-31 23:59:59.999 (iJD 0..464269060799999);
// anything else, and any unparsable input or modifier, gives NULL.
//
// 'now' is FunctionHost::statement_time_ms(), constant within one statement
// step. 'localtime' uses the C library's localtime_r (dates outside
// 1970..2037 are shifted onto a year near 2000 with the same leap-year
// position); 'utc' inverts it by iteration, with SQLite 3.40's 32-bit error
// term, so even its results for impossible local times match.
#include <cstdarg>
#include <cstring>
#include <ctime>

#include "func/datetime_internal.h"
#include "func/func_internal.h"
#include "vm/collation.h"
#include "vm/numeric.h"

namespace keel::func {
namespace internal {

using vm::Value;
using vm::ValueType;
using Args = std::span<Value>;

namespace {

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// getDigits: fmt holds 4 characters per number (digit count, min, max code
// a..f = 12/14/24/31/59/9999, separator or NUL for the last one). Returns the
// number of values converted.
int get_digits(const char* z, const char* fmt, ...) {
  static const int kMax[] = {12, 14, 24, 31, 59, 9999};
  va_list ap;
  va_start(ap, fmt);
  int cnt = 0;
  char next;
  do {
    int n = fmt[0] - '0';
    int min = fmt[1] - '0';
    int max = kMax[fmt[2] - 'a'];
    next = fmt[3];
    int val = 0;
    while (n--) {
      if (!is_digit(*z)) goto end;
      val = val * 10 + *z - '0';
      z++;
    }
    if (val < min || val > max || (next != 0 && next != *z)) goto end;
    *va_arg(ap, int*) = val;
    z++;
    cnt++;
    fmt += 4;
  } while (next);
end:
  va_end(ap);
  return cnt;
}

// "(+/-)HH:MM" or "Z" at the end of a time; 0 on success (also when absent).
int parse_timezone(const char* z, DateTime* p) {
  int sgn = 0;
  int hr, mn;
  while (is_space(*z)) z++;
  p->tz = 0;
  char c = *z;
  if (c == '-') {
    sgn = -1;
  } else if (c == '+') {
    sgn = +1;
  } else if (c == 'Z' || c == 'z') {
    z++;
    goto zulu;
  } else {
    return c != 0;
  }
  z++;
  if (get_digits(z, "20b:20e", &hr, &mn) != 2) return 1;
  z += 5;
  p->tz = sgn * (mn + hr * 60);
zulu:
  while (is_space(*z)) z++;
  p->tzSet = true;
  return *z != 0;
}

// HH:MM[:SS[.FFFF]] followed by an optional timezone; 0 on success.
int parse_hh_mm_ss(const char* z, DateTime* p) {
  int h, m, s;
  double ms = 0.0;
  if (get_digits(z, "20c:20e", &h, &m) != 2) return 1;
  z += 5;
  if (*z == ':') {
    z++;
    if (get_digits(z, "20e", &s) != 1) return 1;
    z += 2;
    if (*z == '.' && is_digit(z[1])) {
      double scale = 1.0;
      z++;
      while (is_digit(*z)) {
        ms = ms * 10.0 + *z - '0';
        scale *= 10.0;
        z++;
      }
      ms /= scale;
    }
  } else {
    s = 0;
  }
  p->validJD = false;
  p->rawS = false;
  p->validHMS = true;
  p->h = h;
  p->m = m;
  p->s = s + ms;
  if (parse_timezone(z, p)) return 1;
  p->validTZ = p->tz != 0;
  return 0;
}

void datetime_error(DateTime* p) {
  std::memset(p, 0, sizeof(*p));
  p->isError = true;
}

}  // namespace

// Y-M-D h:m:s → Julian day (Meeus p. 61). No date means 2000-01-01.
void compute_jd(DateTime* p) {
  if (p->validJD) return;
  int Y, M, D;
  if (p->validYMD) {
    Y = p->Y;
    M = p->M;
    D = p->D;
  } else {
    Y = 2000;
    M = 1;
    D = 1;
  }
  if (Y < -4713 || Y > 9999 || p->rawS) {
    datetime_error(p);
    return;
  }
  if (M <= 2) {
    Y--;
    M += 12;
  }
  int A = Y / 100;
  int B = 2 - A + (A / 4);
  int X1 = 36525 * (Y + 4716) / 100;
  int X2 = 306001 * (M + 1) / 10000;
  p->iJD = static_cast<int64_t>((X1 + X2 + D + B - 1524.5) * 86400000);
  p->validJD = true;
  if (p->validHMS) {
    p->iJD += p->h * 3600000 + p->m * 60000 + static_cast<int64_t>(p->s * 1000 + 0.5);
    if (p->validTZ) {
      p->iJD -= p->tz * 60000;
      p->validYMD = false;
      p->validHMS = false;
      p->validTZ = false;
    }
  }
}

namespace {

// YYYY-MM-DD with an optional time (after spaces or a 'T'); 0 on success.
int parse_yyyy_mm_dd(const char* z, DateTime* p) {
  int Y, M, D;
  bool neg = false;
  if (z[0] == '-') {
    z++;
    neg = true;
  }
  if (get_digits(z, "40f-21a-21d", &Y, &M, &D) != 3) return 1;
  z += 10;
  while (is_space(*z) || *z == 'T') z++;
  if (parse_hh_mm_ss(z, p) == 0) {
    // got the time
  } else if (*z == 0) {
    p->validHMS = false;
  } else {
    return 1;
  }
  p->validJD = false;
  p->validYMD = true;
  p->Y = neg ? -Y : Y;
  p->M = M;
  p->D = D;
  if (p->validTZ) compute_jd(p);
  return 0;
}

int set_to_current(FunctionContext& ctx, DateTime* p) {
  p->iJD = ctx.host().statement_time_ms();
  if (p->iJD > 0) {
    p->validJD = true;
    return 0;
  }
  return 1;
}

// A number: a Julian day if in 0..5373484.5, else kept raw for 'unixepoch'
// or 'auto'.
void set_raw_number(DateTime* p, double r) {
  p->s = r;
  p->rawS = true;
  if (r >= 0.0 && r < 5373484.5) {
    p->iJD = static_cast<int64_t>(r * 86400000.0 + 0.5);
    p->validJD = true;
  }
}

int parse_date_or_time(FunctionContext& ctx, const char* z, DateTime* p) {
  double r;
  if (parse_yyyy_mm_dd(z, p) == 0) return 0;
  if (parse_hh_mm_ss(z, p) == 0) return 0;
  if (vm::stricmp(z, "now") == 0 && ctx.allow_non_deterministic()) return set_to_current(ctx, p);
  if (vm::atof(z, std::strlen(z), &r) > 0) {
    set_raw_number(p, r);
    return 0;
  }
  return 1;
}

constexpr int64_t kMaxJD = 464269060799999;  // 9999-12-31 23:59:59.999

bool valid_julian_day(int64_t iJD) { return iJD >= 0 && iJD <= kMaxJD; }

}  // namespace

void compute_ymd(DateTime* p) {
  if (p->validYMD) return;
  if (!p->validJD) {
    p->Y = 2000;
    p->M = 1;
    p->D = 1;
  } else if (!valid_julian_day(p->iJD)) {
    datetime_error(p);
    return;
  } else {
    int Z = static_cast<int>((p->iJD + 43200000) / 86400000);
    int A = static_cast<int>((Z - 1867216.25) / 36524.25);
    A = Z + 1 + A - (A / 4);
    int B = A + 1524;
    int C = static_cast<int>((B - 122.1) / 365.25);
    int D = (36525 * (C & 32767)) / 100;
    int E = static_cast<int>((B - D) / 30.6001);
    int X1 = static_cast<int>(30.6001 * E);
    p->D = B - D - X1;
    p->M = E < 14 ? E - 1 : E - 13;
    p->Y = p->M > 2 ? C - 4716 : C - 4715;
  }
  p->validYMD = true;
}

void compute_hms(DateTime* p) {
  if (p->validHMS) return;
  compute_jd(p);
  int s = static_cast<int>((p->iJD + 43200000) % 86400000);
  p->s = s / 1000.0;
  s = static_cast<int>(p->s);
  p->s -= s;
  p->h = s / 3600;
  s -= p->h * 3600;
  p->m = s / 60;
  p->s += s - p->m * 60;
  p->rawS = false;
  p->validHMS = true;
}

void compute_ymd_hms(DateTime* p) {
  compute_ymd(p);
  compute_hms(p);
}

namespace {

void clear_ymd_hms_tz(DateTime* p) {
  p->validYMD = false;
  p->validHMS = false;
  p->validTZ = false;
}

// Moves p, taken as UTC, to local time. localtime_r is only trusted for
// 1970..2037: other dates are shifted by whole years onto a year near 2000
// with the same leap-year position, converted, and shifted back. Clears any
// earlier error, as date.c's toLocaltime does. Returns 0 on success.
int to_localtime(DateTime* p, FunctionContext& ctx) {
  compute_jd(p);
  time_t t;
  int year_diff;
  if (p->iJD < 2108667600 * static_cast<int64_t>(100000) ||
      p->iJD > 2130141456 * static_cast<int64_t>(100000)) {
    DateTime x = *p;
    compute_ymd_hms(&x);
    year_diff = (2000 + x.Y % 4) - x.Y;
    x.Y += year_diff;
    x.validJD = false;
    compute_jd(&x);
    t = static_cast<time_t>(x.iJD / 1000 - 21086676 * static_cast<int64_t>(10000));
  } else {
    year_diff = 0;
    t = static_cast<time_t>(p->iJD / 1000 - 21086676 * static_cast<int64_t>(10000));
  }
  struct tm local;
  std::memset(&local, 0, sizeof(local));
  if (localtime_r(&t, &local) == nullptr) {
    ctx.set_error("local time unavailable");
    return 1;
  }
  p->Y = local.tm_year + 1900 - year_diff;
  p->M = local.tm_mon + 1;
  p->D = local.tm_mday;
  p->h = local.tm_hour;
  p->m = local.tm_min;
  p->s = local.tm_sec + static_cast<double>(p->iJD % 1000) * 0.001;
  p->validYMD = true;
  p->validHMS = true;
  p->validJD = false;
  p->rawS = false;
  p->validTZ = false;
  p->isError = false;
  return 0;
}

// 'NNN days' and friends. Limits and factors are floats, as in date.c, so
// fractional amounts round exactly as SQLite's do.
struct XformType {
  int type;  // 0 plain, 1 months, 2 years
  int n_name;
  const char* name;
  float limit;
  float xform;  // seconds per unit
};
const XformType kXform[] = {
    {0, 6, "second", 4.6427e+14f, 1.0f},    {0, 6, "minute", 7.7379e+12f, 60.0f},
    {0, 4, "hour", 1.2897e+11f, 3600.0f},   {0, 3, "day", 5373485.0f, 86400.0f},
    {1, 5, "month", 176546.0f, 2592000.0f}, {2, 4, "year", 14713.0f, 31536000.0f},
};

void auto_adjust_date(DateTime* p) {
  if (!p->rawS || p->validJD) {
    p->rawS = false;
  } else if (p->s >= -21086676 * static_cast<int64_t>(10000) &&
             p->s <= 25340230 * static_cast<int64_t>(10000) + 799) {
    double r = p->s * 1000.0 + 210866760000000.0;
    clear_ymd_hms_tz(p);
    p->iJD = static_cast<int64_t>(r + 0.5);
    p->validJD = true;
    p->rawS = false;
  }
}

// Applies one modifier (the idx-th argument, 1-based); 0 on success.
int parse_modifier(FunctionContext& ctx, const char* z, DateTime* p, int idx) {
  int rc = 1;
  double r;
  switch (vm::ascii_tolower(static_cast<unsigned char>(z[0]))) {
    case 'a':
      // 'auto': a raw number is a Julian day or a unix time by its magnitude.
      if (vm::stricmp(z, "auto") == 0) {
        if (idx > 1) return 1;
        auto_adjust_date(p);
        rc = 0;
      }
      break;
    case 'j':
      // 'julianday': the first argument must have been a Julian day number.
      if (vm::stricmp(z, "julianday") == 0) {
        if (idx > 1) return 1;
        if (p->validJD && p->rawS) {
          rc = 0;
          p->rawS = false;
        }
      }
      break;
    case 'l':
      if (vm::stricmp(z, "localtime") == 0 && ctx.allow_non_deterministic()) rc = to_localtime(p, ctx);
      break;
    case 'u':
      if (vm::stricmp(z, "unixepoch") == 0 && p->rawS) {
        if (idx > 1) return 1;
        r = p->s * 1000.0 + 210866760000000.0;
        if (r >= 0.0 && r < 464269060800000.0) {
          clear_ymd_hms_tz(p);
          p->iJD = static_cast<int64_t>(r + 0.5);
          p->validJD = true;
          p->rawS = false;
          rc = 0;
        }
      } else if (vm::stricmp(z, "utc") == 0 && ctx.allow_non_deterministic()) {
        // Find the UTC time whose local time is p, by iterating (at most
        // four guesses; DST gaps have no exact answer).
        if (!p->tzSet) {
          compute_jd(p);
          int64_t orig = p->iJD;
          int64_t guess = orig;
          int64_t err = 0;
          int cnt = 0;
          do {
            DateTime x;
            std::memset(&x, 0, sizeof(x));
            guess -= err;
            x.iJD = guess;
            x.validJD = true;
            if (to_localtime(&x, ctx)) return 1;
            compute_jd(&x);
            // An int in SQLite 3.40: large errors wrap, and so does the guess.
            err = static_cast<int32_t>(static_cast<uint32_t>(x.iJD - orig));
          } while (err && cnt++ < 3);
          std::memset(p, 0, sizeof(*p));
          p->iJD = guess;
          p->validJD = true;
          p->tzSet = true;
        }
        rc = 0;
      }
      break;
    case 'w':
      // 'weekday N': forward to the next day that is weekday N (0 = Sunday).
      if (vm::strnicmp(z, "weekday ", 8) == 0 && vm::atof(z + 8, std::strlen(z + 8), &r) > 0 && r >= 0.0 &&
          r < 7.0 && static_cast<int>(r) == r) {
        int n = static_cast<int>(r);
        compute_ymd_hms(p);
        p->validTZ = false;
        p->validJD = false;
        compute_jd(p);
        int64_t Z = ((p->iJD + 129600000) / 86400000) % 7;
        if (Z > n) Z -= 7;
        p->iJD += (n - Z) * 86400000;
        clear_ymd_hms_tz(p);
        rc = 0;
      }
      break;
    case 's': {
      // 'start of day|month|year'.
      if (vm::strnicmp(z, "start of ", 9) != 0) break;
      if (!p->validJD && !p->validYMD && !p->validHMS) break;
      const char* unit = z + 9;
      compute_ymd(p);
      p->validHMS = true;
      p->h = p->m = 0;
      p->s = 0.0;
      p->rawS = false;
      p->validTZ = false;
      p->validJD = false;
      if (vm::stricmp(unit, "month") == 0) {
        p->D = 1;
        rc = 0;
      } else if (vm::stricmp(unit, "year") == 0) {
        p->M = 1;
        p->D = 1;
        rc = 0;
      } else if (vm::stricmp(unit, "day") == 0) {
        rc = 0;
      }
      break;
    }
    case '+':
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9': {
      int n;
      for (n = 1; z[n] && z[n] != ':' && !is_space(z[n]); n++) {
      }
      if (vm::atof(z, static_cast<size_t>(n), &r) <= 0) {
        rc = 1;
        break;
      }
      if (z[n] == ':') {
        // '(+|-)HH:MM[:SS[.FFF]]' shifts by that much time.
        const char* z2 = z;
        if (!is_digit(*z2)) z2++;
        DateTime tx;
        std::memset(&tx, 0, sizeof(tx));
        if (parse_hh_mm_ss(z2, &tx)) break;
        compute_jd(&tx);
        tx.iJD -= 43200000;
        int64_t day = tx.iJD / 86400000;
        tx.iJD -= day * 86400000;
        if (z[0] == '-') tx.iJD = -tx.iJD;
        compute_jd(p);
        clear_ymd_hms_tz(p);
        p->iJD += tx.iJD;
        rc = 0;
        break;
      }
      // 'NNN units'.
      z += n;
      while (is_space(*z)) z++;
      n = static_cast<int>(std::strlen(z));
      if (n > 10 || n < 3) break;
      if (vm::ascii_tolower(static_cast<unsigned char>(z[n - 1])) == 's') n--;
      compute_jd(p);
      rc = 1;
      double rounder = r < 0 ? -0.5 : +0.5;
      for (const XformType& x : kXform) {
        if (x.n_name == n && vm::strnicmp(x.name, z, static_cast<size_t>(n)) == 0 && r > -x.limit &&
            r < x.limit) {
          if (x.type == 1) {
            compute_ymd_hms(p);
            p->M += static_cast<int>(r);
            int y = p->M > 0 ? (p->M - 1) / 12 : (p->M - 12) / 12;
            p->Y += y;
            p->M -= y * 12;
            p->validJD = false;
            r -= static_cast<int>(r);
          } else if (x.type == 2) {
            int y = static_cast<int>(r);
            compute_ymd_hms(p);
            p->Y += y;
            p->validJD = false;
            r -= static_cast<int>(r);
          }
          compute_jd(p);
          p->iJD += static_cast<int64_t>(r * 1000.0 * x.xform + rounder);
          rc = 0;
          break;
        }
      }
      clear_ymd_hms_tz(p);
      break;
    }
    default:
      break;
  }
  return rc;
}

}  // namespace

// isDate: the time value (argument 0, or 'now' without arguments) with every
// modifier applied. Returns 0 on success.
int is_date(FunctionContext& ctx, Args a, DateTime* p) {
  std::memset(p, 0, sizeof(*p));
  if (a.empty()) {
    if (!ctx.allow_non_deterministic()) return 1;
    return set_to_current(ctx, p);
  }
  vm::NumberText nt;
  ValueType t = a[0].type();
  if (t == ValueType::kReal || t == ValueType::kInteger) {
    set_raw_number(p, a[0].as_double());
  } else {
    if (a[0].is_null()) return 1;
    CString z(arg_bytes(a[0], nt));
    if (parse_date_or_time(ctx, z.c_str(), p)) return 1;
  }
  for (size_t i = 1; i < a.size(); i++) {
    if (a[i].is_null()) return 1;
    CString z(arg_bytes(a[i], nt));
    if (parse_modifier(ctx, z.c_str(), p, static_cast<int>(i))) return 1;
  }
  compute_jd(p);
  if (p->isError || !valid_julian_day(p->iJD)) return 1;
  return 0;
}

}  // namespace internal
}  // namespace keel::func
