// C++ user functions, aggregates and collations as engine FunctionDefs.
#include "cpp_internal.h"

namespace keel {

Aggregate::~Aggregate() = default;

namespace cpp {
namespace {

struct ScalarData {
  ScalarFunction fn;
};
struct AggregateData {
  AggregateFactory factory;
};

std::vector<Value> convert_args(std::span<vm::Value> args) {
  std::vector<Value> out;
  out.reserve(args.size());
  for (const vm::Value& a : args) out.push_back(from_vm(a));
  return out;
}

void set_result(func::FunctionContext& ctx, const Result<Value>& r) {
  if (!r.ok()) {
    ctx.set_error(std::string(r.status().message()), r.status().code());
    return;
  }
  ctx.result().copy_from(to_vm(*r));
}

void scalar_call(func::FunctionContext& ctx, std::span<vm::Value> args) {
  auto* d = static_cast<ScalarData*>(ctx.user_data());
  std::vector<Value> in = convert_args(args);
  set_result(ctx, d->fn(in));
}

// The group's Aggregate object lives in the aggregate context as a pointer.
Aggregate** state(func::FunctionContext& ctx, bool create) {
  return static_cast<Aggregate**>(ctx.aggregate_context(create ? sizeof(Aggregate*) : 0));
}

void aggregate_step(func::FunctionContext& ctx, std::span<vm::Value> args) {
  Aggregate** slot = state(ctx, true);
  if (slot == nullptr) {
    ctx.set_error_nomem();
    return;
  }
  if (*slot == nullptr) {
    auto* d = static_cast<AggregateData*>(ctx.user_data());
    *slot = d->factory().release();
    if (*slot == nullptr) {
      ctx.set_error("aggregate factory returned no object");
      return;
    }
  }
  std::vector<Value> in = convert_args(args);
  Status s = (*slot)->step(in);
  if (!s.ok()) ctx.set_error(std::string(s.message()), s.code());
}

void aggregate_final(func::FunctionContext& ctx) {
  Aggregate** slot = state(ctx, false);
  std::unique_ptr<Aggregate> agg;
  if (slot != nullptr && *slot != nullptr) {
    agg.reset(*slot);
    *slot = nullptr;
  } else {
    // An empty group: a fresh object gives the empty-input result.
    auto* d = static_cast<AggregateData*>(ctx.user_data());
    agg = d->factory();
  }
  if (!agg) {
    ctx.set_error("aggregate factory returned no object");
    return;
  }
  set_result(ctx, agg->finish());
}

class FunctionCollation final : public vm::Collation {
 public:
  FunctionCollation(std::string name, CollationFunction fn) : name_(std::move(name)), fn_(std::move(fn)) {}
  std::string_view name() const override { return name_; }
  int compare(std::string_view a, std::string_view b) const override { return fn_(a, b); }

 private:
  std::string name_;
  CollationFunction fn_;
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(vm::ascii_tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Status check_function(std::string_view name, int n_arg) {
  if (name.empty() || name.size() > 255 || n_arg < -1 || n_arg > 127) {
    return Status(rc::kMisuse, "bad parameter or other API misuse");
  }
  return Status::Ok();
}

func::FunctionDef scalar_def(std::string_view name, int n_arg, ScalarFunction fn, FunctionOptions options) {
  func::FunctionDef def;
  def.name = lower(name);
  def.n_arg = n_arg;
  if (options.deterministic) def.flags |= func::kDeterministic;
  def.scalar = scalar_call;
  def.user_data = std::make_shared<ScalarData>(ScalarData{std::move(fn)});
  return def;
}

func::FunctionDef aggregate_def(std::string_view name, int n_arg, AggregateFactory factory) {
  func::FunctionDef def;
  def.name = lower(name);
  def.n_arg = n_arg;
  def.step = aggregate_step;
  def.final = aggregate_final;
  def.user_data = std::make_shared<AggregateData>(AggregateData{std::move(factory)});
  return def;
}

std::shared_ptr<vm::Collation> collation(std::string_view name, CollationFunction compare) {
  return std::make_shared<FunctionCollation>(std::string(name), std::move(compare));
}

}  // namespace cpp
}  // namespace keel
