// The wal-index shared memory of the unix VFS: os_unix.c's unixShm*.
//
// Layout of "<db>-shm": regions of kShmRegionSize (32 KiB) bytes, each
// mmapped MAP_SHARED. The WAL layer owns the contents. The unix VFS owns
// nine lock bytes inside the first region, which SQLite's wal-index header
// leaves unused for this purpose:
//
//   byte 120 + i (i = 0..7)  shm lock slot i: WAL_WRITE_LOCK 0, CKPT 1,
//                            RECOVER 2, READ(0..4) 3..7 — the WAL decides
//   byte 128                 DMS, the "dead man switch"
//
// DMS handshake (unixLockSharedMemory), done when a process first opens the
// -shm: if another process holds a write lock on DMS, BUSY (it is still
// initializing); if nobody holds any lock on DMS, this process is the first:
// it write-locks DMS, truncates the file (to 3 bytes, as SQLite: a debugging
// aid that makes legitimate truncation recognizable) so that stale contents
// left by a crash are never trusted, then downgrades to a read lock. If some
// process already holds DMS shared, the contents are live: keep them. The
// read lock on DMS is held for as long as the process keeps the -shm open.
//
// In-process: every connection attaches a ShmConn to the inode's ShmNode;
// ShmNode::lock_count arbitrates between connections of the process and
// fcntl() is called only on transitions of the process-level state.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "os/unix_vfs_internal.h"

namespace keel::os::unix_detail {

int UnixFile::shm_system_lock(ShmNode* node, short type, off_t start, off_t len) {
  if (node->fd < 0) return rc::kOk;
  return set_posix_lock(node->fd, type, start, len) == 0 ? rc::kOk : rc::kBusy;
}

Status UnixFile::shm_handshake_locked(ShmNode* node) {
  struct flock fl = {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = kShmDms;
  fl.l_len = 1;
  int r;
  do {
    r = ::fcntl(node->fd, F_GETLK, &fl);
  } while (r != 0 && errno == EINTR);
  if (r != 0) return Status(rc::kIoErrLock);
  if (fl.l_type == F_WRLCK) return Status(rc::kBusy);
  if (fl.l_type == F_UNLCK) {
    if (node->read_only) {
      node->unlocked = true;
      return Status(rc::kReadOnlyCantInit);
    }
    if (int code = shm_system_lock(node, F_WRLCK, kShmDms, 1)) return Status(code);
    int t;
    do {
      t = ::ftruncate(node->fd, 3);
    } while (t != 0 && errno == EINTR);
    if (t != 0) return Status(rc::kIoErrShmOpen);
  }
  if (int code = shm_system_lock(node, F_RDLCK, kShmDms, 1)) return Status(code);
  node->unlocked = false;
  return Status::Ok();
}

Status UnixFile::open_shm_locked() {
  ShmNode* node = inode_->shm;
  if (node == nullptr) {
    node = new ShmNode();
    node->inode = inode_;
    node->path = path_ + "-shm";
    struct stat st;
    mode_t mode = ::fstat(fd_, &st) == 0 ? (st.st_mode & 0777) : 0644;
    // Read/write even for a read-only database connection (a WAL reader may
    // have to rebuild the index); read-only only if that is refused.
    int fd = robust_open(node->path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW, mode);
    if (fd < 0) {
      fd = robust_open(node->path.c_str(), O_RDONLY | O_NOFOLLOW, mode);
      node->read_only = true;
    }
    if (fd < 0) {
      delete node;
      return Status(rc::kCantOpen);
    }
    node->fd = fd;
    Status st2 = shm_handshake_locked(node);
    if (!st2.ok() && st2.code() != rc::kReadOnlyCantInit) {
      ::close(fd);
      delete node;
      return st2;
    }
    inode_->shm = node;
  }
  shm_ = new ShmConn();
  shm_->node = node;
  node->n_ref++;
  return Status::Ok();
}

Status UnixFile::shm_map(int region, bool extend, volatile void** out) {
  *out = nullptr;
  if (region < 0) return Status(rc::kIoErrShmMap);
  std::lock_guard<std::mutex> guard(unix_mutex());
  if (shm_ == nullptr) KEEL_RETURN_IF_ERROR(open_shm_locked());
  ShmNode* node = shm_->node;
  if (node->unlocked) KEEL_RETURN_IF_ERROR(shm_handshake_locked(node));

  size_t want = static_cast<size_t>(region) + 1;
  if (node->regions.size() < want) {
    struct stat st;
    if (::fstat(node->fd, &st) != 0) return Status(rc::kIoErrShmSize);
    off_t need = static_cast<off_t>(want) * kShmRegionSize;
    if (st.st_size < need) {
      if (!extend) return Status::Ok();  // not allocated yet: *out stays null
      // Write one byte at the end of every new 4 KiB page rather than just
      // ftruncate: the blocks get allocated now, so a full disk shows up
      // here as an error instead of a SIGBUS on first touch of the mapping.
      constexpr off_t kPage = 4096;
      for (off_t pg = st.st_size / kPage; pg < need / kPage; ++pg) {
        ssize_t w;
        do {
          w = ::pwrite(node->fd, "", 1, pg * kPage + kPage - 1);
        } while (w < 0 && errno == EINTR);
        if (w != 1) return Status(rc::kIoErrShmSize);
      }
    }
    while (node->regions.size() < want) {
      int prot = node->read_only ? PROT_READ : PROT_READ | PROT_WRITE;
      off_t at = static_cast<off_t>(node->regions.size()) * kShmRegionSize;
      void* mem = ::mmap(nullptr, kShmRegionSize, prot, MAP_SHARED, node->fd, at);
      if (mem == MAP_FAILED) return Status(rc::kIoErrShmMap);
      node->regions.push_back(static_cast<char*>(mem));
    }
  }
  *out = node->regions[static_cast<size_t>(region)];
  // SQLite's contract: a read-only mapping is usable but says so.
  if (node->read_only) return Status(rc::kReadOnly);
  return Status::Ok();
}

Status UnixFile::shm_lock(int offset, int n, int flags) {
  assert(offset >= 0 && n >= 1 && offset + n <= kShmNLock);
  assert(flags == (kShmLock | kShmShared) || flags == (kShmLock | kShmExclusive) ||
         flags == (kShmUnlock | kShmShared) || flags == (kShmUnlock | kShmExclusive));
  assert(n == 1 || (flags & kShmExclusive));
  if (offset < 0 || n < 1 || offset + n > kShmNLock) return Status(rc::kIoErrShmLock);
  std::lock_guard<std::mutex> guard(unix_mutex());
  if (shm_ == nullptr) return Status(rc::kIoErrShmLock);
  ShmNode* node = shm_->node;
  int* count = node->lock_count;
  uint16_t mask = static_cast<uint16_t>((1u << (offset + n)) - (1u << offset));

  if (flags & kShmUnlock) {
    if (((shm_->excl_mask | shm_->shared_mask) & mask) == 0) return Status::Ok();
    bool release = true;
    if (flags & kShmShared) {
      // Other connections of this process may share this slot.
      if (count[offset] > 1) {
        release = false;
        count[offset]--;
        shm_->shared_mask &= ~mask;
      }
    }
    if (release) {
      if (int code = shm_system_lock(node, F_UNLCK, kShmBase + offset, n)) return Status(code);
      for (int i = offset; i < offset + n; ++i) count[i] = 0;
      shm_->shared_mask &= ~mask;
      shm_->excl_mask &= ~mask;
    }
    return Status::Ok();
  }

  if (flags & kShmShared) {
    if (shm_->shared_mask & mask) return Status::Ok();  // already held
    if (count[offset] < 0) return Status(rc::kBusy);
    if (count[offset] == 0) {
      if (int code = shm_system_lock(node, F_RDLCK, kShmBase + offset, 1)) return Status(code);
    }
    shm_->shared_mask |= mask;
    count[offset]++;
    return Status::Ok();
  }

  // Exclusive: no other connection of this process may hold any of the slots.
  if ((shm_->excl_mask & mask) == mask) return Status::Ok();
  for (int i = offset; i < offset + n; ++i) {
    if (count[i] != 0) return Status(rc::kBusy);
  }
  if (int code = shm_system_lock(node, F_WRLCK, kShmBase + offset, n)) return Status(code);
  shm_->excl_mask |= mask;
  for (int i = offset; i < offset + n; ++i) count[i] = -1;
  return Status::Ok();
}

void UnixFile::shm_barrier() {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  // Taking the mutex also orders this against other threads' shm calls.
  std::lock_guard<std::mutex> guard(unix_mutex());
}

void UnixFile::shm_release_locks_locked() {
  ShmNode* node = shm_->node;
  for (int i = 0; i < kShmNLock; ++i) {
    uint16_t bit = static_cast<uint16_t>(1u << i);
    if (shm_->excl_mask & bit) {
      shm_system_lock(node, F_UNLCK, kShmBase + i, 1);
      node->lock_count[i] = 0;
    } else if (shm_->shared_mask & bit) {
      if (--node->lock_count[i] == 0) shm_system_lock(node, F_UNLCK, kShmBase + i, 1);
    }
  }
  shm_->excl_mask = 0;
  shm_->shared_mask = 0;
}

Status UnixFile::shm_unmap(bool delete_file) {
  std::lock_guard<std::mutex> guard(unix_mutex());
  shm_detach_locked(delete_file);
  return Status::Ok();
}

void UnixFile::shm_detach_locked(bool delete_file) {
  if (shm_ == nullptr) return;
  // SQLite's WAL unlocks before unmapping; release anything left so the
  // counts of the other connections stay exact.
  shm_release_locks_locked();
  ShmNode* node = shm_->node;
  delete shm_;
  shm_ = nullptr;
  if (--node->n_ref > 0) return;
  if (delete_file && node->fd >= 0) ::unlink(node->path.c_str());
  for (char* region : node->regions) ::munmap(region, kShmRegionSize);
  if (node->fd >= 0) ::close(node->fd);  // also drops the DMS read lock
  node->inode->shm = nullptr;
  delete node;
}

}  // namespace keel::os::unix_detail
