// Record encoding (OP_MakeRecord, sqlite3VdbeSerialType/Put) and lazy
// decoding (OP_Column's header walk, sqlite3VdbeSerialGet).
//
// Invariants of RecordReader:
//   - entries()[0..n_parsed_) hold serial types and body offsets of the first
//     n_parsed_ columns, and every one of them satisfies
//     offset + serial_type_len(type) <= size_ (checked as it is parsed);
//   - hdr_pos_ <= hdr_size_ <= size_, and hdr_[0..hdr_size_) is readable
//     whenever the header has entries left to parse;
//   - local_size_ <= size_; bytes past local_size_ come from source_;
//   - complete_ means no more header entries; when the header was walked to
//     its end, the body lengths summed exactly to the record size;
//   - corrupt_ is sticky: once set, every call returns rc::kCorrupt.
#include "vm/record.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/bytes.h"
#include "base/varint.h"

namespace keel::vm {
namespace {

constexpr int64_t kMax6Byte = (int64_t{0x00008000} << 32) - 1;

uint32_t int_serial_type(int64_t i, int file_format, uint32_t* len) {
  uint64_t u = i < 0 ? ~static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
  if (u <= 127) {
    if ((i & 1) == i && file_format >= 4) {
      *len = 0;
      return 8 + static_cast<uint32_t>(u);
    }
    *len = 1;
    return 1;
  }
  if (u <= 32767) {
    *len = 2;
    return 2;
  }
  if (u <= 8388607) {
    *len = 3;
    return 3;
  }
  if (u <= 2147483647) {
    *len = 4;
    return 4;
  }
  if (u <= static_cast<uint64_t>(kMax6Byte)) {
    *len = 6;
    return 5;
  }
  *len = 8;
  return 6;
}

// The integer a REAL-affinity value is stored as, if any: an INTEGER, or a
// REAL that sqlite3VdbeIntegerAffinity turns into one. The caller then stores
// it as an integer only if it fits in 6 bytes.
bool real_affinity_int(const Value& v, int64_t* out) {
  if (v.is_int()) {
    *out = v.int_value();
    return true;
  }
  double r = v.real_value();
  if (!(r > -9223372036854775808.0 && r < 9223372036854775808.0)) return false;
  int64_t ix = static_cast<int64_t>(r);
  if (r == static_cast<double>(ix) && ix > INT64_MIN && ix < INT64_MAX) {
    *out = ix;
    return true;
  }
  return false;
}

Status corrupt() { return Status(rc::kCorrupt); }

}  // namespace

uint32_t serial_type_for(const Value& v, bool real_affinity, int file_format, uint32_t* len) {
  switch (v.type()) {
    case ValueType::kNull:
      *len = 0;
      return 0;
    case ValueType::kInteger:
    case ValueType::kReal: {
      if (real_affinity) {
        int64_t ix;
        if (real_affinity_int(v, &ix)) {
          uint32_t t = int_serial_type(ix, file_format, len);
          if (*len < 8) return t;
        }
        *len = 8;
        return 7;
      }
      if (v.is_int()) return int_serial_type(v.int_value(), file_format, len);
      *len = 8;
      return 7;
    }
    case ValueType::kText:
    case ValueType::kBlob: {
      uint32_t n = static_cast<uint32_t>(v.size());
      *len = n;
      return n * 2 + 12 + (v.is_text() ? 1 : 0);
    }
  }
  *len = 0;
  return 0;
}

void put_serial_value(uint8_t* out, const Value& v, uint32_t t) {
  if (t == 0 || t == 8 || t == 9 || t == 10 || t == 11) return;
  if (t >= 12) {
    size_t n = serial_type_len(t);
    if (v.is_zeroblob()) {
      std::memset(out, 0, n);
    } else if (n) {
      std::memcpy(out, v.data(), n);
    }
    return;
  }
  uint64_t bits;
  if (t == 7) {
    double r = v.is_int() ? static_cast<double>(v.int_value()) : v.real_value();
    std::memcpy(&bits, &r, 8);
  } else {
    int64_t i;
    if (v.is_int()) {
      i = v.int_value();
    } else {
      i = static_cast<int64_t>(v.real_value());  // REAL affinity, known integral
    }
    bits = static_cast<uint64_t>(i);
  }
  uint32_t len = serial_type_len(t);
  for (uint32_t k = len; k > 0; k--) {
    out[k - 1] = static_cast<uint8_t>(bits);
    bits >>= 8;
  }
}

void get_serial_value(const uint8_t* p, uint32_t t, Value& out) {
  switch (t) {
    case 0:
    case 10:
    case 11:
      out.set_null();
      return;
    case 1:
      out.set_int(static_cast<int8_t>(p[0]));
      return;
    case 2:
      out.set_int(static_cast<int16_t>(get_u16(p)));
      return;
    case 3: {
      int64_t x = static_cast<int64_t>(get_u24(p));
      if (x & 0x800000) x -= 0x1000000;
      out.set_int(x);
      return;
    }
    case 4:
      out.set_int(static_cast<int32_t>(get_u32(p)));
      return;
    case 5: {
      uint64_t x = (uint64_t{get_u16(p)} << 32) | get_u32(p + 2);
      int64_t v = static_cast<int64_t>(x << 16) >> 16;  // sign-extend 48 bits
      out.set_int(v);
      return;
    }
    case 6:
      out.set_int(static_cast<int64_t>(get_u64(p)));
      return;
    case 7: {
      uint64_t x = get_u64(p);
      double r;
      std::memcpy(&r, &x, 8);
      out.set_real(r);  // NaN → NULL
      return;
    }
    case 8:
    case 9:
      out.set_int(t - 8);
      return;
    default: {
      uint32_t n = (t - 12) / 2;
      if (t & 1) {
        out.set_text_ref(std::string_view(reinterpret_cast<const char*>(p), n));
      } else {
        out.set_blob_ref(std::span<const uint8_t>(p, n));
      }
      return;
    }
  }
}

Status encode_record(std::span<const Value> values, std::vector<uint8_t>& out, const RecordOptions& opts) {
  auto is_real = [&](size_t i) {
    return i < opts.affinities.size() && opts.affinities[i] == Affinity::kReal;
  };
  // Serial types of the first kCached columns are kept from the sizing pass.
  constexpr size_t kCached = 64;
  uint32_t types[kCached];
  uint32_t lens[kCached];
  uint64_t n_hdr = 0;
  uint64_t n_data = 0;
  for (size_t i = 0; i < values.size(); i++) {
    uint32_t len;
    uint32_t t = serial_type_for(values[i], is_real(i), opts.file_format, &len);
    if (i < kCached) {
      types[i] = t;
      lens[i] = len;
    }
    n_hdr += static_cast<uint64_t>(t < 0x80 ? 1 : varint_len(t));
    n_data += len;
  }
  if (n_hdr <= 126) {
    n_hdr += 1;
  } else {
    int nv = varint_len(n_hdr);
    n_hdr += static_cast<uint64_t>(nv);
    if (nv < varint_len(n_hdr)) n_hdr++;
  }
  uint64_t total = n_hdr + n_data;
  if (total > opts.max_length) {
    out.clear();
    return Status(rc::kTooBig, "string or blob too big");
  }
  out.resize(static_cast<size_t>(total));
  uint8_t* hdr = out.data();
  uint8_t* body = hdr + n_hdr;
  hdr += put_varint(hdr, n_hdr);
  for (size_t i = 0; i < values.size(); i++) {
    uint32_t len, t;
    if (i < kCached) {
      t = types[i];
      len = lens[i];
    } else {
      t = serial_type_for(values[i], is_real(i), opts.file_format, &len);
    }
    if (t < 0x80) {
      *hdr++ = static_cast<uint8_t>(t);
    } else {
      hdr += put_varint(hdr, t);
    }
    put_serial_value(body, values[i], t);
    body += len;
  }
  return Status::Ok();
}

// --- RecordReader ----------------------------------------------------------

Status RecordReader::reset(std::span<const uint8_t> record) { return reset(record, record.size(), nullptr); }

Status RecordReader::reset(std::span<const uint8_t> local, size_t payload_size, PayloadSource* source) {
  rec_ = local.data();
  local_size_ = std::min(local.size(), payload_size);
  size_ = payload_size;
  source_ = local_size_ < size_ ? source : nullptr;
  hdr_ = rec_;
  n_parsed_ = 0;
  big_.clear();
  corrupt_ = false;
  complete_ = true;
  hdr_size_ = 0;
  hdr_pos_ = 0;
  body_pos_ = 0;
  if (size_ == 0) return Status::Ok();  // no columns
  if (local_size_ < size_ && source == nullptr) {
    corrupt_ = true;
    return Status(rc::kInternal, "partial record without a payload source");
  }
  uint64_t h;
  int n = varint_in(rec_, rec_ + local_size_, &h);
  if (n == 0 && local_size_ < size_) {
    // The size varint itself is cut by the local prefix.
    uint8_t first[kMaxVarintLen];
    uint32_t k = static_cast<uint32_t>(std::min<size_t>(size_, kMaxVarintLen));
    Status st = source_->read(0, k, first);
    if (!st.ok()) {
      corrupt_ = true;  // nothing more can be read from this record
      return st;
    }
    n = get_varint_bounded(first, first + k, &h);
  }
  // A header can hold at most 32768 three-byte types plus its own size
  // (98307 bytes, SQLite's bound); it cannot exceed the record.
  if (n == 0 || h > 98307 || h > size_) {
    corrupt_ = true;
    return corrupt();
  }
  hdr_size_ = static_cast<uint32_t>(h);
  hdr_pos_ = static_cast<uint32_t>(n);
  body_pos_ = hdr_size_;
  // A header size no larger than its own varint means no columns; SQLite
  // does not check the body then either.
  complete_ = hdr_pos_ >= hdr_size_;
  if (!complete_ && hdr_size_ > local_size_) {
    hdr_buf_.resize(hdr_size_);
    Status st = source_->read(0, hdr_size_, hdr_buf_.data());
    if (!st.ok()) {
      corrupt_ = true;
      return st;
    }
    hdr_ = hdr_buf_.data();
  }
  return Status::Ok();
}

void RecordReader::push_big(Entry e) {
  if (big_.empty()) big_.assign(small_, small_ + kSmall);
  big_.push_back(e);
  n_parsed_++;
}

Status RecordReader::parse_through(uint32_t upto) {
  if (corrupt_) return corrupt();
  while (!complete_ && n_parsed_ <= upto) {
    uint64_t t;
    int n;
    if (hdr_[hdr_pos_] < 0x80) {  // hdr_pos_ < hdr_size_ while !complete_
      t = hdr_[hdr_pos_];
      n = 1;
    } else {
      n = varint_in(hdr_ + hdr_pos_, hdr_ + hdr_size_, &t);
      if (n == 0 || hdr_pos_ + static_cast<uint32_t>(n) > hdr_size_) {
        corrupt_ = true;
        return corrupt();
      }
    }
    hdr_pos_ += static_cast<uint32_t>(n);
    uint32_t t32 = t > 0xffffffffu ? 0xffffffffu : static_cast<uint32_t>(t);
    push(Entry{t32, static_cast<uint32_t>(body_pos_)});
    body_pos_ += serial_type_len(t32);
    if (body_pos_ > size_) {
      corrupt_ = true;
      return corrupt();
    }
    if (hdr_pos_ == hdr_size_) {
      // The whole header is read: the bodies must fill the record exactly.
      complete_ = true;
      if (body_pos_ != size_) {
        corrupt_ = true;
        return corrupt();
      }
    }
  }
  return Status::Ok();
}

Status RecordReader::column(uint32_t i, Value& out, const Value* dflt) {
  KEEL_RETURN_IF_ERROR(parse_through(i));
  if (i >= n_parsed_) {
    if (dflt) {
      out.shallow_copy_from(*dflt);
    } else {
      out.set_null();
    }
    return Status::Ok();
  }
  const Entry& e = entries()[i];
  uint32_t len = serial_type_len(e.type);
  if (e.offset + static_cast<uint64_t>(len) <= local_size_) {
    get_serial_value(rec_ + e.offset, e.type, out);
    return Status::Ok();
  }
  // The column lies (partly) outside the local prefix: fetch it.
  if (e.type >= 12) {
    uint8_t* dst = (e.type & 1) ? reinterpret_cast<uint8_t*>(out.prepare_text(len)) : out.prepare_blob(len);
    // Copy what is local, fetch the rest.
    uint32_t have = e.offset < local_size_ ? static_cast<uint32_t>(local_size_ - e.offset) : 0;
    if (have) std::memcpy(dst, rec_ + e.offset, have);
    return source_->read(e.offset + have, len - have, dst + have);
  }
  uint8_t tmp[8];
  KEEL_RETURN_IF_ERROR(source_->read(e.offset, len, tmp));
  get_serial_value(tmp, e.type, out);
  return Status::Ok();
}

Status RecordReader::serial_type(uint32_t i, uint32_t* type) {
  KEEL_RETURN_IF_ERROR(parse_through(i));
  *type = i < n_parsed_ ? entries()[i].type : 0;
  return Status::Ok();
}

Status RecordReader::column_count(uint32_t* n) {
  KEEL_RETURN_IF_ERROR(parse_through(UINT32_MAX - 1));
  *n = n_parsed_;
  return Status::Ok();
}

Status decode_record(std::span<const uint8_t> record, std::vector<Value>& out) {
  RecordReader r;
  KEEL_RETURN_IF_ERROR(r.reset(record));
  uint32_t n;
  KEEL_RETURN_IF_ERROR(r.column_count(&n));
  out.resize(n);
  for (uint32_t i = 0; i < n; i++) KEEL_RETURN_IF_ERROR(r.column(i, out[i]));
  return Status::Ok();
}

}  // namespace keel::vm
