// Pager internals: the state behind Pager, shared by pager.cpp (transactions,
// configuration) and pager_pages.cpp (page access, spill, savepoints).
//
// Design note
//
// States (one connection):
//   kNone  no lock held (WAL mode: SHARED on the database kept, see
//          wal_journal.h)
//   kRead  a snapshot: JournalMode::begin_read() succeeded; page_count_ and
//          the validated page-1 header belong to this snapshot
//   kWrite begin_write() succeeded; pages may be dirty
// Transitions: begin_read() kNone->kRead (implicit on get()), begin_write()
// kRead->kWrite, commit()/rollback() kWrite->kNone, end_read() kRead->kNone.
//
// Invariants
//   P1. A dirty cache entry belongs to the current write transaction; no entry
//       is dirty in kNone/kRead.
//   P2. touched_txn == txn_id_ iff JournalMode::before_change() was called for
//       the page in this transaction while it was cached (after an eviction
//       the mode's own bookkeeping prevents double journaling).
//   P3. A page is written to a file only through the codec; the cache holds
//       decoded images.
//   P4. While savepoints are open, before a page is changed or spilled its
//       current image is in the sub-journal for every open savepoint whose
//       size covers it (CachedPage::savepoint_id >= that savepoint's id).
//   P5. Pages above page_count_ are never written; cached copies of them may
//       stay (dirty) until the transaction ends.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "keel/ext/journal_mode.hpp"
#include "keel/ext/page_codec.hpp"
#include "storage/pager/page_cache.h"
#include "storage/pager/pager.h"
#include "storage/pager/rollback_journal.h"
#include "storage/pager/sub_journal.h"
#include "storage/pager/wal_journal.h"

namespace keel::storage {

inline bool is_rollback_kind(JournalModeKind k) {
  return k == JournalModeKind::kDelete || k == JournalModeKind::kTruncate || k == JournalModeKind::kPersist ||
         k == JournalModeKind::kMemory || k == JournalModeKind::kOff;
}

struct Pager::Impl final : ext::PagerHost {
  enum class State { kNone, kRead, kWrite };
  struct Savepoint {
    uint64_t id;
    uint64_t sub_records;
    PageNo page_count;
  };

  explicit Impl(uint32_t page_size) : cache(page_size) {}

  // --- configuration ---------------------------------------------------
  os::Vfs* vfs = nullptr;
  std::string path, journal_path, wal_path;
  PagerOptions options;
  std::unique_ptr<os::VfsFile> db;
  uint32_t page_size_ = 4096;
  uint8_t reserved = 0;
  ext::IdentityCodec identity;
  ext::PageCodec* codec = &identity;
  SyncLevel sync = SyncLevel::kFull;
  // The level PRAGMA synchronous reports: what was asked for, even where the
  // database has nothing to sync (in memory, `sync` is kOff), as SQLite.
  SyncLevel sync_setting = SyncLevel::kFull;
  int64_t cache_size_setting = -2000;
  int wal_autocheckpoint = 1000;
  std::function<bool(int)> busy_handler;

  // --- cache and mode ----------------------------------------------------
  PageCache cache;
  std::unique_ptr<ext::JournalMode> mode;
  JournalModeKind kind = JournalModeKind::kDelete;
  RollbackJournal* rollback_mode = nullptr;  // == mode when in the rollback family
  WalJournal* wal_mode = nullptr;            // == mode when in WAL mode

  // --- transaction state ---------------------------------------------------
  State state = State::kNone;
  PageNo page_count_ = 0;      // as the transaction sees it
  PageNo txn_start_count = 0;  // page_count_ when the write began
  PageNo storage_pages = 0;    // pages that exist in the file/log snapshot
  uint64_t txn_id = 0;
  bool txn_changed = false;
  bool phase_one_done = false;  // commit_phase_one() succeeded, phase two pending
  bool counter_stamped = false;  // page 1's change counter already bumped in this transaction
  bool in_spill = false;
  // Rewriting header bytes 18/19: do not follow what they say yet (SQLite's
  // BTS_NO_WAL).
  bool no_format_switch = false;
  std::unique_ptr<ext::JournalMode> pending_mode;  // a module's mode the file asks for
  uint64_t spill_count = 0;
  uint64_t pages_spilled = 0;
  std::vector<Savepoint> savepoints;
  uint64_t next_savepoint_id = 0;
  std::unique_ptr<SubJournal> sub_journal;

  // --- scratch (reused, so steady-state page traffic does not allocate) ----
  std::vector<uint8_t> scratch;
  std::vector<ext::PageImage> images;
  std::vector<CachedPage*> page_list;

  // --- ext::PagerHost ------------------------------------------------------
  uint32_t page_size() const override { return page_size_; }
  int synchronous() const override { return static_cast<int>(sync); }
  ext::PageNo transaction_page_count() const override { return page_count_; }
  Status encode_page(ext::PageNo page, std::span<const std::byte> in, std::span<std::byte> out) override;
  Status decode_page(ext::PageNo page, std::span<const std::byte> in, std::span<std::byte> out) override;
  Status read_db_page(ext::PageNo page, std::span<std::byte> out) override;
  Status write_db_page(ext::PageNo page, std::span<const std::byte> image) override;
  Status read_db_raw(ext::PageNo page, std::span<std::byte> out) override;
  Status write_db_raw(ext::PageNo page, std::span<const std::byte> encoded) override;
  Result<ext::PageNo> db_file_pages() override;
  Status truncate_db_file(ext::PageNo pages) override;
  Status sync_db_file() override;
  Status lock_db(ext::DbLock level, bool wait) override;
  Status unlock_db(ext::DbLock level) override;
  ext::DbLock db_lock() const override;
  bool busy(int attempts) override;
  void discard_cached_page(ext::PageNo page) override;
  void discard_cache() override;

  // --- pager.cpp -------------------------------------------------------------
  Status begin_read();
  void end_read();
  Status begin_write(bool exclusive);
  Status commit();
  Status commit_phase_one(std::string_view super_journal);
  Status commit_phase_two();
  Status rollback();
  Status install_mode(std::unique_ptr<ext::JournalMode> m, JournalModeKind k);
  Status enter_wal();
  Status leave_wal(JournalModeKind to);
  Status rewrite_file_format(uint8_t version);
  Status load_snapshot(bool changed, bool* switch_mode);
  void apply_cache_size();
  Status set_page_size_internal(uint32_t n);

  // --- pager_pages.cpp -------------------------------------------------------
  PageNo pending_page = 0;  // the page holding the lock bytes: never used
  Result<CachedPage*> fetch(PageNo n, bool no_content);
  Status read_into(PageNo n, uint8_t* out);
  Status make_writable(CachedPage* p);
  Status subjournal_if_needed(CachedPage* p);
  Status spill();
  void reload_or_drop(CachedPage* p);
  Result<int> open_savepoint();
  Status release_savepoint(int depth);
  Status rollback_to_savepoint(int depth);
};

}  // namespace keel::storage
