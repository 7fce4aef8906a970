// The cdc module through SQL: every mode and change type, the coverage of
// triggers, REPLACE, UPSERT, UPDATE ... FROM, DELETE of all rows and DDL,
// transactions and savepoints, the helper functions, and database-wide
// capture. Images are checked decoded through bin_record_json_object.
#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>

#include "cdc_test_support.h"

namespace {

using keel::cdc_test::one;
using keel::cdc_test::rows;
using Rows = std::vector<std::string>;

// The CDC rows: change_id, change_txn_id, change_type, table_name, id, and
// the before/after images decoded with the table's column names.
constexpr std::string_view kCdc =
    "SELECT change_id, change_txn_id, change_type, table_name, id, "
    "bin_record_json_object(table_columns_json_array(table_name), before), "
    "bin_record_json_object(table_columns_json_array(table_name), after) "
    "FROM turso_cdc ORDER BY change_id";

class Cdc : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = keel::Database::open(":memory:", keel::cdc_test::module_options());
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = *db;
    auto c = db_->connect();
    ASSERT_TRUE(c.ok()) << c.status().message();
    conn_ = std::make_unique<keel::Connection>(std::move(c).value());
  }
  keel::Connection& c() { return *conn_; }
  void exec(std::string_view sql) {
    keel::Status s = c().exec(sql);
    ASSERT_TRUE(s.ok()) << sql << ": " << s.message();
  }
  Rows cdc() { return rows(c(), kCdc); }

  std::shared_ptr<keel::Database> db_;
  std::unique_ptr<keel::Connection> conn_;
};

// ------------------------------------------------------------ modes

TEST_F(Cdc, ModeIdRecordsIdsOnly) {
  exec("CREATE TABLE t(x INTEGER PRIMARY KEY, y)");
  exec("PRAGMA capture_data_changes_conn('id')");
  exec("INSERT INTO t VALUES (10, 10), (5, 1)");
  exec("UPDATE t SET y = 100 WHERE x = 5");
  exec("DELETE FROM t WHERE x = 10");
  Rows want = {
      "1|1|1|t|10|NULL|NULL",      "2|1|1|t|5|NULL|NULL",       "3|1|2|NULL|NULL|NULL|NULL",
      "4|4|0|t|5|NULL|NULL",       "5|4|2|NULL|NULL|NULL|NULL", "6|6|-1|t|10|NULL|NULL",
      "7|6|2|NULL|NULL|NULL|NULL",
  };
  EXPECT_EQ(cdc(), want);
  EXPECT_EQ(one(c(),
                "SELECT count(*) FROM turso_cdc WHERE before IS NOT NULL OR after IS NOT NULL "
                "OR updates IS NOT NULL"),
            "0");
}

TEST_F(Cdc, ModeBeforeFillsBeforeOnly) {
  exec("CREATE TABLE t(x INTEGER PRIMARY KEY, y)");
  exec("PRAGMA capture_data_changes_conn('before')");
  exec("INSERT INTO t VALUES (1, 2), (3, 4)");
  exec("UPDATE t SET y = 3 WHERE x = 1");
  exec("DELETE FROM t WHERE x = 3");
  Rows want = {
      "1|1|1|t|1|NULL|NULL",       "2|1|1|t|3|NULL|NULL",
      "3|1|2|NULL|NULL|NULL|NULL", "4|4|0|t|1|{\"x\":1,\"y\":2}|NULL",
      "5|4|2|NULL|NULL|NULL|NULL", "6|6|-1|t|3|{\"x\":3,\"y\":4}|NULL",
      "7|6|2|NULL|NULL|NULL|NULL",
  };
  EXPECT_EQ(cdc(), want);
  EXPECT_EQ(one(c(), "SELECT count(*) FROM turso_cdc WHERE updates IS NOT NULL"), "0");
}

TEST_F(Cdc, ModeAfterFillsAfterOnly) {
  exec("CREATE TABLE t(x INTEGER PRIMARY KEY, y)");
  exec("PRAGMA capture_data_changes_conn('after')");
  exec("INSERT INTO t VALUES (1, 2), (3, 4)");
  exec("UPDATE t SET y = 3 WHERE x = 1");
  exec("DELETE FROM t WHERE x = 3");
  Rows want = {
      "1|1|1|t|1|NULL|{\"x\":1,\"y\":2}", "2|1|1|t|3|NULL|{\"x\":3,\"y\":4}", "3|1|2|NULL|NULL|NULL|NULL",
      "4|4|0|t|1|NULL|{\"x\":1,\"y\":3}", "5|4|2|NULL|NULL|NULL|NULL",        "6|6|-1|t|3|NULL|NULL",
      "7|6|2|NULL|NULL|NULL|NULL",
  };
  EXPECT_EQ(cdc(), want);
  EXPECT_EQ(one(c(), "SELECT count(*) FROM turso_cdc WHERE updates IS NOT NULL"), "0");
}

TEST_F(Cdc, ModeFullFillsImagesAndUpdates) {
  exec("CREATE TABLE t(x INTEGER PRIMARY KEY, y, z TEXT)");
  exec("PRAGMA capture_data_changes_conn('full')");
  exec("INSERT INTO t VALUES (1, 2, 'a'), (3, 4, 'b')");
  exec("UPDATE t SET y = 3 WHERE x = 1");
  exec("UPDATE t SET y = y, z = 'c' WHERE x = 3");  // y keeps its value: flag 0
  exec("DELETE FROM t WHERE x = 3");
  Rows want = {
      "1|1|1|t|1|NULL|{\"x\":1,\"y\":2,\"z\":\"a\"}",
      "2|1|1|t|3|NULL|{\"x\":3,\"y\":4,\"z\":\"b\"}",
      "3|1|2|NULL|NULL|NULL|NULL",
      "4|4|0|t|1|{\"x\":1,\"y\":2,\"z\":\"a\"}|{\"x\":1,\"y\":3,\"z\":\"a\"}",
      "5|4|2|NULL|NULL|NULL|NULL",
      "6|6|0|t|3|{\"x\":3,\"y\":4,\"z\":\"b\"}|{\"x\":3,\"y\":4,\"z\":\"c\"}",
      "7|6|2|NULL|NULL|NULL|NULL",
      "8|8|-1|t|3|{\"x\":3,\"y\":4,\"z\":\"c\"}|NULL",
      "9|8|2|NULL|NULL|NULL|NULL",
  };
  EXPECT_EQ(cdc(), want);
  // updates: C changed-flags, then C values (NULL where unchanged).
  const char* names = "'[\"x?\",\"y?\",\"z?\",\"x\",\"y\",\"z\"]'";
  Rows updates = {
      "4|{\"x?\":0,\"y?\":1,\"z?\":0,\"x\":null,\"y\":3,\"z\":null}",
      "6|{\"x?\":0,\"y?\":0,\"z?\":1,\"x\":null,\"y\":null,\"z\":\"c\"}",
  };
  EXPECT_EQ(rows(c(), std::string("SELECT change_id, bin_record_json_object(") + names +
                          ", updates) FROM turso_cdc WHERE updates IS NOT NULL ORDER BY 1"),
            updates);
  // The updates record is exactly 2C fields: header of 7 bytes here.
  EXPECT_EQ(one(c(), "SELECT hex(updates) FROM turso_cdc WHERE change_id = 4"),
            "07080908000100"
            "03");
}

TEST_F(Cdc, ImagesAreSqliteRecordsWithTheRowidInThePrimaryKeySlot) {
  exec("CREATE TABLE t(a TEXT, id INTEGER PRIMARY KEY, r REAL, b BLOB, n)");
  exec("PRAGMA capture_data_changes_conn('after')");
  exec("INSERT INTO t VALUES ('hi', 7, 1.5, x'00ff', NULL)");
  // Header 6 bytes: 6, text(2)=17, int8=1, real=7, blob(2)=16, null=0.
  EXPECT_EQ(one(c(), "SELECT hex(after) FROM turso_cdc WHERE change_type = 1"),
            "0611010710006869073FF800000000000000FF");
  EXPECT_EQ(one(c(),
                "SELECT bin_record_json_object(table_columns_json_array('t'), after) FROM turso_cdc "
                "WHERE change_type = 1"),
            "{\"a\":\"hi\",\"id\":7,\"r\":1.5,\"b\":\"00ff\",\"n\":null}");
  // A table without a rowid alias stores every column as is.
  exec("CREATE TABLE u(k INT PRIMARY KEY, v)");
  exec("INSERT INTO u VALUES (5, 'v')");
  EXPECT_EQ(one(c(),
                "SELECT id, bin_record_json_object(table_columns_json_array('u'), after) FROM turso_cdc "
                "WHERE table_name = 'u'"),
            "1|{\"k\":5,\"v\":\"v\"}");
}

// ------------------------------------------------------------ pragma

TEST_F(Cdc, PragmaReadsModeTableVersion) {
  EXPECT_EQ(one(c(), "PRAGMA capture_data_changes_conn"), "off|NULL|NULL");
  exec("PRAGMA capture_data_changes_conn('full')");
  EXPECT_EQ(one(c(), "PRAGMA capture_data_changes_conn"), "full|turso_cdc|v2");
  EXPECT_EQ(one(c(), "PRAGMA unstable_capture_data_changes_conn"), "full|turso_cdc|v2");
  exec("PRAGMA unstable_capture_data_changes_conn('before,my_cdc')");
  EXPECT_EQ(one(c(), "PRAGMA capture_data_changes_conn"), "before|my_cdc|v2");
  exec("PRAGMA capture_data_changes_conn = 'off'");
  EXPECT_EQ(one(c(), "PRAGMA capture_data_changes_conn"), "off|NULL|NULL");
  // The table layout of DESIGN §5, and the version table.
  Rows cols = rows(c(), "PRAGMA table_info(turso_cdc)");
  Rows want = {
      "0|change_id|INTEGER|0|NULL|1",   "1|change_time|INTEGER|0|NULL|0", "2|change_txn_id|INTEGER|0|NULL|0",
      "3|change_type|INTEGER|0|NULL|0", "4|table_name|TEXT|0|NULL|0",     "5|id||0|NULL|0",
      "6|before|BLOB|0|NULL|0",         "7|after|BLOB|0|NULL|0",          "8|updates|BLOB|0|NULL|0"};
  EXPECT_EQ(cols, want);
  EXPECT_EQ(rows(c(), "SELECT * FROM turso_cdc_version ORDER BY 1"), (Rows{"my_cdc|v2", "turso_cdc|v2"}));
}

TEST_F(Cdc, BadPragmaValuesAreClearErrors) {
  exec("CREATE TABLE t(x)");
  EXPECT_EQ(one(c(), "PRAGMA capture_data_changes_conn('sideways')"),
            "error: unexpected pragma value: expected '<mode>' or '<mode>,<cdc-table-name>' parameter where "
            "mode is one of off|id|before|after|full");
  EXPECT_EQ(
      one(c(), "PRAGMA capture_data_changes_conn('full,bad name')"),
      "error: invalid CDC table name 'bad name': use letters, digits and '_' (not starting with a digit "
      "or 'sqlite_')");
  EXPECT_NE(one(c(), "PRAGMA capture_data_changes_conn('id,sqlite_x')").find("invalid CDC table name"),
            std::string::npos);
  // The connection is usable and still not capturing.
  exec("INSERT INTO t VALUES (1)");
  EXPECT_EQ(one(c(), "PRAGMA capture_data_changes_conn"), "off|NULL|NULL");
  EXPECT_EQ(one(c(), "SELECT count(*) FROM sqlite_schema WHERE name = 'turso_cdc'"), "0");
}

TEST_F(Cdc, ChangeTimeIsUnixSeconds) {
  exec("CREATE TABLE t(x)");
  exec("PRAGMA capture_data_changes_conn('id')");
  int64_t before = static_cast<int64_t>(std::time(nullptr));
  exec("INSERT INTO t VALUES (1)");
  int64_t after = static_cast<int64_t>(std::time(nullptr));
  for (const auto& r : rows(c(), "SELECT change_time FROM turso_cdc")) {
    int64_t t = std::stoll(r);
    EXPECT_GE(t, before);
    EXPECT_LE(t, after);
  }
}

TEST_F(Cdc, CustomTableAndIndependentConnections) {
  exec("CREATE TABLE t(x INTEGER PRIMARY KEY, y)");
  auto c2 = db_->connect();  // a separate in-memory database: its own state
  ASSERT_TRUE(c2.ok());
  exec("PRAGMA capture_data_changes_conn('id,custom_cdc')");
  exec("INSERT INTO t VALUES (1, 10)");
  EXPECT_EQ(rows(c(), "SELECT change_id, change_type, table_name, id FROM custom_cdc"),
            (Rows{"1|1|t|1", "2|2|NULL|NULL"}));
  EXPECT_EQ(one(c(), "SELECT count(*) FROM sqlite_schema WHERE name = 'turso_cdc'"), "0");
  EXPECT_EQ(one(*c2, "PRAGMA capture_data_changes_conn"), "off|NULL|NULL");
}

// ------------------------------------------------------------ transactions

TEST_F(Cdc, OneCommitRowPerTransactionThatChangedSomething) {
  exec("CREATE TABLE t(x INTEGER PRIMARY KEY, y)");
  exec("CREATE TABLE q(x INTEGER PRIMARY KEY, y)");
  exec("PRAGMA capture_data_changes_conn('id')");
  exec(
      "BEGIN; INSERT INTO t VALUES (1, 10); INSERT INTO q VALUES (2, 20); DELETE FROM t WHERE x = 1;"
      "UPDATE q SET y = 200; COMMIT");
  exec("BEGIN; SELECT * FROM t; COMMIT");   // nothing changed: no COMMIT row
  exec("UPDATE t SET y = 1 WHERE x = 99");  // no row matched
  exec("INSERT INTO t VALUES (3, 30)");
  Rows want = {"1|1|1|t|1",       "2|1|1|q|2", "3|1|-1|t|1",     "4|1|0|q|2",
               "5|1|2|NULL|NULL", "6|6|1|t|3", "7|6|2|NULL|NULL"};
  EXPECT_EQ(rows(c(), "SELECT change_id, change_txn_id, change_type, table_name, id FROM turso_cdc"), want);
}

TEST_F(Cdc, RollbackAndSavepointsUndoCdcRows) {
  exec("CREATE TABLE t(x INTEGER PRIMARY KEY, y)");
  exec("PRAGMA capture_data_changes_conn('id')");
  exec("BEGIN; INSERT INTO t VALUES (1, 1); ROLLBACK");
  EXPECT_EQ(one(c(), "SELECT count(*) FROM turso_cdc"), "0");
  exec(
      "BEGIN; INSERT INTO t VALUES (1, 1); SAVEPOINT s; INSERT INTO t VALUES (2, 2); ROLLBACK TO s;"
      "INSERT INTO t VALUES (3, 3); RELEASE s; COMMIT");
  EXPECT_EQ(rows(c(), "SELECT change_id, change_txn_id, change_type, id FROM turso_cdc"),
            (Rows{"1|1|1|1", "2|1|1|3", "3|1|2|NULL"}));
  // The transaction's first row undone by ROLLBACK TO: the next row starts
  // the transaction id again.
  exec("DELETE FROM turso_cdc");
  exec(
      "BEGIN; SAVEPOINT a; INSERT INTO t VALUES (10, 1); ROLLBACK TO a; INSERT INTO t VALUES (11, 1);"
      "COMMIT");
  Rows got = rows(c(), "SELECT change_id = change_txn_id, change_type, id FROM turso_cdc ORDER BY change_id");
  EXPECT_EQ(got, (Rows{"1|1|11", "0|2|NULL"}));
  // Everything undone by ROLLBACK TO: no COMMIT row.
  exec("DELETE FROM turso_cdc");
  exec("BEGIN; SAVEPOINT a; INSERT INTO t VALUES (20, 1); ROLLBACK TO a; COMMIT");
  EXPECT_EQ(one(c(), "SELECT count(*) FROM turso_cdc"), "0");
}

TEST_F(Cdc, FailedStatementsLeaveNoRows) {
  exec("CREATE TABLE t(x INTEGER PRIMARY KEY, y UNIQUE)");
  exec("PRAGMA capture_data_changes_conn('id')");
  exec("INSERT INTO t VALUES (1, 10), (2, 20)");
  EXPECT_FALSE(c().exec("INSERT INTO t VALUES (3, 30), (4, 40), (5, 10)").ok());
  exec("INSERT INTO t VALUES (6, 60)");
  EXPECT_EQ(rows(c(), "SELECT change_type, id FROM turso_cdc"),
            (Rows{"1|1", "1|2", "2|NULL", "1|6", "2|NULL"}));
  // Inside a transaction: the failed statement's rows go, the others stay.
  exec("DELETE FROM turso_cdc");
  exec("BEGIN");
  EXPECT_FALSE(c().exec("INSERT INTO t VALUES (7, 70), (8, 10)").ok());
  exec("INSERT INTO t VALUES (9, 90); COMMIT");
  EXPECT_EQ(rows(c(), "SELECT change_id = change_txn_id, change_type, id FROM turso_cdc ORDER BY change_id"),
            (Rows{"1|1|9", "0|2|NULL"}));
}

TEST_F(Cdc, CdcTablesThemselvesAreNotCaptured) {
  exec("CREATE TABLE t(x)");
  exec("PRAGMA capture_data_changes_conn('full')");
  exec("INSERT INTO t VALUES (1)");
  exec("DELETE FROM turso_cdc WHERE change_id = 1");
  exec("UPDATE turso_cdc_version SET version = version");
  EXPECT_EQ(rows(c(), "SELECT change_id, change_type FROM turso_cdc"), (Rows{"2|2"}));
  // Another CDC table is an ordinary table for this connection.
  exec("PRAGMA capture_data_changes_conn('id,other_cdc')");
  exec("DELETE FROM turso_cdc");
  EXPECT_EQ(rows(c(), "SELECT change_type, table_name, id FROM other_cdc"),
            (Rows{"-1|turso_cdc|2", "2|NULL|NULL"}));
}

// ------------------------------------------------------------ coverage

TEST_F(Cdc, RowidChangeIsDeleteThenInsert) {
  exec("CREATE TABLE t(x INTEGER PRIMARY KEY, y)");
  exec("INSERT INTO t VALUES (1, 1)");
  exec("PRAGMA capture_data_changes_conn('full')");
  exec("UPDATE t SET x = 2 WHERE x = 1");
  Rows want = {"1|1|-1|t|1|{\"x\":1,\"y\":1}|NULL", "2|1|1|t|2|NULL|{\"x\":2,\"y\":1}",
               "3|1|2|NULL|NULL|NULL|NULL"};
  EXPECT_EQ(cdc(), want);
}

TEST_F(Cdc, TriggerChangesAreCaptured) {
  exec("CREATE TABLE t(x INTEGER PRIMARY KEY, y); CREATE TABLE audit(id INTEGER PRIMARY KEY, v)");
  exec("CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO audit(v) VALUES (new.y * 2); END");
  exec("PRAGMA capture_data_changes_conn('after')");
  exec("INSERT INTO t VALUES (1, 21)");
  Rows want = {"1|1|1|t|1|NULL|{\"x\":1,\"y\":21}", "2|1|1|audit|1|NULL|{\"id\":1,\"v\":42}",
               "3|1|2|NULL|NULL|NULL|NULL"};
  EXPECT_EQ(cdc(), want);
}

TEST_F(Cdc, ForeignKeyCascadeIsCaptured) {
  exec("PRAGMA foreign_keys = ON");
  exec(
      "CREATE TABLE p(id INTEGER PRIMARY KEY); CREATE TABLE ch(id INTEGER PRIMARY KEY, "
      "pid REFERENCES p(id) ON DELETE CASCADE)");
  exec("INSERT INTO p VALUES (1); INSERT INTO ch VALUES (10, 1), (11, 1)");
  exec("PRAGMA capture_data_changes_conn('before')");
  exec("DELETE FROM p WHERE id = 1");
  ASSERT_EQ(one(c(), "SELECT count(*) FROM ch"), "0");
  Rows got = rows(c(),
                  "SELECT change_type, table_name, id, bin_record_json_object("
                  "table_columns_json_array(table_name), before) FROM turso_cdc ORDER BY change_id");
  ASSERT_EQ(got.size(), 4u) << ::testing::PrintToString(got);
  // SQLite runs the cascade after deleting the parent row.
  EXPECT_EQ(got[0], "-1|p|1|{\"id\":1}");
  EXPECT_EQ(got[1], "-1|ch|10|{\"id\":10,\"pid\":1}");
  EXPECT_EQ(got[2], "-1|ch|11|{\"id\":11,\"pid\":1}");
  EXPECT_EQ(got[3], "2|NULL|NULL|NULL");
}

TEST_F(Cdc, ForeignKeySetNullAndUpdateCascadeAreCaptured) {
  exec("PRAGMA foreign_keys = ON");
  exec(
      "CREATE TABLE p(id INTEGER PRIMARY KEY, name TEXT UNIQUE); "
      "CREATE TABLE n(id INTEGER PRIMARY KEY, pid REFERENCES p(id) ON DELETE SET NULL); "
      "CREATE TABLE u(id INTEGER PRIMARY KEY, pname REFERENCES p(name) ON UPDATE CASCADE)");
  exec(
      "INSERT INTO p VALUES (1, 'a'), (2, 'b'); INSERT INTO n VALUES (10, 1), (11, 2); "
      "INSERT INTO u VALUES (20, 'b')");
  exec("PRAGMA capture_data_changes_conn('full')");
  exec("DELETE FROM p WHERE id = 1");
  exec("UPDATE p SET name = 'B' WHERE id = 2");
  ASSERT_EQ(one(c(), "SELECT quote(pid) FROM n WHERE id = 10"), "NULL");
  ASSERT_EQ(one(c(), "SELECT pname FROM u WHERE id = 20"), "B");
  Rows got = rows(c(),
                  "SELECT change_type, table_name, id, "
                  "bin_record_json_object(table_columns_json_array(table_name), before), "
                  "bin_record_json_object(table_columns_json_array(table_name), after) "
                  "FROM turso_cdc ORDER BY change_id");
  // Each action runs after the row change of the parent that caused it, in
  // the same transaction (one COMMIT row per statement).
  Rows want = {"-1|p|1|{\"id\":1,\"name\":\"a\"}|NULL",
               "0|n|10|{\"id\":10,\"pid\":1}|{\"id\":10,\"pid\":null}",
               "2|NULL|NULL|NULL|NULL",
               "0|p|2|{\"id\":2,\"name\":\"b\"}|{\"id\":2,\"name\":\"B\"}",
               "0|u|20|{\"id\":20,\"pname\":\"b\"}|{\"id\":20,\"pname\":\"B\"}",
               "2|NULL|NULL|NULL|NULL"};
  EXPECT_EQ(got, want);
}

TEST_F(Cdc, ReplaceConflictDeletesAreCaptured) {
  exec("CREATE TABLE t(x INTEGER PRIMARY KEY, y UNIQUE)");
  exec("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
  exec("PRAGMA capture_data_changes_conn('full')");
  exec("INSERT OR REPLACE INTO t VALUES (3, 'a')");  // deletes row 1 (UNIQUE y)
  exec("REPLACE INTO t VALUES (2, 'c')");            // replaces row 2 (same rowid)
  Rows want = {
      "1|1|-1|t|1|{\"x\":1,\"y\":\"a\"}|NULL",
      "2|1|1|t|3|NULL|{\"x\":3,\"y\":\"a\"}",
      "3|1|2|NULL|NULL|NULL|NULL",
      "4|4|-1|t|2|{\"x\":2,\"y\":\"b\"}|NULL",
      "5|4|1|t|2|NULL|{\"x\":2,\"y\":\"c\"}",
      "6|4|2|NULL|NULL|NULL|NULL",
  };
  EXPECT_EQ(cdc(), want);
}

TEST_F(Cdc, UpsertIsAnUpdate) {
  exec("CREATE TABLE kv(k TEXT PRIMARY KEY, v INTEGER)");
  exec("INSERT INTO kv VALUES ('a', 1)");
  exec("PRAGMA capture_data_changes_conn('full')");
  exec("INSERT INTO kv VALUES ('a', 5), ('b', 7) ON CONFLICT(k) DO UPDATE SET v = v + excluded.v");
  Rows want = {
      "1|1|0|kv|1|{\"k\":\"a\",\"v\":1}|{\"k\":\"a\",\"v\":6}",
      "2|1|1|kv|2|NULL|{\"k\":\"b\",\"v\":7}",
      "3|1|2|NULL|NULL|NULL|NULL",
  };
  EXPECT_EQ(cdc(), want);
  EXPECT_EQ(one(c(),
                "SELECT bin_record_json_object('[\"k?\",\"v?\",\"k\",\"v\"]', updates) FROM turso_cdc "
                "WHERE change_id = 1"),
            "{\"k?\":0,\"v?\":1,\"k\":null,\"v\":6}");
}

TEST_F(Cdc, UpdateFromIsCaptured) {
  exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v); CREATE TABLE s(id INTEGER PRIMARY KEY, nv)");
  exec("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c'); INSERT INTO s VALUES (1, 'x'), (3, 'z')");
  exec("PRAGMA capture_data_changes_conn('full')");
  exec("UPDATE t SET v = s.nv FROM s WHERE s.id = t.id");
  Rows want = {
      "1|1|0|t|1|{\"id\":1,\"v\":\"a\"}|{\"id\":1,\"v\":\"x\"}",
      "2|1|0|t|3|{\"id\":3,\"v\":\"c\"}|{\"id\":3,\"v\":\"z\"}",
      "3|1|2|NULL|NULL|NULL|NULL",
  };
  EXPECT_EQ(cdc(), want);
}

TEST_F(Cdc, DeleteOfAllRowsIsRowByRow) {
  exec("CREATE TABLE t(x INTEGER PRIMARY KEY, y)");
  exec("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  exec("PRAGMA capture_data_changes_conn('before')");
  exec("DELETE FROM t");
  Rows want = {
      "1|1|-1|t|1|{\"x\":1,\"y\":\"a\"}|NULL",
      "2|1|-1|t|2|{\"x\":2,\"y\":\"b\"}|NULL",
      "3|1|-1|t|3|{\"x\":3,\"y\":\"c\"}|NULL",
      "4|1|2|NULL|NULL|NULL|NULL",
  };
  EXPECT_EQ(cdc(), want);
}

TEST_F(Cdc, DdlIsRecordedAsSqliteSchemaChanges) {
  exec("PRAGMA capture_data_changes_conn('full')");
  exec("CREATE TABLE t(x, y)");
  exec("CREATE INDEX ti ON t(y)");
  exec("ALTER TABLE t ADD COLUMN z DEFAULT 7");
  exec("DROP INDEX ti");
  exec("DROP TABLE t");
  Rows got = rows(c(),
                  "SELECT change_type, table_name, "
                  "json_extract(bin_record_json_object(table_columns_json_array('sqlite_schema'), before), "
                  "'$.name', '$.sql'), "
                  "json_extract(bin_record_json_object(table_columns_json_array('sqlite_schema'), after), "
                  "'$.type', '$.name', '$.sql') FROM turso_cdc WHERE change_type <> 2 ORDER BY change_id");
  Rows want = {
      "1|sqlite_schema|NULL|[\"table\",\"t\",\"CREATE TABLE t(x, y)\"]",
      "1|sqlite_schema|NULL|[\"index\",\"ti\",\"CREATE INDEX ti ON t(y)\"]",
      "0|sqlite_schema|[\"t\",\"CREATE TABLE t(x, y)\"]|[\"table\",\"t\",\"CREATE TABLE t(x, y, z DEFAULT "
      "7)\"]",
      "-1|sqlite_schema|[\"ti\",\"CREATE INDEX ti ON t(y)\"]|NULL",
      "-1|sqlite_schema|[\"t\",\"CREATE TABLE t(x, y, z DEFAULT 7)\"]|NULL",
  };
  EXPECT_EQ(got, want);
  EXPECT_EQ(one(c(), "SELECT count(*) FROM turso_cdc WHERE change_type = 2"), "5");
  // The ALTER's updates record flags only the sql column.
  EXPECT_EQ(one(c(),
                "SELECT bin_record_json_object('[\"t\",\"n\",\"tn\",\"r\",\"s\",\"T\",\"N\",\"TN\",\"R\","
                "\"S\"]', updates) FROM turso_cdc WHERE change_type = 0"),
            "{\"t\":0,\"n\":0,\"tn\":0,\"r\":0,\"s\":1,\"T\":null,\"N\":null,\"TN\":null,\"R\":null,"
            "\"S\":\"CREATE TABLE t(x, y, z DEFAULT 7)\"}");
}

TEST_F(Cdc, RowsOlderThanAddColumnGetTheDefault) {
  exec("CREATE TABLE t(id INTEGER PRIMARY KEY, a)");
  exec("INSERT INTO t VALUES (1, 'x')");
  exec("ALTER TABLE t ADD COLUMN b DEFAULT 7");
  exec("PRAGMA capture_data_changes_conn('full')");
  exec("UPDATE t SET a = 'y'");
  EXPECT_EQ(cdc()[0], "1|1|0|t|1|{\"id\":1,\"a\":\"x\",\"b\":7}|{\"id\":1,\"a\":\"y\",\"b\":7}");
  // A change of shape in the same transaction is seen by the next change.
  exec("BEGIN; ALTER TABLE t ADD COLUMN c DEFAULT 'q'; UPDATE t SET a = 'z'; COMMIT");
  EXPECT_EQ(one(c(),
                "SELECT bin_record_json_object(table_columns_json_array('t'), before) FROM turso_cdc "
                "WHERE table_name = 't' ORDER BY change_id DESC LIMIT 1"),
            "{\"id\":1,\"a\":\"y\",\"b\":7,\"c\":\"q\"}");
}

TEST_F(Cdc, TurnedOffNothingIsWritten) {
  exec("CREATE TABLE t(x)");
  exec("PRAGMA capture_data_changes_conn('id')");
  exec("INSERT INTO t VALUES (1)");
  exec("PRAGMA capture_data_changes_conn('off')");
  exec("INSERT INTO t VALUES (2)");
  EXPECT_EQ(rows(c(), "SELECT change_type, id FROM turso_cdc"), (Rows{"1|1", "2|NULL"}));
}

TEST_F(Cdc, PreexistingV1TableKeepsItsLayout) {
  exec("CREATE TABLE t(x INTEGER PRIMARY KEY)");
  exec(
      "CREATE TABLE turso_cdc (change_id INTEGER PRIMARY KEY AUTOINCREMENT, change_time INTEGER, "
      "change_type INTEGER, table_name TEXT, id, before BLOB, after BLOB, updates BLOB)");
  exec("PRAGMA capture_data_changes_conn('id')");
  EXPECT_EQ(one(c(), "PRAGMA capture_data_changes_conn"), "id|turso_cdc|v1");
  exec("BEGIN; INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); COMMIT");
  EXPECT_EQ(rows(c(), "SELECT change_id, change_type, table_name, id FROM turso_cdc"),
            (Rows{"1|1|t|1", "2|1|t|2"}));
}

// ------------------------------------------------------------ functions

TEST_F(Cdc, HelperFunctions) {
  exec("CREATE TABLE t(a INTEGER PRIMARY KEY, b, \"c d\" UNIQUE)");
  EXPECT_EQ(one(c(), "SELECT table_columns_json_array('t')"), "[\"a\",\"b\",\"c d\"]");
  EXPECT_EQ(one(c(), "SELECT table_columns_json_array('sqlite_schema')"),
            "[\"type\",\"name\",\"tbl_name\",\"rootpage\",\"sql\"]");
  EXPECT_EQ(one(c(), "SELECT table_columns_json_array('nope')"), "error: no such table: nope");
  // A record of NULL, 1, 1.61803, 'hello' (as Turso's own test).
  EXPECT_EQ(one(c(),
                "SELECT bin_record_json_object('[\"a\",\"b\",\"c\",\"d\"]', "
                "x'0500090717"
                "3FF9E3736CDF266C"
                "68656C6C6F')"),
            "{\"a\":null,\"b\":1,\"c\":1.61803,\"d\":\"hello\"}");
  EXPECT_EQ(one(c(), "SELECT bin_record_json_object('[\"a\"]', x'05')"), "error: malformed record header");
  EXPECT_EQ(one(c(), "SELECT bin_record_json_object('[\"a\"]', x'0217')"),
            "error: record field extends past its end");
  EXPECT_EQ(one(c(), "SELECT bin_record_json_object('not json', x'0100')"),
            "error: columns must be a JSON array of column names");
  EXPECT_EQ(one(c(), "SELECT bin_record_json_object('[\"a\"]', NULL)"), "NULL");
  // Reals as Turso writes them; a missing field is left out.
  EXPECT_EQ(one(c(),
                "SELECT bin_record_json_object('[\"a\",\"b\",\"c\",\"d\"]', x'04070707' || "
                "x'4000000000000000' || x'3FB999999999999A' || x'54B249AD2594C37D')"),
            "{\"a\":2.0,\"b\":0.1,\"c\":1.0e+100}");
  EXPECT_EQ(one(c(), "SELECT is_autocommit()"), "1");
  exec("BEGIN");
  EXPECT_EQ(one(c(), "SELECT is_autocommit()"), "0");
  exec("COMMIT");
  EXPECT_EQ(one(c(), "SELECT is_autocommit()"), "1");
}

TEST_F(Cdc, CdcJsonObjectGivesOneDocumentPerChange) {
  exec("CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT, age INTEGER)");
  exec("PRAGMA capture_data_changes_conn('full')");
  exec("INSERT INTO users VALUES (101, 'alice', 30)");
  exec("UPDATE users SET name = 'bob', age = 31 WHERE id = 101");
  exec("DELETE FROM users WHERE id = 101");
  Rows want = {
      "{\"table\":\"users\",\"op\":\"insert\",\"before\":null,\"after\":{\"id\":101,\"name\":\"alice\","
      "\"age\":30}}",
      "{\"table\":\"users\",\"op\":\"update\",\"before\":{\"id\":101,\"name\":\"alice\",\"age\":30},"
      "\"after\":{\"id\":101,\"name\":\"bob\",\"age\":31}}",
      "{\"table\":\"users\",\"op\":\"delete\",\"before\":{\"id\":101,\"name\":\"bob\",\"age\":31},"
      "\"after\":null}",
  };
  EXPECT_EQ(rows(c(),
                 "SELECT cdc_json_object(table_name, before, after) FROM turso_cdc "
                 "WHERE change_type <> 2 ORDER BY change_id"),
            want);
  EXPECT_EQ(one(c(),
                "SELECT json_valid(cdc_json_object(table_name, before, after)) FROM turso_cdc "
                "WHERE change_id = 1"),
            "1");
}

// ------------------------------------------------------------ loading

TEST(CdcModule, DefaultOnAndSwitchedOff) {
  auto on = keel::Database::open(":memory:", keel::cdc_test::module_options());
  ASSERT_TRUE(on.ok());
  EXPECT_TRUE((*on)->has_feature("cdc"));
  auto c = (*on)->connect();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(one(*c, "PRAGMA capture_data_changes_conn"), "off|NULL|NULL");

  keel::Options o = keel::cdc_test::module_options();
  o.experimental = {"-cdc"};
  auto off = keel::Database::open(":memory:", o);
  ASSERT_TRUE(off.ok());
  auto c2 = (*off)->connect();
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ(one(*c2, "SELECT is_autocommit()"), "error: no such function: is_autocommit");
  // Unknown pragmas are silent no-ops, as in SQLite: nothing is created.
  EXPECT_TRUE(
      c2->exec("PRAGMA capture_data_changes_conn('full'); CREATE TABLE t(x); INSERT INTO t VALUES (1)").ok());
  EXPECT_EQ(one(*c2, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'turso%'"), "0");

  // Loaded by name as well.
  keel::Options named = keel::cdc_test::module_options();
  named.experimental = {"-cdc"};
  named.modules = {"cdc"};
  auto by_name = keel::Database::open(":memory:", named);
  ASSERT_TRUE(by_name.ok()) << by_name.status().message();
  auto c3 = (*by_name)->connect();
  ASSERT_TRUE(c3.ok());
  EXPECT_EQ(one(*c3, "SELECT is_autocommit()"), "1");
}

// ------------------------------------------------------------ database-wide

TEST(CdcDatabaseWide, EveryConnectionAndEveryLaterOpenCaptures) {
  std::string path = keel::cdc_test::temp_path("dbwide");
  {
    auto db = keel::Database::open(path, keel::cdc_test::module_options());
    ASSERT_TRUE(db.ok()) << db.status().message();
    auto a = (*db)->connect();
    auto b = (*db)->connect();
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_TRUE(a->exec("CREATE TABLE t(x INTEGER PRIMARY KEY, y)").ok());
    EXPECT_EQ(one(*a, "PRAGMA capture_data_changes"), "off|NULL|NULL");
    // b reads the schema now, before a turns capture on.
    ASSERT_TRUE(b->exec("INSERT INTO t VALUES (1, 'before')").ok());
    ASSERT_TRUE(a->exec("PRAGMA capture_data_changes('after')").ok());
    EXPECT_EQ(one(*a, "PRAGMA capture_data_changes"), "after|turso_cdc|v2");
    EXPECT_EQ(one(*b, "PRAGMA capture_data_changes_conn"), "after|turso_cdc|v2");
    ASSERT_TRUE(a->exec("INSERT INTO t VALUES (2, 'a')").ok());
    ASSERT_TRUE(b->exec("INSERT INTO t VALUES (3, 'b')").ok());
    // A connection may opt out for itself.
    ASSERT_TRUE(
        b->exec("PRAGMA capture_data_changes_conn('off'); INSERT INTO t VALUES (4, 'not captured')").ok());
    EXPECT_EQ(rows(*a,
                   "SELECT change_type, id, bin_record_json_object(table_columns_json_array('t'), after) "
                   "FROM turso_cdc ORDER BY change_id"),
              (Rows{"1|2|{\"x\":2,\"y\":\"a\"}", "2|NULL|NULL", "1|3|{\"x\":3,\"y\":\"b\"}", "2|NULL|NULL"}));
  }
  {
    auto db = keel::Database::open(path, keel::cdc_test::module_options());
    ASSERT_TRUE(db.ok());
    auto c = db->get()->connect();
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->exec("UPDATE t SET y = 'later' WHERE x = 1").ok());
    EXPECT_EQ(one(*c,
                  "SELECT change_type, id, bin_record_json_object(table_columns_json_array('t'), after) "
                  "FROM turso_cdc WHERE change_type = 0"),
              "0|1|{\"x\":1,\"y\":\"later\"}");
    // Turned off for the database: later connections stop capturing.
    ASSERT_TRUE(c->exec("PRAGMA capture_data_changes('off')").ok());
    ASSERT_TRUE(c->exec("INSERT INTO t VALUES (5, 'off')").ok());
    EXPECT_EQ(one(*c, "SELECT count(*) FROM turso_cdc WHERE id = 5"), "0");
    EXPECT_EQ(one(*c, "PRAGMA capture_data_changes"), "off|NULL|NULL");
  }
  {
    // Without the module the file is an ordinary SQLite database.
    keel::Options o = keel::cdc_test::module_options();
    o.experimental = {"-cdc"};
    auto db = keel::Database::open(path, o);
    ASSERT_TRUE(db.ok());
    auto c = db->get()->connect();
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(one(*c, "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(one(*c, "SELECT count(*) FROM t"), "5");
  }
  {
    // And stock sqlite3 reads it, CDC rows included.
    FILE* p = popen(("sqlite3 -batch '" + path +
                     "' 'PRAGMA integrity_check; SELECT count(*), sum(change_type = 2) FROM turso_cdc;' 2>&1")
                        .c_str(),
                    "r");
    ASSERT_NE(p, nullptr);
    std::string out;
    char buf[256];
    while (fgets(buf, sizeof buf, p)) out += buf;
    int rc = pclose(p);
    if (rc != 0 && out.find("not found") != std::string::npos) GTEST_SKIP() << "sqlite3 is not installed";
    EXPECT_EQ(out, "ok\n6|3\n");
  }
  keel::cdc_test::remove_db(path);
}

}  // namespace

namespace {

TEST_F(Cdc, DroppedCdcTableIsCreatedAgain) {
  exec("CREATE TABLE t(x INTEGER PRIMARY KEY)");
  exec("PRAGMA capture_data_changes_conn('id')");
  exec("INSERT INTO t VALUES (1)");
  exec("DROP TABLE turso_cdc");
  exec("INSERT INTO t VALUES (2)");
  EXPECT_EQ(rows(c(), "SELECT change_type, table_name, id FROM turso_cdc ORDER BY change_id"),
            (Rows{"1|t|2", "2|NULL|NULL"}));
  EXPECT_EQ(one(c(), "PRAGMA integrity_check"), "ok");
}

TEST_F(Cdc, TempTablesAreCaptured) {
  exec("CREATE TEMP TABLE tt(x INTEGER PRIMARY KEY, y)");
  exec("PRAGMA capture_data_changes_conn('after')");
  exec("INSERT INTO tt VALUES (4, 'temp')");
  EXPECT_EQ(one(c(), "SELECT change_type, table_name, id, hex(after) FROM turso_cdc WHERE change_type = 1"),
            "1|tt|4|0301150474656D70");
}

}  // namespace

namespace {

TEST_F(Cdc, DropOfAnAutoincrementTableIsOneSchemaDelete) {
  exec("CREATE TABLE a(id INTEGER PRIMARY KEY AUTOINCREMENT, v)");
  exec("INSERT INTO a(v) VALUES (1)");
  exec("PRAGMA capture_data_changes_conn('before')");
  exec("DROP TABLE a");
  EXPECT_EQ(rows(c(),
                 "SELECT change_type, table_name, json_extract(bin_record_json_object("
                 "table_columns_json_array('sqlite_schema'), before), '$.name') FROM turso_cdc"),
            (Rows{"-1|sqlite_schema|a", "2|NULL|NULL"}));
}

}  // namespace

namespace {

TEST_F(Cdc, ManyRowsOfOneStatementAreWrittenInOrder) {
  exec("CREATE TABLE t(x INTEGER PRIMARY KEY, y)");
  exec("PRAGMA capture_data_changes_conn('after')");
  exec(
      "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 43) "
      "INSERT INTO t SELECT i, i * i FROM s");
  EXPECT_EQ(one(c(),
                "SELECT count(*), min(change_id), max(change_id), count(DISTINCT change_txn_id), "
                "sum(change_id = id), sum(json_extract(bin_record_json_object(table_columns_json_array('t'), "
                "after), '$.y') = id * id) FROM turso_cdc WHERE change_type = 1"),
            "43|1|43|1|43|43");
  EXPECT_EQ(one(c(), "SELECT change_id, change_txn_id FROM turso_cdc WHERE change_type = 2"), "44|1");
  exec("DELETE FROM t WHERE x > 20");
  EXPECT_EQ(one(c(),
                "SELECT count(*), min(change_id), max(change_id), min(change_txn_id), max(change_txn_id) "
                "FROM turso_cdc WHERE change_type = -1"),
            "23|45|67|45|45");
}

}  // namespace

// Rows are kept in memory between statements and written in batches; a
// statement that reads the CDC table (or sqlite_sequence) sees every row
// of the statements before it, and savepoints keep their meaning.
TEST_F(Cdc, BatchedRowsAreVisibleToTheTransactionAndFollowSavepoints) {
  exec("CREATE TABLE t(x INTEGER PRIMARY KEY, y)");
  exec("PRAGMA capture_data_changes_conn('full')");
  exec("BEGIN");
  exec("INSERT INTO t VALUES (1, 'a')");
  exec("UPDATE t SET y = 'b' WHERE x = 1");
  EXPECT_EQ(rows(c(), "SELECT change_type, id FROM turso_cdc ORDER BY change_id"), (Rows{"1|1", "0|1"}));
  exec("INSERT INTO t VALUES (2, 'c')");
  EXPECT_EQ(rows(c(), "SELECT seq FROM sqlite_sequence WHERE name = 'turso_cdc'"), (Rows{"3"}));
  exec("SAVEPOINT s1");
  exec("INSERT INTO t VALUES (3, 'd')");
  exec("SAVEPOINT s2");
  exec("DELETE FROM t WHERE x = 1");
  exec("ROLLBACK TO s2");
  exec("INSERT INTO t VALUES (4, 'e')");
  exec("ROLLBACK TO s1");
  exec("INSERT INTO t VALUES (5, 'f')");
  EXPECT_FALSE(c().exec("INSERT INTO t VALUES (6, 'g'), (5, 'dup')").ok());
  exec("COMMIT");
  EXPECT_EQ(rows(c(), "SELECT change_type, id FROM turso_cdc ORDER BY change_id"),
            (Rows{"1|1", "0|1", "1|2", "1|5", "2|NULL"}));
  // More rows than one batch, then a read inside the transaction.
  exec("DELETE FROM turso_cdc");
  exec("BEGIN");
  for (int i = 10; i < 210; i++) exec("INSERT INTO t VALUES (" + std::to_string(i) + ", 'z')");
  EXPECT_EQ(rows(c(), "SELECT count(*), min(id), max(id) FROM turso_cdc"), (Rows{"200|10|209"}));
  exec("COMMIT");
  EXPECT_EQ(rows(c(), "SELECT count(*) FROM turso_cdc WHERE change_type = 2"), (Rows{"1"}));
}
