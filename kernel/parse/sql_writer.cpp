// to_sql(): prints a tree back as SQL that parses to the same tree.
//
// Every compound expression is parenthesized, so the output also shows how
// the parser grouped operators (tests rely on that); names are written with
// the quotes they were written with, so DQS and TRUE/FALSE resolution is
// unchanged by a round trip.
#include <string>

#include "parse/parser.h"

namespace keel::parse {
namespace {

class Writer {
 public:
  std::string out;

  void name(const Name& n) {
    switch (n.quote) {
      case 0:
        out += n.value;
        break;
      case '[':
        out += '[';
        out += n.value;
        out += ']';
        break;
      default:
        quoted(n.value, n.quote);
        break;
    }
  }
  void quoted(std::string_view v, char q) {
    out += q;
    for (char c : v) {
      out += c;
      if (c == q) out += q;
    }
    out += q;
  }
  void qualified(const QualifiedName& q) {
    if (q.schema.present()) {
      name(q.schema);
      out += '.';
    }
    name(q.name);
  }
  void names(List<Name> l) {
    for (uint32_t i = 0; i < l.size; ++i) {
      if (i) out += ", ";
      name(l[i]);
    }
  }
  void exprs(List<Expr*> l) {
    for (uint32_t i = 0; i < l.size; ++i) {
      if (i) out += ", ";
      expr(*l[i]);
    }
  }
  void type(const TypeName& t) {
    bool plain = !t.text.empty() && !(t.text[0] >= '0' && t.text[0] <= '9');
    for (char c : t.text) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                c == ' ' || c == '(' || c == ')' || c == ',' || c == '+' || c == '-' || c == '.' ||
                static_cast<unsigned char>(c) >= 0x80;
      if (!ok) plain = false;
    }
    if (plain) {
      out += t.text;
    } else if (!t.text.empty()) {
      quoted(t.text, '"');
    }
  }

  void expr(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kLiteral: {
        auto* l = e.as<LiteralExpr>();
        switch (l->literal) {
          case LiteralKind::kNull:
            out += "NULL";
            break;
          case LiteralKind::kInteger:
          case LiteralKind::kFloat:
            out += l->text;
            break;
          case LiteralKind::kString:
            quoted(l->text, '\'');
            break;
          case LiteralKind::kBlob:
            out += "X'";
            out += l->text;
            out += '\'';
            break;
          case LiteralKind::kTrue:
            out += "TRUE";
            break;
          case LiteralKind::kFalse:
            out += "FALSE";
            break;
        }
        break;
      }
      case ExprKind::kColumnRef: {
        auto* c = e.as<ColumnRefExpr>();
        if (c->schema.present()) {
          name(c->schema);
          out += '.';
        }
        if (c->table.present()) {
          name(c->table);
          out += '.';
        }
        name(c->column);
        break;
      }
      case ExprKind::kVariable:
        out += e.as<VariableExpr>()->text;
        break;
      case ExprKind::kUnary: {
        auto* u = e.as<UnaryExpr>();
        static const char* kOps[] = {"- ", "+ ", "~ ", "NOT "};
        out += '(';
        out += kOps[static_cast<int>(u->op)];
        expr(*u->operand);
        out += ')';
        break;
      }
      case ExprKind::kBinary: {
        auto* b = e.as<BinaryExpr>();
        static const char* kOps[] = {"OR", "AND", "=",  "!=", "<", "<=", ">", ">=", "IS", "IS NOT", "&",
                                     "|",  "<<",  ">>", "+",  "-", "*",  "/", "%",  "||", "->",     "->>"};
        out += '(';
        expr(*b->left);
        out += ' ';
        out += kOps[static_cast<int>(b->op)];
        out += ' ';
        expr(*b->right);
        out += ')';
        break;
      }
      case ExprKind::kLike: {
        auto* l = e.as<LikeExpr>();
        static const char* kOps[] = {"LIKE", "GLOB", "REGEXP", "MATCH"};
        out += '(';
        expr(*l->left);
        out += l->negated ? " NOT " : " ";
        out += kOps[static_cast<int>(l->op)];
        out += ' ';
        expr(*l->pattern);
        if (l->escape) {
          out += " ESCAPE ";
          expr(*l->escape);
        }
        out += ')';
        break;
      }
      case ExprKind::kNullTest: {
        auto* n = e.as<NullTestExpr>();
        out += '(';
        expr(*n->operand);
        out += n->not_null ? " NOTNULL)" : " ISNULL)";
        break;
      }
      case ExprKind::kBetween: {
        auto* b = e.as<BetweenExpr>();
        out += '(';
        expr(*b->operand);
        out += b->negated ? " NOT BETWEEN " : " BETWEEN ";
        expr(*b->low);
        out += " AND ";
        expr(*b->high);
        out += ')';
        break;
      }
      case ExprKind::kIn: {
        auto* in = e.as<InExpr>();
        out += '(';
        expr(*in->left);
        out += in->negated ? " NOT IN " : " IN ";
        switch (in->rhs) {
          case InExpr::Rhs::kList:
            out += '(';
            exprs(in->list);
            out += ')';
            break;
          case InExpr::Rhs::kSelect:
            out += '(';
            select(*in->select);
            out += ')';
            break;
          case InExpr::Rhs::kTable:
            qualified(in->table);
            if (in->has_table_args) {
              out += '(';
              exprs(in->table_args);
              out += ')';
            }
            break;
        }
        out += ')';
        break;
      }
      case ExprKind::kExists:
        out += "EXISTS (";
        select(*e.as<ExistsExpr>()->select);
        out += ')';
        break;
      case ExprKind::kSubquery:
        out += '(';
        select(*e.as<SubqueryExpr>()->select);
        out += ')';
        break;
      case ExprKind::kCase: {
        auto* c = e.as<CaseExpr>();
        out += "CASE";
        if (c->operand) {
          out += ' ';
          expr(*c->operand);
        }
        for (const WhenThen& wt : c->whens) {
          out += " WHEN ";
          expr(*wt.when);
          out += " THEN ";
          expr(*wt.then);
        }
        if (c->else_expr) {
          out += " ELSE ";
          expr(*c->else_expr);
        }
        out += " END";
        break;
      }
      case ExprKind::kCast: {
        auto* c = e.as<CastExpr>();
        out += "CAST(";
        expr(*c->operand);
        out += " AS";
        if (!c->type.text.empty()) out += ' ';
        type(c->type);
        out += ')';
        break;
      }
      case ExprKind::kCollate: {
        auto* c = e.as<CollateExpr>();
        out += '(';
        expr(*c->operand);
        out += " COLLATE ";
        name(c->collation);
        out += ')';
        break;
      }
      case ExprKind::kFunction: {
        auto* f = e.as<FunctionExpr>();
        name(f->name);
        if (f->ctime_keyword) break;
        out += '(';
        if (f->star) {
          out += '*';
        } else {
          if (f->distinct == Distinctness::kDistinct) out += "DISTINCT ";
          if (f->distinct == Distinctness::kAll) out += "ALL ";
          exprs(f->args);
        }
        out += ')';
        if (f->filter) {
          out += " FILTER (WHERE ";
          expr(*f->filter);
          out += ')';
        }
        if (f->over) {
          out += " OVER (";
          window(*f->over);
          out += ')';
        } else if (f->over_name.present()) {
          out += " OVER ";
          name(f->over_name);
        }
        break;
      }
      case ExprKind::kVector:
        out += '(';
        exprs(e.as<VectorExpr>()->items);
        out += ')';
        break;
      case ExprKind::kRaise: {
        auto* r = e.as<RaiseExpr>();
        static const char* kActions[] = {"IGNORE", "ROLLBACK", "ABORT", "FAIL"};
        out += "RAISE(";
        out += kActions[static_cast<int>(r->action)];
        if (r->message) {
          out += ", ";
          expr(*r->message);
        }
        out += ')';
        break;
      }
    }
  }

  void ordering(List<OrderingTerm> l) {
    for (uint32_t i = 0; i < l.size; ++i) {
      if (i) out += ", ";
      expr(*l[i].expr);
      if (l[i].order == SortOrder::kAsc) out += " ASC";
      if (l[i].order == SortOrder::kDesc) out += " DESC";
      if (l[i].nulls == NullsOrder::kFirst) out += " NULLS FIRST";
      if (l[i].nulls == NullsOrder::kLast) out += " NULLS LAST";
    }
  }

  void bound(const FrameBound& b) {
    switch (b.kind) {
      case FrameBoundKind::kUnboundedPreceding:
        out += "UNBOUNDED PRECEDING";
        break;
      case FrameBoundKind::kUnboundedFollowing:
        out += "UNBOUNDED FOLLOWING";
        break;
      case FrameBoundKind::kCurrentRow:
        out += "CURRENT ROW";
        break;
      case FrameBoundKind::kPreceding:
        expr(*b.offset);
        out += " PRECEDING";
        break;
      case FrameBoundKind::kFollowing:
        expr(*b.offset);
        out += " FOLLOWING";
        break;
    }
  }

  void window(const WindowSpec& w) {
    std::string sep;
    if (w.base.present()) {
      name(w.base);
      sep = " ";
    }
    if (!w.partition_by.empty()) {
      out += sep + "PARTITION BY ";
      exprs(w.partition_by);
      sep = " ";
    }
    if (!w.order_by.empty()) {
      out += sep + "ORDER BY ";
      ordering(w.order_by);
      sep = " ";
    }
    if (w.frame) {
      const WindowFrame& f = *w.frame;
      static const char* kUnits[] = {"ROWS", "RANGE", "GROUPS"};
      out += sep + kUnits[static_cast<int>(f.unit)] + " ";
      if (f.between) {
        out += "BETWEEN ";
        bound(f.start);
        out += " AND ";
        bound(f.end);
      } else {
        bound(f.start);
      }
      static const char* kExcl[] = {"", " EXCLUDE NO OTHERS", " EXCLUDE CURRENT ROW", " EXCLUDE GROUP",
                                    " EXCLUDE TIES"};
      out += kExcl[static_cast<int>(f.exclude)];
    }
  }

  void result_columns(List<ResultColumn> l) {
    for (uint32_t i = 0; i < l.size; ++i) {
      if (i) out += ", ";
      const ResultColumn& rc = l[i];
      switch (rc.kind) {
        case ResultColumn::Kind::kStar:
          out += '*';
          break;
        case ResultColumn::Kind::kTableStar:
          name(rc.table);
          out += ".*";
          break;
        case ResultColumn::Kind::kExpr:
          expr(*rc.expr);
          if (rc.alias.present()) {
            out += " AS ";
            name(rc.alias);
          }
          break;
      }
    }
  }

  void join_prefix(const FromItem& f) {
    if (f.comma) {
      out += ", ";
      return;
    }
    out += ' ';
    uint8_t j = f.join;
    if (j & join::kNatural) out += "NATURAL ";
    if ((j & join::kLeft) && (j & join::kRight)) {
      out += "FULL ";
    } else if (j & join::kLeft) {
      out += "LEFT ";
    } else if (j & join::kRight) {
      out += "RIGHT ";
    } else if (j & join::kCross) {
      out += "CROSS ";
    } else if ((j & join::kInner) && (j & join::kNatural)) {
      out += "INNER ";
    }
    out += "JOIN ";
  }

  void from(List<FromItem*> l) {
    for (uint32_t i = 0; i < l.size; ++i) {
      const FromItem& f = *l[i];
      if (i) join_prefix(f);
      switch (f.kind) {
        case FromItem::Kind::kTable:
        case FromItem::Kind::kTableFunction:
          qualified(f.table);
          if (f.kind == FromItem::Kind::kTableFunction) {
            out += '(';
            exprs(f.func_args);
            out += ')';
          }
          break;
        case FromItem::Kind::kSubquery:
          out += '(';
          select(*f.subquery);
          out += ')';
          break;
        case FromItem::Kind::kJoinGroup:
          out += '(';
          from(f.group);
          out += ')';
          break;
      }
      if (f.alias.present()) {
        out += " AS ";
        name(f.alias);
      }
      if (f.hint == IndexHint::kIndexedBy) {
        out += " INDEXED BY ";
        name(f.index);
      } else if (f.hint == IndexHint::kNotIndexed) {
        out += " NOT INDEXED";
      }
      if (f.on) {
        out += " ON ";
        expr(*f.on);
      } else if (f.has_using) {
        out += " USING (";
        names(f.using_columns);
        out += ')';
      }
    }
  }

  void with(const WithClause* w) {
    if (!w) return;
    out += w->recursive ? "WITH RECURSIVE " : "WITH ";
    for (uint32_t i = 0; i < w->ctes.size; ++i) {
      const CommonTableExpr& c = *w->ctes[i];
      if (i) out += ", ";
      name(c.name);
      if (!c.columns.empty()) {
        out += '(';
        names(c.columns);
        out += ')';
      }
      out += " AS ";
      if (c.materialized == Materialization::kMaterialized) out += "MATERIALIZED ";
      if (c.materialized == Materialization::kNotMaterialized) out += "NOT MATERIALIZED ";
      out += '(';
      select(*c.select);
      out += ')';
    }
    out += ' ';
  }

  void select(const Select& s) {
    with(s.with);
    for (uint32_t i = 0; i < s.cores.size; ++i) {
      const SelectCore& c = *s.cores[i];
      if (i) {
        static const char* kOps[] = {"", " UNION ", " UNION ALL ", " INTERSECT ", " EXCEPT "};
        out += kOps[static_cast<int>(c.op)];
      }
      if (c.is_values) {
        out += "VALUES ";
        for (uint32_t r = 0; r < c.rows.size; ++r) {
          if (r) out += ", ";
          out += '(';
          exprs(c.rows[r]);
          out += ')';
        }
        continue;
      }
      out += "SELECT ";
      if (c.distinct == Distinctness::kDistinct) out += "DISTINCT ";
      if (c.distinct == Distinctness::kAll) out += "ALL ";
      result_columns(c.columns);
      if (!c.from.empty()) {
        out += " FROM ";
        from(c.from);
      }
      if (c.where) {
        out += " WHERE ";
        expr(*c.where);
      }
      if (!c.group_by.empty()) {
        out += " GROUP BY ";
        exprs(c.group_by);
      }
      if (c.having) {
        out += " HAVING ";
        expr(*c.having);
      }
      if (!c.windows.empty()) {
        out += " WINDOW ";
        for (uint32_t w = 0; w < c.windows.size; ++w) {
          if (w) out += ", ";
          name(c.windows[w]->name);
          out += " AS (";
          window(*c.windows[w]->spec);
          out += ')';
        }
      }
    }
    order_limit(s.order_by, s.limit, s.offset);
  }

  void order_limit(List<OrderingTerm> order, const Expr* limit, const Expr* offset) {
    if (!order.empty()) {
      out += " ORDER BY ";
      ordering(order);
    }
    if (limit) {
      out += " LIMIT ";
      expr(*limit);
      if (offset) {
        out += " OFFSET ";
        expr(*offset);
      }
    }
  }

  void conflict(ConflictAction a, const char* prefix) {
    static const char* kNames[] = {"", "ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE"};
    if (a == ConflictAction::kDefault) return;
    out += prefix;
    out += kNames[static_cast<int>(a)];
  }

  void setlist(List<SetClause> l) {
    for (uint32_t i = 0; i < l.size; ++i) {
      if (i) out += ", ";
      if (l[i].parenthesized) {
        out += '(';
        names(l[i].columns);
        out += ')';
      } else {
        name(l[i].columns[0]);
      }
      out += " = ";
      expr(*l[i].value);
    }
  }

  void returning(List<ResultColumn> l) {
    if (l.empty()) return;
    out += " RETURNING ";
    result_columns(l);
  }

  void hint(IndexHint h, const Name& index) {
    if (h == IndexHint::kIndexedBy) {
      out += " INDEXED BY ";
      name(index);
    } else if (h == IndexHint::kNotIndexed) {
      out += " NOT INDEXED";
    }
  }

  void fk(const ForeignKeyClause& f, bool with_table) {
    if (with_table) {
      out += "REFERENCES ";
      name(f.table);
      if (!f.columns.empty()) {
        out += '(';
        names(f.columns);
        out += ')';
      }
      static const char* kActions[] = {"", "SET NULL", "SET DEFAULT", "CASCADE", "RESTRICT", "NO ACTION"};
      if (f.on_delete != FkAction::kNone)
        out += std::string(" ON DELETE ") + kActions[static_cast<int>(f.on_delete)];
      if (f.on_update != FkAction::kNone)
        out += std::string(" ON UPDATE ") + kActions[static_cast<int>(f.on_update)];
      for (const Name& m : f.match) {
        out += " MATCH ";
        name(m);
      }
    }
    if (f.has_deferral) {
      if (with_table) out += ' ';
      out += f.not_deferrable ? "NOT DEFERRABLE" : "DEFERRABLE";
      if (f.initially == ForeignKeyClause::Initially::kDeferred) out += " INITIALLY DEFERRED";
      if (f.initially == ForeignKeyClause::Initially::kImmediate) out += " INITIALLY IMMEDIATE";
    }
  }

  void column_def(const ColumnDef& c) {
    name(c.name);
    if (!c.type.text.empty()) {
      out += ' ';
      type(c.type);
    }
    for (const ColumnConstraint* cc : c.constraints) {
      out += ' ';
      if (cc->name.present()) {
        out += "CONSTRAINT ";
        name(cc->name);
        if (cc->kind == ColumnConstraint::Kind::kName) continue;
        out += ' ';
      }
      switch (cc->kind) {
        case ColumnConstraint::Kind::kName:
          break;
        case ColumnConstraint::Kind::kPrimaryKey:
          out += "PRIMARY KEY";
          if (cc->order == SortOrder::kAsc) out += " ASC";
          if (cc->order == SortOrder::kDesc) out += " DESC";
          conflict(cc->on_conflict, " ON CONFLICT ");
          if (cc->autoincrement) out += " AUTOINCREMENT";
          break;
        case ColumnConstraint::Kind::kNotNull:
          out += "NOT NULL";
          conflict(cc->on_conflict, " ON CONFLICT ");
          break;
        case ColumnConstraint::Kind::kNull:
          out += "NULL";
          conflict(cc->on_conflict, " ON CONFLICT ");
          break;
        case ColumnConstraint::Kind::kUnique:
          out += "UNIQUE";
          conflict(cc->on_conflict, " ON CONFLICT ");
          break;
        case ColumnConstraint::Kind::kCheck:
          out += "CHECK (";
          expr(*cc->expr);
          out += ')';
          break;
        case ColumnConstraint::Kind::kDefault:
          if (cc->expr->kind == ExprKind::kLiteral &&
              (cc->expr->as<LiteralExpr>()->literal == LiteralKind::kTrue ||
               cc->expr->as<LiteralExpr>()->literal == LiteralKind::kFalse)) {
            out +=
                cc->expr->as<LiteralExpr>()->literal == LiteralKind::kTrue ? "DEFAULT true" : "DEFAULT false";
            break;
          }
          out += "DEFAULT (";
          expr(*cc->expr);
          out += ')';
          break;
        case ColumnConstraint::Kind::kCollate:
          out += "COLLATE ";
          name(cc->collation);
          break;
        case ColumnConstraint::Kind::kReferences:
          fk(*cc->foreign_key, true);
          break;
        case ColumnConstraint::Kind::kDeferral:
          fk(*cc->foreign_key, false);
          break;
        case ColumnConstraint::Kind::kGenerated:
          out += "GENERATED ALWAYS AS (";
          expr(*cc->expr);
          out += ')';
          if (cc->storage_word.present()) {
            out += ' ';
            name(cc->storage_word);
          }
          break;
      }
    }
  }

  void stmt(const Stmt& s) {
    switch (s.kind) {
      case StmtKind::kSelect:
        select(*s.as<SelectStmt>()->select);
        break;
      case StmtKind::kInsert: {
        auto* st = s.as<InsertStmt>();
        with(st->with);
        if (st->replace_keyword) {
          out += "REPLACE";
        } else {
          out += "INSERT";
          conflict(st->or_conflict, " OR ");
        }
        out += " INTO ";
        qualified(st->table);
        if (st->alias.present()) {
          out += " AS ";
          name(st->alias);
        }
        if (!st->columns.empty()) {
          out += " (";
          names(st->columns);
          out += ')';
        }
        if (st->default_values) {
          out += " DEFAULT VALUES";
        } else {
          out += ' ';
          select(*st->select);
          // An upsert after a SELECT with a FROM clause would be read as a join constraint.
          if (!st->upserts.empty() && !st->select->cores.back()->is_values &&
              !st->select->cores.back()->from.empty() && st->select->cores.back()->where == nullptr &&
              st->select->order_by.empty() && st->select->limit == nullptr &&
              st->select->cores.back()->group_by.empty() && st->select->cores.back()->windows.empty()) {
            out += " WHERE TRUE";
          }
          for (const Upsert* u : st->upserts) {
            out += " ON CONFLICT";
            if (!u->target.empty()) {
              out += " (";
              ordering(u->target);
              out += ')';
              if (u->target_where) {
                out += " WHERE ";
                expr(*u->target_where);
              }
            }
            if (u->do_update) {
              out += " DO UPDATE SET ";
              setlist(u->set);
              if (u->where) {
                out += " WHERE ";
                expr(*u->where);
              }
            } else {
              out += " DO NOTHING";
            }
          }
        }
        returning(st->returning);
        break;
      }
      case StmtKind::kUpdate: {
        auto* st = s.as<UpdateStmt>();
        with(st->with);
        out += "UPDATE";
        conflict(st->or_conflict, " OR ");
        out += ' ';
        qualified(st->table);
        if (st->alias.present()) {
          out += " AS ";
          name(st->alias);
        }
        hint(st->hint, st->index);
        out += " SET ";
        setlist(st->set);
        if (!st->from.empty()) {
          out += " FROM ";
          from(st->from);
        }
        if (st->where) {
          out += " WHERE ";
          expr(*st->where);
        }
        returning(st->returning);
        order_limit(st->order_by, st->limit, st->offset);
        break;
      }
      case StmtKind::kDelete: {
        auto* st = s.as<DeleteStmt>();
        with(st->with);
        out += "DELETE FROM ";
        qualified(st->table);
        if (st->alias.present()) {
          out += " AS ";
          name(st->alias);
        }
        hint(st->hint, st->index);
        if (st->where) {
          out += " WHERE ";
          expr(*st->where);
        }
        returning(st->returning);
        order_limit(st->order_by, st->limit, st->offset);
        break;
      }
      case StmtKind::kCreateTable: {
        auto* st = s.as<CreateTableStmt>();
        out += st->temp ? "CREATE TEMP TABLE " : "CREATE TABLE ";
        if (st->if_not_exists) out += "IF NOT EXISTS ";
        qualified(st->name);
        if (st->as_select) {
          out += " AS ";
          select(*st->as_select);
          break;
        }
        out += '(';
        for (uint32_t i = 0; i < st->columns.size; ++i) {
          if (i) out += ", ";
          column_def(*st->columns[i]);
        }
        for (const TableConstraint* tc : st->constraints) {
          out += ", ";
          if (tc->name.present()) {
            out += "CONSTRAINT ";
            name(tc->name);
            if (tc->kind == TableConstraint::Kind::kName) continue;
            out += ' ';
          }
          switch (tc->kind) {
            case TableConstraint::Kind::kName:
              break;
            case TableConstraint::Kind::kPrimaryKey:
              out += "PRIMARY KEY (";
              ordering(tc->columns);
              if (tc->autoincrement) out += " AUTOINCREMENT";
              out += ')';
              conflict(tc->on_conflict, " ON CONFLICT ");
              break;
            case TableConstraint::Kind::kUnique:
              out += "UNIQUE (";
              ordering(tc->columns);
              out += ')';
              conflict(tc->on_conflict, " ON CONFLICT ");
              break;
            case TableConstraint::Kind::kCheck:
              out += "CHECK (";
              expr(*tc->check);
              out += ')';
              conflict(tc->on_conflict, " ON CONFLICT ");
              break;
            case TableConstraint::Kind::kForeignKey:
              out += "FOREIGN KEY (";
              names(tc->fk_columns);
              out += ") ";
              fk(*tc->foreign_key, true);
              break;
          }
        }
        out += ')';
        if (st->without_rowid) out += " WITHOUT ROWID";
        if (st->strict) out += st->without_rowid ? ", STRICT" : " STRICT";
        break;
      }
      case StmtKind::kCreateIndex: {
        auto* st = s.as<CreateIndexStmt>();
        out += st->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ";
        if (st->if_not_exists) out += "IF NOT EXISTS ";
        qualified(st->name);
        out += " ON ";
        name(st->table);
        if (st->method.present()) {
          out += " USING ";
          name(st->method);
        }
        out += " (";
        ordering(st->columns);
        out += ')';
        if (!st->params.empty()) {
          out += " WITH (";
          for (uint32_t i = 0; i < st->params.size; ++i) {
            if (i) out += ", ";
            name(st->params[i].key);
            out += " = ";
            expr(*st->params[i].value);
          }
          out += ')';
        }
        if (st->where) {
          out += " WHERE ";
          expr(*st->where);
        }
        break;
      }
      case StmtKind::kCreateView: {
        auto* st = s.as<CreateViewStmt>();
        out += st->temp ? "CREATE TEMP VIEW " : "CREATE VIEW ";
        if (st->if_not_exists) out += "IF NOT EXISTS ";
        qualified(st->name);
        if (!st->columns.empty()) {
          out += '(';
          names(st->columns);
          out += ')';
        }
        out += " AS ";
        select(*st->select);
        break;
      }
      case StmtKind::kCreateTrigger: {
        auto* st = s.as<CreateTriggerStmt>();
        out += st->temp ? "CREATE TEMP TRIGGER " : "CREATE TRIGGER ";
        if (st->if_not_exists) out += "IF NOT EXISTS ";
        qualified(st->name);
        static const char* kTimes[] = {"", " BEFORE", " AFTER", " INSTEAD OF"};
        out += kTimes[static_cast<int>(st->time)];
        static const char* kEvents[] = {" DELETE", " INSERT", " UPDATE"};
        out += kEvents[static_cast<int>(st->event)];
        if (!st->update_columns.empty()) {
          out += " OF ";
          names(st->update_columns);
        }
        out += " ON ";
        qualified(st->table);
        if (st->for_each_row) out += " FOR EACH ROW";
        if (st->when) {
          out += " WHEN ";
          expr(*st->when);
        }
        out += " BEGIN ";
        for (const Stmt* step : st->steps) {
          stmt(*step);
          out += "; ";
        }
        out += "END";
        break;
      }
      case StmtKind::kCreateVirtualTable: {
        auto* st = s.as<CreateVirtualTableStmt>();
        out += "CREATE VIRTUAL TABLE ";
        if (st->if_not_exists) out += "IF NOT EXISTS ";
        qualified(st->name);
        out += " USING ";
        name(st->module);
        if (st->has_args) {
          out += '(';
          for (uint32_t i = 0; i < st->arg_texts.size; ++i) {
            if (i) out += ", ";
            out += st->arg_texts[i];
          }
          out += ')';
        }
        break;
      }
      case StmtKind::kCreateExtension: {
        auto* st = s.as<CreateExtensionStmt>();
        out += st->temp ? "CREATE TEMP " : "CREATE ";
        out += st->body_text;
        break;
      }
      case StmtKind::kDrop: {
        auto* st = s.as<DropStmt>();
        static const char* kObjects[] = {"DROP TABLE ", "DROP INDEX ", "DROP VIEW ", "DROP TRIGGER "};
        out += kObjects[static_cast<int>(st->object)];
        if (st->if_exists) out += "IF EXISTS ";
        qualified(st->name);
        break;
      }
      case StmtKind::kAlterTable: {
        auto* st = s.as<AlterTableStmt>();
        out += "ALTER TABLE ";
        qualified(st->table);
        switch (st->action) {
          case AlterTableStmt::Action::kRenameTable:
            out += " RENAME TO ";
            name(st->new_name);
            break;
          case AlterTableStmt::Action::kRenameColumn:
            out += " RENAME COLUMN ";
            name(st->column);
            out += " TO ";
            name(st->new_name);
            break;
          case AlterTableStmt::Action::kAddColumn:
            out += " ADD COLUMN ";
            column_def(*st->column_def);
            break;
          case AlterTableStmt::Action::kDropColumn:
            out += " DROP COLUMN ";
            name(st->column);
            break;
        }
        break;
      }
      case StmtKind::kAttach: {
        auto* st = s.as<AttachStmt>();
        out += "ATTACH ";
        expr(*st->filename);
        out += " AS ";
        expr(*st->schema);
        if (st->key) {
          out += " KEY ";
          expr(*st->key);
        }
        break;
      }
      case StmtKind::kDetach:
        out += "DETACH ";
        expr(*s.as<DetachStmt>()->schema);
        break;
      case StmtKind::kBegin: {
        auto* st = s.as<BeginStmt>();
        static const char* kTypes[] = {"BEGIN", "BEGIN DEFERRED", "BEGIN IMMEDIATE", "BEGIN EXCLUSIVE",
                                       "BEGIN CONCURRENT"};
        out += kTypes[static_cast<int>(st->type)];
        if (st->transaction_name.present()) {
          out += " TRANSACTION ";
          name(st->transaction_name);
        }
        break;
      }
      case StmtKind::kCommit:
        out += s.as<CommitStmt>()->end_keyword ? "END" : "COMMIT";
        break;
      case StmtKind::kRollback: {
        auto* st = s.as<RollbackStmt>();
        out += "ROLLBACK";
        if (st->savepoint.present()) {
          out += " TO SAVEPOINT ";
          name(st->savepoint);
        }
        break;
      }
      case StmtKind::kSavepoint:
        out += "SAVEPOINT ";
        name(s.as<SavepointStmt>()->name);
        break;
      case StmtKind::kRelease:
        out += "RELEASE SAVEPOINT ";
        name(s.as<ReleaseStmt>()->name);
        break;
      case StmtKind::kPragma: {
        auto* st = s.as<PragmaStmt>();
        out += "PRAGMA ";
        qualified(st->name);
        if (st->form != PragmaStmt::Form::kNoValue) {
          out += st->form == PragmaStmt::Form::kAssign ? " = " : "(";
          bool plain = !st->value.empty();
          for (char c : st->value) {
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '-' || c == '.')) {
              plain = false;
            }
          }
          if (plain && !(st->value[0] == '-' && st->value.size() == 1)) {
            out += st->value;
          } else {
            quoted(st->value, '\'');
          }
          if (st->form == PragmaStmt::Form::kCall) out += ')';
        }
        break;
      }
      case StmtKind::kVacuum: {
        auto* st = s.as<VacuumStmt>();
        out += "VACUUM";
        if (st->schema.present()) {
          out += ' ';
          name(st->schema);
        }
        if (st->into) {
          out += " INTO ";
          expr(*st->into);
        }
        break;
      }
      case StmtKind::kReindex:
      case StmtKind::kAnalyze: {
        const QualifiedName& q =
            s.kind == StmtKind::kReindex ? s.as<ReindexStmt>()->name : s.as<AnalyzeStmt>()->name;
        out += s.kind == StmtKind::kReindex ? "REINDEX" : "ANALYZE";
        if (q.name.present()) {
          out += ' ';
          qualified(q);
        }
        break;
      }
    }
  }
};

}  // namespace

std::string to_sql(const Stmt& stmt) {
  Writer w;
  w.stmt(stmt);
  return std::move(w.out);
}

std::string to_sql(const Expr& expr) {
  Writer w;
  w.expr(expr);
  return std::move(w.out);
}

std::string to_sql(const Select& select) {
  Writer w;
  w.select(select);
  return std::move(w.out);
}

std::string to_sql(const ParsedStatement& st) {
  if (st.stmt == nullptr) return "";
  std::string prefix;
  if (st.explain == ExplainMode::kExplain) prefix = "EXPLAIN ";
  if (st.explain == ExplainMode::kQueryPlan) prefix = "EXPLAIN QUERY PLAN ";
  return prefix + to_sql(*st.stmt);
}

}  // namespace keel::parse
