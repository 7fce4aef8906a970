// Interoperability with Turso: a database encrypted by Turso (npm package
// @tursodatabase/database, driven from Node) opens in Keel through the
// pager and b-tree with a version-0 codec, and a version-0 database written
// by Keel (rollback journal, and WAL with frames left in the log) opens in
// Turso.
//
// Needs `node` on PATH and KEEL_TURSO_JS naming a directory where
// `npm install @tursodatabase/database@0.7.2` was run; otherwise every test
// here is skipped with a message saying so.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "codec_setup.h"
#include "storage/btree/btree.h"
#include "storage/pager/pager.h"
#include "test_util.h"

#ifndef KEEL_CRYPTO_INTEROP_DIR
#error "KEEL_CRYPTO_INTEROP_DIR must name modules/crypto/tests/interop"
#endif

namespace keel::crypto {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

// --- a minimal SQLite record reader / writer --------------------------------

uint64_t get_varint(const uint8_t*& p, const uint8_t* end) {
  uint64_t v = 0;
  for (int i = 0; i < 9 && p < end; ++i) {
    uint8_t b = *p++;
    if (i == 8) return (v << 8) | b;
    v = (v << 7) | (b & 0x7f);
    if (!(b & 0x80)) break;
  }
  return v;
}

void put_varint(Bytes& out, uint64_t v) {
  uint8_t buf[9];
  int n = 0;
  do {
    buf[n++] = static_cast<uint8_t>(v & 0x7f);
    v >>= 7;
  } while (v != 0);
  for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(buf[i] | (i > 0 ? 0x80 : 0)));
}

// Columns as strings: integers in decimal, text as is, NULL as "NULL".
std::vector<std::string> decode_record(const Bytes& rec) {
  std::vector<std::string> cols;
  const uint8_t* p = rec.data();
  const uint8_t* end = p + rec.size();
  uint64_t hdr = get_varint(p, end);
  const uint8_t* body = rec.data() + hdr;
  std::vector<uint64_t> types;
  while (p < rec.data() + hdr) types.push_back(get_varint(p, end));
  for (uint64_t t : types) {
    static const int kIntLen[] = {0, 1, 2, 3, 4, 6, 8};
    if (t == 0) {
      cols.push_back("NULL");
    } else if (t <= 6) {
      int64_t v = (body[0] & 0x80) ? -1 : 0;
      for (int i = 0; i < kIntLen[t]; ++i)
        v = static_cast<int64_t>((static_cast<uint64_t>(v) << 8) | *body++);
      cols.push_back(std::to_string(v));
    } else if (t == 8 || t == 9) {
      cols.push_back(t == 8 ? "0" : "1");
    } else if (t >= 12) {
      size_t n = (t - 12) / 2;
      cols.emplace_back(reinterpret_cast<const char*>(body), n);
      body += n;
    } else {
      cols.push_back("?");
    }
  }
  return cols;
}

Bytes text_record(const std::vector<std::optional<std::string>>& cols) {
  Bytes types, body;
  for (const auto& c : cols) {
    if (!c) {
      put_varint(types, 0);
    } else {
      put_varint(types, 2 * c->size() + 13);
      body.insert(body.end(), c->begin(), c->end());
    }
  }
  Bytes out;
  put_varint(out, types.size() + 1);
  out.insert(out.end(), types.begin(), types.end());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::string expected_b(int64_t a) {
  return "turso-row-" + std::to_string(a) + "-" + std::string(a % 50, 'x');
}

// --- fixture -----------------------------------------------------------------

constexpr const char* kHex256 = "2d7a30108d3eb3e45c90a732041fe54778bdcf707c76749fab7da335d1b39c1d";
constexpr const char* kHex128 = "2d7a30108d3eb3e45c90a732041fe547";

class TursoInterop : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    const char* js = getenv("KEEL_TURSO_JS");
    if (js == nullptr || !fs::exists(fs::path(js) / "node_modules/@tursodatabase/database")) {
      GTEST_SKIP() << "Turso interop skipped: set KEEL_TURSO_JS to a directory where "
                      "`npm install @tursodatabase/database@0.7.2` was run";
    }
    if (run("node --version 2>/dev/null").empty())
      GTEST_SKIP() << "Turso interop skipped: node is not on PATH";
    const CipherInfo* c = cipher_by_name(GetParam());
    ASSERT_NE(c, nullptr);
    if (!check_cpu_support(c->id).ok()) GTEST_SKIP() << check_cpu_support(c->id).message();
    hex_ = c->key_bytes == 32 ? kHex256 : kHex128;
    char tmpl[] = "/tmp/keel_turso_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // ES modules resolve packages from the script's directory: run copies of
    // the scripts beside a link to the installed node_modules.
    fs::create_directory_symlink(fs::path(js) / "node_modules", fs::path(dir_) / "node_modules");
    for (const char* s : {"turso_write.mjs", "turso_read.mjs"}) {
      fs::copy_file(fs::path(KEEL_CRYPTO_INTEROP_DIR) / s, fs::path(dir_) / s);
    }
    path_ = dir_ + "/x.db";
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::string node(const std::string& script, const std::string& args) {
    return run("cd " + dir_ + " && node " + script + " " + args + " 2>&1");
  }

  Bytes head() {
    std::ifstream f(path_, std::ios::binary);
    Bytes b(100, 0);
    f.read(reinterpret_cast<char*>(b.data()), 100);
    b.resize(static_cast<size_t>(f.gcount()));
    return b;
  }

  std::string dir_, path_, hex_;
};

TEST_P(TursoInterop, TursoWritesKeelReads) {
  std::string out = node("turso_write.mjs", path_ + " " + GetParam() + " " + hex_ + " 300");
  ASSERT_TRUE(fs::exists(path_)) << out;
  Bytes h = head();
  ASSERT_GE(h.size(), 100u) << out;
  ASSERT_EQ(std::memcmp(h.data(), "Turso", 5), 0);
  ASSERT_EQ(h[5], 0) << "Turso writes format version 0";

  KeyConfig cfg;
  cfg.hexkey = hex_;
  cfg.cipher = GetParam();
  auto setup = setup_codec(h, cfg);
  ASSERT_TRUE(setup.ok()) << setup.status().to_string();
  EXPECT_EQ(setup->codec->version(), FormatVersion::kTurso);
  storage::PagerOptions o;
  o.codec = setup->codec.get();
  o.page_size = setup->page_size;
  auto pager = storage::Pager::open(path_, o);
  ASSERT_TRUE(pager.ok()) << pager.status().to_string();
  auto bt = std::move(storage::Btree::open(**pager)).value();
  ASSERT_OK(bt->begin_read());
  // Find t's root page in sqlite_schema, then read every row.
  storage::PageNo root = 0;
  {
    storage::BtCursor schema(*bt, 1, false);
    ASSERT_OK(schema.first());
    while (!schema.eof()) {
      Bytes rec(schema.payload_size());
      ASSERT_OK(schema.read_payload(0, rec.size(), rec.data()));
      auto cols = decode_record(rec);
      if (cols.size() >= 4 && cols[0] == "table" && cols[1] == "t") root = std::stoul(cols[3]);
      ASSERT_OK(schema.next());
    }
  }
  ASSERT_NE(root, 0u);
  std::map<int64_t, std::string> rows;
  {
    storage::BtCursor t(*bt, root, false);
    ASSERT_OK(t.first());
    while (!t.eof()) {
      Bytes rec(t.payload_size());
      ASSERT_OK(t.read_payload(0, rec.size(), rec.data()));
      auto cols = decode_record(rec);
      ASSERT_EQ(cols.size(), 2u);
      rows[t.rowid()] = cols[1];
      ASSERT_OK(t.next());
    }
  }
  bt->end_read();
  ASSERT_EQ(rows.size(), 300u);
  for (auto& [a, b] : rows) EXPECT_EQ(b, expected_b(a)) << "row " << a;
}

// A schema row: type, name, tbl_name, rootpage (32-bit), sql.
Bytes schema_record(storage::PageNo root, const std::string& sql) {
  Bytes types, body;
  auto text = [&](const std::string& s) {
    put_varint(types, 2 * s.size() + 13);
    body.insert(body.end(), s.begin(), s.end());
  };
  text("table");
  text("t");
  text("t");
  put_varint(types, 4);
  for (int s = 24; s >= 0; s -= 8) body.push_back(static_cast<uint8_t>(root >> s));
  text(sql);
  Bytes rec;
  put_varint(rec, types.size() + 1);
  rec.insert(rec.end(), types.begin(), types.end());
  rec.insert(rec.end(), body.begin(), body.end());
  return rec;
}

// Keel writes a version-0 file: table t with rows 1..300 in four
// transactions. before_close runs while the pager is still open (in WAL mode
// the last commits are still in the log then).
void keel_writes(const std::string& path, const std::string& cipher, const std::string& hex, bool wal,
                 const std::function<void()>& before_close = {}) {
  KeyConfig cfg;
  cfg.hexkey = hex;
  cfg.cipher = cipher;
  cfg.version = FormatVersion::kTurso;
  auto setup = setup_codec({}, cfg);
  ASSERT_TRUE(setup.ok()) << setup.status().to_string();
  storage::PagerOptions o;
  o.codec = setup->codec.get();
  auto pager = storage::Pager::open(path, o);
  ASSERT_TRUE(pager.ok());
  if (wal) ASSERT_OK((*pager)->set_journal_mode(storage::JournalModeKind::kWal));
  auto bt = std::move(storage::Btree::open(**pager)).value();
  ASSERT_OK(bt->begin_write());
  storage::PageNo root = *bt->create_table(storage::TreeKind::kTable);
  {
    storage::BtCursor schema(*bt, 1, true);
    ASSERT_OK(schema.insert(1, schema_record(root, "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)")));
  }
  ASSERT_OK(bt->set_meta(storage::Meta::kSchemaCookie, 1));
  ASSERT_OK(bt->set_meta(storage::Meta::kSchemaFormat, 4));
  ASSERT_OK(bt->set_meta(storage::Meta::kTextEncoding, 1));
  ASSERT_OK(bt->commit());
  for (int64_t first = 1; first <= 300; first += 100) {
    ASSERT_OK(bt->begin_write());
    {
      storage::BtCursor t(*bt, root, true);
      for (int64_t a = first; a < first + 100; ++a) {
        ASSERT_OK(t.insert(a, text_record({std::nullopt, expected_b(a)}), storage::InsertHint::kAppend));
      }
    }
    ASSERT_OK(bt->commit());
  }
  if (before_close) before_close();
}

void expect_turso_reads(const std::string& json) {
  ASSERT_EQ(json.find("\"error\""), std::string::npos) << json;
  ASSERT_NE(json.find("\"count\":300"), std::string::npos) << json.substr(0, 300);
  for (int64_t a : {1, 2, 49, 50, 150, 299, 300}) {
    std::string want = "[" + std::to_string(a) + ",\"" + expected_b(a) + "\"]";
    EXPECT_NE(json.find(want), std::string::npos) << want;
  }
}

TEST_P(TursoInterop, KeelWritesTursoReadsRollbackJournal) {
  keel_writes(path_, GetParam(), hex_, false);
  expect_turso_reads(node("turso_read.mjs", path_ + " " + GetParam() + " " + hex_));
  // And Turso refuses the wrong key, as Keel does.
  std::string wrong = hex_;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  EXPECT_NE(node("turso_read.mjs", path_ + " " + GetParam() + " " + wrong).find("\"error\""),
            std::string::npos);
}

TEST_P(TursoInterop, KeelWritesTursoReadsWal) {
  // Copy the database and its WAL while Keel still has them open, so Turso
  // must read Keel's encrypted WAL frames.
  std::string copy = dir_ + "/copy.db";
  keel_writes(path_, GetParam(), hex_, true, [&] {
    ASSERT_TRUE(fs::exists(path_ + "-wal"));
    EXPECT_GT(fs::file_size(path_ + "-wal"), 32u);
    fs::copy_file(path_, copy);
    fs::copy_file(path_ + "-wal", copy + "-wal");
  });
  expect_turso_reads(node("turso_read.mjs", copy + " " + GetParam() + " " + hex_));
}

INSTANTIATE_TEST_SUITE_P(Ciphers, TursoInterop,
                         ::testing::Values("aegis256", "aes256gcm", "aes128gcm", "aegis128l", "aegis256x2",
                                           "aegis128x2", "aegis128x4"),
                         [](const auto& p) { return std::string(p.param); });

}  // namespace
}  // namespace keel::crypto
