// `keel --mcp`: a scripted session piped through the real binary. Every
// response line is parsed and checked; malformed requests must produce
// JSON-RPC errors and the server must keep going to the end of input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "shell_runner.h"

namespace keel::shell_test {
namespace {

using json = nlohmann::json;

std::vector<json> responses(const std::string& out) {
  std::vector<json> r;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) r.push_back(json::parse(line));
  return r;
}

std::string call(int id, const std::string& tool, const json& args) {
  return json{{"jsonrpc", "2.0"},
              {"id", id},
              {"method", "tools/call"},
              {"params", {{"name", tool}, {"arguments", args}}}}
             .dump() +
         "\n";
}

// The JSON a successful tool call returned in its text content.
json tool_json(const json& response) {
  EXPECT_FALSE(response["result"]["isError"].get<bool>()) << response.dump();
  return json::parse(response["result"]["content"][0]["text"].get<std::string>());
}

std::string tool_text(const json& response) {
  return response["result"]["content"][0]["text"].get<std::string>();
}

TEST(McpServer, SessionTranscript) {
  ScratchDir dir;
  std::string in;
  in +=
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"test","version":"1"}}})"
      "\n";
  in += R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
        "\n";
  in += R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})"
        "\n";
  in += call(3, "schema_change",
             {{"sql",
               "CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INT); CREATE INDEX pa ON "
               "people(age)"}});
  in += call(4, "insert_data",
             {{"table", "people"},
              {"data", json::array({{{"name", "Ada"}, {"age", 36}},
                                    {{"name", "Alan"}, {"age", 41}},
                                    {{"name", "Grace"}, {"age", nullptr}}})}});
  in += call(5, "execute_query", {{"sql", "SELECT id, name, age FROM people ORDER BY id"}});
  in += call(6, "execute_query",
             {{"sql", "SELECT name FROM people WHERE age > ?"}, {"params", json::array({40})}});
  in += call(7, "update_data", {{"table", "people"}, {"data", {{"age", 37}}}, {"where", {{"name", "Ada"}}}});
  in += call(8, "delete_data", {{"table", "people"}, {"where", {{"age", nullptr}}}});
  in += call(9, "list_tables", json::object());
  in += call(10, "describe_table", {{"table", "people"}});
  in += call(11, "execute_query", {{"sql", "DELETE FROM people"}});                    // refused: a write
  in += call(12, "execute_query", {{"sql", "SELECT * FROM nowhere"}});                 // SQL error
  in += call(13, "insert_data", {{"table", "people"}, {"data", {{"age", 1}}}});        // NOT NULL fails
  in += call(14, "schema_change", {{"sql", "INSERT INTO people(name) VALUES('x')"}});  // not DDL
  in += call(15, "no_such_tool", json::object());
  in += call(16, "execute_query", json::object());  // missing sql
  in += "this is not json\n";
  in += R"({"jsonrpc":"2.0","id":17,"method":"no/such/method"})"
        "\n";
  in += R"({"id":18,"method":"ping"})"
        "\n";  // no jsonrpc
  in += R"([1,2])"
        "\n";  // batch of junk
  in += R"({"jsonrpc":"2.0","id":19,"method":"ping"})"
        "\n";
  in += call(20, "current_database", json::object());
  in += call(21, "describe_table", {{"table", "ghost"}});
  in += call(22, "execute_query", {{"sql", "SELECT 1; DROP TABLE people"}});
  in += call(23, "open_database", {{"path", "other.db"}});
  in += call(24, "list_tables", json::object());
  in += call(25, "execute_query", {{"sql", "SELECT x'CAFE' AS b, 1.5 AS r, 'é' AS t, NULL AS n"}});
  in += "\n";
  in +=
      R"({"jsonrpc":"2.0","id":26,"method":"tools/call","params":{"name":"execute_query","arguments":"nope"}})"
      "\n";
  RunResult r = run(keel_binary(), {"db.sqlite", "--mcp"}, in, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<json> out = responses(r.out);
  ASSERT_EQ(out.size(), 28u) << r.out;  // 27 requests with ids or errors (the notification gets none) + batch
  size_t k = 0;
  auto next = [&] { return out.at(k++); };

  json init = next();
  EXPECT_EQ(init["id"], 1);
  EXPECT_EQ(init["result"]["protocolVersion"], "2024-11-05");
  EXPECT_EQ(init["result"]["serverInfo"]["name"], "keel");
  EXPECT_TRUE(init["result"]["capabilities"].contains("tools"));

  json list = next();
  std::vector<std::string> names;
  for (const json& t : list["result"]["tools"]) {
    names.push_back(t["name"]);
    EXPECT_EQ(t["inputSchema"]["type"], "object");
  }
  EXPECT_EQ(names, (std::vector<std::string>{"open_database", "current_database", "list_tables",
                                             "describe_table", "execute_query", "insert_data", "update_data",
                                             "delete_data", "schema_change"}));

  EXPECT_EQ(tool_json(next())["statements"], 2);
  json ins = tool_json(next());
  EXPECT_EQ(ins["inserted"], 3);
  EXPECT_EQ(ins["last_insert_rowid"], 3);
  json rows = tool_json(next());
  EXPECT_EQ(rows["columns"], json::array({"id", "name", "age"}));
  EXPECT_EQ(rows["rows"], json::parse(R"([[1,"Ada",36],[2,"Alan",41],[3,"Grace",null]])"));
  EXPECT_EQ(tool_json(next())["rows"], json::parse(R"([["Alan"]])"));
  EXPECT_EQ(tool_json(next())["updated"], 1);
  EXPECT_EQ(tool_json(next())["deleted"], 1);
  EXPECT_EQ(tool_json(next()), json::parse(R"([{"name":"people","type":"table"}])"));
  json desc = tool_json(next());
  EXPECT_EQ(desc["columns"].size(), 3u);
  EXPECT_EQ(desc["columns"][1]["name"], "name");
  EXPECT_EQ(desc["columns"][1]["notnull"], true);
  EXPECT_EQ(desc["columns"][0]["pk"], 1);
  EXPECT_EQ(desc["indexes"][0]["name"], "pa");

  json refused = next();
  EXPECT_TRUE(refused["result"]["isError"].get<bool>());
  EXPECT_NE(tool_text(refused).find("read-only"), std::string::npos);
  json sql_err = next();
  EXPECT_TRUE(sql_err["result"]["isError"].get<bool>());
  EXPECT_EQ(tool_text(sql_err), "no such table: nowhere");
  json nn = next();
  EXPECT_TRUE(nn["result"]["isError"].get<bool>());
  EXPECT_EQ(tool_text(nn), "NOT NULL constraint failed: people.name");
  json not_ddl = next();
  EXPECT_TRUE(not_ddl["result"]["isError"].get<bool>());
  EXPECT_NE(tool_text(not_ddl).find("INSERT"), std::string::npos);

  json unknown_tool = next();
  EXPECT_EQ(unknown_tool["id"], 15);
  EXPECT_EQ(unknown_tool["error"]["code"], -32602);
  EXPECT_EQ(unknown_tool["error"]["message"], "Unknown tool: no_such_tool");
  json missing = next();
  EXPECT_EQ(missing["error"]["code"], -32602);
  json parse_error = next();
  EXPECT_EQ(parse_error["error"]["code"], -32700);
  EXPECT_TRUE(parse_error["id"].is_null());
  json no_method = next();
  EXPECT_EQ(no_method["id"], 17);
  EXPECT_EQ(no_method["error"]["code"], -32601);
  json no_version = next();
  EXPECT_EQ(no_version["id"], 18);
  EXPECT_EQ(no_version["error"]["code"], -32600);
  json batch = next();
  ASSERT_TRUE(batch.is_array());
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0]["error"]["code"], -32600);
  json ping = next();
  EXPECT_EQ(ping["id"], 19);
  EXPECT_TRUE(ping["result"].is_object());

  json cur = tool_json(next());
  EXPECT_EQ(cur["path"], "db.sqlite");
  EXPECT_EQ(cur["read_only"], false);
  json ghost = next();
  EXPECT_TRUE(ghost["result"]["isError"].get<bool>());
  EXPECT_EQ(tool_text(ghost), "no such table: ghost");
  json two = next();
  EXPECT_TRUE(two["result"]["isError"].get<bool>());
  EXPECT_EQ(tool_json(next())["path"], "other.db");
  EXPECT_EQ(tool_json(next()), json::array());
  json values = tool_json(next());
  EXPECT_EQ(values["rows"], json::parse(R"([["CAFE",1.5,"é",null]])"));
  json bad_args = next();
  EXPECT_EQ(bad_args["id"], 26);
  EXPECT_EQ(bad_args["error"]["code"], -32602);
  EXPECT_EQ(k, out.size());
}

TEST(McpServer, ReadOnlyDatabaseRefusesWrites) {
  ScratchDir dir;
  run(keel_binary(), {"ro.db", "CREATE TABLE t(x)"}, "", dir.path());
  std::string in = call(1, "insert_data", {{"table", "t"}, {"data", {{"x", 1}}}}) +
                   call(2, "current_database", json::object());
  RunResult r = run(keel_binary(), {"-readonly", "ro.db", "--mcp"}, in, dir.path());
  std::vector<json> out = responses(r.out);
  ASSERT_EQ(out.size(), 2u) << r.out;
  EXPECT_TRUE(out[0]["result"]["isError"].get<bool>());
  EXPECT_EQ(tool_text(out[0]), "attempt to write a readonly database");
  EXPECT_EQ(tool_json(out[1])["read_only"], true);
}

TEST(McpServer, SurvivesHostileInput) {
  ScratchDir dir;
  std::string in;
  in += std::string(
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"execute_query\","
      "\"arguments\":{\"sql\":\"SELECT CAST(x'FF' AS TEXT)\"}}}\n");     // invalid UTF-8 in a result
  in += "{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"ping\"}\n";  // id must not be an object
  in += "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":[1]}\n";
  in += "[]\n";
  in +=
      "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"execute_query\","
      "\"arguments\":{\"sql\":\"\"}}}\n";
  in +=
      "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"execute_query\","
      "\"arguments\":{\"sql\":\"SELECT 1\",\"max_rows\":-1}}}\n";
  in += "{\"jsonrpc\":\"2.0\",\"method\":\"no/such/notification\"}\n";
  in += "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}\n";
  RunResult r = run(keel_binary(), {":memory:", "--mcp"}, in, dir.path());
  EXPECT_EQ(r.exit_code, 0);
  std::vector<json> out = responses(r.out);
  ASSERT_EQ(out.size(), 7u) << r.out;
  EXPECT_FALSE(out[0]["result"]["isError"].get<bool>());
  EXPECT_EQ(out[1]["error"]["code"], -32600);
  EXPECT_EQ(out[2]["error"]["code"], -32602);
  EXPECT_EQ(out[3]["error"]["code"], -32600);
  EXPECT_TRUE(out[4]["result"]["isError"].get<bool>());
  EXPECT_EQ(out[5]["error"]["code"], -32602);
  EXPECT_EQ(out[6]["id"], 5);
}

}  // namespace
}  // namespace keel::shell_test
