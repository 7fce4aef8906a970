// User-defined SQL functions and collations for the C++ API.
//
// A scalar function is a callable from the argument values to a result (or an
// error Status, which fails the statement with that code and message). An
// aggregate is a class with step()/finish(); a fresh object is made for each
// group by the factory. A collation compares two UTF-8 strings.
//
// Thread-safety: a function or collation registered on a Database is shared
// by all of its connections, which may run on different threads at once: the
// callables must be safe to call concurrently. Registered on one Connection,
// they are called only from the thread using that connection.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>

#include "keel/export.hpp"
#include "keel/status.hpp"
#include "keel/value.hpp"

namespace keel {

using ScalarFunction = std::function<Result<Value>(std::span<const Value> args)>;

class KEEL_API Aggregate {
 public:
  virtual ~Aggregate();
  virtual Status step(std::span<const Value> args) = 0;
  virtual Result<Value> finish() = 0;
};
using AggregateFactory = std::function<std::unique_ptr<Aggregate>()>;

// <0, 0, >0 as a sorts before, equal to, or after b. Must be a total order.
using CollationFunction = std::function<int(std::string_view a, std::string_view b)>;

struct FunctionOptions {
  bool deterministic = true;  // same arguments → same result (may be constant-folded)
};

}  // namespace keel
