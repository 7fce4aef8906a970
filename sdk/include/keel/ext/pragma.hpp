// PragmaHandler: a module's own PRAGMA. The kernel's pragmas take
// precedence; a module pragma is found by name (case-insensitively) among
// the modules the connection enabled. Unknown pragmas stay silent no-ops, as
// in SQLite.
//
//   PRAGMA name            → run() with has_value = false
//   PRAGMA name = value    → run() with the value's text (quotes removed)
//   PRAGMA name(value)     → the same
//   PRAGMA schema.name ... → schema = "schema" (else "")
//
// run() appends result rows (each with columns().size() values); an error
// Status fails the statement with it and must leave the connection usable.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "keel/status.hpp"
#include "keel/value.hpp"

namespace keel::ext {

class Session;

struct PragmaCall {
  std::string_view schema;
  std::string_view name;
  bool has_value = false;
  std::string_view value;
};

class PragmaHandler {
 public:
  virtual ~PragmaHandler() = default;
  virtual std::string_view name() const = 0;
  // Result column names (empty: the pragma returns no rows).
  virtual std::vector<std::string> columns() const = 0;
  virtual Status run(Session& session, const PragmaCall& call, std::vector<std::vector<Value>>& rows) = 0;
};

}  // namespace keel::ext
