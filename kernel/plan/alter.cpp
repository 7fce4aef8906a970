// ALTER TABLE (SQLite's alter.c): dispatch, ADD COLUMN, and the
// sqlite_schema editing shared by the other forms (alter_internal.h).
//
// ADD COLUMN: the table's CREATE statement in sqlite_schema gets the new
// column definition appended to its column list; existing rows keep their
// shorter records, and OP_Column supplies the column's default for them.
// A VIRTUAL generated column may be added (it is not in the record); a
// STORED one may not.
#include "plan/alter_internal.h"
#include "plan/generated_columns.h"
#include "storage/btree/btree.h"
#include "vm/collation.h"

namespace keel::plan {

namespace {

// Opens db's sqlite_schema and loops over its rows; `body(regs, next)` is
// coded once with the row's 5 columns in regs..regs+4.
void scan_schema(CodeGen& g, int db, bool write, const std::function<void(int, int, int)>& body) {
  g.use_database(db, write);
  int sc = g.new_cursor();
  int a = g.emit(write ? Op::OpenWrite : Op::OpenRead, sc, 1, db);
  g.set_p4_int(a, 5);
  int regs = g.new_reg(5);
  int end = g.new_label();
  g.emit(Op::Rewind, sc, end);
  int top = g.addr();
  int next = g.new_label();
  for (int i = 0; i < 5; i++) g.emit(Op::Column, sc, i, regs + i);
  body(sc, regs, next);
  g.bind(next);
  g.emit(Op::Next, sc, top);
  g.bind(end);
}

// Jumps to `miss` unless the row in regs is (type, name).
void match_row(CodeGen& g, int regs, std::string_view type, std::string_view name, int miss) {
  int t = g.new_reg(), n = g.new_reg();
  g.emit_string(t, type);
  g.emit_string(n, name);
  code_compare_jump(g, parse::BinaryOp::kNe, regs, t, vm::Affinity::kNone, nullptr, miss, true);
  code_compare_jump(g, parse::BinaryOp::kNe, regs + 1, n, vm::Affinity::kNone, vm::nocase_collation(), miss,
                    true);
}

// Halts with `msg` if table t has a row.
void code_error_if_not_empty(CodeGen& g, const Table* t, const std::string& msg) {
  int cur = g.new_cursor();
  open_table(g, t, cur, false);
  int empty = g.new_label();
  g.emit(Op::Rewind, cur, empty);
  g.emit_str(Op::Halt, rc::kError, static_cast<int>(vm::OnError::kAbort), 0, msg);
  g.bind(empty);
}

// The NOT NULL and CHECK constraints of `t` (as it will load) over its
// rows, with the messages of alter.c's quick_check query.
Status code_verify_rows(CodeGen& g, Table* t) {
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
  open_table(g, t, term.cursor, false);
  int end = g.new_label();
  g.emit(Op::Rewind, term.cursor, end);
  int top = g.addr();
  int reg = g.new_reg();
  for (size_t i = 0; i < t->columns.size(); i++) {
    if (!t->columns[i].not_null || static_cast<int>(i) == t->rowid_alias) continue;
    code_column(g, &term, static_cast<int>(i), reg);
    int ok = g.new_label();
    g.emit(Op::NotNull, reg, ok);
    g.emit_str(Op::Halt, rc::kConstraint, static_cast<int>(vm::OnError::kAbort), 0,
               "NOT NULL constraint failed");
    g.bind(ok);
  }
  for (const parse::Expr* check : t->checks) {
    int ok = g.new_label();
    KEEL_RETURN_IF_ERROR(code_if_true(g, &scope, check, ok, true));
    g.emit_str(Op::Halt, rc::kConstraint, static_cast<int>(vm::OnError::kAbort), 0,
               "CHECK constraint failed");
    g.bind(ok);
  }
  g.emit(Op::Next, term.cursor, top);
  g.bind(end);
  return Status::Ok();
}

}  // namespace

void code_schema_errors(CodeGen& g, int db, const std::vector<SchemaError>& errors) {
  if (errors.empty()) return;
  scan_schema(g, db, false, [&](int, int regs, int) {
    for (const SchemaError& e : errors) {
      int miss = g.new_label();
      match_row(g, regs, e.type, e.name, miss);
      g.emit_str(Op::Halt, rc::kError, static_cast<int>(vm::OnError::kAbort), 0, e.message);
      g.bind(miss);
    }
  });
}

void code_schema_edits(CodeGen& g, int db, const std::vector<SchemaEdit>& edits) {
  if (edits.empty()) return;
  scan_schema(g, db, true, [&](int sc, int regs, int next) {
    int rec = g.new_reg(), rowid = g.new_reg();
    for (const SchemaEdit& e : edits) {
      int miss = g.new_label();
      match_row(g, regs, e.type, e.name, miss);
      if (!e.new_name.empty()) g.emit_string(regs + 1, e.new_name);
      if (!e.new_tbl_name.empty()) g.emit_string(regs + 2, e.new_tbl_name);
      if (e.type != "index" || !e.new_sql.empty()) {
        if (!e.new_sql.empty()) g.emit_string(regs + 4, e.new_sql);
      }
      g.emit(Op::MakeRecord, regs, 5, rec);
      g.emit(Op::Rowid, sc, rowid);
      int ins = g.emit(Op::Insert, sc, rec, rowid);
      g.at(ins).p5 = vm::kOpflagIsUpdate | vm::kOpflagSaveposition;
      mark_row_change(g, ins, db, db == 1 ? "sqlite_temp_master" : "sqlite_schema");
      g.emit(Op::Goto, 0, next);
      g.bind(miss);
    }
  });
}

void code_schema_reload(CodeGen& g, int db) {
  int64_t cookie = g.catalog().database(db).schema_cookie;
  g.emit(Op::SetCookie, db, static_cast<int>(storage::Meta::kSchemaCookie), static_cast<int>(cookie + 1));
  g.emit_str(Op::ParseSchema, db, 0, 0, "");
}

Status check_alterable(const Table* t) {
  // isAlterableTable: sqlite_* tables (but sqlite_stat*? no: all of them).
  if (t->root == 1 || vm::strnicmp(t->name.c_str(), "sqlite_", 7) == 0) {
    return Status(rc::kError, "table " + t->name + " may not be altered");
  }
  return Status::Ok();
}

namespace {

// The offset of the first character at or after `pos` that is neither white
// space nor inside an SQL comment.
size_t skip_space_and_comments(const std::string& sql, size_t pos) {
  while (pos < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[pos]))) {
      pos++;
    } else if (sql.compare(pos, 2, "--") == 0) {
      size_t nl = sql.find('\n', pos);
      pos = nl == std::string::npos ? sql.size() : nl + 1;
    } else if (sql.compare(pos, 2, "/*") == 0) {
      size_t end = sql.find("*/", pos + 2);
      pos = end == std::string::npos ? sql.size() : end + 2;
    } else {
      break;
    }
  }
  return pos;
}

}  // namespace

Status code_alter_table(CodeGen& g, const parse::AlterTableStmt* st) {
  KEEL_ASSIGN_OR_RETURN(Table * t, find_table_or_error(g, st->table, true));
  switch (st->action) {
    case parse::AlterTableStmt::Action::kRenameTable:
      return code_alter_rename_table(g, st, t);
    case parse::AlterTableStmt::Action::kRenameColumn:
      return code_alter_rename_column(g, st, t);
    case parse::AlterTableStmt::Action::kDropColumn:
      return code_alter_drop_column(g, st, t);
    case parse::AlterTableStmt::Action::kAddColumn:
      break;
  }
  if (t->is_view) return Status(rc::kError, "Cannot add a column to a view");
  if (t->root == 1 || vm::strnicmp(t->name.c_str(), "sqlite_", 7) == 0) {
    return Status(rc::kError, "table " + t->name + " may not be altered");
  }
  const parse::ColumnDef* cd = st->column_def;
  if (t->find_column(cd->name.value) >= 0) {
    return Status(rc::kError, "duplicate column name: " + std::string(cd->name.value));
  }
  bool not_null = false, stored = false, generated = false;
  const parse::Expr* dflt = nullptr;
  for (const parse::ColumnConstraint* cc : cd->constraints) {
    switch (cc->kind) {
      case parse::ColumnConstraint::Kind::kPrimaryKey:
        return Status(rc::kError, "Cannot add a PRIMARY KEY column");
      case parse::ColumnConstraint::Kind::kUnique:
        return Status(rc::kError, "Cannot add a UNIQUE column");
      case parse::ColumnConstraint::Kind::kNotNull:
        not_null = true;
        break;
      case parse::ColumnConstraint::Kind::kDefault:
        dflt = cc->expr;
        break;
      case parse::ColumnConstraint::Kind::kGenerated:
        generated = true;
        stored = cc->storage == parse::GeneratedStorage::kStored;
        break;
      default:
        break;
    }
  }
  bool null_default =
      dflt == nullptr || (dflt->kind == parse::ExprKind::kLiteral &&
                          dflt->as<parse::LiteralExpr>()->literal == parse::LiteralKind::kNull);
  // New CREATE text: the definition goes right after the last column
  // definition — before the comma that starts the table constraints, or else
  // before the ')' closing the columns (SQLite's addColOffset).
  const std::string& sql = t->parsed->sql;
  auto* ct = t->parsed->stmt->as<parse::CreateTableStmt>();
  uint32_t last = 0;
  for (const parse::ColumnDef* c : ct->columns) last = std::max(last, c->span.end);
  size_t close = skip_space_and_comments(sql, last);
  if (close >= sql.size() || (sql[close] != ',' && sql[close] != ')')) {
    return Status(rc::kCorrupt, "malformed database schema (" + t->name + ")");
  }
  std::string def(g.sql().substr(cd->span.begin, cd->span.size()));
  while (!def.empty() && (def.back() == ';' || std::isspace(static_cast<unsigned char>(def.back()))))
    def.pop_back();
  std::string new_sql = sql.substr(0, close) + ", " + def + sql.substr(close);
  // The table as it will load.
  DatabaseSchema scratch(t->db);
  KEEL_RETURN_IF_ERROR(scratch.add_entry("table", t->name, t->name, t->root, new_sql));
  Table* nt = scratch.find_table(t->name);
  if (generated) {
    Status s = check_generated_columns(g, nt->parsed->stmt->as<parse::CreateTableStmt>(), nt,
                                       static_cast<int>(nt->columns.size()) - 1);
    if (!s.ok()) {
      return Status(rc::kError,
                    "error in table " + t->name + " after add column: " + std::string(s.message()));
    }
  }
  int db = t->db;
  g.use_database(db, true);
  // What SQLite refuses only when the table has rows (sqlite3ErrorIfNotEmpty).
  if (dflt && !expr_is_constant(dflt))
    code_error_if_not_empty(g, t, "Cannot add a column with non-constant default");
  if (not_null && null_default && !generated)
    code_error_if_not_empty(g, t, "Cannot add a NOT NULL column with default value NULL");
  if (stored) code_error_if_not_empty(g, t, "cannot add a STORED column");
  // Rewrite the table's sqlite_schema row.
  SchemaEdit e;
  e.type = "table";
  e.name = t->name;
  e.new_sql = new_sql;
  code_schema_edits(g, db, {e});
  // Rows must satisfy the new definition (SQLite runs pragma quick_check
  // when the table has CHECK constraints or the column is NOT NULL and
  // generated).
  if (!nt->checks.empty() || (not_null && generated)) KEEL_RETURN_IF_ERROR(code_verify_rows(g, nt));
  code_schema_reload(g, db);
  return Status::Ok();
}

}  // namespace keel::plan
