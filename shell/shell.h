// The keel shell: reads SQL and dot-commands, runs them on one connection
// through the public sqlite3 C API, and prints results in the formats of the
// sqlite3 command-line shell (SQLite 3.40), so that a person or a script used
// to sqlite3 gets the same bytes.
//
//   shell.cpp              input loop, statement execution, error lines
//   dot_commands.cpp       dot-command dispatch and the setting commands
//   schema_commands.cpp    .tables .indexes .schema .fullschema .databases
//   database_commands.cpp  .open .backup .restore .limit .dbinfo
//   dump.cpp, import.cpp   .dump, .import
//   parameters.cpp         .parameter
//   trace.cpp              .trace
//   completion.cpp         tab completion at the terminal
//   output_*.cpp           the output modes (output_mode.h)
// README.md lists where the shell still differs from sqlite3.
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "keel/sqlite3.h"
#include "shell/line_input.h"
#include "shell/output_mode.h"

namespace keel::shell {

// How to open a database (command line options and .open).
struct OpenSpec {
  std::string filename;  // "" or ":memory:" for an in-memory database
  bool read_only = false;
  // Keel's experimental features, passed as the URI parameter experimental=.
  std::vector<std::string> experimental;
};

// The name to hand sqlite3_open_v2() for `spec` (a file: URI carrying
// experimental= when features are requested).
std::string open_name(const OpenSpec& spec);

class Shell {
 public:
  Shell();
  ~Shell();
  Shell(const Shell&) = delete;
  Shell& operator=(const Shell&) = delete;

  // Opens the database, closing the current one. On failure prints
  // sqlite3's message to stderr and returns false (the old handle is gone).
  bool open(const OpenSpec& spec);
  sqlite3* db() const { return db_; }

  // Reads and runs `in` to its end (or to .quit, or to the first error when
  // .bail is on). Returns the number of failed commands and statements.
  int process_input(LineInput& in);
  // Runs one chunk of SQL as a command-line argument: errors are printed as
  // "Error: ..." and stop the chunk. Returns the failing result code or 0.
  int run_argument_sql(const std::string& sql);
  // Runs one dot-command line ("." included): 0 ok, 1 error, 2 quit.
  int do_meta_command(const std::string& line);

  // Tab-completion candidates (completion.cpp).
  std::vector<std::string> completions(const std::string& line, const std::string& word);

  OutputSettings& settings() { return out_; }
  bool bail() const { return bail_; }
  void set_bail(bool on) { bail_ = on; }
  void set_echo(bool on) { echo_ = on; }
  // Counts SIGINTs since the shell last reached its prompt; the running
  // statement is interrupted and a pending unfinished statement dropped.
  static volatile int interrupted;

  // .trace's destination (nullptr: off) and style, for its callback.
  FILE* trace_out() const { return trace_out_; }
  bool trace_expanded() const { return trace_expanded_; }

 private:
  // sqlite3's shell_exec(): runs every statement of `sql`, printing rows.
  // On error returns the code and sets *err to "in prepare, ..." or
  // "stepping, ..." (with the error-context caret for parse errors).
  int exec(std::string_view sql, std::string* err);
  // sqlite3's runOneSqlLine(): exec() plus the error line and .changes.
  int run_chunk(const std::string& sql, int start_line, bool show_line);
  void echo(std::string_view text);
  // Output redirection (.output, .once).
  void output_reset();
  bool output_open(const std::string& target);
  // Dot-commands (dot_commands.cpp, dump.cpp, import.cpp): dispatch() runs
  // the command named by args[0].
  int dispatch(const std::vector<std::string>& args);
  int cmd_mode(const std::vector<std::string>& args);
  int cmd_tables(const std::vector<std::string>& args);
  int cmd_indexes(const std::vector<std::string>& args);
  int cmd_schema(const std::vector<std::string>& args);
  int cmd_databases();
  int cmd_show();
  int cmd_open(const std::vector<std::string>& args);
  int cmd_backup(const std::vector<std::string>& args);
  int cmd_restore(const std::vector<std::string>& args);
  int cmd_output(const std::vector<std::string>& args, bool once);
  int cmd_read(const std::vector<std::string>& args);
  int cmd_dbinfo(const std::vector<std::string>& args);
  int cmd_fullschema(const std::vector<std::string>& args);
  int cmd_limit(const std::vector<std::string>& args);
  int cmd_help(const std::vector<std::string>& args);
  int cmd_dump(const std::vector<std::string>& args);
  int cmd_import(const std::vector<std::string>& args);
  int cmd_parameter(const std::vector<std::string>& args);
  int cmd_trace(const std::vector<std::string>& args);
  void close_trace();

  // .parameter values (parameters.cpp), bound by exec().
  void bind_parameters(sqlite3_stmt* stmt);
  void clear_parameters();
  // .eqp: the query plan printed before each statement (with `full`, the
  // EXPLAIN program too).
  void show_plan(const char* sql);

  sqlite3* db_ = nullptr;
  OpenSpec spec_;
  OutputSettings out_;
  FILE* out_file_ = stdout;
  bool out_is_pipe_ = false;
  std::string out_name_;  // "" means stdout
  int once_count_ = 0;    // > 0 while .once's redirection is pending
  bool bail_ = false;
  bool echo_ = false;
  bool timer_ = false;
  bool count_changes_ = false;
  int eqp_ = 0;  // 0 off, 1 on, 2 full
  std::map<std::string, sqlite3_value*> params_;
  bool params_active_ = false;
  FILE* trace_out_ = nullptr;
  bool trace_expanded_ = false;
  int input_nesting_ = 0;
  std::string prompt_ = "keel> ";
  std::string continue_prompt_ = " ...> ";
};

}  // namespace keel::shell
