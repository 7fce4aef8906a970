// Internals of the MCP server shared by the protocol layer (mcp_server.cpp)
// and the tools (mcp_tools.cpp).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "keel/sqlite3.h"
#include "shell/shell.h"

namespace keel::shell::mcp {

using json = nlohmann::json;

// What a tool call produced: text for the client, and whether it failed
// (an SQL error, a refused write, ...), which the client sees as isError.
struct ToolResult {
  std::string text;
  bool is_error = false;
};

// An argument problem the client must fix: reported as JSON-RPC -32602.
struct ArgumentError {
  std::string message;
};

// The database the tools work on; reopened by open_database.
struct Session {
  sqlite3* db = nullptr;
  OpenSpec spec;
  ~Session();
  // Opens `spec`; on failure leaves the current database in place and sets
  // *error.
  bool open(const OpenSpec& spec, std::string* error);
};

// The tools/list answer.
json tool_descriptions();
// Runs tool `name`. Returns false (with *arg_error set) when the tool is
// unknown or its arguments are malformed.
bool call_tool(Session& session, const std::string& name, const json& args, ToolResult* result,
               ArgumentError* arg_error);

// JSON text that never throws on invalid UTF-8 (bad bytes become U+FFFD).
std::string to_text(const json& value);

}  // namespace keel::shell::mcp
