// Cursor, storage, transaction and schema opcodes. Called from the main loop
// for every opcode it does not handle itself; same contract format.
#include <cmath>
#include <cstring>

#include "vm/affinity.h"
#include "vm/cursor.h"
#include "vm/numeric.h"
#include "vm/record.h"
#include "vm/topn_prescan.h"
#include "vm/vm.h"

namespace keel::vm {
namespace {

constexpr double kTwoPow63 = 9223372036854775808.0;

// A rowid seek key from a register, for SeekGE/GT/LE/LT on a table cursor.
// Returns false if no row can match; otherwise *key and possibly a changed
// *op (a REAL key turns >= 4.5 into > 4, and so on).
enum class RowidSeek { kKey, kNone, kFirst, kLast };

RowidSeek rowid_seek_key(const Value& in, Op* op, int64_t* key) {
  if (in.is_null()) return RowidSeek::kNone;
  Value v;
  v.copy_from(in);
  apply_numeric_affinity(v, true);
  if (v.is_int()) {
    *key = v.int_value();
    return RowidSeek::kKey;
  }
  bool ge_gt = *op == Op::SeekGE || *op == Op::SeekGT;
  if (!v.is_real()) {
    // Text and blobs sort after every number.
    return ge_gt ? RowidSeek::kNone : RowidSeek::kLast;
  }
  double r = v.real_value();
  if (r >= kTwoPow63) return ge_gt ? RowidSeek::kNone : RowidSeek::kLast;
  if (r < -kTwoPow63) return ge_gt ? RowidSeek::kFirst : RowidSeek::kNone;
  int64_t i = static_cast<int64_t>(r);
  if (static_cast<double>(i) != r) {
    // r lies strictly between i and its neighbour.
    if (r > 0) {
      // i < r < i+1
      if (*op == Op::SeekGE) *op = Op::SeekGT;
      if (*op == Op::SeekLT) *op = Op::SeekLE;
    } else {
      // i-1 < r < i
      if (*op == Op::SeekLE) *op = Op::SeekLT;
      if (*op == Op::SeekGT) *op = Op::SeekGE;
    }
  }
  *key = i;
  return RowidSeek::kKey;
}

}  // namespace

// Positions an index cursor for SeekGE/GT/LE/LT on the P4 key registers at
// P3; *found = false when no entry satisfies the relation.
Status Vm::seek_index_probe(const Instr& op, VmCursor& c, bool* found) {
  UnpackedRecord probe;
  probe.key_info = c.key_info();
  probe.fields = &regs_[op.p3];
  probe.n_field = static_cast<uint16_t>(op.p4.i);
  // Entries whose prefix equals the probe count as after it for GE and LT,
  // as before it for GT and LE.
  probe.default_rc = (op.op == Op::SeekGE || op.op == Op::SeekLT) ? 1 : -1;
  RecordProbe cmp(probe);
  storage::BtCursor* bt = c.bt();
  KEEL_ASSIGN_OR_RETURN(storage::SeekResult res, bt->seek_key(cmp));
  if (probe.err_code) return Status(rc::kCorrupt, "database disk image is malformed");
  c.invalidate();
  if (op.op == Op::SeekGE || op.op == Op::SeekGT) {
    if (!bt->eof() && res == storage::SeekResult::kLess) KEEL_RETURN_IF_ERROR(bt->next());
  } else {
    if (!bt->eof() && res == storage::SeekResult::kGreater) KEEL_RETURN_IF_ERROR(bt->prev());
  }
  *found = !bt->eof();
  return Status::Ok();
}

Status Vm::seek(const Instr& op, VmCursor& c) {
  c.set_null_row(false);
  if (c.is_table()) {
    Op rel = op.op;
    int64_t key = 0;
    storage::BtCursor* bt = c.bt();
    switch (rowid_seek_key(regs_[op.p3], &rel, &key)) {
      case RowidSeek::kNone:
        c.set_eof(true);
        jump(op.p2);
        return Status::Ok();
      case RowidSeek::kFirst:
        KEEL_RETURN_IF_ERROR(bt->first());
        break;
      case RowidSeek::kLast:
        KEEL_RETURN_IF_ERROR(bt->last());
        break;
      case RowidSeek::kKey: {
        KEEL_ASSIGN_OR_RETURN(storage::SeekResult res, bt->seek_rowid(key));
        if (!bt->eof()) {
          if (rel == Op::SeekGE && res == storage::SeekResult::kLess) {
            KEEL_RETURN_IF_ERROR(bt->next());
          } else if (rel == Op::SeekGT && res != storage::SeekResult::kGreater) {
            KEEL_RETURN_IF_ERROR(bt->next());
          } else if (rel == Op::SeekLE && res == storage::SeekResult::kGreater) {
            KEEL_RETURN_IF_ERROR(bt->prev());
          } else if (rel == Op::SeekLT && res != storage::SeekResult::kLess) {
            KEEL_RETURN_IF_ERROR(bt->prev());
          }
        }
        break;
      }
    }
    c.invalidate();
    c.set_eof(bt->eof());
    if (bt->eof()) jump(op.p2);
    return Status::Ok();
  }
  bool found = false;
  KEEL_RETURN_IF_ERROR(seek_index_probe(op, c, &found));
  c.set_eof(!found);
  if (!found) jump(op.p2);
  return Status::Ok();
}

Status Vm::exec_cursor_op(const Instr& op) {
  Value* r = regs_.data();
  auto cursor = [&](int i) -> VmCursor& { return *cursors_[i]; };

  switch (op.op) {
    // Opcode: OpenRead P1 P2 P3 P4 P5
    // Opens cursor P1 on the b-tree rooted at page P2 (or at the page in
    // register P2 with kOpflagP2IsReg) of database P3. P4 is the KeyInfo of
    // an index, or the number of columns of a table.
    case Op::OpenRead:
      return open_cursor(op, false);
    // Opcode: OpenWrite P1 P2 P3 P4 P5
    case Op::OpenWrite:
      return open_cursor(op, true);

    // Opcode: OpenEphemeral P1 P2 * P4 *
    // Opens cursor P1 on a new, empty temporary b-tree with P2 columns: an
    // index tree ordered by KeyInfo P4, or a rowid table without P4.
    case Op::OpenEphemeral:
    case Op::OpenAutoindex: {
      const KeyInfo* ki = op.p4type == P4Type::kKeyInfo ? op.p4.key_info : nullptr;
      KEEL_ASSIGN_OR_RETURN(cursors_[op.p1], VmCursor::ephemeral(host_.temp_vfs(), ki, op.p2));
      return Status::Ok();
    }

    // Opcode: OpenDup P1 P2 * * *
    // Cursor P1 becomes a second cursor on the ephemeral table of cursor P2.
    case Op::OpenDup: {
      KEEL_ASSIGN_OR_RETURN(cursors_[op.p1], VmCursor::duplicate(cursor(op.p2)));
      return Status::Ok();
    }

    // Opcode: OpenPseudo P1 P2 P3 * *
    // Cursor P1 reads its single row from the record in register P2 (P3 columns).
    case Op::OpenPseudo:
      cursors_[op.p1] = VmCursor::pseudo(op.p2, op.p3);
      return Status::Ok();

    // Opcode: SorterOpen P1 P2 * P4 *
    // Cursor P1 becomes a sorter of P2-column records ordered by KeyInfo P4.
    case Op::SorterOpen:
      cursors_[op.p1] = VmCursor::sorter(host_.temp_vfs(), op.p4.key_info, op.p2);
      return Status::Ok();

    // Opcode: Close P1 * * * *
    case Op::Close:
      cursors_[op.p1].reset();
      return Status::Ok();

    // Opcode: NullRow P1 * * * *
    // Cursor P1 points at a row of NULLs (outer joins).
    case Op::NullRow: {
      VmCursor& c = cursor(op.p1);
      c.set_null_row(true);
      c.set_eof(false);
      return Status::Ok();
    }

    // Opcode: Rewind P1 P2 * * *
    // Moves cursor P1 to its first entry; jump to P2 if there is none.
    case Op::Rewind:
    case Op::Last: {
      VmCursor& c = cursor(op.p1);
      c.set_null_row(false);
      if (c.kind() == VmCursor::Kind::kSorter) return Status(rc::kInternal, "Rewind on a sorter");
      if (op.op == Op::Rewind && c.restricted()) {
        n_fullscan_++;
        KEEL_RETURN_IF_ERROR(c.seek_listed(0));
        if (c.eof()) jump(op.p2);
        return Status::Ok();
      }
      if (op.op == Op::Rewind) {
        n_fullscan_++;
        KEEL_RETURN_IF_ERROR(c.bt()->first());
      } else {
        KEEL_RETURN_IF_ERROR(c.bt()->last());
      }
      c.invalidate();
      c.set_eof(c.bt()->eof());
      if (c.eof()) jump(op.p2);
      return Status::Ok();
    }

    // Opcode: TopNPrescan P1 P2 * P4 *
    // Before the top-N loop over table cursor P1: computes the candidate
    // rows for the LIMIT + OFFSET count in register P2 (vm/topn_prescan.h)
    // and restricts the cursor to them, or leaves it whole.
    case Op::TopNPrescan: {
      VmCursor& c = cursor(op.p1);
      c.restrict_to_rowids({}, false);
      const auto* spec = static_cast<const TopNPrescanSpec*>(op.p4.ptr);
      if (spec == nullptr || spec->key_end <= spec->key_first || c.kind() != VmCursor::Kind::kBtree ||
          !c.is_table() || !r[op.p2].is_int()) {
        return Status::Ok();
      }
      storage::Btree* bt = host_.btree(spec->db);
      if (bt == nullptr) return Status::Ok();
      TopNPrescanInput in;
      in.program = &program_;
      in.spec = spec;
      in.btree = bt;
      in.root = c.bt()->root();
      in.params = params_;
      in.k = r[op.p2].int_value();
      in.threads = host_.worker_threads();
      in.functions = &host_.function_host();
      in.max_length = host_.max_length();
      in.interrupted = [this] { return host_.interrupted(); };
      std::vector<int64_t> rowids;
      if (run_topn_prescan(in, &rowids)) c.restrict_to_rowids(std::move(rowids), true);
      return Status::Ok();
    }

    // Opcode: Next P1 P2 * * *
    // Advances cursor P1; jump to P2 if it is on a row afterwards.
    case Op::Next:
    case Op::Prev: {
      VmCursor& c = cursor(op.p1);
      if (c.eof() || c.null_row()) return Status::Ok();
      if (op.op == Op::Next && c.restricted()) {
        KEEL_RETURN_IF_ERROR(c.next_listed());
        if (!c.eof()) jump(op.p2);
        return Status::Ok();
      }
      if (op.op == Op::Next) {
        KEEL_RETURN_IF_ERROR(c.bt()->next());
      } else {
        KEEL_RETURN_IF_ERROR(c.bt()->prev());
      }
      c.invalidate();
      c.set_eof(c.bt()->eof());
      if (!c.eof()) jump(op.p2);
      return Status::Ok();
    }

    // Opcode: SeekRowid P1 P2 P3 * *
    // Moves table cursor P1 to the row whose rowid is register P3; jump to
    // P2 if there is no such row (or P3 is not an integer).
    // Opcode: NotExists P1 P2 P3 * *
    // The same, with P3 known to hold an integer.
    case Op::SeekRowid:
    case Op::NotExists: {
      VmCursor& c = cursor(op.p1);
      c.set_null_row(false);
      Value& key = r[op.p3];
      int64_t rowid;
      if (key.is_int()) {
        rowid = key.int_value();
      } else {
        // NUMERIC affinity, as SQLite: '2', ' 2' and 2.0 all seek rowid 2.
        Value tmp;
        tmp.copy_from(key);
        apply_affinity(tmp, Affinity::kNumeric);
        if (!tmp.is_int()) {
          c.set_eof(true);
          jump(op.p2);
          return Status::Ok();
        }
        rowid = tmp.int_value();
      }
      KEEL_ASSIGN_OR_RETURN(storage::SeekResult res, c.bt()->seek_rowid(rowid));
      c.invalidate();
      c.seek_result = res;
      c.seek_result_valid = true;
      if (c.bt()->eof() || res != storage::SeekResult::kFound) {
        c.set_eof(true);
        jump(op.p2);
      } else {
        c.set_eof(false);
      }
      return Status::Ok();
    }

    // Opcode: SeekGE P1 P2 P3 P4 *   (and SeekGT, SeekLE, SeekLT)
    // Moves cursor P1 to the first entry >= (>, or last <=, <) the key in the
    // P4 registers at P3 (for a table, the rowid in register P3); jump to P2
    // if there is none.
    case Op::SeekGE:
    case Op::SeekGT:
    case Op::SeekLE:
    case Op::SeekLT:
      return seek(op, cursor(op.p1));

    // Opcode: IdxGE P1 P2 P3 P4 *   (and IdxGT, IdxLE, IdxLT)
    // Compares the current entry of index cursor P1, without its trailing
    // rowid, with the P4 registers at P3; jump to P2 if the entry is >= (>,
    // <=, <) the key.
    case Op::IdxGE:
    case Op::IdxGT:
    case Op::IdxLE:
    case Op::IdxLT: {
      VmCursor& c = cursor(op.p1);
      KEEL_ASSIGN_OR_RETURN(auto key, c.payload(nullptr));
      UnpackedRecord probe;
      probe.key_info = c.key_info();
      probe.fields = &r[op.p3];
      probe.n_field = static_cast<uint16_t>(op.p4.i);
      probe.default_rc = 0;
      int cmp = compare_record(key.data(), key.size(), probe);
      if (probe.err_code) return Status(rc::kCorrupt, "database disk image is malformed");
      bool take;
      switch (op.op) {
        case Op::IdxGE:
          take = cmp >= 0;
          break;
        case Op::IdxGT:
          take = cmp > 0;
          break;
        case Op::IdxLE:
          take = cmp <= 0;
          break;
        default:
          take = cmp < 0;
          break;
      }
      if (take) jump(op.p2);
      return Status::Ok();
    }

    // Opcode: Found P1 P2 P3 P4 *
    // Jump to P2 if index cursor P1 has an entry whose prefix equals the key:
    // the P4 registers at P3, or, with P4 = 0, the record in register P3.
    // Opcode: NotFound P1 P2 P3 P4 *   — jump if it has none.
    // Opcode: NoConflict P1 P2 P3 P4 * — as NotFound, and also jump when a
    // key field is NULL (NULLs never conflict in a UNIQUE index).
    case Op::Found:
    case Op::NotFound:
    case Op::NoConflict:
    case Op::IfNoHope: {
      VmCursor& c = cursor(op.p1);
      if (op.op == Op::IfNoHope) return Status::Ok();
      std::vector<Value> unpacked;
      UnpackedRecord probe;
      probe.key_info = c.key_info();
      if (op.p4.i > 0) {
        probe.fields = &r[op.p3];
        probe.n_field = static_cast<uint16_t>(op.p4.i);
      } else {
        auto rec = r[op.p3].blob();
        unpacked.resize(c.key_info() ? c.key_info()->n_all_field : 64);
        size_t n = unpack_record(rec.data(), rec.size(), unpacked);
        probe.fields = unpacked.data();
        probe.n_field = static_cast<uint16_t>(n);
      }
      if (op.op == Op::NoConflict) {
        for (int i = 0; i < probe.n_field; i++) {
          if (probe.fields[i].is_null()) {
            jump(op.p2);
            return Status::Ok();
          }
        }
      }
      probe.default_rc = 0;
      RecordProbe cmp(probe);
      KEEL_ASSIGN_OR_RETURN(storage::SeekResult res, c.bt()->seek_key(cmp));
      if (probe.err_code) return Status(rc::kCorrupt, "database disk image is malformed");
      c.invalidate();
      c.set_null_row(false);
      bool found = !c.bt()->eof() && res == storage::SeekResult::kFound;
      c.set_eof(!found);
      if ((op.op == Op::Found) == found) jump(op.p2);
      return Status::Ok();
    }

    // Opcode: DeferredSeek P1 * P3 * *
    // Moves table cursor P3 to the row named by the rowid at the end of the
    // current entry of index cursor P1.
    case Op::DeferredSeek: {
      VmCursor& idx = cursor(op.p1);
      VmCursor& tab = cursor(op.p3);
      Value rowid;
      KEEL_ASSIGN_OR_RETURN(auto key, idx.payload(nullptr));
      RecordReader rr;
      KEEL_RETURN_IF_ERROR(rr.reset(key));
      uint32_t n = 0;
      KEEL_RETURN_IF_ERROR(rr.column_count(&n));
      if (n == 0) return Status(rc::kCorrupt, "database disk image is malformed");
      KEEL_RETURN_IF_ERROR(rr.column(n - 1, rowid));
      KEEL_ASSIGN_OR_RETURN(storage::SeekResult res, tab.bt()->seek_rowid(rowid.as_int64()));
      tab.invalidate();
      tab.set_null_row(false);
      if (tab.bt()->eof() || res != storage::SeekResult::kFound) {
        return Status(rc::kCorruptIndex, "database disk image is malformed");
      }
      tab.set_eof(false);
      return Status::Ok();
    }

    // Opcode: IdxRowid P1 P2 * * *
    // Register P2 = the rowid stored at the end of index cursor P1's entry.
    case Op::IdxRowid: {
      VmCursor& c = cursor(op.p1);
      if (c.null_row()) {
        r[op.p2].set_null();
        return Status::Ok();
      }
      KEEL_ASSIGN_OR_RETURN(auto key, c.payload(nullptr));
      RecordReader rr;
      KEEL_RETURN_IF_ERROR(rr.reset(key));
      uint32_t n = 0;
      KEEL_RETURN_IF_ERROR(rr.column_count(&n));
      if (n == 0) return Status(rc::kCorrupt, "database disk image is malformed");
      KEEL_RETURN_IF_ERROR(rr.column(n - 1, r[op.p2]));
      return Status::Ok();
    }

    // Opcode: Column P1 P2 P3 P4 P5
    // Register P3 = column P2 of the current row of cursor P1; P4 is the
    // value of a column missing from a short record (ALTER TABLE ADD COLUMN).
    case Op::Column: {
      VmCursor& c = cursor(op.p1);
      if (c.kind() == VmCursor::Kind::kVirtual) return exec_vtab_op(op);
      const Value* dflt = op.p4type == P4Type::kValue ? op.p4.value : nullptr;
      const Value* pseudo = c.kind() == VmCursor::Kind::kPseudo ? &r[c.pseudo_reg()] : nullptr;
      if (c.kind() != VmCursor::Kind::kPseudo && c.kind() != VmCursor::Kind::kSorter && c.eof() &&
          !c.null_row()) {
        r[op.p3].set_null();
        return Status::Ok();
      }
      return c.column(static_cast<uint32_t>(op.p2), r[op.p3], dflt, pseudo,
                      (op.p5 & kOpflagColumnByRef) != 0);
    }

    // Opcode: Rowid P1 P2 * * *
    // Register P2 = the rowid of cursor P1's current row (NULL on a NullRow).
    case Op::Rowid: {
      VmCursor& c = cursor(op.p1);
      if (c.kind() == VmCursor::Kind::kVirtual) return exec_vtab_op(op);
      if (c.null_row() || c.eof()) {
        r[op.p2].set_null();
      } else {
        r[op.p2].set_int(c.rowid());
      }
      return Status::Ok();
    }

    // Opcode: MakeRecord P1 P2 P3 P4 *
    // Register P3 = the record of registers P1..P1+P2-1, after applying the
    // affinity string P4 (if any) to them in place.
    case Op::MakeRecord: {
      Affinity affs[64];
      std::vector<Affinity> many;
      std::span<const Affinity> aff_span;
      if (op.p4type == P4Type::kAffinity && op.p4.str) {
        size_t n = std::strlen(op.p4.str);
        Affinity* dst = affs;
        if (n > 64) {
          many.resize(n);
          dst = many.data();
        }
        for (size_t i = 0; i < n && static_cast<int>(i) < op.p2; i++) {
          dst[i] = static_cast<Affinity>(op.p4.str[i]);
          apply_affinity(r[op.p1 + i], dst[i]);
        }
        aff_span = std::span<const Affinity>(dst, std::min<size_t>(n, op.p2));
      }
      RecordOptions opts;
      opts.affinities = aff_span;
      opts.max_length = static_cast<size_t>(host_.max_length());
      KEEL_RETURN_IF_ERROR(encode_record(std::span<const Value>(&r[op.p1], op.p2), record_buf_, opts));
      r[op.p3].set_blob(record_buf_);
      return Status::Ok();
    }

    // Opcode: NewRowid P1 P2 P3 * *
    // Register P2 = a rowid not used in table cursor P1: one more than the
    // largest, or a random unused one once the largest is the maximum. With
    // P3, register P3 holds the AUTOINCREMENT high-water mark, which the new
    // rowid must exceed and which is updated.
    case Op::NewRowid: {
      VmCursor& c = cursor(op.p1);
      storage::BtCursor* bt = c.bt();
      KEEL_RETURN_IF_ERROR(bt->last());
      c.invalidate();
      int64_t v = 1;
      bool use_random = false;
      if (!bt->eof()) {
        int64_t last = bt->rowid();
        if (last == INT64_MAX) {
          use_random = true;
        } else {
          v = last + 1;
        }
      }
      if (op.p3) {
        int64_t hw = r[op.p3].as_int64();
        if (hw == INT64_MAX || use_random) return Status(rc::kFull, "database or disk is full");
        if (v <= hw) v = hw + 1;
        r[op.p3].set_int(v);
      }
      if (use_random) {
        int tries = 0;
        for (;;) {
          uint64_t rnd = 0;
          host_.function_host().randomness(&rnd, sizeof rnd);
          v = static_cast<int64_t>(rnd & 0x7fffffffffffffffull) + 1;
          if (v <= 0) v = 1;
          KEEL_ASSIGN_OR_RETURN(storage::SeekResult res, bt->seek_rowid(v));
          if (bt->eof() || res != storage::SeekResult::kFound) break;
          if (++tries >= 100) return Status(rc::kFull, "database or disk is full");
        }
        c.invalidate();
      }
      c.set_eof(bt->eof());
      r[op.p2].set_int(v);
      return Status::Ok();
    }

    // Opcode: Insert P1 P2 P3 P4 P5
    // Writes the record in register P2 with the rowid in register P3 into
    // table cursor P1, replacing a row with that rowid. P5: kOpflagNChange
    // counts a change, kOpflagLastRowid sets last_insert_rowid, kOpflagAppend
    // hints that the rowid is the largest.
    case Op::Insert: {
      VmCursor& c = cursor(op.p1);
      int64_t rowid = r[op.p3].as_int64();
      const Value& data = r[op.p2];
      std::span<const uint8_t> bytes;
      if (data.is_blob()) {
        if (data.is_zeroblob()) r[op.p2].expand_zeroblob();
        bytes = r[op.p2].blob();
      }
      storage::InsertHint hint = (op.p5 & kOpflagAppend) ? storage::InsertHint::kAppend : storage::InsertHint::kNone;
      if (op.p4type == P4Type::kPointer &&
          (static_cast<const ChangeTarget*>(op.p4.ptr)->index_methods || host_.observing_changes())) {
        const auto& target = *static_cast<const ChangeTarget*>(op.p4.ptr);
        int kind = 1;
        int64_t old_rowid = rowid;
        if (op.p5 & kOpflagIsUpdate) {
          kind = 0;
          if (before_stashed_) {
            old_rowid = before_rowid_;
          } else {
            // The row being overwritten: its image before the insert.
            KEEL_ASSIGN_OR_RETURN(storage::SeekResult res, c.bt()->seek_rowid(rowid));
            c.invalidate();
            if (res == storage::SeekResult::kFound && !c.bt()->eof()) {
              KEEL_RETURN_IF_ERROR(read_before_image(c));
            } else {
              before_.clear();
            }
          }
        }
        before_stashed_ = false;
        KEEL_RETURN_IF_ERROR(c.bt()->insert(rowid, bytes, hint));
        KEEL_RETURN_IF_ERROR(host_.row_changed(target, kind, rowid, old_rowid,
                                               kind == 0 ? std::span<const uint8_t>(before_)
                                                         : std::span<const uint8_t>(),
                                               bytes));
      } else {
        KEEL_RETURN_IF_ERROR(c.bt()->insert(rowid, bytes, hint));
      }
      c.invalidate();
      c.set_eof(false);
      if (op.p5 & kOpflagNChange) {
        count_changes(1);
      } else if (op.p5 & kOpflagNestedChange) {
        host_.add_nested_changes(1);
      }
      if (op.p5 & kOpflagLastRowid) host_.set_last_insert_rowid(rowid);
      return Status::Ok();
    }

    // Opcode: Delete P1 P2 * * *
    // Deletes the current row (or entry) of cursor P1; P2 & kOpflagNChange
    // counts a change.
    case Op::Delete: {
      VmCursor& c = cursor(op.p1);
      if (op.p4type == P4Type::kPointer &&
          (static_cast<const ChangeTarget*>(op.p4.ptr)->index_methods || host_.observing_changes())) {
        const auto& target = *static_cast<const ChangeTarget*>(op.p4.ptr);
        int64_t rowid = c.bt()->rowid();
        KEEL_RETURN_IF_ERROR(read_before_image(c));
        KEEL_RETURN_IF_ERROR(c.bt()->remove());
        if (op.p2 & kOpflagIsUpdate) {
          before_stashed_ = true;
          before_rowid_ = rowid;
        } else {
          KEEL_RETURN_IF_ERROR(host_.row_changed(target, -1, rowid, rowid, before_, {}));
        }
      } else {
        KEEL_RETURN_IF_ERROR(c.bt()->remove());
      }
      c.invalidate();
      if (op.p2 & kOpflagNChange) {
        count_changes(1);
      } else if (op.p2 & kOpflagNestedChange) {
        host_.add_nested_changes(1);
      }
      return Status::Ok();
    }

    // Opcode: IdxInsert P1 P2 * * P5
    // Inserts the record in register P2 as a key of index cursor P1;
    // P5 & kOpflagNChange counts a change (WITHOUT ROWID tables).
    case Op::IdxInsert: {
      VmCursor& c = cursor(op.p1);
      if (c.kind() == VmCursor::Kind::kSorter) {
        return c.sorter()->add(r[op.p2].blob());
      }
      // The key is unpacked once here, not once per comparison of the seek.
      // kAppend: keys arriving in order (a sorted build) skip the seek.
      std::span<const uint8_t> key = r[op.p2].blob();
      const KeyInfo* ki = c.key_info();
      if (ki == nullptr) return c.bt()->insert_key(key);  // a table tree: the b-tree refuses it
      size_t want = ki->n_all_field ? ki->n_all_field : 16;
      if (key_fields_.size() < want) key_fields_.resize(want);
      size_t n = unpack_record(key.data(), key.size(), std::span<Value>(key_fields_.data(), want));
      if (n == 0) return Status(rc::kCorrupt, "database disk image is malformed");
      UnpackedRecord probe;
      probe.key_info = ki;
      probe.fields = key_fields_.data();
      probe.n_field = static_cast<uint16_t>(n);
      probe.default_rc = 0;
      RecordProbe cmp(probe);
      KEEL_RETURN_IF_ERROR(c.bt()->insert_key(key, storage::InsertHint::kAppend, &cmp));
      if (probe.err_code) return Status(rc::kCorrupt, "database disk image is malformed");
      c.invalidate();
      c.set_eof(false);
      if (op.p5 & kOpflagNChange) {
        count_changes(1);
      } else if (op.p5 & kOpflagNestedChange) {
        host_.add_nested_changes(1);
      }
      return Status::Ok();
    }

    // Opcode: IdxDelete P1 P2 P3 * *
    // Deletes the entry of index cursor P1 equal to the P3 registers at P2.
    case Op::IdxDelete: {
      VmCursor& c = cursor(op.p1);
      UnpackedRecord probe;
      probe.key_info = c.key_info();
      probe.fields = &r[op.p2];
      probe.n_field = static_cast<uint16_t>(op.p3);
      probe.default_rc = 0;
      RecordProbe cmp(probe);
      KEEL_ASSIGN_OR_RETURN(storage::SeekResult res, c.bt()->seek_key(cmp));
      if (probe.err_code) return Status(rc::kCorrupt, "database disk image is malformed");
      if (!c.bt()->eof() && res == storage::SeekResult::kFound) KEEL_RETURN_IF_ERROR(c.bt()->remove());
      c.invalidate();
      return Status::Ok();
    }

    // Opcode: Count P1 P2 * * *
    // Register P2 = the number of entries in cursor P1's b-tree.
    case Op::Count: {
      KEEL_ASSIGN_OR_RETURN(int64_t n, cursor(op.p1).bt()->count());
      r[op.p2].set_int(n);
      return Status::Ok();
    }

    // Opcode: Sequence P1 P2 * * *
    // Register P2 = the next value of cursor P1's sequence counter.
    case Op::Sequence:
      r[op.p2].set_int(cursor(op.p1).next_sequence());
      return Status::Ok();

    case Op::ResetCount:
      return Status::Ok();

    // Opcode: SorterInsert P1 P2 * * *
    case Op::SorterInsert:
      return cursor(op.p1).sorter()->add(r[op.p2].blob());

    // Opcode: SorterSort P1 P2 * * *
    // Sorts what sorter P1 holds and moves to the first record; jump to P2
    // if it is empty.
    case Op::SorterSort: {
      VmCursor& c = cursor(op.p1);
      n_sort_++;
      KEEL_RETURN_IF_ERROR(c.sorter()->sort());
      c.invalidate();
      c.set_eof(c.sorter()->eof());
      if (c.eof()) jump(op.p2);
      return Status::Ok();
    }
    // Opcode: SorterNext P1 P2 * * *
    case Op::SorterNext: {
      VmCursor& c = cursor(op.p1);
      KEEL_RETURN_IF_ERROR(c.sorter()->next());
      c.invalidate();
      c.set_eof(c.sorter()->eof());
      if (!c.eof()) jump(op.p2);
      return Status::Ok();
    }
    // Opcode: SorterData P1 P2 P3 * *
    // Register P2 = the current record of sorter P1; pseudo cursor P3, which
    // reads it, forgets its cached row.
    case Op::SorterData: {
      VmCursor& c = cursor(op.p1);
      r[op.p2].set_blob(c.sorter()->current());
      if (cursors_[op.p3]) cursors_[op.p3]->invalidate();
      return Status::Ok();
    }
    // Opcode: SorterCompare P1 P2 P3 P4 *
    // Jump to P2 if the first P4 fields of sorter P1's current record differ
    // from those of the record in register P3.
    case Op::SorterCompare: {
      int err = 0;
      int c = cursor(op.p1).sorter()->compare_current(r[op.p3].blob(), op.p4.i, &err);
      if (err) return Status(rc::kCorrupt, "database disk image is malformed");
      if (c != 0) jump(op.p2);
      return Status::Ok();
    }

    // Opcode: RowData P1 P2 * * *
    // Register P2 = the whole payload of cursor P1's current row.
    case Op::RowData: {
      KEEL_ASSIGN_OR_RETURN(auto bytes, cursor(op.p1).payload(nullptr));
      r[op.p2].set_blob(bytes);
      return Status::Ok();
    }

    // Opcode: Transaction P1 P2 P3 * P5
    // Begins a read (P2 = 0) or write (P2 = 1; 2 = exclusive) transaction on
    // database P1 if none is active. With P5, the schema cookie must equal
    // P3, else the statement fails with SQLITE_SCHEMA and is re-prepared.
    // A statement savepoint is opened when the program asks for one.
    case Op::Transaction: {
      KEEL_RETURN_IF_ERROR(host_.begin_transaction(
          op.p1, op.p2 != 0, op.p2 == 2, op.p2 != 0 && program_.statement_journal, op.p5 ? op.p3 : -1));
      in_statement_ = true;
      return Status::Ok();
    }

    // Opcode: AutoCommit P1 P2 * * *
    // BEGIN (P1 = 0), COMMIT (P1 = 1), ROLLBACK (P1 = 1, P2 = 1).
    case Op::AutoCommit:
      return host_.set_autocommit(op.p1 != 0, op.p2 != 0);

    // Opcode: Savepoint P1 * * P4 *
    // SAVEPOINT (P1 = 0), RELEASE (1) or ROLLBACK TO (2) the savepoint named P4.
    case Op::Savepoint:
      return host_.savepoint(op.p1, std::string_view(op.p4.str, op.p4n));

    // Opcode: ReadCookie P1 P2 P3 * *
    // Register P2 = header meta value P3 of database P1.
    case Op::ReadCookie: {
      storage::Btree* bt = host_.btree(op.p1);
      KEEL_ASSIGN_OR_RETURN(uint32_t v, bt->get_meta(static_cast<storage::Meta>(op.p3)));
      r[op.p2].set_int(static_cast<int64_t>(static_cast<int32_t>(v)));
      return Status::Ok();
    }
    // Opcode: SetCookie P1 P2 P3 * *
    // Header meta value P2 of database P1 = P3.
    case Op::SetCookie: {
      storage::Btree* bt = host_.btree(op.p1);
      KEEL_RETURN_IF_ERROR(bt->set_meta(static_cast<storage::Meta>(op.p2), static_cast<uint32_t>(op.p3)));
      if (op.p2 == static_cast<int>(storage::Meta::kSchemaCookie)) host_.schema_changed(op.p1);
      return Status::Ok();
    }

    // Opcode: CreateBtree P1 P2 P3 * *
    // Register P2 = the root page of a new table (P3 = 1) or index (P3 = 2)
    // b-tree in database P1.
    case Op::CreateBtree: {
      storage::Btree* bt = host_.btree(op.p1);
      KEEL_ASSIGN_OR_RETURN(storage::PageNo root, bt->create_table(op.p3 == 1 ? storage::TreeKind::kTable
                                                                              : storage::TreeKind::kIndex));
      r[op.p2].set_int(root);
      return Status::Ok();
    }
    // Opcode: Destroy P1 P2 P3 * *
    // Frees b-tree P1 of database P3; register P2 = the root page that
    // auto-vacuum moved into its place, or 0.
    case Op::Destroy: {
      storage::Btree* bt = host_.btree(op.p3);
      KEEL_ASSIGN_OR_RETURN(storage::PageNo moved, bt->drop_table(static_cast<storage::PageNo>(op.p1)));
      r[op.p2].set_int(moved);
      return Status::Ok();
    }
    // Opcode: Clear P1 P2 P3 * *
    // Deletes every entry of b-tree P1 in database P2; with P3, adds the
    // number deleted to register P3 and counts them as changes.
    case Op::Clear: {
      storage::Btree* bt = host_.btree(op.p2);
      KEEL_ASSIGN_OR_RETURN(int64_t n, bt->clear_table(static_cast<storage::PageNo>(op.p1)));
      if (op.p3) {
        // As SQLite's OP_Clear with P3: the rows count as changes.
        r[op.p3].set_int(r[op.p3].as_int64() + n);
        count_changes(n);
      }
      return Status::Ok();
    }

    // Opcode: ParseSchema P1 * * P4 *
    // Loads the schema entries of database P1 that match condition P4.
    case Op::ParseSchema:
      return host_.parse_schema(op.p1,
                                op.p4type == P4Type::kString ? std::string_view(op.p4.str, op.p4n) : "");

    // Opcode: DropTable P1 * * P4 *   (DropIndex, DropTrigger)
    // Forgets the schema object named P4 of database P1.
    case Op::DropTable:
    case Op::DropIndex:
    case Op::DropTrigger: {
      int kind = op.op == Op::DropTable ? 0 : op.op == Op::DropIndex ? 1 : 2;
      host_.drop_schema_object(op.p1, kind, std::string_view(op.p4.str, op.p4n));
      return Status::Ok();
    }

    // Opcode: IntegrityCk P1 P2 P3 P4 P5
    // Checks the P2 b-trees whose roots are the int array P4 in database P5;
    // register P1 = NULL if sound, else the messages joined by newlines
    // (at most register P3 of them).
    case Op::IntegrityCk: {
      storage::Btree* bt = host_.btree(op.p5);
      std::vector<storage::PageNo> roots;
      for (int i = 0; i < op.p4.ints[0]; i++)
        roots.push_back(static_cast<storage::PageNo>(op.p4.ints[1 + i]));
      int max_errors = static_cast<int>(r[op.p3].as_int64());
      KEEL_ASSIGN_OR_RETURN(auto msgs, bt->integrity_check(roots, max_errors > 0 ? max_errors : 100));
      if (msgs.empty()) {
        r[op.p1].set_null();
      } else {
        std::string joined;
        for (size_t i = 0; i < msgs.size(); i++) {
          if (i) joined += '\n';
          joined += msgs[i];
        }
        r[op.p1].set_text(joined);
      }
      return Status::Ok();
    }

    // Opcode: Pragma P1 P2 P3 P4 *
    // Runs the engine command P4 once per run, then each execution copies
    // its next P1-column result row to registers P3...; jump to P2 when the
    // rows are exhausted.
    case Op::Pragma: {
      if (!command_ran_) {
        command_rows_.clear();
        command_next_ = 0;
        // P5 bit 0: the command takes two arguments computed into P3, P3+1
        // (ATTACH's file and schema expressions); they go in as the rows.
        if (op.p5 & 1) {
          command_rows_.push_back(r[op.p3]);
          command_rows_.push_back(r[op.p3 + 1]);
        }
        KEEL_RETURN_IF_ERROR(host_.run_command(op.p4.ptr, command_rows_));
        command_ran_ = true;
      }
      if (op.p1 == 0 || command_next_ + op.p1 > command_rows_.size()) {
        command_ran_ = false;
        jump(op.p2);
        return Status::Ok();
      }
      for (int i = 0; i < op.p1; i++) r[op.p3 + i] = std::move(command_rows_[command_next_ + i]);
      command_next_ += op.p1;
      return Status::Ok();
    }

    case Op::VOpen:
    case Op::VFilter:
    case Op::VNext:
    case Op::VColumn:
    case Op::VUpdate:
    case Op::VCreate:
    case Op::VDestroy:
    case Op::VBegin:
      return exec_vtab_op(op);

    default:
      return Status(rc::kInternal, std::string("opcode not supported by this VM: ") + opcode_name(op.op));
  }
}

Status Vm::read_before_image(VmCursor& c) {
  storage::BtCursor* bt = c.bt();
  uint32_t n = bt->payload_size();
  before_.resize(n);
  if (n == 0) return Status::Ok();
  std::span<const uint8_t> local = bt->payload_local();
  if (local.size() >= n) {
    std::memcpy(before_.data(), local.data(), n);
    return Status::Ok();
  }
  return bt->read_payload(0, n, before_.data());
}

}  // namespace keel::vm
