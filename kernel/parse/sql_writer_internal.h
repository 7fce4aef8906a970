// Internals of to_sql(): the Writer that prints a tree (see sql_writer.cpp).
#pragma once

#include <string>
#include <string_view>

#include "parse/ast.h"

namespace keel::parse::internal {

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
  void type(const TypeName& t);
  void expr(const Expr& e);
  void ordering(List<OrderingTerm> l);
  void bound(const FrameBound& b);
  void window(const WindowSpec& w);
  void result_columns(List<ResultColumn> l);
  void join_prefix(const FromItem& f);
  void from(List<FromItem*> l);
  void with(const WithClause* w);
  void select(const Select& s);
  void order_limit(List<OrderingTerm> order, const Expr* limit, const Expr* offset);
  void conflict(ConflictAction a, const char* prefix);
  void setlist(List<SetClause> l);
  void returning(List<ResultColumn> l);
  void hint(IndexHint h, const Name& index);
  void fk(const ForeignKeyClause& f, bool with_table);
  void column_def(const ColumnDef& c);
  void stmt(const Stmt& s);
};

}  // namespace keel::parse::internal
