// ANALYZE (SQLite 3.40 analyze.c): statement resolution, the indexes of a
// table in the order SQLite analyzes them, and the sqlite_stat1 text. The
// scan itself is the engine's (engine/analyze.cpp).
#include "plan/analyze.h"

#include <algorithm>

#include "plan/codegen.h"
#include "plan/plan_internal.h"
#include "vm/collation.h"

namespace keel::plan {

Status analyze_command(CodeGen& g, const parse::AnalyzeStmt* st, EngineCommand* cmd) {
  Catalog& cat = g.catalog();
  cmd->kind = EngineCommand::Kind::kPragma;
  cmd->name = "analyze";
  cmd->db = -1;
  if (!st->name.name.present()) return Status::Ok();  // every database but temp
  std::string_view schema = st->name.schema.present() ? st->name.schema.value : std::string_view();
  std::string_view name = st->name.name.value;
  if (schema.empty()) {
    int db = cat.find_database(name);
    if (db >= 0) {  // ANALYZE schema
      cmd->db = db;
      return Status::Ok();
    }
  } else if (cat.find_database(schema) < 0) {
    return Status(rc::kError, "unknown database " + std::string(schema));
  }
  if (const Index* idx = cat.find_index(schema, name)) {
    cmd->db = idx->db;
    cmd->value = idx->name;
    cmd->has_value = true;
    return Status::Ok();
  }
  const Table* t = cat.find_table(schema, name);
  if (t == nullptr) {
    return Status(rc::kError,
                  "no such table: " +
                      (schema.empty() ? std::string(name) : std::string(schema) + "." + std::string(name)));
  }
  cmd->db = t->db;
  // The sqlite_schema table is named by its legacy name in sqlite_stat1's
  // DELETE, as SQLite's Table.zName.
  cmd->value = t->name;
  cmd->has_value = true;
  return Status::Ok();
}

bool analyze_skips(const Table* t) {
  return t->is_view || t->is_virtual || t->root == 0 || vm::strnicmp(t->name.c_str(), "sqlite_", 7) == 0;
}

std::vector<AnalyzeIndex> analyze_indexes(const Table* t, const Index* only) {
  // pIndex: each new index goes first; REPLACE indexes are kept last.
  std::vector<const Index*> order(t->indexes.rbegin(), t->indexes.rend());
  std::stable_partition(order.begin(), order.end(), [](const Index* i) {
    return i->on_conflict != static_cast<uint8_t>(parse::ConflictAction::kReplace);
  });
  std::vector<AnalyzeIndex> out;
  for (const Index* idx : order) {
    if (only && idx != only) continue;
    AnalyzeIndex a;
    a.index = idx;
    bool pk = t->without_rowid && idx == t->primary_key;
    a.row_name = pk ? t->name : idx->name;
    a.root = pk ? t->root : idx->root;
    a.n_key = idx->n_key_columns;
    for (int k = 0; k < a.n_key; k++) {
      std::string c = k < static_cast<int>(idx->collations.size()) ? idx->collations[k] : "";
      int col = idx->columns[static_cast<size_t>(k)];
      if (c.empty() && col >= 0 && col < static_cast<int>(t->columns.size())) c = t->columns[col].collation;
      a.collations.push_back(c.empty() ? "BINARY" : c);
    }
    out.push_back(std::move(a));
  }
  return out;
}

bool analyze_needs_table_row(const Table* t, const Index* only) {
  if (only) return false;
  for (const Index* idx : t->indexes) {
    if (idx->where == nullptr) return false;
  }
  return true;
}

std::string stat1_text(uint64_t n_entries, uint64_t n_row, const std::vector<uint64_t>& n_distinct) {
  std::string s = std::to_string(n_entries);
  for (uint64_t d : n_distinct) {
    if (d == 0) d = 1;
    uint64_t v = (n_row + d - 1) / d;
    if (v == 2 && n_row * 10 <= d * 11) v = 1;
    s += ' ';
    s += std::to_string(v);
  }
  return s;
}

}  // namespace keel::plan
