// WalJournal: the built-in "wal" JournalMode, an adapter from the
// JournalMode interface to storage::Wal (SQLite's WAL and wal-index formats).
//
// - Reads: Wal::find_frame/read_frame give the newest image of a page in the
//   reader's snapshot; pages not in the log come from the database file.
// - Writes: spills append non-commit frames, commit appends the remaining
//   dirty pages with a commit frame (fsynced at synchronous FULL/EXTRA);
//   rollback is Wal::undo, savepoints are Wal::savepoint/rollback_to.
// - Locks: as SQLite, a connection in WAL mode takes SHARED on the database
//   file at its first read and keeps it until it closes (so no connection can
//   delete the log under it); readers and the writer coordinate through the
//   wal-index.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "keel/ext/journal_mode.hpp"
#include "os/vfs.h"
#include "storage/wal/wal.h"

namespace keel::storage {

class WalJournal final : public ext::JournalMode {
 public:
  WalJournal(os::Vfs& vfs, os::VfsFile& db, std::string wal_path);
  ~WalJournal() override;

  std::string_view name() const override { return "wal"; }
  uint8_t file_format_version() const override { return 2; }
  bool bumps_change_counter_every_commit() const override { return false; }

  Status attach(ext::PagerHost& host) override;
  Status begin_read(bool* snapshot_changed) override;
  void end_read() override;
  ext::PageNo snapshot_page_count() const override;
  Result<bool> read_page(ext::PageNo page, std::span<std::byte> out) override;

  Status begin_write(bool exclusive) override;
  Status before_change(ext::PageNo, std::span<const std::byte>) override { return Status::Ok(); }
  Status spill(std::span<const ext::PageImage> pages, ext::PageNo db_pages) override;
  Status commit(std::span<const ext::PageImage> pages, ext::PageNo db_pages) override;
  Status rollback() override;

  Status open_savepoint(int depth) override;
  Status release_savepoint(int depth) override;
  Status rollback_to_savepoint(int depth) override;

  Result<ext::CheckpointInfo> checkpoint(int mode) override;
  Status close() override;

  // Frames in the log (automatic checkpoint threshold).
  uint32_t frame_count() const;
  // Leaving WAL mode: the caller holds EXCLUSIVE on the database; closes the
  // log (checkpointing and deleting it) without releasing the lock.
  Status leave();

 private:
  Status append(std::span<const ext::PageImage> pages, ext::PageNo db_pages, bool commit);

  os::Vfs& vfs_;
  os::VfsFile& db_;
  std::string wal_path_;
  ext::PagerHost* host_ = nullptr;
  std::unique_ptr<Wal> wal_;
  uint32_t page_size_ = 0;  // the page size wal_ was opened with (writes frames of it)
  bool reading_ = false;
  bool writing_ = false;
  std::vector<Wal::Position> savepoints_;
  std::vector<uint8_t> frames_;  // encoded images of one append
  std::vector<WalPage> wal_pages_;
  std::vector<uint8_t> scratch_;  // one encoded page
};

}  // namespace keel::storage
