// Records against libsqlite3: rows inserted through SQLite are read back as
// raw cell payloads (sqlite3_serialize + a minimal b-tree walk) and compared
// byte for byte with what encode_record produces after apply_affinity; index
// b-trees built by SQLite must be in the order compare_records defines.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "base/bytes.h"
#include "base/varint.h"
#include "vm/affinity.h"
#include "vm/record.h"
#include "vm/record_compare.h"
#include "vm/value_compare.h"
#include "vm/value_test_oracle.h"

namespace keel::vm {
namespace {

using testing::Gen;
using testing::Oracle;
using testing::same_value;
using testing::show;
using Bytes = std::vector<uint8_t>;

// Reads the b-tree pages of a serialized database. Payloads must be local
// (tests use 64 KiB pages and small values).
class DbImage {
 public:
  explicit DbImage(sqlite3* db) {
    sqlite3_int64 n = 0;
    unsigned char* p = sqlite3_serialize(db, "main", &n, 0);
    bytes_.assign(p, p + n);
    sqlite3_free(p);
    page_size_ = get_u16(&bytes_[16]);
    if (page_size_ == 1) page_size_ = 65536;
  }

  // Table b-tree: rowid → payload, in rowid order.
  void walk_table(uint32_t page, std::vector<std::pair<int64_t, Bytes>>& out) const {
    const uint8_t* pg = &bytes_[(page - 1) * page_size_];
    size_t off = page == 1 ? 100 : 0;
    uint8_t type = pg[off];
    uint16_t n = get_u16(pg + off + 3);
    size_t hdr = type == 0x05 ? 12 : 8;
    for (uint16_t i = 0; i < n; i++) {
      const uint8_t* c = pg + get_u16(pg + off + hdr + 2 * i);
      if (type == 0x05) {
        walk_table(get_u32(c), out);
      } else {
        uint64_t sz, rowid;
        c += get_varint(c, &sz);
        c += get_varint(c, &rowid);
        ASSERT_LE(sz, page_size_ - 35) << "test rows must not overflow";
        out.emplace_back(static_cast<int64_t>(rowid), Bytes(c, c + sz));
      }
    }
    if (type == 0x05) walk_table(get_u32(pg + off + 8), out);
  }

  // Index b-tree: keys in index order.
  void walk_index(uint32_t page, std::vector<Bytes>& out) const {
    const uint8_t* pg = &bytes_[(page - 1) * page_size_];
    size_t off = page == 1 ? 100 : 0;
    uint8_t type = pg[off];
    uint16_t n = get_u16(pg + off + 3);
    size_t hdr = type == 0x02 ? 12 : 8;
    for (uint16_t i = 0; i < n; i++) {
      const uint8_t* c = pg + get_u16(pg + off + hdr + 2 * i);
      if (type == 0x02) {
        walk_index(get_u32(c), out);
        c += 4;
      }
      uint64_t sz;
      c += get_varint(c, &sz);
      ASSERT_LE(sz, (page_size_ - 12) * 64 / 255 - 23) << "test keys must not overflow";
      out.emplace_back(c, c + sz);
    }
    if (type == 0x02) walk_index(get_u32(pg + off + 8), out);
  }

 private:
  std::vector<uint8_t> bytes_;
  size_t page_size_;
};

uint32_t root_page(Oracle& o, const std::string& name) {
  Value v = o.query1("SELECT rootpage FROM sqlite_schema WHERE name = ?1", {Value::text(name)});
  return static_cast<uint32_t>(v.int_value());
}

std::string hex(const Bytes& b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t c : b) {
    s += d[c >> 4];
    s += d[c & 15];
  }
  return s;
}

TEST(AffinityOracle, TypeNames) {
  Oracle o;
  const char* kTypes[] = {
      "INT",     "INTEGER", "BIGINT",  "TINYINT",  "VARCHAR(10)",      "NCHAR",   "CLOB",     "TEXT",
      "BLOB",    "",        "REAL",    "DOUBLE",   "DOUBLE PRECISION", "FLOAT",   "NUMERIC",  "DECIMAL(5,2)",
      "BOOLEAN", "DATE",    "CHARINT", "POINT",    "FLOATING POINT",   "BLOBBER", "TEXTBLOB", "BLOBTEXT",
      "REALINT", "STRING",  "ANY",     "interval", "CHARACTER",        "DOUB",    "floa",     "XINTX",
      "bl ob"};
  Gen g(21);
  for (const char* t : kTypes) {
    o.exec("DROP TABLE IF EXISTS ta");
    o.exec(std::string("CREATE TABLE ta(x ") + t + ")");
    Affinity a = affinity_from_type_name(t);
    // Probe the affinity with values whose stored type reveals it.
    for (int i = 0; i < 200; i++) {
      Value in = g.value();
      o.exec("DELETE FROM ta");
      sqlite3_stmt* st = o.stmt("INSERT INTO ta VALUES (?1)");
      Oracle::bind(st, 1, in);
      ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
      Value want = o.query1("SELECT x FROM ta", {});
      Value got = in;
      apply_affinity(got, a);
      ASSERT_TRUE(same_value(got, want))
          << "type '" << t << "' value " << show(in) << " got " << show(got) << " want " << show(want);
    }
  }
}

struct Column {
  const char* decl;
  Affinity aff;
};

const Column kColumns[] = {
    {"INTEGER", Affinity::kInteger}, {"REAL", Affinity::kReal},       {"NUMERIC", Affinity::kNumeric},
    {"TEXT", Affinity::kText},       {"BLOB", Affinity::kBlob},       {"", Affinity::kBlob},
    {"FLOAT", Affinity::kReal},      {"VARCHAR(5)", Affinity::kText}, {"ANY", Affinity::kNumeric}};
constexpr size_t kNumCols = sizeof(kColumns) / sizeof(kColumns[0]);

TEST(RecordOracle, RowBytesMatchSqlite) {
  Oracle o;
  o.exec("PRAGMA page_size = 65536");
  std::string ddl = "CREATE TABLE t(";
  for (size_t i = 0; i < kNumCols; i++) ddl += (i ? ", c" : "c") + std::to_string(i) + " " + kColumns[i].decl;
  o.exec(ddl + ")");
  Gen g(22);
  std::vector<std::vector<Value>> rows;
  std::string ins = "INSERT INTO t(rowid";
  for (size_t i = 0; i < kNumCols; i++) ins += ", c" + std::to_string(i);
  ins += ") VALUES (?1";
  for (size_t i = 0; i < kNumCols; i++) ins += ", ?" + std::to_string(i + 2);
  ins += ")";
  o.exec("BEGIN");
  const int kRows = 6000;
  for (int r = 0; r < kRows; r++) {
    std::vector<Value> row;
    int ncols = g.chance(10) ? g.range(0, static_cast<int>(kNumCols)) : static_cast<int>(kNumCols);
    for (int c = 0; c < static_cast<int>(kNumCols); c++) row.push_back(c < ncols ? g.value() : Value());
    sqlite3_stmt* st = o.stmt(ins);
    sqlite3_bind_int64(st, 1, r + 1);
    for (size_t c = 0; c < kNumCols; c++) Oracle::bind(st, static_cast<int>(c + 2), row[c]);
    ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
    rows.push_back(std::move(row));
  }
  o.exec("COMMIT");
  DbImage img(o.db());
  std::vector<std::pair<int64_t, Bytes>> cells;
  img.walk_table(root_page(o, "t"), cells);
  ASSERT_EQ(cells.size(), static_cast<size_t>(kRows));
  std::vector<Affinity> affs;
  for (const auto& c : kColumns) affs.push_back(c.aff);
  RecordOptions opts;
  opts.affinities = affs;
  Bytes mine;
  RecordReader reader;
  for (const auto& [rowid, payload] : cells) {
    std::vector<Value> row = rows[static_cast<size_t>(rowid - 1)];
    for (size_t c = 0; c < kNumCols; c++) apply_affinity(row[c], kColumns[c].aff);
    ASSERT_TRUE(encode_record(row, mine, opts).ok());
    std::string desc;
    for (auto& v : rows[static_cast<size_t>(rowid - 1)]) desc += show(v) + " ";
    ASSERT_EQ(hex(mine), hex(payload)) << "row " << rowid << ": " << desc;
    // Decode SQLite's bytes column by column.
    ASSERT_TRUE(reader.reset(payload).ok());
    for (size_t c = 0; c < kNumCols; c++) {
      Value v;
      ASSERT_TRUE(reader.column(static_cast<uint32_t>(c), v).ok());
      if (kColumns[c].aff == Affinity::kReal && v.is_int()) v.set_real(static_cast<double>(v.int_value()));
      ASSERT_TRUE(same_value(v, row[c]))
          << "row " << rowid << " col " << c << " " << show(v) << " vs " << show(row[c]);
    }
  }
  // What SQLite returns for the rows is what apply_affinity predicted.
  sqlite3_stmt* st = o.stmt("SELECT rowid, * FROM t ORDER BY rowid");
  while (sqlite3_step(st) == SQLITE_ROW) {
    int64_t rowid = sqlite3_column_int64(st, 0);
    for (size_t c = 0; c < kNumCols; c++) {
      Value want = Oracle::column(st, static_cast<int>(c + 1));
      Value got = rows[static_cast<size_t>(rowid - 1)][c];
      apply_affinity(got, kColumns[c].aff);
      ASSERT_TRUE(same_value(got, want))
          << "row " << rowid << " col " << c << " got " << show(got) << " want " << show(want);
    }
  }
}

TEST(RecordOracle, WideRowsAroundTheHeaderSizeBoundary) {
  // Header sizes around 126/127/128 bytes and 2- and 3-byte serial types.
  Oracle o;
  o.exec("PRAGMA page_size = 65536");
  const int kCols = 140;
  std::string ddl = "CREATE TABLE w(";
  for (int i = 0; i < kCols; i++) ddl += (i ? ", c" : "c") + std::to_string(i);
  o.exec(ddl + ")");
  Gen g(26);
  std::vector<std::vector<Value>> rows;
  o.exec("BEGIN");
  for (int r = 0; r < 400; r++) {
    int n = g.range(100, kCols);
    std::string sql = "INSERT INTO w(rowid";
    for (int i = 0; i < n; i++) sql += ", c" + std::to_string(i);
    sql += ") VALUES (" + std::to_string(r + 1);
    for (int i = 0; i < n; i++) sql += ", ?" + std::to_string(i + 1);
    sql += ")";
    std::vector<Value> row;
    sqlite3_stmt* st = o.stmt(sql);
    for (int i = 0; i < n; i++) {
      // Texts of up to 300 bytes (2-byte types) and at most one of 8200
      // (a 3-byte type), so the row stays on one 64 KiB page.
      size_t len = static_cast<size_t>(g.range(0, 300));
      if (i == 7 && g.chance(30)) len = 8200;
      Value v = g.chance(85) ? Value::integer(g.range(0, 1)) : Value::text(std::string(len, 'x'));
      Oracle::bind(st, i + 1, v);
      row.push_back(v);
    }
    ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
    // Columns not inserted are NULL in the stored record.
    while (row.size() < static_cast<size_t>(kCols)) row.push_back(Value());
    rows.push_back(std::move(row));
  }
  o.exec("COMMIT");
  DbImage img(o.db());
  std::vector<std::pair<int64_t, Bytes>> cells;
  img.walk_table(root_page(o, "w"), cells);
  ASSERT_EQ(cells.size(), rows.size());
  Bytes mine;
  for (const auto& [rowid, payload] : cells) {
    ASSERT_TRUE(encode_record(rows[static_cast<size_t>(rowid - 1)], mine).ok());
    ASSERT_EQ(hex(mine), hex(payload)) << "row " << rowid;
  }
}

TEST(RecordOracle, FileFormat1AndLongHeaders) {
  // A record whose header needs a 2-byte size varint (> 126 header bytes).
  std::vector<Value> row;
  for (int i = 0; i < 200; i++) row.push_back(Value::integer(i * 1000));
  Bytes rec;
  ASSERT_TRUE(encode_record(row, rec).ok());
  uint64_t hs;
  int n = get_varint(rec.data(), &hs);
  EXPECT_EQ(n, 2);
  std::vector<Value> back;
  ASSERT_TRUE(decode_record(rec, back).ok());
  ASSERT_EQ(back.size(), row.size());
  for (size_t i = 0; i < row.size(); i++) EXPECT_TRUE(same_value(back[i], row[i]));
  // Schema format 1 never uses serial types 8 and 9.
  RecordOptions f1;
  f1.file_format = 1;
  std::vector<Value> small{Value::integer(0), Value::integer(1)};
  ASSERT_TRUE(encode_record(small, rec, f1).ok());
  EXPECT_EQ(hex(rec), "0301010001");
  ASSERT_TRUE(encode_record(small, rec).ok());
  EXPECT_EQ(hex(rec), "030809");
}

TEST(Record, ShortRecordsAndDefaults) {
  Bytes rec;
  std::vector<Value> row{Value::integer(7), Value::text("ab")};
  ASSERT_TRUE(encode_record(row, rec).ok());
  RecordReader r;
  ASSERT_TRUE(r.reset(rec).ok());
  Value v;
  ASSERT_TRUE(r.column(5, v).ok());
  EXPECT_TRUE(v.is_null());
  Value dflt = Value::integer(42);
  ASSERT_TRUE(r.column(3, v, &dflt).ok());
  EXPECT_EQ(v.int_value(), 42);
  ASSERT_TRUE(r.column(1, v).ok());
  EXPECT_EQ(v.text(), "ab");
  EXPECT_TRUE(v.is_borrowed());
  uint32_t n;
  ASSERT_TRUE(r.column_count(&n).ok());
  EXPECT_EQ(n, 2u);
}

// Serves payload bytes from a full copy of the record and counts them.
class BufferSource : public PayloadSource {
 public:
  explicit BufferSource(const Bytes& b) : b_(b) {}
  Status read(uint32_t offset, uint32_t n, uint8_t* buf) override {
    if (fail_) return Status(rc::kIoErr);
    if (static_cast<size_t>(offset) + n > b_.size()) return Status(rc::kCorrupt);
    std::memcpy(buf, b_.data() + offset, n);
    fetched += n;
    return Status::Ok();
  }
  size_t fetched = 0;
  bool fail_ = false;

 private:
  const Bytes& b_;
};

TEST(Record, PartialPayloadFetchesOnlyWhatIsNeeded) {
  Gen g(28);
  RecordReader full, part;
  for (int it = 0; it < 5000; it++) {
    std::vector<Value> row;
    int n = g.range(1, 60);
    for (int k = 0; k < n; k++) {
      if (g.chance(10)) {
        row.push_back(Value::text(std::string(static_cast<size_t>(g.range(0, 3000)), 'b')));
      } else {
        row.push_back(g.value());
      }
    }
    Bytes rec;
    ASSERT_TRUE(encode_record(row, rec).ok());
    size_t local = static_cast<size_t>(g.range(0, static_cast<int>(rec.size())));
    BufferSource src(rec);
    ASSERT_TRUE(full.reset(rec).ok());
    ASSERT_TRUE(part.reset(std::span<const uint8_t>(rec.data(), local), rec.size(), &src).ok());
    for (int k = 0; k < n; k++) {
      uint32_t c = static_cast<uint32_t>(g.range(0, n));
      Value a, b;
      ASSERT_TRUE(full.column(c, a).ok());
      ASSERT_TRUE(part.column(c, b).ok());
      ASSERT_TRUE(same_value(a, b)) << "column " << c << " local " << local << " of " << rec.size();
    }
  }
  // The first column of a row with a large trailing blob needs no fetch.
  std::vector<Value> row{Value::integer(7), Value::text("x"), Value::blob(Bytes(100000, 0xab))};
  Bytes rec;
  ASSERT_TRUE(encode_record(row, rec).ok());
  BufferSource src(rec);
  ASSERT_TRUE(part.reset(std::span<const uint8_t>(rec.data(), 1000), rec.size(), &src).ok());
  Value v;
  ASSERT_TRUE(part.column(0, v).ok());
  EXPECT_EQ(v.int_value(), 7);
  ASSERT_TRUE(part.column(1, v).ok());
  EXPECT_EQ(v.text(), "x");
  EXPECT_EQ(src.fetched, 0u);
  ASSERT_TRUE(part.column(2, v).ok());
  EXPECT_EQ(v.size(), 100000u);
  EXPECT_FALSE(v.is_borrowed());
  EXPECT_EQ(src.fetched, 100000u - (1000 - 8));
  // A header that is not local is fetched once; an I/O error is reported.
  std::vector<Value> wide(500, Value::integer(1000));
  ASSERT_TRUE(encode_record(wide, rec).ok());
  BufferSource src2(rec);
  ASSERT_TRUE(part.reset(std::span<const uint8_t>(rec.data(), 10), rec.size(), &src2).ok());
  ASSERT_TRUE(part.column(499, v).ok());
  EXPECT_EQ(v.int_value(), 1000);
  src2.fail_ = true;
  EXPECT_EQ(part.reset(std::span<const uint8_t>(rec.data(), 10), rec.size(), &src2).code(), rc::kIoErr);
  EXPECT_FALSE(part.column(0, v).ok());
}

TEST(Record, ZeroBlobAndTooBig) {
  std::vector<Value> row{Value::zeroblob(5), Value::text("x")};
  Bytes rec;
  ASSERT_TRUE(encode_record(row, rec).ok());
  EXPECT_EQ(hex(rec), "03160f000000000078");
  RecordOptions small;
  small.max_length = 5;
  EXPECT_EQ(encode_record(row, rec, small).code(), rc::kTooBig);
}

TEST(Record, CorruptHeaders) {
  RecordReader r;
  Value v;
  auto col_rc = [&](const Bytes& b, uint32_t i) {
    Status s = r.reset(b);
    if (!s.ok()) return s.code();
    return r.column(i, v).code();
  };
  EXPECT_EQ(col_rc({0x05, 0x01}, 0), rc::kCorrupt);              // header size beyond record
  EXPECT_EQ(col_rc({0x02, 0x81}, 0), rc::kCorrupt);              // varint runs past header
  EXPECT_EQ(col_rc({0x02, 0x06, 0x00}, 0), rc::kCorrupt);        // 8-byte int, 1 byte of body
  EXPECT_EQ(col_rc({0x02, 0x01, 0x05, 0x06}, 0), rc::kCorrupt);  // body longer than header says
  EXPECT_EQ(col_rc({0x03, 0x01, 0x01, 0x05}, 1), rc::kCorrupt);  // second column cut off
  EXPECT_EQ(col_rc({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 0), rc::kCorrupt);
  EXPECT_EQ(col_rc({0x02, 0x1b}, 0), rc::kCorrupt);  // text of 7 bytes, none present
  EXPECT_EQ(col_rc({0x01}, 0), rc::kOk);             // empty header: no columns
  EXPECT_EQ(col_rc({}, 0), rc::kOk);
  EXPECT_EQ(col_rc({0x02, 0x0a}, 0), rc::kOk);  // reserved type 10 reads as NULL
  EXPECT_TRUE(v.is_null());
  // The first column of a record whose later header entries are bad still
  // reads (SQLite parses the header lazily too); the bad one then fails.
  Bytes b{0x04, 0x01, 0x01, 0x86, 0x05};
  ASSERT_TRUE(r.reset(b).ok());
  EXPECT_TRUE(r.column(0, v).ok());
  EXPECT_EQ(v.int_value(), 5);
  EXPECT_EQ(r.column(2, v).code(), rc::kCorrupt);
  EXPECT_EQ(r.column(0, v).code(), rc::kCorrupt);  // sticky
}

TEST(Record, MutatedRecordsNeverReadOutOfBounds) {
  Gen g(23);
  RecordReader r;
  KeyInfo ki;
  ki.n_key_field = 3;
  ki.n_all_field = 4;
  int corrupt = 0, ok = 0;
  for (int i = 0; i < testing::scaled(30000); i++) {
    std::vector<Value> row;
    int n = g.range(1, 6);
    for (int k = 0; k < n; k++) row.push_back(g.value());
    Bytes rec;
    ASSERT_TRUE(encode_record(row, rec).ok());
    int muts = g.range(1, 4);
    for (int m = 0; m < muts; m++) {
      int kind = g.range(0, 3);
      if (kind == 0 && !rec.empty()) {
        rec[static_cast<size_t>(g.range(0, static_cast<int>(rec.size()) - 1))] =
            static_cast<uint8_t>(g.u64());
      } else if (kind == 1 && !rec.empty()) {
        rec.resize(static_cast<size_t>(g.range(0, static_cast<int>(rec.size()) - 1)));
      } else if (kind == 2) {
        rec.push_back(static_cast<uint8_t>(g.u64()));
      } else if (!rec.empty()) {
        rec[0] = static_cast<uint8_t>(g.range(0, 0x90));
      }
    }
    // Copy into an exactly-sized heap block so a sanitizer sees any overread.
    std::unique_ptr<uint8_t[]> exact(new uint8_t[rec.size() + 1]);
    std::memcpy(exact.get(), rec.data(), rec.size());
    std::span<const uint8_t> bytes(exact.get(), rec.size());
    // Half the time only a prefix is local and the rest comes from a source.
    Bytes copy(rec);
    BufferSource src(copy);
    size_t local = g.chance(50) ? static_cast<size_t>(g.range(0, static_cast<int>(rec.size()))) : rec.size();
    bool bad = !r.reset(bytes.first(local), bytes.size(), &src).ok();
    for (uint32_t c = 0; c < 8 && !bad; c++) {
      Value v;
      if (!r.column(c, v).ok()) bad = true;
      if (v.is_bytes() && v.is_borrowed()) {
        // Borrowed bytes lie inside the record.
        ASSERT_GE(reinterpret_cast<const uint8_t*>(v.data()), bytes.data());
        ASSERT_LE(reinterpret_cast<const uint8_t*>(v.data()) + v.size(), bytes.data() + bytes.size());
      }
    }
    (bad ? corrupt : ok)++;
    std::vector<Value> probe{g.value(), g.value(), g.value()};
    UnpackedRecord p;
    p.key_info = &ki;
    p.fields = probe.data();
    p.n_field = static_cast<uint16_t>(g.range(1, 3));
    (void)compare_record(bytes.data(), bytes.size(), p);
  }
  EXPECT_GT(corrupt, 1000);
  EXPECT_GT(ok, 1000);
}

// The model of compare_record: field by field compare_values with the
// collation, DESC flipping the sign, NULLs placed by BIGNULL.
int model_compare(const std::vector<Value>& stored, const std::vector<Value>& probe, const KeyInfo& ki,
                  int default_rc) {
  for (size_t i = 0; i < probe.size(); i++) {
    int c = compare_values(stored[i], probe[i], ki.collation(i));
    c = c < 0 ? -1 : (c > 0 ? 1 : 0);
    if (c) {
      uint8_t sf = ki.flags(i);
      if (sf & kSortBigNull) {
        if (stored[i].is_null() || probe[i].is_null()) {
          c = -c;
          if (sf & kSortDesc) c = -c;
        } else if (sf & kSortDesc) {
          c = -c;
        }
      } else if (sf & kSortDesc) {
        c = -c;
      }
      return c;
    }
  }
  return default_rc;
}

TEST(RecordCompare, AgainstFieldModel) {
  Gen g(24);
  for (int i = 0; i < testing::scaled(40000); i++) {
    KeyInfo ki;
    int n = g.range(1, 4);
    ki.n_key_field = static_cast<uint16_t>(n);
    ki.n_all_field = static_cast<uint16_t>(n);
    for (int k = 0; k < n; k++) {
      ki.collations.push_back(g.pick(
          std::vector<const Collation*>{nullptr, binary_collation(), nocase_collation(), rtrim_collation()}));
      ki.sort_flags.push_back(static_cast<uint8_t>(g.range(0, 3)));
    }
    std::vector<Value> stored, probe;
    for (int k = 0; k < n; k++) {
      Value a = g.value();
      stored.push_back(a);
      Value b = g.chance(40) ? a : g.value();
      if (g.chance(10) && a.is_text()) b = Value::text(std::string(a.text()) + (g.chance(50) ? " " : "A"));
      probe.push_back(b);
    }
    int np = g.range(1, n);
    probe.resize(static_cast<size_t>(np));
    Bytes rec;
    ASSERT_TRUE(encode_record(stored, rec).ok());
    UnpackedRecord p;
    p.key_info = &ki;
    p.fields = probe.data();
    p.n_field = static_cast<uint16_t>(np);
    p.default_rc = static_cast<int8_t>(g.range(-1, 1));
    int got = compare_record(rec.data(), rec.size(), p);
    ASSERT_EQ(p.err_code, 0);
    got = got < 0 ? -1 : (got > 0 ? 1 : 0);
    // Stored values went through the record: compare the decoded ones.
    std::vector<Value> decoded;
    ASSERT_TRUE(decode_record(rec, decoded).ok());
    int want = model_compare(decoded, probe, ki, p.default_rc);
    std::string d;
    for (auto& v : decoded) d += show(v) + " ";
    d += "| ";
    for (auto& v : probe) d += show(v) + " ";
    ASSERT_EQ(got, want) << d;
  }
}

TEST(RecordCompare, CompareKeysMatchesCompareRecord) {
  // OP_Compare on registers and compare_record on the encoded row agree.
  Gen g(27);
  for (int i = 0; i < testing::scaled(20000); i++) {
    KeyInfo ki;
    int n = g.range(1, 4);
    ki.n_key_field = ki.n_all_field = static_cast<uint16_t>(n);
    std::vector<Value> a, b;
    for (int k = 0; k < n; k++) {
      ki.collations.push_back(g.chance(50) ? nocase_collation() : nullptr);
      ki.sort_flags.push_back(static_cast<uint8_t>(g.range(0, 3)));
      a.push_back(g.value());
      b.push_back(g.chance(50) ? a.back() : g.value());
    }
    Bytes rec;
    ASSERT_TRUE(encode_record(a, rec).ok());
    std::vector<Value> decoded;
    ASSERT_TRUE(decode_record(rec, decoded).ok());
    UnpackedRecord p;
    p.key_info = &ki;
    p.fields = b.data();
    p.n_field = static_cast<uint16_t>(n);
    int want = compare_record(rec.data(), rec.size(), p);
    int got = compare_keys(decoded.data(), b.data(), static_cast<size_t>(n), ki);
    ASSERT_EQ(got < 0 ? -1 : (got > 0 ? 1 : 0), want < 0 ? -1 : (want > 0 ? 1 : 0));
  }
}

TEST(RecordOracle, SqliteIndexOrderAgreesWithCompareRecords) {
  Oracle o;
  o.exec("PRAGMA page_size = 65536");
  o.exec("CREATE TABLE t2(x, y, z)");
  o.exec("CREATE INDEX ix ON t2(x DESC, y COLLATE NOCASE, z COLLATE RTRIM)");
  Gen g(25);
  o.exec("BEGIN");
  for (int r = 0; r < 20000; r++) {
    sqlite3_stmt* st = o.stmt("INSERT INTO t2 VALUES (?1, ?2, ?3)");
    Value x = g.value();
    Value y = g.chance(50)
                  ? Value::text(g.pick(std::vector<std::string>{"a", "A", "b", "B", "ab", "Ab", "aB"}))
                  : g.value();
    Value z =
        g.chance(50) ? Value::text(g.pick(std::vector<std::string>{"q", "q ", "q  ", "r", " q"})) : g.value();
    Oracle::bind(st, 1, x);
    Oracle::bind(st, 2, y);
    Oracle::bind(st, 3, z);
    ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
  }
  o.exec("COMMIT");
  DbImage img(o.db());
  std::vector<Bytes> keys;
  img.walk_index(root_page(o, "ix"), keys);
  ASSERT_EQ(keys.size(), 20000u);
  KeyInfo ki;
  ki.n_key_field = 3;
  ki.n_all_field = 4;
  ki.collations = {nullptr, nocase_collation(), rtrim_collation(), nullptr};
  ki.sort_flags = {kSortDesc, 0, 0, 0};
  for (size_t i = 1; i < keys.size(); i++) {
    int err = 0;
    int c = compare_records(keys[i - 1].data(), keys[i - 1].size(), keys[i].data(), keys[i].size(), ki, &err);
    ASSERT_EQ(err, 0);
    ASSERT_LT(c, 0) << "keys " << i - 1 << " and " << i << ": " << hex(keys[i - 1]) << " vs " << hex(keys[i]);
    c = compare_records(keys[i].data(), keys[i].size(), keys[i - 1].data(), keys[i - 1].size(), ki, &err);
    ASSERT_GT(c, 0);
  }
  // Prefix seeks: default_rc places the probe before or after every key
  // that shares its prefix.
  for (int t = 0; t < 2000; t++) {
    const Bytes& k = keys[static_cast<size_t>(g.range(0, static_cast<int>(keys.size()) - 1))];
    std::vector<Value> f(4);
    ASSERT_EQ(unpack_record(k.data(), k.size(), f), 4u);
    for (int8_t drc : {-1, 1}) {
      UnpackedRecord p;
      p.key_info = &ki;
      p.fields = f.data();
      p.n_field = 1;
      p.default_rc = drc;
      // First key that is not "before" the probe.
      auto it = std::partition_point(keys.begin(), keys.end(), [&](const Bytes& b) {
        return compare_record(b.data(), b.size(), p) < 0;
      });
      size_t pos = static_cast<size_t>(it - keys.begin());
      // Every key before pos sorts before the probe; with default_rc = +1
      // that includes no equal key, with -1 all of them.
      for (size_t j = pos; j < keys.size() && j < pos + 3; j++) {
        ASSERT_GT(compare_record(keys[j].data(), keys[j].size(), p), 0);
      }
      if (pos > 0) {
        std::vector<Value> prev(4);
        ASSERT_EQ(unpack_record(keys[pos - 1].data(), keys[pos - 1].size(), prev), 4u);
        bool equal_prefix = compare_values(prev[0], f[0]) == 0;
        EXPECT_EQ(equal_prefix, drc == -1);
      }
    }
  }
}

}  // namespace
}  // namespace keel::vm
