#include "keel/status.hpp"

namespace keel {

Status::Status(int code, std::string message) {
  if (code != rc::kOk) rep_ = std::make_unique<Rep>(Rep{code, std::move(message)});
}

Status::Status(int code) : Status(code, rc::errstr(code)) {}

std::string Status::to_string() const {
  if (ok()) return "OK";
  std::string out = rc::errstr(code());
  out += " (";
  out += std::to_string(code());
  out += "): ";
  out += message();
  return out;
}

}  // namespace keel
