// The PRAGMAs the engine executes at run time (through an EngineCommand
// carried by OP_Pragma), with their result columns. The code generator uses
// this table to name result columns; the engine (pragma.cpp) produces rows
// of exactly this width. PRAGMAs that only read the Catalog (table_info,
// index_list, ...) are answered by the code generator itself and are not
// listed here.
#pragma once

#include <initializer_list>
#include <string_view>

namespace keel::plan {

struct EnginePragma {
  std::string_view name;
  // Result column names; empty for a pragma that returns nothing.
  std::initializer_list<std::string_view> columns;
  // Result columns when the pragma is assigned (PRAGMA x = v): SQLite
  // returns the new value for some (journal_mode, page_size is silent ...).
  bool returns_on_assign;
};

inline constexpr EnginePragma kEnginePragmas[] = {
    {"application_id", {"application_id"}, false},
    {"auto_vacuum", {"auto_vacuum"}, false},
    {"busy_timeout", {"timeout"}, true},
    {"cache_size", {"cache_size"}, false},
    {"case_sensitive_like", {}, false},
    {"compile_options", {"compile_options"}, false},
    {"database_list", {"seq", "name", "file"}, false},
    {"foreign_keys", {"foreign_keys"}, false},
    {"freelist_count", {"freelist_count"}, false},
    {"function_list", {"name", "builtin", "type", "enc", "narg", "flags"}, false},
    {"incremental_vacuum", {}, false},
    {"integrity_check", {"integrity_check"}, true},
    {"journal_mode", {"journal_mode"}, true},
    {"legacy_alter_table", {"legacy_alter_table"}, false},
    {"page_count", {"page_count"}, false},
    {"page_size", {"page_size"}, false},
    {"quick_check", {"quick_check"}, true},
    {"recursive_triggers", {"recursive_triggers"}, false},
    {"reverse_unordered_selects", {"reverse_unordered_selects"}, false},
    {"schema_version", {"schema_version"}, false},
    {"synchronous", {"synchronous"}, false},
    {"user_version", {"user_version"}, false},
    {"wal_autocheckpoint", {"wal_autocheckpoint"}, true},
    {"wal_checkpoint", {"busy", "log", "checkpointed"}, true},
};

inline const EnginePragma* find_engine_pragma(std::string_view name) {
  for (const auto& p : kEnginePragmas) {
    if (p.name.size() != name.size()) continue;
    bool eq = true;
    for (size_t i = 0; i < name.size() && eq; i++) {
      char a = name[i], b = p.name[i];
      if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
      eq = a == b;
    }
    if (eq) return &p;
  }
  return nullptr;
}

}  // namespace keel::plan
