// One entry of the page cache, exposed so that PageRef's accessors inline.
// Only the pager and its PageCache modify entries; the b-tree reaches them
// through PageRef.
//
// Invariants (maintained by PageCache):
// - an entry is in the clean LRU list iff pins == 0 and it is not dirty;
// - an entry is in the dirty list iff it is dirty;
// - `data` stays at the same address for the entry's lifetime in the cache.
#pragma once

#include <cstdint>

namespace keel::storage {

using PageNo = uint32_t;
class PageCache;

struct CachedPage {
  enum Flags : uint32_t {
    kDirty = 1u << 0,  // changed in the current write transaction, not yet written
    // May be changed without another Pager::make_writable: journaled for the
    // transaction and for every savepoint open now (as SQLite's
    // PGHDR_WRITEABLE). Valid only while writable_epoch equals the cache's
    // savepoint epoch: opening a savepoint bumps the epoch instead of
    // clearing the flag on every dirty page, so it costs O(1).
    kWritable = 1u << 1,
  };

  uint8_t* data = nullptr;  // page_size bytes, decoded (as the b-tree sees them)
  PageNo pgno = 0;
  uint32_t pins = 0;
  uint32_t flags = 0;
  // Write transaction that last passed this page to JournalMode::before_change.
  uint64_t touched_txn = 0;
  // Id of the newest savepoint this page's image was sub-journaled for.
  uint64_t savepoint_id = 0;
  // The cache's savepoint epoch when kWritable was set (see kWritable).
  uint64_t writable_epoch = 0;
  // The cache's use clock when the page was last pinned: a spill writes the
  // dirty pages unused the longest first.
  uint64_t last_use = 0;
  PageCache* cache = nullptr;

  CachedPage* hash_next = nullptr;
  CachedPage* lru_prev = nullptr;
  CachedPage* lru_next = nullptr;
  CachedPage* dirty_prev = nullptr;
  CachedPage* dirty_next = nullptr;

  bool dirty() const { return (flags & kDirty) != 0; }
  bool writable() const;  // kWritable, in the current savepoint epoch (page_cache.cpp)
};

// Called when the last pin of an entry goes away (puts it on the clean LRU).
void page_unpinned(CachedPage* page);

}  // namespace keel::storage
