// keel::Database, keel::Connection and keel::Transaction.
#include <algorithm>
#include <atomic>

#include "cpp_internal.h"
#include "ext/features.h"
#include "ext/install.h"
#include "keel/transaction.hpp"
#include "vm/collation.h"

namespace keel {

// ---------------------------------------------------------------- Database

struct Database::Impl {
  std::string path;
  Options options;
  std::vector<std::string> features;
  std::shared_ptr<const ext::ModuleRequest> request;
  std::mutex mu;  // guards the registrations below
  std::vector<func::FunctionDef> functions;
  std::vector<std::shared_ptr<vm::Collation>> collations;
};

namespace {

const std::vector<std::string>& known() {
  static const std::vector<std::string> k = [] {
    std::vector<std::string> v;
    for (const auto& f : ext::known_features()) v.emplace_back(f.flag);
    return v;
  }();
  return k;
}

engine::OpenOptions engine_options(const Options& o, std::shared_ptr<const ext::ModuleRequest> request) {
  engine::OpenOptions e;
  e.before_open = [request](engine::Connection& c) { return ext::install_extensions(c, *request); };
  e.read_only = o.read_only;
  e.create = o.create && !o.read_only;
  e.uri = true;
  e.busy_timeout_ms = o.busy_timeout_ms;
  e.cache_size = o.cache_size;
  return e;
}

}  // namespace

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::~Database() = default;

Result<std::shared_ptr<Database>> Database::open(std::string_view path, Options options) {
  auto impl = std::make_unique<Impl>();
  impl->path = std::string(path);
  auto request = std::make_shared<ext::ModuleRequest>();
  for (const std::string& f : options.experimental) KEEL_RETURN_IF_ERROR(request->features.add(f));
  KEEL_RETURN_IF_ERROR(ext::add_uri_request(path, *request));
  for (const std::string& m : options.modules) request->modules.push_back(m);
  request->module_path = options.module_path;
  impl->features = request->features.flags();
  impl->request = request;
  if (options.busy_timeout_ms < 0) return Status(rc::kMisuse, "busy_timeout_ms must not be negative");
  impl->options = std::move(options);
  // Open once now so that a bad path or a file that is not a database fails
  // here rather than at the first connect().
  auto probe = engine::Connection::open(impl->path, engine_options(impl->options, impl->request));
  if (!probe.ok()) return probe.take_status();
  Status s = (*probe)->ensure_schema(0);
  if (!s.ok()) return s;
  return std::shared_ptr<Database>(new Database(std::move(impl)));
}

Result<Connection> Database::connect() {
  auto conn = engine::Connection::open(impl_->path, engine_options(impl_->options, impl_->request));
  if (!conn.ok()) return conn.take_status();
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (const func::FunctionDef& def : impl_->functions) (*conn)->functions().add(def);
  for (const auto& c : impl_->collations) (*conn)->set_collation(std::string(c->name()), c);
  auto impl = std::make_unique<Connection::Impl>();
  impl->conn = std::move(conn).value();
  return Connection(std::move(impl));
}

const std::string& Database::path() const { return impl_->path; }
const Options& Database::options() const { return impl_->options; }
const std::vector<std::string>& Database::features() const { return impl_->features; }
bool Database::has_feature(std::string_view name) const {
  return std::find(impl_->features.begin(), impl_->features.end(), name) != impl_->features.end();
}
const std::vector<std::string>& Database::known_features() { return known(); }

Status Database::create_function(std::string_view name, int n_arg, ScalarFunction fn,
                                 FunctionOptions options) {
  KEEL_RETURN_IF_ERROR(cpp::check_function(name, n_arg));
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->functions.push_back(cpp::scalar_def(name, n_arg, std::move(fn), options));
  return Status::Ok();
}

Status Database::create_aggregate(std::string_view name, int n_arg, AggregateFactory factory) {
  KEEL_RETURN_IF_ERROR(cpp::check_function(name, n_arg));
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->functions.push_back(cpp::aggregate_def(name, n_arg, std::move(factory)));
  return Status::Ok();
}

Status Database::create_collation(std::string_view name, CollationFunction compare) {
  if (name.empty() || !compare) return Status(rc::kMisuse, "bad parameter or other API misuse");
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->collations.push_back(cpp::collation(name, std::move(compare)));
  return Status::Ok();
}

// ---------------------------------------------------------------- Connection

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

Status Connection::exec(std::string_view sql) { return impl_->conn->exec(sql); }

Result<Statement> Connection::prepare(std::string_view sql) {
  auto st = impl_->conn->prepare(sql);
  if (!st.ok()) return st.take_status();
  if (!*st) return Status(rc::kMisuse, "empty statement");
  auto impl = std::make_unique<Statement::Impl>();
  impl->conn = impl_->conn.get();
  impl->st = std::move(st).value();
  return Statement(std::move(impl));
}

int64_t Connection::last_insert_rowid() const { return impl_->conn->last_insert_rowid(); }
int64_t Connection::changes() const { return impl_->conn->changes(); }
int64_t Connection::total_changes() const { return impl_->conn->total_changes(); }
bool Connection::autocommit() const { return impl_->conn->autocommit(); }
void Connection::interrupt() { impl_->conn->interrupt(); }
void Connection::set_busy_timeout(int ms) { impl_->conn->set_busy_timeout(ms); }

namespace {
bool running(engine::Connection& c) { return c.active_statements() > 0; }
}  // namespace

Status Connection::create_function(std::string_view name, int n_arg, ScalarFunction fn,
                                   FunctionOptions options) {
  KEEL_RETURN_IF_ERROR(cpp::check_function(name, n_arg));
  if (running(*impl_->conn)) {
    return Status(rc::kBusy, "unable to delete/modify user-function due to active statements");
  }
  impl_->conn->functions().add(cpp::scalar_def(name, n_arg, std::move(fn), options));
  return Status::Ok();
}

Status Connection::create_aggregate(std::string_view name, int n_arg, AggregateFactory factory) {
  KEEL_RETURN_IF_ERROR(cpp::check_function(name, n_arg));
  if (running(*impl_->conn)) {
    return Status(rc::kBusy, "unable to delete/modify user-function due to active statements");
  }
  impl_->conn->functions().add(cpp::aggregate_def(name, n_arg, std::move(factory)));
  return Status::Ok();
}

Status Connection::create_collation(std::string_view name, CollationFunction compare) {
  if (name.empty() || !compare) return Status(rc::kMisuse, "bad parameter or other API misuse");
  if (running(*impl_->conn)) {
    return Status(rc::kBusy, "unable to delete/modify collation sequence due to active statements");
  }
  impl_->conn->set_collation(std::string(name), cpp::collation(name, std::move(compare)));
  return Status::Ok();
}

// ---------------------------------------------------------------- Transaction

Result<Transaction> Transaction::begin(Connection& conn, TransactionMode mode) {
  if (conn.autocommit()) {
    const char* sql = mode == TransactionMode::kImmediate   ? "BEGIN IMMEDIATE"
                      : mode == TransactionMode::kExclusive ? "BEGIN EXCLUSIVE"
                                                            : "BEGIN DEFERRED";
    KEEL_RETURN_IF_ERROR(conn.exec(sql));
    return Transaction(&conn, std::string());
  }
  static std::atomic<uint64_t> counter{0};
  std::string name = "keel_txn_" + std::to_string(counter.fetch_add(1) + 1);
  KEEL_RETURN_IF_ERROR(conn.exec("SAVEPOINT " + name));
  return Transaction(&conn, std::move(name));
}

Transaction::Transaction(Transaction&& other) noexcept
    : conn_(other.conn_), savepoint_(std::move(other.savepoint_)) {
  other.conn_ = nullptr;
}

Transaction::~Transaction() {
  if (conn_) rollback().ignore();
}

Status Transaction::commit() {
  if (!conn_) return Status(rc::kMisuse, "transaction already ended");
  Status s = savepoint_.empty() ? conn_->exec("COMMIT") : conn_->exec("RELEASE " + savepoint_);
  // A failed COMMIT (SQLITE_BUSY) leaves the transaction open: the caller may
  // retry, or the destructor rolls back.
  if (s.ok() || conn_->autocommit()) conn_ = nullptr;
  return s;
}

Status Transaction::rollback() {
  if (!conn_) return Status(rc::kMisuse, "transaction already ended");
  Connection* c = conn_;
  conn_ = nullptr;
  // The transaction may already be gone (an error rolled it back).
  if (c->autocommit()) return Status::Ok();
  if (savepoint_.empty()) return c->exec("ROLLBACK");
  KEEL_RETURN_IF_ERROR(c->exec("ROLLBACK TO " + savepoint_));
  return c->exec("RELEASE " + savepoint_);
}

}  // namespace keel
