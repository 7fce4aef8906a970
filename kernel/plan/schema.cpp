// Schema objects from sqlite_schema rows (SQLite's build.c as run by
// sqlite3InitCallback): CREATE TABLE → Table (+ the automatic indexes of its
// PRIMARY KEY and UNIQUE constraints, named and numbered as SQLite does),
// CREATE INDEX → Index, CREATE VIEW → view Table, CREATE TRIGGER → Trigger.
#include "plan/schema.h"

#include <algorithm>
#include <atomic>

#include "parse/parser.h"
#include "plan/index_method.h"
#include "vm/collation.h"

namespace keel::plan {

bool NameLess::operator()(std::string_view a, std::string_view b) const { return vm::stricmp(a, b) < 0; }

int Table::find_column(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); i++) {
    if (vm::stricmp(columns[i].name, name) == 0) return static_cast<int>(i);
  }
  return -1;
}

namespace {

bool name_eq(std::string_view a, std::string_view b) { return vm::stricmp(a, b) == 0; }

Status malformed(std::string_view name, std::string_view why = {}) {
  std::string m = "malformed database schema (" + std::string(name) + ")";
  if (!why.empty()) m += " - " + std::string(why);
  return Status(rc::kCorrupt, m);
}

// Table::load_order: increasing over every table loaded by any schema.
int64_t next_load_order() {
  static std::atomic<int64_t> counter{0};
  return ++counter;
}

Result<std::shared_ptr<ParsedSql>> parse_sql(std::string_view name, std::string_view sql) {
  auto p = std::make_shared<ParsedSql>();
  p->sql = std::string(sql);
  parse::ParseOptions opts;
  opts.schema_mode = true;
  parse::Parser parser(p->arena, p->sql, opts);
  auto st = parser.parse_statement(0);
  if (!st.ok()) return malformed(name, st.status().message());
  if (st.value().stmt == nullptr) return malformed(name);
  p->stmt = st.value().stmt;
  return p;
}

// Resolves an indexed-column term to (column, collation); -2 for an expression.
int term_column(const Table& t, const parse::Expr* e, std::string* coll) {
  if (e->kind == parse::ExprKind::kCollate) {
    *coll = std::string(e->as<parse::CollateExpr>()->collation.value);
    e = e->as<parse::CollateExpr>()->operand;
  }
  if (e->kind == parse::ExprKind::kColumnRef) {
    auto* c = e->as<parse::ColumnRefExpr>();
    if (!c->table.present()) {
      int i = t.find_column(c->column.value);
      if (i >= 0) return i;
    }
  } else if (e->kind == parse::ExprKind::kLiteral &&
             e->as<parse::LiteralExpr>()->literal == parse::LiteralKind::kString) {
    // A quoted string naming a column is that column (SQLite's quirk).
    int i = t.find_column(e->as<parse::LiteralExpr>()->text);
    if (i >= 0) return i;
  }
  return -2;
}

// Adds the key suffix (rowid, or the PRIMARY KEY columns of a WITHOUT ROWID
// table) and the KeyInfo.
void finish_index(Table& t, Index& idx) {
  idx.n_key_columns = static_cast<int>(idx.columns.size());
  if (!t.without_rowid) {
    idx.columns.push_back(-1);
    idx.collations.emplace_back();
    idx.desc.push_back(false);
    idx.exprs.push_back(nullptr);
  } else if (t.primary_key && &idx != t.primary_key) {
    // A primary key column is left out only when the index already holds
    // it under the same collation (SQLite's isDupColumn): under another one,
    // rows equal in the index column may still differ in the key.
    auto effective = [&t](const std::string& coll, int col) {
      const std::string& c = coll.empty() && col >= 0 ? t.columns[col].collation : coll;
      return c.empty() ? std::string("BINARY") : c;
    };
    for (int k = 0; k < t.primary_key->n_key_columns; k++) {
      int col = t.primary_key->columns[k];
      std::string pk_coll = effective(t.primary_key->collations[k], col);
      bool have = false;
      for (int j = 0; j < idx.n_key_columns; j++) {
        if (idx.columns[j] == col && vm::stricmp(effective(idx.collations[j], col), pk_coll) == 0)
          have = true;
      }
      if (have) continue;
      idx.columns.push_back(col);
      idx.collations.push_back(t.primary_key->collations[k]);
      idx.desc.push_back(t.primary_key->desc[k]);
      idx.exprs.push_back(nullptr);
    }
  } else if (t.primary_key == &idx) {
    // The table b-tree itself: all other columns follow the key.
    for (size_t c = 0; c < t.columns.size(); c++) {
      if (std::find(idx.columns.begin(), idx.columns.end(), static_cast<int>(c)) != idx.columns.end())
        continue;
      if (t.columns[c].generated == GeneratedKind::kVirtual) continue;  // not in the record
      idx.columns.push_back(static_cast<int>(c));
      idx.collations.push_back(t.columns[c].collation);
      idx.desc.push_back(false);
      idx.exprs.push_back(nullptr);
    }
  }
  auto ki = std::make_unique<vm::KeyInfo>();
  int n_key =
      (t.without_rowid && t.primary_key == &idx) ? idx.n_key_columns : static_cast<int>(idx.columns.size());
  ki->n_key_field = static_cast<uint16_t>(idx.n_key_columns);
  ki->n_all_field = static_cast<uint16_t>(idx.columns.size());
  (void)n_key;
  for (size_t i = 0; i < idx.columns.size(); i++) {
    std::string coll = idx.collations[i];
    if (coll.empty() && idx.columns[i] >= 0) coll = t.columns[idx.columns[i]].collation;
    ki->collations.push_back(coll.empty() ? nullptr : vm::find_builtin_collation(coll));
    ki->sort_flags.push_back(idx.desc[i] ? vm::kSortDesc : 0);
  }
  idx.key_info = std::move(ki);
}

}  // namespace

Status DatabaseSchema::add_entry(std::string_view type, std::string_view name, std::string_view tbl_name,
                                 int64_t root, std::string_view sql) {
  if (type == "index" && sql.empty()) {
    Index* idx = find_index(name);
    if (idx == nullptr) return malformed(name, "orphan index");
    idx->root = static_cast<uint32_t>(root);
    return Status::Ok();
  }
  if (sql.empty()) return malformed(name);
  KEEL_ASSIGN_OR_RETURN(std::shared_ptr<ParsedSql> parsed, parse_sql(name, sql));
  const parse::Stmt* st = parsed->stmt;
  if (type == "table" && st->kind == parse::StmtKind::kCreateTable) {
    auto* ct = st->as<parse::CreateTableStmt>();
    auto t = std::make_unique<Table>();
    t->name = std::string(name);
    t->db = db_;
    t->root = static_cast<uint32_t>(root);
    t->without_rowid = ct->without_rowid;
    t->strict = ct->strict;
    t->parsed = parsed;
    std::vector<std::unique_ptr<Index>> autos;
    struct PkSpec {
      std::vector<std::pair<int, std::string>> cols;
      std::vector<bool> desc;
      uint8_t conflict = 0;
    };
    auto make_auto = [&](const std::vector<std::pair<int, std::string>>& cols, const std::vector<bool>& desc,
                         bool pk, uint8_t conflict) {
      for (auto& a : autos) {
        bool same = a->columns.size() == cols.size();
        for (size_t i = 0; same && i < cols.size(); i++) same = a->columns[i] == cols[i].first;
        if (same) {
          if (pk) a->origin = 'p';
          return a.get();
        }
      }
      auto idx = std::make_unique<Index>();
      idx->name = "sqlite_autoindex_" + t->name + "_" + std::to_string(autos.size() + 1);
      idx->table_name = t->name;
      idx->db = db_;
      idx->unique = true;
      idx->on_conflict = conflict;
      idx->origin = pk ? 'p' : 'u';
      for (size_t i = 0; i < cols.size(); i++) {
        idx->columns.push_back(cols[i].first);
        idx->collations.push_back(cols[i].second);
        idx->desc.push_back(desc[i]);
        idx->exprs.push_back(nullptr);
      }
      autos.push_back(std::move(idx));
      return autos.back().get();
    };
    Index* pk_index = nullptr;
    bool have_pk = false;
    for (const parse::ColumnDef* cd : ct->columns) {
      Column c;
      c.name = std::string(cd->name.value);
      c.type = std::string(cd->type.text);
      c.affinity = vm::affinity_from_type_name(c.type);
      if (t->strict) {
        vm::StrictType stype;
        if (vm::strict_type_from_name(c.type, &stype)) {
          c.strict_type = stype;
          c.affinity = vm::strict_type_affinity(stype);
        }
      }
      t->columns.push_back(std::move(c));
    }
    for (size_t ci = 0; ci < ct->columns.size; ci++) {
      const parse::ColumnDef* cd = ct->columns[ci];
      Column& c = t->columns[ci];
      for (const parse::ColumnConstraint* cc : cd->constraints) {
        switch (cc->kind) {
          case parse::ColumnConstraint::Kind::kPrimaryKey: {
            if (have_pk) return malformed(name, "table \"" + t->name + "\" has more than one primary key");
            have_pk = true;
            c.primary_key = true;
            if (cc->autoincrement) t->autoincrement = true;
            if (name_eq(c.type, "INTEGER") && cc->order != parse::SortOrder::kDesc && !t->without_rowid) {
              t->rowid_alias = static_cast<int>(ci);
              t->rowid_conflict = static_cast<uint8_t>(cc->on_conflict);
            } else {
              pk_index = make_auto({{static_cast<int>(ci), ""}}, {cc->order == parse::SortOrder::kDesc}, true,
                                   static_cast<uint8_t>(cc->on_conflict));
            }
            break;
          }
          case parse::ColumnConstraint::Kind::kNotNull:
            c.not_null = true;
            c.not_null_conflict = static_cast<uint8_t>(cc->on_conflict);
            break;
          case parse::ColumnConstraint::Kind::kUnique:
            make_auto({{static_cast<int>(ci), ""}}, {false}, false, static_cast<uint8_t>(cc->on_conflict));
            break;
          case parse::ColumnConstraint::Kind::kCheck:
            t->checks.push_back(cc->expr);
            t->check_names.emplace_back(cc->name.present() ? std::string(cc->name.value) : std::string());
            break;
          case parse::ColumnConstraint::Kind::kDefault:
            c.default_expr = cc->expr;
            c.default_text = std::string(cc->default_text.text(parsed->sql));
            break;
          case parse::ColumnConstraint::Kind::kCollate:
            c.collation = std::string(cc->collation.value);
            break;
          case parse::ColumnConstraint::Kind::kGenerated:
            c.generated = cc->storage == parse::GeneratedStorage::kStored ? GeneratedKind::kStored
                                                                          : GeneratedKind::kVirtual;
            c.generated_expr = cc->expr;
            break;
          case parse::ColumnConstraint::Kind::kReferences: {
            ForeignKey fk;
            fk.from_columns.push_back(c.name);
            fk.to_table = std::string(cc->foreign_key->table.value);
            for (const parse::Name& n : cc->foreign_key->columns) fk.to_columns.emplace_back(n.value);
            fk.on_delete = static_cast<uint8_t>(cc->foreign_key->on_delete);
            fk.on_update = static_cast<uint8_t>(cc->foreign_key->on_update);
            fk.deferred = cc->foreign_key->deferred();
            t->foreign_keys.push_back(std::move(fk));
            break;
          }
          case parse::ColumnConstraint::Kind::kDeferral:
            // A DEFERRABLE clause of its own applies to the table's latest
            // foreign key (SQLite's sqlite3DeferForeignKey).
            if (!t->foreign_keys.empty() && cc->foreign_key)
              t->foreign_keys.back().deferred = cc->foreign_key->deferred();
            break;
          default:
            break;
        }
      }
    }
    for (const parse::TableConstraint* tc : ct->constraints) {
      switch (tc->kind) {
        case parse::TableConstraint::Kind::kPrimaryKey:
        case parse::TableConstraint::Kind::kUnique: {
          bool pk = tc->kind == parse::TableConstraint::Kind::kPrimaryKey;
          std::vector<std::pair<int, std::string>> cols;
          std::vector<bool> desc;
          for (const parse::OrderingTerm& ot : tc->columns) {
            std::string coll;
            int col = term_column(*t, ot.expr, &coll);
            if (col < 0) return malformed(name, "no such column");
            cols.emplace_back(col, coll);
            desc.push_back(ot.order == parse::SortOrder::kDesc);
          }
          if (pk) {
            if (have_pk) return malformed(name, "table \"" + t->name + "\" has more than one primary key");
            have_pk = true;
            for (auto& c : cols) t->columns[c.first].primary_key = true;
            if (tc->autoincrement) t->autoincrement = true;
            if (cols.size() == 1 && name_eq(t->columns[cols[0].first].type, "INTEGER") && !desc[0] &&
                !t->without_rowid) {
              t->rowid_alias = cols[0].first;
              t->rowid_conflict = static_cast<uint8_t>(tc->on_conflict);
              break;
            }
            pk_index = make_auto(cols, desc, true, static_cast<uint8_t>(tc->on_conflict));
          } else {
            make_auto(cols, desc, false, static_cast<uint8_t>(tc->on_conflict));
          }
          break;
        }
        case parse::TableConstraint::Kind::kCheck:
          t->checks.push_back(tc->check);
          t->check_names.emplace_back(tc->name.present() ? std::string(tc->name.value) : std::string());
          break;
        case parse::TableConstraint::Kind::kForeignKey: {
          ForeignKey fk;
          for (const parse::Name& n : tc->fk_columns) fk.from_columns.emplace_back(n.value);
          fk.to_table = std::string(tc->foreign_key->table.value);
          for (const parse::Name& n : tc->foreign_key->columns) fk.to_columns.emplace_back(n.value);
          fk.on_delete = static_cast<uint8_t>(tc->foreign_key->on_delete);
          fk.on_update = static_cast<uint8_t>(tc->foreign_key->on_update);
          fk.deferred = tc->foreign_key->deferred();
          t->foreign_keys.push_back(std::move(fk));
          break;
        }
        default:
          break;
      }
    }
    if (t->without_rowid) {
      if (pk_index == nullptr) return malformed(name, "PRIMARY KEY missing on table " + t->name);
      // The PRIMARY KEY index is the table's own b-tree: no sqlite_schema row.
      t->primary_key = pk_index;
      pk_index->root = t->root;
      for (int col : pk_index->columns) t->columns[col].not_null = true;
    } else if (pk_index) {
      t->primary_key = pk_index;
    }
    Table* tp = t.get();
    // WITHOUT ROWID: the PK index's suffix must be known before the others'.
    if (tp->primary_key) finish_index(*tp, *tp->primary_key);
    for (auto& a : autos) {
      a->table = tp;
      if (a.get() != tp->primary_key) finish_index(*tp, *a);
      tp->indexes.push_back(a.get());
      if (tp->without_rowid && a.get() == tp->primary_key) continue;
      indexes_[a->name] = std::move(a);
    }
    if (tp->without_rowid) {
      // Keep the PK index alive; it is not listed by name in sqlite_schema.
      for (auto& a : autos) {
        if (a) {
          std::string n = a->name;
          indexes_[n] = std::move(a);
        }
      }
    }
    t->load_order = next_load_order();
    tables_[tp->name] = std::move(t);
    return Status::Ok();
  }
  if (type == "table" && st->kind == parse::StmtKind::kCreateVirtualTable) {
    auto t = std::make_unique<Table>();
    t->name = std::string(name);
    t->db = db_;
    t->root = static_cast<uint32_t>(root);
    t->is_virtual = true;
    t->parsed = parsed;
    t->load_order = next_load_order();
    tables_[t->name] = std::move(t);
    return Status::Ok();
  }
  if (type == "view" && st->kind == parse::StmtKind::kCreateView) {
    auto* cv = st->as<parse::CreateViewStmt>();
    auto t = std::make_unique<Table>();
    t->name = std::string(name);
    t->db = db_;
    t->is_view = true;
    t->parsed = parsed;
    t->view_select = cv->select;
    for (const parse::Name& n : cv->columns) t->view_column_names.emplace_back(n.value);
    t->load_order = next_load_order();
    tables_[t->name] = std::move(t);
    return Status::Ok();
  }
  if (type == "index" && st->kind == parse::StmtKind::kCreateIndex) {
    auto* ci = st->as<parse::CreateIndexStmt>();
    Table* t = find_table(tbl_name);
    if (t == nullptr) return malformed(name, "no such table");
    auto idx = std::make_unique<Index>();
    idx->name = std::string(name);
    idx->table_name = t->name;
    idx->db = db_;
    idx->root = static_cast<uint32_t>(root);
    idx->unique = ci->unique;
    idx->origin = 'c';
    idx->parsed = parsed;
    idx->where = ci->where;
    MethodIndexSpec spec;
    auto is_method = method_index_spec(ci, &spec);
    if (!is_method.ok()) return malformed(name, is_method.status().message());
    if (*is_method) {
      // An index-method index (plan/index_method.h): columns only, no
      // b-tree maintenance; the method keeps its own storage.
      idx->where = nullptr;
      idx->method = spec.method;
      idx->method_options = std::move(spec.options);
      for (const parse::OrderingTerm& ot : ci->columns) {
        std::string coll;
        int col = term_column(*t, ot.expr, &coll);
        if (col < 0) return malformed(name, "no such column");
        idx->columns.push_back(col);
        idx->exprs.push_back(nullptr);
        idx->collations.emplace_back();
        idx->desc.push_back(false);
      }
      idx->n_key_columns = static_cast<int>(idx->columns.size());
      idx->table = t;
      t->method_indexes.push_back(idx.get());
      indexes_[idx->name] = std::move(idx);
      return Status::Ok();
    }
    for (const parse::OrderingTerm& ot : ci->columns) {
      std::string coll;
      int col = term_column(*t, ot.expr, &coll);
      idx->columns.push_back(col);
      idx->exprs.push_back(col == -2 ? ot.expr : nullptr);
      idx->collations.push_back(coll);
      idx->desc.push_back(ot.order == parse::SortOrder::kDesc);
    }
    finish_index(*t, *idx);
    idx->table = t;
    t->indexes.push_back(idx.get());
    indexes_[idx->name] = std::move(idx);
    return Status::Ok();
  }
  if (type == "trigger" && st->kind == parse::StmtKind::kCreateTrigger) {
    auto tr = std::make_unique<Trigger>();
    tr->name = std::string(name);
    tr->table_name = std::string(tbl_name);
    tr->db = db_;
    tr->table_db = db_;
    tr->parsed = parsed;
    if (Table* t = find_table(tbl_name)) t->triggers.push_back(tr.get());
    triggers_[tr->name] = std::move(tr);
    return Status::Ok();
  }
  return malformed(name);
}

void DatabaseSchema::clear() {
  triggers_.clear();
  indexes_.clear();
  tables_.clear();
  loaded = false;
}

void DatabaseSchema::drop_table(std::string_view name) {
  auto it = tables_.find(name);
  if (it == tables_.end()) return;
  Table* t = it->second.get();
  for (auto i = indexes_.begin(); i != indexes_.end();) {
    if (i->second->table == t) {
      i = indexes_.erase(i);
    } else {
      ++i;
    }
  }
  for (auto i = triggers_.begin(); i != triggers_.end();) {
    if (name_eq(i->second->table_name, t->name)) {
      i = triggers_.erase(i);
    } else {
      ++i;
    }
  }
  tables_.erase(it);
}

void DatabaseSchema::drop_index(std::string_view name) {
  auto it = indexes_.find(name);
  if (it == indexes_.end()) return;
  Index* idx = it->second.get();
  if (idx->table) {
    auto& v = idx->table->indexes;
    v.erase(std::remove(v.begin(), v.end(), idx), v.end());
    auto& m = idx->table->method_indexes;
    m.erase(std::remove(m.begin(), m.end(), idx), m.end());
  }
  indexes_.erase(it);
}

void DatabaseSchema::drop_trigger(std::string_view name) {
  auto it = triggers_.find(name);
  if (it == triggers_.end()) return;
  Trigger* tr = it->second.get();
  if (Table* t = find_table(tr->table_name)) {
    t->triggers.erase(std::remove(t->triggers.begin(), t->triggers.end(), tr), t->triggers.end());
  }
  triggers_.erase(it);
}

Table* DatabaseSchema::find_table(std::string_view name) const {
  auto it = tables_.find(name);
  if (it != tables_.end()) return it->second.get();
  bool temp = db_ == 1;
  if ((!temp && (name_eq(name, "sqlite_master") || name_eq(name, "sqlite_schema"))) ||
      (temp && (name_eq(name, "sqlite_temp_master") || name_eq(name, "sqlite_temp_schema")))) {
    return schema_table();
  }
  return nullptr;
}

Table* DatabaseSchema::schema_table() const {
  if (!schema_table_) {
    auto t = std::make_unique<Table>();
    t->name = db_ == 1 ? "sqlite_temp_master" : "sqlite_master";
    t->db = db_;
    t->root = 1;
    static const char* kCols[][2] = {
        {"type", "text"}, {"name", "text"}, {"tbl_name", "text"}, {"rootpage", "int"}, {"sql", "text"}};
    for (auto& c : kCols) {
      Column col;
      col.name = c[0];
      col.type = c[1];
      col.affinity = vm::affinity_from_type_name(col.type);
      t->columns.push_back(std::move(col));
    }
    schema_table_ = std::move(t);
  }
  return schema_table_.get();
}

Index* DatabaseSchema::find_index(std::string_view name) const {
  auto it = indexes_.find(name);
  return it == indexes_.end() ? nullptr : it->second.get();
}

Trigger* DatabaseSchema::find_trigger(std::string_view name) const {
  auto it = triggers_.find(name);
  return it == triggers_.end() ? nullptr : it->second.get();
}

Catalog::Catalog() {
  dbs_.push_back({"main", std::make_unique<DatabaseSchema>(0)});
  dbs_.push_back({"temp", std::make_unique<DatabaseSchema>(1)});
}

int Catalog::find_database(std::string_view name) const {
  for (size_t i = 0; i < dbs_.size(); i++) {
    if (dbs_[i].schema && name_eq(dbs_[i].name, name)) return static_cast<int>(i);
  }
  return -1;
}

int Catalog::attach(std::string name) {
  for (size_t i = 2; i < dbs_.size(); i++) {
    if (!dbs_[i].schema) {
      dbs_[i] = {std::move(name), std::make_unique<DatabaseSchema>(static_cast<int>(i))};
      return static_cast<int>(i);
    }
  }
  int n = static_cast<int>(dbs_.size());
  dbs_.push_back({std::move(name), std::make_unique<DatabaseSchema>(n)});
  return n;
}

void Catalog::detach(int db) {
  if (db < 2 || db >= static_cast<int>(dbs_.size())) return;
  // The databases after it move down one number (SQLite's
  // sqlite3CollapseDatabaseArray); their objects carry the old number, so
  // they start over empty and are loaded again under the new one.
  dbs_.erase(dbs_.begin() + db);
  for (size_t i = static_cast<size_t>(db); i < dbs_.size(); i++) {
    dbs_[i].schema = std::make_unique<DatabaseSchema>(static_cast<int>(i));
  }
}

Table* Catalog::find_table(std::string_view schema, std::string_view name) const {
  if (!schema.empty()) {
    int db = find_database(schema);
    if (db == 1 && (name_eq(name, "sqlite_master") || name_eq(name, "sqlite_schema"))) {
      return dbs_[1].schema->schema_table();  // temp.sqlite_master names sqlite_temp_master
    }
    return db < 0 ? nullptr : dbs_[db].schema->find_table(name);
  }
  static const int kOrder[] = {1, 0};
  for (int db : kOrder) {
    if (Table* t = dbs_[db].schema->find_table(name)) return t;
  }
  for (size_t i = 2; i < dbs_.size(); i++) {
    if (!dbs_[i].schema) continue;
    if (Table* t = dbs_[i].schema->find_table(name)) return t;
  }
  return nullptr;
}

Index* Catalog::find_index(std::string_view schema, std::string_view name) const {
  if (!schema.empty()) {
    int db = find_database(schema);
    return db < 0 ? nullptr : dbs_[db].schema->find_index(name);
  }
  for (size_t i = 0; i < dbs_.size(); i++) {
    size_t db = i == 0 ? 1 : i == 1 ? 0 : i;
    if (!dbs_[db].schema) continue;
    if (Index* x = dbs_[db].schema->find_index(name)) return x;
  }
  return nullptr;
}

}  // namespace keel::plan
