#include "ext/index_methods.h"

#include <map>
#include <string>
#include <vector>

#include "keel/ext/session.hpp"
#include "keel/statement.hpp"
#include "vm/collation.h"
#include "vm/record.h"

namespace keel::ext {

namespace {

Value to_public(const vm::Value& v) {
  switch (v.type()) {
    case vm::ValueType::kInteger:
      return Value(v.int_value());
    case vm::ValueType::kReal:
      return Value(v.real_value());
    case vm::ValueType::kText:
      return Value(std::string(v.text()));
    case vm::ValueType::kBlob:
      if (v.is_zeroblob()) return Value(Blob(v.size(), 0));
      return Value::blob(v.blob());
    default:
      return Value();
  }
}

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return r;
}

std::string quote_id(std::string_view s) {
  std::string r = "\"";
  for (char c : s) {
    r.push_back(c);
    if (c == '"') r.push_back('"');
  }
  return r + "\"";
}

class Runtime final : public engine::IndexMethodRuntime {
 public:
  explicit Runtime(engine::Connection& conn) : conn_(conn) {}

  // ---- plan::IndexMethodLookup
  Result<std::vector<QueryShape>> shapes(const plan::Index& idx) const override {
    auto m = find(idx.method);
    if (!m) return plan::missing_method_error(idx);
    return m->shapes(definition(idx));
  }
  IndexCost estimate(const plan::Index& idx, int shape, std::span<const vm::Value> args,
                     std::span<const bool> known) const override {
    auto m = find(idx.method);
    if (!m) return IndexCost{false, 0, 0};
    std::vector<Value> vals;
    for (const vm::Value& v : args) vals.push_back(to_public(v));
    return m->estimate(definition(idx), shape, vals, known);
  }
  Status validate(const plan::Index& idx) const override {
    auto m = find(idx.method);
    if (!m) return plan::missing_method_error(idx);
    return m->validate(definition(idx));
  }

  // ---- engine::IndexMethodRuntime
  Status create_index(engine::Connection& c, int db, std::string_view index) override {
    const plan::Index* idx = c.catalog().database(db).find_index(index);
    if (idx == nullptr) return Status(rc::kInternal, "no such index: " + std::string(index));
    auto m = find(idx->method);
    if (!m) return plan::missing_method_error(*idx);
    // Copy what is needed: the method's own DDL reloads the schema.
    IndexDefinition def = definition(*idx);
    std::string sql = idx->parsed ? idx->parsed->sql : std::string();
    instances_.erase(key(db, index));
    Session session(&c);
    KEEL_RETURN_IF_ERROR(m->create(session, def));
    auto inst = m->open(session, def);
    if (!inst.ok()) return inst.take_status();
    std::shared_ptr<IndexInstance> instance(std::move(inst).value());
    // Index the rows already in the table.
    std::string select = "SELECT rowid";
    for (const std::string& col : def.columns) select += ", " + quote_id(col);
    select += " FROM " + quote_id(def.database) + "." + quote_id(def.table);
    auto st = session.prepare(select);
    if (!st.ok()) return st.take_status();
    std::vector<Value> vals(def.columns.size());
    for (;;) {
      auto row = st->step();
      if (!row.ok()) return row.take_status();
      if (!*row) break;
      int64_t rowid = st->column_int64(0);
      for (size_t i = 0; i < vals.size(); i++) vals[i] = st->column_value(static_cast<int>(i + 1));
      KEEL_RETURN_IF_ERROR(instance->insert(session, rowid, vals));
    }
    instances_[key(db, index)] = Open{sql, instance};
    return Status::Ok();
  }

  Status drop_index(engine::Connection& c, int db, std::string_view index) override {
    const plan::Index* idx = c.catalog().database(db).find_index(index);
    if (idx == nullptr) return Status(rc::kInternal, "no such index: " + std::string(index));
    auto m = find(idx->method);
    if (!m) return plan::missing_method_error(*idx);
    IndexDefinition def = definition(*idx);
    instances_.erase(key(db, index));
    Session session(&c);
    return m->drop(session, def);
  }

  Status row_changed(engine::Connection& c, const plan::Table& t, int kind, int64_t rowid, int64_t old_rowid,
                     std::span<const uint8_t> before, std::span<const uint8_t> after) override {
    // Gather first: calls into a method may reload the schema (and with it
    // `t`), so nothing of the catalog is used once the first call is made.
    struct Target {
      std::shared_ptr<IndexInstance> instance;
      std::vector<int> columns;  // table column per index column
    };
    std::vector<Target> targets;
    for (const plan::Index* idx : t.method_indexes) {
      auto inst = instance(c, *idx);
      if (!inst.ok()) return inst.take_status();
      targets.push_back({*inst, idx->columns});
    }
    int rowid_alias = t.rowid_alias;
    Session session(&c);
    for (const Target& tg : targets) {
      std::vector<Value> old_vals, new_vals;
      bool has_old = kind <= 0 && !before.empty();
      bool has_new = kind >= 0;
      if (has_old) KEEL_RETURN_IF_ERROR(decode(before, tg.columns, rowid_alias, old_rowid, old_vals));
      if (has_new) KEEL_RETURN_IF_ERROR(decode(after, tg.columns, rowid_alias, rowid, new_vals));
      if (has_old && has_new && old_rowid == rowid && old_vals == new_vals)
        continue;  // nothing indexed changed
      if (has_old)
        KEEL_RETURN_IF_ERROR(tg.instance->remove(session, kind == 0 ? old_rowid : rowid, old_vals));
      if (has_new) KEEL_RETURN_IF_ERROR(tg.instance->insert(session, rowid, new_vals));
    }
    return Status::Ok();
  }

  Result<std::unique_ptr<IndexCursor>> query(engine::Connection& c, const vm::IndexMethodScan& scan,
                                             std::span<const vm::Value> args, int64_t limit) override {
    const plan::Index* idx =
        c.catalog().has_database(scan.db) ? c.catalog().database(scan.db).find_index(scan.index) : nullptr;
    if (idx == nullptr || idx->method.empty()) return Status(rc::kError, "no such index: " + scan.index);
    auto inst = instance(c, *idx);
    if (!inst.ok()) return inst.take_status();
    std::shared_ptr<IndexInstance> keep = *inst;
    std::vector<Value> vals;
    for (const vm::Value& v : args) vals.push_back(to_public(v));
    IndexQuery q;
    q.shape = scan.shape;
    q.args = vals;
    q.limit = limit;
    Session session(&c);
    return keep->query(session, q);
  }

  void forget_instances() override { instances_.clear(); }

 private:
  struct Open {
    std::string sql;
    std::shared_ptr<IndexInstance> instance;
  };

  static std::string key(int db, std::string_view index) { return std::to_string(db) + ":" + lower(index); }

  std::shared_ptr<IndexMethod> find(std::string_view name) const {
    for (const auto& m : conn_.extensions().index_methods) {
      if (vm::stricmp(m->name(), name) == 0) return m;
    }
    return nullptr;
  }

  IndexDefinition definition(const plan::Index& idx) const {
    IndexDefinition def;
    def.database = conn_.catalog().database_name(idx.db);
    def.name = idx.name;
    def.table = idx.table_name;
    for (int col : idx.columns) {
      if (idx.table && col >= 0 && col < static_cast<int>(idx.table->columns.size())) {
        def.columns.push_back(idx.table->columns[col].name);
      }
    }
    for (const auto& [k, v] : idx.method_options) def.options.push_back({k, to_public(v)});
    def.storage_prefix = "keel_im_" + idx.name + "_";
    return def;
  }

  Result<std::shared_ptr<IndexInstance>> instance(engine::Connection& c, const plan::Index& idx) {
    std::string k = key(idx.db, idx.name);
    std::string sql = idx.parsed ? idx.parsed->sql : std::string();
    auto it = instances_.find(k);
    if (it != instances_.end() && it->second.sql == sql) return it->second.instance;
    auto m = find(idx.method);
    if (!m) return plan::missing_method_error(idx);
    IndexDefinition def = definition(idx);
    Session session(&c);
    auto opened = m->open(session, def);
    if (!opened.ok()) return opened.take_status();
    std::shared_ptr<IndexInstance> inst(std::move(opened).value());
    instances_[k] = Open{sql, inst};
    return inst;
  }

  // The index's column values from a table record (NULL in the INTEGER
  // PRIMARY KEY slot stands for the rowid).
  static Status decode(std::span<const uint8_t> record, const std::vector<int>& columns, int rowid_alias,
                       int64_t rowid, std::vector<Value>& out) {
    vm::RecordReader reader;
    KEEL_RETURN_IF_ERROR(reader.reset(record));
    out.clear();
    vm::Value v;
    for (int col : columns) {
      if (col == rowid_alias || col < 0) {
        out.emplace_back(rowid);
        continue;
      }
      KEEL_RETURN_IF_ERROR(reader.column(static_cast<uint32_t>(col), v));
      out.push_back(to_public(v));
    }
    return Status::Ok();
  }

  engine::Connection& conn_;
  std::map<std::string, Open> instances_;
};

}  // namespace

std::shared_ptr<engine::IndexMethodRuntime> make_index_method_runtime(engine::Connection& conn) {
  return std::make_shared<Runtime>(conn);
}

}  // namespace keel::ext
