// End to end through the kernel: the pager and b-tree write an encrypted
// database with the codec set (rollback journal and WAL), it reads back after
// reopening, the bytes on disk hold no plaintext, opening without the codec
// or with the wrong key is refused clearly, and the file decrypted page by
// page is a sound SQLite database for the real sqlite3.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "encryption_codec.h"
#include "storage/btree/btree.h"
#include "storage/pager/pager.h"
#include "test_util.h"

namespace keel::crypto {
namespace {

using storage::BtCursor;
using storage::Btree;
using storage::JournalModeKind;
using storage::Pager;
using storage::PagerOptions;
using Bytes = std::vector<uint8_t>;

constexpr std::string_view kMarker = "KEEL-SECRET-MARKER";

void put_varint(Bytes& out, uint64_t v) {
  // SQLite varint for values below 2^56: big-endian groups of 7 bits.
  uint8_t buf[9];
  int n = 0;
  do {
    buf[n++] = static_cast<uint8_t>(v & 0x7f);
    v >>= 7;
  } while (v != 0);
  for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(buf[i] | (i > 0 ? 0x80 : 0)));
}

// An SQLite record of text/blob/small-int columns.
struct Col {
  enum { kText, kBlob, kInt } kind;
  std::string bytes;
  int64_t i = 0;
};
Bytes record(const std::vector<Col>& cols) {
  Bytes types, body;
  for (const Col& c : cols) {
    if (c.kind == Col::kInt) {
      put_varint(types, 1);
      body.push_back(static_cast<uint8_t>(c.i));
    } else {
      put_varint(types, 2 * c.bytes.size() + (c.kind == Col::kText ? 13 : 12));
      body.insert(body.end(), c.bytes.begin(), c.bytes.end());
    }
  }
  Bytes out;
  put_varint(out, types.size() + 1);  // header sizes here stay below 128
  out.insert(out.end(), types.begin(), types.end());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::string blob_for(int64_t row, int round) {
  size_t n = static_cast<size_t>((row * 37 + round * 11) % 6000 + 20);
  std::string s;
  while (s.size() < n) s += std::string(kMarker) + std::to_string(row) + "/" + std::to_string(round) + ";";
  s.resize(n);
  return s;
}

Bytes read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}

bool contains(const Bytes& hay, std::string_view needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

struct Param {
  CipherId cipher;
  FormatVersion version;
  JournalModeKind mode;
  uint32_t page_size;
};

class EncryptedPager : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    Status s = check_cpu_support(GetParam().cipher);
    if (!s.ok()) GTEST_SKIP() << s.message();
    char tmpl[] = "/tmp/keel_crypto_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/enc.db";
    const CipherInfo* c = cipher_info(GetParam().cipher);
    key_.resize(c->key_bytes);
    for (size_t i = 0; i < key_.size(); ++i) key_[i] = static_cast<uint8_t>(0xa5 ^ i);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<EncryptionCodec> codec(uint8_t flip = 0) {
    Bytes k = key_;
    k[0] ^= flip;
    auto sk = SecretKey::from_bytes(k);
    EXPECT_TRUE(sk.ok());
    auto c = EncryptionCodec::create({GetParam().cipher, GetParam().version, {}}, std::move(sk).value());
    EXPECT_TRUE(c.ok()) << c.status().to_string();
    return std::move(c).value();
  }

  // Opens the file; the page size of an existing encrypted file comes from
  // its plaintext header, as the module's open path does.
  Result<std::unique_ptr<Pager>> open(ext::PageCodec* c) {
    PagerOptions o;
    o.codec = c;
    o.page_size = GetParam().page_size;
    Bytes head = read_file(path_);
    if (head.size() >= 100) {
      auto info = inspect_header(std::span<const uint8_t>(head.data(), 100));
      if (info.ok() && info->has_value()) o.page_size = (*info)->page_size;
    }
    return Pager::open(path_, o);
  }

  void expect_rows(Btree& bt) {
    ASSERT_OK(bt.begin_read());
    BtCursor cur(bt, root_, false);
    ASSERT_OK(cur.first());
    std::map<int64_t, Bytes> seen;
    while (!cur.eof()) {
      Bytes payload(cur.payload_size());
      ASSERT_OK(cur.read_payload(0, payload.size(), payload.data()));
      seen[cur.rowid()] = payload;
      ASSERT_OK(cur.next());
    }
    bt.end_read();
    EXPECT_EQ(seen.size(), model_.size());
    EXPECT_TRUE(seen == model_);
  }

  void write_database(Pager& pager, Btree& bt) {
    ASSERT_OK(bt.begin_write());
    auto root = bt.create_table(storage::TreeKind::kTable);
    ASSERT_TRUE(root.ok());
    root_ = *root;
    {
      BtCursor schema(bt, 1, true);
      ASSERT_OK(schema.insert(1, record({{Col::kText, "table"},
                                         {Col::kText, "t"},
                                         {Col::kText, "t"},
                                         {Col::kInt, "", static_cast<int64_t>(root_)},
                                         {Col::kText, "CREATE TABLE t(b)"}})));
      BtCursor t(bt, root_, true);
      for (int64_t r = 1; r <= 300; ++r) {
        model_[r] = record({{Col::kBlob, blob_for(r, 0)}});
        ASSERT_OK(t.insert(r, model_[r], storage::InsertHint::kAppend));
      }
    }
    ASSERT_OK(bt.set_meta(storage::Meta::kSchemaCookie, 1));
    ASSERT_OK(bt.set_meta(storage::Meta::kSchemaFormat, 4));
    ASSERT_OK(bt.set_meta(storage::Meta::kTextEncoding, 1));
    ASSERT_OK(bt.commit());
    // A second transaction rewriting and deleting rows (journal / new WAL
    // frames of pages already in the file).
    ASSERT_OK(bt.begin_write());
    {
      BtCursor t(bt, root_, true);
      for (int64_t r = 2; r <= 300; r += 3) {
        model_[r] = record({{Col::kBlob, blob_for(r, 1)}});
        ASSERT_OK(t.insert(r, model_[r]));
      }
      for (int64_t r = 5; r <= 300; r += 50) {
        auto sr = t.seek_rowid(r);
        ASSERT_TRUE(sr.ok());
        ASSERT_EQ(*sr, storage::SeekResult::kFound);
        ASSERT_OK(t.remove());
        model_.erase(r);
      }
    }
    ASSERT_OK(bt.commit());
    // A rolled-back transaction: the journal's encrypted images restore the
    // pages.
    ASSERT_OK(bt.begin_write());
    {
      BtCursor t(bt, root_, true);
      for (int64_t r = 1; r <= 300; r += 7) ASSERT_OK(t.insert(r, record({{Col::kBlob, blob_for(r, 9)}})));
    }
    ASSERT_OK(bt.rollback());
    (void)pager;
  }

  std::string dir_, path_;
  Bytes key_;
  storage::PageNo root_ = 0;
  std::map<int64_t, Bytes> model_;
};

TEST_P(EncryptedPager, WriteReopenReadRefuse) {
  const Param& p = GetParam();
  auto c1 = codec();
  {
    auto pager = open(c1.get());
    ASSERT_TRUE(pager.ok()) << pager.status().to_string();
    if (p.mode != JournalModeKind::kDelete) ASSERT_OK((*pager)->set_journal_mode(p.mode));
    auto bt = Btree::open(**pager);
    ASSERT_TRUE(bt.ok());
    write_database(**pager, **bt);
    expect_rows(**bt);
    if (p.mode == JournalModeKind::kPersist) {
      // PERSIST keeps the journal's page images after commit: encrypted.
      Bytes journal = read_file(path_ + "-journal");
      ASSERT_GT(journal.size(), 512u);
      EXPECT_FALSE(contains(journal, kMarker)) << "plaintext in the rollback journal";
    }
    if (p.mode == JournalModeKind::kWal) {
      // Before any checkpoint the rows live in encrypted WAL frames: a second
      // connection with its own codec instance reads them from there.
      Bytes wal = read_file(path_ + "-wal");
      ASSERT_GT(wal.size(), 32u);
      EXPECT_FALSE(contains(wal, kMarker)) << "plaintext in the WAL";
      auto c2 = codec();
      auto pager2 = open(c2.get());
      ASSERT_TRUE(pager2.ok()) << pager2.status().to_string();
      auto bt2 = Btree::open(**pager2);
      ASSERT_TRUE(bt2.ok());
      expect_rows(**bt2);
      bt2->reset();
      pager2->reset();
      ASSERT_TRUE((*pager)->checkpoint(storage::CheckpointMode::kTruncate).ok());
    }
  }
  Bytes file = read_file(path_);
  ASSERT_GE(file.size(), 100u);
  EXPECT_EQ(std::memcmp(file.data(), "Turso", 5), 0);
  EXPECT_EQ(file[5], static_cast<uint8_t>(p.version));
  EXPECT_EQ(file[6], static_cast<uint8_t>(p.cipher));
  EXPECT_EQ(file[20], c1->reserved_bytes());
  EXPECT_FALSE(contains(file, kMarker)) << "plaintext in the database file";
  EXPECT_FALSE(contains(file, "CREATE TABLE")) << "the schema is encrypted too";

  // Reopen with a fresh codec and the same key.
  {
    auto c = codec();
    auto pager = open(c.get());
    ASSERT_TRUE(pager.ok()) << pager.status().to_string();
    auto bt = Btree::open(**pager);
    ASSERT_TRUE(bt.ok());
    expect_rows(**bt);
    EXPECT_EQ((*pager)->page_size(), p.page_size);
  }
  // Without the codec: refused, not garbage.
  {
    auto pager = open(nullptr);
    Status s = pager.ok() ? Btree::open(**pager).status() : pager.status();
    if (pager.ok() && s.ok()) {
      auto bt = Btree::open(**pager);
      s = (*bt)->begin_read();
    }
    EXPECT_EQ(s.code(), rc::kNotADb) << s.to_string();
  }
  // With the wrong key: "file is encrypted or is not a database".
  {
    auto c = codec(0x01);
    auto pager = open(c.get());
    Status s = pager.status();
    if (pager.ok()) {
      auto bt = Btree::open(**pager);
      s = (*bt)->begin_read();
    }
    EXPECT_EQ(s.code(), rc::kNotADb) << s.to_string();
    EXPECT_EQ(s.message(), "file is encrypted or is not a database");
  }

  // Decrypted page by page, the file is an ordinary SQLite database (with
  // reserved bytes) that sqlite3 checks and reads.
  {
    auto c = codec();
    size_t ps = p.page_size;
    ASSERT_EQ(file.size() % ps, 0u);
    Bytes plain(file.size());
    for (size_t pg = 1; pg <= file.size() / ps; ++pg) {
      auto in = std::as_bytes(std::span<const uint8_t>(file.data() + (pg - 1) * ps, ps));
      auto out = std::as_writable_bytes(std::span<uint8_t>(plain.data() + (pg - 1) * ps, ps));
      ASSERT_OK(c->decode(static_cast<ext::PageNo>(pg), in, out));
    }
    std::string plain_path = dir_ + "/plain.db";
    std::ofstream(plain_path, std::ios::binary)
        .write(reinterpret_cast<const char*>(plain.data()), plain.size());
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(plain_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    auto one = [&](const char* sql) {
      sqlite3_stmt* st = nullptr;
      EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
      std::string v;
      if (st && sqlite3_step(st) == SQLITE_ROW) v = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
      sqlite3_finalize(st);
      return v;
    };
    EXPECT_EQ(one("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(one("SELECT count(*) FROM t"), std::to_string(model_.size()));
    EXPECT_EQ(one("SELECT b FROM t WHERE rowid = 8"), blob_for(8, 1));
    EXPECT_EQ(one("SELECT b FROM t WHERE rowid = 9"), blob_for(9, 0));
    EXPECT_EQ(one("SELECT count(*) FROM t WHERE rowid = 55"), "0");
    sqlite3_close(db);
  }
}

std::string param_name(const ::testing::TestParamInfo<Param>& i) {
  return std::string(cipher_info(i.param.cipher)->name) + "_v" +
         std::to_string(static_cast<int>(i.param.version)) +
         (i.param.mode == JournalModeKind::kWal       ? "_wal_"
          : i.param.mode == JournalModeKind::kPersist ? "_persist_"
                                                      : "_delete_") +
         std::to_string(i.param.page_size);
}

std::vector<Param> params() {
  std::vector<Param> v;
  for (const CipherInfo& c : all_ciphers()) {
    for (auto mode : {JournalModeKind::kDelete, JournalModeKind::kWal}) {
      v.push_back({c.id, FormatVersion::kKeel, mode, 4096});
    }
  }
  v.push_back({CipherId::kAegis256, FormatVersion::kTurso, JournalModeKind::kDelete, 4096});
  v.push_back({CipherId::kAegis256, FormatVersion::kTurso, JournalModeKind::kWal, 4096});
  v.push_back({CipherId::kAes256Gcm, FormatVersion::kTurso, JournalModeKind::kWal, 4096});
  v.push_back({CipherId::kAes128Gcm, FormatVersion::kKeel, JournalModeKind::kDelete, 512});
  v.push_back({CipherId::kAegis256, FormatVersion::kKeel, JournalModeKind::kPersist, 4096});
  v.push_back({CipherId::kAes256Gcm, FormatVersion::kTurso, JournalModeKind::kPersist, 8192});
  v.push_back({CipherId::kAegis128L, FormatVersion::kKeel, JournalModeKind::kWal, 1024});
  v.push_back({CipherId::kAegis256, FormatVersion::kKeel, JournalModeKind::kDelete, 65536});
  v.push_back({CipherId::kAegis256X4, FormatVersion::kKeel, JournalModeKind::kWal, 16384});
  return v;
}

INSTANTIATE_TEST_SUITE_P(All, EncryptedPager, ::testing::ValuesIn(params()), param_name);

// Pages swapped inside the file: version 1 names the first page it reads
// out of place; version 0 (Turso's format) decodes both pages without
// complaint — only the b-tree's own checks could notice.
TEST(EncryptedFile, SwappedPagesAreDetectedOnlyByVersion1) {
  if (!check_cpu_support(CipherId::kAegis256).ok()) GTEST_SKIP();
  for (FormatVersion v : {FormatVersion::kKeel, FormatVersion::kTurso}) {
    SCOPED_TRACE(static_cast<int>(v));
    char tmpl[] = "/tmp/keel_crypto_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    std::string dir = tmpl, path = dir + "/swap.db";
    auto make = [&] {
      auto k = SecretKey::from_bytes(Bytes(32, 0x42));
      return std::move(EncryptionCodec::create({CipherId::kAegis256, v, {}}, std::move(k).value())).value();
    };
    auto codec = make();
    storage::PageNo root = 0;
    {
      PagerOptions o;
      o.codec = codec.get();
      auto pager = Pager::open(path, o);
      ASSERT_TRUE(pager.ok());
      auto bt = std::move(Btree::open(**pager)).value();
      ASSERT_OK(bt->begin_write());
      root = *bt->create_table(storage::TreeKind::kTable);
      BtCursor t(*bt, root, true);
      for (int64_t r = 1; r <= 200; ++r) ASSERT_OK(t.insert(r, record({{Col::kBlob, blob_for(r, 0)}})));
      ASSERT_OK(bt->commit());
    }
    Bytes file = read_file(path);
    size_t ps = 4096;
    ASSERT_GE(file.size() / ps, 5u);
    // Swap pages 3 and 4 (both b-tree pages of table t).
    std::swap_ranges(file.begin() + 2 * ps, file.begin() + 3 * ps, file.begin() + 3 * ps);
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(file.data()), file.size());
    Bytes out(ps);
    Status s3 = codec->decode(3, std::as_bytes(std::span<const uint8_t>(file.data() + 2 * ps, ps)),
                              std::as_writable_bytes(std::span<uint8_t>(out)));
    Status s4 = codec->decode(4, std::as_bytes(std::span<const uint8_t>(file.data() + 3 * ps, ps)),
                              std::as_writable_bytes(std::span<uint8_t>(out)));
    if (v == FormatVersion::kKeel) {
      EXPECT_EQ(s3.code(), rc::kCorrupt);
      EXPECT_NE(s3.message().find("page 3 "), std::string_view::npos) << s3.message();
      EXPECT_EQ(s4.code(), rc::kCorrupt);
      // Through the kernel: a full scan stops with the codec's error.
      auto c = make();
      PagerOptions o;
      o.codec = c.get();
      auto pager = Pager::open(path, o);
      ASSERT_TRUE(pager.ok());
      auto bt = std::move(Btree::open(**pager)).value();
      ASSERT_OK(bt->begin_read());
      Status scan;
      {
        BtCursor cur(*bt, root, false);
        scan = cur.first();
        while (scan.ok() && !cur.eof()) scan = cur.next();
      }
      bt->end_read();
      EXPECT_EQ(scan.code(), rc::kCorrupt) << scan.to_string();
      EXPECT_NE(scan.message().find("failed authentication"), std::string_view::npos) << scan.message();
    } else {
      EXPECT_TRUE(s3.ok()) << s3.to_string();
      EXPECT_TRUE(s4.ok()) << s4.to_string();
    }
    std::filesystem::remove_all(dir);
  }
}

}  // namespace
}  // namespace keel::crypto
