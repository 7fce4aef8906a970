// FunctionDefs for module functions: the bridge from ext::ScalarFunction /
// ext::AggregateFunction (the SDK's classes) to the kernel's function
// registry, so a module function is called by the VM exactly like a
// built-in one.
#pragma once

#include <memory>

#include "func/function.h"
#include "keel/ext/function.hpp"

namespace keel::ext {

func::FunctionDef make_function_def(std::shared_ptr<ScalarFunction> fn);
func::FunctionDef make_aggregate_def(std::shared_ptr<AggregateFunction> fn);

}  // namespace keel::ext
