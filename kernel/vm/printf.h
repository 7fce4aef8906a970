// SQLite's printf: the sqlite3_mprintf format language, for C++ callers and
// for the SQL printf()/format() functions.
//
// Conversions: %d %i %u %x %X %o %c %s %z %q %Q %w %f %e %E %g %G %p %n %%,
// and %r (an ordinal: 1st, 2nd, 3rd, 11th, as error messages use it),
// flags '-' '+' ' ' '#' '0' '!' ',', width and precision (also '*'), length
// modifiers l and ll. Doubles are rendered by SQLite's own digit generator
// (long double arithmetic, at most 16 significant digits, 26 with '!'), not by
// libc, so output matches sqlite3 byte for byte. '!' on %g keeps a ".0"
// ("%!.15g" of 1.0 is "1.0"), on %s/%q/%c counts width and precision in
// UTF-8 characters. An unknown conversion character ends the output there, as
// in SQLite.
//
// C++ varargs follow C's rules: %d takes an int, %lld an int64_t, %s/%q/%Q/%w
// a const char* (NULL allowed), %z a char* that is NOT freed here, %c an
// unsigned code point, %p a pointer, %n an int*.
#pragma once

#include <cstdarg>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "keel/status.hpp"

namespace keel::vm {

class Value;

std::string format(const char* fmt, ...);
std::string vformat(const char* fmt, va_list ap);
void append_format(std::string& out, const char* fmt, ...);

// SQL printf(FORMAT, ...)/format(): arguments are read as sqlite3_value_int64,
// _double or _text would read them; missing arguments read as 0, 0.0 or NULL.
// `fmt` ends at its first NUL byte. Output of `max_length` bytes
// (SQLITE_LIMIT_LENGTH) or more fails with rc::kTooBig "string or blob too big" and
// an empty `out`; note that SQLite's SQL printf()/format() then returns NULL
// rather than raising the error.
Status sql_printf(std::string_view fmt, std::span<const Value> args, std::string& out,
                  size_t max_length = 1000000000);
// As above, also telling whether SQLite's printf() would return NULL rather
// than text: *out_is_null is true when nothing at all was appended (an empty
// format, or one that starts with an unknown conversion such as "%y") and
// on kTooBig. printf('') is NULL while printf('%s', '') is ''.
Status sql_printf(std::string_view fmt, std::span<const Value> args, std::string& out, bool* out_is_null,
                  size_t max_length = 1000000000);

// Renders r as SQLite's "%!.15g" (the REAL → TEXT conversion) into buf, which
// must hold 32 bytes; writes a NUL and returns the length.
size_t render_real_15g(double r, char* buf);

}  // namespace keel::vm
