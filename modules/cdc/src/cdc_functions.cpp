#include "cdc_functions.h"

#include "json.h"
#include "table_shape.h"

namespace keel::cdc {

namespace {

using ext::Args;
using ext::Context;

class TableColumnsJsonArray final : public ext::ScalarFunction {
 public:
  std::string_view name() const override { return "table_columns_json_array"; }
  int arity() const override { return 1; }
  uint32_t flags() const override { return 0; }  // the schema can change
  void call(Context& ctx, Args args) const override {
    if (args[0].is_null()) return ctx.result_null();
    ext::Session session = ctx.session();
    auto shape = load_table_shape(session, "", args[0].text());
    if (!shape.ok()) return ctx.error(shape.status().message());
    ctx.result_text(name_array(shape->names));
  }
};

class BinRecordJsonObject final : public ext::ScalarFunction {
 public:
  std::string_view name() const override { return "bin_record_json_object"; }
  int arity() const override { return 2; }
  void call(Context& ctx, Args args) const override {
    if (args[0].is_null() || args[1].is_null()) return ctx.result_null();
    std::vector<std::string> names;
    Status s = parse_name_array(args[0].text(), names);
    if (!s.ok()) return ctx.error(s.message());
    std::string out;
    s = append_record_object(out, names, args[1].blob());
    if (!s.ok()) return ctx.error(s.message());
    ctx.result_text(out);
  }
};

class IsAutocommit final : public ext::ScalarFunction {
 public:
  std::string_view name() const override { return "is_autocommit"; }
  int arity() const override { return 0; }
  uint32_t flags() const override { return 0; }
  void call(Context& ctx, Args) const override { ctx.result_int64(ctx.session().autocommit() ? 1 : 0); }
};

class CdcJsonObject final : public ext::ScalarFunction {
 public:
  std::string_view name() const override { return "cdc_json_object"; }
  int arity() const override { return 3; }
  uint32_t flags() const override { return 0; }
  void call(Context& ctx, Args args) const override {
    if (args[0].is_null()) return ctx.result_null();
    bool has_before = !args[1].is_null(), has_after = !args[2].is_null();
    std::string table(args[0].text());
    ext::Session session = ctx.session();
    auto shape = load_table_shape(session, "", table);
    if (!shape.ok()) return ctx.error(shape.status().message());
    std::string out = "{\"table\":";
    append_string(out, table);
    if (has_before || has_after) {
      out += ",\"op\":";
      out += has_before && has_after ? "\"update\"" : has_before ? "\"delete\"" : "\"insert\"";
    }
    for (int i = 1; i <= 2; i++) {
      out += i == 1 ? ",\"before\":" : ",\"after\":";
      if (args[i].is_null()) {
        out += "null";
        continue;
      }
      Status s = append_record_object(out, shape->names, args[i].blob());
      if (!s.ok()) return ctx.error(s.message());
    }
    out += '}';
    ctx.result_text(out);
  }
};

}  // namespace

std::vector<std::shared_ptr<ext::ScalarFunction>> make_functions() {
  return {std::make_shared<TableColumnsJsonArray>(), std::make_shared<BinRecordJsonObject>(),
          std::make_shared<IsAutocommit>(), std::make_shared<CdcJsonObject>()};
}

}  // namespace keel::cdc
