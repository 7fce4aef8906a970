// The wal-index: SQLite's shared-memory index over the WAL, laid out exactly
// as SQLite lays it out so that sqlite3 processes and Keel share it.
//
// Design note
// -----------
// The index lives in 32 KiB regions obtained with VfsFile::shm_map (the
// -shm file of the unix VFS). All integers are in host byte order.
//
//   region 0:  [0, 48)    IndexHeader, copy 1
//              [48, 96)   IndexHeader, copy 2
//              [96, 136)  CkptInfo (nBackfill, read marks, lock bytes, ...)
//              [136, 16384)  page numbers of frames 1..4062   (u32 each)
//              [16384, 32768) hash slots (8192 x u16)
//   region i>0: [0, 16384) page numbers of the next 4096 frames
//              [16384, 32768) hash slots
//
// Each region is one hash table over its frames. A slot holds the 1-based
// index of a frame within the region (0 = empty); the key of page P is
// (P * 383) & 8191, collisions probe linearly. Entries are only ever added
// in increasing frame order, so removing every entry above some frame (undo,
// a crashed writer's leftovers) by clearing those slots keeps all remaining
// probe chains intact.
//
// Invariants
//  1. Writers store header copy 2 first, then (after a barrier) copy 1;
//     readers read copy 1, then copy 2, and accept only identical copies
//     whose checksum is valid. A mismatch means a writer is mid-update or
//     crashed; the cure is to retry under the WRITE lock, then recover.
//  2. Hash entries for frames <= IndexHeader.max_frame of the header that a
//     reader accepted are never changed while that reader holds its read
//     lock (a log restart needs every READ(1..4) lock exclusively).
//  3. Only the holder of the WRITE lock adds or removes hash entries.
//
// Lock slots (VfsFile::shm_lock): WRITE 0, CKPT 1, RECOVER 2, READ(i) 3+i.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "keel/status.hpp"
#include "os/vfs.h"

namespace keel::storage::wal {

inline constexpr uint32_t kIndexVersion = 3007000;
inline constexpr int kNumReaders = 5;  // read marks / READ locks
inline constexpr uint32_t kReadMarkNotUsed = 0xffffffff;

inline constexpr int kWriteLock = 0;
inline constexpr int kCkptLock = 1;
inline constexpr int kRecoverLock = 2;
inline constexpr int read_lock_slot(int i) { return 3 + i; }

inline constexpr uint32_t kHashPages = 4096;  // page numbers per region (> 0)
inline constexpr uint32_t kHashSlots = 8192;
inline constexpr uint32_t kHashMult = 383;

// The 48-byte header, twice at the start of region 0.
struct IndexHeader {
  uint32_t version;         // 0: kIndexVersion
  uint32_t unused;          // 4
  uint32_t change;          // 8: incremented by every commit
  uint8_t is_init;          // 12: 1 once written
  uint8_t big_end_cksum;    // 13: WAL checksums use big-endian words
  uint16_t page_size;       // 14: page size, 65536 stored as 1
  uint32_t max_frame;       // 16: last committed frame
  uint32_t n_page;          // 20: database size in pages
  uint32_t frame_cksum[2];  // 24: checksum of frame max_frame (or WAL header)
  uint8_t salt[8];          // 32: salts exactly as in the WAL header
  uint32_t cksum[2];        // 40: checksum (host-order words) of bytes 0..39
};
static_assert(sizeof(IndexHeader) == 48);

// Checkpoint state after the two header copies.
struct CkptInfo {
  uint32_t n_backfill;              // 96: frames copied into the database
  uint32_t read_mark[kNumReaders];  // 100: snapshot end of readers on READ(i)
  uint8_t lock[os::kShmNLock];      // 120: bytes the unix VFS locks
  uint32_t n_backfill_attempted;    // 128: frames a checkpoint attempted
  uint32_t not_used0;               // 132
};
static_assert(sizeof(CkptInfo) == 40);

inline constexpr uint32_t kIndexHeaderBytes = 2 * sizeof(IndexHeader) + sizeof(CkptInfo);  // 136
inline constexpr uint32_t kHashPagesFirst = kHashPages - kIndexHeaderBytes / 4;            // 4062

// Word access to shared fields that other connections change concurrently.
inline uint32_t shm_load(const uint32_t* p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
inline void shm_store(uint32_t* p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }

inline uint32_t decode_page_size(uint16_t v) { return (v & 0xfe00u) + ((v & 1u) << 16); }
inline uint16_t encode_page_size(uint32_t sz) { return static_cast<uint16_t>((sz & 0xff00) | (sz >> 16)); }

// Region (hash table) number that indexes frame `frame`.
inline int frame_region(uint32_t frame) {
  return static_cast<int>((frame + kHashPages - kHashPagesFirst - 1) / kHashPages);
}

class WalIndex {
 public:
  explicit WalIndex(os::VfsFile& db_file) : db_file_(db_file) {}

  // Maps region i (creating it when extend). nullptr with OK when it does not
  // exist and !extend.
  Status map(int i, bool extend, uint8_t** out);
  uint8_t* region0() const { return regions_.empty() ? nullptr : regions_[0]; }
  // True once the VFS mapped the -shm read-only (rc::kReadOnly from
  // shm_map): this connection may read the index but not change it.
  bool read_only() const { return read_only_; }
  Status unmap(bool delete_file);

  // Shared lock slots.
  Status lock_shared(int slot);
  void unlock_shared(int slot);
  Status lock_exclusive(int slot, int n);
  void unlock_exclusive(int slot, int n);
  void barrier() { db_file_.shm_barrier(); }

  // Header copy 1 (region 0 must be mapped).
  volatile IndexHeader* header() const;
  CkptInfo* ckpt() const;
  // Reads both copies. Returns true and fills *out when they agree, are
  // initialized and their checksum is valid.
  bool try_read_header(IndexHeader* out) const;
  // Sets is_init/version/checksum in *h and publishes it (copy 2, barrier, copy 1).
  void write_header(IndexHeader* h);
  // Copy 1 as it is, unvalidated (for comparisons and undo under the locks
  // that keep it stable).
  IndexHeader live_header() const;
  // True when copy 1 is byte-identical to *h.
  bool header_is(const IndexHeader& h) const;

  // Hash table of region i: aPgno[k] is the page of frame zero+k+1.
  struct HashLoc {
    uint32_t* pgno;
    uint16_t* slots;
    uint32_t zero;
  };
  Status hash_get(int i, bool extend, HashLoc* out);

  // Records that frame `frame` holds page `page_no`. `max_frame` is the
  // writer's current last frame (entries above it are stale and are removed
  // when found). Needs the WRITE lock.
  Status append(uint32_t max_frame, uint32_t frame, uint32_t page_no);
  // Removes every entry for frames above max_frame from its hash table.
  Status cleanup(uint32_t max_frame);
  // Newest frame in [min_frame, max_frame] holding page_no, or 0.
  Status find(uint32_t page_no, uint32_t min_frame, uint32_t max_frame, uint32_t* frame);
  // Page number recorded for frame `frame`.
  Status frame_page(uint32_t frame, uint32_t* page_no);

 private:
  os::VfsFile& db_file_;
  std::vector<uint8_t*> regions_;
  bool read_only_ = false;
};

}  // namespace keel::storage::wal
