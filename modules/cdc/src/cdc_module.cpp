// The cdc module: change data capture in Turso's CDC table layout.
// Registers the functions, the pragmas, and a connection extension that
// installs one Capture observer on each connection (see capture.h).
#include "cdc_functions.h"
#include "cdc_pragmas.h"
#include "connections.h"
#include "keel/ext/module.hpp"

namespace {

using keel::cdc::Capture;
using keel::cdc::Connections;

class AttachCapture final : public keel::ext::ConnectionExtension {
 public:
  explicit AttachCapture(std::shared_ptr<Connections> c) : connections_(std::move(c)) {}
  keel::Status attach(keel::ext::Session& session) override {
    auto capture = std::make_shared<Capture>();
    KEEL_RETURN_IF_ERROR(session.add_change_observer(capture));
    connections_->add(session.handle(), std::move(capture));
    return keel::Status::Ok();
  }
  void detach(keel::ext::Session& session) override {
    if (auto capture = connections_->find(session.handle())) capture->release();
    connections_->remove(session.handle());
  }

 private:
  std::shared_ptr<Connections> connections_;
};

}  // namespace

KEEL_MODULE(cdc) {
  auto connections = std::make_shared<Connections>();
  registrar.add_connection_extension(std::make_shared<AttachCapture>(connections));
  registrar.add_pragma(keel::cdc::make_connection_pragma("capture_data_changes_conn", connections));
  registrar.add_pragma(keel::cdc::make_connection_pragma("unstable_capture_data_changes_conn", connections));
  registrar.add_pragma(keel::cdc::make_database_pragma(connections));
  for (auto& fn : keel::cdc::make_functions()) registrar.add_function(std::move(fn));
}
