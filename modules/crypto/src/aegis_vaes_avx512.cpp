// AEGIS-128X4 and AEGIS-256X4: four AEGIS lanes per 512-bit register with
// VAES. Built with -mvaes -mavx512f -maes; run only after
// check_cpu_support().
#include <immintrin.h>

#include "aegis.h"
#include "aegis_core.h"

namespace keel::crypto::aegis {
namespace {

struct Lanes4 {
  using T = __m512i;
  static constexpr size_t kLanes = 4;
  static T load(const uint8_t* p) { return _mm512_loadu_si512(p); }
  static void store(uint8_t* p, T v) { _mm512_storeu_si512(p, v); }
  // Through memory rather than _mm512_broadcast_i32x4, whose GCC 12 header
  // trips -Wuninitialized; only initialization and finalization broadcast.
  static T broadcast(const uint8_t* p) {
    alignas(64) uint8_t b[64];
    for (int i = 0; i < 4; ++i) std::memcpy(b + 16 * i, p, 16);
    return load(b);
  }
  static T aes(T a, T rk) { return _mm512_aesenc_epi128(a, rk); }
  static T x(T a, T b) { return _mm512_xor_si512(a, b); }
  static T a(T p, T q) { return _mm512_and_si512(p, q); }
};

}  // namespace

const Functions kAegis128X4 = {encrypt_128x<Lanes4>, decrypt_128x<Lanes4>};
const Functions kAegis256X4 = {encrypt_256x<Lanes4>, decrypt_256x<Lanes4>};

namespace testing {

void init_128x4(const uint8_t key[16], const uint8_t nonce[16], uint8_t* out) {
  State128<Lanes4> st;
  st.init(key, nonce);
  dump_state<Lanes4>(st.s, 8, out);
}

void init_256x4(const uint8_t key[32], const uint8_t nonce[32], uint8_t* out) {
  State256<Lanes4> st;
  st.init(key, nonce);
  dump_state<Lanes4>(st.s, 6, out);
}

}  // namespace testing
}  // namespace keel::crypto::aegis
