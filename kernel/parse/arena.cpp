#include "parse/arena.h"

#include <cstdlib>

namespace keel::parse {

void* Arena::allocate_slow(size_t n, size_t align) {
  used_ += static_cast<size_t>(cur_ - block_begin_);
  size_t need = n + align + sizeof(Block);
  size_t size = next_block_size_;
  while (size < need) size *= 2;
  if (next_block_size_ < (size_t{1} << 20)) next_block_size_ *= 2;
  auto* b = static_cast<Block*>(std::malloc(size));
  if (b == nullptr) std::abort();  // out of memory while parsing: nothing sensible to unwind to
  b->prev = head_;
  b->size = size;
  head_ = b;
  block_begin_ = reinterpret_cast<char*>(b + 1);
  cur_ = block_begin_;
  end_ = reinterpret_cast<char*>(b) + size;
  return allocate(n, align);
}

void Arena::release() {
  while (head_ != nullptr) {
    Block* prev = head_->prev;
    std::free(head_);
    head_ = prev;
  }
  block_begin_ = cur_ = end_ = nullptr;
}

void Arena::reset() {
  if (head_ == nullptr) return;
  while (head_->prev != nullptr) {
    Block* prev = head_->prev;
    std::free(head_);
    head_ = prev;
  }
  block_begin_ = reinterpret_cast<char*>(head_ + 1);
  cur_ = block_begin_;
  end_ = reinterpret_cast<char*>(head_) + head_->size;
  used_ = 0;
}

}  // namespace keel::parse
