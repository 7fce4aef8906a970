// Bounded mutation fuzzing: thousands of mutated statements must give a
// clean verdict (a tree or an error), never a crash or a hang. The verdicts
// are also compared with SQLite's parser, and the agreement must stay high.
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "parse/parse_test_util.h"
#include "parse/token.h"

namespace keel::parse {
namespace {

const char* const kSeeds[] = {
    "SELECT a, b + 1 AS c, count(*) FROM t WHERE a > 1 AND b IN (1, 2, 3) GROUP BY a HAVING count(*) > 1 "
    "ORDER BY a DESC LIMIT 10 OFFSET 2",
    "SELECT * FROM t LEFT JOIN t1 ON t.a = t1.a NATURAL JOIN t2 WHERE EXISTS (SELECT 1 FROM t2 WHERE x = a)",
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5) SELECT n FROM c",
    "SELECT sum(a) FILTER (WHERE b) OVER (PARTITION BY c ORDER BY a ROWS BETWEEN 1 PRECEDING AND CURRENT "
    "ROW) "
    "FROM t WINDOW w AS (ORDER BY b)",
    "SELECT CASE WHEN a THEN 'x' WHEN b THEN 'y' ELSE NULL END, CAST(a AS TEXT), a COLLATE nocase FROM t",
    "INSERT INTO t(a, b) VALUES (1, 'x'), (2, x'00') ON CONFLICT (a) DO UPDATE SET b = excluded.b RETURNING "
    "*",
    "UPDATE OR REPLACE t SET a = 1, (b, c) = (2, 3) FROM t1 WHERE t.a = t1.a",
    "DELETE FROM t WHERE a BETWEEN 1 AND 10 AND b NOT LIKE 'x%' ESCAPE '!'",
    "CREATE TABLE t3(a INTEGER PRIMARY KEY AUTOINCREMENT, b TEXT NOT NULL DEFAULT 'x' CHECK (b <> ''), "
    "c REFERENCES t(a) ON DELETE CASCADE, d AS (a * 2) STORED, UNIQUE (b, c)) WITHOUT ROWID",
    "CREATE UNIQUE INDEX i ON t(a COLLATE nocase DESC, b + 1) WHERE c IS NOT NULL",
    "CREATE TRIGGER r AFTER UPDATE OF a ON t FOR EACH ROW WHEN new.a > 0 BEGIN INSERT INTO t2 VALUES (1, 2); "
    "SELECT RAISE(ABORT, 'x'); END",
    "CREATE VIEW v(x) AS SELECT a FROM t UNION SELECT x FROM t2",
    "CREATE VIRTUAL TABLE v1 USING fts5(a, b, tokenize = 'porter')",
    "ALTER TABLE t ADD COLUMN d INT DEFAULT 0",
    "PRAGMA main.cache_size = -2000",
    "ATTACH 'x.db' AS aux",
    "BEGIN IMMEDIATE TRANSACTION",
    "SELECT ?1, :a, @b, $c, (a, b) IN ((1, 2)), a -> '$.x', a ->> 'y', -a, ~b, NOT c FROM t",
};

const char* const kInserts[] = {
    "(",       ")",        ",",     ";",     "SELECT", "FROM",   "WHERE",    "AND", "NOT",    "NULL", "IN",
    "BETWEEN", "CASE",     "END",   "OVER",  "FILTER", "WINDOW", "AS",       "ON",  "JOIN",   "'",    "\"",
    "[",       "x'",       "1",     "a",     "*",      "-",      "--",       "/*",  "?",      ":",    "$",
    "#1",      "ORDER BY", "LIMIT", "UNION", "WITH",   "DO",     "CONFLICT", "KEY", "REPLACE"};

std::string mutate(const std::string& s, std::mt19937& rng) {
  // Mutate at token boundaries most of the time, bytes otherwise.
  std::vector<std::pair<uint32_t, uint32_t>> toks;
  uint32_t pos = 0;
  for (;;) {
    Token t = next_token(s, pos);
    if (t.kind == Tk::kEof || t.length == 0) break;
    if (t.kind != Tk::kSpace) toks.emplace_back(t.offset, t.length);
    pos += t.length;
  }
  std::string out = s;
  int n = 1 + static_cast<int>(rng() % 3);
  for (int k = 0; k < n && !toks.empty(); ++k) {
    auto [off, len] = toks[rng() % toks.size()];
    if (off + len > out.size()) continue;
    switch (rng() % 6) {
      case 0:  // delete a token
        out.erase(off, len);
        break;
      case 1:  // duplicate a token
        out.insert(off, out.substr(off, len) + " ");
        break;
      case 2:  // insert a token
        out.insert(off, std::string(kInserts[rng() % std::size(kInserts)]) + " ");
        break;
      case 3:  // truncate
        out.resize(off);
        break;
      case 4:  // replace a byte
        if (!out.empty()) out[rng() % out.size()] = static_cast<char>(rng() % 128);
        break;
      default: {  // swap two tokens' text
        auto [off2, len2] = toks[rng() % toks.size()];
        if (off2 + len2 <= out.size() && off2 > off + len) {
          std::string a = out.substr(off, len), b = out.substr(off2, len2);
          out.replace(off2, len2, a);
          out.replace(off, len, b);
        }
        break;
      }
    }
    if (out.size() != s.size()) break;  // offsets are stale after a length change
  }
  return out;
}

TEST(Fuzz, MutatedStatementsNeverCrash) {
  std::mt19937 rng(20261129);
  testing::Oracle oracle;
  int total = 0, agree = 0, masked = 0;
  std::vector<std::string> disagreements;
  auto t0 = std::chrono::steady_clock::now();
  for (int round = 0; round < 1200; ++round) {
    for (const char* seed : kSeeds) {
      std::string m = mutate(seed, rng);
      if (rng() % 4 == 0) m = mutate(m, rng);
      std::string mine = testing::keel_verdict(m);
      // Anything accepted must print and re-parse.
      if (mine == "OK") {
        std::string once = testing::canon(m);
        EXPECT_EQ(testing::canon(once), once) << m;
      }
      ++total;
      std::string theirs = oracle.verdict(m);
      if (mine != theirs && theirs == "OK" && !oracle.last_message().empty()) {
        // SQLite stopped on an error of its schema code that runs while it
        // parses (e.g. AUTOINCREMENT on a non-integer key), before reaching
        // the syntax error Keel reports: not comparable.
        ++masked;
        continue;
      }
      if (mine == theirs) {
        ++agree;
      } else if (disagreements.size() < 15) {
        disagreements.push_back(m + "\n    keel:   " + mine + "\n    sqlite: " + theirs);
      }
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("fuzz: %d mutated statements, %d comparable, %d agree with sqlite (%.3f%%), %.1fs\n", total,
              total - masked, agree, 100.0 * agree / (total - masked), secs);
  for (const std::string& d : disagreements) std::printf("  %s\n", d.c_str());
  EXPECT_GE(total, 20000);
  EXPECT_GE(agree * 1000, (total - masked) * 995) << "agreement with SQLite's parser dropped";
}

// On the same mutated inputs (two statements each): is_complete() agrees with
// sqlite3_complete(), a syntax error points at the byte sqlite3_error_offset()
// reports, and a statement ends where sqlite3_prepare's pzTail says.
TEST(Fuzz, CompleteOffsetsAndTailsMatchSqlite) {
  std::mt19937 rng(7);
  sqlite3* db;
  sqlite3_open(":memory:", &db);
  sqlite3_exec(db, "CREATE TABLE t(a, b, c); CREATE TABLE t1(a INT, b TEXT); CREATE TABLE t2(x, y);", nullptr,
               nullptr, nullptr);
  int offsets = 0, tails = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string m = std::string(kSeeds[rng() % std::size(kSeeds)]) + "; " + kSeeds[rng() % std::size(kSeeds)];
    m = mutate(m, rng);
    if (rng() % 2) m = mutate(m, rng);
    ASSERT_EQ(is_complete(m), sqlite3_complete(m.c_str()) != 0) << m;
    sqlite3_stmt* st = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db, m.c_str(), -1, &st, &tail);
    std::string msg = rc != SQLITE_OK ? sqlite3_errmsg(db) : "";
    int sqlite_offset = sqlite3_error_offset(db);
    sqlite3_finalize(st);
    Arena arena;
    Parser p(arena, m, testing::debian_options());
    auto r = p.parse_statement(0);
    if (rc != SQLITE_OK && (msg.rfind("near ", 0) == 0 || msg.rfind("unrecognized", 0) == 0) && !r.ok() &&
        r.status().message() == msg) {
      ++offsets;
      ASSERT_EQ(p.error_offset(), sqlite_offset) << m;
    }
    if (rc == SQLITE_OK && r.ok() && r->stmt != nullptr) {
      ++tails;
      ASSERT_EQ(r->tail, static_cast<uint32_t>(tail - m.c_str())) << m;
    }
  }
  sqlite3_close(db);
  EXPECT_GT(offsets, 5000);
  EXPECT_GT(tails, 500);
}

TEST(Fuzz, HostileDepthIsAnErrorNotACrash) {
  for (const char* unit : {"(", "NOT ", "-(", "f(", "(SELECT ", "CASE WHEN 1 THEN ", "a IN (", "+", "~"}) {
    std::string sql = "SELECT ";
    for (int i = 0; i < 20000; ++i) sql += unit;
    sql += "1";
    auto t0 = std::chrono::steady_clock::now();
    std::string v = testing::keel_verdict(sql);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_NE(v, "OK") << unit;
    EXPECT_LT(secs, 1.0) << unit;
  }
}

}  // namespace
}  // namespace keel::parse
