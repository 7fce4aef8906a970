// Helpers for the os layer tests: scratch directories, the sqlite3 CLI as an
// oracle, and forked child processes that hold locks through libsqlite3.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

namespace keel::os::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Runs `sqlite3 <db>` with sql on stdin; returns stdout+stderr. *exit_code
// receives the exit status.
std::string run_sqlite3(const std::string& db, const std::string& sql, int* exit_code = nullptr);

// A forked child. The child runs `body(child)`, which may call ready() once
// it holds what the test needs and then wait_for_parent() before cleaning up.
// The parent calls wait_ready(), checks, then finish(), which returns the
// child's exit status (0 = body returned true).
class Child {
 public:
  explicit Child(std::function<bool(Child&)> body);
  ~Child();
  // In the child:
  void ready();
  void wait_for_parent();
  // In the parent:
  bool wait_ready();  // false if the child died before ready()
  int finish();

 private:
  pid_t pid_ = -1;
  int to_parent_[2] = {-1, -1};
  int to_child_[2] = {-1, -1};
  bool finished_ = false;
};

}  // namespace keel::os::testing
