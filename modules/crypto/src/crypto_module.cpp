// The crypto module's entry point (feature flag `encryption`): keys from the
// connection URI and from pragmas, turned into an EncryptionCodec installed
// on the connection's main database.
//
//   file:x.db?cipher=aegis256&hexkey=<hex>     raw key (Turso's parameters)
//   file:x.db?key=<passphrase>                 Argon2id key, salt in the file
//   file:x.db?...&encryption_format=turso      version 0 for a new file
//   PRAGMA cipher = 'aegis256';                name the cipher (new files)
//   PRAGMA hexkey = '<hex>';  PRAGMA key = 'passphrase';
//
// An existing encrypted file needs its key in the URI: the connection reads
// page 1 while opening, before any pragma could run (Turso's rule too).
// The pragmas serve new databases and must run before the first statement
// that reads or writes the database.
//
//   PRAGMA rekey = 'passphrase';  PRAGMA rehexkey = '<hex>';
//
// re-encrypt the database under a new key (the cipher the file uses, or the
// one PRAGMA cipher named), or encrypt a plain one: the kernel rebuilds it as
// VACUUM does and writes it back through the new codec
// (Session::rebuild_with_codec), keeping the old file in the rollback
// journal until the new one is complete, so a crash leaves the database
// under the old key or under the new one.
//
// The codec installed on the connection is a KeyedCodec: it holds the key
// material as given and becomes the real EncryptionCodec at its first call
// — from the stored page 1 it is asked to decode (an existing file: cipher,
// format version, salt and page size come from its plaintext header), or at
// the first page it is asked to encode (a new file). So the module never
// reads the file itself, and works on any VFS.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>

#include "codec_setup.h"
#include "keel/ext/module.hpp"
#include "keel/ext/session.hpp"

namespace keel::crypto {
namespace {

class KeyedCodec;

// The codec each connection's main database uses, for PRAGMA rekey to learn
// the cipher and format version of the file.
class InstalledCodecs {
 public:
  void set(const void* conn, std::weak_ptr<KeyedCodec> codec) {
    std::lock_guard<std::mutex> lock(mu_);
    map_[conn] = std::move(codec);
  }
  std::shared_ptr<KeyedCodec> get(const void* conn) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(conn);
    return it == map_.end() ? nullptr : it->second.lock();
  }
  void erase(const void* conn) {
    std::lock_guard<std::mutex> lock(mu_);
    map_.erase(conn);
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<const void*, std::weak_ptr<KeyedCodec>> map_;
};

InstalledCodecs& installed() {
  static InstalledCodecs c;
  return c;
}

// What PRAGMA cipher said on each connection, until its key arrives.
class PendingCiphers {
 public:
  void set(const void* conn, std::string cipher) {
    std::lock_guard<std::mutex> lock(mu_);
    map_[conn] = std::move(cipher);
  }
  std::string get(const void* conn) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(conn);
    return it == map_.end() ? std::string() : it->second;
  }
  void erase(const void* conn) {
    std::lock_guard<std::mutex> lock(mu_);
    map_.erase(conn);
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<const void*, std::string> map_;
};

PendingCiphers& pending() {
  static PendingCiphers p;
  return p;
}

Result<FormatVersion> parse_format(std::string_view v) {
  if (v.empty() || v == "1" || v == "keel") return FormatVersion::kKeel;
  if (v == "0" || v == "turso") return FormatVersion::kTurso;
  return Status(rc::kError, "encryption_format must be turso (0) or keel (1), not " + std::string(v));
}

// The user's key settings, kept (secrets in guarded memory) until the codec
// sees the file.
struct KeySettings {
  std::string cipher;  // may be empty
  bool hex = true;
  SecretKey secret;  // the hex text or the passphrase bytes
  FormatVersion version = FormatVersion::kKeel;
};

class KeyedCodec final : public ext::PageCodec {
 public:
  explicit KeyedCodec(KeySettings settings) : settings_(std::move(settings)) {
    const CipherInfo* c = cipher_by_name(settings_.cipher.empty() ? "aegis256" : settings_.cipher);
    // A new file gets the named (or default) cipher's reserved bytes; an
    // existing file's own count is what the pager uses until page 1 is read.
    new_file_reserved_ = c != nullptr ? static_cast<uint8_t>(c->nonce_bytes + c->tag_bytes) : 48;
  }

  std::string_view name() const override {
    EncryptionCodec* c = codec_.load(std::memory_order_acquire);
    return c != nullptr ? c->name() : std::string_view("crypto:unresolved");
  }
  uint8_t reserved_bytes() const override {
    EncryptionCodec* c = codec_.load(std::memory_order_acquire);
    return c != nullptr ? c->reserved_bytes() : new_file_reserved_;
  }
  Status encode(ext::PageNo page, std::span<const std::byte> in, std::span<std::byte> out) override {
    KEEL_ASSIGN_OR_RETURN(EncryptionCodec * c, resolve({}));
    return c->encode(page, in, out);
  }
  Status decode(ext::PageNo page, std::span<const std::byte> in, std::span<std::byte> out) override {
    EncryptionCodec* c = codec_.load(std::memory_order_acquire);
    if (c == nullptr) {
      if (page != 1) return Status(rc::kMisuse, "the encryption codec must see page 1 first");
      auto head = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(in.data()),
                                           std::min<size_t>(in.size(), kHeaderSize));
      KEEL_ASSIGN_OR_RETURN(c, resolve(head));
    }
    return c->decode(page, in, out);
  }

  // Sets the codec up now, as for a new file (a rekey's target): a bad key
  // is reported before anything is written.
  Status prepare_new() { return resolve({}).status(); }
  // The resolved codec, or nullptr before the first page.
  const EncryptionCodec* resolved() const { return codec_.load(std::memory_order_acquire); }

 private:
  Result<EncryptionCodec*> resolve(std::span<const uint8_t> head) {
    std::lock_guard<std::mutex> lock(mu_);
    if (EncryptionCodec* c = codec_.load(std::memory_order_acquire)) return c;
    KeyConfig cfg;
    cfg.cipher = settings_.cipher;
    cfg.version = settings_.version;
    std::string_view secret(reinterpret_cast<const char*>(settings_.secret.data()), settings_.secret.size());
    if (settings_.hex) {
      cfg.hexkey = secret;
    } else {
      cfg.passphrase = secret;
    }
    KEEL_ASSIGN_OR_RETURN(CodecSetup setup, setup_codec(head, cfg));
    owned_ = std::move(setup.codec);
    settings_.secret = SecretKey();  // wiped: the derived key lives in the codec
    codec_.store(owned_.get(), std::memory_order_release);
    return owned_.get();
  }

  KeySettings settings_;
  uint8_t new_file_reserved_;
  std::mutex mu_;
  std::unique_ptr<EncryptionCodec> owned_;
  std::atomic<EncryptionCodec*> codec_{nullptr};
};

Status install(ext::Session& s, std::string_view cipher, bool hex, std::string_view secret,
               FormatVersion version) {
  if (s.database_opened("main")) {
    return Status(rc::kMisuse, "the encryption key must be set before the database is first read or written");
  }
  if (!cipher.empty()) {
    const CipherInfo* c = cipher_by_name(cipher);
    if (c == nullptr) return Status(rc::kError, "unknown cipher: " + std::string(cipher));
    KEEL_RETURN_IF_ERROR(check_cpu_support(c->id));
  }
  if (secret.empty()) return Status(rc::kError, hex ? "empty hex key" : "empty passphrase");
  KeySettings k;
  k.cipher = std::string(cipher);
  k.hex = hex;
  k.version = version;
  KEEL_ASSIGN_OR_RETURN(k.secret, SecretKey::from_bytes(std::span<const uint8_t>(
                                      reinterpret_cast<const uint8_t*>(secret.data()), secret.size())));
  auto codec = std::make_shared<KeyedCodec>(std::move(k));
  KEEL_RETURN_IF_ERROR(s.set_page_codec(codec));
  installed().set(s.handle(), codec);
  return Status::Ok();
}

// PRAGMA rekey / rehexkey: a new codec for the same file (or a plain one),
// then the kernel's rebuild through it.
Status rekey(ext::Session& s, bool hex, std::string_view secret) {
  if (secret.empty()) {
    return Status(rc::kError, std::string(hex ? "empty hex key" : "empty passphrase") +
                                  ": Keel does not decrypt a database in place");
  }
  std::shared_ptr<KeyedCodec> current = installed().get(s.handle());
  const EncryptionCodec* now = current ? current->resolved() : nullptr;
  if (current && now == nullptr && s.database_opened("main")) {
    return Status(rc::kError, "the database's current key is not known yet");
  }
  // The cipher: as PRAGMA cipher said, else the file's, else the default.
  std::string cipher = pending().get(s.handle());
  if (cipher.empty() && now != nullptr) cipher = std::string(now->cipher().name);
  const CipherInfo* info = cipher_by_name(cipher.empty() ? "aegis256" : cipher);
  if (info == nullptr) return Status(rc::kError, "unknown cipher: " + cipher);
  KEEL_RETURN_IF_ERROR(check_cpu_support(info->id));
  KeySettings k;
  k.cipher = std::string(info->name);
  k.hex = hex;
  if (now != nullptr) {
    k.version = now->version();
  } else {
    KEEL_ASSIGN_OR_RETURN(k.version, parse_format(s.uri_parameter("encryption_format")));
  }
  KEEL_ASSIGN_OR_RETURN(k.secret, SecretKey::from_bytes(std::span<const uint8_t>(
                                      reinterpret_cast<const uint8_t*>(secret.data()), secret.size())));
  auto codec = std::make_shared<KeyedCodec>(std::move(k));
  // Derives or decodes the key (and wipes the material it came from) before
  // the database is touched.
  KEEL_RETURN_IF_ERROR(codec->prepare_new());
  KEEL_RETURN_IF_ERROR(s.rebuild_with_codec(codec));
  installed().set(s.handle(), codec);
  return Status::Ok();
}

class Attach final : public ext::ConnectionExtension {
 public:
  Status attach(ext::Session& s) override {
    std::string hexkey = s.uri_parameter("hexkey");
    std::string passphrase = s.uri_parameter("key");
    std::string cipher = s.uri_parameter("cipher");
    if (hexkey.empty() && passphrase.empty()) {
      if (!cipher.empty()) pending().set(s.handle(), cipher);
      return Status::Ok();
    }
    KEEL_ASSIGN_OR_RETURN(FormatVersion version, parse_format(s.uri_parameter("encryption_format")));
    bool hex = !hexkey.empty();
    Status st = install(s, cipher, hex, hex ? hexkey : passphrase, version);
    // The URI strings are the caller's; the copies made here are wiped.
    wipe_copy(hexkey);
    wipe_copy(passphrase);
    return st;
  }
  void detach(ext::Session& s) override {
    pending().erase(s.handle());
    installed().erase(s.handle());
  }

 private:
  static void wipe_copy(std::string& s) {
    volatile char* p = s.data();
    for (size_t i = 0; i < s.size(); ++i) p[i] = 0;
  }
};

class CipherPragma final : public ext::PragmaHandler {
 public:
  std::string_view name() const override { return "cipher"; }
  std::vector<std::string> columns() const override { return {"cipher"}; }
  Status run(ext::Session& s, const ext::PragmaCall& call, std::vector<std::vector<Value>>& rows) override {
    if (!call.has_value) {
      std::string c = pending().get(s.handle());
      if (!c.empty()) rows.push_back({Value(c)});
      return Status::Ok();
    }
    const CipherInfo* info = cipher_by_name(call.value);
    if (info == nullptr) return Status(rc::kError, "unknown cipher: " + std::string(call.value));
    KEEL_RETURN_IF_ERROR(check_cpu_support(info->id));
    pending().set(s.handle(), std::string(info->name));
    return Status::Ok();
  }
};

// PRAGMA hexkey / PRAGMA key.
class KeyPragma final : public ext::PragmaHandler {
 public:
  explicit KeyPragma(bool hex) : hex_(hex) {}
  std::string_view name() const override { return hex_ ? "hexkey" : "key"; }
  std::vector<std::string> columns() const override { return {}; }
  Status run(ext::Session& s, const ext::PragmaCall& call, std::vector<std::vector<Value>>&) override {
    // Reading a key back is never possible.
    if (!call.has_value) return Status::Ok();
    KEEL_ASSIGN_OR_RETURN(FormatVersion version, parse_format(s.uri_parameter("encryption_format")));
    return install(s, pending().get(s.handle()), hex_, call.value, version);
  }

 private:
  bool hex_;
};

// PRAGMA rekey / rehexkey.
class RekeyPragma final : public ext::PragmaHandler {
 public:
  explicit RekeyPragma(bool hex) : hex_(hex) {}
  std::string_view name() const override { return hex_ ? "rehexkey" : "rekey"; }
  std::vector<std::string> columns() const override { return {}; }
  Status run(ext::Session& s, const ext::PragmaCall& call, std::vector<std::vector<Value>>&) override {
    if (!call.has_value) return Status::Ok();  // a key is never read back
    return rekey(s, hex_, call.value);
  }

 private:
  bool hex_;
};

}  // namespace
}  // namespace keel::crypto

KEEL_MODULE(crypto) {
  using namespace keel::crypto;
  registrar.add_connection_extension(std::make_shared<Attach>());
  registrar.add_pragma(std::make_shared<CipherPragma>());
  registrar.add_pragma(std::make_shared<KeyPragma>(true));
  registrar.add_pragma(std::make_shared<KeyPragma>(false));
  registrar.add_pragma(std::make_shared<RekeyPragma>(false));
  registrar.add_pragma(std::make_shared<RekeyPragma>(true));
}
