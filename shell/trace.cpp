// .trace ?OPTIONS? ?FILE|stdout|stderr|off?: every statement the connection
// runs is written out through sqlite3_trace_v2(), as sqlite3 does:
//   "<sql>;"               for each statement started (--stmt, the default)
//   "<sql>; -- <n> ns"     when it finishes (--profile)
//   --expanded             with bound parameter values substituted
//   --row                  a line per result row; --close when the
//                          connection closes
#include <cstring>

#include "shell/shell.h"

namespace keel::shell {
namespace {

int trace_callback(unsigned type, void* ctx, void* p, void* x) {
  auto* shell = static_cast<Shell*>(ctx);
  FILE* out = shell->trace_out();
  if (out == nullptr) return 0;
  if (type == SQLITE_TRACE_CLOSE) {
    std::fputs("-- closing database connection\n", out);
    return 0;
  }
  const char* sql = nullptr;
  char* expanded = nullptr;
  auto* stmt = static_cast<sqlite3_stmt*>(p);
  if (type == SQLITE_TRACE_STMT && static_cast<const char*>(x)[0] == '-') {
    sql = static_cast<const char*>(x);  // "-- TRIGGER name" and the like
  } else if (shell->trace_expanded()) {
    sql = expanded = sqlite3_expanded_sql(stmt);
  } else {
    sql = sqlite3_sql(stmt);
  }
  if (sql == nullptr) return 0;
  size_t n = std::strlen(sql);
  while (n > 0 && sql[n - 1] == ';') n--;
  if (type == SQLITE_TRACE_PROFILE) {
    std::fprintf(out, "%.*s; -- %lld ns\n", static_cast<int>(n), sql,
                 static_cast<long long>(*static_cast<sqlite3_int64*>(x)));
  } else {
    std::fprintf(out, "%.*s;\n", static_cast<int>(n), sql);
  }
  sqlite3_free(expanded);
  return 0;
}

}  // namespace

void Shell::close_trace() {
  if (trace_out_ && trace_out_ != stdout && trace_out_ != stderr) std::fclose(trace_out_);
  trace_out_ = nullptr;
}

int Shell::cmd_trace(const std::vector<std::string>& args) {
  unsigned mask = 0;
  for (size_t i = 1; i < args.size(); i++) {
    const std::string& z = args[i];
    if (z[0] == '-') {
      std::string o = z.size() > 1 && z[1] == '-' ? z.substr(2) : z.substr(1);
      if (o == "expanded") {
        trace_expanded_ = true;
      } else if (o == "plain") {
        trace_expanded_ = false;
      } else if (o == "profile") {
        mask |= SQLITE_TRACE_PROFILE;
      } else if (o == "row") {
        mask |= SQLITE_TRACE_ROW;
      } else if (o == "stmt") {
        mask |= SQLITE_TRACE_STMT;
      } else if (o == "close") {
        mask |= SQLITE_TRACE_CLOSE;
      } else {
        std::fprintf(stderr, "Unknown option \"%s\" on \".trace\"\n", z.c_str());
        return 1;
      }
    } else {
      close_trace();
      if (z == "stdout") {
        trace_out_ = stdout;
      } else if (z == "stderr") {
        trace_out_ = stderr;
      } else if (z != "off") {
        trace_out_ = std::fopen(z.c_str(), "wb");
        if (trace_out_ == nullptr) std::fprintf(stderr, "Error: cannot open \"%s\"\n", z.c_str());
      }
    }
  }
  if (trace_out_ == nullptr) {
    sqlite3_trace_v2(db_, 0, nullptr, nullptr);
  } else {
    sqlite3_trace_v2(db_, mask ? mask : SQLITE_TRACE_STMT, trace_callback, this);
  }
  return 0;
}

}  // namespace keel::shell
