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
  uint32_t sum = 0;
  for (uint8_t c : name) sum += c;
  if (sum != cksum) return std::string();
  std::string out;
  for (uint8_t c : name) {
    if (c == 0) break;
    out.push_back(static_cast<char>(c));
  }
  return out;
}

}  // namespace keel::storage::journal
