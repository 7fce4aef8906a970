// MemFile: a VfsFile that lives in process memory. The pager uses it for
// journal_mode=MEMORY journals and for savepoint sub-journals until they grow
// past their spill threshold. Stored in fixed-size chunks so that appending
// never copies what is already written.
//
// Thread-safety: none (one pager). Locks and shared memory are not supported:
// lock() always succeeds, shm_* fail with rc::kIoErr.
#pragma once

#include <memory>
#include <vector>

#include "os/vfs.h"

namespace keel::storage {

class MemFile final : public os::VfsFile {
 public:
  MemFile() = default;

  Status read(void* buf, size_t n, uint64_t offset) override;
  Status write(const void* buf, size_t n, uint64_t offset) override;
  Status truncate(uint64_t size) override;
  Status sync(os::SyncFlags) override { return Status::Ok(); }
  Result<uint64_t> size() override { return size_; }

  Status lock(os::LockLevel level) override {
    level_ = level;
    return Status::Ok();
  }
  Status unlock(os::LockLevel level) override {
    level_ = level;
    return Status::Ok();
  }
  Result<bool> check_reserved_lock() override { return false; }
  os::LockLevel lock_level() const override { return level_; }

  Status shm_map(int, bool, volatile void**) override { return Status(rc::kIoErr, "no shared memory"); }
  Status shm_lock(int, int, int) override { return Status(rc::kIoErr, "no shared memory"); }
  void shm_barrier() override {}
  Status shm_unmap(bool) override { return Status::Ok(); }

 private:
  void grow_to(uint64_t end);
  void zero(uint64_t from, uint64_t to);

  static constexpr size_t kChunk = 64 * 1024;
  std::vector<std::unique_ptr<uint8_t[]>> chunks_;
  uint64_t size_ = 0;
  os::LockLevel level_ = os::LockLevel::kNone;
};

}  // namespace keel::storage
