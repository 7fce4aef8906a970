// Recovery: rebuilding the wal-index from the log (SQLite's walIndexRecover).
//
// Runs when no valid wal-index header exists (first connection after a
// crash or a reboot, a writer that died mid-update, a fresh -shm). The
// caller holds the WRITE lock; recovery adds CKPT (unless this connection
// already holds it) and RECOVER, so readers that find the header unusable
// report SQLITE_BUSY_RECOVERY instead of waiting on a half-built index.
//
// The log is scanned from frame 1: a frame counts only while its salts match
// the WAL header and its cumulative checksum matches; the scan stops at the
// first frame that fails (a torn write, a frame from an older generation of
// the log). Only frames up to the last valid commit frame become visible.
#include <cstring>
#include <vector>

#include "storage/wal/wal_internal.h"

namespace keel::storage::wal {

Status WalImpl::recover() {
  assert(write_lock_);
  const int first = ckpt_lock_ ? kRecoverLock : kCkptLock;
  const int n = read_lock_slot(0) - first;
  KEEL_RETURN_IF_ERROR(index_.lock_exclusive(first, n));

  auto scan = [&]() -> Status {
    std::memset(&hdr_, 0, sizeof hdr_);
    uint32_t commit_cksum[2] = {0, 0};
    KEEL_ASSIGN_OR_RETURN(uint64_t size, wal_file_->size());
    if (size > kWalHeaderSize) {
      uint8_t buf[kWalHeaderSize];
      KEEL_RETURN_IF_ERROR(wal_file_->read(buf, sizeof buf, 0));
      WalHeader wh;
      bool version_ok = true;
      if (decode_wal_header(buf, &wh, &version_ok)) {
        if (!version_ok) return Status(rc::kCantOpen, "unable to open database file");
        const uint32_t sz = wh.page_size;
        hdr_.big_end_cksum = static_cast<uint8_t>(wh.magic & 1);
        std::memcpy(hdr_.salt, wh.salt, sizeof hdr_.salt);
        checkpoint_seq_ = wh.checkpoint_seq;
        const bool native = native_checksum(hdr_.big_end_cksum);
        uint32_t cksum[2] = {wh.cksum[0], wh.cksum[1]};
        const uint64_t last_frame = (size - kWalHeaderSize) / (uint64_t{sz} + kFrameHeaderSize);
        std::vector<uint8_t> frame(kFrameHeaderSize + sz);
        uint32_t indexed = 0;  // last frame added to the hash tables
        for (uint64_t f = 1; f <= last_frame && f < 0xffffffffu; f++) {
          const uint32_t fr = static_cast<uint32_t>(f);
          KEEL_RETURN_IF_ERROR(wal_file_->read(frame.data(), frame.size(), frame_offset(fr, sz)));
          uint32_t page_no = 0, db_size = 0;
          if (!decode_frame(native, hdr_.salt, frame.data(), frame.data() + kFrameHeaderSize, sz, cksum,
                            &page_no, &db_size)) {
            break;
          }
          KEEL_RETURN_IF_ERROR(index_.append(indexed, fr, page_no));
          indexed = fr;
          if (db_size != 0) {
            hdr_.max_frame = fr;
            hdr_.n_page = db_size;
            hdr_.page_size = encode_page_size(sz);
            commit_cksum[0] = cksum[0];
            commit_cksum[1] = cksum[1];
          }
        }
        // Valid frames after the last commit belong to a transaction that
        // never committed: drop them from the index.
        if (indexed > hdr_.max_frame) KEEL_RETURN_IF_ERROR(index_.cleanup(hdr_.max_frame));
      }
    }
    hdr_.frame_cksum[0] = commit_cksum[0];
    hdr_.frame_cksum[1] = commit_cksum[1];
    index_.write_header(&hdr_);

    // No other writer or checkpointer can run: reset the checkpoint state.
    CkptInfo* info = index_.ckpt();
    shm_store(&info->n_backfill, 0);
    info->n_backfill_attempted = hdr_.max_frame;
    info->read_mark[0] = 0;
    for (int i = 1; i < kNumReaders; i++) {
      Status st = index_.lock_exclusive(read_lock_slot(i), 1);
      if (st.ok()) {
        info->read_mark[i] = (i == 1 && hdr_.max_frame) ? hdr_.max_frame : kReadMarkNotUsed;
        index_.unlock_exclusive(read_lock_slot(i), 1);
      } else if (!st.is(rc::kBusy)) {
        return st;
      }
    }
    return Status::Ok();
  };

  Status st = scan();
  index_.unlock_exclusive(first, n);
  return st;
}

}  // namespace keel::storage::wal
