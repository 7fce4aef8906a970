// Type affinity: SQLite's column affinities, how a declared type name maps to
// one, how an affinity converts a value (on INSERT, in OP_Affinity, in CAST),
// which affinity a comparison uses, and the STRICT table type check.
//
// The enum values are SQLite's affinity characters, so affinity strings in
// EXPLAIN output ("DBE") read the same as SQLite's.
#pragma once

#include <string_view>

#include "keel/status.hpp"
#include "vm/value.h"

namespace keel::vm {

enum class Affinity : char {
  kNone = '@',     // no affinity (an expression that is not a column)
  kBlob = 'A',     // "BLOB" or no declared type: values are stored as given
  kText = 'B',     // numbers become text
  kNumeric = 'C',  // well-formed numeric text becomes INTEGER or REAL
  kInteger = 'D',  // as NUMERIC
  kReal = 'E',     // as NUMERIC, then integers become REAL
};

inline bool is_numeric_affinity(Affinity a) { return a >= Affinity::kNumeric; }

// sqlite3AffinityType plus sqlite3AddColumn's "no type → BLOB": the column
// affinity for a declared type name ("VARCHAR(10)" → TEXT, "BIGINT" →
// INTEGER, "" → BLOB, "FLOATING POINT" → REAL, "DECIMAL" → NUMERIC).
Affinity affinity_from_type_name(std::string_view decl_type);

// applyAffinity as OP_Affinity/OP_MakeRecord apply it to a value being
// stored:
//   TEXT      numbers become their text; NULL/TEXT/BLOB unchanged.
//   NUMERIC,  TEXT that is a well-formed number (surrounding spaces allowed)
//   INTEGER   becomes INTEGER if it is an integer that fits (or a real with an
//             exact small integer value, "3.0" → 3), else REAL; a REAL with an
//             exact integer value strictly inside the int64 range becomes
//             INTEGER. BLOB and other TEXT unchanged.
//   REAL      as NUMERIC, then INTEGER becomes REAL.
//   BLOB/NONE unchanged.
// The record encoder stores a REAL-affinity value with an integral value as an
// integer when that is smaller (see RecordBuilder), as SQLite does.
void apply_affinity(Value& v, Affinity a);

// applyNumericAffinity for a TEXT value: converts well-formed numeric text to
// INTEGER or REAL; with try_for_int a REAL with an exact integer value becomes
// INTEGER. Other values are unchanged. Comparisons use try_for_int = false.
void apply_numeric_affinity(Value& v, bool try_for_int);

// CAST(v AS <type with affinity a>) (sqlite3VdbeMemCast): NULL stays NULL;
// INTEGER takes the integer prefix ("  12abc" → 12, 1e100 → INT64_MAX);
// REAL the real prefix; NUMERIC the "looks like a number" prefix (as INTEGER
// when exact); TEXT renders numbers, reinterprets blobs; BLOB reinterprets
// text and renders numbers as their text bytes.
void cast_value(Value& v, Affinity a);

// sqlite3CompareAffinity: the affinity a binary comparison applies, given the
// affinities of its two operands (kNone for an operand that is not a column
// or CAST). Column vs column: NUMERIC if either is numeric, else BLOB (no
// conversion). Column vs expression: the column's. Neither: kNone.
Affinity comparison_affinity(Affinity left, Affinity right);

class Collation;

// A comparison operator's view (OP_Eq, OP_Lt, ...): converts copies of the
// operands under `a` as SQLite does (numeric affinity: TEXT operands that look
// like numbers become numbers; TEXT affinity: numbers become text when the
// other side is text) and returns the sign of lhs <=> rhs per compare_values.
// Neither operand is modified; nothing is allocated. NULLs compare as in
// compare_values (the caller applies SQL NULL semantics).
int compare_with_affinity(const Value& lhs, const Value& rhs, Affinity a, const Collation* coll);

// STRICT tables: the datatype a column declares.
enum class StrictType { kAny, kBlob, kInt, kInteger, kReal, kText };

// Parses a STRICT column type name (case-insensitive "ANY", "BLOB", "INT",
// "INTEGER", "REAL", "TEXT"); false for anything else.
bool strict_type_from_name(std::string_view name, StrictType* out);
// The column affinity of a STRICT type (ANY → BLOB in a STRICT table).
Affinity strict_type_affinity(StrictType t);

// OP_TypeCheck for one column value of a STRICT table: applies the column's
// affinity, then accepts NULL or a value of the declared type (REAL also
// accepts INTEGER, converting it), else fails with
// SQLITE_CONSTRAINT_DATATYPE "cannot store TEXT value in INTEGER column t.c".
Status strict_check(Value& v, StrictType t, std::string_view table, std::string_view column);

}  // namespace keel::vm
