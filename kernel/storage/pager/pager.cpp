// The pager: opening, read and write transactions, configuration. Page
// access lives in pager_pages.cpp, the PagerHost services in pager_host.cpp,
// journal mode switches in pager_switch.cpp; see pager_internal.h for the
// state diagram and invariants.
#include "storage/pager/pager.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>

#include "base/bytes.h"
#include "storage/pager/db_header.h"
#include "storage/pager/pager_internal.h"

namespace keel::storage {

namespace {

std::span<const std::byte> cbytes(const uint8_t* p, size_t n) {
  return {reinterpret_cast<const std::byte*>(p), n};
}

}  // namespace

// --- configuration --------------------------------------------------------

void Pager::Impl::apply_cache_size() {
  int64_t n = cache_size_setting;
  size_t pages;
  if (n >= 0) {
    pages = static_cast<size_t>(n);
  } else {
    // Negative: a budget in KiB, as SQLite's numberOfCachePages().
    pages = static_cast<size_t>((-n * 1024) / (int64_t{page_size_} + int64_t{sizeof(CachedPage)}));
  }
  cache.set_capacity(pages);
}

Status Pager::Impl::set_page_size_internal(uint32_t n) {
  page_size_ = n;
  pending_page = dbheader::pending_byte_page(n);
  scratch.assign(n, 0);
  cache.reset(n);
  apply_cache_size();
  return Status::Ok();
}

Status Pager::Impl::install_mode(std::unique_ptr<ext::JournalMode> m, JournalModeKind k) {
  KEEL_RETURN_IF_ERROR(m->attach(*this));
  mode = std::move(m);
  kind = k;
  rollback_mode = is_rollback_kind(k) ? static_cast<RollbackJournal*>(mode.get()) : nullptr;
  wal_mode = k == JournalModeKind::kWal ? static_cast<WalJournal*>(mode.get()) : nullptr;
  return Status::Ok();
}

// --- read transactions ------------------------------------------------------

// After the mode granted a snapshot: drop stale pages, learn the size,
// validate page 1. *switch_mode when the file says it belongs to another
// journal mode (WAL, or a module's: then pending_mode holds it).
Status Pager::Impl::load_snapshot(bool changed, bool* switch_mode) {
  *switch_mode = false;
  PageNo file_pages = mode->snapshot_page_count();
  if (file_pages == 0) {
    KEEL_ASSIGN_OR_RETURN(file_pages, db_file_pages());
  }
  if (rollback_mode != nullptr && !options.memory) {
    // pagerOpenWalIfPresent(): a -wal file beside a non-empty database means
    // WAL mode; beside an empty one it is a leftover.
    KEEL_ASSIGN_OR_RETURN(bool wal_exists, vfs->exists(wal_path));
    if (wal_exists) {
      if (file_pages == 0) {
        vfs->remove(wal_path, false).ignore();
      } else {
        *switch_mode = true;
        return Status::Ok();
      }
    }
  }
  if (changed && rollback_mode != nullptr && file_pages > 0) {
    // Another connection may have rewritten the file with a new page size
    // (VACUUM, Pager::rewrite): learn it from the stored header (bytes
    // 16..20 are plain even under a codec) before decoding page 1 at a
    // stale size.
    uint8_t raw[dbheader::kSize];
    Status r = db->read(raw, sizeof raw, 0);
    uint32_t ps = r.ok() ? dbheader::read_page_size(raw) : 0;
    if (ps != 0 && ps != page_size_ && ps - raw[dbheader::kOffReservedBytes] >= dbheader::kMinUsableSize) {
      reserved = raw[dbheader::kOffReservedBytes];
      KEEL_RETURN_IF_ERROR(set_page_size_internal(ps));
      return load_snapshot(true, switch_mode);
    }
  }
  storage_pages = file_pages;
  page_count_ = file_pages;
  if (changed) discard_cache();
  if (file_pages == 0) return Status::Ok();
  // Page 1 decides the page size, the real page count and the mode.
  KEEL_ASSIGN_OR_RETURN(CachedPage * p1, fetch(1, false));
  uint8_t header[dbheader::kSize];
  std::memcpy(header, p1->data, sizeof header);
  cache.unpin(p1);
  uint8_t format = header[dbheader::kOffReadVersion];
  bool module_format = format > 2 && mode->file_format_version() == format;
  if (format > 2 && !module_format && !no_format_switch && options.journal_mode_for_format) {
    // The file belongs to a module's journal mode: ask for it.
    KEEL_RETURN_IF_ERROR(dbheader::validate(header, /*module_format_ok=*/true));
    KEEL_ASSIGN_OR_RETURN(pending_mode, options.journal_mode_for_format(format));
    if (!pending_mode || pending_mode->file_format_version() != format) {
      pending_mode.reset();
      return Status(rc::kNotADb, "file is not a database");
    }
    *switch_mode = true;
    return Status::Ok();
  }
  KEEL_RETURN_IF_ERROR(dbheader::validate(header, module_format || (format > 2 && no_format_switch)));
  uint32_t ps = dbheader::read_page_size(header);
  if (ps != page_size_ || header[dbheader::kOffReservedBytes] != reserved) {
    if (codec->reserved_bytes() > header[dbheader::kOffReservedBytes]) {
      return Status(rc::kNotADb, "file is not a database");
    }
    // Another connection changed the page size (VACUUM) or the pager guessed
    // wrong at open: start over with the file's geometry.
    reserved = header[dbheader::kOffReservedBytes];
    if (ps != page_size_) {
      KEEL_RETURN_IF_ERROR(set_page_size_internal(ps));
      return load_snapshot(true, switch_mode);
    }
  }
  if (header[dbheader::kOffReadVersion] == 2 && rollback_mode != nullptr && !options.memory &&
      !no_format_switch) {
    *switch_mode = true;
    return Status::Ok();
  }
  KEEL_ASSIGN_OR_RETURN(page_count_, dbheader::page_count(header, file_pages));
  return Status::Ok();
}

Status Pager::Impl::begin_read() {
  if (state != State::kNone) return Status::Ok();
  for (int attempt = 0;; ++attempt) {
    bool changed = false;
    Status s = mode->begin_read(&changed);
    if (s.ok()) {
      state = State::kRead;
      bool to_wal = false;
      s = load_snapshot(changed, &to_wal);
      if (s.ok() && !to_wal) return Status::Ok();
      state = State::kNone;
      mode->end_read();
      if (s.ok() && to_wal) {
        // The file is in WAL mode (header bytes 18/19 or a -wal file), or in
        // a module's mode: keep SHARED while switching so the log cannot
        // disappear meanwhile.
        KEEL_RETURN_IF_ERROR(lock_db(ext::DbLock::kShared, false));
        if (pending_mode) {
          mode->close().ignore();
          rollback_mode = nullptr;
          wal_mode = nullptr;
          s = install_mode(std::move(pending_mode), JournalModeKind::kModule);
        } else {
          s = install_mode(std::make_unique<WalJournal>(*vfs, *db, wal_path), JournalModeKind::kWal);
        }
        if (!s.ok()) {
          unlock_db(ext::DbLock::kNone).ignore();
          return s;
        }
        discard_cache();
        continue;
      }
    }
    if (s.code() != rc::kBusy && s.code() != rc::kBusyRecovery) return s;
    if (!busy(attempt)) return s;
  }
}

void Pager::Impl::end_read() {
  if (state == State::kWrite) rollback().ignore();
  if (state == State::kRead) {
    mode->end_read();
    state = State::kNone;
  }
}

// --- write transactions ---------------------------------------------------

Status Pager::Impl::begin_write(bool exclusive) {
  if (options.read_only) return Status(rc::kReadOnly, "attempt to write a readonly database");
  if (state == State::kWrite) return Status::Ok();
  KEEL_RETURN_IF_ERROR(begin_read());
  for (int attempt = 0;; ++attempt) {
    Status s = mode->begin_write(exclusive);
    if (s.ok()) break;
    if (s.code() != rc::kBusy || !busy(attempt)) return s;
  }
  state = State::kWrite;
  ++txn_id;
  txn_changed = false;
  counter_stamped = false;
  txn_start_count = page_count_;
  return Status::Ok();
}

Status Pager::Impl::commit() {
  KEEL_RETURN_IF_ERROR(commit_phase_one({}));
  return commit_phase_two();
}

Status Pager::Impl::commit_phase_one(std::string_view super_journal) {
  if (state != State::kWrite || phase_one_done) return Status::Ok();
  if (txn_changed) {
    CachedPage* p1 = cache.lookup(1);
    bool p1_dirty = p1 != nullptr && p1->dirty();
    if (mode->bumps_change_counter_every_commit() || p1_dirty || page_count_ != txn_start_count) {
      KEEL_ASSIGN_OR_RETURN(p1, fetch(1, false));
      Status s = make_writable(p1);
      if (s.ok() && !counter_stamped) {
        dbheader::stamp_commit(p1->data, page_count_);
        counter_stamped = true;
      } else if (s.ok()) {
        put_u32(p1->data + dbheader::kOffDbSize, page_count_);
      }
      cache.unpin(p1);
      KEEL_RETURN_IF_ERROR(s);
    }
  }
  page_list.clear();
  for (CachedPage* p = cache.dirty_head(); p != nullptr; p = p->dirty_next) {
    if (p->pgno <= page_count_) page_list.push_back(p);
  }
  std::sort(page_list.begin(), page_list.end(),
            [](CachedPage* a, CachedPage* b) { return a->pgno < b->pgno; });
  images.clear();
  for (CachedPage* p : page_list) images.push_back({p->pgno, cbytes(p->data, page_size_)});
  CachedPage* extra = nullptr;
  if (images.empty() && txn_changed && page_count_ > 0) {
    // Everything was spilled already, but the commit itself must still be
    // recorded (a WAL commit frame): send page 1 again, as SQLite does.
    KEEL_ASSIGN_OR_RETURN(extra, fetch(1, false));
    images.push_back({1, cbytes(extra->data, page_size_)});
  }
  // The rollback family commits in two phases (super_journal.h); other
  // modes (WAL, modules) commit at once, each file on its own, as SQLite
  // does for WAL databases.
  Status committed = rollback_mode != nullptr ? rollback_mode->commit_phase_one(images, page_count_, super_journal)
                                              : mode->commit(images, page_count_);
  if (extra != nullptr) cache.unpin(extra);
  KEEL_RETURN_IF_ERROR(committed);
  phase_one_done = true;
  return Status::Ok();
}

Status Pager::Impl::commit_phase_two() {
  if (state == State::kNone) return Status::Ok();
  if (state == State::kRead) {
    end_read();
    return Status::Ok();
  }
  if (!phase_one_done) return Status(rc::kMisuse, "commit phase two before phase one");
  if (rollback_mode != nullptr && rollback_mode->phase_one_done()) {
    KEEL_RETURN_IF_ERROR(rollback_mode->commit_phase_two());
  }
  phase_one_done = false;

  while (cache.dirty_head() != nullptr) cache.make_clean(cache.dirty_head());
  if (page_count_ < txn_start_count || page_count_ < storage_pages) {
    cache.for_each([this](CachedPage* p) {
      if (p->pgno > page_count_ && p->pins == 0) cache.drop(p);
    });
  }
  storage_pages = page_count_;
  cache.trim();
  savepoints.clear();
  if (sub_journal) sub_journal->clear();
  state = State::kRead;
  end_read();
  if (wal_mode != nullptr && wal_autocheckpoint > 0 &&
      wal_mode->frame_count() >= static_cast<uint32_t>(wal_autocheckpoint)) {
    // As sqlite3WalDefaultHook: a passive checkpoint whose failure does not
    // concern the committed transaction.
    auto r = mode->checkpoint(static_cast<int>(CheckpointMode::kPassive));
    r.status().ignore();
  }
  return Status::Ok();
}

Status Pager::Impl::rollback() {
  if (state != State::kWrite) {
    if (state == State::kRead) end_read();
    return Status::Ok();
  }
  phase_one_done = false;
  Status s = mode->rollback();
  // Every page the transaction touched is stale now: the journal (or log
  // undo) restored the file, so drop the copies or re-read pinned ones.
  page_count_ = txn_start_count;
  cache.for_each([this](CachedPage* p) {
    if (p->touched_txn == txn_id || p->dirty() || p->pgno > page_count_) reload_or_drop(p);
  });
  cache.trim();
  savepoints.clear();
  if (sub_journal) sub_journal->clear();
  state = State::kRead;
  end_read();
  return s;
}

// --- Pager ------------------------------------------------------------------

Pager::Pager() = default;

Pager::~Pager() {
  if (!impl_) return;
  Impl& m = *impl_;
  if (m.state == Impl::State::kWrite) m.rollback().ignore();
  m.end_read();
  if (m.mode) m.mode->close().ignore();
  if (m.db) m.unlock_db(ext::DbLock::kNone).ignore();
  m.mode.reset();
  m.sub_journal.reset();
}

Result<std::unique_ptr<Pager>> Pager::open(std::string_view path, const PagerOptions& options) {
  std::unique_ptr<Pager> pager(new Pager());
  uint32_t ps = dbheader::valid_page_size(options.page_size) ? options.page_size : 4096;
  pager->impl_ = std::make_unique<Impl>(ps);
  Impl& m = *pager->impl_;
  m.options = options;
  m.sync = options.memory ? SyncLevel::kOff : options.synchronous;
  m.sync_setting = options.synchronous;
  m.cache_size_setting = options.cache_size;
  m.busy_handler = options.busy_handler;
  if (options.codec != nullptr) m.codec = options.codec;
  m.cache.set_spill([&m] { return m.spill(); });
  m.vfs = options.vfs != nullptr ? options.vfs : (options.memory ? &os::memory_vfs() : &os::default_vfs());

  std::string name(path);
  if (options.memory) {
    // A private, nameless database: a uniquely named file of the memory VFS
    // that disappears on close.
    static std::atomic<uint64_t> counter{0};
    char buf[64];
    std::snprintf(buf, sizeof buf, "keel-memdb-%llu-%p", static_cast<unsigned long long>(++counter),
                  static_cast<void*>(pager.get()));
    name = buf;
  }
  KEEL_ASSIGN_OR_RETURN(m.path, m.vfs->full_pathname(name));
  m.journal_path = m.path + "-journal";
  m.wal_path = m.path + "-wal";

  os::OpenFlags flags;
  flags.read_only = options.read_only;
  flags.create = options.create && !options.read_only;
  flags.delete_on_close = options.memory;
  flags.kind = options.memory ? os::FileKind::kTempDb : os::FileKind::kMainDb;
  KEEL_ASSIGN_OR_RETURN(m.db, m.vfs->open(m.path, flags));

  // Geometry: the file's header if it has a plausible one (read without a
  // lock, as SQLite does; begin_read() re-checks under SHARED), else the
  // options for a database about to be created.
  uint8_t header[dbheader::kSize] = {};
  Status r = m.db->read(header, sizeof header, 0);
  if (!r.ok() && r.code() != rc::kIoErrShortRead) return r;
  uint32_t file_ps = dbheader::read_page_size(header);
  uint8_t codec_reserved = m.codec->reserved_bytes();
  bool identity = m.codec->name() == "identity";
  bool magic = std::memcmp(header, dbheader::kMagic, sizeof dbheader::kMagic) == 0;
  if (!magic && identity && r.ok()) {
    // A file a page codec wrote (its page 1 starts with the codec's mark,
    // see keel/ext/page_codec.hpp) opened without that codec: say which.
    std::string_view head(reinterpret_cast<const char*>(header), 16);
    if (head.substr(0, 5) == "Turso") {
      return Status(rc::kNotADb,
                    "file is encrypted or is not a database (enable the 'encryption' feature and give its key)");
    }
    if (head.substr(0, 11) == "Keel codec:") {
      std::string codec(head.substr(11));
      codec = codec.substr(0, codec.find('\0'));
      return Status(rc::kNotADb, "file is not a database without page codec '" + codec +
                                     "' (load the module that provides it)");
    }
  }
  // A codec keeps page 1's bytes 16..99 plain (DESIGN §5), so the geometry
  // can be read before decoding; bytes 0..15 may be the codec's mark.
  if ((magic || !identity) && file_ps != 0) {
    ps = file_ps;
    m.reserved = header[dbheader::kOffReservedBytes];
  } else {
    m.reserved = std::max(options.reserved_bytes, codec_reserved);
    if (ps - m.reserved < dbheader::kMinUsableSize)
      return Status(rc::kMisuse, "reserved bytes leave too little page");
  }
  KEEL_RETURN_IF_ERROR(m.set_page_size_internal(ps));

  JournalModeKind k = options.memory ? JournalModeKind::kMemory : JournalModeKind::kDelete;
  KEEL_RETURN_IF_ERROR(
      m.install_mode(std::make_unique<RollbackJournal>(k, *m.vfs, *m.db, m.journal_path, options.memory), k));

  // A non-empty file is checked now: hot-journal rollback, header validation
  // (rc::kNotADb), WAL detection.
  KEEL_ASSIGN_OR_RETURN(uint64_t size, m.db->size());
  if (size > 0) {
    Status s = m.begin_read();
    m.end_read();
    // A writer holding the file right now is no reason to fail the open (as
    // sqlite3_open): the first transaction retries.
    if (!s.ok() && !s.is(rc::kBusy)) return s;
  }
  return pager;
}

uint32_t Pager::page_size() const { return impl_->page_size_; }
uint32_t Pager::usable_size() const { return impl_->page_size_ - impl_->reserved; }
PageNo Pager::page_count() const { return impl_->page_count_; }

Status Pager::set_page_size(uint32_t page_size) {
  Impl& m = *impl_;
  if (!dbheader::valid_page_size(page_size) || page_size == m.page_size_) return Status::Ok();
  if (m.state == Impl::State::kWrite && m.txn_changed) return Status::Ok();
  KEEL_ASSIGN_OR_RETURN(PageNo file_pages, m.db_file_pages());
  if (file_pages != 0 || m.page_count_ != 0) return Status::Ok();
  if (page_size - m.reserved < dbheader::kMinUsableSize) return Status::Ok();
  bool pinned = false;
  m.cache.for_each([&](CachedPage* p) { pinned = pinned || p->pins > 0; });
  if (pinned) return Status::Ok();
  return m.set_page_size_internal(page_size);
}

Status Pager::begin_read() { return impl_->begin_read(); }
void Pager::end_read() { impl_->end_read(); }
Status Pager::begin_write(bool exclusive) { return impl_->begin_write(exclusive); }
bool Pager::in_read() const { return impl_->state != Impl::State::kNone; }
bool Pager::in_write() const { return impl_->state == Impl::State::kWrite; }
Status Pager::commit() { return impl_->commit(); }
Status Pager::commit_phase_one(std::string_view super_journal) { return impl_->commit_phase_one(super_journal); }
Status Pager::commit_phase_two() { return impl_->commit_phase_two(); }
bool Pager::needs_super_journal() const {
  const Impl& m = *impl_;
  return m.state == Impl::State::kWrite && m.rollback_mode != nullptr && m.rollback_mode->journal_on_disk() &&
         m.sync != SyncLevel::kOff && !m.options.memory;
}
const std::string& Pager::journal_path() const { return impl_->journal_path; }
Status Pager::rollback() { return impl_->rollback(); }

Result<int> Pager::open_savepoint() { return impl_->open_savepoint(); }
Status Pager::release_savepoint(int depth) { return impl_->release_savepoint(depth); }
Status Pager::rollback_to_savepoint(int depth) { return impl_->rollback_to_savepoint(depth); }

Result<PageRef> Pager::get(PageNo n) {
  KEEL_ASSIGN_OR_RETURN(CachedPage * p, impl_->fetch(n, false));
  PageRef ref(p);
  --p->pins;  // fetch() handed over its pin; the PageRef now owns it
  return ref;
}

void Pager::prefetch(PageNo n, uint32_t bytes) const {
  const CachedPage* p = impl_->cache.lookup(n);
  if (p == nullptr) return;
  const uint8_t* d = p->data;
  uint32_t end = bytes < impl_->page_size_ ? bytes : impl_->page_size_;
  for (uint32_t off = 0; off < end; off += 64) __builtin_prefetch(d + off);
}

const uint8_t* Pager::peek(PageNo n) const {
  const CachedPage* p = impl_->cache.lookup(n);
  return p == nullptr ? nullptr : p->data;
}

Result<PageRef> Pager::get_no_content(PageNo n) {
  KEEL_ASSIGN_OR_RETURN(CachedPage * p, impl_->fetch(n, true));
  PageRef ref(p);
  --p->pins;
  return ref;
}

Status Pager::make_writable(PageRef& page) {
  if (!page) return Status(rc::kMisuse, "empty page reference");
  return impl_->make_writable(page.page_);
}

Status Pager::truncate(PageNo new_page_count) {
  Impl& m = *impl_;
  if (m.state != Impl::State::kWrite) return Status(rc::kMisuse, "truncate outside a write transaction");
  m.page_count_ = new_page_count;
  m.txn_changed = true;
  return Status::Ok();
}

JournalModeKind Pager::journal_mode() const { return impl_->kind; }
std::string_view Pager::journal_mode_name() const { return impl_->mode->name(); }
void Pager::set_synchronous(SyncLevel level) {
  impl_->sync = impl_->options.memory ? SyncLevel::kOff : level;
  impl_->sync_setting = level;
}
SyncLevel Pager::synchronous() const { return impl_->sync_setting; }

void Pager::set_cache_size(int64_t cache_size) {
  impl_->cache_size_setting = cache_size;
  impl_->apply_cache_size();
}
int64_t Pager::cache_size() const { return impl_->cache_size_setting; }
void Pager::set_busy_handler(std::function<bool(int)> handler) { impl_->busy_handler = std::move(handler); }

Result<CheckpointResult> Pager::checkpoint(CheckpointMode mode) {
  Impl& m = *impl_;
  if (m.wal_mode == nullptr) return CheckpointResult{};
  if (m.state != Impl::State::kNone) return Status(rc::kLocked, "database table is locked");
  KEEL_ASSIGN_OR_RETURN(ext::CheckpointInfo info, m.mode->checkpoint(static_cast<int>(mode)));
  // The checkpoint may have rewritten the database file under cached pages
  // only with images identical to the log's; nothing to drop.
  return CheckpointResult{info.log_frames, info.checkpointed_frames};
}

void Pager::set_wal_autocheckpoint(int frames) { impl_->wal_autocheckpoint = frames; }

PagerStats Pager::stats() const {
  const Impl& m = *impl_;
  PagerStats st;
  st.cached_pages = m.cache.size();
  st.dirty_pages = m.cache.dirty_count();
  st.cache_capacity = m.cache.capacity();
  st.spills = m.spill_count;
  st.pages_spilled = m.pages_spilled;
  return st;
}

const std::string& Pager::path() const { return impl_->path; }
bool Pager::read_only() const { return impl_->options.read_only; }
bool Pager::is_memory() const { return impl_->options.memory; }

}  // namespace keel::storage
