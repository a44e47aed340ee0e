// SPDX-License-Identifier: MIT
#include <pendop/win32/clusworker_api.hpp>

// The real exports, declared with pendop's own types (same ABI as the SDK's).
extern "C" {
__declspec(dllimport) DWORD WINAPI ClusWorkerCreate(pendop::win32::CLUS_WORKER*,
                                                    pendop::win32::PWORKER_START_ROUTINE, PVOID);
__declspec(dllimport) BOOL WINAPI ClusWorkerCheckTerminate(pendop::win32::CLUS_WORKER*);
__declspec(dllimport) void WINAPI ClusWorkerTerminate(pendop::win32::CLUS_WORKER*);
}

namespace pendop::win32 {

clusworker_api resutils_clusworker_api() noexcept {
  clusworker_api api;
  api.create = &ClusWorkerCreate;
  api.check_terminate = &ClusWorkerCheckTerminate;
  api.terminate = &ClusWorkerTerminate;
  if (HMODULE resutils = GetModuleHandleW(L"resutils.dll")) {
    api.terminate_ex = reinterpret_cast<decltype(api.terminate_ex)>(
        reinterpret_cast<void*>(GetProcAddress(resutils, "ClusWorkerTerminateEx")));
  }
  return api;
}

}  // namespace pendop::win32
