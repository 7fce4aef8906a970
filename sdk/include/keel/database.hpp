// keel::Database: an open database file shared by the threads of a process,
// handing out one Connection per thread.
//
//   auto db = keel::Database::open("app.db", {.busy_timeout_ms = 2000});
//   if (!db.ok()) ...;
//   auto conn = (*db)->connect();
//   conn->exec("CREATE TABLE t(a, b)");
//
// `path` is a file name, ":memory:" (each Connection then gets its own private
// in-memory database, as in SQLite) or a "file:" URI with SQLite's parameters
// (mode=ro|rw|rwc|memory, vfs=, immutable=) plus Keel's
// `experimental=feature,feature`.
//
// Options::experimental names optional features to enable (Turso's flag
// tokens): index_method, views, encryption, mvcc, vector, cdc. An unknown name
// is an error listing the known ones; "-vector" turns a default off. Each
// connection loads the modules behind its features (see keel/ext/module.hpp);
// `vector` and `cdc` are on by default, and a default whose module is not
// installed is skipped, while an explicitly named feature whose module is
// missing is an error naming the directories searched.
//
// Thread-safety: a Database may be used from any number of threads at once
// (connect() and the register calls are internally synchronized). Each
// Connection it hands out is used by one thread at a time. Functions and
// collations registered on the Database reach every connection made after the
// call.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "keel/connection.hpp"
#include "keel/export.hpp"
#include "keel/function.hpp"
#include "keel/status.hpp"

namespace keel {

struct Options {
  // Experimental features to enable (see above).
  std::vector<std::string> experimental;
  bool read_only = false;
  // Create the file if it does not exist (ignored when read_only).
  bool create = true;
  // Further modules to load by name (keel_<name>.so), e.g. a third-party
  // index method; also the URI parameter modules=a,b.
  std::vector<std::string> modules;
  // Directories searched for modules before KEEL_MODULE_PATH and the
  // directory keel/modules/ beside libkeel.so.
  std::vector<std::string> module_path;
  // Wait up to this long for a lock held by another connection (0: fail with
  // SQLITE_BUSY at once).
  int busy_timeout_ms = 0;
  // PRAGMA cache_size semantics: > 0 pages, < 0 KiB.
  int64_t cache_size = -2000;
};

class KEEL_API Database {
 public:
  // Opens (creating if allowed) the database, checking that it can be opened
  // and that the options are valid.
  static Result<std::shared_ptr<Database>> open(std::string_view path, Options options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // A new connection to this database, for the calling thread.
  Result<Connection> connect();

  const std::string& path() const;
  const Options& options() const;
  // The features in effect: defaults, plus Options::experimental and the
  // URI's experimental= list.
  const std::vector<std::string>& features() const;
  bool has_feature(std::string_view name) const;
  // The feature names Keel knows.
  static const std::vector<std::string>& known_features();

  // Registered on every connection connect() returns from now on.
  Status create_function(std::string_view name, int n_arg, ScalarFunction fn, FunctionOptions options = {});
  Status create_aggregate(std::string_view name, int n_arg, AggregateFactory factory);
  Status create_collation(std::string_view name, CollationFunction compare);

 private:
  struct Impl;
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel
