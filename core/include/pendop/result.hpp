// SPDX-License-Identifier: MIT
// `pendop::result<T>`: a T or a `pendop::error`, and `result<void>`: success
// or a `pendop::error`. A deliberately small stand-in for std::expected
// (C++23), which GCC 12 does not ship, and for boost::system::result, which
// Boost 1.74 does not have.
//
// Accessing the value of a failed result (or the error of a successful one)
// is a bug and aborts in every build.
#pragma once

#include <pendop/error.hpp>

#include <cstdio>
#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

namespace pendop {

namespace detail {
[[noreturn]] inline void bad_result_access(const char* what) noexcept {
  std::fprintf(stderr, "pendop: bad result access: %s\n", what);
  std::abort();
}
}  // namespace detail

/// A value of type T, or the `error` that prevented it.
template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::in_place_index<0>, std::move(value)) {}           // NOLINT
  result(pendop::error e) : v_(std::in_place_index<1>, std::move(e)) {}               // NOLINT
  /// A failure from a bare `std::error_code`, with the code's own text.
  result(std::error_code code)  // NOLINT: implicit, like an error
    requires(!std::is_convertible_v<std::error_code, T>)
      : v_(std::in_place_index<1>, make_error(code)) {}

  [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  [[nodiscard]] T& value() & { check_value(); return std::get<0>(v_); }
  [[nodiscard]] const T& value() const& { check_value(); return std::get<0>(v_); }
  [[nodiscard]] T&& value() && { check_value(); return std::get<0>(std::move(v_)); }
  /// The value, or `fallback` for a failed result.
  template <class U>
  [[nodiscard]] T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
  }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  [[nodiscard]] const pendop::error& error() const& {
    if (has_value()) detail::bad_result_access("error() of a successful result");
    return std::get<1>(v_);
  }

 private:
  void check_value() const {
    if (!has_value()) detail::bad_result_access(std::get<1>(v_).message.c_str());
  }
  std::variant<T, pendop::error> v_;
};

/// Success, or the `error` that prevented it.
template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(pendop::error e) : e_(std::move(e)), failed_(true) {}  // NOLINT
  /// A failure from a bare `std::error_code`, with the code's own text.
  result(std::error_code code) : e_(make_error(code)), failed_(true) {}  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return has_value(); }

  [[nodiscard]] const pendop::error& error() const& {
    if (!failed_) detail::bad_result_access("error() of a successful result");
    return e_;
  }

 private:
  pendop::error e_;
  bool failed_ = false;
};

/// The successful `result<void>`, for readable returns: `return pendop::ok();`
[[nodiscard]] inline result<void> ok() noexcept { return {}; }

}  // namespace pendop
