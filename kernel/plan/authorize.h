// The authorizer's checks at compile time (authorize.cpp): see
// sqlite3_set_authorizer. Each returns an error for SQLITE_DENY (or a
// malfunctioning callback) and sets *ignore for SQLITE_IGNORE; without an
// authorizer they do nothing.
#pragma once

#include <string_view>
#include <vector>

#include "keel/status.hpp"
#include "parse/ast.h"

namespace keel::plan {

class CodeGen;
struct FromTerm;

// sqlite3.h's action codes.
namespace auth {
enum : int {
  kCreateIndex = 1,
  kCreateTable = 2,
  kCreateTempIndex = 3,
  kCreateTempTable = 4,
  kCreateTempTrigger = 5,
  kCreateTempView = 6,
  kCreateTrigger = 7,
  kCreateView = 8,
  kDelete = 9,
  kDropIndex = 10,
  kDropTable = 11,
  kDropTempIndex = 12,
  kDropTempTable = 13,
  kDropTempTrigger = 14,
  kDropTempView = 15,
  kDropTrigger = 16,
  kDropView = 17,
  kInsert = 18,
  kPragma = 19,
  kRead = 20,
  kSelect = 21,
  kTransaction = 22,
  kUpdate = 23,
  kAttach = 24,
  kDetach = 25,
  kAlterTable = 26,
  kReindex = 27,
  kAnalyze = 28,
  kCreateVtable = 29,
  kDropVtable = 30,
  kFunction = 31,
  kSavepoint = 32,
  kRecursive = 33,
};
}  // namespace auth

// The statement as a whole (before it is coded). *ignore: compile nothing.
Status authorize_statement(CodeGen& g, const parse::Stmt* st, bool* ignore);
// A column of a table read by the query (col -1: the rowid). *ignore: NULL.
Status authorize_read(CodeGen& g, const FromTerm* t, int col, bool* ignore);
// A table of `terms` none of whose columns was asked about (count(*)).
Status authorize_unread_tables(CodeGen& g, const std::vector<FromTerm*>& terms);
// A SELECT inside the statement (subquery, CTE or view body).
Status authorize_select(CodeGen& g);
// A function call. *ignore: the call yields NULL.
Status authorize_function(CodeGen& g, std::string_view name, bool* ignore);
// A recursive common table expression.
Status authorize_recursive(CodeGen& g);

}  // namespace keel::plan
