// Internals shared by the foreign key files (foreign_key.cpp: checks and
// actions; foreign_key_check.cpp: PRAGMA foreign_key_check).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "plan/plan_internal.h"

namespace keel::plan::fk {

// The parent key of a constraint: the parent's index (nullptr: its
// INTEGER PRIMARY KEY) and, per key column, the parent and child columns.
struct ParentKey {
  const Index* index = nullptr;
  std::vector<int> parent_cols;
  std::vector<int> child_cols;
};

// sqlite3FkLocateIndex: the parent key of `fk`, or "foreign key mismatch -
// "child" referencing "parent"".
Result<ParentKey> locate_parent_key(const Table* parent, const Table* child, const ForeignKey& fk);
// The affinities of the first `n` columns of `idx` (a parent key's), as
// applied to child values before a lookup.
std::string index_affinity(const Index* idx, const Table* parent, int n);
// A FROM term scanning table `t` with a new cursor.
std::unique_ptr<FromTerm> table_term(CodeGen& g, Table* t);

}  // namespace keel::plan::fk
