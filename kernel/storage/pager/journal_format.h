// SQLite's rollback journal file format (<db>-journal), byte for byte, so a
// journal Keel leaves behind is rolled back by SQLite and vice versa. See
// FORMAT.md for the layout; every integer is big-endian.
//
//   header (one sector, repeated after each spill):
//     0  8  magic d9 d5 05 f9 20 a1 63 d7
//     8  4  nRec: records after this header; 0xffffffff = "up to end of file"
//    12  4  checksum nonce (random per header)
//    16  4  database size in pages before the transaction
//    20  4  sector size (header padding unit)
//    24  4  page size
//    28 ..  zeros up to the sector size
//   record: page number (4) | page image (page size, as stored in the db
//           file, i.e. codec-encoded) | checksum (4)
//   optional super-journal trailer at the very end:
//     page number = pending-byte page | name | name length (4) |
//     name checksum (4) | magic (8)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.hpp"
#include "os/vfs.h"

namespace keel::storage::journal {

inline constexpr uint8_t kMagic[8] = {0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7};
inline constexpr uint32_t kHeaderFields = 28;  // bytes of the header that carry data
inline constexpr uint32_t kNRecToEof = 0xffffffffu;
inline constexpr uint32_t kMinSector = 32;
inline constexpr uint32_t kMaxSector = 0x10000;
inline constexpr uint32_t kSuperTrailer = 16;  // name length + checksum + magic

struct Header {
  uint32_t n_rec = 0;
  uint32_t cksum_init = 0;
  uint32_t orig_pages = 0;
  uint32_t sector_size = 512;
  uint32_t page_size = 0;
};

// Fills the first 28 bytes of `out`; with `with_magic` false the magic and
// nRec are zeros (written later, after the records are synced, as SQLite does
// when the journal is synced).
void encode_header(uint8_t* out, const Header& h, bool with_magic);
// Parses the 28 header bytes; false if the magic does not match.
bool decode_header(const uint8_t* in, Header* h);

inline uint64_t record_size(uint32_t page_size) { return uint64_t{page_size} + 8; }
// SQLite's pager_cksum(): the nonce plus every 200th byte, from the end.
uint32_t checksum(uint32_t cksum_init, const uint8_t* page, uint32_t page_size);

// Offset of the next header: `offset` rounded up to a multiple of sector.
inline uint64_t next_header_offset(uint64_t offset, uint32_t sector) {
  return offset == 0 ? 0 : ((offset - 1) / sector + 1) * sector;
}

// The sector size a journal header records, as SQLite's sqlite3SectorSize():
// the device's, clamped to [32, 65536], or 512 when overwrites are powersafe.
uint32_t sector_size_for(const os::VfsFile& db_file);

// The checksum SQLite stores after a super-journal name.
uint32_t super_checksum(std::string_view name);
// The trailer a journal of a multi-database commit ends with (SQLite's
// writeSuperJournal): pending-byte page number, name, length, checksum, magic.
std::vector<uint8_t> encode_super_trailer(std::string_view name, uint32_t pending_page);

// Reads the super-journal name at the end of a journal; empty if none.
Result<std::string> read_super_journal(os::VfsFile& jfd);

}  // namespace keel::storage::journal
