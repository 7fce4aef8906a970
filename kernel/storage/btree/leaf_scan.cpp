#include "storage/btree/leaf_scan.h"

#include <algorithm>

#include "storage/btree/btree_internal.h"

namespace keel::storage {

namespace {

constexpr int kMaxDepth = 20;  // SQLite's BTCURSOR_MAX_DEPTH
constexpr uint8_t kTableInterior = bt::kPtfIntKey | bt::kPtfLeafData;
constexpr uint8_t kTableLeaf = kTableInterior | bt::kPtfLeaf;

// Appends the children of interior page `pgno` (at `depth`, whose children
// are leaves when depth + 1 == leaf_depth) or their leaves.
Status collect(bt::BtShared& s, PageNo pgno, int depth, int leaf_depth, std::vector<PageNo>* leaves) {
  if (depth >= kMaxDepth) return KEEL_BT_CORRUPT();
  bt::MemPage p;
  KEEL_RETURN_IF_ERROR(bt::get_page(s, pgno, p));
  if (p.flags() != kTableInterior) return KEEL_BT_CORRUPT();
  for (int i = 0; i <= p.ncell; i++) {
    PageNo child;
    if (i < p.ncell) {
      uint32_t at = p.cell_ptr(i);
      if (at < p.cell_offset + 2u * p.ncell || at + 4 > p.usable) return KEEL_BT_CORRUPT();
      child = get_u32(p.data + at);
    } else {
      child = p.right_child();
    }
    if (child < 2 || child > s.npage()) return KEEL_BT_CORRUPT();
    if (depth + 1 == leaf_depth) {
      // Every leaf of a b-tree is at the same depth: the leaves are not
      // read here (the readers check their type when they load them).
      if (leaves->size() >= s.npage()) return KEEL_BT_CORRUPT();  // a page listed twice
      leaves->push_back(child);
    } else {
      KEEL_RETURN_IF_ERROR(collect(s, child, depth + 1, leaf_depth, leaves));
    }
  }
  return Status::Ok();
}

}  // namespace

Status table_leaves(Btree& btree, PageNo root, std::vector<PageNo>* leaves) {
  bt::BtShared& s = btree.shared();
  // The depth of the leaves, from the leftmost path.
  int leaf_depth = 0;
  for (PageNo pgno = root;; leaf_depth++) {
    if (leaf_depth >= kMaxDepth) return KEEL_BT_CORRUPT();
    bt::MemPage p;
    KEEL_RETURN_IF_ERROR(bt::get_page(s, pgno, p));
    if (p.flags() == kTableLeaf) break;
    if (p.flags() != kTableInterior) return KEEL_BT_CORRUPT();
    if (p.ncell == 0) {
      pgno = p.right_child();
    } else {
      uint32_t at = p.cell_ptr(0);
      if (at < p.cell_offset + 2u * p.ncell || at + 4 > p.usable) return KEEL_BT_CORRUPT();
      pgno = get_u32(p.data + at);
    }
    if (pgno < 2 || pgno > s.npage()) return KEEL_BT_CORRUPT();
  }
  if (leaf_depth == 0) {
    leaves->push_back(root);
    return Status::Ok();
  }
  return collect(s, root, 0, leaf_depth, leaves);
}

TableLeafReader::TableLeafReader(Btree& btree) : pager_(&btree.pager()), leaf_(std::make_unique<bt::MemPage>()) {
  bt::BtShared& s = btree.shared();
  usable_ = s.usable;
  // What parse_cell_in reads of a table leaf.
  leaf_->usable = s.usable;
  leaf_->leaf = true;
  leaf_->intkey = true;
  leaf_->intkey_leaf = true;
  leaf_->child_ptr_size = 0;
  leaf_->max_local = s.max_leaf;
  leaf_->min_local = s.min_leaf;
}

TableLeafReader::~TableLeafReader() = default;

Result<bool> TableLeafReader::load(PageNo pgno) {
  data_ = nullptr;
  ncell_ = 0;
  pinned_ = PageRef();
  const uint8_t* d = pager_->peek(pgno);
  if (d == nullptr) return false;
  KEEL_RETURN_IF_ERROR(parse(d, pgno));
  return true;
}

Status TableLeafReader::load_pinned(PageNo pgno) {
  data_ = nullptr;
  ncell_ = 0;
  pinned_ = PageRef();
  if (pgno < 1 || pgno > pager_->page_count()) return KEEL_BT_CORRUPT();
  KEEL_ASSIGN_OR_RETURN(pinned_, pager_->get(pgno));
  return parse(pinned_.data(), pgno);
}

Status TableLeafReader::parse(const uint8_t* d, PageNo pgno) {
  uint32_t hdr = pgno == 1 ? 100 : 0;
  if (d[hdr] != kTableLeaf) return KEEL_BT_CORRUPT();
  int n = get_u16(d + hdr + 3);
  if (hdr + 8 + 2u * static_cast<uint32_t>(n) > usable_) return KEEL_BT_CORRUPT();
  data_ = d;
  hdr_ = hdr;
  ncell_ = n;
  return Status::Ok();
}

Status TableLeafReader::cell(int i, Cell* out) const {
  uint32_t at = get_u16(data_ + hdr_ + 8 + 2 * i);
  if (at < hdr_ + 8 + 2u * static_cast<uint32_t>(ncell_) || at >= usable_) return KEEL_BT_CORRUPT();
  bt::CellInfo info;
  KEEL_RETURN_IF_ERROR(bt::parse_cell_in(*leaf_, data_, data_ + at, &info));
  out->rowid = info.key;
  out->payload_size = info.payload_size;
  out->local = std::span<const uint8_t>(info.payload, info.local);
  return Status::Ok();
}

void TableLeafReader::prefetch(int i, uint32_t bytes) const {
  if (data_ == nullptr || i >= ncell_) return;
  uint32_t at = get_u16(data_ + hdr_ + 8 + 2 * i);
  if (at >= usable_) return;
  uint32_t n = std::min(bytes, usable_ - at);
  for (uint32_t off = 0; off < n; off += 64) __builtin_prefetch(data_ + at + off, 0, 2);
}

}  // namespace keel::storage
