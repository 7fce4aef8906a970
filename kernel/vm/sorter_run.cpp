// Sorter storage: the record arena of a batch, and sorted runs written to
// and read back from temp files in large sequential chunks.
//
// A run is a sequence of varint(length) + record bytes (sorter_internal.h).
// The reader trusts nothing it reads: a length that is zero, overruns the
// run, or a varint cut off by the run's end is rc::kCorrupt.
#include <algorithm>
#include <cstring>
#include <new>

#include "base/varint.h"
#include "keel/result_code.hpp"
#include "vm/sorter_internal.h"

namespace keel::vm::sorter {

// --- RecordArena ----------------------------------------------------------------

bool RecordArena::new_block(std::vector<Block>& list, size_t size) {
  uint8_t* p = new (std::nothrow) uint8_t[size];
  if (p == nullptr) return false;
  list.push_back(Block{std::unique_ptr<uint8_t[]>(p), size});
  meter_.add(size);
  return true;
}

uint8_t* RecordArena::alloc(size_t n) {
  if (n > max_block_ / 4) {
    if (!new_block(own_, n)) return nullptr;
    return own_.back().mem.get();
  }
  // Move on to the first kept block with room, or add a block twice the
  // size of the last one.
  while (cur_ < blocks_.size() && used_ + n > blocks_[cur_].size) {
    cur_++;
    used_ = 0;
  }
  if (cur_ == blocks_.size()) {
    size_t size = blocks_.empty() ? kFirstArenaBlock : 2 * blocks_.back().size;
    size = std::max(std::min(size, max_block_), n);
    if (!new_block(blocks_, size)) return nullptr;
  }
  uint8_t* p = blocks_[cur_].mem.get() + used_;
  used_ += n;
  return p;
}

void RecordArena::clear() {
  for (auto& b : own_) meter_.sub(b.size);
  own_.clear();
  cur_ = 0;
  used_ = 0;
}

void RecordArena::release() {
  clear();
  for (auto& b : blocks_) meter_.sub(b.size);
  blocks_.clear();
}

// --- TempFile -------------------------------------------------------------------

Status TempFile::open_if_needed() {
  if (file_) return Status::Ok();
  os::OpenFlags flags;
  flags.create = true;
  flags.delete_on_close = true;
  flags.kind = os::FileKind::kTempJournal;
  KEEL_ASSIGN_OR_RETURN(file_, vfs_.open("", flags));
  return Status::Ok();
}

// --- RunWriter ------------------------------------------------------------------

RunWriter::RunWriter(size_t chunk, MemoryMeter& meter) : buf_(chunk), meter_(meter) { meter_.add(chunk); }

RunWriter::~RunWriter() { meter_.sub(buf_.size()); }

void RunWriter::start(os::VfsFile* file, uint64_t offset) {
  file_ = file;
  pos_ = offset;
  fill_ = 0;
  run_start_ = offset;
}

Status RunWriter::flush() {
  if (fill_ == 0) return Status::Ok();
  KEEL_RETURN_IF_ERROR(file_->write(buf_.data(), fill_, pos_));
  pos_ += fill_;
  written_ += fill_;
  fill_ = 0;
  return Status::Ok();
}

Status RunWriter::put(const uint8_t* p, size_t n) {
  while (n > 0) {
    if (fill_ == buf_.size()) KEEL_RETURN_IF_ERROR(flush());
    size_t k = std::min(n, buf_.size() - fill_);
    std::memcpy(buf_.data() + fill_, p, k);
    fill_ += k;
    p += k;
    n -= k;
  }
  return Status::Ok();
}

Status RunWriter::add(const uint8_t* rec, uint32_t len) {
  uint8_t hdr[kMaxVarintLen];
  int hl = put_varint(hdr, len);
  KEEL_RETURN_IF_ERROR(put(hdr, static_cast<size_t>(hl)));
  return put(rec, len);
}

Status RunWriter::end_run(RunExtent* out) {
  KEEL_RETURN_IF_ERROR(flush());
  out->start = run_start_;
  out->end = pos_;
  run_start_ = pos_;
  return Status::Ok();
}

// --- RunReader ------------------------------------------------------------------

RunReader::RunReader(os::VfsFile* file, RunExtent extent, size_t chunk, MemoryMeter& meter)
    : file_(file), fpos_(extent.start), end_(extent.end), buf_(chunk), meter_(meter) {
  meter_.add(chunk);
}

RunReader::~RunReader() { meter_.sub(buf_.size()); }

Status RunReader::fill(size_t need) {
  if (hi_ - lo_ >= need) return Status::Ok();
  if (unread() < need) return Status(rc::kCorrupt);
  // Slide the unread tail to the front, grow for an oversized record, then
  // read as much of the run as the buffer holds.
  if (lo_ > 0) {
    std::memmove(buf_.data(), buf_.data() + lo_, hi_ - lo_);
    hi_ -= lo_;
    lo_ = 0;
  }
  if (need > buf_.size()) {
    meter_.add(need - buf_.size());
    buf_.resize(need);
  }
  size_t want = static_cast<size_t>(std::min<uint64_t>(buf_.size() - hi_, end_ - fpos_));
  KEEL_RETURN_IF_ERROR(file_->read(buf_.data() + hi_, want, fpos_));
  fpos_ += want;
  hi_ += want;
  return Status::Ok();
}

Status RunReader::advance(const RecordOrder& order) {
  if (cache_.src != nullptr) cache_.src = nullptr;  // the record it describes goes away
  if (unread() == 0) {
    eof_ = true;
    return Status::Ok();
  }
  KEEL_RETURN_IF_ERROR(fill(static_cast<size_t>(std::min<uint64_t>(kMaxVarintLen, unread()))));
  uint64_t len;
  const uint8_t* p = buf_.data() + lo_;
  int vl = p[0] < 0x80 ? (len = p[0], 1) : get_varint_bounded(p, buf_.data() + hi_, &len);
  if (vl == 0) return Status(rc::kCorrupt);
  lo_ += static_cast<size_t>(vl);
  if (len == 0 || len > 0xffffffffu || len > unread()) return Status(rc::kCorrupt);
  KEEL_RETURN_IF_ERROR(fill(static_cast<size_t>(len)));
  key_ = order.make_key(buf_.data() + lo_, static_cast<uint32_t>(len));
  lo_ += static_cast<size_t>(len);
  return Status::Ok();
}

// --- MemorySource ---------------------------------------------------------------

Status MemorySource::advance(const RecordOrder&) {
  if (next_ >= keys_.size()) {
    eof_ = true;
    return Status::Ok();
  }
  key_ = keys_[next_++];
  // Arena records are distinct addresses, so the cache keyed by address
  // stays correct without clearing.
  return Status::Ok();
}

}  // namespace keel::vm::sorter
