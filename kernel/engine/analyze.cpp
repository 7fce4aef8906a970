// ANALYZE, PRAGMA optimize and the loading of sqlite_stat1 (SQLite 3.40
// analyze.c, pragma.c).
//
// What gets analyzed and the stat text are the planner's (plan/analyze.h);
// this file scans the b-trees and writes the rows. The writes are SQL run as
// nested statements of the ANALYZE statement (SQLite's sqlite3NestedParse):
// they join its transaction, so an error or ROLLBACK undoes all of them, and
// the CREATE TABLE of sqlite_stat1 stores SQLite's exact text. Each index is
// scanned in key order and a row compared with the one before it, key
// column by key column, in the index's collations and with NULLs equal (OP_Ne
// with SQLITE_NULLEQ): a difference at column i starts a new distinct prefix
// of every length > i.
#include "plan/analyze.h"

#include <algorithm>
#include <cstdlib>

#include "engine/connection.h"
#include "plan/stat1.h"
#include "vm/record.h"
#include "vm/record_compare.h"
#include "vm/value_compare.h"

namespace keel::engine {
namespace {

std::string quote_id(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

std::string quote_str(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// The record of the cursor's current entry.
Status read_entry(storage::BtCursor& cur, std::vector<uint8_t>& buf, vm::RecordReader& reader) {
  uint32_t size = cur.payload_size();
  auto local = cur.payload_local();
  if (local.size() >= size) return reader.reset(local.subspan(0, size));
  buf.resize(size);
  KEEL_RETURN_IF_ERROR(cur.read_payload(0, size, buf.data()));
  return reader.reset(std::span<const uint8_t>(buf.data(), size));
}

// A probe for BtCursor::seek_key.
class Probe final : public storage::KeyComparator {
 public:
  explicit Probe(const vm::UnpackedRecord& p) : p_(p) {}
  int compare(const uint8_t* key, size_t size) const override { return vm::compare_record(key, size, p_); }

 private:
  const vm::UnpackedRecord& p_;
};

// Scans one index (statInit/statPush/statGet of analyze.c for stat1) and
// returns its stat text, or "" when the index is empty.
Result<std::string> scan_index(storage::Btree& bt, const plan::AnalyzeIndex& a,
                               const std::vector<const vm::Collation*>& colls, int64_t limit) {
  size_t n = static_cast<size_t>(a.n_key);
  std::vector<vm::Value> prev(n), cur_vals(n);
  std::vector<uint64_t> distinct(n, 0);  // distinct prefixes of 1, 2, ... key columns
  uint64_t n_row = 0;
  std::vector<uint8_t> buf;
  vm::RecordReader reader;
  storage::BtCursor cur(bt, a.root, false);
  KEEL_RETURN_IF_ERROR(cur.first());
  // PRAGMA analysis_limit (statPush's nLimit): once the rows read pass
  // limit * (skips + 1), stop if the first column has shown two values,
  // else seek past its current value (SeekGT, then Next, as SQLite's
  // program does); the entry count is then the b-tree's estimate taken at
  // the first entry.
  int64_t n_est = cur.row_count_estimate();
  uint64_t skips = 0;
  bool limited = limit > 0 && n > 0 && a.index->key_info;
  vm::KeyInfo seek_info;
  if (limited) {
    seek_info = *a.index->key_info;
    for (size_t i = 0; i < colls.size() && i < seek_info.collations.size(); i++)
      seek_info.collations[i] = colls[i];
  }
  while (!cur.eof()) {
    KEEL_RETURN_IF_ERROR(read_entry(cur, buf, reader));
    size_t change = n;  // first key column that differs from the previous entry
    for (size_t i = 0; i < n; i++) {
      KEEL_RETURN_IF_ERROR(reader.column(static_cast<uint32_t>(i), cur_vals[i]));
      if (change == n && (n_row == 0 || vm::compare_values(cur_vals[i], prev[i], colls[i]) != 0)) change = i;
    }
    for (size_t i = change; i < n; i++) {
      distinct[i]++;
      prev[i] = cur_vals[i];
      prev[i].make_owned();
    }
    n_row++;
    if (limited && n_row > static_cast<uint64_t>(limit) * (skips + 1)) {
      skips++;
      if (distinct[0] > 1) break;
      vm::UnpackedRecord probe;
      probe.key_info = &seek_info;
      probe.fields = prev.data();
      probe.n_field = 1;
      probe.default_rc = -1;  // entries equal to the value sort before the probe
      Probe cmp(probe);
      KEEL_ASSIGN_OR_RETURN(storage::SeekResult res, cur.seek_key(cmp));
      if (probe.err_code) return Status(rc::kCorrupt, "database disk image is malformed");
      if (!cur.eof() && res == storage::SeekResult::kLess) KEEL_RETURN_IF_ERROR(cur.next());
      if (cur.eof()) break;
    }
    KEEL_RETURN_IF_ERROR(cur.next());
  }
  if (n_row == 0) return std::string();
  uint64_t n_entries = skips > 0 ? static_cast<uint64_t>(std::max<int64_t>(n_est, 0)) : n_row;
  return plan::stat1_text(n_entries, n_row, distinct);
}

}  // namespace

Status Connection::run_analyze(const plan::EngineCommand& cmd) {
  if (cmd.db >= 0) return analyze_database(cmd.db, cmd.has_value ? &cmd.value : nullptr);
  for (int db = 0; db < static_cast<int>(dbs_.size()); db++) {
    if (db == 1 || !dbs_[db].btree) continue;  // every database but temp
    KEEL_RETURN_IF_ERROR(analyze_database(db, nullptr));
  }
  return Status::Ok();
}

Status Connection::analyze_database(int db, const std::string* object) {
  if (db == 1) KEEL_RETURN_IF_ERROR(open_temp_database());
  if (db >= static_cast<int>(dbs_.size()) || !dbs_[db].btree) return Status(rc::kError, "unknown database");
  if (dbs_[db].read_only) return Status(rc::kReadOnly, "attempt to write a readonly database");
  KEEL_RETURN_IF_ERROR(ensure_schema(db));
  const std::string schema_name = quote_id(catalog_.database_name(db));
  // The targets, named before sqlite_stat1 is created or emptied (that
  // reloads the schema): tables in schema-hash order, as SQLite's
  // analyzeDatabase sees them when the statement is prepared.
  std::vector<std::string> tables;
  std::string only_index;
  std::string where;  // the DELETE's condition when one object is analyzed
  {
    plan::DatabaseSchema& s = catalog_.database(db);
    if (object == nullptr) {
      for (const plan::Table* t : plan::schema_hash_order(s)) tables.push_back(t->name);
    } else if (const plan::Index* idx = s.find_index(*object)) {
      only_index = idx->name;
      tables.push_back(idx->table_name);
      where = " WHERE idx=" + quote_str(idx->name);
    } else {
      const plan::Table* t = s.find_table(*object);
      if (t == nullptr) return Status(rc::kError, "no such table: " + *object);
      std::string name = t->root == 1 ? (db == 1 ? "sqlite_temp_master" : "sqlite_master") : t->name;
      tables.push_back(name);
      where = " WHERE tbl=" + quote_str(name);
    }
  }
  // openStatTable: sqlite_stat1 created or emptied (for the target);
  // sqlite_stat4 and sqlite_stat3 emptied when they exist.
  for (const char* stat : {"sqlite_stat1", "sqlite_stat4", "sqlite_stat3"}) {
    const plan::Table* t = catalog_.database(db).find_table(stat);
    if (t == nullptr) {
      if (std::string_view(stat) != "sqlite_stat1") continue;
      bool saved = compile_options_.internal_names;
      compile_options_.internal_names = true;
      Status s = exec("CREATE TABLE " + schema_name + ".sqlite_stat1(tbl,idx,stat)");
      compile_options_.internal_names = saved;
      KEEL_RETURN_IF_ERROR(s);
      continue;
    }
    if (t->is_view || t->is_virtual) continue;
    KEEL_RETURN_IF_ERROR(exec("DELETE FROM " + schema_name + "." + stat + where));
  }
  Db& d = dbs_[db];
  bool started = false;
  if (d.txn == 0) {
    KEEL_RETURN_IF_ERROR(d.btree->begin_read());
    started = true;
  }
  struct Row {
    std::string tbl, idx, stat;
    bool idx_null = false;
  };
  std::vector<Row> rows;
  Status scanned = [&]() -> Status {
    plan::DatabaseSchema& s = catalog_.database(db);
    for (const std::string& name : tables) {
      const plan::Table* t = s.find_table(name);
      if (t == nullptr || plan::analyze_skips(t)) continue;
      const plan::Index* only = only_index.empty() ? nullptr : s.find_index(only_index);
      for (const plan::AnalyzeIndex& a : plan::analyze_indexes(t, only)) {
        std::vector<const vm::Collation*> colls;
        for (const std::string& c : a.collations) {
          const vm::Collation* coll = find_collation(c);
          if (coll == nullptr) return Status(rc::kError, "no such collation sequence: " + c);
          colls.push_back(coll);
        }
        KEEL_ASSIGN_OR_RETURN(std::string stat, scan_index(*d.btree, a, colls, analysis_limit_));
        if (stat.empty()) continue;  // an empty index writes no row
        rows.push_back({t->name, a.row_name, stat});
      }
      if (plan::analyze_needs_table_row(t, only)) {
        storage::BtCursor cur(*d.btree, t->root, false);
        KEEL_ASSIGN_OR_RETURN(int64_t count, cur.count());
        if (count > 0) rows.push_back({t->name, "", std::to_string(count), true});
      }
    }
    return Status::Ok();
  }();
  if (started) d.btree->end_read();
  KEEL_RETURN_IF_ERROR(scanned);
  for (const Row& r : rows) {
    KEEL_RETURN_IF_ERROR(exec("INSERT INTO " + schema_name + ".sqlite_stat1 VALUES(" + quote_str(r.tbl) +
                              "," + (r.idx_null ? std::string("NULL") : quote_str(r.idx)) + "," +
                              quote_str(r.stat) + ")"));
  }
  load_stat1(db);
  return Status::Ok();
}

void Connection::load_stat1(int db) {
  plan::DatabaseSchema& s = catalog_.database(db);
  std::vector<plan::Stat1Row> rows;
  const plan::Table* t = s.find_table("sqlite_stat1");
  if (t && !t->is_view && !t->is_virtual && t->root > 1 && dbs_[db].btree) {
    // Read errors (a damaged sqlite_stat1) leave the statistics out, as
    // SQLite ignores a failing sqlite3AnalysisLoad.
    Status ok = [&]() -> Status {
      storage::BtCursor cur(*dbs_[db].btree, t->root, false);
      std::vector<uint8_t> buf;
      vm::RecordReader reader;
      KEEL_RETURN_IF_ERROR(cur.first());
      while (!cur.eof()) {
        KEEL_RETURN_IF_ERROR(read_entry(cur, buf, reader));
        plan::Stat1Row r;
        std::optional<std::string>* out[3] = {&r.tbl, &r.idx, &r.stat};
        for (uint32_t i = 0; i < 3; i++) {
          vm::Value v;
          KEEL_RETURN_IF_ERROR(reader.column(i, v));
          if (v.is_null()) continue;
          vm::NumberText nt;
          *out[i] = std::string(v.as_text(nt));
        }
        rows.push_back(std::move(r));
        KEEL_RETURN_IF_ERROR(cur.next());
      }
      return Status::Ok();
    }();
    if (!ok.ok()) rows.clear();
  }
  plan::load_stat1(s, rows);
}

Status Connection::run_optimize(const plan::EngineCommand& cmd) {
  // PRAGMA optimize[(mask)]: bit 0x02 (on by default) analyzes each table a
  // query of this connection planned with one of its indexes (SQLite's
  // TF_StatsUsed) when one of its indexes has no statistics, or when the
  // table now holds 25 times the rows sqlite_stat1 gave.
  int64_t mask = 0xfffe;
  if (cmd.has_value) {
    // Decimal or 0x hexadecimal, as sqlite3GetInt32.
    const std::string& v = cmd.value;
    bool hex = v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
    mask = std::strtoll(v.c_str() + (hex ? 2 : 0), nullptr, hex ? 16 : 10);
  }
  if (mask & 0x01) {
    return Status(rc::kError, "PRAGMA optimize: the 0x01 mode (list the ANALYZE statements instead of "
                              "running them) is not supported by Keel");
  }
  if ((mask & 0x02) == 0) return Status::Ok();
  for (int db = 0; db < static_cast<int>(dbs_.size()); db++) {
    if (db == 1 || !dbs_[db].btree || (cmd.db >= 0 && db != cmd.db)) continue;
    KEEL_RETURN_IF_ERROR(ensure_schema(db));
    std::vector<std::string> todo;
    Db& d = dbs_[db];
    bool started = false;
    if (d.txn == 0) {
      KEEL_RETURN_IF_ERROR(d.btree->begin_read());
      started = true;
    }
    Status s = [&]() -> Status {
      for (const plan::Table* t : plan::schema_hash_order(catalog_.database(db))) {
        if (!t->stats_used || plan::analyze_skips(t)) continue;
        bool all_stat = true;
        for (const plan::Index* idx : t->indexes) all_stat = all_stat && idx->has_stat1;
        if (all_stat) {
          storage::BtCursor cur(*d.btree, t->root, false);
          KEEL_ASSIGN_OR_RETURN(int64_t count, cur.count());
          if (plan::log_est(static_cast<uint64_t>(count)) < t->row_log_est + 46) continue;  // < 25x
        }
        todo.push_back(t->name);
      }
      return Status::Ok();
    }();
    if (started) d.btree->end_read();
    KEEL_RETURN_IF_ERROR(s);
    for (const std::string& name : todo) KEEL_RETURN_IF_ERROR(analyze_database(db, &name));
  }
  return Status::Ok();
}

}  // namespace keel::engine
