// Committing a transaction that wrote one or more databases (SQLite's
// vdbeCommit).
//
// One file, or at most one file that needs a journal on disk: every database
// runs commit phase one (journal synced, pages written and synced), then
// every database runs phase two (journal finalized). A failure in phase one
// leaves every journal hot, so the caller's rollback undoes all of them.
//
// Several files in rollback-journal modes (DELETE, TRUNCATE, PERSIST, with
// synchronous not OFF, main database not in memory): a super-journal beside
// the main database makes the commit atomic across them — see
// storage/pager/super_journal.h for the sequence and recovery. Databases in
// WAL (or a module's) journal mode commit in phase one, one at a time, as in
// SQLite; temp and in-memory databases need no super-journal.
#include "engine/connection.h"
#include "storage/pager/super_journal.h"

namespace keel::engine {

Status Connection::commit_databases() {
  std::vector<int> writers;
  std::vector<std::string> journals;
  for (size_t i = 0; i < dbs_.size(); i++) {
    Db& d = dbs_[i];
    if (d.txn != 2) continue;
    writers.push_back(static_cast<int>(i));
    if (i != 1 && d.pager->needs_super_journal()) journals.push_back(d.pager->journal_path());
  }
  if (writers.empty()) return Status::Ok();
  bool use_super = journals.size() >= 2 && !dbs_[0].memory && !dbs_[0].path.empty();

  auto finish = [&](int i) {
    Db& d = dbs_[i];
    d.txn = 0;
    d.user_savepoints.clear();
    d.statement_savepoint = 0;
  };

  if (!use_super) {
    for (int i : writers) KEEL_RETURN_IF_ERROR(dbs_[i].btree->commit_phase_one({}));
    for (int i : writers) {
      KEEL_RETURN_IF_ERROR(dbs_[i].btree->commit_phase_two());
      finish(i);
    }
    return Status::Ok();
  }

  KEEL_ASSIGN_OR_RETURN(std::string super,
                        storage::super_journal::create(*vfs_, dbs_[0].pager->path(), journals, true));
  for (int i : writers) {
    // On failure the super-journal stays: journals that already name it are
    // hot and roll back (the last of them deletes it).
    KEEL_RETURN_IF_ERROR(dbs_[i].btree->commit_phase_one(super));
  }
  // The commit point of the whole transaction.
  KEEL_RETURN_IF_ERROR(storage::super_journal::remove(*vfs_, super));
  for (int i : writers) {
    // Everything is durable already: a failure here leaves at most a cold
    // journal (its super-journal is gone). Rolling back only ends the
    // transaction; there is nothing left to undo.
    if (!dbs_[i].btree->commit_phase_two().ok()) dbs_[i].btree->rollback().ignore();
    finish(i);
  }
  return Status::Ok();
}

}  // namespace keel::engine
