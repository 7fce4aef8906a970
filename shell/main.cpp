// keel: the command-line shell.
//   keel [OPTIONS] [FILENAME [SQL...]]
// FILENAME defaults to an in-memory database. SQL arguments are run in order;
// without them, SQL is read from standard input.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "engine/connection.h"
#include "keel/version.hpp"
#include "shell/shell.h"

namespace {

void usage() {
  std::fputs(
      "Usage: keel [OPTIONS] [FILENAME [SQL...]]\n"
      "FILENAME is the name of a database file; it is created if missing.\n"
      "OPTIONS include:\n"
      "   -bail                stop after hitting an error\n"
      "   -batch               force batch I/O\n"
      "   -cmd COMMAND         run \"COMMAND\" before reading stdin\n"
      "   -csv                 set output mode to 'csv'\n"
      "   -header              turn headers on\n"
      "   -list                set output mode to 'list'\n"
      "   -nullvalue TEXT      set text string for NULL values\n"
      "   -readonly            open the database read-only\n"
      "   -separator SEP       set output column separator\n"
      "   -version             show the version\n",
      stderr);
}

}  // namespace

int main(int argc, char** argv) {
  std::string filename;
  std::vector<std::string> sql_args;
  std::vector<std::string> pre_commands;
  keel::engine::OpenOptions options;
  options.uri = true;
  bool bail = false;
  std::vector<std::string> dot_settings;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a.size() > 1 && a[0] == '-' && filename.empty() && sql_args.empty()) {
      if (a[1] == '-') a = a.substr(1);
      if (a == "-bail") {
        bail = true;
      } else if (a == "-batch" || a == "-interactive") {
      } else if (a == "-header" || a == "-headers") {
        dot_settings.push_back(".headers on");
      } else if (a == "-noheader") {
        dot_settings.push_back(".headers off");
      } else if (a == "-csv") {
        dot_settings.push_back(".mode csv");
      } else if (a == "-list") {
        dot_settings.push_back(".mode list");
      } else if (a == "-line") {
        dot_settings.push_back(".mode line");
      } else if (a == "-readonly") {
        options.read_only = true;
      } else if ((a == "-nullvalue" || a == "-separator" || a == "-cmd") && i + 1 < argc) {
        std::string v = argv[++i];
        if (a == "-cmd") {
          pre_commands.push_back(v);
        } else {
          dot_settings.push_back("." + a.substr(1) + " \"" + v + "\"");
        }
      } else if (a == "-version") {
        std::printf("%s (keel %s)\n", keel::kSqliteVersion, keel::kVersion);
        return 0;
      } else if (a == "-help") {
        usage();
        return 0;
      } else {
        std::fprintf(stderr, "keel: Error: unknown option: %s\nUse -help for a list of options.\n", argv[i]);
        return 1;
      }
      continue;
    }
    if (filename.empty() && sql_args.empty()) {
      filename = a;
    } else {
      sql_args.push_back(a);
    }
  }
  if (filename.empty()) filename = ":memory:";
  auto conn = keel::engine::Connection::open(filename, options);
  if (!conn.ok()) {
    std::fprintf(stderr, "Error: unable to open database \"%s\": %s\n", filename.c_str(),
                 std::string(conn.status().message()).c_str());
    return 1;
  }
  keel::shell::Shell shell(std::move(conn).value(), filename);
  for (const auto& d : dot_settings) shell.run_dot_command(d);
  if (bail) shell.run_dot_command(".bail on");
  for (const auto& c : pre_commands) {
    bool ok = c[0] == '.' ? shell.run_dot_command(c) : shell.run_sql(c, 1);
    if (!ok && shell.bail()) return 1;
  }
  if (!sql_args.empty()) {
    for (const auto& s : sql_args) {
      bool ok = s[0] == '.' ? shell.run_dot_command(s) : shell.run_sql(s, 1);
      if (!ok) return 1;
      if (shell.quit()) break;
    }
    return 0;
  }
  bool interactive = isatty(0) && isatty(1);
  if (interactive) {
    std::printf("Keel %s (SQLite %s compatible)\nEnter \".help\" for usage hints.\n", keel::kVersion,
                keel::kSqliteVersion);
    if (filename == ":memory:") std::printf("Connected to a transient in-memory database.\n");
  }
  return shell.run_stream(stdin, interactive);
}
