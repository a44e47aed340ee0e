// SPDX-License-Identifier: MIT
#include <pendop/platform/detached_thread.hpp>

#include <windows.h>
#include <process.h>

#include <cerrno>
#include <exception>
#include <memory>
#include <system_error>
#include <utility>

namespace pendop::platform {

namespace {

unsigned __stdcall run(void* arg) noexcept {
  const std::unique_ptr<std::function<void()>> body(static_cast<std::function<void()>*>(arg));
  try {
    (*body)();
  } catch (...) {
    std::terminate();  // as an exception escaping a std::thread's function does
  }
  return 0;
}

}  // namespace

void start_detached_thread(std::function<void()> body) {
  auto owned = std::make_unique<std::function<void()>>(std::move(body));
  // _beginthreadex, not CreateThread: the C runtime's per-thread state is set
  // up for the thread and freed when it ends.
  const std::uintptr_t handle = ::_beginthreadex(nullptr, 0, run, owned.get(), 0, nullptr);
  if (handle == 0) {
    throw std::system_error(errno, std::generic_category(), "_beginthreadex");
  }
  owned.release();  // the thread's now
  ::CloseHandle(reinterpret_cast<HANDLE>(handle));
}

}  // namespace pendop::platform
