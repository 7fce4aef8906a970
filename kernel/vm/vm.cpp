// Vm plumbing around the interpreter loop: bindings, step/reset, statement
// end, function and aggregate calls, cursor opening.
#include "vm/vm.h"

#include <cstring>

#include "vm/cursor.h"
#include "vm/window.h"

namespace keel::vm {

Vm::Vm(const Program& program, VmHost& host) : program_(program), host_(host) {
  int n_params = 0;
  for (const Instr& in : program.ops) {
    if (in.op == Op::Variable && in.p1 > n_params) n_params = in.p1;
  }
  params_.resize(n_params);
  regs_.resize(program.n_registers + 1);
  cursors_.resize(program.n_cursors);
  once_.assign(program.ops.size(), 0);
  aux_.resize(program.ops.size());
  agg_state_.resize(program.n_registers + 1);
  agg_def_.assign(program.n_registers + 1, nullptr);
}

Vm::~Vm() { reset().ignore(); }

Status Vm::bind(int index, const Value& v) {
  if (running()) return Status(rc::kMisuse, "bad parameter or other API misuse");
  if (index < 1 || index > static_cast<int>(params_.size()))
    return Status(rc::kRange, "column index out of range");
  params_[index - 1].copy_from(v);
  return Status::Ok();
}

void Vm::clear_bindings() {
  for (Value& p : params_) p.set_null();
}

Result<int> Vm::step() {
  if (finished_) {
    // sqlite3_step after SQLITE_DONE or an error resets automatically.
    KEEL_RETURN_IF_ERROR(reset());
  }
  if (!started_) {
    started_ = true;
    pc_ = 0;
    n_change_ = 0;
    last_status_ = Status::Ok();
    fk_immediate_ = 0;
    fk_saved_deferred_ = host_.fk_deferred(false);
    fk_saved_immediate_ = host_.fk_deferred(true);
  }
  row_ = nullptr;
  row_size_ = 0;
  Status s = exec();
  if (!s.ok()) return s;
  if (row_ != nullptr) return rc::kRow;
  return rc::kDone;
}

Status Vm::fail(Status s) {
  // Runtime error: end the statement the way its conflict action says.
  close_cursors();
  finalize_aggregates();
  if (parent_ == nullptr) {
    // OR FAIL keeps the statement's changes, so its foreign key violations
    // count (SQLite's sqlite3VdbeHalt); any other failure rolls back the
    // statement savepoint and with it the deferred violations the statement
    // added. A statement without one (it fails before its first change)
    // keeps them, as SQLite does.
    if (statement_on_error_ == OnError::kFail && fk_immediate_ > 0) {
      s = Status(rc::kConstraintForeignKey, "FOREIGN KEY constraint failed");
      statement_on_error_ = OnError::kAbort;
    }
    if (statement_on_error_ != OnError::kFail && program_.statement_journal)
      host_.fk_deferred_restore(fk_saved_deferred_, fk_saved_immediate_);
    fk_immediate_ = 0;
  }
  if (in_statement_) {
    in_statement_ = false;
    Status end = host_.end_statement(s, statement_on_error_);
    if (!end.ok() && s.ok()) s = std::move(end);
  }
  finished_ = true;
  pc_ = -1;
  last_status_ = s;
  return s;
}

Status Vm::reset() {
  Status result = last_status_;
  if (started_ && !finished_) {
    // Reset mid-run: the statement is abandoned; undo it like an interrupt
    // would not be right (SQLite keeps completed changes of a reset statement
    // only at statement boundaries), so end it as successful up to here.
    close_cursors();
    finalize_aggregates();
    if (in_statement_) {
      in_statement_ = false;
      Status end = host_.end_statement(Status::Ok(), statement_on_error_);
      if (!end.ok()) result = std::move(end);
    }
  }
  close_cursors();
  finalize_aggregates();
  for (auto& entries : aux_) {
    for (auto& e : entries) {
      if (e.destroy) e.destroy(e.data);
    }
    entries.clear();
  }
  for (Value& r : regs_) r.set_null();
  std::fill(once_.begin(), once_.end(), 0);
  command_rows_.clear();
  command_next_ = 0;
  command_ran_ = false;
  started_ = false;
  finished_ = false;
  pc_ = 0;
  row_ = nullptr;
  row_size_ = 0;
  last_status_ = Status::Ok();
  return result;
}

void Vm::close_cursors() {
  for (auto& c : cursors_) c.reset();
  windows_.clear();
  for (auto& c : index_method_cursors_) c.reset();
}

void Vm::finalize_aggregates() {
  // Every aggregate context that was created gets its final call (see
  // func/function.h), even when the statement stops early.
  if (!agg_active_) return;  // no AggStep ran since the last cleanup
  agg_active_ = false;
  for (size_t r = 0; r < agg_state_.size(); r++) {
    if (agg_state_[r].empty() || agg_def_[r] == nullptr) continue;
    Value sink;
    func::FunctionContext ctx(agg_def_[r], &host_.function_host());
    ctx.set_result_slot(&sink);
    ctx.set_aggregate_slot(&agg_state_[r]);
    if (agg_def_[r]->final) agg_def_[r]->final(ctx);
    agg_state_[r].clear();
    agg_def_[r] = nullptr;
  }
}

Status Vm::halt(const Instr& op) {
  Status s;
  if (op.p1 != rc::kOk) {
    std::string msg;
    if (op.p4type == P4Type::kString) msg.assign(op.p4.str, op.p4n);
    // P5 names the constraint kind; the message then gets SQLite's prefix.
    switch (op.p5) {
      case 1:
        msg = "NOT NULL constraint failed: " + msg;
        break;
      case 2:
        msg = "UNIQUE constraint failed: " + msg;
        break;
      case 3:
        msg = "CHECK constraint failed: " + msg;
        break;
      case 4:
        msg = "FOREIGN KEY constraint failed";
        break;
      default:
        break;
    }
    if (msg.empty()) msg = rc::errstr(op.p1);
    s = Status(op.p1, std::move(msg));
    statement_on_error_ = static_cast<OnError>(op.p2 == 0 ? static_cast<int>(OnError::kAbort) : op.p2);
    return fail(std::move(s));
  }
  if (parent_ == nullptr && fk_immediate_ > 0) {
    // Immediate foreign key violations left at the end of the statement.
    statement_on_error_ = OnError::kAbort;
    return fail(Status(rc::kConstraintForeignKey, "FOREIGN KEY constraint failed"));
  }
  close_cursors();
  finalize_aggregates();
  if (in_statement_) {
    in_statement_ = false;
    Status end = host_.end_statement(Status::Ok(), statement_on_error_);
    if (!end.ok()) {
      finished_ = true;
      pc_ = -1;
      last_status_ = end;
      return end;
    }
  }
  finished_ = true;
  pc_ = -1;
  return Status::Ok();
}

Status Vm::run_subprogram(const Instr& op) {
  // SQLITE_MAX_TRIGGER_DEPTH: every level of nested sub-programs counts.
  if (depth_ + 1 > 1000) return Status(rc::kError, "too many levels of trigger recursion");
  Vm* child = nullptr;
  for (auto& [pc, vm] : subs_) {
    if (pc == pc_) child = vm.get();
  }
  if (child == nullptr) {
    subs_.emplace_back(pc_, std::make_unique<Vm>(*op.p4.program, host_));
    child = subs_.back().second.get();
    child->parent_ = this;
    child->depth_ = depth_ + 1;
  }
  child->caller_ = &op;
  child->started_ = true;
  child->pc_ = 0;
  Status s = child->exec();
  if (!s.ok()) statement_on_error_ = child->statement_on_error_;
  child->reset().ignore();
  return s;
}

Status Vm::load_param(const Instr& op) {
  if (parent_ == nullptr || caller_ == nullptr)
    return Status(rc::kInternal, "OP_Param outside a sub-program");
  int base = op.p1 ? caller_->p3 : caller_->p1;
  regs_[op.p2].copy_from(parent_->regs_[base + op.p3]);
  return Status::Ok();
}

Status Vm::open_cursor(const Instr& op, bool write) {
  storage::Btree* bt = host_.btree(op.p3);
  if (bt == nullptr) return Status(rc::kInternal, "no such database");
  int root = op.p2;
  if (op.p5 & kOpflagP2IsReg) root = static_cast<int>(regs_[op.p2].as_int64());
  if (root < 1) return Status(rc::kCorrupt, "database disk image is malformed");
  const KeyInfo* ki = op.p4type == P4Type::kKeyInfo ? op.p4.key_info : nullptr;
  int n_field = ki ? ki->n_all_field : (op.p4type == P4Type::kInt32 ? op.p4.i : 0);
  cursors_[op.p1] = VmCursor::btree(*bt, static_cast<storage::PageNo>(root), write, ki, n_field);
  if (write && (op.p5 & kOpflagBulkCsr)) cursors_[op.p1]->bt()->set_bulk_load(true);
  return Status::Ok();
}

Status Vm::call_function(const Instr& op) {
  const func::FunctionDef* def = op.p4.func;
  Value& out = regs_[op.p3];
  func::FunctionContext ctx(def, &host_.function_host());
  ctx.set_aux_store(&aux_[pc_]);
  ctx.set_collation(coll_seq_);
  coll_seq_ = nullptr;
  if (op.op == Op::PureFunc) ctx.set_pure_context(static_cast<func::FunctionContext::PureContext>(op.p1));
  out.set_null();
  ctx.set_result_slot(&out);
  if (op.p1 != 0 && op.p1 < static_cast<int>(regs_.size())) {
    // P1 > 0 names a register with the collation sequence (as SQLite's
    // OP_CollSeq preceding the call); encoded by the code generator.
  }
  std::span<Value> args(regs_.data() + op.p2, op.p5);
  // The result register may alias an argument: compute into a scratch
  // register then move.
  bool aliased = op.p3 >= op.p2 && op.p3 < op.p2 + op.p5;
  Value scratch;
  if (aliased) ctx.set_result_slot(&scratch);
  def->scalar(ctx, args);
  if (ctx.has_error()) return Status(ctx.error_code(), ctx.error_message());
  if (aliased) out = std::move(scratch);
  if (out.is_bytes() && static_cast<int64_t>(out.size()) > host_.max_length()) {
    return Status(rc::kTooBig, "string or blob too big");
  }
  return Status::Ok();
}

Status Vm::agg_step(const Instr& op) {
  const func::FunctionDef* def = op.p4.func;
  int acc = op.p3;
  func::FunctionContext ctx(def, &host_.function_host());
  Value sink;
  ctx.set_result_slot(&sink);
  ctx.set_aggregate_slot(&agg_state_[acc]);
  ctx.set_collation(coll_seq_);
  coll_seq_ = nullptr;
  agg_def_[acc] = def;
  agg_active_ = true;
  std::span<Value> args(regs_.data() + op.p2, op.p5);
  if (op.p1 == 1) {
    if (def->inverse) def->inverse(ctx, args);
  } else {
    def->step(ctx, args);
  }
  if (ctx.has_error()) return Status(ctx.error_code(), ctx.error_message());
  // P1 > 1 names a register that tells whether this row became the
  // aggregate's best one (min/max did not call skip_accumulator_load), so
  // the code generator loads the bare columns of `SELECT max(x), y` from it.
  if (op.p1 > 1) regs_[op.p1].set_int(ctx.skip_load() ? 0 : 1);
  // The accumulator register itself is marked non-NULL so that IfNull-style
  // checks on it (min/max optimisations) see that a step happened.
  regs_[acc].set_int(1);
  return Status::Ok();
}

Status Vm::agg_final(const Instr& op, bool value_only) {
  int acc = op.p1;
  const func::FunctionDef* def = op.p4.func;
  int out_reg = value_only ? op.p3 : acc;
  Value result;
  func::FunctionContext ctx(def, &host_.function_host());
  ctx.set_result_slot(&result);
  ctx.set_aggregate_slot(&agg_state_[acc]);
  if (value_only) {
    ctx.set_window_value(true);
    if (def->value) def->value(ctx);
  } else {
    if (def->final) def->final(ctx);
    agg_state_[acc].clear();
    agg_def_[acc] = nullptr;
  }
  if (ctx.has_error()) return Status(ctx.error_code(), ctx.error_message());
  if (result.is_bytes() && static_cast<int64_t>(result.size()) > host_.max_length()) {
    return Status(rc::kTooBig, "string or blob too big");
  }
  regs_[out_reg] = std::move(result);
  return Status::Ok();
}

}  // namespace keel::vm
