#include "parse/ast_walk.h"

namespace keel::parse {
namespace {

class Walker {
 public:
  explicit Walker(AstVisitor& v) : v_(v) {}

  void name(const Name& n, NameRole role) {
    if (n.present()) v_.name(n, role);
  }
  void qualified(const QualifiedName& q, NameRole role) {
    name(q.schema, NameRole::kSchema);
    name(q.name, role);
  }
  void names(List<Name> l, NameRole role) {
    for (const Name& n : l) name(n, role);
  }
  void exprs(List<Expr*> l) {
    for (const Expr* e : l) expr(e);
  }
  void ordering(List<OrderingTerm> l) {
    for (const OrderingTerm& t : l) expr(t.expr);
  }

  void window(const WindowSpec* w) {
    if (!w) return;
    name(w->base, NameRole::kWindow);
    exprs(w->partition_by);
    ordering(w->order_by);
    if (w->frame) {
      expr(w->frame->start.offset);
      expr(w->frame->end.offset);
    }
  }

  void expr(const Expr* e) {
    if (e == nullptr || !v_.expr(*e)) return;
    switch (e->kind) {
      case ExprKind::kLiteral:
      case ExprKind::kVariable:
        break;
      case ExprKind::kColumnRef: {
        auto* c = e->as<ColumnRefExpr>();
        name(c->schema, NameRole::kSchema);
        name(c->table, NameRole::kTable);
        name(c->column, NameRole::kColumn);
        break;
      }
      case ExprKind::kUnary:
        expr(e->as<UnaryExpr>()->operand);
        break;
      case ExprKind::kBinary:
        expr(e->as<BinaryExpr>()->left);
        expr(e->as<BinaryExpr>()->right);
        break;
      case ExprKind::kLike: {
        auto* l = e->as<LikeExpr>();
        expr(l->left);
        expr(l->pattern);
        expr(l->escape);
        break;
      }
      case ExprKind::kNullTest:
        expr(e->as<NullTestExpr>()->operand);
        break;
      case ExprKind::kBetween: {
        auto* b = e->as<BetweenExpr>();
        expr(b->operand);
        expr(b->low);
        expr(b->high);
        break;
      }
      case ExprKind::kIn: {
        auto* in = e->as<InExpr>();
        expr(in->left);
        switch (in->rhs) {
          case InExpr::Rhs::kList:
            exprs(in->list);
            break;
          case InExpr::Rhs::kSelect:
            select(in->select);
            break;
          case InExpr::Rhs::kTable:
            qualified(in->table, in->has_table_args ? NameRole::kFunction : NameRole::kTable);
            exprs(in->table_args);
            break;
        }
        break;
      }
      case ExprKind::kExists:
        select(e->as<ExistsExpr>()->select);
        break;
      case ExprKind::kSubquery:
        select(e->as<SubqueryExpr>()->select);
        break;
      case ExprKind::kCase: {
        auto* c = e->as<CaseExpr>();
        expr(c->operand);
        for (const WhenThen& wt : c->whens) {
          expr(wt.when);
          expr(wt.then);
        }
        expr(c->else_expr);
        break;
      }
      case ExprKind::kCast:
        expr(e->as<CastExpr>()->operand);
        break;
      case ExprKind::kCollate:
        expr(e->as<CollateExpr>()->operand);
        name(e->as<CollateExpr>()->collation, NameRole::kCollation);
        break;
      case ExprKind::kFunction: {
        auto* f = e->as<FunctionExpr>();
        name(f->name, NameRole::kFunction);
        exprs(f->args);
        expr(f->filter);
        window(f->over);
        name(f->over_name, NameRole::kWindow);
        break;
      }
      case ExprKind::kVector:
        exprs(e->as<VectorExpr>()->items);
        break;
      case ExprKind::kRaise:
        expr(e->as<RaiseExpr>()->message);
        break;
    }
  }

  void result_columns(List<ResultColumn> l) {
    for (const ResultColumn& rc : l) {
      name(rc.table, NameRole::kTable);
      expr(rc.expr);
      name(rc.alias, NameRole::kAlias);
    }
  }

  void from(List<FromItem*> l) {
    for (const FromItem* f : l) {
      switch (f->kind) {
        case FromItem::Kind::kTable:
          qualified(f->table, NameRole::kTable);
          break;
        case FromItem::Kind::kTableFunction:
          qualified(f->table, NameRole::kFunction);
          exprs(f->func_args);
          break;
        case FromItem::Kind::kSubquery:
          select(f->subquery);
          break;
        case FromItem::Kind::kJoinGroup:
          from(f->group);
          break;
      }
      name(f->alias, NameRole::kAlias);
      name(f->index, NameRole::kIndex);
      expr(f->on);
      names(f->using_columns, NameRole::kColumn);
    }
  }

  void with(const WithClause* w) {
    if (!w) return;
    for (const CommonTableExpr* c : w->ctes) {
      name(c->name, NameRole::kCte);
      names(c->columns, NameRole::kColumn);
      select(c->select);
    }
  }

  void select(const Select* s) {
    if (!s) return;
    v_.select(*s);
    with(s->with);
    for (const SelectCore* c : s->cores) {
      for (const List<Expr*>& row : c->rows) exprs(row);
      result_columns(c->columns);
      from(c->from);
      expr(c->where);
      exprs(c->group_by);
      expr(c->having);
      for (const NamedWindow* w : c->windows) {
        name(w->name, NameRole::kWindow);
        window(w->spec);
      }
    }
    ordering(s->order_by);
    expr(s->limit);
    expr(s->offset);
  }

  void setlist(List<SetClause> l) {
    for (const SetClause& sc : l) {
      names(sc.columns, NameRole::kColumn);
      expr(sc.value);
    }
  }

  void fk(const ForeignKeyClause* f) {
    if (!f) return;
    name(f->table, NameRole::kTable);
    names(f->columns, NameRole::kColumn);
    names(f->match, NameRole::kOther);
  }

  void column_def(const ColumnDef* c) {
    name(c->name, NameRole::kColumn);
    for (const ColumnConstraint* cc : c->constraints) {
      name(cc->name, NameRole::kConstraint);
      expr(cc->expr);
      name(cc->collation, NameRole::kCollation);
      fk(cc->foreign_key);
      name(cc->storage_word, NameRole::kOther);
    }
  }

  void stmt(const Stmt& s) {
    switch (s.kind) {
      case StmtKind::kSelect:
        select(s.as<SelectStmt>()->select);
        break;
      case StmtKind::kInsert: {
        auto* st = s.as<InsertStmt>();
        with(st->with);
        qualified(st->table, NameRole::kTable);
        name(st->alias, NameRole::kAlias);
        names(st->columns, NameRole::kColumn);
        select(st->select);
        for (const Upsert* u : st->upserts) {
          ordering(u->target);
          expr(u->target_where);
          setlist(u->set);
          expr(u->where);
        }
        result_columns(st->returning);
        break;
      }
      case StmtKind::kUpdate: {
        auto* st = s.as<UpdateStmt>();
        with(st->with);
        qualified(st->table, NameRole::kTable);
        name(st->alias, NameRole::kAlias);
        name(st->index, NameRole::kIndex);
        setlist(st->set);
        from(st->from);
        expr(st->where);
        result_columns(st->returning);
        ordering(st->order_by);
        expr(st->limit);
        expr(st->offset);
        break;
      }
      case StmtKind::kDelete: {
        auto* st = s.as<DeleteStmt>();
        with(st->with);
        qualified(st->table, NameRole::kTable);
        name(st->alias, NameRole::kAlias);
        name(st->index, NameRole::kIndex);
        expr(st->where);
        result_columns(st->returning);
        ordering(st->order_by);
        expr(st->limit);
        expr(st->offset);
        break;
      }
      case StmtKind::kCreateTable: {
        auto* st = s.as<CreateTableStmt>();
        qualified(st->name, NameRole::kTable);
        for (const ColumnDef* c : st->columns) column_def(c);
        for (const TableConstraint* tc : st->constraints) {
          name(tc->name, NameRole::kConstraint);
          ordering(tc->columns);
          expr(tc->check);
          names(tc->fk_columns, NameRole::kColumn);
          fk(tc->foreign_key);
        }
        select(st->as_select);
        break;
      }
      case StmtKind::kCreateIndex: {
        auto* st = s.as<CreateIndexStmt>();
        qualified(st->name, NameRole::kIndex);
        name(st->table, NameRole::kTable);
        name(st->method, NameRole::kModule);
        ordering(st->columns);
        for (const IndexParam& p : st->params) {
          name(p.key, NameRole::kOther);
          expr(p.value);
        }
        expr(st->where);
        break;
      }
      case StmtKind::kCreateView: {
        auto* st = s.as<CreateViewStmt>();
        qualified(st->name, NameRole::kView);
        names(st->columns, NameRole::kColumn);
        select(st->select);
        break;
      }
      case StmtKind::kCreateTrigger: {
        auto* st = s.as<CreateTriggerStmt>();
        qualified(st->name, NameRole::kTrigger);
        names(st->update_columns, NameRole::kColumn);
        qualified(st->table, NameRole::kTable);
        expr(st->when);
        for (const Stmt* step : st->steps) stmt(*step);
        break;
      }
      case StmtKind::kCreateVirtualTable: {
        auto* st = s.as<CreateVirtualTableStmt>();
        qualified(st->name, NameRole::kTable);
        name(st->module, NameRole::kModule);
        break;
      }
      case StmtKind::kCreateExtension:
        break;
      case StmtKind::kDrop: {
        auto* st = s.as<DropStmt>();
        static const NameRole kRoles[] = {NameRole::kTable, NameRole::kIndex, NameRole::kView,
                                          NameRole::kTrigger};
        qualified(st->name, kRoles[static_cast<int>(st->object)]);
        break;
      }
      case StmtKind::kAlterTable: {
        auto* st = s.as<AlterTableStmt>();
        qualified(st->table, NameRole::kTable);
        name(st->column, NameRole::kColumn);
        name(st->new_name,
             st->action == AlterTableStmt::Action::kRenameTable ? NameRole::kTable : NameRole::kColumn);
        if (st->column_def) column_def(st->column_def);
        break;
      }
      case StmtKind::kAttach:
        expr(s.as<AttachStmt>()->filename);
        expr(s.as<AttachStmt>()->schema);
        expr(s.as<AttachStmt>()->key);
        break;
      case StmtKind::kDetach:
        expr(s.as<DetachStmt>()->schema);
        break;
      case StmtKind::kBegin:
        name(s.as<BeginStmt>()->transaction_name, NameRole::kOther);
        break;
      case StmtKind::kCommit:
        break;
      case StmtKind::kRollback:
        name(s.as<RollbackStmt>()->savepoint, NameRole::kOther);
        break;
      case StmtKind::kSavepoint:
        name(s.as<SavepointStmt>()->name, NameRole::kOther);
        break;
      case StmtKind::kRelease:
        name(s.as<ReleaseStmt>()->name, NameRole::kOther);
        break;
      case StmtKind::kPragma:
        qualified(s.as<PragmaStmt>()->name, NameRole::kOther);
        break;
      case StmtKind::kVacuum:
        name(s.as<VacuumStmt>()->schema, NameRole::kSchema);
        expr(s.as<VacuumStmt>()->into);
        break;
      case StmtKind::kReindex:
        qualified(s.as<ReindexStmt>()->name, NameRole::kOther);
        break;
      case StmtKind::kAnalyze:
        qualified(s.as<AnalyzeStmt>()->name, NameRole::kOther);
        break;
    }
  }

 private:
  AstVisitor& v_;
};

}  // namespace

void walk(const Stmt& stmt, AstVisitor& v) { Walker(v).stmt(stmt); }
void walk(const Select& select, AstVisitor& v) { Walker(v).select(&select); }
void walk(const Expr& expr, AstVisitor& v) { Walker(v).expr(&expr); }

}  // namespace keel::parse
