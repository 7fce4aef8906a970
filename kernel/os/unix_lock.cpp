// Database-file locking for the unix VFS, byte for byte os_unix.c's POSIX
// advisory-lock protocol, so Keel and SQLite processes exclude each other.
//
// Lock bytes (see unix_vfs_internal.h): PENDING 0x40000000, RESERVED +1,
// SHARED range +2 .. +511 (510 bytes).
//
//   SHARED     read-lock PENDING, read-lock the SHARED range, drop PENDING.
//              (Taking PENDING first means a writer holding PENDING keeps new
//              readers out while it waits for old readers to leave.)
//   RESERVED   write-lock RESERVED (requires SHARED).
//   PENDING    write-lock PENDING; only ever an intermediate step of
//              EXCLUSIVE, never requested by callers.
//   EXCLUSIVE  write-lock PENDING (if not held), then write-lock the SHARED
//              range. If that fails the connection stays at PENDING and gets
//              BUSY: new readers are held off, and a retry finishes the job
//              once the old readers are gone.
//   unlock to SHARED  read-lock the SHARED range, unlock PENDING+RESERVED.
//   unlock to NONE    unlock the whole file once no connection of the
//                     process holds SHARED any more.
//
// In-process arbitration uses the InodeInfo counts (unix_vfs_internal.h,
// rules 1-3); fcntl() sees the process as a single holder.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "os/unix_vfs_internal.h"

namespace keel::os::unix_detail {
namespace {

std::map<std::pair<dev_t, ino_t>, InodeInfo*>& inode_table() {
  static auto* table = new std::map<std::pair<dev_t, ino_t>, InodeInfo*>();
  return *table;
}

void close_unused_fds(InodeInfo* inode) {
  for (int fd : inode->unused_fds) ::close(fd);
  inode->unused_fds.clear();
}

}  // namespace

std::mutex& unix_mutex() {
  static auto* mutex = new std::mutex();
  return *mutex;
}

Result<InodeInfo*> acquire_inode(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status(rc::kIoErrFstat);
  auto key = std::make_pair(st.st_dev, st.st_ino);
  auto& table = inode_table();
  auto it = table.find(key);
  InodeInfo* inode;
  if (it == table.end()) {
    inode = new InodeInfo();
    inode->dev = st.st_dev;
    inode->ino = st.st_ino;
    table.emplace(key, inode);
  } else {
    inode = it->second;
  }
  inode->n_ref++;
  return inode;
}

void release_inode(InodeInfo* inode) {
  if (--inode->n_ref > 0) return;
  close_unused_fds(inode);
  inode_table().erase(std::make_pair(inode->dev, inode->ino));
  delete inode;
}

int set_posix_lock(int fd, short type, off_t start, off_t len) {
  struct flock fl = {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = start;
  fl.l_len = len;
  int r;
  do {
    r = ::fcntl(fd, F_SETLK, &fl);
  } while (r != 0 && errno == EINTR);
  return r == 0 ? 0 : errno;
}

int lock_errno_to_rc(int err, int io_code) {
  switch (err) {
    case EACCES:
    case EAGAIN:
    case ETIMEDOUT:
    case EBUSY:
    case EINTR:
    case ENOLCK:
      return rc::kBusy;
    case EPERM:
      return rc::kPerm;
    default:
      return io_code;
  }
}

Status UnixFile::lock(LockLevel level) {
  if (level_ >= level) return Status::Ok();
  assert(level != LockLevel::kPending && "PENDING is never requested explicitly");
  assert((level_ != LockLevel::kNone || level == LockLevel::kShared) && "NONE may only rise to SHARED");
  assert((level != LockLevel::kReserved || level_ == LockLevel::kShared) && "RESERVED requires SHARED");
  if (level == LockLevel::kPending) level = LockLevel::kExclusive;

  std::lock_guard<std::mutex> guard(unix_mutex());
  InodeInfo* inode = inode_;

  // Another connection of this process holds a lock that precludes this one.
  if (level_ != inode->level && (inode->level >= LockLevel::kPending || level > LockLevel::kShared)) {
    return Status(rc::kBusy);
  }

  // SHARED while the process already holds SHARED or RESERVED: just count it.
  if (level == LockLevel::kShared &&
      (inode->level == LockLevel::kShared || inode->level == LockLevel::kReserved)) {
    level_ = LockLevel::kShared;
    inode->n_shared++;
    inode->n_lock++;
    return Status::Ok();
  }

  // PENDING comes first, for SHARED (briefly) and for EXCLUSIVE.
  if (level == LockLevel::kShared || (level == LockLevel::kExclusive && level_ < LockLevel::kPending)) {
    short type = level == LockLevel::kShared ? F_RDLCK : F_WRLCK;
    if (int err = set_posix_lock(fd_, type, kPendingByte, 1)) {
      return Status(lock_errno_to_rc(err, rc::kIoErrLock));
    }
    if (level == LockLevel::kExclusive) {
      level_ = LockLevel::kPending;
      inode->level = LockLevel::kPending;
    }
  }

  if (level == LockLevel::kShared) {
    int rcode = rc::kOk;
    if (int err = set_posix_lock(fd_, F_RDLCK, kSharedFirst, kSharedSize)) {
      rcode = lock_errno_to_rc(err, rc::kIoErrLock);
    }
    if (set_posix_lock(fd_, F_UNLCK, kPendingByte, 1) != 0 && rcode == rc::kOk) rcode = rc::kIoErrUnlock;
    if (rcode != rc::kOk) return Status(rcode);
    level_ = LockLevel::kShared;
    inode->level = LockLevel::kShared;
    inode->n_lock++;
    inode->n_shared = 1;
    return Status::Ok();
  }

  if (level == LockLevel::kExclusive && inode->n_shared > 1) {
    // Another connection of this process still reads; stay at PENDING.
    return Status(rc::kBusy);
  }

  // RESERVED or EXCLUSIVE, from SHARED or more.
  off_t start = level == LockLevel::kReserved ? kReservedByte : kSharedFirst;
  off_t len = level == LockLevel::kReserved ? 1 : kSharedSize;
  if (int err = set_posix_lock(fd_, F_WRLCK, start, len)) {
    return Status(lock_errno_to_rc(err, rc::kIoErrLock));
  }
  level_ = level;
  inode->level = level;
  return Status::Ok();
}

Status UnixFile::unlock(LockLevel level) {
  assert(level <= LockLevel::kShared && "unlock() only lowers to SHARED or NONE");
  std::lock_guard<std::mutex> guard(unix_mutex());
  return unlock_locked(level);
}

Status UnixFile::unlock_locked(LockLevel level) {
  if (level_ <= level) return Status::Ok();
  InodeInfo* inode = inode_;
  Status status;
  if (level_ > LockLevel::kShared) {
    if (level == LockLevel::kShared) {
      // Cannot fail unless another process ignores the protocol; SQLite
      // reports that as IOERR_RDLOCK rather than a confusing BUSY.
      if (set_posix_lock(fd_, F_RDLCK, kSharedFirst, kSharedSize) != 0) return Status(rc::kIoErrRdLock);
    }
    if (set_posix_lock(fd_, F_UNLCK, kPendingByte, 2) != 0) return Status(rc::kIoErrUnlock);
    inode->level = LockLevel::kShared;
  }
  if (level == LockLevel::kNone) {
    if (--inode->n_shared == 0) {
      if (set_posix_lock(fd_, F_UNLCK, 0, 0) != 0) status = Status(rc::kIoErrUnlock);
      inode->level = LockLevel::kNone;
    }
    if (--inode->n_lock == 0) close_unused_fds(inode);
  }
  level_ = level;
  return status;
}

Result<bool> UnixFile::check_reserved_lock() {
  std::lock_guard<std::mutex> guard(unix_mutex());
  if (inode_->level > LockLevel::kShared) return true;
  struct flock fl = {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = kReservedByte;
  fl.l_len = 1;
  int r;
  do {
    r = ::fcntl(fd_, F_GETLK, &fl);
  } while (r != 0 && errno == EINTR);
  if (r != 0) return Status(rc::kIoErrCheckReservedLock);
  return fl.l_type != F_UNLCK;
}

UnixFile::~UnixFile() {
  std::lock_guard<std::mutex> guard(unix_mutex());
  shm_detach_locked(false);
  unlock_locked(LockLevel::kNone).ignore();
  if (inode_->n_lock > 0) {
    // Closing now would drop the locks other connections of this process
    // hold on the inode: park the fd until the last lock is gone.
    inode_->unused_fds.push_back(fd_);
  } else {
    ::close(fd_);
  }
  release_inode(inode_);
}

}  // namespace keel::os::unix_detail
