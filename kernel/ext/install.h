// Installing modules on a connection: the step between "this connection
// wants features X, Y and modules Z" and a connection whose function
// registry, pragmas, journal modes, observers and page codec include what
// those modules offer.
//
// Called from engine::OpenOptions::before_open, i.e. after the file name
// is parsed and before the main database is read, so a module's
// ConnectionExtension can install a page codec that the first read uses.
#pragma once

#include <string>
#include <vector>

#include "engine/connection.h"
#include "ext/features.h"
#include "keel/status.hpp"

namespace keel::ext {

struct ModuleRequest {
  FeatureSet features;               // flags (defaults + explicit)
  std::vector<std::string> modules;  // further modules by name (third-party)
  std::vector<std::string> module_path;
};

// Loads what `request` needs and installs it on `conn`. A module missing
// for a default-on flag nobody asked for is skipped; any other failure is
// an error naming the flag, the module and the directories searched.
Status install_extensions(engine::Connection& conn, const ModuleRequest& request);

// Reads the connection's own request from a "file:" URI's query
// (experimental=a,b and modules=m1,m2) into `request`.
Status add_uri_request(std::string_view uri, ModuleRequest& request);

}  // namespace keel::ext
