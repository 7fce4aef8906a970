// The authorizer (sqlite3_set_authorizer, SQLite's auth.c): while a
// statement compiles, the application's callback is asked about each
// action — the statement itself (SQLITE_INSERT, SQLITE_CREATE_TABLE,
// SQLITE_PRAGMA, ...), every column a query reads (SQLITE_READ) and every
// function it calls (SQLITE_FUNCTION). The answer is SQLITE_OK, SQLITE_DENY
// (the prepare fails with SQLITE_AUTH) or SQLITE_IGNORE (the statement
// compiles to nothing; a column read yields NULL). Any other answer is
// "authorizer malfunction". The callback runs at prepare time only; the
// engine recompiles statements when the authorizer changes.
#include "plan/authorize.h"

#include <string>

#include "plan/plan_internal.h"

namespace keel::plan {

namespace {

constexpr int kOk = 0, kDeny = 1, kIgnore = 2;

// An argument: text, or absent (NULL to the callback).
struct Arg {
  Arg() = default;
  Arg(std::string_view v) : text(v), present(true) {}    // NOLINT: implicit by design
  Arg(const char* v) : text(v), present(true) {}         // NOLINT
  Arg(const std::string& v) : text(v), present(true) {}  // NOLINT
  std::string text;
  bool present = false;
  const char* c_str() const { return present ? text.c_str() : nullptr; }
};

Arg name_arg(const parse::Name& n) { return n.present() ? Arg(n.value) : Arg(); }

std::string database_of(const parse::QualifiedName& q, bool temp) {
  if (temp) return "temp";
  if (q.schema.present()) return std::string(q.schema.value);
  return "main";
}

std::string schema_table(std::string_view db) {
  return db == "temp" ? "sqlite_temp_master" : "sqlite_master";
}

Status ask(CodeGen& g, int action, const Arg& a, const Arg& b, const Arg& db, bool* ignore) {
  const Authorizer* auth = g.input().authorizer;
  if (auth == nullptr || !*auth || g.auth_suspended) return Status::Ok();
  int rc = (*auth)(action, a.c_str(), b.c_str(), db.c_str(),
                   g.auth_trigger.empty() ? nullptr : g.auth_trigger.c_str());
  if (rc == kOk) return Status::Ok();
  if (rc == kIgnore) {
    if (ignore) *ignore = true;
    return Status::Ok();
  }
  if (rc == kDeny) return Status(rc::kAuth, "not authorized");
  return Status(rc::kError, "authorizer malfunction");
}

}  // namespace

Status ask_read(CodeGen& g, const FromTerm* t, int col, bool* ignore);

Status authorize_statement(CodeGen& g, const parse::Stmt* st, bool* ignore) {
  using K = parse::StmtKind;
  const Arg none;
  switch (st->kind) {
    case K::kSelect:
      return ask(g, auth::kSelect, none, none, none, ignore);
    case K::kInsert: {
      auto* s = st->as<parse::InsertStmt>();
      return ask(g, auth::kInsert, s->table.name.value, none, database_of(s->table, false), ignore);
    }
    case K::kUpdate: {
      auto* s = st->as<parse::UpdateStmt>();
      std::string db = database_of(s->table, false);
      for (const parse::SetClause& sc : s->set) {
        for (const parse::Name& c : sc.columns) {
          KEEL_RETURN_IF_ERROR(ask(g, auth::kUpdate, s->table.name.value, c.value, db, ignore));
        }
      }
      return Status::Ok();
    }
    case K::kDelete: {
      // IGNORE lets the DELETE run (SQLite only gives up its truncate shortcut).
      auto* s = st->as<parse::DeleteStmt>();
      return ask(g, auth::kDelete, s->table.name.value, none, database_of(s->table, false), nullptr);
    }
    case K::kCreateTable: {
      auto* s = st->as<parse::CreateTableStmt>();
      std::string db = database_of(s->name, s->temp);
      KEEL_RETURN_IF_ERROR(ask(g, auth::kInsert, schema_table(db), none, db, ignore));
      return ask(g, s->temp ? auth::kCreateTempTable : auth::kCreateTable, s->name.name.value, none, db,
                 ignore);
    }
    case K::kCreateIndex: {
      auto* s = st->as<parse::CreateIndexStmt>();
      std::string db = database_of(s->name, false);
      KEEL_RETURN_IF_ERROR(ask(g, auth::kInsert, schema_table(db), none, db, ignore));
      KEEL_RETURN_IF_ERROR(ask(g, db == "temp" ? auth::kCreateTempIndex : auth::kCreateIndex,
                               s->name.name.value, s->table.value, db, ignore));
      // Building the index reads its columns and fills it (SQLITE_REINDEX).
      if (const Table* t =
              g.catalog().find_table(s->name.schema.present() ? s->name.schema.value : "", s->table.value)) {
        for (const parse::OrderingTerm& ot : s->columns) {
          const parse::Expr* e = ot.expr;
          if (e->kind == parse::ExprKind::kCollate) e = e->as<parse::CollateExpr>()->operand;
          if (e->kind != parse::ExprKind::kColumnRef) continue;
          int c = t->find_column(e->as<parse::ColumnRefExpr>()->column.value);
          if (c >= 0) KEEL_RETURN_IF_ERROR(ask(g, auth::kRead, t->name, t->columns[c].name, db, nullptr));
        }
      }
      return ask(g, auth::kReindex, s->name.name.value, none, db, ignore);
    }
    case K::kCreateView: {
      auto* s = st->as<parse::CreateViewStmt>();
      std::string db = database_of(s->name, s->temp);
      KEEL_RETURN_IF_ERROR(ask(g, auth::kInsert, schema_table(db), none, db, ignore));
      return ask(g, s->temp ? auth::kCreateTempView : auth::kCreateView, s->name.name.value, none, db,
                 ignore);
    }
    case K::kCreateTrigger: {
      auto* s = st->as<parse::CreateTriggerStmt>();
      std::string db = database_of(s->name, s->temp);
      KEEL_RETURN_IF_ERROR(ask(g, s->temp ? auth::kCreateTempTrigger : auth::kCreateTrigger,
                               s->name.name.value, s->table.name.value, db, ignore));
      return ask(g, auth::kInsert, schema_table(db), none, db, ignore);
    }
    case K::kCreateVirtualTable: {
      auto* s = st->as<parse::CreateVirtualTableStmt>();
      std::string db = database_of(s->name, false);
      KEEL_RETURN_IF_ERROR(ask(g, auth::kInsert, schema_table(db), none, db, ignore));
      return ask(g, auth::kCreateVtable, s->name.name.value, s->module.value, db, ignore);
    }
    case K::kDrop: {
      auto* s = st->as<parse::DropStmt>();
      std::string_view schema = s->name.schema.present() ? s->name.schema.value : std::string_view();
      bool temp = false;
      Arg table;
      switch (s->object) {
        case parse::DropStmt::Object::kTable:
        case parse::DropStmt::Object::kView: {
          const Table* t = g.catalog().find_table(schema, s->name.name.value);
          if (t == nullptr) return Status::Ok();  // the statement reports it
          temp = t->db == 1;
          break;
        }
        case parse::DropStmt::Object::kIndex: {
          const Index* x = g.catalog().find_index(schema, s->name.name.value);
          if (x == nullptr) return Status::Ok();
          temp = x->db == 1;
          table = Arg(x->table_name);
          break;
        }
        case parse::DropStmt::Object::kTrigger:
          temp = schema == "temp";
          break;
      }
      std::string db = temp ? "temp" : schema.empty() ? "main" : std::string(schema);
      int action = 0;
      switch (s->object) {
        case parse::DropStmt::Object::kTable:
          action = temp ? auth::kDropTempTable : auth::kDropTable;
          break;
        case parse::DropStmt::Object::kView:
          action = temp ? auth::kDropTempView : auth::kDropView;
          break;
        case parse::DropStmt::Object::kIndex:
          action = temp ? auth::kDropTempIndex : auth::kDropIndex;
          break;
        case parse::DropStmt::Object::kTrigger:
          action = temp ? auth::kDropTempTrigger : auth::kDropTrigger;
          break;
      }
      KEEL_RETURN_IF_ERROR(ask(g, action, s->name.name.value, table, db, ignore));
      if (s->object == parse::DropStmt::Object::kTable || s->object == parse::DropStmt::Object::kView) {
        KEEL_RETURN_IF_ERROR(ask(g, auth::kDelete, s->name.name.value, none, db, ignore));
      }
      return ask(g, auth::kDelete, schema_table(db), none, db, ignore);
    }
    case K::kAlterTable: {
      auto* s = st->as<parse::AlterTableStmt>();
      std::string_view schema = s->table.schema.present() ? s->table.schema.value : std::string_view();
      const Table* t = g.catalog().find_table(schema, s->table.name.value);
      std::string db = t ? g.catalog().database_name(t->db) : database_of(s->table, false);
      return ask(g, auth::kAlterTable, db, s->table.name.value, none, ignore);
    }
    case K::kPragma: {
      auto* s = st->as<parse::PragmaStmt>();
      Arg value = s->form == parse::PragmaStmt::Form::kNoValue ? Arg() : Arg(s->value);
      return ask(g, auth::kPragma, s->name.name.value, value, name_arg(s->name.schema), ignore);
    }
    case K::kBegin:
      return ask(g, auth::kTransaction, "BEGIN", none, none, ignore);
    case K::kCommit:
      return ask(g, auth::kTransaction, "COMMIT", none, none, ignore);
    case K::kRollback: {
      auto* s = st->as<parse::RollbackStmt>();
      if (s->savepoint.present())
        return ask(g, auth::kSavepoint, "ROLLBACK", s->savepoint.value, none, ignore);
      return ask(g, auth::kTransaction, "ROLLBACK", none, none, ignore);
    }
    case K::kSavepoint:
      return ask(g, auth::kSavepoint, "BEGIN", st->as<parse::SavepointStmt>()->name.value, none, ignore);
    case K::kRelease:
      return ask(g, auth::kSavepoint, "RELEASE", st->as<parse::ReleaseStmt>()->name.value, none, ignore);
    case K::kReindex: {
      auto* s = st->as<parse::ReindexStmt>();
      return ask(g, auth::kReindex, name_arg(s->name.name), none, name_arg(s->name.schema), ignore);
    }
    case K::kAnalyze: {
      auto* s = st->as<parse::AnalyzeStmt>();
      return ask(g, auth::kAnalyze, name_arg(s->name.name), none, name_arg(s->name.schema), ignore);
    }
    case K::kAttach: {
      auto* s = st->as<parse::AttachStmt>();
      const parse::Expr* f = s->filename;
      std::string_view text = g.sql().substr(f->span.begin, f->span.end - f->span.begin);
      if (f->kind == parse::ExprKind::kLiteral && text.size() >= 2 && text.front() == '\'') {
        text = text.substr(1, text.size() - 2);
      }
      return ask(g, auth::kAttach, text, none, none, ignore);
    }
    case K::kDetach: {
      auto* s = st->as<parse::DetachStmt>();
      const parse::Expr* e = s->schema;
      return ask(g, auth::kDetach, g.sql().substr(e->span.begin, e->span.end - e->span.begin), none, none,
                 ignore);
    }
    default:
      return Status::Ok();
  }
}

Status authorize_read(CodeGen& g, const FromTerm* t, int col, bool* ignore) {
  // Suspended: nothing asked, nothing remembered (the term may be a
  // temporary one whose address a later term reuses).
  if (g.input().authorizer == nullptr || t == nullptr || g.auth_suspended) return Status::Ok();
  if (t->table == nullptr && !t->view_name.empty() && col >= 0 && col < static_cast<int>(t->cols.size())) {
    // A column of a view, as the outer query reads it (the view's own
    // tables are asked about while its body is compiled or flattened).
    auto key = std::make_pair(static_cast<const void*>(t), col);
    if (g.auth_reads.count(key)) return Status::Ok();
    g.auth_reads[key] = false;
    return ask(g, auth::kRead, t->view_name, t->cols[col].name, t->db_name, nullptr);
  }
  if (t->table == nullptr) return Status::Ok();
  auto key = std::make_pair(static_cast<const void*>(t), col);
  auto seen = g.auth_reads.find(key);
  if (seen != g.auth_reads.end()) {
    if (ignore) *ignore = seen->second;
    return Status::Ok();
  }
  bool ignored = false;
  KEEL_RETURN_IF_ERROR(ask_read(g, t, col, &ignored));
  g.auth_reads[key] = ignored;
  if (ignore) *ignore = ignored;
  return Status::Ok();
}

Status authorize_unread_tables(CodeGen& g, const std::vector<FromTerm*>& terms) {
  if (g.input().authorizer == nullptr) return Status::Ok();
  for (const FromTerm* t : terms) {
    if (t == nullptr || t->table == nullptr) continue;
    // A table none of whose stored columns is read (count(*), only the
    // rowid): SQLite asks with an empty column name and no database.
    bool used = false;
    for (auto it = g.auth_reads.lower_bound(std::make_pair(static_cast<const void*>(t), INT32_MIN));
         it != g.auth_reads.end() && it->first.first == t && !used; ++it) {
      used = it->first.second >= 0 && it->first.second != t->table->rowid_alias;
    }
    if (used) continue;
    if (g.auth_reads.count(std::make_pair(static_cast<const void*>(t), INT32_MIN))) continue;
    KEEL_RETURN_IF_ERROR(ask(g, auth::kRead, t->table->name, "", Arg(), nullptr));
    g.auth_reads[std::make_pair(static_cast<const void*>(t), INT32_MIN)] = false;
  }
  return Status::Ok();
}

Status ask_read(CodeGen& g, const FromTerm* t, int col, bool* ignore) {
  const Table* table = t->table;
  std::string column;
  if (col < 0 || col == table->rowid_alias) {
    column = col < 0 ? "ROWID" : table->columns[col].name;
  } else {
    column = table->columns[col].name;
  }
  std::string db = g.catalog().database_name(table->db);
  Status s = ask(g, auth::kRead, table->name, column, db, ignore);
  if (s.code() == rc::kAuth) {
    std::string what = table->name + "." + column;
    if (table->db != 0 || g.catalog().database_count() > 2) what = db + "." + what;
    return Status(rc::kAuth, "access to " + what + " is prohibited");
  }
  return s;
}

Status authorize_select(CodeGen& g) { return ask(g, auth::kSelect, Arg(), Arg(), Arg(), nullptr); }

Status authorize_function(CodeGen& g, std::string_view name, bool* ignore) {
  return ask(g, auth::kFunction, Arg(), Arg(name), Arg(), ignore);
}

Status authorize_recursive(CodeGen& g) { return ask(g, auth::kRecursive, Arg(), Arg(), Arg(), nullptr); }

}  // namespace keel::plan
