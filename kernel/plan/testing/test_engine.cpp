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
  KEEL_ASSIGN_OR_RETURN(e->pager_, storage::Pager::open(opt.memory ? ":memory:" : path, opt));
  KEEL_ASSIGN_OR_RETURN(e->btree_, storage::Btree::open(*e->pager_));
  func::register_builtin_functions(e->functions_);
  return e;
}

TestEngine::~TestEngine() {
  if (txn_ == 2) btree_->rollback().ignore();
  if (txn_ == 1) btree_->end_read();
}

storage::Btree* TestEngine::btree(int db) { return db == 0 ? btree_.get() : nullptr; }

Status TestEngine::begin_transaction(int db, bool write, bool, bool statement_journal, int64_t) {
  if (db != 0) return Status(rc::kError, "only the main database is available in the test engine");
  if (txn_ == 0) {
    if (write) {
      KEEL_RETURN_IF_ERROR(btree_->begin_write());
    } else {
      KEEL_RETURN_IF_ERROR(btree_->begin_read());
    }
    txn_ = write ? 2 : 1;
  } else if (write && txn_ == 1) {
    KEEL_RETURN_IF_ERROR(btree_->begin_write());
    txn_ = 2;
  }
  if (write && statement_journal && !autocommit_ && stmt_savepoint_ < 0) {
    KEEL_ASSIGN_OR_RETURN(stmt_savepoint_, btree_->open_savepoint());
  }
  return Status::Ok();
}

Status TestEngine::end_statement(const Status& outcome, vm::OnError on_error) {
  if (!outcome.ok()) schema_dirty_ = true;
  if (autocommit_) {
    int t = txn_;
    txn_ = 0;
    if (t == 2) {
      if (outcome.ok() || on_error == vm::OnError::kFail) return btree_->commit();
      return btree_->rollback();
    }
    if (t == 1) btree_->end_read();
    return Status::Ok();
  }
  int sp = stmt_savepoint_;
  stmt_savepoint_ = -1;
  if (outcome.ok() || on_error == vm::OnError::kFail) {
    if (sp >= 0) return btree_->release_savepoint(sp);
    return Status::Ok();
  }
  if (on_error == vm::OnError::kRollback) {
    autocommit_ = true;
    int t = txn_;
    txn_ = 0;
    if (t == 2) return btree_->rollback();
    if (t == 1) btree_->end_read();
    return Status::Ok();
  }
  if (sp >= 0) {
    KEEL_RETURN_IF_ERROR(btree_->rollback_to_savepoint(sp));
    return btree_->release_savepoint(sp);
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
  int t = txn_;
  txn_ = 0;
  if (t == 2) {
    if (rollback) {
      schema_dirty_ = true;
      return btree_->rollback();
    }
    return btree_->commit();
  }
  if (t == 1) btree_->end_read();
  return Status::Ok();
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
  bool own = txn_ == 0;
  if (own) KEEL_RETURN_IF_ERROR(btree_->begin_read());
  DatabaseSchema& s = catalog_.database(0);
  s.clear();
  Status st;
  {
    auto cookie = btree_->get_meta(storage::Meta::kSchemaCookie);
    if (cookie.ok()) s.schema_cookie = cookie.value();
    storage::BtCursor c(*btree_, 1, false);
    // An empty file has no sqlite_schema page yet.
    st = btree_->page_count() == 0 ? Status::Ok() : c.first();
    if (btree_->page_count() == 0) {
      if (own) btree_->end_read();
      schema_dirty_ = false;
      return Status::Ok();
    }
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
  if (own) btree_->end_read();
  if (st.ok()) schema_dirty_ = false;
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
