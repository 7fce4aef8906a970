// SecretKey over libsodium's guarded heap; see secret_key.h.
#include "secret_key.h"

#include <sodium.h>

#include <cstring>
#include <utility>

namespace keel::crypto {

Status ensure_sodium() {
  // sodium_init() is itself thread-safe and idempotent; the static only
  // avoids calling it on every key.
  static const int rc = sodium_init();
  if (rc < 0) return Status(rc::kError, "libsodium could not be initialized");
  return Status::Ok();
}

SecretKey::~SecretKey() { reset(); }

SecretKey::SecretKey(SecretKey&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
  if (this != &other) {
    reset();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void SecretKey::reset() {
  if (data_ != nullptr) {
    // sodium_free also zeroes, but only after making the region writable;
    // wipe explicitly so the contract does not depend on that detail.
    sodium_mprotect_readwrite(data_);
    sodium_memzero(data_, size_);
    sodium_munlock(data_, size_);
    sodium_free(data_);
  }
  data_ = nullptr;
  size_ = 0;
}

Result<SecretKey> SecretKey::allocate(size_t n) {
  KEEL_RETURN_IF_ERROR(ensure_sodium());
  if (n == 0) return Status(rc::kError, "empty key");
  auto* p = static_cast<uint8_t*>(sodium_malloc(n));
  if (p == nullptr) return Status(rc::kNoMem, "out of memory for key material");
  // sodium_malloc already locks its pages when it can; lock again explicitly
  // (a no-op when already locked) so a failure to lock is at least attempted
  // on every platform. A failure (RLIMIT_MEMLOCK) is not fatal: the guard
  // pages and the wipe still hold.
  sodium_mlock(p, n);
  SecretKey k;
  k.data_ = p;
  k.size_ = n;
  return k;
}

void SecretKey::seal() { sodium_mprotect_readonly(data_); }

Result<SecretKey> SecretKey::from_bytes(std::span<const uint8_t> bytes) {
  return build(bytes.size(), [&](uint8_t* out, size_t n) {
    std::memcpy(out, bytes.data(), n);
    return Status::Ok();
  });
}

Result<SecretKey> SecretKey::from_hex(std::string_view hex) {
  if (hex.empty() || hex.size() % 2 != 0)
    return Status(rc::kError, "hex key must have an even, non-zero length");
  return build(hex.size() / 2, [&](uint8_t* out, size_t n) {
    size_t written = 0;
    const char* end = nullptr;
    if (sodium_hex2bin(out, n, hex.data(), hex.size(), nullptr, &written, &end) != 0 || written != n ||
        end != hex.data() + hex.size()) {
      return Status(rc::kError, "hex key contains a non-hex character");
    }
    return Status::Ok();
  });
}

Result<SecretKey> SecretKey::random(size_t n) {
  return build(n, [](uint8_t* out, size_t len) {
    randombytes_buf(out, len);
    return Status::Ok();
  });
}

bool SecretKey::equals(const SecretKey& other) const {
  if (size_ != other.size_) return false;
  if (size_ == 0) return true;
  return sodium_memcmp(data_, other.data_, size_) == 0;
}

}  // namespace keel::crypto
