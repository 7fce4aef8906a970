// The floating-point conversions of SQLite 3.40's printf (etFLOAT, etEXP,
// etGENERIC), kept apart from the format parser in printf.cpp.
//
// Design note: SQLite does not use libc here. It normalizes the value into
// [1,10) by multiplying with powers of ten in long double, using double
// constants (1e100, 1e-8 and 0.1 are not exact, and the long double results
// differ in the last bits if these are written as long double literals), adds a rounding constant, then peels
// digits with et_getdigit(), emitting at most 16 significant digits (26 with
// the '!' flag) and '0' after that. The same sequence of long double
// operations is reproduced here; do not "simplify" it, the last digit
// depends on it.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "vm/printf_internal.h"

namespace keel::vm::printf_internal {
namespace {

const double kRound[] = {5.0e-01, 5.0e-02, 5.0e-03, 5.0e-04, 5.0e-05,
                         5.0e-06, 5.0e-07, 5.0e-08, 5.0e-09, 5.0e-10};

char et_getdigit(long double* val, int* cnt) {
  if (*cnt <= 0) return '0';
  (*cnt)--;
  int digit = static_cast<int>(*val);
  long double d = digit;
  *val = (*val - d) * 10.0;
  return static_cast<char>(digit + '0');
}

}  // namespace

size_t render_float(double value, FloatSpec f, std::string& big, char* small, size_t small_cap, size_t limit,
                    const char** result) {
  long double realvalue = value;
  char prefix;
  int precision = f.precision;
  Conv xtype = f.xtype;
  int width = f.width;
  if (precision < 0) precision = 6;
  if (precision > kFpPrecisionLimit) precision = kFpPrecisionLimit;
  if (realvalue < 0.0) {
    realvalue = -realvalue;
    prefix = '-';
  } else {
    prefix = f.flag_prefix;
  }
  if (xtype == kGeneric && precision > 0) precision--;
  int idx = precision & 0xfff;
  double rounder = kRound[idx % 10];
  while (idx >= 10) {
    rounder *= 1.0e-10;
    idx -= 10;
  }
  if (xtype == kFloat) {
    double rx = static_cast<double>(realvalue);
    uint64_t u;
    std::memcpy(&u, &rx, sizeof(u));
    int ex = -1023 + static_cast<int>((u >> 52) & 0x7ff);
    // rounder (double) += realvalue (long double) * 3e-16: the sum is formed
    // in long double and rounded to double once, as C evaluates it in SQLite.
    if (precision + (ex / 3) < 15) rounder = static_cast<double>(rounder + realvalue * 3e-16);
    realvalue += rounder;
  }
  int exp = 0;
  if (std::isnan(static_cast<double>(realvalue))) {
    *result = "NaN";
    return 3;
  }
  if (realvalue > 0.0) {
    long double scale = 1.0;
    while (realvalue >= 1e100 * scale && exp <= 350) {
      scale *= 1e100;  // a double constant, as in SQLite: not exactly 10^100
      exp += 100;
    }
    while (realvalue >= 1e10 * scale && exp <= 350) {
      scale *= 1e10;
      exp += 10;
    }
    while (realvalue >= 10.0 * scale && exp <= 350) {
      scale *= 10.0;
      exp++;
    }
    realvalue /= scale;
    while (realvalue < 1e-8) {
      realvalue *= 1e8;
      exp -= 8;
    }
    while (realvalue < 1.0) {
      realvalue *= 10.0;
      exp--;
    }
    if (exp > 350) {
      small[0] = prefix;
      std::memcpy(small + (prefix != 0), "Inf", 4);
      *result = small;
      return 3 + (prefix != 0);
    }
  }
  bool flag_rtz;
  if (xtype != kFloat) {
    realvalue += rounder;
    if (realvalue >= 10.0) {
      realvalue *= 0.1;
      exp++;
    }
  }
  if (xtype == kGeneric) {
    flag_rtz = !f.flag_alternateform;
    if (exp < -4 || exp > precision) {
      xtype = kExp;
    } else {
      precision = precision - exp;
      xtype = kFloat;
    }
  } else {
    flag_rtz = f.flag_altform2;
  }
  int e2 = xtype == kExp ? 0 : exp;
  char* bufpt;
  size_t need = static_cast<size_t>(std::max(e2, 0)) + static_cast<size_t>(precision) +
                static_cast<size_t>(std::max(width, 0)) + 15;
  if (need > small_cap) {
    if (need > limit) return kTooBigLen;
    big.resize(need);
    bufpt = big.data();
  } else {
    bufpt = small;
  }
  char* zout = bufpt;
  int nsd = 16 + (f.flag_altform2 ? 10 : 0);
  bool flag_dp = precision > 0 || f.flag_alternateform || f.flag_altform2;
  if (prefix) *(bufpt++) = prefix;
  if (e2 < 0) {
    *(bufpt++) = '0';
  } else {
    for (; e2 >= 0; e2--) *(bufpt++) = et_getdigit(&realvalue, &nsd);
  }
  if (flag_dp) *(bufpt++) = '.';
  for (e2++; e2 < 0; precision--, e2++) *(bufpt++) = '0';
  while ((precision--) > 0) *(bufpt++) = et_getdigit(&realvalue, &nsd);
  if (flag_rtz && flag_dp) {
    while (bufpt[-1] == '0') *(--bufpt) = 0;
    if (bufpt[-1] == '.') {
      if (f.flag_altform2) {
        *(bufpt++) = '0';
      } else {
        *(--bufpt) = 0;
      }
    }
  }
  if (xtype == kExp) {
    *(bufpt++) = kDigits[f.charset];
    if (exp < 0) {
      *(bufpt++) = '-';
      exp = -exp;
    } else {
      *(bufpt++) = '+';
    }
    if (exp >= 100) {
      *(bufpt++) = static_cast<char>((exp / 100) + '0');
      exp %= 100;
    }
    *(bufpt++) = static_cast<char>(exp / 10 + '0');
    *(bufpt++) = static_cast<char>(exp % 10 + '0');
  }
  *bufpt = 0;
  size_t length = static_cast<size_t>(bufpt - zout);
  if (f.flag_zeropad && !f.flag_leftjustify && static_cast<int>(length) < width) {
    int n_pad = width - static_cast<int>(length);
    for (int i = width; i >= n_pad; i--) zout[i] = zout[i - n_pad];
    int i = prefix != 0;
    while (n_pad--) zout[i++] = '0';
    length = static_cast<size_t>(width);
  }
  *result = zout;
  return length;
}

}  // namespace keel::vm::printf_internal
