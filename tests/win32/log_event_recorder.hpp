// SPDX-License-Identifier: MIT
// A LogEvent callback for adapter tests that keeps every line. pendop always
// logs "%1!ws!" with one string argument. LogEvent carries no context, so
// the lines live in one place per test program; a test clears them first.
#pragma once

#include <pendop/win32/resapi.hpp>

#include <cstdarg>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pendop_test {

class log_event_lines {
 public:
  void add(std::wstring line) {
    std::lock_guard lk(mu_);
    lines_.push_back(std::move(line));
  }
  void clear() {
    std::lock_guard lk(mu_);
    lines_.clear();
  }
  /// Whether a line contains `part`.
  bool has(std::wstring_view part) const {
    std::lock_guard lk(mu_);
    for (const auto& l : lines_) {
      if (l.find(part) != std::wstring::npos) return true;
    }
    return false;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::wstring> lines_;
};

inline log_event_lines& log_events() {
  static log_event_lines lines;
  return lines;
}

/// The LogEvent to hand Startup.
inline void __cdecl record_log_event(pendop::win32::RESOURCE_HANDLE, pendop::win32::LOG_LEVEL,
                                     LPCWSTR format, ...) {
  va_list args;
  va_start(args, format);
  const wchar_t* text = va_arg(args, const wchar_t*);
  va_end(args);
  log_events().add(text ? text : L"");
}

}  // namespace pendop_test
