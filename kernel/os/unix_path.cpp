// full_pathname for the unix VFS: os_unix.c's unixFullPathname.
//
// The result is absolute, has no "." or ".." elements and no repeated
// slashes, and every symbolic link along it is resolved (at most 100 of
// them), so that two spellings of one database give the same journal, WAL
// and -shm names. Elements that do not exist yet are kept as written.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "os/unix_vfs_internal.h"

namespace keel::os::unix_detail {
namespace {

constexpr size_t kMaxPathname = 512;  // SQLite's MAX_PATHNAME
constexpr int kMaxSymlinks = 100;     // SQLite's SQLITE_MAX_SYMLINK

struct PathBuilder {
  std::string out;
  int symlinks = 0;
  bool failed = false;

  void append_all(std::string_view path) {
    size_t i = 0;
    while (i < path.size() && !failed) {
      size_t j = path.find('/', i);
      if (j == std::string_view::npos) j = path.size();
      if (j > i) append_one(path.substr(i, j - i));
      i = j + 1;
    }
  }

  void append_one(std::string_view name) {
    if (name == ".") return;
    if (name == "..") {
      size_t slash = out.find_last_of('/');
      out.resize(slash == std::string::npos ? 0 : slash);
      return;
    }
    if (out.size() + name.size() + 2 >= kMaxPathname + 1) {
      failed = true;
      return;
    }
    out.push_back('/');
    out.append(name);
    struct stat st;
    if (::lstat(out.c_str(), &st) != 0) {
      if (errno != ENOENT) failed = true;
      return;
    }
    if (!S_ISLNK(st.st_mode)) return;
    if (symlinks++ > kMaxSymlinks) {
      failed = true;
      return;
    }
    char link[kMaxPathname + 2];
    ssize_t got = ::readlink(out.c_str(), link, sizeof link - 2);
    if (got <= 0 || got >= static_cast<ssize_t>(sizeof link - 2)) {
      failed = true;
      return;
    }
    std::string_view target(link, static_cast<size_t>(got));
    if (target[0] == '/') {
      out.clear();
    } else {
      out.resize(out.size() - name.size() - 1);
    }
    append_all(target);
  }
};

}  // namespace

Result<std::string> unix_full_pathname(std::string_view path) {
  PathBuilder b;
  if (path.empty() || path[0] != '/') {
    char cwd[kMaxPathname + 2];
    if (::getcwd(cwd, sizeof cwd - 2) == nullptr) return Status(rc::kCantOpenFullPath);
    b.append_all(cwd);
  }
  b.append_all(path);
  if (b.failed || b.out.size() < 2) return Status(rc::kCantOpenFullPath);
  return std::move(b.out);
}

}  // namespace keel::os::unix_detail
