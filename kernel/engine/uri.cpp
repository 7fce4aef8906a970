#include "engine/uri.h"

namespace keel::engine {

namespace {

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '%' && i + 2 < s.size() + 0 && i + 2 <= s.size() - 1) {
      auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      int a = hex(s[i + 1]), b = hex(s[i + 2]);
      if (a >= 0 && b >= 0) {
        out += static_cast<char>(a * 16 + b);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

}  // namespace

ParsedUri parse_uri(std::string_view uri) {
  ParsedUri out;
  std::string_view rest = uri.substr(5);  // after "file:"
  size_t q = rest.find('?');
  std::string_view path = rest.substr(0, q);
  size_t hash = path.find('#');
  if (hash != std::string_view::npos) path = path.substr(0, hash);
  // "file://host/path": only an empty host or "localhost" is accepted.
  if (path.substr(0, 2) == "//") {
    size_t slash = path.find('/', 2);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  out.path = percent_decode(path);
  if (q != std::string_view::npos) {
    std::string_view query = rest.substr(q + 1);
    size_t h = query.find('#');
    if (h != std::string_view::npos) query = query.substr(0, h);
    while (!query.empty()) {
      size_t amp = query.find('&');
      std::string_view kv = query.substr(0, amp);
      size_t eq = kv.find('=');
      if (eq != std::string_view::npos) {
        out.params[percent_decode(kv.substr(0, eq))] = percent_decode(kv.substr(eq + 1));
      } else if (!kv.empty()) {
        out.params[percent_decode(kv)] = "";
      }
      if (amp == std::string_view::npos) break;
      query = query.substr(amp + 1);
    }
  }
  return out;
}

}  // namespace keel::engine
