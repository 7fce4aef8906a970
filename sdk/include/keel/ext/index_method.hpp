// IndexMethod: a module-defined kind of index.
//
//   CREATE INDEX name ON table USING method (col, ...) WITH (key = value, ...)
//
// The kernel owns the schema entry (see "Storage in the file" below) and
// calls the method at four moments, always on the connection's thread and
// always with a Session on the connection that runs the statement:
//
//   create()  CREATE INDEX: make the index's storage (hidden tables through
//             the Session), inside the CREATE INDEX statement's transaction.
//             The kernel then opens the instance and insert()s every
//             existing row of the table.
//   open()    an instance for an existing index (first use on a connection;
//             reopened after any schema change).
//   drop()    DROP INDEX, and DROP TABLE of the indexed table: remove the
//             storage.
//   shapes()  at compile time: which query shapes the index can answer.
//
// Maintenance: every INSERT, UPDATE and DELETE of a row of the table — by
// the application, a trigger, REPLACE conflict resolution, UPSERT or a
// foreign-key action — calls remove() with the row's old column values
// and/or insert() with its new ones, inside the writing statement. Writes
// made through the Session are nested statements (keel/ext/session.hpp):
// they join the statement's transaction, so COMMIT, ROLLBACK, ROLLBACK TO,
// a failing statement and crash recovery treat the index exactly like the
// table. An UPDATE that changes neither the rowid nor an indexed column
// makes no call.
//
// Queries: the planner matches a WHERE term or an ORDER BY ... LIMIT
// against the shapes the method declared (below) and, when it routes a scan
// to the index, calls query() once per scan with the shape's arguments
// evaluated. The cursor yields candidate rowids, each at most once (a
// rowid yielded twice would produce its row twice); the kernel fetches each
// row by rowid (skipping rowids that no longer exist) and evaluates the
// whole WHERE clause and ORDER BY itself. So an index may return more rows
// than match (a superset: a trigram index returns rows that contain the
// trigrams), but never fewer than the rows that match. For a
// kOrderByLimit shape with a limit, query() returns at least the `limit`
// rows that come first in the ORDER BY's order — SQL's, in which NULL
// results come first when ascending (an approximate index returns its best
// guess); without a limit it returns every row.
//
// Storage in the file: an index-method index is one row of sqlite_schema,
//   type 'index', rootpage of an empty b-tree, and the SQL text
//   CREATE INDEX name ON table(col, ...) WHERE keel_index_method('method', 'key', value, ...)
// that is, a partial index whose condition calls a function stock SQLite
// does not have. SQLite reads such a file: every table reads normally and
// SQLite never uses the (empty, partial) b-tree for a query; any statement
// that would have to maintain the index (INSERT, UPDATE, DELETE with WHERE,
// VACUUM, PRAGMA integrity_check) fails with "unknown function:
// keel_index_method()". DELETE without WHERE succeeds in SQLite (it clears
// tables without evaluating index conditions), which can leave stale
// entries in the method's storage; they are harmless because the kernel
// rechecks every candidate row. Keel accepts the same text as the USING
// form, so a dump replays into the same index.
//
// Errors: a Status returned by any call fails the statement with it. A
// schema naming a method that no loaded module provides is readable (scans
// read the table); writing the table, DROP INDEX, DROP TABLE or INDEXED BY
// the index fail with "no such index method: NAME (index INDEX)".
//
// Thread-safety: an IndexMethod is shared by every connection that loaded
// its module (it must be stateless or synchronized); an IndexInstance and
// its cursors belong to one connection.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.hpp"
#include "keel/value.hpp"

namespace keel::ext {

class Session;

// One `key = value` of WITH (...). Values are constants (numbers, strings;
// a bare word is its text).
struct IndexOption {
  std::string key;  // lower case
  Value value;
};

// What an index is: everything the schema says about it.
struct IndexDefinition {
  std::string database;              // "main", "temp" or an attached schema name
  std::string name;                  // the index
  std::string table;                 // the indexed table
  std::vector<std::string> columns;  // indexed columns, in the index's order
  std::vector<IndexOption> options;
  // A prefix for the names of the index's own tables, unique per index in
  // its database ("keel_im_<index>_"); the method adds a suffix.
  std::string storage_prefix;

  // The option named `key` (case-insensitive), or nullptr.
  const Value* option(std::string_view key) const {
    for (const IndexOption& o : options) {
      if (o.key.size() != key.size()) continue;
      bool eq = true;
      for (size_t i = 0; i < key.size() && eq; i++) {
        char a = o.key[i], b = key[i];
        if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
        eq = a == b;
      }
      if (eq) return &o.value;
    }
    return nullptr;
  }
};

// A query shape the index can answer, declared by the method.
struct QueryShape {
  enum class Kind : uint8_t {
    // WHERE <column> <operator> <arg> — operator "like", "glob", "match" or
    // "regexp" (NOT forms are never routed). Argument 0 is the pattern;
    // a LIKE ... ESCAPE <e> adds e as argument 1.
    kOperator,
    // WHERE <function>(..., <column>, ...) as a condition (true when the
    // result is true), the other arguments constant or bound parameters.
    kFunction,
    // ORDER BY <function>(..., <column>, ...) [ASC|DESC] LIMIT k.
    kOrderByLimit,
  };
  Kind kind = Kind::kOperator;
  std::string name;         // operator or function name, lower case
  int column = 0;           // which of the index's columns (position in IndexDefinition::columns)
  int column_arg = 0;       // kFunction / kOrderByLimit: the argument position of the column
  int n_args = 2;           // kFunction / kOrderByLimit: the call's number of arguments
  bool descending = false;  // kOrderByLimit: the order the index serves
};

// The planner's estimate for using a shape, asked at compile time.
struct IndexCost {
  bool usable = true;   // false: never route this shape (e.g. a pattern with no trigram)
  double cost = 100.0;  // comparable to a full scan, which costs `rows of the table`
  double rows = 10.0;   // expected candidate rows
};

// One scan's candidates.
class IndexCursor {
 public:
  virtual ~IndexCursor() = default;
  virtual bool eof() const = 0;
  virtual int64_t rowid() const = 0;
  // The candidate's score or distance, if the shape has one (else NULL).
  virtual Value score() const { return Value(); }
  virtual Status next() = 0;
};

// One scan request.
struct IndexQuery {
  int shape = 0;                // position in shapes()
  std::span<const Value> args;  // the shape's arguments other than the column, in order
  int64_t limit = -1;           // kOrderByLimit: LIMIT + OFFSET when nothing else filters; -1 none
};

// An open index on one connection.
class IndexInstance {
 public:
  virtual ~IndexInstance() = default;
  // A row with these values (one per indexed column) now has this rowid.
  virtual Status insert(Session& session, int64_t rowid, std::span<const Value> values) = 0;
  // The row with this rowid and these values is gone (or is about to be
  // reinserted with new values).
  virtual Status remove(Session& session, int64_t rowid, std::span<const Value> values) = 0;
  // A cursor over the candidate rowids for `q`. The cursor may outlive
  // further insert()/remove() calls on this instance (a statement that
  // scans and writes the table): it must not be invalidated by them.
  virtual Result<std::unique_ptr<IndexCursor>> query(Session& session, const IndexQuery& q) = 0;
};

class IndexMethod {
 public:
  virtual ~IndexMethod() = default;
  // The name after USING, lower case. Stored in the file: a persistence
  // contract (change it when the storage format changes).
  virtual std::string_view name() const = 0;
  // Checks the definition (number of columns, options) before anything is
  // written: an error here fails CREATE INDEX with that message.
  virtual Status validate(const IndexDefinition& def) const {
    (void)def;
    return Status::Ok();
  }
  // The query shapes an index with this definition answers.
  virtual std::vector<QueryShape> shapes(const IndexDefinition& def) const = 0;
  // Compile-time estimate for `shape`; `args` holds the arguments known at
  // compile time (literals) and NULL for those that are not (parameters).
  virtual IndexCost estimate(const IndexDefinition& def, int shape, std::span<const Value> args,
                             std::span<const bool> known) const {
    (void)def, (void)shape, (void)args, (void)known;
    return IndexCost{};
  }
  virtual Status create(Session& session, const IndexDefinition& def) = 0;
  virtual Result<std::unique_ptr<IndexInstance>> open(Session& session, const IndexDefinition& def) = 0;
  virtual Status drop(Session& session, const IndexDefinition& def) = 0;
};

}  // namespace keel::ext
