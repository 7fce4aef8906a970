// ALTER TABLE t RENAME TO u and ALTER TABLE t RENAME [COLUMN] a TO b
// (SQLite's sqlite3AlterRenameTable / sqlite3AlterRenameColumn with
// legacy_alter_table=OFF).
//
// Every object of the table's database is searched for tokens naming the
// table (or column) — alter_refs.cpp — and those tokens alone are replaced,
// as renameEditSql does: a renamed table is always written as a quoted
// identifier ("u"); a renamed column is written bare when the new name was
// bare in the ALTER statement and the old token was a bare identifier,
// quoted otherwise. A quoted replacement directly followed by a double
// quote gets a space, so the two never run together.
//
// Before anything changes, every view of the database must still compile
// (renameTestSchema): "error in view v: <message>".
#include <algorithm>

#include "parse/token.h"
#include "plan/alter_internal.h"
#include "vm/collation.h"

namespace keel::plan {

namespace {

bool name_eq(std::string_view a, std::string_view b) { return vm::stricmp(a, b) == 0; }

// The schema objects of one database with their parsed text, in a fixed
// order (tables and views, indexes, triggers).
struct SchemaObject {
  std::string type;
  std::string name;
  std::string tbl_name;
  const ParsedSql* parsed;
};

std::vector<SchemaObject> schema_objects(DatabaseSchema& ds) {
  std::vector<SchemaObject> out;
  for (const auto& [name, t] : ds.tables()) {
    if (!t->parsed || t->root == 1) continue;
    out.push_back({t->is_view ? "view" : "table", t->name, t->name, t->parsed.get()});
  }
  for (const auto& [name, idx] : ds.indexes()) {
    if (!idx->parsed || !idx->method.empty()) continue;
    out.push_back({"index", idx->name, idx->table_name, idx->parsed.get()});
  }
  for (const auto& [name, tr] : ds.triggers()) {
    if (!tr->parsed) continue;
    out.push_back({"trigger", tr->name, tr->table_name, tr->parsed.get()});
  }
  return out;
}

std::string quoted_replacement(std::string_view sql, parse::Span sp, std::string_view new_name) {
  std::string q = double_quote(new_name);
  if (sp.end < sql.size() && sql[sp.end] == '"') q.push_back(' ');
  return q;
}

// One object of the database after the edits.
struct NewObject {
  std::string type, name, tbl_name, sql;
  uint32_t root = 0;
};

std::string after_message(const Status& s) {
  std::string m(s.message());
  size_t p = m.find(") - ");  // add_entry's "malformed database schema (x) - why"
  return p == std::string::npos ? m : m.substr(p + 4);
}

}  // namespace

std::vector<SchemaError> objects_that_fail_after(CodeGen& g, int db, const std::vector<SchemaEdit>& edits,
                                                 std::string_view when) {
  DatabaseSchema& ds = g.catalog().database(db);
  std::vector<NewObject> objs;
  for (const SchemaObject& o : schema_objects(ds)) {
    NewObject n{o.type, o.name, o.tbl_name, o.parsed->sql, 0};
    if (o.type == "table") n.root = ds.find_table(o.name)->root;
    if (o.type == "index") n.root = ds.find_index(o.name)->root;
    for (const SchemaEdit& e : edits) {
      if (e.type != o.type || !name_eq(e.name, o.name)) continue;
      if (!e.new_name.empty()) n.name = e.new_name;
      if (!e.new_tbl_name.empty()) n.tbl_name = e.new_tbl_name;
      if (!e.new_sql.empty()) n.sql = e.new_sql;
    }
    objs.push_back(std::move(n));
  }
  // Load order: tables, indexes, views, triggers (add_entry wants a table
  // before its indexes).
  auto rank = [](const std::string& type) {
    return type == "table" ? 0 : type == "index" ? 1 : type == "view" ? 2 : 3;
  };
  std::stable_sort(objs.begin(), objs.end(),
                   [&](const NewObject& a, const NewObject& b) { return rank(a.type) < rank(b.type); });
  std::vector<SchemaError> errors;
  auto fail = [&](const NewObject& o, const Status& s) {
    // SQLite's check resolves names only; it does not code the statements.
    std::string why = after_message(s);
    bool name_error = why.rfind("no such ", 0) == 0 || why.rfind("ambiguous column name", 0) == 0 ||
                      why.rfind("duplicate column name", 0) == 0 || why.rfind("malformed", 0) == 0;
    if (!name_error && s.code() != rc::kCorrupt) return;
    // A view's or trigger's tables belong to its own schema: SQLite names it.
    const std::string kNoTable = "no such table: ";
    if (why.rfind(kNoTable, 0) == 0 && why.find('.', kNoTable.size()) == std::string::npos)
      why = kNoTable + g.catalog().database_name(db) + "." + why.substr(kNoTable.size());
    // Reported under the object's name before the change, which is the row
    // the scan meets.
    std::string old_name = o.name;
    for (const SchemaEdit& e : edits)
      if (e.type == o.type && name_eq(e.new_name.empty() ? e.name : e.new_name, o.name)) old_name = e.name;
    errors.push_back({o.type, old_name,
                      "error in " + o.type + " " + o.name +
                          (when.empty() ? "" : " after " + std::string(when)) + ": " + why});
  };
  // The other databases as they are (views and triggers may name their tables).
  Catalog scratch;
  Catalog& real = g.catalog();
  while (scratch.database_count() < real.database_count())
    scratch.attach(real.database_name(scratch.database_count()));
  for (int d = 0; d < real.database_count(); d++) {
    if (d == db || !real.has_database(d)) continue;
    std::vector<SchemaObject> others = schema_objects(real.database(d));
    std::stable_sort(others.begin(), others.end(), [&](const SchemaObject& a, const SchemaObject& b) {
      return rank(a.type) < rank(b.type);
    });
    for (const SchemaObject& o : others) {
      uint32_t root = 0;
      if (o.type == "table") root = real.database(d).find_table(o.name)->root;
      if (o.type == "index") root = real.database(d).find_index(o.name)->root;
      (void)scratch.database(d).add_entry(o.type, o.name, o.tbl_name, root, o.parsed->sql);
    }
  }
  DatabaseSchema& sd = scratch.database(db);
  for (const NewObject& o : objs) {
    Status s = sd.add_entry(o.type, o.name, o.tbl_name, o.root, o.sql);
    if (!s.ok()) fail(o, s);
  }
  CompileInput in = g.input();
  in.catalog = &scratch;
  vm::Program prog;
  CodeGen g2(in, &prog);
  g2.begin_program();
  for (const NewObject& o : objs) {
    if (o.type == "view") {
      Table* v = sd.find_table(o.name);
      if (v == nullptr || v->view_select == nullptr) continue;
      std::string_view saved = g2.swap_sql(v->parsed->sql);
      SelectDest dest;
      dest.kind = SelectDest::Kind::kDiscard;
      Status s = code_select(g2, v->view_select, nullptr, dest);
      if (s.ok() && !g2.deferred_error.ok()) s = g2.deferred_error;
      g2.deferred_error = Status::Ok();
      g2.swap_sql(saved);
      if (!s.ok()) fail(o, s);
    } else if (o.type == "trigger") {
      Trigger* tr = sd.find_trigger(o.name);
      if (tr == nullptr) continue;
      Table* t = sd.find_table(tr->table_name);
      if (t == nullptr || t->is_view || t->is_virtual) continue;
      auto* ct = tr->parsed->stmt->as<parse::CreateTriggerStmt>();
      bool before = ct->time != parse::TriggerTime::kAfter;
      std::vector<Trigger*> saved = t->triggers;
      t->triggers = {tr};
      TableWriter w, old;
      open_writer(g2, w, t, parse::ConflictAction::kDefault);
      open_writer(g2, old, t, parse::ConflictAction::kDefault);
      FromTerm* new_row = ct->event == parse::TriggerEvent::kDelete ? nullptr : &w.term;
      FromTerm* old_row = ct->event == parse::TriggerEvent::kInsert ? nullptr : &old.term;
      std::string_view saved_sql = g2.swap_sql(tr->parsed->sql);
      Status s = code_triggers(g2, t, ct->event, before, old_row, new_row, g2.new_label(), nullptr);
      if (s.ok() && !g2.deferred_error.ok()) s = g2.deferred_error;
      g2.deferred_error = Status::Ok();
      g2.swap_sql(saved_sql);
      t->triggers = std::move(saved);
      if (!s.ok()) fail(o, s);
    }
  }
  return errors;
}

// The TEMP views and triggers that name a table of another database (SQLite
// rewrites them too: UPDATE sqlite_temp_schema ... WHERE type IN ('view',
// 'trigger')), with `replace` giving each token's new text; with `fix_quotes`, every TEMP
// object's double-quoted strings become single-quoted (renameFixQuotes).
std::vector<SchemaEdit> temp_edits(CodeGen& g, const RefTarget& target, const std::string& old_tbl,
                                   const std::string& new_tbl, bool fix_quotes,
                                   const std::function<std::string(std::string_view, parse::Span)>& replace) {
  std::vector<SchemaEdit> edits;
  if (target.db == 1 || !g.catalog().has_database(1)) return edits;
  for (const SchemaObject& o : schema_objects(g.catalog().database(1))) {
    std::vector<parse::Span> dqs;
    std::vector<parse::Span> spans =
        find_references(g, target, o.parsed->stmt, o.parsed->sql, 1, nullptr, &dqs);
    if (!fix_quotes) dqs.clear();
    if (o.type != "view" && o.type != "trigger") spans.clear();
    if (spans.empty() && dqs.empty()) continue;
    std::string_view sql = o.parsed->sql;
    SchemaEdit e;
    e.type = o.type;
    e.name = o.name;
    e.new_sql = rewrite_text(sql, spans, dqs, [&](parse::Span sp) { return replace(sql, sp); });
    if (o.type == "trigger" && !new_tbl.empty() && name_eq(o.tbl_name, old_tbl)) e.new_tbl_name = new_tbl;
    edits.push_back(std::move(e));
  }
  return edits;
}

std::vector<SchemaEdit> quote_fix_edits(CodeGen& g, int db, const std::string& skip_table) {
  std::vector<SchemaEdit> edits;
  if (!g.catalog().has_database(db)) return edits;
  RefTarget none{db, nullptr, -1};
  for (const SchemaObject& o : schema_objects(g.catalog().database(db))) {
    if (o.type == "table" && name_eq(o.name, skip_table)) continue;
    std::vector<parse::Span> dqs;
    find_references(g, none, o.parsed->stmt, o.parsed->sql, db, nullptr, &dqs);
    if (dqs.empty()) continue;
    SchemaEdit e;
    e.type = o.type;
    e.name = o.name;
    e.new_sql = rewrite_text(o.parsed->sql, {}, dqs, [](parse::Span) { return std::string(); });
    edits.push_back(std::move(e));
  }
  return edits;
}

// renameTestSchema before a change: the schema as it is must resolve.
std::vector<SchemaError> views_that_fail(CodeGen& g, int db) {
  return objects_that_fail_after(g, db, {}, "");
}

Status code_alter_rename_table(CodeGen& g, const parse::AlterTableStmt* st, Table* t) {
  std::string new_name(st->new_name.value);
  int db = t->db;
  DatabaseSchema& ds = g.catalog().database(db);
  if (ds.find_table(new_name) || ds.find_index(new_name)) {
    return Status(rc::kError, "there is already another table or index with this name: " + new_name);
  }
  KEEL_RETURN_IF_ERROR(check_alterable(t));
  if (vm::strnicmp(new_name.c_str(), "sqlite_", 7) == 0) {
    return Status(rc::kError, "object name reserved for internal use: " + new_name);
  }
  if (t->is_view) return Status(rc::kError, "view " + t->name + " may not be altered");
  if (t->is_virtual) return Status(rc::kError, "virtual table " + t->name + " may not be renamed by Keel");
  std::vector<SchemaError> errors = views_that_fail(g, db);
  RefTarget target{db, t, -1};
  std::string old_name = t->name;
  std::vector<SchemaEdit> edits;
  for (const SchemaObject& o : schema_objects(ds)) {
    // RENAME TO leaves double-quoted strings alone (no renameFixQuotes).
    std::vector<parse::Span> dqs;
    std::vector<parse::Span> spans = find_references(g, target, o.parsed->stmt, o.parsed->sql, db);
    bool of_table = name_eq(o.tbl_name, old_name);
    if (spans.empty() && dqs.empty() && !of_table) continue;
    SchemaEdit e;
    e.type = o.type;
    e.name = o.name;
    std::string_view sql = o.parsed->sql;
    e.new_sql =
        rewrite_text(sql, spans, dqs, [&](parse::Span sp) { return quoted_replacement(sql, sp, new_name); });
    if (of_table && o.type != "view") {
      e.new_tbl_name = new_name;
      if (o.type == "table") e.new_name = new_name;
    }
    edits.push_back(std::move(e));
  }
  // Automatic indexes are named after their table.
  for (Index* idx : t->indexes) {
    if (idx->parsed || (t->without_rowid && idx == t->primary_key)) continue;
    std::string prefix = "sqlite_autoindex_" + old_name;
    SchemaEdit e;
    e.type = "index";
    e.name = idx->name;
    e.new_name = "sqlite_autoindex_" + new_name + idx->name.substr(std::min(idx->name.size(), prefix.size()));
    e.new_tbl_name = new_name;
    edits.push_back(std::move(e));
  }
  std::vector<SchemaError> after = objects_that_fail_after(g, db, edits, "rename");
  code_schema_errors(g, db, errors);
  code_schema_errors(g, db, after);
  code_schema_edits(g, db, edits);
  std::vector<SchemaEdit> tedits =
      temp_edits(g, target, old_name, new_name, false,
                 [&](std::string_view sql, parse::Span sp) { return quoted_replacement(sql, sp, new_name); });
  code_schema_edits(g, 1, tedits);
  // sqlite_sequence: the row of the table (name compared exactly, as SQLite).
  if (Table* seq = ds.find_table("sqlite_sequence"); seq != nullptr && seq->root > 1) {
    int cur = g.new_cursor();
    open_table(g, seq, cur, true);
    int regs = g.new_reg(2), old_reg = g.new_reg(), rec = g.new_reg(), rowid = g.new_reg();
    g.emit_string(old_reg, old_name);
    int end = g.new_label();
    g.emit(Op::Rewind, cur, end);
    int top = g.addr();
    int next = g.new_label();
    g.emit(Op::Column, cur, 0, regs);
    code_compare_jump(g, parse::BinaryOp::kNe, regs, old_reg, vm::Affinity::kNone, nullptr, next, true);
    g.emit(Op::Column, cur, 1, regs + 1);
    g.emit_string(regs, new_name);
    g.emit(Op::MakeRecord, regs, 2, rec);
    g.emit(Op::Rowid, cur, rowid);
    int ins = g.emit(Op::Insert, cur, rec, rowid);
    g.at(ins).p5 = vm::kOpflagIsUpdate | vm::kOpflagSaveposition;
    g.bind(next);
    g.emit(Op::Next, cur, top);
    g.bind(end);
  }
  code_schema_reload(g, db);
  if (!tedits.empty()) code_schema_reload(g, 1);
  return Status::Ok();
}

Status code_alter_rename_column(CodeGen& g, const parse::AlterTableStmt* st, Table* t) {
  KEEL_RETURN_IF_ERROR(check_alterable(t));
  if (t->is_view || t->is_virtual) {
    return Status(rc::kError, std::string("cannot rename columns of ") +
                                  (t->is_view ? "view" : "virtual table") + " \"" + t->name + "\"");
  }
  int col = t->find_column(st->column.value);
  if (col < 0) {
    return Status(rc::kError, "no such column: \"" + std::string(st->column.span.text(g.sql())) + "\"");
  }
  int db = t->db;
  DatabaseSchema& ds = g.catalog().database(db);
  std::vector<SchemaError> errors = views_that_fail(g, db);
  std::string new_name(st->new_name.value);
  bool quote_new = st->new_name.quote != 0;
  RefTarget target{db, t, col};
  std::vector<SchemaEdit> edits;
  for (const SchemaObject& o : schema_objects(ds)) {
    std::vector<parse::Span> dqs;
    std::vector<parse::Span> spans =
        find_references(g, target, o.parsed->stmt, o.parsed->sql, db, nullptr, &dqs);
    if (spans.empty() && dqs.empty()) continue;
    std::string_view sql = o.parsed->sql;
    SchemaEdit e;
    e.type = o.type;
    e.name = o.name;
    e.new_sql = rewrite_text(sql, spans, dqs, [&](parse::Span sp) {
      if (!quote_new && parse::is_id_char(static_cast<unsigned char>(sql[sp.begin]))) return new_name;
      return quoted_replacement(sql, sp, new_name);
    });
    edits.push_back(std::move(e));
  }
  // renameTestSchema after the change: the table must not now have two
  // columns of one name (the later of the two is named).
  std::vector<SchemaError> after;
  for (size_t j = 0; j < t->columns.size(); j++) {
    if (static_cast<int>(j) == col || !name_eq(t->columns[j].name, new_name)) continue;
    std::string dup = static_cast<int>(j) > col ? t->columns[j].name : new_name;
    after.push_back(
        {"table", t->name, "error in table " + t->name + " after rename: duplicate column name: " + dup});
    break;
  }
  if (after.empty()) after = objects_that_fail_after(g, db, edits, "rename");
  code_schema_errors(g, db, errors);
  code_schema_errors(g, db, after);
  code_schema_edits(g, db, edits);
  std::vector<SchemaEdit> tedits =
      temp_edits(g, target, "", "", true, [&](std::string_view sql, parse::Span sp) {
        if (!quote_new && parse::is_id_char(static_cast<unsigned char>(sql[sp.begin]))) return new_name;
        return quoted_replacement(sql, sp, new_name);
      });
  code_schema_edits(g, 1, tedits);
  code_schema_reload(g, db);
  if (!tedits.empty()) code_schema_reload(g, 1);
  return Status::Ok();
}

}  // namespace keel::plan
