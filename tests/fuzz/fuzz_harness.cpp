// The storage fuzz harness; see fuzz_harness.h for what a case does and
// which result codes are acceptable.
#include "fuzz_harness.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string_view>

#include "keel/result_code.hpp"
#include "keel/status.hpp"
#include "os/vfs.h"
#include "storage/btree/btree.h"
#include "storage/pager/pager.h"
#include "vm/record.h"
#include "vm/record_compare.h"
#include "vm/value.h"

namespace keel::fuzz {

using storage::BtCursor;
using storage::Btree;
using storage::PageNo;
using storage::Pager;

namespace {

enum class Phase { kOpen, kRead, kWrite };

// The codes bad input may produce in each phase (see fuzz_harness.h).
bool acceptable(int code, Phase phase) {
  int primary = rc::primary(code);
  if (primary == rc::kCorrupt || primary == rc::kNotADb) return true;
  if (code == rc::kIoErrShortRead) return true;
  if (phase == Phase::kOpen && primary == rc::kCantOpen) return true;
  if (primary == rc::kFull) return true;  // growing a file: writes, or a hot journal's recorded size
  if (phase == Phase::kWrite && primary == rc::kTooBig) return true;
  return false;
}

// Index-tree order for writes: SQLite's record comparison, BINARY, ascending.
class RecordKeyOrder final : public storage::KeyOrder {
 public:
  int compare_keys(const uint8_t* a, size_t na, const uint8_t* b, size_t nb) const override {
    int err = 0;
    int c = vm::compare_records(a, na, b, nb, info_, &err);
    return err ? 0 : c;
  }

 private:
  vm::KeyInfo info_;
};

class ProbeComparator final : public storage::KeyComparator {
 public:
  explicit ProbeComparator(const vm::UnpackedRecord& probe) : probe_(probe) {}
  int compare(const uint8_t* key, size_t n) const override { return vm::compare_record(key, n, probe_); }

 private:
  const vm::UnpackedRecord& probe_;
};

struct Tree {
  PageNo root;
  bool is_index;  // from the schema: an index or a WITHOUT ROWID table
};

class CaseRunner {
 public:
  CaseRunner(const FuzzInput& in, const HarnessOptions& opt, FuzzReport& report)
      : in_(in), opt_(opt), r_(report), rng_(in.seed * 0x9E3779B97F4A7C15ull + 1) {}

  void run();

 private:
  // Records the outcome of one call; true when it succeeded.
  bool check(const Status& s, const char* what) {
    r_.operations++;
    if (s.ok()) return true;
    if (acceptable(s.code(), phase_)) {
      r_.corrupt++;
    } else {
      r_.violations.push_back(std::string(what) + ": " + s.to_string());
    }
    failed_ = true;
    return false;
  }
  template <typename T>
  bool check(const Result<T>& r, const char* what) {
    return check(r.ok() ? Status::Ok() : r.status(), what);
  }

  Status write_file(const std::string& path, std::span<const uint8_t> bytes, os::FileKind kind);
  void remove_files();
  bool open();
  void close();
  void read_schema();
  void walk_tree(const Tree& t);
  void visit_entry(BtCursor& c, bool collect);
  void seek_tests(const Tree& t);
  void write_phase();
  void write_tree(const Tree& t);
  void incremental_and_meta();
  std::vector<uint8_t> make_record(int cols, size_t big);

  const FuzzInput& in_;
  const HarnessOptions& opt_;
  FuzzReport& r_;
  std::mt19937_64 rng_;
  Phase phase_ = Phase::kOpen;
  bool failed_ = false;
  std::string path_;
  std::unique_ptr<Pager> pager_;
  std::unique_ptr<Btree> bt_;
  std::vector<Tree> trees_;
  std::vector<int64_t> rowids_;             // rowids seen, for seeks
  std::vector<std::vector<uint8_t>> keys_;  // index keys seen, for seeks
  std::vector<uint8_t> payload_;            // reused payload buffer
  vm::RecordReader reader_;
  RecordKeyOrder order_;
};

std::atomic<uint64_t> g_case_counter{0};

Status CaseRunner::write_file(const std::string& path, std::span<const uint8_t> bytes, os::FileKind kind) {
  os::OpenFlags flags;
  flags.create = true;
  flags.kind = kind;
  auto f = os::memory_vfs().open(path, flags);
  if (!f.ok()) return f.take_status();
  KEEL_RETURN_IF_ERROR((*f)->truncate(0));
  if (!bytes.empty()) KEEL_RETURN_IF_ERROR((*f)->write(bytes.data(), bytes.size(), 0));
  return Status::Ok();
}

void CaseRunner::remove_files() {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    os::memory_vfs().remove(path_ + suffix, false).ignore();
  }
}

bool CaseRunner::open() {
  phase_ = Phase::kOpen;
  storage::PagerOptions po;
  po.vfs = &os::memory_vfs();
  po.create = false;
  po.cache_size = 64 + static_cast<int64_t>(rng_() % 200);  // small: exercises eviction
  auto p = Pager::open(path_, po);
  if (!check(p, "Pager::open")) return false;
  pager_ = std::move(p).value();
  auto b = Btree::open(*pager_);
  if (!check(b, "Btree::open")) return false;
  bt_ = std::move(b).value();
  phase_ = Phase::kRead;
  return true;
}

void CaseRunner::close() {
  bt_.reset();
  pager_.reset();
}

void CaseRunner::visit_entry(BtCursor& c, bool collect) {
  if (c.is_table()) {
    int64_t rowid = c.rowid();
    if (collect && rowids_.size() < 256) rowids_.push_back(rowid);
  }
  uint32_t size = c.payload_size();
  std::span<const uint8_t> local = c.payload_local();
  if (local.size() > size) r_.violations.push_back("payload_local longer than payload_size");
  // A payload larger than the whole database image cannot be real; read a
  // bounded prefix of it instead of allocating that much.
  uint64_t image = static_cast<uint64_t>(bt_->page_count()) * bt_->page_size();
  uint32_t want = size;
  if (want > image || want > (64u << 20)) want = static_cast<uint32_t>(std::min<uint64_t>(image, 1u << 16));
  payload_.resize(want);
  if (want > 0 && !check(c.read_payload(0, want, payload_.data()), "read_payload")) return;
  if (want < size) {
    // The tail: reading past a truncated chain must fail, not loop.
    uint8_t tail[64];
    uint32_t n = std::min<uint32_t>(64, size - want);
    check(c.read_payload(size - n, n, tail), "read_payload(tail)");
    return;
  }
  if (local.size() == size && size > 0 && std::memcmp(local.data(), payload_.data(), size) != 0) {
    r_.violations.push_back("read_payload disagrees with payload_local");
  }
  if (!c.is_table() && collect && keys_.size() < 64 && size < 4096) keys_.push_back(payload_);
  if (!check(reader_.reset(payload_), "RecordReader::reset")) return;
  uint32_t ncol = 0;
  if (!check(reader_.column_count(&ncol), "RecordReader::column_count")) return;
  vm::Value v;
  for (uint32_t i = 0; i <= ncol; i++) {  // one past the end reads the default
    uint32_t type = 0;
    if (!check(reader_.serial_type(i, &type), "RecordReader::serial_type")) return;
    if (!check(reader_.column(i, v), "RecordReader::column")) return;
    if (v.is_bytes() && !v.is_zeroblob() && v.size() > 0) {
      const uint8_t* p = reinterpret_cast<const uint8_t*>(v.data());
      if (p < payload_.data() || p + v.size() > payload_.data() + payload_.size()) {
        r_.violations.push_back("RecordReader column outside the record");
      }
    }
  }
}

void CaseRunner::read_schema() {
  trees_.push_back({1, false});
  BtCursor c(*bt_, 1, false);
  if (!check(c.first(), "schema first")) return;
  for (int steps = 0; !c.eof() && steps < opt_.max_steps; steps++) {
    uint32_t size = c.payload_size();
    uint64_t image = static_cast<uint64_t>(bt_->page_count()) * bt_->page_size();
    if (size <= image && size <= (1u << 20)) {
      payload_.resize(size);
      if (check(c.read_payload(0, size, payload_.data()), "schema read_payload") &&
          check(reader_.reset(payload_), "schema record")) {
        vm::Value type, root, sql;
        if (check(reader_.column(0, type), "schema type") && check(reader_.column(3, root), "schema root") &&
            check(reader_.column(4, sql), "schema sql") && root.is_int() && root.int_value() > 1 &&
            root.int_value() <= 0xFFFFFFFF && static_cast<int>(trees_.size()) < opt_.max_trees) {
          bool is_index = type.text() == "index";
          std::string_view text = sql.text();
          if (text.find("WITHOUT ROWID") != std::string_view::npos ||
              text.find("without rowid") != std::string_view::npos) {
            is_index = true;
          }
          trees_.push_back({static_cast<PageNo>(root.int_value()), is_index});
        }
      }
    }
    if (!check(c.next(), "schema next")) return;
  }
}

void CaseRunner::walk_tree(const Tree& t) {
  BtCursor c(*bt_, t.root, false);
  if (check(c.first(), "first")) {
    for (int steps = 0; !c.eof() && steps < opt_.max_steps; steps++) {
      visit_entry(c, true);
      if (!check(c.next(), "next")) break;
    }
  }
  if (check(c.last(), "last")) {
    for (int steps = 0; !c.eof() && steps < opt_.max_steps; steps++) {
      visit_entry(c, false);
      if (!check(c.prev(), "prev")) break;
    }
  }
}

void CaseRunner::seek_tests(const Tree& t) {
  BtCursor c(*bt_, t.root, false);
  // Position once so is_table() is known.
  if (!check(c.first(), "first")) return;
  if (c.is_table()) {
    std::vector<int64_t> probes = {0, 1, -1, INT64_MIN, INT64_MAX};
    for (int i = 0; i < 8; i++) probes.push_back(static_cast<int64_t>(rng_()) >> (rng_() % 63));
    for (size_t i = 0; i < rowids_.size() && i < 16; i++) probes.push_back(rowids_[rng_() % rowids_.size()]);
    for (int64_t k : probes) {
      auto r = c.seek_rowid(k);
      if (check(r, "seek_rowid") && !c.eof()) {
        visit_entry(c, false);
        check(rng_() % 2 ? c.next() : c.prev(), "step after seek");
      }
    }
  } else {
    vm::KeyInfo ki;
    std::vector<std::vector<vm::Value>> probes;
    for (int i = 0; i < 6; i++) {
      probes.push_back({vm::Value::integer(static_cast<int64_t>(rng_() % 20000) - 5000)});
    }
    probes.push_back({vm::Value::text("row-1")});
    probes.push_back({vm::Value::null()});
    for (size_t i = 0; i < keys_.size() && i < 8; i++) {
      const auto& k = keys_[rng_() % keys_.size()];
      std::vector<vm::Value> fields(8);
      size_t n = vm::unpack_record(k.data(), k.size(), fields);
      fields.resize(n);  // borrows from keys_, which outlives the seeks
      if (n > 0) probes.push_back(std::move(fields));
    }
    for (auto& p : probes) {
      vm::UnpackedRecord probe;
      probe.key_info = &ki;
      probe.fields = p.data();
      probe.n_field = static_cast<uint16_t>(p.size());
      probe.default_rc = static_cast<int8_t>(static_cast<int>(rng_() % 3) - 1);
      ProbeComparator cmp(probe);
      auto r = c.seek_key(cmp);
      if (check(r, "seek_key") && !c.eof()) {
        visit_entry(c, false);
        check(rng_() % 2 ? c.next() : c.prev(), "step after seek");
      }
    }
  }
  check(c.count(), "count");
}

std::vector<uint8_t> CaseRunner::make_record(int cols, size_t big) {
  std::vector<vm::Value> vals;
  std::string text;
  for (int i = 0; i < cols; i++) {
    switch (rng_() % 5) {
      case 0:
        vals.push_back(vm::Value::null());
        break;
      case 1:
        vals.push_back(vm::Value::integer(static_cast<int64_t>(rng_()) >> (rng_() % 64)));
        break;
      case 2:
        vals.push_back(vm::Value::real(static_cast<double>(rng_() % 100000) / 7.0));
        break;
      default:
        text.assign(1 + rng_() % 40, static_cast<char>('a' + rng_() % 26));
        vals.push_back(vm::Value::text(text));
    }
  }
  if (big > 0) vals.push_back(vm::Value::zeroblob(static_cast<int64_t>(big)));
  std::vector<uint8_t> out;
  if (!vm::encode_record(vals, out).ok()) out.clear();
  // encode_record writes zero-blobs as zeros: give them some content.
  for (size_t i = out.size() > big ? out.size() - big : 0; i < out.size(); i += 97)
    out[i] = static_cast<uint8_t>(i);
  return out;
}

void CaseRunner::write_tree(const Tree& t) {
  // A second cursor parked on the tree across the writes: it must re-seek
  // (restore) through whatever the writes did to the damaged pages.
  BtCursor reader(*bt_, t.root, false, &order_);
  bool parked = check(rng_() % 2 ? reader.first() : reader.last(), "park reader") && !reader.eof();
  BtCursor c(*bt_, t.root, true, &order_);  // the page may be an index whatever the schema says
  if (!check(c.first(), "write first")) return;
  bool table = c.is_table();
  int n = 1 + static_cast<int>(rng_() % 8);
  for (int i = 0; i < n; i++) {
    size_t big = rng_() % 5 == 0 ? 2000 + rng_() % 150000 : 0;
    std::vector<uint8_t> rec = make_record(1 + static_cast<int>(rng_() % 4), big);
    if (table) {
      int64_t rowid = rowids_.empty() || rng_() % 2 ? static_cast<int64_t>(rng_() % 100000)
                                                    : rowids_[rng_() % rowids_.size()];
      if (!check(c.insert(rowid, rec,
                          rng_() % 4 == 0 ? storage::InsertHint::kAppend : storage::InsertHint::kNone),
                 "insert")) {
        return;
      }
    } else {
      if (!check(c.insert_key(rec), "insert_key")) return;
    }
  }
  // Deletes: single entries from either end or at a known rowid, or a run
  // of consecutive entries (underfull pages: merges with siblings).
  int d = static_cast<int>(rng_() % 4);
  for (int i = 0; i < d; i++) {
    Status s = rng_() % 2 ? c.first() : c.last();
    if (!check(s, "position for delete")) return;
    if (table && !rowids_.empty() && rng_() % 2) {
      auto r = c.seek_rowid(rowids_[rng_() % rowids_.size()]);
      if (!check(r, "seek for delete")) return;
    }
    int run = rng_() % 3 == 0 ? 1 + static_cast<int>(rng_() % 40) : 1;
    for (int k = 0; k < run && !c.eof(); k++) {
      if (!check(c.remove(), "remove")) return;
      if (k + 1 < run && !check(c.next(), "next after remove")) return;
    }
  }
  if (parked) {
    bool there = false;
    if (check(reader.restore(&there), "restore parked reader") && !reader.eof() && !reader.needs_restore()) {
      visit_entry(reader, false);
      check(reader.next(), "parked reader next");
    }
  }
}

void CaseRunner::incremental_and_meta() {
  if (bt_->auto_vacuum() == storage::AutoVacuum::kIncremental) {
    check(bt_->incremental_vacuum(static_cast<uint32_t>(rng_() % 8)), "incremental_vacuum");
  }
  auto cookie = bt_->get_meta(storage::Meta::kSchemaCookie);
  if (check(cookie, "get_meta")) check(bt_->set_meta(storage::Meta::kSchemaCookie, *cookie + 1), "set_meta");
}

void CaseRunner::write_phase() {
  phase_ = Phase::kWrite;
  failed_ = false;
  if (!check(bt_->begin_write(), "begin_write")) {
    check(bt_->rollback(), "rollback after begin_write");
    return;
  }
  std::vector<Tree> targets = trees_;
  std::shuffle(targets.begin(), targets.end(), rng_);
  if (targets.size() > 4) targets.resize(4);
  for (const Tree& t : targets) {
    if (t.root == 1) continue;  // keep sqlite_schema readable by the reopen
    write_tree(t);
  }
  if (rng_() % 3 == 0) {
    bool index = rng_() % 2;
    auto root = bt_->create_table(index ? storage::TreeKind::kIndex : storage::TreeKind::kTable);
    if (check(root, "create_table")) {
      Tree t{*root, index};
      {
        BtCursor c(*bt_, t.root, true, &order_);
        for (int i = 0; i < 20; i++) {
          std::vector<uint8_t> rec = make_record(2, i % 7 == 0 ? 5000 : 0);
          Status s = index ? c.insert_key(rec) : c.insert(i, rec);
          if (!check(s, "insert into new")) break;
        }
      }
      if (rng_() % 2) check(bt_->drop_table(t.root), "drop_table");
    }
  }
  if (rng_() % 4 == 0 && trees_.size() > 1) {
    const Tree& t = trees_[1 + rng_() % (trees_.size() - 1)];
    check(bt_->clear_table(t.root), "clear_table");
  }
  if (rng_() % 4 == 0 && trees_.size() > 1) {
    // Frees every page of a (possibly damaged) tree; under auto_vacuum the
    // last root moves into its slot, guided by the pointer map.
    size_t i = 1 + rng_() % (trees_.size() - 1);
    PageNo dropped = trees_[i].root;
    auto moved = bt_->drop_table(dropped);
    if (check(moved, "drop_table existing")) {
      trees_.erase(trees_.begin() + static_cast<std::ptrdiff_t>(i));
      for (Tree& t : trees_) {
        if (*moved != 0 && t.root == *moved) t.root = dropped;  // that tree now lives in the freed slot
      }
    }
  }
  incremental_and_meta();
  if (!failed_ && rng_() % 8 != 0) {
    if (check(bt_->commit(), "commit")) return;
  }
  check(bt_->rollback(), "rollback");
}

void CaseRunner::run() {
  path_ = "/keel-fuzz-" + std::to_string(g_case_counter.fetch_add(1)) + ".db";
  remove_files();
  if (!check(write_file(path_, in_.db, os::FileKind::kMainDb), "write db") ||
      (!in_.wal.empty() && !check(write_file(path_ + "-wal", in_.wal, os::FileKind::kWal), "write wal"))) {
    remove_files();
    return;
  }
  if (!in_.journal.empty() &&
      !check(write_file(path_ + "-journal", in_.journal, os::FileKind::kMainJournal), "write journal")) {
    remove_files();
    return;
  }
  if (open() && check(bt_->begin_read(), "begin_read")) {
    r_.opened = true;
    for (int m = 0; m <= 8; m++) check(bt_->get_meta(static_cast<storage::Meta>(m)), "get_meta");
    read_schema();
    for (const Tree& t : trees_) walk_tree(t);
    for (const Tree& t : trees_) seek_tests(t);
    std::vector<PageNo> roots;
    for (const Tree& t : trees_) roots.push_back(t.root);
    auto errs = bt_->integrity_check(roots);
    if (check(errs, "integrity_check") && !errs->empty()) {
      failed_ = true;
      r_.integrity_messages += errs->size();
    }
    r_.clean = !failed_;
    bt_->end_read();
    if (opt_.writes) write_phase();
  }
  close();
  // Reopen: whatever the write phase left (committed, rolled back, or a hot
  // journal after a failed rollback) must open and read as cleanly.
  if (opt_.writes && open() && check(bt_->begin_read(), "begin_read after reopen")) {
    rowids_.clear();
    keys_.clear();
    for (const Tree& t : trees_) walk_tree(t);
    std::vector<PageNo> roots;
    for (const Tree& t : trees_) roots.push_back(t.root);
    check(bt_->integrity_check(roots), "integrity_check after reopen");
    bt_->end_read();
  }
  close();
  remove_files();
}

}  // namespace

FuzzReport run_case(const FuzzInput& input, const HarnessOptions& options) {
  FuzzReport report;
  CaseRunner(input, options, report).run();
  return report;
}

FuzzInput split_fuzz_input(const uint8_t* data, size_t size) {
  FuzzInput in;
  uint64_t h = 1469598103934665603ull;  // FNV-1a over the input: the op seed
  for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 1099511628211ull;
  in.seed = h;
  if (size >= 5 && (data[0] & 1)) {
    uint32_t len = static_cast<uint32_t>(data[1]) | static_cast<uint32_t>(data[2]) << 8 |
                   static_cast<uint32_t>(data[3]) << 16 | static_cast<uint32_t>(data[4]) << 24;
    size_t rest = size - 5;
    size_t n = rest ? len % (rest + 1) : 0;
    in.db = {data + 5, n};
    std::span<const uint8_t> side = {data + 5 + n, rest - n};
    if (data[0] & 2) {
      in.journal = side;
    } else {
      in.wal = side;
    }
  } else if (size >= 1) {
    in.db = {data + 1, size - 1};
  }
  return in;
}

}  // namespace keel::fuzz
