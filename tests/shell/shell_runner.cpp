#include "shell_runner.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace keel::shell_test {

namespace fs = std::filesystem;

ScratchDir::ScratchDir() {
  std::string templ = (fs::temp_directory_path() / "keel_shell_test_XXXXXX").string();
  char* made = mkdtemp(templ.data());
  path_ = made ? made : templ;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void ScratchDir::reset(const std::map<std::string, std::string>& files) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(path_, ec)) fs::remove_all(entry.path(), ec);
  for (const auto& [name, content] : files) write(name, content);
}

std::string ScratchDir::read(const std::string& name) const {
  std::ifstream f(path_ + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool ScratchDir::exists(const std::string& name) const { return fs::exists(path_ + "/" + name); }

void ScratchDir::write(const std::string& name, const std::string& content) const {
  fs::path target = fs::path(path_) / name;
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  std::ofstream f(target, std::ios::binary);
  f << content;
}

namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

RunResult run(const std::string& program, const std::vector<std::string>& args, const std::string& input,
              const std::string& dir) {
  // The captured files live beside the scratch directory, not in it, so
  // that a test listing the directory does not see them.
  std::string base = dir + ".io";
  {
    std::ofstream in(base + ".in", std::ios::binary);
    in << input;
  }
  std::string cmd = "cd " + shell_quote(dir) + " && " + shell_quote(program);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " < " + shell_quote(base + ".in") + " > " + shell_quote(base + ".out") + " 2> " +
         shell_quote(base + ".err");
  int status = std::system(cmd.c_str());
  RunResult r;
  r.out = slurp(base + ".out");
  r.err = slurp(base + ".err");
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  for (const char* ext : {".in", ".out", ".err"}) std::remove((base + ext).c_str());
  return r;
}

const std::string& keel_binary() {
  static const std::string path = KEEL_SHELL_BINARY;
  return path;
}

const std::string& sqlite3_binary() {
  static const std::string path = [] {
    std::string p = KEEL_SQLITE3_CLI;
    if (p.empty() || p.find("NOTFOUND") != std::string::npos || access(p.c_str(), X_OK) != 0)
      return std::string();
    return p;
  }();
  return path;
}

}  // namespace keel::shell_test
