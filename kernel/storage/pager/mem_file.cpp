#include "storage/pager/mem_file.h"

#include <algorithm>
#include <cstring>

namespace keel::storage {

Status MemFile::read(void* buf, size_t n, uint64_t offset) {
  auto* out = static_cast<uint8_t*>(buf);
  size_t avail = offset >= size_ ? 0 : static_cast<size_t>(std::min<uint64_t>(n, size_ - offset));
  size_t done = 0;
  while (done < avail) {
    uint64_t pos = offset + done;
    size_t in_chunk = static_cast<size_t>(pos % kChunk);
    size_t len = std::min(avail - done, kChunk - in_chunk);
    std::memcpy(out + done, chunks_[pos / kChunk].get() + in_chunk, len);
    done += len;
  }
  if (avail < n) {
    std::memset(out + avail, 0, n - avail);
    return Status(rc::kIoErrShortRead);
  }
  return Status::Ok();
}

// Invariant: bytes [0, size_) are the file; chunk bytes at or past size_
// are unspecified (chunks are allocated without zeroing, and kept across a
// truncate so that a file emptied and refilled — a statement journal —
// allocates nothing). Growing the file zero-fills the gap it opens.
void MemFile::grow_to(uint64_t end) {
  size_t need = static_cast<size_t>((end + kChunk - 1) / kChunk);
  while (chunks_.size() < need) chunks_.push_back(std::make_unique_for_overwrite<uint8_t[]>(kChunk));
}

void MemFile::zero(uint64_t from, uint64_t to) {
  while (from < to) {
    size_t in_chunk = static_cast<size_t>(from % kChunk);
    size_t len = static_cast<size_t>(std::min<uint64_t>(to - from, kChunk - in_chunk));
    std::memset(chunks_[from / kChunk].get() + in_chunk, 0, len);
    from += len;
  }
}

Status MemFile::write(const void* buf, size_t n, uint64_t offset) {
  const auto* in = static_cast<const uint8_t*>(buf);
  uint64_t end = offset + n;
  grow_to(end);
  if (offset > size_) zero(size_, offset);
  size_t done = 0;
  while (done < n) {
    uint64_t pos = offset + done;
    size_t in_chunk = static_cast<size_t>(pos % kChunk);
    size_t len = std::min(n - done, kChunk - in_chunk);
    std::memcpy(chunks_[pos / kChunk].get() + in_chunk, in + done, len);
    done += len;
  }
  size_ = std::max(size_, end);
  return Status::Ok();
}

Status MemFile::truncate(uint64_t size) {
  if (size < size_) {
    // Keep the first chunk for reuse; free the rest.
    size_t keep = std::max<size_t>(static_cast<size_t>((size + kChunk - 1) / kChunk), 1);
    if (chunks_.size() > keep) chunks_.resize(keep);
  } else if (size > size_) {
    grow_to(size);
    zero(size_, size);
  }
  size_ = size;
  return Status::Ok();
}

}  // namespace keel::storage
