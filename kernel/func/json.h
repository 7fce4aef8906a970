// The JSON functions of SQLite 3.40 (its JSON1 surface, built in since 3.38).
//
// Scalar: json, json_valid, json_type (1 and 2 arguments), json_extract,
// "->" and "->>" (the functions the parser calls for the operators),
// json_array, json_object, json_array_length (1 and 2), json_insert,
// json_replace, json_set, json_remove, json_patch, json_quote. Aggregate and
// window: json_group_array, json_group_object. Text produced as JSON carries
// the subtype 'J' (74) so that an enclosing json_* call embeds it as JSON
// rather than quoting it as a string. SQLite 3.40 has neither JSON5 nor
// JSONB nor json_error_position, and neither has Keel.
//
// json_each and json_tree are table-valued functions; their row generator is
// JsonEach (json_each.h), exposed by the planner rather than registered here.
#pragma once

#include "func/function.h"

namespace keel::func {

// Adds every JSON function above to r (called by register_builtin_functions).
void register_json_functions(FunctionRegistry& r);

}  // namespace keel::func
