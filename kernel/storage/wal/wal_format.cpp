#include "storage/wal/wal_format.h"

#include <cstring>

#include "base/bytes.h"

namespace keel::storage::wal {

void checksum(bool native, const uint8_t* data, size_t n, const uint32_t in[2], uint32_t out[2]) {
  uint32_t s0 = in ? in[0] : 0;
  uint32_t s1 = in ? in[1] : 0;
  const uint8_t* end = data + n;
  if (native) {
    for (const uint8_t* p = data; p < end; p += 8) {
      uint32_t x0, x1;
      std::memcpy(&x0, p, 4);
      std::memcpy(&x1, p + 4, 4);
      s0 += x0 + s1;
      s1 += x1 + s0;
    }
  } else {
    for (const uint8_t* p = data; p < end; p += 8) {
      uint32_t x0, x1;
      std::memcpy(&x0, p, 4);
      std::memcpy(&x1, p + 4, 4);
      x0 = __builtin_bswap32(x0);
      x1 = __builtin_bswap32(x1);
      s0 += x0 + s1;
      s1 += x1 + s0;
    }
  }
  out[0] = s0;
  out[1] = s1;
}

void encode_wal_header(uint32_t page_size, uint32_t checkpoint_seq, const uint8_t salt[8],
                       uint8_t out[kWalHeaderSize], uint32_t cksum_out[2]) {
  put_u32(out, kWalMagic | (kHostBigEndian ? 1u : 0u));
  put_u32(out + 4, kWalVersion);
  put_u32(out + 8, page_size);
  put_u32(out + 12, checkpoint_seq);
  std::memcpy(out + 16, salt, 8);
  checksum(true, out, 24, nullptr, cksum_out);
  put_u32(out + 24, cksum_out[0]);
  put_u32(out + 28, cksum_out[1]);
}

bool decode_wal_header(const uint8_t in[kWalHeaderSize], WalHeader* out, bool* version_ok) {
  *version_ok = true;
  out->magic = get_u32(in);
  out->version = get_u32(in + 4);
  out->page_size = get_u32(in + 8);
  out->checkpoint_seq = get_u32(in + 12);
  std::memcpy(out->salt, in + 16, 8);
  if ((out->magic & 0xfffffffe) != kWalMagic || !valid_page_size(out->page_size)) return false;
  checksum(native_checksum(out->magic & 1), in, 24, nullptr, out->cksum);
  if (out->cksum[0] != get_u32(in + 24) || out->cksum[1] != get_u32(in + 28)) return false;
  *version_ok = out->version == kWalVersion;
  return true;
}

void encode_frame(bool native, const uint8_t salt[8], uint32_t page_no, uint32_t db_size, const uint8_t* page,
                  uint32_t page_size, uint32_t cksum[2], uint8_t out[kFrameHeaderSize]) {
  put_u32(out, page_no);
  put_u32(out + 4, db_size);
  std::memcpy(out + 8, salt, 8);
  checksum(native, out, 8, cksum, cksum);
  checksum(native, page, page_size, cksum, cksum);
  put_u32(out + 16, cksum[0]);
  put_u32(out + 20, cksum[1]);
}

bool decode_frame(bool native, const uint8_t salt[8], const uint8_t hdr[kFrameHeaderSize],
                  const uint8_t* page, uint32_t page_size, uint32_t cksum[2], uint32_t* page_no,
                  uint32_t* db_size) {
  if (std::memcmp(salt, hdr + 8, 8) != 0) return false;
  uint32_t pgno = get_u32(hdr);
  if (pgno == 0) return false;
  uint32_t c[2];
  checksum(native, hdr, 8, cksum, c);
  checksum(native, page, page_size, c, c);
  if (c[0] != get_u32(hdr + 16) || c[1] != get_u32(hdr + 20)) return false;
  cksum[0] = c[0];
  cksum[1] = c[1];
  *page_no = pgno;
  *db_size = get_u32(hdr + 4);
  return true;
}

}  // namespace keel::storage::wal
