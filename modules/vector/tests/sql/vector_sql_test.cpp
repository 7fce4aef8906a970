// The vector module through SQL: a database opened with the module on its
// search path gets the functions (the `vector` feature is on by default),
// with the blob bytes, texts, results and errors of Turso.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "keel/database.hpp"

namespace {

keel::Options options() {
  keel::Options o;
  o.module_path = {KEEL_VECTOR_MODULE_DIR};
  return o;
}

class VectorSql : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = keel::Database::open(":memory:", options());
    ASSERT_TRUE(db.ok()) << db.status().to_string();
    db_ = *db;
    auto c = db_->connect();
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    conn_.emplace(std::move(*c));
  }

  // First column of the first row as text; "NULL" for NULL; "error: msg".
  std::string one(std::string_view sql) {
    auto st = conn_->prepare(sql);
    if (!st.ok()) return "error: " + std::string(st.status().message());
    auto r = st->step();
    if (!r.ok()) return "error: " + std::string(r.status().message());
    if (!*r) return "(no row)";
    if (st->column_is_null(0)) return "NULL";
    return std::string(st->column_text(0));
  }

  std::vector<int64_t> ids(std::string_view sql) {
    std::vector<int64_t> out;
    auto st = conn_->prepare(sql);
    EXPECT_TRUE(st.ok()) << st.status().to_string();
    if (!st.ok()) return out;
    while (true) {
      auto r = st->step();
      EXPECT_TRUE(r.ok()) << r.status().to_string();
      if (!r.ok() || !*r) break;
      out.push_back(st->column_int64(0));
    }
    return out;
  }

  void exec(std::string_view sql) {
    keel::Status s = conn_->exec(sql);
    ASSERT_TRUE(s.ok()) << s.to_string();
  }

  std::shared_ptr<keel::Database> db_;
  std::optional<keel::Connection> conn_;
};

TEST_F(VectorSql, ModuleIsOnByDefault) {
  EXPECT_TRUE(db_->has_feature("vector"));
  EXPECT_EQ(one("SELECT vector_extract(vector('[1,2,3]'))"), "[1,2,3]");
}

TEST_F(VectorSql, BlobBytesOfEveryType) {
  EXPECT_EQ(one("SELECT hex(vector32('[1,2]'))"), "0000803F00000040");
  EXPECT_EQ(one("SELECT hex(vector('[1,2]'))"), "0000803F00000040");
  EXPECT_EQ(one("SELECT hex(vector64('[1,2]'))"), "000000000000F03F000000000000004002");
  EXPECT_EQ(one("SELECT hex(vector1bit('[1,-1,1,1,-1]'))"), "0D0B03");
  EXPECT_EQ(one("SELECT hex(vector8('[0,1,2]'))"), "007FFF008180003C00000000000104");
  EXPECT_EQ(one("SELECT hex(vector32_sparse('[0,1.5,0,2]'))"), "0000C03F0000004001000000030000000400000009");
  EXPECT_EQ(one("SELECT typeof(vector32('[1]'))"), "blob");
  EXPECT_EQ(one("SELECT length(vector32('[]'))"), "0");
  EXPECT_EQ(one("SELECT typeof(vector32('[]'))"), "blob");
}

TEST_F(VectorSql, ExtractAndConversions) {
  EXPECT_EQ(one("SELECT vector_extract(vector64('[0.1, 0.2]'))"), "[0.1,0.2]");
  EXPECT_EQ(one("SELECT vector_extract(vector64(vector32('[0.1]')))"), "[0.10000000149011612]");
  EXPECT_EQ(one("SELECT vector_extract(vector32(vector32_sparse('[0,0,3]')))"), "[0,0,3]");
  EXPECT_EQ(one("SELECT vector_extract(vector1bit(vector64('[2,-3,0]')))"), "[1,-1,-1]");
  EXPECT_EQ(one("SELECT vector_extract(vector32(x'0000803F01'))"), "[1]");
  EXPECT_EQ(one("SELECT vector_extract(x'')"), "[]");
  EXPECT_EQ(one("SELECT vector_extract(vector_concat(vector('[1]'), vector('[2,3]')))"), "[1,2,3]");
  EXPECT_EQ(one("SELECT vector_extract(vector_slice(vector64('[1,2,3,4]'), 1, 3))"), "[2,3]");
  EXPECT_EQ(one("SELECT vector_extract(vector('[1e-7, 1e20, -0]'))"), "[0.0000001,100000000000000000000,-0]");
}

TEST_F(VectorSql, Distances) {
  EXPECT_EQ(one("SELECT vector_distance_cos('[1,2]', '[-1,-2]')"), "2.0");
  EXPECT_EQ(one("SELECT vector_distance_cos('[1,2]', '[1,2]')"), "0.0");
  EXPECT_EQ(one("SELECT vector_distance_cos('[0,0]', '[0,0]')"), "0.0");
  EXPECT_EQ(one("SELECT vector_distance_cos('[1,2]', '[0,0]')"), "1.0");
  EXPECT_EQ(one("SELECT vector_distance_l2(vector('[3,4]'), '[0,0]')"), "5.0");
  EXPECT_EQ(one("SELECT vector_distance_dot('[1,2]', '[3,4]')"), "-11.0");
  EXPECT_EQ(one("SELECT vector_distance_jaccard('[1,2]', '[2,1]')"), "0.5");
  EXPECT_EQ(one("SELECT vector_distance_cos(vector1bit('[1,1,-1,-1]'), vector1bit('[1,-1,1,-1]'))"), "2.0");
  // NaN results are NULL.
  EXPECT_EQ(one("SELECT vector_distance_jaccard('[0,0]', '[0,0]')"), "NULL");
  EXPECT_EQ(one("SELECT vector_distance_cos(vector32_sparse('[0,0]'), vector32_sparse('[1,0]'))"), "NULL");
}

TEST_F(VectorSql, Errors) {
  EXPECT_EQ(one("SELECT vector_distance_cos('[1,2]', '[1,2,3]')"),
            "error: Conversion error: Vectors must have the same dimensions");
  EXPECT_EQ(one("SELECT vector_distance_cos('[1,2]', vector64('[1,2]'))"),
            "error: Conversion error: Vectors must be of the same type");
  EXPECT_EQ(one("SELECT vector_distance_cos(NULL, '[1]')"), "error: Conversion error: Invalid vector type");
  EXPECT_EQ(one("SELECT vector_distance_l2(1, '[1]')"), "error: Conversion error: Invalid vector type");
  EXPECT_EQ(one("SELECT vector('[1,a]')"), "error: Conversion error: Invalid vector value");
  EXPECT_EQ(one("SELECT vector('1,2')"), "error: Conversion error: Invalid vector value");
  EXPECT_EQ(one("SELECT vector_extract('[1]')"), "error: Conversion error: Expected blob value");
  EXPECT_EQ(one("SELECT vector_extract(x'000007')"), "error: Conversion error: unknown vector type: 7");
  EXPECT_EQ(one("SELECT vector_distance_l2(vector1bit('[1]'), vector1bit('[1]'))"),
            "error: Conversion error: L2 distance is not supported for float1bit vectors");
  EXPECT_EQ(one("SELECT vector_slice(vector('[1,2]'), 0, 3)"),
            "error: Conversion error: vector_slice range out of bounds");
  EXPECT_EQ(one("SELECT vector_concat(vector('[1]'), vector64('[1]'))"),
            "error: Conversion error: Mismatched vector types");
  EXPECT_EQ(one("SELECT vector1bit('[]')"),
            "error: Conversion error: empty vector not supported for this type");
}

TEST_F(VectorSql, TypedColumnsAndNearestNeighbours) {
  // F32_BLOB(n) & co are declared types SQLite accepts: BLOB affinity.
  exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v F32_BLOB(3), w F64_BLOB(3), b F1BIT_BLOB(3))");
  exec("INSERT INTO t VALUES (1, vector('[1,0,0]'), vector64('[1,0,0]'), vector1bit('[1,-1,-1]'))");
  exec("INSERT INTO t VALUES (2, vector('[0,1,0]'), vector64('[0,1,0]'), vector1bit('[-1,1,-1]'))");
  exec("INSERT INTO t VALUES (3, vector('[1,1,0]'), vector64('[1,1,0]'), vector1bit('[1,1,-1]'))");
  exec("INSERT INTO t VALUES (4, vector('[0,0,1]'), vector64('[0,0,1]'), vector1bit('[-1,-1,1]'))");
  {
    auto st = conn_->prepare("SELECT v FROM t");
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->column_decltype(0), "F32_BLOB(3)");
  }
  EXPECT_EQ(ids("SELECT id FROM t ORDER BY vector_distance_cos(v, vector('[1,0.9,0]')) LIMIT 2"),
            (std::vector<int64_t>{3, 1}));  // cos distances 0.0014, 0.257, 0.331, 1
  EXPECT_EQ(ids("SELECT id FROM t ORDER BY vector_distance_l2(w, vector64('[0,0,0.9]')) LIMIT 1"),
            (std::vector<int64_t>{4}));
  EXPECT_EQ(ids("SELECT id FROM t ORDER BY vector_distance_cos(b, vector1bit('[1,-1,-1]')), id"),
            (std::vector<int64_t>{1, 3, 2, 4}));  // Hamming distances 0, 1, 2, 2
  // Text stays text in a BLOB-affinity column (no conversion on insert).
  exec("INSERT INTO t(id, v) VALUES (5, '[1,2,3]')");
  EXPECT_EQ(one("SELECT typeof(v) FROM t WHERE id = 5"), "text");
  EXPECT_EQ(one("SELECT vector_distance_cos(v, '[1,2,3]') FROM t WHERE id = 5"), "0.0");
  // A bound blob parameter as the query vector.
  auto st = conn_->prepare("SELECT id FROM t WHERE id < 5 ORDER BY vector_distance_cos(v, ?1) LIMIT 1");
  ASSERT_TRUE(st.ok());
  const float q[3] = {0, 0, 2};
  const auto* p = reinterpret_cast<const uint8_t*>(q);
  ASSERT_TRUE(st->bind(1, keel::Value(keel::Blob(p, p + sizeof q))).ok());
  auto r = st->step();
  ASSERT_TRUE(r.ok() && *r);
  EXPECT_EQ(st->column_int64(0), 4);
}

TEST_F(VectorSql, TextArgumentsConstantAndPerRow) {
  exec("CREATE TABLE q(id INTEGER PRIMARY KEY, v BLOB, t TEXT)");
  exec(
      "INSERT INTO q VALUES (1, vector('[1,0]'), '[1,0]'), (2, vector('[0,1]'), '[0,1]'),"
      " (3, vector('[1,1]'), '[-1,-1]')");
  // A constant text query vector (parsed once, cached) ...
  EXPECT_EQ(ids("SELECT id FROM q ORDER BY vector_distance_cos(v, '[0.1,1]'), id"),
            (std::vector<int64_t>{2, 3, 1}));
  // ... and a text argument that changes on every row (never cached).
  EXPECT_EQ(one("SELECT group_concat(vector_distance_l2(v, t), ',') FROM q"), "0.0,0.0,2.82842712474619");
  EXPECT_EQ(one("SELECT group_concat(vector_distance_l2(t, '[0,0]'), ',') FROM q"),
            "1.0,1.0,1.4142135623731");
  // A malformed constant fails on every row the same way.
  EXPECT_EQ(one("SELECT count(vector_distance_cos(v, '[1,x]')) FROM q"),
            "error: Conversion error: Invalid vector value");
}

TEST_F(VectorSql, BruteForceAcrossThreads) {
  // 3,000 rows of 64 f32 at 512-byte pages (1,500 leaves): the top-N
  // prescan splits the distances across PRAGMA threads
  // (kernel/vm/topn_prescan.h). Every setting gives the exact ranking
  // computed here in double precision, ties (duplicate vectors) in rowid
  // order, and the same error for a malformed row.
  constexpr int kDims = 64, kRows = 3000;
  exec("PRAGMA page_size = 512");
  exec("CREATE TABLE v(id INTEGER PRIMARY KEY, e F32_BLOB(64))");
  std::vector<std::vector<float>> rows(kRows, std::vector<float>(kDims));
  uint32_t seed = 7;
  auto next = [&seed] {
    seed = seed * 1664525u + 1013904223u;
    return static_cast<float>(seed >> 8) / 16777216.0f - 0.5f;
  };
  for (int i = 0; i < kRows; i++) {
    if (i % 97 == 5) {
      rows[i] = rows[i - 1];  // a duplicate: equal distances
    } else {
      for (float& x : rows[i]) x = next();
    }
  }
  exec("BEGIN");
  auto ins = conn_->prepare("INSERT INTO v VALUES (?1, ?2)");
  ASSERT_TRUE(ins.ok());
  for (int i = 0; i < kRows; i++) {
    const auto* p = reinterpret_cast<const uint8_t*>(rows[i].data());
    ASSERT_TRUE(ins->bind(1, keel::Value(static_cast<int64_t>(i + 1))).ok());
    ASSERT_TRUE(ins->bind(2, keel::Value(keel::Blob(p, p + 4 * kDims))).ok());
    ASSERT_TRUE(ins->execute().ok());
  }
  exec("COMMIT");
  auto ranking = [&](const std::vector<float>& q, bool desc, size_t k) {
    std::vector<std::pair<double, int64_t>> d;
    for (int i = 0; i < kRows; i++) {
      double dot = 0, na = 0, nb = 0;
      for (int j = 0; j < kDims; j++) {
        dot += double(rows[i][j]) * q[j];
        na += double(rows[i][j]) * rows[i][j];
        nb += double(q[j]) * q[j];
      }
      d.push_back({1 - dot / std::sqrt(na * nb), i + 1});
    }
    std::stable_sort(d.begin(), d.end(), [desc](auto& a, auto& b) {
      return desc ? a.first > b.first + 1e-12 : a.first < b.first - 1e-12;
    });
    std::vector<int64_t> out;
    for (size_t i = 0; i < k; i++) out.push_back(d[i].second);
    return out;
  };
  for (int threads : {0, 1, 2, 5}) {
    exec("PRAGMA threads = " + std::to_string(threads));
    for (int query = 0; query < 4; query++) {
      // The last query is row 6's vector, which row 5 duplicates.
      std::vector<float> q = query == 0 ? rows[1000] : query == 3 ? rows[5] : rows[(query * 977) % kRows];
      if (query == 2) q[3] += 0.25f;
      for (bool desc : {false, true}) {
        auto st = conn_->prepare(std::string("SELECT id FROM v ORDER BY vector_distance_cos(e, ?1)") +
                                 (desc ? " DESC" : "") + " LIMIT 12");
        ASSERT_TRUE(st.ok());
        const auto* p = reinterpret_cast<const uint8_t*>(q.data());
        ASSERT_TRUE(st->bind(1, keel::Value(keel::Blob(p, p + 4 * kDims))).ok());
        std::vector<int64_t> got;
        while (true) {
          auto r = st->step();
          ASSERT_TRUE(r.ok()) << r.status().to_string();
          if (!*r) break;
          got.push_back(st->column_int64(0));
        }
        // Near-equal distances may round differently in f32: compare the
        // sets of the first ten and require the exact ranking up to ties.
        std::vector<int64_t> want = ranking(q, desc, 12);
        if (query == 3 && !desc) {
          EXPECT_EQ(got[0], 5);  // a tie: the earlier row first
        }
        EXPECT_EQ(std::vector<int64_t>(got.begin(), got.begin() + 10),
                  std::vector<int64_t>(want.begin(), want.begin() + 10))
            << "threads " << threads << " query " << query << (desc ? " desc" : "");
      }
    }
  }
  // A row of the wrong size fails the query under every setting.
  exec("INSERT INTO v VALUES (5000, vector('[1,2,3]'))");
  for (int threads : {0, 1, 3}) {
    exec("PRAGMA threads = " + std::to_string(threads));
    EXPECT_EQ(one("SELECT id FROM v ORDER BY vector_distance_cos(e, (SELECT e FROM v WHERE id = 1)) LIMIT 3"),
              "error: Conversion error: Vectors must have the same dimensions");
  }
}

TEST(VectorSqlFeature, SwitchedOff) {
  keel::Options o = options();
  o.experimental = {"-vector"};
  auto db = keel::Database::open(":memory:", o);
  ASSERT_TRUE(db.ok());
  auto c = (*db)->connect();
  ASSERT_TRUE(c.ok());
  auto st = c->prepare("SELECT vector('[1]')");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().message(), "no such function: vector");
}

}  // namespace
