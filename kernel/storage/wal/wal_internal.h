// WalImpl: the one implementation of Wal, SQLite's WAL protocol.
//
// Design note
// -----------
// Per-connection state is a private copy of the wal-index header (hdr_), the
// read lock held (read_lock_: -1 none, 0 = snapshot needs no WAL frame, i>0 =
// READ(i) with read mark aReadMark[i] <= hdr_.max_frame) and whether this
// connection holds WRITE / CKPT.
//
// States and transitions (functions in parentheses):
//   idle --(begin_read)--> reading --(begin_write)--> writing
//   writing --(append_frames commit)--> writing (snapshot = new commit)
//   writing --(end_write)--> reading --(end_read)--> idle
//   idle --(checkpoint)--> idle           (takes CKPT, and WRITE unless PASSIVE)
//
// Invariants
//  1. While reading, hdr_ is a header that was current when the read lock
//     was taken and verified after taking it (no writer could restart the
//     log in between), so frames (min_frame_, hdr_.max_frame] stay valid
//     and unmodified until end_read().
//  2. A checkpoint never copies a frame above the read mark of any READ(i)
//     lock it cannot take, and never moves nBackfill past a frame that is not
//     in the database file (after the database sync).
//  3. The log restarts (frames rewritten from the start, salt-1 + 1, salt-2
//     random) only when nBackfill == max_frame and every READ(1..4) lock is
//     free, so no reader can still need the old frames.
//  4. hdr_.max_frame may exceed the shared header's while writing: those are
//     uncommitted frames of this transaction (spilled by the pager) that
//     undo()/rollback_to() remove from the hash tables. A page spilled again
//     overwrites its frame among them; checksums from recksum_from_ on are
//     stale until the commit rewrites them. Overwriting is safe for
//     savepoints: the pager keeps each page's image in its sub-journal
//     before changing it, and replays it after rollback_to.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "storage/wal/wal.h"
#include "storage/wal/wal_format.h"
#include "storage/wal/wal_index.h"

namespace keel::storage::wal {

class WalImpl final : public Wal {
 public:
  WalImpl(os::Vfs& vfs, os::VfsFile& db_file, std::string wal_path, std::unique_ptr<os::VfsFile> wal_file,
          uint32_t page_size);
  ~WalImpl() override;

  Status begin_read(bool* changed) override;
  void end_read() override;
  Result<uint32_t> find_frame(PageNo page_no) override;
  Status read_frame(uint32_t frame, std::span<uint8_t> out) override;
  PageNo db_size() const override;
  uint32_t page_size() const override;

  Status begin_write() override;
  void end_write() override;
  Status append_frames(std::span<const WalPage> pages, PageNo db_size_after, bool commit, bool sync) override;
  Status undo(const std::function<void(PageNo)>& undo_page) override;
  Position savepoint() const override;
  Status rollback_to(const Position& pos, const std::function<void(PageNo)>& undo_page) override;

  Result<CheckpointStats> checkpoint(int mode, const std::function<bool(int)>& busy_handler,
                                     bool sync) override;
  uint32_t frame_count() const override { return hdr_.max_frame; }
  Status close(bool sync) override;

 private:
  // wal.cpp: read path.
  Status read_index_header(bool* changed);
  bool try_header(bool* changed);
  // Sets *retry when the caller should call again (SQLite's WAL_RETRY).
  Status try_begin_read(bool* changed, bool use_wal, int attempt, bool* retry);
  uint32_t hdr_page_size() const { return decode_page_size(hdr_.page_size); }

  // wal_write.cpp: write path.
  Status restart_log();
  void restart_header(uint32_t salt2);
  Status write_log_header();
  Status rewrite_checksums(uint32_t last, bool native, uint32_t cksum[2]);

  // wal_recovery.cpp
  Status recover();

  // wal_checkpoint.cpp
  Status checkpoint_locked(int mode, const std::function<bool(int)>* busy, bool sync);
  // Takes slots [slot, slot+n) exclusively, calling the busy handler while
  // they are busy (busy may be nullptr or set to nullptr after a refusal).
  Status busy_lock(const std::function<bool(int)>*& busy, int slot, int n);

  os::Vfs& vfs_;
  os::VfsFile& db_file_;
  std::string wal_path_;
  std::unique_ptr<os::VfsFile> wal_file_;
  uint32_t page_size_;  // size of frames this connection writes
  WalIndex index_;

  IndexHeader hdr_{};
  int read_lock_ = -1;
  bool write_lock_ = false;
  bool ckpt_lock_ = false;
  uint32_t min_frame_ = 0;       // first frame a reader may use (nBackfill + 1)
  uint32_t checkpoint_seq_ = 0;  // WAL header checkpoint sequence (nCkpt)
  bool read_only_ = false;       // the -wal could only be opened read-only
  bool sync_header_ = true;      // fsync a new log's header (device not sequential)
  bool pad_to_sector_ = true;    // pad a synced commit to a sector boundary
  int busy_calls_ = 0;
  std::vector<uint8_t> frame_buf_;  // one frame header + page, reused
  std::vector<PageNo> appended_;    // pages of the frames one append_frames added
  // First frame of this transaction overwritten in place since its checksum
  // was computed (SQLite's iReCksum), 0 if none: the commit recomputes the
  // checksums from there.
  uint32_t recksum_from_ = 0;
};

}  // namespace keel::storage::wal
