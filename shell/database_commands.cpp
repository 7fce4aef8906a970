// Dot-commands that work on whole databases: .open, .backup/.save,
// .restore (both through the sqlite3 backup API), .limit, and .dbinfo (the
// fields of the 100-byte file header plus schema counts).
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>

#include "shell/shell.h"

namespace keel::shell {
namespace {

uint32_t get4(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

int query_int(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  int v = 0;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    v = sqlite3_column_int(stmt, 0);
  }
  sqlite3_finalize(stmt);
  return v;
}

// The first 100 bytes of database `schema`: from its file, or (for an
// in-memory database) from a serialized copy.
bool read_header(sqlite3* db, const char* schema, unsigned char* header) {
  const char* file = sqlite3_db_filename(db, schema);
  if (file && file[0]) {
    FILE* f = std::fopen(file, "rb");
    if (f == nullptr) return false;
    bool ok = std::fread(header, 1, 100, f) == 100;
    std::fclose(f);
    return ok;
  }
  sqlite3_int64 size = 0;
  unsigned char* image = sqlite3_serialize(db, schema, &size, 0);
  if (image == nullptr || size < 100) {
    sqlite3_free(image);
    return false;
  }
  std::memcpy(header, image, 100);
  sqlite3_free(image);
  return true;
}

}  // namespace

int Shell::cmd_open(const std::vector<std::string>& args) {
  OpenSpec spec;
  spec.experimental = spec_.experimental;
  bool new_file = false;
  bool have_name = false;
  for (size_t i = 1; i < args.size(); i++) {
    std::string z = args[i];
    if (z[0] == '-' && z.size() > 1) {
      if (z[1] == '-') z = z.substr(1);
      if (z == "-new") {
        new_file = true;
      } else if (z == "-readonly") {
        spec.read_only = true;
      } else {
        std::fprintf(stderr, "unknown option: %s\n", args[i].c_str());
        return 1;
      }
    } else if (!have_name) {
      spec.filename = z;
      have_name = true;
    } else {
      std::fprintf(stderr, "extra argument: \"%s\"\n", z.c_str());
      return 1;
    }
  }
  output_reset();
  if (have_name && new_file) unlink(spec.filename.c_str());
  if (!have_name) spec.filename = ":memory:";
  if (!open(spec)) {
    // Keep a usable connection, as sqlite3 does.
    OpenSpec memory;
    open(memory);
    spec_.filename = spec.filename;
  }
  return 0;
}

int Shell::cmd_backup(const std::vector<std::string>& args) {
  std::string dest, schema;
  for (size_t j = 1; j < args.size(); j++) {
    const std::string& z = args[j];
    if (z[0] == '-') {
      std::string o = z[1] == '-' ? z.substr(1) : z;
      if (o != "-async") {
        std::fprintf(stderr, "unknown option: %s\n", z.c_str());
        return 1;
      }
    } else if (dest.empty()) {
      dest = z;
    } else if (schema.empty()) {
      schema = dest;
      dest = z;
    } else {
      std::fprintf(stderr, "Usage: .backup ?DB? ?OPTIONS? FILENAME\n");
      return 1;
    }
  }
  if (dest.empty()) {
    std::fprintf(stderr, "missing FILENAME argument on .backup\n");
    return 1;
  }
  if (schema.empty()) schema = "main";
  sqlite3* target = nullptr;
  if (sqlite3_open_v2(dest.c_str(), &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::fprintf(stderr, "Error: cannot open \"%s\"\n", dest.c_str());
    sqlite3_close_v2(target);
    return 1;
  }
  sqlite3_backup* backup = sqlite3_backup_init(target, "main", db_, schema.c_str());
  if (backup == nullptr) {
    std::fprintf(stderr, "Error: %s\n", sqlite3_errmsg(target));
    sqlite3_close_v2(target);
    return 1;
  }
  int rc;
  while ((rc = sqlite3_backup_step(backup, 100)) == SQLITE_OK) {
  }
  sqlite3_backup_finish(backup);
  int result = 0;
  if (rc != SQLITE_DONE) {
    std::fprintf(stderr, "Error: %s\n", sqlite3_errmsg(target));
    result = 1;
  }
  sqlite3_close_v2(target);
  return result;
}

int Shell::cmd_restore(const std::vector<std::string>& args) {
  std::string source, schema = "main";
  if (args.size() == 2) {
    source = args[1];
  } else if (args.size() == 3) {
    schema = args[1];
    source = args[2];
  } else {
    std::fprintf(stderr, "Usage: .restore ?DB? FILE\n");
    return 1;
  }
  sqlite3* src = nullptr;
  if (sqlite3_open_v2(source.c_str(), &src, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "Error: cannot open \"%s\"\n", source.c_str());
    sqlite3_close_v2(src);
    return 1;
  }
  sqlite3_backup* backup = sqlite3_backup_init(db_, schema.c_str(), src, "main");
  if (backup == nullptr) {
    std::fprintf(stderr, "Error: %s\n", sqlite3_errmsg(db_));
    sqlite3_close_v2(src);
    return 1;
  }
  int rc, busy = 0;
  while ((rc = sqlite3_backup_step(backup, 100)) == SQLITE_OK || rc == SQLITE_BUSY) {
    if (rc == SQLITE_BUSY) {
      if (busy++ >= 3) break;
      sqlite3_sleep(100);
    }
  }
  sqlite3_backup_finish(backup);
  int result = 0;
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    std::fprintf(stderr, "Error: source database is busy\n");
    result = 1;
  } else if (rc != SQLITE_DONE) {
    std::fprintf(stderr, "Error: %s\n", sqlite3_errmsg(db_));
    result = 1;
  }
  sqlite3_close_v2(src);
  return result;
}

int Shell::cmd_limit(const std::vector<std::string>& args) {
  static const struct {
    const char* name;
    int code;
  } kLimits[] = {
      {"length", SQLITE_LIMIT_LENGTH},
      {"sql_length", SQLITE_LIMIT_SQL_LENGTH},
      {"column", SQLITE_LIMIT_COLUMN},
      {"expr_depth", SQLITE_LIMIT_EXPR_DEPTH},
      {"compound_select", SQLITE_LIMIT_COMPOUND_SELECT},
      {"vdbe_op", SQLITE_LIMIT_VDBE_OP},
      {"function_arg", SQLITE_LIMIT_FUNCTION_ARG},
      {"attached", SQLITE_LIMIT_ATTACHED},
      {"like_pattern_length", SQLITE_LIMIT_LIKE_PATTERN_LENGTH},
      {"variable_number", SQLITE_LIMIT_VARIABLE_NUMBER},
      {"trigger_depth", SQLITE_LIMIT_TRIGGER_DEPTH},
      {"worker_threads", SQLITE_LIMIT_WORKER_THREADS},
  };
  // sqlite3 prints these with printf(), to stdout whatever .output says.
  if (args.size() == 1) {
    for (const auto& l : kLimits) std::printf("%20s %d\n", l.name, sqlite3_limit(db_, l.code, -1));
    return 0;
  }
  if (args.size() > 3) {
    std::fprintf(stderr, "Usage: .limit NAME ?NEW-VALUE?\n");
    return 1;
  }
  int found = -1;
  for (int i = 0; i < static_cast<int>(std::size(kLimits)); i++) {
    if (sqlite3_strnicmp(kLimits[i].name, args[1].c_str(), static_cast<int>(args[1].size())) == 0) {
      if (found >= 0) {
        std::fprintf(stderr, "ambiguous limit: \"%s\"\n", args[1].c_str());
        return 1;
      }
      found = i;
    }
  }
  if (found < 0) {
    std::fprintf(stderr, "unknown limit: \"%s\"\nenter \".limits\" with no arguments for a list.\n",
                 args[1].c_str());
    return 1;
  }
  if (args.size() == 3) sqlite3_limit(db_, kLimits[found].code, std::atoi(args[2].c_str()));
  std::printf("%20s %d\n", kLimits[found].name, sqlite3_limit(db_, kLimits[found].code, -1));
  return 0;
}

int Shell::cmd_dbinfo(const std::vector<std::string>& args) {
  std::string schema = args.size() >= 2 && !args[1].empty() ? args[1] : "main";
  unsigned char h[100];
  if (!read_header(db_, schema.c_str(), h)) {
    std::fprintf(stderr, "unable to read database header\n");
    return 1;
  }
  static const struct {
    const char* name;
    int offset;
  } kFields[] = {
      {"file change counter:", 24}, {"database page count:", 28}, {"freelist page count:", 36},
      {"schema cookie:", 40},       {"schema format:", 44},       {"default cache size:", 48},
      {"autovacuum top root:", 52}, {"incremental vacuum:", 64},  {"text encoding:", 56},
      {"user version:", 60},        {"application id:", 68},      {"software version:", 96},
  };
  char line[128];
  std::string text;
  int page_size = (h[16] << 8) | h[17];
  if (page_size == 1) page_size = 65536;
  std::snprintf(line, sizeof line, "%-20s %d\n%-20s %d\n%-20s %d\n%-20s %d\n",
                "database page size:", page_size, "write format:", h[18], "read format:", h[19],
                "reserved bytes:", h[20]);
  text += line;
  for (const auto& f : kFields) {
    uint32_t v = get4(h + f.offset);
    std::snprintf(line, sizeof line, "%-20s %u", f.name, v);
    text += line;
    if (f.offset == 56) text += v == 1 ? " (utf8)" : v == 2 ? " (utf16le)" : v == 3 ? " (utf16be)" : "";
    text += '\n';
  }
  std::string table = schema == "main"   ? "main.sqlite_schema"
                      : schema == "temp" ? "sqlite_temp_schema"
                                         : "\"" + schema + "\".sqlite_schema";
  static const struct {
    const char* name;
    const char* sql;
  } kQueries[] = {
      {"number of tables:", "SELECT count(*) FROM %s WHERE type='table'"},
      {"number of indexes:", "SELECT count(*) FROM %s WHERE type='index'"},
      {"number of triggers:", "SELECT count(*) FROM %s WHERE type='trigger'"},
      {"number of views:", "SELECT count(*) FROM %s WHERE type='view'"},
      {"schema size:", "SELECT total(length(sql)) FROM %s"},
  };
  for (const auto& q : kQueries) {
    char sql[200];
    std::snprintf(sql, sizeof sql, q.sql, table.c_str());
    std::snprintf(line, sizeof line, "%-20s %d\n", q.name, query_int(db_, sql));
    text += line;
  }
  unsigned int data_version = 0;
  if (sqlite3_file_control(db_, schema.c_str(), SQLITE_FCNTL_DATA_VERSION, &data_version) != SQLITE_OK) {
    data_version = static_cast<unsigned>(query_int(db_, "PRAGMA " + schema + ".data_version"));
  }
  std::snprintf(line, sizeof line, "%-20s %u\n", "data version", data_version);
  text += line;
  std::fputs(text.c_str(), out_file_);
  return 0;
}

}  // namespace keel::shell
