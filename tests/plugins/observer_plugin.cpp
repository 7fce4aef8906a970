// Test module "testobserver": a ChangeObserver installed on every connection
// that loads the module. It writes each change into the table plugin_log
// (when the application created it) through nested statements, plus a
// 'commit' row from before_commit, so the log commits and rolls back with
// the data (one per transaction that logged a change). PRAGMA plugin_observer_stats returns (commits,
// rollbacks, savepoint_rollbacks, statement_ends).
#include <mutex>
#include <vector>

#include "keel/ext/module.hpp"

namespace {

struct Stats {
  int64_t commits = 0, rollbacks = 0, savepoint_rollbacks = 0, statement_ends = 0;
};

class LogObserver final : public keel::ext::ChangeObserver {
 public:
  bool observes(std::string_view, std::string_view table) const override { return table != "plugin_log"; }

  keel::Status on_change(keel::ext::Session& s, const keel::ext::RowChange& c) override {
    // Logged only while plugin_log exists (and is in the schema already).
    auto st = s.prepare(
        "INSERT INTO plugin_log(kind, db, tbl, rowid, old_rowid, before, after) VALUES (?,?,?,?,?,?,?)");
    if (!st.ok()) return keel::Status::Ok();
    statement_changed_ = true;
    st->bind(1, keel::Value(static_cast<int64_t>(c.kind))).ignore();
    st->bind(2, keel::Value(std::string(c.database))).ignore();
    st->bind(3, keel::Value(std::string(c.table))).ignore();
    st->bind(4, keel::Value(c.rowid)).ignore();
    st->bind(5, keel::Value(c.old_rowid)).ignore();
    st->bind(6, c.before.empty() ? keel::Value() : keel::Value::blob(c.before)).ignore();
    st->bind(7, c.after.empty() ? keel::Value() : keel::Value::blob(c.after)).ignore();
    return st->execute();
  }
  keel::Status on_statement_end(keel::ext::Session&, bool ok) override {
    stats.statement_ends++;
    // A failed statement's log rows were undone with it.
    changed_ = changed_ || (ok && statement_changed_);
    statement_changed_ = false;
    return keel::Status::Ok();
  }
  // One commit row per transaction that logged a change.
  keel::Status before_commit(keel::ext::Session& s) override {
    if (!changed_) return keel::Status::Ok();
    auto st = s.prepare("INSERT INTO plugin_log(kind) VALUES (2)");
    if (!st.ok()) return keel::Status::Ok();
    return st->execute();
  }
  void after_commit() override {
    stats.commits++;
    changed_ = false;
  }
  void after_rollback() override {
    stats.rollbacks++;
    changed_ = false;
  }
  void rollback_to_savepoint(int) override { stats.savepoint_rollbacks++; }

  Stats stats;

 private:
  bool changed_ = false;
  bool statement_changed_ = false;
};

// One observer per connection; the pragma reads the calling connection's.
class Attach final : public keel::ext::ConnectionExtension {
 public:
  keel::Status attach(keel::ext::Session& s) override {
    auto o = std::make_shared<LogObserver>();
    KEEL_RETURN_IF_ERROR(s.add_change_observer(o));
    std::lock_guard<std::mutex> lock(mu_);
    by_conn_.emplace_back(s.handle(), o);
    return keel::Status::Ok();
  }
  void detach(keel::ext::Session& s) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::erase_if(by_conn_, [&](auto& e) { return e.first == s.handle(); });
  }
  std::shared_ptr<LogObserver> find(void* h) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [conn, o] : by_conn_) {
      if (conn == h) return o;
    }
    return nullptr;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<void*, std::shared_ptr<LogObserver>>> by_conn_;
};

class StatsPragma final : public keel::ext::PragmaHandler {
 public:
  explicit StatsPragma(std::shared_ptr<Attach> a) : attach_(std::move(a)) {}
  std::string_view name() const override { return "plugin_observer_stats"; }
  std::vector<std::string> columns() const override {
    return {"commits", "rollbacks", "savepoint_rollbacks", "statement_ends"};
  }
  keel::Status run(keel::ext::Session& s, const keel::ext::PragmaCall&,
                   std::vector<std::vector<keel::Value>>& rows) override {
    auto o = attach_->find(s.handle());
    if (!o) return keel::Status(keel::rc::kError, "no observer on this connection");
    rows.push_back({keel::Value(o->stats.commits), keel::Value(o->stats.rollbacks),
                    keel::Value(o->stats.savepoint_rollbacks), keel::Value(o->stats.statement_ends)});
    return keel::Status::Ok();
  }

 private:
  std::shared_ptr<Attach> attach_;
};

}  // namespace

KEEL_MODULE(testobserver) {
  auto attach = std::make_shared<Attach>();
  registrar.add_connection_extension(attach);
  registrar.add_pragma(std::make_shared<StatsPragma>(attach));
}
