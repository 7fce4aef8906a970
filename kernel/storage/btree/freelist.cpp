// The freelist: trunk pages (next-trunk u32, leaf count u32, leaf page
// numbers) chained from header offset 32, total count at offset 36.
//
// Allocation follows SQLite's allocateBtreePage: take a leaf of the first
// trunk (the one closest to `nearby`), or the trunk itself when it has no
// leaves; under auto-vacuum, kExact / kLessOrEqual search the whole list for
// a specific page (or one at or below a bound). With an empty freelist the
// file grows by one page (two when the next page is a pointer-map page).
// Freeing makes the page a leaf of the first trunk while that trunk holds
// fewer than usable/4 - 8 leaves, otherwise the page becomes the new first
// trunk. Leaf pages are not rewritten when freed.
#include <cstdlib>

#include "storage/btree/btree_internal.h"

namespace keel::storage::bt {

Status get_page1(BtShared& bt, PageRef* ref, bool writable) {
  auto r = bt.pager->get(1);
  if (!r.ok()) return r.take_status();
  *ref = std::move(r).value();
  if (writable) KEEL_RETURN_IF_ERROR(bt.pager->make_writable(*ref));
  return Status::Ok();
}

static Status get_writable(BtShared& bt, PageNo pgno, PageRef* ref) {
  auto r = bt.pager->get(pgno);
  if (!r.ok()) return r.take_status();
  *ref = std::move(r).value();
  KEEL_RETURN_IF_ERROR(bt.pager->make_writable(*ref));
  return Status::Ok();
}

static void set_out(BtShared& bt, MemPage* out, PageRef ref) {
  out->reset();
  out->ref = std::move(ref);
  out->pgno = out->ref.number();
  out->data = out->ref.mutable_data();
  out->hdr = out->pgno == 1 ? 100 : 0;
  out->usable = bt.usable;
}

// Extends the file by one page and returns it writable. The page holding
// the lock bytes (pending-byte page) is skipped: it is never used.
static Status append_page(BtShared& bt, PageNo* pgno, PageRef* ref) {
  PageNo n = bt.npage() + 1;
  if (n == bt.pending_page()) n++;
  if (bt.auto_vacuum && is_ptrmap_page(bt, n)) {
    PageRef pm;
    KEEL_RETURN_IF_ERROR(get_writable(bt, n, &pm));
    std::memset(pm.mutable_data(), 0, bt.page_size);
    n++;
    if (n == bt.pending_page()) n++;
  }
  KEEL_RETURN_IF_ERROR(get_writable(bt, n, ref));
  if (bt.npage() < n) return Status(rc::kInternal, "pager did not grow the database");
  *pgno = n;
  return Status::Ok();
}

Status allocate_page(BtShared& bt, MemPage* out, PageNo* pgno, PageNo nearby, AllocMode mode) {
  PageRef p1;
  KEEL_RETURN_IF_ERROR(get_page1(bt, &p1, false));
  PageNo mx = bt.npage();
  uint32_t n = get_u32(p1.data() + kHdrFreelistCount);
  if (n >= mx) return KEEL_BT_CORRUPT();
  if (n == 0) {
    KEEL_RETURN_IF_ERROR(bt.pager->make_writable(p1));
    PageRef ref;
    KEEL_RETURN_IF_ERROR(append_page(bt, pgno, &ref));
    set_out(bt, out, std::move(ref));
    return Status::Ok();
  }
  bool search = false;
  if (mode == AllocMode::kExact) {
    if (nearby <= mx) {
      uint8_t type = 0;
      PageNo parent = 0;
      KEEL_RETURN_IF_ERROR(ptrmap_get(bt, nearby, &type, &parent));
      if (type == kPtrmapFree) search = true;
    }
  } else if (mode == AllocMode::kLessOrEqual) {
    search = true;
  }
  KEEL_RETURN_IF_ERROR(bt.pager->make_writable(p1));
  uint8_t* h = p1.mutable_data();
  put_u32(h + kHdrFreelistCount, n - 1);

  PageRef prev;  // previous trunk, empty while at the first
  uint32_t nsearch = 0;
  do {
    PageNo itrunk = prev ? get_u32(prev.data()) : get_u32(h + kHdrFreelistTrunk);
    if (itrunk < 2 || itrunk > mx || nsearch++ > n) return KEEL_BT_CORRUPT();
    PageRef trunk;
    {
      auto r = bt.pager->get(itrunk);
      if (!r.ok()) return r.take_status();
      trunk = std::move(r).value();
    }
    uint32_t k = get_u32(trunk.data() + 4);
    if (k == 0 && !search) {
      // A trunk without leaves is itself the page handed out.
      KEEL_RETURN_IF_ERROR(bt.pager->make_writable(trunk));
      std::memcpy(h + kHdrFreelistTrunk, trunk.data(), 4);
      *pgno = itrunk;
      set_out(bt, out, std::move(trunk));
      return Status::Ok();
    }
    if (k > bt.usable / 4 - 2) return KEEL_BT_CORRUPT();
    if (search && (nearby == itrunk || (itrunk < nearby && mode == AllocMode::kLessOrEqual))) {
      // The trunk itself is wanted: its first leaf (if any) becomes the trunk.
      KEEL_RETURN_IF_ERROR(bt.pager->make_writable(trunk));
      if (k == 0) {
        if (!prev) {
          std::memcpy(h + kHdrFreelistTrunk, trunk.data(), 4);
        } else {
          KEEL_RETURN_IF_ERROR(bt.pager->make_writable(prev));
          std::memcpy(prev.mutable_data(), trunk.data(), 4);
        }
      } else {
        PageNo inew = get_u32(trunk.data() + 8);
        if (inew < 2 || inew > mx) return KEEL_BT_CORRUPT();
        PageRef nt;
        KEEL_RETURN_IF_ERROR(get_writable(bt, inew, &nt));
        uint8_t* nd = nt.mutable_data();
        std::memcpy(nd, trunk.data(), 4);
        put_u32(nd + 4, k - 1);
        std::memcpy(nd + 8, trunk.data() + 12, (k - 1) * 4);
        if (!prev) {
          put_u32(h + kHdrFreelistTrunk, inew);
        } else {
          KEEL_RETURN_IF_ERROR(bt.pager->make_writable(prev));
          put_u32(prev.mutable_data(), inew);
        }
      }
      *pgno = itrunk;
      set_out(bt, out, std::move(trunk));
      return Status::Ok();
    }
    if (k > 0) {
      const uint8_t* a = trunk.data();
      uint32_t closest = 0;
      if (nearby > 0) {
        if (mode == AllocMode::kLessOrEqual) {
          for (uint32_t i = 0; i < k; i++) {
            if (get_u32(a + 8 + i * 4) <= nearby) {
              closest = i;
              break;
            }
          }
        } else {
          int64_t dist = std::llabs(int64_t{get_u32(a + 8)} - int64_t{nearby});
          for (uint32_t i = 1; i < k; i++) {
            int64_t d2 = std::llabs(int64_t{get_u32(a + 8 + i * 4)} - int64_t{nearby});
            if (d2 < dist) {
              closest = i;
              dist = d2;
            }
          }
        }
      }
      PageNo ipage = get_u32(a + 8 + closest * 4);
      if (ipage > mx || ipage < 2) return KEEL_BT_CORRUPT();
      if (!search || ipage == nearby || (ipage < nearby && mode == AllocMode::kLessOrEqual)) {
        KEEL_RETURN_IF_ERROR(bt.pager->make_writable(trunk));
        uint8_t* td = trunk.mutable_data();
        if (closest < k - 1) std::memcpy(td + 8 + closest * 4, td + 4 + k * 4, 4);
        put_u32(td + 4, k - 1);
        PageRef leaf;
        KEEL_RETURN_IF_ERROR(get_writable(bt, ipage, &leaf));
        *pgno = ipage;
        set_out(bt, out, std::move(leaf));
        return Status::Ok();
      }
    }
    prev = std::move(trunk);
  } while (search);
  return KEEL_BT_CORRUPT();
}

Status free_page(BtShared& bt, PageNo pgno) {
  if (pgno < 2 || pgno > bt.npage()) return KEEL_BT_CORRUPT();
  PageRef p1;
  KEEL_RETURN_IF_ERROR(get_page1(bt, &p1, true));
  uint8_t* h = p1.mutable_data();
  uint32_t nfree = get_u32(h + kHdrFreelistCount);
  put_u32(h + kHdrFreelistCount, nfree + 1);
  if (bt.auto_vacuum) KEEL_RETURN_IF_ERROR(ptrmap_put(bt, pgno, kPtrmapFree, 0));
  PageNo itrunk = 0;
  if (nfree != 0) {
    itrunk = get_u32(h + kHdrFreelistTrunk);
    if (itrunk < 2 || itrunk > bt.npage()) return KEEL_BT_CORRUPT();
    auto r = bt.pager->get(itrunk);
    if (!r.ok()) return r.take_status();
    PageRef trunk = std::move(r).value();
    uint32_t nleaf = get_u32(trunk.data() + 4);
    if (nleaf > bt.usable / 4 - 2) return KEEL_BT_CORRUPT();
    // SQLite keeps the last six slots unused for compatibility with old
    // readers, so a trunk is "full" at usable/4 - 8 leaves.
    if (nleaf < bt.usable / 4 - 8) {
      KEEL_RETURN_IF_ERROR(bt.pager->make_writable(trunk));
      uint8_t* td = trunk.mutable_data();
      put_u32(td + 4, nleaf + 1);
      put_u32(td + 8 + nleaf * 4, pgno);
      return Status::Ok();
    }
  }
  PageRef page;
  KEEL_RETURN_IF_ERROR(get_writable(bt, pgno, &page));
  uint8_t* d = page.mutable_data();
  put_u32(d, itrunk);
  put_u32(d + 4, 0);
  put_u32(h + kHdrFreelistTrunk, pgno);
  return Status::Ok();
}

}  // namespace keel::storage::bt
