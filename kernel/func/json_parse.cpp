// The JSON parser and json_tree's parent map (SQLite 3.40's jsonParseValue
// and jsonParseFillInParentage).
//
// Grammar: RFC 8259 as SQLite 3.40 checks it. Whitespace is space, tab, LF
// and CR only; strings may not hold bytes below 0x20; escapes are \" \\ \/
// \b \f \n \r \t and \uXXXX (any four hex digits, unpaired surrogates
// included); numbers have no leading zeros, no leading '+' or '.', no
// trailing '.'; literals must not be followed by an alphanumeric byte. The
// text ends at its NUL. Nesting deeper than kMaxDepth is malformed. Bytes are
// not checked for valid UTF-8.
#include "func/json_internal.h"

namespace keel::func::json {
namespace {

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_xdigit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
inline bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

class Parser {
 public:
  Parser(const char* z, std::vector<JsonNode>& nodes) : z_(z), nodes_(nodes) {}

  // Returns the index just past the value at i; or -1 (syntax error), -2 (a
  // '}' where a value was expected), -3 (a ']'), 0 (end of text).
  int64_t value(int64_t i);

 private:
  uint32_t add(uint8_t type, uint32_t n, const char* content) {
    JsonNode node;
    node.type = type;
    node.flags = 0;
    node.n = n;
    node.u.content = content;
    nodes_.push_back(node);
    return static_cast<uint32_t>(nodes_.size() - 1);
  }

  const char* z_;
  std::vector<JsonNode>& nodes_;
  int depth_ = 0;
};

int64_t Parser::value(int64_t i) {
  const char* z = z_;
  while (is_space(z[i])) i++;
  char c = z[i];
  if (c == '{') {
    uint32_t self = add(kObject, 0, nullptr);
    int64_t j = i + 1;
    for (;; j++) {
      while (is_space(z[j])) j++;
      if (++depth_ > kMaxDepth) return -1;
      int64_t x = value(j);
      if (x < 0) {
        depth_--;
        if (x == -2 && nodes_.size() == self + 1) return j + 1;
        return -1;
      }
      JsonNode& label = nodes_.back();
      if (label.type != kString) return -1;
      label.flags |= kLabel;
      j = x;
      while (is_space(z[j])) j++;
      if (z[j] != ':') return -1;
      j++;
      x = value(j);
      depth_--;
      if (x < 0) return -1;
      j = x;
      while (is_space(z[j])) j++;
      c = z[j];
      if (c == ',') continue;
      if (c != '}') return -1;
      break;
    }
    nodes_[self].n = static_cast<uint32_t>(nodes_.size() - self - 1);
    return j + 1;
  }
  if (c == '[') {
    uint32_t self = add(kArray, 0, nullptr);
    int64_t j = i + 1;
    for (;; j++) {
      while (is_space(z[j])) j++;
      if (++depth_ > kMaxDepth) return -1;
      int64_t x = value(j);
      depth_--;
      if (x < 0) {
        if (x == -3 && nodes_.size() == self + 1) return j + 1;
        return -1;
      }
      j = x;
      while (is_space(z[j])) j++;
      c = z[j];
      if (c == ',') continue;
      if (c != ']') return -1;
      break;
    }
    nodes_[self].n = static_cast<uint32_t>(nodes_.size() - self - 1);
    return j + 1;
  }
  if (c == '"') {
    uint8_t flags = 0;
    int64_t j = i + 1;
    for (;;) {
      c = z[j];
      if ((static_cast<unsigned char>(c) & ~0x1fu) == 0) return -1;  // control byte or NUL
      if (c == '\\') {
        c = z[++j];
        if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't' ||
            (c == 'u' && is_xdigit(z[j + 1]) && is_xdigit(z[j + 2]) && is_xdigit(z[j + 3]) &&
             is_xdigit(z[j + 4]))) {
          flags = kEscape;
        } else {
          return -1;
        }
      } else if (c == '"') {
        break;
      }
      j++;
    }
    add(kString, static_cast<uint32_t>(j + 1 - i), z + i);
    nodes_.back().flags = flags;
    return j + 1;
  }
  if (c == 'n' && z[i + 1] == 'u' && z[i + 2] == 'l' && z[i + 3] == 'l' && !is_alnum(z[i + 4])) {
    add(kNull, 0, nullptr);
    return i + 4;
  }
  if (c == 't' && z[i + 1] == 'r' && z[i + 2] == 'u' && z[i + 3] == 'e' && !is_alnum(z[i + 4])) {
    add(kTrue, 0, nullptr);
    return i + 4;
  }
  if (c == 'f' && z[i + 1] == 'a' && z[i + 2] == 'l' && z[i + 3] == 's' && z[i + 4] == 'e' &&
      !is_alnum(z[i + 5])) {
    add(kFalse, 0, nullptr);
    return i + 5;
  }
  if (c == '-' || is_digit(c)) {
    bool seen_dp = false;
    bool seen_e = false;
    if (c <= '0') {
      int64_t j = c == '-' ? i + 1 : i;
      if (z[j] == '0' && is_digit(z[j + 1])) return -1;
    }
    int64_t j = i + 1;
    for (;; j++) {
      c = z[j];
      if (is_digit(c)) continue;
      if (c == '.') {
        if (z[j - 1] == '-' || seen_dp) return -1;
        seen_dp = true;
        continue;
      }
      if (c == 'e' || c == 'E') {
        if (z[j - 1] < '0' || seen_e) return -1;
        seen_dp = seen_e = true;
        c = z[j + 1];
        if (c == '+' || c == '-') {
          j++;
          c = z[j + 1];
        }
        if (!is_digit(c)) return -1;
        continue;
      }
      break;
    }
    if (z[j - 1] < '0') return -1;
    add(seen_dp ? kReal : kInt, static_cast<uint32_t>(j - i), z + i);
    return j;
  }
  if (c == '}') return -2;
  if (c == ']') return -3;
  if (c == 0) return 0;
  return -1;
}

void fill_parents(const std::vector<JsonNode>& nodes, std::vector<uint32_t>& up, uint32_t i,
                  uint32_t parent) {
  const JsonNode& node = nodes[i];
  up[i] = parent;
  if (node.type == kArray) {
    for (uint32_t j = 1; j <= node.n; j += node_size(nodes[i + j])) fill_parents(nodes, up, i + j, i);
  } else if (node.type == kObject) {
    for (uint32_t j = 1; j <= node.n; j += node_size(nodes[i + j + 1]) + 1) {
      up[i + j] = i;
      fill_parents(nodes, up, i + j + 1, i);
    }
  }
}

}  // namespace

bool parse_json(const char* z, std::vector<JsonNode>& nodes) {
  nodes.clear();
  Parser p(z, nodes);
  int64_t i = p.value(0);
  if (i > 0) {
    while (is_space(z[i])) i++;
    if (z[i]) i = -1;
  }
  if (i <= 0) return false;
  // A NULL node past the end, not part of the document. SQLite's parser
  // accepts an object "label" that is a container ending in a string
  // ({["a"]:1}); walking such an object pairs nodes out of step and reads
  // one node past the object. For the last node of the text, SQLite reads
  // whatever its node array holds there; Keel reads this null.
  nodes.push_back(JsonNode{kNull, 0, 0, {nullptr}});
  return true;
}

void find_parents(const std::vector<JsonNode>& nodes, std::vector<uint32_t>& up) {
  up.assign(nodes.size(), 0);
  if (!nodes.empty()) fill_parents(nodes, up, 0, 0);
}

}  // namespace keel::func::json
