// json_group_array(X) and json_group_object(NAME, VALUE): aggregates and
// window functions (SQLite 3.40's jsonArrayStep & co).
//
// The state is the JSON text built so far, without its closing bracket:
// value() appends the bracket, copies, and takes it off again; inverse()
// removes the first element by scanning to the first ',' outside strings and
// nested containers (the frame always drops its oldest row first). As in
// SQLite, NAME is read as text whatever its type, and a NULL NAME writes
// no label at all ('{:1}').
#include "func/func_internal.h"
#include "func/json_internal.h"

namespace keel::func::json {
namespace {

using vm::Value;
using Args = std::span<Value>;

// The aggregate context holds a pointer to the heap-allocated accumulator,
// created by the first step and deleted by final().
JsonWriter* state(FunctionContext& ctx, bool create) {
  auto** slot = static_cast<JsonWriter**>(ctx.aggregate_context(create ? sizeof(JsonWriter*) : 0));
  if (slot == nullptr) return nullptr;
  if (*slot == nullptr && create) *slot = new JsonWriter;
  return *slot;
}

// Starts the text with `open`, or adds a ',' after a previous element.
JsonWriter* begin_element(FunctionContext& ctx, char open) {
  JsonWriter* w = state(ctx, true);
  if (w == nullptr) {
    ctx.set_error_nomem();
    return nullptr;
  }
  if (w->buf.empty() && w->err == 0) {
    w->ch(open);
  } else if (w->buf.size() > 1) {
    w->ch(',');
  }
  return w;
}

void array_step(FunctionContext& ctx, Args a) {
  if (JsonWriter* w = begin_element(ctx, '[')) w->value(ctx, a[0]);
}

void object_step(FunctionContext& ctx, Args a) {
  JsonWriter* w = begin_element(ctx, '{');
  if (w == nullptr) return;
  if (!a[0].is_null()) {
    vm::NumberText nt;
    w->quoted(internal::arg_bytes(a[0], nt));
  }
  w->ch(':');
  w->value(ctx, a[1]);
}

void compute(FunctionContext& ctx, char close, std::string_view empty, bool is_final) {
  JsonWriter* w = state(ctx, false);
  if (w == nullptr) {
    ctx.result().set_text_ref(empty);
  } else {
    w->ch(close);
    if (w->err == 0) internal::result_text(ctx, w->buf);
    w->buf.pop_back();
    if (is_final) {
      delete w;
      *static_cast<JsonWriter**>(ctx.aggregate_context(0)) = nullptr;
    }
  }
  if (!ctx.has_error() && !ctx.result().is_null()) ctx.result().set_subtype(kJsonSubtype);
}

void array_value(FunctionContext& ctx) { compute(ctx, ']', "[]", false); }
void array_final(FunctionContext& ctx) { compute(ctx, ']', "[]", true); }
void object_value(FunctionContext& ctx) { compute(ctx, '}', "{}", false); }
void object_final(FunctionContext& ctx) { compute(ctx, '}', "{}", true); }

void group_inverse(FunctionContext& ctx, Args) {
  JsonWriter* w = state(ctx, false);
  if (w == nullptr) return;
  std::string& z = w->buf;
  bool in_str = false;
  int nest = 0;
  size_t i;
  char c;
  for (i = 1; i < z.size() && ((c = z[i]) != ',' || in_str || nest); i++) {
    if (c == '"') {
      in_str = !in_str;
    } else if (c == '\\') {
      i++;
    } else if (!in_str) {
      if (c == '{' || c == '[') nest++;
      if (c == ']' || c == '}') nest--;
    }
  }
  if (i < z.size()) {
    z.erase(1, i);
  } else {
    z.resize(z.empty() ? 0 : 1);
  }
}

FunctionDef window_def(std::string name, int n_arg, StepFn step, FinalFn final, FinalFn value) {
  FunctionDef d;
  d.name = std::move(name);
  d.n_arg = n_arg;
  d.flags = kDeterministic | kSubtype;
  d.step = step;
  d.final = final;
  d.value = value;
  d.inverse = group_inverse;
  return d;
}

}  // namespace

void register_aggregates(FunctionRegistry& r) {
  r.add(window_def("json_group_array", 1, array_step, array_final, array_value));
  r.add(window_def("json_group_object", 2, object_step, object_final, object_value));
}

}  // namespace keel::func::json
