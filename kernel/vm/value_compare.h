// Ordering of Values (sqlite3MemCompare): the order used by ORDER BY, index
// keys, comparison operators, min()/max() and DISTINCT.
//
//   NULL < INTEGER/REAL < TEXT < BLOB
//
// INTEGER against REAL compares the exact mathematical values (so
// 9007199254740993 > 9007199254740992.0). TEXT against TEXT uses the
// collation (nullptr = BINARY). BLOB against BLOB is memcmp then length (a
// zero-blob compares as its zero bytes).
#pragma once

#include "vm/collation.h"
#include "vm/value.h"

namespace keel::vm {

// <0, 0, >0. Two NULLs compare equal here; SQL's "NULL = NULL is NULL" is the
// caller's business.
int compare_values(const Value& a, const Value& b, const Collation* coll = nullptr);

// sqlite3BlobCompare: memcmp over the common length, then length; zero-blobs
// handled without expanding them.
int compare_blobs(const Value& a, const Value& b);

}  // namespace keel::vm
