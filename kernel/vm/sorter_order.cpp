// The sorter's record order: compare_records, with SQLite's sorter fast
// paths on a pre-decoded first column, and the in-memory merge sort.
//
// Why the fast paths are exact: compare_record decides on the first column
// whenever it differs, negating the result for DESC (NULLS flags only
// matter when a NULL is involved, and the fast kinds are never NULL). Two
// integers compare as int64, two reals as doubles (a NaN is read as NULL,
// so it is never kReal), and two BINARY texts by memcmp-then-length, which
// the big-endian zero-padded first 8 bytes reproduce whenever they differ.
// NOCASE text (not a SQLite fast path) works the same on ASCII-folded bytes,
// provided the first 8 bytes hold no NUL: sqlite3StrNICmp stops at a NUL, so
// such texts are left to the full comparison. When the prefixes are equal
// the full comparison runs from column 0.
#include <algorithm>
#include <cstring>

#include "base/bytes.h"
#include "base/varint.h"
#include "keel/result_code.hpp"
#include "vm/record.h"
#include "vm/sorter_internal.h"

namespace keel::vm::sorter {
namespace {

// vdbeRecordDecodeInt for serial types 1..6, 8, 9 (len bytes are available).
int64_t decode_int(uint32_t t, const uint8_t* p) {
  switch (t) {
    case 1:
      return static_cast<int8_t>(p[0]);
    case 2:
      return static_cast<int16_t>(get_u16(p));
    case 3: {
      int64_t x = static_cast<int64_t>(get_u24(p));
      return (x & 0x800000) ? x - 0x1000000 : x;
    }
    case 4:
      return static_cast<int32_t>(get_u32(p));
    case 5: {
      uint64_t x = (uint64_t{get_u16(p)} << 32) | get_u32(p + 2);
      return static_cast<int64_t>(x << 16) >> 16;
    }
    case 6:
      return static_cast<int64_t>(get_u64(p));
    default:
      return static_cast<int64_t>(t) - 8;  // 8 -> 0, 9 -> 1
  }
}

template <typename T>
int sign3(T a, T b) {
  return a < b ? -1 : (a > b ? 1 : 0);
}

}  // namespace

RecordOrder::RecordOrder(const KeyInfo& ki) : ki_(ki) {
  // compare_records unpacks n_all_field columns, or 16 when it is unset.
  n_unpack_ = ki.n_all_field ? ki.n_all_field : 16;
  const Collation* c0 = ki.collation(0);
  text_mode_ = kNoText;
  if (ki.n_all_field >= 1) {
    if (c0 == nullptr || c0 == binary_collation()) text_mode_ = kBinaryText;
    if (c0 == nocase_collation()) text_mode_ = kNocaseText;
  }
  dir0_ = (ki.flags(0) & kSortDesc) ? -1 : 1;
}

void RecordOrder::init_cache(UnpackedCache& c) const {
  c.src = nullptr;
  c.n = 0;
  if (c.fields.size() < n_unpack_) c.fields.resize(n_unpack_);
}

SortKey RecordOrder::make_key(const uint8_t* rec, uint32_t len) const {
  SortKey k;
  k.rec = rec;
  k.len = len;
  if (len == 0) return k;
  // One-byte varints (short headers, every serial type below 128) are the
  // common case; take them without the bounded decoder's call.
  uint64_t hdr;
  int hl = rec[0] < 0x80 ? (hdr = rec[0], 1) : get_varint_bounded(rec, rec + len, &hdr);
  if (hl == 0 || hdr > len || static_cast<uint64_t>(hl) >= hdr) return k;
  uint64_t st;
  if (rec[hl] < 0x80) {
    st = rec[hl];
  } else if (get_varint_bounded(rec + hl, rec + hdr, &st) == 0 || st > 0xffffffffu) {
    return k;
  }
  uint32_t t = static_cast<uint32_t>(st);
  uint32_t n = serial_type_len(t);
  if (hdr + n > len) return k;
  const uint8_t* body = rec + hdr;
  if ((t >= 1 && t <= 6) || t == 8 || t == 9) {
    k.kind = SortKey::kInt;
    k.prefix = static_cast<uint64_t>(decode_int(t, body));
  } else if (t == 7) {
    uint64_t bits = get_u64(body);
    double d;
    std::memcpy(&d, &bits, 8);
    if (d == d) {  // a NaN reads as NULL: leave it to the full comparison
      k.kind = SortKey::kReal;
      k.prefix = bits;
    }
  } else if (t >= 13 && (t & 1) && text_mode_ != kNoText) {
    uint8_t pad[8] = {};
    size_t m = std::min<size_t>(n, 8);
    std::memcpy(pad, body, m);
    if (text_mode_ == kNocaseText) {
      for (size_t i = 0; i < m; i++) {
        if (pad[i] == 0) return k;
        pad[i] = ascii_tolower(pad[i]);
      }
    }
    k.kind = SortKey::kText;
    k.prefix = get_u64(pad);
  }
  return k;
}

int RecordOrder::compare(const SortKey& a, const SortKey& b, UnpackedCache& b_cache) {
  if (a.kind == b.kind && a.kind != SortKey::kOther) {
    int c;
    switch (a.kind) {
      case SortKey::kInt:
        c = sign3(static_cast<int64_t>(a.prefix), static_cast<int64_t>(b.prefix));
        break;
      case SortKey::kReal: {
        double x, y;
        std::memcpy(&x, &a.prefix, 8);
        std::memcpy(&y, &b.prefix, 8);
        c = sign3(x, y);
        break;
      }
      default:
        c = sign3(a.prefix, b.prefix);
        break;
    }
    if (c != 0) return c * dir0_;
  }
  return compare_slow(a, b, b_cache);
}

int RecordOrder::compare_slow(const SortKey& a, const SortKey& b, UnpackedCache& b_cache) {
  if (b_cache.src != b.rec) {
    size_t n = unpack_record(b.rec, b.len, std::span<Value>(b_cache.fields.data(), n_unpack_));
    if (n == 0) {
      b_cache.src = nullptr;
      err_ = rc::kCorrupt;
      return 0;
    }
    b_cache.src = b.rec;
    b_cache.n = static_cast<uint16_t>(n);
  }
  UnpackedRecord probe;
  probe.key_info = &ki_;
  probe.fields = b_cache.fields.data();
  probe.n_field = b_cache.n;
  probe.default_rc = 0;
  int c = compare_record(a.rec, a.len, probe);
  if (probe.err_code) err_ = rc::kCorrupt;
  return c;
}

// Bottom-up merge sort: insertion sort on short runs (the element being
// inserted is the cached side), then passes that merge pairs of runs
// between `keys` and `tmp`. In a merge the right-hand record stays the
// cached one until it is taken, as in vdbesort.c's vdbeSorterMerge. Taking
// the left record on ties keeps the sort stable.
void sort_keys(std::vector<SortKey>& keys, std::vector<SortKey>& tmp, RecordOrder& order) {
  const size_t n = keys.size();
  if (n < 2) return;
  UnpackedCache cache;
  order.init_cache(cache);
  constexpr size_t kRun = 8;
  for (size_t lo = 0; lo < n; lo += kRun) {
    size_t hi = std::min(n, lo + kRun);
    for (size_t i = lo + 1; i < hi; i++) {
      SortKey x = keys[i];
      size_t j = i;
      while (j > lo && order.compare(keys[j - 1], x, cache) > 0) {
        keys[j] = keys[j - 1];
        j--;
      }
      keys[j] = x;
    }
  }
  if (n <= kRun) return;
  tmp.resize(n);
  SortKey* src = keys.data();
  SortKey* dst = tmp.data();
  for (size_t width = kRun; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = std::min(n, lo + width);
      size_t hi = std::min(n, lo + 2 * width);
      size_t i = lo, j = mid, o = lo;
      cache.src = nullptr;
      while (i < mid && j < hi) {
        if (order.compare(src[i], src[j], cache) <= 0) {
          dst[o++] = src[i++];
        } else {
          dst[o++] = src[j++];
        }
      }
      while (i < mid) dst[o++] = src[i++];
      while (j < hi) dst[o++] = src[j++];
    }
    std::swap(src, dst);
  }
  if (src != keys.data()) std::copy(src, src + n, keys.data());
}

}  // namespace keel::vm::sorter
