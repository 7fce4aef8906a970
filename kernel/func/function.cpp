// FunctionRegistry and the out-of-line parts of FunctionContext.
#include "func/function.h"

#include <algorithm>

#include "vm/collation.h"

namespace keel::func {

void* FunctionContext::aggregate_context(size_t n) {
  if (agg_slot_ == nullptr) return nullptr;
  if (agg_slot_->empty()) {
    if (n == 0) return nullptr;
    agg_slot_->assign(n, 0);
  }
  return agg_slot_->data();
}

void* FunctionContext::get_aux(int arg) const {
  if (aux_ == nullptr) return nullptr;
  for (const AuxEntry& e : *aux_) {
    if (e.arg == arg) return e.data;
  }
  return nullptr;
}

void FunctionContext::set_aux(int arg, void* data, void (*destroy)(void*)) {
  if (aux_ == nullptr) {
    // No place to keep it (as SQLite when the argument is not constant):
    // the data is released at once.
    if (destroy && data) destroy(data);
    return;
  }
  for (AuxEntry& e : *aux_) {
    if (e.arg == arg) {
      if (e.destroy && e.data && e.data != data) e.destroy(e.data);
      e.data = data;
      e.destroy = destroy;
      return;
    }
  }
  aux_->push_back(AuxEntry{arg, data, destroy});
}

bool FunctionContext::allow_non_deterministic() {
  const char* where;
  switch (pure_context_) {
    case PureContext::kNone:
      return true;
    case PureContext::kCheck:
      where = "a CHECK constraint";
      break;
    case PureContext::kGeneratedColumn:
      where = "a generated column";
      break;
    default:
      where = "an index";
      break;
  }
  set_error("non-deterministic use of " + def_->name + "() in " + where);
  return false;
}

namespace {

bool same_name(std::string_view a, std::string_view b) { return vm::stricmp(a, b) == 0; }

}  // namespace

void FunctionRegistry::add(FunctionDef def) {
  for (auto& d : defs_) {
    if (d->n_arg == def.n_arg && same_name(d->name, def.name)) {
      *d = std::move(def);
      return;
    }
  }
  defs_.push_back(std::make_unique<FunctionDef>(std::move(def)));
}

const FunctionDef* FunctionRegistry::find(std::string_view name, int n_args) const {
  const FunctionDef* any = nullptr;
  for (const auto& d : defs_) {
    if (!same_name(d->name, name)) continue;
    if (d->n_arg == n_args) return d.get();
    if (d->n_arg == -1 && any == nullptr) any = d.get();
  }
  return any;
}

bool FunctionRegistry::has_name(std::string_view name) const {
  return std::any_of(defs_.begin(), defs_.end(), [&](const auto& d) { return same_name(d->name, name); });
}

std::vector<const FunctionDef*> FunctionRegistry::all() const {
  std::vector<const FunctionDef*> out;
  out.reserve(defs_.size());
  for (const auto& d : defs_) out.push_back(d.get());
  return out;
}

bool FunctionRegistry::remove(std::string_view name, int n_arg) {
  auto it = std::find_if(defs_.begin(), defs_.end(),
                         [&](const auto& d) { return d->n_arg == n_arg && same_name(d->name, name); });
  if (it == defs_.end()) return false;
  defs_.erase(it);
  return true;
}

}  // namespace keel::func
