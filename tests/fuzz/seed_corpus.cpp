// Builds the seed corpus with the sqlite3 CLI; see seed_corpus.h.
#include "seed_corpus.h"

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace keel::fuzz {
namespace {

// The common schema: a rowid table with three indexes (one UNIQUE, one on a
// REAL and an INTEGER column), a WITHOUT ROWID table with a secondary index,
// and rows of every storage class, including zero-length and NULL columns.
std::string fill_script(int rows, int big_bytes) {
  std::string n = std::to_string(rows);
  std::string big = std::to_string(big_bytes);
  return "CREATE TABLE t1(id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c REAL, d BLOB);\n"
         "CREATE INDEX t1_b ON t1(b);\n"
         "CREATE INDEX t1_ca ON t1(c, a);\n"
         "CREATE UNIQUE INDEX t1_a ON t1(a);\n"
         "CREATE TABLE w(k TEXT PRIMARY KEY, v, x) WITHOUT ROWID;\n"
         "CREATE INDEX w_v ON w(v);\n"
         "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM s WHERE i<" +
         n +
         ")\n"
         "  INSERT INTO t1 SELECT i, i*7-3000, printf('row-%d-%.*c', i, i%37, 'x'), i*0.5,\n"
         "    CASE WHEN i%10=0 THEN NULL WHEN i%3=0 THEN zeroblob(i%300) WHEN i%3=1 THEN i\n"
         "         ELSE x'00ff' END FROM s;\n"
         "INSERT INTO w SELECT 'k'||id, a, b FROM t1 WHERE id%2=0;\n"
         "INSERT INTO t1(id,a,b,d) VALUES(1000000, -1, 'big', zeroblob(" +
         big +
         "));\n"
         "INSERT INTO t1(id,a,b,d) VALUES(1000001, -2, printf('%." +
         big +
         "c','t'), 1);\n"
         "INSERT INTO w VALUES('bigkey', 1, printf('%.110000c', 'w'));\n"
         "INSERT INTO w VALUES(printf('%.3000c', 'K'), 2, 'long key spills to overflow');\n"
         "DELETE FROM t1 WHERE id%5=1;\n"
         // A dropped table leaves many free pages: several freelist trunks.
         "CREATE TABLE junk(x);\n"
         "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM s WHERE i<" +
         std::to_string(rows / 4) +
         ")\n"
         "  INSERT INTO junk SELECT printf('%.400c', 'j') FROM s;\n"
         "DROP TABLE junk;\n";
}

struct Spec {
  const char* name;
  int page_size;
  const char* pragmas;  // before any table exists
  int rows;
  int big;
  bool wal;
  bool hot_journal = false;
};

bool read_file(const std::string& path, std::vector<uint8_t>* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  out->assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return true;
}

}  // namespace

std::vector<Seed> build_seed_corpus(std::string* error) {
  const Spec specs[] = {
      {"p4096_delete", 4096, "", 3000, 120000, false},
      {"p512_autovac_full", 512, "PRAGMA auto_vacuum=FULL;", 800, 101000, false},
      {"p1024_autovac_incremental", 1024, "PRAGMA auto_vacuum=INCREMENTAL;", 1500, 105000, false},
      {"p65536", 65536, "", 2000, 300000, false},
      {"p512_freelist", 512, "", 2400, 100500, false},
      {"p4096_wal", 4096, "", 1200, 130000, true},
      {"p1024_wal_autovac_full", 1024, "PRAGMA auto_vacuum=FULL;", 600, 102000, true},
      {"p1024_hot_journal", 1024, "", 1000, 101000, false, true},
  };
  char tmpl[] = "/tmp/keel_fuzz_seed_XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    *error = "mkdtemp failed";
    return {};
  }
  std::string dir = tmpl;
  std::vector<Seed> seeds;
  for (const Spec& s : specs) {
    std::string db = dir + "/" + s.name + ".db";
    std::string copy = dir + "/" + s.name + ".copy.db";
    std::string script = dir + "/" + s.name + ".sql";
    {
      std::ofstream f(script);
      f << "PRAGMA page_size=" << s.page_size << ";\n" << s.pragmas << "\n";
      if (s.hot_journal) {
        // A transaction large enough for a 5-page cache to spill dirty
        // pages into the database file: copied before COMMIT, the journal
        // is hot and the database half-written.
        f << fill_script(s.rows, s.big) << "PRAGMA cache_size=5;\nBEGIN;\n"
          << "UPDATE t1 SET b = b || '-in-flight', c = -c;\nDELETE FROM w WHERE v%2=0;\n"
          << "INSERT INTO t1(id,a,b,d) VALUES(3000000, -5, 'hot', zeroblob(" << s.big << "));\n"
          << ".system cp " << db << " " << copy << "\n"
          << ".system cp " << db << "-journal " << copy << "-journal\n"
          << "COMMIT;\n";
      } else if (!s.wal) {
        f << fill_script(s.rows, s.big);
      } else {
        // A checkpointed base, then commits that stay in the WAL: updates,
        // deletes, an overflow row and a dropped table, copied while open.
        f << fill_script(s.rows / 2, s.big) << "PRAGMA journal_mode=WAL;\nPRAGMA wal_autocheckpoint=0;\n"
          << "UPDATE t1 SET b = b || '-updated' WHERE id%7=0;\n"
          << "DELETE FROM w WHERE v%3=0;\n"
          << "INSERT INTO t1(id,a,b,d) VALUES(2000000, -3, 'walbig', zeroblob(" << s.big << "));\n"
          << "CREATE TABLE t2(x, y);\nCREATE INDEX t2_y ON t2(y);\n"
          << "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM s WHERE i<" << s.rows
          << ") INSERT INTO t2 SELECT i, printf('%.*c', i%50, 'y') FROM s;\n"
          << "BEGIN; DELETE FROM t1 WHERE id%4=0; COMMIT;\n"
          << ".system cp " << db << " " << copy << "\n"
          << ".system cp " << db << "-wal " << copy << "-wal\n";
      }
    }
    std::string cmd = "sqlite3 -bail " + db + " < " + script + " > /dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      *error = std::string("sqlite3 failed building seed ") + s.name;
      seeds.clear();
      break;
    }
    Seed seed;
    seed.name = s.name;
    bool copied = s.wal || s.hot_journal;
    if (!read_file(copied ? copy : db, &seed.db) || (s.wal && !read_file(copy + "-wal", &seed.wal)) ||
        (s.hot_journal && !read_file(copy + "-journal", &seed.journal)) || seed.db.empty() ||
        (s.wal && seed.wal.empty()) || (s.hot_journal && seed.journal.empty())) {
      *error = std::string("cannot read seed ") + s.name;
      seeds.clear();
      break;
    }
    seeds.push_back(std::move(seed));
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return seeds;
}

const std::vector<Seed>& seed_corpus(std::string* error) {
  static std::string build_error;
  static const std::vector<Seed> corpus = build_seed_corpus(&build_error);
  if (error) *error = build_error;
  return corpus;
}

const Seed* find_seed(const std::string& name) {
  for (const Seed& s : seed_corpus(nullptr)) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace keel::fuzz
