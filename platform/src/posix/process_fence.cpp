// SPDX-License-Identifier: MIT
#include <pendop/platform/process_fence.hpp>

#include <cstdio>
#include <cstdlib>

#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace pendop::platform {

#if defined(__linux__)

namespace {

int membarrier(int cmd) noexcept { return static_cast<int>(::syscall(SYS_membarrier, cmd, 0U, 0)); }

bool register_expedited() noexcept {
  const int supported = membarrier(MEMBARRIER_CMD_QUERY);
  if (supported < 0 || (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) return false;
  return membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}

}  // namespace

bool process_fence_ready() noexcept {
  // What the kernel offers does not change while the process runs.
  static const bool ready = register_expedited();
  return ready;
}

void process_fence() noexcept {
  if (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) return;
  // A child after fork is not registered: its parent's registration was.
  if (register_expedited() && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) return;
  std::fputs("pendop: membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) failed after it was ready\n",
             stderr);
  std::abort();
}

#else

bool process_fence_ready() noexcept { return false; }

void process_fence() noexcept {
  std::fputs("pendop: process_fence() called where process_fence_ready() is false\n", stderr);
  std::abort();
}

#endif

}  // namespace pendop::platform
