// The sorter's k-way merge: a tournament (winner) tree over merge sources.
//
// Layout: leaves_ is a power of two >= the number of sources; node i has
// children 2i and 2i+1; tree_[leaves_ + s] is source s (or -1 if s does
// not exist or is exhausted); every inner node holds the winner of its two
// children, so tree_[1] is the overall smallest current record. Replaying
// one leaf-to-root path after the winner advances costs log2(leaves_)
// comparisons, against about 2 log2(k) for a binary heap's sift-down.
#include <utility>

#include "keel/result_code.hpp"
#include "vm/sorter_internal.h"

namespace keel::vm::sorter {

MergeEngine::MergeEngine(RecordOrder& order, std::vector<std::unique_ptr<MergeSource>> sources)
    : order_(order), sources_(std::move(sources)) {
  while (leaves_ < sources_.size()) leaves_ *= 2;
  if (leaves_ < 2) leaves_ = 2;
  tree_.assign(2 * leaves_, -1);
}

int MergeEngine::play(int a, int b) {
  if (a < 0) return b;
  if (b < 0) return a;
  // The left subtree holds lower-numbered sources: it wins ties.
  MergeSource& sb = *sources_[static_cast<size_t>(b)];
  int c = order_.compare(sources_[static_cast<size_t>(a)]->key(), sb.key(), sb.cache());
  return c <= 0 ? a : b;
}

Status MergeEngine::check_order() const {
  if (order_.error()) return Status(order_.error());
  return Status::Ok();
}

Status MergeEngine::init() {
  for (size_t s = 0; s < sources_.size(); s++) {
    order_.init_cache(sources_[s]->cache());
    KEEL_RETURN_IF_ERROR(sources_[s]->advance(order_));
    tree_[leaves_ + s] = sources_[s]->eof() ? -1 : static_cast<int>(s);
  }
  for (size_t i = leaves_ - 1; i >= 1; i--) tree_[i] = play(tree_[2 * i], tree_[2 * i + 1]);
  return check_order();
}

Status MergeEngine::next() {
  if (eof()) return Status::Ok();
  size_t s = static_cast<size_t>(tree_[1]);
  MergeSource& src = *sources_[s];
  KEEL_RETURN_IF_ERROR(src.advance(order_));
  size_t i = leaves_ + s;
  tree_[i] = src.eof() ? -1 : static_cast<int>(s);
  for (i /= 2; i >= 1; i /= 2) tree_[i] = play(tree_[2 * i], tree_[2 * i + 1]);
  return check_order();
}

}  // namespace keel::vm::sorter
