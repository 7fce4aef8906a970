// Choosing cipher, version and key for a file; see codec_setup.h.
#include "codec_setup.h"

#include <cstring>
#include <string>

namespace keel::crypto {

namespace {

Result<SecretKey> key_from(const KeyConfig& config, const CipherInfo& cipher,
                           const std::optional<KdfParams>& kdf) {
  if (config.hexkey) {
    KEEL_ASSIGN_OR_RETURN(SecretKey k, SecretKey::from_hex(*config.hexkey));
    if (k.size() != cipher.key_bytes) {
      return Status(rc::kError, "cipher " + std::string(cipher.name) + " needs a " +
                                    std::to_string(cipher.key_bytes * 2) + "-hex-digit key");
    }
    return k;
  }
  if (!kdf) {
    return Status(rc::kNotADb,
                  "file is encrypted or is not a database (it was encrypted with a raw key: use hexkey)");
  }
  return derive_key(*config.passphrase, *kdf, cipher.key_bytes);
}

}  // namespace

Result<CodecSetup> setup_codec(std::span<const uint8_t> first_bytes, const KeyConfig& config) {
  if (!config.hexkey && !config.passphrase) return Status(rc::kMisuse, "no encryption key given");
  if (config.hexkey && config.passphrase)
    return Status(rc::kMisuse, "give either a hex key or a passphrase, not both");
  const CipherInfo* named = nullptr;
  if (!config.cipher.empty()) {
    named = cipher_by_name(config.cipher);
    if (named == nullptr) return Status(rc::kError, "unknown cipher: " + std::string(config.cipher));
  }
  KEEL_ASSIGN_OR_RETURN(std::optional<EncryptedFileInfo> info, inspect_header(first_bytes));
  CodecSetup out;
  CodecOptions opts;
  std::optional<KdfParams> kdf;
  if (info) {
    if (named != nullptr && named != info->cipher) {
      return Status(rc::kNotADb, "file is encrypted with " + std::string(info->cipher->name) + ", not " +
                                     std::string(named->name));
    }
    opts.cipher = info->cipher->id;
    opts.version = info->version;
    kdf = info->kdf;
    out.page_size = info->page_size;
  } else {
    bool empty = true;
    for (uint8_t b : first_bytes) empty = empty && b == 0;
    if (!empty) {
      if (first_bytes.size() >= sizeof kSqliteMagic &&
          std::memcmp(first_bytes.data(), kSqliteMagic, sizeof kSqliteMagic) == 0) {
        return Status(rc::kNotADb, "file is not encrypted (encrypting an existing database is a rekey)");
      }
      return Status(rc::kNotADb, "file is not a database");
    }
    opts.cipher = named != nullptr ? named->id : CipherId::kAegis256;
    opts.version = config.version;
    if (config.passphrase) {
      KEEL_ASSIGN_OR_RETURN(KdfParams p, new_kdf_params(config.kdf_opslimit, config.kdf_memlimit_mib));
      kdf = p;
    }
  }
  const CipherInfo& cipher = *cipher_info(opts.cipher);
  KEEL_RETURN_IF_ERROR(check_cpu_support(cipher.id));
  KEEL_ASSIGN_OR_RETURN(SecretKey key, key_from(config, cipher, kdf));
  opts.kdf = kdf;
  KEEL_ASSIGN_OR_RETURN(out.codec, EncryptionCodec::create(opts, std::move(key)));
  return out;
}

}  // namespace keel::crypto
