// Overflow chains: payload that does not fit in a cell continues on
// overflow pages, each holding the next page number (u32, 0 on the last)
// then usable-4 payload bytes. The cell keeps the first `local` bytes and
// ends with the first overflow page number.
#include <algorithm>

#include "storage/btree/btree_internal.h"

namespace keel::storage::bt {

Status overflow_next(BtShared& bt, PageNo pgno, PageNo* next, PageRef* ref) {
  if (pgno < 2 || pgno > bt.npage()) return KEEL_BT_CORRUPT();
  auto r = bt.pager->get(pgno);
  if (!r.ok()) return r.take_status();
  *next = get_u32(r->data());
  if (ref) *ref = std::move(r).value();
  return Status::Ok();
}

Status fill_in_cell(BtShared& bt, MemPage& p, uint8_t* cell, int64_t rowid, const uint8_t* data, uint32_t n,
                    int* size) {
  // On an interior index page the first 4 bytes (child pointer) are left
  // for the caller.
  int header = p.child_ptr_size;
  header += put_varint(cell + header, n);
  if (p.intkey) header += put_varint(cell + header, static_cast<uint64_t>(rowid));
  uint8_t* payload = cell + header;
  if (n <= p.max_local) {
    if (n) std::memcpy(payload, data, n);
    int sz = header + static_cast<int>(n);
    if (sz < 4) {
      std::memset(cell + sz, 0, 4 - sz);
      sz = 4;
    }
    *size = sz;
    return Status::Ok();
  }
  uint32_t local = local_payload(n, p.max_local, p.min_local, bt.usable);
  *size = header + static_cast<int>(local) + 4;
  std::memcpy(payload, data, local);
  uint8_t* prior = payload + local;  // where the next page number goes
  const uint8_t* src = data + local;
  uint32_t left = n - local;
  PageNo pgno_ovfl = 0;
  MemPage prev_page;  // keeps `prior` pinned when it points into a page
  while (left > 0) {
    PageNo ptrmap_parent = pgno_ovfl;
    if (bt.auto_vacuum) {
      // Prefer the page right after the previous one (ptrmap pages excluded).
      do {
        pgno_ovfl++;
      } while (is_ptrmap_page(bt, pgno_ovfl) || pgno_ovfl == bt.pending_page());
    }
    MemPage ov;
    KEEL_RETURN_IF_ERROR(allocate_page(bt, &ov, &pgno_ovfl, pgno_ovfl, AllocMode::kAny));
    if (bt.auto_vacuum) {
      // The first page's parent is the b-tree page, known once the cell is
      // placed; record a partial entry until then.
      uint8_t type = ptrmap_parent ? kPtrmapOverflow2 : kPtrmapOverflow1;
      KEEL_RETURN_IF_ERROR(ptrmap_put(bt, pgno_ovfl, type, ptrmap_parent));
    }
    put_u32(prior, pgno_ovfl);
    uint8_t* d = ov.data;
    put_u32(d, 0);
    uint32_t take = std::min<uint32_t>(left, bt.usable - 4);
    std::memcpy(d + 4, src, take);
    src += take;
    left -= take;
    prior = d;
    prev_page = std::move(ov);
  }
  return Status::Ok();
}

Status clear_cell(BtShared& bt, MemPage& p, const uint8_t* cell, const CellInfo& info) {
  if (!info.overflows()) return Status::Ok();
  if (cell + info.size > p.data + p.usable) return KEEL_BT_CORRUPT();
  PageNo ovfl = overflow_pgno(cell, info);
  uint32_t per = bt.usable - 4;
  uint32_t count = (info.payload_size - info.local + per - 1) / per;
  while (count--) {
    if (ovfl < 2 || ovfl > bt.npage()) return KEEL_BT_CORRUPT();
    PageNo next = 0;
    if (count) KEEL_RETURN_IF_ERROR(overflow_next(bt, ovfl, &next, nullptr));
    KEEL_RETURN_IF_ERROR(free_page(bt, ovfl));
    ovfl = next;
  }
  return Status::Ok();
}

}  // namespace keel::storage::bt
