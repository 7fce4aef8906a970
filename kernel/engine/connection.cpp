#include "engine/connection.h"

#include <chrono>
#include <cstring>
#include <random>

#include "engine/pragma_vtab.h"
#include "engine/statement.h"
#include "engine/uri.h"
#include "func/json_each_vtab.h"
#include "keel/ext/session.hpp"
#include "parse/parser.h"
#include "vm/collation.h"
#include "vm/record.h"

namespace keel::engine {
namespace {

// SQLite's default busy handler delays, in milliseconds.
constexpr int kBusyDelays[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};

}  // namespace

Result<std::unique_ptr<Connection>> Connection::open(std::string_view filename, const OpenOptions& options) {
  std::unique_ptr<Connection> c(new Connection());
  c->options_ = options;
  c->vfs_ = options.vfs ? options.vfs : &os::default_vfs();
  func::register_builtin_functions(c->functions_);
  c->vtabs_.set_connection(c.get());
  c->vtabs_.add_module(func::make_json_each_module(false));
  c->vtabs_.add_module(func::make_json_each_module(true));
  for (auto& m : make_pragma_modules(*c)) c->vtabs_.add_module(std::move(m));
  bool read_only = options.read_only;
  bool create = options.create;
  bool memory = false;
  std::string path(filename);
  if (options.uri && filename.substr(0, 5) == "file:") {
    ParsedUri u = parse_uri(filename);
    path = u.path;
    c->uri_params_ = u.params;
    auto mode = u.params.find("mode");
    if (mode != u.params.end()) {
      if (mode->second == "ro") {
        read_only = true;
        create = false;
      } else if (mode->second == "rw") {
        create = false;
      } else if (mode->second == "rwc") {
        create = true;
      } else if (mode->second == "memory") {
        memory = true;
      } else {
        return Status(rc::kError, "no such access mode: " + mode->second);
      }
    }
    auto vfs = u.params.find("vfs");
    if (vfs != u.params.end()) {
      if (vfs->second == "memdb") {
        c->vfs_ = &os::memory_vfs();
      } else if (vfs->second != "unix" && vfs->second != c->vfs_->name()) {
        return Status(rc::kError, "no such vfs: " + vfs->second);
      }
    }
    auto imm = u.params.find("immutable");
    if (imm != u.params.end() && imm->second == "1") read_only = true;
  }
  if (path.empty() || path == ":memory:") memory = true;
  c->busy_timeout_ms_ = options.busy_timeout_ms;
  c->dbs_.resize(2);
  c->dbs_[0].name = "main";
  c->dbs_[1].name = "temp";
  // Extensions see the file name before the database opens.
  c->dbs_[0].path = memory ? std::string() : path;
  if (options.before_open) KEEL_RETURN_IF_ERROR(options.before_open(*c));
  KEEL_RETURN_IF_ERROR(c->open_database(0, path, memory, read_only, create));
  c->set_busy_timeout(options.busy_timeout_ms);
  return c;
}

Connection::~Connection() {
  rollback_all();
  {
    ext::Session session(this);
    for (auto it = ext_.attached.rbegin(); it != ext_.attached.rend(); ++it) (*it)->detach(session);
  }
  ext_.observers.clear();
  for (auto& db : dbs_) {
    db.btree.reset();
    db.pager.reset();
  }
}

Status Connection::open_database(int db, std::string path, bool memory, bool read_only, bool create) {
  Db& d = dbs_[db];
  storage::PagerOptions po;
  // An in-memory database (":memory:", "", mode=memory) lives in the memory
  // VFS whatever VFS the connection uses for files: never a file on disk.
  po.vfs = memory ? &os::memory_vfs() : vfs_;
  po.read_only = read_only;
  po.create = create;
  po.memory = memory;
  po.cache_size = options_.cache_size;
  po.busy_handler = [this](int n) { return busy_handler_ ? busy_handler_(n) : false; };
  po.codec = d.codec.get();
  po.journal_mode_for_format = [this](uint8_t format) -> Result<std::unique_ptr<ext::JournalMode>> {
    for (const auto& f : ext_.journal_modes) {
      if (f->file_format_version() == format) {
        ext::Session session(this);
        return f->create(session);
      }
    }
    std::string hint = format == 255 ? " (enable the 'mvcc' feature)" : "";
    return Status(rc::kNotADb, "file is not a database: its format version " + std::to_string(format) +
                                   " needs a journal-mode module that is not loaded" + hint);
  };
  if (memory && (path.empty() || path == ":memory:")) {
    static std::atomic<uint64_t> counter{0};
    path = ":memory:" + std::to_string(counter.fetch_add(1));
  }
  KEEL_ASSIGN_OR_RETURN(d.pager, storage::Pager::open(path, po));
  KEEL_ASSIGN_OR_RETURN(d.btree, storage::Btree::open(*d.pager));
  d.path = memory ? std::string() : d.pager->path();
  d.read_only = read_only;
  d.memory = memory;
  d.create = create;
  return Status::Ok();
}

Status Connection::open_temp_database() {
  if (dbs_[1].btree) return Status::Ok();
  return open_database(1, std::string(), true, false, true);
}

const std::string& Connection::filename(int db) const { return dbs_[db].path; }
bool Connection::read_only(int db) const { return dbs_[db].read_only; }
storage::Pager* Connection::pager(int db) {
  return db >= 0 && db < static_cast<int>(dbs_.size()) ? dbs_[db].pager.get() : nullptr;
}

void Connection::set_busy_timeout(int ms) {
  busy_timeout_ms_ = ms;
  if (ms <= 0) {
    busy_handler_ = nullptr;
    return;
  }
  busy_handler_ = [this](int count) {
    int total = 0;
    int delay = 0;
    int n = static_cast<int>(sizeof(kBusyDelays) / sizeof(kBusyDelays[0]));
    if (count < n) {
      delay = kBusyDelays[count];
      for (int i = 0; i < count; i++) total += kBusyDelays[i];
    } else {
      delay = kBusyDelays[n - 1];
      total = 0;
      for (int i = 0; i < n; i++) total += kBusyDelays[i];
      total += (count - n + 1) * delay;
    }
    if (total + delay > busy_timeout_ms_) {
      delay = busy_timeout_ms_ - total;
      if (delay <= 0) return false;
    }
    vfs_->sleep_micros(static_cast<int64_t>(delay) * 1000);
    return true;
  };
}

void Connection::set_busy_handler(std::function<bool(int)> handler) {
  busy_timeout_ms_ = 0;
  busy_handler_ = std::move(handler);
}

void Connection::set_collation(std::string name, std::shared_ptr<vm::Collation> collation) {
  if (!collation) {
    collations_.erase(name);
  } else {
    collations_[std::move(name)] = std::move(collation);
  }
}

const vm::Collation* Connection::find_collation(std::string_view name) const {
  auto it = collations_.find(name);
  if (it != collations_.end()) return it->second.get();
  return vm::find_builtin_collation(name);
}

// ---------------------------------------------------------------- schema

Status Connection::load_schema(int db) {
  Db& d = dbs_[db];
  plan::DatabaseSchema& schema = catalog_.database(db);
  schema.clear();
  KEEL_ASSIGN_OR_RETURN(uint32_t cookie, d.btree->get_meta(storage::Meta::kSchemaCookie));
  KEEL_ASSIGN_OR_RETURN(uint32_t format, d.btree->get_meta(storage::Meta::kSchemaFormat));
  KEEL_ASSIGN_OR_RETURN(uint32_t encoding, d.btree->get_meta(storage::Meta::kTextEncoding));
  if (d.btree->page_count() > 0) {
    if (format > 4) return Status(rc::kError, "unsupported file format");
    if (encoding > 1)
      return Status(rc::kError, "unsupported file format: UTF-16 databases are not supported");
  }
  schema.schema_cookie = cookie;
  schema.file_format = format == 0 ? 4 : static_cast<int>(format);
  if (d.btree->page_count() == 0) {
    schema.loaded = true;
    return Status::Ok();
  }
  storage::BtCursor cur(*d.btree, 1, false);
  KEEL_RETURN_IF_ERROR(cur.first());
  std::vector<uint8_t> buf;
  vm::RecordReader reader;
  vm::Value type, name, tbl, root, sql;
  while (!cur.eof()) {
    uint32_t size = cur.payload_size();
    auto local = cur.payload_local();
    std::span<const uint8_t> rec;
    if (local.size() >= size) {
      rec = local.subspan(0, size);
    } else {
      buf.resize(size);
      KEEL_RETURN_IF_ERROR(cur.read_payload(0, size, buf.data()));
      rec = buf;
    }
    KEEL_RETURN_IF_ERROR(reader.reset(rec));
    KEEL_RETURN_IF_ERROR(reader.column(0, type));
    KEEL_RETURN_IF_ERROR(reader.column(1, name));
    KEEL_RETURN_IF_ERROR(reader.column(2, tbl));
    KEEL_RETURN_IF_ERROR(reader.column(3, root));
    KEEL_RETURN_IF_ERROR(reader.column(4, sql));
    vm::NumberText t1, t2, t3, t4;
    Status s = schema.add_entry(type.as_text(t1), name.as_text(t2), tbl.as_text(t3), root.as_int64(),
                                sql.is_null() ? std::string_view() : sql.as_text(t4));
    if (!s.ok()) {
      schema.clear();
      return s;
    }
    KEEL_RETURN_IF_ERROR(cur.next());
  }
  schema.loaded = true;
  load_stat1(db);  // sqlite3AnalysisLoad: the planner's estimates (analyze.cpp)
  return Status::Ok();
}

Status Connection::ensure_schema(int db) {
  if (db == 1 && !dbs_[1].btree) {
    catalog_.database(1).loaded = true;
    return Status::Ok();
  }
  if (db < 0 || db >= static_cast<int>(dbs_.size()) || !dbs_[db].btree) {
    return Status(rc::kError, "unknown database");
  }
  Db& d = dbs_[db];
  bool started = false;
  if (d.txn == 0) {
    KEEL_RETURN_IF_ERROR(d.btree->begin_read());
    started = true;
  }
  Status s;
  auto cookie = d.btree->get_meta(storage::Meta::kSchemaCookie);
  if (!cookie.ok()) {
    s = cookie.status();
  } else if (!catalog_.database(db).loaded || catalog_.database(db).schema_cookie != *cookie) {
    s = load_schema(db);
  }
  if (started) d.btree->end_read();
  return s;
}

void Connection::reset_schema(int db) {
  if (ext_.index_runtime) ext_.index_runtime->forget_instances();
  catalog_.database(db).clear();
  catalog_.database(db).loaded = false;
}

Status Connection::parse_schema(int db, std::string_view where) {
  (void)where;
  // Reload the whole schema of `db` inside the current transaction: the
  // statement that changed it wrote sqlite_schema already.
  return load_schema(db);
}

Result<std::shared_ptr<const plan::VtabInstance>> Connection::connect_vtab(plan::Table& t) {
  return vtabs_.connect(t, catalog_.database_name(t.db), false);
}

Status Connection::vtab_create(int db, std::string_view name) {
  plan::Table* t = catalog_.database(db).find_table(name);
  if (t == nullptr || !t->is_virtual) return Status(rc::kInternal, "no virtual table " + std::string(name));
  KEEL_ASSIGN_OR_RETURN(std::shared_ptr<const plan::VtabInstance> inst,
                        vtabs_.connect(*t, catalog_.database_name(db), true));
  // As SQLite's sqlite3VtabCallCreate: the new table joins the transaction
  // (sync/commit or rollback at its end) without a begin() call.
  vtab_txn_.push_back(inst->table);
  return Status::Ok();
}

Status Connection::vtab_begin(const std::shared_ptr<ext::VirtualTable>& table) {
  for (const auto& t : vtab_txn_) {
    if (t == table) return Status::Ok();
  }
  KEEL_RETURN_IF_ERROR(table->begin());
  vtab_txn_.push_back(table);
  return Status::Ok();
}

Status Connection::vtab_destroy(int db, std::string_view name) {
  plan::Table* t = catalog_.database(db).find_table(name);
  if (t == nullptr || !t->is_virtual) return Status(rc::kInternal, "no virtual table " + std::string(name));
  return vtabs_.destroy(*t, catalog_.database_name(db));
}

void Connection::drop_schema_object(int db, int kind, std::string_view name) {
  if (kind == 0) vtabs_.forget_table(db, name);
  plan::DatabaseSchema& s = catalog_.database(db);
  if (kind == 0) {
    s.drop_table(name);
  } else if (kind == 1) {
    s.drop_index(name);
  } else {
    s.drop_trigger(name);
  }
}

void Connection::schema_changed(int db) {
  // The cookie in the file moved on: the loaded schema is now the newest,
  // provided the statement made its own schema changes through ParseSchema.
  auto cookie = dbs_[db].btree->get_meta(storage::Meta::kSchemaCookie);
  if (cookie.ok()) catalog_.database(db).schema_cookie = *cookie;
}

// ---------------------------------------------------------------- prepare / exec

Result<std::unique_ptr<Statement>> Connection::prepare(std::string_view sql, uint32_t* tail) {
  parse::Arena arena;
  parse::ParseOptions options;
  options.fold_false_and = true;
  parse::Parser parser(arena, sql, options);
  last_error_offset_ = -1;
  auto parsed = parser.parse_statement(0);
  if (!parsed.ok()) {
    last_error_offset_ = parser.error_offset();
    return parsed.take_status();
  }
  parse::ParsedStatement st = std::move(parsed).value();
  if (tail) *tail = st.tail;
  if (st.stmt == nullptr) return std::unique_ptr<Statement>();
  // A PRAGMA naming the temp schema opens the temp database, as SQLite's
  // sqlite3Pragma does: PRAGMA database_list lists it from then on.
  if (st.stmt->kind == parse::StmtKind::kPragma) {
    const auto* pragma = st.stmt->as<parse::PragmaStmt>();
    if (pragma->name.schema.present() && catalog_.find_database(pragma->name.schema.value) == 1) {
      KEEL_RETURN_IF_ERROR(open_temp_database());
    }
  }
  // A statement prepared while another one executes (a module's nested
  // statement) uses the schema as that statement keeps it, loading it only
  // if it is not loaded at all: the file may be half-way through that
  // statement's DDL (rows of sqlite_schema deleted, cookie bumped), as in
  // SQLite, where only OP_Transaction compares the cookie.
  for (int db = 0; db < catalog_.database_count(); db++) {
    if (!catalog_.has_database(db) || db >= static_cast<int>(dbs_.size())) continue;
    if (db == 1 && !dbs_[1].btree) continue;
    if (!dbs_[db].btree) continue;
    if (!executing_.empty() && catalog_.database(db).loaded) continue;
    KEEL_RETURN_IF_ERROR(ensure_schema(db));
  }
  plan::CompileInput in;
  in.statement = &st;
  in.sql = sql;
  in.catalog = &catalog_;
  in.functions = &functions_;
  in.collations = this;
  in.vtabs = this;
  in.module_pragmas = &ext_.pragmas;
  in.index_methods = ext_.index_runtime.get();
  in.schema_objects = &ext_.schema_objects;
  in.options = compile_options_;
  // SQL the engine or a module runs inside a statement is not the
  // application's: the authorizer is not asked about it.
  in.authorizer =
      hooks_.authorizer && executing_.empty() && !in_commit_observers_ ? &hooks_.authorizer : nullptr;
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<vm::Program> program, plan::compile(in));
  // INSERT, UPDATE and DELETE set sqlite3_changes() when they finish.
  parse::StmtKind kind = st.stmt->kind;
  if (kind == parse::StmtKind::kInsert || kind == parse::StmtKind::kUpdate ||
      kind == parse::StmtKind::kDelete) {
    program->counts_changes = true;
  }
  std::string text(sql.substr(st.span.begin, st.terminator - st.span.begin));
  if (st.explain != parse::ExplainMode::kNone) {
    // Keep the EXPLAIN prefix in sqlite3_sql().
    text = std::string(sql.substr(0, st.terminator));
    size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos) text = text.substr(first);
  }
  std::vector<parse::Parameter> params(st.parameters.begin(), st.parameters.end());
  return std::unique_ptr<Statement>(
      new Statement(*this, std::move(text), std::move(program), std::move(params), st.parameter_count));
}

Status Connection::exec(std::string_view sql, const ExecCallback& callback) {
  uint32_t pos = 0;
  while (pos < sql.size()) {
    uint32_t tail = 0;
    KEEL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt, prepare(sql.substr(pos), &tail));
    if (!stmt) break;
    pos += tail;
    std::vector<std::string> names;
    std::vector<char*> name_ptrs;
    std::vector<std::string> values;
    std::vector<char*> value_ptrs;
    for (;;) {
      KEEL_ASSIGN_OR_RETURN(int rc, stmt->step());
      if (rc != rc::kRow) break;
      if (!callback) continue;
      int n = stmt->column_count();
      if (names.empty()) {
        for (int i = 0; i < n; i++) names.push_back(stmt->column_info(i).name);
        for (auto& s : names) name_ptrs.push_back(s.data());
      }
      auto row = stmt->row();
      values.assign(n, std::string());
      value_ptrs.assign(n, nullptr);
      for (int i = 0; i < n; i++) {
        if (row[i].is_null()) continue;
        vm::NumberText t;
        values[i] = std::string(row[i].as_text(t));
        value_ptrs[i] = values[i].data();
      }
      if (callback(n, value_ptrs.data(), name_ptrs.data())) {
        stmt->reset().ignore();
        return Status(rc::kAbort, "query aborted");
      }
    }
    KEEL_RETURN_IF_ERROR(stmt->reset());
  }
  return Status::Ok();
}

// ---------------------------------------------------------------- function host

int64_t Connection::statement_time_ms() {
  if (statement_time_ == 0) statement_time_ = vfs_->current_time_ms();
  return statement_time_;
}

void Connection::randomness(void* buf, size_t n) {
  static thread_local std::mt19937_64 rng([this] {
    uint64_t seed = 0;
    vfs_->randomness(&seed, sizeof seed);
    return seed;
  }());
  auto* p = static_cast<uint8_t*>(buf);
  while (n > 0) {
    uint64_t v = rng();
    size_t k = n < sizeof v ? n : sizeof v;
    std::memcpy(p, &v, k);
    p += k;
    n -= k;
  }
}

void Connection::add_changes(int64_t n) {
  running_changes_ += n;
  total_changes_ += n;
}

void Connection::statement_started(Statement*) {
  if (active_statements_ == 0) interrupt_ = false;
  active_statements_++;
}

void Connection::statement_finished(Statement*) {
  if (active_statements_ > 0) active_statements_--;
}

}  // namespace keel::engine
