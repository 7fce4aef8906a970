// Test module "failinit": registers a function, then fails its init. Nothing
// it registered may become visible.
#include "keel/ext/module.hpp"

namespace {
class Ghost final : public keel::ext::ScalarFunction {
 public:
  std::string_view name() const override { return "ghost"; }
  int arity() const override { return 0; }
  void call(keel::ext::Context& ctx, keel::ext::Args) const override { ctx.result_int64(1); }
};
}  // namespace

KEEL_MODULE(failinit) {
  registrar.add_function(std::make_shared<Ghost>());
  registrar.fail("the test module refuses to start");
}
