// The four cell formats and payload spilling.
//
//   table leaf (13):     varint payload-size, varint rowid, payload, [u32 overflow]
//   table interior (5):  u32 left-child, varint rowid
//   index leaf (10):     varint payload-size, payload, [u32 overflow]
//   index interior (2):  u32 left-child, varint payload-size, payload, [u32 overflow]
//
// How much payload stays on the page (U = usable size, P = payload size):
//   table leaf:      maxLocal = U-35,                 minLocal = (U-12)*32/255-23
//   index cells:     maxLocal = (U-12)*64/255-23,     minLocal = (U-12)*32/255-23
//   P <= maxLocal: all local. Otherwise K = minLocal + (P-minLocal) % (U-4);
//   local = K if K <= maxLocal else minLocal. A cell is never smaller than 4
//   bytes on the page (so it can become a freeblock when deleted).
#include "storage/btree/btree_internal.h"

namespace keel::storage::bt {

uint32_t local_payload(uint32_t payload, uint32_t max_local, uint32_t min_local, uint32_t usable) {
  if (payload <= max_local) return payload;
  uint32_t k = min_local + (payload - min_local) % (usable - 4);
  return k <= max_local ? k : min_local;
}

Status parse_cell_in(const MemPage& p, const uint8_t* base, const uint8_t* cell, CellInfo* info) {
  const uint8_t* end = base + p.usable;
  const uint8_t* q = cell + p.child_ptr_size;
  if (q >= end) return KEEL_BT_CORRUPT();
  if (p.intkey && !p.leaf) {
    uint64_t key;
    int n = varint_in(q, end, &key);
    if (n == 0) return KEEL_BT_CORRUPT();
    info->key = static_cast<int64_t>(key);
    info->payload = nullptr;
    info->payload_size = 0;
    info->local = 0;
    info->size = static_cast<uint16_t>(4 + n);
    return Status::Ok();
  }
  // The payload size is read as SQLite reads it: 7 bits per byte into a
  // 32-bit value, at most 9 bytes (a corrupt huge size wraps the same way).
  uint32_t nbytes = *q;
  if (nbytes >= 0x80) {
    nbytes &= 0x7f;
    const uint8_t* stop = q + 8;
    do {
      if (++q >= end) return KEEL_BT_CORRUPT();
      nbytes = (nbytes << 7) | (*q & 0x7f);
    } while (*q >= 0x80 && q < stop);
  }
  q++;
  int n;
  if (p.intkey) {
    uint64_t key;
    n = varint_in(q, end, &key);
    if (n == 0) return KEEL_BT_CORRUPT();
    q += n;
    info->key = static_cast<int64_t>(key);
  } else {
    info->key = static_cast<int64_t>(nbytes);
  }
  uint32_t payload = nbytes;
  info->payload = q;
  info->payload_size = payload;
  uint32_t header = static_cast<uint32_t>(q - cell);
  if (payload <= p.max_local) {
    info->local = payload;
    uint32_t size = header + payload;
    if (size < 4) size = 4;
    if (cell + size > end) return KEEL_BT_CORRUPT();
    info->size = static_cast<uint16_t>(size);
  } else {
    info->local = local_payload(payload, p.max_local, p.min_local, p.usable);
    uint32_t size = header + info->local + 4;
    if (cell + size > end) return KEEL_BT_CORRUPT();
    info->size = static_cast<uint16_t>(size);
  }
  return Status::Ok();
}

uint16_t cell_size_trusted(const MemPage& p, const uint8_t* cell) {
  // A trusted cell may live outside the page (overflow cells, scratch).
  const uint8_t* q = cell + p.child_ptr_size;
  if (p.intkey && !p.leaf) {
    uint64_t key;
    return static_cast<uint16_t>(4 + get_varint(q, &key));
  }
  uint64_t nbytes;
  q += get_varint(q, &nbytes);
  if (p.intkey) {
    uint64_t key;
    q += get_varint(q, &key);
  }
  uint32_t header = static_cast<uint32_t>(q - cell);
  uint32_t payload = nbytes;
  if (payload <= p.max_local) {
    uint32_t size = header + payload;
    return static_cast<uint16_t>(size < 4 ? 4 : size);
  }
  return static_cast<uint16_t>(header + local_payload(payload, p.max_local, p.min_local, p.usable) + 4);
}

}  // namespace keel::storage::bt
