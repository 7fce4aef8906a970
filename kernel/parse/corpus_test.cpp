// Every statement and query of the sqllogictest conformance corpus
// (../shared/conformance/sqllogictest/**.test) must parse, and its canonical
// text must parse back to the same canonical text. Records marked
// `statement error` may fail. Skipped when the corpus is absent.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "parse/parse_test_util.h"

namespace keel::parse {
namespace {

struct Record {
  std::string sql;
  bool may_fail;
  std::string where;
};

std::vector<Record> load(const std::filesystem::path& file) {
  std::vector<Record> out;
  std::ifstream in(file);
  std::string line;
  int lineno = 0;
  bool skip = false;
  auto next = [&](std::string& l) {
    if (!std::getline(in, l)) return false;
    if (!l.empty() && l.back() == '\r') l.pop_back();  // some files use CRLF
    ++lineno;
    return true;
  };
  while (next(line)) {
    if (line.rfind("skipif sqlite", 0) == 0) skip = true;
    if (line.rfind("onlyif", 0) == 0 && line.find("sqlite") == std::string::npos) skip = true;
    bool statement = line.rfind("statement", 0) == 0;
    bool query = line.rfind("query", 0) == 0;
    if (!statement && !query) {
      if (line.empty()) skip = false;
      continue;
    }
    Record r;
    r.may_fail = line.rfind("statement error", 0) == 0;
    r.where = file.string() + ":" + std::to_string(lineno);
    while (next(line)) {
      if (line.empty() || line == "----") break;
      r.sql += line;
      r.sql += '\n';
    }
    if (!skip) out.push_back(std::move(r));
    skip = false;
  }
  return out;
}

TEST(Corpus, EveryStatementParses) {
  std::filesystem::path root = std::filesystem::path(KEEL_SHARED_DIR) / "conformance" / "sqllogictest";
  if (!std::filesystem::exists(root)) GTEST_SKIP() << "conformance corpus not found at " << root;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && e.path().extension() == ".test") files.push_back(e.path());
  }
  ASSERT_FALSE(files.empty());
  size_t parsed = 0, failures = 0, allowed_failures = 0;
  size_t bytes = 0;
  double seconds = 0;
  Arena arena;
  for (const auto& f : files) {
    for (const Record& r : load(f)) {
      arena.reset();
      auto t0 = std::chrono::steady_clock::now();
      auto res = parse_all(arena, r.sql, testing::debian_options());
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      bytes += r.sql.size();
      if (!res.ok()) {
        if (r.may_fail) {
          ++allowed_failures;
        } else {
          ++failures;
          ADD_FAILURE() << r.where << ": " << res.status().message() << "\n" << r.sql;
        }
        continue;
      }
      ++parsed;
      if (res->size == 0) continue;
      std::string span_problem = testing::check_spans(*(*res)[0].stmt, r.sql);
      if (!span_problem.empty()) {
        ++failures;
        ADD_FAILURE() << r.where << ": " << span_problem << "\n" << r.sql.substr(0, 2000);
      }
      std::string once = to_sql((*res)[0]);
      // The fully parenthesized form nests deeper than the original: re-read
      // it without SQLite's parser-stack limit.
      ParseOptions relaxed = testing::debian_options();
      relaxed.max_parser_depth = 0;
      std::string twice = testing::canon(once, relaxed);
      if (twice != once) {
        ++failures;
        ADD_FAILURE() << r.where << ": canonical text is not a fixpoint\n"
                      << r.sql.substr(0, 2000) << "\n"
                      << once.substr(0, 2000) << "\n"
                      << twice.substr(0, 2000);
      }
      if (failures > 20) FAIL() << "too many failures";
    }
  }
  std::printf("corpus: %zu statements parsed, %zu expected errors, %.1f MB/s\n", parsed, allowed_failures,
              bytes / 1e6 / (seconds > 0 ? seconds : 1e-9));
  EXPECT_GT(parsed, 1000u);
  EXPECT_EQ(failures, 0u);
}

}  // namespace
}  // namespace keel::parse
