// JsonEach: the rows of the table-valued functions json_each(JSON [, ROOT])
// and json_tree(JSON [, ROOT]), as SQLite 3.40 produces them.
//
// The table is
//   CREATE TABLE x(key, value, type, atom, id, parent, fullkey, path,
//                  json HIDDEN, root HIDDEN)
// json_each lists the direct children of the ROOT element (or the element
// itself when it is not a container); json_tree lists the element and every
// descendant, depth first. `id` is the index of the value's node in the
// parse (so ids are stable across runs and parents point at them); rows come
// in document order. Every column value, including SQLite's own oddities (a
// json_tree started below an array element numbers that element [0] in
// fullkey; a json_tree started at an object member has the label as key),
// matches libsqlite3.
//
// Usage, as a virtual-table cursor: start() (xFilter) with the JSON argument
// and, when given, the ROOT argument; then while (!eof()) { column(...);
// next(); }. A cursor may be restarted. Not thread-safe; values returned by
// column() are owned copies.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "func/json_internal.h"
#include "keel/status.hpp"
#include "vm/value.h"

namespace keel::func {

class JsonEach {
 public:
  enum Column : int { kKey = 0, kValue, kType, kAtom, kId, kParent, kFullkey, kPath, kJson, kRoot };
  static constexpr int kColumnCount = 10;
  // The declared schema (json and root are the hidden argument columns).
  static constexpr const char* kSchema =
      "CREATE TABLE x(key,value,type,atom,id,parent,fullkey,path,json HIDDEN,root HIDDEN)";

  // tree = true for json_tree, false for json_each.
  explicit JsonEach(bool tree) : tree_(tree) {}

  // xFilter. `json`: the JSON argument (nullptr when the query gives none:
  // no rows). `root`: the ROOT argument or nullptr. A NULL JSON or ROOT gives
  // no rows; errors are "malformed JSON" and "JSON path error near '...'".
  Status start(vm::Value* json, vm::Value* root);
  bool eof() const { return i_ >= end_; }
  void next();
  // xRowid: 0, 1, 2... in row order.
  int64_t rowid() const { return row_; }
  // The value of column `col` of the current row. max_length:
  // SQLITE_LIMIT_LENGTH for text results (a longer one reports kTooBig).
  Status column(int col, vm::Value& out, int64_t max_length = 1000000000) const;

 private:
  void reset();
  void compute_path(std::string& out, uint32_t i) const;

  bool tree_;
  uint32_t row_ = 0;
  uint32_t begin_ = 0;
  uint32_t i_ = 0;
  uint32_t end_ = 0;
  uint8_t type_ = 0;  // container type of the current row's parent
  std::string json_;
  std::string root_;
  bool has_root_ = false;
  std::vector<json::JsonNode> nodes_;
  std::vector<uint32_t> up_;
};

}  // namespace keel::func
