// INSERT, UPDATE and DELETE on a virtual table (SQLite's updateVirtualTable
// and the virtual-table branches of insert.c / delete.c): every changed row
// becomes one VUpdate call with SQLite's xUpdate argument layout
//   DELETE  [old rowid]
//   INSERT  [NULL, new rowid or NULL, column values...]
//   UPDATE  [old rowid, new rowid, column values...]
// UPDATE and DELETE first collect the affected rows (rowid, new values) in an
// ephemeral table, then apply them, so the scan never sees its own changes.
// RETURNING, UPSERT and triggers are refused on virtual tables, as in SQLite.
#include "plan/plan_internal.h"
#include "plan/vtab.h"
#include "vm/collation.h"

namespace keel::plan {

namespace {

bool name_eq(std::string_view a, std::string_view b) { return vm::stricmp(a, b) == 0; }
bool is_rowid_name(std::string_view n) {
  return name_eq(n, "rowid") || name_eq(n, "oid") || name_eq(n, "_rowid_");
}

Result<std::shared_ptr<const VtabInstance>> writable_vtab(CodeGen& g, Table* t) {
  if (g.input().vtabs == nullptr) return Status(rc::kError, "virtual tables are not supported");
  KEEL_ASSIGN_OR_RETURN(std::shared_ptr<const VtabInstance> inst, g.input().vtabs->connect_vtab(*t));
  if (!inst->table->writable()) return Status(rc::kError, "table " + t->name + " may not be modified");
  g.use_database(t->db, true);
  g.is_dml = true;
  return inst;
}

void emit_vupdate(CodeGen& g, const VtabInstance& inst, int n_args, int base, bool set_rowid,
                  parse::ConflictAction on_conflict) {
  int a = g.emit(Op::VUpdate, set_rowid ? 1 : 0, n_args, base);
  g.at(a).p4type = vm::P4Type::kPointer;
  g.at(a).p4.ptr = inst.table.get();
  g.at(a).p5 = static_cast<uint16_t>(on_conflict);
}

void emit_vbegin(CodeGen& g, const VtabInstance& inst) {
  int a = g.emit(Op::VBegin);
  g.at(a).p4type = vm::P4Type::kPointer;
  g.at(a).p4.ptr = g.prog().own_object(std::make_shared<std::shared_ptr<ext::VirtualTable>>(inst.table));
}

// Scans `t` under `where`, appending to ephemeral `cursor` one record per
// row made by `row` (which fills registers and returns the count).
template <typename RowFn>
Status collect_rows(CodeGen& g, Table* t, std::shared_ptr<const VtabInstance> inst, const parse::Name& alias,
                    const parse::Expr* where, int cursor, int n_fields, RowFn row) {
  FromTerm term;
  term.name = alias.present() ? std::string(alias.value) : t->name;
  set_vtab_term(term, std::move(inst), g.catalog().database_name(t->db), t->name);
  term.cursor = g.new_cursor();
  Scope scope;
  scope.terms = {&term};
  g.emit(Op::OpenEphemeral, cursor, n_fields);
  WhereInfo w;
  KEEL_RETURN_IF_ERROR(where_begin(g, &scope, where, w));
  int regs = g.new_reg(n_fields), rec = g.new_reg(), key = g.new_reg();
  KEEL_RETURN_IF_ERROR(row(scope, term, regs));
  g.emit(Op::MakeRecord, regs, n_fields, rec);
  g.emit(Op::NewRowid, cursor, key);
  g.emit(Op::Insert, cursor, rec, key);
  return where_end(g, &scope, w);
}

}  // namespace

Status code_vtab_insert(CodeGen& g, const parse::InsertStmt* st, Table* t) {
  // UPSERT on a virtual table is refused, in SQLite's own words.
  if (st->upserts.size)
    return Status(rc::kError, "UPSERT not implemented for virtual table \"" + t->name + "\"");
  if (st->returning.size)
    return Status(rc::kError, "cannot use RETURNING with virtual table \"" + t->name + "\"");
  KEEL_ASSIGN_OR_RETURN(std::shared_ptr<const VtabInstance> inst, writable_vtab(g, t));
  int n = static_cast<int>(inst->columns.size());
  std::vector<int> source_of(n, -1);
  int rowid_source = -1;
  int n_source = 0;
  if (st->columns.size) {
    n_source = static_cast<int>(st->columns.size);
    for (uint32_t k = 0; k < st->columns.size; k++) {
      std::string_view name = st->columns[k].value;
      int col = -1;
      for (int i = 0; i < n; i++) {
        if (name_eq(inst->columns[i].name, name)) col = i;
      }
      if (col >= 0) {
        source_of[col] = static_cast<int>(k);
      } else if (is_rowid_name(name)) {
        rowid_source = static_cast<int>(k);
      } else {
        return Status(rc::kError, "table " + t->name + " has no column named " + std::string(name));
      }
    }
  } else {
    for (int i = 0; i < n; i++) {
      if (!inst->columns[i].hidden) source_of[i] = n_source++;
    }
  }
  int supplied = 0;
  if (!st->default_values) {
    KEEL_ASSIGN_OR_RETURN(std::vector<ColInfo> cols, select_columns(g, st->select, nullptr));
    supplied = static_cast<int>(cols.size());
    if (supplied != n_source) {
      if (st->columns.size) {
        return Status(rc::kError,
                      std::to_string(supplied) + " values for " + std::to_string(n_source) + " columns");
      }
      return Status(rc::kError, "table " + t->name + " has " + std::to_string(n_source) + " columns but " +
                                    std::to_string(supplied) + " values were supplied");
    }
  }
  emit_vbegin(g, *inst);
  int base = g.new_reg(2 + n);
  int src = -1, src_regs = 0, done = g.new_label(), top = 0;
  if (!st->default_values) {
    src = g.new_cursor();
    g.emit(Op::OpenEphemeral, src, supplied);
    SelectDest dest;
    dest.kind = SelectDest::Kind::kTable;
    dest.cursor = src;
    dest.n_cols = supplied;
    KEEL_RETURN_IF_ERROR(code_select(g, st->select, nullptr, dest));
    g.emit(Op::Rewind, src, done);
    top = g.addr();
    src_regs = g.new_reg(std::max(supplied, 1));
    for (int k = 0; k < supplied; k++) g.emit(Op::Column, src, k, src_regs + k);
  }
  g.emit(Op::Null, 0, base);
  if (rowid_source >= 0) {
    g.emit(Op::SCopy, src_regs + rowid_source, base + 1);
  } else {
    g.emit(Op::Null, 0, base + 1);
  }
  for (int i = 0; i < n; i++) {
    if (source_of[i] >= 0 && src >= 0) {
      g.emit(Op::SCopy, src_regs + source_of[i], base + 2 + i);
    } else {
      g.emit(Op::Null, 0, base + 2 + i);
    }
  }
  emit_vupdate(g, *inst, 2 + n, base, true, st->or_conflict);
  if (src >= 0) g.emit(Op::Next, src, top);
  g.bind(done);
  g.plan_row(g.plan_parent, "SCAN " + t->name + " VIRTUAL TABLE");
  return Status::Ok();
}

Status code_vtab_delete(CodeGen& g, const parse::DeleteStmt* st, Table* t) {
  if (st->returning.size)
    return Status(rc::kError, "cannot use RETURNING with virtual table \"" + t->name + "\"");
  KEEL_ASSIGN_OR_RETURN(std::shared_ptr<const VtabInstance> inst, writable_vtab(g, t));
  emit_vbegin(g, *inst);
  int rows = g.new_cursor();
  KEEL_RETURN_IF_ERROR(collect_rows(g, t, inst, st->alias, st->where, rows, 1,
                                    [&](Scope&, FromTerm& term, int regs) -> Status {
                                      code_column(g, &term, -1, regs);
                                      return Status::Ok();
                                    }));
  int done = g.new_label();
  g.emit(Op::Rewind, rows, done);
  int top = g.addr();
  int arg = g.new_reg();
  g.emit(Op::Column, rows, 0, arg);
  emit_vupdate(g, *inst, 1, arg, false, parse::ConflictAction::kDefault);
  g.emit(Op::Next, rows, top);
  g.bind(done);
  return Status::Ok();
}

Status code_vtab_update(CodeGen& g, const parse::UpdateStmt* st, Table* t) {
  if (st->returning.size)
    return Status(rc::kError, "cannot use RETURNING with virtual table \"" + t->name + "\"");
  if (st->from.size) return Status(rc::kError, "UPDATE ... FROM is not supported on virtual tables");
  KEEL_ASSIGN_OR_RETURN(std::shared_ptr<const VtabInstance> inst, writable_vtab(g, t));
  int n = static_cast<int>(inst->columns.size());
  // Which SET value each column (and the rowid) takes.
  std::vector<const parse::Expr*> value_of(n, nullptr);
  const parse::Expr* rowid_value = nullptr;
  for (const parse::SetClause& sc : st->set) {
    if (sc.columns.size != 1)
      return Status(rc::kError, "row values in UPDATE of a virtual table are not supported");
    std::string_view name = sc.columns[0].value;
    int col = -1;
    for (int i = 0; i < n; i++) {
      if (name_eq(inst->columns[i].name, name)) col = i;
    }
    if (col >= 0) {
      value_of[col] = sc.value;
    } else if (is_rowid_name(name)) {
      rowid_value = sc.value;
    } else {
      return Status(rc::kError, "no such column: " + std::string(name));
    }
  }
  emit_vbegin(g, *inst);
  int rows = g.new_cursor();
  int n_fields = 2 + n;
  KEEL_RETURN_IF_ERROR(collect_rows(g, t, inst, st->alias, st->where, rows, n_fields,
                                    [&](Scope& scope, FromTerm& term, int regs) -> Status {
                                      code_column(g, &term, -1, regs);
                                      if (rowid_value) {
                                        KEEL_RETURN_IF_ERROR(code_expr(g, &scope, rowid_value, regs + 1));
                                      } else {
                                        g.emit(Op::SCopy, regs, regs + 1);
                                      }
                                      for (int i = 0; i < n; i++) {
                                        if (value_of[i]) {
                                          KEEL_RETURN_IF_ERROR(
                                              code_expr(g, &scope, value_of[i], regs + 2 + i));
                                        } else {
                                          code_column(g, &term, i, regs + 2 + i);
                                        }
                                      }
                                      return Status::Ok();
                                    }));
  int done = g.new_label();
  g.emit(Op::Rewind, rows, done);
  int top = g.addr();
  int base = g.new_reg(n_fields);
  for (int k = 0; k < n_fields; k++) g.emit(Op::Column, rows, k, base + k);
  emit_vupdate(g, *inst, n_fields, base, false, st->or_conflict);
  g.emit(Op::Next, rows, top);
  g.bind(done);
  return Status::Ok();
}

}  // namespace keel::plan
