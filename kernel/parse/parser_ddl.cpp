// CREATE TABLE / INDEX / VIEW / TRIGGER / VIRTUAL TABLE, module-owned CREATE
// statements, DROP and ALTER TABLE.
#include "parse/parser_internal.h"

namespace keel::parse::internal {

Stmt* ParserImpl::parse_create(uint32_t begin) {
  Hold h(this, 1);
  expect(Tk::kCreate);
  bool temp = accept(Tk::kTemp);
  switch (kind()) {
    case Tk::kTable:
      return parse_create_table(begin, temp);
    case Tk::kView:
      return parse_create_view(begin, temp);
    case Tk::kTrigger:
      return parse_create_trigger(begin, temp);
    case Tk::kIndex:
      if (!temp) return parse_create_index(begin);
      break;
    case Tk::kUnique:
      if (!temp && peek(1).kind == Tk::kIndex) return parse_create_index(begin);
      break;
    case Tk::kVirtual:
      if (!temp && peek(1).kind == Tk::kTable) return parse_create_virtual_table(begin);
      break;
    default:
      break;
  }
  // Not a core statement: SQLite fails here, at `bad`; a module may claim it.
  Token bad = cur();
  if (!temp && (bad.kind == Tk::kVirtual || bad.kind == Tk::kUnique)) bad = peek(1);
  return parse_extension_ddl(begin, temp, false, bad);
}

// CREATE/DROP of a kind of object SQLite does not have, kept raw (see
// CreateExtensionStmt) from the current token to the end of the statement.
Stmt* ParserImpl::parse_extension_ddl(uint32_t begin, bool temp, bool drop, Token bad) {
  Token first = cur();
  if (first.kind == Tk::kEof || first.kind == Tk::kIllegal || first.kind == Tk::kSemi ||
      !(is_nm(first.kind) || (first.kind >= Tk::kAbort && first.kind < Tk::kCount_))) {
    syntax_error();
    return nullptr;
  }
  auto* st = arena().make<CreateExtensionStmt>();
  st->kind = StmtKind::kCreateExtension;
  st->temp = temp;
  st->drop = drop;
  st->body.begin = first.offset;
  st->error_offset = bad.offset;
  if (bad.kind == Tk::kEof) {
    st->error = "incomplete input";
  } else if (bad.kind == Tk::kIllegal) {
    st->error = arena().copy("unrecognized token: \"" + std::string(text(bad)) + "\"");
  } else {
    st->error = arena().copy("near \"" + std::string(text(bad)) + "\": syntax error");
  }
  Vec<Name> words;
  bool in_words = true;
  while (!at(Tk::kSemi) && !at(Tk::kEof)) {
    Tk k = kind();
    bool word = (k == Tk::kId && text(cur())[0] != '"' && text(cur())[0] != '[' && text(cur())[0] != '`') ||
                (k >= Tk::kAbort && k < Tk::kCount_);
    if (in_words && word && words.size < 16) {
      words.push(arena(), make_name(cur()));
    } else {
      in_words = false;
    }
    advance();
  }
  st->words = words.list();
  st->body.end = prev_end();
  st->body_text = text(st->body);
  st->span = Span{begin, prev_end()};
  return st;
}

Stmt* ParserImpl::parse_create_index(uint32_t begin) {
  auto* st = arena().make<CreateIndexStmt>();
  st->kind = StmtKind::kCreateIndex;
  if (accept(Tk::kUnique)) st->unique = true;
  expect(Tk::kIndex);
  if (at(Tk::kIf)) {
    advance();
    if (!expect(Tk::kNot) || !expect(Tk::kExists)) return nullptr;
    st->if_not_exists = true;
  }
  if (!parse_qualified(&st->name)) return nullptr;
  if (!expect(Tk::kOn) || !parse_nm(&st->table)) return nullptr;
  // Keel: USING method
  if (at(Tk::kUsing)) {
    // Without a method name this is plain SQLite syntax, and SQLite fails on USING.
    if (!is_nm(peek(1).kind)) {
      syntax_error();
      return nullptr;
    }
    advance();
    st->method = make_name(advance());
  }
  if (!expect(Tk::kLp)) return nullptr;
  Vec<OrderingTerm> cols;
  Hold h(this, 8);  // uniqueflag INDEX ifnotexists nm dbnm ON nm LP
  if (!parse_sortlist(&cols) || !expect(Tk::kRp)) return nullptr;
  st->columns = cols.list();
  // Keel: WITH (k = v, ...)
  if (st->method.present() && accept(Tk::kWith)) {
    if (!expect(Tk::kLp)) return nullptr;
    Vec<IndexParam> params;
    do {
      IndexParam p{};
      p.span.begin = cur().offset;
      if (!parse_nm(&p.key) || !expect(Tk::kEq)) return nullptr;
      p.value = parse_expr();
      if (failed()) return nullptr;
      p.span.end = prev_end();
      params.push(arena(), p);
    } while (accept(Tk::kComma));
    if (!expect(Tk::kRp)) return nullptr;
    st->params = params.list();
  }
  if (accept(Tk::kWhere)) {
    st->where = parse_expr();
    if (failed()) return nullptr;
  }
  st->span = Span{begin, prev_end()};
  return st;
}

Stmt* ParserImpl::parse_create_view(uint32_t begin, bool temp) {
  auto* st = arena().make<CreateViewStmt>();
  st->kind = StmtKind::kCreateView;
  st->temp = temp;
  expect(Tk::kView);
  if (at(Tk::kIf)) {
    advance();
    if (!expect(Tk::kNot) || !expect(Tk::kExists)) return nullptr;
    st->if_not_exists = true;
  }
  if (!parse_qualified(&st->name)) return nullptr;
  if (at(Tk::kLp)) {
    Vec<Name> cols;
    if (!parse_eidlist(&cols)) return nullptr;
    st->columns = cols.list();
  }
  if (!expect(Tk::kAs)) return nullptr;
  st->select = parse_select();
  if (failed()) return nullptr;
  st->span = Span{begin, prev_end()};
  return st;
}

Stmt* ParserImpl::parse_create_trigger(uint32_t begin, bool temp) {
  auto* st = arena().make<CreateTriggerStmt>();
  st->kind = StmtKind::kCreateTrigger;
  st->temp = temp;
  expect(Tk::kTrigger);
  if (at(Tk::kIf)) {
    advance();
    if (!expect(Tk::kNot) || !expect(Tk::kExists)) return nullptr;
    st->if_not_exists = true;
  }
  if (!parse_qualified(&st->name)) return nullptr;
  if (accept(Tk::kBefore)) {
    st->time = TriggerTime::kBefore;
  } else if (accept(Tk::kAfter)) {
    st->time = TriggerTime::kAfter;
  } else if (accept(Tk::kInstead)) {
    if (!expect(Tk::kOf)) return nullptr;
    st->time = TriggerTime::kInsteadOf;
  }
  if (accept(Tk::kDelete)) {
    st->event = TriggerEvent::kDelete;
  } else if (accept(Tk::kInsert)) {
    st->event = TriggerEvent::kInsert;
  } else if (accept(Tk::kUpdate)) {
    st->event = TriggerEvent::kUpdate;
    if (accept(Tk::kOf)) {
      Vec<Name> cols;
      if (!parse_idlist(&cols)) return nullptr;
      st->update_columns = cols.list();
    }
  } else {
    syntax_error();
    return nullptr;
  }
  if (!expect(Tk::kOn) || !parse_qualified(&st->table)) return nullptr;
  if (accept(Tk::kFor)) {
    if (!expect(Tk::kEach) || !expect(Tk::kRow)) return nullptr;
    st->for_each_row = true;
  }
  if (accept(Tk::kWhen)) {
    st->when = parse_expr();
    if (failed()) return nullptr;
  }
  if (!expect(Tk::kBegin)) return nullptr;
  Hold h(this, 3);
  in_trigger_ = true;
  Vec<Stmt*> steps;
  do {
    uint32_t sb = cur().offset;
    Stmt* step = nullptr;
    switch (kind()) {
      case Tk::kUpdate:
        step = parse_update(nullptr, sb, true);
        break;
      case Tk::kInsert:
      case Tk::kReplace:
        step = parse_insert(nullptr, sb, true);
        break;
      case Tk::kDelete:
        step = parse_delete(nullptr, sb, true);
        break;
      case Tk::kSelect:
      case Tk::kValues:
      case Tk::kWith: {
        Select* s = parse_select();
        if (failed()) return nullptr;
        auto* ss = new_stmt<SelectStmt>(sb);
        ss->select = s;
        step = ss;
        break;
      }
      default:
        syntax_error();
        return nullptr;
    }
    if (failed()) return nullptr;
    steps.push(arena(), step);
    // The end of input stands for the ';' SQLite appends: it ends the step,
    // and the body is then incomplete.
    if (at(Tk::kEof)) {
      if (!failed() && has_pending()) {
        advance();
      } else {
        syntax_error();
      }
      return nullptr;
    }
    if (!expect(Tk::kSemi)) return nullptr;
  } while (!at(Tk::kEnd));
  advance();
  in_trigger_ = false;
  st->steps = steps.list();
  st->span = Span{begin, prev_end()};
  return st;
}

Stmt* ParserImpl::parse_create_virtual_table(uint32_t begin) {
  auto* st = arena().make<CreateVirtualTableStmt>();
  st->kind = StmtKind::kCreateVirtualTable;
  expect(Tk::kVirtual);
  expect(Tk::kTable);
  if (at(Tk::kIf)) {
    advance();
    if (!expect(Tk::kNot) || !expect(Tk::kExists)) return nullptr;
    st->if_not_exists = true;
  }
  if (!parse_qualified(&st->name)) return nullptr;
  if (!expect(Tk::kUsing) || !parse_nm(&st->module)) return nullptr;
  if (accept(Tk::kLp)) {
    st->has_args = true;
    Vec<Span> args;
    int depth = 0;
    Span arg{0, 0};
    bool have = false;
    for (;;) {
      Tk k = kind();
      if (k == Tk::kEof || k == Tk::kIllegal) {
        syntax_error();
        return nullptr;
      }
      if (depth == 0 && (k == Tk::kComma || k == Tk::kRp)) {
        if (have) args.push(arena(), arg);
        have = false;
        advance();
        if (k == Tk::kRp) break;
        continue;
      }
      if (k == Tk::kLp) ++depth;
      if (k == Tk::kRp) --depth;
      Token t = advance();
      if (!have) arg.begin = t.offset;
      arg.end = t.end();
      have = true;
    }
    st->args = args.list();
    Vec<std::string_view> texts;
    for (const Span& a : st->args) texts.push(arena(), text(a));
    st->arg_texts = texts.list();
  }
  st->span = Span{begin, prev_end()};
  return st;
}

Stmt* ParserImpl::parse_drop(uint32_t begin) {
  expect(Tk::kDrop);
  auto* st = arena().make<DropStmt>();
  st->kind = StmtKind::kDrop;
  switch (kind()) {
    case Tk::kTable:
      st->object = DropStmt::Object::kTable;
      break;
    case Tk::kIndex:
      st->object = DropStmt::Object::kIndex;
      break;
    case Tk::kView:
      st->object = DropStmt::Object::kView;
      break;
    case Tk::kTrigger:
      st->object = DropStmt::Object::kTrigger;
      break;
    default:
      // DROP of a module-owned kind of object (DROP MATERIALIZED VIEW v).
      return parse_extension_ddl(begin, false, true, cur());
  }
  advance();
  if (at(Tk::kIf)) {
    advance();
    if (!expect(Tk::kExists)) return nullptr;
    st->if_exists = true;
  }
  if (!parse_qualified(&st->name)) return nullptr;
  st->span = Span{begin, prev_end()};
  return st;
}

Stmt* ParserImpl::parse_alter(uint32_t begin) {
  expect(Tk::kAlter);
  if (!expect(Tk::kTable)) return nullptr;
  auto* st = arena().make<AlterTableStmt>();
  st->kind = StmtKind::kAlterTable;
  if (!parse_qualified(&st->table)) return nullptr;
  if (accept(Tk::kRename)) {
    if (accept(Tk::kTo)) {
      st->action = AlterTableStmt::Action::kRenameTable;
      if (!parse_nm(&st->new_name)) return nullptr;
    } else {
      st->action = AlterTableStmt::Action::kRenameColumn;
      st->column_keyword = accept(Tk::kColumnKw);
      if (!parse_nm(&st->column) || !expect(Tk::kTo) || !parse_nm(&st->new_name)) return nullptr;
    }
  } else if (accept(Tk::kAdd)) {
    st->action = AlterTableStmt::Action::kAddColumn;
    st->column_keyword = accept(Tk::kColumnKw);
    st->column_def = parse_column_def();
    if (failed()) return nullptr;
  } else if (accept(Tk::kDrop)) {
    st->action = AlterTableStmt::Action::kDropColumn;
    st->column_keyword = accept(Tk::kColumnKw);
    if (!parse_nm(&st->column)) return nullptr;
  } else {
    syntax_error();
    return nullptr;
  }
  st->span = Span{begin, prev_end()};
  return st;
}

}  // namespace keel::parse::internal
