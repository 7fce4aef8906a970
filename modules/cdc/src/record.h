// SQLite record blobs, as the CDC table stores them: parsing a record into
// fields without copying, writing fields back into a record, and converting
// a field to a keel::Value.
//
// Format (SQLite file format §2.1): a varint header size (counting itself),
// one varint serial type per field, then the field bodies in order. Serial
// types: 0 NULL; 1..6 big-endian two's-complement integers of 1, 2, 3, 4, 6
// and 8 bytes; 7 big-endian IEEE double; 8 and 9 the integers 0 and 1 with
// no body; N >= 12 even a BLOB of (N-12)/2 bytes, N >= 13 odd TEXT of
// (N-13)/2 bytes. Records written here use the smallest serial type for an
// integer, as SQLite does, so equal values encode to equal bytes.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "keel/status.hpp"
#include "keel/value.hpp"

namespace keel::cdc {

// One field of a record: its serial type and a view of its body (which
// lives in the record parsed, or in storage the caller owns).
struct Field {
  uint64_t type = 0;
  std::span<const uint8_t> body;
};

// Splits `record` into fields (appended to `out`, which is cleared first).
// rc::kCorrupt for bytes that are not a record.
Status parse_record(std::span<const uint8_t> record, std::vector<Field>& out);

// Appends a record made of `fields` to `out` (cleared first).
void write_record(std::span<const Field> fields, std::vector<uint8_t>& out);
// Writes a record made of `fields` into `out` at offset `at`, growing `out`
// only if it is too short (a buffer reused from record to record is not
// cleared and refilled each time); returns the offset just past the
// record. If `repointed` is given (fields.size() entries), it receives the
// fields with their bodies pointing into `out` (valid until `out` grows).
size_t put_record(std::span<const Field> fields, std::vector<uint8_t>& out, size_t at,
                  Field* repointed = nullptr);

// The field of an integer: serial type 8/9 for 0/1, else the smallest
// integer type; the body is written into `storage` (8 bytes). Inline: CDC
// rows carry several per change.
inline Field integer_field(int64_t v, std::array<uint8_t, 8>& storage) {
  if (v == 0) return Field{8, {}};
  if (v == 1) return Field{9, {}};
  uint64_t type;
  size_t n;
  if (v >= -128 && v <= 127) {
    type = 1, n = 1;
  } else if (v >= -32768 && v <= 32767) {
    type = 2, n = 2;
  } else if (v >= -8388608 && v <= 8388607) {
    type = 3, n = 3;
  } else if (v >= -2147483648LL && v <= 2147483647LL) {
    type = 4, n = 4;
  } else if (v >= -140737488355328LL && v <= 140737488355327LL) {
    type = 5, n = 6;
  } else {
    type = 6, n = 8;
  }
  uint64_t u = static_cast<uint64_t>(v);
  for (size_t i = 0; i < n; i++) storage[n - 1 - i] = static_cast<uint8_t>(u >> (8 * i));
  return Field{type, std::span<const uint8_t>(storage.data(), n)};
}

// The field of an owned value; TEXT and BLOB bodies point into `v`, numbers
// into `storage`.
Field value_field(const Value& v, std::array<uint8_t, 8>& storage);

// The value a field holds (TEXT and BLOB copied).
Value field_value(const Field& f);

// True if both fields hold the same value (same serial type and bytes).
bool same_field(const Field& a, const Field& b);

}  // namespace keel::cdc
