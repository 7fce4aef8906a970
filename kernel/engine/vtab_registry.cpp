// VtabRegistry (see vtab_registry.h).
#include "engine/vtab_registry.h"

#include <cctype>

#include "parse/ast.h"

namespace keel::engine {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Status no_such_module(std::string_view name) {
  return Status(rc::kError, "no such module: " + std::string(name));
}

Result<std::shared_ptr<plan::VtabInstance>> make_instance(std::unique_ptr<ext::VirtualTable> table,
                                                          std::string_view module) {
  if (!table) return Status(rc::kError, "vtable constructor failed: " + std::string(module));
  auto inst = std::make_shared<plan::VtabInstance>();
  KEEL_ASSIGN_OR_RETURN(inst->columns, plan::declared_columns(table->schema()));
  inst->table = std::shared_ptr<ext::VirtualTable>(std::move(table));
  inst->module = std::string(module);
  return inst;
}

}  // namespace

void VtabRegistry::add_module(std::shared_ptr<ext::VirtualTableModule> module) {
  std::string name(module->name());
  eponymous_.erase(name);
  modules_[name] = std::move(module);
}

bool VtabRegistry::remove_module(std::string_view name) {
  auto it = modules_.find(name);
  if (it == modules_.end()) return false;
  eponymous_.erase(std::string(name));
  modules_.erase(it);
  return true;
}

ext::VirtualTableModule* VtabRegistry::find_module(std::string_view name) const {
  auto it = modules_.find(name);
  return it == modules_.end() ? nullptr : it->second.get();
}

std::vector<std::string> VtabRegistry::module_names() const {
  std::vector<std::string> out;
  for (const auto& [name, m] : modules_) out.push_back(name);
  return out;
}

Result<std::shared_ptr<const plan::VtabInstance>> VtabRegistry::eponymous(std::string_view name) {
  auto it = eponymous_.find(name);
  if (it != eponymous_.end()) return it->second;
  ext::VirtualTableModule* m = find_module(name);
  if (m == nullptr || !m->eponymous()) return std::shared_ptr<const plan::VtabInstance>();
  ext::VirtualTableArgs args{m->name(), "main", m->name(), {}, ext::Session(connection_)};
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<ext::VirtualTable> table, m->connect(args));
  KEEL_ASSIGN_OR_RETURN(std::shared_ptr<plan::VtabInstance> inst, make_instance(std::move(table), m->name()));
  eponymous_[std::string(name)] = inst;
  return std::shared_ptr<const plan::VtabInstance>(inst);
}

Result<std::shared_ptr<const plan::VtabInstance>> VtabRegistry::connect(plan::Table& t,
                                                                        std::string_view db_name,
                                                                        bool create) {
  auto key = std::make_pair(t.db, lower(t.name));
  auto it = tables_.find(key);
  std::shared_ptr<const plan::VtabInstance> inst;
  // A cached table serves while its schema entry is the same statement: a
  // schema reload (after ROLLBACK, or another connection's change) keeps
  // tables whose definition did not change connected, as SQLite does.
  if (it != tables_.end() && !create && t.parsed && it->second->sql == t.parsed->sql) {
    inst = it->second;
  } else {
    if (!t.parsed || !t.parsed->stmt || t.parsed->stmt->kind != parse::StmtKind::kCreateVirtualTable) {
      return Status(rc::kCorrupt, "malformed database schema (" + t.name + ")");
    }
    auto* st = t.parsed->stmt->as<parse::CreateVirtualTableStmt>();
    std::string_view module_name = st->module.value;
    ext::VirtualTableModule* m = find_module(module_name);
    if (m == nullptr || m->eponymous_only()) return no_such_module(module_name);
    ext::VirtualTableArgs args{module_name, db_name, t.name, {}, ext::Session(connection_)};
    for (std::string_view a : st->arg_texts) args.args.push_back(a);
    KEEL_ASSIGN_OR_RETURN(std::unique_ptr<ext::VirtualTable> table,
                          create ? m->create(args) : m->connect(args));
    KEEL_ASSIGN_OR_RETURN(std::shared_ptr<plan::VtabInstance> made,
                          make_instance(std::move(table), m->name()));
    made->sql = t.parsed->sql;
    inst = made;
    tables_[key] = inst;
  }
  if (t.columns.empty()) t.columns = inst->columns;
  return inst;
}

Status VtabRegistry::destroy(plan::Table& t, std::string_view db_name) {
  KEEL_ASSIGN_OR_RETURN(std::shared_ptr<const plan::VtabInstance> inst, connect(t, db_name, false));
  Status s = inst->table->destroy();
  forget_table(t.db, t.name);
  return s;
}

void VtabRegistry::forget_database(int db) {
  for (auto it = tables_.begin(); it != tables_.end();) {
    it = it->first.first == db ? tables_.erase(it) : std::next(it);
  }
}

void VtabRegistry::forget_table(int db, std::string_view name) {
  tables_.erase(std::make_pair(db, lower(name)));
}

void VtabRegistry::clear() {
  tables_.clear();
  eponymous_.clear();
  modules_.clear();
}

}  // namespace keel::engine
