// The services the pager hands its journal mode (ext::PagerHost): database
// page I/O through the codec, file size and sync, locks with the busy
// handler, and cache invalidation.
#include <cstring>

#include "storage/pager/pager_internal.h"

namespace keel::storage {

namespace {

std::span<const std::byte> cbytes(const uint8_t* p, size_t n) {
  return {reinterpret_cast<const std::byte*>(p), n};
}
std::span<std::byte> wbytes(uint8_t* p, size_t n) { return {reinterpret_cast<std::byte*>(p), n}; }

os::LockLevel to_os(ext::DbLock l) {
  switch (l) {
    case ext::DbLock::kNone:
      return os::LockLevel::kNone;
    case ext::DbLock::kShared:
      return os::LockLevel::kShared;
    case ext::DbLock::kReserved:
      return os::LockLevel::kReserved;
    case ext::DbLock::kExclusive:
      return os::LockLevel::kExclusive;
  }
  return os::LockLevel::kNone;
}

}  // namespace

// --- ext::PagerHost ---------------------------------------------------------

Status Pager::Impl::encode_page(ext::PageNo page, std::span<const std::byte> in, std::span<std::byte> out) {
  return codec->encode(page, in, out);
}

Status Pager::Impl::decode_page(ext::PageNo page, std::span<const std::byte> in, std::span<std::byte> out) {
  return codec->decode(page, in, out);
}

Status Pager::Impl::read_db_raw(ext::PageNo page, std::span<std::byte> out) {
  Status s = db->read(out.data(), out.size(), uint64_t{page - 1} * page_size_);
  if (s.code() == rc::kIoErrShortRead) return Status::Ok();  // zero-filled beyond EOF
  return s;
}

Status Pager::Impl::read_db_page(ext::PageNo page, std::span<std::byte> out) {
  Status s = db->read(scratch.data(), page_size_, uint64_t{page - 1} * page_size_);
  if (s.code() == rc::kIoErrShortRead) {
    // Past the end of the file: a page of zeros, not passed through the
    // codec (there is nothing encoded to decode). A partial last page (a
    // file cut short) still goes through it, zero-filled.
    bool all_zero = true;
    for (uint32_t i = 0; i < page_size_ && all_zero; ++i) all_zero = scratch[i] == 0;
    if (all_zero) {
      std::memset(out.data(), 0, out.size());
      return Status::Ok();
    }
    s = Status::Ok();
  }
  KEEL_RETURN_IF_ERROR(s);
  return codec->decode(page, cbytes(scratch.data(), page_size_), out);
}

Status Pager::Impl::write_db_raw(ext::PageNo page, std::span<const std::byte> encoded) {
  if (page == pending_page) return Status(rc::kCorrupt, "database disk image is malformed");
  return db->write(encoded.data(), encoded.size(), uint64_t{page - 1} * page_size_);
}

Status Pager::Impl::write_db_page(ext::PageNo page, std::span<const std::byte> image) {
  KEEL_RETURN_IF_ERROR(codec->encode(page, image, wbytes(scratch.data(), page_size_)));
  return write_db_raw(page, cbytes(scratch.data(), page_size_));
}

Result<ext::PageNo> Pager::Impl::db_file_pages() {
  KEEL_ASSIGN_OR_RETURN(uint64_t size, db->size());
  return static_cast<ext::PageNo>((size + page_size_ - 1) / page_size_);
}

Status Pager::Impl::truncate_db_file(ext::PageNo pages) { return db->truncate(uint64_t{pages} * page_size_); }

Status Pager::Impl::sync_db_file() {
  if (sync == SyncLevel::kOff) return Status::Ok();
  return db->sync(os::SyncFlags::kNormal);
}

Status Pager::Impl::lock_db(ext::DbLock level, bool wait) {
  os::LockLevel want = to_os(level);
  if (db->lock_level() >= want) return Status::Ok();
  for (int attempt = 0;; ++attempt) {
    Status s = db->lock(want);
    if (s.ok() || !s.is(rc::kBusy) || !wait || !busy(attempt)) return s;
  }
}

Status Pager::Impl::unlock_db(ext::DbLock level) {
  os::LockLevel want = to_os(level);
  if (db->lock_level() <= want) return Status::Ok();
  return db->unlock(want);
}

ext::DbLock Pager::Impl::db_lock() const {
  switch (db->lock_level()) {
    case os::LockLevel::kNone:
      return ext::DbLock::kNone;
    case os::LockLevel::kShared:
      return ext::DbLock::kShared;
    case os::LockLevel::kReserved:
      return ext::DbLock::kReserved;
    case os::LockLevel::kPending:
    case os::LockLevel::kExclusive:
      return ext::DbLock::kExclusive;
  }
  return ext::DbLock::kNone;
}

bool Pager::Impl::busy(int attempts) { return attempts >= 0 && busy_handler && busy_handler(attempts); }

}  // namespace keel::storage
