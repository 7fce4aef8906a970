// A trigram index method for Keel, written against the installed SDK only.
//
//   CREATE INDEX docs_body ON docs USING trigram (body);
//   SELECT * FROM docs WHERE body LIKE '%needle%';   -- answered by the index
//
// Storage: one hidden table per index, <prefix>trigrams(tri BLOB, id INTEGER),
// with an index on (tri, id) for lookups and one on (id) for removal, written
// through the Session so it commits and rolls back with the data.
//
// A value's trigrams are its overlapping 3-byte windows after ASCII lower-
// casing (LIKE folds ASCII case; GLOB does not, so for GLOB the lookup is
// merely wider). A pattern's literal runs (between wildcards) of 3 bytes or
// more give the trigrams every match must contain; the candidates are the
// rowids having all of them. A pattern without such a run cannot be
// narrowed: estimate() says so at compile time (the planner scans the
// table), and query() returns every rowid if it meets one at run time
// through a bound parameter. The kernel rechecks each candidate against the
// full WHERE clause, so candidates only need to be a superset.
#include <algorithm>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "keel/ext/index_method.hpp"
#include "keel/ext/module.hpp"
#include "keel/ext/session.hpp"

namespace {

using keel::Result;
using keel::Status;
using keel::Value;
using keel::ext::IndexCost;
using keel::ext::IndexCursor;
using keel::ext::IndexDefinition;
using keel::ext::IndexInstance;
using keel::ext::IndexQuery;
using keel::ext::QueryShape;
using keel::ext::Session;

constexpr int kShapeLike = 0;
constexpr int kShapeGlob = 1;

std::string quote_id(std::string_view s) {
  std::string r = "\"";
  for (char c : s) {
    r.push_back(c);
    if (c == '"') r.push_back('"');
  }
  return r + "\"";
}

std::string fold(std::string_view s) {
  std::string r(s);
  for (char& c : r) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return r;
}

// The text SQL's LIKE sees for a value (NULL: none).
bool value_text(const Value& v, std::string* out) {
  if (v.is_null()) return false;
  *out = v.as_text();
  return true;
}

void add_trigrams(std::string_view run, std::set<std::string>& out) {
  for (size_t i = 0; i + 3 <= run.size(); i++) out.insert(std::string(run.substr(i, 3)));
}

// The literal runs of a LIKE pattern (with optional escape character) or a
// GLOB pattern, folded.
std::vector<std::string> literal_runs(std::string_view pattern, int shape, std::string_view escape) {
  std::vector<std::string> runs;
  std::string cur;
  auto cut = [&] {
    if (!cur.empty()) runs.push_back(fold(cur));
    cur.clear();
  };
  for (size_t i = 0; i < pattern.size(); i++) {
    char c = pattern[i];
    if (shape == kShapeLike) {
      if (!escape.empty() && pattern.substr(i, escape.size()) == escape) {
        i += escape.size();
        if (i < pattern.size()) cur.push_back(pattern[i]);
        continue;
      }
      if (c == '%' || c == '_') {
        cut();
        continue;
      }
    } else {
      if (c == '*' || c == '?') {
        cut();
        continue;
      }
      if (c == '[') {
        cut();
        size_t j = i + 1;
        if (j < pattern.size() && (pattern[j] == '^' || pattern[j] == ']')) j++;
        if (j < pattern.size() && pattern[j] == ']') j++;
        while (j < pattern.size() && pattern[j] != ']') j++;
        i = j;
        continue;
      }
    }
    cur.push_back(c);
  }
  cut();
  return runs;
}

// The trigrams every match of the pattern contains (empty: no narrowing).
std::set<std::string> pattern_trigrams(const Value& pattern, int shape, const Value* escape) {
  std::set<std::string> tris;
  std::string p, e;
  if (!value_text(pattern, &p)) return tris;
  if (escape && !escape->is_null()) e = escape->as_text();
  for (const std::string& run : literal_runs(p, shape, e)) add_trigrams(run, tris);
  return tris;
}

std::string blob_literal(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string s = "x'";
  for (unsigned char b : bytes) {
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 15]);
  }
  return s + "'";
}

class VectorCursor final : public IndexCursor {
 public:
  explicit VectorCursor(std::vector<int64_t> ids) : ids_(std::move(ids)) {}
  bool eof() const override { return pos_ >= ids_.size(); }
  int64_t rowid() const override { return ids_[pos_]; }
  Status next() override {
    pos_++;
    return Status::Ok();
  }

 private:
  std::vector<int64_t> ids_;
  size_t pos_ = 0;
};

class TrigramIndex final : public IndexInstance {
 public:
  explicit TrigramIndex(const IndexDefinition& def)
      : table_(quote_id(def.database) + "." + quote_id(def.storage_prefix + "trigrams")),
        base_(quote_id(def.database) + "." + quote_id(def.table)) {}

  Status insert(Session& s, int64_t rowid, std::span<const Value> values) override {
    std::string text;
    if (values.empty() || !value_text(values[0], &text)) return Status::Ok();
    std::set<std::string> tris;
    add_trigrams(fold(text), tris);
    if (tris.empty()) return Status::Ok();
    std::string sql = "INSERT INTO " + table_ + "(tri, id) VALUES ";
    bool first = true;
    for (const std::string& t : tris) {
      sql += (first ? "(" : ", (") + blob_literal(t) + ", " + std::to_string(rowid) + ")";
      first = false;
    }
    return s.exec(sql);
  }

  Status remove(Session& s, int64_t rowid, std::span<const Value> values) override {
    (void)values;
    auto st = s.prepare("DELETE FROM " + table_ + " WHERE id = ?");
    if (!st.ok()) return st.take_status();
    KEEL_RETURN_IF_ERROR(st->bind(1, Value(rowid)));
    return st->execute();
  }

  Result<std::unique_ptr<IndexCursor>> query(Session& s, const IndexQuery& q) override {
    if (q.args.empty()) return Status(keel::rc::kMisuse, "trigram: missing pattern");
    // LIKE NULL and GLOB NULL match nothing.
    if (q.args[0].is_null()) return std::unique_ptr<IndexCursor>(new VectorCursor({}));
    std::set<std::string> tris =
        pattern_trigrams(q.args[0], q.shape, q.args.size() > 1 ? &q.args[1] : nullptr);
    std::vector<int64_t> ids;
    if (tris.empty()) {
      auto st = s.prepare("SELECT rowid FROM " + base_);
      if (!st.ok()) return st.take_status();
      for (;;) {
        auto row = st->step();
        if (!row.ok()) return row.take_status();
        if (!*row) break;
        ids.push_back(st->column_int64(0));
      }
      return std::unique_ptr<IndexCursor>(new VectorCursor(std::move(ids)));
    }
    auto st = s.prepare("SELECT id FROM " + table_ + " WHERE tri = ? ORDER BY id");
    if (!st.ok()) return st.take_status();
    bool first = true;
    for (const std::string& t : tris) {
      KEEL_RETURN_IF_ERROR(st->reset());
      KEEL_RETURN_IF_ERROR(st->bind(1, Value::blob({reinterpret_cast<const uint8_t*>(t.data()), t.size()})));
      std::vector<int64_t> these;
      for (;;) {
        auto row = st->step();
        if (!row.ok()) return row.take_status();
        if (!*row) break;
        these.push_back(st->column_int64(0));
      }
      std::sort(these.begin(), these.end());
      if (first) {
        ids = std::move(these);
        first = false;
      } else {
        std::vector<int64_t> both;
        std::set_intersection(ids.begin(), ids.end(), these.begin(), these.end(), std::back_inserter(both));
        ids = std::move(both);
      }
      if (ids.empty()) break;
    }
    return std::unique_ptr<IndexCursor>(new VectorCursor(std::move(ids)));
  }

 private:
  std::string table_;  // "db"."<prefix>trigrams"
  std::string base_;   // "db"."table"
};

class TrigramMethod final : public keel::ext::IndexMethod {
 public:
  std::string_view name() const override { return "trigram"; }

  Status validate(const IndexDefinition& def) const override {
    if (def.columns.size() != 1) return Status(keel::rc::kError, "trigram indexes exactly one column");
    if (!def.options.empty()) return Status(keel::rc::kError, "trigram has no option " + def.options[0].key);
    return Status::Ok();
  }

  std::vector<QueryShape> shapes(const IndexDefinition& def) const override {
    (void)def;
    QueryShape like;
    like.kind = QueryShape::Kind::kOperator;
    like.name = "like";
    QueryShape glob = like;
    glob.name = "glob";
    return {like, glob};  // kShapeLike, kShapeGlob
  }

  IndexCost estimate(const IndexDefinition& def, int shape, std::span<const Value> args,
                     std::span<const bool> known) const override {
    (void)def;
    IndexCost c;
    if (!args.empty() && known[0]) {
      size_t n = pattern_trigrams(args[0], shape, args.size() > 1 && known[1] ? &args[1] : nullptr).size();
      if (n == 0 && !args[0].is_null()) c.usable = false;  // nothing to narrow by: scan the table
      c.cost = n ? 100.0 / static_cast<double>(n) : 1.0;
      c.rows = c.cost;
    }
    return c;
  }

  Status create(Session& s, const IndexDefinition& def) override {
    std::string db = quote_id(def.database);
    std::string t = def.storage_prefix + "trigrams";
    return s.exec("CREATE TABLE " + db + "." + quote_id(t) + "(tri BLOB NOT NULL, id INTEGER NOT NULL);" +
                  "CREATE INDEX " + db + "." + quote_id(t + "_tri") + " ON " + quote_id(t) + "(tri, id);" +
                  "CREATE INDEX " + db + "." + quote_id(t + "_id") + " ON " + quote_id(t) + "(id);");
  }

  Result<std::unique_ptr<IndexInstance>> open(Session& s, const IndexDefinition& def) override {
    (void)s;
    return std::unique_ptr<IndexInstance>(new TrigramIndex(def));
  }

  Status drop(Session& s, const IndexDefinition& def) override {
    return s.exec("DROP TABLE IF EXISTS " + quote_id(def.database) + "." +
                  quote_id(def.storage_prefix + "trigrams"));
  }
};

}  // namespace

KEEL_MODULE(trigram) { registrar.add_index_method(std::make_shared<TrigramMethod>()); }
