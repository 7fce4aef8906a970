// The write path: the WRITE lock, appending frames, publishing commits, log
// restart, undo and savepoints. See wal_internal.h for the design note.
#include <cstring>

#include "base/bytes.h"
#include "storage/wal/wal_internal.h"

namespace keel::storage::wal {

Status WalImpl::begin_write() {
  assert(read_lock_ >= 0 && !write_lock_);
  if (read_lock_ < 0) return Status(rc::kMisuse, "write transaction outside a read transaction");
  if (write_lock_) return Status::Ok();
  if (read_only_ || index_.read_only()) return Status(rc::kReadOnly, "attempt to write a readonly database");
  KEEL_RETURN_IF_ERROR(index_.lock_exclusive(kWriteLock, 1));
  write_lock_ = true;
  recksum_from_ = 0;
  // A writer must start from the newest commit, or it would overwrite it.
  if (!index_.header_is(hdr_)) {
    index_.unlock_exclusive(kWriteLock, 1);
    write_lock_ = false;
    return Status(rc::kBusySnapshot, "database is locked");
  }
  return Status::Ok();
}

void WalImpl::end_write() {
  if (write_lock_) {
    index_.unlock_exclusive(kWriteLock, 1);
    write_lock_ = false;
  }
}

// SQLite's walRestartHdr: the next frame goes to the start of the log, under
// new salts so the old frames beyond it can never validate again.
void WalImpl::restart_header(uint32_t salt2) {
  checkpoint_seq_++;
  hdr_.max_frame = 0;
  put_u32(hdr_.salt, get_u32(hdr_.salt) + 1);
  std::memcpy(hdr_.salt + 4, &salt2, 4);
  index_.write_header(&hdr_);
  CkptInfo* info = index_.ckpt();
  shm_store(&info->n_backfill, 0);
  info->n_backfill_attempted = 0;
  info->read_mark[1] = 0;
  for (int i = 2; i < kNumReaders; i++) info->read_mark[i] = kReadMarkNotUsed;
}

// SQLite's walRestartLog. Called by the writer before appending. If this
// connection's snapshot needed no WAL frame (read_lock_ == 0), the log was
// fully checkpointed when the snapshot was taken; if no reader holds
// READ(1..4) the log restarts. Either way the writer moves to a READ(i>0)
// lock so that it can see the frames it is about to write.
Status WalImpl::restart_log() {
  if (read_lock_ != 0) return Status::Ok();
  CkptInfo* info = index_.ckpt();
  if (shm_load(&info->n_backfill) > 0) {
    uint32_t salt2;
    vfs_.randomness(&salt2, sizeof salt2);
    Status st = index_.lock_exclusive(read_lock_slot(1), kNumReaders - 1);
    if (st.ok()) {
      restart_header(salt2);
      index_.unlock_exclusive(read_lock_slot(1), kNumReaders - 1);
    } else if (!st.is(rc::kBusy)) {
      return st;
    }
  }
  index_.unlock_shared(read_lock_slot(0));
  read_lock_ = -1;
  bool retry = false;
  bool unused = false;
  int attempt = 0;
  do {
    KEEL_RETURN_IF_ERROR(try_begin_read(&unused, true, ++attempt, &retry));
  } while (retry);
  return Status::Ok();
}

// Writes the header of a new (or restarted) log and resets the running
// checksum to the header's.
Status WalImpl::write_log_header() {
  if (checkpoint_seq_ == 0) vfs_.randomness(hdr_.salt, sizeof hdr_.salt);
  uint8_t buf[kWalHeaderSize];
  uint32_t cksum[2];
  encode_wal_header(page_size_, checkpoint_seq_, hdr_.salt, buf, cksum);
  KEEL_RETURN_IF_ERROR(wal_file_->write(buf, sizeof buf, 0));
  hdr_.big_end_cksum = kHostBigEndian ? 1 : 0;
  hdr_.page_size = encode_page_size(page_size_);
  hdr_.frame_cksum[0] = cksum[0];
  hdr_.frame_cksum[1] = cksum[1];
  return Status::Ok();
}

Status WalImpl::append_frames(std::span<const WalPage> pages, PageNo db_size_after, bool commit, bool sync) {
  if (!write_lock_) return Status(rc::kMisuse, "append_frames without the write lock");
  if (pages.empty()) {
    return commit ? Status(rc::kMisuse, "commit without frames") : Status::Ok();
  }
  if (commit && db_size_after == 0) return Status(rc::kMisuse, "commit with database size 0");

  KEEL_RETURN_IF_ERROR(restart_log());
  const uint32_t sz = page_size_;
  if (hdr_.max_frame == 0) {
    KEEL_RETURN_IF_ERROR(write_log_header());
    if (sync && sync_header_) KEEL_RETURN_IF_ERROR(wal_file_->sync(os::SyncFlags::kNormal));
  } else if (hdr_page_size() != sz) {
    return Status(rc::kCorrupt, "WAL page size differs from the database page size");
  }

  const bool native = native_checksum(hdr_.big_end_cksum);
  uint32_t cksum[2] = {hdr_.frame_cksum[0], hdr_.frame_cksum[1]};
  uint32_t frame = hdr_.max_frame;
  frame_buf_.resize(kFrameHeaderSize + sz);
  uint8_t* buf = frame_buf_.data();

  auto write_frame = [&](const WalPage& p, uint32_t db_size) -> Status {
    frame++;
    if (recksum_from_ != 0) {
      // A frame after one overwritten in place: the commit recomputes its
      // checksum with the rest of the chain, so it is not computed here
      // (until then no reader may use it, and recovery ignores it).
      put_u32(buf, p.page_no);
      put_u32(buf + 4, db_size);
      std::memcpy(buf + 8, hdr_.salt, 8);
      std::memset(buf + 16, 0, 8);
    } else {
      encode_frame(native, hdr_.salt, p.page_no, db_size, p.data, sz, cksum, buf);
    }
    std::memcpy(buf + kFrameHeaderSize, p.data, sz);
    return wal_file_->write(buf, kFrameHeaderSize + sz, frame_offset(frame, sz));
  };
  // Frames above the shared header's last frame are this transaction's own
  // (uncommitted): a page written there already is overwritten in place
  // rather than appended again, as SQLite's walFrames does; the commit frame
  // is always appended, so it stays the last one.
  const uint32_t first_own = index_.live_header().max_frame + 1;
  appended_.clear();
  for (size_t i = 0; i < pages.size(); i++) {
    bool last = i + 1 == pages.size();
    if (hdr_.max_frame >= first_own && !(commit && last)) {
      uint32_t own = 0;
      KEEL_RETURN_IF_ERROR(index_.find(pages[i].page_no, first_own, hdr_.max_frame, &own));
      if (own != 0) {
        KEEL_RETURN_IF_ERROR(wal_file_->write(pages[i].data, sz, frame_offset(own, sz) + kFrameHeaderSize));
        if (recksum_from_ == 0 || own < recksum_from_) recksum_from_ = own;
        continue;
      }
    }
    KEEL_RETURN_IF_ERROR(write_frame(pages[i], commit && last ? db_size_after : 0));
    appended_.push_back(pages[i].page_no);
  }
  // The frames from the first one overwritten on carry checksums of the
  // images they held before: the commit makes the chain valid again.
  if (commit && recksum_from_ != 0) KEEL_RETURN_IF_ERROR(rewrite_checksums(frame, native, cksum));

  uint32_t padding = 0;
  if (commit && sync) {
    if (pad_to_sector_) {
      // Without powersafe overwrite, a later write into the same sector
      // could damage this commit after a power loss: fill the sector with
      // copies of the commit frame (each a valid commit of the same state).
      uint64_t sector = static_cast<uint64_t>(wal_file_->sector_size());
      uint64_t end = frame_offset(frame + 1, sz);
      uint64_t target = sector ? (end + sector - 1) / sector * sector : end;
      while (frame_offset(frame + 1, sz) < target) {
        KEEL_RETURN_IF_ERROR(write_frame(pages.back(), db_size_after));
        padding++;
      }
    }
    KEEL_RETURN_IF_ERROR(wal_file_->sync(os::SyncFlags::kNormal));
  }

  // Index the new frames, then publish.
  uint32_t f = hdr_.max_frame;
  for (PageNo p : appended_) KEEL_RETURN_IF_ERROR(index_.append(hdr_.max_frame, ++f, p));
  for (uint32_t i = 0; i < padding; i++) {
    KEEL_RETURN_IF_ERROR(index_.append(hdr_.max_frame, ++f, pages.back().page_no));
  }
  hdr_.page_size = encode_page_size(sz);
  hdr_.max_frame = f;
  hdr_.frame_cksum[0] = cksum[0];
  hdr_.frame_cksum[1] = cksum[1];
  if (commit) {
    hdr_.change++;
    hdr_.n_page = db_size_after;
    index_.write_header(&hdr_);
  }
  return Status::Ok();
}

// SQLite's walRewriteChecksums: recomputes the checksum chain of frames
// recksum_from_..last from the frame before them (or the log header), reading
// each frame back from the file; `cksum` ends as the checksum of `last`.
Status WalImpl::rewrite_checksums(uint32_t last, bool native, uint32_t cksum[2]) {
  const uint32_t sz = page_size_;
  uint8_t prev[8];
  uint64_t prev_at = recksum_from_ == 1 ? 24 : frame_offset(recksum_from_ - 1, sz) + 16;
  KEEL_RETURN_IF_ERROR(wal_file_->read(prev, sizeof prev, prev_at));
  cksum[0] = get_u32(prev);
  cksum[1] = get_u32(prev + 4);
  uint8_t* buf = frame_buf_.data();
  uint8_t header[kFrameHeaderSize];
  for (uint32_t f = recksum_from_; f <= last; f++) {
    KEEL_RETURN_IF_ERROR(wal_file_->read(buf, kFrameHeaderSize + sz, frame_offset(f, sz)));
    encode_frame(native, hdr_.salt, get_u32(buf), get_u32(buf + 4), buf + kFrameHeaderSize, sz, cksum,
                 header);
    KEEL_RETURN_IF_ERROR(wal_file_->write(header, sizeof header, frame_offset(f, sz)));
  }
  recksum_from_ = 0;
  return Status::Ok();
}

Status WalImpl::undo(const std::function<void(PageNo)>& undo_page) {
  recksum_from_ = 0;
  if (!write_lock_) return Status::Ok();
  uint32_t old_max = hdr_.max_frame;
  hdr_ = index_.live_header();
  for (uint32_t f = hdr_.max_frame + 1; f <= old_max; f++) {
    uint32_t page_no = 0;
    KEEL_RETURN_IF_ERROR(index_.frame_page(f, &page_no));
    if (undo_page) undo_page(page_no);
  }
  if (old_max != hdr_.max_frame) KEEL_RETURN_IF_ERROR(index_.cleanup(hdr_.max_frame));
  return Status::Ok();
}

Wal::Position WalImpl::savepoint() const {
  return Position{hdr_.max_frame, {hdr_.frame_cksum[0], hdr_.frame_cksum[1]}, checkpoint_seq_};
}

Status WalImpl::rollback_to(const Position& pos, const std::function<void(PageNo)>& undo_page) {
  if (!write_lock_) return Status(rc::kMisuse, "rollback_to without the write lock");
  Position p = pos;
  // The log restarted after the savepoint: everything in it is newer.
  if (p.checkpoint_seq != checkpoint_seq_) p.max_frame = 0;
  if (p.max_frame < hdr_.max_frame) {
    for (uint32_t f = p.max_frame + 1; f <= hdr_.max_frame; f++) {
      uint32_t page_no = 0;
      KEEL_RETURN_IF_ERROR(index_.frame_page(f, &page_no));
      if (undo_page) undo_page(page_no);
    }
    hdr_.max_frame = p.max_frame;
    hdr_.frame_cksum[0] = p.checksum[0];
    hdr_.frame_cksum[1] = p.checksum[1];
    if (recksum_from_ > hdr_.max_frame) recksum_from_ = 0;
    KEEL_RETURN_IF_ERROR(index_.cleanup(hdr_.max_frame));
  }
  return Status::Ok();
}

}  // namespace keel::storage::wal
