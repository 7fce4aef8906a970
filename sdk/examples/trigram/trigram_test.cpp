// Tests of the trigram index method through the public API: loaded by name
// from the directory this project built it in, correct through INSERT,
// UPDATE, DELETE, REPLACE and ROLLBACK, chosen by the planner, and equal to
// a full scan on random data and patterns.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "keel/database.hpp"

namespace {

int failures = 0;

#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                                   \
    }                                                                               \
  } while (0)

#define CHECK_OK(expr)                                                                                       \
  do {                                                                                                       \
    auto s_ = (expr);                                                                                        \
    if (!s_.ok()) {                                                                                          \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #expr, std::string(s_.message()).c_str()); \
      failures++;                                                                                            \
    }                                                                                                        \
  } while (0)

keel::Options options() {
  keel::Options o;
  o.modules = {"trigram"};
  o.module_path = {TRIGRAM_MODULE_DIR};
  // cdc (on by default) is off: with its observer installed, DROP TABLE of
  // any indexed table currently fails ("malformed database schema"), index
  // method or not — a kernel issue of its own.
  o.experimental = {"-cdc"};
  return o;
}

// Rows of a one-column query, joined with ','; "error: ..." on failure.
std::string rows(keel::Connection& c, const std::string& sql) {
  auto st = c.prepare(sql);
  if (!st.ok()) return "error: " + std::string(st.status().message());
  std::string out;
  for (;;) {
    auto r = st->step();
    if (!r.ok()) return "error: " + std::string(r.status().message());
    if (!*r) break;
    if (!out.empty()) out += ",";
    out += st->column_is_null(0) ? std::string("NULL") : std::string(st->column_text(0));
  }
  return out;
}

std::string plan(keel::Connection& c, const std::string& sql) {
  auto st = c.prepare("EXPLAIN QUERY PLAN " + sql);
  if (!st.ok()) return "error: " + std::string(st.status().message());
  std::string out;
  for (;;) {
    auto r = st->step();
    if (!r.ok() || !*r) break;
    out += std::string(st->column_text(3)) + "\n";
  }
  return out;
}

bool uses_index(keel::Connection& c, const std::string& sql) {
  return plan(c, sql).find("USING INDEX METHOD trigram") != std::string::npos;
}

// The same query answered by the index and by a full scan.
void same_as_scan(keel::Connection& c, const std::string& where) {
  std::string a = rows(c, "SELECT id FROM docs WHERE " + where + " ORDER BY id");
  std::string b = rows(c, "SELECT id FROM docs NOT INDEXED WHERE " + where + " ORDER BY id");
  if (a != b)
    std::fprintf(stderr, "mismatch for %s:\n  index: %s\n  scan:  %s\n", where.c_str(), a.c_str(), b.c_str());
  CHECK(a == b);
  CHECK(a.rfind("error", 0) != 0);
}

void basic(const std::string& path) {
  auto db = keel::Database::open(path, options());
  CHECK_OK(db.status());
  if (!db.ok()) return;
  auto c = (*db)->connect();
  CHECK_OK(c.status());
  if (!c.ok()) return;
  CHECK_OK(c->exec("CREATE TABLE docs(id INTEGER PRIMARY KEY, body TEXT)"));
  CHECK_OK(c->exec("INSERT INTO docs VALUES (1, 'the quick brown fox'), (2, 'lazy dogs sleep'), (3, NULL)"));
  // Built over existing rows.
  CHECK_OK(c->exec("CREATE INDEX docs_body ON docs USING trigram (body)"));
  CHECK(uses_index(*c, "SELECT id FROM docs WHERE body LIKE '%brown%'"));
  CHECK(uses_index(*c, "SELECT id FROM docs WHERE body LIKE ?"));
  // Too short to narrow: a plain scan.
  CHECK(!uses_index(*c, "SELECT id FROM docs WHERE body LIKE '%ab%'"));
  CHECK(rows(*c, "SELECT id FROM docs WHERE body LIKE '%BROWN%'") == "1");
  // INSERT, UPDATE, DELETE.
  CHECK_OK(c->exec("INSERT INTO docs VALUES (4, 'brown bears')"));
  CHECK(rows(*c, "SELECT id FROM docs WHERE body LIKE '%brown%' ORDER BY id") == "1,4");
  CHECK_OK(c->exec("UPDATE docs SET body = 'grey foxes' WHERE id = 1"));
  CHECK(rows(*c, "SELECT id FROM docs WHERE body LIKE '%brown%'") == "4");
  CHECK(rows(*c, "SELECT id FROM docs WHERE body LIKE '%fox%'") == "1");
  CHECK_OK(c->exec("UPDATE docs SET id = 10 WHERE id = 4"));
  CHECK(rows(*c, "SELECT id FROM docs WHERE body LIKE '%bears'") == "10");
  CHECK_OK(c->exec("DELETE FROM docs WHERE body LIKE '%dogs%'"));
  CHECK(rows(*c, "SELECT count(*) FROM docs") == "3");
  CHECK(rows(*c, "SELECT id FROM docs WHERE body LIKE '%sleep%'") == "");
  // REPLACE deletes the old row.
  CHECK_OK(c->exec("REPLACE INTO docs VALUES (10, 'polar ice')"));
  CHECK(rows(*c, "SELECT id FROM docs WHERE body LIKE '%bears%'") == "");
  CHECK(rows(*c, "SELECT id FROM docs WHERE body LIKE '%polar%'") == "10");
  CHECK_OK(c->exec(
      "INSERT INTO docs VALUES (10, 'upsert text') ON CONFLICT(id) DO UPDATE SET body = excluded.body"));
  CHECK(rows(*c, "SELECT id FROM docs WHERE body LIKE '%upsert%'") == "10");
  CHECK(rows(*c, "SELECT id FROM docs WHERE body LIKE '%polar%'") == "");
  // ROLLBACK undoes the index with the table.
  CHECK_OK(c->exec("BEGIN; INSERT INTO docs VALUES (20, 'transient words'); DELETE FROM docs WHERE id = 1;"));
  CHECK(rows(*c, "SELECT id FROM docs WHERE body LIKE '%transient%'") == "20");
  CHECK(rows(*c, "SELECT id FROM docs WHERE body LIKE '%foxes%'") == "");
  CHECK_OK(c->exec("ROLLBACK"));
  CHECK(rows(*c, "SELECT id FROM docs WHERE body LIKE '%transient%'") == "");
  CHECK(rows(*c, "SELECT id FROM docs WHERE body LIKE '%foxes%'") == "1");
  // ROLLBACK TO a savepoint.
  CHECK_OK(
      c->exec("BEGIN; SAVEPOINT a; INSERT INTO docs VALUES (21, 'savepoint words'); ROLLBACK TO a; COMMIT"));
  CHECK(rows(*c, "SELECT id FROM docs WHERE body LIKE '%savepoint%'") == "");
  // A failing statement undoes its index changes too.
  CHECK(!c->exec("INSERT INTO docs VALUES (30, 'failing row'), (1, 'duplicate key')").ok());
  CHECK(rows(*c, "SELECT id FROM docs WHERE body LIKE '%failing%'") == "");
  // The stored form is a partial index stock SQLite can parse.
  CHECK(rows(*c, "SELECT sql FROM sqlite_schema WHERE name = 'docs_body'") ==
        "CREATE INDEX docs_body ON docs(body) WHERE keel_index_method('trigram')");
  CHECK(rows(*c, "PRAGMA integrity_check") == "ok");
}

void reopen_and_drop(const std::string& path) {
  {
    // Reopened with the module: the index is maintained and used.
    auto db = keel::Database::open(path, options());
    CHECK_OK(db.status());
    if (!db.ok()) return;
    auto c = (*db)->connect();
    if (!c.ok()) return;
    CHECK(rows(*c, "SELECT id FROM docs WHERE body LIKE '%foxes%'") == "1");
    CHECK(uses_index(*c, "SELECT id FROM docs WHERE body LIKE '%foxes%'"));
  }
  {
    // Without the module: reads work by scanning, writes name the method.
    auto db = keel::Database::open(path);
    CHECK_OK(db.status());
    if (!db.ok()) return;
    auto c = (*db)->connect();
    if (!c.ok()) return;
    CHECK(rows(*c, "SELECT id FROM docs WHERE body LIKE '%foxes%'") == "1");
    CHECK(!uses_index(*c, "SELECT id FROM docs WHERE body LIKE '%foxes%'"));
    auto s = c->exec("INSERT INTO docs VALUES (40, 'no module')");
    CHECK(!s.ok());
    CHECK(std::string(s.message()).find("no such index method: trigram (index docs_body)") !=
          std::string::npos);
    CHECK(rows(*c, "SELECT id FROM docs INDEXED BY docs_body WHERE body LIKE '%foxes%'")
              .find("no such index method: trigram") != std::string::npos);
    CHECK(!c->exec("DROP INDEX docs_body").ok());
  }
  {
    auto db = keel::Database::open(path, options());
    if (!db.ok()) return;
    auto c = (*db)->connect();
    if (!c.ok()) return;
    CHECK(rows(*c, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'keel_im_docs_body_%'") == "3");
    CHECK_OK(c->exec("DROP INDEX docs_body"));
    CHECK(rows(*c, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'keel_im_%'") == "0");
    CHECK(!uses_index(*c, "SELECT id FROM docs WHERE body LIKE '%foxes%'"));
    CHECK(rows(*c, "SELECT id FROM docs WHERE body LIKE '%foxes%'") == "1");
    // DROP TABLE drops the method's storage too.
    CHECK_OK(c->exec("CREATE INDEX docs_body2 ON docs USING trigram (body); DROP TABLE docs"));
    CHECK(rows(*c, "SELECT count(*) FROM sqlite_schema") == "0");
  }
}

std::string random_text(std::mt19937& rng) {
  static const char kAlphabet[] = "abcdeABC _%";
  std::uniform_int_distribution<int> len(0, 14), ch(0, 10);
  std::string s;
  int n = len(rng);
  for (int i = 0; i < n; i++) s.push_back(kAlphabet[ch(rng)]);
  return s;
}

std::string random_pattern(std::mt19937& rng) {
  static const char kAlphabet[] = "abcdeAB";
  std::uniform_int_distribution<int> len(3, 5), ch(0, 6), wild(0, 3);
  std::string s = wild(rng) ? "%" : "";
  int n = len(rng);
  for (int i = 0; i < n; i++) s.push_back(kAlphabet[ch(rng)]);
  if (wild(rng) == 0) s.push_back('_');
  if (wild(rng)) s += "%";
  return s;
}

std::string quote(const std::string& s) {
  std::string r = "'";
  for (char c : s) {
    r.push_back(c);
    if (c == '\'') r.push_back('\'');
  }
  return r + "'";
}

void randomized(const std::string& path) {
  auto db = keel::Database::open(path, options());
  CHECK_OK(db.status());
  if (!db.ok()) return;
  auto c = (*db)->connect();
  if (!c.ok()) return;
  CHECK_OK(c->exec("CREATE TABLE docs(id INTEGER PRIMARY KEY, body)"));
  CHECK_OK(c->exec("CREATE INDEX docs_body ON docs USING trigram (body)"));
  std::mt19937 rng(20261129);
  std::uniform_int_distribution<int> op(0, 9), id(1, 200);
  for (int step = 0; step < 600; step++) {
    int o = op(rng);
    std::string sql;
    if (o < 5) {
      sql = "INSERT OR REPLACE INTO docs VALUES (" + std::to_string(id(rng)) + ", " +
            quote(random_text(rng)) + ")";
    } else if (o < 7) {
      sql = "UPDATE docs SET body = " + quote(random_text(rng)) + " WHERE id = " + std::to_string(id(rng));
    } else if (o < 8) {
      sql = "DELETE FROM docs WHERE id = " + std::to_string(id(rng));
    } else if (o < 9) {
      sql = "UPDATE docs SET body = body || " + quote(random_text(rng)) + " WHERE body LIKE " +
            quote(random_pattern(rng));
    } else {
      sql = "BEGIN; INSERT OR REPLACE INTO docs VALUES (" + std::to_string(id(rng)) + ", " +
            quote(random_text(rng)) + "); DELETE FROM docs WHERE id = " + std::to_string(id(rng)) +
            "; ROLLBACK";
    }
    CHECK_OK(c->exec(sql));
    if (step % 10 == 0) {
      std::string p = random_pattern(rng);
      std::string where = "body LIKE " + quote(p);
      CHECK(uses_index(*c, "SELECT id FROM docs WHERE " + where));
      same_as_scan(*c, where);
      same_as_scan(*c, "body GLOB " + quote("*" + p.substr(1, 3) + "*"));
      same_as_scan(*c, "body LIKE " + quote(p) + " AND id > 50");
    }
  }
  // Bound parameters (unknown at compile time).
  for (int i = 0; i < 20; i++) {
    std::string p = random_pattern(rng);
    auto st = c->prepare("SELECT group_concat(id) FROM (SELECT id FROM docs WHERE body LIKE ? ORDER BY id)");
    CHECK_OK(st.status());
    if (!st.ok()) continue;
    CHECK_OK(st->bind(1, keel::Value(p)));
    auto r = st->step();
    std::string a = !r.ok() || !*r          ? "error"
                    : st->column_is_null(0) ? "NULL"
                                            : std::string(st->column_text(0));
    std::string b =
        rows(*c, "SELECT group_concat(id) FROM (SELECT id FROM docs NOT INDEXED WHERE body LIKE " + quote(p) +
                     " ORDER BY id)");
    if (a != b)
      std::fprintf(stderr, "parameter %s:\n  index: %s\n  scan:  %s\n", p.c_str(), a.c_str(), b.c_str());
    CHECK(a == b);
  }
}

}  // namespace

int main() {
  namespace fs = std::filesystem;
  std::string base = (fs::temp_directory_path() / ("keel_trigram_" + std::to_string(getpid()))).string();
  for (const char* tag : {"a", "b"}) {
    fs::remove(base + tag + ".db");
    fs::remove(base + tag + ".db-journal");
  }
  basic(base + "a.db");
  reopen_and_drop(base + "a.db");
  randomized(base + "b.db");
  for (const char* tag : {"a", "b"}) fs::remove(base + tag + ".db");
  if (failures) {
    std::fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("trigram: all checks passed\n");
  return 0;
}
