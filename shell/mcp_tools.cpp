// The MCP tools: each takes its JSON arguments, runs SQL through the
// sqlite3 C API with bound parameters (never by pasting values into SQL),
// and answers with JSON text. Values map as: INTEGER -> number, REAL ->
// number (non-finite -> null), TEXT -> string, BLOB -> upper-case hex
// string, NULL -> null.
#include <cmath>
#include <cstring>

#include "shell/mcp_internal.h"
#include "shell/sql_text.h"

namespace keel::shell::mcp {
namespace {

constexpr int64_t kDefaultMaxRows = 1000;

json column_value(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER:
      return static_cast<int64_t>(sqlite3_column_int64(stmt, i));
    case SQLITE_FLOAT: {
      double d = sqlite3_column_double(stmt, i);
      return std::isfinite(d) ? json(d) : json(nullptr);
    }
    case SQLITE_TEXT:
      return std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)));
    case SQLITE_BLOB: {
      static const char kHex[] = "0123456789ABCDEF";
      const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(stmt, i));
      int n = sqlite3_column_bytes(stmt, i);
      std::string hex;
      for (int k = 0; k < n; k++) {
        hex += kHex[p[k] >> 4];
        hex += kHex[p[k] & 15];
      }
      return hex;
    }
    default:
      return nullptr;
  }
}

void bind_value(sqlite3_stmt* stmt, int index, const json& v) {
  if (v.is_null()) {
    sqlite3_bind_null(stmt, index);
  } else if (v.is_boolean()) {
    sqlite3_bind_int(stmt, index, v.get<bool>() ? 1 : 0);
  } else if (v.is_number_integer()) {
    sqlite3_bind_int64(stmt, index, v.get<int64_t>());
  } else if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u <= static_cast<uint64_t>(INT64_MAX)) {
      sqlite3_bind_int64(stmt, index, static_cast<int64_t>(u));
    } else {
      sqlite3_bind_double(stmt, index, static_cast<double>(u));
    }
  } else if (v.is_number_float()) {
    sqlite3_bind_double(stmt, index, v.get<double>());
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    sqlite3_bind_text(stmt, index, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  } else {
    std::string s = to_text(v);
    sqlite3_bind_text(stmt, index, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
}

ToolResult sql_error(sqlite3* db, const std::string& context = "") {
  return {context + sqlite3_errmsg(db), true};
}

ToolResult ok(const json& value) { return {to_text(value), false}; }

const json* find_arg(const json& args, const char* name) {
  auto it = args.find(name);
  return it == args.end() ? nullptr : &*it;
}

// A required string argument; throws nothing, reports through *err.
bool string_arg(const json& args, const char* name, std::string* out, ArgumentError* err) {
  const json* v = find_arg(args, name);
  if (v == nullptr || !v->is_string()) {
    err->message = std::string("Invalid params: '") + name + "' must be a string";
    return false;
  }
  *out = v->get<std::string>();
  return true;
}

// True when nothing but whitespace follows a statement.
bool only_space_left(const char* tail) {
  while (*tail == ' ' || (*tail >= '\t' && *tail <= '\r')) tail++;
  return *tail == 0;
}

// The first keyword of a statement, upper-cased.
std::string first_keyword(const char* sql) {
  const char* p = sql;
  for (;;) {
    while (*p == ' ' || (*p >= '\t' && *p <= '\r')) p++;
    if (p[0] == '-' && p[1] == '-') {
      while (*p && *p != '\n') p++;
    } else if (p[0] == '/' && p[1] == '*') {
      const char* end = std::strstr(p + 2, "*/");
      p = end ? end + 2 : p + std::strlen(p);
    } else {
      break;
    }
  }
  std::string word;
  while (std::isalpha(static_cast<unsigned char>(*p))) word += static_cast<char>(std::toupper(*p++));
  return word;
}

ToolResult list_tables(Session& s) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(s.db,
                         "SELECT name, type FROM sqlite_schema WHERE type IN ('table','view') AND name NOT "
                         "LIKE 'sqlite_%' ORDER BY name",
                         -1, &stmt, nullptr) != SQLITE_OK) {
    return sql_error(s.db);
  }
  json tables = json::array();
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    tables.push_back({{"name", column_value(stmt, 0)}, {"type", column_value(stmt, 1)}});
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) return sql_error(s.db);
  return ok(tables);
}

ToolResult describe_table(Session& s, const std::string& table) {
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(s.db,
                     "SELECT name, type, sql FROM sqlite_schema WHERE type IN ('table','view') AND name = ?1 "
                     "COLLATE NOCASE",
                     -1, &stmt, nullptr);
  if (stmt == nullptr) return sql_error(s.db);
  sqlite3_bind_text(stmt, 1, table.c_str(), -1, SQLITE_TRANSIENT);
  json info;
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    info = {{"name", column_value(stmt, 0)}, {"type", column_value(stmt, 1)}, {"sql", column_value(stmt, 2)}};
  }
  sqlite3_finalize(stmt);
  if (info.is_null()) return {"no such table: " + table, true};
  std::string name = info["name"].get<std::string>();
  char* q = sqlite3_mprintf("PRAGMA table_info(%Q)", name.c_str());
  int rc = sqlite3_prepare_v2(s.db, q, -1, &stmt, nullptr);
  sqlite3_free(q);
  if (rc != SQLITE_OK) return sql_error(s.db);
  json columns = json::array();
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    columns.push_back({{"cid", column_value(stmt, 0)},
                       {"name", column_value(stmt, 1)},
                       {"type", column_value(stmt, 2)},
                       {"notnull", sqlite3_column_int(stmt, 3) != 0},
                       {"default", column_value(stmt, 4)},
                       {"pk", column_value(stmt, 5)}});
  }
  sqlite3_finalize(stmt);
  info["columns"] = columns;
  json indexes = json::array();
  if (sqlite3_prepare_v2(
          s.db, "SELECT name, sql FROM sqlite_schema WHERE type='index' AND tbl_name = ?1 ORDER BY name", -1,
          &stmt, nullptr) == SQLITE_OK) {
    sqlite3_bind_text(stmt, 1, name.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      indexes.push_back({{"name", column_value(stmt, 0)}, {"sql", column_value(stmt, 1)}});
    }
  }
  sqlite3_finalize(stmt);
  info["indexes"] = indexes;
  return ok(info);
}

ToolResult execute_query(Session& s, const std::string& sql, const json* params, int64_t max_rows) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(s.db, sql.c_str(), -1, &stmt, &tail) != SQLITE_OK) return sql_error(s.db);
  if (stmt == nullptr) return {"no SQL statement given", true};
  if (!only_space_left(tail)) {
    // Comments may follow; another statement may not.
    sqlite3_stmt* next = nullptr;
    const char* rest = nullptr;
    int rc = sqlite3_prepare_v2(s.db, tail, -1, &next, &rest);
    bool more = rc != SQLITE_OK || next != nullptr;
    sqlite3_finalize(next);
    if (more) {
      sqlite3_finalize(stmt);
      return {"execute_query runs exactly one statement", true};
    }
  }
  if (!sqlite3_stmt_readonly(stmt)) {
    sqlite3_finalize(stmt);
    return {
        "execute_query is read-only: use insert_data, update_data, delete_data or schema_change to "
        "change the database",
        true};
  }
  if (params != nullptr && !params->is_null()) {
    if (params->is_array()) {
      int i = 1;
      for (const json& v : *params) bind_value(stmt, i++, v);
    } else if (params->is_object()) {
      for (auto it = params->begin(); it != params->end(); ++it) {
        std::string key = it.key();
        int idx = sqlite3_bind_parameter_index(stmt, key.c_str());
        if (idx == 0) idx = sqlite3_bind_parameter_index(stmt, (":" + key).c_str());
        if (idx == 0) {
          sqlite3_finalize(stmt);
          return {"no such parameter: " + key, true};
        }
        bind_value(stmt, idx, it.value());
      }
    }
  }
  int ncol = sqlite3_column_count(stmt);
  json columns = json::array();
  for (int i = 0; i < ncol; i++) {
    const char* n = sqlite3_column_name(stmt, i);
    columns.push_back(n ? n : "");
  }
  json rows = json::array();
  bool truncated = false;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (static_cast<int64_t>(rows.size()) >= max_rows) {
      truncated = true;
      break;
    }
    json row = json::array();
    for (int i = 0; i < ncol; i++) row.push_back(column_value(stmt, i));
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    ToolResult r = sql_error(s.db);
    sqlite3_finalize(stmt);
    return r;
  }
  sqlite3_finalize(stmt);
  json result = {{"columns", columns}, {"rows", rows}, {"row_count", rows.size()}};
  if (truncated) result["truncated"] = true;
  return ok(result);
}

// Runs one statement with `values` bound in order; returns the change count.
bool run_bound(sqlite3* db, const std::string& sql, const std::vector<const json*>& values,
               int64_t* changes) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) return false;
  for (size_t i = 0; i < values.size(); i++) bind_value(stmt, static_cast<int>(i + 1), *values[i]);
  int rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return false;
  *changes += sqlite3_changes64(db);
  return true;
}

ToolResult insert_data(Session& s, const std::string& table, const json& data) {
  std::vector<const json*> rows;
  if (data.is_object()) {
    rows.push_back(&data);
  } else {
    for (const json& r : data) rows.push_back(&r);
  }
  bool own_txn = sqlite3_get_autocommit(s.db) != 0;
  if (own_txn) sqlite3_exec(s.db, "SAVEPOINT mcp_insert", nullptr, nullptr, nullptr);
  int64_t inserted = 0;
  for (const json* row : rows) {
    std::string cols, marks;
    std::vector<const json*> values;
    for (auto it = row->begin(); it != row->end(); ++it) {
      if (!cols.empty()) {
        cols += ",";
        marks += ",";
      }
      cols += quote_name(it.key());
      marks += "?";
      values.push_back(&it.value());
    }
    std::string sql = "INSERT INTO " + quote_name(table) +
                      (cols.empty() ? " DEFAULT VALUES" : "(" + cols + ") VALUES(" + marks + ")");
    if (!run_bound(s.db, sql, values, &inserted)) {
      ToolResult r = sql_error(s.db);
      if (own_txn) {
        sqlite3_exec(s.db, "ROLLBACK TO mcp_insert; RELEASE mcp_insert", nullptr, nullptr, nullptr);
      }
      return r;
    }
  }
  if (own_txn && sqlite3_exec(s.db, "RELEASE mcp_insert", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return sql_error(s.db);
  }
  return ok(
      {{"inserted", inserted}, {"last_insert_rowid", static_cast<int64_t>(sqlite3_last_insert_rowid(s.db))}});
}

// " WHERE "a" IS ? AND "b" IS ?" for an object of conditions.
std::string where_clause(const json& where, std::vector<const json*>& values) {
  std::string sql;
  for (auto it = where.begin(); it != where.end(); ++it) {
    sql += sql.empty() ? " WHERE " : " AND ";
    sql += quote_name(it.key()) + " IS ?";
    values.push_back(&it.value());
  }
  return sql;
}

ToolResult update_data(Session& s, const std::string& table, const json& data, const json& where) {
  std::string sql = "UPDATE " + quote_name(table) + " SET ";
  std::vector<const json*> values;
  bool first = true;
  for (auto it = data.begin(); it != data.end(); ++it) {
    if (!first) sql += ", ";
    first = false;
    sql += quote_name(it.key()) + " = ?";
    values.push_back(&it.value());
  }
  sql += where_clause(where, values);
  int64_t changes = 0;
  if (!run_bound(s.db, sql, values, &changes)) return sql_error(s.db);
  return ok({{"updated", changes}});
}

ToolResult delete_data(Session& s, const std::string& table, const json& where) {
  std::vector<const json*> values;
  std::string sql = "DELETE FROM " + quote_name(table) + where_clause(where, values);
  int64_t changes = 0;
  if (!run_bound(s.db, sql, values, &changes)) return sql_error(s.db);
  return ok({{"deleted", changes}});
}

ToolResult schema_change(Session& s, const std::string& sql) {
  // Every statement is checked before any runs.
  std::vector<std::string> statements;
  const char* p = sql.c_str();
  while (*p) {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    if (sqlite3_prepare_v2(s.db, p, -1, &stmt, &tail) != SQLITE_OK) {
      // A later statement may name an object an earlier one creates; judge
      // it by its first keyword only.
      std::string kw = first_keyword(p);
      if (kw != "CREATE" && kw != "ALTER" && kw != "DROP") return sql_error(s.db);
      const char* semi = std::strchr(p, ';');
      statements.emplace_back(p, semi ? semi - p + 1 : std::strlen(p));
      p = semi ? semi + 1 : p + std::strlen(p);
      continue;
    }
    if (stmt == nullptr) break;
    std::string kw = first_keyword(p);
    sqlite3_finalize(stmt);
    if (kw != "CREATE" && kw != "ALTER" && kw != "DROP") {
      return {
          "schema_change runs only CREATE, ALTER and DROP statements (found " + (kw.empty() ? "?" : kw) + ")",
          true};
    }
    statements.emplace_back(p, tail - p);
    p = tail;
  }
  if (statements.empty()) return {"no SQL statement given", true};
  for (const std::string& st : statements) {
    if (sqlite3_exec(s.db, st.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) return sql_error(s.db);
  }
  return ok({{"ok", true}, {"statements", statements.size()}});
}

json schema(json properties, json required) {
  return {{"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)}};
}

}  // namespace

std::string to_text(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

Session::~Session() {
  if (db) sqlite3_close_v2(db);
}

bool Session::open(const OpenSpec& next, std::string* error) {
  sqlite3* handle = nullptr;
  std::string name = open_name(next);
  int flags =
      SQLITE_OPEN_URI | (next.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(name.c_str(), &handle, flags, nullptr) != SQLITE_OK) {
    *error = std::string("unable to open database \"") + next.filename +
             "\": " + (handle ? sqlite3_errmsg(handle) : "out of memory");
    sqlite3_close_v2(handle);
    return false;
  }
  // Reading the schema now turns "not a database" into an open error.
  if (sqlite3_exec(handle, "SELECT 1 FROM sqlite_schema LIMIT 1", nullptr, nullptr, nullptr) != SQLITE_OK) {
    *error = std::string("unable to open database \"") + next.filename + "\": " + sqlite3_errmsg(handle);
    sqlite3_close_v2(handle);
    return false;
  }
  if (db) sqlite3_close_v2(db);
  db = handle;
  spec = next;
  return true;
}

json tool_descriptions() {
  json str = {{"type", "string"}};
  json obj = {{"type", "object"}};
  return json::array({
      {{"name", "open_database"},
       {"description", "Open another database file (created if missing unless read_only)."},
       {"inputSchema",
        schema({{"path", {{"type", "string"}, {"description", "file name, :memory: or file: URI"}}},
                {"read_only", {{"type", "boolean"}}}},
               {"path"})}},
      {{"name", "current_database"},
       {"description", "The file name of the open database and whether it is read-only."},
       {"inputSchema", schema(json::object(), json::array())}},
      {{"name", "list_tables"},
       {"description", "Tables and views of the database, with their type."},
       {"inputSchema", schema(json::object(), json::array())}},
      {{"name", "describe_table"},
       {"description",
        "Columns (name, type, not null, default, primary key), indexes and CREATE statement of a table or "
        "view."},
       {"inputSchema", schema({{"table", str}}, {"table"})}},
      {{"name", "execute_query"},
       {"description",
        "Run one read-only SQL statement (SELECT, read-only PRAGMA, EXPLAIN) and return its "
        "columns and rows. Statements that would change the database are refused."},
       {"inputSchema",
        schema({{"sql", str},
                {"params", {{"description", "values for ? (array) or :name (object) parameters"}}},
                {"max_rows", {{"type", "integer"}, {"description", "default 1000"}}}},
               {"sql"})}},
      {{"name", "insert_data"},
       {"description",
        "Insert one row (an object of column: value) or several (an array of objects) into a table."},
       {"inputSchema",
        schema({{"table", str}, {"data", {{"type", json::array({"object", "array"})}}}}, {"table", "data"})}},
      {{"name", "update_data"},
       {"description",
        "Set columns (data: {column: value}) on the rows matching every condition in where ({column: "
        "value})."},
       {"inputSchema", schema({{"table", str}, {"data", obj}, {"where", obj}}, {"table", "data", "where"})}},
      {{"name", "delete_data"},
       {"description", "Delete the rows matching every condition in where ({column: value})."},
       {"inputSchema", schema({{"table", str}, {"where", obj}}, {"table", "where"})}},
      {{"name", "schema_change"},
       {"description", "Run CREATE, ALTER or DROP statements (several may be separated by semicolons)."},
       {"inputSchema", schema({{"sql", str}}, {"sql"})}},
  });
}

bool call_tool(Session& s, const std::string& name, const json& args, ToolResult* result,
               ArgumentError* err) {
  std::string table, sql;
  if (name == "open_database") {
    OpenSpec spec;
    if (!string_arg(args, "path", &spec.filename, err)) return false;
    const json* ro = find_arg(args, "read_only");
    if (ro && !ro->is_boolean() && !ro->is_null()) {
      err->message = "Invalid params: 'read_only' must be a boolean";
      return false;
    }
    spec.read_only = ro && ro->is_boolean() && ro->get<bool>();
    spec.experimental = s.spec.experimental;
    std::string error;
    if (!s.open(spec, &error)) {
      *result = {error, true};
    } else {
      *result = ok({{"path", spec.filename}, {"read_only", spec.read_only}});
    }
    return true;
  }
  if (s.db == nullptr) {
    if (name == "current_database" || name == "list_tables" || name == "describe_table" ||
        name == "execute_query" || name == "insert_data" || name == "update_data" || name == "delete_data" ||
        name == "schema_change") {
      *result = {"no database is open: call open_database first", true};
      return true;
    }
  }
  if (name == "current_database") {
    const char* file = sqlite3_db_filename(s.db, "main");
    *result = ok({{"path", s.spec.filename},
                  {"file", file ? file : ""},
                  {"read_only", sqlite3_db_readonly(s.db, "main") == 1}});
    return true;
  }
  if (name == "list_tables") {
    *result = list_tables(s);
    return true;
  }
  if (name == "describe_table") {
    if (!string_arg(args, "table", &table, err)) return false;
    *result = describe_table(s, table);
    return true;
  }
  if (name == "execute_query") {
    if (!string_arg(args, "sql", &sql, err)) return false;
    const json* params = find_arg(args, "params");
    if (params && !params->is_null() && !params->is_array() && !params->is_object()) {
      err->message = "Invalid params: 'params' must be an array or an object";
      return false;
    }
    int64_t max_rows = kDefaultMaxRows;
    if (const json* m = find_arg(args, "max_rows")) {
      if (!m->is_number_integer() || m->get<int64_t>() < 0) {
        err->message = "Invalid params: 'max_rows' must be a non-negative integer";
        return false;
      }
      max_rows = m->get<int64_t>();
    }
    *result = execute_query(s, sql, params, max_rows);
    return true;
  }
  if (name == "insert_data") {
    if (!string_arg(args, "table", &table, err)) return false;
    const json* data = find_arg(args, "data");
    bool valid = data && (data->is_object() || (data->is_array() && !data->empty()));
    if (valid && data->is_array()) {
      for (const json& r : *data) valid = valid && r.is_object();
    }
    if (!valid) {
      err->message = "Invalid params: 'data' must be an object or a non-empty array of objects";
      return false;
    }
    *result = insert_data(s, table, *data);
    return true;
  }
  if (name == "update_data" || name == "delete_data") {
    if (!string_arg(args, "table", &table, err)) return false;
    const json* where = find_arg(args, "where");
    if (!where || !where->is_object() || where->empty()) {
      err->message = "Invalid params: 'where' must be a non-empty object of column: value conditions";
      return false;
    }
    if (name == "delete_data") {
      *result = delete_data(s, table, *where);
      return true;
    }
    const json* data = find_arg(args, "data");
    if (!data || !data->is_object() || data->empty()) {
      err->message = "Invalid params: 'data' must be a non-empty object of column: value";
      return false;
    }
    *result = update_data(s, table, *data, *where);
    return true;
  }
  if (name == "schema_change") {
    if (!string_arg(args, "sql", &sql, err)) return false;
    *result = schema_change(s, sql);
    return true;
  }
  err->message = "Unknown tool: " + name;
  return false;
}

}  // namespace keel::shell::mcp
