// Transaction control, PRAGMA, ATTACH/DETACH, VACUUM, REINDEX, ANALYZE.
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

// trans_opt: [TRANSACTION [nm]]
bool parse_trans_opt(ParserImpl* p, Name* name) {
  if (!p->accept(Tk::kTransaction)) return true;
  if (ParserImpl::is_nm(p->kind())) *name = p->make_name(p->advance());
  return true;
}

}  // namespace

Stmt* ParserImpl::parse_begin(uint32_t begin) {
  expect(Tk::kBegin);
  auto* st = arena().make<BeginStmt>();
  st->kind = StmtKind::kBegin;
  if (accept(Tk::kDeferred)) {
    st->type = TransactionKind::kDeferred;
  } else if (accept(Tk::kImmediate)) {
    st->type = TransactionKind::kImmediate;
  } else if (accept(Tk::kExclusive)) {
    st->type = TransactionKind::kExclusive;
  } else if (at(Tk::kId) && ieq(text(cur()), "concurrent")) {
    advance();  // Keel: BEGIN CONCURRENT
    st->type = TransactionKind::kConcurrent;
  }
  parse_trans_opt(this, &st->transaction_name);
  st->span = Span{begin, prev_end()};
  return st;
}

Stmt* ParserImpl::parse_commit(uint32_t begin) {
  auto* st = arena().make<CommitStmt>();
  st->kind = StmtKind::kCommit;
  st->end_keyword = advance().kind == Tk::kEnd;
  Name ignored;
  parse_trans_opt(this, &ignored);
  st->span = Span{begin, prev_end()};
  return st;
}

Stmt* ParserImpl::parse_rollback(uint32_t begin) {
  expect(Tk::kRollback);
  auto* st = arena().make<RollbackStmt>();
  st->kind = StmtKind::kRollback;
  Name ignored;
  parse_trans_opt(this, &ignored);
  if (accept(Tk::kTo)) {
    accept(Tk::kSavepoint);
    if (!parse_nm(&st->savepoint)) return nullptr;
  }
  st->span = Span{begin, prev_end()};
  return st;
}

Stmt* ParserImpl::parse_pragma(uint32_t begin) {
  expect(Tk::kPragma);
  auto* st = arena().make<PragmaStmt>();
  st->kind = StmtKind::kPragma;
  if (!parse_qualified(&st->name)) return nullptr;
  bool call = false;
  if (accept(Tk::kEq)) {
    st->form = PragmaStmt::Form::kAssign;
  } else if (accept(Tk::kLp)) {
    st->form = PragmaStmt::Form::kCall;
    call = true;
  } else {
    st->span = Span{begin, prev_end()};
    return st;
  }
  // nmnum | minus_num: [+] number | nm | ON | DELETE | DEFAULT | - number
  uint32_t vb = cur().offset;
  if (at(Tk::kMinus) || at(Tk::kPlus)) {
    bool minus = advance().kind == Tk::kMinus;
    if (!at(Tk::kInteger) && !at(Tk::kFloat)) {
      syntax_error();
      return nullptr;
    }
    Token t = advance();
    st->value = minus ? arena().copy("-" + std::string(text(t))) : text(t);
  } else if (at(Tk::kInteger) || at(Tk::kFloat) || at(Tk::kOn) || at(Tk::kDelete) || at(Tk::kDefault)) {
    st->value = text(advance());
  } else if (is_nm(kind())) {
    st->value = make_name(advance()).value;
  } else {
    syntax_error();
    return nullptr;
  }
  st->value_span = Span{vb, prev_end()};
  if (call && !expect(Tk::kRp)) return nullptr;
  st->span = Span{begin, prev_end()};
  return st;
}

Stmt* ParserImpl::parse_attach(uint32_t begin) {
  expect(Tk::kAttach);
  accept(Tk::kDatabase);
  auto* st = arena().make<AttachStmt>();
  st->kind = StmtKind::kAttach;
  st->filename = parse_expr();
  if (failed() || !expect(Tk::kAs)) return nullptr;
  st->schema = parse_expr();
  if (failed()) return nullptr;
  if (accept(Tk::kKey)) {
    st->key = parse_expr();
    if (failed()) return nullptr;
  }
  st->span = Span{begin, prev_end()};
  return st;
}

Stmt* ParserImpl::parse_detach(uint32_t begin) {
  expect(Tk::kDetach);
  accept(Tk::kDatabase);
  auto* st = arena().make<DetachStmt>();
  st->kind = StmtKind::kDetach;
  st->schema = parse_expr();
  if (failed()) return nullptr;
  st->span = Span{begin, prev_end()};
  return st;
}

Stmt* ParserImpl::parse_vacuum(uint32_t begin) {
  expect(Tk::kVacuum);
  auto* st = arena().make<VacuumStmt>();
  st->kind = StmtKind::kVacuum;
  if (!at(Tk::kInto) && is_nm(kind())) st->schema = make_name(advance());
  if (accept(Tk::kInto)) {
    st->into = parse_expr();
    if (failed()) return nullptr;
  }
  st->span = Span{begin, prev_end()};
  return st;
}

Stmt* ParserImpl::parse_reindex_or_analyze(uint32_t begin, bool reindex) {
  advance();
  QualifiedName name;
  if (is_nm(kind()) && !parse_qualified(&name)) return nullptr;
  if (failed()) return nullptr;
  if (reindex) {
    auto* st = new_stmt<ReindexStmt>(begin);
    st->name = name;
    return st;
  }
  auto* st = new_stmt<AnalyzeStmt>(begin);
  st->name = name;
  return st;
}

}  // namespace keel::parse::internal
