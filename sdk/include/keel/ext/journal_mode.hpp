// JournalMode: the extension point that owns how a database's transactions
// begin, read, commit, roll back and checkpoint, and how changed pages reach
// durable storage. Selected by `PRAGMA journal_mode = name`.
//
// The kernel's own modes (the rollback-journal family "delete", "truncate",
// "persist", "memory", "off", and "wal") implement this interface, and the
// pager reaches them only through it; a module (mvcc) plugs in its own.
//
// Division of labour
// - The pager owns the page cache: which pages are cached, pinned, dirty; the
//   savepoint sub-journal that restores cached pages; page 1's change counter
//   and database-size fields. It hands the mode a PagerHost for everything
//   that touches the database file (always through the page codec).
// - The mode owns durability and isolation: file locks or its own
//   concurrency control, where original images or new images are kept, what a
//   reader's snapshot contains, and crash recovery.
//
// Call protocol (one connection; the pager serializes every call):
//   attach(host)                                   once, before anything else
//   begin_read(&changed) ... read_page()* ... end_read()
//   begin_read(); begin_write(); before_change()*; spill()*;
//       open/release/rollback_to_savepoint()*; commit() | rollback(); end_read()
//   checkpoint() outside a write transaction;  close() once, last.
// commit() and rollback() end the write transaction but leave the read
// transaction open; the pager calls end_read() afterwards.
//
// Errors: every fallible call returns Status with SQLite result codes.
// rc::kBusy from begin_read()/begin_write() makes the pager call the busy
// handler and retry; rc::kBusySnapshot is returned to the caller unchanged. A
// failed commit() leaves the write transaction open (the caller may retry or
// roll back). rollback() must leave durable state consistent: if it cannot
// finish, whatever recovery data it keeps must let the next opener finish it.
//
// Ownership and thread-safety: the pager owns its JournalMode (one instance per
// connection) and calls it from one thread at a time. The PagerHost outlives
// the mode's attachment; spans passed in are valid only during the call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "keel/ext/page_codec.hpp"
#include "keel/status.hpp"

namespace keel::ext {

// Database file lock levels (SQLite's; PENDING is taken on the way to
// EXCLUSIVE by the host).
enum class DbLock : int { kNone = 0, kShared = 1, kReserved = 2, kExclusive = 4 };

// A page image handed to the mode: decoded (as the b-tree sees it), exactly
// page_size() bytes.
struct PageImage {
  PageNo page_no;
  std::span<const std::byte> data;
};

struct CheckpointInfo {
  int log_frames = -1;           // frames (or records) in the log, -1 if none
  int checkpointed_frames = -1;  // of those, copied into the database file
};

// What the pager offers a journal mode. Page numbers start at 1.
class PagerHost {
 public:
  virtual ~PagerHost() = default;

  virtual uint32_t page_size() const = 0;
  // PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
  virtual int synchronous() const = 0;
  // Pages in the database as the current transaction sees it.
  virtual PageNo transaction_page_count() const = 0;

  // The page codec, for images the mode stores in its own files.
  virtual Status encode_page(PageNo page, std::span<const std::byte> in, std::span<std::byte> out) = 0;
  virtual Status decode_page(PageNo page, std::span<const std::byte> in, std::span<std::byte> out) = 0;

  // The database file. read_db_page() decodes, write_db_page() encodes; the
  // *_raw variants move already-encoded images (journal playback). Reading
  // beyond the end of the file yields zeros and OK.
  virtual Status read_db_page(PageNo page, std::span<std::byte> out) = 0;
  virtual Status write_db_page(PageNo page, std::span<const std::byte> image) = 0;
  virtual Status read_db_raw(PageNo page, std::span<std::byte> out) = 0;
  virtual Status write_db_raw(PageNo page, std::span<const std::byte> encoded) = 0;
  // Size of the database file in whole pages (rounded up).
  virtual Result<PageNo> db_file_pages() = 0;
  virtual Status truncate_db_file(PageNo pages) = 0;
  // fsync of the database file; a no-op at synchronous OFF.
  virtual Status sync_db_file() = 0;

  // Database file locks. With wait=true a busy lock is retried through the
  // connection's busy handler before rc::kBusy is returned.
  virtual Status lock_db(DbLock level, bool wait) = 0;
  virtual Status unlock_db(DbLock level) = 0;
  virtual DbLock db_lock() const = 0;
  // Asks the busy handler whether to retry after `attempts` failures.
  virtual bool busy(int attempts) = 0;

  // The mode learned that a page (or everything) changed under the cache.
  virtual void discard_cached_page(PageNo page) = 0;
  virtual void discard_cache() = 0;
};

class JournalMode {
 public:
  virtual ~JournalMode() = default;

  // The name PRAGMA journal_mode reports and accepts ("delete", "wal", ...).
  virtual std::string_view name() const = 0;
  // Header bytes 18/19 (write/read version) while this mode is active: 1 for
  // rollback journals, 2 for WAL; a module picks a value stock SQLite refuses
  // (255 for mvcc).
  virtual uint8_t file_format_version() const = 0;
  // True if every commit rewrites page 1's change counter (rollback-journal
  // semantics); false if only commits that change page 1 do (WAL semantics).
  virtual bool bumps_change_counter_every_commit() const = 0;

  // Called once by the pager before any other call.
  virtual Status attach(PagerHost& host) = 0;

  // Starts a read transaction (snapshot). *snapshot_changed = true if pages
  // cached by the pager may be stale (another connection committed).
  virtual Status begin_read(bool* snapshot_changed) = 0;
  virtual void end_read() = 0;
  // Pages in the snapshot if the mode knows it, else 0 (the database file
  // decides).
  virtual PageNo snapshot_page_count() const = 0;
  // If the mode holds the newest image of `page` visible to the snapshot,
  // decodes it into `out` and returns true; false means "read the database
  // file".
  virtual Result<bool> read_page(PageNo page, std::span<std::byte> out) = 0;

  // Upgrades the read transaction to a write transaction. exclusive = BEGIN
  // EXCLUSIVE. rc::kBusy if another writer is active.
  virtual Status begin_write(bool exclusive) = 0;
  // Called before a page is changed for the first time in the transaction,
  // with its image at that moment (pages beyond the original database size
  // included). It is called again if the page left the cache (after a
  // spill) and is changed anew — then with bytes that may already hold this
  // transaction's changes — so a mode keeps only the first image per page.
  virtual Status before_change(PageNo page, std::span<const std::byte> original) = 0;
  // Cache pressure: store these dirty pages now, before commit, so the pager
  // can evict them (it may read them back later through read_page() or the
  // database file). `db_pages` is the transaction's current size. rc::kBusy
  // means "cannot now" and the pager keeps them in memory. While savepoints
  // are open the pager has already saved what a savepoint rollback needs
  // (see savepoint_rollback_drops_spills()).
  virtual Status spill(std::span<const PageImage> pages, PageNo db_pages) = 0;
  // Makes the transaction durable: `pages` are all pages still dirty (sorted
  // by page number, none beyond db_pages), db_pages the final size.
  virtual Status commit(std::span<const PageImage> pages, PageNo db_pages) = 0;
  // Restores durable state to the start of the write transaction. The pager
  // then drops or re-reads every page the transaction touched; pages it read
  // back after a spill are the mode's to discard (PagerHost::discard_cache).
  virtual Status rollback() = 0;

  // Savepoints (depth is 1-based and strictly nested). The pager restores
  // cached page images itself; the mode undoes whatever it stored since the
  // savepoint (e.g. spilled WAL frames), calling PagerHost::discard_cached_page
  // for pages it dropped.
  virtual Status open_savepoint(int depth) = 0;
  virtual Status release_savepoint(int depth) = 0;
  virtual Status rollback_to_savepoint(int depth) = 0;

  // Copies the log into the database file (CheckpointMode values of the
  // pager: 0 passive, 1 full, 2 restart, 3 truncate). Modes without a log
  // return {-1, -1}.
  virtual Result<CheckpointInfo> checkpoint(int mode) = 0;
  // The connection closes: release files and locks (a WAL checkpoints and
  // deletes its log if this is the last connection).
  virtual Status close() = 0;

  // (Appended in ABI 4.) Whether rollback_to_savepoint() undoes what spill()
  // stored after the savepoint opened. A log that drops its newer frames
  // does (true): the pager then saves a spilled page's image into its
  // sub-journal first, so that the changes the page had before the savepoint
  // survive the savepoint's rollback. A mode that writes spilled pages in
  // place (a rollback journal) does not (false): the page's stored image
  // is what the savepoint saw, unless it changes again, and then the pager
  // sub-journals it anyway (SQLite's pagerStress sub-journals in WAL mode
  // only).
  virtual bool savepoint_rollback_drops_spills() const { return true; }
};

}  // namespace keel::ext
