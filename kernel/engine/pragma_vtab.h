// PRAGMA functions as table-valued functions (SQLite's pragma virtual
// tables, pragma.c's pragmaVtab*): `SELECT * FROM pragma_table_info('t')`,
// `FROM sqlite_schema m JOIN pragma_index_list(m.name)`.
//
// Every pragma that returns rows has an eponymous module named
// "pragma_NAME" whose columns are the pragma's result columns, followed by
// the hidden columns `arg` (for pragmas taking an argument) and `schema`
// (for pragmas applying to one database), exactly as SQLite 3.40 declares
// them. A scan runs `PRAGMA "schema".NAME('arg')` on the connection as a
// nested statement and returns its rows; the hidden columns report the
// arguments back.
#pragma once

#include <memory>
#include <vector>

#include "keel/ext/virtual_table.hpp"

namespace keel::engine {

class Connection;

// The modules of every such pragma, bound to `conn` (which outlives them:
// the connection's registry owns them).
std::vector<std::shared_ptr<ext::VirtualTableModule>> make_pragma_modules(Connection& conn);

}  // namespace keel::engine
