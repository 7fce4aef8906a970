// The b-tree layer: SQLite's table and index b-trees on top of the pager.
//
// A database file holds many b-trees, each named by its root page number.
// Table b-trees (rowid tables) map a signed 64-bit rowid to a payload (an
// SQLite record); index b-trees hold keys only (a record, compared through a
// KeyComparator the caller supplies) and also serve WITHOUT ROWID tables.
// Pages, cells, overflow chains, the freelist and pointer maps are laid out
// byte for byte as SQLite lays them out; see FORMAT.md beside this file.
//
// Who calls what: the VM opens a Btree over a Pager, wraps statements in
// begin_read/begin_write ... commit/rollback, creates and drops trees, and
// moves BtCursors over them. Cursors read payloads in place (no allocation
// per row): payload_local() is the on-page prefix, read_payload() fetches any
// range, crossing overflow pages.
//
// Header ownership: the pager owns page size, versions, reserved bytes,
// change counter, database size, version-valid-for and version number; the
// b-tree owns every other page-1 header field and exposes them as "meta"
// values (get_meta / set_meta), numbered as SQLite's sqlite3BtreeGetMeta.
//
// Errors: every fallible call returns Status / Result. Bytes read from disk
// are never trusted: malformed pages give rc::kCorrupt ("database disk image
// is malformed"), never a crash.
//
// Thread-safety: a Btree and its cursors belong to one connection; not
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "keel/status.hpp"
#include "storage/pager/pager.h"

namespace keel::storage {

namespace bt {
struct BtShared;
struct CursorState;
}  // namespace bt

// Compares a stored index key against a probe key the comparator already
// knows (the VM implements it with SQLite's record comparison, collations
// and DESC columns). Returns <0 if the stored key sorts before the probe,
// 0 if equal, >0 if after. A comparator may return non-zero for equal
// prefixes to steer a seek to the first/last matching entry.
class KeyComparator {
 public:
  virtual ~KeyComparator() = default;
  virtual int compare(const uint8_t* key, size_t size) const = 0;
};

// The sort order of one index b-tree, over two complete stored keys. A
// cursor needs it to find its place again after another cursor changed the
// same tree, and for default index inserts.
class KeyOrder {
 public:
  virtual ~KeyOrder() = default;
  virtual int compare_keys(const uint8_t* a, size_t na, const uint8_t* b, size_t nb) const = 0;
};

enum class TreeKind : uint8_t { kTable, kIndex };

enum class AutoVacuum : uint8_t { kNone = 0, kFull = 1, kIncremental = 2 };

// Page-1 header meta values, numbered as SQLite's BTREE_* meta indexes; the
// value lives at header offset 36 + 4 * index.
enum class Meta : int {
  kFreePageCount = 0,  // read-only: freelist page count (offset 36)
  kSchemaCookie = 1,   // offset 40
  kSchemaFormat = 2,   // offset 44
  kDefaultCacheSize = 3,
  kLargestRootPage = 4,  // non-zero <=> auto_vacuum (offset 52)
  kTextEncoding = 5,
  kUserVersion = 6,
  kIncrementalVacuum = 7,  // offset 64
  kApplicationId = 8,      // offset 68
};

// Where a seek left the cursor, relative to the probe: on an entry that
// sorts before it, on an equal entry, or on one after it. After a seek on an
// empty tree the cursor is at eof().
enum class SeekResult : int8_t { kLess = -1, kFound = 0, kGreater = 1 };

// Hints for inserts.
enum class InsertHint : uint8_t {
  kNone,
  // The new entry most likely sorts after every existing entry (sequential
  // rowids, index keys from a sorter): if the cursor sits on the last entry
  // and it is smaller, the seek is skipped. SQLite's BTREE_APPEND.
  kAppend,
  // The cursor was just positioned by a seek for this very key: reuse that
  // outcome instead of seeking again. SQLite's BTREE_USESEEKRESULT.
  kUseSeekResult,
};

class BtCursor;

class Btree {
 public:
  // The pager must outlive the Btree. Reads nothing until a transaction starts.
  static Result<std::unique_ptr<Btree>> open(Pager& pager);
  ~Btree();
  Btree(const Btree&) = delete;
  Btree& operator=(const Btree&) = delete;

  Pager& pager();

  // --- transactions (wrap the pager; keep cursors and cached header state right)
  Status begin_read();
  // Starts a write transaction; on an empty file writes page 1 (header plus an
  // empty sqlite_schema table leaf).
  Status begin_write(bool exclusive = false);
  // Runs the auto-vacuum pass first when auto_vacuum is FULL. Open cursors
  // keep their positions across commit and rollback (they re-seek).
  Status commit();
  // commit() in the pager's two phases (Pager::commit_phase_one/two), for a
  // transaction over several databases.
  Status commit_phase_one(std::string_view super_journal);
  Status commit_phase_two();
  Status rollback();
  void end_read();
  Result<int> open_savepoint();
  Status release_savepoint(int depth);
  Status rollback_to_savepoint(int depth);

  uint32_t page_size() const;
  uint32_t usable_size() const;
  // Pages in the database image of the current transaction.
  PageNo page_count() const;

  AutoVacuum auto_vacuum() const;
  // Only while no table beyond sqlite_schema exists (as PRAGMA auto_vacuum on
  // a new database); otherwise rc::kError. Requires a write transaction.
  Status set_auto_vacuum(AutoVacuum mode);

  Result<uint32_t> get_meta(Meta which);
  Status set_meta(Meta which, uint32_t value);  // not kFreePageCount

  // Creates an empty tree and returns its root page. Under auto_vacuum the
  // root goes right after the largest root page, moving whatever page was
  // there (SQLite's rule, which keeps roots at the front of the file).
  Result<PageNo> create_table(TreeKind kind);
  // Frees every page of the tree. Under auto_vacuum the tree with the largest
  // root page is moved into the freed root slot; returns that tree's old root
  // page number (whose schema entry must now say `root`), or 0.
  Result<PageNo> drop_table(PageNo root);
  // Deletes every entry, keeping the (now empty) root. Returns the number of
  // entries deleted (table leaf cells, or all index cells).
  Result<int64_t> clear_table(PageNo root);

  // Moves up to `pages` pages (0 = all) off the end of an incremental
  // auto-vacuum file into free slots and truncates it. Returns pages freed.
  Result<uint32_t> incremental_vacuum(uint32_t pages);

  // The b-tree half of PRAGMA integrity_check over the given roots: SQLite's
  // messages, empty when the file is sound. Stops after max_errors messages.
  // orders[i], when given and not null, is the KeyOrder of index tree
  // roots[i]: its keys are then also checked to be strictly increasing
  // ("Index key out of order"; SQLite leaves this to the index pass).
  Result<std::vector<std::string>> integrity_check(std::span<const PageNo> roots, int max_errors = 100,
                                                   std::span<const KeyOrder* const> orders = {});

  // Internals, for this layer's own code and tests.
  bt::BtShared& shared() { return *s_; }

 private:
  Btree();
  Status save_all_cursors();
  std::unique_ptr<bt::BtShared> s_;
};

// A position in one b-tree. Open on a root page; a cursor on an index tree
// needs the tree's KeyOrder if it writes or lives across writes by other
// cursors. After a write through one cursor, other cursors on the same tree
// keep their logical position (they re-seek lazily). A cursor must not be
// used after its Btree is destroyed (it may still be destroyed itself).
class BtCursor {
 public:
  BtCursor(Btree& btree, PageNo root, bool writable, const KeyOrder* order = nullptr);
  ~BtCursor();
  BtCursor(const BtCursor&) = delete;
  BtCursor& operator=(const BtCursor&) = delete;

  PageNo root() const;
  // True for a rowid table, false for an index tree. Known after the first
  // positioning call.
  bool is_table() const;

  // --- positioning: each leaves eof() true when there is no such entry.
  // next()/prev() past either end return OK with eof() true.
  Status first();
  Status last();
  Status next();
  Status prev();
  bool eof() const;
  Result<SeekResult> seek_rowid(int64_t rowid);
  Result<SeekResult> seek_key(const KeyComparator& probe);
  // Re-seeks after another cursor changed the tree (other calls do it
  // themselves). Sets *still_there to whether the saved entry still exists.
  Status restore(bool* still_there = nullptr);
  bool needs_restore() const;

  // --- the current entry (cursor valid: !eof() and !needs_restore()).
  // These read the page in place; on a corrupt cell they return 0 / empty
  // and read_payload() reports rc::kCorrupt.
  int64_t rowid() const;
  uint32_t payload_size() const;
  // The payload bytes stored on the page (all of it unless it overflows);
  // for index trees the payload is the key.
  std::span<const uint8_t> payload_local() const;
  // Copies payload bytes [offset, offset+n) into buf, reading overflow pages
  // as needed (a per-cursor cache of the chain makes later reads direct).
  Status read_payload(uint32_t offset, uint32_t n, uint8_t* buf);
  // A read-ahead hint for forward scans: the reader uses about the first
  // `bytes` bytes of each entry's payload, so next() requests that much of
  // an entry a few places ahead from memory (CPU prefetch) while the
  // current one is processed. Without a hint only the entry's first bytes
  // are requested. Changes nothing but timing.
  void set_readahead(uint32_t bytes);

  // --- changes (writable cursor, write transaction)
  // Table trees: inserts or replaces the row. The cursor ends on the new row
  // (re-seeked after a rebalance), so kAppend runs stay on the fast path.
  Status insert(int64_t rowid, std::span<const uint8_t> data, InsertHint hint = InsertHint::kNone);
  // Bulk load (SQLite's BTREE_BULKLOAD hint): the keys of the coming inserts
  // arrive in order, so a split leaves the left pages full instead of
  // evening out the siblings, and only the last two siblings take part.
  void set_bulk_load(bool on);
  // Index trees: inserts the key (an equal key is replaced). `probe` compares
  // against `key`; without it the cursor's KeyOrder is used.
  Status insert_key(std::span<const uint8_t> key, InsertHint hint = InsertHint::kNone,
                    const KeyComparator* probe = nullptr);
  // Deletes the current entry. Afterwards next()/prev() go to the entries
  // that followed/preceded it.
  Status remove();

  // Number of entries in the tree (walks every page). Leaves the cursor at
  // eof().
  Result<int64_t> count();
  // SQLite's sqlite3BtreeRowCountEst, for ANALYZE under analysis_limit: on a
  // leaf entry, the product of the cell counts of the pages from the root
  // down to it; -1 elsewhere.
  int64_t row_count_estimate() const;

  // Internals, for this layer's own code and tests.
  bt::CursorState& state() { return *c_; }

 private:
  std::unique_ptr<bt::CursorState> c_;
};

}  // namespace keel::storage
