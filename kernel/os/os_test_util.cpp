#include "os/os_test_util.h"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace keel::os::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/keel_os_test_XXXXXX";
  char* made = ::mkdtemp(tmpl.data());
  if (made == nullptr) std::abort();
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string run_sqlite3(const std::string& db, const std::string& sql, int* exit_code) {
  std::string script = db + ".sql";
  {
    std::ofstream out(script);
    out << sql << "\n";
  }
  std::string cmd = "sqlite3 -bail '" + db + "' < '" + script + "' 2>&1";
  std::string output;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) {
    if (exit_code) *exit_code = -1;
    return output;
  }
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) output.append(buf, n);
  int status = ::pclose(p);
  if (exit_code) *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::filesystem::remove(script);
  return output;
}

Child::Child(std::function<bool(Child&)> body) {
  // finish() may write to a child that already exited.
  ::signal(SIGPIPE, SIG_IGN);
  if (::pipe(to_parent_) != 0 || ::pipe(to_child_) != 0) std::abort();
  std::fflush(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) std::abort();
  if (pid_ == 0) {
    ::close(to_parent_[0]);
    ::close(to_child_[1]);
    bool ok = body(*this);
    ::_exit(ok ? 0 : 1);
  }
  ::close(to_parent_[1]);
  ::close(to_child_[0]);
  to_parent_[1] = to_child_[0] = -1;
}

Child::~Child() {
  if (pid_ > 0 && !finished_) finish();
  for (int fd : {to_parent_[0], to_child_[1]}) {
    if (fd >= 0) ::close(fd);
  }
}

void Child::ready() {
  char c = 'r';
  if (::write(to_parent_[1], &c, 1) != 1) ::_exit(2);
}

void Child::wait_for_parent() {
  char c;
  // EOF (parent closed the pipe) also releases the child.
  while (::read(to_child_[0], &c, 1) < 0) {
  }
}

bool Child::wait_ready() {
  char c;
  ssize_t r;
  do {
    r = ::read(to_parent_[0], &c, 1);
  } while (r < 0);
  return r == 1;
}

int Child::finish() {
  if (finished_) return -1;
  finished_ = true;
  char c = 'g';
  if (::write(to_child_[1], &c, 1) != 1) {
    // The child may already be gone; waitpid tells.
  }
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace keel::os::testing
