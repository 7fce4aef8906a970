// The keel shell: reads SQL and dot-commands, runs them on one connection,
// prints results in the sqlite3 shell's formats.
//
// It behaves like the sqlite3 command-line shell of SQLite 3.40 where both
// have a feature: the same dot-commands (.bail, .nullvalue, .mode, .headers,
// .separator, .tables, .schema, .read, .quit ...), the same list-mode output
// and the same error lines on stderr, so scripts written for one run on the
// other.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/connection.h"

namespace keel::shell {

enum class OutputMode { kList, kCsv, kTabs, kLine, kQuote, kColumn };

class Shell {
 public:
  Shell(std::unique_ptr<engine::Connection> conn, std::string db_name);

  // Processes a whole input stream (a file or stdin). Returns the process
  // exit status: 0, or 1 after an error when .bail is on / non-interactive.
  int run_stream(FILE* in, bool interactive);
  // Runs one chunk of SQL (possibly several statements); returns false on error.
  bool run_sql(std::string_view sql, int start_line);
  // Runs one dot-command line; returns false on error. Sets quit_ for .quit.
  bool run_dot_command(std::string_view line);

  bool quit() const { return quit_; }
  bool bail() const { return bail_; }
  int error_count() const { return errors_; }

 private:
  void print_row(const std::vector<std::string>& names, const std::vector<std::string>& values,
                 const std::vector<bool>& nulls, bool first);
  void report_error(const Status& s, bool runtime, int line, std::string_view sql, int offset);

  std::unique_ptr<engine::Connection> conn_;
  std::string db_name_;
  OutputMode mode_ = OutputMode::kList;
  std::string separator_ = "|";
  std::string row_separator_ = "\n";
  std::string null_value_;
  bool headers_ = false;
  bool bail_ = false;
  bool quit_ = false;
  bool echo_ = false;
  int errors_ = 0;
  FILE* out_ = stdout;
};

}  // namespace keel::shell
