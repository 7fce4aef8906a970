// The planner's front door: AST + schema → Program.
//
// compile() turns one parsed statement into a Program for the VM: it
// resolves names against the connection's Catalog (schemas of main, temp and
// attached databases), applies SQLite's type and collation rules, chooses
// access paths (indexes, join order, automatic indexes, sorting), and emits
// VDBE-style bytecode. It never touches storage: everything it needs to know
// about the files is in the Catalog, which the engine loads from each
// database's sqlite_schema table (load_schema_entry) and refreshes after DDL.
//
// Engine-level work that is not bytecode-shaped (most PRAGMAs, VACUUM, ATTACH
// bookkeeping) is compiled to an OP_Pragma whose P4 is an EngineCommand the
// engine executes through VmHost::run_command.
//
// Errors are SQLite's texts with rc::kError (no such table: t, no such
// column: c, ambiguous column name: c, misuse of aggregate: f(), ...).
//
// Thread-safety: a Catalog belongs to one connection.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "func/function.h"
#include "keel/ext/pragma.hpp"
#include "keel/ext/schema_object.hpp"
#include "keel/status.hpp"
#include "parse/ast.h"
#include "plan/index_method.h"
#include "plan/schema.h"
#include "vm/collation.h"
#include "vm/program.h"

namespace keel::plan {

class VtabHost;  // plan/vtab.h

// Connection settings that change how statements compile.
struct CompileOptions {
  bool case_sensitive_like = false;
  bool foreign_keys = false;
  bool defer_foreign_keys = false;  // PRAGMA defer_foreign_keys (reset when a transaction ends)
  bool recursive_triggers = false;
  bool reverse_unordered_selects = false;
  bool legacy_alter_table = false;
  bool dqs_dml = true;  // double-quoted strings as literals in DML (SQLite's default build)
  bool dqs_ddl = true;
  // A change observer is installed: DELETE without WHERE deletes row by row
  // (no truncate shortcut) so that every row change is reported.
  bool observe_changes = false;
  // A statement the engine runs for itself (ANALYZE creating sqlite_stat1,
  // SQLite's nested parse): sqlite_* names are not refused.
  bool internal_names = false;
  int64_t max_length = 1000000000;
  int max_sql_length = 1000000000;
};

// Collations known to the connection (built-ins plus user-registered).
class CollationLookup {
 public:
  virtual ~CollationLookup() = default;
  virtual const vm::Collation* find_collation(std::string_view name) const = 0;
};

// An engine-level command carried by OP_Pragma (P4).
struct EngineCommand {
  enum class Kind : uint8_t {
    kPragma,             // name/value/db: a PRAGMA the engine answers
    kVacuum,             // db, into (file name or empty)
    kAttach,             // value = file name, name = schema name
    kDetach,             // name
    kIndexMethodCreate,  // db, name = index: create the method's storage and index the table's rows
    kIndexMethodDrop,    // db, name = index: the method's drop()
    // CREATE/DROP of a module's kind of object: `object` is its index in
    // CompileInput::schema_objects, `value` the statement, `name` the text
    // after the keywords (DROP: the object name), has_value = TEMP / IF
    // EXISTS, `drop` tells which.
    kSchemaObject,
  };
  Kind kind = Kind::kPragma;
  std::string name;
  std::string value;
  bool has_value = false;
  int db = 0;         // database index, or -1 when none was named
  int n_columns = 0;  // result columns the command produces
  int object = -1;    // kSchemaObject
  // kAttach: the file and schema names are computed at run time and handed
  // to the engine as the two values of the rows vector (OP_Pragma P5 = 1).
  bool args_in_rows = false;
  bool drop = false;  // kSchemaObject
};

// sqlite3_set_authorizer's callback: (action, arg1, arg2, database,
// trigger) -> SQLITE_OK, SQLITE_DENY or SQLITE_IGNORE (plan/authorize.h).
using Authorizer = std::function<int(int, const char*, const char*, const char*, const char*)>;

struct CompileInput {
  const parse::ParsedStatement* statement = nullptr;
  std::string_view sql;  // the text the AST points into
  Catalog* catalog = nullptr;
  const func::FunctionRegistry* functions = nullptr;
  const CollationLookup* collations = nullptr;
  VtabHost* vtabs = nullptr;  // virtual tables and table-valued functions; null: none
  CompileOptions options;
  // Pragmas of the connection's modules (their result columns).
  const std::vector<std::shared_ptr<ext::PragmaHandler>>* module_pragmas = nullptr;
  // Index methods of the connection's modules (nullptr: none loaded).
  const IndexMethodLookup* index_methods = nullptr;
  // Kinds of schema objects the connection's modules own.
  const std::vector<std::shared_ptr<ext::SchemaObject>>* schema_objects = nullptr;
  const Authorizer* authorizer = nullptr;  // none when null or empty
};

// Compiles one statement. The Program owns copies of everything it needs;
// the AST may be freed afterwards.
Result<std::unique_ptr<vm::Program>> compile(const CompileInput& in);

}  // namespace keel::plan
