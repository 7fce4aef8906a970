// Index methods in the planner: CREATE INDEX ... USING method, its form in
// sqlite_schema, DROP, and routing scans to a method's rowid cursor.
//
// The method itself (keel/ext/index_method.hpp) lives in a module; the
// planner reaches it only through IndexMethodLookup, which the connection
// provides (the module layer implements it), so compiling never touches
// storage or module state beyond asking for shapes and estimates.
//
// Stored form (see the SDK header for what stock SQLite does with it):
//   CREATE INDEX i ON t(c, ...) WHERE keel_index_method('method', 'key', value, ...)
// Both that text and the USING form compile to the same index.
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "keel/ext/index_method.hpp"
#include "keel/status.hpp"
#include "parse/ast.h"
#include "plan/schema.h"
#include "vm/value.h"

namespace keel::plan {

class CodeGen;
struct Scope;
struct FromTerm;
struct WhereLevel;

// What the planner may ask about index methods (implemented by the
// connection's module layer).
class IndexMethodLookup {
 public:
  virtual ~IndexMethodLookup() = default;
  // The shapes index `idx` answers; missing_method_error(idx) if no loaded
  // module provides its method.
  virtual Result<std::vector<ext::QueryShape>> shapes(const Index& idx) const = 0;
  // The method's estimate for `shape` (known[i]: args[i] is a compile-time value).
  virtual ext::IndexCost estimate(const Index& idx, int shape, std::span<const vm::Value> args,
                                  std::span<const bool> known) const = 0;
  // CREATE INDEX: the method exists and accepts the definition.
  virtual Status validate(const Index& idx) const = 0;
};

// "no such index method: trigram (index i)".
Status missing_method_error(const Index& idx);

// The name of the stored form's function.
inline constexpr std::string_view kIndexMethodFunction = "keel_index_method";

struct MethodIndexSpec {
  std::string method;  // lower case
  std::vector<std::pair<std::string, vm::Value>> options;
};

// Whether `st` declares an index-method index (USING, or the stored form);
// fills *spec. Malformed stored forms and non-constant options are errors.
Result<bool> method_index_spec(const parse::CreateIndexStmt* st, MethodIndexSpec* spec);

// CREATE INDEX for an index method (code_create_index hands over once it
// knows the table and that the name is free): checks the definition, asks
// the method to validate it, fills *idx as the schema will load it, and
// returns the text to store in sqlite_schema.
Result<std::string> method_index_sql(CodeGen& g, const parse::CreateIndexStmt* st, Table* t, int db,
                                     const MethodIndexSpec& spec, Index* idx);
// Emits the call of the method's create() (create = true: then every row
// of the table is indexed) or drop() for index `index` of database `db`.
void code_index_method_command(CodeGen& g, int db, const std::string& index, bool create);

// DROP INDEX and DROP TABLE: emits the call of the method's drop(); must run
// while the index is still in the catalog (before OP_DropIndex/DropTable).
Status code_drop_method_index(CodeGen& g, const Index* idx);

// The planner hook, for a level that would otherwise scan its whole table:
// if a WHERE term (or the ORDER BY ... LIMIT, when nothing else filters)
// matches a shape of one of the table's method indexes, codes the scan of
// that index's rowid cursor (each candidate seeks the table by rowid; the
// caller still tests every term) and sets *routed; *top is the loop body.
// `order_limit_reg` holds LIMIT+OFFSET of a single-table ORDER BY ... LIMIT
// (0 if none).
Status code_index_method_scan(CodeGen& g, Scope* scope, FromTerm* t,
                              const std::vector<const parse::Expr*>& terms,
                              const parse::List<parse::OrderingTerm>* order_by, int order_limit_reg,
                              WhereLevel& lv, const std::string& label, int* top, bool* routed);

}  // namespace keel::plan
