// CodeGen: instruction emission, labels, the transaction prologue.
#include "plan/codegen.h"

#include <algorithm>
#include <cctype>

#include "vm/collation.h"

namespace keel::plan {

CodeGen::CodeGen(const CompileInput& in, vm::Program* prog) : in_(in), prog_(prog), sql_(in.sql) {}

int CodeGen::emit(Op op, int p1, int p2, int p3) {
  vm::Instr in;
  in.op = op;
  in.p1 = p1;
  in.p2 = p2;
  in.p3 = p3;
  prog_->ops.push_back(in);
  return static_cast<int>(prog_->ops.size()) - 1;
}

int CodeGen::emit_str(Op op, int p1, int p2, int p3, std::string_view s, vm::P4Type t) {
  int a = emit(op, p1, p2, p3);
  at(a).p4type = t;
  at(a).p4.str = prog_->own_string(s);
  at(a).p4n = static_cast<uint32_t>(s.size());
  return a;
}

int CodeGen::emit_int64(int reg, int64_t v) {
  if (v >= INT32_MIN && v <= INT32_MAX) return emit(Op::Integer, static_cast<int>(v), reg);
  int a = emit(Op::Int64, 0, reg);
  at(a).p4type = vm::P4Type::kInt64;
  at(a).p4.i64 = v;
  return a;
}

int CodeGen::emit_real(int reg, double v) {
  int a = emit(Op::Real, 0, reg);
  at(a).p4type = vm::P4Type::kReal;
  at(a).p4.real = v;
  return a;
}

void CodeGen::set_p4_affinity(int a, std::string_view aff) {
  at(a).p4type = vm::P4Type::kAffinity;
  at(a).p4.str = prog_->own_string(aff);
  at(a).p4n = static_cast<uint32_t>(aff.size());
}

void CodeGen::begin_program() { init_addr_ = emit(Op::Init, 0, 0); }

void CodeGen::use_database(int db, bool write) {
  for (auto& d : dbs_) {
    if (d.first == db) {
      d.second = d.second || write;
      return;
    }
  }
  dbs_.emplace_back(db, write);
}

Status CodeGen::finish() {
  if (!deferred_error.ok()) return deferred_error;
  emit(Op::Halt);
  if (init_addr_ >= 0) {
    at(init_addr_).p2 = addr();
    for (const auto& [db, write] : dbs_) {
      int a =
          emit(Op::Transaction, db, write ? 1 : 0,
               static_cast<int>(in_.catalog->has_database(db) ? in_.catalog->database(db).schema_cookie : 0));
      at(a).p5 = 1;
      if (write) prog_->read_only = false;
    }
    prog_->statement_journal = !(row_writes_ == 1 && all_fail_first_);
    emit(Op::Goto, 0, init_addr_ + 1);
  }
  for (vm::Instr& in : prog_->ops) {
    auto fix = [&](int32_t& p) {
      if (p < 0) {
        int target = labels_[-p - 1];
        if (target < 0) return false;
        p = target;
      }
      return true;
    };
    bool ok = true;
    vm::JumpIn j = vm::opcode_jump(in.op);
    if (j == vm::kJumpP2) ok = fix(in.p2);
    if (in.op == Op::Jump) ok = fix(in.p1) && fix(in.p2) && fix(in.p3);
    if (in.op == Op::InitCoroutine) ok = ok && fix(in.p3);
    if (in.op == Op::Once || in.op == Op::Gosub) ok = ok && fix(in.p2);
    if (!ok) return Status(rc::kInternal, "unresolved label");
  }
  return Status::Ok();
}

int CodeGen::plan_row(int parent, std::string detail) {
  int id = next_plan_id_++;
  prog_->query_plan.push_back({id, parent, std::move(detail)});
  return id;
}

bool has_trigger(const Table* t, parse::TriggerEvent event) {
  for (const Trigger* tr : t->triggers) {
    if (!tr->parsed || !tr->parsed->stmt || tr->parsed->stmt->kind != parse::StmtKind::kCreateTrigger)
      return true;
    if (tr->parsed->stmt->as<parse::CreateTriggerStmt>()->event == event) return true;
  }
  return false;
}

bool row_write_fails_first(const Table* t, parse::ConflictAction or_conflict,
                           const parse::TriggerEvent* event) {
  if (or_conflict == parse::ConflictAction::kReplace) return false;
  if (event ? has_trigger(t, *event) : !t->triggers.empty()) return false;
  // An index method is maintained after the row is written, and may fail.
  if (!t->method_indexes.empty()) return false;
  for (const Index* idx : t->indexes) {
    if (idx->where != nullptr || !idx->method.empty()) return false;
    if (idx->on_conflict == static_cast<uint8_t>(parse::ConflictAction::kReplace)) return false;
    for (int c : idx->columns) {
      if (c == -2) return false;
    }
  }
  return true;
}

const vm::Collation* CodeGen::collation(std::string_view name) const {
  if (name.empty()) return vm::binary_collation();
  if (in_.collations) {
    if (const vm::Collation* c = in_.collations->find_collation(name)) return c;
  }
  return vm::find_builtin_collation(name);
}

parse::Expr* CodeGen::make_column_ref(std::string_view table, std::string_view column) {
  auto* e = arena.make<parse::ColumnRefExpr>();
  e->kind = parse::ExprKind::kColumnRef;
  e->height = 1;
  e->table.value = arena.copy(table);
  e->table.span = {0, 1};
  e->column.value = arena.copy(column);
  e->column.span = {0, 1};
  return e;
}

parse::Expr* CodeGen::make_binary(parse::BinaryOp op, parse::Expr* l, parse::Expr* r) {
  auto* e = arena.make<parse::BinaryExpr>();
  e->kind = parse::ExprKind::kBinary;
  e->height = 2;
  e->op = op;
  e->left = l;
  e->right = r;
  return e;
}

const parse::CommonTableExpr* CodeGen::find_cte(std::string_view name) const {
  for (auto it = ctes.rbegin(); it != ctes.rend(); ++it) {
    if (vm::stricmp((*it)->name.value, name) == 0) return *it;
  }
  return nullptr;
}

std::string quote_identifier_if_needed(std::string_view name) {
  bool plain = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') plain = false;
  }
  if (plain) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    out.push_back(c);
    if (c == '"') out.push_back('"');
  }
  return out + "\"";
}

}  // namespace keel::plan
