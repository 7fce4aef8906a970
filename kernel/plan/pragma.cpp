// PRAGMA and engine-level statements (SQLite's pragma.c, attach.c,
// vacuum.c). Pragmas that only read the Catalog (table_info, index_list,
// ...) are answered here as constant rows; the others become an
// OP_Pragma whose EngineCommand the engine runs (VmHost::run_command), with
// the result columns SQLite names.
#include "keel/ext/pragma.hpp"

#include <cctype>

#include "plan/analyze.h"
#include "plan/foreign_key.h"
#include "plan/plan_internal.h"
#include "vm/collation.h"

namespace keel::plan {

namespace {

bool name_eq(std::string_view a, std::string_view b) { return vm::stricmp(a, b) == 0; }

// A declared type as table_info shows it: SQLite 3.37+ keeps the six
// standard type names (INT, INTEGER, REAL, TEXT, BLOB, ANY) in canonical
// upper case, any other type text as written.
std::string shown_type(std::string_view type) {
  for (const char* std_type : {"INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"}) {
    if (name_eq(type, std_type)) return std_type;
  }
  return std::string(type);
}

// A constant result row.
struct RowBuilder {
  CodeGen& g;
  int base;
  int i = 0;
  RowBuilder(CodeGen& gen, int n) : g(gen), base(gen.new_reg(n)) {}
  RowBuilder& str(std::string_view s) {
    g.emit_string(base + i++, s);
    return *this;
  }
  RowBuilder& num(int64_t v) {
    g.emit_int64(base + i++, v);
    return *this;
  }
  RowBuilder& null() {
    g.emit(Op::Null, 0, base + i++);
    return *this;
  }
  void emit() { g.emit(Op::ResultRow, base, i); }
};

void set_columns(CodeGen& g, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    vm::ResultColumnInfo info;
    info.name = n;
    g.prog().columns.push_back(info);
  }
}

Status table_info(CodeGen& g, Table* t, bool extended) {
  if (extended) {
    set_columns(g, {"cid", "name", "type", "notnull", "dflt_value", "pk", "hidden"});
  } else {
    set_columns(g, {"cid", "name", "type", "notnull", "dflt_value", "pk"});
  }
  Scope empty;
  if (t->is_view) {
    // A view's columns come from its select.
    FromTerm probe;
    std::string_view saved = g.swap_sql(t->parsed->sql);
    auto r = select_columns(g, t->view_select, nullptr);
    g.swap_sql(saved);
    KEEL_ASSIGN_OR_RETURN(std::vector<ColInfo> cols, std::move(r));
    for (size_t i = 0; i < cols.size(); i++) {
      if (i < t->view_column_names.size()) cols[i].name = t->view_column_names[i];
      // Duplicate names become NAME:1, NAME:2, ... (as the view's columns).
      std::string base = cols[i].name;
      for (int n = 0;;) {
        bool dup = false;
        for (size_t j = 0; j < i; j++) dup = dup || name_eq(cols[j].name, cols[i].name);
        if (!dup) break;
        cols[i].name = base + ":" + std::to_string(++n);
      }
    }
    for (size_t i = 0; i < cols.size(); i++) {
      RowBuilder r(g, 7);
      r.num(static_cast<int64_t>(i)).str(cols[i].name);
      r.str(shown_type(cols[i].decl_type)).num(0).null().num(0);
      if (extended) r.num(0);
      r.emit();
    }
    return Status::Ok();
  }
  int n_hidden = 0;
  for (size_t i = 0; i < t->columns.size(); i++) {
    const Column& c = t->columns[i];
    // SQLite's COLFLAG_NOINSERT columns: table_info leaves them out;
    // table_xinfo shows hidden = 1 (hidden), 2 (VIRTUAL), 3 (STORED).
    int hidden = c.generated == GeneratedKind::kVirtual  ? 2
                 : c.generated == GeneratedKind::kStored ? 3
                 : c.hidden                              ? 1
                                                         : 0;
    if (hidden && !extended) {
      n_hidden++;
      continue;
    }
    int pk = 0;
    if (c.primary_key) {
      if (t->rowid_alias == static_cast<int>(i)) {
        pk = 1;
      } else if (t->primary_key) {
        for (int k = 0; k < t->primary_key->n_key_columns; k++) {
          if (t->primary_key->columns[k] == static_cast<int>(i)) pk = k + 1;
        }
      }
    }
    RowBuilder r(g, 7);
    r.num(static_cast<int64_t>(i) - n_hidden).str(c.name).str(shown_type(c.type)).num(c.not_null ? 1 : 0);
    if (c.default_expr && hidden < 2) {
      r.str(c.default_text);
    } else {
      r.null();
    }
    r.num(pk);
    if (extended) r.num(hidden);
    r.emit();
  }
  return Status::Ok();
}

Status index_list(CodeGen& g, Table* t) {
  set_columns(g, {"seq", "name", "unique", "origin", "partial"});
  int seq = 0;
  // Index-method indexes are partial indexes in the file (plan/index_method.h).
  for (auto it = t->method_indexes.rbegin(); it != t->method_indexes.rend(); ++it) {
    RowBuilder r(g, 5);
    r.num(seq++).str((*it)->name).num(0).str("c").num(1);
    r.emit();
  }
  for (auto it = t->indexes.rbegin(); it != t->indexes.rend(); ++it) {
    const Index* idx = *it;
    RowBuilder r(g, 5);
    const char* origin = idx->origin == 'p' ? "pk" : idx->origin == 'u' ? "u" : "c";
    r.num(seq++).str(idx->name).num(idx->unique ? 1 : 0).str(origin).num(idx->where ? 1 : 0);
    r.emit();
  }
  return Status::Ok();
}

Status index_info(CodeGen& g, Index* idx, bool extended) {
  if (extended) {
    set_columns(g, {"seqno", "cid", "name", "desc", "coll", "key"});
  } else {
    set_columns(g, {"seqno", "cid", "name"});
  }
  int n = extended ? static_cast<int>(idx->columns.size()) : idx->n_key_columns;
  for (int k = 0; k < n; k++) {
    int col = idx->columns[k];
    RowBuilder r(g, 6);
    r.num(k).num(col);
    if (col >= 0) {
      r.str(idx->table->columns[col].name);
    } else {
      r.null();
    }
    if (extended) {
      r.num(idx->desc[k] ? 1 : 0);
      std::string coll = idx->collations[k];
      if (coll.empty() && col >= 0) coll = idx->table->columns[col].collation;
      r.str(coll.empty() ? "BINARY" : coll);
      r.num(k < idx->n_key_columns ? 1 : 0);
    }
    r.emit();
  }
  return Status::Ok();
}

Status table_list(CodeGen& g, std::string_view only) {
  set_columns(g, {"schema", "name", "type", "ncol", "wr", "strict"});
  for (int db = 0; db < g.catalog().database_count(); db++) {
    if (!g.catalog().has_database(db)) continue;
    DatabaseSchema& s = g.catalog().database(db);
    auto row = [&](const Table* t, const std::string& name) {
      if (!only.empty() && !name_eq(only, name)) return;
      int64_t ncol = static_cast<int64_t>(t->columns.size());
      if (t->is_view) {
        // A view's columns come from its select (0 if it cannot be resolved).
        std::string_view saved = g.swap_sql(t->parsed->sql);
        auto cols = select_columns(g, t->view_select, nullptr);
        g.swap_sql(saved);
        ncol = cols.ok() ? static_cast<int64_t>(cols->size()) : 0;
      }
      RowBuilder r(g, 6);
      r.str(g.catalog().database_name(db))
          .str(name)
          .str(t->is_view      ? "view"
               : t->is_virtual ? "virtual"
                               : "table");
      r.num(ncol).num(t->without_rowid ? 1 : 0).num(t->strict ? 1 : 0);
      r.emit();
    };
    for (const auto& [name, t] : s.tables()) row(t.get(), t->name);
    // SQLite 3.40 names the schema tables by their current names.
    row(s.schema_table(), db == 1 ? "sqlite_temp_schema" : "sqlite_schema");
  }
  return Status::Ok();
}

Status foreign_key_list(CodeGen& g, Table* t) {
  set_columns(g, {"id", "seq", "table", "from", "to", "on_update", "on_delete", "match"});
  static const char* kAction[] = {"NO ACTION", "SET NULL", "SET DEFAULT", "CASCADE", "RESTRICT", "NO ACTION"};
  // SQLite lists the constraints newest first, numbered from 0.
  int id = 0;
  for (auto it = t->foreign_keys.rbegin(); it != t->foreign_keys.rend(); ++it, ++id) {
    for (size_t k = 0; k < it->from_columns.size(); k++) {
      RowBuilder r(g, 8);
      r.num(id).num(static_cast<int64_t>(k)).str(it->to_table).str(it->from_columns[k]);
      if (k < it->to_columns.size()) {
        r.str(it->to_columns[k]);
      } else {
        r.null();
      }
      r.str(kAction[it->on_update % 6]).str(kAction[it->on_delete % 6]).str("NONE");
      r.emit();
    }
  }
  return Status::Ok();
}

// Result columns of pragmas the engine answers.
std::vector<std::string> engine_pragma_columns(const std::string& name, bool assign) {
  if (name == "wal_checkpoint") return {"busy", "log", "checkpointed"};
  if (name == "database_list") return {"seq", "name", "file"};
  if (name == "function_list") return {"name", "builtin", "type", "enc", "narg", "flags"};
  if (name == "collation_list") return {"seq", "name"};
  if (name == "module_list" || name == "pragma_list") return {"name"};
  if (name == "foreign_key_check") return {"table", "rowid", "parent", "fkid"};
  if (name == "busy_timeout") return {"timeout"};
  if (assign) {
    if (name == "journal_mode" || name == "locking_mode" || name == "wal_autocheckpoint" ||
        name == "max_page_count" || name == "soft_heap_limit" || name == "hard_heap_limit" ||
        name == "threads" || name == "analysis_limit") {
      return {name};
    }
    return {};
  }
  if (name == "case_sensitive_like" || name == "shrink_memory" || name == "optimize" ||
      name == "incremental_vacuum") {
    return {};
  }
  return {name};
}

// sqlite3_stmt_readonly of a PRAGMA: as in SQLite, only pragmas that may
// write the database file (header values set, journal mode, checkpoints,
// incremental vacuum) are not read-only; connection settings are. A
// module's pragma may run SQL that writes: never read-only.
bool pragma_may_write(CodeGen& g, const EngineCommand& cmd) {
  if (cmd.kind != EngineCommand::Kind::kPragma) return true;
  const std::string& n = cmd.name;
  if (n == "journal_mode" || n == "wal_checkpoint" || n == "incremental_vacuum")
    return true;
  if (cmd.has_value &&
      (n == "user_version" || n == "application_id" || n == "schema_version" || n == "auto_vacuum")) {
    return true;
  }
  if (const auto* mods = g.input().module_pragmas) {
    for (const auto& p : *mods) {
      if (p && vm::stricmp(p->name(), n) == 0) return true;
    }
  }
  return false;
}

Status engine_command(CodeGen& g, std::shared_ptr<EngineCommand> cmd, const std::vector<std::string>& cols) {
  cmd->n_columns = static_cast<int>(cols.size());
  for (const std::string& c : cols) {
    vm::ResultColumnInfo info;
    info.name = c;
    g.prog().columns.push_back(info);
  }
  int n = std::max<int>(1, static_cast<int>(cols.size()));
  int regs = g.new_reg(n);
  int end = g.new_label();
  int top = g.addr();
  int a = g.emit(Op::Pragma, static_cast<int>(cols.size()), end, regs);
  g.at(a).p4type = vm::P4Type::kPointer;
  g.at(a).p4.ptr = g.prog().own_object(cmd);
  if (!cols.empty()) {
    g.emit(Op::ResultRow, regs, static_cast<int>(cols.size()));
    g.emit(Op::Goto, 0, top);
  }
  g.bind(end);
  g.prog().read_only = !pragma_may_write(g, *cmd);
  g.prog().engine_command = true;
  return Status::Ok();
}

// The text of an identifier-or-string expression (ATTACH 'f' AS name).
bool expr_name(const parse::Expr* e, std::string* out) {
  if (e == nullptr) return false;
  if (e->kind == parse::ExprKind::kLiteral) {
    auto* l = e->as<parse::LiteralExpr>();
    if (l->literal == parse::LiteralKind::kString || l->literal == parse::LiteralKind::kInteger ||
        l->literal == parse::LiteralKind::kFloat) {
      *out = std::string(l->text);
      return true;
    }
    if (l->literal == parse::LiteralKind::kNull) {
      out->clear();
      return true;
    }
  }
  if (e->kind == parse::ExprKind::kColumnRef && !e->as<parse::ColumnRefExpr>()->table.present()) {
    *out = std::string(e->as<parse::ColumnRefExpr>()->column.value);
    return true;
  }
  return false;
}

}  // namespace

Status code_pragma(CodeGen& g, const parse::PragmaStmt* st) {
  std::string name(st->name.name.value);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view schema = st->name.schema.present() ? st->name.schema.value : std::string_view();
  int db = -1;
  if (!schema.empty()) {
    db = g.catalog().find_database(schema);
    if (db < 0) return Status(rc::kError, "unknown database " + std::string(schema));
  }
  bool has_value = st->form != parse::PragmaStmt::Form::kNoValue;
  std::string value(st->value);
  if (has_value &&
      (name == "table_info" || name == "table_xinfo" || name == "index_list" || name == "foreign_key_list")) {
    Table* t = g.catalog().find_table(schema, value);
    if (t == nullptr) return Status::Ok();  // SQLite returns no rows
    if (name == "index_list") return index_list(g, t);
    if (name == "foreign_key_list") return foreign_key_list(g, t);
    return table_info(g, t, name == "table_xinfo");
  }
  if (has_value && (name == "index_info" || name == "index_xinfo")) {
    Index* idx = g.catalog().find_index(schema, value);
    if (idx == nullptr) return Status::Ok();
    return index_info(g, idx, name == "index_xinfo");
  }
  if (name == "table_list") return table_list(g, has_value ? std::string_view(value) : std::string_view());
  if (name == "foreign_key_check")
    return code_foreign_key_check(g, db, has_value ? std::string_view(value) : "");
  auto cmd = std::make_shared<EngineCommand>();
  cmd->kind = EngineCommand::Kind::kPragma;
  cmd->name = name;
  cmd->value = value;
  cmd->has_value = has_value;
  cmd->db = db;
  bool assign = st->form == parse::PragmaStmt::Form::kAssign ||
                (st->form == parse::PragmaStmt::Form::kCall && name != "integrity_check" &&
                 name != "quick_check" && name != "wal_checkpoint" && name != "foreign_key_check");
  if (const auto* mp = g.input().module_pragmas) {
    for (const auto& h : *mp) {
      if (vm::stricmp(h->name(), name) == 0) return engine_command(g, cmd, h->columns());
    }
  }
  return engine_command(g, cmd, engine_pragma_columns(name, assign));
}

Status code_schema_object(CodeGen& g, const parse::CreateExtensionStmt* st) {
  const auto* objects = g.input().schema_objects;
  for (size_t i = 0; objects && i < objects->size(); i++) {
    std::vector<std::string> kw = (*objects)[i]->keywords();
    if (kw.empty() || kw.size() > st->words.size) continue;
    bool match = true;
    for (size_t k = 0; k < kw.size() && match; k++) match = vm::stricmp(st->words[k].value, kw[k]) == 0;
    if (!match) continue;
    auto cmd = std::make_shared<EngineCommand>();
    cmd->kind = EngineCommand::Kind::kSchemaObject;
    cmd->object = static_cast<int>(i);
    cmd->drop = st->drop;
    std::string_view last = st->words[kw.size() - 1].value;
    size_t rest_begin = static_cast<size_t>(last.data() + last.size() - st->body_text.data());
    std::string_view rest = st->body_text.substr(rest_begin);
    while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front()))) rest.remove_prefix(1);
    cmd->has_value = st->temp;
    if (st->drop) {
      // DROP <keywords> [IF EXISTS] name
      if (st->words.size >= kw.size() + 2 && vm::stricmp(st->words[kw.size()].value, "if") == 0 &&
          vm::stricmp(st->words[kw.size() + 1].value, "exists") == 0) {
        cmd->has_value = true;
        std::string_view ex = st->words[kw.size() + 1].value;
        rest = st->body_text.substr(static_cast<size_t>(ex.data() + ex.size() - st->body_text.data()));
        while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front()))) rest.remove_prefix(1);
      }
    }
    cmd->name = std::string(rest);
    cmd->value = std::string(g.sql().substr(st->span.begin, st->span.size()));
    KEEL_RETURN_IF_ERROR(engine_command(g, cmd, {}));
    g.prog().counts_changes = false;
    return Status::Ok();
  }
  return Status(rc::kError, std::string(st->error));
}

Status code_engine_command(CodeGen& g, const parse::Stmt* st) {
  auto cmd = std::make_shared<EngineCommand>();
  switch (st->kind) {
    case parse::StmtKind::kVacuum: {
      auto* v = st->as<parse::VacuumStmt>();
      cmd->kind = EngineCommand::Kind::kVacuum;
      cmd->db = 0;
      if (v->schema.present()) {
        cmd->db = g.catalog().find_database(v->schema.value);
        if (cmd->db < 0) return Status(rc::kError, "unknown database " + std::string(v->schema.value));
      }
      if (v->into) {
        if (!expr_name(v->into, &cmd->value)) return Status(rc::kError, "VACUUM INTO requires a file name");
        cmd->has_value = true;
      }
      return engine_command(g, cmd, {});
    }
    case parse::StmtKind::kAttach: {
      auto* a = st->as<parse::AttachStmt>();
      cmd->kind = EngineCommand::Kind::kAttach;
      cmd->has_value = true;
      if (expr_name(a->filename, &cmd->value) && expr_name(a->schema, &cmd->name)) {
        return engine_command(g, cmd, {});
      }
      // Expressions (ATTACH 'x' || '.db' AS ?): computed when the statement
      // runs; a bare identifier still stands for its own name, as in
      // SQLite's resolveAttachExpr.
      cmd->args_in_rows = true;
      int regs = g.new_reg(2);
      const parse::Expr* parts[2] = {a->filename, a->schema};
      for (int i = 0; i < 2; i++) {
        std::string literal;
        if (expr_name(parts[i], &literal)) {
          g.emit_str(Op::String8, 0, regs + i, 0, literal);
        } else {
          KEEL_RETURN_IF_ERROR(code_expr(g, nullptr, parts[i], regs + i));
        }
      }
      int end = g.new_label();
      int at = g.emit(Op::Pragma, 0, end, regs);
      g.at(at).p4type = vm::P4Type::kPointer;
      g.at(at).p4.ptr = g.prog().own_object(cmd);
      g.at(at).p5 = 1;
      g.bind(end);
      g.prog().read_only = false;
      g.prog().engine_command = true;
      return Status::Ok();
    }
    case parse::StmtKind::kDetach: {
      auto* d = st->as<parse::DetachStmt>();
      cmd->kind = EngineCommand::Kind::kDetach;
      if (!expr_name(d->schema, &cmd->name)) return Status(rc::kError, "DETACH requires a schema name");
      // Checked when it runs (the temp database may not be open yet).
      return engine_command(g, cmd, {});
    }
    case parse::StmtKind::kAnalyze: {
      KEEL_RETURN_IF_ERROR(analyze_command(g, st->as<parse::AnalyzeStmt>(), cmd.get()));  // analyze.cpp
      KEEL_RETURN_IF_ERROR(engine_command(g, cmd, {}));
      g.prog().read_only = false;
      return Status::Ok();
    }
    case parse::StmtKind::kCreateTrigger:
      return code_create_trigger(g, st->as<parse::CreateTriggerStmt>());
    case parse::StmtKind::kCreateVirtualTable:
      return Status(rc::kError,
                    "no such module: " + std::string(st->as<parse::CreateVirtualTableStmt>()->module.value));
    case parse::StmtKind::kAlterTable:
      return code_alter_table(g, st->as<parse::AlterTableStmt>());
    default:
      return Status(rc::kError, "statement not supported");
  }
}

}  // namespace keel::plan
