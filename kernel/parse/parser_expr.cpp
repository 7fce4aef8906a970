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
  do {
    Expr* e = parse_expr();
    if (failed()) return false;
    out->push(arena(), e);
  } while (accept(Tk::kComma));
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
            if (failed() || !expect(Tk::kRp)) return nullptr;
            in->span.end = prev_end();
            if (!set_height(in, std::max(height_of(left), height_of(in->select)))) return nullptr;
          } else {
            in->rhs = InExpr::Rhs::kList;
            Vec<Expr*> items;
            if (!at(Tk::kRp) && !parse_exprlist(&items)) return nullptr;
            if (!expect(Tk::kRp)) return nullptr;
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

// typetoken: ids... [ ( signed [, signed] ) ]
TypeName ParserImpl::parse_typetoken(bool allow_empty) {
  TypeName t;
  if (!is_ids(kind())) {
    if (!allow_empty) syntax_error();
    return t;
  }
  uint32_t begin = cur().offset;
  while (is_ids(kind())) advance();
  if (accept(Tk::kLp)) {
    Span s;
    if (!parse_signed_number(&s)) return t;
    if (accept(Tk::kComma) && !parse_signed_number(&s)) return t;
    if (!expect(Tk::kRp)) return t;
  }
  t.span = Span{begin, prev_end()};
  t.text = text(t.span);
  return t;
}

// signed: [+|-] INTEGER|FLOAT
bool ParserImpl::parse_signed_number(Span* out) {
  uint32_t begin = cur().offset;
  if (at(Tk::kPlus) || at(Tk::kMinus)) advance();
  if (!at(Tk::kInteger) && !at(Tk::kFloat)) {
    syntax_error();
    return false;
  }
  advance();
  *out = Span{begin, prev_end()};
  return true;
}

bool ParserImpl::parse_sortlist(Vec<OrderingTerm>* out) {
  do {
    OrderingTerm t{};
    t.span.begin = cur().offset;
    t.expr = parse_expr();
    if (failed()) return false;
    if (accept(Tk::kAsc)) {
      t.order = SortOrder::kAsc;
    } else if (accept(Tk::kDesc)) {
      t.order = SortOrder::kDesc;
    }
    if (accept(Tk::kNulls)) {
      if (accept(Tk::kFirst)) {
        t.nulls = NullsOrder::kFirst;
      } else if (!expect(Tk::kLast)) {
        return false;
      } else {
        t.nulls = NullsOrder::kLast;
      }
    }
    t.span.end = prev_end();
    out->push(arena(), t);
  } while (accept(Tk::kComma));
  return true;
}

// window: [base] [PARTITION BY ...] [ORDER BY ...] [frame]; cur() is after '('.
WindowSpec* ParserImpl::parse_window_body(uint32_t begin) {
  auto* w = arena().make<WindowSpec>();
  w->span.begin = begin;
  Tk k = kind();
  if (k != Tk::kPartition && k != Tk::kOrder && k != Tk::kRange && k != Tk::kRows && k != Tk::kGroups &&
      k != Tk::kRp && is_nm(k)) {
    w->base = make_name(advance());
  }
  if (accept(Tk::kPartition)) {
    if (!expect(Tk::kBy)) return nullptr;
    Vec<Expr*> parts;
    if (!parse_exprlist(&parts)) return nullptr;
    w->partition_by = parts.list();
  }
  if (accept(Tk::kOrder)) {
    if (!expect(Tk::kBy)) return nullptr;
    Vec<OrderingTerm> order;
    if (!parse_sortlist(&order)) return nullptr;
    w->order_by = order.list();
  }
  if (at(Tk::kRange) || at(Tk::kRows) || at(Tk::kGroups)) {
    auto* f = arena().make<WindowFrame>();
    f->span.begin = cur().offset;
    Tk u = advance().kind;
    f->unit = u == Tk::kRows ? FrameUnit::kRows : u == Tk::kRange ? FrameUnit::kRange : FrameUnit::kGroups;
    auto bound = [&](FrameBound* b, bool is_start) -> bool {
      if (accept(Tk::kUnbounded)) {
        if (is_start) {
          if (!expect(Tk::kPreceding)) return false;
          b->kind = FrameBoundKind::kUnboundedPreceding;
        } else {
          if (!expect(Tk::kFollowing)) return false;
          b->kind = FrameBoundKind::kUnboundedFollowing;
        }
        return true;
      }
      if (accept(Tk::kCurrent)) {
        if (!expect(Tk::kRow)) return false;
        b->kind = FrameBoundKind::kCurrentRow;
        return true;
      }
      b->offset = parse_expr();
      if (failed()) return false;
      if (accept(Tk::kPreceding)) {
        b->kind = FrameBoundKind::kPreceding;
      } else if (accept(Tk::kFollowing)) {
        b->kind = FrameBoundKind::kFollowing;
      } else {
        syntax_error();
        return false;
      }
      return true;
    };
    if (accept(Tk::kBetween)) {
      f->between = true;
      if (!bound(&f->start, true)) return nullptr;
      if (!expect(Tk::kAnd)) return nullptr;
      if (!bound(&f->end, false)) return nullptr;
    } else {
      if (!bound(&f->start, true)) return nullptr;
      f->end.kind = FrameBoundKind::kCurrentRow;
    }
    if (accept(Tk::kExclude)) {
      if (accept(Tk::kNo)) {
        if (!expect(Tk::kOthers)) return nullptr;
        f->exclude = FrameExclude::kNoOthers;
      } else if (accept(Tk::kCurrent)) {
        if (!expect(Tk::kRow)) return nullptr;
        f->exclude = FrameExclude::kCurrentRow;
      } else if (accept(Tk::kGroup)) {
        f->exclude = FrameExclude::kGroup;
      } else if (accept(Tk::kTies)) {
        f->exclude = FrameExclude::kTies;
      } else {
        syntax_error();
        return nullptr;
      }
    }
    f->span.end = prev_end();
    // sqlite3WindowAlloc
    FrameBoundKind s = f->start.kind, e = f->end.kind;
    if ((s == FrameBoundKind::kCurrentRow && e == FrameBoundKind::kPreceding) ||
        (s == FrameBoundKind::kFollowing &&
         (e == FrameBoundKind::kPreceding || e == FrameBoundKind::kCurrentRow))) {
      error("unsupported frame specification", static_cast<int>(f->span.begin));
    }
    w->frame = f;
  }
  w->span.end = prev_end();
  return w;
}

// name ( [DISTINCT|ALL] args | * ) [FILTER (WHERE e)] [OVER ...]; cur() is '('.
Expr* ParserImpl::parse_function_tail(const Token& name_tok, uint32_t begin) {
  Hold h(this, 3);
  if (!check_stack(1)) return nullptr;
  expect(Tk::kLp);
  auto* f = arena().make<FunctionExpr>();
  f->kind = ExprKind::kFunction;
  f->name = make_name(name_tok);
  if (accept(Tk::kStar)) {
    f->star = true;
  } else {
    if (accept(Tk::kDistinct)) {
      f->distinct = Distinctness::kDistinct;
    } else if (accept(Tk::kAll)) {
      f->distinct = Distinctness::kAll;
    }
    Vec<Expr*> args;
    if (!at(Tk::kRp) && !parse_exprlist(&args)) return nullptr;
    f->args = args.list();
  }
  if (!expect(Tk::kRp)) return nullptr;
  bool filter_only = false;
  if (at(Tk::kFilter)) {
    advance();
    if (!expect(Tk::kLp) || !expect(Tk::kWhere)) return nullptr;
    f->filter = parse_expr();
    if (failed() || !expect(Tk::kRp)) return nullptr;
    filter_only = true;
  }
  if (at(Tk::kOver)) {
    advance();
    filter_only = false;
    if (accept(Tk::kLp)) {
      f->over = parse_window_body(cur().offset);
      if (failed() || !expect(Tk::kRp)) return nullptr;
    } else if (!parse_nm(&f->over_name)) {
      return nullptr;
    }
  }
  f->span = Span{begin, prev_end()};
  if (f->args.size > static_cast<uint32_t>(options().max_function_arg)) {
    error("too many arguments on function " + std::string(text(name_tok)), static_cast<int>(begin));
  }
  set_height(f, height_of(f->args));
  if ((f->over != nullptr || f->over_name.present()) && !filter_only &&
      f->distinct == Distinctness::kDistinct) {
    error("DISTINCT is not supported for window functions", static_cast<int>(begin));
  }
  return f;
}

Expr* ParserImpl::parse_term() {
  uint32_t begin = cur().offset;
  Tk k = kind();
  Token t = advance();
  if (k == Tk::kCtimeKw) {
    auto* f = new_expr<FunctionExpr>(begin);
    f->name = make_name(t);
    f->ctime_keyword = true;
    return f;
  }
  auto* l = new_expr<LiteralExpr>(begin);
  switch (k) {
    case Tk::kInteger:
      l->literal = LiteralKind::kInteger;
      break;
    case Tk::kFloat:
      l->literal = LiteralKind::kFloat;
      break;
    case Tk::kBlob:
      l->literal = LiteralKind::kBlob;
      break;
    case Tk::kString:
      l->literal = LiteralKind::kString;
      break;
    default:
      l->literal = LiteralKind::kNull;
      break;
  }
  l->text = text(t);
  if (k == Tk::kBlob) l->text = l->text.substr(2, l->text.size() - 3);
  if (k == Tk::kString) l->text = dequote(l->text);
  return l;
}

Expr* ParserImpl::parse_primary() {
  if (!check_stack(1)) return nullptr;
  uint32_t begin = cur().offset;
  Tk k = kind();
  switch (k) {
    case Tk::kLp: {
      advance();
      Hold h(this, 1);
      if (starts_select(kind())) {
        Select* s = parse_select();
        if (failed() || !check_stack(2) || !expect(Tk::kRp)) return nullptr;
        auto* e = new_expr<SubqueryExpr>(begin);
        e->select = s;
        if (!set_height(e, height_of(s))) return nullptr;
        return e;
      }
      Expr* first = parse_expr();
      if (failed()) return nullptr;
      if (at(Tk::kComma)) {
        Vec<Expr*> items;
        items.push(arena(), first);
        while (accept(Tk::kComma)) {
          Expr* e = parse_expr();
          if (failed()) return nullptr;
          items.push(arena(), e);
        }
        if (!expect(Tk::kRp)) return nullptr;
        auto* v = new_expr<VectorExpr>(begin);
        v->items = items.list();
        v->height = 1;  // SQLite sets no height on a TK_VECTOR
        return v;
      }
      if (!check_stack(2) || !expect(Tk::kRp)) return nullptr;
      return first;
    }
    case Tk::kInteger:
    case Tk::kFloat:
    case Tk::kBlob:
    case Tk::kNull: {
      Token t = advance();
      auto* l = new_expr<LiteralExpr>(begin);
      l->literal = k == Tk::kInteger ? LiteralKind::kInteger
                   : k == Tk::kFloat ? LiteralKind::kFloat
                   : k == Tk::kBlob  ? LiteralKind::kBlob
                                     : LiteralKind::kNull;
      l->text = text(t);
      if (k == Tk::kBlob) l->text = l->text.substr(2, l->text.size() - 3);
      return l;
    }
    case Tk::kString:
      if (peek(1).kind != Tk::kDot) {
        Token t = advance();
        auto* l = new_expr<LiteralExpr>(begin);
        l->literal = LiteralKind::kString;
        l->text = dequote(text(t));
        return l;
      }
      break;
    case Tk::kVariable:
      return parse_variable();
    case Tk::kCtimeKw: {
      Token t = advance();
      auto* f = new_expr<FunctionExpr>(begin);
      f->name = make_name(t);
      f->ctime_keyword = true;
      return f;
    }
    case Tk::kCast: {
      advance();
      Hold h(this, 2);
      if (!expect(Tk::kLp)) return nullptr;
      Expr* operand = parse_expr();
      if (failed() || !expect(Tk::kAs)) return nullptr;
      TypeName type = parse_typetoken(true);
      if (failed() || !expect(Tk::kRp)) return nullptr;
      auto* c = new_expr<CastExpr>(begin);
      c->operand = operand;
      c->type = type;
      c->type.text = dequote(type.text);
      set_height(c, height_of(operand), false);
      return c;
    }
    case Tk::kCase: {
      advance();
      Hold h(this, 2);
      auto* c = arena().make<CaseExpr>();
      c->kind = ExprKind::kCase;
      if (!at(Tk::kWhen)) {
        c->operand = parse_expr();
        if (failed()) return nullptr;
      }
      Vec<WhenThen> whens;
      int hh = height_of(c->operand);
      if (!at(Tk::kWhen)) {
        syntax_error();
        return nullptr;
      }
      while (accept(Tk::kWhen)) {
        Hold h2(this, 1);
        WhenThen wt{};
        wt.when = parse_expr();
        if (failed() || !expect(Tk::kThen)) return nullptr;
        Hold h3(this, 2);
        wt.then = parse_expr();
        if (failed()) return nullptr;
        whens.push(arena(), wt);
        hh = std::max({hh, height_of(wt.when), height_of(wt.then)});
      }
      if (accept(Tk::kElse)) {
        c->else_expr = parse_expr();
        if (failed()) return nullptr;
        hh = std::max(hh, height_of(c->else_expr));
      }
      if (!check_stack(1) || !expect(Tk::kEnd)) return nullptr;
      c->whens = whens.list();
      c->span = Span{begin, prev_end()};
      if (!set_height(c, hh)) return nullptr;
      return c;
    }
    case Tk::kExists: {
      advance();
      Hold h(this, 2);
      if (!expect(Tk::kLp)) return nullptr;
      Select* s = parse_select();
      if (failed() || !expect(Tk::kRp)) return nullptr;
      auto* e = new_expr<ExistsExpr>(begin);
      e->select = s;
      if (!set_height(e, height_of(s))) return nullptr;
      return e;
    }
    case Tk::kRaise: {
      advance();
      Hold h(this, 2);
      if (!expect(Tk::kLp)) return nullptr;
      auto* r = arena().make<RaiseExpr>();
      r->kind = ExprKind::kRaise;
      if (accept(Tk::kIgnore)) {
        r->action = RaiseAction::kIgnore;
      } else {
        if (accept(Tk::kRollback)) {
          r->action = RaiseAction::kRollback;
        } else if (accept(Tk::kAbort)) {
          r->action = RaiseAction::kAbort;
        } else if (accept(Tk::kFail)) {
          r->action = RaiseAction::kFail;
        } else {
          syntax_error();
          return nullptr;
        }
        if (!expect(Tk::kComma)) return nullptr;
        // SQLite 3.40: RAISE(type, nm) — the message is a name or a string.
        if (!is_nm(kind())) {
          syntax_error();
          return nullptr;
        }
        uint32_t mb = cur().offset;
        Token m = advance();
        auto* msg = new_expr<LiteralExpr>(mb);
        msg->literal = LiteralKind::kString;
        msg->text = dequote(text(m));
        r->message = msg;
      }
      if (!expect(Tk::kRp)) return nullptr;
      r->span = Span{begin, prev_end()};
      if (!set_height(r, height_of(r->message))) return nullptr;
      return r;
    }
    default:
      break;
  }
  if (k == Tk::kString || is_idj(k)) {
    Token t = advance();
    // Function names are `id` tokens: a join keyword (LEFT, ...) is only a column name.
    if (k != Tk::kString && k != Tk::kJoinKw && at(Tk::kLp)) return parse_function_tail(t, begin);
    auto* c = arena().make<ColumnRefExpr>();
    c->kind = ExprKind::kColumnRef;
    c->height = 1;
    if (at(Tk::kDot)) {
      advance();
      Name second;
      if (!parse_nm(&second)) return nullptr;
      c->height = 2;
      if (accept(Tk::kDot)) {
        c->schema = make_name(t);
        c->table = second;
        if (!parse_nm(&c->column)) return nullptr;
        c->height = 3;
      } else {
        c->table = make_name(t);
        c->column = second;
      }
    } else {
      c->column = make_name(t);
    }
    c->span = Span{begin, prev_end()};
    return c;
  }
  syntax_error();
  return nullptr;
}

}  // namespace keel::parse::internal
