// Test module "testcodec": a page codec that transforms every page, so the
// file is unreadable without it. With the URI parameter testcodec_key=N
// (1..255) a connection XORs each page's bytes with N, keeping page 1's
// bytes 16..99 plain and marking bytes 0..15 "Keel codec:xor" as the
// PageCodec contract asks. The 4 reserved bytes at the end of each page hold
// a checksum of the plain page and its number, so a wrong key or a flipped
// byte is an error (rc::kCorrupt naming the page), never wrong data.
#include <cstdlib>
#include <cstring>
#include <string>

#include "keel/ext/module.hpp"

namespace {

constexpr char kMark[16] = "Keel codec:xor";
constexpr uint8_t kSqliteMagic[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f',
                                      'o', 'r', 'm', 'a', 't', ' ', '3', 0};

uint32_t checksum(keel::ext::PageNo page, const std::byte* p, size_t n) {
  uint32_t h = 2166136261u ^ page;
  for (size_t i = 0; i < n; i++) h = (h ^ static_cast<uint8_t>(p[i])) * 16777619u;
  return h;
}

class XorCodec final : public keel::ext::PageCodec {
 public:
  explicit XorCodec(uint8_t key) : key_(key) {}
  std::string_view name() const override { return "xor"; }
  uint8_t reserved_bytes() const override { return 4; }

  keel::Status encode(keel::ext::PageNo page, std::span<const std::byte> in,
                      std::span<std::byte> out) override {
    size_t n = in.size();
    uint32_t sum = checksum(page, in.data(), n - 4);
    for (size_t i = 0; i < n - 4; i++) out[i] = in[i] ^ static_cast<std::byte>(key_);
    std::memcpy(out.data() + n - 4, &sum, 4);
    if (page == 1) {
      std::memcpy(out.data(), kMark, 16);
      std::memcpy(out.data() + 16, in.data() + 16, 84);
    }
    return keel::Status::Ok();
  }

  keel::Status decode(keel::ext::PageNo page, std::span<const std::byte> in,
                      std::span<std::byte> out) override {
    size_t n = in.size();
    for (size_t i = 0; i < n - 4; i++) out[i] = in[i] ^ static_cast<std::byte>(key_);
    std::memset(out.data() + n - 4, 0, 4);
    if (page == 1) {
      if (std::memcmp(in.data(), kMark, 16) != 0) {
        return keel::Status(keel::rc::kNotADb, "file is not a database");
      }
      std::memcpy(out.data(), kSqliteMagic, 16);
      std::memcpy(out.data() + 16, in.data() + 16, 84);
    }
    uint32_t stored;
    std::memcpy(&stored, in.data() + n - 4, 4);
    // A page never written (all zeros on disk) is a hole: read as zeros.
    bool zero = stored == 0;
    for (size_t i = 0; zero && i < n; i++) zero = in[i] == std::byte{0};
    if (zero) {
      std::memset(out.data(), 0, n);
      return keel::Status::Ok();
    }
    if (stored != checksum(page, out.data(), n - 4)) {
      return keel::Status(keel::rc::kCorrupt,
                          "page " + std::to_string(page) + " failed the xor codec's check");
    }
    return keel::Status::Ok();
  }

 private:
  uint8_t key_;
};

class Attach final : public keel::ext::ConnectionExtension {
 public:
  keel::Status attach(keel::ext::Session& s) override {
    std::string key = s.uri_parameter("testcodec_key");
    if (key.empty()) return keel::Status::Ok();
    int k = std::atoi(key.c_str());
    if (k < 1 || k > 255) return keel::Status(keel::rc::kError, "testcodec_key must be 1..255");
    return s.set_page_codec(std::make_shared<XorCodec>(static_cast<uint8_t>(k)));
  }
};

}  // namespace

KEEL_MODULE(testcodec) { registrar.add_connection_extension(std::make_shared<Attach>()); }
