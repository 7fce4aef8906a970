// Helpers shared by the vector unit tests: hex blobs, a recording ResultSink
// and double-precision reference distances.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "vector_functions.h"

namespace keel::vector::testing {

inline std::vector<uint8_t> hex(std::string_view h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

inline std::string to_hex(std::span<const uint8_t> b) {
  static const char* d = "0123456789ABCDEF";
  std::string s;
  for (uint8_t c : b) {
    s += d[c >> 4];
    s += d[c & 15];
  }
  return s;
}

// Records what a function produced.
class RecordingSink : public ResultSink {
 public:
  enum Kind { kNone, kBlob, kText, kDouble, kNull };
  Kind kind = kNone;
  std::vector<uint8_t> blob;
  std::string text;
  double value = 0;

  uint8_t* blob_buffer(size_t n) override {
    kind = kBlob;
    blob.assign(n, 0xAA);  // not zero: writers must fill every byte
    blob.reserve(n + 1);   // a valid pointer also for an empty result
    return blob.data();
  }
  void set_text(std::string_view s) override {
    kind = kText;
    text = s;
  }
  void set_double(double v) override {
    if (std::isnan(v)) {
      kind = kNull;
    } else {
      kind = kDouble;
      value = v;
    }
  }
};

inline std::vector<uint8_t> f32_blob(const std::vector<float>& v) {
  std::vector<uint8_t> b(v.size() * 4);
  if (!v.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

inline std::vector<uint8_t> f64_blob(const std::vector<double>& v) {
  std::vector<uint8_t> b(v.size() * 8 + 1);
  if (!v.empty()) std::memcpy(b.data(), v.data(), v.size() * 8);
  b.back() = 2;
  return b;
}

inline std::vector<float> random_f32(std::mt19937& rng, size_t n, float lo = -1, float hi = 1) {
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = u(rng);
  return v;
}

// Double-precision references.
template <class T>
double ref_dot(const std::vector<T>& a, const std::vector<T>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); i++) s += double(a[i]) * double(b[i]);
  return s;
}
template <class T>
double ref_l2(const std::vector<T>& a, const std::vector<T>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); i++) s += (double(a[i]) - double(b[i])) * (double(a[i]) - double(b[i]));
  return std::sqrt(s);
}
template <class T>
double ref_cos(const std::vector<T>& a, const std::vector<T>& b) {
  double ab = ref_dot(a, b), aa = ref_dot(a, a), bb = ref_dot(b, b);
  if (aa == 0 && bb == 0) return 0;
  if (ab == 0) return 1;
  return std::max(0.0, 1 - ab / std::sqrt(aa * bb));
}
template <class T>
double ref_jaccard(const std::vector<T>& a, const std::vector<T>& b) {
  double mn = 0, mx = 0;
  for (size_t i = 0; i < a.size(); i++) {
    mn += std::min(double(a[i]), double(b[i]));
    mx += std::max(double(a[i]), double(b[i]));
  }
  return mx == 0 ? NAN : 1 - mn / mx;
}

// Equal within tol, or both NaN.
inline bool near_or_nan(double a, double b, double tol) {
  return (std::isnan(a) && std::isnan(b)) || std::abs(a - b) <= tol;
}

inline VectorView view_of(const std::vector<uint8_t>& blob) {
  auto v = parse_blob(blob);
  return v.ok() ? *v : VectorView{};
}

}  // namespace keel::vector::testing
