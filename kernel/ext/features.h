// Feature flags: Turso's `experimental` tokens and the module behind each.
//
//   index_method → fts      views  → ivm      encryption → crypto
//   mvcc         → mvcc     vector → vector   cdc        → cdc
//
// vector and cdc are on by default, as in Turso ("-vector" / "-cdc" or
// "no_vector" switch a default off). Names are case-insensitive and accept
// dashes for underscores (the shell's `--experimental index-method`).
// A module name that is not a flag token (a third-party module) may be
// named too: FeatureSet keeps it as a module to load.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "keel/status.hpp"

namespace keel::ext {

struct FeatureInfo {
  const char* flag;
  const char* module;
  bool default_on;
};

// The known flags, in a stable order.
const std::vector<FeatureInfo>& known_features();
// The flag's entry, or nullptr.
const FeatureInfo* find_feature(std::string_view flag);

// The features of one connection: flags in effect, and whether each was
// asked for explicitly (a missing module is an error only then).
class FeatureSet {
 public:
  // Starts from the defaults.
  FeatureSet();
  // One token: "vector", "-vector", "no-cdc". Unknown → error listing the
  // known flags.
  Status add(std::string_view token);
  // A comma-separated list, as in ?experimental=a,b.
  Status add_list(std::string_view list);

  bool has(std::string_view flag) const;
  bool explicit_flag(std::string_view flag) const;
  // Enabled flags, defaults first.
  const std::vector<std::string>& flags() const { return flags_; }
  // A text such as "vector, cdc" for messages.
  std::string describe() const;

 private:
  std::vector<std::string> flags_;
  std::vector<std::string> explicit_;
};

// Normalizes a token: lower case, '-' → '_'.
std::string normalize_feature(std::string_view token);

}  // namespace keel::ext
