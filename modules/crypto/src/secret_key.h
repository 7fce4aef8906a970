// SecretKey: key bytes that live only in guarded, locked memory.
//
// The bytes are allocated with sodium_malloc (guard pages around the buffer,
// mlock'd so they never reach swap, excluded from core dumps where the OS
// allows), made read-only once filled, and wiped with sodium_memzero before
// they are freed. Copying is disallowed; moving transfers ownership.
//
// What this cannot protect: copies made by others — OpenSSL's AES key
// schedule (AES-GCM), CPU registers and the few stack spills of the AEGIS
// code, and the caller's own hex or passphrase string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "keel/status.hpp"

namespace keel::crypto {

// Initializes libsodium once (thread-safe, idempotent). rc::kError if it
// cannot (no entropy source).
Status ensure_sodium();

class SecretKey {
 public:
  SecretKey() = default;  // empty
  ~SecretKey();
  SecretKey(SecretKey&& other) noexcept;
  SecretKey& operator=(SecretKey&& other) noexcept;
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;

  // Copies `bytes` into guarded memory.
  static Result<SecretKey> from_bytes(std::span<const uint8_t> bytes);
  // Decodes hex (upper or lower case, no separators) straight into guarded
  // memory; rc::kError for odd length or a non-hex character.
  static Result<SecretKey> from_hex(std::string_view hex);
  // n random bytes (libsodium's CSPRNG).
  static Result<SecretKey> random(size_t n);
  // n bytes of guarded memory, writable, filled by `fill` (used by the key
  // derivation to write its output directly into locked memory).
  template <typename Fill>
  static Result<SecretKey> build(size_t n, Fill&& fill) {
    KEEL_ASSIGN_OR_RETURN(SecretKey k, allocate(n));
    KEEL_RETURN_IF_ERROR(fill(k.data_, n));
    k.seal();
    return k;
  }

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  const uint8_t* data() const { return data_; }
  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  // Constant-time comparison of two keys (false when sizes differ).
  bool equals(const SecretKey& other) const;

 private:
  static Result<SecretKey> allocate(size_t n);
  void seal();  // read-only from now on
  void reset();
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace keel::crypto
