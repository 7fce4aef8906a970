#include "vm/program.h"

#include "func/function.h"
#include "vm/printf.h"

namespace keel::vm {

const char* Program::own_string(std::string_view s) {
  strings_.emplace_back(s);
  return strings_.back().c_str();
}

const KeyInfo* Program::own_key_info(std::unique_ptr<KeyInfo> ki) {
  key_infos_.push_back(std::move(ki));
  return key_infos_.back().get();
}

const int32_t* Program::own_ints(std::vector<int32_t> v) {
  v.insert(v.begin(), static_cast<int32_t>(v.size()));
  int_arrays_.push_back(std::move(v));
  return int_arrays_.back().data();
}

const Program* Program::own_program(std::unique_ptr<Program> p) {
  programs_.push_back(std::move(p));
  return programs_.back().get();
}

const Value* Program::own_value(const Value& v) {
  values_.emplace_back();
  values_.back().copy_from(v);
  return &values_.back();
}

std::string Program::p4_text(const Instr& in) const {
  switch (in.p4type) {
    case P4Type::kNone: return "";
    case P4Type::kInt32: return std::to_string(in.p4.i);
    case P4Type::kInt64: return std::to_string(in.p4.i64);
    case P4Type::kReal: return format("%.16g", in.p4.real);
    case P4Type::kString: return std::string(in.p4.str, in.p4n);
    case P4Type::kBlob: return "(blob)";
    case P4Type::kAffinity: return in.p4.str ? in.p4.str : "";
    case P4Type::kKeyInfo: {
      // SQLite: k(N,B,-NOCASE,...) — one entry per key field, "-" for DESC.
      const KeyInfo* ki = in.p4.key_info;
      std::string out = "k(" + std::to_string(ki->n_all_field);
      for (size_t i = 0; i < ki->n_all_field; i++) {
        out += ',';
        if (ki->flags(i) & kSortDesc) out += '-';
        const Collation* c = ki->collation(i);
        out += c ? std::string(c->name()) : std::string("B");
      }
      return out + ")";
    }
    case P4Type::kFunction: return in.p4.func->name + "(" + std::to_string(in.p5) + ")";
    case P4Type::kCollation: return "" + std::string(in.p4.coll->name());
    case P4Type::kIntArray: {
      std::string out = "[";
      for (int i = 0; i < in.p4.ints[0]; i++) {
        if (i) out += ',';
        out += std::to_string(in.p4.ints[1 + i]);
      }
      return out + "]";
    }
    case P4Type::kProgram: return "program";
    case P4Type::kPointer: return "";
    case P4Type::kValue: return in.p4.value->debug_string();
  }
  return "";
}

}  // namespace keel::vm
