// The C++ API: Database, Connection, Statement, Value, Transaction, user
// functions and collations.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "keel/database.hpp"
#include "keel/transaction.hpp"

namespace {

std::string temp_path(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("keel_api_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto p = dir / name;
  std::filesystem::remove(p);
  std::filesystem::remove(p.string() + "-journal");
  std::filesystem::remove(p.string() + "-wal");
  return p.string();
}

keel::Options options(std::function<void(keel::Options&)> set) {
  keel::Options o;
  set(o);
  return o;
}

keel::Connection memory_connection() {
  auto db = keel::Database::open(":memory:");
  EXPECT_TRUE(db.ok()) << db.status().to_string();
  auto conn = (*db)->connect();
  EXPECT_TRUE(conn.ok()) << conn.status().to_string();
  return std::move(conn).value();
}

TEST(CppValue, TypesAndConversions) {
  EXPECT_EQ(keel::Value().type(), keel::Type::kNull);
  EXPECT_EQ(keel::Value(42).type(), keel::Type::kInteger);
  EXPECT_EQ(keel::Value(1.5).type(), keel::Type::kReal);
  EXPECT_EQ(keel::Value("x").type(), keel::Type::kText);
  EXPECT_EQ(keel::Value(keel::Blob{1, 2}).type(), keel::Type::kBlob);
  EXPECT_EQ(keel::Value(static_cast<const char*>(nullptr)).type(), keel::Type::kNull);
  EXPECT_EQ(keel::Value("  12abc").as_int64(), 12);
  EXPECT_EQ(keel::Value("1e3").as_double(), 1000.0);
  EXPECT_EQ(keel::Value(1.0).as_text(), "1.0");
  EXPECT_EQ(keel::Value(0.1).as_text(), "0.1");
  EXPECT_EQ(keel::Value(int64_t{-7}).as_text(), "-7");
  EXPECT_EQ(keel::Value(2.9).as_int64(), 2);
  EXPECT_EQ(keel::Value(keel::Blob{'h', 'i'}).as_text(), "hi");
  EXPECT_TRUE(keel::Value(std::nan("")).is_null());
  EXPECT_EQ(keel::Value("a"), keel::Value(std::string("a")));
  EXPECT_NE(keel::Value(1), keel::Value(1.0));
  EXPECT_EQ(keel::Value("it's").to_string(), "'it''s'");
}

TEST(CppDatabase, OpenExecPrepareStep) {
  keel::Connection conn = memory_connection();
  ASSERT_TRUE(conn.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB)").ok());
  auto ins = conn.prepare("INSERT INTO t(name, score, data) VALUES (:name, ?2, ?3)");
  ASSERT_TRUE(ins.ok()) << ins.status().to_string();
  EXPECT_EQ(ins->parameter_count(), 3);
  EXPECT_EQ(ins->parameter_index(":name"), 1);
  EXPECT_EQ(ins->parameter_name(1), ":name");
  ASSERT_TRUE(ins->bind(":name", "alice").ok());
  ASSERT_TRUE(ins->bind(2, 9.5).ok());
  ASSERT_TRUE(ins->bind(3, keel::Value(keel::Blob{0, 1, 2})).ok());
  ASSERT_TRUE(ins->execute().ok());
  EXPECT_EQ(conn.last_insert_rowid(), 1);
  EXPECT_EQ(conn.changes(), 1);
  ins->clear_bindings();
  ASSERT_TRUE(ins->bind(":name", "bob").ok());
  ASSERT_TRUE(ins->execute().ok());
  EXPECT_EQ(conn.total_changes(), 2);

  auto q = conn.prepare("SELECT id, name, score, data, score * 2 AS dbl FROM t ORDER BY id");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->column_count(), 5);
  EXPECT_EQ(q->column_name(4), "dbl");
  EXPECT_EQ(q->column_decltype(1), "TEXT");
  EXPECT_EQ(q->column_table_name(1), "t");
  EXPECT_TRUE(q->read_only());
  auto row = q->step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(q->column_int64(0), 1);
  EXPECT_EQ(q->column_text(1), "alice");
  EXPECT_EQ(q->column_double(2), 9.5);
  EXPECT_EQ(q->column_type(3), keel::Type::kBlob);
  EXPECT_EQ(q->column_blob(3).size(), 3u);
  EXPECT_EQ(q->column_text(4), "19.0");
  EXPECT_EQ(q->column_value(1), keel::Value("alice"));
  row = q->step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_TRUE(q->column_is_null(2));
  EXPECT_TRUE(q->column_is_null(99));
  row = q->step();
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE(*row);
  // After the end, step() starts over.
  row = q->step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(q->column_int64(0), 1);
  EXPECT_TRUE(q->reset().ok());
}

TEST(CppDatabase, ErrorsCarrySqliteCodesAndMessages) {
  keel::Connection conn = memory_connection();
  auto bad = conn.prepare("SELECT * FROM nosuch");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), keel::rc::kError);
  EXPECT_EQ(bad.status().message(), "no such table: nosuch");
  auto empty = conn.prepare("  -- nothing");
  EXPECT_EQ(empty.status().code(), keel::rc::kMisuse);
  ASSERT_TRUE(conn.exec("CREATE TABLE u(a UNIQUE)").ok());
  ASSERT_TRUE(conn.exec("INSERT INTO u VALUES(1)").ok());
  keel::Status s = conn.exec("INSERT INTO u VALUES(1)");
  EXPECT_EQ(s.code(), keel::rc::kConstraintUnique);
  EXPECT_EQ(s.message(), "UNIQUE constraint failed: u.a");
  auto st = conn.prepare("SELECT ?1");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->bind(2, 1).code(), keel::rc::kRange);
  EXPECT_EQ(st->bind(":nope", 1).code(), keel::rc::kRange);
  ASSERT_TRUE(st->bind(1, 5).ok());
  ASSERT_TRUE(*st->step());
  EXPECT_EQ(st->bind(1, 6).code(), keel::rc::kMisuse);
  EXPECT_EQ(st->expanded_sql(), "SELECT 5");
}

TEST(CppDatabase, ForeignKeyCodesAndPreparedStatements) {
  keel::Connection conn = memory_connection();
  ASSERT_TRUE(conn.exec("CREATE TABLE p(id INTEGER PRIMARY KEY); INSERT INTO p VALUES(1); "
                        "CREATE TABLE c(pid REFERENCES p ON DELETE RESTRICT); "
                        "CREATE TABLE d(pid REFERENCES p DEFERRABLE INITIALLY DEFERRED)")
                  .ok());
  // Compiled while foreign keys are off, run after they are on: the
  // statement is compiled again (SQLite expires statements on the pragma).
  auto ins = conn.prepare("INSERT INTO c VALUES(?1)");
  ASSERT_TRUE(ins.ok()) << ins.status().to_string();
  ASSERT_TRUE(conn.exec("PRAGMA foreign_keys = ON").ok());
  ASSERT_TRUE(ins->bind(1, 2).ok());
  keel::Status s = ins->execute();
  EXPECT_EQ(s.code(), keel::rc::kConstraintForeignKey);
  EXPECT_EQ(s.message(), "FOREIGN KEY constraint failed");
  ASSERT_TRUE(ins->reset().ok());
  ASSERT_TRUE(ins->bind(1, 1).ok());
  ASSERT_TRUE(ins->execute().ok());
  // RESTRICT is SQLite's RAISE(ABORT) in a generated trigger.
  s = conn.exec("DELETE FROM p");
  EXPECT_EQ(s.code(), keel::rc::kConstraintTrigger);
  EXPECT_EQ(s.message(), "FOREIGN KEY constraint failed");
  // A deferred violation fails COMMIT and leaves the transaction open.
  ASSERT_TRUE(conn.exec("BEGIN; INSERT INTO d VALUES(5)").ok());
  s = conn.exec("COMMIT");
  EXPECT_EQ(s.code(), keel::rc::kConstraintForeignKey);
  EXPECT_FALSE(conn.autocommit());
  ASSERT_TRUE(conn.exec("INSERT INTO p VALUES(5); COMMIT").ok());
  EXPECT_TRUE(conn.autocommit());
  ASSERT_TRUE(conn.exec("PRAGMA foreign_keys = OFF").ok());
  ASSERT_TRUE(ins->reset().ok());
  ASSERT_TRUE(ins->bind(1, 99).ok());
  EXPECT_TRUE(ins->execute().ok());
}

TEST(CppDatabase, ExperimentalFeatures) {
  auto bad = keel::Database::open(":memory:", options([](keel::Options& o) {
                                    o.experimental = {"views", "warp_drive"};
                                  }));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(
      bad.status().message(),
      "unknown experimental feature: warp_drive (known: index_method, views, encryption, mvcc, vector, cdc)");
  // A named feature needs its module: without one, the error names the
  // flag, the module and the directories searched.
  auto missing = keel::Database::open(":memory:", options([](keel::Options& o) {
                                        o.experimental = {"index-method"};
                                        o.module_path = {"/nonexistent-keel-modules"};
                                      }));
  ASSERT_FALSE(missing.ok());
  std::string msg(missing.status().message());
  EXPECT_NE(msg.find("feature 'index_method' is not available: module fts not found (searched: "
                     "/nonexistent-keel-modules"),
            std::string::npos)
      << msg;
  // Defaults are on, and a leading '-' turns one off.
  auto db = keel::Database::open(":memory:", options([](keel::Options& o) { o.experimental = {"-cdc"}; }));
  ASSERT_TRUE(db.ok()) << db.status().message();
  EXPECT_TRUE((*db)->has_feature("vector"));  // on by default
  EXPECT_FALSE((*db)->has_feature("cdc"));
  EXPECT_FALSE((*db)->has_feature("mvcc"));
  auto uri = keel::Database::open("file::memory:?experimental=-vector");
  ASSERT_TRUE(uri.ok()) << uri.status().to_string();
  EXPECT_FALSE((*uri)->has_feature("vector"));
  EXPECT_FALSE(keel::Database::open("file::memory:?experimental=nope").ok());
  EXPECT_EQ(keel::Database::known_features().size(), 6u);
}

TEST(CppDatabase, ReadOnlyAndMissingFiles) {
  std::string path = temp_path("ro.db");
  {
    auto db = keel::Database::open(path);
    ASSERT_TRUE(db.ok());
    auto c = (*db)->connect();
    ASSERT_TRUE(c->exec("CREATE TABLE t(x); INSERT INTO t VALUES(1)").ok());
  }
  auto ro = keel::Database::open(path, options([](keel::Options& o) { o.read_only = true; }));
  ASSERT_TRUE(ro.ok());
  auto c = (*ro)->connect();
  ASSERT_TRUE(c.ok());
  keel::Status s = c->exec("INSERT INTO t VALUES(2)");
  EXPECT_EQ(s.primary(), keel::rc::kReadOnly);
  EXPECT_EQ(s.message(), "attempt to write a readonly database");
  auto q = c->prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(q.ok() && *q->step());
  EXPECT_EQ(q->column_int64(0), 1);
  auto missing =
      keel::Database::open(temp_path("missing.db"), options([](keel::Options& o) { o.create = false; }));
  EXPECT_EQ(missing.status().primary(), keel::rc::kCantOpen);
}

TEST(CppTransaction, CommitAndRollback) {
  keel::Connection conn = memory_connection();
  ASSERT_TRUE(conn.exec("CREATE TABLE t(x)").ok());
  auto count = [&] {
    auto q = conn.prepare("SELECT count(*) FROM t");
    EXPECT_TRUE(q.ok() && *q->step());
    return q->column_int64(0);
  };
  {
    auto txn = keel::Transaction::begin(conn);
    ASSERT_TRUE(txn.ok());
    EXPECT_FALSE(conn.autocommit());
    ASSERT_TRUE(conn.exec("INSERT INTO t VALUES(1)").ok());
    ASSERT_TRUE(txn->commit().ok());
    EXPECT_FALSE(txn->active());
  }
  EXPECT_TRUE(conn.autocommit());
  EXPECT_EQ(count(), 1);
  {
    auto txn = keel::Transaction::begin(conn, keel::TransactionMode::kImmediate);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(conn.exec("INSERT INTO t VALUES(2)").ok());
  }  // destroyed without commit: rolled back
  EXPECT_TRUE(conn.autocommit());
  EXPECT_EQ(count(), 1);
}

// A nested guard is a SAVEPOINT: its rollback undoes only its own changes,
// also when the outer transaction changed the same pages before it began.
TEST(CppTransaction, NestedGuardsAreSavepoints) {
  keel::Connection conn = memory_connection();
  ASSERT_TRUE(conn.exec("CREATE TABLE t(x); INSERT INTO t VALUES(1)").ok());
  auto count = [&] {
    auto q = conn.prepare("SELECT count(*) FROM t");
    EXPECT_TRUE(q.ok() && *q->step());
    return q->column_int64(0);
  };
  {
    auto outer = keel::Transaction::begin(conn);
    ASSERT_TRUE(outer.ok());
    ASSERT_TRUE(conn.exec("INSERT INTO t VALUES(3)").ok());
    {
      auto inner = keel::Transaction::begin(conn);
      ASSERT_TRUE(inner.ok());
      ASSERT_TRUE(conn.exec("INSERT INTO t VALUES(4)").ok());
      ASSERT_TRUE(inner->rollback().ok());
    }
    {
      auto inner = keel::Transaction::begin(conn);
      ASSERT_TRUE(conn.exec("INSERT INTO t VALUES(5)").ok());
      ASSERT_TRUE(inner->commit().ok());
    }
    EXPECT_FALSE(conn.autocommit());
    ASSERT_TRUE(outer->commit().ok());
  }
  EXPECT_EQ(count(), 3);
  auto q = conn.prepare("SELECT group_concat(x) FROM t");
  ASSERT_TRUE(q.ok() && *q->step());
  EXPECT_EQ(q->column_text(0), "1,3,5");
}

class SumOfSquares : public keel::Aggregate {
 public:
  keel::Status step(std::span<const keel::Value> args) override {
    if (!args[0].is_null()) sum_ += args[0].as_int64() * args[0].as_int64();
    return keel::Status::Ok();
  }
  keel::Result<keel::Value> finish() override { return keel::Value(sum_); }

 private:
  int64_t sum_ = 0;
};

TEST(CppFunctions, ScalarAggregateCollation) {
  keel::Connection conn = memory_connection();
  ASSERT_TRUE(conn.create_function("shout", 1,
                                   [](std::span<const keel::Value> a) -> keel::Result<keel::Value> {
                                     if (a[0].is_null())
                                       return keel::Status(keel::rc::kError, "shout needs a value");
                                     std::string s = a[0].as_text();
                                     for (char& c : s) c = static_cast<char>(toupper(c));
                                     return keel::Value(s + "!");
                                   })
                  .ok());
  ASSERT_TRUE(conn.create_aggregate("sumsq", 1, [] { return std::make_unique<SumOfSquares>(); }).ok());
  ASSERT_TRUE(
      conn.create_collation("by_length",
                            [](std::string_view a, std::string_view b) {
                              return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : a.compare(b);
                            })
          .ok());
  EXPECT_EQ(conn.create_function("", 1, nullptr).code(), keel::rc::kMisuse);
  ASSERT_TRUE(
      conn.exec("CREATE TABLE w(v TEXT, n INTEGER); INSERT INTO w VALUES('ccc', 1), ('a', 2), ('bb', 3)")
          .ok());
  auto q = conn.prepare("SELECT shout(v) FROM w ORDER BY v COLLATE by_length");
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  std::vector<std::string> got;
  while (*q->step()) got.emplace_back(q->column_text(0));
  EXPECT_EQ(got, (std::vector<std::string>{"A!", "BB!", "CCC!"}));
  auto agg = conn.prepare("SELECT sumsq(n) FROM w");
  ASSERT_TRUE(agg.ok() && *agg->step());
  EXPECT_EQ(agg->column_int64(0), 14);
  auto none = conn.prepare("SELECT sumsq(n) FROM w WHERE 0");
  ASSERT_TRUE(none.ok() && *none->step());
  EXPECT_EQ(none->column_int64(0), 0);
  auto err = conn.prepare("SELECT shout(NULL)");
  ASSERT_TRUE(err.ok());
  auto r = err->step();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "shout needs a value");
}

TEST(CppDatabase, SharedAcrossThreads) {
  std::string path = temp_path("threads.db");
  auto db = keel::Database::open(path, options([](keel::Options& o) { o.busy_timeout_ms = 10000; }));
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)
                  ->create_function("plus_one", 1,
                                    [](std::span<const keel::Value> a) -> keel::Result<keel::Value> {
                                      return keel::Value(a[0].as_int64() + 1);
                                    })
                  .ok());
  {
    auto c = (*db)->connect();
    ASSERT_TRUE(c->exec("CREATE TABLE t(thread INTEGER, i INTEGER)").ok());
  }
  constexpr int kThreads = 4, kRows = 25;
  std::atomic<int> failures{0};
  // Writers take turns: two connections of one process that both wait for
  // the write lock while holding a read lock would each wait out their busy
  // timeout (the pager keeps its SHARED lock while busy-waiting). Reads run
  // concurrently with the writes of other threads.
  std::mutex write_turn;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      auto c = (*db)->connect();
      if (!c.ok()) {
        failures++;
        return;
      }
      for (int i = 0; i < kRows; i++) {
        {
          std::lock_guard<std::mutex> turn(write_turn);
          auto st = c->prepare("INSERT INTO t VALUES(?1, plus_one(?2))");
          if (!st.ok() || !st->bind(1, t).ok() || !st->bind(2, i).ok() || !st->execute().ok()) failures++;
        }
        auto q = c->prepare("SELECT count(*) FROM t WHERE thread = ?1");
        if (!q.ok() || !q->bind(1, t).ok()) {
          failures++;
          continue;
        }
        auto row = q->step();
        if (!row.ok() || !*row || q->column_int64(0) != i + 1) failures++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto c = (*db)->connect();
  auto q = c->prepare("SELECT count(*), sum(i) FROM t");
  ASSERT_TRUE(q.ok() && *q->step());
  EXPECT_EQ(q->column_int64(0), kThreads * kRows);
  EXPECT_EQ(q->column_int64(1), kThreads * (kRows * (kRows + 1) / 2));
}

TEST(CppDatabase, InterruptFromAnotherThread) {
  keel::Connection conn = memory_connection();
  ASSERT_TRUE(
      conn.exec("CREATE TABLE n(x); INSERT INTO n VALUES(1),(2),(3),(4),(5),(6),(7),(8),(9),(10)").ok());
  auto q = conn.prepare("SELECT count(*) FROM n a, n b, n c, n d, n e, n f, n g, n h");
  ASSERT_TRUE(q.ok());
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    conn.interrupt();
  });
  auto r = q->step();
  stopper.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), keel::rc::kInterrupt);
  EXPECT_EQ(r.status().message(), "interrupted");
}

}  // namespace
