// Journal mode switches: within the rollback family, into and out of WAL
// (header bytes 18/19 rewritten in a transaction of their own, as SQLite's
// OP_JournalMode and sqlite3BtreeSetVersion), and to and from a module's mode.
#include "storage/pager/db_header.h"
#include "storage/pager/pager_internal.h"

namespace keel::storage {

// --- journal mode switches ---------------------------------------------------

Status Pager::Impl::rewrite_file_format(uint8_t version) {
  KEEL_RETURN_IF_ERROR(begin_write(false));
  auto fail = [this](Status s) {
    rollback().ignore();
    return s;
  };
  auto p1 = fetch(1, false);
  if (!p1.ok()) return fail(p1.take_status());
  Status s = make_writable(*p1);
  if (s.ok()) {
    (*p1)->data[dbheader::kOffWriteVersion] = version;
    (*p1)->data[dbheader::kOffReadVersion] = version;
  }
  cache.unpin(*p1);
  if (!s.ok()) return fail(std::move(s));
  s = commit();
  if (!s.ok()) return fail(std::move(s));
  return Status::Ok();
}

Status Pager::Impl::enter_wal() {
  // As OP_JournalMode + sqlite3BtreeSetVersion(2): mark the file as WAL
  // through the current rollback journal, then reopen it in WAL mode.
  KEEL_RETURN_IF_ERROR(rewrite_file_format(2));
  KEEL_RETURN_IF_ERROR(lock_db(ext::DbLock::kShared, false));
  auto old = std::move(mode);
  old->close().ignore();
  Status s = install_mode(std::make_unique<WalJournal>(*vfs, *db, wal_path), JournalModeKind::kWal);
  if (!s.ok()) {
    install_mode(std::move(old), JournalModeKind::kDelete).ignore();
    return s;
  }
  discard_cache();
  return Status::Ok();
}

Status Pager::Impl::leave_wal(JournalModeKind to) {
  // As sqlite3PagerCloseWal(): only the sole connection may checkpoint and
  // delete the log; then header bytes 18/19 go back to 1.
  KEEL_RETURN_IF_ERROR(begin_read());
  end_read();
  Status s = lock_db(ext::DbLock::kExclusive, false);
  if (!s.ok()) {
    unlock_db(ext::DbLock::kShared).ignore();
    return s;
  }
  s = wal_mode->leave();
  if (s.ok()) {
    KEEL_ASSIGN_OR_RETURN(bool still_there, vfs->exists(wal_path));
    if (still_there) s = Status(rc::kBusy, "database is locked");
  }
  if (!s.ok()) {
    unlock_db(ext::DbLock::kShared).ignore();
    // The log stays; reattach to it.
    install_mode(std::make_unique<WalJournal>(*vfs, *db, wal_path), JournalModeKind::kWal).ignore();
    return s;
  }
  mode.reset();
  wal_mode = nullptr;
  KEEL_RETURN_IF_ERROR(
      install_mode(std::make_unique<RollbackJournal>(to, *vfs, *db, journal_path, options.memory), to));
  discard_cache();
  no_format_switch = true;
  s = rewrite_file_format(1);
  no_format_switch = false;
  unlock_db(ext::DbLock::kNone).ignore();
  return s;
}

// --- Pager (journal mode API) ---------------------------------------------------

Status Pager::set_journal_mode(JournalModeKind mode) {
  Impl& m = *impl_;
  if (mode == m.kind) return Status::Ok();
  if (mode == JournalModeKind::kModule) return Status(rc::kMisuse, "a module journal mode needs its object");
  if (m.state != Impl::State::kNone) {
    return Status(rc::kError, "cannot change journal mode from within a transaction");
  }
  if (m.options.memory && mode != JournalModeKind::kMemory && mode != JournalModeKind::kOff) {
    return Status::Ok();  // SQLite keeps an in-memory database in MEMORY mode
  }
  if (m.kind == JournalModeKind::kWal) return m.leave_wal(mode);
  if (mode == JournalModeKind::kWal && m.kind != JournalModeKind::kModule) return m.enter_wal();
  if (m.rollback_mode != nullptr && is_rollback_kind(mode)) {
    KEEL_RETURN_IF_ERROR(m.rollback_mode->set_kind(mode));
    m.kind = mode;
    return Status::Ok();
  }
  // From a module's mode to a built-in one: back to a rollback journal,
  // header bytes 18/19 to 1, then on to WAL if asked.
  uint8_t old_format = m.mode->file_format_version();
  m.mode->close().ignore();
  m.rollback_mode = nullptr;
  JournalModeKind rollback_kind = mode == JournalModeKind::kWal ? JournalModeKind::kDelete : mode;
  KEEL_RETURN_IF_ERROR(m.install_mode(
      std::make_unique<RollbackJournal>(rollback_kind, *m.vfs, *m.db, m.journal_path, m.options.memory),
      rollback_kind));
  m.discard_cache();
  if (old_format != 1) {
    m.no_format_switch = true;
    Status s = m.rewrite_file_format(1);
    m.no_format_switch = false;
    KEEL_RETURN_IF_ERROR(s);
  }
  if (mode == JournalModeKind::kWal) return m.enter_wal();
  return Status::Ok();
}

Status Pager::set_journal_mode(std::unique_ptr<ext::JournalMode> mode) {
  Impl& m = *impl_;
  if (!mode) return Status(rc::kMisuse, "null journal mode");
  if (m.state != Impl::State::kNone) {
    return Status(rc::kError, "cannot change journal mode from within a transaction");
  }
  if (m.kind == JournalModeKind::kWal) KEEL_RETURN_IF_ERROR(m.leave_wal(JournalModeKind::kDelete));
  m.mode->close().ignore();
  m.rollback_mode = nullptr;
  m.wal_mode = nullptr;
  uint8_t format = mode->file_format_version();
  KEEL_RETURN_IF_ERROR(m.install_mode(std::move(mode), JournalModeKind::kModule));
  m.discard_cache();
  // Mark the file as the module's (stock SQLite refuses versions above 2).
  KEEL_RETURN_IF_ERROR(m.begin_read());
  bool rewrite = false;
  if (m.page_count_ > 0) {
    auto p1 = m.fetch(1, false);
    if (!p1.ok()) {
      m.end_read();
      return p1.take_status();
    }
    rewrite = (*p1)->data[dbheader::kOffReadVersion] != format;
    m.cache.unpin(*p1);
  }
  m.end_read();
  if (!rewrite) return Status::Ok();
  m.no_format_switch = true;
  Status s = m.rewrite_file_format(format);
  m.no_format_switch = false;
  return s;
}

}  // namespace keel::storage
