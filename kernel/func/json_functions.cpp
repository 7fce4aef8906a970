// The scalar JSON functions (SQLite 3.40's json.c), and registration.
//
// Argument conventions, as SQLite's: the JSON argument is read as
// sqlite3_value_text would (numbers as their text, BLOB bytes as text) up to
// its first NUL; a NULL JSON argument gives NULL; malformed JSON fails with
// "malformed JSON" (json_valid answers 0 instead). Paths are read the same
// way; a NULL path selects nothing. Values stored into JSON (json_array,
// json_object, json_set...) are written by JsonWriter::value: a BLOB fails
// with "JSON cannot hold BLOB values".
//
// Parse cache: each call site keeps the parse of the last JSON text it saw
// in its aux data (FunctionContext::get_aux), so a constant document, or
// one repeated row after row, is parsed once. Editing functions copy the
// cached node array (a memcpy) and edit the copy.
#include <memory>

#include "func/func_internal.h"
#include "func/json.h"
#include "func/json_internal.h"

namespace keel::func {
namespace json {
namespace {

using vm::Value;
using Args = std::span<Value>;

// Aux slot of the parse cache (any number: aux data is per call site).
constexpr int kCacheSlot = -429938;

struct JsonCache {
  bool filled = false;
  bool valid = false;
  std::string text;              // the JSON text (a std::string keeps a NUL after it)
  std::vector<JsonNode> nodes;   // its parse, unedited
  std::vector<JsonNode> edited;  // scratch copy for the editing functions
};

void destroy_cache(void* p) { delete static_cast<JsonCache*>(p); }

// The call site's cache; `local` owns one when the caller keeps no aux data.
JsonCache* cache_for(FunctionContext& ctx, std::unique_ptr<JsonCache>& local) {
  if (auto* c = static_cast<JsonCache*>(ctx.get_aux(kCacheSlot))) return c;
  auto* c = new JsonCache;
  ctx.set_aux(kCacheSlot, c, destroy_cache);
  if (ctx.get_aux(kCacheSlot) == c) return c;
  local = std::make_unique<JsonCache>();  // set_aux released c: nowhere to keep it
  return local.get();
}

// The parse of the JSON argument, or nullptr: for NULL, and for malformed
// JSON (then with "malformed JSON" on ctx if report).
JsonCache* parse_arg(FunctionContext& ctx, Value& arg, bool report, std::unique_ptr<JsonCache>& local) {
  if (arg.is_null()) return nullptr;
  vm::NumberText nt;
  std::string_view text = internal::c_string(internal::arg_bytes(arg, nt));
  JsonCache* c = cache_for(ctx, local);
  if (!c->filled || c->text != text) {
    c->text.assign(text);
    c->valid = parse_json(c->text.c_str(), c->nodes);
    c->filled = true;
  }
  if (!c->valid) {
    if (report) ctx.set_error("malformed JSON");
    return nullptr;
  }
  return c;
}

// The path argument as a view cut at its NUL; `null` when it is SQL NULL.
std::string_view path_arg(Value& v, vm::NumberText& nt, bool* null) {
  *null = v.is_null();
  if (*null) return {};
  return internal::c_string(internal::arg_bytes(v, nt));
}

// jsonLookup: resolves a full path ("$...") from the root. Returns kNone
// when absent; on a syntax error also sets the error on ctx and *failed.
uint32_t lookup(FunctionContext& ctx, std::vector<JsonNode>& nodes, std::string_view path, bool* append,
                bool* failed) {
  if (path.empty() || path[0] != '$') {
    ctx.set_error(path_error_message(path, 0));
    *failed = true;
    return PathLookup::kNone;
  }
  PathLookup pl{nodes, path, append};
  uint32_t found = pl.step(0, 1);
  if (pl.error != std::string_view::npos) {
    ctx.set_error(path_error_message(path, pl.error));
    *failed = true;
    return PathLookup::kNone;
  }
  return found;
}

// Sets the result to w's text with the JSON subtype (jsonResult + subtype),
// unless w already reported an error.
void result_json(FunctionContext& ctx, const JsonWriter& w) {
  if (w.err) return;
  internal::result_text(ctx, w.buf);
  if (!ctx.has_error()) ctx.result().set_subtype(kJsonSubtype);
}

JsonWriter& scratch_writer() {
  thread_local JsonWriter w;
  w.clear();
  return w;
}

void result_node(FunctionContext& ctx, const JsonNode* node) {
  bool too_big = false;
  node_to_value(node, ctx.result(), ctx.host().max_length(), &too_big);
  if (too_big) ctx.set_error_toobig();
}

void result_node_json(FunctionContext& ctx, const JsonNode* node, Args args) {
  JsonWriter& w = scratch_writer();
  render(node, w, &ctx, args);
  result_json(ctx, w);
}

// json(X) and json_remove(X, P...).
void remove_fn(FunctionContext& ctx, Args a) {
  if (a.empty()) return;
  std::unique_ptr<JsonCache> local;
  JsonCache* c = parse_arg(ctx, a[0], true, local);
  if (!c) return;
  std::vector<JsonNode>& nodes = c->edited;
  nodes = c->nodes;
  for (size_t i = 1; i < a.size(); i++) {
    bool null;
    vm::NumberText nt;
    std::string_view path = path_arg(a[i], nt, &null);
    if (null) return;
    bool failed = false;
    uint32_t found = lookup(ctx, nodes, path, nullptr, &failed);
    if (failed) return;
    if (found != PathLookup::kNone) nodes[found].flags |= kRemove;
  }
  if ((nodes[0].flags & kRemove) == 0) result_node_json(ctx, nodes.data(), {});
}

// json_set (user data 1), json_insert (0), json_replace (2).
void set_fn(FunctionContext& ctx, Args a) {
  int mode = internal::user_int(ctx);
  if (a.empty()) return;
  if ((a.size() & 1) == 0) {
    ctx.set_error(mode == 2   ? "json_replace() needs an odd number of arguments"
                  : mode == 1 ? "json_set() needs an odd number of arguments"
                              : "json_insert() needs an odd number of arguments");
    return;
  }
  std::unique_ptr<JsonCache> local;
  JsonCache* c = parse_arg(ctx, a[0], true, local);
  if (!c) return;
  std::vector<JsonNode>& nodes = c->edited;
  nodes = c->nodes;
  for (size_t i = 1; i < a.size(); i += 2) {
    bool null;
    vm::NumberText nt;
    std::string_view path = path_arg(a[i], nt, &null);
    if (null) continue;
    bool appended = false;
    bool failed = false;
    uint32_t found = lookup(ctx, nodes, path, mode == 2 ? nullptr : &appended, &failed);
    if (failed) return;
    if (found != PathLookup::kNone && (mode == 2 || appended || mode == 1)) {
      nodes[found].flags |= kReplace;
      nodes[found].u.replace = static_cast<uint32_t>(i + 1);
    }
  }
  if (nodes[0].flags & kReplace) {
    // The whole document replaced: the argument itself, whatever its type.
    internal::result_value(ctx, a[nodes[0].u.replace]);
  } else {
    result_node_json(ctx, nodes.data(), a);
  }
}

// json_extract (flags 0), -> (1: JSON result), ->> (2: SQL result).
void extract_fn(FunctionContext& ctx, Args a) {
  int flags = internal::user_int(ctx);
  if (a.size() < 2) return;
  std::unique_ptr<JsonCache> local;
  JsonCache* c = parse_arg(ctx, a[0], true, local);
  if (!c) return;
  std::vector<JsonNode>& nodes = c->nodes;
  if (a.size() == 2) {
    bool null;
    vm::NumberText nt;
    std::string_view path = path_arg(a[1], nt, &null);
    if (null) return;
    bool failed = false;
    if (flags != 0) {
      uint32_t found;
      if (path.empty() || path[0] != '$') {
        // Abbreviated paths of the operators: NUMBER → $[NUMBER],
        // LABEL → $.LABEL, [NUMBER] → $[NUMBER].
        std::string full;
        char first = path.empty() ? '\0' : path[0];
        if (first >= '0' && first <= '9') {
          full.append("$[").append(path).append("]");
        } else {
          full.append(first == '[' ? "$" : "$.").append(path);
        }
        found = lookup(ctx, nodes, full, nullptr, &failed);
      } else {
        found = lookup(ctx, nodes, path, nullptr, &failed);
      }
      if (failed || found == PathLookup::kNone) return;
      if (flags == 1) {
        result_node_json(ctx, &nodes[found], {});
      } else {
        result_node(ctx, &nodes[found]);
        ctx.result().set_subtype(0);
      }
      return;
    }
    uint32_t found = lookup(ctx, nodes, path, nullptr, &failed);
    if (!failed && found != PathLookup::kNone) result_node(ctx, &nodes[found]);
    return;
  }
  // Several paths: a JSON array of the selected values (null when absent).
  JsonWriter& w = scratch_writer();
  w.ch('[');
  for (size_t i = 1; i < a.size(); i++) {
    bool null;
    vm::NumberText nt;
    std::string_view path = path_arg(a[i], nt, &null);
    uint32_t found = PathLookup::kNone;
    if (!null) {
      bool failed = false;
      found = lookup(ctx, nodes, path, nullptr, &failed);
      if (failed) return;
    }
    w.separator();
    if (found != PathLookup::kNone) {
      render(&nodes[found], w, &ctx, {});
    } else {
      w.raw("null");
    }
  }
  w.ch(']');
  result_json(ctx, w);
}

void type_fn(FunctionContext& ctx, Args a) {
  std::unique_ptr<JsonCache> local;
  JsonCache* c = parse_arg(ctx, a[0], true, local);
  if (!c) return;
  uint32_t found = 0;
  if (a.size() == 2) {
    bool null;
    vm::NumberText nt;
    std::string_view path = path_arg(a[1], nt, &null);
    if (null) return;
    bool failed = false;
    found = lookup(ctx, c->nodes, path, nullptr, &failed);
    if (failed || found == PathLookup::kNone) return;
  }
  ctx.result().set_text_ref(kTypeName[c->nodes[found].type]);
}

void valid_fn(FunctionContext& ctx, Args a) {
  std::unique_ptr<JsonCache> local;
  ctx.result().set_int(parse_arg(ctx, a[0], false, local) != nullptr);
}

void array_length_fn(FunctionContext& ctx, Args a) {
  std::unique_ptr<JsonCache> local;
  JsonCache* c = parse_arg(ctx, a[0], true, local);
  if (!c) return;
  uint32_t found = 0;
  if (a.size() == 2) {
    bool null;
    vm::NumberText nt;
    std::string_view path = path_arg(a[1], nt, &null);
    if (null) return;
    bool failed = false;
    found = lookup(ctx, c->nodes, path, nullptr, &failed);
    if (failed || found == PathLookup::kNone) return;
  }
  const JsonNode* node = &c->nodes[found];
  int64_t n = 0;
  if (node->type == kArray) {
    for (uint32_t i = 1; i <= node->n; n++) i += node_size(node[i]);
  }
  ctx.result().set_int(n);
}

void array_fn(FunctionContext& ctx, Args a) {
  JsonWriter& w = scratch_writer();
  w.ch('[');
  for (Value& v : a) {
    w.separator();
    w.value(ctx, v);
  }
  w.ch(']');
  result_json(ctx, w);
}

void object_fn(FunctionContext& ctx, Args a) {
  if (a.size() & 1) {
    ctx.set_error("json_object() requires an even number of arguments");
    return;
  }
  JsonWriter& w = scratch_writer();
  w.ch('{');
  for (size_t i = 0; i < a.size(); i += 2) {
    if (!a[i].is_text()) {
      // Also replaces an earlier BLOB error, as in SQLite.
      ctx.set_error("json_object() labels must be TEXT");
      return;
    }
    w.separator();
    w.quoted(a[i].text());
    w.ch(':');
    w.value(ctx, a[i + 1]);
  }
  w.ch('}');
  result_json(ctx, w);
}

void quote_fn(FunctionContext& ctx, Args a) {
  JsonWriter& w = scratch_writer();
  w.value(ctx, a[0]);
  result_json(ctx, w);
}

// RFC 7396 merge of the patch node into target (jsonMergePatch), by flags
// and appended nodes on `nodes`; returns the node to render in place of
// the target (the target itself, or a node of the patch).
void remove_all_nulls(JsonNode* obj) {
  uint32_t n = obj->n;
  for (uint32_t i = 2; i <= n; i += node_size(obj[i]) + 1) {
    if (obj[i].type == kNull) {
      obj[i].flags |= kRemove;
    } else if (obj[i].type == kObject) {
      remove_all_nulls(&obj[i]);
    }
  }
}

const JsonNode* merge_patch(std::vector<JsonNode>& nodes, uint32_t target, JsonNode* patch) {
  if (patch->type != kObject) return patch;
  if (nodes[target].type != kObject) {
    remove_all_nulls(patch);
    return patch;
  }
  uint32_t root = target;
  for (uint32_t i = 1; i < patch->n; i += node_size(patch[i + 1]) + 1) {
    if (patch[i].type != kString) continue;  // a container "label" ({["a"]:1}): undefined in SQLite
    uint32_t n_key = patch[i].n;
    const char* key = patch[i].u.content;
    uint32_t j;
    for (j = 1; j < nodes[target].n; j += node_size(nodes[target + j + 1]) + 1) {
      const JsonNode& label = nodes[target + j];
      if (label.type == kString && label.n == n_key && std::memcmp(label.u.content, key, n_key) == 0) {
        if (nodes[target + j + 1].flags & (kRemove | kPatch)) break;
        if (patch[i + 1].type == kNull) {
          nodes[target + j + 1].flags |= kRemove;
        } else {
          const JsonNode* merged = merge_patch(nodes, target + j + 1, &patch[i + 1]);
          if (merged != &nodes[target + j + 1]) {
            nodes[target + j + 1].u.patch = merged;
            nodes[target + j + 1].flags |= kPatch;
          }
        }
        break;
      }
    }
    if (j >= nodes[target].n && patch[i + 1].type != kNull) {
      // A new member: appended to the target's chain as {label: <patch>}.
      uint32_t start = static_cast<uint32_t>(nodes.size());
      JsonNode obj{kObject, 0, 2, {nullptr}};
      JsonNode label{kString, 0, n_key, {key}};
      JsonNode value{kTrue, kPatch, 0, {nullptr}};
      value.u.patch = &patch[i + 1];
      nodes.push_back(obj);
      nodes.push_back(label);
      nodes.push_back(value);
      remove_all_nulls(patch);
      nodes[root].flags |= kAppend;
      nodes[root].u.append = start - root;
      root = start;
    }
  }
  return &nodes[target];
}

void patch_fn(FunctionContext& ctx, Args a) {
  std::unique_ptr<JsonCache> local;
  JsonCache* c = parse_arg(ctx, a[0], true, local);
  if (!c) return;
  // The patch is parsed afresh: its nodes get flags and are pointed at.
  if (a[1].is_null()) return;
  vm::NumberText nt;
  std::string patch_text(internal::c_string(internal::arg_bytes(a[1], nt)));
  std::vector<JsonNode> patch;
  if (!parse_json(patch_text.c_str(), patch)) {
    ctx.set_error("malformed JSON");
    return;
  }
  std::vector<JsonNode>& nodes = c->edited;
  // Room for every node merge_patch may append (3 per patch member), so
  // pointers into `nodes` stay valid while merging.
  nodes.reserve(c->nodes.size() + patch.size() * 3);
  nodes = c->nodes;
  const JsonNode* result = merge_patch(nodes, 0, patch.data());
  result_node_json(ctx, result, {});
}

}  // namespace

void register_aggregates(FunctionRegistry& r);

}  // namespace json

void register_json_functions(FunctionRegistry& r) {
  using internal::int_user_data;
  using internal::scalar_def;
  using namespace json;
  // JSON functions are deterministic but not innocuous in SQLite 3.40.
  const uint32_t f = kDeterministic;
  r.add(scalar_def("json", 1, remove_fn, f));
  r.add(scalar_def("json_array", -1, array_fn, f));
  r.add(scalar_def("json_array_length", 1, array_length_fn, f));
  r.add(scalar_def("json_array_length", 2, array_length_fn, f));
  r.add(scalar_def("json_extract", -1, extract_fn, f));
  r.add(scalar_def("->", 2, extract_fn, f, int_user_data(1)));
  r.add(scalar_def("->>", 2, extract_fn, f, int_user_data(2)));
  r.add(scalar_def("json_insert", -1, set_fn, f, int_user_data(0)));
  r.add(scalar_def("json_object", -1, object_fn, f));
  r.add(scalar_def("json_patch", 2, patch_fn, f));
  r.add(scalar_def("json_quote", 1, quote_fn, f));
  r.add(scalar_def("json_remove", -1, remove_fn, f));
  r.add(scalar_def("json_replace", -1, set_fn, f, int_user_data(2)));
  r.add(scalar_def("json_set", -1, set_fn, f, int_user_data(1)));
  r.add(scalar_def("json_type", 1, type_fn, f));
  r.add(scalar_def("json_type", 2, type_fn, f));
  r.add(scalar_def("json_valid", 1, valid_fn, f));
  json::register_aggregates(r);
}

}  // namespace keel::func
