// Rules for schema expressions evaluated against one row (restricted_expr.h).
#include "plan/restricted_expr.h"

#include <algorithm>
#include <string>

#include "parse/ast_walk.h"
#include "vm/collation.h"

namespace keel::plan {

namespace {

const char* noun(RestrictedContext where) {
  switch (where) {
    case RestrictedContext::kCheck:
      return "CHECK constraints";
    case RestrictedContext::kIndexExpr:
      return "index expressions";
    case RestrictedContext::kPartialIndex:
      return "partial index WHERE clauses";
  }
  return "";
}

class RestrictedCheck : public parse::AstVisitor {
 public:
  RestrictedCheck(CodeGen& g, RestrictedContext where) : g_(g), where_(where) {}
  bool expr(const parse::Expr& e) override {
    if (!status.ok()) return false;
    switch (e.kind) {
      case parse::ExprKind::kVariable:
        fail("parameters");
        return false;
      case parse::ExprKind::kSubquery:
      case parse::ExprKind::kExists:
        fail("subqueries");
        return false;
      case parse::ExprKind::kIn:
        if (e.as<parse::InExpr>()->rhs != parse::InExpr::Rhs::kList) {
          fail("subqueries");
          return false;
        }
        return true;
      case parse::ExprKind::kFunction:
        check_function(e.as<parse::FunctionExpr>());
        return status.ok();
      default:
        return true;
    }
  }
  Status status;

 private:
  void fail(const char* what) {
    status = Status(rc::kError, std::string(what) + " prohibited in " + noun(where_));
  }

  void check_function(const parse::FunctionExpr* f) {
    const func::FunctionRegistry* reg = g_.input().functions;
    if (reg == nullptr || f->over || f->over_name.present()) return;
    std::string name(f->name.value);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    int n = f->star ? 0 : static_cast<int>(f->args.size);
    const func::FunctionDef* def = reg->find(name, n);
    if (def == nullptr) return;  // reported where the expression is first coded, as SQLite
    if (def->scalar == nullptr) {
      if (where_ == RestrictedContext::kCheck) {
        status = Status(rc::kError, "misuse of aggregate function " + std::string(f->name.value) + "()");
      }
      return;
    }
    // CHECK constraints may call random() and the like (SQLite allows it);
    // indexes may not. Date/time functions count as deterministic here and
    // refuse 'now' when they run.
    if (where_ != RestrictedContext::kCheck && (def->flags & func::kDeterministic) == 0) {
      fail("non-deterministic functions");
    }
  }

  CodeGen& g_;
  RestrictedContext where_;
};

class ConstantCheck : public parse::AstVisitor {
 public:
  bool expr(const parse::Expr& e) override {
    if (!constant) return false;
    switch (e.kind) {
      case parse::ExprKind::kVariable:
      case parse::ExprKind::kSubquery:
      case parse::ExprKind::kExists:
        constant = false;
        return false;
      case parse::ExprKind::kIn:
        if (e.as<parse::InExpr>()->rhs != parse::InExpr::Rhs::kList) constant = false;
        return constant;
      case parse::ExprKind::kColumnRef: {
        // TRUE and FALSE are keywords; any other name (even a double-quoted
        // one, which SQLite has not yet turned into a string here) is a column.
        auto* c = e.as<parse::ColumnRefExpr>();
        bool word = !c->table.present() && c->column.quote == 0 &&
                    (vm::stricmp(c->column.value, "true") == 0 || vm::stricmp(c->column.value, "false") == 0);
        if (!word) constant = false;
        return false;
      }
      default:
        return true;
    }
  }
  bool constant = true;
};

}  // namespace

Status check_restricted_expr(CodeGen& g, const parse::Expr* e, RestrictedContext where) {
  if (e == nullptr) return Status::Ok();
  RestrictedCheck c(g, where);
  parse::walk(*e, c);
  return c.status;
}

Status check_default_constant(const parse::Expr* e, std::string_view column) {
  if (e == nullptr) return Status::Ok();
  ConstantCheck c;
  parse::walk(*e, c);
  if (c.constant) return Status::Ok();
  return Status(rc::kError, "default value of column [" + std::string(column) + "] is not constant");
}

}  // namespace keel::plan
