// The storage fuzz harness: opens one (possibly malformed) database file,
// with an optional WAL beside it, through the pager and the b-tree and
// exercises every read and write path a statement could take, checking that
// each call returns a Status whose code is acceptable for bad input.
//
// Shared by the bounded corruption fuzzer that runs in `make test`
// (storage_fuzz_test) and the libFuzzer entry point (fuzz_btree_file).
//
// What one case does, in order:
//   1. writes the bytes into the in-memory VFS (file, -wal, -journal) and
//      opens a Pager (which rolls a hot journal back or recovers the WAL)
//      and a Btree on them (read-write, create = false);
//   2. reads every meta value, walks sqlite_schema and decodes each schema
//      record, collecting the root page of every table and index;
//   3. for every tree (sqlite_schema included): walks it first->last with
//      next() and last->first with prev(), reads each payload whole (across
//      overflow pages) and decodes every column with vm::RecordReader,
//      seeks random and known keys, and counts the entries;
//   4. runs the b-tree integrity check over all roots;
//   5. in a write transaction: inserts and deletes a few rows in table and
//      index trees (some with overflow payloads), creates and drops a tree,
//      runs an incremental vacuum step, edits a meta value, and commits
//      (or rolls back, when anything failed or the RNG says so);
//   6. reopens the file and reads it again.
//
// Acceptable non-OK codes (anything else is a violation):
//   * SQLITE_CORRUPT and its extended codes — the file is malformed;
//   * SQLITE_NOTADB — the header is not an SQLite 3 header, or its page size
//     or versions are impossible;
//   * SQLITE_IOERR_SHORT_READ — a read ran past the end of a truncated file
//     where the layer reports it rather than zero-filling;
//   * SQLITE_CANTOPEN — only from Pager::open (file cannot be opened at all);
//   * SQLITE_FULL — a file would grow past what the VFS holds: while
//     writing (a header can claim a database near the page-number limit), or
//     when rolling back a hot journal whose header records a huge original
//     database size (the in-memory VFS caps files at 1 GiB, as SQLite's
//     memdb; rollback restores the file to the size the journal names);
//   * SQLITE_TOOBIG — only while writing: a payload too large for a cell.
// Each case is bounded: cursor walks stop after `max_steps` moves per tree,
// payloads larger than the database image are read in chunks, not decoded.
// A loop inside the storage layer (a cycle in a freelist or overflow chain)
// must be detected there; the test's watchdog turns a hang into a failure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace keel::fuzz {

struct FuzzInput {
  std::span<const uint8_t> db;
  std::span<const uint8_t> wal;      // empty = no -wal file
  std::span<const uint8_t> journal;  // empty = no -journal file (else a hot journal)
  uint64_t seed = 0;                 // drives the random seeks and writes
};

struct HarnessOptions {
  int max_steps = 20000;  // cursor moves per tree and direction
  int max_trees = 64;     // trees walked (beyond that, only the integrity check sees them)
  bool writes = true;     // run the write phase
};

struct FuzzReport {
  // One line per call that returned a code not acceptable for bad input.
  std::vector<std::string> violations;
  uint64_t operations = 0;          // calls made into the storage layer
  uint64_t corrupt = 0;             // calls that returned an acceptable error
  uint64_t integrity_messages = 0;  // problems the integrity check reported
  bool opened = false;              // Pager and Btree opened and a read began
  bool clean = false;               // no call failed and the integrity check was empty
};

// Runs one case. Never throws; a crash, hang or sanitizer report is a bug in
// the storage layer (or the harness).
FuzzReport run_case(const FuzzInput& input, const HarnessOptions& options = {});

// Splits a libFuzzer input into a database and an optional side file: byte 0
// bit 0 set and at least 5 bytes means bytes 1-4 (little-endian) give the
// database length, modulo what is left; the rest is the WAL, or the rollback
// journal when byte 0 bit 1 is set too.
FuzzInput split_fuzz_input(const uint8_t* data, size_t size);

}  // namespace keel::fuzz
