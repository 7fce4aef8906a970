// json_each and json_tree as eponymous table-valued functions: the kernel's
// own users of the virtual-table extension point (keel/ext/virtual_table.hpp).
// The rows come from JsonEach (json_each.h); this file adapts it to
// VirtualTableModule / VirtualTable / VirtualCursor with SQLite 3.40's
// xBestIndex (json = ? required when usable, root = ? optional).
#pragma once

#include <memory>

#include "keel/ext/virtual_table.hpp"

namespace keel::func {

// tree = false: json_each; true: json_tree.
std::shared_ptr<ext::VirtualTableModule> make_json_each_module(bool tree);

}  // namespace keel::func
