// ext::Session: a module's handle on the connection it is attached to.
#include "cpp_internal.h"
#include "keel/ext/session.hpp"

namespace keel::ext {

namespace {
engine::Connection& conn(void* p) { return *static_cast<engine::Connection*>(p); }
}  // namespace

Result<Statement> Session::prepare(std::string_view sql) {
  auto st = conn(conn_).prepare(sql);
  if (!st.ok()) return st.take_status();
  if (!*st) return Status(rc::kMisuse, "empty statement");
  auto impl = std::make_unique<Statement::Impl>();
  impl->conn = &conn(conn_);
  impl->st = std::move(st).value();
  return Statement(std::move(impl));
}

Status Session::exec(std::string_view sql) { return conn(conn_).exec(sql); }

bool Session::autocommit() const { return conn(conn_).autocommit(); }

std::string Session::database_path(std::string_view schema) const {
  int db = conn(conn_).database_index(schema);
  if (db < 0) return std::string();
  return conn(conn_).filename(db);
}

std::string Session::uri_parameter(std::string_view name) const { return conn(conn_).uri_parameter(name); }

bool Session::has_feature(std::string_view flag) const {
  for (const auto& f : conn(conn_).extensions().features) {
    if (f == flag) return true;
  }
  return false;
}

Status Session::set_page_codec(std::shared_ptr<PageCodec> codec, std::string_view schema) {
  int db = conn(conn_).database_index(schema);
  if (db < 0) return Status(rc::kError, "unknown database " + std::string(schema));
  return conn(conn_).set_page_codec(db, std::move(codec));
}

Status Session::rebuild_with_codec(std::shared_ptr<PageCodec> codec, std::string_view schema) {
  int db = conn(conn_).database_index(schema);
  if (db < 0) return Status(rc::kError, "unknown database " + std::string(schema));
  return conn(conn_).rebuild_database(db, std::move(codec));
}

bool Session::database_opened(std::string_view schema) const {
  return conn(conn_).database_touched(conn(conn_).database_index(schema));
}

Result<bool> Session::append_records(std::string_view table, std::span<const RecordRow> rows,
                                     std::string_view schema) {
  int db = conn(conn_).database_index(schema);
  if (db < 0) return Status(rc::kError, "unknown database " + std::string(schema));
  return conn(conn_).append_records(db, table, rows);
}

Status Session::add_change_observer(std::shared_ptr<ChangeObserver> observer) {
  if (!observer) return Status(rc::kMisuse, "null change observer");
  auto& c = conn(conn_);
  c.extensions().observers.push_back(std::move(observer));
  c.refresh_observers_active();
  return Status::Ok();
}

Status Session::remove_change_observer(const ChangeObserver* observer) {
  auto& c = conn(conn_);
  auto& v = c.extensions().observers;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (it->get() == observer) {
      v.erase(it);
      c.refresh_observers_active();
      return Status::Ok();
    }
  }
  return Status(rc::kNotFound, "change observer not installed");
}

}  // namespace keel::ext
