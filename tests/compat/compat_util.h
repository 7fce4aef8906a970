// Helpers shared by the file-format tests: a scratch directory, the sqlite3
// CLI run on a script, and Keel's rows as "a|b|c" lines (NULL as empty).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "engine/connection.h"

namespace keel::compat {

inline std::string temp_dir() {
  char tmpl[] = "/tmp/keel-compat-XXXXXX";
  return mkdtemp(tmpl);
}

inline std::string sh(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  if (!p) return out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

inline std::string sqlite3_cli(const std::string& db, const std::string& sql) {
  std::string script = "/tmp/keel-compat-" + std::to_string(getpid()) + ".sql";
  FILE* f = fopen(script.c_str(), "w");
  fputs(sql.c_str(), f);
  fclose(f);
  std::string out = sh("sqlite3 '" + db + "' < '" + script + "' 2>&1");
  unlink(script.c_str());
  return out;
}

// Runs SQL on Keel and returns rows as "a|b|c\n" text (NULL as empty).
inline std::string keel_query(engine::Connection& c, const std::string& sql) {
  std::string out;
  Status s = c.exec(sql, [&](int n, char** values, char**) {
    for (int i = 0; i < n; i++) {
      if (i) out += '|';
      if (values[i]) out += values[i];
    }
    out += '\n';
    return false;
  });
  EXPECT_TRUE(s.ok()) << s.to_string() << " in " << sql;
  return out;
}

}  // namespace keel::compat
