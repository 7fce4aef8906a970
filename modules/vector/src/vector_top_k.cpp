// vector_top_k(index, vector, k): libSQL's table-valued function over a
// vector index.
//
//   SELECT t.* FROM vector_top_k('t_v', vector32('[...]'), 10) JOIN t ON t.rowid = id;
//
// Columns: id (the indexed row's rowid), as in libSQL, plus a HIDDEN
// distance column (the exact distance under the index's metric), which
// `SELECT *` leaves out. Rows come nearest first. The index is named as in
// CREATE INDEX, optionally qualified by its schema ('aux.t_v'). The search
// reads the index's hidden tables through the connection's Session
// (VirtualTableArgs::session), exactly as the index method's query() does.
#include <cctype>
#include <map>
#include <memory>
#include <string>

#include "ivf_method.h"
#include "ivf_store.h"

namespace keel::vector {

namespace {

using ext::Args;
using ext::ConstraintOp;
using ext::Context;
using ext::IndexInfo;
using ext::Session;
using ext::VirtualCursor;
using ext::VirtualTable;

constexpr int kColId = 0;
constexpr int kColIndex = 1;
constexpr int kColVector = 2;
constexpr int kColK = 3;
constexpr int kColDistance = 4;

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

class TopKTable;

class TopKCursor final : public VirtualCursor {
 public:
  explicit TopKCursor(TopKTable& table) : table_(table) {}
  Status filter(int idx_num, std::string_view idx_str, Args args) override;
  Status next() override {
    pos_++;
    return Status::Ok();
  }
  bool eof() const override { return pos_ >= hits_.size(); }
  Status column(Context& ctx, int col) override {
    const IvfHit& h = hits_[pos_];
    if (col == kColId)
      ctx.result_int64(h.id);
    else if (col == kColDistance)
      ctx.result_double(h.distance);
    return Status::Ok();
  }
  Result<int64_t> rowid() override { return hits_[pos_].id; }

 private:
  TopKTable& table_;
  std::vector<IvfHit> hits_;
  size_t pos_ = 0;
};

class TopKTable final : public VirtualTable {
 public:
  explicit TopKTable(Session session) : session_(session) {}

  std::string schema() const override {
    return "CREATE TABLE x(id INTEGER, index_name HIDDEN, vector HIDDEN, k HIDDEN, distance HIDDEN)";
  }

  // All three arguments must be given (as equality constraints on the hidden
  // columns, which is what the call syntax produces).
  Status best_index(IndexInfo& info) override {
    int found[3] = {-1, -1, -1};
    for (size_t i = 0; i < info.constraints.size(); i++) {
      const auto& c = info.constraints[i];
      if (!c.usable || c.op != ConstraintOp::kEq) continue;
      if (c.column >= kColIndex && c.column <= kColK) found[c.column - kColIndex] = static_cast<int>(i);
    }
    if (found[0] < 0 || found[1] < 0 || found[2] < 0) {
      info.idx_num = 0;  // filter() reports the missing arguments
      info.estimated_cost = 1e12;
      return Status::Ok();
    }
    for (int a = 0; a < 3; a++) {
      info.usage[static_cast<size_t>(found[a])].argv_index = a + 1;
      info.usage[static_cast<size_t>(found[a])].omit = true;
    }
    info.idx_num = 1;
    info.estimated_cost = 100;
    info.estimated_rows = 10;
    info.order_by_consumed =
        info.order_by.size() == 1 && info.order_by[0].column == kColDistance && !info.order_by[0].desc;
    return Status::Ok();
  }

  Result<std::unique_ptr<VirtualCursor>> open() override {
    return std::unique_ptr<VirtualCursor>(new TopKCursor(*this));
  }

  Result<std::vector<IvfHit>> search(const std::string& name, const Value& vec, int64_t k) {
    std::string db = "main", index = name;
    if (size_t dot = name.find('.'); dot != std::string::npos) {
      db = name.substr(0, dot);
      index = name.substr(dot + 1);
    }
    const std::string prefix = "keel_im_" + index + "_";
    auto exists = IvfStore::exists(session_, db, prefix);
    if (!exists.ok() || !*exists) return Status(rc::kError, "vector_top_k: no vector index named " + name);
    std::string key = lower(db) + "." + lower(index);
    auto it = stores_.find(key);
    if (it == stores_.end()) it = stores_.emplace(key, std::make_unique<IvfStore>(db, prefix, index)).first;
    return it->second->search(session_, vec, k);
  }

 private:
  Session session_;
  // One store per index queried on this connection (its statements and
  // centroid cache), kept while the function is.
  std::map<std::string, std::unique_ptr<IvfStore>> stores_;
};

Status TopKCursor::filter(int idx_num, std::string_view idx_str, Args args) {
  (void)idx_str;
  hits_.clear();
  pos_ = 0;
  if (idx_num != 1 || args.size() != 3) {
    return Status(rc::kError, "vector_top_k: expected 3 arguments (index name, query vector, k)");
  }
  if (args[0].type() != Type::kText) return Status(rc::kError, "vector_top_k: the index name must be text");
  if (args[2].type() != Type::kInteger || args[2].as_int64() < 1) {
    return Status(rc::kError, "vector_top_k: k must be an integer of 1 or more");
  }
  KEEL_ASSIGN_OR_RETURN(hits_,
                        table_.search(std::string(args[0].text()), args[1].to_value(), args[2].as_int64()));
  return Status::Ok();
}

class TopKModule final : public ext::VirtualTableModule {
 public:
  std::string_view name() const override { return "vector_top_k"; }
  bool eponymous() const override { return true; }
  bool eponymous_only() const override { return true; }
  Result<std::unique_ptr<VirtualTable>> connect(const ext::VirtualTableArgs& args) override {
    if (args.session.handle() == nullptr) {
      return Status(rc::kMisuse, "vector_top_k: the host did not provide a connection");
    }
    return std::unique_ptr<VirtualTable>(new TopKTable(args.session));
  }
};

}  // namespace

std::shared_ptr<ext::VirtualTableModule> make_vector_top_k() { return std::make_shared<TopKModule>(); }

}  // namespace keel::vector
