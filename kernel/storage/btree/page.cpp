// B-tree page parsing and space management inside one page: the page
// header, the cell pointer array, the freeblock list and defragmentation.
// Free space is managed exactly as SQLite does (first-fit freeblock search,
// fragments of < 4 bytes counted in the header, coalescing on free), so
// pages fill the same way.
#include <algorithm>

#include "storage/btree/btree_internal.h"

namespace keel::storage::bt {

Status corrupt_error() { return Status(rc::kCorrupt, "database disk image is malformed"); }

Status init_page(BtShared& bt, MemPage& p, PageRef ref) {
  p.ref = std::move(ref);
  p.pgno = p.ref.number();
  p.data = const_cast<uint8_t*>(p.ref.data());
  p.hdr = p.pgno == 1 ? 100 : 0;
  return parse_header(bt, p);
}

Status parse_header(BtShared& bt, MemPage& p) {
  p.usable = bt.usable;
  p.n_overflow = 0;
  p.nfree = -1;
  uint8_t flags = p.data[p.hdr];
  p.leaf = (flags & kPtfLeaf) != 0;
  p.child_ptr_size = p.leaf ? 0 : 4;
  switch (flags & ~kPtfLeaf) {
    case kPtfIntKey | kPtfLeafData:
      p.intkey = true;
      p.intkey_leaf = p.leaf;
      p.max_local = p.leaf ? bt.max_leaf : bt.max_local;
      p.min_local = p.leaf ? bt.min_leaf : bt.min_local;
      break;
    case kPtfZeroData:
      p.intkey = false;
      p.intkey_leaf = false;
      p.max_local = bt.max_local;
      p.min_local = bt.min_local;
      break;
    default:
      return KEEL_BT_CORRUPT();
  }
  p.cell_offset = static_cast<uint16_t>(p.hdr + 8 + p.child_ptr_size);
  p.ncell = get_u16(p.data + p.hdr + 3);
  // SQLite's MX_CELL: more cells than could ever fit means a corrupt page.
  if (static_cast<uint32_t>(p.ncell) > (bt.page_size - 8) / 6) return KEEL_BT_CORRUPT();
  if (p.cell_offset + 2u * p.ncell > p.usable) return KEEL_BT_CORRUPT();
  return Status::Ok();
}

Status get_page(BtShared& bt, PageNo pgno, MemPage& p) {
  if (pgno < 1 || pgno > bt.npage()) return KEEL_BT_CORRUPT();
  auto r = bt.pager->get(pgno);
  if (!r.ok()) return r.take_status();
  return init_page(bt, p, std::move(r).value());
}

Status make_writable(BtShared& bt, MemPage& p) {
  // Always ask the pager: a page already dirty may still need saving for a
  // savepoint opened since.
  KEEL_RETURN_IF_ERROR(bt.pager->make_writable(p.ref));
  p.data = p.ref.mutable_data();
  return Status::Ok();
}

void zero_page(BtShared& bt, MemPage& p, uint8_t flags) {
  uint8_t* d = p.data;
  uint16_t hdr = p.hdr;
  d[hdr] = flags;
  uint16_t first = static_cast<uint16_t>(hdr + ((flags & kPtfLeaf) ? 8 : 12));
  std::memset(d + hdr + 1, 0, 4);
  d[hdr + 7] = 0;
  put_u16(d + hdr + 5, static_cast<uint16_t>(bt.usable & 0xffff));
  p.nfree = static_cast<int>(bt.usable - first);
  p.leaf = (flags & kPtfLeaf) != 0;
  p.child_ptr_size = p.leaf ? 0 : 4;
  p.intkey = (flags & kPtfIntKey) != 0;
  p.intkey_leaf = p.intkey && p.leaf;
  p.max_local = p.intkey_leaf ? bt.max_leaf : bt.max_local;
  p.min_local = p.intkey_leaf ? bt.min_leaf : bt.min_local;
  p.cell_offset = first;
  p.ncell = 0;
  p.n_overflow = 0;
  p.usable = bt.usable;
}

static uint32_t content_start(const MemPage& p) {
  uint32_t top = get_u16(p.data + p.hdr + 5);
  return top == 0 ? 65536 : top;
}

Status compute_free_space(MemPage& p) {
  const uint8_t* d = p.data;
  uint32_t first = p.cell_offset + 2u * p.ncell;
  uint32_t top = content_start(p);
  uint32_t nfree = d[p.hdr + 7] + top;
  uint32_t pc = get_u16(d + p.hdr + 1);
  uint32_t last = p.usable - 4;
  if (pc > 0) {
    if (pc < top) return KEEL_BT_CORRUPT();
    uint32_t next, size;
    while (true) {
      if (pc > last) return KEEL_BT_CORRUPT();
      next = get_u16(d + pc);
      size = get_u16(d + pc + 2);
      nfree += size;
      if (next <= pc + size + 3) break;
      pc = next;
    }
    if (next > 0) return KEEL_BT_CORRUPT();
    if (pc + size > p.usable) return KEEL_BT_CORRUPT();
  }
  if (nfree > p.usable || nfree < first) return KEEL_BT_CORRUPT();
  p.nfree = static_cast<int>(nfree - first);
  return Status::Ok();
}

Status cell_at(const MemPage& p, int i, uint8_t** cell) {
  uint32_t pc = p.cell_ptr(i);
  if (pc < p.cell_offset + 2u * p.ncell || pc > p.usable - 4) return KEEL_BT_CORRUPT();
  *cell = p.data + pc;
  return Status::Ok();
}

// First-fit search of the freeblock list (SQLite's pageFindSlot). Returns
// the offset of the allocated bytes, or 0 if no freeblock is big enough.
static Status find_slot(MemPage& p, int n, int* out) {
  uint8_t* d = p.data;
  int addr = p.hdr + 1;
  int pc = get_u16(d + addr);
  int max_pc = static_cast<int>(p.usable) - n;
  *out = 0;
  while (pc <= max_pc) {
    int size = get_u16(d + pc + 2);
    int x = size - n;
    if (x >= 0) {
      if (x < 4) {
        // Too small to stay a freeblock: the remainder becomes a fragment.
        if (d[p.hdr + 7] > 57) return Status::Ok();
        std::memcpy(d + addr, d + pc, 2);
        d[p.hdr + 7] = static_cast<uint8_t>(d[p.hdr + 7] + x);
        *out = pc;
        return Status::Ok();
      } else if (x + pc > max_pc) {
        return KEEL_BT_CORRUPT();
      }
      put_u16(d + pc + 2, static_cast<uint16_t>(x));
      *out = pc + x;
      return Status::Ok();
    }
    addr = pc;
    pc = get_u16(d + pc);
    if (pc <= addr + size) {
      if (pc) return KEEL_BT_CORRUPT();
      return Status::Ok();
    }
  }
  if (pc > max_pc + n - 4) return KEEL_BT_CORRUPT();
  return Status::Ok();
}

Status allocate_space(BtShared& bt, MemPage& p, int n, int* idx) {
  uint8_t* d = p.data;
  int hdr = p.hdr;
  int gap = p.cell_offset + 2 * p.ncell;
  int top = get_u16(d + hdr + 5);
  if (gap > top) {
    if (top == 0 && p.usable == 65536) {
      top = 65536;
    } else {
      return KEEL_BT_CORRUPT();
    }
  }
  if ((d[hdr + 2] || d[hdr + 1]) && gap + 2 <= top) {
    int slot = 0;
    KEEL_RETURN_IF_ERROR(find_slot(p, n, &slot));
    if (slot) {
      if (slot <= gap) return KEEL_BT_CORRUPT();
      *idx = slot;
      return Status::Ok();
    }
  }
  if (gap + 2 + n > top) {
    KEEL_RETURN_IF_ERROR(defragment(bt, p, std::min(4, p.nfree - (2 + n))));
    top = static_cast<int>(content_start(p));
  }
  top -= n;
  put_u16(d + hdr + 5, static_cast<uint16_t>(top));
  *idx = top;
  return Status::Ok();
}

Status free_space(MemPage& p, uint32_t start, uint32_t size) {
  uint8_t* d = p.data;
  uint32_t hdr = p.hdr;
  uint32_t ptr = hdr + 1;
  uint32_t fb;
  uint32_t end = start + size;
  uint32_t orig_size = size;
  uint8_t nfrag = 0;
  if (d[ptr + 1] == 0 && d[ptr] == 0) {
    fb = 0;
  } else {
    while ((fb = get_u16(d + ptr)) < start) {
      if (fb <= ptr) {
        if (fb == 0) break;
        return KEEL_BT_CORRUPT();
      }
      ptr = fb;
    }
    if (fb > p.usable - 4) return KEEL_BT_CORRUPT();
    // Coalesce with the following freeblock.
    if (fb && end + 3 >= fb) {
      if (end > fb) return KEEL_BT_CORRUPT();
      nfrag = static_cast<uint8_t>(fb - end);
      end = fb + get_u16(d + fb + 2);
      if (end > p.usable) return KEEL_BT_CORRUPT();
      size = end - start;
      fb = get_u16(d + fb);
    }
    // Coalesce with the preceding freeblock.
    if (ptr > hdr + 1) {
      uint32_t ptr_end = ptr + get_u16(d + ptr + 2);
      if (ptr_end + 3 >= start) {
        if (ptr_end > start) return KEEL_BT_CORRUPT();
        nfrag = static_cast<uint8_t>(nfrag + (start - ptr_end));
        size = end - ptr;
        start = ptr;
      }
    }
    if (nfrag > d[hdr + 7]) return KEEL_BT_CORRUPT();
    d[hdr + 7] = static_cast<uint8_t>(d[hdr + 7] - nfrag);
  }
  uint32_t x = content_start(p);
  if (start <= x) {
    // The freed bytes start the content area: grow the gap instead.
    if (start < x) return KEEL_BT_CORRUPT();
    if (ptr != hdr + 1) return KEEL_BT_CORRUPT();
    put_u16(d + hdr + 1, static_cast<uint16_t>(fb));
    put_u16(d + hdr + 5, static_cast<uint16_t>(end & 0xffff));
  } else {
    put_u16(d + ptr, static_cast<uint16_t>(start));
    put_u16(d + start, static_cast<uint16_t>(fb));
    put_u16(d + start + 2, static_cast<uint16_t>(size));
  }
  p.nfree += static_cast<int>(orig_size);
  return Status::Ok();
}

Status defragment(BtShared& bt, MemPage& p, int /*max_frag*/) {
  uint8_t* d = p.data;
  uint32_t hdr = p.hdr;
  uint32_t first = p.cell_offset + 2u * p.ncell;
  uint32_t last = p.usable - 4;
  uint32_t cbrk = p.usable;
  uint32_t top = content_start(p);
  if (top > p.usable) return KEEL_BT_CORRUPT();
  uint8_t* tmp = bt.defrag_buf.data();
  std::memcpy(tmp + top, d + top, p.usable - top);
  for (int i = 0; i < p.ncell; i++) {
    uint8_t* addr = d + p.cell_offset + 2 * i;
    uint32_t pc = get_u16(addr);
    if (pc < top || pc > last) return KEEL_BT_CORRUPT();
    CellInfo info;
    KEEL_RETURN_IF_ERROR(parse_cell_in(p, tmp, tmp + pc, &info));
    uint32_t size = info.size;
    if (cbrk < first + size || pc + size > p.usable) return KEEL_BT_CORRUPT();
    cbrk -= size;
    put_u16(addr, static_cast<uint16_t>(cbrk));
    std::memcpy(d + cbrk, tmp + pc, size);
  }
  d[hdr + 7] = 0;
  put_u16(d + hdr + 5, static_cast<uint16_t>(cbrk & 0xffff));
  d[hdr + 1] = 0;
  d[hdr + 2] = 0;
  std::memset(d + first, 0, cbrk - first);
  return compute_free_space(p);
}

Status insert_cell(BtShared& bt, MemPage& p, int i, uint8_t* cell, int sz, uint8_t* tmp, PageNo child) {
  if (p.n_overflow || sz + 2 > p.nfree) {
    if (tmp) {
      std::memcpy(tmp, cell, sz);
      cell = tmp;
    }
    if (child) put_u32(cell, child);
    if (p.n_overflow >= kMaxOverflowCells) return KEEL_BT_CORRUPT();
    int j = p.n_overflow++;
    p.ovfl_cell[j] = cell;
    p.ovfl_idx[j] = i;
    return Status::Ok();
  }
  if (i < 0 || i > p.ncell) return KEEL_BT_CORRUPT();
  KEEL_RETURN_IF_ERROR(make_writable(bt, p));
  uint8_t* d = p.data;
  int idx = 0;
  KEEL_RETURN_IF_ERROR(allocate_space(bt, p, sz, &idx));
  // A page whose free-space bookkeeping lies can hand out space that
  // overlaps the cell pointer array or runs off the page.
  if (idx < p.cell_offset + 2 * (p.ncell + 1) || idx + sz > static_cast<int>(p.usable)) {
    return KEEL_BT_CORRUPT();
  }
  p.nfree -= 2 + sz;
  if (child) {
    std::memcpy(d + idx + 4, cell + 4, sz - 4);
    put_u32(d + idx, child);
  } else {
    std::memmove(d + idx, cell, sz);
  }
  uint8_t* ins = d + p.cell_offset + 2 * i;
  std::memmove(ins + 2, ins, 2 * (p.ncell - i));
  put_u16(ins, static_cast<uint16_t>(idx));
  p.ncell++;
  put_u16(d + p.hdr + 3, static_cast<uint16_t>(p.ncell));
  if (bt.auto_vacuum) KEEL_RETURN_IF_ERROR(ptrmap_put_ovfl(bt, p, d + idx));
  return Status::Ok();
}

Status drop_cell(MemPage& p, int i, int sz) {
  if (i < 0 || i >= p.ncell) return KEEL_BT_CORRUPT();
  uint8_t* d = p.data;
  uint8_t* ptr = d + p.cell_offset + 2 * i;
  uint32_t pc = get_u16(ptr);
  uint32_t hdr = p.hdr;
  if (pc + sz > p.usable) return KEEL_BT_CORRUPT();
  KEEL_RETURN_IF_ERROR(free_space(p, pc, sz));
  p.ncell--;
  if (p.ncell == 0) {
    std::memset(d + hdr + 1, 0, 4);
    d[hdr + 7] = 0;
    put_u16(d + hdr + 5, static_cast<uint16_t>(p.usable & 0xffff));
    p.nfree = static_cast<int>(p.usable - hdr - p.child_ptr_size - 8);
  } else {
    std::memmove(ptr, ptr + 2, 2 * (p.ncell - i));
    put_u16(d + hdr + 3, static_cast<uint16_t>(p.ncell));
  }
  return Status::Ok();
}

Status rebuild_page(BtShared& bt, MemPage& p, uint8_t* const* cells, const uint16_t* sizes, int n) {
  uint8_t* d = p.data;
  uint32_t hdr = p.hdr;
  uint32_t end = bt.usable;
  uint32_t ptr = p.cell_offset;
  for (int i = 0; i < n; i++) {
    uint32_t sz = sizes[i];
    if (end < ptr + 2 + sz) return KEEL_BT_CORRUPT();
    end -= sz;
    put_u16(d + ptr, static_cast<uint16_t>(end));
    ptr += 2;
    std::memcpy(d + end, cells[i], sz);
  }
  p.ncell = n;
  p.n_overflow = 0;
  put_u16(d + hdr + 1, 0);
  put_u16(d + hdr + 3, static_cast<uint16_t>(n));
  put_u16(d + hdr + 5, static_cast<uint16_t>(end & 0xffff));
  d[hdr + 7] = 0;
  p.nfree = static_cast<int>(end - ptr);
  return Status::Ok();
}

}  // namespace keel::storage::bt
