#include "storage/pager/db_header.h"

#include <cstring>

#include "base/bytes.h"
#include "keel/version.hpp"

namespace keel::storage::dbheader {

uint32_t read_page_size(const uint8_t* header) {
  uint32_t n = get_u16(header + kOffPageSize);
  if (n == 1) n = kMaxPageSize;
  return valid_page_size(n) ? n : 0;
}

void write_page_size(uint8_t* header, uint32_t page_size) {
  put_u16(header + kOffPageSize, page_size == kMaxPageSize ? 1 : static_cast<uint16_t>(page_size));
}

void write_new(uint8_t* header, uint32_t page_size, uint8_t reserved_bytes, uint8_t file_format) {
  std::memset(header, 0, kSize);
  std::memcpy(header + kOffMagic, kMagic, sizeof(kMagic));
  write_page_size(header, page_size);
  header[kOffWriteVersion] = file_format;
  header[kOffReadVersion] = file_format;
  header[kOffReservedBytes] = reserved_bytes;
  header[kOffMaxPayloadFrac] = kMaxPayloadFrac;
  header[kOffMinPayloadFrac] = kMinPayloadFrac;
  header[kOffLeafPayloadFrac] = kLeafPayloadFrac;
  put_u32(header + kOffChangeCounter, 0);
  put_u32(header + kOffDbSize, 1);
  put_u32(header + kOffSchemaFormat, kDefaultSchemaFormat);
  put_u32(header + kOffTextEncoding, kTextEncodingUtf8);
  put_u32(header + kOffVersionValidFor, 0);
  put_u32(header + kOffSqliteVersion, static_cast<uint32_t>(kSqliteVersionNumber));
}

Status validate(const uint8_t* header, bool module_format_ok) {
  auto not_a_db = [] { return Status(rc::kNotADb, "file is not a database"); };
  if (std::memcmp(header + kOffMagic, kMagic, sizeof(kMagic)) != 0) return not_a_db();
  // As SQLite's lockBtree(): a read version above 2 cannot be read at all; a
  // write version above 2 would make the file read-only (left to the caller).
  if (header[kOffReadVersion] > 2 && !module_format_ok) return not_a_db();
  if (header[kOffMaxPayloadFrac] != kMaxPayloadFrac || header[kOffMinPayloadFrac] != kMinPayloadFrac ||
      header[kOffLeafPayloadFrac] != kLeafPayloadFrac) {
    return not_a_db();
  }
  uint32_t page_size = read_page_size(header);
  if (page_size == 0) return not_a_db();
  if (page_size - header[kOffReservedBytes] < kMinUsableSize) return not_a_db();
  return Status::Ok();
}

Result<PageNo> page_count(const uint8_t* header, PageNo file_pages) {
  PageNo n = get_u32(header + kOffDbSize);
  if (n == 0 || std::memcmp(header + kOffChangeCounter, header + kOffVersionValidFor, 4) != 0) {
    return file_pages;
  }
  if (n > file_pages) return Status(rc::kCorrupt, "database disk image is malformed");
  return n;
}

void stamp_commit(uint8_t* header, PageNo db_pages) {
  uint32_t counter = get_u32(header + kOffChangeCounter) + 1;
  put_u32(header + kOffChangeCounter, counter);
  put_u32(header + kOffVersionValidFor, counter);
  put_u32(header + kOffSqliteVersion, static_cast<uint32_t>(kSqliteVersionNumber));
  put_u32(header + kOffDbSize, db_pages);
}

}  // namespace keel::storage::dbheader
