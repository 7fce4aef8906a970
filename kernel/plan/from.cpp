// FROM clause (SQLite's select.c sqlite3SrcListLookup / selectExpander and
// the join-constraint processing of sqlite3ProcessJoin): tables, views,
// common table expressions and subqueries become FromTerms; USING and
// NATURAL become equality terms plus column coalescing.
#include <algorithm>

#include "parse/ast_walk.h"
#include "plan/plan_internal.h"
#include "plan/pushdown.h"
#include "plan/right_join.h"
#include "plan/vtab.h"
#include "vm/collation.h"

namespace keel::plan {

namespace {

bool name_eq(std::string_view a, std::string_view b) { return vm::stricmp(a, b) == 0; }

// SQLite runs a subquery as a co-routine when it is sure to be the outer
// loop (the first term, alone or before a LEFT or CROSS join) and is no
// MATERIALIZED CTE.
bool is_coroutine(CodeGen& g, const FromClause& from, const FromTerm& t) {
  if (from.terms.empty() || from.terms[0].get() != &t || has_right_join(from)) return false;
  if (from.terms.size() > 1 && !(from.terms[1]->join & (parse::join::kLeft | parse::join::kCross)))
    return false;
  if (t.item && t.item->kind == parse::FromItem::Kind::kTable && !t.item->table.schema.present()) {
    const parse::CommonTableExpr* cte = g.find_cte(t.item->table.name.value);
    if (cte && cte->select == t.subquery && cte->materialized == parse::Materialization::kMaterialized)
      return false;
  }
  return true;
}

// Columns of a recursive CTE: those of its initial (non-recursive) part.
Result<std::vector<ColInfo>> recursive_columns(CodeGen& g, const parse::CommonTableExpr* cte, Scope* outer) {
  parse::Select first{};
  first.cores.items = cte->select->cores.items;
  first.cores.size = 1;
  std::vector<const parse::CommonTableExpr*> saved = g.ctes;
  while (!g.ctes.empty() && g.ctes.back() != cte) g.ctes.pop_back();
  if (!g.ctes.empty()) g.ctes.pop_back();
  auto r = select_columns(g, &first, outer);
  g.ctes = std::move(saved);
  KEEL_ASSIGN_OR_RETURN(std::vector<ColInfo> cols, std::move(r));
  if (cte->columns.size) {
    if (cte->columns.size != cols.size()) {
      return Status(rc::kError, "table " + std::string(cte->name.value) + " has " +
                                    std::to_string(cols.size()) + " values for " +
                                    std::to_string(cte->columns.size) + " columns");
    }
    for (size_t i = 0; i < cols.size(); i++) cols[i].name = std::string(cte->columns[i].value);
  }
  return cols;
}

// The database a view's body binds its FROM names to (-1: none, a TEMP
// view or not a view).
int view_body_db(CodeGen& g, const FromTerm& t) {
  if (t.subquery_sql.empty()) return g.view_db;
  int db = g.catalog().find_database(t.db_name);
  return db == 1 ? -1 : db;
}

Status add_subquery_columns(CodeGen& g, FromTerm& t, Scope* outer, std::string_view what) {
  bool is_view = !t.subquery_sql.empty();
  if (is_view) {
    for (const void* v : g.expanding_views) {
      if (v == t.subquery) return Status(rc::kError, "view " + t.view_name + " is circularly defined");
    }
    g.expanding_views.push_back(t.subquery);
  }
  std::string_view saved = t.subquery_sql.empty() ? g.sql() : g.swap_sql(t.subquery_sql);
  int saved_view_db = g.view_db;
  g.view_db = view_body_db(g, t);
  // Only the names: the authorizer hears of the body when it is flattened
  // or compiled (SQLite's sqlite3ViewGetColumnNames runs without it).
  bool saved_auth = g.auth_suspended;
  g.auth_suspended = true;
  auto r = select_columns(g, t.subquery, outer);
  g.auth_suspended = saved_auth;
  g.view_db = saved_view_db;
  if (is_view) g.expanding_views.pop_back();
  if (!t.subquery_sql.empty()) g.swap_sql(saved);
  KEEL_ASSIGN_OR_RETURN(std::vector<ColInfo> cols, std::move(r));
  if (!t.view_columns.empty()) {
    if (t.view_columns.size() != cols.size()) {
      if (what == "view") {
        return Status(rc::kError, "expected " + std::to_string(t.view_columns.size()) + " columns for '" +
                                      t.name + "' but got " + std::to_string(cols.size()));
      }
      return Status(rc::kError, std::string(what) + " " + t.name + " has " + std::to_string(cols.size()) +
                                    " values for " + std::to_string(t.view_columns.size()) + " columns");
    }
    for (size_t i = 0; i < cols.size(); i++) cols[i].name = t.view_columns[i];
  }
  // Duplicate names get ":1", ":2" suffixes, as sqlite3ColumnsFromExprList.
  for (size_t i = 0; i < cols.size(); i++) {
    int n = 0;
    std::string base = cols[i].name;
    for (;;) {
      bool dup = false;
      for (size_t j = 0; j < i; j++) {
        if (name_eq(cols[j].name, cols[i].name)) dup = true;
      }
      if (!dup) break;
      cols[i].name = base + ":" + std::to_string(++n);
    }
  }
  t.cols = std::move(cols);
  t.coalesced.assign(t.cols.size(), false);
  return Status::Ok();
}

// Column `col` of `t` by name (-1: none); NATURAL joins skip hidden ones.
int column_index(const FromTerm& t, std::string_view col, bool skip_hidden) {
  for (size_t i = 0; i < t.cols.size(); i++) {
    if (skip_hidden && t.cols[i].hidden) continue;
    if (name_eq(t.cols[i].name, col)) return static_cast<int>(i);
  }
  return -1;
}

bool names_using(const FromTerm& t, std::string_view col) {
  for (const std::string& u : t.using_cols) {
    if (name_eq(u, col)) return true;
  }
  return false;
}

// Whether the FROM clause has a RIGHT or FULL JOIN anywhere.
bool has_right_join(const parse::List<parse::FromItem*>& from) {
  for (const parse::FromItem* item : from) {
    if (item->join & parse::join::kRight) return true;
    if (item->kind == parse::FromItem::Kind::kJoinGroup && has_right_join(item->group)) return true;
  }
  return false;
}

Status add_item(CodeGen& g, const parse::FromItem* item, Scope* outer, FromClause& out, uint8_t join_override,
                bool use_override, bool has_right) {
  if (item->kind == parse::FromItem::Kind::kJoinGroup) {
    for (uint32_t i = 0; i < item->group.size; i++) {
      KEEL_RETURN_IF_ERROR(add_item(g, item->group[i], outer, out, item->join, i == 0, has_right));
    }
    return Status::Ok();
  }
  auto t = std::make_unique<FromTerm>();
  t->item = item;
  t->join = use_override ? join_override : item->join;
  t->on = item->on;
  t->hint = item->hint;
  t->indexed_by = std::string(item->index.value);
  std::shared_ptr<const VtabInstance> eponymous;
  if (item->kind == parse::FromItem::Kind::kTable && !item->table.schema.present() && g.input().vtabs &&
      !g.find_cte(item->table.name.value) && !g.catalog().find_table("", item->table.name.value)) {
    // FROM json_each: an eponymous virtual table used without arguments.
    KEEL_ASSIGN_OR_RETURN(eponymous, g.input().vtabs->eponymous_vtab(item->table.name.value));
  }
  if (item->kind == parse::FromItem::Kind::kTableFunction) {
    KEEL_RETURN_IF_ERROR(add_table_function(g, item, *t));
  } else if (eponymous) {
    t->name = std::string(item->alias.present() ? item->alias.value : item->table.name.value);
    set_vtab_term(*t, std::move(eponymous), "main", item->table.name.value);
  } else if (item->kind == parse::FromItem::Kind::kSubquery) {
    t->subquery = item->subquery;
    t->subquery_outer = outer;
    t->name = item->alias.present() ? std::string(item->alias.value)
                                    : "(subquery-" + std::to_string(out.terms.size() + 1) + ")";
    KEEL_RETURN_IF_ERROR(add_subquery_columns(g, *t, outer, "subquery"));
  } else {
    std::string_view name = item->table.name.value;
    const parse::CommonTableExpr* cte = item->table.schema.present() ? nullptr : g.find_cte(name);
    t->name = std::string(item->alias.present() ? item->alias.value : name);
    bool recursive =
        cte && std::find(g.recursive_ctes.begin(), g.recursive_ctes.end(), cte) != g.recursive_ctes.end();
    auto rc_it = recursive ? g.recursive_cursor.find(cte) : g.recursive_cursor.end();
    if (recursive && rc_it != g.recursive_cursor.end()) {
      // Inside the recursive part: the row being expanded.
      auto names = g.recursive_names.find(cte);
      KEEL_ASSIGN_OR_RETURN(std::vector<ColInfo> cols, recursive_columns(g, cte, outer));
      t->cols = std::move(cols);
      t->coalesced.assign(t->cols.size(), false);
      t->dup_of = rc_it->second;
      (void)names;
    } else if (recursive) {
      t->subquery = cte->select;
      t->subquery_outer = outer;
      t->recursive_cte = cte;
      KEEL_ASSIGN_OR_RETURN(std::vector<ColInfo> cols, recursive_columns(g, cte, outer));
      t->cols = std::move(cols);
      t->coalesced.assign(t->cols.size(), false);
    } else if (cte) {
      // A CTE that is not recursive and reads its own name.
      if (select_reads_name(*cte->select, cte->name.value)) {
        return Status(rc::kError, "circular reference: " + std::string(cte->name.value));
      }
      t->subquery = cte->select;
      t->subquery_outer = outer;
      for (const parse::Name& c : cte->columns) t->view_columns.emplace_back(c.value);
      // The CTE is not visible inside its own body (no recursion).
      std::vector<const parse::CommonTableExpr*> saved = g.ctes;
      while (!g.ctes.empty() && g.ctes.back() != cte) g.ctes.pop_back();
      if (!g.ctes.empty()) g.ctes.pop_back();
      Status s = add_subquery_columns(g, *t, outer, "table");
      g.ctes = std::move(saved);
      KEEL_RETURN_IF_ERROR(s);
    } else {
      Table* tab = nullptr;
      if (g.view_db >= 0 && !item->table.schema.present()) {
        // Inside a view's body: its own database only.
        tab = g.catalog().database(g.view_db).find_table(name);
        if (tab == nullptr)
          return Status(rc::kError,
                        "no such table: " + g.catalog().database_name(g.view_db) + "." + std::string(name));
      } else {
        KEEL_ASSIGN_OR_RETURN(tab, find_table_or_error(g, item->table, true));
      }
      t->db_name = g.catalog().database_name(tab->db);
      if (tab->is_virtual) {
        if (g.input().vtabs == nullptr) return Status(rc::kError, "virtual tables are not supported");
        KEEL_ASSIGN_OR_RETURN(std::shared_ptr<const VtabInstance> inst, g.input().vtabs->connect_vtab(*tab));
        g.use_database(tab->db, false);
        set_vtab_term(*t, std::move(inst), t->db_name, tab->name);
      } else if (tab->is_view) {
        t->subquery = tab->view_select;
        t->subquery_outer = nullptr;
        t->view_columns = tab->view_column_names;
        t->subquery_sql = tab->parsed->sql;
        t->view_name = tab->name;
        KEEL_RETURN_IF_ERROR(add_subquery_columns(g, *t, nullptr, "view"));
        for (ColInfo& c : t->cols) {
          c.origin_table.clear();
        }
      } else {
        t->table = tab;
        g.use_database(tab->db, false);
        for (const Column& c : tab->columns) {
          ColInfo ci;
          ci.name = c.name;
          ci.affinity = c.affinity;
          ci.collation = c.collation;
          ci.decl_type = c.type;
          ci.hidden = c.hidden;
          ci.origin_db = t->db_name;
          ci.origin_table = tab->name;
          ci.origin_column = c.name;
          t->cols.push_back(std::move(ci));
        }
        t->coalesced.assign(t->cols.size(), false);
        if (item->hint == parse::IndexHint::kIndexedBy) {
          bool found = false;
          for (const Index* idx : tab->indexes) {
            if (name_eq(idx->name, item->index.value)) found = true;
          }
          for (const Index* idx : tab->method_indexes) {
            if (name_eq(idx->name, item->index.value)) found = true;
          }
          if (!found) return Status(rc::kError, "no such index: " + std::string(item->index.value));
        }
      }
    }
  }
  t->cursor = g.new_cursor();
  // USING / NATURAL: equality with the first earlier term having the column.
  std::vector<std::string> using_cols;
  if (item->has_using) {
    for (const parse::Name& n : item->using_columns) using_cols.emplace_back(n.value);
  } else if (t->join & parse::join::kNatural) {
    for (const ColInfo& c : t->cols) {
      if (c.hidden) continue;
      for (auto& prev : out.terms) {
        bool has = false;
        for (size_t i = 0; i < prev->cols.size(); i++) {
          if (!prev->cols[i].hidden && name_eq(prev->cols[i].name, c.name)) has = true;
        }
        if (has) {
          using_cols.push_back(c.name);
          break;
        }
      }
    }
  }
  for (const std::string& col : using_cols) {
    int right = -1;
    for (size_t i = 0; i < t->cols.size(); i++) {
      if (name_eq(t->cols[i].name, col)) {
        right = static_cast<int>(i);
        break;
      }
    }
    FromTerm* left = nullptr;
    for (auto& prev : out.terms) {
      for (size_t i = 0; i < prev->cols.size() && !left; i++) {
        if (name_eq(prev->cols[i].name, col) && !(i < prev->coalesced.size() && prev->coalesced[i])) {
          left = prev.get();
        }
      }
      if (left) break;
    }
    if (right < 0 || left == nullptr) {
      return Status(rc::kError, "cannot join using column " + col + " - column not present in both tables");
    }
    t->coalesced[right] = true;
    t->using_cols.push_back(col);
    parse::Expr* lhs = g.make_column_ref(left->name, col);
    if (has_right) {
      // With a RIGHT or FULL JOIN in the FROM, the left side is every
      // earlier term with the column, coalesced (sqlite3ProcessJoin); each
      // after the first must have joined on it with USING itself.
      std::vector<parse::Expr*> args{lhs};
      bool natural = !item->has_using;
      bool past = false;
      for (auto& prev : out.terms) {
        if (prev.get() == left) {
          past = true;
          continue;
        }
        if (!past || column_index(*prev, col, natural) < 0) continue;
        if (!names_using(*prev, col))
          return Status(rc::kError, "ambiguous reference to " + col + " in USING()");
        args.push_back(g.make_column_ref(prev->name, col));
      }
      if (args.size() > 1) lhs = make_coalesce(g, args);
    }
    parse::Expr* eq = g.make_binary(parse::BinaryOp::kEq, lhs, g.make_column_ref(t->name, col));
    t->on = t->on ? g.make_binary(parse::BinaryOp::kAnd, const_cast<parse::Expr*>(t->on), eq) : eq;
  }
  out.terms.push_back(std::move(t));
  return Status::Ok();
}

}  // namespace

Result<Table*> find_table_or_error(CodeGen& g, const parse::QualifiedName& name, bool allow_view) {
  std::string_view schema = name.schema.present() ? name.schema.value : std::string_view();
  if (schema.empty() && g.default_db >= 0 && g.catalog().has_database(g.default_db)) {
    // Inside a view or trigger of a database other than temp: only that
    // database (SQLite's DbFixer), and errors name it.
    schema = g.catalog().database_name(g.default_db);
  }
  Table* t = g.catalog().find_table(schema, name.name.value);
  if (t == nullptr && !allow_view && g.input().vtabs && (schema.empty() || name_eq(schema, "main"))) {
    // INSERT/UPDATE/DELETE naming an eponymous virtual table (json_each).
    auto epo = g.input().vtabs->eponymous_vtab(name.name.value);
    if (epo.ok() && epo.value())
      return Status(rc::kError, "table " + std::string(name.name.value) + " may not be modified");
  }
  if (t == nullptr) {
    std::string full = schema.empty() ? std::string(name.name.value)
                                      : std::string(schema) + "." + std::string(name.name.value);
    return Status(rc::kError, "no such table: " + full);
  }
  if (t->is_view && !allow_view)
    return Status(rc::kError, "cannot modify " + t->name + " because it is a view");
  return t;
}

Status build_from(CodeGen& g, const parse::List<parse::FromItem*>& from, Scope* outer, FromClause& out) {
  bool has_right = has_right_join(from);
  for (const parse::FromItem* item : from)
    KEEL_RETURN_IF_ERROR(add_item(g, item, outer, out, 0, false, has_right));
  if (!has_right) return Status::Ok();
  // RIGHT/FULL JOIN (right_join.h runs the loops). In `*`, a column of a
  // term left of the last RIGHT JOIN that a later USING names shows what
  // the unqualified name means: the right operand's column after a RIGHT
  // JOIN, coalesce() of both after a FULL JOIN (selectExpander).
  size_t last_right = 0;
  for (size_t i = 1; i < out.terms.size(); i++) {
    if (out.terms[i]->join & parse::join::kRight) last_right = i;
  }
  for (size_t i = 0; i < last_right; i++) {
    FromTerm* t = out.terms[i].get();
    for (size_t c = 0; c < t->cols.size(); c++) {
      if (t->cols[c].hidden) continue;
      bool later = false;
      for (size_t j = i + 1; j < out.terms.size() && !later; j++)
        later = names_using(*out.terms[j], t->cols[c].name);
      if (!later) continue;
      t->star_expr.resize(t->cols.size(), nullptr);
      t->star_expr[c] = make_unqualified_ref(g, t->cols[c].name);
    }
  }
  return Status::Ok();
}

Status materialize_from(CodeGen& g, FromClause& from, Scope* scope, bool allow_coroutine,
                        const parse::Expr* where) {
  // A FROM subquery that reads the enclosing query's columns makes the
  // select it is part of correlated as well (its scope is not on the
  // subquery's resolution chain, so resolving does not mark it).
  auto propagate = [&](int correlated) {
    if (correlated && scope && scope->correlated_flag) *scope->correlated_flag = 1;
  };
  (void)scope;
  for (auto& t : from.terms) {
    if (t->dup_of >= 0) {
      t->ephemeral = true;
      g.emit(Op::OpenDup, t->cursor, t->dup_of);
      continue;
    }
    if (t->recursive_cte && allow_coroutine && from.terms.size() == 1) {
      t->ephemeral = true;
      int n = static_cast<int>(t->cols.size());
      t->coroutine_yield = g.new_reg();
      t->reg_base = g.new_reg(std::max(n, 1));
      t->rowid_reg = g.new_reg();
      g.emit(Op::Null, 0, t->rowid_reg);
      int body = g.new_label(), after = g.new_label();
      g.emit(Op::InitCoroutine, t->coroutine_yield, after, body);
      g.bind(body);
      int correlated = 0;
      KEEL_RETURN_IF_ERROR(code_recursive_cte(g, t->recursive_cte, t->subquery_outer, t->cursor, n,
                                              &correlated, t->coroutine_yield, t->reg_base));
      propagate(correlated);
      g.emit(Op::EndCoroutine, t->coroutine_yield);
      g.bind(after);
      continue;
    }
    if (t->recursive_cte) {
      t->ephemeral = true;
      int once = g.emit(Op::Once, 0, 0);
      int correlated = 0;
      KEEL_RETURN_IF_ERROR(code_recursive_cte(g, t->recursive_cte, t->subquery_outer, t->cursor,
                                              static_cast<int>(t->cols.size()), &correlated));
      propagate(correlated);
      if (correlated) {
        g.at(once).op = Op::Noop;
      } else {
        g.at(once).p2 = g.addr();
      }
      continue;
    }
    if (!t->subquery) continue;
    t->ephemeral = true;
    PushDown pushdown;
    pushdown.term = t.get();
    // Not beside a RIGHT or FULL JOIN: the outer WHERE applies after the
    // unmatched-row pass (SQLite's JT_LTORJ rule, taken for the whole clause).
    if (!has_right_join(from)) KEEL_RETURN_IF_ERROR(pushdown_terms(g, scope, *t, where, pushdown.terms));
    int correlated = 0;
    SelectDest dest;
    dest.correlated = &correlated;
    dest.pushdown = &pushdown;
    int once = -1, after = 0;
    bool coroutine = allow_coroutine && is_coroutine(g, from, *t);
    if (coroutine) {
      // The outermost loop: rows are produced one at a time as it asks.
      int n = static_cast<int>(t->cols.size());
      t->coroutine_yield = g.new_reg();
      t->reg_base = g.new_reg(std::max(n, 1));
      t->rowid_reg = g.new_reg();
      g.emit(Op::Null, 0, t->rowid_reg);
      int body = g.new_label();
      after = g.new_label();
      g.emit(Op::InitCoroutine, t->coroutine_yield, after, body);
      g.bind(body);
      dest.kind = SelectDest::Kind::kCoroutine;
      dest.reg = t->reg_base;
      dest.yield_reg = t->coroutine_yield;
      dest.n_cols = n;
    } else {
      once = g.emit(Op::Once, 0, 0);
      g.emit(Op::OpenEphemeral, t->cursor, static_cast<int>(t->cols.size()));
      dest.kind = SelectDest::Kind::kTable;
      dest.cursor = t->cursor;
      dest.n_cols = static_cast<int>(t->cols.size());
    }
    int parent = g.plan_parent;
    int id = g.plan_row(parent, (coroutine ? "CO-ROUTINE " : "MATERIALIZE ") + t->name);
    g.plan_parent = id;
    std::vector<const parse::CommonTableExpr*> saved = g.ctes;
    std::string_view saved_sql = t->subquery_sql.empty() ? g.sql() : g.swap_sql(t->subquery_sql);
    int saved_view_db = g.view_db;
    g.view_db = view_body_db(g, *t);
    // The authorizer's 5th argument is the view or CTE the body belongs to.
    std::string saved_auth = g.auth_trigger;
    if (t->item && t->item->kind == parse::FromItem::Kind::kTable)
      g.auth_trigger = std::string(t->item->table.name.value);
    Status s = code_select(g, t->subquery, t->subquery_outer, dest);
    g.auth_trigger = std::move(saved_auth);
    g.view_db = saved_view_db;
    g.swap_sql(saved_sql);
    g.ctes = std::move(saved);
    g.plan_parent = parent;
    KEEL_RETURN_IF_ERROR(s);
    propagate(correlated);
    if (coroutine) {
      g.emit(Op::EndCoroutine, t->coroutine_yield);
      g.bind(after);
    } else if (correlated) {
      g.at(once).op = Op::Noop;
    } else {
      g.at(once).p2 = g.addr();
    }
  }
  return Status::Ok();
}

}  // namespace keel::plan
