// Status and Result<T>: how every fallible call in Keel reports failure.
//
// A Status is an SQLite result code (primary or extended, see result_code.hpp)
// plus a message. The OK status carries no allocation, so returning Status from
// hot paths costs one pointer. Result<T> holds either a T or a non-OK Status.
//
// Contract: nothing in Keel throws across a layer, module or API boundary;
// BUSY, CONSTRAINT, IOERR, CORRUPT and friends are ordinary values.
// Thread-safety: a Status is a value; distinct objects may be used from
// distinct threads freely.
#pragma once

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "keel/result_code.hpp"

namespace keel {

class [[nodiscard]] Status {
 public:
  Status() noexcept = default;  // OK
  Status(int code, std::string message);
  explicit Status(int code);  // message = rc::errstr(code)

  Status(const Status& other) : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status Ok() { return Status(); }

  bool ok() const { return rep_ == nullptr; }
  // The full (possibly extended) code; rc::kOk when ok().
  int code() const { return rep_ ? rep_->code : rc::kOk; }
  int primary() const { return rc::primary(code()); }
  // The message; empty when ok().
  std::string_view message() const { return rep_ ? std::string_view(rep_->message) : std::string_view(); }

  bool is(int primary_code) const { return primary() == primary_code; }

  // "CODE_NAME: message" for logs and test failure output.
  std::string to_string() const;

  // Explicitly discard a status whose failure is irrelevant (e.g. best-effort cleanup).
  void ignore() const {}

 private:
  struct Rep {
    int code;
    std::string message;
  };
  std::unique_ptr<Rep> rep_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "Result constructed from an OK status without a value");
    if (status_.ok()) status_ = Status(rc::kInternal, "Result built from OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  Status take_status() { return std::move(status_); }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace keel

// Propagate a non-OK Status from an expression returning Status.
#define KEEL_RETURN_IF_ERROR(expr)                       \
  do {                                                   \
    ::keel::Status keel_status_tmp_ = (expr);            \
    if (!keel_status_tmp_.ok()) return keel_status_tmp_; \
  } while (0)

#define KEEL_CONCAT_INNER_(a, b) a##b
#define KEEL_CONCAT_(a, b) KEEL_CONCAT_INNER_(a, b)

// `KEEL_ASSIGN_OR_RETURN(auto x, f());` — x = value of f() or return its Status.
#define KEEL_ASSIGN_OR_RETURN(lhs, expr) \
  KEEL_ASSIGN_OR_RETURN_IMPL_(KEEL_CONCAT_(keel_result_tmp_, __LINE__), lhs, expr)
#define KEEL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.take_status();          \
  lhs = std::move(tmp).value()
