// json_each / json_tree modules (see json_each_vtab.h).
#include "func/json_each_vtab.h"

#include "func/ext_args.h"
#include "func/json_each.h"
#include "vm/value.h"

namespace keel::func {

namespace {

class JsonEachCursor final : public ext::VirtualCursor {
 public:
  explicit JsonEachCursor(bool tree) : rows_(tree) {}

  Status filter(int idx_num, std::string_view, ext::Args args) override {
    if (idx_num == 0 || args.size() == 0) return rows_.start(nullptr, nullptr);
    vm::Value json = borrow_ext_value(args[0]);
    if (idx_num == 3 && args.size() >= 2) {
      vm::Value root = borrow_ext_value(args[1]);
      return rows_.start(&json, &root);
    }
    return rows_.start(&json, nullptr);
  }
  Status next() override {
    rows_.next();
    return Status::Ok();
  }
  bool eof() const override { return rows_.eof(); }
  Status column(ext::Context& ctx, int col) override {
    KEEL_RETURN_IF_ERROR(rows_.column(col, value_));
    switch (value_.type()) {
      case vm::ValueType::kInteger:
        ctx.result_int64(value_.int_value());
        break;
      case vm::ValueType::kReal:
        ctx.result_double(value_.real_value());
        break;
      case vm::ValueType::kText:
        ctx.result_text(value_.text());
        break;
      case vm::ValueType::kBlob:
        ctx.result_blob(value_.blob());
        break;
      default:
        ctx.result_null();
        break;
    }
    if (value_.subtype()) ctx.result_subtype(value_.subtype());
    return Status::Ok();
  }
  Result<int64_t> rowid() override { return rows_.rowid(); }

 private:
  JsonEach rows_;
  vm::Value value_;  // reused per column: no allocation per row in the steady state
};

class JsonEachTable final : public ext::VirtualTable {
 public:
  explicit JsonEachTable(bool tree) : tree_(tree) {}
  std::string schema() const override { return JsonEach::kSchema; }

  // SQLite's jsonEachBestIndex: an unusable json/root constraint without a
  // usable EQ one on the same column makes the plan impossible.
  Status best_index(ext::IndexInfo& info) override {
    int idx[2] = {-1, -1};
    int unusable = 0, have = 0;
    for (size_t i = 0; i < info.constraints.size(); i++) {
      const ext::IndexConstraint& c = info.constraints[i];
      if (c.column < JsonEach::kJson) continue;
      int col = c.column - JsonEach::kJson;
      int mask = 1 << col;
      if (!c.usable) {
        unusable |= mask;
      } else if (c.op == ext::ConstraintOp::kEq) {
        idx[col] = static_cast<int>(i);
        have |= mask;
      }
    }
    if (unusable & ~have) return Status(rc::kConstraint, "");
    if (idx[0] < 0) {
      info.idx_num = 0;
      return Status::Ok();
    }
    info.estimated_cost = 1.0;
    info.usage[idx[0]] = {1, true};
    if (idx[1] < 0) {
      info.idx_num = 1;
    } else {
      info.usage[idx[1]] = {2, true};
      info.idx_num = 3;
    }
    return Status::Ok();
  }

  Result<std::unique_ptr<ext::VirtualCursor>> open() override {
    return std::unique_ptr<ext::VirtualCursor>(new JsonEachCursor(tree_));
  }

 private:
  bool tree_;
};

class JsonEachModule final : public ext::VirtualTableModule {
 public:
  explicit JsonEachModule(bool tree) : tree_(tree) {}
  std::string_view name() const override { return tree_ ? "json_tree" : "json_each"; }
  bool eponymous() const override { return true; }
  bool eponymous_only() const override { return true; }
  Result<std::unique_ptr<ext::VirtualTable>> connect(const ext::VirtualTableArgs&) override {
    return std::unique_ptr<ext::VirtualTable>(new JsonEachTable(tree_));
  }

 private:
  bool tree_;
};

}  // namespace

std::shared_ptr<ext::VirtualTableModule> make_json_each_module(bool tree) {
  return std::make_shared<JsonEachModule>(tree);
}

}  // namespace keel::func
