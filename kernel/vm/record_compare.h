// Index key comparison (sqlite3VdbeRecordCompare): a stored index record
// against a probe key held as Values, as the b-tree needs it to seek and to
// insert into index b-trees.
//
// Per key column the KeyInfo gives a collation (for TEXT) and sort flags
// (DESC, and "big NULL" for NULLS LAST/FIRST against the default). The probe
// may have fewer fields than the stored records (a prefix seek): when all
// probe fields compare equal, the result is the probe's default_rc, so a seek
// can land before (default_rc = +1: stored > probe, i.e. probe sorts first),
// on (0) or after (-1) the whole run of records sharing that prefix.
//
// The b-tree declares the abstract KeyComparator; an adapter is one line:
//   int compare(const uint8_t* k, size_t n) const override {
//     return compare_record(k, n, probe_); }
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "vm/collation.h"
#include "vm/value.h"

namespace keel::vm {

inline constexpr uint8_t kSortDesc = 1;     // KEYINFO_ORDER_DESC
inline constexpr uint8_t kSortBigNull = 2;  // KEYINFO_ORDER_BIGNULL: NULL sorts as the largest value

struct KeyInfo {
  uint16_t n_key_field = 0;                  // key columns, without the trailing rowid/PK columns
  uint16_t n_all_field = 0;                  // all columns of an index record
  std::vector<const Collation*> collations;  // per column; nullptr or missing = BINARY
  std::vector<uint8_t> sort_flags;           // per column; missing = ascending

  const Collation* collation(size_t i) const { return i < collations.size() ? collations[i] : nullptr; }
  uint8_t flags(size_t i) const { return i < sort_flags.size() ? sort_flags[i] : 0; }
};

// The probe key (UnpackedRecord). fields[0..n_field) are compared in order
// with the stored record's columns.
struct UnpackedRecord {
  const KeyInfo* key_info = nullptr;
  const Value* fields = nullptr;
  uint16_t n_field = 0;
  int8_t default_rc = 0;  // result when every probe field compares equal
  // Outputs of the last compare_record call:
  mutable int err_code = 0;      // rc::kCorrupt if the stored record was malformed (result then 0)
  mutable bool eq_seen = false;  // set when all probe fields compared equal
};

// <0 if the stored record `key` (n bytes) sorts before the probe, >0 after,
// else probe.default_rc. Never reads outside key[0..n); a malformed record
// sets probe.err_code = rc::kCorrupt and returns 0.
int compare_record(const uint8_t* key, size_t n, const UnpackedRecord& probe);

// Compares two complete stored records under `ki` (for cursor re-seeks and
// default index inserts): b is unpacked, then compare_record(a, ...) with
// default_rc 0. *err receives rc::kCorrupt on a malformed record.
int compare_records(const uint8_t* a, size_t na, const uint8_t* b, size_t nb, const KeyInfo& ki, int* err);

// OP_Compare over two runs of registers: compares a[i] with b[i] for i in
// [0, n) with the KeyInfo's collation of column i, stopping at the first
// difference; a NULL against a non-NULL flips under kSortBigNull, and
// kSortDesc flips the sign. Returns <0, 0 or >0.
int compare_keys(const Value* a, const Value* b, size_t n, const KeyInfo& ki);

// sqlite3VdbeRecordUnpack: decodes up to `max_fields` columns of a record
// into `out` (TEXT/BLOB borrowed) and returns how many were decoded.
size_t unpack_record(const uint8_t* key, size_t n, std::span<Value> out);

}  // namespace keel::vm
