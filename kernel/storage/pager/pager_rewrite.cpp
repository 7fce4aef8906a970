// Rewriting a whole database file with a new image: VACUUM with a new page
// size, and the change of page codec (re-encryption) that the crypto module
// asks for. Both change the geometry of every page (size, reserved bytes, the
// bytes a codec stores), so the new image cannot go through the page cache
// and the per-page journaling of an ordinary transaction.
//
// Design note (as SQLite's sqlite3BtreeCopyFile / backup.c when the page
// sizes differ)
//
//   1. EXCLUSIVE write transaction; nothing changed yet.
//   2. Every page of the file is copied into the rollback journal exactly as
//      stored — still encoded with the old codec, at the old page size — and
//      the journal is synced: from here on it is hot.
//   3. The new pages, encoded with the new codec, overwrite the file, which
//      is cut (or grown) to the new size and synced.
//   4. Finalizing the journal is the commit point.
//
// A crash before 4 leaves a hot journal. Playing it back copies stored bytes
// and never decodes them, and its header names the old page size, so any
// opener — with the old key, the new one, or none — restores the old file
// first. After 4 the file is the new database. Only the rollback-journal
// family can do this: a WAL holds frames of one page size and codec.
#include <cstring>
#include <vector>

#include "base/bytes.h"
#include "storage/pager/db_header.h"
#include "storage/pager/pager_internal.h"

namespace keel::storage {

namespace {

std::span<const std::byte> cbytes(const uint8_t* p, size_t n) {
  return {reinterpret_cast<const std::byte*>(p), n};
}
std::span<std::byte> wbytes(uint8_t* p, size_t n) { return {reinterpret_cast<std::byte*>(p), n}; }

}  // namespace

Status RollbackJournal::replace_file(uint32_t page_size, ext::PageNo pages,
                                     const std::function<Status(ext::PageNo, uint8_t*)>& encoded_page) {
  if (!writing_ || journal_started_ || db_modified_) {
    return Status(rc::kMisuse, "replace_file needs a fresh write transaction");
  }
  uint32_t old_size = host_->page_size();
  if (!journal_off()) {
    KEEL_RETURN_IF_ERROR(open_journal());
    ext::PageNo old_pending = dbheader::pending_byte_page(old_size);
    for (ext::PageNo p = 1; p <= orig_pages_; ++p) {
      if (p == old_pending) continue;
      KEEL_RETURN_IF_ERROR(host_->read_db_raw(p, wbytes(buf_.data() + 4, old_size)));
      KEEL_RETURN_IF_ERROR(write_record(p, buf_.data() + 4));
    }
    KEEL_RETURN_IF_ERROR(sync_journal(/*new_header=*/false));
  }
  KEEL_RETURN_IF_ERROR(host_->lock_db(ext::DbLock::kExclusive, true));
  // From the first write on, a failure must play the journal back.
  db_modified_ = true;
  std::vector<uint8_t> page(page_size);
  ext::PageNo pending = dbheader::pending_byte_page(page_size);
  for (ext::PageNo p = 1; p <= pages; ++p) {
    if (p == pending) continue;
    KEEL_RETURN_IF_ERROR(encoded_page(p, page.data()));
    KEEL_RETURN_IF_ERROR(db_.write(page.data(), page_size, uint64_t{p - 1} * page_size));
    if (p == 1) note_page1(page.data());
  }
  KEEL_RETURN_IF_ERROR(truncate_db(page_size, pages));
  if (!no_sync()) KEEL_RETURN_IF_ERROR(db_.sync(os::SyncFlags::kNormal));
  // Commit point.
  KEEL_RETURN_IF_ERROR(finalize_journal());
  reset_transaction();
  return host_->unlock_db(ext::DbLock::kShared);
}

Status Pager::rewrite(uint32_t page_size, PageNo pages, ext::PageCodec* codec,
                      const std::function<Status(PageNo, uint8_t*)>& read_page) {
  Impl& m = *impl_;
  if (!dbheader::valid_page_size(page_size) || pages == 0) return Status(rc::kMisuse, "bad database image");
  if (m.rollback_mode == nullptr) {
    return Status(rc::kError, "cannot change the page size or page codec of a database in WAL mode");
  }
  if (m.state == Impl::State::kRead ||
      (m.state == Impl::State::kWrite && (m.txn_changed || m.cache.dirty_count() > 0))) {
    return Status(rc::kMisuse, "rewrite inside a transaction that read or changed pages");
  }
  if (m.options.read_only) return Status(rc::kReadOnly, "attempt to write a readonly database");
  bool pinned = false;
  m.cache.for_each([&](CachedPage* p) { pinned = pinned || p->pins > 0; });
  if (pinned) return Status(rc::kLocked, "database table is locked");
  ext::PageCodec* next_codec = codec != nullptr ? codec : &m.identity;

  // A caller may hold the write transaction already (VACUUM keeps the file
  // locked from reading the old content to writing the new).
  if (m.state == Impl::State::kNone) KEEL_RETURN_IF_ERROR(m.begin_write(/*exclusive=*/true));
  uint32_t counter = 0;
  if (m.page_count_ > 0) {
    auto p1 = m.fetch(1, false);
    if (!p1.ok()) {
      m.rollback().ignore();
      return p1.take_status();
    }
    counter = get_u32((*p1)->data + dbheader::kOffChangeCounter);
    m.cache.unpin(*p1);
  }
  uint8_t reserved = 0;
  std::vector<uint8_t> image(page_size);
  auto encoded = [&](PageNo n, uint8_t* out) -> Status {
    KEEL_RETURN_IF_ERROR(read_page(n, image.data()));
    if (n == 1) {
      // The header fields the pager owns: the new geometry, rollback-journal
      // format, and a change counter that moves on from the old file's, so
      // every other connection sees a changed file.
      dbheader::write_page_size(image.data(), page_size);
      reserved = image[dbheader::kOffReservedBytes];
      if (reserved < next_codec->reserved_bytes() || page_size - reserved < dbheader::kMinUsableSize) {
        return Status(rc::kMisuse, "the new image does not leave the codec its reserved bytes");
      }
      image[dbheader::kOffWriteVersion] = 1;
      image[dbheader::kOffReadVersion] = 1;
      put_u32(image.data() + dbheader::kOffChangeCounter, counter);
      dbheader::stamp_commit(image.data(), pages);
    }
    return next_codec->encode(n, cbytes(image.data(), page_size), wbytes(out, page_size));
  };
  Status s = m.rollback_mode->replace_file(page_size, pages, encoded);
  if (!s.ok()) {
    // Plays the journal back (the old file, old geometry) if the file was touched.
    m.rollback().ignore();
    return s;
  }
  // Committed: the pager follows the new file.
  m.state = Impl::State::kRead;
  m.savepoints.clear();
  if (m.sub_journal) m.sub_journal->clear();
  m.codec = next_codec;
  m.reserved = reserved;
  KEEL_RETURN_IF_ERROR(m.set_page_size_internal(page_size));
  m.page_count_ = pages;
  m.storage_pages = pages;
  m.end_read();
  return Status::Ok();
}

}  // namespace keel::storage
