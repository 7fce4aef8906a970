// Helpers shared by the CDC tests: opening a database with the module from
// the build tree, and reading rows as text.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "keel/database.hpp"

namespace keel::cdc_test {

inline Options module_options() {
  Options o;
  o.module_path = {KEEL_CDC_MODULE_DIR};
  return o;
}

inline std::string temp_path(std::string_view tag) {
  namespace fs = std::filesystem;
  fs::path p =
      fs::temp_directory_path() / ("keel_cdc_" + std::string(tag) + "_" + std::to_string(getpid()) + ".db");
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) fs::remove(p.string() + suffix);
  return p.string();
}

inline void remove_db(const std::string& path) {
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

// Every row of `sql`, columns joined with '|', NULL written as NULL; an
// error as "error: <message>".
inline std::vector<std::string> rows(Connection& c, std::string_view sql) {
  std::vector<std::string> out;
  auto st = c.prepare(sql);
  if (!st.ok()) return {"error: " + std::string(st.status().message())};
  while (true) {
    auto r = st->step();
    if (!r.ok()) {
      out.push_back("error: " + std::string(r.status().message()));
      break;
    }
    if (!*r) break;
    std::string line;
    for (int i = 0; i < st->column_count(); i++) {
      if (i) line += '|';
      line += st->column_is_null(i) ? std::string("NULL") : std::string(st->column_text(i));
    }
    out.push_back(line);
  }
  return out;
}

// The first row of `sql` ("" if none).
inline std::string one(Connection& c, std::string_view sql) {
  auto r = rows(c, sql);
  return r.empty() ? std::string() : r[0];
}

}  // namespace keel::cdc_test
