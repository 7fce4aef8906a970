// ORDER BY from the scan order (SQLite's wherePathSatisfiesOrderBy, for the
// outermost loop only).
//
// A b-tree scan returns rows in its key order: a rowid table by rowid, a
// WITHOUT ROWID table by its primary key, an index by its columns then the
// rowid. The outermost loop's order is the order of the whole join (inner
// loops only repeat each outer row), so when every ORDER BY key is a column
// of the outermost table and those keys follow the key order of the b-tree
// the level scans — after the columns an equality fixes, which are constant
// — the sorter is not needed. All keys must run in the same direction
// relative to the b-tree (then the scan may run backwards), with the
// b-tree's collation, and with the default NULL placement (NULLs are the
// smallest values, first ascending and last descending).
#include "plan/plan_internal.h"
#include "plan/where_internal.h"
#include "vm/collation.h"

namespace keel::plan {

namespace {

std::string upper(std::string_view c) {
  if (c.empty()) return "BINARY";
  std::string s(c);
  for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

// Collation of key column k of `idx` (its own, else the table column's).
std::string index_collation(const Index* idx, const Table* tab, int k) {
  std::string c = k < static_cast<int>(idx->collations.size()) ? idx->collations[k] : "";
  int col = idx->columns[k];
  if (c.empty() && col >= 0) c = tab->columns[col].collation;
  return upper(c);
}

}  // namespace

void resolve_order_keys(CodeGen& g, Scope* scope, std::vector<OrderKey>& keys) {
  for (OrderKey& k : keys) {
    if (k.term) {
      if (k.term->table && k.col == k.term->table->rowid_alias && k.col >= 0) k.col = -1;
      continue;
    }
    k.col = -1;
    const parse::Expr* e = k.expr;
    while (e && e->kind == parse::ExprKind::kCollate) e = e->as<parse::CollateExpr>()->operand;
    if (e == nullptr || e->kind != parse::ExprKind::kColumnRef) continue;
    auto r = resolve_column(g, scope, e->as<parse::ColumnRefExpr>());
    if (!r.ok() || r.value().alias_expr || r.value().scope != scope || r.value().term == nullptr) continue;
    const ColumnRef& c = r.value();
    if (c.special != ColumnRef::Special::kNone) continue;
    k.term = c.term;
    k.col = c.col;
    if (c.term->table && k.col == c.term->table->rowid_alias) k.col = -1;
  }
}

bool scan_gives_order(const FromTerm* t, const Index* idx, const std::vector<int>& eq_cols,
                      const std::vector<OrderKey>& keys, bool* reverse) {
  if (keys.empty() || t->table == nullptr || t->vtab || t->ephemeral) return false;
  const Table* tab = t->table;
  int dir = -1;  // 0 forward, 1 backward, -1 not yet known
  auto same_dir = [&](bool backward) {
    int d = backward ? 1 : 0;
    if (dir >= 0 && dir != d) return false;
    dir = d;
    return true;
  };
  auto fixed = [&](int col) {
    for (int c : eq_cols) {
      if (c == col) return true;
    }
    return false;
  };
  // idx == nullptr: the table's own b-tree (rowid, or the primary key of a
  // WITHOUT ROWID table).
  const Index* order = idx;
  if (order == nullptr && tab->without_rowid) order = tab->primary_key;
  int k = static_cast<int>(eq_cols.size());
  if (idx == nullptr) k = 0;
  bool done = false;  // a unique suffix (the rowid) was reached: later keys are ties-free
  for (const OrderKey& key : keys) {
    if (done) break;
    if (key.term != t) return false;
    if (!key.nulls_default) return false;
    if (fixed(key.col)) continue;
    if (order == nullptr) {
      // Rowid order.
      if (key.col != -1 || upper(key.collation) != "BINARY") return false;
      if (!same_dir(key.desc)) return false;
      done = true;
      continue;
    }
    while (k < order->n_key_columns && order->columns[k] >= 0 && fixed(order->columns[k])) k++;
    if (k < order->n_key_columns) {
      if (order->columns[k] != key.col || key.col < 0) return false;
      if (index_collation(order, tab, k) != upper(key.collation)) return false;
      bool idx_desc = k < static_cast<int>(order->desc.size()) && order->desc[k];
      if (!same_dir(key.desc != idx_desc)) return false;
      k++;
      continue;
    }
    // Past the key columns of an index of a rowid table: the rowid.
    if (idx != nullptr && !tab->without_rowid && key.col == -1 && upper(key.collation) == "BINARY") {
      if (!same_dir(key.desc)) return false;
      done = true;
      continue;
    }
    return false;
  }
  *reverse = dir == 1;
  return true;
}

}  // namespace keel::plan
