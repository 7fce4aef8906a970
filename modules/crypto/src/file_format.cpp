// Reading the plaintext part of an encrypted page 1; see file_format.h.
#include "file_format.h"

#include <cstring>
#include <string>

namespace keel::crypto {

namespace {

Status not_a_db(const std::string& why) {
  return Status(rc::kNotADb, "file is encrypted or is not a database (" + why + ")");
}

}  // namespace

Result<std::optional<EncryptedFileInfo>> inspect_header(std::span<const uint8_t> b) {
  if (b.size() < sizeof kTursoMagic || std::memcmp(b.data(), kTursoMagic, sizeof kTursoMagic) != 0) {
    return std::optional<EncryptedFileInfo>();
  }
  if (b.size() < kHeaderSize) return not_a_db("header cut short");
  if (b[kVersionOffset] > static_cast<uint8_t>(FormatVersion::kKeel)) {
    return not_a_db("unknown encryption format version " + std::to_string(b[kVersionOffset]));
  }
  const CipherInfo* cipher = cipher_info(b[kCipherOffset]);
  if (cipher == nullptr) return not_a_db("unknown cipher id " + std::to_string(b[kCipherOffset]));
  for (size_t i = kCipherOffset + 1; i < kTursoHeaderSize; ++i) {
    if (b[i] != 0) return not_a_db("unknown header flags");
  }
  uint32_t ps = (uint32_t{b[16]} << 8) | b[17];
  if (ps == 1) ps = 65536;
  if (ps < 512 || ps > 65536 || (ps & (ps - 1)) != 0) return not_a_db("bad page size");
  uint8_t reserved = b[20];
  if (reserved < cipher->nonce_bytes + cipher->tag_bytes)
    return not_a_db("too few reserved bytes for its cipher");
  KEEL_ASSIGN_OR_RETURN(std::optional<KdfParams> kdf,
                        read_kdf_block(std::span<const uint8_t, kKdfSize>(b.data() + kKdfOffset, kKdfSize)));
  EncryptedFileInfo info{static_cast<FormatVersion>(b[kVersionOffset]), cipher, ps, reserved, kdf};
  return std::optional<EncryptedFileInfo>(info);
}

}  // namespace keel::crypto
