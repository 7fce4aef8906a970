// The columns of a table as the CDC images need them: names (for JSON),
// which one is the INTEGER PRIMARY KEY (its record slot holds NULL; the
// image carries the rowid there) and the defaults of columns that records
// written before an ALTER TABLE ADD COLUMN lack.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keel/ext/session.hpp"
#include "keel/status.hpp"
#include "keel/value.hpp"

namespace keel::cdc {

struct TableShape {
  std::vector<std::string> names;
  int ipk = -1;  // index of the rowid alias column, -1 if none
  // Default expressions (SQL text) per column; empty optional: none.
  std::vector<std::optional<std::string>> default_sql;
  // Evaluated defaults, filled by load_defaults() (when the shape is first
  // used, or failing that at the first row that needs them).
  std::vector<Value> defaults;
  bool defaults_loaded = false;
};

// Reads the shape of `database`.`table` through the connection
// (PRAGMA table_info). "no such table: X" if it does not exist.
Result<TableShape> load_table_shape(ext::Session& session, std::string_view database, std::string_view table);

// Evaluates the default expressions once (a nested SELECT).
Status load_defaults(ext::Session& session, TableShape& shape);

// True for the schema tables DDL is reported on.
bool is_schema_table(std::string_view table);

}  // namespace keel::cdc
