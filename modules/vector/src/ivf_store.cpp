// IvfStore (see ivf_store.h for the storage layout and invariants).
#include "ivf_store.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "ivf_kmeans.h"
#include "kernels.h"
#include "vector_functions.h"

namespace keel::vector {

namespace {

using ext::Session;

std::string quote_id(std::string_view s) {
  std::string r = "\"";
  for (char c : s) {
    r.push_back(c);
    if (c == '"') r.push_back('"');
  }
  return r + "\"";
}

const char* metric_name(Metric m) {
  switch (m) {
    case Metric::kL2:
      return "l2";
    case Metric::kDot:
      return "dot";
    default:
      return "cos";
  }
}

bool metric_from(std::string_view s, Metric* out) {
  std::string l(s);
  for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (l == "cos" || l == "cosine")
    *out = Metric::kCos;
  else if (l == "l2")
    *out = Metric::kL2;
  else if (l == "dot")
    *out = Metric::kDot;
  else
    return false;
  return true;
}

// Rewinds a cached statement when the scope ends, whatever happened.
struct ResetOnExit {
  Statement* st;
  ~ResetOnExit() { (void)st->reset(); }
};

Status step_all(Statement* st) {
  for (;;) {
    auto r = st->step();
    if (!r.ok()) return r.take_status();
    if (!*r) return Status::Ok();
  }
}

Value blob_value(const std::vector<uint8_t>& b) { return Value::blob(b); }

// Orders hits as SQL orders the distances: NULL (NaN) first, then ascending;
// ties by id.
bool hit_less(const IvfHit& a, const IvfHit& b) {
  const bool an = std::isnan(a.distance), bn = std::isnan(b.distance);
  if (an != bn) return an;
  if (!an && a.distance != b.distance) return a.distance < b.distance;
  return a.id < b.id;
}

// Keeps up to n f32 vectors drawn uniformly from a stream (reservoir sampling).
class Reservoir {
 public:
  Reservoir(size_t cap, size_t dims, uint64_t seed) : cap_(cap), dims_(dims), rng_(seed) {}
  void add(const VectorView& v) {
    size_t slot = seen_;
    if (seen_ >= cap_) {
      std::uniform_int_distribution<size_t> pick(0, seen_);
      slot = pick(rng_);
    }
    seen_++;
    if (slot >= cap_) return;
    if (slot >= rows_) {
      data_.resize((rows_ + 1) * dims_);
      slot = rows_++;
    }
    decode_f32(v, data_.data() + slot * dims_);
  }
  size_t rows() const { return rows_; }
  std::vector<float>& data() { return data_; }

 private:
  size_t cap_, dims_, seen_ = 0, rows_ = 0;
  std::mt19937_64 rng_;
  std::vector<float> data_;
};

void normalize(float* v, size_t d) {
  double s = 0;
  for (size_t i = 0; i < d; i++) s += static_cast<double>(v[i]) * v[i];
  if (s <= 0) return;
  const double inv = 1.0 / std::sqrt(s);
  for (size_t i = 0; i < d; i++) v[i] = static_cast<float>(v[i] * inv);
}

int64_t fresh_token() {
  std::random_device rd;
  uint64_t t = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  t &= 0x7fffffffffffffffULL;
  return t == 0 ? 1 : static_cast<int64_t>(t);
}

}  // namespace

Status parse_ivf_options(const ext::IndexDefinition& def, IvfOptions* out) {
  const std::string who = "vector index " + def.name + ": ";
  if (def.columns.size() != 1) return Status(rc::kError, who + "indexes exactly one column");
  IvfOptions o;
  for (const ext::IndexOption& opt : def.options) {
    if (opt.key == "metric") {
      if (opt.value.type() != Type::kText || !metric_from(opt.value.text(), &o.metric)) {
        return Status(rc::kError,
                      who + "unknown metric " + opt.value.to_string() + " (expected 'cos', 'l2' or 'dot')");
      }
    } else if (opt.key == "lists" || opt.key == "probes") {
      const int64_t max = 65536;
      if (opt.value.type() != Type::kInteger || opt.value.as_int64() < 1 || opt.value.as_int64() > max) {
        return Status(rc::kError,
                      who + opt.key + " must be an integer from 1 to 65536, not " + opt.value.to_string());
      }
      (opt.key == "lists" ? o.lists : o.probes) = opt.value.as_int64();
    } else {
      return Status(rc::kError, who + "unknown option " + opt.key + " (known: metric, lists, probes)");
    }
  }
  *out = o;
  return Status::Ok();
}

IvfStore::IvfStore(std::string database, std::string prefix, std::string index)
    : db_(std::move(database)), prefix_(std::move(prefix)), index_(std::move(index)) {}

std::string IvfStore::t(const char* suffix) const { return quote_id(db_) + "." + quote_id(prefix_ + suffix); }

Status IvfStore::create(Session& s, const std::string& database, const std::string& prefix,
                        const IvfOptions& o, int type, int64_t dims) {
  const std::string db = quote_id(database) + ".";
  std::string sql = "CREATE TABLE " + db + quote_id(prefix + "meta") +
                    "(k INTEGER PRIMARY KEY CHECK (k = 0), type INTEGER NOT NULL, dims INTEGER NOT NULL, "
                    "metric TEXT NOT NULL, lists INTEGER NOT NULL, probes INTEGER NOT NULL, "
                    "count INTEGER NOT NULL, trained INTEGER NOT NULL, token INTEGER NOT NULL, "
                    "next_list INTEGER NOT NULL);";
  sql += "CREATE TABLE " + db + quote_id(prefix + "centroids") +
         "(list INTEGER PRIMARY KEY, vector BLOB, next INTEGER NOT NULL);";
  sql += "CREATE TABLE " + db + quote_id(prefix + "lists") +
         "(key INTEGER PRIMARY KEY, id INTEGER NOT NULL, vector BLOB NOT NULL);";
  sql += "CREATE INDEX " + db + quote_id(prefix + "lists_id") + " ON " + quote_id(prefix + "lists") + "(id);";
  sql += "INSERT INTO " + db + quote_id(prefix + "meta") + " VALUES (0, " + std::to_string(type) + ", " +
         std::to_string(dims) + ", '" + metric_name(o.metric) + "', " + std::to_string(o.lists) + ", " +
         std::to_string(o.probes) + ", 0, 0, 0, 1);";
  // List 0 holds every row while the index is untrained; it has no centroid.
  sql += "INSERT INTO " + db + quote_id(prefix + "centroids") + " VALUES (0, NULL, 0)";
  return s.exec(sql);
}

Status IvfStore::drop(Session& s, const std::string& database, const std::string& prefix) {
  const std::string db = quote_id(database) + ".";
  return s.exec("DROP TABLE IF EXISTS " + db + quote_id(prefix + "lists") + "; DROP TABLE IF EXISTS " + db +
                quote_id(prefix + "centroids") + "; DROP TABLE IF EXISTS " + db + quote_id(prefix + "meta"));
}

Result<bool> IvfStore::exists(Session& s, const std::string& database, const std::string& prefix) {
  auto st = s.prepare("SELECT 1 FROM " + quote_id(database) +
                      ".sqlite_schema WHERE type = 'table' AND name = ?1 COLLATE NOCASE");
  if (!st.ok()) return st.take_status();
  KEEL_RETURN_IF_ERROR(st->bind(1, Value(prefix + "meta")));
  return st->step();
}

Result<Statement*> IvfStore::stmt(Session& s, std::optional<Statement>& slot, const std::string& sql) {
  if (!slot) {
    auto st = s.prepare(sql);
    if (!st.ok()) return st.take_status();
    slot.emplace(std::move(st).value());
  }
  return &*slot;
}

namespace {
constexpr const char* kMetaColumns = "type, dims, metric, lists, probes, count, trained, token, next_list";
}  // namespace

Result<IvfStore::Meta> IvfStore::meta_row(Statement* st) {
  KEEL_ASSIGN_OR_RETURN(bool row, st->step());
  if (!row) return Status(rc::kCorrupt, "vector index " + index_ + ": its meta row is missing");
  Meta m;
  m.type = static_cast<int>(st->column_int64(0));
  m.dims = st->column_int64(1);
  if (!metric_from(st->column_text(2), &m.options.metric) || (m.type != 0 && m.type != 1 && m.type != 2) ||
      m.dims < 0) {
    return Status(rc::kCorrupt, "vector index " + index_ + ": malformed meta row");
  }
  m.options.lists = st->column_int64(3);
  m.options.probes = st->column_int64(4);
  m.count = st->column_int64(5);
  m.trained = st->column_int64(6);
  m.token = st->column_int64(7);
  m.next_list = st->column_int64(8);
  KEEL_RETURN_IF_ERROR(step_all(st));
  metric_ = m.options.metric;
  type_ = m.type == 2 ? VectorType::kFloat64 : VectorType::kFloat32;
  dims_ = static_cast<size_t>(m.dims);
  return m;
}

Result<IvfStore::Meta> IvfStore::read_meta(Session& s) {
  KEEL_ASSIGN_OR_RETURN(
      Statement * st,
      stmt(s, meta_get_, std::string("SELECT ") + kMetaColumns + " FROM " + t("meta") + " WHERE k = 0"));
  ResetOnExit guard{st};
  return meta_row(st);
}

Status IvfStore::load_centroids(Session& s, const Meta& m) {
  if (cached_token_ == m.token) return Status::Ok();
  list_ids_.clear();
  centroids_.clear();
  centroid_bytes_ = (type_ == VectorType::kFloat64 ? 8 : 4) * dims_;
  if (m.token != 0) {
    auto st =
        s.prepare("SELECT list, vector FROM " + t("centroids") + " WHERE vector IS NOT NULL ORDER BY list");
    if (!st.ok()) return st.take_status();
    for (;;) {
      KEEL_ASSIGN_OR_RETURN(bool row, st->step());
      if (!row) break;
      auto blob = st->column_blob(1);
      auto v = parse_blob(blob);
      if (!v.ok() || v->type != type_ || v->dims != dims_) {
        return Status(rc::kCorrupt, "vector index " + index_ + ": malformed centroid");
      }
      list_ids_.push_back(st->column_int64(0));
      centroids_.insert(centroids_.end(), v->data, v->data + centroid_bytes_);
    }
  }
  cached_token_ = m.token;
  return Status::Ok();
}

// Centroid scores: smaller is nearer. cos and dot maximise the dot product
// (cos centroids are unit vectors, so for a fixed v the cosine distance
// falls as the dot product rises); l2 minimises the squared distance.
std::vector<size_t> IvfStore::nearest_lists(const VectorView& q, size_t n) const {
  const DenseKernels& k = dense_kernels();
  const bool f64 = type_ == VectorType::kFloat64;
  const size_t count = list_ids_.size();
  std::vector<std::pair<double, size_t>> scored(count);
  for (size_t c = 0; c < count; c++) {
    const uint8_t* cd = centroids_.data() + c * centroid_bytes_;
    double score;
    if (metric_ == Metric::kL2) {
      score = f64 ? k.l2sq_f64(cd, q.data, dims_) : k.l2sq_f32(cd, q.data, dims_);
    } else {
      score = -(f64 ? k.dot_f64(cd, q.data, dims_) : k.dot_f32(cd, q.data, dims_));
    }
    if (std::isnan(score)) score = std::numeric_limits<double>::infinity();
    scored[c] = {score, c};
  }
  n = std::min(n, count);
  std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(n), scored.end());
  std::vector<size_t> out(n);
  for (size_t i = 0; i < n; i++) out[i] = scored[i].second;
  return out;
}

int64_t IvfStore::list_of(const VectorView& v) const {
  if (list_ids_.empty()) return 0;
  return list_ids_[nearest_lists(v, 1)[0]];
}

Result<bool> IvfStore::vector_of(Session& s, const Value& v, Meta& m, std::vector<uint8_t>& blob,
                                 VectorView& view) {
  const std::string who = "vector index " + index_ + ": ";
  switch (v.type()) {
    case Type::kNull:
      return false;
    case Type::kText: {
      ParsedVector pv;
      Status st = parse_arg(SqlArg::text(v.text()), VectorType::kFloat32, &pv);
      if (!st.ok()) {
        return Status(st.code(), who + std::string(st.message()));
      }
      blob = std::move(pv.storage);
      break;
    }
    case Type::kBlob: {
      blob.assign(v.blob().begin(), v.blob().end());
      break;
    }
    default:
      return Status(rc::kError, who + "cannot index " +
                                    (v.type() == Type::kInteger ? "an INTEGER" : "a REAL") +
                                    " value (expected a vector blob)");
  }
  auto parsed = parse_blob(blob);
  if (!parsed.ok()) {
    return Status(parsed.status().code(), who + std::string(parsed.status().message()));
  }
  view = *parsed;
  if (view.type != VectorType::kFloat32 && view.type != VectorType::kFloat64) {
    return Status(rc::kError,
                  who + type_name(view.type) + " vectors cannot be indexed (float32 or float64 only)");
  }
  if (m.type == 0 || m.dims == 0) {
    if (view.dims == 0) return Status(rc::kError, who + "cannot index a vector of 0 dimensions");
    m.type = static_cast<int>(view.type);
    m.dims = static_cast<int64_t>(view.dims);
    // The first vector fixes the index's type and dimensions.
    KEEL_RETURN_IF_ERROR(s.exec("UPDATE " + t("meta") + " SET type = " + std::to_string(m.type) +
                                ", dims = " + std::to_string(m.dims) + " WHERE k = 0"));
    type_ = view.type;
    dims_ = view.dims;
  }
  const VectorType want = m.type == 2 ? VectorType::kFloat64 : VectorType::kFloat32;
  if (view.type != want) {
    return Status(rc::kError, who + "expected a " + type_name(want) + " vector, got " + type_name(view.type));
  }
  if (view.dims != static_cast<size_t>(m.dims)) {
    return Status(rc::kError, who + "expected " + std::to_string(m.dims) + " dimensions, got " +
                                  std::to_string(view.dims));
  }
  return true;
}

namespace {

// Lists for an index of `rows` rows: the option's value once there are 32
// rows per list (fewer lists before, so that small indexes train usefully),
// else √rows.
size_t target_lists(const IvfOptions& o, int64_t rows) {
  int64_t l = o.lists ? std::min<int64_t>(o.lists, std::max<int64_t>(1, rows / 32))
                      : std::max<int64_t>(1, std::llround(std::sqrt(static_cast<double>(rows))));
  return static_cast<size_t>(std::min<int64_t>(l, 65536));
}

// Training points: 64 per list (FAISS warns below 39), at least 8192.
size_t sample_cap(size_t lists, int64_t rows) {
  return static_cast<size_t>(
      std::min<int64_t>(rows, std::max<int64_t>(8192, static_cast<int64_t>(64 * lists))));
}

size_t probes_for(const IvfOptions& o, size_t lists) {
  size_t p = o.probes ? static_cast<size_t>(o.probes)
                      : std::max<size_t>(
                            4, static_cast<size_t>(std::llround(std::sqrt(static_cast<double>(lists)))));
  return std::min(p, lists);
}

}  // namespace

Status IvfStore::retrain(Session& s, Meta& m, int64_t rows, std::vector<float>* sample) {
  const size_t d = dims_;
  const size_t want = target_lists(m.options, rows);
  const uint64_t seed = static_cast<uint64_t>(rows) * 0x9E3779B97F4A7C15ULL + d;
  std::vector<float> own;
  if (sample == nullptr) {
    Reservoir r(sample_cap(want, rows), d, seed);
    auto st = s.prepare("SELECT vector FROM " + t("lists"));
    if (!st.ok()) return st.take_status();
    for (;;) {
      KEEL_ASSIGN_OR_RETURN(bool row, st->step());
      if (!row) break;
      auto v = parse_blob(st->column_blob(0));
      if (!v.ok() || v->dims != d)
        return Status(rc::kCorrupt, "vector index " + index_ + ": malformed list entry");
      r.add(*v);
    }
    own = std::move(r.data());
    own.resize(r.rows() * d);
    sample = &own;
  }
  const size_t n = sample->size() / d;
  if (n == 0) return Status::Ok();
  const size_t lists = std::min(want, n);
  if (metric_ == Metric::kCos) {
    for (size_t i = 0; i < n; i++) normalize(sample->data() + i * d, d);
  }
  std::vector<float> cent = kmeans(sample->data(), n, d, lists, 10, seed);
  if (metric_ == Metric::kCos) {
    for (size_t c = 0; c < lists; c++) normalize(cent.data() + c * d, d);
  }
  KEEL_RETURN_IF_ERROR(load_centroids(s, m));
  std::vector<int64_t> old = list_ids_;
  if (old.empty()) old.push_back(0);

  // The new centroids, under fresh list ids.
  const int64_t base = m.next_list;
  if (base + static_cast<int64_t>(lists) >= (int64_t{1} << 31)) {
    return Status(rc::kFull, "vector index " + index_ + ": list ids exhausted (REINDEX it)");
  }
  const bool f64 = type_ == VectorType::kFloat64;
  std::vector<int64_t> ids(lists);
  std::vector<uint8_t> elems(lists * centroid_bytes_);
  std::vector<std::vector<uint8_t>> blobs(lists,
                                          std::vector<uint8_t>(f64 ? blob_size_f64(d) : blob_size_f32(d)));
  {
    std::vector<double> wide(d);
    for (size_t c = 0; c < lists; c++) {
      ids[c] = base + static_cast<int64_t>(c);
      const float* src = cent.data() + c * d;
      if (f64) {
        for (size_t j = 0; j < d; j++) wide[j] = src[j];
        write_f64(blobs[c].data(), wide.data(), d);
      } else {
        write_f32(blobs[c].data(), src, d);
      }
      std::copy_n(blobs[c].data(), centroid_bytes_, elems.data() + c * centroid_bytes_);
    }
  }
  m.token = fresh_token();
  m.trained = rows;
  m.next_list = base + static_cast<int64_t>(lists);
  KEEL_RETURN_IF_ERROR(s.exec("UPDATE " + t("meta") + " SET trained = " + std::to_string(m.trained) +
                              ", token = " + std::to_string(m.token) +
                              ", next_list = " + std::to_string(m.next_list) + " WHERE k = 0"));
  list_ids_ = std::move(ids);
  centroids_ = std::move(elems);
  cached_token_ = m.token;

  // Move every row from its old list to its new one, one old list at a
  // time; slots of the new lists are counted here and stored with them.
  std::vector<int64_t> next_slot(lists, 0);
  auto scan = s.prepare("SELECT id, vector FROM " + t("lists") + " WHERE key >= ?1 AND key <= ?2");
  auto del = s.prepare("DELETE FROM " + t("lists") + " WHERE key >= ?1 AND key <= ?2");
  auto put = s.prepare("INSERT INTO " + t("lists") + "(key, id, vector) VALUES (?1, ?2, ?3)");
  if (!scan.ok()) return scan.take_status();
  if (!del.ok()) return del.take_status();
  if (!put.ok()) return put.take_status();
  std::vector<std::pair<int64_t, std::vector<uint8_t>>> rows_of_list;
  for (int64_t list : old) {
    rows_of_list.clear();
    KEEL_RETURN_IF_ERROR(scan->reset());
    KEEL_RETURN_IF_ERROR(scan->bind(1, Value(list << kSlotBits)));
    KEEL_RETURN_IF_ERROR(scan->bind(2, Value((list << kSlotBits) | kSlotMask)));
    for (;;) {
      KEEL_ASSIGN_OR_RETURN(bool row, scan->step());
      if (!row) break;
      auto b = scan->column_blob(1);
      rows_of_list.emplace_back(scan->column_int64(0), std::vector<uint8_t>(b.begin(), b.end()));
    }
    KEEL_RETURN_IF_ERROR(scan->reset());
    if (rows_of_list.empty()) continue;
    KEEL_RETURN_IF_ERROR(del->reset());
    KEEL_RETURN_IF_ERROR(del->bind(1, Value(list << kSlotBits)));
    KEEL_RETURN_IF_ERROR(del->bind(2, Value((list << kSlotBits) | kSlotMask)));
    KEEL_RETURN_IF_ERROR(step_all(&*del));
    for (auto& [id, bytes] : rows_of_list) {
      auto v = parse_blob(bytes);
      if (!v.ok() || v->dims != d)
        return Status(rc::kCorrupt, "vector index " + index_ + ": malformed list entry");
      const size_t c = nearest_lists(*v, 1)[0];
      KEEL_RETURN_IF_ERROR(put->reset());
      KEEL_RETURN_IF_ERROR(put->bind(1, Value((list_ids_[c] << kSlotBits) | next_slot[c]++)));
      KEEL_RETURN_IF_ERROR(put->bind(2, Value(id)));
      KEEL_RETURN_IF_ERROR(put->bind(3, blob_value(bytes)));
      KEEL_RETURN_IF_ERROR(step_all(&*put));
    }
  }
  KEEL_RETURN_IF_ERROR(
      s.exec("DELETE FROM " + t("centroids") + " WHERE list <> 0 AND list < " + std::to_string(base)));
  auto ins = s.prepare("INSERT INTO " + t("centroids") + "(list, vector, next) VALUES (?1, ?2, ?3)");
  if (!ins.ok()) return ins.take_status();
  for (size_t c = 0; c < lists; c++) {
    KEEL_RETURN_IF_ERROR(ins->reset());
    KEEL_RETURN_IF_ERROR(ins->bind(1, Value(list_ids_[c])));
    KEEL_RETURN_IF_ERROR(ins->bind(2, blob_value(blobs[c])));
    KEEL_RETURN_IF_ERROR(ins->bind(3, Value(next_slot[c])));
    KEEL_RETURN_IF_ERROR(step_all(&*ins));
  }
  return Status::Ok();
}

Status IvfStore::train_from_table(Session& s, const std::string& table, const std::string& column) {
  KEEL_ASSIGN_OR_RETURN(Meta m, read_meta(s));
  const std::string src = quote_id(db_) + "." + quote_id(table);
  int64_t present = 0;
  {
    auto st = s.prepare("SELECT count(*) FROM " + src + " WHERE " + quote_id(column) + " IS NOT NULL");
    if (!st.ok()) return st.take_status();
    KEEL_ASSIGN_OR_RETURN(bool row, st->step());
    if (row) present = st->column_int64(0);
  }
  if (present < kMinTrainRows) return Status::Ok();
  const size_t cap = sample_cap(target_lists(m.options, present), present);
  auto st = s.prepare("SELECT " + quote_id(column) + " FROM " + src);
  if (!st.ok()) return st.take_status();
  std::optional<Reservoir> r;
  std::vector<uint8_t> blob;
  VectorView view;
  int64_t rows = 0;
  for (;;) {
    KEEL_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row) break;
    // Values the index would refuse fail here with the message insert() gives.
    KEEL_ASSIGN_OR_RETURN(bool indexed, vector_of(s, st->column_value(0), m, blob, view));
    if (!indexed) continue;
    if (!r) r.emplace(cap, dims_, static_cast<uint64_t>(present));
    r->add(view);
    rows++;
  }
  if (rows < kMinTrainRows) return Status::Ok();
  std::vector<float> sample = std::move(r->data());
  sample.resize(r->rows() * dims_);
  return retrain(s, m, rows, &sample);
}

Status IvfStore::insert(Session& s, int64_t rowid, const Value& v) {
  if (v.is_null()) return Status::Ok();  // NULL vectors are not indexed
  // Counting first reads the meta row in the same statement; a value the
  // index refuses fails the writing statement, which undoes the count.
  Meta m;
  {
    KEEL_ASSIGN_OR_RETURN(
        Statement * st,
        stmt(s, meta_count_up_,
             "UPDATE " + t("meta") + " SET count = count + 1 WHERE k = 0 RETURNING " + kMetaColumns));
    ResetOnExit guard{st};
    KEEL_ASSIGN_OR_RETURN(m, meta_row(st));
  }
  std::vector<uint8_t> blob;
  VectorView view;
  KEEL_ASSIGN_OR_RETURN(bool indexed, vector_of(s, v, m, blob, view));
  if (!indexed) return Status::Ok();
  if (m.count >= kMinTrainRows && m.count >= 2 * m.trained) {
    KEEL_RETURN_IF_ERROR(retrain(s, m, m.count, nullptr));
  }
  KEEL_RETURN_IF_ERROR(load_centroids(s, m));
  const int64_t list = list_of(view);
  int64_t slot = 0;
  {
    KEEL_ASSIGN_OR_RETURN(
        Statement * st,
        stmt(s, slot_next_,
             "UPDATE " + t("centroids") + " SET next = next + 1 WHERE list = ?1 RETURNING next - 1"));
    ResetOnExit guard{st};
    KEEL_RETURN_IF_ERROR(st->bind(1, Value(list)));
    KEEL_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row)
      return Status(rc::kCorrupt,
                    "vector index " + index_ + ": list " + std::to_string(list) + " is missing");
    slot = st->column_int64(0);
    KEEL_RETURN_IF_ERROR(step_all(st));
  }
  if (slot < 0 || slot > kSlotMask) {
    return Status(rc::kFull,
                  "vector index " + index_ + ": list " + std::to_string(list) + " is full (REINDEX it)");
  }
  KEEL_ASSIGN_OR_RETURN(
      Statement * st,
      stmt(s, list_insert_, "INSERT INTO " + t("lists") + "(key, id, vector) VALUES (?1, ?2, ?3)"));
  ResetOnExit guard{st};
  KEEL_RETURN_IF_ERROR(st->bind(1, Value((list << kSlotBits) | slot)));
  KEEL_RETURN_IF_ERROR(st->bind(2, Value(rowid)));
  KEEL_RETURN_IF_ERROR(st->bind(3, blob_value(blob)));
  return step_all(st);
}

Status IvfStore::remove(Session& s, int64_t rowid, const Value& v) {
  if (v.is_null()) return Status::Ok();
  bool gone = false;
  {
    KEEL_ASSIGN_OR_RETURN(
        Statement * st, stmt(s, list_delete_, "DELETE FROM " + t("lists") + " WHERE id = ?1 RETURNING key"));
    ResetOnExit guard{st};
    KEEL_RETURN_IF_ERROR(st->bind(1, Value(rowid)));
    KEEL_ASSIGN_OR_RETURN(gone, st->step());
    KEEL_RETURN_IF_ERROR(step_all(st));
  }
  if (!gone) return Status::Ok();  // never indexed (or already gone)
  KEEL_ASSIGN_OR_RETURN(Statement * st, stmt(s, meta_count_down_,
                                             "UPDATE " + t("meta") + " SET count = count - 1 WHERE k = 0"));
  ResetOnExit guard{st};
  return step_all(st);
}

Result<std::vector<IvfHit>> IvfStore::search(Session& s, const Value& query, int64_t limit, int64_t probes) {
  std::vector<IvfHit> hits;
  KEEL_ASSIGN_OR_RETURN(Meta m, read_meta(s));
  ParsedVector q;
  switch (query.type()) {
    case Type::kText:
      KEEL_RETURN_IF_ERROR(parse_arg(SqlArg::text(query.text()), VectorType::kFloat32, &q));
      break;
    case Type::kBlob:
      KEEL_RETURN_IF_ERROR(parse_arg(SqlArg::blob(query.blob()), VectorType::kFloat32, &q));
      break;
    default:
      return conversion_error("Invalid vector type");
  }
  if (m.dims == 0 || limit == 0) return hits;  // nothing indexed yet
  VectorView shape;
  shape.type = type_;
  shape.dims = dims_;
  KEEL_RETURN_IF_ERROR(check_compatible(shape, q.view));
  KEEL_RETURN_IF_ERROR(load_centroids(s, m));

  std::vector<int64_t> lists;
  if (list_ids_.empty()) {
    lists.push_back(0);
  } else if (limit < 0) {
    lists = list_ids_;
  } else {
    IvfOptions o = m.options;
    if (probes > 0) o.probes = probes;
    for (size_t c : nearest_lists(q.view, probes_for(o, list_ids_.size()))) lists.push_back(list_ids_[c]);
  }
  KEEL_ASSIGN_OR_RETURN(
      Statement * st,
      stmt(s, list_scan_, "SELECT id, vector FROM " + t("lists") + " WHERE key >= ?1 AND key <= ?2"));
  const size_t k = limit < 0 ? std::numeric_limits<size_t>::max() : static_cast<size_t>(limit);
  // Exact distances of every row of the probed lists; a max-heap (by
  // hit_less) keeps the k best.
  for (int64_t list : lists) {
    ResetOnExit guard{st};
    KEEL_RETURN_IF_ERROR(st->bind(1, Value(list << kSlotBits)));
    KEEL_RETURN_IF_ERROR(st->bind(2, Value((list << kSlotBits) | kSlotMask)));
    for (;;) {
      KEEL_ASSIGN_OR_RETURN(bool row, st->step());
      if (!row) break;
      auto v = parse_blob(st->column_blob(1));
      if (!v.ok() || v->type != type_ || v->dims != dims_) {
        return Status(rc::kCorrupt, "vector index " + index_ + ": malformed list entry");
      }
      IvfHit h{st->column_int64(0), 0};
      KEEL_RETURN_IF_ERROR(distance(metric_, *v, q.view, &h.distance));
      if (hits.size() < k) {
        hits.push_back(h);
        if (limit >= 0) std::push_heap(hits.begin(), hits.end(), hit_less);
      } else if (hit_less(h, hits.front())) {
        std::pop_heap(hits.begin(), hits.end(), hit_less);
        hits.back() = h;
        std::push_heap(hits.begin(), hits.end(), hit_less);
      }
    }
  }
  std::sort(hits.begin(), hits.end(), hit_less);
  return hits;
}

}  // namespace keel::vector
