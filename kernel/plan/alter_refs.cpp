// Finding the tokens of a schema statement that name a table or one of its
// columns (the work of SQLite's rename walkers, renameTableSelectCb,
// renameColumnExprCb & co., over a statement parsed in rename mode).
//
// Resolution is by scopes, as SQLite's resolver: a SELECT core's FROM terms
// form a scope, looked up innermost first; a qualifier names the term with
// that alias (or, without alias, that table name); an unqualified column is
// the first term of the innermost scope that has a column of that name.
// CTE names shadow tables; a term with an alias is not renamed through its
// qualifier. A trigger's NEW and OLD are qualified-only terms of the
// trigger's table.
#include <algorithm>

#include "plan/alter_internal.h"
#include "vm/collation.h"

namespace keel::plan {

namespace {

bool name_eq(std::string_view a, std::string_view b) { return vm::stricmp(a, b) == 0; }

struct Item {
  std::string qual;  // alias, or table name
  bool target = false;
  bool aliased = false;
  bool qualified_only = false;  // NEW / OLD
  bool unknown = false;         // columns not known (a missing table, a table function)
  std::vector<std::string> cols;
  bool has_col(std::string_view c) const {
    if (qualified_only) return false;
    for (const std::string& s : cols)
      if (name_eq(s, c)) return true;
    return false;
  }
};

struct Sc {
  Sc* outer = nullptr;
  std::vector<Item> items;
};

class Finder {
 public:
  Finder(CodeGen& g, const RefTarget& t, std::string_view sql, int object_db)
      : g_(g), t_(t), sql_(sql), db_(object_db) {
    if (t.column >= 0) col_name_ = t.table->columns[t.column].name;
  }

  void stmt(const parse::Stmt* s) {
    switch (s->kind) {
      case parse::StmtKind::kCreateTable:
        create_table(s->as<parse::CreateTableStmt>());
        break;
      case parse::StmtKind::kCreateIndex:
        create_index(s->as<parse::CreateIndexStmt>());
        break;
      case parse::StmtKind::kCreateView:
        select(s->as<parse::CreateViewStmt>()->select, nullptr);
        break;
      case parse::StmtKind::kCreateTrigger:
        create_trigger(s->as<parse::CreateTriggerStmt>());
        break;
      default:
        break;
    }
  }

  std::vector<parse::Span> out;
  std::vector<parse::Span> dqs;  // double-quoted strings (renameFixQuotes)
  std::string first_shown;       // the first column reference as SQLite names it ("new.a")
  uint32_t first_begin = 0;

 private:
  bool column_mode() const { return t_.column >= 0; }
  void record(const parse::Span& sp, std::string shown = {}) {
    if (!record_ || sp.empty()) return;
    out.push_back(sp);
    if (shown.empty()) shown = col_name_;
    if (first_shown.empty() || sp.begin < first_begin) {
      first_shown = std::move(shown);
      first_begin = sp.begin;
    }
  }

  const parse::CommonTableExpr* find_cte(std::string_view name) const {
    for (auto it = ctes_.rbegin(); it != ctes_.rend(); ++it)
      if (name_eq((*it)->name.value, name)) return *it;
    return nullptr;
  }

  const Table* lookup(const parse::Name& schema, std::string_view name) const {
    Catalog& c = g_.catalog();
    if (schema.present()) {
      int db = c.find_database(schema.value);
      return db < 0 ? nullptr : c.database(db).find_table(name);
    }
    if (const Table* t = c.database(db_).find_table(name)) return t;
    return c.find_table("", name);
  }

  // An item for a catalog table / view.
  Item table_item(const Table* t, const parse::Name& alias, std::string_view written) {
    Item it;
    it.qual = alias.present() ? std::string(alias.value) : std::string(written);
    it.aliased = alias.present();
    if (t == nullptr) {
      it.unknown = true;
      return it;
    }
    it.target = t == t_.table;
    if (t->is_view) {
      if (!t->view_column_names.empty()) {
        it.cols = t->view_column_names;
      } else if (t->view_select && depth_ < 8) {
        depth_++;
        bool saved = record_;
        record_ = false;
        std::vector<const parse::CommonTableExpr*> saved_ctes;
        saved_ctes.swap(ctes_);
        it.cols = select_names(t->view_select, nullptr, t->parsed ? std::string_view(t->parsed->sql) : sql_);
        ctes_.swap(saved_ctes);
        record_ = saved;
        depth_--;
      }
    } else {
      for (const Column& c : t->columns) it.cols.push_back(c.name);
    }
    return it;
  }

  // Names of a select's result columns (the first core's).
  std::vector<std::string> select_names(const parse::Select* sel, Sc* outer, std::string_view text) {
    std::vector<std::string> names;
    if (sel == nullptr || sel->cores.size == 0) return names;
    const parse::SelectCore* core = sel->cores[0];
    if (core->is_values) {
      if (core->rows.size)
        for (uint32_t i = 0; i < core->rows[0].size; i++) names.push_back("column" + std::to_string(i + 1));
      return names;
    }
    bool saved = record_;
    record_ = false;
    Sc s;
    s.outer = outer;
    for (const parse::FromItem* fi : core->from) add_from(fi, outer, s);
    record_ = saved;
    for (const parse::ResultColumn& rc : core->columns) {
      if (rc.kind == parse::ResultColumn::Kind::kExpr) {
        if (rc.alias.present()) {
          names.emplace_back(rc.alias.value);
        } else if (rc.expr->kind == parse::ExprKind::kColumnRef) {
          names.emplace_back(rc.expr->as<parse::ColumnRefExpr>()->column.value);
        } else {
          names.emplace_back(rc.span.text(text));
        }
      } else {
        for (const Item& it : s.items) {
          if (rc.kind == parse::ResultColumn::Kind::kTableStar && !name_eq(it.qual, rc.table.value)) continue;
          names.insert(names.end(), it.cols.begin(), it.cols.end());
        }
      }
    }
    return names;
  }

  void add_from(const parse::FromItem* fi, Sc* outer, Sc& s) {
    switch (fi->kind) {
      case parse::FromItem::Kind::kTable: {
        const parse::CommonTableExpr* cte =
            fi->table.schema.present() ? nullptr : find_cte(fi->table.name.value);
        if (cte) {
          Item it;
          it.qual = fi->alias.present() ? std::string(fi->alias.value) : std::string(fi->table.name.value);
          it.aliased = true;
          if (cte->columns.size) {
            for (const parse::Name& n : cte->columns) it.cols.emplace_back(n.value);
          } else {
            it.cols = select_names(cte->select, nullptr, sql_);
          }
          s.items.push_back(std::move(it));
        } else {
          const Table* t = lookup(fi->table.schema, fi->table.name.value);
          if (t && t == t_.table && !column_mode()) record(fi->table.name.span);
          s.items.push_back(table_item(t, fi->alias, fi->table.name.value));
        }
        break;
      }
      case parse::FromItem::Kind::kTableFunction: {
        for (const parse::Expr* e : fi->func_args) expr(e, &s);
        Item it;
        it.unknown = true;
        it.qual = fi->alias.present() ? std::string(fi->alias.value) : std::string(fi->table.name.value);
        s.items.push_back(std::move(it));
        break;
      }
      case parse::FromItem::Kind::kSubquery: {
        select(fi->subquery, outer);
        Item it;
        it.qual = std::string(fi->alias.value);
        it.aliased = true;
        bool saved = record_;
        it.cols = select_names(fi->subquery, outer, sql_);
        record_ = saved;
        s.items.push_back(std::move(it));
        break;
      }
      case parse::FromItem::Kind::kJoinGroup:
        for (const parse::FromItem* sub : fi->group) add_from(sub, outer, s);
        break;
    }
    if (column_mode() && fi->has_using) {
      for (const parse::Name& n : fi->using_columns) {
        if (!name_eq(n.value, col_name_)) continue;
        for (const Item& it : s.items)
          if (it.target && it.has_col(n.value)) record(n.span);
      }
    }
    if (fi->on) expr(fi->on, &s);
  }

  void push_with(const parse::WithClause* w, Sc* outer) {
    if (w == nullptr) return;
    for (const parse::CommonTableExpr* cte : w->ctes) {
      if (w->recursive) ctes_.push_back(cte);
      select(cte->select, outer);
      if (!w->recursive) ctes_.push_back(cte);
    }
  }

  void select(const parse::Select* sel, Sc* outer) {
    if (sel == nullptr) return;
    size_t n_ctes = ctes_.size();
    push_with(sel->with, outer);
    std::vector<std::unique_ptr<Sc>> scopes;
    for (const parse::SelectCore* core : sel->cores) {
      auto s = std::make_unique<Sc>();
      s->outer = outer;
      if (core->is_values) {
        for (const parse::List<parse::Expr*>& row : core->rows)
          for (const parse::Expr* e : row) expr(e, outer);
        scopes.push_back(std::move(s));
        continue;
      }
      for (const parse::FromItem* fi : core->from) add_from(fi, outer, *s);
      for (const parse::ResultColumn& rc : core->columns) {
        if (rc.kind == parse::ResultColumn::Kind::kExpr) expr(rc.expr, s.get());
        if (rc.kind == parse::ResultColumn::Kind::kTableStar && !column_mode()) {
          for (const Item& it : s->items)
            if (it.target && !it.aliased && name_eq(it.qual, rc.table.value)) record(rc.table.span);
        }
      }
      expr(core->where, s.get());
      for (const parse::Expr* e : core->group_by) expr(e, s.get());
      expr(core->having, s.get());
      for (const parse::NamedWindow* w : core->windows) window(w->spec, s.get());
      scopes.push_back(std::move(s));
    }
    Sc* last = scopes.empty() ? outer : scopes.back().get();
    for (const parse::OrderingTerm& ot : sel->order_by) {
      // A bare name in ORDER BY is a result alias before it is a column.
      if (ot.expr->kind == parse::ExprKind::kColumnRef &&
          !ot.expr->as<parse::ColumnRefExpr>()->table.present() &&
          is_alias(sel, ot.expr->as<parse::ColumnRefExpr>()->column.value))
        continue;
      expr(ot.expr, last);
    }
    expr(sel->limit, outer);
    expr(sel->offset, outer);
    ctes_.resize(n_ctes);
  }

  static bool is_alias(const parse::Select* sel, std::string_view name) {
    for (const parse::SelectCore* core : sel->cores) {
      for (const parse::ResultColumn& rc : core->columns)
        if (rc.alias.present() && name_eq(rc.alias.value, name)) return true;
    }
    return false;
  }

  void window(const parse::WindowSpec* w, Sc* s) {
    if (w == nullptr) return;
    for (const parse::Expr* e : w->partition_by) expr(e, s);
    for (const parse::OrderingTerm& ot : w->order_by) expr(ot.expr, s);
  }

  void column_ref(const parse::ColumnRefExpr* c, Sc* s) {
    if (c->table.present()) {
      for (Sc* p = s; p; p = p->outer) {
        for (const Item& it : p->items) {
          if (!name_eq(it.qual, c->table.value)) continue;
          if (it.target) {
            if (!column_mode() && !it.aliased) record(c->table.span);
            if (column_mode() && name_eq(c->column.value, col_name_))
              record(c->column.span, std::string(c->table.value) + "." + std::string(c->column.value));
          }
          return;
        }
      }
      return;
    }
    for (Sc* p = s; p; p = p->outer) {
      for (const Item& it : p->items) {
        if (!it.has_col(c->column.value)) continue;
        if (it.target && column_mode() && name_eq(c->column.value, col_name_))
          record(c->column.span, std::string(c->column.value));
        return;
      }
    }
    // No column: a double-quoted name is a string (SQLite's DQS rule),
    // which renameFixQuotes rewrites as a single-quoted literal.
    if (c->column.quote != '"' || !record_ || !dqs_ok_) return;
    for (Sc* p = s; p; p = p->outer)
      for (const Item& it : p->items)
        if (it.unknown) return;
    dqs.push_back(c->column.span);
  }

  void expr(const parse::Expr* e, Sc* s) {
    if (e == nullptr) return;
    using K = parse::ExprKind;
    switch (e->kind) {
      case K::kLiteral:
      case K::kVariable:
        return;
      case K::kColumnRef:
        column_ref(e->as<parse::ColumnRefExpr>(), s);
        return;
      case K::kUnary:
        expr(e->as<parse::UnaryExpr>()->operand, s);
        return;
      case K::kBinary:
        expr(e->as<parse::BinaryExpr>()->left, s);
        expr(e->as<parse::BinaryExpr>()->right, s);
        return;
      case K::kLike: {
        auto* l = e->as<parse::LikeExpr>();
        expr(l->left, s);
        expr(l->pattern, s);
        expr(l->escape, s);
        return;
      }
      case K::kNullTest:
        expr(e->as<parse::NullTestExpr>()->operand, s);
        return;
      case K::kBetween: {
        auto* b = e->as<parse::BetweenExpr>();
        expr(b->operand, s);
        expr(b->low, s);
        expr(b->high, s);
        return;
      }
      case K::kIn: {
        auto* in = e->as<parse::InExpr>();
        expr(in->left, s);
        for (const parse::Expr* x : in->list) expr(x, s);
        if (in->select) select(in->select, s);
        // `x IN table` keeps its name (SQLite's rename walkers do not see
        // it); the check after the change reports it.
        for (const parse::Expr* x : in->table_args) expr(x, s);
        return;
      }
      case K::kExists:
        select(e->as<parse::ExistsExpr>()->select, s);
        return;
      case K::kSubquery:
        select(e->as<parse::SubqueryExpr>()->select, s);
        return;
      case K::kCase: {
        auto* c = e->as<parse::CaseExpr>();
        expr(c->operand, s);
        for (const parse::WhenThen& wt : c->whens) {
          expr(wt.when, s);
          expr(wt.then, s);
        }
        expr(c->else_expr, s);
        return;
      }
      case K::kCast:
        expr(e->as<parse::CastExpr>()->operand, s);
        return;
      case K::kCollate:
        expr(e->as<parse::CollateExpr>()->operand, s);
        return;
      case K::kFunction: {
        auto* f = e->as<parse::FunctionExpr>();
        for (const parse::Expr* a : f->args) expr(a, s);
        expr(f->filter, s);
        window(f->over, s);
        return;
      }
      case K::kVector:
        for (const parse::Expr* x : e->as<parse::VectorExpr>()->items) expr(x, s);
        return;
      case K::kRaise:
        return;
    }
  }

  // A scope holding table `t` alone under its own name.
  Sc self_scope(const Table* t, std::string_view written) {
    Sc s;
    s.items.push_back(table_item(t, parse::Name{}, written));
    return s;
  }

  void foreign_key(const parse::ForeignKeyClause* fk) {
    if (fk == nullptr || t_.db != db_ || t_.table == nullptr) return;
    if (!name_eq(fk->table.value, t_.table->name)) return;
    if (!column_mode()) {
      record(fk->table.span);
      return;
    }
    for (const parse::Name& n : fk->columns)
      if (name_eq(n.value, col_name_)) record(n.span);
  }

  void create_table(const parse::CreateTableStmt* st) {
    const Table* self = g_.catalog().database(db_).find_table(st->name.name.value);
    bool is_self = self != nullptr && self == t_.table;
    if (is_self && !column_mode()) record(st->name.name.span);
    Sc s = self_scope(self, st->name.name.value);
    for (const parse::ColumnDef* cd : st->columns) {
      if (is_self && column_mode() && name_eq(cd->name.value, col_name_)) record(cd->name.span);
      for (const parse::ColumnConstraint* cc : cd->constraints) {
        if (cc->kind == parse::ColumnConstraint::Kind::kReferences) foreign_key(cc->foreign_key);
        // CHECK and generated expressions are walked for every table (their
        // double-quoted strings); names are recorded only for the target.
        if (cc->kind == parse::ColumnConstraint::Kind::kCheck) expr(cc->expr, &s);
        if (cc->kind == parse::ColumnConstraint::Kind::kGenerated) expr(cc->expr, &s);
      }
    }
    for (const parse::TableConstraint* tc : st->constraints) {
      if (tc->kind == parse::TableConstraint::Kind::kForeignKey) {
        foreign_key(tc->foreign_key);
        if (is_self && column_mode()) {
          for (const parse::Name& n : tc->fk_columns)
            if (name_eq(n.value, col_name_)) record(n.span);
        }
      }
      if (tc->kind == parse::TableConstraint::Kind::kCheck) expr(tc->check, &s);
      if (is_self && column_mode()) {
        dqs_ok_ = false;
        for (const parse::OrderingTerm& ot : tc->columns) expr(ot.expr, &s);
        dqs_ok_ = true;
      }
    }
  }

  void create_index(const parse::CreateIndexStmt* st) {
    parse::Name none;
    const Table* t = lookup(st->name.schema.present() ? st->name.schema : none, st->table.value);
    if (t == nullptr) return;
    bool target = t == t_.table;
    if (target && !column_mode()) record(st->table.span);
    Sc s = self_scope(t, st->table.value);
    for (const parse::OrderingTerm& ot : st->columns) {
      const parse::Expr* e = ot.expr;
      // A quoted string naming a column is that column (SQLite's quirk).
      if (target && column_mode() && e->kind == parse::ExprKind::kLiteral &&
          e->as<parse::LiteralExpr>()->literal == parse::LiteralKind::kString &&
          name_eq(e->as<parse::LiteralExpr>()->text, col_name_)) {
        record(e->span);
        continue;
      }
      expr(e, &s);
    }
    expr(st->where, &s);
  }

  Item step_target(const parse::QualifiedName& qn, const parse::Name& alias) {
    const Table* t = lookup(qn.schema, qn.name.value);
    if (t && t == t_.table && !column_mode()) record(qn.name.span);
    return table_item(t, alias, qn.name.value);
  }

  void create_trigger(const parse::CreateTriggerStmt* st) {
    const Table* on = lookup(st->table.schema, st->table.name.value);
    bool on_target = on != nullptr && on == t_.table;
    if (on_target && !column_mode()) record(st->table.name.span);
    if (on_target && column_mode() && !t_.resolved_only) {
      for (const parse::Name& n : st->update_columns)
        if (name_eq(n.value, col_name_)) record(n.span);
    }
    Sc trig;
    for (const char* q : {"new", "old"}) {
      Item it = table_item(on, parse::Name{}, q);
      it.aliased = true;
      it.qualified_only = true;
      trig.items.push_back(std::move(it));
    }
    expr(st->when, &trig);
    for (const parse::Stmt* step : st->steps) {
      switch (step->kind) {
        case parse::StmtKind::kInsert: {
          auto* ins = step->as<parse::InsertStmt>();
          size_t n_ctes = ctes_.size();
          push_with(ins->with, &trig);
          Item it = step_target(ins->table, ins->alias);
          if (it.target && column_mode() && !t_.resolved_only) {
            for (const parse::Name& n : ins->columns)
              if (name_eq(n.value, col_name_)) record(n.span);
          }
          select(ins->select, &trig);
          Sc s;
          s.outer = &trig;
          s.items.push_back(it);
          for (const parse::Upsert* u : ins->upserts) {
            for (const parse::OrderingTerm& ot : u->target) expr(ot.expr, &s);
            expr(u->target_where, &s);
            set_clauses(u->set, it, &s);
            expr(u->where, &s);
          }
          ctes_.resize(n_ctes);
          break;
        }
        case parse::StmtKind::kUpdate: {
          auto* up = step->as<parse::UpdateStmt>();
          size_t n_ctes = ctes_.size();
          push_with(up->with, &trig);
          Sc s;
          s.outer = &trig;
          s.items.push_back(step_target(up->table, up->alias));
          for (const parse::FromItem* fi : up->from) add_from(fi, &trig, s);
          set_clauses(up->set, s.items[0], &s);
          expr(up->where, &s);
          ctes_.resize(n_ctes);
          break;
        }
        case parse::StmtKind::kDelete: {
          auto* del = step->as<parse::DeleteStmt>();
          size_t n_ctes = ctes_.size();
          push_with(del->with, &trig);
          Sc s;
          s.outer = &trig;
          s.items.push_back(step_target(del->table, del->alias));
          expr(del->where, &s);
          ctes_.resize(n_ctes);
          break;
        }
        case parse::StmtKind::kSelect:
          select(step->as<parse::SelectStmt>()->select, &trig);
          break;
        default:
          break;
      }
    }
  }

  void set_clauses(const parse::List<parse::SetClause>& set, const Item& target, Sc* s) {
    for (const parse::SetClause& sc : set) {
      if (target.target && column_mode() && !t_.resolved_only) {
        for (const parse::Name& n : sc.columns)
          if (name_eq(n.value, col_name_)) record(n.span);
      }
      expr(sc.value, s);
    }
  }

  CodeGen& g_;
  const RefTarget& t_;
  std::string_view sql_;
  int db_;
  std::string col_name_;
  bool record_ = true;
  bool dqs_ok_ = true;
  int depth_ = 0;
  std::vector<const parse::CommonTableExpr*> ctes_;
};

}  // namespace

std::vector<parse::Span> find_references(CodeGen& g, const RefTarget& target, const parse::Stmt* stmt,
                                         std::string_view sql, int object_db, std::string* first_shown,
                                         std::vector<parse::Span>* dqs) {
  Finder f(g, target, sql, object_db);
  f.stmt(stmt);
  if (first_shown) *first_shown = f.first_shown;
  if (dqs) *dqs = std::move(f.dqs);
  std::vector<parse::Span> spans = std::move(f.out);
  std::sort(spans.begin(), spans.end(),
            [](const parse::Span& a, const parse::Span& b) { return a.begin < b.begin; });
  spans.erase(std::unique(spans.begin(), spans.end(),
                          [](const parse::Span& a, const parse::Span& b) { return a.begin == b.begin; }),
              spans.end());
  return spans;
}

std::string replace_spans(std::string_view sql, const std::vector<parse::Span>& spans,
                          const std::function<std::string(parse::Span)>& replacement) {
  std::string out;
  uint32_t pos = 0;
  for (const parse::Span& sp : spans) {
    if (sp.begin < pos || sp.end > sql.size()) continue;
    out.append(sql.substr(pos, sp.begin - pos));
    out += replacement(sp);
    pos = sp.end;
  }
  out.append(sql.substr(pos));
  return out;
}

std::string single_quoted_string(std::string_view sql, parse::Span sp) {
  // The token is "..." with "" for a quote inside.
  std::string_view tok = sp.text(sql);
  std::string value;
  for (size_t i = 1; i + 1 < tok.size(); i++) {
    value.push_back(tok[i]);
    if (tok[i] == '"' && i + 2 < tok.size() && tok[i + 1] == '"') i++;
  }
  std::string out = "'";
  for (char c : value) {
    out.push_back(c);
    if (c == '\'') out.push_back('\'');
  }
  out.push_back('\'');
  // (SELECT "a"'b') must not become 'a''b'.
  if (sp.end < sql.size() && sql[sp.end] == '\'') out.push_back(' ');
  return out;
}

std::string rewrite_text(std::string_view sql, const std::vector<parse::Span>& refs,
                         const std::vector<parse::Span>& dqs,
                         const std::function<std::string(parse::Span)>& replacement) {
  std::vector<parse::Span> all = refs;
  all.insert(all.end(), dqs.begin(), dqs.end());
  std::sort(all.begin(), all.end(),
            [](const parse::Span& a, const parse::Span& b) { return a.begin < b.begin; });
  return replace_spans(sql, all, [&](parse::Span sp) {
    for (const parse::Span& d : dqs)
      if (d.begin == sp.begin) return single_quoted_string(sql, sp);
    return replacement(sp);
  });
}

std::string double_quote(std::string_view name) {
  std::string q = "\"";
  for (char c : name) {
    q.push_back(c);
    if (c == '"') q.push_back('"');
  }
  q.push_back('"');
  return q;
}

}  // namespace keel::plan
