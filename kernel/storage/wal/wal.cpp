// Wal::open and the read path: reading the wal-index header, taking a read
// mark, and finding pages in the log. See wal_internal.h for the design note.
#include <algorithm>
#include <cstring>

#include "storage/wal/wal_internal.h"

namespace keel::storage {

Result<std::unique_ptr<Wal>> Wal::open(os::Vfs& vfs, os::VfsFile& db_file, std::string wal_path,
                                       uint32_t page_size) {
  if (!wal::valid_page_size(page_size)) {
    return Status(rc::kMisuse, "invalid WAL page size " + std::to_string(page_size));
  }
  os::OpenFlags flags;
  flags.create = true;
  flags.kind = os::FileKind::kWal;
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<os::VfsFile> file, vfs.open(wal_path, flags));
  std::unique_ptr<Wal> w(new wal::WalImpl(vfs, db_file, std::move(wal_path), std::move(file), page_size));
  return w;
}

namespace wal {

WalImpl::WalImpl(os::Vfs& vfs, os::VfsFile& db_file, std::string wal_path,
                 std::unique_ptr<os::VfsFile> wal_file, uint32_t page_size)
    : vfs_(vfs),
      db_file_(db_file),
      wal_path_(std::move(wal_path)),
      wal_file_(std::move(wal_file)),
      page_size_(page_size),
      index_(db_file) {
  read_only_ = wal_file_->opened_read_only();
  int dc = db_file_.device_characteristics();
  if (dc & os::kIoCapSequential) sync_header_ = false;
  if (dc & os::kIoCapPowersafeOverwrite) pad_to_sector_ = false;
}

WalImpl::~WalImpl() {
  if (wal_file_) {
    end_read();
    index_.unmap(false).ignore();
  }
}

// SQLite's walIndexTryHdr: returns true when the header is unusable.
bool WalImpl::try_header(bool* changed) {
  IndexHeader h;
  if (!index_.try_read_header(&h)) return true;
  if (std::memcmp(&hdr_, &h, sizeof h) != 0) {
    *changed = true;
    hdr_ = h;
  }
  return false;
}

// SQLite's walIndexReadHdr: load a consistent header into hdr_, taking the
// WRITE lock and running recovery when the lock-free read fails.
Status WalImpl::read_index_header(bool* changed) {
  uint8_t* page0 = nullptr;
  KEEL_RETURN_IF_ERROR(index_.map(0, write_lock_, &page0));
  bool bad = page0 ? try_header(changed) : true;
  if (bad && index_.read_only()) {
    // Cannot rebuild a read-only index: SQLITE_READONLY_RECOVERY if no
    // writer is in the middle of updating it (else busy: try again).
    KEEL_RETURN_IF_ERROR(index_.lock_shared(kWriteLock));
    index_.unlock_shared(kWriteLock);
    return Status(rc::kReadOnlyRecovery, "attempt to write a readonly database");
  }
  if (bad) {
    bool had_write = write_lock_;
    if (!had_write) {
      KEEL_RETURN_IF_ERROR(index_.lock_exclusive(kWriteLock, 1));
      write_lock_ = true;
    }
    Status st = index_.map(0, true, &page0);
    if (st.ok()) {
      // Still bad while no writer can be active: the header is corrupt or
      // was never written; rebuild it from the log.
      if (try_header(changed)) {
        st = recover();
        *changed = true;
      }
    }
    if (!had_write) {
      write_lock_ = false;
      index_.unlock_exclusive(kWriteLock, 1);
    }
    KEEL_RETURN_IF_ERROR(st);
  }
  if (hdr_.version != kIndexVersion) return Status(rc::kCantOpen, "unable to open database file");
  return Status::Ok();
}

// SQLite's walTryBeginRead, without the snapshot and heap-memory variants.
Status WalImpl::try_begin_read(bool* changed, bool use_wal, int attempt, bool* retry) {
  *retry = false;
  if (attempt > 5) {
    if (attempt > 100) return Status(rc::kProtocol, "locking protocol");
    int delay = attempt >= 10 ? (attempt - 9) * (attempt - 9) * 39 : 1;
    vfs_.sleep_micros(delay);
  }
  if (!use_wal) {
    Status st = read_index_header(changed);
    if (st.is(rc::kBusy)) {
      // Another connection is writing or recovering the index.
      if (index_.region0() == nullptr) {
        *retry = true;
        return Status::Ok();
      }
      Status rs = index_.lock_shared(kRecoverLock);
      if (rs.ok()) {
        index_.unlock_shared(kRecoverLock);
        *retry = true;
        return Status::Ok();
      }
      if (rs.is(rc::kBusy)) return Status(rc::kBusyRecovery, "database is locked");
      return rs;
    }
    KEEL_RETURN_IF_ERROR(st);
  }

  CkptInfo* info = index_.ckpt();
  if (!use_wal && shm_load(&info->n_backfill) == hdr_.max_frame) {
    // Everything in the log is in the database file: read it alone.
    Status st = index_.lock_shared(read_lock_slot(0));
    index_.barrier();
    if (st.ok()) {
      if (!index_.header_is(hdr_)) {
        index_.unlock_shared(read_lock_slot(0));
        *retry = true;
        return Status::Ok();
      }
      read_lock_ = 0;
      return Status::Ok();
    }
    if (!st.is(rc::kBusy)) return st;
  }

  // Use the largest read mark <= max_frame; set a fresher one if possible.
  uint32_t mx_mark = 0;
  int mx_i = 0;
  const uint32_t mx_frame = hdr_.max_frame;
  for (int i = 1; i < kNumReaders; i++) {
    uint32_t m = shm_load(&info->read_mark[i]);
    if (mx_mark <= m && m <= mx_frame) {
      mx_mark = m;
      mx_i = i;
    }
  }
  if (!index_.read_only() && (mx_mark < mx_frame || mx_i == 0)) {
    for (int i = 1; i < kNumReaders; i++) {
      Status st = index_.lock_exclusive(read_lock_slot(i), 1);
      if (st.ok()) {
        shm_store(&info->read_mark[i], mx_frame);
        mx_mark = mx_frame;
        mx_i = i;
        index_.unlock_exclusive(read_lock_slot(i), 1);
        break;
      }
      if (!st.is(rc::kBusy)) return st;
    }
  }
  if (mx_i == 0) {
    if (index_.read_only()) return Status(rc::kReadOnlyCantInit, "attempt to write a readonly database");
    *retry = true;  // every slot busy being set by someone else
    return Status::Ok();
  }
  Status st = index_.lock_shared(read_lock_slot(mx_i));
  if (!st.ok()) {
    if (!st.is(rc::kBusy)) return st;
    *retry = true;
    return Status::Ok();
  }
  // Now that the lock is held the mark cannot move; check that neither the
  // mark nor the header changed between reading them and locking.
  min_frame_ = shm_load(&info->n_backfill) + 1;
  index_.barrier();
  if (shm_load(&info->read_mark[mx_i]) != mx_mark || !index_.header_is(hdr_)) {
    index_.unlock_shared(read_lock_slot(mx_i));
    *retry = true;
    return Status::Ok();
  }
  read_lock_ = mx_i;
  return Status::Ok();
}

Status WalImpl::begin_read(bool* changed) {
  assert(read_lock_ < 0 && "begin_read inside a read transaction");
  *changed = false;
  if (read_lock_ >= 0) return Status(rc::kMisuse, "read transaction already open");
  bool retry = false;
  int attempt = 0;
  do {
    KEEL_RETURN_IF_ERROR(try_begin_read(changed, false, ++attempt, &retry));
  } while (retry);
  return Status::Ok();
}

void WalImpl::end_read() {
  end_write();
  if (read_lock_ >= 0) {
    index_.unlock_shared(read_lock_slot(read_lock_));
    read_lock_ = -1;
  }
}

Result<uint32_t> WalImpl::find_frame(PageNo page_no) {
  if (read_lock_ < 0) return Status(rc::kMisuse, "no read transaction");
  if (read_lock_ == 0 || hdr_.max_frame == 0) return uint32_t{0};
  uint32_t frame = 0;
  KEEL_RETURN_IF_ERROR(index_.find(page_no, min_frame_, hdr_.max_frame, &frame));
  return frame;
}

Status WalImpl::read_frame(uint32_t frame, std::span<uint8_t> out) {
  uint32_t sz = hdr_page_size();
  if (frame == 0 || frame > hdr_.max_frame || !valid_page_size(sz)) {
    return Status(rc::kCorrupt, "database disk image is malformed");
  }
  size_t n = std::min<size_t>(out.size(), sz);
  return wal_file_->read(out.data(), n, frame_offset(frame, sz) + kFrameHeaderSize);
}

PageNo WalImpl::db_size() const { return read_lock_ >= 0 ? hdr_.n_page : 0; }

uint32_t WalImpl::page_size() const { return hdr_.max_frame ? hdr_page_size() : 0; }

}  // namespace wal
}  // namespace keel::storage
