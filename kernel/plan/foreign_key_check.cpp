// PRAGMA foreign_key_check (SQLite's pragma.c): every child row whose
// parent key is missing, table by table in the order of SQLite's schema
// hash, constraints in foreign_key_list order.
#include <algorithm>

#include "plan/analyze.h"
#include "plan/dml_internal.h"
#include "plan/foreign_key.h"
#include "plan/foreign_key_internal.h"

namespace keel::plan {

using fk::index_affinity;
using fk::locate_parent_key;
using fk::ParentKey;
using fk::table_term;


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
    tables = schema_hash_order(g.catalog().database(db < 0 ? 0 : db));
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
