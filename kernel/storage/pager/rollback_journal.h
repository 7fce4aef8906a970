// RollbackJournal: the built-in rollback-journal family of JournalModes —
// DELETE, TRUNCATE, PERSIST, MEMORY and OFF — in SQLite's exact file format
// and with SQLite's sequence of writes, syncs and locks.
//
// Design note (after sqlite/src/pager.c)
//
// A write transaction copies the original image of each page it changes into
// <db>-journal before the page may reach the database file. Sequence of a
// commit (synchronous = FULL; NORMAL skips step 2, OFF every sync):
//   1. journal header (magic and nRec zero) + records are written as pages
//      are first changed
//   2. fsync journal
//   3. write magic + nRec into the header (the journal becomes "hot")
//   4. fsync journal
//   5. EXCLUSIVE lock (via PENDING), write dirty pages to the database
//   6. fsync database
//   7. finalize the journal: delete (DELETE; EXTRA also fsyncs the
//      directory), truncate to 0 (TRUNCATE), zero the header (PERSIST) —
//      this is the commit point
//   8. truncate the database if it shrank; drop to SHARED
// A spill (cache pressure) does 2-5 mid-transaction and starts a new journal
// header at the next sector boundary, so records journaled later are synced
// before the pages they protect are overwritten.
//
// Invariants
//   I1. A page is written to the database file only after its original
//       image is in a synced journal (or the mode is OFF/MEMORY).
//   I2. Each page <= the original size is journaled at most once per
//       transaction (in_journal_ bitmap).
//   I3. A journal whose first byte is nonzero, that exists while nobody holds
//       RESERVED, is hot: the next reader takes EXCLUSIVE, plays it back,
//       syncs the database and finalizes the journal before reading.
//
// Locks: SHARED for a read transaction; RESERVED from begin_write; EXCLUSIVE
// before the first database write (spill or commit), waiting through the
// busy handler; back to SHARED at commit/rollback.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "keel/ext/journal_mode.hpp"
#include "os/vfs.h"
#include "storage/pager/journal_format.h"

namespace keel::storage {

enum class JournalModeKind;

class RollbackJournal final : public ext::JournalMode {
 public:
  // `db` stays owned by the pager. memory_db: a temporary/in-memory database
  // (no hot-journal checks; MEMORY or OFF only).
  RollbackJournal(JournalModeKind kind, os::Vfs& vfs, os::VfsFile& db, std::string journal_path,
                  bool memory_db);
  ~RollbackJournal() override;

  JournalModeKind kind() const { return kind_; }
  // Switches within the rollback family outside a write transaction;
  // leaving PERSIST/TRUNCATE for DELETE/MEMORY/OFF deletes the kept journal.
  Status set_kind(JournalModeKind kind);

  std::string_view name() const override;
  uint8_t file_format_version() const override { return 1; }
  bool bumps_change_counter_every_commit() const override { return true; }

  Status attach(ext::PagerHost& host) override;
  Status begin_read(bool* snapshot_changed) override;
  void end_read() override;
  ext::PageNo snapshot_page_count() const override { return 0; }
  Result<bool> read_page(ext::PageNo, std::span<std::byte>) override { return false; }

  Status begin_write(bool exclusive) override;
  Status before_change(ext::PageNo page, std::span<const std::byte> original) override;
  Status spill(std::span<const ext::PageImage> pages, ext::PageNo db_pages) override;
  Status commit(std::span<const ext::PageImage> pages, ext::PageNo db_pages) override;
  Status rollback() override;

  // commit() in two steps, for a transaction over several databases
  // (super_journal.h). Phase one appends `super_journal` (if not empty) to
  // the journal, syncs it and writes and syncs the database: afterwards the
  // journal is still hot, and rollback() still undoes everything. Phase two
  // finalizes the journal (the commit point of a single file) and drops to
  // SHARED. commit() == phase one with no name + phase two.
  Status commit_phase_one(std::span<const ext::PageImage> pages, ext::PageNo db_pages,
                          std::string_view super_journal);
  Status commit_phase_two();
  bool phase_one_done() const { return phase_one_done_; }
  // Whether a journal file on disk protects this transaction (not MEMORY,
  // OFF or an in-memory database): the journal a super-journal lists.
  bool journal_on_disk() const { return !journal_off() && !journal_in_memory() && !memory_db_; }
  const std::string& journal_path() const { return journal_path_; }

  Status open_savepoint(int) override { return Status::Ok(); }
  Status release_savepoint(int) override { return Status::Ok(); }
  Status rollback_to_savepoint(int) override { return Status::Ok(); }

  Result<ext::CheckpointInfo> checkpoint(int) override { return ext::CheckpointInfo{}; }
  Status close() override;
  // Spilled pages are written into the database file in place.
  bool savepoint_rollback_drops_spills() const override { return false; }

  // Replaces the whole file inside the write transaction begun with
  // begin_write(), which must not have journaled or written anything yet
  // (Pager::rewrite, pager_rewrite.cpp): every page of the file is copied
  // into the journal as stored, the journal is synced (it is hot from then
  // on), then `pages` pages of `page_size` bytes, already encoded by
  // encoded_page(n, out), overwrite the file, which is cut to that size and
  // synced; finalizing the journal is the commit point. The journal header
  // keeps the old page size, so playing it back restores the old geometry.
  Status replace_file(uint32_t page_size, ext::PageNo pages,
                      const std::function<Status(ext::PageNo, uint8_t*)>& encoded_page);

 private:
  bool no_sync() const { return host_->synchronous() == 0; }
  bool full_sync() const { return host_->synchronous() >= 2; }
  bool extra_sync() const { return host_->synchronous() == 3; }
  bool journal_in_memory() const;
  bool journal_off() const;

  Result<bool> has_hot_journal();
  Status roll_back_hot_journal();
  // Plays journal `f` back into the database file (SQLite's pager_playback).
  // `own_last_header` is the offset of this connection's newest header
  // (whose magic/nRec may not be written yet) or UINT64_MAX for a hot journal.
  Status playback(os::VfsFile& f, bool hot, uint64_t own_last_header);
  Status truncate_db(uint32_t page_size, uint32_t pages);
  Status open_journal();
  Status write_header();
  Status write_record(uint32_t pgno, const uint8_t* encoded);
  Status sync_journal(bool new_header);
  Status write_pages(std::span<const ext::PageImage> pages);
  // pager_end_transaction(): finalizes the journal per mode.
  Status finalize_journal();
  void note_page1(const uint8_t* encoded);
  void close_journal() {
    jfd_.reset();
    jfd_in_memory_ = false;
  }
  void reset_transaction();
  // SQLite's writeSuperJournal().
  Status write_super_journal(std::string_view name);
  bool in_journal(uint32_t pgno) const {
    size_t i = pgno / 64;
    return i < in_journal_.size() && (in_journal_[i] >> (pgno % 64)) & 1;
  }
  void set_in_journal(uint32_t pgno) {
    size_t i = pgno / 64;
    if (i >= in_journal_.size()) in_journal_.resize(i + 1, 0);
    in_journal_[i] |= uint64_t{1} << (pgno % 64);
    if (i >= unsynced_.size()) unsynced_.resize(i + 1, 0);
    unsynced_[i] |= uint64_t{1} << (pgno % 64);
    unsynced_list_.push_back(pgno);
  }
  bool unsynced(uint32_t pgno) const {
    size_t i = pgno / 64;
    return i < unsynced_.size() && (unsynced_[i] >> (pgno % 64)) & 1;
  }
  // The journal was synced: every record written so far is durable.
  void clear_unsynced() {
    for (uint32_t pgno : unsynced_list_) unsynced_[pgno / 64] = 0;
    unsynced_list_.clear();
  }
  // Whether writing `pages` into the database file must wait for a journal
  // sync (SQLite's PGHDR_NEED_SYNC): a page whose original image was
  // journaled after the last sync, or, before the file was first changed,
  // any page (the journal header recording the original size must be
  // durable before the file grows). Pages beyond the original size have no
  // record and need no sync once the file has been changed.
  bool spill_needs_sync(std::span<const ext::PageImage> pages) const;

  JournalModeKind kind_;
  os::Vfs& vfs_;
  os::VfsFile& db_;
  std::string journal_path_;
  bool memory_db_;
  ext::PagerHost* host_ = nullptr;
  uint32_t sector_ = 512;

  std::unique_ptr<os::VfsFile> jfd_;  // open journal (kept open by TRUNCATE/PERSIST)
  bool jfd_in_memory_ = false;        // jfd_ is a MemFile (MEMORY mode, temporary database)
  bool writing_ = false;
  bool journal_started_ = false;  // header written in this transaction
  bool need_sync_ = false;        // records written since the last journal sync
  bool header_synced_ = false;    // the current header's magic/nRec are written and synced
  bool db_modified_ = false;      // pages reached the database file (spill)
  bool phase_one_done_ = false;   // commit_phase_one() succeeded; phase two pending
  bool empty_commit_ = false;     // phase one found nothing to write
  bool super_written_ = false;    // the super-journal trailer is in the journal
  std::string super_name_;        // ... naming this super-journal
  ext::PageNo commit_db_pages_ = 0;    // phase one's database size ...
  ext::PageNo commit_file_pages_ = 0;  // ... and the file's size before it
  uint32_t orig_pages_ = 0;       // database file size in pages at begin_write
  uint64_t journal_off_ = 0;
  uint64_t journal_hdr_ = 0;
  uint32_t n_rec_ = 0;
  uint32_t cksum_init_ = 0;
  std::vector<uint64_t> in_journal_;
  // Pages journaled since the last journal sync: a bitmap and its set bits
  // (so clearing costs what was set, not the database size).
  std::vector<uint64_t> unsynced_;
  std::vector<uint32_t> unsynced_list_;
  uint8_t db_file_vers_[16] = {};
  bool have_vers_ = false;
  std::vector<uint8_t> buf_;  // one journal record
};

}  // namespace keel::storage
