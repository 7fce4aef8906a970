// The scan path allocates nothing: a distance between two BLOB arguments
// (every type, every metric) makes no heap allocation. Counted by replacing
// the global operator new in this test binary.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "test_support.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// The replacement pair is malloc/free underneath; GCC cannot see that the
// operator delete below only ever receives this operator new's pointers.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace keel::vector {
namespace {

using namespace testing;

TEST(VectorAlloc, DistanceOnBlobsAllocatesNothing) {
  std::mt19937 rng(2);
  for (VectorType t : {VectorType::kFloat32, VectorType::kFloat64, VectorType::kFloat1Bit,
                       VectorType::kFloat8, VectorType::kFloat32Sparse}) {
    auto make = [&] {
      RecordingSink s;
      auto v = random_f32(rng, 384);
      EXPECT_TRUE(fn_make_vector(t, SqlArg::blob(f32_blob(v)), s).ok());
      return s.blob;
    };
    auto a = make(), b = make();
    for (Metric m : {Metric::kCos, Metric::kL2, Metric::kDot, Metric::kJaccard}) {
      if (t == VectorType::kFloat1Bit && m == Metric::kL2) continue;  // an error, which allocates its message
      RecordingSink out;
      const long before = g_allocations.load();
      for (int i = 0; i < 100; i++)
        ASSERT_TRUE(fn_vector_distance(m, SqlArg::blob(a), SqlArg::blob(b), out).ok());
      EXPECT_EQ(g_allocations.load() - before, 0) << type_name(t) << " metric " << int(m);
    }
  }
}

}  // namespace
}  // namespace keel::vector
