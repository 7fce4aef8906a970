// The CDC pragmas:
//   PRAGMA capture_data_changes_conn('<mode>[,<table>]')   this connection
//   PRAGMA unstable_capture_data_changes_conn(...)          Turso's older name
//   PRAGMA capture_data_changes('<mode>[,<table>]')        the database, for
//                                                           every connection
// Read without a value, each returns one row (mode, table, version):
// ("off", NULL, NULL) when nothing is captured.
#pragma once

#include <memory>
#include <string>

#include "connections.h"
#include "keel/ext/pragma.hpp"

namespace keel::cdc {

std::shared_ptr<ext::PragmaHandler> make_connection_pragma(std::string name,
                                                           std::shared_ptr<Connections> connections);
std::shared_ptr<ext::PragmaHandler> make_database_pragma(std::shared_ptr<Connections> connections);

}  // namespace keel::cdc
