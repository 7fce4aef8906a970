// Row triggers (SQLite's trigger.c): BEFORE / AFTER INSERT, UPDATE [OF]
// and DELETE triggers, FOR EACH ROW, with WHEN, NEW/OLD and RAISE.
//
// Design note
// -----------
// A trigger's program is coded inline at the point of the row loop where
// it fires (SQLite compiles it to a sub-program run by OP_Program; inlining
// gives the same semantics for the single-level case and needs no VM
// support). NEW and OLD are register-based FROM terms visible to every
// statement of the body (CodeGen::trigger_scope). A trigger does not fire
// again while it is already running unless recursive_triggers is on; then
// each level of recursion is another inline copy, up to a depth limit. INSTEAD OF triggers fire from view_dml.cpp, once per row of the
// view that an INSERT, UPDATE or DELETE names; their columns are the view's,
// so UPDATE OF matches names rather than table column numbers.
#include "plan/dml_internal.h"
#include "plan/select_internal.h"
#include "vm/collation.h"

namespace keel::plan {

namespace {

// Recursive triggers (PRAGMA recursive_triggers) are coded inline too, one
// copy per level: a trigger nested in itself more than kMaxTriggerDepth
// times, or a program grown past kMaxInlineOps, raises SQLite's "too many
// levels of trigger recursion" at run time instead of firing. SQLite's
// limit is 1000 levels (SQLITE_MAX_TRIGGER_DEPTH); see
// tests/compat/KNOWN_DIFFERENCES.md.
constexpr int kMaxTriggerDepth = 64;
constexpr int kMaxInlineOps = 250000;

bool fires(const parse::CreateTriggerStmt* ct, parse::TriggerEvent event, bool before,
           const std::vector<int>* changed_cols, const Table* t) {
  if (ct->event != event) return false;
  bool is_before = ct->time == parse::TriggerTime::kBefore || ct->time == parse::TriggerTime::kDefault;
  if (ct->time == parse::TriggerTime::kInsteadOf || is_before != before) return false;
  if (event == parse::TriggerEvent::kUpdate && ct->update_columns.size && changed_cols) {
    for (const parse::Name& n : ct->update_columns) {
      int c = t->find_column(n.value);
      for (int x : *changed_cols) {
        if (x == c || (x == -1 && c == t->rowid_alias && c >= 0)) return true;
      }
    }
    return false;
  }
  return true;
}

Status code_step(CodeGen& g, const parse::Stmt* st) {
  switch (st->kind) {
    case parse::StmtKind::kInsert:
      return code_insert(g, st->as<parse::InsertStmt>());
    case parse::StmtKind::kUpdate:
      return code_update(g, st->as<parse::UpdateStmt>());
    case parse::StmtKind::kDelete:
      return code_delete(g, st->as<parse::DeleteStmt>());
    case parse::StmtKind::kSelect: {
      SelectDest d;
      d.kind = SelectDest::Kind::kDiscard;
      return code_select(g, st->as<parse::SelectStmt>()->select, nullptr, d);
    }
    default:
      return Status(rc::kError, "unsupported statement in a trigger");
  }
}

}  // namespace

namespace {

// Codes one trigger's WHEN and body inline, with NEW/OLD bound to the given
// register-based terms. Skips a trigger that is already running.
Status code_one_trigger(CodeGen& g, Trigger* tr, const parse::CreateTriggerStmt* ct, FromTerm* old_row,
                        FromTerm* new_row, int ignore) {
  int depth = 0;
  for (const void* a : g.active_triggers) depth += a == tr;
  if (depth > 0 && !g.input().options.recursive_triggers) return Status::Ok();
  if (depth >= kMaxTriggerDepth || g.active_triggers.size() >= 4 * kMaxTriggerDepth ||
      g.addr() > kMaxInlineOps) {
    // Firing here would exceed the depth that inline coding allows: an
    // error when (and only when) execution gets this deep.
    g.emit_str(Op::Halt, rc::kError, static_cast<int>(vm::OnError::kAbort), 0,
               "too many levels of trigger recursion");
    return Status::Ok();
  }
  g.active_triggers.push_back(tr);
  std::string_view saved_sql = g.swap_sql(tr->parsed->sql);
  Scope scope;
  FromTerm o, n;
  if (old_row) {
    o = *old_row;
    o.name = "old";
    o.qualified_only = true;
    scope.terms.push_back(&o);
  }
  if (new_row) {
    n = *new_row;
    n.name = "new";
    n.qualified_only = true;
    scope.terms.push_back(&n);
  }
  Scope* saved_scope = g.trigger_scope;
  int saved_ignore = g.trigger_ignore;
  g.trigger_scope = &scope;
  g.trigger_ignore = ignore;
  int parent = g.plan_parent;
  g.plan_parent = g.plan_row(parent, "TRIGGER " + tr->name);
  std::vector<const parse::CommonTableExpr*> saved_ctes = g.ctes;
  g.ctes.clear();
  // A trigger stored outside temp names tables of its own database only.
  int saved_db = g.default_db;
  g.default_db = tr->db == 1 ? -1 : tr->db;
  Status s;
  int skip = g.new_label();
  if (ct->when) s = code_if_false(g, &scope, ct->when, skip, true);
  for (uint32_t i = 0; s.ok() && i < ct->steps.size; i++) s = code_step(g, ct->steps[i]);
  g.bind(skip);
  g.default_db = saved_db;
  g.ctes = std::move(saved_ctes);
  g.plan_parent = parent;
  g.trigger_scope = saved_scope;
  g.trigger_ignore = saved_ignore;
  g.swap_sql(saved_sql);
  g.active_triggers.pop_back();
  return s;
}

const parse::CreateTriggerStmt* trigger_stmt(const Trigger* tr) {
  if (!tr->parsed || tr->parsed->stmt->kind != parse::StmtKind::kCreateTrigger) return nullptr;
  return tr->parsed->stmt->as<parse::CreateTriggerStmt>();
}

// An INSTEAD OF trigger of `event` that fires when the columns named in
// `changed` are set (UPDATE OF; nullptr: any).
bool instead_of_fires(const parse::CreateTriggerStmt* ct, parse::TriggerEvent event,
                      const std::vector<std::string>* changed) {
  if (ct->event != event || ct->time != parse::TriggerTime::kInsteadOf) return false;
  if (event != parse::TriggerEvent::kUpdate || ct->update_columns.size == 0 || changed == nullptr)
    return true;
  for (const parse::Name& n : ct->update_columns) {
    for (const std::string& c : *changed) {
      if (vm::stricmp(n.value, c) == 0) return true;
    }
  }
  return false;
}

}  // namespace

Status code_triggers(CodeGen& g, Table* t, parse::TriggerEvent event, bool before, FromTerm* old_row,
                     FromTerm* new_row, int ignore, const std::vector<int>* changed_cols) {
  for (Trigger* tr : t->triggers) {
    const parse::CreateTriggerStmt* ct = trigger_stmt(tr);
    if (ct == nullptr || !fires(ct, event, before, changed_cols, t)) continue;
    KEEL_RETURN_IF_ERROR(code_one_trigger(g, tr, ct, old_row, new_row, ignore));
  }
  return Status::Ok();
}

bool has_instead_of_trigger(const Table* view, parse::TriggerEvent event,
                            const std::vector<std::string>* changed) {
  for (const Trigger* tr : view->triggers) {
    const parse::CreateTriggerStmt* ct = trigger_stmt(tr);
    if (ct && instead_of_fires(ct, event, changed)) return true;
  }
  return false;
}

Status code_instead_of_triggers(CodeGen& g, Table* view, parse::TriggerEvent event, FromTerm* old_row,
                                FromTerm* new_row, int ignore, const std::vector<std::string>* changed) {
  for (Trigger* tr : view->triggers) {
    const parse::CreateTriggerStmt* ct = trigger_stmt(tr);
    if (ct == nullptr || !instead_of_fires(ct, event, changed)) continue;
    KEEL_RETURN_IF_ERROR(code_one_trigger(g, tr, ct, old_row, new_row, ignore));
  }
  return Status::Ok();
}

Status code_raise(CodeGen& g, const parse::RaiseExpr* e, int target) {
  if (g.trigger_scope == nullptr)
    return Status(rc::kError, "RAISE() may only be used within a trigger-program");
  if (e->action == parse::RaiseAction::kIgnore) {
    g.emit(Op::Goto, 0, g.trigger_ignore);
    g.emit(Op::Null, 0, target);
    return Status::Ok();
  }
  std::string msg;
  if (e->message && e->message->kind == parse::ExprKind::kLiteral) {
    msg = std::string(e->message->as<parse::LiteralExpr>()->text);
  }
  vm::OnError oe = e->action == parse::RaiseAction::kRollback ? vm::OnError::kRollback
                   : e->action == parse::RaiseAction::kFail   ? vm::OnError::kFail
                                                              : vm::OnError::kAbort;
  g.emit_str(Op::Halt, rc::kConstraintTrigger, static_cast<int>(oe), 0, msg);
  g.emit(Op::Null, 0, target);
  return Status::Ok();
}

}  // namespace keel::plan
