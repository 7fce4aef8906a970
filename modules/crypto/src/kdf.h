// Passphrase keys: Argon2id (libsodium crypto_pwhash) and the 20-byte block
// that records its salt and cost in the file.
//
// Where the block lives: bytes 72..91 of page 1 as stored on disk — the
// SQLite header's "reserved for expansion" field, which SQLite requires to
// be zero and never uses. Those bytes are plaintext (the whole 100-byte
// header is) and authenticated (the header is associated data of page 1), so
// the salt is readable before any key exists and cannot be altered without
// page 1 failing authentication. The codec writes the block when it encodes
// page 1 and zeroes the field again when it decodes it, so the b-tree and
// every SQLite-format check above the codec still see zeros.
//
// Block layout (all fields fixed-size):
//   72..87  salt, 16 random bytes (crypto_pwhash_SALTBYTES)
//   88      algorithm: 0 none (the whole block is zero: raw key), 1 Argon2id v1.3
//   89      opslimit (Argon2 passes), 1..255
//   90..91  memlimit in MiB, big-endian, 1..65535
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "keel/status.hpp"
#include "secret_key.h"

namespace keel::crypto {

inline constexpr size_t kKdfOffset = 72;
inline constexpr size_t kKdfSize = 20;
inline constexpr uint8_t kKdfArgon2id13 = 1;

struct KdfParams {
  std::array<uint8_t, 16> salt{};
  uint8_t opslimit = 3;        // libsodium's MODERATE passes
  uint16_t memlimit_mib = 64;  // 64 MiB: ~0.33 s per derivation (measured)
  bool operator==(const KdfParams&) const = default;
};

// Fresh parameters with a random salt.
Result<KdfParams> new_kdf_params(uint8_t opslimit = 3, uint16_t memlimit_mib = 64);

// The key for `passphrase` (key_bytes long, in guarded memory). rc::kNoMem
// when Argon2 cannot get its memory; rc::kError for parameters out of range.
Result<SecretKey> derive_key(std::string_view passphrase, const KdfParams& params, size_t key_bytes);

// Block <-> parameters. read: std::nullopt when the block is all zeros; an
// rc::kNotADb error for an unknown algorithm or impossible parameters.
void write_kdf_block(const KdfParams& params, std::span<uint8_t, kKdfSize> out);
Result<std::optional<KdfParams>> read_kdf_block(std::span<const uint8_t, kKdfSize> in);

}  // namespace keel::crypto
