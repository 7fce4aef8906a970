// Turso cross-check: every expression of expressions.txt evaluated as
// `SELECT <expr>` in Keel and in Turso 0.7.2 (Node, npm @tursodatabase/database)
// gives the same blob bytes, text, NULL or error message; REAL results agree
// to 1e-6 relative (Turso's simsimd kernels round differently, e.g. its f32
// cosine of a vector with itself is 4e-9, not 0). Skipped, with a message,
// when node or the package is missing (install_turso.sh installs it into
// KEEL_VECTOR_TURSO_NODE_MODULES).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "keel/database.hpp"

namespace {

std::vector<std::string> expressions(const std::string& path) {
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

std::vector<std::string> run_turso(const std::string& script, const std::string& modules) {
  std::string cmd = "node '" + std::string(KEEL_VECTOR_TURSO_DIR) + "/run_turso.mjs' '" + script + "' '" +
                    modules + "' 2>&1";
  std::vector<std::string> out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  std::string cur;
  char buf[4096];
  while (fgets(buf, sizeof buf, p)) {
    cur += buf;
    if (!cur.empty() && cur.back() == '\n') {
      cur.pop_back();
      out.push_back(cur);
      cur.clear();
    }
  }
  pclose(p);
  return out;
}

std::string keel_result(keel::Connection& c, const std::string& expr) {
  auto st = c.prepare("SELECT " + expr);
  if (!st.ok()) return "error:" + std::string(st.status().message());
  auto r = st->step();
  if (!r.ok()) return "error:" + std::string(r.status().message());
  switch (st->column_type(0)) {
    case keel::Type::kNull:
      return "null";
    case keel::Type::kText:
      return "text:" + std::string(st->column_text(0));
    case keel::Type::kInteger:
    case keel::Type::kReal: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", st->column_double(0));
      return "number:" + std::string(buf);
    }
    case keel::Type::kBlob: {
      static const char* d = "0123456789ABCDEF";
      std::string s = "blob:";
      for (uint8_t b : st->column_blob(0)) {
        s += d[b >> 4];
        s += d[b & 15];
      }
      return s;
    }
  }
  return "?";
}

bool same(const std::string& keel, const std::string& turso) {
  if (keel.rfind("number:", 0) == 0 && turso.rfind("number:", 0) == 0) {
    const double a = std::strtod(keel.c_str() + 7, nullptr), b = std::strtod(turso.c_str() + 7, nullptr);
    return std::fabs(a - b) <= 1e-6 * std::max(1.0, std::fabs(b));
  }
  return keel == turso;
}

TEST(VectorTurso, ExpressionsAgreeWithTurso) {
  const std::string modules = KEEL_VECTOR_TURSO_NODE_MODULES;
  if (std::system("node --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed";
  if (!std::filesystem::exists(modules + "/@tursodatabase/database/package.json")) {
    GTEST_SKIP() << "@tursodatabase/database is not installed in " << modules
                 << " (modules/vector/tests/turso/install_turso.sh)";
  }
  const std::string script = std::string(KEEL_VECTOR_TURSO_DIR) + "/expressions.txt";
  auto exprs = expressions(script);
  auto turso = run_turso(script, modules);
  ASSERT_EQ(turso.size(), exprs.size()) << "Turso output:\n" << (turso.empty() ? "" : turso.back());

  keel::Options o;
  o.module_path = {KEEL_VECTOR_MODULE_DIR};
  auto db = keel::Database::open(":memory:", o);
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  auto c = (*db)->connect();
  ASSERT_TRUE(c.ok());
  int checked = 0;
  for (size_t i = 0; i < exprs.size(); i++) {
    const std::string k = keel_result(*c, exprs[i]);
    EXPECT_PRED2(same, k, turso[i]) << "SELECT " << exprs[i];
    checked++;
  }
  EXPECT_GT(checked, 100);
}

}  // namespace
