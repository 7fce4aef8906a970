// Mutations for the corruption fuzzer; see mutator.h.
#include "mutator.h"

#include <algorithm>
#include <cstring>

namespace keel::fuzz {
namespace {

constexpr size_t kWalHeader = 32;
constexpr size_t kFrameHeader = 24;

uint32_t get4(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}
void put4(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

class Mutator {
 public:
  Mutator(MutatedCase& c, const FileMap& map, std::mt19937_64& rng) : c_(c), map_(map), rng_(rng) {}

  void one() {
    // Weights: structure-aimed damage is the most useful, so most common.
    static const int kWeights[] = {
        6,   // truncate
        8,   // random bytes
        30,  // aimed bit flip / interesting value
        5,   // page swap
        6,   // page copy
        4,   // zero page
        12,  // header field
        2,   // append garbage
        12,  // WAL damage
    };
    int total = 0;
    for (int w : kWeights) total += w;
    int pick = static_cast<int>(rng_() % static_cast<uint64_t>(total));
    int which = 0;
    while (pick >= kWeights[which]) pick -= kWeights[which++];
    switch (which) {
      case 0:
        truncate();
        break;
      case 1:
        random_bytes();
        break;
      case 2:
        aimed();
        break;
      case 3:
        page_swap();
        break;
      case 4:
        page_copy();
        break;
      case 5:
        zero_page();
        break;
      case 6:
        header_field();
        break;
      case 7:
        append();
        break;
      default:
        if (!c_.journal.empty() && (c_.wal.empty() || rnd(2))) {
          journal_damage();
        } else if (!c_.wal.empty()) {
          wal_damage();
        } else {
          aimed();
        }
    }
  }

 private:
  uint64_t rnd(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  void note(const std::string& s) {
    if (!c_.description.empty()) c_.description += "; ";
    c_.description += s;
  }
  uint32_t pages() const {
    return static_cast<uint32_t>(c_.db.size() / std::max<uint32_t>(map_.page_size, 1));
  }

  // A value likely to hit an edge: 0, 1, the page itself, a random existing
  // page, just past the end, or huge.
  uint32_t interesting_page(uint32_t self) {
    switch (rnd(8)) {
      case 0:
        return 0;
      case 1:
        return 1;
      case 2:
        return self;
      case 3:
        return pages() + 1;
      case 4:
        return 0xFFFFFFFFu;
      case 5:
        return 0x7FFFFFFFu;
      default:
        return 1 + static_cast<uint32_t>(rnd(std::max<uint32_t>(pages(), 1)));
    }
  }

  void truncate() {
    if (c_.db.empty()) return;
    size_t at = rnd(2) && map_.page_size ? map_.page_size * rnd(pages() + 1) : rnd(c_.db.size() + 1);
    c_.db.resize(at);
    note("truncate db to " + std::to_string(at));
  }

  void random_bytes() {
    if (c_.db.empty()) return;
    int n = 1 + static_cast<int>(rnd(16));
    bool run = rnd(3) == 0;
    size_t at = rnd(c_.db.size());
    for (int i = 0; i < n; i++) {
      size_t off = run ? at + i : rnd(c_.db.size());
      if (off < c_.db.size()) c_.db[off] = static_cast<uint8_t>(rng_());
    }
    note(std::to_string(n) + (run ? " random bytes at " + std::to_string(at) : " random bytes"));
  }

  void aimed() {
    if (map_.regions.empty() || c_.db.empty()) return random_bytes();
    // Choose a kind first, so rare kinds (freelist, ptrmap) get their share.
    std::vector<const Region*> candidates;
    RegionKind kind = RegionKind::kDbHeader;
    for (int tries = 0; tries < 8 && candidates.empty(); tries++) {
      kind = static_cast<RegionKind>(rnd(static_cast<int>(RegionKind::kCount)));
      candidates = map_.of(kind);
    }
    if (candidates.empty()) return random_bytes();
    const Region& r = *candidates[rnd(candidates.size())];
    if (r.offset + r.length > c_.db.size()) return;
    uint8_t* p = &c_.db[r.offset];
    uint32_t self = map_.page_size ? r.offset / map_.page_size + 1 : 0;
    std::string what = "kind " + std::to_string(static_cast<int>(kind)) + " @" + std::to_string(r.offset);
    if (r.length == 4 && rnd(2)) {
      uint32_t v = interesting_page(self);
      put4(p, v);
      note("set " + what + " = " + std::to_string(v));
    } else if (r.length == 2 && rnd(2)) {
      static const uint16_t kVals[] = {0, 1, 7, 8, 99, 100, 0x7FFF, 0xFFFF, 0xFFFE};
      uint16_t v = rnd(3) ? kVals[rnd(9)] : static_cast<uint16_t>(rnd(map_.page_size + 16));
      p[0] = static_cast<uint8_t>(v >> 8);
      p[1] = static_cast<uint8_t>(v);
      note("set " + what + " = " + std::to_string(v));
    } else if (rnd(4) == 0) {
      static const uint8_t kBytes[] = {0x00, 0xFF, 0x7F, 0x80, 0x81, 0x01, 0x0D, 0x05, 0x0A, 0x02};
      uint32_t i = static_cast<uint32_t>(rnd(r.length));
      p[i] = kBytes[rnd(sizeof kBytes)];
      note("byte " + what + "+" + std::to_string(i) + " = " + std::to_string(p[i]));
    } else {
      uint32_t bit = static_cast<uint32_t>(rnd(r.length * 8));
      p[bit / 8] ^= static_cast<uint8_t>(0x80 >> (bit % 8));
      note("flip " + what + " bit " + std::to_string(bit));
    }
  }

  uint32_t random_page(bool allow_first) {
    uint32_t n = pages();
    if (n == 0) return 0;
    if (!allow_first && n == 1) return 0;
    // Prefer b-tree pages: their damage reaches the most code.
    if (!map_.tree_pages.empty() && rnd(2)) {
      uint32_t p = map_.tree_pages[rnd(map_.tree_pages.size())];
      if (p <= n && (allow_first || p != 1)) return p;
    }
    return allow_first ? 1 + static_cast<uint32_t>(rnd(n)) : 2 + static_cast<uint32_t>(rnd(n - 1));
  }

  uint8_t* page(uint32_t n) { return &c_.db[static_cast<size_t>(n - 1) * map_.page_size]; }

  void page_swap() {
    uint32_t a = random_page(rnd(8) == 0), b = random_page(false);
    if (a == 0 || b == 0 || a == b) return;
    std::swap_ranges(page(a), page(a) + map_.page_size, page(b));
    note("swap pages " + std::to_string(a) + "," + std::to_string(b));
  }

  void page_copy() {
    uint32_t from = random_page(false), to = random_page(false);
    if (from == 0 || to == 0 || from == to) return;
    std::memcpy(page(to), page(from), map_.page_size);
    note("copy page " + std::to_string(from) + " over " + std::to_string(to));
  }

  void zero_page() {
    uint32_t p = random_page(false);
    if (p == 0) return;
    std::memset(page(p), 0, map_.page_size);
    note("zero page " + std::to_string(p));
  }

  void header_field() {
    if (c_.db.size() < 100) return truncate();
    uint8_t* h = c_.db.data();
    switch (rnd(12)) {
      case 0: {  // page size
        static const uint16_t kSizes[] = {0,    1,    2,    256,  511,   512,   1024,
                                          1000, 2048, 4096, 8192, 32768, 0xFFFF};
        uint16_t v = kSizes[rnd(sizeof kSizes / sizeof kSizes[0])];
        h[16] = static_cast<uint8_t>(v >> 8);
        h[17] = static_cast<uint8_t>(v);
        note("page size field = " + std::to_string(v));
        break;
      }
      case 1: {  // database size; with a matching version-valid-for it is trusted
        uint32_t v = interesting_page(pages());
        if (rnd(2)) v = pages() + static_cast<uint32_t>(rnd(64)) - 32;
        put4(h + 28, v);
        if (rnd(2)) std::memcpy(h + 92, h + 24, 4);
        note("db size field = " + std::to_string(v));
        break;
      }
      case 2:
        put4(h + 32, interesting_page(1));
        note("freelist trunk field");
        break;
      case 3:
        put4(h + 36, static_cast<uint32_t>(rnd(2) ? rnd(pages() + 3) : rng_()));
        note("freelist count field");
        break;
      case 4:
        h[20] = static_cast<uint8_t>(rnd(2) ? rnd(40) : rng_());
        note("reserved bytes = " + std::to_string(h[20]));
        break;
      case 5:
        put4(h + 44, static_cast<uint32_t>(rnd(7)));
        note("schema format field");
        break;
      case 6:
        h[18 + rnd(2)] = static_cast<uint8_t>(rnd(4));
        note("read/write version");
        break;
      case 7:
        put4(h + 52, rnd(2) ? 0 : interesting_page(2));
        note("largest root (auto_vacuum) field");
        break;
      case 8:
        put4(h + 64, static_cast<uint32_t>(rnd(3)));
        note("incremental vacuum field");
        break;
      case 9:
        put4(h + 56, static_cast<uint32_t>(rnd(5)));
        note("text encoding field");
        break;
      case 10:
        h[21 + rnd(3)] = static_cast<uint8_t>(rng_());
        note("payload fraction field");
        break;
      default:
        std::memset(h, 0, 16 - rnd(3));
        note("magic damaged");
        break;
    }
  }

  void append() {
    size_t n = rnd(2) && map_.page_size ? map_.page_size : 1 + rnd(700);
    for (size_t i = 0; i < n; i++) c_.db.push_back(static_cast<uint8_t>(rnd(4) ? rng_() : 0));
    note("append " + std::to_string(n) + " bytes");
  }

  // A rollback journal: a 28-byte header (magic, record count, checksum
  // nonce, original page count, sector size, page size) padded to a sector,
  // then records of page number, page image and checksum.
  void journal_damage() {
    std::vector<uint8_t>& j = c_.journal;
    if (j.size() < 28) return;
    uint32_t sector = get4(&j[20]);
    uint32_t ps = get4(&j[24]);
    size_t first = sector >= 512 && sector <= 65536 ? sector : 512;
    size_t rec = ps >= 512 && ps <= 65536 ? ps + 8 : 0;
    size_t nrec = rec && j.size() > first ? (j.size() - first) / rec : 0;
    switch (rnd(6)) {
      case 0:
        j.resize(rnd(j.size() + 1));
        note("truncate journal to " + std::to_string(j.size()));
        break;
      case 1: {
        static const uint32_t kVals[] = {0, 1, 2, 0xFFFFFFFFu, 0x7FFFFFFFu, 512, 1024, 65536, 65537, 100000};
        size_t field = 8 + 4 * rnd(5);  // count, nonce, db size, sector size, page size
        uint32_t v = rnd(2) ? kVals[rnd(sizeof kVals / sizeof kVals[0])] : get4(&j[field]) ^ (1u << rnd(32));
        put4(&j[field], v);
        note("journal header @" + std::to_string(field) + " = " + std::to_string(v));
        break;
      }
      case 2: {
        if (!nrec) return;
        size_t r = first + rec * rnd(nrec);
        put4(&j[r], interesting_page(get4(&j[r])));
        note("journal record page number @" + std::to_string(r));
        break;
      }
      case 3: {  // damage a page image; the record checksum only samples it
        if (!nrec) return;
        size_t r = first + rec * rnd(nrec) + 4;
        int n = 1 + static_cast<int>(rnd(8));
        for (int i = 0; i < n; i++) {
          size_t off = r + (rnd(2) ? rnd(std::min<size_t>(ps, 140)) : rnd(ps));
          j[off] = static_cast<uint8_t>(rng_());
        }
        note("journal page image damaged");
        break;
      }
      case 4: {
        size_t i = rnd(j.size());
        j[i] ^= static_cast<uint8_t>(1u << rnd(8));
        note("journal bit flip @" + std::to_string(i));
        break;
      }
      default:
        std::memset(j.data(), 0, 8 + rnd(2) * 4);
        note("journal magic zeroed");
    }
  }

  void wal_damage() {
    std::vector<uint8_t>& w = c_.wal;
    uint32_t ps = w.size() >= kWalHeader ? get4(&w[8]) : 0;
    size_t frame = kFrameHeader + ps;
    size_t frames = ps >= 512 && w.size() > kWalHeader ? (w.size() - kWalHeader) / frame : 0;
    bool fix = rnd(2) == 0;
    switch (rnd(6)) {
      case 0: {
        size_t at = frames && rnd(2) ? kWalHeader + frame * rnd(frames + 1) + rnd(2) * 7 : rnd(w.size() + 1);
        w.resize(std::min(at, w.size()));
        note("truncate wal to " + std::to_string(w.size()));
        fix = false;
        break;
      }
      case 1: {
        size_t i = rnd(kWalHeader);
        if (i < w.size()) w[i] ^= static_cast<uint8_t>(1u << rnd(8));
        note("flip wal header byte " + std::to_string(i));
        break;
      }
      case 2: {  // frame header: page number or commit size
        if (!frames) return;
        size_t f = rnd(frames);
        uint8_t* p = &w[kWalHeader + f * frame];
        if (rnd(2)) {
          put4(p, interesting_page(get4(p)));
        } else {
          put4(p + 4, rnd(2) ? 0 : interesting_page(get4(p + 4)));
        }
        note("frame " + std::to_string(f) + " header edited");
        break;
      }
      case 3:
      case 4: {  // frame body: a b-tree page image in the WAL
        if (!frames) return;
        size_t f = rnd(frames);
        uint8_t* body = &w[kWalHeader + f * frame + kFrameHeader];
        int n = 1 + static_cast<int>(rnd(6));
        for (int i = 0; i < n; i++) {
          // Bias to the page header and cell pointer array.
          size_t off = rnd(2) ? rnd(std::min<size_t>(ps, 140)) : rnd(ps);
          body[off] = rnd(2) ? static_cast<uint8_t>(rng_()) : body[off] ^ static_cast<uint8_t>(1u << rnd(8));
        }
        note("frame " + std::to_string(f) + " body damaged");
        break;
      }
      default: {  // duplicate a frame elsewhere
        if (frames < 2) return;
        size_t a = rnd(frames), b = rnd(frames);
        std::memcpy(&w[kWalHeader + b * frame], &w[kWalHeader + a * frame], frame);
        note("frame " + std::to_string(a) + " copied over " + std::to_string(b));
      }
    }
    if (fix) {
      fix_wal_checksums(w);
      note("wal checksums fixed");
    }
  }

  MutatedCase& c_;
  const FileMap& map_;
  std::mt19937_64& rng_;
};

void wal_checksum(const uint8_t* p, size_t n, bool big_endian, uint32_t* s0, uint32_t* s1) {
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint32_t x0, x1;
    if (big_endian) {
      x0 = get4(p + i);
      x1 = get4(p + i + 4);
    } else {
      x0 = static_cast<uint32_t>(p[i]) | static_cast<uint32_t>(p[i + 1]) << 8 |
           static_cast<uint32_t>(p[i + 2]) << 16 | static_cast<uint32_t>(p[i + 3]) << 24;
      x1 = static_cast<uint32_t>(p[i + 4]) | static_cast<uint32_t>(p[i + 5]) << 8 |
           static_cast<uint32_t>(p[i + 6]) << 16 | static_cast<uint32_t>(p[i + 7]) << 24;
    }
    *s0 += x0 + *s1;
    *s1 += x1 + *s0;
  }
}

}  // namespace

void fix_wal_checksums(std::vector<uint8_t>& w) {
  if (w.size() < kWalHeader) return;
  uint32_t magic = get4(&w[0]);
  if ((magic & 0xFFFFFFFEu) != 0x377f0682u) return;
  bool big = magic & 1;
  uint32_t ps = get4(&w[8]);
  if (ps < 512 || ps > 65536 || (ps & (ps - 1)) != 0) return;
  uint32_t s0 = 0, s1 = 0;
  wal_checksum(w.data(), 24, big, &s0, &s1);
  put4(&w[24], s0);
  put4(&w[28], s1);
  size_t frame = kFrameHeader + ps;
  for (size_t off = kWalHeader; off + frame <= w.size(); off += frame) {
    uint8_t* f = &w[off];
    std::memcpy(f + 8, &w[16], 8);  // salts must match the header
    wal_checksum(f, 8, big, &s0, &s1);
    wal_checksum(f + kFrameHeader, ps, big, &s0, &s1);
    put4(f + 16, s0);
    put4(f + 20, s1);
  }
}

MutatedCase mutate(const std::vector<uint8_t>& db, const std::vector<uint8_t>& wal,
                   const std::vector<uint8_t>& journal, const FileMap& map, std::mt19937_64& rng) {
  MutatedCase c{db, wal, journal, {}};
  Mutator m(c, map, rng);
  int n = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < n; i++) m.one();
  return c;
}

std::vector<uint8_t> random_file(std::mt19937_64& rng) {
  static const size_t kSizes[] = {0, 1, 50, 99, 100, 101, 511, 512, 1024, 1536, 4096, 8192, 20000};
  size_t n = rng() % 3 ? kSizes[rng() % (sizeof kSizes / sizeof kSizes[0])] : rng() % 70000;
  std::vector<uint8_t> f(n);
  for (auto& b : f) b = static_cast<uint8_t>(rng() % 4 ? rng() : 0);
  int style = static_cast<int>(rng() % 3);
  if (style >= 1 && n >= 16) std::memcpy(f.data(), "SQLite format 3", 16);
  if (style == 2 && n >= 100) {
    // A plausible header: page size, versions 1, payload fractions, small
    // counts, so the noise reaches the b-tree code.
    static const uint16_t kSizes2[] = {512, 1024, 4096};
    uint16_t ps = kSizes2[rng() % 3];
    f[16] = static_cast<uint8_t>(ps >> 8);
    f[17] = static_cast<uint8_t>(ps);
    f[18] = f[19] = 1;
    f[20] = 0;
    f[21] = 64;
    f[22] = 32;
    f[23] = 32;
    put4(&f[28], static_cast<uint32_t>(n / ps + rng() % 3));
    std::memcpy(&f[92], &f[24], 4);
    put4(&f[32], static_cast<uint32_t>(rng() % 6));
    put4(&f[36], static_cast<uint32_t>(rng() % 6));
    put4(&f[44], 4);
    put4(&f[56], 1);
    static const uint8_t kTypes[] = {2, 5, 10, 13};
    if (n > 100) f[100] = kTypes[rng() % 4];
    for (size_t p = ps; p + 1 < n; p += ps) f[p] = kTypes[rng() % 4];
  }
  return f;
}

}  // namespace keel::fuzz
