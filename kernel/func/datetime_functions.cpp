// Date and time SQL functions as SQLite 3.40's date.c: date, time,
// datetime, julianday, unixepoch, strftime, current_date, current_time,
// current_timestamp. The calendar work is in date_time.cpp.
#include <cstdint>
#include <string>

#include "func/datetime_internal.h"
#include "func/func_internal.h"
#include "vm/printf.h"

namespace keel::func {
namespace internal {
namespace {

using vm::Value;
using vm::ValueType;
using Args = std::span<Value>;

void julianday_fn(FunctionContext& ctx, Args a) {
  DateTime x;
  if (is_date(ctx, a, &x) == 0) {
    compute_jd(&x);
    ctx.result().set_real(static_cast<double>(x.iJD) / 86400000.0);
  }
}

void unixepoch_fn(FunctionContext& ctx, Args a) {
  DateTime x;
  if (is_date(ctx, a, &x) == 0) {
    compute_jd(&x);
    ctx.result().set_int(x.iJD / 1000 - 21086676 * static_cast<int64_t>(10000));
  }
}

// Writes n decimal digits of v (v >= 0) at out.
char* put_digits(char* out, int v, int n) {
  for (int i = n - 1; i >= 0; i--) {
    out[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return out + n;
}

// "[-]YYYY-MM-DD": the year is a sign and four digits.
char* put_date(char* out, const DateTime& x) {
  if (x.Y < 0) *out++ = '-';
  out = put_digits(out, x.Y < 0 ? -x.Y : x.Y, 4);
  *out++ = '-';
  out = put_digits(out, x.M, 2);
  *out++ = '-';
  return put_digits(out, x.D, 2);
}

// "HH:MM:SS", seconds truncated.
char* put_time(char* out, const DateTime& x) {
  out = put_digits(out, x.h, 2);
  *out++ = ':';
  out = put_digits(out, x.m, 2);
  *out++ = ':';
  return put_digits(out, static_cast<int>(x.s), 2);
}

void set_text(FunctionContext& ctx, const char* buf, const char* end) {
  ctx.result().set_text(std::string_view(buf, static_cast<size_t>(end - buf)));
}

void datetime_fn(FunctionContext& ctx, Args a) {
  DateTime x;
  if (is_date(ctx, a, &x) == 0) {
    compute_ymd_hms(&x);
    char buf[32];
    char* out = put_date(buf, x);
    *out++ = ' ';
    set_text(ctx, buf, put_time(out, x));
  }
}

void time_fn(FunctionContext& ctx, Args a) {
  DateTime x;
  if (is_date(ctx, a, &x) == 0) {
    compute_hms(&x);
    char buf[16];
    set_text(ctx, buf, put_time(buf, x));
  }
}

void date_fn(FunctionContext& ctx, Args a) {
  DateTime x;
  if (is_date(ctx, a, &x) == 0) {
    compute_ymd(&x);
    char buf[16];
    set_text(ctx, buf, put_date(buf, x));
  }
}

// strftime(FORMAT, TIME, MOD...): the substitutions of SQLite 3.40 are
// %d %f %H %j %J %m %M %s %S %w %W %Y %%; any other '%' conversion (or a
// trailing '%') makes the result NULL.
void strftime_fn(FunctionContext& ctx, Args a) {
  if (a.empty() || a[0].is_null()) return;
  vm::NumberText nt;
  std::string fmt(c_string(arg_bytes(a[0], nt)));
  for (size_t i = 0; i < fmt.size(); i++) {
    if (fmt[i] != '%') continue;
    switch (fmt[i + 1]) {
      case 'd':
      case 'H':
      case 'm':
      case 'M':
      case 'S':
      case 'W':
      case 'w':
      case '%':
      case 'f':
      case 'j':
      case 'Y':
      case 's':
      case 'J':
        break;
      default:
        return;
    }
    i++;
  }
  DateTime x;
  if (is_date(ctx, a.subspan(1), &x)) return;
  compute_jd(&x);
  compute_ymd_hms(&x);
  std::string out;
  for (size_t i = 0; i < fmt.size(); i++) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    i++;
    switch (fmt[i]) {
      case 'd':
        vm::append_format(out, "%02d", x.D);
        break;
      case 'f': {
        double s = x.s;
        if (s > 59.999) s = 59.999;
        vm::append_format(out, "%06.3f", s);
        break;
      }
      case 'H':
        vm::append_format(out, "%02d", x.h);
        break;
      case 'W':
      case 'j': {
        DateTime y = x;
        y.validJD = false;
        y.M = 1;
        y.D = 1;
        compute_jd(&y);
        int n_day = static_cast<int>((x.iJD - y.iJD + 43200000) / 86400000);
        if (fmt[i] == 'W') {
          int wd = static_cast<int>(((x.iJD + 43200000) / 86400000) % 7);  // 0 = Monday
          vm::append_format(out, "%02d", (n_day + 7 - wd) / 7);
        } else {
          vm::append_format(out, "%03d", n_day + 1);
        }
        break;
      }
      case 'J':
        vm::append_format(out, "%.16g", static_cast<double>(x.iJD) / 86400000.0);
        break;
      case 'm':
        vm::append_format(out, "%02d", x.M);
        break;
      case 'M':
        vm::append_format(out, "%02d", x.m);
        break;
      case 's':
        vm::append_format(out, "%lld",
                          static_cast<long long>(x.iJD / 1000 - 21086676 * static_cast<int64_t>(10000)));
        break;
      case 'S':
        vm::append_format(out, "%02d", static_cast<int>(x.s));
        break;
      case 'w':
        out += static_cast<char>(((x.iJD + 129600000) / 86400000) % 7 + '0');
        break;
      case 'Y':
        vm::append_format(out, "%04d", x.Y);
        break;
      default:
        out += '%';
        break;
    }
  }
  result_text(ctx, out);
}

void current_time_fn(FunctionContext& ctx, Args) { time_fn(ctx, {}); }
void current_timestamp_fn(FunctionContext& ctx, Args) { datetime_fn(ctx, {}); }
void current_date_fn(FunctionContext& ctx, Args) { date_fn(ctx, {}); }

}  // namespace

void register_datetime_functions(FunctionRegistry& r) {
  // Deterministic for a given input, but 'now' changes between statements.
  constexpr uint32_t kDate = kPure | kSlowChange;
  r.add(scalar_def("julianday", -1, julianday_fn, kDate));
  r.add(scalar_def("unixepoch", -1, unixepoch_fn, kDate));
  r.add(scalar_def("date", -1, date_fn, kDate));
  r.add(scalar_def("time", -1, time_fn, kDate));
  r.add(scalar_def("datetime", -1, datetime_fn, kDate));
  r.add(scalar_def("strftime", -1, strftime_fn, kDate));
  r.add(scalar_def("current_time", 0, current_time_fn, kInnocuous | kSlowChange));
  r.add(scalar_def("current_timestamp", 0, current_timestamp_fn, kInnocuous | kSlowChange));
  r.add(scalar_def("current_date", 0, current_date_fn, kInnocuous | kSlowChange));
}

}  // namespace internal
}  // namespace keel::func
