// The unix VFS: real files through POSIX calls, SQLite's os_unix.c semantics.
//
// This file holds the Vfs (open, remove, access, paths, time, randomness) and
// the byte I/O of UnixFile. Locking is in unix_lock.cpp, the wal-index in
// unix_shm.cpp; the shared state and its invariants in unix_vfs_internal.h.
//
// Every system call is retried on EINTR; reads and writes loop over short
// transfers. Errors map to SQLite's extended codes as os_unix.c does:
// a short read zero-fills and returns kIoErrShortRead, ENOSPC/EDQUOT on write
// is kFull, a failed open is kCantOpen.
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "os/unix_vfs_internal.h"

namespace keel::os {
namespace unix_detail {
namespace {

// Directory part of path ("." when there is none), for directory fsync.
std::string dir_of(std::string_view path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

int fsync_dir(std::string_view path) {
  std::string dir = dir_of(path);
  int fd = robust_open(dir.c_str(), O_RDONLY, 0);
  if (fd < 0) return errno;
  int rc;
  do {
    rc = ::fsync(fd);
  } while (rc != 0 && errno == EINTR);
  int err = rc == 0 ? 0 : errno;
  ::close(fd);
  // Some file systems cannot fsync a directory (EINVAL); SQLite ignores that.
  return err == EINVAL ? 0 : err;
}

const char* temp_dir() {
  static const char* const kCandidates[] = {"/var/tmp", "/usr/tmp", "/tmp", "."};
  for (const char* env : {"SQLITE_TMPDIR", "TMPDIR"}) {
    const char* dir = std::getenv(env);
    struct stat st;
    if (dir && ::stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && ::access(dir, W_OK | X_OK) == 0) return dir;
  }
  for (const char* dir : kCandidates) {
    struct stat st;
    if (::stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && ::access(dir, W_OK | X_OK) == 0) return dir;
  }
  return nullptr;
}

// Strips the suffix that names a journal/WAL, giving the database path.
std::string db_path_of(const std::string& path, FileKind kind) {
  auto strip = [&](std::string_view suffix) -> std::string {
    if (path.size() > suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0)
      return path.substr(0, path.size() - suffix.size());
    return {};
  };
  switch (kind) {
    case FileKind::kMainJournal:
      return strip("-journal");
    case FileKind::kWal:
      return strip("-wal");
    default:
      return {};
  }
}

class UnixVfs final : public Vfs {
 public:
  std::string_view name() const override { return "unix"; }

  Result<std::unique_ptr<VfsFile>> open(std::string_view path, const OpenFlags& flags) override {
    std::string name(path);
    bool temp = name.empty();
    if (temp) {
      // An anonymous temporary file, as SQLite's unixGetTempname.
      const char* dir = temp_dir();
      if (!dir) return Status(rc::kCantOpenNoTempDir);
      uint64_t r;
      randomness(&r, sizeof r);
      char buf[64];
      std::snprintf(buf, sizeof buf, "/etilqs_%016llx", static_cast<unsigned long long>(r));
      name = std::string(dir) + buf;
    }
    int oflags = flags.read_only ? O_RDONLY : O_RDWR;
    if (flags.create || temp) oflags |= O_CREAT;
    if ((flags.create && flags.exclusive) || temp) oflags |= O_EXCL;
    mode_t mode = create_mode_for(name, flags.kind);
    int fd = robust_open(name.c_str(), oflags, mode);
    bool read_only = flags.read_only;
    if (fd < 0) {
      int err = errno;
      if (err == EISDIR) return Status(rc::kCantOpenIsDir);
      bool new_journal =
          flags.create && (flags.kind == FileKind::kMainJournal || flags.kind == FileKind::kWal);
      if (new_journal && err == EACCES && ::access(name.c_str(), F_OK) != 0) {
        return Status(rc::kReadOnlyDirectory);
      }
      if (!flags.read_only && (err == EACCES || err == EROFS || err == EPERM)) {
        // Read/write refused: fall back to read-only, as SQLite does.
        fd = robust_open(name.c_str(), O_RDONLY, mode);
        read_only = true;
      }
      if (fd < 0) return Status(errno == EISDIR ? rc::kCantOpenIsDir : rc::kCantOpen);
    }
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return Status(rc::kCantOpen);
    }
    if (S_ISDIR(st.st_mode)) {
      ::close(fd);
      return Status(rc::kCantOpenIsDir);
    }
    // A delete-on-close file is unlinked at once; it lives until its fd closes.
    if (flags.delete_on_close || temp) ::unlink(name.c_str());
    // A newly created journal or WAL needs its directory entry made durable
    // on its first sync (os_unix.c's UNIXFILE_DIRSYNC).
    bool journal_like = flags.kind == FileKind::kMainJournal || flags.kind == FileKind::kWal ||
                        flags.kind == FileKind::kSuperJournal;
    bool dir_sync = flags.create && !flags.delete_on_close && !temp && journal_like;

    std::lock_guard<std::mutex> guard(unix_mutex());
    auto inode = acquire_inode(fd);
    if (!inode.ok()) {
      ::close(fd);
      return inode.take_status();
    }
    return std::unique_ptr<VfsFile>(new UnixFile(fd, std::move(name), *inode, read_only, dir_sync));
  }

  Status remove(std::string_view path, bool sync_dir) override {
    std::string name(path);
    if (::unlink(name.c_str()) != 0) {
      return Status(errno == ENOENT ? rc::kIoErrDeleteNoEnt : rc::kIoErrDelete);
    }
    if (sync_dir && fsync_dir(name) != 0) return Status(rc::kIoErrDirFsync);
    return Status::Ok();
  }

  // SQLITE_ACCESS_EXISTS: an empty regular file counts as absent, so a
  // zero-length journal left behind is never mistaken for a hot one.
  Result<bool> exists(std::string_view path) override {
    struct stat st;
    std::string name(path);
    if (::stat(name.c_str(), &st) != 0) return false;
    return !S_ISREG(st.st_mode) || st.st_size > 0;
  }

  Result<bool> is_writable(std::string_view path) override {
    std::string name(path);
    return ::access(name.c_str(), R_OK | W_OK) == 0;
  }

  Result<std::string> full_pathname(std::string_view path) override { return unix_full_pathname(path); }

  void randomness(void* buf, size_t n) override {
    auto* out = static_cast<unsigned char*>(buf);
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::getrandom(out + got, n - got, 0);
      if (r < 0) {
        if (errno == EINTR) continue;
        break;
      }
      got += static_cast<size_t>(r);
    }
    if (got < n) {
      int fd = robust_open("/dev/urandom", O_RDONLY, 0);
      while (fd >= 0 && got < n) {
        ssize_t r = ::read(fd, out + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += static_cast<size_t>(r);
      }
      if (fd >= 0) ::close(fd);
    }
    if (got < n) {
      // Last resort, as SQLite: time and pid. Weak, but never leaves garbage.
      uint64_t seed = static_cast<uint64_t>(std::time(nullptr)) * 6364136223846793005ull ^ ::getpid();
      for (; got < n; ++got) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        out[got] = static_cast<unsigned char>(seed >> 56);
      }
    }
  }

  void sleep_micros(int64_t micros) override {
    if (micros <= 0) return;
    struct timespec ts;
    ts.tv_sec = micros / 1000000;
    ts.tv_nsec = (micros % 1000000) * 1000;
    while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
  }

  int64_t current_time_ms() override {
    // Julian day number of the Unix epoch, in milliseconds (os_unix.c).
    static constexpr int64_t kUnixEpochMs = 24405875LL * 8640000LL;
    struct timeval tv;
    ::gettimeofday(&tv, nullptr);
    return kUnixEpochMs + 1000LL * tv.tv_sec + tv.tv_usec / 1000;
  }
};

}  // namespace

int robust_open(const char* path, int flags, mode_t mode) {
  // Never hand out fds 0..2: a stray write to stdout/stderr would then land
  // in the database (SQLite's robust_open does the same).
  for (;;) {
    int fd;
    do {
      fd = ::open(path, flags | O_CLOEXEC, mode);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0 || fd > 2) return fd;
    ::close(fd);
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd < 0) return -1;  // cannot fill the slot; give up
  }
}

mode_t create_mode_for(const std::string& path, FileKind kind) {
  std::string db = db_path_of(path, kind);
  if (!db.empty()) {
    struct stat st;
    if (::stat(db.c_str(), &st) == 0) return st.st_mode & 0777;
  }
  return 0644;
}

// --- UnixFile: byte I/O -----------------------------------------------------

Status UnixFile::read(void* buf, size_t n, uint64_t offset) {
  auto* out = static_cast<char*>(buf);
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd_, out + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status(rc::kIoErrRead);
    }
    if (r == 0) break;  // end of file
    got += static_cast<size_t>(r);
  }
  if (got < n) {
    std::memset(out + got, 0, n - got);
    return Status(rc::kIoErrShortRead);
  }
  return Status::Ok();
}

Status UnixFile::write(const void* buf, size_t n, uint64_t offset) {
  const auto* in = static_cast<const char*>(buf);
  size_t done = 0;
  while (done < n) {
    ssize_t w = ::pwrite(fd_, in + done, n - done, static_cast<off_t>(offset + done));
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOSPC || errno == EDQUOT) return Status(rc::kFull);
      return Status(rc::kIoErrWrite);
    }
    if (w == 0) return Status(rc::kFull);  // no progress: the device is full
    done += static_cast<size_t>(w);
  }
  return Status::Ok();
}

Status UnixFile::truncate(uint64_t size) {
  int r;
  do {
    r = ::ftruncate(fd_, static_cast<off_t>(size));
  } while (r != 0 && errno == EINTR);
  if (r != 0) return Status(rc::kIoErrTruncate);
  return Status::Ok();
}

Status UnixFile::sync(SyncFlags flags) {
  bool data_only = (static_cast<int>(flags) & static_cast<int>(SyncFlags::kDataOnly)) != 0;
  int r;
  do {
    r = data_only ? ::fdatasync(fd_) : ::fsync(fd_);
  } while (r != 0 && errno == EINTR);
  if (r != 0) return Status(rc::kIoErrFsync);
  if (dir_sync_pending_) {
    if (fsync_dir(path_) != 0) return Status(rc::kIoErrDirFsync);
    dir_sync_pending_ = false;
  }
  return Status::Ok();
}

Result<uint64_t> UnixFile::size() {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return Status(rc::kIoErrFstat);
  return static_cast<uint64_t>(st.st_size);
}

UnixFile::UnixFile(int fd, std::string path, InodeInfo* inode, bool read_only, bool dir_sync_pending)
    : fd_(fd),
      path_(std::move(path)),
      inode_(inode),
      read_only_(read_only),
      dir_sync_pending_(dir_sync_pending) {}

}  // namespace unix_detail

Vfs& default_vfs() {
  static unix_detail::UnixVfs* vfs = new unix_detail::UnixVfs();  // never destroyed: files may outlive main
  return *vfs;
}

}  // namespace keel::os
