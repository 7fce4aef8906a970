// AST walking: visits every expression, select and name of a tree in source
// order, so passes such as ALTER TABLE's rename (which rewrites schema SQL at
// the spans of the identifiers it finds) or dependency collection need not
// repeat the shape of every node.
#pragma once

#include <cstdint>

#include "parse/ast.h"

namespace keel::parse {

// What a visited name denotes, as far as the syntax tells.
enum class NameRole : uint8_t {
  kSchema,
  kTable,   // a table (or view) reference or definition
  kColumn,  // a column reference or definition (incl. column lists)
  kAlias,   // a result-column or FROM-term alias
  kIndex,
  kTrigger,
  kView,    // the name defined by CREATE VIEW
  kCte,     // a WITH-clause name
  kWindow,  // a window name (definition or reference)
  kFunction,
  kCollation,
  kModule,  // a virtual-table module or an index method
  kConstraint,
  kOther,  // savepoints, pragmas, transaction names, storage words...
};

class AstVisitor {
 public:
  virtual ~AstVisitor() = default;
  // Called before the children of e; return false to skip them.
  virtual bool expr(const Expr& e) {
    (void)e;
    return true;
  }
  // Called before the parts of s.
  virtual void select(const Select& s) { (void)s; }
  // Called for every present name.
  virtual void name(const Name& n, NameRole role) {
    (void)n;
    (void)role;
  }
};

void walk(const Stmt& stmt, AstVisitor& v);
void walk(const Select& select, AstVisitor& v);
void walk(const Expr& expr, AstVisitor& v);

}  // namespace keel::parse
