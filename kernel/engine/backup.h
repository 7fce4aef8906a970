// Backup: copying one database of a connection into a database of another
// (or the same) connection page by page, as sqlite3_backup does; and whole-
// database images in memory (sqlite3_serialize / sqlite3_deserialize).
//
// How a backup proceeds: each step() reads up to N more pages of the source
// inside a read transaction and keeps them; once every page is read, the
// destination is overwritten with them in one write transaction (so a reader
// of the destination sees the old or the new database, never a mix) and the
// step returns rc::kDone. If the source changes between steps (its file
// change counter moves), the copy restarts from page 1, as SQLite restarts
// a backup whose source was written by another connection.
//
// Limits: the pages are held in memory until the final step; the
// destination must have the source's page size unless it is empty.
//
// Thread-safety: as the Connections involved; both must stay open until the
// Backup is destroyed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "keel/status.hpp"

namespace keel::engine {

class Connection;

class Backup {
 public:
  // dest_db/src_db: database indexes (0 main, 1 temp, 2.. attached).
  static Result<std::unique_ptr<Backup>> start(Connection& dest, int dest_db, Connection& src, int src_db);

  // Copies up to n pages (all when n < 0). rc::kOk while pages remain,
  // rc::kDone once the destination holds the copy.
  Result<int> step(int n);
  // Pages still to read, and the source's size, as of the last step.
  int remaining() const { return static_cast<int>(page_count_ - next_ + 1); }
  int page_count() const { return static_cast<int>(page_count_); }

 private:
  Backup(Connection& dest, int dest_db, Connection& src, int src_db)
      : dest_(dest), src_(src), dest_db_(dest_db), src_db_(src_db) {}
  Status write_destination();

  Connection& dest_;
  Connection& src_;
  int dest_db_;
  int src_db_;
  uint32_t page_size_ = 0;
  uint32_t page_count_ = 0;
  uint32_t next_ = 1;            // next source page to read
  uint32_t change_counter_ = 0;  // source header bytes 24..27 when reading began
  std::vector<uint8_t> pages_;   // pages 1..next_-1
  bool done_ = false;
};

// The image of database `db` (its page_count * page_size bytes).
Result<std::vector<uint8_t>> serialize(Connection& conn, int db);
// Replaces the content of the in-memory database `db` with `image` (a whole
// database file). rc::kError for a database stored in a file.
Status deserialize(Connection& conn, int db, const uint8_t* image, size_t size);

}  // namespace keel::engine
