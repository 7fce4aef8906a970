// How keel::ext::Args (keel/ext/function.hpp) view VM registers: each
// ValueView points at an ExtArgSlot holding the register and a scratch
// buffer for the text form of a number, so reading an argument as text
// never changes the register and no call allocates for up to kInlineArgs
// arguments. Used by the module-function trampolines (ext layer) and by the
// VM's virtual-table opcodes (VFilter, VUpdate); the SDK types themselves
// are implemented in ext_values.cpp.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include "keel/ext/function.hpp"
#include "vm/value.h"

namespace keel::func {

struct ExtArgSlot {
  vm::Value* v;
  vm::NumberText scratch;
};

inline constexpr size_t kInlineExtArgs = 8;

// Calls f(ext::Args) with `regs` viewed in place.
template <typename F>
void with_ext_args(std::span<vm::Value> regs, F&& f) {
  ExtArgSlot inline_slots[kInlineExtArgs];
  std::unique_ptr<ExtArgSlot[]> heap;
  ExtArgSlot* slots = inline_slots;
  if (regs.size() > kInlineExtArgs) {
    heap.reset(new ExtArgSlot[regs.size()]);
    slots = heap.get();
  }
  for (size_t i = 0; i < regs.size(); i++) slots[i].v = &regs[i];
  f(ext::Args(slots, regs.size(), sizeof(ExtArgSlot)));
}

// A register-like copy of an argument view that borrows its bytes (valid
// while the view is), keeping the subtype: for code that hands module
// arguments on to the kernel (json_each's filter, C virtual tables).
inline vm::Value borrow_ext_value(const ext::ValueView& v) {
  vm::Value out;
  switch (v.type()) {
    case Type::kInteger:
      out.set_int(v.as_int64());
      break;
    case Type::kReal:
      out.set_real(v.as_double());
      break;
    case Type::kText:
      out.set_text_ref(v.text());
      break;
    case Type::kBlob:
      out.set_blob_ref(v.blob());
      break;
    case Type::kNull:
      break;
  }
  out.set_subtype(static_cast<uint8_t>(v.subtype()));
  return out;
}

}  // namespace keel::func
