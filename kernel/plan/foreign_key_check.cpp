// PRAGMA foreign_key_check (SQLite's pragma.c): every child row whose
// parent key is missing, table by table in the order of SQLite's schema
// hash, constraints in foreign_key_list order.
#include <algorithm>

#include "plan/dml_internal.h"
#include "plan/foreign_key.h"
#include "plan/foreign_key_internal.h"

namespace keel::plan {

using fk::index_affinity;
using fk::locate_parent_key;
using fk::ParentKey;
using fk::table_term;

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

// The tables of schema `db` in the order SQLite's schema hash lists them
// (the order of PRAGMA foreign_key_check): hash.c's insertions replayed —
// sqlite_master first, then every table and view in load order. A new
// element goes to the head of the list, or just before the first element
// of its bucket once the table has buckets (from 10 elements, resized to
// twice the count, at most 64). SQLite's list also keeps the trace of
// tables dropped since the schema was loaded; the replay does not.
std::vector<Table*> schema_hash_order(CodeGen& g, int db) {
  std::vector<Table*> tables;
  for (const auto& [name, t] : g.catalog().database(db).tables()) tables.push_back(t.get());
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

}  // namespace

Status code_foreign_key_check(CodeGen& g, int db, std::string_view table) {
  for (const char* name : {"table", "rowid", "parent", "fkid"}) {
    vm::ResultColumnInfo info;
    info.name = name;
    g.prog().columns.push_back(info);
  }
  std::vector<Table*> tables;
  if (!table.empty()) {
    Table* t = db >= 0 ? g.catalog().database(db).find_table(table) : g.catalog().find_table("", table);
    if (t == nullptr) {
      return Status(rc::kError,
                    "no such table: " + (db >= 0 ? g.catalog().database_name(db) + "." : std::string()) +
                        std::string(table));
    }
    tables.push_back(t);
  } else {
    tables = schema_hash_order(g, db < 0 ? 0 : db);
  }
  int result = g.new_reg(4);
  for (Table* t : tables) {
    if (t->foreign_keys.empty() || t->is_view || t->is_virtual) continue;
    // Constraints in foreign_key_list order (fkid), each with a cursor on
    // its parent key, or none when the parent table does not exist.
    struct Check {
      const ForeignKey* fk;
      Table* parent;
      ParentKey pk;
      int cursor;
    };
    std::vector<Check> checks;
    for (auto it = t->foreign_keys.rbegin(); it != t->foreign_keys.rend(); ++it) {
      Check c{&*it, g.catalog().database(t->db).find_table(it->to_table), {}, -1};
      if (c.parent) {
        KEEL_ASSIGN_OR_RETURN(c.pk, locate_parent_key(c.parent, t, *it));
        c.cursor = g.new_cursor();
        if (c.pk.index) {
          open_index(g, c.pk.index, c.cursor, false);
        } else {
          open_table(g, c.parent, c.cursor, false);
        }
      }
      checks.push_back(std::move(c));
    }
    auto term = table_term(g, t);
    open_table(g, t, term->cursor, false);
    g.emit_string(result, t->name);
    int done = g.new_label();
    g.emit(Op::Rewind, term->cursor, done);
    int top = g.addr();
    for (size_t i = 0; i < checks.size(); i++) {
      const Check& c = checks[i];
      int ok = g.new_label();
      int n = static_cast<int>(c.fk->from_columns.size());
      int regs = g.new_reg(n);
      for (int j = 0; j < n; j++) {
        int col = c.parent ? c.pk.child_cols[j] : t->find_column(c.fk->from_columns[j]);
        code_column(g, term.get(), col, regs + j);
        g.emit(Op::IsNull, regs + j, ok);
      }
      if (c.parent && c.pk.index) {
        int a = g.emit(Op::Affinity, regs, n);
        g.set_p4_affinity(a, index_affinity(c.pk.index, c.parent, n));
        int f = g.emit(Op::Found, c.cursor, ok, regs);
        g.set_p4_int(f, n);
      } else if (c.parent) {
        int missing = g.new_label();
        g.emit(Op::SeekRowid, c.cursor, missing, regs);
        g.emit(Op::Goto, 0, ok);
        g.bind(missing);
      }
      if (t->without_rowid) {
        g.emit(Op::Null, 0, result + 1);
      } else {
        g.emit(Op::Rowid, term->cursor, result + 1);
      }
      g.emit_string(result + 2, c.fk->to_table);
      g.emit(Op::Integer, static_cast<int>(i), result + 3);
      g.emit(Op::ResultRow, result, 4);
      g.bind(ok);
    }
    g.emit(Op::Next, term->cursor, top);
    g.bind(done);
  }
  return Status::Ok();
}

}  // namespace keel::plan
