// Insert and delete through a cursor (SQLite's sqlite3BtreeInsert and
// sqlite3BtreeDelete).
//
// Insert: position on the entry (or its neighbour), build the cell (spilling
// to overflow pages), replace or insert it; if the page overflows, balance()
// restores the invariants and the cursor is re-seeked to the new entry.
//
// Delete: the cell is freed; if it sat on an interior page (index trees
// only), the largest entry of its left subtree moves up to take its place.
// Then the leaf is balanced, and the interior page if balancing did not
// reach it. The cursor saves the deleted key so next()/prev() continue from
// the right place.
#include <algorithm>
#include <optional>

#include "storage/btree/btree_internal.h"

namespace keel::storage::bt {

namespace {

// Overwrites the payload of the current cell (same payload size) in place,
// including its overflow pages (SQLite's btreeOverwriteCell).
Status overwrite_cell(BtShared& bt, CursorState& c, const uint8_t* data, uint32_t n) {
  MemPage& pg = c.page();
  KEEL_RETURN_IF_ERROR(c.ensure_info());
  const CellInfo info = c.info;
  if (info.payload + info.local > pg.data + pg.usable) return KEEL_BT_CORRUPT();
  KEEL_RETURN_IF_ERROR(make_writable(bt, pg));
  uint8_t* local = pg.data + (info.payload - const_cast<const uint8_t*>(pg.data));
  std::memcpy(local, data, info.local);
  if (info.local == n) return Status::Ok();
  uint32_t done = info.local;
  uint32_t per = bt.usable - 4;
  PageNo ovfl = get_u32(info.payload + info.local);
  while (done < n) {
    if (ovfl < 2 || ovfl > bt.npage()) return KEEL_BT_CORRUPT();
    auto r = bt.pager->get(ovfl);
    if (!r.ok()) return r.take_status();
    PageRef ref = std::move(r).value();
    KEEL_RETURN_IF_ERROR(bt.pager->make_writable(ref));
    uint8_t* d = ref.mutable_data();
    uint32_t take = std::min(per, n - done);
    std::memcpy(d + 4, data + done, take);
    done += take;
    ovfl = get_u32(d);
  }
  return Status::Ok();
}

}  // namespace

Status CursorState::insert(int64_t rowid, const uint8_t* key, const uint8_t* data, uint32_t n,
                           InsertHint hint, const KeyComparator* probe) {
  if (!writable) return Status(rc::kReadOnly, "attempt to write a readonly database");
  if (!bt->pager->in_write()) return Status(rc::kMisuse, "insert outside a write transaction");
  KEEL_RETURN_IF_ERROR(save_cursors_on(*bt, root, this));
  skip_next = 0;
  if (pos == Pos::kRequireSeek) {
    release_all();
    pos = Pos::kInvalid;
    if (hint == InsertHint::kUseSeekResult) hint = InsertHint::kNone;
  }
  if (!known_kind) KEEL_RETURN_IF_ERROR(move_to_root());
  if (key) {
    data = key;
    if (intkey) return Status(rc::kMisuse, "key insert into a table b-tree");
  } else if (!intkey) {
    return Status(rc::kMisuse, "rowid insert into an index b-tree");
  }

  int loc = 0;
  std::optional<BytesComparator> own;
  if (!intkey && !probe) {
    if (!order) return Status(rc::kMisuse, "index insert needs a KeyOrder or a probe");
    own.emplace(*order, key, n);
    probe = &*own;
  }
  bool have_loc = false;
  if (hint == InsertHint::kUseSeekResult && pos == Pos::kValid && depth >= 0) {
    loc = last_seek;
    have_loc = true;
  } else if (intkey && hint == InsertHint::kAppend && pos == Pos::kValid && at_last) {
    KEEL_RETURN_IF_ERROR(ensure_info());
    if (info.key < rowid) {
      loc = -1;
      have_loc = true;
    }
  } else if (!intkey && hint == InsertHint::kAppend && pos == Pos::kValid && at_last) {
    // Index keys arriving in order (CREATE INDEX from a sorter): one compare
    // with the last entry replaces the seek (SQLite's BTREE_APPEND + BIASKEY).
    KEEL_RETURN_IF_ERROR(ensure_info());
    uint8_t* cell;
    KEEL_RETURN_IF_ERROR(cell_at(page(), ix(), &cell));
    const uint8_t* last;
    KEEL_RETURN_IF_ERROR(full_key(cell, info, &last));
    if (probe->compare(last, info.payload_size) < 0) {
      loc = -1;
      have_loc = true;
    }
  }
  if (!have_loc) {
    if (intkey) {
      KEEL_RETURN_IF_ERROR(seek_rowid(rowid, &loc));
    } else {
      KEEL_RETURN_IF_ERROR(seek_key(*probe, &loc));
    }
  }
  if (depth < 0) return Status(rc::kInternal, "cursor lost its page");

  // Same-size replacement of a row: overwrite in place.
  if (loc == 0 && intkey && pos == Pos::kValid) {
    KEEL_RETURN_IF_ERROR(ensure_info());
    if (info.payload_size == n) {
      KEEL_RETURN_IF_ERROR(overwrite_cell(*bt, *this, data, n));
      info_valid = false;
      ovfl_valid = false;
      return Status::Ok();
    }
  }

  MemPage& pg = page();
  if (pg.nfree < 0) KEEL_RETURN_IF_ERROR(compute_free_space(pg));
  uint8_t* cell = bt->cell_buf.data() + kCellHeadroom;
  int sz = 0;
  KEEL_RETURN_IF_ERROR(fill_in_cell(*bt, pg, cell, rowid, data, n, &sz));
  int i = ix();
  KEEL_RETURN_IF_ERROR(make_writable(*bt, pg));
  if (loc == 0 && pos == Pos::kValid) {
    if (i >= pg.ncell) return KEEL_BT_CORRUPT();
    uint8_t* old;
    KEEL_RETURN_IF_ERROR(cell_at(pg, i, &old));
    CellInfo oi;
    KEEL_RETURN_IF_ERROR(parse_cell(pg, old, &oi));
    if (!pg.leaf) std::memcpy(cell, old, 4);
    KEEL_RETURN_IF_ERROR(clear_cell(*bt, pg, old, oi));
    if (oi.size == sz && !oi.overflows() && (!bt->auto_vacuum || sz < pg.min_local)) {
      std::memcpy(old, cell, sz);
      info_valid = false;
      ovfl_valid = false;
      return Status::Ok();
    }
    KEEL_RETURN_IF_ERROR(drop_cell(pg, i, oi.size));
  } else if (loc < 0 && pg.ncell > 0) {
    i++;
    ix() = i;
  } else if (pos != Pos::kValid) {
    i = 0;
    ix() = 0;
  }
  if (!pg.leaf && loc != 0) return KEEL_BT_CORRUPT();
  KEEL_RETURN_IF_ERROR(insert_cell(*bt, pg, i, cell, sz, nullptr, 0));
  info_valid = false;
  ovfl_valid = false;
  pos = Pos::kValid;
  if (pg.n_overflow) {
    Status st = balance(*bt, *this);
    release_all();
    pos = Pos::kInvalid;
    KEEL_RETURN_IF_ERROR(st);
    // Land on the new entry so that a run of appends keeps its fast path.
    int res;
    if (intkey) {
      KEEL_RETURN_IF_ERROR(seek_rowid(rowid, &res));
    } else {
      KEEL_RETURN_IF_ERROR(seek_key(*probe, &res));
    }
  }
  at_last = is_at_last_entry();
  return Status::Ok();
}

Status CursorState::remove() {
  if (!writable) return Status(rc::kReadOnly, "attempt to write a readonly database");
  if (!bt->pager->in_write()) return Status(rc::kMisuse, "delete outside a write transaction");
  if (pos == Pos::kRequireSeek) {
    bool there = false;
    KEEL_RETURN_IF_ERROR(restore_position(&there));
    if (!there) return Status(rc::kMisuse, "cursor entry no longer exists");
  }
  if (pos != Pos::kValid) return Status(rc::kMisuse, "cursor is not on an entry");
  KEEL_RETURN_IF_ERROR(save_cursors_on(*bt, root, this));
  KEEL_RETURN_IF_ERROR(ensure_info());
  // Remember the key so the cursor can find its place afterwards.
  if (intkey) {
    saved_rowid = info.key;
  } else {
    saved_key.resize(info.payload_size);
    KEEL_RETURN_IF_ERROR(read_payload(0, info.payload_size, saved_key.data()));
  }
  int cell_depth = depth;
  int cell_idx = ix();
  MemPage& pg = pages[cell_depth];
  if (cell_idx >= pg.ncell) return KEEL_BT_CORRUPT();
  uint8_t* cell;
  KEEL_RETURN_IF_ERROR(cell_at(pg, cell_idx, &cell));
  CellInfo ci;
  KEEL_RETURN_IF_ERROR(parse_cell(pg, cell, &ci));
  PageNo child = pg.leaf ? 0 : get_u32(cell);
  if (!pg.leaf) {
    // Step to the predecessor leaf entry that will replace this cell.
    KEEL_RETURN_IF_ERROR(prev());
    if (pos != Pos::kValid || depth <= cell_depth) return KEEL_BT_CORRUPT();
  }
  KEEL_RETURN_IF_ERROR(make_writable(*bt, pg));
  if (pg.nfree < 0) KEEL_RETURN_IF_ERROR(compute_free_space(pg));
  KEEL_RETURN_IF_ERROR(cell_at(pg, cell_idx, &cell));
  KEEL_RETURN_IF_ERROR(clear_cell(*bt, pg, cell, ci));
  KEEL_RETURN_IF_ERROR(drop_cell(pg, cell_idx, ci.size));
  if (!pg.leaf) {
    MemPage& leaf = page();
    KEEL_RETURN_IF_ERROR(make_writable(*bt, leaf));
    if (leaf.nfree < 0) KEEL_RETURN_IF_ERROR(compute_free_space(leaf));
    uint8_t* lcell;
    KEEL_RETURN_IF_ERROR(cell_at(leaf, leaf.ncell - 1, &lcell));
    CellInfo li;
    KEEL_RETURN_IF_ERROR(parse_cell(leaf, lcell, &li));
    uint8_t* tmp = bt->cell_buf.data() + kCellHeadroom;
    std::memcpy(tmp + 4, lcell, li.size);
    KEEL_RETURN_IF_ERROR(insert_cell(*bt, pg, cell_idx, tmp, li.size + 4, nullptr, child));
    KEEL_RETURN_IF_ERROR(drop_cell(leaf, leaf.ncell - 1, li.size));
  }
  info_valid = false;
  ovfl_valid = false;
  at_last = false;
  if (pg.leaf && pg.ncell > 0 && pg.n_overflow == 0 &&
      (depth == 0 || pg.nfree * 3 <= static_cast<int>(bt->usable) * 2)) {
    // No balance needed (balance() would stop at once): the cursor stays
    // on the page, on the entry that followed the deleted one (next()
    // stays there) or, when the last cell went, on the one before it
    // (prev() stays there), as restore_position() would leave it, but
    // without a re-seek from the root (SQLite's CURSOR_SKIPNEXT).
    if (cell_idx < pg.ncell) {
      ix() = cell_idx;
      skip_next = 1;
    } else {
      ix() = pg.ncell - 1;
      skip_next = -1;
    }
    pos = Pos::kValid;
    return Status::Ok();
  }
  Status st = balance(*bt, *this);
  if (st.ok() && depth > cell_depth) {
    while (depth > cell_depth) pages[depth--].reset();
    st = balance(*bt, *this);
  }
  release_all();
  pos = Pos::kRequireSeek;
  skip_next = 0;
  return st;
}

}  // namespace keel::storage::bt
