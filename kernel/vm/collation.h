// Collating sequences: how two TEXT values compare.
//
// SQLite's three built-ins are provided: BINARY (memcmp, then length), NOCASE
// (ASCII letters folded, bytes >= 0x80 compared as they are) and RTRIM
// (BINARY ignoring trailing spaces). A user-defined collation subclasses
// Collation; the VM and the record comparator call compare() with the two
// byte strings. A nullptr Collation* means BINARY everywhere in this layer.
//
// Contract for implementations: compare() is a total order consistent with
// itself (antisymmetric, transitive) and thread-safe (it may be called from
// several connections at once); name() is stable, since it is stored in the
// schema (COLLATE clauses).
#pragma once

#include <string_view>

namespace keel::vm {

class Collation {
 public:
  virtual ~Collation() = default;
  virtual std::string_view name() const = 0;
  // <0, 0, >0 as a sorts before, equal to, or after b.
  virtual int compare(std::string_view a, std::string_view b) const = 0;
};

const Collation* binary_collation();
const Collation* nocase_collation();
const Collation* rtrim_collation();

// The built-in with this name (case-insensitive "BINARY", "NOCASE", "RTRIM"),
// or nullptr.
const Collation* find_builtin_collation(std::string_view name);

// The comparisons behind the built-ins, usable directly on hot paths.
int binary_compare(std::string_view a, std::string_view b);
int nocase_compare(std::string_view a, std::string_view b);
int rtrim_compare(std::string_view a, std::string_view b);

// sqlite3StrICmp / sqlite3StrNICmp: ASCII case-insensitive comparison (also
// used for identifiers). strnicmp stops at a NUL byte in `a`, as SQLite's does.
int stricmp(std::string_view a, std::string_view b);
int strnicmp(const char* a, const char* b, size_t n);

// sqlite3UpperToLower for one byte.
unsigned char ascii_tolower(unsigned char c);

}  // namespace keel::vm
