// The columnar output modes (column, table, box, markdown). The whole result
// is buffered first: a column is as wide as its widest cell (or its .width),
// a cell holding newlines, or longer than the wrap width, spreads over
// several lines, and rows that spread are set apart by a divider.
//
// Layout, as sqlite3 3.40 prints it:
//   column    cells joined by two spaces; header and dashes when .headers on
//   table     +---+ borders, header centred
//   box       the same with Unicode box-drawing characters
//   markdown  | separated, |---| under the header, no outer border lines
#include <string>
#include <vector>

#include "shell/output_mode.h"
#include "shell/sql_text.h"

namespace keel::shell {
namespace {

constexpr const char* kBoxH = "\xe2\x94\x80";      // ─
constexpr const char* kBoxV = "\xe2\x94\x82";      // │
constexpr const char* kBoxDR = "\xe2\x94\x8c";     // ┌
constexpr const char* kBoxDL = "\xe2\x94\x90";     // ┐
constexpr const char* kBoxUR = "\xe2\x94\x94";     // └
constexpr const char* kBoxUL = "\xe2\x94\x98";     // ┘
constexpr const char* kBoxVR = "\xe2\x94\x9c";     // ├
constexpr const char* kBoxVL = "\xe2\x94\xa4";     // ┤
constexpr const char* kBoxDH = "\xe2\x94\xac";     // ┬
constexpr const char* kBoxUH = "\xe2\x94\xb4";     // ┴
constexpr const char* kBoxCross = "\xe2\x94\xbc";  // ┼

bool is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool is_alnum(unsigned char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

// The first display line of `z` (at most `max_width` characters, tabs
// expanded to 8-column stops); *tail is set to the rest, or nullptr when
// nothing is left. With word_wrap the cut moves back to a word boundary.
std::string first_display_line(const unsigned char* z, const unsigned char** tail, int max_width,
                               bool word_wrap) {
  if (max_width < 0) max_width = -max_width;
  if (max_width == 0) max_width = 1000000;
  int i = 0, n = 0;
  while (n < max_width) {
    if (z[i] >= ' ') {
      n++;
      do {
        i++;
      } while ((z[i] & 0xc0) == 0x80);
      continue;
    }
    if (z[i] == '\t') {
      do {
        n++;
      } while ((n & 7) != 0 && n < max_width);
      i++;
      continue;
    }
    break;
  }
  int k;
  if (n >= max_width && word_wrap) {
    for (k = i; k > i / 2; k--) {
      if (is_space(z[k - 1])) break;
    }
    if (k <= i / 2) {
      for (k = i; k > i / 2; k--) {
        if (is_alnum(z[k - 1]) != is_alnum(z[k]) && (z[k] & 0xc0) != 0x80) break;
      }
    }
    if (k <= i / 2) {
      k = i;
    } else {
      i = k;
      while (z[i] == ' ') i++;
    }
  } else {
    k = i;
  }
  if (n >= max_width && z[i] >= ' ') {
    *tail = &z[i];
  } else if (z[i] == '\r' && z[i + 1] == '\n') {
    *tail = z[i + 2] ? &z[i + 2] : nullptr;
  } else if (z[i] == 0 || z[i + 1] == 0) {
    *tail = nullptr;
  } else {
    *tail = &z[i + 1];
  }
  std::string out;
  i = 0;
  n = 0;
  while (i < k) {
    if (z[i] >= ' ') {
      n++;
      do {
        out += static_cast<char>(z[i++]);
      } while ((z[i] & 0xc0) == 0x80);
      continue;
    }
    if (z[i] == '\t') {
      do {
        n++;
        out += ' ';
      } while ((n & 7) != 0 && n < max_width);
      i++;
      continue;
    }
    break;
  }
  return out;
}

// A value as quote mode would write it, for --quote.
std::string quoted_cell(sqlite3_stmt* stmt, int i) {
  std::string out;
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_NULL:
      return "NULL";
    case SQLITE_INTEGER:
    case SQLITE_FLOAT:
      return reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
    case SQLITE_BLOB:
      append_hex_blob(out, sqlite3_column_blob(stmt, i), sqlite3_column_bytes(stmt, i));
      out[0] = 'x';  // quoted_column() writes x'..', quote mode X'..'
      return out;
    default:
      append_quoted_string(out, reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)));
      return out;
  }
}

void append_repeat(std::string& out, const char* piece, int n) {
  for (int i = 0; i < n; i++) out += piece;
}

// +-----+---+  or  |-----|---|
void ascii_rule(std::string& out, const std::vector<int>& w, const char* sep) {
  for (int x : w) {
    out += sep;
    out.append(x + 2, '-');
  }
  out += sep;
  out += '\n';
}

void box_rule(std::string& out, const std::vector<int>& w, const char* left, const char* mid,
              const char* right) {
  for (size_t i = 0; i < w.size(); i++) {
    out += i == 0 ? left : mid;
    append_repeat(out, kBoxH, w[i] + 2);
  }
  out += right;
  out += '\n';
}

void append_centered(std::string& out, const std::string& text, int width) {
  int n = utf8_chars(text);
  out.append(std::max(0, (width - n) / 2), ' ');
  out += text;
  out.append(std::max(0, (width - n + 1) / 2), ' ');
}

}  // namespace

int utf8_chars(std::string_view s) {
  int n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

void append_padded(std::string& out, std::string_view text, int width) {
  int aw = width < 0 ? -width : width;
  size_t i = 0;
  int n = 0;
  for (; i < text.size(); i++) {
    if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) {
      n++;
      if (n == aw) {
        do {
          i++;
        } while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xc0) == 0x80);
        break;
      }
    }
  }
  if (n >= aw) {
    out += text.substr(0, i);
  } else if (width < 0) {
    out.append(aw - n, ' ');
    out += text;
  } else {
    out += text;
    out.append(aw - n, ' ');
  }
}

int print_columnar(sqlite3_stmt* stmt, Mode mode, const OutputSettings& s, FILE* out,
                   const volatile int* interrupted) {
  int rc = sqlite3_step(stmt);
  if (rc != SQLITE_ROW) return rc;
  const int ncol = sqlite3_column_count(stmt);
  auto width_of = [&](int i) { return i < static_cast<int>(s.widths.size()) ? s.widths[i] : 0; };
  auto wrap_of = [&](int i) {
    int w = width_of(i);
    if (w == 0) w = s.wrap;
    return w < 0 ? -w : w;
  };
  const std::string null_shown = s.quote ? "NULL" : s.null_value;
  // cells: the header row, then display lines; row_ends[r] marks the last
  // display line of a result row.
  std::vector<std::string> cells;
  std::vector<bool> row_ends;
  const unsigned char* rest = nullptr;
  for (int i = 0; i < ncol; i++) {
    const char* name = sqlite3_column_name(stmt, i);
    cells.push_back(first_display_line(reinterpret_cast<const unsigned char*>(name ? name : ""), &rest,
                                       wrap_of(i), s.word_wrap));
  }
  bool multi_line = false;
  std::vector<const unsigned char*> next(ncol, nullptr);
  std::vector<std::string> quoted(ncol);
  bool more_lines = false;
  do {
    bool use_next = more_lines;
    more_lines = false;
    row_ends.push_back(true);
    for (int i = 0; i < ncol; i++) {
      const unsigned char* z;
      if (use_next) {
        z = next[i] ? next[i] : reinterpret_cast<const unsigned char*>("");
      } else if (s.quote) {
        quoted[i] = quoted_cell(stmt, i);
        z = reinterpret_cast<const unsigned char*>(quoted[i].c_str());
      } else {
        z = sqlite3_column_text(stmt, i);
        if (z == nullptr) z = reinterpret_cast<const unsigned char*>(null_shown.c_str());
      }
      cells.push_back(first_display_line(z, &next[i], wrap_of(i), s.word_wrap));
      if (next[i]) {
        more_lines = true;
        row_ends.back() = false;
        multi_line = true;
      }
    }
    if (!more_lines && interrupted && *interrupted) return SQLITE_INTERRUPT;
  } while (more_lines || (rc = sqlite3_step(stmt)) == SQLITE_ROW);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return rc;

  std::vector<int> w(ncol);
  for (int i = 0; i < ncol; i++) w[i] = std::abs(width_of(i));
  for (size_t i = 0; i < cells.size(); i++) {
    int n = utf8_chars(cells[i]);
    if (n > w[i % ncol]) w[i % ncol] = n;
  }
  auto signed_width = [&](int i) { return width_of(i) < 0 ? -w[i] : w[i]; };

  std::string text;
  const char* col_sep = "  ";
  const char* row_sep = "\n";
  switch (mode) {
    case Mode::kColumn:
      if (s.headers) {
        for (int i = 0; i < ncol; i++) {
          append_padded(text, cells[i], signed_width(i));
          text += i == ncol - 1 ? "\n" : "  ";
        }
        for (int i = 0; i < ncol; i++) {
          text.append(w[i], '-');
          text += i == ncol - 1 ? "\n" : "  ";
        }
      }
      break;
    case Mode::kTable:
      col_sep = " | ";
      row_sep = " |\n";
      ascii_rule(text, w, "+");
      text += "| ";
      for (int i = 0; i < ncol; i++) {
        append_centered(text, cells[i], w[i]);
        text += i == ncol - 1 ? " |\n" : " | ";
      }
      ascii_rule(text, w, "+");
      break;
    case Mode::kMarkdown:
      col_sep = " | ";
      row_sep = " |\n";
      text += "| ";
      for (int i = 0; i < ncol; i++) {
        append_centered(text, cells[i], w[i]);
        text += i == ncol - 1 ? " |\n" : " | ";
      }
      ascii_rule(text, w, "|");
      break;
    default: {  // kBox
      static const std::string box_col = std::string(" ") + kBoxV + " ";
      static const std::string box_row = std::string(" ") + kBoxV + "\n";
      col_sep = box_col.c_str();
      row_sep = box_row.c_str();
      box_rule(text, w, kBoxDR, kBoxDH, kBoxDL);
      text += kBoxV;
      text += ' ';
      for (int i = 0; i < ncol; i++) {
        append_centered(text, cells[i], w[i]);
        text += i == ncol - 1 ? row_sep : col_sep;
      }
      box_rule(text, w, kBoxVR, kBoxCross, kBoxVL);
      break;
    }
  }
  std::fwrite(text.data(), 1, text.size(), out);
  const size_t total = cells.size();
  for (size_t i = ncol, j = 0; i < total; i++, j++) {
    text.clear();
    if (j == 0 && mode != Mode::kColumn) text += mode == Mode::kBox ? std::string(kBoxV) + " " : "| ";
    append_padded(text, cells[i], signed_width(static_cast<int>(j)));
    if (j == static_cast<size_t>(ncol) - 1) {
      text += row_sep;
      size_t line = i / ncol - 1;
      if (multi_line && row_ends[line] && i + 1 < total) {
        if (mode == Mode::kTable) {
          ascii_rule(text, w, "+");
        } else if (mode == Mode::kBox) {
          box_rule(text, w, kBoxVR, kBoxCross, kBoxVL);
        } else if (mode == Mode::kColumn) {
          text += '\n';
        }
      }
      j = static_cast<size_t>(-1);
    } else {
      text += col_sep;
    }
    std::fwrite(text.data(), 1, text.size(), out);
  }
  text.clear();
  if (mode == Mode::kTable) {
    ascii_rule(text, w, "+");
  } else if (mode == Mode::kBox) {
    box_rule(text, w, kBoxUR, kBoxUH, kBoxUL);
  }
  std::fwrite(text.data(), 1, text.size(), out);
  return SQLITE_DONE;
}

}  // namespace keel::shell
