// Index-only reads (SQLite's covering indexes and its OP_Column → index
// translation in sqlite3WhereEnd).
//
// Design note
// -----------
// The loop body is coded before anyone knows which columns it reads, so the
// decision is taken when the loop is closed, by looking at the code: every
// instruction between a level's start and the end of the loops that uses
// the table's cursor must be a Column (of a column the index holds), a
// Rowid or a NullRow. Then
//   * a level positioned through an index reads from the index cursor and
//     its table seek (IdxRowid + SeekRowid, or NotFound by primary key)
//     becomes a Noop: "USING COVERING INDEX";
//   * a full table scan moves to the index whose rows SQLite estimates as
//     narrower than the table's (sqlite3AffinityType's column widths), as
//     SQLite does: the table cursor is opened on that index instead and the
//     scan order becomes the index order.
// Only read-only statements ask for this (WhereInfo::allow_covering): a
// write needs the table cursor positioned on the row.
#include <cctype>

#include "plan/plan_internal.h"

namespace keel::plan {

namespace {

bool is_cursor_op(Op op) {
  switch (op) {
    case Op::OpenRead:
    case Op::OpenWrite:
    case Op::OpenEphemeral:
    case Op::OpenAutoindex:
    case Op::OpenPseudo:
    case Op::OpenDup:
    case Op::Close:
    case Op::Rewind:
    case Op::Last:
    case Op::Next:
    case Op::Prev:
    case Op::SeekRowid:
    case Op::NotExists:
    case Op::SeekGE:
    case Op::SeekGT:
    case Op::SeekLE:
    case Op::SeekLT:
    case Op::IdxGE:
    case Op::IdxGT:
    case Op::IdxLE:
    case Op::IdxLT:
    case Op::Found:
    case Op::NotFound:
    case Op::NoConflict:
    case Op::IfNoHope:
    case Op::DeferredSeek:
    case Op::IdxRowid:
    case Op::NewRowid:
    case Op::Insert:
    case Op::Delete:
    case Op::IdxInsert:
    case Op::IdxDelete:
    case Op::Count:
    case Op::Sequence:
    case Op::RowData:
    case Op::IdxMethodFilter:
    case Op::IdxMethodNext:
    case Op::IdxMethodRowid:
      return true;
    default:
      return false;
  }
}

// sqlite3LogEst: 10 * log2(x), roughly.
int log_est(uint64_t x) {
  static const int a[] = {0, 2, 3, 5, 6, 7, 8, 9};
  int y = 40;
  if (x < 8) {
    if (x < 2) return 0;
    while (x < 8) {
      y -= 10;
      x <<= 1;
    }
  } else {
    while (x > 255) {
      y += 40;
      x >>= 4;
    }
    while (x > 15) {
      y += 10;
      x >>= 1;
    }
  }
  return a[x & 7] + y - 10;
}

// A column's estimated width in units of 4 bytes (sqlite3AffinityType's
// szEst): 1 for numeric types and no type, k/4+1 for CHAR(k), VARCHAR(k),
// BLOB(k), 1 for CHAR without a size, 5 for TEXT, CLOB and BLOB.
int column_width(const Column& c) {
  if (c.type.empty()) return 1;
  if (c.affinity != vm::Affinity::kText && c.affinity != vm::Affinity::kBlob) return 1;
  std::string up;
  for (char ch : c.type) up.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
  size_t from = std::string::npos;  // where sqlite3AffinityType looks for the size
  if (c.affinity == vm::Affinity::kText) {
    size_t p = up.find("CHAR");
    if (p != std::string::npos) from = p;
  } else {
    size_t p = up.find("BLOB");
    if (p != std::string::npos && p + 4 < up.size() && up[p + 4] == '(') from = p + 4;
  }
  int v = 16;
  if (from != std::string::npos) {
    v = 0;
    size_t i = from;
    while (i < up.size() && !std::isdigit(static_cast<unsigned char>(up[i]))) i++;
    while (i < up.size() && std::isdigit(static_cast<unsigned char>(up[i])) && v < 100000) {
      v = v * 10 + (up[i] - '0');
      i++;
    }
  }
  v = v / 4 + 1;
  return v > 255 ? 255 : v;
}

int table_width(const Table* t) {
  uint64_t w = 0;
  for (const Column& c : t->columns) w += column_width(c);
  if (t->rowid_alias < 0) w++;
  return log_est(w * 4);
}

int index_width(const Table* t, const Index* idx) {
  uint64_t w = 0;
  for (int col : idx->columns) w += col < 0 ? 1 : column_width(t->columns[col]);
  return log_est(w * 4);
}

// Position in the entries of `idx` of the table column stored at record
// field `field`, or -1.
int index_field(const Table* tab, const Index* idx, int field) {
  for (int c = 0; c < static_cast<int>(tab->columns.size()); c++) {
    if (storage_column(tab, c) != field) continue;
    if (tab->columns[c].generated == GeneratedKind::kVirtual) return -1;
    for (size_t j = 0; j < idx->columns.size(); j++) {
      if (idx->columns[j] == c) return static_cast<int>(j);
    }
    return -1;
  }
  return -1;
}

// Whether every use of cursor `tcur` in [from, to) — skipping `skip` — is a
// read `idx` can answer; `own_loop` also allows the loop's own Rewind/Next.
bool coverable(CodeGen& g, int tcur, const Table* tab, const Index* idx, int from, int to, const int* skip,
               bool own_loop) {
  for (int a = from; a < to; a++) {
    if (a == skip[0] || a == skip[1]) continue;
    const vm::Instr& in = g.at(a);
    if (in.p1 != tcur) continue;
    switch (in.op) {
      case Op::Column:
        if (index_field(tab, idx, in.p2) < 0) return false;
        break;
      case Op::Rowid:
        if (tab->without_rowid) return false;
        break;
      case Op::NullRow:
        break;
      case Op::Rewind:
      case Op::Next:
        if (!own_loop) return false;
        break;
      default:
        if (is_cursor_op(in.op)) return false;
        break;
    }
  }
  return true;
}

// Points the reads of `tcur` in [from, to) at index cursor `icur`.
void redirect(CodeGen& g, int tcur, int icur, const Table* tab, const Index* idx, int from, int to,
              const int* skip) {
  for (int a = from; a < to; a++) {
    if (a == skip[0] || a == skip[1]) continue;
    vm::Instr& in = g.at(a);
    if (in.p1 != tcur) continue;
    if (in.op == Op::Column) {
      in.p2 = index_field(tab, idx, in.p2);
      in.p1 = icur;
    } else if (in.op == Op::Rowid) {
      in.op = Op::IdxRowid;
      in.p1 = icur;
    }
  }
}

std::string upper_coll(std::string c) {
  if (c.empty()) c = "BINARY";
  for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return c;
}

// WITHOUT ROWID: whether every primary key column is in the index's
// entries with the primary key's collation (an entry per row). A key column
// that repeats a primary key column under another collation must not stand
// in for it, or rows equal under that collation would share an entry.
bool holds_primary_key(const Table* tab, const Index* idx) {
  const Index* pk = tab->primary_key;
  if (!tab->without_rowid || pk == nullptr) return true;
  for (int k = 0; k < pk->n_key_columns; k++) {
    int col = pk->columns[k];
    std::string want = upper_coll(k < static_cast<int>(pk->collations.size()) && !pk->collations[k].empty()
                                      ? pk->collations[k]
                                      : tab->columns[col].collation);
    bool found = false;
    for (size_t j = 0; j < idx->columns.size() && !found; j++) {
      if (idx->columns[j] != col) continue;
      std::string have =
          upper_coll(j < idx->collations.size() && !idx->collations[j].empty() ? idx->collations[j]
                                                                               : tab->columns[col].collation);
      found = have == want;
    }
    if (!found) return false;
  }
  return true;
}

void rename_plan(CodeGen& g, int plan_index, const std::string& from, const std::string& to) {
  if (plan_index < 0 || plan_index >= static_cast<int>(g.prog().query_plan.size())) return;
  std::string& d = g.prog().query_plan[plan_index].detail;
  size_t p = d.find(from);
  if (p != std::string::npos) d.replace(p, from.size(), to);
}

}  // namespace

void apply_covering(CodeGen& g, WhereInfo& w) {
  int end = g.addr();
  for (WhereLevel& lv : w.levels) {
    FromTerm* t = lv.term;
    if (t == nullptr || t->table == nullptr || t->ephemeral || t->vtab) continue;
    const Table* tab = t->table;
    int tcur = t->cursor;
    if (lv.index && lv.idx_cursor >= 0 && lv.seek_addr[0] >= 0) {
      if (!coverable(g, tcur, tab, lv.index, lv.code_start, end, lv.seek_addr, false)) continue;
      redirect(g, tcur, lv.idx_cursor, tab, lv.index, lv.code_start, end, lv.seek_addr);
      for (int a : lv.seek_addr) {
        if (a >= 0) g.at(a).op = Op::Noop;
      }
      rename_plan(g, lv.plan_index, " USING INDEX ", " USING COVERING INDEX ");
      continue;
    }
    if (!lv.full_scan || lv.open_addr < 0 || g.at(lv.open_addr).op != Op::OpenRead) continue;
    // A full scan: the index SQLite would prefer, if it holds every column
    // read (whereLoopAddBtree's costs: rSize + 1 + 15*szIdxRow/szTabRow for
    // an index, rSize + 16 for a rowid table; a WITHOUT ROWID table is its
    // primary key index, costed the same way). SQLite lists the newest
    // index first and keeps the first of equal costs; its primary key comes
    // after the indexes created later.
    int sz_tab = table_width(tab);
    int table_cost = 16;
    if (tab->without_rowid) {
      uint64_t w = 0;
      for (const Column& c : tab->columns) w += column_width(c);
      table_cost = 1 + (15 * log_est(w * 4)) / sz_tab;
    }
    const Index* best = nullptr;
    int best_cost = table_cost + 1;
    const int no_skip[2] = {-1, -1};
    for (auto it = tab->indexes.rbegin(); it != tab->indexes.rend(); ++it) {
      const Index* idx = *it;
      if (idx->where || !idx->method.empty() || idx == tab->primary_key) continue;
      if (!holds_primary_key(tab, idx)) continue;
      int sz = index_width(tab, idx);
      if (!tab->without_rowid && sz >= sz_tab) continue;
      int cost = 1 + (15 * sz) / sz_tab;
      if (cost > table_cost || cost >= best_cost) continue;
      if (!coverable(g, tcur, tab, idx, lv.code_start, end, no_skip, true)) continue;
      best = idx;
      best_cost = cost;
    }
    if (best == nullptr) continue;
    redirect(g, tcur, tcur, tab, best, lv.code_start, end, no_skip);
    // The top-N prescan reads table leaves: none to read now.
    for (int a = lv.code_start; a < end; a++) {
      if (g.at(a).op == Op::TopNPrescan && g.at(a).p1 == tcur) g.at(a) = vm::Instr{};
    }
    vm::Instr& open = g.at(lv.open_addr);
    open.p2 = static_cast<int>(best->root);
    open.p3 = best->db;
    g.set_p4_keyinfo(lv.open_addr, make_index_keyinfo(g, best));
    if (lv.plan_index >= 0)
      g.prog().query_plan[lv.plan_index].detail += " USING COVERING INDEX " + best->name;
  }
}

}  // namespace keel::plan
