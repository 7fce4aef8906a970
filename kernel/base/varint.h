// SQLite's variable-length integer: 1 to 9 bytes, big-endian. Bytes 1..8 carry
// 7 bits each with the high bit set meaning "more follows"; a 9th byte, if
// reached, carries a full 8 bits. Values are unsigned 64-bit; signed values
// (rowids) are stored as their two's-complement bit pattern.
#pragma once

#include <cstddef>
#include <cstdint>

namespace keel {

inline constexpr int kMaxVarintLen = 9;

// Decodes the varint at p into *v and returns its length (1..9). Reads at most
// 9 bytes; callers reading untrusted bytes near a buffer end use
// get_varint_bounded.
inline int get_varint(const uint8_t* p, uint64_t* v) {
  if (p[0] < 0x80) {
    *v = p[0];
    return 1;
  }
  if (p[1] < 0x80) {
    *v = (uint64_t{p[0] & 0x7fu} << 7) | p[1];
    return 2;
  }
  uint64_t x = 0;
  for (int i = 0; i < 8; i++) {
    x = (x << 7) | (p[i] & 0x7f);
    if (p[i] < 0x80) {
      *v = x;
      return i + 1;
    }
  }
  *v = (x << 8) | p[8];
  return 9;
}

// As get_varint, but never reads at or past `end`. Returns 0 when the varint
// is cut off by `end` (a corrupt record).
int get_varint_bounded(const uint8_t* p, const uint8_t* end, uint64_t* v);

// Decodes a varint known to fit in 32 bits (header sizes, serial types);
// larger values are clamped to 0xffffffff so corrupt input stays detectable.
inline int get_varint32(const uint8_t* p, uint32_t* v) {
  if (p[0] < 0x80) {
    *v = p[0];
    return 1;
  }
  uint64_t x;
  int n = get_varint(p, &x);
  *v = x > 0xffffffffu ? 0xffffffffu : static_cast<uint32_t>(x);
  return n;
}

// Number of bytes put_varint will write for v.
inline int varint_len(uint64_t v) {
  int n = 1;
  if (v > 0x00ffffffffffffffull) return 9;
  while (v > 0x7f) {
    v >>= 7;
    n++;
  }
  return n;
}

// Writes v at p and returns the number of bytes written (1..9).
int put_varint(uint8_t* p, uint64_t v);

}  // namespace keel
