// The built-in collations, as SQLite's binCollFunc, nocaseCollatingFunc and
// rtrimCollFunc (main.c).
#include "vm/collation.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace keel::vm {

unsigned char ascii_tolower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

int binary_compare(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  int rc = n ? std::memcmp(a.data(), b.data(), n) : 0;
  if (rc == 0) rc = a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
  return rc;
}

int strnicmp(const char* left, const char* right, size_t n) {
  auto a = reinterpret_cast<const unsigned char*>(left);
  auto b = reinterpret_cast<const unsigned char*>(right);
  // `n` counts down past zero to mark "all n bytes matched" (SQLite's N<0).
  std::ptrdiff_t left_n = static_cast<std::ptrdiff_t>(n);
  while (left_n-- > 0 && *a != 0 && ascii_tolower(*a) == ascii_tolower(*b)) {
    a++;
    b++;
  }
  return left_n < 0 ? 0 : ascii_tolower(*a) - ascii_tolower(*b);
}

int nocase_compare(std::string_view a, std::string_view b) {
  int r = strnicmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (r == 0) r = a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
  return r;
}

int rtrim_compare(std::string_view a, std::string_view b) {
  while (!a.empty() && a.back() == ' ') a.remove_suffix(1);
  while (!b.empty() && b.back() == ' ') b.remove_suffix(1);
  return binary_compare(a, b);
}

int stricmp(std::string_view a, std::string_view b) {
  size_t i = 0;
  while (true) {
    int c = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    int x = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    if (c == x) {
      if (c == 0) return 0;
    } else {
      c = ascii_tolower(static_cast<unsigned char>(c)) - ascii_tolower(static_cast<unsigned char>(x));
      if (c) return c;
    }
    i++;
  }
}

namespace {

class BinaryCollation final : public Collation {
 public:
  std::string_view name() const override { return "BINARY"; }
  int compare(std::string_view a, std::string_view b) const override { return binary_compare(a, b); }
};

class NocaseCollation final : public Collation {
 public:
  std::string_view name() const override { return "NOCASE"; }
  int compare(std::string_view a, std::string_view b) const override { return nocase_compare(a, b); }
};

class RtrimCollation final : public Collation {
 public:
  std::string_view name() const override { return "RTRIM"; }
  int compare(std::string_view a, std::string_view b) const override { return rtrim_compare(a, b); }
};

const BinaryCollation kBinary;
const NocaseCollation kNocase;
const RtrimCollation kRtrim;

}  // namespace

const Collation* binary_collation() { return &kBinary; }
const Collation* nocase_collation() { return &kNocase; }
const Collation* rtrim_collation() { return &kRtrim; }

const Collation* find_builtin_collation(std::string_view name) {
  if (stricmp(name, "BINARY") == 0) return &kBinary;
  if (stricmp(name, "NOCASE") == 0) return &kNocase;
  if (stricmp(name, "RTRIM") == 0) return &kRtrim;
  return nullptr;
}

}  // namespace keel::vm
