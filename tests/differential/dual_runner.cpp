// Runs statements on Keel and libsqlite3 and compares what they answer.
#include "dual_runner.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "engine/statement.h"

namespace keel::difftest {

bool g_loose_numbers = false;
bool g_loose_constraint_messages = false;

namespace {
int64_t real_bits(double d) {
  int64_t b;
  std::memcpy(&b, &d, sizeof b);
  return b;
}

std::string hex(const std::string& s) {
  static const char* const digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}
}  // namespace

namespace {
bool is_number(int t) { return t == SQLITE_INTEGER || t == SQLITE_FLOAT; }
double number(const Cell& c) { return c.type == SQLITE_INTEGER ? static_cast<double>(c.i) : c.r; }
bool close(double a, double b) {
  return a == b || std::fabs(a - b) <= 1e-12 * std::max({1.0, std::fabs(a), std::fabs(b)});
}
}  // namespace

bool Cell::operator==(const Cell& o) const {
  if (g_loose_numbers && is_number(type) && is_number(o.type) && (type != o.type || type == SQLITE_FLOAT))
    return close(number(*this), number(o));
  if (type != o.type) return false;
  switch (type) {
    case SQLITE_INTEGER:
      return i == o.i;
    case SQLITE_FLOAT:
      return real_bits(r) == real_bits(o.r);
    case SQLITE_TEXT:
    case SQLITE_BLOB:
      return s == o.s;
    default:
      return true;
  }
}

bool Cell::operator<(const Cell& o) const {
  if (g_loose_numbers && is_number(type) && is_number(o.type)) {
    if (type == SQLITE_INTEGER && o.type == SQLITE_INTEGER) return i < o.i;
    return number(*this) < number(o) && !close(number(*this), number(o));
  }
  if (type != o.type) return type < o.type;
  switch (type) {
    case SQLITE_INTEGER:
      return i < o.i;
    case SQLITE_FLOAT:
      return real_bits(r) < real_bits(o.r);
    case SQLITE_TEXT:
    case SQLITE_BLOB:
      return s < o.s;
    default:
      return false;
  }
}

std::string Cell::to_sql() const {
  switch (type) {
    case SQLITE_INTEGER:
      return std::to_string(i);
    case SQLITE_FLOAT: {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", r);
      std::string t = buf;
      if (t.find_first_of(".eEni") == std::string::npos) t += ".0";
      return t;
    }
    case SQLITE_TEXT: {
      std::string out = "'";
      for (char c : s) {
        if (c == '\'') out += '\'';
        out += c;
      }
      return out + "'";
    }
    case SQLITE_BLOB:
      return "x'" + hex(s) + "'";
    default:
      return "NULL";
  }
}

std::string Outcome::describe(size_t max_rows) const {
  if (code != 0) return "error " + std::to_string(code) + ": " + message;
  std::string out = std::to_string(rows.size()) + " row(s), changes=" + std::to_string(changes);
  for (size_t i = 0; i < rows.size() && i < max_rows; ++i) {
    out += "\n    ";
    for (size_t c = 0; c < rows[i].size(); ++c) out += (c ? " | " : "") + rows[i][c].to_sql();
  }
  if (rows.size() > max_rows) out += "\n    ...";
  return out;
}

Watchdog::Watchdog(std::chrono::milliseconds limit) : limit_(limit), thread_([this] { loop(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Watchdog::arm(engine::Connection* conn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    conn_ = conn;
    deadline_ = std::chrono::steady_clock::now() + limit_;
  }
  cv_.notify_all();
}

void Watchdog::disarm() {
  std::lock_guard<std::mutex> lock(mu_);
  conn_ = nullptr;
}

void Watchdog::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (conn_ == nullptr) {
      cv_.wait(lock);
      continue;
    }
    if (cv_.wait_until(lock, deadline_) == std::cv_status::timeout && conn_ != nullptr &&
        std::chrono::steady_clock::now() >= deadline_) {
      conn_->interrupt();
      conn_ = nullptr;
    }
  }
}

DualRunner::DualRunner() : watchdog_(std::chrono::milliseconds(5000)) {}

DualRunner::~DualRunner() {
  keel_.reset();
  if (sqlite_) sqlite3_close(sqlite_);
}

bool DualRunner::reset(std::string* error) {
  keel_.reset();
  if (sqlite_) sqlite3_close(sqlite_);
  sqlite_ = nullptr;
  auto conn = engine::Connection::open(":memory:");
  if (!conn.ok()) {
    *error = "keel open: " + conn.status().to_string();
    return false;
  }
  keel_ = std::move(conn.value());
  if (sqlite3_open(":memory:", &sqlite_) != SQLITE_OK) {
    *error = "sqlite3_open failed";
    return false;
  }
  return true;
}

Outcome DualRunner::run_keel(const std::string& sql) {
  // Nothing may throw out of the engine; an escaping exception is reported
  // as a mismatch (code -1) rather than ending the run.
  try {
    return run_keel_unguarded(sql);
  } catch (const std::exception& e) {
    watchdog_.disarm();
    Outcome out;
    out.code = -1;
    out.message = std::string("C++ exception escaped: ") + e.what();
    return out;
  }
}

Outcome DualRunner::run_keel_unguarded(const std::string& sql) {
  Outcome out;
  watchdog_.arm(keel_.get());
  auto prepared = keel_->prepare(sql);
  if (!prepared.ok()) {
    watchdog_.disarm();
    out.code = prepared.status().primary();
    out.message = std::string(prepared.status().message());
    return out;
  }
  std::unique_ptr<engine::Statement> stmt = std::move(prepared.value());
  if (!stmt) {
    watchdog_.disarm();
    return out;
  }
  for (;;) {
    auto r = stmt->step();
    if (!r.ok()) {
      out.code = r.status().primary();
      out.message = std::string(r.status().message());
      out.rows.clear();
      break;
    }
    if (r.value() != rc::kRow) break;
    std::vector<Cell> row;
    for (const vm::Value& v : stmt->row()) {
      Cell c;
      switch (v.type()) {
        case vm::ValueType::kInteger:
          c.type = SQLITE_INTEGER;
          c.i = v.int_value();
          break;
        case vm::ValueType::kReal:
          c.type = SQLITE_FLOAT;
          c.r = v.real_value();
          break;
        case vm::ValueType::kText:
        case vm::ValueType::kBlob:
          c.type = v.is_text() ? SQLITE_TEXT : SQLITE_BLOB;
          if (v.is_zeroblob())
            c.s.assign(v.size(), '\0');
          else
            c.s.assign(v.data() ? v.data() : "", v.size());
          break;
        default:
          c.type = SQLITE_NULL;
      }
      row.push_back(std::move(c));
    }
    out.rows.push_back(std::move(row));
  }
  watchdog_.disarm();
  if (out.code == 0) out.changes = stmt->read_only() ? 0 : keel_->changes();
  stmt.reset();
  return out;
}

Outcome DualRunner::run_sqlite(const std::string& sql) {
  Outcome out;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(sqlite_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    out.code = rc & 0xff;
    out.message = sqlite3_errmsg(sqlite_);
    return out;
  }
  if (!stmt) return out;
  for (;;) {
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) break;
    std::vector<Cell> row;
    int n = sqlite3_column_count(stmt);
    for (int i = 0; i < n; ++i) {
      Cell c;
      c.type = sqlite3_column_type(stmt, i);
      switch (c.type) {
        case SQLITE_INTEGER:
          c.i = sqlite3_column_int64(stmt, i);
          break;
        case SQLITE_FLOAT:
          c.r = sqlite3_column_double(stmt, i);
          break;
        case SQLITE_TEXT:
        case SQLITE_BLOB: {
          const void* p = c.type == SQLITE_TEXT ? static_cast<const void*>(sqlite3_column_text(stmt, i))
                                                : sqlite3_column_blob(stmt, i);
          int len = sqlite3_column_bytes(stmt, i);
          if (p) c.s.assign(static_cast<const char*>(p), static_cast<size_t>(len));
          break;
        }
        default:
          break;
      }
      row.push_back(std::move(c));
    }
    out.rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) {
    out.code = rc & 0xff;
    out.message = sqlite3_errmsg(sqlite_);
    out.rows.clear();
  } else {
    out.changes = sqlite3_stmt_readonly(stmt) ? 0 : sqlite3_changes64(sqlite_);
  }
  sqlite3_finalize(stmt);
  return out;
}

std::string compare_outcomes(const Outcome& keel, const Outcome& sqlite, bool ordered, bool compare_changes) {
  auto show = [&](const std::string& what) {
    return what + "\n  keel:   " + keel.describe() + "\n  sqlite: " + sqlite.describe();
  };
  if (keel.code != sqlite.code) return show("result code differs");
  if (keel.code != 0) {
    if (keel.message == sqlite.message) return "";
    if (g_loose_constraint_messages && keel.code == SQLITE_CONSTRAINT &&
        keel.message.substr(0, keel.message.find(':')) == sqlite.message.substr(0, sqlite.message.find(':')))
      return "";
    return show("error message differs");
  }
  if (compare_changes && keel.changes != sqlite.changes) return show("changes differ");
  if (keel.rows.size() != sqlite.rows.size()) return show("row count differs");
  if (ordered) return keel.rows == sqlite.rows ? "" : show("rows differ (ordered)");
  auto a = keel.rows;
  auto b = sqlite.rows;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b ? "" : show("rows differ");
}

std::string DualRunner::run_both(const std::string& sql, bool ordered, bool compare_changes) {
  Outcome k = run_keel(sql);
  Outcome s = run_sqlite(sql);
  return compare_outcomes(k, s, ordered, compare_changes);
}

std::string DualRunner::compare_tables(const std::vector<std::pair<std::string, bool>>& tables) {
  for (const auto& [name, rowid] : tables) {
    std::string sql = std::string("SELECT ") + (rowid ? "rowid, " : "") + "* FROM " + name;
    std::string diff = run_both(sql, false, false);
    if (!diff.empty()) return "contents of " + name + ": " + diff;
  }
  return "";
}

}  // namespace keel::difftest
