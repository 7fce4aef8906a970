// AEGIS authenticated encryption (draft-irtf-cfrg-aegis-aead), written by
// hand with AES round instructions.
//
//   aegis128l, aegis256        AES-NI on 128-bit registers (aegis_aesni.cpp)
//   aegis128x2, aegis256x2     VAES on 256-bit registers, AVX2 (aegis_vaes_avx2.cpp)
//   aegis128x4, aegis256x4     VAES on 512-bit registers, AVX-512F (aegis_vaes_avx512.cpp)
//
// The X variants are distinct ciphers (D parallel AEGIS lanes with a lane
// context in the initialization), not faster versions of the same one.
// Each backend file is compiled for its instruction set only; callers must
// check the CPU first (check_cpu_support in cipher.h) — calling a backend
// the CPU lacks is an illegal instruction.
//
// Sizes: key 16 (128 family) or 32 (256 family) bytes; nonce the same as
// the key; tag 16 or 32 bytes (tag_len). in/out may be the same buffer.
// decrypt returns false when the tag does not verify, and then zeroes out.
#pragma once

#include <cstddef>
#include <cstdint>

namespace keel::crypto::aegis {

struct Functions {
  void (*encrypt)(const uint8_t* key, const uint8_t* nonce, const uint8_t* ad, size_t ad_len,
                  const uint8_t* in, size_t n, uint8_t* out, uint8_t* tag, size_t tag_len);
  bool (*decrypt)(const uint8_t* key, const uint8_t* nonce, const uint8_t* ad, size_t ad_len,
                  const uint8_t* in, size_t n, uint8_t* out, const uint8_t* tag, size_t tag_len);
};

extern const Functions kAegis128L;
extern const Functions kAegis256;
extern const Functions kAegis128X2;
extern const Functions kAegis256X2;
extern const Functions kAegis128X4;
extern const Functions kAegis256X4;

// Test hooks for the draft's intermediate-state vectors.
namespace testing {
// One AEGIS-128L Update(M0, M1) over state s[8][16], in place.
void update_128l(uint8_t s[8 * 16], const uint8_t m0[16], const uint8_t m1[16]);
// One AEGIS-256 Update(M) over state s[6][16], in place.
void update_256(uint8_t s[6 * 16], const uint8_t m[16]);
// State after Init(key, nonce), laid out V[i][lane] (16 bytes each): out
// has 8*D*16 bytes (128X) or 6*D*16 bytes (256X).
void init_128x2(const uint8_t key[16], const uint8_t nonce[16], uint8_t* out);
void init_256x2(const uint8_t key[32], const uint8_t nonce[32], uint8_t* out);
void init_128x4(const uint8_t key[16], const uint8_t nonce[16], uint8_t* out);
void init_256x4(const uint8_t key[32], const uint8_t nonce[32], uint8_t* out);
}  // namespace testing

}  // namespace keel::crypto::aegis
