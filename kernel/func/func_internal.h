// Internals shared by the built-in function families: registration entry
// points, argument readers that follow sqlite3_value_text/_blob/_bytes, the
// UTF-8 readers of SQLite's utf.c, and result setters that enforce
// SQLITE_LIMIT_LENGTH.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "func/function.h"
#include "vm/value.h"

namespace keel::func::internal {

// One registration function per family, called by register_builtin_functions.
void register_core_scalar(FunctionRegistry& r);
void register_string_functions(FunctionRegistry& r);
void register_like_functions(FunctionRegistry& r);
void register_aggregate_functions(FunctionRegistry& r);
void register_math_functions(FunctionRegistry& r);
void register_datetime_functions(FunctionRegistry& r);
void register_window_functions(FunctionRegistry& r);

// What sqlite_version() and sqlite_source_id() report: the SQLite release
// whose behaviour Keel reproduces.
inline constexpr std::string_view kSqliteVersion = "3.40.1";
inline constexpr std::string_view kSqliteSourceId =
    "2022-12-28 14:03:47 df5c253c0b3dd24916e4ec7cf77d3db5294cc9fd45ae7b9c5e82ad8197f38a24";

// Flags of an ordinary deterministic built-in (SQLITE_FUNC_CONSTANT in func.c).
inline constexpr uint32_t kPure = kDeterministic | kInnocuous;
// kPure functions whose implementation keeps no state of its own: callable
// from several threads at once (kParallelSafe, vm/topn_prescan.h).
inline constexpr uint32_t kPureParallel = kPure | kParallelSafe;

inline FunctionDef scalar_def(std::string name, int n_arg, ScalarFn fn, uint32_t flags = kPure,
                              std::shared_ptr<void> user = nullptr) {
  FunctionDef d;
  d.name = std::move(name);
  d.n_arg = n_arg;
  d.flags = flags;
  d.scalar = fn;
  d.user_data = std::move(user);
  return d;
}

// User data holding a small integer (SQLITE_INT_TO_PTR in func.c).
std::shared_ptr<void> int_user_data(int v);
int user_int(const FunctionContext& ctx);

// --- argument access --------------------------------------------------------

// The bytes sqlite3_value_text / sqlite3_value_blob would return: TEXT and BLOB
// bytes as stored (a zero-blob is expanded in place first), numbers rendered
// into `scratch` (REAL as "%!.15g"), NULL as an empty view (check is_null()).
std::string_view arg_bytes(vm::Value& v, vm::NumberText& scratch);

// `s` cut at its first NUL byte: what C-string code in SQLite sees of a
// sqlite3_value_text result.
std::string_view c_string(std::string_view s);

// A NUL-terminated copy of a view cut at its first NUL, for C-string parsers
// (the date/time functions). Short strings stay on the stack.
class CString {
 public:
  explicit CString(std::string_view s) {
    s = c_string(s);
    if (s.size() < sizeof(buf_)) {
      std::memcpy(buf_, s.data(), s.size());
      buf_[s.size()] = 0;
      p_ = buf_;
    } else {
      heap_.assign(s);
      p_ = heap_.c_str();
    }
  }
  CString(const CString&) = delete;
  CString& operator=(const CString&) = delete;
  const char* c_str() const { return p_; }

 private:
  char buf_[64];
  std::string heap_;
  const char* p_;
};

// sqlite3_value_int: the int64 conversion truncated to 32 bits.
inline int value_int(const vm::Value& v) { return static_cast<int>(static_cast<uint32_t>(v.as_int64())); }

// --- UTF-8 as utf.c reads it -----------------------------------------------

// sqlite3Utf8Read over [*p, end): never reads past end; a missing byte reads
// as a terminating NUL. Malformed sequences decode as SQLite decodes them
// (overlong forms and surrogates become U+FFFD). Returns 0 at end.
uint32_t utf8_read(const unsigned char** p, const unsigned char* end);
// SQLITE_SKIP_UTF8: advances over one character.
inline void utf8_skip(const unsigned char** p, const unsigned char* end) {
  if (*p < end && *(*p)++ >= 0xc0) {
    while (*p < end && (**p & 0xc0) == 0x80) ++*p;
  }
}
// sqlite3Utf8CharLen over a C string.
int utf8_char_count(std::string_view s);
// Appends the UTF-8 encoding of c, as char() writes it (up to 4 bytes).
int utf8_write(uint32_t c, unsigned char* out);

// --- results ----------------------------------------------------------------

// sqlite3_result_text / _blob: copies the bytes, or fails with
// "string or blob too big" past the host's SQLITE_LIMIT_LENGTH.
void result_text(FunctionContext& ctx, std::string_view s);
void result_blob(FunctionContext& ctx, std::span<const uint8_t> b);
// sqlite3_result_value: a deep copy of v.
void result_value(FunctionContext& ctx, const vm::Value& v);

}  // namespace keel::func::internal
