// Dot-command parsing and the commands that change settings (.mode,
// .headers, .separator, ...). Arguments are split as sqlite3 splits them:
// whitespace-separated, '...' taken literally, "..." and bare words with
// backslash escapes resolved.
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "shell/shell.h"
#include "shell/sql_text.h"

namespace keel::shell {
namespace {

std::vector<std::string> split_arguments(const std::string& line) {
  std::vector<std::string> args;
  size_t h = 1;  // after the '.'
  const size_t n = line.size();
  auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  while (h < n) {
    while (h < n && space(line[h])) h++;
    if (h >= n) break;
    if (line[h] == '\'' || line[h] == '"') {
      char delim = line[h++];
      size_t start = h;
      while (h < n && line[h] != delim) {
        if (line[h] == '\\' && delim == '"' && h + 1 < n) h++;
        h++;
      }
      std::string arg = line.substr(start, h - start);
      if (h < n) h++;
      args.push_back(delim == '"' ? resolve_backslashes(arg) : arg);
    } else {
      size_t start = h;
      while (h < n && !space(line[h])) h++;
      args.push_back(resolve_backslashes(line.substr(start, h - start)));
    }
  }
  return args;
}

// sqlite3's booleanValue(): on/yes/true, off/no/false, or an integer.
bool boolean_value(const std::string& arg) {
  if (!arg.empty() && (std::isdigit(static_cast<unsigned char>(arg[0])) || arg[0] == '-')) {
    return std::strtoll(arg.c_str(), nullptr, 0) != 0;
  }
  if (sqlite3_stricmp(arg.c_str(), "on") == 0 || sqlite3_stricmp(arg.c_str(), "yes") == 0 ||
      sqlite3_stricmp(arg.c_str(), "true") == 0) {
    return true;
  }
  if (sqlite3_stricmp(arg.c_str(), "off") == 0 || sqlite3_stricmp(arg.c_str(), "no") == 0 ||
      sqlite3_stricmp(arg.c_str(), "false") == 0) {
    return false;
  }
  std::fprintf(stderr, "ERROR: Not a boolean value: \"%s\". Assuming \"no\".\n", arg.c_str());
  return false;
}

// True if `arg` is --name or -name.
bool option_match(const std::string& arg, const char* name) {
  const char* z = arg.c_str();
  if (z[0] != '-') return false;
  z++;
  if (z[0] == '-') z++;
  return std::strcmp(z, name) == 0;
}

// A prefix of `word` of at least `min` characters.
bool prefix_of(const std::string& arg, const char* word, size_t min = 1) {
  return arg.size() >= min && std::strncmp(arg.c_str(), word, arg.size()) == 0 &&
         arg.size() <= std::strlen(word);
}

}  // namespace

int Shell::do_meta_command(const std::string& line) {
  std::vector<std::string> args = split_arguments(line);
  if (args.empty()) return 0;
  int rc = dispatch(args);
  // .once's redirection lasts for one more command, dot-command or SQL.
  if (once_count_ > 0 && --once_count_ == 0) output_reset();
  return rc;
}

int Shell::dispatch(const std::vector<std::string>& args) {
  const std::string& cmd = args[0];
  const size_t nargs = args.size();
  int rc = 0;
  auto usage = [&](const char* text) {
    std::fprintf(stderr, "%s\n", text);
    return 1;
  };
  auto is = [&](const char* name, size_t min) { return prefix_of(cmd, name, min); };

  if (is("bail", 2)) {
    if (nargs != 2) return usage("Usage: .bail on|off");
    bail_ = boolean_value(args[1]);
  } else if (is("backup", 2) || is("save", 3)) {
    rc = cmd_backup(args);
  } else if (is("cd", 2)) {
    if (nargs != 2) return usage("Usage: .cd DIRECTORY");
    if (chdir(args[1].c_str()) != 0) {
      std::fprintf(stderr, "Cannot change to directory \"%s\"\n", args[1].c_str());
      rc = 1;
    }
  } else if (is("changes", 3)) {
    if (nargs != 2) return usage("Usage: .changes on|off");
    count_changes_ = boolean_value(args[1]);
  } else if (is("databases", 2)) {
    rc = cmd_databases();
  } else if (is("dbinfo", 3)) {
    rc = cmd_dbinfo(args);
  } else if (is("dump", 2)) {
    rc = cmd_dump(args);
  } else if (is("echo", 1)) {
    if (nargs != 2) return usage("Usage: .echo on|off");
    echo_ = boolean_value(args[1]);
  } else if (is("exit", 2) || is("quit", 1)) {
    // .quit (or .exit) ends the input being read: a .read file returns to
    // its reader. .exit CODE with a non-zero CODE ends the process at once,
    // from any depth, as in sqlite3.
    if (cmd[0] == 'e' && nargs > 1) {
      int code = std::atoi(args[1].c_str());
      if (code != 0) {
        output_reset();
        std::fflush(nullptr);
        if (db_) sqlite3_close_v2(db_);
        std::exit(code);
      }
    }
    rc = 2;
  } else if (is("eqp", 2)) {
    if (nargs != 2) return usage("Usage: .eqp off|on|full");
    eqp_ = args[1] == "full" ? 2 : boolean_value(args[1]) ? 1 : 0;
  } else if (is("explain", 3)) {
    // EXPLAIN output always gets its own layout unless this is off.
    out_.auto_explain = nargs < 2 || sqlite3_stricmp(args[1].c_str(), "auto") == 0 || boolean_value(args[1]);
  } else if (is("fullschema", 2)) {
    rc = cmd_fullschema(args);
  } else if (is("headers", 1)) {
    if (nargs != 2) return usage("Usage: .headers on|off");
    out_.headers = boolean_value(args[1]);
    out_.headers_set = true;
  } else if (is("help", 2)) {
    rc = cmd_help(args);
  } else if (is("import", 2)) {
    rc = cmd_import(args);
  } else if (is("indexes", 3) || is("indices", 3)) {
    rc = cmd_indexes(args);
  } else if (is("limits", 2)) {
    rc = cmd_limit(args);
  } else if (is("mode", 2)) {
    rc = cmd_mode(args);
  } else if (is("nullvalue", 2)) {
    if (nargs != 2) return usage("Usage: .nullvalue STRING");
    out_.null_value = args[1].substr(0, 19);
  } else if (is("once", 2)) {
    rc = cmd_output(args, true);
  } else if (is("open", 2)) {
    rc = cmd_open(args);
  } else if (is("output", 3)) {
    rc = cmd_output(args, false);
  } else if (is("parameter", 2)) {
    rc = cmd_parameter(args);
  } else if (is("print", 2)) {
    std::string text;
    for (size_t i = 1; i < nargs; i++) {
      if (i > 1) text += ' ';
      text += args[i];
    }
    text += '\n';
    std::fputs(text.c_str(), out_file_);
  } else if (is("prompt", 2)) {
    if (nargs >= 2) prompt_ = args[1];
    if (nargs >= 3) continue_prompt_ = args[2];
  } else if (is("read", 3)) {
    rc = cmd_read(args);
  } else if (is("restore", 3)) {
    rc = cmd_restore(args);
  } else if (is("schema", 2)) {
    rc = cmd_schema(args);
  } else if (is("separator", 3)) {
    // As in sqlite3, the values are taken (cut to 19 bytes) even when the
    // argument count is wrong.
    if (nargs < 2 || nargs > 3) rc = usage("Usage: .separator COL ?ROW?");
    if (nargs >= 2) out_.col_sep = args[1].substr(0, 19);
    if (nargs >= 3) out_.row_sep = args[2].substr(0, 19);
  } else if (is("shell", 3) || is("system", 2)) {
    if (nargs < 2) return usage("Usage: .system COMMAND");
    std::string command;
    for (size_t i = 1; i < nargs; i++) {
      if (i > 1) command += ' ';
      command += args[i].find(' ') == std::string::npos ? args[i] : "\"" + args[i] + "\"";
    }
    std::fflush(out_file_);
    if (std::system(command.c_str()) == -1) rc = 1;
  } else if (is("show", 2)) {
    rc = cmd_show();
  } else if (is("tables", 2)) {
    rc = cmd_tables(args);
  } else if (is("timeout", 5)) {
    sqlite3_busy_timeout(db_, nargs >= 2 ? std::atoi(args[1].c_str()) : 0);
  } else if (is("timer", 2)) {
    if (nargs != 2) return usage("Usage: .timer on|off");
    timer_ = boolean_value(args[1]);
  } else if (is("trace", 2)) {
    rc = cmd_trace(args);
  } else if (is("width", 1)) {
    out_.widths.clear();
    for (size_t i = 1; i < nargs; i++) out_.widths.push_back(std::atoi(args[i].c_str()));
  } else {
    std::fprintf(stderr, "Error: unknown command or invalid arguments:  \"%s\". Enter \".help\" for help\n",
                 cmd.c_str());
    rc = 1;
  }
  return rc;
}

int Shell::cmd_mode(const std::vector<std::string>& args) {
  std::string mode_arg, table_arg;
  int wrap = 60;
  bool word_wrap = false, quote = false;
  for (size_t i = 1; i < args.size(); i++) {
    const std::string& z = args[i];
    if (option_match(z, "wrap") && i + 1 < args.size()) {
      wrap = std::atoi(args[++i].c_str());
    } else if (option_match(z, "ww")) {
      word_wrap = true;
    } else if (option_match(z, "wordwrap") && i + 1 < args.size()) {
      word_wrap = boolean_value(args[++i]);
    } else if (option_match(z, "quote")) {
      quote = true;
    } else if (option_match(z, "noquote")) {
      quote = false;
    } else if (mode_arg.empty()) {
      mode_arg = z;
      if (z == "qbox") {
        mode_arg = "box";
        wrap = 60;
        quote = true;
      }
    } else if (table_arg.empty()) {
      table_arg = z;
    } else if (z[0] == '-') {
      std::fprintf(stderr,
                   "unknown option: %s\noptions:\n  --noquote\n  --quote\n  --wordwrap on/off\n"
                   "  --wrap N\n  --ww\n",
                   z.c_str());
      return 1;
    } else {
      std::fprintf(stderr, "extra argument: \"%s\"\n", z.c_str());
      return 1;
    }
  }
  if (mode_arg.empty()) {
    if (is_columnar(out_.mode)) {
      std::fprintf(out_file_, "current output mode: %s --wrap %d --wordwrap %s --%squote\n",
                   mode_name(out_.mode), out_.wrap, out_.word_wrap ? "on" : "off", out_.quote ? "" : "no");
    } else {
      std::fprintf(out_file_, "current output mode: %s\n", mode_name(out_.mode));
    }
    mode_arg = mode_name(out_.mode);
  }
  auto columnar = [&](Mode m) {
    out_.mode = m;
    out_.wrap = wrap;
    out_.word_wrap = word_wrap;
    out_.quote = quote;
  };
  const std::string& m = mode_arg;
  auto is = [&](const char* name, size_t min = 1) { return prefix_of(m, name, min); };
  if (is("lines", 3) || m == "line") {
    out_.mode = Mode::kLine;
    out_.row_sep = "\n";
  } else if (is("columns", 1) || m == "column") {
    columnar(Mode::kColumn);
    if (!out_.headers_set) out_.headers = true;
    out_.row_sep = "\n";
  } else if (is("list", 3)) {
    out_.mode = Mode::kList;
    out_.col_sep = "|";
    out_.row_sep = "\n";
  } else if (is("html")) {
    out_.mode = Mode::kHtml;
  } else if (is("tcl")) {
    out_.mode = Mode::kTcl;
    out_.col_sep = " ";
    out_.row_sep = "\n";
  } else if (is("csv")) {
    out_.mode = Mode::kCsv;
    out_.col_sep = ",";
    out_.row_sep = "\r\n";
  } else if (is("tabs")) {
    out_.mode = Mode::kList;
    out_.col_sep = "\t";
  } else if (is("insert")) {
    out_.mode = Mode::kInsert;
    out_.dest_table = quote_name_if_needed(table_arg.empty() ? "table" : table_arg);
  } else if (is("quote")) {
    out_.mode = Mode::kQuote;
    out_.col_sep = ",";
    out_.row_sep = "\n";
  } else if (is("ascii")) {
    out_.mode = Mode::kAscii;
    out_.col_sep = "\x1f";
    out_.row_sep = "\x1e";
  } else if (is("markdown")) {
    columnar(Mode::kMarkdown);
  } else if (is("table")) {
    columnar(Mode::kTable);
  } else if (is("box")) {
    columnar(Mode::kBox);
  } else if (is("count")) {
    out_.mode = Mode::kCount;
  } else if (is("off")) {
    out_.mode = Mode::kOff;
  } else if (is("json")) {
    out_.mode = Mode::kJson;
  } else {
    std::fprintf(stderr,
                 "Error: mode should be one of: ascii box column csv html insert json line list "
                 "markdown qbox quote table tabs tcl\n");
    return 1;
  }
  return 0;
}

int Shell::cmd_show() {
  std::string text;
  auto field = [&](const char* name, const std::string& value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%12.12s: ", name);
    text += buf;
    text += value;
    text += '\n';
  };
  auto c_string = [](const std::string& v) {
    std::string s;
    append_c_string(s, v);
    return s;
  };
  field("echo", echo_ ? "on" : "off");
  field("eqp", eqp_ == 2 ? "full" : eqp_ ? "on" : "off");
  field("explain", out_.auto_explain ? "auto" : "off");
  field("headers", out_.headers ? "on" : "off");
  if (is_columnar(out_.mode)) {
    field("mode", std::string(mode_name(out_.mode)) + " --wrap " + std::to_string(out_.wrap) +
                      " --wordwrap " + (out_.word_wrap ? "on" : "off") + " --" + (out_.quote ? "" : "no") +
                      "quote");
  } else {
    field("mode", mode_name(out_.mode));
  }
  field("nullvalue", c_string(out_.null_value));
  field("output", out_name_.empty() ? "stdout" : out_name_);
  field("colseparator", c_string(out_.col_sep));
  field("rowseparator", c_string(out_.row_sep));
  field("stats", "off");
  std::string widths;
  for (int w : out_.widths) widths += std::to_string(w) + " ";
  field("width", widths);
  field("filename", spec_.filename);
  std::fputs(text.c_str(), out_file_);
  return 0;
}

int Shell::cmd_output(const std::vector<std::string>& args, bool once) {
  std::string target;
  bool bom = false;
  // Usage errors go to the output, followed by the command's help, as in
  // sqlite3.
  auto usage_error = [&](const char* what, const std::string& arg) {
    std::fprintf(out_file_, "ERROR: %s: \"%s\".  Usage:\n", what, arg.c_str());
    cmd_help({"help", once ? "once" : "output"});
    return 1;
  };
  for (size_t i = 1; i < args.size(); i++) {
    const std::string& z = args[i];
    if (z[0] == '-') {
      std::string o = z.size() > 1 && z[1] == '-' ? z.substr(1) : z;
      if (o != "-bom") return usage_error("unknown option", z);
      bom = true;
    } else if (target.empty()) {
      target = z;
      if (target[0] == '|') {
        // The rest of the line is the command.
        while (++i < args.size()) target += " " + args[i];
      }
    } else {
      return usage_error("extra parameter", z);
    }
  }
  // Counted down by this command itself, then by the next command or SQL.
  once_count_ = once ? 2 : 0;
  if (!output_open(target)) return 1;
  if (bom) std::fputs("\xef\xbb\xbf", out_file_);
  return 0;
}

int Shell::cmd_read(const std::vector<std::string>& args) {
  if (args.size() != 2) {
    std::fprintf(stderr, "Usage: .read FILE\n");
    return 1;
  }
  const std::string& name = args[1];
  FILE* f = name[0] == '|' ? popen(name.c_str() + 1, "r") : std::fopen(name.c_str(), "rb");
  if (f == nullptr) {
    std::fprintf(stderr, "Error: cannot open \"%s\"\n", name.c_str());
    return 1;
  }
  auto in = make_file_input(f);
  int errors = process_input(*in);
  if (name[0] == '|') {
    pclose(f);
  } else {
    std::fclose(f);
  }
  return errors > 0 ? 1 : 0;
}

int Shell::cmd_help(const std::vector<std::string>& args) {
  static const char* kHelp[] = {
      ".backup ?DB? FILE        Backup DB (default \"main\") to FILE",
      ".bail on|off             Stop after hitting an error.  Default OFF",
      ".changes on|off          Show number of rows changed by SQL",
      ".databases               List names and files of attached databases",
      ".dbinfo ?DB?             Show status information about the database",
      ".dump ?OBJECTS?          Render database content as SQL",
      "   Options:",
      "     --data-only            Output only INSERT statements",
      "     --newlines             Allow unescaped newline characters in output",
      "     --nosys                Omit system tables (ex: \"sqlite_stat1\")",
      "     --preserve-rowids      Include ROWID values in the output",
      "   OBJECTS is a LIKE pattern for tables, indexes, triggers or views to dump.",
      ".cd DIRECTORY            Change the working directory to DIRECTORY",
      ".echo on|off             Turn command echo on or off",
      ".explain ?on|off|auto?   Change the EXPLAIN formatting mode.  Default: auto",
      ".eqp on|off|full         Enable or disable automatic EXPLAIN QUERY PLAN",
      ".exit ?CODE?             Exit this program with return-code CODE",
      ".fullschema ?--indent?   Show schema and the content of sqlite_stat tables",
      ".headers on|off          Turn display of headers on or off",
      ".help ?PATTERN?          Show help text for PATTERN",
      ".import FILE TABLE       Import data from FILE into TABLE",
      "   Options:",
      "     --ascii               Use \\037 and \\036 as column and row separators",
      "     --csv                 Use , and \\n as column and row separators",
      "     --skip N              Skip the first N rows of input",
      "     --schema S            Target table to be S.TABLE",
      "     -v                    \"Verbose\" - increase auxiliary output",
      "   Notes:",
      "     *  If TABLE does not exist, it is created.  The first row of input",
      "        determines the column names.",
      "     *  If neither --csv or --ascii are used, the input mode is derived",
      "        from the \".mode\" output mode",
      "     *  If FILE begins with \"|\" then it is a command that generates the",
      "        input text.",
      ".indexes ?TABLE?         Show names of indexes",
      ".limit ?LIMIT? ?VAL?     Display or change the value of an SQLITE_LIMIT",
      ".mode MODE ?OPTIONS?     Set output mode",
      "   MODE is one of:",
      "     ascii       Columns/rows delimited by 0x1F and 0x1E",
      "     box         Tables using unicode box-drawing characters",
      "     csv         Comma-separated values",
      "     column      Output in columns.  (See .width)",
      "     html        HTML <table> code",
      "     insert      SQL insert statements for TABLE",
      "     json        Results in a JSON array",
      "     line        One value per line",
      "     list        Values delimited by \"|\"",
      "     markdown    Markdown table format",
      "     qbox        Shorthand for \"box --wrap 60 --quote\"",
      "     quote       Escape answers as for SQL",
      "     table       ASCII-art table",
      "     tabs        Tab-separated values",
      "     tcl         TCL list elements",
      "   OPTIONS: (for columnar modes or insert mode):",
      "     --wrap N       Wrap output lines to no longer than N characters",
      "     --wordwrap B   Wrap or not at word boundaries per B (on/off)",
      "     --ww           Shorthand for \"--wordwrap 1\"",
      "     --quote        Quote output text as SQL literals",
      "     --noquote      Do not quote output text",
      "     TABLE          The name of SQL table used for \"insert\" mode",
      ".nullvalue STRING        Use STRING in place of NULL values",
      ".once ?OPTIONS? ?FILE?   Output for the next SQL command only to FILE",
      "     If FILE begins with '|' then open as a pipe",
      "       --bom  Put a UTF8 byte-order mark at the beginning",
      ".open ?OPTIONS? ?FILE?   Close existing database and reopen FILE",
      "     --new           Initialize FILE to an empty database",
      "     --readonly      Open FILE readonly",
      ".output ?FILE?           Send output to FILE or stdout if FILE is omitted",
      "   If FILE begins with '|' then open it as a pipe.",
      "   Options:",
      "     --bom                 Prefix output with a UTF8 byte-order mark",
      ".parameter CMD ...       Manage SQL parameter bindings",
      "   clear                   Erase all bindings",
      "   init                    Initialize the TEMP table that holds bindings",
      "   list                    List the current parameter bindings",
      "   set PARAMETER VALUE     Given SQL parameter PARAMETER a value of VALUE",
      "                           PARAMETER should start with one of: $ : @ ?",
      "   unset PARAMETER         Remove PARAMETER from the binding table",
      ".print STRING...         Print literal STRING",
      ".prompt MAIN CONTINUE    Replace the standard prompts",
      ".quit                    Exit this program",
      ".read FILE               Read input from FILE or command output",
      ".restore ?DB? FILE       Restore content of DB (default \"main\") from FILE",
      ".save ?DB? FILE          Write database to FILE (an alias for .backup ...)",
      ".schema ?PATTERN?        Show the CREATE statements matching PATTERN",
      "     --nosys             Omit objects whose names start with \"sqlite_\"",
      ".separator COL ?ROW?     Change the column and row separators",
      ".shell CMD ARGS...       Run CMD ARGS... in a system shell",
      ".show                    Show the current values for various settings",
      ".system CMD ARGS...      Run CMD ARGS... in a system shell",
      ".tables ?TABLE?          List names of tables matching LIKE pattern TABLE",
      ".timeout MS              Try opening locked tables for MS milliseconds",
      ".timer on|off            Turn SQL timer on or off",
      ".trace ?OPTIONS?         Output each SQL statement as it is run",
      "    FILE                    Send output to FILE",
      "    stdout                  Send output to stdout",
      "    stderr                  Send output to stderr",
      "    off                     Disable tracing",
      "    --expanded              Expand query parameters",
      "    --plain                 Show SQL as it is input",
      "    --stmt                  Trace statement execution (SQLITE_TRACE_STMT)",
      "    --profile               Profile statements (SQLITE_TRACE_PROFILE)",
      "    --row                   Trace each row (SQLITE_TRACE_ROW)",
      "    --close                 Trace connection close (SQLITE_TRACE_CLOSE)",
      ".width NUM1 NUM2 ...     Set minimum column widths for columnar output",
  };
  std::string pattern = args.size() > 1 ? args[1] : "";
  std::string text;
  bool show_details = false;
  for (const char* h : kHelp) {
    bool top = h[0] == '.';
    if (top)
      show_details = pattern.empty() ? false : std::strncmp(h + 1, pattern.c_str(), pattern.size()) == 0;
    if ((top && (pattern.empty() || show_details)) || (!top && show_details)) {
      text += h;
      text += '\n';
    }
  }
  if (text.empty()) {
    std::fprintf(out_file_, "Nothing matches '%s'\n", pattern.c_str());
    return 0;
  }
  std::fputs(text.c_str(), out_file_);
  return 0;
}

}  // namespace keel::shell
