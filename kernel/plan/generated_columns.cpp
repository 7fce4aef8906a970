// Generated columns: definition rules, computing them for a row being
// written, and reading virtual ones (design note in generated_columns.h).
#include "plan/generated_columns.h"

#include <algorithm>

#include "parse/ast_walk.h"
#include "vm/collation.h"

namespace keel::plan {

namespace {

bool name_eq(std::string_view a, std::string_view b) { return vm::stricmp(a, b) == 0; }

bool is_rowid_name(std::string_view n) {
  return name_eq(n, "rowid") || name_eq(n, "oid") || name_eq(n, "_rowid_");
}

// Columns of `t` an expression of `t` reads (outside subqueries, which the
// definition rules forbid).
class ColumnDeps : public parse::AstVisitor {
 public:
  explicit ColumnDeps(const Table* t) : t_(t) {}
  bool expr(const parse::Expr& e) override {
    if (e.kind != parse::ExprKind::kColumnRef) return true;
    auto* c = e.as<parse::ColumnRefExpr>();
    if (c->table.present() && !name_eq(c->table.value, t_->name)) return true;
    int col = t_->find_column(c->column.value);
    if (col >= 0) cols.push_back(col);
    return true;
  }
  std::vector<int> cols;

 private:
  const Table* t_;
};

std::vector<int> column_deps(const Table* t, const parse::Expr* e) {
  ColumnDeps d(t);
  parse::walk(*e, d);
  return d.cols;
}

// SQLite resolves a generated column's expression with NC_GenCol against
// the table alone (sqlite3ResolveSelfReference).
class GenExprCheck : public parse::AstVisitor {
 public:
  GenExprCheck(CodeGen& g, const Table* t) : g_(g), t_(t) {}
  bool expr(const parse::Expr& e) override {
    if (!status.ok()) return false;
    switch (e.kind) {
      case parse::ExprKind::kVariable:
        status = Status(rc::kError, "parameters prohibited in generated columns");
        return false;
      case parse::ExprKind::kSubquery:
      case parse::ExprKind::kExists:
        status = Status(rc::kError, "subqueries prohibited in generated columns");
        return false;
      case parse::ExprKind::kIn:
        if (e.as<parse::InExpr>()->rhs != parse::InExpr::Rhs::kList) {
          status = Status(rc::kError, "subqueries prohibited in generated columns");
          return false;
        }
        return true;
      case parse::ExprKind::kColumnRef:
        check_column(e.as<parse::ColumnRefExpr>());
        return false;
      case parse::ExprKind::kFunction:
        check_function(e.as<parse::FunctionExpr>());
        return status.ok();
      default:
        return true;
    }
  }
  Status status;

 private:
  void check_column(const parse::ColumnRefExpr* c) {
    std::string shown = c->table.present() ? std::string(c->table.value) + "." + std::string(c->column.value)
                                           : std::string(c->column.value);
    if (c->table.present() && !name_eq(c->table.value, t_->name)) {
      status = Status(rc::kError, "no such column: " + shown);
      return;
    }
    if (c->table.present()) {
      status = Status(rc::kError, "the \".\" operator prohibited in generated columns");
      return;
    }
    if (t_->find_column(c->column.value) >= 0) return;
    if (!c->table.present()) {
      // DQS: a double-quoted word naming no column is a string; true/false.
      if (c->column.quote == '"') return;
      if (c->column.quote == 0 && (name_eq(c->column.value, "true") || name_eq(c->column.value, "false")))
        return;
    }
    (void)is_rowid_name;
    status = Status(rc::kError, "no such column: " + shown);
  }
  void check_function(const parse::FunctionExpr* f) {
    const func::FunctionRegistry* reg = g_.input().functions;
    if (reg == nullptr) return;
    std::string name(f->name.value);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    int n = f->star ? 0 : static_cast<int>(f->args.size);
    const func::FunctionDef* def = reg->find(name, n);
    if (def == nullptr) return;  // the code generator reports it at first use, as for any expression
    if (def->scalar == nullptr) {
      status = Status(rc::kError, "misuse of aggregate function " + std::string(f->name.value) + "()");
      return;
    }
    if ((def->flags & func::kDeterministic) == 0) {
      status = Status(rc::kError, "non-deterministic functions prohibited in generated columns");
    }
  }

  CodeGen& g_;
  const Table* t_;
};

void apply_column_affinity(CodeGen& g, const Column& c, int reg) {
  if (c.affinity == vm::Affinity::kBlob || c.affinity == vm::Affinity::kNone) return;
  int a = g.emit(Op::Affinity, reg, 1);
  g.set_p4_affinity(a, std::string(1, static_cast<char>(c.affinity)));
}

}  // namespace

bool has_generated_columns(const Table* t) {
  for (const Column& c : t->columns)
    if (is_generated(c)) return true;
  return false;
}

bool has_virtual_columns(const Table* t) {
  for (const Column& c : t->columns)
    if (is_virtual(c)) return true;
  return false;
}

int stored_column_count(const Table* t) {
  int n = 0;
  for (const Column& c : t->columns)
    if (!is_virtual(c)) n++;
  return n;
}

Status check_generated_columns(CodeGen& g, const parse::CreateTableStmt* st, const Table* t, int only) {
  using K = parse::ColumnConstraint::Kind;
  bool any_generated = false;
  for (uint32_t ci = 0; ci < st->columns.size; ci++) {
    const parse::ColumnDef* cd = st->columns[ci];
    bool gen = false, dflt = false, pk = false;
    std::string col(cd->name.value);
    for (const parse::ColumnConstraint* cc : cd->constraints) {
      if (cc->kind == K::kDefault) {
        if (gen) return Status(rc::kError, "cannot use DEFAULT on a generated column");
        dflt = true;
      } else if (cc->kind == K::kPrimaryKey) {
        if (gen) return Status(rc::kError, "generated columns cannot be part of the PRIMARY KEY");
        pk = true;
      } else if (cc->kind == K::kGenerated) {
        if (dflt) return Status(rc::kError, "error in generated column \"" + col + "\"");
        if (cc->storage_word.present() && !name_eq(cc->storage_word.value, "virtual") &&
            !name_eq(cc->storage_word.value, "stored")) {
          return Status(rc::kError, "error in generated column \"" + col + "\"");
        }
        if (pk) return Status(rc::kError, "generated columns cannot be part of the PRIMARY KEY");
        gen = true;
      }
    }
    any_generated = any_generated || gen;
  }
  if (!any_generated) return Status::Ok();
  if (only < 0) {
    for (const parse::TableConstraint* tc : st->constraints) {
      if (tc->kind != parse::TableConstraint::Kind::kPrimaryKey) continue;
      for (const parse::OrderingTerm& ot : tc->columns) {
        const parse::Expr* e = ot.expr;
        if (e->kind == parse::ExprKind::kCollate) e = e->as<parse::CollateExpr>()->operand;
        if (e->kind != parse::ExprKind::kColumnRef) continue;
        int col = t->find_column(e->as<parse::ColumnRefExpr>()->column.value);
        if (col >= 0 && is_generated(t->columns[col]))
          return Status(rc::kError, "generated columns cannot be part of the PRIMARY KEY");
      }
    }
    bool any_plain = false;
    for (const Column& c : t->columns) any_plain = any_plain || !is_generated(c);
    if (!any_plain) return Status(rc::kError, "must have at least one non-generated column");
  }
  for (size_t i = 0; i < t->columns.size(); i++) {
    if (only >= 0 && static_cast<int>(i) != only) continue;
    const Column& c = t->columns[i];
    if (!is_generated(c) || c.generated_expr == nullptr) continue;
    GenExprCheck check(g, t);
    parse::walk(*c.generated_expr, check);
    KEEL_RETURN_IF_ERROR(check.status);
  }
  return Status::Ok();
}

Status code_generated_columns(CodeGen& g, TableWriter& w, bool virtual_only) {
  const Table* t = w.table;
  int n = static_cast<int>(t->columns.size());
  std::vector<bool> avail(n, true);
  bool any = false;
  for (int i = 0; i < n; i++) {
    const Column& c = t->columns[i];
    if (is_generated(c) && (!virtual_only || is_virtual(c))) {
      avail[i] = false;
      any = true;
    }
  }
  if (!any) return Status::Ok();
  // sqlite3ComputeGeneratedColumns: passes until every column is computed
  // or a pass makes no progress.
  int redo = -1;
  bool progress = false;
  do {
    progress = false;
    redo = -1;
    for (int i = 0; i < n; i++) {
      if (avail[i]) continue;
      const Column& c = t->columns[i];
      bool ready = true;
      for (int d : column_deps(t, c.generated_expr)) ready = ready && avail[d];
      if (!ready) {
        redo = i;
        continue;
      }
      int reg = i == t->rowid_alias ? w.rowid : w.base + i;
      KEEL_RETURN_IF_ERROR(code_expr(g, &w.scope, c.generated_expr, reg));
      apply_column_affinity(g, c, reg);
      avail[i] = true;
      progress = true;
    }
  } while (redo >= 0 && progress);
  if (redo >= 0) return Status(rc::kError, "generated column loop on \"" + t->columns[redo].name + "\"");
  return Status::Ok();
}

void code_virtual_column(CodeGen& g, FromTerm* t, int col, int target) {
  const Table* tab = t->table;
  const Column& c = tab->columns[col];
  if (std::find(g.generating.begin(), g.generating.end(), &c) != g.generating.end()) {
    g.deferred_error = Status(rc::kError, "generated column loop on \"" + c.name + "\"");
    g.emit(Op::Null, 0, target);
    return;
  }
  // The right side of a LEFT JOIN on its NULL row: the column is NULL, not
  // its expression over NULLs (the cursor's rowid reads NULL there).
  int done = 0;
  if ((t->join & parse::join::kLeft) != 0 && !tab->without_rowid) {
    done = g.new_label();
    int rowid = g.new_reg(), have = g.new_label();
    g.emit(Op::Rowid, t->cursor, rowid);
    g.emit(Op::NotNull, rowid, have);
    g.emit(Op::Null, 0, target);
    g.emit(Op::Goto, 0, done);
    g.bind(have);
  }
  g.generating.push_back(&c);
  // The expression names the table's columns, perhaps qualified by the
  // table's own name: resolve it in a scope of this term alone, under that name.
  std::string saved_name = t->name;
  bool saved_qualified = t->qualified_only;
  t->name = tab->name;
  t->qualified_only = false;
  Scope s;
  s.terms = {t};
  Status st = code_expr(g, &s, c.generated_expr, target);
  t->name = std::move(saved_name);
  t->qualified_only = saved_qualified;
  g.generating.pop_back();
  if (!st.ok()) {
    g.deferred_error = std::move(st);
  } else {
    apply_column_affinity(g, c, target);
  }
  if (done) g.bind(done);
}

}  // namespace keel::plan
