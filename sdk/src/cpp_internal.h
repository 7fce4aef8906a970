// The C++ API's private halves: the Impl structs behind Database, Connection
// and Statement, and the adapters from keel::Value / user callables to the
// engine's vm::Value and func::FunctionDef.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/connection.h"
#include "engine/statement.h"
#include "func/function.h"
#include "keel/connection.hpp"
#include "keel/database.hpp"
#include "keel/statement.hpp"
#include "keel/value.hpp"
#include "vm/collation.h"
#include "vm/public_value.h"
#include "vm/value.h"

namespace keel {

struct Connection::Impl {
  std::unique_ptr<engine::Connection> conn;
};

struct Statement::Impl {
  engine::Connection* conn = nullptr;
  std::unique_ptr<engine::Statement> st;
  // Text renderings of numeric columns for column_text, by column.
  mutable std::vector<std::string> scratch;
};

namespace cpp {


// FunctionDefs and collations built from the C++ callables.
func::FunctionDef scalar_def(std::string_view name, int n_arg, ScalarFunction fn, FunctionOptions options);
func::FunctionDef aggregate_def(std::string_view name, int n_arg, AggregateFactory factory);
std::shared_ptr<vm::Collation> collation(std::string_view name, CollationFunction compare);

// Validates a function name and argument count as sqlite3_create_function does.
Status check_function(std::string_view name, int n_arg);

}  // namespace cpp
}  // namespace keel
