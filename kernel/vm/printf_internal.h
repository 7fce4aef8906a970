// Internals of the printf engine shared by its two source files: the
// conversion kinds and the floating-point renderer (SQLite's etFLOAT/etEXP/
// etGENERIC), which REAL → TEXT also uses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace keel::vm::printf_internal {

enum Conv : uint8_t {
  kRadix,
  kFloat,
  kExp,
  kGeneric,
  kSize,
  kString,
  kDynString,
  kPercent,
  kCharX,
  kSqlEscape,
  kSqlEscape2,
  kSqlEscape3,
  kPointer,
  kDecimal,
  kOrdinal,
  kInvalid,
};

// SQLITE_FP_PRECISION_LIMIT
constexpr int kFpPrecisionLimit = 100000000;
// SQLITE_PRINT_BUF_SIZE
constexpr int kBufSize = 70;

extern const char kDigits[];

// One floating-point conversion (%f %e %E %g %G) with its flags.
struct FloatSpec {
  Conv xtype;
  int precision;
  int width;
  char flag_prefix;
  bool flag_alternateform;
  bool flag_altform2;
  bool flag_zeropad;
  bool flag_leftjustify;
  uint8_t charset;
};

// Renders `value` per `f` and returns its length, with *result pointing at
// the text: in `small` (small_cap bytes) when max(exp,0) + precision + width
// + 15 bytes fit there, else in `big` (resized). Returns kTooBigLen instead
// when that buffer would exceed `limit` (SQLite's printfTempBuf failing with
// SQLITE_TOOBIG).
constexpr size_t kTooBigLen = static_cast<size_t>(-1);
size_t render_float(double value, FloatSpec f, std::string& big, char* small, size_t small_cap, size_t limit,
                    const char** result);

}  // namespace keel::vm::printf_internal
