#include "storage/pager/super_journal.h"

#include <cstdio>

#include "storage/pager/journal_format.h"

namespace keel::storage::super_journal {

Result<std::string> create(os::Vfs& vfs, std::string_view main_path, const std::vector<std::string>& journals,
                           bool sync) {
  std::string name;
  std::unique_ptr<os::VfsFile> file;
  for (int attempt = 0;; attempt++) {
    uint32_t r = 0;
    vfs.randomness(&r, sizeof r);
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "-mj%06X9%02X", (r >> 8) & 0xffffff, r & 0xff);
    name = std::string(main_path) + suffix;
    KEEL_ASSIGN_OR_RETURN(bool exists, vfs.exists(name));
    if (exists) {
      // After 100 collisions SQLite deletes the one it hit (a stale file).
      if (attempt < 100) continue;
      vfs.remove(name, false).ignore();
    }
    os::OpenFlags flags;
    flags.create = true;
    flags.exclusive = true;
    flags.kind = os::FileKind::kSuperJournal;
    KEEL_ASSIGN_OR_RETURN(file, vfs.open(name, flags));
    break;
  }
  std::string content;
  for (const std::string& j : journals) {
    content += j;
    content.push_back('\0');
  }
  Status s = file->write(content.data(), content.size(), 0);
  if (s.ok() && sync && (file->device_characteristics() & os::kIoCapSequential) == 0) {
    s = file->sync(os::SyncFlags::kNormal);
  }
  file.reset();
  if (!s.ok()) {
    // No journal names it yet: each database still rolls back on its own.
    vfs.remove(name, false).ignore();
    return s;
  }
  return name;
}

Status remove(os::Vfs& vfs, std::string_view name) {
  Status s = vfs.remove(name, true);
  if (s.code() == rc::kIoErrDeleteNoEnt) return Status::Ok();
  return s;
}

Status delete_if_unused(os::Vfs& vfs, std::string_view name) {
  os::OpenFlags ro;
  ro.read_only = true;
  ro.kind = os::FileKind::kSuperJournal;
  auto opened = vfs.open(name, ro);
  if (!opened.ok()) return opened.status().is(rc::kCantOpen) ? Status::Ok() : opened.take_status();
  std::unique_ptr<os::VfsFile> super = std::move(opened).value();
  KEEL_ASSIGN_OR_RETURN(uint64_t size, super->size());
  std::string content(size, '\0');
  if (size > 0) KEEL_RETURN_IF_ERROR(super->read(content.data(), size, 0));
  super.reset();
  size_t pos = 0;
  while (pos < content.size()) {
    size_t end = content.find('\0', pos);
    if (end == std::string::npos) end = content.size();
    std::string journal = content.substr(pos, end - pos);
    pos = end + 1;
    if (journal.empty()) continue;
    KEEL_ASSIGN_OR_RETURN(bool exists, vfs.exists(journal));
    if (!exists) continue;
    ro.kind = os::FileKind::kMainJournal;
    KEEL_ASSIGN_OR_RETURN(std::unique_ptr<os::VfsFile> jf, vfs.open(journal, ro));
    KEEL_ASSIGN_OR_RETURN(std::string points_to, journal::read_super_journal(*jf));
    // Still needed by a journal that has not been dealt with yet.
    if (!points_to.empty() && points_to == name) return Status::Ok();
  }
  Status s = vfs.remove(name, false);
  if (s.code() == rc::kIoErrDeleteNoEnt) return Status::Ok();
  return s;
}

}  // namespace keel::storage::super_journal
