// JsonEach (see json_each.h): SQLite 3.40's json_each/json_tree cursor.
//
// The cursor walks node indexes. For json_each over a container it steps
// from child to child (skipping subtrees), for json_tree it visits every
// node, stepping over labels; type_ is the container type of the current
// row's parent, which decides whether the key is a label or an index. While
// json_tree walks an array it keeps the current element index in the array
// node's u.key, which fullkey and path read back; arrays above the starting
// node keep u.key = 0, hence SQLite's "[0]" for them.
#include "func/json_each.h"

#include "vm/printf.h"

namespace keel::func {

using json::JsonNode;
using json::node_size;

void JsonEach::reset() {
  row_ = 0;
  begin_ = 0;
  i_ = 0;
  end_ = 0;
  type_ = 0;
  json_.clear();
  root_.clear();
  has_root_ = false;
  nodes_.clear();
  up_.clear();
}

Status JsonEach::start(vm::Value* json, vm::Value* root) {
  reset();
  if (json == nullptr || json->is_null()) return Status::Ok();
  vm::NumberText nt;
  if (json->is_zeroblob()) json->expand_zeroblob();
  std::string_view text = json->as_text(nt);
  json_.assign(text.substr(0, text.find('\0')));
  if (!json::parse_json(json_.c_str(), nodes_)) {
    reset();
    return Status(rc::kError, "malformed JSON");
  }
  if (tree_) json::find_parents(nodes_, up_);
  uint32_t node = 0;
  if (root != nullptr) {
    if (root->is_null()) {
      nodes_.clear();  // no rows (end_ stays 0)
      return Status::Ok();
    }
    vm::NumberText nt2;
    if (root->is_zeroblob()) root->expand_zeroblob();
    std::string_view r = root->as_text(nt2);
    root_.assign(r.substr(0, r.find('\0')));
    has_root_ = true;
    if (root_.empty() || root_[0] != '$') {
      std::string msg = json::path_error_message(root_, 0);
      reset();
      return Status(rc::kError, msg);
    }
    json::PathLookup pl{nodes_, root_, nullptr};
    node = pl.step(0, 1);
    if (pl.error != std::string_view::npos) {
      std::string msg = json::path_error_message(root_, pl.error);
      reset();
      return Status(rc::kError, msg);
    }
    if (node == json::PathLookup::kNone) return Status::Ok();
  }
  begin_ = i_ = node;
  type_ = nodes_[node].type;
  if (type_ >= json::kArray) {
    nodes_[node].u.key = 0;
    end_ = i_ + nodes_[node].n + 1;
    if (tree_) {
      type_ = nodes_[up_[i_]].type;
      if (i_ > 0 && (nodes_[i_ - 1].flags & json::kLabel)) i_--;
    } else {
      i_++;
    }
  } else {
    end_ = i_ + 1;
  }
  return Status::Ok();
}

void JsonEach::next() {
  if (tree_) {
    if (nodes_[i_].flags & json::kLabel) i_++;
    i_++;
    row_++;
    if (i_ < end_) {
      uint32_t up = up_[i_];
      JsonNode& parent = nodes_[up];
      type_ = parent.type;
      if (parent.type == json::kArray) {
        if (up == i_ - 1) {
          parent.u.key = 0;
        } else {
          parent.u.key++;
        }
      }
    }
    return;
  }
  switch (type_) {
    case json::kArray:
      i_ += node_size(nodes_[i_]);
      row_++;
      break;
    case json::kObject:
      i_ += 1 + node_size(nodes_[i_ + 1]);
      row_++;
      break;
    default:
      i_ = end_;
      break;
  }
}

void JsonEach::compute_path(std::string& out, uint32_t i) const {
  if (i == 0) {
    out.push_back('$');
    return;
  }
  uint32_t up = up_[i];
  compute_path(out, up);
  const JsonNode* node = &nodes_[i];
  const JsonNode& parent = nodes_[up];
  if (parent.type == json::kArray) {
    vm::append_format(out, "[%d]", static_cast<int>(parent.u.key));
  } else {
    if ((node->flags & json::kLabel) == 0) node--;
    json::append_label_path(out, *node);
  }
}

Status JsonEach::column(int col, vm::Value& out, int64_t max_length) const {
  out.set_null();
  const JsonNode* self = &nodes_[i_];
  bool too_big = false;
  auto text_result = [&](std::string_view s) {
    if (static_cast<int64_t>(s.size()) > max_length) {
      too_big = true;
    } else {
      out.set_text(s);
    }
  };
  switch (col) {
    case kKey:
      if (i_ == 0) break;
      if (type_ == json::kObject) {
        json::node_to_value(self, out, max_length, &too_big);
      } else if (type_ == json::kArray) {
        uint32_t key;
        if (tree_) {
          if (row_ == 0) break;
          key = nodes_[up_[i_]].u.key;
        } else {
          key = row_;
        }
        out.set_int(key);
      }
      break;
    case kValue:
      if (self->flags & json::kLabel) self++;
      json::node_to_value(self, out, max_length, &too_big);
      break;
    case kType:
      if (self->flags & json::kLabel) self++;
      out.set_text_ref(json::kTypeName[self->type]);
      break;
    case kAtom:
      if (self->flags & json::kLabel) self++;
      if (self->type >= json::kArray) break;
      json::node_to_value(self, out, max_length, &too_big);
      break;
    case kId:
      out.set_int(static_cast<int64_t>(i_) + ((self->flags & json::kLabel) != 0));
      break;
    case kParent:
      if (i_ > begin_ && tree_) out.set_int(up_[i_]);
      break;
    case kFullkey: {
      std::string s;
      if (tree_) {
        compute_path(s, i_);
      } else {
        if (has_root_) {
          s = root_;
        } else {
          s.push_back('$');
        }
        if (type_ == json::kArray) {
          vm::append_format(s, "[%d]", static_cast<int>(row_));
        } else if (type_ == json::kObject) {
          json::append_label_path(s, *self);
        }
      }
      text_result(s);
      break;
    }
    case kPath:
      if (tree_) {
        std::string s;
        compute_path(s, up_[i_]);
        text_result(s);
        break;
      }
      [[fallthrough]];
    case kRoot:
      text_result(has_root_ ? std::string_view(root_) : std::string_view("$"));
      break;
    case kJson:
      text_result(json_);
      break;
    default:
      break;
  }
  if (too_big) {
    out.set_null();
    return Status(rc::kTooBig, "string or blob too big");
  }
  return Status::Ok();
}

}  // namespace keel::func
