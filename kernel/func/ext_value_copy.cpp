// ValueView::to_value (keel/ext/function.hpp): an owned keel::Value copy of
// a register. Kept apart from ext_values.cpp because keel::Value's
// out-of-line members live in the SDK library: only programs linking libkeel
// (where module code runs) pull this object in.
#include "keel/ext/function.hpp"
#include "vm/value.h"

namespace keel::ext {

keel::Value ValueView::to_value() const {
  const vm::Value& v = *static_cast<const vm::Value*>(v_);
  switch (v.type()) {
    case vm::ValueType::kInteger:
      return keel::Value(v.int_value());
    case vm::ValueType::kReal:
      return keel::Value(v.real_value());
    case vm::ValueType::kText:
      return keel::Value(std::string(v.text()));
    case vm::ValueType::kBlob: {
      if (v.is_zeroblob()) return keel::Value(Blob(static_cast<size_t>(v.size()), 0));
      auto b = v.blob();
      return keel::Value(Blob(b.begin(), b.end()));
    }
    default:
      return keel::Value();
  }
}

}  // namespace keel::ext
