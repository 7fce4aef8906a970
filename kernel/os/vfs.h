// The VFS: Keel's only door to files, locks, time and randomness.
//
// Modeled on sqlite3_vfs / sqlite3_io_methods so that the sqlite3 C shim can
// expose it (sqlite3_vfs_find) and so that locking interoperates with SQLite
// itself: the unix VFS takes the same POSIX advisory locks on the same bytes
// (PENDING 0x40000000, RESERVED +1, SHARED range +2..+511) and, for WAL, the
// same -shm layout and lock slots, so a Keel process and an sqlite3 process
// exclude each other correctly.
//
// Implementations: unix_vfs (real files), memory_vfs (named in-memory files,
// for ":memory:" and tests), fault_vfs (wraps another VFS and injects errors
// and power cuts, for tests).
//
// Thread-safety: a Vfs is shared by all connections and is thread-safe. A
// VfsFile is used by one connection at a time (the pager serializes access).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "keel/status.hpp"

namespace keel::os {

// File-lock levels, SQLite's: a file moves NONE -> SHARED -> RESERVED ->
// (PENDING) -> EXCLUSIVE and back down.
enum class LockLevel : int { kNone = 0, kShared = 1, kReserved = 2, kPending = 3, kExclusive = 4 };

// What a file is for; decides sync and locking policy, as SQLITE_OPEN_*_DB etc.
enum class FileKind : int {
  kMainDb,
  kMainJournal,
  kWal,
  kTempDb,
  kTempJournal,
  kSubJournal,
  kSuperJournal,
  kTransientDb
};

struct OpenFlags {
  bool read_only = false;
  bool create = false;
  bool exclusive = false;  // with create: fail if it exists
  bool delete_on_close = false;
  FileKind kind = FileKind::kMainDb;
};

enum class SyncFlags : int { kNormal = 2, kFull = 3, kDataOnly = 0x10 };

// Flags for shm_lock(): exactly one of kLock/kUnlock, and one of kShared/kExclusive.
enum ShmLockFlags : int { kShmUnlock = 1, kShmLock = 2, kShmShared = 4, kShmExclusive = 8 };
inline constexpr int kShmNLock = 8;           // lock slots in the -shm file, as SQLite
inline constexpr int kShmRegionSize = 32768;  // bytes per wal-index region

// Device characteristics (subset of SQLITE_IOCAP_*), used by the pager to
// decide what it may skip.
enum IoCap : int {
  kIoCapAtomic = 0x1,
  kIoCapSafeAppend = 0x200,
  kIoCapSequential = 0x400,
  kIoCapPowersafeOverwrite = 0x1000,
};

class VfsFile {
 public:
  virtual ~VfsFile() = default;

  // Reads n bytes at offset. A read past end of file zero-fills the rest of
  // buf and returns rc::kIoErrShortRead (the pager treats that as "page
  // beyond EOF", not as an error).
  virtual Status read(void* buf, size_t n, uint64_t offset) = 0;
  virtual Status write(const void* buf, size_t n, uint64_t offset) = 0;
  virtual Status truncate(uint64_t size) = 0;
  virtual Status sync(SyncFlags flags) = 0;
  virtual Result<uint64_t> size() = 0;

  // Advisory file locks. lock() only ever raises the level, unlock() only
  // lowers it (to kShared or kNone). A conflicting holder yields rc::kBusy;
  // no call here ever waits — busy handling is the pager's job.
  virtual Status lock(LockLevel level) = 0;
  virtual Status unlock(LockLevel level) = 0;
  // True if any connection (this process or another) holds RESERVED or higher.
  virtual Result<bool> check_reserved_lock() = 0;
  virtual LockLevel lock_level() const = 0;

  // Shared memory for the WAL index (the -shm file of the unix VFS). Region i
  // covers bytes [i*kShmRegionSize, (i+1)*kShmRegionSize). With extend=false a
  // region that does not exist yet yields *out = nullptr and OK. As SQLite's
  // xShmMap: a -shm that could only be opened read-only maps read-only and
  // returns rc::kReadOnly with *out set; rc::kReadOnlyCantInit if no other
  // process has it open (so its contents cannot be trusted); rc::kBusy if
  // another process is initializing it. A fresh region reads as zeros
  // (the first 3 bytes of region 0 excepted: see os/README.md).
  //
  // shm_lock: slot offset..offset+n-1 (n == 1 for shared locks). Locks are
  // per connection; a conflicting holder in this or another process yields
  // rc::kBusy. Locking a slot already held, or unlocking one not held, is a
  // no-op. shm_unmap releases the connection's remaining shm locks, and with
  // delete_file removes the -shm if this was its last user in the process.
  virtual Status shm_map(int region, bool extend, volatile void** out) = 0;
  virtual Status shm_lock(int offset, int n, int flags) = 0;
  virtual void shm_barrier() = 0;
  virtual Status shm_unmap(bool delete_file) = 0;

  virtual int sector_size() const { return 4096; }
  virtual int device_characteristics() const { return 0; }

  // True if the file was opened read-only: asked for, or because read/write
  // access was refused and the VFS fell back to read-only, as SQLite does
  // (SQLITE_OPEN_READONLY in the output flags). Writes would then fail.
  virtual bool opened_read_only() const { return false; }
};

class Vfs {
 public:
  virtual ~Vfs() = default;

  virtual std::string_view name() const = 0;

  // Opens (or creates) a file. rc::kCantOpen family on failure. An empty path
  // opens an anonymous temporary file (deleted on close). A file opened read/
  // write where only reading is permitted opens read-only instead (see
  // VfsFile::opened_read_only), as SQLite; a new journal or WAL in a
  // directory that refuses it is rc::kReadOnlyDirectory.
  virtual Result<std::unique_ptr<VfsFile>> open(std::string_view path, const OpenFlags& flags) = 0;
  // Deletes a file; with sync_dir, fsyncs the directory afterwards so the
  // deletion is durable (journal commit point in DELETE mode).
  virtual Status remove(std::string_view path, bool sync_dir) = 0;
  // SQLITE_ACCESS_EXISTS: true if path exists and is not an empty regular
  // file (a zero-length journal is never hot).
  virtual Result<bool> exists(std::string_view path) = 0;
  // SQLITE_ACCESS_READWRITE: the file exists and may be read and written.
  virtual Result<bool> is_writable(std::string_view path) = 0;
  // Absolute, normalized path (journal/WAL names derive from it).
  virtual Result<std::string> full_pathname(std::string_view path) = 0;

  virtual void randomness(void* buf, size_t n) = 0;
  virtual void sleep_micros(int64_t micros) = 0;
  // Milliseconds since the Julian epoch (noon UTC, 4714-11-24 BC), as
  // sqlite3_vfs.xCurrentTimeInt64.
  virtual int64_t current_time_ms() = 0;
};

// The process-wide default VFS ("unix").
Vfs& default_vfs();
// A process-wide in-memory VFS ("memdb"); files live until deleted.
Vfs& memory_vfs();

}  // namespace keel::os
