// The planner's test engine: see test_engine.h.
#include "plan/testing/test_engine.h"

#include <chrono>

#include "os/vfs.h"
#include "parse/parser.h"
#include "vm/record_compare.h"

namespace keel::plan::testing {

Result<std::unique_ptr<TestEngine>> TestEngine::open(const std::string& path) {
  std::unique_ptr<TestEngine> e(new TestEngine());
  storage::PagerOptions opt;
  opt.memory = path.empty() || path == ":memory:";
  opt.synchronous = storage::SyncLevel::kOff;
  KEEL_ASSIGN_OR_RETURN(e->dbs_[0].pager, storage::Pager::open(opt.memory ? ":memory:" : path, opt));
  KEEL_ASSIGN_OR_RETURN(e->dbs_[0].btree, storage::Btree::open(*e->dbs_[0].pager));
  func::register_builtin_functions(e->functions_);
  return e;
}

TestEngine::~TestEngine() {
  for (Db& d : dbs_) {
    if (d.txn == 2) d.btree->rollback().ignore();
    if (d.txn == 1) d.btree->end_read();
  }
}

storage::Btree* TestEngine::btree(int db) {
  if (db == 1 && !dbs_[1].btree) {
    storage::PagerOptions opt;
    opt.memory = true;
    auto p = storage::Pager::open(":memory:", opt);
    if (!p.ok()) return nullptr;
    dbs_[1].pager = std::move(p).value();
    auto b = storage::Btree::open(*dbs_[1].pager);
    if (!b.ok()) return nullptr;
    dbs_[1].btree = std::move(b).value();
  }
  return db == 0 || db == 1 ? dbs_[db].btree.get() : nullptr;
}

Status TestEngine::begin_transaction(int db, bool write, bool, bool statement_journal, int64_t) {
  if (db != 0 && db != 1) return Status(rc::kError, "no such database");
  storage::Btree* bt = btree(db);
  if (bt == nullptr) return Status(rc::kCantOpen, "unable to open the temporary database");
  Db& d = dbs_[db];
  if (d.txn == 0) {
    if (write) {
      KEEL_RETURN_IF_ERROR(bt->begin_write());
    } else {
      KEEL_RETURN_IF_ERROR(bt->begin_read());
    }
    d.txn = write ? 2 : 1;
  } else if (write && d.txn == 1) {
    KEEL_RETURN_IF_ERROR(bt->begin_write());
    d.txn = 2;
  }
  if (write && statement_journal && !autocommit_ && d.stmt_savepoint < 0) {
    KEEL_ASSIGN_OR_RETURN(d.stmt_savepoint, bt->open_savepoint());
  }
  return Status::Ok();
}

Status TestEngine::end_all(bool commit) {
  Status first;
  for (Db& d : dbs_) {
    int t = d.txn;
    d.txn = 0;
    d.stmt_savepoint = -1;
    Status s;
    if (t == 2) s = commit ? d.btree->commit() : d.btree->rollback();
    if (t == 1) d.btree->end_read();
    if (first.ok() && !s.ok()) first = s;
  }
  return first;
}

Status TestEngine::end_statement(const Status& outcome, vm::OnError on_error) {
  if (!outcome.ok()) schema_dirty_ = true;
  bool keep = outcome.ok() || on_error == vm::OnError::kFail;
  if (autocommit_) return end_all(keep);
  if (!keep && on_error == vm::OnError::kRollback) {
    autocommit_ = true;
    return end_all(false);
  }
  for (Db& d : dbs_) {
    int sp = d.stmt_savepoint;
    d.stmt_savepoint = -1;
    if (sp < 0) continue;
    if (!keep) KEEL_RETURN_IF_ERROR(d.btree->rollback_to_savepoint(sp));
    KEEL_RETURN_IF_ERROR(d.btree->release_savepoint(sp));
  }
  return Status::Ok();
}

Status TestEngine::set_autocommit(bool enable, bool rollback) {
  if (!enable) {
    if (!autocommit_) return Status(rc::kError, "cannot start a transaction within a transaction");
    autocommit_ = false;
    return Status::Ok();
  }
  if (autocommit_) {
    return Status(rc::kError, rollback ? "cannot rollback - no transaction is active"
                                       : "cannot commit - no transaction is active");
  }
  autocommit_ = true;
  if (rollback) schema_dirty_ = true;
  return end_all(!rollback);
}

Status TestEngine::savepoint(int, std::string_view) {
  return Status(rc::kError, "savepoints are not available in the test engine");
}

Status TestEngine::parse_schema(int, std::string_view) {
  schema_dirty_ = true;
  return Status::Ok();
}

void TestEngine::drop_schema_object(int, int, std::string_view) { schema_dirty_ = true; }
void TestEngine::schema_changed(int) { schema_dirty_ = true; }

Status TestEngine::run_command(const void*, std::vector<vm::Value>&) { return Status::Ok(); }

os::Vfs& TestEngine::temp_vfs() { return os::memory_vfs(); }

int64_t TestEngine::statement_time_ms() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(now).count() + 210866760000000LL;
}

void TestEngine::randomness(void* buf, size_t n) {
  auto* p = static_cast<uint8_t*>(buf);
  for (size_t i = 0; i < n; i++) {
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    p[i] = static_cast<uint8_t>(rng_);
  }
}

Status TestEngine::load_schema() {
  KEEL_RETURN_IF_ERROR(load_schema_of(0));
  if (dbs_[1].btree) KEEL_RETURN_IF_ERROR(load_schema_of(1));
  schema_dirty_ = false;
  return Status::Ok();
}

Status TestEngine::load_schema_of(int db) {
  storage::Btree* bt = dbs_[db].btree.get();
  bool own = dbs_[db].txn == 0;
  if (own) KEEL_RETURN_IF_ERROR(bt->begin_read());
  DatabaseSchema& s = catalog_.database(db);
  s.clear();
  Status st;
  if (bt->page_count() > 0) {
    auto cookie = bt->get_meta(storage::Meta::kSchemaCookie);
    if (cookie.ok()) s.schema_cookie = cookie.value();
    storage::BtCursor c(*bt, 1, false);
    st = c.first();
    std::vector<uint8_t> buf;
    std::vector<vm::Value> vals(5);
    while (st.ok() && !c.eof()) {
      buf.resize(c.payload_size());
      st = c.read_payload(0, static_cast<uint32_t>(buf.size()), buf.data());
      if (!st.ok()) break;
      for (auto& v : vals) v.set_null();
      vm::unpack_record(buf.data(), buf.size(), vals);
      std::string type(vals[0].text()), name(vals[1].text()), tbl(vals[2].text()), sql(vals[4].text());
      st = s.add_entry(type, name, tbl, vals[3].as_int64(), vals[4].is_null() ? std::string_view() : sql);
      if (!st.ok()) break;
      st = c.next();
    }
  }
  if (own) bt->end_read();
  return st;
}

Status TestEngine::compile_and_run(const parse::ParsedStatement& ps, std::string_view sql,
                                   const RowFn& on_row) {
  if (schema_dirty_) KEEL_RETURN_IF_ERROR(load_schema());
  CompileInput in;
  in.statement = &ps;
  in.sql = sql;
  in.catalog = &catalog_;
  in.functions = &functions_;
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<vm::Program> prog, compile(in));
  if (prog->is_explain) {
    for (size_t i = 0; i < prog->ops.size(); i++) {
      const vm::Instr& op = prog->ops[i];
      std::vector<vm::Value> row;
      row.push_back(vm::Value::integer(static_cast<int64_t>(i)));
      row.push_back(vm::Value::text(vm::opcode_name(op.op)));
      row.push_back(vm::Value::integer(op.p1));
      row.push_back(vm::Value::integer(op.p2));
      row.push_back(vm::Value::integer(op.p3));
      row.push_back(vm::Value::text(prog->p4_text(op)));
      row.push_back(vm::Value::integer(op.p5));
      on_row(row);
    }
    return Status::Ok();
  }
  if (prog->is_explain_query_plan) {
    for (const auto& r : prog->query_plan) {
      std::vector<vm::Value> row{vm::Value::integer(r.id), vm::Value::integer(r.parent),
                                 vm::Value::integer(0), vm::Value::text(r.detail)};
      on_row(row);
    }
    return Status::Ok();
  }
  // changes() reports the last statement that finished.
  int64_t before = total_changes_;
  vm::Vm vm(*prog, *this);
  Status run;
  for (;;) {
    auto rc = vm.step();
    if (!rc.ok()) {
      run = rc.status();
      break;
    }
    if (rc.value() != rc::kRow) break;
    on_row(vm.row());
  }
  Status reset = vm.reset();
  if (!prog->read_only) changes_ = total_changes_ - before;
  return run.ok() ? reset : run;
}

Status TestEngine::exec(std::string_view sql, const RowFn& on_row) {
  parse::Arena arena;
  parse::Parser parser(arena, sql);
  uint32_t pos = 0;
  while (pos < sql.size()) {
    KEEL_ASSIGN_OR_RETURN(parse::ParsedStatement st, parser.parse_statement(pos));
    if (st.stmt == nullptr) break;
    KEEL_RETURN_IF_ERROR(compile_and_run(st, sql, on_row));
    pos = st.tail;
  }
  return Status::Ok();
}

}  // namespace keel::plan::testing
