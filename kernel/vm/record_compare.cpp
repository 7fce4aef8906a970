// sqlite3VdbeRecordCompareWithSkip and its integer/string fast paths
// (vdbeaux.c), with explicit bounds checks where SQLite relies on padding
// after the cell: every read of the stored key is checked against its size.
#include "vm/record_compare.h"

#include <algorithm>
#include <cstring>

#include "base/bytes.h"
#include "base/varint.h"
#include "keel/result_code.hpp"
#include "vm/numeric.h"
#include "vm/record.h"
#include "vm/value_compare.h"

namespace keel::vm {
namespace {

bool all_zero(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return false;
  return true;
}

// vdbeRecordDecodeInt for serial types 1..6, 8, 9.
inline int64_t decode_int(uint32_t t, const uint8_t* p) {
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
      return static_cast<int64_t>(t) - 8;  // 8 → 0, 9 → 1
  }
}

double decode_real(const uint8_t* p) {
  uint64_t x = get_u64(p);
  double r;
  std::memcpy(&r, &x, 8);
  return r;
}

int sign_of(int64_t d) { return d < 0 ? -1 : (d > 0 ? 1 : 0); }

int corrupt(const UnpackedRecord& p) {
  p.err_code = rc::kCorrupt;
  return 0;
}

// Compares stored field (serial type t, body at body with `len` bytes
// available to it, already bounds-checked) against probe field rhs.
inline int compare_field(uint32_t t, const uint8_t* body, const Value& rhs, size_t i, const KeyInfo& ki,
                         const UnpackedRecord& p, bool* bad) {
  switch (rhs.type()) {
    case ValueType::kInteger: {
      if (t >= 10) return t == 10 ? -1 : +1;
      if (t == 0) return -1;
      if (t == 7) return -int_float_compare(rhs.int_value(), decode_real(body));
      int64_t lhs = decode_int(t, body);
      int64_t r = rhs.int_value();
      return lhs < r ? -1 : (lhs > r ? 1 : 0);
    }
    case ValueType::kReal: {
      if (t >= 10) return t == 10 ? -1 : +1;
      if (t == 0) return -1;
      double r = rhs.real_value();
      if (t == 7) {
        double l = decode_real(body);
        return l < r ? -1 : (l > r ? 1 : 0);
      }
      return int_float_compare(decode_int(t, body), r);
    }
    case ValueType::kText: {
      if (t < 12) return -1;
      if (!(t & 1)) return +1;
      size_t n = (t - 12) / 2;
      if (ki.n_all_field <= i) {
        *bad = true;
        return 0;
      }
      std::string_view lhs(reinterpret_cast<const char*>(body), n);
      if (const Collation* c = ki.collation(i)) return c->compare(lhs, rhs.text());
      return binary_compare(lhs, rhs.text());
    }
    case ValueType::kBlob: {
      if (t < 12 || (t & 1)) return -1;
      size_t n = (t - 12) / 2;
      if (rhs.is_zeroblob()) {
        if (!all_zero(body, n)) return 1;
        return sign_of(static_cast<int64_t>(n) - static_cast<int64_t>(rhs.size()));
      }
      size_t m = std::min(n, rhs.size());
      int c = m ? std::memcmp(body, rhs.data(), m) : 0;
      if (c) return c;
      return sign_of(static_cast<int64_t>(n) - static_cast<int64_t>(rhs.size()));
    }
    case ValueType::kNull:
      break;
  }
  (void)p;
  return (t != 0 && t != 10) ? 1 : 0;
}

}  // namespace

int compare_record(const uint8_t* key, size_t n_key, const UnpackedRecord& p) {
  const KeyInfo& ki = *p.key_info;
  // Fast path (SQLite's vdbeRecordCompareInt): an INTEGER probe against a
  // stored integer first field, ascending, decided by that field alone.
  if (n_key >= 3 && key[0] >= 2 && key[0] < 0x80 && key[1] >= 1 && key[1] <= 6 && p.n_field > 0 &&
      p.fields[0].is_int() && ki.flags(0) == 0) {
    uint32_t t = key[1];
    uint64_t d = key[0];
    if (d + serial_type_len(t) <= n_key) {
      int64_t lhs = decode_int(t, key + d);
      int64_t rhs = p.fields[0].int_value();
      if (lhs < rhs) return -1;
      if (lhs > rhs) return 1;
    }
  }
  const uint8_t* end = key + n_key;
  uint64_t sz_hdr;
  int hl;
  if (n_key && key[0] < 0x80) {  // headers under 128 bytes: the common case
    sz_hdr = key[0];
    hl = 1;
  } else {
    hl = n_key ? get_varint_bounded(key, end, &sz_hdr) : 0;
  }
  if (hl == 0 || sz_hdr > n_key) return corrupt(p);
  uint64_t idx1 = static_cast<uint64_t>(hl);
  uint64_t d1 = sz_hdr;
  if (idx1 >= sz_hdr || p.n_field == 0) return corrupt(p);
  const uint8_t* hdr_end = key + sz_hdr;
  size_t i = 0;
  while (true) {
    uint64_t st64;
    int vl;
    // Fast path: a one-byte serial type (every number, short strings).
    if (key[idx1] < 0x80) {
      st64 = key[idx1];
      vl = 1;
    } else {
      vl = varint_in(key + idx1, hdr_end, &st64);
      if (vl == 0) return corrupt(p);
    }
    uint32_t t = st64 > 0xffffffffu ? 0xffffffffu : static_cast<uint32_t>(st64);
    uint64_t len = serial_type_len(t);
    if (d1 + len > n_key) return corrupt(p);
    const Value& rhs = p.fields[i];
    bool bad = false;
    int rc = compare_field(t, key + d1, rhs, i, ki, p, &bad);
    if (bad) return corrupt(p);
    if (rc != 0) {
      uint8_t sf = ki.flags(i);
      if (sf) {
        bool nulls = t == 0 || rhs.is_null();
        if ((sf & kSortBigNull) == 0 || ((sf & kSortDesc) != 0) != nulls) rc = -rc;
      }
      return rc;
    }
    i++;
    if (i == p.n_field) break;
    d1 += len;
    idx1 += static_cast<uint64_t>(vl);
    if (idx1 >= sz_hdr) return corrupt(p);  // stored key has fewer fields than the probe
  }
  p.eq_seen = true;
  return p.default_rc;
}

int compare_keys(const Value* a, const Value* b, size_t n, const KeyInfo& ki) {
  for (size_t i = 0; i < n; i++) {
    int c = compare_values(a[i], b[i], ki.collation(i));
    if (c) {
      uint8_t sf = ki.flags(i);
      if ((sf & kSortBigNull) && (a[i].is_null() || b[i].is_null())) c = -c;
      if (sf & kSortDesc) c = -c;
      return c;
    }
  }
  return 0;
}

size_t unpack_record(const uint8_t* key, size_t n_key, std::span<Value> out) {
  const uint8_t* end = key + n_key;
  uint64_t sz_hdr;
  int hl = n_key ? get_varint_bounded(key, end, &sz_hdr) : 0;
  if (hl == 0 || sz_hdr > n_key) return 0;
  uint64_t idx = static_cast<uint64_t>(hl);
  uint64_t d = sz_hdr;
  size_t u = 0;
  while (idx < sz_hdr && u < out.size()) {
    uint64_t st;
    int vl = get_varint_bounded(key + idx, key + sz_hdr, &st);
    if (vl == 0) break;
    idx += static_cast<uint64_t>(vl);
    uint32_t t = st > 0xffffffffu ? 0xffffffffu : static_cast<uint32_t>(st);
    uint64_t len = serial_type_len(t);
    if (d + len > n_key) break;
    get_serial_value(key + d, t, out[u]);
    d += len;
    u++;
  }
  return u;
}

int compare_records(const uint8_t* a, size_t na, const uint8_t* b, size_t nb, const KeyInfo& ki, int* err) {
  constexpr size_t kInline = 16;
  size_t want = ki.n_all_field ? ki.n_all_field : kInline;
  Value inline_fields[kInline];
  std::vector<Value> heap_fields;
  std::span<Value> fields(inline_fields, kInline);
  if (want > kInline) {
    heap_fields.resize(want);
    fields = std::span<Value>(heap_fields);
  } else {
    fields = fields.first(want);
  }
  size_t n = unpack_record(b, nb, fields);
  *err = 0;
  if (n == 0) {
    *err = rc::kCorrupt;
    return 0;
  }
  UnpackedRecord probe;
  probe.key_info = &ki;
  probe.fields = fields.data();
  probe.n_field = static_cast<uint16_t>(n);
  probe.default_rc = 0;
  int rc = compare_record(a, na, probe);
  *err = probe.err_code;
  return rc;
}

}  // namespace keel::vm
