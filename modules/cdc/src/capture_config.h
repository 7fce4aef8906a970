// What a connection captures: the mode and the CDC table, as written in
// PRAGMA capture_data_changes_conn('<mode>[,<table>]') and in the
// database-wide setting.
#pragma once

#include <string>
#include <string_view>

#include "keel/status.hpp"

namespace keel::cdc {

// off: nothing; id: ids only; before / after: that image too; full: both
// images and the per-column `updates` record.
enum class Mode { kOff, kId, kBefore, kAfter, kFull };

inline constexpr std::string_view kDefaultTable = "turso_cdc";
inline constexpr std::string_view kVersionTable = "turso_cdc_version";
// The database-wide setting (PRAGMA capture_data_changes): one row.
inline constexpr std::string_view kSettingsTable = "keel_cdc_settings";
// The table layout this module writes into new CDC tables.
inline constexpr std::string_view kCurrentVersion = "v2";

struct CaptureConfig {
  Mode mode = Mode::kOff;
  std::string table{kDefaultTable};

  bool on() const { return mode != Mode::kOff; }
  bool has_before() const { return mode == Mode::kBefore || mode == Mode::kFull; }
  bool has_after() const { return mode == Mode::kAfter || mode == Mode::kFull; }
  bool has_updates() const { return mode == Mode::kFull; }
};

std::string_view mode_name(Mode m);

// Parses "<mode>[,<table>]" (spaces around either part ignored, the mode
// case-insensitive). A table name is a plain identifier: letters, digits
// and '_', not starting with a digit, not starting with "sqlite_".
Result<CaptureConfig> parse_capture_value(std::string_view value);

// `name` as a double-quoted SQL identifier.
std::string quote_identifier(std::string_view name);

// ASCII case-insensitive equality (SQL identifiers).
bool same_name(std::string_view a, std::string_view b);

}  // namespace keel::cdc
