// EncryptionCodec: the crypto module's PageCodec — every page encrypted and
// authenticated on its way to the file (database, rollback journal, WAL),
// in the format described in file_format.h.
//
// Construction: EncryptionCodec::create(options, key) with a cipher, a key
// of that cipher's size (SecretKey: guarded, locked memory, wiped on
// destruction — the codec owns it), the format version, and, for passphrase
// keys, the Argon2id parameters to record in page 1. setup_codec()
// (codec_setup.h) makes these choices from user settings and the stored
// header of an existing file.
//
// encode(): a fresh random nonce (libsodium) for every call, so the same
// page written twice never repeats a nonce. decode(): page 1 failing (not an
// encrypted file, another cipher or version, wrong key, altered header) is
// rc::kNotADb "file is encrypted or is not a database"; any other page that
// fails authentication (altered bytes, wrong position in version 1) is
// rc::kCorrupt naming the page. Unauthenticated bytes never reach `out`.
//
// name(): "crypto:<cipher>:v<version>", e.g. "crypto:aegis256:v1".
// reserved_bytes(): nonce + tag (28 for AES-GCM, 32 for AEGIS-128*, 48 for
// AEGIS-256*).
//
// Thread-safety: encode/decode may run concurrently (see cipher.h); the
// key-derivation block is guarded by a mutex.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "cipher.h"
#include "file_format.h"
#include "kdf.h"
#include "keel/ext/page_codec.hpp"

namespace keel::crypto {

struct CodecOptions {
  CipherId cipher = CipherId::kAegis256;
  FormatVersion version = FormatVersion::kKeel;
  // Set for a passphrase key: written into page 1 (bytes 72..91) so the key
  // can be derived again. An authenticated page 1 read from the file
  // replaces it, so a file keeps its salt even when opened with a raw key.
  std::optional<KdfParams> kdf;
};

class EncryptionCodec final : public ext::PageCodec {
 public:
  // rc::kError: wrong key size for the cipher, or a CPU without the
  // instructions the cipher needs.
  static Result<std::unique_ptr<EncryptionCodec>> create(const CodecOptions& options, SecretKey key);

  std::string_view name() const override { return name_; }
  uint8_t reserved_bytes() const override { return reserved_; }
  Status encode(ext::PageNo page, std::span<const std::byte> in, std::span<std::byte> out) override;
  Status decode(ext::PageNo page, std::span<const std::byte> in, std::span<std::byte> out) override;

  const CipherInfo& cipher() const { return aead_->info(); }
  FormatVersion version() const { return version_; }
  std::optional<KdfParams> kdf() const;

 private:
  EncryptionCodec(std::unique_ptr<Aead> aead, const CodecOptions& options);
  Status encode_page1(const uint8_t* in, uint8_t* out, size_t page_size);
  Status decode_page1(const uint8_t* in, uint8_t* out, size_t page_size);

  std::unique_ptr<Aead> aead_;
  FormatVersion version_;
  uint8_t reserved_;
  std::string name_;
  mutable std::mutex kdf_mu_;
  std::optional<KdfParams> kdf_;
};

}  // namespace keel::crypto
