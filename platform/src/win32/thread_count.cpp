// SPDX-License-Identifier: MIT
#include <pendop/platform/thread_count.hpp>

#include <windows.h>
#include <tlhelp32.h>

namespace pendop::platform {

std::optional<int> process_thread_count() noexcept {
  // A snapshot holds every thread of the system; count this process's.
  const HANDLE snapshot = ::CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
  if (snapshot == INVALID_HANDLE_VALUE) return std::nullopt;
  const DWORD self = ::GetCurrentProcessId();
  THREADENTRY32 entry{};
  entry.dwSize = sizeof entry;
  int threads = 0;
  for (BOOL more = ::Thread32First(snapshot, &entry); more; more = ::Thread32Next(snapshot, &entry)) {
    if (entry.th32OwnerProcessID == self) ++threads;
  }
  ::CloseHandle(snapshot);
  return threads > 0 ? std::optional<int>(threads) : std::nullopt;
}

}  // namespace pendop::platform
