// Page codec throughput per cipher: encode and decode of 4 KiB pages (or
// the page size given as the first argument), MB/s of page bytes, single
// thread. Usage: crypto_throughput [page_size] [seconds_per_measure]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "encryption_codec.h"

using namespace keel;
using namespace keel::crypto;

int main(int argc, char** argv) {
  size_t ps = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 4096;
  double secs = argc > 2 ? std::atof(argv[2]) : 0.5;
  std::printf("%-12s %-3s %12s %12s   (page %zu bytes)\n", "cipher", "v", "encode MB/s", "decode MB/s", ps);
  for (const CipherInfo& c : all_ciphers()) {
    if (!check_cpu_support(c.id).ok()) {
      std::printf("%-12s unsupported on this CPU\n", std::string(c.name).c_str());
      continue;
    }
    for (FormatVersion v : {FormatVersion::kKeel}) {
      auto key = SecretKey::random(c.key_bytes);
      auto codec = EncryptionCodec::create({c.id, v, {}}, std::move(key).value());
      if (!codec.ok()) return 1;
      std::vector<uint8_t> in(ps, 0x5a), enc(ps), out(ps);
      std::memset(in.data() + ps - (*codec)->reserved_bytes(), 0, (*codec)->reserved_bytes());
      auto ib = std::as_bytes(std::span<const uint8_t>(in));
      auto eb = std::as_writable_bytes(std::span<uint8_t>(enc));
      auto ob = std::as_writable_bytes(std::span<uint8_t>(out));
      auto measure = [&](auto&& op) {
        using clock = std::chrono::steady_clock;
        uint64_t n = 0;
        auto start = clock::now();
        double el = 0;
        do {
          for (int i = 0; i < 256; ++i, ++n) op(static_cast<ext::PageNo>(2 + (n & 1023)));
          el = std::chrono::duration<double>(clock::now() - start).count();
        } while (el < secs);
        return static_cast<double>(n) * ps / el / 1e6;
      };
      double e = measure([&](ext::PageNo pg) { (*codec)->encode(pg, ib, eb).ignore(); });
      if (!(*codec)->encode(7, ib, eb).ok()) return 1;
      double d =
          measure([&](ext::PageNo) { (*codec)->decode(7, std::span<const std::byte>(eb), ob).ignore(); });
      if (!(*codec)->decode(7, std::span<const std::byte>(eb), ob).ok() || out != in) return 1;
      std::printf("%-12s %-3d %12.0f %12.0f\n", std::string(c.name).c_str(), static_cast<int>(v), e, d);
    }
  }
  return 0;
}
