// Test module "testnearest": an index method over one numeric column that
// answers the two shapes besides operators —
//   WHERE near_within(col, center, radius)         (a function condition)
//   ORDER BY near_dist(col, center) LIMIT k        (nearest first)
// — plus the SQL functions themselves (the kernel re-evaluates them on every
// candidate row). Storage: <prefix>values(v, id) with an index on (v, id),
// through the Session. Option `fail_insert = 1` makes every insert fail
// (error propagation); `k_slack = n` adds n extra candidates to a limited
// query.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "keel/ext/index_method.hpp"
#include "keel/ext/module.hpp"
#include "keel/ext/session.hpp"

namespace {

using keel::Result;
using keel::Status;
using keel::Value;
using keel::ext::IndexCursor;
using keel::ext::IndexDefinition;
using keel::ext::IndexInstance;
using keel::ext::IndexQuery;
using keel::ext::QueryShape;
using keel::ext::Session;

constexpr int kWithin = 0;
constexpr int kNearest = 1;

std::string quote_id(std::string_view s) {
  std::string r = "\"";
  for (char c : s) {
    r.push_back(c);
    if (c == '"') r.push_back('"');
  }
  return r + "\"";
}

class DistFunction final : public keel::ext::ScalarFunction {
 public:
  std::string_view name() const override { return "near_dist"; }
  int arity() const override { return 2; }
  void call(keel::ext::Context& ctx, keel::ext::Args args) const override {
    if (args[0].is_null() || args[1].is_null()) return ctx.result_null();
    ctx.result_double(std::fabs(args[0].as_double() - args[1].as_double()));
  }
};

class WithinFunction final : public keel::ext::ScalarFunction {
 public:
  std::string_view name() const override { return "near_within"; }
  int arity() const override { return 3; }
  void call(keel::ext::Context& ctx, keel::ext::Args args) const override {
    if (args[0].is_null() || args[1].is_null() || args[2].is_null()) return ctx.result_null();
    ctx.result_int64(std::fabs(args[0].as_double() - args[1].as_double()) <= args[2].as_double() ? 1 : 0);
  }
};

class ListCursor final : public IndexCursor {
 public:
  ListCursor(std::vector<int64_t> ids, std::vector<double> scores)
      : ids_(std::move(ids)), scores_(std::move(scores)) {}
  bool eof() const override { return pos_ >= ids_.size(); }
  int64_t rowid() const override { return ids_[pos_]; }
  Value score() const override { return pos_ < scores_.size() ? Value(scores_[pos_]) : Value(); }
  Status next() override {
    pos_++;
    return Status::Ok();
  }

 private:
  std::vector<int64_t> ids_;
  std::vector<double> scores_;
  size_t pos_ = 0;
};

class NearestIndex final : public IndexInstance {
 public:
  explicit NearestIndex(const IndexDefinition& def)
      : table_(quote_id(def.database) + "." + quote_id(def.storage_prefix + "values")) {
    const Value* f = def.option("fail_insert");
    fail_ = f && f->as_int64() != 0;
    const Value* s = def.option("k_slack");
    slack_ = s ? s->as_int64() : 0;
  }

  Status insert(Session& s, int64_t rowid, std::span<const Value> values) override {
    if (fail_) return Status(keel::rc::kConstraint, "testnearest refuses inserts");
    // NULL is kept too: near_dist() of it is NULL, which ORDER BY puts first.
    auto st = s.prepare("INSERT INTO " + table_ + "(v, id) VALUES (?, ?)");
    if (!st.ok()) return st.take_status();
    KEEL_RETURN_IF_ERROR(st->bind(1, values[0].is_null() ? Value() : Value(values[0].as_double())));
    KEEL_RETURN_IF_ERROR(st->bind(2, Value(rowid)));
    return st->execute();
  }

  Status remove(Session& s, int64_t rowid, std::span<const Value> values) override {
    (void)values;
    auto st = s.prepare("DELETE FROM " + table_ + " WHERE id = ?");
    if (!st.ok()) return st.take_status();
    KEEL_RETURN_IF_ERROR(st->bind(1, Value(rowid)));
    return st->execute();
  }

  Result<std::unique_ptr<IndexCursor>> query(Session& s, const IndexQuery& q) override {
    queries++;
    std::vector<std::pair<double, int64_t>> hits;  // (distance, id)
    double center = q.args[0].as_double();
    if (q.args[0].is_null()) return std::unique_ptr<IndexCursor>(new ListCursor({}, {}));
    auto collect = [&](const std::string& sql, std::vector<Value> binds) -> Status {
      auto st = s.prepare(sql);
      if (!st.ok()) return st.take_status();
      for (size_t i = 0; i < binds.size(); i++)
        KEEL_RETURN_IF_ERROR(st->bind(static_cast<int>(i + 1), binds[i]));
      for (;;) {
        auto row = st->step();
        if (!row.ok()) return row.take_status();
        if (!*row) break;
        double d = st->column_is_null(0) ? -1.0 : std::fabs(st->column_double(0) - center);
        hits.emplace_back(d, st->column_int64(1));
      }
      return Status::Ok();
    };
    if (q.shape == kWithin) {
      double r = q.args[1].as_double();
      KEEL_RETURN_IF_ERROR(collect("SELECT v, id FROM " + table_ + " WHERE v >= ? AND v <= ?",
                                   {Value(center - r), Value(center + r)}));
    } else if (q.limit < 0) {
      KEEL_RETURN_IF_ERROR(collect("SELECT v, id FROM " + table_, {}));
    } else {
      // k nearest: the NULLs (first in ascending order), then up to k on
      // each side of the center.
      Value k(q.limit + slack_);
      KEEL_RETURN_IF_ERROR(collect("SELECT v, id FROM " + table_ + " WHERE v IS NULL LIMIT ?", {k}));
      KEEL_RETURN_IF_ERROR(
          collect("SELECT v, id FROM " + table_ + " WHERE v >= ? ORDER BY v LIMIT ?", {Value(center), k}));
      KEEL_RETURN_IF_ERROR(collect("SELECT v, id FROM " + table_ + " WHERE v < ? ORDER BY v DESC LIMIT ?",
                                   {Value(center), k}));
    }
    std::sort(hits.begin(), hits.end());
    if (q.shape == kNearest && q.limit >= 0 && hits.size() > static_cast<size_t>(q.limit + slack_)) {
      hits.resize(static_cast<size_t>(q.limit + slack_));
    }
    std::vector<int64_t> ids;
    std::vector<double> scores;
    for (auto& [d, id] : hits) {
      ids.push_back(id);
      scores.push_back(d);
    }
    last_limit = q.limit;
    return std::unique_ptr<IndexCursor>(new ListCursor(std::move(ids), std::move(scores)));
  }

  static inline int queries = 0;
  static inline int64_t last_limit = -2;

 private:
  std::string table_;
  bool fail_ = false;
  int64_t slack_ = 0;
};

class NearestMethod final : public keel::ext::IndexMethod {
 public:
  std::string_view name() const override { return "testnearest"; }
  Status validate(const IndexDefinition& def) const override {
    if (def.columns.size() != 1) return Status(keel::rc::kError, "testnearest indexes exactly one column");
    for (const auto& o : def.options) {
      if (o.key != "fail_insert" && o.key != "k_slack") {
        return Status(keel::rc::kError, "testnearest: unknown option " + o.key);
      }
    }
    return Status::Ok();
  }
  std::vector<QueryShape> shapes(const IndexDefinition&) const override {
    QueryShape within;
    within.kind = QueryShape::Kind::kFunction;
    within.name = "near_within";
    within.column_arg = 0;
    within.n_args = 3;
    QueryShape nearest;
    nearest.kind = QueryShape::Kind::kOrderByLimit;
    nearest.name = "near_dist";
    nearest.column_arg = 0;
    nearest.n_args = 2;
    return {within, nearest};  // kWithin, kNearest
  }
  Status create(Session& s, const IndexDefinition& def) override {
    std::string t = def.storage_prefix + "values";
    return s.exec("CREATE TABLE " + quote_id(def.database) + "." + quote_id(t) + "(v REAL, id INTEGER);" +
                  "CREATE INDEX " + quote_id(def.database) + "." + quote_id(t + "_v") + " ON " + quote_id(t) +
                  "(v, id);");
  }
  Result<std::unique_ptr<IndexInstance>> open(Session&, const IndexDefinition& def) override {
    return std::unique_ptr<IndexInstance>(new NearestIndex(def));
  }
  Status drop(Session& s, const IndexDefinition& def) override {
    return s.exec("DROP TABLE " + quote_id(def.database) + "." + quote_id(def.storage_prefix + "values"));
  }
};

// PRAGMA testnearest_stats: (queries, last limit).
class StatsPragma final : public keel::ext::PragmaHandler {
 public:
  std::string_view name() const override { return "testnearest_stats"; }
  std::vector<std::string> columns() const override { return {"queries", "last_limit"}; }
  Status run(Session&, const keel::ext::PragmaCall&, std::vector<std::vector<Value>>& rows) override {
    rows.push_back({Value(static_cast<int64_t>(NearestIndex::queries)), Value(NearestIndex::last_limit)});
    return Status::Ok();
  }
};

}  // namespace

KEEL_MODULE(testnearest) {
  registrar.add_function(std::make_shared<DistFunction>());
  registrar.add_function(std::make_shared<WithinFunction>());
  registrar.add_pragma(std::make_shared<StatsPragma>());
  registrar.add_index_method(std::make_shared<NearestMethod>());
}
