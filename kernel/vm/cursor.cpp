#include "vm/cursor.h"

#include <atomic>
#include <string>

namespace keel::vm {

struct VmCursor::EphemeralStore {
  std::unique_ptr<storage::Pager> pager;
  std::unique_ptr<storage::Btree> btree;
  storage::PageNo root = 0;
  ~EphemeralStore() {
    if (btree) btree->rollback().ignore();
  }
};

std::unique_ptr<VmCursor> VmCursor::btree(storage::Btree& bt, storage::PageNo root, bool writable,
                                          const KeyInfo* key_info, int n_field) {
  std::unique_ptr<VmCursor> c(new VmCursor());
  c->kind_ = Kind::kBtree;
  c->key_info_ = key_info;
  c->n_field = n_field;
  if (key_info) c->order_ = std::make_unique<RecordOrder>(key_info);
  c->cursor_ = std::make_unique<storage::BtCursor>(bt, root, writable, c->order_.get());
  return c;
}

Result<std::unique_ptr<VmCursor>> VmCursor::ephemeral(os::Vfs& vfs, const KeyInfo* key_info, int n_field) {
  static std::atomic<uint64_t> counter{0};
  auto store = std::make_shared<EphemeralStore>();
  storage::PagerOptions po;
  po.vfs = &vfs;
  po.memory = true;
  po.synchronous = storage::SyncLevel::kOff;
  po.cache_size = -2000;
  std::string name = "keel-ephemeral-" + std::to_string(counter.fetch_add(1));
  KEEL_ASSIGN_OR_RETURN(store->pager, storage::Pager::open(name, po));
  KEEL_RETURN_IF_ERROR(store->pager->set_journal_mode(storage::JournalModeKind::kOff));
  KEEL_ASSIGN_OR_RETURN(store->btree, storage::Btree::open(*store->pager));
  KEEL_RETURN_IF_ERROR(store->btree->begin_write());
  KEEL_ASSIGN_OR_RETURN(store->root, store->btree->create_table(key_info ? storage::TreeKind::kIndex
                                                                         : storage::TreeKind::kTable));
  std::unique_ptr<VmCursor> c(new VmCursor());
  c->kind_ = Kind::kEphemeral;
  c->key_info_ = key_info;
  c->n_field = n_field;
  if (key_info) c->order_ = std::make_unique<RecordOrder>(key_info);
  c->cursor_ = std::make_unique<storage::BtCursor>(*store->btree, store->root, true, c->order_.get());
  c->store_ = std::move(store);
  return c;
}

Result<std::unique_ptr<VmCursor>> VmCursor::duplicate(VmCursor& other) {
  if (other.kind_ != Kind::kEphemeral) return Status(rc::kInternal, "OpenDup on a non-ephemeral cursor");
  std::unique_ptr<VmCursor> c(new VmCursor());
  c->kind_ = Kind::kEphemeral;
  c->key_info_ = other.key_info_;
  c->n_field = other.n_field;
  if (c->key_info_) c->order_ = std::make_unique<RecordOrder>(c->key_info_);
  c->store_ = other.store_;
  c->cursor_ = std::make_unique<storage::BtCursor>(*c->store_->btree, c->store_->root, true, c->order_.get());
  return c;
}

std::unique_ptr<VmCursor> VmCursor::sorter(os::Vfs& vfs, const KeyInfo* key_info, int n_field) {
  std::unique_ptr<VmCursor> c(new VmCursor());
  c->kind_ = Kind::kSorter;
  c->key_info_ = key_info;
  c->n_field = n_field;
  // 64 MiB of records sorted in memory before a run spills to a temp file.
  c->sorter_ = std::make_unique<Sorter>(*key_info, vfs, size_t{64} << 20);
  return c;
}

std::unique_ptr<VmCursor> VmCursor::pseudo(int reg, int n_field) {
  std::unique_ptr<VmCursor> c(new VmCursor());
  c->kind_ = Kind::kPseudo;
  c->pseudo_reg_ = reg;
  c->n_field = n_field;
  c->eof_ = false;
  return c;
}

std::unique_ptr<VmCursor> VmCursor::virtual_table(std::unique_ptr<ext::VirtualCursor> cursor) {
  std::unique_ptr<VmCursor> c(new VmCursor());
  c->kind_ = Kind::kVirtual;
  c->vtab_ = std::move(cursor);
  return c;
}

VmCursor::~VmCursor() {
  // The b-tree cursor must go before the store that owns its b-tree.
  cursor_.reset();
}

int64_t VmCursor::rowid() const { return cursor_->rowid(); }

Result<std::span<const uint8_t>> VmCursor::payload(const Value* pseudo_value) {
  switch (kind_) {
    case Kind::kPseudo:
      if (!pseudo_value || !pseudo_value->is_blob()) return std::span<const uint8_t>();
      return pseudo_value->blob();
    case Kind::kSorter:
      return sorter_->current();
    case Kind::kBtree:
    case Kind::kEphemeral: {
      auto local = cursor_->payload_local();
      uint32_t size = cursor_->payload_size();
      if (local.size() >= size) return local.subspan(0, size);
      overflow_buf_.resize(size);
      KEEL_RETURN_IF_ERROR(cursor_->read_payload(0, size, overflow_buf_.data()));
      return std::span<const uint8_t>(overflow_buf_.data(), size);
    }
    case Kind::kVirtual:
      // A virtual table's row has no record: its columns come from VColumn.
      return Status(rc::kInternal, "record of a virtual-table row");
  }
  return std::span<const uint8_t>();
}

Status VmCursor::load_row(const Value* pseudo_value) {
  KEEL_ASSIGN_OR_RETURN(auto bytes, payload(pseudo_value));
  KEEL_RETURN_IF_ERROR(reader_.reset(bytes));
  pseudo_bytes_ = bytes;
  cached_ = true;
  return Status::Ok();
}

Status VmCursor::column(uint32_t i, Value& out, const Value* dflt, const Value* pseudo_value, bool by_ref) {
  if (null_row_) {
    out.set_null();
    return Status::Ok();
  }
  // A pseudo cursor's row is its register: SorterData, its only writer,
  // invalidates the decode; a register now holding other bytes does too.
  if (!cached_ || (kind_ == Kind::kPseudo && (pseudo_value == nullptr || !pseudo_value->is_blob() ||
                                              pseudo_value->blob().data() != pseudo_bytes_.data() ||
                                              pseudo_value->blob().size() != pseudo_bytes_.size()))) {
    KEEL_RETURN_IF_ERROR(load_row(pseudo_value));
  }
  KEEL_RETURN_IF_ERROR(reader_.column(i, out, dflt));
  if (kind_ == Kind::kBtree) {
    uint32_t end = reader_.column_end(i);
    if (end > readahead_) {
      readahead_ = end;
      cursor_->set_readahead(end);
    }
  }
  // Text and blobs are copied into the register's own (reused) buffer, as
  // SQLite's OP_Column does: the page or overflow buffer they came from
  // changes as soon as the cursor moves.
  if (out.is_borrowed() && !by_ref) out.make_owned();
  return Status::Ok();
}

Status VmCursor::seek_listed(size_t from) {
  invalidate();
  for (only_pos_ = from; only_pos_ < only_rowids_.size(); only_pos_++) {
    KEEL_ASSIGN_OR_RETURN(storage::SeekResult res, cursor_->seek_rowid(only_rowids_[only_pos_]));
    if (!cursor_->eof() && res == storage::SeekResult::kFound) {
      eof_ = false;
      return Status::Ok();
    }
  }
  eof_ = true;
  return Status::Ok();
}

}  // namespace keel::vm
