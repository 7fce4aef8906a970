// Parsing and writing the vector blob formats; see vector_format.h for the
// layouts. Validation follows Turso's order and messages so that a malformed
// blob fails the same way in both engines.
#include "vector_format.h"

#include <string>

namespace keel::vector {
namespace {

size_t align4(size_t n) { return (n + 3) / 4 * 4; }

}  // namespace

Status conversion_error(std::string_view message) {
  return Status(rc::kError, "Conversion error: " + std::string(message));
}

Status invalid_argument(std::string_view message) {
  return Status(rc::kError, "Invalid argument supplied: " + std::string(message));
}

const char* type_name(VectorType t) {
  switch (t) {
    case VectorType::kFloat32:
      return "float32";
    case VectorType::kFloat64:
      return "float64";
    case VectorType::kFloat1Bit:
      return "float1bit";
    case VectorType::kFloat8:
      return "float8";
    case VectorType::kFloat32Sparse:
      return "float32_sparse";
  }
  return "unknown";
}

Result<VectorView> parse_blob(std::span<const uint8_t> blob) {
  VectorView v;
  v.data = blob.data();
  const size_t len = blob.size();
  if (len % 2 == 0) {
    // Even length: raw f32 without a tag.
    if (len % 4 != 0)
      return invalid_argument("f32 dense vector unexpected data length: " + std::to_string(len));
    v.type = VectorType::kFloat32;
    v.dims = len / 4;
    return v;
  }
  const uint8_t tag = blob[len - 1];
  const size_t n = len - 1;  // bytes before the tag
  switch (tag) {
    case 1:
      if (n % 4 != 0)
        return invalid_argument("f32 dense vector unexpected data length: " + std::to_string(n));
      v.type = VectorType::kFloat32;
      v.dims = n / 4;
      return v;
    case 2:
      if (n % 8 != 0)
        return invalid_argument("f64 dense vector unexpected data length: " + std::to_string(n));
      v.type = VectorType::kFloat64;
      v.dims = n / 8;
      return v;
    case 3: {
      // [bits][pad iff ⌈d/8⌉ even][T][3]; n is even and non-zero because len is odd.
      if (n == 0 || n % 2 != 0)
        return conversion_error("float1bit vector blob length must be even and non-empty");
      const size_t trailing = blob[n - 1];
      if (trailing > n * 8) {
        return conversion_error("float1bit vector trailing bits " + std::to_string(trailing) +
                                " exceed blob capacity");
      }
      const size_t dims = n * 8 - trailing;
      const size_t data_size = (dims + 7) / 8;
      if (data_size >= n) {
        return conversion_error("float1bit vector needs " + std::to_string(data_size) +
                                " data bytes but blob holds " + std::to_string(n));
      }
      if (dims == 0 || data_size != (dims + 7) / 8) {
        return invalid_argument("f1bit vector data length mismatch: got " + std::to_string(data_size) +
                                " expected " + std::to_string((dims + 7) / 8) + " for " +
                                std::to_string(dims) + " dims");
      }
      v.type = VectorType::kFloat1Bit;
      v.dims = dims;
      return v;
    }
    case 4: {
      // [q × d][pad to 4][alpha][shift][0x00][t][4]
      if (n < 2 || n % 2 != 0) {
        return conversion_error("float8 vector blob must have even length >= 2 (excluding type byte)");
      }
      const size_t trailing = blob[n - 1];
      if (n < 10 || n - 10 < trailing) {
        return conversion_error("float8 vector blob of " + std::to_string(n) + " bytes is too short for " +
                                std::to_string(trailing) + " trailing bytes");
      }
      const size_t dims = n - 10 - trailing;
      const size_t data_size = n - 2;  // align4(d) + 8 when the blob is well formed
      if (dims == 0 || data_size != align4(dims) + 8) {
        return invalid_argument("f8 vector data length mismatch: got " + std::to_string(data_size) +
                                " expected " + std::to_string(align4(dims) + 8) + " for " +
                                std::to_string(dims) + " dims");
      }
      v.type = VectorType::kFloat8;
      v.dims = dims;
      std::memcpy(&v.alpha, blob.data() + align4(dims), 4);
      std::memcpy(&v.shift, blob.data() + align4(dims) + 4, 4);
      return v;
    }
    case 5:
    case 6:
      return conversion_error("unsupported vector type from LibSQL");
    case 9: {
      // [values f32 × k][indices u32 × k][dims u32][9]
      if (n == 0 || n % 4 != 0 || (n - 4) % 8 != 0) {
        return invalid_argument("f32 sparse vector unexpected data length: " + std::to_string(n));
      }
      const size_t nnz = (n - 4) / 8;
      const size_t dims = load_u32(blob.data(), 2 * nnz);
      const uint8_t* idx = blob.data() + 4 * nnz;
      for (size_t i = 0; i < nnz; i++) {
        const uint32_t index = load_u32(idx, i);
        if (index >= dims) {
          return invalid_argument("f32 sparse vector index " + std::to_string(index) + " out of range for " +
                                  std::to_string(dims) + " dims");
        }
      }
      v.type = VectorType::kFloat32Sparse;
      v.dims = dims;
      v.nnz = nnz;
      return v;
    }
    default:
      return conversion_error("unknown vector type: " + std::to_string(tag));
  }
}

size_t blob_size_f32(size_t dims) { return 4 * dims; }
size_t blob_size_f64(size_t dims) { return 8 * dims + 1; }
size_t blob_size_1bit(size_t dims) {
  const size_t data = (dims + 7) / 8;
  return data + (data % 2 == 0 ? 1 : 0) + 2;
}
size_t blob_size_8bit(size_t dims) { return align4(dims) + 8 + 3; }
size_t blob_size_sparse(size_t nnz) { return 8 * nnz + 5; }

void write_f32(uint8_t* out, const float* values, size_t dims) {
  if (dims) std::memcpy(out, values, 4 * dims);
}

void write_f64(uint8_t* out, const double* values, size_t dims) {
  if (dims) std::memcpy(out, values, 8 * dims);
  out[8 * dims] = static_cast<uint8_t>(VectorType::kFloat64);
}

void write_1bit(uint8_t* out, const uint8_t* bits, size_t dims) {
  const size_t data = (dims + 7) / 8;
  if (data) std::memcpy(out, bits, data);
  size_t pos = data;
  if (data % 2 == 0) out[pos++] = 0;
  const size_t before_tag = pos + 1;  // bytes before the tag, T included
  out[pos++] = static_cast<uint8_t>(before_tag * 8 - dims);
  out[pos] = static_cast<uint8_t>(VectorType::kFloat1Bit);
}

void write_8bit(uint8_t* out, const uint8_t* q, size_t dims, float alpha, float shift) {
  const size_t aligned = align4(dims);
  if (dims) std::memcpy(out, q, dims);
  std::memset(out + dims, 0, aligned - dims);
  std::memcpy(out + aligned, &alpha, 4);
  std::memcpy(out + aligned + 4, &shift, 4);
  out[aligned + 8] = 0;
  out[aligned + 9] = static_cast<uint8_t>(aligned - dims);
  out[aligned + 10] = static_cast<uint8_t>(VectorType::kFloat8);
}

void write_sparse(uint8_t* out, const uint8_t* values, const uint8_t* indices, size_t nnz, size_t dims) {
  if (nnz) {
    std::memcpy(out, values, 4 * nnz);
    std::memcpy(out + 4 * nnz, indices, 4 * nnz);
  }
  store_u32(out, 2 * nnz, static_cast<uint32_t>(dims));
  out[8 * nnz + 4] = static_cast<uint8_t>(VectorType::kFloat32Sparse);
}

size_t canonical_size(const VectorView& v) {
  switch (v.type) {
    case VectorType::kFloat32:
      return blob_size_f32(v.dims);
    case VectorType::kFloat64:
      return blob_size_f64(v.dims);
    case VectorType::kFloat1Bit:
      return blob_size_1bit(v.dims);
    case VectorType::kFloat8:
      return blob_size_8bit(v.dims);
    case VectorType::kFloat32Sparse:
      return blob_size_sparse(v.nnz);
  }
  return 0;
}

void write_canonical(uint8_t* out, const VectorView& v) {
  switch (v.type) {
    case VectorType::kFloat32:
      if (v.dims) std::memcpy(out, v.data, 4 * v.dims);
      return;
    case VectorType::kFloat64:
      if (v.dims) std::memcpy(out, v.data, 8 * v.dims);
      out[8 * v.dims] = static_cast<uint8_t>(VectorType::kFloat64);
      return;
    case VectorType::kFloat1Bit:
      write_1bit(out, v.data, v.dims);
      return;
    case VectorType::kFloat8: {
      // Turso keeps the aligned data region (padding included) as stored.
      const size_t region = align4(v.dims) + 8;
      std::memcpy(out, v.data, region);
      out[region] = 0;
      out[region + 1] = static_cast<uint8_t>(align4(v.dims) - v.dims);
      out[region + 2] = static_cast<uint8_t>(VectorType::kFloat8);
      return;
    }
    case VectorType::kFloat32Sparse:
      write_sparse(out, v.sparse_values(), v.sparse_indices(), v.nnz, v.dims);
      return;
  }
}

}  // namespace keel::vector
