// Test module "testvtab": the virtual-table extension point.
//   plugin_range(START, STOP)    eponymous table-valued function: value
//                                START..STOP; a usable `value >= X` is
//                                taken over (omitted), ORDER BY value DESC
//                                reported consumed
//   CREATE VIRTUAL TABLE t USING memtab(col, ...)
//                                a writable in-memory table (insert,
//                                update, delete; rowid lookups)
//   memtab_log()                 "begin/sync/commit/rollback" call counts
//   memtab_args(NAME)            the CREATE arguments table NAME was made with
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "keel/ext/module.hpp"

namespace {

using keel::Status;
using keel::ext::Args;
using keel::ext::ConstraintOp;
using keel::ext::Context;
using keel::ext::IndexInfo;

// ---------------------------------------------------------------- range

class RangeCursor final : public keel::ext::VirtualCursor {
 public:
  Status filter(int idx_num, std::string_view, Args args) override {
    size_t k = 0;
    start_ = (idx_num & 1) ? args[k++].as_int64() : 1;
    stop_ = (idx_num & 2) ? args[k++].as_int64() : 0;
    if (idx_num & 4) start_ = std::max(start_, args[k++].as_int64());
    desc_ = (idx_num & 8) != 0;
    value_ = desc_ ? stop_ : start_;
    return Status::Ok();
  }
  Status next() override {
    value_ += desc_ ? -1 : 1;
    return Status::Ok();
  }
  bool eof() const override { return value_ < start_ || value_ > stop_; }
  Status column(Context& ctx, int col) override {
    ctx.result_int64(col == 0 ? value_ : col == 1 ? start_ : stop_);
    return Status::Ok();
  }
  keel::Result<int64_t> rowid() override { return value_; }

 private:
  int64_t start_ = 1, stop_ = 0, value_ = 1;
  bool desc_ = false;
};

class RangeTable final : public keel::ext::VirtualTable {
 public:
  std::string schema() const override { return "CREATE TABLE x(value INTEGER, start HIDDEN, stop HIDDEN)"; }
  Status best_index(IndexInfo& info) override {
    int arg_of[3] = {-1, -1, -1};
    for (size_t i = 0; i < info.constraints.size(); i++) {
      const auto& c = info.constraints[i];
      if (c.column == 1 || c.column == 2) {
        if (!c.usable) return Status(keel::rc::kConstraint, "");
        if (c.op == ConstraintOp::kEq) arg_of[c.column - 1] = static_cast<int>(i);
      } else if (c.column == 0 && c.usable && c.op == ConstraintOp::kGe) {
        arg_of[2] = static_cast<int>(i);
      }
    }
    int n = 0;
    for (int b = 0; b < 3; b++) {
      if (arg_of[b] < 0) continue;
      info.idx_num |= 1 << b;
      info.usage[arg_of[b]] = {++n, true};
    }
    if (info.order_by.size() == 1 && info.order_by[0].column == 0 && info.order_by[0].desc) {
      info.idx_num |= 8;
      info.order_by_consumed = true;
    }
    info.idx_str = "range";
    info.estimated_cost = 10;
    return Status::Ok();
  }
  keel::Result<std::unique_ptr<keel::ext::VirtualCursor>> open() override {
    return std::unique_ptr<keel::ext::VirtualCursor>(new RangeCursor());
  }
};

class RangeModule final : public keel::ext::VirtualTableModule {
 public:
  std::string_view name() const override { return "plugin_range"; }
  bool eponymous() const override { return true; }
  bool eponymous_only() const override { return true; }
  keel::Result<std::unique_ptr<keel::ext::VirtualTable>> connect(
      const keel::ext::VirtualTableArgs&) override {
    return std::unique_ptr<keel::ext::VirtualTable>(new RangeTable());
  }
};

// ---------------------------------------------------------------- memtab

struct Log {
  int begin = 0, sync = 0, commit = 0, rollback = 0;
};
Log g_log;
std::map<std::string, std::string> g_args;  // table name -> "module|db|a,b"

struct Row {
  int64_t rowid;
  std::vector<keel::Value> cols;
};

class MemTable;

class MemCursor final : public keel::ext::VirtualCursor {
 public:
  explicit MemCursor(MemTable* t) : t_(t) {}
  Status filter(int idx_num, std::string_view, Args args) override;
  Status next() override {
    i_ = only_ ? end() : i_ + 1;
    return Status::Ok();
  }
  bool eof() const override { return i_ >= end(); }
  Status column(Context& ctx, int col) override;
  keel::Result<int64_t> rowid() override;

 private:
  size_t end() const;
  MemTable* t_;
  size_t i_ = 0;
  bool only_ = false;
};

class MemTable final : public keel::ext::VirtualTable {
 public:
  MemTable(std::string schema, size_t n) : schema_(std::move(schema)), n_(n) {}
  std::string schema() const override { return schema_; }
  Status best_index(IndexInfo& info) override {
    for (size_t i = 0; i < info.constraints.size(); i++) {
      const auto& c = info.constraints[i];
      if (c.usable && c.column == -1 && c.op == ConstraintOp::kEq) {
        info.usage[i] = {1, true};
        info.idx_num = 1;
        info.unique_scan = true;
        info.estimated_cost = 1;
        return Status::Ok();
      }
    }
    return Status::Ok();
  }
  keel::Result<std::unique_ptr<keel::ext::VirtualCursor>> open() override {
    return std::unique_ptr<keel::ext::VirtualCursor>(new MemCursor(this));
  }
  bool writable() const override { return true; }
  Status update(Args args, int64_t* rowid) override {
    auto find = [&](int64_t r) {
      for (size_t i = 0; i < rows.size(); i++) {
        if (rows[i].rowid == r) return static_cast<int>(i);
      }
      return -1;
    };
    if (args.size() == 1) {
      int i = find(args[0].as_int64());
      if (i >= 0) rows.erase(rows.begin() + i);
      return Status::Ok();
    }
    if (args.size() != 2 + n_) return Status(keel::rc::kError, "memtab: wrong argument count");
    Row row;
    row.rowid = args[1].is_null() ? next_++ : args[1].as_int64();
    if (row.rowid >= next_) next_ = row.rowid + 1;
    for (size_t c = 0; c < n_; c++) row.cols.push_back(args[2 + c].to_value());
    if (args[0].is_null()) {
      if (find(row.rowid) >= 0) return Status(keel::rc::kConstraint, "memtab: rowid exists");
      *rowid = row.rowid;
      rows.push_back(std::move(row));
    } else {
      int i = find(args[0].as_int64());
      if (i >= 0) rows[i] = std::move(row);
    }
    return Status::Ok();
  }
  Status begin() override {
    g_log.begin++;
    return Status::Ok();
  }
  Status sync() override {
    g_log.sync++;
    return Status::Ok();
  }
  Status commit() override {
    g_log.commit++;
    return Status::Ok();
  }
  Status rollback() override {
    g_log.rollback++;
    return Status::Ok();
  }

  std::vector<Row> rows;

 private:
  std::string schema_;
  size_t n_;
  int64_t next_ = 1;
};

Status MemCursor::filter(int idx_num, std::string_view, Args args) {
  i_ = 0;
  only_ = idx_num == 1;
  if (only_) {
    i_ = t_->rows.size();
    for (size_t i = 0; i < t_->rows.size(); i++) {
      if (!args[0].is_null() && t_->rows[i].rowid == args[0].as_int64()) i_ = i;
    }
  }
  return Status::Ok();
}
size_t MemCursor::end() const { return t_->rows.size(); }
Status MemCursor::column(Context& ctx, int col) {
  const keel::Value& v = t_->rows[i_].cols[col];
  switch (v.type()) {
    case keel::Type::kInteger:
      ctx.result_int64(v.as_int64());
      break;
    case keel::Type::kReal:
      ctx.result_double(v.as_double());
      break;
    case keel::Type::kText:
      ctx.result_text(v.text());
      break;
    case keel::Type::kBlob:
      ctx.result_blob(v.blob());
      break;
    default:
      break;
  }
  return Status::Ok();
}
keel::Result<int64_t> MemCursor::rowid() { return t_->rows[i_].rowid; }

class MemModule final : public keel::ext::VirtualTableModule {
 public:
  std::string_view name() const override { return "memtab"; }
  keel::Result<std::unique_ptr<keel::ext::VirtualTable>> create(
      const keel::ext::VirtualTableArgs& a) override {
    if (a.args.empty()) return Status(keel::rc::kError, "memtab needs columns");
    std::string schema = "CREATE TABLE x(", list;
    for (size_t i = 0; i < a.args.size(); i++) {
      schema += std::string(i ? ", " : "") + std::string(a.args[i]);
      list += std::string(i ? "," : "") + std::string(a.args[i]);
    }
    g_args[std::string(a.table)] = std::string(a.module) + "|" + std::string(a.database) + "|" + list;
    return std::unique_ptr<keel::ext::VirtualTable>(new MemTable(schema + ")", a.args.size()));
  }
  keel::Result<std::unique_ptr<keel::ext::VirtualTable>> connect(
      const keel::ext::VirtualTableArgs& a) override {
    return create(a);
  }
};

class LogFunction final : public keel::ext::ScalarFunction {
 public:
  std::string_view name() const override { return "memtab_log"; }
  int arity() const override { return 0; }
  uint32_t flags() const override { return 0; }
  void call(Context& ctx, Args) const override {
    ctx.result_text(std::to_string(g_log.begin) + "/" + std::to_string(g_log.sync) + "/" +
                    std::to_string(g_log.commit) + "/" + std::to_string(g_log.rollback));
  }
};

class ArgsFunction final : public keel::ext::ScalarFunction {
 public:
  std::string_view name() const override { return "memtab_args"; }
  int arity() const override { return 1; }
  uint32_t flags() const override { return 0; }
  void call(Context& ctx, Args args) const override {
    auto it = g_args.find(std::string(args[0].text()));
    if (it != g_args.end()) ctx.result_text(it->second);
  }
};

}  // namespace

KEEL_MODULE(testvtab) {
  registrar.add_virtual_table(std::make_shared<RangeModule>());
  registrar.add_virtual_table(std::make_shared<MemModule>());
  registrar.add_function(std::make_shared<LogFunction>());
  registrar.add_function(std::make_shared<ArgsFunction>());
}
