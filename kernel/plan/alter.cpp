// ALTER TABLE (SQLite's alter.c): ADD COLUMN. The table's CREATE statement
// in sqlite_schema gets the new column definition appended to its column
// list; existing rows keep their shorter records, and OP_Column supplies the
// column's default for them. RENAME and DROP COLUMN are absent: they fail
// with "ALTER TABLE RENAME and DROP COLUMN are not supported yet".
#include "plan/dml_internal.h"
#include "storage/btree/btree.h"
#include "vm/collation.h"

namespace keel::plan {

Status code_alter_table(CodeGen& g, const parse::AlterTableStmt* st) {
  if (st->action != parse::AlterTableStmt::Action::kAddColumn) {
    return Status(rc::kError, "ALTER TABLE RENAME and DROP COLUMN are not supported yet");
  }
  KEEL_ASSIGN_OR_RETURN(Table * t, find_table_or_error(g, st->table, true));
  if (t->is_view) return Status(rc::kError, "Cannot add a column to a view");
  if (t->root == 1 || vm::strnicmp(t->name.c_str(), "sqlite_", 7) == 0) {
    return Status(rc::kError, "table " + t->name + " may not be altered");
  }
  const parse::ColumnDef* cd = st->column_def;
  if (t->find_column(cd->name.value) >= 0) {
    return Status(rc::kError, "duplicate column name: " + std::string(cd->name.value));
  }
  bool not_null = false;
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
        if (cc->storage == parse::GeneratedStorage::kStored) {
          return Status(rc::kError, "cannot add a STORED column");
        }
        break;
      default:
        break;
    }
  }
  if (dflt && !expr_is_constant(dflt))
    return Status(rc::kError, "Cannot add a column with non-constant default");
  bool null_default =
      dflt == nullptr || (dflt->kind == parse::ExprKind::kLiteral &&
                          dflt->as<parse::LiteralExpr>()->literal == parse::LiteralKind::kNull);
  if (not_null && null_default)
    return Status(rc::kError, "Cannot add a NOT NULL column with default value NULL");
  // New CREATE text: the definition goes before the ')' closing the columns.
  const std::string& sql = t->parsed->sql;
  auto* ct = t->parsed->stmt->as<parse::CreateTableStmt>();
  uint32_t last = 0;
  for (const parse::ColumnDef* c : ct->columns) last = std::max(last, c->span.end);
  for (const parse::TableConstraint* c : ct->constraints) last = std::max(last, c->span.end);
  size_t close = sql.find(')', last);
  if (close == std::string::npos) return Status(rc::kCorrupt, "malformed database schema (" + t->name + ")");
  std::string def(g.sql().substr(cd->span.begin, cd->span.size()));
  while (!def.empty() && (def.back() == ';' || std::isspace(static_cast<unsigned char>(def.back()))))
    def.pop_back();
  std::string new_sql = sql.substr(0, close) + ", " + def + sql.substr(close);
  // Rewrite the table's sqlite_schema row.
  int db = t->db;
  g.use_database(db, true);
  int sc = g.new_cursor();
  int a = g.emit(Op::OpenWrite, sc, 1, db);
  g.set_p4_int(a, 5);
  int regs = g.new_reg(5), name = g.new_reg(), type = g.new_reg(), rec = g.new_reg(), rowid = g.new_reg();
  g.emit_string(name, t->name);
  g.emit_string(type, "table");
  int end = g.new_label();
  g.emit(Op::Rewind, sc, end);
  int top = g.addr();
  int next = g.new_label();
  for (int i = 0; i < 5; i++) g.emit(Op::Column, sc, i, regs + i);
  code_compare_jump(g, parse::BinaryOp::kNe, regs, type, vm::Affinity::kNone, nullptr, next, true);
  code_compare_jump(g, parse::BinaryOp::kNe, regs + 1, name, vm::Affinity::kNone, vm::nocase_collation(),
                    next, true);
  g.emit_string(regs + 4, new_sql);
  g.emit(Op::MakeRecord, regs, 5, rec);
  g.emit(Op::Rowid, sc, rowid);
  int ins = g.emit(Op::Insert, sc, rec, rowid);
  g.at(ins).p5 = vm::kOpflagIsUpdate;
  mark_row_change(g, ins, db, db == 1 ? "sqlite_temp_master" : "sqlite_schema");
  g.bind(next);
  g.emit(Op::Next, sc, top);
  g.bind(end);
  int64_t cookie = g.catalog().database(db).schema_cookie;
  g.emit(Op::SetCookie, db, static_cast<int>(storage::Meta::kSchemaCookie), static_cast<int>(cookie + 1));
  std::string q;
  for (char c : t->name) {
    q.push_back(c);
    if (c == '\'') q.push_back('\'');
  }
  g.emit_str(Op::ParseSchema, db, 0, 0, "tbl_name='" + q + "' AND type!='trigger'");
  return Status::Ok();
}

}  // namespace keel::plan
