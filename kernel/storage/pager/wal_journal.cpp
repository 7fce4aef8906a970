#include "storage/pager/wal_journal.h"

#include <cstring>

namespace keel::storage {

WalJournal::WalJournal(os::Vfs& vfs, os::VfsFile& db, std::string wal_path)
    : vfs_(vfs), db_(db), wal_path_(std::move(wal_path)) {}

WalJournal::~WalJournal() = default;

Status WalJournal::attach(ext::PagerHost& host) {
  host_ = &host;
  page_size_ = host.page_size();
  KEEL_ASSIGN_OR_RETURN(wal_, Wal::open(vfs_, db_, wal_path_, page_size_));
  scratch_.resize(host.page_size());
  return Status::Ok();
}

Status WalJournal::begin_read(bool* snapshot_changed) {
  *snapshot_changed = false;
  if (host_->db_lock() < ext::DbLock::kShared) {
    KEEL_RETURN_IF_ERROR(host_->lock_db(ext::DbLock::kShared, false));
  }
  KEEL_RETURN_IF_ERROR(wal_->begin_read(snapshot_changed));
  reading_ = true;
  return Status::Ok();
}

void WalJournal::end_read() {
  if (reading_) wal_->end_read();
  reading_ = false;
}

ext::PageNo WalJournal::snapshot_page_count() const { return wal_->db_size(); }

Result<bool> WalJournal::read_page(ext::PageNo page, std::span<std::byte> out) {
  KEEL_ASSIGN_OR_RETURN(uint32_t frame, wal_->find_frame(page));
  if (frame == 0) return false;
  // The pager may learn the real page size after this mode attached (page 1
  // first read with a guessed size when the file header was unreadable), so
  // size the scratch page to the page asked for now: the codec must never
  // write more than `out` holds. A frame shorter than the page (the WAL
  // header names another page size) leaves zeros, never stale bytes.
  if (scratch_.size() != out.size()) scratch_.resize(out.size());
  if (wal_->page_size() < out.size()) std::memset(scratch_.data(), 0, scratch_.size());
  KEEL_RETURN_IF_ERROR(wal_->read_frame(frame, scratch_));
  KEEL_RETURN_IF_ERROR(host_->decode_page(
      page, std::span<const std::byte>(reinterpret_cast<const std::byte*>(scratch_.data()), scratch_.size()),
      out));
  return true;
}

Status WalJournal::begin_write(bool) {
  KEEL_RETURN_IF_ERROR(wal_->begin_write());
  writing_ = true;
  savepoints_.clear();
  return Status::Ok();
}

Status WalJournal::append(std::span<const ext::PageImage> pages, ext::PageNo db_pages, bool commit) {
  uint32_t ps = host_->page_size();
  // The log writes frames of the size it was opened with; a page size
  // learned later from page 1 (the file header was unreadable at open)
  // cannot be written into it.
  if (ps != page_size_) return Status(rc::kCorrupt, "WAL page size differs from the database page size");
  frames_.resize(pages.size() * size_t{ps});
  wal_pages_.clear();
  for (size_t i = 0; i < pages.size(); ++i) {
    uint8_t* enc = frames_.data() + i * ps;
    KEEL_RETURN_IF_ERROR(host_->encode_page(pages[i].page_no, pages[i].data,
                                            std::span<std::byte>(reinterpret_cast<std::byte*>(enc), ps)));
    wal_pages_.push_back(WalPage{pages[i].page_no, enc});
  }
  return wal_->append_frames(wal_pages_, db_pages, commit, commit && host_->synchronous() >= 2);
}

Status WalJournal::spill(std::span<const ext::PageImage> pages, ext::PageNo db_pages) {
  if (!writing_) return Status(rc::kMisuse, "spill outside a write transaction");
  return append(pages, db_pages, /*commit=*/false);
}

Status WalJournal::commit(std::span<const ext::PageImage> pages, ext::PageNo db_pages) {
  if (!writing_) return Status(rc::kMisuse, "commit outside a write transaction");
  if (!pages.empty()) KEEL_RETURN_IF_ERROR(append(pages, db_pages, /*commit=*/true));
  wal_->end_write();
  writing_ = false;
  savepoints_.clear();
  return Status::Ok();
}

Status WalJournal::rollback() {
  if (!writing_) return Status::Ok();
  Status s = wal_->undo([this](PageNo p) { host_->discard_cached_page(p); });
  wal_->end_write();
  writing_ = false;
  savepoints_.clear();
  return s;
}

Status WalJournal::open_savepoint(int depth) {
  savepoints_.resize(static_cast<size_t>(depth - 1));
  savepoints_.push_back(wal_->savepoint());
  return Status::Ok();
}

Status WalJournal::release_savepoint(int depth) {
  if (depth >= 1 && static_cast<size_t>(depth) <= savepoints_.size()) {
    savepoints_.resize(static_cast<size_t>(depth - 1));
  }
  return Status::Ok();
}

Status WalJournal::rollback_to_savepoint(int depth) {
  if (depth < 1 || static_cast<size_t>(depth) > savepoints_.size()) {
    return Status(rc::kMisuse, "no such savepoint");
  }
  Wal::Position pos = savepoints_[static_cast<size_t>(depth - 1)];
  savepoints_.resize(static_cast<size_t>(depth));
  return wal_->rollback_to(pos, [this](PageNo p) { host_->discard_cached_page(p); });
}

Result<ext::CheckpointInfo> WalJournal::checkpoint(int mode) {
  if (host_->db_lock() < ext::DbLock::kShared) {
    KEEL_RETURN_IF_ERROR(host_->lock_db(ext::DbLock::kShared, false));
  }
  auto busy = [this](int n) { return host_->busy(n); };
  KEEL_ASSIGN_OR_RETURN(Wal::CheckpointStats st, wal_->checkpoint(mode, busy, host_->synchronous() != 0));
  return ext::CheckpointInfo{st.log_frames, st.checkpointed_frames};
}

uint32_t WalJournal::frame_count() const { return wal_ ? wal_->frame_count() : 0; }

Status WalJournal::leave() {
  if (!wal_) return Status::Ok();
  Status s = wal_->close(host_->synchronous() != 0);
  wal_.reset();
  return s;
}

Status WalJournal::close() {
  Status s;
  if (wal_) {
    end_read();
    s = wal_->close(host_->synchronous() != 0);
    wal_.reset();
  }
  Status u = host_->unlock_db(ext::DbLock::kNone);
  return s.ok() ? u : s;
}

}  // namespace keel::storage
