// register_builtin_functions: every built-in SQL function of SQLite 3.40 that
// Keel's kernel provides, family by family.
#include "func/func_internal.h"
#include "func/function.h"
#include "func/json.h"

namespace keel::func {

void register_builtin_functions(FunctionRegistry& r) {
  internal::register_core_scalar(r);
  internal::register_string_functions(r);
  internal::register_like_functions(r);
  internal::register_aggregate_functions(r);
  internal::register_math_functions(r);
  internal::register_datetime_functions(r);
  internal::register_window_functions(r);
  register_json_functions(r);
}

}  // namespace keel::func
