// .import FILE TABLE: loads CSV (or ASCII-separated) data into a table,
// creating it from the header row when it does not exist, with sqlite3
// 3.40's parsing rules and diagnostics:
//   - "..." quotes a field, "" inside is one quote; a row ends at the row
//     separator ("\n", a preceding "\r" dropped);
//   - short rows are filled with NULL, long rows cut, each with a warning
//     naming the line;
//   - a new table gets one TEXT column per header field; duplicate names
//     get a "_N" suffix (N = column position);
//   - all rows go in one transaction when none is open;
//   - a file over 8 MiB shows a progress line on a terminal's stderr.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "shell/shell.h"
#include "shell/sql_text.h"

namespace keel::shell {
namespace {

struct ImportReader {
  FILE* in = nullptr;
  std::string file;
  std::string field;
  int col_sep = ',';
  int row_sep = '\n';
  int term = 0;  // what ended the last field: a separator or EOF
  int line = 1;
  bool not_first = false;

  // One CSV field into `field`; false at end of input.
  bool read_csv() {
    field.clear();
    int c = std::getc(in);
    if (c == EOF || Shell::interrupted) {
      term = EOF;
      return false;
    }
    if (c == '"') {
      int pc = 0, ppc = 0;
      int start_line = line;
      for (;;) {
        c = std::getc(in);
        if (c == row_sep) line++;
        if (c == '"' && pc == '"') {
          pc = 0;
          continue;
        }
        if ((c == col_sep && pc == '"') || (c == row_sep && pc == '"') ||
            (c == row_sep && pc == '\r' && ppc == '"') || (c == EOF && pc == '"')) {
          // Drop the closing quote (and a "\r" after it).
          while (!field.empty() && field.back() != '"') field.pop_back();
          if (!field.empty()) field.pop_back();
          term = c;
          break;
        }
        if (pc == '"' && c != '\r')
          std::fprintf(stderr, "%s:%d: unescaped \" character\n", file.c_str(), line);
        if (c == EOF) {
          std::fprintf(stderr, "%s:%d: unterminated \"-quoted field\n", file.c_str(), start_line);
          term = c;
          break;
        }
        field += static_cast<char>(c);
        ppc = pc;
        pc = c;
      }
    } else {
      if ((c & 0xff) == 0xef && !not_first) {  // a UTF-8 byte order mark
        field += static_cast<char>(c);
        c = std::getc(in);
        if ((c & 0xff) == 0xbb) {
          field += static_cast<char>(c);
          c = std::getc(in);
          if ((c & 0xff) == 0xbf) {
            not_first = true;
            return read_csv();
          }
        }
      }
      while (c != EOF && c != col_sep && c != row_sep) {
        field += static_cast<char>(c);
        c = std::getc(in);
      }
      if (c == row_sep) {
        line++;
        if (!field.empty() && field.back() == '\r') field.pop_back();
      }
      term = c;
    }
    not_first = true;
    return true;
  }

  // One field with no quoting at all (--ascii).
  bool read_ascii() {
    field.clear();
    int c = std::getc(in);
    if (c == EOF || Shell::interrupted) {
      term = EOF;
      return false;
    }
    while (c != EOF && c != col_sep && c != row_sep) {
      field += static_cast<char>(c);
      c = std::getc(in);
    }
    if (c == row_sep) line++;
    term = c;
    return true;
  }
};

// The column list of a table created from header fields, renaming
// duplicates; `renames` collects the "old" to "new" lines.
std::string column_definitions(const std::vector<std::string>& names, std::string& renames) {
  size_t digits = std::to_string(names.size()).size();
  std::vector<std::string> final_names = names;
  // An empty header field names its column "?".
  for (std::string& n : final_names) {
    if (n.empty()) n = "?";
  }
  for (size_t i = 0; i < names.size(); i++) {
    int reps = 0;
    for (const auto& other : names) reps += sqlite3_stricmp(other.c_str(), names[i].c_str()) == 0;
    if (reps > 1) {
      std::string pos = std::to_string(i + 1);
      std::string base = final_names[i];
      final_names[i] = base + "_" + std::string(digits - pos.size(), '0') + pos;
      renames += (renames.empty() ? "" : ",\n") + quote_name(base) + " to " + quote_name(final_names[i]);
    }
  }
  // Four columns to a line, as sqlite3 writes them.
  std::string defs = "(\n";
  for (size_t i = 0; i < final_names.size(); i++) {
    if (i) defs += i % 4 == 0 ? ",\n " : ", ";
    defs += quote_name(final_names[i]) + " TEXT";
  }
  return defs + ")";
}

}  // namespace

int Shell::cmd_import(const std::vector<std::string>& args) {
  std::string file, table, schema;
  bool use_output_mode = true, ascii = false;
  int skip = 0, verbose = 0;
  ImportReader r;
  for (size_t i = 1; i < args.size(); i++) {
    std::string z = args[i];
    if (z[0] == '-' && z.size() > 1 && z[1] == '-') z = z.substr(1);
    if (z[0] != '-') {
      if (file.empty()) {
        file = z;
      } else if (table.empty()) {
        table = z;
      } else {
        std::fprintf(stderr, "ERROR: extra argument: \"%s\".  Usage:\n", z.c_str());
        return cmd_help({"help", "import"}) | 1;
      }
    } else if (z == "-v") {
      verbose++;
    } else if (z == "-schema" && i + 1 < args.size()) {
      schema = args[++i];
    } else if (z == "-skip" && i + 1 < args.size()) {
      skip = std::atoi(args[++i].c_str());
    } else if (z == "-ascii") {
      r.col_sep = 0x1f;
      r.row_sep = 0x1e;
      ascii = true;
      use_output_mode = false;
    } else if (z == "-csv") {
      r.col_sep = ',';
      r.row_sep = '\n';
      use_output_mode = false;
    } else {
      std::fprintf(stderr, "ERROR: unknown option: \"%s\".  Usage:\n", args[i].c_str());
      return cmd_help({"help", "import"}) | 1;
    }
  }
  if (table.empty()) {
    std::fprintf(out_file_, "ERROR: missing %s argument. Usage:\n", file.empty() ? "FILE" : "TABLE");
    return cmd_help({"help", "import"}) | 1;
  }
  if (use_output_mode) {
    std::string col = out_.col_sep, row = out_.row_sep;
    if (col.empty()) {
      std::fprintf(stderr, "Error: non-null column separator required for import\n");
      return 1;
    }
    if (col.size() > 1) {
      std::fprintf(stderr, "Error: multi-character column separators not allowed for import\n");
      return 1;
    }
    if (row.empty()) {
      std::fprintf(stderr, "Error: non-null row separator required for import\n");
      return 1;
    }
    if (out_.mode == Mode::kCsv && row == "\r\n") row = "\n";
    if (row.size() > 1) {
      std::fprintf(stderr, "Error: multi-character row separators not allowed for import\n");
      return 1;
    }
    r.col_sep = static_cast<unsigned char>(col[0]);
    r.row_sep = static_cast<unsigned char>(row[0]);
    ascii = out_.mode == Mode::kAscii;
  }
  r.file = file;
  bool pipe = file[0] == '|';
  r.in = pipe ? popen(file.c_str() + 1, "r") : std::fopen(file.c_str(), "rb");
  if (r.in == nullptr) {
    std::fprintf(stderr, "Error: cannot open \"%s\"\n", file.c_str());
    return 1;
  }
  auto close_input = [&] {
    if (pipe) {
      pclose(r.in);
    } else {
      std::fclose(r.in);
    }
  };
  auto read = [&] { return ascii ? r.read_ascii() : r.read_csv(); };
  while (skip-- > 0) {
    while (read() && r.term == r.col_sep) {
    }
  }
  std::string full = schema.empty() ? quote_name(table) : quote_name(schema) + "." + quote_name(table);
  std::string select = "SELECT * FROM " + full;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, select.c_str(), -1, &stmt, nullptr);
  if (rc != SQLITE_OK && std::strncmp(sqlite3_errmsg(db_), "no such table: ", 15) == 0) {
    std::vector<std::string> names;
    while (read()) {
      names.push_back(r.field);
      if (r.term != r.col_sep) break;
    }
    if (names.empty()) {
      std::fprintf(stderr, "%s: empty file\n", file.c_str());
      close_input();
      return 1;
    }
    std::string renames;
    std::string create = "CREATE TABLE " + full + column_definitions(names, renames) + "\n";
    if (!renames.empty()) {
      std::fprintf(stderr, "Columns renamed during .import %s due to duplicates:\n%s\n", file.c_str(),
                   renames.c_str());
    }
    if (verbose >= 1) std::fprintf(out_file_, "%s\n", create.c_str());
    if (sqlite3_exec(db_, create.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "%s failed:\n%s\n", create.c_str(), sqlite3_errmsg(db_));
      close_input();
      return 1;
    }
    rc = sqlite3_prepare_v2(db_, select.c_str(), -1, &stmt, nullptr);
  }
  if (rc != SQLITE_OK) {
    std::fprintf(stderr, "Error: %s\n", sqlite3_errmsg(db_));
    sqlite3_finalize(stmt);
    close_input();
    return 1;
  }
  int ncol = sqlite3_column_count(stmt);
  sqlite3_finalize(stmt);
  stmt = nullptr;
  if (ncol == 0) {
    close_input();
    return 0;
  }
  std::string insert = "INSERT INTO " + full + " VALUES(?";
  for (int i = 1; i < ncol; i++) insert += ",?";
  insert += ")";
  if (verbose >= 2) std::fprintf(out_file_, "Insert using: %s\n", insert.c_str());
  if (sqlite3_prepare_v2(db_, insert.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "Error: %s\n", sqlite3_errmsg(db_));
    close_input();
    return 1;
  }
  // A progress line for big files when a person is watching stderr; it is
  // rewritten in place and erased at the end, so logs and pipes never see it.
  bool progress = false;
  if (!pipe && isatty(2)) {
    struct stat st {};
    progress = fstat(fileno(r.in), &st) == 0 && st.st_size > (8 << 20);
  }
  bool need_commit = sqlite3_get_autocommit(db_) != 0;
  if (need_commit) sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr);
  int rows = 0, errors = 0;
  do {
    int start_line = r.line;
    int i;
    for (i = 0; i < ncol; i++) {
      bool got = read();
      if (!got && i == 0) break;
      if (ascii && (!got || r.field.empty()) && i == 0) break;
      sqlite3_bind_text(stmt, i + 1, got ? r.field.c_str() : nullptr, -1, SQLITE_TRANSIENT);
      if (i < ncol - 1 && r.term != r.col_sep) {
        std::fprintf(stderr, "%s:%d: expected %d columns but found %d - filling the rest with NULL\n",
                     file.c_str(), start_line, ncol, i + 1);
        i += 2;
        while (i <= ncol) sqlite3_bind_null(stmt, i++);
      }
    }
    if (r.term == r.col_sep) {
      do {
        read();
        i++;
      } while (r.term == r.col_sep);
      std::fprintf(stderr, "%s:%d: expected %d columns but found %d - extras ignored\n", file.c_str(),
                   start_line, ncol, i);
    }
    if (i >= ncol) {
      sqlite3_step(stmt);
      if (sqlite3_reset(stmt) != SQLITE_OK) {
        std::fprintf(stderr, "%s:%d: INSERT failed: %s\n", file.c_str(), start_line, sqlite3_errmsg(db_));
        errors++;
      } else {
        rows++;
        if (progress && rows % 50000 == 0) {
          long pos = std::ftell(r.in);
          struct stat st {};
          fstat(fileno(r.in), &st);
          std::fprintf(stderr, "\r%s: %d rows (%d%%)", file.c_str(), rows,
                       st.st_size > 0 ? static_cast<int>(100.0 * pos / st.st_size) : 0);
        }
      }
    }
  } while (r.term != EOF);
  if (progress && rows >= 50000) std::fputs("\r\033[K", stderr);
  close_input();
  sqlite3_finalize(stmt);
  if (need_commit) sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  if (verbose > 0) {
    std::fprintf(out_file_, "Added %d rows with %d errors using %d lines of input\n", rows, errors,
                 r.line - 1);
  }
  return 0;
}

}  // namespace keel::shell
