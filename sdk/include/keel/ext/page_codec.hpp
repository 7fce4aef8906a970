// PageCodec: the extension point that transforms every page on its way to and
// from a file (database, rollback journal, WAL), e.g. to encrypt it.
//
// Contract
// - name() is a persistence contract, as LevelDB's comparator name: it
//   identifies the byte transformation. Change it whenever encode() output for
//   the same input changes. A codec that changes bytes must make its files
//   recognizable (the crypto module writes its id into page 1, see
//   DESIGN.md §5) so that opening such a file without the codec fails clearly
//   instead of reading garbage.
// - Page 1 on disk: bytes 16..99 (the SQLite header fields after the magic)
//   must be stored as the b-tree wrote them, so the pager reads the page
//   size and reserved-byte count before decoding anything; bytes 0..15 are
//   the codec's mark. Exception: bytes 72..91 (SQLite's reserved-for-
//   expansion zeros) may carry the codec's own plaintext data, provided
//   decode() gives zeros back (the crypto module keeps its passphrase salt
//   there). Use "Turso" + version + cipher id for Turso-layout
//   encryption, or "Keel codec:<name>" (NUL-padded) for any other codec, so
//   that opening the file without the codec names what is missing.
// - reserved_bytes(): the last reserved_bytes() bytes of every page belong to
//   the codec (nonce, authentication tag). The pager stores this count in
//   header byte 20 when it creates a database and refuses to open a file whose
//   byte 20 is smaller than the codec needs. The b-tree never touches them.
// - encode()/decode(): `in` and `out` are both exactly one page (page size
//   bytes) and never overlap. decode(encode(x)) must give back x, except that
//   the reserved tail may differ. Page numbers start at 1; the same page number
//   is passed to encode and decode, so it may be used as a tweak or nonce part.
//   Errors: return a non-OK Status (rc::kCorrupt for a page that fails
//   authentication or cannot be decoded; rc::kNoMem, rc::kIoErr...). Never
//   throw.
//
// Ownership and thread-safety: the codec is owned by whoever configured it and
// must outlive every pager using it. A pager calls it from one thread at a
// time; a codec shared by several connections must be thread-safe itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "keel/status.hpp"

namespace keel::ext {

using PageNo = uint32_t;

class PageCodec {
 public:
  virtual ~PageCodec() = default;

  // Stable identifier of the byte transformation (see the contract above).
  virtual std::string_view name() const = 0;
  // Bytes reserved at the end of every page for this codec (0..255).
  virtual uint8_t reserved_bytes() const = 0;
  // Page image as it will be stored in a file.
  virtual Status encode(PageNo page, std::span<const std::byte> in, std::span<std::byte> out) = 0;
  // Page image as the b-tree sees it.
  virtual Status decode(PageNo page, std::span<const std::byte> in, std::span<std::byte> out) = 0;
};

// The default codec: stores pages unchanged. Its name is "identity"; files
// written with it are plain SQLite files.
class IdentityCodec final : public PageCodec {
 public:
  std::string_view name() const override { return "identity"; }
  uint8_t reserved_bytes() const override { return 0; }
  Status encode(PageNo, std::span<const std::byte> in, std::span<std::byte> out) override {
    std::memcpy(out.data(), in.data(), in.size());
    return Status::Ok();
  }
  Status decode(PageNo, std::span<const std::byte> in, std::span<std::byte> out) override {
    std::memcpy(out.data(), in.data(), in.size());
    return Status::Ok();
  }
};

}  // namespace keel::ext
