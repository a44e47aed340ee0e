// SPDX-License-Identifier: MIT
#include <pendop/platform/thread_name.hpp>

#include <windows.h>

#include <string>

namespace pendop::platform {

namespace {

using set_description_fn = HRESULT(WINAPI*)(HANDLE, PCWSTR);

// Looked up, not linked: a program that names its threads still starts on a
// Windows older than 10 1607, where it does not.
set_description_fn set_thread_description() noexcept {
  static const set_description_fn fn = [] {
    const HMODULE kernel32 = ::GetModuleHandleW(L"kernel32.dll");
    if (kernel32 == nullptr) return set_description_fn{};
    return reinterpret_cast<set_description_fn>(
        reinterpret_cast<void*>(::GetProcAddress(kernel32, "SetThreadDescription")));
  }();
  return fn;
}

}  // namespace

void set_current_thread_name(std::string_view name) noexcept {
  const set_description_fn describe = set_thread_description();
  if (describe == nullptr || name.empty()) return;
  try {
    const int size = static_cast<int>(name.size());
    std::wstring wide(static_cast<std::size_t>(size), L'\0');
    const int converted = ::MultiByteToWideChar(CP_UTF8, 0, name.data(), size, wide.data(), size);
    if (converted <= 0) return;
    wide.resize(static_cast<std::size_t>(converted));
    (void)describe(::GetCurrentThread(), wide.c_str());
  } catch (...) {
    // Naming is diagnostics only; out of memory here is not worth failing for.
  }
}

}  // namespace pendop::platform
