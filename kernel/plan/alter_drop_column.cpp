// ALTER TABLE t DROP [COLUMN] a (SQLite's sqlite3AlterDropColumn and
// sqlite_drop_column).
//
// Refused, with SQLite's messages: system tables, views and virtual tables,
// an unknown column, a PRIMARY KEY column, a column with a column-level
// UNIQUE constraint, the last column. Anything else of the schema that
// still names the column after the drop fails the statement the way
// SQLite's re-parse does ("error in index i after drop column: no such
// column: a"), for the first such object in sqlite_schema order; so does a
// view that fails to compile beforehand ("error in view v: ...").
//
// The CREATE TABLE text loses the column as sqlite_drop_column cuts it:
// from the column's name to the next column's name, or — for the last
// column — from the comma before it to the end of the column list. Then
// every row is rewritten without the column's field (a VIRTUAL column has
// none): rows are first collected in an ephemeral table, then written
// back (rowid tables by rowid; a WITHOUT ROWID table is cleared and
// refilled), so no cursor walks a b-tree it is changing.
#include "parse/token.h"
#include "plan/alter_internal.h"
#include "plan/generated_columns.h"
#include "vm/collation.h"

namespace keel::plan {

namespace {

bool name_eq(std::string_view a, std::string_view b) { return vm::stricmp(a, b) == 0; }

// Offset of the first token at or after `pos` that is not white space.
uint32_t next_token_offset(std::string_view sql, uint32_t pos) {
  for (;;) {
    parse::Token t = parse::next_token(sql, pos);
    if (t.kind != parse::Tk::kSpace || t.length == 0) return t.offset;
    pos = t.end();
  }
}

// The spans of REFERENCES ... (cols) column names of a CREATE TABLE: the
// parent's columns, which DROP COLUMN of this table does not touch.
void parent_column_spans(const parse::CreateTableStmt* ct, std::vector<parse::Span>& out) {
  auto add = [&](const parse::ForeignKeyClause* fk) {
    if (fk == nullptr) return;
    for (const parse::Name& n : fk->columns) out.push_back(n.span);
  };
  for (const parse::ColumnDef* cd : ct->columns)
    for (const parse::ColumnConstraint* cc : cd->constraints)
      if (cc->kind == parse::ColumnConstraint::Kind::kReferences) add(cc->foreign_key);
  for (const parse::TableConstraint* tc : ct->constraints)
    if (tc->kind == parse::TableConstraint::Kind::kForeignKey) add(tc->foreign_key);
}

bool inside(const parse::Span& s, const parse::Span& outer) {
  return s.begin >= outer.begin && s.end <= outer.end;
}

// The span of the CREATE TABLE text that goes with column `col`.
Result<parse::Span> drop_column_span(const Table* t, int col) {
  const std::string& sql = t->parsed->sql;
  auto* ct = t->parsed->stmt->as<parse::CreateTableStmt>();
  if (col >= static_cast<int>(ct->columns.size))
    return Status(rc::kCorrupt, "malformed database schema (" + t->name + ")");
  uint32_t begin = ct->columns[col]->name.span.begin;
  uint32_t end;
  if (col + 1 < static_cast<int>(ct->columns.size)) {
    end = ct->columns[col + 1]->name.span.begin;
  } else {
    // addColOffset: the comma before the table constraints, or the ')'.
    end = next_token_offset(sql, ct->columns[col]->span.end);
    while (begin > 0 && sql[begin] != ',') begin--;
  }
  return parse::Span{begin, end};
}

// Rewrites every row of `t` without column `col`.
void rewrite_rows(CodeGen& g, Table* t, int col) {
  int cur = g.new_cursor();
  open_table(g, t, cur, true);
  // Fields of the new record: the old record's fields in storage order,
  // less the dropped one.
  std::vector<int> fields;  // table column of each new field
  int n_stored = stored_column_count(t);
  std::vector<int> by_storage(n_stored, -1);
  for (size_t i = 0; i < t->columns.size(); i++) {
    if (is_virtual(t->columns[i])) continue;
    int pos = storage_column(t, static_cast<int>(i));
    if (pos >= 0 && pos < n_stored) by_storage[pos] = static_cast<int>(i);
  }
  for (int c : by_storage)
    if (c >= 0 && c != col) fields.push_back(c);
  int nf = std::max(static_cast<int>(fields.size()), 1);
  int eph = g.new_cursor();
  g.emit(Op::OpenEphemeral, eph, nf);
  int regs = g.new_reg(nf), rec = g.new_reg(), rowid = g.new_reg();
  int end1 = g.new_label();
  g.emit(Op::Rewind, cur, end1);
  int top1 = g.addr();
  if (fields.empty()) g.emit(Op::Null, 0, regs);
  for (size_t k = 0; k < fields.size(); k++) {
    int c = fields[k];
    if (c == t->rowid_alias) {
      g.emit(Op::Null, 0, regs + static_cast<int>(k));
    } else {
      // The stored value as is (no REAL affinity), or the column's default
      // for a row older than the column.
      int a = g.emit(Op::Column, cur, storage_column(t, c), regs + static_cast<int>(k));
      set_column_default(g, a, t->columns[c]);
    }
  }
  g.emit(Op::MakeRecord, regs, nf, rec);
  if (t->without_rowid) {
    g.emit(Op::NewRowid, eph, rowid);
  } else {
    g.emit(Op::Rowid, cur, rowid);
  }
  g.emit(Op::Insert, eph, rec, rowid);
  g.emit(Op::Next, cur, top1);
  g.bind(end1);
  if (t->without_rowid) g.emit(Op::Clear, static_cast<int>(t->root), t->db);
  int end2 = g.new_label();
  g.emit(Op::Rewind, eph, end2);
  int top2 = g.addr();
  g.emit(Op::RowData, eph, rec);
  if (t->without_rowid) {
    int a = g.emit(Op::IdxInsert, cur, rec);
    (void)a;
  } else {
    g.emit(Op::Rowid, eph, rowid);
    int ins = g.emit(Op::Insert, cur, rec, rowid);
    g.at(ins).p5 = vm::kOpflagIsUpdate;
  }
  g.emit(Op::Next, eph, top2);
  g.bind(end2);
}

}  // namespace

Status code_alter_drop_column(CodeGen& g, const parse::AlterTableStmt* st, Table* t) {
  KEEL_RETURN_IF_ERROR(check_alterable(t));
  if (t->is_view || t->is_virtual) {
    return Status(rc::kError, std::string("cannot drop column from ") +
                                  (t->is_view ? "view" : "virtual table") + " \"" + t->name + "\"");
  }
  int col = t->find_column(st->column.value);
  if (col < 0) {
    return Status(rc::kError, "no such column: \"" + std::string(st->column.span.text(g.sql())) + "\"");
  }
  const Column& c = t->columns[col];
  auto* ct = t->parsed->stmt->as<parse::CreateTableStmt>();
  bool unique = false;
  for (const parse::ColumnConstraint* cc : ct->columns[col]->constraints)
    unique = unique || cc->kind == parse::ColumnConstraint::Kind::kUnique;
  if (c.primary_key || unique) {
    return Status(rc::kError, std::string("cannot drop ") + (c.primary_key ? "PRIMARY KEY" : "UNIQUE") +
                                  " column: \"" + c.name + "\"");
  }
  if (t->columns.size() <= 1) {
    return Status(rc::kError, "cannot drop column \"" + c.name + "\": no other columns exist");
  }
  int db = t->db;
  DatabaseSchema& ds = g.catalog().database(db);
  std::vector<SchemaError> before = views_that_fail(g, db);
  KEEL_ASSIGN_OR_RETURN(parse::Span cut, drop_column_span(t, col));
  // renameFixQuotes: double-quoted strings become single-quoted, here and
  // in every other object (TEMP ones too).
  std::vector<parse::Span> dqs, kept;
  find_references(g, RefTarget{db, nullptr, -1}, ct, t->parsed->sql, db, nullptr, &dqs);
  for (const parse::Span& d : dqs)
    if (d.end <= cut.begin || d.begin >= cut.end) kept.push_back(d);
  std::string new_sql = rewrite_text(t->parsed->sql, {cut}, kept, [](parse::Span) { return std::string(); });

  // What would no longer parse or resolve once the column is gone.
  std::vector<SchemaError> after;
  RefTarget target{db, t, col, true};
  auto no_such = [&](const std::string& type, const std::string& name, const std::string& what) {
    after.push_back({type, name, "error in " + type + " " + name + " after drop column: " + what});
  };
  {
    // The table itself: its other parts that name the column.
    std::vector<parse::Span> skip;
    parent_column_spans(ct, skip);
    skip.push_back(ct->columns[col]->span);
    std::string fk_col;
    for (const parse::TableConstraint* tc : ct->constraints) {
      if (tc->kind != parse::TableConstraint::Kind::kForeignKey) continue;
      for (const parse::Name& n : tc->fk_columns)
        if (fk_col.empty() && name_eq(n.value, c.name)) fk_col = std::string(n.value);
    }
    if (!fk_col.empty()) {
      no_such("table", t->name, "unknown column \"" + fk_col + "\" in foreign key definition");
    } else {
      for (const parse::Span& sp : find_references(g, target, ct, t->parsed->sql, db)) {
        bool skipped = false;
        for (const parse::Span& s : skip) skipped = skipped || inside(sp, s);
        if (skipped) continue;
        no_such("table", t->name, "no such column: " + std::string(sp.text(t->parsed->sql)));
        break;
      }
    }
  }
  for (const auto& [name, idx] : ds.indexes()) {
    if (!idx->parsed || idx->table != t) continue;
    std::string shown;
    if (!find_references(g, target, idx->parsed->stmt, idx->parsed->sql, db, &shown).empty())
      no_such("index", idx->name, "no such column: " + shown);
  }
  for (const auto& [name, v] : ds.tables()) {
    if (!v->is_view || !v->parsed) continue;
    std::string shown;
    if (!find_references(g, target, v->parsed->stmt, v->parsed->sql, db, &shown).empty())
      no_such("view", v->name, "no such column: " + shown);
  }
  for (const auto& [name, tr] : ds.triggers()) {
    if (!tr->parsed) continue;
    std::string shown;
    if (!find_references(g, target, tr->parsed->stmt, tr->parsed->sql, db, &shown).empty())
      no_such("trigger", tr->name, "no such column: " + shown);
  }

  code_schema_errors(g, db, before);
  std::vector<SchemaEdit> edits = quote_fix_edits(g, db, t->name);
  SchemaEdit e;
  e.type = "table";
  e.name = t->name;
  e.new_sql = new_sql;
  edits.push_back(std::move(e));
  code_schema_edits(g, db, edits);
  std::vector<SchemaEdit> temp_fixes;
  if (db != 1) temp_fixes = quote_fix_edits(g, 1, "");
  code_schema_edits(g, 1, temp_fixes);
  code_schema_errors(g, db, after);
  if (!is_virtual(c)) rewrite_rows(g, t, col);
  code_schema_reload(g, db);
  if (!temp_fixes.empty()) code_schema_reload(g, 1);
  return Status::Ok();
}

}  // namespace keel::plan
