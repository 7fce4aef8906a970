// Expression code (SQLite's expr.c): values into registers, and conditions
// as jumps. Comparisons take SQLite's affinity and collation rules from
// resolve.cpp; IN, EXISTS and scalar subqueries defer to select.cpp for the
// subquery and build the ephemeral index / Once-guarded value here.
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "plan/authorize.h"
#include "plan/generated_columns.h"
#include "plan/plan_internal.h"
#include "plan/window.h"
#include "vm/numeric.h"

namespace keel::plan {

using parse::BinaryOp;
using parse::Expr;
using parse::ExprKind;

namespace {

// A call coded where it must be deterministic (CodeGen::pure_context)
// becomes PureFunc, as SQLite's OP_PureFunc.
void mark_pure(CodeGen& g, int addr) {
  if (g.pure_context == 0) return;
  g.at(addr).op = Op::PureFunc;
  g.at(addr).p1 = g.pure_context;
}

Op compare_op(BinaryOp op) {
  switch (op) {
    case BinaryOp::kEq:
    case BinaryOp::kIs:
      return Op::Eq;
    case BinaryOp::kNe:
    case BinaryOp::kIsNot:
      return Op::Ne;
    case BinaryOp::kLt:
      return Op::Lt;
    case BinaryOp::kLe:
      return Op::Le;
    case BinaryOp::kGt:
      return Op::Gt;
    default:
      return Op::Ge;
  }
}

BinaryOp negate_compare(BinaryOp op) {
  switch (op) {
    case BinaryOp::kEq:
      return BinaryOp::kNe;
    case BinaryOp::kNe:
      return BinaryOp::kEq;
    case BinaryOp::kLt:
      return BinaryOp::kGe;
    case BinaryOp::kLe:
      return BinaryOp::kGt;
    case BinaryOp::kGt:
      return BinaryOp::kLe;
    case BinaryOp::kGe:
      return BinaryOp::kLt;
    case BinaryOp::kIs:
      return BinaryOp::kIsNot;
    default:
      return BinaryOp::kIs;
  }
}

bool is_comparison(BinaryOp op) { return op >= BinaryOp::kEq && op <= BinaryOp::kIsNot; }

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

const Expr* skip_collate(const Expr* e) {
  while (e->kind == ExprKind::kCollate) e = e->as<parse::CollateExpr>()->operand;
  return e;
}

Status code_literal(CodeGen& g, const parse::LiteralExpr* e, int target, bool negative) {
  switch (e->literal) {
    case parse::LiteralKind::kNull:
      g.emit(Op::Null, 0, target);
      return Status::Ok();
    case parse::LiteralKind::kTrue:
      g.emit(Op::Integer, 1, target);
      return Status::Ok();
    case parse::LiteralKind::kFalse:
      g.emit(Op::Integer, 0, target);
      return Status::Ok();
    case parse::LiteralKind::kString:
      if (negative) {
        // -'text': 0 - value, as arithmetic.
        int z = g.new_reg(), v = g.new_reg();
        g.emit(Op::Integer, 0, z);
        g.emit_string(v, e->text);
        g.emit(Op::Subtract, v, z, target);
        return Status::Ok();
      }
      g.emit_string(target, e->text);
      return Status::Ok();
    case parse::LiteralKind::kBlob: {
      std::string bytes;
      for (size_t i = 0; i + 1 < e->text.size(); i += 2) {
        bytes.push_back(static_cast<char>(hexval(e->text[i]) * 16 + hexval(e->text[i + 1])));
      }
      if (negative) {
        int z = g.new_reg(), v = g.new_reg();
        g.emit(Op::Integer, 0, z);
        g.emit_str(Op::Blob, 0, v, 0, bytes, vm::P4Type::kBlob);
        g.emit(Op::Subtract, v, z, target);
        return Status::Ok();
      }
      g.emit_str(Op::Blob, 0, target, 0, bytes, vm::P4Type::kBlob);
      return Status::Ok();
    }
    case parse::LiteralKind::kInteger: {
      std::string_view t = e->text;
      if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
        if (t.size() - 2 > 16) {
          return Status(rc::kError,
                        "hex literal too big: " + std::string(negative ? "-" : "") + std::string(t));
        }
        uint64_t v = 0;
        for (size_t i = 2; i < t.size(); i++) v = v * 16 + static_cast<uint64_t>(hexval(t[i]));
        int64_t iv = static_cast<int64_t>(v);
        if (negative) iv = static_cast<int64_t>(0 - v);
        g.emit_int64(target, iv);
        return Status::Ok();
      }
      int64_t v;
      double r;
      if (parse_integer_literal(t, negative, &v, &r)) {
        g.emit_int64(target, v);
      } else {
        g.emit_real(target, r);
      }
      return Status::Ok();
    }
    case parse::LiteralKind::kFloat: {
      std::string s(e->text);
      double r = std::strtod(s.c_str(), nullptr);
      g.emit_real(target, negative ? -r : r);
      return Status::Ok();
    }
  }
  return Status::Ok();
}

Status code_function(CodeGen& g, Scope* s, const parse::FunctionExpr* f, int target);
Status code_in(CodeGen& g, Scope* s, const parse::InExpr* e, int target);
Status code_vector_compare(CodeGen& g, Scope* s, const parse::BinaryExpr* e, int target);

int vector_size(const Expr* e) {
  e = skip_collate(e);
  if (e->kind == ExprKind::kVector) return static_cast<int>(e->as<parse::VectorExpr>()->items.size);
  return 1;
}

// The width of a row value: a (list) or a subquery's column count; 1 for
// anything else (a subquery whose columns cannot be resolved counts as 1 and
// reports its error when coded).
int vector_width(CodeGen& g, Scope* s, const Expr* e) {
  e = skip_collate(e);
  if (e->kind == ExprKind::kSubquery) {
    auto cols = select_columns(g, e->as<parse::SubqueryExpr>()->select, s);
    return cols.ok() ? static_cast<int>(cols.value().size()) : 1;
  }
  return vector_size(e);
}

}  // namespace

bool parse_integer_literal(std::string_view text, bool negative, int64_t* out, double* real) {
  // Decimal digits only (the tokenizer guarantees it). 9223372036854775808
  // is representable only negated; anything larger becomes REAL.
  uint64_t v = 0;
  bool overflow = false;
  for (char c : text) {
    if (c < '0' || c > '9') continue;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) {
      overflow = true;
      break;
    }
    v = v * 10 + d;
  }
  const uint64_t kMax = 9223372036854775807ull;
  if (!overflow && (v <= kMax || (negative && v == kMax + 1))) {
    *out = negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
    return true;
  }
  std::string s(text);
  double r = std::strtod(s.c_str(), nullptr);
  *real = negative ? -r : r;
  return false;
}

void code_compare_jump(CodeGen& g, BinaryOp op, int left_reg, int right_reg, vm::Affinity aff,
                       const vm::Collation* coll, int label, bool jump_if_null) {
  int a = g.emit(compare_op(op), right_reg, label, left_reg);
  uint16_t p5 = static_cast<uint16_t>(static_cast<uint8_t>(aff)) & vm::kCmpAffinityMask;
  if (aff == vm::Affinity::kNone || aff == vm::Affinity::kBlob) p5 = 0;
  if (op == BinaryOp::kIs || op == BinaryOp::kIsNot) {
    p5 |= vm::kCmpNullEq;
  } else if (jump_if_null) {
    p5 |= vm::kCmpJumpIfNull;
  }
  g.at(a).p5 = p5;
  g.set_p4_coll(a, coll);
}

void code_column(CodeGen& g, FromTerm* t, int col, int target) {
  if (g.recording_columns) g.recorded_columns.emplace_back(t->cursor, col);
  auto ov = g.column_override.find({t->cursor, col});
  if (ov != g.column_override.end()) {
    g.emit(Op::SCopy, ov->second, target);
    return;
  }
  if (t->reg_base) {
    if (col < 0 || (t->table && col == t->table->rowid_alias)) {
      g.emit(Op::SCopy, t->rowid_reg, target);
    } else {
      g.emit(Op::SCopy, t->reg_base + col, target);
    }
    return;
  }
  if (t->vtab) {
    if (col < 0) {
      g.emit(Op::Rowid, t->cursor, target);
    } else {
      g.emit(Op::VColumn, t->cursor, col, target);
    }
    return;
  }
  if (t->ephemeral || t->table == nullptr) {
    if (col < 0) {
      g.emit(Op::Rowid, t->cursor, target);
    } else {
      g.emit(Op::Column, t->cursor, col, target);
    }
    return;
  }
  const Table* tab = t->table;
  if (t->covering && t->index) {
    const Index* idx = t->index;
    int want = (col == tab->rowid_alias) ? -1 : col;
    for (size_t i = 0; i < idx->columns.size(); i++) {
      if (idx->columns[i] == want) {
        if (want == -1 && !tab->without_rowid) {
          g.emit(Op::IdxRowid, t->idx_cursor, target);
        } else {
          g.emit(Op::Column, t->idx_cursor, static_cast<int>(i), target);
        }
        if (want >= 0 && tab->columns[want].affinity == vm::Affinity::kReal) g.emit(Op::RealAffinity, target);
        return;
      }
    }
  }
  if (col < 0 || col == tab->rowid_alias) {
    if (tab->without_rowid) {
      g.emit(Op::Null, 0, target);
    } else {
      g.emit(Op::Rowid, t->cursor, target);
    }
    return;
  }
  if (tab->columns[col].generated == GeneratedKind::kVirtual) {
    code_virtual_column(g, t, col, target);
    return;
  }
  int a = g.emit(Op::Column, t->cursor, storage_column(tab, col), target);
  set_column_default(g, a, tab->columns[col]);
  if (tab->columns[col].affinity == vm::Affinity::kReal) g.emit(Op::RealAffinity, target);
}

void pass_columns_by_ref(CodeGen& g, const func::FunctionDef* def, int first, int args, int n) {
  if (def == nullptr || (def->flags & func::kArgsByView) == 0 || n <= 0) return;
  // Everything from `first` to the call must be one of these: loads that
  // neither jump nor move a cursor nor run anything that could write.
  int end = g.addr();
  for (int a = first; a < end; a++) {
    switch (g.at(a).op) {
      case Op::Column:
      case Op::Rowid:
      case Op::Variable:
      case Op::Integer:
      case Op::Int64:
      case Op::Real:
      case Op::String8:
      case Op::Null:
      case Op::Blob:
      case Op::SCopy:
      case Op::RealAffinity:
        break;
      default:
        return;
    }
  }
  for (int a = first; a < end; a++) {
    vm::Instr& in = g.at(a);
    if (in.op == Op::Column && in.p3 >= args && in.p3 < args + n) in.p5 |= vm::kOpflagColumnByRef;
  }
}

void set_column_default(CodeGen& g, int addr, const Column& c) {
  // A row written before ALTER TABLE ADD COLUMN has a shorter record: the
  // column reads as its (constant) default.
  const parse::Expr* e = c.default_expr;
  if (e == nullptr) return;
  bool neg = false;
  while (e->kind == ExprKind::kUnary) {
    auto* u = e->as<parse::UnaryExpr>();
    if (u->op == parse::UnaryOp::kNegate) {
      neg = !neg;
    } else if (u->op != parse::UnaryOp::kPlus) {
      return;
    }
    e = u->operand;
  }
  if (e->kind != ExprKind::kLiteral) return;
  auto* l = e->as<parse::LiteralExpr>();
  vm::Value v;
  switch (l->literal) {
    case parse::LiteralKind::kInteger: {
      int64_t i;
      double r;
      if (l->text.size() > 2 && (l->text[1] == 'x' || l->text[1] == 'X')) return;
      if (parse_integer_literal(l->text, neg, &i, &r)) {
        v.set_int(i);
      } else {
        v.set_real(r);
      }
      break;
    }
    case parse::LiteralKind::kFloat: {
      std::string s(l->text);
      double r = std::strtod(s.c_str(), nullptr);
      v.set_real(neg ? -r : r);
      break;
    }
    case parse::LiteralKind::kString:
      if (neg) return;
      v.set_text(l->text);
      break;
    case parse::LiteralKind::kTrue:
      v.set_int(1);
      break;
    case parse::LiteralKind::kFalse:
      v.set_int(0);
      break;
    default:
      return;
  }
  vm::apply_affinity(v, c.affinity);
  g.at(addr).p4type = vm::P4Type::kValue;
  g.at(addr).p4.value = g.prog().own_value(v);
}

Result<int> code_expr_new(CodeGen& g, Scope* s, const Expr* e) {
  int r = g.new_reg();
  KEEL_RETURN_IF_ERROR(code_expr(g, s, e, r));
  return r;
}

Status code_expr(CodeGen& g, Scope* s, const Expr* e, int target) {
  switch (e->kind) {
    case ExprKind::kLiteral:
      return code_literal(g, e->as<parse::LiteralExpr>(), target, false);
    case ExprKind::kColumnRef: {
      KEEL_ASSIGN_OR_RETURN(ColumnRef ref, resolve_column(g, s, e->as<parse::ColumnRefExpr>()));
      switch (ref.special) {
        case ColumnRef::Special::kTrue:
          g.emit(Op::Integer, 1, target);
          return Status::Ok();
        case ColumnRef::Special::kFalse:
          g.emit(Op::Integer, 0, target);
          return Status::Ok();
        case ColumnRef::Special::kString:
          g.emit_string(target, e->as<parse::ColumnRefExpr>()->column.value);
          return Status::Ok();
        default:
          break;
      }
      if (ref.alias_expr) {
        AliasExpansion hide(ref.alias_scope);
        KEEL_RETURN_IF_ERROR(code_expr(g, ref.alias_scope, ref.alias_expr, target));
        // A column of a flattened view or subquery carries no subtype, as
        // its value would not had it gone through the subquery's result row
        // (SQLite's ClrSubtype in the flattened expression).
        if (ref.via) g.emit(Op::ClrSubtype, target);
        return Status::Ok();
      }
      bool ignored = false;
      if (ref.scope != g.trigger_scope) KEEL_RETURN_IF_ERROR(authorize_read(g, ref.term, ref.col, &ignored));
      if (ignored) {
        g.emit(Op::Null, 0, target);
      } else {
        code_column(g, ref.term, ref.col, target);
      }
      return Status::Ok();
    }
    case ExprKind::kVariable:
      g.emit(Op::Variable, e->as<parse::VariableExpr>()->number, target);
      return Status::Ok();
    case ExprKind::kUnary: {
      auto* u = e->as<parse::UnaryExpr>();
      const Expr* operand = u->operand;
      if (u->op == parse::UnaryOp::kPlus) return code_expr(g, s, operand, target);
      if (u->op == parse::UnaryOp::kNegate) {
        // Fold -(+x) into -x, as SQLite's parser does, and negate literals
        // directly so that -9223372036854775808 stays an integer.
        while (operand->kind == ExprKind::kUnary &&
               operand->as<parse::UnaryExpr>()->op == parse::UnaryOp::kPlus) {
          operand = operand->as<parse::UnaryExpr>()->operand;
        }
        if (operand->kind == ExprKind::kLiteral) {
          auto* lit = operand->as<parse::LiteralExpr>();
          if (lit->literal == parse::LiteralKind::kInteger || lit->literal == parse::LiteralKind::kFloat) {
            return code_literal(g, lit, target, true);
          }
        }
        int z = g.new_reg();
        KEEL_ASSIGN_OR_RETURN(int v, code_expr_new(g, s, operand));
        g.emit(Op::Integer, 0, z);
        g.emit(Op::Subtract, v, z, target);
        return Status::Ok();
      }
      KEEL_ASSIGN_OR_RETURN(int v, code_expr_new(g, s, operand));
      g.emit(u->op == parse::UnaryOp::kBitNot ? Op::BitNot : Op::Not, v, target);
      return Status::Ok();
    }
    case ExprKind::kBinary: {
      auto* b = e->as<parse::BinaryExpr>();
      if (is_comparison(b->op)) {
        if (vector_width(g, s, b->left) > 1 || vector_width(g, s, b->right) > 1)
          return code_vector_compare(g, s, b, target);
        KEEL_ASSIGN_OR_RETURN(int l, code_expr_new(g, s, b->left));
        KEEL_ASSIGN_OR_RETURN(int r, code_expr_new(g, s, b->right));
        vm::Affinity aff =
            vm::comparison_affinity(expr_affinity(g, s, b->left), expr_affinity(g, s, b->right));
        const vm::Collation* coll = compare_collation(g, s, b->left, b->right);
        int done = g.new_label();
        g.emit(Op::Integer, 1, target);
        code_compare_jump(g, b->op, l, r, aff, coll, done, false);
        if (b->op == BinaryOp::kIs || b->op == BinaryOp::kIsNot) {
          g.emit(Op::Integer, 0, target);
        } else {
          g.emit(Op::ZeroOrNull, l, target, r);
        }
        g.bind(done);
        return Status::Ok();
      }
      if (b->op == BinaryOp::kArrow || b->op == BinaryOp::kArrow2) {
        const char* name = b->op == BinaryOp::kArrow ? "->" : "->>";
        const func::FunctionDef* def = g.input().functions ? g.input().functions->find(name, 2) : nullptr;
        if (def == nullptr) return Status(rc::kError, std::string("no such function: ") + name);
        int args = g.new_reg(2);
        KEEL_RETURN_IF_ERROR(code_expr(g, s, b->left, args));
        KEEL_RETURN_IF_ERROR(code_expr(g, s, b->right, args + 1));
        int a = g.emit(Op::Function, 0, args, target);
        g.at(a).p4type = vm::P4Type::kFunction;
        g.at(a).p4.func = def;
        mark_pure(g, a);
        g.at(a).p5 = 2;
        return Status::Ok();
      }
      KEEL_ASSIGN_OR_RETURN(int l, code_expr_new(g, s, b->left));
      KEEL_ASSIGN_OR_RETURN(int r, code_expr_new(g, s, b->right));
      Op op;
      switch (b->op) {
        case BinaryOp::kAnd:
          g.emit(Op::And, l, r, target);
          return Status::Ok();
        case BinaryOp::kOr:
          g.emit(Op::Or, l, r, target);
          return Status::Ok();
        case BinaryOp::kBitAnd:
          op = Op::BitAnd;
          break;
        case BinaryOp::kBitOr:
          op = Op::BitOr;
          break;
        case BinaryOp::kShl:
          op = Op::ShiftLeft;
          break;
        case BinaryOp::kShr:
          op = Op::ShiftRight;
          break;
        case BinaryOp::kAdd:
          op = Op::Add;
          break;
        case BinaryOp::kSub:
          op = Op::Subtract;
          break;
        case BinaryOp::kMul:
          op = Op::Multiply;
          break;
        case BinaryOp::kDiv:
          op = Op::Divide;
          break;
        case BinaryOp::kRem:
          op = Op::Remainder;
          break;
        default:
          op = Op::Concat;
          break;
      }
      g.emit(op, r, l, target);
      return Status::Ok();
    }
    case ExprKind::kLike: {
      auto* l = e->as<parse::LikeExpr>();
      const char* name = l->op == parse::LikeOp::kLike     ? "like"
                         : l->op == parse::LikeOp::kGlob   ? "glob"
                         : l->op == parse::LikeOp::kRegexp ? "regexp"
                                                           : "match";
      int n = l->escape ? 3 : 2;
      const func::FunctionDef* def = g.input().functions ? g.input().functions->find(name, n) : nullptr;
      if (def == nullptr) {
        std::string upper = name;
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return Status(rc::kError, "no such function: " + upper);
      }
      int args = g.new_reg(n);
      KEEL_RETURN_IF_ERROR(code_expr(g, s, l->pattern, args));
      KEEL_RETURN_IF_ERROR(code_expr(g, s, l->left, args + 1));
      if (l->escape) KEEL_RETURN_IF_ERROR(code_expr(g, s, l->escape, args + 2));
      int a = g.emit(Op::Function, 0, args, target);
      g.at(a).p4type = vm::P4Type::kFunction;
      g.at(a).p4.func = def;
      mark_pure(g, a);
      g.at(a).p5 = static_cast<uint16_t>(n);
      if (l->negated) g.emit(Op::Not, target, target);
      return Status::Ok();
    }
    case ExprKind::kNullTest: {
      auto* n = e->as<parse::NullTestExpr>();
      KEEL_ASSIGN_OR_RETURN(int v, code_expr_new(g, s, n->operand));
      int done = g.new_label();
      g.emit(Op::Integer, 1, target);
      g.emit(n->not_null ? Op::NotNull : Op::IsNull, v, done);
      g.emit(Op::Integer, 0, target);
      g.bind(done);
      return Status::Ok();
    }
    case ExprKind::kBetween: {
      auto* b = e->as<parse::BetweenExpr>();
      if (vector_width(g, s, b->operand) > 1) {
        // Row values: x >= low AND x <= high, as SQLite's exprCodeBetween.
        parse::Expr* both = g.make_binary(
            BinaryOp::kAnd,
            g.make_binary(BinaryOp::kGe, const_cast<Expr*>(b->operand), const_cast<Expr*>(b->low)),
            g.make_binary(BinaryOp::kLe, const_cast<Expr*>(b->operand), const_cast<Expr*>(b->high)));
        KEEL_RETURN_IF_ERROR(code_expr(g, s, both, target));
        if (b->negated) g.emit(Op::Not, target, target);
        return Status::Ok();
      }
      KEEL_ASSIGN_OR_RETURN(int x, code_expr_new(g, s, b->operand));
      KEEL_ASSIGN_OR_RETURN(int lo, code_expr_new(g, s, b->low));
      KEEL_ASSIGN_OR_RETURN(int hi, code_expr_new(g, s, b->high));
      int c1 = g.new_reg(), c2 = g.new_reg();
      vm::Affinity xa = expr_affinity(g, s, b->operand);
      for (int k = 0; k < 2; k++) {
        const Expr* other = k == 0 ? b->low : b->high;
        int dst = k == 0 ? c1 : c2;
        int rr = k == 0 ? lo : hi;
        vm::Affinity aff = vm::comparison_affinity(xa, expr_affinity(g, s, other));
        const vm::Collation* coll = compare_collation(g, s, b->operand, other);
        int done = g.new_label();
        g.emit(Op::Integer, 1, dst);
        code_compare_jump(g, k == 0 ? BinaryOp::kGe : BinaryOp::kLe, x, rr, aff, coll, done, false);
        g.emit(Op::ZeroOrNull, x, dst, rr);
        g.bind(done);
      }
      g.emit(Op::And, c1, c2, target);
      if (b->negated) g.emit(Op::Not, target, target);
      return Status::Ok();
    }
    case ExprKind::kIn:
      return code_in(g, s, e->as<parse::InExpr>(), target);
    case ExprKind::kExists:
      return code_scalar_subquery(g, s, e->as<parse::ExistsExpr>()->select, target, true);
    case ExprKind::kSubquery:
      return code_scalar_subquery(g, s, e->as<parse::SubqueryExpr>()->select, target, false);
    case ExprKind::kCase: {
      auto* c = e->as<parse::CaseExpr>();
      int end = g.new_label();
      int base = 0;
      bool row_operand = c->operand && vector_width(g, s, c->operand) > 1;
      if (c->operand && !row_operand) {
        KEEL_ASSIGN_OR_RETURN(base, code_expr_new(g, s, c->operand));
      }
      for (const parse::WhenThen& wt : c->whens) {
        int next = g.new_label();
        if (row_operand) {
          // CASE (a, b) WHEN (x, y): each WHEN is the row-value comparison.
          parse::Expr* eq =
              g.make_binary(BinaryOp::kEq, const_cast<Expr*>(c->operand), const_cast<Expr*>(wt.when));
          KEEL_RETURN_IF_ERROR(code_if_false(g, s, eq, next, true));
        } else if (c->operand) {
          KEEL_ASSIGN_OR_RETURN(int w, code_expr_new(g, s, wt.when));
          vm::Affinity aff =
              vm::comparison_affinity(expr_affinity(g, s, c->operand), expr_affinity(g, s, wt.when));
          code_compare_jump(g, BinaryOp::kNe, base, w, aff, compare_collation(g, s, c->operand, wt.when),
                            next, true);
        } else {
          KEEL_RETURN_IF_ERROR(code_if_false(g, s, wt.when, next, true));
        }
        KEEL_RETURN_IF_ERROR(code_expr(g, s, wt.then, target));
        g.emit(Op::Goto, 0, end);
        g.bind(next);
      }
      if (c->else_expr) {
        KEEL_RETURN_IF_ERROR(code_expr(g, s, c->else_expr, target));
      } else {
        g.emit(Op::Null, 0, target);
      }
      g.bind(end);
      return Status::Ok();
    }
    case ExprKind::kCast: {
      auto* c = e->as<parse::CastExpr>();
      KEEL_RETURN_IF_ERROR(code_expr(g, s, c->operand, target));
      vm::Affinity aff = c->type.text.empty() ? vm::Affinity::kNumeric : type_affinity(c->type.text);
      g.emit(Op::Cast, target, static_cast<int>(static_cast<uint8_t>(aff)));
      return Status::Ok();
    }
    case ExprKind::kCollate: {
      auto* c = e->as<parse::CollateExpr>();
      if (g.collation(c->collation.value) == nullptr) {
        return Status(rc::kError, "no such collation sequence: " + std::string(c->collation.value));
      }
      return code_expr(g, s, c->operand, target);
    }
    case ExprKind::kFunction:
      return code_function(g, s, e->as<parse::FunctionExpr>(), target);
    case ExprKind::kVector:
      return Status(rc::kError, "row value misused");
    case ExprKind::kRaise:
      return code_raise(g, e->as<parse::RaiseExpr>(), target);
  }
  return Status(rc::kInternal, "unknown expression");
}

namespace {

Status code_function(CodeGen& g, Scope* s, const parse::FunctionExpr* f, int target) {
  std::string name(f->name.value);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  int n = f->star ? 0 : static_cast<int>(f->args.size);
  const func::FunctionRegistry* reg = g.input().functions;
  const func::FunctionDef* def = reg ? reg->find(name, n) : nullptr;
  bool known = reg && reg->has_name(name);
  // The built-in min() and max() take one argument (aggregate) or several
  // (scalar), never none.
  if ((name == "min" || name == "max") && n == 0 && (def == nullptr || def->n_arg < 0)) {
    return Status(rc::kError, "wrong number of arguments to function " + std::string(f->name.value) + "()");
  }
  if (g.input().authorizer && known) {
    bool ignored = false;
    Status a = authorize_function(g, f->name.value, &ignored);
    if (a.code() == rc::kAuth) return Status(rc::kError, "not authorized to use function: " + name);
    KEEL_RETURN_IF_ERROR(a);
    if (ignored) {
      g.emit(Op::Null, 0, target);
      return Status::Ok();
    }
  }
  // Functions SQLite codes inline (INLINEFUNC): lazy argument evaluation.
  bool inline_fn = name == "coalesce" || name == "ifnull" || name == "iif" || name == "likely" ||
                   name == "unlikely" || name == "likelihood";
  if (f->over || f->over_name.present()) {
    if (def == nullptr) {
      if (known)
        return Status(rc::kError,
                      "wrong number of arguments to function " + std::string(f->name.value) + "()");
      return Status(rc::kError, "no such function: " + std::string(f->name.value));
    }
    return code_window_call(g, s, f, def, target);
  }
  if (def && (def->flags & func::kWindowOnly)) {
    return Status(rc::kError, "misuse of window function " + std::string(f->name.value) + "()");
  }
  if (inline_fn && (def == nullptr || !def->is_aggregate())) {
    bool ok_count = (name == "coalesce" && n >= 2) || (name == "ifnull" && n == 2) ||
                    (name == "iif" && n == 3) || ((name == "likely" || name == "unlikely") && n == 1) ||
                    (name == "likelihood" && n == 2);
    if (!ok_count || f->star) {
      return Status(rc::kError, "wrong number of arguments to function " + std::string(f->name.value) + "()");
    }
    if (name == "likelihood") {
      // SQLite's exprProbability: a floating-point literal token in [0, 1].
      const parse::Expr* p = f->args[1];
      bool ok = p->kind == parse::ExprKind::kLiteral &&
                p->as<parse::LiteralExpr>()->literal == parse::LiteralKind::kFloat;
      if (ok) {
        std::string text(p->as<parse::LiteralExpr>()->text);
        ok = std::strtod(text.c_str(), nullptr) <= 1.0;
      }
      if (!ok) {
        return Status(rc::kError, "second argument to " + std::string(f->name.value) +
                                      "() must be a constant between 0.0 and 1.0");
      }
    }
    if (name == "likely" || name == "unlikely" || name == "likelihood") {
      return code_expr(g, s, f->args[0], target);
    }
    if (name == "iif") {
      int els = g.new_label(), end = g.new_label();
      KEEL_RETURN_IF_ERROR(code_if_false(g, s, f->args[0], els, true));
      KEEL_RETURN_IF_ERROR(code_expr(g, s, f->args[1], target));
      g.emit(Op::Goto, 0, end);
      g.bind(els);
      KEEL_RETURN_IF_ERROR(code_expr(g, s, f->args[2], target));
      g.bind(end);
      return Status::Ok();
    }
    int end = g.new_label();
    for (uint32_t i = 0; i < f->args.size; i++) {
      KEEL_RETURN_IF_ERROR(code_expr(g, s, f->args[i], target));
      if (i + 1 < f->args.size) g.emit(Op::NotNull, target, end);
    }
    g.bind(end);
    return Status::Ok();
  }
  if (def == nullptr) {
    if (known) {
      return Status(rc::kError, "wrong number of arguments to function " + std::string(f->name.value) + "()");
    }
    return Status(rc::kError, "no such function: " + std::string(f->name.value));
  }
  if (def->is_aggregate()) {
    // Find the aggregate context this call belongs to.
    AggContext* agg = s ? s->agg : nullptr;
    if (agg == nullptr || !s->allow_agg) {
      return Status(rc::kError, "misuse of aggregate function " + std::string(f->name.value) + "()");
    }
    if (f->distinct == parse::Distinctness::kDistinct && n != 1) {
      return Status(rc::kError, "DISTINCT aggregates must have exactly one argument");
    }
    int idx = agg->find(f);
    if (agg->collecting) {
      if (idx < 0) {
        // Arguments may not themselves hold aggregates.
        for (const Expr* a : f->args) {
          if (expr_has_aggregate(g, a)) {
            return Status(rc::kError, "misuse of aggregate function " + std::string(f->name.value) + "()");
          }
        }
        AggFunc af;
        af.expr = f;
        af.def = def;
        af.n_args = n;
        af.acc_reg = g.new_reg();
        agg->funcs.push_back(af);
      }
      g.emit(Op::Null, 0, target);
      return Status::Ok();
    }
    if (idx < 0) return Status(rc::kInternal, "aggregate not collected");
    g.emit(Op::SCopy, agg->funcs[idx].acc_reg, target);
    return Status::Ok();
  }
  if (f->distinct == parse::Distinctness::kDistinct) {
    return Status(rc::kError, "DISTINCT aggregates must have exactly one argument");
  }
  if (f->filter) {
    return Status(rc::kError,
                  "FILTER may not be used with non-aggregate " + std::string(f->name.value) + "()");
  }
  int args = n > 0 ? g.new_reg(n) : g.new_reg();
  int first = g.addr();
  for (int i = 0; i < n; i++) KEEL_RETURN_IF_ERROR(code_expr(g, s, f->args[i], args + i));
  pass_columns_by_ref(g, def, first, args, n);
  int a = g.emit(Op::Function, 0, args, target);
  g.at(a).p4type = vm::P4Type::kFunction;
  g.at(a).p4.func = def;
  mark_pure(g, a);
  g.at(a).p5 = static_cast<uint16_t>(n);
  if (def->flags & func::kNeedCollation) {
    bool expl = false;
    std::string coll;
    for (int i = 0; i < n && coll.empty(); i++) coll = expr_collation(g, s, f->args[i], &expl);
    if (!coll.empty()) {
      const vm::Collation* c = g.collation(coll);
      if (c) {
        int ca = g.emit(Op::CollSeq, 0, 0, 0);
        g.set_p4_coll(ca, c);
        // CollSeq must precede the call: swap the two instructions.
        std::swap(g.at(a), g.at(ca));
      }
    }
  }
  return Status::Ok();
}

// Tests register `x` against the values of an IN list; jumps to `found`
// when equal, sets *saw_null code path via `null_reg` (set to 1 when a
// comparison met a NULL).
Status code_in(CodeGen& g, Scope* s, const parse::InExpr* e, int target) {
  int n_left = vector_width(g, s, e->left);
  if (e->rhs == parse::InExpr::Rhs::kList && n_left > 1 && e->list.size > 0) {
    // (a, b) IN ((1, 2), (3, 4)): true if a row equals, NULL if none does
    // but a comparison was NULL — an OR of equalities has that logic.
    parse::Expr* any = nullptr;
    for (Expr* item : e->list) {
      if (vector_width(g, s, item) != n_left) return Status(rc::kError, "row value misused");
      parse::Expr* eq = g.make_binary(BinaryOp::kEq, const_cast<Expr*>(e->left), item);
      any = any ? g.make_binary(BinaryOp::kOr, any, eq) : eq;
    }
    KEEL_RETURN_IF_ERROR(code_expr(g, s, any, target));
    if (e->negated) g.emit(Op::Not, target, target);
    return Status::Ok();
  }
  if (e->rhs == parse::InExpr::Rhs::kList && e->list.size == 0) {
    // x IN () is false, NOT IN () true.
    g.emit(Op::Integer, e->negated ? 1 : 0, target);
    return Status::Ok();
  }
  int is_true = g.new_label(), is_null = g.new_label(), is_false = g.new_label(), end = g.new_label();
  if (e->rhs == parse::InExpr::Rhs::kList && n_left == 1) {
    KEEL_ASSIGN_OR_RETURN(int x, code_expr_new(g, s, e->left));
    vm::Affinity la = expr_affinity(g, s, e->left);
    int null_seen = g.new_reg();
    g.emit(Op::Integer, 0, null_seen);
    int tmp = g.new_reg();
    // An IN list compares with the left side's affinity and collation only
    // (SQLite's exprINAffinity / sqlite3ExprCodeIN).
    vm::Affinity aff = la == vm::Affinity::kNone ? vm::Affinity::kBlob : la;
    bool expl = false;
    std::string lcoll = expr_collation(g, s, e->left, &expl);
    const vm::Collation* coll = lcoll.empty() ? nullptr : g.collation(lcoll);
    for (const Expr* item : e->list) {
      KEEL_RETURN_IF_ERROR(code_expr(g, s, item, tmp));
      code_compare_jump(g, BinaryOp::kEq, x, tmp, aff, coll, is_true, false);
      int nn = g.new_label();
      g.emit(Op::NotNull, tmp, nn);
      g.emit(Op::Integer, 1, null_seen);
      g.bind(nn);
    }
    g.emit(Op::IsNull, x, is_null);
    g.emit(Op::If, null_seen, is_null);
    g.emit(Op::Goto, 0, is_false);
  } else {
    if (e->rhs == parse::InExpr::Rhs::kList) return Status(rc::kError, "row value misused");
    // IN (SELECT ...) / IN table: an ephemeral index of the rows, built once
    // unless the subquery is correlated.
    std::vector<ColInfo> cols;
    Table* in_table = nullptr;
    // `x IN name` where name is a CTE or a view: its rows, as a subquery.
    const parse::Select* sub = e->select;
    Scope* sub_outer = s;
    std::string_view sub_sql;
    int sub_view_db = g.view_db;
    if (e->rhs == parse::InExpr::Rhs::kTable && !e->has_table_args) {
      std::string_view schema = e->table.schema.present() ? e->table.schema.value : std::string_view();
      const parse::CommonTableExpr* cte = schema.empty() ? g.find_cte(e->table.name.value) : nullptr;
      if (cte && cte->select) {
        sub = cte->select;
      } else if (const Table* v = g.catalog().find_table(schema, e->table.name.value); v && v->is_view) {
        sub = v->view_select;
        sub_outer = nullptr;
        if (v->parsed) sub_sql = v->parsed->sql;
        // Its FROM names bind in the view's own database (not for TEMP views).
        sub_view_db = v->db == 1 ? -1 : v->db;
      }
    }
    // A view's body points into its own SQL text.
    auto in_view_sql = [&](auto&& code) {
      if (sub_sql.empty()) return code();
      std::string_view saved = g.swap_sql(sub_sql);
      int saved_db = g.view_db;
      g.view_db = sub_view_db;
      auto r = code();
      g.view_db = saved_db;
      g.swap_sql(saved);
      return r;
    };
    if (e->rhs == parse::InExpr::Rhs::kTable && sub == nullptr) {
      if (e->has_table_args)
        return Status(rc::kError, "no such table-valued function: " + std::string(e->table.name.value));
      KEEL_ASSIGN_OR_RETURN(in_table, find_table_or_error(g, e->table, false));
      for (const Column& c : in_table->columns) {
        if (c.hidden) continue;
        ColInfo ci;
        ci.affinity = c.affinity;
        ci.collation = c.collation;
        cols.push_back(ci);
      }
    } else {
      KEEL_ASSIGN_OR_RETURN(cols, in_view_sql([&] { return select_columns(g, sub, sub_outer); }));
    }
    if (static_cast<int>(cols.size()) != n_left) {
      return Status(rc::kError, "sub-select returns " + std::to_string(cols.size()) + " columns - expected " +
                                    std::to_string(n_left));
    }
    std::vector<const Expr*> lefts;
    const Expr* le = skip_collate(e->left);
    if (n_left > 1) {
      for (const Expr* it : le->as<parse::VectorExpr>()->items) lefts.push_back(it);
    } else {
      lefts.push_back(e->left);
    }
    // Whether the subquery's column i carries an explicit COLLATE (the
    // rightmost SELECT's, as SQLite's compound keeps its result list there).
    auto right_explicit = [&](int i) {
      if (in_table || sub == nullptr || sub->cores.size == 0) return false;
      const parse::SelectCore* core = sub->cores[sub->cores.size - 1];
      if (core->is_values || static_cast<uint32_t>(i) >= core->columns.size) return false;
      const parse::ResultColumn& rc = core->columns[static_cast<uint32_t>(i)];
      if (rc.kind != parse::ResultColumn::Kind::kExpr) return false;
      bool rexpl = false;
      (void)expr_collation(g, s, rc.expr, &rexpl);
      return rexpl;
    };
    std::string aff;
    auto ki = std::make_unique<vm::KeyInfo>();
    ki->n_key_field = static_cast<uint16_t>(n_left);
    ki->n_all_field = static_cast<uint16_t>(n_left);
    for (int i = 0; i < n_left; i++) {
      vm::Affinity a = vm::comparison_affinity(expr_affinity(g, s, lefts[i]), cols[i].affinity);
      aff.push_back(static_cast<char>(a == vm::Affinity::kNone ? vm::Affinity::kBlob : a));
      // sqlite3BinaryCompareCollSeq(left, the subquery's column): an explicit
      // COLLATE on the left, else on the right, else the left's own
      // collation (a column has one, BINARY by default), else the right's.
      bool expl = false;
      std::string c = expr_collation(g, s, lefts[i], &expl);
      if (!expl && (right_explicit(i) || !expr_has_collation(g, s, lefts[i]))) c = cols[i].collation;
      ki->collations.push_back(c.empty() ? nullptr : g.collation(c));
    }
    int cur = g.new_cursor();
    int once = g.emit(Op::Once, 0, 0);
    int open = g.emit(Op::OpenEphemeral, cur, n_left);
    g.set_p4_keyinfo(open, std::move(ki));
    bool correlated = false;
    if (in_table) {
      // Every row of the table, its columns as the key.
      int tc = g.new_cursor();
      open_table(g, in_table, tc, false);
      int done = g.new_label();
      g.emit(Op::Rewind, tc, done);
      int top = g.addr();
      int regs = g.new_reg(n_left), rec = g.new_reg();
      FromTerm ft;
      ft.table = in_table;
      ft.cursor = tc;
      for (int i = 0; i < n_left; i++) code_column(g, &ft, i, regs + i);
      int mr = g.emit(Op::MakeRecord, regs, n_left, rec);
      g.set_p4_affinity(mr, aff);
      g.emit(Op::IdxInsert, cur, rec);
      g.emit(Op::Next, tc, top);
      g.bind(done);
    } else {
      KEEL_ASSIGN_OR_RETURN(correlated,
                            in_view_sql([&] { return code_in_subquery(g, sub_outer, sub, cur, aff); }));
    }
    int after = g.new_label();
    g.bind(after);
    if (correlated) {
      g.at(once).op = Op::Noop;
    } else {
      g.at(once).p2 = g.addr();
    }
    int x = g.new_reg(n_left);
    for (int i = 0; i < n_left; i++) KEEL_RETURN_IF_ERROR(code_expr(g, s, lefts[i], x + i));
    // A NULL on the left: NULL if the set is non-empty, else false.
    int has_null_left = g.new_label();
    for (int i = 0; i < n_left; i++) g.emit(Op::IsNull, x + i, has_null_left);
    int probe = g.new_reg(n_left);
    g.emit(Op::Copy, x, probe, n_left - 1);
    int a = g.emit(Op::Affinity, probe, n_left);
    g.set_p4_affinity(a, aff);
    int f = g.emit(Op::Found, cur, is_true, probe);
    g.set_p4_int(f, n_left);
    // Not found: NULL if the set holds a NULL (in any column), else false.
    int nulltmp = g.new_reg();
    g.emit(Op::Rewind, cur, is_false);
    int loop = g.addr();
    for (int i = 0; i < n_left; i++) {
      g.emit(Op::Column, cur, i, nulltmp);
      g.emit(Op::IsNull, nulltmp, is_null);
    }
    g.emit(Op::Next, cur, loop);
    g.emit(Op::Goto, 0, is_false);
    g.bind(has_null_left);
    g.emit(Op::Rewind, cur, is_false);
    g.emit(Op::Goto, 0, is_null);
  }
  g.bind(is_true);
  g.emit(Op::Integer, e->negated ? 0 : 1, target);
  g.emit(Op::Goto, 0, end);
  g.bind(is_false);
  g.emit(Op::Integer, e->negated ? 1 : 0, target);
  g.emit(Op::Goto, 0, end);
  g.bind(is_null);
  g.emit(Op::Null, 0, target);
  g.bind(end);
  return Status::Ok();
}

// Items of a row value (or a scalar subquery yielding several columns).
Status vector_items(CodeGen& g, Scope* s, const Expr* e, int n, std::vector<int>& regs,
                    std::vector<const Expr*>& exprs) {
  e = skip_collate(e);
  if (e->kind == ExprKind::kVector) {
    for (const Expr* it : e->as<parse::VectorExpr>()->items) {
      KEEL_ASSIGN_OR_RETURN(int r, code_expr_new(g, s, it));
      regs.push_back(r);
      exprs.push_back(it);
    }
    return Status::Ok();
  }
  if (n > 1 && e->kind == ExprKind::kSubquery && vector_width(g, s, e) == n) {
    int base = g.new_reg(n);
    KEEL_RETURN_IF_ERROR(code_row_subquery(g, s, e->as<parse::SubqueryExpr>()->select, base, n));
    for (int i = 0; i < n; i++) {
      regs.push_back(base + i);
      exprs.push_back(e);
    }
    return Status::Ok();
  }
  if (n > 1) return Status(rc::kError, "row value misused");
  KEEL_ASSIGN_OR_RETURN(int r, code_expr_new(g, s, e));
  regs.push_back(r);
  exprs.push_back(e);
  return Status::Ok();
}

// The affinity of item i of a row value: of the list's expression, or of the
// subquery's column.
vm::Affinity vector_item_affinity(CodeGen& g, Scope* s, const Expr* whole, const Expr* item, int i) {
  const Expr* w = skip_collate(whole);
  if (w->kind == ExprKind::kSubquery && item == whole) {
    auto cols = select_columns(g, w->as<parse::SubqueryExpr>()->select, s);
    if (cols.ok() && i < static_cast<int>(cols.value().size())) return cols.value()[i].affinity;
  }
  return expr_affinity(g, s, item);
}

Status code_vector_compare(CodeGen& g, Scope* s, const parse::BinaryExpr* b, int target) {
  int nl = vector_width(g, s, b->left), nr = vector_width(g, s, b->right);
  if (nl != nr) return Status(rc::kError, "row value misused");
  std::vector<int> lr, rr;
  std::vector<const Expr*> le, re;
  KEEL_RETURN_IF_ERROR(vector_items(g, s, b->left, nl, lr, le));
  KEEL_RETURN_IF_ERROR(vector_items(g, s, b->right, nr, rr, re));
  int is_true = g.new_label(), is_false = g.new_label(), is_null = g.new_label(), end = g.new_label();
  BinaryOp op = b->op;
  bool is_op = op == BinaryOp::kIs || op == BinaryOp::kIsNot;
  int null_seen = g.new_reg();
  g.emit(Op::Integer, 0, null_seen);
  for (int i = 0; i < nl; i++) {
    vm::Affinity aff = vm::comparison_affinity(vector_item_affinity(g, s, b->left, le[i], i),
                                               vector_item_affinity(g, s, b->right, re[i], i));
    const vm::Collation* coll = compare_collation(g, s, le[i], re[i]);
    bool last = i == nl - 1;
    if (op == BinaryOp::kEq || op == BinaryOp::kNe || is_op) {
      BinaryOp cmp = is_op ? BinaryOp::kIsNot : BinaryOp::kNe;
      bool eq_sense = op == BinaryOp::kEq || op == BinaryOp::kIs;
      int neq = eq_sense ? is_false : is_true;
      if (!is_op) {
        int nn = g.new_label(), cont = g.new_label();
        g.emit(Op::NotNull, lr[i], nn);
        g.emit(Op::Integer, 1, null_seen);
        g.emit(Op::Goto, 0, cont);
        g.bind(nn);
        g.emit(Op::NotNull, rr[i], cont);
        g.emit(Op::Integer, 1, null_seen);
        g.bind(cont);
        int skip = g.new_label();
        g.emit(Op::IsNull, lr[i], skip);
        g.emit(Op::IsNull, rr[i], skip);
        code_compare_jump(g, cmp, lr[i], rr[i], aff, coll, neq, false);
        g.bind(skip);
      } else {
        code_compare_jump(g, cmp, lr[i], rr[i], aff, coll, neq, false);
      }
      if (last) {
        if (!is_op) g.emit(Op::If, null_seen, is_null);
        g.emit(Op::Goto, 0, eq_sense ? is_true : is_false);
      }
    } else {
      // <, <=, >, >=: the first unequal pair decides; a NULL before that is NULL.
      g.emit(Op::IsNull, lr[i], is_null);
      g.emit(Op::IsNull, rr[i], is_null);
      BinaryOp strict = (op == BinaryOp::kLt || op == BinaryOp::kLe) ? BinaryOp::kLt : BinaryOp::kGt;
      if (!last) {
        code_compare_jump(g, strict, lr[i], rr[i], aff, coll, is_true, false);
        code_compare_jump(g, BinaryOp::kNe, lr[i], rr[i], aff, coll, is_false, false);
      } else {
        code_compare_jump(g, op, lr[i], rr[i], aff, coll, is_true, false);
        g.emit(Op::Goto, 0, is_false);
      }
    }
  }
  g.bind(is_true);
  g.emit(Op::Integer, 1, target);
  g.emit(Op::Goto, 0, end);
  g.bind(is_false);
  g.emit(Op::Integer, 0, target);
  g.emit(Op::Goto, 0, end);
  g.bind(is_null);
  g.emit(Op::Null, 0, target);
  g.bind(end);
  return Status::Ok();
}

bool is_true_literal(const Expr* e, bool* value) {
  if (e->kind != ExprKind::kLiteral) return false;
  auto* l = e->as<parse::LiteralExpr>();
  if (l->literal == parse::LiteralKind::kTrue || l->literal == parse::LiteralKind::kFalse) {
    *value = l->literal == parse::LiteralKind::kTrue;
    return true;
  }
  return false;
}

Status code_cond(CodeGen& g, Scope* s, const Expr* e, int label, bool jump_if_true, bool jump_if_null) {
  switch (e->kind) {
    case ExprKind::kBinary: {
      auto* b = e->as<parse::BinaryExpr>();
      if (b->op == BinaryOp::kAnd || b->op == BinaryOp::kOr) {
        bool is_and = b->op == BinaryOp::kAnd;
        if (is_and != jump_if_true) {
          // IfFalse(AND) / IfTrue(OR): either side decides.
          KEEL_RETURN_IF_ERROR(code_cond(g, s, b->left, label, jump_if_true, jump_if_null));
          return code_cond(g, s, b->right, label, jump_if_true, jump_if_null);
        }
        int skip = g.new_label();
        KEEL_RETURN_IF_ERROR(code_cond(g, s, b->left, skip, !jump_if_true, !jump_if_null));
        KEEL_RETURN_IF_ERROR(code_cond(g, s, b->right, label, jump_if_true, jump_if_null));
        g.bind(skip);
        return Status::Ok();
      }
      if (is_comparison(b->op) && vector_width(g, s, b->left) == 1 && vector_width(g, s, b->right) == 1) {
        KEEL_ASSIGN_OR_RETURN(int l, code_expr_new(g, s, b->left));
        KEEL_ASSIGN_OR_RETURN(int r, code_expr_new(g, s, b->right));
        vm::Affinity aff =
            vm::comparison_affinity(expr_affinity(g, s, b->left), expr_affinity(g, s, b->right));
        const vm::Collation* coll = compare_collation(g, s, b->left, b->right);
        BinaryOp op = jump_if_true ? b->op : negate_compare(b->op);
        code_compare_jump(g, op, l, r, aff, coll, label, jump_if_null);
        return Status::Ok();
      }
      break;
    }
    case ExprKind::kUnary: {
      auto* u = e->as<parse::UnaryExpr>();
      if (u->op == parse::UnaryOp::kNot)
        return code_cond(g, s, u->operand, label, !jump_if_true, jump_if_null);
      break;
    }
    case ExprKind::kBetween: {
      // x BETWEEN lo AND hi is (x >= lo AND x <= hi) with x evaluated once,
      // short-circuited as SQLite's exprCodeBetween: hi is not evaluated
      // (nor its errors raised) when x >= lo already decides.
      auto* b = e->as<parse::BetweenExpr>();
      if (vector_size(b->operand) != 1 || vector_size(b->low) != 1 || vector_size(b->high) != 1) break;
      KEEL_ASSIGN_OR_RETURN(int x, code_expr_new(g, s, b->operand));
      vm::Affinity xa = expr_affinity(g, s, b->operand);
      auto compare = [&](const Expr* other, BinaryOp op, int to, bool when_true, bool when_null) -> Status {
        KEEL_ASSIGN_OR_RETURN(int r, code_expr_new(g, s, other));
        vm::Affinity aff = vm::comparison_affinity(xa, expr_affinity(g, s, other));
        const vm::Collation* coll = compare_collation(g, s, b->operand, other);
        code_compare_jump(g, when_true ? op : negate_compare(op), x, r, aff, coll, to, when_null);
        return Status::Ok();
      };
      // NOT BETWEEN jumps where BETWEEN would not (NULL jumps the same way).
      bool jt = jump_if_true != b->negated;
      if (!jt) {
        KEEL_RETURN_IF_ERROR(compare(b->low, BinaryOp::kGe, label, false, jump_if_null));
        return compare(b->high, BinaryOp::kLe, label, false, jump_if_null);
      }
      int skip = g.new_label();
      KEEL_RETURN_IF_ERROR(compare(b->low, BinaryOp::kGe, skip, false, !jump_if_null));
      KEEL_RETURN_IF_ERROR(compare(b->high, BinaryOp::kLe, label, true, jump_if_null));
      g.bind(skip);
      return Status::Ok();
    }
    case ExprKind::kNullTest: {
      auto* n = e->as<parse::NullTestExpr>();
      KEEL_ASSIGN_OR_RETURN(int v, code_expr_new(g, s, n->operand));
      bool jump_on_null = n->not_null != jump_if_true;
      g.emit(jump_on_null ? Op::IsNull : Op::NotNull, v, label);
      return Status::Ok();
    }
    case ExprKind::kLiteral: {
      bool v;
      if (is_true_literal(e, &v)) {
        if (v == jump_if_true) g.emit(Op::Goto, 0, label);
        return Status::Ok();
      }
      break;
    }
    default:
      break;
  }
  KEEL_ASSIGN_OR_RETURN(int r, code_expr_new(g, s, e));
  g.emit(jump_if_true ? Op::If : Op::IfNot, r, label, jump_if_null ? 1 : 0);
  return Status::Ok();
}

}  // namespace

Status code_if_false(CodeGen& g, Scope* s, const Expr* e, int label, bool jump_if_null) {
  return code_cond(g, s, e, label, false, jump_if_null);
}

Status code_if_true(CodeGen& g, Scope* s, const Expr* e, int label, bool jump_if_null) {
  return code_cond(g, s, e, label, true, jump_if_null);
}

}  // namespace keel::plan
