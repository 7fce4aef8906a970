// Conversions, concat, slice and distances; see vector_ops.h. Each formula
// mirrors Turso's (core/vector/operations/*.rs) including the precision it
// computes in, so results agree to the last bit wherever the summation order
// allows it.
#include "vector_ops.h"

#include <cmath>
#include <string>

#include "kernels.h"

namespace keel::vector {
namespace {

size_t bits_bytes(size_t dims) { return (dims + 7) / 8; }

bool bit(const uint8_t* bits, size_t i) { return (bits[i / 8] >> (i & 7)) & 1; }

// simsimd's cosine normalization, which Turso's dense paths go through.
double cos_from_sums(double ab, double a2, double b2) {
  if (a2 == 0 && b2 == 0) return 0;
  if (ab == 0) return 1;
  const double r = 1 - ab / std::sqrt(a2 * b2);
  return r > 0 ? r : 0;
}

double cos_dense(const VectorView& a, const VectorView& b) {
  const DenseKernels& k = dense_kernels();
  DotNorms s =
      a.type == VectorType::kFloat32 ? k.cos_f32(a.data, b.data, a.dims) : k.cos_f64(a.data, b.data, a.dims);
  return cos_from_sums(s.ab, s.a2, s.b2);
}

// Sparse merges: indices ascending; f32 accumulation as in Turso.
double cos_sparse(const VectorView& a, const VectorView& b) {
  const uint8_t *ia = a.sparse_indices(), *ib = b.sparse_indices();
  const uint8_t *va = a.sparse_values(), *vb = b.sparse_values();
  float dot = 0, n1 = 0, n2 = 0;
  size_t i = 0, j = 0;
  while (i < a.nnz && j < b.nnz) {
    const uint32_t x = load_u32(ia, i), y = load_u32(ib, j);
    const float e1 = load_f32(va, i), e2 = load_f32(vb, j);
    if (x == y) {
      dot += e1 * e2;
      n1 += e1 * e1;
      n2 += e2 * e2;
      i++, j++;
    } else if (x < y) {
      n1 += e1 * e1;
      i++;
    } else {
      n2 += e2 * e2;
      j++;
    }
  }
  for (; i < a.nnz; i++) n1 += load_f32(va, i) * load_f32(va, i);
  for (; j < b.nnz; j++) n2 += load_f32(vb, j) * load_f32(vb, j);
  if (n1 == 0.0f || n2 == 0.0f) return NAN;
  return static_cast<double>(1.0f - dot / std::sqrt(n1 * n2));
}

double l2_sparse(const VectorView& a, const VectorView& b) {
  const uint8_t *ia = a.sparse_indices(), *ib = b.sparse_indices();
  const uint8_t *va = a.sparse_values(), *vb = b.sparse_values();
  float sum = 0;
  size_t i = 0, j = 0;
  while (i < a.nnz && j < b.nnz) {
    const uint32_t x = load_u32(ia, i), y = load_u32(ib, j);
    if (x == y) {
      const float d = load_f32(va, i++) - load_f32(vb, j++);
      sum += d * d;
    } else if (x < y) {
      const float e = load_f32(va, i++);
      sum += e * e;
    } else {
      const float e = load_f32(vb, j++);
      sum += e * e;
    }
  }
  for (; i < a.nnz; i++) sum += load_f32(va, i) * load_f32(va, i);
  for (; j < b.nnz; j++) sum += load_f32(vb, j) * load_f32(vb, j);
  return std::sqrt(static_cast<double>(sum));
}

double dot_sparse(const VectorView& a, const VectorView& b) {
  const uint8_t *ia = a.sparse_indices(), *ib = b.sparse_indices();
  double dot = 0;
  size_t i = 0, j = 0;
  while (i < a.nnz && j < b.nnz) {
    const uint32_t x = load_u32(ia, i), y = load_u32(ib, j);
    if (x == y) {
      dot += static_cast<double>(load_f32(a.sparse_values(), i++)) * load_f32(b.sparse_values(), j++);
    } else if (x < y) {
      i++;
    } else {
      j++;
    }
  }
  return -dot;
}

double jaccard_sparse(const VectorView& a, const VectorView& b) {
  const uint8_t *ia = a.sparse_indices(), *ib = b.sparse_indices();
  const uint8_t *va = a.sparse_values(), *vb = b.sparse_values();
  float mn = 0, mx = 0;
  size_t i = 0, j = 0;
  while (i < a.nnz && j < b.nnz) {
    const uint32_t x = load_u32(ia, i), y = load_u32(ib, j);
    if (x == y) {
      const float e1 = load_f32(va, i++), e2 = load_f32(vb, j++);
      mn += std::fmin(e1, e2);
      mx += std::fmax(e1, e2);
    } else if (x < y) {
      const float e = load_f32(va, i++);
      mn += std::fmin(e, 0.0f);
      mx += std::fmax(e, 0.0f);
    } else {
      const float e = load_f32(vb, j++);
      mn += std::fmin(e, 0.0f);
      mx += std::fmax(e, 0.0f);
    }
  }
  for (; i < a.nnz; i++) {
    mn += std::fmin(load_f32(va, i), 0.0f);
    mx += std::fmax(load_f32(va, i), 0.0f);
  }
  for (; j < b.nnz; j++) {
    mn += std::fmin(load_f32(vb, j), 0.0f);
    mx += std::fmax(load_f32(vb, j), 0.0f);
  }
  if (mx == 0.0f) return NAN;
  return 1.0 - static_cast<double>(mn / mx);
}

template <class T>
double jaccard_dense(const uint8_t* a, const uint8_t* b, size_t n) {
  T mn = 0, mx = 0;
  for (size_t i = 0; i < n; i++) {
    T x, y;
    std::memcpy(&x, a + sizeof(T) * i, sizeof(T));
    std::memcpy(&y, b + sizeof(T) * i, sizeof(T));
    mn += std::fmin(x, y);
    mx += std::fmax(x, y);
  }
  if (mx == 0) return NAN;
  return 1.0 - static_cast<double>(mn / mx);
}

// 8-bit: element = alpha·q + shift; dot and norms expand into the integer
// sums of q, so the inner loop is pure u8 arithmetic.
double dot_8bit_raw(const VectorView& a, const VectorView& b, const Q8Sums& s) {
  const double a1 = a.alpha, a2 = b.alpha, s1 = a.shift, s2 = b.shift, d = static_cast<double>(a.dims);
  return a1 * a2 * static_cast<double>(s.dot) + a1 * s2 * static_cast<double>(s.sum_a) +
         a2 * s1 * static_cast<double>(s.sum_b) + s1 * s2 * d;
}

double cos_8bit(const VectorView& a, const VectorView& b) {
  const Q8Sums s = q8_sums(a.data, b.data, a.dims);
  const double a1 = a.alpha, a2 = b.alpha, s1 = a.shift, s2 = b.shift, d = static_cast<double>(a.dims);
  const double dot = dot_8bit_raw(a, b, s);
  const double n1 =
      a1 * a1 * static_cast<double>(s.sq_a) + 2.0 * a1 * s1 * static_cast<double>(s.sum_a) + s1 * s1 * d;
  const double n2 =
      a2 * a2 * static_cast<double>(s.sq_b) + 2.0 * a2 * s2 * static_cast<double>(s.sum_b) + s2 * s2 * d;
  return 1.0 - dot / std::sqrt(n1 * n2);
}

double l2_8bit(const VectorView& a, const VectorView& b) {
  double sum = 0;
  for (size_t i = 0; i < a.dims; i++) {
    const double f1 = static_cast<double>(a.alpha) * a.data[i] + static_cast<double>(a.shift);
    const double f2 = static_cast<double>(b.alpha) * b.data[i] + static_cast<double>(b.shift);
    sum += (f1 - f2) * (f1 - f2);
  }
  return std::sqrt(sum);
}

double jaccard_8bit(const VectorView& a, const VectorView& b) {
  double mn = 0, mx = 0;
  for (size_t i = 0; i < a.dims; i++) {
    const double f1 = static_cast<double>(a.alpha) * a.data[i] + static_cast<double>(a.shift);
    const double f2 = static_cast<double>(b.alpha) * b.data[i] + static_cast<double>(b.shift);
    mn += std::fmin(f1, f2);
    mx += std::fmax(f1, f2);
  }
  if (mx == 0.0) return NAN;
  return 1.0 - mn / mx;
}

// Rust's `f as i32` then clamp(0, 255): truncation, saturating, NaN → 0.
uint8_t quantize_one(float v) {
  if (std::isnan(v)) return 0;
  if (v <= 0.0f) return 0;
  if (v >= 255.0f) return 255;
  return static_cast<uint8_t>(static_cast<int32_t>(v));
}

}  // namespace

Status check_compatible(const VectorView& a, const VectorView& b) {
  if (a.dims != b.dims) return conversion_error("Vectors must have the same dimensions");
  if (a.type != b.type) return conversion_error("Vectors must be of the same type");
  return Status::Ok();
}

Status distance(Metric metric, const VectorView& a, const VectorView& b, double* out) {
  const DenseKernels& k = dense_kernels();
  const bool f32 = a.type == VectorType::kFloat32;
  switch (a.type) {
    case VectorType::kFloat32:
    case VectorType::kFloat64:
      switch (metric) {
        case Metric::kCos:
          *out = cos_dense(a, b);
          break;
        case Metric::kL2:
          *out = std::sqrt(f32 ? k.l2sq_f32(a.data, b.data, a.dims) : k.l2sq_f64(a.data, b.data, a.dims));
          break;
        case Metric::kDot:
          *out = -(f32 ? k.dot_f32(a.data, b.data, a.dims) : k.dot_f64(a.data, b.data, a.dims));
          break;
        case Metric::kJaccard:
          *out = f32 ? jaccard_dense<float>(a.data, b.data, a.dims)
                     : jaccard_dense<double>(a.data, b.data, a.dims);
          break;
      }
      return Status::Ok();
    case VectorType::kFloat32Sparse:
      switch (metric) {
        case Metric::kCos:
          *out = cos_sparse(a, b);
          break;
        case Metric::kL2:
          *out = l2_sparse(a, b);
          break;
        case Metric::kDot:
          *out = dot_sparse(a, b);
          break;
        case Metric::kJaccard:
          *out = jaccard_sparse(a, b);
          break;
      }
      return Status::Ok();
    case VectorType::kFloat1Bit: {
      const size_t n = bits_bytes(a.dims);
      switch (metric) {
        case Metric::kCos:
          *out = static_cast<double>(hamming_bits(a.data, b.data, n));
          break;
        case Metric::kL2:
          return conversion_error("L2 distance is not supported for float1bit vectors");
        case Metric::kDot:
          *out = -(static_cast<double>(a.dims) - 2.0 * static_cast<double>(hamming_bits(a.data, b.data, n)));
          break;
        case Metric::kJaccard: {
          uint64_t both = 0, either = 0;
          and_or_bits(a.data, b.data, n, &both, &either);
          *out = either == 0 ? NAN : 1.0 - static_cast<double>(both) / static_cast<double>(either);
          break;
        }
      }
      return Status::Ok();
    }
    case VectorType::kFloat8:
      switch (metric) {
        case Metric::kCos:
          *out = cos_8bit(a, b);
          break;
        case Metric::kL2:
          *out = l2_8bit(a, b);
          break;
        case Metric::kDot:
          *out = -dot_8bit_raw(a, b, q8_sums(a.data, b.data, a.dims));
          break;
        case Metric::kJaccard:
          *out = jaccard_8bit(a, b);
          break;
      }
      return Status::Ok();
  }
  return conversion_error("unknown vector type");
}

void decode_f32(const VectorView& v, float* out) {
  switch (v.type) {
    case VectorType::kFloat32:
      if (v.dims) std::memcpy(out, v.data, 4 * v.dims);
      return;
    case VectorType::kFloat64:
      for (size_t i = 0; i < v.dims; i++) out[i] = static_cast<float>(load_f64(v.data, i));
      return;
    case VectorType::kFloat1Bit:
      for (size_t i = 0; i < v.dims; i++) out[i] = bit(v.data, i) ? 1.0f : -1.0f;
      return;
    case VectorType::kFloat8:
      for (size_t i = 0; i < v.dims; i++) out[i] = v.alpha * static_cast<float>(v.data[i]) + v.shift;
      return;
    case VectorType::kFloat32Sparse:
      for (size_t i = 0; i < v.dims; i++) out[i] = 0.0f;
      for (size_t k = 0; k < v.nnz; k++)
        out[load_u32(v.sparse_indices(), k)] = load_f32(v.sparse_values(), k);
      return;
  }
}

void decode_f64(const VectorView& v, double* out) {
  switch (v.type) {
    case VectorType::kFloat32:
      for (size_t i = 0; i < v.dims; i++) out[i] = load_f32(v.data, i);
      return;
    case VectorType::kFloat64:
      if (v.dims) std::memcpy(out, v.data, 8 * v.dims);
      return;
    case VectorType::kFloat1Bit:
      for (size_t i = 0; i < v.dims; i++) out[i] = bit(v.data, i) ? 1.0 : -1.0;
      return;
    case VectorType::kFloat8:
      for (size_t i = 0; i < v.dims; i++)
        out[i] = static_cast<double>(v.alpha) * v.data[i] + static_cast<double>(v.shift);
      return;
    case VectorType::kFloat32Sparse:
      for (size_t i = 0; i < v.dims; i++) out[i] = 0.0;
      for (size_t k = 0; k < v.nnz; k++)
        out[load_u32(v.sparse_indices(), k)] = load_f32(v.sparse_values(), k);
      return;
  }
}

void quantize_8bit(const float* values, size_t dims, uint8_t* q, float* alpha, float* shift) {
  if (dims == 0) {
    *alpha = 0.0f;
    *shift = 0.0f;
    return;
  }
  float mn = INFINITY, mx = -INFINITY;
  for (size_t i = 0; i < dims; i++) {
    if (values[i] < mn) mn = values[i];
    if (values[i] > mx) mx = values[i];
  }
  const float a = (mx - mn) / 255.0f;
  for (size_t i = 0; i < dims; i++) q[i] = a == 0.0f ? 0 : quantize_one((values[i] - mn) / a + 0.5f);
  *alpha = a;
  *shift = mn;
}

namespace {

// Non-zero count of a conversion to sparse: f64 sources are tested in f64
// (Turso converts f64 → sparse directly), everything else via its f32 values.
size_t sparse_nnz(const VectorView& v, const std::vector<float>& f32) {
  size_t n = 0;
  if (v.type == VectorType::kFloat64) {
    for (size_t i = 0; i < v.dims; i++) n += load_f64(v.data, i) != 0.0;
  } else {
    for (float x : f32) n += x != 0.0f;
  }
  return n;
}

}  // namespace

size_t converted_size(const VectorView& v, VectorType target) {
  if (v.type == target) return canonical_size(v);
  switch (target) {
    case VectorType::kFloat32:
      return blob_size_f32(v.dims);
    case VectorType::kFloat64:
      return blob_size_f64(v.dims);
    case VectorType::kFloat1Bit:
      return blob_size_1bit(v.dims);
    case VectorType::kFloat8:
      return blob_size_8bit(v.dims);
    case VectorType::kFloat32Sparse: {
      std::vector<float> f32;
      if (v.type != VectorType::kFloat64) {
        f32.resize(v.dims);
        decode_f32(v, f32.data());
      }
      return blob_size_sparse(sparse_nnz(v, f32));
    }
  }
  return 0;
}

void convert(const VectorView& v, VectorType target, uint8_t* out) {
  if (v.type == target) {
    write_canonical(out, v);
    return;
  }
  std::vector<float> f32;
  if (target != VectorType::kFloat64 && v.type != VectorType::kFloat64) {
    f32.resize(v.dims);
    decode_f32(v, f32.data());
  }
  switch (target) {
    case VectorType::kFloat32:
      if (v.type == VectorType::kFloat64) {
        for (size_t i = 0; i < v.dims; i++) store_f32(out, i, static_cast<float>(load_f64(v.data, i)));
      } else {
        write_f32(out, f32.data(), v.dims);
      }
      return;
    case VectorType::kFloat64: {
      std::vector<double> f64(v.dims);
      decode_f64(v, f64.data());
      write_f64(out, f64.data(), v.dims);
      return;
    }
    case VectorType::kFloat1Bit: {
      std::vector<uint8_t> bits(bits_bytes(v.dims), 0);
      for (size_t i = 0; i < v.dims; i++) {
        const bool positive = v.type == VectorType::kFloat64 ? load_f64(v.data, i) > 0.0 : f32[i] > 0.0f;
        if (positive) bits[i / 8] |= static_cast<uint8_t>(1u << (i & 7));
      }
      write_1bit(out, bits.data(), v.dims);
      return;
    }
    case VectorType::kFloat8: {
      if (v.type == VectorType::kFloat64) {
        f32.resize(v.dims);
        for (size_t i = 0; i < v.dims; i++) f32[i] = static_cast<float>(load_f64(v.data, i));
      }
      std::vector<uint8_t> q(v.dims);
      float alpha, shift;
      quantize_8bit(f32.data(), v.dims, q.data(), &alpha, &shift);
      write_8bit(out, q.data(), v.dims, alpha, shift);
      return;
    }
    case VectorType::kFloat32Sparse: {
      const size_t nnz = sparse_nnz(v, f32);
      size_t k = 0;
      for (size_t i = 0; i < v.dims; i++) {
        float value;
        if (v.type == VectorType::kFloat64) {
          const double d = load_f64(v.data, i);
          if (d == 0.0) continue;
          value = static_cast<float>(d);
        } else {
          if (f32[i] == 0.0f) continue;
          value = f32[i];
        }
        store_f32(out, k, value);
        store_u32(out + 4 * nnz, k, static_cast<uint32_t>(i));
        k++;
      }
      store_u32(out, 2 * nnz, static_cast<uint32_t>(v.dims));
      out[8 * nnz + 4] = static_cast<uint8_t>(VectorType::kFloat32Sparse);
      return;
    }
  }
}

Status check_concat(const VectorView& a, const VectorView& b) {
  if (a.type != b.type) return conversion_error("Mismatched vector types");
  if (a.type == VectorType::kFloat1Bit || a.type == VectorType::kFloat8) {
    return conversion_error("vector_concat is not supported for float1bit/float8 vectors");
  }
  return Status::Ok();
}

size_t concat_size(const VectorView& a, const VectorView& b) {
  switch (a.type) {
    case VectorType::kFloat32:
      return blob_size_f32(a.dims + b.dims);
    case VectorType::kFloat64:
      return blob_size_f64(a.dims + b.dims);
    default:
      return blob_size_sparse(a.nnz + b.nnz);
  }
}

void concat(const VectorView& a, const VectorView& b, uint8_t* out) {
  switch (a.type) {
    case VectorType::kFloat32:
      if (a.dims) std::memcpy(out, a.data, 4 * a.dims);
      if (b.dims) std::memcpy(out + 4 * a.dims, b.data, 4 * b.dims);
      return;
    case VectorType::kFloat64:
      if (a.dims) std::memcpy(out, a.data, 8 * a.dims);
      if (b.dims) std::memcpy(out + 8 * a.dims, b.data, 8 * b.dims);
      out[8 * (a.dims + b.dims)] = static_cast<uint8_t>(VectorType::kFloat64);
      return;
    default: {
      // Values of a then b, indices of a then b shifted by a's dims, so the
      // result is a valid ascending sparse vector of a.dims + b.dims.
      const size_t nnz = a.nnz + b.nnz;
      if (a.nnz) std::memcpy(out, a.sparse_values(), 4 * a.nnz);
      if (b.nnz) std::memcpy(out + 4 * a.nnz, b.sparse_values(), 4 * b.nnz);
      uint8_t* idx = out + 4 * nnz;
      if (a.nnz) std::memcpy(idx, a.sparse_indices(), 4 * a.nnz);
      for (size_t k = 0; k < b.nnz; k++)
        store_u32(idx, a.nnz + k, load_u32(b.sparse_indices(), k) + static_cast<uint32_t>(a.dims));
      store_u32(out, 2 * nnz, static_cast<uint32_t>(a.dims + b.dims));
      out[8 * nnz + 4] = static_cast<uint8_t>(VectorType::kFloat32Sparse);
      return;
    }
  }
}

Status check_slice(const VectorView& v, int64_t start, int64_t end) {
  if (start < 0 || end < 0) return invalid_argument("start index and end_index must be non-negative");
  if (start > end) return invalid_argument("start index must not be greater than end index");
  if (static_cast<uint64_t>(end) > v.dims) return conversion_error("vector_slice range out of bounds");
  if (v.type == VectorType::kFloat1Bit || v.type == VectorType::kFloat8) {
    return conversion_error("vector_slice is not supported for float1bit/float8 vectors");
  }
  return Status::Ok();
}

namespace {
size_t slice_nnz(const VectorView& v, size_t start, size_t end) {
  size_t n = 0;
  for (size_t k = 0; k < v.nnz; k++) {
    const uint32_t i = load_u32(v.sparse_indices(), k);
    n += i >= start && i < end;
  }
  return n;
}
}  // namespace

size_t slice_size(const VectorView& v, size_t start, size_t end) {
  switch (v.type) {
    case VectorType::kFloat32:
      return blob_size_f32(end - start);
    case VectorType::kFloat64:
      return blob_size_f64(end - start);
    default:
      return blob_size_sparse(slice_nnz(v, start, end));
  }
}

void slice(const VectorView& v, size_t start, size_t end, uint8_t* out) {
  const size_t n = end - start;
  switch (v.type) {
    case VectorType::kFloat32:
      if (n) std::memcpy(out, v.data + 4 * start, 4 * n);
      return;
    case VectorType::kFloat64:
      if (n) std::memcpy(out, v.data + 8 * start, 8 * n);
      out[8 * n] = static_cast<uint8_t>(VectorType::kFloat64);
      return;
    default: {
      const size_t nnz = slice_nnz(v, start, end);
      size_t k = 0;
      for (size_t j = 0; j < v.nnz; j++) {
        const uint32_t i = load_u32(v.sparse_indices(), j);
        if (i < start || i >= end) continue;
        store_f32(out, k, load_f32(v.sparse_values(), j));
        store_u32(out + 4 * nnz, k, static_cast<uint32_t>(i - start));
        k++;
      }
      store_u32(out, 2 * nnz, static_cast<uint32_t>(n));
      out[8 * nnz + 4] = static_cast<uint8_t>(VectorType::kFloat32Sparse);
      return;
    }
  }
}

}  // namespace keel::vector
