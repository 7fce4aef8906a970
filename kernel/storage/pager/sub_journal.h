// SubJournal: the savepoint (statement) journal. While savepoints are open,
// the pager appends the image a page had when the newest savepoint opened,
// before that page is first changed (or spilled) under it; rolling back to a
// savepoint replays its records into the cache. Records are
// [page number (4, big-endian)][page image, codec-encoded]. Kept in memory
// until it outgrows kSpillBytes (SQLite's SQLITE_STMTJRNL_SPILL), then moved to
// a temporary file that is deleted on close.
//
// Thread-safety: none (one pager).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "os/vfs.h"

namespace keel::storage {

class SubJournal {
 public:
  static constexpr uint64_t kSpillBytes = 64 * 1024;

  // temp_base: path prefix for the temporary file; memory_only: never spill.
  SubJournal(os::Vfs& vfs, std::string temp_base, bool memory_only)
      : vfs_(vfs), temp_base_(std::move(temp_base)), memory_only_(memory_only) {}

  uint64_t records() const { return records_; }
  bool on_disk() const { return on_disk_; }
  Status append(uint32_t pgno, const uint8_t* encoded, uint32_t page_size);
  Status read(uint64_t index, uint32_t* pgno, uint8_t* encoded, uint32_t page_size);
  // Drops everything (and the temporary file).
  void clear();

 private:
  Status move_to_disk(uint32_t page_size);

  os::Vfs& vfs_;
  std::string temp_base_;
  bool memory_only_;
  std::unique_ptr<os::VfsFile> file_;
  bool on_disk_ = false;
  uint64_t records_ = 0;
};

}  // namespace keel::storage
