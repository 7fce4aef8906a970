// From what a user supplied (PRAGMA cipher / hexkey / key, URI parameters,
// Options) and the first bytes of the file, to a ready EncryptionCodec and
// the page size the pager must use. The module's pragma and URI handlers
// call this; it touches no file itself.
//
// Rules
// - An existing encrypted file decides the cipher and format version; a
//   cipher the user named must match it ("file is encrypted with
//   aes256gcm, not aegis256"). A passphrase needs the file's key-derivation
//   block (a file created with a raw key has none: use hexkey).
// - A new (empty) file takes the user's cipher (default aegis256) and
//   version (default 1); a passphrase gets a fresh random salt.
// - A plaintext SQLite file cannot be opened with a key: encrypting it is
//   a rekey, not an open (rc::kNotADb "file is not encrypted").
// - No key at all: rc::kMisuse.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "encryption_codec.h"

namespace keel::crypto {

struct KeyConfig {
  std::string_view cipher;                       // empty: from the file, else aegis256
  std::optional<std::string_view> hexkey;        // PRAGMA hexkey / URI hexkey=
  std::optional<std::string_view> passphrase;    // PRAGMA key
  FormatVersion version = FormatVersion::kKeel;  // for new files
  uint8_t kdf_opslimit = 3;                      // for new passphrase files
  uint16_t kdf_memlimit_mib = 64;
};

struct CodecSetup {
  std::unique_ptr<EncryptionCodec> codec;
  // Page size stored in the file, or 0 for a new file (the caller's choice).
  uint32_t page_size = 0;
};

Result<CodecSetup> setup_codec(std::span<const uint8_t> first_bytes, const KeyConfig& config);

}  // namespace keel::crypto
