#include "vm/topn_prescan.h"

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>

#include "storage/btree/leaf_scan.h"
#include "vm/collation.h"
#include "vm/record.h"
#include "vm/record_compare.h"
#include "vm/vm.h"

namespace keel::vm {

namespace {

// Below this many leaves the loop alone is as quick.
constexpr size_t kMinLeaves = 64;
// Larger LIMITs keep too many candidates to be worth it.
constexpr int64_t kMaxKeep = 4096;
// A thread per this many leaves at most (starting one costs ~50 us).
constexpr size_t kLeavesPerThread = 256;
// Rows ahead whose bytes are requested from memory: leaves are separate
// buffers, and cells sit backwards in them, so the hardware prefetcher
// does not follow the scan.
constexpr int kLookahead = 2;

// Whether the replay (Worker::row) can run `in`, and which registers it
// reads and writes.
bool replayable(const Instr& in, int table_cursor, std::vector<int>* reads, std::vector<int>* writes) {
  switch (in.op) {
    case Op::Column:
      // No other P5 flag: those change what the read does.
      writes->push_back(in.p3);
      return in.p1 == table_cursor && (in.p5 & ~kOpflagColumnByRef) == 0 &&
             (in.p4type == P4Type::kNone || in.p4type == P4Type::kValue);
    case Op::Rowid:
      writes->push_back(in.p2);
      return in.p1 == table_cursor;
    case Op::Variable:
    case Op::Integer:
    case Op::Int64:
    case Op::Real:
    case Op::String8:
    case Op::Blob:
      writes->push_back(in.p2);
      return true;
    case Op::Null:
      for (int i = in.p2; i <= std::max(in.p2, in.p3); i++) writes->push_back(i);
      return true;
    case Op::SCopy:
      reads->push_back(in.p1);
      writes->push_back(in.p2);
      return true;
    case Op::RealAffinity:
      reads->push_back(in.p1);
      writes->push_back(in.p1);
      return true;
    case Op::Function:
      for (int i = 0; i < in.p5; i++) reads->push_back(in.p2 + i);
      writes->push_back(in.p3);
      return in.p4type == P4Type::kFunction && in.p4.func != nullptr && in.p4.func->scalar != nullptr &&
             (in.p4.func->flags & func::kParallelSafe) != 0;
    default:
      return false;
  }
}

}  // namespace

bool topn_prescan_can_replay(const Program& program, int table_cursor, int first, int end, int key_reg,
                             const KeyInfo& key_info) {
  if (first < 0 || end <= first || end > static_cast<int>(program.ops.size())) return false;
  const Collation* coll = key_info.collation(0);
  if (coll != nullptr && coll != binary_collation() && coll != nocase_collation() && coll != rtrim_collation()) {
    return false;
  }
  // Straight-line code that only reads registers it wrote itself: nothing
  // computed elsewhere in the loop can leak in.
  std::vector<int> written;
  for (int a = first; a < end; a++) {
    const Instr& in = program.ops[static_cast<size_t>(a)];
    std::vector<int> reads, writes;
    if (!replayable(in, table_cursor, &reads, &writes)) return false;
    for (int r : reads) {
      if (std::find(written.begin(), written.end(), r) == written.end()) return false;
    }
    written.insert(written.end(), writes.begin(), writes.end());
  }
  // A bare column is worth it too: the tight loop reads a row's key in a
  // fraction of the loop's instructions per row.
  return std::find(written.begin(), written.end(), key_reg) != written.end();
}

bool topn_prescan_loads_cannot_fail(const Program& program, int first, int end) {
  for (int a = first; a < end; a++) {
    switch (program.ops[static_cast<size_t>(a)].op) {
      case Op::Column:
      case Op::Rowid:
      case Op::Integer:
      case Op::Int64:
      case Op::Real:
      case Op::String8:
      case Op::Blob:
      case Op::Null:
      case Op::SCopy:
      case Op::Copy:
      case Op::RealAffinity:
        break;
      default:
        return false;
    }
  }
  return true;
}

namespace {

struct Candidate {
  Value key;
  int64_t rowid;
};

// One thread's share: leaves [first, end) of the list.
class Worker {
 public:
  Worker(const TopNPrescanInput& in, storage::Btree& bt, std::atomic<bool>& stop)
      : in_(in), reader_(bt), ahead_(bt), stop_(stop) {
    const Program& p = *in.program;
    regs_.resize(static_cast<size_t>(p.n_registers) + 1);
    aux_.resize(static_cast<size_t>(in.spec->key_end - in.spec->key_first));
  }
  ~Worker() {
    for (auto& entries : aux_) {
      for (auto& e : entries) {
        if (e.destroy) e.destroy(e.data);
      }
    }
  }

  // Leaves [first, end) from the page cache; a leaf not cached and a row
  // whose payload overflows are left for run_missed(). False if this share
  // gave up.
  bool run(const std::vector<storage::PageNo>& leaves, size_t first, size_t end, bool main_thread) {
    for (size_t l = first; l < end; l++) {
      if (stop_.load(std::memory_order_relaxed)) return false;
      if (main_thread && in_.interrupted && in_.interrupted()) return false;
      auto loaded = reader_.load(leaves[l]);
      if (!loaded.ok()) return false;
      if (!*loaded) {
        missed_leaves_.push_back(leaves[l]);
        continue;
      }
      bool have_ahead = false;
      if (l + 1 < end) {
        auto next = ahead_.load(leaves[l + 1]);
        have_ahead = next.ok() && *next;
      }
      int n = reader_.cell_count();
      for (int i = 0; i < n; i++) {
        // The cell kLookahead places on, as far into it as the key reads
        // (learnt from the first rows).
        int target = i + kLookahead;
        if (target < n) {
          reader_.prefetch(target, readahead_);
        } else if (have_ahead) {
          ahead_.prefetch(target - n, readahead_);
        }
        storage::TableLeafReader::Cell cell;
        if (!reader_.cell(i, &cell).ok()) return false;
        if (cell.local.size() != cell.payload_size) {
          missed_rows_.push_back(cell.rowid);  // overflow pages are the pager's to read
          continue;
        }
        if (!row(cell.local, cell.rowid)) return false;
      }
    }
    return true;
  }

  // On the connection's thread, once every share is done: the leaves and
  // rows the shares could not read from the cache, through the pager.
  bool run_missed(const std::vector<storage::PageNo>& leaves, std::vector<int64_t> rows) {
    for (storage::PageNo pgno : leaves) {
      if (in_.interrupted && in_.interrupted()) return false;
      if (!reader_.load_pinned(pgno).ok()) return false;
      for (int i = 0; i < reader_.cell_count(); i++) {
        storage::TableLeafReader::Cell cell;
        if (!reader_.cell(i, &cell).ok()) return false;
        if (cell.local.size() != cell.payload_size) {
          rows.push_back(cell.rowid);
        } else if (!row(cell.local, cell.rowid)) {
          return false;
        }
      }
    }
    if (rows.empty()) return true;
    // A row that overflows: the whole payload, as VmCursor::payload reads it.
    storage::BtCursor cursor(*in_.btree, in_.root, false);
    for (int64_t rowid : rows) {
      auto found = cursor.seek_rowid(rowid);
      if (!found.ok() || *found != storage::SeekResult::kFound || cursor.eof()) return false;
      uint32_t size = cursor.payload_size();
      payload_.resize(size);
      if (!cursor.read_payload(0, size, payload_.data()).ok()) return false;
      if (!row(std::span<const uint8_t>(payload_.data(), size), rowid)) return false;
    }
    return true;
  }

  std::vector<Candidate>& kept() { return heap_; }
  const std::vector<storage::PageNo>& missed_leaves() const { return missed_leaves_; }
  const std::vector<int64_t>& missed_rows() const { return missed_rows_; }

 private:
  // Replays the key's code for one row, then keeps the row if it is among
  // the k first in (key, rowid) order so far.
  bool row(std::span<const uint8_t> record, int64_t rowid) {
    if (!record_.reset(record).ok()) return false;
    const Program& p = *in_.program;
    const TopNPrescanSpec& spec = *in_.spec;
    std::vector<Value>& r = regs_;
    for (int a = spec.key_first; a < spec.key_end; a++) {
      const Instr& op = p.ops[static_cast<size_t>(a)];
      switch (op.op) {
        case Op::Column: {
          const Value* dflt = op.p4type == P4Type::kValue ? op.p4.value : nullptr;
          if (!record_.column(static_cast<uint32_t>(op.p2), r[op.p3], dflt).ok()) return false;
          uint32_t e = record_.column_end(static_cast<uint32_t>(op.p2));
          if (e + 16 > readahead_) readahead_ = e + 16;  // + the cell's header
          break;
        }
        case Op::Rowid:
          r[op.p2].set_int(rowid);
          break;
        case Op::Variable:
          r[op.p2].shallow_copy_from(in_.params[static_cast<size_t>(op.p1 - 1)]);
          break;
        case Op::Integer:
          r[op.p2].set_int(op.p1);
          break;
        case Op::Int64:
          r[op.p2].set_int(op.p4.i64);
          break;
        case Op::Real:
          r[op.p2].set_real(op.p4.real);
          break;
        case Op::String8:
          r[op.p2].set_text_ref(std::string_view(op.p4.str, op.p4n));
          break;
        case Op::Blob:
          r[op.p2].set_blob_ref(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(op.p4.str), op.p4n));
          break;
        case Op::Null: {
          int last = op.p3 > op.p2 ? op.p3 : op.p2;
          for (int i = op.p2; i <= last; i++) r[i].set_null();
          break;
        }
        case Op::SCopy:
          r[op.p2].shallow_copy_from(r[op.p1]);
          break;
        case Op::RealAffinity:
          if (r[op.p1].is_int()) r[op.p1].set_real(static_cast<double>(r[op.p1].int_value()));
          break;
        case Op::Function: {
          // As Vm::call_function, with this thread's context and aux data.
          const func::FunctionDef* def = op.p4.func;
          func::FunctionContext ctx(def, in_.functions);
          ctx.set_aux_store(&aux_[static_cast<size_t>(a - spec.key_first)]);
          Value& out = r[op.p3];
          out.set_null();
          ctx.set_result_slot(&out);
          bool aliased = op.p3 >= op.p2 && op.p3 < op.p2 + op.p5;
          if (aliased) {
            scratch_.set_null();
            ctx.set_result_slot(&scratch_);
          }
          def->scalar(ctx, std::span<Value>(r.data() + op.p2, op.p5));
          if (ctx.has_error()) return false;
          if (aliased) out = std::move(scratch_);
          if (out.is_bytes() && static_cast<int64_t>(out.size()) > in_.max_length) return false;
          break;
        }
        default:
          return false;
      }
    }
    keep(r[spec.key_reg], rowid);
    return true;
  }

  // heap_ is a max-heap by (key, rowid): its front is the row the next one
  // must beat.
  bool before(const Candidate& a, const Candidate& b) const {
    int c = compare_keys(&a.key, &b.key, 1, *in_.spec->key_info);
    return c != 0 ? c < 0 : a.rowid < b.rowid;
  }
  void keep(const Value& key, int64_t rowid) {
    auto less = [this](const Candidate& a, const Candidate& b) { return before(a, b); };
    if (static_cast<int64_t>(heap_.size()) < in_.k) {
      heap_.push_back(Candidate{Value(), rowid});
      heap_.back().key.copy_from(key);
      std::push_heap(heap_.begin(), heap_.end(), less);
      return;
    }
    // (key, rowid) order: an equal key beats a kept row only with a smaller
    // rowid (rows read later from the pager may come out of order).
    int c = compare_keys(&key, &heap_.front().key, 1, *in_.spec->key_info);
    if (c > 0 || (c == 0 && rowid > heap_.front().rowid)) return;
    std::pop_heap(heap_.begin(), heap_.end(), less);
    heap_.back().key.copy_from(key);
    heap_.back().rowid = rowid;
    std::push_heap(heap_.begin(), heap_.end(), less);
  }

  const TopNPrescanInput& in_;
  storage::TableLeafReader reader_, ahead_;
  std::atomic<bool>& stop_;
  RecordReader record_;
  std::vector<Value> regs_;
  Value scratch_;
  std::vector<std::vector<func::FunctionContext::AuxEntry>> aux_;
  std::vector<Candidate> heap_;
  std::vector<storage::PageNo> missed_leaves_;
  std::vector<int64_t> missed_rows_;
  std::vector<uint8_t> payload_;
  uint32_t readahead_ = 0;  // record bytes the key reads, learnt from the rows
};

}  // namespace

bool run_topn_prescan(const TopNPrescanInput& in, std::vector<int64_t>* rowids) {
  rowids->clear();
  if (in.k <= 0 || in.k > kMaxKeep || in.spec == nullptr || in.spec->key_end <= in.spec->key_first) return false;
  std::vector<storage::PageNo> leaves;
  if (!storage::table_leaves(*in.btree, in.root, &leaves).ok()) return false;
  if (leaves.size() < kMinLeaves) return false;
  size_t shares = std::min(static_cast<size_t>(std::max(0, in.threads)) + 1,
                           std::max<size_t>(1, leaves.size() / kLeavesPerThread));

  // Share i is leaves [bound(i), bound(i + 1)); share 0 runs on this thread,
  // the others on threads of their own (or here too, if one cannot start).
  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<Worker>> workers;
  for (size_t i = 0; i < shares; i++) workers.push_back(std::make_unique<Worker>(in, *in.btree, stop));
  std::vector<char> ok(shares, 0), started(shares, 0);
  auto bound = [&](size_t i) { return leaves.size() * i / shares; };
  auto run_share = [&](size_t i, bool here) {
    ok[i] = workers[i]->run(leaves, bound(i), bound(i + 1), here);
    if (!ok[i]) stop.store(true, std::memory_order_relaxed);
  };
  std::vector<std::thread> threads;
  for (size_t i = 1; i < shares; i++) {
    try {
      threads.emplace_back([&run_share, i] { run_share(i, false); });
      started[i] = 1;
    } catch (const std::system_error&) {
      break;  // no more threads now: this thread takes the rest
    }
  }
  run_share(0, true);
  for (size_t i = 1; i < shares; i++) {
    if (!started[i]) run_share(i, true);
  }
  for (std::thread& t : threads) t.join();
  for (char o : ok) {
    if (!o) return false;
  }
  // What the shares left: read through the pager now that they are done.
  std::vector<storage::PageNo> missed_leaves;
  std::vector<int64_t> missed_rows;
  for (auto& w : workers) {
    missed_leaves.insert(missed_leaves.end(), w->missed_leaves().begin(), w->missed_leaves().end());
    missed_rows.insert(missed_rows.end(), w->missed_rows().begin(), w->missed_rows().end());
  }
  if (!missed_leaves.empty() || !missed_rows.empty()) {
    workers.push_back(std::make_unique<Worker>(in, *in.btree, stop));
    if (!workers.back()->run_missed(missed_leaves, std::move(missed_rows))) return false;
  }
  for (auto& w : workers) {
    for (const Candidate& c : w->kept()) rowids->push_back(c.rowid);
  }
  std::sort(rowids->begin(), rowids->end());
  return true;
}

}  // namespace keel::vm
