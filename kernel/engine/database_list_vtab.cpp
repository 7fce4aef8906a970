// pragma_database_list: PRAGMA database_list as a table-valued function
// (SQLite's eponymous pragma virtual table for it): one row per open
// database, columns seq, name, file, read when the scan starts.
#include "engine/connection.h"

namespace keel::engine {
namespace {

class DatabaseListCursor final : public ext::VirtualCursor {
 public:
  explicit DatabaseListCursor(Connection& conn) : conn_(conn) {}
  Status filter(int, std::string_view, ext::Args) override {
    rows_ = conn_.database_list();
    at_ = 0;
    return Status::Ok();
  }
  Status next() override {
    at_ += 3;
    return Status::Ok();
  }
  bool eof() const override { return at_ >= rows_.size(); }
  Status column(ext::Context& ctx, int col) override {
    if (col < 0 || col > 2) return Status::Ok();
    const vm::Value& v = rows_[at_ + static_cast<size_t>(col)];
    if (v.type() == vm::ValueType::kInteger) {
      ctx.result_int64(v.int_value());
    } else {
      ctx.result_text(v.text());
    }
    return Status::Ok();
  }
  Result<int64_t> rowid() override { return static_cast<int64_t>(at_ / 3); }

 private:
  Connection& conn_;
  std::vector<vm::Value> rows_;  // seq, name, file per database
  size_t at_ = 0;
};

class DatabaseListTable final : public ext::VirtualTable {
 public:
  explicit DatabaseListTable(Connection& conn) : conn_(conn) {}
  std::string schema() const override { return "CREATE TABLE x(seq,name,file)"; }
  Status best_index(ext::IndexInfo& info) override {
    info.estimated_cost = 1.0;
    return Status::Ok();
  }
  Result<std::unique_ptr<ext::VirtualCursor>> open() override {
    return std::unique_ptr<ext::VirtualCursor>(new DatabaseListCursor(conn_));
  }

 private:
  Connection& conn_;
};

class DatabaseListModule final : public ext::VirtualTableModule {
 public:
  explicit DatabaseListModule(Connection& conn) : conn_(conn) {}
  std::string_view name() const override { return "pragma_database_list"; }
  bool eponymous() const override { return true; }
  bool eponymous_only() const override { return true; }
  Result<std::unique_ptr<ext::VirtualTable>> connect(const ext::VirtualTableArgs&) override {
    return std::unique_ptr<ext::VirtualTable>(new DatabaseListTable(conn_));
  }

 private:
  Connection& conn_;
};

}  // namespace

std::vector<vm::Value> Connection::database_list() const {
  std::vector<vm::Value> rows;
  for (size_t i = 0; i < dbs_.size(); i++) {
    if (!dbs_[i].btree) continue;  // temp before first use
    rows.push_back(vm::Value::integer(static_cast<int64_t>(i)));
    rows.push_back(vm::Value::text(dbs_[i].name));
    rows.push_back(vm::Value::text(dbs_[i].path));
  }
  return rows;
}

std::shared_ptr<ext::VirtualTableModule> make_database_list_module(Connection& conn) {
  return std::make_shared<DatabaseListModule>(conn);
}

}  // namespace keel::engine
