// PageCache: the pager's bounded cache of page images.
//
// Pages are found by number through a chained hash table. Every entry is in
// exactly one of three states:
//   pinned      pins > 0: referenced by PageRefs; never evicted or moved
//   clean LRU   pins == 0 and clean: evictable, least recently used first
//   dirty       changed in the write transaction (pinned or not): kept until
//               written (commit or spill) or dropped (rollback)
// When the cache holds `capacity` entries and a new page is needed, the LRU
// clean entry is reused (no allocation); if there is none, the spill callback
// writes dirty unpinned pages out so they become clean and evictable; if that
// is impossible (all pinned, or the spill is refused with rc::kBusy), the cache
// grows past its bound, as SQLite's does, and shrinks back as entries are
// unpinned or cleaned.
//
// Thread-safety: none; owned by one Pager.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "keel/status.hpp"
#include "storage/pager/cached_page.h"

namespace keel::storage {

class PageCache {
 public:
  explicit PageCache(uint32_t page_size);
  ~PageCache();
  PageCache(const PageCache&) = delete;
  PageCache& operator=(const PageCache&) = delete;

  uint32_t page_size() const { return page_size_; }

  // Bumped when a savepoint opens: every page's kWritable lapses at once
  // (CachedPage::writable).
  uint64_t savepoint_epoch = 1;
  // Drops every entry (none may be pinned) and switches page size.
  void reset(uint32_t page_size);

  // Sets the bound, evicting clean unpinned entries above it.
  void set_capacity(size_t pages) {
    capacity_ = pages < kMinPages ? kMinPages : pages;
    trim();
  }
  size_t capacity() const { return capacity_; }
  size_t size() const { return count_; }
  size_t dirty_count() const { return dirty_count_; }

  // Called when the cache is full and has no clean unpinned entry. Must make
  // some dirty unpinned pages clean (write them) or return rc::kBusy to let
  // the cache grow.
  void set_spill(std::function<Status()> spill) { spill_ = std::move(spill); }

  CachedPage* lookup(PageNo pgno) const {
    for (CachedPage* p = buckets_[pgno & mask_]; p != nullptr; p = p->hash_next) {
      if (p->pgno == pgno) return p;
    }
    return nullptr;
  }
  // A new entry for pgno (not present), unpinned and clean, contents
  // undefined. Spill errors other than rc::kBusy are returned.
  Result<CachedPage*> create(PageNo pgno);

  // Adds a pin (taking the entry off the LRU when it was unpinned).
  void pin(CachedPage* p) {
    if (p->pins == 0 && !p->dirty()) lru_unlink(p);
    ++p->pins;
    p->last_use = ++use_clock_;
  }
  // Removes a pin taken with pin().
  void unpin(CachedPage* p) {
    if (--p->pins == 0) unpinned(p);
  }
  void unpinned(CachedPage* p) {
    if (!p->dirty()) {
      lru_push_front(p);
      if (count_ > capacity_) trim();
    }
  }
  void make_dirty(CachedPage* p);
  void make_clean(CachedPage* p);
  // Removes an entry; it must be unpinned.
  void drop(CachedPage* p);

  // Dirty entries in the order they became dirty.
  CachedPage* dirty_head() const { return dirty_head_; }
  // Gives back the memory of clean unpinned entries while the cache holds
  // more than its bound (it grew past it while everything was pinned or
  // dirty), least recently used first. Invalidates pointers to such entries:
  // call it only where none are held (the pager does after commit, spill and
  // rollback; unpinning the last reference does it too).
  void trim();
  // Calls fn for every entry (fn may drop the entry it is given).
  void for_each(const std::function<void(CachedPage*)>& fn);

 private:
  static constexpr size_t kMinPages = 10;

  void lru_unlink(CachedPage* p);
  void lru_push_front(CachedPage* p);
  void hash_insert(CachedPage* p);
  void hash_remove(CachedPage* p);
  void grow_hash();
  CachedPage* new_entry();
  void free_entry(CachedPage* p);

  uint32_t page_size_;
  size_t capacity_ = 2000;
  size_t count_ = 0;
  size_t dirty_count_ = 0;
  std::vector<CachedPage*> buckets_;
  uint32_t mask_ = 0;
  CachedPage* lru_head_ = nullptr;  // most recently used
  CachedPage* lru_tail_ = nullptr;  // next victim
  CachedPage* dirty_head_ = nullptr;
  CachedPage* dirty_tail_ = nullptr;
  CachedPage* free_ = nullptr;  // recycled entries (linked by hash_next)
  size_t free_count_ = 0;
  uint64_t use_clock_ = 0;  // ticks once per pin (CachedPage::last_use)
  std::function<Status()> spill_;
};

}  // namespace keel::storage
