// SPDX-License-Identifier: MIT
#include "function_table.hpp"

#include <pendop/win32/resource_dll.hpp>

#include <atomic>

namespace pendop::win32::detail {

namespace {

// The adapter the tables reach: the DLL's one `resource_dll` once Startup
// ran (ResApi gives table entries no context pointer).
std::atomic<resource_dll*> g_current{nullptr};

resource_dll* current() noexcept { return g_current.load(); }

// The function-table entries: each reaches the DLL's adapter.
RESID WINAPI t_open(LPCWSTR n, HKEY k, RESOURCE_HANDLE h) {
  auto* d = current();
  if (!d) {
    SetLastError(PD_ERROR_INVALID_STATE);
    return nullptr;
  }
  return d->open(n, k, h);
}
RESID WINAPI t_open_v2(LPCWSTR n, HKEY k, RESOURCE_HANDLE h, DWORD) { return t_open(n, k, h); }
void WINAPI t_close(RESID id) {
  if (auto* d = current()) d->close(id);
}
DWORD WINAPI t_online(RESID id, LPHANDLE e) {
  auto* d = current();
  return d ? d->online(id, e) : PD_ERROR_INVALID_STATE;
}
DWORD WINAPI t_online_v2(RESID id, LPHANDLE e, DWORD flags, PBYTE, DWORD, DWORD) {
  resource_dll* d = current();
  return d ? d->online(id, e, flags) : PD_ERROR_INVALID_STATE;
}
DWORD WINAPI t_offline(RESID id) {
  auto* d = current();
  return d ? d->offline(id) : PD_ERROR_INVALID_STATE;
}
DWORD WINAPI t_offline_v2(RESID id, LPCWSTR destination, DWORD flags, PBYTE, DWORD, DWORD) {
  resource_dll* d = current();
  return d ? d->offline(id, destination, flags) : PD_ERROR_INVALID_STATE;
}
void WINAPI t_terminate(RESID id) {
  if (auto* d = current()) d->terminate(id);
}
BOOL WINAPI t_looks_alive(RESID id) {
  auto* d = current();
  return d ? d->looks_alive(id) : FALSE;
}
BOOL WINAPI t_is_alive(RESID id) {
  auto* d = current();
  return d ? d->is_alive(id) : FALSE;
}
DWORD WINAPI t_control(RESID id, DWORD c, PVOID i, DWORD is, PVOID o, DWORD os, LPDWORD r) {
  auto* d = current();
  return d ? d->resource_control(id, c, i, is, o, os, r) : PD_ERROR_INVALID_STATE;
}
DWORD WINAPI t_type_control(LPCWSTR t, DWORD c, PVOID i, DWORD is, PVOID o, DWORD os, LPDWORD r) {
  auto* d = current();
  return d ? d->resource_type_control(t, c, i, is, o, os, r) : PD_ERROR_INVALID_STATE;
}
DWORD WINAPI t_arbitrate(RESID id, PQUORUM_RESOURCE_LOST lost) {
  auto* d = current();
  return d ? d->arbitrate(id, lost) : PD_ERROR_INVALID_STATE;
}
DWORD WINAPI t_release(RESID id) {
  auto* d = current();
  return d ? d->release(id) : PD_ERROR_INVALID_STATE;
}
DWORD WINAPI t_cancel(RESID id, DWORD f) {
  auto* d = current();
  return d ? d->cancel(id, f) : PD_ERROR_INVALID_STATE;
}

CLRES_FUNCTION_TABLE make_v1(bool quorum) {
  CLRES_FUNCTION_TABLE t{};
  t.TableSize = sizeof(CLRES_V1_FUNCTIONS);
  t.Version = CLRES_VERSION_V1_00;
  t.V1Functions = {&t_open,      &t_close,       &t_online,   &t_offline,
                   &t_terminate, &t_looks_alive, &t_is_alive, quorum ? &t_arbitrate : nullptr,
                   quorum ? &t_release : nullptr, &t_control, &t_type_control};
  return t;
}

CLRES_FUNCTION_TABLE make_v2(bool quorum) {
  CLRES_FUNCTION_TABLE t{};
  t.TableSize = sizeof(CLRES_V2_FUNCTIONS);
  t.Version = CLRES_VERSION_V2_00;
  t.V2Functions = {&t_open_v2,   &t_close,       &t_online_v2, &t_offline_v2,
                   &t_terminate, &t_looks_alive, &t_is_alive,  quorum ? &t_arbitrate : nullptr,
                   quorum ? &t_release : nullptr, &t_control, &t_type_control, &t_cancel};
  return t;
}

// The tables the monitor keeps: immutable after initialisation.
const CLRES_FUNCTION_TABLE g_v1_table = make_v1(false);
const CLRES_FUNCTION_TABLE g_v2_table = make_v2(false);
const CLRES_FUNCTION_TABLE g_v1_quorum_table = make_v1(true);
const CLRES_FUNCTION_TABLE g_v2_quorum_table = make_v2(true);

}  // namespace

void set_current(resource_dll* dll) noexcept { g_current.store(dll); }

void clear_current(resource_dll* dll) noexcept { g_current.compare_exchange_strong(dll, nullptr); }

// Startup hands out a non-const pointer (the ResApi signature); the monitor
// only reads the table.
CLRES_FUNCTION_TABLE* v1_table(bool quorum) noexcept {
  return const_cast<CLRES_FUNCTION_TABLE*>(quorum ? &g_v1_quorum_table : &g_v1_table);
}

CLRES_FUNCTION_TABLE* v2_table(bool quorum) noexcept {
  return const_cast<CLRES_FUNCTION_TABLE*>(quorum ? &g_v2_quorum_table : &g_v2_table);
}

}  // namespace pendop::win32::detail
