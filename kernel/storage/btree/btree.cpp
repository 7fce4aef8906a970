// Btree: transactions, page-1 meta values, creating, clearing and dropping
// trees, incremental vacuum; and the BtCursor front door.
#include <algorithm>

#include "storage/btree/btree_internal.h"

namespace keel::storage {

using namespace bt;

namespace {

constexpr char kMagic[16] = "SQLite format 3";

// Writes page 1 of a new database: the 100-byte header (fields the pager
// maintains are written too, with the values it would use, in case it has
// not written them yet) and an empty table leaf for sqlite_schema.
Status init_new_database(BtShared& s, AutoVacuum av) {
  auto r = s.pager->get(1);
  if (!r.ok()) return r.take_status();
  PageRef p1 = std::move(r).value();
  KEEL_RETURN_IF_ERROR(s.pager->make_writable(p1));
  uint8_t* d = p1.mutable_data();
  if (std::memcmp(d, kMagic, 16) != 0) {
    std::memset(d, 0, 100);
    std::memcpy(d, kMagic, 16);
    put_u16(d + 16, static_cast<uint16_t>(s.page_size == 65536 ? 1 : s.page_size));
    d[18] = 1;
    d[19] = 1;
    d[20] = static_cast<uint8_t>(s.page_size - s.usable);
    put_u32(d + 28, 1);
  }
  d[21] = 64;
  d[22] = 32;
  d[23] = 32;
  // As SQLite's newDatabase: the b-tree fields start at zero, except schema
  // format and text encoding when the pager already chose them.
  uint32_t schema_format = get_u32(d + 44);
  uint32_t encoding = get_u32(d + 56);
  std::memset(d + 32, 0, 92 - 32);
  put_u32(d + 44, schema_format);
  put_u32(d + 56, encoding);
  put_u32(d + kHdrLargestRoot, av != AutoVacuum::kNone ? 1 : 0);
  put_u32(d + kHdrIncrVacuum, av == AutoVacuum::kIncremental ? 1 : 0);
  MemPage p;
  p.ref = p1;
  p.pgno = 1;
  p.data = d;
  p.hdr = 100;
  zero_page(s, p, kTableLeaf);
  return Status::Ok();
}

// Frees (or, for the root, empties) every page of the subtree at pgno.
Status clear_page(BtShared& s, PageNo pgno, bool free_it, int64_t* changes, int depth) {
  if (depth > kMaxDepth) return KEEL_BT_CORRUPT();
  MemPage p;
  KEEL_RETURN_IF_ERROR(get_page(s, pgno, p));
  for (int i = 0; i < p.ncell; i++) {
    uint8_t* cell;
    KEEL_RETURN_IF_ERROR(cell_at(p, i, &cell));
    if (!p.leaf) KEEL_RETURN_IF_ERROR(clear_page(s, get_u32(cell), true, changes, depth + 1));
    CellInfo ci;
    KEEL_RETURN_IF_ERROR(parse_cell(p, cell, &ci));
    KEEL_RETURN_IF_ERROR(clear_cell(s, p, cell, ci));
  }
  if (!p.leaf) KEEL_RETURN_IF_ERROR(clear_page(s, p.right_child(), true, changes, depth + 1));
  if (p.leaf || !p.intkey) *changes += p.ncell;
  if (free_it) return free_page(s, pgno);
  KEEL_RETURN_IF_ERROR(make_writable(s, p));
  zero_page(s, p, static_cast<uint8_t>(p.flags() | kPtfLeaf));
  return Status::Ok();
}

}  // namespace

namespace bt {

// A one-page file whose page 1 holds only the 100-byte header (the pager
// writes that much when it switches an empty file to WAL): the b-tree part
// has not been written yet.
bool page1_is_blank(BtShared& s) {
  if (s.pager->page_count() == 0) return true;  // no file yet: empty schema
  if (s.pager->page_count() != 1) return false;
  auto r = s.pager->get(1);
  if (!r.ok()) return false;
  const uint8_t* d = r->data();
  for (int i = 100; i < 108; i++) {
    if (d[i] != 0) return false;
  }
  return true;
}

Status BtShared::refresh() {
  page_size = pager->page_size();
  usable = pager->usable_size();
  if (usable < 480 || page_size < 512) return Status(rc::kCorrupt, "database disk image is malformed");
  max_local = static_cast<uint16_t>((usable - 12) * 64 / 255 - 23);
  min_local = static_cast<uint16_t>((usable - 12) * 32 / 255 - 23);
  max_leaf = static_cast<uint16_t>(usable - 35);
  min_leaf = static_cast<uint16_t>((usable - 12) * 32 / 255 - 23);
  size_t want = page_size + 2 * kCellHeadroom + 64;
  if (cell_buf.size() != want) {
    cell_buf.assign(want, 0);
    defrag_buf.assign(page_size, 0);
    bal_pages.assign(size_t{kBalanceSiblings} * page_size, 0);
    bal_div.assign(2 * size_t{page_size} + 64, 0);
    bal_ovfl[0].assign(2 * size_t{page_size} + 64, 0);
    bal_ovfl[1].assign(2 * size_t{page_size} + 64, 0);
  }
  auto_vacuum = false;
  incr_vacuum = false;
  if (pager->page_count() > 0) {
    auto r = pager->get(1);
    if (!r.ok()) return r.take_status();
    const uint8_t* d = r->data();
    if (std::memcmp(d, kMagic, 16) != 0) return Status(rc::kNotADb, "file is not a database");
    if (d[21] != 64 || d[22] != 32 || d[23] != 32) {
      return Status(rc::kNotADb, "file is not a database");
    }
    auto_vacuum = get_u32(d + kHdrLargestRoot) != 0;
    incr_vacuum = get_u32(d + kHdrIncrVacuum) != 0;
  }
  return Status::Ok();
}

}  // namespace bt

Btree::Btree() : s_(std::make_unique<BtShared>()) {}
Btree::~Btree() {
  // Cursors that outlive their Btree keep no pages and become unusable.
  for (CursorState* c : s_->cursors) {
    c->release_all();
    c->pos = CursorState::Pos::kInvalid;
    c->bt = nullptr;
  }
}

Result<std::unique_ptr<Btree>> Btree::open(Pager& pager) {
  std::unique_ptr<Btree> b(new Btree());
  b->s_->pager = &pager;
  return b;
}

Pager& Btree::pager() { return *s_->pager; }
uint32_t Btree::page_size() const { return s_->pager->page_size(); }
uint32_t Btree::usable_size() const { return s_->pager->usable_size(); }
PageNo Btree::page_count() const { return s_->pager->page_count(); }

AutoVacuum Btree::auto_vacuum() const {
  if (!s_->auto_vacuum) return AutoVacuum::kNone;
  return s_->incr_vacuum ? AutoVacuum::kIncremental : AutoVacuum::kFull;
}

Status Btree::save_all_cursors() { return bt::save_all_cursors(*s_, nullptr); }

Status Btree::begin_read() {
  KEEL_RETURN_IF_ERROR(s_->pager->begin_read());
  return s_->refresh();
}

void Btree::end_read() {
  save_all_cursors().ignore();
  s_->pager->end_read();
}

Status Btree::begin_write(bool exclusive) {
  KEEL_RETURN_IF_ERROR(s_->pager->begin_write(exclusive));
  KEEL_RETURN_IF_ERROR(s_->refresh());
  if (s_->pager->page_count() == 0 || page1_is_blank(*s_)) {
    KEEL_RETURN_IF_ERROR(init_new_database(*s_, AutoVacuum::kNone));
    KEEL_RETURN_IF_ERROR(s_->refresh());
  }
  return Status::Ok();
}

Status Btree::commit() {
  if (s_->pager->in_write()) {
    KEEL_RETURN_IF_ERROR(save_all_cursors());
    if (s_->auto_vacuum && !s_->incr_vacuum) KEEL_RETURN_IF_ERROR(autovacuum_commit(*s_));
  }
  KEEL_RETURN_IF_ERROR(save_all_cursors());
  return s_->pager->commit();
}

Status Btree::commit_phase_one(std::string_view super_journal) {
  if (s_->pager->in_write()) {
    KEEL_RETURN_IF_ERROR(save_all_cursors());
    if (s_->auto_vacuum && !s_->incr_vacuum) KEEL_RETURN_IF_ERROR(autovacuum_commit(*s_));
  }
  KEEL_RETURN_IF_ERROR(save_all_cursors());
  return s_->pager->commit_phase_one(super_journal);
}

Status Btree::commit_phase_two() { return s_->pager->commit_phase_two(); }

Status Btree::rollback() {
  // Positions are kept by key where possible; pages must be released before
  // the pager restores them.
  for (CursorState* c : s_->cursors) {
    if (!c->save_position().ok()) {
      c->release_all();
      c->pos = CursorState::Pos::kInvalid;
    }
  }
  Status st = s_->pager->rollback();
  if (s_->pager->page_count() > 0 || s_->pager->in_read()) s_->refresh().ignore();
  return st;
}

Result<int> Btree::open_savepoint() { return s_->pager->open_savepoint(); }
Status Btree::release_savepoint(int depth) { return s_->pager->release_savepoint(depth); }
Status Btree::rollback_to_savepoint(int depth) {
  for (CursorState* c : s_->cursors) {
    if (!c->save_position().ok()) {
      c->release_all();
      c->pos = CursorState::Pos::kInvalid;
    }
  }
  KEEL_RETURN_IF_ERROR(s_->pager->rollback_to_savepoint(depth));
  return s_->refresh();
}

Status Btree::set_auto_vacuum(AutoVacuum mode) {
  if (!s_->pager->in_write()) return Status(rc::kMisuse, "auto_vacuum change outside a write");
  bool on = mode != AutoVacuum::kNone;
  PageRef p1;
  KEEL_RETURN_IF_ERROR(get_page1(*s_, &p1, true));
  uint8_t* d = p1.mutable_data();
  if (on == s_->auto_vacuum) {
    put_u32(d + kHdrIncrVacuum, mode == AutoVacuum::kIncremental ? 1 : 0);
    s_->incr_vacuum = mode == AutoVacuum::kIncremental;
    return Status::Ok();
  }
  if (s_->pager->page_count() > 1) {
    return Status(rc::kError, "auto_vacuum can only change before the first table is created");
  }
  put_u32(d + kHdrLargestRoot, on ? 1 : 0);
  put_u32(d + kHdrIncrVacuum, mode == AutoVacuum::kIncremental ? 1 : 0);
  s_->auto_vacuum = on;
  s_->incr_vacuum = mode == AutoVacuum::kIncremental;
  return Status::Ok();
}

Result<uint32_t> Btree::get_meta(Meta which) {
  int i = static_cast<int>(which);
  if (i < 0 || i > 15) return Status(rc::kMisuse, "no such meta value");
  if (s_->pager->page_count() == 0) return uint32_t{0};
  PageRef p1;
  KEEL_RETURN_IF_ERROR(get_page1(*s_, &p1, false));
  return get_u32(p1.data() + 36 + 4 * i);
}

Status Btree::set_meta(Meta which, uint32_t value) {
  int i = static_cast<int>(which);
  if (i < 1 || i > 15) return Status(rc::kMisuse, "meta value cannot be set");
  if (!s_->pager->in_write()) return Status(rc::kMisuse, "meta change outside a write");
  PageRef p1;
  KEEL_RETURN_IF_ERROR(get_page1(*s_, &p1, true));
  put_u32(p1.mutable_data() + 36 + 4 * i, value);
  if (which == Meta::kIncrementalVacuum) s_->incr_vacuum = value != 0;
  return Status::Ok();
}

Result<PageNo> Btree::create_table(TreeKind kind) {
  BtShared& s = *s_;
  if (!s.pager->in_write()) return Status(rc::kMisuse, "create outside a write transaction");
  MemPage root;
  PageNo pgno_root;
  if (s.auto_vacuum) {
    KEEL_RETURN_IF_ERROR(bt::save_all_cursors(s, nullptr));
    PageRef p1;
    KEEL_RETURN_IF_ERROR(get_page1(s, &p1, false));
    pgno_root = get_u32(p1.data() + kHdrLargestRoot);
    if (pgno_root > s.npage()) return KEEL_BT_CORRUPT();
    pgno_root++;
    while (is_ptrmap_page(s, pgno_root) || pgno_root == s.pending_page()) pgno_root++;
    MemPage moved;
    PageNo pgno_move;
    KEEL_RETURN_IF_ERROR(allocate_page(s, &moved, &pgno_move, pgno_root, AllocMode::kExact));
    if (pgno_move != pgno_root) {
      // The page sitting where the root must go moves to the page allocated.
      moved.reset();
      uint8_t type = 0;
      PageNo ptr_page = 0;
      KEEL_RETURN_IF_ERROR(ptrmap_get(s, pgno_root, &type, &ptr_page));
      if (type == kPtrmapRoot || type == kPtrmapFree) return KEEL_BT_CORRUPT();
      KEEL_RETURN_IF_ERROR(relocate_page(s, pgno_root, type, ptr_page, pgno_move));
      auto r = s.pager->get(pgno_root);
      if (!r.ok()) return r.take_status();
      PageRef ref = std::move(r).value();
      KEEL_RETURN_IF_ERROR(s.pager->make_writable(ref));
      root.ref = std::move(ref);
      root.pgno = pgno_root;
      root.data = root.ref.mutable_data();
      root.hdr = 0;
    } else {
      root = std::move(moved);
    }
    KEEL_RETURN_IF_ERROR(ptrmap_put(s, pgno_root, kPtrmapRoot, 0));
    KEEL_RETURN_IF_ERROR(get_page1(s, &p1, true));
    put_u32(p1.mutable_data() + kHdrLargestRoot, pgno_root);
  } else {
    KEEL_RETURN_IF_ERROR(allocate_page(s, &root, &pgno_root, 1, AllocMode::kAny));
  }
  zero_page(s, root, kind == TreeKind::kTable ? kTableLeaf : kIndexLeaf);
  return pgno_root;
}

Result<int64_t> Btree::clear_table(PageNo root) {
  BtShared& s = *s_;
  if (!s.pager->in_write()) return Status(rc::kMisuse, "clear outside a write transaction");
  KEEL_RETURN_IF_ERROR(save_cursors_on(s, root, nullptr));
  int64_t changes = 0;
  KEEL_RETURN_IF_ERROR(clear_page(s, root, false, &changes, 0));
  return changes;
}

Result<PageNo> Btree::drop_table(PageNo root) {
  BtShared& s = *s_;
  if (root < 2) return Status(rc::kMisuse, "cannot drop page 1");
  if (root > s.npage()) return KEEL_BT_CORRUPT();
  KEEL_ASSIGN_OR_RETURN(int64_t cleared, clear_table(root));
  (void)cleared;
  for (CursorState* c : s.cursors) {
    if (c->root == root) {
      c->release_all();
      c->pos = CursorState::Pos::kInvalid;
    }
  }
  if (!s.auto_vacuum) {
    KEEL_RETURN_IF_ERROR(free_page(s, root));
    return PageNo{0};
  }
  KEEL_RETURN_IF_ERROR(bt::save_all_cursors(s, nullptr));
  PageRef p1;
  KEEL_RETURN_IF_ERROR(get_page1(s, &p1, false));
  PageNo max_root = get_u32(p1.data() + kHdrLargestRoot);
  PageNo moved = 0;
  if (root == max_root) {
    KEEL_RETURN_IF_ERROR(free_page(s, root));
  } else {
    // Keep the roots packed at the front: the last root moves into the hole.
    KEEL_RETURN_IF_ERROR(relocate_page(s, max_root, kPtrmapRoot, 0, root));
    KEEL_RETURN_IF_ERROR(free_page(s, max_root));
    moved = max_root;
    for (CursorState* c : s.cursors) {
      if (c->root == max_root) c->root = root;
    }
  }
  max_root--;
  while (max_root == s.pending_page() || is_ptrmap_page(s, max_root)) max_root--;
  KEEL_RETURN_IF_ERROR(get_page1(s, &p1, true));
  put_u32(p1.mutable_data() + kHdrLargestRoot, max_root);
  return moved;
}

Result<uint32_t> Btree::incremental_vacuum(uint32_t pages) {
  BtShared& s = *s_;
  if (!s.pager->in_write()) return Status(rc::kMisuse, "vacuum outside a write transaction");
  if (!s.auto_vacuum) return uint32_t{0};
  uint32_t freed = 0;
  while (pages == 0 || freed < pages) {
    PageNo orig = s.npage();
    PageRef p1;
    KEEL_RETURN_IF_ERROR(get_page1(s, &p1, false));
    uint32_t nfree = get_u32(p1.data() + kHdrFreelistCount);
    p1.release();
    if (nfree == 0) break;
    PageNo fin = final_db_size(s, orig, nfree);
    if (orig < fin || nfree >= orig) return KEEL_BT_CORRUPT();
    KEEL_RETURN_IF_ERROR(bt::save_all_cursors(s, nullptr));
    bool done = false;
    KEEL_RETURN_IF_ERROR(incr_vacuum_step(s, fin, orig, false, &done));
    if (done) break;
    freed++;
  }
  return freed;
}

// ---------------------------------------------------------------- cursors

BtCursor::BtCursor(Btree& btree, PageNo root, bool writable, const KeyOrder* order)
    : c_(std::make_unique<CursorState>()) {
  c_->bt = &btree.shared();
  c_->root = root;
  c_->writable = writable;
  c_->order = order;
  c_->bt->cursors.push_back(c_.get());
}

BtCursor::~BtCursor() {
  if (c_->bt == nullptr) return;
  c_->release_all();
  auto& v = c_->bt->cursors;
  v.erase(std::remove(v.begin(), v.end(), c_.get()), v.end());
}

PageNo BtCursor::root() const { return c_->root; }
bool BtCursor::is_table() const { return c_->intkey; }

Status BtCursor::first() {
  if (c_->pos == CursorState::Pos::kRequireSeek) c_->pos = CursorState::Pos::kInvalid;
  return c_->first();
}
Status BtCursor::last() {
  if (c_->pos == CursorState::Pos::kRequireSeek) c_->pos = CursorState::Pos::kInvalid;
  return c_->last();
}
Status BtCursor::next() { return c_->next(); }
Status BtCursor::prev() { return c_->prev(); }
bool BtCursor::eof() const { return c_->pos == CursorState::Pos::kInvalid; }
bool BtCursor::needs_restore() const { return c_->pos == CursorState::Pos::kRequireSeek; }
Status BtCursor::restore(bool* still_there) { return c_->restore_position(still_there); }

Result<SeekResult> BtCursor::seek_rowid(int64_t rowid) {
  if (c_->pos == CursorState::Pos::kRequireSeek) c_->pos = CursorState::Pos::kInvalid;
  int res = 0;
  KEEL_RETURN_IF_ERROR(c_->seek_rowid(rowid, &res));
  return static_cast<SeekResult>(res < 0 ? -1 : res > 0 ? 1 : 0);
}

Result<SeekResult> BtCursor::seek_key(const KeyComparator& probe) {
  if (c_->pos == CursorState::Pos::kRequireSeek) c_->pos = CursorState::Pos::kInvalid;
  int res = 0;
  KEEL_RETURN_IF_ERROR(c_->seek_key(probe, &res));
  return static_cast<SeekResult>(res < 0 ? -1 : res > 0 ? 1 : 0);
}

int64_t BtCursor::rowid() const {
  if (c_->pos == CursorState::Pos::kRequireSeek) return c_->saved_rowid;
  if (!c_->ensure_info().ok()) return 0;
  return c_->info.key;
}

uint32_t BtCursor::payload_size() const {
  if (!c_->ensure_info().ok()) return 0;
  return c_->info.payload_size;
}

std::span<const uint8_t> BtCursor::payload_local() const {
  if (!c_->ensure_info().ok()) return {};
  return {c_->info.payload, c_->info.local};
}

void BtCursor::set_readahead(uint32_t bytes) { c_->readahead_bytes = bytes; }

Status BtCursor::read_payload(uint32_t offset, uint32_t n, uint8_t* buf) {
  return c_->read_payload(offset, n, buf);
}

Status BtCursor::insert(int64_t rowid, std::span<const uint8_t> data, InsertHint hint) {
  static const uint8_t kEmpty[1] = {0};
  const uint8_t* d = data.data() ? data.data() : kEmpty;
  return c_->insert(rowid, nullptr, d, static_cast<uint32_t>(data.size()), hint, nullptr);
}

void BtCursor::set_bulk_load(bool on) { c_->bulk_load = on; }

Status BtCursor::insert_key(std::span<const uint8_t> key, InsertHint hint, const KeyComparator* probe) {
  static const uint8_t kEmpty[1] = {0};
  const uint8_t* k = key.data() ? key.data() : kEmpty;
  return c_->insert(0, k, k, static_cast<uint32_t>(key.size()), hint, probe);
}

Status BtCursor::remove() { return c_->remove(); }

Result<int64_t> BtCursor::count() {
  int64_t n = 0;
  KEEL_RETURN_IF_ERROR(c_->count(&n));
  return n;
}

int64_t BtCursor::row_count_estimate() const {
  const bt::CursorState& c = *c_;
  if (c.pos != bt::CursorState::Pos::kValid || c.depth < 0 || !c.pages[c.depth].leaf) return -1;
  int64_t n = c.pages[c.depth].ncell;
  for (int i = 0; i < c.depth; i++) n *= c.pages[i].ncell;
  return n;
}

}  // namespace keel::storage
