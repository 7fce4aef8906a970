// Test helpers for wal_test: scratch directories, deterministic pages and a
// "connection" that plays the pager's part around one Wal.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "os/vfs.h"
#include "storage/wal/wal.h"

namespace keel::storage::wal_testing {

#define ASSERT_OK(expr)                                      \
  do {                                                       \
    ::keel::Status s_ = (expr);                              \
    ASSERT_TRUE(s_.ok()) << #expr << ": " << s_.to_string(); \
  } while (0)

class TempDir {
 public:
  TempDir() {
    const char* base = getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/keel_wal_XXXXXX";
    char* p = mkdtemp(tmpl.data());
    path_ = p ? p : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A page image whose every byte depends on (page, version).
inline std::vector<uint8_t> make_page(uint32_t page_size, PageNo page_no, uint32_t version) {
  std::vector<uint8_t> p(page_size);
  uint32_t x = page_no * 2654435761u ^ (version + 1) * 40503u;
  for (uint32_t i = 0; i < page_size; i += 4) {
    x = x * 1664525u + 1013904223u;
    put_u32(p.data() + i, x);
  }
  return p;
}

// One connection: a database file handle holding SHARED (as the pager does
// in WAL mode) and a Wal.
struct Conn {
  os::Vfs* vfs = nullptr;
  std::string db_path;
  uint32_t page_size = 0;
  std::unique_ptr<os::VfsFile> db;
  std::unique_ptr<Wal> wal;

  Status open(os::Vfs& v, const std::string& path, uint32_t psz) {
    vfs = &v;
    db_path = path;
    page_size = psz;
    os::OpenFlags f;
    f.create = true;
    auto r = v.open(path, f);
    if (!r.ok()) return r.status();
    db = std::move(r).value();
    KEEL_RETURN_IF_ERROR(db->lock(os::LockLevel::kShared));
    auto w = Wal::open(v, *db, path + "-wal", psz);
    if (!w.ok()) return w.status();
    wal = std::move(w).value();
    return Status::Ok();
  }

  // Reads page_no as the pager would: the WAL frame if any, else the file.
  Status read_page(PageNo page_no, std::vector<uint8_t>* out) {
    out->assign(page_size, 0);
    auto f = wal->find_frame(page_no);
    if (!f.ok()) return f.status();
    if (*f) return wal->read_frame(*f, *out);
    Status s = db->read(out->data(), page_size, uint64_t{page_no - 1} * page_size);
    if (s.code() == rc::kIoErrShortRead) return Status::Ok();
    return s;
  }

  // One write transaction committing `pages` (page -> version).
  Status commit(const std::map<PageNo, uint32_t>& pages, PageNo db_size, bool sync = true) {
    bool changed = false;
    KEEL_RETURN_IF_ERROR(wal->begin_read(&changed));
    Status s = wal->begin_write();
    if (s.ok()) s = append(pages, db_size, true, sync);
    wal->end_write();
    wal->end_read();
    return s;
  }

  Status append(const std::map<PageNo, uint32_t>& pages, PageNo db_size, bool commit, bool sync) {
    std::vector<std::vector<uint8_t>> images;
    std::vector<WalPage> wp;
    for (auto [pg, ver] : pages) images.push_back(make_page(page_size, pg, ver));
    size_t i = 0;
    for (auto [pg, ver] : pages) wp.push_back(WalPage{pg, images[i++].data()});
    return wal->append_frames(wp, db_size, commit, sync);
  }

  // Expects page_no to read as version `ver` in the current read transaction.
  ::testing::AssertionResult page_is(PageNo page_no, uint32_t ver) {
    std::vector<uint8_t> got;
    Status s = read_page(page_no, &got);
    if (!s.ok()) return ::testing::AssertionFailure() << s.to_string();
    if (got != make_page(page_size, page_no, ver)) {
      return ::testing::AssertionFailure() << "page " << page_no << " is not version " << ver;
    }
    return ::testing::AssertionSuccess();
  }
};

// A database path unique to the test: a file in `dir` for the unix VFS, a
// fresh name for the memory VFS.
inline std::string db_path_for(os::Vfs& vfs, const TempDir& dir, const std::string& name) {
  static std::atomic<int> counter{0};
  if (&vfs == &os::memory_vfs()) return "/mem/" + name + "-" + std::to_string(counter++) + ".db";
  return dir.file(name);
}

}  // namespace keel::storage::wal_testing
