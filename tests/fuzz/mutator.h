// Deterministic mutations of a valid database (and its WAL) for the
// corruption fuzzer. Each case applies one to four mutations chosen by the
// RNG from: truncation, random bytes, bit flips and "interesting values"
// aimed at structural bytes (via FileMap: page headers, cell pointers,
// varints, child/overflow pointers, freelist trunks, pointer-map entries),
// page swaps, page copies (which create cycles and double references),
// zeroed pages, header field edits (page size, database size, freelist,
// reserved bytes, schema format, versions), appended garbage, WAL damage
// (header, frame headers, frame bodies — with checksums left broken, or
// recomputed so the damaged frame is accepted) and hot-journal damage
// (header fields, page records, truncation).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "file_map.h"

namespace keel::fuzz {

struct MutatedCase {
  std::vector<uint8_t> db;
  std::vector<uint8_t> wal;
  std::vector<uint8_t> journal;
  std::string description;  // what was done, for failure reports
};

// Applies 1..4 mutations to (db, wal, journal) using `map` (of db) to aim them.
MutatedCase mutate(const std::vector<uint8_t>& db, const std::vector<uint8_t>& wal,
                   const std::vector<uint8_t>& journal, const FileMap& map, std::mt19937_64& rng);

// A file of random bytes: sometimes just noise, sometimes starting with the
// SQLite magic string or a whole plausible 100-byte header.
std::vector<uint8_t> random_file(std::mt19937_64& rng);

// Recomputes the WAL header checksum and every frame's checksum chain in
// place (SQLite's algorithm, in the byte order the magic number names), so
// a damaged frame still looks valid to recovery. The page size comes from
// the WAL header; a header with an impossible page size is left alone.
void fix_wal_checksums(std::vector<uint8_t>& wal);

}  // namespace keel::fuzz
