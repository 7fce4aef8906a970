#include "vm/topn_prescan.h"

#include <algorithm>
#include <atomic>
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

bool replayable_op(const Instr& in, int table_cursor) {
  switch (in.op) {
    case Op::Column:
      // No other P5 flag: those change what the read does.
      return in.p1 == table_cursor && (in.p5 & ~kOpflagColumnByRef) == 0 &&
             (in.p4type == P4Type::kNone || in.p4type == P4Type::kValue);
    case Op::Rowid:
      return in.p1 == table_cursor;
    case Op::Variable:
    case Op::Integer:
    case Op::Int64:
    case Op::Real:
    case Op::String8:
    case Op::Blob:
    case Op::Null:
    case Op::SCopy:
    case Op::RealAffinity:
      return true;
    case Op::Function:
      return in.p4type == P4Type::kFunction && in.p4.func != nullptr && in.p4.func->scalar != nullptr &&
             (in.p4.func->flags & func::kParallelSafe) != 0;
    default:
      return false;
  }
}

// The registers an op reads and writes (the replayable ones only).
void op_registers(const Instr& in, std::vector<int>* reads, std::vector<int>* writes) {
  switch (in.op) {
    case Op::Column:
      writes->push_back(in.p3);
      break;
    case Op::Rowid:
      writes->push_back(in.p2);
      break;
    case Op::Variable:
    case Op::Integer:
    case Op::Int64:
    case Op::Real:
    case Op::String8:
    case Op::Blob:
      writes->push_back(in.p2);
      break;
    case Op::Null:
      for (int i = in.p2; i <= std::max(in.p2, in.p3); i++) writes->push_back(i);
      break;
    case Op::SCopy:
      reads->push_back(in.p1);
      writes->push_back(in.p2);
      break;
    case Op::RealAffinity:
      reads->push_back(in.p1);
      writes->push_back(in.p1);
      break;
    case Op::Function:
      for (int i = 0; i < in.p5; i++) reads->push_back(in.p2 + i);
      writes->push_back(in.p3);
      break;
    default:
      break;
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
  bool calls = false;
  for (int a = first; a < end; a++) {
    const Instr& in = program.ops[static_cast<size_t>(a)];
    if (!replayable_op(in, table_cursor)) return false;
    calls |= in.op == Op::Function;
    std::vector<int> reads, writes;
    op_registers(in, &reads, &writes);
    for (int r : reads) {
      if (std::find(written.begin(), written.end(), r) == written.end()) return false;
    }
    written.insert(written.end(), writes.begin(), writes.end());
  }
  // Only worth it where a function does the work per row.
  return calls && std::find(written.begin(), written.end(), key_reg) != written.end();
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

  // False if this share gave up.
  bool run(const std::vector<storage::PageNo>& leaves, size_t first, size_t end, bool main_thread) {
    for (size_t l = first; l < end; l++) {
      if (stop_.load(std::memory_order_relaxed)) return false;
      if (main_thread && in_.interrupted && in_.interrupted()) return false;
      auto loaded = reader_.load(leaves[l]);
      if (!loaded.ok() || !*loaded) return false;
      // The next leaf's cells, as far into each as the key reads, are
      // requested now: leaves are separate buffers the hardware prefetcher
      // does not follow.
      bool have_ahead = false;
      if (l + 1 < end) {
        auto next = ahead_.load(leaves[l + 1]);
        have_ahead = next.ok() && *next;
      }
      int n = reader_.cell_count();
      for (int i = 0; i < n; i++) {
        if (have_ahead && readahead_ > 0 && i < ahead_.cell_count()) ahead_.prefetch(i, readahead_);
        storage::TableLeafReader::Cell cell;
        if (!reader_.cell(i, &cell).ok()) return false;
        if (cell.local.size() != cell.payload_size) return false;  // overflow: the pager's job
        if (!row(cell)) return false;
      }
      if (have_ahead) {
        for (int i = n; i < ahead_.cell_count(); i++) ahead_.prefetch(i, readahead_);
      }
    }
    return true;
  }

  std::vector<Candidate>& kept() { return heap_; }

 private:
  // Replays the key's code for one row, then keeps the row if it is among
  // the k first in (key, rowid) order so far.
  bool row(const storage::TableLeafReader::Cell& cell) {
    if (!record_.reset(cell.local).ok()) return false;
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
          r[op.p2].set_int(cell.rowid);
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
    keep(r[spec.key_reg], cell.rowid);
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
    // Rows come in rowid order: an equal key never beats a kept one.
    if (compare_keys(&key, &heap_.front().key, 1, *in_.spec->key_info) >= 0) return;
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
  uint32_t readahead_ = 0;  // record bytes the key reads, learnt from the rows
};

}  // namespace

bool run_topn_prescan(const TopNPrescanInput& in, std::vector<int64_t>* rowids) {
  rowids->clear();
  if (in.k <= 0 || in.k > kMaxKeep || in.spec == nullptr || in.spec->key_end <= in.spec->key_first) return false;
  std::vector<storage::PageNo> leaves;
  if (!storage::table_leaves(*in.btree, in.root, &leaves).ok()) return false;
  if (leaves.size() < kMinLeaves) return false;
  size_t shares = static_cast<size_t>(std::max(0, in.threads)) + 1;
  shares = std::min(shares, leaves.size() / (kMinLeaves / 2));
  if (shares == 0) shares = 1;

  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<Worker>> workers;
  for (size_t i = 0; i < shares; i++) workers.push_back(std::make_unique<Worker>(in, *in.btree, stop));
  std::vector<char> ok(shares, 0);
  auto bound = [&](size_t i) { return leaves.size() * i / shares; };
  std::vector<std::thread> threads;
  for (size_t i = 1; i < shares; i++) {
    threads.emplace_back([&, i] {
      ok[i] = workers[i]->run(leaves, bound(i), bound(i + 1), false);
      if (!ok[i]) stop.store(true, std::memory_order_relaxed);
    });
  }
  ok[0] = workers[0]->run(leaves, bound(0), bound(1), true);
  if (!ok[0]) stop.store(true, std::memory_order_relaxed);
  for (std::thread& t : threads) t.join();
  for (char o : ok) {
    if (!o) return false;
  }
  for (auto& w : workers) {
    for (const Candidate& c : w->kept()) rowids->push_back(c.rowid);
  }
  std::sort(rowids->begin(), rowids->end());
  return true;
}

}  // namespace keel::vm
