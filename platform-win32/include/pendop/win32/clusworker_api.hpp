// SPDX-License-Identifier: MIT
// `clusworker_api`: the seam between pendop's resource-DLL adapter and the
// ClusWorker functions of resutils.dll. Production binds it to the real
// exports (`resutils_clusworker_api`); unit tests bind fakes and count calls.
#pragma once

#include <pendop/win32/resapi.hpp>

namespace pendop::win32 {

/// The ClusWorker functions pendop calls.
struct clusworker_api {
  DWORD(WINAPI* create)(CLUS_WORKER*, PWORKER_START_ROUTINE, PVOID) = nullptr;
  BOOL(WINAPI* check_terminate)(CLUS_WORKER*) = nullptr;
  void(WINAPI* terminate)(CLUS_WORKER*) = nullptr;
  /// ClusWorkerTerminateEx (Windows Server 2016+); null where resutils.dll
  /// lacks it, and then Terminate waits without a bound.
  DWORD(WINAPI* terminate_ex)(CLUS_WORKER*, DWORD timeout_ms, BOOL wait_only) = nullptr;
};

/// The functions of resutils.dll: ClusWorkerCreate, ClusWorkerCheckTerminate
/// and ClusWorkerTerminate imported; ClusWorkerTerminateEx looked up at run
/// time (MinGW's import library lacks it).
[[nodiscard]] clusworker_api resutils_clusworker_api() noexcept;

}  // namespace pendop::win32
