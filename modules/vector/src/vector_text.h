// Vector text: the '[1,2,3]' form accepted by vector32('...') & co and
// produced by vector_extract(), matching Turso.
//
// Parsing: surrounding white space is ignored; the text must start with '['
// and end with ']'; elements are separated by ',' and may carry white space;
// each is a decimal number as Rust's f32/f64 parser accepts it (optional
// sign, digits with optional '.', optional exponent); every element must be
// finite. Any violation is "Invalid vector value". '[]' is zero elements.
//
// Printing: '[' elements ',' ']' with no spaces, each the shortest decimal that
// reads back to the same f32 (or f64) value, in positional notation (never an
// exponent): 1 → "1", 0.1f → "0.1", 1e-7f → "0.0000001", -0 → "-0". A 1-bit
// element prints as 1 or -1; an 8-bit element as its f32 value alpha·q+shift.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "keel/status.hpp"
#include "vector_format.h"

namespace keel::vector {

Status parse_text_f32(std::string_view text, std::vector<float>& out);
Status parse_text_f64(std::string_view text, std::vector<double>& out);

// Appends the shortest round-trip positional decimal of v.
void append_number(std::string& out, float v);
void append_number(std::string& out, double v);

std::string format_text(const VectorView& v);

}  // namespace keel::vector
