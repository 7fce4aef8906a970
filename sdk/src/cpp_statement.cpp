// keel::Statement over engine::Statement.
#include "cpp_internal.h"

namespace keel {

Statement::Statement(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Statement::Statement(Statement&&) noexcept = default;
Statement& Statement::operator=(Statement&&) noexcept = default;
Statement::~Statement() = default;

Status Statement::bind(int index, const Value& value) { return impl_->st->bind(index, cpp::to_vm(value)); }

Status Statement::bind(std::string_view name, const Value& value) {
  int index = impl_->st->parameter_index(name);
  if (index == 0) return Status(rc::kRange, "no such parameter: " + std::string(name));
  return bind(index, value);
}

void Statement::clear_bindings() { impl_->st->clear_bindings(); }
int Statement::parameter_count() const { return impl_->st->parameter_count(); }
int Statement::parameter_index(std::string_view name) const { return impl_->st->parameter_index(name); }
std::string_view Statement::parameter_name(int index) const { return impl_->st->parameter_name(index); }

Result<bool> Statement::step() {
  auto r = impl_->st->step();
  if (!r.ok()) return r.take_status();
  return *r == rc::kRow;
}

Status Statement::execute() {
  for (;;) {
    auto r = step();
    if (!r.ok()) {
      impl_->st->reset().ignore();
      return r.take_status();
    }
    if (!*r) break;
  }
  return impl_->st->reset();
}

Status Statement::reset() { return impl_->st->reset(); }

int Statement::column_count() const { return impl_->st->column_count(); }

namespace {
const vm::Value* column(const Statement::Impl& impl, int i) {
  auto row = impl.st->row();
  if (i < 0 || static_cast<size_t>(i) >= row.size()) return nullptr;
  return &row[i];
}
}  // namespace

std::string_view Statement::column_name(int i) const {
  if (i < 0 || i >= column_count()) return {};
  return impl_->st->column_info(i).name;
}
std::string_view Statement::column_decltype(int i) const {
  if (i < 0 || i >= column_count()) return {};
  return impl_->st->column_info(i).decltype_;
}
std::string_view Statement::column_table_name(int i) const {
  if (i < 0 || i >= column_count()) return {};
  return impl_->st->column_info(i).table;
}
std::string_view Statement::column_origin_name(int i) const {
  if (i < 0 || i >= column_count()) return {};
  return impl_->st->column_info(i).origin;
}
std::string_view Statement::column_database_name(int i) const {
  if (i < 0 || i >= column_count()) return {};
  return impl_->st->column_info(i).database;
}

Type Statement::column_type(int i) const {
  const vm::Value* v = column(*impl_, i);
  return v ? static_cast<Type>(v->type()) : Type::kNull;
}

int64_t Statement::column_int64(int i) const {
  const vm::Value* v = column(*impl_, i);
  return v ? v->as_int64() : 0;
}

double Statement::column_double(int i) const {
  const vm::Value* v = column(*impl_, i);
  return v ? v->as_double() : 0.0;
}

std::string_view Statement::column_text(int i) const {
  const vm::Value* v = column(*impl_, i);
  if (v == nullptr || v->is_null()) return {};
  if (v->is_bytes() && !v->is_zeroblob()) return v->text();
  if (impl_->scratch.size() <= static_cast<size_t>(i)) impl_->scratch.resize(i + 1);
  std::string& s = impl_->scratch[i];
  if (v->is_zeroblob()) {
    s.assign(v->size(), '\0');
  } else {
    vm::NumberText t;
    s.assign(v->as_text(t));
  }
  return s;
}

std::span<const uint8_t> Statement::column_blob(int i) const {
  std::string_view t = column_text(i);
  return {reinterpret_cast<const uint8_t*>(t.data()), t.size()};
}

Value Statement::column_value(int i) const {
  const vm::Value* v = column(*impl_, i);
  return v ? cpp::from_vm(*v) : Value();
}

std::string_view Statement::sql() const { return impl_->st->sql(); }
std::string Statement::expanded_sql() const { return impl_->st->expanded_sql(); }
bool Statement::read_only() const { return impl_->st->read_only(); }

}  // namespace keel
