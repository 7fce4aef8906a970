// sqlite3MemCompare and sqlite3BlobCompare (vdbeaux.c).
#include "vm/value_compare.h"

#include <algorithm>
#include <cstring>

#include "vm/numeric.h"

namespace keel::vm {
namespace {

bool all_zero(std::span<const uint8_t> b) {
  for (uint8_t c : b)
    if (c) return false;
  return true;
}

int sign_of(int64_t d) { return d < 0 ? -1 : (d > 0 ? 1 : 0); }

}  // namespace

int compare_blobs(const Value& a, const Value& b) {
  if (a.is_zeroblob() || b.is_zeroblob()) {
    int64_t na = static_cast<int64_t>(a.size());
    int64_t nb = static_cast<int64_t>(b.size());
    if (a.is_zeroblob() && b.is_zeroblob()) return sign_of(na - nb);
    if (a.is_zeroblob()) {
      if (!all_zero(b.blob())) return -1;
      return sign_of(na - nb);
    }
    if (!all_zero(a.blob())) return +1;
    return sign_of(na - nb);
  }
  size_t n1 = a.size();
  size_t n2 = b.size();
  size_t n = std::min(n1, n2);
  int c = n ? std::memcmp(a.data(), b.data(), n) : 0;
  if (c) return c;
  return n1 < n2 ? -1 : (n1 > n2 ? 1 : 0);
}

int compare_values(const Value& a, const Value& b, const Collation* coll) {
  ValueType ta = a.type();
  ValueType tb = b.type();
  if (ta == ValueType::kNull || tb == ValueType::kNull) {
    return (tb == ValueType::kNull) - (ta == ValueType::kNull);
  }
  bool na = a.is_number();
  bool nb = b.is_number();
  if (na || nb) {
    if (!nb) return -1;  // number < text/blob
    if (!na) return +1;
    if (ta == ValueType::kInteger) {
      if (tb == ValueType::kInteger) {
        int64_t x = a.int_value(), y = b.int_value();
        return x < y ? -1 : (x > y ? 1 : 0);
      }
      return int_float_compare(a.int_value(), b.real_value());
    }
    if (tb == ValueType::kInteger) return -int_float_compare(b.int_value(), a.real_value());
    double x = a.real_value(), y = b.real_value();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (ta == ValueType::kText || tb == ValueType::kText) {
    if (ta != ValueType::kText) return 1;  // blob > text
    if (tb != ValueType::kText) return -1;
    if (coll && coll != binary_collation()) return coll->compare(a.text(), b.text());
    // No collation: fall through to memcmp, as SQLite does.
  }
  return compare_blobs(a, b);
}

}  // namespace keel::vm
