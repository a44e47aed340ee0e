// SPDX-License-Identifier: MIT
// A test double of resutils.dll's ClusWorker functions with the documented
// semantics (docs/resapi.md, "ClusWorker"), on real Win32 threads. Wine's
// resutils.dll is all stubs; tests load this one in its place (native
// override). It never ships.
//
//   ClusWorkerCreate         zeroed CLUS_WORKER in, thread started
//   ClusWorkerCheckTerminate the Terminate flag
//   ClusWorkerTerminate      first caller sets the flag and waits for the thread;
//                            later and concurrent callers, and the worker itself,
//                            return without waiting
//   ClusWorkerTerminateEx    bounded wait; WAIT_TIMEOUT when the thread still runs;
//                            WaitOnly TRUE: do not set the flag
//   ClusWorkersTerminate     the same for many workers, one shared timeout
#include <pendop/win32/resapi.hpp>

#include <algorithm>
#include <cstddef>

using pendop::win32::CLUS_WORKER;
using pendop::win32::PWORKER_START_ROUTINE;

namespace {

struct start_args {
  PWORKER_START_ROUTINE routine;
  CLUS_WORKER* worker;
  PVOID param;
};

DWORD WINAPI thread_main(LPVOID p) {
  const start_args a = *static_cast<start_args*>(p);
  delete static_cast<start_args*>(p);
  return a.routine(a.worker, a.param);
}

LONG volatile* flag(CLUS_WORKER* w) { return reinterpret_cast<LONG volatile*>(&w->Terminate); }

bool on_own_thread(CLUS_WORKER* w) {
  return w->hThread && GetThreadId(w->hThread) == GetCurrentThreadId();
}

// Closes the thread handle once the thread has ended; the struct is reusable.
void reset(CLUS_WORKER* w) {
  if (HANDLE h = InterlockedExchangePointer(&w->hThread, nullptr)) CloseHandle(h);
}

}  // namespace

extern "C" {

__declspec(dllexport) DWORD WINAPI ClusWorkerCreate(CLUS_WORKER* w, PWORKER_START_ROUTINE routine,
                                                    PVOID param) {
  if (!w || !routine) return ERROR_INVALID_PARAMETER;
  if (w->hThread) return ERROR_INVALID_PARAMETER;  // the struct must be zeroed (or terminated)
  InterlockedExchange(flag(w), FALSE);
  auto* args = new (std::nothrow) start_args{routine, w, param};
  if (!args) return ERROR_NOT_ENOUGH_MEMORY;
  HANDLE h = CreateThread(nullptr, 0, &thread_main, args, CREATE_SUSPENDED, nullptr);
  if (!h) {
    delete args;
    return GetLastError();
  }
  w->hThread = h;  // visible before the routine runs: it may terminate itself
  ResumeThread(h);
  return ERROR_SUCCESS;
}

__declspec(dllexport) BOOL WINAPI ClusWorkerCheckTerminate(CLUS_WORKER* w) {
  return w && InterlockedCompareExchange(flag(w), 0, 0) != 0;
}

__declspec(dllexport) void WINAPI ClusWorkerTerminate(CLUS_WORKER* w) {
  if (!w || !w->hThread) return;
  if (InterlockedExchange(flag(w), TRUE) != FALSE) return;  // not the first caller
  if (on_own_thread(w)) return;                             // never wait on yourself
  WaitForSingleObject(w->hThread, INFINITE);
  reset(w);
}

__declspec(dllexport) DWORD WINAPI ClusWorkerTerminateEx(CLUS_WORKER* w, DWORD timeout_ms,
                                                         BOOL wait_only) {
  if (!w) return ERROR_INVALID_PARAMETER;
  if (!w->hThread) return ERROR_SUCCESS;
  if (!wait_only) InterlockedExchange(flag(w), TRUE);
  if (on_own_thread(w)) return ERROR_POSSIBLE_DEADLOCK;
  if (WaitForSingleObject(w->hThread, timeout_ms) == WAIT_TIMEOUT) return WAIT_TIMEOUT;
  reset(w);
  return ERROR_SUCCESS;
}

__declspec(dllexport) DWORD ClusWorkersTerminate(CLUS_WORKER** workers, std::size_t count,
                                                 DWORD timeout_ms, BOOL wait_only) {
  if (!workers && count) return ERROR_INVALID_PARAMETER;
  if (!wait_only) {
    for (std::size_t i = 0; i < count; ++i) {
      if (workers[i]) InterlockedExchange(flag(workers[i]), TRUE);
    }
  }
  const ULONGLONG deadline = GetTickCount64() + timeout_ms;
  DWORD rc = ERROR_SUCCESS;
  for (std::size_t i = 0; i < count; ++i) {
    const ULONGLONG now = GetTickCount64();
    const DWORD left = now >= deadline ? 0 : static_cast<DWORD>(deadline - now);
    if (workers[i] && ClusWorkerTerminateEx(workers[i], left, TRUE) == WAIT_TIMEOUT) rc = WAIT_TIMEOUT;
  }
  return rc;
}

}  // extern "C"
