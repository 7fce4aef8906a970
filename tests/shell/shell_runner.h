// Runs a command-line shell (keel or the sqlite3 CLI) on a script in a
// scratch directory and captures what it printed, for the shell tests.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace keel::shell_test {

struct RunResult {
  std::string out;
  std::string err;
  int exit_code = -1;
};

// A scratch directory, removed with its content on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::string& path() const { return path_; }
  // Removes everything inside, then writes `files` (name -> content).
  void reset(const std::map<std::string, std::string>& files = {});
  std::string read(const std::string& name) const;
  bool exists(const std::string& name) const;
  void write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

// Runs `program args...` in `dir` with `input` on stdin. Arguments are
// passed to the shell individually quoted.
RunResult run(const std::string& program, const std::vector<std::string>& args, const std::string& input,
              const std::string& dir);

// The binaries under test (from compile definitions / PATH).
const std::string& keel_binary();
// "" when no sqlite3 CLI is installed (differential tests then skip).
const std::string& sqlite3_binary();

}  // namespace keel::shell_test
