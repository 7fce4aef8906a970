// Quoting and escaping of SQL values and names, as the sqlite3 shell writes
// them: identifiers for .dump and insert mode, string literals, hex blobs,
// JSON, HTML and CSV fields. Everything appends to a std::string so that a
// caller builds a whole line before writing it.
//
// Text values are treated as C strings (cut at the first NUL byte), exactly
// as sqlite3's shell does with sqlite3_column_text().
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace keel::shell {

// True if `word` is one of SQLite 3.40's keywords (case-insensitive).
bool is_keyword(std::string_view word);
// All of them, upper case, sorted.
std::vector<std::string_view> keywords();

// '"' if `name` must be quoted to be used as an identifier (it is not
// [A-Za-z_][A-Za-z0-9_]* or it is a keyword), else 0.
char quote_char(std::string_view name);

// `name`, double-quoted (with inner quotes doubled) only if quote_char says so.
std::string quote_name_if_needed(std::string_view name);
// `name` always double-quoted, inner quotes doubled (printf's %w).
std::string quote_name(std::string_view name);

// 'text' with inner single quotes doubled; newlines are kept as they are.
void append_quoted_string(std::string& out, std::string_view text);
// Like append_quoted_string, but newlines and carriage returns become
// replace('..\n..','\n',char(10)) so the literal stays on one line.
void append_quoted_escaped_string(std::string& out, std::string_view text);
// X'0a1b...' with lower-case hex digits.
void append_hex_blob(std::string& out, const void* data, int n);
// "..." with JSON escapes; control bytes become \u00XX.
void append_json_string(std::string& out, std::string_view text);
// &lt; &gt; &amp; &quot; &#39; for the five HTML-special characters.
void append_html_string(std::string& out, std::string_view text);
// A CSV field: quoted ("..." with doubled quotes) when it holds a byte that
// needs it or the column separator.
void append_csv_field(std::string& out, std::string_view text, std::string_view col_sep);
// A C string literal for tcl mode: "..." with backslash escapes.
void append_c_string(std::string& out, std::string_view text);

// How reals are spelled by the modes that write SQL or JSON literals.
enum class RealStyle {
  kQuote,   // %!.20g
  kJson,    // %!.20g, infinities as 1e999 / -1e999
  kInsert,  // as kJson, and integral values as "<integer>.0" (so 13.0, not 12.999...)
};
std::string format_real(double value, RealStyle style);

// A stored CREATE statement as .schema and .dump print it, with ";\n":
// a trailing comment is closed first, and "CREATE TABLE "x"" becomes
// "CREATE TABLE IF NOT EXISTS "x"" (sqlite3's printSchemaLine()).
std::string schema_line(std::string sql);

// Expands the backslash escapes of .separator and .nullvalue arguments
// (\n \t \r \\ \" \' \NNN octal; \x for any other x is x).
std::string resolve_backslashes(std::string_view text);

}  // namespace keel::shell
