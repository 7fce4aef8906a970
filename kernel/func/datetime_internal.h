// DateTime: the time value of the date and time functions (SQLite's date.c),
// how text and numbers become one, and how modifiers change it. Shared by
// date_time.cpp (parsing, calendar arithmetic, modifiers) and
// datetime_functions.cpp (the SQL functions).
#pragma once

#include <cstdint>
#include <span>

#include "func/function.h"
#include "vm/value.h"

namespace keel::func::internal {

struct DateTime {
  int64_t iJD;  // Julian day number times 86400000
  int Y, M, D;
  int h, m;
  int tz;    // timezone offset in minutes
  double s;  // seconds
  bool validJD;
  bool rawS;  // s holds a raw number not yet interpreted
  bool validYMD;
  bool validHMS;
  bool validTZ;
  bool tzSet;  // a timezone was given explicitly
  bool isError;
};

// isDate: the time value (argument 0, or 'now' when there are no arguments)
// with every modifier (arguments 1..) applied. Returns 0 on success, 1 when
// the result is NULL (an error may then be set on ctx).
int is_date(FunctionContext& ctx, std::span<vm::Value> args, DateTime* p);

// Derive one half of a DateTime from the other (Meeus's algorithms).
void compute_jd(DateTime* p);
void compute_ymd(DateTime* p);
void compute_hms(DateTime* p);
void compute_ymd_hms(DateTime* p);

}  // namespace keel::func::internal
