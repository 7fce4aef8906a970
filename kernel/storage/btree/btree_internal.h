// Internals of the b-tree layer, shared by its source files (not a contract).
//
// Layout summary (FORMAT.md has the full story):
//   page header at `hdr` (100 on page 1, else 0): flags, first freeblock,
//   cell count, content start (0 = 65536), fragmented bytes, [right child];
//   then the cell pointer array (2 bytes per cell, in key order); then the
//   unallocated gap; then the cell content area up to usable_size.
//
// Invariants kept by every function here:
//   1. MemPage fields (ncell, nfree, overflow cells) describe the page bytes
//      they were parsed from; whoever changes the bytes updates the fields.
//   2. A page is changed only after make_writable() succeeded on it.
//   3. Before a tree changes, every other cursor on that tree has saved its
//      position and released its pages (save_cursors_on), so no stale MemPage
//      survives a change.
//   4. Offsets read from disk are bounds-checked before use; violations give
//      rc::kCorrupt.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "base/bytes.h"
#include "base/varint.h"
#include "storage/btree/btree.h"

namespace keel::storage::bt {
// get_varint_bounded inlined for the per-cell paths: with a full varint's
// worth of bytes before `end` (all but the last cells of a page) the
// unbounded decoder is safe. Same results as get_varint_bounded.
inline int varint_in(const uint8_t* p, const uint8_t* end, uint64_t* v) {
  if (end - p >= kMaxVarintLen) return get_varint(p, v);
  return get_varint_bounded(p, end, v);
}
}  // namespace keel::storage::bt

namespace keel::storage::bt {

// Page-type flag bits (byte 0 of the page header).
inline constexpr uint8_t kPtfIntKey = 0x01;
inline constexpr uint8_t kPtfZeroData = 0x02;
inline constexpr uint8_t kPtfLeafData = 0x04;
inline constexpr uint8_t kPtfLeaf = 0x08;
inline constexpr uint8_t kTableLeaf = 13;     // intkey | leafdata | leaf
inline constexpr uint8_t kTableInterior = 5;  // intkey | leafdata
inline constexpr uint8_t kIndexLeaf = 10;     // zerodata | leaf
inline constexpr uint8_t kIndexInterior = 2;  // zerodata

inline constexpr int kMaxDepth = 20;         // SQLite's BTCURSOR_MAX_DEPTH
inline constexpr int kMaxOverflowCells = 6;  // overflow cells one page may carry
inline constexpr int kBalanceSiblings = 3;   // NB: pages balanced together

// Pointer-map entry types.
inline constexpr uint8_t kPtrmapRoot = 1;
inline constexpr uint8_t kPtrmapFree = 2;
inline constexpr uint8_t kPtrmapOverflow1 = 3;
inline constexpr uint8_t kPtrmapOverflow2 = 4;
inline constexpr uint8_t kPtrmapBtree = 5;

inline constexpr uint32_t kPendingByte = 0x40000000;

// Cells built in scratch buffers start this far in, so that code which
// looks at the 4 bytes before a leaf cell (to prepend a child pointer) stays
// inside the buffer.
inline constexpr int kCellHeadroom = 8;

// Header offsets on page 1.
inline constexpr int kHdrFreelistTrunk = 32;
inline constexpr int kHdrFreelistCount = 36;
inline constexpr int kHdrLargestRoot = 52;
inline constexpr int kHdrIncrVacuum = 64;

Status corrupt_error();
#define KEEL_BT_CORRUPT() ::keel::storage::bt::corrupt_error()

// A parsed cell.
struct CellInfo {
  int64_t key = 0;  // rowid (table trees) or payload size (index trees)
  const uint8_t* payload = nullptr;
  uint32_t payload_size = 0;
  uint32_t local = 0;  // payload bytes on the page
  uint16_t size = 0;   // bytes the cell occupies on the page (>= 4)
  bool overflows() const { return local < payload_size; }
};

// One b-tree page as seen through a pinned PageRef.
struct MemPage {
  PageRef ref;
  PageNo pgno = 0;
  uint8_t* data = nullptr;
  uint16_t hdr = 0;
  bool leaf = false;
  bool intkey = false;       // table tree page
  bool intkey_leaf = false;  // table leaf: cells carry payload
  uint8_t child_ptr_size = 0;
  uint16_t max_local = 0;
  uint16_t min_local = 0;
  uint16_t cell_offset = 0;  // start of the cell pointer array
  uint32_t usable = 0;
  int ncell = 0;
  int nfree = -1;  // -1 = not computed yet
  int n_overflow = 0;
  int ovfl_idx[kMaxOverflowCells] = {};
  uint8_t* ovfl_cell[kMaxOverflowCells] = {};

  uint8_t flags() const { return data[hdr]; }
  uint32_t right_child() const { return get_u32(data + hdr + 8); }
  uint32_t cell_ptr(int i) const { return get_u16(data + cell_offset + 2 * i); }
  void reset() {
    ref.release();
    ref = PageRef();
    pgno = 0;
    data = nullptr;
    n_overflow = 0;
    nfree = -1;
  }
};

struct CursorState;

// State shared by a Btree and its cursors.
struct BtShared {
  Pager* pager = nullptr;
  uint32_t page_size = 0;
  uint32_t usable = 0;
  bool auto_vacuum = false;
  bool incr_vacuum = false;
  uint16_t max_local = 0, min_local = 0, max_leaf = 0, min_leaf = 0;
  std::vector<CursorState*> cursors;
  // Scratch space, sized to the page size once per transaction.
  std::vector<uint8_t> cell_buf;     // a cell being built
  std::vector<uint8_t> defrag_buf;   // defragmentation copy
  std::vector<uint8_t> bal_pages;    // copies of the siblings being balanced
  std::vector<uint8_t> bal_div;      // copies of divider cells
  std::vector<uint8_t> bal_ovfl[2];  // parent overflow cells, alternating by level
  int bal_ovfl_next = 0;
  uint8_t quick_space[2][32] = {};
  std::vector<uint8_t*> bal_cells;  // the pool of cells being balanced
  std::vector<uint16_t> bal_sizes;
  int quick_next = 0;

  PageNo npage() const { return pager->page_count(); }
  PageNo pending_page() const { return kPendingByte / page_size + 1; }
  Status refresh();  // re-reads page size and header flags
};

// True for a one-page file whose page 1 has a file header but no b-tree
// page yet (an empty file switched to WAL): read as an empty sqlite_schema.
bool page1_is_blank(BtShared& s);

// ---- page.cpp: page parsing and in-page space management
Status init_page(BtShared& bt, MemPage& p, PageRef ref);
Status get_page(BtShared& bt, PageNo pgno, MemPage& p);
// Re-reads the MemPage fields from the page bytes (pgno/data/hdr set).
Status parse_header(BtShared& bt, MemPage& p);
Status make_writable(BtShared& bt, MemPage& p);
void zero_page(BtShared& bt, MemPage& p, uint8_t flags);
Status compute_free_space(MemPage& p);
// Offset of cell i, checked to lie in the cell content range.
Status cell_at(const MemPage& p, int i, uint8_t** cell);
Status allocate_space(BtShared& bt, MemPage& p, int n, int* idx);
Status free_space(MemPage& p, uint32_t start, uint32_t size);
Status defragment(BtShared& bt, MemPage& p, int max_frag);
// Inserts cell (size sz) at index i. If it does not fit, it becomes an
// overflow cell held by pointer: copied into `tmp` first when tmp != nullptr,
// else `cell` itself must stay valid until the page is balanced. A non-zero
// child overwrites the cell's first 4 bytes.
Status insert_cell(BtShared& bt, MemPage& p, int i, uint8_t* cell, int sz, uint8_t* tmp, PageNo child);
Status drop_cell(MemPage& p, int i, int sz);
// Rewrites p to hold exactly cells[0..n) (already child-pointer-correct).
Status rebuild_page(BtShared& bt, MemPage& p, uint8_t* const* cells, const uint16_t* sizes, int n);

// ---- cell.cpp: the four cell formats
uint32_t local_payload(uint32_t payload, uint32_t max_local, uint32_t min_local, uint32_t usable);
// Parses a cell of page p whose bytes live in the page image at `base`
// (p.data, or a copy of it); fails if the cell runs past the usable size.
Status parse_cell_in(const MemPage& p, const uint8_t* base, const uint8_t* cell, CellInfo* info);
inline Status parse_cell(const MemPage& p, const uint8_t* cell, CellInfo* info) {
  return parse_cell_in(p, p.data, cell, info);
}
// Size of a cell known to be well formed (a cell built by this code).
uint16_t cell_size_trusted(const MemPage& p, const uint8_t* cell);
inline PageNo overflow_pgno(const uint8_t* cell, const CellInfo& info) {
  return get_u32(cell + info.size - 4);
}

// ---- overflow.cpp
// Builds a cell for the leaf `p` in `cell`, spilling to newly allocated
// overflow pages; *size = bytes used in `cell`.
Status fill_in_cell(BtShared& bt, MemPage& p, uint8_t* cell, int64_t rowid, const uint8_t* data, uint32_t n,
                    int* size);
// Frees the overflow chain of a cell.
Status clear_cell(BtShared& bt, MemPage& p, const uint8_t* cell, const CellInfo& info);
// Next page of an overflow chain.
Status overflow_next(BtShared& bt, PageNo pgno, PageNo* next, PageRef* ref);

// ---- freelist.cpp
enum class AllocMode { kAny, kExact, kLessOrEqual };
// Allocates a page (freelist first, else the end of the file) and returns it
// writable in *out (content unspecified: callers zero or overwrite it).
Status allocate_page(BtShared& bt, MemPage* out, PageNo* pgno, PageNo nearby, AllocMode mode);
Status free_page(BtShared& bt, PageNo pgno);
Status get_page1(BtShared& bt, PageRef* ref, bool writable);

// ---- ptrmap.cpp
PageNo ptrmap_pageno(const BtShared& bt, PageNo pgno);
inline bool is_ptrmap_page(const BtShared& bt, PageNo pgno) {
  return bt.auto_vacuum && pgno >= 2 && ptrmap_pageno(bt, pgno) == pgno;
}
Status ptrmap_put(BtShared& bt, PageNo key, uint8_t type, PageNo parent);
Status ptrmap_get(BtShared& bt, PageNo key, uint8_t* type, PageNo* parent);
Status ptrmap_put_ovfl(BtShared& bt, MemPage& p, const uint8_t* cell);
Status set_child_ptrmaps(BtShared& bt, MemPage& p);
Status relocate_page(BtShared& bt, PageNo from, uint8_t type, PageNo ptr_page, PageNo to);
PageNo final_db_size(const BtShared& bt, PageNo orig, PageNo nfree);
Status incr_vacuum_step(BtShared& bt, PageNo fin, PageNo last, bool commit, bool* done);
Status autovacuum_commit(BtShared& bt);

// Compares stored keys against a whole key (a saved cursor position or a
// key being inserted) through the tree's KeyOrder.
class BytesComparator final : public KeyComparator {
 public:
  BytesComparator(const KeyOrder& order, const uint8_t* key, size_t n) : order_(order), key_(key), n_(n) {}
  int compare(const uint8_t* key, size_t size) const override {
    return order_.compare_keys(key, size, key_, n_);
  }

 private:
  const KeyOrder& order_;
  const uint8_t* key_;
  size_t n_;
};

// ---- cursor.cpp helpers used by other files
Status save_cursors_on(BtShared& bt, PageNo root, CursorState* except);
Status save_all_cursors(BtShared& bt, CursorState* except);

// ---- balance.cpp
Status balance(BtShared& bt, CursorState& c);

// Cursor internals.
struct CursorState {
  enum class Pos { kInvalid, kValid, kRequireSeek };
  BtShared* bt = nullptr;
  PageNo root = 0;
  bool writable = false;
  const KeyOrder* order = nullptr;
  Pos pos = Pos::kInvalid;
  bool known_kind = false;
  bool intkey = false;
  bool at_last = false;
  bool bulk_load = false;  // BTREE_BULKLOAD hint: balance() packs pages full
  int depth = -1;          // index of the current page; -1 = no page loaded
  MemPage pages[kMaxDepth];
  int idx[kMaxDepth] = {};
  int last_seek = 0;  // outcome of the last seek (for kUseSeekResult)
  // Saved position (pos == kRequireSeek).
  int64_t saved_rowid = 0;
  std::vector<uint8_t> saved_key;
  int skip_next = 0;  // >0: next() stays put; <0: prev() stays put
  // Current cell, parsed lazily.
  CellInfo info;
  bool info_valid = false;
  // Overflow chain cache of the current cell.
  std::vector<PageNo> ovfl;
  bool ovfl_valid = false;
  std::vector<uint8_t> key_buf;  // whole key of an overflowing index cell
  // Forward-scan read-ahead (cursor.cpp, prefetch_ahead): the leaf after the
  // current one (0: none known), and how many payload bytes of each entry
  // the reader has been using (BtCursor::note_payload_read).
  PageNo next_leaf = 0;
  uint32_t readahead_bytes = 0;

  MemPage& page() { return pages[depth]; }
  int& ix() { return idx[depth]; }
  void release_all();
  Status move_to_root();
  Status move_to_child(PageNo child);
  void move_to_parent();
  Status move_to_leftmost();
  Status move_to_rightmost();
  void prefetch_ahead(int i);
  Status first();
  Status last();
  Status next();
  Status prev();
  Status seek_rowid(int64_t rowid, int* res);
  Status seek_key(const KeyComparator& probe, int* res);
  Status save_position();
  Status restore_position(bool* still_there);
  Status ensure_info();
  Status read_payload(uint32_t offset, uint32_t n, uint8_t* buf);
  Status full_key(const uint8_t* cell, const CellInfo& info, const uint8_t** key);
  Status insert(int64_t rowid, const uint8_t* key, const uint8_t* data, uint32_t n, InsertHint hint,
                const KeyComparator* probe);
  Status remove();
  Status count(int64_t* n);
  bool is_at_last_entry() const;
};

}  // namespace keel::storage::bt
