// Argon2id key derivation; see kdf.h for the on-disk block.
#include "kdf.h"

#include <sodium.h>

#include <algorithm>
#include <string>

namespace keel::crypto {

Result<KdfParams> new_kdf_params(uint8_t opslimit, uint16_t memlimit_mib) {
  KEEL_RETURN_IF_ERROR(ensure_sodium());
  KdfParams p;
  randombytes_buf(p.salt.data(), p.salt.size());
  p.opslimit = opslimit;
  p.memlimit_mib = memlimit_mib;
  return p;
}

Result<SecretKey> derive_key(std::string_view passphrase, const KdfParams& params, size_t key_bytes) {
  static_assert(crypto_pwhash_SALTBYTES == 16, "the salt field is 16 bytes");
  if (params.opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN || params.memlimit_mib == 0) {
    return Status(rc::kError, "key derivation parameters out of range");
  }
  return SecretKey::build(key_bytes, [&](uint8_t* out, size_t n) {
    int rc = crypto_pwhash(out, n, passphrase.data(), passphrase.size(), params.salt.data(), params.opslimit,
                           static_cast<size_t>(params.memlimit_mib) << 20, crypto_pwhash_ALG_ARGON2ID13);
    if (rc != 0) return Status(rc::kNoMem, "Argon2id key derivation ran out of memory");
    return Status::Ok();
  });
}

void write_kdf_block(const KdfParams& params, std::span<uint8_t, kKdfSize> out) {
  std::copy(params.salt.begin(), params.salt.end(), out.begin());
  out[16] = kKdfArgon2id13;
  out[17] = params.opslimit;
  out[18] = static_cast<uint8_t>(params.memlimit_mib >> 8);
  out[19] = static_cast<uint8_t>(params.memlimit_mib);
}

Result<std::optional<KdfParams>> read_kdf_block(std::span<const uint8_t, kKdfSize> in) {
  bool all_zero = true;
  for (uint8_t b : in) all_zero = all_zero && b == 0;
  if (all_zero) return std::optional<KdfParams>();
  if (in[16] != kKdfArgon2id13) {
    return Status(rc::kNotADb, "file is encrypted or is not a database (unknown key derivation " +
                                   std::to_string(in[16]) + ")");
  }
  KdfParams p;
  std::copy(in.begin(), in.begin() + 16, p.salt.begin());
  p.opslimit = in[17];
  p.memlimit_mib = static_cast<uint16_t>((in[18] << 8) | in[19]);
  if (p.opslimit == 0 || p.memlimit_mib == 0) {
    return Status(rc::kNotADb, "file is encrypted or is not a database (bad key derivation parameters)");
  }
  return std::optional<KdfParams>(p);
}

}  // namespace keel::crypto
