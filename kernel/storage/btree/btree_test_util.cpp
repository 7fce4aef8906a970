#include "storage/btree/btree_test_util.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "base/varint.h"

namespace keel::storage::testing {

namespace {

int int_size(int64_t v, int* type) {
  if (v == 0) {
    *type = 8;
    return 0;
  }
  if (v == 1) {
    *type = 9;
    return 0;
  }
  uint64_t u = v < 0 ? ~static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  if (u <= 127) {
    *type = 1;
    return 1;
  }
  if (u <= 32767) {
    *type = 2;
    return 2;
  }
  if (u <= 8388607) {
    *type = 3;
    return 3;
  }
  if (u <= 2147483647) {
    *type = 4;
    return 4;
  }
  if (u <= 140737488355327LL) {
    *type = 5;
    return 6;
  }
  *type = 6;
  return 8;
}

}  // namespace

std::vector<uint8_t> encode_record(const Row& row) {
  std::vector<uint64_t> types;
  size_t body = 0;
  for (const Value& v : row) {
    if (std::holds_alternative<std::monostate>(v)) {
      types.push_back(0);
    } else if (auto* i = std::get_if<int64_t>(&v)) {
      int t;
      body += int_size(*i, &t);
      types.push_back(t);
    } else if (std::holds_alternative<double>(v)) {
      types.push_back(7);
      body += 8;
    } else if (auto* s = std::get_if<std::string>(&v)) {
      types.push_back(2 * s->size() + 13);
      body += s->size();
    } else {
      const Blob& b = std::get<Blob>(v);
      types.push_back(2 * b.bytes.size() + 12);
      body += b.bytes.size();
    }
  }
  size_t hdr = 0;
  for (uint64_t t : types) hdr += varint_len(t);
  size_t hsize = hdr + 1;
  while (hdr + varint_len(hsize) != hsize) hsize = hdr + varint_len(hsize);
  std::vector<uint8_t> out(hsize + body);
  uint8_t* p = out.data();
  p += put_varint(p, hsize);
  for (uint64_t t : types) p += put_varint(p, t);
  for (size_t k = 0; k < row.size(); k++) {
    const Value& v = row[k];
    if (auto* i = std::get_if<int64_t>(&v)) {
      int t;
      int n = int_size(*i, &t);
      for (int j = n - 1; j >= 0; j--) *p++ = static_cast<uint8_t>(static_cast<uint64_t>(*i) >> (8 * j));
    } else if (auto* d = std::get_if<double>(&v)) {
      uint64_t u;
      std::memcpy(&u, d, 8);
      for (int j = 7; j >= 0; j--) *p++ = static_cast<uint8_t>(u >> (8 * j));
    } else if (auto* s = std::get_if<std::string>(&v)) {
      std::memcpy(p, s->data(), s->size());
      p += s->size();
    } else if (auto* b = std::get_if<Blob>(&v)) {
      if (!b->bytes.empty()) std::memcpy(p, b->bytes.data(), b->bytes.size());
      p += b->bytes.size();
    }
  }
  return out;
}

bool decode_record(const uint8_t* p, size_t n, Row* row) {
  row->clear();
  uint64_t hsize;
  int k = get_varint_bounded(p, p + n, &hsize);
  if (k == 0 || hsize > n) return false;
  size_t off = k;
  size_t body = hsize;
  while (off < hsize) {
    uint64_t t;
    int m = get_varint_bounded(p + off, p + hsize, &t);
    if (m == 0) return false;
    off += m;
    size_t len = 0;
    if (t == 0) {
      row->emplace_back(std::monostate{});
      continue;
    }
    if (t == 8 || t == 9) {
      row->emplace_back(int64_t(t - 8));
      continue;
    }
    if (t >= 1 && t <= 6) {
      static const int sizes[] = {0, 1, 2, 3, 4, 6, 8};
      len = sizes[t];
      if (body + len > n) return false;
      uint64_t u = (p[body] & 0x80) ? ~uint64_t{0} : 0;
      for (size_t j = 0; j < len; j++) u = (u << 8) | p[body + j];
      row->emplace_back(static_cast<int64_t>(u));
    } else if (t == 7) {
      len = 8;
      if (body + len > n) return false;
      uint64_t u = 0;
      for (size_t j = 0; j < 8; j++) u = (u << 8) | p[body + j];
      double d;
      std::memcpy(&d, &u, 8);
      row->emplace_back(d);
    } else if (t >= 12) {
      len = (t - 12) / 2;
      if (body + len > n) return false;
      if (t % 2) {
        row->emplace_back(std::string(reinterpret_cast<const char*>(p + body), len));
      } else {
        row->emplace_back(Blob{std::vector<uint8_t>(p + body, p + body + len)});
      }
    } else {
      return false;
    }
    body += len;
  }
  return true;
}

std::string row_to_string(const Row& row) {
  std::string s = "(";
  for (size_t i = 0; i < row.size(); i++) {
    if (i) s += ",";
    const Value& v = row[i];
    if (std::holds_alternative<std::monostate>(v))
      s += "NULL";
    else if (auto* x = std::get_if<int64_t>(&v))
      s += std::to_string(*x);
    else if (auto* d = std::get_if<double>(&v))
      s += std::to_string(*d);
    else if (auto* t = std::get_if<std::string>(&v))
      s += "'" + (t->size() > 40 ? t->substr(0, 40) + "..." : *t) + "'";
    else
      s += "blob[" + std::to_string(std::get<Blob>(v).bytes.size()) + "]";
  }
  return s + ")";
}

int compare_values(const Value& a, const Value& b) {
  auto cls = [](const Value& v) {
    if (std::holds_alternative<std::monostate>(v)) return 0;
    if (std::holds_alternative<int64_t>(v) || std::holds_alternative<double>(v)) return 1;
    if (std::holds_alternative<std::string>(v)) return 2;
    return 3;
  };
  int ca = cls(a), cb = cls(b);
  if (ca != cb) return ca < cb ? -1 : 1;
  switch (ca) {
    case 0:
      return 0;
    case 1: {
      auto num = [](const Value& v) {
        if (auto* i = std::get_if<int64_t>(&v)) return static_cast<long double>(*i);
        return static_cast<long double>(std::get<double>(v));
      };
      if (std::holds_alternative<int64_t>(a) && std::holds_alternative<int64_t>(b)) {
        int64_t x = std::get<int64_t>(a), y = std::get<int64_t>(b);
        return x < y ? -1 : x > y;
      }
      long double x = num(a), y = num(b);
      return x < y ? -1 : x > y;
    }
    case 2: {
      const auto& x = std::get<std::string>(a);
      const auto& y = std::get<std::string>(b);
      int c = std::memcmp(x.data(), y.data(), std::min(x.size(), y.size()));
      if (c) return c < 0 ? -1 : 1;
      return x.size() < y.size() ? -1 : x.size() > y.size();
    }
    default: {
      const auto& x = std::get<Blob>(a).bytes;
      const auto& y = std::get<Blob>(b).bytes;
      size_t n = std::min(x.size(), y.size());
      int c = n ? std::memcmp(x.data(), y.data(), n) : 0;
      if (c) return c < 0 ? -1 : 1;
      return x.size() < y.size() ? -1 : x.size() > y.size();
    }
  }
}

static int compare_rows(const Row& a, const Row& b, int default_rc) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; i++) {
    int c = compare_values(a[i], b[i]);
    if (c) return c;
  }
  return default_rc;
}

int RecordOrder::compare_keys(const uint8_t* a, size_t na, const uint8_t* b, size_t nb) const {
  Row ra, rb;
  if (!decode_record(a, na, &ra) || !decode_record(b, nb, &rb)) return 0;
  return compare_rows(ra, rb, 0);
}

int RecordProbe::compare(const uint8_t* key, size_t size) const {
  Row r;
  if (!decode_record(key, size, &r)) return 0;
  return compare_rows(r, probe_, rc_);
}

std::vector<uint8_t> payload_for(int64_t key, uint32_t size) {
  std::vector<uint8_t> v(size);
  uint64_t x = static_cast<uint64_t>(key) * 0x9E3779B97F4A7C15ull + size;
  for (uint32_t i = 0; i < size; i++) {
    x ^= x >> 13;
    x *= 0xff51afd7ed558ccdull;
    v[i] = static_cast<uint8_t>(x >> 56);
  }
  return v;
}

std::vector<uint8_t> read_all(BtCursor& c) {
  std::vector<uint8_t> v(c.payload_size());
  Status st = c.read_payload(0, static_cast<uint32_t>(v.size()), v.data());
  EXPECT_TRUE(st.ok()) << st.to_string();
  return v;
}

void expect_integrity_ok(Btree& bt, std::vector<PageNo> roots) {
  auto r = bt.integrity_check(roots);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  std::string all;
  for (auto& m : *r) all += m + "\n";
  EXPECT_TRUE(r->empty()) << all;
}

// Full scans forwards and backwards must equal the model.
void expect_table_matches(Btree& bt, PageNo root, const std::map<int64_t, std::vector<uint8_t>>& model) {
  BtCursor c(bt, root, false);
  ASSERT_OK(c.first());
  auto it = model.begin();
  size_t n = 0;
  while (!c.eof()) {
    ASSERT_NE(it, model.end());
    ASSERT_EQ(c.rowid(), it->first);
    ASSERT_EQ(read_all(c), it->second) << "rowid " << it->first;
    ++it;
    ++n;
    ASSERT_OK(c.next());
  }
  ASSERT_EQ(n, model.size());
  ASSERT_OK(c.last());
  auto rit = model.rbegin();
  while (!c.eof()) {
    ASSERT_NE(rit, model.rend());
    ASSERT_EQ(c.rowid(), rit->first);
    ++rit;
    ASSERT_OK(c.prev());
  }
  ASSERT_EQ(rit, model.rend());
  auto cnt = c.count();
  ASSERT_TRUE(cnt.ok());
  ASSERT_EQ(*cnt, static_cast<int64_t>(model.size()));
}

std::string temp_dir() {
  char tmpl[] = "/tmp/keel_btree_XXXXXX";
  char* d = mkdtemp(tmpl);
  return d ? std::string(d) : std::string("/tmp");
}

std::unique_ptr<TestDb> TestDb::create(const std::string& name, uint32_t page_size) {
  auto db = std::make_unique<TestDb>();
  db->dir = temp_dir();
  db->path = db->dir + "/" + name;
  PagerOptions opt;
  opt.page_size = page_size;
  auto p = Pager::open(db->path, opt);
  if (!p.ok()) return nullptr;
  db->pager = std::move(p).value();
  auto b = Btree::open(*db->pager);
  if (!b.ok()) return nullptr;
  db->btree = std::move(b).value();
  return db;
}

Status TestDb::reopen() {
  btree.reset();
  pager.reset();
  PagerOptions opt;
  auto p = Pager::open(path, opt);
  if (!p.ok()) return p.take_status();
  pager = std::move(p).value();
  auto b = Btree::open(*pager);
  if (!b.ok()) return b.take_status();
  btree = std::move(b).value();
  return Status::Ok();
}

void TestDb::close() {
  btree.reset();
  pager.reset();
}

TestDb::~TestDb() {
  close();
  std::error_code ec;
  if (!dir.empty() && dir != "/tmp") std::filesystem::remove_all(dir, ec);
}

std::string run(const std::string& cmd) {
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  pclose(f);
  return out;
}

std::vector<PageNo> schema_roots(Btree& bt) {
  std::vector<PageNo> roots{1};
  BtCursor c(bt, 1, false);
  if (!c.first().ok()) return roots;
  std::vector<uint8_t> buf;
  while (!c.eof()) {
    buf.resize(c.payload_size());
    if (!c.read_payload(0, static_cast<uint32_t>(buf.size()), buf.data()).ok()) break;
    Row r;
    if (decode_record(buf.data(), buf.size(), &r) && r.size() >= 4) {
      if (auto* v = std::get_if<int64_t>(&r[3]); v && *v > 0) roots.push_back(static_cast<PageNo>(*v));
    }
    if (!c.next().ok()) break;
  }
  return roots;
}

}  // namespace keel::storage::testing
