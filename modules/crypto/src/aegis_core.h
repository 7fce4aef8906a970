// AEGIS-128X and AEGIS-256X over D lanes, generic over a lane-vector type;
// included only by the backend files (aegis_aesni.cpp, aegis_vaes_*.cpp),
// each compiled for one instruction set.
//
// Design note
// - Everything here sits in an anonymous namespace on purpose: the same
//   helper compiled with -mavx512f in one file and plain -maes in another
//   must never be merged by the linker (an inline function picked from the
//   AVX-512 file would crash the AES-NI path on an older CPU).
// - A lane vector V provides: type T holding D AES blocks (lane i = bytes
//   [16i, 16i+16) in memory order), kLanes, load/store (D*16 bytes),
//   broadcast (one 16-byte block to every lane), aes (one AES encryption
//   round: MixColumns(ShiftRows(SubBytes(a))) ^ rk, lane-wise), x (xor), a
//   (and). With D = 1 the X algorithms are exactly AEGIS-128L and AEGIS-256
//   (the lane context is zero), so one template serves all six ciphers.
// - Names follow the draft: state words S0..S7 (128X) / S0..S5 (256X),
//   rate 2*16*D bytes (128X) / 16*D bytes (256X), constants C0, C1.
// - Decryption writes plaintext before the tag is known; on a mismatch the
//   output is wiped before returning false.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace keel::crypto::aegis {
namespace {

alignas(16) constexpr uint8_t kC0[16] = {0x00, 0x01, 0x01, 0x02, 0x03, 0x05, 0x08, 0x0d,
                                         0x15, 0x22, 0x37, 0x59, 0x90, 0xe9, 0x79, 0x62};
alignas(16) constexpr uint8_t kC1[16] = {0xdb, 0x3d, 0x18, 0x55, 0x6d, 0xc2, 0x2f, 0xf1,
                                         0x20, 0x11, 0x31, 0x42, 0x73, 0xb5, 0x28, 0xdd};

inline void xor16(uint8_t* out, const uint8_t* a, const uint8_t* b) {
  for (int i = 0; i < 16; ++i) out[i] = a[i] ^ b[i];
}

inline void store_le64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// Constant time: the running time does not depend on where tags differ.
inline bool tags_equal(const uint8_t* a, const uint8_t* b, size_t n) {
  uint8_t d = 0;
  for (size_t i = 0; i < n; ++i) d |= a[i] ^ b[i];
  return d == 0;
}

inline void wipe(void* p, size_t n) {
  // A volatile pointer keeps the compiler from dropping a wipe of memory
  // that is not read afterwards.
  volatile uint8_t* v = static_cast<volatile uint8_t*>(p);
  for (size_t i = 0; i < n; ++i) v[i] = 0;
}

// The lane context of the X initialization: lane i holds the bytes
// (i, D-1) followed by zeros.
template <class V>
typename V::T lane_context() {
  alignas(64) uint8_t b[16 * V::kLanes] = {};
  for (size_t i = 0; i < V::kLanes; ++i) {
    b[16 * i] = static_cast<uint8_t>(i);
    b[16 * i + 1] = static_cast<uint8_t>(V::kLanes - 1);
  }
  return V::load(b);
}

// XOR of all lanes of v (16 bytes).
template <class V>
void fold_lanes(typename V::T v, uint8_t out[16]) {
  alignas(64) uint8_t b[16 * V::kLanes];
  V::store(b, v);
  std::memcpy(out, b, 16);
  for (size_t i = 1; i < V::kLanes; ++i) xor16(out, out, b + 16 * i);
}

// ---------------------------------------------------------------- AEGIS-128X

template <class V>
struct State128 {
  using T = typename V::T;
  static constexpr size_t kRate = 32 * V::kLanes;  // bytes absorbed per update
  static constexpr size_t kHalf = 16 * V::kLanes;
  T s[8];

  inline void update(T m0, T m1) {
    T t7 = s[7];
    s[7] = V::aes(s[6], s[7]);
    s[6] = V::aes(s[5], s[6]);
    s[5] = V::aes(s[4], s[5]);
    s[4] = V::aes(s[3], V::x(s[4], m1));
    s[3] = V::aes(s[2], s[3]);
    s[2] = V::aes(s[1], s[2]);
    s[1] = V::aes(s[0], s[1]);
    s[0] = V::aes(t7, V::x(s[0], m0));
  }

  void init(const uint8_t* key, const uint8_t* nonce) {
    uint8_t kn[16], kc0[16], kc1[16];
    xor16(kn, key, nonce);
    xor16(kc0, key, kC0);
    xor16(kc1, key, kC1);
    T c0 = V::broadcast(kC0), c1 = V::broadcast(kC1);
    s[0] = V::broadcast(kn);
    s[1] = c1;
    s[2] = c0;
    s[3] = c1;
    s[4] = V::broadcast(kn);
    s[5] = V::broadcast(kc0);
    s[6] = V::broadcast(kc1);
    s[7] = V::broadcast(kc0);
    T ctx = lane_context<V>();
    T n = V::broadcast(nonce), k = V::broadcast(key);
    for (int i = 0; i < 10; ++i) {
      s[3] = V::x(s[3], ctx);
      s[7] = V::x(s[7], ctx);
      update(n, k);
    }
    wipe(kn, 16);
    wipe(kc0, 16);
    wipe(kc1, 16);
  }

  inline void keystream(T* z0, T* z1) const {
    *z0 = V::x(V::x(s[6], s[1]), V::a(s[2], s[3]));
    *z1 = V::x(V::x(s[2], s[5]), V::a(s[6], s[7]));
  }

  void absorb(const uint8_t* ad, size_t len) {
    size_t i = 0;
    for (; i + kRate <= len; i += kRate) update(V::load(ad + i), V::load(ad + i + kHalf));
    if (i < len) {
      alignas(64) uint8_t pad[kRate] = {};
      std::memcpy(pad, ad + i, len - i);
      update(V::load(pad), V::load(pad + kHalf));
    }
  }

  void encrypt(const uint8_t* in, size_t n, uint8_t* out) {
    T z0, z1;
    size_t i = 0;
    for (; i + kRate <= n; i += kRate) {
      keystream(&z0, &z1);
      T t0 = V::load(in + i), t1 = V::load(in + i + kHalf);
      V::store(out + i, V::x(t0, z0));
      V::store(out + i + kHalf, V::x(t1, z1));
      update(t0, t1);
    }
    if (i < n) {
      alignas(64) uint8_t pad[kRate] = {};
      std::memcpy(pad, in + i, n - i);
      keystream(&z0, &z1);
      T t0 = V::load(pad), t1 = V::load(pad + kHalf);
      update(t0, t1);
      V::store(pad, V::x(t0, z0));
      V::store(pad + kHalf, V::x(t1, z1));
      std::memcpy(out + i, pad, n - i);
      wipe(pad, sizeof pad);
    }
  }

  void decrypt(const uint8_t* in, size_t n, uint8_t* out) {
    T z0, z1;
    size_t i = 0;
    for (; i + kRate <= n; i += kRate) {
      keystream(&z0, &z1);
      T o0 = V::x(V::load(in + i), z0), o1 = V::x(V::load(in + i + kHalf), z1);
      V::store(out + i, o0);
      V::store(out + i + kHalf, o1);
      update(o0, o1);
    }
    if (i < n) {
      alignas(64) uint8_t pad[kRate] = {};
      std::memcpy(pad, in + i, n - i);
      keystream(&z0, &z1);
      V::store(pad, V::x(V::load(pad), z0));
      V::store(pad + kHalf, V::x(V::load(pad + kHalf), z1));
      std::memcpy(out + i, pad, n - i);
      // The keystream beyond the message must not enter the state.
      std::memset(pad + (n - i), 0, kRate - (n - i));
      update(V::load(pad), V::load(pad + kHalf));
      wipe(pad, sizeof pad);
    }
  }

  void finalize(size_t ad_len, size_t msg_len, uint8_t* tag, size_t tag_len) {
    alignas(16) uint8_t u[16];
    store_le64(u, static_cast<uint64_t>(ad_len) * 8);
    store_le64(u + 8, static_cast<uint64_t>(msg_len) * 8);
    T t = V::x(s[2], V::broadcast(u));
    for (int i = 0; i < 7; ++i) update(t, t);
    if (tag_len == 16) {
      T acc = V::x(V::x(V::x(s[0], s[1]), V::x(s[2], s[3])), V::x(V::x(s[4], s[5]), s[6]));
      fold_lanes<V>(acc, tag);
    } else {
      fold_lanes<V>(V::x(V::x(s[0], s[1]), V::x(s[2], s[3])), tag);
      fold_lanes<V>(V::x(V::x(s[4], s[5]), V::x(s[6], s[7])), tag + 16);
    }
  }

  void clear() { wipe(s, sizeof s); }
};

template <class V>
void encrypt_128x(const uint8_t* key, const uint8_t* nonce, const uint8_t* ad, size_t ad_len,
                  const uint8_t* in, size_t n, uint8_t* out, uint8_t* tag, size_t tag_len) {
  State128<V> st;
  st.init(key, nonce);
  st.absorb(ad, ad_len);
  st.encrypt(in, n, out);
  st.finalize(ad_len, n, tag, tag_len);
  st.clear();
}

template <class V>
bool decrypt_128x(const uint8_t* key, const uint8_t* nonce, const uint8_t* ad, size_t ad_len,
                  const uint8_t* in, size_t n, uint8_t* out, const uint8_t* tag, size_t tag_len) {
  State128<V> st;
  st.init(key, nonce);
  st.absorb(ad, ad_len);
  st.decrypt(in, n, out);
  uint8_t expected[32];
  st.finalize(ad_len, n, expected, tag_len);
  st.clear();
  bool ok = tags_equal(expected, tag, tag_len);
  if (!ok) wipe(out, n);
  return ok;
}

// ---------------------------------------------------------------- AEGIS-256X

template <class V>
struct State256 {
  using T = typename V::T;
  static constexpr size_t kRate = 16 * V::kLanes;
  T s[6];

  inline void update(T m) {
    T t5 = s[5];
    s[5] = V::aes(s[4], s[5]);
    s[4] = V::aes(s[3], s[4]);
    s[3] = V::aes(s[2], s[3]);
    s[2] = V::aes(s[1], s[2]);
    s[1] = V::aes(s[0], s[1]);
    s[0] = V::aes(t5, V::x(s[0], m));
  }

  void init(const uint8_t* key, const uint8_t* nonce) {
    uint8_t k0n0[16], k1n1[16], k0c0[16], k1c1[16];
    xor16(k0n0, key, nonce);
    xor16(k1n1, key + 16, nonce + 16);
    xor16(k0c0, key, kC0);
    xor16(k1c1, key + 16, kC1);
    s[0] = V::broadcast(k0n0);
    s[1] = V::broadcast(k1n1);
    s[2] = V::broadcast(kC1);
    s[3] = V::broadcast(kC0);
    s[4] = V::broadcast(k0c0);
    s[5] = V::broadcast(k1c1);
    T ctx = lane_context<V>();
    T m[4] = {V::broadcast(key), V::broadcast(key + 16), V::broadcast(k0n0), V::broadcast(k1n1)};
    for (int r = 0; r < 4; ++r) {
      for (int j = 0; j < 4; ++j) {
        s[3] = V::x(s[3], ctx);
        s[5] = V::x(s[5], ctx);
        update(m[j]);
      }
    }
    wipe(k0n0, 16);
    wipe(k1n1, 16);
    wipe(k0c0, 16);
    wipe(k1c1, 16);
  }

  inline T keystream() const { return V::x(V::x(s[1], s[4]), V::x(s[5], V::a(s[2], s[3]))); }

  void absorb(const uint8_t* ad, size_t len) {
    size_t i = 0;
    for (; i + kRate <= len; i += kRate) update(V::load(ad + i));
    if (i < len) {
      alignas(64) uint8_t pad[kRate] = {};
      std::memcpy(pad, ad + i, len - i);
      update(V::load(pad));
    }
  }

  void encrypt(const uint8_t* in, size_t n, uint8_t* out) {
    size_t i = 0;
    for (; i + kRate <= n; i += kRate) {
      T z = keystream();
      T t = V::load(in + i);
      V::store(out + i, V::x(t, z));
      update(t);
    }
    if (i < n) {
      alignas(64) uint8_t pad[kRate] = {};
      std::memcpy(pad, in + i, n - i);
      T z = keystream();
      T t = V::load(pad);
      update(t);
      V::store(pad, V::x(t, z));
      std::memcpy(out + i, pad, n - i);
      wipe(pad, sizeof pad);
    }
  }

  void decrypt(const uint8_t* in, size_t n, uint8_t* out) {
    size_t i = 0;
    for (; i + kRate <= n; i += kRate) {
      T o = V::x(V::load(in + i), keystream());
      V::store(out + i, o);
      update(o);
    }
    if (i < n) {
      alignas(64) uint8_t pad[kRate] = {};
      std::memcpy(pad, in + i, n - i);
      V::store(pad, V::x(V::load(pad), keystream()));
      std::memcpy(out + i, pad, n - i);
      std::memset(pad + (n - i), 0, kRate - (n - i));
      update(V::load(pad));
      wipe(pad, sizeof pad);
    }
  }

  void finalize(size_t ad_len, size_t msg_len, uint8_t* tag, size_t tag_len) {
    alignas(16) uint8_t u[16];
    store_le64(u, static_cast<uint64_t>(ad_len) * 8);
    store_le64(u + 8, static_cast<uint64_t>(msg_len) * 8);
    T t = V::x(s[3], V::broadcast(u));
    for (int i = 0; i < 7; ++i) update(t);
    if (tag_len == 16) {
      fold_lanes<V>(V::x(V::x(V::x(s[0], s[1]), V::x(s[2], s[3])), V::x(s[4], s[5])), tag);
    } else {
      fold_lanes<V>(V::x(V::x(s[0], s[1]), s[2]), tag);
      fold_lanes<V>(V::x(V::x(s[3], s[4]), s[5]), tag + 16);
    }
  }

  void clear() { wipe(s, sizeof s); }
};

template <class V>
void encrypt_256x(const uint8_t* key, const uint8_t* nonce, const uint8_t* ad, size_t ad_len,
                  const uint8_t* in, size_t n, uint8_t* out, uint8_t* tag, size_t tag_len) {
  State256<V> st;
  st.init(key, nonce);
  st.absorb(ad, ad_len);
  st.encrypt(in, n, out);
  st.finalize(ad_len, n, tag, tag_len);
  st.clear();
}

template <class V>
bool decrypt_256x(const uint8_t* key, const uint8_t* nonce, const uint8_t* ad, size_t ad_len,
                  const uint8_t* in, size_t n, uint8_t* out, const uint8_t* tag, size_t tag_len) {
  State256<V> st;
  st.init(key, nonce);
  st.absorb(ad, ad_len);
  st.decrypt(in, n, out);
  uint8_t expected[32];
  st.finalize(ad_len, n, expected, tag_len);
  st.clear();
  bool ok = tags_equal(expected, tag, tag_len);
  if (!ok) wipe(out, n);
  return ok;
}

// Copies a state out lane-major: V[i][lane].
template <class V>
void dump_state(const typename V::T* s, int words, uint8_t* out) {
  for (int i = 0; i < words; ++i) V::store(out + i * 16 * V::kLanes, s[i]);
}

}  // namespace
}  // namespace keel::crypto::aegis
