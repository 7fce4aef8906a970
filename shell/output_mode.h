// How query results are printed: the output modes of the sqlite3 shell and
// the settings that shape them (.mode, .headers, .separator, .nullvalue,
// .width). print_result() writes one statement's rows in the current mode,
// byte for byte as sqlite3 3.40 does.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "keel/sqlite3.h"

namespace keel::shell {

// In sqlite3's order, so that mode_name() matches its modeDescr[] table.
enum class Mode : uint8_t {
  kLine,
  kColumn,
  kList,
  kSemi,
  kHtml,
  kInsert,
  kQuote,
  kTcl,
  kCsv,
  kExplain,
  kAscii,
  kPretty,
  kEqp,
  kJson,
  kMarkdown,
  kTable,
  kBox,
  kCount,
  kOff,
};

// The name .mode and .show print for a mode.
const char* mode_name(Mode m);
// True for the modes that buffer the whole result to size their columns.
bool is_columnar(Mode m);

struct OutputSettings {
  Mode mode = Mode::kList;
  std::string col_sep = "|";
  std::string row_sep = "\n";
  std::string null_value;
  bool headers = false;
  // Set once .headers (or -header/-noheader) was used: .mode column then
  // leaves the header setting alone.
  bool headers_set = false;
  // .width: negative means right-aligned; 0 means "size to the data".
  std::vector<int> widths;
  // Columnar options (.mode box --wrap N --wordwrap on --quote).
  int wrap = 0;
  bool word_wrap = false;
  bool quote = false;
  // Insert mode's target, already quoted as needed.
  std::string dest_table = "\"table\"";
  // Insert mode keeps newlines inside literals (.dump --newlines).
  bool insert_newlines = false;
  // sqlite3's ".explain auto": EXPLAIN and EXPLAIN QUERY PLAN statements get
  // their own layouts whatever the mode.
  bool auto_explain = true;
};

// Runs `stmt` (prepared, not yet stepped) to completion and prints its rows
// to `out`. Returns the last sqlite3_step() result: SQLITE_DONE, or an error
// code. `interrupted` is polled between rows.
int print_result(sqlite3_stmt* stmt, const OutputSettings& settings, FILE* out,
                 const volatile int* interrupted);

// Internals shared by the printers (output_rows.cpp, output_columnar.cpp,
// output_explain.cpp).
int print_rows(sqlite3_stmt* stmt, Mode mode, const OutputSettings& s, FILE* out,
               const volatile int* interrupted);
int print_columnar(sqlite3_stmt* stmt, Mode mode, const OutputSettings& s, FILE* out,
                   const volatile int* interrupted);
int print_explain(sqlite3_stmt* stmt, const OutputSettings& s, FILE* out);
int print_query_plan(sqlite3_stmt* stmt, FILE* out);

// Number of characters of a UTF-8 string (bytes that do not continue one).
int utf8_chars(std::string_view s);
// `text` padded (or cut) to |width| characters, right-aligned if width < 0.
void append_padded(std::string& out, std::string_view text, int width);

}  // namespace keel::shell
