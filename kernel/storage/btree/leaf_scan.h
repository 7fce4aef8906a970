// Reading a table b-tree's leaves from several threads at once, for a scan
// the VM splits across worker threads (vm/topn_prescan.h).
//
// The pager and the b-tree cursors are used by one thread at a time. This
// facility lets worker threads read a table while the connection's thread
// waits for them, under two rules:
//   1. table_leaves() runs on the connection's thread, before the workers
//      start: it walks the interior pages (pinning them as any read does)
//      and returns the leaf page numbers in rowid order.
//   2. While workers run, the connection's thread makes no pager or b-tree
//      call. A TableLeafReader then only looks pages up in the page cache
//      (load(): Pager::peek, no pin, no LRU change, no file read), which is
//      safe from any number of threads as long as nothing changes the
//      cache. A leaf that is not cached is reported as such, not read.
//   3. Once the workers are done, the connection's thread may read the
//      leaves they could not (load_pinned(): an ordinary page fetch).
// Every page is validated before its cells are trusted (a corrupt page is
// rc::kCorrupt, never a wild read).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "keel/status.hpp"
#include "storage/btree/btree.h"

namespace keel::storage {

namespace bt {
struct MemPage;
}

// The leaf pages of the table b-tree rooted at `root`, in rowid order
// (appended to *leaves). rc::kCorrupt for an index tree, a cycle or a tree
// deeper than any valid file allows.
Status table_leaves(Btree& btree, PageNo root, std::vector<PageNo>* leaves);

// One thread's reader of table leaves (rule 2 above).
class TableLeafReader {
 public:
  explicit TableLeafReader(Btree& btree);
  ~TableLeafReader();

  // Points the reader at leaf `pgno`. false if the page is not in the page
  // cache; rc::kCorrupt if it is not a well-formed table leaf.
  Result<bool> load(PageNo pgno);
  // The same through the pager, reading the page if needed and pinning it
  // until the next load (rule 3: the connection's thread only).
  Status load_pinned(PageNo pgno);
  int cell_count() const { return ncell_; }

  struct Cell {
    int64_t rowid = 0;
    std::span<const uint8_t> local;  // the payload bytes on the page
    uint32_t payload_size = 0;       // > local.size() when it overflows
  };
  // Cell i (0 <= i < cell_count()) of the loaded leaf.
  Status cell(int i, Cell* out) const;
  // Requests the first `bytes` of cell i's payload from memory (a CPU
  // prefetch, for the cell a few places ahead); never faults.
  void prefetch(int i, uint32_t bytes) const;

 private:
  Status parse(const uint8_t* d, PageNo pgno);

  Pager* pager_;
  PageRef pinned_;
  std::unique_ptr<bt::MemPage> leaf_;  // the geometry parse_cell_in needs
  uint32_t usable_ = 0;
  const uint8_t* data_ = nullptr;
  uint32_t hdr_ = 0;
  int ncell_ = 0;
};

}  // namespace keel::storage
