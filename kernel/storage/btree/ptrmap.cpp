// Pointer maps and auto-vacuum.
//
// In an auto-vacuum file (header offset 52 non-zero) page 2 and every
// (usable/5 + 1)-th page after it is a pointer-map page: 5-byte entries
// (type, parent page u32) for the pages that follow it, telling for each page
// who points at it: 1 root page, 2 free page, 3 first overflow page of a cell
// (parent = the b-tree page), 4 later overflow page (parent = previous
// overflow page), 5 non-root b-tree page (parent = its parent). With that map
// any page can be moved: its pointer-holder is patched (modify_page_pointer)
// and the map entries of the pages it points to are updated.
//
// Full auto-vacuum runs at commit (autovacuum_commit): pages at the end of
// the file are moved into free slots nearer the front until the freelist is
// gone, then the file is truncated. Incremental vacuum does one page per
// step on request.
#include "storage/btree/btree_internal.h"

namespace keel::storage::bt {

PageNo ptrmap_pageno(const BtShared& bt, PageNo pgno) {
  if (pgno < 2) return 0;
  uint32_t per = bt.usable / 5 + 1;
  PageNo i = (pgno - 2) / per;
  PageNo ret = i * per + 2;
  if (ret == bt.pending_page()) ret++;
  return ret;
}

Status ptrmap_put(BtShared& bt, PageNo key, uint8_t type, PageNo parent) {
  if (key == 0) return KEEL_BT_CORRUPT();
  PageNo ip = ptrmap_pageno(bt, key);
  if (ip == 0 || ip > bt.npage()) return KEEL_BT_CORRUPT();
  auto r = bt.pager->get(ip);
  if (!r.ok()) return r.take_status();
  PageRef ref = std::move(r).value();
  int64_t off = 5 * (int64_t{key} - ip - 1);
  if (off < 0 || off > static_cast<int64_t>(bt.usable) - 5) return KEEL_BT_CORRUPT();
  const uint8_t* d = ref.data();
  if (d[off] != type || get_u32(d + off + 1) != parent) {
    KEEL_RETURN_IF_ERROR(bt.pager->make_writable(ref));
    uint8_t* w = ref.mutable_data();
    w[off] = type;
    put_u32(w + off + 1, parent);
  }
  return Status::Ok();
}

Status ptrmap_get(BtShared& bt, PageNo key, uint8_t* type, PageNo* parent) {
  PageNo ip = ptrmap_pageno(bt, key);
  if (ip == 0 || ip > bt.npage()) return KEEL_BT_CORRUPT();
  auto r = bt.pager->get(ip);
  if (!r.ok()) return r.take_status();
  int64_t off = 5 * (int64_t{key} - ip - 1);
  if (off < 0 || off > static_cast<int64_t>(bt.usable) - 5) return KEEL_BT_CORRUPT();
  const uint8_t* d = r->data();
  *type = d[off];
  if (parent) *parent = get_u32(d + off + 1);
  if (*type < 1 || *type > 5) return KEEL_BT_CORRUPT();
  return Status::Ok();
}

Status ptrmap_put_ovfl(BtShared& bt, MemPage& p, const uint8_t* cell) {
  if (p.intkey && !p.leaf) return Status::Ok();
  CellInfo info;
  KEEL_RETURN_IF_ERROR(parse_cell(p, cell, &info));
  if (info.overflows()) {
    return ptrmap_put(bt, overflow_pgno(cell, info), kPtrmapOverflow1, p.pgno);
  }
  return Status::Ok();
}

Status set_child_ptrmaps(BtShared& bt, MemPage& p) {
  for (int i = 0; i < p.ncell; i++) {
    uint8_t* cell;
    KEEL_RETURN_IF_ERROR(cell_at(p, i, &cell));
    KEEL_RETURN_IF_ERROR(ptrmap_put_ovfl(bt, p, cell));
    if (!p.leaf) KEEL_RETURN_IF_ERROR(ptrmap_put(bt, get_u32(cell), kPtrmapBtree, p.pgno));
  }
  if (!p.leaf) KEEL_RETURN_IF_ERROR(ptrmap_put(bt, p.right_child(), kPtrmapBtree, p.pgno));
  return Status::Ok();
}

// Makes the pointer to page `from` held by page p point to `to` instead.
static Status modify_page_pointer(BtShared& bt, PageNo holder, PageNo from, PageNo to, uint8_t type) {
  if (type == kPtrmapOverflow2) {
    auto r = bt.pager->get(holder);
    if (!r.ok()) return r.take_status();
    PageRef ref = std::move(r).value();
    if (get_u32(ref.data()) != from) return KEEL_BT_CORRUPT();
    KEEL_RETURN_IF_ERROR(bt.pager->make_writable(ref));
    put_u32(ref.mutable_data(), to);
    return Status::Ok();
  }
  MemPage p;
  KEEL_RETURN_IF_ERROR(get_page(bt, holder, p));
  KEEL_RETURN_IF_ERROR(make_writable(bt, p));
  for (int i = 0; i < p.ncell; i++) {
    uint8_t* cell;
    KEEL_RETURN_IF_ERROR(cell_at(p, i, &cell));
    if (type == kPtrmapOverflow1) {
      CellInfo info;
      KEEL_RETURN_IF_ERROR(parse_cell(p, cell, &info));
      if (info.overflows() && overflow_pgno(cell, info) == from) {
        put_u32(cell + info.size - 4, to);
        return Status::Ok();
      }
    } else if (!p.leaf && get_u32(cell) == from) {
      put_u32(cell, to);
      return Status::Ok();
    }
  }
  if (type != kPtrmapBtree || p.leaf || p.right_child() != from) return KEEL_BT_CORRUPT();
  put_u32(p.data + p.hdr + 8, to);
  return Status::Ok();
}

Status relocate_page(BtShared& bt, PageNo from, uint8_t type, PageNo ptr_page, PageNo to) {
  if (from < 3 || to < 2) return KEEL_BT_CORRUPT();
  {
    auto src = bt.pager->get(from);
    if (!src.ok()) return src.take_status();
    auto dst = bt.pager->get(to);
    if (!dst.ok()) return dst.take_status();
    PageRef d = std::move(dst).value();
    KEEL_RETURN_IF_ERROR(bt.pager->make_writable(d));
    std::memcpy(d.mutable_data(), src->data(), bt.page_size);
  }
  if (type == kPtrmapBtree || type == kPtrmapRoot) {
    MemPage p;
    KEEL_RETURN_IF_ERROR(get_page(bt, to, p));
    KEEL_RETURN_IF_ERROR(set_child_ptrmaps(bt, p));
  } else {
    auto r = bt.pager->get(to);
    if (!r.ok()) return r.take_status();
    PageNo next = get_u32(r->data());
    if (next != 0) KEEL_RETURN_IF_ERROR(ptrmap_put(bt, next, kPtrmapOverflow2, to));
  }
  if (type != kPtrmapRoot) {
    KEEL_RETURN_IF_ERROR(modify_page_pointer(bt, ptr_page, from, to, type));
    KEEL_RETURN_IF_ERROR(ptrmap_put(bt, to, type, ptr_page));
  }
  return Status::Ok();
}

PageNo final_db_size(const BtShared& bt, PageNo orig, PageNo nfree) {
  int64_t entries = bt.usable / 5;
  int64_t nptrmap = (int64_t{nfree} - orig + ptrmap_pageno(bt, orig) + entries) / entries;
  int64_t fin = int64_t{orig} - nfree - nptrmap;
  if (orig > bt.pending_page() && fin < bt.pending_page()) fin--;
  while (fin > 1 && (is_ptrmap_page(bt, static_cast<PageNo>(fin)) || fin == bt.pending_page())) fin--;
  return fin < 1 ? 1 : static_cast<PageNo>(fin);
}

Status incr_vacuum_step(BtShared& bt, PageNo fin, PageNo last, bool commit, bool* done) {
  *done = false;
  if (!is_ptrmap_page(bt, last) && last != bt.pending_page()) {
    PageRef p1;
    KEEL_RETURN_IF_ERROR(get_page1(bt, &p1, false));
    uint32_t nfree = get_u32(p1.data() + kHdrFreelistCount);
    if (nfree == 0) {
      *done = true;
      return Status::Ok();
    }
    uint8_t type;
    PageNo ptr_page;
    KEEL_RETURN_IF_ERROR(ptrmap_get(bt, last, &type, &ptr_page));
    if (type == kPtrmapRoot) return KEEL_BT_CORRUPT();
    if (type == kPtrmapFree) {
      if (!commit) {
        // Take the page off the freelist; at commit the whole list goes.
        MemPage fp;
        PageNo got;
        KEEL_RETURN_IF_ERROR(allocate_page(bt, &fp, &got, last, AllocMode::kExact));
        if (got != last) return KEEL_BT_CORRUPT();
      }
    } else {
      AllocMode mode = commit ? AllocMode::kAny : AllocMode::kLessOrEqual;
      PageNo near = commit ? 0 : fin;
      PageNo got;
      do {
        PageNo dbsize = bt.npage();
        MemPage fp;
        KEEL_RETURN_IF_ERROR(allocate_page(bt, &fp, &got, near, mode));
        if (got > dbsize) return KEEL_BT_CORRUPT();
      } while (commit && got > fin);
      if (got >= last) return KEEL_BT_CORRUPT();
      KEEL_RETURN_IF_ERROR(relocate_page(bt, last, type, ptr_page, got));
    }
  }
  if (!commit) {
    do {
      last--;
    } while (last == bt.pending_page() || is_ptrmap_page(bt, last));
    KEEL_RETURN_IF_ERROR(bt.pager->truncate(last));
  }
  return Status::Ok();
}

Status autovacuum_commit(BtShared& bt) {
  PageNo orig = bt.npage();
  if (orig == 0) return Status::Ok();
  if (is_ptrmap_page(bt, orig) || orig == bt.pending_page()) return KEEL_BT_CORRUPT();
  PageRef p1;
  KEEL_RETURN_IF_ERROR(get_page1(bt, &p1, false));
  uint32_t nfree = get_u32(p1.data() + kHdrFreelistCount);
  if (nfree == 0) return Status::Ok();
  PageNo fin = final_db_size(bt, orig, nfree);
  if (fin > orig) return KEEL_BT_CORRUPT();
  if (fin < orig) KEEL_RETURN_IF_ERROR(save_all_cursors(bt, nullptr));
  for (PageNo i = orig; i > fin; i--) {
    bool done = false;
    KEEL_RETURN_IF_ERROR(incr_vacuum_step(bt, fin, i, true, &done));
    if (done) break;
  }
  KEEL_RETURN_IF_ERROR(bt.pager->make_writable(p1));
  uint8_t* h = p1.mutable_data();
  put_u32(h + kHdrFreelistTrunk, 0);
  put_u32(h + kHdrFreelistCount, 0);
  return bt.pager->truncate(fin);
}

}  // namespace keel::storage::bt
