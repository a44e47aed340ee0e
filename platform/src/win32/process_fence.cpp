// SPDX-License-Identifier: MIT
#include <pendop/platform/process_fence.hpp>

#include <windows.h>

namespace pendop::platform {

namespace {

// Wine's ntdll exports wine_get_version; Windows's does not. Wine before 9
// stubs NtFlushProcessWriteBuffers (it returns without a barrier), so under
// any Wine the fence is not trusted.
bool running_under_wine() noexcept {
  const HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

}  // namespace

bool process_fence_ready() noexcept {
  // What the system offers does not change while the process runs.
  static const bool ready = !running_under_wine();
  return ready;
}

// An interprocessor interrupt to every processor running a thread of the
// process, each of which flushes its write queue: a full barrier on each.
void process_fence() noexcept { ::FlushProcessWriteBuffers(); }

}  // namespace pendop::platform
