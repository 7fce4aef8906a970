// The pager: page cache, transactions and durability for one database file.
//
// The btree layer above sees the file as an array of fixed-size pages
// numbered from 1 and asks the pager for them; the pager decides where the
// bytes come from (cache, WAL, database file), journals original page images
// before the first change in a transaction, and makes commits atomic and
// durable through the connection's journal mode (rollback journal: DELETE,
// TRUNCATE, PERSIST, MEMORY, OFF; WAL; or a module's JournalMode). Page bytes
// pass through the PageCodec (identity by default) on their way to and from
// the file.
//
// Ownership of the page-1 header: the pager maintains the fields that
// describe the file as a whole — page size (16-17), write/read versions
// (18-19), reserved bytes (20), file change counter (24), database size in
// pages (28), version-valid-for (92) and SQLite version number (96). All
// other header fields (freelist, schema cookie, meta values) belong to the
// btree layer, which edits them through page 1 like any other page.
//
// Creating a database: the file stays empty (page_count() == 0) until the
// first commit. In that first write transaction get(1) returns page 1 with
// SQLite's default 100-byte header already written; the b-tree lays out the
// rest of page 1 (the empty sqlite_schema leaf at offset 100) itself.
//
// Lifetimes: every PageRef must be released before its Pager is destroyed.
// PageRefs may be held across transactions; a pinned page whose bytes become
// stale (rollback, another connection's commit) is refreshed in place, so
// callers must not keep state derived from page bytes across transactions.
//
// Errors: SQLite result codes throughout — rc::kBusy (lock held elsewhere,
// after the busy handler gave up), rc::kNotADb (bad header), rc::kCorrupt
// (impossible page numbers, codec authentication failures), rc::kIoErr*
// (from the VFS), rc::kReadOnly, rc::kMisuse (API misuse: writing outside a
// write transaction, unknown savepoint). A failed commit() leaves the write
// transaction open: retry it or roll back.
//
// Thread-safety: one Pager belongs to one connection and is not thread-safe.
// Several Pagers (connections) may open the same file, in one process or
// many; they coordinate only through file locks and the WAL index.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "keel/ext/journal_mode.hpp"
#include "keel/ext/page_codec.hpp"
#include "keel/status.hpp"
#include "os/vfs.h"
#include "storage/pager/cached_page.h"

namespace keel::storage {

class Pager;

// A pinned page. While any PageRef to a page exists, the page stays in the
// cache at a stable address. Moving is cheap; copying adds a pin.
class PageRef {
 public:
  PageRef() = default;
  PageRef(const PageRef& other) : page_(other.page_) {
    if (page_) ++page_->pins;
  }
  PageRef& operator=(const PageRef& other) {
    if (other.page_) ++other.page_->pins;
    release();
    page_ = other.page_;
    return *this;
  }
  PageRef(PageRef&& other) noexcept : page_(other.page_) { other.page_ = nullptr; }
  PageRef& operator=(PageRef&& other) noexcept {
    if (this != &other) {
      release();
      page_ = other.page_;
      other.page_ = nullptr;
    }
    return *this;
  }
  ~PageRef() { release(); }

  explicit operator bool() const { return page_ != nullptr; }
  PageNo number() const { return page_->pgno; }
  // page_size() bytes, of which the last reserved_bytes() belong to the codec.
  const uint8_t* data() const { return page_->data; }
  // Writable bytes: only after Pager::make_writable() succeeded for this page
  // in the current write transaction.
  uint8_t* mutable_data() { return page_->data; }
  bool is_writable() const { return page_ != nullptr && page_->writable(); }
  // Unpin early.
  void release() {
    if (page_ != nullptr) {
      if (--page_->pins == 0) page_unpinned(page_);
      page_ = nullptr;
    }
  }

 private:
  friend class Pager;
  explicit PageRef(CachedPage* p) : page_(p) { ++p->pins; }  // takes a pin
  CachedPage* page_ = nullptr;
};

enum class JournalModeKind { kDelete, kTruncate, kPersist, kMemory, kWal, kOff, kModule };
enum class SyncLevel { kOff = 0, kNormal = 1, kFull = 2, kExtra = 3 };
enum class CheckpointMode { kPassive = 0, kFull = 1, kRestart = 2, kTruncate = 3 };

struct PagerOptions {
  os::Vfs* vfs = nullptr;  // nullptr = os::default_vfs()
  bool read_only = false;
  bool create = true;
  bool memory = false;         // ":memory:" / temp database: no file, journal in memory
  uint32_t page_size = 4096;   // used only when creating a new file
  uint8_t reserved_bytes = 0;  // used only when creating a new file (codec overhead)
  int64_t cache_size = -2000;  // SQLite semantics: >0 pages, <0 KiB
  SyncLevel synchronous = SyncLevel::kFull;
  // Page codec for every page reaching a file (database, journal, WAL).
  // Not owned; must outlive the pager. nullptr = identity (plain SQLite).
  ext::PageCodec* codec = nullptr;
  // Consulted when header bytes 18/19 name a format other than 1 (rollback
  // journal) or 2 (WAL) — a module's journal mode, e.g. 255 for mvcc: returns
  // that mode, or an error (naming the missing module). Unset: such files
  // are rc::kNotADb, as stock SQLite says.
  std::function<Result<std::unique_ptr<ext::JournalMode>>(uint8_t format)> journal_mode_for_format;
  // Called when a lock is busy: return true to retry (after sleeping), false
  // to give up with rc::kBusy. Argument: number of prior calls for this lock.
  std::function<bool(int)> busy_handler;
};

// Cache and I/O counters, for tests and PRAGMA-style introspection.
struct PagerStats {
  size_t cached_pages = 0;    // entries in the page cache
  size_t dirty_pages = 0;     // of those, changed and not yet written
  size_t cache_capacity = 0;  // the bound derived from cache_size
  uint64_t spills = 0;        // times dirty pages were written early (cache_spill)
  uint64_t pages_spilled = 0;
};

struct CheckpointResult {
  int log_frames = -1;           // frames in the WAL, or -1
  int checkpointed_frames = -1;  // frames copied back, or -1
};

class Pager {
 public:
  static Result<std::unique_ptr<Pager>> open(std::string_view path, const PagerOptions& options);
  ~Pager();

  uint32_t page_size() const;
  // page_size() - reserved bytes: the bytes the btree may use.
  uint32_t usable_size() const;
  // Pages in the database as seen by the current transaction.
  PageNo page_count() const;
  // Changes page size of an empty database (no pages written yet); otherwise
  // a no-op returning OK, as SQLite's PRAGMA page_size.
  Status set_page_size(uint32_t page_size);

  // --- transactions ----------------------------------------------------
  // A read transaction holds a consistent snapshot until end_read(). get()
  // outside any transaction starts one implicitly.
  Status begin_read();
  void end_read();
  // Upgrades to a write transaction (RESERVED lock, or the WAL write lock),
  // starting a read transaction first if needed. exclusive=true also takes
  // EXCLUSIVE at once (BEGIN EXCLUSIVE). rc::kBusy if another connection
  // writes (after the busy handler); rc::kBusySnapshot in WAL mode if this
  // connection's snapshot is stale. On failure the read transaction stays
  // open (end_read() and retry for kBusySnapshot).
  Status begin_write(bool exclusive = false);
  bool in_read() const;
  bool in_write() const;
  // Makes the transaction durable per journal mode and synchronous level,
  // then drops to no transaction.
  Status commit();
  // commit() in two phases, for a transaction over several database files
  // (super_journal.h). Phase one makes the changes durable in the database
  // file while the journal stays hot, after appending `super_journal` (a
  // name, or empty) to it; rollback() can still undo them. Phase two ends
  // the transaction (finalizes the journal). Modes outside the rollback
  // family commit entirely in phase one.
  Status commit_phase_one(std::string_view super_journal);
  Status commit_phase_two();
  // True in a write transaction whose journal is a file on disk that a
  // super-journal must list (DELETE, TRUNCATE, PERSIST; not in-memory,
  // not synchronous = OFF), as SQLite's aMJNeeded.
  bool needs_super_journal() const;
  // "<database path>-journal".
  const std::string& journal_path() const;
  // Restores every page changed in the transaction and drops to no
  // transaction. Never fails to leave the file consistent: if rollback
  // cannot complete, the hot journal stays for the next opener.
  Status rollback();

  // Nested savepoints inside a write transaction (statement journals and
  // SQL SAVEPOINT). open_savepoint returns the new depth (1-based).
  Result<int> open_savepoint();
  // Forget savepoints at depth >= depth, keeping their changes.
  Status release_savepoint(int depth);
  // Undo changes made since savepoint `depth` was opened; it stays open.
  Status rollback_to_savepoint(int depth);

  // --- pages ------------------------------------------------------------
  // Page n (1 <= n <= page_count(), or up to page_count()+1 during a write
  // to read a new page — page_count()+2 when page_count()+1 is the
  // pending-byte page, which is never used). A new page reads as zeros,
  // except page 1 of an empty database, which comes with the 100-byte header
  // already filled in (the b-tree initializes the rest), and a page that was
  // cut off by truncate() earlier in the same transaction, which keeps its
  // old bytes (callers initialize new pages after make_writable()).
  // rc::kCorrupt for 0, the pending-byte page or a page beyond those bounds;
  // codec failures return its status (e.g. corrupt / auth). No heap
  // allocation when the page is cached.
  Result<PageRef> get(PageNo n);
  // A hint: page n will be read soon (a scan's next leaf). If it is cached,
  // its bytes are requested from memory now (CPU prefetch), so that the
  // later get() and the reads of its cells do not wait for them. Never
  // reads the file, pins or changes anything; `bytes` caps how much of the
  // page is requested.
  void prefetch(PageNo n, uint32_t bytes) const;
  // The bytes of page n if it is in the cache, else nullptr; for read-ahead
  // hints only (computing addresses to prefetch). Never reads the file, pins
  // or changes anything; the pointer is valid only until the next call into
  // the pager, and the bytes may be a stale image of the page.
  const uint8_t* peek(PageNo n) const;
  // As get() but for a page the caller will overwrite entirely (a freelist
  // page being reused): skips reading it from disk if not cached.
  Result<PageRef> get_no_content(PageNo n);
  // Journals the page's original image (first change in this transaction
  // and savepoint) and marks it dirty. Requires in_write().
  Status make_writable(PageRef& page);
  // Sets the database size in pages for this transaction; pages beyond it
  // are discarded at commit (used by freelist truncation and vacuum).
  Status truncate(PageNo new_page_count);

  // Replaces the whole database, outside any transaction or in a write
  // transaction that changed nothing yet, with a new image
  // of `pages` pages of `page_size` bytes: read_page(n, out) fills page n as
  // the b-tree sees it (its header byte 20 = reserved bytes, at least
  // codec's), and each page is stored through `codec` (nullptr = identity).
  // The old file's pages go into the rollback journal as stored first, so a
  // crash at any point leaves the old file or the new one, whichever codec
  // the next opener has (design note in pager_rewrite.cpp). Afterwards the
  // pager uses the new page size, reserved bytes and codec; the codec must
  // outlive the pager. Rollback-journal modes only (rc::kError in WAL or a
  // module's mode). For VACUUM with a new page size and re-encryption.
  Status rewrite(uint32_t page_size, PageNo pages, ext::PageCodec* codec,
                 const std::function<Status(PageNo, uint8_t*)>& read_page);

  // --- configuration ------------------------------------------------------
  // Switches journal mode outside a transaction, as PRAGMA journal_mode:
  // into and out of WAL rewrites header bytes 18/19 (2 = WAL) in a
  // transaction of its own; leaving WAL needs the only connection (rc::kBusy
  // otherwise). An in-memory database keeps MEMORY unless OFF is asked.
  Status set_journal_mode(JournalModeKind mode);
  // Installs a module's journal mode (kModule); same rules as above. If the
  // mode's file_format_version() differs from header bytes 18/19, they are
  // rewritten through the new mode; leaving it rewrites them to 1 (or 2).
  Status set_journal_mode(std::unique_ptr<ext::JournalMode> mode);
  JournalModeKind journal_mode() const;
  // The active mode's name ("delete", "wal", a module's name).
  std::string_view journal_mode_name() const;
  void set_synchronous(SyncLevel level);
  SyncLevel synchronous() const;
  void set_cache_size(int64_t cache_size);  // SQLite PRAGMA cache_size semantics
  int64_t cache_size() const;
  void set_busy_handler(std::function<bool(int)> handler);

  // WAL checkpoint; OK with result fields -1 when not in WAL mode.
  Result<CheckpointResult> checkpoint(CheckpointMode mode);
  // Frames threshold for automatic checkpoints after commit (default 1000; 0 = off).
  void set_wal_autocheckpoint(int frames);

  PagerStats stats() const;

  const std::string& path() const;
  bool read_only() const;
  bool is_memory() const;

 private:
  Pager();
  friend class PageRef;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel::storage
