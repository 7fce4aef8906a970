// SchemaObject: a module-owned kind of schema object with its own DDL, such
// as CREATE MATERIALIZED VIEW.
//
// The kernel's parser keeps any CREATE or DROP it does not know as raw text
// with its leading words. When those words begin with a registered object's
// keywords (case-insensitively; e.g. {"MATERIALIZED", "VIEW"}), the
// statement is handed to the module:
//   CREATE [TEMP] <keywords> <rest>       → create(session, call)
//   DROP <keywords> [IF EXISTS] <name>    → drop(session, call)
// inside the statement's transaction: what the module does through the
// Session (creating hidden tables, recording the definition in a table of
// its own) commits or rolls back with it. Without a module claiming them,
// such statements fail with SQLite's syntax error, as in SQLite.
//
// Persistence is the module's: it keeps definitions where it likes (its own
// table in the same file is the natural place) and restores its state when
// a connection attaches (ConnectionExtension). A file whose schema holds
// such objects opened without the module still reads as SQLite: the hidden
// tables are ordinary tables.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "keel/status.hpp"

namespace keel::ext {

class Session;

struct SchemaObjectCall {
  std::string_view sql;    // the whole statement
  std::string_view rest;   // CREATE: the text after the keywords; DROP: the object name
  bool temp = false;       // CREATE TEMP ...
  bool if_exists = false;  // DROP ... IF EXISTS
};

class SchemaObject {
 public:
  virtual ~SchemaObject() = default;
  // The words after CREATE / DROP that name this kind of object.
  virtual std::vector<std::string> keywords() const = 0;
  virtual Status create(Session& session, const SchemaObjectCall& call) = 0;
  virtual Status drop(Session& session, const SchemaObjectCall& call) = 0;
};

}  // namespace keel::ext
