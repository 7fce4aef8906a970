#include "storage/pager/rollback_journal.h"

#include <cstring>

#include "base/bytes.h"
#include "storage/pager/db_header.h"
#include "storage/pager/mem_file.h"
#include "storage/pager/pager.h"
#include "storage/pager/super_journal.h"

namespace keel::storage {

namespace {

std::span<const std::byte> as_bytes(const uint8_t* p, size_t n) {
  return {reinterpret_cast<const std::byte*>(p), n};
}
std::span<std::byte> as_writable_bytes(uint8_t* p, size_t n) { return {reinterpret_cast<std::byte*>(p), n}; }

// A read that may run past the end of the file: short reads are zero-filled.
Status read_allow_short(os::VfsFile& f, void* buf, size_t n, uint64_t off) {
  Status s = f.read(buf, n, off);
  if (s.code() == rc::kIoErrShortRead) return Status::Ok();
  return s;
}

}  // namespace

RollbackJournal::RollbackJournal(JournalModeKind kind, os::Vfs& vfs, os::VfsFile& db,
                                 std::string journal_path, bool memory_db)
    : kind_(kind), vfs_(vfs), db_(db), journal_path_(std::move(journal_path)), memory_db_(memory_db) {}

RollbackJournal::~RollbackJournal() = default;

std::string_view RollbackJournal::name() const {
  switch (kind_) {
    case JournalModeKind::kDelete:
      return "delete";
    case JournalModeKind::kTruncate:
      return "truncate";
    case JournalModeKind::kPersist:
      return "persist";
    case JournalModeKind::kMemory:
      return "memory";
    case JournalModeKind::kOff:
      return "off";
    default:
      return "delete";
  }
}

bool RollbackJournal::journal_in_memory() const { return kind_ == JournalModeKind::kMemory; }
bool RollbackJournal::journal_off() const { return kind_ == JournalModeKind::kOff; }

Status RollbackJournal::attach(ext::PagerHost& host) {
  host_ = &host;
  sector_ = journal::sector_size_for(db_);
  return Status::Ok();
}

Status RollbackJournal::set_kind(JournalModeKind kind) {
  if (writing_) return Status(rc::kError, "cannot change journal mode within a transaction");
  bool old_keeps_file = kind_ == JournalModeKind::kPersist || kind_ == JournalModeKind::kTruncate;
  bool new_deletes =
      kind == JournalModeKind::kDelete || kind == JournalModeKind::kOff || kind == JournalModeKind::kMemory;
  kind_ = kind;
  if (old_keeps_file && new_deletes && !memory_db_) {
    // As SQLite's sqlite3PagerSetJournalMode(): the kept journal must go, and
    // deleting it needs RESERVED so no other connection can be writing one.
    close_journal();
    ext::DbLock held = host_->db_lock();
    Status s;
    if (held == ext::DbLock::kNone) s = host_->lock_db(ext::DbLock::kShared, false);
    if (s.ok() && held < ext::DbLock::kReserved) s = host_->lock_db(ext::DbLock::kReserved, false);
    if (s.ok()) vfs_.remove(journal_path_, false).ignore();
    if (held < ext::DbLock::kReserved) host_->unlock_db(held).ignore();
  }
  return Status::Ok();
}

// --- read transactions -------------------------------------------------

Result<bool> RollbackJournal::has_hot_journal() {
  if (memory_db_) return false;
  KEEL_ASSIGN_OR_RETURN(bool exists, vfs_.exists(journal_path_));
  if (!exists) return false;
  KEEL_ASSIGN_OR_RETURN(bool reserved, db_.check_reserved_lock());
  if (reserved) return false;
  KEEL_ASSIGN_OR_RETURN(ext::PageNo pages, host_->db_file_pages());
  if (pages == 0 && !jfd_) {
    // A journal beside an empty database is a remnant (or the rollback of the
    // transaction that created the database): delete it under RESERVED.
    if (host_->lock_db(ext::DbLock::kReserved, false).ok()) {
      vfs_.remove(journal_path_, false).ignore();
      host_->unlock_db(ext::DbLock::kShared).ignore();
    }
    return false;
  }
  os::VfsFile* f = jfd_.get();
  std::unique_ptr<os::VfsFile> tmp;
  if (f == nullptr) {
    os::OpenFlags flags;
    flags.read_only = true;
    flags.kind = os::FileKind::kMainJournal;
    auto opened = vfs_.open(journal_path_, flags);
    if (!opened.ok()) {
      // Exists but cannot be opened: treat as hot, as SQLite does; opening it
      // read-write for the rollback reports the real problem.
      if (opened.status().is(rc::kCantOpen)) return true;
      return opened.take_status();
    }
    tmp = std::move(opened).value();
    f = tmp.get();
  }
  uint8_t first = 0;
  KEEL_RETURN_IF_ERROR(read_allow_short(*f, &first, 1, 0));
  return first != 0;
}

Status RollbackJournal::roll_back_hot_journal() {
  // EXCLUSIVE without waiting: a busy result goes back to the pager, whose
  // busy handler decides whether to retry the whole read.
  KEEL_RETURN_IF_ERROR(host_->lock_db(ext::DbLock::kExclusive, false));
  if (!jfd_) {
    os::OpenFlags flags;
    flags.kind = os::FileKind::kMainJournal;
    auto opened = vfs_.open(journal_path_, flags);
    if (!opened.ok()) {
      host_->unlock_db(ext::DbLock::kShared).ignore();
      if (opened.status().is(rc::kCantOpen)) {
        return Status(rc::kReadOnlyRollback, "attempt to write a readonly database");
      }
      return opened.take_status();
    }
    jfd_ = std::move(opened).value();
  }
  // pagerSyncHotJournal(): make sure the journal is durable before the
  // database file is touched.
  Status s;
  if (!no_sync()) s = jfd_->sync(os::SyncFlags::kNormal);
  // The super-journal this journal names, if any (read before finalizing).
  std::string super_name;
  if (s.ok()) {
    auto sn = journal::read_super_journal(*jfd_);
    if (sn.ok()) {
      super_name = std::move(sn).value();
    } else {
      s = sn.take_status();
    }
  }
  if (s.ok()) s = playback(*jfd_, /*hot=*/true, UINT64_MAX);
  if (s.ok()) {
    journal_off_ = 1;  // the journal has content: finalize it
    super_written_ = !super_name.empty();
    s = finalize_journal();
  }
  if (s.ok() && !super_name.empty()) {
    // The transaction was rolled back here: the super-journal may go once
    // no other journal of it remains (pager_delsuper).
    s = super_journal::delete_if_unused(vfs_, super_name);
  }
  if (!s.ok()) close_journal();  // leave the hot journal for the next opener
  reset_transaction();
  Status u = host_->unlock_db(ext::DbLock::kShared);
  if (s.ok()) s = std::move(u);
  return s;
}

Status RollbackJournal::begin_read(bool* snapshot_changed) {
  *snapshot_changed = false;
  KEEL_RETURN_IF_ERROR(host_->lock_db(ext::DbLock::kShared, false));
  auto fail = [this](Status s) {
    host_->unlock_db(ext::DbLock::kNone).ignore();
    return s;
  };
  auto hot = has_hot_journal();
  if (!hot.ok()) return fail(hot.take_status());
  if (*hot) {
    Status s = roll_back_hot_journal();
    if (!s.ok()) return fail(std::move(s));
    have_vers_ = false;
  }
  // SQLite's change detection: bytes 24..39 of the file (change counter and
  // what follows) differ from what this connection last saw.
  uint8_t vers[16];
  Status s = read_allow_short(db_, vers, sizeof vers, 24);
  if (!s.ok()) return fail(std::move(s));
  if (!have_vers_ || std::memcmp(vers, db_file_vers_, sizeof vers) != 0) {
    std::memcpy(db_file_vers_, vers, sizeof vers);
    have_vers_ = true;
    *snapshot_changed = true;
  }
  return Status::Ok();
}

void RollbackJournal::end_read() { host_->unlock_db(ext::DbLock::kNone).ignore(); }

// --- playback ----------------------------------------------------------

Status RollbackJournal::truncate_db(uint32_t page_size, uint32_t pages) {
  // pager_truncate(): shrink, or grow by writing a zero last page.
  KEEL_ASSIGN_OR_RETURN(uint64_t size, db_.size());
  uint64_t want = uint64_t{page_size} * pages;
  if (size > want) return db_.truncate(want);
  if (size + page_size <= want) {
    std::vector<uint8_t> zero(page_size, 0);
    return db_.write(zero.data(), page_size, want - page_size);
  }
  return Status::Ok();
}

Status RollbackJournal::playback(os::VfsFile& f, bool hot, uint64_t own_last_header) {
  KEEL_ASSIGN_OR_RETURN(uint64_t size, f.size());
  KEEL_ASSIGN_OR_RETURN(std::string super_name, journal::read_super_journal(f));
  if (!super_name.empty()) {
    // A multi-database transaction is committed once its super-journal is
    // gone; then this journal is stale, not hot.
    KEEL_ASSIGN_OR_RETURN(bool super_exists, vfs_.exists(super_name));
    if (!super_exists) return Status::Ok();
  }

  uint32_t sector = sector_;
  uint32_t page_size = 0;
  uint32_t orig_pages = 0;
  uint64_t off = 0;
  bool first = true;
  std::vector<uint8_t> rec;
  const ext::PageNo never = 0;
  ext::PageNo pending = never;
  for (;;) {
    uint64_t hdr = first ? 0 : journal::next_header_offset(off, sector);
    // A later header needs a whole sector; the first only its fields (its
    // own sector size decides where records start).
    if (hdr + (first ? journal::kHeaderFields : sector) > size) break;
    uint8_t raw[journal::kHeaderFields];
    KEEL_RETURN_IF_ERROR(f.read(raw, sizeof raw, hdr));
    journal::Header h;
    bool magic_ok = journal::decode_header(raw, &h);
    if (!magic_ok) {
      // Only this connection's newest header may lack its magic (not yet
      // synced); anything else ends the journal.
      if (hot || hdr != own_last_header) break;
      h.n_rec = 0;
      h.cksum_init = get_u32(raw + 12);
      h.orig_pages = get_u32(raw + 16);
      h.sector_size = get_u32(raw + 20);
      h.page_size = get_u32(raw + 24);
    }
    if (first) {
      if (!dbheader::valid_page_size(h.page_size) || h.sector_size < journal::kMinSector ||
          h.sector_size > journal::kMaxSector || (h.sector_size & (h.sector_size - 1)) != 0) {
        return Status(rc::kCorrupt, "database disk image is malformed");
      }
      page_size = h.page_size;
      sector = h.sector_size;
      orig_pages = h.orig_pages;
      pending = dbheader::pending_byte_page(page_size);
      rec.resize(journal::record_size(page_size));
    }
    off = hdr + sector;
    uint64_t n_rec = h.n_rec;
    uint64_t rsz = journal::record_size(page_size);
    if (n_rec == journal::kNRecToEof) n_rec = (size - off) / rsz;
    if (n_rec == 0 && !hot && hdr == own_last_header) n_rec = (size - off) / rsz;
    if (first) {
      KEEL_RETURN_IF_ERROR(truncate_db(page_size, orig_pages));
      first = false;
    }
    for (uint64_t i = 0; i < n_rec; ++i) {
      if (off + rsz > size) goto done;  // torn tail: the rest was never synced
      KEEL_RETURN_IF_ERROR(f.read(rec.data(), rec.size(), off));
      off += rsz;
      uint32_t pgno = get_u32(rec.data());
      const uint8_t* image = rec.data() + 4;
      uint32_t cksum = get_u32(rec.data() + 4 + page_size);
      if (pgno == 0 || pgno == pending) goto done;
      if (pgno > orig_pages) continue;
      if (cksum != journal::checksum(h.cksum_init, image, page_size)) goto done;
      KEEL_RETURN_IF_ERROR(db_.write(image, page_size, uint64_t{pgno - 1} * page_size));
      if (pgno == 1) note_page1(image);
    }
  }
done:
  if (!no_sync()) KEEL_RETURN_IF_ERROR(db_.sync(os::SyncFlags::kNormal));
  return Status::Ok();
}

// --- write transactions ------------------------------------------------

void RollbackJournal::reset_transaction() {
  writing_ = false;
  header_synced_ = false;
  journal_started_ = false;
  need_sync_ = false;
  db_modified_ = false;
  phase_one_done_ = false;
  empty_commit_ = false;
  super_written_ = false;
  journal_off_ = 0;
  journal_hdr_ = 0;
  n_rec_ = 0;
  in_journal_.clear();
  unsynced_.clear();
  unsynced_list_.clear();
}

void RollbackJournal::note_page1(const uint8_t* encoded) {
  std::memcpy(db_file_vers_, encoded + 24, sizeof db_file_vers_);
  have_vers_ = true;
}

Status RollbackJournal::begin_write(bool exclusive) {
  KEEL_RETURN_IF_ERROR(host_->lock_db(ext::DbLock::kReserved, false));
  if (exclusive) {
    Status s = host_->lock_db(ext::DbLock::kExclusive, true);
    if (!s.ok()) {
      host_->unlock_db(ext::DbLock::kShared).ignore();
      return s;
    }
  }
  reset_transaction();
  KEEL_ASSIGN_OR_RETURN(orig_pages_, host_->db_file_pages());
  writing_ = true;
  buf_.resize(journal::record_size(host_->page_size()));
  return Status::Ok();
}

Status RollbackJournal::open_journal() {
  if (journal_in_memory() || memory_db_) {
    jfd_ = std::make_unique<MemFile>();
    jfd_in_memory_ = true;
  } else if (!jfd_) {
    os::OpenFlags flags;
    flags.create = true;
    flags.kind = os::FileKind::kMainJournal;
    KEEL_ASSIGN_OR_RETURN(jfd_, vfs_.open(journal_path_, flags));
  }
  journal_off_ = 0;
  journal_hdr_ = 0;
  n_rec_ = 0;
  journal_started_ = true;
  return write_header();
}

Status RollbackJournal::write_header() {
  // writeJournalHdr(): a synced journal gets its magic and nRec only when it
  // is synced (sync_journal); unsynced journals (synchronous OFF, MEMORY,
  // safe-append devices) carry them from the start with nRec = "to EOF".
  bool safe_append = (db_.device_characteristics() & os::kIoCapSafeAppend) != 0;
  bool with_magic = no_sync() || journal_in_memory() || memory_db_ || safe_append;
  journal::Header h;
  h.n_rec = with_magic ? journal::kNRecToEof : 0;
  uint32_t nonce = 0;
  vfs_.randomness(&nonce, sizeof nonce);
  cksum_init_ = nonce;
  h.cksum_init = cksum_init_;
  h.orig_pages = orig_pages_;
  h.sector_size = sector_;
  h.page_size = host_->page_size();
  journal_hdr_ = journal_off_ = journal::next_header_offset(journal_off_, sector_);
  // The header fills one sector; when the page is smaller than a sector the
  // 28 bytes are repeated every page-size bytes, as SQLite writes them.
  uint32_t unit = std::min(h.page_size, sector_);
  std::vector<uint8_t> sector(sector_, 0);
  for (uint32_t at = 0; at < sector_; at += unit) journal::encode_header(sector.data() + at, h, with_magic);
  KEEL_RETURN_IF_ERROR(jfd_->write(sector.data(), sector.size(), journal_off_));
  journal_off_ += sector_;
  header_synced_ = false;
  return Status::Ok();
}

Status RollbackJournal::write_record(uint32_t pgno, const uint8_t* encoded) {
  uint32_t ps = host_->page_size();
  put_u32(buf_.data(), pgno);
  if (encoded != buf_.data() + 4) std::memcpy(buf_.data() + 4, encoded, ps);
  put_u32(buf_.data() + 4 + ps, journal::checksum(cksum_init_, buf_.data() + 4, ps));
  KEEL_RETURN_IF_ERROR(jfd_->write(buf_.data(), buf_.size(), journal_off_));
  journal_off_ += buf_.size();
  ++n_rec_;
  need_sync_ = true;
  set_in_journal(pgno);
  return Status::Ok();
}

Status RollbackJournal::before_change(ext::PageNo page, std::span<const std::byte> original) {
  if (journal_off()) return Status::Ok();
  if (!journal_started_) KEEL_RETURN_IF_ERROR(open_journal());
  if (page > orig_pages_ || in_journal(page)) return Status::Ok();
  uint32_t ps = host_->page_size();
  KEEL_RETURN_IF_ERROR(host_->encode_page(page, original, as_writable_bytes(buf_.data() + 4, ps)));
  return write_record(page, buf_.data() + 4);
}

Status RollbackJournal::sync_journal(bool new_header) {
  if (!journal_started_ || journal_off()) return Status::Ok();
  // Already durable (a commit retried after rc::kBusy): nothing to add.
  if (header_synced_ && !need_sync_) return Status::Ok();
  if (!no_sync() && !journal_in_memory() && !memory_db_) {
    int dc = db_.device_characteristics();
    if ((dc & os::kIoCapSafeAppend) == 0) {
      // A stale header left by an earlier PERSIST transaction right where
      // the next header would go must not be mistaken for part of this one.
      uint64_t next = journal::next_header_offset(journal_off_, sector_);
      uint8_t magic[8];
      Status r = jfd_->read(magic, sizeof magic, next);
      if (r.ok() && std::memcmp(magic, journal::kMagic, 8) == 0) {
        static const uint8_t zero = 0;
        KEEL_RETURN_IF_ERROR(jfd_->write(&zero, 1, next));
      } else if (!r.ok() && r.code() != rc::kIoErrShortRead) {
        return r;
      }
      if (full_sync() && (dc & os::kIoCapSequential) == 0) {
        KEEL_RETURN_IF_ERROR(jfd_->sync(os::SyncFlags::kNormal));
      }
      uint8_t head[12];
      std::memcpy(head, journal::kMagic, 8);
      put_u32(head + 8, n_rec_);
      KEEL_RETURN_IF_ERROR(jfd_->write(head, sizeof head, journal_hdr_));
    }
    if ((dc & os::kIoCapSequential) == 0) KEEL_RETURN_IF_ERROR(jfd_->sync(os::SyncFlags::kNormal));
    journal_hdr_ = journal_off_;
    if (new_header && (dc & os::kIoCapSafeAppend) == 0) {
      n_rec_ = 0;
      KEEL_RETURN_IF_ERROR(write_header());
    }
  } else {
    journal_hdr_ = journal_off_;
  }
  need_sync_ = false;
  clear_unsynced();
  header_synced_ = !new_header;
  return Status::Ok();
}

Status RollbackJournal::write_pages(std::span<const ext::PageImage> pages) {
  uint32_t ps = host_->page_size();
  // Set first: a write that fails half way has still changed the file, and
  // rollback must then play the journal back.
  if (!pages.empty()) db_modified_ = true;
  for (const ext::PageImage& p : pages) {
    uint8_t* enc = buf_.data() + 4;
    KEEL_RETURN_IF_ERROR(host_->encode_page(p.page_no, p.data, as_writable_bytes(enc, ps)));
    KEEL_RETURN_IF_ERROR(host_->write_db_raw(p.page_no, as_bytes(enc, ps)));
    if (p.page_no == 1) note_page1(enc);
  }
  return Status::Ok();
}

bool RollbackJournal::spill_needs_sync(std::span<const ext::PageImage> pages) const {
  if (!need_sync_) return false;
  if (!db_modified_) return true;
  for (const ext::PageImage& p : pages) {
    if (unsynced(p.page_no)) return true;
  }
  return false;
}

Status RollbackJournal::spill(std::span<const ext::PageImage> pages, ext::PageNo) {
  if (!writing_) return Status(rc::kMisuse, "spill outside a write transaction");
  // Sync only when a page needs it: a transaction that mostly appends
  // (new pages) spills without a sync each time, as SQLite's pagerStress.
  if (spill_needs_sync(pages)) KEEL_RETURN_IF_ERROR(sync_journal(/*new_header=*/true));
  KEEL_RETURN_IF_ERROR(host_->lock_db(ext::DbLock::kExclusive, true));
  return write_pages(pages);
}

Status RollbackJournal::commit(std::span<const ext::PageImage> pages, ext::PageNo db_pages) {
  KEEL_RETURN_IF_ERROR(commit_phase_one(pages, db_pages, {}));
  return commit_phase_two();
}

Status RollbackJournal::write_super_journal(std::string_view name) {
  if (super_written_ || name.empty() || !jfd_ || jfd_in_memory_ || journal_off()) return Status::Ok();
  // In full-sync mode the trailer starts a new sector: the records before
  // it may already be synced.
  if (full_sync()) journal_off_ = journal::next_header_offset(journal_off_, sector_);
  std::vector<uint8_t> trailer =
      journal::encode_super_trailer(name, dbheader::pending_byte_page(host_->page_size()));
  KEEL_RETURN_IF_ERROR(jfd_->write(trailer.data(), trailer.size(), journal_off_));
  journal_off_ += trailer.size();
  super_written_ = true;
  super_name_ = std::string(name);
  need_sync_ = true;
  // A kept (PERSIST) journal may run on past the trailer: recovery looks for
  // the name at the very end, so cut the rest off.
  KEEL_ASSIGN_OR_RETURN(uint64_t size, jfd_->size());
  if (size > journal_off_) KEEL_RETURN_IF_ERROR(jfd_->truncate(journal_off_));
  return Status::Ok();
}

Status RollbackJournal::commit_phase_one(std::span<const ext::PageImage> pages, ext::PageNo db_pages,
                                         std::string_view super_journal) {
  if (!writing_) return Status(rc::kMisuse, "commit outside a write transaction");
  if (phase_one_done_) return Status::Ok();
  if (!journal_started_ && pages.empty() && !db_modified_) {
    // Nothing changed: a read-only write transaction ends without touching
    // any file.
    empty_commit_ = true;
    phase_one_done_ = true;
    return Status::Ok();
  }
  if (journal_started_ && !journal_off()) {
    // Pages the truncation is about to discard must be journaled first, or
    // a rollback could not bring them back.
    uint32_t ps = host_->page_size();
    for (uint32_t p = db_pages + 1; p <= orig_pages_; ++p) {
      if (in_journal(p)) continue;
      KEEL_RETURN_IF_ERROR(host_->read_db_raw(p, as_writable_bytes(buf_.data() + 4, ps)));
      KEEL_RETURN_IF_ERROR(write_record(p, buf_.data() + 4));
    }
    KEEL_RETURN_IF_ERROR(write_super_journal(super_journal));
    KEEL_RETURN_IF_ERROR(sync_journal(/*new_header=*/false));
  }
  KEEL_RETURN_IF_ERROR(host_->lock_db(ext::DbLock::kExclusive, true));
  KEEL_RETURN_IF_ERROR(write_pages(pages));
  KEEL_ASSIGN_OR_RETURN(ext::PageNo file_pages, host_->db_file_pages());
  if (db_pages > file_pages) {
    KEEL_RETURN_IF_ERROR(truncate_db(host_->page_size(), db_pages));
  }
  if (!no_sync()) KEEL_RETURN_IF_ERROR(host_->sync_db_file());
  commit_db_pages_ = db_pages;
  commit_file_pages_ = file_pages;
  phase_one_done_ = true;
  return Status::Ok();
}

Status RollbackJournal::commit_phase_two() {
  if (!writing_ || !phase_one_done_) return Status(rc::kMisuse, "commit phase two before phase one");
  if (empty_commit_) {
    reset_transaction();
    return host_->unlock_db(ext::DbLock::kShared);
  }
  // Commit point: the journal stops being hot.
  KEEL_RETURN_IF_ERROR(finalize_journal());
  // Committed from here on, whatever happens next.
  Status s;
  if (commit_file_pages_ > commit_db_pages_) s = host_->truncate_db_file(commit_db_pages_);
  reset_transaction();
  Status u = host_->unlock_db(ext::DbLock::kShared);
  return s.ok() ? u : s;
}

Status RollbackJournal::finalize_journal() {
  if (!jfd_) return Status::Ok();
  Status s;
  if (jfd_in_memory_) {
    close_journal();
  } else if (kind_ == JournalModeKind::kTruncate) {
    if (journal_off_ != 0) {
      s = jfd_->truncate(0);
      if (s.ok() && full_sync()) s = jfd_->sync(os::SyncFlags::kNormal);
    }
  } else if (kind_ == JournalModeKind::kPersist) {
    if (journal_off_ != 0 && super_written_) {
      // A journal of a multi-database commit is cut to nothing: its
      // trailer must not keep naming the super-journal (zeroJournalHdr).
      s = jfd_->truncate(0);
      if (s.ok() && !no_sync()) s = jfd_->sync(os::SyncFlags::kNormal);
    } else if (journal_off_ != 0) {
      static const uint8_t zero_header[journal::kHeaderFields] = {};
      s = jfd_->write(zero_header, sizeof zero_header, 0);
      if (s.ok() && !no_sync()) s = jfd_->sync(os::SyncFlags::kNormal);
    }
  } else {
    // DELETE, and a hot journal rolled back while in MEMORY/OFF mode (as
    // SQLite's pager_end_transaction(): that file must go too).
    close_journal();
    s = vfs_.remove(journal_path_, extra_sync());
    if (s.code() == rc::kIoErrDeleteNoEnt) s = Status::Ok();
  }
  journal_off_ = 0;
  return s;
}

Status RollbackJournal::rollback() {
  if (!writing_) return Status::Ok();
  Status s;
  if (db_modified_ && journal_started_ && jfd_ && !journal_off()) {
    s = playback(*jfd_, /*hot=*/false, journal_hdr_);
    if (!s.ok()) {
      // Leave the journal in place: it is hot for the next opener once our
      // locks are gone.
      close_journal();
      reset_transaction();
      host_->unlock_db(ext::DbLock::kShared).ignore();
      return s;
    }
    // Pages read back from the file after a spill hold uncommitted bytes
    // even if this transaction never touched them again.
    host_->discard_cache();
  } else if (db_modified_) {
    host_->discard_cache();  // OFF: nothing to play back, but the cache is stale all the same
  }
  if (journal_started_) s = finalize_journal();
  if (s.ok() && super_written_) s = super_journal::delete_if_unused(vfs_, super_name_);
  reset_transaction();
  Status u = host_->unlock_db(ext::DbLock::kShared);
  return s.ok() ? u : s;
}

Status RollbackJournal::close() {
  close_journal();
  return Status::Ok();
}

}  // namespace keel::storage
