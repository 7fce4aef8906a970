// The input loop and statement execution, following sqlite3 3.40's
// process_input() / runOneSqlLine() / shell_exec():
//   - a line starting with '.' (when no SQL is pending) is a dot-command;
//   - other lines accumulate until sqlite3_complete() says the text ends a
//     statement, then the whole chunk runs, statement by statement;
//   - errors go to stderr as "Parse error near line N: ..." (prepare) or
//     "Runtime error near line N: ..." (step), without "near line N" when a
//     person is typing; .bail stops at the first one.
#include "shell/shell.h"

#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>

namespace keel::shell {

volatile int Shell::interrupted = 0;

namespace {

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// True when `text` holds only whitespace and complete comments (and, with
// `semicolons`, empty statements).
bool is_plain_white(std::string_view text, bool semicolons = false) {
  size_t i = 0;
  while (i < text.size()) {
    if (is_space(text[i]) || (semicolons && text[i] == ';')) {
      i++;
    } else if (text.compare(i, 2, "--") == 0) {
      size_t nl = text.find('\n', i);
      if (nl == std::string_view::npos) return true;
      i = nl + 1;
    } else if (text.compare(i, 2, "/*") == 0) {
      size_t end = text.find("*/", i + 2);
      if (end == std::string_view::npos) return false;
      i = end + 2;
    } else {
      return false;
    }
  }
  return true;
}

// A line holding only "/" or "go" ends the pending statement (as ";" would).
bool is_command_terminator(std::string_view line) {
  size_t a = 0, b = line.size();
  while (a < b && is_space(line[a])) a++;
  while (b > a && is_space(line[b - 1])) b--;
  std::string_view w = line.substr(a, b - a);
  return w == "/" || (w.size() == 2 && (w[0] | 0x20) == 'g' && (w[1] | 0x20) == 'o');
}

double seconds(const timeval& t) { return t.tv_sec + t.tv_usec * 1e-6; }

double wall_clock_ms() {
  timeval tv;
  gettimeofday(&tv, nullptr);
  return tv.tv_sec * 1000.0 + tv.tv_usec / 1000.0;
}

// The statement text around the error offset with a caret under it, as
// sqlite3 appends to parse errors ("" when the error has no offset).
std::string error_context(std::string_view sql, int offset) {
  if (offset < 0) return "";
  size_t start = 0;
  while (offset > 50) {
    offset--;
    start++;
    while (start < sql.size() && (static_cast<unsigned char>(sql[start]) & 0xc0) == 0x80) {
      start++;
      offset--;
    }
  }
  if (start > sql.size()) return "";
  std::string_view code = sql.substr(start);
  size_t len = code.size();
  if (len > 78) {
    len = 78;
    while (len > 0 && (static_cast<unsigned char>(code[len]) & 0xc0) == 0x80) len--;
  }
  std::string line(code.substr(0, len));
  for (char& c : line) {
    if (is_space(c)) c = ' ';
  }
  if (offset < 25) return "\n  " + line + "\n  " + std::string(offset, ' ') + "^--- error here";
  return "\n  " + line + "\n  " + std::string(offset - 14, ' ') + "error here ---^";
}

}  // namespace

Shell::Shell() = default;

Shell::~Shell() {
  output_reset();
  clear_parameters();
  if (db_) sqlite3_close_v2(db_);
  close_trace();
}

std::string open_name(const OpenSpec& spec) {
  std::string name = spec.filename.empty() ? ":memory:" : spec.filename;
  if (spec.experimental.empty()) return name;
  // Features travel as a URI parameter, so plain names become file: URIs.
  std::string list;
  for (const auto& f : spec.experimental) list += (list.empty() ? "" : ",") + f;
  if (name.compare(0, 5, "file:") != 0) {
    std::string uri = "file:";
    for (char c : name) {
      if (c == '%' || c == '?' || c == '#') {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
        uri += buf;
      } else {
        uri += c;
      }
    }
    name = uri;
  }
  return name + (name.find('?') == std::string::npos ? "?" : "&") + "experimental=" + list;
}

bool Shell::open(const OpenSpec& spec) {
  if (db_) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
  }
  spec_ = spec;
  std::string name = open_name(spec);
  int flags =
      SQLITE_OPEN_URI | (spec.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(name.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::fprintf(stderr, "Error: unable to open database \"%s\": %s\n", spec.filename.c_str(),
                 db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    if (db_) sqlite3_close_v2(db_);
    db_ = nullptr;
    return false;
  }
  return true;
}

void Shell::echo(std::string_view text) {
  if (!echo_) return;
  std::fwrite(text.data(), 1, text.size(), out_file_);
  std::fputc('\n', out_file_);
}

int Shell::exec(std::string_view sql_in, std::string* err) {
  std::string owned(sql_in);
  const char* sql = owned.c_str();
  int rc = SQLITE_OK;
  while (sql[0] && rc == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    rc = sqlite3_prepare_v2(db_, sql, -1, &stmt, &tail);
    if (rc != SQLITE_OK) {
      std::string msg = std::string("in prepare, ") + sqlite3_errmsg(db_);
      if (rc > 1) msg += " (" + std::to_string(rc) + ")";
      msg += error_context(sql, sqlite3_error_offset(db_));
      *err = msg;
      return rc;
    }
    if (stmt == nullptr) {  // whitespace or a comment
      sql = tail;
      while (is_space(sql[0])) sql++;
      continue;
    }
    bind_parameters(stmt);
    if (eqp_ && sqlite3_stmt_isexplain(stmt) == 0) {
      const char* text = sqlite3_sql(stmt);
      while (text && is_space(*text)) text++;
      show_plan(text ? text : "");
    }
    int step_rc = print_result(stmt, out_, out_file_, &interrupted);
    rc = sqlite3_finalize(stmt);
    if (rc == SQLITE_OK && step_rc != SQLITE_DONE && step_rc != SQLITE_ROW) rc = step_rc;
    if (rc == SQLITE_OK) {
      sql = tail;
      while (is_space(sql[0])) sql++;
    } else {
      std::string msg = std::string("stepping, ") + sqlite3_errmsg(db_);
      if ((rc & 0xff) > 1) msg += " (" + std::to_string(rc & 0xff) + ")";
      *err = msg;
      return rc & 0xff;
    }
  }
  return rc;
}

void Shell::show_plan(const char* sql) {
  std::string text = std::string("EXPLAIN QUERY PLAN ") + sql;
  sqlite3_stmt* plan = nullptr;
  if (sqlite3_prepare_v2(db_, text.c_str(), -1, &plan, nullptr) == SQLITE_OK && plan) {
    bind_parameters(plan);
    print_query_plan(plan, out_file_);
  }
  sqlite3_finalize(plan);
  if (eqp_ < 2) return;
  text = std::string("EXPLAIN ") + sql;
  if (sqlite3_prepare_v2(db_, text.c_str(), -1, &plan, nullptr) == SQLITE_OK && plan) {
    bind_parameters(plan);
    print_explain(plan, out_, out_file_);
  }
  sqlite3_finalize(plan);
}

int Shell::run_chunk(const std::string& sql, int start_line, bool show_line) {
  rusage ru_begin{};
  double wall_begin = 0;
  if (timer_) {
    getrusage(RUSAGE_SELF, &ru_begin);
    wall_begin = wall_clock_ms();
  }
  std::string err;
  int rc = exec(sql, &err);
  interrupted = 0;  // a ^C during the statement has done its work
  if (timer_) {
    rusage ru_end{};
    getrusage(RUSAGE_SELF, &ru_end);
    std::printf("Run Time: real %.3f user %f sys %f\n", (wall_clock_ms() - wall_begin) * 0.001,
                seconds(ru_end.ru_utime) - seconds(ru_begin.ru_utime),
                seconds(ru_end.ru_stime) - seconds(ru_begin.ru_stime));
  }
  if (rc || !err.empty()) {
    const char* type = "Error";
    std::string_view tail = err;
    if (err.empty()) {
      tail = sqlite3_errmsg(db_);
    } else if (err.compare(0, 12, "in prepare, ") == 0) {
      type = "Parse error";
      tail.remove_prefix(12);
    } else if (err.compare(0, 10, "stepping, ") == 0) {
      type = "Runtime error";
      tail.remove_prefix(10);
    }
    std::fflush(out_file_);
    if (show_line) {
      std::fprintf(stderr, "%s near line %d: %.*s\n", type, start_line, static_cast<int>(tail.size()),
                   tail.data());
    } else {
      std::fprintf(stderr, "%s: %.*s\n", type, static_cast<int>(tail.size()), tail.data());
    }
    return 1;
  }
  if (count_changes_) {
    std::fprintf(out_file_, "changes: %lld   total_changes: %lld\n",
                 static_cast<long long>(sqlite3_changes64(db_)),
                 static_cast<long long>(sqlite3_total_changes64(db_)));
  }
  return 0;
}

int Shell::run_argument_sql(const std::string& sql) {
  echo(sql);
  std::string err;
  int rc = exec(sql, &err);
  if (rc || !err.empty()) {
    std::fflush(out_file_);
    if (!err.empty()) {
      std::fprintf(stderr, "Error: %s\n", err.c_str());
    } else {
      std::fprintf(stderr, "Error: unable to process SQL: %s\n", sql.c_str());
    }
    return rc != 0 ? rc : 1;
  }
  return 0;
}

int Shell::process_input(LineInput& in) {
  if (input_nesting_ >= 25) {
    std::fprintf(stderr, "Input nesting limit (25) reached. Check recursion.\n");
    return 1;
  }
  input_nesting_++;
  std::string sql, line;
  int start_line = 0, line_no = 0, errors = 0;
  const bool show_line = !in.interactive();
  while (errors == 0 || !bail_ || in.interactive()) {
    std::fflush(out_file_);
    if (!in.read_line(line, sql.empty() ? prompt_.c_str() : continue_prompt_.c_str())) {
      if (in.interactive()) std::putchar('\n');
      break;
    }
    if (interrupted) {
      // ^C at the prompt drops the pending statement.
      interrupted = 0;
      if (!in.interactive()) break;
      sql.clear();
      continue;
    }
    line_no++;
    if (is_command_terminator(line) && sqlite3_complete((sql + ";").c_str())) line = ";";
    // A line of only blanks, comments and semicolons does nothing.
    if (sql.empty() && is_plain_white(line, true)) {
      echo(line);
      continue;
    }
    if (sql.empty() && (line[0] == '.' || line[0] == '#')) {
      echo(line);
      if (line[0] == '.') {
        in.add_history(line);
        int rc = do_meta_command(line);
        if (rc == 2) break;
        if (rc) errors++;
      }
      continue;
    }
    if (sql.empty()) {
      size_t i = 0;
      while (i < line.size() && is_space(line[i])) i++;
      sql.assign(line, i);
      start_line = line_no;
    } else {
      sql += '\n';
      sql += line;
    }
    bool maybe_end = line.find(';') != std::string::npos || line.find("*/") != std::string::npos;
    if (maybe_end && sqlite3_complete(sql.c_str())) {
      echo(sql);
      in.add_history(sql);
      errors += run_chunk(sql, start_line, show_line);
      sql.clear();
      if (once_count_) {
        output_reset();
        once_count_ = 0;
      }
    } else if (is_plain_white(sql)) {
      echo(sql);
      sql.clear();
    }
  }
  if (!sql.empty()) {
    // Possibly incomplete: the parser reports what is wrong.
    echo(sql);
    errors += run_chunk(sql, start_line, show_line);
  }
  input_nesting_--;
  return errors;
}

void Shell::output_reset() {
  if (out_file_ != stdout && out_file_ != stderr && out_file_ != nullptr) {
    if (out_is_pipe_) {
      pclose(out_file_);
    } else {
      std::fclose(out_file_);
    }
  } else {
    std::fflush(out_file_);
  }
  out_file_ = stdout;
  out_is_pipe_ = false;
  out_name_.clear();
}

bool Shell::output_open(const std::string& target) {
  output_reset();
  if (target.empty() || target == "stdout") return true;
  if (target == "stderr") {
    out_file_ = stderr;
    out_name_ = target;
    return true;
  }
  FILE* f = nullptr;
  if (target[0] == '|') {
    f = popen(target.c_str() + 1, "w");
    out_is_pipe_ = f != nullptr;
  } else if (target != "off") {
    f = std::fopen(target.c_str(), "wb");
  }
  if (f == nullptr) {
    if (target == "off") {
      f = std::fopen("/dev/null", "wb");
      if (f) {
        out_file_ = f;
        out_name_ = target;
        return true;
      }
    }
    std::fprintf(stderr, "Error: cannot write to \"%s\"\n", target.c_str());
    out_file_ = stdout;
    return false;
  }
  out_file_ = f;
  out_name_ = target;
  return true;
}

}  // namespace keel::shell
