// The `vector` index method: CREATE INDEX i ON t USING vector (col)
// WITH (metric = 'cos' | 'l2' | 'dot', lists = N, probes = N).
//
// An IVF index (ivf_store.h) maintained through the IndexMethod calls, and
// answering the planner's
//   ORDER BY vector_distance_<metric>(col, ?) LIMIT k
// (either argument order) through the kOrderByLimit shape: query() returns
// the k nearest rows it finds in the probed lists, nearest first, with their
// exact distances; the kernel then fetches those rows and sorts them itself.
#include "ivf_method.h"

#include <cctype>
#include <memory>
#include <string>

#include "ivf_store.h"

namespace keel::vector {

namespace {

using ext::IndexCost;
using ext::IndexCursor;
using ext::IndexDefinition;
using ext::IndexInstance;
using ext::IndexQuery;
using ext::QueryShape;
using ext::Session;

class HitCursor final : public IndexCursor {
 public:
  explicit HitCursor(std::vector<IvfHit> hits) : hits_(std::move(hits)) {}
  bool eof() const override { return pos_ >= hits_.size(); }
  int64_t rowid() const override { return hits_[pos_].id; }
  Value score() const override { return Value(hits_[pos_].distance); }
  Status next() override {
    pos_++;
    return Status::Ok();
  }

 private:
  std::vector<IvfHit> hits_;
  size_t pos_ = 0;
};

class IvfInstance final : public IndexInstance {
 public:
  explicit IvfInstance(const IndexDefinition& def) : store_(def.database, def.storage_prefix, def.name) {}

  Status insert(Session& s, int64_t rowid, std::span<const Value> values) override {
    return values.empty() ? Status::Ok() : store_.insert(s, rowid, values[0]);
  }
  Status remove(Session& s, int64_t rowid, std::span<const Value> values) override {
    return values.empty() ? Status::Ok() : store_.remove(s, rowid, values[0]);
  }
  Result<std::unique_ptr<IndexCursor>> query(Session& s, const IndexQuery& q) override {
    if (q.args.empty()) return Status(rc::kMisuse, "vector index: missing query vector");
    KEEL_ASSIGN_OR_RETURN(std::vector<IvfHit> hits, store_.search(s, q.args[0], q.limit));
    return std::unique_ptr<IndexCursor>(new HitCursor(std::move(hits)));
  }

 private:
  IvfStore store_;
};

std::string quote_id(std::string_view s) {
  std::string r = "\"";
  for (char c : s) {
    r.push_back(c);
    if (c == '"') r.push_back('"');
  }
  return r + "\"";
}

// libSQL's vector column types: F32_BLOB(n) / FLOAT32(n) and the f64 forms
// fix the index's type and dimensions up front; the other vector types
// cannot be indexed; anything else leaves both to the first row.
Status declared_shape(const std::string& index, std::string decl, int* type, int64_t* dims) {
  for (char& c : decl) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string name = decl.substr(0, decl.find('('));
  while (!name.empty() && name.back() == ' ') name.pop_back();
  *type = 0;
  *dims = 0;
  if (name == "F32_BLOB" || name == "FLOAT32")
    *type = 1;
  else if (name == "F64_BLOB" || name == "FLOAT64")
    *type = 2;
  else if (name == "F8_BLOB" || name == "FLOAT8" || name == "F1BIT_BLOB" || name == "FLOAT1BIT" ||
           name == "F16_BLOB" || name == "FLOAT16" || name == "FB16_BLOB" || name == "FLOATB16") {
    return Status(rc::kError, "vector index " + index + ": columns of type " + name +
                                  " cannot be indexed (float32 or float64 vectors only)");
  }
  if (*type == 0) return Status::Ok();
  size_t open = decl.find('(');
  if (open == std::string::npos) return Status::Ok();
  int64_t n = 0;
  size_t i = open + 1;
  while (i < decl.size() && decl[i] == ' ') i++;
  for (; i < decl.size() && std::isdigit(static_cast<unsigned char>(decl[i])) && n < 100000000; i++) {
    n = n * 10 + (decl[i] - '0');
  }
  if (n == 0) *type = 0;  // F32_BLOB() or garbage: decide on the first row
  *dims = n;
  return Status::Ok();
}

class IvfMethod final : public ext::IndexMethod {
 public:
  std::string_view name() const override { return "vector"; }

  Status validate(const IndexDefinition& def) const override {
    IvfOptions o;
    return parse_ivf_options(def, &o);
  }

  std::vector<QueryShape> shapes(const IndexDefinition& def) const override {
    IvfOptions o;
    if (!parse_ivf_options(def, &o).ok()) return {};
    QueryShape s;
    s.kind = QueryShape::Kind::kOrderByLimit;
    s.name = o.metric == Metric::kL2    ? "vector_distance_l2"
             : o.metric == Metric::kDot ? "vector_distance_dot"
                                        : "vector_distance_cos";
    s.column = 0;
    s.n_args = 2;
    s.column_arg = 0;
    QueryShape flipped = s;
    flipped.column_arg = 1;
    return {s, flipped};
  }

  IndexCost estimate(const IndexDefinition& def, int shape, std::span<const Value> args,
                     std::span<const bool> known) const override {
    (void)def, (void)shape, (void)args, (void)known;
    // A few lists of the index against every row of the table.
    IndexCost c;
    c.cost = 20.0;
    c.rows = 10.0;
    return c;
  }

  Status create(Session& s, const IndexDefinition& def) override {
    IvfOptions o;
    KEEL_RETURN_IF_ERROR(parse_ivf_options(def, &o));
    int type = 0;
    int64_t dims = 0;
    {
      auto st = s.prepare("PRAGMA " + quote_id(def.database) + ".table_info(" + quote_id(def.table) + ")");
      if (!st.ok()) return st.take_status();
      for (;;) {
        KEEL_ASSIGN_OR_RETURN(bool row, st->step());
        if (!row) break;
        std::string col(st->column_text(1));
        if (col.size() != def.columns[0].size()) continue;
        bool same = true;
        for (size_t i = 0; i < col.size() && same; i++) {
          same = std::tolower(static_cast<unsigned char>(col[i])) ==
                 std::tolower(static_cast<unsigned char>(def.columns[0][i]));
        }
        if (same)
          KEEL_RETURN_IF_ERROR(declared_shape(def.name, std::string(st->column_text(2)), &type, &dims));
      }
    }
    KEEL_RETURN_IF_ERROR(IvfStore::create(s, def.database, def.storage_prefix, o, type, dims));
    // Train on the rows already there, before the kernel inserts them.
    IvfStore store(def.database, def.storage_prefix, def.name);
    return store.train_from_table(s, def.table, def.columns[0]);
  }

  Result<std::unique_ptr<IndexInstance>> open(Session& s, const IndexDefinition& def) override {
    (void)s;
    return std::unique_ptr<IndexInstance>(new IvfInstance(def));
  }

  Status drop(Session& s, const IndexDefinition& def) override {
    return IvfStore::drop(s, def.database, def.storage_prefix);
  }
};

}  // namespace

std::shared_ptr<ext::IndexMethod> make_ivf_method() { return std::make_shared<IvfMethod>(); }

}  // namespace keel::vector
