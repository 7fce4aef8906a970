// AES-128-GCM and AES-256-GCM through OpenSSL's EVP interface.
//
// Two contexts (encrypt, decrypt) are keyed once; each call only sets the
// 12-byte IV, so the AES key schedule is not recomputed per page. EVP
// contexts are not thread-safe, hence the mutex. OpenSSL keeps its copy of
// the key schedule in its own heap (not locked memory); EVP_CIPHER_CTX_free
// cleanses it.
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <mutex>
#include <string>

#include "cipher.h"

namespace keel::crypto {

namespace {

class AesGcmAead final : public Aead {
 public:
  explicit AesGcmAead(const CipherInfo& info) : info_(info) {}
  ~AesGcmAead() override {
    EVP_CIPHER_CTX_free(enc_);
    EVP_CIPHER_CTX_free(dec_);
  }

  Status init(const SecretKey& key) {
    const EVP_CIPHER* cipher = info_.key_bytes == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
    enc_ = EVP_CIPHER_CTX_new();
    dec_ = EVP_CIPHER_CTX_new();
    if (enc_ == nullptr || dec_ == nullptr)
      return Status(rc::kNoMem, "out of memory for the AES-GCM context");
    int iv_len = static_cast<int>(info_.nonce_bytes);
    if (EVP_EncryptInit_ex(enc_, cipher, nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(enc_, EVP_CTRL_GCM_SET_IVLEN, iv_len, nullptr) != 1 ||
        EVP_EncryptInit_ex(enc_, nullptr, nullptr, key.data(), nullptr) != 1 ||
        EVP_DecryptInit_ex(dec_, cipher, nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(dec_, EVP_CTRL_GCM_SET_IVLEN, iv_len, nullptr) != 1 ||
        EVP_DecryptInit_ex(dec_, nullptr, nullptr, key.data(), nullptr) != 1) {
      return Status(rc::kError, "OpenSSL refused the " + std::string(info_.name) + " key");
    }
    return Status::Ok();
  }

  const CipherInfo& info() const override { return info_; }

  Status encrypt(const uint8_t* nonce, std::span<const uint8_t> ad, const uint8_t* in, size_t n, uint8_t* out,
                 uint8_t* tag) override {
    std::lock_guard<std::mutex> lock(mu_);
    int len = 0;
    bool ok = EVP_EncryptInit_ex(enc_, nullptr, nullptr, nullptr, nonce) == 1;
    if (ok && !ad.empty())
      ok = EVP_EncryptUpdate(enc_, nullptr, &len, ad.data(), static_cast<int>(ad.size())) == 1;
    if (ok && n > 0) ok = EVP_EncryptUpdate(enc_, out, &len, in, static_cast<int>(n)) == 1;
    if (ok) ok = EVP_EncryptFinal_ex(enc_, out + n, &len) == 1;
    if (ok) ok = EVP_CIPHER_CTX_ctrl(enc_, EVP_CTRL_GCM_GET_TAG, static_cast<int>(info_.tag_bytes), tag) == 1;
    if (!ok) return Status(rc::kError, std::string(info_.name) + " encryption failed");
    return Status::Ok();
  }

  Status decrypt(const uint8_t* nonce, std::span<const uint8_t> ad, const uint8_t* in, size_t n, uint8_t* out,
                 const uint8_t* tag) override {
    std::lock_guard<std::mutex> lock(mu_);
    int len = 0;
    bool ok = EVP_DecryptInit_ex(dec_, nullptr, nullptr, nullptr, nonce) == 1;
    if (ok && !ad.empty())
      ok = EVP_DecryptUpdate(dec_, nullptr, &len, ad.data(), static_cast<int>(ad.size())) == 1;
    if (ok && n > 0) ok = EVP_DecryptUpdate(dec_, out, &len, in, static_cast<int>(n)) == 1;
    if (ok) {
      ok = EVP_CIPHER_CTX_ctrl(dec_, EVP_CTRL_GCM_SET_TAG, static_cast<int>(info_.tag_bytes),
                               const_cast<uint8_t*>(tag)) == 1;
    }
    // Final verifies the tag; GCM writes no bytes here.
    if (ok) ok = EVP_DecryptFinal_ex(dec_, out + n, &len) == 1;
    if (!ok) {
      OPENSSL_cleanse(out, n);
      return Status(rc::kCorrupt, "authentication failed");
    }
    return Status::Ok();
  }

 private:
  const CipherInfo& info_;
  std::mutex mu_;
  EVP_CIPHER_CTX* enc_ = nullptr;
  EVP_CIPHER_CTX* dec_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<Aead>> make_aes_gcm(const CipherInfo& info, SecretKey key) {
  auto aead = std::make_unique<AesGcmAead>(info);
  KEEL_RETURN_IF_ERROR(aead->init(key));
  // The key now lives in OpenSSL's context; `key` is wiped as it goes.
  return std::unique_ptr<Aead>(std::move(aead));
}

}  // namespace keel::crypto
