// The cipher table, CPU checks and the AEGIS Aead; see cipher.h.
#include "cipher.h"

#include <array>
#include <cctype>
#include <string>

#include "aegis.h"

namespace keel::crypto {

namespace {

constexpr std::array<CipherInfo, 8> kCiphers = {{
    {CipherId::kAes128Gcm, "aes128gcm", 16, 12, 16},
    {CipherId::kAes256Gcm, "aes256gcm", 32, 12, 16},
    {CipherId::kAegis256, "aegis256", 32, 32, 16},
    {CipherId::kAegis256X2, "aegis256x2", 32, 32, 16},
    {CipherId::kAegis256X4, "aegis256x4", 32, 32, 16},
    {CipherId::kAegis128L, "aegis128l", 16, 16, 16},
    {CipherId::kAegis128X2, "aegis128x2", 16, 16, 16},
    {CipherId::kAegis128X4, "aegis128x4", 16, 16, 16},
}};

struct CpuFeatures {
  bool aes, sse41, avx2, vaes, avx512f;
};

const CpuFeatures& cpu() {
  // libgcc's probe also checks that the OS saves the AVX / AVX-512 register
  // state (XGETBV), not only the CPUID bits.
  static const CpuFeatures f = [] {
    __builtin_cpu_init();
    return CpuFeatures{__builtin_cpu_supports("aes") != 0, __builtin_cpu_supports("sse4.1") != 0,
                       __builtin_cpu_supports("avx2") != 0, __builtin_cpu_supports("vaes") != 0,
                       __builtin_cpu_supports("avx512f") != 0};
  }();
  return f;
}

const aegis::Functions* aegis_functions(CipherId id) {
  switch (id) {
    case CipherId::kAegis128L:
      return &aegis::kAegis128L;
    case CipherId::kAegis256:
      return &aegis::kAegis256;
    case CipherId::kAegis128X2:
      return &aegis::kAegis128X2;
    case CipherId::kAegis256X2:
      return &aegis::kAegis256X2;
    case CipherId::kAegis128X4:
      return &aegis::kAegis128X4;
    case CipherId::kAegis256X4:
      return &aegis::kAegis256X4;
    default:
      return nullptr;
  }
}

// AEGIS keeps no state between calls: the key is read from guarded memory
// on every call, so one object serves any number of threads.
class AegisAead final : public Aead {
 public:
  AegisAead(const CipherInfo& info, const aegis::Functions& fn, SecretKey key)
      : info_(info), fn_(fn), key_(std::move(key)) {}
  const CipherInfo& info() const override { return info_; }

  Status encrypt(const uint8_t* nonce, std::span<const uint8_t> ad, const uint8_t* in, size_t n, uint8_t* out,
                 uint8_t* tag) override {
    fn_.encrypt(key_.data(), nonce, ad.data(), ad.size(), in, n, out, tag, info_.tag_bytes);
    return Status::Ok();
  }
  Status decrypt(const uint8_t* nonce, std::span<const uint8_t> ad, const uint8_t* in, size_t n, uint8_t* out,
                 const uint8_t* tag) override {
    if (!fn_.decrypt(key_.data(), nonce, ad.data(), ad.size(), in, n, out, tag, info_.tag_bytes)) {
      return Status(rc::kCorrupt, "authentication failed");
    }
    return Status::Ok();
  }

 private:
  const CipherInfo& info_;
  const aegis::Functions& fn_;
  SecretKey key_;
};

}  // namespace

std::span<const CipherInfo> all_ciphers() { return kCiphers; }

const CipherInfo* cipher_info(uint8_t id) {
  for (const CipherInfo& c : kCiphers) {
    if (static_cast<uint8_t>(c.id) == id) return &c;
  }
  return nullptr;
}

const CipherInfo* cipher_info(CipherId id) { return cipher_info(static_cast<uint8_t>(id)); }

const CipherInfo* cipher_by_name(std::string_view name) {
  std::string norm;
  for (char ch : name) {
    if (ch == '-' || ch == '_') continue;
    norm.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  }
  for (const CipherInfo& c : kCiphers) {
    if (c.name == norm) return &c;
  }
  return nullptr;
}

Status check_cpu_support(CipherId id) {
  const CipherInfo* info = cipher_info(id);
  if (info == nullptr) return Status(rc::kError, "unknown cipher id " + std::to_string(static_cast<int>(id)));
  const CpuFeatures& f = cpu();
  std::string missing;
  auto need = [&](bool have, const char* what) {
    if (have) return;
    if (!missing.empty()) missing += ", ";
    missing += what;
  };
  switch (id) {
    case CipherId::kAes128Gcm:
    case CipherId::kAes256Gcm:
      return Status::Ok();  // OpenSSL picks its own code path
    case CipherId::kAegis128L:
    case CipherId::kAegis256:
      need(f.aes, "AES-NI");
      need(f.sse41, "SSE4.1");
      break;
    case CipherId::kAegis128X2:
    case CipherId::kAegis256X2:
      need(f.aes, "AES-NI");
      need(f.vaes, "VAES");
      need(f.avx2, "AVX2");
      break;
    case CipherId::kAegis128X4:
    case CipherId::kAegis256X4:
      need(f.aes, "AES-NI");
      need(f.vaes, "VAES");
      need(f.avx512f, "AVX-512F");
      break;
  }
  if (missing.empty()) return Status::Ok();
  return Status(rc::kError, "cipher " + std::string(info->name) +
                                " needs CPU instructions this machine lacks: " + missing);
}

Result<std::unique_ptr<Aead>> make_aead(CipherId id, SecretKey key) {
  const CipherInfo* info = cipher_info(id);
  if (info == nullptr) return Status(rc::kError, "unknown cipher id " + std::to_string(static_cast<int>(id)));
  if (key.size() != info->key_bytes) {
    return Status(rc::kError, "cipher " + std::string(info->name) + " needs a " +
                                  std::to_string(info->key_bytes) + "-byte key, got " +
                                  std::to_string(key.size()) + " bytes");
  }
  KEEL_RETURN_IF_ERROR(check_cpu_support(id));
  if (const aegis::Functions* fn = aegis_functions(id)) {
    return std::unique_ptr<Aead>(std::make_unique<AegisAead>(*info, *fn, std::move(key)));
  }
  return make_aes_gcm(*info, std::move(key));
}

}  // namespace keel::crypto
