// Engine-level PRAGMAs: those that read or change connection, pager or file
// header state at run time. The code generator (plan/pragma.cpp) names their
// result columns; the rows here have the same width. Values and texts follow
// SQLite 3.40.
#include <algorithm>
#include <cstring>

#include "engine/connection.h"
#include "engine/pragma_vtab.h"
#include "keel/ext/session.hpp"
#include "vm/collation.h"
#include "vm/numeric.h"

namespace keel::engine {
namespace {

using vm::Value;

// SQLite's getSafetyLevel / sqlite3GetBoolean: on/yes/true/off/no/false/full/extra/n.
int parse_level(std::string_view v, int dflt) {
  std::string s(v);
  for (auto& c : s) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  if (s == "on" || s == "yes" || s == "true") return 1;
  if (s == "off" || s == "no" || s == "false") return 0;
  if (s == "full") return 2;
  if (s == "extra") return 3;
  if (s == "normal") return 1;
  int64_t n = 0;
  if (!s.empty() && vm::atoi64(s, &n) == 0) return static_cast<int>(n);
  if (!s.empty() && (isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-')) return static_cast<int>(atoll(s.c_str()));
  return dflt;
}

bool parse_bool(std::string_view v) { return parse_level(v, 0) != 0; }

int64_t parse_int(std::string_view v) {
  int64_t n = 0;
  std::string s(v);
  if (vm::atoi64(s, &n) == 0) return n;
  return atoll(s.c_str());
}

const char* journal_mode_name(storage::JournalModeKind k) {
  switch (k) {
    case storage::JournalModeKind::kDelete: return "delete";
    case storage::JournalModeKind::kTruncate: return "truncate";
    case storage::JournalModeKind::kPersist: return "persist";
    case storage::JournalModeKind::kMemory: return "memory";
    case storage::JournalModeKind::kWal: return "wal";
    case storage::JournalModeKind::kOff: return "off";
    case storage::JournalModeKind::kModule: return "module";
  }
  return "delete";
}

bool journal_mode_from_name(std::string_view v, storage::JournalModeKind* out) {
  std::string s(v);
  for (auto& c : s) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  if (s == "delete") *out = storage::JournalModeKind::kDelete;
  else if (s == "truncate") *out = storage::JournalModeKind::kTruncate;
  else if (s == "persist") *out = storage::JournalModeKind::kPersist;
  else if (s == "memory") *out = storage::JournalModeKind::kMemory;
  else if (s == "wal") *out = storage::JournalModeKind::kWal;
  else if (s == "off") *out = storage::JournalModeKind::kOff;
  else return false;
  return true;
}

}  // namespace

Status Connection::run_command(const void* command, std::vector<vm::Value>& rows) {
  const auto* cmd = static_cast<const plan::EngineCommand*>(command);
  switch (cmd->kind) {
    case plan::EngineCommand::Kind::kPragma:
      return run_pragma(*cmd, rows);
    case plan::EngineCommand::Kind::kVacuum:
      return vacuum(cmd->db < 0 ? 0 : cmd->db, cmd->has_value ? &cmd->value : nullptr, nullptr);
    case plan::EngineCommand::Kind::kAttach:
      return attach_database(*cmd, rows);
    case plan::EngineCommand::Kind::kDetach:
      return detach_database(*cmd);
    case plan::EngineCommand::Kind::kIndexMethodCreate:
    case plan::EngineCommand::Kind::kIndexMethodDrop:
      return run_index_method_command(*cmd);
    case plan::EngineCommand::Kind::kSchemaObject: {
      if (cmd->object < 0 || cmd->object >= static_cast<int>(ext_.schema_objects.size())) {
        return Status(rc::kSchema, "database schema has changed");
      }
      ext::SchemaObjectCall call;
      call.sql = cmd->value;
      call.rest = cmd->name;
      call.temp = !cmd->drop && cmd->has_value;
      call.if_exists = cmd->drop && cmd->has_value;
      ext::Session session(this);
      auto& object = *ext_.schema_objects[cmd->object];
      return cmd->drop ? object.drop(session, call) : object.create(session, call);
    }
  }
  return Status(rc::kInternal, "unknown engine command");
}

Status Connection::run_pragma(const plan::EngineCommand& cmd, std::vector<vm::Value>& rows) {
  std::string name = cmd.name;
  for (auto& c : name) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  int db = cmd.db < 0 ? 0 : cmd.db;
  if (name == "journal_mode" && cmd.db < 0 && cmd.has_value) {
    // With no schema named, every open database changes (last first, as
    // SQLite); the row reported is main's.
    for (int i = static_cast<int>(dbs_.size()) - 1; i >= 1; i--) {
      if (!dbs_[i].btree) continue;
      plan::EngineCommand each = cmd;
      each.db = i;
      std::vector<vm::Value> ignored;
      KEEL_RETURN_IF_ERROR(run_pragma(each, ignored));
    }
  }
  if (db == 1) KEEL_RETURN_IF_ERROR(open_temp_database());
  if (db >= static_cast<int>(dbs_.size()) || !dbs_[db].btree) return Status(rc::kError, "unknown database");
  Db& d = dbs_[db];
  storage::Pager& pager = *d.pager;
  storage::Btree& bt = *d.btree;
  auto row1 = [&](Value v) { rows.push_back(std::move(v)); };

  // Header meta values read or written in a transaction of their own when
  // none is active.
  auto with_read = [&](auto&& fn) -> Status {
    bool started = false;
    if (d.txn == 0) {
      KEEL_RETURN_IF_ERROR(bt.begin_read());
      started = true;
    }
    Status s = fn();
    if (started) bt.end_read();
    return s;
  };
  auto with_write = [&](auto&& fn) -> Status {
    if (d.read_only) return Status(rc::kReadOnly, "attempt to write a readonly database");
    bool started = false;
    if (d.txn != 2) {
      KEEL_RETURN_IF_ERROR(bt.begin_write());
      started = d.txn == 0;
      if (d.txn == 1) d.txn = 2;
    }
    Status s = fn();
    if (started) {
      if (s.ok()) {
        s = bt.commit();
      } else {
        bt.rollback().ignore();
      }
    }
    return s;
  };
  auto meta_pragma = [&](storage::Meta m) -> Status {
    if (cmd.has_value) {
      auto v = static_cast<uint32_t>(parse_int(cmd.value));
      return with_write([&] { return bt.set_meta(m, v); });
    }
    return with_read([&]() -> Status {
      KEEL_ASSIGN_OR_RETURN(uint32_t v, bt.get_meta(m));
      row1(Value::integer(static_cast<int32_t>(v)));
      return Status::Ok();
    });
  };

  if (name == "analyze") return run_analyze(cmd);  // engine/analyze.cpp
  if (name == "optimize") return run_optimize(cmd);
  if (name == "analysis_limit") {
    // Entries ANALYZE reads per index (engine/analyze.cpp); 0 = all.
    if (cmd.has_value) {
      int64_t n = parse_int(cmd.value);
      if (n >= 0) analysis_limit_ = n > 0x7fffffff ? 0x7fffffff : n;
    }
    row1(Value::integer(analysis_limit_));
    return Status::Ok();
  }
  if (name == "user_version") return meta_pragma(storage::Meta::kUserVersion);
  if (name == "application_id") return meta_pragma(storage::Meta::kApplicationId);
  if (name == "schema_version") {
    Status s = meta_pragma(storage::Meta::kSchemaCookie);
    if (cmd.has_value) reset_schema(db);
    return s;
  }
  if (name == "freelist_count") {
    return with_read([&]() -> Status {
      KEEL_ASSIGN_OR_RETURN(uint32_t v, bt.get_meta(storage::Meta::kFreePageCount));
      row1(Value::integer(v));
      return Status::Ok();
    });
  }
  if (name == "page_count") {
    return with_read([&]() -> Status {
      row1(Value::integer(bt.page_count()));
      return Status::Ok();
    });
  }
  if (name == "page_size") {
    if (cmd.has_value) {
      int64_t n = parse_int(cmd.value);
      if (n >= 512 && n <= 65536 && (n & (n - 1)) == 0) {
        next_page_size_ = static_cast<uint32_t>(n);  // for the next VACUUM if the file has content
        return pager.set_page_size(static_cast<uint32_t>(n));
      }
      return Status::Ok();
    }
    return with_read([&]() -> Status {
      row1(Value::integer(bt.page_size()));
      return Status::Ok();
    });
  }
  if (name == "cache_size") {
    if (cmd.has_value) {
      pager.set_cache_size(parse_int(cmd.value));
      return Status::Ok();
    }
    row1(Value::integer(pager.cache_size()));
    return Status::Ok();
  }
  if (name == "synchronous") {
    if (cmd.has_value) {
      int level = parse_level(cmd.value, 2);
      if (level < 0 || level > 3) level = 2;
      pager.set_synchronous(static_cast<storage::SyncLevel>(level));
      return Status::Ok();
    }
    row1(Value::integer(static_cast<int>(pager.synchronous())));
    return Status::Ok();
  }
  if (name == "journal_mode") {
    if (cmd.has_value) {
      storage::JournalModeKind k;
      std::string wanted = cmd.value;
      for (auto& c : wanted) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
      const ext::JournalModeFactory* module_mode = nullptr;
      for (const auto& f : ext_.journal_modes) {
        if (f->name() == wanted) module_mode = f.get();
      }
      if (module_mode != nullptr && !journal_mode_from_name(cmd.value, &k)) {
        // A module's journal mode (PRAGMA journal_mode = mvcc).
        if (!autocommit_ || d.txn != 0) {
          return Status(rc::kError, "cannot change journal mode from within a transaction");
        }
        ext::Session session(this);
        KEEL_ASSIGN_OR_RETURN(std::unique_ptr<ext::JournalMode> mode,
                              const_cast<ext::JournalModeFactory*>(module_mode)->create(session));
        KEEL_RETURN_IF_ERROR(pager.set_journal_mode(std::move(mode)));
      } else if (journal_mode_from_name(cmd.value, &k)) {
        if (!autocommit_ && (k == storage::JournalModeKind::kWal || pager.journal_mode() == storage::JournalModeKind::kWal)) {
          return Status(rc::kError, "cannot change into wal mode from within a transaction");
        }
        if (d.txn == 0 || k != storage::JournalModeKind::kWal) {
          Status s = pager.set_journal_mode(k);
          if (!s.ok() && !s.is(rc::kBusy)) return s;
          if (s.is(rc::kBusy)) return s;
        }
      }
    }
    row1(Value::text(pager.journal_mode() == storage::JournalModeKind::kModule
                        ? std::string(pager.journal_mode_name())
                        : std::string(journal_mode_name(pager.journal_mode()))));
    return Status::Ok();
  }
  if (name == "wal_checkpoint") {
    storage::CheckpointMode mode = storage::CheckpointMode::kPassive;
    std::string v = cmd.value;
    for (auto& c : v) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    if (v == "full") mode = storage::CheckpointMode::kFull;
    else if (v == "restart") mode = storage::CheckpointMode::kRestart;
    else if (v == "truncate") mode = storage::CheckpointMode::kTruncate;
    auto r = pager.checkpoint(mode);
    if (!r.ok() && !r.status().is(rc::kBusy)) return r.take_status();
    bool busy = !r.ok();
    row1(Value::integer(busy ? 1 : 0));
    row1(Value::integer(busy ? -1 : r->log_frames));
    row1(Value::integer(busy ? -1 : r->checkpointed_frames));
    return Status::Ok();
  }
  if (name == "wal_autocheckpoint") {
    static thread_local int current = 1000;
    if (cmd.has_value) {
      current = static_cast<int>(parse_int(cmd.value));
      pager.set_wal_autocheckpoint(current < 0 ? 0 : current);
    }
    row1(Value::integer(current));
    return Status::Ok();
  }
  if (name == "threads") {
    // Auxiliary threads a statement may use (a top-N scan splits its key
    // computation across them, vm/topn_prescan.h); SQLite's limit of 8.
    if (cmd.has_value) set_worker_threads(static_cast<int>(parse_int(cmd.value)));
    row1(Value::integer(worker_threads_));
    return Status::Ok();
  }
  if (name == "busy_timeout") {
    if (cmd.has_value) set_busy_timeout(static_cast<int>(parse_int(cmd.value)));
    row1(Value::integer(busy_timeout_ms_));
    return Status::Ok();
  }
  auto flag = [&](bool& f) -> Status {
    if (cmd.has_value) {
      f = parse_bool(cmd.value);
      return Status::Ok();
    }
    row1(Value::integer(f ? 1 : 0));
    return Status::Ok();
  };
  if (name == "foreign_keys") {
    // Inside a transaction the setting cannot change (silently, as SQLite).
    if (cmd.has_value && !autocommit_) return Status::Ok();
    return flag(compile_options_.foreign_keys);
  }
  if (name == "defer_foreign_keys") {
    KEEL_RETURN_IF_ERROR(flag(compile_options_.defer_foreign_keys));
    if (!compile_options_.defer_foreign_keys) fk_deferred_imm_ = 0;
    return Status::Ok();
  }
  if (name == "recursive_triggers") return flag(compile_options_.recursive_triggers);
  if (name == "reverse_unordered_selects") return flag(compile_options_.reverse_unordered_selects);
  if (name == "legacy_alter_table") return flag(compile_options_.legacy_alter_table);
  if (name == "case_sensitive_like") {
    if (cmd.has_value) compile_options_.case_sensitive_like = parse_bool(cmd.value);
    return Status::Ok();
  }
  if (name == "auto_vacuum") {
    if (cmd.has_value) {
      std::string v = cmd.value;
      for (auto& c : v) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
      storage::AutoVacuum mode = storage::AutoVacuum::kNone;
      if (v == "full" || v == "1") mode = storage::AutoVacuum::kFull;
      else if (v == "incremental" || v == "2") mode = storage::AutoVacuum::kIncremental;
      next_auto_vacuum_ = static_cast<int>(mode);  // applied by the next VACUUM if the file has content
      // Only an empty database can change (SQLite silently ignores otherwise).
      Status s = with_write([&] { return bt.set_auto_vacuum(mode); });
      if (!s.ok() && s.primary() != rc::kError) return s;
      return Status::Ok();
    }
    return with_read([&]() -> Status {
      row1(Value::integer(static_cast<int>(bt.auto_vacuum())));
      return Status::Ok();
    });
  }
  if (name == "incremental_vacuum") {
    int64_t n = cmd.has_value ? parse_int(cmd.value) : 0;
    return with_write([&]() -> Status {
      KEEL_ASSIGN_OR_RETURN(uint32_t freed, bt.incremental_vacuum(n > 0 ? static_cast<uint32_t>(n) : 0));
      (void)freed;
      return Status::Ok();
    });
  }
  if (name == "integrity_check" || name == "quick_check") {
    int max_errors = cmd.has_value ? static_cast<int>(parse_int(cmd.value)) : 100;
    if (max_errors <= 0) max_errors = 100;
    std::vector<std::string> all;
    for (size_t i = 0; i < dbs_.size(); i++) {
      if (!dbs_[i].btree) continue;
      if (cmd.db >= 0 && static_cast<int>(i) != cmd.db) continue;
      Db& di = dbs_[i];
      KEEL_RETURN_IF_ERROR(ensure_schema(static_cast<int>(i)));
      std::vector<storage::PageNo> roots{1};
      for (const auto& [n, t] : catalog_.database(static_cast<int>(i)).tables()) {
        if (t->root) roots.push_back(t->root);
      }
      for (const auto& [n, ix] : catalog_.database(static_cast<int>(i)).indexes()) {
        if (ix->root) roots.push_back(ix->root);
      }
      // A WITHOUT ROWID table and its primary-key index share one b-tree.
      std::sort(roots.begin(), roots.end());
      roots.erase(std::unique(roots.begin(), roots.end()), roots.end());
      Status s = [&]() -> Status {
        bool started = false;
        if (di.txn == 0) {
          KEEL_RETURN_IF_ERROR(di.btree->begin_read());
          started = true;
        }
        auto r = di.btree->integrity_check(roots, max_errors - static_cast<int>(all.size()));
        if (started) di.btree->end_read();
        if (!r.ok()) return r.take_status();
        for (auto& m : *r) {
          all.push_back(i == 0 ? m : "In database " + catalog_.database_name(static_cast<int>(i)) + " " + m);
        }
        return Status::Ok();
      }();
      KEEL_RETURN_IF_ERROR(s);
    }
    if (all.empty()) {
      row1(Value::text("ok"));
    } else {
      for (auto& m : all) row1(Value::text(m));
    }
    return Status::Ok();
  }
  if (name == "database_list") {
    for (Value& v : database_list()) row1(std::move(v));
    return Status::Ok();
  }
  if (name == "compile_options") {
    static const char* kOptions[] = {"ENABLE_MATH_FUNCTIONS", "KEEL", "TEMP_STORE=1", "THREADSAFE=1"};
    for (const char* o : kOptions) row1(Value::text(o));
    return Status::Ok();
  }
  if (name == "function_list") {
    auto defs = functions_.all();
    std::sort(defs.begin(), defs.end(), [](auto* a, auto* b) {
      return a->name != b->name ? a->name < b->name : a->n_arg < b->n_arg;
    });
    // Built-in: the definition register_builtin_functions() makes (a
    // function redefined by the application is not).
    static const func::FunctionRegistry builtins = [] {
      func::FunctionRegistry r;
      func::register_builtin_functions(r);
      return r;
    }();
    for (const auto* f : defs) {
      if (f->flags & func::kInternal) continue;
      const func::FunctionDef* b = builtins.find(f->name, f->n_arg);
      bool builtin = b && b->n_arg == f->n_arg && b->scalar == f->scalar && b->step == f->step;
      // Every built-in aggregate also works as a window function ('w').
      const char* type = !f->is_aggregate() ? "s" : (builtin || f->is_window()) ? "w" : "a";
      row1(Value::text(f->name));
      row1(Value::integer(builtin ? 1 : 0));
      row1(Value::text(type));
      row1(Value::text("utf8"));
      row1(Value::integer(f->n_arg));
      int flags = 0;
      if (f->flags & func::kDeterministic) flags |= 0x800;
      if (f->flags & func::kDirectOnly) flags |= 0x80000;
      if (f->flags & func::kInnocuous) flags |= 0x200000;
      row1(Value::integer(flags));
    }
    return Status::Ok();
  }
  if (name == "encoding" && !cmd.has_value) {
    // Keel databases are UTF-8 (UTF-16 files are refused at open).
    row1(Value::text("UTF-8"));
    return Status::Ok();
  }
  if (name == "module_list") {
    for (const std::string& m : vtabs_.module_names()) row1(Value::text(m));
    return Status::Ok();
  }
  if (name == "pragma_list") {
    for (std::string_view p : pragma_names()) row1(Value::text(p));
    return Status::Ok();
  }
  if (name == "collation_list") {
    int seq = 0;
    for (const auto& [cname, coll] : collations_) {
      row1(Value::integer(seq++));
      row1(Value::text(cname));
    }
    for (const char* b : {"RTRIM", "NOCASE", "BINARY"}) {
      row1(Value::integer(seq++));
      row1(Value::text(b));
    }
    return Status::Ok();
  }
  if (name == "locking_mode") {
    // Only the normal locking mode exists: locks are released at the end of
    // each transaction.
    row1(Value::text("normal"));
    return Status::Ok();
  }
  // A module's pragma.
  for (const auto& h : ext_.pragmas) {
    if (vm::stricmp(h->name(), name) != 0) continue;
    ext::PragmaCall call;
    call.schema = cmd.db < 0 ? std::string_view() : std::string_view(d.name);
    call.name = name;
    call.has_value = cmd.has_value;
    call.value = cmd.value;
    std::vector<std::vector<keel::Value>> out;
    ext::Session session(this);
    Status ran = h->run(session, call, out);
    refresh_observers_active();  // a module pragma may switch an observer on or off
    KEEL_RETURN_IF_ERROR(ran);
    size_t n = h->columns().size();
    for (const auto& row : out) {
      if (row.size() != n) {
        return Status(rc::kError, "pragma " + name + " returned a row of " + std::to_string(row.size()) +
                                      " values, expected " + std::to_string(n));
      }
      for (const keel::Value& v : row) {
        switch (v.type()) {
          case keel::Type::kNull:
            row1(Value::null());
            break;
          case keel::Type::kInteger:
            row1(Value::integer(v.as_int64()));
            break;
          case keel::Type::kReal:
            row1(Value::real(v.as_double()));
            break;
          case keel::Type::kText:
            row1(Value::text(v.text()));
            break;
          case keel::Type::kBlob:
            row1(Value::blob(v.blob()));
            break;
        }
      }
    }
    return Status::Ok();
  }
  // As SQLite: an unknown pragma is not an error and returns nothing.
  return Status::Ok();
}

}  // namespace keel::engine
