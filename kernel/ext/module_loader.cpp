#include "ext/module_loader.h"

#define BOOST_DLL_USE_STD_FS 1
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>

namespace keel::ext {

namespace {

namespace fs = std::filesystem;

// Collects registrations; discarded unless init succeeds.
class CollectingRegistrar final : public Registrar {
 public:
  explicit CollectingRegistrar(LoadedModule& m) : m_(m) {}
  void add_function(std::shared_ptr<ScalarFunction> fn) override {
    if (fn) m_.functions.push_back(std::move(fn));
  }
  void add_aggregate(std::shared_ptr<AggregateFunction> fn) override {
    if (fn) m_.aggregates.push_back(std::move(fn));
  }
  void add_pragma(std::shared_ptr<PragmaHandler> p) override {
    if (p) m_.pragmas.push_back(std::move(p));
  }
  void add_connection_extension(std::shared_ptr<ConnectionExtension> e) override {
    if (e) m_.extensions.push_back(std::move(e));
  }
  void add_journal_mode(std::shared_ptr<JournalModeFactory> f) override {
    if (f) m_.journal_modes.push_back(std::move(f));
  }
  void add_virtual_table(std::shared_ptr<VirtualTableModule> v) override {
    if (v) m_.virtual_tables.push_back(std::move(v));
  }
  void fail(std::string_view message) override {
    if (error_.empty()) error_ = std::string(message.empty() ? "unknown error" : message);
  }
  std::string_view module_name() const override { return m_.name; }
  void add_schema_object(std::shared_ptr<SchemaObject> o) override {
    if (o) m_.schema_objects.push_back(std::move(o));
  }
  void add_index_method(std::shared_ptr<IndexMethod> m) override {
    if (m) m_.index_methods.push_back(std::move(m));
  }
  const std::string& error() const { return error_; }

 private:
  LoadedModule& m_;
  std::string error_;
};

struct Entry {
  std::shared_ptr<const LoadedModule> module;
  Status error;  // remembered failure
  int init_count = 0;
};

std::mutex& registry_mutex() {
  static std::mutex mu;
  return mu;
}

std::map<std::string, Entry, std::less<>>& registry() {
  static auto* r = new std::map<std::string, Entry, std::less<>>();  // never destroyed: modules stay loaded
  return *r;
}

bool valid_module_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

Result<std::shared_ptr<const LoadedModule>> load_locked(std::string_view name,
                                                        const std::vector<std::string>& extra, Entry& entry) {
  std::vector<std::string> dirs = module_search_path(extra);
  std::string file = "keel_" + std::string(name) + ".so";
  fs::path found;
  for (const auto& d : dirs) {
    std::error_code ec;
    fs::path p = fs::path(d) / file;
    if (fs::is_regular_file(p, ec)) {
      found = p;
      break;
    }
  }
  if (found.empty()) {
    return Status(rc::kError, "module " + std::string(name) + " not found (searched: " +
                                  (dirs.empty() ? std::string("no directories") : join(dirs)) + ")");
  }
  auto lib = std::make_shared<boost::dll::shared_library>();
  boost::dll::fs::error_code ec;
  lib->load(found, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (ec) {
    return Status(rc::kError, "module " + std::string(name) + " could not be loaded from " + found.string() +
                                  ": " + ec.message());
  }
  std::string version_sym = "keel_" + std::string(name) + "_abi_version";
  std::string init_sym = "keel_" + std::string(name) + "_init";
  if (!lib->has(version_sym) || !lib->has(init_sym)) {
    return Status(rc::kError, "module " + std::string(name) + " (" + found.string() +
                                  ") has no entry point " + init_sym + " / " + version_sym);
  }
  uint32_t module_abi = lib->get<const uint32_t>(version_sym);
  if (module_abi != kModuleAbiVersion) {
    return Status(rc::kError, "module " + std::string(name) + " was built for module ABI " +
                                  std::to_string(module_abi) + ", this Keel has " +
                                  std::to_string(kModuleAbiVersion) + " (" + found.string() + ")");
  }
  auto init = lib->get<int(uint32_t, Registrar*)>(init_sym);
  auto m = std::make_shared<LoadedModule>();
  m->name = std::string(name);
  m->path = found.string();
  CollectingRegistrar reg(*m);
  entry.init_count++;
  int r = init(kModuleAbiVersion, &reg);
  if (r == kInitAbiMismatch) {
    return Status(rc::kError,
                  "module " + std::string(name) + " refused module ABI " + std::to_string(kModuleAbiVersion));
  }
  if (r != kInitOk || !reg.error().empty()) {
    return Status(rc::kError, "module " + std::string(name) + " failed to initialize: " +
                                  (reg.error().empty() ? "init returned " + std::to_string(r) : reg.error()));
  }
  m->library = lib;
  return std::shared_ptr<const LoadedModule>(std::move(m));
}

}  // namespace

std::vector<std::string> module_search_path(const std::vector<std::string>& extra) {
  std::vector<std::string> dirs(extra.begin(), extra.end());
  if (const char* env = std::getenv("KEEL_MODULE_PATH")) {
    std::string_view v(env);
    while (!v.empty()) {
      size_t colon = v.find(':');
      std::string_view d = v.substr(0, colon);
      if (!d.empty()) dirs.emplace_back(d);
      if (colon == std::string_view::npos) break;
      v = v.substr(colon + 1);
    }
  }
  boost::dll::fs::error_code ec;
  // The file holding this code: libkeel.so, or the executable when the
  // kernel is linked in statically.
  auto here = boost::dll::this_line_location(ec);
  if (!ec) {
    std::error_code fec;
    fs::path dir = fs::weakly_canonical(here.parent_path() / "keel" / "modules", fec);
    dirs.push_back(fec ? (here.parent_path() / "keel" / "modules").string() : dir.string());
  }
  return dirs;
}

Result<std::shared_ptr<const LoadedModule>> load_module(std::string_view name,
                                                        const std::vector<std::string>& extra) {
  if (!valid_module_name(name)) return Status(rc::kError, "invalid module name: " + std::string(name));
  std::lock_guard<std::mutex> lock(registry_mutex());
  Entry& e = registry()[std::string(name)];
  if (e.module) return e.module;
  if (!e.error.ok()) return e.error;
  auto r = load_locked(name, extra, e);
  if (!r.ok()) {
    // A module that was not found may appear later (another search path);
    // anything else is remembered.
    if (r.status().message().find(" not found ") == std::string::npos) e.error = r.status();
    return r.take_status();
  }
  e.module = *r;
  return e.module;
}

int module_init_count(std::string_view name) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  auto it = registry().find(name);
  return it == registry().end() ? 0 : it->second.init_count;
}

}  // namespace keel::ext
