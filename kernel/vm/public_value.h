// keel::Value (the public API's value type, sdk/include/keel/value.hpp) is
// implemented here, beside vm::Value, so that its conversions follow
// SQLite's rules in exactly one place and the kernel layers that hand values
// to modules (pragma rows, module function arguments) can use it without the
// API layer.
#pragma once

#include "keel/value.hpp"
#include "vm/value.h"

namespace keel::cpp {

// A borrowing view of `v` (valid while `v` lives and is unchanged).
vm::Value to_vm(const Value& v);
Value from_vm(const vm::Value& v);

}  // namespace keel::cpp
