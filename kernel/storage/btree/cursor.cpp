// Cursor movement, seeks and payload reads.
//
// A cursor keeps the path from the root to its page as a stack of pinned
// pages (pages[0..depth]) with the cell index taken at each level
// (idx[]; idx == ncell on an interior page means "the right child"). Table
// trees have entries only on leaves; index trees also on interior pages, so
// an index cursor may rest on an interior cell.
//
// When another cursor is about to change the same tree, this cursor saves
// its key, drops its pages (pos = kRequireSeek) and seeks back lazily; the
// seek outcome lands in skip_next so that next()/prev() after a delete do
// not skip an entry. Nothing here allocates per row: payload is read in
// place, overflow pages through a per-cursor cache of the chain.
#include <algorithm>

#include "storage/btree/btree_internal.h"

namespace keel::storage::bt {

namespace {

PageNo child_at(const MemPage& p, int i, Status* st) {
  if (i >= p.ncell) return p.right_child();
  uint8_t* cell;
  *st = cell_at(p, i, &cell);
  if (!st->ok()) return 0;
  return get_u32(cell);
}

}  // namespace

void CursorState::release_all() {
  for (int d = depth; d >= 0; d--) pages[d].reset();
  depth = -1;
  info_valid = false;
  ovfl_valid = false;
}

Status CursorState::move_to_root() {
  info_valid = false;
  next_leaf = 0;
  ovfl_valid = false;
  at_last = false;
  skip_next = 0;
  if (depth >= 0) {
    while (depth > 0) pages[depth--].reset();
  } else {
    if (root < 1) return KEEL_BT_CORRUPT();
    if (root == 1 && page1_is_blank(*bt)) {
      known_kind = true;
      intkey = true;
      pos = Pos::kInvalid;
      return Status::Ok();
    }
    KEEL_RETURN_IF_ERROR(get_page(*bt, root, pages[0]));
    depth = 0;
    if (!known_kind) {
      intkey = pages[0].intkey;
      known_kind = true;
    } else if (pages[0].intkey != intkey) {
      release_all();
      return KEEL_BT_CORRUPT();
    }
  }
  idx[0] = 0;
  MemPage& r = pages[0];
  if (r.ncell > 0) {
    pos = Pos::kValid;
  } else if (!r.leaf) {
    // Only page 1 may be an interior page without cells (it is smaller than
    // its child, which then cannot be copied up into it).
    if (r.pgno != 1) return KEEL_BT_CORRUPT();
    pos = Pos::kValid;
    KEEL_RETURN_IF_ERROR(move_to_child(r.right_child()));
  } else {
    pos = Pos::kInvalid;
  }
  return Status::Ok();
}

Status CursorState::move_to_child(PageNo child) {
  if (depth >= kMaxDepth - 1) return KEEL_BT_CORRUPT();
  info_valid = false;
  ovfl_valid = false;
  MemPage& c = pages[depth + 1];
  KEEL_RETURN_IF_ERROR(get_page(*bt, child, c));
  if (c.ncell < 1 || c.intkey != intkey) {
    c.reset();
    return KEEL_BT_CORRUPT();
  }
  depth++;
  idx[depth] = 0;
  return Status::Ok();
}

void CursorState::move_to_parent() {
  info_valid = false;
  ovfl_valid = false;
  pages[depth].reset();
  depth--;
}

Status CursorState::move_to_leftmost() {
  while (!page().leaf) {
    Status st;
    PageNo child = child_at(page(), ix(), &st);
    KEEL_RETURN_IF_ERROR(st);
    KEEL_RETURN_IF_ERROR(move_to_child(child));
  }
  // A forward scan has just entered this leaf. Its cells are requested all
  // at once (rather than one dependent miss per entry), and the headers of
  // the next two leaves too, so that they arrive while this leaf's entries
  // are processed (leaves are scattered over the page cache: the hardware
  // prefetcher cannot guess them); prefetch_ahead() reads the next leaf's
  // cell pointers.
  const MemPage& leaf = page();
  int n = std::min(leaf.ncell, 32);
  for (int i = 0; i < n; i++) {
    uint32_t pc = leaf.cell_ptr(i);
    if (pc < leaf.usable) __builtin_prefetch(leaf.data + pc);
  }
  next_leaf = 0;
  if (depth > 0) {
    const MemPage& parent = pages[depth - 1];
    auto child = [&](int k) -> PageNo {
      if (k < parent.ncell) {
        uint32_t pc = parent.cell_ptr(k);
        return pc + 4 <= parent.usable ? get_u32(parent.data + pc) : 0;
      }
      return k == parent.ncell ? parent.right_child() : 0;
    };
    int k = idx[depth - 1] + 1;
    next_leaf = child(k);
    if (next_leaf != 0) bt->pager->prefetch(next_leaf, 64);
    PageNo after = child(k + 1);
    if (after != 0) bt->pager->prefetch(after, 64);
  }
  prefetch_ahead(0);
  return Status::Ok();
}

// A forward scan at entry i of its leaf requests the bytes of the entry
// kAhead places further (in this leaf or the next), so that they arrive
// while the entries in between are processed: the cell header and record
// header, plus as many payload bytes as the reader has been using per row
// (readahead_bytes: a scan that reads a 1.5 KB vector gets all of it; a
// scan that reads the rowid only, one line). Only addresses are computed
// from the next leaf's bytes, never trusted: a damaged or stale image at
// worst prefetches the wrong bytes of that page.
//
// Measured on the vector scan (100k rows of 1.5 KB, two per 4 KB leaf):
// two entries ahead is one leaf ahead there, which covers the memory
// latency; the lines go to L2 (locality 2, prefetcht1), which ran ~25 %
// faster than into L1 (prefetcht0: the L1 miss buffers fill and the
// prefetch instructions themselves wait), except the first line (cell and
// record headers, read first), which goes to L1; one prefetch per 128
// bytes (relying on the adjacent-line prefetcher) was slower.
void CursorState::prefetch_ahead(int i) {
  constexpr int kAhead = 2;
  const MemPage& leaf = page();
  int target = i + kAhead;
  const uint8_t* base;
  uint32_t pc;
  if (target < leaf.ncell) {
    base = leaf.data;
    pc = leaf.cell_ptr(target);
  } else {
    if (next_leaf == 0) return;
    base = bt->pager->peek(next_leaf);
    if (base == nullptr) return;
    uint32_t hdr = next_leaf == 1 ? 100 : 0;
    uint8_t flags = base[hdr];
    if (flags != 0x0D && flags != 0x0A) return;  // not a leaf
    int j = target - leaf.ncell;
    if (j >= static_cast<int>(get_u16(base + hdr + 3))) return;
    uint32_t ptr = hdr + 8 + 2 * static_cast<uint32_t>(j);
    if (ptr + 2 > leaf.usable) return;
    pc = get_u16(base + ptr);
  }
  if (pc >= leaf.usable) return;
  // Cell header (payload size and rowid varints) + record bytes used.
  uint32_t end = std::min<uint32_t>(leaf.usable, pc + 18 + readahead_bytes);
  __builtin_prefetch(base + pc, 0, 3);
  auto a = (reinterpret_cast<uintptr_t>(base + pc) & ~uintptr_t{63}) + 64;
  auto e = reinterpret_cast<uintptr_t>(base + end);
  for (; a < e; a += 64) __builtin_prefetch(reinterpret_cast<const void*>(a), 0, 2);
}

Status CursorState::move_to_rightmost() {
  while (!page().leaf) {
    ix() = page().ncell;
    KEEL_RETURN_IF_ERROR(move_to_child(page().right_child()));
  }
  ix() = page().ncell - 1;
  return Status::Ok();
}

Status CursorState::first() {
  KEEL_RETURN_IF_ERROR(move_to_root());
  if (pos != Pos::kValid) return Status::Ok();
  return move_to_leftmost();
}

Status CursorState::last() {
  // Already there (a bounded ORDER BY index asks once per row).
  if (pos == Pos::kValid && at_last && depth >= 0) {
    skip_next = 0;  // as move_to_root: next()/prev() move from here
    return Status::Ok();
  }
  KEEL_RETURN_IF_ERROR(move_to_root());
  if (pos != Pos::kValid) return Status::Ok();
  KEEL_RETURN_IF_ERROR(move_to_rightmost());
  at_last = true;
  return Status::Ok();
}

Status CursorState::next() {
  // After a re-seek (here or in an explicit restore()) the cursor may
  // already sit on the entry after the one it had: then it stays.
  if (pos == Pos::kRequireSeek) KEEL_RETURN_IF_ERROR(restore_position(nullptr));
  if (pos != Pos::kValid) return Status::Ok();
  int skip = skip_next;
  skip_next = 0;
  if (skip > 0) return Status::Ok();
  info_valid = false;
  ovfl_valid = false;
  at_last = false;
  while (true) {
    MemPage* pg = &page();
    int i = ++ix();
    if (i >= pg->ncell) {
      if (!pg->leaf) {
        KEEL_RETURN_IF_ERROR(move_to_child(pg->right_child()));
        return move_to_leftmost();
      }
      do {
        if (depth == 0) {
          pos = Pos::kInvalid;
          return Status::Ok();
        }
        move_to_parent();
      } while (ix() >= page().ncell);
      if (page().intkey) continue;  // interior table cells are not entries
      return Status::Ok();
    }
    if (pg->leaf) {
      prefetch_ahead(i);
      return Status::Ok();
    }
    return move_to_leftmost();
  }
}

Status CursorState::prev() {
  if (pos == Pos::kRequireSeek) KEEL_RETURN_IF_ERROR(restore_position(nullptr));
  if (pos != Pos::kValid) return Status::Ok();
  int skip = skip_next;
  skip_next = 0;
  if (skip < 0) return Status::Ok();
  info_valid = false;
  ovfl_valid = false;
  at_last = false;
  while (true) {
    if (!page().leaf) {
      Status st;
      PageNo child = child_at(page(), ix(), &st);
      KEEL_RETURN_IF_ERROR(st);
      KEEL_RETURN_IF_ERROR(move_to_child(child));
      return move_to_rightmost();
    }
    while (ix() == 0) {
      if (depth == 0) {
        pos = Pos::kInvalid;
        return Status::Ok();
      }
      move_to_parent();
    }
    ix()--;
    if (page().intkey && !page().leaf) continue;
    return Status::Ok();
  }
}

// Rowid of cell i of a table leaf, or false if the cell is malformed.
static bool leaf_rowid(const MemPage& pg, int i, int64_t* key) {
  uint8_t* cell;
  if (!cell_at(pg, i, &cell).ok()) return false;
  const uint8_t* end = pg.data + pg.usable;
  uint64_t skip, k;
  int n = varint_in(cell, end, &skip);
  if (n == 0 || varint_in(cell + n, end, &k) == 0) return false;
  *key = static_cast<int64_t>(k);
  return true;
}

Status CursorState::seek_rowid(int64_t rowid, int* res) {
  if (pos == Pos::kValid && depth >= 0 && page().leaf && intkey) {
    KEEL_RETURN_IF_ERROR(ensure_info());
    if (info.key == rowid) {
      skip_next = 0;
      *res = last_seek = 0;
      return Status::Ok();
    }
    if (at_last && info.key < rowid) {
      skip_next = 0;
      *res = last_seek = -1;
      return Status::Ok();
    }
    // A rowid between the first and last keys of this leaf can only be on
    // this leaf: search it alone instead of descending from the root (runs
    // of nearby rowids: the second pass of DELETE/UPDATE, NotExists before
    // Insert). The page stays parsed, with its free space known.
    MemPage& pg = page();
    int64_t lo, hi;
    if (pg.n_overflow == 0 && pg.ncell > 0 && leaf_rowid(pg, 0, &lo) && leaf_rowid(pg, pg.ncell - 1, &hi) &&
        lo <= rowid && rowid <= hi) {
      int lwr = 1, upr = pg.ncell - 2, found = -1;
      if (lo == rowid) found = 0;
      if (hi == rowid) found = pg.ncell - 1;
      while (found < 0 && lwr <= upr) {
        int i = (lwr + upr) >> 1;
        int64_t k;
        if (!leaf_rowid(pg, i, &k)) return KEEL_BT_CORRUPT();
        if (k < rowid) {
          lwr = i + 1;
        } else if (k > rowid) {
          upr = i - 1;
        } else {
          found = i;
        }
      }
      info_valid = false;
      ovfl_valid = false;
      skip_next = 0;
      if (found >= 0) {
        ix() = found;
        *res = last_seek = 0;
      } else {
        // lwr is the first cell with a larger key (lwr <= ncell - 1: hi > rowid).
        ix() = lwr;
        *res = last_seek = 1;
      }
      at_last = is_at_last_entry();
      return Status::Ok();
    }
  }
  KEEL_RETURN_IF_ERROR(move_to_root());
  if (!intkey) return Status(rc::kMisuse, "rowid seek on an index b-tree");
  if (pos != Pos::kValid) {
    *res = last_seek = -1;
    return Status::Ok();
  }
  while (true) {
    MemPage& pg = page();
    const uint8_t* end = pg.data + pg.usable;
    int lwr = 0, upr = pg.ncell - 1, c = 0;
    int i = upr >> 1;
    if (pg.ncell == 0) {
      if (pg.leaf) return KEEL_BT_CORRUPT();
      lwr = 0;
    } else {
      while (true) {
        uint8_t* cell;
        KEEL_RETURN_IF_ERROR(cell_at(pg, i, &cell));
        const uint8_t* q = cell;
        uint64_t skip;
        if (pg.intkey_leaf) {
          int n = varint_in(q, end, &skip);
          if (n == 0) return KEEL_BT_CORRUPT();
          q += n;
        } else {
          q += 4;
        }
        uint64_t k;
        if (varint_in(q, end, &k) == 0) return KEEL_BT_CORRUPT();
        int64_t key = static_cast<int64_t>(k);
        if (key < rowid) {
          lwr = i + 1;
          if (lwr > upr) {
            c = -1;
            break;
          }
        } else if (key > rowid) {
          upr = i - 1;
          if (lwr > upr) {
            c = 1;
            break;
          }
        } else {
          if (pg.leaf) {
            ix() = i;
            *res = last_seek = 0;
            at_last = is_at_last_entry();
            return Status::Ok();
          }
          lwr = i;
          break;
        }
        i = (lwr + upr) >> 1;
      }
      if (pg.leaf) {
        ix() = i;
        *res = last_seek = c;
        // Remembered so that an insert after this seek (NotExists, then
        // Insert of a larger rowid) appends without seeking again.
        at_last = is_at_last_entry();
        return Status::Ok();
      }
    }
    ix() = lwr;
    Status st;
    PageNo child = child_at(pg, lwr, &st);
    KEEL_RETURN_IF_ERROR(st);
    KEEL_RETURN_IF_ERROR(move_to_child(child));
  }
}

Status CursorState::full_key(const uint8_t* cell, const CellInfo& ci, const uint8_t** key) {
  (void)cell;
  if (!ci.overflows()) {
    *key = ci.payload;
    return Status::Ok();
  }
  uint32_t per = bt->usable - 4;
  uint64_t need_pages = (uint64_t{ci.payload_size} - ci.local + per - 1) / per;
  if (need_pages > bt->npage()) return KEEL_BT_CORRUPT();
  if (key_buf.size() < ci.payload_size) key_buf.resize(ci.payload_size);
  std::memcpy(key_buf.data(), ci.payload, ci.local);
  uint32_t done = ci.local;
  PageNo pg = get_u32(ci.payload + ci.local);
  while (done < ci.payload_size) {
    PageNo next;
    PageRef ref;
    KEEL_RETURN_IF_ERROR(overflow_next(*bt, pg, &next, &ref));
    uint32_t take = std::min(per, ci.payload_size - done);
    std::memcpy(key_buf.data() + done, ref.data() + 4, take);
    done += take;
    pg = next;
  }
  *key = key_buf.data();
  return Status::Ok();
}

Status CursorState::seek_key(const KeyComparator& probe, int* res) {
  KEEL_RETURN_IF_ERROR(move_to_root());
  if (intkey) return Status(rc::kMisuse, "key seek on a table b-tree");
  if (pos != Pos::kValid) {
    *res = last_seek = -1;
    return Status::Ok();
  }
  while (true) {
    MemPage& pg = page();
    int lwr = 0, upr = pg.ncell - 1, c = 0;
    int i = upr >> 1;
    const uint8_t* end = pg.data + pg.usable;
    while (true) {
      uint8_t* cell;
      KEEL_RETURN_IF_ERROR(cell_at(pg, i, &cell));
      const uint8_t* q = cell + pg.child_ptr_size;
      if (q < end && *q < 0x80 && *q <= pg.max_local && q + 1 + *q <= end) {
        // A key under 128 bytes held wholly on the page (one-byte size).
        c = probe.compare(q + 1, *q);
      } else {
        CellInfo ci;
        KEEL_RETURN_IF_ERROR(parse_cell(pg, cell, &ci));
        const uint8_t* key;
        KEEL_RETURN_IF_ERROR(full_key(cell, ci, &key));
        c = probe.compare(key, ci.payload_size);
      }
      if (c < 0) {
        lwr = i + 1;
      } else if (c > 0) {
        upr = i - 1;
      } else {
        ix() = i;
        *res = last_seek = 0;
        return Status::Ok();
      }
      if (lwr > upr) break;
      i = (lwr + upr) >> 1;
    }
    if (pg.leaf) {
      ix() = i;
      *res = last_seek = c < 0 ? -1 : 1;
      return Status::Ok();
    }
    ix() = lwr;
    Status st;
    PageNo child = child_at(pg, lwr, &st);
    KEEL_RETURN_IF_ERROR(st);
    KEEL_RETURN_IF_ERROR(move_to_child(child));
  }
}

Status CursorState::ensure_info() {
  if (info_valid) return Status::Ok();
  if (pos != Pos::kValid || depth < 0) return Status(rc::kMisuse, "cursor is not on an entry");
  MemPage& pg = page();
  if (ix() < 0 || ix() >= pg.ncell) return KEEL_BT_CORRUPT();
  uint8_t* cell;
  KEEL_RETURN_IF_ERROR(cell_at(pg, ix(), &cell));
  KEEL_RETURN_IF_ERROR(parse_cell(pg, cell, &info));
  if (info.overflows()) {
    // A payload longer than the file could hold is corrupt: refuse it before
    // anyone sizes a buffer by it.
    uint32_t per = bt->usable - 4;
    uint64_t pages = (uint64_t{info.payload_size} - info.local + per - 1) / per;
    if (pages > bt->npage()) return KEEL_BT_CORRUPT();
  }
  info_valid = true;
  return Status::Ok();
}

Status CursorState::read_payload(uint32_t offset, uint32_t n, uint8_t* buf) {
  if (pos == Pos::kRequireSeek) KEEL_RETURN_IF_ERROR(restore_position(nullptr));
  KEEL_RETURN_IF_ERROR(ensure_info());
  if (uint64_t{offset} + n > info.payload_size) return KEEL_BT_CORRUPT();
  if (offset < info.local) {
    uint32_t take = std::min(n, info.local - offset);
    std::memcpy(buf, info.payload + offset, take);
    offset += take;
    buf += take;
    n -= take;
  }
  if (n == 0) return Status::Ok();
  uint32_t per = bt->usable - 4;
  uint32_t total = (info.payload_size - info.local + per - 1) / per;
  if (total > bt->npage()) return KEEL_BT_CORRUPT();
  if (!ovfl_valid) {
    ovfl.assign(total, 0);
    ovfl[0] = get_u32(info.payload + info.local);
    ovfl_valid = true;
  }
  uint32_t rel = offset - info.local;
  uint32_t i = rel / per;
  uint32_t in_page = rel % per;
  // Walk to the first page needed from the last page whose number is known.
  // ovfl[0] comes from the cell and may be 0 in a corrupt file: stop there
  // (overflow_next rejects it) rather than walking off the front.
  uint32_t known = i;
  while (known > 0 && ovfl[known] == 0) known--;
  while (known < i) {
    PageNo next;
    KEEL_RETURN_IF_ERROR(overflow_next(*bt, ovfl[known], &next, nullptr));
    ovfl[++known] = next;
  }
  while (n > 0) {
    if (i >= total) return KEEL_BT_CORRUPT();
    PageNo next;
    PageRef ref;
    KEEL_RETURN_IF_ERROR(overflow_next(*bt, ovfl[i], &next, &ref));
    if (i + 1 < total) ovfl[i + 1] = next;
    uint32_t take = std::min(n, per - in_page);
    std::memcpy(buf, ref.data() + 4 + in_page, take);
    buf += take;
    n -= take;
    in_page = 0;
    i++;
  }
  return Status::Ok();
}

Status CursorState::save_position() {
  if (pos == Pos::kRequireSeek) return Status::Ok();
  if (pos != Pos::kValid) {
    release_all();
    pos = Pos::kInvalid;
    return Status::Ok();
  }
  KEEL_RETURN_IF_ERROR(ensure_info());
  if (intkey) {
    saved_rowid = info.key;
  } else {
    saved_key.resize(info.payload_size);
    KEEL_RETURN_IF_ERROR(read_payload(0, info.payload_size, saved_key.data()));
  }
  release_all();
  pos = Pos::kRequireSeek;
  skip_next = 0;
  return Status::Ok();
}

Status CursorState::restore_position(bool* still_there) {
  if (still_there) *still_there = pos == Pos::kValid;
  if (pos != Pos::kRequireSeek) return Status::Ok();
  pos = Pos::kInvalid;
  int res = 0;
  if (intkey) {
    KEEL_RETURN_IF_ERROR(seek_rowid(saved_rowid, &res));
  } else {
    if (!order) return Status(rc::kMisuse, "index cursor without a KeyOrder cannot re-seek");
    BytesComparator cmp(*order, saved_key.data(), saved_key.size());
    KEEL_RETURN_IF_ERROR(seek_key(cmp, &res));
  }
  skip_next = pos == Pos::kValid ? res : 0;
  if (still_there) *still_there = pos == Pos::kValid && res == 0;
  return Status::Ok();
}

Status CursorState::count(int64_t* out) {
  *out = 0;
  if (pos == Pos::kRequireSeek) release_all();
  KEEL_RETURN_IF_ERROR(move_to_root());
  if (pos != Pos::kValid) return Status::Ok();
  int64_t n = 0;
  while (true) {
    MemPage* pg = &page();
    if (pg->leaf || !pg->intkey) n += pg->ncell;
    if (pg->leaf) {
      do {
        if (depth == 0) {
          *out = n;
          release_all();
          pos = Pos::kInvalid;
          return Status::Ok();
        }
        move_to_parent();
      } while (ix() >= page().ncell);
      ix()++;
      pg = &page();
    }
    Status st;
    PageNo child = child_at(*pg, ix(), &st);
    KEEL_RETURN_IF_ERROR(st);
    KEEL_RETURN_IF_ERROR(move_to_child(child));
  }
}

bool CursorState::is_at_last_entry() const {
  if (pos != Pos::kValid || depth < 0) return false;
  for (int d = 0; d < depth; d++) {
    if (idx[d] != pages[d].ncell) return false;
  }
  return pages[depth].leaf && idx[depth] == pages[depth].ncell - 1;
}

Status save_cursors_on(BtShared& bt, PageNo root, CursorState* except) {
  for (CursorState* c : bt.cursors) {
    if (c != except && c->root == root) KEEL_RETURN_IF_ERROR(c->save_position());
  }
  return Status::Ok();
}

Status save_all_cursors(BtShared& bt, CursorState* except) {
  for (CursorState* c : bt.cursors) {
    if (c != except) KEEL_RETURN_IF_ERROR(c->save_position());
  }
  return Status::Ok();
}

}  // namespace keel::storage::bt
