// RIGHT and FULL OUTER JOIN loops; see right_join.h for the design note.
#include "plan/right_join.h"

#include <algorithm>
#include <cctype>

#include "func/function.h"
#include "parse/ast_walk.h"
#include "vm/collation.h"

namespace keel::plan {

namespace {

// Number of key fields `match` holds for term `t`: its rowid, or its
// primary key columns (WITHOUT ROWID).
int match_key_fields(const FromTerm* t) {
  if (t->table && t->table->without_rowid && t->table->primary_key)
    return t->table->primary_key->n_key_columns;
  return 1;
}

// Reads the match key of the current row of `t` into key.. (as many
// registers as match_key_fields).
void code_match_key(CodeGen& g, FromTerm* t, int key) {
  if (t->table && t->table->without_rowid && t->table->primary_key) {
    const Index* pk = t->table->primary_key;
    for (int k = 0; k < pk->n_key_columns; k++) code_column(g, t, pk->columns[k], key + k);
    return;
  }
  g.emit(Op::Rowid, t->cursor, key);
}

}  // namespace

parse::Expr* make_coalesce(CodeGen& g, const std::vector<parse::Expr*>& args) {
  auto* f = g.arena.make<parse::FunctionExpr>();
  f->kind = parse::ExprKind::kFunction;
  uint16_t h = 0;
  for (const parse::Expr* a : args) h = std::max(h, a->height);
  f->height = static_cast<uint16_t>(h + 1);
  f->name.value = "coalesce";
  f->name.span = {0, 1};
  f->args.items = g.arena.make_array<parse::Expr*>(args.size());
  f->args.size = static_cast<uint32_t>(args.size());
  for (size_t i = 0; i < args.size(); i++) f->args.items[i] = args[i];
  f->distinct = parse::Distinctness::kNone;
  f->star = false;
  f->ctime_keyword = false;
  f->filter = nullptr;
  f->over = nullptr;
  return f;
}

parse::Expr* make_unqualified_ref(CodeGen& g, std::string_view column) {
  auto* e = g.arena.make<parse::ColumnRefExpr>();
  e->kind = parse::ExprKind::kColumnRef;
  e->height = 1;
  e->column.value = g.arena.copy(column);
  e->column.span = {0, 1};
  return e;
}

bool join_term_is_constant(CodeGen& g, const parse::Expr* e) {
  struct Check : parse::AstVisitor {
    CodeGen* g;
    bool constant = true;
    bool expr(const parse::Expr& x) override {
      if (!constant) return false;
      switch (x.kind) {
        case parse::ExprKind::kColumnRef: {
          const auto* c = x.as<parse::ColumnRefExpr>();
          bool word =
              !c->table.present() && c->column.quote == 0 &&
              (vm::stricmp(c->column.value, "true") == 0 || vm::stricmp(c->column.value, "false") == 0);
          if (!word) constant = false;
          return false;
        }
        case parse::ExprKind::kFunction: {
          const auto* f = x.as<parse::FunctionExpr>();
          const func::FunctionRegistry* reg = g->input().functions;
          std::string name(f->name.value);
          for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          const func::FunctionDef* def =
              reg ? reg->find(name, f->star ? 0 : static_cast<int>(f->args.size)) : nullptr;
          if (def == nullptr || def->scalar == nullptr || f->over || f->over_name.present() ||
              (def->flags & (func::kDeterministic | func::kSlowChange)) == 0) {
            constant = false;
          }
          return constant;
        }
        case parse::ExprKind::kSubquery:
        case parse::ExprKind::kExists:
          constant = false;
          return false;
        case parse::ExprKind::kIn:
          if (x.as<parse::InExpr>()->rhs != parse::InExpr::Rhs::kList) constant = false;
          return constant;
        default:
          return true;
      }
    }
  } check;
  check.g = &g;
  parse::walk(*e, check);
  return check.constant;
}

bool right_join_has_subquery(const parse::Expr* e) {
  struct Check : parse::AstVisitor {
    bool found = false;
    bool expr(const parse::Expr& x) override {
      if (x.kind == parse::ExprKind::kSubquery || x.kind == parse::ExprKind::kExists ||
          (x.kind == parse::ExprKind::kIn && x.as<parse::InExpr>()->rhs != parse::InExpr::Rhs::kList)) {
        found = true;
      }
      return !found;
    }
  } check;
  parse::walk(*e, check);
  return check.found;
}

int last_right_join_level(const Scope* scope) {
  int last = -1;
  for (size_t i = 1; i < scope->terms.size(); i++) {
    if (scope->terms[i]->join & parse::join::kRight) last = static_cast<int>(i);
  }
  return last;
}

Status right_join_open(CodeGen& g, WhereInfo& w) {
  for (WhereLevel& lv : w.levels) {
    FromTerm* t = lv.term;
    if (!(t->join & parse::join::kRight)) continue;
    int n = match_key_fields(t);
    lv.rj_match = g.new_cursor();
    lv.rj_return = g.new_reg();
    auto ki = std::make_unique<vm::KeyInfo>();
    ki->n_key_field = static_cast<uint16_t>(n);
    ki->n_all_field = static_cast<uint16_t>(n);
    if (n > 1 || (t->table && t->table->without_rowid)) {
      const Index* pk = t->table->primary_key;
      for (int k = 0; k < n; k++) {
        std::string c = k < static_cast<int>(pk->collations.size()) ? pk->collations[k] : "";
        if (c.empty()) c = t->table->columns[pk->columns[k]].collation;
        ki->collations.push_back(c.empty() ? nullptr : g.collation(c));
      }
    }
    int open = g.emit(Op::OpenEphemeral, lv.rj_match, n);
    g.set_p4_keyinfo(open, std::move(ki));
    g.emit(Op::Null, 0, lv.rj_return);
  }
  return Status::Ok();
}

void right_join_record_match(CodeGen& g, WhereLevel& lv) {
  FromTerm* t = lv.term;
  int n = match_key_fields(t);
  int key = g.new_reg(n + 1);
  code_match_key(g, t, key);
  int done = g.new_label();
  int f = g.emit(Op::Found, lv.rj_match, done, key);
  g.set_p4_int(f, n);
  g.emit(Op::MakeRecord, key, n, key + n);
  g.emit(Op::IdxInsert, lv.rj_match, key + n);
  g.bind(done);
}

void right_join_begin_subroutine(CodeGen& g, WhereLevel& lv) {
  // Entered in line: no return address, so the closing Return falls through.
  g.emit(Op::Null, 0, lv.rj_return);
  lv.rj_subrtn = g.addr();
}

void right_join_end_subroutine(CodeGen& g, WhereLevel& lv) { g.emit(Op::Return, lv.rj_return, 0, 1); }

Status right_join_unmatched_passes(CodeGen& g, Scope* scope, WhereInfo& w) {
  for (size_t i = 0; i < w.levels.size(); i++) {
    WhereLevel& lv = w.levels[i];
    if (lv.rj_match < 0) continue;
    FromTerm* t = lv.term;
    g.plan_row(g.plan_parent, "RIGHT-JOIN " + (t->table ? t->table->name : t->name));
    // Every level to the left reads as NULL.
    for (size_t k = 0; k < i; k++) {
      WhereLevel& left = w.levels[k];
      FromTerm* lt = left.term;
      if (lt->vtab) {
        // The level may never have started (its cursor opens on entry).
        for (int a = left.code_start; a < g.addr(); a++) {
          const vm::Instr& in = g.at(a);
          if (in.op != Op::VOpen || in.p1 != lt->cursor) continue;
          auto p = in.p4.ptr;
          int open = g.emit(Op::VOpen, lt->cursor);
          g.at(open).p4type = vm::P4Type::kPointer;
          g.at(open).p4.ptr = p;
          break;
        }
      }
      g.emit(Op::NullRow, lt->cursor);
      if (left.idx_cursor >= 0 && left.idx_cursor != lt->cursor) g.emit(Op::NullRow, left.idx_cursor);
    }
    int n = match_key_fields(t);
    int key = g.new_reg(n);
    int done = g.new_label(), next = g.new_label();
    int top;
    if (t->vtab) {
      // A fresh scan with the function's arguments only (the levels to the
      // left, on their NULL rows, read as NULL).
      WhereLevel scan;
      scan.brk = done;
      std::vector<const parse::Expr*> omitted;
      KEEL_RETURN_IF_ERROR(code_vtab_level(g, scope, static_cast<int>(i), {}, nullptr, scan, omitted));
      top = scan.top;
    } else {
      g.emit(Op::Rewind, t->cursor, done);
      top = g.addr();
    }
    code_match_key(g, t, key);
    int f = g.emit(Op::Found, lv.rj_match, next, key);
    g.set_p4_int(f, n);
    g.emit(Op::Gosub, lv.rj_return, lv.rj_subrtn);
    g.bind(next);
    g.emit(t->vtab ? Op::VNext : Op::Next, t->cursor, top);
    g.bind(done);
  }
  return Status::Ok();
}

}  // namespace keel::plan
