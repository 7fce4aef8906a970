// The vector module's registration: each SQL function of vector_functions.h
// as a keel::ext::ScalarFunction, the `vector` index method and vector_top_k
// (ivf_method.h). Arguments are viewed in place (no copy of
// the row's blob) and results are written straight into the result register
// through Context::result_blob_buffer.
#include <memory>
#include <string>

#include "ivf_method.h"
#include "keel/ext/module.hpp"
#include "vector_functions.h"
#include "vector_ops.h"

namespace keel::vector {
namespace {

using ext::Args;
using ext::Context;
using ext::ValueView;

SqlArg to_arg(const ValueView& v) {
  switch (v.type()) {
    case Type::kNull:
      return SqlArg::null();
    case Type::kInteger:
      return SqlArg::int64(v.as_int64());
    case Type::kReal:
      return SqlArg::real_value(v.as_double());
    case Type::kText:
      return SqlArg::text(v.text());
    case Type::kBlob:
      return SqlArg::blob(v.blob());
  }
  return SqlArg::null();
}

class ContextSink final : public ResultSink {
 public:
  explicit ContextSink(Context& ctx) : ctx_(ctx) {}
  uint8_t* blob_buffer(size_t n) override {
    if (n == 0) {
      // A zero-length BLOB (not NULL); nothing to write.
      ctx_.result_blob({});
      return &empty_;
    }
    return ctx_.result_blob_buffer(n);
  }
  void set_text(std::string_view s) override { ctx_.result_text(s); }
  void set_double(double v) override { ctx_.result_double(v); }  // NaN → NULL

 private:
  Context& ctx_;
  uint8_t empty_ = 0;
};

void report(Context& ctx, const Status& s) {
  if (!s.ok()) ctx.error(s.message(), s.code());
}

// vector(x), vector32(x), vector64(x), vector8(x), vector1bit(x), vector32_sparse(x)
class MakeVector final : public ext::ScalarFunction {
 public:
  MakeVector(std::string name, VectorType type) : name_(std::move(name)), type_(type) {}
  std::string_view name() const override { return name_; }
  int arity() const override { return 1; }
  void call(Context& ctx, Args args) const override {
    ContextSink out(ctx);
    report(ctx, fn_make_vector(type_, to_arg(args[0]), out));
  }

 private:
  std::string name_;
  VectorType type_;
};

class Extract final : public ext::ScalarFunction {
 public:
  std::string_view name() const override { return "vector_extract"; }
  int arity() const override { return 1; }
  void call(Context& ctx, Args args) const override {
    ContextSink out(ctx);
    report(ctx, fn_vector_extract(to_arg(args[0]), out));
  }
};

class Concat final : public ext::ScalarFunction {
 public:
  std::string_view name() const override { return "vector_concat"; }
  int arity() const override { return 2; }
  void call(Context& ctx, Args args) const override {
    ContextSink out(ctx);
    report(ctx, fn_vector_concat(to_arg(args[0]), to_arg(args[1]), out));
  }
};

class Slice final : public ext::ScalarFunction {
 public:
  std::string_view name() const override { return "vector_slice"; }
  int arity() const override { return 3; }
  void call(Context& ctx, Args args) const override {
    ContextSink out(ctx);
    report(ctx, fn_vector_slice(to_arg(args[0]), to_arg(args[1]), to_arg(args[2]), out));
  }
};

// A parsed TEXT argument kept between rows, with the text it came from.
struct TextCache {
  std::string text;
  ParsedVector parsed;
};

// vector_distance_cos / _l2 / _dot / _jaccard: the per-row scan path.
//
// A TEXT argument ('[1,2,3]') is parsed once per call site and kept as the
// argument's aux data, so `ORDER BY vector_distance_cos(v, '[...]')` does not
// re-parse the query vector on every row. The cache is used only when the
// text is byte-for-byte the one it was built from: the VM keeps aux data per
// call site even when the argument changes from row to row. BLOB arguments
// are only viewed.
class Distance final : public ext::ScalarFunction {
 public:
  Distance(std::string name, Metric metric) : name_(std::move(name)), metric_(metric) {}
  std::string_view name() const override { return name_; }
  int arity() const override { return 2; }
  // Pure arithmetic on its arguments (a text argument's parse is cached in
  // the call's own aux data): a brute-force scan may split across threads.
  uint32_t flags() const override { return ext::kDeterministic | ext::kParallelSafe; }
  void call(Context& ctx, Args args) const override {
    const ValueView a = args[0];
    const ValueView b = args[1];
    if (a.type() == Type::kBlob && b.type() == Type::kBlob) {
      // The per-row scan path (a column against a bound query vector):
      // both blobs viewed in place, one kernel, nothing constructed.
      auto x = parse_blob(a.blob());
      if (!x.ok()) return report(ctx, x.status());
      auto y = parse_blob(b.blob());
      if (!y.ok()) return report(ctx, y.status());
      Status s = check_compatible(*x, *y);
      if (!s.ok()) return report(ctx, s);
      double d;
      s = distance(metric_, *x, *y, &d);
      if (!s.ok()) return report(ctx, s);
      ctx.result_double(d);  // NaN → NULL
      return;
    }
    ContextSink out(ctx);
    ParsedVector local[2];
    VectorView views[2];
    for (int i = 0; i < 2; i++) {
      const ValueView v = args[static_cast<size_t>(i)];
      if (v.type() == Type::kBlob) {
        auto parsed = parse_blob(v.blob());
        if (!parsed.ok()) return report(ctx, parsed.status());
        views[i] = *parsed;
        continue;
      }
      if (v.type() == Type::kText) {
        auto* cached = static_cast<TextCache*>(ctx.get_aux(i));
        if (cached && cached->text == v.text()) {
          views[i] = cached->parsed.view;
          continue;
        }
        Status s = parse_arg(to_arg(v), VectorType::kFloat32, &local[i]);
        if (!s.ok()) return report(ctx, s);
        views[i] = local[i].view;
        // Keep it for the next rows. The views stay valid: moving the
        // vector keeps its heap buffer.
        auto* keep = new TextCache{std::string(v.text()), std::move(local[i])};
        views[i] = keep->parsed.view;
        ctx.set_aux(i, keep, [](void* p) { delete static_cast<TextCache*>(p); });
        if (ctx.get_aux(i) != keep) {
          // Not kept (released at once): parse again into this call's storage.
          s = parse_arg(to_arg(v), VectorType::kFloat32, &local[i]);
          if (!s.ok()) return report(ctx, s);
          views[i] = local[i].view;
        }
        continue;
      }
      // NULL, INTEGER, REAL: parse_arg reports Turso's "Invalid vector type".
      Status s = parse_arg(to_arg(v), VectorType::kFloat32, &local[i]);
      if (!s.ok()) return report(ctx, s);
      views[i] = local[i].view;
    }
    report(ctx, fn_vector_distance_views(metric_, views[0], views[1], out));
  }

 private:
  std::string name_;
  Metric metric_;
};

}  // namespace
}  // namespace keel::vector

KEEL_MODULE(vector) {
  using namespace keel::vector;
  for (auto [name, type] :
       {std::pair{"vector", VectorType::kFloat32}, std::pair{"vector32", VectorType::kFloat32},
        std::pair{"vector64", VectorType::kFloat64}, std::pair{"vector8", VectorType::kFloat8},
        std::pair{"vector1bit", VectorType::kFloat1Bit},
        std::pair{"vector32_sparse", VectorType::kFloat32Sparse}}) {
    registrar.add_function(std::make_shared<MakeVector>(name, type));
  }
  registrar.add_function(std::make_shared<Extract>());
  registrar.add_function(std::make_shared<Concat>());
  registrar.add_function(std::make_shared<Slice>());
  for (auto [name, metric] :
       {std::pair{"vector_distance_cos", Metric::kCos}, std::pair{"vector_distance_l2", Metric::kL2},
        std::pair{"vector_distance_dot", Metric::kDot},
        std::pair{"vector_distance_jaccard", Metric::kJaccard}}) {
    registrar.add_function(std::make_shared<Distance>(name, metric));
  }
  registrar.add_index_method(make_ivf_method());
  registrar.add_virtual_table(make_vector_top_k());
}
