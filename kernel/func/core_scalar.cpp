// Core scalar functions of SQLite's func.c that are not about strings:
// abs, sign, round, typeof, subtype, quote, hex, printf/format, nullif,
// coalesce/ifnull/iif, likelihood/likely/unlikely, scalar min/max, random,
// randomblob, zeroblob, changes, total_changes, last_insert_rowid,
// sqlite_version, sqlite_source_id, sqlite_compileoption_get/used, sqlite_log.
#include <cctype>
#include <cstdint>
#include <cstring>
#include <string>

#include "func/func_internal.h"
#include "vm/collation.h"
#include "vm/numeric.h"
#include "vm/printf.h"
#include "vm/value_compare.h"

namespace keel::func {
namespace internal {
namespace {

using vm::Value;
using vm::ValueType;
using Args = std::span<Value>;

void abs_fn(FunctionContext& ctx, Args a) {
  switch (a[0].type()) {
    case ValueType::kInteger: {
      int64_t v = a[0].int_value();
      if (v < 0) {
        if (v == INT64_MIN) {
          ctx.set_error("integer overflow");
          return;
        }
        v = -v;
      }
      ctx.result().set_int(v);
      return;
    }
    case ValueType::kNull:
      return;
    default: {
      // Text and blobs are read as numbers; abs('x') is 0.0 (a REAL).
      double r = a[0].as_double();
      if (r < 0) r = -r;
      ctx.result().set_real(r);
      return;
    }
  }
}

void sign_fn(FunctionContext& ctx, Args a) {
  ValueType t = a[0].numeric_type();
  if (t != ValueType::kInteger && t != ValueType::kReal) return;
  double x = a[0].as_double();
  ctx.result().set_int(x < 0.0 ? -1 : x > 0.0 ? 1 : 0);
}

// round(X[,Y]): values beyond 2^52 have no fractional part; Y=0 rounds half
// away from zero through an int64; otherwise SQLite prints "%.*f" with its own
// printf and reads the text back.
void round_fn(FunctionContext& ctx, Args a) {
  int n = 0;
  if (a.size() == 2) {
    if (a[1].is_null()) return;
    n = value_int(a[1]);
    if (n > 30) n = 30;
    if (n < 0) n = 0;
  }
  if (a[0].is_null()) return;
  double r = a[0].as_double();
  if (r < -4503599627370496.0 || r > +4503599627370496.0) {
    // Nothing to round.
  } else if (n == 0) {
    r = static_cast<double>(static_cast<int64_t>(r + (r < 0 ? -0.5 : +0.5)));
  } else {
    std::string s = vm::format("%.*f", n, r);
    vm::atof(s, &r);
  }
  ctx.result().set_real(r);
}

void typeof_fn(FunctionContext& ctx, Args a) { ctx.result().set_text_ref(vm::type_name(a[0].type())); }

void subtype_fn(FunctionContext& ctx, Args a) { ctx.result().set_int(a[0].subtype()); }

constexpr char kHexUpper[] = "0123456789ABCDEF";

// quote(X): an SQL literal for X. A REAL is "%!.15g" when that reads back to
// the same double, else "%!.20e".
void quote_fn(FunctionContext& ctx, Args a) {
  Value& v = a[0];
  std::string out;
  switch (v.type()) {
    case ValueType::kReal: {
      double r1 = v.real_value(), r2 = 0;
      out = vm::format("%!.15g", r1);
      vm::atof(out, &r2);
      if (r1 != r2) out = vm::format("%!.20e", r1);
      break;
    }
    case ValueType::kInteger:
      out = vm::format("%lld", static_cast<long long>(v.int_value()));
      break;
    case ValueType::kBlob: {
      vm::NumberText nt;
      std::string_view b = arg_bytes(v, nt);
      out.reserve(b.size() * 2 + 3);
      out += "X'";
      for (unsigned char c : b) {
        out += kHexUpper[c >> 4];
        out += kHexUpper[c & 0xf];
      }
      out += '\'';
      break;
    }
    case ValueType::kText: {
      // %Q of a C string: stops at a NUL byte, doubles quotes.
      std::string_view s = c_string(v.text());
      out.reserve(s.size() + 2);
      out += '\'';
      for (char c : s) {
        out += c;
        if (c == '\'') out += '\'';
      }
      out += '\'';
      break;
    }
    case ValueType::kNull:
      out = "NULL";
      break;
  }
  result_text(ctx, out);
}

void hex_fn(FunctionContext& ctx, Args a) {
  vm::NumberText nt;
  std::string_view b = arg_bytes(a[0], nt);
  if (static_cast<int64_t>(b.size()) * 2 > ctx.host().max_length()) {
    ctx.set_error_toobig();
    return;
  }
  char* out = ctx.result().prepare_text(b.size() * 2);
  for (unsigned char c : b) {
    *out++ = kHexUpper[c >> 4];
    *out++ = kHexUpper[c & 0xf];
  }
}

void printf_fn(FunctionContext& ctx, Args a) {
  if (a.empty() || a[0].is_null()) return;
  vm::NumberText nt;
  std::string_view fmt = arg_bytes(a[0], nt);
  std::string out;
  bool is_null = false;
  Status st = vm::sql_printf(fmt, a.subspan(1), out, &is_null, static_cast<size_t>(ctx.host().max_length()));
  // As SQLite 3.40's printfFunc: an accumulator that overflowed
  // SQLITE_LIMIT_LENGTH, or to which nothing was ever appended, yields NULL
  // (no error).
  if (!st.ok() || is_null) return;
  ctx.result().set_text(out);
}

void nullif_fn(FunctionContext& ctx, Args a) {
  if (vm::compare_values(a[0], a[1], ctx.collation()) != 0) result_value(ctx, a[0]);
}

// coalesce()/ifnull() as ordinary functions (the code generator may instead
// evaluate the arguments lazily, as SQLite does).
void coalesce_fn(FunctionContext& ctx, Args a) {
  for (Value& v : a) {
    if (!v.is_null()) {
      result_value(ctx, v);
      return;
    }
  }
}

// iif(C, A, B): C is tested as OP_If does, NULL being false.
void iif_fn(FunctionContext& ctx, Args a) { result_value(ctx, vm::truth_value(a[0], false) ? a[1] : a[2]); }

// likelihood(X,P), likely(X), unlikely(X): X unchanged; the planner reads the
// probability (and checks P is a constant in 0.0..1.0).
void likely_fn(FunctionContext& ctx, Args a) { result_value(ctx, a[0]); }

// Scalar min(X,Y,...)/max(X,Y,...): NULL if any argument is NULL; ties keep
// the last argument for min and the first for max, as minmaxFunc's mask does.
void minmax_fn(FunctionContext& ctx, Args a) {
  int mask = user_int(ctx) == 0 ? 0 : -1;
  size_t best = 0;
  if (a[0].is_null()) return;
  for (size_t i = 1; i < a.size(); i++) {
    if (a[i].is_null()) return;
    if ((vm::compare_values(a[best], a[i], ctx.collation()) ^ mask) >= 0) best = i;
  }
  result_value(ctx, a[best]);
}

void random_fn(FunctionContext& ctx, Args) {
  int64_t r = 0;
  ctx.host().randomness(&r, sizeof(r));
  // As SQLite: avoid -r overflowing; the result is never INT64_MIN.
  if (r < 0) r = -(r & INT64_MAX);
  ctx.result().set_int(r);
}

void randomblob_fn(FunctionContext& ctx, Args a) {
  int64_t n = a[0].as_int64();
  if (n < 1) n = 1;
  if (n > ctx.host().max_length()) {
    ctx.set_error_toobig();
    return;
  }
  uint8_t* p = ctx.result().prepare_blob(static_cast<size_t>(n));
  ctx.host().randomness(p, static_cast<size_t>(n));
}

void zeroblob_fn(FunctionContext& ctx, Args a) {
  int64_t n = a[0].as_int64();
  if (n < 0) n = 0;
  if (n > ctx.host().max_length()) {
    ctx.set_error_toobig();
    return;
  }
  ctx.result().set_zeroblob(n);
}

void changes_fn(FunctionContext& ctx, Args) { ctx.result().set_int(ctx.host().changes()); }
void total_changes_fn(FunctionContext& ctx, Args) { ctx.result().set_int(ctx.host().total_changes()); }
void last_insert_rowid_fn(FunctionContext& ctx, Args) {
  ctx.result().set_int(ctx.host().last_insert_rowid());
}

// sqlite_log(CODE, MSG): writes MSG (up to a NUL) to the error log; NULL.
void sqlite_log_fn(FunctionContext& ctx, Args a) {
  vm::NumberText nt;
  std::string_view msg = a[1].is_null() ? std::string_view() : c_string(arg_bytes(a[1], nt));
  ctx.host().log(value_int(a[0]), msg);
}

void version_fn(FunctionContext& ctx, Args) { ctx.result().set_text_ref(kSqliteVersion); }
void source_id_fn(FunctionContext& ctx, Args) { ctx.result().set_text_ref(kSqliteSourceId); }

// `x MATCH y` calls match(y, x); only a virtual table that overloads it (full-
// text search) gives it a meaning. Elsewhere it fails when called, as SQLite's.
void match_fn(FunctionContext& ctx, Args) {
  ctx.set_error("unable to use function MATCH in the requested context");
}

// The compile-time options Keel reports (sqlite3_compileoption_get), sorted as
// SQLite sorts its list. Only facts about this engine are listed.
const char* const kCompileOptions[] = {
    "COMPILER=gcc-" __VERSION__,
    "DEFAULT_CACHE_SIZE=-2000",
    "DEFAULT_PAGE_SIZE=4096",
    "ENABLE_MATH_FUNCTIONS",
    "ENABLE_UPDATE_DELETE_LIMIT",
    "LIKE_DOESNT_MATCH_BLOBS",
    "MAX_LENGTH=1000000000",
    "MAX_LIKE_PATTERN_LENGTH=50000",
    "SOUNDEX",
    "THREADSAFE=1",
};

bool is_id_char(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

void compileoption_used_fn(FunctionContext& ctx, Args a) {
  if (a[0].is_null()) return;
  vm::NumberText nt;
  std::string name(c_string(arg_bytes(a[0], nt)));
  const char* z = name.c_str();
  // sqlite3_compileoption_used: an optional "SQLITE_" prefix is ignored, and
  // "X" matches "X=value".
  if (vm::strnicmp(z, "SQLITE_", 7) == 0) z += 7;
  size_t n = std::strlen(z);
  int used = 0;
  for (const char* opt : kCompileOptions) {
    if (vm::strnicmp(z, opt, n) == 0 && !is_id_char(static_cast<unsigned char>(opt[n]))) {
      used = 1;
      break;
    }
  }
  ctx.result().set_int(used);
}

void compileoption_get_fn(FunctionContext& ctx, Args a) {
  int n = value_int(a[0]);
  constexpr int kCount = static_cast<int>(sizeof(kCompileOptions) / sizeof(kCompileOptions[0]));
  if (n >= 0 && n < kCount) ctx.result().set_text_ref(kCompileOptions[n]);
}

}  // namespace

void register_core_scalar(FunctionRegistry& r) {
  constexpr uint32_t kVolatile = kInnocuous;  // not deterministic
  r.add(scalar_def("abs", 1, abs_fn, kPureParallel));
  r.add(scalar_def("sign", 1, sign_fn, kPureParallel));
  r.add(scalar_def("round", 1, round_fn));
  r.add(scalar_def("round", 2, round_fn));
  r.add(scalar_def("typeof", 1, typeof_fn, kPureParallel | kArgsByView));
  r.add(scalar_def("subtype", 1, subtype_fn));
  r.add(scalar_def("quote", 1, quote_fn));
  r.add(scalar_def("hex", 1, hex_fn, kPureParallel));
  r.add(scalar_def("printf", -1, printf_fn));
  r.add(scalar_def("format", -1, printf_fn));
  r.add(scalar_def("nullif", 2, nullif_fn, kPure | kNeedCollation));
  r.add(scalar_def("coalesce", -1, coalesce_fn));
  r.add(scalar_def("ifnull", 2, coalesce_fn));
  r.add(scalar_def("iif", 3, iif_fn));
  r.add(scalar_def("likelihood", 2, likely_fn));
  r.add(scalar_def("likely", 1, likely_fn));
  r.add(scalar_def("unlikely", 1, likely_fn));
  r.add(scalar_def("min", -1, minmax_fn, kPure | kNeedCollation, int_user_data(0)));
  r.add(scalar_def("max", -1, minmax_fn, kPure | kNeedCollation, int_user_data(1)));
  r.add(scalar_def("random", 0, random_fn, kVolatile));
  r.add(scalar_def("randomblob", 1, randomblob_fn, kVolatile));
  r.add(scalar_def("zeroblob", 1, zeroblob_fn));
  r.add(scalar_def("changes", 0, changes_fn, kVolatile));
  r.add(scalar_def("total_changes", 0, total_changes_fn, kVolatile));
  r.add(scalar_def("last_insert_rowid", 0, last_insert_rowid_fn, kVolatile));
  r.add(scalar_def("sqlite_log", 2, sqlite_log_fn));
  r.add(scalar_def("sqlite_version", 0, version_fn, kInnocuous | kSlowChange | kConstant));
  r.add(scalar_def("sqlite_source_id", 0, source_id_fn, kInnocuous | kSlowChange | kConstant));
  r.add(scalar_def("match", 2, match_fn, 0));
  r.add(scalar_def("sqlite_compileoption_used", 1, compileoption_used_fn, kInnocuous | kSlowChange));
  r.add(scalar_def("sqlite_compileoption_get", 1, compileoption_get_fn, kInnocuous | kSlowChange));
}

}  // namespace internal
}  // namespace keel::func
