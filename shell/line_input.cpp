#include "shell/line_input.h"

#include <editline/readline.h>

#include <cstdlib>

namespace keel::shell {
namespace {

class FileInput : public LineInput {
 public:
  explicit FileInput(FILE* f) : file_(f) {}
  ~FileInput() override { std::free(buf_); }

  bool read_line(std::string& line, const char* /*prompt*/) override {
    ssize_t n = getline(&buf_, &cap_, file_);
    if (n < 0) return false;
    if (n > 0 && buf_[n - 1] == '\n') {
      n--;
      if (n > 0 && buf_[n - 1] == '\r') n--;
    }
    line.assign(buf_, static_cast<size_t>(n));
    return true;
  }
  bool interactive() const override { return false; }

 private:
  FILE* file_;
  char* buf_ = nullptr;
  size_t cap_ = 0;
};

// libedit's readline-compatible interface: line editing, ^R search, and a
// history that is saved when the shell exits.
class TerminalInput : public LineInput {
 public:
  explicit TerminalInput(std::string history_path) : history_path_(std::move(history_path)) {
    if (!history_path_.empty()) read_history(history_path_.c_str());
  }
  ~TerminalInput() override {
    if (!history_path_.empty()) {
      stifle_history(2000);
      write_history(history_path_.c_str());
    }
  }

  bool read_line(std::string& line, const char* prompt) override {
    char* text = readline(prompt);
    if (text == nullptr) return false;
    line = text;
    std::free(text);
    return true;
  }
  bool interactive() const override { return true; }
  void add_history(const std::string& entry) override {
    if (!entry.empty()) ::add_history(entry.c_str());
  }

 private:
  std::string history_path_;
};

}  // namespace

std::unique_ptr<LineInput> make_file_input(FILE* file) { return std::make_unique<FileInput>(file); }

std::unique_ptr<LineInput> make_terminal_input(const std::string& history_path) {
  return std::make_unique<TerminalInput>(history_path);
}

}  // namespace keel::shell
