// The module ABI: how a feature module (a shared library under
// keel/modules/) introduces itself to the kernel.
//
// A module is one shared library, keel_<name>.so, that exports
//   uint32_t keel_<name>_abi_version;                 the ABI it was built for
//   int keel_<name>_init(uint32_t host_abi, Registrar*);
// KEEL_MODULE(name) writes both. The kernel reads the version symbol first
// and refuses a mismatched module before calling anything in it; init()
// checks again (defence against a hand-written entry point). init() runs
// once per process, when the first connection enables the module, and
// registers everything the module offers; the kernel then installs those
// objects on every connection that enables the module. A failing init()
// (Registrar::fail) leaves nothing registered.
//
// Lifetime: the library stays loaded while any object it registered is
// alive (in practice: for the life of the process; see DESIGN §6).
//
//   #include "keel/ext/module.hpp"
//   KEEL_MODULE(trigram) {
//     registrar.add_function(std::make_shared<MyFunction>());
//     registrar.add_index_method(std::make_shared<TrigramIndex>());
//   }
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "keel/ext/change_observer.hpp"
#include "keel/ext/function.hpp"
#include "keel/ext/index_method.hpp"
#include "keel/ext/journal_mode.hpp"
#include "keel/ext/page_codec.hpp"
#include "keel/ext/pragma.hpp"
#include "keel/ext/schema_object.hpp"
#include "keel/ext/session.hpp"
#include "keel/ext/virtual_table.hpp"
#include "keel/status.hpp"

// Bumped whenever a published interface changes incompatibly. Interfaces
// grow by new classes (…V2) and by virtual functions appended at the end.
#ifndef KEEL_MODULE_ABI_VERSION
#define KEEL_MODULE_ABI_VERSION 4u
#endif

namespace keel::ext {

inline constexpr uint32_t kModuleAbiVersion = KEEL_MODULE_ABI_VERSION;

// Per-connection set-up: attach() runs on each connection that enables the
// module, right after it opens and before it reads the database, with a
// Session valid until detach(). This is where a module reads URI
// parameters, installs a page codec or a change observer.
class ConnectionExtension {
 public:
  virtual ~ConnectionExtension() = default;
  virtual Status attach(Session& session) = 0;
  virtual void detach(Session& session) { (void)session; }
};

// Builds a JournalMode for `PRAGMA journal_mode = name`, or for a file whose
// header bytes 18/19 equal file_format_version().
class JournalModeFactory {
 public:
  virtual ~JournalModeFactory() = default;
  virtual std::string_view name() const = 0;
  virtual uint8_t file_format_version() const = 0;
  virtual Result<std::unique_ptr<JournalMode>> create(Session& session) = 0;
};

class Registrar {
 public:
  virtual ~Registrar() = default;
  virtual void add_function(std::shared_ptr<ScalarFunction> fn) = 0;
  virtual void add_aggregate(std::shared_ptr<AggregateFunction> fn) = 0;
  virtual void add_pragma(std::shared_ptr<PragmaHandler> pragma) = 0;
  virtual void add_connection_extension(std::shared_ptr<ConnectionExtension> ext) = 0;
  virtual void add_journal_mode(std::shared_ptr<JournalModeFactory> factory) = 0;
  // Makes init() fail: nothing registered so far is kept.
  virtual void fail(std::string_view message) = 0;
  // The name the module was loaded as ("vector").
  virtual std::string_view module_name() const = 0;
  // (Appended: the ABI grows at the end.)
  virtual void add_schema_object(std::shared_ptr<SchemaObject> object) = 0;
  // A virtual-table module (CREATE VIRTUAL TABLE ... USING name, or a
  // table-valued function when eponymous); see keel/ext/virtual_table.hpp.
  virtual void add_virtual_table(std::shared_ptr<VirtualTableModule> module) = 0;
  // CREATE INDEX ... USING <method->name()> (keel/ext/index_method.hpp).
  virtual void add_index_method(std::shared_ptr<IndexMethod> method) = 0;
};

// init() results.
inline constexpr int kInitOk = 0;
inline constexpr int kInitAbiMismatch = 1;
inline constexpr int kInitFailed = 2;

}  // namespace keel::ext

#define KEEL_MODULE_CONCAT_(a, b, c) a##b##c
#define KEEL_MODULE_SYMBOL_(name, suffix) KEEL_MODULE_CONCAT_(keel_, name, suffix)

// Defines the module's entry points; the braces that follow are the body of
// `void register_module(keel::ext::Registrar& registrar)`.
#define KEEL_MODULE(name)                                                                                    \
  static void keel_module_register_(keel::ext::Registrar& registrar);                                        \
  extern "C" __attribute__((visibility("default"))) const uint32_t KEEL_MODULE_SYMBOL_(name, _abi_version) = \
      keel::ext::kModuleAbiVersion;                                                                          \
  extern "C" __attribute__((visibility("default"))) int KEEL_MODULE_SYMBOL_(name, _init)(                    \
      uint32_t host_abi, keel::ext::Registrar * registrar) {                                                 \
    if (host_abi != keel::ext::kModuleAbiVersion) return keel::ext::kInitAbiMismatch;                        \
    keel_module_register_(*registrar);                                                                       \
    return keel::ext::kInitOk;                                                                               \
  }                                                                                                          \
  static void keel_module_register_(keel::ext::Registrar& registrar)
