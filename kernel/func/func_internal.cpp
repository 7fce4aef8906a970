// Shared helpers of the built-in functions (see func_internal.h).
#include "func/func_internal.h"

#include <cstring>

namespace keel::func::internal {

std::shared_ptr<void> int_user_data(int v) { return std::make_shared<int>(v); }

int user_int(const FunctionContext& ctx) {
  const int* p = static_cast<const int*>(ctx.user_data());
  return p ? *p : 0;
}

std::string_view arg_bytes(vm::Value& v, vm::NumberText& scratch) {
  if (v.is_zeroblob()) v.expand_zeroblob();
  return v.as_text(scratch);
}

std::string_view c_string(std::string_view s) {
  const void* nul = s.empty() ? nullptr : std::memchr(s.data(), 0, s.size());
  if (nul == nullptr) return s;
  return s.substr(0, static_cast<size_t>(static_cast<const char*>(nul) - s.data()));
}

namespace {

// sqlite3Utf8Trans1: the payload bits of a UTF-8 lead byte 0xc0..0xff.
constexpr unsigned char kTrans1[] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x00, 0x01, 0x02, 0x03, 0x00, 0x01, 0x00, 0x00,
};

}  // namespace

uint32_t utf8_read(const unsigned char** p, const unsigned char* end) {
  if (*p >= end) return 0;
  uint32_t c = *(*p)++;
  if (c >= 0xc0) {
    c = kTrans1[c - 0xc0];
    while (*p < end && (**p & 0xc0) == 0x80) c = (c << 6) + (0x3f & *(*p)++);
    if (c < 0x80 || (c & 0xFFFFF800) == 0xD800 || (c & 0xFFFFFFFE) == 0xFFFE) c = 0xFFFD;
  }
  return c;
}

int utf8_char_count(std::string_view s) {
  s = c_string(s);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char* end = p + s.size();
  int n = 0;
  while (p < end) {
    utf8_skip(&p, end);
    n++;
  }
  return n;
}

int utf8_write(uint32_t c, unsigned char* out) {
  if (c < 0x80) {
    out[0] = static_cast<unsigned char>(c & 0xFF);
    return 1;
  }
  if (c < 0x800) {
    out[0] = static_cast<unsigned char>(0xC0 + ((c >> 6) & 0x1F));
    out[1] = static_cast<unsigned char>(0x80 + (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    out[0] = static_cast<unsigned char>(0xE0 + ((c >> 12) & 0x0F));
    out[1] = static_cast<unsigned char>(0x80 + ((c >> 6) & 0x3F));
    out[2] = static_cast<unsigned char>(0x80 + (c & 0x3F));
    return 3;
  }
  out[0] = static_cast<unsigned char>(0xF0 + ((c >> 18) & 0x07));
  out[1] = static_cast<unsigned char>(0x80 + ((c >> 12) & 0x3F));
  out[2] = static_cast<unsigned char>(0x80 + ((c >> 6) & 0x3F));
  out[3] = static_cast<unsigned char>(0x80 + (c & 0x3F));
  return 4;
}

void result_text(FunctionContext& ctx, std::string_view s) {
  if (static_cast<int64_t>(s.size()) > ctx.host().max_length()) {
    ctx.set_error_toobig();
    return;
  }
  ctx.result().set_text(s);
}

void result_blob(FunctionContext& ctx, std::span<const uint8_t> b) {
  if (static_cast<int64_t>(b.size()) > ctx.host().max_length()) {
    ctx.set_error_toobig();
    return;
  }
  ctx.result().set_blob(b);
}

void result_value(FunctionContext& ctx, const vm::Value& v) { ctx.result().copy_from(v); }

}  // namespace keel::func::internal
