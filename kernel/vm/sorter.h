// Sorter: the VM's external merge sort (SQLite's VdbeSorter, vdbesort.c).
//
// Behind OP_SorterOpen / SorterInsert / SorterSort / SorterNext / SorterData
// / SorterCompare, which implement ORDER BY, GROUP BY, DISTINCT and CREATE
// INDEX. Input is a stream of SQLite records (see record.h); output is the
// same records in order, however much data there is:
//
//   1. add() copies records into large arena blocks and keeps a small key
//      per record (pointer, length, decoded first field). When the next
//      record would take the batch past memory_budget, the batch is sorted
//      in memory and written to a temporary file as one sorted run.
//   2. sort() sorts the last batch. If nothing was spilled, iteration walks
//      the in-memory array. Otherwise runs are merged 16 at a time, level by
//      level, until at most 16 sources remain (the last batch stays in memory
//      as one of them); the final merge is streamed by next().
//
// Order: exactly compare_records(a, b, key_info) (record_compare.h), i.e.
// the columns each record has, up to key_info.n_all_field (16 if that is
// 0), with the KeyInfo's collations and DESC / NULLS flags. The sort is
// stable, as SQLite's sorter is: records that compare equal come out in
// insertion order.
//
// Memory: about memory_budget for the batch (record bytes plus 48 bytes of
// bookkeeping per record), plus while merging one I/O buffer per merge input
// (memory_budget / 16, between 4 KiB and 256 KiB each) and one for output.
// stats().peak_memory reports what was actually held.
//
// Temporary files: anonymous files of `vfs` (empty path, delete_on_close,
// FileKind::kTempJournal), at most two open at once, closed by reset() and
// the destructor. Every VFS error is returned as the Status of the call that
// met it (an IOERR code, or CANTOPEN), and is sticky until reset(). Records
// read back from a temp file are checked like any bytes from disk: malformed
// ones give rc::kCorrupt, never a crash.
//
// Thread-safety: none; a Sorter belongs to one statement, run by one thread.
// SQLite can hand run sorting and merging to worker threads
// (SQLITE_CONFIG_WORKER_THREADS, off by default); Keel does not: the VM
// executes a statement on the calling thread, an embedded engine should not
// take cores its host did not give it, and with one thread every VFS error
// surfaces at the call that caused it and memory accounting is exact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "keel/status.hpp"
#include "os/vfs.h"
#include "vm/record_compare.h"

namespace keel::vm {

// What a Sorter did; for tests, EXPLAIN-style diagnostics and tuning.
struct SorterStats {
  uint64_t runs_spilled = 0;   // sorted batches written to a temp file
  uint64_t merge_levels = 0;   // intermediate merge passes (0: one final merge or none)
  uint64_t bytes_written = 0;  // bytes written to temp files, all levels
  size_t peak_memory = 0;      // most bytes held at once (arena, keys, I/O buffers)
};

// SQLite's sorter budget (mxPmaSize in vdbeSorterInit): the main database's
// page-cache size in bytes — cache_size pages of page_size, or -cache_size
// KiB when negative — capped at 512 MiB and at least 10 pages.
size_t sorter_memory_budget(uint32_t page_size, int64_t cache_size);

class Sorter {
 public:
  // The caller keeps key_info and vfs alive for the Sorter's lifetime.
  Sorter(const KeyInfo& key_info, os::Vfs& vfs, size_t memory_budget);
  ~Sorter();
  Sorter(const Sorter&) = delete;
  Sorter& operator=(const Sorter&) = delete;

  // OP_SorterInsert: copies one record in. May spill a sorted run (and so
  // fail with an IOERR). rc::kMisuse after sort() (until reset()).
  Status add(std::span<const uint8_t> record);

  // OP_SorterSort: ends input and positions on the first record (eof() if
  // none). May merge runs on disk. rc::kCorrupt if a record is malformed.
  Status sort();

  // True when sort() has not been called, when iteration has passed the last
  // record, or after an error.
  bool eof() const;

  // OP_SorterNext: moves to the next record.
  Status next();

  // OP_SorterData: the current record. Valid until next() or reset().
  std::span<const uint8_t> current() const;

  // OP_SorterCompare (sqlite3VdbeSorterCompare): unpacks the first n_fields
  // columns of the current record and compares the record `probe` with them
  // under the key_info: <0 if probe sorts first, 0 if equal on those
  // fields, >0 after. If any of those columns of the current record is NULL
  // the result is -1 without comparing (NULLs never make keys equal, which
  // is what a UNIQUE index build needs). *err = 0, or rc::kCorrupt for a
  // malformed record, rc::kMisuse with no current record.
  int compare_current(std::span<const uint8_t> probe, int n_fields, int* err) const;

  // Empties the sorter for reuse (statement reset): drops every record,
  // closes temp files, clears a sticky error. Stats are reset too.
  void reset();

  // Records added since construction or reset().
  size_t size() const;

  const SorterStats& stats() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace keel::vm
