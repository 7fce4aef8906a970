#include "table_shape.h"

#include "capture_config.h"

namespace keel::cdc {

bool is_schema_table(std::string_view table) {
  return same_name(table, "sqlite_schema") || same_name(table, "sqlite_master") ||
         same_name(table, "sqlite_temp_master") || same_name(table, "sqlite_temp_schema");
}

Result<TableShape> load_table_shape(ext::Session& session, std::string_view database,
                                    std::string_view table) {
  TableShape shape;
  if (is_schema_table(table)) {
    // The schema table's fixed layout (no rowid alias).
    shape.names = {"type", "name", "tbl_name", "rootpage", "sql"};
    shape.default_sql.resize(shape.names.size());
    return shape;
  }
  std::string sql = "PRAGMA ";
  if (!database.empty()) sql += quote_identifier(database) + ".";
  sql += "table_info(" + quote_identifier(table) + ")";
  auto st = session.prepare(sql);
  if (!st.ok()) return st.take_status();
  int pk_count = 0;
  int pk_col = -1;
  bool pk_integer = false;
  while (true) {
    auto row = st->step();
    if (!row.ok()) return row.take_status();
    if (!*row) break;
    // cid, name, type, notnull, dflt_value, pk
    shape.names.emplace_back(st->column_text(1));
    if (st->column_is_null(4)) {
      shape.default_sql.emplace_back();
    } else {
      shape.default_sql.emplace_back(std::string(st->column_text(4)));
    }
    if (st->column_int64(5) > 0) {
      pk_count++;
      pk_col = static_cast<int>(shape.names.size()) - 1;
      pk_integer = same_name(st->column_text(2), "INTEGER");
    }
  }
  if (shape.names.empty()) return Status(rc::kError, "no such table: " + std::string(table));
  // A single-column INTEGER PRIMARY KEY of a rowid table is the rowid.
  if (pk_count == 1 && pk_integer) shape.ipk = pk_col;
  return shape;
}

Status load_defaults(ext::Session& session, TableShape& shape) {
  if (shape.defaults_loaded) return Status::Ok();
  bool any = false;
  for (const auto& d : shape.default_sql) any = any || d.has_value();
  if (!any) {
    // Every default is NULL: nothing to evaluate.
    shape.defaults.assign(shape.default_sql.size(), Value());
    shape.defaults_loaded = true;
    return Status::Ok();
  }
  std::string sql = "SELECT ";
  for (size_t i = 0; i < shape.default_sql.size(); i++) {
    if (i) sql += ", ";
    sql += shape.default_sql[i] ? "(" + *shape.default_sql[i] + ")" : std::string("NULL");
  }
  auto st = session.prepare(sql);
  if (!st.ok()) return st.take_status();
  auto row = st->step();
  if (!row.ok()) return row.take_status();
  shape.defaults.clear();
  for (size_t i = 0; i < shape.default_sql.size(); i++) {
    shape.defaults.push_back(*row ? st->column_value(static_cast<int>(i)) : Value());
  }
  shape.defaults_loaded = true;
  return Status::Ok();
}

}  // namespace keel::cdc
