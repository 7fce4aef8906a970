#include "storage/pager/pager_test_util.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/bytes.h"

namespace keel::storage::ptest {

TempDir::TempDir(bool in_memory) {
  std::string base = in_memory && ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  std::string tmpl = base + "/keel-pager-XXXXXX";
  char* d = mkdtemp(tmpl.data());
  dir_ = d != nullptr ? d : base;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

uint64_t file_size(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

void fill_page(uint8_t* data, uint32_t usable, PageNo n, uint32_t seed) {
  uint32_t start = n == 1 ? 108 : 0;
  for (uint32_t i = start; i < usable; ++i) data[i] = static_cast<uint8_t>(seed * 131 + n * 31 + i * 7);
}

bool page_matches(const uint8_t* data, uint32_t usable, PageNo n, uint32_t seed) {
  uint32_t start = n == 1 ? 108 : 0;
  for (uint32_t i = start; i < usable; ++i) {
    if (data[i] != static_cast<uint8_t>(seed * 131 + n * 31 + i * 7)) return false;
  }
  return true;
}

void init_page1(uint8_t* data, uint32_t usable) {
  uint8_t* h = data + 100;
  h[0] = 0x0d;  // table leaf
  put_u16(h + 1, 0);
  put_u16(h + 3, 0);
  put_u16(h + 5, static_cast<uint16_t>(usable == 65536 ? 0 : usable));
  h[7] = 0;
}

Status write_pattern(Pager& pager, PageNo from, PageNo to, uint32_t seed) {
  for (PageNo n = from; n <= to; ++n) {
    KEEL_ASSIGN_OR_RETURN(PageRef p, pager.get(n));
    KEEL_RETURN_IF_ERROR(pager.make_writable(p));
    if (n == 1) init_page1(p.mutable_data(), pager.usable_size());
    fill_page(p.mutable_data(), pager.usable_size(), n, seed);
  }
  return Status::Ok();
}

Result<PageNo> check_pattern(Pager& pager, PageNo from, PageNo to, uint32_t seed) {
  for (PageNo n = from; n <= to; ++n) {
    KEEL_ASSIGN_OR_RETURN(PageRef p, pager.get(n));
    if (!page_matches(p.data(), pager.usable_size(), n, seed)) return n;
  }
  return PageNo{0};
}

Status write_sqlite_layout(Pager& pager, PageNo total) {
  uint32_t usable = pager.usable_size();
  {
    KEEL_ASSIGN_OR_RETURN(PageRef p1, pager.get(1));
    KEEL_RETURN_IF_ERROR(pager.make_writable(p1));
    std::memset(p1.mutable_data() + 100, 0, pager.page_size() - 100);
    init_page1(p1.mutable_data(), usable);
    put_u32(p1.mutable_data() + 32, total >= 2 ? 2 : 0);
    put_u32(p1.mutable_data() + 36, total >= 2 ? total - 1 : 0);
  }
  // Trunks at 2, then every (per_trunk + 1) pages; leaves in between.
  uint32_t per_trunk = usable / 4 - 8;  // SQLite's limit is usable/4 - 2; stay well below
  PageNo n = 2;
  while (n <= total) {
    PageNo trunk = n;
    PageNo first_leaf = trunk + 1;
    PageNo last_leaf = std::min<PageNo>(total, trunk + per_trunk);
    PageNo next_trunk = last_leaf < total ? last_leaf + 1 : 0;
    KEEL_ASSIGN_OR_RETURN(PageRef t, pager.get(trunk));
    KEEL_RETURN_IF_ERROR(pager.make_writable(t));
    std::memset(t.mutable_data(), 0, pager.page_size());
    put_u32(t.mutable_data(), next_trunk);
    uint32_t leaves = first_leaf <= last_leaf ? last_leaf - first_leaf + 1 : 0;
    put_u32(t.mutable_data() + 4, leaves);
    for (uint32_t i = 0; i < leaves; ++i) put_u32(t.mutable_data() + 8 + 4 * i, first_leaf + i);
    for (PageNo leaf = first_leaf; leaf <= last_leaf; ++leaf) {
      KEEL_ASSIGN_OR_RETURN(PageRef l, pager.get(leaf));
      KEEL_RETURN_IF_ERROR(pager.make_writable(l));
      fill_page(l.mutable_data(), usable, leaf, 7);
    }
    if (next_trunk == 0) break;
    n = next_trunk;
  }
  return Status::Ok();
}

std::string sqlite_query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    out = std::string("error: ") + (db ? sqlite3_errmsg(db) : "open");
    sqlite3_close(db);
    return out;
  }
  sqlite3_stmt* st = nullptr;
  const char* tail = sql.c_str();
  while (tail && *tail) {
    if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK) {
      out = std::string("error: ") + sqlite3_errmsg(db);
      break;
    }
    if (st == nullptr) break;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(st, 0);
      if (!out.empty()) out += "\n";
      out += t ? reinterpret_cast<const char*>(t) : "NULL";
    }
    if (rc != SQLITE_DONE) out = std::string("error: ") + sqlite3_errmsg(db);
    sqlite3_finalize(st);
    st = nullptr;
    if (rc != SQLITE_DONE) break;
  }
  sqlite3_close(db);
  return out;
}

std::string sqlite_integrity(const std::string& path) { return sqlite_query(path, "PRAGMA integrity_check"); }

}  // namespace keel::storage::ptest
