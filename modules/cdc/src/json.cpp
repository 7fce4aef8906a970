#include "json.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace keel::cdc {

namespace {

Status bad_array() { return Status(rc::kError, "columns must be a JSON array of column names"); }

void skip_ws(std::string_view s, size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

bool read_hex4(std::string_view s, size_t& i, uint32_t& v) {
  if (i + 4 > s.size()) return false;
  v = 0;
  for (int k = 0; k < 4; k++) {
    char c = s[i++];
    v <<= 4;
    if (c >= '0' && c <= '9') {
      v |= static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      v |= static_cast<uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      v |= static_cast<uint32_t>(c - 'A' + 10);
    } else {
      return false;
    }
  }
  return true;
}

bool read_string(std::string_view s, size_t& i, std::string& out) {
  if (i >= s.size() || s[i] != '"') return false;
  i++;
  while (i < s.size()) {
    char c = s[i++];
    if (c == '"') return true;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (i >= s.size()) return false;
    char e = s[i++];
    switch (e) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        uint32_t cp;
        if (!read_hex4(s, i, cp)) return false;
        if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < s.size() && s[i] == '\\' && s[i + 1] == 'u') {
          size_t j = i + 2;
          uint32_t lo;
          if (read_hex4(s, j, lo) && lo >= 0xdc00 && lo < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            i = j;
          }
        }
        append_utf8(out, cp);
        break;
      }
      default:
        return false;
    }
  }
  return false;
}

}  // namespace

Status parse_name_array(std::string_view json, std::vector<std::string>& names) {
  names.clear();
  size_t i = 0;
  skip_ws(json, i);
  if (i >= json.size() || json[i] != '[') return bad_array();
  i++;
  skip_ws(json, i);
  if (i < json.size() && json[i] == ']') {
    i++;
  } else {
    while (true) {
      std::string name;
      skip_ws(json, i);
      if (!read_string(json, i, name)) return bad_array();
      names.push_back(std::move(name));
      skip_ws(json, i);
      if (i < json.size() && json[i] == ',') {
        i++;
        continue;
      }
      if (i < json.size() && json[i] == ']') {
        i++;
        break;
      }
      return bad_array();
    }
  }
  skip_ws(json, i);
  if (i != json.size()) return bad_array();
  return Status::Ok();
}

std::string name_array(std::span<const std::string> names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); i++) {
    if (i) out += ',';
    append_string(out, names[i]);
  }
  out += ']';
  return out;
}

void append_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void append_field(std::string& out, const Field& f) {
  Value v = field_value(f);
  switch (v.type()) {
    case Type::kNull:
      out += "null";
      return;
    case Type::kInteger:
      out += std::to_string(v.as_int64());
      return;
    case Type::kReal: {
      double d = v.as_double();
      if (!std::isfinite(d)) {
        // JSON has no infinities; SQLite's json writes them as 9e999.
        out += d < 0 ? "-9e999" : "9e999";
        return;
      }
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, d);
      std::string_view text(buf, static_cast<size_t>(r.ptr - buf));
      // Keep a real a real, as Turso writes it: 2.0 is "2.0", 1e100 is
      // "1.0e+100".
      size_t e = text.find('e');
      std::string_view mantissa = text.substr(0, e);
      out += mantissa;
      if (mantissa.find('.') == std::string_view::npos) out += ".0";
      if (e != std::string_view::npos) out += text.substr(e);
      return;
    }
    case Type::kText:
      append_string(out, v.text());
      return;
    case Type::kBlob: {
      static constexpr char kHex[] = "0123456789abcdef";
      out += '"';
      for (uint8_t b : v.blob()) {
        out += kHex[b >> 4];
        out += kHex[b & 15];
      }
      out += '"';
      return;
    }
  }
}

Status append_record_object(std::string& out, std::span<const std::string> names,
                            std::span<const uint8_t> record) {
  std::vector<Field> fields;
  KEEL_RETURN_IF_ERROR(parse_record(record, fields));
  out += '{';
  size_t n = std::min(names.size(), fields.size());
  for (size_t i = 0; i < n; i++) {
    if (i) out += ',';
    append_string(out, names[i]);
    out += ':';
    append_field(out, fields[i]);
  }
  out += '}';
  return Status::Ok();
}

}  // namespace keel::cdc
