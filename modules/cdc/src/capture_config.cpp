#include "capture_config.h"

#include <cctype>

namespace keel::cdc {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool valid_table_name(std::string_view t) {
  if (t.empty() || std::isdigit(static_cast<unsigned char>(t[0]))) return false;
  for (char c : t) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return !(t.size() >= 7 && same_name(t.substr(0, 7), "sqlite_"));
}

}  // namespace

std::string_view mode_name(Mode m) {
  switch (m) {
    case Mode::kOff:
      return "off";
    case Mode::kId:
      return "id";
    case Mode::kBefore:
      return "before";
    case Mode::kAfter:
      return "after";
    case Mode::kFull:
      return "full";
  }
  return "off";
}

Result<CaptureConfig> parse_capture_value(std::string_view value) {
  size_t comma = value.find(',');
  std::string_view mode = trim(value.substr(0, comma));
  CaptureConfig c;
  static constexpr Mode kModes[] = {Mode::kOff, Mode::kId, Mode::kBefore, Mode::kAfter, Mode::kFull};
  bool found = false;
  for (Mode m : kModes) {
    if (same_name(mode, mode_name(m))) {
      c.mode = m;
      found = true;
    }
  }
  if (!found) {
    // Turso's message.
    return Status(rc::kError,
                  "unexpected pragma value: expected '<mode>' or '<mode>,<cdc-table-name>' parameter where "
                  "mode is one of off|id|before|after|full");
  }
  if (comma != std::string_view::npos) {
    std::string_view table = trim(value.substr(comma + 1));
    if (!valid_table_name(table)) {
      return Status(rc::kError, "invalid CDC table name '" + std::string(table) +
                                    "': use letters, digits and '_' (not starting with a digit or "
                                    "'sqlite_')");
    }
    c.table = std::string(table);
  }
  return c;
}

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

}  // namespace keel::cdc
