#include "storage/pager/journal_format.h"

#include <cstring>
#include <vector>

#include "base/bytes.h"

namespace keel::storage::journal {

void encode_header(uint8_t* out, const Header& h, bool with_magic) {
  if (with_magic) {
    std::memcpy(out, kMagic, 8);
    put_u32(out + 8, h.n_rec);
  } else {
    std::memset(out, 0, 12);
  }
  put_u32(out + 12, h.cksum_init);
  put_u32(out + 16, h.orig_pages);
  put_u32(out + 20, h.sector_size);
  put_u32(out + 24, h.page_size);
}

bool decode_header(const uint8_t* in, Header* h) {
  if (std::memcmp(in, kMagic, 8) != 0) return false;
  h->n_rec = get_u32(in + 8);
  h->cksum_init = get_u32(in + 12);
  h->orig_pages = get_u32(in + 16);
  h->sector_size = get_u32(in + 20);
  h->page_size = get_u32(in + 24);
  return true;
}

uint32_t checksum(uint32_t cksum_init, const uint8_t* page, uint32_t page_size) {
  uint32_t sum = cksum_init;
  int i = static_cast<int>(page_size) - 200;
  while (i > 0) {
    sum += page[i];
    i -= 200;
  }
  return sum;
}

uint32_t sector_size_for(const os::VfsFile& db_file) {
  if (db_file.device_characteristics() & os::kIoCapPowersafeOverwrite) return 512;
  int s = db_file.sector_size();
  if (s < static_cast<int>(kMinSector)) return 512;
  if (s > static_cast<int>(kMaxSector)) return kMaxSector;
  return static_cast<uint32_t>(s);
}

uint32_t super_checksum(std::string_view name) {
  // SQLite sums the name as `char`, which is signed on the platforms it
  // writes journals on: bytes >= 0x80 count negative.
  uint32_t sum = 0;
  for (char c : name) sum += static_cast<uint32_t>(static_cast<int32_t>(static_cast<signed char>(c)));
  return sum;
}

std::vector<uint8_t> encode_super_trailer(std::string_view name, uint32_t pending_page) {
  std::vector<uint8_t> out(4 + name.size() + kSuperTrailer);
  put_u32(out.data(), pending_page);
  std::memcpy(out.data() + 4, name.data(), name.size());
  uint8_t* t = out.data() + 4 + name.size();
  put_u32(t, static_cast<uint32_t>(name.size()));
  put_u32(t + 4, super_checksum(name));
  std::memcpy(t + 8, kMagic, 8);
  return out;
}

Result<std::string> read_super_journal(os::VfsFile& jfd) {
  KEEL_ASSIGN_OR_RETURN(uint64_t size, jfd.size());
  if (size < kSuperTrailer) return std::string();
  uint8_t trailer[kSuperTrailer];
  KEEL_RETURN_IF_ERROR(jfd.read(trailer, sizeof trailer, size - kSuperTrailer));
  if (std::memcmp(trailer + 8, kMagic, 8) != 0) return std::string();
  uint32_t len = get_u32(trailer);
  uint32_t cksum = get_u32(trailer + 4);
  if (len == 0 || len >= 65536 || uint64_t{len} + kSuperTrailer + 4 > size) return std::string();
  // The name is preceded by a 4-byte pseudo page number.
  std::vector<uint8_t> name(len);
  KEEL_RETURN_IF_ERROR(jfd.read(name.data(), len, size - kSuperTrailer - len));
  std::string_view text(reinterpret_cast<const char*>(name.data()), name.size());
  if (super_checksum(text) != cksum) return std::string();
  std::string out;
  for (uint8_t c : name) {
    if (c == 0) break;
    out.push_back(static_cast<char>(c));
  }
  return out;
}

}  // namespace keel::storage::journal
