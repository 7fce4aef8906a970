// Test module "abimismatch": built for a module ABI this Keel does not
// have. The loader must refuse it before calling its init, which would
// register a function and set an environment variable.
#include <cstdlib>

#define KEEL_MODULE_ABI_VERSION 999u
#include "keel/ext/module.hpp"

namespace {
class Never final : public keel::ext::ScalarFunction {
 public:
  std::string_view name() const override { return "abi_never"; }
  int arity() const override { return 0; }
  void call(keel::ext::Context& ctx, keel::ext::Args) const override { ctx.result_int64(1); }
};
}  // namespace

KEEL_MODULE(abimismatch) {
  setenv("KEEL_ABI_MISMATCH_INIT_RAN", "1", 1);
  registrar.add_function(std::make_shared<Never>());
}
