// Test module "testsnapshot": a module-owned kind of schema object.
//   CREATE SNAPSHOT name AS select   — a table filled from the select, whose
//                                      definition the module records in its
//                                      own table snapshot_catalog
//   DROP SNAPSHOT [IF EXISTS] name
// Both run inside the statement's transaction through nested statements.
#include <string>

#include "keel/ext/module.hpp"

namespace {

using keel::Status;

std::string quote_id(std::string_view s) {
  std::string q = "\"";
  for (char c : s) {
    q += c;
    if (c == '"') q += '"';
  }
  return q + "\"";
}

class Snapshot final : public keel::ext::SchemaObject {
 public:
  std::vector<std::string> keywords() const override { return {"SNAPSHOT"}; }

  Status create(keel::ext::Session& s, const keel::ext::SchemaObjectCall& call) override {
    // rest = "name AS select..."
    std::string_view rest = call.rest;
    size_t sp = rest.find_first_of(" \t\n");
    if (sp == std::string_view::npos)
      return Status(keel::rc::kError, "CREATE SNAPSHOT needs: name AS select");
    std::string name(rest.substr(0, sp));
    std::string_view after = rest.substr(sp);
    while (!after.empty() && (after.front() == ' ' || after.front() == '\t' || after.front() == '\n')) {
      after.remove_prefix(1);
    }
    if (after.size() < 3 || (after.substr(0, 2) != "AS" && after.substr(0, 2) != "as")) {
      return Status(keel::rc::kError, "CREATE SNAPSHOT needs: name AS select");
    }
    KEEL_RETURN_IF_ERROR(
        s.exec("CREATE TABLE IF NOT EXISTS snapshot_catalog(name TEXT PRIMARY KEY, sql TEXT)"));
    auto exists = s.prepare("SELECT 1 FROM snapshot_catalog WHERE name = ?");
    if (!exists.ok()) return exists.take_status();
    exists->bind(1, keel::Value(name)).ignore();
    auto r = exists->step();
    if (!r.ok()) return r.take_status();
    if (*r) return Status(keel::rc::kError, "snapshot " + name + " already exists");
    exists->reset().ignore();
    KEEL_RETURN_IF_ERROR(s.exec("CREATE TABLE " + quote_id(name) + " " + std::string(after)));
    auto ins = s.prepare("INSERT INTO snapshot_catalog VALUES (?, ?)");
    if (!ins.ok()) return ins.take_status();
    ins->bind(1, keel::Value(name)).ignore();
    ins->bind(2, keel::Value(std::string(call.sql))).ignore();
    return ins->execute();
  }

  Status drop(keel::ext::Session& s, const keel::ext::SchemaObjectCall& call) override {
    std::string name(call.rest);
    // RETURNING tells whether a row went: changes() inside a nested
    // statement reports the application's count (keel/ext/session.hpp).
    auto st = s.prepare("DELETE FROM snapshot_catalog WHERE name = ? RETURNING name");
    if (!st.ok()) {
      if (call.if_exists) return Status::Ok();
      return Status(keel::rc::kError, "no such snapshot: " + name);
    }
    st->bind(1, keel::Value(name)).ignore();
    auto r = st->step();
    if (!r.ok()) return r.take_status();
    bool found = *r;
    KEEL_RETURN_IF_ERROR(st->execute());
    if (!found) {
      if (call.if_exists) return Status::Ok();
      return Status(keel::rc::kError, "no such snapshot: " + name);
    }
    return s.exec("DROP TABLE " + quote_id(name));
  }
};

}  // namespace

KEEL_MODULE(testsnapshot) { registrar.add_schema_object(std::make_shared<Snapshot>()); }
