// Text ⇄ vector. The number grammar and output follow Rust's `str::parse`
// and `Display` for f32/f64, which is what Turso uses; std::from_chars and
// std::to_chars(chars_format::fixed) give the same correctly rounded parse
// and shortest positional output.
#include "vector_text.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

namespace keel::vector {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

Status invalid() { return conversion_error("Invalid vector value"); }

// Rust's grammar: [+-]? (digits [. digits?]? | . digits) ([eE] [+-]? digits)?
// plus inf/infinity/nan, which are rejected later as non-finite anyway.
template <class T>
bool parse_number(std::string_view tok, T* out) {
  if (tok.empty()) return false;
  bool negative = false;
  std::string_view body = tok;
  if (body.front() == '+' || body.front() == '-') {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }
  // from_chars takes no '+' and would accept "-" after a '+': forbid a second sign.
  if (body.empty() || body.front() == '+' || body.front() == '-') return false;
  // Hex floats and "nan(...)" are not Rust syntax.
  for (char c : body)
    if (c == 'x' || c == 'X' || c == '(' || c == 'p' || c == 'P') return false;
  T v{};
  auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), v, std::chars_format::general);
  if (ptr != body.data() + body.size()) return false;
  if (ec == std::errc::result_out_of_range) {
    // Rust rounds to ±0 (or a subnormal) on underflow and to ±inf on overflow.
    std::string copy(body);
    double d = std::strtod(copy.c_str(), nullptr);
    v = static_cast<T>(d);
  } else if (ec != std::errc()) {
    return false;
  }
  *out = negative ? -v : v;
  return true;
}

template <class T>
Status parse_text(std::string_view text, std::vector<T>& out) {
  out.clear();
  text = trim(text);
  if (text.size() < 2 || text.front() != '[' || text.back() != ']') return invalid();
  std::string_view inner = text.substr(1, text.size() - 2);
  if (trim(inner).empty()) return Status::Ok();
  while (true) {
    const size_t comma = inner.find(',');
    std::string_view tok = trim(inner.substr(0, comma));
    T v;
    if (!parse_number(tok, &v) || !std::isfinite(v)) return invalid();
    out.push_back(v);
    if (comma == std::string_view::npos) break;
    inner.remove_prefix(comma + 1);
  }
  return Status::Ok();
}

// Shortest round-trip digits (to_chars' scientific form), then written out
// positionally as Rust's Display does: 1e20f → "100000000000000000000", not
// the exact "100000002004087734272" that chars_format::fixed would print.
template <class T>
void append_impl(std::string& out, T v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v < 0 ? "-inf" : "inf";
    return;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));  // [-]d[.ddd]e±XX
  if (!sci.empty() && sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  const size_t e = sci.find('e');
  int exponent = 0;
  std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exponent);
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits += c;
  // value = 0.d1d2d3... × 10^(exponent + 1)
  const int point = exponent + 1;  // digits before the decimal point
  if (digits == "0") {
    out += '0';
  } else if (point <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-point), '0');
    out += digits;
  } else if (static_cast<size_t>(point) >= digits.size()) {
    out += digits;
    out.append(static_cast<size_t>(point) - digits.size(), '0');
  } else {
    out.append(digits, 0, static_cast<size_t>(point));
    out += '.';
    out.append(digits, static_cast<size_t>(point), std::string::npos);
  }
}

}  // namespace

Status parse_text_f32(std::string_view text, std::vector<float>& out) { return parse_text(text, out); }
Status parse_text_f64(std::string_view text, std::vector<double>& out) { return parse_text(text, out); }

void append_number(std::string& out, float v) { append_impl(out, v); }
void append_number(std::string& out, double v) { append_impl(out, v); }

std::string format_text(const VectorView& v) {
  std::string out = "[";
  out.reserve(2 + v.dims * 8);
  auto sep = [&](size_t i) {
    if (i) out += ',';
  };
  switch (v.type) {
    case VectorType::kFloat32:
      for (size_t i = 0; i < v.dims; i++) {
        sep(i);
        append_number(out, load_f32(v.data, i));
      }
      break;
    case VectorType::kFloat64:
      for (size_t i = 0; i < v.dims; i++) {
        sep(i);
        append_number(out, load_f64(v.data, i));
      }
      break;
    case VectorType::kFloat1Bit:
      for (size_t i = 0; i < v.dims; i++) {
        sep(i);
        out += (v.data[i / 8] >> (i & 7)) & 1 ? "1" : "-1";
      }
      break;
    case VectorType::kFloat8:
      for (size_t i = 0; i < v.dims; i++) {
        sep(i);
        append_number(out, v.alpha * static_cast<float>(v.data[i]) + v.shift);
      }
      break;
    case VectorType::kFloat32Sparse: {
      // Printed dense, zeros where no entry is stored; scattered in order, so
      // a repeated index keeps its last value, as Turso's scatter does.
      std::vector<float> dense(v.dims, 0.0f);
      for (size_t k = 0; k < v.nnz; k++)
        dense[load_u32(v.sparse_indices(), k)] = load_f32(v.sparse_values(), k);
      for (size_t i = 0; i < v.dims; i++) {
        sep(i);
        append_number(out, dense[i]);
      }
      break;
    }
  }
  out += ']';
  return out;
}

}  // namespace keel::vector
