#include "engine/backup.h"

#include <atomic>
#include <cstring>

#include "engine/connection.h"
#include "os/vfs.h"
#include "storage/pager/pager.h"

namespace keel::engine {
namespace {

uint32_t read_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// Opens a read transaction on a pager unless its connection already has one.
class ReadScope {
 public:
  ReadScope(Connection& conn, int db, storage::Pager& pager) : pager_(pager) {
    own_ = conn.transaction_state(db) == 0;
  }
  Status begin() { return own_ ? pager_.begin_read() : Status::Ok(); }
  ~ReadScope() {
    if (own_) pager_.end_read();
  }

 private:
  storage::Pager& pager_;
  bool own_;
};

}  // namespace

Result<std::unique_ptr<Backup>> Backup::start(Connection& dest, int dest_db, Connection& src, int src_db) {
  if (&dest == &src && dest_db == src_db) {
    return Status(rc::kError, "source and destination must be distinct");
  }
  if (dest.pager(dest_db) == nullptr) return Status(rc::kError, "unknown database");
  if (src.pager(src_db) == nullptr) return Status(rc::kError, "unknown database");
  if (dest.transaction_state(dest_db) != 0) return Status(rc::kError, "destination database is in use");
  return std::unique_ptr<Backup>(new Backup(dest, dest_db, src, src_db));
}

Result<int> Backup::step(int n) {
  if (done_) return rc::kDone;
  storage::Pager* sp = src_.pager(src_db_);
  storage::Pager* dp = dest_.pager(dest_db_);
  if (sp == nullptr || dp == nullptr) return Status(rc::kError, "unknown database");
  if (dest_.transaction_state(dest_db_) != 0) return Status(rc::kBusy, "database is locked");
  {
    ReadScope read(src_, src_db_, *sp);
    KEEL_RETURN_IF_ERROR(read.begin());
    uint32_t count = sp->page_count();
    uint32_t counter = 0;
    if (count > 0) {
      KEEL_ASSIGN_OR_RETURN(storage::PageRef p1, sp->get(1));
      counter = read_be32(p1.data() + 24);
    }
    if (next_ == 1 || counter != change_counter_ || count != page_count_ || sp->page_size() != page_size_) {
      // First step, or the source changed since the last one: start over.
      next_ = 1;
      pages_.clear();
      page_count_ = count;
      page_size_ = sp->page_size();
      change_counter_ = counter;
    }
    uint32_t want = n < 0 ? page_count_ : static_cast<uint32_t>(n);
    while (want > 0 && next_ <= page_count_) {
      KEEL_ASSIGN_OR_RETURN(storage::PageRef page, sp->get(next_));
      pages_.insert(pages_.end(), page.data(), page.data() + page_size_);
      next_++;
      want--;
    }
  }
  if (next_ <= page_count_) return rc::kOk;
  KEEL_RETURN_IF_ERROR(write_destination());
  done_ = true;
  pages_.clear();
  pages_.shrink_to_fit();
  return rc::kDone;
}

Status Backup::write_destination() {
  storage::Pager* dp = dest_.pager(dest_db_);
  KEEL_RETURN_IF_ERROR(dp->begin_write(false));
  Status s;
  if (dp->page_size() != page_size_) {
    if (dp->page_count() == 0) s = dp->set_page_size(page_size_);
    if (s.ok() && dp->page_size() != page_size_) {
      s = Status(rc::kReadOnly, "backup between databases of different page sizes is not supported");
    }
  }
  // The destination's schema cookie moves on from its old value, so other
  // connections to it reload their schema (as SQLite's backup does).
  uint32_t cookie = 0;
  if (s.ok() && dp->page_count() > 0) {
    auto p1 = dp->get(1);
    if (p1.ok()) {
      cookie = read_be32(p1->data() + 40);
    } else {
      s = p1.status();
    }
  }
  for (uint32_t pg = 1; s.ok() && pg <= page_count_; pg++) {
    auto ref = dp->get_no_content(pg);
    if (!ref.ok()) {
      s = ref.status();
      break;
    }
    s = dp->make_writable(*ref);
    if (!s.ok()) break;
    uint8_t* data = ref->mutable_data();
    std::memcpy(data, pages_.data() + static_cast<size_t>(pg - 1) * page_size_, page_size_);
    if (pg == 1) {
      // File format bytes: 2 in WAL mode, else 1 (as SQLite's backup).
      uint8_t v = dp->journal_mode() == storage::JournalModeKind::kWal ? 2 : 1;
      data[18] = v;
      data[19] = v;
      uint32_t next_cookie = cookie + 1;
      data[40] = static_cast<uint8_t>(next_cookie >> 24);
      data[41] = static_cast<uint8_t>(next_cookie >> 16);
      data[42] = static_cast<uint8_t>(next_cookie >> 8);
      data[43] = static_cast<uint8_t>(next_cookie);
    }
  }
  if (s.ok() && dp->page_count() > page_count_) s = dp->truncate(page_count_);
  if (s.ok()) s = dp->commit();
  if (!s.ok()) {
    dp->rollback().ignore();
    return s;
  }
  dest_.reset_schema(dest_db_);
  return Status::Ok();
}

Result<std::vector<uint8_t>> serialize(Connection& conn, int db) {
  storage::Pager* p = conn.pager(db);
  if (p == nullptr) return Status(rc::kError, "unknown database");
  ReadScope read(conn, db, *p);
  KEEL_RETURN_IF_ERROR(read.begin());
  uint32_t n = p->page_count();
  uint32_t size = p->page_size();
  std::vector<uint8_t> out;
  out.reserve(static_cast<size_t>(n) * size);
  for (uint32_t pg = 1; pg <= n; pg++) {
    KEEL_ASSIGN_OR_RETURN(storage::PageRef page, p->get(pg));
    out.insert(out.end(), page.data(), page.data() + size);
  }
  return out;
}

Status deserialize(Connection& conn, int db, const uint8_t* image, size_t size) {
  storage::Pager* p = conn.pager(db);
  if (p == nullptr) return Status(rc::kError, "unknown database");
  if (!p->is_memory()) {
    return Status(rc::kError,
                  "sqlite3_deserialize into a database stored in a file is not supported by Keel");
  }
  if (conn.transaction_state(db) != 0 || conn.active_statements() > 0) {
    return Status(rc::kBusy, "database is locked");
  }
  if (size < 100 || std::memcmp(image, "SQLite format 3", 16) != 0) {
    return Status(rc::kNotADb, "file is not a database");
  }
  // The image becomes a private in-memory file, opened as a connection of its
  // own, and is copied in with a backup.
  static std::atomic<uint64_t> counter{0};
  std::string name = "keel-deserialize-" + std::to_string(counter.fetch_add(1));
  os::Vfs& vfs = os::memory_vfs();
  {
    os::OpenFlags flags;
    flags.create = true;
    KEEL_ASSIGN_OR_RETURN(auto file, vfs.open(name, flags));
    KEEL_RETURN_IF_ERROR(file->write(image, size, 0));
  }
  OpenOptions opts;
  opts.vfs = &vfs;
  opts.create = false;
  Status s;
  {
    auto src = Connection::open(name, opts);
    if (!src.ok()) {
      s = src.status();
    } else {
      auto b = Backup::start(conn, db, **src, 0);
      if (!b.ok()) {
        s = b.status();
      } else {
        auto r = (*b)->step(-1);
        if (!r.ok()) s = r.status();
      }
    }
  }
  vfs.remove(name, false).ignore();
  return s;
}

}  // namespace keel::engine
