// CREATE TABLE: column definitions, column and table constraints, foreign
// keys and table options.
#include "parse/parser_internal.h"

namespace keel::parse::internal {
namespace {

bool ieq(std::string_view a, const char* b) {
  size_t n = std::strlen(b);
  if (a.size() != n) return false;
  for (size_t i = 0; i < n; ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

}  // namespace

Stmt* ParserImpl::parse_create_table(uint32_t begin, bool temp) {
  auto* st = arena().make<CreateTableStmt>();
  st->kind = StmtKind::kCreateTable;
  st->temp = temp;
  expect(Tk::kTable);
  if (at(Tk::kIf)) {
    advance();
    if (!expect(Tk::kNot) || !expect(Tk::kExists)) return nullptr;
    st->if_not_exists = true;
  }
  if (!parse_qualified(&st->name)) return nullptr;
  if (accept(Tk::kAs)) {
    st->as_select = parse_select();
    if (failed()) return nullptr;
    st->span = Span{begin, prev_end()};
    return st;
  }
  if (!expect(Tk::kLp)) return nullptr;
  Hold h(this, 2);
  Vec<ColumnDef*> cols;
  Vec<TableConstraint*> cons;
  bool in_constraints = false;
  for (;;) {
    Tk k = kind();
    if (!in_constraints && (k == Tk::kConstraint || k == Tk::kPrimary || k == Tk::kUnique ||
                            k == Tk::kCheck || k == Tk::kForeign)) {
      if (cols.size == 0) {
        syntax_error();
        return nullptr;
      }
      in_constraints = true;
    }
    if (!in_constraints) {
      ColumnDef* c = parse_column_def();
      if (failed()) return nullptr;
      cols.push(arena(), c);
      if (accept(Tk::kComma)) continue;
      break;
    }
    // tcons; CONSTRAINT nm names the constraint after it.
    auto* tc = arena().make<TableConstraint>();
    tc->span.begin = cur().offset;
    if (accept(Tk::kConstraint)) {
      if (!parse_nm(&tc->name)) return nullptr;
      k = kind();
      if (k != Tk::kPrimary && k != Tk::kUnique && k != Tk::kCheck && k != Tk::kForeign) {
        tc->kind = TableConstraint::Kind::kName;
        tc->span.end = prev_end();
        cons.push(arena(), tc);
        if (accept(Tk::kComma)) {
          if (at(Tk::kRp)) {
            syntax_error();
            return nullptr;
          }
        } else if (at(Tk::kRp)) {
          break;
        }
        continue;
      }
    }
    if (accept(Tk::kPrimary)) {
      tc->kind = TableConstraint::Kind::kPrimaryKey;
      if (!expect(Tk::kKey) || !expect(Tk::kLp)) return nullptr;
      Vec<OrderingTerm> terms;
      if (!parse_sortlist(&terms)) return nullptr;
      tc->columns = terms.list();
      if (accept(Tk::kAutoincr)) tc->autoincrement = true;
      if (!expect(Tk::kRp)) return nullptr;
      if (accept(Tk::kOn)) {
        if (!expect(Tk::kConflict)) return nullptr;
        tc->on_conflict = parse_resolvetype();
      }
    } else if (accept(Tk::kUnique)) {
      tc->kind = TableConstraint::Kind::kUnique;
      if (!expect(Tk::kLp)) return nullptr;
      Vec<OrderingTerm> terms;
      if (!parse_sortlist(&terms) || !expect(Tk::kRp)) return nullptr;
      tc->columns = terms.list();
      if (accept(Tk::kOn)) {
        if (!expect(Tk::kConflict)) return nullptr;
        tc->on_conflict = parse_resolvetype();
      }
    } else if (accept(Tk::kCheck)) {
      tc->kind = TableConstraint::Kind::kCheck;
      if (!expect(Tk::kLp)) return nullptr;
      tc->check = parse_expr();
      if (failed() || !expect(Tk::kRp)) return nullptr;
      if (accept(Tk::kOn)) {
        if (!expect(Tk::kConflict)) return nullptr;
        tc->on_conflict = parse_resolvetype();
      }
    } else if (accept(Tk::kForeign)) {
      tc->kind = TableConstraint::Kind::kForeignKey;
      if (!expect(Tk::kKey)) return nullptr;
      Vec<Name> fc;
      if (!parse_eidlist(&fc)) return nullptr;
      tc->fk_columns = fc.list();
      uint32_t rb = cur().offset;
      if (!expect(Tk::kReferences)) return nullptr;
      tc->foreign_key = parse_references(rb);
      if (failed()) return nullptr;
      if ((at(Tk::kNot) && peek(1).kind == Tk::kDeferrable) || at(Tk::kDeferrable)) {
        if (!parse_defer_subclause(tc->foreign_key)) return nullptr;
        tc->foreign_key->span.end = prev_end();
      }
    } else {
      syntax_error();
      return nullptr;
    }
    if (failed()) return nullptr;
    tc->span.end = prev_end();
    cons.push(arena(), tc);
    // tconscomma is optional between table constraints, but not trailing.
    if (accept(Tk::kComma)) {
      if (at(Tk::kRp)) {
        syntax_error();
        return nullptr;
      }
    } else if (at(Tk::kRp)) {
      break;
    }
  }
  if (!expect(Tk::kRp)) return nullptr;
  st->columns = cols.list();
  st->constraints = cons.list();
  st->schema_text_end = prev_end();
  // table_option_set: options separated by commas; the grammar lets the
  // list start with a comma (an empty first option).
  bool any_option = false;
  bool need_option = false;
  for (;;) {
    if (at(Tk::kWithout) || is_nm(kind())) {
      any_option = true;
      bool without = accept(Tk::kWithout);
      Token t = cur();
      Name n;
      if (!parse_nm(&n)) return nullptr;
      if (without && t.length == 5 && ieq(text(t), "rowid")) {
        st->without_rowid = true;
      } else if (!without && t.length == 6 && ieq(text(t), "strict")) {
        st->strict = true;
      } else {
        error("unknown table option: " + std::string(text(t)), static_cast<int>(t.offset));
      }
    } else if (need_option) {
      syntax_error();
      return nullptr;
    }
    if (!accept(Tk::kComma)) break;
    any_option = true;
    need_option = true;
  }
  // With options, SQLite's schema text runs to the terminator (parse() fills it in).
  if (any_option) st->schema_text_end = UINT32_MAX;
  st->span = Span{begin, prev_end()};
  return st;
}

ColumnDef* ParserImpl::parse_column_def() {
  auto* c = arena().make<ColumnDef>();
  c->span.begin = cur().offset;
  if (!parse_nm(&c->name)) return nullptr;
  c->type = parse_typetoken(true);
  if (failed()) return nullptr;
  // sqlite3AddColumn: drop a trailing "ALWAYS" / "GENERATED ALWAYS" that the
  // type name absorbed, then dequote.
  std::string_view z = c->type.text;
  bool stripped = false;
  if (z.size() >= 16 && ieq(z.substr(z.size() - 6), "always")) {
    z.remove_suffix(6);
    while (!z.empty() && is_space(z.back())) z.remove_suffix(1);
    if (z.size() >= 9 && ieq(z.substr(z.size() - 9), "generated")) {
      z.remove_suffix(9);
      while (!z.empty() && is_space(z.back())) z.remove_suffix(1);
      stripped = true;
    }
  }
  c->type.text = dequote_type(arena(), z);
  Vec<ColumnConstraint*> cons;
  if (!parse_column_constraints(&cons)) return nullptr;
  if (stripped) {
    for (ColumnConstraint* cc : cons.list()) {
      if (cc->kind == ColumnConstraint::Kind::kGenerated) {
        cc->generated_always = true;
        break;
      }
    }
  }
  c->constraints = cons.list();
  c->span.end = prev_end();
  return c;
}

bool ParserImpl::parse_defer_subclause(ForeignKeyClause* fk) {
  fk->has_deferral = true;
  if (accept(Tk::kNot)) fk->not_deferrable = true;
  if (!expect(Tk::kDeferrable)) return false;
  if (accept(Tk::kInitially)) {
    if (accept(Tk::kDeferred)) {
      fk->initially = ForeignKeyClause::Initially::kDeferred;
    } else if (accept(Tk::kImmediate)) {
      fk->initially = ForeignKeyClause::Initially::kImmediate;
    } else {
      syntax_error();
      return false;
    }
  }
  return true;
}

// REFERENCES nm [eidlist] refargs; cur() is after REFERENCES.
ForeignKeyClause* ParserImpl::parse_references(uint32_t begin) {
  auto* fk = arena().make<ForeignKeyClause>();
  fk->span.begin = begin;
  if (!parse_nm(&fk->table)) return nullptr;
  if (at(Tk::kLp)) {
    Vec<Name> cols;
    if (!parse_eidlist(&cols)) return nullptr;
    fk->columns = cols.list();
  }
  Vec<Name> match;
  for (;;) {
    if (accept(Tk::kMatch)) {
      Name n;
      if (!parse_nm(&n)) return nullptr;
      match.push(arena(), n);
      continue;
    }
    if (!at(Tk::kOn)) break;
    advance();
    FkAction* target = nullptr;
    FkAction ignored;
    if (accept(Tk::kDelete)) {
      target = &fk->on_delete;
    } else if (accept(Tk::kUpdate)) {
      target = &fk->on_update;
    } else if (accept(Tk::kInsert)) {
      target = &ignored;
    } else {
      syntax_error();
      return nullptr;
    }
    if (accept(Tk::kSet)) {
      if (accept(Tk::kNull)) {
        *target = FkAction::kSetNull;
      } else if (accept(Tk::kDefault)) {
        *target = FkAction::kSetDefault;
      } else {
        syntax_error();
        return nullptr;
      }
    } else if (accept(Tk::kCascade)) {
      *target = FkAction::kCascade;
    } else if (accept(Tk::kRestrict)) {
      *target = FkAction::kRestrict;
    } else if (accept(Tk::kNo)) {
      if (!expect(Tk::kAction)) return nullptr;
      *target = FkAction::kNoAction;
    } else {
      syntax_error();
      return nullptr;
    }
  }
  fk->match = match.list();
  fk->span.end = prev_end();
  return fk;
}

bool ParserImpl::parse_column_constraints(Vec<ColumnConstraint*>* out) {
  // [ON CONFLICT resolvetype] after NULL, NOT NULL and UNIQUE.
  auto parse_onconf = [this](ColumnConstraint* cc) {
    if (!accept(Tk::kOn)) return true;
    if (!expect(Tk::kConflict)) return false;
    cc->on_conflict = parse_resolvetype();
    return !failed();
  };
  // A [NOT] DEFERRABLE clause standing alone (it applies to the last REFERENCES).
  auto parse_deferral = [this](ColumnConstraint* cc, uint32_t begin) {
    cc->kind = ColumnConstraint::Kind::kDeferral;
    cc->foreign_key = arena().make<ForeignKeyClause>();
    if (!parse_defer_subclause(cc->foreign_key)) return false;
    cc->foreign_key->span = Span{begin, prev_end()};
    return true;
  };
  Name pending;
  for (;;) {
    uint32_t begin = cur().offset;
    auto* cc = arena().make<ColumnConstraint>();
    switch (kind()) {
      case Tk::kConstraint: {
        advance();
        if (pending.present()) {
          auto* named = arena().make<ColumnConstraint>();
          named->kind = ColumnConstraint::Kind::kName;
          named->name = pending;
          named->span = pending.span;
          out->push(arena(), named);
        }
        if (!parse_nm(&pending)) return false;
        continue;
      }
      case Tk::kDefault: {
        advance();
        cc->kind = ColumnConstraint::Kind::kDefault;
        uint32_t tb = cur().offset;
        if (at(Tk::kLp)) {
          Token lp = advance();
          Hold h(this, 3);  // columnname carglist DEFAULT LP
          cc->expr = parse_expr();
          if (failed()) return false;
          Token rp = cur();
          if (!expect(Tk::kRp)) return false;
          uint32_t a = lp.end(), b = rp.offset;
          std::string_view s = sql_text();
          while (a < b && is_space(s[a])) ++a;
          while (b > a && is_space(s[b - 1])) --b;
          cc->default_text = Span{a, b};
        } else if (at(Tk::kPlus) || at(Tk::kMinus)) {
          bool neg = advance().kind == Tk::kMinus;
          Tk k = kind();
          if (k != Tk::kNull && k != Tk::kFloat && k != Tk::kBlob && k != Tk::kString && k != Tk::kInteger &&
              k != Tk::kCtimeKw) {
            syntax_error();
            return false;
          }
          uint32_t eb = cur().offset;
          Expr* term = parse_term();
          if (failed()) return false;
          if (neg) {
            auto* u = new_expr<UnaryExpr>(eb);
            u->op = UnaryOp::kNegate;
            u->operand = term;
            u->span = Span{tb, prev_end()};
            set_height(u, height_of(term));
            term = u;
          }
          cc->expr = term;
          cc->default_text = Span{tb, prev_end()};
        } else {
          Tk k = kind();
          if (k == Tk::kNull || k == Tk::kFloat || k == Tk::kBlob || k == Tk::kString || k == Tk::kInteger ||
              k == Tk::kCtimeKw) {
            cc->expr = parse_term();
            if (failed()) return false;
          } else if (is_idx(k)) {
            // DEFAULT id: a string, or TRUE/FALSE when written bare.
            Token t = advance();
            auto* l = new_expr<LiteralExpr>(tb);
            std::string_view raw = text(t);
            l->literal = LiteralKind::kString;
            l->text = dequote(raw);
            if (raw[0] != '"' && raw[0] != '`' && raw[0] != '[' && raw[0] != '\'') {
              if (ieq(raw, "true")) l->literal = LiteralKind::kTrue;
              if (ieq(raw, "false")) l->literal = LiteralKind::kFalse;
            }
            cc->expr = l;
          } else {
            syntax_error();
            return false;
          }
          cc->default_text = Span{tb, prev_end()};
        }
        break;
      }
      case Tk::kNull:
        advance();
        cc->kind = ColumnConstraint::Kind::kNull;
        if (!parse_onconf(cc)) return false;
        break;
      case Tk::kNot:
        if (peek(1).kind == Tk::kDeferrable) {
          if (!parse_deferral(cc, begin)) return false;
          break;
        }
        advance();
        if (!expect(Tk::kNull)) return false;
        cc->kind = ColumnConstraint::Kind::kNotNull;
        if (!parse_onconf(cc)) return false;
        break;
      case Tk::kPrimary:
        advance();
        if (!expect(Tk::kKey)) return false;
        cc->kind = ColumnConstraint::Kind::kPrimaryKey;
        if (accept(Tk::kAsc)) {
          cc->order = SortOrder::kAsc;
        } else if (accept(Tk::kDesc)) {
          cc->order = SortOrder::kDesc;
        }
        if (accept(Tk::kOn)) {
          if (!expect(Tk::kConflict)) return false;
          cc->on_conflict = parse_resolvetype();
          if (failed()) return false;
        }
        if (accept(Tk::kAutoincr)) cc->autoincrement = true;
        break;
      case Tk::kUnique:
        advance();
        cc->kind = ColumnConstraint::Kind::kUnique;
        if (!parse_onconf(cc)) return false;
        break;
      case Tk::kCheck:
        advance();
        cc->kind = ColumnConstraint::Kind::kCheck;
        if (!expect(Tk::kLp)) return false;
        {
          Hold h(this, 3);  // columnname carglist CHECK LP
          cc->expr = parse_expr();
        }
        if (failed() || !expect(Tk::kRp)) return false;
        break;
      case Tk::kReferences:
        advance();
        cc->kind = ColumnConstraint::Kind::kReferences;
        cc->foreign_key = parse_references(begin);
        if (failed()) return false;
        break;
      case Tk::kDeferrable:
        if (!parse_deferral(cc, begin)) return false;
        break;
      case Tk::kCollate:
        advance();
        cc->kind = ColumnConstraint::Kind::kCollate;
        if (!is_ids(kind())) {
          syntax_error();
          return false;
        }
        cc->collation = make_name(advance());
        break;
      case Tk::kGenerated:
      case Tk::kAs:
        if (accept(Tk::kGenerated)) {
          if (!expect(Tk::kAlways)) return false;
          cc->generated_always = true;
        }
        if (!expect(Tk::kAs) || !expect(Tk::kLp)) return false;
        cc->kind = ColumnConstraint::Kind::kGenerated;
        {
          Hold h(this, 3);  // columnname carglist AS LP
          cc->expr = parse_expr();
        }
        if (failed() || !expect(Tk::kRp)) return false;
        if (is_id(kind()) && !at(Tk::kGenerated)) {
          Token t = advance();
          cc->storage_word = make_name(t);
          if (ieq(text(t), "stored")) cc->storage = GeneratedStorage::kStored;
        }
        break;
      default:
        if (pending.present()) {
          auto* named = arena().make<ColumnConstraint>();
          named->kind = ColumnConstraint::Kind::kName;
          named->name = pending;
          named->span = pending.span;
          out->push(arena(), named);
        }
        return true;
    }
    cc->name = pending;
    pending = Name{};
    cc->span = Span{begin, prev_end()};
    out->push(arena(), cc);
  }
}

// sqlite3Dequote on a type: only when it starts with a quote, up to the
// matching close quote.
std::string_view dequote_type(Arena& arena, std::string_view z) {
  if (z.empty()) return z;
  char q = z[0];
  if (q != '"' && q != '\'' && q != '`' && q != '[') return z;
  if (q == '[') q = ']';
  char* buf = static_cast<char*>(arena.allocate(z.size(), 1));
  size_t j = 0;
  for (size_t i = 1; i < z.size(); ++i) {
    if (z[i] == q) {
      if (i + 1 < z.size() && z[i + 1] == q) {
        buf[j++] = q;
        ++i;
      } else {
        break;
      }
    } else {
      buf[j++] = z[i];
    }
  }
  return {buf, j};
}

}  // namespace keel::parse::internal
