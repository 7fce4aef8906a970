// VACUUM, VACUUM INTO, and rebuilding a database through a new page codec.
//
// Design note (after SQLite 3.40's vacuum.c)
//
// The database is copied into a fresh image — a private in-memory database
// for VACUUM, the named file for VACUUM INTO — with the page size, reserved
// bytes and auto-vacuum mode it should have from now on:
//   1. the rows of sqlite_schema are read in rowid order and written to the
//      new image in the order SQLite's vacuum creates them: each table (its
//      automatic indexes and, after the first AUTOINCREMENT table,
//      sqlite_sequence right behind it), then the CREATE INDEX indexes, then
//      views, triggers and virtual tables; every b-tree gets a new root,
//      allocated before any row is copied (so roots lead the file, as in
//      SQLite's output and as auto-vacuum wants them);
//   2. each table's entries, then its indexes' entries, are appended in
//      order as stored records — no value is decoded or re-encoded, as in
//      SQLite's transfer optimization — so rows are byte for byte the same;
//   3. the header meta values SQLite keeps are copied: schema cookie + 1,
//      default cache size, text encoding, user_version, application_id.
// For VACUUM the image then replaces the database, while the write lock
// taken in step 0 is still held: through an ordinary write transaction when
// the geometry is unchanged (every page journaled as usual, rollback or
// WAL), or through Pager::rewrite when the page size, the reserved bytes or
// the page codec change (the old file goes into the rollback journal as
// stored, pager_rewrite.cpp). Either way a crash leaves the old database or
// the new one.
//
// Rules kept from SQLite: no VACUUM inside a transaction or while another
// statement of the connection runs; VACUUM of temp does nothing; a pending
// PRAGMA page_size / auto_vacuum applies (not the page size of an in-memory
// database or, for VACUUM in place, of a WAL database); VACUUM INTO refuses
// a file that already has content.
#include <algorithm>
#include <cstring>

#include "engine/connection.h"
#include "storage/pager/db_header.h"
#include "vm/collation.h"
#include "vm/cursor.h"
#include "vm/record.h"

namespace keel::engine {
namespace {

using storage::BtCursor;
using storage::Btree;
using storage::PageNo;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    if (tolower(static_cast<unsigned char>(a[i])) != tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); i++) {
    if (iequals(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

// One row of sqlite_schema, owned.
struct SchemaRow {
  std::string type, name, tbl;
  int64_t root = 0;
  bool has_sql = false;
  std::string sql;
  PageNo new_root = 0;
  bool is_table_tree = true;
};

// The payload of the cursor's current entry: in place when it has no
// overflow, else copied into `buf`.
Result<std::span<const uint8_t>> entry_payload(BtCursor& c, std::vector<uint8_t>& buf) {
  std::span<const uint8_t> local = c.payload_local();
  uint32_t size = c.payload_size();
  if (local.size() == size) return local;
  buf.resize(size);
  KEEL_RETURN_IF_ERROR(c.read_payload(0, size, buf.data()));
  return std::span<const uint8_t>(buf.data(), size);
}

Status read_schema(Btree& src, std::vector<SchemaRow>& rows) {
  BtCursor c(src, 1, false);
  std::vector<uint8_t> buf;
  std::vector<vm::Value> cols;
  KEEL_RETURN_IF_ERROR(c.first());
  while (!c.eof()) {
    KEEL_ASSIGN_OR_RETURN(std::span<const uint8_t> rec, entry_payload(c, buf));
    KEEL_RETURN_IF_ERROR(vm::decode_record(rec, cols));
    if (cols.size() < 5) return Status(rc::kCorrupt, "database disk image is malformed");
    SchemaRow r;
    vm::NumberText nt;
    r.type = std::string(cols[0].as_text(nt));
    r.name = std::string(cols[1].as_text(nt));
    r.tbl = std::string(cols[2].as_text(nt));
    r.root = cols[3].is_null() ? 0 : cols[3].as_int64();
    r.has_sql = !cols[4].is_null();
    if (r.has_sql) r.sql = std::string(cols[4].as_text(nt));
    rows.push_back(std::move(r));
    KEEL_RETURN_IF_ERROR(c.next());
  }
  return Status::Ok();
}

// sqlite_schema rows in the order SQLite's vacuum creates them (see the
// design note); rows it does not copy are left out.
std::vector<SchemaRow*> creation_order(std::vector<SchemaRow>& rows) {
  std::vector<SchemaRow*> out;
  SchemaRow* sequence = nullptr;
  for (auto& r : rows) {
    if (r.type == "table" && iequals(r.name, "sqlite_sequence") && r.root > 0) sequence = &r;
  }
  const SchemaRow* sequence_row = sequence;
  for (auto& r : rows) {
    if (r.type != "table" || r.root <= 0 || &r == sequence_row) continue;
    out.push_back(&r);
    for (auto& ix : rows) {
      if (ix.type == "index" && !ix.has_sql && ix.root > 0 && iequals(ix.tbl, r.name)) out.push_back(&ix);
    }
    if (sequence != nullptr && icontains(r.sql, "autoincrement")) {
      out.push_back(sequence);
      sequence = nullptr;
    }
  }
  if (sequence != nullptr) out.push_back(sequence);
  for (auto& r : rows) {
    if (r.type == "index" && r.has_sql && r.root > 0) out.push_back(&r);
  }
  for (auto& r : rows) {
    if (r.type == "view" || r.type == "trigger" || (r.type == "table" && r.root == 0)) out.push_back(&r);
  }
  return out;
}

// Appends every entry of tree `from` (in `src`) to the empty tree `to` (in
// `dst`), as stored.
Status copy_tree(Btree& src, PageNo from, Btree& dst, PageNo to, bool is_table,
                 const storage::KeyOrder* order) {
  BtCursor in(src, from, false);
  BtCursor out(dst, to, true, order);
  out.set_bulk_load(true);
  std::vector<uint8_t> buf;
  KEEL_RETURN_IF_ERROR(in.first());
  while (!in.eof()) {
    KEEL_ASSIGN_OR_RETURN(std::span<const uint8_t> payload, entry_payload(in, buf));
    if (is_table) {
      KEEL_RETURN_IF_ERROR(out.insert(in.rowid(), payload, storage::InsertHint::kAppend));
    } else {
      KEEL_RETURN_IF_ERROR(out.insert_key(payload, storage::InsertHint::kAppend));
    }
    KEEL_RETURN_IF_ERROR(in.next());
  }
  return Status::Ok();
}

// What the new image looks like.
struct ImageSpec {
  uint32_t page_size = 4096;
  uint8_t reserved = 0;
  storage::AutoVacuum auto_vacuum = storage::AutoVacuum::kNone;
  bool memory = true;  // a private in-memory image, else `path` on `vfs`
  std::string path;
  os::Vfs* vfs = nullptr;
  storage::SyncLevel sync = storage::SyncLevel::kFull;
};

struct Image {
  std::unique_ptr<storage::Pager> pager;
  std::unique_ptr<Btree> btree;
};

}  // namespace

Status Connection::vacuum(int db, const std::string* into, const std::shared_ptr<ext::PageCodec>* codec) {
  if (!autocommit_) return Status(rc::kError, "cannot VACUUM from within a transaction");
  if (active_statements_ > 1) return Status(rc::kError, "cannot VACUUM - SQL statements in progress");
  if (db == 1 && codec == nullptr) return Status::Ok();  // as SQLite: VACUUM temp is a no-op
  if (db < 0 || db >= static_cast<int>(dbs_.size()) || !dbs_[db].btree || db == 1) {
    return Status(rc::kError, "unknown database");
  }
  Db& d = dbs_[db];
  if (d.txn != 0) return Status(rc::kError, "cannot VACUUM from within a transaction");
  if (into == nullptr && d.read_only) return Status(rc::kReadOnly, "attempt to write a readonly database");
  KEEL_RETURN_IF_ERROR(ensure_schema(db));
  storage::Pager& pager = *d.pager;
  Btree& src = *d.btree;

  ImageSpec spec;
  if (into != nullptr) {
    if (into->empty()) return Status(rc::kError, "unable to open database: ");
    spec.memory = false;
    spec.vfs = vfs_;
    spec.path = *into;
    KEEL_ASSIGN_OR_RETURN(bool exists, vfs_->exists(*into));
    if (exists) {
      os::OpenFlags flags;
      flags.read_only = true;
      KEEL_ASSIGN_OR_RETURN(auto f, vfs_->open(*into, flags));
      auto size = f->size();
      if (!size.ok() || *size > 0) return Status(rc::kError, "output file already exists");
    }
  }

  // Step 0: lock the source. VACUUM in place keeps the write lock until the
  // new content is committed, so no other writer slips in between.
  bool in_place = into == nullptr;
  bool wal = pager.journal_mode() == storage::JournalModeKind::kWal ||
             pager.journal_mode() == storage::JournalModeKind::kModule;
  if (codec != nullptr && wal) {
    return Status(
        rc::kError,
        "cannot change the page codec of a database in WAL mode: set PRAGMA journal_mode = DELETE first");
  }
  // The write lock is the pager's own (Btree::begin_write would lay out
  // page 1 of an empty file, a change Pager::rewrite must not find).
  KEEL_RETURN_IF_ERROR(src.begin_read());
  if (in_place) {
    Status w = pager.begin_write(/*exclusive=*/true);
    if (!w.ok()) {
      src.end_read();
      return w;
    }
    if (pager.page_count() == 0 && codec == nullptr) {
      pager.rollback().ignore();  // an empty file: nothing to vacuum
      return Status::Ok();
    }
  }
  auto end_source = [&](bool rollback) {
    if (in_place && rollback) {
      pager.rollback().ignore();
    } else {
      src.end_read();
    }
  };

  // The new image's geometry.
  spec.page_size = src.page_size();
  spec.reserved = static_cast<uint8_t>(src.page_size() - src.usable_size());
  uint32_t want = next_page_size_;
  if (want != 0 && storage::dbheader::valid_page_size(want) && !d.memory && !(in_place && wal)) {
    spec.page_size = want;
  }
  if (codec != nullptr) spec.reserved = *codec ? (*codec)->reserved_bytes() : 0;
  if (spec.page_size - spec.reserved < storage::dbheader::kMinUsableSize) spec.page_size = src.page_size();
  if (spec.page_size - spec.reserved < storage::dbheader::kMinUsableSize) {
    end_source(true);
    return Status(rc::kError, "page size " + std::to_string(spec.page_size) +
                                  " leaves too little room beside " + std::to_string(spec.reserved) +
                                  " reserved bytes: set a larger PRAGMA page_size");
  }
  spec.auto_vacuum =
      next_auto_vacuum_ >= 0 ? static_cast<storage::AutoVacuum>(next_auto_vacuum_) : src.auto_vacuum();
  spec.sync = pager.synchronous();

  Image img;
  Status s = [&]() -> Status {
    storage::PagerOptions po;
    po.vfs = spec.memory ? &os::memory_vfs() : spec.vfs;
    po.memory = spec.memory;
    po.create = true;
    po.page_size = spec.page_size;
    po.reserved_bytes = spec.reserved;
    po.synchronous = spec.sync;
    po.cache_size = pager.cache_size();
    KEEL_ASSIGN_OR_RETURN(img.pager, storage::Pager::open(spec.memory ? "" : spec.path, po));
    if (img.pager->page_size() != spec.page_size)
      KEEL_RETURN_IF_ERROR(img.pager->set_page_size(spec.page_size));
    KEEL_ASSIGN_OR_RETURN(img.btree, Btree::open(*img.pager));
    Btree& dst = *img.btree;
    KEEL_RETURN_IF_ERROR(dst.begin_write());
    KEEL_RETURN_IF_ERROR(dst.set_auto_vacuum(spec.auto_vacuum));

    // 1. Schema rows and new roots.
    std::vector<SchemaRow> rows;
    if (src.page_count() > 0) KEEL_RETURN_IF_ERROR(read_schema(src, rows));
    std::vector<SchemaRow*> order = creation_order(rows);
    bool any_tree = false;
    for (SchemaRow* r : order) {
      if (r->root <= 0) continue;
      BtCursor peek(src, static_cast<PageNo>(r->root), false);
      KEEL_RETURN_IF_ERROR(peek.first());
      r->is_table_tree = peek.is_table();
      KEEL_ASSIGN_OR_RETURN(r->new_root, dst.create_table(r->is_table_tree ? storage::TreeKind::kTable
                                                                           : storage::TreeKind::kIndex));
      any_tree = true;
    }
    {
      BtCursor schema(dst, 1, true);
      std::vector<uint8_t> rec;
      int64_t rowid = 0;
      for (SchemaRow* r : order) {
        vm::Value v[5] = {vm::Value::text(r->type), vm::Value::text(r->name), vm::Value::text(r->tbl),
                          vm::Value::integer(r->root > 0 ? static_cast<int64_t>(r->new_root) : r->root),
                          r->has_sql ? vm::Value::text(r->sql) : vm::Value::null()};
        KEEL_RETURN_IF_ERROR(vm::encode_record(v, rec));
        KEEL_RETURN_IF_ERROR(schema.insert(++rowid, rec, storage::InsertHint::kAppend));
      }
    }

    // 2. Entries: each table, then its indexes. Index trees need their sort
    // order (collations, DESC), from the catalog.
    std::vector<std::unique_ptr<vm::KeyInfo>> infos;
    auto key_order = [&](const SchemaRow& r) -> Result<std::unique_ptr<vm::RecordOrder>> {
      const plan::Index* idx = nullptr;
      for (const auto& [n, ix] : catalog_.database(db).indexes()) {
        if (ix->root == static_cast<uint32_t>(r.root)) idx = ix.get();
      }
      for (const auto& [n, t] : catalog_.database(db).tables()) {
        if (t->root == static_cast<uint32_t>(r.root) && t->primary_key != nullptr) idx = t->primary_key;
      }
      if (idx == nullptr) return Status(rc::kCorrupt, "malformed database schema (" + r.name + ")");
      auto ki = std::make_unique<vm::KeyInfo>();
      ki->n_key_field = static_cast<uint16_t>(idx->n_key_columns);
      ki->n_all_field = static_cast<uint16_t>(idx->columns.size());
      for (size_t i = 0; i < idx->columns.size(); i++) {
        std::string coll = i < idx->collations.size() ? idx->collations[i] : "";
        if (coll.empty() && idx->columns[i] >= 0 && idx->table != nullptr &&
            idx->columns[i] < static_cast<int>(idx->table->columns.size())) {
          coll = idx->table->columns[idx->columns[i]].collation;
        }
        const vm::Collation* c = nullptr;
        if (!coll.empty() && !iequals(coll, "binary")) {
          c = find_collation(coll);
          if (c == nullptr) return Status(rc::kError, "no such collation sequence: " + coll);
        }
        ki->collations.push_back(c);
        ki->sort_flags.push_back(i < idx->desc.size() && idx->desc[i] ? vm::kSortDesc : 0);
      }
      auto ro = std::make_unique<vm::RecordOrder>(ki.get());
      infos.push_back(std::move(ki));
      return ro;
    };
    auto copy_row_tree = [&](SchemaRow& r) -> Status {
      if (r.is_table_tree) {
        return copy_tree(src, static_cast<PageNo>(r.root), dst, r.new_root, true, nullptr);
      }
      KEEL_ASSIGN_OR_RETURN(std::unique_ptr<vm::RecordOrder> ro, key_order(r));
      return copy_tree(src, static_cast<PageNo>(r.root), dst, r.new_root, false, ro.get());
    };
    std::vector<bool> copied(order.size(), false);
    for (size_t i = 0; i < order.size(); i++) {
      SchemaRow& t = *order[i];
      if (t.type != "table" || t.root <= 0) continue;
      KEEL_RETURN_IF_ERROR(copy_row_tree(t));
      copied[i] = true;
      for (size_t j = 0; j < order.size(); j++) {
        SchemaRow& ix = *order[j];
        if (copied[j] || ix.type != "index" || ix.root <= 0 || !iequals(ix.tbl, t.name)) continue;
        KEEL_RETURN_IF_ERROR(copy_row_tree(ix));
        copied[j] = true;
      }
    }
    for (size_t i = 0; i < order.size(); i++) {
      if (!copied[i] && order[i]->root > 0) KEEL_RETURN_IF_ERROR(copy_row_tree(*order[i]));
    }

    // 3. Header meta values.
    KEEL_ASSIGN_OR_RETURN(uint32_t cookie, src.get_meta(storage::Meta::kSchemaCookie));
    KEEL_RETURN_IF_ERROR(dst.set_meta(storage::Meta::kSchemaCookie, cookie + 1));
    KEEL_RETURN_IF_ERROR(dst.set_meta(storage::Meta::kSchemaFormat, any_tree ? 4 : 0));
    for (storage::Meta m : {storage::Meta::kDefaultCacheSize, storage::Meta::kTextEncoding,
                            storage::Meta::kUserVersion, storage::Meta::kApplicationId}) {
      KEEL_ASSIGN_OR_RETURN(uint32_t v, src.get_meta(m));
      KEEL_RETURN_IF_ERROR(dst.set_meta(m, v));
    }
    return dst.commit();
  }();
  if (!s.ok()) {
    if (img.btree) img.btree->rollback().ignore();
    img.btree.reset();
    img.pager.reset();
    end_source(true);
    if (!spec.memory) vfs_->remove(spec.path, false).ignore();
    return s;
  }
  if (!in_place) {
    end_source(false);
    return Status::Ok();
  }

  // Copy the image back over the database, still under the write lock.
  storage::Pager& ip = *img.pager;
  s = ip.begin_read();
  PageNo pages = ip.page_count();
  bool same_geometry =
      ip.page_size() == pager.page_size() && ip.usable_size() == pager.usable_size() && codec == nullptr;
  if (s.ok() && same_geometry) {
    PageNo old_pages = pager.page_count();
    PageNo pending = storage::dbheader::pending_byte_page(pager.page_size());
    uint8_t format = 1;
    if (old_pages > 0) {
      auto p1 = pager.get(1);
      if (p1.ok()) {
        format = p1->data()[storage::dbheader::kOffReadVersion];
      } else {
        s = p1.status();
      }
    }
    for (PageNo pg = 1; s.ok() && pg <= pages; pg++) {
      if (pg == pending) continue;
      auto from = ip.get(pg);
      if (!from.ok()) {
        s = from.status();
        break;
      }
      auto to = pager.get_no_content(pg);
      if (!to.ok()) {
        s = to.status();
        break;
      }
      s = pager.make_writable(*to);
      if (!s.ok()) break;
      std::memcpy(to->mutable_data(), from->data(), pager.page_size());
      if (pg == 1) {
        // Keep the file's format bytes (2 in WAL mode, a module's mode's).
        to->mutable_data()[storage::dbheader::kOffWriteVersion] = format;
        to->mutable_data()[storage::dbheader::kOffReadVersion] = format;
      }
    }
    if (s.ok() && old_pages != pages) s = pager.truncate(pages);
    if (s.ok()) s = pager.commit();
    if (!s.ok()) pager.rollback().ignore();
  } else if (s.ok()) {
    s = pager.rewrite(ip.page_size(), pages, codec != nullptr ? codec->get() : d.codec.get(),
                      [&](PageNo n, uint8_t* out) -> Status {
                        KEEL_ASSIGN_OR_RETURN(storage::PageRef p, ip.get(n));
                        std::memcpy(out, p.data(), ip.page_size());
                        return Status::Ok();
                      });
    if (s.ok() && codec != nullptr) d.codec = *codec;
    if (!s.ok()) pager.rollback().ignore();
  } else {
    end_source(true);
  }
  ip.end_read();
  img.btree.reset();
  img.pager.reset();
  reset_schema(db);
  return s;
}

Status Connection::rebuild_database(int db, std::shared_ptr<ext::PageCodec> codec) {
  if (db == 1) return Status(rc::kError, "cannot change the page codec of the temp database");
  if (db < 0 || db >= static_cast<int>(dbs_.size()) || !dbs_[db].pager)
    return Status(rc::kError, "unknown database");
  if (dbs_[db].memory) return Status(rc::kError, "cannot change the page codec of an in-memory database");
  if (!autocommit_ || dbs_[db].txn != 0) return Status(rc::kError, "cannot VACUUM from within a transaction");
  if (active_statements_ > 1) return Status(rc::kError, "cannot VACUUM - SQL statements in progress");
  // A WAL holds frames of one codec: the rebuild runs in DELETE mode (the
  // log checkpointed and removed first, which needs the only connection),
  // then the database returns to WAL. A crash in between leaves it in
  // DELETE mode, under the old key or the new one.
  storage::Pager& pager = *dbs_[db].pager;
  bool was_wal = pager.journal_mode() == storage::JournalModeKind::kWal;
  if (was_wal) KEEL_RETURN_IF_ERROR(pager.set_journal_mode(storage::JournalModeKind::kDelete));
  Status s = vacuum(db, nullptr, &codec);
  if (was_wal) {
    Status back = pager.set_journal_mode(storage::JournalModeKind::kWal);
    if (s.ok() && !back.ok()) {
      return Status(back.code(), "the database was re-encoded but stays in journal_mode=delete: " +
                                     std::string(back.message()));
    }
  }
  return s;
}

}  // namespace keel::engine
