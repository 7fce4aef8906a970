// The engine's door to index methods (keel/ext/index_method.hpp): what a
// connection calls when a statement creates, drops, writes or scans an
// index-method index. The module layer implements it (ext/index_methods.h)
// per connection, over the methods of the modules the connection loaded;
// a connection without it knows no method, and any use of such an index
// except reading its table fails with plan::missing_method_error.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "keel/ext/index_method.hpp"
#include "keel/status.hpp"
#include "plan/index_method.h"
#include "vm/program.h"
#include "vm/value.h"

namespace keel::engine {

class Connection;

class IndexMethodRuntime : public plan::IndexMethodLookup {
 public:
  // CREATE INDEX (its schema row already loaded): the method's create(),
  // then every row of the table inserted.
  virtual Status create_index(Connection& c, int db, std::string_view index) = 0;
  // DROP INDEX / DROP TABLE (the index still in the catalog).
  virtual Status drop_index(Connection& c, int db, std::string_view index) = 0;
  // A row of `table` changed (kind 1 insert, 0 update, -1 delete; images
  // are the table's records): maintains each of its method indexes.
  virtual Status row_changed(Connection& c, const plan::Table& table, int kind, int64_t rowid,
                             int64_t old_rowid, std::span<const uint8_t> before,
                             std::span<const uint8_t> after) = 0;
  // OP_IdxMethodFilter.
  virtual Result<std::unique_ptr<ext::IndexCursor>> query(Connection& c, const vm::IndexMethodScan& scan,
                                                          std::span<const vm::Value> args, int64_t limit) = 0;
  // The schema changed: open instances are reopened on next use.
  virtual void forget_instances() = 0;
};

}  // namespace keel::engine
