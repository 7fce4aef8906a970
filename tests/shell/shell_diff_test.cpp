// Differential tests: the same script through the sqlite3 CLI (3.40) and
// through keel must print the same bytes on stdout and stderr and exit with
// the same status. Each case runs both shells in the same scratch directory
// (reset in between), so file names in the output agree.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "shell_runner.h"

namespace keel::shell_test {
namespace {

// A table with the awkward values: NULL, quotes, separators, a newline,
// UTF-8, blobs (with a NUL byte), reals needing 17 digits, big integers.
const char* kData = R"(CREATE TABLE t(a INTEGER, b TEXT, c REAL, d BLOB);
INSERT INTO t VALUES(1,'hello',1.5,x'00ff'),(NULL,'a"b,c',0.1,NULL),(-42,'line
two',1e100,x''),(3,'',2.0,'x'),(9223372036854775807,'it''s é',-0.0,x'41');
)";

struct Case {
  std::string name;
  std::vector<std::string> args;
  std::string script;
  std::map<std::string, std::string> files = {};
};

std::string mode_script(const std::string& mode) {
  return std::string(kData) + ".headers on\n.mode " + mode +
         "\nSELECT * FROM t;\nSELECT 1 AS x WHERE 0;\nSELECT 'é' AS u, 12345678901 AS big, 1e999, -1e999, "
         "'tab\there' AS w;\n"
         ".headers off\nSELECT * FROM t;\nSELECT a, b FROM t ORDER BY a;\n";
}

std::vector<Case> cases() {
  std::vector<Case> c;
  for (const char* m : {"list", "csv", "tabs", "line", "quote", "column", "box", "table", "markdown", "json",
                        "insert", "html", "ascii", "tcl"}) {
    c.push_back({std::string("mode_") + m, {}, mode_script(m)});
  }
  c.push_back({"mode_insert_named_table",
               {},
               std::string(kData) + ".mode insert \"my tab\"\nSELECT * FROM t;\n.headers on\n.mode insert "
                                    "select\nSELECT a AS \"x y\", b AS \"from\" FROM t;\n"});
  c.push_back({"mode_count_and_off",
               {},
               std::string(kData) + ".mode count\nSELECT * FROM t;\n.mode off\nSELECT * FROM t;\n"});
  c.push_back({"columnar_options",
               {},
               std::string(kData) +
                   ".mode column --wrap 5 --ww\nSELECT 'hello world this is long', 2, 'abcdefghijklmnop';\n"
                   ".mode\n.mode box --wrap 8\nSELECT 'hello world this is long' AS a, b FROM t;\n"
                   ".mode qbox\nSELECT * FROM t;\n.mode table --quote\nSELECT * FROM t;\n"
                   ".mode markdown --noquote --wordwrap on --wrap 4\nSELECT 'ab cd ef gh' AS x;\n"});
  c.push_back({"width",
               {},
               std::string(kData) + ".mode column\n.width 3 -8 0 2\nSELECT * FROM t;\n.headers off\nSELECT * "
                                    "FROM t;\n.width\n.show\n"});
  c.push_back({"column_headers_rule",
               {},
               ".headers off\n.mode column\nSELECT 2 AS two;\n.headers on\nSELECT 1 AS a, 'xyz' AS b;\n"});
  c.push_back(
      {"settings",
       {},
       ".show\n.print hello \"world x\" 'a\\tb' c\\td\n.nullvalue NULL\n.separator ; ~\nSELECT 1, null;\n"
       ".separator \"\\t\"\nSELECT 1, null;\n.mode\n.mode csv\n.show\n.mode tabs\n.show\n.mode lines\n.mode\n"
       ".headers yes\n.show\n.headers 0\n.show\n.headers maybe\n.separator\n.nullvalue\n.headers\n.mode "
       "nope\n"
       ".bogus\n.echo\n.bail\n.changes\n.timer\n"});
  c.push_back(
      {"schema_commands",
       {},
       std::string(kData) +
           "CREATE TABLE \"my table\"(\"col 1\", [select]);\nCREATE INDEX ti ON t(b);\nCREATE UNIQUE INDEX "
           "tu ON t(a);\nCREATE VIEW v AS SELECT a, b AS \"b b\" FROM t;\nCREATE TRIGGER tr AFTER INSERT ON "
           "t "
           "BEGIN SELECT 1; END;\nCREATE TABLE au(id INTEGER PRIMARY KEY AUTOINCREMENT, x);\n"
           "CREATE TEMP TABLE tt(x);\nCREATE INDEX ttx ON tt(x);\n"
           ".tables\n.tables t%\n.tables nope\n.indexes\n.indexes t\n.indexes nope\n.schema\n.schema "
           "t\n.schema "
           "my%\n.schema --nosys\n.schema nope\n.schema sqlite_schema\n.databases\n"});
  c.push_back({"many_tables_layout",
               {},
               "CREATE TABLE a(x);CREATE TABLE bb(x);CREATE TABLE ccc(x);CREATE TABLE dddd(x);CREATE TABLE "
               "eeeee(x);CREATE TABLE a_rather_long_table_name_here(x);CREATE TABLE f(x);CREATE TABLE g(x);"
               "CREATE TABLE h(x);CREATE TABLE i(x);CREATE TABLE j(x);\n.tables\n"});
  c.push_back(
      {"dump",
       {},
       std::string(kData) +
           "CREATE TABLE \"my table\"(\"col 1\", [select]);\nINSERT INTO \"my table\" VALUES(1,2);\n"
           "CREATE INDEX ti ON t(b);\nCREATE VIEW v AS SELECT a FROM t;\nCREATE TRIGGER tr AFTER INSERT ON t "
           "BEGIN SELECT 1; END;\nCREATE TABLE au(id INTEGER PRIMARY KEY AUTOINCREMENT, x);\nINSERT INTO "
           "au(x) VALUES(5),(6);\nCREATE TABLE wr(k PRIMARY KEY, v) WITHOUT ROWID;\nINSERT INTO wr "
           "VALUES('a',1);\nCREATE TABLE nl(x);\nINSERT INTO nl VALUES('a\r\nb'),('\\n' || char(10));\n"
           ".dump\n.dump t\n.dump my%\n.dump --data-only\n.dump --nosys au\n.dump --newlines nl\n"
           ".dump --preserve-rowids t\n.dump --bogus\n"});
  c.push_back(
      {"errors_continue",
       {},
       "SELECT * FROM nope;\nSELECT 1 +;\nSELECT\n  1 +;\nCREATE TABLE t(a UNIQUE);\nINSERT INTO t "
       "VALUES(1);\nINSERT INTO t VALUES(1);\nSELECT abs(-9223372036854775808);\nSELECT 2;\nSELECT 3"});
  c.push_back({"bail", {}, "SELECT 1;\n.bail on\nSELECT abs(-9223372036854775808);\nSELECT 2;\n"});
  c.push_back({"bail_option", {"-bail"}, "SELECT 1;\nSELECT 1 +;\nSELECT 2;\n"});
  c.push_back({"bail_dot_command", {"-bail"}, "SELECT 1;\n.bogus\nSELECT 2;\n"});
  c.push_back(
      {"terminators_and_comments",
       {},
       "-- a comment\n/* block */\nSELECT 1\n/\nSELECT 2\ngo\n# hash comment\nSELECT 3; -- trailing\n"
       "CREATE TABLE t(x);\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  SELECT 1;\n  SELECT 2;\nEND;\n"
       "INSERT INTO t VALUES(1);\nSELECT count(*) FROM t;\n   \n\n"});
  c.push_back(
      {"echo_and_changes",
       {},
       "CREATE TABLE t(x);\n.echo on\nSELECT 1;\n  SELECT 2;   SELECT 3;\n-- c\n\n.print p\n.echo off\n"
       ".changes on\nINSERT INTO t VALUES(1),(2);\nUPDATE t SET x = 3;\nSELECT * FROM t;\n.changes off\n"
       "DELETE FROM t;\n"});
  c.push_back({"echo_option", {"-echo"}, "SELECT 1;\n.mode csv\nSELECT 2, 3;\n"});
  c.push_back(
      {"output_once_read",
       {},
       "CREATE TABLE t(a, b);\nINSERT INTO t VALUES(1,'x'),(2,'y');\n.output out1.txt\nSELECT * FROM t;\n"
       ".output\nSELECT 'back';\n.once out2.txt\nSELECT 'once';\nSELECT 'after';\n.read out1.txt\n"
       ".read script.sql\n.read nonexist.sql\n.once\nSELECT 'once to stdout';\n.print done\n",
       {{"script.sql", "SELECT 'from script';\nSELECT bad(;\nSELECT 'after bad';\n"}}});
  c.push_back(
      {"backup_restore",
       {},
       "CREATE TABLE t(a, b);\nINSERT INTO t VALUES(1,'x'),(2,'y');\n.backup bk.db\n.save bk2.db\n"
       "DELETE FROM t;\n.restore bk.db\nSELECT * FROM t;\n.backup\n.restore\n.restore nosuchdir/x.db\n"
       ".open bk2.db\nSELECT * FROM t;\n.open --new bk2.db\n.tables\n.databases\n"});
  c.push_back(
      {"open_readonly",
       {},
       "CREATE TABLE t(x);\n.backup ro.db\n.open --readonly ro.db\n.databases\nINSERT INTO t VALUES(1);\n"
       "SELECT count(*) FROM t;\n"});
  std::string csv = "a,b,a\n1,x y,3\n\"q\"\"t\",,\n4\n5,6,7,8\n\"multi\nline\",2,3\r\n";
  c.push_back({"import",
               {},
               ".import --csv data.csv t\n.schema\n.mode quote\nSELECT * FROM t;\n.import --csv data.csv t\n"
               "SELECT count(*) FROM t;\n.import data.csv t2\n.mode list\nSELECT * FROM t2;\n"
               ".mode csv\n.import data.csv t3\n.mode list\nSELECT * FROM t3;\n.import --csv nonexist.csv x\n"
               ".import\n.import --skip 1 --csv data.csv t4\n.schema t4\nSELECT * FROM t4;\n"
               ".import -v --csv data.csv t5\n.import --ascii data.txt t6\nSELECT * FROM t6;\n"
               ".import --csv empty.csv t7\n",
               {{"data.csv", csv},
                {"data.txt",
                 "a\x1f"
                 "b\x1e"
                 "1\x1f"
                 "2\x1e"},
                {"empty.csv", ""}}});
  c.push_back({"nullvalue_per_mode",
               {},
               ".nullvalue NIL\nCREATE TABLE t(a, b);\nINSERT INTO t VALUES(NULL, 'x');\n"
               ".mode csv\nSELECT * FROM t;\n.mode quote\nSELECT * FROM t;\n.mode json\nSELECT * FROM t;\n"
               ".mode line\nSELECT * FROM t;\n.mode html\nSELECT * FROM t;\n.mode box\nSELECT * FROM t;\n"
               ".mode insert\nSELECT * FROM t;\n.mode tcl\nSELECT * FROM t;\n"});
  c.push_back({"awkward_names",
               {},
               ".headers on\nSELECT 1 AS \"<a&b>\", 2 AS \"a long column name here\", 'x' AS \"\";\n"
               ".mode html\nSELECT 1 AS \"<a&b>\", '\"q''s\"' AS v;\n.mode line\n"
               "SELECT 1 AS \"a long column name here\", 2 AS b;\n.mode box\n.width -6 3\n"
               "SELECT '日本語' AS j, 'ab' AS k, 'xyzxyz' AS l;\n.mode json\nSELECT 1 AS \"q\"\"\\\";\n"});
  c.push_back({"print_and_prompt", {}, ".print\n.print one\n.prompt a b\n.print two  three\n"});
  c.push_back({"empty_database_dump", {}, ".dump\n.tables\n.schema\n.indexes\n"});
  c.push_back({"init_file",
               {"-init", "init.sql", ":memory:"},
               "SELECT 'main';\n",
               {{"init.sql", ".mode csv\nSELECT 'init', NULL;\n"}}});
  c.push_back({"init_file_missing", {"-init", "nonexist.sql", ":memory:"}, "SELECT 'main';\n"});
  c.push_back(
      {"schema_indent",
       {},
       "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT NOT NULL DEFAULT 'x', c REAL CHECK(c > 0), d BLOB, "
       "e);\nCREATE TABLE short(x);\nCREATE TABLE \"long one\"(alpha INTEGER, beta TEXT, gamma REAL, "
       "delta BLOB, epsilon, zeta -- comment here\n, eta DEFAULT (1+2),   FOREIGN KEY(alpha) REFERENCES "
       "t(a));\nCREATE INDEX ti ON t(b, c DESC, d, e, a, b COLLATE nocase, c, d, e, a, b, c, d, e);\n"
       "CREATE VIEW v AS SELECT a, b, c, a+1, b||'x', c*2 FROM t WHERE a > 0 AND b IS NOT NULL AND c < 5;\n"
       "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, "
       "16, 17, 18, 19; END;\n.schema --indent\n.schema --indent short\n"});
  c.push_back({"parameters_and_eqp",
               {},
               ".parameter set $a 5\n.parameter set :b 'text'\n.parameter set @c hello world\n"
               ".parameter set @c \"hello world\"\n.parameter set ?3 2.5\n.parameter set :x x'00ff'\n"
               ".parameter list\nSELECT $a, :b, @c, ?3, :missing, typeof(:x);\n.parameter unset :b\n"
               ".parameter list\nSELECT $a, :b;\n.parameter clear\n.parameter list\nSELECT $a;\n.parameter\n"
               "CREATE TABLE t(a,b);\n.eqp on\nSELECT * FROM t;\n.show\n.eqp off\nSELECT 1;\n"});
  c.push_back(
      {"fullschema_and_limit",
       {},
       "CREATE TABLE t(a,b);\nCREATE INDEX ti ON t(a);\nCREATE VIEW v AS SELECT * FROM t;\nCREATE TEMP "
       "TABLE tt(x);\nCREATE TABLE \"q t\"(alpha INTEGER, beta TEXT, gamma REAL, delta BLOB, epsilon, "
       "zeta, eta, theta);\n.fullschema\n.fullschema --indent\n.fullschema x\n.limit len\n.limit sql 5000\n"
       ".limit expr\n.limit v 10\n.limit xx\n.limit a b c\n"});
  c.push_back({"cd_system_timeout",
               {},
               ".cd sub\n.read inner.sql\n.cd nowhere\n.cd\n.system echo from system\n.shell printf '%s\\n' "
               "two words\n.system\n.timeout 100\n.timeout\nSELECT 'end';\n",
               {{"sub/inner.sql", "SELECT 'inside';\n.print printed\n"}}});
  c.push_back(
      {"empty_statements",
       {},
       ".changes on\n.echo on\nSELECT 1;\ngo\n/\n ; ;\n;\n-- x ;\nSELECT 2;\n/* a */ ;\nSELECT 3\n;\n"});
  c.push_back({"import_header_names",
               {},
               ".import --csv wide.csv w\n.schema w\n.import --csv blank.csv b\n.schema b\n.mode quote\n"
               "SELECT * FROM b;\n",
               {{"wide.csv", "c0,c1,c2,c3,c4,c5,c6,c7,c8,c9,c10\n1,2,3,4,5,6,7,8,9,10,11\n"},
                {"blank.csv", ",x,,X,x\n1,2,3,4,5\n"}}});
  c.push_back(
      {"argument_escapes",
       {},
       ".print \"x\\\"y\" 'd e' x\\y \\q \\101 \"a\\tb\" \"nul\\0cut\" end\n"
       ".separator \\q \\n extra\nSELECT 1, NULL;\n.separator 12345678901234567890123 ;\nSELECT 1, 2;\n"
       ".nullvalue abcdefghijklmnopqrstuvwxyz\nSELECT NULL;\n.once o.txt\n.headers\nSELECT 'after';\n"});
  c.push_back({"trace",
               {},
               "CREATE TABLE t(a);\n.trace stdout\nINSERT INTO t VALUES(1);\nSELECT * FROM t;;\n"
               "SELECT 1; SELECT 2;\n.trace off\nSELECT 3;\n.trace --bogus\n.trace trace.txt --close\n"
               "SELECT 4;\n.trace stderr\nSELECT 5;\n.trace off\n.read trace.txt\n"});
  c.push_back({"quit_inside_read",
               {},
               ".read quits.sql\nSELECT 'after quit';\n.read exits.sql\nSELECT 'not reached';\n",
               {{"quits.sql", "SELECT 'in';\n.quit\nSELECT 'skipped';\n"},
                {"exits.sql", "SELECT 'in 2';\n.exit 5\nSELECT 'skipped';\n"}}});
  c.push_back({"query_plan",
               {},
               "CREATE TABLE t(a, b);\nEXPLAIN QUERY PLAN SELECT * FROM t;\n"
               "EXPLAIN QUERY PLAN SELECT * FROM t ORDER BY b;\n"});
  // Command-line options and SQL arguments.
  for (const char* opt : {"-csv", "-json", "-line", "-column", "-box", "-table", "-markdown", "-html",
                          "-quote", "-tabs", "-ascii", "-header", "-list", "-noheader"}) {
    c.push_back(
        {std::string("option_") + (opt + 1), {opt, ":memory:"}, "SELECT 1 AS a, 'x y' AS b, NULL AS c;\n"});
  }
  c.push_back({"option_combinations",
               {"--csv", "--header", "-nullvalue", "NN", "-separator", ";", ":memory:"},
               "SELECT 1 AS a, NULL AS b;\n"});
  c.push_back({"option_newline", {"-newline", "X", ":memory:"}, "SELECT 1; SELECT 2;\n"});
  c.push_back({"option_cmd",
               {"-cmd", ".mode csv", "-cmd", "CREATE TABLE t(x)", "-cmd", ".tables", ":memory:"},
               "INSERT INTO t VALUES(1);\nSELECT * FROM t;\n"});
  c.push_back({"option_cmd_error", {"-cmd", "SELECT 1 +;", ":memory:"}, "SELECT 1;\n"});
  c.push_back({"option_cmd_error_bail",
               {"-bail", "-cmd", "SELECT abs(-9223372036854775808)", ":memory:"},
               "SELECT 1;\n"});
  c.push_back({"sql_arguments",
               {"x.db", "CREATE TABLE t(a)", "INSERT INTO t VALUES(1),(2)", ".mode csv", "SELECT * FROM t",
                ".headers on", "SELECT count(*) AS n FROM t"},
               ""});
  c.push_back({"sql_argument_error", {":memory:", "SELECT 1", "SELECT * FROM nope", "SELECT 2"}, ""});
  c.push_back(
      {"sql_argument_constraint", {":memory:", "CREATE TABLE t(a UNIQUE); INSERT INTO t VALUES(1),(1)"}, ""});
  c.push_back({"sql_argument_quit", {":memory:", "SELECT 1", ".quit", "SELECT 2"}, ""});
  c.push_back({"exit_code", {}, "SELECT 1;\n.exit 3\nSELECT 2;\n"});
  c.push_back(
      {"readonly_option", {"-readonly", "ro.db"}, "SELECT count(*) FROM t;\nINSERT INTO t VALUES(2);\n", {}});
  c.push_back({"unknown_option", {"-nosuchoption"}, ""});
  c.push_back({"missing_argument", {"-cmd"}, ""});
  return c;
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ShellDiff : public ::testing::TestWithParam<Case> {};

TEST_P(ShellDiff, SameOutputAsSqlite3) {
  if (sqlite3_binary().empty()) GTEST_SKIP() << "no sqlite3 CLI installed";
  const Case& tc = GetParam();
  ScratchDir dir;
  auto prepare = [&] {
    dir.reset(tc.files);
    if (tc.name == "readonly_option") {
      // A database made by sqlite3, opened read-only by both.
      run(sqlite3_binary(), {"ro.db", "CREATE TABLE t(x); INSERT INTO t VALUES(1);"}, "", dir.path());
    }
  };
  prepare();
  RunResult want = run(sqlite3_binary(), tc.args, tc.script, dir.path());
  prepare();
  RunResult got = run(keel_binary(), tc.args, tc.script, dir.path());
  // sqlite3 prints its own name in option errors; keel prints its own.
  auto strip_argv0 = [](std::string s, const std::string& prog) {
    for (size_t p; (p = s.find(prog + ": ")) != std::string::npos;) s.replace(p, prog.size() + 2, "PROG: ");
    return s;
  };
  EXPECT_EQ(want.out, got.out) << "stdout differs for " << tc.name;
  EXPECT_EQ(strip_argv0(want.err, sqlite3_binary()), strip_argv0(got.err, keel_binary()))
      << "stderr differs for " << tc.name;
  EXPECT_EQ(want.exit_code, got.exit_code) << "exit status differs for " << tc.name;
}

INSTANTIATE_TEST_SUITE_P(Cases, ShellDiff, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace keel::shell_test
