// ATTACH and DETACH (SQLite's attach.c): a connection's databases beyond
// main and temp.
//
// Numbering: database 0 is main, 1 temp, then attached databases in the order
// they were attached. DETACH closes the gap (sqlite3CollapseDatabaseArray),
// so the databases after it move down one place; the Catalog and dbs_ keep
// the same numbers at all times. Because compiled programs name databases by
// number, every ATTACH and DETACH bumps database_generation() and statements
// compiled before it are compiled again before they next run (SQLite expires
// them with OP_Expire).
//
// An attached file is opened exactly as the main database is
// (open_database: same VFS, cache size, busy handler, journal-mode factories
// for module file formats); "file:" URIs are read when the connection reads
// them. It gets no page codec of its own: a connection extension that wants
// one installs it through Session::set_page_codec with the schema name.
#include <string>

#include "engine/connection.h"
#include "engine/uri.h"

namespace keel::engine {

Status Connection::attach_database(const plan::EngineCommand& cmd, std::vector<vm::Value>& rows) {
  std::string name = cmd.name;
  std::string file = cmd.value;
  if (cmd.args_in_rows) {
    // Computed names (OP_Pragma P5 = 1): NULL counts as "".
    vm::NumberText t1, t2;
    file = rows.size() > 0 && !rows[0].is_null() ? std::string(rows[0].as_text(t1)) : std::string();
    name = rows.size() > 1 && !rows[1].is_null() ? std::string(rows[1].as_text(t2)) : std::string();
  }
  rows.clear();
  // The same checks, in the same order, as attachFunc().
  if (static_cast<int>(dbs_.size()) >= max_attached_ + 2) {
    return Status(rc::kError, "too many attached databases - max " + std::to_string(max_attached_));
  }
  if (catalog_.find_database(name) >= 0 || database_index(name) >= 0) {
    return Status(rc::kError, "database " + name + " is already in use");
  }
  bool read_only = options_.read_only;
  bool create = options_.create;
  bool memory = false;
  std::string path = file;
  if (options_.uri && file.substr(0, 5) == "file:") {
    ParsedUri u = parse_uri(file);
    path = u.path;
    auto mode = u.params.find("mode");
    if (mode != u.params.end()) {
      if (mode->second == "ro") {
        read_only = true;
        create = false;
      } else if (mode->second == "rw") {
        read_only = false;
        create = false;
      } else if (mode->second == "rwc") {
        read_only = false;
        create = true;
      } else if (mode->second == "memory") {
        memory = true;
      } else {
        return Status(rc::kError, "no such access mode: " + mode->second);
      }
    }
    auto vfs = u.params.find("vfs");
    if (vfs != u.params.end() && vfs->second != "unix" && vfs->second != vfs_->name() &&
        vfs->second != "memdb") {
      return Status(rc::kError, "no such vfs: " + vfs->second);
    }
    if (vfs != u.params.end() && vfs->second == "memdb") memory = true;
    auto imm = u.params.find("immutable");
    if (imm != u.params.end() && imm->second == "1") read_only = true;
  }
  if (path.empty() || path == ":memory:") memory = true;

  int idx = catalog_.attach(name);
  if (idx != static_cast<int>(dbs_.size())) {
    catalog_.detach(idx);
    return Status(rc::kInternal, "database numbering out of step");
  }
  dbs_.emplace_back();
  dbs_[idx].name = name;
  database_generation_++;
  auto undo = [&](Status s) {
    dbs_[idx].btree.reset();
    dbs_[idx].pager.reset();
    dbs_.pop_back();
    catalog_.detach(idx);
    return s;
  };
  Status opened = open_database(idx, path, memory, read_only, create);
  if (!opened.ok()) {
    if (opened.primary() == rc::kNoMem) return undo(opened);
    return undo(Status(rc::kCantOpen, "unable to open database: " + file));
  }
  // Read the schema now, as sqlite3Init does: a file that is not a database
  // fails the ATTACH, not a later statement.
  Status schema = ensure_schema(idx);
  if (!schema.ok()) return undo(schema);
  return Status::Ok();
}

Status Connection::detach_database(const plan::EngineCommand& cmd) {
  const std::string& name = cmd.name;
  int idx = catalog_.find_database(name);
  // An unopened temp database has no entry yet: SQLite reports it unknown.
  if (idx == 1 && !dbs_[1].btree) idx = -1;
  if (idx < 0 || idx >= static_cast<int>(dbs_.size())) return Status(rc::kError, "no such database: " + name);
  if (idx < 2) return Status(rc::kError, "cannot detach database " + name);
  Db& d = dbs_[idx];
  if (d.txn != 0) return Status(rc::kError, "database " + name + " is locked");
  // Virtual tables of this database and those after it are keyed by number.
  for (int i = idx; i < static_cast<int>(dbs_.size()); i++) vtabs_.forget_database(i);
  if (ext_.index_runtime) ext_.index_runtime->forget_instances();
  d.btree.reset();
  d.pager.reset();
  dbs_.erase(dbs_.begin() + idx);
  catalog_.detach(idx);
  database_generation_++;
  return Status::Ok();
}

std::vector<vm::Value> Connection::database_list() const {
  std::vector<vm::Value> rows;
  for (size_t i = 0; i < dbs_.size(); i++) {
    if (!dbs_[i].btree) continue;  // temp before its first use
    rows.push_back(vm::Value::integer(static_cast<int64_t>(i)));
    rows.push_back(vm::Value::text(dbs_[i].name));
    rows.push_back(vm::Value::text(dbs_[i].path));
  }
  return rows;
}

}  // namespace keel::engine
