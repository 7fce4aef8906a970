// Views and triggers across databases (SQLite's DbFixer, attach.c, and the
// temp-trigger lists of trigger.c).
//
// A view or trigger stored in a database other than temp belongs to that
// database: the FROM terms of its body may name no other database
// ("view v cannot reference objects in database main"), its unqualified
// names resolve in its own database only (CodeGen::default_db), and a
// trigger's table is looked up there. A TEMP trigger may fire on a table of
// any database; it lives in the temp schema, so Catalog::link_temp_triggers()
// adds it to the trigger list of its table before each compile.
#include "parse/ast_walk.h"
#include "plan/plan_internal.h"

namespace keel::plan {
namespace {

class ForeignSchemaFinder final : public parse::AstVisitor {
 public:
  ForeignSchemaFinder(const Catalog& catalog, int db) : catalog_(catalog), db_(db) {}
  void select(const parse::Select& s) override {
    for (const parse::SelectCore* core : s.cores) items(core->from);
  }
  std::string_view found;

 private:
  void items(const parse::List<parse::FromItem*>& from) {
    for (const parse::FromItem* item : from) {
      if (!found.empty()) return;
      if (item->kind == parse::FromItem::Kind::kJoinGroup) {
        items(item->group);
        continue;
      }
      if (item->kind != parse::FromItem::Kind::kTable && item->kind != parse::FromItem::Kind::kTableFunction)
        continue;
      if (!item->table.schema.present()) continue;
      if (catalog_.find_database(item->table.schema.value) != db_) found = item->table.schema.value;
    }
  }
  const Catalog& catalog_;
  int db_;
};

}  // namespace

Status check_own_database(CodeGen& g, int db, std::string_view kind, std::string_view name,
                          const parse::Stmt* stmt, const parse::Select* select) {
  if (db == 1) return Status::Ok();
  ForeignSchemaFinder finder(g.catalog(), db);
  if (stmt) parse::walk(*stmt, finder);
  if (select) parse::walk(*select, finder);
  if (finder.found.empty()) return Status::Ok();
  return Status(rc::kError, std::string(kind) + " " + std::string(name) +
                                " cannot reference objects in database " + std::string(finder.found));
}

void Catalog::link_temp_triggers() {
  // Drop links made last time (the temp schema may have been reloaded since:
  // compare pointers only, never follow them) ...
  for (size_t db = 0; db < dbs_.size(); db++) {
    if (db == 1 || !dbs_[db].schema) continue;
    DatabaseSchema& s = *dbs_[db].schema;
    for (const auto& [n, t] : s.tables()) {
      auto& list = t->triggers;
      for (size_t i = 0; i < list.size();) {
        bool own = false;
        for (const auto& [tn, tr] : s.triggers()) own = own || tr.get() == list[i];
        if (own) {
          i++;
        } else {
          list.erase(list.begin() + static_cast<long>(i));
        }
      }
    }
  }
  // ... and link every temp trigger whose table lives elsewhere.
  for (const auto& [n, tr] : dbs_[1].schema->triggers()) {
    if (!tr->parsed || !tr->parsed->stmt || tr->parsed->stmt->kind != parse::StmtKind::kCreateTrigger)
      continue;
    const auto* ct = tr->parsed->stmt->as<parse::CreateTriggerStmt>();
    std::string_view schema = ct->table.schema.present() ? ct->table.schema.value : std::string_view();
    Table* t = find_table(schema, tr->table_name);
    if (t == nullptr || t->db == 1) continue;
    tr->table_db = t->db;
    t->triggers.push_back(tr.get());
  }
}

}  // namespace keel::plan
