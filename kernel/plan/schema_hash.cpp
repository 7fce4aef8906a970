// The order SQLite's schema hash table lists tables in (hash.c): what
// ANALYZE and PRAGMA foreign_key_check walk, so that their output (and the
// rowids of sqlite_stat1) come in SQLite's order.
#include <algorithm>

#include "plan/analyze.h"

namespace keel::plan {
namespace {

// SQLite's strHash (hash.c): over the ASCII-lowercased name.
uint32_t str_hash(std::string_view name) {
  uint32_t h = 0;
  for (unsigned char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c + 32);
    h += c;
    h *= 0x9e3779b1u;
  }
  return h;
}

}  // namespace

// The tables of a schema in the order SQLite's schema hash lists them
// (the order of PRAGMA foreign_key_check): hash.c's insertions replayed —
// sqlite_master first, then every table and view in load order. A new
// element goes to the head of the list, or just before the first element
// of its bucket once the table has buckets (from 10 elements, resized to
// twice the count, at most 64). SQLite's list also keeps the trace of
// tables dropped since the schema was loaded; the replay does not.
std::vector<Table*> schema_hash_order(const DatabaseSchema& schema) {
  int db = schema.db();
  std::vector<Table*> tables;
  for (const auto& [name, t] : schema.tables()) tables.push_back(t.get());
  std::sort(tables.begin(), tables.end(),
            [](const Table* a, const Table* b) { return a->load_order < b->load_order; });
  std::vector<std::string_view> keys{db == 1 ? "sqlite_temp_master" : "sqlite_master"};
  for (const Table* t : tables) keys.push_back(t->name);
  int n = static_cast<int>(keys.size());
  std::vector<int> next(n, -1), prev(n, -1);
  std::vector<std::pair<int, int>> buckets;  // (count, first element)
  int first = -1;
  auto insert = [&](int bucket, int e) {
    int head = -1;
    if (bucket >= 0) {
      if (buckets[bucket].first) head = buckets[bucket].second;
      buckets[bucket].first++;
      buckets[bucket].second = e;
    }
    if (head >= 0) {
      next[e] = head;
      prev[e] = prev[head];
      if (prev[head] >= 0) {
        next[prev[head]] = e;
      } else {
        first = e;
      }
      prev[head] = e;
    } else {
      next[e] = first;
      if (first >= 0) prev[first] = e;
      prev[e] = -1;
      first = e;
    }
  };
  for (int k = 0; k < n; k++) {
    int count = k + 1;
    if (count >= 10 && count > 2 * static_cast<int>(buckets.size())) {
      int size = std::min(count * 2, 64);
      if (size != static_cast<int>(buckets.size())) {
        buckets.assign(size, {0, -1});
        int e = first;
        first = -1;
        while (e >= 0) {
          int after = next[e];
          insert(static_cast<int>(str_hash(keys[e]) % size), e);
          e = after;
        }
      }
    }
    insert(buckets.empty() ? -1 : static_cast<int>(str_hash(keys[k]) % buckets.size()), k);
  }
  std::vector<Table*> out;
  for (int e = first; e >= 0; e = next[e]) {
    if (e > 0) out.push_back(tables[e - 1]);
  }
  return out;
}
}  // namespace keel::plan
