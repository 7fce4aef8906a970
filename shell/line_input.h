// Where the shell's input lines come from: a file or pipe (read as is), or a
// terminal, where libedit gives line editing and a history kept in
// ~/.keel_history.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace keel::shell {

class LineInput {
 public:
  virtual ~LineInput() = default;
  // The next line without its line ending ("\n" or "\r\n"); false at end of
  // input. `prompt` is shown only by interactive inputs.
  virtual bool read_line(std::string& line, const char* prompt) = 0;
  // True when a person is typing (prompts, history, no line numbers in
  // error messages).
  virtual bool interactive() const = 0;
  // Remembers a complete command for the history (interactive inputs only).
  virtual void add_history(const std::string& /*entry*/) {}
};

// Reads `file` (not owned) line by line.
std::unique_ptr<LineInput> make_file_input(FILE* file);
// Tab completion: the candidates for `word`, the partial word under the
// cursor, given the line up to the cursor.
using Completer = std::function<std::vector<std::string>(const std::string& line, const std::string& word)>;

// Reads the terminal on stdin through libedit, with history loaded from and
// saved to `history_path` ("" for none) and tab completion from `completer`.
std::unique_ptr<LineInput> make_terminal_input(const std::string& history_path, Completer completer);

}  // namespace keel::shell
