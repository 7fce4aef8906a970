// Ciphers of the crypto module: the ids stored in encrypted files, their
// sizes, and one AEAD interface (encrypt / decrypt with a detached tag) over
// every implementation — AEGIS written by hand (aegis.h), AES-GCM through
// OpenSSL (aes_gcm.cpp).
//
// Cipher ids are a persistence contract shared with Turso (DESIGN.md §5):
// aes128gcm 1, aes256gcm 2, aegis256 3, aegis256x2 4, aegis256x4 5,
// aegis128l 6, aegis128x2 7, aegis128x4 8. Never renumber.
//
// Thread-safety: an Aead may be used from several threads at once (the
// AES-GCM one serializes its OpenSSL contexts with a mutex; AEGIS keeps no
// mutable state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "keel/status.hpp"
#include "secret_key.h"

namespace keel::crypto {

enum class CipherId : uint8_t {
  kAes128Gcm = 1,
  kAes256Gcm = 2,
  kAegis256 = 3,
  kAegis256X2 = 4,
  kAegis256X4 = 5,
  kAegis128L = 6,
  kAegis128X2 = 7,
  kAegis128X4 = 8,
};

struct CipherInfo {
  CipherId id;
  std::string_view name;  // "aegis256", as in PRAGMA cipher and URIs
  size_t key_bytes;
  size_t nonce_bytes;
  size_t tag_bytes;  // always 16 here
};

// Every cipher, in id order.
std::span<const CipherInfo> all_ciphers();
// nullptr when unknown.
const CipherInfo* cipher_info(CipherId id);
const CipherInfo* cipher_info(uint8_t id);
// Accepts Turso's spellings: "aegis256", "aegis-256", "aegis_256" (any case).
const CipherInfo* cipher_by_name(std::string_view name);

// OK when this CPU can run the cipher; otherwise rc::kError with a message
// naming the missing instruction sets (e.g. AEGIS-128X4 needs VAES and
// AVX-512F).
Status check_cpu_support(CipherId id);

class Aead {
 public:
  virtual ~Aead() = default;
  virtual const CipherInfo& info() const = 0;

  // Encrypts n bytes of `in` into `out` (same buffer allowed, no other
  // overlap) under nonce (info().nonce_bytes) and associated data `ad`;
  // writes info().tag_bytes bytes to `tag`.
  virtual Status encrypt(const uint8_t* nonce, std::span<const uint8_t> ad, const uint8_t* in, size_t n,
                         uint8_t* out, uint8_t* tag) = 0;
  // Decrypts and verifies. On an authentication failure returns rc::kCorrupt
  // ("authentication failed") and leaves `out` zeroed: unauthenticated
  // plaintext never escapes.
  virtual Status decrypt(const uint8_t* nonce, std::span<const uint8_t> ad, const uint8_t* in, size_t n,
                         uint8_t* out, const uint8_t* tag) = 0;
};

// Builds the AEAD for `id`, taking the key (which must be info.key_bytes
// long). rc::kError for a wrong key size or an unsupported CPU (see
// check_cpu_support).
Result<std::unique_ptr<Aead>> make_aead(CipherId id, SecretKey key);

// The AES-GCM implementation (aes_gcm.cpp), used by make_aead.
Result<std::unique_ptr<Aead>> make_aes_gcm(const CipherInfo& info, SecretKey key);

}  // namespace keel::crypto
