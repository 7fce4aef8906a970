// Virtual tables in the planner: how FROM terms become virtual-table scans
// (SQLite's whereLoopAddVirtual / sqlite3VtabCallConnect, in small).
//
// The planner reaches module code only through VtabHost (implemented by the
// engine, which owns the registry of modules and the connected tables) and
// the VirtualTable interface (keel/ext/virtual_table.hpp). A FROM term over
// a virtual table carries its VtabInstance; its loop level is coded by
// code_vtab_level(): the WHERE terms on the table (and the arguments of a
// table-valued function, as EQ constraints on its hidden columns) go through
// best_index(), and the chosen ones are evaluated into VFilter's arguments.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "keel/ext/virtual_table.hpp"
#include "keel/status.hpp"
#include "plan/schema.h"

namespace keel::plan {

// A connected virtual table with its declared columns.
struct VtabInstance {
  std::shared_ptr<ext::VirtualTable> table;
  std::vector<Column> columns;
  std::string module;  // module name as registered
  std::string sql;     // the CREATE VIRTUAL TABLE text it was made from (empty: eponymous)
};

class VtabHost {
 public:
  virtual ~VtabHost() = default;
  // The connected instance of virtual table `t` (a CREATE VIRTUAL TABLE
  // entry of the catalog), connecting on first use. Errors: "no such
  // module: NAME", or the module's own.
  virtual Result<std::shared_ptr<const VtabInstance>> connect_vtab(Table& t) = 0;
  // The eponymous table of module `name` (a table-valued function), or a
  // null pointer when no eponymous module has that name.
  virtual Result<std::shared_ptr<const VtabInstance>> eponymous_vtab(std::string_view name) = 0;
  // True if a module of that name is registered.
  virtual bool has_vtab_module(std::string_view name) const = 0;
};

// Columns of a declared schema ("CREATE TABLE x(a INT, b HIDDEN)"): the word
// HIDDEN is taken out of the type and marks the column hidden, as SQLite's
// vtabCallConstructor does. Errors as sqlite3_declare_vtab's.
Result<std::vector<Column>> declared_columns(std::string_view create_table_sql);

}  // namespace keel::plan
