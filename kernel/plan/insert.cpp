// INSERT (SQLite's insert.c): VALUES, SELECT and DEFAULT VALUES sources,
// column lists, defaults, rowid assignment, AUTOINCREMENT with
// sqlite_sequence, conflict clauses, ON CONFLICT DO NOTHING / DO UPDATE,
// and RETURNING.
//
// A multi-row or SELECT source runs as a coroutine that yields one row at a
// time to the insert loop — unless it may read the table being written (or
// triggers, whose bodies may write the source, are present): then it is
// first materialized into an ephemeral table, so the statement sees the
// rows as they were when it started (SQLite's rule in insert.c).
#include <algorithm>

#include "parse/ast_walk.h"
#include "plan/dml_internal.h"
#include "plan/generated_columns.h"
#include "plan/foreign_key.h"
#include "plan/select_internal.h"
#include "vm/collation.h"

namespace keel::plan {

namespace {

bool name_eq(std::string_view a, std::string_view b) { return vm::stricmp(a, b) == 0; }

constexpr parse::TriggerEvent kInsertEvent = parse::TriggerEvent::kInsert;

bool is_rowid_name(std::string_view n) {
  return name_eq(n, "rowid") || name_eq(n, "oid") || name_eq(n, "_rowid_");
}

// Whether a SELECT may read table `t`: it names t, or a view or virtual
// table (whose contents could come from t). Names that are not tables are
// CTEs (whose bodies are walked as well) or table-valued functions.
class TableReads : public parse::AstVisitor {
 public:
  TableReads(CodeGen& g, const Table* t) : g_(g), t_(t) {}
  void name(const parse::Name& n, parse::NameRole role) override {
    if (role != parse::NameRole::kTable || reads) return;
    if (name_eq(n.value, t_->name)) {
      reads = true;
      return;
    }
    const Table* other = g_.catalog().find_table({}, n.value);
    if (other && (other->is_view || other->is_virtual)) reads = true;
  }
  bool reads = false;

 private:
  CodeGen& g_;
  const Table* t_;
};

bool select_may_read(CodeGen& g, const parse::Select* sel, const Table* t) {
  TableReads v(g, t);
  parse::walk(*sel, v);
  for (const parse::CommonTableExpr* cte : g.ctes) {
    if (!v.reads && cte->select) parse::walk(*cte->select, v);
  }
  return v.reads;
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
  if (Table* view = dml_target_view(g, st->table)) return code_view_insert(g, st, view);
  KEEL_ASSIGN_OR_RETURN(Table * t, find_table_or_error(g, st->table, false));
  if (vm::strnicmp(t->name.c_str(), "sqlite_", 7) == 0 && t->root == 1) {
    return Status(rc::kError, "table " + t->name + " may not be modified");
  }
  if (t->is_virtual) return code_vtab_insert(g, st, t);
  std::vector<const parse::CommonTableExpr*> saved_ctes = g.ctes;
  if (st->with) push_with(g, st->with);
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
      if (col >= 0 && is_generated(t->columns[col])) {
        return Status(rc::kError, "cannot INSERT into generated column \"" + t->columns[col].name + "\"");
      }
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
    // Generated columns take no value (SQLite's COLFLAG_NOINSERT).
    n_source = 0;
    for (int i = 0; i < n; i++) {
      if (is_generated(t->columns[i])) continue;
      if (i == t->rowid_alias) rowid_source = n_source;
      source_of[i] = n_source++;
    }
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
    return Status(rc::kError, "table " + t->name + " has " + std::to_string(n_source) + " columns but " +
                                  std::to_string(supplied) + " values were supplied");
  }

  // One row whose checks all precede its writes needs no statement savepoint.
  g.note_row_write((single != nullptr || st->default_values) && st->upserts.size == 0 &&
                   st->returning.size == 0 && row_write_fails_first(t, st->or_conflict, &kInsertEvent));
  TableWriter w;
  open_writer(g, w, t, st->or_conflict);
  // ON CONFLICT clauses: which constraint each one catches.
  for (const parse::Upsert* u : st->upserts) {
    Upsert up;
    up.clause = u;
    if (u->target.size == 0) {
      up.any = true;
    } else {
      std::vector<int> cols;
      for (const parse::OrderingTerm& ot : u->target) {
        const parse::Expr* e = ot.expr;
        if (e->kind == parse::ExprKind::kCollate) e = e->as<parse::CollateExpr>()->operand;
        int col = -3;
        if (e->kind == parse::ExprKind::kColumnRef)
          col = t->find_column(e->as<parse::ColumnRefExpr>()->column.value);
        if (col < 0)
          return Status(rc::kError, "ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint");
        cols.push_back(col);
      }
      std::sort(cols.begin(), cols.end());
      if (cols.size() == 1 && cols[0] == t->rowid_alias) {
        up.rowid = true;
      } else {
        for (const Index* idx : t->indexes) {
          if (!idx->unique || idx->n_key_columns != static_cast<int>(cols.size())) continue;
          std::vector<int> key(idx->columns.begin(), idx->columns.begin() + idx->n_key_columns);
          std::sort(key.begin(), key.end());
          if (key == cols) {
            up.index = idx;
            break;
          }
        }
        if (up.index == nullptr) {
          return Status(rc::kError, "ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint");
        }
      }
    }
    if (u->do_update) up.label = g.new_label();
    w.upserts.push_back(up);
  }
  if (!w.upserts.empty()) w.upsert_rowid = g.new_reg();
  Autoinc autoinc;
  if (t->autoincrement) autoinc_begin(g, t, autoinc);

  int src_cursor = -1, src_yield = 0;
  int src_regs = 0;
  int loop_top = 0, loop_end = g.new_label();
  if (!st->default_values && !single && t->triggers.empty() && t->method_indexes.empty() &&
      !select_may_read(g, st->select, t)) {
    // The select as a coroutine: each Yield at loop_top resumes it for the
    // next row in src_regs, or jumps to loop_end when it has ended.
    src_yield = g.new_reg();
    src_regs = g.new_reg(supplied);
    int body = g.new_label(), after = g.new_label();
    g.emit(Op::InitCoroutine, src_yield, after, body);
    g.bind(body);
    SelectDest dest;
    dest.kind = SelectDest::Kind::kCoroutine;
    dest.reg = src_regs;
    dest.n_cols = supplied;
    dest.yield_reg = src_yield;
    KEEL_RETURN_IF_ERROR(code_select(g, st->select, nullptr, dest));
    g.emit(Op::EndCoroutine, src_yield);
    g.bind(after);
    loop_top = g.addr();
    g.emit(Op::Yield, src_yield, loop_end);
  } else if (!st->default_values && !single) {
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
  KEEL_RETURN_IF_ERROR(code_generated_columns(g, w, false));
  if (has_triggers(g, t)) {
    // BEFORE triggers see NEW.rowid as -1 when the statement gives none (or NULL).
    FromTerm before_new = w.term;
    if (!t->without_rowid) {
      int regs = g.new_reg(n + 1);
      g.emit(Op::Copy, w.rowid, regs, n);
      int given = g.new_label();
      if (explicit_rowid) g.emit(Op::NotNull, src_regs + rowid_source, given);
      g.emit(Op::Integer, -1, regs);
      if (t->rowid_alias >= 0) g.emit(Op::Integer, -1, regs + 1 + t->rowid_alias);
      g.bind(given);
      before_new.rowid_reg = regs;
      before_new.reg_base = regs + 1;
    }
    KEEL_RETURN_IF_ERROR(
        code_triggers(g, t, parse::TriggerEvent::kInsert, true, nullptr, &before_new, skip, nullptr));
  }
  KEEL_RETURN_IF_ERROR(check_row(g, w, skip));
  KEEL_RETURN_IF_ERROR(check_unique(g, w, skip, false, 0, explicit_rowid));
  KEEL_RETURN_IF_ERROR(fk_check(g, t, nullptr, &w.term, nullptr,
                                (single != nullptr || st->default_values) && st->upserts.size == 0 &&
                                    st->or_conflict != parse::ConflictAction::kReplace));
  KEEL_RETURN_IF_ERROR(write_row(g, w, vm::kOpflagNChange | vm::kOpflagLastRowid));
  // RETURNING sees the row before the AFTER triggers run (SQLite codes it as
  // the first AFTER trigger).
  KEEL_RETURN_IF_ERROR(code_returning(g, w, st->returning));
  if (has_triggers(g, t)) {
    KEEL_RETURN_IF_ERROR(
        code_triggers(g, t, parse::TriggerEvent::kInsert, false, nullptr, &w.term, skip, nullptr));
  }
  if (autoinc.seq) g.emit(Op::MemMax, autoinc.max, w.rowid);
  if (!w.upserts.empty()) g.emit(Op::Goto, 0, skip);
  // DO UPDATE: update the conflicting row instead.
  for (const Upsert& up : w.upserts) {
    if (!up.label) continue;
    const parse::Upsert* u = up.clause;
    g.bind(up.label);
    auto fresh = [&](TableWriter& x) {
      x = w;
      x.upserts.clear();
      x.rowid = g.new_reg(n + 1);
      x.base = x.rowid + 1;
      x.term.reg_base = x.base;
      x.term.rowid_reg = x.rowid;
      x.scope.terms = {&x.term};
    };
    TableWriter old, nw;
    fresh(old);
    fresh(nw);
    if (st->alias.present()) old.term.name = std::string(st->alias.value);
    g.emit(Op::NotExists, w.cursor, skip, w.upsert_rowid);
    load_row(g, old);
    FromTerm excluded = w.term;
    excluded.name = "excluded";
    excluded.qualified_only = true;
    excluded.cursor = -2000 - w.cursor;
    Scope s;
    s.terms = {&old.term, &excluded};
    if (u->where) KEEL_RETURN_IF_ERROR(code_if_false(g, &s, u->where, skip, true));
    g.emit(Op::Copy, old.rowid, nw.rowid, n);
    std::vector<int> changed;  // assigned columns (-1: the rowid), for UPDATE OF triggers and foreign keys
    for (const parse::SetClause& sc : u->set) {
      for (uint32_t k = 0; k < sc.columns.size; k++) {
        int col = t->find_column(sc.columns[k].value);
        if (col < 0) return Status(rc::kError, "no such column: " + std::string(sc.columns[k].value));
        if (is_generated(t->columns[col]))
          return Status(rc::kError, "cannot UPDATE generated column \"" + t->columns[col].name + "\"");
        changed.push_back(col == t->rowid_alias ? -1 : col);
        const parse::Expr* v = sc.value;
        if (sc.columns.size > 1) {
          if (v->kind != parse::ExprKind::kVector ||
              v->as<parse::VectorExpr>()->items.size != sc.columns.size) {
            return Status(rc::kError, "row value misused");
          }
          v = v->as<parse::VectorExpr>()->items[k];
        }
        KEEL_RETURN_IF_ERROR(code_expr(g, &s, v, col == t->rowid_alias ? nw.rowid : nw.base + col));
        if (col == t->rowid_alias) g.emit(Op::MustBeInt, nw.rowid, 0);
      }
    }
    if (t->rowid_alias >= 0) g.emit(Op::SCopy, nw.rowid, nw.base + t->rowid_alias);
    std::string aff;
    for (const Column& c : t->columns) aff.push_back(static_cast<char>(c.affinity));
    int a = g.emit(Op::Affinity, nw.base, n);
    g.set_p4_affinity(a, aff);
    KEEL_RETURN_IF_ERROR(code_generated_columns(g, nw, false));
    bool triggers = has_triggers(g, t);
    if (triggers) {
      // DO UPDATE is an UPDATE: its triggers fire, not the INSERT's.
      KEEL_RETURN_IF_ERROR(
          code_triggers(g, t, parse::TriggerEvent::kUpdate, true, &old.term, &nw.term, skip, &changed));
      g.emit(Op::NotExists, w.cursor, skip, old.rowid);
    }
    KEEL_RETURN_IF_ERROR(check_row(g, nw, skip));
    KEEL_RETURN_IF_ERROR(check_unique(g, nw, skip, true, old.rowid, t->rowid_alias >= 0));
    KEEL_RETURN_IF_ERROR(fk_check(g, t, &old.term, nullptr, &changed));
    KEEL_RETURN_IF_ERROR(delete_index_entries(g, old));
    if (t->rowid_alias >= 0) {
      int same = g.new_label(), gone = g.new_label();
      code_compare_jump(g, parse::BinaryOp::kEq, nw.rowid, old.rowid, vm::Affinity::kNone, nullptr, same,
                        false);
      g.emit(Op::NotExists, w.cursor, gone, old.rowid);
      mark_row_change(g, g.emit(Op::Delete, w.cursor, vm::kOpflagIsUpdate), t);
      g.bind(gone);
      g.bind(same);
    }
    KEEL_RETURN_IF_ERROR(fk_check(g, t, nullptr, &nw.term, &changed));
    KEEL_RETURN_IF_ERROR(write_row(g, nw, vm::kOpflagNChange | vm::kOpflagIsUpdate));
    KEEL_RETURN_IF_ERROR(fk_actions(g, t, &old.term, &nw.term, &changed));
    KEEL_RETURN_IF_ERROR(code_returning(g, nw, st->returning));
    if (triggers) {
      KEEL_RETURN_IF_ERROR(
          code_triggers(g, t, parse::TriggerEvent::kUpdate, false, &old.term, &nw.term, skip, &changed));
    }
    g.emit(Op::Goto, 0, skip);
  }
  g.bind(skip);
  if (src_cursor >= 0) {
    g.emit(Op::Next, src_cursor, loop_top);
  } else if (src_yield) {
    g.emit(Op::Goto, 0, loop_top);
  }
  g.bind(loop_end);
  autoinc_end(g, t, autoinc);
  g.ctes = std::move(saved_ctes);
  return Status::Ok();
}

}  // namespace keel::plan
