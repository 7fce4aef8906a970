// Checkpoints (SQLite's sqlite3WalCheckpoint / walCheckpoint) and close.
//
// A checkpoint copies, for every page in frames (nBackfill, mxSafeFrame],
// its newest such frame into the database file, then advances nBackfill.
// mxSafeFrame is max_frame lowered to the read mark of every reader whose
// READ(i) lock cannot be taken: such a reader may still need the database
// file's old copy of a page written after its mark.
//
// Order of durable effects: sync the log, write pages, (when everything was
// copied) truncate the database to its size and sync it, and only then
// publish nBackfill — so nBackfill never covers a frame whose page is not
// durably in the database file.
//
// Modes: PASSIVE takes only CKPT and never waits. FULL also takes WRITE
// (waiting with the busy handler) and waits for readers blocking frames;
// RESTART then waits until no reader uses the log, so the next writer
// restarts it; TRUNCATE also restarts the wal-index header and truncates the
// log file to 0 bytes.
#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "storage/wal/wal_internal.h"

namespace keel::storage::wal {

namespace {
constexpr int kPassive = 0;
constexpr int kRestart = 2;
constexpr int kTruncate = 3;
}  // namespace

Status WalImpl::busy_lock(const std::function<bool(int)>*& busy, int slot, int n) {
  for (;;) {
    Status st = index_.lock_exclusive(slot, n);
    if (!st.is(rc::kBusy) || busy == nullptr || !(*busy)(busy_calls_++)) return st;
  }
}

Status WalImpl::checkpoint_locked(int mode, const std::function<bool(int)>* busy, bool sync) {
  const uint32_t sz = hdr_page_size();
  CkptInfo* info = index_.ckpt();
  Status st;
  if (shm_load(&info->n_backfill) < hdr_.max_frame) {
    uint32_t mx_safe = hdr_.max_frame;
    const uint32_t mx_page = hdr_.n_page;
    for (int i = 1; i < kNumReaders; i++) {
      uint32_t y = shm_load(&info->read_mark[i]);
      if (mx_safe > y) {
        st = busy_lock(busy, read_lock_slot(i), 1);
        if (st.ok()) {
          // No reader on this mark: move it to the end (slot 1) or free it.
          shm_store(&info->read_mark[i], i == 1 ? mx_safe : kReadMarkNotUsed);
          index_.unlock_exclusive(read_lock_slot(i), 1);
        } else if (st.is(rc::kBusy)) {
          mx_safe = y;
          busy = nullptr;
        } else {
          return st;
        }
      }
    }

    const uint32_t n_backfill = shm_load(&info->n_backfill);
    if (n_backfill < mx_safe) {
      // Newest frame per page among (n_backfill, max_frame], in page order.
      // A page whose newest frame is above mx_safe is left for later.
      std::vector<std::pair<uint32_t, uint32_t>> todo;  // (page, frame)
      todo.reserve(hdr_.max_frame - n_backfill);
      for (uint32_t f = n_backfill + 1; f <= hdr_.max_frame; f++) {
        uint32_t page_no = 0;
        KEEL_RETURN_IF_ERROR(index_.frame_page(f, &page_no));
        todo.emplace_back(page_no, f);
      }
      std::sort(todo.begin(), todo.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first < b.first : a.second > b.second;
      });
      todo.erase(std::unique(todo.begin(), todo.end(),
                             [](const auto& a, const auto& b) { return a.first == b.first; }),
                 todo.end());

      st = busy_lock(busy, read_lock_slot(0), 1);
      const bool locked = st.ok();
      // A log restart since hdr_ was read would make its frames meaningless.
      bool restarted = locked && std::memcmp(index_.live_header().salt, hdr_.salt, sizeof hdr_.salt) != 0;
      if (locked && !restarted) {
        info->n_backfill_attempted = mx_safe;
        if (sync) st = wal_file_->sync(os::SyncFlags::kNormal);
        if (st.ok()) {
          auto size = db_file_.size();
          if (!size.ok()) {
            st = size.take_status();
          } else {
            uint64_t need = uint64_t{mx_page} * sz;
            if (*size < need && *size + 65536 + uint64_t{hdr_.max_frame} * sz < need) {
              st = Status(rc::kCorrupt, "database disk image is malformed");
            }
          }
        }
        std::vector<uint8_t> buf(sz);
        for (const auto& [page_no, frame] : todo) {
          if (!st.ok()) break;
          if (frame <= n_backfill || frame > mx_safe || page_no > mx_page) continue;
          if (page_no == 0) {
            st = Status(rc::kCorrupt, "database disk image is malformed");
            break;
          }
          st = wal_file_->read(buf.data(), sz, frame_offset(frame, sz) + kFrameHeaderSize);
          if (st.ok()) st = db_file_.write(buf.data(), sz, uint64_t{page_no - 1} * sz);
        }
        if (st.ok()) {
          uint32_t live_max = index_.live_header().max_frame;
          if (mx_safe == live_max) {
            st = db_file_.truncate(uint64_t{hdr_.n_page} * sz);
            if (st.ok() && sync) st = db_file_.sync(os::SyncFlags::kNormal);
          }
          if (st.ok()) shm_store(&info->n_backfill, mx_safe);
        }
      }
      if (locked) index_.unlock_exclusive(read_lock_slot(0), 1);
    }
    // Readers in the way are not a failure of the checkpoint itself.
    if (st.is(rc::kBusy)) st = Status::Ok();
  }
  if (!st.ok()) return st;

  if (mode != kPassive) {
    assert(write_lock_);
    if (shm_load(&info->n_backfill) < hdr_.max_frame) return Status(rc::kBusy);
    if (mode >= kRestart) {
      // Wait until no reader uses the log, so the next writer restarts it.
      uint32_t salt2;
      vfs_.randomness(&salt2, sizeof salt2);
      st = busy_lock(busy, read_lock_slot(1), kNumReaders - 1);
      if (st.ok()) {
        if (mode == kTruncate) {
          restart_header(salt2);
          st = wal_file_->truncate(0);
        }
        index_.unlock_exclusive(read_lock_slot(1), kNumReaders - 1);
      }
    }
  }
  return st;
}

Result<Wal::CheckpointStats> WalImpl::checkpoint(int mode, const std::function<bool(int)>& busy_handler,
                                                 bool sync) {
  if (mode < kPassive || mode > kTruncate) return Status(rc::kMisuse, "unknown checkpoint mode");
  if (read_lock_ >= 0 || write_lock_) {
    // SQLite's sqlite3BtreeCheckpoint refuses the same way.
    return Status(rc::kLocked, "database table is locked");
  }
  if (read_only_) return Status(rc::kReadOnly, "attempt to write a readonly database");
  busy_calls_ = 0;
  // Attach the shared memory (the shm lock calls below need it).
  uint8_t* page0 = nullptr;
  KEEL_RETURN_IF_ERROR(index_.map(0, false, &page0));
  if (index_.read_only()) return Status(rc::kReadOnly, "attempt to write a readonly database");
  // Never waits for another checkpointer (SQLite does not call the busy
  // handler for the CKPT lock either).
  KEEL_RETURN_IF_ERROR(index_.lock_exclusive(kCkptLock, 1));
  ckpt_lock_ = true;

  const std::function<bool(int)>* busy = (mode != kPassive && busy_handler) ? &busy_handler : nullptr;
  int eff_mode = mode;
  Status st;
  if (mode != kPassive) {
    st = busy_lock(busy, kWriteLock, 1);
    if (st.ok()) {
      write_lock_ = true;
    } else if (st.is(rc::kBusy)) {
      // A writer is active: do what PASSIVE can and report busy.
      eff_mode = kPassive;
      busy = nullptr;
      st = Status::Ok();
    }
  }

  bool changed = false;
  CheckpointStats stats;
  if (st.ok()) st = read_index_header(&changed);
  if (st.ok()) {
    if (hdr_.max_frame && hdr_page_size() != page_size_) {
      st = Status(rc::kCorrupt, "WAL page size differs from the database page size");
    } else {
      st = checkpoint_locked(eff_mode, busy, sync);
    }
    if (st.ok() || st.is(rc::kBusy)) {
      stats.busy = !st.ok() || eff_mode != mode;
      stats.log_frames = static_cast<int>(hdr_.max_frame);
      stats.checkpointed_frames = static_cast<int>(shm_load(&index_.ckpt()->n_backfill));
      st = Status::Ok();
    }
  }
  // The pager's cache may predate the header just loaded: make the next
  // begin_read() report a change.
  if (changed) std::memset(&hdr_, 0, sizeof hdr_);
  end_write();
  index_.unlock_exclusive(kCkptLock, 1);
  ckpt_lock_ = false;
  if (!st.ok()) return st;
  return stats;
}

Status WalImpl::close(bool sync) {
  end_read();
  if (!wal_file_) return Status::Ok();
  const os::LockLevel entry = db_file_.lock_level();
  bool remove_files = false;
  Status st;
  // EXCLUSIVE on the database means no other connection has it open (in WAL
  // mode every connection holds SHARED): checkpoint and delete the log.
  Status lk = read_only_ || index_.read_only()  ? Status(rc::kReadOnly)
              : entry >= os::LockLevel::kShared ? Status::Ok()
                                                : db_file_.lock(os::LockLevel::kShared);
  if (lk.ok()) lk = db_file_.lock(os::LockLevel::kExclusive);
  if (lk.ok()) {
    auto r = checkpoint(kPassive, nullptr, sync);
    if (r.ok()) {
      remove_files = !r->busy && r->checkpointed_frames == r->log_frames;
    } else {
      st = r.take_status();
    }
  }
  Status us = index_.unmap(remove_files);
  wal_file_.reset();
  if (remove_files) {
    // As SQLite, a failed delete is not an error: the log was fully copied,
    // so replaying it later rewrites identical pages.
    vfs_.remove(wal_path_, false).ignore();
  }
  if (st.ok()) st = std::move(us);
  if (entry <= os::LockLevel::kShared && db_file_.lock_level() > entry) {
    db_file_.unlock(entry).ignore();
  }
  return st;
}

}  // namespace keel::storage::wal
