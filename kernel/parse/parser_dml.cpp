// INSERT / REPLACE, UPDATE, DELETE (top level and inside trigger bodies).
#include "parse/parser_internal.h"

namespace keel::parse::internal {

ConflictAction ParserImpl::parse_resolvetype() {
  switch (kind()) {
    case Tk::kRollback:
      advance();
      return ConflictAction::kRollback;
    case Tk::kAbort:
      advance();
      return ConflictAction::kAbort;
    case Tk::kFail:
      advance();
      return ConflictAction::kFail;
    case Tk::kIgnore:
      advance();
      return ConflictAction::kIgnore;
    case Tk::kReplace:
      advance();
      return ConflictAction::kReplace;
    default:
      syntax_error();
      return ConflictAction::kDefault;
  }
}

ConflictAction ParserImpl::parse_orconf() {
  if (!accept(Tk::kOr)) return ConflictAction::kDefault;
  return parse_resolvetype();
}

bool ParserImpl::parse_returning(List<ResultColumn>* out) {
  Vec<ResultColumn> cols;
  if (!parse_result_columns(&cols)) return false;
  if (in_trigger_) {
    // sqlite3AddReturning
    error("cannot use RETURNING in a trigger");
  }
  *out = cols.list();
  return true;
}

bool ParserImpl::parse_setlist(Vec<SetClause>* out) {
  do {
    SetClause sc{};
    sc.span.begin = cur().offset;
    Vec<Name> cols;
    if (accept(Tk::kLp)) {
      sc.parenthesized = true;
      if (!parse_idlist(&cols) || !expect(Tk::kRp)) return false;
    } else {
      Name n;
      if (!parse_nm(&n)) return false;
      cols.push(arena(), n);
    }
    if (!expect(Tk::kEq)) return false;
    Hold h(this, sc.parenthesized ? 4 : 2);  // nm EQ, or LP idlist RP EQ
    sc.value = parse_expr();
    if (failed()) return false;
    sc.columns = cols.list();
    sc.span.end = prev_end();
    if (sc.parenthesized && sc.value->kind != ExprKind::kSubquery) {
      // sqlite3ExprListAppendVector
      uint32_t n = sc.value->kind == ExprKind::kVector ? sc.value->as<VectorExpr>()->items.size : 1;
      if (n != sc.columns.size) {
        error(std::to_string(sc.columns.size) + " columns assigned " + std::to_string(n) + " values",
              static_cast<int>(sc.span.begin));
      }
    }
    out->push(arena(), sc);
  } while (accept(Tk::kComma));
  return true;
}

namespace {

// Trigger steps name their table without a schema (parse.y's trnm).
bool parse_step_table(ParserImpl* p, QualifiedName* out) {
  Name first;
  if (!p->parse_nm(&first)) return false;
  if (p->accept(Tk::kDot)) {
    Name second;
    if (!p->parse_nm(&second)) return false;
    p->error(
        "qualified table names are not allowed on INSERT, UPDATE, and DELETE statements within triggers");
    first = second;
  }
  out->name = first;
  return true;
}

}  // namespace

Stmt* ParserImpl::parse_insert(WithClause* with, uint32_t begin, bool in_trigger) {
  Hold h(this, 5);  // with insert_cmd INTO xfullname idlist_opt
  auto* st = arena().make<InsertStmt>();
  st->kind = StmtKind::kInsert;
  st->with = with;
  if (accept(Tk::kReplace)) {
    st->replace_keyword = true;
    st->or_conflict = ConflictAction::kReplace;
  } else {
    expect(Tk::kInsert);
    st->or_conflict = parse_orconf();
    if (failed()) return nullptr;
  }
  if (!expect(Tk::kInto)) return nullptr;
  if (in_trigger) {
    if (!parse_step_table(this, &st->table)) return nullptr;
  } else {
    if (!parse_qualified(&st->table)) return nullptr;
    if (accept(Tk::kAs) && !parse_nm(&st->alias)) return nullptr;
  }
  if (accept(Tk::kLp)) {
    Vec<Name> cols;
    if (!parse_idlist(&cols) || !expect(Tk::kRp)) return nullptr;
    st->columns = cols.list();
  }
  if (accept(Tk::kDefault)) {
    if (!expect(Tk::kValues)) return nullptr;
    st->default_values = true;
    if (accept(Tk::kReturning) && !parse_returning(&st->returning)) return nullptr;
    st->span = Span{begin, prev_end()};
    return st;
  }
  if (!starts_select(kind())) {
    syntax_error();
    return nullptr;
  }
  st->select = parse_select();
  if (failed()) return nullptr;
  // upsert: a chain of ON CONFLICT clauses; only the last may omit the target.
  Vec<Upsert*> ups;
  while (at(Tk::kOn)) {
    auto* u = arena().make<Upsert>();
    u->span.begin = cur().offset;
    advance();
    if (!expect(Tk::kConflict)) return nullptr;
    bool has_target = false;
    if (accept(Tk::kLp)) {
      has_target = true;
      Vec<OrderingTerm> target;
      if (!parse_sortlist(&target) || !expect(Tk::kRp)) return nullptr;
      u->target = target.list();
      if (accept(Tk::kWhere)) {
        u->target_where = parse_expr();
        if (failed()) return nullptr;
      }
    }
    if (!expect(Tk::kDo)) return nullptr;
    if (accept(Tk::kUpdate)) {
      if (!expect(Tk::kSet)) return nullptr;
      u->do_update = true;
      Vec<SetClause> set;
      if (!parse_setlist(&set)) return nullptr;
      u->set = set.list();
      if (accept(Tk::kWhere)) {
        u->where = parse_expr();
        if (failed()) return nullptr;
      }
    } else if (!expect(Tk::kNothing)) {
      return nullptr;
    }
    u->span.end = prev_end();
    ups.push(arena(), u);
    if (!has_target) break;
  }
  st->upserts = ups.list();
  if (accept(Tk::kReturning) && !parse_returning(&st->returning)) return nullptr;
  st->span = Span{begin, prev_end()};
  return st;
}

namespace {

// ORDER BY / LIMIT of UPDATE and DELETE (SQLITE_ENABLE_UPDATE_DELETE_LIMIT).
bool parse_order_limit(ParserImpl* p, List<OrderingTerm>* order, Expr** limit, Expr** offset) {
  if (!p->options().update_delete_limit) return true;  // the tokens then end the statement: syntax error
  if (p->accept(Tk::kOrder)) {
    if (!p->expect(Tk::kBy)) return false;
    Vec<OrderingTerm> o;
    if (!p->parse_sortlist(&o)) return false;
    *order = o.list();
  }
  if (p->accept(Tk::kLimit)) {
    Expr* a = p->parse_expr();
    if (p->failed()) return false;
    if (p->accept(Tk::kOffset)) {
      *offset = p->parse_expr();
    } else if (p->accept(Tk::kComma)) {
      *offset = a;
      a = p->parse_expr();
    }
    if (p->failed()) return false;
    *limit = a;
  }
  return true;
}

// indexed_opt, or tridxby inside a trigger (where it is an error).
bool parse_index_hint(ParserImpl* p, bool in_trigger, IndexHint* hint, Name* index) {
  if (p->at(Tk::kIndexed)) {
    p->advance();
    if (!p->expect(Tk::kBy) || !p->parse_nm(index)) return false;
    if (in_trigger) {
      p->error("the INDEXED BY clause is not allowed on UPDATE or DELETE statements within triggers");
    }
    *hint = IndexHint::kIndexedBy;
  } else if (p->at(Tk::kNot)) {
    p->advance();
    if (!p->expect(Tk::kIndexed)) return false;
    if (in_trigger) {
      p->error("the NOT INDEXED clause is not allowed on UPDATE or DELETE statements within triggers");
    }
    *hint = IndexHint::kNotIndexed;
  }
  return true;
}

}  // namespace

Stmt* ParserImpl::parse_update(WithClause* with, uint32_t begin, bool in_trigger) {
  Hold h(this, 6);  // with UPDATE orconf xfullname indexed_opt SET
  auto* st = arena().make<UpdateStmt>();
  st->kind = StmtKind::kUpdate;
  st->with = with;
  expect(Tk::kUpdate);
  st->or_conflict = parse_orconf();
  if (failed()) return nullptr;
  if (in_trigger) {
    if (!parse_step_table(this, &st->table)) return nullptr;
  } else {
    if (!parse_qualified(&st->table)) return nullptr;
    if (accept(Tk::kAs) && !parse_nm(&st->alias)) return nullptr;
  }
  if (!parse_index_hint(this, in_trigger, &st->hint, &st->index)) return nullptr;
  if (!expect(Tk::kSet)) return nullptr;
  Vec<SetClause> set;
  if (!parse_setlist(&set)) return nullptr;
  st->set = set.list();
  if (accept(Tk::kFrom)) {
    Vec<FromItem*> from;
    if (!parse_from_list(&from)) return nullptr;
    st->from = from.list();
  }
  if (accept(Tk::kWhere)) {
    Hold h2(this, 3);  // setlist from WHERE
    st->where = parse_expr();
    if (failed()) return nullptr;
  }
  if (!in_trigger) {
    if (accept(Tk::kReturning) && !parse_returning(&st->returning)) return nullptr;
    if (!parse_order_limit(this, &st->order_by, &st->limit, &st->offset)) return nullptr;
  }
  uint32_t ncols = 0;
  for (const SetClause& sc : st->set) ncols += sc.columns.size;
  if (ncols > static_cast<uint32_t>(options().max_column)) {
    error("too many columns in set list");
  }
  st->span = Span{begin, prev_end()};
  return st;
}

Stmt* ParserImpl::parse_delete(WithClause* with, uint32_t begin, bool in_trigger) {
  Hold h(this, 4);
  auto* st = arena().make<DeleteStmt>();
  st->kind = StmtKind::kDelete;
  st->with = with;
  expect(Tk::kDelete);
  if (!expect(Tk::kFrom)) return nullptr;
  if (in_trigger) {
    if (!parse_step_table(this, &st->table)) return nullptr;
  } else {
    if (!parse_qualified(&st->table)) return nullptr;
    if (accept(Tk::kAs) && !parse_nm(&st->alias)) return nullptr;
  }
  if (!parse_index_hint(this, in_trigger, &st->hint, &st->index)) return nullptr;
  if (accept(Tk::kWhere)) {
    Hold h2(this, 2);  // indexed_opt WHERE
    st->where = parse_expr();
    if (failed()) return nullptr;
  }
  if (!in_trigger) {
    if (accept(Tk::kReturning) && !parse_returning(&st->returning)) return nullptr;
    if (!parse_order_limit(this, &st->order_by, &st->limit, &st->offset)) return nullptr;
  }
  st->span = Span{begin, prev_end()};
  return st;
}

}  // namespace keel::parse::internal
