// Sorter (sorter.h): batch phase, spilling, multi-level merge, iteration.
//
// States (State::phase):
//   kAdding   add() accepted; the batch is `keys` + `arena`; `runs` (possibly
//             none) are sorted runs in files[cur_file].
//   kMemory   sort() found no runs: iteration walks keys[pos].
//   kMerging  sort() merged down to at most kFanIn sources; `engine` streams
//             the final merge of `runs` plus the sorted last batch.
//   kFailed   an error happened; `error` is returned until reset().
//
// Merge levels: while runs + last batch exceed kFanIn, the runs of one file
// are merged kFanIn at a time, in order, into the other file (each group
// becoming one run); the old file is then truncated and the roles swap. At
// most two temp files exist, and at most kFanIn runs are open at once.
#include "vm/sorter.h"

#include <algorithm>
#include <cstring>

#include "keel/result_code.hpp"
#include "vm/record.h"
#include "vm/sorter_internal.h"

namespace keel::vm {

using sorter::MemoryMeter;
using sorter::MergeEngine;
using sorter::MergeSource;
using sorter::RecordArena;
using sorter::RecordOrder;
using sorter::RunExtent;
using sorter::RunReader;
using sorter::RunWriter;
using sorter::SortKey;
using sorter::TempFile;

namespace {

// Budget charged per record besides its bytes: its key, and the merge
// sort's scratch copy of it.
constexpr size_t kKeyCost = 2 * sizeof(SortKey);

size_t chunk_for(size_t budget) {
  size_t c = std::clamp(budget / sorter::kFanIn, sorter::kMinChunk, sorter::kMaxChunk);
  return (c + sorter::kMinChunk - 1) / sorter::kMinChunk * sorter::kMinChunk;
}

size_t arena_block_for(size_t budget) {
  return std::clamp(budget / 8, sorter::kMinChunk, sorter::kMaxArenaBlock);
}

}  // namespace

struct Sorter::State {
  enum class Phase { kAdding, kMemory, kMerging, kFailed };

  State(const KeyInfo& ki, os::Vfs& v, size_t b)
      : order(ki),
        vfs(v),
        budget(b),
        chunk(chunk_for(b)),
        arena(arena_block_for(b), meter),
        files{TempFile(v), TempFile(v)} {}

  Status fail(Status st) {
    engine.reset();
    phase = Phase::kFailed;
    error = st;
    return st;
  }
  void sync_key_memory();
  void grow_keys();
  Status spill_batch();
  Status merge_level();
  Status start_final_merge();

  RecordOrder order;
  os::Vfs& vfs;
  size_t budget;
  size_t chunk;
  MemoryMeter meter;
  RecordArena arena;
  std::vector<SortKey> keys;  // the batch (sorted once phase != kAdding)
  std::vector<SortKey> tmp;   // merge-sort scratch
  size_t key_bytes = 0;       // (keys + tmp capacity) * sizeof(SortKey), as metered
  size_t batch_bytes = 0;     // budget charged to the batch
  size_t count = 0;
  std::vector<RunExtent> runs;
  TempFile files[2];
  int cur_file = 0;
  uint64_t file_end = 0;  // end of the runs in files[cur_file]
  std::unique_ptr<RunWriter> writer;
  std::unique_ptr<MergeEngine> engine;
  Phase phase = Phase::kAdding;
  size_t pos = 0;
  Status error;
  SorterStats stats;
  mutable sorter::UnpackedCache cmp_cache;  // compare_current's unpacked current record
};

void Sorter::State::sync_key_memory() {
  size_t now = (keys.capacity() + tmp.capacity()) * sizeof(SortKey);
  if (now > key_bytes) meter.add(now - key_bytes);
  if (now < key_bytes) meter.sub(key_bytes - now);
  key_bytes = now;
}

// Grows keys by doubling, but not far past the number of records the budget
// is expected to hold (judged from the batch so far), so the key array does
// not overshoot the budget by a whole doubling.
void Sorter::State::grow_keys() {
  size_t n = keys.size();
  size_t cap = std::max<size_t>(n * 2, 256);
  if (n >= 256 && batch_bytes > 0) {
    size_t per_record = std::max<size_t>(batch_bytes / n, 1);
    size_t expected = budget / per_record + budget / per_record / 16 + 16;
    cap = std::min(cap, std::max(expected, n + n / 8 + 1));
  }
  keys.reserve(cap);
  sync_key_memory();
}

Status Sorter::State::spill_batch() {
  sorter::sort_keys(keys, tmp, order);
  sync_key_memory();
  if (order.error()) return Status(order.error());
  KEEL_RETURN_IF_ERROR(files[cur_file].open_if_needed());
  if (!writer) writer = std::make_unique<RunWriter>(chunk, meter);
  writer->start(files[cur_file].file(), file_end);
  writer->begin_run();
  uint64_t before = writer->bytes_written();
  for (const SortKey& k : keys) KEEL_RETURN_IF_ERROR(writer->add(k.rec, k.len));
  RunExtent ext;
  KEEL_RETURN_IF_ERROR(writer->end_run(&ext));
  stats.bytes_written += writer->bytes_written() - before;
  runs.push_back(ext);
  file_end = ext.end;
  stats.runs_spilled++;
  arena.clear();
  keys.clear();
  batch_bytes = 0;
  return Status::Ok();
}

Status Sorter::State::merge_level() {
  int out = 1 - cur_file;
  KEEL_RETURN_IF_ERROR(files[out].open_if_needed());
  if (!writer) writer = std::make_unique<RunWriter>(chunk, meter);
  writer->start(files[out].file(), 0);
  std::vector<RunExtent> merged;
  uint64_t before = writer->bytes_written();
  for (size_t g = 0; g < runs.size(); g += sorter::kFanIn) {
    size_t g_end = std::min(runs.size(), g + sorter::kFanIn);
    std::vector<std::unique_ptr<MergeSource>> sources;
    for (size_t r = g; r < g_end; r++)
      sources.push_back(std::make_unique<RunReader>(files[cur_file].file(), runs[r], chunk, meter));
    MergeEngine merge(order, std::move(sources));
    KEEL_RETURN_IF_ERROR(merge.init());
    writer->begin_run();
    while (!merge.eof()) {
      const SortKey& k = merge.current();
      KEEL_RETURN_IF_ERROR(writer->add(k.rec, k.len));
      KEEL_RETURN_IF_ERROR(merge.next());
    }
    RunExtent ext;
    KEEL_RETURN_IF_ERROR(writer->end_run(&ext));
    merged.push_back(ext);
  }
  stats.bytes_written += writer->bytes_written() - before;
  // The input runs are dead: give their space back before the next level.
  KEEL_RETURN_IF_ERROR(files[cur_file].file()->truncate(0));
  runs = std::move(merged);
  cur_file = out;
  file_end = runs.empty() ? 0 : runs.back().end;
  stats.merge_levels++;
  return Status::Ok();
}

Status Sorter::State::start_final_merge() {
  while (runs.size() + (keys.empty() ? 0 : 1) > sorter::kFanIn) KEEL_RETURN_IF_ERROR(merge_level());
  writer.reset();
  std::vector<std::unique_ptr<MergeSource>> sources;
  for (const RunExtent& r : runs)
    sources.push_back(std::make_unique<RunReader>(files[cur_file].file(), r, chunk, meter));
  // The last batch was inserted last: numbering it last keeps ties stable.
  if (!keys.empty()) sources.push_back(std::make_unique<sorter::MemorySource>(keys));
  engine = std::make_unique<MergeEngine>(order, std::move(sources));
  return engine->init();
}

size_t sorter_memory_budget(uint32_t page_size, int64_t cache_size) {
  constexpr int64_t kMaxPmaSize = int64_t{1} << 29;  // SQLITE_MAX_PMASZ
  constexpr int64_t kMinWorkingPages = 10;           // SORTER_MIN_WORKING
  int64_t min_size = kMinWorkingPages * page_size;
  // Saturate rather than overflow for absurd cache sizes.
  int64_t bytes;
  if (cache_size < 0) {
    bytes = cache_size < -kMaxPmaSize ? kMaxPmaSize : -cache_size * 1024;
  } else {
    bytes = cache_size > kMaxPmaSize ? kMaxPmaSize : cache_size * static_cast<int64_t>(page_size);
  }
  bytes = std::min(bytes, kMaxPmaSize);
  return static_cast<size_t>(std::max(min_size, bytes));
}

// --- Sorter ---------------------------------------------------------------------

Sorter::Sorter(const KeyInfo& key_info, os::Vfs& vfs, size_t memory_budget)
    : s_(std::make_unique<State>(key_info, vfs, memory_budget)) {}

Sorter::~Sorter() = default;

Status Sorter::add(std::span<const uint8_t> record) {
  State& s = *s_;
  if (s.phase == State::Phase::kFailed) return s.error;
  if (s.phase != State::Phase::kAdding) return Status(rc::kMisuse, "sorter: record added after sort");
  if (record.empty()) return Status(rc::kCorrupt);
  if (record.size() > 0xffffffffu) return Status(rc::kTooBig);
  const auto len = static_cast<uint32_t>(record.size());
  size_t cost = len + kKeyCost;
  if (!s.keys.empty() && s.batch_bytes + cost > s.budget) {
    Status st = s.spill_batch();
    if (!st.ok()) return s.fail(std::move(st));
  }
  uint8_t* p = s.arena.alloc(len);
  if (p == nullptr) return s.fail(Status(rc::kNoMem));
  std::memcpy(p, record.data(), len);
  if (s.keys.size() == s.keys.capacity()) s.grow_keys();
  s.keys.push_back(s.order.make_key(p, len));
  s.batch_bytes += cost;
  s.count++;
  return Status::Ok();
}

Status Sorter::sort() {
  State& s = *s_;
  if (s.phase == State::Phase::kFailed) return s.error;
  if (s.phase != State::Phase::kAdding) return Status(rc::kMisuse, "sorter: sorted twice");
  sorter::sort_keys(s.keys, s.tmp, s.order);
  s.sync_key_memory();
  if (s.order.error()) return s.fail(Status(s.order.error()));
  if (s.runs.empty()) {
    s.phase = State::Phase::kMemory;
    s.pos = 0;
    return Status::Ok();
  }
  Status st = s.start_final_merge();
  if (!st.ok()) return s.fail(std::move(st));
  s.phase = State::Phase::kMerging;
  return Status::Ok();
}

bool Sorter::eof() const {
  const State& s = *s_;
  switch (s.phase) {
    case State::Phase::kMemory:
      return s.pos >= s.keys.size();
    case State::Phase::kMerging:
      return s.engine->eof();
    default:
      return true;
  }
}

Status Sorter::next() {
  State& s = *s_;
  switch (s.phase) {
    case State::Phase::kMemory:
      if (s.pos < s.keys.size()) s.pos++;
      return Status::Ok();
    case State::Phase::kMerging: {
      Status st = s.engine->next();
      if (!st.ok()) return s.fail(std::move(st));
      return Status::Ok();
    }
    case State::Phase::kFailed:
      return s.error;
    default:
      return Status(rc::kMisuse, "sorter: next before sort");
  }
}

std::span<const uint8_t> Sorter::current() const {
  if (eof()) return {};
  const SortKey& k = s_->phase == State::Phase::kMemory ? s_->keys[s_->pos] : s_->engine->current();
  return {k.rec, k.len};
}

int Sorter::compare_current(std::span<const uint8_t> probe, int n_fields, int* err) const {
  *err = 0;
  if (eof() || n_fields <= 0) {
    *err = rc::kMisuse;
    return 0;
  }
  std::span<const uint8_t> cur = current();
  auto& fields = s_->cmp_cache.fields;
  if (fields.size() < static_cast<size_t>(n_fields)) fields.resize(static_cast<size_t>(n_fields));
  size_t n =
      unpack_record(cur.data(), cur.size(), std::span<Value>(fields.data(), static_cast<size_t>(n_fields)));
  if (n == 0) {
    *err = rc::kCorrupt;
    return 0;
  }
  for (size_t i = 0; i < n; i++)
    if (fields[i].is_null()) return -1;
  UnpackedRecord r;
  r.key_info = &s_->order.key_info();
  r.fields = fields.data();
  r.n_field = static_cast<uint16_t>(n);
  r.default_rc = 0;
  int c = compare_record(probe.data(), probe.size(), r);
  if (r.err_code) *err = rc::kCorrupt;
  return c;
}

void Sorter::reset() {
  State& s = *s_;
  s.engine.reset();
  s.writer.reset();
  s.files[0].close();
  s.files[1].close();
  s.cur_file = 0;
  s.file_end = 0;
  s.runs.clear();
  s.arena.release();
  std::vector<SortKey>().swap(s.keys);
  std::vector<SortKey>().swap(s.tmp);
  s.sync_key_memory();
  s.batch_bytes = 0;
  s.count = 0;
  s.pos = 0;
  s.order.clear_error();
  s.cmp_cache.src = nullptr;
  s.error = Status::Ok();
  s.phase = State::Phase::kAdding;
  s.stats = SorterStats{};
  s.meter.peak = s.meter.current;
}

size_t Sorter::size() const { return s_->count; }

const SorterStats& Sorter::stats() const {
  s_->stats.peak_memory = s_->meter.peak;
  return s_->stats;
}

}  // namespace keel::vm
