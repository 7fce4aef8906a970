// ValueView::to_value (keel/ext/function.hpp): an owned keel::Value copy of
// an argument. Kept apart from ext_values.cpp because keel::Value's
// out-of-line members live in the SDK library: only programs linking libkeel
// (where module code runs) pull this object in.
#include "keel/ext/function.hpp"

namespace keel::ext {

Value ValueView::to_value() const {
  switch (type()) {
    case Type::kNull:
      return Value();
    case Type::kInteger:
      return Value(as_int64());
    case Type::kReal:
      return Value(as_double());
    case Type::kText:
      return Value(text());
    case Type::kBlob:
      return Value::blob(blob());
  }
  return Value();
}


}  // namespace keel::ext
