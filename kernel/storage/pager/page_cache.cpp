#include "storage/pager/page_cache.h"

#include <cassert>

namespace keel::storage {

void page_unpinned(CachedPage* page) { page->cache->unpinned(page); }

PageCache::PageCache(uint32_t page_size) : page_size_(page_size) {
  buckets_.assign(256, nullptr);
  mask_ = 255;
}

PageCache::~PageCache() {
  // Entries still pinned here are a caller bug (a PageRef outlived its pager);
  // free everything regardless.
  for (CachedPage* head : buckets_) {
    while (head != nullptr) {
      CachedPage* next = head->hash_next;
      delete[] head->data;
      delete head;
      head = next;
    }
  }
  while (free_ != nullptr) {
    CachedPage* next = free_->hash_next;
    delete[] free_->data;
    delete free_;
    free_ = next;
  }
  free_count_ = 0;
}

void PageCache::reset(uint32_t page_size) {
  for_each([this](CachedPage* p) {
    assert(p->pins == 0 && "page size change with pinned pages");
    drop(p);
  });
  if (page_size != page_size_) {
    while (free_ != nullptr) {
      CachedPage* next = free_->hash_next;
      delete[] free_->data;
      delete free_;
      free_ = next;
    }
    free_count_ = 0;
    page_size_ = page_size;
  }
}

void PageCache::lru_unlink(CachedPage* p) {
  if (p->lru_prev)
    p->lru_prev->lru_next = p->lru_next;
  else
    lru_head_ = p->lru_next;
  if (p->lru_next)
    p->lru_next->lru_prev = p->lru_prev;
  else
    lru_tail_ = p->lru_prev;
  p->lru_prev = p->lru_next = nullptr;
}

void PageCache::lru_push_front(CachedPage* p) {
  p->lru_prev = nullptr;
  p->lru_next = lru_head_;
  if (lru_head_)
    lru_head_->lru_prev = p;
  else
    lru_tail_ = p;
  lru_head_ = p;
}

void PageCache::hash_insert(CachedPage* p) {
  if (count_ + 1 > buckets_.size()) grow_hash();
  CachedPage*& head = buckets_[p->pgno & mask_];
  p->hash_next = head;
  head = p;
  ++count_;
}

void PageCache::hash_remove(CachedPage* p) {
  CachedPage** link = &buckets_[p->pgno & mask_];
  while (*link != p) link = &(*link)->hash_next;
  *link = p->hash_next;
  p->hash_next = nullptr;
  --count_;
}

void PageCache::grow_hash() {
  std::vector<CachedPage*> old;
  old.swap(buckets_);
  buckets_.assign(old.size() * 2, nullptr);
  mask_ = static_cast<uint32_t>(buckets_.size() - 1);
  for (CachedPage* head : old) {
    while (head != nullptr) {
      CachedPage* next = head->hash_next;
      CachedPage*& b = buckets_[head->pgno & mask_];
      head->hash_next = b;
      b = head;
      head = next;
    }
  }
}

CachedPage* PageCache::new_entry() {
  if (free_ != nullptr) {
    CachedPage* p = free_;
    free_ = p->hash_next;
    p->hash_next = nullptr;
    --free_count_;
    return p;
  }
  auto* p = new CachedPage();
  p->data = new uint8_t[page_size_];
  p->cache = this;
  return p;
}

void PageCache::free_entry(CachedPage* p) {
  if (count_ + free_count_ >= capacity_) {
    // Enough memory is already held: give this entry back.
    delete[] p->data;
    delete p;
    return;
  }
  ++free_count_;
  uint8_t* data = p->data;
  *p = CachedPage();
  p->data = data;
  p->cache = this;
  p->hash_next = free_;
  free_ = p;
}

Result<CachedPage*> PageCache::create(PageNo pgno) {
  assert(lookup(pgno) == nullptr);
  CachedPage* p = nullptr;
  if (count_ >= capacity_) {
    if (lru_tail_ == nullptr && spill_ && dirty_count_ > 0) {
      Status s = spill_();
      if (!s.ok() && !s.is(rc::kBusy)) return s;
    }
    trim();  // back to the bound if the cache had grown past it
    if (lru_tail_ != nullptr && count_ >= capacity_) {
      p = lru_tail_;
      lru_unlink(p);
      hash_remove(p);
      uint8_t* data = p->data;
      *p = CachedPage();
      p->data = data;
      p->cache = this;
    }
  }
  if (p == nullptr) p = new_entry();
  p->pgno = pgno;
  hash_insert(p);
  // A new entry is unpinned and clean: it belongs on the LRU until pinned.
  lru_push_front(p);
  return p;
}

void PageCache::trim() {
  while (count_ > capacity_ && lru_tail_ != nullptr) {
    CachedPage* p = lru_tail_;
    lru_unlink(p);
    hash_remove(p);
    delete[] p->data;
    delete p;
  }
}

void PageCache::make_dirty(CachedPage* p) {
  if (p->dirty()) return;
  if (p->pins == 0) lru_unlink(p);
  p->flags |= CachedPage::kDirty;
  p->dirty_next = nullptr;
  p->dirty_prev = dirty_tail_;
  if (dirty_tail_)
    dirty_tail_->dirty_next = p;
  else
    dirty_head_ = p;
  dirty_tail_ = p;
  ++dirty_count_;
}

void PageCache::make_clean(CachedPage* p) {
  if (!p->dirty()) return;
  if (p->dirty_prev)
    p->dirty_prev->dirty_next = p->dirty_next;
  else
    dirty_head_ = p->dirty_next;
  if (p->dirty_next)
    p->dirty_next->dirty_prev = p->dirty_prev;
  else
    dirty_tail_ = p->dirty_prev;
  p->dirty_prev = p->dirty_next = nullptr;
  p->flags &= ~(CachedPage::kDirty | CachedPage::kWritable);
  --dirty_count_;
  if (p->pins == 0) lru_push_front(p);
}

void PageCache::drop(CachedPage* p) {
  assert(p->pins == 0);
  if (p->dirty()) make_clean(p);
  lru_unlink(p);
  hash_remove(p);
  free_entry(p);
}

void PageCache::for_each(const std::function<void(CachedPage*)>& fn) {
  for (size_t i = 0; i < buckets_.size(); ++i) {
    CachedPage* p = buckets_[i];
    while (p != nullptr) {
      CachedPage* next = p->hash_next;
      fn(p);
      p = next;
    }
  }
}

bool CachedPage::writable() const {
  return (flags & kWritable) != 0 && cache != nullptr && writable_epoch == cache->savepoint_epoch;
}

}  // namespace keel::storage
