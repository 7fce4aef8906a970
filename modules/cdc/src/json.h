// The small amount of JSON the CDC helpers read and write: a JSON array of
// column names in, one JSON object per record out.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.hpp"
#include "record.h"

namespace keel::cdc {

// Parses `["a","b"]` (whitespace allowed, the usual string escapes).
Status parse_name_array(std::string_view json, std::vector<std::string>& names);

// ["a","b"]
std::string name_array(std::span<const std::string> names);

// Appends `s` as a JSON string literal.
void append_string(std::string& out, std::string_view s);

// Appends one field as a JSON value: null, an integer, a real (shortest
// text that reads back the same), a string; a BLOB as the string of its
// bytes in lower-case hex.
void append_field(std::string& out, const Field& f);

// {"name":value,...} pairing names with the record's fields in order; a
// field with no name is left out, a name with no field too (a record
// written before an ALTER TABLE ADD COLUMN).
Status append_record_object(std::string& out, std::span<const std::string> names,
                            std::span<const uint8_t> record);

}  // namespace keel::cdc
