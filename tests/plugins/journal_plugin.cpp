// Test module "testjournal": two journal modes chosen by PRAGMA
// journal_mode.
//   "keepall"   — dirty pages stay in memory until commit (spill says "not
//                 now"), so a rollback has nothing to undo on disk; commit
//                 writes them in place. Not crash-safe: a test of the
//                 JournalMode point, not a mode to use.
//   "keepall254" — the same, marking the file with format version 254 so
//                 that a connection without this module (and stock SQLite)
//                 refuses it.
#include <string>

#include "keel/ext/module.hpp"

namespace {

using keel::Status;
namespace ext = keel::ext;

class KeepAll final : public ext::JournalMode {
 public:
  KeepAll(std::string name, uint8_t format) : name_(std::move(name)), format_(format) {}
  std::string_view name() const override { return name_; }
  uint8_t file_format_version() const override { return format_; }
  bool bumps_change_counter_every_commit() const override { return true; }
  Status attach(ext::PagerHost& host) override {
    host_ = &host;
    return Status::Ok();
  }
  Status begin_read(bool* changed) override {
    *changed = true;  // no change detection: the pager re-reads
    return host_->lock_db(ext::DbLock::kShared, true);
  }
  void end_read() override { host_->unlock_db(ext::DbLock::kNone).ignore(); }
  ext::PageNo snapshot_page_count() const override { return 0; }
  keel::Result<bool> read_page(ext::PageNo, std::span<std::byte>) override { return false; }
  Status begin_write(bool) override { return host_->lock_db(ext::DbLock::kReserved, true); }
  Status before_change(ext::PageNo, std::span<const std::byte>) override { return Status::Ok(); }
  Status spill(std::span<const ext::PageImage>, ext::PageNo) override {
    return Status(keel::rc::kBusy, "keepall keeps dirty pages in memory");
  }
  Status commit(std::span<const ext::PageImage> pages, ext::PageNo db_pages) override {
    KEEL_RETURN_IF_ERROR(host_->lock_db(ext::DbLock::kExclusive, true));
    for (const auto& p : pages) KEEL_RETURN_IF_ERROR(host_->write_db_page(p.page_no, p.data));
    KEEL_RETURN_IF_ERROR(host_->truncate_db_file(db_pages));
    KEEL_RETURN_IF_ERROR(host_->sync_db_file());
    return host_->unlock_db(ext::DbLock::kShared);
  }
  Status rollback() override { return host_->unlock_db(ext::DbLock::kShared); }
  Status open_savepoint(int) override { return Status::Ok(); }
  Status release_savepoint(int) override { return Status::Ok(); }
  Status rollback_to_savepoint(int) override { return Status::Ok(); }
  keel::Result<ext::CheckpointInfo> checkpoint(int) override { return ext::CheckpointInfo{}; }
  Status close() override { return host_->unlock_db(ext::DbLock::kNone); }

 private:
  std::string name_;
  uint8_t format_;
  ext::PagerHost* host_ = nullptr;
};

class Factory final : public ext::JournalModeFactory {
 public:
  Factory(std::string name, uint8_t format) : name_(std::move(name)), format_(format) {}
  std::string_view name() const override { return name_; }
  uint8_t file_format_version() const override { return format_; }
  keel::Result<std::unique_ptr<ext::JournalMode>> create(ext::Session&) override {
    return std::unique_ptr<ext::JournalMode>(new KeepAll(name_, format_));
  }

 private:
  std::string name_;
  uint8_t format_;
};

}  // namespace

KEEL_MODULE(testjournal) {
  registrar.add_journal_mode(std::make_shared<Factory>("keepall", 1));
  registrar.add_journal_mode(std::make_shared<Factory>("keepall254", 254));
}
