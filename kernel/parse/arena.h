// Arena: the bump allocator that owns every AST node of a parse.
//
// A parse allocates its nodes, lists and dequoted names here and frees them
// all at once when the arena is reset or destroyed. Nothing allocated in an
// arena has its destructor run, so only trivially destructible types may be
// placed in it (enforced by make<T>()).
//
// Thread-safety: none; one arena per parse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>

namespace keel::parse {

class Arena {
 public:
  explicit Arena(size_t first_block_size = 8192) : next_block_size_(first_block_size) {}
  ~Arena() { release(); }
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Uninitialized storage for n bytes aligned to `align` (a power of two).
  void* allocate(size_t n, size_t align = alignof(std::max_align_t)) {
    uintptr_t p = (reinterpret_cast<uintptr_t>(cur_) + (align - 1)) & ~(uintptr_t{align} - 1);
    if (cur_ == nullptr || p + n > reinterpret_cast<uintptr_t>(end_)) return allocate_slow(n, align);
    cur_ = reinterpret_cast<char*>(p + n);
    return reinterpret_cast<void*>(p);
  }

  template <typename T, typename... Args>
  T* make(Args&&... args) {
    static_assert(std::is_trivially_destructible_v<T>, "arena objects are never destroyed");
    return new (allocate(sizeof(T), alignof(T))) T{std::forward<Args>(args)...};
  }

  template <typename T>
  T* make_array(size_t n) {
    static_assert(std::is_trivially_destructible_v<T>, "arena objects are never destroyed");
    T* p = static_cast<T*>(allocate(sizeof(T) * (n ? n : 1), alignof(T)));
    for (size_t i = 0; i < n; ++i) new (p + i) T();
    return p;
  }

  // A copy of s owned by the arena.
  std::string_view copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = static_cast<char*>(allocate(s.size(), 1));
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

  // Frees every block but the first, which is kept for reuse.
  void reset();
  // Bytes handed out since construction or the last reset (for tests and stats).
  size_t bytes_used() const { return used_ + static_cast<size_t>(cur_ - block_begin_); }

 private:
  struct Block {
    Block* prev;
    size_t size;
  };
  void* allocate_slow(size_t n, size_t align);
  void release();

  Block* head_ = nullptr;
  char* block_begin_ = nullptr;
  char* cur_ = nullptr;
  char* end_ = nullptr;
  size_t next_block_size_;
  size_t used_ = 0;
};

}  // namespace keel::parse
