// The math functions of SQLITE_ENABLE_MATH_FUNCTIONS (func.c): ceil/ceiling,
// floor, trunc, ln, log, log10, log2, exp, pow/power, mod, sqrt, pi,
// degrees, radians and the trigonometric and hyperbolic functions.
//
// Arguments are read with sqlite3_value_numeric_type: NULL, BLOB and text
// that does not look like a number give NULL. A domain error (NaN) gives
// NULL, since a NaN result is stored as NULL; infinities are returned.
#include <cmath>
#include <memory>

#include "func/func_internal.h"

namespace keel::func {
namespace internal {
namespace {

using vm::Value;
using vm::ValueType;
using Args = std::span<Value>;

using Math1 = double (*)(double);
using Math2 = double (*)(double, double);

struct Math1Data {
  Math1 fn;
};
struct Math2Data {
  Math2 fn;
};

bool is_numeric(const Value& v) {
  ValueType t = v.numeric_type();
  return t == ValueType::kInteger || t == ValueType::kReal;
}

// ceil, floor, trunc: an INTEGER is returned unchanged, a REAL rounded.
void ceiling_fn(FunctionContext& ctx, Args a) {
  switch (a[0].numeric_type()) {
    case ValueType::kInteger:
      ctx.result().set_int(a[0].as_int64());
      break;
    case ValueType::kReal:
      ctx.result().set_real(static_cast<const Math1Data*>(ctx.user_data())->fn(a[0].as_double()));
      break;
    default:
      break;
  }
}

// ln(X), log(X) = log10(X), log10(X), log2(X), and log(B,X). As SQLite
// 3.40's logFunc: a base <= 1 (log(B) <= 0) gives NULL, and the type test of
// the two-argument form looks at B only, X being read as a double.
void log_fn(FunctionContext& ctx, Args a) {
  if (!is_numeric(a[0])) return;
  double x = a[0].as_double();
  if (x <= 0.0) return;
  double ans;
  if (a.size() == 2) {
    double b = std::log(x);
    if (b <= 0.0) return;
    x = a[1].as_double();
    if (x <= 0.0) return;
    ans = std::log(x) / b;
  } else {
    ans = std::log(x);
    switch (user_int(ctx)) {
      case 1:
        ans /= M_LN10;
        break;
      case 2:
        ans /= M_LN2;
        break;
      default:
        break;
    }
  }
  ctx.result().set_real(ans);
}

void math1_fn(FunctionContext& ctx, Args a) {
  if (!is_numeric(a[0])) return;
  ctx.result().set_real(static_cast<const Math1Data*>(ctx.user_data())->fn(a[0].as_double()));
}

void math2_fn(FunctionContext& ctx, Args a) {
  if (!is_numeric(a[0]) || !is_numeric(a[1])) return;
  ctx.result().set_real(
      static_cast<const Math2Data*>(ctx.user_data())->fn(a[0].as_double(), a[1].as_double()));
}

void pi_fn(FunctionContext& ctx, Args) { ctx.result().set_real(M_PI); }

double x_ceil(double x) { return std::ceil(x); }
double x_floor(double x) { return std::floor(x); }
double x_trunc(double x) { return std::trunc(x); }
double deg_to_rad(double x) { return x * (M_PI / 180.0); }
double rad_to_deg(double x) { return x * (180.0 / M_PI); }

std::shared_ptr<void> m1(Math1 fn) { return std::make_shared<Math1Data>(Math1Data{fn}); }
std::shared_ptr<void> m2(Math2 fn) { return std::make_shared<Math2Data>(Math2Data{fn}); }

}  // namespace

void register_math_functions(FunctionRegistry& r) {
  r.add(scalar_def("ceil", 1, ceiling_fn, kPureParallel, m1(x_ceil)));
  r.add(scalar_def("ceiling", 1, ceiling_fn, kPureParallel, m1(x_ceil)));
  r.add(scalar_def("floor", 1, ceiling_fn, kPureParallel, m1(x_floor)));
  r.add(scalar_def("trunc", 1, ceiling_fn, kPureParallel, m1(x_trunc)));
  r.add(scalar_def("ln", 1, log_fn, kPureParallel, int_user_data(0)));
  r.add(scalar_def("log", 1, log_fn, kPureParallel, int_user_data(1)));
  r.add(scalar_def("log10", 1, log_fn, kPureParallel, int_user_data(1)));
  r.add(scalar_def("log2", 1, log_fn, kPureParallel, int_user_data(2)));
  r.add(scalar_def("log", 2, log_fn, kPureParallel, int_user_data(0)));
  r.add(scalar_def("exp", 1, math1_fn, kPureParallel, m1([](double x) { return std::exp(x); })));
  r.add(scalar_def("pow", 2, math2_fn, kPureParallel, m2([](double x, double y) { return std::pow(x, y); })));
  r.add(scalar_def("power", 2, math2_fn, kPureParallel, m2([](double x, double y) { return std::pow(x, y); })));
  r.add(scalar_def("mod", 2, math2_fn, kPureParallel, m2([](double x, double y) { return std::fmod(x, y); })));
  r.add(scalar_def("acos", 1, math1_fn, kPureParallel, m1([](double x) { return std::acos(x); })));
  r.add(scalar_def("asin", 1, math1_fn, kPureParallel, m1([](double x) { return std::asin(x); })));
  r.add(scalar_def("atan", 1, math1_fn, kPureParallel, m1([](double x) { return std::atan(x); })));
  r.add(scalar_def("atan2", 2, math2_fn, kPureParallel, m2([](double y, double x) { return std::atan2(y, x); })));
  r.add(scalar_def("acosh", 1, math1_fn, kPureParallel, m1([](double x) { return std::acosh(x); })));
  r.add(scalar_def("asinh", 1, math1_fn, kPureParallel, m1([](double x) { return std::asinh(x); })));
  r.add(scalar_def("atanh", 1, math1_fn, kPureParallel, m1([](double x) { return std::atanh(x); })));
  r.add(scalar_def("cos", 1, math1_fn, kPureParallel, m1([](double x) { return std::cos(x); })));
  r.add(scalar_def("sin", 1, math1_fn, kPureParallel, m1([](double x) { return std::sin(x); })));
  r.add(scalar_def("tan", 1, math1_fn, kPureParallel, m1([](double x) { return std::tan(x); })));
  r.add(scalar_def("cosh", 1, math1_fn, kPureParallel, m1([](double x) { return std::cosh(x); })));
  r.add(scalar_def("sinh", 1, math1_fn, kPureParallel, m1([](double x) { return std::sinh(x); })));
  r.add(scalar_def("tanh", 1, math1_fn, kPureParallel, m1([](double x) { return std::tanh(x); })));
  r.add(scalar_def("sqrt", 1, math1_fn, kPureParallel, m1([](double x) { return std::sqrt(x); })));
  r.add(scalar_def("degrees", 1, math1_fn, kPureParallel, m1(rad_to_deg)));
  r.add(scalar_def("radians", 1, math1_fn, kPureParallel, m1(deg_to_rad)));
  r.add(scalar_def("pi", 0, pi_fn));
}

}  // namespace internal
}  // namespace keel::func
