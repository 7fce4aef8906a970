// AST: the syntax tree the parser hands to the planner.
//
// Design note
// -----------
// * Every node lives in the parse's Arena (parse/arena.h) and is trivially
//   destructible: lists are List<T> (pointer + size into the arena), text is
//   std::string_view into either the SQL text or the arena. A tree is valid
//   as long as both the arena and the SQL text are alive.
// * Every node records its Span: byte offsets [begin, end) of its first and
//   last token in the SQL text. SQLite names result columns by the original
//   text (ResultColumn::span) and ALTER TABLE rewrites schema SQL by the
//   positions of identifier tokens (Name::span), so both are exact.
// * Names keep the dequoted value and the quote character they were written
//   with: a double-quoted name may later turn out to be a string literal
//   (SQLite's DQS rule), and `true`/`false` are ColumnRefs the resolver turns
//   into booleans when no column of that name exists, exactly as SQLite.
// * Node kinds are tags (ExprKind, StmtKind); the concrete struct derives from
//   Expr/Stmt and is reached with as<T>(), which asserts the tag.
// * The tree is faithful to the text. Where SQLite rewrites while parsing, the
//   rewrite is left to the planner and documented at the node (IN lists, IS
//   NULL, nested unary +/-); where SQLite's parser normalizes the *structure*
//   (parenthesized FROM lists), the parser does the same and says so.
//
// Contract: this header only grows (new kinds, new trailing fields).
#pragma once

#include <cassert>
#include <cstdint>
#include <string_view>

namespace keel::parse {

// Byte offsets [begin, end) into the SQL text.
struct Span {
  uint32_t begin = 0;
  uint32_t end = 0;
  bool empty() const { return end <= begin; }
  uint32_t size() const { return end > begin ? end - begin : 0; }
  std::string_view text(std::string_view sql) const { return sql.substr(begin, size()); }
};

// A list stored in the arena.
template <typename T>
struct List {
  T* items = nullptr;
  uint32_t size = 0;

  bool empty() const { return size == 0; }
  T* begin() const { return items; }
  T* end() const { return items + size; }
  T& operator[](uint32_t i) const {
    assert(i < size);
    return items[i];
  }
  T& back() const { return items[size - 1]; }
};

// An identifier (or a string used where SQLite accepts a name).
struct Name {
  std::string_view value;  // dequoted text; empty when absent
  Span span;               // the token as written, quotes included; empty when absent
  char quote = 0;          // 0 (bare), '"', '\'', '[' or '`'
  bool present() const { return !span.empty(); }
};

// [schema.]name
struct QualifiedName {
  Name schema;  // absent when unqualified
  Name name;
};

struct Select;
struct WindowSpec;

// ---------------------------------------------------------------- expressions

enum class ExprKind : uint8_t {
  kLiteral,    // LiteralExpr
  kColumnRef,  // ColumnRefExpr
  kVariable,   // VariableExpr
  kUnary,      // UnaryExpr
  kBinary,     // BinaryExpr
  kLike,       // LikeExpr
  kNullTest,   // NullTestExpr
  kBetween,    // BetweenExpr
  kIn,         // InExpr
  kExists,     // ExistsExpr
  kSubquery,   // SubqueryExpr
  kCase,       // CaseExpr
  kCast,       // CastExpr
  kCollate,    // CollateExpr
  kFunction,   // FunctionExpr
  kVector,     // VectorExpr
  kRaise,      // RaiseExpr
};

struct Expr {
  ExprKind kind;
  // SQLite's Expr.nHeight for this node, with SQLite's quirks (a COLLATE,
  // row-value or column node is 1 high...): the parser checks it against
  // max_expr_depth; the resolver adds subquery nesting to it.
  uint16_t height;
  Span span;  // first token .. last token; enclosing parentheses are not part of it

  template <typename T>
  T* as() {
    assert(kind == T::kKind);
    return static_cast<T*>(this);
  }
  template <typename T>
  const T* as() const {
    assert(kind == T::kKind);
    return static_cast<const T*>(this);
  }
  template <typename T>
  bool is() const {
    return kind == T::kKind;
  }
};

enum class LiteralKind : uint8_t {
  kNull,
  kInteger,  // decimal or 0x hex; text is the raw token (no sign; overflow handled by the planner)
  kFloat,    // text is the raw token
  kString,   // text is the dequoted value
  kBlob,     // text is the hex digits between x' and '
  kTrue,     // only made by the parser for `DEFAULT true` (SQLite's sqlite3ExprIdToTrueFalse)
  kFalse,    // idem for `DEFAULT false`
};

struct LiteralExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kLiteral;
  LiteralKind literal;
  std::string_view text;
};

// a | t.a | s.t.a. A lone identifier may resolve to TRUE/FALSE, or — when it
// was double-quoted and names no column — to a string (SQLite's DQS rule).
struct ColumnRefExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kColumnRef;
  Name schema;  // absent unless three-part
  Name table;   // absent unless two- or three-part
  Name column;
};

// ?, ?NNN, :name, @name, $name (incl. Tcl-style $a::b(c)), #name.
struct VariableExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kVariable;
  std::string_view text;  // the raw token
  int32_t number;         // the parameter number sqlite3 assigns (1-based)
};

enum class UnaryOp : uint8_t { kNegate, kPlus, kBitNot, kNot };

// SQLite folds a unary +/- applied directly to a unary + into one node
// (`- +x` is `-x`); the tree keeps both nodes, the planner folds.
struct UnaryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kUnary;
  UnaryOp op;
  Expr* operand;
};

enum class BinaryOp : uint8_t {
  kOr,
  kAnd,
  kEq,  // = and ==
  kNe,  // != and <>
  kLt,
  kLe,
  kGt,
  kGe,
  kIs,     // IS, IS NOT DISTINCT FROM. `x IS NULL` is coded by SQLite as ISNULL.
  kIsNot,  // IS NOT, IS DISTINCT FROM. `x IS NOT NULL` is coded as NOTNULL.
  kBitAnd,
  kBitOr,
  kShl,
  kShr,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kRem,
  kConcat,
  kArrow,   // ->   SQLite calls the function named "->" (json) with (left, right)
  kArrow2,  // ->>  idem, function "->>"
};

// SQLite's parser also replaces `x AND y` by the integer 0 when either side
// is the literal 0 (sqlite3ExprAnd), so no error is reported for the other
// side; the planner does the same.
struct BinaryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kBinary;
  BinaryOp op;
  Expr* left;
  Expr* right;
};

// LIKE/GLOB/REGEXP/MATCH: SQLite calls the function named by the operator
// (lower case) with (pattern, left[, escape]) and wraps NOT around it.
enum class LikeOp : uint8_t { kLike, kGlob, kRegexp, kMatch };

struct LikeExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kLike;
  LikeOp op;
  bool negated;
  Expr* left;
  Expr* pattern;
  Expr* escape;  // nullptr without ESCAPE
};

// x ISNULL | x NOTNULL | x NOT NULL
struct NullTestExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kNullTest;
  bool not_null;
  Expr* operand;
};

struct BetweenExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kBetween;
  bool negated;
  Expr* operand;
  Expr* low;
  Expr* high;
};

// x [NOT] IN (list) | (select) | [schema.]table | [schema.]table_function(args)
//
// SQLite rewrites while parsing, and the planner must do the same:
//  * `x IN ()` is FALSE (`NOT IN ()` TRUE), unless x contains a function call,
//    then `FALSE AND x` (`TRUE OR x`);
//  * a one-element list whose element is constant and x not a vector becomes
//    `x = +elem`;
//  * a one-element list whose element is a subquery is IN (that subquery);
//  * a vector x with a list becomes IN (VALUES ...) (element sizes are
//    checked by the parser).
struct InExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kIn;
  enum class Rhs : uint8_t { kList, kSelect, kTable };
  bool negated;
  Rhs rhs;
  Expr* left;
  List<Expr*> list;        // kList
  Select* select;          // kSelect
  QualifiedName table;     // kTable
  List<Expr*> table_args;  // kTable with arguments (a table-valued function)
  bool has_table_args;     // `IN f()` vs `IN f`
};

struct ExistsExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kExists;
  Select* select;
};

// (SELECT ...) used as a scalar.
struct SubqueryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kSubquery;
  Select* select;
};

struct WhenThen {
  Expr* when;
  Expr* then;
};

struct CaseExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kCase;
  Expr* operand;  // nullptr for CASE WHEN ...
  List<WhenThen> whens;
  Expr* else_expr;  // nullptr without ELSE
};

// A type as written: the tokens of a type name and its optional (n[, m]).
struct TypeName {
  std::string_view text;  // SQLite's declared-type text (see ColumnDef); empty when absent
  Span span;              // all type tokens as written
};

struct CastExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kCast;
  Expr* operand;
  TypeName type;  // may be empty: CAST(x AS) is valid SQLite
};

struct CollateExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kCollate;
  Expr* operand;
  Name collation;
};

enum class Distinctness : uint8_t { kNone, kDistinct, kAll };

// f(args) [FILTER (WHERE e)] [OVER window | OVER name]; count(*);
// CURRENT_TIME/CURRENT_DATE/CURRENT_TIMESTAMP are zero-argument calls of the
// functions of those (lower-case) names, as in SQLite.
struct FunctionExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kFunction;
  Name name;
  List<Expr*> args;
  Distinctness distinct;
  bool star;           // f(*)
  bool ctime_keyword;  // written as CURRENT_TIME etc., without parentheses
  Expr* filter;        // FILTER (WHERE filter); nullptr when absent
  WindowSpec* over;    // OVER (...); nullptr when absent
  Name over_name;      // OVER name (a window of the WINDOW clause); absent otherwise
};

// (a, b, ...): a row value; always two or more items.
struct VectorExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kVector;
  List<Expr*> items;
};

enum class RaiseAction : uint8_t { kIgnore, kRollback, kAbort, kFail };

struct RaiseExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kRaise;
  RaiseAction action;
  // nullptr for RAISE(IGNORE); otherwise a kString LiteralExpr: SQLite 3.40
  // takes a name or a string here (not an expression), dequoted.
  Expr* message;
};

// ---------------------------------------------------------------- windows, ordering

enum class SortOrder : uint8_t { kUndefined, kAsc, kDesc };
enum class NullsOrder : uint8_t { kUndefined, kFirst, kLast };

// One term of ORDER BY, of an index's column list, of a PRIMARY KEY/UNIQUE
// list or of an upsert target.
struct OrderingTerm {
  Expr* expr;
  SortOrder order;
  NullsOrder nulls;
  Span span;  // expression .. last keyword
};

enum class FrameUnit : uint8_t { kRows, kRange, kGroups };
enum class FrameBoundKind : uint8_t {
  kUnboundedPreceding,
  kPreceding,
  kCurrentRow,
  kFollowing,
  kUnboundedFollowing
};
enum class FrameExclude : uint8_t { kNone, kNoOthers, kCurrentRow, kGroup, kTies };

struct FrameBound {
  FrameBoundKind kind;
  Expr* offset;  // kPreceding / kFollowing only
};

struct WindowFrame {
  FrameUnit unit;
  bool between;  // written with BETWEEN ... AND ...; otherwise end is CURRENT ROW
  FrameBound start;
  FrameBound end;
  FrameExclude exclude;  // kNone when no EXCLUDE clause
  Span span;
};

// The body of OVER (...) or of a WINDOW-clause definition. A null frame
// means the default (RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW).
struct WindowSpec {
  Name base;  // OVER (base ...): an existing window this one extends
  List<Expr*> partition_by;
  List<OrderingTerm> order_by;
  WindowFrame* frame;
  Span span;  // inside the parentheses
};

struct NamedWindow {
  Name name;
  WindowSpec* spec;
  Span span;
};

// ---------------------------------------------------------------- SELECT

struct ResultColumn {
  enum class Kind : uint8_t { kExpr, kStar, kTableStar };
  Kind kind;
  Expr* expr;  // kExpr
  Name table;  // kTableStar: the t of t.*
  Name alias;  // AS alias or bare alias; absent otherwise
  // The text SQLite names the column by when it has no alias: from the first
  // token of the expression to the start of the next token (so a comment in
  // between is included), leading/trailing white space trimmed.
  Span span;
};

// Join flags, as SQLite's JT_* (parse/ast.h is the only place they live).
namespace join {
inline constexpr uint8_t kInner = 0x01;
inline constexpr uint8_t kCross = 0x02;
inline constexpr uint8_t kNatural = 0x04;
inline constexpr uint8_t kLeft = 0x08;
inline constexpr uint8_t kRight = 0x10;
inline constexpr uint8_t kOuter = 0x20;
}  // namespace join

enum class IndexHint : uint8_t { kNone, kIndexedBy, kNotIndexed };

// One term of a FROM clause. SQLite's parser flattens parentheses the same
// way: `FROM (a JOIN b) ...` as the first term without alias or constraint is
// `FROM a JOIN b ...`; a parenthesized single term takes the outer alias and
// constraint (its own alias is dropped, as in SQLite); anything else is a
// kJoinGroup (SQLite's nested-FROM subquery).
struct FromItem {
  enum class Kind : uint8_t { kTable, kTableFunction, kSubquery, kJoinGroup };
  Kind kind;
  // How this term joins the one before it (0 for the first term): join::*
  // flags; `comma` when written as a comma, plain JOIN is join::kInner.
  uint8_t join;
  bool comma;
  QualifiedName table;    // kTable, kTableFunction
  List<Expr*> func_args;  // kTableFunction
  Select* subquery;       // kSubquery
  List<FromItem*> group;  // kJoinGroup
  Name alias;
  IndexHint hint;
  Name index;  // INDEXED BY index
  Expr* on;    // ON expr; nullptr otherwise
  List<Name> using_columns;
  bool has_using;
  Span span;
};

enum class CompoundOp : uint8_t { kNone, kUnion, kUnionAll, kIntersect, kExcept };

// One SELECT ... or VALUES ... of a (possibly compound) select.
struct SelectCore {
  bool is_values;
  CompoundOp op;  // how this core combines with the previous one; kNone for the first
  Distinctness distinct;
  List<ResultColumn> columns;
  List<FromItem*> from;  // empty without FROM
  Expr* where;
  List<Expr*> group_by;
  Expr* having;
  List<NamedWindow*> windows;
  List<List<Expr*>> rows;  // VALUES rows
  Span span;
};

enum class Materialization : uint8_t { kAny, kMaterialized, kNotMaterialized };

struct CommonTableExpr {
  Name name;
  List<Name> columns;
  Materialization materialized;
  Select* select;
  Span span;
};

struct WithClause {
  bool recursive;
  List<CommonTableExpr*> ctes;
  Span span;
};

// A full select: WITH, one or more cores, and the ORDER BY / LIMIT that apply
// to the whole compound (SQLite rejects them on a non-final core).
struct Select {
  WithClause* with;
  List<SelectCore*> cores;
  List<OrderingTerm> order_by;
  Expr* limit;
  Expr* offset;  // LIMIT a OFFSET b and LIMIT b, a both set offset
  Span span;
};

// ---------------------------------------------------------------- statements

enum class StmtKind : uint8_t {
  kSelect,
  kInsert,
  kUpdate,
  kDelete,
  kCreateTable,
  kCreateIndex,
  kCreateView,
  kCreateTrigger,
  kCreateVirtualTable,
  kCreateExtension,
  kDrop,
  kAlterTable,
  kAttach,
  kDetach,
  kBegin,
  kCommit,
  kRollback,
  kSavepoint,
  kRelease,
  kPragma,
  kVacuum,
  kReindex,
  kAnalyze,
};

struct Stmt {
  StmtKind kind;
  Span span;  // first token .. last token of the statement (without ';')
  template <typename T>
  T* as() {
    assert(kind == T::kKind);
    return static_cast<T*>(this);
  }
  template <typename T>
  const T* as() const {
    assert(kind == T::kKind);
    return static_cast<const T*>(this);
  }
};

enum class ConflictAction : uint8_t { kDefault, kRollback, kAbort, kFail, kIgnore, kReplace };

struct SelectStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kSelect;
  Select* select;
};

// SET a = e | SET (a, b) = e
struct SetClause {
  List<Name> columns;
  bool parenthesized;
  Expr* value;
  Span span;
};

// ON CONFLICT [(target) [WHERE e]] DO NOTHING | DO UPDATE SET ... [WHERE e]
struct Upsert {
  List<OrderingTerm> target;  // empty: no target
  Expr* target_where;
  bool do_update;
  List<SetClause> set;
  Expr* where;
  Span span;
};

struct InsertStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kInsert;
  WithClause* with;
  bool replace_keyword;  // REPLACE INTO (then or_conflict is kReplace)
  ConflictAction or_conflict;
  QualifiedName table;
  Name alias;  // INSERT INTO t AS a
  List<Name> columns;
  Select* select;  // VALUES are a select of VALUES cores; nullptr with DEFAULT VALUES
  bool default_values;
  List<Upsert*> upserts;
  List<ResultColumn> returning;
};

struct UpdateStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kUpdate;
  WithClause* with;
  ConflictAction or_conflict;
  QualifiedName table;
  Name alias;
  IndexHint hint;
  Name index;
  List<SetClause> set;
  List<FromItem*> from;
  Expr* where;
  List<ResultColumn> returning;
  List<OrderingTerm> order_by;  // only with ParseOptions::update_delete_limit
  Expr* limit;
  Expr* offset;
};

struct DeleteStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kDelete;
  WithClause* with;
  QualifiedName table;
  Name alias;
  IndexHint hint;
  Name index;
  Expr* where;
  List<ResultColumn> returning;
  List<OrderingTerm> order_by;  // only with ParseOptions::update_delete_limit
  Expr* limit;
  Expr* offset;
};

enum class FkAction : uint8_t { kNone, kSetNull, kSetDefault, kCascade, kRestrict, kNoAction };

// REFERENCES t [(cols)] [ON DELETE|UPDATE action | MATCH name]... [[NOT] DEFERRABLE [INITIALLY ...]]
struct ForeignKeyClause {
  Name table;
  List<Name> columns;
  FkAction on_delete;  // kNone when not given (SQLite: NO ACTION)
  FkAction on_update;
  List<Name> match;  // MATCH names (parsed, ignored by SQLite)
  // The deferral clause: SQLite defers only for DEFERRABLE INITIALLY DEFERRED.
  bool has_deferral;
  bool not_deferrable;
  enum class Initially : uint8_t { kNone, kDeferred, kImmediate } initially;
  bool deferred() const { return has_deferral && !not_deferrable && initially == Initially::kDeferred; }
  Span span;
};

enum class GeneratedStorage : uint8_t { kVirtual, kStored };

struct ColumnConstraint {
  enum class Kind : uint8_t {
    kName,  // a CONSTRAINT name followed by no constraint (allowed by SQLite)
    kPrimaryKey,
    kNotNull,
    kNull,  // NULL [ON CONFLICT ...]: accepted, no effect
    kUnique,
    kCheck,
    kDefault,
    kCollate,
    kReferences,
    kDeferral,  // a [NOT] DEFERRABLE clause on its own: applies to the last REFERENCES
    kGenerated,
  };
  Kind kind;
  Name name;                   // CONSTRAINT name preceding this constraint; absent otherwise
  ConflictAction on_conflict;  // PRIMARY KEY, NOT NULL, NULL, UNIQUE
  SortOrder order;             // PRIMARY KEY ASC|DESC
  bool autoincrement;          // PRIMARY KEY ... AUTOINCREMENT
  // CHECK and GENERATED: the expression; DEFAULT: the value (a `DEFAULT -x`
  // is a kNegate UnaryExpr; `DEFAULT ident` a string literal, or kTrue/kFalse).
  Expr* expr;
  // DEFAULT: the text SQLite stores as the default (pragma table_info's
  // dflt_value), white space trimmed: the term, `-term`, or what is inside
  // the parentheses of DEFAULT (expr).
  Span default_text;
  Name collation;                 // kCollate
  ForeignKeyClause* foreign_key;  // kReferences; kDeferral fills only the deferral fields
  GeneratedStorage storage;       // kGenerated
  Name storage_word;              // kGenerated: the word after the parentheses as written, if any
  bool generated_always;          // written GENERATED ALWAYS AS rather than AS
  Span span;
};

struct ColumnDef {
  Name name;
  // The declared type as SQLite keeps it: the type tokens' text with
  // a trailing "GENERATED ALWAYS" removed (the grammar lets a type name
  // absorb those two words); dequoted when the whole type is one quoted token.
  TypeName type;
  List<ColumnConstraint*> constraints;
  Span span;
};

struct TableConstraint {
  enum class Kind : uint8_t { kName, kPrimaryKey, kUnique, kCheck, kForeignKey };
  Kind kind;
  Name name;
  List<OrderingTerm> columns;  // PRIMARY KEY, UNIQUE (an indexed-column list)
  bool autoincrement;          // PRIMARY KEY (... AUTOINCREMENT)
  ConflictAction on_conflict;
  Expr* check;
  List<Name> fk_columns;  // FOREIGN KEY (cols)
  ForeignKeyClause* foreign_key;
  Span span;
};

struct CreateTableStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kCreateTable;
  bool temp;
  bool if_not_exists;
  QualifiedName name;
  List<ColumnDef*> columns;
  List<TableConstraint*> constraints;
  bool without_rowid;
  bool strict;
  Select* as_select;  // CREATE TABLE ... AS SELECT
  // End of the text SQLite stores in sqlite_schema ("CREATE TABLE " + the
  // text from the table name's token to here): the closing parenthesis, or
  // with table options the start of the terminating ';' (or end of input).
  uint32_t schema_text_end;
};

struct IndexParam {
  Name key;
  Expr* value;
  Span span;
};

// SQLite stores "CREATE [UNIQUE] INDEX " + the text from the index name's
// token up to ParsedStatement::terminator (trailing white space kept).
struct CreateIndexStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kCreateIndex;
  bool unique;
  bool if_not_exists;
  QualifiedName name;
  Name table;
  Name method;                 // Keel: USING method (absent for a b-tree index)
  List<OrderingTerm> columns;  // expressions; COLLATE appears as CollateExpr
  List<IndexParam> params;     // Keel: WITH (k = v, ...)
  Expr* where;                 // partial index
};

// SQLite stores the statement text from CREATE up to the terminator, trailing
// white space removed (with "CREATE VIEW" normalized by the code generator).
struct CreateViewStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kCreateView;
  bool temp;
  bool if_not_exists;
  QualifiedName name;
  List<Name> columns;
  Select* select;
};

enum class TriggerTime : uint8_t { kDefault, kBefore, kAfter, kInsteadOf };  // kDefault acts as BEFORE
enum class TriggerEvent : uint8_t { kDelete, kInsert, kUpdate };

struct CreateTriggerStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kCreateTrigger;
  bool temp;
  bool if_not_exists;
  QualifiedName name;
  TriggerTime time;
  TriggerEvent event;
  List<Name> update_columns;  // UPDATE OF cols
  QualifiedName table;
  bool for_each_row;
  Expr* when;
  // Steps: InsertStmt, UpdateStmt, DeleteStmt or SelectStmt. Each step's span
  // is its text, as SQLite keeps it for the trigger program.
  List<Stmt*> steps;
};

struct CreateVirtualTableStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kCreateVirtualTable;
  bool if_not_exists;
  QualifiedName name;
  Name module;
  bool has_args;                     // written with parentheses
  List<Span> args;                   // raw text of each non-empty argument, first token .. last token
  List<std::string_view> arg_texts;  // the same arguments as text
};

// A CREATE (or DROP) statement that is not one of SQLite's: kept raw so a
// module that owns a kind of schema object (e.g. CREATE MATERIALIZED VIEW,
// DROP MATERIALIZED VIEW) can claim it.
// When none does, `error` is the exact syntax error SQLite reports for it.
struct CreateExtensionStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kCreateExtension;
  bool temp;               // CREATE TEMP ...
  bool drop = false;       // DROP rather than CREATE
  List<Name> words;        // the leading word tokens after CREATE [TEMP] / DROP (keywords included)
  Span body;               // everything after CREATE [TEMP] / DROP
  std::string_view error;  // e.g. `near "MATERIALIZED": syntax error`
  uint32_t error_offset;
  std::string_view body_text;  // the text of `body`
};

struct DropStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kDrop;
  enum class Object : uint8_t { kTable, kIndex, kView, kTrigger };
  Object object;
  bool if_exists;
  QualifiedName name;
};

struct AlterTableStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kAlterTable;
  enum class Action : uint8_t { kRenameTable, kRenameColumn, kAddColumn, kDropColumn };
  Action action;
  QualifiedName table;
  Name new_name;          // kRenameTable, kRenameColumn
  Name column;            // kRenameColumn, kDropColumn
  ColumnDef* column_def;  // kAddColumn
  bool column_keyword;    // COLUMN was written
};

struct AttachStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kAttach;
  Expr* filename;
  Expr* schema;  // an expression in SQLite's grammar (an identifier is taken as its name)
  Expr* key;     // KEY expr; nullptr otherwise
};

struct DetachStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kDetach;
  Expr* schema;
};

enum class TransactionKind : uint8_t { kDefault, kDeferred, kImmediate, kExclusive, kConcurrent };

struct BeginStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kBegin;
  TransactionKind type;   // kConcurrent is Keel's BEGIN CONCURRENT
  Name transaction_name;  // BEGIN TRANSACTION name (ignored by SQLite)
};

struct CommitStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kCommit;
  bool end_keyword;
};

struct RollbackStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kRollback;
  Name savepoint;  // ROLLBACK TO [SAVEPOINT] name; absent for a plain rollback
};

struct SavepointStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kSavepoint;
  Name name;
};

struct ReleaseStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kRelease;
  Name name;
};

struct PragmaStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kPragma;
  enum class Form : uint8_t { kNoValue, kAssign, kCall };  // PRAGMA x | x = v | x(v)
  QualifiedName name;
  Form form;
  // The value as SQLite passes it on: the dequoted token, "-" prepended for
  // a negative number, no "+" for a positive one.
  std::string_view value;
  Span value_span;
};

struct VacuumStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kVacuum;
  Name schema;
  Expr* into;
};

struct ReindexStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kReindex;
  QualifiedName name;  // absent: every index
};

struct AnalyzeStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kAnalyze;
  QualifiedName name;  // absent: every database
};

enum class ExplainMode : uint8_t { kNone, kExplain, kQueryPlan };

// A bound parameter name and the number it was given.
struct Parameter {
  int32_t number;
  std::string_view name;  // as written: "?3", ":a", "$x"; nameless "?" are not listed
};

// The result of parsing one statement.
struct ParsedStatement {
  Stmt* stmt;  // nullptr when the input held only white space, comments and ';'
  ExplainMode explain;
  Span span;                // the statement without a leading EXPLAIN and without ';'
  uint32_t terminator;      // offset of the ';' ending the statement, or of the end of input
  uint32_t tail;            // where the next statement begins (just after the ';')
  int32_t parameter_count;  // highest parameter number (sqlite3_bind_parameter_count)
  List<Parameter> parameters;
};

}  // namespace keel::parse
