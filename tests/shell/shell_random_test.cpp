// Randomized differential test of the output modes: random result sets
// (NULL, integers, reals, blobs, text with quotes, separators, control
// bytes, tabs, newlines and multi-byte UTF-8; awkward column names) printed
// by keel and by the sqlite3 CLI in every mode must be byte-identical.
// Seeds are fixed, so a failure names a reproducible script.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "shell_runner.h"

namespace keel::shell_test {
namespace {

std::string random_literal(std::mt19937& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  switch (pick(8)) {
    case 0:
      return "NULL";
    case 1:
      return std::to_string(static_cast<long long>(rng() % 2000000000000ULL) - 1000000000000LL);
    case 2: {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", (static_cast<double>(rng()) / rng.max() - 0.5) * 2e6);
      return buf;
    }
    case 3: {
      std::string hex = "x'";
      for (int i = pick(5) * 2; i > 0; i--) hex += "0123456789abcdef"[pick(16)];
      return hex + "'";
    }
    case 4: {
      static const char* kReals[] = {"0.1", "1e300", "-2.5e-300", "3.0", "1e15", "123456.0", "0.5"};
      return kReals[pick(7)];
    }
    default: {
      static const char* kPieces[] = {
          "a", "b", " ",  "\t",   "\n",   "\r", "\"", "'", ",", "|", "\xc3\xa9", "\xe6\x97\xa5",
          "<", "&", "\\", "\x01", "\x7f", "x",  "y",  "1", "--"};
      std::string text = "'";
      for (int i = pick(25); i > 0; i--) {
        std::string piece = kPieces[pick(21)];
        text += piece == "'" ? "''" : piece;
      }
      return text + "'";
    }
  }
}

TEST(ShellRandom, OutputModesMatchSqlite3) {
  if (sqlite3_binary().empty()) GTEST_SKIP() << "no sqlite3 CLI installed";
  static const char* kModes[] = {
      "list",        "csv",  "tabs",   "line", "quote", "column", "box",  "table",
      "markdown",    "json", "insert", "html", "ascii", "tcl",    "qbox", "column --wrap 7 --ww",
      "box --wrap 5"};
  static const char* kNames[] = {"a", "b c", "select", "x\"\"y", "\xc3\xa9", "n'm", ""};
  ScratchDir dir;
  int mismatches = 0;
  for (unsigned seed = 1; seed <= 40; seed++) {
    std::mt19937 rng(seed);
    int ncol = 1 + static_cast<int>(rng() % 4);
    int nrow = 1 + static_cast<int>(rng() % 5);
    std::string select;
    for (int r = 0; r < nrow; r++) {
      select += r ? " UNION ALL SELECT " : "SELECT ";
      for (int c = 0; c < ncol; c++) {
        if (c) select += ", ";
        select += random_literal(rng) + " AS \"" + kNames[rng() % 7] + std::to_string(c) + "\"";
      }
    }
    // One script per seed holds every mode, so each seed costs two runs.
    std::string script;
    for (const char* mode : kModes) {
      script += std::string(".headers ") + (rng() % 10 < 7 ? "on" : "off") + "\n.nullvalue " +
                (rng() % 2 ? "NULL" : "-") + "\n.mode " + mode + "\n" + select + ";\n";
    }
    RunResult want = run(sqlite3_binary(), {}, script, dir.path());
    RunResult got = run(keel_binary(), {}, script, dir.path());
    if (want.out != got.out || want.err != got.err || want.exit_code != got.exit_code) {
      mismatches++;
      ADD_FAILURE() << "seed " << seed << " differs; script:\n"
                    << script << "\nsqlite3:\n"
                    << want.out << want.err << "\nkeel:\n"
                    << got.out << got.err;
    }
  }
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace keel::shell_test
