// DDL (SQLite's build.c): CREATE TABLE / INDEX / VIEW and DROP. Each writes
// sqlite_schema rows with the SQL text SQLite stores, bumps the schema
// cookie, and tells the engine to reload (OP_ParseSchema) or forget
// (OP_DropTable / DropIndex / DropTrigger) the objects.
#include <algorithm>

#include "parse/ast_walk.h"
#include "plan/dml_internal.h"
#include "plan/foreign_key.h"
#include "plan/generated_columns.h"
#include "plan/index_method.h"
#include "plan/restricted_expr.h"
#include "plan/select_internal.h"
#include "plan/vtab.h"
#include "storage/btree/btree.h"
#include "vm/collation.h"

namespace keel::plan {

namespace {

bool name_eq(std::string_view a, std::string_view b) { return vm::stricmp(a, b) == 0; }

std::string quote_sql_string(std::string_view s) {
  std::string out;
  for (char c : s) {
    out.push_back(c);
    if (c == '\'') out.push_back('\'');
  }
  return out;
}

Result<int> target_db(CodeGen& g, const parse::QualifiedName& name, bool temp) {
  if (name.schema.present()) {
    int db = g.catalog().find_database(name.schema.value);
    if (db < 0) return Status(rc::kError, "unknown database " + std::string(name.schema.value));
    if (temp && db != 1) return Status(rc::kError, "temporary table name must be unqualified");
    return db;
  }
  return temp ? 1 : 0;
}

// Opens sqlite_schema of `db` for writing on a new cursor.
int open_schema(CodeGen& g, int db) {
  int c = g.new_cursor();
  g.use_database(db, true);
  int a = g.emit(Op::OpenWrite, c, 1, db);
  g.set_p4_int(a, 5);
  return c;
}

// The database whose sqlite_schema `cursor` was opened on by open_schema()
// (the OpenWrite of that cursor names it), for change reporting.
int schema_cursor_db(CodeGen& g, int cursor) {
  for (int a = g.addr() - 1; a >= 0; a--) {
    const vm::Instr& in = g.at(a);
    if (in.op == Op::OpenWrite && in.p1 == cursor && in.p2 == 1) return in.p3;
  }
  return 0;
}

const char* schema_table_name(int db) { return db == 1 ? "sqlite_temp_master" : "sqlite_schema"; }

// Appends a sqlite_schema row; `root_reg` 0 stores 0.
void schema_row(CodeGen& g, int cursor, std::string_view type, std::string_view name, std::string_view tbl,
                int root_reg, const std::string* sql) {
  int regs = g.new_reg(5), rec = g.new_reg(), rowid = g.new_reg();
  g.emit_string(regs, type);
  g.emit_string(regs + 1, name);
  g.emit_string(regs + 2, tbl);
  if (root_reg) {
    g.emit(Op::SCopy, root_reg, regs + 3);
  } else {
    g.emit(Op::Integer, 0, regs + 3);
  }
  if (sql) {
    g.emit_string(regs + 4, *sql);
  } else {
    g.emit(Op::Null, 0, regs + 4);
  }
  g.emit(Op::MakeRecord, regs, 5, rec);
  g.emit(Op::NewRowid, cursor, rowid);
  int db = schema_cursor_db(g, cursor);
  mark_row_change(g, g.emit(Op::Insert, cursor, rec, rowid), db, schema_table_name(db));
}

void bump_cookie(CodeGen& g, int db) {
  int64_t cookie = g.catalog().database(db).schema_cookie;
  g.emit(Op::SetCookie, db, static_cast<int>(storage::Meta::kSchemaCookie), static_cast<int>(cookie + 1));
}

void parse_schema(CodeGen& g, int db, const std::string& where) {
  g.emit_str(Op::ParseSchema, db, 0, 0, where);
}

Status name_free(CodeGen& g, int db, std::string_view name, bool is_index) {
  DatabaseSchema& s = g.catalog().database(db);
  if (Table* t = s.find_table(name)) {
    if (is_index) return Status(rc::kError, "there is already a table named " + std::string(name));
    return Status(rc::kError,
                  std::string(t->is_view ? "view " : "table ") + std::string(name) + " already exists");
  }
  if (s.find_index(name)) {
    if (is_index) return Status(rc::kError, "index " + std::string(name) + " already exists");
    return Status(rc::kError, "there is already an index named " + std::string(name));
  }
  return Status::Ok();
}

bool reserved(std::string_view name) { return vm::strnicmp(std::string(name).c_str(), "sqlite_", 7) == 0; }

// Deletes sqlite_schema rows whose column `col` equals `value`.
void delete_schema_rows(CodeGen& g, int cursor, int col, std::string_view value, bool skip_triggers = false) {
  int v = g.new_reg(), tmp = g.new_reg(), type = g.new_reg(), trig = g.new_reg();
  g.emit_string(v, value);
  g.emit_string(trig, "trigger");
  int end = g.new_label();
  g.emit(Op::Rewind, cursor, end);
  int top = g.addr();
  int next = g.new_label();
  g.emit(Op::Column, cursor, col, tmp);
  code_compare_jump(g, parse::BinaryOp::kNe, tmp, v, vm::Affinity::kNone, vm::nocase_collation(), next, true);
  if (skip_triggers) {
    g.emit(Op::Column, cursor, 0, type);
    code_compare_jump(g, parse::BinaryOp::kEq, type, trig, vm::Affinity::kNone, nullptr, next, true);
  }
  int db = schema_cursor_db(g, cursor);
  mark_row_change(g, g.emit(Op::Delete, cursor, 0), db, schema_table_name(db));
  g.bind(next);
  g.emit(Op::Next, cursor, top);
  g.bind(end);
}

}  // namespace

Status code_create_table(CodeGen& g, const parse::CreateTableStmt* st) {
  KEEL_ASSIGN_OR_RETURN(int db, target_db(g, st->name, st->temp));
  std::string name(st->name.name.value);
  if (reserved(name) && !g.input().options.internal_names)
    return Status(rc::kError, "object name reserved for internal use: " + name);
  Status free = name_free(g, db, name, false);
  if (!free.ok()) {
    if (st->if_not_exists) {
      g.use_database(db, false);
      return Status::Ok();
    }
    return free;
  }
  KEEL_RETURN_IF_ERROR(fk_validate_create_table(st));
  // DEFAULTs are checked as SQLite parses each column, CHECKs when the table
  // is complete.
  for (const parse::ColumnDef* cd : st->columns) {
    for (const parse::ColumnConstraint* cc : cd->constraints) {
      if (cc->kind == parse::ColumnConstraint::Kind::kDefault) {
        KEEL_RETURN_IF_ERROR(check_default_constant(cc->expr, cd->name.value));
      }
    }
  }
  for (const parse::ColumnDef* cd : st->columns) {
    for (const parse::ColumnConstraint* cc : cd->constraints) {
      if (cc->kind == parse::ColumnConstraint::Kind::kCheck) {
        KEEL_RETURN_IF_ERROR(check_restricted_expr(g, cc->expr, RestrictedContext::kCheck));
      }
    }
  }
  for (const parse::TableConstraint* tc : st->constraints) {
    if (tc->kind == parse::TableConstraint::Kind::kCheck) {
      KEEL_RETURN_IF_ERROR(check_restricted_expr(g, tc->check, RestrictedContext::kCheck));
    }
  }
  std::string sql;
  std::vector<ColInfo> as_cols;
  if (st->as_select) {
    KEEL_ASSIGN_OR_RETURN(as_cols, select_columns(g, st->as_select, nullptr));
    // SQLite's createTableStmt(): names quoted when needed, type from affinity.
    static const char* kType[] = {"", " TEXT", " NUM", " INT", " REAL"};
    std::string cols;
    size_t n = 0;
    for (const ColInfo& c : as_cols) n += quote_identifier_if_needed(c.name).size() + 5;
    n += quote_identifier_if_needed(name).size();
    const char* sep = n < 50 ? "" : "\n  ";
    const char* sep2 = n < 50 ? "," : ",\n  ";
    const char* end = n < 50 ? ")" : "\n)";
    sql = "CREATE TABLE " + quote_identifier_if_needed(name) + "(";
    for (size_t i = 0; i < as_cols.size(); i++) {
      sql += i ? sep2 : sep;
      sql += quote_identifier_if_needed(as_cols[i].name);
      vm::Affinity a = as_cols[i].affinity;
      int k = a == vm::Affinity::kText      ? 1
              : a == vm::Affinity::kNumeric ? 2
              : a == vm::Affinity::kInteger ? 3
              : a == vm::Affinity::kReal    ? 4
                                            : 0;
      sql += kType[k];
    }
    sql += end;
  } else {
    uint32_t begin = st->name.name.span.begin;
    sql = "CREATE TABLE " + std::string(g.sql().substr(begin, st->schema_text_end - begin));
    // Checks SQLite makes while parsing the definition.
    if (st->strict) {
      for (const parse::ColumnDef* cd : st->columns) {
        vm::StrictType type;
        std::string col = name + "." + std::string(cd->name.value);
        if (cd->type.text.empty()) return Status(rc::kError, "missing datatype for " + col);
        if (!vm::strict_type_from_name(cd->type.text, &type)) {
          return Status(rc::kError,
                        "unknown datatype for " + col + ": \"" + std::string(cd->type.text) + "\"");
        }
      }
    }
    for (uint32_t i = 0; i < st->columns.size; i++) {
      for (uint32_t j = 0; j < i; j++) {
        if (name_eq(st->columns[i]->name.value, st->columns[j]->name.value)) {
          return Status(rc::kError, "duplicate column name: " + std::string(st->columns[i]->name.value));
        }
      }
    }
  }
  // Build the table as the engine will load it, to learn its automatic indexes.
  DatabaseSchema scratch(db);
  Status s = scratch.add_entry("table", name, name, 2, sql);
  if (!s.ok()) {
    std::string m(s.message());
    size_t p = m.find(") - ");
    return Status(rc::kError, p == std::string::npos ? m : m.substr(p + 4));
  }
  Table* t = scratch.find_table(name);
  if (!st->as_select) KEEL_RETURN_IF_ERROR(check_generated_columns(g, st, t));
  if (t->autoincrement && t->rowid_alias < 0) {
    return Status(rc::kError, "AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY");
  }
  g.use_database(db, true);
  int root = g.new_reg();
  g.emit(Op::CreateBtree, db, root, t->without_rowid ? 2 : 1);
  std::vector<std::pair<const Index*, int>> autos;
  for (const Index* idx : t->indexes) {
    if (t->without_rowid && idx == t->primary_key) continue;
    int r = g.new_reg();
    g.emit(Op::CreateBtree, db, r, 2);
    autos.emplace_back(idx, r);
  }
  int sc = open_schema(g, db);
  schema_row(g, sc, "table", name, name, root, &sql);
  for (auto& [idx, r] : autos) schema_row(g, sc, "index", idx->name, name, r, nullptr);
  if (t->autoincrement && g.catalog().database(db).find_table("sqlite_sequence") == nullptr) {
    int r = g.new_reg();
    g.emit(Op::CreateBtree, db, r, 1);
    std::string seq_sql = "CREATE TABLE sqlite_sequence(name,seq)";
    schema_row(g, sc, "table", "sqlite_sequence", "sqlite_sequence", r, &seq_sql);
  }
  if (st->as_select) {
    // Fill the new table from the select.
    int cur = g.new_cursor();
    int a = g.emit(Op::OpenWrite, cur, root, db);
    g.set_p4_int(a, static_cast<int>(as_cols.size()));
    g.at(a).p5 = vm::kOpflagP2IsReg;
    int tmp = g.new_cursor();
    int n = static_cast<int>(as_cols.size());
    g.emit(Op::OpenEphemeral, tmp, n);
    SelectDest dest;
    dest.kind = SelectDest::Kind::kTable;
    dest.cursor = tmp;
    dest.n_cols = n;
    KEEL_RETURN_IF_ERROR(code_select(g, st->as_select, nullptr, dest));
    int end = g.new_label();
    g.emit(Op::Rewind, tmp, end);
    int top = g.addr();
    int regs = g.new_reg(n), rec = g.new_reg(), rowid = g.new_reg();
    for (int i = 0; i < n; i++) g.emit(Op::Column, tmp, i, regs + i);
    int mr = g.emit(Op::MakeRecord, regs, n, rec);
    g.set_p4_affinity(mr, table_affinity(t));
    g.emit(Op::NewRowid, cur, rowid);
    int ins = g.emit(Op::Insert, cur, rec, rowid);
    g.at(ins).p5 = vm::kOpflagAppend;
    mark_row_change(g, ins, t);
    g.emit(Op::Next, tmp, top);
    g.bind(end);
  }
  bump_cookie(g, db);
  parse_schema(g, db, "tbl_name='" + quote_sql_string(name) + "' AND type!='trigger'");
  return Status::Ok();
}

Status code_create_index(CodeGen& g, const parse::CreateIndexStmt* st) {
  int db = 0;
  Table* t = nullptr;
  if (st->name.schema.present()) {
    db = g.catalog().find_database(st->name.schema.value);
    if (db < 0) return Status(rc::kError, "unknown database " + std::string(st->name.schema.value));
    t = g.catalog().database(db).find_table(st->table.value);
  } else {
    t = g.catalog().find_table("", st->table.value);
    if (t) db = t->db;
  }
  if (t == nullptr || t->root == 1) {
    if (t && t->root == 1) return Status(rc::kError, "table " + t->name + " may not be indexed");
    return Status(rc::kError,
                  "no such table: " + g.catalog().database_name(db) + "." + std::string(st->table.value));
  }
  if (t->is_view) return Status(rc::kError, "views may not be indexed");
  if (reserved(t->name)) return Status(rc::kError, "table " + t->name + " may not be indexed");
  std::string name(st->name.name.value);
  if (reserved(name)) return Status(rc::kError, "object name reserved for internal use: " + name);
  Status free = name_free(g, db, name, true);
  if (!free.ok()) {
    if (st->if_not_exists) {
      g.use_database(db, false);
      return Status::Ok();
    }
    return free;
  }
  MethodIndexSpec spec;
  KEEL_ASSIGN_OR_RETURN(bool is_method, method_index_spec(st, &spec));
  if (is_method) {
    // An index method (plan/index_method.h): an empty b-tree for stock
    // SQLite's sake, the schema row, then the method builds its storage.
    Index midx;
    KEEL_ASSIGN_OR_RETURN(std::string msql, method_index_sql(g, st, t, db, spec, &midx));
    g.use_database(db, true);
    int root = g.new_reg();
    g.emit(Op::CreateBtree, db, root, 2);
    int sc = open_schema(g, db);
    schema_row(g, sc, "index", name, t->name, root, &msql);
    bump_cookie(g, db);
    parse_schema(g, db, "name='" + quote_sql_string(name) + "' AND type='index'");
    code_index_method_command(g, db, name, true);
    return Status::Ok();
  }
  uint32_t begin = st->name.name.span.begin;
  // Up to the terminator, trailing white space kept (as SQLite).
  uint32_t text_end = st->span.end;
  const parse::ParsedStatement* ps = g.input().statement;
  if (ps && ps->stmt == st && ps->terminator >= text_end && ps->terminator <= g.sql().size())
    text_end = ps->terminator;
  std::string sql = std::string(st->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ") +
                    std::string(g.sql().substr(begin, text_end - begin));
  // The index as the engine will load it.
  DatabaseSchema& schema = g.catalog().database(db);
  (void)schema;
  Index idx;
  idx.name = name;
  idx.table_name = t->name;
  idx.db = db;
  idx.unique = st->unique;
  idx.table = t;
  idx.where = st->where;
  FromTerm term;
  term.name = t->name;
  term.table = t;
  term.cursor = g.new_cursor();
  for (const Column& c : t->columns) {
    ColInfo ci;
    ci.name = c.name;
    ci.affinity = c.affinity;
    ci.collation = c.collation;
    term.cols.push_back(ci);
  }
  term.coalesced.assign(t->columns.size(), false);
  Scope scope;
  scope.terms = {&term};
  KEEL_RETURN_IF_ERROR(check_restricted_expr(g, st->where, RestrictedContext::kPartialIndex));
  for (const parse::OrderingTerm& ot : st->columns) {
    const parse::Expr* e = ot.expr;
    std::string coll;
    if (e->kind == parse::ExprKind::kCollate) {
      coll = std::string(e->as<parse::CollateExpr>()->collation.value);
      if (g.collation(coll) == nullptr) return Status(rc::kError, "no such collation sequence: " + coll);
      e = e->as<parse::CollateExpr>()->operand;
    }
    int col = -2;
    if (e->kind == parse::ExprKind::kColumnRef && !e->as<parse::ColumnRefExpr>()->table.present()) {
      col = t->find_column(e->as<parse::ColumnRefExpr>()->column.value);
      if (col < 0)
        return Status(rc::kError,
                      "no such column: " + std::string(e->as<parse::ColumnRefExpr>()->column.value));
    } else if (e->kind == parse::ExprKind::kLiteral &&
               e->as<parse::LiteralExpr>()->literal == parse::LiteralKind::kString &&
               t->find_column(e->as<parse::LiteralExpr>()->text) >= 0) {
      col = t->find_column(e->as<parse::LiteralExpr>()->text);
    }
    if (col == -2) KEEL_RETURN_IF_ERROR(check_restricted_expr(g, e, RestrictedContext::kIndexExpr));
    idx.columns.push_back(col);
    idx.exprs.push_back(col == -2 ? ot.expr : nullptr);
    idx.collations.push_back(coll);
    idx.desc.push_back(ot.order == parse::SortOrder::kDesc);
  }
  idx.n_key_columns = static_cast<int>(idx.columns.size());
  if (t->without_rowid) {
    for (int k = 0; k < t->primary_key->n_key_columns; k++) {
      int col = t->primary_key->columns[k];
      if (std::find(idx.columns.begin(), idx.columns.end(), col) != idx.columns.end()) continue;
      idx.columns.push_back(col);
      idx.exprs.push_back(nullptr);
      idx.collations.push_back(t->primary_key->collations[k]);
      idx.desc.push_back(false);
    }
  } else {
    idx.columns.push_back(-1);
    idx.exprs.push_back(nullptr);
    idx.collations.emplace_back();
    idx.desc.push_back(false);
  }
  g.use_database(db, true);
  int root = g.new_reg();
  g.emit(Op::CreateBtree, db, root, 2);
  int sc = open_schema(g, db);
  schema_row(g, sc, "index", name, t->name, root, &sql);
  // Fill it from the table.
  int icur = g.new_cursor();
  int a = g.emit(Op::OpenWrite, icur, root, db);
  g.set_p4_keyinfo(a, make_index_keyinfo(g, &idx));
  g.at(a).p5 = vm::kOpflagP2IsReg | vm::kOpflagBulkCsr;
  // Keys go through the sorter, then into the new b-tree in order.
  int n = static_cast<int>(idx.columns.size());
  int sorter = g.new_cursor();
  int so = g.emit(Op::SorterOpen, sorter, n);
  g.set_p4_keyinfo(so, make_index_keyinfo(g, &idx));
  open_table(g, t, term.cursor, false);
  int end = g.new_label();
  g.emit(Op::Rewind, term.cursor, end);
  int top = g.addr();
  int next = g.new_label();
  PureContextScope pure(g, kPureIndex);
  if (idx.where) KEEL_RETURN_IF_ERROR(code_if_false(g, &scope, idx.where, next, true));
  int keys = g.new_reg(n), rec = g.new_reg();
  for (int k = 0; k < n; k++) {
    if (idx.columns[k] == -2) {
      KEEL_RETURN_IF_ERROR(code_expr(g, &scope, idx.exprs[k], keys + k));
    } else {
      code_column(g, &term, idx.columns[k], keys + k);
    }
  }
  g.emit(Op::MakeRecord, keys, n, rec);
  g.emit(Op::SorterInsert, sorter, rec);
  g.bind(next);
  g.emit(Op::Next, term.cursor, top);
  g.bind(end);
  int done = g.new_label();
  int pseudo = g.new_cursor();
  g.emit(Op::OpenPseudo, pseudo, rec, n);
  g.emit(Op::SorterSort, sorter, done);
  int top2 = g.addr();
  g.emit(Op::SorterData, sorter, rec, pseudo);
  if (idx.unique) {
    int ok = g.new_label();
    for (int k = 0; k < idx.n_key_columns; k++) g.emit(Op::Column, pseudo, k, keys + k);
    int nc = g.emit(Op::NoConflict, icur, ok, keys);
    g.set_p4_int(nc, idx.n_key_columns);
    int h = g.emit_str(Op::Halt, rc::kConstraintUnique, static_cast<int>(vm::OnError::kAbort), 0,
                       index_column_names(&idx));
    g.at(h).p5 = 2;
    g.bind(ok);
  }
  g.emit(Op::IdxInsert, icur, rec);
  g.emit(Op::SorterNext, sorter, top2);
  g.bind(done);
  bump_cookie(g, db);
  parse_schema(g, db, "name='" + quote_sql_string(name) + "' AND type='index'");
  return Status::Ok();
}

namespace {

// What CREATE VIEW checks in its select (SQLite's sqlite3CreateView and its
// DbFixer): no parameters, and outside TEMP no table named in another
// database. Names are NOT resolved: a view over a missing table or column
// is accepted, and the error comes when the view is used.
class ViewBodyCheck : public parse::AstVisitor {
 public:
  ViewBodyCheck(CodeGen& g, int db) : g_(g), db_(db) {}
  bool expr(const parse::Expr& e) override {
    if (e.kind == parse::ExprKind::kVariable) has_variable = true;
    return true;
  }
  void name(const parse::Name& n, parse::NameRole role) override {
    if (role != parse::NameRole::kSchema || db_ == 1 || !foreign_db.empty()) return;
    if (g_.catalog().find_database(n.value) != db_) foreign_db = std::string(n.value);
  }
  bool has_variable = false;
  std::string foreign_db;

 private:
  CodeGen& g_;
  int db_;
};

}  // namespace

Status code_create_view(CodeGen& g, const parse::CreateViewStmt* st) {
  KEEL_ASSIGN_OR_RETURN(int db, target_db(g, st->name, st->temp));
  std::string name(st->name.name.value);
  if (reserved(name)) return Status(rc::kError, "object name reserved for internal use: " + name);
  Status free = name_free(g, db, name, false);
  if (!free.ok()) {
    if (st->if_not_exists) {
      g.use_database(db, false);
      return Status::Ok();
    }
    return free;
  }
  ViewBodyCheck check(g, db);
  parse::walk(*st->select, check);
  if (check.has_variable) return Status(rc::kError, "parameters are not allowed in views");
  if (!check.foreign_db.empty()) {
    return Status(rc::kError, "view " + name + " cannot reference objects in database " + check.foreign_db);
  }
  uint32_t begin = st->name.name.span.begin;
  std::string sql = "CREATE VIEW " + std::string(g.sql().substr(begin, st->span.end - begin));
  int sc = open_schema(g, db);
  schema_row(g, sc, "view", name, name, 0, &sql);
  bump_cookie(g, db);
  parse_schema(g, db, "tbl_name='" + quote_sql_string(name) + "' AND type!='trigger'");
  return Status::Ok();
}

// CREATE VIRTUAL TABLE: the schema row as SQLite writes it (rootpage 0, the
// text "CREATE VIRTUAL TABLE " followed by the statement from the table
// name on), then VCreate runs the module's create().
Status code_create_virtual_table(CodeGen& g, const parse::CreateVirtualTableStmt* st) {
  KEEL_ASSIGN_OR_RETURN(int db, target_db(g, st->name, false));
  std::string name(st->name.name.value);
  if (reserved(name)) return Status(rc::kError, "object name reserved for internal use: " + name);
  Status free = name_free(g, db, name, false);
  if (!free.ok()) {
    if (st->if_not_exists) {
      g.use_database(db, false);
      return Status::Ok();
    }
    return free;
  }
  if (g.input().vtabs == nullptr || !g.input().vtabs->has_vtab_module(st->module.value)) {
    return Status(rc::kError, "no such module: " + std::string(st->module.value));
  }
  uint32_t begin = st->name.name.span.begin;
  std::string sql = "CREATE VIRTUAL TABLE " + std::string(g.sql().substr(begin, st->span.end - begin));
  g.use_database(db, true);
  int sc = open_schema(g, db);
  schema_row(g, sc, "table", name, name, 0, &sql);
  bump_cookie(g, db);
  parse_schema(g, db, "tbl_name='" + quote_sql_string(name) + "' AND type!='trigger'");
  g.emit_str(Op::VCreate, db, 0, 0, name);
  return Status::Ok();
}

Status code_create_trigger(CodeGen& g, const parse::CreateTriggerStmt* st) {
  std::string name(st->name.name.value);
  // The database the trigger goes to (sqlite3BeginTrigger): TEMP, the one
  // named, or main — temp when unqualified and its table is a temp table.
  // Outside temp, its table must be in that same database (DbFixer).
  Table* t = nullptr;
  int db = 0;
  std::string_view table_schema = st->table.schema.present() ? st->table.schema.value : std::string_view();
  if (st->temp) {
    db = 1;
  } else if (st->name.schema.present()) {
    db = g.catalog().find_database(st->name.schema.value);
    if (db < 0) return Status(rc::kError, "unknown database " + std::string(st->name.schema.value));
  } else if (table_schema.empty()) {
    Table* found = g.catalog().find_table("", st->table.name.value);
    if (found && found->db == 1) db = 1;
  }
  for (const parse::Stmt* step : st->steps) {
    const parse::QualifiedName* target = nullptr;
    if (step->kind == parse::StmtKind::kInsert) target = &step->as<parse::InsertStmt>()->table;
    if (step->kind == parse::StmtKind::kUpdate) target = &step->as<parse::UpdateStmt>()->table;
    if (step->kind == parse::StmtKind::kDelete) target = &step->as<parse::DeleteStmt>()->table;
    if (target && target->schema.present()) {
      return Status(
          rc::kError,
          "qualified table names are not allowed on INSERT, UPDATE, and DELETE statements within triggers");
    }
  }
  if (db != 1) {
    if (!table_schema.empty() && g.catalog().find_database(table_schema) != db) {
      return Status(rc::kError,
                    "trigger " + name + " cannot reference objects in database " + std::string(table_schema));
    }
    t = g.catalog().database(db).find_table(st->table.name.value);
  } else {
    t = g.catalog().find_table(table_schema, st->table.name.value);
  }
  if (t == nullptr) {
    std::string where =
        !table_schema.empty() ? std::string(table_schema) : g.catalog().database_name(db == 1 ? 0 : db);
    return Status(rc::kError, "no such table: " + where + "." + std::string(st->table.name.value));
  }
  KEEL_RETURN_IF_ERROR(check_own_database(g, db, "trigger", name, st, nullptr));
  if (t->root == 1 || reserved(t->name)) return Status(rc::kError, "cannot create trigger on system table");
  if (t->is_view && st->time != parse::TriggerTime::kInsteadOf) {
    return Status(rc::kError, std::string("cannot create ") +
                                  (st->time == parse::TriggerTime::kAfter ? "AFTER" : "BEFORE") +
                                  " trigger on view: " + t->name);
  }
  if (!t->is_view && st->time == parse::TriggerTime::kInsteadOf) {
    return Status(rc::kError, "cannot create INSTEAD OF trigger on table: " + t->name);
  }
  if (g.catalog().database(db).find_trigger(name)) {
    if (st->if_not_exists) return Status::Ok();
    return Status(rc::kError, "trigger " + name + " already exists");
  }
  uint32_t begin = st->name.name.span.begin;
  std::string sql = "CREATE TRIGGER " + std::string(g.sql().substr(begin, st->span.end - begin));
  int sc = open_schema(g, db);
  schema_row(g, sc, "trigger", name, t->name, 0, &sql);
  bump_cookie(g, db);
  parse_schema(g, db, "type='trigger' AND name='" + quote_sql_string(name) + "'");
  return Status::Ok();
}

Status code_drop(CodeGen& g, const parse::DropStmt* st) {
  std::string_view schema = st->name.schema.present() ? st->name.schema.value : std::string_view();
  if (!schema.empty() && g.catalog().find_database(schema) < 0) {
    if (st->if_exists) return Status::Ok();
    return Status(rc::kError, "unknown database " + std::string(schema));
  }
  std::string_view name = st->name.name.value;
  std::string full = schema.empty() ? std::string(name) : std::string(schema) + "." + std::string(name);
  switch (st->object) {
    case parse::DropStmt::Object::kTable:
    case parse::DropStmt::Object::kView: {
      bool view = st->object == parse::DropStmt::Object::kView;
      Table* t = g.catalog().find_table(schema, name);
      if (t == nullptr) {
        if (st->if_exists) return Status::Ok();
        return Status(rc::kError, std::string(view ? "no such view: " : "no such table: ") + full);
      }
      if (t->root == 1 ||
          (reserved(t->name) && vm::strnicmp(t->name.c_str(), "sqlite_stat", 11) != 0 &&
           !name_eq(t->name, "sqlite_sequence"))) {
        return Status(rc::kError, "table " + t->name + " may not be dropped");
      }
      if (view && !t->is_view) return Status(rc::kError, "use DROP TABLE to delete table " + t->name);
      if (!view && t->is_view) return Status(rc::kError, "use DROP VIEW to delete view " + t->name);
      int db = t->db;
      g.use_database(db, true);
      if (!view) KEEL_RETURN_IF_ERROR(fk_drop_table(g, t));
      if (t->is_virtual) g.emit_str(Op::VDestroy, db, 0, 0, t->name);
      for (const Index* mi : t->method_indexes) KEEL_RETURN_IF_ERROR(code_drop_method_index(g, mi));
      int sc = open_schema(g, db);
      delete_schema_rows(g, sc, 2, t->name);
      if (db != 1 && g.catalog().has_database(1)) {
        // TEMP triggers on this table go with it (SQLite's sqlite3DropTable
        // drops every trigger sqlite3TriggerList finds for the table).
        std::vector<std::string> temp_triggers;
        for (const auto& [tname, tr] : g.catalog().database(1).triggers()) {
          if (tr->table_db == db && name_eq(tr->table_name, t->name)) temp_triggers.push_back(tr->name);
        }
        if (!temp_triggers.empty()) {
          g.use_database(1, true);
          int tsc = open_schema(g, 1);
          for (const std::string& tn : temp_triggers) {
            delete_schema_rows(g, tsc, 1, tn);
            g.emit_str(Op::DropTrigger, 1, 0, 0, tn);
          }
          bump_cookie(g, 1);
        }
      }
      if (!t->is_view && !t->is_virtual) {
        if (Table* seq = g.catalog().database(db).find_table("sqlite_sequence"); seq && t->autoincrement) {
          int c = g.new_cursor();
          open_table(g, seq, c, true);
          delete_schema_rows(g, c, 0, t->name);
        }
        std::vector<uint32_t> roots{t->root};
        for (const Index* idx : t->indexes) {
          if (!(t->without_rowid && idx == t->primary_key)) roots.push_back(idx->root);
        }
        for (const Index* idx : t->method_indexes) roots.push_back(idx->root);
        std::sort(roots.rbegin(), roots.rend());
        int moved = g.new_reg();
        for (uint32_t r : roots) g.emit(Op::Destroy, static_cast<int>(r), moved, db);
      }
      bump_cookie(g, db);
      g.emit_str(Op::DropTable, db, 0, 0, t->name);
      return Status::Ok();
    }
    case parse::DropStmt::Object::kIndex: {
      Index* idx = g.catalog().find_index(schema, name);
      if (idx == nullptr) {
        if (st->if_exists) return Status::Ok();
        return Status(rc::kError, "no such index: " + full);
      }
      if (idx->origin != 'c') {
        return Status(rc::kError, "index associated with UNIQUE or PRIMARY KEY constraint cannot be dropped");
      }
      int db = idx->db;
      g.use_database(db, true);
      if (!idx->method.empty()) KEEL_RETURN_IF_ERROR(code_drop_method_index(g, idx));
      int sc = open_schema(g, db);
      delete_schema_rows(g, sc, 1, idx->name);
      int moved = g.new_reg();
      g.emit(Op::Destroy, static_cast<int>(idx->root), moved, db);
      bump_cookie(g, db);
      g.emit_str(Op::DropIndex, db, 0, 0, idx->name);
      return Status::Ok();
    }
    case parse::DropStmt::Object::kTrigger: {
      int db = -1;
      Trigger* tr = nullptr;
      for (int d = 0; d < g.catalog().database_count() && !tr; d++) {
        if (!g.catalog().has_database(d)) continue;
        if (!schema.empty() && g.catalog().find_database(schema) != d) continue;
        tr = g.catalog().database(d).find_trigger(name);
        if (tr) db = d;
      }
      if (tr == nullptr) {
        if (st->if_exists) return Status::Ok();
        return Status(rc::kError, "no such trigger: " + full);
      }
      g.use_database(db, true);
      int sc = open_schema(g, db);
      delete_schema_rows(g, sc, 1, tr->name);
      bump_cookie(g, db);
      g.emit_str(Op::DropTrigger, db, 0, 0, tr->name);
      return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace keel::plan
