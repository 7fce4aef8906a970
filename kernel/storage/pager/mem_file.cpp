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

Status MemFile::write(const void* buf, size_t n, uint64_t offset) {
  const auto* in = static_cast<const uint8_t*>(buf);
  uint64_t end = offset + n;
  size_t need = static_cast<size_t>((end + kChunk - 1) / kChunk);
  while (chunks_.size() < need) {
    chunks_.push_back(std::make_unique<uint8_t[]>(kChunk));  // zero-filled
  }
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
    size_t keep = static_cast<size_t>((size + kChunk - 1) / kChunk);
    chunks_.resize(keep);
    // Bytes past the new end inside the last chunk must read back as zeros
    // if the file grows again.
    if (size % kChunk != 0 && !chunks_.empty()) {
      size_t from = static_cast<size_t>(size % kChunk);
      std::memset(chunks_.back().get() + from, 0, kChunk - from);
    }
  }
  size_t need = static_cast<size_t>((size + kChunk - 1) / kChunk);
  while (chunks_.size() < need) chunks_.push_back(std::make_unique<uint8_t[]>(kChunk));
  size_ = size;
  return Status::Ok();
}

}  // namespace keel::storage
