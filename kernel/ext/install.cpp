#include "ext/install.h"

#include "ext/function_adapter.h"
#include "ext/index_methods.h"
#include "ext/module_loader.h"
#include "keel/ext/session.hpp"

namespace keel::ext {

namespace {

Status install_module(engine::Connection& conn, const std::shared_ptr<const LoadedModule>& m) {
  auto& state = conn.extensions();
  for (const auto& keep : state.keep_alive) {
    if (keep == m) return Status::Ok();  // already installed (flag and name both asked)
  }
  state.keep_alive.push_back(m);
  for (const auto& f : m->functions) conn.functions().add(make_function_def(f));
  for (const auto& a : m->aggregates) conn.functions().add(make_aggregate_def(a));
  for (const auto& p : m->pragmas) state.pragmas.push_back(p);
  for (const auto& j : m->journal_modes) state.journal_modes.push_back(j);
  for (const auto& im : m->index_methods) state.index_methods.push_back(im);
  for (const auto& o : m->schema_objects) state.schema_objects.push_back(o);
  for (const auto& v : m->virtual_tables) conn.vtab_registry().add_module(v);
  Session session(&conn);
  for (const auto& e : m->extensions) {
    state.attached.push_back(e);
    Status s = e->attach(session);
    if (!s.ok()) {
      return Status(s.code(), "module " + m->name + ": " + std::string(s.message()));
    }
  }
  return Status::Ok();
}

std::vector<std::string> split_list(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    list = list.substr(comma + 1);
  }
  return out;
}

}  // namespace

Status add_uri_request(std::string_view uri, ModuleRequest& request) {
  if (uri.substr(0, 5) != "file:") return Status::Ok();
  size_t q = uri.find('?');
  if (q == std::string_view::npos) return Status::Ok();
  std::string_view query = uri.substr(q + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    if (kv.substr(0, 13) == "experimental=") KEEL_RETURN_IF_ERROR(request.features.add_list(kv.substr(13)));
    if (kv.substr(0, 8) == "modules=") {
      for (auto& m : split_list(kv.substr(8))) request.modules.push_back(std::move(m));
    }
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return Status::Ok();
}

Status install_extensions(engine::Connection& conn, const ModuleRequest& request) {
  conn.extensions().features = request.features.flags();
  // Always present, so that a schema naming a method no module provides
  // fails with "no such index method" where it matters.
  if (!conn.extensions().index_runtime) conn.extensions().index_runtime = make_index_method_runtime(conn);
  // A key given without the feature that uses it would silently create a
  // plaintext database.
  if (!request.features.has("encryption")) {
    for (const char* p : {"cipher", "hexkey", "key"}) {
      if (!conn.uri_parameter(p).empty()) {
        return Status(rc::kError, std::string("the URI parameter '") + p +
                                      "' needs the 'encryption' feature (experimental=encryption)");
      }
    }
  }
  for (const std::string& flag : request.features.flags()) {
    const FeatureInfo* info = find_feature(flag);
    if (info == nullptr) continue;
    auto m = load_module(info->module, request.module_path);
    if (!m.ok()) {
      if (!request.features.explicit_flag(flag)) continue;  // a default nobody asked for
      return Status(rc::kError,
                    "feature '" + flag + "' is not available: " + std::string(m.status().message()));
    }
    KEEL_RETURN_IF_ERROR(install_module(conn, *m));
  }
  for (const std::string& name : request.modules) {
    auto m = load_module(name, request.module_path);
    if (!m.ok()) return m.take_status();
    KEEL_RETURN_IF_ERROR(install_module(conn, *m));
  }
  return Status::Ok();
}

}  // namespace keel::ext
