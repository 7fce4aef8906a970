// plan_shell: a line-oriented SQL shell over the planner's test engine, in
// the shape the sqllogictest runner expects (list mode, `.bail`,
// `.nullvalue`), so the conformance corpus can run before the product
// shell exists. Usage: plan_shell DBFILE < script.sql
#include <cstdio>
#include <iostream>
#include <string>

#include "parse/parser.h"
#include "plan/testing/test_engine.h"

int main(int argc, char** argv) {
  using keel::plan::testing::TestEngine;
  std::string path = argc > 1 ? argv[argc - 1] : "";
  auto eng = TestEngine::open(path);
  if (!eng.ok()) {
    std::fprintf(stderr, "Error: %s\n", std::string(eng.status().message()).c_str());
    return 1;
  }
  TestEngine& e = *eng.value();
  bool bail = false;
  std::string null_text;
  std::string buf, line;
  std::string out;
  auto print_row = [&](std::span<const keel::vm::Value> row) {
    out.clear();
    for (size_t i = 0; i < row.size(); i++) {
      if (i) out += '|';
      if (row[i].is_null()) {
        out += null_text;
      } else {
        keel::vm::NumberText nt;
        out += row[i].as_text(nt);
      }
    }
    out += '\n';
    std::fwrite(out.data(), 1, out.size(), stdout);
  };
  while (std::getline(std::cin, line)) {
    if (buf.empty() && !line.empty() && line[0] == '.') {
      if (line.rfind(".bail", 0) == 0) bail = line.find("on") != std::string::npos;
      if (line.rfind(".nullvalue", 0) == 0) null_text = line.size() > 11 ? line.substr(11) : "";
      continue;
    }
    buf += line;
    buf += '\n';
    if (!keel::parse::is_complete(buf)) continue;
    keel::Status s = e.exec(buf, print_row);
    buf.clear();
    std::fflush(stdout);
    if (!s.ok()) {
      std::fprintf(stderr, "Error: %s\n", std::string(s.message()).c_str());
      if (bail) return 1;
    }
  }
  return 0;
}
