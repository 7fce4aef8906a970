// "file:" URIs as SQLite reads them (sqlite3ParseUri): the path, percent-
// decoded, and the query parameters. Used when a connection is opened and
// when it attaches a database.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace keel::engine {

struct ParsedUri {
  std::string path;
  std::map<std::string, std::string> params;
};

// Splits "file:path?k=v&k=v" (the "file:" prefix included) into the path
// and its query parameters; "file://host/path" accepts an empty host or
// "localhost".
ParsedUri parse_uri(std::string_view uri);

}  // namespace keel::engine
