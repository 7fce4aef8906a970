// VmCursor: what a VM cursor slot (P1 of the cursor opcodes) holds.
//
// Kinds, as SQLite's VdbeCursor:
//   kBtree     a b-tree cursor on a table or index of a database file;
//   kEphemeral a b-tree cursor on a private temporary b-tree (OpenEphemeral,
//              OpenAutoindex), which owns its own pager and b-tree;
//   kSorter    an external merge sorter (SorterOpen);
//   kPseudo    a single row held in a register (OpenPseudo);
//   kVirtual   a virtual-table cursor (VOpen), driven by the V* opcodes.
//
// The current row is decoded lazily: column(i) parses the record header only
// as far as column i. A payload that fits on its page is read in place;
// one that overflows is copied once per row into a buffer the cursor keeps,
// so reading columns allocates nothing in the steady state.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "keel/ext/virtual_table.hpp"
#include "keel/status.hpp"
#include "storage/btree/btree.h"
#include "storage/pager/pager.h"
#include "vm/record.h"
#include "vm/record_compare.h"
#include "vm/sorter.h"

namespace keel::vm {

// Adapts an unpacked probe key to the b-tree's comparator interface.
class RecordProbe final : public storage::KeyComparator {
 public:
  explicit RecordProbe(const UnpackedRecord& r) : r_(r) {}
  int compare(const uint8_t* key, size_t size) const override { return compare_record(key, size, r_); }

 private:
  const UnpackedRecord& r_;
};

// The sort order of an index b-tree, from its KeyInfo.
class RecordOrder final : public storage::KeyOrder {
 public:
  explicit RecordOrder(const KeyInfo* ki) : ki_(ki) {}
  int compare_keys(const uint8_t* a, size_t na, const uint8_t* b, size_t nb) const override {
    int err = 0;
    return compare_records(a, na, b, nb, *ki_, &err);
  }

 private:
  const KeyInfo* ki_;
};

class VmCursor {
 public:
  enum class Kind : uint8_t { kBtree, kEphemeral, kSorter, kPseudo, kVirtual };

  // A cursor on an existing b-tree. key_info is null for rowid tables.
  static std::unique_ptr<VmCursor> btree(storage::Btree& bt, storage::PageNo root, bool writable,
                                         const KeyInfo* key_info, int n_field);
  // A private temporary b-tree (an index tree when key_info is set).
  static Result<std::unique_ptr<VmCursor>> ephemeral(os::Vfs& vfs, const KeyInfo* key_info, int n_field);
  // A second cursor on the same ephemeral b-tree (OpenDup).
  static Result<std::unique_ptr<VmCursor>> duplicate(VmCursor& other);
  static std::unique_ptr<VmCursor> sorter(os::Vfs& vfs, const KeyInfo* key_info, int n_field);
  static std::unique_ptr<VmCursor> pseudo(int reg, int n_field);
  // A scan of a virtual table (the cursor its open() returned).
  static std::unique_ptr<VmCursor> virtual_table(std::unique_ptr<ext::VirtualCursor> cursor);

  ~VmCursor();

  Kind kind() const { return kind_; }
  bool is_table() const { return key_info_ == nullptr; }
  const KeyInfo* key_info() const { return key_info_; }
  storage::BtCursor* bt() { return cursor_.get(); }
  Sorter* sorter() { return sorter_.get(); }
  int pseudo_reg() const { return pseudo_reg_; }
  ext::VirtualCursor* vtab() { return vtab_.get(); }

  // Row state.
  bool eof() const { return eof_; }
  void set_eof(bool e) { eof_ = e; }
  bool null_row() const { return null_row_; }
  void set_null_row(bool n) {
    null_row_ = n;
    invalidate();
  }
  // The cached decode of the current row is stale (the cursor moved).
  void invalidate() { cached_ = false; }

  // Reads column i of the current row into out; a record shorter than the
  // table yields dflt (or NULL). `pseudo_value` is the register of a pseudo cursor.
  // With by_ref, TEXT/BLOB stay borrowed from the row (valid until the
  // cursor moves or its tree changes; see kOpflagColumnByRef).
  Status column(uint32_t i, Value& out, const Value* dflt, const Value* pseudo_value, bool by_ref = false);
  // The whole current payload (record), in place or from the cursor's buffer.
  Result<std::span<const uint8_t>> payload(const Value* pseudo_value);
  // Rowid of the current row of a table cursor.
  int64_t rowid() const;

  // The top-N prescan's candidates (vm/topn_prescan.h): Rewind and Next
  // visit only these rowids, ascending, of a table cursor. Cleared by
  // passing an empty list with `on` false.
  void restrict_to_rowids(std::vector<int64_t> rowids, bool on) {
    only_rowids_ = std::move(rowids);
    only_pos_ = 0;
    restricted_ = on;
  }
  bool restricted() const { return restricted_; }
  // Positions on the first listed rowid at or after position `from` of the
  // list that exists; eof if none.
  Status seek_listed(size_t from);
  // Next listed row.
  Status next_listed() { return seek_listed(only_pos_ + 1); }

  int64_t next_sequence() { return sequence_++; }
  // Rowid cache for NewRowid: the largest rowid known to exist, or 0.
  int64_t last_rowid_hint = 0;
  bool seek_result_valid = false;
  storage::SeekResult seek_result = storage::SeekResult::kFound;
  // DeferredSeek: the table cursor to position lazily, and from which index cursor.
  int n_field = 0;

 private:
  VmCursor() = default;
  Status load_row(const Value* pseudo_value);

  Kind kind_ = Kind::kBtree;
  const KeyInfo* key_info_ = nullptr;
  std::unique_ptr<RecordOrder> order_;
  // Ephemeral tables own their storage; shared between duplicates.
  struct EphemeralStore;
  std::shared_ptr<EphemeralStore> store_;
  std::unique_ptr<storage::BtCursor> cursor_;
  std::unique_ptr<Sorter> sorter_;
  int pseudo_reg_ = 0;
  std::unique_ptr<ext::VirtualCursor> vtab_;
  bool eof_ = true;
  bool null_row_ = false;
  bool cached_ = false;
  int64_t sequence_ = 0;
  // The furthest record byte a Column has read on this b-tree cursor: the
  // read-ahead hint given to the b-tree (BtCursor::set_readahead).
  uint32_t readahead_ = 0;
  RecordReader reader_;
  std::span<const uint8_t> pseudo_bytes_;  // the record last decoded (pseudo cursors)
  std::vector<uint8_t> overflow_buf_;
  std::vector<int64_t> only_rowids_;
  size_t only_pos_ = 0;
  bool restricted_ = false;
};

}  // namespace keel::vm
