// The write-ahead log: SQLite's WAL file format and wal-index (-shm) format.
//
// In WAL mode a commit appends the transaction's pages to <db>-wal as frames
// (24-byte frame header + page image, checksummed, salted) and the last frame
// of a transaction carries the database size ("commit frame"). Readers find
// the newest copy of a page at or before their snapshot's last commit frame
// through the wal-index, a hash table kept in shared memory (<db>-shm, via
// VfsFile::shm_map) laid out exactly as SQLite's, so SQLite processes and Keel
// processes can share one WAL database. Checkpoints copy frames back into the
// database file. Recovery rebuilds the wal-index from the log after a crash.
//
// The pager owns the Wal and calls it in this order:
//   begin_read() ... find_frame()/read_frame() ... end_read()
//   begin_read(); begin_write(); append_frames(..., commit=true); end_write(); end_read()
//
// Thread-safety: one Wal per connection, not thread-safe; connections
// coordinate only through the wal-index and its shm locks.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "keel/status.hpp"
#include "os/vfs.h"

namespace keel::storage {

using PageNo = uint32_t;

// One page handed to append_frames(): number and its on-disk image (already
// passed through the page codec, page_size bytes).
struct WalPage {
  PageNo page_no;
  const uint8_t* data;
};

class Wal {
 public:
  // Opens (creating it if missing, as SQLite does) the log `wal_path` for the
  // database `db_file`; the wal-index is reached through db_file.shm_map() and
  // is read or rebuilt at the first begin_read(). `page_size` is the size of
  // the frames this connection writes. `db_file` stays owned by the pager and
  // must outlive the Wal.
  static Result<std::unique_ptr<Wal>> open(os::Vfs& vfs, os::VfsFile& db_file, std::string wal_path,
                                           uint32_t page_size);
  virtual ~Wal() = default;

  // Takes a read snapshot (a read-mark in the wal-index). *changed is set
  // when the snapshot differs from the previous one, so the pager must drop
  // its cache. May run recovery. rc::kBusy / kBusyRecovery when contended.
  virtual Status begin_read(bool* changed) = 0;
  virtual void end_read() = 0;

  // Frame number (1-based) holding the newest copy of page_no visible in the
  // current snapshot, or 0 if the page must be read from the database file.
  virtual Result<uint32_t> find_frame(PageNo page_no) = 0;
  // Reads the page image stored in frame `frame` into out (page_size bytes).
  virtual Status read_frame(uint32_t frame, std::span<uint8_t> out) = 0;
  // Database size in pages in the current snapshot, or 0 if the WAL holds no
  // commit (then the database file's header decides).
  virtual PageNo db_size() const = 0;
  // Page size of the frames in the current snapshot, or 0 if the log holds
  // none (the pager checks it against the database header; a log written
  // with another page size cannot be appended to: rc::kCorrupt). Note that
  // SQLite deletes a -wal whose database file is empty, so page 1 must reach
  // the database file before a database enters WAL mode.
  virtual uint32_t page_size() const = 0;

  // Takes the WAL write lock; call inside a read transaction. rc::kBusy if
  // another writer holds it; rc::kBusySnapshot if the snapshot is no longer
  // the newest (end_read, begin_read and retry).
  virtual Status begin_write() = 0;
  virtual void end_write() = 0;

  // Appends frames; with commit=true the last frame records db_size_after and
  // the frames become visible to new readers. sync decides whether the log
  // (and the header of a freshly started log) is fsynced at a commit
  // (synchronous FULL/EXTRA) — NORMAL syncs only at checkpoint. Pages must be
  // page_size bytes as given to open(); commit with no pages is rc::kMisuse.
  virtual Status append_frames(std::span<const WalPage> pages, PageNo db_size_after, bool commit,
                               bool sync) = 0;
  // Discards frames written by the current write transaction that were not
  // committed; calls undo_page for each page they held so the pager can drop
  // them from its cache.
  virtual Status undo(const std::function<void(PageNo)>& undo_page) = 0;

  // Savepoints inside a write transaction: an opaque position, and rollback
  // to it (calling undo_page as above for frames dropped). Frames are never
  // overwritten in place, so pages re-read after a rollback_to() come back as
  // they were at the savepoint.
  struct Position {
    uint32_t max_frame;
    uint32_t checksum[2];
    uint32_t checkpoint_seq;  // detects a log restart after the savepoint
  };
  virtual Position savepoint() const = 0;
  virtual Status rollback_to(const Position& pos, const std::function<void(PageNo)>& undo_page) = 0;

  struct CheckpointStats {
    int log_frames = 0;
    int checkpointed_frames = 0;
    bool busy = false;  // SQLITE_BUSY in SQLite: the mode could not complete
  };
  // Copies frames into the database file. `mode` is SQLite's
  // SQLITE_CHECKPOINT_* value (0 PASSIVE, 1 FULL, 2 RESTART, 3 TRUNCATE).
  // PASSIVE never waits; FULL/RESTART/TRUNCATE call busy_handler(n) (n = calls
  // so far; return false to give up) while readers or writers block progress.
  // A checkpoint that could not do all its mode asks for returns OK with
  // busy=true (PRAGMA wal_checkpoint's first column); another checkpointer
  // running returns rc::kBusy. Call outside read/write transactions
  // (rc::kLocked otherwise, as SQLite). `sync` = fsync the log and the database (any
  // synchronous level but OFF).
  virtual Result<CheckpointStats> checkpoint(int mode, const std::function<bool(int)>& busy_handler,
                                             bool sync) = 0;
  // Frames in the log, for the automatic checkpoint threshold.
  virtual uint32_t frame_count() const = 0;

  // Closes the log; if this is the last connection (EXCLUSIVE lock on the
  // database obtainable), checkpoints and deletes the -wal and -shm files as
  // SQLite does. Ends any open transaction first. The database file lock is
  // returned to the level it had on entry (if that was NONE or SHARED).
  virtual Status close(bool sync) = 0;
};

}  // namespace keel::storage
