// Affinity rules, after SQLite 3.40's sqlite3AffinityType (build.c),
// applyAffinity/applyNumericAffinity (vdbe.c), sqlite3VdbeMemCast
// (vdbemem.c), sqlite3CompareAffinity (expr.c) and OP_TypeCheck (vdbe.c).
#include "vm/affinity.h"

#include <cmath>
#include <cstdint>
#include <string>

#include "vm/collation.h"
#include "vm/numeric.h"
#include "vm/value_compare.h"

namespace keel::vm {
namespace {

constexpr int64_t kLargest = INT64_MAX;
constexpr int64_t kSmallest = INT64_MIN;

// (i64)r as x86-64 computes it: out-of-range and NaN give INT64_MIN.
int64_t x86_double_to_int(double r) {
  if (r > -9223372036854775808.0 && r < 9223372036854775808.0) return static_cast<int64_t>(r);
  return kSmallest;
}

// sqlite3VdbeIntegerAffinity: a REAL with an exact integer value strictly
// inside the int64 range becomes INTEGER.
void integer_affinity(Value& v) {
  double r = v.real_value();
  int64_t ix = real_to_int64(r);
  if (r == static_cast<double>(ix) && ix > kSmallest && ix < kLargest) v.set_int(ix);
}

// alsoAnInt
bool also_an_int(std::string_view s, double r, int64_t* out) {
  int64_t iv = x86_double_to_int(r);
  if (real_same_as_int(r, iv)) {
    *out = iv;
    return true;
  }
  return atoi64(s.data(), s.size(), out) == 0;
}

}  // namespace

Affinity affinity_from_type_name(std::string_view z) {
  if (z.empty()) return Affinity::kBlob;
  uint32_t h = 0;
  Affinity aff = Affinity::kNumeric;
  for (size_t i = 0; i < z.size() && z[i] != 0; i++) {
    h = (h << 8) + ascii_tolower(static_cast<unsigned char>(z[i]));
    if (h == (('c' << 24) + ('h' << 16) + ('a' << 8) + 'r')) {
      aff = Affinity::kText;
    } else if (h == (('c' << 24) + ('l' << 16) + ('o' << 8) + 'b')) {
      aff = Affinity::kText;
    } else if (h == (('t' << 24) + ('e' << 16) + ('x' << 8) + 't')) {
      aff = Affinity::kText;
    } else if (h == (('b' << 24) + ('l' << 16) + ('o' << 8) + 'b') &&
               (aff == Affinity::kNumeric || aff == Affinity::kReal)) {
      aff = Affinity::kBlob;
    } else if (h == (('r' << 24) + ('e' << 16) + ('a' << 8) + 'l') && aff == Affinity::kNumeric) {
      aff = Affinity::kReal;
    } else if (h == (('f' << 24) + ('l' << 16) + ('o' << 8) + 'a') && aff == Affinity::kNumeric) {
      aff = Affinity::kReal;
    } else if (h == (('d' << 24) + ('o' << 16) + ('u' << 8) + 'b') && aff == Affinity::kNumeric) {
      aff = Affinity::kReal;
    } else if ((h & 0x00FFFFFF) == (('i' << 16) + ('n' << 8) + 't')) {
      return Affinity::kInteger;
    }
  }
  return aff;
}

void apply_numeric_affinity(Value& v, bool try_for_int) {
  if (!v.is_text()) return;
  std::string_view s = v.text();
  double r;
  int rc = atof(s.data(), s.size(), &r);
  if (rc <= 0) return;
  int64_t iv;
  if (rc == 1 && also_an_int(s, r, &iv)) {
    v.set_int(iv);
  } else {
    v.set_real(r);
    if (try_for_int && v.is_real()) integer_affinity(v);
  }
}

void apply_affinity(Value& v, Affinity a) {
  if (a >= Affinity::kNumeric) {
    if (v.is_text()) {
      apply_numeric_affinity(v, true);
    } else if (v.is_real()) {
      integer_affinity(v);
    }
    if (a == Affinity::kReal && v.is_int()) v.set_real(static_cast<double>(v.int_value()));
  } else if (a == Affinity::kText) {
    v.stringify();
  }
}

void cast_value(Value& v, Affinity a) {
  if (v.is_null()) return;
  switch (a) {
    case Affinity::kNone:
    case Affinity::kBlob: {
      if (v.is_number()) v.stringify();
      if (v.is_text()) v.retype_bytes(ValueType::kBlob);
      break;
    }
    case Affinity::kNumeric: {
      if (v.is_number()) break;
      std::string_view s = v.text();  // zero-blob: empty, reads as 0
      double r;
      int rc = atof(s.data(), s.size(), &r);
      int64_t ix;
      if (((rc == 0 || rc == 1) && atoi64(s.data(), s.size(), &ix) <= 1) ||
          real_same_as_int(r, (ix = x86_double_to_int(r)))) {
        v.set_int(ix);
      } else {
        v.set_real(r);
      }
      break;
    }
    case Affinity::kInteger:
      v.set_int(v.as_int64());
      break;
    case Affinity::kReal:
      v.set_real(v.as_double());
      break;
    case Affinity::kText: {
      if (v.is_number()) {
        v.stringify();
      } else if (v.is_blob()) {
        v.expand_zeroblob();
        v.retype_bytes(ValueType::kText);
      }
      break;
    }
  }
}

Affinity comparison_affinity(Affinity left, Affinity right) {
  if (left > Affinity::kNone && right > Affinity::kNone) {
    if (is_numeric_affinity(left) || is_numeric_affinity(right)) return Affinity::kNumeric;
    return Affinity::kBlob;
  }
  Affinity a = left <= Affinity::kNone ? right : left;
  return a <= Affinity::kNone ? Affinity::kNone : a;
}

int compare_with_affinity(const Value& lhs, const Value& rhs, Affinity a, const Collation* coll) {
  if (a >= Affinity::kNumeric) {
    if (lhs.is_text() || rhs.is_text()) {
      // Shallow copies: converting them never touches the registers.
      Value l, r;
      l.shallow_copy_from(lhs);
      r.shallow_copy_from(rhs);
      apply_numeric_affinity(l, false);
      apply_numeric_affinity(r, false);
      return compare_values(l, r, coll);
    }
  } else if (a == Affinity::kText && (lhs.is_text() || rhs.is_text())) {
    NumberText lt, rt;
    Value l, r;
    if (lhs.is_number()) {
      l.set_text_ref(lhs.as_text(lt));
    } else {
      l.shallow_copy_from(lhs);
    }
    if (rhs.is_number()) {
      r.set_text_ref(rhs.as_text(rt));
    } else {
      r.shallow_copy_from(rhs);
    }
    return compare_values(l, r, coll);
  }
  return compare_values(lhs, rhs, coll);
}

bool strict_type_from_name(std::string_view name, StrictType* out) {
  static const struct {
    const char* name;
    StrictType type;
  } kTypes[] = {{"ANY", StrictType::kAny},         {"BLOB", StrictType::kBlob}, {"INT", StrictType::kInt},
                {"INTEGER", StrictType::kInteger}, {"REAL", StrictType::kReal}, {"TEXT", StrictType::kText}};
  for (const auto& t : kTypes) {
    if (stricmp(name, t.name) == 0) {
      *out = t.type;
      return true;
    }
  }
  return false;
}

Affinity strict_type_affinity(StrictType t) {
  switch (t) {
    case StrictType::kAny:
    case StrictType::kBlob:
      return Affinity::kBlob;
    case StrictType::kInt:
    case StrictType::kInteger:
      return Affinity::kInteger;
    case StrictType::kReal:
      return Affinity::kReal;
    case StrictType::kText:
      return Affinity::kText;
  }
  return Affinity::kBlob;
}

Status strict_check(Value& v, StrictType t, std::string_view table, std::string_view column) {
  // Type names as vdbeMemTypeName and sqlite3StdType print them.
  static const char* const kValueNames[] = {"INT", "REAL", "TEXT", "BLOB", "NULL"};
  static const char* const kStdNames[] = {"ANY", "BLOB", "INT", "INTEGER", "REAL", "TEXT"};
  // REAL affinity is applied below by the REAL case itself; apply the
  // INTEGER-like part first so an integral REAL does not turn into INTEGER.
  Affinity a = strict_type_affinity(t);
  if (a == Affinity::kReal) {
    apply_affinity(v, Affinity::kNumeric);
  } else {
    apply_affinity(v, a);
  }
  if (v.is_null()) return Status::Ok();
  bool ok = true;
  switch (t) {
    case StrictType::kBlob:
      ok = v.is_blob();
      break;
    case StrictType::kInt:
    case StrictType::kInteger:
      ok = v.is_int();
      break;
    case StrictType::kText:
      ok = v.is_text();
      break;
    case StrictType::kReal:
      if (v.is_int()) {
        v.set_real(static_cast<double>(v.int_value()));
      } else {
        ok = v.is_real();
      }
      break;
    case StrictType::kAny:
      break;
  }
  if (ok) return Status::Ok();
  std::string msg = "cannot store ";
  msg += kValueNames[static_cast<int>(v.type()) - 1];
  msg += " value in ";
  msg += kStdNames[static_cast<int>(t)];
  msg += " column ";
  msg += table;
  msg += ".";
  msg += column;
  return Status(rc::kConstraintDataType, std::move(msg));
}

}  // namespace keel::vm
