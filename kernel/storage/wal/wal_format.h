// The WAL file format: header, frame headers and the checksum, SQLite's
// byte for byte (see FORMAT.md in this folder for the prose).
//
//   WAL header (32 bytes, big-endian fields):
//     0 magic 0x377f0682 | 0x377f0683 (low bit 1: checksum words big-endian)
//     4 format version 3007000       8 page size
//    12 checkpoint sequence          16 salt-1     20 salt-2
//    24 checksum-1, 28 checksum-2 over bytes 0..23
//   Frame = 24-byte header + page image:
//     0 page number                  4 db size in pages after commit, else 0
//     8 salt-1, 12 salt-2 (copied from the WAL header)
//    16 checksum-1, 20 checksum-2: cumulative, seeded with the previous
//       frame's (or the WAL header's) checksum, over frame bytes 0..7 and the
//       page image.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace keel::storage::wal {

inline constexpr uint32_t kWalMagic = 0x377f0682;
inline constexpr uint32_t kWalVersion = 3007000;
inline constexpr uint32_t kWalHeaderSize = 32;
inline constexpr uint32_t kFrameHeaderSize = 24;
inline constexpr uint32_t kMinPageSize = 512;
inline constexpr uint32_t kMaxPageSize = 65536;

inline constexpr bool kHostBigEndian = std::endian::native == std::endian::big;

// Byte offset of frame `frame` (1-based) in the WAL file.
inline uint64_t frame_offset(uint32_t frame, uint32_t page_size) {
  return kWalHeaderSize + uint64_t{frame - 1} * (uint64_t{page_size} + kFrameHeaderSize);
}

inline bool valid_page_size(uint32_t sz) {
  return sz >= kMinPageSize && sz <= kMaxPageSize && (sz & (sz - 1)) == 0;
}

// SQLite's WAL checksum: for each pair of 32-bit words (x0, x1),
//   s0 += x0 + s1;  s1 += x1 + s0;
// starting from `in` (or {0,0}). Words are read in host order when `native`,
// byte-swapped otherwise. `n` must be a multiple of 8.
void checksum(bool native, const uint8_t* data, size_t n, const uint32_t in[2], uint32_t out[2]);

// Whether checksums over a log whose header says `big_end_cksum` use host-order words.
inline bool native_checksum(bool big_end_cksum) { return big_end_cksum == kHostBigEndian; }

struct WalHeader {
  uint32_t magic = 0;
  uint32_t version = 0;
  uint32_t page_size = 0;
  uint32_t checkpoint_seq = 0;
  uint8_t salt[8] = {};  // salt-1, salt-2 exactly as stored (big-endian)
  uint32_t cksum[2] = {};
};

// Writes a 32-byte header for a new log written by this host (magic chosen so
// checksums use host-order words) and returns its checksum in cksum_out.
void encode_wal_header(uint32_t page_size, uint32_t checkpoint_seq, const uint8_t salt[8],
                       uint8_t out[kWalHeaderSize], uint32_t cksum_out[2]);

// Parses and validates a header (magic, page size, checksum). Returns false
// when the header is not a usable WAL header; *version_ok is false when
// everything else is fine but the format version is unknown.
bool decode_wal_header(const uint8_t in[kWalHeaderSize], WalHeader* out, bool* version_ok);

// Fills a frame header for `page` and advances the running checksum `cksum`
// over the header's first 8 bytes and the page image.
void encode_frame(bool native, const uint8_t salt[8], uint32_t page_no, uint32_t db_size, const uint8_t* page,
                  uint32_t page_size, uint32_t cksum[2], uint8_t out[kFrameHeaderSize]);

// Validates a frame against the log's salts and the running checksum; on
// success advances `cksum` and returns the page number (never 0) and db size.
bool decode_frame(bool native, const uint8_t salt[8], const uint8_t hdr[kFrameHeaderSize],
                  const uint8_t* page, uint32_t page_size, uint32_t cksum[2], uint32_t* page_no,
                  uint32_t* db_size);

}  // namespace keel::storage::wal
