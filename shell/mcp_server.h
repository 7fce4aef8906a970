// `keel --mcp`: a Model Context Protocol server (protocol version
// 2024-11-05) over stdio. Each line of input is one JSON-RPC 2.0 message (or
// a batch array); each response is one line of output.
//
// Methods: initialize, ping, tools/list, tools/call, and the
// notifications/* a client sends (no reply). Tools:
//   open_database      {path, read_only?}      switch to another database
//   current_database   {}                      path and read-only flag
//   list_tables        {}                      tables and views
//   describe_table     {table}                 columns (PRAGMA table_info)
//   execute_query      {sql, params?}          one read-only statement -> rows
//   insert_data        {table, data}           data: object or array of objects
//   update_data        {table, data, where}    where: {column: value, ...}
//   delete_data        {table, where}
//   schema_change      {sql}                   CREATE / ALTER / DROP statements
//
// Errors: malformed JSON -32700, a request that is not JSON-RPC -32600, an
// unknown method -32601, bad or missing arguments and unknown tools -32602.
// SQL errors are tool results with isError: true. Nothing in the input
// stops or crashes the server; it exits at end of input.
#pragma once

#include <cstdio>
#include <string>

#include "keel/sqlite3.h"
#include "shell/shell.h"

namespace keel::shell {

class McpServer {
 public:
  explicit McpServer(OpenSpec spec);
  ~McpServer();
  McpServer(const McpServer&) = delete;
  McpServer& operator=(const McpServer&) = delete;

  // Serves until end of input; returns the process exit status.
  int run(FILE* in, FILE* out);
  // Handles one input line; returns the response line ("" when the message
  // was a notification). Public for tests and for run().
  std::string handle_line(const std::string& line);

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace keel::shell
