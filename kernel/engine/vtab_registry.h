// VtabRegistry: one connection's virtual-table modules and the tables it has
// connected (SQLite's db->aModule and the per-table VTable lists).
//
// Modules are registered by name (built-ins at open, sqlite3_create_module
// and the SDK later); registering a name again replaces the module for
// tables connected afterwards. Tables are connected on first use and kept
// until DROP TABLE, until their schema entry changes (another CREATE text
// under that name: a schema reload after ROLLBACK or another connection's
// change keeps unchanged tables connected), or the connection closing;
// eponymous tables (table-valued functions) are connected once per module.
//
// Thread-safety: used by the connection's thread only.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keel/ext/virtual_table.hpp"
#include "keel/status.hpp"
#include "plan/schema.h"
#include "plan/vtab.h"

namespace keel::engine {

class VtabRegistry {
 public:
  // Adds or replaces the module registered under module->name().
  void add_module(std::shared_ptr<ext::VirtualTableModule> module);
  // Removes a module; false if none had that name.
  bool remove_module(std::string_view name);
  ext::VirtualTableModule* find_module(std::string_view name) const;
  std::vector<std::string> module_names() const;

  // The eponymous table of `name`, or a null pointer when no eponymous
  // module has that name.
  Result<std::shared_ptr<const plan::VtabInstance>> eponymous(std::string_view name);
  // The instance of the CREATE VIRTUAL TABLE entry `t` of database `db_name`:
  // cached, else create() (when `create`) or connect() of its module. Fills
  // t.columns from the declared schema when they are empty.
  Result<std::shared_ptr<const plan::VtabInstance>> connect(plan::Table& t, std::string_view db_name,
                                                            bool create);
  // DROP TABLE: destroy() on the table (connecting first if needed), then
  // forget it.
  Status destroy(plan::Table& t, std::string_view db_name);
  // Forgets the connected tables of database `db` (schema reset).
  void forget_database(int db);
  void forget_table(int db, std::string_view name);
  void clear();
  // The connection handed to modules as VirtualTableArgs::session.
  void set_connection(void* connection) { connection_ = connection; }

 private:
  void* connection_ = nullptr;
  std::map<std::string, std::shared_ptr<ext::VirtualTableModule>, plan::NameLess> modules_;
  std::map<std::string, std::shared_ptr<const plan::VtabInstance>, plan::NameLess> eponymous_;
  std::map<std::pair<int, std::string>, std::shared_ptr<const plan::VtabInstance>>
      tables_;  // (db, lower name)
};

}  // namespace keel::engine
