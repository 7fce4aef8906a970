// SQLite's record format: how a row (or an index key) of Values is stored in
// a b-tree cell payload (SQLite file format, "Record Format").
//
//   record  = header body
//   header  = varint(header size in bytes, itself included) serial-type*
//   body    = the values, one after another, in column order
//
//   serial type   body bytes   value
//   0             0            NULL
//   1,2,3,4,5,6   1,2,3,4,6,8  big-endian two's-complement integer
//   7             8            big-endian IEEE 754 double
//   8, 9          0            the integers 0 and 1 (schema format 4)
//   10, 11        0            reserved (read as NULL, as SQLite does)
//   N>=12 even    (N-12)/2     BLOB
//   N>=13 odd     (N-13)/2     TEXT
//
// Encoding picks the smallest integer type; a REAL is stored as type 7,
// except in a column with REAL affinity where an integral value that fits in
// 6 bytes is stored as an integer (and read back as REAL by the VM), exactly
// as SQLite does, so records are byte-identical to SQLite's.
//
// Decoding is lazy: RecordReader parses the header only as far as the
// highest column asked for, decodes one column at a time, and returns
// TEXT/BLOB values borrowed from the record buffer, so reading a column
// allocates nothing. Every byte of a record is untrusted: a malformed header
// yields rc::kCorrupt, never an out-of-bounds read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/varint.h"
#include "keel/status.hpp"
#include "vm/affinity.h"
#include "vm/value.h"

namespace keel::vm {

// get_varint_bounded inlined for the per-row paths (same results): the
// unbounded decoder is safe with a full varint's worth of bytes before `end`.
inline int varint_in(const uint8_t* p, const uint8_t* end, uint64_t* v) {
  if (end - p >= kMaxVarintLen) return get_varint(p, v);
  return get_varint_bounded(p, end, v);
}

// sqlite3VdbeSerialTypeLen: body bytes of a serial type.
inline uint32_t serial_type_len(uint32_t t) {
  static const uint8_t kSmall[12] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0};
  return t >= 12 ? (t - 12) / 2 : kSmall[t];
}

// sqlite3VdbeSerialType: the serial type for v and its body length. With
// real_affinity, an INTEGER (or a REAL with an exact integer value) is stored
// as an integer when that takes at most 6 bytes, else as a REAL. file_format
// below 4 never uses types 8 and 9.
uint32_t serial_type_for(const Value& v, bool real_affinity, int file_format, uint32_t* body_len);

// Writes the body bytes of v for serial type t at out (serial_type_len(t)
// bytes; a zero-blob writes zeros).
void put_serial_value(uint8_t* out, const Value& v, uint32_t t);

// Decodes the value of serial type t from the `len` = serial_type_len(t)
// bytes at p (sqlite3VdbeSerialGet). TEXT/BLOB are borrowed from p. A NaN
// REAL reads as NULL.
void get_serial_value(const uint8_t* p, uint32_t t, Value& out);

struct RecordOptions {
  // Column affinities (as applied before encoding); only kReal changes the
  // encoding. Empty = no REAL columns. Shorter than the row = the rest none.
  std::span<const Affinity> affinities;
  int file_format = 4;             // the schema format number (header byte 44)
  size_t max_length = 1000000000;  // SQLITE_LIMIT_LENGTH
};

// OP_MakeRecord: encodes `values` as one record into `out` (cleared first;
// its capacity is reused, so steady-state encoding allocates nothing).
// Fails with rc::kTooBig "string or blob too big" above max_length.
Status encode_record(std::span<const Value> values, std::vector<uint8_t>& out,
                     const RecordOptions& opts = {});

// Where RecordReader fetches payload bytes that are not in the local prefix
// it was given (the b-tree's overflow pages). Implemented by the caller, e.g.
// over BtCursor::read_payload.
class PayloadSource {
 public:
  virtual ~PayloadSource() = default;
  // Copies payload bytes [offset, offset + n) into buf.
  virtual Status read(uint32_t offset, uint32_t n, uint8_t* buf) = 0;
};

// Reads the columns of one record.
class RecordReader {
 public:
  RecordReader() = default;
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  // Points the reader at a record held entirely in `record`. The bytes must
  // stay valid while columns are read, and so must any TEXT/BLOB Value read
  // from them. Fails with rc::kCorrupt if the header size is impossible.
  Status reset(std::span<const uint8_t> record);

  // Points the reader at a record of `payload_size` bytes of which only the
  // prefix `local` is in memory (a cell whose payload overflows). The header
  // and any column that is not wholly inside `local` are fetched from
  // `source` when needed: a column inside `local` is borrowed as usual, one
  // outside it is copied into the destination Value (owned). So reading the
  // first columns of a row with a large trailing blob touches no overflow
  // page. `source` must outlive the reads.
  Status reset(std::span<const uint8_t> local, size_t payload_size, PayloadSource* source);

  // Decodes column i into out. A column past the end of a record that is
  // shorter than the schema (ALTER TABLE ADD COLUMN) yields *dflt, shallow
  // copied, or NULL. TEXT/BLOB are borrowed from the record.
  Status column(uint32_t i, Value& out, const Value* dflt = nullptr);

  // Offset just past column i's body within the record, once column(i) or
  // serial_type(i) has parsed its header entry; 0 otherwise.
  uint32_t column_end(uint32_t i) const {
    if (i >= n_parsed_) return 0;
    const Entry& e = (big_.empty() ? small_ : big_.data())[i];
    return e.offset + serial_type_len(e.type);
  }

  // Serial type of column i (0 for a column past the end).
  Status serial_type(uint32_t i, uint32_t* type);

  // Number of columns in the record (parses the whole header).
  Status column_count(uint32_t* n);

  // The in-memory bytes of the record (the local prefix for a partial one).
  std::span<const uint8_t> bytes() const { return {rec_, local_size_}; }
  size_t payload_size() const { return size_; }

 private:
  struct Entry {
    uint32_t type;
    uint32_t offset;  // offset of this column's body within the record
  };
  // Parses header entries until column `upto` is known or the header ends.
  Status parse_through(uint32_t upto);
  Entry* entries() { return big_.empty() ? small_ : big_.data(); }
  void push(Entry e) {
    if (n_parsed_ < kSmall) {
      small_[n_parsed_++] = e;
    } else {
      push_big(e);
    }
  }
  void push_big(Entry e);

  static constexpr uint32_t kSmall = 32;
  const uint8_t* rec_ = nullptr;  // the record bytes in memory (a prefix if partial)
  size_t local_size_ = 0;         // bytes available at rec_
  size_t size_ = 0;               // the whole record's size
  PayloadSource* source_ = nullptr;
  const uint8_t* hdr_ = nullptr;  // the header bytes: rec_, or hdr_buf_ when not local
  uint32_t hdr_size_ = 0;         // header size from the first varint
  uint32_t hdr_pos_ = 0;          // next unparsed header byte
  uint64_t body_pos_ = 0;         // body offset of the next column to parse
  uint32_t n_parsed_ = 0;         // header entries parsed
  bool complete_ = true;          // whole header parsed and validated
  bool corrupt_ = false;          // sticky: a malformed header was seen
  Entry small_[kSmall];
  std::vector<Entry> big_;        // used once a record has more than kSmall columns; keeps capacity
  std::vector<uint8_t> hdr_buf_;  // a header fetched from the source; keeps capacity
};

// Decodes every column of a record into `out` (resized), borrowing
// TEXT/BLOB from the record. For tests and tools; the VM uses RecordReader.
Status decode_record(std::span<const uint8_t> record, std::vector<Value>& out);

}  // namespace keel::vm
