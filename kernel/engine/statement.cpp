#include "engine/statement.h"

#include "engine/connection.h"
#include "parse/parser.h"
#include "vm/printf.h"

namespace keel::engine {

namespace {
// How many times step() recompiles after SQLITE_SCHEMA before giving up
// (SQLite's SQLITE_MAX_SCHEMA_RETRY).
constexpr int kMaxSchemaRetry = 50;
}  // namespace

Statement::Statement(Connection& conn, std::string sql, std::unique_ptr<vm::Program> program,
                     std::vector<parse::Parameter> params, int parameter_count)
    : conn_(conn), sql_(std::move(sql)), program_(std::move(program)), parameter_count_(parameter_count) {
  authorizer_generation_ = conn.hooks_.authorizer_generation;
  database_generation_ = conn_.database_generation();
  for (const auto& p : params) param_names_.emplace_back(p.number, std::string(p.name));
  bindings_.resize(parameter_count_);
  vm_ = std::make_unique<vm::Vm>(*program_, static_cast<vm::VmHost&>(conn_));
}

Statement::~Statement() {
  reset().ignore();
  vm_.reset();
}

Status Statement::recompile() {
  parse::Arena arena;
  parse::ParseOptions options;
  options.fold_false_and = true;
  parse::Parser parser(arena, sql_, options);
  KEEL_ASSIGN_OR_RETURN(parse::ParsedStatement st, parser.parse_statement(0));
  if (st.stmt == nullptr) return Status(rc::kInternal, "statement vanished on recompile");
  for (int db = 0; db < conn_.catalog_.database_count(); db++) {
    if (!conn_.catalog_.has_database(db) || db >= static_cast<int>(conn_.dbs_.size()) ||
        !conn_.dbs_[db].btree)
      continue;
    KEEL_RETURN_IF_ERROR(conn_.ensure_schema(db));
  }
  plan::CompileInput in;
  in.statement = &st;
  in.sql = sql_;
  in.catalog = &conn_.catalog_;
  in.functions = &conn_.functions_;
  in.collations = &conn_;
  in.vtabs = &conn_;
  in.module_pragmas = &conn_.ext_.pragmas;
  in.index_methods = conn_.ext_.index_runtime.get();
  in.schema_objects = &conn_.ext_.schema_objects;
  in.options = conn_.compile_options_;
  in.authorizer =
      conn_.hooks_.authorizer && !nested_ && conn_.executing_.empty() && !conn_.in_commit_observers_
          ? &conn_.hooks_.authorizer
          : nullptr;
  authorizer_generation_ = conn_.hooks_.authorizer_generation;
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<vm::Program> program, plan::compile(in));
  vm_.reset();
  program_ = std::move(program);
  touches_answers_.clear();
  change_targets_.clear();
  change_targets_known_ = false;
  database_generation_ = conn_.database_generation();
  vm_ = std::make_unique<vm::Vm>(*program_, static_cast<vm::VmHost&>(conn_));
  for (int i = 0; i < static_cast<int>(bindings_.size()) && i < vm_->parameter_count(); i++) {
    KEEL_RETURN_IF_ERROR(vm_->bind(i + 1, bindings_[i]));
  }
  return Status::Ok();
}

Result<int> Statement::step() {
  if (program_->is_explain || program_->is_explain_query_plan) return step_explain();
  if (!active_) nested_ = conn_.executing() || conn_.in_commit_observers_;
  if (!active_ && authorizer_generation_ != conn_.hooks_.authorizer_generation) {
    // Compiled under another authorizer: ask the current one (SQLite expires
    // every statement when the authorizer changes).
    KEEL_RETURN_IF_ERROR(recompile());
  }
  if (nested_) return step_nested();
  if (!active_) conn_.observer_savepoint_ = 0;
  if (!active_ && !conn_.ext_.observers.empty()) {
    // Change observers decide at the start of a write transaction whether
    // they are active; a statement compiled under the other answer is
    // compiled again (truncate shortcut, statement savepoints).
    Status s;
    if (!program_->read_only && !program_->engine_command && !conn_.in_write_transaction()) {
      s = conn_.notify_write_transaction();
    }
    if (s.ok() && program_->observe_changes != conn_.compile_options_.observe_changes) s = recompile();
    if (s.ok() && conn_.observers_active_) s = conn_.notify_before_statement(*this);
    if (s.ok() && conn_.observers_active_ && program_->observe_changes && !program_->statement_journal &&
        !program_->read_only) {
      conn_.observer_savepoint_ = conn_.observers_may_fail(*this) ? 1 : 2;
    }
    if (!s.ok()) {
      // Nothing of this statement ran: end what the observers' statements
      // began, as a statement that failed to start.
      if (conn_.autocommit_ && conn_.active_statements_ == 0) conn_.rollback_all();
      return s;
    }
  }
  if (!active_ && (database_generation_ != conn_.database_generation() ||
                   (!program_->read_only && !program_->engine_command &&
                    program_->foreign_keys != ((conn_.compile_options_.foreign_keys ? 1 : 0) |
                                               (conn_.compile_options_.defer_foreign_keys ? 2 : 0))))) {
    // ATTACH or DETACH renumbered the databases since this was compiled, or
    // the foreign key settings it was compiled under changed.
    KEEL_RETURN_IF_ERROR(recompile());
  }
  conn_.statement_time_ = 0;
  for (int attempt = 0;; attempt++) {
    if (!active_) {
      conn_.statement_started(this);
      active_ = true;
      conn_.running_changes_ = 0;
    }
    conn_.executing_.push_back(this);
    Result<int> r = vm_->step();
    conn_.executing_.pop_back();
    if (r.ok() && *r == rc::kRow) return r;
    // Done or failed: the statement is no longer active.
    if (program_->counts_changes && (r.ok() || attempt == 0)) conn_.changes_ = conn_.running_changes_;
    conn_.statement_finished(this);
    active_ = false;
    if (r.ok() && conn_.autocommit_ && conn_.active_statements_ == 0) {
      // COMMIT (or RELEASE of the outermost savepoint) switched autocommit
      // back on; the transaction ends with that statement, as in SQLite,
      // not with the next one.
      bool open = false;
      for (const auto& d : conn_.dbs_) open = open || d.txn != 0;
      if (open) KEEL_RETURN_IF_ERROR(conn_.commit_all());
    }
    if (!r.ok() && r.status().primary() == rc::kSchema && attempt < kMaxSchemaRetry) {
      vm_->reset().ignore();
      Status rs = recompile();
      if (!rs.ok()) return rs;
      continue;
    }
    return r;
  }
}

// A nested statement (see ext/session.hpp): runs inside the statement
// that is executing, leaves the application-visible counters alone, and
// never ends a transaction; Connection::begin_transaction/end_statement
// give it savepoints of its own.
Result<int> Statement::step_nested() {
  if (!active_) {
    conn_.statement_started(this);
    active_ = true;
  }
  int64_t saved_rowid = conn_.last_insert_rowid_, saved_changes = conn_.changes_;
  int64_t saved_running = conn_.running_changes_, saved_total = conn_.total_changes_;
  conn_.executing_.push_back(this);
  Result<int> r = vm_->step();
  conn_.executing_.pop_back();
  conn_.last_insert_rowid_ = saved_rowid;
  conn_.changes_ = saved_changes;
  conn_.running_changes_ = saved_running;
  conn_.total_changes_ = saved_total;
  if (r.ok() && *r == rc::kRow) return r;
  conn_.statement_finished(this);
  active_ = false;
  return r;
}

Result<int> Statement::step_explain() {
  if (explain_done_) {
    explain_done_ = false;
    explain_next_ = 0;
  }
  explain_row_.clear();
  if (program_->is_explain_query_plan) {
    if (explain_next_ >= program_->query_plan.size()) {
      explain_done_ = true;
      return rc::kDone;
    }
    const auto& row = program_->query_plan[explain_next_++];
    explain_row_.push_back(vm::Value::integer(row.id));
    explain_row_.push_back(vm::Value::integer(row.parent));
    explain_row_.push_back(vm::Value::integer(0));
    explain_row_.push_back(vm::Value::text(row.detail));
    return rc::kRow;
  }
  if (explain_next_ >= program_->ops.size()) {
    explain_done_ = true;
    return rc::kDone;
  }
  size_t addr = explain_next_++;
  const vm::Instr& in = program_->ops[addr];
  explain_row_.push_back(vm::Value::integer(static_cast<int64_t>(addr)));
  explain_row_.push_back(vm::Value::text(vm::opcode_name(in.op)));
  explain_row_.push_back(vm::Value::integer(in.p1));
  explain_row_.push_back(vm::Value::integer(in.p2));
  explain_row_.push_back(vm::Value::integer(in.p3));
  explain_row_.push_back(vm::Value::text(program_->p4_text(in)));
  explain_row_.push_back(vm::Value::integer(in.p5));
  if (addr < program_->comments.size() && !program_->comments[addr].empty()) {
    explain_row_.push_back(vm::Value::text(program_->comments[addr]));
  } else {
    explain_row_.push_back(vm::Value::null());
  }
  return rc::kRow;
}

Status Statement::reset() {
  explain_next_ = 0;
  explain_done_ = false;
  // A nested statement reset part-way must still end as nested.
  bool push = nested_ && active_;
  if (push) conn_.executing_.push_back(this);
  Status s = vm_ ? vm_->reset() : Status::Ok();
  if (push) conn_.executing_.pop_back();
  if (active_) {
    conn_.statement_finished(this);
    active_ = false;
  }
  return s;
}

Status Statement::bind(int index, const vm::Value& v) {
  if (busy()) return Status(rc::kMisuse, "bad parameter or other API misuse");
  if (index < 1 || index > parameter_count_) return Status(rc::kRange, "column index out of range");
  bindings_[index - 1].copy_from(v);
  if (index <= vm_->parameter_count()) return vm_->bind(index, bindings_[index - 1]);
  return Status::Ok();
}

void Statement::clear_bindings() {
  for (auto& b : bindings_) b.set_null();
  vm_->clear_bindings();
}

std::string_view Statement::parameter_name(int index) const {
  for (const auto& [n, name] : param_names_) {
    if (n == index) return name;
  }
  return {};
}

int Statement::parameter_index(std::string_view name) const {
  for (const auto& [n, pname] : param_names_) {
    if (pname == name) return n;
  }
  return 0;
}

namespace {
const vm::ResultColumnInfo& explain_column(bool eqp, int i) {
  static const vm::ResultColumnInfo kExplain[] = {{"addr", "", "", "", ""}, {"opcode", "", "", "", ""},
                                                  {"p1", "", "", "", ""},   {"p2", "", "", "", ""},
                                                  {"p3", "", "", "", ""},   {"p4", "", "", "", ""},
                                                  {"p5", "", "", "", ""},   {"comment", "", "", "", ""}};
  static const vm::ResultColumnInfo kEqp[] = {{"id", "", "", "", ""},
                                              {"parent", "", "", "", ""},
                                              {"notused", "", "", "", ""},
                                              {"detail", "", "", "", ""}};
  return eqp ? kEqp[i] : kExplain[i];
}
}  // namespace

int Statement::column_count() const {
  if (program_->is_explain_query_plan) return 4;
  if (program_->is_explain) return 8;
  return static_cast<int>(program_->columns.size());
}

const vm::ResultColumnInfo& Statement::column_info(int i) const {
  if (program_->is_explain_query_plan || program_->is_explain) {
    return explain_column(program_->is_explain_query_plan, i);
  }
  return program_->columns[i];
}

std::span<const vm::Value> Statement::row() const {
  if (program_->is_explain || program_->is_explain_query_plan) return explain_row_;
  return vm_->row();
}

int Statement::data_count() const { return static_cast<int>(row().size()); }

bool Statement::busy() const { return active_; }

int Statement::explain_mode() const {
  return program_->is_explain_query_plan ? 2 : program_->is_explain ? 1 : 0;
}

int64_t Statement::vm_steps() const { return vm_ ? vm_->vm_steps() : 0; }

int64_t Statement::changes() const { return vm_->changes(); }

std::string Statement::expanded_sql() const {
  // Substitutes each parameter token with its bound value rendered as an
  // SQL literal, as sqlite3_expanded_sql does.
  parse::Arena arena;
  std::string out;
  size_t last = 0;
  // Parameters are found by re-scanning for their tokens: cheap and exact
  // because the parser recorded each parameter's text.
  int next_anon = 0;
  for (size_t i = 0; i < sql_.size();) {
    char c = sql_[i];
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      char close = c == '[' ? ']' : c;
      size_t j = i + 1;
      while (j < sql_.size() && sql_[j] != close) j++;
      i = j + 1;
      continue;
    }
    if (c == '-' && i + 1 < sql_.size() && sql_[i + 1] == '-') {
      while (i < sql_.size() && sql_[i] != '\n') i++;
      continue;
    }
    if (c == '?' || c == ':' || c == '@' || c == '$') {
      size_t j = i + 1;
      while (j < sql_.size() && (isalnum(static_cast<unsigned char>(sql_[j])) || sql_[j] == '_')) j++;
      std::string_view tok(sql_.data() + i, j - i);
      int idx;
      if (tok == "?") {
        idx = ++next_anon;
      } else if (c == '?') {
        idx = atoi(std::string(tok.substr(1)).c_str());
        if (idx > next_anon) next_anon = idx;
      } else {
        idx = parameter_index(tok);
        if (idx > next_anon) next_anon = idx;
      }
      out.append(sql_, last, i - last);
      if (idx >= 1 && idx <= static_cast<int>(bindings_.size())) {
        const vm::Value& v = bindings_[idx - 1];
        switch (v.type()) {
          case vm::ValueType::kNull:
            out += "NULL";
            break;
          case vm::ValueType::kInteger:
            out += std::to_string(v.int_value());
            break;
          case vm::ValueType::kReal:
            out += vm::format("%!.15g", v.real_value());
            break;
          case vm::ValueType::kText:
            out += vm::format("%Q", std::string(v.text()).c_str());
            break;
          case vm::ValueType::kBlob: {
            if (v.is_zeroblob()) {
              out += "zeroblob(" + std::to_string(v.size()) + ")";
              break;
            }
            out += "x'";
            static const char* hex = "0123456789abcdef";
            for (uint8_t b : v.blob()) {
              out += hex[b >> 4];
              out += hex[b & 15];
            }
            out += "'";
            break;
          }
        }
      } else {
        out.append(tok);
      }
      last = j;
      i = j;
      continue;
    }
    i++;
  }
  out.append(sql_, last, std::string::npos);
  return out;
}

}  // namespace keel::engine
