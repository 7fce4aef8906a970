// INSERT (SQLite's insert.c): VALUES, SELECT and DEFAULT VALUES sources,
// column lists, defaults, rowid assignment, AUTOINCREMENT with
// sqlite_sequence, conflict clauses, ON CONFLICT DO NOTHING / DO UPDATE,
// and RETURNING.
//
// A multi-row or SELECT source is first materialized into an ephemeral
// table, so a statement reading the table it writes sees the rows as they
// were when it started.
#include "plan/dml_internal.h"
#include "plan/select_internal.h"
#include "vm/collation.h"

namespace keel::plan {

namespace {

bool name_eq(std::string_view a, std::string_view b) { return vm::stricmp(a, b) == 0; }

bool is_rowid_name(std::string_view n) {
  return name_eq(n, "rowid") || name_eq(n, "oid") || name_eq(n, "_rowid_");
}

struct Autoinc {
  int seq_cursor = -1;
  int seq_rowid = 0;  // rowid of t's row in sqlite_sequence, NULL if none
  int max = 0;        // largest rowid ever used
  Table* seq = nullptr;
};

void autoinc_begin(CodeGen& g, Table* t, Autoinc& a) {
  a.seq = g.catalog().database(t->db).find_table("sqlite_sequence");
  if (a.seq == nullptr) return;
  a.seq_cursor = g.new_cursor();
  a.seq_rowid = g.new_reg();
  a.max = g.new_reg();
  open_table(g, a.seq, a.seq_cursor, true);
  g.emit(Op::Null, 0, a.seq_rowid);
  g.emit(Op::Integer, 0, a.max);
  int name = g.new_reg(), tmp = g.new_reg();
  g.emit_string(name, t->name);
  int end = g.new_label(), next = g.new_label();
  g.emit(Op::Rewind, a.seq_cursor, end);
  int top = g.addr();
  g.emit(Op::Column, a.seq_cursor, 0, tmp);
  code_compare_jump(g, parse::BinaryOp::kNe, tmp, name, vm::Affinity::kNone, nullptr, next, true);
  g.emit(Op::Rowid, a.seq_cursor, a.seq_rowid);
  g.emit(Op::Column, a.seq_cursor, 1, a.max);
  g.emit(Op::Goto, 0, end);
  g.bind(next);
  g.emit(Op::Next, a.seq_cursor, top);
  g.bind(end);
}

void autoinc_end(CodeGen& g, Table* t, Autoinc& a) {
  if (a.seq == nullptr) return;
  int regs = g.new_reg(2), rec = g.new_reg();
  g.emit_string(regs, t->name);
  g.emit(Op::SCopy, a.max, regs + 1);
  int have = g.new_label();
  g.emit(Op::NotNull, a.seq_rowid, have);
  g.emit(Op::NewRowid, a.seq_cursor, a.seq_rowid);
  g.bind(have);
  g.emit(Op::MakeRecord, regs, 2, rec);
  g.emit(Op::Insert, a.seq_cursor, rec, a.seq_rowid);
}

}  // namespace

Status code_insert(CodeGen& g, const parse::InsertStmt* st) {
  KEEL_ASSIGN_OR_RETURN(Table * t, find_table_or_error(g, st->table, false));
  if (vm::strnicmp(t->name.c_str(), "sqlite_", 7) == 0 && t->root == 1) {
    return Status(rc::kError, "table " + t->name + " may not be modified");
  }
  if (t->is_virtual) return Status(rc::kError, "virtual tables are not supported");
  if (!t->triggers.empty()) return Status(rc::kError, "tables with triggers cannot be written yet: " + t->name);
  std::vector<const parse::CommonTableExpr*> saved_ctes = g.ctes;
  if (st->with) {
    for (const parse::CommonTableExpr* c : st->with->ctes) g.ctes.push_back(c);
  }
  int n = static_cast<int>(t->columns.size());
  // Column list → position of each table column in the source row (-1: default).
  std::vector<int> source_of(n, -1);
  int rowid_source = -1;
  int n_source = n;
  if (st->columns.size) {
    n_source = static_cast<int>(st->columns.size);
    for (uint32_t k = 0; k < st->columns.size; k++) {
      std::string_view name = st->columns[k].value;
      int col = t->find_column(name);
      if (col >= 0) {
        source_of[col] = static_cast<int>(k);
        if (col == t->rowid_alias) rowid_source = static_cast<int>(k);
      } else if (is_rowid_name(name) && !t->without_rowid) {
        rowid_source = static_cast<int>(k);
      } else {
        return Status(rc::kError, "table " + t->name + " has no column named " + std::string(name));
      }
    }
  } else {
    for (int i = 0; i < n; i++) source_of[i] = i;
    if (t->rowid_alias >= 0) rowid_source = t->rowid_alias;
  }

  // Source: one VALUES row coded in place, or a materialized select.
  const parse::SelectCore* single = nullptr;
  if (st->select && st->select->cores.size == 1 && st->select->cores[0]->is_values &&
      st->select->cores[0]->rows.size == 1 && st->select->order_by.size == 0 && !st->select->limit &&
      !st->select->with) {
    single = st->select->cores[0];
  }
  int supplied = 0;
  if (st->default_values) {
    supplied = st->columns.size ? -1 : 0;
  } else if (single) {
    supplied = static_cast<int>(single->rows[0].size);
  } else {
    KEEL_ASSIGN_OR_RETURN(std::vector<ColInfo> cols, select_columns(g, st->select, nullptr));
    supplied = static_cast<int>(cols.size());
  }
  if (!st->default_values && supplied != n_source) {
    if (st->columns.size) {
      return Status(rc::kError,
                    std::to_string(supplied) + " values for " + std::to_string(n_source) + " columns");
    }
    return Status(rc::kError, "table " + t->name + " has " + std::to_string(n) + " columns but " +
                                  std::to_string(supplied) + " values were supplied");
  }

  TableWriter w;
  parse::ConflictAction oc = st->or_conflict;
  // ON CONFLICT DO NOTHING behaves as OR IGNORE for the constraints it names.
  bool do_update = false;
  for (const parse::Upsert* u : st->upserts) {
    if (u->do_update) {
      do_update = true;
    } else if (oc == parse::ConflictAction::kDefault) {
      oc = parse::ConflictAction::kIgnore;
    }
  }
  if (do_update) return Status(rc::kError, "ON CONFLICT DO UPDATE is not supported");
  open_writer(g, w, t, oc);
  Autoinc autoinc;
  if (t->autoincrement) autoinc_begin(g, t, autoinc);

  int src_cursor = -1;
  int src_regs = 0;
  int loop_top = 0, loop_end = g.new_label();
  if (!st->default_values && !single) {
    src_cursor = g.new_cursor();
    g.emit(Op::OpenEphemeral, src_cursor, supplied);
    SelectDest dest;
    dest.kind = SelectDest::Kind::kTable;
    dest.cursor = src_cursor;
    dest.n_cols = supplied;
    KEEL_RETURN_IF_ERROR(code_select(g, st->select, nullptr, dest));
    g.emit(Op::Rewind, src_cursor, loop_end);
    loop_top = g.addr();
    src_regs = g.new_reg(supplied);
    for (int k = 0; k < supplied; k++) g.emit(Op::Column, src_cursor, k, src_regs + k);
  } else if (single) {
    src_regs = g.new_reg(std::max(supplied, 1));
    Scope empty;
    for (int k = 0; k < supplied; k++)
      KEEL_RETURN_IF_ERROR(code_expr(g, &empty, single->rows[0][k], src_regs + k));
  }
  int skip = g.new_label();
  // Column values.
  for (int i = 0; i < n; i++) {
    int reg = w.base + i;
    if (source_of[i] >= 0 && !st->default_values) {
      g.emit(Op::SCopy, src_regs + source_of[i], reg);
    } else if (t->columns[i].default_expr) {
      Scope empty;
      KEEL_RETURN_IF_ERROR(code_expr(g, &empty, t->columns[i].default_expr, reg));
    } else {
      g.emit(Op::Null, 0, reg);
    }
  }
  // Rowid.
  bool explicit_rowid = rowid_source >= 0 && !st->default_values;
  if (!t->without_rowid) {
    if (explicit_rowid) {
      int have = g.new_label(), done = g.new_label();
      g.emit(Op::SCopy, src_regs + rowid_source, w.rowid);
      g.emit(Op::NotNull, w.rowid, have);
      g.emit(Op::NewRowid, w.cursor, w.rowid, autoinc.max);
      g.emit(Op::Goto, 0, done);
      g.bind(have);
      g.emit(Op::MustBeInt, w.rowid, 0);
      g.bind(done);
    } else {
      g.emit(Op::NewRowid, w.cursor, w.rowid, autoinc.max);
    }
    if (t->rowid_alias >= 0) g.emit(Op::SCopy, w.rowid, w.base + t->rowid_alias);
  }
  {
    std::string aff;
    for (const Column& c : t->columns) aff.push_back(static_cast<char>(c.affinity));
    int a = g.emit(Op::Affinity, w.base, n);
    g.set_p4_affinity(a, aff);
  }
  KEEL_RETURN_IF_ERROR(check_row(g, w, skip));
  KEEL_RETURN_IF_ERROR(check_unique(g, w, skip, false, 0, explicit_rowid));
  KEEL_RETURN_IF_ERROR(write_row(g, w, vm::kOpflagNChange | vm::kOpflagLastRowid));
  if (autoinc.seq) g.emit(Op::MemMax, autoinc.max, w.rowid);
  if (st->returning.size) {
    std::vector<ResultCol> cols;
    int base = g.new_reg(static_cast<int>(st->returning.size));
    for (uint32_t k = 0; k < st->returning.size; k++) {
      const parse::ResultColumn& rc = st->returning[k];
      if (rc.kind != parse::ResultColumn::Kind::kExpr) {
        return Status(rc::kError, "RETURNING * is not supported");
      }
      KEEL_RETURN_IF_ERROR(code_expr(g, &w.scope, rc.expr, base + static_cast<int>(k)));
      vm::ResultColumnInfo info;
      info.name = rc.alias.present() ? std::string(rc.alias.value) : std::string(rc.span.text(g.sql()));
      g.prog().columns.push_back(info);
    }
    g.emit(Op::ResultRow, base, static_cast<int>(st->returning.size));
  }
  g.bind(skip);
  if (src_cursor >= 0) {
    g.emit(Op::Next, src_cursor, loop_top);
  }
  g.bind(loop_end);
  autoinc_end(g, t, autoinc);
  g.ctes = std::move(saved_ctes);
  return Status::Ok();
}

}  // namespace keel::plan
