// keel::Statement: one prepared statement of a Connection.
//
//   auto st = conn.prepare("SELECT name FROM users WHERE id = ?1");
//   st->bind(1, 42);
//   while (true) {
//     auto row = st->step();
//     if (!row.ok()) return row.status();
//     if (!*row) break;
//     use(st->column_text(0));
//   }
//
// Parameters are numbered from 1, columns from 0. Views returned by
// column_text/column_blob stay valid until the next step(), reset() or
// destruction. After step() reports the end (false) or an error, the next
// step() starts the statement again, keeping the bindings.
//
// Thread-safety: as its Connection (one thread at a time); it must be
// destroyed before its Connection.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "keel/export.hpp"
#include "keel/status.hpp"
#include "keel/value.hpp"

namespace keel {

namespace ext {
class Session;
}

class KEEL_API Statement {
 public:
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  ~Statement();

  // rc::kRange for an index outside 1..parameter_count(), rc::kMisuse while
  // the statement is running (step() returned a row and no reset() since).
  Status bind(int index, const Value& value);
  // By name including its prefix (":id", "@id", "$id", "?3"); rc::kRange if
  // no parameter has that name.
  Status bind(std::string_view name, const Value& value);
  void clear_bindings();
  int parameter_count() const;
  // 0 if no parameter has this name.
  int parameter_index(std::string_view name) const;
  // "" for a nameless "?" parameter.
  std::string_view parameter_name(int index) const;

  // true: a row is ready; false: the statement finished.
  Result<bool> step();
  // Runs to completion, discarding rows.
  Status execute();
  // Rewinds for another run; returns the error of the last run, if any.
  Status reset();

  int column_count() const;
  std::string_view column_name(int i) const;
  // Declared type of a result column taken directly from a table ("" if none).
  std::string_view column_decltype(int i) const;
  std::string_view column_table_name(int i) const;
  std::string_view column_origin_name(int i) const;
  std::string_view column_database_name(int i) const;

  // Current row (after step() returned true); out-of-range columns read as NULL.
  Type column_type(int i) const;
  bool column_is_null(int i) const { return column_type(i) == Type::kNull; }
  int64_t column_int64(int i) const;
  double column_double(int i) const;
  std::string_view column_text(int i) const;
  std::span<const uint8_t> column_blob(int i) const;
  Value column_value(int i) const;

  std::string_view sql() const;
  // The SQL with the bound values substituted.
  std::string expanded_sql() const;
  bool read_only() const;

  // Opaque; defined inside the library.
  struct Impl;

 private:
  friend class Connection;
  friend class ext::Session;
  explicit Statement(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel
