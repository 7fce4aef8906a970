#include "storage/pager/sub_journal.h"

#include <cstdio>
#include <vector>

#include "base/bytes.h"
#include "storage/pager/mem_file.h"

namespace keel::storage {

Status SubJournal::append(uint32_t pgno, const uint8_t* encoded, uint32_t page_size) {
  if (!file_) file_ = std::make_unique<MemFile>();
  uint64_t rec = uint64_t{page_size} + 4;
  uint64_t off = records_ * rec;
  if (!on_disk_ && !memory_only_ && off + rec > kSpillBytes) KEEL_RETURN_IF_ERROR(move_to_disk(page_size));
  uint8_t head[4];
  put_u32(head, pgno);
  KEEL_RETURN_IF_ERROR(file_->write(head, 4, off));
  KEEL_RETURN_IF_ERROR(file_->write(encoded, page_size, off + 4));
  ++records_;
  return Status::Ok();
}

Status SubJournal::read(uint64_t index, uint32_t* pgno, uint8_t* encoded, uint32_t page_size) {
  uint64_t off = index * (uint64_t{page_size} + 4);
  uint8_t head[4];
  KEEL_RETURN_IF_ERROR(file_->read(head, 4, off));
  *pgno = get_u32(head);
  return file_->read(encoded, page_size, off + 4);
}

void SubJournal::clear() {
  // An in-memory journal is emptied but kept: most statements journal a few
  // pages, and reallocating its buffer each time showed in profiles.
  if (file_ && !on_disk_) {
    file_->truncate(0).ignore();
  } else {
    file_.reset();
  }
  on_disk_ = false;
  records_ = 0;
}

Status SubJournal::move_to_disk(uint32_t page_size) {
  uint32_t nonce = 0;
  vfs_.randomness(&nonce, sizeof nonce);
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, "-stmt%08x", nonce);
  os::OpenFlags flags;
  flags.create = true;
  flags.exclusive = true;
  flags.delete_on_close = true;
  flags.kind = os::FileKind::kSubJournal;
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<os::VfsFile> disk, vfs_.open(temp_base_ + suffix, flags));
  uint64_t bytes = records_ * (uint64_t{page_size} + 4);
  std::vector<uint8_t> chunk(64 * 1024);
  for (uint64_t at = 0; at < bytes; at += chunk.size()) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(chunk.size(), bytes - at));
    KEEL_RETURN_IF_ERROR(file_->read(chunk.data(), n, at));
    KEEL_RETURN_IF_ERROR(disk->write(chunk.data(), n, at));
  }
  file_ = std::move(disk);
  on_disk_ = true;
  return Status::Ok();
}

}  // namespace keel::storage
