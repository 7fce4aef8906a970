// SQL functions for reading CDC rows:
//   table_columns_json_array(table)        '["a","b"]', the table's columns
//   bin_record_json_object(columns, rec)   '{"a":1,"b":"x"}', a record blob
//                                          decoded with those names
//   is_autocommit()                        1 outside BEGIN ... COMMIT
//   cdc_json_object(table, before, after)  one JSON document per change:
//     {"table":"t","op":"insert"|"update"|"delete","before":{..}|null,
//      "after":{..}|null}  (op left out when both images are NULL)
#pragma once

#include <memory>
#include <vector>

#include "keel/ext/function.hpp"

namespace keel::cdc {

std::vector<std::shared_ptr<ext::ScalarFunction>> make_functions();

}  // namespace keel::cdc
