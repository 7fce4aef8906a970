#include "shell/shell.h"

#include <cstring>

#include "engine/statement.h"
#include "parse/parser.h"
#include "vm/printf.h"

namespace keel::shell {
namespace {

std::string quote_sql(const vm::Value& v) {
  switch (v.type()) {
    case vm::ValueType::kNull: return "NULL";
    case vm::ValueType::kInteger: return std::to_string(v.int_value());
    case vm::ValueType::kReal: return vm::format("%!.15g", v.real_value());
    case vm::ValueType::kText: return vm::format("%Q", std::string(v.text()).c_str());
    case vm::ValueType::kBlob: {
      std::string out = "X'";
      static const char* hex = "0123456789ABCDEF";
      for (uint8_t b : v.blob()) {
        out += hex[b >> 4];
        out += hex[b & 15];
      }
      return out + "'";
    }
  }
  return "";
}

std::string csv_field(const std::string& s, const std::string& sep) {
  bool needs = s.find_first_of("\"\r\n") != std::string::npos || s.find(sep) != std::string::npos || s.empty();
  if (!needs) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::vector<std::string> split_args(std::string_view line) {
  std::vector<std::string> args;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && isspace(static_cast<unsigned char>(line[i]))) i++;
    if (i >= line.size()) break;
    std::string arg;
    if (line[i] == '"' || line[i] == '\'') {
      char q = line[i++];
      while (i < line.size() && line[i] != q) {
        if (q == '"' && line[i] == '\\' && i + 1 < line.size()) {
          i++;
          char c = line[i];
          arg += c == 'n' ? '\n' : c == 't' ? '\t' : c;
        } else {
          arg += line[i];
        }
        i++;
      }
      i++;
    } else {
      while (i < line.size() && !isspace(static_cast<unsigned char>(line[i]))) arg += line[i++];
    }
    args.push_back(arg);
  }
  return args;
}

std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char c = s[++i];
      out += c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

Shell::Shell(std::unique_ptr<engine::Connection> conn, std::string db_name)
    : conn_(std::move(conn)), db_name_(std::move(db_name)) {}

void Shell::report_error(const Status& s, bool runtime, int line, std::string_view sql, int offset) {
  errors_++;
  std::string msg(s.message());
  if (runtime && s.primary() != rc::kError) msg += " (" + std::to_string(s.primary()) + ")";
  std::fprintf(stderr, "%s error near line %d: %s\n", runtime ? "Runtime" : "Parse", line, msg.c_str());
  if (!runtime && offset >= 0 && offset <= static_cast<int>(sql.size())) {
    // The statement and a caret under the error position, as sqlite3 does.
    std::string text(sql);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    std::fprintf(stderr, "  %s\n  %*s^--- error here\n", text.c_str(), offset, "");
  }
}

void Shell::print_row(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      const std::vector<bool>& nulls, bool first) {
  std::string line;
  size_t n = values.size();
  switch (mode_) {
    case OutputMode::kLine: {
      size_t w = 5;
      for (auto& nm : names) w = std::max(w, nm.size());
      if (!first) line += "\n";
      for (size_t i = 0; i < n; i++) {
        line += vm::format("%*s = %s\n", static_cast<int>(w), names[i].c_str(), values[i].c_str());
      }
      std::fputs(line.c_str(), out_);
      return;
    }
    case OutputMode::kCsv:
    case OutputMode::kList:
    case OutputMode::kTabs:
    case OutputMode::kQuote:
    case OutputMode::kColumn: {
      std::string sep = mode_ == OutputMode::kTabs ? "\t" : mode_ == OutputMode::kQuote ? "," : separator_;
      if (mode_ == OutputMode::kCsv && separator_ == "|") sep = ",";
      if (first && headers_) {
        for (size_t i = 0; i < n; i++) {
          if (i) line += sep;
          line += mode_ == OutputMode::kCsv ? csv_field(names[i], sep) : names[i];
        }
        line += row_separator_;
      }
      for (size_t i = 0; i < n; i++) {
        if (i) line += sep;
        if (mode_ == OutputMode::kCsv) {
          line += nulls[i] ? null_value_ : csv_field(values[i], sep);
        } else {
          line += values[i];
        }
      }
      line += row_separator_;
      std::fputs(line.c_str(), out_);
      return;
    }
  }
}

bool Shell::run_sql(std::string_view sql, int start_line) {
  uint32_t pos = 0;
  while (pos < sql.size()) {
    std::string_view rest = sql.substr(pos);
    uint32_t tail = 0;
    int line = start_line;
    for (uint32_t i = 0; i < pos; i++) line += sql[i] == '\n';
    auto prepared = conn_->prepare(rest, &tail);
    if (!prepared.ok()) {
      // The statement text for the caret line: up to the next ';'.
      parse::Arena arena;
      size_t end = rest.find(';');
      std::string_view text = rest.substr(0, end == std::string_view::npos ? rest.size() : end + 1);
      size_t lead = text.find_first_not_of(" \t\r\n");
      if (lead != std::string_view::npos) text = text.substr(lead);
      report_error(prepared.status(), false, line, text, -1);
      return false;
    }
    std::unique_ptr<engine::Statement> stmt = std::move(prepared).value();
    pos += tail;
    if (!stmt) break;
    int n = stmt->column_count();
    std::vector<std::string> names(n), values(n);
    std::vector<bool> nulls(n);
    for (int i = 0; i < n; i++) names[i] = stmt->column_info(i).name;
    bool first = true;
    for (;;) {
      auto r = stmt->step();
      if (!r.ok()) {
        report_error(r.status(), true, line, "", -1);
        stmt->reset().ignore();
        return false;
      }
      if (*r != rc::kRow) break;
      auto row = stmt->row();
      for (int i = 0; i < n; i++) {
        nulls[i] = row[i].is_null();
        if (nulls[i]) {
          values[i] = null_value_;
        } else if (mode_ == OutputMode::kQuote) {
          values[i] = quote_sql(row[i]);
        } else {
          vm::NumberText t;
          values[i] = std::string(row[i].as_text(t));
        }
      }
      print_row(names, values, nulls, first);
      first = false;
    }
    Status s = stmt->reset();
    if (!s.ok()) {
      report_error(s, true, line, "", -1);
      return false;
    }
  }
  std::fflush(out_);
  return true;
}

bool Shell::run_dot_command(std::string_view line) {
  std::vector<std::string> args = split_args(line.substr(1));
  if (args.empty()) return true;
  const std::string& cmd = args[0];
  auto fail = [&](const std::string& msg) {
    std::fprintf(stderr, "%s\n", msg.c_str());
    errors_++;
    return false;
  };
  auto on_off = [&](const std::string& v) {
    return v == "on" || v == "yes" || v == "1" || v == "true";
  };
  if (cmd == "quit" || cmd == "exit") {
    quit_ = true;
    return true;
  }
  if (cmd == "bail") {
    if (args.size() != 2) return fail("Usage: .bail on|off");
    bail_ = on_off(args[1]);
    return true;
  }
  if (cmd == "nullvalue") {
    if (args.size() != 2) return fail("Usage: .nullvalue STRING");
    null_value_ = unescape(args[1]);
    return true;
  }
  if (cmd == "headers" || cmd == "header") {
    if (args.size() != 2) return fail("Usage: .headers on|off");
    headers_ = on_off(args[1]);
    return true;
  }
  if (cmd == "echo") {
    if (args.size() != 2) return fail("Usage: .echo on|off");
    echo_ = on_off(args[1]);
    return true;
  }
  if (cmd == "separator") {
    if (args.size() < 2) return fail("Usage: .separator COL ?ROW?");
    separator_ = unescape(args[1]);
    if (args.size() > 2) row_separator_ = unescape(args[2]);
    return true;
  }
  if (cmd == "mode") {
    if (args.size() < 2) {
      static const char* kNames[] = {"list", "csv", "tabs", "line", "quote", "column"};
      std::fprintf(out_, "current output mode: %s\n", kNames[static_cast<int>(mode_)]);
      return true;
    }
    const std::string& m = args[1];
    if (m == "list") {
      mode_ = OutputMode::kList;
      separator_ = "|";
    } else if (m == "csv") {
      mode_ = OutputMode::kCsv;
      separator_ = ",";
    } else if (m == "tabs") {
      mode_ = OutputMode::kTabs;
    } else if (m == "line" || m == "lines") {
      mode_ = OutputMode::kLine;
    } else if (m == "quote") {
      mode_ = OutputMode::kQuote;
    } else {
      return fail("Error: mode should be one of: csv line list quote tabs");
    }
    return true;
  }
  if (cmd == "tables") {
    std::string sql =
        "SELECT name FROM sqlite_schema WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%' ORDER BY 1";
    OutputMode saved = mode_;
    mode_ = OutputMode::kList;
    bool ok = run_sql(sql, 0);
    mode_ = saved;
    return ok;
  }
  if (cmd == "schema") {
    std::string sql = "SELECT sql || ';' FROM sqlite_schema WHERE sql IS NOT NULL";
    if (args.size() > 1) sql += " AND tbl_name LIKE " + vm::format("%Q", args[1].c_str());
    sql += " ORDER BY rowid";
    OutputMode saved = mode_;
    mode_ = OutputMode::kList;
    bool ok = run_sql(sql, 0);
    mode_ = saved;
    return ok;
  }
  if (cmd == "read") {
    if (args.size() != 2) return fail("Usage: .read FILE");
    FILE* f = std::fopen(args[1].c_str(), "rb");
    if (!f) return fail("Error: cannot open \"" + args[1] + "\"");
    int rc = run_stream(f, false);
    std::fclose(f);
    return rc == 0;
  }
  if (cmd == "help") {
    std::fputs(
        ".bail on|off             Stop after hitting an error\n"
        ".echo on|off             Turn command echo on or off\n"
        ".exit                    Exit this program\n"
        ".headers on|off          Turn display of headers on or off\n"
        ".help                    Show this message\n"
        ".mode MODE               Set output mode: csv line list quote tabs\n"
        ".nullvalue STRING        Use STRING in place of NULL values\n"
        ".quit                    Exit this program\n"
        ".read FILE               Read input from FILE\n"
        ".schema ?PATTERN?        Show the CREATE statements\n"
        ".separator COL ?ROW?     Change the column and row separators\n"
        ".tables                  List names of tables\n",
        out_);
    return true;
  }
  return fail("Error: unknown command or invalid arguments:  \"" + cmd + "\". Enter \".help\" for help");
}

int Shell::run_stream(FILE* in, bool interactive) {
  std::string buffer;
  int buffer_line = 0;
  int line_no = 0;
  char* raw = nullptr;
  size_t cap = 0;
  ssize_t len;
  if (interactive) std::fputs("keel> ", stdout);
  while ((len = getline(&raw, &cap, in)) >= 0) {
    line_no++;
    std::string_view line(raw, static_cast<size_t>(len));
    if (buffer.empty()) {
      size_t first = line.find_first_not_of(" \t");
      if (first != std::string_view::npos && line[first] == '.') {
        std::string cmdline(line.substr(first));
        while (!cmdline.empty() && (cmdline.back() == '\n' || cmdline.back() == '\r')) cmdline.pop_back();
        if (echo_) std::fprintf(out_, "%s\n", cmdline.c_str());
        bool ok = run_dot_command(cmdline);
        if (quit_) break;
        if (!ok && bail_) {
          std::free(raw);
          return 1;
        }
        if (interactive) std::fputs("keel> ", stdout);
        continue;
      }
      if (line.find_first_not_of(" \t\r\n") == std::string_view::npos) continue;
      buffer_line = line_no;
    }
    buffer.append(line);
    if (parse::is_complete(buffer)) {
      if (echo_) std::fprintf(out_, "%s", buffer.c_str());
      bool ok = run_sql(buffer, buffer_line);
      buffer.clear();
      if (!ok && (bail_ || !interactive)) {
        if (bail_) {
          std::free(raw);
          return 1;
        }
      }
      if (interactive) std::fputs("keel> ", stdout);
    } else if (interactive) {
      std::fputs("   ...> ", stdout);
    }
  }
  std::free(raw);
  if (!buffer.empty() && buffer.find_first_not_of(" \t\r\n;") != std::string::npos) {
    bool ok = run_sql(buffer, buffer_line);
    if (!ok && bail_) return 1;
  }
  return errors_ > 0 && !interactive ? 1 : 0;
}

}  // namespace keel::shell
