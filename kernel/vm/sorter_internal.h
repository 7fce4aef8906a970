// Internals of the Sorter (sorter.h): the record order with its fast paths,
// the arena, sorted runs on temp files, and the tournament merge.
//
// Invariants:
//   - A SortKey points at a complete record: arena memory during the batch
//     phase, or a RunReader buffer while merging. It is valid until the
//     arena is cleared or its reader advances.
//   - SortKey::kind/prefix are a pure function of the record bytes and the
//     KeyInfo (RecordOrder::make_key); comparing two keys by prefix gives the
//     same sign as compare_records whenever the prefixes decide.
//   - An UnpackedCache holds the decoded columns of exactly the record at
//     `src`, or nothing (src == nullptr). Whoever moves the record it caches
//     clears it.
//   - Run file format: for each record, varint(length) then the record
//     bytes; runs lie back to back in one temp file, each described by a
//     RunExtent. Nothing else is in the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "keel/status.hpp"
#include "os/vfs.h"
#include "vm/record_compare.h"
#include "vm/value.h"

namespace keel::vm::sorter {

inline constexpr size_t kFanIn = 16;               // merge inputs per merge (SORTER_MAX_MERGE_COUNT)
inline constexpr size_t kMinChunk = 4096;          // smallest temp-file I/O buffer
inline constexpr size_t kMaxChunk = 256 * 1024;    // largest temp-file I/O buffer
inline constexpr size_t kMaxArenaBlock = 1 << 20;  // arena block size cap
inline constexpr size_t kFirstArenaBlock = 16384;  // first arena block, if the cap allows

// Bytes held by the sorter, for the budget and stats().peak_memory.
struct MemoryMeter {
  size_t current = 0;
  size_t peak = 0;
  void add(size_t n) {
    current += n;
    if (current > peak) peak = current;
  }
  void sub(size_t n) { current -= n; }
};

// One record as the sort sees it, with its first column pre-decoded so that
// most comparisons never parse a header.
struct SortKey {
  enum Kind : uint8_t { kOther = 0, kInt, kReal, kText };
  const uint8_t* rec = nullptr;
  uint32_t len = 0;
  uint8_t kind = kOther;
  uint64_t prefix = 0;  // kInt: int64 bits; kReal: double bits; kText: first 8 bytes (NOCASE: folded),
                        // big-endian, zero-padded
};

// The columns of one record decoded into Values (TEXT/BLOB borrowed).
struct UnpackedCache {
  const uint8_t* src = nullptr;
  uint16_t n = 0;
  std::vector<Value> fields;
};

// compare_records under a KeyInfo, with SQLite's sorter fast paths
// (vdbeSorterCompareInt / vdbeSorterCompareText): when both first columns
// are integers, both reals, or both BINARY (or NOCASE) text, the cached
// prefixes decide
// unless equal. Otherwise `a` is compared with the unpacked `b`, which is
// cached in the caller's UnpackedCache. Malformed records make error()
// rc::kCorrupt (sticky) and compare as equal.
class RecordOrder {
 public:
  explicit RecordOrder(const KeyInfo& ki);

  SortKey make_key(const uint8_t* rec, uint32_t len) const;
  void init_cache(UnpackedCache& c) const;
  int compare(const SortKey& a, const SortKey& b, UnpackedCache& b_cache);

  int error() const { return err_; }
  void clear_error() { err_ = 0; }
  const KeyInfo& key_info() const { return ki_; }

 private:
  int compare_slow(const SortKey& a, const SortKey& b, UnpackedCache& b_cache);

  const KeyInfo& ki_;
  size_t n_unpack_;  // columns unpacked for a full comparison
  enum TextMode : uint8_t { kNoText, kBinaryText, kNocaseText };
  TextMode text_mode_;  // how a first-column text prefix is taken, if at all
  int dir0_;            // -1 if the first column is DESC, else +1
  int err_ = 0;
};

// Stable in-memory sort of keys (bottom-up merge sort; `tmp` is scratch).
void sort_keys(std::vector<SortKey>& keys, std::vector<SortKey>& tmp, RecordOrder& order);

// Record bytes of one batch, bump-allocated from blocks. Block sizes double
// from kFirstArenaBlock up to max_block, so a sort of a few rows costs one
// small block while a large batch uses few large ones. Blocks are kept by
// clear() for the next batch; a record larger than max_block / 4 gets a
// block of its own, freed by clear().
class RecordArena {
 public:
  RecordArena(size_t max_block, MemoryMeter& meter) : max_block_(max_block), meter_(meter) {}
  ~RecordArena() { release(); }
  RecordArena(const RecordArena&) = delete;
  RecordArena& operator=(const RecordArena&) = delete;

  uint8_t* alloc(size_t n);  // nullptr if memory is exhausted
  void clear();              // forget every record; keep the shared blocks
  void release();            // free every block

 private:
  struct Block {
    std::unique_ptr<uint8_t[]> mem;
    size_t size;
  };
  bool new_block(std::vector<Block>& list, size_t size);

  size_t max_block_;
  MemoryMeter& meter_;
  std::vector<Block> blocks_;  // shared blocks, in the order they are filled
  std::vector<Block> own_;     // one-record blocks of this batch
  size_t cur_ = 0;             // block being filled (index into blocks_)
  size_t used_ = 0;            // bytes used in blocks_[cur_]
};

// Where a sorted run lies in its temp file.
struct RunExtent {
  uint64_t start = 0;
  uint64_t end = 0;
};

// An anonymous temp file of the sorter's VFS, opened on first use.
class TempFile {
 public:
  explicit TempFile(os::Vfs& vfs) : vfs_(vfs) {}
  Status open_if_needed();
  os::VfsFile* file() const { return file_.get(); }
  void close() { file_.reset(); }

 private:
  os::Vfs& vfs_;
  std::unique_ptr<os::VfsFile> file_;
};

// Appends records to runs in a temp file through one write buffer.
class RunWriter {
 public:
  RunWriter(size_t chunk, MemoryMeter& meter);
  ~RunWriter();
  RunWriter(const RunWriter&) = delete;
  RunWriter& operator=(const RunWriter&) = delete;

  // Starts writing at `offset` of `file`.
  void start(os::VfsFile* file, uint64_t offset);
  void begin_run() { run_start_ = pos_ + fill_; }
  Status add(const uint8_t* rec, uint32_t len);
  // Ends the current run (flushing everything written so far).
  Status end_run(RunExtent* out);
  uint64_t bytes_written() const { return written_; }

 private:
  Status put(const uint8_t* p, size_t n);
  Status flush();

  std::vector<uint8_t> buf_;
  MemoryMeter& meter_;
  os::VfsFile* file_ = nullptr;
  uint64_t pos_ = 0;  // file offset of buf_[0]
  size_t fill_ = 0;   // bytes in buf_
  uint64_t run_start_ = 0;
  uint64_t written_ = 0;
};

// A source of sorted records for the merge.
class MergeSource {
 public:
  virtual ~MergeSource() = default;
  // Moves to the next record (the first, on the first call); sets eof()
  // after the last one. key() is then that record.
  virtual Status advance(const RecordOrder& order) = 0;
  bool eof() const { return eof_; }
  const SortKey& key() const { return key_; }
  UnpackedCache& cache() { return cache_; }

 protected:
  bool eof_ = false;
  SortKey key_;
  UnpackedCache cache_;
};

// Reads one run back through a buffer of `chunk` bytes (grown only for a
// record larger than that).
class RunReader final : public MergeSource {
 public:
  RunReader(os::VfsFile* file, RunExtent extent, size_t chunk, MemoryMeter& meter);
  ~RunReader() override;
  Status advance(const RecordOrder& order) override;

 private:
  // Makes at least `need` unread bytes available in buf_[lo_, hi_).
  Status fill(size_t need);
  uint64_t unread() const { return (hi_ - lo_) + (end_ - fpos_); }

  os::VfsFile* file_;
  uint64_t fpos_;  // next file offset to read
  uint64_t end_;
  std::vector<uint8_t> buf_;
  MemoryMeter& meter_;
  size_t lo_ = 0, hi_ = 0;
};

// The last batch, sorted in memory, as one merge input.
class MemorySource final : public MergeSource {
 public:
  explicit MemorySource(const std::vector<SortKey>& keys) : keys_(keys) {}
  Status advance(const RecordOrder& order) override;

 private:
  const std::vector<SortKey>& keys_;
  size_t next_ = 0;
};

// K-way merge by a tournament (winner) tree, as vdbesort.c's MergeEngine:
// tree_[1] is the index of the smallest current record; after its source
// advances, only the log2(k) matches on its path are replayed. Ties go to
// the lower-numbered source, which keeps the merge stable when sources are
// numbered in insertion order.
class MergeEngine {
 public:
  MergeEngine(RecordOrder& order, std::vector<std::unique_ptr<MergeSource>> sources);
  Status init();  // reads the first record of every source
  bool eof() const { return tree_[1] < 0; }
  const SortKey& current() const { return sources_[static_cast<size_t>(tree_[1])]->key(); }
  Status next();

 private:
  int play(int a, int b);  // winner of a match between two source indices (-1 = none)
  Status check_order() const;

  RecordOrder& order_;
  std::vector<std::unique_ptr<MergeSource>> sources_;
  std::vector<int> tree_;  // 2 * leaves; tree_[leaves + i] = source i (or -1)
  size_t leaves_ = 1;
};

}  // namespace keel::vm::sorter
