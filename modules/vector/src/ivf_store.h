// IvfStore: an IVF (inverted-file) vector index kept in hidden tables of the
// database, read and written through a Session. The index method
// (ivf_method.cpp) and the vector_top_k table-valued function
// (vector_top_k.cpp) both work through it.
//
// Storage, for an index whose storage prefix is P (keel_im_<index>_):
//
//   P meta       one row: element type (1 f32, 2 f64; 0 unknown yet), dims
//                (0 unknown yet), metric, the lists/probes settings (0 auto),
//                count of indexed rows, count at the last training, a random
//                token naming the current centroid set (0 = untrained), and
//                the next free list id.
//   P centroids  (list INTEGER PRIMARY KEY, vector BLOB, next INTEGER): one
//                row per list with its centroid in the index's element type
//                and the list's next free slot; list 0 (no centroid) holds
//                every row while the index is untrained.
//   P lists      (key INTEGER PRIMARY KEY, id INTEGER, vector BLOB) with
//                key = list << 32 | slot, and an index P lists_id on (id):
//                every indexed row's vector under the list of its nearest
//                centroid. A list is one rowid range, so a probe reads
//                consecutive leaf pages of one b-tree; a delete finds the
//                entry through lists_id.
//
// Invariants: every indexed row (non-NULL vector) has exactly one entry,
// in the list of its vector's nearest centroid under the metric (list 0
// while untrained: then a query reads everything and is exact). All writes
// go through the Session, so they join the writing statement's transaction:
// ROLLBACK, savepoints, crash recovery and other connections see the index
// exactly as the table.
//
// Training: the first training happens once kMinTrainRows rows are indexed
// (or at CREATE INDEX on a table that has them); the index retrains whenever
// the row count has doubled since the last training, so an index created on
// an empty table follows the data as it grows. Retraining draws a sample,
// runs k-means (ivf_kmeans.h), writes the new centroids under fresh list ids
// and moves every row list by list. Amortised, each row is moved about once.
//
// Caches: the centroids are cached per connection and revalidated against
// the token in meta on every use (the token is random, so a rolled-back or
// another connection's training is never mistaken for the cached one).
//
// Thread-safety: one connection's thread (statements are prepared on it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keel/ext/index_method.hpp"
#include "keel/ext/session.hpp"
#include "keel/statement.hpp"
#include "keel/status.hpp"
#include "keel/value.hpp"
#include "vector_ops.h"

namespace keel::vector {

struct IvfOptions {
  Metric metric = Metric::kCos;
  int64_t lists = 0;   // target number of lists; 0: √rows at each training
  int64_t probes = 0;  // lists read per query; 0: max(4, √lists)
};

// Checks a CREATE INDEX ... USING vector definition and reads its options.
Status parse_ivf_options(const ext::IndexDefinition& def, IvfOptions* out);

// A list entry's key: list id in the high bits, a slot within the list in
// the low 32 (so a list is one contiguous rowid range).
inline constexpr int kSlotBits = 32;
inline constexpr int64_t kSlotMask = (int64_t{1} << kSlotBits) - 1;

// Rows an index holds before its first training.
inline constexpr int64_t kMinTrainRows = 1024;

struct IvfHit {
  int64_t id;
  double distance;  // NaN sorts first (SQL orders a NULL distance first)
};

class IvfStore {
 public:
  // `database` and `prefix` as IndexDefinition has them; `index` for messages.
  IvfStore(std::string database, std::string prefix, std::string index);

  // CREATE INDEX: makes the tables. `type`/`dims` come from the column's
  // declared type (F32_BLOB(n), ...) or are 0 to be set by the first row.
  static Status create(ext::Session& s, const std::string& database, const std::string& prefix,
                       const IvfOptions& options, int type, int64_t dims);
  static Status drop(ext::Session& s, const std::string& database, const std::string& prefix);
  // True when the store's meta table exists (vector_top_k's check).
  static Result<bool> exists(ext::Session& s, const std::string& database, const std::string& prefix);

  // Trains on the existing rows of `table`.`column` (CREATE INDEX on a
  // filled table) when there are enough of them.
  Status train_from_table(ext::Session& s, const std::string& table, const std::string& column);

  Status insert(ext::Session& s, int64_t rowid, const Value& v);
  Status remove(ext::Session& s, int64_t rowid, const Value& v);

  // The `limit` nearest rows to `query` under the index's metric, nearest
  // first, reading `probes` lists (0: the index's setting); limit < 0: every
  // indexed row.
  Result<std::vector<IvfHit>> search(ext::Session& s, const Value& query, int64_t limit, int64_t probes = 0);

 private:
  struct Meta {
    int type = 0;
    int64_t dims = 0;
    IvfOptions options;
    int64_t count = 0;
    int64_t trained = 0;
    int64_t token = 0;
    int64_t next_list = 1;
  };
  // A prepared statement kept for the instance's life, reset after each use.
  Result<Statement*> stmt(ext::Session& s, std::optional<Statement>& slot, const std::string& sql);
  Result<Meta> read_meta(ext::Session& s);
  // Reads the meta columns (kMetaColumns) of the row `st` yields.
  Result<Meta> meta_row(Statement* st);
  Status load_centroids(ext::Session& s, const Meta& m);
  // The vector a value stands for, checked against the index (type, dims;
  // the first vector fixes them); `blob` receives the bytes to store.
  // False: NULL, not indexed. A value the index refuses is an error.
  Result<bool> vector_of(ext::Session& s, const Value& v, Meta& m, std::vector<uint8_t>& blob,
                         VectorView& view);
  int64_t list_of(const VectorView& v) const;
  std::vector<size_t> nearest_lists(const VectorView& q, size_t n) const;
  // Trains on `sample` (f32, rows × dims; drawn from the lists table when
  // null) for an index of `rows` rows, then moves every row.
  Status retrain(ext::Session& s, Meta& m, int64_t rows, std::vector<float>* sample);
  std::string t(const char* suffix) const;

  std::string db_, prefix_, index_;
  // Centroid cache: ids, blobs in the index's element type, back to back.
  int64_t cached_token_ = -1;
  std::vector<int64_t> list_ids_;
  std::vector<uint8_t> centroids_;
  size_t centroid_bytes_ = 0;
  VectorType type_ = VectorType::kFloat32;
  size_t dims_ = 0;
  Metric metric_ = Metric::kCos;

  std::optional<Statement> meta_get_, meta_count_up_, meta_count_down_, slot_next_, list_insert_,
      list_delete_, list_scan_;
};

}  // namespace keel::vector
