// AEGIS-128X2 and AEGIS-256X2: two AEGIS lanes per 256-bit register with
// VAES. Built with -mvaes -mavx2 -maes; run only after check_cpu_support().
#include <immintrin.h>

#include "aegis.h"
#include "aegis_core.h"

namespace keel::crypto::aegis {
namespace {

struct Lanes2 {
  using T = __m256i;
  static constexpr size_t kLanes = 2;
  static T load(const uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static void store(uint8_t* p, T v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  static T broadcast(const uint8_t* p) {
    return _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static T aes(T a, T rk) { return _mm256_aesenc_epi128(a, rk); }
  static T x(T a, T b) { return _mm256_xor_si256(a, b); }
  static T a(T p, T q) { return _mm256_and_si256(p, q); }
};

}  // namespace

const Functions kAegis128X2 = {encrypt_128x<Lanes2>, decrypt_128x<Lanes2>};
const Functions kAegis256X2 = {encrypt_256x<Lanes2>, decrypt_256x<Lanes2>};

namespace testing {

void init_128x2(const uint8_t key[16], const uint8_t nonce[16], uint8_t* out) {
  State128<Lanes2> st;
  st.init(key, nonce);
  dump_state<Lanes2>(st.s, 8, out);
}

void init_256x2(const uint8_t key[32], const uint8_t nonce[32], uint8_t* out) {
  State256<Lanes2> st;
  st.init(key, nonce);
  dump_state<Lanes2>(st.s, 6, out);
}

}  // namespace testing
}  // namespace keel::crypto::aegis
