#include "cdc_pragmas.h"

#include "cdc_tables.h"

namespace keel::cdc {

namespace {

std::vector<Value> state_row(const CaptureConfig& config, const std::string& version) {
  if (!config.on()) return {Value("off"), Value(), Value()};
  return {Value(std::string(mode_name(config.mode))), Value(config.table),
          version.empty() ? Value() : Value(version)};
}

Status no_capture() { return Status(rc::kError, "the cdc module is not attached to this connection"); }

class ConnectionPragma final : public ext::PragmaHandler {
 public:
  ConnectionPragma(std::string name, std::shared_ptr<Connections> c)
      : name_(std::move(name)), connections_(std::move(c)) {}
  std::string_view name() const override { return name_; }
  std::vector<std::string> columns() const override { return {"mode", "table", "version"}; }

  Status run(ext::Session& session, const ext::PragmaCall& call,
             std::vector<std::vector<Value>>& rows) override {
    auto capture = connections_->find(session.handle());
    if (!capture) return no_capture();
    if (call.has_value) {
      auto config = parse_capture_value(call.value);
      if (!config.ok()) return config.take_status();
      return capture->set_connection_config(session, *config);
    }
    auto state = capture->effective(session);
    if (!state.ok()) return state.take_status();
    rows.push_back(state_row(state->first, state->second));
    return Status::Ok();
  }

 private:
  std::string name_;
  std::shared_ptr<Connections> connections_;
};

class DatabasePragma final : public ext::PragmaHandler {
 public:
  explicit DatabasePragma(std::shared_ptr<Connections> c) : connections_(std::move(c)) {}
  std::string_view name() const override { return "capture_data_changes"; }
  std::vector<std::string> columns() const override { return {"mode", "table", "version"}; }

  Status run(ext::Session& session, const ext::PragmaCall& call,
             std::vector<std::vector<Value>>& rows) override {
    if (call.has_value) {
      auto config = parse_capture_value(call.value);
      if (!config.ok()) return config.take_status();
      if (config->on()) {
        auto version = ensure_cdc_table(session, config->table);
        if (!version.ok()) return version.take_status();
      }
      KEEL_RETURN_IF_ERROR(write_database_setting(session, *config));
      if (auto capture = connections_->find(session.handle())) capture->reload();
      return Status::Ok();
    }
    auto setting = read_database_setting(session);
    if (!setting.ok()) return setting.take_status();
    if (!*setting || !(*setting)->on()) {
      rows.push_back(state_row(CaptureConfig{}, {}));
      return Status::Ok();
    }
    auto version = read_cdc_version(session, (*setting)->table);
    if (!version.ok()) return version.take_status();
    rows.push_back(state_row(**setting, version->value_or(std::string())));
    return Status::Ok();
  }

 private:
  std::shared_ptr<Connections> connections_;
};

}  // namespace

std::shared_ptr<ext::PragmaHandler> make_connection_pragma(std::string name,
                                                           std::shared_ptr<Connections> connections) {
  return std::make_shared<ConnectionPragma>(std::move(name), std::move(connections));
}

std::shared_ptr<ext::PragmaHandler> make_database_pragma(std::shared_ptr<Connections> connections) {
  return std::make_shared<DatabasePragma>(std::move(connections));
}

}  // namespace keel::cdc
