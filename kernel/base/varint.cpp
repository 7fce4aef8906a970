#include "base/varint.h"

namespace keel {

int get_varint_bounded(const uint8_t* p, const uint8_t* end, uint64_t* v) {
  if (end - p >= kMaxVarintLen) return get_varint(p, v);
  uint64_t x = 0;
  for (int i = 0; p + i < end; i++) {
    if (i == 8) {
      *v = (x << 8) | p[8];
      return 9;
    }
    x = (x << 7) | (p[i] & 0x7f);
    if (p[i] < 0x80) {
      *v = x;
      return i + 1;
    }
  }
  return 0;
}

int put_varint(uint8_t* p, uint64_t v) {
  if (v <= 0x7f) {
    p[0] = static_cast<uint8_t>(v);
    return 1;
  }
  if (v <= 0x3fff) {
    p[0] = static_cast<uint8_t>((v >> 7) | 0x80);
    p[1] = static_cast<uint8_t>(v & 0x7f);
    return 2;
  }
  if (v & 0xff00000000000000ull) {
    // Nine bytes: the last carries 8 bits, the first eight 7 bits each.
    p[8] = static_cast<uint8_t>(v);
    v >>= 8;
    for (int i = 7; i >= 0; i--) {
      p[i] = static_cast<uint8_t>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    return 9;
  }
  uint8_t buf[10];
  int n = 0;
  do {
    buf[n++] = static_cast<uint8_t>((v & 0x7f) | 0x80);
    v >>= 7;
  } while (v != 0);
  buf[0] &= 0x7f;
  for (int i = 0, j = n - 1; j >= 0; j--, i++) p[i] = buf[j];
  return n;
}

}  // namespace keel
