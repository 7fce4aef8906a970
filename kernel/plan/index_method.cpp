// Index methods in the planner (see index_method.h): the two spellings of
// CREATE INDEX ... USING, the text stored in sqlite_schema, the commands
// that call the method's create()/drop(), and the routing of a full scan to
// a method's rowid cursor.
//
// Routing rules, in order:
//  * only a level that would scan its whole table, is not the right side of
//    a LEFT JOIN, and whose table has index-method indexes (INDEXED BY an
//    index-method index forces that index; NOT INDEXED forbids routing);
//  * a WHERE term of the level's table alone that matches a declared shape
//    (column LIKE/GLOB/MATCH/REGEXP arg, or fn(..., column, ...)) with
//    arguments that do not depend on any table;
//  * otherwise, for a single-table SELECT whose WHERE has no such term at
//    all, an ORDER BY fn(..., column, ...) LIMIT k matching a kOrderByLimit
//    shape (the method gets LIMIT+OFFSET as its limit);
//  * among matches, the lowest estimate wins; an estimate marked unusable
//    (say, a LIKE pattern without a trigram) is never routed.
// Every WHERE term is still tested on each fetched row and ORDER BY is still
// sorted, so a method only narrows the rows read, never the answer.
#include "plan/index_method.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "plan/plan_internal.h"
#include "vm/collation.h"

namespace keel::plan {

using parse::Expr;
using parse::ExprKind;

namespace {

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return r;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The value of a constant option or argument: literals, signed numbers and
// (for options) a bare word as its text. False if `e` is not one.
bool constant_value(const Expr* e, bool bare_words, vm::Value* out) {
  bool negative = false;
  while (e->kind == ExprKind::kUnary) {
    auto* u = e->as<parse::UnaryExpr>();
    if (u->op == parse::UnaryOp::kNegate) {
      negative = !negative;
    } else if (u->op != parse::UnaryOp::kPlus) {
      return false;
    }
    e = u->operand;
  }
  if (e->kind == ExprKind::kColumnRef && bare_words && !negative) {
    auto* c = e->as<parse::ColumnRefExpr>();
    if (c->table.present()) return false;
    *out = vm::Value::text(c->column.value);
    return true;
  }
  if (e->kind != ExprKind::kLiteral) return false;
  auto* l = e->as<parse::LiteralExpr>();
  switch (l->literal) {
    case parse::LiteralKind::kInteger: {
      int64_t v = 0;
      double real = 0;
      if (l->text.size() > 2 && l->text[0] == '0' && (l->text[1] == 'x' || l->text[1] == 'X')) {
        uint64_t u = 0;
        auto r = std::from_chars(l->text.data() + 2, l->text.data() + l->text.size(), u, 16);
        if (r.ec != std::errc()) return false;
        v = static_cast<int64_t>(u);
        *out = vm::Value::integer(negative ? -v : v);
        return true;
      }
      if (parse_integer_literal(l->text, negative, &v, &real)) {
        *out = vm::Value::integer(v);
      } else {
        *out = vm::Value::real(real);
      }
      return true;
    }
    case parse::LiteralKind::kFloat: {
      double d = std::strtod(std::string(l->text).c_str(), nullptr);
      *out = vm::Value::real(negative ? -d : d);
      return true;
    }
    case parse::LiteralKind::kString:
      if (negative) return false;
      *out = vm::Value::text(l->text);
      return true;
    case parse::LiteralKind::kBlob: {
      if (negative || l->text.size() % 2) return false;
      std::vector<uint8_t> b;
      for (size_t i = 0; i + 1 < l->text.size(); i += 2) {
        int hi = hex_digit(l->text[i]), lo = hex_digit(l->text[i + 1]);
        if (hi < 0 || lo < 0) return false;
        b.push_back(static_cast<uint8_t>(hi * 16 + lo));
      }
      *out = vm::Value::blob(b);
      return true;
    }
    case parse::LiteralKind::kNull:
      if (negative) return false;
      *out = vm::Value::null();
      return true;
    default:
      return false;
  }
}

std::string quote_string(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    out.push_back(c);
    if (c == '\'') out.push_back('\'');
  }
  return out + "'";
}

// An option value as an SQL literal for the stored text.
std::string literal_sql(const vm::Value& v) {
  switch (v.type()) {
    case vm::ValueType::kInteger:
      return std::to_string(v.int_value());
    case vm::ValueType::kReal: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", v.real_value());
      std::string s = buf;
      if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
      return s;
    }
    case vm::ValueType::kText:
      return quote_string(v.text());
    case vm::ValueType::kBlob: {
      static const char* kHex = "0123456789ABCDEF";
      std::string s = "X'";
      for (uint8_t b : v.blob()) {
        s.push_back(kHex[b >> 4]);
        s.push_back(kHex[b & 15]);
      }
      return s + "'";
    }
    default:
      return "NULL";
  }
}

bool is_method_call(const Expr* e) {
  return e && e->kind == ExprKind::kFunction &&
         vm::stricmp(e->as<parse::FunctionExpr>()->name.value, kIndexMethodFunction) == 0;
}

// Arguments of a shape: values that do not depend on any table.
bool table_free(const Expr* e) {
  if (e == nullptr) return true;
  switch (e->kind) {
    case ExprKind::kLiteral:
    case ExprKind::kVariable:
      return true;
    case ExprKind::kUnary:
      return table_free(e->as<parse::UnaryExpr>()->operand);
    case ExprKind::kBinary:
      return table_free(e->as<parse::BinaryExpr>()->left) && table_free(e->as<parse::BinaryExpr>()->right);
    case ExprKind::kCast:
      return table_free(e->as<parse::CastExpr>()->operand);
    case ExprKind::kCollate:
      return table_free(e->as<parse::CollateExpr>()->operand);
    case ExprKind::kFunction: {
      auto* f = e->as<parse::FunctionExpr>();
      if (f->star || f->over || f->filter || f->over_name.present()) return false;
      for (const Expr* a : f->args) {
        if (!table_free(a)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

// Is `e` a reference to table column `col` of term `t`?
bool is_column(CodeGen& g, Scope* scope, FromTerm* t, const Expr* e, int col) {
  if (e == nullptr || e->kind != ExprKind::kColumnRef) return false;
  auto r = resolve_column(g, scope, e->as<parse::ColumnRefExpr>());
  if (!r.ok()) return false;
  const ColumnRef& c = r.value();
  if (c.alias_expr || c.term != t || c.scope != scope) return false;
  return c.col == col;
}

const char* like_name(parse::LikeOp op) {
  switch (op) {
    case parse::LikeOp::kLike:
      return "like";
    case parse::LikeOp::kGlob:
      return "glob";
    case parse::LikeOp::kRegexp:
      return "regexp";
    case parse::LikeOp::kMatch:
      return "match";
  }
  return "";
}

std::string upper(std::string_view s) {
  std::string r(s);
  for (char& c : r) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return r;
}

// One way to answer the level with a method index.
struct Candidate {
  const Index* index = nullptr;
  int shape = 0;
  std::vector<const Expr*> args;
  bool order_by = false;
  double cost = 0;
  std::string desc;
};

// Matches a call `fn(..., column, ...)` against a function or ORDER BY shape.
bool match_call(CodeGen& g, Scope* scope, FromTerm* t, const ext::QueryShape& s, int col, const Expr* e,
                std::vector<const Expr*>* args, std::string* desc) {
  if (e == nullptr || e->kind != ExprKind::kFunction) return false;
  auto* f = e->as<parse::FunctionExpr>();
  if (f->star || f->over || f->filter || f->over_name.present() ||
      f->distinct == parse::Distinctness::kDistinct)
    return false;
  if (lower(f->name.value) != s.name || static_cast<int>(f->args.size) != s.n_args) return false;
  if (s.column_arg < 0 || s.column_arg >= s.n_args) return false;
  args->clear();
  std::string d = s.name + "(";
  int i = 0;
  for (const Expr* a : f->args) {
    if (i) d += ", ";
    if (i == s.column_arg) {
      if (!is_column(g, scope, t, a, col)) return false;
      d += t->cols[col].name;
    } else {
      if (!table_free(a)) return false;
      args->push_back(a);
      d += "?";
    }
    i++;
  }
  *desc = d + ")";
  return true;
}

}  // namespace

Status missing_method_error(const Index& idx) {
  return Status(rc::kError, "no such index method: " + idx.method + " (index " + idx.name + ")");
}

Result<bool> method_index_spec(const parse::CreateIndexStmt* st, MethodIndexSpec* spec) {
  spec->method.clear();
  spec->options.clear();
  if (st->method.present()) {
    if (is_method_call(st->where)) return Status(rc::kError, "index method given twice");
    spec->method = lower(st->method.value);
    for (const parse::IndexParam& p : st->params) {
      vm::Value v;
      if (!constant_value(p.value, true, &v)) {
        return Status(rc::kError, "index option " + std::string(p.key.value) + " must be a constant");
      }
      spec->options.emplace_back(lower(p.key.value), std::move(v));
    }
    return true;
  }
  if (!is_method_call(st->where)) return false;
  auto* f = st->where->as<parse::FunctionExpr>();
  Status bad(rc::kError, "malformed index method definition: " + std::string(kIndexMethodFunction) +
                             "('method', 'key', value, ...)");
  if (f->args.size == 0 || f->args.size % 2 == 0 || f->star) return bad;
  int i = 0;
  std::string key;
  for (const Expr* a : f->args) {
    vm::Value v;
    if (!constant_value(a, false, &v)) return bad;
    if (i == 0) {
      if (v.type() != vm::ValueType::kText || v.text().empty()) return bad;
      spec->method = lower(v.text());
    } else if (i % 2 == 1) {
      if (v.type() != vm::ValueType::kText) return bad;
      key = lower(v.text());
    } else {
      spec->options.emplace_back(key, std::move(v));
    }
    i++;
  }
  return true;
}

Result<std::string> method_index_sql(CodeGen& g, const parse::CreateIndexStmt* st, Table* t, int db,
                                     const MethodIndexSpec& spec, Index* idx) {
  if (t->without_rowid) return Status(rc::kError, "index method " + spec.method + " needs a rowid table");
  if (st->unique) return Status(rc::kError, "an index method index cannot be UNIQUE");
  if (st->method.present() && st->where) {
    return Status(rc::kError, "an index method index cannot be partial");
  }
  idx->name = std::string(st->name.name.value);
  idx->table_name = t->name;
  idx->db = db;
  idx->origin = 'c';
  idx->method = spec.method;
  idx->method_options = spec.options;
  idx->table = t;
  std::string cols;
  for (const parse::OrderingTerm& ot : st->columns) {
    const Expr* e = ot.expr;
    int col = -2;
    if (e->kind == ExprKind::kColumnRef && !e->as<parse::ColumnRefExpr>()->table.present()) {
      col = t->find_column(e->as<parse::ColumnRefExpr>()->column.value);
      if (col < 0) {
        return Status(rc::kError,
                      "no such column: " + std::string(e->as<parse::ColumnRefExpr>()->column.value));
      }
    }
    if (col < 0) return Status(rc::kError, "index method " + spec.method + " indexes table columns only");
    idx->columns.push_back(col);
    idx->exprs.push_back(nullptr);
    idx->collations.emplace_back();
    idx->desc.push_back(false);
    if (!cols.empty()) cols += ", ";
    cols += quote_identifier_if_needed(t->columns[col].name);
  }
  idx->n_key_columns = static_cast<int>(idx->columns.size());
  const IndexMethodLookup* lookup = g.input().index_methods;
  if (lookup == nullptr) return missing_method_error(*idx);
  KEEL_RETURN_IF_ERROR(lookup->validate(*idx));
  std::string sql = "CREATE INDEX " + quote_identifier_if_needed(idx->name) + " ON " +
                    quote_identifier_if_needed(t->name) + "(" + cols + ") WHERE " +
                    std::string(kIndexMethodFunction) + "(" + quote_string(spec.method);
  for (const auto& [k, v] : spec.options) sql += ", " + quote_string(k) + ", " + literal_sql(v);
  return sql + ")";
}

void code_index_method_command(CodeGen& g, int db, const std::string& index, bool create) {
  auto cmd = std::make_shared<EngineCommand>();
  cmd->kind = create ? EngineCommand::Kind::kIndexMethodCreate : EngineCommand::Kind::kIndexMethodDrop;
  cmd->db = db;
  cmd->name = index;
  int end = g.new_label();
  int a = g.emit(Op::Pragma, 0, end, 0);
  g.at(a).p4type = vm::P4Type::kPointer;
  g.at(a).p4.ptr = g.prog().own_object(cmd);
  g.bind(end);
}

Status code_drop_method_index(CodeGen& g, const Index* idx) {
  const IndexMethodLookup* lookup = g.input().index_methods;
  if (lookup == nullptr) return missing_method_error(*idx);
  auto shapes = lookup->shapes(*idx);  // fails iff the method is not loaded
  if (!shapes.ok()) return shapes.take_status();
  code_index_method_command(g, idx->db, idx->name, false);
  return Status::Ok();
}

Status code_index_method_scan(CodeGen& g, Scope* scope, FromTerm* t, const std::vector<const Expr*>& terms,
                              const parse::List<parse::OrderingTerm>* order_by, int order_limit_reg,
                              WhereLevel& lv, const std::string& label, int* top, bool* routed) {
  *routed = false;
  if (t->table == nullptr || t->ephemeral || t->table->method_indexes.empty()) return Status::Ok();
  if (t->hint == parse::IndexHint::kNotIndexed) return Status::Ok();
  const IndexMethodLookup* lookup = g.input().index_methods;
  std::vector<Candidate> found;
  bool forced = false;  // INDEXED BY names one of these indexes
  for (const Index* idx : t->table->method_indexes) {
    bool named = t->hint == parse::IndexHint::kIndexedBy && vm::stricmp(idx->name, t->indexed_by) == 0;
    if (t->hint == parse::IndexHint::kIndexedBy && !named) continue;
    forced = forced || named;
    if (lookup == nullptr) {
      if (named) return missing_method_error(*idx);
      continue;
    }
    auto shapes = lookup->shapes(*idx);
    if (!shapes.ok()) {
      if (named) return shapes.take_status();
      continue;  // the module is not loaded: the table is still readable
    }
    for (size_t si = 0; si < shapes->size(); si++) {
      const ext::QueryShape& s = (*shapes)[si];
      if (s.column < 0 || s.column >= static_cast<int>(idx->columns.size())) continue;
      int col = idx->columns[s.column];
      std::string cname = t->cols[col].name;
      auto consider = [&](std::vector<const Expr*> args, bool ob, std::string desc) {
        std::vector<vm::Value> vals(args.size());
        std::vector<uint8_t> known_bytes(args.size());
        for (size_t i = 0; i < args.size(); i++) known_bytes[i] = constant_value(args[i], false, &vals[i]);
        std::unique_ptr<bool[]> known(new bool[args.size() + 1]);
        for (size_t i = 0; i < args.size(); i++) known[i] = known_bytes[i] != 0;
        ext::IndexCost cost = lookup->estimate(*idx, static_cast<int>(si), vals,
                                               std::span<const bool>(known.get(), args.size()));
        if (!cost.usable) return;
        Candidate c;
        c.index = idx;
        c.shape = static_cast<int>(si);
        c.args = std::move(args);
        c.order_by = ob;
        c.cost = cost.cost;
        c.desc = std::move(desc);
        found.push_back(std::move(c));
      };
      switch (s.kind) {
        case ext::QueryShape::Kind::kOperator:
          for (const Expr* e : terms) {
            if (e->kind != ExprKind::kLike) continue;
            auto* l = e->as<parse::LikeExpr>();
            if (l->negated || like_name(l->op) != s.name) continue;
            if (!is_column(g, scope, t, l->left, col) || !table_free(l->pattern) || !table_free(l->escape))
              continue;
            std::vector<const Expr*> args{l->pattern};
            if (l->escape) args.push_back(l->escape);
            consider(std::move(args), false, cname + " " + upper(s.name) + " ?");
          }
          break;
        case ext::QueryShape::Kind::kFunction:
          for (const Expr* e : terms) {
            std::vector<const Expr*> args;
            std::string desc;
            if (match_call(g, scope, t, s, col, e, &args, &desc)) consider(std::move(args), false, desc);
          }
          break;
        case ext::QueryShape::Kind::kOrderByLimit: {
          if (order_by == nullptr || order_by->size != 1 || order_limit_reg == 0 || !terms.empty()) break;
          const parse::OrderingTerm& ot = *order_by->begin();
          if ((ot.order == parse::SortOrder::kDesc) != s.descending) break;
          std::vector<const Expr*> args;
          std::string desc;
          if (match_call(g, scope, t, s, col, ot.expr, &args, &desc)) {
            consider(std::move(args), true, "ORDER BY " + desc + (s.descending ? " DESC" : "") + " LIMIT ?");
          }
          break;
        }
      }
    }
  }
  if (found.empty()) return forced ? Status(rc::kError, "no query solution") : Status::Ok();
  const Candidate* best = &found[0];
  for (const Candidate& c : found) {
    if (c.cost < best->cost) best = &c;
  }
  int n_args = static_cast<int>(best->args.size());
  int args = g.new_reg(std::max(1, n_args));
  for (int i = 0; i < n_args; i++) KEEL_RETURN_IF_ERROR(code_expr(g, scope, best->args[i], args + i));
  auto scan = std::make_shared<vm::IndexMethodScan>();
  scan->db = best->index->db;
  scan->index = best->index->name;
  scan->shape = best->shape;
  scan->n_args = n_args;
  scan->limit_reg = best->order_by ? order_limit_reg : 0;
  int mc = g.new_cursor();
  int a = g.emit(Op::IdxMethodFilter, mc, lv.brk, args);
  g.at(a).p4type = vm::P4Type::kPointer;
  g.at(a).p4.ptr = g.prog().own_object(scan);
  *top = g.addr();
  int r = g.new_reg();
  g.emit(Op::IdxMethodRowid, mc, r);
  g.emit(Op::SeekRowid, t->cursor, lv.cont, r);
  lv.next_op = Op::IdxMethodNext;
  lv.next_cursor = mc;
  g.plan_row(g.plan_parent, "SCAN " + label + " USING INDEX METHOD " + best->index->method + " " +
                                best->index->name + " (" + best->desc + ")");
  *routed = true;
  return Status::Ok();
}

}  // namespace keel::plan
