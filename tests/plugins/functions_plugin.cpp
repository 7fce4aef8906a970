// Test module "testfuncs": the function and pragma extension points.
//   plugin_add(a, b)      integer sum
//   plugin_reverse(blob)  the bytes reversed, written in place through
//                         Context::result_blob_buffer
//   plugin_sum(x)         aggregate and window function (step/inverse/value)
//   plugin_fail()         always fails with a module error
//   test_append_records(table, rowid, record)  Session::append_records of one
//                         row into `table` of main: 1 written, 0 refused
//   PRAGMA plugin_echo[=v] one row (value, has_value)
#include <cstring>

#include "keel/ext/module.hpp"

namespace {

using keel::ext::Args;
using keel::ext::Context;

class Add final : public keel::ext::ScalarFunction {
 public:
  std::string_view name() const override { return "plugin_add"; }
  int arity() const override { return 2; }
  void call(Context& ctx, Args args) const override {
    if (args[0].is_null() || args[1].is_null()) return ctx.result_null();
    ctx.result_int64(args[0].as_int64() + args[1].as_int64());
  }
};

class Reverse final : public keel::ext::ScalarFunction {
 public:
  std::string_view name() const override { return "plugin_reverse"; }
  int arity() const override { return 1; }
  void call(Context& ctx, Args args) const override {
    if (args[0].is_null()) return;
    std::span<const uint8_t> in = args[0].blob();
    uint8_t* out = ctx.result_blob_buffer(in.size());
    if (out == nullptr) return;
    for (size_t i = 0; i < in.size(); i++) out[i] = in[in.size() - 1 - i];
  }
};

class Fail final : public keel::ext::ScalarFunction {
 public:
  std::string_view name() const override { return "plugin_fail"; }
  int arity() const override { return 0; }
  uint32_t flags() const override { return 0; }
  void call(Context& ctx, Args) const override { ctx.error("plugin_fail was called", keel::rc::kConstraint); }
};

class Append final : public keel::ext::ScalarFunction {
 public:
  std::string_view name() const override { return "test_append_records"; }
  int arity() const override { return 3; }
  uint32_t flags() const override { return 0; }
  void call(Context& ctx, Args args) const override {
    std::string table(args[0].text());
    keel::ext::RecordRow row{args[1].as_int64(), args[2].blob()};
    auto written = ctx.session().append_records(table, std::span<const keel::ext::RecordRow>(&row, 1));
    if (!written.ok()) return ctx.error(written.status().message(), written.status().code());
    ctx.result_int64(*written ? 1 : 0);
  }
};

class Sum final : public keel::ext::AggregateFunction {
 public:
  std::string_view name() const override { return "plugin_sum"; }
  int arity() const override { return 1; }
  bool is_window() const override { return true; }
  void step(Context& ctx, Args args) const override {
    auto* total = static_cast<int64_t*>(ctx.aggregate_state(sizeof(int64_t)));
    if (total) *total += args[0].as_int64();
  }
  void inverse(Context& ctx, Args args) const override {
    auto* total = static_cast<int64_t*>(ctx.aggregate_state(sizeof(int64_t)));
    if (total) *total -= args[0].as_int64();
  }
  void value(Context& ctx) const override {
    auto* total = static_cast<int64_t*>(ctx.aggregate_state(sizeof(int64_t)));
    ctx.result_int64(total ? *total : 0);
  }
  void final(Context& ctx) const override { value(ctx); }
};

class Echo final : public keel::ext::PragmaHandler {
 public:
  std::string_view name() const override { return "plugin_echo"; }
  std::vector<std::string> columns() const override { return {"value", "has_value"}; }
  keel::Status run(keel::ext::Session&, const keel::ext::PragmaCall& call,
                   std::vector<std::vector<keel::Value>>& rows) override {
    if (call.has_value && call.value == "bad")
      return keel::Status(keel::rc::kError, "plugin_echo: bad value");
    rows.push_back({keel::Value(std::string(call.value)), keel::Value(call.has_value ? 1 : 0)});
    return keel::Status::Ok();
  }
};

}  // namespace

KEEL_MODULE(testfuncs) {
  registrar.add_function(std::make_shared<Add>());
  registrar.add_function(std::make_shared<Reverse>());
  registrar.add_function(std::make_shared<Fail>());
  registrar.add_function(std::make_shared<Append>());
  registrar.add_aggregate(std::make_shared<Sum>());
  registrar.add_pragma(std::make_shared<Echo>());
}
