// ModuleLoader: finds, loads and initializes feature modules (shared
// libraries keel_<name>.so) once per process, with Boost.DLL.
//
// Search path, in order: the directories the caller passes
// (Options::module_path), then KEEL_MODULE_PATH (colon-separated), then
// keel/modules/ beside the library that contains the kernel (libkeel.so,
// or the executable when the kernel is linked statically).
//
// Loading a module: open the library, read keel_<name>_abi_version and
// refuse a mismatch before calling into the library, then call
// keel_<name>_init with a Registrar that collects what the module offers.
// A failing init leaves nothing registered. A module is loaded once; later
// requests return the same LoadedModule (also after a failure, which is
// remembered and reported again).
//
// Thread-safety: load() may be called from any thread (one mutex); a
// LoadedModule is immutable once returned and lives for the process.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "keel/ext/module.hpp"
#include "keel/status.hpp"

namespace keel::ext {

struct LoadedModule {
  std::string name;
  std::string path;  // the library file
  std::vector<std::shared_ptr<ScalarFunction>> functions;
  std::vector<std::shared_ptr<AggregateFunction>> aggregates;
  std::vector<std::shared_ptr<PragmaHandler>> pragmas;
  std::vector<std::shared_ptr<ConnectionExtension>> extensions;
  std::vector<std::shared_ptr<JournalModeFactory>> journal_modes;
  std::vector<std::shared_ptr<IndexMethod>> index_methods;
  std::vector<std::shared_ptr<SchemaObject>> schema_objects;
  std::vector<std::shared_ptr<VirtualTableModule>> virtual_tables;
  // Keeps the library mapped while the module's objects live.
  std::shared_ptr<void> library;
};

// The directories searched for modules, in order.
std::vector<std::string> module_search_path(const std::vector<std::string>& extra);

// Loads (or returns the already loaded) module `name`. Errors:
//  - no library found: "module NAME not found (searched: DIR, DIR)"
//  - ABI mismatch: "module NAME was built for module ABI X, this Keel has Y"
//  - init failure: "module NAME failed to initialize: MESSAGE"
Result<std::shared_ptr<const LoadedModule>> load_module(std::string_view name,
                                                        const std::vector<std::string>& extra_path);

// How many times a module's init() has run in this process (tests).
int module_init_count(std::string_view name);

}  // namespace keel::ext
