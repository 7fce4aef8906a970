// SQL semantics of the vector functions (argument checks, text input,
// result encoding); see vector_functions.h. The distance path is the scan
// path: for BLOB arguments it parses two views and calls one kernel, with no
// allocation.
#include "vector_functions.h"

#include <string>
#include <vector>

#include "vector_text.h"

namespace keel::vector {
namespace {

Status too_big() { return Status(rc::kTooBig, "string or blob too big"); }

// Text → the serialized blob of `type` (Turso: vector_from_text + serialize).
Status text_to_blob(std::string_view text, VectorType type, std::vector<uint8_t>* blob) {
  if (type == VectorType::kFloat64) {
    std::vector<double> values;
    KEEL_RETURN_IF_ERROR(parse_text_f64(text, values));
    blob->resize(blob_size_f64(values.size()));
    write_f64(blob->data(), values.data(), values.size());
    return Status::Ok();
  }
  std::vector<float> values;
  KEEL_RETURN_IF_ERROR(parse_text_f32(text, values));
  const size_t dims = values.size();
  switch (type) {
    case VectorType::kFloat32:
      blob->resize(blob_size_f32(dims));
      write_f32(blob->data(), values.data(), dims);
      return Status::Ok();
    case VectorType::kFloat1Bit: {
      if (dims == 0) return conversion_error("empty vector not supported for this type");
      std::vector<uint8_t> bits((dims + 7) / 8, 0);
      for (size_t i = 0; i < dims; i++)
        if (values[i] > 0.0f) bits[i / 8] |= static_cast<uint8_t>(1u << (i & 7));
      blob->resize(blob_size_1bit(dims));
      write_1bit(blob->data(), bits.data(), dims);
      return Status::Ok();
    }
    case VectorType::kFloat8: {
      std::vector<uint8_t> q(dims);
      float alpha, shift;
      quantize_8bit(values.data(), dims, q.data(), &alpha, &shift);
      blob->resize(blob_size_8bit(dims));
      write_8bit(blob->data(), q.data(), dims, alpha, shift);
      return Status::Ok();
    }
    case VectorType::kFloat32Sparse: {
      // Zeros (either sign) are dropped; dims counts every element.
      size_t nnz = 0;
      for (float v : values) nnz += v != 0.0f;
      blob->resize(blob_size_sparse(nnz));
      uint8_t* out = blob->data();
      size_t k = 0;
      for (size_t i = 0; i < dims; i++) {
        if (values[i] == 0.0f) continue;
        store_f32(out, k, values[i]);
        store_u32(out + 4 * nnz, k, static_cast<uint32_t>(i));
        k++;
      }
      store_u32(out, 2 * nnz, static_cast<uint32_t>(dims));
      out[8 * nnz + 4] = static_cast<uint8_t>(VectorType::kFloat32Sparse);
      return Status::Ok();
    }
    case VectorType::kFloat64:
      break;
  }
  return conversion_error("unknown vector type");
}

std::string_view as_text(const SqlArg& x) {
  return {reinterpret_cast<const char*>(x.bytes.data()), x.bytes.size()};
}

Status emit(ResultSink& out, std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxBytes) return too_big();
  uint8_t* p = out.blob_buffer(bytes.size());
  if (!p) return too_big();
  if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
  return Status::Ok();
}

// Dense work on a view needs dims elements of up to 8 bytes.
Status check_dense_size(const VectorView& v, size_t elem_bytes) {
  if (v.dims > kMaxBytes / elem_bytes) return too_big();
  return Status::Ok();
}

}  // namespace

Status parse_arg(const SqlArg& x, VectorType text_type, ParsedVector* out) {
  switch (x.kind) {
    case SqlArg::kText: {
      KEEL_RETURN_IF_ERROR(text_to_blob(as_text(x), text_type, &out->storage));
      auto v = parse_blob(out->storage);
      if (!v.ok()) return v.take_status();
      out->view = *v;
      return Status::Ok();
    }
    case SqlArg::kBlob: {
      auto v = parse_blob(x.bytes);
      if (!v.ok()) return v.take_status();
      out->view = *v;
      return Status::Ok();
    }
    default:
      return conversion_error("Invalid vector type");
  }
}

Status fn_make_vector(VectorType target, const SqlArg& x, ResultSink& out) {
  if (x.kind == SqlArg::kText) {
    // Text is parsed straight into the target type and returned as built
    // (Turso converts a vector to its own type as a no-op), so even the
    // zero-length 8-bit vector that cannot be read back is produced as Turso
    // produces it.
    std::vector<uint8_t> blob;
    KEEL_RETURN_IF_ERROR(text_to_blob(as_text(x), target, &blob));
    return emit(out, blob);
  }
  if (x.kind != SqlArg::kBlob) return conversion_error("Invalid vector type");
  auto v = parse_blob(x.bytes);
  if (!v.ok()) return v.take_status();
  KEEL_RETURN_IF_ERROR(check_dense_size(*v, 8));
  const size_t n = converted_size(*v, target);
  if (n > kMaxBytes) return too_big();
  uint8_t* p = out.blob_buffer(n);
  if (!p) return too_big();
  convert(*v, target, p);
  return Status::Ok();
}

Status fn_vector_extract(const SqlArg& x, ResultSink& out) {
  if (x.kind != SqlArg::kBlob) return conversion_error("Expected blob value");
  if (x.bytes.empty()) {
    out.set_text("[]");
    return Status::Ok();
  }
  auto v = parse_blob(x.bytes);
  if (!v.ok()) return v.take_status();
  // Up to ~48 characters per element in the worst case; refuse what cannot fit.
  if (v->dims > kMaxBytes / 2) return too_big();
  const std::string text = format_text(*v);
  if (text.size() > kMaxBytes) return too_big();
  out.set_text(text);
  return Status::Ok();
}

Status fn_vector_concat(const SqlArg& a, const SqlArg& b, ResultSink& out) {
  ParsedVector x, y;
  KEEL_RETURN_IF_ERROR(parse_arg(a, VectorType::kFloat32, &x));
  KEEL_RETURN_IF_ERROR(parse_arg(b, VectorType::kFloat32, &y));
  KEEL_RETURN_IF_ERROR(check_concat(x.view, y.view));
  if (x.view.dims + y.view.dims > UINT32_MAX) return too_big();
  const size_t n = concat_size(x.view, y.view);
  if (n > kMaxBytes) return too_big();
  uint8_t* p = out.blob_buffer(n);
  if (!p) return too_big();
  concat(x.view, y.view, p);
  return Status::Ok();
}

Status fn_vector_slice(const SqlArg& v, const SqlArg& start, const SqlArg& end, ResultSink& out) {
  ParsedVector x;
  KEEL_RETURN_IF_ERROR(parse_arg(v, VectorType::kFloat32, &x));
  if (start.kind != SqlArg::kInteger) return invalid_argument("start index must be an integer");
  if (end.kind != SqlArg::kInteger) return invalid_argument("end_index must be an integer");
  KEEL_RETURN_IF_ERROR(check_slice(x.view, start.integer, end.integer));
  const size_t s = static_cast<size_t>(start.integer), e = static_cast<size_t>(end.integer);
  uint8_t* p = out.blob_buffer(slice_size(x.view, s, e));
  if (!p) return too_big();
  slice(x.view, s, e, p);
  return Status::Ok();
}

Status fn_vector_distance_views(Metric metric, const VectorView& a, const VectorView& b, ResultSink& out) {
  KEEL_RETURN_IF_ERROR(check_compatible(a, b));
  double d;
  KEEL_RETURN_IF_ERROR(distance(metric, a, b, &d));
  out.set_double(d);
  return Status::Ok();
}

Status fn_vector_distance(Metric metric, const SqlArg& a, const SqlArg& b, ResultSink& out) {
  if (a.kind == SqlArg::kBlob && b.kind == SqlArg::kBlob) {
    // The scan path: two views, one kernel, no allocation.
    auto x = parse_blob(a.bytes);
    if (!x.ok()) return x.take_status();
    auto y = parse_blob(b.bytes);
    if (!y.ok()) return y.take_status();
    return fn_vector_distance_views(metric, *x, *y, out);
  }
  ParsedVector x, y;
  KEEL_RETURN_IF_ERROR(parse_arg(a, VectorType::kFloat32, &x));
  KEEL_RETURN_IF_ERROR(parse_arg(b, VectorType::kFloat32, &y));
  return fn_vector_distance_views(metric, x.view, y.view, out);
}

}  // namespace keel::vector
