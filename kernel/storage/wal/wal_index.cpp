#include "storage/wal/wal_index.h"

#include <cstring>

#include "storage/wal/wal_format.h"

namespace keel::storage::wal {

namespace {

inline uint16_t load_slot(const uint16_t* p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
inline void store_slot(uint16_t* p, uint16_t v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
inline uint32_t hash_key(uint32_t page_no) { return (page_no * kHashMult) & (kHashSlots - 1); }
inline uint32_t next_key(uint32_t k) { return (k + 1) & (kHashSlots - 1); }

// Header copies are read and written with plain byte copies on memory that
// another process may change concurrently; the checksum and the two-copy
// comparison detect torn reads.
void copy_from_shm(void* dst, const volatile void* src, size_t n) {
  std::memcpy(dst, const_cast<const void*>(src), n);
}
void copy_to_shm(volatile void* dst, const void* src, size_t n) {
  std::memcpy(const_cast<void*>(dst), src, n);
}

}  // namespace

Status WalIndex::map(int i, bool extend, uint8_t** out) {
  if (static_cast<size_t>(i) < regions_.size() && regions_[i] != nullptr) {
    *out = regions_[i];
    return Status::Ok();
  }
  volatile void* p = nullptr;
  Status st = db_file_.shm_map(i, extend, &p);
  if (st.code() == rc::kReadOnly && p != nullptr) {
    read_only_ = true;  // usable for reading
  } else if (!st.ok()) {
    return st;
  }
  if (p != nullptr) {
    if (regions_.size() <= static_cast<size_t>(i)) regions_.resize(i + 1, nullptr);
    regions_[i] = static_cast<uint8_t*>(const_cast<void*>(p));
  }
  *out = static_cast<uint8_t*>(const_cast<void*>(p));
  return Status::Ok();
}

Status WalIndex::unmap(bool delete_file) {
  regions_.clear();
  return db_file_.shm_unmap(delete_file);
}

Status WalIndex::lock_shared(int slot) { return db_file_.shm_lock(slot, 1, os::kShmLock | os::kShmShared); }
void WalIndex::unlock_shared(int slot) {
  db_file_.shm_lock(slot, 1, os::kShmUnlock | os::kShmShared).ignore();
}
Status WalIndex::lock_exclusive(int slot, int n) {
  return db_file_.shm_lock(slot, n, os::kShmLock | os::kShmExclusive);
}
void WalIndex::unlock_exclusive(int slot, int n) {
  db_file_.shm_lock(slot, n, os::kShmUnlock | os::kShmExclusive).ignore();
}

volatile IndexHeader* WalIndex::header() const {
  return reinterpret_cast<volatile IndexHeader*>(regions_[0]);
}
CkptInfo* WalIndex::ckpt() const {
  return reinterpret_cast<CkptInfo*>(regions_[0] + 2 * sizeof(IndexHeader));
}

bool WalIndex::try_read_header(IndexHeader* out) const {
  volatile IndexHeader* h = header();
  IndexHeader h1, h2;
  copy_from_shm(&h1, &h[0], sizeof h1);
  db_file_.shm_barrier();
  copy_from_shm(&h2, &h[1], sizeof h2);
  if (std::memcmp(&h1, &h2, sizeof h1) != 0) return false;
  if (h1.is_init == 0) return false;
  uint32_t c[2];
  checksum(true, reinterpret_cast<const uint8_t*>(&h1), offsetof(IndexHeader, cksum), nullptr, c);
  if (c[0] != h1.cksum[0] || c[1] != h1.cksum[1]) return false;
  *out = h1;
  return true;
}

void WalIndex::write_header(IndexHeader* hdr) {
  hdr->is_init = 1;
  hdr->version = kIndexVersion;
  checksum(true, reinterpret_cast<const uint8_t*>(hdr), offsetof(IndexHeader, cksum), nullptr, hdr->cksum);
  volatile IndexHeader* h = header();
  copy_to_shm(&h[1], hdr, sizeof *hdr);
  db_file_.shm_barrier();
  copy_to_shm(&h[0], hdr, sizeof *hdr);
}

IndexHeader WalIndex::live_header() const {
  IndexHeader h;
  copy_from_shm(&h, header(), sizeof h);
  return h;
}

bool WalIndex::header_is(const IndexHeader& h) const {
  IndexHeader live = live_header();
  return std::memcmp(&live, &h, sizeof live) == 0;
}

Status WalIndex::hash_get(int i, bool extend, HashLoc* out) {
  uint8_t* r = nullptr;
  KEEL_RETURN_IF_ERROR(map(i, extend, &r));
  if (r == nullptr) return Status(rc::kCorrupt, "wal-index region missing");
  out->pgno = reinterpret_cast<uint32_t*>(r);
  out->slots = reinterpret_cast<uint16_t*>(r + kHashPages * sizeof(uint32_t));
  if (i == 0) {
    out->pgno += kIndexHeaderBytes / sizeof(uint32_t);
    out->zero = 0;
  } else {
    out->zero = kHashPagesFirst + (i - 1) * kHashPages;
  }
  return Status::Ok();
}

Status WalIndex::append(uint32_t max_frame, uint32_t frame, uint32_t page_no) {
  HashLoc loc;
  KEEL_RETURN_IF_ERROR(hash_get(frame_region(frame), true, &loc));
  uint32_t idx = frame - loc.zero;
  if (idx == 1) {
    // First frame of this table: start from a clean table.
    std::memset(loc.pgno, 0,
                reinterpret_cast<uint8_t*>(loc.slots + kHashSlots) - reinterpret_cast<uint8_t*>(loc.pgno));
  }
  if (loc.pgno[idx - 1] != 0) {
    // Leftovers of a writer that died after spilling uncommitted frames.
    KEEL_RETURN_IF_ERROR(cleanup(max_frame));
  }
  uint32_t collide = idx;
  uint32_t k = hash_key(page_no);
  while (load_slot(&loc.slots[k]) != 0) {
    if (collide-- == 0) return Status(rc::kCorrupt, "wal-index hash table is full");
    k = next_key(k);
  }
  loc.pgno[idx - 1] = page_no;
  store_slot(&loc.slots[k], static_cast<uint16_t>(idx));
  return Status::Ok();
}

Status WalIndex::cleanup(uint32_t max_frame) {
  if (max_frame == 0) return Status::Ok();
  HashLoc loc;
  KEEL_RETURN_IF_ERROR(hash_get(frame_region(max_frame), true, &loc));
  uint32_t limit = max_frame - loc.zero;
  for (uint32_t i = 0; i < kHashSlots; i++) {
    if (loc.slots[i] > limit) store_slot(&loc.slots[i], 0);
  }
  std::memset(&loc.pgno[limit], 0,
              reinterpret_cast<uint8_t*>(loc.slots) - reinterpret_cast<uint8_t*>(&loc.pgno[limit]));
  return Status::Ok();
}

Status WalIndex::find(uint32_t page_no, uint32_t min_frame, uint32_t max_frame, uint32_t* frame) {
  *frame = 0;
  if (max_frame == 0 || min_frame > max_frame) return Status::Ok();
  int lo = frame_region(min_frame);
  for (int i = frame_region(max_frame); i >= lo; i--) {
    HashLoc loc;
    KEEL_RETURN_IF_ERROR(hash_get(i, false, &loc));
    uint32_t found = 0;
    uint32_t collide = kHashSlots;
    uint32_t k = hash_key(page_no);
    for (uint16_t h; (h = load_slot(&loc.slots[k])) != 0; k = next_key(k)) {
      uint32_t f = h + loc.zero;
      if (f <= max_frame && f >= min_frame && loc.pgno[h - 1] == page_no) found = f;
      if (collide-- == 0) return Status(rc::kCorrupt, "wal-index hash chain loops");
    }
    if (found) {
      *frame = found;
      return Status::Ok();
    }
  }
  return Status::Ok();
}

Status WalIndex::frame_page(uint32_t frame, uint32_t* page_no) {
  HashLoc loc;
  KEEL_RETURN_IF_ERROR(hash_get(frame_region(frame), false, &loc));
  *page_no = loc.pgno[frame - loc.zero - 1];
  return Status::Ok();
}

}  // namespace keel::storage::wal
