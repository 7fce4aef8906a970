// The per-thread nonce pool; see nonce_source.h.
#include "nonce_source.h"

#include <pthread.h>
#include <sodium.h>

#include <atomic>
#include <cstring>
#include <mutex>

namespace keel::crypto {

namespace {

std::atomic<uint64_t> g_generation{1};

void after_fork_in_child() { g_generation.fetch_add(1, std::memory_order_relaxed); }

struct Pool {
  static constexpr size_t kSize = 4096;
  uint8_t bytes[kSize];
  size_t pos = kSize;  // empty
  uint64_t generation = 0;
};

thread_local Pool t_pool;

}  // namespace

void fill_nonce(uint8_t* out, size_t n) {
  static std::once_flag once;
  std::call_once(once, [] { pthread_atfork(nullptr, nullptr, after_fork_in_child); });
  Pool& p = t_pool;
  uint64_t gen = g_generation.load(std::memory_order_relaxed);
  if (p.generation != gen || p.pos + n > Pool::kSize) {
    randombytes_buf(p.bytes, Pool::kSize);
    p.pos = 0;
    p.generation = gen;
  }
  std::memcpy(out, p.bytes + p.pos, n);
  // Each byte is handed out once.
  std::memset(p.bytes + p.pos, 0, n);
  p.pos += n;
}

}  // namespace keel::crypto
