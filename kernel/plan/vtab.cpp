// Virtual tables and table-valued functions in the planner (see vtab.h):
// FROM terms over them, and their loop levels through best_index().
//
// Constraints offered to best_index, in order: first one EQ constraint per
// table-valued-function argument on the hidden columns in declaration order
// (never re-tested: they exist only as arguments), then every WHERE / ON
// term of the form `column op value` or `value op column` (=, <, <=, >, >=,
// !=, IS, IS NOT), `column IS [NOT] NULL`, and `column LIKE|GLOB|REGEXP|
// MATCH value` on this table. A constraint is usable when its value depends
// only on tables of earlier loop levels (or outer queries). A term the table
// omits is not tested again; every other term is still tested at its level,
// so best_index only ever narrows the scan.
#include "plan/vtab.h"

#include <cmath>
#include <deque>

#include "func/ext_args.h"
#include "parse/parser.h"
#include "plan/plan_internal.h"
#include "vm/affinity.h"
#include "vm/collation.h"

namespace keel::plan {

using parse::BinaryOp;
using parse::Expr;
using parse::ExprKind;

namespace {

bool name_eq(std::string_view a, std::string_view b) { return vm::stricmp(a, b) == 0; }

// Removes the word HIDDEN from a declared type (vtabCallConstructor).
bool take_hidden(std::string& type) {
  for (size_t i = 0; i + 6 <= type.size(); i++) {
    if (vm::stricmp(std::string_view(type).substr(i, 6), "hidden") != 0) continue;
    if (i > 0 && type[i - 1] != ' ') continue;
    if (i + 6 < type.size() && type[i + 6] != ' ') continue;
    size_t del = 6 + (i + 6 < type.size() ? 1 : 0);
    type.erase(i, del);
    if (i > 0 && i == type.size()) type.erase(i - 1, 1);
    return true;
  }
  return false;
}

struct Candidate {
  int column;
  ext::ConstraintOp op;
  const Expr* value;        // nullptr: no right-hand value (IS NULL)
  const Expr* column_expr;  // nullptr for function arguments
  const Expr* term;         // the WHERE term, nullptr for function arguments
  bool usable;
};

bool map_binary(BinaryOp op, bool swapped, ext::ConstraintOp* out) {
  switch (op) {
    case BinaryOp::kEq:
      *out = ext::ConstraintOp::kEq;
      return true;
    case BinaryOp::kNe:
      *out = ext::ConstraintOp::kNe;
      return true;
    case BinaryOp::kIs:
      *out = ext::ConstraintOp::kIs;
      return true;
    case BinaryOp::kIsNot:
      *out = ext::ConstraintOp::kIsNot;
      return true;
    case BinaryOp::kLt:
      *out = swapped ? ext::ConstraintOp::kGt : ext::ConstraintOp::kLt;
      return true;
    case BinaryOp::kLe:
      *out = swapped ? ext::ConstraintOp::kGe : ext::ConstraintOp::kLe;
      return true;
    case BinaryOp::kGt:
      *out = swapped ? ext::ConstraintOp::kLt : ext::ConstraintOp::kGt;
      return true;
    case BinaryOp::kGe:
      *out = swapped ? ext::ConstraintOp::kLe : ext::ConstraintOp::kGe;
      return true;
    default:
      return false;
  }
}

// The column of `t` that `e` names in `scope`, or -2.
int term_column(CodeGen& g, Scope* scope, FromTerm* t, const Expr* e) {
  if (e == nullptr || e->kind != ExprKind::kColumnRef) return -2;
  auto r = resolve_column(g, scope, e->as<parse::ColumnRefExpr>());
  if (!r.ok() || r.value().alias_expr || r.value().scope != scope || r.value().term != t) return -2;
  return r.value().col;
}

// A compile-time constant for sqlite3_vtab_rhs_value (literals only).
bool literal_value(const Expr* e, vm::Value& out) {
  bool neg = false;
  if (e && e->kind == ExprKind::kUnary && e->as<parse::UnaryExpr>()->op == parse::UnaryOp::kNegate) {
    neg = true;
    e = e->as<parse::UnaryExpr>()->operand;
  }
  if (e == nullptr || e->kind != ExprKind::kLiteral) return false;
  auto* l = e->as<parse::LiteralExpr>();
  switch (l->literal) {
    case parse::LiteralKind::kNull:
      out.set_null();
      return !neg;
    case parse::LiteralKind::kInteger: {
      int64_t i = 0;
      double d = 0;
      if (parse_integer_literal(l->text, neg, &i, &d)) {
        out.set_int(i);
      } else {
        out.set_real(d);
      }
      return true;
    }
    case parse::LiteralKind::kFloat: {
      double d = std::strtod(std::string(l->text).c_str(), nullptr);
      out.set_real(neg ? -d : d);
      return true;
    }
    case parse::LiteralKind::kString:
      if (neg) return false;
      out.set_text(l->text);
      return true;
    default:
      return false;
  }
}

}  // namespace

Result<std::vector<Column>> declared_columns(std::string_view create_table_sql) {
  parse::Arena arena;
  std::string sql(create_table_sql);
  parse::ParseOptions opts;
  opts.schema_mode = true;
  parse::Parser parser(arena, sql, opts);
  auto st = parser.parse_statement(0);
  if (!st.ok()) return Status(rc::kError, std::string(st.status().message()));
  if (st.value().stmt == nullptr || st.value().stmt->kind != parse::StmtKind::kCreateTable) {
    return Status(rc::kError, "vtable constructor did not declare schema: " + sql);
  }
  auto* ct = st.value().stmt->as<parse::CreateTableStmt>();
  std::vector<Column> cols;
  for (const parse::ColumnDef* cd : ct->columns) {
    Column c;
    c.name = std::string(cd->name.value);
    c.type = std::string(cd->type.text);
    c.affinity = vm::affinity_from_type_name(c.type);
    c.hidden = take_hidden(c.type);
    for (const parse::ColumnConstraint* cc : cd->constraints) {
      if (cc->kind == parse::ColumnConstraint::Kind::kCollate) c.collation = std::string(cc->collation.value);
    }
    cols.push_back(std::move(c));
  }
  return cols;
}

void set_vtab_term(FromTerm& t, std::shared_ptr<const VtabInstance> inst, std::string_view db_name,
                   std::string_view table_name) {
  t.cols.clear();
  for (const Column& c : inst->columns) {
    ColInfo ci;
    ci.name = c.name;
    ci.affinity = c.affinity;
    ci.collation = c.collation;
    ci.decl_type = c.type;
    ci.hidden = c.hidden;
    ci.origin_db = std::string(db_name);
    ci.origin_table = std::string(table_name);
    ci.origin_column = c.name;
    t.cols.push_back(std::move(ci));
  }
  t.coalesced.assign(t.cols.size(), false);
  t.db_name = std::string(db_name);
  t.vtab = std::move(inst);
}

Status add_table_function(CodeGen& g, const parse::FromItem* item, FromTerm& t) {
  std::string name(item->table.name.value);
  std::string_view schema = item->table.schema.present() ? item->table.schema.value : std::string_view();
  std::shared_ptr<const VtabInstance> inst;
  // Eponymous tables live in "main" (SQLite's sqlite3VtabEponymousTableInit).
  if (g.input().vtabs && (schema.empty() || name_eq(schema, "main"))) {
    KEEL_ASSIGN_OR_RETURN(inst, g.input().vtabs->eponymous_vtab(name));
  }
  if (!inst) {
    if (g.catalog().find_table(schema, name)) return Status(rc::kError, "'" + name + "' is not a function");
    return Status(rc::kError, "no such table: " + (schema.empty() ? name : std::string(schema) + "." + name));
  }
  int hidden = 0;
  for (const Column& c : inst->columns) hidden += c.hidden ? 1 : 0;
  if (static_cast<int>(item->func_args.size) > hidden) {
    return Status(rc::kError, "too many arguments on " + name + "() - max " + std::to_string(hidden));
  }
  t.name = item->alias.present() ? std::string(item->alias.value) : name;
  set_vtab_term(t, std::move(inst), "main", name);
  return Status::Ok();
}

Status code_vtab_level(CodeGen& g, Scope* scope, int level, const std::vector<VtabTerm>& terms,
                       const parse::List<parse::OrderingTerm>* order_by, WhereLevel& lv,
                       std::vector<const Expr*>& omitted, bool function_args) {
  FromTerm* t = scope->terms[level];
  const VtabInstance& inst = *t->vtab;
  uint64_t earlier = level >= 64 ? ~uint64_t{0} : ((uint64_t{1} << level) - 1);
  uint64_t self = level >= 64 ? ~uint64_t{0} : (uint64_t{1} << level);
  bool left_join = (t->join & parse::join::kLeft) != 0;

  std::vector<Candidate> cands;
  // Table-valued function arguments: EQ on the hidden columns, in order.
  if (function_args && t->item && t->item->kind == parse::FromItem::Kind::kTableFunction) {
    size_t k = 0;
    for (size_t col = 0; col < inst.columns.size() && k < t->item->func_args.size; col++) {
      if (!inst.columns[col].hidden) continue;
      const Expr* arg = t->item->func_args[k++];
      uint64_t m = 0;
      KEEL_RETURN_IF_ERROR(where_expr_mask(g, scope, arg, &m));
      cands.push_back(
          {static_cast<int>(col), ext::ConstraintOp::kEq, arg, nullptr, nullptr, (m & ~earlier) == 0});
    }
  }
  for (const VtabTerm& vt : terms) {
    if (left_join ? vt.left_join_level != level : vt.on_left_join) continue;
    if ((vt.mask & self) == 0) continue;
    const Expr* e = vt.expr;
    auto add = [&](int col, ext::ConstraintOp op, const Expr* value, const Expr* col_expr) -> Status {
      uint64_t m = 0;
      if (value) KEEL_RETURN_IF_ERROR(where_expr_mask(g, scope, value, &m));
      if (m & self) return Status::Ok();  // both sides on this table
      cands.push_back({col, op, value, col_expr, e, (m & ~earlier) == 0});
      return Status::Ok();
    };
    if (e->kind == ExprKind::kBinary) {
      auto* b = e->as<parse::BinaryExpr>();
      ext::ConstraintOp op;
      int lc = term_column(g, scope, t, b->left);
      if (lc >= -1 && map_binary(b->op, false, &op)) {
        KEEL_RETURN_IF_ERROR(add(lc, op, b->right, b->left));
      } else {
        int rc_ = term_column(g, scope, t, b->right);
        if (rc_ >= -1 && map_binary(b->op, true, &op)) KEEL_RETURN_IF_ERROR(add(rc_, op, b->left, b->right));
      }
    } else if (e->kind == ExprKind::kNullTest) {
      auto* n = e->as<parse::NullTestExpr>();
      int c = term_column(g, scope, t, n->operand);
      if (c >= -1) {
        KEEL_RETURN_IF_ERROR(add(c, n->not_null ? ext::ConstraintOp::kIsNotNull : ext::ConstraintOp::kIsNull,
                                 nullptr, n->operand));
      }
    } else if (e->kind == ExprKind::kLike) {
      auto* l = e->as<parse::LikeExpr>();
      int c = term_column(g, scope, t, l->left);
      if (c >= -1 && !l->negated && l->escape == nullptr) {
        ext::ConstraintOp op = l->op == parse::LikeOp::kLike    ? ext::ConstraintOp::kLike
                               : l->op == parse::LikeOp::kGlob  ? ext::ConstraintOp::kGlob
                               : l->op == parse::LikeOp::kMatch ? ext::ConstraintOp::kMatch
                                                                : ext::ConstraintOp::kRegexp;
        KEEL_RETURN_IF_ERROR(add(c, op, l->pattern, l->left));
      }
    }
  }

  ext::IndexInfo info;
  std::deque<vm::Value> rhs_values;
  std::deque<func::ExtArgSlot> rhs_slots;  // what the ValueViews of rhs_value() point at
  for (const Candidate& c : cands) {
    info.constraints.push_back({c.column, c.op, c.usable});
    std::string coll = "BINARY";
    if (c.column_expr && c.value) {
      const vm::Collation* cs = compare_collation(g, scope, c.column_expr, c.value);
      if (cs) coll = std::string(cs->name());
    } else if (c.column >= 0 && !inst.columns[c.column].collation.empty()) {
      coll = inst.columns[c.column].collation;
    }
    info.collations_.push_back(coll);
    vm::Value v;
    if (c.value && literal_value(c.value, v)) {
      rhs_values.push_back(std::move(v));
      rhs_slots.push_back(func::ExtArgSlot{&rhs_values.back(), {}});
      info.rhs_.push_back(&rhs_slots.back());
    } else {
      info.rhs_.push_back(nullptr);
    }
  }
  info.usage.resize(cands.size());
  if (order_by && order_by->size && scope->terms.size() == 1) {
    bool all_columns = true;
    for (const parse::OrderingTerm& ot : *order_by) {
      int c = term_column(g, scope, t, ot.expr);
      if (c < -1) {
        all_columns = false;
        break;
      }
      info.order_by.push_back({c, ot.order == parse::SortOrder::kDesc});
    }
    if (!all_columns) info.order_by.clear();
  }
  Status s = inst.table->best_index(info);
  if (s.code() == rc::kConstraint) return Status(rc::kError, "no query solution");
  if (!s.ok()) return s;
  // argv indexes must be 1..n, each once, on usable constraints.
  int n_args = 0;
  for (const ext::IndexConstraintUsage& u : info.usage) n_args = std::max(n_args, u.argv_index);
  std::vector<int> arg_of(n_args, -1);
  for (size_t i = 0; i < info.usage.size(); i++) {
    int a = info.usage[i].argv_index;
    if (a <= 0) continue;
    if (!cands[i].usable || arg_of[a - 1] >= 0) {
      return Status(rc::kError, "table " + t->name + ": xBestIndex malfunction");
    }
    arg_of[a - 1] = static_cast<int>(i);
  }
  for (int a : arg_of) {
    if (a < 0) return Status(rc::kError, "table " + t->name + ": xBestIndex malfunction");
  }

  int once = g.emit(Op::Once, 0, 0);
  int open = g.emit(Op::VOpen, t->cursor);
  g.at(open).p4type = vm::P4Type::kPointer;
  g.at(open).p4.ptr = g.prog().own_object(inst.table);
  g.at(once).p2 = g.addr();
  int regs = g.new_reg(2 + n_args);
  g.emit(Op::Integer, info.idx_num, regs);
  g.emit(Op::Integer, n_args, regs + 1);
  for (int k = 0; k < n_args; k++) {
    const Candidate& c = cands[arg_of[k]];
    if (c.value) {
      KEEL_RETURN_IF_ERROR(code_expr(g, scope, c.value, regs + 2 + k));
    } else {
      g.emit(Op::Null, 0, regs + 2 + k);
    }
    if (info.usage[arg_of[k]].omit && c.term) omitted.push_back(c.term);
  }
  g.emit_str(Op::VFilter, t->cursor, lv.brk, regs, info.idx_str);
  lv.top = g.addr();
  lv.next_op = Op::VNext;
  lv.next_cursor = t->cursor;
  std::string label = t->name;
  if (t->item && t->item->alias.present()) {
    std::string base(t->item->table.name.value);
    if (!name_eq(base, t->name)) label = base + " AS " + t->name;
  }
  g.plan_row(g.plan_parent,
             "SCAN " + label + " VIRTUAL TABLE INDEX " + std::to_string(info.idx_num) + ":" + info.idx_str);
  return Status::Ok();
}

}  // namespace keel::plan
