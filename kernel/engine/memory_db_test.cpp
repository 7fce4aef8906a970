// An in-memory database (":memory:", the empty name, a URI with
// mode=memory, an attached ':memory:') lives in memory only: no file
// appears on disk while it is used, whatever directory the process is in.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "engine/connection.h"

namespace keel::engine {
namespace {

namespace fs = std::filesystem;

TEST(MemoryDatabase, WritesNoFile) {
  fs::path dir = fs::temp_directory_path() / ("keel_memdb_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::path saved = fs::current_path();
  fs::current_path(dir);
  for (const char* name : {":memory:", "", "file:mem?mode=memory"}) {
    OpenOptions options;
    options.uri = true;
    auto c = Connection::open(name, options);
    ASSERT_TRUE(c.ok()) << name << ": " << c.status().message();
    ASSERT_TRUE((*c)->exec("ATTACH ':memory:' AS aux").ok());
    ASSERT_TRUE((*c)->exec("CREATE TABLE t(a, b); CREATE TABLE aux.u(x); CREATE TEMP TABLE v(y)").ok());
    ASSERT_TRUE((*c)->exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
                           "INSERT INTO t SELECT i, randomblob(100) FROM n")
                    .ok());
    ASSERT_TRUE((*c)->exec("INSERT INTO aux.u SELECT a FROM t; INSERT INTO v SELECT a FROM t").ok());
    EXPECT_TRUE(fs::is_empty(dir)) << name << ": " << fs::directory_iterator(dir)->path();
  }
  fs::current_path(saved);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace keel::engine
