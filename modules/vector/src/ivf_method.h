// The vector module's approximate-nearest-neighbour index and its query
// function, as SDK objects for the module to register:
//
//   CREATE INDEX i ON t USING vector (col) WITH (metric = 'cos', lists = 1024, probes = 16);
//   SELECT ... FROM t ORDER BY vector_distance_cos(col, ?) LIMIT 10;   -- routed to i
//   SELECT id FROM vector_top_k('i', ?, 10);                           -- libSQL's form
//
// The algorithm and storage are described in ivf_store.h and the module's
// README.
#pragma once

#include <memory>

#include "keel/ext/index_method.hpp"
#include "keel/ext/virtual_table.hpp"

namespace keel::vector {

// The `vector` index method (ivf_method.cpp).
std::shared_ptr<ext::IndexMethod> make_ivf_method();

// The eponymous table-valued function vector_top_k(index, vector, k), with
// columns id (the row's rowid) and HIDDEN distance (vector_top_k.cpp).
std::shared_ptr<ext::VirtualTableModule> make_vector_top_k();

}  // namespace keel::vector
