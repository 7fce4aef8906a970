// Maps the structural bytes of a valid database file; see file_map.h.
// Formulas follow the SQLite file format document: a cell's local payload
// is all of it up to maxLocal, else minLocal + (P - minLocal) % (U - 4) when
// that fits under maxLocal, else minLocal, followed by a 4-byte overflow
// page number.
#include "file_map.h"

#include <algorithm>
#include <set>

namespace keel::fuzz {
namespace {

uint32_t get2(const uint8_t* p) { return static_cast<uint32_t>(p[0]) << 8 | p[1]; }
uint32_t get4(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}

// Reads a varint; returns its length.
int get_varint(const uint8_t* p, uint64_t* v) {
  uint64_t x = 0;
  for (int i = 0; i < 8; i++) {
    x = (x << 7) | (p[i] & 0x7f);
    if ((p[i] & 0x80) == 0) {
      *v = x;
      return i + 1;
    }
  }
  *v = (x << 8) | p[8];
  return 9;
}

class Mapper {
 public:
  Mapper(std::span<const uint8_t> db, FileMap& m) : db_(db), m_(m) {}

  void run() {
    if (db_.size() < 100) return;
    uint32_t ps = get2(&db_[16]);
    if (ps == 1) ps = 65536;
    if (ps < 512 || (ps & (ps - 1)) != 0) return;
    m_.page_size = ps;
    m_.page_count = static_cast<uint32_t>(db_.size() / ps);
    usable_ = ps - db_[20];
    // Header fields worth mutating, each with its width.
    const uint8_t fields[][2] = {{16, 2}, {18, 1}, {19, 1}, {20, 1}, {21, 1}, {22, 1}, {23, 1},
                                 {24, 4}, {28, 4}, {32, 4}, {36, 4}, {40, 4}, {44, 4}, {48, 4},
                                 {52, 4}, {56, 4}, {60, 4}, {64, 4}, {68, 4}, {92, 4}, {96, 4}};
    for (const auto& f : fields) add(RegionKind::kDbHeader, f[0], f[1]);
    walk_tree(1, 0, true);
    // Roots from sqlite_schema were collected while walking page 1's tree.
    for (size_t i = 0; i < roots_.size(); i++) walk_tree(roots_[i], 0);
    walk_freelist();
    walk_ptrmap();
  }

 private:
  const uint8_t* page(uint32_t n) const { return &db_[static_cast<size_t>(n - 1) * m_.page_size]; }
  size_t base(uint32_t n) const { return static_cast<size_t>(n - 1) * m_.page_size; }
  void add(RegionKind k, size_t off, uint32_t len) {
    m_.regions.push_back({k, static_cast<uint32_t>(off), len});
  }
  bool valid(uint32_t n) const { return n >= 1 && n <= m_.page_count; }

  void walk_tree(uint32_t pgno, int depth, bool schema = false) {
    if (!valid(pgno) || depth > 20 || !visited_.insert(pgno).second) return;
    m_.tree_pages.push_back(pgno);
    const uint8_t* p = page(pgno);
    size_t hdr = pgno == 1 ? 100 : 0;
    uint8_t type = p[hdr];
    bool leaf = type == 10 || type == 13;
    bool table = type == 5 || type == 13;
    if (type != 2 && type != 5 && type != 10 && type != 13) return;
    uint32_t hlen = leaf ? 8 : 12;
    add(RegionKind::kPageHeader, base(pgno) + hdr, hlen);
    uint32_t ncell = get2(p + hdr + 3);
    if (!leaf) {
      add(RegionKind::kChildPointer, base(pgno) + hdr + 8, 4);
      walk_tree(get4(p + hdr + 8), depth + 1, schema);
    }
    uint32_t max_local = table ? usable_ - 35 : (usable_ - 12) * 64 / 255 - 23;
    uint32_t min_local = (usable_ - 12) * 32 / 255 - 23;
    for (uint32_t i = 0; i < ncell; i++) {
      size_t ptr = hdr + hlen + 2 * i;
      if (ptr + 2 > m_.page_size) return;
      add(RegionKind::kCellPointer, base(pgno) + ptr, 2);
      uint32_t cell = get2(p + ptr);
      if (cell + 4 > m_.page_size) continue;
      const uint8_t* c = p + cell;
      size_t at = 0;
      if (!leaf) {
        add(RegionKind::kChildPointer, base(pgno) + cell, 4);
        walk_tree(get4(c), depth + 1, schema);
        at = 4;
      }
      if (table && !leaf) {
        uint64_t rowid;
        int n = get_varint(c + at, &rowid);
        add(RegionKind::kCellVarint, base(pgno) + cell + at, static_cast<uint32_t>(n));
        continue;
      }
      uint64_t payload;
      int n = get_varint(c + at, &payload);
      uint32_t vlen = static_cast<uint32_t>(n);
      at += static_cast<size_t>(n);
      if (table) {
        uint64_t rowid;
        int k = get_varint(c + at, &rowid);
        at += static_cast<size_t>(k);
        vlen += static_cast<uint32_t>(k);
      }
      add(RegionKind::kCellVarint, base(pgno) + cell + (leaf ? 0 : 4), vlen);
      uint32_t local = static_cast<uint32_t>(payload);
      if (payload > max_local) {
        uint32_t k = min_local + static_cast<uint32_t>((payload - min_local) % (usable_ - 4));
        local = k <= max_local ? k : min_local;
      }
      if (local > 0 && cell + at < m_.page_size) {
        uint64_t hsize;
        get_varint(c + at, &hsize);
        uint32_t h = static_cast<uint32_t>(std::min<uint64_t>(hsize, local));
        if (cell + at + h <= m_.page_size) add(RegionKind::kRecordHeader, base(pgno) + cell + at, h);
      }
      if (payload > local && cell + at + local + 4 <= m_.page_size) {
        size_t off = base(pgno) + cell + at + local;
        add(RegionKind::kOverflowPointer, off, 4);
        walk_overflow(get4(&db_[off]), payload - local);
      }
      if (schema && table && local >= 8) record_root(c + at, local);
    }
  }

  // Picks the rootpage column out of a sqlite_schema record.
  void record_root(const uint8_t* rec, uint32_t local) {
    uint64_t hsize;
    uint32_t h = static_cast<uint32_t>(get_varint(rec, &hsize));
    uint64_t body = hsize;
    for (int col = 0; col < 4 && h < hsize && h < local; col++) {
      uint64_t t;
      h += static_cast<uint32_t>(get_varint(rec + h, &t));
      uint64_t len = t >= 12 ? (t - 12) / 2 : (t == 7 ? 8 : t == 5 ? 6 : t == 6 ? 8 : t <= 4 ? t : 0);
      if (col == 3) {
        if (t >= 1 && t <= 4 && body + len <= local) {
          uint32_t v = 0;
          for (uint64_t i = 0; i < len; i++) v = (v << 8) | rec[body + i];
          roots_.push_back(v);
        }
        return;
      }
      body += len;
    }
  }

  void walk_overflow(uint32_t pgno, uint64_t remaining) {
    while (remaining > 0 && valid(pgno) && visited_.insert(pgno).second) {
      add(RegionKind::kOverflowNext, base(pgno), 4);
      uint64_t here = usable_ - 4;
      remaining = remaining > here ? remaining - here : 0;
      pgno = get4(page(pgno));
    }
  }

  void walk_freelist() {
    uint32_t trunk = get4(&db_[32]);
    while (valid(trunk) && visited_.insert(trunk).second) {
      const uint8_t* p = page(trunk);
      add(RegionKind::kFreelistTrunk, base(trunk), 4);
      add(RegionKind::kFreelistTrunk, base(trunk) + 4, 4);
      uint32_t n = get4(p + 4);
      for (uint32_t i = 0; i < n && 8 + 4 * i + 4 <= usable_; i++) {
        add(RegionKind::kFreelistTrunk, base(trunk) + 8 + 4 * i, 4);
      }
      trunk = get4(p);
    }
  }

  void walk_ptrmap() {
    if (get4(&db_[52]) == 0) return;
    uint32_t per = usable_ / 5;
    for (uint32_t pm = 2; valid(pm); pm += per + 1) {
      for (uint32_t i = 0; i < per && pm + 1 + i <= m_.page_count; i++) {
        add(RegionKind::kPtrmapEntry, base(pm) + 5 * i, 5);
      }
    }
  }

  std::span<const uint8_t> db_;
  FileMap& m_;
  uint32_t usable_ = 0;
  std::set<uint32_t> visited_;
  std::vector<uint32_t> roots_;
};

}  // namespace

std::vector<const Region*> FileMap::of(RegionKind kind) const {
  std::vector<const Region*> out;
  for (const Region& r : regions) {
    if (r.kind == kind) out.push_back(&r);
  }
  return out;
}

FileMap map_database(std::span<const uint8_t> db) {
  FileMap m;
  Mapper(db, m).run();
  return m;
}

}  // namespace keel::fuzz
