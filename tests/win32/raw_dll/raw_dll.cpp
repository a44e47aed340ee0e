// SPDX-License-Identifier: MIT
// A resource DLL written by hand against ResApi, without pendop's adapter
// (type "pendop Raw", one DWORD private property Port, 1..65535): what a
// DLL author who never heard of pendop writes. pendop_check's tests run the
// checker on it, and on variants built with one deliberate fault each:
//
//   RAW_BLOCK_ONLINE       Online does its work before it returns (600 ms)
//   RAW_IGNORE_TERMINATE   the worker never looks at the stop flag or the
//                          monitor's answer; Terminate waits only 100 ms
//   RAW_SLOW_LOOKS_ALIVE   LooksAlive takes 600 ms
//   RAW_IS_ALIVE_FALSE     IsAlive answers FALSE
//   RAW_MORE_DATA_NO_SIZE  ERROR_MORE_DATA without the size needed
//   RAW_ARBITRATE          Arbitrate and Release without CLUS_CHAR_QUORUM
//   RAW_CRASH_ONLINE       Online writes through a null pointer
//   RAW_HANG_ONLINE        Online never returns
//   RAW_HANG_LOOKS_ALIVE   LooksAlive never returns
//
// and one that is no fault: RAW_NEEDS_KEY keeps Port under its cluster key,
// as most DLLs do (Open fails without the key and its "Parameters" subkey;
// SET writes Port there), so the hosts must hand Open a ResourceKey.
#include <pendop/host/property_list.hpp>
#include <pendop/win32/resapi.hpp>

#include <windows.h>

#include <cstring>
#include <string_view>
#include <vector>

using namespace pendop::win32;

namespace {

// What the Startup contract makes module-wide: the monitor's callbacks.
PSET_RESOURCE_STATUS_ROUTINE set_status = nullptr;
PSET_RESOURCE_STATUS_ROUTINE_EX set_status_ex = nullptr;

constexpr int state_online = 2;
constexpr int state_offline = 3;
constexpr int state_online_pending = 129;
constexpr int state_offline_pending = 130;

#ifdef RAW_NEEDS_KEY
// clusapi.h's declarations (linked against clusapi.dll).
extern "C" {
__declspec(dllimport) LONG WINAPI ClusterRegOpenKey(HKEY, LPCWSTR, REGSAM, PHKEY);
__declspec(dllimport) LONG WINAPI ClusterRegCloseKey(HKEY);
__declspec(dllimport) LONG WINAPI ClusterRegQueryValue(HKEY, LPCWSTR, LPDWORD, LPBYTE, LPDWORD);
__declspec(dllimport) DWORD WINAPI ClusterRegSetValue(HKEY, LPCWSTR, DWORD, const BYTE*, DWORD);
}
#endif

struct instance {
  RESOURCE_HANDLE handle = nullptr;
  HANDLE thread = nullptr;
  volatile LONG stop = 0;
  DWORD port = 8080;
  DWORD checkpoint = 0;
  HKEY parameters = nullptr;  // RAW_NEEDS_KEY: "Parameters" under the ResourceKey
};

DWORD report(instance* r, int state) {
  const DWORD cp = static_cast<DWORD>(InterlockedIncrement(reinterpret_cast<volatile LONG*>(&r->checkpoint)));
  if (set_status_ex) {
    RESOURCE_STATUS_EX s{};
    s.ResourceState = state;
    s.CheckPoint = cp;
    return set_status_ex(r->handle, &s);
  }
  RESOURCE_STATUS s{};
  s.ResourceState = state;
  s.CheckPoint = cp;
  return set_status(r->handle, &s);
}

struct job {
  instance* r;
  bool online;
};

DWORD WINAPI work(LPVOID p) {
  const job j = *static_cast<job*>(p);
  delete static_cast<job*>(p);
  const int pending = j.online ? state_online_pending : state_offline_pending;
#ifdef RAW_IGNORE_TERMINATE
  for (int i = 0; i < 10; ++i) {  // deaf to every stop
    Sleep(100);
    (void)report(j.r, pending);
  }
#else
  for (int i = 0; i < 3; ++i) {
    Sleep(50);
    if (j.r->stop || report(j.r, pending) == ResourceExitStateTerminate) return 0;
  }
#endif
  (void)report(j.r, j.online ? state_online : state_offline);
  return 0;
}

// Ends the previous worker (it has finished, or was told to stop).
void reap(instance* r, DWORD wait_ms) {
  if (!r->thread) return;
  WaitForSingleObject(r->thread, wait_ms);
  CloseHandle(r->thread);
  r->thread = nullptr;
}

DWORD start(instance* r, bool online) {
  reap(r, INFINITE);
  r->stop = 0;
  r->checkpoint = 0;
  r->thread = CreateThread(nullptr, 0, work, new job{r, online}, 0, nullptr);
#ifdef RAW_REPORT_BEFORE_RETURN
  // No fault: the worker reports, its final state too, before the entry
  // point returns ERROR_IO_PENDING (150 ms, within the budget), as a fast
  // worker may. Every report still counts.
  if (r->thread) WaitForSingleObject(r->thread, 5000);
#endif
  return r->thread ? ERROR_IO_PENDING : GetLastError();
}

void stop(instance* r) {
  InterlockedExchange(&r->stop, 1);
#ifdef RAW_IGNORE_TERMINATE
  reap(r, 100);
#else
  reap(r, INFINITE);
#endif
}

// A control code's answer: `bytes`, or ERROR_MORE_DATA and the size needed.
DWORD answer(const std::vector<std::uint8_t>& bytes, PVOID out, DWORD out_size, LPDWORD returned) {
  const auto size = static_cast<DWORD>(bytes.size());
  if (out_size < size) {
#ifdef RAW_MORE_DATA_NO_SIZE
    if (returned) *returned = 0;
#else
    if (returned) *returned = size;
#endif
    return ERROR_MORE_DATA;
  }
  if (size) std::memcpy(out, bytes.data(), size);
  if (returned) *returned = size;
  return ERROR_SUCCESS;
}

std::vector<std::uint8_t> properties(DWORD port) {
  pendop::property_value v;
  v.syntax = pendop::property_syntax::dword;
  v.number = port;
  const std::vector<pendop::property_entry> list = {{u"Port", {v}}};
  return pendop::encode_property_list(list);
}

// VALIDATE and SET: a list with only Port, 1..65535.
DWORD parse(PVOID in, DWORD in_size, DWORD& port) {
  const auto list = pendop::decode_property_list(
      {static_cast<const std::uint8_t*>(in), static_cast<std::size_t>(in_size)});
  if (!list) return ERROR_INVALID_DATA;
  for (const auto& e : *list) {
    if (e.name != u"Port" || e.values.empty() ||
        e.values.front().syntax != pendop::property_syntax::dword) {
      return ERROR_INVALID_PARAMETER;
    }
    if (e.values.front().number < 1 || e.values.front().number > 65535) {
      return ERROR_INVALID_PARAMETER;
    }
    port = static_cast<DWORD>(e.values.front().number);
  }
  return ERROR_SUCCESS;
}

RESID WINAPI open_v1(LPCWSTR, HKEY key, RESOURCE_HANDLE handle) {
#ifdef RAW_NEEDS_KEY
  HKEY parameters = nullptr;
  if (!key || ClusterRegOpenKey(key, L"Parameters", KEY_ALL_ACCESS, &parameters) != ERROR_SUCCESS) {
    SetLastError(ERROR_FILE_NOT_FOUND);
    return nullptr;
  }
#endif
  auto* r = new instance;
  r->handle = handle;
#ifdef RAW_NEEDS_KEY
  r->parameters = parameters;
  DWORD type = 0, value = 0, size = sizeof value;
  if (ClusterRegQueryValue(parameters, L"Port", &type, reinterpret_cast<LPBYTE>(&value), &size) ==
          ERROR_SUCCESS &&
      type == REG_DWORD) {
    r->port = value;
  }
#else
  (void)key;
#endif
  return r;
}
RESID WINAPI open_v2(LPCWSTR name, HKEY key, RESOURCE_HANDLE handle, DWORD) {
  return open_v1(name, key, handle);
}
void WINAPI close(RESID id) {
  auto* r = static_cast<instance*>(id);
  stop(r);
#ifdef RAW_NEEDS_KEY
  ClusterRegCloseKey(r->parameters);
#endif
  delete r;
}
DWORD WINAPI online_v1(RESID id, LPHANDLE) {
#if defined(RAW_CRASH_ONLINE)
  *static_cast<volatile int*>(static_cast<instance*>(id)->handle = nullptr) = 1;
  return ERROR_SUCCESS;
#elif defined(RAW_HANG_ONLINE)
  (void)id;
  Sleep(INFINITE);
  return ERROR_SUCCESS;
#elif defined(RAW_BLOCK_ONLINE)
  Sleep(600);
  auto* r = static_cast<instance*>(id);
  (void)r;
  return ERROR_SUCCESS;
#else
  return start(static_cast<instance*>(id), true);
#endif
}
DWORD WINAPI online_v2(RESID id, LPHANDLE event, DWORD, PBYTE, DWORD, DWORD) {
  return online_v1(id, event);
}
DWORD WINAPI offline_v1(RESID id) { return start(static_cast<instance*>(id), false); }
DWORD WINAPI offline_v2(RESID id, LPCWSTR, DWORD, PBYTE, DWORD, DWORD) { return offline_v1(id); }
void WINAPI terminate(RESID id) { stop(static_cast<instance*>(id)); }
BOOL WINAPI looks_alive(RESID) {
#if defined(RAW_SLOW_LOOKS_ALIVE)
  Sleep(600);
#elif defined(RAW_HANG_LOOKS_ALIVE)
  Sleep(INFINITE);
#endif
  return TRUE;
}
BOOL WINAPI is_alive(RESID) {
#ifdef RAW_IS_ALIVE_FALSE
  return FALSE;
#else
  return TRUE;
#endif
}
#ifdef RAW_ARBITRATE
DWORD WINAPI arbitrate(RESID, PQUORUM_RESOURCE_LOST) { return ERROR_SUCCESS; }
DWORD WINAPI release(RESID) { return ERROR_SUCCESS; }
#endif
DWORD WINAPI control(RESID id, DWORD code, PVOID in, DWORD in_size, PVOID out, DWORD out_size,
                     LPDWORD returned) {
  auto* r = static_cast<instance*>(id);
  if (returned) *returned = 0;
  switch (code) {
    case CLUSCTL_RESOURCE_GET_CHARACTERISTICS: {
      const std::vector<std::uint8_t> none(sizeof(DWORD), 0);
      return answer(none, out, out_size, returned);
    }
    case CLUSCTL_RESOURCE_ENUM_PRIVATE_PROPERTIES: {
      const std::vector<std::uint8_t> names = {'P', 0, 'o', 0, 'r', 0, 't', 0, 0, 0, 0, 0};
      return answer(names, out, out_size, returned);
    }
    case CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES:
      return answer(properties(r->port), out, out_size, returned);
    case CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTY_FMTS: {
      pendop::property_value v;
      v.syntax = pendop::property_syntax::word;
      v.number = 2;  // CLUSPROP_FORMAT_DWORD
      const std::vector<pendop::property_entry> list = {{u"Port", {v}}};
      return answer(pendop::encode_property_list(list), out, out_size, returned);
    }
    case CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES: {
      DWORD port = r->port;
      return parse(in, in_size, port);
    }
    case CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES: {
      DWORD port = r->port;
      DWORD rc = parse(in, in_size, port);
#ifdef RAW_NEEDS_KEY
      if (rc == ERROR_SUCCESS) {
        rc = ClusterRegSetValue(r->parameters, L"Port", REG_DWORD,
                                reinterpret_cast<const BYTE*>(&port), sizeof port);
      }
#endif
      if (rc == ERROR_SUCCESS) r->port = port;
      return rc;
    }
    default:
      return ERROR_INVALID_FUNCTION;
  }
}
DWORD WINAPI type_control(LPCWSTR, DWORD, PVOID, DWORD, PVOID, DWORD, LPDWORD returned) {
  if (returned) *returned = 0;
  return ERROR_INVALID_FUNCTION;
}
DWORD WINAPI cancel(RESID id, DWORD) {
  auto* r = static_cast<instance*>(id);
  stop(r);
  (void)report(r, state_offline);
  return ERROR_SUCCESS;
}

#ifdef RAW_ARBITRATE
constexpr PARBITRATE_ROUTINE arbitrate_entry = arbitrate;
constexpr PRELEASE_ROUTINE release_entry = release;
#else
constexpr PARBITRATE_ROUTINE arbitrate_entry = nullptr;
constexpr PRELEASE_ROUTINE release_entry = nullptr;
#endif

CLRES_FUNCTION_TABLE v1_table() {
  CLRES_FUNCTION_TABLE t{};
  t.TableSize = sizeof(CLRES_V1_FUNCTIONS);
  t.Version = CLRES_VERSION_V1_00;
  t.V1Functions = {open_v1,  close,           online_v1,     offline_v1, terminate, looks_alive,
                   is_alive, arbitrate_entry, release_entry, control,    type_control};
  return t;
}

CLRES_FUNCTION_TABLE v2_table() {
  CLRES_FUNCTION_TABLE t{};
  t.TableSize = sizeof(CLRES_V2_FUNCTIONS);
  t.Version = CLRES_VERSION_V2_00;
  t.V2Functions = {open_v2,         close,         online_v2, offline_v2,   terminate,
                   looks_alive,     is_alive,      arbitrate_entry,
                   release_entry,   control,       type_control, cancel};
  return t;
}

CLRES_FUNCTION_TABLE table_v1 = v1_table();
CLRES_FUNCTION_TABLE table_v2 = v2_table();

bool known_type(LPCWSTR type) { return type && std::wstring_view(type) == L"pendop Raw"; }

}  // namespace

extern "C" DWORD WINAPI Startup(LPCWSTR type, DWORD min_version, DWORD max_version,
                                PSET_RESOURCE_STATUS_ROUTINE status, PLOG_EVENT_ROUTINE,
                                CLRES_FUNCTION_TABLE** table) {
  if (!known_type(type)) return 5080;  // ERROR_CLUSTER_RESNAME_NOT_FOUND
  if (min_version > CLRES_VERSION_V1_00 || max_version < CLRES_VERSION_V1_00) {
    return ERROR_REVISION_MISMATCH;
  }
  set_status = status;
  *table = &table_v1;
  return ERROR_SUCCESS;
}

extern "C" DWORD WINAPI StartupEx(LPCWSTR type, DWORD min_version, DWORD max_version,
                                  CLRES_CALLBACK_FUNCTION_TABLE* callbacks,
                                  CLRES_FUNCTION_TABLE** table) {
  if (!known_type(type)) return 5080;
  if (min_version > CLRES_VERSION_V2_00 || max_version < CLRES_VERSION_V1_00) {
    return ERROR_REVISION_MISMATCH;
  }
  set_status_ex = callbacks->SetResourceStatusEx;
  *table = max_version >= CLRES_VERSION_V2_00 ? &table_v2 : &table_v1;
  return ERROR_SUCCESS;
}
