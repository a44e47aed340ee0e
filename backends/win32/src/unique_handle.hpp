// SPDX-License-Identifier: MIT
// `unique_handle`: owns a kernel HANDLE (an event, a thread) and closes it
// once. Null and INVALID_HANDLE_VALUE both mean "none".
#pragma once

#include <windows.h>

#include <utility>

namespace pendop::win32::detail {

class unique_handle {
 public:
  unique_handle() noexcept = default;
  explicit unique_handle(HANDLE h) noexcept : h_(h == INVALID_HANDLE_VALUE ? nullptr : h) {}
  unique_handle(unique_handle&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  unique_handle& operator=(unique_handle&& o) noexcept {
    if (this != &o) reset(std::exchange(o.h_, nullptr));
    return *this;
  }
  unique_handle(const unique_handle&) = delete;
  unique_handle& operator=(const unique_handle&) = delete;
  ~unique_handle() { reset(); }

  [[nodiscard]] HANDLE get() const noexcept { return h_; }
  explicit operator bool() const noexcept { return h_ != nullptr; }

  void reset(HANDLE h = nullptr) noexcept {
    if (h_) CloseHandle(h_);
    h_ = h;
  }

 private:
  HANDLE h_ = nullptr;
};

}  // namespace pendop::win32::detail
