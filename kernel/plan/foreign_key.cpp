// Foreign keys (SQLite's fkey.c): parent-key lookup, the child-side and
// parent-side checks with violation counters, ON DELETE / ON UPDATE actions
// as sub-programs, DROP TABLE's implicit DELETE and PRAGMA
// foreign_key_check. See foreign_key.h for the design.
#include "plan/foreign_key.h"

#include <algorithm>

#include "parse/parser.h"
#include "plan/dml_internal.h"
#include "plan/foreign_key_internal.h"
#include "plan/select_internal.h"
#include "vm/collation.h"

namespace keel::plan {

using fk::index_affinity;
using fk::locate_parent_key;
using fk::ParentKey;
using fk::table_term;

namespace {

// Name of the register view of the parent row in a child scan's WHERE.
constexpr const char* kParentRow = "sqlite_fk_parent_row";

bool name_eq(std::string_view a, std::string_view b) { return vm::stricmp(a, b) == 0; }

bool fk_enabled(CodeGen& g) { return g.input().options.foreign_keys; }

// A constraint referencing some table: the child table and its constraint.
struct FkRef {
  Table* child;
  const ForeignKey* fk;
};

// SQLite's %w: an identifier inside double quotes.
std::string quoted(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    out.push_back(c);
    if (c == '"') out.push_back('"');
  }
  return out + "\"";
}

Status mismatch(const Table* child, const ForeignKey& fk) {
  std::string a, b;
  for (char c : child->name) {
    a.push_back(c);
    if (c == '"') a.push_back('"');
  }
  for (char c : fk.to_table) {
    b.push_back(c);
    if (c == '"') b.push_back('"');
  }
  return Status(rc::kError, "foreign key mismatch - \"" + a + "\" referencing \"" + b + "\"");
}

// The constraints of `t`'s database whose parent is `t`, in SQLite's order:
// the most recently created table first, and within a table its
// constraints last-declared first.
std::vector<FkRef> fk_references(CodeGen& g, const Table* t) {
  std::vector<Table*> tables;
  for (const auto& [name, child] : g.catalog().database(t->db).tables()) {
    if (child->foreign_keys.empty() || child->is_view || child->is_virtual) continue;
    tables.push_back(child.get());
  }
  std::sort(tables.begin(), tables.end(),
            [](const Table* a, const Table* b) { return a->load_order > b->load_order; });
  std::vector<FkRef> out;
  for (Table* child : tables) {
    for (auto it = child->foreign_keys.rbegin(); it != child->foreign_keys.rend(); ++it) {
      if (name_eq(it->to_table, t->name)) out.push_back({child, &*it});
    }
  }
  return out;
}

}  // namespace

namespace fk {

// sqlite3FkLocateIndex.
Result<ParentKey> locate_parent_key(const Table* parent, const Table* child, const ForeignKey& fk) {
  size_t n = fk.from_columns.size();
  std::vector<int> from(n);
  for (size_t k = 0; k < n; k++) {
    from[k] = child->find_column(fk.from_columns[k]);
    if (from[k] < 0) return mismatch(child, fk);
  }
  if (n == 0 || (!fk.to_columns.empty() && fk.to_columns.size() != n)) return mismatch(child, fk);
  ParentKey pk;
  if (n == 1 && parent->rowid_alias >= 0 && !parent->without_rowid &&
      (fk.to_columns.empty() || name_eq(parent->columns[parent->rowid_alias].name, fk.to_columns[0]))) {
    pk.parent_cols = {parent->rowid_alias};
    pk.child_cols = {from[0]};
    return pk;
  }
  for (const Index* idx : parent->indexes) {
    if (!idx->unique || idx->n_key_columns != static_cast<int>(n) || idx->where || !idx->method.empty())
      continue;
    pk.parent_cols.assign(idx->columns.begin(), idx->columns.begin() + static_cast<long>(n));
    if (fk.to_columns.empty()) {
      if (idx->origin != 'p') continue;
      pk.index = idx;
      pk.child_cols = from;
      return pk;
    }
    pk.child_cols.assign(n, -1);
    size_t i = 0;
    for (; i < n; i++) {
      int col = idx->columns[i];
      if (col < 0) break;
      // The index must use each column's own collation.
      std::string coll = i < idx->collations.size() ? idx->collations[i] : "";
      std::string dflt = parent->columns[col].collation;
      if (coll.empty()) coll = dflt;
      if (!name_eq(coll.empty() ? "BINARY" : coll, dflt.empty() ? "BINARY" : dflt)) break;
      size_t j = 0;
      while (j < n && !name_eq(fk.to_columns[j], parent->columns[col].name)) j++;
      if (j == n) break;
      pk.child_cols[i] = from[j];
    }
    if (i == n) {
      pk.index = idx;
      return pk;
    }
  }
  return mismatch(child, fk);
}

}  // namespace fk

namespace {

// Register of column `col` of a row held in registers.
int col_reg(const FromTerm* row, const Table* t, int col) {
  return col == t->rowid_alias || col < 0 ? row->rowid_reg : row->reg_base + col;
}

bool column_changed(const Table* t, int col, const std::vector<int>& changed) {
  for (int c : changed) {
    if (c == col || (c == -1 && col == t->rowid_alias)) return true;
  }
  return false;
}

// fkChildIsModified.
bool child_modified(const Table* t, const ForeignKey& fk, const std::vector<int>& changed) {
  for (const std::string& name : fk.from_columns) {
    if (column_changed(t, t->find_column(name), changed)) return true;
  }
  return false;
}

// fkParentIsModified.
bool parent_modified(const Table* t, const ForeignKey& fk, const std::vector<int>& changed) {
  for (size_t i = 0; i < t->columns.size(); i++) {
    int col = static_cast<int>(i);
    if (!column_changed(t, col, changed)) continue;
    if (fk.to_columns.empty()) {
      if (t->columns[i].primary_key) return true;
    } else {
      for (const std::string& k : fk.to_columns) {
        if (name_eq(k, t->columns[i].name)) return true;
      }
    }
  }
  return false;
}

}  // namespace

namespace fk {

std::string index_affinity(const Index* idx, const Table* parent, int n) {
  std::string aff;
  for (int i = 0; i < n; i++) {
    int col = idx->columns[i];
    aff.push_back(static_cast<char>(col < 0 ? vm::Affinity::kInteger : parent->columns[col].affinity));
  }
  return aff;
}

}  // namespace fk

namespace {

// fkLookupParent: adds `incr` to the constraint's counter unless the child
// row in `row` has a NULL key or its parent exists.
void lookup_parent(CodeGen& g, const Table* parent, const ParentKey& pk, const Table* child,
                   const ForeignKey& fk, const FromTerm* row, int incr, bool halt_now) {
  int ok = g.new_label();
  if (incr < 0) g.emit(Op::FkIfZero, fk.deferred ? 1 : 0, ok);
  size_t n = pk.child_cols.size();
  for (size_t i = 0; i < n; i++) g.emit(Op::IsNull, col_reg(row, child, pk.child_cols[i]), ok);
  int cur = g.new_cursor();
  bool self = parent == child && incr > 0;
  if (pk.index == nullptr) {
    // The INTEGER PRIMARY KEY: a value that is not an integer matches no row.
    int tmp = g.new_reg(), violation = g.new_label();
    g.emit(Op::SCopy, col_reg(row, child, pk.child_cols[0]), tmp);
    g.emit(Op::MustBeInt, tmp, violation);
    if (self)
      code_compare_jump(g, parse::BinaryOp::kEq, row->rowid_reg, tmp, vm::Affinity::kNone, nullptr, ok,
                        false);
    open_table(g, parent, cur, false);
    g.emit(Op::NotExists, cur, violation, tmp);
    g.emit(Op::Goto, 0, ok);
    g.bind(violation);
  } else {
    int regs = g.new_reg(static_cast<int>(n));
    open_index(g, pk.index, cur, false);
    for (size_t i = 0; i < n; i++)
      g.emit(Op::Copy, col_reg(row, child, pk.child_cols[i]), regs + static_cast<int>(i));
    if (self) {
      // A row that is its own parent satisfies the constraint.
      int next = g.new_label();
      for (size_t i = 0; i < n; i++) {
        code_compare_jump(g, parse::BinaryOp::kNe, col_reg(row, child, pk.child_cols[i]),
                          col_reg(row, parent, pk.parent_cols[i]), vm::Affinity::kNone, nullptr, next, true);
      }
      g.emit(Op::Goto, 0, ok);
      g.bind(next);
    }
    int a = g.emit(Op::Affinity, regs, static_cast<int>(n));
    g.set_p4_affinity(a, index_affinity(pk.index, parent, static_cast<int>(n)));
    int f = g.emit(Op::Found, cur, ok, regs);
    g.set_p4_int(f, static_cast<int>(n));
  }
  if (halt_now) {
    int a = g.emit(Op::Halt, rc::kConstraintForeignKey, static_cast<int>(vm::OnError::kAbort));
    g.at(a).p5 = 4;
  } else {
    g.emit(Op::FkCounter, fk.deferred ? 1 : 0, incr);
  }
  g.bind(ok);
  g.emit(Op::Close, cur);
}

}  // namespace

namespace fk {

// A FROM term scanning table `t` with its own cursor.
std::unique_ptr<FromTerm> table_term(CodeGen& g, Table* t) {
  auto term = std::make_unique<FromTerm>();
  term->name = t->name;
  term->db_name = g.catalog().database_name(t->db);
  term->table = t;
  term->cursor = g.new_cursor();
  for (const Column& c : t->columns) {
    ColInfo ci;
    ci.name = c.name;
    ci.affinity = c.affinity;
    ci.collation = c.collation;
    ci.decl_type = c.type;
    term->cols.push_back(ci);
  }
  term->coalesced.assign(t->columns.size(), false);
  return term;
}

}  // namespace fk

namespace {

// fkScanChildren: adds `incr` to the constraint's counter for each child row
// whose key equals the parent key of the parent row in `row` — compared with
// the parent key's affinity and collation.
Status scan_children(CodeGen& g, Table* parent, const ParentKey& pk, Table* child, const ForeignKey& fk,
                     const FromTerm* row, int incr) {
  int skip = 0;
  if (incr < 0) {
    skip = g.new_label();
    g.emit(Op::FkIfZero, fk.deferred ? 1 : 0, skip);
  }
  FromTerm prow = *row;
  prow.name = kParentRow;
  prow.qualified_only = true;
  Scope outer;
  outer.terms = {&prow};
  auto cterm = table_term(g, child);
  Scope scope;
  scope.outer = &outer;
  scope.terms = {cterm.get()};
  parse::Expr* where = nullptr;
  auto conj = [&](parse::Expr* e) { where = where ? g.make_binary(parse::BinaryOp::kAnd, where, e) : e; };
  for (size_t i = 0; i < pk.child_cols.size(); i++) {
    int pc = pk.parent_cols[i];
    std::string pname = pc < 0 ? "rowid" : parent->columns[pc].name;
    conj(g.make_binary(parse::BinaryOp::kEq, g.make_column_ref(kParentRow, pname),
                       g.make_column_ref(child->name, child->columns[pk.child_cols[i]].name)));
  }
  if (parent == child && incr > 0 && !child->without_rowid) {
    // The parent row being removed does not count as its own child.
    conj(g.make_binary(parse::BinaryOp::kNe, g.make_column_ref(kParentRow, "rowid"),
                       g.make_column_ref(child->name, "rowid")));
  }
  WhereInfo wi;
  KEEL_RETURN_IF_ERROR(where_begin(g, &scope, where, wi));
  g.emit(Op::FkCounter, fk.deferred ? 1 : 0, incr);
  KEEL_RETURN_IF_ERROR(where_end(g, &scope, wi));
  if (skip) g.bind(skip);
  return Status::Ok();
}

Status fk_check_impl(CodeGen& g, Table* t, const FromTerm* old_row, const FromTerm* new_row,
                     const std::vector<int>* changed, bool ignore_errors, bool single_insert) {
  if (!fk_enabled(g) || t->is_view || t->is_virtual) return Status::Ok();
  bool coded = false;
  // SQLite's !isMultiWrite && !pToplevel: one row, written by nothing else.
  bool alone = single_insert && !has_trigger(t, parse::TriggerEvent::kInsert) && g.trigger_scope == nullptr;
  for (const Index* idx : t->indexes) {
    // A REPLACE may delete rows first.
    if (idx->on_conflict == static_cast<uint8_t>(parse::ConflictAction::kReplace)) alone = false;
  }
  bool defer = g.input().options.defer_foreign_keys;
  // The constraints of t: its rows are children.
  for (auto it = t->foreign_keys.rbegin(); it != t->foreign_keys.rend(); ++it) {
    const ForeignKey& fk = *it;
    // A self-referencing constraint is checked on every UPDATE: the row's
    // own key may be what changes.
    if (changed && !name_eq(fk.to_table, t->name) && !child_modified(t, fk, *changed)) continue;
    Table* parent = g.catalog().database(t->db).find_table(fk.to_table);
    if (parent == nullptr) {
      if (!ignore_errors) {
        return Status(rc::kError, "no such table: " + g.catalog().database_name(t->db) + "." + fk.to_table);
      }
      if (old_row) {
        // DROP TABLE of a child whose parent is gone: the parent counts as
        // empty, so each removed row with a key resolves one violation.
        int skip = g.new_label();
        for (const std::string& c : fk.from_columns)
          g.emit(Op::IsNull, col_reg(old_row, t, t->find_column(c)), skip);
        g.emit(Op::FkCounter, fk.deferred ? 1 : 0, -1);
        g.bind(skip);
        coded = true;
      }
      continue;
    }
    Result<ParentKey> pk = locate_parent_key(parent, t, fk);
    if (!pk.ok()) {
      if (ignore_errors) continue;
      return pk.status();
    }
    if (old_row) lookup_parent(g, parent, pk.value(), t, fk, old_row, -1, false);
    if (new_row) lookup_parent(g, parent, pk.value(), t, fk, new_row, 1, alone && !fk.deferred && !defer);
    coded = true;
  }
  // The constraints referencing t: its rows are parents.
  for (const FkRef& ref : fk_references(g, t)) {
    if (changed && !parent_modified(t, *ref.fk, *changed)) continue;
    // Inserting one row into a parent cannot cause or fix an immediate
    // violation.
    if (alone && !ref.fk->deferred && !defer) continue;
    Result<ParentKey> pk = locate_parent_key(t, ref.child, *ref.fk);
    if (!pk.ok()) {
      if (ignore_errors) continue;
      return pk.status();
    }
    if (new_row) KEEL_RETURN_IF_ERROR(scan_children(g, t, pk.value(), ref.child, *ref.fk, new_row, -1));
    if (old_row) KEEL_RETURN_IF_ERROR(scan_children(g, t, pk.value(), ref.child, *ref.fk, old_row, 1));
    coded = true;
  }
  // Violations are counted, not raised: the statement may fail after it
  // changed rows, so it needs its statement savepoint.
  if (coded && !alone) g.note_row_write(false);
  return Status::Ok();
}

// The statement SQLite's fkActionTrigger puts in the action's trigger, as
// SQL text: "old" and "new" are the parent row before and after.
std::string action_sql(CodeGen& g, const Table* parent, const ParentKey& pk, const Table* child, bool update,
                       parse::FkAction action) {
  std::string target = quoted(g.catalog().database_name(child->db)) + "." + quoted(child->name);
  std::string where, when, set;
  for (size_t i = 0; i < pk.child_cols.size(); i++) {
    std::string pcol = quoted(parent->columns[pk.parent_cols[i]].name);
    const Column& ccol = child->columns[pk.child_cols[i]];
    if (i) where += " AND ", when += " AND ";
    where += "\"old\"." + pcol + " = " + quoted(ccol.name);
    when += "\"old\"." + pcol + " IS \"new\"." + pcol;
    if (i) set += ", ";
    set += quoted(ccol.name) + " = ";
    if (action == parse::FkAction::kCascade) {
      set += "\"new\"." + pcol;
    } else if (action == parse::FkAction::kSetDefault && ccol.default_expr && !ccol.default_text.empty()) {
      set += "(" + ccol.default_text + ")";
    } else {
      set += "NULL";
    }
  }
  if (update) where = "NOT (" + when + ") AND (" + where + ")";
  if (action == parse::FkAction::kRestrict)
    return "SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed') FROM " + target + " WHERE " + where;
  if (action == parse::FkAction::kCascade && !update) return "DELETE FROM " + target + " WHERE " + where;
  return "UPDATE OR ABORT " + target + " SET " + set + " WHERE " + where;
}

// A register view of `t`'s row at rowid_reg, columns from rowid_reg + 1.
FromTerm row_term(const Table* t, std::string name, int rowid_reg) {
  FromTerm term;
  term.name = std::move(name);
  term.table = const_cast<Table*>(t);
  term.rowid_reg = rowid_reg;
  term.reg_base = rowid_reg + 1;
  term.cursor = -3000 - rowid_reg;  // never a real cursor: reads go to registers
  term.qualified_only = true;
  for (const Column& c : t->columns) {
    ColInfo ci;
    ci.name = c.name;
    ci.affinity = c.affinity;
    ci.collation = c.collation;
    ci.decl_type = c.type;
    term.cols.push_back(ci);
  }
  term.coalesced.assign(t->columns.size(), false);
  return term;
}

// The sub-program of one action: compiled once per compilation, before its
// own body is coded, so that a cascade reaching it again calls it.
Result<const vm::Program*> action_program(CodeGen& g, Table* parent, const ParentKey& pk, Table* child,
                                          const ForeignKey& fk, bool update, parse::FkAction action) {
  if (!g.fk_actions) g.fk_actions = std::make_shared<FkActionCache>();
  FkActionCache& cache = *g.fk_actions;
  auto key = std::make_pair(&fk, update);
  if (auto it = cache.programs.find(key); it != cache.programs.end()) return it->second;
  auto parsed = std::make_shared<ParsedSql>();
  parsed->sql = action_sql(g, parent, pk, child, update, action);
  parse::Parser parser(parsed->arena, parsed->sql);
  KEEL_ASSIGN_OR_RETURN(parse::ParsedStatement ps, parser.parse_statement(0));
  parsed->stmt = ps.stmt;
  if (parsed->stmt == nullptr) return Status(rc::kInternal, "empty foreign key action");
  cache.sql.push_back(parsed);

  auto prog = std::make_unique<vm::Program>();
  vm::Program* sub = prog.get();
  cache.programs[key] = sub;
  CodeGen sg(g.input(), sub);
  sg.fk_actions = g.fk_actions;
  sg.active_triggers = g.active_triggers;
  sg.swap_sql(parsed->sql);
  int n = static_cast<int>(parent->columns.size());
  // OLD (and NEW) come from the caller's registers (OP_Param).
  int old_rowid = sg.new_reg(n + 1);
  for (int i = 0; i <= n; i++) sg.emit(Op::Param, 0, old_rowid + i, i);
  FromTerm old_term = row_term(parent, "old", old_rowid);
  FromTerm new_term;
  Scope scope;
  scope.terms = {&old_term};
  if (update) {
    int new_rowid = sg.new_reg(n + 1);
    for (int i = 0; i <= n; i++) sg.emit(Op::Param, 1, new_rowid + i, i);
    new_term = row_term(parent, "new", new_rowid);
    scope.terms.push_back(&new_term);
  }
  int end = sg.new_label();
  sg.trigger_scope = &scope;
  sg.trigger_ignore = end;
  const parse::Stmt* st = parsed->stmt;
  Status s;
  if (st->kind == parse::StmtKind::kDelete) {
    s = code_delete(sg, st->as<parse::DeleteStmt>());
  } else if (st->kind == parse::StmtKind::kUpdate) {
    s = code_update(sg, st->as<parse::UpdateStmt>());
  } else {
    SelectDest d;
    d.kind = SelectDest::Kind::kDiscard;
    s = code_select(sg, st->as<parse::SelectStmt>()->select, nullptr, d);
  }
  KEEL_RETURN_IF_ERROR(s);
  sg.bind(end);
  KEEL_RETURN_IF_ERROR(sg.finish());
  // Rows changed by an action leave last_insert_rowid() alone (the VM
  // counts them in total_changes() only).
  for (vm::Instr& in : sub->ops) {
    if (in.op == Op::Insert) in.p5 &= static_cast<uint16_t>(~vm::kOpflagLastRowid);
  }
  sub->comments.resize(sub->ops.size());
  sub->observe_changes = g.input().options.observe_changes;
  for (const auto& [db, write] : sg.databases()) g.use_database(db, write);
  g.prog().own_program(std::move(prog));
  return static_cast<const vm::Program*>(sub);
}

// Copies a row view into registers laid out as the sub-program reads them
// (rowid, then the columns), unless it already is.
int contiguous_row(CodeGen& g, const Table* t, const FromTerm* row) {
  if (row->reg_base == row->rowid_reg + 1) return row->rowid_reg;
  int n = static_cast<int>(t->columns.size());
  int r = g.new_reg(n + 1);
  g.emit(Op::SCopy, row->rowid_reg, r);
  for (int i = 0; i < n; i++) g.emit(Op::SCopy, row->reg_base + i, r + 1 + i);
  return r;
}

}  // namespace

Status fk_check(CodeGen& g, Table* t, const FromTerm* old_row, const FromTerm* new_row,
                const std::vector<int>* changed, bool single_insert) {
  return fk_check_impl(g, t, old_row, new_row, changed, false, single_insert);
}

Status fk_actions(CodeGen& g, Table* t, const FromTerm* old_row, const FromTerm* new_row,
                  const std::vector<int>* changed) {
  if (!fk_enabled(g) || t->is_view || t->is_virtual || old_row == nullptr) return Status::Ok();
  bool update = new_row != nullptr;
  for (const FkRef& ref : fk_references(g, t)) {
    if (changed && !parent_modified(t, *ref.fk, *changed)) continue;
    auto action = static_cast<parse::FkAction>(update ? ref.fk->on_update : ref.fk->on_delete);
    if (action == parse::FkAction::kNone || action == parse::FkAction::kNoAction) continue;
    // Under defer_foreign_keys a RESTRICT waits for COMMIT like NO ACTION.
    if (action == parse::FkAction::kRestrict && g.input().options.defer_foreign_keys) continue;
    Result<ParentKey> pk = locate_parent_key(t, ref.child, *ref.fk);
    if (!pk.ok()) return pk.status();
    KEEL_ASSIGN_OR_RETURN(const vm::Program* prog,
                          action_program(g, t, pk.value(), ref.child, *ref.fk, update, action));
    int old_regs = contiguous_row(g, t, old_row);
    int new_regs = update ? contiguous_row(g, t, new_row) : 0;
    int a = g.emit(Op::Program, old_regs, 0, new_regs);
    g.at(a).p4type = vm::P4Type::kProgram;
    g.at(a).p4.program = prog;
    g.note_row_write(false);
  }
  return Status::Ok();
}

bool fk_delete_required(CodeGen& g, const Table* t) {
  if (!fk_enabled(g) || t->is_view || t->is_virtual) return false;
  return !t->foreign_keys.empty() || !fk_references(g, t).empty();
}

Status fk_drop_table(CodeGen& g, Table* t) {
  if (!fk_enabled(g) || t->is_view || t->is_virtual || t->without_rowid) return Status::Ok();
  bool defer = g.input().options.defer_foreign_keys;
  int skip = 0;
  if (fk_references(g, t).empty()) {
    // Only a child: the implicit DELETE matters only if it can resolve
    // outstanding deferred violations.
    bool deferred = false;
    for (const ForeignKey& fk : t->foreign_keys) deferred = deferred || fk.deferred || defer;
    if (!deferred) return Status::Ok();
    skip = g.new_label();
    g.emit(Op::FkIfZero, 1, skip);
  }
  g.note_row_write(false);
  // DELETE FROM t, rowids first (actions may change t itself), without t's
  // own triggers.
  int rowids = g.new_cursor(), scan = g.new_cursor();
  int r = g.new_reg(), rec = g.new_reg();
  g.emit(Op::OpenEphemeral, rowids, 0);
  open_table(g, t, scan, false);
  int collected = g.new_label();
  g.emit(Op::Rewind, scan, collected);
  int top1 = g.addr();
  g.emit(Op::Rowid, scan, r);
  g.emit(Op::MakeRecord, r, 0, rec);
  g.emit(Op::Insert, rowids, rec, r);
  g.emit(Op::Next, scan, top1);
  g.bind(collected);
  g.emit(Op::Close, scan);
  TableWriter w;
  open_writer(g, w, t, parse::ConflictAction::kDefault);
  int end = g.new_label(), next = g.new_label();
  g.emit(Op::Rewind, rowids, end);
  int top = g.addr();
  g.emit(Op::Rowid, rowids, r);
  g.emit(Op::NotExists, w.cursor, next, r);
  load_row(g, w);
  KEEL_RETURN_IF_ERROR(fk_check_impl(g, t, &w.term, nullptr, nullptr, true, false));
  KEEL_RETURN_IF_ERROR(delete_index_entries(g, w));
  mark_row_change(g, g.emit(Op::Delete, w.cursor, vm::kOpflagNChange), t);
  KEEL_RETURN_IF_ERROR(fk_actions(g, t, &w.term, nullptr, nullptr));
  g.bind(next);
  g.emit(Op::Next, rowids, top);
  g.bind(end);
  if (!defer) {
    // Immediate violations stop the DROP before the schema changes.
    int ok = g.new_label();
    g.emit(Op::FkIfZero, 0, ok);
    int a = g.emit(Op::Halt, rc::kConstraintForeignKey, static_cast<int>(vm::OnError::kAbort));
    g.at(a).p5 = 4;
    g.bind(ok);
  }
  if (skip) g.bind(skip);
  return Status::Ok();
}

Status fk_validate_create_table(const parse::CreateTableStmt* st) {
  for (const parse::ColumnDef* c : st->columns) {
    for (const parse::ColumnConstraint* cc : c->constraints) {
      if (cc->kind == parse::ColumnConstraint::Kind::kReferences && cc->foreign_key->columns.size > 1) {
        return Status(rc::kError, "foreign key on " + std::string(c->name.value) +
                                      " should reference only one column of table " +
                                      std::string(cc->foreign_key->table.value));
      }
    }
  }
  for (const parse::TableConstraint* tc : st->constraints) {
    if (tc->kind != parse::TableConstraint::Kind::kForeignKey) continue;
    if (tc->foreign_key->columns.size && tc->foreign_key->columns.size != tc->fk_columns.size) {
      return Status(rc::kError,
                    "number of columns in foreign key does not match the number of columns in the "
                    "referenced table");
    }
    for (const parse::Name& n : tc->fk_columns) {
      bool found = false;
      for (const parse::ColumnDef* c : st->columns) found = found || name_eq(c->name.value, n.value);
      if (!found)
        return Status(rc::kError,
                      "unknown column \"" + std::string(n.value) + "\" in foreign key definition");
    }
  }
  return Status::Ok();
}

}  // namespace keel::plan
