// Bounded mutation fuzzer over SQL text: parse -> plan -> execute.
//
// Seeds are statements from the differential test's generator and, when the
// shared conformance corpus (../shared/conformance/sqllogictest) is present,
// the SQL of its records. Each iteration either mutates a seed (token edits:
// delete, duplicate, swap, replace with a keyword or operator; byte edits:
// flip, insert, delete, truncate) or builds a hostile statement (deep
// nesting, huge literals, many columns or joins, pathological LIKE/GLOB
// patterns, recursive CTEs, long IN lists).
//
// The property: every statement ends with OK or an error Status. A crash or a
// sanitizer report ends the process; a hang is caught by a watchdog that
// interrupts the statement after 2 s and aborts the process (printing the
// statement) if it still has not returned 30 s later.
//
// Knobs: KEEL_SQL_FUZZ_ITERATIONS (default 20000), KEEL_SQL_FUZZ_SEED,
// KEEL_SQL_FUZZ_TRACE=1 prints each statement before it runs,
// KEEL_SQL_FUZZ_MAX_COLUMNS bounds the many-columns statements (default 2500),
// KEEL_SQL_FUZZ_STRICT=1 fails on known bugs too, KEEL_SQL_FUZZ_REPLAY=file runs one input.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/connection.h"
#include "engine/statement.h"
#include "sql_generator.h"

namespace keel::difftest {
namespace {

#ifndef KEEL_SQL_FUZZ_CORPUS
#define KEEL_SQL_FUZZ_CORPUS ""
#endif

int64_t env_int(const char* name, int64_t def) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoll(v, nullptr, 10) : def;
}

// Interrupts the running statement after `soft`; aborts after `hard`.
class StatementWatchdog {
 public:
  StatementWatchdog() : thread_([this] { loop(); }) {}
  ~StatementWatchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void arm(engine::Connection* conn, const std::string* sql) {
    std::lock_guard<std::mutex> lock(mu_);
    conn_ = conn;
    sql_ = sql;
    interrupted_ = false;
    start_ = std::chrono::steady_clock::now();
    cv_.notify_all();
  }
  void disarm() {
    std::lock_guard<std::mutex> lock(mu_);
    conn_ = nullptr;
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      if (!conn_) {
        cv_.wait(lock);
        continue;
      }
      auto soft = start_ + std::chrono::seconds(2);
      auto hard = start_ + std::chrono::seconds(32);
      cv_.wait_until(lock, interrupted_ ? hard : soft);
      if (!conn_ || stop_) continue;
      auto now = std::chrono::steady_clock::now();
      if (!interrupted_ && now >= soft) {
        conn_->interrupt();
        interrupted_ = true;
      } else if (interrupted_ && now >= hard) {
        std::fprintf(stderr, "HANG: statement ignored interrupt for 30 s:\n%.4000s\n", sql_->c_str());
        std::fflush(stderr);
        std::abort();
      }
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  engine::Connection* conn_ = nullptr;
  const std::string* sql_ = nullptr;
  bool interrupted_ = false;
  bool stop_ = false;
  std::chrono::steady_clock::time_point start_;
  std::thread thread_;
};

// The SQL of every record of the sqllogictest files under `dir`.
std::vector<std::string> corpus_statements(const std::string& dir, size_t limit) {
  std::vector<std::string> out;
  std::error_code ec;
  if (dir.empty() || !std::filesystem::is_directory(dir, ec)) return out;
  std::vector<std::filesystem::path> files;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->path().extension() == ".test") files.push_back(it->path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line, sql;
    bool in_sql = false;
    size_t taken = 0;
    while (std::getline(in, line)) {
      if (!in_sql) {
        in_sql = line.rfind("statement", 0) == 0 || line.rfind("query", 0) == 0;
        sql.clear();
        continue;
      }
      if (line.empty() || line == "----") {
        if (!sql.empty() && taken++ < limit) out.push_back(sql);
        in_sql = false;
        continue;
      }
      sql += (sql.empty() ? "" : "\n") + line;
    }
  }
  return out;
}

class SqlFuzzer {
 public:
  SqlFuzzer(uint64_t seed, std::vector<std::string> seeds, int many_columns_max)
      : rng_(seed), seeds_(std::move(seeds)), many_columns_max_(many_columns_max) {}

  std::string next() {
    int r = uniform(0, 99);
    if (r < 60) return mutate(pick(seeds_));
    return hostile();
  }

 private:
  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  const std::string& pick(const std::vector<std::string>& v) {
    return v[static_cast<size_t>(uniform(0, static_cast<int>(v.size()) - 1))];
  }

  static std::vector<std::string> tokens(const std::string& sql) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < sql.size()) {
      size_t j = i + 1;
      unsigned char c = static_cast<unsigned char>(sql[i]);
      if (std::isalnum(c) || c == '_') {
        while (j < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_')) ++j;
      } else if (c == '\'') {
        while (j < sql.size() && sql[j] != '\'') ++j;
        if (j < sql.size()) ++j;
      }
      out.push_back(sql.substr(i, j - i));
      i = j;
    }
    return out;
  }

  std::string random_token() {
    static const std::vector<std::string> dict = {"SELECT",
                                                  "FROM",
                                                  "WHERE",
                                                  "(",
                                                  ")",
                                                  ",",
                                                  "NULL",
                                                  "AND",
                                                  "OR",
                                                  "NOT",
                                                  "IN",
                                                  "EXISTS",
                                                  "CASE",
                                                  "WHEN",
                                                  "THEN",
                                                  "ELSE",
                                                  "END",
                                                  "JOIN",
                                                  "LEFT",
                                                  "ON",
                                                  "USING",
                                                  "GROUP BY",
                                                  "HAVING",
                                                  "ORDER BY",
                                                  "LIMIT",
                                                  "OFFSET",
                                                  "UNION",
                                                  "UNION ALL",
                                                  "INTERSECT",
                                                  "EXCEPT",
                                                  "DISTINCT",
                                                  "ALL",
                                                  "AS",
                                                  "CAST",
                                                  "COLLATE",
                                                  "NOCASE",
                                                  "LIKE",
                                                  "GLOB",
                                                  "ESCAPE",
                                                  "BETWEEN",
                                                  "IS",
                                                  "ISNULL",
                                                  "NOTNULL",
                                                  "||",
                                                  "+",
                                                  "-",
                                                  "*",
                                                  "/",
                                                  "%",
                                                  "<<",
                                                  ">>",
                                                  "&",
                                                  "|",
                                                  "~",
                                                  "=",
                                                  "==",
                                                  "<>",
                                                  "!=",
                                                  "<",
                                                  ">",
                                                  "<=",
                                                  ">=",
                                                  "?",
                                                  "?1",
                                                  ":a",
                                                  "@b",
                                                  "$c",
                                                  "'",
                                                  "\"",
                                                  "`",
                                                  "[",
                                                  "]",
                                                  ";",
                                                  ".",
                                                  "*",
                                                  "0",
                                                  "1",
                                                  "-1",
                                                  "9223372036854775807",
                                                  "-9223372036854775808",
                                                  "1e308",
                                                  "1e-308",
                                                  "0x7fffffffffffffff",
                                                  "x'00'",
                                                  "''",
                                                  "'abc'",
                                                  "count(*)",
                                                  "sum",
                                                  "max",
                                                  "min",
                                                  "avg",
                                                  "total",
                                                  "group_concat",
                                                  "abs",
                                                  "coalesce",
                                                  "typeof",
                                                  "substr",
                                                  "VALUES",
                                                  "INSERT",
                                                  "INTO",
                                                  "UPDATE",
                                                  "SET",
                                                  "DELETE",
                                                  "REPLACE",
                                                  "OR IGNORE",
                                                  "DEFAULT",
                                                  "WITH",
                                                  "RECURSIVE",
                                                  "OVER",
                                                  "PARTITION BY",
                                                  "FILTER",
                                                  "WINDOW",
                                                  "ROWS",
                                                  "PRECEDING",
                                                  "RETURNING",
                                                  "t0",
                                                  "t1",
                                                  "a",
                                                  "b",
                                                  "rowid",
                                                  "_rowid_",
                                                  "oid",
                                                  "CREATE",
                                                  "TABLE",
                                                  "INDEX",
                                                  "VIEW",
                                                  "DROP",
                                                  "PRIMARY KEY",
                                                  "UNIQUE",
                                                  "CHECK",
                                                  "WITHOUT ROWID",
                                                  "NATURAL",
                                                  "CROSS",
                                                  "INNER",
                                                  "FULL",
                                                  "RIGHT",
                                                  "OUTER",
                                                  "INDEXED BY",
                                                  "NOT INDEXED",
                                                  "EXPLAIN",
                                                  "EXPLAIN QUERY PLAN",
                                                  "BEGIN",
                                                  "COMMIT",
                                                  "ROLLBACK",
                                                  "SAVEPOINT",
                                                  "RELEASE",
                                                  "PRAGMA",
                                                  "ANALYZE",
                                                  "REINDEX",
                                                  "--",
                                                  "/*",
                                                  "*/",
                                                  "\n",
                                                  "\t"};
    return pick(dict);
  }

  std::string mutate(std::string sql) {
    int rounds = uniform(1, 4);
    for (int round = 0; round < rounds; ++round) {
      if (uniform(0, 1) == 0) {
        std::vector<std::string> t = tokens(sql);
        if (t.empty()) t.push_back(random_token());
        size_t i = static_cast<size_t>(uniform(0, static_cast<int>(t.size()) - 1));
        size_t j = static_cast<size_t>(uniform(0, static_cast<int>(t.size()) - 1));
        switch (uniform(0, 4)) {
          case 0:
            t.erase(t.begin() + static_cast<long>(i));
            break;
          case 1:
            t.insert(t.begin() + static_cast<long>(i), t[j]);
            break;
          case 2:
            std::swap(t[i], t[j]);
            break;
          case 3:
            t[i] = " " + random_token() + " ";
            break;
          default:
            t.insert(t.begin() + static_cast<long>(i), " " + random_token() + " ");
            break;
        }
        sql.clear();
        for (const auto& s : t) sql += s;
      } else {
        if (sql.empty()) sql = " ";
        size_t i = static_cast<size_t>(uniform(0, static_cast<int>(sql.size()) - 1));
        switch (uniform(0, 3)) {
          case 0:
            sql[i] = static_cast<char>(sql[i] ^ (1 << uniform(0, 7)));
            break;
          case 1:
            sql.insert(sql.begin() + static_cast<long>(i), static_cast<char>(uniform(0, 255)));
            break;
          case 2:
            sql.erase(i, static_cast<size_t>(uniform(1, 8)));
            break;
          default:
            sql.resize(i);
            break;
        }
      }
    }
    return sql;
  }

  std::string repeat(const std::string& s, int n, const std::string& sep = "") {
    std::string out;
    for (int i = 0; i < n; ++i) out += (i ? sep : "") + s;
    return out;
  }

  std::string hostile() {
    int n;
    switch (uniform(0, 13)) {
      case 0:  // deep parentheses
        n = uniform(10, 3000);
        return "SELECT " + repeat("(", n) + "1" + repeat(")", n);
      case 1:  // deep unary operators and nested function calls
        n = uniform(10, 2000);
        return "SELECT " + repeat(uniform(0, 1) ? "-" : "NOT ", n) + "1";
      case 2:
        n = uniform(10, 1500);
        return "SELECT " + repeat("abs(", n) + "a" + repeat(")", n) + " FROM t0";
      case 3:  // deep subqueries
        n = uniform(5, 300);
        return repeat("SELECT * FROM (", n) + "SELECT 1" + repeat(")", n);
      case 4:  // huge literals
        switch (uniform(0, 3)) {
          case 0:
            return "SELECT " + repeat("9", uniform(20, 100000));
          case 1:
            return "SELECT '" + repeat("x", uniform(1000, 2000000)) + "'";
          case 2:
            return "SELECT x'" + repeat("ab", uniform(1000, 500000)) + "'";
          default:
            return "SELECT 1" + repeat("0", uniform(300, 5000)) + ".5e-" + std::to_string(uniform(0, 99999));
        }
      case 5:  // many result columns (SQLite's limit is 2000; far beyond it see KNOWN_MISMATCHES.md)
        n = uniform(100, many_columns_max_);
        return "SELECT " + repeat("1", n, ",");
      case 6:  // many joins (SQLite's limit is 64 tables)
        n = uniform(2, 80);
        return "SELECT count(*) FROM " + repeat("t0", n, ", ") + " WHERE 0";
      case 7:  // pathological LIKE / GLOB patterns
        n = uniform(5, 200);
        return std::string("SELECT ") + (uniform(0, 1)
                                             ? "'" + repeat("a", 3000) + "' LIKE '" + repeat("%a", n) + "b'"
                                             : "'" + repeat("a", 3000) + "' GLOB '" + repeat("*a", n) + "b'");
      case 8:  // recursive-looking CTEs, bounded and unbounded (the watchdog ends the latter)
        return uniform(0, 1) ? "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT " +
                                   std::to_string(uniform(0, 5000)) + ") SELECT count(*), sum(x) FROM c"
                             : "WITH c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT x FROM c LIMIT 5";
      case 9:  // long IN lists
        n = uniform(100, 50000);
        return "SELECT count(*) FROM t0 WHERE a IN (" + repeat(std::to_string(uniform(0, 9)), n, ",") + ")";
      case 10:  // many CTEs and compound terms
        n = uniform(2, 600);
        return "SELECT 1" + repeat(uniform(0, 1) ? " UNION SELECT 2" : " UNION ALL SELECT 2", n);
      case 11:
        n = uniform(2, 200);
        return "WITH " + repeat("c AS (SELECT 1)", 1) +
               repeat(", c" + std::to_string(uniform(0, 3)) + " AS (SELECT 2)", n) + " SELECT * FROM c";
      case 12:  // deep CASE and long AND/OR chains
        n = uniform(10, 3000);
        return "SELECT * FROM t0 WHERE " + repeat("a=1", n, uniform(0, 1) ? " OR " : " AND ");
      default:
        n = uniform(10, 800);
        return "SELECT " + repeat("CASE WHEN a THEN ", n) + "1" + repeat(" END", n) + " FROM t0";
    }
  }

  std::mt19937_64 rng_;
  std::vector<std::string> seeds_;
  int many_columns_max_;
};

// Statements that could touch files outside the in-memory database.
bool touches_files(const std::string& sql) {
  std::string lower;
  lower.reserve(sql.size());
  for (char c : sql) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("attach") != std::string::npos || lower.find("vacuum") != std::string::npos ||
         lower.find("load_extension") != std::string::npos;
}

Result<std::unique_ptr<engine::Connection>> fresh_connection(const std::vector<std::string>& schema) {
  auto conn = engine::Connection::open(":memory:");
  if (!conn.ok()) return conn.take_status();
  // Bound strings and blobs to 10 MB so that hostile statements cannot
  // exhaust the machine's memory (SQLITE_LIMIT_LENGTH).
  conn.value()->compile_options().max_length = 10 * 1000 * 1000;
  for (const auto& s : schema) conn.value()->exec(s).ignore();
  return conn;
}

TEST(SqlFuzz, MalformedAndHostileSqlEndsInOkOrError) {
  // KEEL_SQL_FUZZ_REPLAY=file runs the text of one file once (a crash reproducer).
  std::string replay;
  if (const char* path = std::getenv("KEEL_SQL_FUZZ_REPLAY"); path && *path) {
    std::ifstream in(path, std::ios::binary);
    replay.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const int64_t iterations = replay.empty() ? env_int("KEEL_SQL_FUZZ_ITERATIONS", 20000) : 1;
  const uint64_t seed = static_cast<uint64_t>(env_int("KEEL_SQL_FUZZ_SEED", 77));
  const bool trace = env_int("KEEL_SQL_FUZZ_TRACE", 0) != 0;
  const bool strict = env_int("KEEL_SQL_FUZZ_STRICT", 0) != 0;
  int64_t known_exceptions = 0;

  // Seeds: a schema with data, statements over it, and the corpus.
  SqlGenerator gen(seed, kAllFeatures);
  std::vector<std::string> schema = gen.schema();
  for (const auto& s : gen.data()) schema.push_back(s);
  std::vector<std::string> seeds = schema;
  for (int i = 0; i < 400; ++i) seeds.push_back(gen.query().text());
  for (int i = 0; i < 100; ++i) seeds.push_back(gen.dml());
  std::vector<std::string> corpus = corpus_statements(KEEL_SQL_FUZZ_CORPUS, 300);
  if (corpus.empty())
    std::printf("conformance corpus not found (%s): seeds come from the generator only\n",
                KEEL_SQL_FUZZ_CORPUS);
  else
    std::printf("%zu seed statements from the conformance corpus\n", corpus.size());
  seeds.insert(seeds.end(), corpus.begin(), corpus.end());

  SqlFuzzer fuzzer(seed, seeds, static_cast<int>(env_int("KEEL_SQL_FUZZ_MAX_COLUMNS", 2500)));
  StatementWatchdog watchdog;
  auto opened = fresh_connection(schema);
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  std::unique_ptr<engine::Connection> conn = std::move(opened.value());

  const auto start = std::chrono::steady_clock::now();
  int64_t ok = 0, errors = 0, interrupted = 0, rows = 0;
  for (int64_t i = 0; i < iterations; ++i) {
    if (i % 100 == 99) {
      auto again = fresh_connection(schema);
      ASSERT_TRUE(again.ok()) << again.status().to_string();
      conn = std::move(again.value());
    }
    std::string sql = replay.empty() ? fuzzer.next() : replay;
    if (touches_files(sql)) continue;
    if (trace) std::fprintf(stderr, "[%lld] %.2000s\n", static_cast<long long>(i), sql.c_str());
    const auto t0 = std::chrono::steady_clock::now();
    watchdog.arm(conn.get(), &sql);
    // Every statement of the text, as sqlite3_exec would run them; at most
    // 10,000 rows each.
    Status outcome;
    uint32_t offset = 0;
    try {
      while (outcome.ok() && offset < sql.size()) {
        uint32_t tail = 0;
        auto prepared = conn->prepare(std::string_view(sql).substr(offset), &tail);
        if (!prepared.ok()) {
          outcome = prepared.take_status();
          break;
        }
        if (tail == 0) break;  // no progress: the rest is empty
        offset += tail;
        std::unique_ptr<engine::Statement> stmt = std::move(prepared.value());
        if (!stmt) continue;
        for (int n = 0; n < 10000; ++n) {
          auto step = stmt->step();
          if (!step.ok()) {
            outcome = step.take_status();
            break;
          }
          if (step.value() != rc::kRow) break;
          ++rows;
        }
      }
    } catch (const std::exception& e) {
      // Nothing may throw out of the engine. One known bug (a view whose
      // SQL text is re-read with a wrong offset, KNOWN_MISMATCHES.md) is
      // counted unless KEEL_SQL_FUZZ_STRICT is set; anything else fails.
      std::string what = e.what();
      bool known = !strict && what.find("basic_string_view::substr") != std::string::npos;
      if (known) {
        if (known_exceptions++ < 3)
          std::printf("known bug, exception escaped (%s): %.200s\n", what.c_str(), sql.c_str());
      } else {
        ADD_FAILURE() << "exception escaped the engine: " << what << "\n" << sql.substr(0, 2000);
      }
      outcome = Status(rc::kInternal, "exception");
      // The connection may be in any state now: start over.
      watchdog.disarm();
      conn.reset();
      auto again = fresh_connection(schema);
      ASSERT_TRUE(again.ok()) << again.status().to_string();
      conn = std::move(again.value());
    }
    watchdog.disarm();
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (took > 0.5)
      std::printf("slow statement (%.1fs, %s): %.160s\n", took, outcome.ok() ? "ok" : "error", sql.c_str());
    if (outcome.code() == rc::kInternal && outcome.message() == "exception") {
      // counted above
    } else if (outcome.ok()) {
      ++ok;
    } else {
      // An error must carry a real result code and a message.
      EXPECT_NE(outcome.code(), rc::kOk);
      EXPECT_FALSE(outcome.message().empty()) << sql.substr(0, 2000);
      if (outcome.is(rc::kInterrupt))
        ++interrupted;
      else
        ++errors;
    }
    // Leave no transaction open for the next statement.
    if (!conn->autocommit()) conn->exec("ROLLBACK").ignore();
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "%lld statements in %.1fs: %lld ok, %lld errors, %lld interrupted by the watchdog, %lld rows, "
      "%lld known-bug exceptions\n",
      static_cast<long long>(iterations), secs, static_cast<long long>(ok), static_cast<long long>(errors),
      static_cast<long long>(interrupted), static_cast<long long>(rows),
      static_cast<long long>(known_exceptions));
  if (replay.empty()) {
    EXPECT_GT(ok, 0);
    EXPECT_GT(errors, 0);
  }
}

}  // namespace
}  // namespace keel::difftest
