// to_sql(): prints a tree back as SQL that parses to the same tree.
//
// Every compound expression is parenthesized, so the output also shows how
// the parser grouped operators (tests rely on that); names are written with
// the quotes they were written with, so DQS and TRUE/FALSE resolution is
// unchanged by a round trip.
#include <string>

#include "parse/parser.h"
#include "parse/sql_writer_internal.h"

namespace keel::parse {
namespace internal {

void Writer::type(const TypeName& t) {
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

void Writer::expr(const Expr& e) {
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

void Writer::ordering(List<OrderingTerm> l) {
  for (uint32_t i = 0; i < l.size; ++i) {
    if (i) out += ", ";
    expr(*l[i].expr);
    if (l[i].order == SortOrder::kAsc) out += " ASC";
    if (l[i].order == SortOrder::kDesc) out += " DESC";
    if (l[i].nulls == NullsOrder::kFirst) out += " NULLS FIRST";
    if (l[i].nulls == NullsOrder::kLast) out += " NULLS LAST";
  }
}

void Writer::bound(const FrameBound& b) {
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

void Writer::window(const WindowSpec& w) {
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

void Writer::result_columns(List<ResultColumn> l) {
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

void Writer::join_prefix(const FromItem& f) {
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

void Writer::from(List<FromItem*> l) {
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

void Writer::with(const WithClause* w) {
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

void Writer::select(const Select& s) {
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

void Writer::order_limit(List<OrderingTerm> order, const Expr* limit, const Expr* offset) {
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

}  // namespace internal

using internal::Writer;

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
