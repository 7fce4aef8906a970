// The 100-byte database header at the start of page 1: field offsets, the
// defaults the pager writes when it creates a database, and the checks it
// applies on open. See kernel/storage/pager/FORMAT.md for the table.
//
// The pager owns page size (16), versions (18/19), reserved bytes (20), change
// counter (24), database size (28), version-valid-for (92) and SQLite version
// number (96); it writes the rest only once, when the file is created. All
// integers are big-endian.
#pragma once

#include <cstddef>
#include <cstdint>

#include "keel/status.hpp"

namespace keel::storage::dbheader {

using PageNo = uint32_t;

inline constexpr size_t kSize = 100;
// "SQLite format 3" followed by a NUL byte.
inline constexpr uint8_t kMagic[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f',
                                       'o', 'r', 'm', 'a', 't', ' ', '3', 0};

inline constexpr size_t kOffMagic = 0;
inline constexpr size_t kOffPageSize = 16;           // u16; 1 means 65536
inline constexpr size_t kOffWriteVersion = 18;       // 1 legacy (rollback), 2 WAL
inline constexpr size_t kOffReadVersion = 19;        // 1 legacy (rollback), 2 WAL
inline constexpr size_t kOffReservedBytes = 20;      // per-page codec space
inline constexpr size_t kOffMaxPayloadFrac = 21;     // must be 64
inline constexpr size_t kOffMinPayloadFrac = 22;     // must be 32
inline constexpr size_t kOffLeafPayloadFrac = 23;    // must be 32
inline constexpr size_t kOffChangeCounter = 24;      // u32
inline constexpr size_t kOffDbSize = 28;             // u32, pages ("in-header database size")
inline constexpr size_t kOffFreelistTrunk = 32;      // u32 (btree)
inline constexpr size_t kOffFreelistCount = 36;      // u32 (btree)
inline constexpr size_t kOffSchemaCookie = 40;       // u32 (btree)
inline constexpr size_t kOffSchemaFormat = 44;       // u32 (btree), 4 by default
inline constexpr size_t kOffDefaultCacheSize = 48;   // u32 (btree)
inline constexpr size_t kOffAutoVacuumTop = 52;      // u32 (btree), 0 = no auto-vacuum
inline constexpr size_t kOffTextEncoding = 56;       // u32 (btree), 1 UTF-8
inline constexpr size_t kOffUserVersion = 60;        // u32 (btree)
inline constexpr size_t kOffIncrVacuum = 64;         // u32 (btree)
inline constexpr size_t kOffApplicationId = 68;      // u32 (btree)
inline constexpr size_t kOffReservedExpansion = 72;  // 20 zero bytes
inline constexpr size_t kOffVersionValidFor = 92;    // u32 = change counter at last write
inline constexpr size_t kOffSqliteVersion = 96;      // u32, SQLITE_VERSION_NUMBER of last writer

inline constexpr uint8_t kMaxPayloadFrac = 64;
inline constexpr uint8_t kMinPayloadFrac = 32;
inline constexpr uint8_t kLeafPayloadFrac = 32;
inline constexpr uint32_t kDefaultSchemaFormat = 4;
inline constexpr uint32_t kTextEncodingUtf8 = 1;
inline constexpr uint32_t kMinPageSize = 512;
inline constexpr uint32_t kMaxPageSize = 65536;
inline constexpr uint32_t kMinUsableSize = 480;
// Offset of the lock bytes: the page holding it (the "pending-byte page") is
// never used by the database.
inline constexpr uint64_t kPendingByte = 0x40000000;

inline bool valid_page_size(uint32_t n) {
  return n >= kMinPageSize && n <= kMaxPageSize && (n & (n - 1)) == 0;
}
inline PageNo pending_byte_page(uint32_t page_size) {
  return static_cast<PageNo>(kPendingByte / page_size) + 1;
}

// Page size stored at offset 16 (1 -> 65536); 0 if the stored value is invalid.
uint32_t read_page_size(const uint8_t* header);
void write_page_size(uint8_t* header, uint32_t page_size);

// Writes a complete header for a new, empty database into the first 100
// bytes of page 1: SQLite's defaults, database size 1, change counter 0.
void write_new(uint8_t* header, uint32_t page_size, uint8_t reserved_bytes, uint8_t file_format);

// Checks magic, page size, payload fractions, versions, usable size.
// rc::kNotADb "file is not a database" on failure. A read version above 2 (a
// module's format) passes only with module_format_ok.
Status validate(const uint8_t* header, bool module_format_ok = false);

// The database size in pages per SQLite's rule: the in-header size (28) when
// it is nonzero and version-valid-for (92) equals the change counter (24),
// else the size derived from the file. rc::kCorrupt if the header claims more
// pages than the file (or log) holds.
Result<PageNo> page_count(const uint8_t* header, PageNo file_pages);

// Stamps a commit in rollback-journal modes and in WAL commits touching page
// 1: change counter + 1, version-valid-for = change counter, SQLite version
// number, database size.
void stamp_commit(uint8_t* header, PageNo db_pages);

}  // namespace keel::storage::dbheader
