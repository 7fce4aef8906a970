// The page codec; the format is described in file_format.h.
//
// Hot path: encode/decode allocate nothing; the AEAD reads `in` and writes
// `out` directly (they never overlap, per the PageCodec contract). The
// associated data is at most 104 bytes, built on the stack.
#include "encryption_codec.h"

#include <cstring>
#include <string>

#include "nonce_source.h"

namespace keel::crypto {

namespace {

const uint8_t* u8(std::span<const std::byte> s) { return reinterpret_cast<const uint8_t*>(s.data()); }
uint8_t* u8(std::span<std::byte> s) { return reinterpret_cast<uint8_t*>(s.data()); }

void put_be32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

Status not_a_db() { return Status(rc::kNotADb, "file is encrypted or is not a database"); }

Status not_a_db(const std::string& why) {
  return Status(rc::kNotADb, "file is encrypted or is not a database (" + why + ")");
}

}  // namespace

Result<std::unique_ptr<EncryptionCodec>> EncryptionCodec::create(const CodecOptions& options, SecretKey key) {
  KEEL_RETURN_IF_ERROR(ensure_sodium());
  if (options.version != FormatVersion::kTurso && options.version != FormatVersion::kKeel) {
    return Status(rc::kError, "unknown encryption format version");
  }
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<Aead> aead, make_aead(options.cipher, std::move(key)));
  return std::unique_ptr<EncryptionCodec>(new EncryptionCodec(std::move(aead), options));
}

EncryptionCodec::EncryptionCodec(std::unique_ptr<Aead> aead, const CodecOptions& options)
    : aead_(std::move(aead)), version_(options.version), kdf_(options.kdf) {
  const CipherInfo& c = aead_->info();
  reserved_ = static_cast<uint8_t>(c.nonce_bytes + c.tag_bytes);
  name_ = "crypto:" + std::string(c.name) + ":v" + std::to_string(static_cast<int>(version_));
}

std::optional<KdfParams> EncryptionCodec::kdf() const {
  std::lock_guard<std::mutex> lock(kdf_mu_);
  return kdf_;
}

Status EncryptionCodec::encode(ext::PageNo page, std::span<const std::byte> in, std::span<std::byte> out) {
  size_t ps = in.size();
  if (out.size() != ps || ps <= reserved_ + kHeaderSize || page == 0) {
    return Status(rc::kMisuse, "page codec called with a bad page size or number");
  }
  if (page == 1) return encode_page1(u8(in), u8(out), ps);
  const CipherInfo& c = aead_->info();
  uint8_t* nonce = u8(out) + ps - c.nonce_bytes;
  uint8_t* tag = u8(out) + ps - reserved_;
  fill_nonce(nonce, c.nonce_bytes);
  uint8_t ad[4];
  std::span<const uint8_t> ad_span;
  if (version_ == FormatVersion::kKeel) {
    put_be32(ad, page);
    ad_span = {ad, 4};
  }
  return aead_->encrypt(nonce, ad_span, u8(in), ps - reserved_, u8(out), tag);
}

Status EncryptionCodec::encode_page1(const uint8_t* in, uint8_t* out, size_t ps) {
  if (std::memcmp(in, kSqliteMagic, sizeof kSqliteMagic) != 0) {
    return Status(rc::kMisuse, "page 1 handed to the codec has no SQLite header");
  }
  const CipherInfo& c = aead_->info();
  // The stored header: Turso's 16 bytes, SQLite's fields, the KDF block.
  std::memset(out, 0, kTursoHeaderSize);
  std::memcpy(out, kTursoMagic, sizeof kTursoMagic);
  out[kVersionOffset] = static_cast<uint8_t>(version_);
  out[kCipherOffset] = static_cast<uint8_t>(c.id);
  std::memcpy(out + kTursoHeaderSize, in + kTursoHeaderSize, kHeaderSize - kTursoHeaderSize);
  {
    std::lock_guard<std::mutex> lock(kdf_mu_);
    if (kdf_) write_kdf_block(*kdf_, std::span<uint8_t, kKdfSize>(out + kKdfOffset, kKdfSize));
  }
  uint8_t ad[kHeaderSize + 4];
  std::memcpy(ad, out, kHeaderSize);
  size_t ad_len = kHeaderSize;
  if (version_ == FormatVersion::kKeel) {
    put_be32(ad + kHeaderSize, 1);
    ad_len += 4;
  }
  uint8_t* nonce = out + ps - c.nonce_bytes;
  fill_nonce(nonce, c.nonce_bytes);
  return aead_->encrypt(nonce, {ad, ad_len}, in + kHeaderSize, ps - reserved_ - kHeaderSize,
                        out + kHeaderSize, out + ps - reserved_);
}

Status EncryptionCodec::decode(ext::PageNo page, std::span<const std::byte> in, std::span<std::byte> out) {
  size_t ps = in.size();
  if (out.size() != ps || ps <= reserved_ + kHeaderSize || page == 0) {
    return Status(rc::kMisuse, "page codec called with a bad page size or number");
  }
  if (page == 1) return decode_page1(u8(in), u8(out), ps);
  const CipherInfo& c = aead_->info();
  const uint8_t* nonce = u8(in) + ps - c.nonce_bytes;
  const uint8_t* tag = u8(in) + ps - reserved_;
  uint8_t ad[4];
  std::span<const uint8_t> ad_span;
  if (version_ == FormatVersion::kKeel) {
    put_be32(ad, page);
    ad_span = {ad, 4};
  }
  Status s = aead_->decrypt(nonce, ad_span, u8(in), ps - reserved_, u8(out), tag);
  if (!s.ok()) {
    std::memset(u8(out), 0, ps);
    if (!s.is(rc::kCorrupt)) return s;
    return Status(rc::kCorrupt, "database disk image is malformed: page " + std::to_string(page) +
                                    " failed authentication (modified, moved, or written with another key)");
  }
  std::memset(u8(out) + ps - reserved_, 0, reserved_);
  return Status::Ok();
}

Status EncryptionCodec::decode_page1(const uint8_t* in, uint8_t* out, size_t ps) {
  const CipherInfo& c = aead_->info();
  std::memset(out, 0, ps);
  if (std::memcmp(in, kTursoMagic, sizeof kTursoMagic) != 0) return not_a_db();
  if (in[kVersionOffset] != static_cast<uint8_t>(version_)) {
    return not_a_db("format version " + std::to_string(in[kVersionOffset]) + ", the codec writes version " +
                    std::to_string(static_cast<int>(version_)));
  }
  if (in[kCipherOffset] != static_cast<uint8_t>(c.id)) {
    const CipherInfo* other = cipher_info(in[kCipherOffset]);
    return not_a_db("encrypted with " + std::string(other ? other->name : "an unknown cipher") + ", not " +
                    std::string(c.name));
  }
  for (size_t i = kCipherOffset + 1; i < kTursoHeaderSize; ++i) {
    if (in[i] != 0) return not_a_db();
  }
  uint8_t ad[kHeaderSize + 4];
  std::memcpy(ad, in, kHeaderSize);
  size_t ad_len = kHeaderSize;
  if (version_ == FormatVersion::kKeel) {
    put_be32(ad + kHeaderSize, 1);
    ad_len += 4;
  }
  Status s = aead_->decrypt(in + ps - c.nonce_bytes, {ad, ad_len}, in + kHeaderSize,
                            ps - reserved_ - kHeaderSize, out + kHeaderSize, in + ps - reserved_);
  if (!s.ok()) {
    std::memset(out, 0, ps);
    return s.is(rc::kCorrupt) ? not_a_db() : s;
  }
  // Authenticated: restore the SQLite view of the header.
  std::memcpy(out, kSqliteMagic, sizeof kSqliteMagic);
  std::memcpy(out + kTursoHeaderSize, in + kTursoHeaderSize, kHeaderSize - kTursoHeaderSize);
  std::memset(out + kKdfOffset, 0, kKdfSize);
  Result<std::optional<KdfParams>> kdf =
      read_kdf_block(std::span<const uint8_t, kKdfSize>(in + kKdfOffset, kKdfSize));
  if (!kdf.ok()) {
    std::memset(out, 0, ps);
    return kdf.take_status();
  }
  if (kdf.value()) {
    std::lock_guard<std::mutex> lock(kdf_mu_);
    kdf_ = kdf.value();
  }
  return Status::Ok();
}

}  // namespace keel::crypto
