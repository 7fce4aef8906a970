// Keel's version, and the SQLite version whose behaviour and file format it follows.
#pragma once

namespace keel {

inline constexpr const char* kVersion = "0.1.0";
// SQLite release Keel matches (dialect, file format, C API); reported by
// sqlite_version() and written at header offset 96 as 3040001.
inline constexpr const char* kSqliteVersion = "3.40.1";
inline constexpr int kSqliteVersionNumber = 3040001;

const char* version();

}  // namespace keel
