// The `vector` index method (IVF) and vector_top_k through SQL, with the
// module loaded from the build tree: maintenance on every write path
// (checked against the table after each write), equality with brute force
// when every list is probed, recall on clustered data, planner routing,
// persistence across reopen and a crash, and the error messages.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "keel/database.hpp"

namespace {

namespace fs = std::filesystem;

keel::Options options() {
  keel::Options o;
  o.module_path = {KEEL_VECTOR_MODULE_DIR};
  return o;
}

keel::Value f32_blob(const std::vector<float>& v) {
  std::vector<uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return keel::Value(std::move(b));
}

std::vector<float> random_vector(std::mt19937& rng, size_t d) {
  std::normal_distribution<float> g(0, 1);
  std::vector<float> v(d);
  for (float& x : v) x = g(rng);
  return v;
}

class VectorIndex : public ::testing::Test {
 protected:
  void SetUp() override { open(":memory:"); }

  void open(const std::string& path) {
    conn_.reset();
    db_.reset();
    auto db = keel::Database::open(path, options());
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    db_ = *db;
    auto c = db_->connect();
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    conn_.emplace(std::move(*c));
  }

  keel::Connection& c() { return *conn_; }

  void exec(std::string_view sql) {
    keel::Status s = c().exec(sql);
    ASSERT_TRUE(s.ok()) << sql << ": " << s.to_string();
  }

  // "error: msg" or "" for a statement run to completion.
  std::string error_of(std::string_view sql) {
    keel::Status s = c().exec(sql);
    return s.ok() ? "" : "error: " + std::string(s.message());
  }

  std::string insert_error(const std::string& sql, const keel::Value& v) {
    auto st = c().prepare(sql);
    if (!st.ok()) return "error: " + std::string(st.status().message());
    EXPECT_TRUE(st->bind(1, v).ok());
    keel::Status s = st->execute();
    return s.ok() ? "" : "error: " + std::string(s.message());
  }

  void insert(int64_t id, const std::vector<float>& v) {
    auto st = c().prepare("INSERT INTO t(id, v) VALUES (?1, ?2)");
    ASSERT_TRUE(st.ok()) << st.status().to_string();
    ASSERT_TRUE(st->bind(1, keel::Value(id)).ok());
    ASSERT_TRUE(st->bind(2, f32_blob(v)).ok());
    keel::Status s = st->execute();
    ASSERT_TRUE(s.ok()) << s.to_string();
  }

  std::vector<int64_t> ids(const std::string& sql, const keel::Value* q = nullptr) {
    std::vector<int64_t> out;
    auto st = c().prepare(sql);
    EXPECT_TRUE(st.ok()) << sql << ": " << st.status().to_string();
    if (!st.ok()) return out;
    if (q) {
      EXPECT_TRUE(st->bind(1, *q).ok());
    }
    for (;;) {
      auto r = st->step();
      EXPECT_TRUE(r.ok()) << sql << ": " << r.status().to_string();
      if (!r.ok() || !*r) break;
      out.push_back(st->column_int64(0));
    }
    return out;
  }

  std::string text(const std::string& sql) {
    auto st = c().prepare(sql);
    if (!st.ok()) return "error: " + std::string(st.status().message());
    std::string out;
    for (;;) {
      auto r = st->step();
      if (!r.ok()) return "error: " + std::string(r.status().message());
      if (!*r) break;
      if (!out.empty()) out += "\n";
      out += st->column_is_null(0) ? "NULL" : std::string(st->column_text(0));
    }
    return out;
  }

  // The index's hidden tables hold exactly the table's non-NULL vectors,
  // each once, and the meta row counts them.
  void check_consistent(const std::string& index = "i") {
    std::map<int64_t, std::string> table, lists;
    auto read = [&](const std::string& sql, std::map<int64_t, std::string>& out) {
      auto st = c().prepare(sql);
      ASSERT_TRUE(st.ok()) << st.status().to_string();
      for (;;) {
        auto r = st->step();
        ASSERT_TRUE(r.ok()) << r.status().to_string();
        if (!*r) break;
        auto b = st->column_blob(1);
        ASSERT_TRUE(out.emplace(st->column_int64(0), std::string(b.begin(), b.end())).second)
            << "rowid twice in " << sql;
      }
    };
    // Text values are indexed as the f32 vector they parse to.
    read("SELECT id, vector32(v) FROM t WHERE v IS NOT NULL", table);
    read("SELECT id, vector FROM keel_im_" + index + "_lists", lists);
    EXPECT_EQ(table.size(), lists.size());
    for (const auto& [id, bytes] : table) {
      auto it = lists.find(id);
      if (it == lists.end() || it->second != bytes) {
        ADD_FAILURE() << "row " << id << (it == lists.end() ? " missing from" : " differs in")
                      << " the index";
        break;
      }
    }
    EXPECT_EQ(text("SELECT count FROM keel_im_" + index + "_meta"), std::to_string(table.size()));
  }

  // The query through the index and by brute force (NOT INDEXED; rows
  // with a NULL vector, which the index leaves out, would make the scan's
  // distance function fail).
  void expect_brute_force(const std::string& fn, const keel::Value& q, int k) {
    std::string tail = "ORDER BY " + fn + "(v, ?1) LIMIT " + std::to_string(k);
    EXPECT_EQ(ids("SELECT id FROM t " + tail, &q),
              ids("SELECT id FROM t NOT INDEXED WHERE v IS NOT NULL " + tail, &q))
        << fn;
  }

  std::shared_ptr<keel::Database> db_;
  std::optional<keel::Connection> conn_;
};

TEST_F(VectorIndex, EqualsBruteForceWhenProbingAllLists) {
  for (const char* metric : {"cos", "l2", "dot"}) {
    SCOPED_TRACE(metric);
    exec("DROP TABLE IF EXISTS t");
    exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v F32_BLOB(8))");
    exec(std::string("CREATE INDEX i ON t USING vector (v) WITH (metric = '") + metric +
         "', lists = 16, probes = 16)");
    std::mt19937 rng(7);
    exec("BEGIN");
    for (int i = 1; i <= 2500; i++) insert(i, random_vector(rng, 8));
    exec("COMMIT");
    // Trained (2500 rows ≥ 1024) into 16 lists.
    EXPECT_EQ(text("SELECT count(*) FROM keel_im_i_centroids WHERE vector IS NOT NULL"), "16");
    check_consistent();
    const std::string fn = std::string("vector_distance_") + metric;
    for (int q = 0; q < 20; q++) expect_brute_force(fn, f32_blob(random_vector(rng, 8)), 10);
    expect_brute_force(fn, f32_blob(random_vector(rng, 8)), 1);
    expect_brute_force(fn, f32_blob(random_vector(rng, 8)), 100);
  }
}

TEST_F(VectorIndex, MaintainedOnEveryWritePath) {
  exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v F32_BLOB(4), tag TEXT)");
  // Created on an empty table: exact (one list) until 1024 rows, then trained,
  // and retrained each time the rows double.
  exec("CREATE INDEX i ON t USING vector (v) WITH (metric = 'l2', lists = 8, probes = 8)");
  std::mt19937 rng(11);
  for (int i = 1; i <= 50; i++) insert(i, random_vector(rng, 4));
  EXPECT_EQ(text("SELECT count(*) FROM keel_im_i_centroids WHERE vector IS NOT NULL"), "0");
  check_consistent();
  exec("BEGIN");
  for (int i = 51; i <= 2100; i++) insert(i, random_vector(rng, 4));
  exec("COMMIT");
  EXPECT_EQ(text("SELECT trained FROM keel_im_i_meta"), "2048");
  EXPECT_EQ(text("SELECT count(*) FROM keel_im_i_centroids WHERE vector IS NOT NULL"), "8");
  check_consistent();

  const keel::Value q = f32_blob({0.5f, -0.25f, 1.0f, 0.0f});
  const char* writes[] = {
      "INSERT INTO t(id, v) VALUES (5000, vector('[1,2,3,4]'))",
      "INSERT INTO t(id, v) VALUES (5001, '[0.5,-0.25,1,0]')",  // text is parsed as f32
      "INSERT INTO t(id, v) VALUES (5002, NULL)",               // NULL: not indexed
      "UPDATE t SET v = vector('[0.5,-0.25,1,0.01]') WHERE id = 7",
      "UPDATE t SET v = NULL WHERE id = 8",
      "UPDATE t SET v = vector('[9,9,9,9]') WHERE id = 5002",
      "UPDATE t SET id = id + 10000 WHERE id BETWEEN 100 AND 110",
      "UPDATE t SET tag = 'x' WHERE id < 50",
      "DELETE FROM t WHERE id % 7 = 3",
      "REPLACE INTO t(id, v) VALUES (2, vector('[0.5,-0.25,1,0.02]'))",
      "BEGIN; DELETE FROM t WHERE id < 1000; ROLLBACK",
      "BEGIN; INSERT INTO t(id, v) VALUES (6000, vector('[1,1,1,1]')); ROLLBACK",
      "BEGIN; SAVEPOINT s; UPDATE t SET v = vector('[0,0,0,1]') WHERE id % 2 = 0; ROLLBACK TO s; "
      "UPDATE t SET v = vector('[0,0,1,0]') WHERE id = 12; RELEASE s; COMMIT",
      "BEGIN; SAVEPOINT a; DELETE FROM t WHERE id > 1500; SAVEPOINT b; "
      "INSERT INTO t(id, v) VALUES (7000, vector('[2,2,2,2]')); ROLLBACK TO a; COMMIT",
  };
  for (const char* w : writes) {
    SCOPED_TRACE(w);
    exec(w);
    check_consistent();
    expect_brute_force("vector_distance_l2", q, 5);
  }
  // 5001 (its text vector) went with id % 7 = 3; 7 and 2 were set nearest.
  EXPECT_EQ(ids("SELECT id FROM t ORDER BY vector_distance_l2(v, vector('[0.5,-0.25,1,0]')) LIMIT 2"),
            (std::vector<int64_t>{7, 2}));
  // A retraining rolled back leaves the previous centroids in force (the
  // cached ones are revalidated against the meta row's token).
  const std::string before = text("SELECT token FROM keel_im_i_meta");
  exec("BEGIN");
  for (int i = 20000; i < 22500; i++) insert(i, random_vector(rng, 4));
  EXPECT_NE(text("SELECT token FROM keel_im_i_meta"), before);
  exec("ROLLBACK");
  EXPECT_EQ(text("SELECT token FROM keel_im_i_meta"), before);
  check_consistent();
  expect_brute_force("vector_distance_l2", q, 5);
  // DELETE without WHERE empties the index too.
  exec("DELETE FROM t");
  check_consistent();
  EXPECT_EQ(ids("SELECT id FROM t ORDER BY vector_distance_l2(v, vector('[1,2,3,4]')) LIMIT 3"),
            std::vector<int64_t>{});
}

TEST_F(VectorIndex, RecallOnClusteredData) {
  // 20k points around 64 centres in 32 dimensions; default lists (√rows) and
  // probes (√lists).
  const size_t d = 32, n = 20000, centres = 64;
  std::mt19937 rng(3);
  std::vector<std::vector<float>> centre(centres);
  for (auto& cv : centre) {
    cv = random_vector(rng, d);
    for (float& x : cv) x *= 4;
  }
  auto point = [&](size_t c) {
    std::vector<float> v = random_vector(rng, d);
    for (size_t j = 0; j < d; j++) v[j] += centre[c][j];
    return v;
  };
  exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v F32_BLOB(32))");
  exec("CREATE INDEX i ON t USING vector (v)");
  exec("BEGIN");
  for (size_t i = 1; i <= n; i++) insert(static_cast<int64_t>(i), point(i % centres));
  exec("COMMIT");
  EXPECT_EQ(text("SELECT trained FROM keel_im_i_meta"), "16384");
  check_consistent();
  size_t found = 0, wanted = 0;
  for (int qi = 0; qi < 30; qi++) {
    keel::Value q = f32_blob(point(static_cast<size_t>(qi) % centres));
    auto approx = ids("SELECT id FROM t ORDER BY vector_distance_cos(v, ?1) LIMIT 10", &q);
    auto exact = ids("SELECT id FROM t NOT INDEXED ORDER BY vector_distance_cos(v, ?1) LIMIT 10", &q);
    std::set<int64_t> truth(exact.begin(), exact.end());
    for (int64_t id : approx) found += truth.count(id);
    wanted += exact.size();
  }
  double recall = static_cast<double>(found) / static_cast<double>(wanted);
  EXPECT_GE(recall, 0.9);
  RecordProperty("recall_at_10", std::to_string(recall));
}

TEST_F(VectorIndex, PlannerRoutesOrderByLimit) {
  exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v F32_BLOB(3), w F32_BLOB(3))");
  exec("CREATE INDEX i ON t USING vector (v) WITH (metric = 'cos')");
  exec("CREATE INDEX j ON t USING vector (w) WITH (metric = 'l2')");
  auto eqp = [&](const std::string& sql) {
    auto st = c().prepare("EXPLAIN QUERY PLAN " + sql);
    std::string out;
    if (!st.ok()) return "error: " + std::string(st.status().message());
    for (;;) {
      auto r = st->step();
      if (!r.ok() || !*r) break;
      out += std::string(st->column_text(3)) + "\n";
    }
    return out;
  };
  std::string plan = eqp("SELECT id FROM t ORDER BY vector_distance_cos(v, ?) LIMIT 5");
  EXPECT_NE(plan.find("USING INDEX METHOD vector i (ORDER BY vector_distance_cos(v, ?) LIMIT ?)"),
            std::string::npos)
      << plan;
  plan = eqp("SELECT id FROM t ORDER BY vector_distance_cos(vector('[1,2,3]'), v) LIMIT 5");
  EXPECT_NE(plan.find("INDEX METHOD vector i"), std::string::npos) << plan;
  plan = eqp("SELECT id FROM t ORDER BY vector_distance_l2(w, ?) LIMIT 5");
  EXPECT_NE(plan.find("INDEX METHOD vector j"), std::string::npos) << plan;
  // Another metric than the index's, no LIMIT, or a filter: a scan.
  EXPECT_EQ(eqp("SELECT id FROM t ORDER BY vector_distance_l2(v, ?) LIMIT 5").find("INDEX METHOD"),
            std::string::npos);
  EXPECT_EQ(eqp("SELECT id FROM t ORDER BY vector_distance_cos(v, ?)").find("INDEX METHOD"),
            std::string::npos);
  EXPECT_EQ(
      eqp("SELECT id FROM t WHERE id > 3 ORDER BY vector_distance_cos(v, ?) LIMIT 5").find("INDEX METHOD"),
      std::string::npos);
  // Results through the routed plan.
  exec(
      "INSERT INTO t VALUES (1, vector('[1,0,0]'), vector('[0,0,1]')), (2, vector('[0,1,0]'), "
      "vector('[0,1,0]')), "
      "(3, vector('[1,1,0]'), vector('[5,5,5]'))");
  EXPECT_EQ(ids("SELECT id FROM t ORDER BY vector_distance_cos(v, vector('[1,0.1,0]')) LIMIT 2"),
            (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(ids("SELECT id FROM t ORDER BY vector_distance_l2(w, vector('[0,0.9,0]')) LIMIT 1 OFFSET 1"),
            (std::vector<int64_t>{1}));
}

TEST_F(VectorIndex, VectorTopK) {
  exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v F32_BLOB(4), title TEXT)");
  exec("CREATE INDEX t_v ON t USING vector (v) WITH (metric = 'cos', lists = 4, probes = 4)");
  std::mt19937 rng(5);
  exec("BEGIN");
  for (int i = 1; i <= 1500; i++) insert(i, random_vector(rng, 4));
  exec("COMMIT");
  keel::Value q = f32_blob(random_vector(rng, 4));
  auto exact = ids("SELECT id FROM t NOT INDEXED ORDER BY vector_distance_cos(v, ?1) LIMIT 7", &q);
  EXPECT_EQ(ids("SELECT id FROM vector_top_k('t_v', ?1, 7)", &q), exact);
  EXPECT_EQ(ids("SELECT t.id FROM vector_top_k('t_v', ?1, 7) AS k JOIN t ON t.rowid = k.id", &q), exact);
  // libSQL's columns: * is id alone; the distance is a hidden column.
  {
    auto st = c().prepare("SELECT * FROM vector_top_k('t_v', vector('[1,2,3,4]'), 3)");
    ASSERT_TRUE(st.ok()) << st.status().to_string();
    EXPECT_EQ(st->column_count(), 1);
    EXPECT_EQ(st->column_name(0), "id");
  }
  EXPECT_EQ(text("SELECT count(*) FROM vector_top_k('T_V', '[1,2,3,4]', 3)"), "3");
  EXPECT_EQ(text("SELECT abs(k.distance - vector_distance_cos(t.v, vector('[1,2,3,4]'))) < 1e-12 "
                 "FROM vector_top_k('main.t_v', '[1,2,3,4]', 1) AS k JOIN t ON t.id = k.id"),
            "1");
  EXPECT_EQ(text("SELECT count(*) FROM vector_top_k('t_v', '[1,2,3,4]', 100000)"), "1500");
  EXPECT_EQ(text("SELECT id FROM vector_top_k('nope', '[1,2,3,4]', 3)"),
            "error: vector_top_k: no vector index named nope");
  EXPECT_EQ(text("SELECT id FROM vector_top_k('t_v', '[1,2,3,4]', 0)"),
            "error: vector_top_k: k must be an integer of 1 or more");
  EXPECT_EQ(text("SELECT id FROM vector_top_k('t_v', '[1,2,3]', 3)"),
            "error: Conversion error: Vectors must have the same dimensions");
  EXPECT_EQ(text("SELECT id FROM vector_top_k('t_v', 42, 3)"),
            "error: Conversion error: Invalid vector type");
  // An empty index answers nothing.
  exec("CREATE TABLE e(v F32_BLOB(2)); CREATE INDEX e_v ON e USING vector (v)");
  EXPECT_EQ(text("SELECT count(*) FROM vector_top_k('e_v', '[1,2]', 3)"), "0");
}

TEST_F(VectorIndex, Errors) {
  exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v F32_BLOB(3), b BLOB, q F8_BLOB(3), s TEXT)");
  EXPECT_EQ(error_of("CREATE INDEX i ON t USING vector (v) WITH (metric = 'hamming')"),
            "error: vector index i: unknown metric 'hamming' (expected 'cos', 'l2' or 'dot')");
  EXPECT_EQ(error_of("CREATE INDEX i ON t USING vector (v) WITH (nlist = 4)"),
            "error: vector index i: unknown option nlist (known: metric, lists, probes)");
  EXPECT_EQ(error_of("CREATE INDEX i ON t USING vector (v) WITH (lists = 0)"),
            "error: vector index i: lists must be an integer from 1 to 65536, not 0");
  EXPECT_EQ(error_of("CREATE INDEX i ON t USING vector (v) WITH (probes = 'many')"),
            "error: vector index i: probes must be an integer from 1 to 65536, not 'many'");
  EXPECT_EQ(error_of("CREATE INDEX i ON t USING vector (v, b)"),
            "error: vector index i: indexes exactly one column");
  EXPECT_EQ(
      error_of("CREATE INDEX i ON t USING vector (q)"),
      "error: vector index i: columns of type F8_BLOB cannot be indexed (float32 or float64 vectors only)");
  // Nothing of a refused index is left behind.
  EXPECT_EQ(text("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'keel_im_%'"), "0");

  exec("CREATE INDEX i ON t USING vector (v)");
  const std::string ins = "INSERT INTO t(v) VALUES (?1)";
  EXPECT_EQ(insert_error(ins, f32_blob({1, 2})), "error: vector index i: expected 3 dimensions, got 2");
  EXPECT_EQ(insert_error(ins, keel::Value(int64_t{7})),
            "error: vector index i: cannot index an INTEGER value (expected a vector blob)");
  EXPECT_EQ(insert_error(ins, keel::Value(1.5)),
            "error: vector index i: cannot index a REAL value (expected a vector blob)");
  EXPECT_EQ(error_of("INSERT INTO t(v) VALUES (vector64('[1,2,3]'))"),
            "error: vector index i: expected a float32 vector, got float64");
  EXPECT_EQ(error_of("INSERT INTO t(v) VALUES (vector8('[1,2,3]'))"),
            "error: vector index i: float8 vectors cannot be indexed (float32 or float64 only)");
  EXPECT_EQ(error_of("INSERT INTO t(v) VALUES ('[1,2')"),
            "error: vector index i: Conversion error: Invalid vector value");
  EXPECT_EQ(error_of("INSERT INTO t(v) VALUES (x'0102030405')").substr(0, 22), "error: vector index i:");
  // A failed insert leaves neither the row nor an index entry.
  EXPECT_EQ(text("SELECT count(*) FROM t"), "0");
  EXPECT_EQ(text("SELECT count(*) FROM keel_im_i_lists"), "0");
  exec("INSERT INTO t(v) VALUES (vector('[1,2,3]'))");
  EXPECT_EQ(error_of("UPDATE t SET v = vector('[1,2,3,4]')"),
            "error: vector index i: expected 3 dimensions, got 4");
  check_consistent();

  // An untyped BLOB column takes its shape from the first row.
  exec("CREATE INDEX k ON t USING vector (b) WITH (metric = 'dot')");
  exec("UPDATE t SET b = vector64('[1,2]')");
  EXPECT_EQ(text("SELECT type || ',' || dims FROM keel_im_k_meta"), "2,2");
  EXPECT_EQ(error_of("UPDATE t SET b = vector('[1,2]')"),
            "error: vector index k: expected a float64 vector, got float32");
  // Queries with the wrong vector fail as the scan would.
  EXPECT_EQ(text("SELECT id FROM t ORDER BY vector_distance_dot(b, vector('[1,2]')) LIMIT 1"),
            "error: Conversion error: Vectors must be of the same type");
  EXPECT_EQ(text("SELECT id FROM t ORDER BY vector_distance_dot(b, vector64('[1,2]')) LIMIT 1"), "1");
  // DROP INDEX removes the hidden tables.
  exec("DROP INDEX i; DROP INDEX k");
  EXPECT_EQ(text("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'keel_im_%'"), "0");
  // So does DROP TABLE of the indexed table.
  exec("CREATE INDEX i2 ON t USING vector (v)");
  EXPECT_EQ(text("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'keel_im_i2_%'"), "4");
  exec("DROP TABLE t");
  EXPECT_EQ(text("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'keel_im_%'"), "0");
}

TEST_F(VectorIndex, SurvivesReopenAndCrash) {
  fs::path dir = fs::temp_directory_path() / ("keel_vector_index_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "v.db").string();
  open(path);
  exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v F32_BLOB(6))");
  exec("CREATE INDEX i ON t USING vector (v) WITH (metric = 'l2', lists = 8, probes = 8)");
  std::mt19937 rng(9);
  exec("BEGIN");
  for (int i = 1; i <= 1200; i++) insert(i, random_vector(rng, 6));
  exec("COMMIT");
  const keel::Value q = f32_blob(random_vector(rng, 6));
  auto before = ids("SELECT id FROM t ORDER BY vector_distance_l2(v, ?1) LIMIT 10", &q);
  ASSERT_EQ(before.size(), 10u);

  // Reopen: same answers from the same stored index.
  open(path);
  EXPECT_EQ(ids("SELECT id FROM t ORDER BY vector_distance_l2(v, ?1) LIMIT 10", &q), before);
  check_consistent();

  // A process that dies inside a transaction (after the index retrained and
  // moved rows): the next open rolls the hot journal back, index included.
  conn_.reset();
  db_.reset();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto db = keel::Database::open(path, options());
    if (!db.ok()) _exit(2);
    auto conn = (*db)->connect();
    if (!conn.ok()) _exit(3);
    if (!conn->exec("BEGIN; DELETE FROM t WHERE id % 2 = 0").ok()) _exit(4);
    std::mt19937 r2(1);
    for (int i = 5000; i < 6500; i++) {
      auto st = conn->prepare("INSERT INTO t(id, v) VALUES (?1, ?2)");
      if (!st.ok() || !st->bind(1, keel::Value(int64_t{i})).ok() ||
          !st->bind(2, f32_blob(random_vector(r2, 6))).ok() || !st->execute().ok()) {
        _exit(5);
      }
    }
    _exit(0);  // no COMMIT, no close: the journal stays hot
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  open(path);
  EXPECT_EQ(text("SELECT count(*) FROM t"), "1200");
  check_consistent();
  EXPECT_EQ(ids("SELECT id FROM t ORDER BY vector_distance_l2(v, ?1) LIMIT 10", &q), before);
  conn_.reset();
  db_.reset();
  fs::remove_all(dir);
}

TEST_F(VectorIndex, OtherConnectionsSeeRetraining) {
  // Connection B caches the centroids; A retrains and commits; B's next
  // query notices (the meta token changed) and answers from the new lists.
  fs::path dir = fs::temp_directory_path() / ("keel_vector_index2_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "v.db").string();
  open(path);
  exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v F32_BLOB(5))");
  exec("CREATE INDEX i ON t USING vector (v) WITH (metric = 'dot', lists = 64, probes = 64)");
  std::mt19937 rng(21);
  exec("BEGIN");
  for (int i = 1; i <= 1100; i++) insert(i, random_vector(rng, 5));
  exec("COMMIT");
  auto b = db_->connect();
  ASSERT_TRUE(b.ok()) << b.status().to_string();
  const keel::Value q = f32_blob(random_vector(rng, 5));
  auto query_b = [&] {
    std::vector<int64_t> out;
    auto st = b->prepare("SELECT id FROM t ORDER BY vector_distance_dot(v, ?1) LIMIT 8");
    EXPECT_TRUE(st.ok()) << st.status().to_string();
    EXPECT_TRUE(st->bind(1, q).ok());
    for (;;) {
      auto r = st->step();
      EXPECT_TRUE(r.ok()) << r.status().to_string();
      if (!r.ok() || !*r) break;
      out.push_back(st->column_int64(0));
    }
    return out;
  };
  EXPECT_EQ(query_b(), ids("SELECT id FROM t NOT INDEXED ORDER BY vector_distance_dot(v, ?1) LIMIT 8", &q));
  const std::string token = text("SELECT token FROM keel_im_i_meta");
  exec("BEGIN");
  for (int i = 2000; i < 3200; i++) insert(i, random_vector(rng, 5));
  exec("COMMIT");
  EXPECT_NE(text("SELECT token FROM keel_im_i_meta"), token);
  EXPECT_EQ(query_b(), ids("SELECT id FROM t NOT INDEXED ORDER BY vector_distance_dot(v, ?1) LIMIT 8", &q));
  // B writes too; A sees its rows.
  ASSERT_TRUE(b->exec("DELETE FROM t WHERE id < 1000").ok());
  check_consistent();
  expect_brute_force("vector_distance_dot", q, 8);
  conn_.reset();
  db_.reset();
  fs::remove_all(dir);
}

}  // namespace
