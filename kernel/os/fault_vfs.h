// FaultVfs: a Vfs that wraps another and injects failures, for tests.
//
// Two tools, in the spirit of LevelDB's FaultInjectionTestEnv and SQLite's
// test_vfs / crash tests:
//
// 1. Nth-call failures. fail_nth(op, n) makes the n-th call of op (counted
//    from now, 1-based) fail with op's IOERR code — or every call from then
//    on, with persistent = true. A failed write/truncate changes nothing; a
//    failed read zero-fills the buffer. count(op) reports calls made.
//
// 2. Power cuts. The FaultVfs tracks, per file, what is durable (the bytes at
//    the last sync) and what is not (writes and truncates since). power_cut()
//    makes every file revert to its durable image; with tear = true it then
//    re-applies a random subset of the lost writes, 512-byte sector by sector
//    (and each lost truncate with probability 1/2), in their original order,
//    as a disk that had written some sectors when the power went. The choice
//    is drawn from a generator seeded at construction (or by set_seed()), so
//    a seed and a sequence of calls always give the same image.
//
//    Directory entries (the durability rule). Creating and deleting a file
//    change its directory, and those changes are lost in a power cut until
//    the directory is synced. A directory is synced by:
//      - remove(path, sync_dir = true)  — syncs path's directory;
//      - the first sync() of a file created through this VFS — it syncs the
//        file's directory too (what the unix VFS does for a new journal/WAL).
//    A directory sync makes every pending creation and deletion in that
//    directory durable. At a power cut, a file whose creation is not durable
//    disappears; a file whose deletion is not durable comes back with its
//    durable contents. Files that existed before this VFS saw them are
//    durable as found. Files opened with delete_on_close, or anonymous temp
//    files, are not tracked (they never outlive a crash anyway).
//
//    Handles opened before a power cut are dead afterwards, as in a restarted
//    process: their I/O, lock() and shm calls fail with an IOERR code, while
//    unlock() and shm_unmap() still work so that callers can clean up. Close
//    them before opening the files again (their locks are still held).
//
// Thread-safety: like every Vfs, safe to share between threads. Not a
// production VFS: every write reads back the bytes it overwrites.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "os/vfs.h"

namespace keel::os {

enum class FaultOp : int { kRead = 0, kWrite, kSync, kTruncate, kOpen };
inline constexpr int kFaultOpCount = 5;

// The code an injected failure of op returns by default: kIoErrRead,
// kIoErrWrite, kIoErrFsync, kIoErrTruncate, kCantOpen.
int default_fault_code(FaultOp op);

// One armed failure. Only calls on files of `only_kind` (when set) count.
struct FaultSpec {
  FaultOp op = FaultOp::kWrite;
  uint64_t n = 1;           // the n-th matching call from now fails (n >= 1)
  bool persistent = false;  // ... and every matching call after it
  int code = 0;             // 0: default_fault_code(op)
  std::optional<FileKind> only_kind;
};

class FaultVfs final : public Vfs {
 public:
  // base must outlive this VFS and every file opened through it.
  explicit FaultVfs(Vfs& base, uint64_t seed = 0);
  ~FaultVfs() override;
  FaultVfs(const FaultVfs&) = delete;
  FaultVfs& operator=(const FaultVfs&) = delete;

  // --- failures --------------------------------------------------------------
  // The n-th call of op from now (n >= 1) fails with code (0 = the default
  // for op); with persistent, so does every later call until clear_faults().
  void fail_nth(FaultOp op, uint64_t n, bool persistent = false, int code = 0);
  // Arms spec, replacing any failure armed for spec.op.
  void inject(const FaultSpec& spec);
  void clear_faults();
  // Calls of op through this VFS (including failed ones) since construction.
  uint64_t count(FaultOp op) const;
  // Calls of op that were failed by injection.
  uint64_t injected(FaultOp op) const;

  // --- power cuts ------------------------------------------------------------
  void set_seed(uint64_t seed);
  // Reverts every tracked file to its durable state (see the rule above);
  // with tear, re-applies a seeded random subset of the unsynced sectors.
  // Returns the first error met while rewriting files, if any.
  Status power_cut(bool tear = false);
  // Bytes written but not yet synced, summed over all tracked files.
  uint64_t unsynced_bytes() const;

  // --- Vfs -------------------------------------------------------------------
  std::string_view name() const override { return "fault"; }
  Result<std::unique_ptr<VfsFile>> open(std::string_view path, const OpenFlags& flags) override;
  Status remove(std::string_view path, bool sync_dir) override;
  Result<bool> exists(std::string_view path) override { return base_.exists(path); }
  Result<bool> is_writable(std::string_view path) override { return base_.is_writable(path); }
  Result<std::string> full_pathname(std::string_view path) override { return base_.full_pathname(path); }
  void randomness(void* buf, size_t n) override { base_.randomness(buf, n); }
  void sleep_micros(int64_t micros) override { base_.sleep_micros(micros); }
  int64_t current_time_ms() override { return base_.current_time_ms(); }

 private:
  friend class FaultFile;
  struct FileState;
  struct Fault {
    bool armed = false;
    FaultSpec spec;
    uint64_t seen = 0;    // matching calls since armed
    bool firing = false;  // persistent and already triggered
  };

  // Counts a call of op on a file of `kind` and returns the injected failure
  // code, or 0. Requires mu_.
  int tick_locked(FaultOp op, FileKind kind);
  void sync_directory_locked(const std::string& dir);
  std::shared_ptr<FileState> state_locked(const std::string& path);
  uint64_t next_random_locked();

  Vfs& base_;
  mutable std::mutex mu_;
  std::array<uint64_t, kFaultOpCount> counts_{};
  std::array<uint64_t, kFaultOpCount> injected_{};
  std::array<Fault, kFaultOpCount> faults_{};
  std::map<std::string, std::shared_ptr<FileState>> files_;  // by path; sorted for determinism
  uint64_t rng_state_ = 0;
  uint64_t generation_ = 0;  // bumped by power_cut(); older handles are dead
};

}  // namespace keel::os
