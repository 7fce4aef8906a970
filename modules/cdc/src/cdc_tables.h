// The tables CDC keeps in the database: the CDC table itself (Turso's v2
// layout, DESIGN §5), turso_cdc_version, and Keel's database-wide setting.
//
//   CREATE TABLE turso_cdc(change_id INTEGER PRIMARY KEY AUTOINCREMENT,
//     change_time INTEGER, change_txn_id INTEGER, change_type INTEGER,
//     table_name TEXT, id, before BLOB, after BLOB, updates BLOB)
//   CREATE TABLE turso_cdc_version(table_name TEXT PRIMARY KEY,
//     version TEXT NOT NULL)
//   CREATE TABLE keel_cdc_settings(id INTEGER PRIMARY KEY CHECK (id = 1),
//     mode TEXT NOT NULL, table_name TEXT NOT NULL)
//
// A CDC table that already exists without a version row is taken to be
// Turso's v1 layout (no change_txn_id, no COMMIT rows), as Turso does.
// All statements here are nested (ext/session.hpp): they join the running
// statement's transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "capture_config.h"
#include "keel/ext/session.hpp"

namespace keel::cdc {

// The column list of the CDC table Keel creates, as its CREATE TABLE text
// ends (sqlite_schema keeps the statement as written).
inline constexpr std::string_view kCdcTableColumns =
    "(change_id INTEGER PRIMARY KEY AUTOINCREMENT, change_time INTEGER, change_txn_id INTEGER, "
    "change_type INTEGER, table_name TEXT, id, before BLOB, after BLOB, updates BLOB)";

// Creates the CDC table and its version row if missing; returns the
// table's version ("v2", or "v1" for a pre-existing Turso v1 table).
Result<std::string> ensure_cdc_table(ext::Session& session, const std::string& table);

// The recorded version of a CDC table; empty optional if none.
Result<std::optional<std::string>> read_cdc_version(ext::Session& session, const std::string& table);

// The database-wide setting, or an empty optional when there is none (no
// settings table, or no row).
Result<std::optional<CaptureConfig>> read_database_setting(ext::Session& session);

// Stores the database-wide setting (creating the settings table).
Status write_database_setting(ext::Session& session, const CaptureConfig& config);

}  // namespace keel::cdc
