// SPDX-License-Identifier: MIT
// An asymmetric memory fence. `process_fence()` makes every thread of the
// process that is running pass a full memory barrier, so a pairing thread
// that runs often needs only a compiler barrier where it would need a full
// fence (a locked instruction on x86). The engine's delivery turn uses it:
// a worker ends its turn with a plain store, and the rare delivery that has
// to wait for that turn pays for the fence instead. Linux's
// `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`; Windows's
// `FlushProcessWriteBuffers`, except under Wine, whose versions before 9
// make it a no-op (it is then not ready, and the engine pairs full fences);
// unavailable elsewhere.
#pragma once

namespace pendop::platform {

/// True when `process_fence()` works in this process (registering it with
/// the kernel on first use). Where it is false, pair full fences instead.
[[nodiscard]] bool process_fence_ready() noexcept;

/// A full memory barrier on every running thread of the process, once
/// `process_fence_ready()` said true. Registers again where needed (a child
/// after fork); a kernel that then refuses aborts the process, since a
/// pairing thread relies on the fence.
void process_fence() noexcept;

}  // namespace pendop::platform
