// Page access for the pager: fetching pages into the cache, making them
// writable (journaling), spilling under cache pressure, and savepoints.
// See pager_internal.h for the states and invariants.
#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "base/bytes.h"
#include "storage/pager/db_header.h"
#include "storage/pager/pager_internal.h"

namespace keel::storage {

namespace {

Status corrupt() { return Status(rc::kCorrupt, "database disk image is malformed"); }

std::span<const std::byte> cbytes(const uint8_t* p, size_t n) {
  return {reinterpret_cast<const std::byte*>(p), n};
}
std::span<std::byte> wbytes(uint8_t* p, size_t n) { return {reinterpret_cast<std::byte*>(p), n}; }

}  // namespace

Status Pager::Impl::read_into(PageNo n, uint8_t* out) {
  if (n == 1 && page_count_ == 0) {
    // Page 1 of a database being created: SQLite's default header.
    std::memset(out, 0, page_size_);
    dbheader::write_new(out, page_size_, reserved, mode->file_format_version());
    return Status::Ok();
  }
  if (n > storage_pages && n > page_count_) {
    std::memset(out, 0, page_size_);
    return Status::Ok();
  }
  KEEL_ASSIGN_OR_RETURN(bool from_mode, mode->read_page(n, wbytes(out, page_size_)));
  if (from_mode) return Status::Ok();
  return read_db_page(n, wbytes(out, page_size_));
}

Result<CachedPage*> Pager::Impl::fetch(PageNo n, bool no_content) {
  if (n == 0) return corrupt();
  if (state == State::kNone) KEEL_RETURN_IF_ERROR(begin_read());
  PageNo limit = page_count_;
  if (state == State::kWrite) {
    limit = page_count_ + 1;
    if (limit == pending_page) ++limit;
  }
  if (n > limit || n == pending_page) return corrupt();
  CachedPage* p = cache.lookup(n);
  if (p != nullptr) {
    cache.pin(p);
    return p;
  }
  KEEL_ASSIGN_OR_RETURN(p, cache.create(n));
  if (no_content && state == State::kWrite) {
    // The caller overwrites the whole page (a reused free page): its old
    // bytes need neither reading nor journaling, as SQLite's
    // PAGER_GET_NOCONTENT.
    std::memset(p->data, 0, page_size_);
    p->touched_txn = txn_id;
    if (!savepoints.empty()) p->savepoint_id = savepoints.back().id;
  } else {
    Status s = read_into(n, p->data);
    if (!s.ok()) {
      cache.drop(p);
      return s;
    }
  }
  cache.pin(p);
  return p;
}

Status Pager::Impl::subjournal_if_needed(CachedPage* p) {
  if (savepoints.empty()) return Status::Ok();
  // The newest savepoint whose size covers this page decides (ids grow with
  // depth, so older savepoints are covered by the same record).
  uint64_t need_id = 0;
  for (auto it = savepoints.rbegin(); it != savepoints.rend(); ++it) {
    if (p->pgno <= it->page_count) {
      need_id = it->id;
      break;
    }
  }
  if (need_id == 0 || p->savepoint_id >= need_id) return Status::Ok();
  if (!sub_journal) sub_journal = std::make_unique<SubJournal>(*vfs, path, options.memory);
  KEEL_RETURN_IF_ERROR(encode_page(p->pgno, cbytes(p->data, page_size_), wbytes(scratch.data(), page_size_)));
  KEEL_RETURN_IF_ERROR(sub_journal->append(p->pgno, scratch.data(), page_size_));
  p->savepoint_id = savepoints.back().id;
  return Status::Ok();
}

Status Pager::Impl::make_writable(CachedPage* p) {
  if (state != State::kWrite) return Status(rc::kMisuse, "page changed outside a write transaction");
  if (p->touched_txn != txn_id) {
    KEEL_RETURN_IF_ERROR(mode->before_change(p->pgno, cbytes(p->data, page_size_)));
    p->touched_txn = txn_id;
  }
  KEEL_RETURN_IF_ERROR(subjournal_if_needed(p));
  cache.make_dirty(p);
  p->flags |= CachedPage::kWritable;
  p->writable_epoch = cache.savepoint_epoch;
  txn_changed = true;
  if (p->pgno > page_count_) page_count_ = p->pgno;
  return Status::Ok();
}

Status Pager::Impl::spill() {
  if (state != State::kWrite || in_spill) return Status(rc::kBusy);
  in_spill = true;
  page_list.clear();
  for (CachedPage* p = cache.dirty_head(); p != nullptr; p = p->dirty_next) {
    if (p->pins == 0 && p->pgno <= page_count_) page_list.push_back(p);
  }
  // Write only the eighth of them unused the longest (at least a batch of
  // kMinSpill): the pages a transaction keeps coming back to (interior
  // pages, a small index) stay dirty in the cache instead of being written
  // again at every spill, as SQLite's one-page-at-a-time pagerStress keeps
  // them. The rest stay dirty for the next spill or the commit.
  constexpr size_t kMinSpill = 16;
  size_t keep = std::max(kMinSpill, page_list.size() / 8);
  if (page_list.size() > keep) {
    std::nth_element(page_list.begin(), page_list.begin() + static_cast<std::ptrdiff_t>(keep),
                     page_list.end(), [](CachedPage* a, CachedPage* b) { return a->last_use < b->last_use; });
    page_list.resize(keep);
  }
  Status s;
  if (page_list.empty()) s = Status(rc::kBusy);
  std::sort(page_list.begin(), page_list.end(),
            [](CachedPage* a, CachedPage* b) { return a->pgno < b->pgno; });
  // A spilled page may leave the cache; where the savepoint's rollback drops
  // what is spilled now (WAL frames), it must still find the image the page
  // had when the savepoint opened. Written in place (rollback journal), the
  // file holds that image.
  if (mode->savepoint_rollback_drops_spills()) {
    for (size_t i = 0; s.ok() && i < page_list.size(); ++i) s = subjournal_if_needed(page_list[i]);
  }
  if (s.ok()) {
    images.clear();
    for (CachedPage* p : page_list) images.push_back({p->pgno, cbytes(p->data, page_size_)});
    s = mode->spill(images, page_count_);
  }
  if (s.ok()) {
    ++spill_count;
    pages_spilled += page_list.size();
    for (CachedPage* p : page_list) {
      storage_pages = std::max(storage_pages, p->pgno);
      cache.make_clean(p);
    }
  }
  in_spill = false;
  return s;
}

void Pager::Impl::reload_or_drop(CachedPage* p) {
  cache.make_clean(p);
  if (p->pins == 0) {
    cache.drop(p);
    return;
  }
  // Pinned: the b-tree holds a pointer to these bytes; refresh them in place.
  p->touched_txn = 0;
  p->savepoint_id = 0;
  if (!read_into(p->pgno, p->data).ok()) std::memset(p->data, 0, page_size_);
}

void Pager::Impl::discard_cached_page(ext::PageNo page) {
  CachedPage* p = cache.lookup(page);
  if (p != nullptr) reload_or_drop(p);
}

void Pager::Impl::discard_cache() {
  cache.for_each([this](CachedPage* p) { reload_or_drop(p); });
}

// --- savepoints ---------------------------------------------------------

Result<int> Pager::Impl::open_savepoint() {
  if (state != State::kWrite) return Status(rc::kMisuse, "savepoint outside a write transaction");
  int depth = static_cast<int>(savepoints.size()) + 1;
  KEEL_RETURN_IF_ERROR(mode->open_savepoint(depth));
  savepoints.push_back({++next_savepoint_id, sub_journal ? sub_journal->records() : 0, page_count_});
  // Every page's kWritable lapses (the first change after this savepoint
  // goes through make_writable and so the sub-journal): O(1), not a walk of
  // the dirty pages, which made large transactions quadratic.
  cache.savepoint_epoch++;
  return depth;
}

Status Pager::Impl::release_savepoint(int depth) {
  if (depth < 1 || static_cast<size_t>(depth) > savepoints.size()) {
    return Status(rc::kMisuse, "no such savepoint");
  }
  KEEL_RETURN_IF_ERROR(mode->release_savepoint(depth));
  savepoints.resize(static_cast<size_t>(depth - 1));
  if (savepoints.empty() && sub_journal) sub_journal->clear();
  return Status::Ok();
}

Status Pager::Impl::rollback_to_savepoint(int depth) {
  if (depth < 1 || static_cast<size_t>(depth) > savepoints.size()) {
    return Status(rc::kMisuse, "no such savepoint");
  }
  Savepoint sp = savepoints[static_cast<size_t>(depth - 1)];
  KEEL_RETURN_IF_ERROR(mode->rollback_to_savepoint(depth));
  savepoints.resize(static_cast<size_t>(depth));
  uint64_t end = sub_journal ? sub_journal->records() : 0;
  // Replay the records written since the savepoint opened; the first record
  // of a page holds its image at that moment (a record written for an older
  // savepoint after this one opened holds it too: the page was unchanged in
  // between). Spilling is off meanwhile so
  // the sub-journal does not grow under the replay.
  in_spill = true;
  std::unordered_set<PageNo> done;
  Status s;
  for (uint64_t i = sp.sub_records; s.ok() && i < end; ++i) {
    uint32_t pgno = 0;
    s = sub_journal->read(i, &pgno, scratch.data(), page_size_);
    if (!s.ok()) break;
    if (pgno == 0 || pgno > sp.page_count || !done.insert(pgno).second) continue;
    CachedPage* p = cache.lookup(pgno);
    if (p == nullptr) {
      auto created = cache.create(pgno);
      if (!created.ok()) {
        s = created.take_status();
        break;
      }
      p = *created;
    }
    s = decode_page(pgno, cbytes(scratch.data(), page_size_), wbytes(p->data, page_size_));
    if (!s.ok()) break;
    p->touched_txn = txn_id;
    // The record just replayed stays in the sub-journal (records are kept
    // until the last savepoint is released, as SQLite's nSubRec): it serves
    // this savepoint again and any older one, so the page need not be
    // journaled anew.
    p->savepoint_id = savepoints.back().id;
    cache.make_dirty(p);
  }
  in_spill = false;
  KEEL_RETURN_IF_ERROR(s);
  page_count_ = sp.page_count;
  return Status::Ok();
}

}  // namespace keel::storage
