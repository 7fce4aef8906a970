// compile(): statement dispatch, transaction control statements, EXPLAIN.
#include "plan/planner.h"

#include "plan/authorize.h"
#include "plan/plan_internal.h"

namespace keel::plan {

namespace {

// An INSERT, UPDATE or DELETE with RETURNING: the rows are collected in an
// ephemeral table while the statement makes its changes, then returned — so
// that all changes happen during the first step and a caller that stops
// reading early still gets the whole statement, as in SQLite.
template <typename CodeDml>
Status code_with_returning(CodeGen& g, uint32_t n_returning, CodeDml code) {
  if (n_returning == 0) return code();
  int cursor = g.new_cursor();
  int open = g.emit(Op::OpenEphemeral, cursor, 0);
  g.returning_cursor = cursor;
  g.returning_cols = 0;
  Status s = code();
  g.returning_cursor = -1;
  KEEL_RETURN_IF_ERROR(s);
  int n = g.returning_cols;
  g.at(open).p2 = n;
  int end = g.new_label();
  int regs = g.new_reg(n);
  g.emit(Op::Rewind, cursor, end);
  int top = g.addr();
  for (int i = 0; i < n; i++) g.emit(Op::Column, cursor, i, regs + i);
  g.emit(Op::ResultRow, regs, n);
  g.emit(Op::Next, cursor, top);
  g.bind(end);
  return Status::Ok();
}

Status code_statement(CodeGen& g, const parse::Stmt* st) {
  switch (st->kind) {
    case parse::StmtKind::kSelect: {
      SelectDest dest;
      return code_select(g, st->as<parse::SelectStmt>()->select, nullptr, dest);
    }
    case parse::StmtKind::kInsert: {
      auto* ins = st->as<parse::InsertStmt>();
      return code_with_returning(g, ins->returning.size, [&] { return code_insert(g, ins); });
    }
    case parse::StmtKind::kUpdate: {
      auto* up = st->as<parse::UpdateStmt>();
      return code_with_returning(g, up->returning.size, [&] { return code_update(g, up); });
    }
    case parse::StmtKind::kDelete: {
      auto* del = st->as<parse::DeleteStmt>();
      return code_with_returning(g, del->returning.size, [&] { return code_delete(g, del); });
    }
    case parse::StmtKind::kCreateTable:
      return code_create_table(g, st->as<parse::CreateTableStmt>());
    case parse::StmtKind::kCreateIndex:
      return code_create_index(g, st->as<parse::CreateIndexStmt>());
    case parse::StmtKind::kCreateView:
      return code_create_view(g, st->as<parse::CreateViewStmt>());
    case parse::StmtKind::kCreateVirtualTable:
      return code_create_virtual_table(g, st->as<parse::CreateVirtualTableStmt>());
    case parse::StmtKind::kDrop:
      return code_drop(g, st->as<parse::DropStmt>());
    case parse::StmtKind::kPragma:
      return code_pragma(g, st->as<parse::PragmaStmt>());
    case parse::StmtKind::kBegin: {
      auto* b = st->as<parse::BeginStmt>();
      if (b->type == parse::TransactionKind::kImmediate || b->type == parse::TransactionKind::kExclusive) {
        for (int db = 0; db < g.catalog().database_count(); db++) {
          if (db == 1 || !g.catalog().has_database(db)) continue;
          g.use_database(db, true);
        }
      }
      g.emit(Op::AutoCommit, 0, 0);
      return Status::Ok();
    }
    case parse::StmtKind::kCommit:
      g.emit(Op::AutoCommit, 1, 0);
      return Status::Ok();
    case parse::StmtKind::kRollback: {
      auto* r = st->as<parse::RollbackStmt>();
      if (r->savepoint.present()) {
        g.emit_str(Op::Savepoint, 2, 0, 0, r->savepoint.value);
      } else {
        g.emit(Op::AutoCommit, 1, 1);
      }
      return Status::Ok();
    }
    case parse::StmtKind::kSavepoint:
      g.emit_str(Op::Savepoint, 0, 0, 0, st->as<parse::SavepointStmt>()->name.value);
      return Status::Ok();
    case parse::StmtKind::kRelease:
      g.emit_str(Op::Savepoint, 1, 0, 0, st->as<parse::ReleaseStmt>()->name.value);
      return Status::Ok();
    case parse::StmtKind::kReindex: {
      // With only built-in collations an index's order never changes, so
      // REINDEX has nothing to rebuild; the name must still exist.
      auto* r = st->as<parse::ReindexStmt>();
      if (r->name.name.present()) {
        std::string_view schema = r->name.schema.present() ? r->name.schema.value : std::string_view();
        if (!g.catalog().find_index(schema, r->name.name.value) &&
            !g.catalog().find_table(schema, r->name.name.value) &&
            g.collation(r->name.name.value) == nullptr) {
          return Status(rc::kError, "unable to identify the object to be reindexed");
        }
      }
      return Status::Ok();
    }
    case parse::StmtKind::kCreateExtension:
      return code_schema_object(g, st->as<parse::CreateExtensionStmt>());
    default:
      return code_engine_command(g, st);
  }
}

}  // namespace

Result<std::unique_ptr<vm::Program>> compile(const CompileInput& in) {
  auto prog = std::make_unique<vm::Program>();
  in.catalog->link_temp_triggers();
  CodeGen g(in, prog.get());
  g.begin_program();
  const parse::ParsedStatement* ps = in.statement;
  if (ps && ps->stmt) {
    bool ignore = false;
    KEEL_RETURN_IF_ERROR(authorize_statement(g, ps->stmt, &ignore));
    if (!ignore) KEEL_RETURN_IF_ERROR(code_statement(g, ps->stmt));
    prog->is_explain = ps->explain == parse::ExplainMode::kExplain;
    prog->is_explain_query_plan = ps->explain == parse::ExplainMode::kQueryPlan;
  }
  KEEL_RETURN_IF_ERROR(g.finish());
  prog->comments.resize(prog->ops.size());
  prog->observe_changes = in.options.observe_changes;
  prog->foreign_keys = static_cast<uint8_t>((in.options.foreign_keys ? 1 : 0) | (in.options.defer_foreign_keys ? 2 : 0));
  return prog;
}

}  // namespace keel::plan
