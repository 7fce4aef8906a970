// The per-connection runtime of index methods: turns the engine's calls
// (engine/index_method_runtime.h) into calls of the ext::IndexMethod /
// IndexInstance objects that the connection's modules registered, with a
// Session on the connection and values as keel::Value.
//
// Instances are opened on first use and kept per (database, index) until
// the schema is reloaded; each is checked against the index's schema text
// so a dropped and recreated index never reuses a stale instance.
#pragma once

#include <memory>

#include "engine/connection.h"
#include "engine/index_method_runtime.h"

namespace keel::ext {

std::shared_ptr<engine::IndexMethodRuntime> make_index_method_runtime(engine::Connection& conn);

}  // namespace keel::ext
