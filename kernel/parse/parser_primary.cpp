// Primary expressions (literals, names, calls, CAST, CASE, subqueries,
// RAISE), window definitions, sort lists and type names.
#include "parse/parser_internal.h"

namespace keel::parse::internal {

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
  int stack_before = stack_;
  do {
    // Terms after the first sit on `sortlist COMMA`.
    if (out->size == 1) stack_ += 2;
    OrderingTerm t{};
    t.span.begin = cur().offset;
    t.expr = parse_expr();
    if (failed()) {
      stack_ = stack_before;
      return false;
    }
    if (accept(Tk::kAsc)) {
      t.order = SortOrder::kAsc;
    } else if (accept(Tk::kDesc)) {
      t.order = SortOrder::kDesc;
    }
    if (accept(Tk::kNulls)) {
      if (accept(Tk::kFirst)) {
        t.nulls = NullsOrder::kFirst;
      } else if (!expect(Tk::kLast)) {
        {
          stack_ = stack_before;
          return false;
        }
      } else {
        t.nulls = NullsOrder::kLast;
      }
    }
    t.span.end = prev_end();
    out->push(arena(), t);
  } while (accept(Tk::kComma));
  stack_ = stack_before;
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
    Hold h(this, 2);
    if (!expect(Tk::kBy)) return nullptr;
    Vec<Expr*> parts;
    if (!parse_exprlist(&parts)) return nullptr;
    w->partition_by = parts.list();
  }
  if (accept(Tk::kOrder)) {
    Hold h(this, 2);
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
      Hold h2(this, 4);  // exprlist RP OVER LP
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
        Hold h2(this, 2);  // nexprlist COMMA
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
      c->type.text = dequote_type(arena(), type.text);
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
        Hold h2(this, whens.size == 0 ? 1 : 2);
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
        Hold h2(this, 2);  // case_exprlist ELSE
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
