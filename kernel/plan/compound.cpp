// Compound SELECT (SQLite's multiSelect): UNION ALL, UNION, EXCEPT and
// INTERSECT, evaluated left to right.
//
// Design note
// -----------
// The running result is an ephemeral b-tree: a rowid table while it is a
// bag (UNION ALL keeps input order), an index keyed on all columns while it
// is a set (UNION, EXCEPT, INTERSECT give sorted, distinct rows, as SQLite's
// do). Each operator converts the running result to the shape it needs. A
// compound made only of UNION ALL without ORDER BY or LIMIT streams each
// member straight to the destination.
#include "parse/ast_walk.h"
#include "plan/authorize.h"
#include "plan/select_internal.h"
#include "vm/collation.h"

namespace keel::plan {

using parse::CompoundOp;
using parse::Expr;
using parse::ExprKind;

namespace {

struct Acc {
  int cursor = -1;
  bool is_set = false;
};

std::unique_ptr<vm::KeyInfo> set_keyinfo(CodeGen& g, const std::vector<ColInfo>& cols) {
  auto ki = std::make_unique<vm::KeyInfo>();
  ki->n_key_field = static_cast<uint16_t>(cols.size());
  ki->n_all_field = static_cast<uint16_t>(cols.size());
  for (const ColInfo& c : cols)
    ki->collations.push_back(c.collation.empty() ? nullptr : g.collation(c.collation));
  return ki;
}

Acc open_acc(CodeGen& g, const std::vector<ColInfo>& cols, bool set) {
  Acc a;
  a.cursor = g.new_cursor();
  a.is_set = set;
  int op = g.emit(Op::OpenEphemeral, a.cursor, static_cast<int>(cols.size()));
  if (set) g.set_p4_keyinfo(op, set_keyinfo(g, cols));
  return a;
}

// Copies every row of `from` into a new accumulator of the other shape
// (set: duplicates dropped, the last of equal rows staying, or the first
// with keep_first). `filter` >= 0: only rows found in that index.
Acc convert(CodeGen& g, const std::vector<ColInfo>& cols, const Acc& from, bool set, int filter = -1,
            bool keep_first = false) {
  int n = static_cast<int>(cols.size());
  Acc to = open_acc(g, cols, set);
  int end = g.new_label(), next = g.new_label();
  g.emit(Op::Rewind, from.cursor, end);
  int top = g.addr();
  int regs = g.new_reg(n), rec = g.new_reg();
  for (int i = 0; i < n; i++) g.emit(Op::Column, from.cursor, i, regs + i);
  if (filter >= 0) {
    int f = g.emit(Op::NotFound, filter, next, regs);
    g.set_p4_int(f, n);
  }
  if (set && keep_first) {
    int f = g.emit(Op::Found, to.cursor, next, regs);
    g.set_p4_int(f, n);
  }
  g.emit(Op::MakeRecord, regs, n, rec);
  if (set) {
    g.emit(Op::IdxInsert, to.cursor, rec);
  } else {
    int rowid = g.new_reg();
    g.emit(Op::NewRowid, to.cursor, rowid);
    g.emit(Op::Insert, to.cursor, rec, rowid);
  }
  g.bind(next);
  g.emit(Op::Next, from.cursor, top);
  g.bind(end);
  return to;
}

// Inserts every row of set `from` into set `to`, replacing equal rows.
void insert_all(CodeGen& g, int n, const Acc& from, const Acc& to) {
  int end = g.new_label();
  g.emit(Op::Rewind, from.cursor, end);
  int top = g.addr();
  int regs = g.new_reg(n), rec = g.new_reg();
  for (int i = 0; i < n; i++) g.emit(Op::Column, from.cursor, i, regs + i);
  g.emit(Op::MakeRecord, regs, n, rec);
  g.emit(Op::IdxInsert, to.cursor, rec);
  g.emit(Op::Next, from.cursor, top);
  g.bind(end);
}

Status code_member(CodeGen& g, const parse::Select* sel, uint32_t i, Scope* outer, SelectDest::Kind kind,
                   int cursor, int n, int* correlated, bool keep_first = false,
                   const parse::List<parse::OrderingTerm>* order = nullptr,
                   const PushDown* pushdown = nullptr) {
  parse::Select one{};
  one.cores.items = sel->cores.items + i;
  one.cores.size = 1;
  if (order) one.order_by = *order;
  SelectDest d;
  d.kind = kind;
  d.cursor = cursor;
  d.n_cols = n;
  d.correlated = correlated;
  d.keep_first = keep_first;
  d.pushdown = pushdown;  // outer WHERE terms pushed into every arm (pushdown.h)
  return code_core(g, &one, sel->cores[i], outer, d);
}

bool name_eq(std::string_view a, std::string_view b) { return vm::stricmp(a, b) == 0; }

bool from_names_in(const parse::List<parse::FromItem*>& from, std::string_view name) {
  for (const parse::FromItem* it : from) {
    if (it->kind == parse::FromItem::Kind::kJoinGroup && from_names_in(it->group, name)) return true;
    if (it->kind == parse::FromItem::Kind::kTable && !it->table.schema.present() &&
        name_eq(it->table.name.value, name)) {
      return true;
    }
  }
  return false;
}

int from_name_count(const parse::List<parse::FromItem*>& from, std::string_view name) {
  int n = 0;
  for (const parse::FromItem* it : from) {
    if (it->kind == parse::FromItem::Kind::kJoinGroup) n += from_name_count(it->group, name);
    if (it->kind == parse::FromItem::Kind::kTable && !it->table.schema.present() &&
        name_eq(it->table.name.value, name)) {
      n++;
    }
  }
  return n;
}

// FROM terms named `name` (unqualified) in `sel` and every select nested in it.
int nested_name_count(const parse::Select& sel, std::string_view name) {
  struct Count : parse::AstVisitor {
    std::string_view target;
    int n = 0;
    void select(const parse::Select& s) override {
      for (const parse::SelectCore* core : s.cores) n += from_name_count(core->from, target);
    }
  } count;
  count.target = name;
  parse::walk(sel, count);
  return count.n;
}

bool from_names_any(const parse::SelectCore* core, std::string_view name) {
  return from_names_in(core->from, name);
}

Status code_member_dest(CodeGen& g, const parse::Select* sel, uint32_t i, Scope* outer, SelectDest::Kind kind,
                        int cursor, int aux, int n, int* correlated,
                        const std::vector<int>* queue_order = nullptr, int queue_seq = 0) {
  parse::Select one{};
  one.cores.items = sel->cores.items + i;
  one.cores.size = 1;
  SelectDest d;
  d.kind = kind;
  d.cursor = cursor;
  d.aux = aux;
  d.n_cols = n;
  d.correlated = correlated;
  if (queue_order) {
    d.queue_order = *queue_order;
    d.queue_seq = queue_seq;
  }
  return code_core(g, &one, sel->cores[i], outer, d);
}

// Matches a compound ORDER BY term to a result column (0-based), or -1.
int match_order_term(CodeGen& g, const parse::Select* sel, const Expr* e, int n) {
  while (e->kind == ExprKind::kCollate) e = e->as<parse::CollateExpr>()->operand;
  if (e->kind == ExprKind::kLiteral && e->as<parse::LiteralExpr>()->literal == parse::LiteralKind::kInteger) {
    int64_t v;
    double r;
    if (parse_integer_literal(e->as<parse::LiteralExpr>()->text, false, &v, &r) && v >= 1 && v <= n) {
      return static_cast<int>(v - 1);
    }
    return -2;
  }
  for (const parse::SelectCore* core : sel->cores) {
    if (core->is_values) continue;
    for (uint32_t j = 0; j < core->columns.size && static_cast<int>(j) < n; j++) {
      const parse::ResultColumn& rc = core->columns[j];
      if (rc.kind != parse::ResultColumn::Kind::kExpr) continue;
      if (e->kind == ExprKind::kColumnRef && !e->as<parse::ColumnRefExpr>()->table.present()) {
        std::string_view name = e->as<parse::ColumnRefExpr>()->column.value;
        if (rc.alias.present() && name_eq(rc.alias.value, name)) return static_cast<int>(j);
        if (!rc.alias.present() && rc.expr->kind == ExprKind::kColumnRef &&
            name_eq(rc.expr->as<parse::ColumnRefExpr>()->column.value, name)) {
          return static_cast<int>(j);
        }
      }
      if (expr_equal(g.sql(), rc.expr, e)) return static_cast<int>(j);
    }
  }
  return -1;
}

// SQLite's multiSelectCollSeq: column i of a compound compares with the
// collation of the leftmost SELECT whose expression has one (a column, or
// an explicit COLLATE), so `SELECT 1 UNION SELECT x COLLATE NOCASE`
// compares with NOCASE.
Status compound_collation(CodeGen& g, const parse::Select* sel, Scope* outer, int i, ColInfo& col) {
  for (uint32_t j = 0; j < sel->cores.size; j++) {
    const parse::SelectCore* core = sel->cores[j];
    const parse::Expr* e = nullptr;
    if (core->is_values) {
      if (core->rows.size && static_cast<uint32_t>(i) < core->rows[0].size) e = core->rows[0][i];
    } else {
      for (const parse::ResultColumn& rc : core->columns) {
        if (rc.kind != parse::ResultColumn::Kind::kExpr)
          return Status::Ok();  // a table column: core 0 decides
      }
      if (static_cast<uint32_t>(i) < core->columns.size) e = core->columns[i].expr;
    }
    if (e == nullptr) return Status::Ok();
    FromClause fc;
    Scope s;
    s.outer = outer;
    if (!core->is_values) {
      KEEL_RETURN_IF_ERROR(build_from(g, core->from, outer, fc));
      for (auto& t : fc.terms) s.terms.push_back(t.get());
    }
    if (expr_has_collation(g, &s, e)) {
      bool expl = false;
      col.collation = expr_collation(g, &s, e, &expl);
      return Status::Ok();
    }
  }
  return Status::Ok();
}

// The ORDER BY each member of a compound with ORDER BY is read in, as
// SQLite's multiSelectOrderBy gives it to them: the compound's terms as
// column numbers with the compound column's collation made explicit, then
// every other column. Members then produce their rows in the order SQLite
// merges them (an index that gives the order is read the same way, ties
// included). False when a term names no column (reported later).
bool member_order(CodeGen& g, const parse::Select* sel, const std::vector<ColInfo>& cols,
                  parse::List<parse::OrderingTerm>* out) {
  int n = static_cast<int>(cols.size());
  std::vector<bool> used(cols.size(), false);
  for (const parse::OrderingTerm& t : sel->order_by) {
    int k = match_order_term(g, sel, t.expr, n);
    if (k < 0) return false;
    used[static_cast<size_t>(k)] = true;
  }
  uint32_t count = sel->order_by.size;
  for (int j = 0; j < n; j++) count += used[static_cast<size_t>(j)] ? 0 : 1;
  out->items = g.arena.make_array<parse::OrderingTerm>(count);
  out->size = 0;
  auto add = [&](int k, std::string_view coll, const parse::OrderingTerm* from) {
    parse::Span span = from ? from->expr->span : sel->span;
    auto* num = g.arena.make<parse::LiteralExpr>();
    num->kind = ExprKind::kLiteral;
    num->height = 1;
    num->span = span;
    num->literal = parse::LiteralKind::kInteger;
    num->text = g.arena.copy(std::to_string(k + 1));
    auto* c = g.arena.make<parse::CollateExpr>();
    c->kind = ExprKind::kCollate;
    c->height = 2;
    c->span = span;
    c->operand = num;
    c->collation.value = g.arena.copy(coll.empty() ? std::string_view("BINARY") : coll);
    c->collation.span = span;
    parse::OrderingTerm& t = out->items[out->size++];
    t.expr = c;
    t.order = from ? from->order : parse::SortOrder::kAsc;
    t.nulls = from ? from->nulls : parse::NullsOrder::kUndefined;
    t.span = span;
  };
  for (const parse::OrderingTerm& t : sel->order_by) {
    int k = match_order_term(g, sel, t.expr, n);
    std::string_view coll = cols[static_cast<size_t>(k)].collation;
    if (t.expr->kind == ExprKind::kCollate) coll = t.expr->as<parse::CollateExpr>()->collation.value;
    add(k, coll, &t);
  }
  for (int j = 0; j < n; j++) {
    if (!used[static_cast<size_t>(j)]) add(j, cols[static_cast<size_t>(j)].collation, nullptr);
  }
  return true;
}

}  // namespace

Status code_compound(CodeGen& g, const parse::Select* sel, Scope* outer, SelectDest& dest) {
  KEEL_ASSIGN_OR_RETURN(std::vector<ColInfo> cols, select_columns(g, sel, outer));
  int n = static_cast<int>(cols.size());
  for (int i = 0; i < n; i++) KEEL_RETURN_IF_ERROR(compound_collation(g, sel, outer, i, cols[i]));
  if (dest.kind == SelectDest::Kind::kMem && dest.n_cols != n) {
    return Status(rc::kError, "sub-select returns " + std::to_string(n) + " columns - expected " +
                                  std::to_string(dest.n_cols));
  }
  if (dest.kind == SelectDest::Kind::kOutput && g.prog().columns.empty()) {
    for (const ColInfo& c : cols) {
      vm::ResultColumnInfo info;
      info.name = c.name;
      info.decltype_ = c.decl_type;
      g.prog().columns.push_back(std::move(info));
    }
  }
  bool all_union_all = true;
  for (uint32_t i = 1; i < sel->cores.size; i++) {
    if (sel->cores[i]->op != CompoundOp::kUnionAll) all_union_all = false;
  }
  int parent = g.plan_parent;
  g.plan_parent = g.plan_row(parent, all_union_all ? "COMPOUND QUERY" : "MERGE (COMPOUND)");
  struct Restore {
    CodeGen& g;
    int p;
    ~Restore() { g.plan_parent = p; }
  } restore{g, parent};
  bool simple_dest = dest.kind == SelectDest::Kind::kOutput || dest.kind == SelectDest::Kind::kTable ||
                     dest.kind == SelectDest::Kind::kIndex || dest.kind == SelectDest::Kind::kCoroutine;
  if (all_union_all && sel->order_by.size == 0 && sel->limit == nullptr && simple_dest) {
    for (uint32_t i = 0; i < sel->cores.size; i++) {
      parse::Select one{};
      one.cores.items = sel->cores.items + i;
      one.cores.size = 1;
      KEEL_RETURN_IF_ERROR(code_core(g, &one, sel->cores[i], outer, dest));
    }
    return Status::Ok();
  }

  // Build the running result. Of rows equal in every column (1 and 1.0,
  // 'a' and 'A' under NOCASE) the set keeps the last one, as SQLite's
  // ephemeral index does. With ORDER BY, SQLite merges the members' sorted
  // rows instead (multiSelectOrderBy), each member's equal rows in scan
  // order (its sort is stable): a run of equal rows gives its first one,
  // and where both sides of a UNION hold equal rows the right side's wins
  // (on A == B the merge drops A's row); EXCEPT and INTERSECT keep the
  // left side's.
  bool keep_first = sel->order_by.size != 0;
  parse::List<parse::OrderingTerm> order_list{};
  const parse::List<parse::OrderingTerm>* order = nullptr;
  if (keep_first && !all_union_all && member_order(g, sel, cols, &order_list)) order = &order_list;
  bool first_set = sel->cores.size > 1 && sel->cores[1]->op != CompoundOp::kUnionAll;
  Acc acc = open_acc(g, cols, first_set);
  using Kind = SelectDest::Kind;
  const PushDown* pd = dest.pushdown;
  KEEL_RETURN_IF_ERROR(code_member(g, sel, 0, outer, first_set ? Kind::kDistinctIndex : Kind::kTable,
                                   acc.cursor, n, dest.correlated, keep_first, order, pd));
  for (uint32_t i = 1; i < sel->cores.size; i++) {
    CompoundOp op = sel->cores[i]->op;
    switch (op) {
      case CompoundOp::kUnionAll:
        if (acc.is_set) acc = convert(g, cols, acc, false);
        KEEL_RETURN_IF_ERROR(
            code_member(g, sel, i, outer, Kind::kTable, acc.cursor, n, dest.correlated, false, order, pd));
        break;
      case CompoundOp::kUnion:
        if (!acc.is_set) acc = convert(g, cols, acc, true, -1, keep_first);
        if (keep_first) {
          Acc right = open_acc(g, cols, true);
          KEEL_RETURN_IF_ERROR(code_member(g, sel, i, outer, Kind::kDistinctIndex, right.cursor, n,
                                           dest.correlated, true, order, pd));
          insert_all(g, n, right, acc);
        } else {
          KEEL_RETURN_IF_ERROR(code_member(g, sel, i, outer, Kind::kDistinctIndex, acc.cursor, n,
                                           dest.correlated, false, nullptr, pd));
        }
        break;
      case CompoundOp::kExcept:
        if (!acc.is_set) acc = convert(g, cols, acc, true, -1, keep_first);
        KEEL_RETURN_IF_ERROR(code_member(g, sel, i, outer, Kind::kExceptIndex, acc.cursor, n, dest.correlated,
                                         false, order, pd));
        break;
      default: {
        if (!acc.is_set) acc = convert(g, cols, acc, true, -1, keep_first);
        Acc right = open_acc(g, cols, true);
        KEEL_RETURN_IF_ERROR(code_member(g, sel, i, outer, Kind::kDistinctIndex, right.cursor, n,
                                         dest.correlated, false, order, pd));
        acc = convert(g, cols, acc, true, right.cursor);
        break;
      }
    }
  }

  // Output the running result through ORDER BY / LIMIT.
  RowOutput out;
  out.dest = &dest;
  out.n_cols = n;
  out.done = g.new_label();
  Scope scope;
  scope.outer = outer;
  scope.correlated_flag = dest.correlated;
  out.scope = &scope;
  if (sel->order_by.size) {
    auto ki = std::make_unique<vm::KeyInfo>();
    ki->n_key_field = static_cast<uint16_t>(sel->order_by.size);
    ki->n_all_field = static_cast<uint16_t>(sel->order_by.size);
    for (uint32_t i = 0; i < sel->order_by.size; i++) {
      const parse::OrderingTerm& t = sel->order_by[i];
      int k = match_order_term(g, sel, t.expr, n);
      if (k == -2) {
        return Status(rc::kError, ordinal(static_cast<int>(i) + 1) +
                                      " ORDER BY term out of range - should be between 1 and " +
                                      std::to_string(n));
      }
      if (k < 0) {
        return Status(rc::kError, ordinal(static_cast<int>(i) + 1) +
                                      " ORDER BY term does not match any column in the result set");
      }
      out.sort_keys.push_back(nullptr);
      out.sort_key_col.push_back(k);
      std::string coll = cols[k].collation;
      if (t.expr->kind == ExprKind::kCollate)
        coll = std::string(t.expr->as<parse::CollateExpr>()->collation.value);
      ki->collations.push_back(coll.empty() ? nullptr : g.collation(coll));
      bool desc = t.order == parse::SortOrder::kDesc;
      uint8_t f = desc ? vm::kSortDesc : 0;
      if (t.nulls == parse::NullsOrder::kLast && !desc) f |= vm::kSortBigNull;
      if (t.nulls == parse::NullsOrder::kFirst && desc) f |= vm::kSortBigNull;
      ki->sort_flags.push_back(f);
    }
    out.sorter = g.new_cursor();
    int a = g.emit(Op::SorterOpen, out.sorter, static_cast<int>(sel->order_by.size) + n);
    g.set_p4_keyinfo(a, std::move(ki));
  }
  KEEL_RETURN_IF_ERROR(code_limit(g, &scope, sel, out));
  int end = g.new_label();
  g.emit(Op::Rewind, acc.cursor, end);
  int top = g.addr();
  int regs = g.new_reg(n);
  for (int i = 0; i < n; i++) g.emit(Op::Column, acc.cursor, i, regs + i);
  int next = g.new_label();
  KEEL_RETURN_IF_ERROR(output_row(g, out, regs, next));
  g.bind(next);
  g.emit(Op::Next, acc.cursor, top);
  g.bind(end);
  if (out.sorter >= 0) {
    int n_keys = static_cast<int>(sel->order_by.size);
    int rec = g.new_reg();
    int pseudo = g.new_cursor();
    g.emit(Op::OpenPseudo, pseudo, rec, n_keys + n);
    int send = g.new_label();
    g.emit(Op::SorterSort, out.sorter, send);
    int stop = g.addr();
    g.emit(Op::SorterData, out.sorter, rec, pseudo);
    int base = g.new_reg(n);
    for (int i = 0; i < n; i++) g.emit(Op::Column, pseudo, n_keys + i, base + i);
    int snext = g.new_label();
    emit_to_dest(g, out, base, snext);
    g.bind(snext);
    g.emit(Op::SorterNext, out.sorter, stop);
    g.bind(send);
  }
  g.bind(out.done);
  return Status::Ok();
}

Status code_recursive_cte(CodeGen& g, const parse::CommonTableExpr* cte, Scope* outer, int cursor, int n,
                          int* correlated, int yield_reg, int reg_base) {
  // WITH RECURSIVE (SQLite's generateWithRecursiveQuery): rows of the
  // initial part go to a queue; each row taken from the queue is output
  // and becomes the single row the recursive part reads, whose results are
  // queued in turn (UNION: only rows never seen before).
  // The authorizer sees the CTE's name as the innermost view or trigger.
  std::string saved_auth = g.auth_trigger;
  g.auth_trigger = std::string(cte->name.value);
  struct RestoreAuth {
    CodeGen& g;
    std::string& saved;
    ~RestoreAuth() { g.auth_trigger = std::move(saved); }
  } restore_auth{g, saved_auth};
  KEEL_RETURN_IF_ERROR(authorize_select(g));
  KEEL_RETURN_IF_ERROR(authorize_recursive(g));
  const parse::Select* sel = cte->select;
  uint32_t k = 1;
  while (k < sel->cores.size && !from_names_any(sel->cores[k], cte->name.value)) k++;
  if (k >= sel->cores.size) k = 1;
  bool distinct = sel->cores[k]->op == CompoundOp::kUnion;
  for (uint32_t i = 0; i < sel->cores.size; i++) {
    const parse::SelectCore* core = sel->cores[i];
    int refs = from_name_count(core->from, cte->name.value);
    if (i < k && refs) return Status(rc::kError, "circular reference: " + std::string(cte->name.value));
    if (i < k) continue;
    if (refs > 1)
      return Status(rc::kError, "multiple references to recursive table: " + std::string(cte->name.value));
    // A further reference inside a subquery of the recursive part.
    parse::Select one{};
    one.cores.items = sel->cores.items + i;
    one.cores.size = 1;
    if (nested_name_count(one, cte->name.value) > refs)
      return Status(rc::kError, "multiple recursive references: " + std::string(cte->name.value));
    bool agg = core->group_by.size != 0;
    for (const parse::ResultColumn& rc : core->columns) {
      agg = agg || (rc.kind == parse::ResultColumn::Kind::kExpr && expr_has_aggregate(g, rc.expr));
    }
    if (agg) return Status(rc::kError, "recursive aggregate queries not supported");
  }
  if (!yield_reg) g.emit(Op::OpenEphemeral, cursor, n);
  int queue = g.new_cursor(), current = g.new_cursor();
  // With ORDER BY the queue is an index on [order columns, sequence, row]
  // and the next row to expand is always its first entry (SQLite's
  // SRT_Queue with pOrderBy); without, a FIFO rowid table.
  std::vector<int> order;
  int seq = 0;
  if (sel->order_by.size) {
    KEEL_ASSIGN_OR_RETURN(std::vector<ColInfo> cols, select_columns(g, sel, outer));
    auto ki = std::make_unique<vm::KeyInfo>();
    int nk = static_cast<int>(sel->order_by.size);
    ki->n_key_field = static_cast<uint16_t>(nk + 1);
    ki->n_all_field = static_cast<uint16_t>(nk + 1 + n);
    for (uint32_t i = 0; i < sel->order_by.size; i++) {
      const parse::OrderingTerm& t = sel->order_by[i];
      int c = match_order_term(g, sel, t.expr, n);
      if (c < 0 && !cte->columns.empty()) {
        // A name of the CTE's column list.
        const Expr* e = t.expr;
        while (e->kind == ExprKind::kCollate) e = e->as<parse::CollateExpr>()->operand;
        if (e->kind == ExprKind::kColumnRef && !e->as<parse::ColumnRefExpr>()->table.present()) {
          for (uint32_t j = 0; j < cte->columns.size && static_cast<int>(j) < n; j++) {
            if (name_eq(cte->columns[j].value, e->as<parse::ColumnRefExpr>()->column.value))
              c = static_cast<int>(j);
          }
        }
      }
      if (c == -2) {
        return Status(rc::kError, ordinal(static_cast<int>(i) + 1) +
                                      " ORDER BY term out of range - should be between 1 and " +
                                      std::to_string(n));
      }
      if (c < 0) {
        return Status(rc::kError, ordinal(static_cast<int>(i) + 1) +
                                      " ORDER BY term does not match any column in the result set");
      }
      order.push_back(c);
      std::string coll = cols[c].collation;
      if (t.expr->kind == ExprKind::kCollate)
        coll = std::string(t.expr->as<parse::CollateExpr>()->collation.value);
      ki->collations.push_back(coll.empty() ? nullptr : g.collation(coll));
      bool desc = t.order == parse::SortOrder::kDesc;
      uint8_t f = desc ? vm::kSortDesc : 0;
      if (t.nulls == parse::NullsOrder::kLast && !desc) f |= vm::kSortBigNull;
      if (t.nulls == parse::NullsOrder::kFirst && desc) f |= vm::kSortBigNull;
      ki->sort_flags.push_back(f);
    }
    int a = g.emit(Op::OpenEphemeral, queue, nk + 1 + n);
    g.set_p4_keyinfo(a, std::move(ki));
    seq = g.new_reg();
    g.emit(Op::Integer, 0, seq);
  } else {
    g.emit(Op::OpenEphemeral, queue, n);
  }
  const std::vector<int>* queue_order = order.empty() ? nullptr : &order;
  int seen = -1;
  if (distinct) {
    seen = g.new_cursor();
    auto ki = std::make_unique<vm::KeyInfo>();
    ki->n_key_field = static_cast<uint16_t>(n);
    ki->n_all_field = static_cast<uint16_t>(n);
    int a = g.emit(Op::OpenEphemeral, seen, n);
    g.set_p4_keyinfo(a, std::move(ki));
  }
  int end = g.new_label();
  int limit = 0, offset = 0;
  Scope lscope;
  lscope.outer = outer;
  lscope.correlated_flag = correlated;
  if (sel->limit) {
    limit = g.new_reg();
    KEEL_RETURN_IF_ERROR(code_expr(g, &lscope, sel->limit, limit));
    g.emit(Op::MustBeInt, limit, 0);
    g.emit(Op::IfNot, limit, end);
    if (sel->offset) {
      offset = g.new_reg();
      KEEL_RETURN_IF_ERROR(code_expr(g, &lscope, sel->offset, offset));
      g.emit(Op::MustBeInt, offset, 0);
    }
  }
  // The CTE is not visible in its initial part.
  std::vector<const parse::CommonTableExpr*> saved = g.ctes;
  while (!g.ctes.empty() && g.ctes.back() != cte) g.ctes.pop_back();
  if (!g.ctes.empty()) g.ctes.pop_back();
  for (uint32_t i = 0; i < k; i++) {
    Status s = code_member_dest(g, sel, i, outer, SelectDest::Kind::kQueue, queue, seen, n, correlated,
                                queue_order, seq);
    if (!s.ok()) {
      g.ctes = std::move(saved);
      return s;
    }
  }
  g.ctes = saved;
  // `current` holds the single row being expanded: opened once, its row
  // replaced each round (an ephemeral table per row would cost a pager).
  g.emit(Op::OpenEphemeral, current, n);
  int top = g.addr();
  g.emit(Op::Rewind, queue, end);
  int rec = g.new_reg(), rowid = g.new_reg();
  if (queue_order) {
    int row = g.new_reg(n);
    int first = static_cast<int>(order.size()) + 1;
    for (int j = 0; j < n; j++) g.emit(Op::Column, queue, first + j, row + j);
    g.emit(Op::MakeRecord, row, n, rec);
  } else {
    g.emit(Op::RowData, queue, rec);
  }
  int empty = g.new_label();
  g.emit(Op::Rewind, current, empty);
  g.emit(Op::Delete, current, 0);
  g.bind(empty);
  g.emit(Op::NewRowid, current, rowid);
  g.emit(Op::Insert, current, rec, rowid);
  g.emit(Op::Delete, queue, 0);
  int skip_out = g.new_label();
  if (offset) g.emit(Op::IfPos, offset, skip_out, 1);
  if (yield_reg) {
    // `current` holds just this row.
    int none = g.new_label();
    g.emit(Op::Rewind, current, none);
    for (int c = 0; c < n; c++) g.emit(Op::Column, current, c, reg_base + c);
    g.emit(Op::Yield, yield_reg, 0);
    g.bind(none);
  } else {
    g.emit(Op::NewRowid, cursor, rowid);
    g.emit(Op::Insert, cursor, rec, rowid);
  }
  if (limit) g.emit(Op::DecrJumpZero, limit, end);
  g.bind(skip_out);
  g.recursive_cursor[cte] = current;
  Status s;
  int recursive_part = g.addr();
  for (uint32_t i = k; i < sel->cores.size && s.ok(); i++) {
    s = code_member_dest(g, sel, i, outer, SelectDest::Kind::kQueue, queue, seen, n, correlated, queue_order,
                         seq);
  }
  g.recursive_cursor.erase(cte);
  KEEL_RETURN_IF_ERROR(s);
  // The recursive part runs once per queued row, each time on a new current
  // row: nothing in it (an automatic index on the current row, a subquery)
  // may be computed only once.
  for (int a = recursive_part; a < g.addr(); a++) {
    if (g.at(a).op == Op::Once) g.at(a).op = Op::Noop;
  }
  g.emit(Op::Goto, 0, top);
  g.bind(end);
  return Status::Ok();
}

bool select_reads_name(const parse::Select& sel, std::string_view name) {
  return nested_name_count(sel, name) > 0;
}

}  // namespace keel::plan
