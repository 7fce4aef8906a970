#include "record.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace keel::cdc {

namespace {

// SQLite varint: 1..9 bytes, big-endian groups of 7 bits with the high bit
// set on all but the last; the ninth byte contributes all 8 bits.
bool read_varint(std::span<const uint8_t> in, size_t& pos, uint64_t& v) {
  v = 0;
  for (int i = 0; i < 9; i++) {
    if (pos >= in.size()) return false;
    uint8_t b = in[pos++];
    if (i == 8) {
      v = (v << 8) | b;
      return true;
    }
    v = (v << 7) | (b & 0x7f);
    if ((b & 0x80) == 0) return true;
  }
  return true;
}

size_t varint_len(uint64_t v) {
  if (v > 0x00ffffffffffffffULL) return 9;
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

size_t body_len(uint64_t type) {
  static constexpr size_t kFixed[12] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0};
  if (type < 12) return kFixed[type];
  return static_cast<size_t>((type - 12) / 2);
}

int64_t read_int(std::span<const uint8_t> b) {
  uint64_t v = (b[0] & 0x80) ? ~uint64_t{0} : 0;  // sign-extend
  for (uint8_t byte : b) v = (v << 8) | byte;
  return static_cast<int64_t>(v);
}

}  // namespace

Status parse_record(std::span<const uint8_t> record, std::vector<Field>& out) {
  out.clear();
  size_t pos = 0;
  uint64_t header_size = 0;
  if (!read_varint(record, pos, header_size) || header_size < pos || header_size > record.size()) {
    return Status(rc::kCorrupt, "malformed record header");
  }
  size_t body = static_cast<size_t>(header_size);
  out.reserve(16);
  while (pos < header_size) {
    uint64_t type = 0;
    if (!read_varint(record.first(header_size), pos, type) || type == 10 || type == 11) {
      return Status(rc::kCorrupt, "malformed record header");
    }
    size_t n = body_len(type);
    if (n > record.size() - body) return Status(rc::kCorrupt, "record field extends past its end");
    out.push_back(Field{type, record.subspan(body, n)});
    body += n;
  }
  return Status::Ok();
}

namespace {

// Writes v at p (SQLite varint); returns its length.
size_t write_varint_long(uint8_t* p, uint64_t v) {
  if (v > 0x00ffffffffffffffULL) {
    p[8] = static_cast<uint8_t>(v);
    v >>= 8;
    for (int i = 7; i >= 0; i--) {
      p[i] = static_cast<uint8_t>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    return 9;
  }
  size_t n = varint_len(v);
  for (size_t i = n; i-- > 0;) {
    p[i] = static_cast<uint8_t>((v & 0x7f) | (i + 1 < n ? 0x80 : 0));
    v >>= 7;
  }
  return n;
}

// Serial types and header sizes are most often below 128: one byte.
inline size_t write_varint(uint8_t* p, uint64_t v) {
  if (v < 0x80) {
    *p = static_cast<uint8_t>(v);
    return 1;
  }
  return write_varint_long(p, v);
}

}  // namespace

size_t put_record(std::span<const Field> fields, std::vector<uint8_t>& out, size_t at, Field* repointed) {
  size_t types_len = 0, bodies_len = 0;
  for (const Field& f : fields) {
    types_len += f.type < 0x80 ? 1 : varint_len(f.type);
    bodies_len += f.body.size();
  }
  // The header size counts its own varint, whose length depends on it.
  size_t own = 1;
  while (varint_len(types_len + own) != own) own++;
  size_t header = types_len + own;
  size_t end = at + header + bodies_len;
  if (out.size() < end) out.resize(end);
  uint8_t* h = out.data() + at;
  uint8_t* b = h + header;
  h += write_varint(h, header);
  for (size_t i = 0; i < fields.size(); i++) {
    const Field& f = fields[i];
    h += write_varint(h, f.type);
    size_t n = f.body.size();
    if (n != 0) std::memcpy(b, f.body.data(), n);
    if (repointed) repointed[i] = Field{f.type, std::span<const uint8_t>(b, n)};
    b += n;
  }
  return end;
}

void write_record(std::span<const Field> fields, std::vector<uint8_t>& out) {
  out.resize(put_record(fields, out, 0));  // shrinking keeps the bytes: no refill
}

Field value_field(const Value& v, std::array<uint8_t, 8>& storage) {
  switch (v.type()) {
    case Type::kNull:
      return Field{0, {}};
    case Type::kInteger:
      return integer_field(v.as_int64(), storage);
    case Type::kReal: {
      uint64_t bits = std::bit_cast<uint64_t>(v.as_double());
      for (int i = 0; i < 8; i++) storage[7 - i] = static_cast<uint8_t>(bits >> (8 * i));
      return Field{7, std::span<const uint8_t>(storage.data(), 8)};
    }
    case Type::kText: {
      std::string_view t = v.text();
      return Field{13 + 2 * static_cast<uint64_t>(t.size()),
                   std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(t.data()), t.size())};
    }
    case Type::kBlob: {
      auto b = v.blob();
      return Field{12 + 2 * static_cast<uint64_t>(b.size()), b};
    }
  }
  return Field{0, {}};
}

Value field_value(const Field& f) {
  if (f.type == 0) return Value();
  if (f.type == 8) return Value(int64_t{0});
  if (f.type == 9) return Value(int64_t{1});
  if (f.type <= 6) return Value(read_int(f.body));
  if (f.type == 7) {
    uint64_t bits = 0;
    for (uint8_t b : f.body) bits = (bits << 8) | b;
    return Value(std::bit_cast<double>(bits));
  }
  if (f.type % 2 == 1) {
    return Value(std::string(reinterpret_cast<const char*>(f.body.data()), f.body.size()));
  }
  return Value::blob(f.body);
}

bool same_field(const Field& a, const Field& b) {
  return a.type == b.type && std::equal(a.body.begin(), a.body.end(), b.body.begin(), b.body.end());
}

}  // namespace keel::cdc
