#include "ext/features.h"

#include <algorithm>

namespace keel::ext {

const std::vector<FeatureInfo>& known_features() {
  static const std::vector<FeatureInfo> k = {
      {"index_method", "fts", false}, {"views", "ivm", false},    {"encryption", "crypto", false},
      {"mvcc", "mvcc", false},        {"vector", "vector", true}, {"cdc", "cdc", true},
  };
  return k;
}

const FeatureInfo* find_feature(std::string_view flag) {
  for (const auto& f : known_features()) {
    if (flag == f.flag) return &f;
  }
  return nullptr;
}

std::string normalize_feature(std::string_view token) {
  std::string f(token);
  for (char& c : f) {
    if (c == '-') c = '_';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return f;
}

FeatureSet::FeatureSet() {
  for (const auto& f : known_features()) {
    if (f.default_on) flags_.emplace_back(f.flag);
  }
}

Status FeatureSet::add(std::string_view token) {
  std::string f = normalize_feature(token);
  bool off = false;
  if (!f.empty() && f[0] == '_') {  // "-vector" after normalization
    off = true;
    f.erase(0, 1);
  } else if (f.rfind("no_", 0) == 0) {
    off = true;
    f.erase(0, 3);
  }
  if (find_feature(f) == nullptr) {
    std::string list;
    for (const auto& k : known_features()) list += (list.empty() ? "" : ", ") + std::string(k.flag);
    return Status(rc::kError,
                  "unknown experimental feature: " + std::string(token) + " (known: " + list + ")");
  }
  auto it = std::find(flags_.begin(), flags_.end(), f);
  if (off) {
    if (it != flags_.end()) flags_.erase(it);
    explicit_.erase(std::remove(explicit_.begin(), explicit_.end(), f), explicit_.end());
    return Status::Ok();
  }
  if (it == flags_.end()) flags_.push_back(f);
  if (std::find(explicit_.begin(), explicit_.end(), f) == explicit_.end()) explicit_.push_back(f);
  return Status::Ok();
}

Status FeatureSet::add_list(std::string_view list) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) KEEL_RETURN_IF_ERROR(add(item));
    if (comma == std::string_view::npos) break;
    list = list.substr(comma + 1);
  }
  return Status::Ok();
}

bool FeatureSet::has(std::string_view flag) const {
  return std::find(flags_.begin(), flags_.end(), flag) != flags_.end();
}

bool FeatureSet::explicit_flag(std::string_view flag) const {
  return std::find(explicit_.begin(), explicit_.end(), flag) != explicit_.end();
}

std::string FeatureSet::describe() const {
  std::string s;
  for (const auto& f : flags_) s += (s.empty() ? "" : ", ") + f;
  return s;
}

}  // namespace keel::ext
