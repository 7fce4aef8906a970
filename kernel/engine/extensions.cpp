// The engine's side of the extension points: what the module layer
// installed on a connection (ExtensionState) reached from the statement
// and transaction paths — change observers, page codecs, URI parameters.
//
// Observers are called with a Session on this connection; statements they
// run are nested (ext/session.hpp), so their writes join the transaction
// and their own changes are not reported back to them.
#include <algorithm>

#include "engine/connection.h"
#include "engine/statement.h"
#include "keel/ext/session.hpp"
#include "vm/collation.h"

namespace keel::engine {

std::string Connection::uri_parameter(std::string_view name) const {
  auto it = uri_params_.find(std::string(name));
  return it == uri_params_.end() ? std::string() : it->second;
}

int Connection::database_index(std::string_view schema) const {
  if (schema.empty()) return 0;
  for (size_t i = 0; i < dbs_.size(); i++) {
    if (vm::stricmp(dbs_[i].name, schema) == 0) return static_cast<int>(i);
  }
  return -1;
}

bool Connection::database_touched(int db) const {
  return db >= 0 && db < static_cast<int>(dbs_.size()) && dbs_[db].touched;
}

Status Connection::set_page_codec(int db, std::shared_ptr<ext::PageCodec> codec) {
  if (db < 0 || db >= static_cast<int>(dbs_.size())) return Status(rc::kError, "no such database");
  Db& d = dbs_[db];
  if (d.touched || d.txn != 0) {
    return Status(rc::kMisuse,
                  "the page codec of database " + d.name + " must be set before it is first read");
  }
  d.codec = std::move(codec);
  if (!d.pager) return Status::Ok();  // applied when the database opens
  // Reopen with the codec: nothing was read through the old pager yet.
  std::string path = d.memory ? std::string() : d.path;
  bool memory = d.memory, read_only = d.read_only, create = d.create;
  d.btree.reset();
  d.pager.reset();
  return open_database(db, path, memory, read_only, create);
}

Statement* Connection::nested_statement() const {
  if (executing_.empty()) return nullptr;
  Statement* s = executing_.back();
  return s->nested_ ? s : nullptr;
}

bool Connection::observing_changes() const {
  return (observers_active_ || hooks_.update) && nested_statement() == nullptr;
}

void Connection::refresh_observers_active() {
  bool any = false;
  for (const auto& o : ext_.observers) any = any || o->active();
  observers_active_ = any;
  compile_options_.observe_changes = any;
}

Status Connection::notify_write_transaction() {
  ext::Session session(this);
  auto observers = ext_.observers;
  Status result;
  // Statements the observers run now are nested: they join the transaction
  // the coming statement uses and cannot call back here.
  in_commit_observers_ = true;
  for (const auto& o : observers) {
    result = o->on_write_transaction(session);
    if (!result.ok()) break;
  }
  in_commit_observers_ = false;
  refresh_observers_active();
  return result;
}

namespace {
bool internal_table(std::string_view t) {
  return vm::stricmp(t, "sqlite_schema") == 0 || vm::stricmp(t, "sqlite_temp_master") == 0 ||
         vm::stricmp(t, "sqlite_sequence") == 0;
}
}  // namespace

Status Connection::row_changed(const vm::ChangeTarget& target, int kind, int64_t rowid, int64_t old_rowid,
                               std::span<const uint8_t> before, std::span<const uint8_t> after) {
  if (target.index_methods) {
    // Index methods first, also for a module's nested statements: the index
    // must follow every change of its table.
    if (catalog_.has_database(target.db)) {
      const plan::Table* t = catalog_.database(target.db).find_table(target.table);
      if (t != nullptr && !t->method_indexes.empty()) {
        if (!ext_.index_runtime) return plan::missing_method_error(*t->method_indexes.front());
        auto runtime = ext_.index_runtime;
        KEEL_RETURN_IF_ERROR(runtime->row_changed(*this, *t, kind, rowid, old_rowid, before, after));
      }
    }
    if (ext_.observers.empty() && !hooks_.update) return Status::Ok();
  }
  if (nested_statement() != nullptr) return Status::Ok();
  ext::RowChange change;
  change.database =
      target.db < static_cast<int>(dbs_.size()) ? std::string_view(dbs_[target.db].name) : "main";
  change.table = target.table;
  change.kind = static_cast<ext::ChangeKind>(kind);
  change.rowid = rowid;
  change.old_rowid = old_rowid;
  change.before = before;
  change.after = after;
  if (hooks_.update && !target.conflict_delete && !internal_table(target.table)) {
    constexpr int kSqliteDelete = 9, kSqliteInsert = 18, kSqliteUpdate = 23;
    int op = kind > 0 ? kSqliteInsert : kind == 0 ? kSqliteUpdate : kSqliteDelete;
    hooks_.update(op, change.database, change.table, rowid);
  }
  if (!observers_active_) return Status::Ok();
  ext::Session session(this);
  if (ext_.observers.size() == 1) {
    // The usual case, without copying the list: holding the observer is
    // enough for it to remove itself safely.
    std::shared_ptr<ext::ChangeObserver> o = ext_.observers.front();
    if (!o->active() || !o->observes(change.database, change.table)) return Status::Ok();
    Status s = o->on_change(session, change);
    if (!s.ok() && observer_savepoint_ == 2) observer_broke_promise_ = true;
    return s;
  }
  // Copy: an observer may remove itself.
  auto observers = ext_.observers;
  for (const auto& o : observers) {
    if (!o->active() || !o->observes(change.database, change.table)) continue;
    Status s = o->on_change(session, change);
    if (!s.ok()) {
      if (observer_savepoint_ == 2) observer_broke_promise_ = true;
      return s;
    }
  }
  return Status::Ok();
}

bool Connection::observers_may_fail(Statement& statement) const {
  if (!statement.change_targets_known_) {
    // The tables the program changes: the targets of its Insert and Delete.
    for (const vm::Instr& in : statement.program_->ops) {
      if ((in.op != vm::Op::Insert && in.op != vm::Op::Delete) || in.p4type != vm::P4Type::kPointer) continue;
      const auto* target = static_cast<const vm::ChangeTarget*>(in.p4.ptr);
      auto& known = statement.change_targets_;
      if (std::find(known.begin(), known.end(), target) == known.end()) known.push_back(target);
    }
    statement.change_targets_known_ = true;
  }
  for (const vm::ChangeTarget* target : statement.change_targets_) {
    std::string_view database =
        target->db < static_cast<int>(dbs_.size()) ? std::string_view(dbs_[target->db].name) : "main";
    for (const auto& o : ext_.observers) {
      if (o->active() && o->observes(database, target->table) && o->may_fail(database, target->table)) {
        return true;
      }
    }
  }
  return false;
}

Result<std::unique_ptr<ext::IndexCursor>> Connection::index_method_query(const vm::IndexMethodScan& scan,
                                                                         std::span<const vm::Value> args,
                                                                         int64_t limit) {
  if (!ext_.index_runtime) return Status(rc::kError, "no index method available for index " + scan.index);
  auto runtime = ext_.index_runtime;
  return runtime->query(*this, scan, args, limit);
}

Status Connection::run_index_method_command(const plan::EngineCommand& cmd) {
  const plan::Index* idx =
      catalog_.has_database(cmd.db) ? catalog_.database(cmd.db).find_index(cmd.name) : nullptr;
  if (idx == nullptr || idx->method.empty())
    return Status(rc::kInternal, "no index method index " + cmd.name);
  if (!ext_.index_runtime) return plan::missing_method_error(*idx);
  auto runtime = ext_.index_runtime;
  if (cmd.kind == plan::EngineCommand::Kind::kIndexMethodCreate)
    return runtime->create_index(*this, cmd.db, cmd.name);
  return runtime->drop_index(*this, cmd.db, cmd.name);
}

Status Connection::notify_statement_end(bool ok) {
  // While no observer is active none saw the statement: nothing to end
  // (and capture switched off costs nothing per statement).
  if (!observers_active_) return Status::Ok();
  ext::Session session(this);
  if (ext_.observers.size() == 1) {
    std::shared_ptr<ext::ChangeObserver> o = ext_.observers.front();
    return o->on_statement_end(session, ok);
  }
  auto observers = ext_.observers;
  Status result;
  for (const auto& o : observers) {
    Status s = o->on_statement_end(session, ok);
    if (!s.ok() && result.ok()) result = s;
  }
  return result;
}

Status Connection::notify_before_commit() {
  ext::Session session(this);
  auto observers = ext_.observers;
  in_commit_observers_ = true;
  Status result;
  for (const auto& o : observers) {
    result = o->before_commit(session);
    if (!result.ok()) break;
  }
  in_commit_observers_ = false;
  return result;
}

void Connection::notify_after_commit() {
  auto observers = ext_.observers;
  for (const auto& o : observers) o->after_commit();
}

void Connection::notify_after_rollback() {
  auto observers = ext_.observers;
  for (const auto& o : observers) o->after_rollback();
}

void Connection::notify_rollback_to(int depth) {
  auto observers = ext_.observers;
  for (const auto& o : observers) o->rollback_to_savepoint(depth);
}

Status Connection::notify_before_savepoint(int depth) {
  if (!observers_active_) return Status::Ok();
  ext::Session session(this);
  auto observers = ext_.observers;
  Status result;
  in_commit_observers_ = true;
  for (const auto& o : observers) {
    if (!o->active()) continue;
    result = o->before_savepoint(session, depth);
    if (!result.ok()) break;
  }
  in_commit_observers_ = false;
  return result;
}

namespace {

// What a program touches: the b-trees its OpenRead/OpenWrite (and Clear,
// Destroy) instructions name, compared by root page with the table's.
// Answers are kept with the statement (observers ask the same questions
// before each run) while the database's schema cookie stays the same.
class ProgramInfo : public ext::StatementInfo {
 public:
  ProgramInfo(plan::Catalog& catalog, const vm::Program& program,
              std::vector<Statement::TouchesAnswer>& answers)
      : catalog_(catalog), program_(program), answers_(answers) {}
  bool read_only() const override { return program_.read_only; }
  bool touches(std::string_view database, std::string_view table) const override {
    for (const Statement::TouchesAnswer& a : answers_) {
      if (a.database == database && a.table == table) {
        if (a.db >= 0 && catalog_.has_database(a.db) && catalog_.database(a.db).loaded &&
            catalog_.database(a.db).schema_cookie == a.cookie) {
          return a.touches;
        }
        break;
      }
    }
    int db = catalog_.find_database(database);
    bool answer = compute(db, table);
    // Keep only answers about a loaded schema (the cookie names it).
    int64_t cookie = db >= 0 && catalog_.has_database(db) && catalog_.database(db).loaded
                         ? catalog_.database(db).schema_cookie
                         : -1;
    for (Statement::TouchesAnswer& a : answers_) {
      if (a.database == database && a.table == table) {
        a.db = cookie < 0 ? -1 : db;
        a.cookie = cookie;
        a.touches = answer;
        return answer;
      }
    }
    if (cookie >= 0 && answers_.size() < 8) {
      answers_.push_back(
          Statement::TouchesAnswer{std::string(database), std::string(table), db, cookie, answer});
    }
    return answer;
  }

 private:
  bool compute(int db, std::string_view table) const {
    if (db < 0 || !catalog_.has_database(db)) return false;
    const plan::Table* t = catalog_.database(db).find_table(table);
    if (t == nullptr) return false;
    const int root = static_cast<int>(t->root);
    for (const vm::Instr& in : program_.ops) {
      switch (in.op) {
        case vm::Op::OpenRead:
        case vm::Op::OpenWrite:
          // A root page held in a register (CREATE) is not a table's.
          if (in.p3 == db && (in.p5 & vm::kOpflagP2IsReg) == 0 && in.p2 == root) return true;
          break;
        case vm::Op::Clear:
          if (in.p2 == db && in.p1 == root) return true;
          break;
        case vm::Op::Destroy:
          if (in.p3 == db && in.p1 == root) return true;
          break;
        default:
          break;
      }
    }
    return false;
  }

  plan::Catalog& catalog_;
  const vm::Program& program_;
  std::vector<Statement::TouchesAnswer>& answers_;
};

}  // namespace

Status Connection::notify_before_statement(Statement& statement) {
  ext::Session session(this);
  ProgramInfo info(catalog_, *statement.program_, statement.touches_answers_);
  auto observers = ext_.observers;
  Status result;
  in_commit_observers_ = true;
  for (const auto& o : observers) {
    if (!o->active()) continue;
    result = o->before_statement(session, info);
    if (!result.ok()) break;
  }
  in_commit_observers_ = false;
  return result;
}

}  // namespace keel::engine
