#include "shell/sql_text.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>

#include "keel/sqlite3.h"

namespace keel::shell {
namespace {

// SQLite 3.40's keywords, sorted, upper case (the list sqlite3_keyword_name
// enumerates). Used only to decide whether a name needs quoting.
constexpr std::array<std::string_view, 147> kKeywords = {
    "ABORT",
    "ACTION",
    "ADD",
    "AFTER",
    "ALL",
    "ALTER",
    "ALWAYS",
    "ANALYZE",
    "AND",
    "AS",
    "ASC",
    "ATTACH",
    "AUTOINCREMENT",
    "BEFORE",
    "BEGIN",
    "BETWEEN",
    "BY",
    "CASCADE",
    "CASE",
    "CAST",
    "CHECK",
    "COLLATE",
    "COLUMN",
    "COMMIT",
    "CONFLICT",
    "CONSTRAINT",
    "CREATE",
    "CROSS",
    "CURRENT",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "DATABASE",
    "DEFAULT",
    "DEFERRABLE",
    "DEFERRED",
    "DELETE",
    "DESC",
    "DETACH",
    "DISTINCT",
    "DO",
    "DROP",
    "EACH",
    "ELSE",
    "END",
    "ESCAPE",
    "EXCEPT",
    "EXCLUDE",
    "EXCLUSIVE",
    "EXISTS",
    "EXPLAIN",
    "FAIL",
    "FILTER",
    "FIRST",
    "FOLLOWING",
    "FOR",
    "FOREIGN",
    "FROM",
    "FULL",
    "GENERATED",
    "GLOB",
    "GROUP",
    "GROUPS",
    "HAVING",
    "IF",
    "IGNORE",
    "IMMEDIATE",
    "IN",
    "INDEX",
    "INDEXED",
    "INITIALLY",
    "INNER",
    "INSERT",
    "INSTEAD",
    "INTERSECT",
    "INTO",
    "IS",
    "ISNULL",
    "JOIN",
    "KEY",
    "LAST",
    "LEFT",
    "LIKE",
    "LIMIT",
    "MATCH",
    "MATERIALIZED",
    "NATURAL",
    "NO",
    "NOT",
    "NOTHING",
    "NOTNULL",
    "NULL",
    "NULLS",
    "OF",
    "OFFSET",
    "ON",
    "OR",
    "ORDER",
    "OTHERS",
    "OUTER",
    "OVER",
    "PARTITION",
    "PLAN",
    "PRAGMA",
    "PRECEDING",
    "PRIMARY",
    "QUERY",
    "RAISE",
    "RANGE",
    "RECURSIVE",
    "REFERENCES",
    "REGEXP",
    "REINDEX",
    "RELEASE",
    "RENAME",
    "REPLACE",
    "RESTRICT",
    "RETURNING",
    "RIGHT",
    "ROLLBACK",
    "ROW",
    "ROWS",
    "SAVEPOINT",
    "SELECT",
    "SET",
    "TABLE",
    "TEMP",
    "TEMPORARY",
    "THEN",
    "TIES",
    "TO",
    "TRANSACTION",
    "TRIGGER",
    "UNBOUNDED",
    "UNION",
    "UNIQUE",
    "UPDATE",
    "USING",
    "VACUUM",
    "VALUES",
    "VIEW",
    "VIRTUAL",
    "WHEN",
    "WHERE",
    "WINDOW",
    "WITH",
    "WITHOUT",
};

}  // namespace

std::vector<std::string_view> keywords() { return {kKeywords.begin(), kKeywords.end()}; }

bool is_keyword(std::string_view word) {
  if (word.empty() || word.size() > 17) return false;
  std::string upper(word);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return std::binary_search(kKeywords.begin(), kKeywords.end(), std::string_view(upper));
}

char quote_char(std::string_view name) {
  if (name.empty()) return '"';
  unsigned char first = static_cast<unsigned char>(name[0]);
  if (!std::isalpha(first) && first != '_') return '"';
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return '"';
  }
  return is_keyword(name) ? '"' : 0;
}

std::string quote_name(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string quote_name_if_needed(std::string_view name) {
  return quote_char(name) ? quote_name(name) : std::string(name);
}

void append_quoted_string(std::string& out, std::string_view text) {
  out += '\'';
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
}

namespace {

// A spelling of "\n" (or "\r") that does not occur in `text`, so that
// replace(text, spelling, char(10)) restores exactly the newlines.
std::string unused_string(std::string_view text, const char* a, const char* b) {
  if (text.find(a) == std::string_view::npos) return a;
  if (text.find(b) == std::string_view::npos) return b;
  for (unsigned i = 0;; i++) {
    std::string candidate = "(" + std::string(a) + std::to_string(i) + ")";
    if (text.find(candidate) == std::string_view::npos) return candidate;
  }
}

}  // namespace

void append_quoted_escaped_string(std::string& out, std::string_view text) {
  if (text.find_first_of("\n\r") == std::string_view::npos) {
    append_quoted_string(out, text);
    return;
  }
  bool has_nl = text.find('\n') != std::string_view::npos;
  bool has_cr = text.find('\r') != std::string_view::npos;
  std::string nl, cr;
  if (has_nl) {
    out += "replace(";
    nl = unused_string(text, "\\n", "\\012");
  }
  if (has_cr) {
    out += "replace(";
    cr = unused_string(text, "\\r", "\\015");
  }
  out += '\'';
  for (char c : text) {
    if (c == '\'') {
      out += "''";
    } else if (c == '\n') {
      out += nl;
    } else if (c == '\r') {
      out += cr;
    } else {
      out += c;
    }
  }
  out += '\'';
  if (has_cr) out += ",'" + cr + "',char(13))";
  if (has_nl) out += ",'" + nl + "',char(10))";
}

void append_hex_blob(std::string& out, const void* data, int n) {
  static const char kHex[] = "0123456789abcdef";
  const auto* p = static_cast<const uint8_t*>(data);
  out += "X'";
  for (int i = 0; i < n; i++) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 15];
  }
  out += '\'';
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '\\' || c == '"') {
      out += '\\';
      out += ch;
    } else if (c <= 0x1f) {
      out += '\\';
      switch (c) {
        case '\b':
          out += 'b';
          break;
        case '\f':
          out += 'f';
          break;
        case '\n':
          out += 'n';
          break;
        case '\r':
          out += 'r';
          break;
        case '\t':
          out += 't';
          break;
        default: {
          char buf[8];
          std::snprintf(buf, sizeof buf, "u%04x", c);
          out += buf;
        }
      }
    } else {
      out += ch;
    }
  }
  out += '"';
}

void append_html_string(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
}

void append_csv_field(std::string& out, std::string_view text, std::string_view col_sep) {
  // Quote when the field is empty, holds a space or control byte, a quote, a
  // byte >= 0x7f, or the separator (sqlite3's needCsvQuote table).
  bool quote = text.empty();
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == '"' || c == '\'' || c >= 0x7f) {
      quote = true;
      break;
    }
  }
  if (!quote && !col_sep.empty() && text.find(col_sep) != std::string_view::npos) quote = true;
  if (!quote) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_c_string(std::string& out, std::string_view text) {
  out += '"';
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (!std::isprint(c)) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  out += '"';
}

std::string format_real(double value, RealStyle style) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  if (style != RealStyle::kQuote) {
    if (bits == 0x7ff0000000000000ULL) return "1e999";
    if (bits == 0xfff0000000000000ULL) return "-1e999";
  }
  char buf[50];
  if (style == RealStyle::kInsert && value >= -9223372036854775808.0 && value < 9223372036854775808.0 &&
      value == static_cast<double>(static_cast<int64_t>(value))) {
    sqlite3_snprintf(sizeof buf, buf, "%lld.0", static_cast<long long>(value));
    return buf;
  }
  sqlite3_snprintf(sizeof buf, buf, "%!.20g", value);
  return buf;
}

// sqlite3's printSchemaLine(): a statement ending in a comment gets the
// comment closed first, and "CREATE TABLE "x"" becomes "CREATE TABLE IF NOT
// EXISTS "x"" so that the script also runs on a database that has it.
std::string schema_line(std::string sql) {
  if (sql.find("/*") != std::string::npos || sql.find("--") != std::string::npos) {
    for (const char* term : {"", "*/", "\n"}) {
      std::string candidate = sql + term + ";";
      if (sqlite3_complete(candidate.c_str())) {
        candidate.pop_back();
        sql = candidate;
        break;
      }
    }
  }
  if (sql.compare(0, 13, "CREATE TABLE ") == 0 && sql.size() > 13 && (sql[13] == '"' || sql[13] == '\'')) {
    return "CREATE TABLE IF NOT EXISTS " + sql.substr(13) + ";\n";
  }
  return sql + ";\n";
}

std::string resolve_backslashes(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); i++) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      c = text[++i];
      switch (c) {
        case 'a':
          c = '\a';
          break;
        case 'b':
          c = '\b';
          break;
        case 't':
          c = '\t';
          break;
        case 'n':
          c = '\n';
          break;
        case 'v':
          c = '\v';
          break;
        case 'f':
          c = '\f';
          break;
        case 'r':
          c = '\r';
          break;
        case '"':
        case '\'':
        case '\\':
          break;
        default:
          if (c >= '0' && c <= '7') {
            int v = c - '0';
            for (int k = 0; k < 2 && i + 1 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '7'; k++) {
              v = v * 8 + (text[++i] - '0');
            }
            c = static_cast<char>(v);
          }
          // Any other escaped character stands for itself.
      }
    }
    // Arguments are C strings in sqlite3: an escaped NUL ends one.
    if (c == 0) break;
    out += c;
  }
  return out;
}

}  // namespace keel::shell
