// Internals of the unix VFS, shared by unix_vfs.cpp (file I/O and the Vfs),
// unix_lock.cpp (the per-inode lock table) and unix_shm.cpp (the -shm file).
//
// Design note — why a process-wide inode table (SQLite's unixInodeInfo):
//
//   POSIX advisory locks belong to a (process, inode) pair, not to a file
//   descriptor. Two connections of one process opening the same database get
//   two fds but share one set of locks, so fcntl() alone can neither make them
//   exclude each other nor tell whose lock is whose. Worse, close() on ANY fd
//   of the inode drops ALL of the process's locks on it. Hence:
//
//   1. Every open UnixFile points at the InodeInfo of its (st_dev, st_ino);
//      the InodeInfo counts the connections of this process holding SHARED
//      (n_shared) or any lock (n_lock) and the strongest level held by any of
//      them (level). In-process conflicts are decided from these counts;
//      fcntl() is called only when the process-level state must change.
//   2. Invariant: at most one connection of the process is above SHARED, and
//      then inode.level equals that connection's level.
//   3. A UnixFile closed while n_lock > 0 does not close its fd: the fd is
//      parked in unused_fds and closed when n_lock drops to 0 (or the inode is
//      released), so the other connections keep their locks.
//   4. The wal-index (-shm) is per inode too (ShmNode): one fd and one mapping
//      per process, shared by all connections; each connection (ShmConn)
//      records the shm locks it holds as bit masks, and ShmNode::lock_count
//      aggregates them (0 free, -1 exclusive, n > 0 shared by n connections).
//
//   All of this state is guarded by one process-wide mutex (unix_mutex()).
//   No call made under it ever blocks on another process: every fcntl() is
//   F_SETLK or F_GETLK, never F_SETLKW.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "keel/status.hpp"
#include "os/vfs.h"

namespace keel::os::unix_detail {

// SQLite's lock bytes in the database file (os.h). They lie at 1 GiB so that
// they never hold data; a database larger than that simply skips the page
// that contains them.
inline constexpr off_t kPendingByte = 0x40000000;
inline constexpr off_t kReservedByte = kPendingByte + 1;
inline constexpr off_t kSharedFirst = kPendingByte + 2;
inline constexpr off_t kSharedSize = 510;

// -shm lock bytes (os_unix.c): slot i is byte kShmBase + i; the "dead man
// switch" byte follows the slots.
inline constexpr off_t kShmBase = (22 + kShmNLock) * 4;  // 120
inline constexpr off_t kShmDms = kShmBase + kShmNLock;   // 128

struct ShmNode;

struct InodeInfo {
  dev_t dev = 0;
  ino_t ino = 0;
  int n_ref = 0;                       // open UnixFile objects on this inode in this process
  int n_shared = 0;                    // of those, how many hold SHARED or more
  int n_lock = 0;                      // of those, how many hold any lock
  LockLevel level = LockLevel::kNone;  // strongest lock held by the process
  std::vector<int> unused_fds;         // fds whose close is deferred (rule 3)
  ShmNode* shm = nullptr;              // wal-index, while any connection maps it
};

struct ShmNode {
  InodeInfo* inode = nullptr;
  std::string path;  // "<db>-shm"
  int fd = -1;
  bool read_only = false;
  bool unlocked = false;       // read-only and the DMS handshake is still owed
  std::vector<char*> regions;  // each kShmRegionSize bytes, mmapped
  int n_ref = 0;               // ShmConn objects attached
  int lock_count[kShmNLock] = {};
};

// One connection's view of the wal-index (SQLite's unixShm).
struct ShmConn {
  ShmNode* node = nullptr;
  uint16_t shared_mask = 0;
  uint16_t excl_mask = 0;
};

// The mutex guarding every InodeInfo, ShmNode and ShmConn of the process.
std::mutex& unix_mutex();

// Finds or creates the InodeInfo of fd's inode and takes a reference.
// Requires unix_mutex(). rc::kIoErrFstat if fstat fails.
Result<InodeInfo*> acquire_inode(int fd);
// Drops a reference; at zero, closes parked fds and frees the InodeInfo.
// Requires unix_mutex().
void release_inode(InodeInfo* inode);

// open(2) with O_CLOEXEC, retried on EINTR, never returning fd 0, 1 or 2.
int robust_open(const char* path, int flags, mode_t mode);

// fcntl(F_SETLK) of [start, start+len) with type F_RDLCK/F_WRLCK/F_UNLCK,
// retried on EINTR. Returns 0 or an errno value.
int set_posix_lock(int fd, short type, off_t start, off_t len);

// The SQLite result for a failed lock call: BUSY for contention, else io_code.
int lock_errno_to_rc(int err, int io_code);

// The mode a new file should be created with: a journal, WAL or -shm takes
// the permissions of its database (as SQLite's findCreateFileMode).
mode_t create_mode_for(const std::string& path, FileKind kind);

// Absolute, normalized, symlink-resolved path (unix_path.cpp).
Result<std::string> unix_full_pathname(std::string_view path);

// A file of the unix VFS. I/O methods live in unix_vfs.cpp, lock methods in
// unix_lock.cpp, shm methods in unix_shm.cpp.
class UnixFile final : public VfsFile {
 public:
  // Takes ownership of fd; inode is already acquired for it.
  UnixFile(int fd, std::string path, InodeInfo* inode, bool read_only, bool dir_sync_pending);
  ~UnixFile() override;
  UnixFile(const UnixFile&) = delete;
  UnixFile& operator=(const UnixFile&) = delete;

  Status read(void* buf, size_t n, uint64_t offset) override;
  Status write(const void* buf, size_t n, uint64_t offset) override;
  Status truncate(uint64_t size) override;
  Status sync(SyncFlags flags) override;
  Result<uint64_t> size() override;

  Status lock(LockLevel level) override;
  Status unlock(LockLevel level) override;
  Result<bool> check_reserved_lock() override;
  LockLevel lock_level() const override { return level_; }

  Status shm_map(int region, bool extend, volatile void** out) override;
  Status shm_lock(int offset, int n, int flags) override;
  void shm_barrier() override;
  Status shm_unmap(bool delete_file) override;

  int sector_size() const override { return 4096; }
  int device_characteristics() const override { return kIoCapPowersafeOverwrite; }
  bool opened_read_only() const override { return read_only_; }

  const std::string& path() const { return path_; }

 private:
  Status unlock_locked(LockLevel level);       // requires unix_mutex()
  Status open_shm_locked();                    // requires unix_mutex()
  Status shm_handshake_locked(ShmNode* node);  // requires unix_mutex()
  void shm_release_locks_locked();             // requires unix_mutex()
  void shm_detach_locked(bool delete_file);    // requires unix_mutex()
  int shm_system_lock(ShmNode* node, short type, off_t start, off_t len);

  int fd_;
  std::string path_;
  InodeInfo* inode_;
  bool read_only_;
  bool dir_sync_pending_;  // fsync the directory on the next sync (new journal/WAL)
  LockLevel level_ = LockLevel::kNone;
  ShmConn* shm_ = nullptr;
};

}  // namespace keel::os::unix_detail
