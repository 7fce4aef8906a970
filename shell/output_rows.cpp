// The row-at-a-time output modes: list, csv, tabs (list with a tab), line,
// quote, insert, json, html, tcl, ascii, count, off. Each row is printed as
// soon as it is stepped, so memory stays flat on any result size.
#include <cstring>
#include <string>
#include <vector>

#include "shell/output_mode.h"
#include "shell/sql_text.h"

namespace keel::shell {
namespace {

const char* kModeNames[] = {"line",     "column", "list",    "semi",  "html",        "insert", "quote",
                            "tcl",      "csv",    "explain", "ascii", "prettyprint", "eqp",    "json",
                            "markdown", "table",  "box",     "count", "off"};

std::string_view cstr(const unsigned char* p) {
  return p ? std::string_view(reinterpret_cast<const char*>(p)) : std::string_view();
}

// One value for quote and insert modes: NULL, a literal of its type.
void append_sql_literal(std::string& out, sqlite3_stmt* stmt, int i, bool insert, bool newlines = false) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_NULL:
      out += "NULL";
      break;
    case SQLITE_INTEGER:
      out += cstr(sqlite3_column_text(stmt, i));
      break;
    case SQLITE_FLOAT:
      out += format_real(sqlite3_column_double(stmt, i), insert ? RealStyle::kInsert : RealStyle::kQuote);
      break;
    case SQLITE_BLOB:
      append_hex_blob(out, sqlite3_column_blob(stmt, i), sqlite3_column_bytes(stmt, i));
      break;
    default:
      if (insert && !newlines) {
        append_quoted_escaped_string(out, cstr(sqlite3_column_text(stmt, i)));
      } else {
        append_quoted_string(out, cstr(sqlite3_column_text(stmt, i)));
      }
  }
}

}  // namespace

const char* mode_name(Mode m) { return kModeNames[static_cast<int>(m)]; }

bool is_columnar(Mode m) {
  return m == Mode::kColumn || m == Mode::kTable || m == Mode::kBox || m == Mode::kMarkdown;
}

int print_rows(sqlite3_stmt* stmt, Mode mode, const OutputSettings& s, FILE* out,
               const volatile int* interrupted) {
  int rc = sqlite3_step(stmt);
  if (rc != SQLITE_ROW) return rc;
  const int n = sqlite3_column_count(stmt);
  std::vector<std::string> names(n);
  for (int i = 0; i < n; i++) {
    const char* name = sqlite3_column_name(stmt, i);
    names[i] = name ? name : "";
  }
  uint64_t count = 0;
  std::string line;
  // The text of column i, or the null value.
  auto text = [&](int i) -> std::string_view {
    const unsigned char* t = sqlite3_column_text(stmt, i);
    return t ? cstr(t) : std::string_view(s.null_value);
  };
  do {
    line.clear();
    switch (mode) {
      case Mode::kLine: {
        size_t w = 5;
        for (const auto& nm : names) w = std::max(w, nm.size());
        if (count > 0) line += s.row_sep;
        for (int i = 0; i < n; i++) {
          line.append(w - names[i].size(), ' ');
          line += names[i];
          line += " = ";
          line += text(i);
          line += s.row_sep;
        }
        break;
      }
      case Mode::kList:
      case Mode::kAscii:
        if (count == 0 && s.headers) {
          for (int i = 0; i < n; i++) {
            if (i) line += s.col_sep;
            line += names[i];
          }
          line += s.row_sep;
        }
        for (int i = 0; i < n; i++) {
          if (i) line += s.col_sep;
          line += text(i);
        }
        line += s.row_sep;
        break;
      case Mode::kCsv:
        if (count == 0 && s.headers) {
          for (int i = 0; i < n; i++) {
            append_csv_field(line, names[i], s.col_sep);
            if (i < n - 1) line += s.col_sep;
          }
          line += s.row_sep;
        }
        for (int i = 0; i < n; i++) {
          const unsigned char* t = sqlite3_column_text(stmt, i);
          if (t == nullptr) {
            line += s.null_value;
          } else {
            append_csv_field(line, cstr(t), s.col_sep);
          }
          if (i < n - 1) line += s.col_sep;
        }
        line += s.row_sep;
        break;
      case Mode::kQuote:
        if (count == 0 && s.headers) {
          for (int i = 0; i < n; i++) {
            if (i) line += s.col_sep;
            append_quoted_string(line, names[i]);
          }
          line += s.row_sep;
        }
        for (int i = 0; i < n; i++) {
          if (i) line += s.col_sep;
          append_sql_literal(line, stmt, i, false);
        }
        line += s.row_sep;
        break;
      case Mode::kInsert:
        line += "INSERT INTO ";
        line += s.dest_table;
        if (s.headers) {
          line += '(';
          for (int i = 0; i < n; i++) {
            if (i) line += ',';
            line += quote_name_if_needed(names[i]);
          }
          line += ')';
        }
        for (int i = 0; i < n; i++) {
          line += i ? "," : " VALUES(";
          append_sql_literal(line, stmt, i, true, s.insert_newlines);
        }
        line += ");\n";
        break;
      case Mode::kJson:
        line += count == 0 ? "[{" : ",\n{";
        for (int i = 0; i < n; i++) {
          append_json_string(line, names[i]);
          line += ':';
          switch (sqlite3_column_type(stmt, i)) {
            case SQLITE_NULL:
              line += "null";
              break;
            case SQLITE_FLOAT:
              line += format_real(sqlite3_column_double(stmt, i), RealStyle::kJson);
              break;
            case SQLITE_BLOB: {
              const char* b = static_cast<const char*>(sqlite3_column_blob(stmt, i));
              append_json_string(line, std::string_view(b ? b : "", sqlite3_column_bytes(stmt, i)));
              break;
            }
            case SQLITE_TEXT:
              append_json_string(line, cstr(sqlite3_column_text(stmt, i)));
              break;
            default:
              line += cstr(sqlite3_column_text(stmt, i));
          }
          if (i < n - 1) line += ',';
        }
        line += '}';
        break;
      case Mode::kHtml:
        if (count == 0 && s.headers) {
          line += "<TR>";
          for (int i = 0; i < n; i++) {
            line += "<TH>";
            append_html_string(line, names[i]);
            line += "</TH>\n";
          }
          line += "</TR>\n";
        }
        line += "<TR>";
        for (int i = 0; i < n; i++) {
          line += "<TD>";
          append_html_string(line, text(i));
          line += "</TD>\n";
        }
        line += "</TR>\n";
        break;
      case Mode::kTcl:
        if (count == 0 && s.headers) {
          for (int i = 0; i < n; i++) {
            append_c_string(line, names[i]);
            if (i < n - 1) line += s.col_sep;
          }
          line += s.row_sep;
        }
        for (int i = 0; i < n; i++) {
          append_c_string(line, text(i));
          if (i < n - 1) line += s.col_sep;
        }
        line += s.row_sep;
        break;
      default:  // kCount, kOff: rows are consumed, nothing is printed
        break;
    }
    count++;
    std::fwrite(line.data(), 1, line.size(), out);
    if (interrupted && *interrupted) return SQLITE_INTERRUPT;
    rc = sqlite3_step(stmt);
  } while (rc == SQLITE_ROW);
  if (mode == Mode::kJson) {
    std::fputs("]\n", out);
  } else if (mode == Mode::kCount) {
    std::fprintf(stdout, "%llu row%s\n", static_cast<unsigned long long>(count), count != 1 ? "s" : "");
  }
  return rc;
}

int print_result(sqlite3_stmt* stmt, const OutputSettings& s, FILE* out, const volatile int* interrupted) {
  Mode mode = s.mode;
  if (s.auto_explain) {
    int e = sqlite3_stmt_isexplain(stmt);
    if (e == 1) return print_explain(stmt, s, out);
    if (e == 2) return print_query_plan(stmt, out);
  }
  if (is_columnar(mode)) return print_columnar(stmt, mode, s, out, interrupted);
  return print_rows(stmt, mode, s, out, interrupted);
}

}  // namespace keel::shell
