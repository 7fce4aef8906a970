// keel: the command-line shell.
//   keel [OPTIONS] [FILENAME [SQL...]]
// FILENAME defaults to an in-memory database. SQL (or dot-command)
// arguments run in order and the shell exits; without them, commands are
// read from standard input: with line editing when it is a terminal, as a
// script otherwise. `--mcp` serves the database over the Model Context
// Protocol on stdin/stdout instead.
//
// Options follow the sqlite3 shell's (one or two leading dashes) and may
// appear anywhere on the command line; settings apply in order, after the
// database is opened.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "keel/database.hpp"
#include "keel/sqlite3.h"
#include "keel/version.hpp"
#include "shell/mcp_server.h"
#include "shell/shell.h"

namespace {

keel::shell::Shell* g_shell = nullptr;

// ^C interrupts the running statement; three in a row without the shell
// getting back to its prompt end the process.
void on_sigint(int) {
  keel::shell::Shell::interrupted = keel::shell::Shell::interrupted + 1;
  if (keel::shell::Shell::interrupted > 2) _exit(1);
  if (g_shell && g_shell->db()) sqlite3_interrupt(g_shell->db());
}

void usage(const char* argv0, FILE* out) {
  std::fprintf(out,
               "Usage: %s [OPTIONS] FILENAME [SQL]\n"
               "FILENAME is the name of an SQLite database. A new database is created\n"
               "if the file does not previously exist.\n"
               "OPTIONS include:\n"
               "   -ascii               set output mode to 'ascii'\n"
               "   -bail                stop after hitting an error\n"
               "   -batch               force batch I/O\n"
               "   -box                 set output mode to 'box'\n"
               "   -column              set output mode to 'column'\n"
               "   -cmd COMMAND         run \"COMMAND\" before reading stdin\n"
               "   -csv                 set output mode to 'csv'\n"
               "   -echo                print inputs before execution\n"
               "   --experimental FEATURE  enable an experimental feature (repeatable,\n"
               "                        comma lists); also --experimental-FEATURE\n"
               "   -header              turn headers on\n"
               "   -help                show this message\n"
               "   -html                set output mode to HTML\n"
               "   -init FILENAME       read/process named file\n"
               "   -interactive         force interactive I/O\n"
               "   -json                set output mode to 'json'\n"
               "   -line                set output mode to 'line'\n"
               "   -list                set output mode to 'list'\n"
               "   -markdown            set output mode to 'markdown'\n"
               "   -m, --output-mode MODE  set output mode to MODE\n"
               "   --mcp                serve the database over MCP (JSON-RPC on stdio)\n"
               "   -newline SEP         set output row separator. Default: '\\n'\n"
               "   -noheader            turn headers off\n"
               "   -nullvalue TEXT      set text string for NULL values. Default ''\n"
               "   -quote               set output mode to 'quote'\n"
               "   -readonly            open the database read-only\n"
               "   -separator SEP       set output column separator. Default: '|'\n"
               "   -table               set output mode to 'table'\n"
               "   -tabs                set output mode to 'tabs'\n"
               "   -version             show SQLite version\n",
               argv0);
}

// A setting to apply once the database is open, in command-line order.
struct Action {
  enum Kind {
    kMeta,       // a dot-command
    kCmd,        // -cmd: a dot-command or SQL, with -bail semantics
    kMode,       // -csv, -box, ...: the mode alone (no wrap width; -csv keeps "\n")
    kColSep,     // -separator
    kRowSep,     // -newline
    kNullValue,  // -nullvalue
  } kind;
  std::string text;
};

struct CommandLine {
  keel::shell::OpenSpec spec;
  bool have_file = false;
  std::vector<std::string> sql_args;
  std::vector<Action> actions;
  std::vector<std::string> init_files;
  bool bail = false, echo = false, mcp = false;
  int interactive = -1;  // -1: decide from isatty(0)
};

// Parses argv into `cl`. Returns -1 to go on, or an exit status (after
// -version, -help, or a bad option).
int parse_command_line(int argc, char** argv, CommandLine& cl) {
  const char* argv0 = argv[0];
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a.size() < 2 || a[0] != '-') {
      if (!cl.have_file) {
        cl.spec.filename = a;
        cl.have_file = true;
      } else {
        cl.sql_args.push_back(a);
      }
      continue;
    }
    std::string z = a[1] == '-' ? a.substr(1) : a;
    bool missing = false;
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        missing = true;
        return "";
      }
      return argv[++i];
    };
    if (z == "-bail") {
      cl.bail = true;
    } else if (z == "-batch") {
      cl.interactive = 0;
    } else if (z == "-interactive") {
      cl.interactive = 1;
    } else if (z == "-echo") {
      cl.echo = true;
    } else if (z == "-readonly") {
      cl.spec.read_only = true;
    } else if (z == "-mcp") {
      cl.mcp = true;
    } else if (z == "-init") {
      cl.init_files.push_back(value());
    } else if (z == "-experimental") {
      // Repeatable, and each value may be a comma list.
      std::string list = value();
      for (size_t start = 0; start <= list.size();) {
        size_t comma = list.find(',', start);
        if (comma == std::string::npos) comma = list.size();
        if (comma > start) cl.spec.experimental.push_back(list.substr(start, comma - start));
        start = comma + 1;
      }
    } else if (z.compare(0, 14, "-experimental-") == 0 && z.size() > 14) {
      cl.spec.experimental.push_back(z.substr(14));
    } else if (z == "-header" || z == "-headers") {
      cl.actions.push_back({Action::kMeta, ".headers on"});
    } else if (z == "-noheader") {
      cl.actions.push_back({Action::kMeta, ".headers off"});
    } else if (z == "-ascii" || z == "-box" || z == "-column" || z == "-csv" || z == "-html" ||
               z == "-json" || z == "-line" || z == "-list" || z == "-markdown" || z == "-quote" ||
               z == "-table" || z == "-tabs") {
      cl.actions.push_back({Action::kMode, z.substr(1)});
    } else if (z == "-m" || z == "-output-mode" || z == "-mode") {
      std::string mode = value();
      // Quoted so that the name reaches .mode as one argument.
      mode.erase(std::remove(mode.begin(), mode.end(), '\''), mode.end());
      cl.actions.push_back({Action::kMeta, ".mode '" + mode + "'"});
    } else if (z == "-separator") {
      cl.actions.push_back({Action::kColSep, value()});
    } else if (z == "-newline") {
      cl.actions.push_back({Action::kRowSep, value()});
    } else if (z == "-nullvalue") {
      cl.actions.push_back({Action::kNullValue, value()});
    } else if (z == "-cmd") {
      cl.actions.push_back({Action::kCmd, value()});
    } else if (z == "-version") {
      std::printf("%s %s (keel %s)\n", sqlite3_libversion(), sqlite3_sourceid(), keel::kVersion);
      return 0;
    } else if (z == "-help") {
      usage(argv0, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "%s: Error: unknown option: %s\nUse -help for a list of options.\n", argv0,
                   a.c_str());
      return 1;
    }
    if (missing) {
      std::fprintf(stderr, "%s: Error: missing argument to %s\n", argv0, a.c_str());
      return 1;
    }
  }
  return -1;
}

// -init FILE, or else ~/.keelrc when it exists (as sqlite3 reads
// ~/.sqliterc). Returns false when -bail says to stop.
bool run_startup_files(keel::shell::Shell& shell, const CommandLine& cl, bool tty) {
  std::vector<std::string> files = cl.init_files;
  const bool explicit_init = !files.empty();
  if (!explicit_init) {
    if (const char* home = std::getenv("HOME")) files.push_back(std::string(home) + "/.keelrc");
  }
  for (const std::string& f : files) {
    FILE* in = std::fopen(f.c_str(), "rb");
    if (in == nullptr) {
      if (explicit_init) {
        std::fprintf(stderr, "cannot open: \"%s\"\n", f.c_str());
        if (cl.bail) return false;
      }
      continue;
    }
    if (tty) std::fprintf(stderr, "-- Loading resources from %s\n", f.c_str());
    auto input = keel::shell::make_file_input(in);
    int failed = shell.process_input(*input);
    std::fclose(in);
    if (failed && cl.bail) return false;
  }
  return true;
}

void set_mode(keel::shell::OutputSettings& s, const std::string& name) {
  using keel::shell::Mode;
  if (name == "csv") {
    s.mode = Mode::kCsv;
    s.col_sep = ",";
  } else if (name == "ascii") {
    s.mode = Mode::kAscii;
    s.col_sep = "\x1f";
    s.row_sep = "\x1e";
  } else if (name == "tabs") {
    s.mode = Mode::kList;
    s.col_sep = "\t";
    s.row_sep = "\n";
  } else if (name == "quote") {
    s.mode = Mode::kQuote;
    s.col_sep = ",";
    s.row_sep = "\n";
  } else {
    s.mode = name == "box"        ? Mode::kBox
             : name == "column"   ? Mode::kColumn
             : name == "html"     ? Mode::kHtml
             : name == "json"     ? Mode::kJson
             : name == "line"     ? Mode::kLine
             : name == "markdown" ? Mode::kMarkdown
             : name == "table"    ? Mode::kTable
                                  : Mode::kList;
  }
}

// Applies the settings and -cmd commands in order. Returns -1 to go on, or
// the exit status when a -cmd failed under -bail.
int apply_actions(keel::shell::Shell& shell, const CommandLine& cl) {
  keel::shell::OutputSettings& s = shell.settings();
  for (const Action& act : cl.actions) {
    const std::string& t = act.text;
    switch (act.kind) {
      case Action::kCmd: {
        if (!t.empty() && t[0] == '.') {
          int rc = shell.do_meta_command(t);
          if (rc && cl.bail) return rc == 2 ? 0 : rc;
        } else {
          int rc = shell.run_argument_sql(t);
          if (rc && cl.bail) return rc;
        }
        break;
      }
      case Action::kMode:
        set_mode(s, t);
        break;
      case Action::kColSep:
        s.col_sep = t;
        break;
      case Action::kRowSep:
        s.row_sep = t;
        break;
      case Action::kNullValue:
        s.null_value = t;
        break;
      case Action::kMeta:
        shell.do_meta_command(t);
        break;
    }
  }
  return -1;
}

// Reads commands from stdin: the terminal with line editing, or a script.
int run_input(keel::shell::Shell& shell, const CommandLine& cl, bool tty) {
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  int errors;
  if (tty) {
    std::printf("Keel %s (SQLite %s compatible)\nEnter \".help\" for usage hints.\n", keel::kVersion,
                sqlite3_libversion());
    if (!cl.have_file) {
      std::printf(
          "Connected to a transient in-memory database.\n"
          "Use \".open FILENAME\" to reopen on a persistent database.\n");
    }
    std::string history;
    if (const char* h = std::getenv("KEEL_HISTORY")) {
      history = h;
    } else if (const char* home = std::getenv("HOME")) {
      history = std::string(home) + "/.keel_history";
    }
    auto completer = [&shell](const std::string& line, const std::string& word) {
      return shell.completions(line, word);
    };
    auto in = isatty(0) ? keel::shell::make_terminal_input(history, completer)
                        : keel::shell::make_file_input(stdin);
    errors = shell.process_input(*in);
  } else {
    auto in = keel::shell::make_file_input(stdin);
    errors = shell.process_input(*in);
  }
  return errors > 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CommandLine cl;
  if (int rc = parse_command_line(argc, argv, cl); rc >= 0) return rc;

  // Feature names are checked by the library itself, with its message
  // listing the known ones.
  if (!cl.spec.experimental.empty()) {
    keel::Options probe;
    probe.experimental = cl.spec.experimental;
    auto checked = keel::Database::open(":memory:", probe);
    if (!checked.ok()) {
      std::fprintf(stderr, "%s: Error: %s\n", argv[0], std::string(checked.status().message()).c_str());
      return 1;
    }
  }
  if (!cl.have_file) cl.spec.filename = ":memory:";
  if (cl.mcp) {
    keel::shell::McpServer server(cl.spec);
    return server.run(stdin, stdout);
  }

  keel::shell::Shell shell;
  g_shell = &shell;
  if (!shell.open(cl.spec)) return 1;
  const bool tty = cl.interactive == 1 || (cl.interactive == -1 && isatty(0));
  if (cl.bail) shell.set_bail(true);
  if (!run_startup_files(shell, cl, tty)) return 1;
  if (cl.echo) shell.set_echo(true);
  if (int rc = apply_actions(shell, cl); rc >= 0) return rc;

  // SQL and dot-commands on the command line: run them and exit.
  for (const std::string& c : cl.sql_args) {
    if (!c.empty() && c[0] == '.') {
      int rc = shell.do_meta_command(c);
      if (rc) return rc == 2 ? 0 : rc;
    } else if (int rc = shell.run_argument_sql(c)) {
      return rc;
    }
  }
  if (!cl.sql_args.empty()) return 0;
  return run_input(shell, cl, tty);
}
