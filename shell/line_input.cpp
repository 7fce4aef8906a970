#include "shell/line_input.h"

#include <editline/readline.h>

#include <cstdlib>
#include <cstring>

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
// libedit's completion hooks are plain C functions: the completer of the
// one terminal input lives here.
Completer* g_completer = nullptr;
std::vector<std::string> g_matches;

char* next_match(const char* /*word*/, int state) {
  static size_t index;
  if (state == 0) index = 0;
  if (index >= g_matches.size()) return nullptr;
  return strdup(g_matches[index++].c_str());
}

char** complete(const char* word, int start, int /*end*/) {
  rl_attempted_completion_over = 1;  // no file-name completion
  if (g_completer == nullptr) return nullptr;
  std::string line(rl_line_buffer ? rl_line_buffer : "", static_cast<size_t>(start));
  g_matches = (*g_completer)(line, word);
  if (g_matches.empty()) return nullptr;
  return rl_completion_matches(word, next_match);
}

class TerminalInput : public LineInput {
 public:
  TerminalInput(std::string history_path, Completer completer)
      : history_path_(std::move(history_path)), completer_(std::move(completer)) {
    if (!history_path_.empty()) read_history(history_path_.c_str());
    g_completer = &completer_;
    rl_attempted_completion_function = complete;
  }
  ~TerminalInput() override {
    g_completer = nullptr;
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
  Completer completer_;
};

}  // namespace

std::unique_ptr<LineInput> make_file_input(FILE* file) { return std::make_unique<FileInput>(file); }

std::unique_ptr<LineInput> make_terminal_input(const std::string& history_path, Completer completer) {
  return std::make_unique<TerminalInput>(history_path, std::move(completer));
}

}  // namespace keel::shell
