// Turso cross-check: the statement script tests/turso/script.sql run in
// Keel and in Turso 0.7.2 (Node, npm @tursodatabase/database) yields the
// same turso_cdc rows apart from change_time. Skipped, with a message, when
// node or the package is missing (tests/turso/install_turso.sh installs it
// into KEEL_CDC_TURSO_NODE_MODULES).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cdc_test_support.h"

namespace {

constexpr std::string_view kDump =
    "SELECT change_id, change_txn_id, change_type, table_name, id, hex(before), hex(after), hex(updates) "
    "FROM turso_cdc ORDER BY change_id";

std::vector<std::string> script_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    line = line.substr(b);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.rfind("--", 0) == 0) continue;
    out.push_back(line);
  }
  return out;
}

// stdout of `cmd` split into lines; false if it could not run or failed.
bool run_command(const std::string& cmd, std::vector<std::string>& lines) {
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return false;
  std::string all;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) all.append(buf, n);
  int rc = pclose(p);
  std::istringstream s(all);
  std::string line;
  while (std::getline(s, line)) lines.push_back(line);
  return rc == 0;
}

std::string node_modules_dir() {
  if (const char* env = std::getenv("KEEL_CDC_TURSO_NODE_MODULES")) return env;
  return KEEL_CDC_TURSO_NODE_MODULES;
}

TEST(CdcTurso, SameRowsAsTurso) {
  std::vector<std::string> version;
  if (!run_command("node --version 2>/dev/null", version) || version.empty()) {
    GTEST_SKIP() << "node is not installed: Turso cross-check skipped";
  }
  std::string modules = node_modules_dir();
  if (!std::filesystem::exists(modules + "/@tursodatabase/database/package.json")) {
    GTEST_SKIP() << "@tursodatabase/database is not installed in " << modules
                 << " (run modules/cdc/tests/turso/install_turso.sh): Turso cross-check skipped";
  }
  std::string script = std::string(KEEL_CDC_TEST_DIR) + "/turso/script.sql";
  std::vector<std::string> turso;
  ASSERT_TRUE(run_command("node '" + std::string(KEEL_CDC_TEST_DIR) + "/turso/run_turso.mjs' '" + script +
                              "' '" + modules + "' 2>&1",
                          turso))
      << ::testing::PrintToString(turso);

  auto db = keel::Database::open(":memory:", keel::cdc_test::module_options());
  ASSERT_TRUE(db.ok()) << db.status().message();
  auto c = (*db)->connect();
  ASSERT_TRUE(c.ok());
  for (const std::string& line : script_lines(script)) {
    // "!" marks a statement that must fail.
    bool must_fail = line[0] == '!';
    keel::Status s = c->exec(must_fail ? line.substr(1) : line);
    if (must_fail) {
      EXPECT_FALSE(s.ok()) << line;
    } else {
      ASSERT_TRUE(s.ok()) << line << ": " << s.message();
    }
  }
  std::vector<std::string> keel_rows = keel::cdc_test::rows(*c, kDump);
  ASSERT_FALSE(turso.empty());
  EXPECT_EQ(keel_rows, turso);
}

}  // namespace
