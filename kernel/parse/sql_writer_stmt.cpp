// to_sql() for statements: DML, DDL, transaction control and the rest.
#include <string>

#include "parse/sql_writer_internal.h"

namespace keel::parse::internal {

void Writer::conflict(ConflictAction a, const char* prefix) {
  static const char* kNames[] = {"", "ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE"};
  if (a == ConflictAction::kDefault) return;
  out += prefix;
  out += kNames[static_cast<int>(a)];
}

void Writer::setlist(List<SetClause> l) {
  for (uint32_t i = 0; i < l.size; ++i) {
    if (i) out += ", ";
    if (l[i].parenthesized) {
      out += '(';
      names(l[i].columns);
      out += ')';
    } else {
      name(l[i].columns[0]);
    }
    out += " = ";
    expr(*l[i].value);
  }
}

void Writer::returning(List<ResultColumn> l) {
  if (l.empty()) return;
  out += " RETURNING ";
  result_columns(l);
}

void Writer::hint(IndexHint h, const Name& index) {
  if (h == IndexHint::kIndexedBy) {
    out += " INDEXED BY ";
    name(index);
  } else if (h == IndexHint::kNotIndexed) {
    out += " NOT INDEXED";
  }
}

void Writer::fk(const ForeignKeyClause& f, bool with_table) {
  if (with_table) {
    out += "REFERENCES ";
    name(f.table);
    if (!f.columns.empty()) {
      out += '(';
      names(f.columns);
      out += ')';
    }
    static const char* kActions[] = {"", "SET NULL", "SET DEFAULT", "CASCADE", "RESTRICT", "NO ACTION"};
    if (f.on_delete != FkAction::kNone)
      out += std::string(" ON DELETE ") + kActions[static_cast<int>(f.on_delete)];
    if (f.on_update != FkAction::kNone)
      out += std::string(" ON UPDATE ") + kActions[static_cast<int>(f.on_update)];
    for (const Name& m : f.match) {
      out += " MATCH ";
      name(m);
    }
  }
  if (f.has_deferral) {
    if (with_table) out += ' ';
    out += f.not_deferrable ? "NOT DEFERRABLE" : "DEFERRABLE";
    if (f.initially == ForeignKeyClause::Initially::kDeferred) out += " INITIALLY DEFERRED";
    if (f.initially == ForeignKeyClause::Initially::kImmediate) out += " INITIALLY IMMEDIATE";
  }
}

void Writer::column_def(const ColumnDef& c) {
  name(c.name);
  if (!c.type.text.empty()) {
    out += ' ';
    type(c.type);
  }
  for (const ColumnConstraint* cc : c.constraints) {
    out += ' ';
    if (cc->name.present()) {
      out += "CONSTRAINT ";
      name(cc->name);
      if (cc->kind == ColumnConstraint::Kind::kName) continue;
      out += ' ';
    }
    switch (cc->kind) {
      case ColumnConstraint::Kind::kName:
        break;
      case ColumnConstraint::Kind::kPrimaryKey:
        out += "PRIMARY KEY";
        if (cc->order == SortOrder::kAsc) out += " ASC";
        if (cc->order == SortOrder::kDesc) out += " DESC";
        conflict(cc->on_conflict, " ON CONFLICT ");
        if (cc->autoincrement) out += " AUTOINCREMENT";
        break;
      case ColumnConstraint::Kind::kNotNull:
        out += "NOT NULL";
        conflict(cc->on_conflict, " ON CONFLICT ");
        break;
      case ColumnConstraint::Kind::kNull:
        out += "NULL";
        conflict(cc->on_conflict, " ON CONFLICT ");
        break;
      case ColumnConstraint::Kind::kUnique:
        out += "UNIQUE";
        conflict(cc->on_conflict, " ON CONFLICT ");
        break;
      case ColumnConstraint::Kind::kCheck:
        out += "CHECK (";
        expr(*cc->expr);
        out += ')';
        break;
      case ColumnConstraint::Kind::kDefault:
        if (cc->expr->kind == ExprKind::kLiteral &&
            (cc->expr->as<LiteralExpr>()->literal == LiteralKind::kTrue ||
             cc->expr->as<LiteralExpr>()->literal == LiteralKind::kFalse)) {
          out +=
              cc->expr->as<LiteralExpr>()->literal == LiteralKind::kTrue ? "DEFAULT true" : "DEFAULT false";
          break;
        }
        out += "DEFAULT (";
        expr(*cc->expr);
        out += ')';
        break;
      case ColumnConstraint::Kind::kCollate:
        out += "COLLATE ";
        name(cc->collation);
        break;
      case ColumnConstraint::Kind::kReferences:
        fk(*cc->foreign_key, true);
        break;
      case ColumnConstraint::Kind::kDeferral:
        fk(*cc->foreign_key, false);
        break;
      case ColumnConstraint::Kind::kGenerated:
        out += "GENERATED ALWAYS AS (";
        expr(*cc->expr);
        out += ')';
        if (cc->storage_word.present()) {
          out += ' ';
          name(cc->storage_word);
        }
        break;
    }
  }
}

void Writer::stmt(const Stmt& s) {
  switch (s.kind) {
    case StmtKind::kSelect:
      select(*s.as<SelectStmt>()->select);
      break;
    case StmtKind::kInsert: {
      auto* st = s.as<InsertStmt>();
      with(st->with);
      if (st->replace_keyword) {
        out += "REPLACE";
      } else {
        out += "INSERT";
        conflict(st->or_conflict, " OR ");
      }
      out += " INTO ";
      qualified(st->table);
      if (st->alias.present()) {
        out += " AS ";
        name(st->alias);
      }
      if (!st->columns.empty()) {
        out += " (";
        names(st->columns);
        out += ')';
      }
      if (st->default_values) {
        out += " DEFAULT VALUES";
      } else {
        out += ' ';
        select(*st->select);
        // An upsert after a SELECT with a FROM clause would be read as a join constraint.
        if (!st->upserts.empty() && !st->select->cores.back()->is_values &&
            !st->select->cores.back()->from.empty() && st->select->cores.back()->where == nullptr &&
            st->select->order_by.empty() && st->select->limit == nullptr &&
            st->select->cores.back()->group_by.empty() && st->select->cores.back()->windows.empty()) {
          out += " WHERE TRUE";
        }
        for (const Upsert* u : st->upserts) {
          out += " ON CONFLICT";
          if (!u->target.empty()) {
            out += " (";
            ordering(u->target);
            out += ')';
            if (u->target_where) {
              out += " WHERE ";
              expr(*u->target_where);
            }
          }
          if (u->do_update) {
            out += " DO UPDATE SET ";
            setlist(u->set);
            if (u->where) {
              out += " WHERE ";
              expr(*u->where);
            }
          } else {
            out += " DO NOTHING";
          }
        }
      }
      returning(st->returning);
      break;
    }
    case StmtKind::kUpdate: {
      auto* st = s.as<UpdateStmt>();
      with(st->with);
      out += "UPDATE";
      conflict(st->or_conflict, " OR ");
      out += ' ';
      qualified(st->table);
      if (st->alias.present()) {
        out += " AS ";
        name(st->alias);
      }
      hint(st->hint, st->index);
      out += " SET ";
      setlist(st->set);
      if (!st->from.empty()) {
        out += " FROM ";
        from(st->from);
      }
      if (st->where) {
        out += " WHERE ";
        expr(*st->where);
      }
      returning(st->returning);
      order_limit(st->order_by, st->limit, st->offset);
      break;
    }
    case StmtKind::kDelete: {
      auto* st = s.as<DeleteStmt>();
      with(st->with);
      out += "DELETE FROM ";
      qualified(st->table);
      if (st->alias.present()) {
        out += " AS ";
        name(st->alias);
      }
      hint(st->hint, st->index);
      if (st->where) {
        out += " WHERE ";
        expr(*st->where);
      }
      returning(st->returning);
      order_limit(st->order_by, st->limit, st->offset);
      break;
    }
    case StmtKind::kCreateTable: {
      auto* st = s.as<CreateTableStmt>();
      out += st->temp ? "CREATE TEMP TABLE " : "CREATE TABLE ";
      if (st->if_not_exists) out += "IF NOT EXISTS ";
      qualified(st->name);
      if (st->as_select) {
        out += " AS ";
        select(*st->as_select);
        break;
      }
      out += '(';
      for (uint32_t i = 0; i < st->columns.size; ++i) {
        if (i) out += ", ";
        column_def(*st->columns[i]);
      }
      for (const TableConstraint* tc : st->constraints) {
        out += ", ";
        if (tc->name.present()) {
          out += "CONSTRAINT ";
          name(tc->name);
          if (tc->kind == TableConstraint::Kind::kName) continue;
          out += ' ';
        }
        switch (tc->kind) {
          case TableConstraint::Kind::kName:
            break;
          case TableConstraint::Kind::kPrimaryKey:
            out += "PRIMARY KEY (";
            ordering(tc->columns);
            if (tc->autoincrement) out += " AUTOINCREMENT";
            out += ')';
            conflict(tc->on_conflict, " ON CONFLICT ");
            break;
          case TableConstraint::Kind::kUnique:
            out += "UNIQUE (";
            ordering(tc->columns);
            out += ')';
            conflict(tc->on_conflict, " ON CONFLICT ");
            break;
          case TableConstraint::Kind::kCheck:
            out += "CHECK (";
            expr(*tc->check);
            out += ')';
            conflict(tc->on_conflict, " ON CONFLICT ");
            break;
          case TableConstraint::Kind::kForeignKey:
            out += "FOREIGN KEY (";
            names(tc->fk_columns);
            out += ") ";
            fk(*tc->foreign_key, true);
            break;
        }
      }
      out += ')';
      if (st->without_rowid) out += " WITHOUT ROWID";
      if (st->strict) out += st->without_rowid ? ", STRICT" : " STRICT";
      break;
    }
    case StmtKind::kCreateIndex: {
      auto* st = s.as<CreateIndexStmt>();
      out += st->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ";
      if (st->if_not_exists) out += "IF NOT EXISTS ";
      qualified(st->name);
      out += " ON ";
      name(st->table);
      if (st->method.present()) {
        out += " USING ";
        name(st->method);
      }
      out += " (";
      ordering(st->columns);
      out += ')';
      if (!st->params.empty()) {
        out += " WITH (";
        for (uint32_t i = 0; i < st->params.size; ++i) {
          if (i) out += ", ";
          name(st->params[i].key);
          out += " = ";
          expr(*st->params[i].value);
        }
        out += ')';
      }
      if (st->where) {
        out += " WHERE ";
        expr(*st->where);
      }
      break;
    }
    case StmtKind::kCreateView: {
      auto* st = s.as<CreateViewStmt>();
      out += st->temp ? "CREATE TEMP VIEW " : "CREATE VIEW ";
      if (st->if_not_exists) out += "IF NOT EXISTS ";
      qualified(st->name);
      if (!st->columns.empty()) {
        out += '(';
        names(st->columns);
        out += ')';
      }
      out += " AS ";
      select(*st->select);
      break;
    }
    case StmtKind::kCreateTrigger: {
      auto* st = s.as<CreateTriggerStmt>();
      out += st->temp ? "CREATE TEMP TRIGGER " : "CREATE TRIGGER ";
      if (st->if_not_exists) out += "IF NOT EXISTS ";
      qualified(st->name);
      static const char* kTimes[] = {"", " BEFORE", " AFTER", " INSTEAD OF"};
      out += kTimes[static_cast<int>(st->time)];
      static const char* kEvents[] = {" DELETE", " INSERT", " UPDATE"};
      out += kEvents[static_cast<int>(st->event)];
      if (!st->update_columns.empty()) {
        out += " OF ";
        names(st->update_columns);
      }
      out += " ON ";
      qualified(st->table);
      if (st->for_each_row) out += " FOR EACH ROW";
      if (st->when) {
        out += " WHEN ";
        expr(*st->when);
      }
      out += " BEGIN ";
      for (const Stmt* step : st->steps) {
        stmt(*step);
        out += "; ";
      }
      out += "END";
      break;
    }
    case StmtKind::kCreateVirtualTable: {
      auto* st = s.as<CreateVirtualTableStmt>();
      out += "CREATE VIRTUAL TABLE ";
      if (st->if_not_exists) out += "IF NOT EXISTS ";
      qualified(st->name);
      out += " USING ";
      name(st->module);
      if (st->has_args) {
        out += '(';
        for (uint32_t i = 0; i < st->arg_texts.size; ++i) {
          if (i) out += ", ";
          out += st->arg_texts[i];
        }
        out += ')';
      }
      break;
    }
    case StmtKind::kCreateExtension: {
      auto* st = s.as<CreateExtensionStmt>();
      out += st->temp ? "CREATE TEMP " : "CREATE ";
      out += st->body_text;
      break;
    }
    case StmtKind::kDrop: {
      auto* st = s.as<DropStmt>();
      static const char* kObjects[] = {"DROP TABLE ", "DROP INDEX ", "DROP VIEW ", "DROP TRIGGER "};
      out += kObjects[static_cast<int>(st->object)];
      if (st->if_exists) out += "IF EXISTS ";
      qualified(st->name);
      break;
    }
    case StmtKind::kAlterTable: {
      auto* st = s.as<AlterTableStmt>();
      out += "ALTER TABLE ";
      qualified(st->table);
      switch (st->action) {
        case AlterTableStmt::Action::kRenameTable:
          out += " RENAME TO ";
          name(st->new_name);
          break;
        case AlterTableStmt::Action::kRenameColumn:
          out += " RENAME COLUMN ";
          name(st->column);
          out += " TO ";
          name(st->new_name);
          break;
        case AlterTableStmt::Action::kAddColumn:
          out += " ADD COLUMN ";
          column_def(*st->column_def);
          break;
        case AlterTableStmt::Action::kDropColumn:
          out += " DROP COLUMN ";
          name(st->column);
          break;
      }
      break;
    }
    case StmtKind::kAttach: {
      auto* st = s.as<AttachStmt>();
      out += "ATTACH ";
      expr(*st->filename);
      out += " AS ";
      expr(*st->schema);
      if (st->key) {
        out += " KEY ";
        expr(*st->key);
      }
      break;
    }
    case StmtKind::kDetach:
      out += "DETACH ";
      expr(*s.as<DetachStmt>()->schema);
      break;
    case StmtKind::kBegin: {
      auto* st = s.as<BeginStmt>();
      static const char* kTypes[] = {"BEGIN", "BEGIN DEFERRED", "BEGIN IMMEDIATE", "BEGIN EXCLUSIVE",
                                     "BEGIN CONCURRENT"};
      out += kTypes[static_cast<int>(st->type)];
      if (st->transaction_name.present()) {
        out += " TRANSACTION ";
        name(st->transaction_name);
      }
      break;
    }
    case StmtKind::kCommit:
      out += s.as<CommitStmt>()->end_keyword ? "END" : "COMMIT";
      break;
    case StmtKind::kRollback: {
      auto* st = s.as<RollbackStmt>();
      out += "ROLLBACK";
      if (st->savepoint.present()) {
        out += " TO SAVEPOINT ";
        name(st->savepoint);
      }
      break;
    }
    case StmtKind::kSavepoint:
      out += "SAVEPOINT ";
      name(s.as<SavepointStmt>()->name);
      break;
    case StmtKind::kRelease:
      out += "RELEASE SAVEPOINT ";
      name(s.as<ReleaseStmt>()->name);
      break;
    case StmtKind::kPragma: {
      auto* st = s.as<PragmaStmt>();
      out += "PRAGMA ";
      qualified(st->name);
      if (st->form != PragmaStmt::Form::kNoValue) {
        out += st->form == PragmaStmt::Form::kAssign ? " = " : "(";
        bool plain = !st->value.empty();
        for (char c : st->value) {
          if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                c == '-' || c == '.')) {
            plain = false;
          }
        }
        if (plain && !(st->value[0] == '-' && st->value.size() == 1)) {
          out += st->value;
        } else {
          quoted(st->value, '\'');
        }
        if (st->form == PragmaStmt::Form::kCall) out += ')';
      }
      break;
    }
    case StmtKind::kVacuum: {
      auto* st = s.as<VacuumStmt>();
      out += "VACUUM";
      if (st->schema.present()) {
        out += ' ';
        name(st->schema);
      }
      if (st->into) {
        out += " INTO ";
        expr(*st->into);
      }
      break;
    }
    case StmtKind::kReindex:
    case StmtKind::kAnalyze: {
      const QualifiedName& q =
          s.kind == StmtKind::kReindex ? s.as<ReindexStmt>()->name : s.as<AnalyzeStmt>()->name;
      out += s.kind == StmtKind::kReindex ? "REINDEX" : "ANALYZE";
      if (q.name.present()) {
        out += ' ';
        qualified(q);
      }
      break;
    }
  }
}

}  // namespace keel::parse::internal
