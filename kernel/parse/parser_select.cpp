// SELECT: WITH, compound cores, result columns, FROM, and the checks SQLite's
// parser makes on a finished select.
#include "parse/parser_internal.h"

namespace keel::parse::internal {
namespace {

const char* compound_name(CompoundOp op) {
  switch (op) {
    case CompoundOp::kUnionAll:
      return "UNION ALL";
    case CompoundOp::kIntersect:
      return "INTERSECT";
    case CompoundOp::kExcept:
      return "EXCEPT";
    default:
      return "UNION";
  }
}

}  // namespace

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// sqlite3SrcListEnlarge: a FROM list holds at most 200 terms.
void ParserImpl::push_from_item(Vec<FromItem*>* out, FromItem* item) {
  if (out->size >= 200) error("too many FROM clause terms, max: 200", static_cast<int>(item->span.begin));
  out->push(arena(), item);
}

// sqlite3WindowChain, as the WINDOW clause runs it for each definition after
// the first: a base window must be defined earlier in the clause and may not
// be overridden. SQLite compares and prints the names as written.
void ParserImpl::chain_window(List<NamedWindow*> earlier, NamedWindow* w) {
  const Name& base = w->spec->base;
  if (!base.present()) return;
  std::string_view base_text = text(base.span);
  const WindowSpec* exist = nullptr;
  for (const NamedWindow* e : earlier) {
    if (iequal(text(e->name.span), base_text)) {
      exist = e->spec;
      break;
    }
  }
  if (exist == nullptr) {
    error("no such window: " + std::string(base_text), static_cast<int>(base.span.begin));
    return;
  }
  const char* what = nullptr;
  if (!w->spec->partition_by.empty()) {
    what = "PARTITION clause";
  } else if (!exist->order_by.empty() && !w->spec->order_by.empty()) {
    what = "ORDER BY clause";
  } else if (exist->frame != nullptr) {
    what = "frame specification";
  }
  if (what) {
    error(std::string("cannot override ") + what + " of window: " + std::string(base_text),
          static_cast<int>(base.span.begin));
  }
}

WithClause* ParserImpl::parse_with() {
  auto* w = arena().make<WithClause>();
  w->span.begin = cur().offset;
  expect(Tk::kWith);
  Hold h(this, 1);
  if (accept(Tk::kRecursive)) w->recursive = true;
  Vec<CommonTableExpr*> ctes;
  do {
    auto* c = arena().make<CommonTableExpr>();
    c->span.begin = cur().offset;
    if (!parse_nm(&c->name)) return nullptr;
    if (at(Tk::kLp)) {
      Vec<Name> cols;
      if (!parse_eidlist(&cols)) return nullptr;
      c->columns = cols.list();
    }
    if (!expect(Tk::kAs)) return nullptr;
    if (accept(Tk::kMaterialized)) {
      c->materialized = Materialization::kMaterialized;
    } else if (accept(Tk::kNot)) {
      if (!expect(Tk::kMaterialized)) return nullptr;
      c->materialized = Materialization::kNotMaterialized;
    }
    if (!expect(Tk::kLp)) return nullptr;
    Hold h(this, 4);
    c->select = parse_select();
    if (failed() || !expect(Tk::kRp)) return nullptr;
    c->span.end = prev_end();
    // sqlite3WithAdd
    for (const CommonTableExpr* prior : ctes.list()) {
      if (iequal(prior->name.value, c->name.value)) {
        error("duplicate WITH table name: " + std::string(c->name.value), static_cast<int>(c->span.begin));
      }
    }
    ctes.push(arena(), c);
  } while (accept(Tk::kComma));
  w->ctes = ctes.list();
  w->span.end = prev_end();
  return w;
}

Select* ParserImpl::parse_select() {
  uint32_t begin = cur().offset;
  WithClause* with = nullptr;
  if (at(Tk::kWith)) {
    with = parse_with();
    if (failed()) return nullptr;
    Hold h(this, 2);  // WITH wqlist
    return parse_select_body(with, begin);
  }
  return parse_select_body(with, begin);
}

// ( nm [COLLATE ids] [ASC|DESC], ... ) — SQLite's eidlist.
bool ParserImpl::parse_eidlist(Vec<Name>* out) {
  if (!expect(Tk::kLp)) return false;
  do {
    Token t = cur();
    Name n;
    if (!parse_nm(&n)) return false;
    bool extra = false;
    if (accept(Tk::kCollate)) {
      if (!is_ids(kind())) {
        syntax_error();
        return false;
      }
      advance();
      extra = true;
    }
    if (accept(Tk::kAsc) || accept(Tk::kDesc)) extra = true;
    if (extra && !options().schema_mode) {
      error("syntax error after column name \"" + std::string(text(t)) + "\"", static_cast<int>(t.offset));
    }
    out->push(arena(), n);
  } while (accept(Tk::kComma));
  return expect(Tk::kRp);
}

bool ParserImpl::parse_idlist(Vec<Name>* out) {
  do {
    Name n;
    if (!parse_nm(&n)) return false;
    out->push(arena(), n);
  } while (accept(Tk::kComma));
  return true;
}

bool ParserImpl::parse_result_columns(Vec<ResultColumn>* out) {
  Hold h(this, 2);
  do {
    ResultColumn rc{};
    uint32_t begin = cur().offset;
    if (at(Tk::kStar)) {
      advance();
      rc.kind = ResultColumn::Kind::kStar;
      rc.span = Span{begin, prev_end()};
    } else if (is_nm(kind()) && kind() != Tk::kCast && kind() != Tk::kRaise && kind() != Tk::kCtimeKw &&
               peek(1).kind == Tk::kDot && peek(2).kind == Tk::kStar) {
      // (CAST, RAISE and CURRENT_* start expressions here, so they are no table name.)
      rc.kind = ResultColumn::Kind::kTableStar;
      rc.table = make_name(advance());
      advance();
      advance();
      rc.span = Span{begin, prev_end()};
    } else {
      rc.kind = ResultColumn::Kind::kExpr;
      rc.expr = parse_expr();
      if (failed()) return false;
      // SQLite's span runs to the start of the next token; trim white space.
      uint32_t end = cur().offset;
      while (end > begin) {
        char c = sql_text()[end - 1];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\f' && c != '\r') break;
        --end;
      }
      rc.span = Span{begin, end};
      if (accept(Tk::kAs)) {
        if (!parse_nm(&rc.alias)) return false;
      } else if (is_ids(kind())) {
        rc.alias = make_name(advance());
      }
    }
    out->push(arena(), rc);
  } while (accept(Tk::kComma));
  return true;
}

// One FROM term and the joins after it, appended to `out`.
bool ParserImpl::parse_from_list(Vec<FromItem*>* out) {
  Hold h(this, 1);
  uint8_t join = 0;
  bool comma = false;
  for (;;) {
    if (!check_stack(1)) return false;
    auto* item = arena().make<FromItem>();
    item->span.begin = cur().offset;
    item->join = join;
    item->comma = comma;
    bool splice = false;
    Vec<FromItem*> inner;
    if (at(Tk::kLp)) {
      advance();
      Hold h2(this, 1);
      if (starts_select(kind())) {
        item->kind = FromItem::Kind::kSubquery;
        item->subquery = parse_select();
        if (failed() || !expect(Tk::kRp)) return false;
      } else {
        if (!parse_from_list(&inner)) return false;
        if (!expect(Tk::kRp)) return false;
        item->kind = FromItem::Kind::kJoinGroup;
        item->group = inner.list();
        splice = true;
      }
    } else if (is_nm(kind())) {
      if (!parse_qualified(&item->table)) return false;
      item->kind = FromItem::Kind::kTable;
      if (accept(Tk::kLp)) {
        item->kind = FromItem::Kind::kTableFunction;
        Vec<Expr*> args;
        if (!at(Tk::kRp) && !parse_exprlist(&args)) return false;
        if (!expect(Tk::kRp)) return false;
        item->func_args = args.list();
      }
    } else {
      syntax_error();
      return false;
    }
    // as
    if (accept(Tk::kAs)) {
      if (!parse_nm(&item->alias)) return false;
    } else if (is_ids(kind())) {
      item->alias = make_name(advance());
    }
    if (item->kind == FromItem::Kind::kTable) {
      if (at(Tk::kIndexed)) {
        advance();
        if (!expect(Tk::kBy) || !parse_nm(&item->index)) return false;
        item->hint = IndexHint::kIndexedBy;
      } else if (at(Tk::kNot)) {
        advance();
        if (!expect(Tk::kIndexed)) return false;
        item->hint = IndexHint::kNotIndexed;
      }
    }
    // on_using
    if (accept(Tk::kOn)) {
      Hold h2(this, 4);  // nm dbnm as ON
      item->on = parse_expr();
      if (failed()) return false;
    } else if (accept(Tk::kUsing)) {
      Vec<Name> cols;
      if (!expect(Tk::kLp) || !parse_idlist(&cols) || !expect(Tk::kRp)) return false;
      item->using_columns = cols.list();
      item->has_using = true;
    }
    item->span.end = prev_end();
    bool first = out->size == 0;
    bool constrained = item->on != nullptr || item->has_using;
    if (first && constrained) {
      error(std::string("a JOIN clause is required before ") + (item->on ? "ON" : "USING"),
            static_cast<int>(item->span.begin));
    }
    if (splice) {
      // parse.y: `stl_prefix LP seltablist RP as on_using`.
      if (first && !item->alias.present() && !constrained) {
        for (FromItem* f : inner.list()) push_from_item(out, f);
        goto next_join;
      }
      if (inner.size == 1) {
        FromItem* old = inner.data[0];
        FromItem* n = arena().make<FromItem>(*old);
        n->join = item->join;
        n->comma = item->comma;
        n->alias = item->alias;
        n->on = item->on;
        n->using_columns = item->using_columns;
        n->has_using = item->has_using;
        n->hint = IndexHint::kNone;
        n->index = Name{};
        n->span = item->span;
        item = n;
      }
    }
    push_from_item(out, item);
  next_join:
    // joinop
    if (accept(Tk::kComma)) {
      join = join::kInner;
      comma = true;
      continue;
    }
    comma = false;
    if (accept(Tk::kJoin)) {
      join = join::kInner;
      continue;
    }
    if (at(Tk::kJoinKw)) {
      Token words[3];
      int n = 0;
      words[n++] = advance();
      while (n < 3 && !at(Tk::kJoin) && is_nm(kind())) words[n++] = advance();
      if (!expect(Tk::kJoin)) return false;
      // sqlite3JoinType
      static const struct {
        const char* word;
        uint8_t code;
      } kWords[] = {
          {"natural", join::kNatural},
          {"left", join::kLeft | join::kOuter},
          {"outer", join::kOuter},
          {"right", join::kRight | join::kOuter},
          {"full", join::kLeft | join::kRight | join::kOuter},
          {"inner", join::kInner},
          {"cross", join::kInner | join::kCross},
      };
      int jt = 0;
      bool bad = false;
      for (int i = 0; i < n; ++i) {
        std::string_view w = text(words[i]);
        int j = 0;
        for (; j < 7; ++j) {
          std::string_view kw = kWords[j].word;
          if (w.size() != kw.size()) continue;
          bool eq = true;
          for (size_t c = 0; c < w.size(); ++c) {
            char ch = w[c];
            if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
            if (ch != kw[c]) {
              eq = false;
              break;
            }
          }
          if (eq) break;
        }
        if (j == 7) {
          bad = true;
          break;
        }
        jt |= kWords[j].code;
      }
      if (bad || (jt & (join::kInner | join::kOuter)) == (join::kInner | join::kOuter) ||
          (jt & (join::kOuter | join::kLeft | join::kRight)) == join::kOuter) {
        std::string msg = "unknown join type: " + std::string(text(words[0]));
        for (int i = 1; i < n; ++i) msg += " " + std::string(text(words[i]));
        error(msg, static_cast<int>(words[0].offset));
        jt = join::kInner;
      }
      join = static_cast<uint8_t>(jt);
      continue;
    }
    return true;
  }
}

Select* ParserImpl::parse_select_body(WithClause* with, uint32_t begin) {
  auto* sel = arena().make<Select>();
  sel->with = with;
  Vec<SelectCore*> cores;
  // ORDER BY / LIMIT seen on a core that is not the last one: index << 1 | has ORDER BY.
  Vec<uint32_t> misplaced;
  CompoundOp op = CompoundOp::kNone;
  for (;;) {
    if (!check_stack(1)) return nullptr;
    auto* core = arena().make<SelectCore>();
    core->span.begin = cur().offset;
    core->op = op;
    bool has_tail = false;
    bool has_order = false;
    // A core after a compound operator sits on `selectnowith multiselect_op`.
    Hold compound_hold(this, cores.size > 0 ? 2 : 0);
    if (accept(Tk::kValues)) {
      core->is_values = true;
      Vec<List<Expr*>> rows;
      do {
        Hold h(this, rows.size == 0 ? 2 : 3);  // VALUES LP, then values COMMA LP
        if (!expect(Tk::kLp)) return nullptr;
        Vec<Expr*> row;
        if (!parse_exprlist(&row) || !expect(Tk::kRp)) return nullptr;
        if (rows.size > 0 && row.size != rows.data[0].size) error("all VALUES must have the same number of terms");
        rows.push(arena(), row.list());
      } while (accept(Tk::kComma));
      core->rows = rows.list();
    } else if (accept(Tk::kSelect)) {
      Hold h(this, 2);
      if (accept(Tk::kDistinct)) {
        core->distinct = Distinctness::kDistinct;
      } else if (accept(Tk::kAll)) {
        core->distinct = Distinctness::kAll;
      }
      Vec<ResultColumn> cols;
      if (!parse_result_columns(&cols)) return nullptr;
      core->columns = cols.list();
      Hold h2(this, 2);
      if (accept(Tk::kFrom)) {
        Vec<FromItem*> from;
        if (!parse_from_list(&from)) return nullptr;
        core->from = from.list();
      }
      if (accept(Tk::kWhere)) {
        Hold h3(this, 1);
        core->where = parse_expr();
        if (failed()) return nullptr;
      }
      if (accept(Tk::kGroup)) {
        Hold h3(this, 3);  // where_opt GROUP BY
        if (!expect(Tk::kBy)) return nullptr;
        Vec<Expr*> g;
        if (!parse_exprlist(&g)) return nullptr;
        core->group_by = g.list();
      }
      if (accept(Tk::kHaving)) {
        Hold h3(this, 3);  // where_opt groupby_opt HAVING
        core->having = parse_expr();
        if (failed()) return nullptr;
      }
      if (accept(Tk::kWindow)) {
        Vec<NamedWindow*> wins;
        do {
          auto* nw = arena().make<NamedWindow>();
          nw->span.begin = cur().offset;
          if (!parse_nm(&nw->name) || !expect(Tk::kAs) || !expect(Tk::kLp)) return nullptr;
          nw->spec = parse_window_body(cur().offset);
          if (failed() || !expect(Tk::kRp)) return nullptr;
          nw->span.end = prev_end();
          if (wins.size > 0) chain_window(wins.list(), nw);
          wins.push(arena(), nw);
        } while (accept(Tk::kComma));
        core->windows = wins.list();
      }
      core->span.end = prev_end();
      // orderby_opt limit_opt belong to this core in the grammar.
      Hold h3(this, 5);  // from where_opt groupby_opt having_opt ORDER BY|LIMIT
      if (accept(Tk::kOrder)) {
        if (!expect(Tk::kBy)) return nullptr;
        Vec<OrderingTerm> order;
        if (!parse_sortlist(&order)) return nullptr;
        sel->order_by = order.list();
        has_tail = has_order = true;
      } else {
        sel->order_by = {};
      }
      sel->limit = sel->offset = nullptr;
      if (accept(Tk::kLimit)) {
        Expr* a = parse_expr();
        if (failed()) return nullptr;
        Hold h4(this, 2);  // expr OFFSET|COMMA
        if (accept(Tk::kOffset)) {
          sel->offset = parse_expr();
        } else if (accept(Tk::kComma)) {
          sel->offset = a;
          a = parse_expr();
        }
        if (failed()) return nullptr;
        sel->limit = a;
        has_tail = true;
      }
    } else {
      syntax_error();
      return nullptr;
    }
    if (core->span.end < core->span.begin || core->is_values) core->span.end = prev_end();
    cores.push(arena(), core);
    if (at(Tk::kUnion)) {
      advance();
      op = accept(Tk::kAll) ? CompoundOp::kUnionAll : CompoundOp::kUnion;
    } else if (at(Tk::kIntersect)) {
      advance();
      op = CompoundOp::kIntersect;
    } else if (at(Tk::kExcept)) {
      advance();
      op = CompoundOp::kExcept;
    } else {
      if (core->is_values) {
        sel->order_by = {};
        sel->limit = sel->offset = nullptr;
      }
      break;
    }
    if (has_tail) misplaced.push(arena(), ((cores.size - 1) << 1) | (has_order ? 1u : 0u));
  }
  sel->cores = cores.list();
  sel->span = Span{begin, prev_end()};
  // parserDoubleLinkSelect: walking back from the last core, the first core
  // carrying ORDER BY or LIMIT is an error naming the operator after it.
  if (misplaced.size > 0) {
    uint32_t m = misplaced.data[misplaced.size - 1];
    uint32_t i = m >> 1;
    error(std::string((m & 1) ? "ORDER BY" : "LIMIT") + " clause should come after " +
              compound_name(sel->cores[i + 1]->op) + " not before",
          static_cast<int>(sel->span.begin));
    return sel;
  }
  uint32_t terms = 0;
  for (const SelectCore* c : sel->cores) terms += c->is_values ? c->rows.size : 1;
  if (!sel->cores.back()->is_values && options().max_compound_select > 0 && sel->cores.size > 1 &&
      terms > static_cast<uint32_t>(options().max_compound_select)) {
    error("too many terms in compound SELECT", static_cast<int>(sel->span.begin));
  }
  return sel;
}

}  // namespace keel::parse::internal
