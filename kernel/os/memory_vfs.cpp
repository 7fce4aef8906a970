// The memory VFS ("memdb"): named files held on the heap, shared process-wide.
//
// Two connections opening the same name see the same bytes and contend for
// the same locks, exactly as two connections of one process on a real file
// would under the unix VFS: the lock protocol below is os_unix.c's, with the
// fcntl() byte ranges replaced by owner fields of the shared file:
//
//   n_shared   connections holding SHARED or more (the SHARED range readers)
//   reserved   the connection holding RESERVED   (the RESERVED byte)
//   pending    the connection holding PENDING    (the PENDING byte)
//   exclusive  the connection holding EXCLUSIVE  (the SHARED range writer)
//
//   SHARED    BUSY if another connection holds PENDING or EXCLUSIVE.
//   RESERVED  BUSY if another connection holds RESERVED, PENDING or EXCLUSIVE.
//   EXCLUSIVE takes PENDING (BUSY if another connection holds it), then BUSY
//             — staying at PENDING — while any other connection holds SHARED.
//
// The wal-index lives with the file: regions of kShmRegionSize on the heap,
// shm locks arbitrated exactly as the unix VFS does between connections of
// one process. The regions are freed when the last connection unmaps, as a
// -shm file is truncated when its last user goes away.
//
// Names are opaque (no directories): full_pathname() returns its argument.
// Files are capped at 1 GiB, as memdb's default: writes beyond are
// SQLITE_FULL. A file lives until remove() (or its last close, for delete_on_close); a
// removed file stays readable through handles already open, like unlink().
#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "os/vfs.h"

namespace keel::os {
namespace {

// Largest file the VFS holds, as SQLite's memdb (SQLITE_MEMDB_DEFAULT_MAXSIZE):
// growing past it is SQLITE_FULL.
constexpr uint64_t kMaxFileSize = uint64_t{1} << 30;

class MemFile;

struct MemNode {
  std::mutex mu;  // guards every field below and the bytes
  std::string name;
  std::vector<unsigned char> data;
  int open_handles = 0;
  bool delete_on_close = false;
  bool linked = true;  // still reachable by name

  int n_shared = 0;
  const MemFile* reserved = nullptr;
  const MemFile* pending = nullptr;
  const MemFile* exclusive = nullptr;

  std::vector<std::unique_ptr<char[]>> regions;
  int shm_refs = 0;
  int shm_count[kShmNLock] = {};  // 0 free, -1 exclusive, n shared
};

class MemRegistry {
 public:
  std::mutex mu;
  std::map<std::string, std::shared_ptr<MemNode>, std::less<>> files;
};

MemRegistry& registry() {
  static auto* r = new MemRegistry();
  return *r;
}

class MemFile final : public VfsFile {
 public:
  MemFile(std::shared_ptr<MemNode> node, bool read_only) : node_(std::move(node)), read_only_(read_only) {}

  ~MemFile() override {
    {
      std::lock_guard<std::mutex> guard(node_->mu);
      detach_shm_locked();
    }
    unlock(LockLevel::kNone).ignore();
    bool drop = false;
    {
      std::lock_guard<std::mutex> guard(node_->mu);
      drop = --node_->open_handles == 0 && node_->delete_on_close && node_->linked;
    }
    if (drop) {
      std::lock_guard<std::mutex> reg_guard(registry().mu);
      auto it = registry().files.find(node_->name);
      if (it != registry().files.end() && it->second == node_) registry().files.erase(it);
      node_->linked = false;
    }
  }

  Status read(void* buf, size_t n, uint64_t offset) override {
    std::lock_guard<std::mutex> guard(node_->mu);
    auto* out = static_cast<unsigned char*>(buf);
    uint64_t size = node_->data.size();
    size_t avail = offset >= size ? 0 : static_cast<size_t>(std::min<uint64_t>(n, size - offset));
    if (avail) std::memcpy(out, node_->data.data() + offset, avail);
    if (avail < n) {
      std::memset(out + avail, 0, n - avail);
      return Status(rc::kIoErrShortRead);
    }
    return Status::Ok();
  }

  Status write(const void* buf, size_t n, uint64_t offset) override {
    if (read_only_) return Status(rc::kIoErrWrite);
    // The heap is the disk: a write past the cap is a full disk, not an
    // allocation of whatever size a damaged journal header names.
    if (offset > kMaxFileSize || n > kMaxFileSize - offset) return Status(rc::kFull);
    std::lock_guard<std::mutex> guard(node_->mu);
    if (offset + n > node_->data.size()) node_->data.resize(offset + n);
    if (n) std::memcpy(node_->data.data() + offset, buf, n);
    return Status::Ok();
  }

  Status truncate(uint64_t size) override {
    if (read_only_) return Status(rc::kIoErrTruncate);
    if (size > kMaxFileSize) return Status(rc::kFull);
    std::lock_guard<std::mutex> guard(node_->mu);
    node_->data.resize(size);
    return Status::Ok();
  }

  Status sync(SyncFlags) override { return Status::Ok(); }

  Result<uint64_t> size() override {
    std::lock_guard<std::mutex> guard(node_->mu);
    return static_cast<uint64_t>(node_->data.size());
  }

  Status lock(LockLevel level) override {
    if (level_ >= level) return Status::Ok();
    assert(level != LockLevel::kPending && "PENDING is never requested explicitly");
    assert((level_ != LockLevel::kNone || level == LockLevel::kShared) && "NONE may only rise to SHARED");
    std::lock_guard<std::mutex> guard(node_->mu);
    MemNode& f = *node_;
    auto other = [this](const MemFile* owner) { return owner != nullptr && owner != this; };
    switch (level) {
      case LockLevel::kShared:
        if (other(f.pending) || other(f.exclusive)) return Status(rc::kBusy);
        f.n_shared++;
        level_ = LockLevel::kShared;
        return Status::Ok();
      case LockLevel::kReserved:
        if (other(f.reserved) || other(f.pending) || other(f.exclusive)) return Status(rc::kBusy);
        f.reserved = this;
        level_ = LockLevel::kReserved;
        return Status::Ok();
      default:  // EXCLUSIVE (PENDING is never requested on its own)
        if (other(f.pending) || other(f.exclusive)) return Status(rc::kBusy);
        f.pending = this;
        level_ = LockLevel::kPending;
        if (f.n_shared > 1) return Status(rc::kBusy);  // readers remain: stay PENDING
        f.exclusive = this;
        level_ = LockLevel::kExclusive;
        return Status::Ok();
    }
  }

  Status unlock(LockLevel level) override {
    assert(level <= LockLevel::kShared && "unlock() only lowers to SHARED or NONE");
    if (level_ <= level) return Status::Ok();
    std::lock_guard<std::mutex> guard(node_->mu);
    MemNode& f = *node_;
    if (f.reserved == this) f.reserved = nullptr;
    if (f.pending == this) f.pending = nullptr;
    if (f.exclusive == this) f.exclusive = nullptr;
    if (level == LockLevel::kNone) f.n_shared--;
    level_ = level;
    return Status::Ok();
  }

  Result<bool> check_reserved_lock() override {
    std::lock_guard<std::mutex> guard(node_->mu);
    return node_->reserved != nullptr || node_->pending != nullptr || node_->exclusive != nullptr;
  }

  LockLevel lock_level() const override { return level_; }

  Status shm_map(int region, bool extend, volatile void** out) override {
    *out = nullptr;
    if (region < 0) return Status(rc::kIoErrShmMap);
    std::lock_guard<std::mutex> guard(node_->mu);
    if (!shm_attached_) {
      shm_attached_ = true;
      node_->shm_refs++;
    }
    auto want = static_cast<size_t>(region) + 1;
    if (node_->regions.size() < want) {
      if (!extend) return Status::Ok();
      while (node_->regions.size() < want) {
        node_->regions.push_back(std::make_unique<char[]>(kShmRegionSize));  // zeroed
      }
    }
    *out = node_->regions[static_cast<size_t>(region)].get();
    return Status::Ok();
  }

  Status shm_lock(int offset, int n, int flags) override {
    assert(offset >= 0 && n >= 1 && offset + n <= kShmNLock);
    if (offset < 0 || n < 1 || offset + n > kShmNLock) return Status(rc::kIoErrShmLock);
    std::lock_guard<std::mutex> guard(node_->mu);
    if (!shm_attached_) return Status(rc::kIoErrShmLock);
    int* count = node_->shm_count;
    auto mask = static_cast<uint16_t>((1u << (offset + n)) - (1u << offset));
    if (flags & kShmUnlock) {
      for (int i = offset; i < offset + n; ++i) {
        uint16_t bit = static_cast<uint16_t>(1u << i);
        if (excl_mask_ & bit) {
          count[i] = 0;
        } else if (shared_mask_ & bit) {
          count[i]--;
        }
      }
      excl_mask_ &= ~mask;
      shared_mask_ &= ~mask;
      return Status::Ok();
    }
    if (flags & kShmShared) {
      if (shared_mask_ & mask) return Status::Ok();
      if (count[offset] < 0) return Status(rc::kBusy);
      count[offset]++;
      shared_mask_ |= mask;
      return Status::Ok();
    }
    if ((excl_mask_ & mask) == mask) return Status::Ok();
    for (int i = offset; i < offset + n; ++i) {
      if (count[i] != 0) return Status(rc::kBusy);
    }
    for (int i = offset; i < offset + n; ++i) count[i] = -1;
    excl_mask_ |= mask;
    return Status::Ok();
  }

  void shm_barrier() override {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    std::lock_guard<std::mutex> guard(node_->mu);
  }

  Status shm_unmap(bool) override {
    std::lock_guard<std::mutex> guard(node_->mu);
    detach_shm_locked();
    return Status::Ok();
  }

  int sector_size() const override { return 1024; }
  bool opened_read_only() const override { return read_only_; }
  int device_characteristics() const override {
    return kIoCapAtomic | kIoCapPowersafeOverwrite | kIoCapSafeAppend | kIoCapSequential;
  }

 private:
  void detach_shm_locked() {
    if (!shm_attached_) return;
    for (int i = 0; i < kShmNLock; ++i) {
      uint16_t bit = static_cast<uint16_t>(1u << i);
      if (excl_mask_ & bit) node_->shm_count[i] = 0;
      if (shared_mask_ & bit) node_->shm_count[i]--;
    }
    excl_mask_ = shared_mask_ = 0;
    shm_attached_ = false;
    if (--node_->shm_refs == 0) node_->regions.clear();
  }

  std::shared_ptr<MemNode> node_;
  bool read_only_;
  LockLevel level_ = LockLevel::kNone;
  bool shm_attached_ = false;
  uint16_t shared_mask_ = 0;
  uint16_t excl_mask_ = 0;
};

class MemoryVfs final : public Vfs {
 public:
  std::string_view name() const override { return "memdb"; }

  Result<std::unique_ptr<VfsFile>> open(std::string_view path, const OpenFlags& flags) override {
    std::shared_ptr<MemNode> node;
    if (path.empty()) {
      // Anonymous temporary file: never reachable by name.
      node = std::make_shared<MemNode>();
      node->linked = false;
    } else {
      std::lock_guard<std::mutex> guard(registry().mu);
      auto it = registry().files.find(path);
      if (it != registry().files.end()) {
        if (flags.create && flags.exclusive) return Status(rc::kCantOpen);
        node = it->second;
      } else {
        if (!flags.create) return Status(rc::kCantOpen);
        node = std::make_shared<MemNode>();
        node->name = std::string(path);
        registry().files.emplace(node->name, node);
      }
    }
    {
      std::lock_guard<std::mutex> guard(node->mu);
      node->open_handles++;
      if (flags.delete_on_close) node->delete_on_close = true;
    }
    return std::unique_ptr<VfsFile>(new MemFile(std::move(node), flags.read_only));
  }

  Status remove(std::string_view path, bool) override {
    std::shared_ptr<MemNode> node;
    {
      std::lock_guard<std::mutex> guard(registry().mu);
      auto it = registry().files.find(path);
      if (it == registry().files.end()) return Status(rc::kIoErrDeleteNoEnt);
      node = it->second;
      registry().files.erase(it);
    }
    std::lock_guard<std::mutex> guard(node->mu);
    node->linked = false;
    return Status::Ok();
  }

  // As the unix VFS: an empty file counts as absent (SQLITE_ACCESS_EXISTS).
  Result<bool> exists(std::string_view path) override {
    std::shared_ptr<MemNode> node;
    {
      std::lock_guard<std::mutex> guard(registry().mu);
      auto it = registry().files.find(path);
      if (it == registry().files.end()) return false;
      node = it->second;
    }
    std::lock_guard<std::mutex> guard(node->mu);
    return !node->data.empty();
  }

  Result<bool> is_writable(std::string_view path) override {
    std::lock_guard<std::mutex> guard(registry().mu);
    return registry().files.count(path) != 0;
  }

  Result<std::string> full_pathname(std::string_view path) override { return std::string(path); }

  void randomness(void* buf, size_t n) override { default_vfs().randomness(buf, n); }
  void sleep_micros(int64_t micros) override { default_vfs().sleep_micros(micros); }
  int64_t current_time_ms() override { return default_vfs().current_time_ms(); }
};

}  // namespace

Vfs& memory_vfs() {
  static auto* vfs = new MemoryVfs();
  return *vfs;
}

}  // namespace keel::os
