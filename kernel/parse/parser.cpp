// Parser driver: token reader, errors, names, statement dispatch.
#include "parse/parser.h"

#include "parse/parser_internal.h"

namespace keel::parse {
namespace internal {

ParserImpl::ParserImpl(Arena& arena, std::string_view sql, const ParseOptions& options)
    : arena_(arena), sql_(sql), options_(options) {}

// ---------------------------------------------------------------- tokens

Token ParserImpl::raw_next(uint32_t* pos) {
  for (;;) {
    Token t = next_token(sql_, *pos);
    *pos += t.length;
    if (t.kind != Tk::kSpace) return t;
  }
}

// tokenize.c getToken(): the class of the token after WINDOW/OVER/FILTER.
Tk ParserImpl::classify_for_lookahead(Tk k) {
  if (k == Tk::kId || k == Tk::kString || k == Tk::kJoinKw || k == Tk::kWindow || k == Tk::kOver ||
      can_fallback_to_id(k)) {
    return Tk::kId;
  }
  return k;
}

Token ParserImpl::fetch() {
  Token t = raw_next(&scan_pos_);
  if (t.kind == Tk::kWindow) {
    // analyzeWindowKeyword: WINDOW is a keyword only when followed by "ID AS".
    uint32_t p = scan_pos_;
    if (classify_for_lookahead(raw_next(&p).kind) != Tk::kId || raw_next(&p).kind != Tk::kAs)
      t.kind = Tk::kId;
  } else if (t.kind == Tk::kOver) {
    // analyzeOverKeyword: after ')' and before '(' or an identifier.
    uint32_t p = scan_pos_;
    Tk next = last_fetched_ == Tk::kRp ? classify_for_lookahead(raw_next(&p).kind) : Tk::kEof;
    if (next != Tk::kLp && next != Tk::kId) t.kind = Tk::kId;
  } else if (t.kind == Tk::kFilter) {
    // analyzeFilterKeyword: after ')' and before '('.
    uint32_t p = scan_pos_;
    if (last_fetched_ != Tk::kRp || raw_next(&p).kind != Tk::kLp) t.kind = Tk::kId;
  }
  last_fetched_ = t.kind;
  return t;
}

const Token& ParserImpl::peek(int k) {
  while (la_count_ <= k) la_[la_count_++] = fetch();
  return la_[k];
}

Token ParserImpl::advance() {
  if (pending_ && !failed_) finalize_pending();
  Token t = la_[0];
  prev_end_ = t.end();
  for (int i = 1; i < la_count_; ++i) la_[i - 1] = la_[i];
  --la_count_;
  if (la_count_ == 0) {
    la_[0] = fetch();
    la_count_ = 1;
  }
  return t;
}

bool ParserImpl::expect(Tk k) {
  if (failed_) return false;
  if (la_[0].kind != k) {
    syntax_error();
    return false;
  }
  advance();
  return true;
}

// ---------------------------------------------------------------- errors

void ParserImpl::error(std::string message, int offset) {
  if (failed_) return;
  pending_ = true;
  pending_at_ = la_[0].offset;
  pending_message_ = std::move(message);
  pending_offset_ = offset;
}

void ParserImpl::finalize_pending() {
  pending_ = false;
  failed_ = true;
  error_ = std::move(pending_message_);
  error_offset_ = pending_offset_;
}

void ParserImpl::fatal(std::string message, int offset) {
  if (failed_) return;
  pending_ = false;
  failed_ = true;
  error_ = std::move(message);
  error_offset_ = offset;
}

void ParserImpl::syntax_error_at(const Token& t) {
  if (failed_) return;
  if (pending_ && t.offset != pending_at_) {
    // SQLite would already have stopped on the pending error.
    finalize_pending();
    return;
  }
  pending_ = false;
  if (t.kind == Tk::kEof) {
    fatal("incomplete input", static_cast<int>(t.offset));
  } else if (t.kind == Tk::kIllegal) {
    fatal("unrecognized token: \"" + std::string(text(t)) + "\"", static_cast<int>(t.offset));
  } else {
    fatal("near \"" + std::string(text(t)) + "\": syntax error", static_cast<int>(t.offset));
  }
}

void ParserImpl::syntax_error() { syntax_error_at(la_[0]); }

bool ParserImpl::check_stack(int extra) {
  if (failed_) return false;
  // A hard cap keeps the recursion bounded even with the check disabled.
  int limit = options_.max_parser_depth > 0 ? options_.max_parser_depth : 2000;
  if (stack_ + extra > limit) {
    fatal("parser stack overflow", static_cast<int>(la_[0].offset));
    return false;
  }
  return true;
}

// ---------------------------------------------------------------- names

std::string_view ParserImpl::dequote(std::string_view raw) {
  if (raw.empty()) return raw;
  char q = raw[0];
  if (q != '"' && q != '\'' && q != '`' && q != '[') return raw;
  if (q == '[') return raw.substr(1, raw.size() >= 2 ? raw.size() - 2 : 0);
  std::string_view inner = raw.substr(1, raw.size() >= 2 ? raw.size() - 2 : 0);
  if (inner.find(q) == std::string_view::npos) return inner;
  char* buf = static_cast<char*>(arena_.allocate(inner.size(), 1));
  size_t j = 0;
  for (size_t i = 0; i < inner.size(); ++i) {
    buf[j++] = inner[i];
    if (inner[i] == q && i + 1 < inner.size() && inner[i + 1] == q) ++i;
  }
  return {buf, j};
}

Name ParserImpl::make_name(const Token& t) {
  Name n;
  n.span = Span{t.offset, t.end()};
  std::string_view raw = text(t);
  char q = raw.empty() ? 0 : raw[0];
  if (q == '"' || q == '\'' || q == '`' || q == '[') {
    n.quote = q;
    n.value = dequote(raw);
  } else {
    n.value = raw;
  }
  return n;
}

bool ParserImpl::parse_nm(Name* out) {
  if (failed_) return false;
  if (!is_nm(kind())) {
    syntax_error();
    return false;
  }
  *out = make_name(advance());
  return true;
}

bool ParserImpl::parse_qualified(QualifiedName* out) {
  Name first;
  if (!parse_nm(&first)) return false;
  if (accept(Tk::kDot)) {
    out->schema = first;
    return parse_nm(&out->name);
  }
  out->name = first;
  return true;
}

// ---------------------------------------------------------------- heights

int ParserImpl::height_of(List<Expr*> l) {
  int h = 0;
  for (Expr* e : l) h = std::max(h, height_of(e));
  return h;
}

// SQLite's heightOfSelect: the tallest expression of every core's result
// list, WHERE, GROUP BY, HAVING, and of the ORDER BY and LIMIT.
int ParserImpl::height_of(const Select* s) {
  if (s == nullptr) return 0;
  int h = 0;
  for (const SelectCore* c : s->cores) {
    for (const ResultColumn& rc : c->columns) h = std::max(h, height_of(rc.expr));
    for (const List<Expr*>& row : c->rows) h = std::max(h, height_of(row));
    h = std::max({h, height_of(c->where), height_of(c->group_by), height_of(c->having)});
  }
  for (const OrderingTerm& t : s->order_by) h = std::max(h, height_of(t.expr));
  if (s->limit) h = std::max(h, 1 + std::max(height_of(s->limit), height_of(s->offset)));
  return h;
}

bool ParserImpl::set_height(Expr* e, int child_height, bool check) {
  int h = child_height + 1;
  e->height = static_cast<uint16_t>(std::min(h, 65535));
  if (check && options_.max_expr_depth > 0 && h > options_.max_expr_depth) {
    error("Expression tree is too large (maximum depth " + std::to_string(options_.max_expr_depth) + ")",
          static_cast<int>(e->span.begin));
  }
  return true;
}

// ---------------------------------------------------------------- statements

Stmt* ParserImpl::parse_cmd() {
  uint32_t begin = cur().offset;
  switch (kind()) {
    case Tk::kSelect:
    case Tk::kValues: {
      Select* s = parse_select();
      if (failed_) return nullptr;
      auto* st = new_stmt<SelectStmt>(begin);
      st->select = s;
      return st;
    }
    case Tk::kWith: {
      WithClause* with = parse_with();
      if (failed_) return nullptr;
      switch (kind()) {
        case Tk::kSelect:
        case Tk::kValues: {
          Select* s = parse_select_body(with, begin);
          if (failed_) return nullptr;
          auto* st = new_stmt<SelectStmt>(begin);
          st->select = s;
          return st;
        }
        case Tk::kInsert:
        case Tk::kReplace:
          return parse_insert(with, begin, false);
        case Tk::kUpdate:
          return parse_update(with, begin, false);
        case Tk::kDelete:
          return parse_delete(with, begin, false);
        default:
          syntax_error();
          return nullptr;
      }
    }
    case Tk::kInsert:
    case Tk::kReplace:
      return parse_insert(nullptr, begin, false);
    case Tk::kUpdate:
      return parse_update(nullptr, begin, false);
    case Tk::kDelete:
      return parse_delete(nullptr, begin, false);
    case Tk::kCreate:
      return parse_create(begin);
    case Tk::kDrop:
      return parse_drop(begin);
    case Tk::kAlter:
      return parse_alter(begin);
    case Tk::kBegin:
      return parse_begin(begin);
    case Tk::kCommit:
    case Tk::kEnd:
      return parse_commit(begin);
    case Tk::kRollback:
      return parse_rollback(begin);
    case Tk::kSavepoint: {
      advance();
      Name n;
      if (!parse_nm(&n)) return nullptr;
      auto* st = new_stmt<SavepointStmt>(begin);
      st->name = n;
      return st;
    }
    case Tk::kRelease: {
      advance();
      accept(Tk::kSavepoint);
      Name n;
      if (!parse_nm(&n)) return nullptr;
      auto* st = new_stmt<ReleaseStmt>(begin);
      st->name = n;
      return st;
    }
    case Tk::kPragma:
      return parse_pragma(begin);
    case Tk::kAttach:
      return parse_attach(begin);
    case Tk::kDetach:
      return parse_detach(begin);
    case Tk::kVacuum:
      return parse_vacuum(begin);
    case Tk::kReindex:
      return parse_reindex_or_analyze(begin, true);
    case Tk::kAnalyze:
      return parse_reindex_or_analyze(begin, false);
    default:
      syntax_error();
      return nullptr;
  }
}

bool ParserImpl::parse(uint32_t offset, ParsedStatement* out) {
  *out = ParsedStatement{};
  scan_pos_ = offset;
  la_count_ = 0;
  last_fetched_ = Tk::kEof;
  la_[0] = fetch();
  la_count_ = 1;
  prev_end_ = offset;
  stack_ = 1;
  while (at(Tk::kSemi)) advance();
  if (at(Tk::kEof)) {
    out->terminator = out->tail = cur().offset;
    return true;
  }
  if (accept(Tk::kExplain)) {
    stack_ += 1;
    if (accept(Tk::kQuery)) {
      if (!expect(Tk::kPlan)) return false;
      out->explain = ExplainMode::kQueryPlan;
    } else {
      out->explain = ExplainMode::kExplain;
    }
  }
  uint32_t begin = cur().offset;
  Stmt* stmt = parse_cmd();
  if (failed_) return false;
  if (pending_) {
    // The statement is complete: SQLite's error stands.
    if (at(Tk::kSemi) || at(Tk::kEof)) {
      finalize_pending();
    } else {
      syntax_error();
    }
    return false;
  }
  if (at(Tk::kSemi)) {
    out->terminator = cur().offset;
    out->tail = cur().end();
  } else if (at(Tk::kEof)) {
    out->terminator = out->tail = cur().offset;
  } else {
    syntax_error();
    return false;
  }
  if (stmt->kind == StmtKind::kCreateTable) {
    auto* ct = stmt->as<CreateTableStmt>();
    if (ct->schema_text_end == UINT32_MAX) ct->schema_text_end = out->terminator;
  }
  out->stmt = stmt;
  out->span = Span{begin, prev_end_};
  out->parameter_count = n_var_;
  out->parameters = params_.list();
  return true;
}

}  // namespace internal

// ---------------------------------------------------------------- front door

Parser::Parser(Arena& arena, std::string_view sql, const ParseOptions& options)
    : arena_(arena), sql_(sql), options_(options) {}

Result<ParsedStatement> Parser::parse_statement(uint32_t offset) {
  // Offsets are 32-bit; SQLite's own limit (SQLITE_MAX_SQL_LENGTH) is 1e9.
  if (sql_.size() >= UINT32_MAX) return Status(rc::kTooBig, "statement too long");
  internal::ParserImpl impl(arena_, sql_, options_);
  ParsedStatement st;
  if (!impl.parse(offset, &st)) {
    error_offset_ = impl.error_offset();
    return Status(rc::kError, impl.error());
  }
  error_offset_ = -1;
  return st;
}

Result<List<ParsedStatement>> parse_all(Arena& arena, std::string_view sql, const ParseOptions& options) {
  Parser p(arena, sql, options);
  internal::Vec<ParsedStatement> out;
  uint32_t pos = 0;
  while (pos < sql.size()) {
    Result<ParsedStatement> r = p.parse_statement(pos);
    if (!r.ok()) return r.take_status();
    if (r->stmt == nullptr) break;
    out.push(arena, *r);
    pos = r->tail;
  }
  return out.list();
}

}  // namespace keel::parse
