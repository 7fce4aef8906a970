// The MCP protocol layer: JSON-RPC 2.0 framing, request validation, and the
// initialize / ping / tools/list / tools/call methods. The tools themselves
// are in mcp_tools.cpp.
//
// nlohmann::json throws on misuse; every access here is type-checked first
// and handle_line() still catches at its edge, so a hostile message yields
// an "Internal error" response rather than ending the process.
#include "shell/mcp_server.h"

#include <cstring>

#include "keel/version.hpp"
#include "shell/mcp_internal.h"

namespace keel::shell {

using mcp::json;

namespace {

constexpr const char* kProtocolVersion = "2024-11-05";

json error_response(const json& id, int code, const std::string& message) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

json result_response(const json& id, json result) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

}  // namespace

struct McpServer::Impl {
  mcp::Session session;
  bool initialized = false;

  // The response to one message, or null for a notification.
  json handle_message(const json& msg) {
    if (!msg.is_object()) return error_response(nullptr, -32600, "Invalid Request");
    json id = nullptr;
    bool has_id = msg.contains("id");
    if (has_id) {
      const json& raw = msg["id"];
      if (!raw.is_string() && !raw.is_number_integer() && !raw.is_number_unsigned() && !raw.is_null()) {
        return error_response(nullptr, -32600, "Invalid Request: id must be a string or an integer");
      }
      id = raw;
    }
    auto jsonrpc = msg.find("jsonrpc");
    if (jsonrpc == msg.end() || !jsonrpc->is_string() || jsonrpc->get<std::string>() != "2.0") {
      return error_response(id, -32600, "Invalid Request: jsonrpc must be \"2.0\"");
    }
    auto method_it = msg.find("method");
    if (method_it == msg.end() || !method_it->is_string()) {
      return error_response(id, -32600, "Invalid Request: missing method");
    }
    const std::string method = method_it->get<std::string>();
    json params = json::object();
    if (auto p = msg.find("params"); p != msg.end()) {
      if (!p->is_object() && !p->is_array()) {
        return error_response(id, -32600, "Invalid Request: params must be an object or an array");
      }
      params = *p;
    }
    if (!has_id) {
      // Notifications get no answer, whatever they are.
      if (method == "notifications/initialized") initialized = true;
      return nullptr;
    }
    if (method == "initialize") {
      initialized = true;
      return result_response(
          id, {{"protocolVersion", kProtocolVersion},
               {"capabilities", {{"tools", {{"listChanged", false}}}}},
               {"serverInfo", {{"name", "keel"}, {"version", keel::kVersion}}},
               {"instructions",
                "Keel is an SQLite-compatible database. Use list_tables and describe_table to learn the "
                "schema, execute_query for read-only SQL, insert_data/update_data/delete_data to change "
                "rows and schema_change for CREATE/ALTER/DROP."}});
    }
    if (method == "ping") return result_response(id, json::object());
    if (method == "tools/list") return result_response(id, {{"tools", mcp::tool_descriptions()}});
    if (method == "tools/call") {
      if (!params.is_object()) return error_response(id, -32602, "Invalid params: expected an object");
      auto name = params.find("name");
      if (name == params.end() || !name->is_string()) {
        return error_response(id, -32602, "Invalid params: missing tool name");
      }
      json args = json::object();
      if (auto a = params.find("arguments"); a != params.end() && !a->is_null()) {
        if (!a->is_object()) return error_response(id, -32602, "Invalid params: arguments must be an object");
        args = *a;
      }
      mcp::ToolResult result;
      mcp::ArgumentError arg_error;
      if (!mcp::call_tool(session, name->get<std::string>(), args, &result, &arg_error)) {
        return error_response(id, -32602, arg_error.message);
      }
      return result_response(id, {{"content", json::array({{{"type", "text"}, {"text", result.text}}})},
                                  {"isError", result.is_error}});
    }
    return error_response(id, -32601, "Method not found: " + method);
  }
};

McpServer::McpServer(OpenSpec spec) : impl_(new Impl) {
  std::string error;
  if (!impl_->session.open(spec, &error)) {
    // The server still starts: open_database can pick another file.
    std::fprintf(stderr, "keel --mcp: %s\n", error.c_str());
  }
}

McpServer::~McpServer() { delete impl_; }

std::string McpServer::handle_line(const std::string& line) {
  try {
    json msg = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (msg.is_discarded()) return mcp::to_text(error_response(nullptr, -32700, "Parse error"));
    if (msg.is_array()) {
      if (msg.empty()) return mcp::to_text(error_response(nullptr, -32600, "Invalid Request: empty batch"));
      json replies = json::array();
      for (const json& m : msg) {
        json r = impl_->handle_message(m);
        if (!r.is_null()) replies.push_back(std::move(r));
      }
      return replies.empty() ? "" : mcp::to_text(replies);
    }
    json r = impl_->handle_message(msg);
    return r.is_null() ? "" : mcp::to_text(r);
  } catch (const std::exception& e) {
    return mcp::to_text(error_response(nullptr, -32603, std::string("Internal error: ") + e.what()));
  }
}

int McpServer::run(FILE* in, FILE* out) {
  std::string line;
  char* buf = nullptr;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&buf, &cap, in)) >= 0) {
    line.assign(buf, static_cast<size_t>(n));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::string reply = handle_line(line);
    if (!reply.empty()) {
      std::fputs(reply.c_str(), out);
      std::fputc('\n', out);
      std::fflush(out);
    }
  }
  std::free(buf);
  return 0;
}

}  // namespace keel::shell
