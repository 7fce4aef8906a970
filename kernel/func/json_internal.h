// Internals of the JSON functions: the parse tree, path lookup, rendering
// and the text accumulator shared by json_functions.cpp, json_aggregate.cpp
// and json_each.cpp.
//
// Design note. A parse is a flat array of JsonNode in document order, as
// SQLite 3.40's JsonNode array: a container node is followed by its
// descendants, `n` counts them, so skipping a subtree is one addition
// (node_size). Object members are a label node (a STRING flagged kLabel)
// followed by the value's nodes. Nodes point into the parsed text, which must
// stay alive and NUL-terminated as long as the nodes are used; nothing is
// allocated per node beyond the array itself.
//
// Edits (json_set, json_remove, json_patch) never rewrite the array in place:
// they flag nodes (kRemove, kReplace with the index of the replacing
// argument, kPatch with a pointer to a node of the patch) and append new
// nodes at the end of the array, linked from a container through kAppend
// (u.append = offset to a continuation container holding more members).
// Rendering follows these flags. The exact algorithm matters: SQLite's
// observable quirks (duplicate keys, a path through a replaced node, the
// key numbering of json_tree) all come from it, and Keel reproduces them.
//
// Invariants:
//   1. nodes[0] is the root; node i's subtree is [i, i + node_size(i)).
//   2. A label is always immediately followed by its value.
//   3. kAppend chains only hang off containers; appended nodes come after
//      every parsed node (and after the padding null node parse_json adds).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "func/function.h"
#include "vm/value.h"

namespace keel::func::json {

// sqlite3_value_subtype of JSON text ('J').
inline constexpr uint8_t kJsonSubtype = 74;

// Node types, in SQLite's order (json_type() names below).
enum NodeType : uint8_t { kNull = 0, kTrue, kFalse, kInt, kReal, kString, kArray, kObject };

// json_type() / json_each.type names, indexed by NodeType.
inline constexpr const char* kTypeName[] = {"null", "true", "false", "integer",
                                            "real", "text", "array", "object"};

// JsonNode::flags
enum NodeFlags : uint8_t {
  kRaw = 0x01,      // content is raw text, not JSON-encoded (labels made from a path)
  kEscape = 0x02,   // string content has backslash escapes
  kRemove = 0x04,   // not rendered (json_remove, json_patch null)
  kReplace = 0x08,  // rendered as argument u.replace (json_set/replace/insert)
  kPatch = 0x10,    // rendered as *u.patch (json_patch)
  kAppend = 0x20,   // more members in the container at this + u.append
  kLabel = 0x40,    // an object label
};

struct JsonNode {
  uint8_t type;
  uint8_t flags;
  // Bytes of content for INT/REAL/STRING (strings with their quotes unless
  // kRaw); number of descendant nodes for ARRAY/OBJECT.
  uint32_t n;
  union {
    const char* content;    // INT, REAL, STRING
    uint32_t append;        // ARRAY/OBJECT with kAppend
    uint32_t key;           // ARRAY while json_tree walks it: current index
    uint32_t replace;       // kReplace: argument index
    const JsonNode* patch;  // kPatch: the node rendered instead
  } u;
};

inline uint32_t node_size(const JsonNode& n) { return n.type >= kArray ? n.n + 1 : 1; }

// Nesting depth SQLite 3.40 accepts (JSON_MAX_DEPTH).
inline constexpr int kMaxDepth = 2000;

// Parses the NUL-terminated text z into `nodes` (cleared first). Returns false
// for malformed JSON (SQLite 3.40 grammar: RFC 8259, no JSON5). On success
// one extra kNull node follows the document's nodes (see json_parse.cpp).
// Recursive, at most kMaxDepth deep.
bool parse_json(const char* z, std::vector<JsonNode>& nodes);

// Fills up[i] with the parent of node i (labels and values of a member both
// point at their object; the root points at itself), for json_tree.
void find_parents(const std::vector<JsonNode>& nodes, std::vector<uint32_t>& up);

// Path lookup over a parse that may grow (appended nodes). `path` is the text
// after the leading '$' as a C-string view (no NUL inside).
struct PathLookup {
  std::vector<JsonNode>& nodes;
  std::string_view path;   // full path text, for error positions
  bool* append = nullptr;  // non-null: create missing members; set when created
  // Set to the offset in `path` of a syntax error, or npos.
  size_t error = std::string_view::npos;

  // jsonLookupStep: the node reached from node `root` by path[pos..]; or
  // kNone (not found, or an error: check `error`).
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t step(uint32_t root, size_t pos);

 private:
  uint32_t append_path(size_t pos);
  char at(size_t i) const { return i < path.size() ? path[i] : '\0'; }
};

// "JSON path error near '...'" for the text at path[pos..].
std::string path_error_message(std::string_view path, size_t pos);

// A JSON text accumulator (SQLite's JsonString).
class JsonWriter {
 public:
  std::string buf;
  // 0 ok; 2 a BLOB was appended (the error has been reported to ctx).
  int err = 0;

  void clear() {
    buf.clear();
    err = 0;
  }
  void raw(std::string_view s) { buf.append(s); }
  void ch(char c) { buf.push_back(c); }
  // A ',' unless the text is empty or ends with '[' or '{'.
  void separator() {
    if (buf.empty()) return;
    char c = buf.back();
    if (c != '[' && c != '{') buf.push_back(',');
  }
  // s as a JSON string literal with SQLite's escaping.
  void quoted(std::string_view s);
  // An SQL value: NULL → null, numbers as their text, TEXT quoted unless it
  // carries the JSON subtype, BLOB → error "JSON cannot hold BLOB values"
  // on ctx (once; the text is then cleared and err set).
  void value(FunctionContext& ctx, vm::Value& v);
};

// Appends node as JSON text, following edits (kRemove, kReplace, kPatch,
// kAppend). args: the function's arguments, read by kReplace nodes (empty
// when the tree has none); ctx receives a BLOB error from them.
void render(const JsonNode* node, JsonWriter& out, FunctionContext* ctx, std::span<vm::Value> args);

// The SQL value of a node (jsonReturn) into out: null → NULL, true/false →
// 1/0, integers (REAL beyond int64), reals, strings unescaped (ending at an
// escaped NUL), containers as JSON text with the JSON subtype. A text longer
// than max_length leaves out NULL and sets *too_big.
void node_to_value(const JsonNode* node, vm::Value& out, int64_t max_length, bool* too_big);

// The .label path element of json_each/json_tree fullkey and path: the label
// bare when it is an ASCII identifier, else with its quotes.
void append_label_path(std::string& out, const JsonNode& label);

}  // namespace keel::func::json
