// Helpers for pager tests: temporary directories, recognizable page
// contents, a minimal valid SQLite layout (empty schema + freelist) so that
// sqlite3 accepts what the pager writes, and libsqlite3 as an oracle.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/pager/pager.h"

namespace keel::storage::ptest {

class TempDir {
 public:
  // A fresh directory under /tmp; with in_memory, under /dev/shm when it
  // exists (fsync is free there: for tests that sync a lot).
  explicit TempDir(bool in_memory = false);
  ~TempDir();
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

std::vector<uint8_t> read_file(const std::string& path);
void write_file(const std::string& path, const std::vector<uint8_t>& bytes);
bool file_exists(const std::string& path);
uint64_t file_size(const std::string& path);

// Page n's test pattern (b-tree area only; page 1 keeps its header).
void fill_page(uint8_t* data, uint32_t usable, PageNo n, uint32_t seed);
bool page_matches(const uint8_t* data, uint32_t usable, PageNo n, uint32_t seed);
// Page 1 as an empty sqlite_schema: the 8-byte empty table-leaf header at 100.
void init_page1(uint8_t* data, uint32_t usable);

// In an open write transaction: page 1 initialized, pages from..to filled
// with the pattern for `seed`.
Status write_pattern(Pager& pager, PageNo from, PageNo to, uint32_t seed);
// Reads pages from..to and checks the pattern; returns the first mismatch
// (0 if all match).
Result<PageNo> check_pattern(Pager& pager, PageNo from, PageNo to, uint32_t seed);
// In an open write transaction: makes page 1 an empty schema and pages
// 2..total a freelist (trunk pages then leaves), a layout sqlite3's
// integrity_check accepts.
Status write_sqlite_layout(Pager& pager, PageNo total);

// libsqlite3 oracle: PRAGMA integrity_check rows joined by '\n' (or an error
// text starting with "error:").
std::string sqlite_integrity(const std::string& path);
// Runs SQL through libsqlite3, returning the first column of every row.
std::string sqlite_query(const std::string& path, const std::string& sql);

}  // namespace keel::storage::ptest
