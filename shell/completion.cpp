// Tab completion at the terminal: dot-command names at the start of a line,
// otherwise SQL keywords (in the case the word was typed in), table, view
// and column names of the open database.
#include <algorithm>
#include <cctype>
#include <set>

#include "shell/shell.h"
#include "shell/sql_text.h"

namespace keel::shell {
namespace {

const char* kDotCommands[] = {
    "backup", "bail",   "cd",        "changes",    "databases", "dbinfo", "dump",      "echo",
    "eqp",    "exit",   "explain",   "fullschema", "headers",   "help",   "import",    "indexes",
    "limit",  "mode",   "nullvalue", "once",       "open",      "output", "parameter", "print",
    "prompt", "quit",   "read",      "restore",    "save",      "schema", "separator", "shell",
    "show",   "system", "tables",    "timeout",    "timer",     "trace",  "width",
};

bool starts_with_nocase(const std::string& text, const std::string& prefix) {
  return text.size() >= prefix.size() &&
         sqlite3_strnicmp(text.c_str(), prefix.c_str(), static_cast<int>(prefix.size())) == 0;
}

}  // namespace

std::vector<std::string> Shell::completions(const std::string& line, const std::string& word) {
  std::set<std::string> found;
  size_t lead = line.find_first_not_of(" \t");
  if (lead == std::string::npos && !word.empty() && word[0] == '.') {
    for (const char* c : kDotCommands) {
      std::string name = std::string(".") + c;
      if (name.compare(0, word.size(), word) == 0) found.insert(name);
    }
    return {found.begin(), found.end()};
  }
  if (lead != std::string::npos && line.compare(lead, std::string::npos, ".") == 0) {
    // libedit split the '.' off the command name.
    for (const char* c : kDotCommands) {
      if (std::string(c).compare(0, word.size(), word) == 0) found.insert(c);
    }
    return {found.begin(), found.end()};
  }
  if (lead != std::string::npos && line[lead] == '.') return {};  // arguments: nothing to offer
  bool lower = !word.empty() && std::islower(static_cast<unsigned char>(word[0]));
  for (std::string_view k : keywords()) {
    std::string kw(k);
    if (!starts_with_nocase(kw, word)) continue;
    if (lower) {
      for (char& c : kw) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    found.insert(kw);
  }
  if (db_ != nullptr) {
    sqlite3_stmt* stmt = nullptr;
    std::vector<std::string> tables;
    if (sqlite3_prepare_v2(db_, "SELECT name FROM sqlite_schema WHERE type IN ('table','view')", -1, &stmt,
                           nullptr) == SQLITE_OK) {
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
      }
    }
    sqlite3_finalize(stmt);
    for (const std::string& t : tables) {
      if (starts_with_nocase(t, word)) found.insert(t);
      char* q = sqlite3_mprintf("PRAGMA table_info(%Q)", t.c_str());
      if (sqlite3_prepare_v2(db_, q, -1, &stmt, nullptr) == SQLITE_OK) {
        while (sqlite3_step(stmt) == SQLITE_ROW) {
          std::string col = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
          if (starts_with_nocase(col, word)) found.insert(col);
        }
      }
      sqlite3_finalize(stmt);
      sqlite3_free(q);
    }
  }
  return {found.begin(), found.end()};
}

}  // namespace keel::shell
