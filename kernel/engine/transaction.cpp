// Transaction control for the VM (the VmHost half of Connection):
// beginning read/write transactions per database, statement savepoints,
// autocommit, user savepoints.
//
// Invariants:
//  * Db::txn is 0 (none), 1 (read) or 2 (write); a write transaction exists
//    only while the Btree is in one.
//  * In autocommit mode a transaction ends when the last active statement
//    ends (end_statement with active_statements_ == 1).
//  * statement_savepoint != 0 only while a writing statement of an explicit
//    transaction runs; it is released or rolled back by end_statement.
//  * user_savepoints[i] is the pager depth of savepoints_[i] on that
//    database; savepoints opened before a database started writing are
//    opened on it when it does (all at the same depth, nothing to undo yet).
#include "engine/connection.h"
#include "engine/statement.h"

namespace keel::engine {

storage::Btree* Connection::btree(int db) {
  if (db == 1 && !dbs_[1].btree) {
    if (!open_temp_database().ok()) return nullptr;
  }
  if (db < 0 || db >= static_cast<int>(dbs_.size())) return nullptr;
  return dbs_[db].btree.get();
}

Status Connection::begin_transaction(int db, bool write, bool exclusive, bool statement_journal,
                                     int64_t schema_cookie) {
  if (db == 1) KEEL_RETURN_IF_ERROR(open_temp_database());
  if (db < 0 || db >= static_cast<int>(dbs_.size()) || !dbs_[db].btree) {
    return Status(rc::kError, "no such database");
  }
  Db& d = dbs_[db];
  if (write && d.read_only) return Status(rc::kReadOnly, "attempt to write a readonly database");
  d.touched = true;
  if (d.txn == 0) {
    Status s = write ? d.btree->begin_write(exclusive) : d.btree->begin_read();
    if (!s.ok()) return s;
    d.txn = write ? 2 : 1;
    if (write) {
      for (size_t i = 0; i < savepoints_.size(); i++) {
        KEEL_ASSIGN_OR_RETURN(int depth, d.btree->open_savepoint());
        d.user_savepoints.push_back(depth);
      }
    }
  } else if (write && d.txn == 1) {
    KEEL_RETURN_IF_ERROR(d.btree->begin_write(exclusive));
    d.txn = 2;
    for (size_t i = d.user_savepoints.size(); i < savepoints_.size(); i++) {
      KEEL_ASSIGN_OR_RETURN(int depth, d.btree->open_savepoint());
      d.user_savepoints.push_back(depth);
    }
  }
  if (schema_cookie >= 0) {
    KEEL_ASSIGN_OR_RETURN(uint32_t cookie, d.btree->get_meta(storage::Meta::kSchemaCookie));
    if (static_cast<int64_t>(cookie) != schema_cookie) {
      reset_schema(db);
      return Status(rc::kSchema, "database schema has changed");
    }
  }
  if (Statement* nested = nested_statement()) {
    // A nested statement undoes only itself if it fails.
    if (write) {
      bool have = false;
      for (const auto& [sdb, depth] : nested->nested_savepoints_) have = have || sdb == db;
      if (!have) {
        KEEL_ASSIGN_OR_RETURN(int depth, d.btree->open_savepoint());
        nested->nested_savepoints_.emplace_back(db, depth);
      }
    }
    return Status::Ok();
  }
  if (write && (statement_journal || observer_savepoint_ == 1) && !autocommit_ &&
      d.statement_savepoint == 0) {
    KEEL_ASSIGN_OR_RETURN(d.statement_savepoint, d.btree->open_savepoint());
  }
  return Status::Ok();
}

Status Connection::commit_all() {
  Status result;
  // Like SQLite, a statement that used a transaction resets
  // defer_foreign_keys when it commits (a pragma or SELECT 1 does not).
  bool in_transaction = false;
  for (auto& d : dbs_) in_transaction = in_transaction || d.txn != 0;
  if (!ext_.observers.empty()) {
    bool wrote = false;
    for (auto& d : dbs_) wrote = wrote || d.txn == 2;
    if (wrote) {
      Status s = notify_before_commit();
      if (!s.ok()) {
        rollback_all();
        return s;
      }
    }
  }
  if (hooks_.commit) {
    bool wrote = false;
    for (auto& d : dbs_) wrote = wrote || d.txn == 2;
    if (wrote && hooks_.commit()) {
      rollback_all();
      return Status(rc::kConstraintCommitHook, "constraint failed");
    }
  }
  // Virtual tables written in this transaction: sync() is the first phase
  // of the commit; a failure rolls everything back (SQLite's
  // sqlite3VtabSync).
  for (const auto& t : vtab_txn_) {
    Status s = t->sync();
    if (!s.ok()) {
      rollback_all();
      return s;
    }
  }
  // Write transactions first, so a failed commit leaves nothing half-done
  // across databases that a reader could see (commit.cpp).
  result = commit_databases();
  if (!result.ok()) {
    rollback_all();
    return result;
  }
  bool wrote = false;
  for (auto& d : dbs_) {
    if (d.txn == 1) {
      d.btree->end_read();
      d.txn = 0;
    }
  }
  (void)wrote;
  savepoints_.clear();
  fk_deferred_ = fk_deferred_imm_ = 0;
  if (in_transaction) compile_options_.defer_foreign_keys = false;
  notify_after_commit();
  std::vector<std::shared_ptr<ext::VirtualTable>> vtabs = std::move(vtab_txn_);
  vtab_txn_.clear();
  for (const auto& t : vtabs) t->commit().ignore();
  return Status::Ok();
}

void Connection::rollback_all() {
  std::vector<std::shared_ptr<ext::VirtualTable>> vtabs = std::move(vtab_txn_);
  vtab_txn_.clear();
  for (const auto& t : vtabs) t->rollback().ignore();
  bool schema_dirty = false;
  bool fire_hook = !autocommit_;
  for (auto& d : dbs_) fire_hook = fire_hook || d.txn == 2;
  for (size_t i = 0; i < dbs_.size(); i++) {
    Db& d = dbs_[i];
    if (!d.btree) continue;
    if (d.txn == 2) {
      d.btree->rollback().ignore();
      schema_dirty = true;
      reset_schema(static_cast<int>(i));
    } else if (d.txn == 1) {
      d.btree->end_read();
    }
    d.txn = 0;
    d.user_savepoints.clear();
    d.statement_savepoint = 0;
  }
  savepoints_.clear();
  fk_deferred_ = fk_deferred_imm_ = 0;
  compile_options_.defer_foreign_keys = false;
  if (schema_dirty) notify_after_rollback();
  if (fire_hook && hooks_.rollback) hooks_.rollback();
}

Status Connection::end_transaction_if_done() {
  if (!autocommit_ || active_statements_ > 1) return Status::Ok();
  if (!check_deferred_fk().ok()) {
    // An autocommit statement that leaves deferred violations fails and
    // its transaction is rolled back (SQLite's sqlite3VdbeHalt).
    Status s = check_deferred_fk();
    rollback_all();
    return s;
  }
  return commit_all();
}

Status Connection::check_deferred_fk() const {
  if (fk_deferred_ + fk_deferred_imm_ > 0)
    return Status(rc::kConstraintForeignKey, "FOREIGN KEY constraint failed");
  return Status::Ok();
}

Status Connection::end_statement(const Status& outcome_in, vm::OnError on_error) {
  if (Statement* nested = nested_statement()) {
    // Release (or undo, if it failed) the nested statement's savepoints;
    // the transaction belongs to the statement it runs in.
    Status result;
    auto& sps = nested->nested_savepoints_;
    for (auto it = sps.rbegin(); it != sps.rend(); ++it) {
      storage::Btree* bt = dbs_[it->first].btree.get();
      if (!bt || dbs_[it->first].txn != 2) continue;
      if (!outcome_in.ok()) {
        Status s = bt->rollback_to_savepoint(it->second);
        if (!s.ok() && result.ok()) result = s;
      }
      Status s = bt->release_savepoint(it->second);
      if (!s.ok() && result.ok()) result = s;
    }
    sps.clear();
    return result;
  }
  Status outcome = outcome_in;
  Status observer_error;
  if (outcome.ok() && !ext_.observers.empty()) {
    observer_error = notify_statement_end(true);
    if (!observer_error.ok()) {
      outcome = observer_error;
      if (on_error != vm::OnError::kRollback) on_error = vm::OnError::kAbort;
    }
  }
  Status handled = end_statement_outcome(outcome, on_error);
  if (!outcome.ok() && !ext_.observers.empty()) notify_statement_end(false).ignore();
  if (!observer_error.ok()) return observer_error;
  return handled;
}

Status Connection::end_statement_outcome(const Status& outcome, vm::OnError on_error) {
  if (outcome.ok()) {
    for (auto& d : dbs_) {
      if (d.statement_savepoint) {
        KEEL_RETURN_IF_ERROR(d.btree->release_savepoint(d.statement_savepoint));
        d.statement_savepoint = 0;
      }
    }
    return end_transaction_if_done();
  }
  // A failing statement. Errors of the storage layer (I/O, full, busy while
  // committing, corruption) always end the transaction; constraint errors
  // follow the conflict action.
  int primary = outcome.primary();
  bool hard = primary == rc::kIoErr || primary == rc::kFull || primary == rc::kCorrupt ||
              primary == rc::kNoMem || primary == rc::kNotADb || observer_broke_promise_;
  observer_broke_promise_ = false;
  if (hard || on_error == vm::OnError::kRollback || autocommit_) {
    if (on_error == vm::OnError::kFail && autocommit_ && !hard) {
      // OR FAIL keeps the changes made before the failing row.
      for (auto& d : dbs_) d.statement_savepoint = 0;
      return end_transaction_if_done();
    }
    rollback_all();
    autocommit_ = true;
    return Status::Ok();
  }
  for (size_t i = 0; i < dbs_.size(); i++) {
    Db& d = dbs_[i];
    if (!d.statement_savepoint) continue;
    if (on_error != vm::OnError::kFail) {
      KEEL_RETURN_IF_ERROR(d.btree->rollback_to_savepoint(d.statement_savepoint));
      // A rolled-back DDL statement may have changed the loaded schema.
      reset_schema(static_cast<int>(i));
      KEEL_RETURN_IF_ERROR(load_schema(static_cast<int>(i)));
    }
    KEEL_RETURN_IF_ERROR(d.btree->release_savepoint(d.statement_savepoint));
    d.statement_savepoint = 0;
  }
  return Status::Ok();
}

Status Connection::set_autocommit(bool enable, bool rollback) {
  if (!enable) {
    if (!autocommit_) return Status(rc::kError, "cannot start a transaction within a transaction");
    autocommit_ = false;
    return Status::Ok();
  }
  if (autocommit_) {
    compile_options_.defer_foreign_keys = false;  // a failed transaction statement (SQLite's RollbackAll)
    return Status(rc::kError, rollback ? "cannot rollback - no transaction is active"
                                       : "cannot commit - no transaction is active");
  }
  if (rollback) {
    rollback_all();
    autocommit_ = true;
    return Status::Ok();
  }
  // COMMIT: the transaction ends when this statement does (end_statement).
  KEEL_RETURN_IF_ERROR(check_deferred_fk());
  compile_options_.defer_foreign_keys = false;
  autocommit_ = true;
  savepoints_.clear();
  for (auto& d : dbs_) d.user_savepoints.clear();
  return Status::Ok();
}

Status Connection::savepoint(int op, std::string_view name) {
  if (op == 0) {
    KEEL_RETURN_IF_ERROR(notify_before_savepoint(static_cast<int>(savepoints_.size()) + 1));
    bool starts = autocommit_;
    autocommit_ = false;
    savepoints_.push_back({std::string(name), starts, fk_deferred_, fk_deferred_imm_});
    for (auto& d : dbs_) {
      if (d.txn == 2) {
        KEEL_ASSIGN_OR_RETURN(int depth, d.btree->open_savepoint());
        d.user_savepoints.push_back(depth);
      }
    }
    return Status::Ok();
  }
  // Find the newest savepoint with that name.
  int idx = -1;
  for (int i = static_cast<int>(savepoints_.size()) - 1; i >= 0; i--) {
    if (plan::NameLess{}(savepoints_[i].name, name) == false &&
        plan::NameLess{}(name, savepoints_[i].name) == false) {
      idx = i;
      break;
    }
  }
  if (idx < 0) {
    if (autocommit_) compile_options_.defer_foreign_keys = false;
    return Status(rc::kError, "no such savepoint: " + std::string(name));
  }
  if (op == 1) {
    // RELEASE: forget idx and everything above it; releasing the outermost
    // savepoint of a transaction it started commits.
    bool commits = savepoints_[idx].starts_transaction;
    if (commits && idx == 0) KEEL_RETURN_IF_ERROR(check_deferred_fk());
    for (auto& d : dbs_) {
      if (d.txn == 2 && idx < static_cast<int>(d.user_savepoints.size())) {
        KEEL_RETURN_IF_ERROR(d.btree->release_savepoint(d.user_savepoints[idx]));
        d.user_savepoints.resize(idx);
      }
    }
    savepoints_.resize(idx);
    if (commits) autocommit_ = true;
    return Status::Ok();
  }
  // ROLLBACK TO: undo to idx, which stays open.
  for (size_t i = 0; i < dbs_.size(); i++) {
    Db& d = dbs_[i];
    if (d.txn == 2 && idx < static_cast<int>(d.user_savepoints.size())) {
      KEEL_RETURN_IF_ERROR(d.btree->rollback_to_savepoint(d.user_savepoints[idx]));
      d.user_savepoints.resize(idx + 1);
      reset_schema(static_cast<int>(i));
      KEEL_RETURN_IF_ERROR(load_schema(static_cast<int>(i)));
    }
  }
  savepoints_.resize(idx + 1);
  fk_deferred_ = savepoints_[idx].fk_deferred;
  fk_deferred_imm_ = savepoints_[idx].fk_deferred_imm;
  notify_rollback_to(idx + 1);
  return Status::Ok();
}

}  // namespace keel::engine
