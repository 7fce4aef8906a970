// Numeric conversions and arithmetic, transcribed from SQLite 3.40's util.c
// and vdbe.c so that results agree to the last bit. In particular atof()
// deliberately uses SQLite's own algorithm (integer significand scaled by a
// long double power of ten) rather than strtod(): the two differ in the last
// ulp for some inputs, and Keel must store the same doubles SQLite stores.
#include "vm/numeric.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "vm/printf.h"
#include "vm/value.h"

namespace keel::vm {
namespace {

constexpr int64_t kLargest = std::numeric_limits<int64_t>::max();
constexpr int64_t kSmallest = std::numeric_limits<int64_t>::min();

// sqlite3Isspace: space, \t \n \v \f \r.
inline bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_xdigit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
inline int hex_to_int(char c) {
  if (c <= '9') return c - '0';
  return (c | 0x20) - 'a' + 10;
}

// sqlite3Pow10: 10^E by repeated squaring in long double (1 <= E <= 341).
long double pow10_ld(int e) {
  long double x = 10.0L;
  long double r = 1.0L;
  while (true) {
    if (e & 1) r *= x;
    e >>= 1;
    if (e == 0) break;
    x *= x;
  }
  return r;
}

// compare2pow63: compares the 19 digits at z with "9223372036854775808".
int compare_2pow63(const char* z) {
  static const char kPow63[] = "922337203685477580";
  int c = 0;
  for (int i = 0; c == 0 && i < 18; i++) c = (z[i] - kPow63[i]) * 10;
  if (c == 0) c = z[18] - '8';
  return c;
}

}  // namespace

int atof(const char* z, size_t length, double* out) {
  const char* end = z + length;
  int sign = 1;
  int64_t s = 0;  // significand
  int d = 0;      // decimal point shift
  int esign = 1;
  int e = 0;
  int e_valid = 1;
  int n_digit = 0;
  int e_type = 1;  // 1 integer, 2+ fractional
  double result;

  *out = 0.0;
  if (length == 0) return 0;
  while (z < end && is_space(*z)) z++;
  if (z >= end) return 0;
  if (*z == '-') {
    sign = -1;
    z++;
  } else if (*z == '+') {
    z++;
  }
  while (z < end && is_digit(*z)) {
    s = s * 10 + (*z - '0');
    z++;
    n_digit++;
    if (s >= (kLargest - 9) / 10) {
      // Further digits are not significant: shift the exponent instead.
      while (z < end && is_digit(*z)) {
        z++;
        d++;
      }
    }
  }
  if (z >= end) goto do_atof_calc;
  if (*z == '.') {
    z++;
    e_type++;
    while (z < end && is_digit(*z)) {
      if (s < (kLargest - 9) / 10) {
        s = s * 10 + (*z - '0');
        d--;
        n_digit++;
      }
      z++;
    }
  }
  if (z >= end) goto do_atof_calc;
  if (*z == 'e' || *z == 'E') {
    z++;
    e_valid = 0;
    e_type++;
    if (z >= end) goto do_atof_calc;
    if (*z == '-') {
      esign = -1;
      z++;
    } else if (*z == '+') {
      z++;
    }
    while (z < end && is_digit(*z)) {
      e = e < 10000 ? (e * 10 + (*z - '0')) : 10000;
      z++;
      e_valid = 1;
    }
  }
  while (z < end && is_space(*z)) z++;

do_atof_calc:
  e = (e * esign) + d;
  if (e < 0) {
    esign = -1;
    e *= -1;
  } else {
    esign = 1;
  }
  if (s == 0) {
    result = sign < 0 ? -0.0 : 0.0;
  } else {
    while (e > 0) {
      if (esign > 0) {
        if (s >= (kLargest / 10)) break;
        s *= 10;
      } else {
        if (s % 10 != 0) break;
        s /= 10;
      }
      e--;
    }
    s = sign < 0 ? -s : s;
    if (e == 0) {
      result = static_cast<double>(s);
    } else if (e > 307) {
      if (e < 342) {
        long double scale = pow10_ld(e - 308);
        if (esign < 0) {
          result = static_cast<double>(s / scale);
          result /= 1.0e+308;
        } else {
          result = static_cast<double>(s * scale);
          result *= 1.0e+308;
        }
      } else if (esign < 0) {
        result = 0.0 * static_cast<double>(s);
      } else {
        result = std::numeric_limits<double>::infinity() * static_cast<double>(s);
      }
    } else {
      long double scale = pow10_ld(e);
      result = esign < 0 ? static_cast<double>(s / scale) : static_cast<double>(s * scale);
    }
  }
  *out = result;
  if (z == end && n_digit > 0 && e_valid && e_type > 0) return e_type;
  if (e_type >= 2 && (e_type == 3 || e_valid) && n_digit > 0) return -1;
  return 0;
}

int atoi64(const char* z, size_t length, int64_t* out) {
  const char* end = z + length;
  uint64_t u = 0;
  bool neg = false;
  size_t i;
  char c = 0;
  while (z < end && is_space(*z)) z++;
  if (z < end) {
    if (*z == '-') {
      neg = true;
      z++;
    } else if (*z == '+') {
      z++;
    }
  }
  const char* start = z;
  while (z < end && z[0] == '0') z++;  // leading zeros
  for (i = 0; z + i < end && (c = z[i]) >= '0' && c <= '9'; i++) {
    u = u * 10 + static_cast<uint64_t>(c - '0');
  }
  if (u > static_cast<uint64_t>(kLargest)) {
    *out = neg ? kSmallest : kLargest;
  } else if (neg) {
    *out = -static_cast<int64_t>(u);
  } else {
    *out = static_cast<int64_t>(u);
  }
  int rc = 0;
  if (i == 0 && start == z) {
    rc = -1;  // no digits
  } else if (z + i < end) {
    for (size_t jj = i; z + jj < end; jj++) {
      if (!is_space(z[jj])) {
        rc = 1;  // trailing non-space text
        break;
      }
    }
  }
  if (i < 19) return rc;
  int cmp = i > 19 ? 1 : compare_2pow63(z);
  if (cmp < 0) return rc;
  *out = neg ? kSmallest : kLargest;
  if (cmp > 0) return 2;
  return neg ? rc : 3;
}

int dec_or_hex_to_i64(const char* z, size_t n, int64_t* out) {
  if (n >= 2 && z[0] == '0' && (z[1] == 'x' || z[1] == 'X')) {
    uint64_t u = 0;
    size_t i = 2;
    while (i < n && z[i] == '0') i++;
    size_t k = i;
    for (; k < n && is_xdigit(z[k]); k++) u = u * 16 + static_cast<uint64_t>(hex_to_int(z[k]));
    std::memcpy(out, &u, 8);
    if (k - i > 16) return 2;
    if (k < n) return 1;
    return 0;
  }
  size_t m = 0;
  while (m < n && (is_digit(z[m]) || z[m] == '+' || z[m] == '-')) m++;
  if (m < n) m++;  // one more byte so trailing text is reported
  return atoi64(z, m, out);
}

int64_t real_to_int64(double r) {
  if (r <= static_cast<double>(kSmallest)) return kSmallest;
  if (r >= static_cast<double>(kLargest)) return kLargest;
  if (std::isnan(r)) return kSmallest;  // what (i64)NaN yields on x86-64
  return static_cast<int64_t>(r);
}

bool real_same_as_int(double r1, int64_t i) {
  double r2 = static_cast<double>(i);
  return r1 == 0.0 ||
         (std::memcmp(&r1, &r2, sizeof(r1)) == 0 && i >= -2251799813685248LL && i < 2251799813685248LL);
}

int int_float_compare(int64_t i, double r) {
  // Exact, without relying on long double being wider than 64 bits.
  if (std::isnan(r)) return 0;  // as the long double comparison in SQLite
  if (r < -9223372036854775808.0) return +1;
  if (r >= 9223372036854775808.0) return -1;
  int64_t y = static_cast<int64_t>(r);
  if (i < y) return -1;
  if (i > y) return +1;
  double s = static_cast<double>(i);
  if (s < r) return -1;
  if (s > r) return +1;
  return 0;
}

int int64_to_text(int64_t v, char* out) {
  char tmp[22];
  uint64_t x =
      v < 0 ? (v == kSmallest ? uint64_t{1} << 63 : static_cast<uint64_t>(-v)) : static_cast<uint64_t>(v);
  int i = sizeof(tmp) - 2;
  tmp[sizeof(tmp) - 1] = 0;
  do {
    tmp[i--] = static_cast<char>('0' + x % 10);
    x /= 10;
  } while (x);
  if (v < 0) tmp[i--] = '-';
  std::memcpy(out, &tmp[i + 1], sizeof(tmp) - 1 - i);
  return static_cast<int>(sizeof(tmp) - 2 - i);
}

int real_to_text(double r, char* buf) { return static_cast<int>(render_real_15g(r, buf)); }

bool add_overflows(int64_t* a, int64_t b) { return __builtin_add_overflow(*a, b, a); }
bool sub_overflows(int64_t* a, int64_t b) { return __builtin_sub_overflow(*a, b, a); }
bool mul_overflows(int64_t* a, int64_t b) { return __builtin_mul_overflow(*a, b, a); }

namespace {

enum class Op { kAdd, kSub, kMul, kDiv, kRem };

// numericType/computeNumericType: is the operand an integer (and which), or
// a real? NULL never reaches here.
bool numeric_int(const Value& v, int64_t* iv) {
  switch (v.type()) {
    case ValueType::kInteger:
      *iv = v.int_value();
      return true;
    case ValueType::kReal:
      return false;
    default:
      break;
  }
  std::string_view s = v.text();  // a zero-blob reads as empty: integer 0
  double r;
  int rc = atof(s.data(), s.size(), &r);
  int64_t ix;
  if (rc <= 0) {
    if (rc == 0 && atoi64(s.data(), s.size(), &ix) <= 1) {
      *iv = ix;
      return true;
    }
    return false;
  }
  if (rc == 1 && atoi64(s.data(), s.size(), &ix) == 0) {
    *iv = ix;
    return true;
  }
  return false;
}

void arith(Op op, const Value& lhs, const Value& rhs, Value& out) {
  int64_t a, b;  // b = left operand (iB in SQLite), a = right operand (iA)
  if (lhs.is_int() && rhs.is_int()) {
    b = lhs.int_value();
    a = rhs.int_value();
  } else if (lhs.is_null() || rhs.is_null()) {
    out.set_null();
    return;
  } else {
    bool li = numeric_int(lhs, &b);
    bool ri = numeric_int(rhs, &a);
    if (!(li && ri)) goto fp_math;
  }
  switch (op) {
    case Op::kAdd:
      if (add_overflows(&b, a)) goto fp_math;
      break;
    case Op::kSub:
      if (sub_overflows(&b, a)) goto fp_math;
      break;
    case Op::kMul:
      if (mul_overflows(&b, a)) goto fp_math;
      break;
    case Op::kDiv:
      if (a == 0) {
        out.set_null();
        return;
      }
      if (a == -1 && b == kSmallest) goto fp_math;
      b /= a;
      break;
    case Op::kRem:
      if (a == 0) {
        out.set_null();
        return;
      }
      if (a == -1) a = 1;
      b %= a;
      break;
  }
  out.set_int(b);
  return;

fp_math : {
  double ra = rhs.as_double();
  double rb = lhs.as_double();
  switch (op) {
    case Op::kAdd:
      rb += ra;
      break;
    case Op::kSub:
      rb -= ra;
      break;
    case Op::kMul:
      rb *= ra;
      break;
    case Op::kDiv:
      if (ra == 0.0) {
        out.set_null();
        return;
      }
      rb /= ra;
      break;
    case Op::kRem: {
      int64_t ia = rhs.as_int64();
      int64_t ib = lhs.as_int64();
      if (ia == 0) {
        out.set_null();
        return;
      }
      if (ia == -1) ia = 1;
      rb = static_cast<double>(ib % ia);
      break;
    }
  }
  out.set_real(rb);  // NaN → NULL
}
}

}  // namespace

void arith_add(const Value& l, const Value& r, Value& out) { arith(Op::kAdd, l, r, out); }
void arith_sub(const Value& l, const Value& r, Value& out) { arith(Op::kSub, l, r, out); }
void arith_mul(const Value& l, const Value& r, Value& out) { arith(Op::kMul, l, r, out); }
void arith_div(const Value& l, const Value& r, Value& out) { arith(Op::kDiv, l, r, out); }
void arith_rem(const Value& l, const Value& r, Value& out) { arith(Op::kRem, l, r, out); }

namespace {

enum class BitOp { kAnd, kOr, kShl, kShr };

void bitop(BitOp op, const Value& lhs, const Value& rhs, Value& out) {
  if (lhs.is_null() || rhs.is_null()) {
    out.set_null();
    return;
  }
  int64_t a = lhs.as_int64();
  int64_t b = rhs.as_int64();
  if (op == BitOp::kAnd) {
    a &= b;
  } else if (op == BitOp::kOr) {
    a |= b;
  } else if (b != 0) {
    if (b < 0) {  // shift the other way
      op = op == BitOp::kShl ? BitOp::kShr : BitOp::kShl;
      b = b > -64 ? -b : 64;
    }
    if (b >= 64) {
      a = (a >= 0 || op == BitOp::kShl) ? 0 : -1;
    } else {
      uint64_t u = static_cast<uint64_t>(a);
      if (op == BitOp::kShl) {
        u <<= b;
      } else {
        u >>= b;
        if (a < 0) u |= ~uint64_t{0} << (64 - b);  // arithmetic shift
      }
      a = static_cast<int64_t>(u);
    }
  }
  out.set_int(a);
}

}  // namespace

void arith_bitand(const Value& l, const Value& r, Value& out) { bitop(BitOp::kAnd, l, r, out); }
void arith_bitor(const Value& l, const Value& r, Value& out) { bitop(BitOp::kOr, l, r, out); }
void arith_shl(const Value& l, const Value& r, Value& out) { bitop(BitOp::kShl, l, r, out); }
void arith_shr(const Value& l, const Value& r, Value& out) { bitop(BitOp::kShr, l, r, out); }

void arith_bitnot(const Value& v, Value& out) {
  if (v.is_null()) {
    out.set_null();
    return;
  }
  out.set_int(~v.as_int64());
}

bool truth_value(const Value& v, bool if_null) {
  if (v.is_int()) return v.int_value() != 0;
  if (v.is_null()) return if_null;
  return v.as_double() != 0.0;
}

}  // namespace keel::vm
