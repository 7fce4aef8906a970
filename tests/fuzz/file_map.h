// A map of where the structural bytes of a valid SQLite database file are,
// so the mutator can aim at them: page headers, cell pointer arrays, the
// varints opening each cell, child and overflow page pointers, overflow-page
// links, freelist trunk entries and pointer-map entries.
//
// The map is built by an independent, trusting parser of the file format
// (the file is a seed the sqlite3 CLI just wrote); it is never used on
// mutated bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace keel::fuzz {

enum class RegionKind : uint8_t {
  kDbHeader,         // a field of the 100-byte file header
  kPageHeader,       // the 8/12-byte b-tree page header
  kCellPointer,      // one 2-byte entry of a cell pointer array
  kCellVarint,       // the varints at the start of a cell (payload size, rowid)
  kRecordHeader,     // the record header at the start of a local payload
  kChildPointer,     // a 4-byte left-child or right-most pointer
  kOverflowPointer,  // the 4-byte first-overflow-page pointer of a cell
  kOverflowNext,     // the 4-byte next link of an overflow page
  kFreelistTrunk,    // next-trunk pointer, leaf count or a leaf entry
  kPtrmapEntry,      // one 5-byte pointer-map entry
  kCount
};

struct Region {
  RegionKind kind;
  uint32_t offset;  // in the file
  uint32_t length;
};

struct FileMap {
  uint32_t page_size = 0;
  uint32_t page_count = 0;
  std::vector<Region> regions;
  std::vector<uint32_t> tree_pages;  // b-tree pages, for page-level mutations
  // Regions of one kind.
  std::vector<const Region*> of(RegionKind kind) const;
};

// Maps a valid database image. Returns an empty map (page_size 0) if the
// bytes do not even look like a database.
FileMap map_database(std::span<const uint8_t> db);

}  // namespace keel::fuzz
