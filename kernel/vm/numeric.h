// Numbers as SQLite sees them: text → number parsing, real ↔ integer
// conversion, number → text rendering, and the arithmetic operators with
// SQLite's overflow and NULL rules. Every function matches the SQLite 3.40
// routine named beside it, bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace keel::vm {

class Value;

// sqlite3AtoF: parses a decimal real (leading/trailing spaces allowed, no hex)
// from the `n` bytes at z and stores it in *out (0.0 when nothing parses).
// Returns
//    1  the whole input is a pure integer ("  12 ")
//    2+ the whole input is a real (has '.' or an exponent; 3 when both)
//    0  not a number (empty, or trailing garbage after an integer prefix)
//   -1  not a number, but a prefix with '.' or exponent parsed ("1.5x")
// The prefix value is stored in every case (the CAST rule).
int atof(const char* z, size_t n, double* out);
inline int atof(std::string_view s, double* out) { return atof(s.data(), s.size(), out); }

// sqlite3Atoi64: parses an optional sign and decimal digits after leading
// spaces. Returns 0 for a well-formed integer that fits (trailing spaces
// allowed), 1 for a valid prefix followed by other text, -1 when there are no
// digits at all, 2 on overflow (saturated), 3 for exactly "9223372036854775808"
// (stored as INT64_MAX). *out always receives the prefix value.
int atoi64(const char* z, size_t n, int64_t* out);
inline int atoi64(std::string_view s, int64_t* out) { return atoi64(s.data(), s.size(), out); }

// sqlite3DecOrHexToI64: as atoi64, but also accepts "0x..." hexadecimal (for
// SQL integer literals only; never for text-to-number conversion). Returns 0
// on success, 1 for trailing text, 2 for overflow, 3 for 9223372036854775808.
int dec_or_hex_to_i64(const char* z, size_t n, int64_t* out);

// doubleToInt64: truncation toward zero, saturating at INT64_MIN/INT64_MAX
// (the CAST(real AS INTEGER) rule).
int64_t real_to_int64(double r);

// sqlite3RealSameAsInt: true if r is exactly i and |i| < 2^51 (or r is 0).
bool real_same_as_int(double r, int64_t i);

// sqlite3IntFloatCompare: exact comparison of an int64 with a double (-1/0/+1).
int int_float_compare(int64_t i, double r);

// sqlite3Int64ToText: writes the decimal form and a NUL, returns the length.
int int64_to_text(int64_t v, char* buf);  // buf >= 21 bytes
// REAL → TEXT as SQLite renders it ("%!.15g": 1.0, 0.1, 1.0e+20, Inf, -Inf).
int real_to_text(double r, char* buf);  // buf >= 32 bytes

// Checked int64 arithmetic (sqlite3AddInt64 & co): store the result in *a and
// return false, or return true on overflow leaving *a unspecified.
bool add_overflows(int64_t* a, int64_t b);
bool sub_overflows(int64_t* a, int64_t b);
bool mul_overflows(int64_t* a, int64_t b);

// The arithmetic opcodes (OP_Add, OP_Subtract, OP_Multiply, OP_Divide,
// OP_Remainder): out = lhs op rhs. NULL if either side is NULL; integers stay
// integers unless the operation overflows (then REAL); TEXT/BLOB operands are
// read as numbers; division or remainder by zero is NULL; a NaN result is
// NULL. `out` may alias an operand.
void arith_add(const Value& lhs, const Value& rhs, Value& out);
void arith_sub(const Value& lhs, const Value& rhs, Value& out);
void arith_mul(const Value& lhs, const Value& rhs, Value& out);
void arith_div(const Value& lhs, const Value& rhs, Value& out);
void arith_rem(const Value& lhs, const Value& rhs, Value& out);

// The bitwise opcodes (OP_BitAnd, OP_BitOr, OP_ShiftLeft, OP_ShiftRight,
// OP_BitNot): operands read as sqlite3_value_int64 reads them, NULL if either
// is NULL. A negative shift shifts the other way; shifting by 64 or more gives
// 0 (or -1 for a right shift of a negative number).
void arith_bitand(const Value& lhs, const Value& rhs, Value& out);
void arith_bitor(const Value& lhs, const Value& rhs, Value& out);
void arith_shl(const Value& lhs, const Value& rhs, Value& out);
void arith_shr(const Value& lhs, const Value& rhs, Value& out);
void arith_bitnot(const Value& v, Value& out);

// sqlite3VdbeBooleanValue: the truth of a value in WHERE/IF/NOT: INTEGER
// non-zero, otherwise the REAL reading non-zero ("1abc" is true, "abc" is
// false); NULL gives if_null.
bool truth_value(const Value& v, bool if_null);

}  // namespace keel::vm
