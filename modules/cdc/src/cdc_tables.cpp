#include "cdc_tables.h"

namespace keel::cdc {

namespace {

Result<bool> table_exists(ext::Session& session, const std::string& table) {
  auto st = session.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1 COLLATE NOCASE");
  if (!st.ok()) return st.take_status();
  KEEL_RETURN_IF_ERROR(st->bind(1, Value(table)));
  auto row = st->step();
  if (!row.ok()) return row.take_status();
  return *row;
}

}  // namespace

Result<std::optional<std::string>> read_cdc_version(ext::Session& session, const std::string& table) {
  auto exists = table_exists(session, std::string(kVersionTable));
  if (!exists.ok()) return exists.take_status();
  if (!*exists) return std::optional<std::string>();
  auto st = session.prepare("SELECT version FROM turso_cdc_version WHERE table_name = ?1");
  if (!st.ok()) return st.take_status();
  KEEL_RETURN_IF_ERROR(st->bind(1, Value(table)));
  auto row = st->step();
  if (!row.ok()) return row.take_status();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(st->column_text(0)));
}

Result<std::string> ensure_cdc_table(ext::Session& session, const std::string& table) {
  auto existed = table_exists(session, table);
  if (!existed.ok()) return existed.take_status();
  KEEL_RETURN_IF_ERROR(session.exec("CREATE TABLE IF NOT EXISTS " + quote_identifier(table) + " " +
                                    std::string(kCdcTableColumns)));
  KEEL_RETURN_IF_ERROR(session.exec(
      "CREATE TABLE IF NOT EXISTS turso_cdc_version (table_name TEXT PRIMARY KEY, version TEXT NOT NULL)"));
  auto st = session.prepare("INSERT OR IGNORE INTO turso_cdc_version (table_name, version) VALUES (?1, ?2)");
  if (!st.ok()) return st.take_status();
  KEEL_RETURN_IF_ERROR(st->bind(1, Value(table)));
  KEEL_RETURN_IF_ERROR(st->bind(2, Value(std::string(*existed ? "v1" : kCurrentVersion))));
  KEEL_RETURN_IF_ERROR(st->execute());
  auto version = read_cdc_version(session, table);
  if (!version.ok()) return version.take_status();
  if (!*version) return Status(rc::kError, "CDC table " + table + " has no version");
  return **version;
}

Result<std::optional<CaptureConfig>> read_database_setting(ext::Session& session) {
  auto exists = table_exists(session, std::string(kSettingsTable));
  if (!exists.ok()) return exists.take_status();
  if (!*exists) return std::optional<CaptureConfig>();
  auto st = session.prepare("SELECT mode, table_name FROM keel_cdc_settings WHERE id = 1");
  if (!st.ok()) return st.take_status();
  auto row = st->step();
  if (!row.ok()) return row.take_status();
  if (!*row) return std::optional<CaptureConfig>();
  std::string value = std::string(st->column_text(0)) + "," + std::string(st->column_text(1));
  auto config = parse_capture_value(value);
  if (!config.ok()) {
    return Status(rc::kCorrupt,
                  "keel_cdc_settings holds an invalid setting: " + std::string(config.status().message()));
  }
  return std::optional<CaptureConfig>(*config);
}

Status write_database_setting(ext::Session& session, const CaptureConfig& config) {
  KEEL_RETURN_IF_ERROR(
      session.exec("CREATE TABLE IF NOT EXISTS keel_cdc_settings (id INTEGER PRIMARY KEY CHECK (id = 1), "
                   "mode TEXT NOT NULL, table_name TEXT NOT NULL)"));
  auto st =
      session.prepare("INSERT OR REPLACE INTO keel_cdc_settings (id, mode, table_name) VALUES (1, ?1, ?2)");
  if (!st.ok()) return st.take_status();
  KEEL_RETURN_IF_ERROR(st->bind(1, Value(std::string(mode_name(config.mode)))));
  KEEL_RETURN_IF_ERROR(st->bind(2, Value(config.table)));
  return st->execute();
}

}  // namespace keel::cdc
