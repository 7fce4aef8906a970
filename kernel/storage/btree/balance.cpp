// Balancing: SQLite's balance(), balance_quick(), balance_deeper() and
// balance_nonroot(), with the same packing decisions so pages fill as in
// SQLite.
//
// Design note.
//   balance(c) walks up the cursor's path. A page needs work when it holds
//   overflow cells (an insert did not fit) or is less than 1/3 full (free
//   space > 2/3 of usable). Per level:
//     * root overflowing  -> balance_deeper: root's content moves into a new
//       child, the root becomes an interior page with only a right child;
//       the child is balanced on the next iteration.
//     * table leaf with one overflow cell appended at the right edge of the
//       rightmost child -> balance_quick: the cell goes alone onto a new
//       right sibling and a divider (the leaf's largest rowid) goes up. This
//       is why sequential inserts leave pages ~100% full.
//     * otherwise -> balance_nonroot: the page and up to two siblings (three
//       pages, NB=3) and their dividers are pooled, packed left-to-right as
//       full as possible, then the right-hand pages are evened out (the
//       "szRight/szLeft" pass), and new dividers go up to the parent, which
//       may overflow in turn. If the parent is the root and ends up with no
//       cells, the only child is copied into it (balance-shallower). Under
//       the bulk-load hint (keys arrive in order) a page at the right edge
//       is pooled with its left sibling only and nothing is evened out, so
//       the left pages stay full, as SQLite's bBulk.
//   Invariants: (1) the parent of a balanced set may carry at most one
//   overflow cell and it is a divider of the set; (2) overflow cells of a
//   page are consecutive and ordered; (3) cells pointed to by a page's
//   overflow list stay valid until that page is balanced — the space for a
//   parent's overflow dividers alternates between two buffers per level.
//
//   Unlike SQLite, which edits sibling pages in place, this code first copies
//   the sibling pages aside and rebuilds every new sibling from the copies.
//   The page contents (cells per page, free space) are the same; only the
//   position of cells inside a page may differ, which the format allows.
#include <algorithm>

#include "storage/btree/btree_internal.h"

namespace keel::storage::bt {

namespace {

// Copies the b-tree node in `from` into `to` (different header offsets
// allowed: page 1 has its node at 100) and re-parses `to`.
Status copy_node_content(BtShared& bt, MemPage& from, MemPage& to) {
  uint32_t data_start = get_u16(from.data + from.hdr + 5);
  if (data_start == 0) data_start = 65536;
  if (data_start > bt.usable) return KEEL_BT_CORRUPT();
  uint32_t head = from.cell_offset - from.hdr + 2u * from.ncell;
  if (to.hdr + head > data_start) return KEEL_BT_CORRUPT();
  std::memcpy(to.data + data_start, from.data + data_start, bt.usable - data_start);
  std::memmove(to.data + to.hdr, from.data + from.hdr, head);
  KEEL_RETURN_IF_ERROR(parse_header(bt, to));
  to.n_overflow = 0;
  KEEL_RETURN_IF_ERROR(compute_free_space(to));
  if (bt.auto_vacuum) KEEL_RETURN_IF_ERROR(set_child_ptrmaps(bt, to));
  return Status::Ok();
}

Status balance_deeper(BtShared& bt, CursorState& c) {
  MemPage& root = c.pages[0];
  KEEL_RETURN_IF_ERROR(make_writable(bt, root));
  MemPage child;
  PageNo pgno_child;
  KEEL_RETURN_IF_ERROR(allocate_page(bt, &child, &pgno_child, root.pgno, AllocMode::kAny));
  KEEL_RETURN_IF_ERROR(copy_node_content(bt, root, child));
  if (bt.auto_vacuum) KEEL_RETURN_IF_ERROR(ptrmap_put(bt, pgno_child, kPtrmapBtree, root.pgno));
  child.n_overflow = root.n_overflow;
  for (int i = 0; i < root.n_overflow; i++) {
    child.ovfl_idx[i] = root.ovfl_idx[i];
    child.ovfl_cell[i] = root.ovfl_cell[i];
  }
  zero_page(bt, root, static_cast<uint8_t>(child.flags() & ~kPtfLeaf));
  put_u32(root.data + root.hdr + 8, pgno_child);
  c.pages[1] = std::move(child);
  c.idx[0] = 0;
  c.idx[1] = 0;
  c.depth = 1;
  return Status::Ok();
}

Status balance_quick(BtShared& bt, MemPage& parent, MemPage& page, uint8_t* space) {
  if (page.ncell == 0) return KEEL_BT_CORRUPT();
  MemPage nw;
  PageNo pgno_new;
  KEEL_RETURN_IF_ERROR(allocate_page(bt, &nw, &pgno_new, 0, AllocMode::kAny));
  uint8_t* cell = page.ovfl_cell[0];
  uint16_t sz = cell_size_trusted(page, cell);
  zero_page(bt, nw, kTableLeaf);
  KEEL_RETURN_IF_ERROR(rebuild_page(bt, nw, &cell, &sz, 1));
  if (bt.auto_vacuum) {
    KEEL_RETURN_IF_ERROR(ptrmap_put(bt, pgno_new, kPtrmapBtree, parent.pgno));
    uint8_t* placed;
    KEEL_RETURN_IF_ERROR(cell_at(nw, 0, &placed));
    KEEL_RETURN_IF_ERROR(ptrmap_put_ovfl(bt, nw, placed));
  }
  // Divider: the left page's largest rowid, with the left page as child.
  uint8_t* last;
  KEEL_RETURN_IF_ERROR(cell_at(page, page.ncell - 1, &last));
  const uint8_t* end = page.data + page.usable;
  uint64_t v;
  int n = get_varint_bounded(last, end, &v);
  if (n == 0) return KEEL_BT_CORRUPT();
  uint64_t rowid;
  int m = get_varint_bounded(last + n, end, &rowid);
  if (m == 0) return KEEL_BT_CORRUPT();
  int len = 4 + put_varint(space + 4, rowid);
  KEEL_RETURN_IF_ERROR(insert_cell(bt, parent, parent.ncell, space, len, nullptr, page.pgno));
  put_u32(parent.data + parent.hdr + 8, pgno_new);
  return Status::Ok();
}

Status balance_nonroot(BtShared& bt, CursorState& c, MemPage& parent, int parent_idx, MemPage& cur,
                       bool is_root, bool bulk) {
  constexpr int NB = kBalanceSiblings;
  MemPage old[NB];
  MemPage nw[NB + 2];
  int n_old;
  int nxdiv;
  int cnt_old[NB + 2] = {};
  int cnt_new[NB + 2] = {};
  int sz_new[NB + 2] = {};
  uint8_t* div[NB - 1] = {};
  int sz_div[NB - 1] = {};
  const uint32_t ps = bt.page_size;
  uint8_t* ovfl_space = bt.bal_ovfl[bt.bal_ovfl_next].data() + kCellHeadroom;
  bt.bal_ovfl_next ^= 1;
  int i_ovfl_space = 0;
  uint8_t* space1 = bt.bal_div.data() + kCellHeadroom;
  int i_space1 = 0;

  if (parent.n_overflow > 1) return KEEL_BT_CORRUPT();
  int i = parent.n_overflow + parent.ncell;
  if (i < 2) {
    nxdiv = 0;
  } else {
    if (parent_idx == 0) {
      nxdiv = 0;
    } else if (parent_idx == i) {
      nxdiv = i - 2 + (bulk ? 1 : 0);
    } else {
      nxdiv = parent_idx - 1;
    }
    i = bulk ? 1 : 2;
  }
  n_old = i + 1;
  uint8_t* right;
  if (i + nxdiv - parent.n_overflow == parent.ncell) {
    right = parent.data + parent.hdr + 8;
  } else {
    KEEL_RETURN_IF_ERROR(cell_at(parent, i + nxdiv - parent.n_overflow, &right));
  }
  PageNo pgno = get_u32(right);
  while (true) {
    // Pages in the set must be distinct and not on the path above.
    for (int d = 0; d < c.depth; d++) {
      if (c.pages[d].pgno == pgno) return KEEL_BT_CORRUPT();
    }
    for (int j = i + 1; j < n_old; j++) {
      if (old[j].pgno == pgno) return KEEL_BT_CORRUPT();
    }
    if (pgno == cur.pgno) {
      old[i] = cur;  // carries the overflow cells
    } else {
      KEEL_RETURN_IF_ERROR(get_page(bt, pgno, old[i]));
    }
    if (old[i].nfree < 0) KEEL_RETURN_IF_ERROR(compute_free_space(old[i]));
    if (i-- == 0) break;
    if (parent.n_overflow && i + nxdiv == parent.ovfl_idx[0]) {
      uint8_t* d = parent.ovfl_cell[0];
      pgno = get_u32(d);
      sz_div[i] = cell_size_trusted(parent, d);
      std::memcpy(space1 + i_space1, d, sz_div[i]);
      div[i] = space1 + i_space1;
      i_space1 += sz_div[i] + 8;
      parent.n_overflow = 0;
    } else {
      uint8_t* d;
      int at = i + nxdiv - parent.n_overflow;
      KEEL_RETURN_IF_ERROR(cell_at(parent, at, &d));
      CellInfo di;
      KEEL_RETURN_IF_ERROR(parse_cell(parent, d, &di));
      pgno = get_u32(d);
      sz_div[i] = di.size;
      std::memcpy(space1 + i_space1, d, sz_div[i]);
      div[i] = space1 + i_space1;
      i_space1 += sz_div[i] + 8;
      KEEL_RETURN_IF_ERROR(drop_cell(parent, at, sz_div[i]));
    }
  }

  // Gather every cell of the set (sibling cells from copies of the pages).
  const int leaf_correction = old[0].leaf ? 4 : 0;
  const bool leaf_data = old[0].intkey_leaf;
  std::vector<uint8_t*>& cells = bt.bal_cells;
  std::vector<uint16_t>& sizes = bt.bal_sizes;
  cells.clear();
  sizes.clear();
  for (int k = 0; k < n_old; k++) {
    MemPage& o = old[k];
    if (o.flags() != old[0].flags()) return KEEL_BT_CORRUPT();
    uint8_t* copy = bt.bal_pages.data() + k * ps;
    std::memcpy(copy, o.data, ps);
    auto add_page_cell = [&](int j) -> Status {
      uint32_t pc = get_u16(copy + o.cell_offset + 2 * j);
      if (pc < o.cell_offset + 2u * o.ncell || pc > o.usable - 4) return KEEL_BT_CORRUPT();
      CellInfo ci;
      KEEL_RETURN_IF_ERROR(parse_cell_in(o, copy, copy + pc, &ci));
      cells.push_back(copy + pc);
      sizes.push_back(ci.size);
      return Status::Ok();
    };
    int limit = o.ncell;
    int j = 0;
    if (o.n_overflow > 0) {
      if (limit < o.ovfl_idx[0]) return KEEL_BT_CORRUPT();
      limit = o.ovfl_idx[0];
      for (; j < limit; j++) KEEL_RETURN_IF_ERROR(add_page_cell(j));
      for (int q = 0; q < o.n_overflow; q++) {
        cells.push_back(o.ovfl_cell[q]);
        sizes.push_back(cell_size_trusted(o, o.ovfl_cell[q]));
      }
    }
    for (; j < o.ncell; j++) KEEL_RETURN_IF_ERROR(add_page_cell(j));
    cnt_old[k] = static_cast<int>(cells.size());
    if (k < n_old - 1 && !leaf_data) {
      // The divider joins the pool: without its child pointer between
      // leaves, with the left page's right child between interior pages.
      uint8_t* d = div[k] + leaf_correction;
      int sz = sz_div[k] - leaf_correction;
      if (!o.leaf) {
        std::memcpy(d, copy + 8, 4);
      } else {
        while (sz < 4) d[sz++] = 0;
      }
      cells.push_back(d);
      sizes.push_back(static_cast<uint16_t>(sz));
    }
  }
  const int ncell = static_cast<int>(cells.size());

  // Pack left to right.
  const int usable_space = static_cast<int>(bt.usable) - 12 + leaf_correction;
  for (int k = 0; k < n_old; k++) {
    MemPage& p = old[k];
    sz_new[k] = usable_space - p.nfree;
    for (int q = 0; q < p.n_overflow; q++) sz_new[k] += 2 + cell_size_trusted(p, p.ovfl_cell[q]);
    cnt_new[k] = cnt_old[k];
  }
  int k = n_old;
  for (int a = 0; a < k; a++) {
    while (sz_new[a] > usable_space) {
      if (a + 1 >= k) {
        k = a + 2;
        if (k > NB + 2) return KEEL_BT_CORRUPT();
        sz_new[k - 1] = 0;
        cnt_new[k - 1] = ncell;
      }
      if (cnt_new[a] - 1 < 0) return KEEL_BT_CORRUPT();
      int sz = 2 + sizes[cnt_new[a] - 1];
      sz_new[a] -= sz;
      if (!leaf_data) {
        sz = cnt_new[a] < ncell ? 2 + sizes[cnt_new[a]] : 0;
      }
      sz_new[a + 1] += sz;
      cnt_new[a]--;
    }
    while (cnt_new[a] < ncell) {
      int sz = 2 + sizes[cnt_new[a]];
      if (sz_new[a] + sz > usable_space) break;
      sz_new[a] += sz;
      cnt_new[a]++;
      if (!leaf_data) {
        sz = cnt_new[a] < ncell ? 2 + sizes[cnt_new[a]] : 0;
      }
      sz_new[a + 1] -= sz;
    }
    if (cnt_new[a] >= ncell) {
      k = a + 1;
    } else if (cnt_new[a] <= (a > 0 ? cnt_new[a - 1] : 0)) {
      return KEEL_BT_CORRUPT();
    }
  }

  // Even out: move cells right while that makes the right page no fuller
  // than the left one.
  for (int a = k - 1; a > 0; a--) {
    int sz_right = sz_new[a];
    int sz_left = sz_new[a - 1];
    int r = cnt_new[a - 1] - 1;
    int d = r + 1 - (leaf_data ? 1 : 0);
    do {
      if (r < 0 || d < 0 || d >= ncell) return KEEL_BT_CORRUPT();
      int sz_r = sizes[r];
      int sz_d = sizes[d];
      if (sz_right != 0 && (bulk || sz_right + sz_d + 2 > sz_left - (sz_r + (a == k - 1 ? 0 : 2)))) break;
      sz_right += sz_d + 2;
      sz_left -= sz_r + 2;
      cnt_new[a - 1] = r;
      r--;
      d--;
    } while (r >= 0);
    sz_new[a] = sz_right;
    sz_new[a - 1] = sz_left;
    if (cnt_new[a - 1] <= (a > 1 ? cnt_new[a - 2] : 0)) return KEEL_BT_CORRUPT();
  }

  // Pages: reuse the old ones, allocate the rest.
  const uint8_t page_flags = old[0].flags();
  int n_new = 0;
  PageNo near = old[0].pgno;
  for (int a = 0; a < k; a++) {
    if (a < n_old) {
      nw[a] = std::move(old[a]);
      KEEL_RETURN_IF_ERROR(make_writable(bt, nw[a]));
    } else {
      KEEL_RETURN_IF_ERROR(allocate_page(bt, &nw[a], &near, near, AllocMode::kAny));
      zero_page(bt, nw[a], page_flags);
      if (bt.auto_vacuum) KEEL_RETURN_IF_ERROR(ptrmap_put(bt, nw[a].pgno, kPtrmapBtree, parent.pgno));
    }
    nw[a].n_overflow = 0;
    n_new++;
  }
  // Old pages beyond k are freed below; keep their numbers.
  PageNo to_free[NB];
  int n_free = 0;
  for (int a = k; a < n_old; a++) to_free[n_free++] = old[a].pgno;
  // New pages in ascending page-number order keep scans close to sequential.
  for (int a = 0; a < n_new; a++) {
    int best = a;
    for (int b = a + 1; b < n_new; b++) {
      if (nw[b].pgno < nw[best].pgno) best = b;
    }
    if (best != a) std::swap(nw[a], nw[best]);
  }

  put_u32(right, nw[n_new - 1].pgno);
  if (!(page_flags & kPtfLeaf)) {
    // The rightmost new page inherits the rightmost old page's right child.
    const uint8_t* last_old = bt.bal_pages.data() + (n_old - 1) * ps;
    std::memcpy(nw[n_new - 1].data + 8, last_old + 8, 4);
  }

  // New dividers into the parent.
  for (int a = 0; a < n_new - 1; a++) {
    int j = cnt_new[a];
    uint8_t* cell = cells[j];
    int sz = sizes[j] + leaf_correction;
    uint8_t* tmp = ovfl_space + i_ovfl_space;
    if (!nw[a].leaf) {
      std::memcpy(nw[a].data + 8, cell, 4);
    } else if (leaf_data) {
      const uint8_t* lc = cells[j - 1];
      // Only the rowid is needed; it sits right after the size varint.
      uint64_t v, rowid;
      int n1 = get_varint(lc, &v);
      get_varint(lc + n1, &rowid);
      cell = tmp;
      sz = 4 + put_varint(cell + 4, rowid);
      tmp = nullptr;
    } else {
      cell -= 4;
      if (sizes[j] == 4) sz = cell_size_trusted(parent, cell);
    }
    i_ovfl_space += sz + 8;
    if (i_ovfl_space > static_cast<int>(bt.bal_ovfl[0].size()) - 2 * kCellHeadroom) {
      return KEEL_BT_CORRUPT();
    }
    KEEL_RETURN_IF_ERROR(insert_cell(bt, parent, nxdiv + a, cell, sz, tmp, nw[a].pgno));
  }

  // Rebuild every new sibling from the pool.
  for (int a = 0; a < n_new; a++) {
    int first = a == 0 ? 0 : cnt_new[a - 1] + (leaf_data ? 0 : 1);
    int count = cnt_new[a] - first;
    if (count < 0) return KEEL_BT_CORRUPT();
    KEEL_RETURN_IF_ERROR(rebuild_page(bt, nw[a], cells.data() + first, sizes.data() + first, count));
    if (bt.auto_vacuum) KEEL_RETURN_IF_ERROR(set_child_ptrmaps(bt, nw[a]));
  }

  if (is_root && parent.ncell == 0 && parent.n_overflow == 0 && parent.hdr <= nw[0].nfree) {
    // Balance-shallower: the root's only child moves up into the root.
    KEEL_RETURN_IF_ERROR(copy_node_content(bt, nw[0], parent));
    to_free[n_free++] = nw[0].pgno;
  }
  for (int a = 0; a < n_new; a++) nw[a].reset();
  for (int a = 0; a < n_free; a++) KEEL_RETURN_IF_ERROR(free_page(bt, to_free[a]));
  return Status::Ok();
}

}  // namespace

Status balance(BtShared& bt, CursorState& c) {
  while (true) {
    MemPage& p = c.page();
    if (p.nfree < 0) KEEL_RETURN_IF_ERROR(compute_free_space(p));
    if (p.n_overflow == 0 && p.nfree * 3 <= static_cast<int>(bt.usable) * 2) break;
    if (c.depth == 0) {
      if (p.n_overflow == 0) break;
      KEEL_RETURN_IF_ERROR(balance_deeper(bt, c));
      continue;
    }
    MemPage& parent = c.pages[c.depth - 1];
    int parent_idx = c.idx[c.depth - 1];
    KEEL_RETURN_IF_ERROR(make_writable(bt, parent));
    if (parent.nfree < 0) KEEL_RETURN_IF_ERROR(compute_free_space(parent));
    if (p.intkey_leaf && p.n_overflow == 1 && p.ovfl_idx[0] == p.ncell && parent.pgno != 1 &&
        parent.ncell == parent_idx) {
      uint8_t* space = bt.quick_space[bt.quick_next] + kCellHeadroom;
      bt.quick_next ^= 1;
      KEEL_RETURN_IF_ERROR(balance_quick(bt, parent, p, space));
    } else {
      KEEL_RETURN_IF_ERROR(balance_nonroot(bt, c, parent, parent_idx, p, c.depth == 1, c.bulk_load));
    }
    p.n_overflow = 0;
    c.pages[c.depth].reset();
    c.depth--;
  }
  return Status::Ok();
}

}  // namespace keel::storage::bt
