// The b-tree half of PRAGMA integrity_check, after SQLite 3.40's
// sqlite3BtreeIntegrityCheck: every page referenced exactly once, tree pages
// well formed (cell bounds, no overlapping cells or freeblocks, fragment
// count), rowids in order, equal depth of subtrees, overflow chain lengths,
// freelist size, pointer-map entries, and no page left unused. Messages use
// SQLite's wording and prefixes.
#include <algorithm>
#include <cstdarg>
#include <cstdio>

#include "storage/btree/btree_internal.h"

namespace keel::storage {

using namespace bt;

namespace {

struct Checker {
  Checker(BtShared& shared, PageNo pages, int max) : s(shared), npage(pages), max_errors(max) {}
  BtShared& s;
  PageNo npage;
  std::vector<uint8_t> seen;
  std::vector<std::string> errors;
  int max_errors;
  std::string prefix;
  // Index key order: the tree's KeyOrder (or null) and the smallest key seen
  // so far (cells are visited from the largest down).
  const KeyOrder* order = nullptr;
  std::vector<uint8_t> upper;
  bool have_upper = false;
  std::vector<uint8_t> key;

  // Whole payload of a cell; false if the overflow chain cannot be read
  // (check_list reports that).
  bool read_key(const uint8_t* cell, const CellInfo& ci) {
    key.assign(ci.payload, ci.payload + ci.local);
    if (!ci.overflows()) return true;
    PageNo pg = get_u32(cell + ci.size - 4);
    uint32_t per = s.usable - 4;
    while (key.size() < ci.payload_size) {
      if (pg < 2 || pg > npage) return false;
      auto r = s.pager->get(pg);
      if (!r.ok()) return false;
      uint32_t take = std::min<uint32_t>(per, ci.payload_size - static_cast<uint32_t>(key.size()));
      key.insert(key.end(), r->data() + 4, r->data() + 4 + take);
      pg = get_u32(r->data());
    }
    return true;
  }

  bool full() const { return static_cast<int>(errors.size()) >= max_errors; }

  void msg(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
    if (full()) return;
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    errors.push_back(prefix + buf);
  }

  // Marks a page used; true (with a message) when it is invalid or seen.
  bool check_ref(PageNo p) {
    if (p == 0 || p > npage) {
      msg("invalid page number %d", static_cast<int>(p));
      return true;
    }
    if (seen[p]) {
      msg("2nd reference to page %d", static_cast<int>(p));
      return true;
    }
    seen[p] = 1;
    return false;
  }

  void check_ptrmap(PageNo child, uint8_t type, PageNo parent) {
    uint8_t t = 0;
    PageNo par = 0;
    if (!ptrmap_get(s, child, &t, &par).ok()) {
      msg("Failed to read ptrmap key=%d", static_cast<int>(child));
      return;
    }
    if (t != type || par != parent) {
      msg("Bad ptr map entry key=%d expected=(%d,%d) got=(%d,%d)", static_cast<int>(child), type,
          static_cast<int>(parent), t, static_cast<int>(par));
    }
  }

  void check_list(bool freelist, PageNo page, uint32_t n) {
    uint32_t expected = n;
    size_t errs_at_start = errors.size();
    int64_t remaining = n;
    while (page != 0 && !full()) {
      if (check_ref(page)) break;
      remaining--;
      auto r = s.pager->get(page);
      if (!r.ok()) {
        msg("failed to get page %d", static_cast<int>(page));
        break;
      }
      const uint8_t* d = r->data();
      if (freelist) {
        uint32_t k = get_u32(d + 4);
        if (s.auto_vacuum) check_ptrmap(page, kPtrmapFree, 0);
        if (k > s.usable / 4 - 2) {
          msg("freelist leaf count too big on page %d", static_cast<int>(page));
          remaining--;
        } else {
          for (uint32_t i = 0; i < k; i++) {
            PageNo leaf = get_u32(d + 8 + i * 4);
            if (s.auto_vacuum) check_ptrmap(leaf, kPtrmapFree, 0);
            check_ref(leaf);
          }
          remaining -= k;
        }
      } else if (s.auto_vacuum && remaining > 0) {
        check_ptrmap(get_u32(d), kPtrmapOverflow2, page);
      }
      page = get_u32(d);
    }
    if (remaining != 0 && errs_at_start == errors.size()) {
      msg("%s is %d but should be %d", freelist ? "size" : "overflow list length",
          static_cast<int>(expected - remaining), static_cast<int>(expected));
    }
  }

  // Returns the depth of the subtree (leaf = 1), or 0 after an error that
  // stopped the walk. *min_key gets the smallest rowid seen.
  // `cell` is the caller's current cell index, which SQLite's messages
  // inherit until this page sets its own (its "v2").
  int check_tree(PageNo pgno, int64_t* min_key, int64_t max_key, int level, int cell) {
    if (pgno == 0) return 0;
    if (check_ref(pgno)) return 0;
    if (level > kMaxDepth * 2) return 0;
    std::string saved = prefix;
    char pfx[64];
    std::snprintf(pfx, sizeof pfx, "Page %u: ", pgno);
    prefix = pfx;
    MemPage p;
    Status st = get_page(s, pgno, p);
    if (!st.ok()) {
      if (st.is(rc::kCorrupt)) {
        msg("btreeInitPage() returns error code %d", rc::kCorrupt);
      } else {
        msg("unable to get the page. error code=%d", st.code());
      }
      prefix = saved;
      return 0;
    }
    if (!compute_free_space(p).ok()) {
      msg("free space corruption");
      prefix = saved;
      return 0;
    }
    const uint8_t* d = p.data;
    uint32_t usable = s.usable;
    uint32_t content = get_u16(d + p.hdr + 5);
    if (content == 0) content = 65536;
    int ncell = p.ncell;
    bool coverage = true;
    bool key_can_equal = true;
    bool right_prefix = false;
    int depth = -1;
    std::vector<std::pair<uint32_t, uint32_t>> spans;  // [start, end] byte ranges
    if (!p.leaf) {
      PageNo right = p.right_child();
      std::snprintf(pfx, sizeof pfx, "On tree page %u cell %d: ", pgno, cell);
      prefix = pfx;
      if (s.auto_vacuum) {
        std::snprintf(pfx, sizeof pfx, "On page %u at right child: ", pgno);
        prefix = pfx;
        check_ptrmap(right, kPtrmapBtree, pgno);
      }
      depth = check_tree(right, &max_key, max_key, level + 1, cell);
      key_can_equal = false;
      // SQLite keeps the right-child prefix for the cells of this page
      // under auto-vacuum (it restores it after the recursion).
      right_prefix = s.auto_vacuum;
    }
    for (int i = ncell - 1; i >= 0 && !full(); i--) {
      if (right_prefix) {
        std::snprintf(pfx, sizeof pfx, "On page %u at right child: ", pgno);
      } else {
        std::snprintf(pfx, sizeof pfx, "On tree page %u cell %d: ", pgno, i);
      }
      prefix = pfx;
      uint32_t pc = get_u16(d + p.cell_offset + 2 * i);
      if (pc < content || pc > usable - 4) {
        msg("Offset %d out of range %d..%d", static_cast<int>(pc), static_cast<int>(content),
            static_cast<int>(usable - 4));
        coverage = false;
        continue;
      }
      CellInfo ci;
      if (!parse_cell(p, d + pc, &ci).ok()) {
        msg("Extends off end of page");
        coverage = false;
        continue;
      }
      if (p.intkey) {
        if (key_can_equal ? ci.key > max_key : ci.key >= max_key) {
          msg("Rowid %lld out of order", static_cast<long long>(ci.key));
        }
        max_key = ci.key;
        key_can_equal = false;
      } else if (order != nullptr && read_key(d + pc, ci)) {
        if (have_upper && order->compare_keys(key.data(), key.size(), upper.data(), upper.size()) >= 0) {
          msg("Index key out of order");
        }
        upper.swap(key);
        have_upper = true;
      }
      if (ci.overflows()) {
        uint32_t npg = (ci.payload_size - ci.local + usable - 5) / (usable - 4);
        PageNo first = get_u32(d + pc + ci.size - 4);
        if (s.auto_vacuum) check_ptrmap(first, kPtrmapOverflow1, pgno);
        check_list(false, first, npg);
      }
      if (!p.leaf) {
        PageNo child = get_u32(d + pc);
        if (s.auto_vacuum) check_ptrmap(child, kPtrmapBtree, pgno);
        int d2 = check_tree(child, &max_key, max_key, level + 1, i);
        key_can_equal = false;
        if (d2 != depth) {
          msg("Child page depth differs");
          depth = d2;
        }
      }
      spans.emplace_back(pc, pc + ci.size - 1);
    }
    *min_key = max_key;
    prefix.clear();
    if (coverage && !full()) {
      uint32_t fb = get_u16(d + p.hdr + 1);
      while (fb > 0 && fb <= usable - 4) {
        uint32_t size = get_u16(d + fb + 2);
        spans.emplace_back(fb, fb + size - 1);
        uint32_t next = get_u16(d + fb);
        if (next != 0 && next <= fb + size) break;  // compute_free_space vetted the list
        fb = next;
      }
      std::sort(spans.begin(), spans.end());
      uint32_t nfrag = 0;
      uint32_t prev = content - 1;
      // As SQLite's heap walk: an overlap stops it; the fragment count is
      // still checked when the overlapping range was the last one.
      size_t pulled = 0;
      for (auto& [a, b] : spans) {
        pulled++;
        if (prev >= a) {
          msg("Multiple uses for byte %u of page %u", a, pgno);
          break;
        }
        nfrag += a - prev - 1;
        prev = b;
      }
      if (pulled == spans.size()) {
        nfrag += usable - prev - 1;
        if (nfrag != d[p.hdr + 7]) {
          msg("Fragmentation of %d bytes reported as %d on page %u", static_cast<int>(nfrag), d[p.hdr + 7],
              pgno);
        }
      }
    }
    prefix = saved;
    return depth + 1;
  }
};

}  // namespace

Result<std::vector<std::string>> Btree::integrity_check(std::span<const PageNo> roots, int max_errors,
                                                        std::span<const KeyOrder* const> orders) {
  BtShared& s = *s_;
  Checker ck(s, s.npage(), max_errors);
  if (ck.npage == 0) return std::vector<std::string>{};
  ck.seen.assign(size_t{ck.npage} + 1, 0);
  if (s.pending_page() <= ck.npage) ck.seen[s.pending_page()] = 1;
  PageRef p1;
  KEEL_RETURN_IF_ERROR(get_page1(s, &p1, false));
  const uint8_t* h = p1.data();
  ck.prefix = "Main freelist: ";
  ck.check_list(true, get_u32(h + kHdrFreelistTrunk), get_u32(h + kHdrFreelistCount));
  ck.prefix.clear();
  if (s.auto_vacuum) {
    PageNo mx = 0;
    for (PageNo r : roots) mx = std::max(mx, r);
    PageNo in_hdr = get_u32(h + kHdrLargestRoot);
    if (mx != in_hdr)
      ck.msg("max rootpage (%d) disagrees with header (%d)", static_cast<int>(mx), static_cast<int>(in_hdr));
  } else if (get_u32(h + kHdrIncrVacuum) != 0) {
    ck.msg("incremental_vacuum enabled with a max rootpage of zero");
  }
  p1.release();
  for (const PageNo& r : roots) {
    if (ck.full()) break;
    if (r == 0) continue;
    if (s.auto_vacuum && r > 1) ck.check_ptrmap(r, kPtrmapRoot, 0);
    int64_t unused;
    size_t at = static_cast<size_t>(&r - roots.data());
    ck.order = at < orders.size() ? orders[at] : nullptr;
    ck.have_upper = false;
    ck.check_tree(r, &unused, INT64_MAX, 0, 0);
  }
  for (PageNo i = 1; i <= ck.npage && !ck.full(); i++) {
    bool is_map = s.auto_vacuum && ptrmap_pageno(s, i) == i;
    if (!ck.seen[i] && !is_map) ck.msg("Page %d is never used", static_cast<int>(i));
    if (ck.seen[i] && is_map) ck.msg("Pointer map page %d is referenced", static_cast<int>(i));
  }
  return std::move(ck.errors);
}

}  // namespace keel::storage
