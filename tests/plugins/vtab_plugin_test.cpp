// The virtual-table extension point through a module (tests/plugins/
// vtab_plugin.cpp) loaded by name with the public C++ API: an eponymous
// table-valued function planned through best_index, and a writable table
// created with CREATE VIRTUAL TABLE, with its transaction callbacks.
#include <gtest/gtest.h>

#include <string>

#include "keel/database.hpp"

namespace {

keel::Options vtab_module() {
  keel::Options o;
  o.module_path = {KEEL_TEST_MODULE_DIR};
  o.modules = {"testvtab"};
  return o;
}

// Every row, columns joined by ',' and rows by ';' (or "error: ...").
std::string rows(keel::Connection& c, std::string_view sql) {
  auto st = c.prepare(sql);
  if (!st.ok()) return "error: " + std::string(st.status().message());
  std::string out;
  while (true) {
    auto r = st->step();
    if (!r.ok()) return out + "error: " + std::string(r.status().message());
    if (!*r) break;
    if (!out.empty()) out += ";";
    for (int i = 0; i < st->column_count(); i++) {
      if (i) out += ",";
      out += st->column_is_null(i) ? "NULL" : std::string(st->column_text(i));
    }
  }
  return out;
}

TEST(VtabPlugin, EponymousTableValuedFunction) {
  auto db = keel::Database::open(":memory:", vtab_module());
  ASSERT_TRUE(db.ok()) << db.status().message();
  auto c = (*db)->connect();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(rows(*c, "SELECT * FROM plugin_range(1, 4)"), "1;2;3;4");
  EXPECT_EQ(rows(*c, "SELECT value, start, stop FROM plugin_range(2, 3)"), "2,2,3;3,2,3");
  // value >= X is handed to the table and omitted; the rest is re-tested.
  EXPECT_EQ(rows(*c, "SELECT value FROM plugin_range(1, 10) WHERE value >= 8 AND value != 9"), "8;10");
  // ORDER BY DESC is produced by the table (and still correct).
  EXPECT_EQ(rows(*c, "SELECT value FROM plugin_range(1, 3) ORDER BY value DESC"), "3;2;1");
  EXPECT_EQ(rows(*c, "SELECT a.value, b.value FROM plugin_range(1, 2) a, plugin_range(a.value, 2) b"),
            "1,1;1,2;2,2");
  EXPECT_NE(rows(*c, "EXPLAIN QUERY PLAN SELECT * FROM plugin_range(1, 2)")
                .find("SCAN plugin_range VIRTUAL TABLE INDEX 3:range"),
            std::string::npos);
  // Arguments that read a later FROM term: the join order puts that term first.
  EXPECT_EQ(rows(*c, "SELECT * FROM plugin_range(1, t.x), (SELECT 2 AS x) t"), "1,2;2,2");
  // Arguments that can never be computed before the table: no plan.
  EXPECT_EQ(rows(*c, "SELECT * FROM plugin_range(1, b.value) a, plugin_range(1, a.value) b"),
            "error: no query solution");
  EXPECT_EQ(rows(*c, "SELECT * FROM plugin_range(1, 2, 3)"),
            "error: too many arguments on plugin_range() - max 2");
  EXPECT_EQ(rows(*c, "CREATE VIRTUAL TABLE r USING plugin_range"), "error: no such module: plugin_range");
  // Without the module the function does not exist.
  auto plain = keel::Database::open(":memory:");
  ASSERT_TRUE(plain.ok());
  auto pc = (*plain)->connect();
  ASSERT_TRUE(pc.ok());
  EXPECT_EQ(rows(*pc, "SELECT * FROM plugin_range(1, 2)"), "error: no such table: plugin_range");
}

TEST(VtabPlugin, WritableTableWithTransactions) {
  auto db = keel::Database::open(":memory:", vtab_module());
  ASSERT_TRUE(db.ok()) << db.status().message();
  auto c = (*db)->connect();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->exec("CREATE VIRTUAL TABLE m USING memtab(name TEXT, qty INTEGER)").ok());
  EXPECT_EQ(rows(*c, "SELECT memtab_args('m')"), "memtab|main|name TEXT,qty INTEGER");
  EXPECT_EQ(rows(*c, "SELECT sql FROM sqlite_schema WHERE name = 'm'"),
            "CREATE VIRTUAL TABLE m USING memtab(name TEXT, qty INTEGER)");
  std::string log0 = rows(*c, "SELECT memtab_log()");
  EXPECT_EQ(log0, "0/1/1/0");  // the new table joins the CREATE's transaction (no begin)
  ASSERT_TRUE(c->exec("INSERT INTO m VALUES ('bolt', 5), ('nut', 7)").ok());
  EXPECT_EQ(rows(*c, "SELECT memtab_log()"), "1/2/2/0");
  EXPECT_EQ(rows(*c, "SELECT rowid, name, qty FROM m"), "1,bolt,5;2,nut,7");
  EXPECT_EQ(rows(*c, "SELECT name FROM m WHERE rowid = 2"), "nut");
  ASSERT_TRUE(
      c->exec("BEGIN; UPDATE m SET qty = qty * 10 WHERE name = 'nut'; DELETE FROM m WHERE rowid = 1; COMMIT")
          .ok());
  EXPECT_EQ(rows(*c, "SELECT rowid, name, qty FROM m"), "2,nut,70");
  EXPECT_EQ(rows(*c, "SELECT memtab_log()"), "2/3/3/0");
  ASSERT_TRUE(c->exec("BEGIN; INSERT INTO m(rowid, name) VALUES (9, 'x'); ROLLBACK").ok());
  EXPECT_EQ(rows(*c, "SELECT memtab_log()"), "3/3/3/1");
  // A module error fails the statement with its code and message.
  EXPECT_EQ(rows(*c, "INSERT INTO m(rowid, name) VALUES (2, 'dup')"), "error: memtab: rowid exists");
  EXPECT_EQ(rows(*c, "SELECT count(*) FROM m JOIN plugin_range(1, 3) r ON r.value <= m.qty"), "3");
  ASSERT_TRUE(c->exec("DROP TABLE m").ok());
  EXPECT_EQ(rows(*c, "SELECT count(*) FROM sqlite_schema"), "0");
}

}  // namespace
