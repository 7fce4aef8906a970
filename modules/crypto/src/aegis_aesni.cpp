// AEGIS-128L and AEGIS-256 on AES-NI (one AES block per register). Built
// with -maes -msse4.1; run only after check_cpu_support().
#include <immintrin.h>

#include "aegis.h"
#include "aegis_core.h"

namespace keel::crypto::aegis {
namespace {

struct Lanes1 {
  using T = __m128i;
  static constexpr size_t kLanes = 1;
  static T load(const uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
  static void store(uint8_t* p, T v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }
  static T broadcast(const uint8_t* p) { return load(p); }
  static T aes(T a, T rk) { return _mm_aesenc_si128(a, rk); }
  static T x(T a, T b) { return _mm_xor_si128(a, b); }
  static T a(T p, T q) { return _mm_and_si128(p, q); }
};

}  // namespace

const Functions kAegis128L = {encrypt_128x<Lanes1>, decrypt_128x<Lanes1>};
const Functions kAegis256 = {encrypt_256x<Lanes1>, decrypt_256x<Lanes1>};

namespace testing {

void update_128l(uint8_t s[8 * 16], const uint8_t m0[16], const uint8_t m1[16]) {
  State128<Lanes1> st;
  for (int i = 0; i < 8; ++i) st.s[i] = Lanes1::load(s + 16 * i);
  st.update(Lanes1::load(m0), Lanes1::load(m1));
  dump_state<Lanes1>(st.s, 8, s);
}

void update_256(uint8_t s[6 * 16], const uint8_t m[16]) {
  State256<Lanes1> st;
  for (int i = 0; i < 6; ++i) st.s[i] = Lanes1::load(s + 16 * i);
  st.update(Lanes1::load(m));
  dump_state<Lanes1>(st.s, 6, s);
}

}  // namespace testing
}  // namespace keel::crypto::aegis
