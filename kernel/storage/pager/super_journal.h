// Super-journal (SQLite's "master journal"): what makes a transaction that
// wrote several database files in rollback-journal mode commit atomically.
//
// Design note (after sqlite/src/vdbeaux.c vdbeCommit and pager.c)
//
// Commit of a transaction that changed N >= 2 files (not counting temp or
// in-memory databases, nor databases in WAL, MEMORY or OFF journal mode, nor
// synchronous = OFF):
//   1. create <main database>-mjXXXXXX9XX (random hex, a name that does not
//      exist yet) holding the full path of every journal, each followed by a
//      NUL byte; fsync it;
//   2. phase one on every database: append the super-journal's name to its
//      journal (trailer, see journal_format.h), fsync the journal, write the
//      pages into the database file, fsync the database;
//   3. delete the super-journal (and fsync the directory): the commit point;
//   4. phase two on every database: finalize its journal (delete, truncate,
//      zero the header) and drop the locks.
// Recovery: a hot journal whose trailer names a super-journal that no longer
// exists belongs to a committed transaction: it is finalized without being
// played back. If the super-journal still exists the journal is played back,
// and afterwards the super-journal is deleted once no journal it lists still
// names it (SQLite's pager_delsuper).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "keel/status.hpp"
#include "os/vfs.h"

namespace keel::storage::super_journal {

// Steps 1 above: picks a fresh name beside `main_path` (SQLite's
// "<main>-mj%06X9%02X"), writes the journal names and syncs the file unless
// `sync` is false. Returns the name.
Result<std::string> create(os::Vfs& vfs, std::string_view main_path, const std::vector<std::string>& journals,
                           bool sync);

// Step 3: deletes the super-journal, syncing the directory.
Status remove(os::Vfs& vfs, std::string_view name);

// Deletes super-journal `name` unless some journal it lists still exists and
// names it in its trailer. A missing or unreadable super-journal is left
// alone (OK).
Status delete_if_unused(os::Vfs& vfs, std::string_view name);

}  // namespace keel::storage::super_journal
