// JSON path lookup (SQLite 3.40's jsonLookupStep / jsonLookupAppend).
//
// A path is '$' followed by steps: .label, ."quoted label" (no escapes; ends
// at the next '"'), [N] (decimal, wrapping at 2^32 as SQLite's u32 does),
// [#] (one past the end, for appending) and [#-N]. Lookups are lazy: a step
// is only checked for syntax when the walk reaches it, so an error past a
// missing member is not reported, and '.' on a non-object is "not found"
// before its label is looked at. Labels match the raw JSON text of a member's
// label byte for byte (an escaped label never matches). With `append`, a
// missing member (or the element one past the end of an array) is created,
// along with the objects and arrays the rest of the path needs: '.label'
// makes an object, "[0]" an array; anything else makes nothing.
#include <cstring>

#include "func/json_internal.h"
#include "vm/printf.h"

namespace keel::func::json {
namespace {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool label_matches(const JsonNode& label, const char* key, uint32_t n_key) {
  // A non-string "label" only occurs in objects like {["a"]:1}, which SQLite
  // 3.40 accepts; it never matches.
  if (label.type != kString) return false;
  if (label.flags & kRaw) return label.n == n_key && std::memcmp(label.u.content, key, n_key) == 0;
  return label.n == n_key + 2 && std::memcmp(label.u.content + 1, key, n_key) == 0;
}

uint32_t add_node(std::vector<JsonNode>& nodes, uint8_t type, uint32_t n, const char* content) {
  JsonNode node;
  node.type = type;
  node.flags = 0;
  node.n = n;
  node.u.content = content;
  nodes.push_back(node);
  return static_cast<uint32_t>(nodes.size() - 1);
}

}  // namespace

std::string path_error_message(std::string_view path, size_t pos) {
  std::string rest(path.substr(pos < path.size() ? pos : path.size()));
  return vm::format("JSON path error near '%q'", rest.c_str());
}

uint32_t PathLookup::step(uint32_t root, size_t pos) {
  if (at(pos) == 0) return root;
  if (nodes[root].flags & kReplace) return kNone;
  if (at(pos) == '.') {
    if (nodes[root].type != kObject) return kNone;
    pos++;
    const char* key;
    uint32_t n_key;
    size_t i;
    if (at(pos) == '"') {
      key = path.data() + pos + 1;
      for (i = 1; at(pos + i) && at(pos + i) != '"'; i++) {
      }
      n_key = static_cast<uint32_t>(i - 1);
      if (at(pos + i)) {
        i++;
      } else {
        error = pos;
        return kNone;
      }
    } else {
      key = path.data() + pos;
      for (i = 0; at(pos + i) && at(pos + i) != '.' && at(pos + i) != '['; i++) {
      }
      n_key = static_cast<uint32_t>(i);
      if (n_key == 0) {
        error = pos;
        return kNone;
      }
    }
    uint32_t base = root;
    uint32_t j = 1;
    for (;;) {
      while (j <= nodes[base].n) {
        if (label_matches(nodes[base + j], key, n_key)) return step(base + j + 1, pos + i);
        j++;
        j += node_size(nodes[base + j]);
      }
      if ((nodes[base].flags & kAppend) == 0) break;
      base += nodes[base].u.append;
      j = 1;
    }
    if (append) {
      uint32_t start = add_node(nodes, kObject, 2, nullptr);
      uint32_t label = add_node(nodes, kString, n_key, key);
      uint32_t found = append_path(pos + i);
      if (found != kNone) {
        nodes[base].u.append = start - base;
        nodes[base].flags |= kAppend;
        nodes[label].flags |= kRaw;
      }
      return found;
    }
    return kNone;
  }
  if (at(pos) == '[') {
    uint32_t idx = 0;
    size_t j = 1;
    while (is_digit(at(pos + j))) {
      idx = idx * 10 + static_cast<uint32_t>(at(pos + j) - '0');
      j++;
    }
    if (j < 2 || at(pos + j) != ']') {
      if (at(pos + 1) == '#') {
        if (nodes[root].type != kArray) return kNone;
        // Count the live elements, through the append chain.
        uint32_t base = root;
        uint32_t k = 1;
        for (;;) {
          while (k <= nodes[base].n) {
            if ((nodes[base + k].flags & kRemove) == 0) idx++;
            k += node_size(nodes[base + k]);
          }
          if ((nodes[base].flags & kAppend) == 0) break;
          base += nodes[base].u.append;
          k = 1;
        }
        j = 2;
        if (at(pos + 2) == '-' && is_digit(at(pos + 3))) {
          uint32_t x = 0;
          j = 3;
          do {
            x = x * 10 + static_cast<uint32_t>(at(pos + j) - '0');
            j++;
          } while (is_digit(at(pos + j)));
          if (x > idx) return kNone;
          idx -= x;
        }
        if (at(pos + j) != ']') {
          error = pos;
          return kNone;
        }
      } else {
        error = pos;
        return kNone;
      }
    }
    if (nodes[root].type != kArray) return kNone;
    pos += j + 1;
    uint32_t base = root;
    uint32_t k = 1;
    for (;;) {
      while (k <= nodes[base].n && (idx > 0 || (nodes[base + k].flags & kRemove) != 0)) {
        if ((nodes[base + k].flags & kRemove) == 0) idx--;
        k += node_size(nodes[base + k]);
      }
      if ((nodes[base].flags & kAppend) == 0) break;
      base += nodes[base].u.append;
      k = 1;
    }
    if (k <= nodes[base].n) return step(base + k, pos);
    if (idx == 0 && append) {
      uint32_t start = add_node(nodes, kArray, 1, nullptr);
      uint32_t found = append_path(pos);
      if (found != kNone) {
        nodes[base].u.append = start - base;
        nodes[base].flags |= kAppend;
      }
      return found;
    }
    return kNone;
  }
  error = pos;
  return kNone;
}

uint32_t PathLookup::append_path(size_t pos) {
  *append = true;
  if (at(pos) == 0) return add_node(nodes, kNull, 0, nullptr);
  if (at(pos) == '.') {
    add_node(nodes, kObject, 0, nullptr);
  } else if (at(pos) == '[' && at(pos + 1) == '0' && at(pos + 2) == ']') {
    add_node(nodes, kArray, 0, nullptr);
  } else {
    return kNone;
  }
  return step(static_cast<uint32_t>(nodes.size() - 1), pos);
}

}  // namespace keel::func::json
