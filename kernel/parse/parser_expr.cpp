// Expressions: precedence climbing over parse.y's precedence table.
//
// Binary operators are left-associative at their level. The operators
// spelled with a leading NOT (NOT NULL, NOT LIKE, NOT BETWEEN, NOT IN) are
// *decided* at the precedence of the NOT token (below `=`), as the LALR
// automaton decides its shift/reduce conflict on that token: `a = b NOT
// NULL` is `(a = b) NOT NULL`, while `a AND b NOT NULL` is `a AND (b NOT NULL)`.
#include "parse/parser_internal.h"

namespace keel::parse::internal {
namespace {

bool is_postfix_not_continuation(Tk k) {
  return k == Tk::kNull || k == Tk::kLikeKw || k == Tk::kMatch || k == Tk::kBetween || k == Tk::kIn;
}

LikeOp like_op_of(std::string_view word) {
  auto eq = [&](const char* s) {
    size_t n = std::strlen(s);
    if (word.size() != n) return false;
    for (size_t i = 0; i < n; ++i) {
      char c = word[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != s[i]) return false;
    }
    return true;
  };
  if (eq("glob")) return LikeOp::kGlob;
  if (eq("regexp")) return LikeOp::kRegexp;
  if (eq("match")) return LikeOp::kMatch;
  return LikeOp::kLike;
}

}  // namespace

bool ParserImpl::parse_exprlist(Vec<Expr*>* out) {
  Expr* e = parse_expr();
  if (failed()) return false;
  out->push(arena(), e);
  Hold h(this, 2);  // nexprlist COMMA
  while (accept(Tk::kComma)) {
    e = parse_expr();
    if (failed()) return false;
    out->push(arena(), e);
  }
  return true;
}

Expr* ParserImpl::parse_expr(int min_prec) {
  if (failed()) return nullptr;
  uint32_t begin = cur().offset;
  Expr* left = nullptr;

  // Prefix operators: their operand extends as far as their own precedence allows.
  switch (kind()) {
    case Tk::kNot:
    case Tk::kBitNot:
    case Tk::kPlus:
    case Tk::kMinus: {
      if (!check_stack(1)) return nullptr;
      Tk op = advance().kind;
      Hold h(this, 1);
      Expr* operand = parse_expr(op == Tk::kNot ? kPrecNot : kPrecUnary);
      if (failed()) return nullptr;
      auto* u = new_expr<UnaryExpr>(begin);
      u->op = op == Tk::kNot      ? UnaryOp::kNot
              : op == Tk::kBitNot ? UnaryOp::kBitNot
              : op == Tk::kPlus   ? UnaryOp::kPlus
                                  : UnaryOp::kNegate;
      u->operand = operand;
      if (!set_height(u, height_of(operand))) return nullptr;
      left = u;
      break;
    }
    default:
      left = parse_primary();
      if (failed()) return nullptr;
  }

  for (;;) {
    Tk k = kind();
    int prec;
    switch (k) {
      case Tk::kOr:
        prec = kPrecOr;
        break;
      case Tk::kAnd:
        prec = kPrecAnd;
        break;
      case Tk::kNot:
        if (!is_postfix_not_continuation(peek(1).kind)) {
          if (min_prec > kPrecNot) return left;
          // `expr NOT` shifts in SQLite whatever follows: the error is on the next token.
          syntax_error_at(peek(1));
          return nullptr;
        }
        prec = kPrecNot;
        break;
      case Tk::kEq:
      case Tk::kNe:
      case Tk::kIs:
      case Tk::kMatch:
      case Tk::kLikeKw:
      case Tk::kBetween:
      case Tk::kIn:
      case Tk::kIsnull:
      case Tk::kNotnull:
        prec = kPrecEq;
        break;
      case Tk::kLt:
      case Tk::kLe:
      case Tk::kGt:
      case Tk::kGe:
        prec = kPrecCmp;
        break;
      case Tk::kBitAnd:
      case Tk::kBitOr:
      case Tk::kLShift:
      case Tk::kRShift:
        prec = kPrecBit;
        break;
      case Tk::kPlus:
      case Tk::kMinus:
        prec = kPrecAdd;
        break;
      case Tk::kStar:
      case Tk::kSlash:
      case Tk::kRem:
        prec = kPrecMul;
        break;
      case Tk::kConcat:
      case Tk::kPtr:
        prec = kPrecConcat;
        break;
      case Tk::kCollate:
        prec = kPrecCollate;
        break;
      default:
        return left;
    }
    if (prec < min_prec) return left;

    Token optok = advance();
    Hold h(this, 2);
    bool negated = false;
    if (k == Tk::kNot) {
      negated = true;
      k = kind();
      if (k == Tk::kNull) {
        advance();
        auto* n = new_expr<NullTestExpr>(begin);
        n->not_null = true;
        n->operand = left;
        if (!set_height(n, height_of(left))) return nullptr;
        left = n;
        continue;
      }
      optok = advance();
    }

    switch (k) {
      case Tk::kIsnull:
      case Tk::kNotnull: {
        auto* n = new_expr<NullTestExpr>(begin);
        n->not_null = k == Tk::kNotnull;
        n->operand = left;
        if (!set_height(n, height_of(left))) return nullptr;
        left = n;
        break;
      }
      case Tk::kCollate: {
        if (!is_ids(kind())) {
          syntax_error();
          return nullptr;
        }
        auto* c = new_expr<CollateExpr>(begin);
        c->collation = make_name(advance());
        c->span.end = prev_end();
        c->operand = left;
        c->height = 1;  // sqlite3ExprAddCollateToken does not set a height
        left = c;
        break;
      }
      case Tk::kLikeKw:
      case Tk::kMatch: {
        Expr* pattern = parse_expr(kPrecEq + 1);
        if (failed()) return nullptr;
        Expr* esc = nullptr;
        if (accept(Tk::kEscape)) {
          esc = parse_expr(kPrecEq + 1);
          if (failed()) return nullptr;
        }
        auto* l = new_expr<LikeExpr>(begin);
        l->op = k == Tk::kMatch ? LikeOp::kMatch : like_op_of(text(optok));
        l->negated = negated;
        l->left = left;
        l->pattern = pattern;
        l->escape = esc;
        int hh = std::max({height_of(left), height_of(pattern), height_of(esc)});
        if (!set_height(l, hh)) return nullptr;
        if (negated && !set_height(l, l->height)) return nullptr;
        left = l;
        break;
      }
      case Tk::kBetween: {
        Expr* low = parse_expr(kPrecNot);
        if (failed()) return nullptr;
        if (at(Tk::kOr)) {
          // The LALR automaton keeps reading `low OR ...` as one operand (an
          // OR's right side absorbs every AND), so no AND can ever close this
          // BETWEEN: the error is on the first token that ends the expression.
          while (accept(Tk::kOr)) {
            parse_expr(kPrecOr + 1);
            if (failed()) return nullptr;
          }
          syntax_error();
          return nullptr;
        }
        if (!expect(Tk::kAnd)) return nullptr;
        Expr* high = parse_expr(kPrecEq + 1);
        if (failed()) return nullptr;
        auto* b = new_expr<BetweenExpr>(begin);
        b->negated = negated;
        b->operand = left;
        b->low = low;
        b->high = high;
        // SQLite's TK_BETWEEN height covers only the left operand.
        if (!set_height(b, height_of(left))) return nullptr;
        if (negated && !set_height(b, b->height)) return nullptr;
        left = b;
        break;
      }
      case Tk::kIn: {
        auto* in = new_expr<InExpr>(begin);
        in->negated = negated;
        in->left = left;
        if (!set_height(in, height_of(left))) return nullptr;
        if (at(Tk::kLp)) {
          advance();
          Hold h2(this, 1);
          if (starts_select(kind())) {
            in->rhs = InExpr::Rhs::kSelect;
            in->select = parse_select();
            if (failed() || !check_stack(2) || !expect(Tk::kRp)) return nullptr;
            in->span.end = prev_end();
            if (!set_height(in, std::max(height_of(left), height_of(in->select)))) return nullptr;
          } else {
            in->rhs = InExpr::Rhs::kList;
            Vec<Expr*> items;
            if (!at(Tk::kRp) && !parse_exprlist(&items)) return nullptr;
            if (!check_stack(items.size ? 2 : 1) || !expect(Tk::kRp)) return nullptr;
            in->list = items.list();
            in->span.end = prev_end();
            if (left->kind == ExprKind::kVector && !in->list.empty() &&
                !(in->list.size == 1 && in->list[0]->kind == ExprKind::kSubquery)) {
              // sqlite3ExprListToValues: every element must be a row of the same size.
              uint32_t want = left->as<VectorExpr>()->items.size;
              for (Expr* e : in->list) {
                uint32_t n = e->kind == ExprKind::kVector ? e->as<VectorExpr>()->items.size : 1;
                if (n != want) {
                  error("IN(...) element has " + std::to_string(n) + " term" + (n > 1 ? "s" : "") +
                            " - expected " + std::to_string(want),
                        static_cast<int>(e->span.begin));
                  break;
                }
              }
            }
            if (!in->list.empty() && !set_height(in, std::max(height_of(left), height_of(in->list)))) {
              return nullptr;
            }
          }
        } else if (is_nm(kind())) {
          in->rhs = InExpr::Rhs::kTable;
          if (!parse_qualified(&in->table)) return nullptr;
          if (accept(Tk::kLp)) {
            in->has_table_args = true;
            Vec<Expr*> args;
            if (!at(Tk::kRp) && !parse_exprlist(&args)) return nullptr;
            if (!expect(Tk::kRp)) return nullptr;
            in->table_args = args.list();
          }
          in->span.end = prev_end();
        } else {
          syntax_error();
          return nullptr;
        }
        if (negated && !set_height(in, in->height)) return nullptr;
        left = in;
        break;
      }
      case Tk::kIs: {
        BinaryOp op = BinaryOp::kIs;
        if (accept(Tk::kNot)) {
          op = BinaryOp::kIsNot;
          if (accept(Tk::kDistinct)) {
            if (!expect(Tk::kFrom)) return nullptr;
            op = BinaryOp::kIs;
          }
        } else if (accept(Tk::kDistinct)) {
          if (!expect(Tk::kFrom)) return nullptr;
          op = BinaryOp::kIsNot;
        }
        Expr* right = parse_expr(kPrecEq + 1);
        if (failed()) return nullptr;
        auto* b = new_expr<BinaryExpr>(begin);
        b->op = op;
        b->left = left;
        b->right = right;
        if (!set_height(b, std::max(height_of(left), height_of(right)))) return nullptr;
        left = b;
        break;
      }
      default: {
        BinaryOp op;
        switch (k) {
          case Tk::kOr:
            op = BinaryOp::kOr;
            break;
          case Tk::kAnd:
            op = BinaryOp::kAnd;
            break;
          case Tk::kEq:
            op = BinaryOp::kEq;
            break;
          case Tk::kNe:
            op = BinaryOp::kNe;
            break;
          case Tk::kLt:
            op = BinaryOp::kLt;
            break;
          case Tk::kLe:
            op = BinaryOp::kLe;
            break;
          case Tk::kGt:
            op = BinaryOp::kGt;
            break;
          case Tk::kGe:
            op = BinaryOp::kGe;
            break;
          case Tk::kBitAnd:
            op = BinaryOp::kBitAnd;
            break;
          case Tk::kBitOr:
            op = BinaryOp::kBitOr;
            break;
          case Tk::kLShift:
            op = BinaryOp::kShl;
            break;
          case Tk::kRShift:
            op = BinaryOp::kShr;
            break;
          case Tk::kPlus:
            op = BinaryOp::kAdd;
            break;
          case Tk::kMinus:
            op = BinaryOp::kSub;
            break;
          case Tk::kStar:
            op = BinaryOp::kMul;
            break;
          case Tk::kSlash:
            op = BinaryOp::kDiv;
            break;
          case Tk::kRem:
            op = BinaryOp::kRem;
            break;
          case Tk::kConcat:
            op = BinaryOp::kConcat;
            break;
          default:
            op = optok.length == 3 ? BinaryOp::kArrow2 : BinaryOp::kArrow;
            break;
        }
        Expr* right = parse_expr(prec + 1);
        if (failed()) return nullptr;
        if (op == BinaryOp::kAnd && options().fold_false_and &&
            (is_zero_integer(left) || is_zero_integer(right))) {
          // SQLite's sqlite3ExprAnd: `x AND 0` is the integer 0 itself, so
          // x is never resolved nor evaluated. The span stays the whole
          // expression's (it names a result column).
          auto* zero = new_expr<LiteralExpr>(begin);
          zero->literal = LiteralKind::kInteger;
          zero->text = "0";
          left = zero;
          break;
        }
        auto* b = new_expr<BinaryExpr>(begin);
        b->op = op;
        b->left = left;
        b->right = right;
        if (!set_height(b, std::max(height_of(left), height_of(right)))) return nullptr;
        left = b;
        break;
      }
    }
  }
}

// An integer literal SQLite marks EP_IsFalse: its text reads as the 32-bit
// integer 0 (sqlite3GetInt32), in decimal or hexadecimal.
bool ParserImpl::is_zero_integer(const Expr* e) {
  if (e == nullptr || e->kind != ExprKind::kLiteral) return false;
  const auto* l = static_cast<const LiteralExpr*>(e);
  if (l->literal != LiteralKind::kInteger || l->text.empty()) return false;
  std::string_view t = l->text;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) t.remove_prefix(2);
  return t.find_first_not_of('0') == std::string_view::npos;
}

Expr* ParserImpl::parse_variable() {
  uint32_t begin = cur().offset;
  Token t = cur();
  std::string_view s = text(t);
  advance();
  auto* v = new_expr<VariableExpr>(begin);
  v->text = s;
  if (s.size() >= 2 && s[0] == '#' && s[1] >= '0' && s[1] <= '9') {
    // #N register references exist only in SQLite's nested parses; the
    // grammar action reports a syntax error on the token.
    error("near \"" + std::string(s) + "\": syntax error", static_cast<int>(begin));
    v->number = 0;
    return v;
  }
  return assign_variable(v);
}

// sqlite3ExprAssignVarNumber.
Expr* ParserImpl::assign_variable(VariableExpr* v) {
  std::string_view z = v->text;
  int32_t x;
  const int limit = options().max_variable_number;
  if (z.size() == 1) {
    x = ++n_var_;
  } else {
    bool add = false;
    if (z[0] == '?') {
      int64_t i = 0;
      bool ok = true;
      for (size_t k = 1; k < z.size(); ++k) {
        if (i > (INT64_MAX - 9) / 10) {
          ok = false;
          break;
        }
        i = i * 10 + (z[k] - '0');
      }
      if (!ok || i < 1 || i > limit) {
        error("variable number must be between ?1 and ?" + std::to_string(limit),
              static_cast<int>(v->span.begin));
        return v;
      }
      x = static_cast<int32_t>(i);
      if (x > n_var_) {
        n_var_ = x;
        add = true;
      } else {
        add = true;
        for (const Parameter& p : params_.list()) {
          if (p.number == x) {
            add = false;
            break;
          }
        }
      }
    } else {
      x = 0;
      for (const Parameter& p : params_.list()) {
        if (p.name == z) {
          x = p.number;
          break;
        }
      }
      if (x == 0) {
        x = ++n_var_;
        add = true;
      }
    }
    if (add) params_.push(arena(), Parameter{x, z});
  }
  v->number = x;
  if (x > limit) {
    error("too many SQL variables", static_cast<int>(v->span.begin));
  }
  return v;
}

}  // namespace keel::parse::internal
