// Turning parse trees and SQL values into JSON text, and nodes into SQL
// values (SQLite 3.40's jsonAppendString, jsonAppendValue, jsonRenderNode,
// jsonReturn).
//
// Output is minified: no whitespace; numbers keep their original spelling
// ("1E5", "-0.50"); strings keep their original escapes; SQL REAL values are
// written as SQLite renders them as text ("%!.15g": 1.0e+20, Inf, -Inf).
#include <cstring>

#include "func/func_internal.h"
#include "func/json_internal.h"
#include "vm/numeric.h"

namespace keel::func::json {

void JsonWriter::quoted(std::string_view s) {
  static constexpr char kSpecial[32] = {0, 0, 0, 0, 0, 0, 0, 0, 'b', 't', 'n', 0, 'f', 'r', 0, 0,
                                        0, 0, 0, 0, 0, 0, 0, 0, 0,   0,   0,   0, 0,   0,   0, 0};
  buf.reserve(buf.size() + s.size() + 2);
  buf.push_back('"');
  size_t run = 0;  // start of the pending run of bytes copied as they are
  for (size_t i = 0; i < s.size(); i++) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c != '"' && c != '\\' && c > 0x1f) continue;
    buf.append(s.data() + run, i - run);
    run = i + 1;
    buf.push_back('\\');
    if (c == '"' || c == '\\') {
      buf.push_back(static_cast<char>(c));
    } else if (kSpecial[c]) {
      buf.push_back(kSpecial[c]);
    } else {
      buf.append("u00");
      buf.push_back(static_cast<char>('0' + (c >> 4)));
      buf.push_back("0123456789abcdef"[c & 0xf]);
    }
  }
  buf.append(s.data() + run, s.size() - run);
  buf.push_back('"');
}

void JsonWriter::value(FunctionContext& ctx, vm::Value& v) {
  switch (v.type()) {
    case vm::ValueType::kNull:
      raw("null");
      break;
    case vm::ValueType::kInteger:
    case vm::ValueType::kReal: {
      vm::NumberText nt;
      raw(v.as_text(nt));
      break;
    }
    case vm::ValueType::kText:
      if (v.subtype() == kJsonSubtype) {
        raw(v.text());
      } else {
        quoted(v.text());
      }
      break;
    case vm::ValueType::kBlob:
      if (err == 0) {
        ctx.set_error("JSON cannot hold BLOB values");
        err = 2;
        buf.clear();
      }
      break;
  }
}

void render(const JsonNode* node, JsonWriter& out, FunctionContext* ctx, std::span<vm::Value> args) {
  if (node->flags & (kReplace | kPatch)) {
    if ((node->flags & kReplace) && !args.empty()) {
      out.value(*ctx, args[node->u.replace]);
      return;
    }
    node = node->u.patch;
  }
  switch (node->type) {
    case kNull:
      out.raw("null");
      break;
    case kTrue:
      out.raw("true");
      break;
    case kFalse:
      out.raw("false");
      break;
    case kString:
      if (node->flags & kRaw) {
        out.quoted(std::string_view(node->u.content, node->n));
        break;
      }
      [[fallthrough]];
    case kInt:
    case kReal:
      out.raw(std::string_view(node->u.content, node->n));
      break;
    case kArray: {
      uint32_t j = 1;
      out.ch('[');
      for (;;) {
        while (j <= node->n) {
          if ((node[j].flags & kRemove) == 0) {
            out.separator();
            render(&node[j], out, ctx, args);
          }
          j += node_size(node[j]);
        }
        if ((node->flags & kAppend) == 0) break;
        node = &node[node->u.append];
        j = 1;
      }
      out.ch(']');
      break;
    }
    case kObject: {
      uint32_t j = 1;
      out.ch('{');
      for (;;) {
        while (j <= node->n) {
          if ((node[j + 1].flags & kRemove) == 0) {
            out.separator();
            render(&node[j], out, ctx, args);
            out.ch(':');
            render(&node[j + 1], out, ctx, args);
          }
          j += 1 + node_size(node[j + 1]);
        }
        if ((node->flags & kAppend) == 0) break;
        node = &node[node->u.append];
        j = 1;
      }
      out.ch('}');
      break;
    }
  }
}

namespace {

uint32_t hex4(const char* z) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    char c = z[i];
    uint32_t h = c <= '9' ? static_cast<uint32_t>(c - '0') : static_cast<uint32_t>((c | 0x20) - 'a' + 10);
    v = (v << 4) | (h & 0xf);
  }
  return v;
}

// A JSON string literal (with quotes, escapes valid) unescaped into out.
void unescape(const char* z, uint32_t n, std::string& out) {
  out.clear();
  out.reserve(n);
  for (uint32_t i = 1; i + 1 < n; i++) {
    char c = z[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    c = z[++i];
    if (c == 'u') {
      uint32_t v = hex4(z + i + 1);
      i += 4;
      if (v == 0) break;  // SQLite ends the text at an escaped NUL
      if (v <= 0x7f) {
        out.push_back(static_cast<char>(v));
      } else if (v <= 0x7ff) {
        out.push_back(static_cast<char>(0xc0 | (v >> 6)));
        out.push_back(static_cast<char>(0x80 | (v & 0x3f)));
      } else {
        uint32_t lo;
        if ((v & 0xfc00) == 0xd800 && i + 6 < n && z[i + 1] == '\\' && z[i + 2] == 'u' &&
            ((lo = hex4(z + i + 3)) & 0xfc00) == 0xdc00) {
          v = ((v & 0x3ff) << 10) + (lo & 0x3ff) + 0x10000;
          i += 6;
          out.push_back(static_cast<char>(0xf0 | (v >> 18)));
          out.push_back(static_cast<char>(0x80 | ((v >> 12) & 0x3f)));
          out.push_back(static_cast<char>(0x80 | ((v >> 6) & 0x3f)));
          out.push_back(static_cast<char>(0x80 | (v & 0x3f)));
        } else {
          out.push_back(static_cast<char>(0xe0 | (v >> 12)));
          out.push_back(static_cast<char>(0x80 | ((v >> 6) & 0x3f)));
          out.push_back(static_cast<char>(0x80 | (v & 0x3f)));
        }
      }
      continue;
    }
    switch (c) {
      case 'b':
        c = '\b';
        break;
      case 'f':
        c = '\f';
        break;
      case 'n':
        c = '\n';
        break;
      case 'r':
        c = '\r';
        break;
      case 't':
        c = '\t';
        break;
      default:
        break;
    }
    out.push_back(c);
  }
}

void set_text_checked(vm::Value& out, std::string_view s, int64_t max_length, bool* too_big) {
  if (static_cast<int64_t>(s.size()) > max_length) {
    *too_big = true;
    out.set_null();
    return;
  }
  out.set_text(s);
}

}  // namespace

void node_to_value(const JsonNode* node, vm::Value& out, int64_t max_length, bool* too_big) {
  switch (node->type) {
    case kTrue:
      out.set_int(1);
      return;
    case kFalse:
      out.set_int(0);
      return;
    case kInt: {
      // Digits accumulate as SQLite's jsonReturn does: anything beyond int64
      // (other than exactly -2^63) is read as a REAL.
      const char* z = node->u.content;
      const char* end = z + node->n;
      bool neg = *z == '-';
      if (neg) z++;
      int64_t i = 0;
      bool as_real = false;
      while (z < end && *z >= '0' && *z <= '9') {
        unsigned v = static_cast<unsigned>(*z++ - '0');
        if (i >= INT64_MAX / 10) {
          if (i > INT64_MAX / 10 || (z < end && *z >= '0' && *z <= '9') || v == 9) {
            as_real = true;
            break;
          }
          if (v == 8) {
            if (neg) {
              out.set_int(INT64_MIN);
              return;
            }
            as_real = true;
            break;
          }
        }
        i = i * 10 + v;
      }
      if (!as_real) {
        out.set_int(neg ? -i : i);
        return;
      }
      [[fallthrough]];
    }
    case kReal: {
      double r = 0;
      vm::atof(node->u.content, node->n, &r);
      out.set_real(r);
      return;
    }
    case kString: {
      if (node->flags & kRaw) {
        set_text_checked(out, std::string_view(node->u.content, node->n), max_length, too_big);
      } else if ((node->flags & kEscape) == 0) {
        set_text_checked(out, std::string_view(node->u.content + 1, node->n - 2), max_length, too_big);
      } else {
        thread_local std::string scratch;
        unescape(node->u.content, node->n, scratch);
        set_text_checked(out, scratch, max_length, too_big);
      }
      return;
    }
    case kArray:
    case kObject: {
      JsonWriter w;
      render(node, w, nullptr, {});
      set_text_checked(out, w.buf, max_length, too_big);
      if (!*too_big) out.set_subtype(kJsonSubtype);
      return;
    }
    default:
      out.set_null();
      return;
  }
}

void append_label_path(std::string& out, const JsonNode& label) {
  if (label.type != kString && label.type != kInt && label.type != kReal) {
    // Only in an object whose "label" was a container ({["a"]:1}): SQLite
    // prints its null content pointer as nothing.
    out.push_back('.');
    return;
  }
  const char* z = label.u.content;
  size_t n = label.n;
  if ((label.flags & kRaw) == 0 && n > 2) {
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    auto alnum = [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); };
    if (alpha(z[1])) {
      size_t j = 2;
      while (j < n - 1 && alnum(z[j])) j++;
      if (j == n - 1) {
        z++;
        n -= 2;
      }
    }
  }
  out.push_back('.');
  out.append(z, n);
}

}  // namespace keel::func::json
