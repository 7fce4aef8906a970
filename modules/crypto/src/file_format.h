// The encrypted file format (Turso's layout, DESIGN.md §5), as constants and
// a reader for the plaintext part of page 1.
//
// Every page, as stored (page size P, nonce size N, tag size 16, R = N + 16
// = header byte 20, "reserved bytes"):
//
//   page != 1   [ciphertext of bytes 0..P-R)      ][tag 16][nonce N]
//   page 1      [header 100][ciphertext 100..P-R) ][tag 16][nonce N]
//
// Page 1's first 100 bytes stay plaintext so that the page size, reserved
// bytes and key-derivation salt can be read before a key exists:
//
//   0..4    "Turso"
//   5       format version: 0 Turso, 1 Keel (see below)
//   6       cipher id (cipher.h)
//   7..15   zero
//   16..99  SQLite's header fields as the pager wrote them, except 72..91
//           which hold the key-derivation block (kdf.h) or zeros
//
// The decoded page 1 gets "SQLite format 3\0" back in bytes 0..15 and zeros
// in 72..91, so the layers above see an ordinary SQLite page. The reserved
// tail of a decoded page is zero.
//
// Associated data (authenticated, not encrypted):
//   version 0 (Turso 0.x exactly): page 1 -> the 100 stored header bytes;
//             other pages -> nothing. A page moved to another position of
//             the same file (or of another file with the same key) still
//             authenticates.
//   version 1 (Keel's default): page 1 -> the 100 stored header bytes
//             followed by the page number (4 bytes big-endian, = 1); other
//             pages -> the page number. A page copied or swapped to another
//             position fails authentication.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "cipher.h"
#include "kdf.h"
#include "keel/status.hpp"

namespace keel::crypto {

enum class FormatVersion : uint8_t {
  kTurso = 0,  // interoperable with Turso
  kKeel = 1,   // binds every page to its page number
};

inline constexpr size_t kHeaderSize = 100;  // plaintext prefix of page 1
inline constexpr size_t kTursoHeaderSize = 16;
inline constexpr uint8_t kTursoMagic[5] = {'T', 'u', 'r', 's', 'o'};
inline constexpr size_t kVersionOffset = 5;
inline constexpr size_t kCipherOffset = 6;
inline constexpr uint8_t kSqliteMagic[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f',
                                             'o', 'r', 'm', 'a', 't', ' ', '3', 0};
inline constexpr size_t kTagSize = 16;

// What the plaintext part of an encrypted page 1 says.
struct EncryptedFileInfo {
  FormatVersion version;
  const CipherInfo* cipher;
  uint32_t page_size;      // from bytes 16..17 (1 means 65536)
  uint8_t reserved_bytes;  // byte 20
  std::optional<KdfParams> kdf;
};

// Reads the first bytes of a file as stored (at least 100 of them, or fewer
// for an empty/short file). std::nullopt: not an encrypted file (empty, or a
// plain SQLite header). rc::kNotADb: starts with "Turso" but names an
// unknown version or cipher, a bad page size, or too few reserved bytes for
// its cipher.
Result<std::optional<EncryptedFileInfo>> inspect_header(std::span<const uint8_t> first_bytes);

}  // namespace keel::crypto
