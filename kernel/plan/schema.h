// Schema objects: tables, indexes, views and triggers of every database a
// connection has open, as loaded from each database's sqlite_schema table.
//
// Each object keeps the SQL text it was created with and the AST parsed from
// it (in its own arena), because the code generator needs default values,
// CHECK constraints, generated-column expressions, partial-index conditions,
// view bodies and trigger programs as trees.
//
// Database numbers are SQLite's: 0 = main, 1 = temp, 2.. = attached.
// Name lookups are case-insensitive (ASCII), as SQLite's.
//
// Thread-safety: a Catalog belongs to one connection.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.hpp"
#include "parse/arena.h"
#include "parse/ast.h"
#include "vm/affinity.h"
#include "vm/record_compare.h"
#include "vm/value.h"

namespace keel::plan {

// ASCII case-insensitive ordering for name maps.
struct NameLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

// Owns SQL text and the AST parsed from it.
struct ParsedSql {
  std::string sql;
  parse::Arena arena;
  const parse::Stmt* stmt = nullptr;
};

enum class GeneratedKind : uint8_t { kNone, kVirtual, kStored };

struct Column {
  std::string name;
  std::string type;  // declared type as SQLite keeps it ("" when none)
  vm::Affinity affinity = vm::Affinity::kBlob;
  vm::StrictType strict_type = vm::StrictType::kAny;
  std::string collation;  // "" = BINARY
  bool not_null = false;
  uint8_t not_null_conflict = 0;  // parse::ConflictAction
  bool primary_key = false;
  bool hidden = false;
  GeneratedKind generated = GeneratedKind::kNone;
  const parse::Expr* default_expr = nullptr;  // in the table's ParsedSql arena
  std::string default_text;                   // PRAGMA table_info's dflt_value
  const parse::Expr* generated_expr = nullptr;
};

struct Table;

struct Index {
  std::string name;
  std::string table_name;
  int db = 0;
  uint32_t root = 0;
  bool unique = false;
  uint8_t on_conflict = 0;  // parse::ConflictAction
  char origin = 'c';        // 'c' CREATE INDEX, 'u' UNIQUE constraint, 'pk' PRIMARY KEY → 'p'
  // Key columns: table column index, -1 for the rowid, -2 for an expression
  // (then exprs[i] holds it).
  std::vector<int> columns;
  std::vector<const parse::Expr*> exprs;
  std::vector<std::string> collations;  // per key column; "" = column's / BINARY
  std::vector<bool> desc;
  const parse::Expr* where = nullptr;  // partial index condition
  int n_key_columns = 0;               // columns before the rowid / PK suffix
  // Index methods (plan/index_method.h): CREATE INDEX ... USING method.
  // Such an index is not in Table::indexes (nothing maintains its b-tree,
  // which stays empty) but in Table::method_indexes.
  std::string method;                                          // empty: a b-tree index
  std::vector<std::pair<std::string, vm::Value>> method_options;  // WITH (key = value, ...)
  std::shared_ptr<ParsedSql> parsed;   // null for automatic indexes
  std::unique_ptr<vm::KeyInfo> key_info;
  Table* table = nullptr;
  // Statistics (plan/stat1.h): SQLite's aiRowLogEst — LogEst of the entries,
  // then of the rows one value of the first 1, 2, ... key columns matches
  // (n_key_columns + 1 entries, from sqlite_stat1 or SQLite's defaults).
  std::vector<int16_t> row_log_est;
  bool has_stat1 = false;
  bool stat_unordered = false;  // "unordered" in the stat text
};

struct ForeignKey {
  std::vector<std::string> from_columns;
  std::string to_table;
  std::vector<std::string> to_columns;  // empty = the parent's primary key
  uint8_t on_delete = 0;                // parse::FkAction
  uint8_t on_update = 0;
  bool deferred = false;
};

struct Trigger {
  std::string name;
  std::string table_name;
  int db = 0;
  int table_db = 0;
  std::shared_ptr<ParsedSql> parsed;  // a CreateTriggerStmt
};

struct Table {
  std::string name;
  int db = 0;
  uint32_t root = 0;  // 0 for views
  std::vector<Column> columns;
  int rowid_alias = -1;  // INTEGER PRIMARY KEY column, or -1
  uint8_t rowid_conflict = 0;  // its ON CONFLICT (parse::ConflictAction)
  bool without_rowid = false;
  bool strict = false;
  bool autoincrement = false;
  bool is_view = false;
  bool is_virtual = false;
  std::vector<Index*> indexes;   // owned by the DatabaseSchema
  std::vector<Index*> method_indexes;  // CREATE INDEX ... USING method; owned by the DatabaseSchema
  Index* primary_key = nullptr;  // WITHOUT ROWID or non-INTEGER PRIMARY KEY
  std::vector<const parse::Expr*> checks;
  std::vector<std::string> check_names;
  std::vector<ForeignKey> foreign_keys;
  // Increases with the order tables were loaded (sqlite_schema order): the
  // order SQLite lists the foreign keys referencing a table.
  int64_t load_order = 0;
  std::vector<Trigger*> triggers;
  std::shared_ptr<ParsedSql> parsed;  // CREATE TABLE / VIEW statement
  const parse::Select* view_select = nullptr;
  std::vector<std::string> view_column_names;
  // Statistics (plan/stat1.h): LogEst of the row count (SQLite's
  // nRowLogEst, 200 = about a million rows when unknown), whether
  // sqlite_stat1 gave it, and whether a query used an index of the table
  // whose estimates matter (TF_StatsUsed: PRAGMA optimize analyzes those).
  int16_t row_log_est = 200;
  bool has_stat1 = false;
  bool stats_used = false;

  int find_column(std::string_view name) const;  // -1 if none
};

// One database's schema (main, temp or attached).
class DatabaseSchema {
 public:
  explicit DatabaseSchema(int db) : db_(db) {}

  int db() const { return db_; }
  // Adds one row of sqlite_schema (type, name, tbl_name, rootpage, sql).
  // Rows must arrive in rowid order (tables before their indexes), as the
  // engine reads them. Malformed SQL → rc::kCorrupt "malformed database schema (name)".
  Status add_entry(std::string_view type, std::string_view name, std::string_view tbl_name, int64_t root,
                   std::string_view sql);
  void clear();
  void drop_table(std::string_view name);
  void drop_index(std::string_view name);
  void drop_trigger(std::string_view name);

  Table* find_table(std::string_view name) const;
  Index* find_index(std::string_view name) const;
  Trigger* find_trigger(std::string_view name) const;
  // The sqlite_schema table itself (sqlite_master / sqlite_temp_master),
  // which has no row of its own.
  Table* schema_table() const;
  const std::map<std::string, std::unique_ptr<Table>, NameLess>& tables() const { return tables_; }
  const std::map<std::string, std::unique_ptr<Index>, NameLess>& indexes() const { return indexes_; }
  const std::map<std::string, std::unique_ptr<Trigger>, NameLess>& triggers() const { return triggers_; }

  int64_t schema_cookie = 0;  // the cookie the loaded schema corresponds to
  int file_format = 4;
  bool loaded = false;

 private:
  int db_;
  std::map<std::string, std::unique_ptr<Table>, NameLess> tables_;
  std::map<std::string, std::unique_ptr<Index>, NameLess> indexes_;
  std::map<std::string, std::unique_ptr<Trigger>, NameLess> triggers_;
  mutable std::unique_ptr<Table> schema_table_;
};

// Every database of one connection.
class Catalog {
 public:
  Catalog();
  // Database index by schema name ("main", "temp", attached name); -1 if none.
  int find_database(std::string_view name) const;
  DatabaseSchema& database(int db) { return *dbs_[db].schema; }
  const std::string& database_name(int db) const { return dbs_[db].name; }
  int database_count() const { return static_cast<int>(dbs_.size()); }
  bool has_database(int db) const { return db >= 0 && db < static_cast<int>(dbs_.size()) && dbs_[db].schema; }
  int attach(std::string name);  // returns the new index
  // Removes attached database `db`; those after it move down one number and
  // their schemas are emptied (loaded == false) to be read again.
  void detach(int db);

  // Looks a table up by optional schema name: temp first, then main, then
  // attached in order (SQLite's search order). nullptr if not found.
  Table* find_table(std::string_view schema, std::string_view name) const;
  Index* find_index(std::string_view schema, std::string_view name) const;
  // Adds each TEMP trigger to the trigger list of its table when that table
  // is in another database, dropping such links made before (db_fixer.cpp).
  void link_temp_triggers();

 private:
  struct Db {
    std::string name;
    std::unique_ptr<DatabaseSchema> schema;
  };
  std::vector<Db> dbs_;
};

}  // namespace keel::plan
